//! What an application plugs in from outside the crate: a source of its own that says
//! where a bad record is in its own terms (a table row, a record of a stream), and a
//! classifier of its own whose fit fails with a cause.

use std::error::Error as _;

use customer_tiering::attributes::Attributes;
use customer_tiering::classify::{Classifier, Column, ColumnLabels, Explanation, Label, Model};
use customer_tiering::error::Position;
use customer_tiering::output::{REJECT_COLUMNS, reject_row};
use customer_tiering::source::customers::{CustomerRecord, ingest_customers};
use customer_tiering::source::{OnInvalid, Source, ingest};
use customer_tiering::{
    CustomerId, Error, Location, Population, PopulationBuilder, Profile, Reject, Transaction, money,
};
use jiff::civil::date;

use crate::support::AS_OF;

const GRAMMAR: &str =
    "not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)";

/// The table `orders` of a database, as (rowid, customer, amount) rows.
struct Orders {
    rows: std::vec::IntoIter<(i64, &'static str, &'static str)>,
}

impl Source for Orders {
    type Record = Transaction;

    fn origin(&self) -> &str {
        "crm.sqlite"
    }

    fn next_record(&mut self) -> Option<Result<Transaction, Error>> {
        let (rowid, customer, amount) = self.rows.next()?;
        let reject = |field: &str, value: &str, reason: &dyn std::fmt::Display| -> Error {
            let at = Location::row(self.origin(), "orders", rowid);
            Reject::new(at, field, value, reason).into()
        };
        let record = CustomerId::new(customer)
            .map_err(|e| reject("customer_id", customer, &e))
            .and_then(|id| {
                let amount =
                    money::parse_amount(amount).map_err(|e| reject("amount", amount, &e))?;
                Ok(Transaction::new(id, date(2026, 3, 1), amount))
            });
        Some(record)
    }
}

fn orders(rows: Vec<(i64, &'static str, &'static str)>) -> Orders {
    Orders {
        rows: rows.into_iter(),
    }
}

#[test]
fn a_database_source_names_the_table_and_row_of_each_reject() {
    let rows = vec![(41, "C1", "9.90"), (42, "", "5.00"), (43, "C2", "lots")];
    let mut rejects = Vec::new();
    let builder = PopulationBuilder::new(AS_OF);
    let ingested = ingest(orders(rows.clone()), builder, OnInvalid::Skip, |r| {
        rejects.push(r.clone())
    })
    .unwrap();
    assert_eq!((ingested.summary.read, ingested.summary.rejected), (3, 2));
    assert_eq!(
        rejects[0].location().position(),
        &Position::Row {
            table: "orders".into(),
            key: "42".into()
        }
    );
    assert_eq!(
        rejects[1].to_string(),
        format!(r#"crm.sqlite: table orders, row 43, field "amount": "lots": {GRAMMAR}"#)
    );

    // Under `fail` the one line on stderr says the same.
    let builder = PopulationBuilder::new(AS_OF);
    let err = ingest(orders(rows), builder, OnInvalid::Fail, |_| {}).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"crm.sqlite: table orders, row 42, field "customer_id": "": empty customer id"#
    );

    // rejects.csv: a row's position goes whole into the `line` column, so that a bare
    // number there always means a line of a file.
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(REJECT_COLUMNS).unwrap();
    for reject in &rejects {
        out.write_record(reject_row(reject)).unwrap();
    }
    assert_eq!(
        String::from_utf8(out.into_inner().unwrap()).unwrap(),
        format!(
            "source,line,field,value,reason\n\
         crm.sqlite,\"table orders, row 42\",customer_id,,empty customer id\n\
         crm.sqlite,\"table orders, row 43\",amount,lots,\"{GRAMMAR}\"\n"
        )
    );
}

#[test]
fn rejects_csv_writes_a_line_as_its_number_and_a_record_as_its_words() {
    let rejects = [
        Reject::new(Location::line("orders.csv", 17), "amount", "12,50", "bad"),
        Reject::new(Location::record("queue", 9), "date", "2026-02-30", "bad"),
    ];
    let rows: Vec<[String; 5]> = rejects.iter().map(reject_row).collect();
    assert_eq!(rows[0], ["orders.csv", "17", "amount", "12,50", "bad"]);
    assert_eq!(rows[1], ["queue", "record 9", "date", "2026-02-30", "bad"]);
}

