//! What a live tiering tells its user: the labels that changed, and a customer's labels
//! with their column names.

use std::fmt;

use jiff::civil::Date;
use smol_str::SmolStr;

use crate::classify::Label;
use crate::profile::CustomerId;

/// One label that changed.
///
/// # Example
/// ```
/// use customer_tiering::classify::Label;
/// # use customer_tiering::classify::pareto::ParetoParams;
/// # use customer_tiering::incremental::TieringState;
/// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let as_of = date(2026, 3, 31);
/// # let mut history = PopulationBuilder::new(as_of);
/// # for i in 1..=100i64 {
/// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
/// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// # let fitted = pipeline.fit(&history.clone().finish()?)?;
/// # let mut state = TieringState::new(fitted, history)?;
/// // A customer seen for the first time has no label before.
/// let n01 = CustomerId::new("N01").unwrap();
/// let changes = state.add(Transaction::new(n01.clone(), as_of, 3.into()))?;
/// let change = &changes[0];
/// assert_eq!((&change.customer_id, change.column.as_str()), (&n01, "metal"));
/// assert_eq!((&change.from, &change.to), (&None, &Label::Name("lead".into())));
/// assert_eq!(change.to_string(), "N01 metal (none) -> lead on 2026-03-31");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Who.
    pub customer_id: CustomerId,
    /// The column.
    pub column: SmolStr,
    /// The label before (none for a customer seen for the first time).
    pub from: Option<Label>,
    /// The label now.
    pub to: Label,
    /// The as-of date of the change.
    pub date: Date,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = self
            .from
            .as_ref()
            .map_or_else(|| "(none)".to_string(), cell);
        write!(
            f,
            "{} {} {} -> {} on {}",
            self.customer_id,
            self.column,
            from,
            cell(&self.to),
            self.date
        )
    }
}

/// A label as a change prints it: unscored and empty (no tags) spelled out.
fn cell(label: &Label) -> String {
    match label {
        Label::Unscored(_) => "(unscored)".to_string(),
        Label::Name(name) if name.is_empty() => "(none)".to_string(),
        other => other.as_cell().into_owned(),
    }
}

/// One customer's labels, each with the name of its column, in
/// [`FittedPipeline::columns`](crate::FittedPipeline::columns) order: what
/// [`TieringState::labels`](super::TieringState::labels) returns.
///
/// Look a label up by column ([`get`](Self::get), or `labels["metal"]`), walk the
/// `(column, label)` pairs ([`iter`](Self::iter)), or take the labels alone in column
/// order ([`as_slice`](Self::as_slice)), as a row of a [`Tiering`](crate::Tiering) holds
/// them. It displays as `column=label` pairs, unscored and empty labels spelled out as a
/// [`Change`] spells them.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::incremental::TieringState;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let as_of = date(2026, 3, 31);
/// let mut history = PopulationBuilder::new(as_of);
/// for i in 1..=100i64 { // C001 spent 1, C002 spent 2, …, C100 spent 100
///     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
///     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// }
/// let pipeline = PipelineBuilder::new()
///     .classifier(ParetoParams::metals())
///     .classifier(ParetoParams::abc())
///     .build()?;
/// let state = TieringState::new(pipeline.fit(&history.clone().finish()?)?, history)?;
///
/// let labels = state.labels(&CustomerId::new("C097").unwrap()).unwrap();
/// assert_eq!(labels.to_string(), "metal=gold abc=a");
/// assert_eq!(labels["abc"].to_string(), "a");
/// let pairs: Vec<(&str, String)> = labels.iter().map(|(c, l)| (c, l.to_string())).collect();
/// assert_eq!(pairs, [("metal", "gold".to_string()), ("abc", "a".to_string())]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerLabels<'a> {
    columns: &'a [SmolStr],
    labels: Vec<Label>,
}

impl<'a> CustomerLabels<'a> {
    /// Pairs `labels` with `columns`, one label per column.
    pub(super) fn new(columns: &'a [SmolStr], labels: Vec<Label>) -> Self {
        debug_assert_eq!(columns.len(), labels.len(), "one label per column");
        CustomerLabels { columns, labels }
    }

    /// The column names, in order.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let state = TieringState::new(fitted, history)?;
    /// // metals of C001 … C100
    /// let labels = state.labels(&CustomerId::new("C100").unwrap()).unwrap();
    /// assert_eq!(labels.columns(), ["metal"]);
    /// assert_eq!(labels.columns(), state.columns());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> &'a [SmolStr] {
        self.columns
    }

    /// The label in `column`; none for a column the pipeline does not have.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let state = TieringState::new(fitted, history)?;
    /// // metals of C001 … C100, who spent 1 … 100
    /// let labels = state.labels(&CustomerId::new("C100").unwrap()).unwrap();
    /// assert_eq!(labels.get("metal"), Some(&Label::Name("platinum".into())));
    /// assert_eq!(labels.get("tier"), None); // no rule set, no tier column
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn get(&self, column: &str) -> Option<&Label> {
        let at = self.columns.iter().position(|c| c == column)?;
        self.labels.get(at)
    }

    /// The `(column, label)` pairs, in column order.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let state = TieringState::new(fitted, history)?;
    /// // metals of C001 … C100, who spent 1 … 100
    /// let labels = state.labels(&CustomerId::new("C090").unwrap()).unwrap();
    /// for (column, label) in labels.iter() {
    ///     assert_eq!(format!("{column}: {label}"), "metal: iron");
    /// }
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &Label)> + '_ {
        self.columns.iter().map(SmolStr::as_str).zip(&self.labels)
    }

    /// The labels alone, in column order: a row of a [`Tiering`](crate::Tiering).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let state = TieringState::new(fitted, history)?;
    /// // metals of C001 … C100: the same labels as a batch run of the model
    /// let id = CustomerId::new("C042").unwrap();
    /// let batch = state.tiering()?;
    /// assert_eq!(state.labels(&id).unwrap().as_slice(), batch.get("C042").unwrap());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn as_slice(&self) -> &[Label] {
        &self.labels
    }

    /// The labels alone, in column order, owned.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let state = TieringState::new(fitted, history)?;
    /// // metals of C001 … C100, who spent 1 … 100
    /// let labels = state.labels(&CustomerId::new("C001").unwrap()).unwrap();
    /// assert_eq!(labels.into_vec(), [Label::Name("lead".into())]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn into_vec(self) -> Vec<Label> {
        self.labels
    }
}

impl std::ops::Index<&str> for CustomerLabels<'_> {
    type Output = Label;

    /// The label in `column`.
    ///
    /// # Panics
    /// For a column the pipeline does not have (see [`CustomerLabels::get`]).
    fn index(&self, column: &str) -> &Label {
        self.get(column).unwrap_or_else(|| {
            panic!(
                "no column {column:?} among the live tiering's columns {:?}",
                self.columns
            )
        })
    }
}

impl fmt::Display for CustomerLabels<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (column, label)) in self.iter().enumerate() {
            let space = if i == 0 { "" } else { " " };
            write!(f, "{space}{column}={}", cell(label))?;
        }
        Ok(())
    }
}
