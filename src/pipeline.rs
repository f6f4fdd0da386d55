//! One pipeline for every classifier: build → fit on a population → a fitted pipeline
//! (serialisable) → labels for every customer, sorted by id (SPEC §11).
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

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::attributes::{AttrType, known_type};
use crate::classify::composite::{CompositeModel, CompositeParams};
use crate::classify::grade::{GradeModel, GradeParams};
use crate::classify::lifecycle::STAGES;
use crate::classify::lifecycle::{LifecycleModel, LifecycleParams};
use crate::classify::pareto::{ParetoModel, ParetoParams};
use crate::classify::rfm::{RfmModel, RfmParams};
use crate::classify::{Classifier, Label, MissingUse, Model, Unscored};
use crate::error::{ConfigError, Error, parse_error};
use crate::profile::{CustomerId, Metric, Population, Profile};
use crate::rules::{ColumnIndex, Facts, RuleSet, Schema};
use smol_str::SmolStr;

/// The settings of any built-in classifier: the serialisable form of a pipeline's parts.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::AnyParams;
/// let params = AnyParams::from(ParetoParams::abc());
/// assert!(matches!(&params, AnyParams::Pareto(abc) if abc.get_column() == "abc"));
/// // A saved pipeline tags each classifier with its kind.
/// let json = serde_json::to_string(&params)?;
/// assert!(json.starts_with(r#"{"kind":"pareto","column":"abc","#));
/// assert_eq!(serde_json::from_str::<AnyParams>(&json)?, params);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AnyParams {
    /// RFM scores and segment.
    Rfm(RfmParams),
    /// Pareto bands (metals, ABC).
    Pareto(ParetoParams),
    /// Four-dimension grades and levels.
    Grade(GradeParams),
    /// Lifecycle stages.
    Lifecycle(LifecycleParams),
    /// Composite value tiers.
    Composite(CompositeParams),
}

impl From<CompositeParams> for AnyParams {
    fn from(params: CompositeParams) -> Self {
        AnyParams::Composite(params)
    }
}

impl From<GradeParams> for AnyParams {
    fn from(params: GradeParams) -> Self {
        AnyParams::Grade(params)
    }
}

impl From<LifecycleParams> for AnyParams {
    fn from(params: LifecycleParams) -> Self {
        AnyParams::Lifecycle(params)
    }
}

impl From<RfmParams> for AnyParams {
    fn from(params: RfmParams) -> Self {
        AnyParams::Rfm(params)
    }
}

impl From<ParetoParams> for AnyParams {
    fn from(params: ParetoParams) -> Self {
        AnyParams::Pareto(params)
    }
}

impl AnyParams {
    fn validate(&self) -> Result<(), ConfigError> {
        match self {
            AnyParams::Rfm(p) => p.validate(),
            AnyParams::Pareto(p) => p.validate(),
            AnyParams::Grade(p) => p.validate(),
            AnyParams::Lifecycle(p) => p.validate(),
            AnyParams::Composite(p) => p.validate(),
        }
    }

    fn columns(&self) -> Vec<String> {
        match self {
            AnyParams::Rfm(_) => crate::classify::rfm::COLUMNS.map(String::from).to_vec(),
            AnyParams::Pareto(p) => vec![p.get_column().to_string()],
            AnyParams::Grade(p) => vec![p.get_column().to_string()],
            AnyParams::Lifecycle(p) => vec![p.get_column().to_string()],
            AnyParams::Composite(p) => vec![p.get_column().to_string()],
        }
    }

    /// This classifier's columns and the labels each can take.
    fn column_labels(&self) -> Vec<(String, ColumnLabels)> {
        let names = |labels: Vec<&str>| labels.into_iter().map(String::from).collect::<Vec<_>>();
        let ordered = |labels: Vec<String>| ColumnLabels::Named {
            labels,
            ordered: true,
        };
        match self {
            AnyParams::Rfm(p) => {
                let bins = p.get_bins();
                let segments = p
                    .get_segment_map()
                    .map(|m| names(m.labels()))
                    .unwrap_or_default();
                let mut columns: Vec<(String, ColumnLabels)> = ["r", "f", "m"]
                    .iter()
                    .map(|c| (c.to_string(), ColumnLabels::Scores(bins)))
                    .collect();
                columns.push((
                    "rfm_segment".into(),
                    ColumnLabels::Named {
                        labels: segments,
                        ordered: false,
                    },
                ));
                columns
            }
            AnyParams::Pareto(p) => {
                let bands = names(p.get_bands().iter().map(|b| b.name.as_str()).collect());
                vec![(p.get_column().to_string(), ordered(bands))]
            }
            AnyParams::Grade(p) => vec![(p.get_column().to_string(), ordered(names(p.labels())))],
            AnyParams::Lifecycle(p) => vec![(
                p.get_column().to_string(),
                ColumnLabels::Named {
                    labels: names(STAGES.to_vec()),
                    ordered: false,
                },
            )],
            AnyParams::Composite(p) => {
                let bands = names(p.get_bands().iter().map(|b| b.name.as_str()).collect());
                vec![(p.get_column().to_string(), ordered(bands))]
            }
        }
    }

    /// Adds this classifier's columns, with their labels, to a rule schema.
    fn describe(&self, mut schema: Schema) -> Schema {
        for (column, labels) in self.column_labels() {
            schema = match labels {
                ColumnLabels::Scores(bins) => schema.score_column(&column, bins),
                ColumnLabels::Named { labels, ordered } => {
                    schema.label_column(&column, labels, ordered)
                }
            };
        }
        schema
    }

    fn fit_labels(&self, population: &Population) -> Result<(AnyModel, Vec<Label>), Error> {
        Ok(match self {
            AnyParams::Rfm(p) => {
                let (model, labels) = p.fit_labels(population)?;
                (AnyModel::Rfm(Box::new(model)), labels)
            }
            AnyParams::Pareto(p) => {
                let (model, labels) = p.fit_labels(population)?;
                (AnyModel::Pareto(model), labels)
            }
            AnyParams::Grade(p) => {
                let (model, labels) = p.fit_labels(population)?;
                (AnyModel::Grade(Box::new(model)), labels)
            }
            AnyParams::Lifecycle(p) => {
                let (model, labels) = p.fit_labels(population)?;
                (AnyModel::Lifecycle(model), labels)
            }
            AnyParams::Composite(p) => {
                let (model, labels) = p.fit_labels(population)?;
                (AnyModel::Composite(Box::new(model)), labels)
            }
        })
    }
}

