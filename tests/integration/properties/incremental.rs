//! [Incremental update](customer_tiering::definitions#incremental-update): transactions
//! added one at a time, in any order, give the same profiles and labels as a batch rebuild
//! classified by the same model; a refit right after a fit relabels nobody; and a state
//! saved as a snapshot and restored goes on exactly as the state that never stopped.

use customer_tiering::Registry;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::incremental::TieringState;
use customer_tiering::{Pipeline, PipelineBuilder, PopulationBuilder, RuleSet};
use proptest::prelude::*;

use crate::support::{
    Row, builder_of, days_before, full_pipeline, population_of, population_rows, rfm,
};

/// Rows, which of them are the fit history, and a shuffled order for the rest.
fn split_rows() -> impl Strategy<Value = (Vec<Row>, Vec<bool>, Vec<usize>)> {
    population_rows().prop_flat_map(|rows| {
        let n = rows.len();
        (
            Just(rows),
            proptest::collection::vec(any::<bool>(), n),
            Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
        )
    })
}

/// RFM, metals and ABC, then a rule set with a tier (none for a customer no tier rule
/// matches) and two tags: every kind of label a snapshot writes.
fn pipeline_with_rules(mode: QuantileMode) -> Pipeline {
    let rules = RuleSet::from_toml_str(
        "t.toml",
        r#"
            name = "t"
            tiers = ["top", "mid"]
            unmatched = "unscored"
            [[rules]]
            when = 'metal >= "gold"'
            tier = "top"
            [[rules]]
            when = 'r >= 4'
            tier = "mid"
            [[rules]]
            when = 'monetary > 20'
            tag = "big"
            [[rules]]
            when = 'frequency >= 2'
            tag = "loyal"
        "#,
    )
    .expect("a valid rule set");
    PipelineBuilder::new()
        .classifier(rfm(5, mode))
        .classifier(customer_tiering::classify::pareto::ParetoParams::metals())
        .classifier(customer_tiering::classify::pareto::ParetoParams::abc())
        .rules(rules)
        .build()
        .expect("valid settings")
}

/// A snapshot of `state`.
fn saved(state: &TieringState) -> Vec<u8> {
    let mut out = Vec::new();
    state
        .snapshot("state.jsonl", &mut out)
        .expect("writes to memory");
    out
}

