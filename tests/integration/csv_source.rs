//! CSV transactions through `CsvTransactions` and `ingest`
//! ([inputs](customer_tiering::definitions#inputs), [bad
//! input](customer_tiering::definitions#bad-input-and-rejects)): every kind of bad record
//! under both policies, column mappings, timestamps, quoting, a BOM, and the errors that
//! stop a run under either policy.

use customer_tiering::source::{
    ColumnMapping, CsvTransactions, Ingested, OnInvalid, ReadSummary, ingest,
};
use customer_tiering::{ConfigError, Error, PopulationBuilder, Reject};
use jiff::civil::{Date, date};

use crate::support::line_of;

const AS_OF: Date = date(2026, 3, 31);

const GRAMMAR: &str =
    "not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)";

/// One bad record of each kind in [bad
/// input](customer_tiering::definitions#bad-input-and-rejects), with (line, field, value,
/// reason).
const BAD: [(&str, u64, &str, &str, &str); 14] = [
    (
        ",2026-01-05,1.00",
        3,
        "customer_id",
        "",
        "empty customer id",
    ),
    (
        "   ,2026-01-05,1.00",
        4,
        "customer_id",
        "   ",
        "empty customer id",
    ),
    (
        "C2,2026-13-01,1.00",
        5,
        "date",
        "2026-13-01",
        "no such calendar day",
    ),
    (
        "C3,05/01/2026,1.00",
        6,
        "date",
        "05/01/2026",
        "not a date of the form YYYY-MM-DD",
    ),
    ("C4,2026-01-05,\"1,000\"", 7, "amount", "1,000", GRAMMAR),
    ("C5,2026-01-05,1e3", 8, "amount", "1e3", GRAMMAR),
    ("C6,2026-01-05,$5", 9, "amount", "$5", GRAMMAR),
    ("C7,2026-01-05,+5", 10, "amount", "+5", GRAMMAR),
    ("C8,2026-01-05,.5", 11, "amount", ".5", GRAMMAR),
    ("C9,2026-01-05,5.", 12, "amount", "5.", GRAMMAR),
    ("C10,2026-01-05,", 13, "amount", "", "empty amount"),
    (
        "C11,2026-01-05",
        14,
        "record",
        "C11,2026-01-05",
        "expected 3 fields, found 2",
    ),
    (
        "C12,2026-01-05,1.00,x",
        15,
        "record",
        "C12,2026-01-05,1.00,x",
        "expected 3 fields, found 4",
    ),
    (
        "C13,2026-01-05Z,1.00",
        16,
        "date",
        "2026-01-05Z",
        "text after the date must start with 'T' or a space",
    ),
];

/// A file with a good row (line 2), every bad row of [`BAD`] (lines 3..=16), then good
/// rows: one after the as-of date, one with a timestamp and a negative zero, one with
/// whitespace around its fields.
fn bad_file() -> String {
    let mut data = String::from("customer_id,date,amount\nC1,2026-01-05,10.00\n");
    for (row, ..) in BAD {
        data.push_str(row);
        data.push('\n');
    }
    data.push_str("C14,2026-04-01,2.00\n");
    data.push_str("C1,2026-02-01T10:00:00+09:00,-0.00\n");
    data.push_str(" C15 , 2026-03-31 , 7.5 \n");
    data
}

fn source(data: &str) -> CsvTransactions<&[u8]> {
    CsvTransactions::from_reader("orders.csv", data.as_bytes(), &ColumnMapping::default())
        .expect("header has the columns")
}

fn run(data: &str, policy: OnInvalid) -> (Result<Ingested, Error>, Vec<Reject>) {
    let mut rejects = Vec::new();
    let result = ingest(source(data), PopulationBuilder::new(AS_OF), policy, |r| {
        rejects.push(r.clone())
    });
    (result, rejects)
}

fn expect_reject(result: Result<Ingested, Error>) -> Reject {
    match result {
        Err(Error::Reject(reject)) => *reject,
        Err(other) => panic!("expected a reject, got {other:?}"),
        Ok(ingested) => panic!("expected a reject, got {:?}", ingested.summary),
    }
}

