//! Rule sets and the final tier ([rule
//! sets](crate::definitions#rule-sets-and-the-final-tier)): an ordered list of rules `when
//! <condition> then <outcome>` over metrics, attributes and the labels of the other
//! classifiers.
//!
//! ```
//! use customer_tiering::attributes::AttrValue;
//! use customer_tiering::classify::Label;
//! use customer_tiering::rules::{Facts, RuleSet, Schema};
//! use customer_tiering::{CustomerId, Profile};
//!
//! let rules = RuleSet::from_toml_str("credit-cap.toml", r#"
//!     name = "credit-cap"
//!     tiers = ["a", "b", "c", "d"]
//!     default = "d"
//!
//!     [[rules]]
//!     name = "platinum active"
//!     when = 'metal == "platinum" and lifecycle in ["active", "new"]'
//!     tier = "a"
//!
//!     [[rules]]
//!     when = 'credit_rating == "D"'
//!     at_most = "c"
//!
//!     [[rules]]
//!     when = 'tier == "a" and satisfaction < 3'
//!     tag = "at_risk_key_account"
//! "#)?;
//! let labels = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
//! let schema = Schema::new()
//!     .label_column("metal", labels(&["platinum", "gold", "iron", "lead"]), true)
//!     .label_column("lifecycle", labels(&["new", "active", "dormant", "lost"]), false);
//! let rules = rules.with_schema(&schema)?;
//!
//! let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
//! profile.attributes.insert("credit_rating", AttrValue::Text("D".into()));
//! let columns = labels(&["metal", "lifecycle"]);
//! let values = [Label::Name("platinum".into()), Label::Name("active".into())];
//! let facts = Facts { profile: &profile, columns: &columns, labels: &values };
//!
//! let outcome = rules.apply(&facts);
//! assert_eq!(outcome.tier.as_deref(), Some("c"));
//! assert_eq!((outcome.tier_rule, outcome.caps.as_slice()), (Some(0), &[1][..]));
//! assert_eq!(
//!     rules.explain(&facts).to_string(),
//!     r#"tier = c: rule 1 ("platinum active": metal == "platinum" and lifecycle in ["active", "new"]; metal = platinum, lifecycle = active) gave a; rule 2 (credit_rating == "D"; credit_rating = D) capped it at c; tags: none"#
//! );
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! # The file
//!
//! TOML, or JSON with the same structure ([`RuleSet::from_path`] picks by extension):
//!
//! | key | | meaning |
//! |---|---|---|
//! | `name` | required | the rule set's name |
//! | `column` | default `"tier"` | the output column |
//! | `tiers` | required | the tier scheme, best first |
//! | `default` | see below | the tier of a customer no tier rule matches |
//! | `unmatched` | see below | `"unscored"`: a customer no tier rule matches gets no tier |
//! | `source` | optional | a citation |
//! | `label_orders` | optional | per label column, its labels best first (filled in by [`RuleSet::with_schema`]) |
//! | `[tier_info.TIER]` | optional | for a tier of `tiers`, what people see instead of its key: `en`, `zh-Hant`, `zh-Hans` (its display name in each language; a language left out falls back to the preset's name, else the key) and `playbook` (the service advice for the tier's customers: a string, English shown in every language, or a table by language, [`Playbook`](crate::names::Playbook)). Every key is optional; a table for a name that is not a tier is an error. Files keep the key ([`TierInfo`], [`RuleSet::tier_info`]) |
//! | `[[rules]]` | | `name` (optional), `when` (optional: missing means always), and exactly one of `tier`, `at_most`, `at_least`, `tag` |
//!
//! Exactly one of three says what a customer no tier rule matches gets: `default`, a
//! catch-all tier rule (no `when`, or `when = "true"`), or `unmatched = "unscored"`.
//!
//! **Every field is text; the format has no number fields.** A TOML or JSON number anywhere
//! (`tier = 1`, `tiers = [1, 2]`) is an error: decimals belong inside `when`, where they
//! are read by the amount grammar ([inputs](crate::definitions#inputs))
//! (`-?[0-9]+(\.[0-9]+)?`, at most 28 digits) straight into an exact decimal. A number read
//! by a TOML or JSON parser would go through a float and lose digits.
//!
//! # Conditions
//!
//! ```text
//! condition  := or
//! or         := and ("or" and)*
//! and        := unary ("and" unary)*
//! unary      := "not" unary | primary
//! primary    := "(" or ")" | "true" | "false" | test
//! test       := IDENT CMP TEXT
//!             | sum CMP sum
//!             | IDENT "in" list | IDENT "not" "in" list
//!             | IDENT "is" "missing" | IDENT "is" "not" "missing"
//! CMP        := "==" | "!=" | "<" | "<=" | ">" | ">="
//! sum        := product (("+" | "-") product)*
//! product    := factor (("*" | "/") factor)*
//! factor     := "-" factor | DECIMAL | IDENT | "(" sum ")"
//! list       := "[" literal ("," literal)* ","? "]"
//! literal    := TEXT | DECIMAL
//! TEXT       := "double-quoted text, with \" and \\ escapes"
//! ```
//!
//! Keywords are lower case. An identifier is one of:
//! - a [profile metric](crate::definitions#profile-metrics) (`recency_days`, `frequency`,
//!   `monetary`, `growth` …), a number;
//! - a customer attribute ([inputs](crate::definitions#inputs): `kind`, `credit_rating`,
//!   `satisfaction` …; any other a [`Schema`] declares), a number or a text;
//! - a label column of another classifier, as the [`Schema`] declares it: quantile scores
//!   (`r`, `f`, `m`) are numbers; named labels (`metal`, `grade`, `lifecycle`,
//!   `rfm_segment` …) are texts, ordered (best first) or not;
//! - `tier`, this rule set's own column: in `at_most` / `at_least` conditions the tier so
//!   far (after the tier rule and the earlier caps and floors), in `tag` conditions the
//!   final tier. It cannot be used in tier rules, which decide it.
//!
//! Numbers compare numerically (`1.10 == 1.1`). Texts compare with `==`, `!=`, `in`,
//! `not in`; `<`, `<=`, `>`, `>=` on texts need an order, which `tier` (its `tiers`) and
//! ordered label columns have: better is greater, so `metal >= "gold"` is platinum or
//! gold and `tier < "b"` is c or worse. A text is compared with one identifier, written
//! on the left: `metal == "gold"`.
//!
//! **Missing values.** A metric without a value (recency of a customer without
//! purchases), an absent attribute, an unscored label, or no tier (`unmatched`) is
//! missing. Every test on a missing value is false except `is missing`: also `!=` and
//! `not in` (`credit_rating != "D"` is false when the rating is unknown). `not` is plain
//! negation, so `not (credit_rating == "D")` is true when it is unknown. A value of the
//! other type than the condition expects (possible only when the facts disagree with the
//! schema) is treated like a missing one.
//!
//! ## Arithmetic
//!
//! Each side of `==`, `!=`, `<`, `<=`, `>`, `>=` may be a sum: decimals and numeric
//! identifiers (metrics, number attributes, score columns) combined with `+`, `-`, `*`,
//! `/`, unary minus and parentheses. So two values can be compared, and a decimal may
//! stand on either side: `recency_days > 2 * tenure_days`, `profit / monetary < 0.1`,
//! `monetary_current - monetary_previous >= 500`, `(monetary + 100) * 2 > monetary_previous`,
//! `500 < monetary`. Named labels, text attributes and `tier` take no part in arithmetic
//! and are not compared with another identifier; they compare with texts as above.
//!
//! - **Precedence.** `*` and `/` bind tighter than `+` and `-`; operators of one level
//!   apply left to right (`a - b - c` is `(a - b) - c`, `a / b * c` is `(a / b) * c`);
//!   unary minus binds tightest (`-a * b` is `(-a) * b`). A `(` where a test starts
//!   groups a sum when its `)` is followed by an arithmetic or comparison operator
//!   (`(monetary + 100) * 2 > m`), and groups conditions otherwise (`(a > 1 or b > 2)`).
//! - **Decimals** are written as everywhere in this crate, `-?[0-9]+(\.[0-9]+)?` with at
//!   most 28 digits. A `-` directly before a digit is the decimal's sign, except after a
//!   value (an identifier, a decimal or `)`), where it subtracts: `monetary -5 > 0` is
//!   `monetary - 5 > 0`.
//! - **Values are exact decimals** ([`rust_decimal::Decimal`]: at most 28 decimal places,
//!   magnitude at most 79 228 162 514 264 337 593 543 950 335). Every operation is done
//!   on its two operands exactly (`x + y == 0.3` holds for 0.1 and 0.2). Only a result
//!   with more digits than a decimal holds is rounded, to the nearest one it holds, a tie
//!   going to the even last digit: `1 / 3` is `0.3333333333333333333333333333`, so
//!   `1 / 3 * 3` is `0.9999999999999999999999999999`, not 1. Each operation is rounded,
//!   if at all, on its own, in the order above.
//! - **A comparison that cannot be computed is false**, exactly as a test on a missing
//!   value: when an identifier in it is missing (`profit` or `growth` of a customer
//!   without them, an absent attribute, an unscored label); when a division by zero
//!   occurs; or when a result overflows the range above, at any step (`a + b - b`
//!   overflows when `a + b` does). So `!=` is false then too, and
//!   `not (profit / monetary < 0.1)` is true. Nothing panics.
//! - **On load**, a part made of decimals alone is computed (`2 * 3` becomes `6`). When
//!   that divides by zero or overflows, when a sum is divided by the decimal zero
//!   (`monetary / 0`), or when a comparison has no identifier at all (`1 < 2`: it never
//!   depends on the customer), the rule is an error.
//!
//! Explanations list the value of every identifier of a comparison, as of a test, and
//! name what could not be computed: `profit = (missing)`, or the part whose result
//! failed, from the start of its run of `+ -` or `* /`:
//! `profit / monetary = (division by zero)`, `a + b = (overflow)`.
//!
//! ```
//! use customer_tiering::rules::{Facts, RuleSet};
//! use customer_tiering::{CustomerId, Profile};
//! use rust_decimal::dec;
//!
//! let rules = RuleSet::from_toml_str("lapsed.toml", r#"
//!     name = "lapsed"
//!     tiers = ["lapsed", "active"]
//!     default = "active"
//!     [[rules]]
//!     when = "recency_days > 2 * tenure_days"
//!     tier = "lapsed"
//!     [[rules]]
//!     when = "not (profit / monetary >= 0.1)"
//!     tag = "check_margin"
//! "#)?;
//! let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
//! (profile.recency_days, profile.tenure_days) = (Some(400), Some(150));
//! profile.profit = Some(dec!(5.00)); // and a monetary of 0
//! let facts = Facts { profile: &profile, columns: &[], labels: &[] };
//! assert_eq!(
//!     rules.explain(&facts).to_string(),
//!     "tier = lapsed: rule 1 (recency_days > 2 * tenure_days; recency_days = 400, \
//!      tenure_days = 150) gave lapsed; tags: check_margin by rule 2 (not (profit / monetary \
//!      >= 0.1); profit = 5.00, monetary = 0, profit / monetary = (division by zero))"
//! );
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! # Outcomes
//!
//! Applied in this order ([`RuleSet::apply`]):
//! 1. **tier**: the *first* matching tier rule gives the tier; else `default`, or no tier
//!    under `unmatched = "unscored"`;
//! 2. **`at_most` / `at_least`**: *every* matching one applies, in rule order, against the
//!    `tiers` order: `at_most X` makes the tier the worse of itself and `X`, `at_least X`
//!    the better. A customer without a tier stays without one: caps and floors bound a
//!    tier, they never make one up;
//! 3. **tag**: every matching tag rule adds its tag; tags come sorted, without
//!    duplicates, and tag conditions see the final tier.
//!
//! # What is checked
//!
//! On load ([`RuleSet::from_toml_str`], [`RuleSet::from_json_str`], [`RuleSet::from_path`],
//! and deserialization): the syntax of every condition (errors give the column; parentheses,
//! `not`s and unary minuses nest at most 64 levels deep, and the names other than metrics
//! and `tier` number at most 65 536 per rule set), a rule
//! with zero or several outcomes, a tier (in `tier`, `at_most`, `at_least`, `default`,
//! or compared with `tier`) not in `tiers`, duplicate tiers, `tier` in a tier rule's
//! condition, `tier` in arithmetic or compared with another identifier, the arithmetic
//! errors of decimals alone above, an impossible range (in any `and` chain, tests on one
//! identifier that cannot all hold: `monetary > 5 and monetary < 3`, `r == 1 and r == 2`,
//! `x is missing and x > 0`, `monetary > 2 * 3 and 5 > monetary`; only comparisons of
//! one identifier with decimals or texts are looked at: one with arithmetic or of two
//! identifiers is not worked out, and never makes a rule impossible), a tier rule after a
//! catch-all tier rule (it can never fire), and the choice of `default` / catch-all /
//! `unmatched` above.
//!
//! Against a [`Schema`] ([`RuleSet::validate`], [`RuleSet::with_schema`]): unknown
//! identifiers, type mismatches (a text against a number, a decimal against a text, a
//! named label or text attribute in arithmetic or compared with another identifier), a
//! label that is not a known label of its column, `<`… on an unordered column.
//!
//! Every error is an [`Error::Rule`] naming the file, the rule
//! (`rule 2 ("bad credit")`, or `rule 2` when it has no name; `rule set` for the rule
//! set as a whole) and the problem; a TOML or JSON error is an
//! [`Error::Parse`].
//!
//! # Speed
//!
//! Loading, checking against a schema, explaining and saving take time proportional to
//! the length of the rule file (up to a logarithm): a condition of 200 000 tests loads
//! and checks in well under a second (`cargo bench --bench rules`).
//!
//! Conditions are parsed once, on load. A comparison of one identifier with decimals or
//! texts (`monetary >= 1000`, `metal == "gold"`, `500 < monetary`) is evaluated as such,
//! without arithmetic; a sum is computed on every evaluation. [`RuleSet::apply`]
//! allocates nothing but the vectors of its [`RuleOutcome`] that have entries; it finds
//! label columns by name among the facts' few columns; in a pipeline,
//! [`TierRules::index_columns`] resolves them once per run, for
//! [`TierRules::decide_indexed`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::classify::explain::{
    Bound, BoundStep, Fact, FactValue, MatchedRule, RuleTrace, TagStep, TierDecision,
};
use crate::classify::{Explanation, Label};
use crate::error::Error;
use crate::profile::Profile;

