//! [CLI files](customer_tiering::definitions#cli-files-and-exit-codes): "A panic is a bug
//! whatever the input". The loaders of rule sets, segment maps, saved pipelines and live
//! tiering snapshots return `Ok` or `Err` for any bytes, any text, and valid documents
//! mutated in hostile ways (extreme decimals, huge and negative numbers, NUL bytes, very
//! long names, deep nesting, duplicate keys, wrong types, emptied and lengthened arrays,
//! swapped strings). What loads is then used (checked against a schema, applied, explained,
//! classified with, saved and loaded again), and must not panic either.

use std::sync::OnceLock;

use customer_tiering::Registry;
use customer_tiering::attributes::AttrValue;
use customer_tiering::classify::Label;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::segments::{SegmentMap, SegmentRule};
use customer_tiering::incremental::TieringState;
use customer_tiering::presets::{CLASSIFIER_KEYS, classifier};
use customer_tiering::rules::{Facts, RuleSet, Schema, TierRules};
use customer_tiering::{CustomerId, FittedPipeline, PipelineBuilder, Population, Profile};
use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{AS_OF, population_of, seeded_rows};

// ---- hostile pieces ----

/// Decimals and numbers at and past every limit: 28 and 29+ digits, the largest and
/// smallest `Decimal`, signs, exponents, grouping.
const EXTREME_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-0.00",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "792281625142643375935439503350",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "1234567890123456789012345678.9",
    "99999999999999999999999999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "1e3",
    "1e400",
    "1_000",
    "+5",
    ".5",
    "5.",
    "00000000000000000000000000000000001",
];

/// Texts that break naive code: empty, whitespace, NUL and control bytes, quotes and
/// escapes, separators, non-ASCII, keywords.
const HOSTILE_TEXTS: &[&str] = &[
    "",
    " ",
    " a",
    "a ",
    "\0",
    "a\0b",
    "\u{7f}",
    "\n",
    "\r\n",
    "\t",
    "\"",
    "'",
    "\\",
    "a;b",
    ",",
    "é",
    "重點",
    "\u{feff}",
    "\u{202e}",
    "a",
    "b",
    "c",
    "tier",
    "metal",
    "monetary",
    "and",
    "others",
    "NaN",
    "2026-02-30",
];

/// Tokens of the condition language and near misses, for token soups.
const WHEN_TOKENS: &[&str] = &[
    "a",
    "metal",
    "monetary",
    "recency_days",
    "frequency",
    "growth",
    "r",
    "tier",
    "credit_rating",
    "satisfaction",
    "x_________________________________________________________________long",
    "and",
    "or",
    "not",
    "in",
    "is",
    "missing",
    "true",
    "false",
    "(",
    ")",
    "[",
    "]",
    ",",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "=",
    "!",
    "\"a\"",
    "\"b\"",
    "\"gold\"",
    "\"\\\"\"",
    "\"\\\\\"",
    "\"\0\"",
    "\"",
    "1",
    "-2.5",
    "3",
    "\0",
    "é",
    ".",
    "-",
];

fn extreme_number() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(EXTREME_NUMBERS).prop_map(str::to_string),
        1 => "-?[0-9]{1,40}(\\.[0-9]{1,40})?",
        1 => any::<i64>().prop_map(|n| n.to_string()),
    ]
}

/// A score of a segment map: mostly in `1..=10`, sometimes anything.
fn score() -> impl Strategy<Value = u8> {
    prop_oneof![6 => 1u8..=10, 1 => any::<u8>()]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(HOSTILE_TEXTS).prop_map(str::to_string),
        2 => "\\PC{0,12}",
        1 => "[\\x00-\\x1f]{1,4}",
        1 => (1usize..20_000).prop_map(|n| "x".repeat(n)),
        1 => extreme_number(),
    ]
}

/// A JSON value of any type, mostly not the one expected where it lands.
fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        proptest::sample::select(vec![
            0i64, -1, 1, 2, 3, 4, 5, 10, 11, 255, 256, 65_535, 65_536
        ])
        .prop_map(|n| json!(n)),
        proptest::sample::select(vec![0.5, -0.0, 1e308, -1e308, 1e-308, 4.9e-324])
            .prop_map(|f| json!(f)),
        hostile_text().prop_map(Value::String),
        extreme_number().prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!([[[[[[[[]]]]]]]])),
        Just(json!([1, 1])),
        Just(json!(["a", "a"])),
    ]
}

/// A string where one is expected, or (one time in five) a value of another type.
fn text_or_wrong() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => hostile_text().prop_map(Value::String),
        1 => hostile_value(),
    ]
}

/// A condition from tokens, with hostile prefixes: deep parentheses, `not` chains.
fn hostile_when() -> impl Strategy<Value = String> {
    (
        vec(
            prop_oneof![
                6 => proptest::sample::select(WHEN_TOKENS).prop_map(str::to_string),
                1 => extreme_number(),
                1 => hostile_text().prop_map(|t| format!("{t:?}")),
            ],
            0..24,
        ),
        0usize..200,
        0usize..200,
        0usize..100,
    )
        .prop_map(|(words, open, close, nots)| {
            format!(
                "{}{}{}{}",
                "not ".repeat(nots),
                "(".repeat(open),
                words.join(" "),
                ")".repeat(close)
            )
        })
}

