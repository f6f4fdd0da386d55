//! [Input formats](customer_tiering::definitions#input-formats): exports in the formats
//! people have — a German CRM (Windows-1252, `;`, `31.12.2024`, `1.890,50 €`), a French one
//! (spaces between thousands), US Excel text (quoted `"$1,890.00"`), Chinese CRMs in GBK
//! and Big5, Excel's UTF-16 text — each read with its input profile gives the profiles, and
//! `tier` the bytes, of the plain UTF-8 CSV of the same orders. Read with a format that was
//! not declared, they are refused with a hint, never read another way.

use std::path::{Path, PathBuf};

use customer_tiering::aggregate::Aggregator;
use customer_tiering::format::{InputFormat, InputProfile};
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest_csv};
use customer_tiering::{Error, Population};
use jiff::civil::date;

use crate::support::{assert_ok, run, temp_dir};

/// Every text fixture and the plain file of its orders.
const DIALECTS: [(&str, &str); 6] = [
    ("german", "plain.csv"),
    ("french", "plain.csv"),
    ("us_excel", "plain.csv"),
    ("utf16", "plain.csv"),
    ("gbk", "plain_zh.csv"),
    ("big5", "plain_zh.csv"),
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/dialects")
        .join(name)
}

/// The profiles of a file read with a format, by the parallel reader.
fn profiles(path: &Path, mapping: &ColumnMapping, format: &InputFormat) -> Population {
    let source = CsvTransactions::open(path, mapping, format).expect("a readable header");
    let mut aggregator = Aggregator::new(date(2025, 12, 31));
    let read = ingest_csv(source, &mut aggregator, OnInvalid::Fail, |_| {}).expect("no reject");
    assert_eq!(read.read, 20, "{}", path.display());
    aggregator.finish().expect("profiles")
}

#[test]
fn every_dialect_gives_the_profiles_of_its_plain_file() {
    for (name, plain) in DIALECTS {
        let profile = InputProfile::load(fixture(&format!("{name}.toml"))).expect("a profile");
        let (format, _) = profile.formats().expect("a format");
        let got = profiles(&fixture(&format!("{name}.csv")), profile.columns(), &format);
        let want = profiles(
            &fixture(plain),
            &ColumnMapping::default(),
            &InputFormat::default(),
        );
        assert_eq!(got.profiles(), want.profiles(), "{name}");
        // Equal decimals may differ in scale: the written forms must agree too.
        let written = |p: &Population| -> Vec<String> {
            p.profiles()
                .iter()
                .map(|p| p.monetary.to_string())
                .collect()
        };
        assert_eq!(written(&got), written(&want), "{name}");
    }
}

