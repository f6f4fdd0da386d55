//! The example programs, run as a user runs them (rust-csv style).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// An example binary where `cargo test` put it; built on demand when missing or stale.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let path = profile_dir.join("examples").join(name);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&path) < modified(&exe) {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "customer-tiering-apps", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building example {name}");
    }
    path
}

fn run(name: &str, args: &[&str]) -> String {
    let out: Output = Command::new(example(name))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("example runs");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn sqlite_source_prints_rejects_by_rowid_and_tiers() {
    let stdout = run("sqlite_source", &[]);
    for rowid in 401..=405 {
        assert!(
            stdout.contains(&format!(
                "rejected: shop.sqlite:orders: line {rowid}, field "
            )),
            "rowid {rowid} missing in\n{stdout}"
        );
    }
    assert!(
        stdout.contains("405 rows read: 400 accepted, 5 rejected"),
        "{stdout}"
    );
    assert!(stdout.contains("rfm_segment: "), "{stdout}");
    assert!(stdout.contains("metal: "), "{stdout}");
}

#[test]
fn learned_grade_prints_the_tree_its_agreement_and_two_explanations() {
    let stdout = run("learned_grade", &[]);
    assert!(
        stdout.starts_with("learned from 240 graded accounts"),
        "{stdout}"
    );
    assert!(stdout.contains("read back equal: true"), "{stdout}");
    assert!(
        stdout.contains("quickstart customers at 2026-06-30 (303)"),
        "{stdout}"
    );
    assert!(stdout.contains("C0001: "), "{stdout}");
    assert!(stdout.contains("P0001: "), "{stdout}");
}

#[test]
fn rfm_clusters_prints_clusters_by_monetary_and_seed_agreement() {
    let stdout = run("rfm_clusters", &[]);
    assert!(stdout.contains("cluster 1: "), "{stdout}");
    assert!(stdout.contains("cluster 4: "), "{stdout}");
    assert!(stdout.contains("seed 7 labels "), "{stdout}");
    assert!(stdout.contains("C0001: cluster "), "{stdout}");
}

#[test]
fn gen_graded_accounts_writes_the_committed_fixture() {
    let dir = std::env::temp_dir().join(format!("ct-apps-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("graded_accounts.csv");
    run("gen_graded_accounts", &[path.to_str().expect("UTF-8 path")]);
    let made = std::fs::read(&path).unwrap();
    let committed = std::fs::read(customer_tiering_apps::learned_grade::accounts::FIXTURE).unwrap();
    assert!(
        made == committed,
        "the generator's output differs from the fixture"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
