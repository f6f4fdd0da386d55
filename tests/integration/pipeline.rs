//! [Quantile scores](customer_tiering::definitions#quantile-scores), [Pareto
//! tiers](customer_tiering::definitions#pareto-tiers-and-abc) worked examples through the
//! whole pipeline (transactions → profiles → fit → labels), and customers without purchases
//! ([profile metrics](customer_tiering::definitions#profile-metrics)).

use std::collections::BTreeMap;

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::{Label, Unscored};
use customer_tiering::{
    CustomerId, Error, PipelineBuilder, Population, PopulationBuilder, Profile, Tiering,
    Transaction,
};
use rust_decimal::Decimal;

use crate::support::{AS_OF, days_before, full_pipeline, one_purchase_each, rfm, seeded_rows};

const MODES: [QuantileMode; 2] = [QuantileMode::TieAware, QuantileMode::EqualCount];

/// A population where customer `ids[i]` made one purchase of `amounts[i]` (whole units)
/// `recency[i]` days before AS_OF.
fn customers(ids: &[&str], amounts: &[i64], recency: &[i64]) -> Population {
    let mut builder = PopulationBuilder::new(AS_OF);
    for (i, id) in ids.iter().enumerate() {
        let tx = Transaction::new(
            CustomerId::new(id).unwrap(),
            days_before(recency[i]),
            Decimal::from(amounts[i]),
        );
        builder.add(tx).unwrap();
    }
    builder.finish().unwrap()
}

/// The labels of one column, for the given ids in the given order.
fn labels_of(tiering: &Tiering, ids: &[&str], column: &str) -> Vec<String> {
    ids.iter()
        .map(|id| tiering.label(id, column).unwrap().as_cell().into_owned())
        .collect()
}

/// Customers per label of one column (scores "1".."k" or band names).
fn counts(tiering: &Tiering, column: &str) -> BTreeMap<String, u64> {
    tiering.counts().remove(column).unwrap_or_default()
}

fn score_sizes(tiering: &Tiering, column: &str, k: u8) -> Vec<u64> {
    let counts = counts(tiering, column);
    (1..=k)
        .map(|s| counts.get(&s.to_string()).copied().unwrap_or(0))
        .collect()
}

fn cells(values: &[u8]) -> Vec<String> {
    values.iter().map(u8::to_string).collect()
}

#[test]
fn n_7_by_monetary() {
    // Ids out of value order: scores must follow the values, not the ids.
    let ids = ["g", "c", "e", "a", "f", "b", "d"];
    let amounts = [1, 2, 3, 4, 5, 6, 7];
    let population = customers(&ids, &amounts, &[10; 7]);
    let want = [
        (
            QuantileMode::TieAware,
            [1, 1, 2, 3, 3, 4, 5],
            [2, 1, 2, 1, 1],
        ),
        (
            QuantileMode::EqualCount,
            [1, 1, 2, 2, 3, 4, 5],
            [2, 2, 1, 1, 1],
        ),
    ];
    for (mode, scores, sizes) in want {
        let (_, tiering) = full_pipeline(5, mode).run(&population).unwrap();
        assert_eq!(labels_of(&tiering, &ids, "m"), cells(&scores), "{mode:?}");
        assert_eq!(score_sizes(&tiering, "m", 5), sizes, "{mode:?}");
        assert_eq!(
            labels_of(&tiering, &ids, "metal"),
            ["lead", "lead", "lead", "lead", "lead", "iron", "platinum"],
            "{mode:?}"
        );
        let metals = counts(&tiering, "metal");
        let metal_sizes: Vec<u64> = ["platinum", "gold", "iron", "lead"]
            .iter()
            .map(|b| metals.get(*b).copied().unwrap_or(0))
            .collect();
        assert_eq!(metal_sizes, [1, 0, 1, 5], "{mode:?}");
    }
}