#[test]
fn customer_records_of_a_stream_are_numbered_and_a_duplicate_names_the_first() {
    let id = CustomerId::new("C1").unwrap();
    let records = (1..=2).map(|n| CustomerRecord {
        location: Location::record("crm-events", n),
        ..CustomerRecord::new(n, id.clone(), Attributes::default())
    });
    let mut rejects = Vec::new();
    let source = customer_tiering::source::MemorySource::new(records);
    ingest_customers(source, OnInvalid::Skip, |r| rejects.push(r.to_string())).unwrap();
    assert_eq!(
        rejects,
        [
            r#"crm-events: record 2, field "customer_id": "C1": duplicate customer id (first at record 1)"#
        ]
    );
}

/// An application's classifier that reads its threshold from a setting of its own.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct ChurnRisk {
    threshold: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct ChurnModel {
    params: ChurnRisk,
    threshold: u32,
    fit_size: usize,
}

impl Model for ChurnModel {
    type Params = ChurnRisk;

    fn params(&self) -> &ChurnRisk {
        &self.params
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        let days = profile.recency_days.unwrap_or(i64::MAX);
        let high = days > i64::from(self.threshold);
        out.push(Label::Name(if high { "high" } else { "low" }.into()));
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let mut label = Vec::new();
        self.classify_into(profile, &mut label);
        let why = format!("more than {} days since the last purchase", self.threshold);
        vec![Explanation::text("churn_risk", label.remove(0), why)]
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }
}

impl Classifier for ChurnRisk {
    type Model = ChurnModel;
    const KIND: &'static str = "churn_risk";

    fn columns(&self) -> Vec<Column> {
        let labels = vec!["low".into(), "high".into()];
        vec![Column::new("churn_risk", ColumnLabels::ordered(labels))]
    }

    fn fit(&self, population: &Population) -> Result<ChurnModel, Error> {
        let threshold = self.threshold.parse().map_err(|e| {
            Error::classifier_with_source(
                "churn_risk",
                format!("threshold {:?}", self.threshold),
                e,
            )
        })?;
        if population.is_empty() {
            return Err(Error::classifier("churn_risk", "no customer to fit on"));
        }
        Ok(ChurnModel {
            params: self.clone(),
            threshold,
            fit_size: population.len(),
        })
    }
}

fn one_buyer() -> Population {
    let mut builder = PopulationBuilder::new(AS_OF);
    let id = CustomerId::new("C1").unwrap();
    builder
        .add(Transaction::new(id, date(2026, 1, 1), 5.into()))
        .unwrap();
    builder.finish().unwrap()
}

#[test]
fn a_classifier_of_an_application_fails_by_its_kind_and_keeps_the_cause() {
    let population = one_buyer();
    let model = ChurnRisk {
        threshold: "60".into(),
    }
    .fit(&population)
    .unwrap();
    let mut labels = Vec::new();
    model.classify_into(&population.profiles()[0], &mut labels);
    assert_eq!(labels, [Label::Name("high".into())]);

    let err = ChurnRisk {
        threshold: "sixty".into(),
    }
    .fit(&population)
    .unwrap_err();
    assert!(matches!(&err, Error::Classifier { kind, .. } if kind == "churn_risk"));
    assert_eq!(
        err.to_string(),
        r#"classifier churn_risk: threshold "sixty": invalid digit found in string"#
    );
    let cause = err.source().expect("the cause is kept");
    assert!(cause.is::<std::num::ParseIntError>());

    // It travels as any error does: boxed, across threads, its chain walked.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    let cause = boxed.source().expect("the cause, through the box");
    assert_eq!(cause.to_string(), "invalid digit found in string");
    assert!(cause.source().is_none());
    let from_thread = std::thread::spawn(move || boxed.to_string())
        .join()
        .unwrap();
    assert!(from_thread.starts_with("classifier churn_risk: "));

    let nobody = Population::new(AS_OF, Vec::new()).unwrap();
    let err = ChurnRisk {
        threshold: "60".into(),
    }
    .fit(&nobody)
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "classifier churn_risk: no customer to fit on"
    );
    assert!(err.source().is_none());
}