/// A fitted model of any built-in classifier.
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, Model};
/// use customer_tiering::{AnyModel, PipelineBuilder};
/// use rust_decimal::Decimal;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=100i64 {
/// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
/// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = orders.finish()?;
/// // population: C001 … C100, who spent 1 … 100 on 2026-03-01 (as of 2026-03-31).
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let fitted = pipeline.fit(&population)?;
/// let AnyModel::Pareto(metals) = &fitted.models()[0] else { panic!("a Pareto model") };
/// assert_eq!(metals.thresholds(), [100, 96, 81].map(Decimal::from)); // platinum, gold, iron
/// // Any model is a Model itself.
/// assert_eq!(fitted.models()[0].columns(), ["metal"]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AnyModel {
    /// A fitted RFM model (boxed: it is much larger than the others).
    Rfm(Box<RfmModel>),
    /// A fitted Pareto model.
    Pareto(ParetoModel),
    /// A fitted grade model (boxed: it is much larger than the others).
    Grade(Box<GradeModel>),
    /// A lifecycle model.
    Lifecycle(LifecycleModel),
    /// A fitted composite model (boxed: it keeps the fit distributions).
    Composite(Box<CompositeModel>),
}

impl AnyModel {
    /// The settings the model was fitted with.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{AnyParams, PipelineBuilder};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::abc()).build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// assert_eq!(fitted.models()[0].params(), AnyParams::from(ParetoParams::abc()));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn params(&self) -> AnyParams {
        match self {
            AnyModel::Rfm(m) => AnyParams::Rfm(m.params().clone()),
            AnyModel::Pareto(m) => AnyParams::Pareto(m.params().clone()),
            AnyModel::Grade(m) => AnyParams::Grade(m.params().clone()),
            AnyModel::Lifecycle(m) => AnyParams::Lifecycle(m.params().clone()),
            AnyModel::Composite(m) => AnyParams::Composite(m.params().clone()),
        }
    }

    fn as_model(&self) -> &dyn Model {
        match self {
            AnyModel::Rfm(m) => m.as_ref(),
            AnyModel::Pareto(m) => m,
            AnyModel::Grade(m) => m.as_ref(),
            AnyModel::Lifecycle(m) => m,
            AnyModel::Composite(m) => m.as_ref(),
        }
    }
}

impl Model for AnyModel {
    fn columns(&self) -> Vec<String> {
        self.as_model().columns()
    }
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        self.as_model().classify_into(profile, out)
    }
    fn explain(&self, profile: &Profile) -> Vec<String> {
        self.as_model().explain(profile)
    }
    fn fit_size(&self) -> usize {
        self.as_model().fit_size()
    }
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        self.as_model().missing_uses(profile, out)
    }
}

/// Assembles a [`Pipeline`]; `build` checks every classifier's settings and that no two
/// write the same column, before any data is seen.
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
/// use customer_tiering::PipelineBuilder;
/// let pipeline = PipelineBuilder::new()
///     .classifier(RfmParams::default())
///     .classifier(ParetoParams::metals())
///     .build()?;
/// assert_eq!(pipeline.columns(), ["r", "f", "m", "rfm_segment", "metal"]);
/// let twice = PipelineBuilder::new()
///     .classifier(ParetoParams::metals())
///     .classifier(ParetoParams::metals());
/// assert!(twice.build().is_err()); // two `metal` columns
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct PipelineBuilder {
    classifiers: Vec<AnyParams>,
    rules: Vec<RuleSet>,
    attributes: Vec<(String, AttrType)>,
}

impl PipelineBuilder {
    /// An empty builder.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::PipelineBuilder;
    /// let err = PipelineBuilder::new().build().unwrap_err();
    /// assert_eq!(err.to_string(), "pipeline: no classifier");
    /// ```
    pub fn new() -> Self {
        PipelineBuilder::default()
    }

    /// Adds a classifier; columns come out in the order classifiers are added.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, pareto::ParetoParams};
    /// use customer_tiering::PipelineBuilder;
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(ParetoParams::abc())
    ///     .classifier(LifecycleParams::default())
    ///     .build()?;
    /// assert_eq!(pipeline.columns(), ["abc", "lifecycle"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn classifier(mut self, params: impl Into<AnyParams>) -> Self {
        self.classifiers.push(params.into());
        self
    }

    /// Adds a rule set (SPEC §8), applied after every classifier and every earlier rule
    /// set; its conditions may use their columns.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{PipelineBuilder, RuleSet};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// let top = RuleSet::from_toml_str("top.toml", r#"
    ///     name = "top"
    ///     tiers = ["top", "rest"]
    ///     default = "rest"
    ///     [[rules]]
    ///     when = 'metal >= "gold"'
    ///     tier = "top"
    /// "#)?;
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(ParetoParams::metals())
    ///     .rules(top)
    ///     .build()?;
    /// assert_eq!(pipeline.columns(), ["metal", "tier", "tags"]);
    /// // population: C001 … C100, who spent 1 … 100 on 2026-03-01 (as of 2026-03-31).
    /// let (_, tiering) = pipeline.run(&population)?;
    /// assert_eq!(tiering.counts()["tier"]["top"], 5); // platinum C100, gold C096 … C099
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn rules(mut self, rules: RuleSet) -> Self {
        self.rules.push(rules);
        self
    }

    /// Declares the attribute columns of a customers source (beyond SPEC §1's known
    /// ones), so that rule sets may refer to them.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrType;
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{PipelineBuilder, RuleSet};
    /// let web = RuleSet::from_toml_str("web.toml", r#"
    ///     name = "web"
    ///     tiers = ["online", "offline"]
    ///     default = "offline"
    ///     [[rules]]
    ///     when = 'channel == "web"'
    ///     tier = "online"
    /// "#)?;
    /// let builder = PipelineBuilder::new().classifier(ParetoParams::abc()).rules(web);
    /// assert!(builder.clone().build().is_err()); // `channel` is unknown
    /// let channel = [("channel".to_string(), AttrType::Text)];
    /// assert_eq!(builder.attributes(&channel).build()?.columns(), ["abc", "tier", "tags"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn attributes(mut self, columns: &[(String, AttrType)]) -> Self {
        self.attributes.extend_from_slice(columns);
        self
    }

    /// Validates and builds: every classifier's settings, distinct columns, and every
    /// rule set against the columns and attributes before it.
    ///
    /// # Errors
    /// [`Error::Config`] for a classifier's bad settings, two classifiers writing one
    /// column, a rule set writing a column already taken, or no classifier at all;
    /// [`Error::Rule`] for a rule set that refers to something unknown or cannot work
    /// (naming the rule).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{Error, PipelineBuilder, RuleSet};
    /// let top = RuleSet::from_toml_str("top.toml", r#"
    ///     name = "top"
    ///     tiers = ["top", "rest"]
    ///     default = "rest"
    ///     [[rules]]
    ///     when = 'metal == "platinum"'
    ///     tier = "top"
    /// "#)?;
    /// let metals = PipelineBuilder::new().classifier(ParetoParams::metals()).rules(top.clone());
    /// assert_eq!(metals.build()?.columns(), ["metal", "tier", "tags"]);
    ///
    /// // Without a `metal` column the rule cannot work: the error names file, rule and why.
    /// let abc = PipelineBuilder::new().classifier(ParetoParams::abc()).rules(top);
    /// let err = abc.build().unwrap_err();
    /// assert!(matches!(&err, Error::Rule { rule, .. } if rule == "1"));
    /// let start = r#"top.toml: rule 1: when, column 1: unknown identifier "metal": not a metric"#;
    /// assert!(err.to_string().starts_with(start));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn build(self) -> Result<Pipeline, Error> {
        let attributes: BTreeMap<String, AttrKind> = self
            .attributes
            .iter()
            .filter(|(name, _)| known_type(name).is_none())
            .map(|(name, kind)| (name.clone(), AttrKind::from(*kind)))
            .collect();
        let mut pipeline = Pipeline {
            classifiers: self.classifiers,
            rules: Vec::new(),
            attributes,
        };
        pipeline.validate()?;
        let columns = pipeline
            .classifiers
            .iter()
            .flat_map(AnyParams::columns)
            .collect();
        let schema = rule_schema(pipeline.classifiers.iter(), &pipeline.attributes);
        pipeline.rules = check_rule_sets(schema, columns, self.rules)?;
        Ok(pipeline)
    }
}

