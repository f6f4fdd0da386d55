//! Classifiers and models of any kind side by side: the type-erased forms a pipeline
//! holds, saves (tagged with the kind) and loads back through a [`Registry`].

use std::any::Any;
use std::fmt;

use serde::{Serialize, Serializer};

use super::{
    Classifier, Coder, Column, Explanation, FitData, HysteresisTarget, Label, MissingUse, Model,
    Reads, Wanted, Warning,
};
use crate::error::{ConfigError, Error};
use crate::profile::{Population, Profile};

/// What a pipeline needs of a classifier's settings, whatever its type.
trait DynParams: fmt::Debug + Send + Sync {
    fn kind(&self) -> &'static str;
    fn columns(&self) -> Vec<Column>;
    fn validate(&self) -> Result<(), ConfigError>;
    fn reads(&self) -> Reads;
    fn wanted(&self) -> Vec<Wanted>;
    fn fit_data(&self, data: &FitData<'_>) -> Result<AnyModel, Error>;
    fn batch_labels(
        &self,
        model: &AnyModel,
        population: &Population,
    ) -> Result<Option<Vec<Label>>, Error>;
    fn has_batch_labels(&self) -> bool;
    fn clone_box(&self) -> Box<dyn DynParams>;
    fn as_any(&self) -> &dyn Any;
    fn eq_dyn(&self, other: &dyn Any) -> bool;
    fn as_serialize(&self) -> &dyn erased_serde::Serialize;
}

impl<C: Classifier> DynParams for C {
    fn kind(&self) -> &'static str {
        C::KIND
    }
    fn columns(&self) -> Vec<Column> {
        Classifier::columns(self)
    }
    fn validate(&self) -> Result<(), ConfigError> {
        Classifier::validate(self)
    }
    fn reads(&self) -> Reads {
        Classifier::reads(self)
    }
    fn wanted(&self) -> Vec<Wanted> {
        super::builtin_wanted(self)
    }
    fn fit_data(&self, data: &FitData<'_>) -> Result<AnyModel, Error> {
        super::builtin_fit(self, data).unwrap_or_else(|| {
            let population = data.population(|| format!("classifier {:?}", C::KIND))?;
            Classifier::fit(self, population).map(AnyModel::new)
        })
    }
    fn batch_labels(
        &self,
        model: &AnyModel,
        population: &Population,
    ) -> Result<Option<Vec<Label>>, Error> {
        match model.downcast_ref::<C::Model>() {
            Some(model) => Classifier::batch_labels(self, model, population),
            None => Ok(None),
        }
    }
    fn has_batch_labels(&self) -> bool {
        Classifier::has_batch_labels(self)
    }
    fn clone_box(&self) -> Box<dyn DynParams> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn eq_dyn(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<C>() == Some(self)
    }
    fn as_serialize(&self) -> &dyn erased_serde::Serialize {
        self
    }
}

/// What a pipeline needs of a fitted model, whatever its type.
trait DynModel: fmt::Debug + Send + Sync {
    fn kind(&self) -> &'static str;
    fn params(&self) -> AnyParams;
    fn columns(&self) -> Vec<String>;
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>);
    fn explain(&self, profile: &Profile) -> Vec<Explanation>;
    fn fit_size(&self) -> usize;
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>);
    fn reports_missing(&self) -> bool;
    fn warnings(&self, population: &Population) -> Vec<Warning>;
    fn criteria(&self) -> Vec<super::criterion::Criterion>;
    fn hysteresis_targets(&self) -> Result<Vec<HysteresisTarget>, ConfigError>;
    fn rederive(&self, labels: &mut [Label]);
    fn coder(&self) -> Option<Box<dyn Coder + '_>>;
    fn clone_box(&self) -> Box<dyn DynModel>;
    fn as_any(&self) -> &dyn Any;
    fn eq_dyn(&self, other: &dyn Any) -> bool;
    fn as_serialize(&self) -> &dyn erased_serde::Serialize;
}

impl<M: Model> DynModel for M {
    fn kind(&self) -> &'static str {
        <M::Params as Classifier>::KIND
    }
    fn params(&self) -> AnyParams {
        AnyParams::new(Model::params(self).clone())
    }
    fn columns(&self) -> Vec<String> {
        Model::columns(self)
    }
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        Model::classify_into(self, profile, out);
    }
    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        Model::explain(self, profile)
    }
    fn fit_size(&self) -> usize {
        Model::fit_size(self)
    }
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        Model::missing_uses(self, profile, out);
    }
    fn reports_missing(&self) -> bool {
        Model::reports_missing(self)
    }
    fn warnings(&self, population: &Population) -> Vec<Warning> {
        Model::warnings(self, population)
    }
    fn criteria(&self) -> Vec<super::criterion::Criterion> {
        Model::criteria(self)
    }
    fn hysteresis_targets(&self) -> Result<Vec<HysteresisTarget>, ConfigError> {
        Model::hysteresis_targets(self)
    }
    fn rederive(&self, labels: &mut [Label]) {
        Model::rederive(self, labels);
    }
    fn coder(&self) -> Option<Box<dyn Coder + '_>> {
        super::coder(self)
    }
    fn clone_box(&self) -> Box<dyn DynModel> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn eq_dyn(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<M>() == Some(self)
    }
    fn as_serialize(&self) -> &dyn erased_serde::Serialize {
        self
    }
}

