//! A learned grade: sales managers grade a few hundred accounts A/B/C/D by hand, a
//! decision tree ([`linfa_trees`]) learns their judgement from profile metrics and
//! customer attributes, and grades everyone else — explaining each grade by its path
//! through the tree.
//!
//! It is a classifier like the library's own, so it joins a
//! [`PipelineBuilder`](customer_tiering::PipelineBuilder) beside RFM or Pareto metals,
//! rule sets read its column, and a fitted pipeline saves it in `model.json`:
//!
//! 1. [`TreeParams`] (serde) implements [`Classifier`] (kind `learned_grade`): which
//!    [`Feature`]s, which labels (best first), the attribute that holds the managers'
//!    grade, fixed tree settings, the output column (`learned_grade`).
//! 2. [`feature_matrix`] turns profiles into numbers, each missing value replaced by the
//!    number its feature names (see [`Feature`]).
//! 3. [`Classifier::fit`] trains linfa's tree on the graded accounts of a population
//!    ([`training_set`]), then converts it into a [`GradeTree`] of our own: serde,
//!    `Clone`, `PartialEq`, small ([`Node`]: feature index, threshold, two children;
//!    leaves: a label).
//! 4. [`GradeTree`] implements [`Model`]: it labels and explains one profile and cannot
//!    fail, and is checked when a pipeline loads it ([`Model::validate`]).
//!
//! **Customers without the needed inputs.** A tree cannot take "none", so each feature
//! says which number a missing value becomes, and the tree learns where the graded
//! accounts without that value belong. Each decision remembers how many graded accounts
//! reached it without a value for its feature ([`Node::Split`]'s `missing`). A customer
//! whose value is missing at a decision that *no* graded account without it reached is
//! not guessed at: it gets [`Unscored::Other`] (`satisfaction unknown`), and
//! [`Model::missing_uses`] reports it (policy `exclude`), as it reports every missing
//! value the tree filled in on a customer's path (policy `fill`).
//!
//! Loading a saved pipeline that holds a learned grade needs a
//! [`Registry`](customer_tiering::Registry) that knows the kind: `Registry::builtin()`
//! alone refuses it, naming `learned_grade` (see [`crate::registry`]).
//!
//! # Example
//! ```
//! use customer_tiering::attributes::{AttrValue, Attributes};
//! use customer_tiering::classify::{Classifier, Label, Model};
//! use customer_tiering::{CustomerId, FittedPipeline, Metric, PipelineBuilder, Population, Profile, Registry};
//! use customer_tiering_apps::learned_grade::{Feature, TreeParams};
//! use jiff::civil::date;
//!
//! // Six accounts the managers graded: big spenders are A, the rest C.
//! let account = |id: &str, monetary: i64, grade: Option<&str>| {
//!     let mut attributes = Attributes::default();
//!     if let Some(g) = grade {
//!         attributes.insert("manager_grade", AttrValue::Text(g.into()));
//!     }
//!     Profile {
//!         recency_days: Some(10),
//!         frequency: 3,
//!         transactions: 3,
//!         monetary: monetary.into(),
//!         tenure_days: Some(200),
//!         attributes,
//!         ..Profile::without_purchases(CustomerId::new(id).unwrap())
//!     }
//! };
//! let mut profiles: Vec<Profile> = [("G1", 5000), ("G2", 4000), ("G3", 6000)]
//!     .map(|(id, m)| account(id, m, Some("A")))
//!     .into_iter()
//!     .chain([("G4", 100), ("G5", 200), ("G6", 50)].map(|(id, m)| account(id, m, Some("C"))))
//!     .collect();
//! profiles.push(account("N1", 4500, None)); // not graded: the tree grades it
//! let population = Population::new(date(2026, 6, 30), profiles)?;
//!
//! let params = TreeParams::default()
//!     .features(vec![Feature::metric(Metric::Monetary)])
//!     .min_samples_leaf(1)
//!     .min_samples_split(2);
//! let tree = params.fit(&population)?;
//! let n1 = population.get("N1").unwrap();
//! assert_eq!(tree.label(n1), Label::Name("A".into()));
//! assert_eq!(
//!     tree.explain(n1)[0].to_string(),
//!     "learned_grade = A: monetary 4500 > 2100 → A (3 of 3 training accounts were A)"
//! );
//!
//! // In a pipeline; saved, and loaded through a registry that knows the kind.
//! let (fitted, tiering) = PipelineBuilder::new().classifier(params).build()?.run(&population)?;
//! assert_eq!(tiering.label("N1", "learned_grade"), Some(&Label::Name("A".into())));
//! let registry = Registry::builtin().register::<TreeParams>()?;
//! assert_eq!(FittedPipeline::from_json_with("model.json", &fitted.to_json()?, &registry)?, fitted);
//! # Ok::<(), customer_tiering::Error>(())
//! ```

pub mod accounts;

use std::fmt;

use customer_tiering::attributes::AttrValue;
use customer_tiering::classify::{
    Classifier, Column, ColumnLabels, Explanation, Label, MissingUse, Model, Reads, Unscored,
};
use customer_tiering::{ConfigError, Error, Metric, Population, Profile};
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_trees::{DecisionTree, SplitQuality, TreeNode};
use ndarray::{Array1, Array2};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// The number a missing `recency_days` becomes: no purchase reads as older than any
/// purchase (274 years).
pub const NEVER_DAYS: f64 = 100_000.0;

/// The number a missing attribute becomes by default: below every real value (ranks
/// start at 1; sizes, counts and ratings are never negative), so that a split can put the
/// unknown on a side of its own.
pub const MISSING: f64 = -1.0;

