//! Classifiers: settings → [`fit`](Classifier::fit) on a population → a fitted
//! [`Model`] → [`classify`](Model::classify_into) any profile, new customers included.
//!
//! Every built-in classifier has plain-data settings (`RfmParams`, `ParetoParams`) and
//! a fitted model of its own type that keeps a copy of them. `classify` cannot fail: all
//! that can go wrong is found in `fit` or when a model is loaded. A customer a
//! classifier cannot score gets [`Label::Unscored`] with the reason, never a made-up
//! label.
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::{pareto::ParetoParams, Classifier, Label, Model, Unscored};
//! use customer_tiering::{CustomerId, PopulationBuilder, Profile, Transaction};
//! use jiff::civil::date;
//! use rust_decimal::dec;
//!
//! let mut builder = PopulationBuilder::new(date(2026, 3, 31));
//! for (id, amount) in [("C1", dec!(900.00)), ("C2", dec!(60.00)), ("C3", dec!(40.00))] {
//!     builder.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 2), amount))?;
//! }
//! let population = builder.finish()?;
//!
//! let model = ParetoParams::metals().fit(&population)?; // settings → fitted model
//! let prospect = Profile::without_purchases(CustomerId::new("P1").unwrap());
//! let mut labels = Vec::new();
//! for profile in [population.get("C1").unwrap(), population.get("C2").unwrap(), &prospect] {
//!     model.classify_into(profile, &mut labels);
//! }
//! assert_eq!(labels, [
//!     Label::Name("platinum".into()),
//!     Label::Name("lead".into()),
//!     Label::Unscored(Unscored::NoPurchases), // never a made-up label
//! ]);
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::error::{ConfigError, Error};
use crate::population::Columns;
use crate::profile::{Metric, Population, Profile};

mod any;
mod band;
mod column;
mod counted;
mod fit_data;
mod level;
mod order;
mod warning;

pub(crate) use any::Tagged;
pub use any::{AnyModel, AnyParams};
pub use column::{Column, ColumnLabels, Reads};
pub use explain::{Explanation, Reason};
pub(crate) use fit_data::{FitData, Wanted};
pub use warning::Warning;
pub(crate) use warning::single_value;

pub mod composite;
pub mod criterion;
pub mod explain;
pub mod grade;
pub mod lifecycle;
pub mod missing;
pub mod pareto;
pub mod quantile;
pub mod rfm;
pub mod segments;
pub mod statistics;

/// One column's label for one customer.
///
/// # Example
/// ```
/// use customer_tiering::classify::{Label, Unscored};
/// let labels = [
///     Label::Score(5),
///     Label::Name("platinum".into()),
///     Label::Unscored(Unscored::NoPurchases),
/// ];
/// let shown: Vec<String> = labels.iter().map(ToString::to_string).collect();
/// assert_eq!(shown, ["5", "platinum", "(unscored: no purchase on or before the as-of date)"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// A quantile score, 1 = worst.
    Score(u8),
    /// A named band or segment (`platinum`, `champions`).
    Name(SmolStr),
    /// No label, and why.
    Unscored(Unscored),
}

impl Label {
    /// The label as it is written to a CSV cell: the score, the name, or empty.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Label, Unscored};
    /// assert_eq!(Label::Score(4).as_cell(), "4");
    /// assert_eq!(Label::Unscored(Unscored::NoPurchases).as_cell(), "");
    /// ```
    pub fn as_cell(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Label::Score(s) => s.to_string().into(),
            Label::Name(name) => name.as_str().into(),
            Label::Unscored(_) => "".into(),
        }
    }

    /// Whether the customer got a label.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Label, Unscored};
    /// assert!(Label::Name("gold".into()).is_scored());
    /// assert!(!Label::Unscored(Unscored::MissingMetric).is_scored());
    /// ```
    pub fn is_scored(&self) -> bool {
        !matches!(self, Label::Unscored(_))
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Unscored(why) => write!(f, "(unscored: {why})"),
            other => f.write_str(&other.as_cell()),
        }
    }
}

