//! Example binaries where cargo put them (`target/<profile>/examples`), for tests that
//! run an example as a user does. Shared by this package's integration tests and
//! `examples/apps`' (which include this file by path): the package it builds for is the
//! including crate's own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::SystemTime;

/// The example `name`, up to date.
///
/// `cargo test` builds every example before it runs a test, so this finds the binary
/// current and starts no build: a build of its own would contend for the build
/// directory's lock with cargo and with the other tests ("Blocking waiting for file
/// lock"). Only a run that builds no example (`cargo test --test integration NAME`)
/// meets one missing or older than a source it was built from; that one is built here,
/// once per test binary whichever tests ask for it.
///
/// Whether it is current is read from the dep-info file cargo writes beside it
/// (`examples/NAME.d`), which lists every source file of the workspace it was built
/// from. Comparing with this test binary's own date instead would say "stale" after
/// every `cargo test`, since cargo links examples and tests in no fixed order.
pub(crate) fn example(name: &str) -> PathBuf {
    static CHECKED: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    // Held while building, so that the tests asking for the same example wait for it.
    let mut checked = CHECKED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(path) = checked.get(name) {
        return path.clone();
    }
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let examples = profile_dir.join("examples");
    let path = examples.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !is_current(&path, &examples.join(format!("{name}.d"))) {
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "--quiet", "-p", env!("CARGO_PKG_NAME")])
            .args(["--example", name, "--target-dir"])
            .arg(profile_dir.parent().expect("target dir"))
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.file_name().is_some_and(|p| p == "release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("cargo runs");
        assert!(status.success(), "cargo build --example {name} failed");
    }
    assert!(path.exists(), "no example binary at {}", path.display());
    checked.insert(name.to_string(), path.clone());
    path
}

/// Whether `binary` exists and no source its dep-info lists is newer (or gone).
fn is_current(binary: &Path, dep_info: &Path) -> bool {
    let modified = |p: &Path| -> Option<SystemTime> { std::fs::metadata(p).ok()?.modified().ok() };
    let (Some(built), Ok(deps)) = (modified(binary), std::fs::read_to_string(dep_info)) else {
        return false;
    };
    sources(&deps)
        .iter()
        .all(|source| modified(source).is_some_and(|m| m <= built))
}

/// The prerequisites of a dep-info rule `target: source source …`, spaces in a path
/// written `\ ` (cargo escapes nothing else: a Windows path keeps its backslashes).
fn sources(dep_info: &str) -> Vec<PathBuf> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = dep_info.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => word.push(chars.next().unwrap_or(' ')),
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    // The first word ending in ':' is the target (a drive letter's colon is inside it).
    match words.iter().position(|w| w.ends_with(':')) {
        Some(target) => words[target + 1..].iter().map(PathBuf::from).collect(),
        None => Vec::new(),
    }
}

#[test]
fn dep_info_sources_keep_escaped_spaces_and_drop_the_target() {
    let rule = "/t/debug/examples/tier: /w/src/lib.rs /w/my\\ dir/main.rs\n\n";
    assert_eq!(
        sources(rule),
        [
            PathBuf::from("/w/src/lib.rs"),
            PathBuf::from("/w/my dir/main.rs")
        ]
    );
    assert!(sources("").is_empty());
}

#[test]
fn an_example_without_a_binary_or_its_dep_info_is_not_current() {
    let nowhere = Path::new("/nonexistent/customer-tiering/examples");
    assert!(!is_current(&nowhere.join("tier"), &nowhere.join("tier.d")));
}