/// The schema rule sets are checked against: the classifiers' columns with their
/// labels, and the custom attributes.
fn rule_schema<'a>(
    classifiers: impl Iterator<Item = &'a AnyParams>,
    attributes: &BTreeMap<String, AttrKind>,
) -> Schema {
    let mut schema = Schema::new();
    for (name, kind) in attributes {
        schema = schema.attribute(name, AttrType::from(*kind));
    }
    for params in classifiers {
        schema = params.describe(schema);
    }
    schema
}

/// Checks rule sets in order, each against the columns before it (SPEC §8, §17): its
/// column's name, and every column, label and attribute its rules read.
fn check_rule_sets(
    mut schema: Schema,
    mut columns: Vec<String>,
    rule_sets: Vec<RuleSet>,
) -> Result<Vec<RuleSet>, Error> {
    let mut checked = Vec::with_capacity(rule_sets.len());
    for rules in rule_sets {
        let column = rules.column().to_string();
        let whose = format!("rule set {:?}", rules.name());
        claim_columns(&mut columns, vec![column.clone()], &whose)?;
        let rules = rules.with_schema(&schema)?;
        let tiers = rules.tiers().iter().map(ToString::to_string).collect();
        schema = schema.label_column(&column, tiers, true);
        checked.push(rules);
    }
    Ok(checked)
}

/// Adds `columns` to `taken`, each checked by [`check_column_name`]; `whose` names the
/// writer in the error.
fn claim_columns(
    taken: &mut Vec<String>,
    columns: Vec<String>,
    whose: &str,
) -> Result<(), ConfigError> {
    for column in columns {
        check_column_name(&column, taken).map_err(|reason| ConfigError::Pipeline {
            reason: format!("{whose} writes the column {column:?}: {reason}"),
        })?;
        taken.push(column);
    }
    Ok(())
}

/// Why `column` cannot be an output column next to `taken` (SPEC §17): names match
/// `[a-z][a-z0-9_]*` and are unique across `tiers.csv`, so they clash neither with the
/// metric columns nor with `tags`.
fn check_column_name(column: &str, taken: &[String]) -> Result<(), String> {
    let mut bytes = column.bytes();
    let well_formed = bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return Err("a column name must match [a-z][a-z0-9_]*".into());
    }
    if column == "customer_id" || Metric::ALL.iter().any(|m| m.name() == column) {
        return Err("that is the name of a metric".into());
    }
    if column == TAGS {
        return Err("that is the column of the rule sets' tags".into());
    }
    if taken.iter().any(|c| c == column) {
        return Err("another classifier or rule set writes it".into());
    }
    Ok(())
}

/// The type of a custom attribute that rule sets read, as a saved pipeline keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AttrKind {
    Number,
    Text,
}

impl From<AttrType> for AttrKind {
    fn from(kind: AttrType) -> Self {
        match kind {
            AttrType::Number => AttrKind::Number,
            // Custom columns are numbers or text; a fixed label set is SPEC §1's own.
            AttrType::Text | AttrType::OneOf(_) => AttrKind::Text,
        }
    }
}

impl From<AttrKind> for AttrType {
    fn from(kind: AttrKind) -> Self {
        match kind {
            AttrKind::Number => AttrType::Number,
            AttrKind::Text => AttrType::Text,
        }
    }
}

/// Classifiers to be fitted together on one population, with the rule sets that follow
/// them; built by [`PipelineBuilder`].
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::PipelineBuilder;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=100i64 {
/// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
/// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = orders.finish()?;
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let fitted = pipeline.fit(&population)?;
/// assert_eq!(fitted.fit_size(), 100);
/// assert_eq!(fitted.pipeline(), pipeline); // what to refit next period
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    classifiers: Vec<AnyParams>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rules: Vec<RuleSet>,
    /// The custom attributes the rule sets were checked against, with their types.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, AttrKind>,
}

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

