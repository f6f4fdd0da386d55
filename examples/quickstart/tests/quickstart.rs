//! The quickstart, run as the README's first command runs it.

use std::process::Command;

#[test]
fn quickstart_prints_counts_warnings_and_two_explained_customers() {
    // The binary cargo built for this package's tests: no build of our own.
    let out = Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .output()
        .expect("quickstart runs");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        stdout.starts_with("2745 rows read, 300 customers"),
        "{stdout}"
    );
    for column in ["r:", "f:", "m:", "rfm_segment:", "metal:", "abc:"] {
        assert!(stdout.contains(column), "{column} missing in\n{stdout}");
    }
    assert!(
        stdout.contains("metal: platinum 3, gold 12, iron 45, lead 240"),
        "{stdout}"
    );
    assert!(stdout.matches("monetary ").count() >= 2, "{stdout}");
    assert!(stdout.contains("cut points"), "{stdout}");
    assert!(stdout.contains("threshold"), "{stdout}");
    // The warning exactly as `tier` prints it on the same data, and what it means.
    assert_eq!(
        stderr,
        "warning: empty_score: f: score 3 is empty: 62 customers share the value 2\n"
    );
    assert!(stdout.contains("What an empty score means"), "{stdout}");
    assert!(
        stdout.contains(
            "Here 62 customers have frequency (purchases) 2: being equal, they all get a score\n\
             below 3, and the next value a score above it, so f score 3 holds nobody."
        ),
        "{stdout}"
    );
}

#[test]
fn the_readme_runs_this_package_first() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let first = readme
        .lines()
        .skip_while(|line| *line != "```sh")
        .nth(1)
        .expect("a shell block in the README");
    let command = format!("cargo run -p {} ", env!("CARGO_PKG_NAME"));
    assert!(first.starts_with(&command), "{first}");
}