/// The JSON form of a value of any kind: `{"kind": "...", <the value's own fields>}`;
/// without `kind` for a default kind (rule logic's `rule_set`).
#[derive(Serialize)]
pub(crate) struct Tagged<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<&'static str>,
    #[serde(flatten)]
    pub(crate) body: &'a dyn erased_serde::Serialize,
}

/// The settings of a classifier of any kind, built in or an application's own: what
/// [`PipelineBuilder::classifier`](crate::PipelineBuilder::classifier) takes (through
/// `From`) and a [`Pipeline`](crate::Pipeline) keeps.
///
/// Serialised as the settings' own fields with a `kind` tag; a saved
/// [`Pipeline`](crate::Pipeline) loads them back by kind through a
/// [`Registry`](crate::Registry).
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, AnyParams};
/// let params = AnyParams::from(ParetoParams::abc());
/// assert_eq!(params.kind(), "pareto");
/// assert_eq!(params.downcast_ref::<ParetoParams>().unwrap().get_column(), "abc");
/// // A saved pipeline tags each classifier with its kind.
/// let json = serde_json::to_string(&params)?;
/// assert!(json.starts_with(r#"{"kind":"pareto","column":"abc","#));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub struct AnyParams(Box<dyn DynParams>);

impl AnyParams {
    /// Wraps the settings of any classifier.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, AnyParams};
    /// assert_eq!(AnyParams::new(LifecycleParams::default()).kind(), "lifecycle");
    /// ```
    pub fn new<C: Classifier>(params: C) -> Self {
        AnyParams(Box::new(params))
    }

    /// The classifier's kind ([`Classifier::KIND`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, AnyParams};
    /// assert_eq!(AnyParams::from(RfmParams::default()).kind(), "rfm");
    /// ```
    pub fn kind(&self) -> &'static str {
        self.0.kind()
    }

    /// The output columns with their labels ([`Classifier::columns`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, AnyParams};
    /// assert_eq!(AnyParams::from(ParetoParams::metals()).columns()[0].name, "metal");
    /// ```
    pub fn columns(&self) -> Vec<Column> {
        self.0.columns()
    }

    /// Checks the settings ([`Classifier::validate`]).
    ///
    /// # Errors
    /// The classifier's [`ConfigError`].
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, AnyParams};
    /// assert!(AnyParams::from(RfmParams::default().bins(1)).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.0.validate()
    }

    /// What the classifier reads ([`Classifier::reads`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, AnyParams};
    /// use customer_tiering::Metric;
    /// assert_eq!(AnyParams::from(ParetoParams::metals()).reads().metrics, [Metric::Monetary]);
    /// ```
    pub fn reads(&self) -> Reads {
        self.0.reads()
    }

    /// The settings as their own type, when they are of type `C`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams, AnyParams};
    /// let params = AnyParams::from(RfmParams::default());
    /// assert_eq!(params.downcast_ref::<RfmParams>().unwrap().get_bins(), 5);
    /// assert!(params.downcast_ref::<ParetoParams>().is_none());
    /// ```
    pub fn downcast_ref<C: Classifier>(&self) -> Option<&C> {
        self.0.as_any().downcast_ref::<C>()
    }

    /// The columns a built-in classifier fits on.
    pub(crate) fn wanted(&self) -> Vec<Wanted> {
        self.0.wanted()
    }

    /// Fits on columns read already (as [`Classifier::fit`] on their population).
    pub(crate) fn fit_data(&self, data: &FitData<'_>) -> Result<AnyModel, Error> {
        self.0.fit_data(data)
    }

    /// The batch labels of the fit population, where they differ from the model's
    /// ([`Classifier::batch_labels`]); `model` is what [`fit`](Self::fit) gave.
    pub(crate) fn batch_labels(
        &self,
        model: &AnyModel,
        population: &Population,
    ) -> Result<Option<Vec<Label>>, Error> {
        self.0.batch_labels(model, population)
    }

    /// Whether its batch labels may differ from its model's
    /// ([`Classifier::has_batch_labels`]).
    pub(crate) fn has_batch_labels(&self) -> bool {
        self.0.has_batch_labels()
    }
}

impl<C: Classifier> From<C> for AnyParams {
    fn from(params: C) -> Self {
        AnyParams::new(params)
    }
}

impl Clone for AnyParams {
    fn clone(&self) -> Self {
        AnyParams(self.0.clone_box())
    }
}

impl PartialEq for AnyParams {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_dyn(other.0.as_any())
    }
}

impl fmt::Debug for AnyParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for AnyParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Tagged {
            kind: Some(self.kind()),
            body: self.0.as_serialize(),
        }
        .serialize(serializer)
    }
}

