//! [Rule sets](customer_tiering::definitions#rule-sets-and-the-final-tier)
//! through the public API: the shipped preset and example load and validate, decide tiers,
//! caps, floors and tags as documented, and survive TOML, JSON and serde round trips
//! exactly.

use std::path::Path;

use customer_tiering::Error;
use customer_tiering::attributes::AttrValue;
use customer_tiering::classify::{Label, Unscored};
use customer_tiering::money::parse_amount;
use customer_tiering::rules::{Facts, RuleOutcome, RuleSet, Schema, TierRules, Unmatched};
use customer_tiering::{CustomerId, Profile};
use proptest::prelude::*;

const CREDIT_CAP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/rules/credit-cap.toml"
);
const INTENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/presets/rules/intent.toml");

fn list(labels: &[&str]) -> Vec<String> {
    labels.iter().map(|l| l.to_string()).collect()
}

/// The columns the credit-cap example refers to, as a pipeline would declare them.
fn schema() -> Schema {
    Schema::new()
        .score_column("r", 5)
        .score_column("f", 5)
        .score_column("m", 5)
        .label_column("rfm_segment", vec![], false)
        .label_column("grade", list(&["a", "b", "c", "d"]), true)
        .label_column(
            "lifecycle",
            list(&customer_tiering::classify::lifecycle::STAGES),
            false,
        )
        .label_column("metal", list(&["platinum", "gold", "iron", "lead"]), true)
}