/// A condition that parses (mostly), built from the grammar with hostile literals: extreme
/// decimals, texts with NUL and control characters, nesting up to the limit.
fn grammar_when() -> impl Strategy<Value = String> {
    let subject = proptest::sample::select(vec![
        "monetary",
        "recency_days",
        "frequency",
        "growth",
        "tenure_days",
        "metal",
        "grade",
        "lifecycle",
        "r",
        "credit_rating",
        "satisfaction",
        "intent",
        "tier",
        "x",
    ]);
    let literal = prop_oneof![
        extreme_number(),
        proptest::sample::select(vec!["\"gold\"", "\"a\"", "\"c\"", "\"D\"", "\"lost\""])
            .prop_map(str::to_string),
        hostile_text()
            .prop_map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))),
    ];
    let op = proptest::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
    let leaf = prop_oneof![
        (subject.clone(), op, literal.clone()).prop_map(|(s, o, l)| format!("{s} {o} {l}")),
        (subject.clone(), any::<bool>(), vec(literal, 1..5)).prop_map(|(s, not, list)| {
            format!(
                "{s} {}in [{}]",
                if not { "not " } else { "" },
                list.join(", ")
            )
        }),
        (subject, any::<bool>())
            .prop_map(|(s, not)| { format!("{s} is {}missing", if not { "not " } else { "" }) }),
        Just("true".to_string()),
    ];
    leaf.prop_recursive(6, 40, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 2..5).prop_map(|items| items.join(" and ")),
            vec(inner.clone(), 2..5).prop_map(|items| items.join(" or ")),
            inner.clone().prop_map(|c| format!("not {c}")),
            inner.prop_map(|c| format!("({c})")),
        ]
    })
}

/// One edit of a document's text.
#[derive(Debug, Clone)]
enum Edit {
    /// Removes the chars in `from..from + len` (positions taken modulo the length).
    Delete(usize, usize),
    /// Repeats the chars in `from..from + len` right after themselves (duplicate keys,
    /// tables, array entries).
    Duplicate(usize, usize),
    /// Inserts a text.
    Insert(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete(at, len)),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Edit::Duplicate(at, len)),
        (
            any::<usize>(),
            prop_oneof![
                hostile_text(),
                extreme_number(),
                proptest::sample::select(vec![
                    "[",
                    "]",
                    "{",
                    "}",
                    "\"",
                    "'",
                    "=",
                    ",",
                    ":",
                    "\n",
                    "[[rules]]\n",
                    "#",
                    "\\u0000",
                    "\\",
                    "[[[[[[[[[[[[[[[[[[[[",
                    "true",
                    "null",
                    "(",
                    ")",
                    " + monetary",
                    " - ",
                    " * -",
                    "/ 0",
                    " / recency_days",
                ])
                .prop_map(str::to_string),
            ]
        )
            .prop_map(|(at, text)| Edit::Insert(at, text)),
    ]
}