use condition::{Columns, Cond, Env, Positions, Shown, Val};

mod condition;
mod load;
mod logic;
mod parse;
mod schema;

pub use load::TierInfo;
pub use logic::{AnyRules, TierRules};
pub use schema::Schema;

/// The keys of the shipped rule sets ([purchase
/// intent](crate::definitions#purchase-intent)).
///
/// # Example
/// ```
/// use customer_tiering::rules::{RuleSet, PRESET_KEYS};
/// for key in PRESET_KEYS {
///     assert_eq!(RuleSet::preset(key)?.name(), key);
/// }
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub const PRESET_KEYS: [&str; 1] = ["intent"];

const PRESET_FILES: [(&str, &str); 1] =
    [("intent", include_str!("../../presets/rules/intent.toml"))];

/// A validated, parsed rule set ([rule
/// sets](crate::definitions#rule-sets-and-the-final-tier)). See the [module docs](self) for
/// the file format, the condition language and the checks.
///
/// Serializes to its file form (so a saved model can hold it); deserializing parses and
/// checks it again.
///
/// # Example
/// ```
/// use customer_tiering::rules::RuleSet;
/// let rules = RuleSet::preset("intent")?;
/// let json = serde_json::to_string(&rules)?;
/// assert_eq!(serde_json::from_str::<RuleSet>(&json)?, rules);
///
/// let broken = json.replace(r#""tier":"c""#, r#""tier":"z""#); // a hand-edited model
/// let err = serde_json::from_str::<RuleSet>(&broken).unwrap_err();
/// assert!(err.to_string().contains(r#"tier "z" is not one of the tiers (a, b, c)"#), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The file name (or `rule set "name"` when deserialized), for errors.
    origin: String,
    name: String,
    column: String,
    tiers: Vec<SmolStr>,
    /// Position in `tiers`.
    default: Option<usize>,
    unmatched: Option<Unmatched>,
    source: Option<String>,
    label_orders: BTreeMap<String, Vec<SmolStr>>,
    /// Display names and playbooks the file gives, by tier.
    tier_info: BTreeMap<String, TierInfo>,
    rules: Vec<Rule>,
    /// The identifiers that are neither metrics nor `tier`, in order of first use.
    names: Vec<SmolStr>,
    /// Per entry of `names`, the positions of its labels when `label_orders` has it.
    orders: Vec<Option<Positions>>,
}