/// Why a customer has no label.
///
/// # Example
/// ```
/// use customer_tiering::classify::{rfm::RfmParams, Classifier, Label, Model, Unscored};
/// use customer_tiering::{CustomerId, Profile};
/// # use customer_tiering::{PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=5i8 {
/// #     for day in 1..=i {
/// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
/// #     }
/// # }
/// # let population = builder.finish()?;
/// let model = RfmParams::default().fit(&population)?;
/// let prospect = Profile::without_purchases(CustomerId::new("P1").unwrap());
/// let mut labels = Vec::new();
/// model.classify_into(&prospect, &mut labels);
/// assert_eq!(labels, [const { Label::Unscored(Unscored::NoPurchases) }; 4]);
/// assert_eq!(Unscored::NoPurchases.to_string(), "no purchase on or before the as-of date");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unscored {
    /// No purchase on or before the as-of date: not in the scored population ([profile
    /// metrics](crate::definitions#profile-metrics)).
    NoPurchases,
    /// The metric the classifier ranks by has no value for this customer.
    MissingMetric,
    /// No segment map applies (for example, its bins differ from the scores').
    NoSegmentMap,
    /// No tier rule matched, and the rule set leaves such customers without a tier.
    NoRuleMatched,
    /// An application's classifier's own reason, in its words
    /// ([`Unscored::other`]`("no CRM record")`). Boxed, so that a label stays as small as
    /// a name (24 bytes).
    Other(Box<SmolStr>),
}

impl Unscored {
    /// An application's own reason for no label.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Label, Unscored};
    /// let why = Unscored::other("no CRM record");
    /// assert_eq!(Label::Unscored(why).to_string(), "(unscored: no CRM record)");
    /// assert_eq!(std::mem::size_of::<Label>(), 24); // a label is as small as a name
    /// ```
    pub fn other(reason: &str) -> Self {
        Unscored::Other(Box::new(SmolStr::new(reason)))
    }
}

impl fmt::Display for Unscored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unscored::NoPurchases => "no purchase on or before the as-of date",
            Unscored::MissingMetric => "the metric has no value for this customer",
            Unscored::NoSegmentMap => "no segment map for these scores",
            Unscored::NoRuleMatched => "no tier rule matched",
            Unscored::Other(reason) => reason.as_str(),
        })
    }
}

