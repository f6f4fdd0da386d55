//! What each built-in compared, held as values; their English text; their JSON.

use jiff::civil::date;
use rust_decimal::dec;
use serde_json::json;

use super::*;
use crate::attributes::AttrValue;
use crate::classify::composite::CompositeParams;
use crate::classify::grade::GradeParams;
use crate::classify::lifecycle::LifecycleParams;
use crate::classify::pareto::ParetoParams;
use crate::classify::rfm::RfmParams;
use crate::classify::{Classifier, Model};
use crate::rules::{Facts, RuleSet};
use crate::{CustomerId, Population, PopulationBuilder, Profile, Transaction};

/// C000 … spending the amounts given, one purchase each, on January 1, 2, … 2026.
fn population(amounts: &[i64]) -> Population {
    let mut b = PopulationBuilder::new(date(2026, 3, 31));
    for (i, a) in amounts.iter().enumerate() {
        let id = CustomerId::new(&format!("C{i:03}")).unwrap();
        let day = date(2026, 1, 1 + (i % 28) as i8);
        b.add(Transaction::new(id, day, Decimal::from(*a))).unwrap();
    }
    b.finish().unwrap()
}

fn prospect() -> Profile {
    Profile::without_purchases(CustomerId::new("P").unwrap())
}

#[test]
fn rfm_holds_the_value_and_cut_points_of_each_score_and_the_segment_rule() {
    let pop = population(&[1, 2, 3, 4, 5, 6, 7]);
    let model = RfmParams::default().fit(&pop).unwrap();
    let why = model.explain(pop.get("C006").unwrap());
    let columns: Vec<&str> = why.iter().map(Explanation::column).collect();
    assert_eq!(columns, ["r", "f", "m", "rfm_segment"]);
    assert_eq!(why[2].label(), &Label::Score(5));
    assert_eq!(
        why[2].reason(),
        &Reason::Score {
            metric: Metric::Monetary,
            value: dec!(7),
            cuts: vec![dec!(2), dec!(3), dec!(5), dec!(6)],
            better_than: 4,
            direction: Direction::HigherIsBetter,
            mode: QuantileMode::TieAware,
            bins: 5,
            fit_size: 7,
        }
    );
    assert_eq!(
        why[2].to_string(),
        "m = 5: monetary 7 is better than 4 of the 4 cut points [2, 3, 5, 6] (more is better; tie-aware, k = 5, fitted on 7 buyers)"
    );
    let Reason::Score {
        metric, direction, ..
    } = why[0].reason()
    else {
        panic!("{:?}", why[0])
    };
    assert_eq!(
        (*metric, *direction),
        (Metric::RecencyDays, Direction::LowerIsBetter)
    );
    let Reason::Segment { scores, map, rule } = why[3].reason() else {
        panic!("{:?}", why[3])
    };
    let [r, f, m] = model.scores(pop.get("C006").unwrap()).unwrap();
    assert_eq!((*scores, map.as_str()), ([r, f, m], "rfm-default"));
    let segments = model.params().get_segment_map().unwrap();
    let (index, matched) = segments.matching_rule(r, f, m).unwrap();
    assert_eq!(*rule, Some(index + 1));
    assert_eq!(why[3].label(), &Label::Name(matched.segment().into()));

    let no_map = RfmParams::default().segment_map(None).fit(&pop).unwrap();
    let why = no_map.explain(pop.get("C006").unwrap());
    assert_eq!(
        why[3],
        Explanation::unscored("rfm_segment", Unscored::NoSegmentMap)
    );
    assert_eq!(
        why[3].to_string(),
        "rfm_segment unscored: no segment map for these scores"
    );
    let why = model.explain(&prospect());
    assert!(why.iter().all(|e| e.reason()
        == &Reason::Unscored {
            why: Unscored::NoPurchases
        }));
}