impl Pipeline {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.classifiers.is_empty() {
            return Err(ConfigError::Pipeline {
                reason: "no classifier".into(),
            });
        }
        let mut seen: Vec<String> = Vec::new();
        for params in &self.classifiers {
            params.validate()?;
            claim_columns(&mut seen, params.columns(), "a classifier")?;
        }
        Ok(())
    }

    /// The output columns, in order: the classifiers', the rule sets', then `tags`
    /// when there is a rule set.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::rfm::RfmParams;
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::RuleSet;
    /// # let size = RuleSet::from_toml_str("size.toml", r#"
    /// #     name = "size"
    /// #     tiers = ["big", "small"]
    /// #     default = "small"
    /// #     [[rules]]
    /// #     when = "monetary >= 90"
    /// #     tier = "big"
    /// # "#)?;
    /// // `size` is a rule set writing the column `tier`.
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(RfmParams::default())
    ///     .rules(size)
    ///     .build()?;
    /// assert_eq!(pipeline.columns(), ["r", "f", "m", "rfm_segment", "tier", "tags"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = self
            .classifiers
            .iter()
            .flat_map(AnyParams::columns)
            .collect();
        columns.extend(rule_columns(&self.rules));
        columns
    }

    /// The classifiers' settings.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
    /// use customer_tiering::{AnyParams, PipelineBuilder};
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(RfmParams::default())
    ///     .classifier(ParetoParams::metals())
    ///     .build()?;
    /// assert!(matches!(pipeline.classifiers(), [AnyParams::Rfm(_), AnyParams::Pareto(_)]));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn classifiers(&self) -> &[AnyParams] {
        &self.classifiers
    }

    /// Every column with the labels it can take (rule sets: their tiers, best first):
    /// what a previous period's labels are checked against before any data is read
    /// ([`Period::from_tiers_csv_checked`](crate::migration::Period::from_tiers_csv_checked)).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::pipeline::ColumnLabels;
    /// use customer_tiering::PipelineBuilder;
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::abc()).build()?;
    /// let labels = ["a", "b", "c"].map(String::from).to_vec();
    /// assert_eq!(pipeline.column_labels(), [("abc".to_string(), ColumnLabels::Named { labels, ordered: true })]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn column_labels(&self) -> Vec<(String, ColumnLabels)> {
        let mut columns: Vec<(String, ColumnLabels)> = self
            .classifiers
            .iter()
            .flat_map(AnyParams::column_labels)
            .collect();
        columns.extend(rule_set_labels(&self.rules));
        columns
    }

    /// Fits every classifier on `population`.
    ///
    /// # Errors
    /// [`Error::EmptyPopulation`] when nobody bought anything; a classifier's fit error.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{Error, PipelineBuilder, Population, Profile};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// // population: C001 … C100, who spent 1 … 100 on 2026-03-01 (as of 2026-03-31).
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// assert_eq!((fitted.as_of(), fitted.fit_size()), (date(2026, 3, 31), 100));
    ///
    /// // Nobody to fit on:
    /// let nobody = vec![Profile::without_purchases(CustomerId::new("P1").unwrap())];
    /// let err = pipeline.fit(&Population::new(date(2026, 3, 31), nobody)?).unwrap_err();
    /// assert!(matches!(err, Error::EmptyPopulation { .. }));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fit(&self, population: &Population) -> Result<FittedPipeline, Error> {
        self.run(population).map(|(fitted, _)| fitted)
    }

    /// Fits every classifier and labels the fit population by SPEC's batch definitions
    /// (for equal-count quantiles, SQL `NTILE` with the `customer_id` tiebreak).
    ///
    /// # Errors
    /// As [`fit`](Self::fit).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// // population: C001 … C100, who spent 1 … 100 on 2026-03-01 (as of 2026-03-31).
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let (fitted, tiering) = pipeline.run(&population)?;
    /// assert_eq!(tiering.len(), 100);
    /// assert_eq!(tiering.label("C097", "metal").unwrap().to_string(), "gold");
    /// assert_eq!(fitted.classify_all(&population), tiering); // the model agrees with the run
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn run(&self, population: &Population) -> Result<(FittedPipeline, Tiering), Error> {
        if population.buyers().next().is_none() {
            return Err(Error::EmptyPopulation {
                as_of: population.as_of(),
            });
        }
        let mut models = Vec::with_capacity(self.classifiers.len());
        let mut per_model = Vec::with_capacity(self.classifiers.len());
        for params in &self.classifiers {
            let (model, labels) = params.fit_labels(population)?;
            per_model.push((model.columns().len(), labels));
            models.push(model);
        }
        let fitted = FittedPipeline {
            format_version: FORMAT_VERSION,
            as_of: population.as_of(),
            fit_size: population.buyers().count(),
            models,
            rules: self.rules.clone(),
            attributes: self.attributes.clone(),
        };
        let context = fitted.rule_context();
        let mut labels = Vec::with_capacity(fitted.columns().len() * population.len());
        for (row, profile) in population.profiles().iter().enumerate() {
            let start = labels.len();
            for (w, model_labels) in &per_model {
                labels.extend_from_slice(&model_labels[row * w..(row + 1) * w]);
            }
            fitted.apply_rules(profile, &context, start, &mut labels);
        }
        let tiering = Tiering::new(fitted.columns(), population, labels);
        Ok((fitted, tiering))
    }
}

/// Fitted models of every classifier, with the as-of date and size of the fit
/// population. Saved as JSON and loaded back, it classifies identically.
///
/// Deserialising validates every model (settings, cut point counts and order, one
/// threshold per band boundary, distinct columns), so a loaded pipeline can always
/// classify.
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, Label};
/// use customer_tiering::{FittedPipeline, PipelineBuilder};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=100i64 {
/// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
/// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = orders.finish()?;
/// // Fitted on C001 … C100, who spent 1 … 100 by 2026-03-31: gold from 96 to below 100.
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let fitted = pipeline.fit(&population)?;
/// let loaded = FittedPipeline::from_json("model.json", &fitted.to_json()?)?;
/// assert_eq!(loaded, fitted);
///
/// // In June a new customer spends 97: gold by the March thresholds.
/// let mut june = PopulationBuilder::new(date(2026, 6, 30));
/// june.add(Transaction::new(CustomerId::new("N01").unwrap(), date(2026, 6, 2), 97.into()))?;
/// let newcomer = june.finish()?;
/// assert_eq!(loaded.classify(newcomer.get("N01").unwrap()), [Label::Name("gold".into())]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FittedPipelineData")]
pub struct FittedPipeline {
    format_version: u32,
    as_of: Date,
    fit_size: usize,
    models: Vec<AnyModel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    rules: Vec<RuleSet>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, AttrKind>,
}

/// The version of the saved-pipeline format this crate writes and reads
/// ([`FittedPipeline::to_json`]): a `model.json` of another version is refused on load
/// rather than read wrongly. A file without `format_version` was written before the
/// field existed, in this same format: it reads as version 1.
///
/// # Example
/// ```
/// use customer_tiering::pipeline::FORMAT_VERSION;
/// use customer_tiering::FittedPipeline;
/// assert_eq!(FORMAT_VERSION, 1);
/// let future = r#"{"format_version": 2, "as_of": "2026-03-31", "fit_size": 1, "models": []}"#;
/// let err = FittedPipeline::from_json("model.json", future).unwrap_err();
/// assert!(err.to_string().contains("format_version 2"), "{err}");
/// ```
pub const FORMAT_VERSION: u32 = 1;