/// Settings that fit a [`Model`] on a population: one kind of classifier.
///
/// Every classifier, built in or an application's own, is a pair of plain-data types:
/// settings implementing `Classifier` and the fitted model implementing [`Model`]. Both
/// are serde types: a pipeline saves them in `model.json` under the classifier's
/// [`KIND`](Classifier::KIND) and loads them back through a
/// [`Registry`](crate::Registry) that knows the kind. Everything a pipeline needs to know of a
/// classifier comes through these two traits — its columns and their labels, what it
/// reads, its warnings, its explanations — so an application's classifier joins a
/// [`PipelineBuilder`](crate::PipelineBuilder) and behaves exactly like the built-ins.
///
/// # Example
///
/// A churn-risk flag written by an application (see the crate guide's "Your own
/// classifier" for the whole round trip):
///
/// ```
/// use customer_tiering::classify::{Classifier, Column, ColumnLabels, Explanation, Label, Model, Reads, Unscored};
/// use customer_tiering::{CustomerId, Error, Metric, PipelineBuilder, Population, Profile};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// struct ChurnRisk { days: i64 }
///
/// #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// struct ChurnModel { params: ChurnRisk, fit_size: usize }
///
/// impl Classifier for ChurnRisk {
///     type Model = ChurnModel;
///     const KIND: &'static str = "churn_risk";
///     fn columns(&self) -> Vec<Column> {
///         vec![Column::new("churn", ColumnLabels::ordered(vec!["safe".into(), "at_risk".into()]))]
///     }
///     fn reads(&self) -> Reads {
///         Reads::metrics([Metric::RecencyDays])
///     }
///     fn fit(&self, population: &Population) -> Result<ChurnModel, Error> {
///         Ok(ChurnModel { params: self.clone(), fit_size: population.buyers().count() })
///     }
/// }
///
/// impl Model for ChurnModel {
///     type Params = ChurnRisk;
///     fn params(&self) -> &ChurnRisk { &self.params }
///     fn fit_size(&self) -> usize { self.fit_size }
///     fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
///         out.push(match profile.recency_days {
///             Some(days) if days > self.params.days => Label::Name("at_risk".into()),
///             Some(_) => Label::Name("safe".into()),
///             None => Label::Unscored(Unscored::NoPurchases),
///         });
///     }
///     fn explain(&self, profile: &Profile) -> Vec<Explanation> {
///         let Some(days) = profile.recency_days else {
///             return vec![Explanation::unscored("churn", Unscored::NoPurchases)];
///         };
///         let mut label = Vec::new();
///         self.classify_into(profile, &mut label);
///         let why = format!("last order {days} days ago, against {} days", self.params.days);
///         vec![Explanation::text("churn", label.remove(0), why)]
///     }
/// }
///
/// let pipeline = PipelineBuilder::new().classifier(ChurnRisk { days: 90 }).build()?;
/// assert_eq!(pipeline.columns(), ["churn"]);
///
/// let model = ChurnModel { params: ChurnRisk { days: 90 }, fit_size: 1 };
/// let mut quiet = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// quiet.recency_days = Some(120);
/// let why = model.explain(&quiet);
/// assert_eq!(why[0].to_string(), "churn = at_risk: last order 120 days ago, against 90 days");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub trait Classifier:
    fmt::Debug + Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The fitted model.
    type Model: Model<Params = Self>;

    /// The kind's name: `model.json` tags each model with it, and a [`Registry`](crate::Registry) finds
    /// the types to load by it. Lower snake case, unique in a registry (the built-ins
    /// are `rfm`, `pareto`, `grade`, `lifecycle` and `composite`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams, Classifier};
    /// assert_eq!((RfmParams::KIND, ParetoParams::KIND), ("rfm", "pareto"));
    /// ```
    const KIND: &'static str;

    /// The output columns, in order, with the labels each can take: what rule sets are
    /// checked against, and what orders a migration.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier, ColumnLabels};
    /// let columns = RfmParams::default().columns();
    /// let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    /// assert_eq!(names, ["r", "f", "m", "rfm_segment"]);
    /// assert_eq!(columns[0].labels, ColumnLabels::Scores(5));
    /// ```
    fn columns(&self) -> Vec<Column>;

    /// Checks the settings; a pipeline calls it when it is built and when it is loaded.
    /// The default accepts any settings.
    ///
    /// # Errors
    /// A [`ConfigError`] saying what cannot work.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier};
    /// assert!(RfmParams::default().validate().is_ok());
    /// assert_eq!(
    ///     RfmParams::default().bins(11).validate().unwrap_err().to_string(),
    ///     "bins must be in 2..=10, got 11"
    /// );
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }

    /// The metrics and attributes the classifier reads. The default, every metric and
    /// no attribute, is always safe; saying less lets a pipeline skip work (`growth`).
    /// It must name every metric the model reads: a live
    /// [`TieringState`](crate::incremental::TieringState) computes `growth` only when
    /// something in its pipeline says it reads it, so a model that reads it without
    /// saying so sees none there, and its live labels differ from the batch ones.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier};
    /// let reads = LifecycleParams::default().reads();
    /// assert_eq!(reads.attributes, ["status"]);
    /// ```
    fn reads(&self) -> Reads {
        Reads::default()
    }

    /// Validates the settings, then fits on the buyers of `population`.
    ///
    /// # Errors
    /// [`Error::Config`] for unusable settings (a composite whose exact fraction would
    /// pass 128 bits on this population included); [`Error::EmptyPopulation`] when no
    /// customer bought anything, for the classifiers that rank buyers (RFM, Pareto,
    /// composite); grade and lifecycle fit on any population; [`Error::Overflow`] naming
    /// the column when a value-basis Pareto total leaves the decimal range.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier, Model};
    /// use customer_tiering::{Error, PopulationBuilder};
    /// use jiff::civil::date;
    /// # use customer_tiering::{CustomerId, Transaction};
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// let model = RfmParams::default().fit(&population)?;
    /// assert_eq!(model.fit_size(), 5);
    ///
    /// let nobody = PopulationBuilder::new(date(2026, 3, 31)).finish()?;
    /// assert!(matches!(RfmParams::default().fit(&nobody), Err(Error::EmptyPopulation { .. })));
    /// assert!(matches!(RfmParams::default().bins(11).fit(&population), Err(Error::Config(_))));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn fit(&self, population: &Population) -> Result<Self::Model, Error>;

    /// The labels of the fit population by the batch definition
    /// ([`definitions`](crate::definitions)), where it differs from classifying each
    /// customer with `model` (row-major: one label per column per customer, customers in
    /// population order); none where it does not.
    ///
    /// A pipeline's [`run`](crate::Pipeline::run) labels the population it fitted on with
    /// these; everything else (and the run too, for none) classifies each customer with
    /// the fitted model. The default: none. A classifier whose batch definition differs
    /// from its model (equal-count quantiles, SQL `NTILE`) overrides it.
    ///
    /// # Errors
    /// As [`fit`](Classifier::fit).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{quantile::QuantileMode, rfm::RfmParams, Classifier, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for id in ["C1", "C2", "C3", "C4", "C5"] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     builder.add(Transaction::new(id, date(2026, 3, 1), rust_decimal::dec!(10.00)))?;
    /// # }
    /// # let population = builder.finish()?;
    /// // C1..C5 made one identical purchase each: every value ties.
    /// let params = RfmParams::default().mode(QuantileMode::EqualCount);
    /// let model = params.fit(&population)?;
    /// let labels = params.batch_labels(&model, &population)?.expect("NTILE differs");
    /// // Row-major: r, f, m, rfm_segment per customer. SQL NTILE splits the tie by id …
    /// let f: Vec<String> = labels.chunks(4).map(|row| row[1].to_string()).collect();
    /// assert_eq!(f, ["1", "2", "3", "4", "5"]);
    /// // … but the model cannot see ids: it scores all tied customers alike.
    /// assert_eq!(model.scores(population.get("C5").unwrap()), Some([1, 1, 1]));
    /// // Tie-aware scores are the model's own: no batch labels of their own.
    /// let tie_aware = RfmParams::default();
    /// assert_eq!(tie_aware.batch_labels(&tie_aware.fit(&population)?, &population)?, None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn batch_labels(
        &self,
        model: &Self::Model,
        population: &Population,
    ) -> Result<Option<Vec<Label>>, Error> {
        let _ = (model, population);
        Ok(None)
    }

    /// Whether [`batch_labels`](Classifier::batch_labels) may give labels of its own for
    /// some population: a classifier that overrides it overrides this too. The default:
    /// no.
    ///
    /// What labels customers in pieces, without the whole fit population in view (an
    /// engine's partitions), can give a run's labels only where every classifier says no
    /// ([`Pipeline::labels_by_model`](crate::Pipeline::labels_by_model));
    /// [`Pipeline::run`](crate::Pipeline::run) refuses batch labels from a classifier that
    /// says no.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{quantile::QuantileMode, rfm::RfmParams, Classifier};
    /// assert!(!RfmParams::default().has_batch_labels()); // tie-aware: the model's own
    /// assert!(RfmParams::default().mode(QuantileMode::EqualCount).has_batch_labels());
    /// ```
    fn has_batch_labels(&self) -> bool {
        false
    }
}

