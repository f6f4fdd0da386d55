//! [Hysteresis](customer_tiering::definitions#hysteresis): with `h = 0` the labels are the
//! raw ones; a label never moves past the raw one nor away from the previous one; the
//! segment is the kept scores'; a repeat run changes nothing; and every kept label is the
//! shifted position computed directly in exact fractions, for any legal margin with 28
//! decimals ([bad input](customer_tiering::definitions#bad-input-and-rejects)).

use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::segments::SegmentMap;
use customer_tiering::hysteresis::Hysteresis;
use customer_tiering::migration::Period;
use customer_tiering::{Metric, PopulationBuilder, Tiering};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::support::{AS_OF, Row, full_pipeline, population_rows};

/// The rank of a label in its column (0 = best), for r, f, m and metal.
fn rank(column: &str, label: &str) -> Option<usize> {
    match column {
        "r" | "f" | "m" => label.parse::<usize>().ok().map(|s| 10 - s),
        "metal" => ["platinum", "gold", "iron", "lead"]
            .iter()
            .position(|l| *l == label),
        _ => None,
    }
}

/// Two periods of one history: the earlier one 60 days before [`AS_OF`].
fn periods(
    rows: &[Row],
) -> (
    Period,
    customer_tiering::Population,
    Tiering,
    customer_tiering::FittedPipeline,
) {
    let earlier_date = AS_OF.checked_sub(jiff::ToSpan::days(60)).expect("in range");
    let mut builders = [
        PopulationBuilder::new(AS_OF),
        PopulationBuilder::new(earlier_date),
    ];
    for row in rows {
        for b in &mut builders {
            b.add(row.transaction()).expect("no overflow");
        }
    }
    let [later, earlier] = builders;
    let (later, earlier) = (
        later.finish().expect("sums"),
        earlier.finish().expect("sums"),
    );
    let pipeline = full_pipeline(5, QuantileMode::TieAware);
    let previous = match pipeline.run(&earlier) {
        Ok((_, tiering)) => Period::from_tiering(&earlier, &tiering),
        Err(_) => Period::default(), // nobody bought before the earlier date
    };
    let (fitted, raw) = pipeline.run(&later).expect("later buyers");
    (previous, later, raw, fitted)
}

proptest! {
    #[test]
    fn labels_stay_between_raw_and_previous(rows in population_rows(), h in 0u32..400) {
        prop_assume!(rows.iter().any(|r| r.days_ago >= 0));
        let (previous, later, raw, fitted) = periods(&rows);
        let margin = Decimal::new(i64::from(h), 3);
        let (kept, held) = Hysteresis::new(margin).unwrap().apply(&fitted, &later, &raw, &previous).unwrap();
        let segments = SegmentMap::default();
        prop_assert_eq!(&raw.columns()[..4], ["r", "f", "m", "rfm_segment"]);
        for ((id, raw_labels), (_, kept_labels)) in raw.rows().zip(kept.rows()) {
            for (i, column) in raw.columns().iter().enumerate() {
                let (r, k) = (raw_labels[i].as_cell(), kept_labels[i].as_cell());
                let Some(p) = previous.label(id, column) else {
                    prop_assert_eq!(&r, &k, "{} {} has no previous label", id, column);
                    continue;
                };
                match (rank(column, &r), rank(column, &k), rank(column, p)) {
                    (Some(r), Some(k), Some(p)) => {
                        prop_assert!(r.min(p) <= k && k <= r.max(p), "{} {}: raw {} kept {} previous {}", id, column, r, k, p);
                    }
                    _ if column == "rfm_segment" => {}
                    _ => prop_assert_eq!(&r, &k, "{} {}: other columns keep the raw label", id, column),
                }
            }
            // The segment follows the kept scores.
            let score = |i: usize| kept_labels[i].as_cell().parse::<u8>().ok();
            if let (Some(r), Some(f), Some(m)) = (score(0), score(1), score(2)) {
                prop_assert_eq!(kept_labels[3].as_cell(), segments.segment(r, f, m), "{}", id);
            }
        }
        if margin.is_zero() {
            prop_assert!(held.is_empty());
            prop_assert_eq!(kept, raw);
        }
    }

    #[test]
    fn a_repeat_run_changes_nothing(rows in population_rows(), h in 0u32..400) {
        prop_assume!(rows.iter().any(|r| r.days_ago >= 0));
        let (_, later, raw, fitted) = periods(&rows);
        let same = Period::from_tiering(&later, &raw);
        let (kept, held) = Hysteresis::new(Decimal::new(i64::from(h), 3)).unwrap().apply(&fitted, &later, &raw, &same).unwrap();
        prop_assert!(held.is_empty());
        prop_assert_eq!(kept, raw);
    }
}

