//! Rule logic written in Rust ([`TierRules`]) gives the same tiers as the equivalent TOML
//! rule set ([rule sets](customer_tiering::definitions#rule-sets-and-the-final-tier)): the
//! same `tiers.csv` and summary over generated populations with customer attributes,
//! missing ones included; and the pipeline checks what the Rust rules read when it is
//! built, as it checks a rule set: a column that no classifier writes, and an attribute
//! that is neither known nor declared, are errors naming them.

use customer_tiering::attributes::{AttrType, AttrValue, Attributes};
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::{Explanation, Label, Reads};
use customer_tiering::output::write_tiers_csv;
use customer_tiering::report::Summary;
use customer_tiering::rules::{Facts, RuleOutcome, TierRules};
use customer_tiering::{
    ConfigError, CustomerId, Error, FittedPipeline, Metric, PipelineBuilder, Population, Registry,
    RuleSet,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::support::{Row, builder_of, id, seeded_rows, tied_rows};

/// The rule set in TOML. A test on a missing value is false (`credit_rating != "D"`
/// too), so a platinum customer without a credit rating gets `a` by rule 2 only; caps
/// and floors apply in rule order; tags see the final tier.
const CREDIT: &str = r#"
    name = "credit"
    tiers = ["a", "b", "c"]
    default = "c"

    [[rules]]
    name = "top metals, good credit"
    when = 'metal >= "gold" and credit_rating != "D"'
    tier = "a"

    [[rules]]
    name = "platinum"
    when = 'metal == "platinum"'
    tier = "a"

    [[rules]]
    name = "iron or a big spender"
    when = 'metal == "iron" or monetary >= 40'
    tier = "b"

    [[rules]]
    name = "bad credit"
    when = 'credit_rating == "D"'
    at_most = "b"

    [[rules]]
    name = "managed"
    when = 'account_manager is not missing'
    at_least = "b"

    [[rules]]
    when = 'tier == "a" and monetary >= 60'
    tag = "key_account"

    [[rules]]
    when = 'credit_rating == "D"'
    tag = "check_credit"

    [[rules]]
    when = 'account_manager is not missing'
    tag = "managed"
"#;

fn credit_toml() -> RuleSet {
    RuleSet::from_toml_str("credit.toml", CREDIT).expect("a valid rule set")
}

/// The same rules in Rust.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreditRules {
    tiers: Vec<SmolStr>,
    /// The least `monetary` of a key account, as a string (exact).
    #[serde(with = "rust_decimal::serde::str")]
    key_account_from: Decimal,
    /// The least `monetary` that makes a big spender.
    #[serde(with = "rust_decimal::serde::str")]
    big_spender_from: Decimal,
}

impl CreditRules {
    fn new() -> Self {
        CreditRules {
            tiers: vec!["a".into(), "b".into(), "c".into()],
            key_account_from: Decimal::from(60),
            big_spender_from: Decimal::from(40),
        }
    }

    /// The tier (after the cap and the floor) and the tags, with why.
    fn outcome(&self, facts: &Facts<'_>) -> (&'static str, Vec<&'static str>, Vec<&'static str>) {
        let profile = facts.profile;
        // An unscored metal is the empty cell, which no test below matches.
        let metal = facts.label("metal").map(|l| l.as_cell().into_owned());
        let metal = metal.as_deref().unwrap_or_default();
        let rating = profile.attributes.text("credit_rating");
        let managed = profile.attributes.get("account_manager").is_some();
        let mut why = Vec::new();
        let mut tier = if matches!(metal, "platinum" | "gold") && rating.is_some_and(|r| r != "D") {
            why.push("top metal with good credit");
            "a"
        } else if metal == "platinum" {
            why.push("platinum");
            "a"
        } else if metal == "iron" || profile.monetary >= self.big_spender_from {
            why.push("iron or a big spender");
            "b"
        } else {
            "c"
        };
        if rating == Some("D") && tier == "a" {
            why.push("capped at b for credit D");
            tier = "b";
        }
        if managed && tier == "c" {
            why.push("raised to b: managed");
            tier = "b";
        }
        let mut tags = Vec::new();
        if tier == "a" && profile.monetary >= self.key_account_from {
            tags.push("key_account");
        }
        if rating == Some("D") {
            tags.push("check_credit");
        }
        if managed {
            tags.push("managed");
        }
        (tier, tags, why)
    }
}

