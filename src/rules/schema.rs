//! What conditions may refer to, and the checks of a rule set against it.

use std::collections::{BTreeMap, BTreeSet};

use smol_str::SmolStr;

use super::RuleSet;
use super::condition::{Compare, Expr, Leaf, Subject, Test, Values, Var};
use super::load::{SET, compile, rule_error, rule_label};
use crate::attributes::{AttrType, known_type};
use crate::error::Error;
use crate::profile::Metric;

/// What a rule set's conditions may refer to besides the metrics (always there) and the
/// known attributes ([inputs](crate::definitions#inputs),
/// [`KNOWN_ATTRIBUTES`](crate::attributes::KNOWN_ATTRIBUTES), always there): the label
/// columns of the other classifiers, and any extra attributes.
///
/// # Example
/// ```
/// use customer_tiering::attributes::AttrType;
/// use customer_tiering::rules::{RuleSet, Schema};
/// let schema = Schema::new()
///     .label_column("metal", ["platinum", "gold", "iron", "lead"].map(String::from).to_vec(), true)
///     .label_column("lifecycle", vec![], false)
///     .score_column("r", 5)
///     .attribute("vip_score", AttrType::Number);
/// let rules = RuleSet::from_toml_str("x.toml", r#"
///     name = "x"
///     tiers = ["top", "rest"]
///     default = "rest"
///     [[rules]]
///     when = 'metal >= "gold" and r >= 4 and vip_score > 7.5 and lifecycle != "lost"'
///     tier = "top"
/// "#)?;
/// rules.validate(&schema)?;
/// assert!(rules.validate(&Schema::new()).is_err()); // metal is unknown there
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    columns: Vec<LabelColumn>,
    /// By name: a customers file may declare many, and each is looked up by name.
    attributes: BTreeMap<String, AttrType>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LabelColumn {
    name: String,
    kind: ColumnKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ColumnKind {
    /// Named labels (`Label::Name`): the known ones (empty = any), and whether they are
    /// listed best first.
    Names { labels: Vec<String>, ordered: bool },
    /// Quantile scores 1..=max (`Label::Score`), compared as numbers.
    Scores { max: u8 },
}

/// What an identifier stands for under a schema.
#[derive(Debug, Clone, Copy)]
enum Kind<'s> {
    /// A metric, a number attribute, or a score column (`Some(max)`).
    Number(Option<u8>),
    /// A text attribute or a named-label column, with its known values (empty = any),
    /// whether they are ordered (best first), and what it is called in messages.
    Text {
        values: &'s [String],
        known: &'static [&'static str],
        ordered: bool,
        what: &'static str,
    },
    /// The rule set's own tier (checked on load).
    Tier,
}

