//! [Bad input](customer_tiering::definitions#bad-input-and-rejects): an overflow error
//! names the customer whose figure overflowed or, for a total over customers, the figure
//! and column — never a made-up customer id. Each case spreads amounts near the top of the
//! decimal range (about 7.9·10²⁸) over a few customers, so that every customer's own
//! figures fit and only a total does not.

use customer_tiering::classify::Classifier;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::error::Subject;
use customer_tiering::migration::{Period, migrate};
use customer_tiering::report::Summary;
use customer_tiering::{
    CustomerId, Error, PipelineBuilder, Population, PopulationBuilder, Transaction,
};
use rust_decimal::Decimal;

use crate::support::AS_OF;

/// `x · 10^27`.
fn e27(x: i64) -> Decimal {
    Decimal::from(x) * Decimal::from(1_000_000_000_000_000_000_000_000_000i128)
}

/// Customers `W1`, `W2` … who bought once each, `amounts[i]`.
fn whales(amounts: &[Decimal]) -> Population {
    buyers("W", amounts)
}

/// Customers `{prefix}1`, `{prefix}2` … who bought once each, `amounts[i]`.
fn buyers(prefix: &str, amounts: &[Decimal]) -> Population {
    let mut b = PopulationBuilder::new(AS_OF);
    for (i, amount) in amounts.iter().enumerate() {
        let id = CustomerId::new(&format!("{prefix}{}", i + 1)).expect("an id");
        b.add(Transaction::new(id, AS_OF, *amount))
            .expect("each customer's own sum fits");
    }
    b.finish().expect("each customer's own sum fits")
}

fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Ok(value) => panic!("expected an overflow, got {value:?}"),
        Err(err) => {
            assert!(matches!(err, Error::Overflow { .. }), "{err:?}");
            err.to_string()
        }
    }
}

#[test]
fn a_customers_own_figure_still_names_the_customer() {
    let mut b = PopulationBuilder::new(AS_OF);
    let c1 = CustomerId::new("C1").expect("an id");
    b.add(Transaction::new(c1.clone(), AS_OF, Decimal::MAX))
        .expect("fits");
    let err = b
        .add(Transaction::new(c1, AS_OF, Decimal::ONE))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"monetary of customer "C1" overflows the decimal range"#
    );
    let Error::Overflow { metric, subject } = err else {
        panic!("an overflow");
    };
    assert_eq!(
        (metric, *subject),
        ("monetary", Subject::Customer("C1".into()))
    );
}

#[test]
fn summary_totals_name_the_column_and_the_label() {
    let metals = PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .build()
        .expect("valid settings");
    // W1 platinum (30·10^27), W2 and W3 lead (57·10^27): each label fits, the column not.
    let population = whales(&[e27(30), e27(29), e27(28)]);
    let (_, tiering) = metals.run(&population).expect("fits");
    assert_eq!(
        message(Summary::new(&population, &tiering)),
        "revenue_total of metal overflows the decimal range"
    );
    // Three lead customers whose revenue alone passes the range.
    let population = whales(&[e27(30), e27(29), e27(28), e27(27)]);
    let (_, tiering) = metals.run(&population).expect("fits");
    assert_eq!(
        message(Summary::new(&population, &tiering)),
        r#"revenue of metal label "lead" overflows the decimal range"#
    );
    // Near the top, but within it: exact figures, shares of a total past 96 bits' room.
    let population = whales(&[e27(40), e27(20), e27(10)]);
    let (_, tiering) = metals.run(&population).expect("fits");
    let summary = Summary::new(&population, &tiering).expect("the total fits");
    assert_eq!(summary.revenue_total, e27(70));
    let platinum = &summary.labels["metal"]["platinum"];
    assert_eq!(
        platinum.revenue_share.map(|s| s.to_string()),
        Some("0.5714".into())
    );
    let lead = &summary.labels["metal"]["lead"];
    assert_eq!(lead.average_order_value, Some(e27(15)));
}

