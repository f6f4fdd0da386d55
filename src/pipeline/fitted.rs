//! A fitted pipeline: models and rule sets that classify any customer, saved and
//! loaded as one JSON document.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::checks::{AttrKind, check_rule_sets, claim_columns, reads_of, rule_schema};
use super::tiering::{Encoder, Tiering};
use super::{rule_columns, rule_set_labels};
use crate::classify::{
    AnyModel, AnyParams, Coder, ColumnLabels, Explanation, Label, MissingUse, Reads, Unscored,
};
use crate::error::{ColumnWriter, ConfigError, Error, cut_reason, parse_error};
use crate::names::Lang;
use crate::parallel;
use crate::profile::{Population, Profile};
use crate::registry::Registry;
use crate::rules::{AnyRules, ColumnIndex, Facts};

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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedPipeline {
    pub(super) format_version: u32,
    pub(super) as_of: Date,
    pub(super) fit_size: usize,
    pub(super) models: Vec<AnyModel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) rules: Vec<AnyRules>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) attributes: BTreeMap<String, AttrKind>,
}

/// Customers per piece of a population classified in parallel: fixed, so that the
/// pieces never depend on the number of threads.
const PIECE: usize = 1 << 14;
/// Customers classified model by model while their profiles stay in the cache.
const BLOCK: usize = 256;

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

/// The file form of a [`FittedPipeline`], before its models are loaded by kind and
/// everything is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FittedPipelineData {
    #[serde(default = "first_format_version")]
    format_version: u32,
    as_of: Date,
    fit_size: usize,
    models: Vec<serde_json::Value>,
    #[serde(default)]
    rules: Vec<serde_json::Value>,
    #[serde(default)]
    attributes: BTreeMap<String, AttrKind>,
}

fn first_format_version() -> u32 {
    1
}

impl<'de> Deserialize<'de> for FittedPipeline {
    /// Reads a pipeline of built-in kinds; an application's own kinds load through
    /// [`FittedPipeline::from_json_with`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let data = FittedPipelineData::deserialize(deserializer)?;
        FittedPipeline::checked(data, &Registry::builtin()).map_err(serde::de::Error::custom)
    }
}

