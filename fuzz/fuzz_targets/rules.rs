//! Any bytes as a rule file, TOML and JSON: loading never panics, and what loads is
//! checked against a schema, applied and explained on edge-case customers, and saved and
//! loaded again to an equal rule set.

#![no_main]

use customer_tiering::attributes::AttrValue;
use customer_tiering::classify::Label;
use customer_tiering::rules::{Facts, RuleSet, Schema, TierRules};
use customer_tiering::{CustomerId, Profile};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fn schema() -> Schema {
    let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Schema::new()
        .label_column("metal", list(&["platinum", "gold", "iron", "lead"]), true)
        .label_column("grade", list(&["a", "b", "c", "d"]), true)
        .label_column(
            "lifecycle",
            list(&["new", "active", "dormant", "lost"]),
            false,
        )
        .score_column("r", 5)
}

fn profiles() -> [Profile; 2] {
    let empty = Profile::without_purchases(CustomerId::new("E0").expect("valid id"));
    let mut big = Profile::without_purchases(CustomerId::new("E1").expect("valid id"));
    big.recency_days = Some(i64::MAX);
    big.frequency = u64::MAX;
    big.monetary = Decimal::MAX;
    big.growth = Some(Decimal::MIN);
    big.attributes
        .insert("credit_rating", AttrValue::Text("D".into()));
    big.attributes
        .insert("satisfaction", AttrValue::Number(Decimal::MIN));
    [empty, big]
}

fn exercise(rules: &RuleSet) {
    let columns: Vec<String> = rules
        .referenced_columns()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let named: Vec<Label> = columns.iter().map(|_| Label::Name("gold".into())).collect();
    let scored: Vec<Label> = columns.iter().map(|_| Label::Score(5)).collect();
    let checked = rules.clone().with_schema(&schema()).ok();
    for profile in &profiles() {
        for labels in [&named, &scored] {
            let facts = Facts {
                profile,
                columns: &columns,
                labels,
            };
            for rules in std::iter::once(rules).chain(checked.as_ref()) {
                let outcome = rules.apply(&facts);
                assert_eq!(
                    TierRules::decide_indexed(rules, &facts, &TierRules::index_columns(rules, &columns)),
                    outcome
                );
                let _ = rules.explain(&facts);
            }
        }
    }
    let json = serde_json::to_string(rules).expect("serialises to JSON");
    let back = RuleSet::from_json_str("again.json", &json);
    assert_eq!(back.as_ref().ok(), Some(rules), "{back:?}\n{json}");
    let toml_text = toml::to_string(rules).expect("serialises to TOML");
    let back = RuleSet::from_toml_str("again.toml", &toml_text);
    assert_eq!(back.as_ref().ok(), Some(rules), "{back:?}\n{toml_text}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rules) = RuleSet::from_toml_str("fuzz.toml", text) {
        exercise(&rules);
    }
    if let Ok(rules) = RuleSet::from_json_str("fuzz.json", text) {
        exercise(&rules);
    }
});
