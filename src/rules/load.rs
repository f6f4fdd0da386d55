//! The file form of a rule set (TOML or JSON, the same structure) and its structural
//! checks: everything that can be checked without knowing the other classifiers.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::condition::{
    Compare, Cond, LeafMut, Positions, Subject, Values, impossible_conjunction,
};
use super::parse::{Names, parse};
use super::{Outcome, Rule, RuleSet, Unmatched};
use crate::error::{Error, cut_reason, parse_error, toml_error};
use crate::names::Playbook;

/// The default output column.
pub(crate) const DEFAULT_COLUMN: &str = "tier";

/// A text field of a rule file. Deserializes only from a string: a TOML or JSON number
/// is an error (a decimal read as a number goes through a float), with a message that
/// says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(crate) struct Text(pub(crate) String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a quoted string (rule files have no number fields: decimals are written \
                     inside `when`, where they are exact)",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
        }
        deserializer.deserialize_string(TextVisitor)
    }
}

fn text(s: &str) -> Text {
    Text(s.to_owned())
}

/// A rule set as written in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSetFile {
    pub(crate) name: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) column: Option<Text>,
    pub(crate) tiers: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) default: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) unmatched: Option<Unmatched>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) source: Option<Text>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) label_orders: BTreeMap<String, Vec<Text>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) tier_info: BTreeMap<String, TierInfo>,
    #[serde(default)]
    pub(crate) rules: Vec<RuleFile>,
}

/// A tier's display names and playbook, as a rule file may give them ([display
/// names](crate::definitions#display-names-and-playbooks)).
///
/// The playbook is a plain string, the English text, shown in every `--lang` that has
/// no translation, or a table by language with `en` required and `zh-Hant`, `zh-Hans`
/// optional ([`Playbook`]); a key other than these three fails the load.
///
/// # Example
/// ```
/// use customer_tiering::names::Lang;
/// use customer_tiering::rules::{RuleSet, TierInfo};
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b", "c"]
///     default = "c"
///     [tier_info.a]
///     en = "Key account"
///     zh-Hant = "重點客戶"
///     [tier_info.b]
///     playbook = "Monthly call."
///     [tier_info.c.playbook]
///     en = "Newsletter."
///     zh-Hans = "定期寄送电子报。"
/// "#)?;
/// let a: &TierInfo = rules.tier_info("a").unwrap();
/// assert_eq!((a.en.as_deref(), a.zh_hant.as_deref()), (Some("Key account"), Some("重點客戶")));
/// assert_eq!(a.playbook, None);
/// let b = rules.tier_info("b").unwrap().playbook.as_ref().unwrap();
/// assert_eq!(b.text(Lang::ZhHant), "Monthly call."); // English in every language
/// let c = rules.tier_info("c").unwrap().playbook.as_ref().unwrap();
/// assert_eq!((c.text(Lang::ZhHans), c.text(Lang::ZhHant)), ("定期寄送电子报。", "Newsletter."));
///
/// let wrong = "name = 't'\ntiers = ['a']\ndefault = 'a'\n[tier_info.a.playbook]\nen = 'x'\nzh = 'y'";
/// let err = RuleSet::from_toml_str("t.toml", wrong).unwrap_err().to_string();
/// assert!(err.contains(r#"unknown playbook language "zh" (en, zh-Hant or zh-Hans)"#), "{err}");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
///
/// [`Playbook`]: crate::names::Playbook
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierInfo {
    /// English name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    /// Traditional Chinese name.
    #[serde(default, rename = "zh-Hant", skip_serializing_if = "Option::is_none")]
    pub zh_hant: Option<String>,
    /// Simplified Chinese name.
    #[serde(default, rename = "zh-Hans", skip_serializing_if = "Option::is_none")]
    pub zh_hans: Option<String>,
    /// What the sales team does with customers of this tier, in one language (English,
    /// shown in all) or several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<Playbook>,
}

/// One rule as written in a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) when: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) at_most: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) at_least: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tag: Option<Text>,
}