/// The file form of a [`FittedPipeline`], before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FittedPipelineData {
    #[serde(default = "first_format_version")]
    format_version: u32,
    as_of: Date,
    fit_size: usize,
    models: Vec<AnyModel>,
    #[serde(default)]
    rules: Vec<RuleSet>,
    #[serde(default)]
    attributes: BTreeMap<String, AttrKind>,
}

fn first_format_version() -> u32 {
    1
}

impl TryFrom<FittedPipelineData> for FittedPipeline {
    type Error = ConfigError;

    /// Checks a saved pipeline as fresh settings are checked (SPEC §17): its version,
    /// every model's own invariants, unique well-formed columns, and every rule set
    /// against the columns and labels the models actually have.
    fn try_from(data: FittedPipelineData) -> Result<Self, ConfigError> {
        if data.format_version != FORMAT_VERSION {
            return Err(ConfigError::Pipeline {
                reason: format!(
                    "the saved pipeline has format_version {}; this version of the crate reads {FORMAT_VERSION} (fit it again)",
                    data.format_version
                ),
            });
        }
        if data.models.is_empty() {
            return Err(ConfigError::Pipeline {
                reason: "the saved pipeline has no model".into(),
            });
        }
        let mut seen: Vec<String> = Vec::new();
        for model in &data.models {
            match model {
                AnyModel::Rfm(m) => m.validate()?,
                AnyModel::Pareto(m) => m.validate()?,
                AnyModel::Grade(m) => m.validate()?,
                AnyModel::Lifecycle(m) => m.validate()?,
                AnyModel::Composite(m) => m.validate()?,
            }
            claim_columns(&mut seen, model.columns(), "a saved model")?;
        }
        let params: Vec<AnyParams> = data.models.iter().map(AnyModel::params).collect();
        let schema = rule_schema(params.iter(), &data.attributes);
        // A rule set's error names its file and rule; as a setting it is a pipeline's.
        let rules =
            check_rule_sets(schema, seen, data.rules).map_err(|e| ConfigError::Pipeline {
                reason: format!("saved rule set: {e}"),
            })?;
        Ok(FittedPipeline {
            format_version: data.format_version,
            as_of: data.as_of,
            fit_size: data.fit_size,
            models: data.models,
            rules,
            attributes: data.attributes,
        })
    }
}

