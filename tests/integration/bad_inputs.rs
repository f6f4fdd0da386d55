//! The bad-input corpus (`tests/data/bad/`, [bad
//! input](customer_tiering::definitions#bad-input-and-rejects), [output
//! safety](customer_tiering::definitions#output-safety)): every case of
//! `tests/data/bad/cases.toml` run through `tier`, its outcome asserted; and the cases too
//! large to commit (a line of 3 MiB, 100 003 lines behind a stray quote) made here.

use std::path::Path;

use customer_tiering::source::customers::read_customers;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use customer_tiering::{Error, PopulationBuilder};
use jiff::civil::date;
use serde::Deserialize;

use crate::support::{QUICKSTART, data_lines, line_of, run, temp_dir};

const BAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    why: String,
    args: Option<Vec<String>>,
    #[serde(default)]
    exit: i32,
    read: Option<u64>,
    accepted: Option<u64>,
    rejected: Option<u64>,
    customers: Option<u64>,
    #[serde(default)]
    rejects: Vec<Vec<toml::Value>>,
    stderr: Option<String>,
    #[serde(default)]
    customers_file: bool,
    customers_source: Option<[u64; 3]>,
}

#[derive(Debug, Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

fn check(case: &Case, dir: &Path) -> Result<(), String> {
    let path = format!("{BAD}/{}", case.file);
    let out = dir.to_str().expect("UTF-8 path");
    let mut args: Vec<String> = if case.customers_file {
        vec![
            "--transactions".into(),
            QUICKSTART.into(),
            "--customers".into(),
            path.clone(),
        ]
    } else {
        vec!["--transactions".into(), path.clone()]
    };
    args.extend(
        [
            "--as-of",
            "2026-06-30",
            "--out",
            out,
            "--quiet",
            "--no-charts",
        ]
        .map(String::from),
    );
    let extra = case
        .args
        .clone()
        .unwrap_or_else(|| vec!["--on-invalid".into(), "skip".into()]);
    let skip = extra
        .windows(2)
        .any(|w| w[0] == "--on-invalid" && w[1] == "skip");
    args.extend(extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run("tier", &refs);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() != Some(case.exit) {
        return Err(format!(
            "exit {:?}, expected {}; stderr:\n{stderr}",
            output.status.code(),
            case.exit
        ));
    }
    if let Some(piece) = &case.stderr
        && !stderr.contains(piece.as_str())
    {
        return Err(format!("stderr lacks {piece:?}:\n{stderr}"));
    }
    if case.exit != 0 {
        // A failed run writes nothing but, under skip after reading data, rejects.csv.
        let written: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let unexpected: Vec<&String> = written
            .iter()
            .filter(|n| *n != ".tier.lock" && *n != "rejects.csv")
            .collect();
        return match unexpected.is_empty() {
            true => Ok(()),
            false => Err(format!("a failed run left {unexpected:?}")),
        };
    }
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("summary.json"))
            .map_err(|e| format!("summary.json: {e}"))?,
    )
    .map_err(|e| e.to_string())?;
    let figure = |key: &str| summary[key].as_u64();
    for (key, expected) in [
        ("read", case.read),
        ("accepted", case.accepted),
        ("rejected", case.rejected),
        ("customers", case.customers),
    ] {
        if let Some(expected) = expected
            && figure(key) != Some(expected)
        {
            return Err(format!("{key} = {:?}, expected {expected}", summary[key]));
        }
    }
    let (read, accepted, rejected) = (figure("read"), figure("accepted"), figure("rejected"));
    if read != accepted.zip(rejected).map(|(a, r)| a + r) {
        return Err(format!(
            "read {read:?} != accepted {accepted:?} + rejected {rejected:?}"
        ));
    }
    if skip && !case.customers_file {
        let lines = data_lines(&std::fs::read(&path).map_err(|e| e.to_string())?);
        if read != Some(lines) {
            return Err(format!(
                "read {read:?}, but the file has {lines} non-empty data lines"
            ));
        }
    }
    if let Some([read, accepted, rejected]) = case.customers_source {
        let got = &summary["customers_source"];
        let counts = [&got["read"], &got["accepted"], &got["rejected"]].map(|v| v.as_u64());
        if counts != [Some(read), Some(accepted), Some(rejected)] {
            return Err(format!(
                "customers_source = {got}, expected {read}/{accepted}/{rejected}"
            ));
        }
    }
    if skip {
        let text = std::fs::read_to_string(dir.join("rejects.csv"))
            .map_err(|e| format!("rejects.csv: {e}"))?;
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        if rows.len() != case.rejects.len() {
            return Err(format!(
                "{} rejects, expected {}:\n{text}",
                rows.len(),
                case.rejects.len()
            ));
        }
        for (row, expected) in rows.iter().zip(&case.rejects) {
            let line = expected[0].as_integer().unwrap_or(-1).to_string();
            let (field, reason) = (
                expected[1].as_str().unwrap_or(""),
                expected[2].as_str().unwrap_or(""),
            );
            let value = expected.get(3).and_then(|v| v.as_str());
            let ok = row[1] == line
                && row[2] == *field
                && row[4].contains(reason)
                && value.is_none_or(|v| row[3] == *v);
            if !ok {
                return Err(format!("reject {row:?}, expected {expected:?}"));
            }
        }
    }
    Ok(())
}