/// One input of the tree: what it reads from a profile, and the number a missing value
/// becomes. Missing values are explicit because a tree cannot take "none": a customer
/// without purchases has no `recency_days`, a customer without a customers-file row has
/// no `satisfaction`. The stand-in is used only at decisions that graded accounts
/// without the value reached (see the module's "Customers without the needed inputs").
///
/// # Example
/// ```
/// use customer_tiering::attributes::AttrValue;
/// use customer_tiering::{CustomerId, Metric, Profile};
/// use customer_tiering_apps::learned_grade::{Feature, NEVER_DAYS};
/// use rust_decimal::dec;
///
/// let mut p = Profile::without_purchases(CustomerId::new("P1").unwrap());
/// p.attributes.insert("credit_rating", AttrValue::Text("B".into()));
/// assert_eq!(Feature::metric(Metric::RecencyDays).value(&p), NEVER_DAYS); // never bought
/// assert_eq!(Feature::metric(Metric::Monetary).value(&p), 0.0);
/// let credit = Feature::rank("credit_rating", &["D", "C", "B", "A"]);
/// assert_eq!((credit.value(&p), credit.show(&p)), (3.0, "credit_rating B (3)".to_string()));
/// let satisfaction = Feature::number("satisfaction");
/// assert_eq!(satisfaction.show(&p), "satisfaction missing (-1)");
/// assert_eq!(Feature::is("kind", "enterprise").name(), "kind=enterprise");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Feature {
    /// A metric of the profile ([profile
    /// metrics](customer_tiering::definitions#profile-metrics)), as `f64`.
    Metric {
        /// The metric.
        metric: Metric,
        /// Its value when the profile has none.
        missing: f64,
    },
    /// A numeric attribute (`employees`, `satisfaction`, `complaints`, …).
    Number {
        /// The attribute.
        attribute: String,
        /// Its value when the attribute is absent or not a number.
        missing: f64,
    },
    /// A text attribute on an ordered scale: the `i`-th level (lowest first) is `i + 1`.
    /// Levels match case-insensitively; an unknown level counts as missing.
    Rank {
        /// The attribute (`credit_rating`).
        attribute: String,
        /// The levels, lowest first (`D`, `C`, `B`, `A`).
        levels: Vec<String>,
        /// Its value when the attribute is absent or not a level.
        missing: f64,
    },
    /// 1 when a text attribute equals `value` (ignoring ASCII case), else 0 — absent too.
    Is {
        /// The attribute (`kind`).
        attribute: String,
        /// The value that gives 1 (`enterprise`).
        value: String,
    },
}

impl Feature {
    /// A metric, missing as [`NEVER_DAYS`] for `recency_days` and [`MISSING`] otherwise
    /// (for `profit` and `growth`, which can be negative, choose your own with
    /// [`Feature::Metric`]).
    pub fn metric(metric: Metric) -> Feature {
        let missing = if metric == Metric::RecencyDays {
            NEVER_DAYS
        } else {
            MISSING
        };
        Feature::Metric { metric, missing }
    }

    /// A numeric attribute, missing as [`MISSING`].
    pub fn number(attribute: &str) -> Feature {
        Feature::Number {
            attribute: attribute.into(),
            missing: MISSING,
        }
    }

    /// A ranked text attribute (levels lowest first), missing as [`MISSING`].
    pub fn rank(attribute: &str, levels: &[&str]) -> Feature {
        Feature::Rank {
            attribute: attribute.into(),
            levels: levels.iter().map(|l| l.to_string()).collect(),
            missing: MISSING,
        }
    }

    /// 1 when `attribute` is `value`, else 0.
    pub fn is(attribute: &str, value: &str) -> Feature {
        Feature::Is {
            attribute: attribute.into(),
            value: value.into(),
        }
    }

    /// The feature's name in explanations: the metric or attribute, `kind=enterprise`
    /// for an [`Is`](Feature::Is).
    pub fn name(&self) -> String {
        match self {
            Feature::Metric { metric, .. } => metric.name().to_string(),
            Feature::Number { attribute, .. } | Feature::Rank { attribute, .. } => {
                attribute.clone()
            }
            Feature::Is { attribute, value } => format!("{attribute}={value}"),
        }
    }

    /// The metric or attribute the feature reads, by name (`kind` for
    /// `kind=enterprise`).
    pub fn input(&self) -> String {
        match self {
            Feature::Metric { metric, .. } => metric.name().to_string(),
            Feature::Number { attribute, .. }
            | Feature::Rank { attribute, .. }
            | Feature::Is { attribute, .. } => attribute.clone(),
        }
    }

    /// The attribute the feature reads, if it reads one.
    pub fn attribute(&self) -> Option<&str> {
        match self {
            Feature::Metric { .. } => None,
            Feature::Number { attribute, .. }
            | Feature::Rank { attribute, .. }
            | Feature::Is { attribute, .. } => Some(attribute),
        }
    }

    /// The value read from the profile; none when missing.
    pub fn read(&self, profile: &Profile) -> Option<f64> {
        match self {
            Feature::Metric { metric, .. } => profile.metric(*metric).and_then(|d| d.to_f64()),
            Feature::Number { attribute, .. } => profile
                .attributes
                .number(attribute)
                .and_then(|d| d.to_f64()),
            Feature::Rank {
                attribute, levels, ..
            } => {
                let text = profile.attributes.text(attribute)?;
                let at = levels.iter().position(|l| l.eq_ignore_ascii_case(text))?;
                Some((at + 1) as f64)
            }
            Feature::Is { attribute, value } => {
                let matches = profile
                    .attributes
                    .text(attribute)
                    .is_some_and(|t| t.eq_ignore_ascii_case(value));
                Some(if matches { 1.0 } else { 0.0 })
            }
        }
    }

    /// The number the tree sees: the value read, or the feature's missing value.
    pub fn value(&self, profile: &Profile) -> f64 {
        self.read(profile).unwrap_or(match self {
            Feature::Metric { missing, .. }
            | Feature::Number { missing, .. }
            | Feature::Rank { missing, .. } => *missing,
            Feature::Is { .. } => 0.0,
        })
    }