impl PartialEq for RuleSet {
    /// Equal when the file forms are: where a rule set was loaded from does not matter.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.column == other.column
            && self.tiers == other.tiers
            && self.default == other.default
            && self.unmatched == other.unmatched
            && self.source == other.source
            && self.label_orders == other.label_orders
            && self.tier_info == other.tier_info
            && self.rules == other.rules
    }
}

// Every compared part (names, decimals, parsed conditions) has a total equality.
impl Eq for RuleSet {}

/// One rule: `when` a condition holds, an [`Outcome`].
///
/// # Example
/// ```
/// use customer_tiering::rules::{Outcome, RuleSet};
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b"]
///     [[rules]]
///     name = "big"
///     when = "monetary >= 1000"
///     tier = "a"
///     [[rules]]
///     tier = "b"
/// "#)?;
/// let [big, rest] = rules.rules() else { panic!("two rules") };
/// assert_eq!((big.name(), big.when()), (Some("big"), Some("monetary >= 1000")));
/// assert!(rest.is_catch_all()); // no `when`: it stands in for a default
/// assert_eq!(rest.outcome(), &Outcome::Tier("b".into()));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    name: Option<String>,
    when: Option<String>,
    outcome: Outcome,
    /// For tier, cap and floor: the tier's position in `tiers`.
    target: usize,
    condition: Cond,
}