/// A fitted model: classifies any profile without refitting, and says why.
///
/// The model keeps a copy of its settings ([`params`](Model::params)), so a saved
/// pipeline can be refitted on later data. Only [`classify_into`](Model::classify_into),
/// [`explain`](Model::explain), [`params`](Model::params) and
/// [`fit_size`](Model::fit_size) are required; the rest have defaults for a classifier
/// with nothing to say. A pipeline holds models of different kinds side by side as
/// [`AnyModel`]s.
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams, AnyModel, Classifier};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=5i8 {
/// #     for day in 1..=i {
/// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
/// #     }
/// # }
/// # let population = builder.finish()?;
/// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
/// let models = [
///     AnyModel::new(RfmParams::default().fit(&population)?),
///     AnyModel::new(ParetoParams::metals().fit(&population)?),
/// ];
/// let c5 = population.get("C5").unwrap();
/// let mut labels = Vec::new();
/// for model in &models {
///     model.classify_into(c5, &mut labels);
/// }
/// let row: Vec<String> = labels.iter().map(ToString::to_string).collect();
/// assert_eq!(row, ["5", "5", "5", "champions", "platinum"]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub trait Model:
    fmt::Debug + Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The settings type.
    type Params: Classifier<Model = Self>;

    /// The settings the model was fitted with.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let model = ParetoParams::abc().fit(&population)?;
    /// assert_eq!(model.params(), &ParetoParams::abc());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn params(&self) -> &Self::Params;

    /// The output columns, in order (`["r", "f", "m", "rfm_segment"]`, `["metal"]`):
    /// by default, the names of the settings' [`columns`](Classifier::columns).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams, Classifier, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// let rfm = RfmParams::default().fit(&population)?;
    /// assert_eq!(rfm.columns(), ["r", "f", "m", "rfm_segment"]);
    /// assert_eq!(ParetoParams::abc().fit(&population)?.columns(), ["abc"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn columns(&self) -> Vec<String> {
        self.params()
            .columns()
            .into_iter()
            .map(|c| c.name)
            .collect()
    }

    /// Appends one label per column for `profile`. It cannot fail: all that can go
    /// wrong is found in `fit` or when the model is loaded; a customer the model cannot
    /// score gets [`Label::Unscored`] with the reason.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
    /// let model = ParetoParams::metals().fit(&population)?;
    /// let mut labels = Vec::new();
    /// for profile in population.profiles() {
    ///     model.classify_into(profile, &mut labels);
    /// }
    /// let metals: Vec<String> = labels.iter().map(ToString::to_string).collect();
    /// assert_eq!(metals, ["lead", "lead", "lead", "lead", "platinum"]); // C1..C5
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>);

    /// Why `profile` gets its label, one [`Explanation`] per column
    /// ([explanations](crate::definitions#explanations)): the values, and the cut points or
    /// thresholds they were compared with, as values; `Display` writes each as one line of
    /// English. An application's classifier says it in its own words with
    /// [`Explanation::text`] (and [`Explanation::unscored`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model, Reason};
    /// use rust_decimal::dec;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
    /// let model = ParetoParams::metals().fit(&population)?;
    /// let why = model.explain(population.get("C4").unwrap());
    /// assert_eq!((why.len(), why[0].column()), (1, "metal"));
    /// let Reason::Band { value, short_of: Some(iron), .. } = why[0].reason() else { panic!() };
    /// assert_eq!((*value, iron.band.as_str(), iron.value), (dec!(40.00), "iron", dec!(50.00)));
    /// let line = "metal = lead: monetary 40.00 is below the iron threshold 50.00";
    /// assert!(why[0].to_string().starts_with(line), "{}", why[0]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn explain(&self, profile: &Profile) -> Vec<Explanation>;

    /// The size of the population the model was fitted on.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::Attributes;
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier, Model};
    /// use customer_tiering::CustomerId;
    /// # use customer_tiering::{PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     builder.add(Transaction::new(id, date(2026, 3, i), rust_decimal::dec!(10.00)))?;
    /// # }
    /// // five buyers C1..C5, and P1 from a customers file, who never bought
    /// let known = [(CustomerId::new("P1").unwrap(), Attributes::default())];
    /// let population = builder.finish_with(known)?;
    /// let model = RfmParams::default().fit(&population)?;
    /// assert_eq!((population.len(), model.fit_size()), (6, 5));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn fit_size(&self) -> usize;

    /// Checks a model read from a file: its settings and its own invariants (cut
    /// points in order, one per boundary …). A pipeline calls it for every model it
    /// loads, so a loaded model can always classify. The default checks the settings.
    ///
    /// # Errors
    /// A [`ConfigError`] naming what is inconsistent.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::{RfmModel, RfmParams}, Classifier, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// let mut json = serde_json::to_value(RfmParams::default().fit(&population)?)?;
    /// json["params"]["mode"] = "equal-count".into(); // hand-edited: the cut points are tie-aware
    /// let tampered: RfmModel = serde_json::from_value(json)?;
    /// assert!(tampered.validate().unwrap_err().to_string().contains("other bins or mode"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        self.params().validate()
    }

    /// Appends where a missing-data policy stepped in for `profile` ([missing
    /// data](crate::definitions#missing-data)), for the run summary. The default: nowhere.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{missing::MissingPolicy, pareto::ParetoParams};
    /// use customer_tiering::classify::{Classifier, Model};
    /// use customer_tiering::Metric;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # use rust_decimal::dec;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # let (a, b) = (CustomerId::new("A").unwrap(), CustomerId::new("B").unwrap());
    /// builder.add(Transaction::new(a, date(2026, 3, 1), dec!(10.00)).with_profit(dec!(3.00)))?;
    /// builder.add(Transaction::new(b, date(2026, 3, 1), dec!(10.00)))?; // no profit
    /// # let population = builder.finish()?;
    /// let fill_zero = MissingPolicy::Fill { value: dec!(0) };
    /// let params = ParetoParams::metals().metric(Metric::Profit).missing(fill_zero);
    /// let model = params.fit(&population)?;
    /// let mut uses = Vec::new();
    /// model.missing_uses(population.get("A").unwrap(), &mut uses);
    /// model.missing_uses(population.get("B").unwrap(), &mut uses);
    /// assert_eq!(uses.len(), 1); // B only: A has a profit of its own
    /// assert_eq!((uses[0].source.as_str(), uses[0].policy.as_str()), ("profit", "fill"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        let _ = (profile, out);
    }

    /// Whether [`missing_uses`](Self::missing_uses) can report anything at all: a model
    /// that answers `false` is not asked customer by customer (a million profiles are
    /// not made for nothing). The default, `true`, is always correct.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{missing::MissingPolicy, pareto::ParetoParams};
    /// use customer_tiering::classify::{Classifier, Model};
    /// use customer_tiering::{Metric, PopulationBuilder, CustomerId, Transaction};
    /// use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("A")?, date(2026, 3, 1), 10.into()))?;
    /// let population = builder.finish()?;
    /// // Every buyer has a monetary value; a profit may be missing.
    /// let by_value = ParetoParams::metals().fit(&population)?;
    /// let fill = MissingPolicy::Fill { value: 0.into() };
    /// let by_profit = ParetoParams::metals().metric(Metric::Profit).missing(fill).fit(&population)?;
    /// assert!(!by_value.reports_missing() && by_profit.reports_missing());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn reports_missing(&self) -> bool {
        true
    }

    /// The [warnings](crate::definitions#warnings) this model calls for on its
    /// fit population: legal data that makes its labels meaningless (an empty band, a
    /// single value). The default: none.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("A", 60), ("B", 10)] {
    /// #     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// // Two buyers: gold and iron hold nobody.
    /// let model = ParetoParams::metals().fit(&population)?;
    /// let codes: Vec<&str> = model.warnings(&population).iter().map(|w| w.code).collect();
    /// assert_eq!(codes, ["empty_band", "empty_band"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn warnings(&self, population: &Population) -> Vec<Warning> {
        let _ = population;
        Vec::new()
    }

    /// What puts a customer under each label of each of the model's columns, from the
    /// fitted state, for the management table: one [`Criterion`](criterion::Criterion)
    /// per column and label the model knows of. The default: none, and the table's
    /// criterion cells stay empty.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
    /// use customer_tiering::names::Lang;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     b.add(Transaction::new(CustomerId::new(&format!("C{i:03}")).unwrap(), date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// // Spend 1..=100: the best customer is platinum, the next four gold.
    /// let criteria = ParetoParams::metals().fit(&population)?.criteria();
    /// let said: Vec<String> = criteria.iter().map(|c| c.rule.render(Lang::En)).collect();
    /// assert_eq!(said, ["monetary ≥ 100", "96 ≤ monetary < 100", "81 ≤ monetary < 96", "monetary < 81"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn criteria(&self) -> Vec<criterion::Criterion> {
        Vec::new()
    }

    /// The columns [hysteresis](crate::definitions#hysteresis) may hold back,
    /// with the positions that define them. The default: none, so the model's labels are
    /// always the raw ones.
    ///
    /// # Errors
    /// A [`ConfigError`] when the settings rule hysteresis out (equal-count scores).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let metals = ParetoParams::metals().fit(&population)?;
    /// assert_eq!(metals.hysteresis_targets()?.len(), 1);
    /// let abc = ParetoParams::abc().fit(&population)?; // value basis: no positions
    /// assert!(abc.hysteresis_targets()?.is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn hysteresis_targets(&self) -> Result<Vec<HysteresisTarget>, ConfigError> {
        Ok(Vec::new())
    }

    /// Works out again the columns that follow from the model's other columns, after
    /// hysteresis changed some of them: `labels` are this model's labels of one customer,
    /// in column order. The default: nothing follows (RFM's segment follows its scores).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier, Label, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let rfm = RfmParams::default().fit(&population)?;
    /// let mut row = vec![Label::Score(5), Label::Score(5), Label::Score(5), Label::Name("lost".into())];
    /// rfm.rederive(&mut row);
    /// assert_eq!(row[3], Label::Name("champions".into()));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn rederive(&self, labels: &mut [Label]) {
        let _ = labels;
    }
}