#[test]
fn fail_stops_at_the_first_bad_record() {
    let (result, rejects) = run(&bad_file(), OnInvalid::Fail);
    let reject = expect_reject(result);
    assert!(rejects.is_empty(), "fail does not call the reject callback");
    assert_eq!(reject.location().source(), "orders.csv");
    assert_eq!(line_of(&reject), 3);
    assert_eq!(reject.field(), "customer_id");
    assert_eq!(reject.value(), "");
    assert_eq!(reject.reason(), "empty customer id");
    assert_eq!(
        Error::Reject(Box::new(reject)).to_string(),
        r#"orders.csv: line 3, field "customer_id": "": empty customer id"#
    );
}

#[test]
fn fail_names_each_kind_of_bad_record() {
    for (row, _, field, value, reason) in BAD {
        let data = format!("customer_id,date,amount\nC0,2026-01-05,1.00\n{row}\nC0,2026-01-06,1\n");
        let reject = expect_reject(run(&data, OnInvalid::Fail).0);
        assert_eq!(
            (
                line_of(&reject),
                reject.field(),
                reject.value(),
                reject.reason()
            ),
            (3, field, value, reason),
            "{row:?}"
        );
    }
}

#[test]
fn skip_counts_and_reports_every_reject_in_order() {
    let (result, rejects) = run(&bad_file(), OnInvalid::Skip);
    let ingested = result.expect("skip goes on");
    assert_eq!(
        ingested.summary,
        ReadSummary {
            read: 18,
            accepted: 4,
            rejected: 14,
            after_as_of: 1,
        }
    );
    let s = ingested.summary;
    assert_eq!(s.read, s.accepted + s.rejected);
    let got: Vec<(u64, &str, &str, &str)> = rejects
        .iter()
        .map(|r| {
            assert_eq!(r.location().source(), "orders.csv");
            (line_of(r), r.field(), r.value(), r.reason())
        })
        .collect();
    let want: Vec<(u64, &str, &str, &str)> = BAD
        .iter()
        .map(|&(_, line, field, value, reason)| (line, field, value, reason))
        .collect();
    assert_eq!(got, want);

    // C14 bought only after the as-of date: not a customer of this population.
    let population = &ingested.population;
    let ids: Vec<&str> = population
        .profiles()
        .iter()
        .map(|p| p.customer_id.as_str())
        .collect();
    assert_eq!(ids, ["C1", "C15"]);
    let c1 = population.get("C1").unwrap();
    assert_eq!((c1.frequency, c1.transactions), (2, 2));
    assert_eq!(c1.monetary.to_string(), "10.00");
    assert_eq!(c1.recency_days, Some(58)); // 2026-02-01 (the timestamp's own date)
    let c15 = population.get("C15").unwrap();
    assert_eq!(
        (c15.monetary.to_string(), c15.recency_days),
        ("7.5".into(), Some(0))
    );
}

#[test]
fn amounts_keep_their_scale_and_zero_counts() {
    let data = "customer_id,date,amount\n\
                a,2026-03-01,12.50\n\
                a,2026-03-02,1\n\
                b,2026-03-01,-0.00\n\
                c,2026-03-01,-5.25\n\
                c,2026-03-01,0005.250\n\
                d,2026-03-01,9999999999999999999999999999\n\
                e,2026-03-01,0.0000000000000000000000000001\n";
    let ingested = run(data, OnInvalid::Fail).0.unwrap();
    let monetary = |id: &str| ingested.population.get(id).unwrap().monetary.to_string();
    assert_eq!(monetary("a"), "13.50");
    assert_eq!(monetary("b"), "0.00");
    assert_eq!(monetary("c"), "0.000");
    assert_eq!(monetary("d"), "9999999999999999999999999999");
    assert_eq!(monetary("e"), "0.0000000000000000000000000001");
    // Zero and negative purchases still make buyers (see `definitions`, profile metrics).
    assert_eq!(ingested.population.buyers().count(), 5);
    assert_eq!(ingested.population.get("c").unwrap().frequency, 1);

    let too_long = "customer_id,date,amount\nf,2026-03-01,99999999999999999999999999999\n";
    let reject = expect_reject(run(too_long, OnInvalid::Fail).0);
    assert_eq!(
        (line_of(&reject), reject.field(), reject.value()),
        (2, "amount", "99999999999999999999999999999")
    );
}

