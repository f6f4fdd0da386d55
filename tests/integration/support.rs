//! Shared test data: a seeded generator of transactions, builders of populations, and
//! the proptest strategies of the property tests.
//!
//! Generated rows are kept in a small plain form ([`Row`]) so that a failing proptest
//! case shrinks to something readable; [`Row::transaction`] turns one into a
//! [`Transaction`] of customer [`id`]`(row.customer)`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output};

use crate::example_binary::example;

use customer_tiering::classify::Label;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::segments::SegmentMap;
use customer_tiering::error::Position;
use customer_tiering::{
    CustomerId, FittedPipeline, Pipeline, PipelineBuilder, Population, PopulationBuilder, Profile,
    Reject, Tiering, Transaction, money,
};
use jiff::Span;
use jiff::civil::{Date, date};
use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// The as-of date of every generated population.
pub(crate) const AS_OF: Date = date(2026, 3, 31);

/// The quickstart's transactions (`examples/gen_quickstart_data.rs` writes them).
pub(crate) const QUICKSTART: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/quickstart.csv");
/// The quickstart's customers, with their attributes.
pub(crate) const QUICKSTART_CUSTOMERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/quickstart_customers.csv"
);
/// The rule file of the examples: a grade-and-credit tier with a cap.
pub(crate) const CREDIT_CAP_RULES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/rules/credit-cap.toml"
);

/// The arguments of a `tier` run on the quickstart data with everything a report
/// shows — known customers, the credit-cap rule set, the four-dimension and lifecycle
/// presets — as of 2026-06-30, into `out`; a caller adds its own after them.
pub(crate) fn everything_on_the_quickstart(out: &str) -> Vec<&str> {
    vec![
        "--transactions",
        QUICKSTART,
        "--customers",
        QUICKSTART_CUSTOMERS,
        "--rules",
        CREDIT_CAP_RULES,
        "--preset",
        "four-dimension",
        "--preset",
        "lifecycle",
        "--as-of",
        "2026-06-30",
        "--out",
        out,
    ]
}

/// The line of a reject of a file (a test fails on any other position).
pub(crate) fn line_of(reject: &Reject) -> u64 {
    match reject.location().position() {
        Position::Line(line) => *line,
        other => panic!("{reject}: {other} is not a line"),
    }
}

/// The id of generated customer `i`: byte order differs from numeric order (`c10` <
/// `c2`) and from case-insensitive order (`C3` < `c1`), on purpose.
pub(crate) fn id(i: usize) -> CustomerId {
    let prefix = if i.is_multiple_of(3) { 'C' } else { 'c' };
    CustomerId::new(&format!("{prefix}{i}")).expect("a valid id")
}

/// `days` before [`AS_OF`] (negative: after it).
pub(crate) fn days_before(days: i64) -> Date {
    AS_OF
        .checked_sub(Span::new().days(days))
        .expect("date in range")
}

/// One generated purchase line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// Index of the customer, see [`id`].
    pub(crate) customer: usize,
    /// Days before [`AS_OF`]; negative rows are after it (accepted, left out of metrics).
    pub(crate) days_ago: i64,
    /// The amount in cents: two decimals, zero and negative included.
    pub(crate) cents: i64,
    /// Whether the amount is written without trailing zeros (`2.5` instead of `2.50`): the
    /// same value at another scale.
    pub(crate) short: bool,
    /// Profit in cents, when the row has one.
    pub(crate) profit: Option<i64>,
    /// Product code number, when the row has one.
    pub(crate) product: Option<u8>,
}

impl Row {
    /// The amount as a decimal (scale 2, or normalised when `short`).
    pub(crate) fn amount(&self) -> Decimal {
        let amount = Decimal::new(self.cents, 2);
        if self.short {
            amount.normalize()
        } else {
            amount
        }
    }

    /// The row as a transaction.
    pub(crate) fn transaction(&self) -> Transaction {
        let mut tx = Transaction::new(id(self.customer), days_before(self.days_ago), self.amount());
        if let Some(profit) = self.profit {
            tx = tx.with_profit(Decimal::new(profit, 2));
        }
        if let Some(product) = self.product {
            tx = tx.with_product(&format!("P{product}"));
        }
        tx
    }
}

/// A builder at [`AS_OF`] fed every row.
pub(crate) fn builder_of<'a>(rows: impl IntoIterator<Item = &'a Row>) -> PopulationBuilder {
    let mut builder = PopulationBuilder::new(AS_OF);
    for row in rows {
        builder.add(row.transaction()).expect("no overflow");
    }
    builder
}