/// A column [hysteresis](crate::definitions#hysteresis) applies to, and how a
/// customer's position in it is defined.
///
/// # Example
/// ```
/// use customer_tiering::classify::{rfm::RfmParams, Classifier, HysteresisTarget, Model};
/// use customer_tiering::Metric;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
/// # let population = b.finish()?;
/// let targets = RfmParams::default().fit(&population)?.hysteresis_targets()?;
/// let HysteresisTarget::Score { column, bins, metric } = &targets[0] else { panic!() };
/// assert_eq!((column.as_str(), *bins, *metric), ("r", 5, Metric::RecencyDays));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HysteresisTarget {
    /// A tie-aware quantile score `1 + floor(k·L/n)` of a metric (its default
    /// direction): the position is `L/n`, the share of buyers strictly worse.
    Score {
        /// The column.
        column: String,
        /// `k`.
        bins: u8,
        /// The metric ranked.
        metric: Metric,
    },
    /// A count-basis band: the first band `b` with `p < c_b·n`; the position is `p/n`,
    /// the share of buyers strictly better.
    Band {
        /// The column.
        column: String,
        /// The cumulative shares `c_b` of every band but the last, best first.
        cumulative: Vec<rust_decimal::Decimal>,
        /// The metric ranked.
        metric: Metric,
        /// Which way the metric is better.
        direction: crate::profile::Direction,
        /// The bands' labels, best first.
        labels: Vec<SmolStr>,
    },
}