/// How a rule is named in errors: `1 ("platinum active")` or `1`.
pub(crate) fn rule_label(index: usize, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{} ({name:?})", index + 1),
        None => (index + 1).to_string(),
    }
}

/// The `rule` of an error about the rule set as a whole (its tiers, default, columns):
/// displays as `file: rule set: reason`.
pub(crate) const SET: &str = "set";

pub(crate) fn rule_error(what: &str, rule: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::Rule {
        file: what.to_string(),
        rule: rule.into(),
        // A reason may quote every test of a condition, or every tier: never unbounded.
        reason: cut_reason(reason.into()),
    }
}

/// A tier, label or tag name: not empty, no surrounding whitespace. `kind` is only
/// written out for an error.
fn check_name(kind: impl fmt::Display, value: &str) -> Result<(), String> {
    if value.is_empty() {
        Err(format!("{kind} is empty"))
    } else if value.trim() != value {
        Err(format!(
            "{kind} {value:?} has leading or trailing whitespace"
        ))
    } else {
        Ok(())
    }
}

impl RuleSet {
    /// Loads a rule set from TOML; `what` (a file name) goes into errors. The rule set is
    /// parsed and structurally checked; check it against the other classifiers with
    /// [`validate`](RuleSet::validate) or [`with_schema`](RuleSet::with_schema).
    ///
    /// # Errors
    /// [`Error::Parse`] for TOML syntax, an unknown field, or a value of the wrong type (a
    /// number where text is expected: the format has no number fields);
    /// [`Error::Rule`] naming the rule and the problem for anything else (see the
    /// [module docs](crate::rules#what-is-checked)).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let rules = RuleSet::from_toml_str("vip.toml", r#"
    ///     name = "vip"
    ///     tiers = ["vip", "regular"]
    ///     default = "regular"
    ///     [[rules]]
    ///     when = "monetary >= 10000.00"
    ///     tier = "vip"
    /// "#)?;
    /// assert_eq!(rules.tiers(), ["vip", "regular"]);
    ///
    /// let err = RuleSet::from_toml_str("vip.toml", "name = \"vip\"\ntiers = [1, 2]").unwrap_err();
    /// assert!(err.to_string().contains("expected a quoted string"), "{err}");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_toml_str(what: &str, text: &str) -> Result<RuleSet, Error> {
        let file: RuleSetFile = toml::from_str(text).map_err(|e| toml_error(what, text, &e))?;
        compile(what, file)
    }

    /// Loads a rule set from JSON (the same structure as the TOML form); `what` goes
    /// into errors.
    ///
    /// # Errors
    /// As [`from_toml_str`](RuleSet::from_toml_str).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let rules = RuleSet::from_json_str("vip.json", r#"{
    ///     "name": "vip", "tiers": ["vip", "regular"], "default": "regular",
    ///     "rules": [{"when": "monetary >= 10000.00", "tier": "vip"}]
    /// }"#)?;
    /// assert_eq!(rules.rules().len(), 1);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_json_str(what: &str, text: &str) -> Result<RuleSet, Error> {
        let file: RuleSetFile = serde_json::from_str(text).map_err(|e| parse_error(what, e))?;
        compile(what, file)
    }

    /// Loads a rule set file: JSON when its name ends in `.json`, TOML otherwise.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; otherwise as
    /// [`from_toml_str`](RuleSet::from_toml_str), naming the path.
    ///
    /// # Example
    /// ```no_run
    /// use customer_tiering::rules::RuleSet;
    /// let rules = RuleSet::from_path("examples/rules/credit-cap.toml")?;
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<RuleSet, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let what = path.display().to_string();
        let is_json = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        if is_json {
            RuleSet::from_json_str(&what, &text)
        } else {
            RuleSet::from_toml_str(&what, &text)
        }
    }

    /// The file form of the rule set.
    pub(crate) fn to_file(&self) -> RuleSetFile {
        RuleSetFile {
            name: text(&self.name),
            column: Some(text(&self.column)),
            tiers: self.tiers.iter().map(|t| text(t)).collect(),
            default: self.default.map(|i| text(&self.tiers[i])),
            unmatched: self.unmatched,
            source: self.source.as_deref().map(text),
            label_orders: self
                .label_orders
                .iter()
                .map(|(column, order)| (column.clone(), order.iter().map(|l| text(l)).collect()))
                .collect(),
            tier_info: self.tier_info.clone(),
            rules: self
                .rules
                .iter()
                .map(|rule| {
                    let mut file = RuleFile {
                        name: rule.name.as_deref().map(text),
                        when: rule.when.as_deref().map(text),
                        tier: None,
                        at_most: None,
                        at_least: None,
                        tag: None,
                    };
                    let (slot, value) = match &rule.outcome {
                        Outcome::Tier(t) => (&mut file.tier, t),
                        Outcome::AtMost(t) => (&mut file.at_most, t),
                        Outcome::AtLeast(t) => (&mut file.at_least, t),
                        Outcome::Tag(t) => (&mut file.tag, t),
                    };
                    *slot = Some(text(value));
                    file
                })
                .collect(),
        }
    }
}

