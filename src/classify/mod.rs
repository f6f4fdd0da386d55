//! Classifiers: settings → [`fit`](Classifier::fit) on a population → a fitted
//! [`Model`] → [`classify`](Model::classify_into) any profile, new customers included.
//!
//! Every built-in classifier has plain-data settings (`RfmParams`, `ParetoParams`) and
//! a fitted model of its own type that keeps a copy of them. `classify` cannot fail: all
//! that can go wrong is found in `fit` or when a model is loaded. A customer a
//! classifier cannot score gets [`Label::Unscored`] with the reason, never a made-up
//! label.

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
pub trait Model: fmt::Debug + Send + Sync {
    /// The output columns, in order (`["r", "f", "m", "rfm_segment"]`, `["metal"]`).
    fn columns(&self) -> Vec<String>;

    /// Appends one label per column for `profile`.
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>);

    /// One line of prose per column saying why `profile` gets its label (SPEC §10).
    fn explain(&self, profile: &Profile) -> Vec<String>;

    /// The size of the population the model was fitted on.
    fn fit_size(&self) -> usize;

    /// Appends where a missing-data policy stepped in for `profile` (SPEC §9), for the
    /// run summary. The default: nowhere.
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        let _ = (profile, out);
    }
}

/// One customer a missing-data policy (SPEC §9) stepped in for.
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
pub trait Classifier {
    /// The fitted model.
    type Model: Model;

    /// Validates the settings, then fits on the buyers of `population`.
    ///
    /// # Errors
    /// [`Error::Config`] for unusable settings; [`Error::EmptyPopulation`] when no
    /// customer bought anything.
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