impl HysteresisTarget {
    /// The column it applies to.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// # let population = b.finish()?;
    /// let targets = ParetoParams::metals().fit(&population)?.hysteresis_targets()?;
    /// assert_eq!(targets[0].column(), "metal");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn column(&self) -> &str {
        match self {
            HysteresisTarget::Score { column, .. } | HysteresisTarget::Band { column, .. } => {
                column
            }
        }
    }
}

/// One customer a missing-data policy ([missing data](crate::definitions#missing-data))
/// stepped in for.
///
/// # Example
/// ```
/// use customer_tiering::classify::{missing::MissingPolicy, pareto::ParetoParams};
/// use customer_tiering::classify::{Classifier, MissingUse, Model};
/// use customer_tiering::Metric;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # use rust_decimal::dec;
/// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// # let (a, b) = (CustomerId::new("A").unwrap(), CustomerId::new("B").unwrap());
/// builder.add(Transaction::new(a, date(2026, 3, 1), dec!(10.00)).with_profit(dec!(3.00)))?;
/// builder.add(Transaction::new(b, date(2026, 3, 1), dec!(10.00)))?; // no profit
/// # let population = builder.finish()?;
/// let fill_zero = MissingPolicy::Fill { value: dec!(0) };
/// let params = ParetoParams::metals().metric(Metric::Profit).missing(fill_zero);
/// let model = params.fit(&population)?;
/// let mut uses = Vec::new();
/// model.missing_uses(population.get("A").unwrap(), &mut uses);
/// model.missing_uses(population.get("B").unwrap(), &mut uses);
/// let policy = "fill".to_string();
/// let want = MissingUse { column: "metal".into(), source: "profit".into(), policy };
/// assert_eq!(uses, [want]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MissingUse {
    /// The classifier's column.
    pub column: String,
    /// The metric or attribute that had no value.
    pub source: String,
    /// The policy that stepped in (`exclude`, `fill`, `fill_median` …).
    pub policy: String,
}