#[test]
fn n_1003_distinct_by_monetary() {
    let amounts: Vec<Decimal> = (0..1003i64)
        .map(|i| Decimal::new((i * 7919) % 1003 * 100 + 99, 2))
        .collect();
    let population = one_purchase_each(&amounts, &[]);
    let want = [
        (QuantileMode::TieAware, [201, 201, 200, 201, 200]),
        (QuantileMode::EqualCount, [201, 201, 201, 200, 200]),
    ];
    for (mode, sizes) in want {
        let (fitted, tiering) = full_pipeline(5, mode).run(&population).unwrap();
        assert_eq!(score_sizes(&tiering, "m", 5), sizes, "{mode:?}");
        let metals = counts(&tiering, "metal");
        assert_eq!(
            (
                metals["platinum"],
                metals["gold"],
                metals["iron"],
                metals["lead"]
            ),
            (11, 40, 150, 802),
            "{mode:?}"
        );
        assert_eq!(fitted.fit_size(), 1003);
        // With distinct values the model reproduces the batch labels (see `definitions`,
        // quantile scores).
        let classified = fitted.classify_all(&population);
        for column in ["m", "metal", "abc"] {
            assert_eq!(
                crate::support::column(&classified, column),
                crate::support::column(&tiering, column),
                "{mode:?} {column}"
            );
        }
    }
}

#[test]
fn recency_fewer_days_is_better() {
    let ids = ["a", "b", "c", "d", "e"];
    let population = customers(&ids, &[10; 5], &[400, 30, 20, 10, 5]);
    for mode in MODES {
        let (fitted, tiering) = full_pipeline(5, mode).run(&population).unwrap();
        assert_eq!(
            labels_of(&tiering, &ids, "r"),
            ["1", "2", "3", "4", "5"],
            "{mode:?}"
        );
        assert_eq!(score_sizes(&tiering, "r", 5), [1, 1, 1, 1, 1]);
        // A new customer who bought today is better than all of them.
        let today = customers(&["z"], &[1], &[0]);
        assert_eq!(
            fitted.classify_all(&today).label("z", "r"),
            Some(&Label::Score(5))
        );
    }
}