impl FittedPipeline {
    /// Loads the models of a saved pipeline by kind, then checks it as fresh settings are
    /// checked ([output safety](crate::definitions#output-safety)): its version, every
    /// model's own invariants, unique well-formed columns, and every rule set against the
    /// columns and labels the models actually have.
    fn checked(data: FittedPipelineData, registry: &Registry) -> Result<Self, Error> {
        if data.format_version != FORMAT_VERSION {
            return Err(ConfigError::Format {
                found: data.format_version,
                supported: FORMAT_VERSION,
            }
            .into());
        }
        if data.models.is_empty() {
            return Err(ConfigError::NoModel.into());
        }
        let mut seen: Vec<String> = Vec::new();
        let mut models = Vec::with_capacity(data.models.len());
        for (i, value) in data.models.into_iter().enumerate() {
            let model = registry.model_from_value(i + 1, value)?;
            claim_columns(&mut seen, model.columns(), &ColumnWriter::SavedModel)?;
            models.push(model);
        }
        let params: Vec<AnyParams> = models.iter().map(AnyModel::params).collect();
        let schema = rule_schema(params.iter(), &data.attributes);
        let mut rule_sets = Vec::with_capacity(data.rules.len());
        for (i, value) in data.rules.into_iter().enumerate() {
            rule_sets.push(registry.rules_from_value(i + 1, value)?);
        }
        // A rule set's error names its file and rule.
        let rules = check_rule_sets(schema, seen, rule_sets)?;
        Ok(FittedPipeline {
            format_version: data.format_version,
            as_of: data.as_of,
            fit_size: data.fit_size,
            models,
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
    /// let kinds: Vec<&str> = fitted.models().iter().map(|m| m.kind()).collect();
    /// assert_eq!(kinds, ["rfm", "pareto"]);
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
        let mut columns: Vec<String> = self.models.iter().flat_map(AnyModel::columns).collect();
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
    pub fn rule_sets(&self) -> &[AnyRules] {
        &self.rules
    }

    /// What people read for `label` of `column` in `lang`: the name a rule set of that
    /// column gives the tier in its `tier_info`, else the preset's display name, else
    /// the label itself; the marker of customers without a label
    /// ([`UNSCORED`](crate::migration::UNSCORED)) in `lang` too. Files keep the keys;
    /// tables, charts and reports show this.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::names::Lang;
    /// use customer_tiering::{PipelineBuilder, RuleSet};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let size = RuleSet::from_toml_str("size.toml", r#"
    ///     name = "size"
    ///     tiers = ["big", "small"]
    ///     default = "small"
    ///     [[rules]]
    ///     when = "monetary >= 90"
    ///     tier = "big"
    ///     [tier_info.big]
    ///     zh-Hant = "大客戶"
    /// "#)?;
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).rules(size).build()?;
    /// let fitted = pipeline.fit(&population)?;
    /// // A rule set writes the column `tier` unless its file names another.
    /// assert_eq!(fitted.display_name("tier", "big", Lang::ZhHant), "大客戶");
    /// assert_eq!(fitted.display_name("tier", "big", Lang::En), "big"); // no English name given
    /// assert_eq!(fitted.display_name("metal", "gold", Lang::ZhHans), "黄金顾客");
    /// assert_eq!(fitted.display_name("metal", "(unscored)", Lang::ZhHant), "(未評分)");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn display_name(&self, column: &str, label: &str, lang: Lang) -> String {
        if label == crate::migration::UNSCORED {
            return crate::names::unscored(lang).to_string();
        }
        let own = self
            .rules
            .iter()
            .filter(|r| r.column() == column)
            .find_map(|r| r.tier_info(label))
            .and_then(|info| match lang {
                Lang::En => info.en.clone(),
                Lang::ZhHant => info.zh_hant.clone(),
                Lang::ZhHans => info.zh_hans.clone(),
            });
        own.unwrap_or_else(|| crate::names::display_name(column, label, lang).to_string())
    }

    /// The service advice for customers with `label` of `column`, in `lang`: the
    /// playbook a rule set of that column gives the tier in its `tier_info`, else the
    /// preset's; none where neither is known.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::names::Lang;
    /// use customer_tiering::PipelineBuilder;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let fitted = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.fit(&population)?;
    /// assert!(fitted.playbook("metal", "platinum", Lang::En).unwrap().starts_with("Protect"));
    /// assert_eq!(fitted.playbook("metal", "tin", Lang::En), None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn playbook(&self, column: &str, label: &str, lang: Lang) -> Option<String> {
        let own = self
            .rules
            .iter()
            .filter(|r| r.column() == column)
            .find_map(|r| r.tier_info(label))
            .and_then(|info| info.playbook.as_ref())
            .map(|p| p.text(lang).to_string());
        own.or_else(|| crate::names::playbook(column, label, lang).map(str::to_string))
    }

