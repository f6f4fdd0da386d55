//! One pipeline for every classifier: build → fit on a population → a fitted pipeline
//! (serialisable) → labels for every customer, sorted by id
//! ([determinism](crate::definitions#determinism)).
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::pareto::ParetoParams;
//! use customer_tiering::{CustomerId, FittedPipeline, PipelineBuilder, PopulationBuilder};
//! use customer_tiering::Transaction;
//! use jiff::civil::date;
//!
//! let mut orders = PopulationBuilder::new(date(2026, 3, 31));
//! for i in 1..=100i64 { // C001 spent 1, C002 spent 2, …, C100 spent 100
//!     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
//!     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
//! }
//! let population = orders.finish()?;
//!
//! let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
//! let (fitted, tiering) = pipeline.run(&population)?;
//! assert_eq!(tiering.label("C100", "metal").unwrap().to_string(), "platinum");
//! assert_eq!(tiering.counts()["metal"]["gold"], 4); // C096 … C099
//!
//! // Saved and loaded, the fitted pipeline labels everyone the same, without a refit.
//! let model = FittedPipeline::from_json("model.json", &fitted.to_json()?)?;
//! assert_eq!(model.classify_all(&population), tiering);
//! # Ok::<(), customer_tiering::Error>(())
//! ```

mod builder;
mod checks;
mod fitted;
mod tiering;

pub use builder::{Pipeline, PipelineBuilder};
pub(crate) use fitted::RuleContext;
pub use fitted::{FORMAT_VERSION, FittedPipeline};
pub use tiering::{RowIter, RowLabels, Tiering};

use crate::classify::ColumnLabels;
use crate::rules::AnyRules;

/// The column of the tags that rule sets add (`;`-joined, sorted).
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::pipeline::TAGS;
/// use customer_tiering::{PipelineBuilder, RuleSet};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=100i64 {
/// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
/// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = orders.finish()?;
/// let tags = RuleSet::from_toml_str("tags.toml", r#"
///     name = "tags"
///     tiers = ["any"]
///     default = "any"
///     [[rules]]
///     when = 'metal == "platinum"'
///     tag = "vip"
///     [[rules]]
///     when = "monetary >= 90"
///     tag = "big"
/// "#)?;
/// let pipeline = PipelineBuilder::new()
///     .classifier(ParetoParams::metals())
///     .rules(tags)
///     .build()?;
/// let (_, tiering) = pipeline.run(&population)?;
/// assert_eq!(tiering.columns(), ["metal", "tier", TAGS]);
/// // population: C001 … C100, who spent 1 … 100 on 2026-03-01 (as of 2026-03-31).
/// assert_eq!(tiering.label("C100", TAGS).unwrap().to_string(), "big;vip");
/// assert_eq!(tiering.label("C001", TAGS).unwrap().to_string(), "");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub const TAGS: &str = "tags";

/// Each rule set's column with its tiers, best first.
fn rule_set_labels(rules: &[AnyRules]) -> impl Iterator<Item = (String, ColumnLabels)> + '_ {
    rules.iter().map(|rules| {
        let tiers = rules.tiers().iter().map(ToString::to_string).collect();
        (rules.column().to_string(), ColumnLabels::ordered(tiers))
    })
}

