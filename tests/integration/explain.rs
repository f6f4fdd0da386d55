//! Explanations as values ([explanations](customer_tiering::definitions#explanations)):
//! their English text is the one line of prose the classifiers wrote before explanations
//! became values, byte for byte. Every expected line below was recorded from that earlier
//! crate on the same data (the quickstart data with its customers file, every scheme of
//! `schemes.rs`, and a few other settings), one or more per kind of reason.

use customer_tiering::attributes::AttrValue;
use customer_tiering::classify::grade::{GradeParams, Scheme};
use customer_tiering::classify::lifecycle::LifecycleParams;
use customer_tiering::classify::pareto::{Band, Basis, ParetoParams};
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::segments::SegmentMap;
use customer_tiering::classify::{AnyModel, Classifier, Explanation, Label, Model, Reason};
use customer_tiering::rules::{Facts, RuleSet};
use customer_tiering::{CustomerId, Metric, Population, Profile};
use rust_decimal::dec;

use crate::schemes::everything;

fn text(explanations: Vec<Explanation>) -> Vec<String> {
    explanations.iter().map(ToString::to_string).collect()
}

fn customer<'a>(population: &'a Population, id: &str) -> &'a Profile {
    population.get(id).expect("customer")
}

/// The one explanation a single-column model gives `id`.
fn one(model: AnyModel, population: &Population, id: &str) -> String {
    let mut why = text(model.explain(customer(population, id)));
    assert_eq!(why.len(), 1, "{why:?}");
    why.remove(0)
}

#[test]
fn every_scheme_explains_in_the_same_words_as_before() {
    let (population, pipeline) = everything();
    let fitted = pipeline.fit(&population).expect("fits");
    assert_eq!(
        text(fitted.explain(customer(&population, "C0003"))),
        [
            "r = 5: recency_days 7 is better than 4 of the 4 cut points [411, 257, 151, 61] (fewer is better; tie-aware, k = 5, fitted on 300 buyers)",
            "f = 2: frequency 2 is better than 1 of the 4 cut points [1, 2, 2, 4] (more is better; tie-aware, k = 5, fitted on 300 buyers)",
            "m = 1: monetary 19.20 is better than 0 of the 4 cut points [28.02, 90.39, 251.18, 568.40] (more is better; tie-aware, k = 5, fitted on 300 buyers)",
            "rfm_segment = potential_loyalists: (R 5, F 2, M 1) matches rule 3 of rfm-default",
            "metal = lead: monetary 19.20 is below the iron threshold 570.54 (count basis, platinum 1 % / gold 4 % / iron 15 % / lead 80 %; fitted on 300 buyers)",
            "abc = c: monetary 19.20 is below the b threshold 152.63 (value basis, a 80 % / b 15 % / c 5 %; fitted on 300 buyers)",
            "grade = c: value low (tercile cuts [64.52, 307.15]), need mid (tercile cuts [1, 3]), relationship low (tercile cuts [269, 446]), potential low = 5 points",
            "level = level_3: purchasing_power mid (tercile cuts [14.62, 173.69]), need_clarity low, loyalty mid (tercile cuts [1, 3]), relationship low (tercile cuts [269, 446]) = 6 points",
            "value_tier = d: composite 0.213333 = monetary 0.35 × 42/300 + frequency 0.2 × 119/300 + distinct_products 0.1 × 135/300 + profit 0.25 × 48/300 + growth 0.1 × 0 (no value) (vip 2 % / a 8 % / b 20 % / c 30 % / d 40 %; fitted on 300 buyers)",
            "lifecycle = new: first purchase 15 days ago (≤ 90)",
            r#"intent = c: rule 3 ("vague need": intent == "c"; intent = c) gave c; tags: none"#,
            r#"tier = c: rule 3 ("grade c": grade == "c"; grade = c) gave c; rule 4 ("bad credit": credit_rating == "D"; credit_rating = D) caps at c: stays c; rule 5 ("many complaints": complaints >= 3; complaints = 4) caps at b: stays c; tags: none"#,
        ]
    );
    // A prospect: unscored where nothing can be ranked, the non-buyer band, its stage.
    assert_eq!(
        text(fitted.explain(customer(&population, "P0001"))),
        [
            "r unscored: no purchase on or before the as-of date",
            "f unscored: no purchase on or before the as-of date",
            "m unscored: no purchase on or before the as-of date",
            "rfm_segment unscored: no purchase on or before the as-of date",
            "metal unscored: no purchase on or before the as-of date",
            "abc unscored: no purchase on or before the as-of date",
            "grade = d: value none (tercile cuts [64.52, 307.15]), need none (tercile cuts [1, 3]), relationship none (tercile cuts [269, 446]), potential none = 0 points",
            "level = level_4: purchasing_power none (tercile cuts [14.62, 173.69]), need_clarity high, loyalty none (tercile cuts [1, 3]), relationship none (tercile cuts [269, 446]) = 3 points",
            "value_tier = d: no purchase",
            "lifecycle = target: no purchase, status is target",
            r#"intent = a: rule 1 ("strong need": intent == "a"; intent = a) gave a; tags: none"#,
            "tier = d: no tier rule matched, default d; tags: none",
        ]
    );
    let c0001 = text(fitted.explain(customer(&population, "C0001")));
    assert_eq!(
        c0001[8],
        "value_tier = d: composite 0.035167 = monetary 0.35 × 12/300 + frequency 0.2 × 0/300 + distinct_products 0.1 × 26/300 + profit 0.25 × 15/300 + growth 0.1 × 0/119 (vip 2 % / a 8 % / b 20 % / c 30 % / d 40 %; fitted on 300 buyers)"
    );
    assert_eq!(
        c0001[9],
        "lifecycle = lost: last purchase 639 days ago (> 365)"
    );
    assert_eq!(
        c0001[11],
        r#"tier = c: rule 3 ("grade c": grade == "c"; grade = c) gave c; tags: win_back by rule 7 ("win back": lifecycle == "lost"; lifecycle = lost)"#
    );
    assert_eq!(
        text(fitted.explain(customer(&population, "C0143")))[11],
        r#"tier = b: rule 2 ("grade b": grade == "b"; grade = b) gave b; rule 6 ("active platinum": metal == "platinum" and lifecycle == "active"; metal = platinum, lifecycle = active) floors at b: stays b; tags: none"#
    );
    assert_eq!(
        text(fitted.explain(customer(&population, "P0003")))[9],
        "lifecycle = non_customer: status is non_customer"
    );
}