#[test]
fn pareto_holds_the_value_and_the_thresholds_it_lies_between() {
    let amounts: Vec<i64> = (1..=100).collect();
    let pop = population(&amounts);
    let metals = ParetoParams::metals().fit(&pop).unwrap();
    let why = &metals.explain(pop.get("C098").unwrap())[0]; // spent 99
    assert_eq!(why.label(), &Label::Name("gold".into()));
    assert_eq!(
        why.reason(),
        &Reason::Band {
            metric: Metric::Monetary,
            value: dec!(99),
            basis: Basis::Count,
            direction: Direction::HigherIsBetter,
            not_positive: false,
            reaches: Some(Threshold::new("gold".into(), dec!(96))),
            short_of: Some(Threshold::new("platinum".into(), dec!(100))),
            bands: ParetoParams::metals().get_bands().to_vec(),
            fit_size: 100,
        }
    );
    assert_eq!(
        why.to_string(),
        "metal = gold: monetary 99 is at least the gold threshold 96 and is below the platinum threshold 100 (count basis, platinum 1 % / gold 4 % / iron 15 % / lead 80 %; fitted on 100 buyers)"
    );
    // The best band has nothing above it, the last no threshold of its own.
    let best = &metals.explain(pop.get("C099").unwrap())[0];
    let Reason::Band {
        reaches, short_of, ..
    } = best.reason()
    else {
        panic!("{best:?}")
    };
    assert_eq!((reaches.is_some(), short_of.is_none()), (true, true));
    let last = &metals.explain(pop.get("C000").unwrap())[0];
    let Reason::Band {
        reaches, short_of, ..
    } = last.reason()
    else {
        panic!("{last:?}")
    };
    assert_eq!(
        (reaches, short_of.as_ref().map(|t| t.band.as_str())),
        (&None, Some("iron"))
    );

    // Value basis: a refund (negative spend) is not positive, compared with nothing.
    let abc = ParetoParams::abc().fit(&pop).unwrap();
    let mut refund = prospect();
    (refund.frequency, refund.recency_days, refund.tenure_days) = (1, Some(3), Some(3));
    refund.monetary = dec!(-5.00);
    let why = &abc.explain(&refund)[0];
    let Reason::Band {
        value,
        basis,
        not_positive,
        reaches,
        short_of,
        ..
    } = why.reason()
    else {
        panic!("{why:?}")
    };
    assert_eq!(
        (*value, *basis, *not_positive, reaches, short_of),
        (dec!(-5.00), Basis::Value, true, &None, &None)
    );
    assert_eq!(
        why.to_string(),
        "abc = c: monetary -5.00 is not positive (value basis, a 80 % / b 15 % / c 5 %; fitted on 100 buyers)"
    );
    assert_eq!(
        abc.explain(&prospect())[0],
        Explanation::unscored("abc", Unscored::NoPurchases)
    );
}