impl TierRules for CreditRules {
    const KIND: &'static str = "credit_rules";

    fn name(&self) -> &str {
        "credit"
    }
    fn column(&self) -> &str {
        "tier"
    }
    fn tiers(&self) -> &[SmolStr] {
        &self.tiers
    }
    fn columns_read(&self) -> Vec<String> {
        vec!["metal".into()]
    }
    fn reads(&self) -> Reads {
        Reads::metrics([Metric::Monetary])
            .attribute("credit_rating")
            .attribute("account_manager")
    }
    fn decide(&self, facts: &Facts<'_>) -> RuleOutcome {
        let (tier, tags, _) = self.outcome(facts);
        RuleOutcome::tier(tier).with_tags(tags)
    }
    fn explain(&self, facts: &Facts<'_>) -> Explanation {
        let (tier, _, why) = self.outcome(facts);
        let why = if why.is_empty() {
            "the default".to_string()
        } else {
            why.join(", ")
        };
        Explanation::text("tier", Label::Name(tier.into()), why)
    }
}

/// `account_manager`: a custom text attribute the pipeline must be told about.
fn declared() -> [(String, AttrType); 1] {
    [("account_manager".to_string(), AttrType::Text)]
}

fn with_rules(rules: impl Into<customer_tiering::rules::AnyRules>) -> PipelineBuilder {
    PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .attributes(&declared())
        .rules(rules)
}

/// `rows`' customers with attributes: customer `i`'s credit rating is `ratings[i]`
/// (0..=3 for A..=D, 4 and beyond or past the end: none) and it has an account manager
/// when `managed[i]`; then `prospects` customers who never bought, with attributes too.
fn population(rows: &[Row], attributes: &[(u8, bool)], prospects: usize) -> Population {
    let customers = rows.iter().map(|r| r.customer + 1).max().unwrap_or(0);
    let known = (0..customers + prospects).map(|i| {
        let mut attrs = Attributes::default();
        let (rating, managed) = attributes.get(i).copied().unwrap_or((4, false));
        if let Some(letter) = ["A", "B", "C", "D"].get(usize::from(rating)) {
            attrs.insert("credit_rating", AttrValue::Text((*letter).into()));
        }
        if managed {
            attrs.insert("account_manager", AttrValue::Text("ann".into()));
        }
        let who = if i < customers {
            id(i)
        } else {
            CustomerId::new(&format!("P{i}")).expect("an id")
        };
        (who, attrs)
    });
    builder_of(rows).finish_with(known).expect("no overflow")
}

/// `tiers.csv` and the summary JSON of a pipeline's run.
fn outputs(pipeline: PipelineBuilder, population: &Population) -> (String, String) {
    let (_, tiering) = pipeline
        .build()
        .expect("builds")
        .run(population)
        .expect("fits");
    let mut csv = Vec::new();
    write_tiers_csv("tiers.csv", population, &tiering, &mut csv).expect("writes");
    let summary = Summary::new(population, &tiering).expect("sums");
    (
        String::from_utf8(csv).expect("UTF-8"),
        serde_json::to_string(&summary).expect("JSON"),
    )
}

fn agree(population: &Population) {
    let (toml_csv, toml_summary) = outputs(with_rules(credit_toml()), population);
    let (rust_csv, rust_summary) = outputs(with_rules(CreditRules::new()), population);
    assert_eq!(rust_csv, toml_csv);
    assert_eq!(rust_summary, toml_summary);
}