#[test]
fn other_settings_explain_in_the_same_words_as_before() {
    let (population, _) = everything();
    let fit = |params: ParetoParams| AnyModel::new(params.fit(&population).expect("fits"));
    // Lower is better: "at most" and "above".
    let recency = fit(ParetoParams::metals()
        .metric(Metric::RecencyDays)
        .column("rmetal"));
    assert_eq!(
        one(recency, &population, "C0003"),
        "rmetal = gold: recency_days 7 is at most the gold threshold 8 and is above the platinum threshold 1 (count basis, platinum 1 % / gold 4 % / iron 15 % / lead 80 %; fitted on 300 buyers)"
    );
    // One band: nothing compared, the value alone.
    let all = vec![Band::new("all", dec!(1))];
    let single = fit(ParetoParams::new(
        "one",
        Metric::Monetary,
        Basis::Count,
        all,
    ));
    assert_eq!(
        one(single, &population, "C0003"),
        "one = all: monetary 19.20 (count basis, all 100 %; fitted on 300 buyers)"
    );
    // No growth, no fill: unscored with the reason.
    let growth = fit(ParetoParams::metals().metric(Metric::Growth).column("gx"));
    assert_eq!(
        one(growth, &population, "C0003"),
        "gx unscored: the metric has no value for this customer"
    );
    // A weight other than 1, and a table instead of points.
    let weighted = GradeParams::four_dimension()
        .weight("value", dec!(2.50))
        .weight("need", dec!(1.0));
    let weighted = AnyModel::new(weighted.fit(&population).expect("fits"));
    assert_eq!(
        one(weighted, &population, "C0003"),
        "grade = b: value low ×2.50 (tercile cuts [64.52, 307.15]), need mid (tercile cuts [1, 3]), relationship low (tercile cuts [269, 446]), potential low = 6.5 points"
    );
    let table: Scheme = toml::from_str(
        r#"
        by = "table"
        grades = ["key", "grow", "keep"]
        fallback = "keep"
        [[rows]]
        when = { value = ["high"], relationship = ["high", "mid"] }
        grade = "key"
        [[rows]]
        when = { potential = ["high"] }
        grade = "grow"
        "#,
    )
    .expect("a table");
    let dimensions = GradeParams::four_dimension().dimensions().to_vec();
    let plan = GradeParams::new("plan", dimensions, table);
    let plan = AnyModel::new(plan.fit(&population).expect("fits"));
    assert_eq!(
        one(plan, &population, "C0003"),
        "plan = keep: value low (tercile cuts [64.52, 307.15]), need mid (tercile cuts [1, 3]), relationship low (tercile cuts [269, 446]), potential low"
    );
    let stages = LifecycleParams::default()
        .column("stage")
        .dormant_days(180)
        .active_days(30)
        .new_days(10);
    let stages = AnyModel::new(stages.fit(&population).expect("fits"));
    assert_eq!(
        one(stages.clone(), &population, "C0003"),
        "stage = active: last purchase 7 days ago (≤ 30)"
    );
    assert_eq!(
        one(stages, &population, "C0012"),
        "stage = dormant: last purchase 90 days ago (≤ 180)"
    );
    // A segment map's fallback.
    let pymc = SegmentMap::preset("rfm-pymc").expect("preset");
    let rfm = RfmParams::default()
        .bins(pymc.bins())
        .segment_map(Some(pymc));
    let rfm = rfm.fit(&population).expect("fits");
    assert_eq!(
        text(rfm.explain(customer(&population, "C0003")))[3],
        "rfm_segment = other: (R 4, F 2, M 1) matches no rule of rfm-pymc, so it falls back"
    );
    // Value basis: a value that is not positive.
    let abc = fit(ParetoParams::abc());
    let mut refund = Profile::without_purchases(CustomerId::new("X2").expect("id"));
    (
        refund.frequency,
        refund.transactions,
        refund.recency_days,
        refund.tenure_days,
    ) = (3, 3, Some(10), Some(50));
    refund.monetary = dec!(-5.00);
    assert_eq!(
        text(abc.explain(&refund)),
        [
            "abc = c: monetary -5.00 is not positive (value basis, a 80 % / b 15 % / c 5 %; fitted on 300 buyers)"
        ]
    );
}