/// The fast path of labelling a population with a built-in model: each customer's
/// labels as indexes into fixed lists, one list per column, without building a
/// [`Label`]. It gives exactly the labels [`Model::classify_into`] gives (a test holds
/// every built-in to that); an application's model takes the general path.
pub(crate) trait Coder: Sync {
    /// Per column of the model, the labels the codes index.
    fn labels(&self) -> Vec<Vec<Label>>;
    /// One code per column of the model.
    fn code(&self, profile: &Profile, out: &mut [u32]);

    /// The codes of consecutive profiles, appended per column: `out[c]` gets column
    /// `c`'s (a loop the compiler sees through, once per model and block rather than a
    /// call per customer).
    fn codes(&self, profiles: &[Profile], out: &mut [Vec<u32>]) {
        let mut one = [0u32; 16];
        let mut many = Vec::new();
        let row: &mut [u32] = if out.len() <= one.len() {
            &mut one[..out.len()]
        } else {
            many.resize(out.len(), 0);
            &mut many
        };
        for profile in profiles {
            self.code(profile, row);
            for (column, code) in out.iter_mut().zip(row.iter()) {
                column.push(*code);
            }
        }
    }

    /// [`codes`](Self::codes) of the customers `range` of a population, read from its
    /// columns. By default their profiles are made into `block` (a buffer kept between
    /// calls) first; a coder that reads only a few metrics reads their columns instead.
    fn codes_at(
        &self,
        customers: &Columns,
        range: std::ops::Range<usize>,
        block: &mut Vec<Profile>,
        out: &mut [Vec<u32>],
    ) {
        customers.fill(range, block);
        self.codes(block, out);
    }
}

