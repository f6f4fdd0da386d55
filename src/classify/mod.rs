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

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::error::Error;
use crate::profile::{Population, Profile};

pub mod composite;
pub mod grade;
pub mod lifecycle;
pub mod missing;
pub mod pareto;
pub mod quantile;
pub mod rfm;
pub mod segments;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unscored {
    /// No purchase on or before the as-of date: not in the scored population (SPEC §2).
    NoPurchases,
    /// The metric the classifier ranks by has no value for this customer.
    MissingMetric,
    /// No segment map applies (for example, its bins differ from the scores').
    NoSegmentMap,
    /// No tier rule matched, and the rule set leaves such customers without a tier.
    NoRuleMatched,
}

impl fmt::Display for Unscored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unscored::NoPurchases => "no purchase on or before the as-of date",
            Unscored::MissingMetric => "the metric has no value for this customer",
            Unscored::NoSegmentMap => "no segment map for these scores",
            Unscored::NoRuleMatched => "no tier rule matched",
        })
    }
}

/// A fitted model: classifies any profile without refitting.
///
/// Object-safe, so that a pipeline can hold models of different classifiers.
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
/// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
/// let models: Vec<Box<dyn Model>> = vec![
///     Box::new(RfmParams::default().fit(&population)?),
///     Box::new(ParetoParams::metals().fit(&population)?),
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
pub trait Model: fmt::Debug + Send + Sync {
    /// The output columns, in order (`["r", "f", "m", "rfm_segment"]`, `["metal"]`).
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
    fn columns(&self) -> Vec<String>;

    /// Appends one label per column for `profile`.
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

    /// One line of prose per column saying why `profile` gets its label (SPEC §10).
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
    /// let lines = model.explain(population.get("C4").unwrap());
    /// assert_eq!(lines.len(), 1);
    /// let why = "metal = lead: monetary 40.00 is below the iron threshold 50.00";
    /// assert!(lines[0].starts_with(why), "{}", lines[0]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn explain(&self, profile: &Profile) -> Vec<String>;

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

    /// Appends where a missing-data policy stepped in for `profile` (SPEC §9), for the
    /// run summary. The default: nowhere.
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
}

/// One customer a missing-data policy (SPEC §9) stepped in for.
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

/// Settings that fit a [`Model`] on a population.
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams, Classifier, Model};
/// use customer_tiering::{Error, Population};
///
/// fn columns_of(settings: &impl Classifier, pop: &Population) -> Result<Vec<String>, Error> {
///     Ok(settings.fit(pop)?.columns())
/// }
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
/// assert_eq!(columns_of(&ParetoParams::metals(), &population)?, ["metal"]);
/// assert_eq!(columns_of(&RfmParams::default(), &population)?.len(), 4);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub trait Classifier {
    /// The fitted model.
    type Model: Model;

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

    /// Fits, then labels the fit population itself by the batch definition of SPEC
    /// (row-major: one label per column per customer, customers in population order).
    ///
    /// The default classifies every profile with the fitted model; a classifier whose
    /// batch definition differs from its model (equal-count quantiles, SQL `NTILE`)
    /// overrides it.
    ///
    /// # Errors
    /// As [`fit`](Classifier::fit).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{quantile::QuantileMode, rfm::RfmParams, Classifier};
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
    /// let (model, labels) = params.fit_labels(&population)?;
    /// // Row-major: r, f, m, rfm_segment per customer. SQL NTILE splits the tie by id …
    /// let f: Vec<String> = labels.chunks(4).map(|row| row[1].to_string()).collect();
    /// assert_eq!(f, ["1", "2", "3", "4", "5"]);
    /// // … but the model cannot see ids: it scores all tied customers alike.
    /// assert_eq!(model.scores(population.get("C5").unwrap()), Some([1, 1, 1]));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn fit_labels(&self, population: &Population) -> Result<(Self::Model, Vec<Label>), Error> {
        let model = self.fit(population)?;
        let mut labels = Vec::with_capacity(population.len() * model.columns().len());
        for profile in population.profiles() {
            model.classify_into(profile, &mut labels);
        }
        Ok((model, labels))
    }
}

impl<M: Model + ?Sized> Model for Box<M> {
    fn columns(&self) -> Vec<String> {
        (**self).columns()
    }
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        (**self).classify_into(profile, out)
    }
    fn explain(&self, profile: &Profile) -> Vec<String> {
        (**self).explain(profile)
    }
    fn fit_size(&self) -> usize {
        (**self).fit_size()
    }
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        (**self).missing_uses(profile, out)
    }
}

impl<M: Model + ?Sized> Model for &M {
    fn columns(&self) -> Vec<String> {
        (**self).columns()
    }
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        (**self).classify_into(profile, out)
    }
    fn explain(&self, profile: &Profile) -> Vec<String> {
        (**self).explain(profile)
    }
    fn fit_size(&self) -> usize {
        (**self).fit_size()
    }
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        (**self).missing_uses(profile, out)
    }
}

/// The values of a metric over the buyers that have one, in population (id) order.
pub(crate) fn buyer_values(
    population: &Population,
    value: impl Fn(&Profile) -> Option<rust_decimal::Decimal>,
) -> Vec<rust_decimal::Decimal> {
    population.buyers().filter_map(value).collect()
}