    /// The value as an explanation shows it: exact decimals as the profile holds them
    /// (`monetary 1250.00`), a rank with its level (`credit_rating B (3)`), a missing
    /// value with the number it became (`satisfaction missing (-1)`), an `Is` as
    /// `kind=enterprise yes (1)`.
    pub fn show(&self, profile: &Profile) -> String {
        let name = self.name();
        let value = self.value(profile);
        match (self, self.read(profile)) {
            (Feature::Is { .. }, _) => {
                let word = if value > 0.5 { "yes" } else { "no" };
                format!("{name} {word} ({value})")
            }
            (_, None) => format!("{name} missing ({value})"),
            (Feature::Metric { metric, .. }, Some(_)) => {
                let exact = profile.metric(*metric).map(|d| d.to_string());
                format!("{name} {}", exact.unwrap_or_default())
            }
            (Feature::Number { attribute, .. }, Some(_)) => {
                let exact = profile.attributes.get(attribute).map(AttrValue::to_string);
                format!("{name} {}", exact.unwrap_or_default())
            }
            (Feature::Rank { attribute, .. }, Some(rank)) => {
                let level = profile.attributes.text(attribute).unwrap_or_default();
                format!("{name} {level} ({rank})")
            }
        }
    }

    /// The number that stands in for a missing value; none for an
    /// [`Is`](Feature::Is), which is never missing.
    fn fill(&self) -> Option<f64> {
        match self {
            Feature::Metric { missing, .. }
            | Feature::Number { missing, .. }
            | Feature::Rank { missing, .. } => Some(*missing),
            Feature::Is { .. } => None,
        }
    }
}

/// The features of [`TreeParams::default`]: `recency_days`, `frequency`, `monetary`,
/// `tenure_days`, `kind=enterprise`, `employees`, `credit_rating` (D < C < B < A),
/// `satisfaction`, `complaints`.
pub fn default_features() -> Vec<Feature> {
    vec![
        Feature::metric(Metric::RecencyDays),
        Feature::metric(Metric::Frequency),
        Feature::metric(Metric::Monetary),
        Feature::metric(Metric::TenureDays),
        Feature::is("kind", "enterprise"),
        Feature::number("employees"),
        Feature::rank("credit_rating", &["D", "C", "B", "A"]),
        Feature::number("satisfaction"),
        Feature::number("complaints"),
    ]
}

/// The settings of a learned grade: plain data, loadable from JSON or TOML; a
/// [`Classifier`] of kind `learned_grade`.
///
/// Defaults: output column `learned_grade`, labels `A B C D` (best first) learned from
/// the attribute `manager_grade`, [`default_features`], Gini splits, depth at most 6, at
/// least 4 training accounts in every leaf and 8 in a node to split, a split must lower
/// the impurity by 0.001. On the 240 graded accounts of the fixture these agree best
/// with the managers' rule without its noise: 207 of 240 (depth 3: 187; depth 8 with
/// leaves of 2: 206, with 34 leaves instead of 22).
///
/// # Example
/// ```
/// use customer_tiering::classify::{Classifier, ColumnLabels};
/// use customer_tiering::Metric;
/// use customer_tiering_apps::learned_grade::TreeParams;
/// let params = TreeParams::default().max_depth(3).min_samples_leaf(8);
/// assert_eq!((params.get_max_depth(), params.get_labels()[0].as_str()), (3, "A"));
/// assert!(params.validate().is_ok());
/// assert_eq!(
///     TreeParams::default().max_depth(0).validate().unwrap_err().to_string(),
///     r#"pipeline: learned_grade "learned_grade": max_depth must be in 1..=20, got 0"#
/// );
/// // One column, its labels ordered best first, so that rules may say `learned_grade >= "B"`.
/// let column = &params.columns()[0];
/// assert_eq!(column.name, "learned_grade");
/// assert_eq!(column.labels.order().unwrap(), ["A", "B", "C", "D"]);
/// // What it reads: the features' metrics and attributes, and the managers' grade.
/// let reads = params.reads();
/// assert_eq!(reads.metrics, [Metric::RecencyDays, Metric::Frequency, Metric::Monetary, Metric::TenureDays]);
/// assert!(reads.attributes.iter().any(|a| a == "manager_grade"));
/// let json = serde_json::to_string(&params).unwrap();
/// assert_eq!(serde_json::from_str::<TreeParams>(&json).unwrap(), params);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeParams {
    column: String,
    label_attribute: String,
    labels: Vec<String>,
    features: Vec<Feature>,
    max_depth: usize,
    min_samples_leaf: usize,
    min_samples_split: usize,
    min_impurity_decrease: f64,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            column: TreeParams::KIND.into(),
            label_attribute: "manager_grade".into(),
            labels: ["A", "B", "C", "D"].map(String::from).to_vec(),
            features: default_features(),
            max_depth: 6,
            min_samples_leaf: 4,
            min_samples_split: 8,
            min_impurity_decrease: 0.001,
        }
    }
}

/// The deepest tree allowed (a saved tree is read recursively).
pub const MAX_DEPTH: usize = 20;

impl TreeParams {
    /// Sets the output column (default `learned_grade`).
    #[must_use]
    pub fn column(mut self, column: &str) -> Self {
        self.column = column.into();
        self
    }

    /// Sets the attribute holding the hand-made grade of the training accounts.
    #[must_use]
    pub fn label_attribute(mut self, attribute: &str) -> Self {
        self.label_attribute = attribute.into();
        self
    }

    /// Sets the labels, best first (ties between labels in a leaf go to the earlier).
    #[must_use]
    pub fn labels(mut self, labels: &[&str]) -> Self {
        self.labels = labels.iter().map(|l| l.to_string()).collect();
        self
    }

    /// Sets the features.
    #[must_use]
    pub fn features(mut self, features: Vec<Feature>) -> Self {
        self.features = features;
        self
    }

    /// Sets the deepest level (1..=[`MAX_DEPTH`]; the root alone is depth 0).
    #[must_use]
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Sets the fewest training accounts a leaf may hold (≥ 1).
    #[must_use]
    pub fn min_samples_leaf(mut self, n: usize) -> Self {
        self.min_samples_leaf = n;
        self
    }

    /// Sets the fewest training accounts a node needs to be split (≥ 2).
    #[must_use]
    pub fn min_samples_split(mut self, n: usize) -> Self {
        self.min_samples_split = n;
        self
    }

    /// Sets the least weighted Gini decrease a split must bring (> 0).
    #[must_use]
    pub fn min_impurity_decrease(mut self, decrease: f64) -> Self {
        self.min_impurity_decrease = decrease;
        self
    }

    /// The output column.
    pub fn get_column(&self) -> &str {
        &self.column
    }