#[test]
fn rule_sets_explain_in_the_same_words_as_before() {
    let rules = RuleSet::from_toml_str(
        "r.toml",
        r#"
        name = "r"
        tiers = ["a", "b", "c", "d"]
        unmatched = "unscored"
        [[rules]]
        name = "say \"hi\" 你好"
        when = '   monetary >= 100 and r >= 4   '
        tier = "a"
        [[rules]]
        when = 'metal in ["gold", "iron"] or credit_rating is missing'
        tier = "c"
        [[rules]]
        when = 'complaints > 2'
        at_most = "b"
        [[rules]]
        when = 'complaints > 5 and tier == "b"'
        at_most = "d"
        [[rules]]
        name = "lift"
        when = 'satisfaction < 2'
        at_least = "a"
        [[rules]]
        when = 'satisfaction < 2'
        at_least = "c"
        [[rules]]
        at_most = "b"
        [[rules]]
        when = 'tier == "b" or tier is missing'
        tag = "zz"
        [[rules]]
        name = "aa1"
        when = 'growth is not missing'
        tag = "aa"
        [[rules]]
        tag = "aa"
        [[rules]]
        when = 'intent != "b" and frequency >= 1'
        tag = "mm"
        "#,
    )
    .expect("loads");
    let mut profile = Profile::without_purchases(CustomerId::new("X2").expect("id"));
    profile.monetary = dec!(123456789.123);
    profile.growth = Some(dec!(-0.00));
    for (name, value) in [
        ("credit_rating", AttrValue::Text("D".into())),
        ("complaints", AttrValue::Number(dec!(7))),
        ("satisfaction", AttrValue::Number(dec!(1.50))),
        ("intent", AttrValue::Text("b".into())),
    ] {
        profile.attributes.insert(name, value);
    }
    let columns = ["r", "metal"].map(String::from);
    let labels = [Label::Score(5), Label::Name("gold".into())];
    let facts = Facts {
        profile: &profile,
        columns: &columns,
        labels: &labels,
    };
    let why = rules.explain(&facts);
    assert!(matches!(why.reason(), Reason::RuleSet(_)));
    assert_eq!(
        why.to_string(),
        r#"tier = b: rule 1 ("say \"hi\" 你好": monetary >= 100 and r >= 4; monetary = 123456789.123, r = 5) gave a; rule 3 (complaints > 2; complaints = 7) capped it at b; rule 4 (complaints > 5 and tier == "b"; complaints = 7, tier = b) capped it at d; rule 5 ("lift": satisfaction < 2; satisfaction = 1.50) raised it to a; rule 6 (satisfaction < 2; satisfaction = 1.50) floors at c: stays a; rule 7 (always) capped it at b; tags: aa by rule 9 ("aa1": growth is not missing; growth = 0.00) and rule 10 (always), zz by rule 8 (tier == "b" or tier is missing; tier = b)"#
    );

    let (population, _) = everything();
    let labels = [Label::Score(2), Label::Name("platinum".into())];
    let facts = Facts {
        profile: customer(&population, "C0001"),
        columns: &columns,
        labels: &labels,
    };
    let why = rules.explain(&facts);
    assert!(!why.label().is_scored());
    assert_eq!(
        why.to_string(),
        r#"tier = none: no tier rule matched, and unmatched customers get no tier; tags: aa by rule 9 ("aa1": growth is not missing; growth = -1) and rule 10 (always), mm by rule 11 (intent != "b" and frequency >= 1; intent = a, frequency = 1), zz by rule 8 (tier == "b" or tier is missing; tier = (missing))"#
    );
}