/// `text` with the edits applied, on char boundaries (the loaders take `&str`).
fn edited(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let n = chars.len().max(1);
        match edit {
            Edit::Delete(at, len) => {
                let from = at % n;
                let to = (from + len).min(chars.len());
                if from < to {
                    chars.drain(from..to);
                }
            }
            Edit::Duplicate(at, len) => {
                let from = at % n;
                let to = (from + len).min(chars.len());
                if from < to {
                    let copy: Vec<char> = chars[from..to].to_vec();
                    chars.splice(to..to, copy);
                }
            }
            Edit::Insert(at, text) => {
                let at = at % (chars.len() + 1);
                chars.splice(at..at, text.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// One structural change of a JSON document, at the node a selector picks.
#[derive(Debug, Clone)]
enum Mutation {
    /// The node becomes this value (numbers replaced by extremes, strings by hostile
    /// texts, anything by another type).
    Replace(Value),
    /// An array or object loses every entry.
    Empty,
    /// An array gets its entries repeated `n` more times (or a hostile one appended).
    Lengthen(usize, Value),
    /// An array or object loses one entry.
    RemoveOne(usize),
    /// An object gets a key it does not know.
    UnknownKey,
    /// The node's value and another node's value trade places.
    SwapWith(usize),
    /// A number becomes another number, a string another string (of the same kind when
    /// it reads as a decimal): the document keeps its shape, the values go to extremes.
    SameType(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => hostile_value().prop_map(Mutation::Replace),
        1 => Just(Mutation::Empty),
        1 => (1usize..4, hostile_value()).prop_map(|(n, v)| Mutation::Lengthen(n, v)),
        1 => any::<usize>().prop_map(Mutation::RemoveOne),
        1 => Just(Mutation::UnknownKey),
        2 => any::<usize>().prop_map(Mutation::SwapWith),
        4 => prop_oneof![extreme_number(), hostile_text()].prop_map(Mutation::SameType),
    ]
}

/// The number of nodes of a JSON tree (pre-order).
fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The `n`-th node of a JSON tree in pre-order.
fn nth_node(value: &mut Value, n: usize) -> Option<&mut Value> {
    if n == 0 {
        return Some(value);
    }
    let mut n = n - 1;
    let children: Vec<&mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(map) => map.values_mut().collect(),
        _ => return None,
    };
    for child in children {
        let size = count_nodes(child);
        if n < size {
            return nth_node(child, n);
        }
        n -= size;
    }
    None
}

/// Applies mutations, each at the node `selector % nodes` picks.
fn mutate(mut doc: Value, mutations: &[(usize, Mutation)]) -> Value {
    for (selector, mutation) in mutations {
        let nodes = count_nodes(&doc);
        let at = selector % nodes;
        if let Mutation::SwapWith(other) = mutation {
            let other = other % nodes;
            // Swapping a node with one inside it would lose a subtree: take a copy.
            let theirs = nth_node(&mut doc, other).map(|v| v.clone());
            let ours = nth_node(&mut doc, at).map(|v| v.clone());
            if let (Some(theirs), Some(ours)) = (theirs, ours) {
                if let Some(node) = nth_node(&mut doc, at) {
                    *node = theirs;
                }
                if count_nodes(&doc) > other
                    && let Some(node) = nth_node(&mut doc, other)
                {
                    *node = ours;
                }
            }
            continue;
        }
        let Some(node) = nth_node(&mut doc, at) else {
            continue;
        };
        match (mutation, node) {
            (Mutation::Replace(value), node) => *node = value.clone(),
            (Mutation::Empty, Value::Array(items)) => items.clear(),
            (Mutation::Empty, Value::Object(map)) => map.clear(),
            (Mutation::Lengthen(n, extra), Value::Array(items)) => {
                let copy = items.clone();
                for _ in 0..*n {
                    items.extend(copy.iter().cloned());
                }
                items.push(extra.clone());
            }
            (Mutation::RemoveOne(i), Value::Array(items)) if !items.is_empty() => {
                let i = i % items.len();
                items.remove(i);
            }
            (Mutation::RemoveOne(i), Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().nth(i % map.len()).cloned();
                if let Some(key) = key {
                    map.remove(&key);
                }
            }
            (Mutation::SameType(text), node @ Value::Number(_)) => {
                *node = serde_json::from_str::<Value>(text)
                    .ok()
                    .filter(Value::is_number)
                    .unwrap_or_else(|| json!(u64::MAX));
            }
            (Mutation::SameType(text), Value::String(old)) => {
                let numeric = old.parse::<f64>().is_ok();
                *old = match (numeric, text.parse::<f64>().is_ok()) {
                    (true, false) => "-79228162514264337593543950335".into(),
                    _ => text.clone(),
                };
            }
            (Mutation::UnknownKey, Value::Object(map)) => {
                map.insert("unknown_key".into(), json!("x"));
            }
            _ => {}
        }
    }
    doc
}

// ---- what loads is used ----

/// A schema that knows the columns the sample rule sets name.
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

/// Profiles at the edges: no purchases, and every metric and attribute at an extreme.
fn edge_profiles() -> Vec<Profile> {
    let empty = Profile::without_purchases(CustomerId::new("E0").expect("valid id"));
    let mut big = Profile::without_purchases(CustomerId::new("E1").expect("valid id"));
    big.recency_days = Some(i64::MAX);
    big.frequency = u64::MAX;
    big.transactions = u64::MAX;
    big.monetary = Decimal::MAX;
    big.profit = Some(Decimal::MIN);
    big.tenure_days = Some(i64::MIN);
    big.distinct_products = Some(u64::MAX);
    big.monetary_current = Decimal::MAX;
    big.monetary_previous = Decimal::MIN;
    big.growth = Some(Decimal::MAX);
    big.attributes
        .insert("credit_rating", AttrValue::Text("D".into()));
    big.attributes
        .insert("satisfaction", AttrValue::Number(Decimal::MIN));
    big.attributes
        .insert("complaints", AttrValue::Number(Decimal::MAX));
    big.attributes
        .insert("intent", AttrValue::Text("\0".into()));
    let mut small = big.clone();
    small.customer_id = CustomerId::new("E2").expect("valid id");
    small.recency_days = Some(i64::MIN);
    small.monetary = Decimal::MIN;
    small.growth = Some(Decimal::MIN);
    small.frequency = 0;
    vec![empty, big, small]
}

/// Applies and explains a loaded rule set, checks it against a schema, and saves and
/// loads it again in both formats: the same rule set comes back.
fn exercise_rules(rules: &RuleSet) -> Result<(), TestCaseError> {
    let columns: Vec<String> = rules
        .referenced_columns()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let label_sets = [
        columns
            .iter()
            .map(|_| Label::Name("gold".into()))
            .collect::<Vec<_>>(),
        columns.iter().map(|_| Label::Score(5)).collect(),
        columns
            .iter()
            .map(|_| Label::Name("\0".into()))
            .collect::<Vec<_>>(),
    ];
    let checked = rules.clone().with_schema(&schema()).ok();
    for profile in edge_profiles() {
        for labels in &label_sets {
            let facts = Facts {
                profile: &profile,
                columns: &columns,
                labels,
            };
            for rules in std::iter::once(rules).chain(checked.as_ref()) {
                let outcome = rules.apply(&facts);
                prop_assert_eq!(
                    TierRules::decide_indexed(
                        rules,
                        &facts,
                        &TierRules::index_columns(rules, &columns)
                    ),
                    outcome
                );
                let _ = rules.explain(&facts);
            }
        }
    }
    let json = serde_json::to_string(rules).expect("a rule set serialises to JSON");
    let back = RuleSet::from_json_str("again.json", &json);
    prop_assert_eq!(back.as_ref().ok(), Some(rules), "{:?}\n{}", back, json);
    let toml_text = toml::to_string(rules).expect("a rule set serialises to TOML");
    let back = RuleSet::from_toml_str("again.toml", &toml_text);
    prop_assert_eq!(back.as_ref().ok(), Some(rules), "{:?}\n{}", back, toml_text);
    Ok(())
}

/// Uses a loaded segment map: checks it, looks up scores inside and outside `1..=k`, and
/// round-trips it.
fn exercise_map(map: &SegmentMap) -> Result<(), TestCaseError> {
    let report = map.check();
    let _ = report.to_string();
    let k = map.bins();
    for r in [0, 1, k, k.saturating_add(1), u8::MAX] {
        for f in [0, 1, k, u8::MAX] {
            for m in [0, 1, k, u8::MAX] {
                let _ = map.segment(r, f, m);
                let _ = map.matching_rule(r, f, m);
            }
        }
    }
    for label in map.labels() {
        let _ = map.display_name(label, "zh-Hant");
        let _ = map.display_name(label, "\0");
    }
    let json = serde_json::to_string(map).expect("a map serialises");
    let back = SegmentMap::from_json_str("again.json", &json);
    prop_assert_eq!(back.as_ref().ok(), Some(map), "{:?}", back);
    let _ = customer_tiering::classify::Classifier::validate(
        &RfmParams::default().bins(k).segment_map(Some(map.clone())),
    );
    Ok(())
}

/// Classifies and explains with a loaded pipeline, and round-trips it.
/// Loads a saved pipeline from `text` and, when it loads, uses it every way.
fn load_and_exercise(text: &str) -> Result<(), TestCaseError> {
    match FittedPipeline::from_json("m.json", text) {
        Ok(fitted) => exercise_pipeline(&fitted),
        Err(_) => Ok(()),
    }
}

fn exercise_pipeline(fitted: &FittedPipeline) -> Result<(), TestCaseError> {
    let population = Population::new(AS_OF, edge_profiles());
    for profile in edge_profiles() {
        let _ = fitted.classify(&profile);
        let _ = fitted.explain(&profile);
    }
    if let Ok(population) = population {
        let _ = fitted.classify_all(&population);
        let _ = fitted.missing_data(&population);
    }
    let _ = (
        fitted.columns(),
        fitted.label_orders(),
        fitted.column_labels(),
    );
    let json = fitted.to_json().expect("a loaded pipeline saves");
    let back = FittedPipeline::from_json("again.json", &json);
    prop_assert_eq!(
        back.as_ref().ok(),
        Some(fitted),
        "{:?}",
        back.as_ref().err()
    );
    Ok(())
}

// ---- valid documents to mutate ----

const CREDIT_CAP: &str = include_str!("../../../examples/rules/credit-cap.toml");
const INTENT: &str = include_str!("../../../presets/rules/intent.toml");
const MAPS: [&str; 3] = [
    include_str!("../../../presets/rfm/rfm-default.toml"),
    include_str!("../../../presets/rfm/rfm-rsquaredacademy.toml"),
    include_str!("../../../presets/rfm/rfm-pymc.toml"),
];

/// A rule set in JSON using every feature: label orders, tier info, every outcome.
fn rules_json() -> Value {
    let rules = RuleSet::from_toml_str("credit-cap.toml", CREDIT_CAP)
        .and_then(|r| r.with_schema(&schema()))
        .expect("the example loads");
    let mut doc = serde_json::to_value(&rules).expect("serialises");
    doc["rules"]
        .as_array_mut()
        .expect("rules")
        .push(json!({"name": "lists", "when": "r in [1, 2] and monetary not in [-0.5, 79228162514264337593543950335] or not (recency_days is missing)", "tag": "t"}));
    doc
}

/// The classifier preset whose model is the composite one.
const COMPOSITE: &str = "value-tiers";

/// A pipeline with the classifier presets, RFM with its segment map, and two rule sets
/// (one over the grade, metal and lifecycle columns), fitted on seeded data: its JSON
/// holds every kind of saved model but the composite one; with `composite`, RFM, the
/// composite model and one rule set.
///
/// The composite model's arithmetic is being rewritten elsewhere; edited saved composite
/// models still panic when classifying (see `composite_model_loader_survives_mutated_models`).
fn fitted_json(composite: bool) -> &'static Value {
    static FITTED: [OnceLock<Value>; 2] = [OnceLock::new(), OnceLock::new()];
    FITTED[usize::from(composite)].get_or_init(|| {
        let mut builder = PipelineBuilder::new().classifier(RfmParams::default());
        for key in CLASSIFIER_KEYS {
            if (*key == COMPOSITE) == composite {
                builder = builder.classifier(classifier(key).expect("a preset"));
            }
        }
        if !composite {
            let credit = RuleSet::from_toml_str("credit-cap.toml", CREDIT_CAP).expect("loads");
            builder = builder.rules(credit);
        }
        let intent = RuleSet::from_toml_str("intent.toml", INTENT).expect("loads");
        let pipeline = builder.rules(intent).build().expect("valid");
        let population = population_of(&seeded_rows(7, 0, 120));
        let fitted = pipeline.fit(&population).expect("fits");
        serde_json::from_str(&fitted.to_json().expect("saves")).expect("JSON")
    })
}

/// Loads a rule set from the text in every way (TOML, JSON, and a file of each kind),
/// and uses what loads.
fn load_rules_every_way(text: &str) -> Result<(), TestCaseError> {
    for rules in [
        RuleSet::from_toml_str("t.toml", text),
        RuleSet::from_json_str("t.json", text),
        serde_json::from_str::<RuleSet>(text).map_err(|e| customer_tiering::Error::Parse {
            what: "serde".into(),
            reason: e.to_string(),
            source: None,
        }),
    ]
    .into_iter()
    .flatten()
    {
        exercise_rules(&rules)?;
    }
    Ok(())
}

proptest! {
    /// Any bytes, as a rule file on disk (TOML and JSON by extension), or as text.
    #[test]
    fn rule_loader_survives_any_bytes(bytes in vec(any::<u8>(), 0..400), json in any::<bool>()) {
        let path = std::env::temp_dir().join(format!(
            "no-panic-rules-{}.{}",
            std::process::id(),
            if json { "json" } else { "toml" }
        ));
        std::fs::write(&path, &bytes).expect("writable");
        let loaded = RuleSet::from_path(&path);
        std::fs::remove_file(&path).expect("removable");
        if let Ok(rules) = loaded {
            exercise_rules(&rules)?;
        }
        load_rules_every_way(&String::from_utf8_lossy(&bytes))?;
    }

    /// Any printable text.
    #[test]
    fn rule_loader_survives_any_text(text in "\\PC{0,300}") {
        load_rules_every_way(&text)?;
    }

    /// Rule files of the right shape with hostile contents: names, tiers and outcomes
    /// that are empty, whitespace, NUL, huge, numbers or tables; token-soup conditions
    /// with extreme decimals, deep parentheses and `not` chains.
    #[test]
    fn rule_loader_survives_hostile_documents(
        name in text_or_wrong(),
        tiers in prop_oneof![
            3 => Just(vec![json!("a"), json!("b"), json!("c")]),
            1 => vec(text_or_wrong(), 0..6),
        ],
        default in prop_oneof![
            3 => Just(Some(json!("c"))),
            1 => Just(None),
            1 => proptest::option::of(text_or_wrong()),
        ],
        unmatched in prop_oneof![
            4 => Just(None),
            1 => Just(Some(json!("unscored"))),
            1 => proptest::option::of(text_or_wrong()),
        ],
        label_orders in proptest::option::of(prop_oneof![
            3 => Just(vec![json!("platinum"), json!("gold"), json!("iron"), json!("lead")]),
            1 => vec(text_or_wrong(), 0..5),
        ]),
        rules in vec(
            (
                proptest::option::of(text_or_wrong()),
                proptest::option::of(prop_oneof![
                    6 => grammar_when().prop_map(Value::String),
                    2 => hostile_when().prop_map(Value::String),
                    1 => hostile_value(),
                ]),
                proptest::sample::select(vec!["tier", "at_most", "at_least", "tag"]),
                prop_oneof![
                    4 => proptest::sample::select(vec!["a", "b", "c"]).prop_map(|t| json!(t)),
                    1 => text_or_wrong(),
                ],
            ),
            0..5,
        ),
    ) {
        let mut doc = json!({"name": name, "tiers": tiers});
        if let Some(default) = default {
            doc["default"] = default;
        }
        if let Some(unmatched) = unmatched {
            doc["unmatched"] = unmatched;
        }
        if let Some(order) = label_orders {
            doc["label_orders"] = json!({"metal": order});
        }
        doc["rules"] = rules
            .into_iter()
            .map(|(name, when, kind, outcome)| {
                let mut rule = json!({ kind: outcome });
                if let Some(name) = name {
                    rule["name"] = name;
                }
                if let Some(when) = when {
                    rule["when"] = when;
                }
                rule
            })
            .collect();
        load_rules_every_way(&doc.to_string())?;
        if let Ok(text) = toml::to_string(&doc) {
            load_rules_every_way(&text)?;
        }
    }

    /// A valid rule set (TOML and JSON) with its text edited: cut, duplicated (duplicate
    /// keys and tables), or with hostile text inserted.
    #[test]
    fn rule_loader_survives_edited_documents(
        which in 0usize..3,
        edits in vec(edit(), 1..4),
    ) {
        let json_text = serde_json::to_string_pretty(&rules_json()).expect("JSON");
        let text = [CREDIT_CAP, INTENT, json_text.as_str()][which];
        load_rules_every_way(&edited(text, &edits))?;
    }

    /// A valid rule set's JSON with its structure mutated.
    #[test]
    fn rule_loader_survives_mutated_structure(
        mutations in vec((any::<usize>(), mutation()), 1..3),
    ) {
        let doc = mutate(rules_json(), &mutations);
        load_rules_every_way(&doc.to_string())?;
        if let Ok(text) = toml::to_string(&doc) {
            load_rules_every_way(&text)?;
        }
    }

    /// Segment maps from any bytes and any text.
    #[test]
    fn segment_map_loader_survives_any_input(bytes in vec(any::<u8>(), 0..300), text in "\\PC{0,200}") {
        for text in [String::from_utf8_lossy(&bytes).into_owned(), text] {
            for map in [
                SegmentMap::from_toml_str("m.toml", &text),
                SegmentMap::from_json_str("m.json", &text),
            ]
            .into_iter()
            .flatten()
            {
                exercise_map(&map)?;
            }
        }
    }

    /// Segment maps of the right shape with hostile contents: bins and scores at and
    /// past every limit, empty and long cell lists, wrong types.
    #[test]
    fn segment_map_loader_survives_hostile_documents(
        name in text_or_wrong(),
        bins in prop_oneof![4 => (0i64..=12).prop_map(|b| json!(b)), 1 => hostile_value()],
        fallback in text_or_wrong(),
        rules in vec(
            (
                text_or_wrong(),
                proptest::option::of(prop_oneof![
                    8 => (1i64..=3, 3i64..=5).prop_map(|(lo, hi)| json!([lo, hi])),
                    2 => (-1i64..=12, -1i64..=12).prop_map(|(lo, hi)| json!([lo, hi])),
                    1 => hostile_value(),
                ]),
                proptest::option::of((1i64..=3, 3i64..=5).prop_map(|(lo, hi)| json!([lo, hi]))),
                prop_oneof![
                    6 => Just(None),
                    1 => proptest::option::of(vec((score(), score(), score()), 0..6)),
                ],
            ),
            1..4,
        ),
    ) {
        let rules: Vec<Value> = rules
            .into_iter()
            .map(|(segment, r, f, cells)| {
                let mut rule = json!({"segment": segment});
                if let Some(r) = r {
                    rule["r"] = r;
                }
                if let Some(f) = f {
                    rule["f"] = f;
                }
                if let Some(cells) = cells {
                    rule["cells"] = cells.into_iter().map(|(r, f, m)| json!([r, f, m])).collect();
                }
                rule
            })
            .collect();
        let doc = json!({"name": name, "bins": bins, "fallback": fallback, "rules": rules});
        if let Ok(map) = SegmentMap::from_json_str("m.json", &doc.to_string()) {
            exercise_map(&map)?;
        }
        if let Ok(text) = toml::to_string(&doc)
            && let Ok(map) = SegmentMap::from_toml_str("m.toml", &text)
        {
            exercise_map(&map)?;
        }
    }

    /// Segment maps built in code from any scores.
    #[test]
    fn segment_map_builder_survives_any_scores(
        bins in prop_oneof![4 => 2u8..=10, 1 => any::<u8>()],
        ranges in vec((score(), score(), score(), score()), 0..4),
        cells in vec([score(), score(), score()], 0..4),
    ) {
        let mut rules: Vec<SegmentRule> = ranges
            .into_iter()
            .map(|(a, b, c, d)| SegmentRule::ranges("s", Some([a, b]), Some([c, d]), None))
            .collect();
        rules.push(SegmentRule::cells("c", cells));
        if let Ok(map) = SegmentMap::new("m", bins, "rest", rules) {
            exercise_map(&map)?;
        }
    }

    /// The shipped maps, edited and structurally mutated.
    #[test]
    fn segment_map_loader_survives_mutated_presets(
        which in 0usize..3,
        edits in vec(edit(), 1..4),
        mutations in vec((any::<usize>(), mutation()), 1..4),
    ) {
        if let Ok(map) = SegmentMap::from_toml_str("m.toml", &edited(MAPS[which], &edits)) {
            exercise_map(&map)?;
        }
        let map = SegmentMap::from_toml_str("m.toml", MAPS[which]).expect("a preset loads");
        let doc = mutate(serde_json::to_value(&map).expect("serialises"), &mutations);
        if let Ok(map) = SegmentMap::from_json_str("m.json", &doc.to_string()) {
            exercise_map(&map)?;
        }
    }

    /// A saved pipeline from any bytes.
    #[test]
    fn model_loader_survives_any_bytes(bytes in vec(any::<u8>(), 0..300)) {
        load_and_exercise(&String::from_utf8_lossy(&bytes))?;
    }

    /// A saved pipeline with every kind of model, its JSON mutated: numbers replaced by
    /// extremes, strings swapped, arrays emptied or lengthened, keys dropped or added.
    #[test]
    fn model_loader_survives_mutated_models(
        mutations in vec((any::<usize>(), mutation()), 1..4),
    ) {
        let doc = mutate(fitted_json(false).clone(), &mutations);
        load_and_exercise(&doc.to_string())?;
    }

    /// The same for a saved composite model (and the rule sets): a weight, count or
    /// scale edited to an extreme is refused on load or classifies without a panic.
    #[test]
    fn composite_model_loader_survives_mutated_models(
        mutations in vec((any::<usize>(), mutation()), 1..4),
    ) {
        let doc = mutate(fitted_json(true).clone(), &mutations);
        load_and_exercise(&doc.to_string())?;
    }

    /// A saved pipeline's text edited.
    #[test]
    fn model_loader_survives_edited_text(edits in vec(edit(), 1..4)) {
        let text = serde_json::to_string_pretty(fitted_json(false)).expect("JSON");
        load_and_exercise(&edited(&text, &edits))?;
    }
}

// ---- snapshots of a live tiering ----

/// A snapshot of a live tiering whose pipeline is [`fitted_json`]'s (every kind of
/// saved model but the composite one, two rule sets: scores, names, tiers, tags and
/// reasons for no label), over 40 seeded customers, one line per element.
fn snapshot_lines() -> &'static [String] {
    static LINES: OnceLock<Vec<String>> = OnceLock::new();
    LINES.get_or_init(|| {
        let fitted =
            FittedPipeline::from_json("m.json", &fitted_json(false).to_string()).expect("loads");
        let rows = seeded_rows(11, 0, 40);
        let history = crate::support::builder_of(rows.iter());
        let state = TieringState::new(fitted, history).expect("a state");
        let mut out = Vec::new();
        state.snapshot("s.jsonl", &mut out).expect("writes");
        String::from_utf8(out)
            .expect("UTF-8")
            .lines()
            .map(str::to_string)
            .collect()
    })
}

/// Restores a snapshot and, when it restores, uses it every way: what restores saves a
/// snapshot that restores to the same bytes.
fn restore_and_exercise(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(mut state) = TieringState::restore("s.jsonl", bytes, &Registry::builtin()) else {
        return Ok(());
    };
    let mut again = Vec::new();
    state
        .snapshot("again", &mut again)
        .expect("a restored state saves");
    let back = TieringState::restore("again", again.as_slice(), &Registry::builtin());
    let mut twice = Vec::new();
    back.as_ref()
        .map_err(|e| TestCaseError::fail(e.to_string()))?
        .snapshot("twice", &mut twice)
        .expect("saves");
    prop_assert!(again == twice, "a restored snapshot saves other bytes");
    let _ = (state.population(), state.tiering(), state.columns());
    let id = CustomerId::new("N1").expect("valid id");
    let _ = state.add(customer_tiering::Transaction::new(
        id.clone(),
        state.as_of(),
        Decimal::MAX,
    ));
    let _ = state.labels(&id).map(|l| l.to_string());
    let _ = state.advance_to(jiff::civil::date(9999, 12, 31));
    Ok(())
}

proptest! {
    /// Any bytes as a snapshot.
    #[test]
    fn snapshot_restore_survives_any_bytes(bytes in vec(any::<u8>(), 0..300)) {
        restore_and_exercise(&bytes)?;
    }

    /// A snapshot with one of its lines mutated as JSON: the header (its pipeline
    /// included) or a customer, numbers to extremes, strings swapped, arrays emptied or
    /// lengthened, keys dropped or added.
    #[test]
    fn snapshot_restore_survives_mutated_lines(
        line in any::<prop::sample::Index>(),
        mutations in vec((any::<usize>(), mutation()), 1..4),
    ) {
        let mut lines = snapshot_lines().to_vec();
        let at = line.index(lines.len());
        let value: Value = serde_json::from_str(&lines[at]).expect("JSON");
        lines[at] = mutate(value, &mutations).to_string();
        restore_and_exercise((lines.join("\n") + "\n").as_bytes())?;
    }

    /// A snapshot's text edited: lines cut, doubled, joined, spliced with hostile text.
    #[test]
    fn snapshot_restore_survives_edited_text(edits in vec(edit(), 1..4)) {
        let text = snapshot_lines().join("\n") + "\n";
        restore_and_exercise(edited(&text, &edits).as_bytes())?;
    }
}

/// Nesting a million levels deep is an error naming the rule (or the file), never a
/// stack overflow: in a condition, in TOML and in JSON.
#[test]
fn a_million_levels_of_nesting_are_errors() {
    let deep = 1_000_000;
    let wrap = |when: &str| {
        format!(
            "name = \"t\"\ntiers = [\"a\"]\ndefault = \"a\"\n[[rules]]\nname = \"deep\"\nwhen = '{when}'\ntag = \"x\"\n"
        )
    };
    for when in [
        format!("{}true{}", "(".repeat(deep), ")".repeat(deep)),
        format!("{}true", "not ".repeat(deep)),
        format!("{}monetary > 1", "not (".repeat(deep)),
        format!("{}monetary{} > 1", "(".repeat(deep), ")".repeat(deep)),
        format!("{}monetary > 1", "-".repeat(deep)),
        format!("monetary > {}1", "(-".repeat(deep)),
    ] {
        let err = RuleSet::from_toml_str("deep.toml", &wrap(&when)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("deep.toml: rule 1 (\"deep\"): when, column "),
            "{err}"
        );
        assert!(
            err.to_string().contains("nest deeper than 64 levels"),
            "{err}"
        );
    }
    let toml_text = format!("name = {}\"t\"{}", "[".repeat(deep), "]".repeat(deep));
    assert!(RuleSet::from_toml_str("deep.toml", &toml_text).is_err());
    assert!(SegmentMap::from_toml_str("deep.toml", &toml_text).is_err());
    let json_text = format!(
        "{{\"name\": {}\"t\"{}}}",
        "[".repeat(deep),
        "]".repeat(deep)
    );
    assert!(RuleSet::from_json_str("deep.json", &json_text).is_err());
    assert!(SegmentMap::from_json_str("deep.json", &json_text).is_err());
    assert!(FittedPipeline::from_json("deep.json", &json_text).is_err());
    let models = format!("{{\"models\": {}{}}}", "[".repeat(deep), "]".repeat(deep));
    assert!(FittedPipeline::from_json("deep.json", &models).is_err());
}

/// The deepest condition that loads is used without trouble: checked, applied,
/// explained, saved and loaded.
#[test]
fn the_deepest_condition_loads_and_works() {
    let when = format!("{}monetary > 1{}", "not (".repeat(32), ")".repeat(32));
    let text = format!(
        "name = \"t\"\ntiers = [\"a\", \"b\"]\ndefault = \"b\"\n[[rules]]\nwhen = '{when}'\ntier = \"a\"\n"
    );
    let rules = RuleSet::from_toml_str("deep.toml", &text).expect("64 levels load");
    exercise_rules(&rules).expect("works");
}

/// Arithmetic as deep as it may nest, and a chain of 100 000 operations, on the edge
/// profiles (values at the ends of the decimal range, so overflows): checked, applied,
/// explained, saved and loaded, without a panic or a stack overflow.
#[test]
fn deep_and_long_arithmetic_loads_and_works() {
    let wrap = |when: &str| {
        format!(
            "name = \"t\"\ntiers = [\"a\", \"b\"]\ndefault = \"b\"\n[[rules]]\nwhen = '{when}'\ntier = \"a\"\n[[rules]]\nwhen = 'not ({when})'\ntag = \"x\"\n"
        )
    };
    let deep = format!("{}monetary{} > r", "(-".repeat(31), ")".repeat(31));
    let long = format!(
        "{} > complaints",
        vec!["monetary * satisfaction - recency_days / r"; 25_000].join(" + ")
    );
    for when in [deep, long] {
        let rules = RuleSet::from_toml_str("arith.toml", &wrap(&when)).expect("loads");
        exercise_rules(&rules).expect("works");
    }
}

/// The edits the property test first found in a saved composite model (a weight at the
/// decimal limit, scales past the decimal precision) are refused on load or classify and
/// explain without a panic.
#[test]
fn edited_composite_weights_and_scales_are_refused_or_harmless() {
    let model_index = |doc: &Value| {
        doc["models"]
            .as_array()
            .and_then(|m| m.iter().position(|m| m["kind"] == "composite"))
            .expect("a composite model")
    };
    for (path, value) in [
        ("weight", Value::from("79228162514264337593543950335")),
        ("weight", Value::from("-1")),
        ("scale", Value::from(29)),
        ("scale", Value::from(20)),
        ("scale", Value::from(u32::MAX)),
    ] {
        let mut doc = fitted_json(true).clone();
        let i = model_index(&doc);
        let model = &doc["models"][i];
        let before = [&model["distributions"][0]["weight"], &model["scale"]];
        assert!(
            before.iter().all(|v| !v.is_null()),
            "the saved form changed: {model}"
        );
        match path {
            "weight" => doc["models"][i]["distributions"][0]["weight"] = value.clone(),
            _ => doc["models"][i]["scale"] = value.clone(),
        }
        load_and_exercise(&doc.to_string()).expect("no panic, and it saves and loads back");
    }
}