impl Rule {
    /// The rule's name, if it has one.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let intent = RuleSet::preset("intent")?;
    /// assert_eq!(intent.rules()[0].name(), Some("strong need"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The condition as written; `None` for a rule that always applies.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let intent = RuleSet::preset("intent")?;
    /// assert_eq!(intent.rules()[0].when(), Some(r#"intent == "a""#));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn when(&self) -> Option<&str> {
        self.when.as_deref()
    }

    /// What the rule does.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{Outcome, RuleSet};
    /// let intent = RuleSet::preset("intent")?;
    /// assert_eq!(intent.rules()[2].outcome(), &Outcome::Tier("c".into()));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// Whether the rule always applies (no `when`, or `when = "true"`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let rules = RuleSet::preset("intent")?;
    /// assert!(rules.rules().iter().all(|r| !r.is_catch_all()));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn is_catch_all(&self) -> bool {
        self.condition == Cond::Const(true)
    }

    /// The rule as explanations name it (`rule 1 ("vip": monetary > 5)`), with the
    /// values its condition looked at.
    fn matched(&self, index: usize, facts: Vec<Fact>) -> MatchedRule {
        let when = self.when.as_deref().map(|w| w.trim().to_string());
        MatchedRule::new(index + 1, self.name.clone(), when, facts)
    }
}

/// What a rule does when its condition holds.
///
/// # Example
/// ```
/// use customer_tiering::rules::{Outcome, RuleSet};
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b", "c"]
///     default = "c"
///     [[rules]]
///     when = "monetary >= 1000"
///     tier = "a"
///     [[rules]]
///     when = 'credit_rating == "D"'
///     at_most = "b"
///     [[rules]]
///     when = "complaints > 3"
///     tag = "unhappy"
/// "#)?;
/// let outcomes: Vec<&Outcome> = rules.rules().iter().map(|rule| rule.outcome()).collect();
/// assert_eq!(outcomes, [
///     &Outcome::Tier("a".into()),
///     &Outcome::AtMost("b".into()),
///     &Outcome::Tag("unhappy".into()),
/// ]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Gives the tier (the first matching tier rule wins).
    Tier(SmolStr),
    /// Caps the tier: it becomes the worse of itself and this one.
    AtMost(SmolStr),
    /// Floors the tier: it becomes the better of itself and this one.
    AtLeast(SmolStr),
    /// Adds a tag.
    Tag(SmolStr),
}

/// What a customer no tier rule matches gets, when the rule set has no `default`.
///
/// # Example
/// ```
/// use customer_tiering::rules::{Facts, RuleSet, Unmatched};
/// use customer_tiering::{CustomerId, Profile};
/// let rules = RuleSet::from_toml_str("vip.toml", r#"
///     name = "vip"
///     tiers = ["vip"]
///     unmatched = "unscored"
///     [[rules]]
///     when = "monetary >= 1000"
///     tier = "vip"
/// "#)?;
/// assert_eq!(rules.unmatched(), Some(Unmatched::Unscored));
/// let profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// let facts = Facts { profile: &profile, columns: &[], labels: &[] };
/// assert_eq!(rules.apply(&facts).tier, None); // no tier rather than a made-up one
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmatched {
    /// No tier (an empty cell), never a made-up one.
    Unscored,
}