#[test]
fn equal_count_ntile_splits_ties_by_id() {
    let ids = [
        "C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10",
    ];
    let values = [1, 1, 1, 1, 1, 2, 2, 3, 4, 5];
    let population = customers(&ids, &values, &[10; 10]);
    let (_, tiering) = full_pipeline(5, QuantileMode::EqualCount)
        .run(&population)
        .unwrap();
    assert_eq!(
        labels_of(&tiering, &ids, "m"),
        cells(&[1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    );
    assert_eq!(score_sizes(&tiering, "m", 5), [2, 2, 2, 2, 2]);
    let (_, tiering) = full_pipeline(5, QuantileMode::TieAware)
        .run(&population)
        .unwrap();
    assert_eq!(
        labels_of(&tiering, &ids, "m"),
        cells(&[1, 1, 1, 1, 1, 3, 3, 4, 5, 5])
    );
    assert_eq!(score_sizes(&tiering, "m", 5), [5, 0, 2, 1, 2]);
}

#[test]
fn equal_count_tiebreak_is_byte_order_of_ids() {
    // Byte order: "1" < "A" < "B" < "a" < "b" (COLLATE "C"), not the order given.
    let ids = ["b", "a", "B", "A", "1", "x6", "x7", "x8", "x9", "y0"];
    let values = [1, 1, 1, 1, 1, 2, 2, 3, 4, 5];
    let population = customers(&ids, &values, &[10; 10]);
    let (_, tiering) = full_pipeline(5, QuantileMode::EqualCount)
        .run(&population)
        .unwrap();
    assert_eq!(
        labels_of(&tiering, &["1", "A", "B", "a", "b"], "m"),
        ["1", "1", "2", "2", "3"]
    );
    assert_eq!(
        labels_of(&tiering, &["x6", "x7", "x8", "x9", "y0"], "m"),
        ["3", "4", "4", "5", "5"]
    );
}

#[test]
fn customers_without_purchases_are_unscored_and_change_nobody_else() {
    let buyers = crate::support::population_of(&seeded_rows(7, 0, 60));
    let mut profiles = buyers.profiles().to_vec();
    let idle = ["idle-1", "C0", "zz", "0"];
    for id in idle {
        if buyers.get(id).is_none() {
            profiles.push(Profile::without_purchases(CustomerId::new(id).unwrap()));
        }
    }
    let with_idle = Population::new(AS_OF, profiles).unwrap();
    assert_eq!(with_idle.buyers().count(), buyers.len());
    assert!(with_idle.len() > buyers.len());
    for mode in MODES {
        let pipeline = full_pipeline(5, mode);
        let (fitted_alone, alone) = pipeline.run(&buyers).unwrap();
        let (fitted, tiering) = pipeline.run(&with_idle).unwrap();
        assert_eq!(
            fitted, fitted_alone,
            "{mode:?}: the model ignores non-buyers"
        );
        assert_eq!(fitted.fit_size(), buyers.len());
        assert_eq!(tiering.len(), with_idle.len());
        let ids: Vec<&CustomerId> = tiering.rows().map(|(id, _)| id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "rows sorted by id");
        for (id, labels) in tiering.rows() {
            match alone.get(id.as_str()) {
                Some(want) => assert_eq!(labels, want, "{mode:?} {id}"),
                None => {
                    assert_eq!(labels.len(), tiering.columns().len());
                    assert!(
                        labels
                            .iter()
                            .all(|l| *l == Label::Unscored(Unscored::NoPurchases)),
                        "{mode:?} {id}: {labels:?}"
                    );
                }
            }
        }
        // The model classifies them the same way.
        let idle_profile = with_idle.get("idle-1").unwrap();
        assert!(
            fitted
                .classify(idle_profile)
                .iter()
                .all(|l| *l == Label::Unscored(Unscored::NoPurchases))
        );
    }
}

#[test]
fn known_customers_without_purchases_come_from_finish_with() {
    let mut builder = PopulationBuilder::new(AS_OF);
    let c1 = CustomerId::new("c1").unwrap();
    builder
        .add(Transaction::new(
            c1.clone(),
            days_before(3),
            Decimal::new(1250, 2),
        ))
        .unwrap();
    // Only after the as-of date: known, but not a buyer.
    builder
        .add(Transaction::new(
            CustomerId::new("late").unwrap(),
            days_before(-1),
            Decimal::ONE,
        ))
        .unwrap();
    let known =
        ["c1", "prospect", "late"].map(|s| (CustomerId::new(s).unwrap(), Default::default()));
    let population = builder.finish_with(known).unwrap();
    let ids: Vec<&str> = population
        .profiles()
        .iter()
        .map(|p| p.customer_id.as_str())
        .collect();
    assert_eq!(ids, ["c1", "late", "prospect"]);
    let (_, tiering) = full_pipeline(5, QuantileMode::TieAware)
        .run(&population)
        .unwrap();
    assert_eq!(tiering.label("c1", "metal").unwrap().as_cell(), "platinum");
    for id in ["late", "prospect"] {
        assert_eq!(
            tiering.label(id, "r"),
            Some(&Label::Unscored(Unscored::NoPurchases)),
            "{id}"
        );
    }
    let unscored = &tiering.counts()["metal"];
    assert_eq!(unscored.get("(unscored)"), Some(&2));
}

#[test]
fn no_buyer_is_an_empty_population_error() {
    let nobody = Population::new(
        AS_OF,
        vec![Profile::without_purchases(CustomerId::new("x").unwrap())],
    )
    .unwrap();
    let empty = Population::new(AS_OF, Vec::new()).unwrap();
    for population in [nobody, empty] {
        for pipeline in [
            full_pipeline(5, QuantileMode::TieAware),
            PipelineBuilder::new()
                .classifier(ParetoParams::metals())
                .build()
                .unwrap(),
            PipelineBuilder::new()
                .classifier(rfm(3, QuantileMode::EqualCount))
                .build()
                .unwrap(),
        ] {
            match pipeline.run(&population) {
                Err(Error::EmptyPopulation { as_of }) => assert_eq!(as_of, AS_OF),
                other => panic!("expected EmptyPopulation, got {other:?}"),
            }
        }
    }
}

#[test]
fn one_buyer_is_enough() {
    // n < k is legal: the single customer scores 1 on every quantile and is platinum.
    let population = customers(&["solo"], &[5], &[1]);
    for mode in MODES {
        let (fitted, tiering) = full_pipeline(5, mode).run(&population).unwrap();
        for column in ["r", "f", "m"] {
            assert_eq!(tiering.label("solo", column), Some(&Label::Score(1)));
        }
        assert_eq!(
            tiering.label("solo", "metal").unwrap().as_cell(),
            "platinum"
        );
        assert_eq!(tiering.label("solo", "abc").unwrap().as_cell(), "a");
        assert_eq!(fitted.classify_all(&population), tiering, "{mode:?}");
    }
}
