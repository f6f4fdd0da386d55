//! Assembling a pipeline: classifiers and rule sets, checked together before any data
//! is seen.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checks::{AttrKind, check_rule_sets, claim_columns, names, reads_of, rule_schema};
use super::fitted::{FORMAT_VERSION, FittedPipeline};
use super::tiering::Tiering;
use super::{rule_columns, rule_set_labels};
use crate::attributes::{AttrType, known_type};
use crate::classify::statistics::{FitColumn, FitStatistics};
use crate::classify::{AnyModel, AnyParams, ColumnLabels, FitData, Reads, Wanted};
use crate::error::{ColumnWriter, ConfigError, Error, parse_error};
use crate::profile::Population;
use crate::registry::Registry;
use crate::rules::AnyRules;

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
    rules: Vec<AnyRules>,
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

    /// Adds a rule set ([rule sets](crate::definitions#rule-sets-and-the-final-tier)),
    /// applied after every classifier and every earlier rule set; its conditions may use
    /// their columns.
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
    pub fn rules(mut self, rules: impl Into<AnyRules>) -> Self {
        self.rules.push(rules.into());
        self
    }

    /// Declares the attribute columns of a customers source (beyond the known ones of
    /// [inputs](crate::definitions#inputs) ones), so that rule sets may refer to them: the
    /// pipeline is built and checked before any data is read, so it cannot see them
    /// otherwise. The table that feeds
    /// [`PopulationBuilder::finish_with`](crate::PopulationBuilder::finish_with) has them:
    /// `builder.attributes(table.columns())` for a
    /// [`CustomerTable`](crate::source::customers::CustomerTable).
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
        Pipeline::assemble(self.classifiers, self.rules, attributes)
    }
}

/// The file form of a [`Pipeline`], before its parts are loaded by kind and checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineData {
    classifiers: Vec<serde_json::Value>,
    #[serde(default)]
    rules: Vec<serde_json::Value>,
    #[serde(default)]
    attributes: BTreeMap<String, AttrKind>,
}

impl<'de> Deserialize<'de> for Pipeline {
    /// Reads a pipeline of built-in kinds, checked as [`PipelineBuilder::build`]
    /// checks; an application's own kinds load through [`Pipeline::from_json_with`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let data = PipelineData::deserialize(deserializer)?;
        Pipeline::loaded(data, &Registry::builtin()).map_err(serde::de::Error::custom)
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub(super) classifiers: Vec<AnyParams>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) rules: Vec<AnyRules>,
    /// The custom attributes the rule sets were checked against, with their types.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) attributes: BTreeMap<String, AttrKind>,
}

impl Pipeline {
    /// Checks the parts together: every classifier's settings, distinct columns, and
    /// every rule set against the columns and attributes before it.
    fn assemble(
        classifiers: Vec<AnyParams>,
        rules: Vec<AnyRules>,
        attributes: BTreeMap<String, AttrKind>,
    ) -> Result<Pipeline, Error> {
        let mut pipeline = Pipeline {
            classifiers,
            rules: Vec::new(),
            attributes,
        };
        pipeline.validate()?;
        let columns = pipeline
            .classifiers
            .iter()
            .flat_map(|c| names(c.columns()))
            .collect();
        let schema = rule_schema(pipeline.classifiers.iter(), &pipeline.attributes);
        pipeline.rules = check_rule_sets(schema, columns, rules)?;
        Ok(pipeline)
    }

    /// Loads the parts of a saved pipeline by kind, then checks them.
    fn loaded(data: PipelineData, registry: &Registry) -> Result<Pipeline, Error> {
        let mut classifiers = Vec::with_capacity(data.classifiers.len());
        for (i, value) in data.classifiers.into_iter().enumerate() {
            let params =
                registry
                    .params_from_value(value)
                    .map_err(|problem| ConfigError::SavedModel {
                        model: i + 1,
                        kind: None,
                        reason: Box::new(problem),
                    })?;
            classifiers.push(params);
        }
        let mut rules = Vec::with_capacity(data.rules.len());
        for (i, value) in data.rules.into_iter().enumerate() {
            rules.push(registry.rules_from_value(i + 1, value)?);
        }
        Pipeline::assemble(classifiers, rules, data.attributes)
    }