    /// Everything the models and rule sets read: the metrics a profile must have
    /// computed for them, and the attributes they look at.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{Metric, PipelineBuilder, RuleSet};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let growing = RuleSet::from_toml_str("g.toml", r#"
    ///     name = "g"
    ///     tiers = ["growing", "rest"]
    ///     default = "rest"
    ///     [[rules]]
    ///     when = "growth > 0.5"
    ///     tier = "growing"
    /// "#)?;
    /// let metals = PipelineBuilder::new().classifier(ParetoParams::metals());
    /// let fitted = metals.clone().build()?.fit(&population)?;
    /// assert_eq!(fitted.reads().metrics, [Metric::Monetary]);
    /// let fitted = metals.rules(growing).build()?.fit(&population)?;
    /// assert_eq!(fitted.reads().metrics, [Metric::Monetary, Metric::Growth]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn reads(&self) -> Reads {
        let classifiers = self.models.iter().map(|m| m.params().reads());
        reads_of(classifiers, &self.rules, &self.attributes)
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
    /// use customer_tiering::classify::ColumnLabels;
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
            .flat_map(|m| m.params().columns())
            .map(|c| (c.name, c.labels))
            .collect();
        columns.extend(rule_set_labels(&self.rules));
        columns
    }

    /// The columns the rule sets see and, per rule set, where its label columns are:
    /// worked out once per run, not per customer.
    pub(crate) fn rule_context(&self) -> RuleContext {
        let mut columns = Vec::new();
        let mut widths = Vec::with_capacity(self.models.len());
        for model in &self.models {
            let own = model.columns();
            widths.push(own.len());
            columns.extend(own);
        }
        let models = columns.len();
        let mut indexes = Vec::with_capacity(self.rules.len());
        for rules in &self.rules {
            indexes.push(rules.index_columns(&columns));
            columns.push(rules.column().to_string());
        }
        RuleContext {
            columns,
            models,
            widths,
            indexes,
        }
    }

    /// Works out again the columns that follow from other labels of the same row, after
    /// those labels were changed (hysteresis): each RFM segment from its row's r, f, m
    /// scores, then the rule sets' tier and tags. `row` is a whole row in column order.
    pub(crate) fn rederive(&self, profile: &Profile, context: &RuleContext, row: &mut [Label]) {
        let mut at = 0;
        for (model, width) in self.models.iter().zip(&context.widths) {
            model.rederive(&mut row[at..at + width]);
            at += width;
        }
        if !self.rules.is_empty() {
            let mut labels = row[..context.models].to_vec();
            self.apply_rules(profile, context, 0, &mut labels);
            row.clone_from_slice(&labels);
        }
    }

    pub(super) fn apply_rules(
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
            let outcome = rules.decide_indexed(&facts, &context.indexes[i]);
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
        self.label_all(population, &[], true).0
    }

    /// Labels every customer: with model `i`'s own labels, or with `batch[i]` (its
    /// row-major labels of this population) where given; then the rule sets. In pieces
    /// of a fixed number of customers, on every thread; the tiering is the same
    /// whatever the number of threads ([determinism](crate::definitions#determinism)).
    ///
    /// Also gives the first model (by index) that gave another number of labels than
    /// it has columns, and that number: its row is padded or cut to fit. Without
    /// `coded`, built-in models take the general path too (their tests compare both).
    pub(super) fn label_all(
        &self,
        population: &Population,
        batch: &[Option<Vec<Label>>],
        coded: bool,
    ) -> (Tiering, Option<(usize, usize)>) {
        let context = self.rule_context();
        let columns = self.columns();
        let width = columns.len();
        let customers = population.columns();
        // Built-in models label by codes into fixed lists (no label built per
        // customer), unless the run gives their labels.
        let coders: Vec<Option<Box<dyn Coder + '_>>> = self
            .models
            .iter()
            .enumerate()
            .map(|(i, model)| match batch.get(i) {
                Some(Some(_)) => None,
                _ if !coded => None,
                _ => model.coder(),
            })
            .collect();
        let fixed: Vec<Option<Vec<Vec<Label>>>> = coders
            .iter()
            .map(|c| c.as_ref().map(|c| c.labels()))
            .collect();
        let rules = !self.rules.is_empty();
        // Each customer's row of labels is built only for rule sets and for models
        // without codes; otherwise codes go from the models to the tiering directly.
        let by_row = rules || coders.iter().any(Option::is_none);
        let offsets: Vec<usize> = context
            .widths
            .iter()
            .scan(0, |at, w| {
                let start = *at;
                *at += w;
                Some(start)
            })
            .collect();
        let starts: Vec<usize> = (0..customers.len()).step_by(PIECE).collect();
        let pieces = parallel::map(&starts, |&start| {
            let end = (start + PIECE).min(customers.len());
            let mut encoder = Encoder::new(width, end - start);
            for (labels, &at) in fixed.iter().zip(&offsets) {
                for (c, list) in labels.iter().flatten().enumerate() {
                    encoder.fix(at + c, list.clone());
                }
            }
            let mut wrong = None;
            // Buffers per piece, reused for every block and customer.
            let mut codes: Vec<Vec<u32>> = vec![Vec::with_capacity(BLOCK); width];
            let mut row: Vec<Label> = Vec::with_capacity(width);
            // The block's profiles, made only where a model or rule reads profiles.
            let mut block: Vec<Profile> = Vec::with_capacity(BLOCK);
            for block_start in (start..end).step_by(BLOCK) {
                let block_end = (block_start + BLOCK).min(end);
                let range = block_start..block_end;
                // Made once for the block when rows are built; then the coders read
                // them too.
                if by_row {
                    customers.fill(range.clone(), &mut block);
                }
                // Model by model over a block that stays in the cache.
                for ((coder, &at), &own) in coders.iter().zip(&offsets).zip(&context.widths) {
                    if let Some(coder) = coder {
                        let out = &mut codes[at..at + own];
                        out.iter_mut().for_each(Vec::clear);
                        match by_row {
                            true => coder.codes(&block, out),
                            false => coder.codes_at(customers, range.clone(), &mut block, out),
                        }
                    }
                }
                if !by_row {
                    for (column, codes) in codes.iter().enumerate() {
                        encoder.extend_codes(column, codes);
                    }
                    encoder.rows_done(range.len());
                    continue;
                }
                for (j, (r, profile)) in (block_start..block_end).zip(&block).enumerate() {
                    row.clear();
                    for (i, model) in self.models.iter().enumerate() {
                        let (at, own) = (offsets[i], context.widths[i]);
                        if let Some(labels) = &fixed[i] {
                            for c in 0..own {
                                let code = codes[at + c][j];
                                encoder.push_code(at + c, code);
                                if rules {
                                    row.push(labels[c][code as usize].clone());
                                }
                            }
                            continue;
                        }
                        let before = row.len();
                        match batch.get(i).and_then(Option::as_ref) {
                            Some(labels) => {
                                row.extend_from_slice(&labels[r * own..(r + 1) * own]);
                            }
                            None => model.classify_into(profile, &mut row),
                        }
                        let got = row.len() - before;
                        if got != own {
                            wrong.get_or_insert((i, got));
                            row.resize_with(before + own, || {
                                Label::Unscored(Unscored::other("wrong number of labels"))
                            });
                        }
                        if rules {
                            for (c, label) in row[before..].iter().enumerate() {
                                encoder.push_label(at + c, label.clone());
                            }
                        } else {
                            for (c, label) in row.drain(before..).enumerate() {
                                encoder.push_label(at + c, label);
                            }
                        }
                    }
                    if rules {
                        self.apply_rules(profile, &context, 0, &mut row);
                        for (c, label) in row.drain(context.models..).enumerate() {
                            encoder.push_label(context.models + c, label);
                        }
                    }
                }
                encoder.rows_done(block.len());
            }
            encoder.finish();
            (encoder, wrong)
        });
        let wrong = pieces.iter().find_map(|(_, wrong)| *wrong);
        let encoders = pieces.into_iter().map(|(encoder, _)| encoder).collect();
        (Tiering::from_pieces(columns, population, encoders), wrong)
    }

    /// How many customers of `population` each missing-data policy stepped in for, per
    /// classifier column and metric or attribute ([missing
    /// data](crate::definitions#missing-data)).
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
        // Pieces of customers on every core; their counts add up exactly.
        const PIECE: usize = 1 << 14;
        if !self.models.iter().any(AnyModel::reports_missing) {
            return BTreeMap::new();
        }
        let customers = population.columns();
        let starts: Vec<usize> = (0..customers.len()).step_by(PIECE).collect();
        let pieces = crate::parallel::map(&starts, |&start| {
            let mut counts: BTreeMap<MissingUse, u64> = BTreeMap::new();
            let mut uses = Vec::new();
            let mut block = Vec::with_capacity(BLOCK);
            let end = (start + PIECE).min(customers.len());
            for block_start in (start..end).step_by(BLOCK) {
                customers.fill(block_start..(block_start + BLOCK).min(end), &mut block);
                for profile in &block {
                    for model in &self.models {
                        model.missing_uses(profile, &mut uses);
                    }
                    for one in uses.drain(..) {
                        *counts.entry(one).or_default() += 1;
                    }
                }
            }
            counts
        });
        let mut counts = BTreeMap::new();
        for (one, customers) in pieces.into_iter().flatten() {
            *counts.entry(one).or_default() += customers;
        }
        counts
    }

    /// Why `profile` gets each of its labels: one [`Explanation`] per column
    /// ([explanations](crate::definitions#explanations)), the rule sets' naming the rules
    /// that fired. `Display` writes each as one line of English.
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
    /// let why = fitted.explain(population.get("C099").unwrap());
    /// let columns: Vec<&str> = why.iter().map(|e| e.column()).collect();
    /// assert_eq!(columns, ["metal", "tier"]);
    /// let metal = "metal = gold: monetary 99 is at least the gold threshold 96 and is below";
    /// assert!(why[0].to_string().starts_with(metal));
    /// let rule = r#"tier = top: rule 1 (metal >= "gold"; metal = gold) gave top; tags: none"#;
    /// assert_eq!(why[1].to_string(), rule);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let mut lines: Vec<Explanation> = self
            .models
            .iter()
            .flat_map(|m| m.explain(profile))
            .collect();
        if !self.rules.is_empty() {
            let mut columns: Vec<String> = self.models.iter().flat_map(AnyModel::columns).collect();
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
                let why = rules.explain(&facts);
                labels.push(why.label().clone()); // the tier, for the rule sets after it
                lines.push(why);
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
    /// [`Error::Parse`] naming `what` (a file name) and the problem. When the JSON reads
    /// but does not check out, its `source` is the failed check: a
    /// [`ConfigError`] ([`Format`](ConfigError::Format), [`NoModel`](ConfigError::NoModel),
    /// [`SavedModel`](ConfigError::SavedModel), [`ColumnName`](ConfigError::ColumnName)
    /// …) or an [`Error::Rule`] of a saved rule set.
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
    /// use customer_tiering::{ConfigError, Error};
    /// let Error::Parse { source: Some(check), .. } = err else { panic!("a failed check") };
    /// assert!(matches!(*check, Error::Config(ConfigError::NoModel)));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_json(what: &str, json: &str) -> Result<Self, Error> {
        FittedPipeline::from_json_with(what, json, &Registry::builtin())
    }

    /// Loads a pipeline saved by [`to_json`](Self::to_json) whose models may be of the
    /// application's own kinds: `registry` says how to load each kind, and a model of a
    /// kind it does not know is an error naming the kind.
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::Registry;
    /// use customer_tiering::{FittedPipeline, PipelineBuilder};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let fitted = PipelineBuilder::new().classifier(ParetoParams::abc()).build()?.fit(&population)?;
    /// let registry = Registry::builtin(); // plus the application's kinds, registered
    /// let loaded = FittedPipeline::from_json_with("model.json", &fitted.to_json()?, &registry)?;
    /// assert_eq!(loaded, fitted);
    /// let none = Registry::empty();
    /// let err = FittedPipeline::from_json_with("model.json", &fitted.to_json()?, &none).unwrap_err();
    /// assert!(err.to_string().contains(r#"unknown classifier kind "pareto""#), "{err}");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_json_with(what: &str, json: &str, registry: &Registry) -> Result<Self, Error> {
        let data: FittedPipelineData =
            serde_json::from_str(json).map_err(|e| parse_error(what, e))?;
        FittedPipeline::checked(data, registry).map_err(|e| Error::Parse {
            what: what.to_string(),
            reason: cut_reason(e.to_string()),
            source: Some(Box::new(e)),
        })
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
        FittedPipeline::from_path_with(path, &Registry::builtin())
    }

    /// [`from_path`](Self::from_path) with the application's own kinds:
    /// [`from_json_with`](Self::from_json_with) from a file.
    ///
    /// # Errors
    /// As [`from_path`](Self::from_path).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{FittedPipeline, Registry};
    /// let missing = std::env::temp_dir().join("no-such-model.json");
    /// assert!(FittedPipeline::from_path_with(&missing, &Registry::builtin()).is_err());
    /// ```
    pub fn from_path_with(
        path: impl AsRef<std::path::Path>,
        registry: &Registry,
    ) -> Result<Self, Error> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        FittedPipeline::from_json_with(&path.display().to_string(), &json, registry)
    }
}

/// What rule sets see of a run's columns (see `FittedPipeline::rule_context`).
#[derive(Debug, Clone)]
pub(crate) struct RuleContext {
    /// The models' columns, then each rule set's.
    columns: Vec<String>,
    /// How many of `columns` are the models'.
    models: usize,
    /// Per model, how many columns it writes (worked out once, not per row).
    widths: Vec<usize>,
    /// Per rule set, its label columns' positions.
    indexes: Vec<ColumnIndex>,
}