impl FittedPipeline {
    /// The as-of date of the fit population.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&population)?;
    /// // metals fitted on purchases of 2026-03-01, as of 2026-03-31
    /// assert_eq!(fitted.as_of(), date(2026, 3, 31));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// The number of buyers the models were fitted on.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{PipelineBuilder, Population, Profile};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// // C001 … C100 bought; P1 is known but has not.
    /// profiles.push(Profile::without_purchases(CustomerId::new("P1").unwrap()));
    /// let population = Population::new(date(2026, 3, 31), profiles)?;
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// assert_eq!((population.len(), fitted.fit_size()), (101, 100));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fit_size(&self) -> usize {
        self.fit_size
    }

    /// The fitted models, in pipeline order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
    /// use customer_tiering::{AnyModel, PipelineBuilder};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(RfmParams::default())
    ///     .classifier(ParetoParams::metals())
    ///     .build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// assert!(matches!(fitted.models(), [AnyModel::Rfm(_), AnyModel::Pareto(_)]));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn models(&self) -> &[AnyModel] {
        &self.models
    }

    /// The output columns, in order: the models', the rule sets', then `tags` when
    /// there is a rule set.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// # use customer_tiering::RuleSet;
    /// # let size = RuleSet::from_toml_str("size.toml", r#"
    /// #     name = "size"
    /// #     tiers = ["big", "small"]
    /// #     default = "small"
    /// #     [[rules]]
    /// #     when = "monetary >= 90"
    /// #     tier = "big"
    /// # "#)?;
    /// // `size` is a rule set writing the column `tier`.
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(ParetoParams::metals())
    ///     .rules(size)
    ///     .build()?;
    /// assert_eq!(pipeline.fit(&population)?.columns(), ["metal", "tier", "tags"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = self.models.iter().flat_map(Model::columns).collect();
        columns.extend(rule_columns(&self.rules));
        columns
    }

    /// The rule sets, in order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// # use customer_tiering::RuleSet;
    /// # let size = RuleSet::from_toml_str("size.toml", r#"
    /// #     name = "size"
    /// #     tiers = ["big", "small"]
    /// #     default = "small"
    /// #     [[rules]]
    /// #     when = "monetary >= 90"
    /// #     tier = "big"
    /// # "#)?;
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(ParetoParams::metals())
    ///     .rules(size)
    ///     .build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// assert_eq!(fitted.rule_sets()[0].name(), "size");
    /// assert_eq!(fitted.rule_sets()[0].tiers(), ["big", "small"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn rule_sets(&self) -> &[RuleSet] {
        &self.rules
    }

    /// The pipeline these models were fitted from: to refit it on other data.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// assert_eq!(fitted.pipeline(), pipeline);
    /// // Refitting on the same data gives the same models.
    /// assert_eq!(fitted.pipeline().fit(&population)?, fitted);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn pipeline(&self) -> Pipeline {
        Pipeline {
            classifiers: self.models.iter().map(AnyModel::params).collect(),
            rules: self.rules.clone(),
            attributes: self.attributes.clone(),
        }
    }

    /// The labels of every ordered column, best first (scores: `k` down to `1`): what
    /// [`migrate`](crate::migration::migrate) needs to say who moved up or down.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(RfmParams::default())
    ///     .classifier(ParetoParams::metals())
    ///     .build()?;
    /// let orders = pipeline.fit(&population)?.label_orders();
    /// assert_eq!(orders["metal"], ["platinum", "gold", "iron", "lead"]);
    /// assert_eq!(orders["r"], ["5", "4", "3", "2", "1"]);
    /// assert!(!orders.contains_key("rfm_segment")); // segment names have no order
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn label_orders(&self) -> BTreeMap<String, Vec<String>> {
        self.column_labels()
            .into_iter()
            .filter_map(|(column, labels)| labels.order().map(|order| (column, order)))
            .collect()
    }

    /// Every label column (not `tags`) and the labels it can take, best first where
    /// they have an order: what a migration between periods needs to say who moved up.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::pipeline::ColumnLabels;
    /// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let fitted = pipeline.fit(&b.finish()?)?;
    /// let (column, labels) = &fitted.column_labels()[0];
    /// assert_eq!(column, "metal");
    /// assert_eq!(labels.order().unwrap(), ["platinum", "gold", "iron", "lead"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn column_labels(&self) -> Vec<(String, ColumnLabels)> {
        let mut columns: Vec<(String, ColumnLabels)> = self
            .models
            .iter()
            .flat_map(|m| m.params().column_labels())
            .collect();
        columns.extend(rule_set_labels(&self.rules));
        columns
    }

    /// The columns the rule sets see and, per rule set, where its label columns are:
    /// worked out once per run, not per customer.
    pub(crate) fn rule_context(&self) -> RuleContext {
        let mut columns: Vec<String> = self.models.iter().flat_map(Model::columns).collect();
        let models = columns.len();
        let mut indexes = Vec::with_capacity(self.rules.len());
        for rules in &self.rules {
            indexes.push(rules.index_columns(&columns));
            columns.push(rules.column().to_string());
        }
        RuleContext {
            columns,
            models,
            indexes,
        }
    }

    /// Applies the rule sets to one customer whose model labels are `labels[start..]`,
    /// appending each rule set's tier and then the tags.
    /// Works out again the columns that follow from other labels of the same row, after
    /// those labels were changed (hysteresis): each RFM segment from its row's r, f, m
    /// scores, then the rule sets' tier and tags. `row` is a whole row in column order.
    pub(crate) fn rederive(&self, profile: &Profile, context: &RuleContext, row: &mut [Label]) {
        let mut at = 0;
        for model in &self.models {
            let width = model.columns().len();
            if let AnyModel::Rfm(rfm) = model
                && let (Label::Score(r), Label::Score(f), Label::Score(m)) =
                    (&row[at], &row[at + 1], &row[at + 2])
                && let Some(map) = rfm.params().get_segment_map()
            {
                row[at + 3] = Label::Name(SmolStr::new(map.segment(*r, *f, *m)));
            }
            at += width;
        }
        if !self.rules.is_empty() {
            let mut labels = row[..context.models].to_vec();
            self.apply_rules(profile, context, 0, &mut labels);
            row.clone_from_slice(&labels);
        }
    }

    fn apply_rules(
        &self,
        profile: &Profile,
        context: &RuleContext,
        start: usize,
        labels: &mut Vec<Label>,
    ) {
        if self.rules.is_empty() {
            return;
        }
        let mut tags: Vec<SmolStr> = Vec::new();
        for (i, rules) in self.rules.iter().enumerate() {
            let facts = Facts {
                profile,
                columns: &context.columns[..context.models + i],
                labels: &labels[start..],
            };
            let outcome = rules.apply_indexed(&facts, &context.indexes[i]);
            labels.push(match outcome.tier {
                Some(tier) => Label::Name(tier),
                None => Label::Unscored(Unscored::NoRuleMatched),
            });
            tags.extend(outcome.tags);
        }
        tags.sort();
        tags.dedup();
        labels.push(Label::Name(SmolStr::new(tags.join(";"))));
    }

    /// Every label of one profile, in column order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(RfmParams::default())
    ///     .classifier(ParetoParams::metals())
    ///     .build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// // population: C001 … C100, who spent 1 … 100 on 2026-03-01 (as of 2026-03-31).
    /// // All bought on the same day, once: r = f = 1. 59 spent less than C060: m = 3.
    /// let labels = fitted.classify(population.get("C060").unwrap());
    /// let cells: Vec<String> = labels.iter().map(ToString::to_string).collect();
    /// assert_eq!(cells, ["1", "1", "3", "hibernating", "lead"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn classify(&self, profile: &Profile) -> Vec<Label> {
        let mut out = Vec::new();
        self.classify_into(profile, &mut out);
        out
    }

    /// Appends every label of one profile, in column order, to `out` (a buffer reused
    /// across customers saves an allocation each).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&population)?;
    /// // metals fitted on C001 … C100, who spent 1 … 100
    /// let mut out = Vec::new();
    /// for id in ["C100", "C001"] {
    ///     fitted.classify_into(population.get(id).unwrap(), &mut out);
    /// }
    /// assert_eq!(out, [Label::Name("platinum".into()), Label::Name("lead".into())]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        if self.rules.is_empty() {
            for model in &self.models {
                model.classify_into(profile, out);
            }
        } else {
            self.classify_with(profile, &self.rule_context(), out);
        }
    }

    /// [`classify_into`](Self::classify_into) with the rule context worked out once by
    /// the caller (a live tiering classifies one customer per order).
    pub(crate) fn classify_with(
        &self,
        profile: &Profile,
        context: &RuleContext,
        out: &mut Vec<Label>,
    ) {
        let start = out.len();
        for model in &self.models {
            model.classify_into(profile, out);
        }
        self.apply_rules(profile, context, start, out);
    }

    /// Labels every customer of a population with the fitted models (no refit).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.clone().finish()?;
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// // population: C001 … C100, who spent 1 … 100 on 2026-03-01 (as of 2026-03-31).
    /// // C001 orders 200 more: above the fitted platinum threshold 100, so platinum too.
    /// let c001 = CustomerId::new("C001").unwrap();
    /// orders.add(Transaction::new(c001, date(2026, 3, 31), 200.into()))?;
    /// let tiering = fitted.classify_all(&orders.finish()?);
    /// assert_eq!(tiering.label("C001", "metal").unwrap().to_string(), "platinum");
    /// assert_eq!(tiering.counts()["metal"]["platinum"], 2); // no refit: C100 stays platinum
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn classify_all(&self, population: &Population) -> Tiering {
        let context = self.rule_context();
        let mut labels = Vec::new();
        for profile in population.profiles() {
            let start = labels.len();
            for model in &self.models {
                model.classify_into(profile, &mut labels);
            }
            self.apply_rules(profile, &context, start, &mut labels);
        }
        Tiering::new(self.columns(), population, labels)
    }

    /// How many customers of `population` each missing-data policy stepped in for, per
    /// classifier column and metric or attribute (SPEC §9).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{missing::MissingPolicy, pareto::ParetoParams, MissingUse};
    /// use customer_tiering::{Metric, PipelineBuilder};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, profit) in [("C1", Some(5)), ("C2", None), ("C3", Some(9)), ("C4", None)] {
    /// #     let tx = Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), 10.into());
    /// #     orders.add(match profit { Some(p) => tx.with_profit(p.into()), None => tx })?;
    /// # }
    /// # let population = orders.finish()?;
    /// // Four buyers; C2 and C4 have no profit, so they are ranked at the median profit.
    /// let by_profit = ParetoParams::metals()
    ///     .metric(Metric::Profit)
    ///     .missing(MissingPolicy::FillMedian);
    /// let fitted = PipelineBuilder::new().classifier(by_profit).build()?.fit(&population)?;
    /// let uses = fitted.missing_data(&population);
    /// let median = MissingUse {
    ///     column: "metal".into(),
    ///     source: "profit".into(),
    ///     policy: "fill_median".into(),
    /// };
    /// assert_eq!(uses[&median], 2);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn missing_data(&self, population: &Population) -> BTreeMap<MissingUse, u64> {
        let mut counts = BTreeMap::new();
        let mut uses = Vec::new();
        for profile in population.profiles() {
            uses.clear();
            for model in &self.models {
                model.missing_uses(profile, &mut uses);
            }
            for one in uses.drain(..) {
                *counts.entry(one).or_default() += 1;
            }
        }
        counts
    }

    /// Why `profile` gets each of its labels: one line per column (SPEC §10), the
    /// rule sets' naming the rules that fired.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{PipelineBuilder, RuleSet};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// let top = RuleSet::from_toml_str("top.toml", r#"
    ///     name = "top"
    ///     tiers = ["top", "rest"]
    ///     default = "rest"
    ///     [[rules]]
    ///     when = 'metal >= "gold"'
    ///     tier = "top"
    /// "#)?;
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(ParetoParams::metals())
    ///     .rules(top)
    ///     .build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// // population: C001 … C100, who spent 1 … 100 on 2026-03-01 (as of 2026-03-31).
    /// let lines = fitted.explain(population.get("C099").unwrap());
    /// let metal = "metal = gold: monetary 99 is at least the gold threshold 96 and is below";
    /// assert!(lines[0].starts_with(metal));
    /// let rule = r#"tier = top: rule 1 (metal >= "gold"; metal = gold) gave top; tags: none"#;
    /// assert_eq!(lines[1], rule);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn explain(&self, profile: &Profile) -> Vec<String> {
        let mut lines: Vec<String> = self
            .models
            .iter()
            .flat_map(|m| m.explain(profile))
            .collect();
        if !self.rules.is_empty() {
            let mut columns: Vec<String> = self.models.iter().flat_map(Model::columns).collect();
            let mut labels = Vec::new();
            for model in &self.models {
                model.classify_into(profile, &mut labels);
            }
            for rules in &self.rules {
                let facts = Facts {
                    profile,
                    columns: &columns,
                    labels: &labels,
                };
                lines.push(rules.explain(&facts));
                let tier = rules.apply(&facts).tier;
                labels.push(tier.map_or(Label::Unscored(Unscored::NoRuleMatched), Label::Name));
                columns.push(rules.column().to_string());
            }
        }
        lines
    }

    /// The pipeline as pretty JSON (decimals as strings, exact).
    ///
    /// # Errors
    /// Never in practice; [`Error::Parse`] if serialisation fails.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&population)?;
    /// // metals fitted on C001 … C100 as of 2026-03-31: thresholds 100, 96 and 81.
    /// let json = fitted.to_json()?;
    /// assert!(json.starts_with("{\n  \"format_version\": 1,\n  \"as_of\": \"2026-03-31\""));
    /// let value: serde_json::Value = serde_json::from_str(&json)?;
    /// assert_eq!(value["models"][0]["kind"], "pareto");
    /// assert_eq!(value["models"][0]["thresholds"], serde_json::json!(["100", "96", "81"]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self).map_err(|e| parse_error("model", e))
    }

    /// Loads a pipeline saved by [`to_json`](Self::to_json); every model is validated
    /// as it is read.
    ///
    /// # Errors
    /// [`Error::Parse`] naming `what` (a file name) and the problem.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::FittedPipeline;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&population)?;
    /// // metals fitted on C001 … C100
    /// let json = fitted.to_json()?;
    /// assert_eq!(FittedPipeline::from_json("model.json", &json)?, fitted);
    ///
    /// let empty = r#"{"as_of": "2026-03-31", "fit_size": 0, "models": []}"#;
    /// let err = FittedPipeline::from_json("old.json", empty).unwrap_err();
    /// assert_eq!(err.to_string(), "old.json: pipeline: the saved pipeline has no model");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_json(what: &str, json: &str) -> Result<Self, Error> {
        serde_json::from_str(json).map_err(|e| parse_error(what, e))
    }

    /// Loads a saved pipeline from a file (`model.json` of the `tier` CLI), validated as
    /// by [`from_json`](Self::from_json), errors naming the path.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; otherwise as
    /// [`from_json`](Self::from_json).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::FittedPipeline;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let fitted = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?
    /// #     .fit(&orders.finish()?)?;
    /// let path = std::env::temp_dir().join(format!("model-{}.json", std::process::id()));
    /// std::fs::write(&path, fitted.to_json()?).unwrap();
    /// assert_eq!(FittedPipeline::from_path(&path)?, fitted);
    /// std::fs::remove_file(&path).unwrap();
    /// let missing = FittedPipeline::from_path(&path).unwrap_err();
    /// assert!(missing.to_string().contains("model-"), "{missing}");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        FittedPipeline::from_json(&path.display().to_string(), &json)
    }
}