proptest! {
    #[test]
    fn a_restored_state_goes_on_as_the_one_that_never_stopped(
        (rows, in_history, order) in split_rows(),
        cut in any::<prop::sample::Index>(),
        equal_count in any::<bool>(),
        with_rules in any::<bool>(),
        refit_first in any::<bool>(),
    ) {
        // The history: rows of the fit, on or before the as-of date. The stream: the
        // other rows in random order, those on or before the as-of date first (some
        // before the snapshot, the rest after it), then the as-of date moves 30 days on
        // and the rows after it follow.
        let history: Vec<&Row> = rows
            .iter()
            .zip(&in_history)
            .filter(|(r, h)| **h && r.days_ago >= 0)
            .map(|(r, _)| r)
            .collect();
        let history_population = builder_of(history.iter().copied()).finish().unwrap();
        prop_assume!(history_population.buyers().next().is_some());
        let mode = if equal_count { QuantileMode::EqualCount } else { QuantileMode::TieAware };
        let pipeline = if with_rules { pipeline_with_rules(mode) } else { full_pipeline(5, mode) };
        let fitted = pipeline.fit(&history_population).unwrap();
        let mut live = TieringState::new(fitted, builder_of(history.iter().copied())).unwrap();
        let stream: Vec<&Row> = order
            .iter()
            .filter(|&&i| i < rows.len() && !(in_history[i] && rows[i].days_ago >= 0))
            .map(|&i| &rows[i])
            .collect();
        let (now, later): (Vec<&Row>, Vec<&Row>) = stream.into_iter().partition(|r| r.days_ago >= 0);
        let cut = cut.index(now.len() + 1);
        for row in &now[..cut] {
            live.add(row.transaction()).unwrap();
        }
        if refit_first {
            live.refit().unwrap();
        }

        let snapshot = saved(&live);
        let mut restored = TieringState::restore("state.jsonl", snapshot.as_slice(), &Registry::builtin()).unwrap();
        prop_assert_eq!(saved(&restored), snapshot, "a restored state saves the same bytes");
        prop_assert_eq!(restored.fitted(), live.fitted());
        prop_assert_eq!((restored.as_of(), restored.len()), (live.as_of(), live.len()));

        for row in &now[cut..] {
            prop_assert_eq!(restored.add(row.transaction()).unwrap(), live.add(row.transaction()).unwrap());
        }
        let later_date = days_before(-30);
        prop_assert_eq!(restored.advance_to(later_date).unwrap(), live.advance_to(later_date).unwrap());
        for row in &later {
            prop_assert_eq!(restored.add(row.transaction()).unwrap(), live.add(row.transaction()).unwrap());
        }

        let population = restored.population().unwrap();
        prop_assert_eq!(&population, &live.population().unwrap());
        let tiering = restored.tiering().unwrap();
        prop_assert_eq!(&tiering, &live.tiering().unwrap());
        prop_assert_eq!(restored.drift().unwrap(), live.drift().unwrap());
        prop_assert_eq!(restored.columns(), live.columns());
        for (id, row) in tiering.rows() {
            let labels = restored.labels(id).unwrap();
            prop_assert_eq!(Some(labels.clone()), live.labels(id));
            prop_assert_eq!(labels.as_slice(), row, "{}", id);
        }
        prop_assert_eq!(saved(&restored), saved(&live));

        // And both equal a batch rebuild of every row, classified by the same model.
        let mut batch = PopulationBuilder::new(later_date);
        for row in &rows {
            batch.add(row.transaction()).unwrap();
        }
        let batch = batch.finish().unwrap();
        prop_assert_eq!(&population, &batch);
        prop_assert_eq!(&tiering, &restored.fitted().classify_all(&batch));
    }

    #[test]
    fn incremental_updates_equal_a_batch_rebuild((rows, in_history, order) in split_rows(), equal_count in any::<bool>()) {
        // Rows after the as-of date would need advance_to; they are left out here.
        let rows: Vec<Row> = rows.into_iter().filter(|r| r.days_ago >= 0).collect();
        let history: Vec<&Row> = rows.iter().zip(&in_history).filter(|(_, h)| **h).map(|(r, _)| r).collect();
        let history_population = builder_of(history.iter().copied()).finish().unwrap();
        prop_assume!(history_population.buyers().next().is_some());
        let mode = if equal_count { QuantileMode::EqualCount } else { QuantileMode::TieAware };
        let fitted = full_pipeline(5, mode).fit(&history_population).unwrap();
        let mut state = TieringState::new(fitted.clone(), builder_of(history.iter().copied())).unwrap();
        for &i in order.iter().filter(|&&i| i < rows.len() && !in_history[i]) {
            state.add(rows[i].transaction()).unwrap();
        }
        let batch = population_of(&rows);
        prop_assert_eq!(&state.population().unwrap(), &batch);
        let labels = fitted.classify_all(&batch);
        prop_assert_eq!(&state.tiering().unwrap(), &labels);
        for (id, row) in labels.rows() {
            let live = state.labels(id).map(|l| l.into_vec());
            prop_assert_eq!(live, Some(row.to_vec()), "{}", id);
        }
    }

    #[test]
    fn drift_is_zero_right_after_a_fit(rows in population_rows(), equal_count in any::<bool>()) {
        let population = population_of(&rows);
        prop_assume!(population.buyers().next().is_some());
        let mode = if equal_count { QuantileMode::EqualCount } else { QuantileMode::TieAware };
        let fitted = full_pipeline(5, mode).fit(&population).unwrap();
        let state = TieringState::new(fitted, builder_of(&rows)).unwrap();
        prop_assert!(state.drift().unwrap().values().all(|d| *d == 0));
    }
}
