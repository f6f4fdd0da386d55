//! The `tier` example end to end ([bad
//! input](customer_tiering::definitions#bad-input-and-rejects), [CLI
//! files](customer_tiering::definitions#cli-files-and-exit-codes)): bad records under
//! `--on-invalid fail` and `skip`, the files it writes, and its exit codes.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::example_binary::example;

const TIERS_HEADER: &str =
    "customer_id,recency_days,frequency,transactions,monetary,tenure_days,r,f,m,rfm_segment,metal";

const GRAMMAR: &str =
    "not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)";

/// Ten data rows: six good (one after the as-of date 2026-03-31), four bad at lines 4..=7.
const ORDERS: &str = "customer_id,date,amount\n\
                      C2,2026-03-01,10.00\n\
                      C1,2026-02-01,5.5\n\
                      C3,2026-01-05,1e3\n\
                      ,2026-01-05,1.00\n\
                      C4,2026-01-05,\"1,000\"\n\
                      C5,2026-01-05\n\
                      C10,2026-03-15,-2.00\n\
                      C2,2026-04-02,100\n\
                      b,2026-03-30,0\n\
                      B,2026-03-30,3.25\n";

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "customer-tiering-rejects-{}-{tag}-{n}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, contents).expect("write input");
        path
    }

    fn out(&self) -> PathBuf {
        self.0.join("out")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&OsStr]) -> Output {
    Command::new(example("tier"))
        .args(args)
        .output()
        .expect("tier runs")
}