    /// Loads a pipeline (settings, not fitted) saved as JSON, whose classifiers and
    /// rules may be of the application's own kinds; checked as
    /// [`PipelineBuilder::build`] checks.
    ///
    /// # Errors
    /// [`Error::Parse`] naming `what`, for a document that does not read or a kind
    /// `registry` does not know; the checks' own errors otherwise.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::{Pipeline, PipelineBuilder, Registry};
    /// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let json = serde_json::to_string(&pipeline)?;
    /// assert_eq!(Pipeline::from_json_with("pipeline.json", &json, &Registry::builtin())?, pipeline);
    /// let err = Pipeline::from_json_with("pipeline.json", &json, &Registry::empty()).unwrap_err();
    /// assert!(err.to_string().contains(r#"unknown classifier kind "pareto""#), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json_with(what: &str, json: &str, registry: &Registry) -> Result<Self, Error> {
        let data: PipelineData = serde_json::from_str(json).map_err(|e| parse_error(what, e))?;
        Pipeline::loaded(data, registry)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.classifiers.is_empty() {
            return Err(ConfigError::NoClassifier);
        }
        let mut seen: Vec<String> = Vec::new();
        for params in &self.classifiers {
            params.validate()?;
            claim_columns(
                &mut seen,
                names(params.columns()),
                &ColumnWriter::Classifier,
            )?;
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
            .flat_map(|c| names(c.columns()))
            .collect();
        columns.extend(rule_columns(&self.rules));
        columns
    }

    /// Everything the classifiers and rule sets read: pass its metrics to
    /// [`PopulationBuilder::computing`](crate::PopulationBuilder::computing) so that a
    /// metric nobody reads is not computed.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{grade::GradeParams, pareto::ParetoParams};
    /// use customer_tiering::{Metric, PipelineBuilder};
    /// let metals = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// assert!(!metals.reads().metrics.contains(&Metric::Growth));
    /// let graded = PipelineBuilder::new().classifier(GradeParams::four_dimension()).build()?;
    /// assert!(graded.reads().metrics.contains(&Metric::Growth)); // potential: the sign of growth
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn reads(&self) -> Reads {
        let classifiers = self.classifiers.iter().map(AnyParams::reads);
        reads_of(classifiers, &self.rules, &self.attributes)
    }