impl Schema {
    /// An empty schema: only metrics and the known attributes.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, Schema};
    /// let rules = RuleSet::from_toml_str("t.toml", r#"
    ///     name = "t"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    ///     [[rules]]
    ///     when = 'monetary > 100 and credit_rating != "D"'
    ///     tier = "a"
    /// "#)?;
    /// rules.validate(&Schema::new())?; // metrics and known attributes need no declaring
    /// assert!(!Schema::new().has_column("metal"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new() -> Self {
        Schema::default()
    }

    /// Declares a label column of another classifier (`metal`, `grade`, `lifecycle`,
    /// `rfm_segment` …) whose labels are names. `labels` are the known labels (empty: any
    /// label is accepted); when `ordered`, they are listed best first and conditions may
    /// compare them with `<`, `<=`, `>`, `>=` (better is greater). A column declared again
    /// replaces the earlier declaration.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::Schema;
    /// let schema = Schema::new().label_column("grade", vec!["a".into(), "b".into()], true);
    /// assert!(schema.has_column("grade"));
    /// ```
    #[must_use]
    pub fn label_column(self, name: &str, labels: Vec<String>, ordered: bool) -> Self {
        self.column(name, ColumnKind::Names { labels, ordered })
    }

    /// Declares a column of quantile scores `1..=max` (`r`, `f`, `m`: [quantile
    /// scores](crate::definitions#quantile-scores), higher is better), compared with
    /// decimals: `r >= 4`, `f in [4, 5]`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::Schema;
    /// let schema = Schema::new().score_column("r", 5).score_column("f", 5);
    /// assert!(schema.has_column("f"));
    /// ```
    #[must_use]
    pub fn score_column(self, name: &str, max: u8) -> Self {
        self.column(name, ColumnKind::Scores { max })
    }

    fn column(mut self, name: &str, kind: ColumnKind) -> Self {
        self.columns.retain(|c| c.name != name);
        self.columns.push(LabelColumn {
            name: name.to_string(),
            kind,
        });
        self
    }

    /// Declares an attribute beyond the known ones (a customers-file column such as
    /// `vip_score`); declaring a known one overrides its type.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrType;
    /// use customer_tiering::rules::Schema;
    /// let schema = Schema::new().attribute("segment_code", AttrType::Text);
    /// assert_eq!(schema.attribute_type("segment_code"), Some(AttrType::Text));
    /// assert_eq!(schema.attribute_type("satisfaction"), Some(AttrType::Number)); // known
    /// ```
    #[must_use]
    pub fn attribute(mut self, name: &str, ty: AttrType) -> Self {
        self.attributes.insert(name.to_string(), ty);
        self
    }

    /// Whether a label column of that name is declared.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrType;
    /// use customer_tiering::rules::Schema;
    /// let schema = Schema::new().score_column("r", 5).attribute("vip_score", AttrType::Number);
    /// assert!(schema.has_column("r"));
    /// assert!(!schema.has_column("vip_score")); // an attribute, not a label column
    /// ```
    pub fn has_column(&self, name: &str) -> bool {
        self.find_column(name).is_some()
    }

    /// The type of an attribute: declared, else known
    /// ([inputs](crate::definitions#inputs)), else none.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrType;
    /// use customer_tiering::rules::Schema;
    /// let schema = Schema::new().attribute("vip_score", AttrType::Number);
    /// assert_eq!(schema.attribute_type("vip_score"), Some(AttrType::Number));
    /// assert!(matches!(schema.attribute_type("status"), Some(AttrType::OneOf(_))));
    /// assert_eq!(schema.attribute_type("metal"), None); // a label column, if anything
    /// ```
    pub fn attribute_type(&self, name: &str) -> Option<AttrType> {
        self.attributes
            .get(name)
            .copied()
            .or_else(|| known_type(name))
    }

    fn find_column(&self, name: &str) -> Option<&LabelColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The names of the declared label columns, for messages.
    fn column_names(&self) -> String {
        if self.columns.is_empty() {
            "none declared".into()
        } else {
            let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
            names.join(", ")
        }
    }

    /// What an identifier stands for.
    fn resolve(&self, subject: Subject, name: &str) -> Result<Kind<'_>, String> {
        let column = self.find_column(name);
        let attribute = self.attribute_type(name);
        match subject {
            Subject::Metric(_) | Subject::Tier => {
                let what = if subject == Subject::Tier {
                    "this rule set's own tier"
                } else {
                    "a metric"
                };
                if column.is_some() || attribute.is_some() {
                    return Err(format!(
                        "{name:?} is ambiguous: it is {what} and also a {} of the schema",
                        if column.is_some() {
                            "label column"
                        } else {
                            "attribute"
                        }
                    ));
                }
                Ok(if subject == Subject::Tier {
                    Kind::Tier
                } else {
                    Kind::Number(None)
                })
            }
            Subject::Name(_) => match (column, attribute) {
                (Some(_), Some(_)) => Err(format!(
                    "{name:?} is ambiguous: it is both a label column and an attribute"
                )),
                (Some(column), None) => Ok(match &column.kind {
                    ColumnKind::Scores { max } => Kind::Number(Some(*max)),
                    ColumnKind::Names { labels, ordered } => Kind::Text {
                        values: labels,
                        known: &[],
                        ordered: *ordered,
                        what: "label column",
                    },
                }),
                (None, Some(AttrType::Number)) => Ok(Kind::Number(None)),
                (None, Some(AttrType::Text)) => Ok(Kind::Text {
                    values: &[],
                    known: &[],
                    ordered: false,
                    what: "text attribute",
                }),
                (None, Some(AttrType::OneOf(known))) => Ok(Kind::Text {
                    values: &[],
                    known,
                    ordered: false,
                    what: "text attribute",
                }),
                (None, None) => Err(format!(
                    "unknown identifier {name:?}: not a metric ({}), an attribute (a customers \
                     file's own columns are declared with PipelineBuilder::attributes) or a \
                     label column (label columns: {})",
                    Metric::ALL.map(Metric::name).join(", "),
                    self.column_names()
                )),
            },
        }
    }

    /// What a subject stands for, with the set of its known labels when it is a text
    /// that has some: worked out once per subject, then used by all its tests.
    fn resolve_with_labels(&self, subject: Subject, name: &str) -> Resolved<'_> {
        let kind = self.resolve(subject, name)?;
        let labels = match kind {
            Kind::Text { values, known, .. } => {
                let labels = known_labels(values, known);
                (!labels.is_empty()).then(|| labels.into_iter().collect())
            }
            Kind::Number(_) | Kind::Tier => None,
        };
        Ok((kind, labels))
    }

    /// Checks one test against the schema, given what its subject stands for; the reason
    /// when it does not fit.
    fn check_test(
        resolved: &Resolved<'_>,
        test: &Test,
        name: &str,
        source: &str,
    ) -> Result<(), String> {
        let (kind, labels) = resolved.as_ref().map_err(String::clone)?;
        match (*kind, &test.values) {
            (_, Values::None | Values::Tiers(_)) | (Kind::Tier, _) => Ok(()),
            (Kind::Number(_), Values::Text(list)) => Err(format!(
                "`{source}`: {name} is a number, but {} is text; compare it with a decimal",
                first(list.iter().map(|l| format!("{:?}", l.as_str())))
            )),
            (Kind::Number(Some(max)), Values::Num(list)) => {
                if test.op.is_ordered() {
                    return Ok(());
                }
                match list
                    .iter()
                    .find(|v| !(v.is_integer() && **v >= 1.into() && **v <= max.into()))
                {
                    Some(bad) => Err(format!(
                        "`{source}`: {bad} is not a score of {name} (1 to {max})"
                    )),
                    None => Ok(()),
                }
            }
            (Kind::Number(None), Values::Num(_)) => Ok(()),
            (Kind::Text { what, .. }, Values::Num(list)) => Err(format!(
                "`{source}`: {name} is a {what}, but {} is a decimal; quote the value",
                first(list.iter().map(ToString::to_string))
            )),
            (
                Kind::Text {
                    values,
                    known,
                    ordered,
                    what,
                },
                Values::Text(list),
            ) => {
                if test.op.is_ordered() && !ordered {
                    return Err(format!(
                        "`{source}`: {name} is a {what} without an order: <, <=, >, >= do not \
                         apply (use ==, !=, in, not in)"
                    ));
                }
                if test.op.is_ordered() && values.is_empty() {
                    return Err(format!(
                        "`{source}`: {name} has no known labels, so no order to compare by"
                    ));
                }
                let Some(labels) = labels else {
                    return Ok(());
                };
                match list.iter().find(|l| !labels.contains(l.as_str())) {
                    Some(bad) => Err(format!(
                        "`{source}`: {:?} is not a known label of {name} ({})",
                        bad.as_str(),
                        known_labels(values, known).join(", ")
                    )),
                    None => Ok(()),
                }
            }
        }
    }
}