    /// The attribute holding the hand-made grade.
    pub fn get_label_attribute(&self) -> &str {
        &self.label_attribute
    }

    /// The labels, best first.
    pub fn get_labels(&self) -> &[String] {
        &self.labels
    }

    /// The features, in matrix column order.
    pub fn get_features(&self) -> &[Feature] {
        &self.features
    }

    /// The deepest level.
    pub fn get_max_depth(&self) -> usize {
        self.max_depth
    }

    /// What is wrong with the settings, if anything.
    fn problem(&self) -> Option<String> {
        if self.labels.is_empty() {
            Some("no labels".to_string())
        } else if let Some(l) = self
            .labels
            .iter()
            .enumerate()
            .find(|(i, l)| self.labels[..*i].contains(l))
        {
            Some(format!("label {:?} is listed twice", l.1))
        } else if self.features.is_empty() {
            Some("no features".into())
        } else if let Some(f) = self
            .features
            .iter()
            .find(|f| f.attribute() == Some(self.label_attribute.as_str()))
        {
            Some(format!(
                "feature {:?} reads the label attribute {:?}",
                f.name(),
                self.label_attribute
            ))
        } else if let Some(f) = self
            .features
            .iter()
            .find(|f| matches!(f, Feature::Rank { levels, .. } if levels.is_empty()))
        {
            Some(format!("feature {:?} has no levels", f.name()))
        } else if let Some(f) = self
            .features
            .iter()
            .find(|f| f.fill().is_some_and(|m| !m.is_finite()))
        {
            Some(format!(
                "feature {:?}: missing value is not finite",
                f.name()
            ))
        } else if !(1..=MAX_DEPTH).contains(&self.max_depth) {
            Some(format!(
                "max_depth must be in 1..={MAX_DEPTH}, got {}",
                self.max_depth
            ))
        } else if self.min_samples_leaf < 1 {
            Some("min_samples_leaf must be at least 1".into())
        } else if self.min_samples_split < 2 {
            Some("min_samples_split must be at least 2".into())
        } else if !(self.min_impurity_decrease > 0.0 && self.min_impurity_decrease.is_finite()) {
            Some(format!(
                "min_impurity_decrease must be > 0, got {}",
                self.min_impurity_decrease
            ))
        } else {
            None
        }
    }
}

impl Classifier for TreeParams {
    type Model = GradeTree;

    const KIND: &'static str = "learned_grade";

    /// One column, its labels ordered best first.
    fn columns(&self) -> Vec<Column> {
        let labels = ColumnLabels::ordered(self.labels.clone());
        vec![Column::new(self.column.clone(), labels)]
    }

    /// The metrics and attributes of the features, and the label attribute (read when
    /// fitting, so that a refit of a saved pipeline finds it too).
    fn reads(&self) -> Reads {
        let mut reads = Reads::nothing();
        for feature in &self.features {
            match feature {
                Feature::Metric { metric, .. } => reads.add_metric(*metric),
                other => reads.add_attribute(other.input()),
            }
        }
        reads.add_attribute(self.label_attribute.clone());
        reads
    }

    /// Checks the settings, before any data is seen.
    ///
    /// # Errors
    /// [`ConfigError::Settings`] naming the problem: no labels or a label twice, no
    /// features, a feature reading the label attribute (the answer would leak into the
    /// question), a rank without levels, a missing value that is not finite, a depth
    /// outside 1..=20, leaf or split sizes too small, an impurity decrease not > 0.
    fn validate(&self) -> Result<(), ConfigError> {
        match self.problem() {
            Some(reason) => Err(ConfigError::Settings {
                kind: Self::KIND,
                column: self.column.clone(),
                reason,
            }),
            None => Ok(()),
        }
    }

    /// Validates the settings, trains linfa's decision tree on the graded accounts of
    /// `population` (those with the label attribute), and converts it into a
    /// [`GradeTree`].
    ///
    /// linfa breaks a tie between labels by the order of a `HashMap`, which changes from
    /// run to run; here ties go to the label listed first, through whole-number weights
    /// (see the source of `train`), and every leaf is then recounted by routing the
    /// training accounts through the converted tree (its `samples` and `agree`, and each
    /// decision's `missing`). linfa's Gini sums are `f32` over a `HashMap` too, so two
    /// candidate splits whose impurities are equal could still be told apart by rounding
    /// in a different order; on the fixture, hundreds of fits gave one tree (see the
    /// tests).
    ///
    /// The graded set must satisfy `n·(n·(L − 1) + 1 + L) < 2^24` (`L` labels): 2000
    /// accounts with 4 labels.
    ///
    /// # Errors
    /// [`Error::Config`] for settings that do not validate; [`Error::Classifier`] (kind
    /// `learned_grade`) for a grade outside the labels, a population without graded
    /// accounts, too many of them, or linfa's own failure (kept as the cause).
    fn fit(&self, population: &Population) -> Result<GradeTree, Error> {
        Classifier::validate(self)?;
        let (profiles, labels) = training_set(self, population)?;
        if profiles.is_empty() {
            return Err(Error::classifier(
                Self::KIND,
                format!(
                    "no customer has the attribute {:?} to learn from",
                    self.label_attribute
                ),
            ));
        }
        let x = feature_matrix(&self.features, &profiles);
        let known = Array2::from_shape_fn((profiles.len(), self.features.len()), |(i, j)| {
            self.features[j].read(profiles[i]).is_some()
        });
        let linfa_tree = train(self, &x, &labels)?;
        let mut root = convert(linfa_tree.root_node(), self.features.len(), &self.labels)?;
        let rows: Vec<usize> = (0..profiles.len()).collect();
        let training = Training {
            x: &x,
            known: &known,
            y: &labels,
            labels: &self.labels,
        };
        relabel(&mut root, &rows, &training);
        Ok(GradeTree {
            params: self.clone(),
            root,
            fit_size: profiles.len(),
        })
    }
}

/// A fitted tree that contradicts itself or its settings, named by kind and column.
fn model_error(params: &TreeParams, reason: String) -> ConfigError {
    ConfigError::Model {
        kind: TreeParams::KIND,
        column: params.column.clone(),
        reason,
    }
}