#[test]
fn composite_holds_each_weight_and_percentile() {
    let pop = population(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let model = CompositeParams::value_tiers().fit(&pop).unwrap();
    let why = &model.explain(pop.get("C009").unwrap())[0];
    let Reason::Composite {
        composite,
        terms,
        bands,
        fit_size,
    } = why.reason()
    else {
        panic!("{why:?}")
    };
    assert_eq!(
        (*composite, bands.len(), *fit_size),
        (Some(dec!(0.54)), 5, 10)
    );
    let shown: Vec<(Metric, String, Option<u64>, u64)> = terms
        .iter()
        .map(|t| (t.metric, t.weight.to_string(), t.worse_than, t.buyers))
        .collect();
    // No buyer has a profit or products: their weights moved to monetary and frequency.
    assert_eq!(
        shown,
        [
            (Metric::Monetary, "0.6".into(), Some(9), 10),
            (Metric::Frequency, "0.3".into(), Some(0), 10),
            (Metric::Growth, "0.1".into(), None, 0),
        ]
    );
    assert_eq!(
        why.to_string(),
        "value_tier = vip: composite 0.54 = monetary 0.6 × 9/10 + frequency 0.3 × 0/10 + growth 0.1 × 0 (no value) (vip 2 % / a 8 % / b 20 % / c 30 % / d 40 %; fitted on 10 buyers)"
    );
    // Customers without purchases get the settings' band.
    let why = &model.explain(&prospect())[0];
    assert_eq!(
        (why.label(), why.reason()),
        (&Label::Name("d".into()), &Reason::NoPurchase)
    );
    assert_eq!(why.to_string(), "value_tier = d: no purchase");
}

#[test]
fn weights_past_the_decimal_range_stay_exact() {
    let wide = Weight::new(10u128.pow(29) + 1, 3);
    assert_eq!(wide.to_string(), "100000000000000000000000000.001");
    assert_eq!(wide.to_decimal(), None);
    assert_eq!(
        serde_json::to_string(&wide).unwrap(),
        r#""100000000000000000000000000.001""#
    );
    assert_eq!(Weight::new(5, 0).to_string(), "5");
    assert_eq!(Weight::new(250, 3).to_string(), "0.25");
    assert_eq!(Weight::new(0, 2).to_string(), "0");
    assert_eq!(Weight::new(250, 3).to_decimal(), Some(dec!(0.250)));
}

#[test]
fn grade_holds_each_dimension_level_with_its_cut_points_and_the_points() {
    let pop = population(&[100, 200, 300]);
    let model = GradeParams::four_dimension()
        .weight("value", dec!(2))
        .fit(&pop)
        .unwrap();
    let why = &model.explain(pop.get("C002").unwrap())[0];
    let Reason::Grade { dimensions, points } = why.reason() else {
        panic!("{why:?}")
    };
    let value = &dimensions[0];
    assert_eq!(
        (value.name.as_str(), value.level, value.weight),
        ("value", Level::High, dec!(2))
    );
    assert_eq!(value.tercile_cuts, Some(vec![dec!(100), dec!(200)]));
    assert_eq!(
        (dimensions[3].name.as_str(), &dimensions[3].tercile_cuts),
        ("potential", &None)
    );
    let graded = model.grade(pop.get("C002").unwrap());
    let levels: Vec<Level> = dimensions.iter().map(|d| d.level).collect();
    assert_eq!((levels, *points), (graded.levels, graded.points));
    assert_eq!(why.label(), &Label::Name(graded.grade));
    assert!(why.to_string().starts_with(
        "grade = b: value high ×2 (tercile cuts [100, 200]), need low (tercile cuts [1, 1])"
    ));
}

#[test]
fn lifecycle_holds_the_figure_that_decided_the_stage() {
    let model = LifecycleParams::default()
        .fit(&Population::new(date(2026, 3, 31), vec![]).unwrap())
        .unwrap();
    let days = |metric, days, limit, within| StageBy::Days {
        metric,
        days,
        limit,
        within,
    };
    let mut cases = Vec::new();
    let mut p = prospect();
    cases.push((
        p.clone(),
        "prospect",
        StageBy::NoPurchase { status: None },
        "no purchase",
    ));
    p.attributes
        .insert("status", AttrValue::Text("target".into()));
    let target = Some(SmolStr::new("target"));
    cases.push((
        p.clone(),
        "target",
        StageBy::NoPurchase { status: target },
        "no purchase, status is target",
    ));
    (p.frequency, p.recency_days) = (2, Some(30));
    for (tenure, recency, stage, by, text) in [
        (
            40,
            30,
            "new",
            days(Metric::TenureDays, 40, 90, true),
            "first purchase 40 days ago (≤ 90)",
        ),
        (
            400,
            30,
            "active",
            days(Metric::RecencyDays, 30, 90, true),
            "last purchase 30 days ago (≤ 90)",
        ),
        (
            400,
            200,
            "dormant",
            days(Metric::RecencyDays, 200, 365, true),
            "last purchase 200 days ago (≤ 365)",
        ),
        (
            900,
            400,
            "lost",
            days(Metric::RecencyDays, 400, 365, false),
            "last purchase 400 days ago (> 365)",
        ),
    ] {
        (p.tenure_days, p.recency_days) = (Some(tenure), Some(recency));
        cases.push((p.clone(), stage, by, text));
    }
    p.attributes
        .insert("status", AttrValue::Text("non_customer".into()));
    let status = SmolStr::new("non_customer");
    cases.push((
        p,
        "non_customer",
        StageBy::Status { status },
        "status is non_customer",
    ));
    for (profile, stage, by, text) in cases {
        let why = &model.explain(&profile)[0];
        assert_eq!(why.label(), &Label::Name(stage.into()), "{why:?}");
        assert_eq!(why.reason(), &Reason::Stage(by), "{why:?}");
        assert_eq!(why.to_string(), format!("lifecycle = {stage}: {text}"));
    }
}

#[test]
fn a_rule_set_holds_the_rules_that_fired_with_their_values() {
    let rules = RuleSet::from_toml_str(
        "t.toml",
        r#"
        name = "t"
        tiers = ["a", "b", "c"]
        default = "c"
        [[rules]]
        name = "big"
        when = " monetary >= 1000 "
        tier = "a"
        [[rules]]
        when = 'credit_rating == "D"'
        at_most = "b"
        [[rules]]
        when = 'credit_rating == "D"'
        at_least = "c"
        [[rules]]
        when = 'tier == "b"'
        tag = "upsell"
        "#,
    )
    .unwrap();
    let mut profile = prospect();
    profile.monetary = dec!(1500.00);
    profile
        .attributes
        .insert("credit_rating", AttrValue::Text("D".into()));
    let why = rules.explain(&Facts {
        profile: &profile,
        columns: &[],
        labels: &[],
    });
    let facts = |name: &str, value: FactValue| vec![Fact::new(name.into(), Some(value))];
    let credit = || facts("credit_rating", FactValue::Text("D".into()));
    let mut want = RuleTrace::new(TierDecision::Rule {
        rule: MatchedRule::new(
            1,
            Some("big".into()),
            Some("monetary >= 1000".into()),
            facts("monetary", FactValue::Number(dec!(1500.00))),
        ),
        tier: "a".into(),
    });
    want.bounds = vec![
        BoundStep::new(
            MatchedRule::new(2, None, Some(r#"credit_rating == "D""#.into()), credit()),
            Bound::AtMost,
            "b".into(),
            "a".into(),
            "b".into(),
        ),
        BoundStep::new(
            MatchedRule::new(3, None, Some(r#"credit_rating == "D""#.into()), credit()),
            Bound::AtLeast,
            "c".into(),
            "b".into(),
            "b".into(),
        ),
    ];
    want.tags = vec![TagStep::new(
        "upsell".into(),
        vec![MatchedRule::new(
            4,
            None,
            Some(r#"tier == "b""#.into()),
            facts("tier", FactValue::Tier("b".into())),
        )],
    )];
    assert_eq!(why, Explanation::rule_set("tier", Some("b".into()), want));
    assert_eq!(
        why.to_string(),
        r#"tier = b: rule 1 ("big": monetary >= 1000; monetary = 1500.00) gave a; rule 2 (credit_rating == "D"; credit_rating = D) capped it at b; rule 3 (credit_rating == "D"; credit_rating = D) floors at c: stays b; tags: upsell by rule 4 (tier == "b"; tier = b)"#
    );
}

/// Texts of [explanations](crate::definitions#explanations) from the crate's tests and docs
/// before explanations became values.
#[test]
fn the_english_text_of_each_reason_is_the_old_prose() {
    let tags = |tag: &str, rules: Vec<MatchedRule>| TagStep::new(tag.into(), rules);
    let intent = RuleSet::preset("intent").unwrap();
    let mut profile = prospect();
    profile
        .attributes
        .insert("intent", AttrValue::Text("a".into()));
    let facts = Facts {
        profile: &profile,
        columns: &[],
        labels: &[],
    };
    let mut unmatched = RuleTrace::new(TierDecision::Unmatched);
    unmatched.tags.push(tags(
        "no_intent",
        vec![MatchedRule::new(
            3,
            None,
            Some("tier is missing".into()),
            vec![Fact::new("tier".into(), None)],
        )],
    ));
    let mut default = RuleTrace::new(TierDecision::Default { tier: "a".into() });
    default.tags.push(tags(
        "alpha",
        vec![MatchedRule::new(3, None, Some("true".into()), vec![])],
    ));
    let catch_all = RuleTrace::new(TierDecision::Rule {
        rule: MatchedRule::new(2, Some("rest".into()), None, vec![]),
        tier: "b".into(),
    });
    let cases = [
        (
            intent.explain(&facts),
            r#"intent = a: rule 1 ("strong need": intent == "a"; intent = a) gave a; tags: none"#,
        ),
        (
            Explanation::rule_set("tier", None, unmatched),
            "tier = none: no tier rule matched, and unmatched customers get no tier; tags: no_intent by rule 3 (tier is missing; tier = (missing))",
        ),
        (
            Explanation::rule_set("tier", Some("a".into()), default),
            "tier = a: no tier rule matched, default a; tags: alpha by rule 3 (true)",
        ),
        (
            Explanation::rule_set("tier", Some("b".into()), catch_all),
            r#"tier = b: rule 2 ("rest": always) gave b; tags: none"#,
        ),
        (
            Explanation::new(
                "rfm_segment",
                Label::Name("loyal_customers".into()),
                Reason::Segment {
                    scores: [4, 4, 4],
                    map: "rfm-default".into(),
                    rule: Some(2),
                },
            ),
            "rfm_segment = loyal_customers: (R 4, F 4, M 4) matches rule 2 of rfm-default",
        ),
        (
            Explanation::new(
                "rfm_segment",
                Label::Name("others".into()),
                Reason::Segment {
                    scores: [4, 4, 1],
                    map: "rfm-rsquaredacademy".into(),
                    rule: None,
                },
            ),
            "rfm_segment = others: (R 4, F 4, M 1) matches no rule of rfm-rsquaredacademy, so it falls back",
        ),
        (
            Explanation::new(
                "lifecycle",
                Label::Name("dormant".into()),
                Reason::Stage(StageBy::Days {
                    metric: Metric::RecencyDays,
                    days: 200,
                    limit: 365,
                    within: true,
                }),
            ),
            "lifecycle = dormant: last purchase 200 days ago (≤ 365)",
        ),
        (
            Explanation::unscored("metal", Unscored::MissingMetric),
            "metal unscored: the metric has no value for this customer",
        ),
        (
            Explanation::text(
                "churn",
                Label::Name("at_risk".into()),
                "no order for 120 days",
            ),
            "churn = at_risk: no order for 120 days",
        ),
    ];
    for (why, old) in cases {
        assert_eq!(why.to_string(), old, "{why:?}");
    }
}

#[test]
fn explanations_serialise_with_decimals_as_strings() {
    let pop = population(&[1, 2, 3, 4, 5, 6, 7]);
    let model = RfmParams::default().fit(&pop).unwrap();
    let why = &model.explain(pop.get("C006").unwrap())[2];
    assert_eq!(
        serde_json::to_value(why).unwrap(),
        json!({
            "column": "m",
            "label": {"score": 5},
            "reason": {
                "kind": "score",
                "metric": "monetary",
                "value": "7",
                "cuts": ["2", "3", "5", "6"],
                "better_than": 4,
                "direction": "higher_is_better",
                "mode": "tie-aware",
                "bins": 5,
                "fit_size": 7
            }
        })
    );
    let unscored = Explanation::unscored("abc", Unscored::NoPurchases);
    assert_eq!(
        serde_json::to_value(&unscored).unwrap(),
        json!({
            "column": "abc",
            "label": {"unscored": "no_purchases"},
            "reason": {"kind": "unscored", "why": "no_purchases"}
        })
    );
    let stage = Explanation::new(
        "lifecycle",
        Label::Name("lost".into()),
        Reason::Stage(StageBy::Days {
            metric: Metric::RecencyDays,
            days: 400,
            limit: 365,
            within: false,
        }),
    );
    assert_eq!(
        serde_json::to_value(&stage).unwrap()["reason"],
        json!({"kind": "stage", "by": "days", "metric": "recency_days", "days": 400, "limit": 365, "within": false})
    );
    let mut trace = RuleTrace::new(TierDecision::Default { tier: "b".into() });
    trace.bounds.push(BoundStep::new(
        MatchedRule::new(
            2,
            Some("bad credit".into()),
            Some(r#"credit_rating == "D""#.into()),
            vec![Fact::new(
                "complaints".into(),
                Some(FactValue::Number(dec!(3.0))),
            )],
        ),
        Bound::AtMost,
        "c".into(),
        "b".into(),
        "c".into(),
    ));
    assert_eq!(
        serde_json::to_value(Explanation::rule_set("tier", Some("c".into()), trace)).unwrap(),
        json!({
            "column": "tier",
            "label": {"name": "c"},
            "reason": {
                "kind": "rule_set",
                "decided": {"by": "default", "tier": "b"},
                "bounds": [{
                    "rule": {
                        "number": 2,
                        "name": "bad credit",
                        "when": "credit_rating == \"D\"",
                        "facts": [{"name": "complaints", "value": {"number": "3.0"}}]
                    },
                    "bound": "at_most",
                    "target": "c",
                    "before": "b",
                    "after": "c"
                }],
                "tags": []
            }
        })
    );
    // Every kind of reason serialises (an internally tagged enum fails at run time on a
    // variant that is not a map).
    let amounts: Vec<i64> = (1..=100).collect();
    let pop = population(&amounts);
    let grade = GradeParams::four_dimension().fit(&pop).unwrap();
    let composite = CompositeParams::value_tiers().fit(&pop).unwrap();
    let metals = ParetoParams::metals().fit(&pop).unwrap();
    for profile in [pop.get("C050").unwrap(), &prospect()] {
        let mut all = grade.explain(profile);
        all.extend(composite.explain(profile));
        all.extend(metals.explain(profile));
        for why in all {
            let json = serde_json::to_value(&why).unwrap();
            assert_eq!(json["column"], why.column(), "{json}");
        }
    }
    let text = Explanation::text("churn", Label::Name("safe".into()), "fine");
    assert_eq!(
        serde_json::to_value(&text).unwrap()["reason"],
        json!({"kind": "text", "text": "fine"})
    );
    let no_purchase = Explanation::new("value_tier", Label::Name("d".into()), Reason::NoPurchase);
    assert_eq!(
        serde_json::to_value(&no_purchase).unwrap()["reason"],
        json!({"kind": "no_purchase"})
    );
}

#[test]
fn explanations_are_send_and_sync() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
    check::<Explanation>();
}
