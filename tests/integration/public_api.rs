//! The public API, as written in `src/`, against a snapshot (`tests/data/public_api.txt`),
//! so that it cannot grow by accident: a new `pub` item, a `pub use` or a method of a
//! public trait shows up here, in review, with its file. Regenerate the snapshot on
//! purpose with `UPDATE_PUBLIC_API=1 cargo test --test integration public_api`.

use std::path::Path;

use crate::doc_examples::{public_items, rust_files};

/// One line per public item: `src/path.rs: kind name`, in file order.
fn public_api() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut out = String::new();
    for file in &files {
        let shown = file
            .strip_prefix(root)
            .expect("under the manifest")
            .display()
            .to_string();
        for item in public_items(file) {
            out.push_str(&format!("{shown}: {item}\n"));
        }
    }
    out
}

#[test]
fn the_public_api_is_the_snapshot() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/public_api.txt");
    let now = public_api();
    if std::env::var_os("UPDATE_PUBLIC_API").is_some() {
        std::fs::write(&path, &now).expect("write the snapshot");
        return;
    }
    let was = std::fs::read_to_string(&path).unwrap_or_default();
    let added: Vec<&str> = now
        .lines()
        .filter(|l| !was.lines().any(|w| w == *l))
        .collect();
    let removed: Vec<&str> = was
        .lines()
        .filter(|l| !now.lines().any(|n| n == *l))
        .collect();
    assert!(
        added.is_empty() && removed.is_empty(),
        "the public API changed (if on purpose: UPDATE_PUBLIC_API=1 cargo test --test integration public_api)\nadded:\n  {}\nremoved:\n  {}",
        added.join("\n  "),
        removed.join("\n  ")
    );
}