impl Serialize for RuleSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_file().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RuleSet {
    /// Parses and structurally checks the rule set, so that a deserialized one (from a
    /// saved model) is as sound as one loaded from a file.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let file = RuleSetFile::deserialize(deserializer)?;
        let what = format!("rule set {:?}", file.name.0);
        compile(&what, file).map_err(de::Error::custom)
    }
}

/// The first use of `tier` in a comparison with arithmetic or of two identifiers, as an
/// error: in a tier rule `tier` is not decided yet, and elsewhere it is a text.
fn tier_in_arithmetic(compare: &Compare, is_tier_rule: bool, when: &str) -> Option<String> {
    let mut column = None;
    compare.for_each_var(&mut |var| {
        if var.subject == Subject::Tier && column.is_none() {
            column = Some(var.column);
        }
    });
    let column = column?;
    Some(if is_tier_rule {
        format!(
            "when, column {column}: `tier` (this rule set's own column) cannot be used in a \
             tier rule: the tier is not decided yet (use it in at_most, at_least or tag rules)"
        )
    } else {
        format!(
            "when, column {column}: `{}`: tier is this rule set's tier, a text, not a number: \
             arithmetic, and comparisons with another name, need numbers (compare tier with a \
             quoted tier: `tier >= \"b\"`)",
            compare.source(when)
        )
    })
}