/// The columns rule sets add: one per rule set, then `tags` ([CLI
/// files](crate::definitions#cli-files-and-exit-codes)).
fn rule_columns(rules: &[AnyRules]) -> Vec<String> {
    let mut columns: Vec<String> = rules.iter().map(|r| r.column().to_string()).collect();
    if !rules.is_empty() {
        columns.push(TAGS.to_string());
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::pareto::ParetoParams;
    use crate::classify::quantile::QuantileMode;
    use crate::classify::rfm::RfmParams;
    use crate::classify::{AnyModel, AnyParams};
    use crate::profile::{CustomerId, Population, Profile};
    use crate::rules::RuleSet;
    use crate::{PopulationBuilder, Transaction};
    use jiff::civil::date;
    use rust_decimal::Decimal;

    fn population(amounts: &[i64]) -> Population {
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for (i, a) in amounts.iter().enumerate() {
            let id = CustomerId::new(&format!("C{i:03}")).unwrap();
            b.add(Transaction::new(
                id,
                date(2026, 1, 1 + (i % 28) as i8),
                Decimal::from(*a),
            ))
            .unwrap();
        }
        b.finish().unwrap()
    }

    fn metals_and_rfm(mode: QuantileMode) -> Pipeline {
        PipelineBuilder::new()
            .classifier(RfmParams::default().mode(mode))
            .classifier(ParetoParams::metals())
            .build()
            .unwrap()
    }

    #[test]
    fn autotraits() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<FittedPipeline>();
        send_sync::<Pipeline>();
        send_sync::<Tiering>();
        send_sync::<AnyModel>();
    }

    #[test]
    fn build_rejects_clashing_columns_and_no_classifier() {
        let err = PipelineBuilder::new()
            .classifier(ParetoParams::metals())
            .classifier(ParetoParams::abc().column("metal"))
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "pipeline: a classifier writes the column \"metal\": another classifier or rule set writes it"
        );
        assert_eq!(
            PipelineBuilder::new().build().unwrap_err().to_string(),
            "pipeline: no classifier"
        );
        for (column, why) in [
            ("monetary", "that is the name of a metric"),
            ("Metal", "a column name must match [a-z][a-z0-9_]*"),
            ("tags", "that is the column of the rule sets' tags"),
            ("", "a column name must match [a-z][a-z0-9_]*"),
        ] {
            let err = PipelineBuilder::new()
                .classifier(ParetoParams::metals().column(column))
                .build()
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("pipeline: a classifier writes the column {column:?}: {why}")
            );
        }
        let bad_bins = PipelineBuilder::new()
            .classifier(RfmParams::default().bins(4))
            .build();
        assert!(
            bad_bins
                .unwrap_err()
                .to_string()
                .contains("written for k = 5")
        );
    }

    fn rule_set(column: &str, when: &str) -> RuleSet {
        RuleSet::from_toml_str(
            "r.toml",
            &format!(
                "name = \"r\"\ncolumn = \"{column}\"\ntiers = [\"a\", \"b\"]\ndefault = \"b\"\n[[rules]]\nwhen = '{when}'\ntier = \"a\"\n"
            ),
        )
        .unwrap()
    }

    #[test]
    fn a_rule_set_column_may_not_clash_with_a_metric_or_another_column() {
        for (column, why) in [
            ("monetary", "that is the name of a metric"),
            ("metal", "another classifier or rule set writes it"),
            ("tags", "that is the column of the rule sets' tags"),
            ("Tier", "a column name must match [a-z][a-z0-9_]*"),
        ] {
            let err = PipelineBuilder::new()
                .classifier(ParetoParams::metals())
                .rules(rule_set(column, "monetary > 5"))
                .build()
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("pipeline: rule set \"r\" writes the column {column:?}: {why}")
            );
        }
    }

    #[test]
    fn a_saved_pipeline_is_checked_like_fresh_settings() {
        let population = population(&(1..=100).collect::<Vec<_>>());
        let fitted = PipelineBuilder::new()
            .classifier(ParetoParams::metals())
            .rules(rule_set("tier", r#"metal == "gold""#))
            .build()
            .unwrap()
            .fit(&population)
            .unwrap();
        let json = fitted.to_json().unwrap();
        assert!(json.starts_with("{\n  \"format_version\": 1,"), "{json}");
        assert_eq!(FittedPipeline::from_json("m", &json).unwrap(), fitted);
        // Written before the version existed: the same format.
        let unversioned = json.replacen("\"format_version\": 1,", "", 1);
        assert_eq!(
            FittedPipeline::from_json("m", &unversioned).unwrap(),
            fitted
        );
        let future = json.replacen("\"format_version\": 1,", "\"format_version\": 7,", 1);
        let err = FittedPipeline::from_json("m", &future)
            .unwrap_err()
            .to_string();
        assert!(err.contains("format_version 7"), "{err}");
        // The rule set reads a label the model does not have, or a column it lacks.
        for (edit, expect) in [
            (("\\\"gold\\\"", "\\\"golden\\\""), "\"golden\""),
            (("metal ==", "metals =="), "\"metals\""),
        ] {
            let tampered = json.replacen(edit.0, edit.1, 1);
            assert_ne!(tampered, json, "{edit:?}");
            let err = FittedPipeline::from_json("m", &tampered)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("saved rule set: r.toml: rule 1") || err.contains("rule 1"),
                "{err}"
            );
            assert!(err.contains(expect), "{err}");
        }
        // A model renamed to clash with a metric.
        let clash = json.replacen("\"column\": \"metal\"", "\"column\": \"monetary\"", 1);
        let err = FittedPipeline::from_json("m", &clash)
            .unwrap_err()
            .to_string();
        assert!(err.contains("the name of a metric"), "{err}");
    }

    #[test]
    fn no_buyers_is_an_error_naming_the_date() {
        let empty = Population::new(
            date(2026, 3, 31),
            vec![Profile::without_purchases(CustomerId::new("x").unwrap())],
        )
        .unwrap();
        let err = metals_and_rfm(QuantileMode::TieAware)
            .run(&empty)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the scored population is empty: no customer has a purchase on or before 2026-03-31"
        );
    }

    #[test]
    fn fitted_models_reproduce_the_run_and_round_trip() {
        let pop = population(&[5, 5, 5, 7, 9, 9, 12, 40, 40, 41, 300, -3, 0]);
        for mode in [QuantileMode::TieAware, QuantileMode::EqualCount] {
            let (fitted, tiering) = metals_and_rfm(mode).run(&pop).unwrap();
            let loaded = FittedPipeline::from_json("m", &fitted.to_json().unwrap()).unwrap();
            assert_eq!(loaded, fitted);
            assert_eq!(loaded.classify_all(&pop), fitted.classify_all(&pop));
            if mode == QuantileMode::TieAware {
                assert_eq!(fitted.classify_all(&pop), tiering);
            }
        }
    }

    /// Profiles of every shape a classifier meets: non-buyers, a buyer without
    /// recency, mixed scales, negative and zero money, missing profits and growth,
    /// attributes; more than one piece of classify_all.
    fn assorted(customers: usize) -> Population {
        use crate::attributes::{AttrValue, Attributes};
        let mut state = 7u64;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let profiles = (0..customers)
            .map(|c| {
                let id = CustomerId::new(&format!("C{c:06}")).unwrap();
                let mut attributes = Attributes::default();
                if next() % 3 == 0 {
                    let intent = ["a", "b", "c", "z"][(next() % 4) as usize];
                    attributes.insert("intent", AttrValue::Text(intent.into()));
                    let status = ["target", "non_customer", "prospect"][(next() % 3) as usize];
                    attributes.insert("status", AttrValue::Text(status.into()));
                    let rating = ["A", "D"][(next() % 2) as usize];
                    attributes.insert("credit_rating", AttrValue::Text(rating.into()));
                    let complaints = Decimal::from(next() % 5);
                    attributes.insert("complaints", AttrValue::Number(complaints));
                }
                if next() % 10 == 0 {
                    return Profile {
                        attributes,
                        ..Profile::without_purchases(id)
                    };
                }
                let frequency = 1 + (next() % 6) * (next() % 3);
                let tenure = (next() % 800) as i64;
                let money = |next: &mut dyn FnMut() -> u64| {
                    // Now and then a mantissa past 64 bits: no integer key.
                    if next().is_multiple_of(500) {
                        let m = (1i128 << 70) + i128::from(next() % 1000);
                        return Decimal::from_i128_with_scale(m, (next() % 3) as u32);
                    }
                    let m = (next() % 4000) as i64 - 500;
                    Decimal::new(m * 10i64.pow((next() % 2) as u32), (next() % 3) as u32)
                };
                let previous = if next() % 4 == 0 {
                    Decimal::ZERO
                } else {
                    money(&mut next)
                };
                Profile {
                    recency_days: (next() % 50 != 0).then(|| (next() % (tenure as u64 + 1)) as i64),
                    frequency,
                    transactions: frequency + next() % 3,
                    monetary: money(&mut next),
                    profit: (next() % 2 == 0).then(|| money(&mut next)),
                    tenure_days: Some(tenure),
                    monetary_current: money(&mut next),
                    monetary_previous: previous,
                    growth: (previous > Decimal::ZERO)
                        .then(|| Decimal::new((next() % 21) as i64 - 10, 1)),
                    attributes,
                    ..Profile::without_purchases(id)
                }
            })
            .collect();
        Population::new(date(2026, 3, 31), profiles).unwrap()
    }

    #[test]
    fn built_in_codes_label_as_the_models_do_in_any_number_of_threads() {
        use crate::classify::missing::MissingPolicy;
        use crate::classify::segments::SegmentMap;
        use crate::presets;
        use crate::profile::{Direction, Metric};
        let population = assorted(40_000);
        let mut classifiers: Vec<AnyParams> = presets::CLASSIFIER_KEYS
            .iter()
            .map(|key| presets::classifier(key).unwrap())
            .collect();
        classifiers.extend([
            RfmParams::default().into(),
            RfmParams::default()
                .bins(4)
                .segment_map(Some(SegmentMap::preset("rfm-pymc").unwrap()))
                .into(),
            RfmParams::default().bins(3).segment_map(None).into(),
            ParetoParams::metals()
                .metric(Metric::Profit)
                .missing(MissingPolicy::FillMedian)
                .column("profit_metal")
                .into(),
            ParetoParams::metals()
                .metric(Metric::Profit)
                .column("profit_only")
                .into(),
            ParetoParams::metals()
                .metric(Metric::RecencyDays)
                .column("recent")
                .into(),
            ParetoParams::metals()
                .metric(Metric::Frequency)
                .direction(Direction::LowerIsBetter)
                .column("rare")
                .into(),
        ]);
        let rules = RuleSet::from_toml_str(
            "credit-cap.toml",
            include_str!("../../examples/rules/credit-cap.toml"),
        )
        .unwrap();
        // Each classifier alone (its codes go to the tiering by columns), then one
        // with rules (every row is built, and the rules read it).
        let mut builders: Vec<PipelineBuilder> = classifiers
            .iter()
            .map(|params| PipelineBuilder::new().classifier(params.clone()))
            .collect();
        builders.push(
            PipelineBuilder::new()
                .classifier(classifiers[0].clone())
                .classifier(ParetoParams::metals())
                .classifier(presets::classifier("lifecycle").unwrap())
                .rules(rules.clone()),
        );
        for builder in builders {
            let fitted = builder.build().unwrap().fit(&population).unwrap();
            let (general, _) = fitted.label_all(&population, &[], false);
            let (coded, _) = fitted.label_all(&population, &[], true);
            assert_eq!(coded, general, "{:?}", fitted.columns());
            for column in 0..coded.columns().len() {
                // The same encoding too: dictionaries in order of first use.
                assert_eq!(coded.dictionary(column), general.dictionary(column));
            }
            #[cfg(feature = "parallel")]
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let again = pool.install(|| fitted.classify_all(&population));
                assert_eq!(again, coded, "{threads} threads");
                for column in 0..coded.columns().len() {
                    assert_eq!(again.dictionary(column), coded.dictionary(column));
                    let codes =
                        |t: &Tiering| (0..t.len()).map(|r| t.code(r, column)).collect::<Vec<_>>();
                    assert_eq!(codes(&again), codes(&coded));
                }
            }
        }
    }

    #[test]
    fn explain_names_cut_points_and_thresholds() {
        let pop = population(&[1, 2, 3, 4, 5, 6, 7]);
        let fitted = metals_and_rfm(QuantileMode::TieAware).fit(&pop).unwrap();
        let lines: Vec<String> = fitted
            .explain(pop.get("C006").unwrap())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(lines.len(), 5);
        assert!(
            lines[2]
                .starts_with("m = 5: monetary 7 is better than 4 of the 4 cut points [2, 3, 5, 6]"),
            "{}",
            lines[2]
        );
        assert!(
            lines[4]
                .starts_with("metal = platinum: monetary 7 is at least the platinum threshold 7"),
            "{}",
            lines[4]
        );
    }
}
