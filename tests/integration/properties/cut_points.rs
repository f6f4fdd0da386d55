//! Cut points and thresholds chosen by selection (issue 13) equal those a plain sort
//! gives, on populations with heavy ties and mixed scales: the quantile cut
//! points (both modes, both directions), the count-basis thresholds and value-basis
//! (ABC) thresholds, and the sizes and empty scores that come with them.
//!
//! The references below sort the values and read positions off, as the
//! [definitions](customer_tiering::definitions) define them. Equal values are one value
//! (`1.10 == 1.1`), but they print differently: the library writes the one its sort-based
//! fits always wrote — the value that successive `select_nth_unstable` calls (cut points,
//! count thresholds) or an unstable sort, best first (value thresholds), leave at the
//! position — so that a saved model keeps its bytes; the references check that too.

use customer_tiering::classify::Classifier;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::{CutPoints, EmptyCause, QuantileMode, positions};
use customer_tiering::profile::Direction;
use customer_tiering::{CustomerId, Population, Profile};
use jiff::civil::date;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::{direction, mode};
use crate::support::Seeded;

/// Values drawn from a few distinct ones (heavy ties), each written at a scale of its
/// own (so `3`, `3.0` and `3.00` meet), negative and zero included; long enough now and
/// then to leave the library's small-input shortcut (1024 values) for its histograms.
fn tied_values() -> impl Strategy<Value = Vec<Decimal>> {
    let lengths = prop_oneof![1usize..40, 1000usize..2500];
    (lengths, 1u32..12, 1i64..1_000_000, any::<u64>()).prop_map(|(n, distinct, spread, seed)| {
        let mut seeded = Seeded::new(seed);
        let mut next = move || seeded.next_u64();
        (0..n)
            .map(|_| {
                let value = (next() % u64::from(distinct)) as i64 - 2;
                let scale = (next() % 3) as u32;
                Decimal::new(value * spread * 10i64.pow(scale), scale)
            })
            .collect()
    })
}

/// `values` ordered worst first (a stable sort: equal values keep their order).
fn worst_first(values: &[Decimal], direction: Direction) -> Vec<Decimal> {
    let mut sorted = values.to_vec();
    match direction {
        Direction::HigherIsBetter => sorted.sort(),
        Direction::LowerIsBetter => sorted.sort_by(|a, b| b.cmp(a)),
    }
    sorted
}

/// The values at 1-based `positions` as successive `select_nth_unstable` calls on a
/// copy of `values` leave them (`order` worst or best first).
fn as_selected(
    values: &[Decimal],
    positions: &[usize],
    order: impl Fn(&Decimal, &Decimal) -> std::cmp::Ordering + Copy,
) -> Vec<Decimal> {
    let mut work = values.to_vec();
    let mut done = 0;
    let mut out: Vec<Decimal> = Vec::new();
    for &position in positions {
        let index = position - 1;
        if index + 1 == done {
            out.push(out[out.len() - 1]);
            continue;
        }
        let (_, nth, _) = work[done..].select_nth_unstable_by(index - done, order);
        out.push(*nth);
        done = index + 1;
    }
    out
}

/// The same decimal, to the digit: numerically equal and printed alike.
fn same(got: &[Decimal], want: &[Decimal]) -> Result<(), TestCaseError> {
    let got: Vec<String> = got.iter().map(ToString::to_string).collect();
    let want: Vec<String> = want.iter().map(ToString::to_string).collect();
    prop_assert_eq!(got, want);
    Ok(())
}

/// One buyer per value, the value as `monetary`, ids in value order given.
fn population(values: &[Decimal]) -> Population {
    let profiles = values
        .iter()
        .enumerate()
        .map(|(i, v)| Profile {
            recency_days: Some(1),
            frequency: 1,
            transactions: 1,
            monetary: *v,
            tenure_days: Some(1),
            ..Profile::without_purchases(CustomerId::new(&format!("C{i:05}")).expect("an id"))
        })
        .collect();
    Population::new(date(2026, 3, 31), profiles).expect("distinct ids")
}