    /// The classifiers' settings.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
    /// use customer_tiering::PipelineBuilder;
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(RfmParams::default())
    ///     .classifier(ParetoParams::metals())
    ///     .build()?;
    /// let kinds: Vec<&str> = pipeline.classifiers().iter().map(|c| c.kind()).collect();
    /// assert_eq!(kinds, ["rfm", "pareto"]);
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
    /// use customer_tiering::classify::ColumnLabels;
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
            .flat_map(|c| c.columns())
            .map(|c| (c.name, c.labels))
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
        let fit_size = population.buyer_count();
        if fit_size == 0 {
            return Err(Error::EmptyPopulation {
                as_of: population.as_of(),
            });
        }
        // Every column the built-ins fit on, read in one pass over the population.
        let wanted: Vec<Wanted> = self
            .classifiers
            .iter()
            .flat_map(AnyParams::wanted)
            .collect();
        self.fit_data(&FitData::new(population, &wanted), fit_size)
    }

    /// Fits every classifier on `data`, the columns of `fit_size` buyers.
    fn fit_data(&self, data: &FitData<'_>, fit_size: usize) -> Result<FittedPipeline, Error> {
        let models = self
            .classifiers
            .iter()
            .map(|params| params.fit_data(data))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(FittedPipeline {
            format_version: FORMAT_VERSION,
            as_of: data.as_of(),
            fit_size,
            models,
            rules: self.rules.clone(),
            attributes: self.attributes.clone(),
        })
    }

    /// The columns the built-in classifiers' fits read order statistics of, each once:
    /// what a [`FitStatistics`] must answer for [`fit_statistics`](Self::fit_statistics).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
    /// use customer_tiering::{Metric, PipelineBuilder};
    /// let pipeline = PipelineBuilder::new()
    ///     .classifier(RfmParams::default())
    ///     .classifier(ParetoParams::metals())
    ///     .build()?;
    /// let metrics: Vec<Metric> = pipeline.fit_columns().iter().map(|c| c.metric).collect();
    /// assert_eq!(metrics, [Metric::RecencyDays, Metric::Frequency, Metric::Monetary]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fit_columns(&self) -> Vec<FitColumn> {
        let mut columns: Vec<FitColumn> = Vec::new();
        for wanted in self.classifiers.iter().flat_map(AnyParams::wanted) {
            let column = FitColumn::from(wanted);
            if !columns.contains(&column) {
                columns.push(column);
            }
        }
        columns
    }

    /// Fits every classifier on order statistics computed elsewhere (a SQL engine that
    /// holds the profiles): the same fitted pipeline as [`fit`](Self::fit) on the
    /// profiles the statistics describe.
    ///
    /// # Errors
    /// [`Error::EmptyPopulation`] when nobody bought; [`ConfigError::NeedsProfiles`] for
    /// a classifier that reads more than order statistics (an application's own, a fill
    /// by the median, value-basis bands, composite scores, a grade over an attribute).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::statistics::ProfileStatistics;
    /// use customer_tiering::classify::rfm::RfmParams;
    /// use customer_tiering::{ConfigError, Error, PipelineBuilder, presets};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=20i64 {
    /// #     let id = CustomerId::new(&format!("C{i:02}")).unwrap();
    /// #     for d in 1..=(i % 4 + 1) as i8 {
    /// #         orders.add(Transaction::new(id.clone(), date(2026, 3, d), i.into()))?;
    /// #     }
    /// # }
    /// # let population = orders.finish()?;
    /// let statistics = ProfileStatistics::new(&population);
    /// let pipeline = PipelineBuilder::new().classifier(RfmParams::default()).build()?;
    /// let fitted = pipeline.fit_statistics(&statistics)?;
    /// assert_eq!(fitted.to_json()?, pipeline.fit(&population)?.to_json()?);
    ///
    /// // A composite score reads every profile, not order statistics:
    /// let presets::Preset::Classifier(tiers) = presets::preset("value-tiers")? else { unreachable!() };
    /// let pipeline = PipelineBuilder::new().classifier(tiers).build()?;
    /// let err = pipeline.fit_statistics(&statistics).unwrap_err();
    /// assert!(matches!(err, Error::Config(ConfigError::NeedsProfiles { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit_statistics(&self, statistics: &dyn FitStatistics) -> Result<FittedPipeline, Error> {
        let who = statistics.population();
        let fit_size = who.buyers;
        if fit_size == 0 {
            return Err(Error::EmptyPopulation { as_of: who.as_of });
        }
        self.fit_data(&FitData::from_statistics(statistics), fit_size)
    }

    /// Fits every classifier and labels the fit population by the batch definitions
    /// ([`definitions`](crate::definitions)) (for equal-count quantiles, SQL `NTILE` with
    /// the `customer_id` tiebreak).
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
        let fitted = self.fit(population)?;
        let tiering = self.label(&fitted, population)?;
        Ok((fitted, tiering))
    }

    /// Labels the population `fitted` was fitted on by the batch definitions, as
    /// [`run`](Self::run) does after its fit: for a fit made elsewhere
    /// ([`fit_statistics`](Self::fit_statistics)) on the same profiles.
    ///
    /// # Errors
    /// [`Error::Classifier`] for an application's classifier that gives the wrong number
    /// of labels.
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
    /// assert_eq!(pipeline.label(&fitted, &population)?, pipeline.run(&population)?.1);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn label(
        &self,
        fitted: &FittedPipeline,
        population: &Population,
    ) -> Result<Tiering, Error> {
        let mut batch = Vec::with_capacity(self.classifiers.len());
        for (params, model) in self.classifiers.iter().zip(&fitted.models) {
            let labels = params.batch_labels(model, population)?;
            if labels.is_some() && !params.has_batch_labels() {
                let reason = "batch_labels gave labels, but has_batch_labels says it gives none";
                return Err(Error::classifier(model.kind(), reason.to_string()));
            }
            let width = model.columns().len();
            // An application's classifier is trusted for nothing the run depends on.
            if let Some(labels) = &labels
                && labels.len() != width * population.len()
            {
                let reason = format!(
                    "batch_labels gave {} labels for {} customers and {width} columns",
                    labels.len(),
                    population.len()
                );
                return Err(Error::classifier(model.kind(), reason));
            }
            batch.push(labels);
        }
        let (tiering, wrong) = fitted.label_all(population, &batch, true);
        if let Some((i, got)) = wrong {
            let model = &fitted.models[i];
            let reason = format!(
                "classify_into gave {got} labels for {} columns",
                model.columns().len()
            );
            return Err(Error::classifier(model.kind(), reason));
        }
        Ok(tiering)
    }

    /// Whether classifying each customer of the fit population with the fitted models
    /// gives the labels [`run`](Self::run) gives: no classifier has batch labels of its
    /// own ([`Classifier::has_batch_labels`](crate::classify::Classifier::has_batch_labels);
    /// equal-count RFM scores have). Then the customers can be labelled anywhere, in any
    /// pieces, by [`FittedPipeline::classify_all`].
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{quantile::QuantileMode, rfm::RfmParams};
    /// use customer_tiering::PipelineBuilder;
    /// let tie_aware = PipelineBuilder::new().classifier(RfmParams::default()).build()?;
    /// assert!(tie_aware.labels_by_model());
    /// let equal_count = RfmParams::default().mode(QuantileMode::EqualCount);
    /// let equal_count = PipelineBuilder::new().classifier(equal_count).build()?;
    /// assert!(!equal_count.labels_by_model());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn labels_by_model(&self) -> bool {
        !self.classifiers.iter().any(AnyParams::has_batch_labels)
    }
}

impl FittedPipeline {
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
}
