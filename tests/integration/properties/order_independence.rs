//! [Determinism](customer_tiering::definitions#determinism): the same inputs give
//! byte-identical outputs whatever the input order, and partial profile builders merge into
//! exactly what one builder makes.

use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::source::{MemorySource, OnInvalid, ingest};
use customer_tiering::{Population, PopulationBuilder};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::support::{AS_OF, Row, builder_of, full_pipeline, population_rows, render};

/// Rows and a shuffled copy of them.
fn rows_and_shuffled() -> impl Strategy<Value = (Vec<Row>, Vec<Row>)> {
    population_rows().prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle()))
}

/// Rows and, for each row, which of two builders gets it.
fn rows_and_split() -> impl Strategy<Value = (Vec<Row>, Vec<bool>)> {
    population_rows().prop_flat_map(|rows| {
        let n = rows.len();
        (Just(rows), vec(any::<bool>(), n))
    })
}

/// Everything a run writes: profiles, labels and the model, as text.
fn outputs(rows: &[Row], bins: u8, mode: QuantileMode) -> (String, String) {
    let ingested = ingest(
        MemorySource::new(rows.iter().map(Row::transaction).collect::<Vec<_>>()),
        PopulationBuilder::new(AS_OF),
        OnInvalid::Fail,
        |_| {},
    )
    .unwrap();
    let (fitted, tiering) = full_pipeline(bins, mode).run(&ingested.population).unwrap();
    let summary = format!("{:?}\n", ingested.summary);
    (
        summary + &render(&ingested.population, &tiering),
        fitted.to_json().unwrap(),
    )
}

/// Profiles as JSON, one line per customer: decimals as strings, so `1.5` and `1.50`
/// differ.
fn json(population: &Population) -> String {
    let mut out = format!("as_of {}\n", population.as_of());
    for profile in population.profiles() {
        out += &serde_json::to_string(profile).unwrap();
        out.push('\n');
    }
    out
}

/// The first line where two texts differ, if any (readable failures on long outputs).
fn first_difference(a: &str, b: &str) -> Option<(String, String)> {
    let (mut left, mut right) = (a.lines(), b.lines());
    loop {
        match (left.next(), right.next()) {
            (None, None) => return None,
            (l, r) if l != r => {
                return Some((l.unwrap_or("(end)").into(), r.unwrap_or("(end)").into()));
            }
            _ => {}
        }
    }
}

/// The smallest case the shuffle property found: one customer, two zero amounts on one
/// day written at different scales (`0` and `0.00`). Either order must print the same.
#[test]
fn zero_amounts_at_two_scales_in_either_order() {
    let row = |short| Row {
        customer: 0,
        days_ago: 30,
        cents: 0,
        short,
        profit: None,
        product: None,
    };
    let (plain, short) = (row(false), row(true));
    let one = outputs(&[plain.clone(), short.clone()], 5, QuantileMode::TieAware).0;
    let other = outputs(&[short, plain], 5, QuantileMode::TieAware).0;
    assert_eq!(first_difference(&one, &other), None);
}

proptest! {
    /// Shuffling the input transactions changes no byte of the tiers (ids, every profile
    /// metric, every label) or of the model, in both quantile modes.
    #[test]
    fn shuffled_input_gives_identical_output(
        (rows, shuffled) in rows_and_shuffled(),
        k in 2u8..=10,
    ) {
        for mode in [QuantileMode::TieAware, QuantileMode::EqualCount] {
            let (tiers, model) = outputs(&rows, k, mode);
            let (tiers_shuffled, model_shuffled) = outputs(&shuffled, k, mode);
            prop_assert_eq!(first_difference(&tiers, &tiers_shuffled), None, "{:?} tiers", mode);
            prop_assert_eq!(first_difference(&model, &model_shuffled), None, "{:?} model", mode);
        }
    }

    /// Two builders fed a random split of the rows, merged (either way round), equal one
    /// builder fed every row: the same profiles to the last digit and scale, and the same
    /// count of rows after the as-of date.
    #[test]
    fn merged_builders_equal_one_builder((rows, split) in rows_and_split()) {
        let whole = builder_of(&rows);
        let left_rows = rows.iter().zip(&split).filter(|(_, l)| **l).map(|(r, _)| r);
        let right_rows = rows.iter().zip(&split).filter(|(_, l)| !**l).map(|(r, _)| r);
        let (left, right) = (builder_of(left_rows), builder_of(right_rows));
        let want_after = whole.after_as_of();
        let want = json(&whole.finish().unwrap());
        for (mut first, second) in [(left.clone(), right.clone()), (right, left)] {
            first.merge(second).unwrap();
            prop_assert_eq!(first.after_as_of(), want_after);
            prop_assert_eq!(first_difference(&json(&first.finish().unwrap()), &want), None);
        }
    }
}