/// What rules look at for one customer: the profile (metrics and attributes) and the
/// labels of the other classifiers, `labels[i]` being the label of `columns[i]`.
///
/// An identifier that is neither a metric nor `tier` is that column's label when it is
/// one of `columns`, and otherwise an attribute of the profile.
///
/// # Example
/// ```
/// use customer_tiering::classify::Label;
/// use customer_tiering::rules::{Facts, RuleSet};
/// use customer_tiering::{CustomerId, Profile};
/// use rust_decimal::dec;
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b"]
///     default = "b"
///     [[rules]]
///     when = 'metal == "platinum" and monetary >= 1000'
///     tier = "a"
/// "#)?;
/// let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// profile.monetary = dec!(1500.00); // metrics and attributes come from the profile …
/// let columns = ["r".to_string(), "metal".to_string()]; // … labels from the other columns
/// let labels = [Label::Score(5), Label::Name("platinum".into())];
/// let facts = Facts { profile: &profile, columns: &columns, labels: &labels };
/// assert_eq!(rules.apply(&facts).tier.as_deref(), Some("a"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The customer's metrics and attributes.
    pub profile: &'a Profile,
    /// The label columns of the other classifiers (`r`, `metal`, `lifecycle` …).
    pub columns: &'a [String],
    /// The customer's label in each of `columns`.
    pub labels: &'a [Label],
}

impl Facts<'_> {
    /// The customer's label in `column`, if a column before the rules has that name.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// use customer_tiering::rules::Facts;
    /// use customer_tiering::{CustomerId, Profile};
    /// let profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// let columns = ["metal".to_string()];
    /// let labels = [Label::Name("gold".into())];
    /// let facts = Facts { profile: &profile, columns: &columns, labels: &labels };
    /// assert_eq!(facts.label("metal"), Some(&Label::Name("gold".into())));
    /// assert_eq!(facts.label("abc"), None);
    /// ```
    pub fn label(&self, column: &str) -> Option<&Label> {
        let at = self.columns.iter().position(|c| c == column)?;
        self.labels.get(at)
    }
}

/// The result of [`RuleSet::apply`] for one customer.
///
/// # Example
/// ```
/// use customer_tiering::attributes::AttrValue;
/// use customer_tiering::rules::{Facts, RuleOutcome, RuleSet};
/// use customer_tiering::{CustomerId, Profile};
/// use rust_decimal::dec;
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b", "c"]
///     default = "c"
///     [[rules]]
///     when = "monetary >= 1000"
///     tier = "a"
///     [[rules]]
///     when = 'credit_rating == "D"'
///     at_most = "b"
///     [[rules]]
///     when = 'tier == "b"'
///     tag = "upsell"
///     [[rules]]
///     when = 'credit_rating == "D"'
///     tag = "check_credit"
/// "#)?;
/// let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// profile.monetary = dec!(1500.00);
/// profile.attributes.insert("credit_rating", AttrValue::Text("D".into()));
/// let outcome = rules.apply(&Facts { profile: &profile, columns: &[], labels: &[] });
/// assert_eq!(outcome, RuleOutcome {
///     tier: Some("b".into()),                           // rule 1 gave a, rule 2 capped it
///     tags: vec!["check_credit".into(), "upsell".into()], // sorted; tags see the final tier
///     tier_rule: Some(0),
///     caps: vec![1],
///     tag_rules: vec![2, 3],
/// });
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleOutcome {
    /// The final tier; `None` only under `unmatched = "unscored"`.
    pub tier: Option<SmolStr>,
    /// The tags, sorted, without duplicates.
    pub tags: Vec<SmolStr>,
    /// The tier rule that fired (0-based), if any.
    pub tier_rule: Option<usize>,
    /// The `at_most` / `at_least` rules that matched and applied, in order (0-based),
    /// whether or not they changed the tier.
    pub caps: Vec<usize>,
    /// The tag rules that matched, in order (0-based).
    pub tag_rules: Vec<usize>,
}

impl RuleOutcome {
    /// The outcome `tier`, without tags, from no rule in particular: what an
    /// application's [`TierRules`] usually returns.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleOutcome;
    /// let key = RuleOutcome::tier("key");
    /// assert_eq!((key.tier.as_deref(), key.tags.len()), (Some("key"), 0));
    /// ```
    pub fn tier(tier: &str) -> Self {
        RuleOutcome {
            tier: Some(SmolStr::new(tier)),
            tags: Vec::new(),
            tier_rule: None,
            caps: Vec::new(),
            tag_rules: Vec::new(),
        }
    }

    /// These tags added (sorted, without duplicates).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleOutcome;
    /// let outcome = RuleOutcome::tier("key").with_tags(["vip", "call", "vip"]);
    /// assert_eq!(outcome.tags, ["call", "vip"]);
    /// ```
    #[must_use]
    pub fn with_tags<'t>(mut self, tags: impl IntoIterator<Item = &'t str>) -> Self {
        self.tags.extend(tags.into_iter().map(SmolStr::new));
        self.tags.sort_unstable();
        self.tags.dedup();
        self
    }
}

