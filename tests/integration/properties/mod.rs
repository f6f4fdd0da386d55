//! Property tests of [quantile scores](customer_tiering::definitions#quantile-scores),
//! [Pareto tiers](customer_tiering::definitions#pareto-tiers-and-abc),
//! [determinism](customer_tiering::definitions#determinism), each against a naive
//! reimplementation of the definition written here, independently of the library; and of "a
//! panic is a bug whatever the input" for the loaders of rule sets, segment maps and saved
//! pipelines (`no_panic`).
//!
//! Cases come from `proptest` with its default configuration, so `PROPTEST_CASES` sets
//! the depth (CI uses 64; the default is 256).

mod aggregate;
mod csv_lines;
mod cut_points;
mod fit_classify;
mod formats;
mod hysteresis;
mod incremental;
mod no_panic;
mod order_independence;
mod pareto;
mod population;
mod quantile;
mod summary_figures;
mod tiers_files;

use std::cmp::Ordering;

use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::profile::Direction;
use customer_tiering::{Metric, Population};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Either direction of a metric.
fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::HigherIsBetter),
        Just(Direction::LowerIsBetter)
    ]
}

/// Either quantile mode.
fn mode() -> impl Strategy<Value = QuantileMode> {
    prop_oneof![Just(QuantileMode::TieAware), Just(QuantileMode::EqualCount)]
}

/// Whether `a` is strictly better than `b` for `metric` ([quantile
/// scores](customer_tiering::definitions#quantile-scores): fewer days is better for
/// recency, larger is better for everything else).
fn better(metric: Metric, a: &Decimal, b: &Decimal) -> bool {
    match metric {
        Metric::RecencyDays => a < b,
        _ => a > b,
    }
}

/// The buyers' values of a metric, in id order.
fn buyer_values(population: &Population, metric: Metric) -> Vec<Decimal> {
    population
        .buyers()
        .map(|p| p.metric(metric).expect("buyers have every RFM metric"))
        .collect()
}

/// Tie-aware [quantile scores](customer_tiering::definitions#quantile-scores) by the
/// formula `1 + floor(k·L/n)`, `L` counted pairwise.
fn naive_tie_aware(values: &[Decimal], k: u8, metric: Metric) -> Vec<u8> {
    let n = values.len();
    values
        .iter()
        .map(|x| {
            let worse = values.iter().filter(|v| better(metric, x, v)).count();
            let score = 1 + usize::from(k) * worse / n;
            u8::try_from(score).expect("score ≤ k")
        })
        .collect()
}

/// Equal-count [quantile scores](customer_tiering::definitions#quantile-scores): SQL
/// `NTILE(k) OVER (ORDER BY x, customer_id)`, computed by sorting `(value worst first, id
/// bytes)` and dealing the sorted rows into buckets whose sizes differ by at most one,
/// larger first. `values[i]` belongs to `ids[i]`.
fn naive_ntile(values: &[Decimal], ids: &[&str], k: u8, metric: Metric) -> Vec<u8> {
    let n = values.len();
    let k = usize::from(k);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let by_value = if better(metric, &values[a], &values[b]) {
            Ordering::Greater
        } else if better(metric, &values[b], &values[a]) {
            Ordering::Less
        } else {
            Ordering::Equal
        };
        by_value.then_with(|| ids[a].as_bytes().cmp(ids[b].as_bytes()))
    });
    let sizes: Vec<usize> = (0..k).map(|b| n / k + usize::from(b < n % k)).collect();
    let mut scores = vec![0u8; n];
    let mut next = order.into_iter();
    for (bucket, size) in sizes.into_iter().enumerate() {
        for row in next.by_ref().take(size) {
            scores[row] = u8::try_from(bucket + 1).expect("bucket ≤ 10");
        }
    }
    scores
}

/// Customers per score 1..=k.
fn sizes(scores: &[u8], k: u8) -> Vec<usize> {
    let mut sizes = vec![0; usize::from(k)];
    for &s in scores {
        sizes[usize::from(s) - 1] += 1;
    }
    sizes
}