#[test]
fn rust_rules_give_the_tiers_and_tags_of_the_toml_rules() {
    let rows = seeded_rows(0x00c0_ffee, 0, 600);
    let attributes: Vec<(u8, bool)> = (0..620).map(|i| ((i * 7 % 6) as u8, i % 5 == 0)).collect();
    let population = population(&rows, &attributes, 20);
    agree(&population);

    // Every path of the rules is taken: each tier, each tag, the cap and the floor.
    let fitted = with_rules(CreditRules::new())
        .build()
        .expect("builds")
        .fit(&population)
        .expect("fits");
    let tiering = fitted.classify_all(&population);
    let counts = &tiering.counts()["tier"];
    assert!(
        ["a", "b", "c"].iter().all(|t| counts.contains_key(*t)),
        "{counts:?}"
    );
    let tags: Vec<String> = tiering
        .rows()
        .map(|(_, l)| l[2].as_cell().into_owned())
        .collect();
    for tag in ["key_account", "check_credit", "managed"] {
        assert!(
            tags.iter().any(|t| t.split(';').any(|x| x == tag)),
            "no {tag}"
        );
    }
    let toml = with_rules(credit_toml())
        .build()
        .expect("builds")
        .fit(&population)
        .expect("fits");
    let mut capped = 0;
    let mut floored = 0;
    for profile in population.profiles() {
        // The explanations differ in words but give the same tier.
        let (rust, toml) = (fitted.explain(profile), toml.explain(profile));
        assert_eq!(rust[1].label(), toml[1].label());
        let words = toml[1].to_string();
        capped += usize::from(words.contains("capped it at b"));
        floored += usize::from(words.contains("raised it to b"));
        if rust[1].to_string().contains("capped") {
            assert!(words.contains("capped it at b"), "{words}");
        }
    }
    assert!(
        capped > 0 && floored > 0,
        "capped {capped}, floored {floored}"
    );
}

#[test]
fn rust_rules_save_and_load_through_a_registry() {
    let rows = seeded_rows(0x00c0_ffef, 0, 100);
    let population = population(&rows, &[(3, true), (0, false), (4, true)], 2);
    let fitted = with_rules(CreditRules::new())
        .build()
        .expect("builds")
        .fit(&population)
        .expect("fits");
    let json = fitted.to_json().expect("saves");
    let err = FittedPipeline::from_json("model.json", &json).unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"unknown rule kind "credit_rules""#),
        "{err}"
    );
    let registry = Registry::builtin()
        .register_rules::<CreditRules>()
        .expect("a new kind");
    let loaded = FittedPipeline::from_json_with("model.json", &json, &registry).expect("loads");
    assert_eq!(loaded, fitted);
    assert_eq!(loaded.to_json().expect("saves"), json);
    assert_eq!(
        loaded.classify_all(&population),
        fitted.classify_all(&population)
    );
}

#[test]
fn what_rust_rules_read_is_checked_when_the_pipeline_is_built() {
    // No classifier writes `metal`: both the Rust rules and the TOML ones fail, naming it.
    let without_metal = |rules: customer_tiering::rules::AnyRules| {
        PipelineBuilder::new()
            .classifier(ParetoParams::abc())
            .attributes(&declared())
            .rules(rules)
            .build()
            .unwrap_err()
    };
    let err = without_metal(CreditRules::new().into());
    assert!(
        matches!(&err, Error::Config(ConfigError::Rules { name, .. }) if name == "credit"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        r#"rules "credit": it reads the column "metal", which no classifier or rule set before it writes"#
    );
    let err = without_metal(credit_toml().into()).to_string();
    assert!(err.contains(r#"unknown identifier "metal""#), "{err}");

    // `account_manager` not declared: both fail, naming it.
    let undeclared = |rules: customer_tiering::rules::AnyRules| {
        PipelineBuilder::new()
            .classifier(ParetoParams::metals())
            .rules(rules)
            .build()
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        undeclared(CreditRules::new().into()),
        r#"rules "credit": it reads the attribute "account_manager", which is neither a known attribute nor declared with PipelineBuilder::attributes"#
    );
    let err = undeclared(credit_toml().into());
    assert!(err.contains(r#""account_manager""#), "{err}");

    // A known attribute (credit_rating) needs no declaration; declared, both build.
    assert!(with_rules(CreditRules::new()).build().is_ok());
    assert!(with_rules(credit_toml()).build().is_ok());
}

proptest! {
    /// Populations of 1 to 120 buyers with many ties, zero and negative amounts, any mix
    /// of credit ratings (some missing) and account managers, and up to four prospects.
    #[test]
    fn generated_populations_get_the_same_tiers_from_both(
        rows in tied_rows(120),
        attributes in proptest::collection::vec((0u8..=5, any::<bool>()), 0..130),
        prospects in 0usize..=4,
    ) {
        agree(&population(&rows, &attributes, prospects));
    }
}