/// The population of `rows` at [`AS_OF`].
pub(crate) fn population_of(rows: &[Row]) -> Population {
    builder_of(rows).finish().expect("no overflow")
}

/// A population where customer `i` made one purchase of `amounts[i]`, `recency[i]` days
/// before [`AS_OF`] (all 10 days when `recency` is empty).
pub(crate) fn one_purchase_each(amounts: &[Decimal], recency: &[i64]) -> Population {
    let mut builder = PopulationBuilder::new(AS_OF);
    for (i, amount) in amounts.iter().enumerate() {
        let days = recency.get(i).copied().unwrap_or(10);
        builder
            .add(Transaction::new(id(i), days_before(days), *amount))
            .expect("no overflow");
    }
    builder.finish().expect("no overflow")
}

/// A small deterministic generator (SplitMix64), for seeded data outside proptest.
#[derive(Debug, Clone)]
pub(crate) struct Seeded(u64);

impl Seeded {
    /// A generator from a seed.
    pub(crate) fn new(seed: u64) -> Self {
        Seeded(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub(crate) fn range(&mut self, low: i64, high: i64) -> i64 {
        let width = (high - low + 1) as u64;
        low + (self.next_u64() % width) as i64
    }
}

/// Seeded rows for `customers` customers (indices `first..first + customers`), one to
/// four lines each, amounts from −20.00 to 300.00 in cents (zero and refunds included),
/// dates up to two years back and a few after [`AS_OF`].
pub(crate) fn seeded_rows(seed: u64, first: usize, customers: usize) -> Vec<Row> {
    let mut rng = Seeded::new(seed);
    let mut rows = Vec::new();
    for customer in first..first + customers {
        for line in 0..rng.range(1, 4) {
            let days_ago = if line == 0 {
                rng.range(0, 730)
            } else {
                rng.range(-20, 730)
            };
            rows.push(Row {
                customer,
                days_ago,
                cents: rng.range(-2_000, 30_000),
                short: rng.range(0, 4) == 0,
                profit: (rng.range(0, 1) == 0).then(|| rng.range(-500, 5_000)),
                product: (rng.range(0, 2) > 0).then(|| rng.range(0, 9) as u8),
            });
        }
    }
    rows
}

/// Parts of one generated row, values from small ranges so that customers tie often.
fn row_parts() -> impl Strategy<Value = (i64, i64, bool, Option<i64>, Option<u8>)> {
    (
        -2i64..12,
        prop_oneof![1 => Just(0i64), 6 => -4i64..=20],
        prop::bool::weighted(0.2),
        prop::option::weighted(0.3, -2i64..=6),
        prop::option::weighted(0.5, 0u8..4),
    )
}

/// Rows of 1..=`max_customers` customers (every one a buyer), one to three lines each,
/// with few distinct dates (every 15 days, some after [`AS_OF`]) and amounts (−10.00 to
/// 50.00 in steps of 2.50, zero often, some written without trailing zeros): many ties
/// in recency, frequency and monetary.
pub(crate) fn tied_rows(max_customers: usize) -> impl Strategy<Value = Vec<Row>> {
    (1..=max_customers)
        .prop_flat_map(|n| vec(vec(row_parts(), 1..=3), n))
        .prop_map(|customers| {
            let mut rows = Vec::new();
            for (customer, lines) in customers.into_iter().enumerate() {
                for (line, (days, units, short, profit, product)) in lines.into_iter().enumerate() {
                    rows.push(Row {
                        customer,
                        // The first line is never after AS_OF: every customer buys.
                        days_ago: if line == 0 {
                            days.abs() * 15
                        } else {
                            days * 15
                        },
                        cents: units * 250,
                        short,
                        profit: profit.map(|p| p * 100),
                        product,
                    });
                }
            }
            rows
        })
}

/// Tie-heavy rows for up to 300 customers.
pub(crate) fn population_rows() -> impl Strategy<Value = Vec<Row>> {
    tied_rows(300)
}

/// `n` (1..=300) distinct amounts in cents, in random order, zero and negatives
/// possible, paired with `n` distinct recencies in days (in another random order).
pub(crate) fn distinct_values() -> impl Strategy<Value = (Vec<Decimal>, Vec<i64>)> {
    (1usize..=300)
        .prop_flat_map(|n| {
            let perm = || Just((0..n as i64).collect::<Vec<i64>>()).prop_shuffle();
            (perm(), perm(), 0..n as i64)
        })
        .prop_map(|(amounts, days, zero_at)| {
            let amounts = amounts
                .into_iter()
                .map(|v| Decimal::new((v - zero_at) * 1_237, 2))
                .collect();
            (amounts, days.into_iter().map(|d| d * 3).collect())
        })
}

/// The RFM settings for `bins` bins in `mode`: the default segment map when `bins` is 5,
/// none otherwise (the map is written for k = 5).
pub(crate) fn rfm(bins: u8, mode: QuantileMode) -> RfmParams {
    let map = (bins == 5).then(SegmentMap::default);
    RfmParams::default().bins(bins).mode(mode).segment_map(map)
}

/// RFM (`bins`, `mode`), metals and ABC in one pipeline.
pub(crate) fn full_pipeline(bins: u8, mode: QuantileMode) -> Pipeline {
    PipelineBuilder::new()
        .classifier(rfm(bins, mode))
        .classifier(ParetoParams::metals())
        .classifier(ParetoParams::abc())
        .build()
        .expect("valid settings")
}

/// The label of every customer in one column, in id order.
pub(crate) fn column(tiering: &Tiering, name: &str) -> Vec<Label> {
    let index = tiering
        .columns()
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {:?}", tiering.columns()));
    tiering
        .rows()
        .map(|(_, labels)| labels[index].clone())
        .collect()
}

/// The scores of one quantile column, in id order (panics on another label).
pub(crate) fn scores(tiering: &Tiering, name: &str) -> Vec<u8> {
    column(tiering, name)
        .into_iter()
        .map(|label| match label {
            Label::Score(s) => s,
            other => panic!("column {name}: {other:?} is not a score"),
        })
        .collect()
}

/// The label names of one column, in id order (`""` when unscored).
pub(crate) fn names(tiering: &Tiering, name: &str) -> Vec<String> {
    column(tiering, name)
        .iter()
        .map(|label| label.as_cell().into_owned())
        .collect()
}

/// Renders profiles and labels as a CSV-like text: every profile metric, exactly as
/// printed, then every label cell. Two runs agree on every output byte iff these agree.
pub(crate) fn render(population: &Population, tiering: &Tiering) -> String {
    fn opt<T: ToString>(value: Option<T>) -> String {
        value.map(|v| v.to_string()).unwrap_or_default()
    }
    let mut out = String::from(
        "customer_id,recency_days,frequency,transactions,monetary,profit,tenure_days,\
         distinct_products,monetary_current,monetary_previous,growth",
    );
    for column in tiering.columns() {
        write!(out, ",{column}").expect("write to String");
    }
    out.push('\n');
    assert_eq!(population.len(), tiering.len());
    for (profile, (id, labels)) in population.profiles().iter().zip(tiering.rows()) {
        assert_eq!(&profile.customer_id, id);
        let Profile {
            customer_id,
            recency_days,
            frequency,
            transactions,
            monetary,
            profit,
            tenure_days,
            distinct_products,
            monetary_current,
            monetary_previous,
            growth,
            attributes,
        } = profile;
        write!(
            out,
            "{customer_id},{},{frequency},{transactions},{},{},{},{},{},{},{}",
            opt(*recency_days),
            money::display(*monetary),
            opt(profit.map(money::display)),
            opt(*tenure_days),
            opt(*distinct_products),
            money::display(*monetary_current),
            money::display(*monetary_previous),
            opt(*growth),
        )
        .expect("write to String");
        if !attributes.is_empty() {
            write!(out, ",{}", serde_json::to_string(attributes).expect("JSON"))
                .expect("write to String");
        }
        for label in labels {
            write!(out, ",{}", label.as_cell()).expect("write to String");
        }
        out.push('\n');
    }
    out
}

/// A model saved as JSON and loaded back.
pub(crate) fn reload(fitted: &FittedPipeline) -> FittedPipeline {
    let json = fitted.to_json().expect("serialises");
    FittedPipeline::from_json("model.json", &json).expect("loads what it saved")
}

/// Runs the example `name` in the package directory, as a user runs it.
pub(crate) fn run(name: &str, args: &[&str]) -> Output {
    Command::new(example(name))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("example runs")
}

/// Fails the test with the program's stderr unless it succeeded.
pub(crate) fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("customer-tiering-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The non-empty physical lines of a file after its header (a `\r` before `\n` is part of
/// the line end): the records a transactions file holds ([bad
/// input](customer_tiering::definitions#bad-input-and-rejects)).
pub(crate) fn data_lines(bytes: &[u8]) -> u64 {
    let lines = bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty())
        .count();
    lines.saturating_sub(1) as u64
}