/// The [`Coder`] of a built-in model (none for other models), made once per
/// population: it holds what the model's settings say in the form a million customers
/// want (integer cut points, lookup tables).
pub(crate) fn coder(model: &dyn std::any::Any) -> Option<Box<dyn Coder + '_>> {
    if let Some(m) = model.downcast_ref::<rfm::RfmModel>() {
        return Some(Box::new(m.coder()));
    }
    if let Some(m) = model.downcast_ref::<pareto::ParetoModel>() {
        return Some(Box::new(m.coder()));
    }
    if let Some(m) = model.downcast_ref::<grade::GradeModel>() {
        return Some(Box::new(m.coder()));
    }
    None
}

/// The columns a built-in classifier fits on (none for other classifiers), so that a
/// pipeline reads them all in one pass.
pub(crate) fn builtin_wanted(params: &dyn std::any::Any) -> Vec<Wanted> {
    if let Some(p) = params.downcast_ref::<rfm::RfmParams>() {
        return p.wanted();
    }
    if let Some(p) = params.downcast_ref::<pareto::ParetoParams>() {
        return p.wanted();
    }
    if let Some(p) = params.downcast_ref::<grade::GradeParams>() {
        return p.wanted();
    }
    Vec::new()
}

/// Fits a built-in classifier on columns read already (none for other classifiers).
pub(crate) fn builtin_fit(
    params: &dyn std::any::Any,
    data: &FitData<'_>,
) -> Option<Result<AnyModel, Error>> {
    if let Some(p) = params.downcast_ref::<rfm::RfmParams>() {
        return Some(p.fit_data(data).map(AnyModel::new));
    }
    if let Some(p) = params.downcast_ref::<pareto::ParetoParams>() {
        return Some(p.fit_data(data).map(AnyModel::new));
    }
    if let Some(p) = params.downcast_ref::<grade::GradeParams>() {
        return Some(p.fit_data(data).map(AnyModel::new));
    }
    None
}

/// The values of a metric over the buyers that have one, in population (id) order.
pub(crate) fn buyer_values(
    population: &Population,
    value: impl Fn(&Profile) -> Option<rust_decimal::Decimal>,
) -> Vec<rust_decimal::Decimal> {
    population.each_buyer().filter_map(|p| value(&p)).collect()
}