/// Labels for every customer of a population, sorted by customer id.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// for (id, amount) in [("C", 20), ("A", 90), ("B", 5)] {
///     let id = CustomerId::new(id).unwrap();
///     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
/// }
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let (_, tiering) = pipeline.run(&orders.finish()?)?;
/// // By id, whatever the input order:
/// let rows: Vec<String> = tiering.rows().map(|(id, l)| format!("{id},{}", l[0])).collect();
/// assert_eq!(rows, ["A,platinum", "B,lead", "C,lead"]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tiering {
    columns: Vec<String>,
    ids: Vec<CustomerId>,
    labels: Vec<Label>,
}

impl Tiering {
    /// Labels (row-major, one per column per customer) of a population's customers.
    fn new(columns: Vec<String>, population: &Population, labels: Vec<Label>) -> Self {
        debug_assert_eq!(labels.len(), columns.len() * population.len());
        let ids = population
            .profiles()
            .iter()
            .map(|p| p.customer_id.clone())
            .collect();
        Tiering {
            columns,
            ids,
            labels,
        }
    }

    /// The label columns, in order.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert_eq!(tiering.columns(), ["metal"]);
    /// assert_eq!(tiering.columns(), fitted.columns());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The number of customers.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert_eq!(tiering.len(), 4); // P too, unscored
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no customer.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert!(!tiering.is_empty());
    /// let nobody = Population::new(date(2026, 3, 31), Vec::new())?;
    /// assert!(fitted.classify_all(&nobody).is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Each customer with its labels (one per column), in id order.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// // One CSV row per customer, as `tiers.csv` writes them (an unscored label is empty).
    /// let csv: Vec<String> =
    ///     tiering.rows().map(|(id, labels)| format!("{id},{}", labels[0].as_cell())).collect();
    /// assert_eq!(csv, ["A,platinum", "B,lead", "C,lead", "P,"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn rows(&self) -> impl Iterator<Item = (&CustomerId, &[Label])> {
        let width = self.columns.len().max(1);
        self.ids.iter().zip(self.labels.chunks(width))
    }

    /// The labels of one customer.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert_eq!(tiering.get("A"), Some(&[Label::Name("platinum".into())][..]));
    /// assert_eq!(tiering.get("Z"), None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn get(&self, id: &str) -> Option<&[Label]> {
        let width = self.columns.len();
        let row = self.ids.binary_search_by(|c| c.as_str().cmp(id)).ok()?;
        Some(&self.labels[row * width..(row + 1) * width])
    }

    /// Replaces the label of the customer at `row` in the column at `column`.
    pub(crate) fn set_label(&mut self, row: usize, column: usize, label: Label) {
        let width = self.columns.len();
        self.labels[row * width + column] = label;
    }

    /// The labels of the customer at `row`, mutable.
    pub(crate) fn row_mut(&mut self, row: usize) -> &mut [Label] {
        let width = self.columns.len();
        &mut self.labels[row * width..(row + 1) * width]
    }

    /// The label of one customer in one column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Label, Unscored};
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert_eq!(tiering.label("C", "metal"), Some(&Label::Name("lead".into())));
    /// assert_eq!(tiering.label("P", "metal"), Some(&Label::Unscored(Unscored::NoPurchases)));
    /// assert_eq!(tiering.label("A", "abc"), None); // no such column
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn label(&self, id: &str, column: &str) -> Option<&Label> {
        let index = self.columns.iter().position(|c| c == column)?;
        self.get(id).map(|labels| &labels[index])
    }

    /// Customers per label, per column (unscored customers under `(unscored)`; the
    /// `tags` column is not a label and is left out).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// let metal = &tiering.counts()["metal"];
    /// assert_eq!((metal["platinum"], metal["lead"], metal["(unscored)"]), (1, 2, 1));
    /// assert!(!metal.contains_key("gold")); // nobody is gold: no entry
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn counts(&self) -> BTreeMap<String, BTreeMap<String, u64>> {
        let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for (_, labels) in self.rows() {
            for (column, label) in self.columns.iter().zip(labels).filter(|(c, _)| *c != TAGS) {
                let key = if label.is_scored() {
                    label.as_cell().into_owned()
                } else {
                    "(unscored)".to_string()
                };
                *counts
                    .entry(column.clone())
                    .or_default()
                    .entry(key)
                    .or_default() += 1;
            }
        }
        counts
    }
}

