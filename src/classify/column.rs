//! What a classifier writes and reads: its output columns with the labels each can
//! take, and the metrics and attributes it looks at.
//!
//! # Example
//! ```
//! use customer_tiering::classify::{pareto::ParetoParams, Classifier, Column, ColumnLabels};
//! use customer_tiering::Metric;
//! let metals = ParetoParams::metals();
//! let labels = ["platinum", "gold", "iron", "lead"].map(String::from).to_vec();
//! assert_eq!(metals.columns(), [Column::new("metal", ColumnLabels::ordered(labels))]);
//! assert_eq!(metals.reads().metrics, [Metric::Monetary]);
//! ```

use crate::profile::Metric;

/// One output column of a classifier: its name and the labels it can take.
///
/// # Example
/// ```
/// use customer_tiering::classify::{Column, ColumnLabels};
/// let r = Column::new("r", ColumnLabels::Scores(5));
/// assert_eq!((r.name.as_str(), r.labels.order().unwrap().len()), ("r", 5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column's name in `tiers.csv`, rule conditions and reports: it must match
    /// `[a-z][a-z0-9_]*`, and be neither a metric's name, `customer_id` nor `tags`.
    pub name: String,
    /// The labels it can take.
    pub labels: ColumnLabels,
}

impl Column {
    /// A column named `name` taking `labels`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Column, ColumnLabels};
    /// let churn = Column::new("churn_risk", ColumnLabels::ordered(vec!["low".into(), "high".into()]));
    /// assert_eq!(churn.name, "churn_risk");
    /// ```
    pub fn new(name: impl Into<String>, labels: ColumnLabels) -> Self {
        Column {
            name: name.into(),
            labels,
        }
    }
}

/// The labels a column can take.
///
/// Rule sets are checked against them when a pipeline is built (a condition naming a
/// label the column cannot take is an error), ordered labels can be compared with
/// `<`/`>=` in conditions, and migrations between periods say who moved up or down by
/// their order.
///
/// # Example
/// ```
/// use customer_tiering::classify::ColumnLabels;
/// assert_eq!(ColumnLabels::Scores(3).order().unwrap(), ["3", "2", "1"]);
/// let stages = ColumnLabels::unordered(vec!["new".into(), "active".into()]);
/// assert_eq!(stages.order(), None);
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
    /// Named labels in their order, best first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::ColumnLabels;
    /// let abc = ColumnLabels::ordered(vec!["a".into(), "b".into(), "c".into()]);
    /// assert_eq!(abc.order().unwrap(), ["a", "b", "c"]);
    /// ```
    pub fn ordered(labels: Vec<String>) -> Self {
        ColumnLabels::Named {
            labels,
            ordered: true,
        }
    }

    /// Named labels without an order (segments, stages).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::ColumnLabels;
    /// let any = ColumnLabels::unordered(Vec::new()); // any label at all
    /// assert_eq!(any.order(), None);
    /// ```
    pub fn unordered(labels: Vec<String>) -> Self {
        ColumnLabels::Named {
            labels,
            ordered: false,
        }
    }

    /// The labels best first, when they have an order (scores: `k` down to `1`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::ColumnLabels;
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
}

/// The metrics and attributes a classifier (or rule) reads.
///
/// A pipeline computes a metric only when something in it reads it (a profile's
/// `growth` costs a division per customer), so a classifier or rule must list every
/// metric it reads: one it leaves out may have no value in a live tiering. The
/// attributes of rule logic are checked when a pipeline is built (a known attribute, or
/// one declared with [`PipelineBuilder::attributes`](crate::PipelineBuilder::attributes));
/// a classifier's are informative.
///
/// # Example
/// ```
/// use customer_tiering::classify::Reads;
/// use customer_tiering::Metric;
/// let reads = Reads::metrics([Metric::Monetary, Metric::Growth]).attribute("churn_score");
/// assert!(reads.metrics.contains(&Metric::Growth));
/// assert_eq!(reads.attributes, ["churn_score"]);
/// // What a classifier that says nothing is assumed to read: every metric.
/// assert_eq!(Reads::default().metrics.len(), Metric::ALL.len());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reads {
    /// The metrics read.
    pub metrics: Vec<Metric>,
    /// The attributes read, by name.
    pub attributes: Vec<String>,
}

impl Default for Reads {
    /// Every metric and no attribute: the safe assumption for a classifier that does
    /// not say what it reads.
    fn default() -> Self {
        Reads::metrics(Metric::ALL)
    }
}

impl Reads {
    /// Nothing at all.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Reads;
    /// assert!(Reads::nothing().metrics.is_empty());
    /// ```
    pub fn nothing() -> Self {
        Reads {
            metrics: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// These metrics and no attribute.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Reads;
    /// use customer_tiering::Metric;
    /// let reads = Reads::metrics([Metric::RecencyDays, Metric::Frequency]);
    /// assert_eq!(reads.metrics.len(), 2);
    /// ```
    pub fn metrics(metrics: impl IntoIterator<Item = Metric>) -> Self {
        let mut reads = Reads::nothing();
        for metric in metrics {
            reads.add_metric(metric);
        }
        reads
    }

    /// These reads and the attribute `name` too.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Reads;
    /// assert_eq!(Reads::nothing().attribute("status").attributes, ["status"]);
    /// ```
    #[must_use]
    pub fn attribute(mut self, name: impl Into<String>) -> Self {
        self.add_attribute(name.into());
        self
    }

    /// Adds a metric once.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Reads;
    /// use customer_tiering::Metric;
    /// let mut reads = Reads::nothing();
    /// reads.add_metric(Metric::Profit);
    /// reads.add_metric(Metric::Profit);
    /// assert_eq!(reads.metrics, [Metric::Profit]);
    /// ```
    pub fn add_metric(&mut self, metric: Metric) {
        if !self.metrics.contains(&metric) {
            self.metrics.push(metric);
        }
    }

    /// Adds an attribute once; a name that is a metric's adds the metric.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Reads;
    /// use customer_tiering::Metric;
    /// let mut reads = Reads::nothing();
    /// reads.add_attribute("size".into());
    /// reads.add_attribute("tenure_days".into()); // a metric
    /// assert_eq!((reads.attributes.len(), reads.metrics[0]), (1, Metric::TenureDays));
    /// ```
    pub fn add_attribute(&mut self, name: String) {
        if let Some(metric) = Metric::ALL.into_iter().find(|m| m.name() == name) {
            self.add_metric(metric);
        } else if !self.attributes.contains(&name) {
            self.attributes.push(name);
        }
    }

    /// Adds everything `other` reads.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Reads;
    /// use customer_tiering::Metric;
    /// let mut reads = Reads::metrics([Metric::Monetary]);
    /// reads.extend(Reads::nothing().attribute("status"));
    /// assert_eq!((reads.metrics.len(), reads.attributes.len()), (1, 1));
    /// ```
    pub fn extend(&mut self, other: Reads) {
        for metric in other.metrics {
            self.add_metric(metric);
        }
        for name in other.attributes {
            self.add_attribute(name);
        }
    }
}