/// [Inputs](customer_tiering::definitions#inputs): "sums keep the largest scale", zero
/// amounts included, and ([determinism](customer_tiering::definitions#determinism))
/// whatever the order of the rows.
#[test]
fn a_zero_amount_keeps_its_scale_in_sums() {
    let cases = [
        ("2026-03-01", ["0", "0.00"], "0.00"),
        ("2026-03-01", ["0.00", "0"], "0.00"),
        ("2026-03-01", ["0.00", "35"], "35.00"),
        ("2026-03-01", ["35", "0.00"], "35.00"),
        ("2026-03-02", ["0.00", "35"], "35.00"),
        ("2026-03-02", ["35", "0.00"], "35.00"),
    ];
    let mut wrong = Vec::new();
    for (second_date, [first, second], want) in cases {
        let data =
            format!("customer_id,date,amount\na,2026-03-01,{first}\na,{second_date},{second}\n");
        let ingested = run(&data, OnInvalid::Fail).0.unwrap();
        let got = ingested.population.get("a").unwrap().monetary.to_string();
        if got != want {
            wrong.push(format!(
                "{first} ({}) + {second} ({second_date}) = {got}, not {want}",
                "2026-03-01"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn column_mapping_reads_other_header_names() {
    let data = "InvoiceNo,StockCode,InvoiceDate,UnitPrice,CustomerID,Country,Amount\n\
                536365,85123A,2010-12-01 08:26:00,2.55,17850,United Kingdom,15.30\n\
                536366,22633,2010-12-01 08:28:00,1.85,17850,United Kingdom,11.10\n\
                536367,84879,2010-12-01 08:34:00,1.69,13047,United Kingdom,54.08\n\
                536368,22960,2010-12-01 08:34:00,4.25,13047,United Kingdom,1e3\n";
    let mapping =
        ColumnMapping::parse("customer_id=CustomerID,date=InvoiceDate,amount=Amount").unwrap();
    let source = CsvTransactions::from_reader("online_retail.csv", data.as_bytes(), &mapping)
        .expect("mapped columns exist");
    let mut rejects = Vec::new();
    let ingested = ingest(
        source,
        PopulationBuilder::new(date(2010, 12, 9)),
        OnInvalid::Skip,
        |r| rejects.push(r.clone()),
    )
    .unwrap();
    assert_eq!((ingested.summary.read, ingested.summary.rejected), (4, 1));
    let p = ingested.population.get("17850").unwrap();
    assert_eq!(p.monetary.to_string(), "26.40");
    assert_eq!(
        (p.frequency, p.transactions, p.recency_days),
        (1, 2, Some(8))
    );
    assert_eq!(rejects.len(), 1);
    assert_eq!(line_of(&rejects[0]), 5);
    assert_eq!(rejects[0].value(), "1e3");
    assert!(
        ["amount", "Amount"].contains(&rejects[0].field()),
        "{:?}",
        rejects[0].field()
    );
}

#[test]
fn timestamps_keep_their_own_calendar_date() {
    let data = "customer_id,date,amount\n\
                a,2011-12-09T23:30:00-05:00,1\n\
                a,2011-12-09 12:50:00,1\n\
                a,2011-12-09T00:30:00+14:00,1\n\
                a,2011-12-09,1\n\
                b,2011-12-10T00:00:00,1\n";
    let ingested = run(data, OnInvalid::Fail).0.unwrap();
    assert_eq!(ingested.summary.after_as_of, 0);
    let a = ingested.population.get("a").unwrap();
    assert_eq!((a.frequency, a.transactions), (1, 4));
    let as_of = ingested.population.as_of();
    assert_eq!(as_of, AS_OF);

    let mut builder_rejects = Vec::new();
    let at_date = ingest(
        source(data),
        PopulationBuilder::new(date(2011, 12, 9)),
        OnInvalid::Skip,
        |r| builder_rejects.push(r.clone()),
    )
    .unwrap();
    assert!(builder_rejects.is_empty());
    // b's timestamp is on the 10th whatever its time: after an as-of of the 9th.
    assert_eq!(at_date.summary.after_as_of, 1);
    assert_eq!(at_date.population.get("a").unwrap().recency_days, Some(0));
    assert!(at_date.population.get("b").is_none());
}

#[test]
fn quoted_fields_commas_and_a_line_break_in_a_quote() {
    let data = "customer_id,date,amount,product\n\
                \"Smith, Jane\",2026-01-05,\"12.50\",\"A,B\"\n\
                \"two\nlines\",2026-01-05,1.00,P\n\
                C3,2026-01-05,1e3,P\n\
                \"Smith, Jane\",2026-01-06,0.50,\"A,B\"\n";
    let (result, rejects) = run(data, OnInvalid::Skip);
    let ingested = result.unwrap();
    // Transactions are one line each (see `definitions`, bad input): the quote that runs
    // past line 3 costs line 3 alone, and every non-empty physical line is one record.
    let s = ingested.summary;
    assert_eq!((s.read, s.accepted, s.rejected), (5, 3, 2));
    let jane = ingested.population.get("Smith, Jane").unwrap();
    assert_eq!(jane.monetary.to_string(), "13.00");
    assert_eq!(jane.distinct_products, Some(1));
    assert!(ingested.population.get("two\nlines").is_none());
    // Line 4 is read as a record of its own (its id ends in the stray quote).
    assert!(ingested.population.get("lines\"").is_some());
    let lines: Vec<(u64, &str, &str)> = rejects
        .iter()
        .map(|r| (line_of(r), r.field(), r.reason()))
        .collect();
    assert_eq!(lines[0], (3, "record", "multiline_field"));
    assert_eq!(rejects[0].value(), "\"two");
    assert_eq!(lines[1].0, 5);

    let record = "customer_id,date,amount\n\"a,b\",2026-01-05\n";
    let reject = expect_reject(run(record, OnInvalid::Fail).0);
    assert_eq!((line_of(&reject), reject.field()), (2, "record"));
    assert_eq!(reject.reason(), "expected 3 fields, found 2");
}

#[test]
fn a_utf8_bom_and_crlf_line_ends_are_read() {
    let data = "\u{feff}customer_id,date,amount\r\nC1,2026-03-01,1.00\r\nC2,2026-03-02,2\r\n";
    let ingested = run(data, OnInvalid::Fail).0.unwrap();
    assert_eq!(ingested.summary.accepted, 2);
    assert_eq!(
        ingested.population.get("C2").unwrap().monetary.to_string(),
        "2"
    );

    let mapped = "\u{feff}CustomerID,Day,Total\nC1,2026-03-01,1.00\n";
    let mapping = ColumnMapping::parse("customer_id=CustomerID,date=Day,amount=Total").unwrap();
    let source = CsvTransactions::from_reader("bom.csv", mapped.as_bytes(), &mapping).unwrap();
    let ingested = ingest(
        source,
        PopulationBuilder::new(AS_OF),
        OnInvalid::Fail,
        |_| {},
    )
    .unwrap();
    assert_eq!(ingested.population.len(), 1);
}

#[test]
fn raw_bytes_that_are_not_utf8_are_rejected_with_a_lossy_value() {
    let data = b"customer_id,date,amount\n\xff\xfe,2026-03-01,1\nC1,2026-03-01,\xff5\n";
    let source =
        CsvTransactions::from_reader("bytes.csv", &data[..], &ColumnMapping::default()).unwrap();
    let mut rejects = Vec::new();
    let ingested = ingest(
        source,
        PopulationBuilder::new(AS_OF),
        OnInvalid::Skip,
        |r| rejects.push(r.clone()),
    )
    .unwrap();
    assert_eq!((ingested.summary.read, ingested.summary.rejected), (2, 2));
    assert_eq!(
        (line_of(&rejects[0]), rejects[0].field()),
        (2, "customer_id")
    );
    assert_eq!((line_of(&rejects[1]), rejects[1].field()), (3, "amount"));
    assert_eq!(rejects[1].value(), "\u{fffd}5");
}

#[test]
fn an_overlong_id_is_rejected() {
    let long = "x".repeat(129);
    let ok = "y".repeat(128);
    let data = format!("customer_id,date,amount\n{ok},2026-03-01,1\n{long},2026-03-01,1\n");
    let (result, rejects) = run(&data, OnInvalid::Skip);
    assert_eq!(result.unwrap().population.len(), 1);
    assert_eq!(rejects.len(), 1);
    assert_eq!(
        (line_of(&rejects[0]), rejects[0].field(), rejects[0].value()),
        (3, "customer_id", long.as_str())
    );
}

#[test]
fn a_bad_profit_is_rejected_and_an_empty_one_is_none() {
    let data = "customer_id,date,amount,profit\n\
                a,2026-03-01,10,2.50\n\
                a,2026-03-02,10,\n\
                b,2026-03-01,10,1e2\n";
    let (result, rejects) = run(data, OnInvalid::Skip);
    let ingested = result.unwrap();
    assert_eq!(
        ingested
            .population
            .get("a")
            .unwrap()
            .profit
            .map(|p| p.to_string()),
        Some("2.50".to_string())
    );
    assert_eq!(rejects.len(), 1);
    assert_eq!(
        (line_of(&rejects[0]), rejects[0].field(), rejects[0].value()),
        (4, "profit", "1e2")
    );
}

#[test]
fn a_file_that_does_not_exist_is_an_io_error() {
    let path = std::env::temp_dir().join(format!(
        "customer-tiering-no-such-file-{}.csv",
        std::process::id()
    ));
    match CsvTransactions::from_path(&path, &ColumnMapping::default()) {
        Err(Error::Io { path: got, source }) => {
            assert_eq!(got, path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
}

#[test]
fn a_missing_column_stops_the_run() {
    let check = |header: &str, mapping: &ColumnMapping, column: &str| {
        let data = format!("{header}\nC1,2026-03-01,1\n");
        match CsvTransactions::from_reader("t.csv", data.as_bytes(), mapping) {
            Err(Error::MissingColumn {
                source_name,
                column: got,
                header: got_header,
                ..
            }) => {
                assert_eq!(source_name, "t.csv");
                assert_eq!(got, column, "{header}");
                assert_eq!(got_header, header);
            }
            other => panic!("{header}: expected MissingColumn, got {other:?}"),
        }
    };
    let default = ColumnMapping::default();
    check("id,date,amount", &default, "customer_id");
    check("customer_id,day,amount", &default, "date");
    check("customer_id,date,total", &default, "amount");
    let mapped = ColumnMapping::parse("customer_id=CustomerID").unwrap();
    check("customer_id,date,amount", &mapped, "CustomerID");
    let profit = ColumnMapping::parse("profit=margin").unwrap();
    check("customer_id,date,amount", &profit, "margin");
}

#[test]
fn a_mapping_naming_an_unknown_field_is_a_config_error() {
    for spec in ["price=Amount", "amount=A,amount=B", "customer_id", "date="] {
        assert!(
            matches!(ColumnMapping::parse(spec), Err(ConfigError::Columns { .. })),
            "{spec:?}"
        );
    }
}

#[test]
fn a_header_only_file_reads_nothing() {
    let ingested = run("customer_id,date,amount\n", OnInvalid::Fail).0.unwrap();
    assert_eq!(ingested.summary, ReadSummary::default());
    assert!(ingested.population.is_empty());
}
