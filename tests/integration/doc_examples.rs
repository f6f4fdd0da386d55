//! Every public item of the library carries a runnable example in its docs (issue "What a
//! person looks at", deliverable 6). Stable rustdoc has no lint for it
//! (`missing_doc_code_examples` is nightly-only), so this test reads `src/` the way a
//! reader of the docs would: each `pub` item (and each method of a `pub trait`) must have
//! a fenced code block in the doc comment right above it; a `pub mod m;` is judged by the
//! `//!` docs of its file. `cargo test` runs the blocks themselves as doctests.

use std::path::{Path, PathBuf};

const KINDS: [&str; 8] = [
    "fn", "struct", "enum", "trait", "const", "mod", "type", "static",
];

pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The name of the item a line declares publicly (`pub fn x`, `pub const fn x`,
/// `pub struct X` …); none for `pub(crate)`, `pub use` and anything else.
pub(crate) fn public_item(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix("pub ")?;
    let rest = rest.strip_prefix("const fn ").map_or(rest, |r| r);
    let (kind, rest) = if line.contains("const fn ") {
        ("fn", rest)
    } else {
        rest.split_once(' ')?
    };
    if !KINDS.contains(&kind) {
        return None;
    }
    let name = rest
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .filter(|n| !n.is_empty())?;
    Some((kind, name))
}

/// The doc comment and attributes directly above line `at`.
fn doc_above(lines: &[&str], at: usize) -> String {
    let mut doc = Vec::new();
    for line in lines[..at].iter().rev() {
        let t = line.trim_start();
        if t.starts_with("///") || t.starts_with("#[") {
            doc.push(t);
        } else {
            break;
        }
    }
    doc.join("\n")
}

fn module_doc(file: &Path, name: &str) -> String {
    let dir = file.parent().expect("a file has a directory");
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let base = if stem == "lib" || stem == "mod" {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    [
        base.join(format!("{name}.rs")),
        base.join(name).join("mod.rs"),
    ]
    .iter()
    .find_map(|p| std::fs::read_to_string(p).ok())
    .map(|text| {
        text.lines()
            .filter(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n")
    })
    .unwrap_or_default()
}

/// `file:line: kind name` for each public item of `file` without an example.
fn items_without_example(file: &Path) -> Vec<String> {
    scan(file).0
}

/// `kind name` of each public item of `file`, methods of public traits as
/// `trait fn name`, and each `pub use` line as it is written: the file's public API.
pub(crate) fn public_items(file: &Path) -> Vec<String> {
    scan(file).1
}

/// The public items of `file` without an example, and all its public items.
fn scan(file: &Path) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(file).expect("source is readable");
    let lines: Vec<&str> = text.lines().collect();
    let mut missing = Vec::new();
    let mut items = Vec::new();
    // Brace depth at which a `pub trait` body opened: its `fn`s are public too.
    let mut trait_body: Option<i64> = None;
    let mut depth = 0i64;
    for (at, line) in lines.iter().enumerate() {
        let in_trait_body = trait_body == Some(depth - 1) && line.starts_with(' ');
        let trait_fn = in_trait_body
            .then(|| line.trim_start().strip_prefix("fn "))
            .flatten()
            .and_then(|rest| {
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
            });
        let item = public_item(line).or(trait_fn.map(|name| ("fn", name)));
        let reexport = line.trim_start().strip_prefix("pub use ");
        if let Some(used) = reexport
            && !(at > 0 && lines[at - 1].contains("#[cfg(test)]"))
        {
            items.push(format!("use {}", used.trim_end()));
        }
        if let Some((kind, name)) = item {
            let test_only = at > 0 && lines[at - 1].contains("#[cfg(test)]");
            if !test_only {
                let kind = if trait_fn.is_some() && public_item(line).is_none() {
                    "trait fn"
                } else {
                    kind
                };
                items.push(format!("{kind} {name}"));
            }
            let doc = if kind == "mod" && line.trim_end().ends_with(';') {
                module_doc(file, name)
            } else {
                doc_above(&lines, at)
            };
            if !test_only && !doc.contains("```") {
                missing.push(format!("{}:{}: {kind} {name}", file.display(), at + 1));
            }
            if kind == "trait" && trait_body.is_none() {
                trait_body = Some(depth);
            }
        }
        if !line.trim_start().starts_with("//") {
            // braces in doc examples would throw the count off
            depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
        }
        if trait_body.is_some_and(|d| depth <= d) && line.contains('}') {
            trait_body = None;
        }
    }
    (missing, items)
}

#[test]
fn every_public_item_has_a_runnable_example() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut checked = 0;
    let mut missing = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source is readable");
        checked += text.lines().filter(|l| public_item(l).is_some()).count();
        missing.extend(items_without_example(file));
    }
    assert!(checked > 300, "the scan found only {checked} public items");
    assert!(
        missing.is_empty(),
        "{} public items have no example in their docs:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_scan_sees_what_it_should() {
    assert_eq!(public_item("pub fn new() -> Self {"), Some(("fn", "new")));
    assert_eq!(
        public_item("    pub const fn get(&self) -> u8 {"),
        Some(("fn", "get"))
    );
    assert_eq!(
        public_item("pub struct Tiering {"),
        Some(("struct", "Tiering"))
    );
    assert_eq!(public_item("pub mod charts;"), Some(("mod", "charts")));
    assert_eq!(public_item("pub(crate) fn hidden() {}"), None);
    assert_eq!(public_item("pub use crate::x::Y;"), None);
    let lines = [
        "/// Doc.",
        "/// ```",
        "/// x();",
        "/// ```",
        "#[must_use]",
        "pub fn x() {}",
    ];
    assert!(doc_above(&lines, 5).contains("```"));
    assert!(!doc_above(&["/// Only prose.", "pub fn y() {}"], 1).contains("```"));
}

#[test]
fn methods_of_a_public_trait_count_and_nested_bodies_do_not() {
    let dir = std::env::temp_dir().join(format!("ct-doc-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("scan.rs");
    let source = "/// A trait.\n/// ```\n/// ```\npub trait T {\n    /// No example.\n    \
                  fn bare(&self);\n    /// ```\n    /// ```\n    fn shown(&self) {\n        \
                  fn inner() {}\n    }\n}\nfn private() {}\n";
    std::fs::write(&file, source).expect("write");
    let missing = items_without_example(&file);
    std::fs::remove_dir_all(&dir).expect("clean up");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].ends_with(":6: fn bare"), "{missing:?}");
}
