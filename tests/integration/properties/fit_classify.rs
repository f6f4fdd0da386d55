//! [Quantile scores](customer_tiering::definitions#quantile-scores), [saved
//! models](customer_tiering::definitions#saved-models): a fitted model's cut points and
//! thresholds reproduce the batch labels on its own fit population, and survive a JSON
//! round trip.

use customer_tiering::classify::Label;
use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
use customer_tiering::profile::Direction;
use customer_tiering::{Metric, Profile};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::{better, buyer_values, direction, mode, naive_ntile};
use crate::support::{
    column, distinct_values, full_pipeline, one_purchase_each, population_of, population_rows,
    reload, scores,
};

/// The metric whose default direction is `direction`, for [`better`].
fn metric_of(direction: Direction) -> Metric {
    match direction {
        Direction::HigherIsBetter => Metric::Monetary,
        Direction::LowerIsBetter => Metric::RecencyDays,
    }
}

/// Small integers as decimals: many ties.
fn tied_values() -> impl Strategy<Value = Vec<Decimal>> {
    proptest::collection::vec((-3i64..8).prop_map(Decimal::from), 1..=300)
}

proptest! {
    /// Tie-aware: the fitted pipeline (and its JSON reload) labels the fit population
    /// exactly as the batch run does, every column, for every k.
    #[test]
    fn tie_aware_model_reproduces_the_run(rows in population_rows(), k in 2u8..=10) {
        let population = population_of(&rows);
        let (fitted, tiering) = full_pipeline(k, QuantileMode::TieAware).run(&population).unwrap();
        prop_assert_eq!(&fitted.classify_all(&population), &tiering);
        prop_assert_eq!(&reload(&fitted).classify_all(&population), &tiering);
    }

    /// Equal-count with distinct values: the model reproduces SQL `NTILE` exactly (R and
    /// M, whose values are distinct here; and the metal and ABC bands).
    #[test]
    fn equal_count_model_reproduces_ntile_on_distinct_values(
        (amounts, recency) in distinct_values(),
        k in 2u8..=10,
    ) {
        let population = one_purchase_each(&amounts, &recency);
        let (fitted, tiering) = full_pipeline(k, QuantileMode::EqualCount).run(&population).unwrap();
        let classified = fitted.classify_all(&population);
        let ids: Vec<&str> = population.profiles().iter().map(|p| p.customer_id.as_str()).collect();
        for (name, metric) in [("r", Metric::RecencyDays), ("m", Metric::Monetary)] {
            let want = naive_ntile(&buyer_values(&population, metric), &ids, k, metric);
            prop_assert_eq!(scores(&tiering, name), want.clone(), "batch {}", name);
            prop_assert_eq!(scores(&classified, name), want, "model {}", name);
        }
        for name in ["metal", "abc"] {
            prop_assert_eq!(column(&classified, name), column(&tiering, name), "{}", name);
        }
    }

    /// Equal-count with ties: the model never scores a customer higher than NTILE does,
    /// and scores it lower only when its value equals a cut point (a tie across a bucket
    /// boundary, [quantile scores](customer_tiering::definitions#quantile-scores)).
    #[test]
    fn equal_count_model_differs_from_ntile_only_at_tied_cut_points(
        rows in population_rows(),
        k in 2u8..=10,
    ) {
        let population = population_of(&rows);
        let (fitted, tiering) = full_pipeline(k, QuantileMode::EqualCount).run(&population).unwrap();
        let classified = fitted.classify_all(&population);
        let rfm: &customer_tiering::classify::rfm::RfmModel =
            fitted.models()[0].downcast_ref().expect("RFM first");
        let metrics = [
            ("r", Metric::RecencyDays, rfm.recency()),
            ("f", Metric::Frequency, rfm.frequency()),
            ("m", Metric::Monetary, rfm.monetary()),
        ];
        for (name, metric, cuts) in metrics {
            let values = buyer_values(&population, metric);
            let batch = scores(&tiering, name);
            let model = scores(&classified, name);
            for ((value, b), m) in values.iter().zip(&batch).zip(&model) {
                prop_assert!(m <= b, "{}: {} model {} > batch {}", name, value, m, b);
                if m != b {
                    prop_assert!(cuts.cuts().contains(value), "{}: {} is no cut point", name, value);
                }
            }
        }
    }

    /// `CutPoints` directly: tie-aware cut `t_s` is the value at position `ceil((s−1)·n/k)`
    /// worst first, and scoring by the cuts gives the batch scores ([quantile
    /// scores](customer_tiering::definitions#quantile-scores) by its own words); with
    /// distinct values the same holds for equal-count (SQL `NTILE`).
    #[test]
    fn cut_points_reproduce_batch_scores(
        values in tied_values(),
        (distinct, _) in distinct_values(),
        k in 2u8..=10,
        direction in direction(),
        mode in mode(),
    ) {
        let tie = CutPoints::fit(&values, k, QuantileMode::TieAware, direction).unwrap();
        let metric = metric_of(direction);
        let mut sorted = values.clone();
        sorted.sort_by(|a, b| direction.worst_first(a, b));
        let n = values.len();
        let want_cuts: Vec<Decimal> = (2..=usize::from(k))
            .map(|s| sorted[((s - 1) * n).div_ceil(usize::from(k)) - 1])
            .collect();
        prop_assert_eq!(tie.cuts(), &want_cuts[..]);
        let by_cuts: Vec<u8> = values.iter().map(|v| tie.score(v)).collect();
        prop_assert_eq!(by_cuts, super::naive_tie_aware(&values, k, metric));

        let model = CutPoints::fit(&distinct, k, mode, direction).unwrap();
        let by_cuts: Vec<u8> = distinct.iter().map(|v| model.score(v)).collect();
        let batch = if mode == QuantileMode::EqualCount {
            super::naive_ntile(&distinct, &vec![""; distinct.len()], k, metric)
        } else {
            super::naive_tie_aware(&distinct, k, metric)
        };
        prop_assert_eq!(batch, by_cuts);
        prop_assert_eq!(model.sizes().iter().sum::<usize>(), distinct.len());
        // A value better than every fit value scores k; worse than every one scores 1.
        let (worst, best) = (sorted[0], sorted[n - 1]);
        let beyond = |v: Decimal, step: i64| v + Decimal::from(step);
        let (up, down) = match direction {
            Direction::HigherIsBetter => (1, -1),
            Direction::LowerIsBetter => (-1, 1),
        };
        prop_assert_eq!(tie.score(&beyond(best, up)), k);
        prop_assert_eq!(tie.score(&beyond(worst, down)), 1);
        prop_assert!(better(metric, &beyond(best, up), &best));
    }

    /// A model saved as JSON and loaded back is equal and labels its fit population, an
    /// unseen population and customers without purchases identically, in both modes.
    #[test]
    fn json_round_trip_classifies_identically(
        rows in population_rows(),
        unseen in population_rows(),
        k in 2u8..=10,
        mode in mode(),
    ) {
        let population = population_of(&rows);
        let fitted = full_pipeline(k, mode).fit(&population).unwrap();
        let loaded = reload(&fitted);
        prop_assert_eq!(&loaded, &fitted);
        prop_assert_eq!(loaded.to_json().unwrap(), fitted.to_json().unwrap());
        prop_assert_eq!(loaded.classify_all(&population), fitted.classify_all(&population));
        let unseen = population_of(&unseen);
        prop_assert_eq!(loaded.classify_all(&unseen), fitted.classify_all(&unseen));
        let nobody = Profile::without_purchases(crate::support::id(999_999));
        let labels = loaded.classify(&nobody);
        prop_assert_eq!(&labels, &fitted.classify(&nobody));
        prop_assert!(labels.iter().all(|l| matches!(
            l,
            Label::Unscored(customer_tiering::classify::Unscored::NoPurchases)
        )));
    }
}
