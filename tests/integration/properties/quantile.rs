//! [Quantile scores](customer_tiering::definitions#quantile-scores) on the fit population
//! (`Pipeline::run`), against the formulas computed naively.

use std::collections::BTreeMap;

use customer_tiering::Metric;
use customer_tiering::classify::Label;
use customer_tiering::classify::quantile::QuantileMode;
use proptest::prelude::*;
use proptest::sample::Index;
use rust_decimal::Decimal;

use super::{buyer_values, mode, naive_ntile, naive_tie_aware, sizes};
use crate::support::{column, full_pipeline, population_of, population_rows, scores, tied_rows};

const RFM: [(&str, Metric); 3] = [
    ("r", Metric::RecencyDays),
    ("f", Metric::Frequency),
    ("m", Metric::Monetary),
];

/// The rank of a band name, best first.
fn band_rank(name: &str) -> usize {
    ["platinum", "gold", "iron", "lead", "a", "b", "c"]
        .iter()
        .position(|b| *b == name)
        .map(|i| if i >= 4 { i - 4 } else { i })
        .unwrap_or_else(|| panic!("unknown band {name:?}"))
}

proptest! {
    /// Equal values always get equal tie-aware scores, equal metals and equal ABC bands.
    #[test]
    fn equal_values_get_equal_tie_aware_scores_and_bands(
        rows in population_rows(),
        k in 2u8..=10,
    ) {
        let population = population_of(&rows);
        let (_, tiering) = full_pipeline(k, QuantileMode::TieAware).run(&population).unwrap();
        let checks = [
            ("r", Metric::RecencyDays),
            ("f", Metric::Frequency),
            ("m", Metric::Monetary),
            ("metal", Metric::Monetary),
            ("abc", Metric::Monetary),
        ];
        for (name, metric) in checks {
            let mut seen: BTreeMap<Decimal, Label> = BTreeMap::new();
            for (profile, label) in population.profiles().iter().zip(column(&tiering, name)) {
                let value = profile.metric(metric).unwrap();
                let first = seen.entry(value).or_insert_with(|| label.clone());
                prop_assert_eq!(
                    &*first, &label,
                    "{}: value {} labelled twice differently ({})", name, value, profile.customer_id
                );
            }
        }
    }

    /// Tie-aware batch scores are `1 + floor(k·L/n)` for every k in 2..=10.
    #[test]
    fn tie_aware_scores_follow_the_formula(rows in population_rows(), k in 2u8..=10) {
        let population = population_of(&rows);
        prop_assert_eq!(population.buyers().count(), population.len());
        let (_, tiering) = full_pipeline(k, QuantileMode::TieAware).run(&population).unwrap();
        for (name, metric) in RFM {
            let want = naive_tie_aware(&buyer_values(&population, metric), k, metric);
            prop_assert_eq!(scores(&tiering, name), want, "column {}, k = {}", name, k);
        }
    }

    /// Equal-count batch scores are SQL `NTILE(k) OVER (ORDER BY x, customer_id)`: the
    /// naive NTILE over `(value, id bytes)`; bucket sizes differ by at most one, larger
    /// buckets first.
    #[test]
    fn equal_count_scores_are_ntile(rows in population_rows(), k in 2u8..=10) {
        check_ntile(&rows, k)?;
    }

    /// The same with few customers, where `n < k` is common: the first `n` buckets hold
    /// one customer each.
    #[test]
    fn equal_count_scores_are_ntile_for_small_populations(rows in tied_rows(12), k in 2u8..=10) {
        check_ntile(&rows, k)?;
    }

    /// Raising one customer's monetary (other customers unchanged, refitted) never lowers
    /// its M score, metal or ABC band, in either quantile mode.
    #[test]
    fn raising_monetary_never_lowers_m_or_band(
        rows in population_rows(),
        k in 2u8..=10,
        mode in mode(),
        who in any::<Index>(),
        raise in 1i64..=20_000,
    ) {
        let before = population_of(&rows);
        let target = before.profiles()[who.index(before.len())].customer_id.clone();
        let mut raised_rows = rows.clone();
        let row = raised_rows
            .iter_mut()
            .find(|r| crate::support::id(r.customer) == target && r.days_ago >= 0)
            .expect("every customer has a row on or before AS_OF");
        row.cents += raise;
        let after = population_of(&raised_rows);
        let pipeline = full_pipeline(k, mode);
        let (_, was) = pipeline.run(&before).unwrap();
        let (_, now) = pipeline.run(&after).unwrap();
        let id = target.as_str();
        prop_assert!(after.get(id).unwrap().monetary > before.get(id).unwrap().monetary);
        let score = |t: &customer_tiering::Tiering| match t.label(id, "m") {
            Some(Label::Score(s)) => *s,
            other => panic!("{other:?}"),
        };
        prop_assert!(score(&now) >= score(&was), "m {} → {}", score(&was), score(&now));
        for band in ["metal", "abc"] {
            let rank = |t: &customer_tiering::Tiering| band_rank(&t.label(id, band).unwrap().as_cell());
            prop_assert!(rank(&now) <= rank(&was), "{}: {} → {}", band, rank(&was), rank(&now));
        }
    }
}

fn check_ntile(rows: &[crate::support::Row], k: u8) -> Result<(), TestCaseError> {
    let population = population_of(rows);
    let (_, tiering) = full_pipeline(k, QuantileMode::EqualCount)
        .run(&population)
        .unwrap();
    let ids: Vec<&str> = population
        .buyers()
        .map(|p| p.customer_id.as_str())
        .collect();
    let n = ids.len();
    for (name, metric) in RFM {
        let got = scores(&tiering, name);
        let want = naive_ntile(&buyer_values(&population, metric), &ids, k, metric);
        prop_assert_eq!(&got, &want, "column {}, k = {}, n = {}", name, k, n);
        let sizes = sizes(&got, k);
        prop_assert_eq!(sizes.iter().sum::<usize>(), n);
        prop_assert!(
            sizes.windows(2).all(|w| w[0] >= w[1] && w[0] - w[1] <= 1)
                && sizes[0] - sizes[usize::from(k) - 1] <= 1,
            "column {}: sizes {:?}",
            name,
            sizes
        );
    }
    Ok(())
}