#[test]
fn tier_writes_the_bytes_of_the_plain_file_for_every_dialect() {
    let dir = temp_dir("dialects");
    let tiers = |data: &Path, profile: Option<&Path>, out: &str| -> Vec<u8> {
        let out = dir.join(out);
        let mut args = vec![
            "--transactions".to_string(),
            data.display().to_string(),
            "--as-of".into(),
            "2025-12-31".into(),
            "--out".into(),
            out.display().to_string(),
            "--quiet".into(),
        ];
        if let Some(profile) = profile {
            args.extend(["--input-profile".into(), profile.display().to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_ok(&run("tier", &args));
        std::fs::read(out.join("tiers.csv")).expect("tiers.csv")
    };
    for (name, plain) in DIALECTS {
        let want = tiers(&fixture(plain), None, &format!("{name}-plain"));
        let profile = fixture(&format!("{name}.toml"));
        let got = tiers(&fixture(&format!("{name}.csv")), Some(&profile), name);
        assert!(got == want, "{name}: tiers.csv differs from {plain}'s");
    }
    // Workbooks: the same labels and values; here the same bytes too, since every
    // amount of plain.csv is written as a number cell shows it or as text.
    #[cfg(feature = "workbooks")]
    {
        let want = tiers(&fixture("plain.csv"), None, "workbook-plain");
        let profile = dir.join("orders.toml");
        std::fs::write(&profile, "sheet = \"Orders\"\n").expect("a profile");
        for book in [
            "orders.xlsx",
            "orders_1904.xlsx",
            "orders.xls",
            "orders.ods",
        ] {
            let got = tiers(&fixture(book), Some(&profile), book);
            assert!(got == want, "{book}: tiers.csv differs from plain.csv's");
        }
    }
}

#[test]
fn flags_declare_the_same_format_as_a_profile() {
    let dir = temp_dir("dialect-flags");
    let out = dir.join("german");
    let german = fixture("german.csv");
    let args = [
        "--transactions",
        german.to_str().expect("UTF-8"),
        "--as-of",
        "2025-12-31",
        "--out",
        out.to_str().expect("UTF-8"),
        "--quiet",
        "--delimiter",
        ";",
        "--decimal-separator",
        ",",
        "--thousands-separator",
        ".",
        "--date-format",
        "%d.%m.%Y",
        "--encoding",
        "windows-1252",
        "--currency-symbol",
        "€",
        "--columns",
        "customer_id=Kunde,date=Datum,amount=Betrag,product=Produkt",
    ];
    assert_ok(&run("tier", &args));
    let plain = dir.join("plain");
    let plain_csv = fixture("plain.csv");
    let args = [
        "--transactions",
        plain_csv.to_str().expect("UTF-8"),
        "--as-of",
        "2025-12-31",
        "--out",
        plain.to_str().expect("UTF-8"),
        "--quiet",
    ];
    assert_ok(&run("tier", &args));
    let read = |d: &Path| std::fs::read(d.join("tiers.csv")).expect("tiers.csv");
    assert!(read(&out) == read(&plain));
}

#[test]
fn an_undeclared_format_is_refused_with_hints_not_guessed() {
    let err = CsvTransactions::open(
        fixture("german.csv"),
        &ColumnMapping::default(),
        &InputFormat::default(),
    )
    .unwrap_err();
    let Error::MissingColumn { hints, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(
        hints.as_ref(),
        [
            r#"the header has 3 ";" and no ",": is the delimiter ";"?"#,
            r#"dates look like "15.01.2024": set the date format (%d.%m.%Y)"#,
            r#"amounts look like "12,50": set the decimal separator "," (and the thousands separator, if any)"#,
        ]
    );
    let err = CsvTransactions::open(
        fixture("gbk.csv"),
        &ColumnMapping::default(),
        &InputFormat::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("the header is not valid utf-8"),
        "{err}"
    );
}

#[test]
fn a_half_declared_format_rejects_what_it_cannot_read_and_says_how_it_read() {
    // The delimiter and columns declared, the decimal comma not: every amount is
    // refused, none is read as something else.
    let mut profile = InputProfile::load(fixture("german.toml")).expect("a profile");
    profile.set("decimal_separator", ".").expect("a key");
    profile.set("thousands_separator", "none").expect("a key");
    let (format, _) = profile.formats().expect("a format");
    let source =
        CsvTransactions::open(fixture("german.csv"), profile.columns(), &format).expect("a header");
    let mut aggregator = Aggregator::new(date(2025, 12, 31));
    let mut rejects = Vec::new();
    let read = ingest_csv(source, &mut aggregator, OnInvalid::Skip, |r| {
        rejects.push(r.to_string());
    })
    .expect("read under skip");
    // Only amounts without a comma and below a thousand read alike in both formats.
    assert_eq!(read.read, read.accepted + read.rejected);
    assert!(read.rejected > 0);
    assert!(
        rejects[0].ends_with(
            "not an amount in the declared format (decimal separator \".\", no thousands separator, currency symbol \"€\")"
        ),
        "{}",
        rejects[0]
    );
}

#[test]
fn bytes_invalid_in_the_encoding_reject_their_line() {
    // A GBK export with one broken character: that line alone is rejected.
    let mut bytes = std::fs::read(fixture("gbk.csv")).expect("fixture");
    let second_line = bytes.iter().position(|&b| b == b'\n').expect("a header") + 1;
    bytes[second_line] = 0x81; // a lead byte followed by an ASCII digit is malformed
    bytes[second_line + 1] = b',';
    let profile = InputProfile::load(fixture("gbk.toml")).expect("a profile");
    let (format, _) = profile.formats().expect("a format");
    let source = CsvTransactions::with_format("gbk.csv", &bytes[..], profile.columns(), &format)
        .expect("a header");
    let mut aggregator = Aggregator::new(date(2025, 12, 31));
    let mut rejects = Vec::new();
    let read = ingest_csv(source, &mut aggregator, OnInvalid::Skip, |r| {
        rejects.push((r.location().to_string(), r.reason().to_string()));
    })
    .expect("read under skip");
    assert_eq!((read.read, read.accepted, read.rejected), (20, 19, 1));
    assert_eq!(
        rejects,
        [("gbk.csv: line 2".to_string(), "encoding".to_string())]
    );
}
