//! Golden files per language: what a person reads from `tier` on the quickstart data —
//! the stdout table, the warnings on stderr and `management.csv` — in English,
//! Traditional and Simplified Chinese, byte for byte. A change of wording shows here
//! as a diff; `UPDATE_GOLDEN=1 cargo test --test integration golden` rewrites them
//! after a change made on purpose.

use std::path::{Path, PathBuf};

use crate::support::{assert_ok, run, temp_dir};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn golden_dir(lang: &str) -> PathBuf {
    Path::new(ROOT).join("tests/data/golden").join(lang)
}

/// Compares `got` with the golden file, or writes it under `UPDATE_GOLDEN`.
fn check(lang: &str, name: &str, got: &str) {
    let path = golden_dir(lang).join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if want != got {
        let line = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(got.lines().count()));
        panic!(
            "{lang}/{name} differs from its golden file at line {}:\n  want: {:?}\n  got:  {:?}\n(UPDATE_GOLDEN=1 rewrites it if the change is on purpose)",
            line + 1,
            want.lines().nth(line),
            got.lines().nth(line)
        );
    }
}

#[test]
fn what_people_read_in_each_language() {
    for lang in ["en", "zh-Hant", "zh-Hans"] {
        let dir = temp_dir(&format!("golden-{lang}"));
        let at = |file: &str| format!("{ROOT}/{file}");
        let (transactions, customers, rules) = (
            at("tests/data/quickstart.csv"),
            at("tests/data/quickstart_customers.csv"),
            at("examples/rules/credit-cap.toml"),
        );
        let out = run(
            "tier",
            &[
                "--transactions",
                &transactions,
                "--customers",
                &customers,
                "--rules",
                &rules,
                "--preset",
                "four-dimension",
                "--preset",
                "lifecycle",
                "--preset",
                "value-tiers",
                "--as-of",
                "2026-06-30",
                "--compare-as-of",
                "2026-03-31",
                "--lang",
                lang,
                "--no-charts",
                "--no-report",
                "--out",
                dir.to_str().unwrap(),
            ],
        );
        assert_ok(&out);
        check(lang, "stdout.txt", &String::from_utf8(out.stdout).unwrap());
        check(lang, "stderr.txt", &String::from_utf8(out.stderr).unwrap());
        let management = std::fs::read_to_string(dir.join("management.csv")).unwrap();
        check(lang, "management.csv", &management);
        let _ = std::fs::remove_dir_all(dir);
    }
}