fn credit_cap() -> RuleSet {
    RuleSet::from_path(CREDIT_CAP)
        .and_then(|rules| rules.with_schema(&schema()))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A customer of the credit-cap example.
#[derive(Debug, Clone, Default)]
struct Customer {
    grade: Option<&'static str>,
    metal: Option<&'static str>,
    lifecycle: Option<&'static str>,
    credit_rating: Option<&'static str>,
    complaints: Option<&'static str>,
    satisfaction: Option<&'static str>,
}

impl Customer {
    fn profile(&self) -> Profile {
        let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
        if let Some(rating) = self.credit_rating {
            profile
                .attributes
                .insert("credit_rating", AttrValue::Text(rating.into()));
        }
        for (name, value) in [
            ("complaints", self.complaints),
            ("satisfaction", self.satisfaction),
        ] {
            if let Some(value) = value {
                profile
                    .attributes
                    .insert(name, AttrValue::Number(parse_amount(value).unwrap()));
            }
        }
        profile
    }

    fn labels(&self) -> (Vec<String>, Vec<Label>) {
        let label = |value: Option<&str>| match value {
            Some(v) => Label::Name(v.into()),
            None => Label::Unscored(Unscored::NoPurchases),
        };
        (
            list(&["r", "grade", "metal", "lifecycle"]),
            vec![
                Label::Score(3),
                label(self.grade),
                label(self.metal),
                label(self.lifecycle),
            ],
        )
    }

    fn apply(&self, rules: &RuleSet) -> (RuleOutcome, String) {
        let profile = self.profile();
        let (columns, labels) = self.labels();
        let facts = Facts {
            profile: &profile,
            columns: &columns,
            labels: &labels,
        };
        let outcome = rules.apply(&facts);
        assert_eq!(
            TierRules::decide_indexed(rules, &facts, &TierRules::index_columns(rules, &columns)),
            outcome
        );
        (outcome, rules.explain(&facts).to_string())
    }
}

#[test]
fn the_shipped_files_load_and_validate() {
    let credit = credit_cap();
    assert_eq!((credit.name(), credit.column()), ("credit-cap", "tier"));
    assert_eq!(credit.tiers(), ["a", "b", "c", "d"]);
    assert_eq!(credit.default_tier(), Some("d"));
    assert_eq!(credit.referenced_columns(), ["grade", "metal", "lifecycle"]);
    RuleSet::from_path(CREDIT_CAP)
        .unwrap()
        .validate(&schema())
        .unwrap();

    let intent = RuleSet::from_path(INTENT).unwrap();
    intent.validate(&schema()).unwrap();
    assert_eq!(intent, RuleSet::preset("intent").unwrap());
    assert_eq!(
        (intent.column(), intent.unmatched()),
        ("intent", Some(Unmatched::Unscored))
    );
    assert!(
        intent.referenced_columns().is_empty(),
        "intent is an attribute"
    );
}

#[test]
fn credit_cap_decides_as_documented() {
    let rules = credit_cap();
    let cases = [
        (
            Customer {
                grade: Some("a"),
                ..Customer::default()
            },
            Some("a"),
            vec![],
        ),
        (
            Customer {
                grade: Some("d"),
                ..Customer::default()
            },
            Some("d"),
            vec![],
        ),
        (Customer::default(), Some("d"), vec![]),
        (
            Customer {
                grade: Some("a"),
                credit_rating: Some("D"),
                ..Customer::default()
            },
            Some("c"),
            vec![],
        ),
        (
            Customer {
                grade: Some("a"),
                complaints: Some("3"),
                satisfaction: Some("2.5"),
                ..Customer::default()
            },
            Some("b"),
            vec![],
        ),
        (
            Customer {
                grade: Some("a"),
                satisfaction: Some("2.99"),
                ..Customer::default()
            },
            Some("a"),
            vec!["at_risk_key_account"],
        ),
        (
            Customer {
                grade: Some("a"),
                satisfaction: Some("3"),
                ..Customer::default()
            },
            Some("a"),
            vec![],
        ),
        (
            Customer {
                grade: Some("a"),
                metal: Some("platinum"),
                lifecycle: Some("active"),
                credit_rating: Some("D"),
                ..Customer::default()
            },
            Some("b"),
            vec![],
        ),
        (
            Customer {
                grade: Some("d"),
                metal: Some("platinum"),
                lifecycle: Some("active"),
                ..Customer::default()
            },
            Some("b"),
            vec![],
        ),
        (
            Customer {
                grade: Some("c"),
                lifecycle: Some("lost"),
                satisfaction: Some("1"),
                ..Customer::default()
            },
            Some("c"),
            vec!["win_back"],
        ),
    ];
    for (customer, tier, tags) in cases {
        let (outcome, explanation) = customer.apply(&rules);
        assert_eq!(outcome.tier.as_deref(), tier, "{customer:?}: {explanation}");
        assert_eq!(outcome.tags, tags, "{customer:?}: {explanation}");
    }
    let bad_credit_platinum = Customer {
        grade: Some("a"),
        metal: Some("platinum"),
        lifecycle: Some("active"),
        credit_rating: Some("D"),
        satisfaction: Some("2"),
        ..Customer::default()
    };
    let (outcome, explanation) = bad_credit_platinum.apply(&rules);
    assert_eq!(
        (outcome.tier_rule, outcome.caps.as_slice()),
        (Some(0), &[3, 5][..])
    );
    assert_eq!(
        explanation,
        r#"tier = b: rule 1 ("grade a": grade == "a"; grade = a) gave a; rule 4 ("bad credit": credit_rating == "D"; credit_rating = D) capped it at c; rule 6 ("active platinum": metal == "platinum" and lifecycle == "active"; metal = platinum, lifecycle = active) raised it to b; tags: none"#
    );
}

#[test]
fn toml_json_and_serde_forms_are_equal() {
    let from_toml = RuleSet::from_path(CREDIT_CAP).unwrap();
    let json = serde_json::to_string_pretty(&from_toml).unwrap();
    let from_json = RuleSet::from_json_str("credit-cap.json", &json).unwrap();
    assert_eq!(from_json, from_toml);
    assert_eq!(serde_json::from_str::<RuleSet>(&json).unwrap(), from_toml);

    // A bound rule set keeps its label orders through a save and a load.
    let bound = credit_cap();
    let saved = serde_json::to_string(&bound).unwrap();
    let loaded: RuleSet = serde_json::from_str(&saved).unwrap();
    assert_eq!(loaded, bound);
    loaded.validate(&schema()).unwrap();

    // from_path reads JSON by its extension.
    let dir = std::env::temp_dir().join(format!("customer-tiering-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("credit-cap.JSON");
    std::fs::write(&path, &json).unwrap();
    let read = RuleSet::from_path(&path);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(read.unwrap(), from_toml);
}

#[test]
fn decimals_in_conditions_are_exact_and_numbers_in_fields_are_rejected() {
    let text = r#"
        name = "exact"
        tiers = ["high", "low"]
        default = "low"
        [[rules]]
        when = "monetary >= 1234.5678901234567890123456"
        tier = "high"
    "#;
    let rules = RuleSet::from_toml_str("exact.toml", text).unwrap();
    let json = serde_json::to_string(&rules).unwrap();
    assert!(
        json.contains(r#""when":"monetary >= 1234.5678901234567890123456""#),
        "{json}"
    );
    let tier = |monetary: &str| {
        let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
        profile.monetary = parse_amount(monetary).unwrap();
        let facts = Facts {
            profile: &profile,
            columns: &[],
            labels: &[],
        };
        rules.apply(&facts).tier.unwrap().to_string()
    };
    assert_eq!(tier("1234.5678901234567890123456"), "high");
    assert_eq!(tier("1234.5678901234567890123455"), "low");
    assert_eq!(tier("1234.5678901234567890123457"), "high");

    let number_field = text.replace(r#"default = "low""#, "default = 2");
    match RuleSet::from_toml_str("exact.toml", &number_field) {
        Err(Error::Parse { what, reason, .. }) => {
            assert_eq!(what, "exact.toml");
            assert!(
                reason.contains("rule files have no number fields"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn errors_name_the_file_the_rule_and_the_position() {
    let text = std::fs::read_to_string(CREDIT_CAP).unwrap();
    let broken = text.replace(
        r#"when = 'complaints >= 3'"#,
        r#"when = 'complaints >= 3 and'"#,
    );
    let err = RuleSet::from_toml_str("credit-cap.toml", &broken).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"credit-cap.toml: rule 5 ("many complaints"): when, column 20: expected a test (`name op value`), `(`, `not`, `true` or `false`, found the end of the condition"#
    );
    let unknown = text.replace(r#"metal == "platinum""#, r#"metal == "titanium""#);
    let err = RuleSet::from_toml_str("credit-cap.toml", &unknown)
        .unwrap()
        .validate(&schema())
        .unwrap_err();
    assert!(
        err.to_string().starts_with(r#"credit-cap.toml: rule 6 ("active platinum"): when, column 1: `metal == "titanium"`: "titanium" is not a known label of metal"#),
        "{err}"
    );
    // Without the label columns, the example does not validate.
    let err = RuleSet::from_path(CREDIT_CAP)
        .unwrap()
        .validate(&Schema::new())
        .unwrap_err();
    assert!(
        err.to_string().contains(r#"unknown identifier "grade""#),
        "{err}"
    );
    // A file that cannot be read.
    let missing = Path::new(CREDIT_CAP).with_file_name("no-such-rules.toml");
    assert!(matches!(
        RuleSet::from_path(&missing),
        Err(Error::Io { .. })
    ));
}

/// Tier rules that pick a tier by the `start` attribute, then caps and floors that fire
/// or not: a generated rule set and the customer it is applied to.
fn bounded(tiers: usize, start: usize, bounds: &[(bool, usize, bool)]) -> RuleOutcome {
    let names: Vec<String> = (0..tiers).map(|i| format!("\"t{i}\"")).collect();
    let mut text = format!(
        "name = \"p\"\ntiers = [{}]\ndefault = \"t0\"\n",
        names.join(", ")
    );
    for i in 0..tiers {
        text += &format!("[[rules]]\nwhen = 'start == \"t{i}\"'\ntier = \"t{i}\"\n");
    }
    for (cap, target, fires) in bounds {
        let key = if *cap { "at_most" } else { "at_least" };
        text += &format!("[[rules]]\nwhen = \"{fires}\"\n{key} = \"t{target}\"\n");
    }
    let rules = RuleSet::from_toml_str("p.toml", &text).unwrap();
    let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
    profile
        .attributes
        .insert("start", AttrValue::Text(format!("t{start}").into()));
    rules.apply(&Facts {
        profile: &profile,
        columns: &[],
        labels: &[],
    })
}

fn position(tier: Option<&str>) -> usize {
    tier.and_then(|t| t.strip_prefix('t'))
        .unwrap()
        .parse()
        .unwrap()
}

proptest! {
    #[test]
    fn a_cap_never_raises_a_tier(
        tiers in 1usize..8,
        start in any::<prop::sample::Index>(),
        caps in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 0..6),
    ) {
        let start = start.index(tiers);
        let bounds: Vec<(bool, usize, bool)> =
            caps.iter().map(|(t, fires)| (true, t.index(tiers), *fires)).collect();
        let outcome = bounded(tiers, start, &bounds);
        let got = position(outcome.tier.as_deref());
        prop_assert!(got >= start, "capped from t{} up to t{}", start, got);
        let want = bounds.iter().filter(|b| b.2).map(|b| b.1).fold(start, usize::max);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn a_floor_never_lowers_a_tier(
        tiers in 1usize..8,
        start in any::<prop::sample::Index>(),
        floors in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 0..6),
    ) {
        let start = start.index(tiers);
        let bounds: Vec<(bool, usize, bool)> =
            floors.iter().map(|(t, fires)| (false, t.index(tiers), *fires)).collect();
        let outcome = bounded(tiers, start, &bounds);
        let got = position(outcome.tier.as_deref());
        prop_assert!(got <= start, "floored from t{} down to t{}", start, got);
        let want = bounds.iter().filter(|b| b.2).map(|b| b.1).fold(start, usize::min);
        prop_assert_eq!(got, want);
    }
}

/// A rule set using every condition form there was before arithmetic (negative and
/// many-digit decimals, lists, `not`, nested groups, `is missing`, ordered labels, score
/// columns, custom and known attributes, `tier` in caps and tags).
const SAVED_FORMS: &str = r#"
name = "saved-forms"
tiers = ["a", "b", "c", "d"]
default = "d"
source = "a model.json written before conditions had arithmetic"

[[rules]]
name = "top"
when = 'metal >= "gold" and (r in [4, 5] or f == 5) and monetary >= 123.4567890123456789'
tier = "a"

[[rules]]
when = 'not (metal < "iron") and profit is not missing and growth >= -0.25'
tier = "b"

[[rules]]
when = '(recency_days <= 90 or frequency > 2) and not monetary_previous > 1000 and vip_score != -1.5'
tier = "c"

[[rules]]
when = 'credit_rating in ["C", "D"] or (complaints >= 3 and satisfaction < 2.5)'
at_most = "c"

[[rules]]
when = 'tier <= "c" and kind == "enterprise"'
at_least = "b"

[[rules]]
when = 'tier == "a" and (vip_score is missing or vip_score < 0)'
tag = "check_vip"

[[rules]]
when = 'metal not in ["lead"] and tenure_days > 365 and distinct_products >= 2'
tag = "loyal"
"#;

/// Forty customers whose metrics, attributes and labels cover the rules above.
fn saved_forms_population() -> customer_tiering::Population {
    use rust_decimal::Decimal;
    let profiles = (1..=40i64)
        .map(|i| {
            let mut p = Profile::without_purchases(CustomerId::new(&format!("S{i:02}")).unwrap());
            p.frequency = (i % 5) as u64 + 1;
            p.transactions = p.frequency + (i % 3) as u64;
            p.recency_days = Some(i * 7);
            p.tenure_days = Some(i * 30);
            p.monetary = Decimal::new(i * i * 1234, 2);
            p.monetary_current = Decimal::new(i * 500, 2);
            p.monetary_previous = Decimal::new((40 - i) * 3000, 2);
            p.profit = (i % 4 != 0).then(|| Decimal::new(i * 321, 2));
            p.distinct_products = (i % 6 != 0).then_some((i % 4) as u64);
            p.growth = (i % 7 != 0).then(|| Decimal::new(i * 3 - 60, 2));
            if i % 3 == 0 {
                let rating = ["A", "C", "D"][(i as usize / 3) % 3];
                p.attributes
                    .insert("credit_rating", AttrValue::Text(rating.into()));
            }
            if i % 4 == 1 {
                p.attributes
                    .insert("complaints", AttrValue::Number(Decimal::from(i % 5)));
                p.attributes.insert(
                    "satisfaction",
                    AttrValue::Number(Decimal::new(i * 13 % 50, 1)),
                );
            }
            if i % 5 == 2 {
                p.attributes
                    .insert("kind", AttrValue::Text("enterprise".into()));
            }
            if i % 2 == 0 {
                p.attributes
                    .insert("vip_score", AttrValue::Number(Decimal::new(i - 15, 1)));
            }
            p
        })
        .collect();
    customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), profiles).unwrap()
}

/// A model.json written before conditions had arithmetic (tests/data/rules) loads,
/// classifies and explains as it did then, and saves byte for byte as it was; fitting
/// the same rule file again writes the same file.
#[test]
fn a_model_saved_before_arithmetic_loads_and_saves_unchanged() {
    use customer_tiering::FittedPipeline;
    use customer_tiering::attributes::AttrType;
    use customer_tiering::classify::pareto::ParetoParams;
    use customer_tiering::classify::rfm::RfmParams;

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rules");
    let population = saved_forms_population();
    let rules = RuleSet::from_toml_str("saved-forms.toml", SAVED_FORMS).unwrap();
    let fitted = customer_tiering::PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .classifier(RfmParams::default())
        .attributes(&[("vip_score".to_string(), AttrType::Number)])
        .rules(rules)
        .build()
        .unwrap()
        .fit(&population)
        .unwrap();
    let saved = std::fs::read_to_string(dir.join("saved-forms-model.json")).unwrap();
    let explained = std::fs::read_to_string(dir.join("saved-forms-explained.txt")).unwrap();

    let loaded = FittedPipeline::from_json("saved-forms-model.json", &saved).unwrap();
    assert_eq!(loaded.to_json().unwrap(), saved);
    let lines: Vec<String> = population
        .profiles()
        .iter()
        .map(|p| {
            let lines: Vec<String> = loaded.explain(p).iter().map(ToString::to_string).collect();
            format!("{}: {}\n", p.customer_id, lines.join(" | "))
        })
        .collect();
    assert_eq!(lines.concat(), explained);

    assert_eq!(fitted.to_json().unwrap(), saved);
    assert_eq!(fitted, loaded);
}

/// The customers of the arithmetic pipeline: handed over as profiles
/// ([inputs](customer_tiering::definitions#inputs)), since from transactions recency never
/// exceeds tenure.
fn lapsed_population() -> customer_tiering::Population {
    let profile = |id: &str, recency: i64, tenure: i64, monetary: &str, profit: Option<&str>| {
        let mut p = Profile::without_purchases(CustomerId::new(id).unwrap());
        p.frequency = 2;
        p.transactions = 3;
        p.recency_days = Some(recency);
        p.tenure_days = Some(tenure);
        p.monetary = parse_amount(monetary).unwrap();
        p.profit = profit.map(|v| parse_amount(v).unwrap());
        p
    };
    let profiles = vec![
        profile("C1", 400, 150, "1000.00", Some("50.00")),
        profile("C2", 300, 150, "2000.00", Some("400.00")),
        profile("C3", 301, 150, "0.00", Some("1.00")),
        profile("C4", 30, 365, "500.00", None),
        Profile::without_purchases(CustomerId::new("C5").unwrap()),
    ];
    customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), profiles).unwrap()
}

#[test]
fn a_pipeline_compares_two_metrics_with_arithmetic() {
    use customer_tiering::classify::pareto::ParetoParams;
    use customer_tiering::{FittedPipeline, PipelineBuilder};

    let rules = RuleSet::from_toml_str(
        "lapsed.toml",
        r#"
        name = "lapsed"
        column = "status"
        tiers = ["lapsed", "active"]
        default = "active"

        [[rules]]
        when = 'recency_days > 2 * tenure_days'
        tier = "lapsed"

        [[rules]]
        when = 'profit / monetary < 0.1'
        tag = "thin_margin"

        [[rules]]
        when = 'not (profit / monetary >= 0.1) and metal != "platinum"'
        tag = "no_margin_known"
        "#,
    )
    .unwrap();
    let pipeline = PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .rules(rules)
        .build()
        .unwrap();
    assert_eq!(pipeline.columns(), ["metal", "status", "tags"]);
    let population = lapsed_population();
    let (fitted, tiering) = pipeline.run(&population).unwrap();
    let status = |id: &str| tiering.label(id, "status").unwrap().as_cell().into_owned();
    let tags = |id: &str| tiering.label(id, "tags").unwrap().as_cell().into_owned();
    // 400 > 300; 300 is not more than 300; 301 is; a customer without purchases has no
    // recency, so the comparison is false, as any test on a missing value is.
    let got: Vec<(String, String)> = ["C1", "C2", "C3", "C4", "C5"]
        .iter()
        .map(|id| (status(id), tags(id)))
        .collect();
    let want = [
        ("lapsed", "no_margin_known;thin_margin"),
        ("active", ""),
        ("lapsed", "no_margin_known"), // 1 / 0: neither < 0.1 nor >= 0.1
        ("active", "no_margin_known"), // no profit
        ("active", ""),                // no metal either: `metal != "platinum"` is false
    ];
    assert_eq!(
        got,
        want.map(|(s, t)| (s.to_string(), t.to_string())).to_vec()
    );

    let explain = |id: &str| {
        let why = fitted.explain(population.get(id).unwrap()).pop().unwrap();
        why.to_string()
    };
    assert_eq!(
        explain("C1"),
        "status = lapsed: rule 1 (recency_days > 2 * tenure_days; recency_days = 400, tenure_days = 150) gave lapsed; \
         tags: no_margin_known by rule 3 (not (profit / monetary >= 0.1) and metal != \"platinum\"; profit = 50.00, monetary = 1000.00, metal = lead), \
         thin_margin by rule 2 (profit / monetary < 0.1; profit = 50.00, monetary = 1000.00)"
    );
    assert!(
        explain("C3").ends_with(
            "no_margin_known by rule 3 (not (profit / monetary >= 0.1) and metal != \"platinum\"; \
             profit = 1.00, monetary = 0.00, profit / monetary = (division by zero), metal = lead)"
        ),
        "{}",
        explain("C3")
    );
    assert!(explain("C5").starts_with("status = active: no tier rule matched, default active"));

    // Saved and loaded, the pipeline decides and explains the same.
    let json = fitted.to_json().unwrap();
    assert!(
        json.contains(r#""when": "recency_days > 2 * tenure_days""#),
        "{json}"
    );
    let loaded = FittedPipeline::from_json("model.json", &json).unwrap();
    assert_eq!(loaded, fitted);
    assert_eq!(loaded.to_json().unwrap(), json);
    assert_eq!(loaded.classify_all(&population), tiering);
    assert_eq!(
        loaded
            .explain(population.get("C1").unwrap())
            .pop()
            .unwrap()
            .to_string(),
        explain("C1")
    );

    // Arithmetic on a label column is refused when the pipeline is built.
    let bad = RuleSet::from_toml_str(
        "bad.toml",
        "name = \"bad\"\ntiers = [\"a\", \"b\"]\ndefault = \"b\"\n[[rules]]\nwhen = 'monetary > 2 * metal'\ntier = \"a\"\n",
    )
    .unwrap();
    let err = PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .rules(bad)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad.toml: rule 1: when, column 16: `monetary > 2 * metal`: metal is a label column, not a number: \
         arithmetic, and comparisons with another name, need numbers"
    );
}