/// The feature matrix: one row per profile, one column per feature, missing values
/// replaced as each feature says (so every cell is finite).
///
/// # Example
/// ```
/// use customer_tiering::{CustomerId, Metric, Profile};
/// use customer_tiering_apps::learned_grade::{feature_matrix, Feature, NEVER_DAYS};
/// let p = Profile::without_purchases(CustomerId::new("P1").unwrap());
/// let features = [Feature::metric(Metric::RecencyDays), Feature::metric(Metric::Frequency)];
/// let x = feature_matrix(&features, &[&p]);
/// assert_eq!(x.row(0).to_vec(), [NEVER_DAYS, 0.0]);
/// ```
pub fn feature_matrix(features: &[Feature], profiles: &[&Profile]) -> Array2<f64> {
    Array2::from_shape_fn((profiles.len(), features.len()), |(i, j)| {
        features[j].value(profiles[i])
    })
}

/// The graded accounts of a population: the profiles whose label attribute is set, and
/// each one's label as an index into the labels.
///
/// # Errors
/// [`Error::Classifier`] naming the customer whose grade is not one of the labels.
pub fn training_set<'p>(
    params: &TreeParams,
    population: &'p Population,
) -> Result<(Vec<&'p Profile>, Vec<usize>), Error> {
    let mut profiles = Vec::new();
    let mut labels = Vec::new();
    for p in population.profiles() {
        let Some(grade) = p.attributes.get(&params.label_attribute) else {
            continue;
        };
        let grade = grade.to_string();
        let Some(at) = params.labels.iter().position(|l| *l == grade) else {
            return Err(Error::classifier(
                TreeParams::KIND,
                format!(
                    "customer {:?}: {} {grade:?} is not one of {}",
                    p.customer_id.as_str(),
                    params.label_attribute,
                    params.labels.join(", ")
                ),
            ));
        };
        profiles.push(p);
        labels.push(at);
    }
    Ok((profiles, labels))
}

/// linfa's decision tree with the settings of `params`, on rows `x` labelled `y`.
///
/// Every account is weighted `base + (L − 1 − label)` with `base = n·(L − 1) + 1`: whole
/// numbers, so that linfa's `f32` sums of weights stay exact, and one account more always
/// outweighs any sum of the offsets, so that the offsets only break exact ties between
/// labels — towards the label listed first. (Unweighted, linfa breaks such ties by the
/// order of a `HashMap`, which changes from run to run, and its pruning follows.) Gini
/// impurity does not change with the scale of the weights; the leaf minimum is scaled by
/// `base` (linfa compares it with weights), the split minimum is not (linfa compares it
/// with a count).
fn train(
    params: &TreeParams,
    x: &Array2<f64>,
    y: &[usize],
) -> Result<DecisionTree<f64, usize>, Error> {
    let n = y.len() as u64;
    let l = params.labels.len() as u64;
    let base = n * (l - 1) + 1;
    if n * (base + l) >= 1 << 24 {
        return Err(Error::classifier(
            TreeParams::KIND,
            format!(
                "{n} graded accounts with {l} labels are too many to weigh exactly in f32 \
                 (n·(n·(labels − 1) + 1 + labels) must stay below 2^24)"
            ),
        ));
    }
    let weights: Array1<f32> = y
        .iter()
        .map(|&label| (base + (l - 1 - label as u64)) as f32)
        .collect();
    let dataset = Dataset::new(x.clone(), Array1::from(y.to_vec())).with_weights(weights);
    DecisionTree::params()
        .split_quality(SplitQuality::Gini)
        .max_depth(Some(params.max_depth))
        .min_weight_leaf((params.min_samples_leaf as u64 * base) as f32)
        .min_weight_split(params.min_samples_split as f32)
        .min_impurity_decrease(params.min_impurity_decrease)
        .fit(&dataset)
        .map_err(|e| Error::classifier_with_source(TreeParams::KIND, "decision tree", e))
}

/// linfa's tree, walked from its root (`TreeNode::split` gives feature index and
/// threshold, `children` the two subtrees, `prediction` a leaf's class), as our nodes,
/// each leaf with linfa's label until [`relabel`] recounts it.
fn convert(
    node: &TreeNode<f64, usize>,
    n_features: usize,
    labels: &[String],
) -> Result<Node, Error> {
    if node.is_leaf() {
        let label = node.prediction().and_then(|i| labels.get(i));
        return Ok(Node::Leaf {
            label: label.cloned().unwrap_or_default(),
            samples: 0,
            agree: 0,
        });
    }
    let (feature, threshold, _) = node.split();
    let children = node.children();
    match (children[0], children[1]) {
        (Some(le), Some(gt)) if feature < n_features && threshold.is_finite() => Ok(Node::Split {
            feature,
            threshold,
            missing: 0,
            le: Box::new(convert(le, n_features, labels)?),
            gt: Box::new(convert(gt, n_features, labels)?),
        }),
        _ => Err(Error::classifier(
            TreeParams::KIND,
            format!(
                "decision tree: unexpected node at depth {} (feature {feature}, threshold {threshold})",
                node.depth()
            ),
        )),
    }
}

/// The training accounts as [`relabel`] routes them.
struct Training<'a> {
    /// The feature matrix.
    x: &'a Array2<f64>,
    /// Whether each cell of `x` was read (not a missing value's stand-in).
    known: &'a Array2<bool>,
    /// Each row's label, an index into `labels`.
    y: &'a [usize],
    labels: &'a [String],
}