/// A fitted model of any kind, built in or an application's own: what a
/// [`FittedPipeline`](crate::FittedPipeline) holds, saves (tagged with its kind) and
/// loads back through a [`Registry`](crate::Registry).
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::{ParetoModel, ParetoParams}, AnyModel, Classifier};
/// use customer_tiering::PipelineBuilder;
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
/// let model: &AnyModel = &fitted.models()[0];
/// assert_eq!((model.kind(), model.columns()), ("pareto", vec!["metal".to_string()]));
/// let metals = model.downcast_ref::<ParetoModel>().unwrap();
/// assert_eq!(metals.thresholds(), [100, 96, 81].map(Decimal::from)); // platinum, gold, iron
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub struct AnyModel(Box<dyn DynModel>);

impl AnyModel {
    /// Wraps a fitted model of any classifier.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, AnyModel, Classifier};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let model = AnyModel::new(ParetoParams::abc().fit(&population)?);
    /// assert_eq!(model.kind(), "pareto");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new<M: Model>(model: M) -> Self {
        AnyModel(Box::new(model))
    }

    /// The kind of the classifier that fitted it.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, AnyModel, Classifier};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// assert_eq!(AnyModel::new(RfmParams::default().fit(&population)?).kind(), "rfm");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn kind(&self) -> &'static str {
        self.0.kind()
    }

    /// The settings the model was fitted with.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, AnyModel, AnyParams, Classifier};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let model = AnyModel::new(ParetoParams::abc().fit(&population)?);
    /// assert_eq!(model.params(), AnyParams::from(ParetoParams::abc()));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn params(&self) -> AnyParams {
        self.0.params()
    }

    /// The output columns, in order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, AnyModel, Classifier};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let rfm = AnyModel::new(RfmParams::default().fit(&population)?);
    /// assert_eq!(rfm.columns(), ["r", "f", "m", "rfm_segment"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> Vec<String> {
        self.0.columns()
    }

    /// Appends one label per column for `profile` ([`Model::classify_into`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, AnyModel, Classifier, Label};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let abc = AnyModel::new(ParetoParams::abc().fit(&population)?);
    /// let mut out = Vec::new();
    /// abc.classify_into(population.get("A").unwrap(), &mut out);
    /// assert_eq!(out, [Label::Name("a".into())]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        self.0.classify_into(profile, out);
    }

    /// Why `profile` gets each label ([`Model::explain`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, AnyModel, Classifier, Label};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let abc = AnyModel::new(ParetoParams::abc().fit(&population)?);
    /// let why = abc.explain(population.get("A").unwrap());
    /// assert_eq!((why[0].column(), why[0].label()), ("abc", &Label::Name("a".into())));
    /// assert!(why[0].to_string().starts_with("abc = a: "));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        self.0.explain(profile)
    }

    /// The size of the population the model was fitted on.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, AnyModel, Classifier};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// assert_eq!(AnyModel::new(ParetoParams::abc().fit(&population)?).fit_size(), 1);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fit_size(&self) -> usize {
        self.0.fit_size()
    }

    /// The model as its own type, when it is of type `M`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::rfm::{RfmModel, RfmParams};
    /// use customer_tiering::classify::{AnyModel, Classifier};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let model = AnyModel::new(RfmParams::default().fit(&population)?);
    /// let rfm: &RfmModel = model.downcast_ref().unwrap();
    /// assert_eq!(rfm.scores(population.get("A").unwrap()), Some([1, 1, 1]));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn downcast_ref<M: Model>(&self) -> Option<&M> {
        self.0.as_any().downcast_ref::<M>()
    }

    pub(crate) fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        self.0.missing_uses(profile, out);
    }

    pub(crate) fn reports_missing(&self) -> bool {
        self.0.reports_missing()
    }

    pub(crate) fn warnings(&self, population: &Population) -> Vec<Warning> {
        self.0.warnings(population)
    }

    pub(crate) fn hysteresis_targets(&self) -> Result<Vec<HysteresisTarget>, ConfigError> {
        self.0.hysteresis_targets()
    }

    /// The model's [criteria](Model::criteria).
    pub(crate) fn criteria(&self) -> Vec<super::criterion::Criterion> {
        self.0.criteria()
    }

    pub(crate) fn rederive(&self, labels: &mut [Label]) {
        self.0.rederive(labels);
    }

    /// The fast path of labelling many customers, for a built-in model.
    pub(crate) fn coder(&self) -> Option<Box<dyn Coder + '_>> {
        self.0.coder()
    }
}

impl Clone for AnyModel {
    fn clone(&self) -> Self {
        AnyModel(self.0.clone_box())
    }
}

impl PartialEq for AnyModel {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_dyn(other.0.as_any())
    }
}

impl fmt::Debug for AnyModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for AnyModel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Tagged {
            kind: Some(self.kind()),
            body: self.0.as_serialize(),
        }
        .serialize(serializer)
    }
}