/// What a subject stands for and its known labels, or why it is not in the schema.
type Resolved<'s> = Result<(Kind<'s>, Option<foldhash::HashSet<&'s str>>), String>;

/// The labels a text subject may take, in the schema's order: its column's labels, else
/// the known values of the attribute; empty when any is allowed.
fn known_labels<'s>(values: &'s [String], known: &'static [&'static str]) -> Vec<&'s str> {
    if values.is_empty() {
        known.to_vec()
    } else {
        values.iter().map(String::as_str).collect()
    }
}

/// The first of some values, for a message.
fn first(mut values: impl Iterator<Item = String>) -> String {
    values.next().unwrap_or_default()
}

impl RuleSet {
    /// Checks the rule set against what its conditions may refer to: every identifier is
    /// a metric, an attribute or a label column of the schema; values have the right
    /// type (decimals for metrics, number attributes and score columns, quoted text for
    /// text attributes and named labels); identifiers in arithmetic, or compared with
    /// another identifier, are numbers; labels are known labels of their column;
    /// `<`, `<=`, `>`, `>=` on labels only where the column is ordered; the rule set's
    /// column is not a column of the schema; and `label_orders`, if any, agree with the
    /// schema.
    ///
    /// This only checks. [`with_schema`](RuleSet::with_schema) checks and also takes the
    /// label orders that ordered comparisons need.
    ///
    /// # Errors
    /// [`Error::Rule`] naming the rule (or `set`), the position in its `when` and the
    /// problem.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, Schema};
    /// let rules = RuleSet::from_toml_str("x.toml", r#"
    ///     name = "x"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    ///     [[rules]]
    ///     name = "big"
    ///     when = 'monetary > "1000"'
    ///     tier = "a"
    /// "#)?;
    /// let err = rules.validate(&Schema::new()).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"x.toml: rule 1 ("big"): when, column 1: `monetary > "1000"`: monetary is a number, but "1000" is text; compare it with a decimal"#
    /// );
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn validate(&self, schema: &Schema) -> Result<(), Error> {
        let set_error = |reason: String| rule_error(&self.origin, SET, reason);
        if schema.has_column(&self.column) {
            return Err(set_error(format!(
                "the rule set's column {:?} is also the column of another classifier",
                self.column
            )));
        }
        for (column, order) in &self.label_orders {
            match schema.find_column(column).map(|c| &c.kind) {
                Some(ColumnKind::Names {
                    labels,
                    ordered: true,
                }) if labels
                    .iter()
                    .map(String::as_str)
                    .eq(order.iter().map(SmolStr::as_str)) => {}
                Some(ColumnKind::Names {
                    labels,
                    ordered: true,
                }) => {
                    return Err(set_error(format!(
                        "label_orders.{column} ({}) differs from the schema's order ({})",
                        order.join(", "),
                        labels.join(", ")
                    )));
                }
                _ => {
                    return Err(set_error(format!(
                        "label_orders.{column}: the schema has no ordered label column {column:?}"
                    )));
                }
            }
        }
        let mut resolved: BTreeMap<Subject, Resolved<'_>> = BTreeMap::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let when = rule.when.as_deref().unwrap_or("");
            let mut problem = None;
            rule.condition.for_each_leaf(&mut |leaf| {
                if problem.is_some() {
                    return;
                }
                let test = match leaf {
                    Leaf::Test(test) => test,
                    Leaf::Compare(compare) => {
                        problem = self
                            .check_compare(schema, &mut resolved, compare, when)
                            .err();
                        return;
                    }
                };
                let name = self.subject_name(test.subject);
                let subject = resolved
                    .entry(test.subject)
                    .or_insert_with(|| schema.resolve_with_labels(test.subject, name));
                if let Err(reason) = Schema::check_test(subject, test, name, test.source(when)) {
                    problem = Some(format!("when, column {}: {reason}", test.column));
                }
            });
            if let Some(reason) = problem {
                return Err(rule_error(
                    &self.origin,
                    rule_label(index, rule.name.as_deref()),
                    reason,
                ));
            }
        }
        Ok(())
    }

    /// [`validate`](RuleSet::validate)s the rule set, then records in it the order (best
    /// first) of every label column its conditions compare with `<`, `<=`, `>`, `>=`,
    /// so that [`apply`](RuleSet::apply) can evaluate them. The orders are kept in the
    /// serialized form (`label_orders`), so a saved rule set needs no schema to apply.
    ///
    /// # Errors
    /// As [`validate`](RuleSet::validate).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// use customer_tiering::rules::{Facts, RuleSet, Schema};
    /// use customer_tiering::{CustomerId, Profile};
    /// let metals = ["platinum", "gold", "iron", "lead"].map(String::from).to_vec();
    /// let schema = Schema::new().label_column("metal", metals, true);
    /// let rules = RuleSet::from_toml_str("x.toml", r#"
    ///     name = "x"
    ///     tiers = ["key", "other"]
    ///     default = "other"
    ///     [[rules]]
    ///     when = 'metal >= "gold"'
    ///     tier = "key"
    /// "#)?
    /// .with_schema(&schema)?;
    /// let profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// let columns = ["metal".to_string()];
    /// let tier_of = |metal: &str| {
    ///     let labels = [Label::Name(metal.into())];
    ///     let facts = Facts { profile: &profile, columns: &columns, labels: &labels };
    ///     rules.apply(&facts).tier.unwrap()
    /// };
    /// assert_eq!((tier_of("platinum"), tier_of("gold"), tier_of("iron")), ("key".into(), "key".into(), "other".into()));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn with_schema(self, schema: &Schema) -> Result<RuleSet, Error> {
        self.validate(schema)?;
        let mut compared: BTreeSet<u16> = BTreeSet::new();
        for rule in &self.rules {
            rule.condition.for_each_test(&mut |test| {
                if let (true, Subject::Name(slot)) = (test.op.is_ordered(), test.subject) {
                    compared.insert(slot);
                }
            });
        }
        let mut missing: BTreeMap<String, Vec<super::load::Text>> = BTreeMap::new();
        for slot in compared {
            let name = self.subject_name(Subject::Name(slot));
            if self.label_orders.contains_key(name) {
                continue;
            }
            if let Some(ColumnKind::Names { labels, .. }) =
                schema.find_column(name).map(|c| &c.kind)
            {
                let order = labels.iter().map(|l| super::load::Text(l.clone()));
                missing.insert(name.to_string(), order.collect());
            }
        }
        // Nothing to add: the rule set as loaded is the answer, without parsing it again.
        if missing.is_empty() {
            return Ok(self);
        }
        let mut file = self.to_file();
        file.label_orders.extend(missing);
        compile(&self.origin, file)
    }

    /// Checks a comparison with arithmetic or of two identifiers: every identifier is
    /// known (checked first, left to right) and a number. The reason, with the column of
    /// the identifier, when not.
    fn check_compare<'s>(
        &self,
        schema: &'s Schema,
        resolved: &mut BTreeMap<Subject, Resolved<'s>>,
        compare: &Compare,
        when: &str,
    ) -> Result<(), String> {
        let mut vars: Vec<&Var> = Vec::new();
        compare.for_each_var(&mut |var| vars.push(var));
        let mut kinds = Vec::with_capacity(vars.len());
        for var in &vars {
            let name = self.subject_name(var.subject);
            let subject = resolved
                .entry(var.subject)
                .or_insert_with(|| schema.resolve_with_labels(var.subject, name));
            match subject {
                Ok((kind, _)) => kinds.push(*kind),
                Err(reason) => {
                    // `metal == gold`: two bare names, the other one a text.
                    let quote = match (&compare.left, &compare.right, vars.as_slice()) {
                        (Expr::Var(_), Expr::Var(_), [a, b]) => {
                            let other = if a.subject == var.subject { b } else { a };
                            let other_name = self.subject_name(other.subject);
                            matches!(
                                schema.resolve(other.subject, other_name),
                                Ok(Kind::Text { .. })
                            )
                        }
                        _ => false,
                    };
                    let quote = if quote {
                        format!("; a text value is quoted: \"{name}\"")
                    } else {
                        String::new()
                    };
                    return Err(format!("when, column {}: {reason}{quote}", var.column));
                }
            }
        }
        for (var, kind) in vars.iter().zip(kinds) {
            let what = match kind {
                Kind::Number(_) => continue,
                Kind::Text { what, .. } => what,
                Kind::Tier => "text (this rule set's tier)",
            };
            return Err(format!(
                "when, column {}: `{}`: {} is a {what}, not a number: arithmetic, and \
                 comparisons with another name, need numbers",
                var.column,
                compare.source(when),
                self.subject_name(var.subject),
            ));
        }
        Ok(())
    }

    /// The identifier of a subject as written.
    pub(crate) fn subject_name(&self, subject: Subject) -> &str {
        match subject {
            Subject::Metric(metric) => metric.name(),
            Subject::Tier => "tier",
            Subject::Name(slot) => self
                .names
                .get(usize::from(slot))
                .map_or("", SmolStr::as_str),
        }
    }
}