/// Routes the training rows through the tree: labels each leaf by their majority (ties
/// to the earlier label) and counts them, counts at each decision the rows without a
/// value for its feature, and merges sibling leaves with the same label.
fn relabel(node: &mut Node, rows: &[usize], t: &Training<'_>) {
    match node {
        Node::Leaf {
            label,
            samples,
            agree,
        } => {
            let mut counts = vec![0u32; t.labels.len()];
            for &r in rows {
                counts[t.y[r]] += 1;
            }
            // max_by_key keeps the last maximum: scan in reverse for the first.
            let best = (0..t.labels.len())
                .rev()
                .max_by_key(|&i| counts[i])
                .unwrap_or(0);
            *label = t.labels[best].clone();
            *samples = rows.len() as u32;
            *agree = counts[best];
        }
        Node::Split {
            feature,
            threshold,
            missing,
            le,
            gt,
        } => {
            *missing = rows.iter().filter(|&&r| !t.known[(r, *feature)]).count() as u32;
            let (left, right): (Vec<usize>, Vec<usize>) = rows
                .iter()
                .partition(|&&r| t.x[(r, *feature)] <= *threshold);
            relabel(le, &left, t);
            relabel(gt, &right, t);
            if let (
                Node::Leaf {
                    label: a,
                    samples: sa,
                    agree: ga,
                },
                Node::Leaf {
                    label: b,
                    samples: sb,
                    agree: gb,
                },
            ) = (le.as_ref(), gt.as_ref())
                && a == b
            {
                *node = Node::Leaf {
                    label: a.clone(),
                    samples: sa + sb,
                    agree: ga + gb,
                };
            }
        }
    }
}

/// A node of a [`GradeTree`].
///
/// # Example
/// ```
/// use customer_tiering_apps::learned_grade::Node;
/// let leaf = Node::Leaf { label: "A".into(), samples: 12, agree: 11 };
/// let node = Node::Split { feature: 2, threshold: 900.5, missing: 0, le: Box::new(leaf.clone()), gt: Box::new(leaf) };
/// let json = serde_json::to_string(&node).unwrap();
/// assert!(json.starts_with(r#"{"split":{"feature":2,"threshold":900.5,"missing":0,"le":{"leaf":"#));
/// assert_eq!(serde_json::from_str::<Node>(&json).unwrap(), node);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Node {
    /// A decision: a value `<= threshold` goes to `le`, a larger one to `gt`.
    Split {
        /// The feature's index in [`TreeParams`]' features.
        feature: usize,
        /// linfa's threshold, the midpoint between two neighbouring training values.
        threshold: f64,
        /// Training accounts that reached this decision without a value for its feature
        /// (their missing value's stand-in decided). When 0, a customer without the
        /// value is not guessed at here: it is left unscored.
        missing: u32,
        /// The subtree for values at most the threshold.
        le: Box<Node>,
        /// The subtree for values above it.
        gt: Box<Node>,
    },
    /// A grade.
    Leaf {
        /// The label.
        label: String,
        /// Training accounts that reached this leaf.
        samples: u32,
        /// How many of them the managers graded `label`.
        agree: u32,
    },
}

impl Node {
    /// The number of leaves below (1 for a leaf).
    pub fn leaves(&self) -> usize {
        match self {
            Node::Leaf { .. } => 1,
            Node::Split { le, gt, .. } => le.leaves() + gt.leaves(),
        }
    }

    /// The depth below (0 for a leaf).
    pub fn depth(&self) -> usize {
        match self {
            Node::Leaf { .. } => 0,
            Node::Split { le, gt, .. } => 1 + le.depth().max(gt.depth()),
        }
    }
}

/// A fitted learned grade (a [`Model`]): its settings, the tree, and how many graded
/// accounts it learned from ([`Model::fit_size`]).
///
/// # Example
/// ```
/// # use customer_tiering::attributes::{AttrValue, Attributes};
/// # use customer_tiering::{CustomerId, Metric, Population, Profile};
/// use customer_tiering::classify::{Classifier, Label, Model, Unscored};
/// use customer_tiering_apps::learned_grade::{Feature, TreeParams};
/// # let account = |id: &str, frequency: u64, grade: &str| {
/// #     let mut attributes = Attributes::default();
/// #     attributes.insert("manager_grade", AttrValue::Text(grade.into()));
/// #     Profile { recency_days: Some(5), frequency, transactions: frequency, monetary: 10.into(),
/// #         tenure_days: Some(50), attributes, ..Profile::without_purchases(CustomerId::new(id).unwrap()) }
/// # };
/// # let profiles = vec![account("a", 1, "D"), account("b", 2, "D"), account("c", 8, "B"), account("d", 9, "B")];
/// # let population = Population::new(jiff::civil::date(2026, 6, 30), profiles)?;
/// // a and b bought once or twice (graded D), c and d 8 and 9 times (B); all have a recency.
/// let params = TreeParams::default()
///     .features(vec![Feature::metric(Metric::Frequency), Feature::metric(Metric::RecencyDays)])
///     .min_samples_leaf(1)
///     .min_samples_split(2);
/// let tree = params.fit(&population)?;
/// assert_eq!((tree.fit_size(), tree.root().leaves()), (4, 2));
/// let mut labels = Vec::new();
/// tree.classify_into(population.get("c").unwrap(), &mut labels);
/// assert_eq!(labels, [Label::Name("B".into())]);
/// // Frequency alone decides, and a prospect has one (0): graded like a and b.
/// let prospect = Profile::without_purchases(CustomerId::new("p").unwrap());
/// assert_eq!(tree.label(&prospect), Label::Name("D".into()));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeTree {
    params: TreeParams,
    root: Node,
    fit_size: usize,
}

/// One decision on a profile's path through a [`GradeTree`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The value as [`Feature::show`] shows it (`monetary 1250.00`, `satisfaction
    /// missing (-1)`).
    pub shown: String,
    /// Whether the value was at most the threshold (went to `le`).
    pub le: bool,
    /// The threshold.
    pub threshold: f64,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.le { "<=" } else { ">" };
        write!(f, "{} {op} {}", self.shown, round4(self.threshold))
    }
}

/// Where a profile's path through a [`GradeTree`] ends.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// A leaf: the grade.
    Leaf {
        /// The label of the leaf.
        label: String,
        /// Training accounts in that leaf.
        samples: u32,
        /// How many of them the managers graded `label`.
        agree: u32,
    },
    /// A decision on a feature the profile has no value of, which no graded account
    /// without it reached: no grade.
    Unknown {
        /// The feature's name.
        feature: String,
    },
}