/// Margins with 28 decimals: both ends of the legal range `0 ≤ h < 1`, or any between.
fn margins() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::from_i128_with_scale(
            9_999_999_999_999_999_999_999_999_999,
            28
        )),
        Just(Decimal::from_i128_with_scale(1, 28)),
        (0..10i128.pow(28)).prop_map(|m| Decimal::from_i128_with_scale(m, 28)),
    ]
}

/// [Hysteresis](customer_tiering::definitions#hysteresis) directly, in fractions over
/// `n·10^28`: the position (`L/n` for a score, `p/n` for a band) shifted by `h` toward the
/// previous label, the label there, clamped between the raw and the previous one. `rank` is
/// 0 for the best label.
fn naive_kept(
    column: &str,
    values: &[Decimal],
    value: &Decimal,
    h: Decimal,
    raw: usize,
    prev: usize,
) -> usize {
    let metric = match column {
        "r" => Metric::RecencyDays,
        "f" => Metric::Frequency,
        _ => Metric::Monetary,
    };
    let n = values.len() as i128;
    let unit = 10i128.pow(28);
    let m = h.mantissa() * 10i128.pow(28 - h.scale());
    let toward_better = raw > prev;
    let sign = if toward_better { 1 } else { -1 };
    let shifted_rank = if column == "metal" {
        // first band b with p/n ∓ h < c_b: better ranks shift the position down
        let p = values
            .iter()
            .filter(|v| super::better(metric, v, value))
            .count() as i128;
        let position = p * unit - sign * m * n;
        [1i128, 5, 20]
            .iter()
            .position(|pct| position * 100 < pct * n * unit)
            .unwrap_or(3)
    } else {
        // score 1 + floor(5·(L/n ± h)), rank 5 − score: better ranks shift L up
        let l = values
            .iter()
            .filter(|v| super::better(metric, value, v))
            .count() as i128;
        let score = 1 + (5 * (l * unit + sign * m * n)).div_euclid(n * unit);
        (5 - score.clamp(1, 5)) as usize
    };
    shifted_rank.clamp(raw.min(prev), raw.max(prev))
}

proptest! {
    #[test]
    fn kept_labels_are_the_exactly_shifted_positions(rows in population_rows(), h in margins()) {
        prop_assume!(rows.iter().any(|r| r.days_ago >= 0));
        let (previous, later, raw, fitted) = periods(&rows);
        let (kept, _) = Hysteresis::new(h).unwrap().apply(&fitted, &later, &raw, &previous)
            .expect("a legal margin never overflows");
        for column in ["r", "f", "m", "metal"] {
            let index = raw.columns().iter().position(|c| c == column).expect("the column");
            let metric = match column {
                "r" => Metric::RecencyDays,
                "f" => Metric::Frequency,
                _ => Metric::Monetary,
            };
            let values: Vec<Decimal> = later.buyers().map(|p| p.metric(metric).expect("a buyer's value")).collect();
            let rank_of = |label: &str| rank(column, label).map(|r| if column == "metal" { r } else { r - 5 });
            for (profile, ((id, raw_labels), (_, kept_labels))) in later.profiles().iter().zip(raw.rows().zip(kept.rows())) {
                let (Some(before), true) = (previous.label(id, column), profile.is_buyer()) else {
                    continue;
                };
                let raw_label = raw_labels[index].as_cell();
                let (Some(r), Some(p)) = (rank_of(&raw_label), rank_of(before)) else {
                    continue;
                };
                let want = if r == p { r } else {
                    naive_kept(column, &values, &profile.metric(metric).expect("a buyer"), h, r, p)
                };
                let got = rank_of(&kept_labels[index].as_cell());
                prop_assert_eq!(got, Some(want), "{} {}: raw {} previous {} h {}", id, column, raw_label, before, h);
            }
        }
    }
}
