//! What `--lang` changes on stdout (see `definitions`, CLI files and exit codes): the summary table's headers, names and
//! markers in the language, its columns aligned by display width.

use unicode_width::UnicodeWidthStr;

use crate::support::{QUICKSTART, QUICKSTART_CUSTOMERS, assert_ok, run, temp_dir};

/// The summary table `tier` prints in `lang` (with known customers, so that some are
/// unscored): its lines from the header to the total.
fn table(lang: &str) -> Vec<String> {
    let dir = temp_dir(&format!("lang-{lang}"));
    let out = run(
        "tier",
        &[
            "--transactions",
            QUICKSTART,
            "--customers",
            QUICKSTART_CUSTOMERS,
            "--as-of",
            "2026-06-30",
            "--out",
            dir.to_str().expect("UTF-8 path"),
            "--lang",
            lang,
        ],
    );
    assert_ok(&out);
    let _ = std::fs::remove_dir_all(dir);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let lines: Vec<String> = stdout.lines().map(str::to_string).collect();
    let end = lines
        .iter()
        .position(|l| l.trim_start().starts_with('(') && l.starts_with(' '))
        .expect("a total row");
    lines[..=end].to_vec()
}

/// Where the revenue column ends in a line, in display cells. A row that fills the
/// table's width (`full`, the header's) ends in a revenue share, the revenue just
/// before it; a shorter row (no share, the total) ends in its revenue.
fn revenue_end(line: &str, full: usize) -> usize {
    let trimmed = line.trim_end();
    let cut = match trimmed.width() == full {
        true => trimmed
            .trim_end_matches(|c: char| !c.is_whitespace())
            .trim_end(),
        false => trimmed,
    };
    cut.width()
}

#[test]
fn the_table_speaks_the_language_and_stays_aligned() {
    for (lang, headers, total, unscored, platinum) in [
        ("en", "customers", "(total)", "(unscored)", "Platinum"),
        ("zh-Hant", "客戶數", "(合計)", "(未評分)", "白金顧客"),
        ("zh-Hans", "客户数", "(合计)", "(未评分)", "白金顾客"),
    ] {
        let lines = table(lang);
        assert!(lines[0].contains(headers), "{lang}: {}", lines[0]);
        assert!(lines.last().expect("total").contains(total), "{lang}");
        assert!(
            lines.iter().any(|l| l.contains(unscored)),
            "{lang}: {lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.contains(platinum)),
            "{lang}: {lines:#?}"
        );
        if lang != "en" {
            for english in ["column", "customers", "revenue", "(total)", "(unscored)"] {
                assert!(
                    lines.iter().all(|l| !l.contains(english)),
                    "{lang}: {english} left in {lines:#?}"
                );
            }
        }
        // Right-aligned numbers end in the same display cell on every row, whatever
        // the width of the names before them.
        let full = lines[0].trim_end().width();
        let ends: Vec<usize> = lines.iter().map(|l| revenue_end(l, full)).collect();
        assert!(
            ends.windows(2).all(|w| w[0] == w[1]),
            "{lang}: {ends:?}\n{lines:#?}"
        );
    }
}