/// A profile's path through a [`GradeTree`]: every decision, then where it ends.
///
/// Displays as `monetary 1250.00 > 900.5, then recency_days 12 <= 30.5 → A (35 of 38
/// training accounts were A)`, or `…, then satisfaction unknown, where no graded account
/// lacked it`; thresholds are shown rounded to 4 decimals, compared exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The decisions taken, from the root.
    pub steps: Vec<Step>,
    /// Where it ends.
    pub end: End,
}

impl Path {
    /// The label it ends with: the leaf's, or [`Unscored::Other`] naming the feature
    /// (`satisfaction unknown`).
    pub fn label(&self) -> Label {
        match &self.end {
            End::Leaf { label, .. } => Label::Name(label.as_str().into()),
            End::Unknown { feature } => Label::Unscored(unknown(feature)),
        }
    }
}

/// Why a customer has no learned grade: one reason per feature, so that a run has few.
fn unknown(feature: &str) -> Unscored {
    Unscored::other(&format!("{feature} unknown"))
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", then " };
            write!(f, "{sep}{step}")?;
        }
        match &self.end {
            End::Leaf {
                label,
                samples,
                agree,
            } => {
                let lead = if self.steps.is_empty() { "" } else { " " };
                write!(
                    f,
                    "{lead}→ {label} ({agree} of {samples} training accounts were {label})"
                )
            }
            End::Unknown { feature } => {
                let lead = if self.steps.is_empty() { "" } else { ", then " };
                write!(
                    f,
                    "{lead}{feature} unknown, where no graded account lacked it"
                )
            }
        }
    }
}

/// A threshold for people: at most 4 decimals, no trailing zeros.
fn round4(t: f64) -> String {
    let s = format!("{t:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Where a walk through the tree ended.
enum Reached<'t> {
    /// A leaf node.
    Leaf(&'t Node),
    /// A decision on this feature, missing where no graded account lacked it.
    Unknown(&'t Feature),
}

impl GradeTree {
    /// The root of the tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Walks `profile` down the tree, telling `decided` each decision (the feature, the
    /// value read — none when its stand-in was used —, the threshold, whether it went
    /// `le`).
    fn walk(
        &self,
        profile: &Profile,
        mut decided: impl FnMut(&Feature, Option<f64>, f64, bool),
    ) -> Reached<'_> {
        let mut node = &self.root;
        loop {
            match node {
                Node::Split {
                    feature,
                    threshold,
                    missing,
                    le,
                    gt,
                } => {
                    let f = &self.params.features[*feature];
                    let read = f.read(profile);
                    let Some(value) = read.or(if *missing > 0 { f.fill() } else { None }) else {
                        return Reached::Unknown(f);
                    };
                    let went_le = value <= *threshold;
                    decided(f, read, *threshold, went_le);
                    node = if went_le { le } else { gt };
                }
                leaf @ Node::Leaf { .. } => return Reached::Leaf(leaf),
            }
        }
    }

    /// The grade of one profile — anyone's: a feature the profile lacks takes its
    /// missing value's stand-in, where graded accounts without it went; where none went,
    /// [`Unscored::Other`] naming the feature.
    pub fn label(&self, profile: &Profile) -> Label {
        match self.walk(profile, |_, _, _, _| {}) {
            Reached::Leaf(Node::Leaf { label, .. }) => Label::Name(label.as_str().into()),
            Reached::Unknown(f) => Label::Unscored(unknown(&f.name())),
            Reached::Leaf(Node::Split { .. }) => unreachable!("walk ends at a leaf"),
        }
    }

    /// The decisions a profile meets on its way, and where it ends.
    pub fn path(&self, profile: &Profile) -> Path {
        let mut steps = Vec::new();
        let reached = self.walk(profile, |f, _, threshold, le| {
            steps.push(Step {
                shown: f.show(profile),
                le,
                threshold,
            });
        });
        let end = match reached {
            Reached::Leaf(Node::Leaf {
                label,
                samples,
                agree,
            }) => End::Leaf {
                label: label.clone(),
                samples: *samples,
                agree: *agree,
            },
            Reached::Unknown(f) => End::Unknown { feature: f.name() },
            Reached::Leaf(Node::Split { .. }) => unreachable!("walk ends at a leaf"),
        };
        Path { steps, end }
    }

    /// The tree as indented text, one line per decision and leaf:
    ///
    /// ```text
    /// monetary <= 1500.5
    ///   recency_days <= 180.5 → C (40 of 45)
    ///   recency_days > 180.5 → D (30 of 31)
    /// monetary > 1500.5 → A (20 of 24)
    /// ```
    pub fn outline(&self) -> String {
        let mut out = String::new();
        self.outline_into(&self.root, 0, &mut out);
        out
    }

    fn outline_into(&self, node: &Node, depth: usize, out: &mut String) {
        let Node::Split {
            feature,
            threshold,
            le,
            gt,
            ..
        } = node
        else {
            // Only a tree that is a single leaf gets here at depth 0.
            if let Node::Leaf {
                label,
                samples,
                agree,
            } = node
            {
                out.push_str(&format!("→ {label} ({agree} of {samples})\n"));
            }
            return;
        };
        let name = self.params.features[*feature].name();
        for (op, child) in [("<=", le), (">", gt)] {
            let indent = "  ".repeat(depth);
            out.push_str(&format!("{indent}{name} {op} {}", round4(*threshold)));
            match child.as_ref() {
                Node::Leaf {
                    label,
                    samples,
                    agree,
                } => out.push_str(&format!(" → {label} ({agree} of {samples})\n")),
                split => {
                    out.push('\n');
                    self.outline_into(split, depth + 1, out);
                }
            }
        }
    }
}

impl Model for GradeTree {
    type Params = TreeParams;

    fn params(&self) -> &TreeParams {
        &self.params
    }

    /// The number of graded accounts it learned from.
    fn fit_size(&self) -> usize {
        self.fit_size
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(self.label(profile));
    }

    /// The path through the tree, in words (see [`Path`]).
    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let path = self.path(profile);
        vec![Explanation::text(
            self.params.column.clone(),
            path.label(),
            path.to_string(),
        )]
    }

    /// Every feature on the customer's path whose missing value's stand-in decided
    /// (policy `fill`), and the feature that left it unscored (policy `exclude`).
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        let start = out.len();
        let mut found = |source: String, policy: &str| {
            if !out[start..].iter().any(|u| u.source == source) {
                out.push(MissingUse {
                    column: self.params.column.clone(),
                    source,
                    policy: policy.into(),
                });
            }
        };
        let reached = self.walk(profile, |f, read, _, _| {
            if read.is_none() {
                found(f.input(), "fill");
            }
        });
        if let Reached::Unknown(f) = reached {
            found(f.input(), "exclude");
        }
    }

    /// Checks a tree read from a file: valid settings, every feature index in range,
    /// finite thresholds, every leaf label one of the labels, depth within the settings'.
    ///
    /// # Errors
    /// [`ConfigError::Settings`] for the settings, [`ConfigError::Model`] for the tree,
    /// naming the problem.
    fn validate(&self) -> Result<(), ConfigError> {
        Classifier::validate(&self.params)?;
        if self.root.depth() > self.params.max_depth {
            return Err(model_error(
                &self.params,
                format!(
                    "tree of depth {} exceeds max_depth {}",
                    self.root.depth(),
                    self.params.max_depth
                ),
            ));
        }
        check_node(&self.root, &self.params)
    }
}