#[test]
fn abc_fitting_names_the_column_of_its_total() {
    let population = whales(&[e27(30), e27(29), e27(28)]);
    assert_eq!(
        message(ParetoParams::abc().fit(&population)),
        "positive_total of abc overflows the decimal range"
    );
    let pipeline = PipelineBuilder::new()
        .classifier(ParetoParams::abc())
        .build()
        .expect("valid settings");
    assert_eq!(
        message(pipeline.run(&population)),
        "positive_total of abc overflows the decimal range"
    );
}

#[test]
fn abc_near_the_top_of_the_range_compares_shares_exactly() {
    // T = 55·10^27 fits, though 0.80·T has no exact 96-bit form: W1 (S = 0) and W2
    // (S = 40 < 44) are A, W3 (S = 50 < 52.25) is B.
    let population = whales(&[e27(40), e27(10), e27(5)]);
    let model = ParetoParams::abc()
        .fit(&population)
        .expect("the total fits");
    assert_eq!(model.sizes(), [2, 1, 0]);
    assert_eq!(model.thresholds(), [e27(10), e27(5)]);
}

#[test]
fn migration_cells_name_the_column_and_the_cell() {
    let metals = PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .build()
        .expect("valid settings");
    let period = |prefix: &str, amounts: &[Decimal]| {
        let population = buyers(prefix, amounts);
        let (_, tiering) = metals.run(&population).expect("fits");
        Period::from_tiering(&population, &tiering)
    };
    // Three equal whales share platinum before, and three small buyers after.
    let before = period("W", &[e27(30), e27(30), e27(30)]);
    let after = period("W", &[Decimal::ONE, Decimal::ONE, Decimal::ONE]);
    assert_eq!(
        message(migrate(&before, &after, &Default::default())),
        r#"monetary_before of metal cell "platinum" → "platinum" overflows the decimal range"#
    );
    // Only two stay (60·10^27 fits); the third one is gone: (platinum → (none)).
    let two = period("W", &[Decimal::ONE, Decimal::ONE]);
    let migration = migrate(&before, &two, &Default::default()).expect("every cell fits");
    let stayed = &migration[0].cells[&("platinum".to_string(), "platinum".to_string())];
    assert_eq!((stayed.customers, stayed.monetary_before), (2, e27(60)));
    // The same whales in the later period: the cell's later sum.
    assert_eq!(
        message(migrate(&after, &before, &Default::default())),
        r#"monetary_after of metal cell "platinum" → "platinum" overflows the decimal range"#
    );
    // Gone altogether, others in their place: the cell (platinum → (none)).
    let others = period("X", &[Decimal::ONE]);
    assert_eq!(
        message(migrate(&before, &others, &Default::default())),
        r#"monetary_before of metal cell "platinum" → "(none)" overflows the decimal range"#
    );
}

/// Profiles are made on every thread, range by range; of several customers whose totals
/// overflow, the error still names the first by id, as one customer after the other
/// would, and whatever the number of threads.
#[test]
fn the_parallel_reader_names_the_first_customer_that_overflows() {
    use customer_tiering::aggregate::Aggregator;
    use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest_csv};

    let mut csv = String::from("customer_id,date,amount\n");
    for i in 0..4000 {
        // Twelve times 7·10^27 leaves the decimal range; each amount fits.
        let (amount, rows) = match i {
            777 | 3210 => ("7000000000000000000000000000", 12),
            _ => ("1.50", 2),
        };
        for _ in 0..rows {
            csv.push_str(&format!("c{i:04},2026-03-01,{amount}\n"));
        }
    }
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        let err = pool
            .install(|| {
                let source = CsvTransactions::from_reader(
                    "orders.csv",
                    csv.as_bytes(),
                    &ColumnMapping::default(),
                )?;
                let mut aggregator = Aggregator::new(AS_OF);
                ingest_csv(source, &mut aggregator, OnInvalid::Fail, |_| {})?;
                aggregator.finish()
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"monetary of customer "c0777" overflows the decimal range"#,
            "{threads} threads"
        );
    }
}
