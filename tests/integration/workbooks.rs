//! Workbooks as a source ([input formats](customer_tiering::definitions#input-formats)):
//! each workbook fixture of `tests/data/dialects/` (written by `make_workbooks.py` from
//! `plain.csv`) gives the profiles of `plain.csv`, equal as decimals (a number cell drops
//! trailing zeros, so scales may differ); rejects name the sheet and the cell; a sheet that
//! is not there is named with those that are.

use std::path::{Path, PathBuf};

use customer_tiering::error::Position;
use customer_tiering::format::{InputFormat, Sheet};
use customer_tiering::source::customers::{CsvCustomers, ingest_customers};
use customer_tiering::source::workbook::{WorkbookCustomers, WorkbookTransactions};
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, Source, ingest};
use customer_tiering::{ConfigError, Error, Population, PopulationBuilder, Transaction};
use jiff::civil::{Date, date};

const AS_OF: Date = date(2025, 12, 31);

fn dialect(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/dialects")
        .join(name)
}

fn population(source: impl Source<Record = Transaction>) -> Population {
    let ingested = ingest(
        source,
        PopulationBuilder::new(AS_OF),
        OnInvalid::Fail,
        |_| {},
    )
    .expect("every row reads");
    assert_eq!(ingested.summary.read, 20);
    assert_eq!(ingested.summary.accepted, 20);
    ingested.population
}

fn plain() -> Population {
    let source = CsvTransactions::from_path(dialect("plain.csv"), &ColumnMapping::default())
        .expect("plain.csv opens");
    population(source)
}

fn workbook(name: &str) -> Population {
    let source = WorkbookTransactions::from_path(
        dialect(name),
        &ColumnMapping::default(),
        &InputFormat::default(),
    )
    .expect("the workbook opens");
    assert_eq!(source.sheet(), "Orders");
    population(source)
}

#[test]
fn every_workbook_gives_the_profiles_of_the_plain_csv() {
    let expected = plain();
    assert_eq!(expected.len(), 6);
    for name in [
        "orders.xlsx",
        "orders_1904.xlsx",
        "orders.ods",
        "orders.xls",
    ] {
        let got = workbook(name);
        let ids = |p: &Population| {
            p.profiles()
                .iter()
                .map(|p| p.customer_id.as_str().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&got), ids(&expected), "{name}");
        for (g, e) in got.profiles().iter().zip(expected.profiles()) {
            let who = format!("{name}, customer {}", e.customer_id.as_str());
            assert_eq!(g.frequency, e.frequency, "{who}");
            assert_eq!(g.transactions, e.transactions, "{who}");
            assert_eq!(g.recency_days, e.recency_days, "{who}");
            assert_eq!(g.tenure_days, e.tenure_days, "{who}");
            assert_eq!(g.distinct_products, e.distinct_products, "{who}");
            // Equal as decimals; the scale is the cells' (see `definitions`, input
            // formats).
            assert_eq!(g.monetary, e.monetary, "{who}");
            assert_eq!(g.monetary_current, e.monetary_current, "{who}");
            assert_eq!(g.monetary_previous, e.monetary_previous, "{who}");
        }
        // 17850 bought 100.00, -5.25, 45.9 and 20.00: the number cells carry no
        // trailing zeros, so the sum prints as the cells have it.
        let number_cells = got.get("17850").expect("a number id reads as its digits");
        assert_eq!(number_cells.monetary.to_string(), "160.65", "{name}");
        assert_eq!(
            expected.get("17850").unwrap().monetary.to_string(),
            "160.65"
        );
        let c_anna = got.get("C-ANNA").unwrap(); // 0.1 + 0.2 reads as 0.3
        assert_eq!(c_anna.monetary.to_string(), "277.79", "{name}");
        let first = got.get("00001").expect("a text id keeps its zeros");
        assert_eq!(first.monetary.to_string(), "1913.90", "{name}"); // a text cell "12.50"
    }
}

#[test]
fn the_1904_date_system_is_honoured() {
    // The same dates, stored as serials 1462 days apart: read by each workbook's system.
    let day_1900 = workbook("orders.xlsx");
    let day_1904 = workbook("orders_1904.xlsx");
    for (a, b) in day_1900.profiles().iter().zip(day_1904.profiles()) {
        assert_eq!(
            (a.recency_days, a.tenure_days),
            (b.recency_days, b.tenure_days)
        );
    }
    let source = WorkbookTransactions::from_path(
        dialect("orders_1904.xlsx"),
        &ColumnMapping::default(),
        &InputFormat::default(),
    )
    .unwrap();
    let dates: Vec<Date> = std::iter::from_fn({
        let mut source = source;
        move || source.next_record()
    })
    .map(|r| r.unwrap().date)
    .collect();
    assert_eq!(dates[0], date(2024, 1, 15));
    assert_eq!(dates[6], date(2025, 6, 1)); // a date-time: the time is ignored
    assert_eq!(dates[19], date(2025, 7, 7));
}