/// Parses every condition and checks the rule set's structure.
pub(crate) fn compile(what: &str, file: RuleSetFile) -> Result<RuleSet, Error> {
    let set_error = |reason: String| rule_error(what, SET, reason);
    let name = file.name.0;
    check_name("the rule set's name", &name).map_err(set_error)?;
    let column = file
        .column
        .map_or_else(|| DEFAULT_COLUMN.to_string(), |c| c.0);
    check_name("column", &column).map_err(set_error)?;

    if file.tiers.is_empty() {
        return Err(set_error(
            "tiers is empty: list the tiers, best first".into(),
        ));
    }
    let mut tiers: Vec<SmolStr> = Vec::with_capacity(file.tiers.len());
    let mut tier_positions = Positions::default();
    for tier in &file.tiers {
        check_name("a tier", &tier.0).map_err(set_error)?;
        let tier = SmolStr::new(&tier.0);
        if tier_positions.insert(tier.clone(), tiers.len()).is_some() {
            return Err(set_error(format!("tier {tier:?} is listed twice in tiers")));
        }
        tiers.push(tier);
    }
    let tier_index = |tier: &str| tier_positions.get(tier).copied();
    // Only messages need the list, and only one message is ever written.
    let not_a_tier = |kind: &str, tier: &str| {
        format!(
            "{kind} {tier:?} is not one of the tiers ({})",
            tiers.join(", ")
        )
    };

    let default = match &file.default {
        Some(d) => Some(tier_index(&d.0).ok_or_else(|| set_error(not_a_tier("default", &d.0)))?),
        None => None,
    };
    if default.is_some() && file.unmatched.is_some() {
        return Err(set_error(
            "both default and unmatched are given: an unmatched customer gets either the \
             default tier or no tier"
                .into(),
        ));
    }

    let mut label_orders: BTreeMap<String, Vec<SmolStr>> = BTreeMap::new();
    // Each label column's order as positions, for ranking literals and labels.
    let mut label_positions: BTreeMap<&str, Positions> = BTreeMap::new();
    for (label_column, order) in &file.label_orders {
        let mut labels: Vec<SmolStr> = Vec::with_capacity(order.len());
        let mut positions = Positions::default();
        for label in order {
            check_name(
                format_args!("a label of label_orders.{label_column}"),
                &label.0,
            )
            .map_err(set_error)?;
            let label = SmolStr::new(&label.0);
            if positions.insert(label.clone(), labels.len()).is_some() {
                return Err(set_error(format!(
                    "label {label:?} is listed twice in label_orders.{label_column}"
                )));
            }
            labels.push(label);
        }
        if labels.is_empty() {
            return Err(set_error(format!("label_orders.{label_column} is empty")));
        }
        label_orders.insert(label_column.clone(), labels);
        label_positions.insert(label_column, positions);
    }

    if let Some(unknown) = file.tier_info.keys().find(|t| tier_index(t).is_none()) {
        return Err(set_error(format!(
            "tier_info.{unknown}: {unknown:?} is not one of the tiers"
        )));
    }
    let tier_info = file.tier_info.clone();

    let mut names = Names::default();
    // Per name slot, its label column's order, if the rule set knows one.
    let mut orders: Vec<Option<Positions>> = Vec::new();
    let mut rules = Vec::with_capacity(file.rules.len());
    let mut catch_all: Option<usize> = None;
    for (index, raw) in file.rules.into_iter().enumerate() {
        let rule_name = raw.name.map(|n| n.0);
        let label = rule_label(index, rule_name.as_deref());
        let fail = |reason: String| rule_error(what, label.clone(), reason);
        if let Some(n) = &rule_name {
            check_name("the rule's name", n).map_err(fail)?;
        }

        let given: Vec<(&str, Text)> = [
            ("tier", raw.tier),
            ("at_most", raw.at_most),
            ("at_least", raw.at_least),
            ("tag", raw.tag),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key, v)))
        .collect();
        let (kind, value) = match given.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(fail(
                    "no outcome: give exactly one of tier, at_most, at_least, tag".into(),
                ));
            }
            several => {
                let keys: Vec<&str> = several.iter().map(|(k, _)| *k).collect();
                return Err(fail(format!(
                    "several outcomes ({}): give exactly one of tier, at_most, at_least, tag",
                    keys.join(", ")
                )));
            }
        };
        let value = SmolStr::new(value.0);
        let (outcome, target) = if kind == "tag" {
            check_name("the tag", &value).map_err(fail)?;
            if value.contains(';') {
                return Err(fail(format!(
                    "tag {value:?} contains `;`, which joins tags in tiers.csv"
                )));
            }
            (Outcome::Tag(value), 0)
        } else {
            let target = tier_index(&value).ok_or_else(|| fail(not_a_tier(kind, &value)))?;
            let outcome = match kind {
                "tier" => Outcome::Tier(value),
                "at_most" => Outcome::AtMost(value),
                _ => Outcome::AtLeast(value),
            };
            (outcome, target)
        };
        let is_tier_rule = matches!(outcome, Outcome::Tier(_));

        let when = raw.when.map(|w| w.0);
        let mut condition = match &when {
            None => Cond::Const(true),
            Some(text) => parse(text, &mut names)
                .map_err(|e| fail(format!("when, column {}: {}", e.column, e.message)))?,
        };
        let when_text = when.as_deref().unwrap_or("");
        // Names first used by this rule: each takes its column's order once.
        for name in names.since(orders.len()) {
            orders.push(label_positions.remove(name.as_str()));
        }

        let mut problem: Option<String> = None;
        condition.for_each_leaf_mut(&mut |leaf| {
            if problem.is_some() {
                return;
            }
            let test = match leaf {
                LeafMut::Test(test) => test,
                LeafMut::Compare(compare) => {
                    problem = tier_in_arithmetic(compare, is_tier_rule, when_text);
                    return;
                }
            };
            // Only a message needs these, and at most one message is written.
            let at = || format!("when, column {}", test.column);
            let source = || test.source(when_text).to_string();
            match test.subject {
                Subject::Tier if is_tier_rule => {
                    problem = Some(format!(
                        "{}: `tier` (this rule set's own column) cannot be used in a tier \
                         rule: the tier is not decided yet (use it in at_most, at_least or \
                         tag rules)",
                        at()
                    ));
                }
                Subject::Tier => match &test.values {
                    Values::Num(_) => {
                        problem = Some(format!(
                            "{}: `{}`: tier is compared with a decimal, but tiers are \
                             quoted texts ({})",
                            at(),
                            source(),
                            tiers.join(", ")
                        ));
                    }
                    Values::Text(list) => {
                        let mut positions = Vec::with_capacity(list.len());
                        for literal in list.iter() {
                            match tier_index(literal) {
                                Some(i) => positions.push(i),
                                None => {
                                    problem = Some(format!(
                                        "{}: `{}`: {literal:?} is not one of the tiers ({})",
                                        at(),
                                        source(),
                                        tiers.join(", ")
                                    ));
                                    return;
                                }
                            }
                        }
                        test.values = Values::Tiers(positions.into());
                    }
                    Values::None | Values::Tiers(_) => {}
                },
                Subject::Name(slot) if test.op.is_ordered() => {
                    let Values::Text(list) = &test.values else {
                        return;
                    };
                    let Some(order) = orders.get(usize::from(slot)).and_then(Option::as_ref) else {
                        return;
                    };
                    let literal = list.first().map_or("", SmolStr::as_str);
                    match order.get(literal) {
                        Some(&rank) => test.rank = Some(rank),
                        None => {
                            let column = names.get(slot).map_or("", SmolStr::as_str);
                            problem = Some(format!(
                                "{}: `{}`: {literal:?} is not in label_orders.{column} ({})",
                                at(),
                                source(),
                                label_orders
                                    .get(column)
                                    .map_or(String::new(), |o| o.join(", "))
                            ));
                        }
                    }
                }
                Subject::Metric(_) | Subject::Name(_) => {}
            }
        });
        if let Some(reason) = problem {
            return Err(fail(reason));
        }
        if let Some(tests) = impossible_conjunction(&condition, &orders) {
            let parts: Vec<&str> = tests.iter().map(|t| t.source(when_text)).collect();
            return Err(fail(format!(
                "impossible condition: `{}` can never all hold",
                parts.join(" and ")
            )));
        }

        let is_catch_all = condition == Cond::Const(true);
        if is_tier_rule {
            if let Some(earlier) = catch_all {
                return Err(fail(format!(
                    "this tier rule can never fire: rule {} before it is a catch-all tier rule \
                     (no `when`, or `when = \"true\"`)",
                    earlier + 1
                )));
            }
            if is_catch_all {
                catch_all = Some(index);
            }
        }
        rules.push(Rule {
            name: rule_name,
            when,
            outcome,
            target,
            condition,
        });
    }

    match (catch_all, default, file.unmatched) {
        (Some(rule), Some(d), _) => {
            return Err(set_error(format!(
                "default {:?} is never used: rule {} is a catch-all tier rule",
                tiers[d].as_str(),
                rule + 1
            )));
        }
        (Some(rule), None, Some(_)) => {
            return Err(set_error(format!(
                "unmatched is never used: rule {} is a catch-all tier rule",
                rule + 1
            )));
        }
        (None, None, None) => {
            return Err(set_error(
                "no catch-all tier rule and no default: say which tier a customer no tier rule \
                 matches gets (`default = \"…\"`), or `unmatched = \"unscored\"` for none"
                    .into(),
            ));
        }
        _ => {}
    }

    Ok(RuleSet {
        origin: what.to_string(),
        name,
        column,
        tiers,
        default,
        unmatched: file.unmatched,
        source: file.source.map(|s| s.0),
        label_orders,
        tier_info,
        rules,
        names: names.into_list(),
        orders,
    })
}