fn check_node(node: &Node, params: &TreeParams) -> Result<(), ConfigError> {
    match node {
        Node::Leaf { label, .. } if params.labels.contains(label) => Ok(()),
        Node::Leaf { label, .. } => Err(model_error(
            params,
            format!(
                "leaf label {label:?} is not one of {}",
                params.labels.join(", ")
            ),
        )),
        Node::Split {
            feature,
            threshold,
            le,
            gt,
            ..
        } => {
            if *feature >= params.features.len() {
                return Err(model_error(
                    params,
                    format!(
                        "split on feature {feature}, but there are {} features",
                        params.features.len()
                    ),
                ));
            }
            if !threshold.is_finite() {
                return Err(model_error(
                    params,
                    format!("threshold {threshold} is not finite"),
                ));
            }
            check_node(le, params)?;
            check_node(gt, params)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Before leaves are recounted, the converted tree labels every training account as
    /// linfa's own `predict` does (linfa goes left on `<`, its training on `<=`; no
    /// training value equals a midpoint threshold, so the two agree here).
    #[test]
    fn converted_tree_predicts_as_linfa_on_the_training_accounts() {
        use linfa::traits::Predict;
        let population = accounts::load(accounts::FIXTURE.as_ref()).unwrap();
        let params = TreeParams::default();
        let (profiles, y) = training_set(&params, &population).unwrap();
        let x = feature_matrix(&params.features, &profiles);
        let linfa_tree = train(&params, &x, &y).unwrap();
        let theirs: Array1<usize> = linfa_tree.predict(&x);
        let mut root = convert(
            linfa_tree.root_node(),
            params.features.len(),
            &params.labels,
        )
        .unwrap();
        // Every stand-in counts as seen, so that nobody is left unscored.
        fn seen(node: &mut Node) {
            if let Node::Split {
                missing, le, gt, ..
            } = node
            {
                *missing = 1;
                seen(le);
                seen(gt);
            }
        }
        seen(&mut root);
        let ours = GradeTree {
            root,
            params: params.clone(),
            fit_size: profiles.len(),
        };
        for (i, p) in profiles.iter().enumerate() {
            assert_eq!(
                ours.label(p),
                Label::Name(params.labels[theirs[i]].as_str().into()),
                "{}",
                p.customer_id
            );
        }
        assert_eq!(ours.root.leaves(), linfa_tree.num_leaves());
    }

    #[test]
    fn thresholds_print_rounded_without_trailing_zeros() {
        assert_eq!(round4(900.5), "900.5");
        assert_eq!(round4(30.0), "30");
        assert_eq!(round4(1237.3349999999998), "1237.335");
        assert_eq!(round4(-0.00001), "0");
    }

    #[test]
    fn validate_names_the_problem() {
        let leak = TreeParams::default().features(vec![Feature::number("manager_grade")]);
        assert_eq!(
            Classifier::validate(&leak).unwrap_err().to_string(),
            r#"pipeline: learned_grade "learned_grade": feature "manager_grade" reads the label attribute "manager_grade""#
        );
        let twice = TreeParams::default().labels(&["A", "B", "A"]);
        let err = Classifier::validate(&twice).unwrap_err();
        assert!(err.to_string().contains("listed twice"), "{err}");
        assert!(matches!(
            err,
            ConfigError::Settings {
                kind: "learned_grade",
                ..
            }
        ));
        let nan = TreeParams::default().min_impurity_decrease(f64::NAN);
        assert!(Classifier::validate(&nan).is_err());
    }

    #[test]
    fn relabel_breaks_ties_to_the_first_label_counts_stand_ins_and_merges_agreeing_leaves() {
        let leaf = || Node::Leaf {
            label: String::new(),
            samples: 0,
            agree: 0,
        };
        let split = |le: Node, gt: Node| Node::Split {
            feature: 0,
            threshold: 1.5,
            missing: 0,
            le: Box::new(le),
            gt: Box::new(gt),
        };
        // Left: one A, one B (a tie: A). Right: two A. Row 0's value is a stand-in.
        let x = Array2::from_shape_vec((4, 1), vec![1.0, 1.0, 2.0, 2.0]).unwrap();
        let known = Array2::from_shape_vec((4, 1), vec![false, true, true, true]).unwrap();
        let labels = ["A", "B"].map(String::from);
        let t = Training {
            x: &x,
            known: &known,
            y: &[1, 0, 0, 0],
            labels: &labels,
        };
        let mut node = split(leaf(), leaf());
        relabel(&mut node, &[0, 1, 2, 3], &t);
        assert_eq!(
            node,
            Node::Leaf {
                label: "A".into(),
                samples: 4,
                agree: 3
            }
        );
        // Left: B, B; right: A, A. The decision stays, with the one stand-in counted.
        let t = Training {
            y: &[1, 1, 0, 0],
            ..t
        };
        let mut node = split(leaf(), leaf());
        relabel(&mut node, &[0, 1, 2, 3], &t);
        assert!(matches!(node, Node::Split { missing: 1, .. }), "{node:?}");
    }
}