/// `tier --transactions INPUT --out OUT` with `extra` arguments.
fn run_on(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("--transactions"),
        input.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    run(&args)
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

fn read_csv(path: &Path) -> (String, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = text.lines().next().unwrap_or_default().to_string();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows = reader
        .records()
        .map(|r| r.expect("valid CSV").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn summary(out: &Path) -> serde_json::Value {
    let text = fs::read_to_string(out.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

#[test]
fn fail_stops_with_one_line_naming_file_line_field_value_and_reason() {
    let dir = TempDir::new("fail");
    let input = dir.write("orders.csv", ORDERS);
    for extra in [
        &["--as-of", "2026-03-31", "--on-invalid", "fail"][..],
        &["--as-of", "2026-03-31"],
    ] {
        let output = run_on(&input, &dir.out(), extra);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{extra:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{extra:?}: exactly one line: {err}");
        let line = err.lines().next().unwrap();
        for part in [
            input.display().to_string().as_str(),
            "line 4",
            "amount",
            "\"1e3\"",
            GRAMMAR,
        ] {
            assert!(line.contains(part), "{part:?} missing in {line:?}");
        }
        for file in ["tiers.csv", "model.json", "summary.json", "rejects.csv"] {
            assert!(!dir.out().join(file).exists(), "{file} written on failure");
        }
    }
}

#[test]
fn skip_writes_rejects_summary_and_sorted_tiers() {
    let dir = TempDir::new("skip");
    let input = dir.write("orders.csv", ORDERS);
    let out = dir.out();
    let output = run_on(
        &input,
        &out,
        &["--as-of", "2026-03-31", "--on-invalid", "skip"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let (header, rejects) = read_csv(&out.join("rejects.csv"));
    assert_eq!(header, "source,line,field,value,reason");
    let source = input.display().to_string();
    let want: Vec<Vec<String>> = [
        ("4", "amount", "1e3", GRAMMAR),
        ("5", "customer_id", "", "empty customer id"),
        ("6", "amount", "1,000", GRAMMAR),
        ("7", "record", "C5,2026-01-05", "expected 3 fields, found 2"),
    ]
    .iter()
    .map(|(line, field, value, reason)| {
        [source.as_str(), line, field, value, reason]
            .map(String::from)
            .to_vec()
    })
    .collect();
    assert_eq!(rejects, want);

    let s = summary(&out);
    assert_eq!(s["read"], 10);
    assert_eq!(s["accepted"], 6);
    assert_eq!(s["rejected"], 4);
    assert_eq!(s["after_as_of"], 1);
    assert_eq!(
        s["read"].as_u64().unwrap(),
        s["accepted"].as_u64().unwrap() + s["rejected"].as_u64().unwrap()
    );
    assert_eq!(s["customers"], 5);
    assert_eq!(s["buyers"], 5);
    assert_eq!(s["as_of"], "2026-03-31");
    assert_eq!(s["model"]["fit_size"], 5);

    let (header, tiers) = read_csv(&out.join("tiers.csv"));
    assert_eq!(header, TIERS_HEADER);
    let ids: Vec<&str> = tiers.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(ids, ["B", "C1", "C10", "C2", "b"], "byte order of ids");
    for row in &tiers {
        assert_eq!(row.len(), 11, "{row:?}");
        for score in &row[6..9] {
            assert!(
                matches!(score.as_str(), "1" | "2" | "3" | "4" | "5"),
                "{row:?}"
            );
        }
        assert!(
            ["platinum", "gold", "iron", "lead"].contains(&row[10].as_str()),
            "{row:?}"
        );
    }
    let c2 = &tiers[3];
    assert_eq!(&c2[1..6], ["30", "1", "1", "10.00", "30"]);
    assert_eq!(c2[10], "platinum");
    let c10 = &tiers[2];
    assert_eq!(c10[4], "-2.00");
    assert_eq!(tiers[4][4], "0");
    assert!(out.join("model.json").exists());
}

#[test]
fn skip_without_rejects_writes_the_header_alone() {
    let dir = TempDir::new("clean");
    let input = dir.write("orders.csv", "customer_id,date,amount\na,2026-03-01,1\n");
    let out = dir.out();
    let output = run_on(
        &input,
        &out,
        &["--as-of", "2026-03-31", "--on-invalid", "skip"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = fs::read_to_string(out.join("rejects.csv")).expect("rejects.csv");
    assert_eq!(text, "source,line,field,value,reason\n");
    let s = summary(&out);
    assert_eq!(
        (s["read"].as_u64(), s["rejected"].as_u64()),
        (Some(1), Some(0))
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new("usage");
    let input = dir.write("orders.csv", "customer_id,date,amount\na,2026-03-01,1\n");
    let out = dir.out();
    let cases: [&[&str]; 8] = [
        &[],
        &["--as-of", "2026-03-31", "--bins", "11"],
        &["--as-of", "2026-03-31", "--bins", "1"],
        &["--as-of", "2026-03-31", "--quantiles", "deciles"],
        &["--as-of", "2026-03-31", "--on-invalid", "ignore"],
        &["--as-of", "2026-02-30"],
        &["--as-of", "20260331"],
        &["--as-of", "2026-03-31", "--no-such-flag"],
    ];
    for extra in cases {
        let output = run_on(&input, &out, extra);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{extra:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).is_empty(), "{extra:?}: says why");
        assert!(!out.join("tiers.csv").exists(), "{extra:?}");
    }
    let output = run(&[OsStr::new("--as-of"), OsStr::new("2026-03-31")]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "missing --transactions and --out"
    );
}

#[test]
fn an_empty_population_exits_1() {
    let dir = TempDir::new("empty");
    let input = dir.write(
        "orders.csv",
        "customer_id,date,amount\na,2026-04-01,1\nb,2026-05-01,2\n",
    );
    let output = run_on(&input, &dir.out(), &["--as-of", "2026-03-31"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("2026-03-31"), "{err}");
    assert!(!dir.out().join("tiers.csv").exists());
}

#[test]
fn unreadable_input_and_missing_columns_exit_1() {
    let dir = TempDir::new("io");
    let missing = dir.0.join("no-such-file.csv");
    let output = run_on(&missing, &dir.out(), &["--as-of", "2026-03-31"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no-such-file.csv"), "{err}");

    let input = dir.write("orders.csv", "id,date,amount\na,2026-03-01,1\n");
    for policy in ["fail", "skip"] {
        let output = run_on(
            &input,
            &dir.out(),
            &["--as-of", "2026-03-31", "--on-invalid", policy],
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{policy}: {err}");
        assert_eq!(err.lines().count(), 1, "{policy}: {err}");
        assert!(err.contains("customer_id"), "{policy}: {err}");
        assert!(!dir.out().join("tiers.csv").exists(), "{policy}");
    }

    let output = run_on(
        &input,
        &dir.out(),
        &["--as-of", "2026-03-31", "--columns", "price=Amount"],
    );
    // A bad mapping is a configuration error (1) or a usage error (2), never success.
    assert!(
        matches!(output.status.code(), Some(1 | 2)),
        "unknown mapped field: {}",
        stderr(&output)
    );
}

#[test]
fn a_column_mapping_and_other_bins() {
    let dir = TempDir::new("mapping");
    let input = dir.write(
        "retail.csv",
        "InvoiceNo,CustomerID,InvoiceDate,Amount\n\
         1,17850,2010-12-01 08:26:00,15.30\n\
         2,13047,2010-12-02T09:00:00,54.08\n\
         3,12583,2010-12-03,-1.00\n",
    );
    let out = dir.out();
    let output = run_on(
        &input,
        &out,
        &[
            "--as-of",
            "2010-12-09",
            "--columns",
            "customer_id=CustomerID,date=InvoiceDate,amount=Amount",
            "--bins",
            "4",
            "--quantiles",
            "equal-count",
        ],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    // See `definitions`, RFM segments: with k ≠ 5 the default map does not apply: a
    // warning, empty segments.
    assert!(
        err.lines()
            .any(|l| l.starts_with("warning: segment_map_bins: ")),
        "{err}"
    );
    let (header, tiers) = read_csv(&out.join("tiers.csv"));
    assert_eq!(header, TIERS_HEADER);
    let ids: Vec<&str> = tiers.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(ids, ["12583", "13047", "17850"]);
    assert!(tiers.iter().all(|row| row[9].is_empty()), "{tiers:?}");
    assert_eq!(tiers[1][1], "7");
    let s = summary(&out);
    assert_eq!(s["warnings"][0]["code"], "segment_map_bins");
}