#[test]
fn rejects_name_the_sheet_and_the_cell() {
    let path = dialect("rejects.xlsx");
    let source =
        WorkbookTransactions::from_path(&path, &ColumnMapping::default(), &InputFormat::default())
            .unwrap();
    let mut rejects = Vec::new();
    let ingested = ingest(
        source,
        PopulationBuilder::new(AS_OF),
        OnInvalid::Skip,
        |r| rejects.push(r.clone()),
    )
    .unwrap();
    let s = ingested.summary;
    // Rows 2..=17, the empty row 12 not counted.
    assert_eq!((s.read, s.accepted, s.rejected), (15, 10, 5));
    assert_eq!(s.read, s.accepted + s.rejected);
    let shown: Vec<(String, &str, &str)> = rejects
        .iter()
        .map(|r| {
            let Position::Cell { sheet, cell } = r.location().position() else {
                panic!("a workbook reject names a cell: {r}");
            };
            (format!("{sheet}!{cell}"), r.field(), r.value())
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("Orders!B5".to_string(), "date", "45000"),
            ("Orders!C8".to_string(), "amount", "TRUE"),
            ("Orders!C10".to_string(), "amount", "#DIV/0!"),
            ("Orders!A14".to_string(), "customer_id", ""),
            ("Orders!C17".to_string(), "amount", "abc"),
        ]
    );
    let path = path.display().to_string();
    assert_eq!(
        rejects[4].to_string(),
        format!(
            r#"{path}: Orders!C17, field "amount": "abc": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)"#
        )
    );
    assert_eq!(
        customer_tiering::output::reject_row(&rejects[4])[..3],
        [path.clone(), "Orders!C17".into(), "amount".into()]
    );
    // Under `fail` the first one stops the run, named the same way.
    let source = WorkbookTransactions::from_path(
        dialect("rejects.xlsx"),
        &ColumnMapping::default(),
        &InputFormat::default(),
    )
    .unwrap();
    let err = ingest(
        source,
        PopulationBuilder::new(AS_OF),
        OnInvalid::Fail,
        |_| {},
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            r#"{path}: Orders!B5, field "date": "45000": a number cell, not a date"#
        )),
        "{err}"
    );
}

#[test]
fn an_unknown_sheet_is_named_with_the_sheets_there_are() {
    for (sheet, file) in [
        (Sheet::Name("Sales".into()), "orders.xlsx"),
        (Sheet::Position(3), "orders.ods"),
        (Sheet::Name("orders".into()), "orders.xls"),
    ] {
        let format = InputFormat {
            sheet: Some(sheet.clone()),
            ..InputFormat::default()
        };
        let path = dialect(file);
        let err =
            WorkbookTransactions::from_path(&path, &ColumnMapping::default(), &format).unwrap_err();
        let Error::Config(ConfigError::InputFormat { key, value, .. }) = &err else {
            panic!("expected a configuration error, got {err}");
        };
        assert_eq!(
            (key.as_str(), value.as_str()),
            ("sheet", sheet.to_string().as_str())
        );
        assert_eq!(
            err.to_string(),
            format!(
                r#"input format: sheet "{sheet}": no such sheet: {} has 2 sheets: "Orders", "Customers""#,
                path.display()
            )
        );
    }
}

#[test]
fn a_file_that_is_no_workbook_is_an_unreadable_file() {
    let err = WorkbookTransactions::from_path(
        dialect("plain.csv"),
        &ColumnMapping::default(),
        &InputFormat::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    let err = WorkbookTransactions::from_path(
        dialect("no_such.xlsx"),
        &ColumnMapping::default(),
        &InputFormat::default(),
    )
    .unwrap_err();
    let Error::Io { source, .. } = &err else {
        panic!("expected an I/O error, got {err}");
    };
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn customers_from_a_sheet_match_the_same_customers_in_csv() {
    let csv = "customer_id,region,employees,status\n00001,north,12,Prospect\n17850,south,250,target\nC-ANNA,east,,\n";
    let (expected, _) = ingest_customers(
        CsvCustomers::from_reader("customers.csv", csv.as_bytes()).unwrap(),
        OnInvalid::Fail,
        |_| {},
    )
    .unwrap();
    let format = InputFormat {
        sheet: Some(Sheet::Name("Customers".into())),
        ..InputFormat::default()
    };
    for name in [
        "orders.xlsx",
        "orders_1904.xlsx",
        "orders.ods",
        "orders.xls",
    ] {
        let source = WorkbookCustomers::from_path(dialect(name), &format).unwrap();
        let (table, summary) = ingest_customers(source, OnInvalid::Fail, |_| {}).unwrap();
        assert_eq!((summary.read, summary.accepted), (3, 3), "{name}");
        assert_eq!(table, expected, "{name}");
    }
}

/// A stray value in the last cell of a sheet (`XFD1048576`) makes the rectangle around
/// its values 17 billion cells: the sheet is read by the cells it holds, so this costs
/// nothing, and the stray row is a counted reject like any other.
#[test]
fn a_stray_cell_far_away_costs_one_reject_not_the_memory_of_the_rectangle() {
    let source = WorkbookTransactions::from_path(
        dialect("stray_cell.xlsx"),
        &ColumnMapping::default(),
        &InputFormat::default(),
    )
    .expect("a header");
    let mut rejects = Vec::new();
    let ingested = ingest(
        source,
        PopulationBuilder::new(AS_OF),
        OnInvalid::Skip,
        |r| {
            rejects.push(r.to_string());
        },
    )
    .expect("read under skip");
    assert_eq!(
        (
            ingested.summary.read,
            ingested.summary.accepted,
            ingested.summary.rejected
        ),
        (2, 1, 1)
    );
    assert_eq!(rejects.len(), 1);
    assert!(
        rejects[0].ends_with(
            r#"stray_cell.xlsx: Orders!A1048576, field "customer_id": "": empty customer id"#
        ),
        "{}",
        rejects[0]
    );
}