/// The labels a column can take.
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
/// use customer_tiering::pipeline::ColumnLabels;
/// use customer_tiering::PipelineBuilder;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=100i64 {
/// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
/// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = orders.finish()?;
/// let pipeline = PipelineBuilder::new()
///     .classifier(RfmParams::default())
///     .classifier(ParetoParams::metals())
///     .build()?;
/// let columns = pipeline.fit(&population)?.column_labels();
/// assert_eq!(columns[0], ("r".to_string(), ColumnLabels::Scores(5)));
/// let (name, segments) = &columns[3];
/// assert_eq!(name, "rfm_segment");
/// assert!(matches!(segments, ColumnLabels::Named { ordered: false, .. }));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnLabels {
    /// Quantile scores `1..=k`; higher is better.
    Scores(u8),
    /// Named labels (empty: any), best first when `ordered`.
    Named {
        /// The labels.
        labels: Vec<String>,
        /// Whether `labels` is an order, best first.
        ordered: bool,
    },
}

impl ColumnLabels {
    /// The labels best first, when they have an order (scores: `k` down to `1`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::pipeline::ColumnLabels;
    /// assert_eq!(ColumnLabels::Scores(3).order().unwrap(), ["3", "2", "1"]);
    /// let abc = ColumnLabels::Named { labels: vec!["a".into(), "b".into()], ordered: true };
    /// assert_eq!(abc.order().unwrap(), ["a", "b"]);
    /// let stages = ColumnLabels::Named { labels: vec!["new".into()], ordered: false };
    /// assert_eq!(stages.order(), None);
    /// ```
    pub fn order(&self) -> Option<Vec<String>> {
        match self {
            ColumnLabels::Scores(bins) => Some((1..=*bins).rev().map(|s| s.to_string()).collect()),
            ColumnLabels::Named {
                labels,
                ordered: true,
            } if !labels.is_empty() => Some(labels.clone()),
            ColumnLabels::Named { .. } => None,
        }
    }

    /// The labels a rule set's column can take: its tiers, best first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::pipeline::ColumnLabels;
    /// use customer_tiering::RuleSet;
    /// let rules = RuleSet::from_toml_str("vip.toml", r#"
    ///     name = "vip"
    ///     tiers = ["vip", "rest"]
    ///     default = "rest"
    /// "#)?;
    /// let tiers = vec!["vip".to_string(), "rest".to_string()];
    /// assert_eq!(ColumnLabels::tiers_of(&rules), ColumnLabels::Named { labels: tiers, ordered: true });
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn tiers_of(rules: &RuleSet) -> Self {
        ColumnLabels::Named {
            labels: rules.tiers().iter().map(ToString::to_string).collect(),
            ordered: true,
        }
    }
}

/// What rule sets see of a run's columns (see `FittedPipeline::rule_context`).
#[derive(Debug, Clone)]
pub(crate) struct RuleContext {
    /// The models' columns, then each rule set's.
    columns: Vec<String>,
    /// How many of `columns` are the models'.
    models: usize,
    /// Per rule set, its label columns' positions.
    indexes: Vec<ColumnIndex>,
}

/// The columns rule sets add: one per rule set, then `tags` (SPEC §16).
/// Each rule set's column with its tiers, best first.
fn rule_set_labels(rules: &[RuleSet]) -> impl Iterator<Item = (String, ColumnLabels)> + '_ {
    rules
        .iter()
        .map(|rules| (rules.column().to_string(), ColumnLabels::tiers_of(rules)))
}

fn rule_columns(rules: &[RuleSet]) -> Vec<String> {
    let mut columns: Vec<String> = rules.iter().map(|r| r.column().to_string()).collect();
    if !rules.is_empty() {
        columns.push(TAGS.to_string());
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::quantile::QuantileMode;
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

    #[test]
    fn explain_names_cut_points_and_thresholds() {
        let pop = population(&[1, 2, 3, 4, 5, 6, 7]);
        let fitted = metals_and_rfm(QuantileMode::TieAware).fit(&pop).unwrap();
        let lines = fitted.explain(pop.get("C006").unwrap());
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