#[test]
fn every_case_of_the_bad_input_corpus_has_its_outcome() {
    let corpus: Corpus =
        toml::from_str(&std::fs::read_to_string(format!("{BAD}/cases.toml")).expect("cases.toml"))
            .expect("cases.toml parses");
    let mut failures = Vec::new();
    let mut listed: Vec<&str> = Vec::new();
    for (i, case) in corpus.case.iter().enumerate() {
        let dir = temp_dir(&format!("bad-{i}"));
        if let Err(why) = check(case, &dir) {
            failures.push(format!("{} ({}): {why}", case.file, case.why));
        }
        listed.push(&case.file);
        let _ = std::fs::remove_dir_all(dir);
    }
    // Every file of the corpus has an asserted outcome.
    for entry in std::fs::read_dir(BAD).expect("corpus") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".csv") && !listed.contains(&name.as_str()) {
            failures.push(format!("{name}: no case in cases.toml"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Reads `data` as a transactions file under skip; the counts and every reject.
fn skip_all(
    data: &[u8],
) -> (
    customer_tiering::source::ReadSummary,
    Vec<customer_tiering::Reject>,
) {
    let source =
        CsvTransactions::from_reader("t.csv", data, &ColumnMapping::default()).expect("header");
    let mut rejects = Vec::new();
    let ingested = ingest(
        source,
        PopulationBuilder::new(date(2026, 6, 30)),
        OnInvalid::Skip,
        |r| rejects.push(r.clone()),
    )
    .expect("read");
    (ingested.summary, rejects)
}

#[test]
fn a_stray_quote_on_line_3_of_100_003_lines_costs_one_line() {
    let mut data = b"customer_id,date,amount\nC0,2026-01-01,1.00\nC1,2026-01-01,\"1.00\n".to_vec();
    for i in 2..100_002 {
        data.extend_from_slice(format!("C{i},2026-01-01,1.00\n").as_bytes());
    }
    let (summary, rejects) = skip_all(&data);
    assert_eq!(
        (summary.read, summary.accepted, summary.rejected),
        (100_002, 100_001, 1)
    );
    assert_eq!(
        (line_of(&rejects[0]), rejects[0].reason()),
        (3, "multiline_field")
    );
    assert_eq!(summary.read, data_lines(&data));
}

#[test]
fn a_line_of_3_mib_is_rejected_unread_and_its_value_shown_cut() {
    let mut data = b"customer_id,date,amount\nC1,2026-01-01,1.00\nC2,2026-01-01,".to_vec();
    data.extend(std::iter::repeat_n(b'9', 3 << 20));
    data.extend_from_slice(b"\nC3,2026-01-01,3.00\n");
    let (summary, rejects) = skip_all(&data);
    assert_eq!(
        (summary.read, summary.accepted, summary.rejected),
        (3, 2, 1)
    );
    let r = &rejects[0];
    assert_eq!(
        (line_of(r), r.field(), r.reason()),
        (3, "record", "record_too_long")
    );
    let shown = format!("C2,2026-01-01,{}… (3145742 bytes)", "9".repeat(186));
    assert_eq!(r.value(), shown);

    // A field under the record limit but over 200 bytes is shown cut, with its length.
    let long = "7".repeat(5000);
    let data = format!("customer_id,date,amount\nC1,2026-01-01,{long}\n");
    let (_, rejects) = skip_all(data.as_bytes());
    assert_eq!(
        rejects[0].value(),
        format!("{}… (5000 bytes)", "7".repeat(200))
    );
    assert_eq!(
        rejects[0].reason(),
        "more than 28 significant digits; it cannot be held exactly"
    );
}

#[test]
fn a_customers_record_may_span_lines_but_not_the_rest_of_the_file() {
    let data = "customer_id,note\nC1,\"line one\nline two\"\nC2,x\n";
    let (table, summary) =
        read_customers("c.csv", data.as_bytes(), OnInvalid::Fail, |_| {}).expect("read");
    assert_eq!((table.len(), summary.read), (2, 2));
    assert_eq!(
        table.get("C1").unwrap().text("note"),
        Some("line one\nline two")
    );

    let open = "customer_id,note\nC1,x\nC2,\"never closed\nC3,y\n";
    let err = read_customers("c.csv", open.as_bytes(), OnInvalid::Skip, |_| {}).unwrap_err();
    assert!(matches!(&err, Error::Malformed { line: 3, .. }), "{err}");
}

#[test]
fn duplicate_columns_stop_every_reader() {
    let data = "customer_id,date,amount, date \nC1,2026-01-01,1.00,x\n";
    let err = CsvTransactions::from_reader("t.csv", data.as_bytes(), &ColumnMapping::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.csv: line 1: the header names the column \"date\" twice, as columns 2 and 4"
    );
    let err = read_customers(
        "c.csv",
        "customer_id,a,a\n".as_bytes(),
        OnInvalid::Skip,
        |_| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("as columns 2 and 3"), "{err}");
    let previous = "customer_id,monetary,metal,metal\nC1,1.00,gold,iron\n";
    let err = customer_tiering::migration::Period::from_tiers_csv("p.csv", previous.as_bytes())
        .unwrap_err();
    assert!(err.to_string().contains("\"metal\" twice"), "{err}");
    // Columns without a name may repeat: nothing refers to them.
    let unnamed = "customer_id,date,amount,,\nC1,2026-01-01,1.00,,\n";
    assert!(
        CsvTransactions::from_reader("t.csv", unnamed.as_bytes(), &ColumnMapping::default())
            .is_ok()
    );
}