/// Where the columns some rules read are among a run's columns, worked out once per run
/// by [`TierRules::index_columns`] for [`TierRules::decide_indexed`]: an opaque
/// speed-up a [`RuleSet`] uses; an application's rules may ignore it.
///
/// # Example
/// ```
/// use customer_tiering::classify::Label;
/// use customer_tiering::rules::{Facts, RuleSet, TierRules};
/// use customer_tiering::{CustomerId, Profile};
/// let rules = RuleSet::from_toml_str("rf.toml", r#"
///     name = "rf"
///     tiers = ["a", "b"]
///     default = "b"
///     [[rules]]
///     when = "r >= 4 and f >= 4"
///     tier = "a"
/// "#)?;
/// let columns = ["r", "f", "m"].map(String::from);
/// let index = rules.index_columns(&columns); // once per run …
/// let profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// for (scores, tier) in [([5, 4, 1], "a"), ([5, 3, 5], "b")] {
///     let labels = scores.map(Label::Score); // … then for every customer
///     let facts = Facts { profile: &profile, columns: &columns, labels: &labels };
///     assert_eq!(rules.decide_indexed(&facts, &index).tier.as_deref(), Some(tier));
/// }
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnIndex {
    slots: Vec<Option<usize>>,
}

impl RuleSet {
    /// Loads a shipped rule set by key (see [`PRESET_KEYS`]).
    ///
    /// # Errors
    /// [`ConfigError::UnknownPreset`](crate::ConfigError::UnknownPreset) for an unknown key.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let intent = RuleSet::preset("intent")?;
    /// assert_eq!((intent.column(), intent.tiers()), ("intent", &["a".into(), "b".into(), "c".into()][..]));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn preset(key: &str) -> Result<RuleSet, Error> {
        let text = crate::error::embedded_preset(&PRESET_FILES, key)?;
        RuleSet::from_toml_str(&format!("preset {key}"), text)
    }

    /// The display names and playbook the file gives a tier (`[tier_info.a]`), if any.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::names::Lang;
    /// use customer_tiering::rules::RuleSet;
    /// let rules = RuleSet::from_toml_str("t.toml", r#"
    ///     name = "t"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    ///     [tier_info.a]
    ///     en = "Key account"
    ///     zh-Hans = "重点客户"
    ///     playbook = "Weekly call."
    /// "#)?;
    /// let a = rules.tier_info("a").unwrap();
    /// let playbook = a.playbook.as_ref().map(|p| p.text(Lang::ZhHans));
    /// assert_eq!((a.zh_hans.as_deref(), playbook), (Some("重点客户"), Some("Weekly call.")));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn tier_info(&self, tier: &str) -> Option<&TierInfo> {
        self.tier_info.get(tier)
    }

    /// The rule set's name.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// assert_eq!(RuleSet::preset("intent")?.name(), "intent");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The output column (`tier` unless the file says otherwise).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let rules = RuleSet::from_toml_str("t.toml", r#"
    ///     name = "t"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    /// "#)?;
    /// assert_eq!(rules.column(), "tier");
    /// assert_eq!(RuleSet::preset("intent")?.column(), "intent"); // `column = "intent"`
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The tier scheme, best first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// assert_eq!(RuleSet::preset("intent")?.tiers(), ["a", "b", "c"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn tiers(&self) -> &[SmolStr] {
        &self.tiers
    }

    /// The tier of a customer no tier rule matches, if the rule set names one.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let rules = RuleSet::from_toml_str("t.toml", r#"
    ///     name = "t"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    /// "#)?;
    /// assert_eq!(rules.default_tier(), Some("b"));
    /// assert_eq!(RuleSet::preset("intent")?.default_tier(), None); // unmatched = "unscored"
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn default_tier(&self) -> Option<&str> {
        self.default.map(|i| self.tiers[i].as_str())
    }

    /// `Some(Unmatched::Unscored)` when an unmatched customer gets no tier.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, Unmatched};
    /// let rules = RuleSet::from_toml_str("t.toml", r#"
    ///     name = "t"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    /// "#)?;
    /// assert_eq!(rules.unmatched(), None); // it has a default
    /// assert_eq!(RuleSet::preset("intent")?.unmatched(), Some(Unmatched::Unscored));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn unmatched(&self) -> Option<Unmatched> {
        self.unmatched
    }

    /// Where the rule set comes from, if it says.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let intent = RuleSet::preset("intent")?;
    /// assert!(intent.source().unwrap().starts_with("PRESETS §1f: purchase intent"));
    /// let rules = RuleSet::from_toml_str("t.toml", r#"
    ///     name = "t"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    /// "#)?;
    /// assert_eq!(rules.source(), None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// Per tier, the rules that give it or move customers into it (caps and floors),
    /// by name (`rule N` for an unnamed one, N counted from 1 in the file), and whether
    /// it is the default; tags mark customers and move none.
    pub(crate) fn criteria(&self) -> Vec<crate::classify::criterion::Criterion> {
        use crate::classify::criterion::{Criterion, NamedRule, Rule as Said, RuleRole};
        self.tiers
            .iter()
            .enumerate()
            .map(|(at, tier)| {
                let rules = self
                    .rules
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| {
                        let role = match &r.outcome {
                            Outcome::Tier(t) if t == tier => RuleRole::Tier,
                            Outcome::AtMost(t) if t == tier => RuleRole::Cap,
                            Outcome::AtLeast(t) if t == tier => RuleRole::Floor,
                            _ => return None,
                        };
                        let name = r.name.clone().unwrap_or_else(|| format!("rule {}", i + 1));
                        Some(NamedRule { name, role })
                    })
                    .collect();
                Criterion {
                    column: self.column.to_string(),
                    label: tier.to_string(),
                    rule: Said::Rules {
                        rules,
                        default: self.default == Some(at),
                    },
                }
            })
            .collect()
    }

    /// The rules, in order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let intent = RuleSet::preset("intent")?;
    /// let names: Vec<_> = intent.rules().iter().filter_map(|rule| rule.name()).collect();
    /// assert_eq!(names, ["strong need", "need but hesitant", "vague need"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The label orders the rule set knows (best first), by column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, Schema};
    /// let rules = RuleSet::from_toml_str("t.toml", r#"
    ///     name = "t"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    ///     [[rules]]
    ///     when = 'metal >= "gold"'
    ///     tier = "a"
    /// "#)?;
    /// assert!(rules.label_orders().is_empty());
    /// let metals = ["platinum", "gold", "iron", "lead"].map(String::from).to_vec();
    /// let rules = rules.with_schema(&Schema::new().label_column("metal", metals, true))?;
    /// assert_eq!(rules.label_orders()["metal"], ["platinum", "gold", "iron", "lead"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn label_orders(&self) -> &BTreeMap<String, Vec<SmolStr>> {
        &self.label_orders
    }

    /// The identifiers the conditions use that are neither metrics, `tier`, nor known
    /// attributes ([inputs](crate::definitions#inputs)): the label columns of other
    /// classifiers (and any extra attributes), in order of first use. A pipeline computes
    /// these columns first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// let rules = RuleSet::from_toml_str("x.toml", r#"
    ///     name = "x"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    ///     [[rules]]
    ///     when = 'metal == "gold" and credit_rating != "D" and monetary > 5 and r >= 4'
    ///     tier = "a"
    /// "#)?;
    /// assert_eq!(rules.referenced_columns(), ["metal", "r"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn referenced_columns(&self) -> Vec<&str> {
        self.names
            .iter()
            .map(SmolStr::as_str)
            .filter(|name| crate::attributes::known_type(name).is_none())
            .collect()
    }

    /// The known attributes ([inputs](crate::definitions#inputs)) the conditions compare.
    pub(crate) fn attributes_read(&self) -> Vec<String> {
        self.names
            .iter()
            .filter(|name| crate::attributes::known_type(name).is_some())
            .map(ToString::to_string)
            .collect()
    }

    /// The metrics the conditions compare, in tests and inside arithmetic alike.
    pub(crate) fn metrics_read(&self) -> Vec<crate::profile::Metric> {
        let mut metrics = Vec::new();
        let mut note = |subject: condition::Subject| {
            if let condition::Subject::Metric(metric) = subject
                && !metrics.contains(&metric)
            {
                metrics.push(metric);
            }
        };
        for rule in &self.rules {
            rule.condition.for_each_leaf(&mut |leaf| match leaf {
                condition::Leaf::Test(test) => note(test.subject),
                condition::Leaf::Compare(compare) => {
                    compare.for_each_var(&mut |var| note(var.subject));
                }
            });
        }
        metrics
    }

    /// Finds the rule set's label columns among a run's columns once, for
    /// [`apply_indexed`](RuleSet::apply_indexed).
    pub(crate) fn index_columns(&self, columns: &[String]) -> ColumnIndex {
        ColumnIndex {
            slots: self
                .names
                .iter()
                .map(|name| columns.iter().position(|c| c == name))
                .collect(),
        }
    }

    /// Decides one customer's tier and tags ([rule
    /// sets](crate::definitions#rule-sets-and-the-final-tier)): the first matching tier
    /// rule (else the default, or no tier), then every matching cap and floor in order,
    /// then every matching tag. Never fails: every check happened on load.
    ///
    /// Ordered comparisons of named labels (`metal >= "gold"`) need the column's order:
    /// load the rule set [`with_schema`](RuleSet::with_schema) (or give `label_orders`);
    /// without one such a test is false.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrValue;
    /// use customer_tiering::rules::{Facts, RuleSet};
    /// use customer_tiering::{CustomerId, Profile};
    /// let rules = RuleSet::preset("intent")?;
    /// let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// let facts = Facts { profile: &profile, columns: &[], labels: &[] };
    /// assert_eq!(rules.apply(&facts).tier, None); // no intent attribute: no tier
    /// profile.attributes.insert("intent", AttrValue::Text("b".into()));
    /// let facts = Facts { profile: &profile, columns: &[], labels: &[] };
    /// assert_eq!(rules.apply(&facts).tier.as_deref(), Some("b"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn apply(&self, facts: &Facts<'_>) -> RuleOutcome {
        self.run(facts, Columns::Scan(facts.columns))
    }

    /// [`apply`](RuleSet::apply) with the label columns found once by
    /// [`index_columns`](RuleSet::index_columns) (for `facts.columns`).
    pub(crate) fn apply_indexed(&self, facts: &Facts<'_>, index: &ColumnIndex) -> RuleOutcome {
        self.run(facts, Columns::Indexed(&index.slots))
    }

    fn run(&self, facts: &Facts<'_>, columns: Columns<'_>) -> RuleOutcome {
        let mut env = Env {
            profile: facts.profile,
            names: &self.names,
            columns,
            labels: facts.labels,
            orders: &self.orders,
            tier: None,
        };
        let tier_rule = self
            .rules
            .iter()
            .position(|r| matches!(r.outcome, Outcome::Tier(_)) && r.condition.eval(&env));
        let mut tier = match tier_rule {
            Some(i) => Some(self.rules[i].target),
            None => self.default,
        };
        let mut caps = Vec::new();
        if tier.is_some() {
            for (i, rule) in self.rules.iter().enumerate() {
                let cap = match rule.outcome {
                    Outcome::AtMost(_) => true,
                    Outcome::AtLeast(_) => false,
                    Outcome::Tier(_) | Outcome::Tag(_) => continue,
                };
                env.tier = tier;
                if rule.condition.eval(&env) {
                    caps.push(i);
                    tier = tier.map(|t| bound(t, rule.target, cap));
                }
            }
        }
        env.tier = tier;
        let mut tags = Vec::new();
        let mut tag_rules = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if let Outcome::Tag(tag) = &rule.outcome
                && rule.condition.eval(&env)
            {
                tags.push(tag.clone());
                tag_rules.push(i);
            }
        }
        tags.sort_unstable();
        tags.dedup();
        RuleOutcome {
            tier: tier.map(|t| self.tiers[t].clone()),
            tags,
            tier_rule,
            caps,
            tag_rules,
        }
    }

    /// Why the customer gets its tier and tags
    /// ([explanations](crate::definitions#explanations)), as an [`Explanation`] whose
    /// `Display` is one line of English: the tier rule that fired (number, name, condition
    /// and the values it looked at) or the default, each cap and floor that applied, and
    /// the tags with their rules.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrValue;
    /// use customer_tiering::classify::{Label, Reason};
    /// use customer_tiering::rules::{Facts, RuleSet};
    /// use customer_tiering::{CustomerId, Profile};
    /// let rules = RuleSet::preset("intent")?;
    /// let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// profile.attributes.insert("intent", AttrValue::Text("a".into()));
    /// let facts = Facts { profile: &profile, columns: &[], labels: &[] };
    /// let why = rules.explain(&facts);
    /// assert_eq!((why.column(), why.label()), ("intent", &Label::Name("a".into())));
    /// assert!(matches!(why.reason(), Reason::RuleSet(_)));
    /// assert_eq!(
    ///     why.to_string(),
    ///     r#"intent = a: rule 1 ("strong need": intent == "a"; intent = a) gave a; tags: none"#
    /// );
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn explain(&self, facts: &Facts<'_>) -> Explanation {
        let outcome = self.apply(facts);
        let mut env = Env {
            profile: facts.profile,
            names: &self.names,
            columns: Columns::Scan(facts.columns),
            labels: facts.labels,
            orders: &self.orders,
            tier: None,
        };
        let (mut trace, mut tier) = match outcome.tier_rule {
            Some(i) => {
                let rule = &self.rules[i];
                let matched = rule.matched(i, self.facts_of(rule, &env));
                let tier = self.tiers[rule.target].clone();
                let decided = TierDecision::Rule {
                    rule: matched,
                    tier,
                };
                (RuleTrace::new(decided), Some(rule.target))
            }
            None => {
                let decided = match self.default {
                    Some(d) => TierDecision::Default {
                        tier: self.tiers[d].clone(),
                    },
                    None => TierDecision::Unmatched,
                };
                (RuleTrace::new(decided), self.default)
            }
        };
        for &i in &outcome.caps {
            let rule = &self.rules[i];
            env.tier = tier;
            let facts = self.facts_of(rule, &env);
            let before = tier.unwrap_or(rule.target);
            let cap = matches!(rule.outcome, Outcome::AtMost(_));
            let after = bound(before, rule.target, cap);
            trace.bounds.push(BoundStep::new(
                rule.matched(i, facts),
                if cap { Bound::AtMost } else { Bound::AtLeast },
                self.tiers[rule.target].clone(),
                self.tiers[before].clone(),
                self.tiers[after].clone(),
            ));
            tier = Some(after);
        }
        env.tier = tier;
        // The tag rules that matched, by tag (sorted, as `outcome.tags`), in rule order.
        let mut by_tag: BTreeMap<&SmolStr, Vec<usize>> = BTreeMap::new();
        for &i in &outcome.tag_rules {
            if let Outcome::Tag(tag) = &self.rules[i].outcome {
                by_tag.entry(tag).or_default().push(i);
            }
        }
        for (tag, rules) in by_tag {
            let rules = rules
                .into_iter()
                .map(|i| self.rules[i].matched(i, self.facts_of(&self.rules[i], &env)))
                .collect();
            trace.tags.push(TagStep::new(tag.clone(), rules));
        }
        Explanation::rule_set(&self.column, outcome.tier, trace)
    }

    /// The identifiers of a rule's condition, each once in order of first use, with
    /// their values; and after those of a comparison whose arithmetic fails, that part
    /// with the failure (`profit / monetary = (division by zero)`).
    fn facts_of(&self, rule: &Rule, env: &Env<'_>) -> Vec<Fact> {
        rule.condition
            .shown(env)
            .into_iter()
            .map(|shown| match shown {
                Shown::Value(subject) => {
                    let value = env.value(subject).map(|value| match value {
                        Val::Num(n) => FactValue::Number(n),
                        Val::Text(t) => FactValue::Text(SmolStr::new(t)),
                        Val::Rank(r) => FactValue::Tier(self.tiers[r].clone()),
                    });
                    Fact::new(SmolStr::new(self.subject_name(subject)), value)
                }
                Shown::Failed(failure) => {
                    let part = condition::span_of(rule.when.as_deref().unwrap_or(""), failure.span);
                    let why = FactValue::Failed(failure.error.describe());
                    Fact::new(SmolStr::new(part), Some(why))
                }
            })
            .collect()
    }
}

/// A tier (by position, 0 = best) capped (`at_most`) or floored (`at_least`) at `target`.
#[inline]
fn bound(tier: usize, target: usize, cap: bool) -> usize {
    if cap {
        tier.max(target)
    } else {
        tier.min(target)
    }
}

#[cfg(test)]
mod tests;