proptest! {
    /// [Quantile scores](customer_tiering::definitions#quantile-scores): `t_s` is the value
    /// at position `m_s` worst first; tie-aware sizes count the values past each cut up to
    /// the next; an empty score names the tie.
    #[test]
    fn quantile_cut_points_equal_a_sort(
        values in tied_values(),
        k in 2u8..=10,
        mode in mode(),
        direction in direction(),
    ) {
        let fitted = CutPoints::fit(&values, k, mode, direction).expect("fits");
        let sorted = worst_first(&values, direction);
        let n = values.len();
        let at: Vec<usize> = positions(n, k, mode);
        let want: Vec<Decimal> = at.iter().map(|&m| sorted[m - 1]).collect();
        prop_assert_eq!(fitted.cuts(), &want[..]);
        same(fitted.cuts(), &as_selected(&values, &at, |a, b| direction.worst_first(a, b)))?;
        if mode == QuantileMode::TieAware {
            // 1 + the number of cut points a value is strictly better than
            let better = |a: &Decimal, b: &Decimal| match direction {
                Direction::HigherIsBetter => a > b,
                Direction::LowerIsBetter => a < b,
            };
            let mut sizes = vec![0usize; usize::from(k)];
            for v in &values {
                sizes[want.iter().filter(|t| better(v, t)).count()] += 1;
            }
            prop_assert_eq!(fitted.sizes(), &sizes[..]);
            for empty in fitted.empty_scores() {
                if let EmptyCause::Tie { value, customers } = &empty.cause {
                    prop_assert_eq!(*customers, values.iter().filter(|v| *v == value).count());
                    prop_assert_eq!(*value, want[usize::from(empty.score) - 2]);
                }
            }
            let empty: Vec<u8> = fitted.empty_scores().iter().map(|e| e.score).collect();
            let want_empty: Vec<u8> = (1..=k).filter(|s| sizes[usize::from(*s) - 1] == 0).collect();
            prop_assert_eq!(empty, want_empty);
        }
    }

    /// [Pareto tiers](customer_tiering::definitions#pareto-tiers-and-abc) count basis: the
    /// threshold of band `b` is the value at position `ceil(c_b·n)` best first; a value is
    /// in the first band with `p < c_b·n`.
    #[test]
    fn metal_thresholds_equal_a_sort(values in tied_values()) {
        let model = ParetoParams::metals().fit(&population(&values)).expect("fits");
        let n = values.len();
        let mut best_first = values.clone();
        best_first.sort_by(|a, b| b.cmp(a));
        let shares = [1usize, 5, 20]; // cumulative percent
        let at: Vec<usize> = shares.iter().map(|c| (c * n).div_ceil(100).clamp(1, n)).collect();
        let want: Vec<Decimal> = at.iter().map(|&p| best_first[p - 1]).collect();
        prop_assert_eq!(model.thresholds(), &want[..]);
        same(model.thresholds(), &as_selected(&values, &at, |a, b| b.cmp(a)))?;
        let mut sizes = [0usize; 4];
        for v in &values {
            let p = values.iter().filter(|x| *x > v).count();
            sizes[shares.iter().position(|c| p * 100 < c * n).unwrap_or(3)] += 1;
        }
        prop_assert_eq!(model.sizes(), &sizes[..]);
    }

    /// [Pareto tiers](customer_tiering::definitions#pareto-tiers-and-abc) value basis: with
    /// `S` the sum over values strictly better and `T` over the positive ones, band `b`
    /// reaches down to the last value with `S < c_b·T`.
    #[test]
    fn abc_thresholds_equal_a_sort(values in tied_values()) {
        let model = ParetoParams::abc().fit(&population(&values)).expect("fits");
        let mut positive: Vec<Decimal> = values.iter().copied().filter(|v| *v > Decimal::ZERO).collect();
        positive.sort_unstable_by(|a, b| b.cmp(a));
        let total: Decimal = positive.iter().sum();
        if total.is_zero() {
            prop_assert!(model.thresholds().is_empty());
            return Ok(());
        }
        let want: Vec<Decimal> = [Decimal::new(80, 2), Decimal::new(95, 2)]
            .iter()
            .map(|c| {
                let limit = c * total;
                let mut threshold = positive[0];
                for group in positive.chunk_by(|a, b| a == b) {
                    let better: Decimal = positive.iter().filter(|x| **x > group[0]).sum();
                    if better < limit {
                        threshold = group[0];
                    }
                }
                threshold
            })
            .collect();
        same(model.thresholds(), &want)?;
    }
}
