//! SPEC §13 incremental update: transactions added one at a time, in any order, give
//! the same profiles and labels as a batch rebuild classified by the same model; and a
//! refit right after a fit relabels nobody.

use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::incremental::TieringState;
use proptest::prelude::*;

use crate::support::{Row, builder_of, full_pipeline, population_of, population_rows};

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

proptest! {
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
            prop_assert_eq!(state.labels(id), Some(row.to_vec()), "{}", id);
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
