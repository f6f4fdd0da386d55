//! Incremental re-tiering (SPEC §13): a live tiering that takes one transaction at a
//! time.
//!
//! A [`TieringState`] holds every customer's purchases (reduced as SPEC §2 needs them)
//! and a fitted pipeline. [`add`](TieringState::add) updates one customer's profile
//! exactly and re-classifies that customer with the current model — no refit — so a
//! new order changes its tier at once. The result always equals rebuilding the profile
//! from all its transactions and classifying it with the same model.
//! [`advance_to`](TieringState::advance_to) moves the as-of date (recency grows, and
//! everyone is re-classified); [`drift`](TieringState::drift) says how many customers a
//! refit would relabel; [`refit`](TieringState::refit) refits on demand.
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::pareto::ParetoParams;
//! use customer_tiering::incremental::TieringState;
//! use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//!
//! let as_of = date(2026, 3, 31);
//! let mut history = PopulationBuilder::new(as_of);
//! for i in 1..=100i64 { // C001 spent 1, C002 spent 2, …, C100 spent 100
//!     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
//!     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
//! }
//! let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
//! let fitted = pipeline.fit(&history.clone().finish()?)?;
//! let mut state = TieringState::new(fitted.clone(), history.clone())?;
//!
//! // An order of 7 takes C090 from 90 to 97, past the gold threshold 96: at once.
//! let order = Transaction::new(CustomerId::new("C090").unwrap(), as_of, 7.into());
//! let changes = state.add(order.clone())?;
//! assert_eq!(changes[0].to_string(), "C090 metal iron -> gold on 2026-03-31");
//!
//! // The same as a batch run of the same model over every transaction.
//! history.add(order)?;
//! assert_eq!(state.tiering()?, fitted.classify_all(&history.finish()?));
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use crate::classify::{Label, Unscored};
use crate::error::{Error, PopulationProblem};
use crate::metrics::{Accumulator, IdMap, PopulationBuilder, profile_of, profile_with};
use crate::pipeline::{FittedPipeline, RuleContext, Tiering};
use crate::profile::{CustomerId, Metric, Population, Transaction};
use smol_str::SmolStr;

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

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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

/// A live tiering: purchases so far, a fitted pipeline, and every customer's labels.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::incremental::TieringState;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let as_of = date(2026, 3, 31);
/// let mut history = PopulationBuilder::new(as_of);
/// for i in 1..=100i64 {
///     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
///     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// }
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let fitted = pipeline.fit(&history.clone().finish()?)?;
/// let mut state = TieringState::new(fitted, history)?;
/// // C050 orders for 60 more: 110 in all, above every other customer.
/// let changes = state.add(Transaction::new(CustomerId::new("C050").unwrap(), as_of, 60.into()))?;
/// assert_eq!(changes[0].to_string(), "C050 metal lead -> platinum on 2026-03-31");
/// // A refit would move the thresholds: C100 to gold, C096 to iron, C081 to lead.
/// assert_eq!(state.drift()?["metal"], 3);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TieringState {
    as_of: Date,
    window_days: u32,
    /// Purchases and labels side by side: one lookup per order.
    customers: IdMap<Entry>,
    fitted: FittedPipeline,
    columns: Vec<SmolStr>,
    /// The labels seen, by column, so that an entry can keep them as small codes.
    codebook: Codebook,
    /// Whether anything in the pipeline can read `growth` (see [`reads_growth`]).
    growth: bool,
    /// What the rule sets see of the columns, worked out once.
    context: RuleContext,
    /// Reused for each customer's new labels.
    scratch: Vec<Label>,
}

#[derive(Debug, Clone)]
struct Entry {
    purchases: Accumulator,
    /// The labels as codes of the codebook, in the entry itself: comparing them costs
    /// no second trip to memory (a live state is too big for the cache).
    labels: Codes,
}

impl TieringState {
    /// A state from a fitted pipeline and the purchases so far (at the builder's as-of
    /// date); every customer is classified.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a customer's sums leave the decimal range.
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
    /// // history: C001 … C100, who spent 1 … 100; fitted: metals on them.
    /// let state = TieringState::new(fitted, history)?;
    /// assert_eq!(state.len(), 100);
    /// let c100 = CustomerId::new("C100").unwrap();
    /// assert_eq!(state.labels(&c100), Some(vec![Label::Name("platinum".into())]));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new(fitted: FittedPipeline, history: PopulationBuilder) -> Result<Self, Error> {
        let (as_of, window_days, purchases) = history.into_parts();
        let columns = fitted.columns().iter().map(SmolStr::new).collect();
        let mut state = TieringState {
            as_of,
            window_days,
            customers: IdMap::default(),
            codebook: Codebook::new(fitted.columns().len()),
            growth: reads_growth(&fitted)?,
            context: fitted.rule_context(),
            fitted,
            columns,
            scratch: Vec::new(),
        };
        let mut ignored = Vec::new();
        for (id, purchases) in purchases {
            let mut entry = Entry {
                purchases,
                labels: Codes::new(state.columns.len()),
            };
            relabel(
                (&state.fitted, &state.context),
                &state.columns,
                &mut state.codebook,
                (as_of, window_days, state.growth),
                &id,
                &mut entry,
                &mut state.scratch,
                &mut ignored,
            )?;
            ignored.clear();
            state.customers.insert(id, entry);
        }
        Ok(state)
    }

    /// The current as-of date.
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// // A live tiering built from purchases as of 2026-03-31.
    /// assert_eq!(state.as_of(), date(2026, 3, 31));
    /// state.advance_to(date(2026, 4, 30))?;
    /// assert_eq!(state.as_of(), date(2026, 4, 30));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// The pipeline classifying.
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// // metals fitted on C001 … C100
    /// assert_eq!(state.fitted().columns(), ["metal"]);
    /// assert_eq!(state.fitted().fit_size(), 100);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fitted(&self) -> &FittedPipeline {
        &self.fitted
    }

    /// The number of customers.
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// // C001 … C100; a new customer makes 101, a second order of theirs does not.
    /// assert_eq!(state.len(), 100);
    /// let n01 = CustomerId::new("N01").unwrap();
    /// state.add(Transaction::new(n01.clone(), as_of, 3.into()))?;
    /// state.add(Transaction::new(n01, as_of, 4.into()))?;
    /// assert_eq!(state.len(), 101);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether no customer has bought anything yet.
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
    /// // A live tiering may start before any order, with a model fitted elsewhere.
    /// let mut state = TieringState::new(fitted, PopulationBuilder::new(as_of))?;
    /// assert!(state.is_empty());
    /// state.add(Transaction::new(CustomerId::new("N01").unwrap(), as_of, 3.into()))?;
    /// assert!(!state.is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// A customer's labels, in [`FittedPipeline::columns`] order.
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// // metals of C001 … C100, who spent 1 … 100
    /// let labels = state.labels(&CustomerId::new("C097").unwrap()).unwrap();
    /// assert_eq!(labels[0].to_string(), "gold");
    /// assert_eq!(state.labels(&CustomerId::new("N01").unwrap()), None); // never bought
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn labels(&self, id: &CustomerId) -> Option<Vec<Label>> {
        let entry = self.customers.get(id)?;
        Some(
            entry
                .labels
                .as_slice()
                .iter()
                .enumerate()
                .filter_map(|(column, code)| self.codebook.decode(column, *code))
                .collect(),
        )
    }

    /// Adds one transaction dated on or before the as-of date: the customer's profile
    /// is updated exactly and re-classified with the current model. Returns the labels
    /// that changed.
    ///
    /// # Errors
    /// [`Error::Population`] ([`PopulationProblem::AfterAsOf`]) for a transaction after
    /// the as-of date (call [`advance_to`](Self::advance_to) first); [`Error::Overflow`]
    /// when a sum leaves the decimal range.
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// // metals of C001 … C100, who spent 1 … 100; thresholds 100, 96, 81.
    /// let c001 = CustomerId::new("C001").unwrap();
    /// // 2 in all: still lead, nothing changed.
    /// assert!(state.add(Transaction::new(c001.clone(), as_of, 1.into()))?.is_empty());
    /// let changes = state.add(Transaction::new(c001.clone(), as_of, 100.into()))?;
    /// assert_eq!(changes[0].to_string(), "C001 metal lead -> platinum on 2026-03-31");
    ///
    /// let err = state.add(Transaction::new(c001, date(2026, 4, 1), 5.into())).unwrap_err();
    /// assert!(err.to_string().ends_with("after the as-of date 2026-03-31: advance_to it first"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn add(&mut self, tx: Transaction) -> Result<Vec<Change>, Error> {
        if tx.date > self.as_of {
            return Err(Error::Population {
                reason: PopulationProblem::AfterAsOf {
                    customer: tx.customer_id.to_string(),
                    date: tx.date,
                    as_of: self.as_of,
                },
            });
        }
        let mut changes = Vec::new();
        let entry = match self.customers.get_mut(&tx.customer_id) {
            Some(entry) => entry,
            None => self
                .customers
                .entry(tx.customer_id.clone())
                .or_insert(Entry {
                    purchases: Accumulator::default(),
                    labels: Codes::new(self.columns.len()),
                }),
        };
        entry.purchases.add(&tx)?;
        relabel(
            (&self.fitted, &self.context),
            &self.columns,
            &mut self.codebook,
            (self.as_of, self.window_days, self.growth),
            &tx.customer_id,
            entry,
            &mut self.scratch,
            &mut changes,
        )?;
        Ok(changes)
    }

    /// Moves the as-of date forward and re-classifies everyone (recency grows, windows
    /// slide). Returns the labels that changed, sorted by customer.
    ///
    /// # Errors
    /// [`Error::Population`] ([`PopulationProblem::AsOfBack`]) for an earlier date;
    /// [`Error::Overflow`] as [`add`](Self::add).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::lifecycle::LifecycleParams;
    /// use customer_tiering::incremental::TieringState;
    /// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let c1 = CustomerId::new("C1").unwrap();
    /// let mut history = PopulationBuilder::new(date(2026, 3, 31));
    /// history.add(Transaction::new(c1.clone(), date(2025, 1, 10), 10.into()))?;
    /// history.add(Transaction::new(c1.clone(), date(2026, 3, 1), 10.into()))?;
    /// let pipeline = PipelineBuilder::new().classifier(LifecycleParams::default()).build()?;
    /// let mut state = TieringState::new(pipeline.fit(&history.clone().finish()?)?, history)?;
    /// // Last order 30 days ago: active.
    /// assert_eq!(state.labels(&c1).unwrap()[0].to_string(), "active");
    ///
    /// let changes = state.advance_to(date(2026, 6, 30))?; // 121 days: more than 90
    /// assert_eq!(changes[0].to_string(), "C1 lifecycle active -> dormant on 2026-06-30");
    /// assert!(state.advance_to(date(2026, 6, 1)).is_err()); // never back
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn advance_to(&mut self, date: Date) -> Result<Vec<Change>, Error> {
        if date < self.as_of {
            return Err(Error::Population {
                reason: PopulationProblem::AsOfBack {
                    from: self.as_of,
                    to: date,
                },
            });
        }
        if date == self.as_of {
            return Ok(Vec::new());
        }
        self.as_of = date;
        self.relabel_everyone()
    }

    /// Re-classifies every customer; the changes sorted by customer.
    fn relabel_everyone(&mut self) -> Result<Vec<Change>, Error> {
        let mut changes = Vec::new();
        for (id, entry) in &mut self.customers {
            relabel(
                (&self.fitted, &self.context),
                &self.columns,
                &mut self.codebook,
                (self.as_of, self.window_days, self.growth),
                id,
                entry,
                &mut self.scratch,
                &mut changes,
            )?;
        }
        changes.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        Ok(changes)
    }

    /// Every customer's profile at the as-of date.
    ///
    /// # Errors
    /// [`Error::Overflow`] as [`add`](Self::add).
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// use rust_decimal::dec;
    /// // C050 spent 50 on 2026-03-01, and now 9.50 more.
    /// let c050 = CustomerId::new("C050").unwrap();
    /// state.add(Transaction::new(c050, as_of, dec!(9.50)))?;
    /// let population = state.population()?;
    /// let profile = population.get("C050").unwrap();
    /// assert_eq!((profile.monetary, profile.frequency), (dec!(59.50), 2));
    /// assert_eq!(population.len(), 100);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn population(&self) -> Result<Population, Error> {
        let window = i64::from(self.window_days);
        let profiles = self
            .customers
            .iter()
            .map(|(id, entry)| profile_of(id.clone(), &entry.purchases, self.as_of, window))
            .collect::<Result<Vec<_>, Error>>()?;
        Population::new(self.as_of, profiles)
    }

    /// Every customer's current labels, sorted by id (with [`population`](Self::population),
    /// what `tiers.csv` shows).
    ///
    /// # Errors
    /// [`Error::Overflow`] as [`add`](Self::add).
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// // metals fitted on C001 … C100, who spent 1 … 100; a newcomer spends 500.
    /// state.add(Transaction::new(CustomerId::new("N01").unwrap(), as_of, 500.into()))?;
    /// let tiering = state.tiering()?;
    /// assert_eq!(tiering.len(), 101);
    /// assert_eq!(tiering.label("N01", "metal").unwrap().to_string(), "platinum");
    /// assert_eq!(tiering.counts()["metal"]["platinum"], 2); // no refit: C100 keeps platinum
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn tiering(&self) -> Result<Tiering, Error> {
        Ok(self.fitted.classify_all(&self.population()?))
    }

    /// How many customers a refit now would relabel, per column: the current model's
    /// labels against those of a model fitted on the current population.
    ///
    /// # Errors
    /// As [`Pipeline::fit`](crate::Pipeline::fit).
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// // metals fitted on C001 … C100, who spent 1 … 100: thresholds 100, 96, 81.
    /// assert_eq!(state.drift()?["metal"], 0);
    /// for n in 1..=5 {
    ///     let id = CustomerId::new(&format!("N{n:02}")).unwrap();
    ///     state.add(Transaction::new(id, as_of, 200.into()))?;
    /// }
    /// // Refitted on 105 buyers, the thresholds would be 200, 100, 85: C100 would fall to
    /// // gold, C096 … C099 to iron, C081 … C084 to lead.
    /// assert_eq!(state.drift()?["metal"], 9);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn drift(&self) -> Result<BTreeMap<String, u64>, Error> {
        let population = self.population()?;
        let refitted = self.fitted.pipeline().fit(&population)?;
        let (now, then) = (
            self.fitted.classify_all(&population),
            refitted.classify_all(&population),
        );
        let mut drift: BTreeMap<String, u64> =
            self.columns.iter().map(|c| (c.to_string(), 0)).collect();
        for ((_, a), (_, b)) in now.rows().zip(then.rows()) {
            for (i, column) in self.columns.iter().enumerate() {
                if a[i] != b[i] {
                    *drift.get_mut(column.as_str()).expect("every column") += 1;
                }
            }
        }
        Ok(drift)
    }

    /// Refits the pipeline on the current population and re-classifies everyone.
    ///
    /// # Errors
    /// As [`Pipeline::fit`](crate::Pipeline::fit).
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
    /// # let mut state = TieringState::new(fitted, history)?;
    /// // metals fitted on C001 … C100, who spent 1 … 100; C050 orders 60 more (110 in all).
    /// state.add(Transaction::new(CustomerId::new("C050").unwrap(), as_of, 60.into()))?;
    /// assert_eq!(state.drift()?["metal"], 3);
    /// state.refit()?;
    /// assert_eq!(state.drift()?["metal"], 0);
    /// let c100 = state.labels(&CustomerId::new("C100").unwrap()).unwrap();
    /// assert_eq!(c100[0].to_string(), "gold"); // C050 alone is platinum now
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn refit(&mut self) -> Result<(), Error> {
        self.fitted = self.fitted.pipeline().fit(&self.population()?)?;
        self.columns = self.fitted.columns().iter().map(SmolStr::new).collect();
        self.codebook = Codebook::new(self.columns.len());
        self.growth = reads_growth(&self.fitted)?;
        self.context = self.fitted.rule_context();
        for entry in self.customers.values_mut() {
            entry.labels = Codes::new(self.columns.len());
        }
        self.relabel_everyone().map(drop)
    }
}

/// Whether any model or rule of `fitted` reads a profile's `growth`: profiles for
/// classifying skip its division otherwise.
fn reads_growth(fitted: &FittedPipeline) -> Result<bool, Error> {
    Ok(fitted.reads().metrics.contains(&Metric::Growth))
}

/// Re-profiles and re-classifies one customer, recording what changed.
#[allow(clippy::too_many_arguments)] // the state's fields, borrowed apart
fn relabel(
    (fitted, context): (&FittedPipeline, &RuleContext),
    columns: &[SmolStr],
    codebook: &mut Codebook,
    (as_of, window_days, growth): (Date, u32, bool),
    id: &CustomerId,
    entry: &mut Entry,
    scratch: &mut Vec<Label>,
    changes: &mut Vec<Change>,
) -> Result<(), Error> {
    let profile = profile_with(
        id.clone(),
        &entry.purchases,
        as_of,
        i64::from(window_days),
        growth,
    )?;
    scratch.clear();
    fitted.classify_with(&profile, context, scratch);
    let codes = entry.labels.as_mut_slice();
    for (i, column) in columns.iter().enumerate() {
        let code = codebook.encode(i, &scratch[i])?;
        if codes[i] != code {
            changes.push(Change {
                customer_id: id.clone(),
                column: column.clone(),
                from: codebook.decode(i, codes[i]),
                to: scratch[i].clone(),
                date: as_of,
            });
            codes[i] = code;
        }
    }
    Ok(())
}

/// Columns whose codes an entry keeps in place; more go to the heap.
const IN_PLACE: usize = 16;

/// A customer's label codes, one per column; 0 = not labelled yet.
#[derive(Debug, Clone)]
enum Codes {
    InPlace([u16; IN_PLACE]),
    Heap(Box<[u16]>),
}

impl Codes {
    fn new(columns: usize) -> Self {
        if columns <= IN_PLACE {
            Codes::InPlace([0; IN_PLACE])
        } else {
            Codes::Heap(vec![0; columns].into_boxed_slice())
        }
    }

    fn as_slice(&self) -> &[u16] {
        match self {
            Codes::InPlace(codes) => codes,
            Codes::Heap(codes) => codes,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [u16] {
        match self {
            Codes::InPlace(codes) => codes,
            Codes::Heap(codes) => codes,
        }
    }
}

/// Label ↔ code, per column: scores are their value (1..=10), unscored reasons
/// `UNSCORED + n`, names `NAMES +` their index in the column's list of names seen.
#[derive(Debug, Clone, Default)]
struct Codebook {
    names: Vec<Vec<SmolStr>>,
    /// Per column, name → index in `names` (tag combinations can be many).
    index: Vec<HashMap<SmolStr, usize, foldhash::fast::RandomState>>,
    /// The reasons for no label met so far, in every column (an application's
    /// classifier may give reasons of its own).
    reasons: Vec<Unscored>,
}

const NAMES: u16 = 0x100;
const UNSCORED: u16 = 0xF000;

impl Codebook {
    fn new(columns: usize) -> Self {
        Codebook {
            names: vec![Vec::new(); columns],
            index: vec![HashMap::default(); columns],
            reasons: Vec::new(),
        }
    }

    /// The code of a label.
    ///
    /// # Errors
    /// [`Error::TooManyLabels`] past 61 184 distinct names in one column (only tag
    /// combinations could get there).
    fn encode(&mut self, column: usize, label: &Label) -> Result<u16, Error> {
        Ok(match label {
            Label::Score(score) => u16::from(*score),
            Label::Unscored(why) => {
                let at = self
                    .reasons
                    .iter()
                    .position(|r| r == why)
                    .unwrap_or_else(|| {
                        self.reasons.push(why.clone());
                        self.reasons.len() - 1
                    });
                match u16::try_from(at) {
                    Ok(at) if at <= u16::MAX - UNSCORED => UNSCORED + at,
                    _ => {
                        return Err(Error::TooManyLabels { column: None });
                    }
                }
            }
            Label::Name(name) => {
                let (names, index) = (&mut self.names[column], &mut self.index[column]);
                // A scan beats hashing for the few labels of a tier scheme.
                let found = if names.len() <= 16 {
                    names.iter().position(|n| n == name)
                } else {
                    index.get(name).copied()
                };
                let index = found.unwrap_or_else(|| {
                    names.push(name.clone());
                    index.insert(name.clone(), names.len() - 1);
                    names.len() - 1
                });
                match u16::try_from(index) {
                    Ok(index) if index < UNSCORED - NAMES => NAMES + index,
                    _ => {
                        return Err(Error::TooManyLabels {
                            column: Some(column),
                        });
                    }
                }
            }
        })
    }

    /// The label of a code; none for 0 (not labelled yet).
    fn decode(&self, column: usize, code: u16) -> Option<Label> {
        match code {
            0 => None,
            1..NAMES => Some(Label::Score(code as u8)),
            NAMES..UNSCORED => Some(Label::Name(
                self.names[column][usize::from(code - NAMES)].clone(),
            )),
            _ => self
                .reasons
                .get(usize::from(code - UNSCORED))
                .cloned()
                .map(Label::Unscored),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_every_kind_of_label() {
        let mut book = Codebook::new(2);
        let labels = [
            Label::Score(1),
            Label::Score(10),
            Label::Name("gold".into()),
            Label::Name("lead".into()),
            Label::Unscored(Unscored::NoPurchases),
            Label::Unscored(Unscored::NoRuleMatched),
        ];
        for label in &labels {
            let code = book.encode(1, label).unwrap();
            assert_ne!(code, 0, "0 means not labelled yet");
            assert_eq!(book.decode(1, code).as_ref(), Some(label));
        }
        assert_eq!(book.encode(1, &Label::Name("gold".into())).unwrap(), NAMES);
        assert_eq!(book.decode(0, 0), None);
    }

    #[test]
    fn growth_is_computed_exactly_when_the_pipeline_can_read_it() {
        use crate::classify::rfm::RfmParams;
        use crate::{PipelineBuilder, presets};
        use jiff::civil::date;
        let as_of = date(2026, 3, 31);
        let mut history = PopulationBuilder::new(as_of);
        for (i, day) in [date(2025, 1, 10), date(2026, 2, 1)]
            .into_iter()
            .enumerate()
        {
            let id = CustomerId::new("C1").unwrap();
            history
                .add(Transaction::new(
                    id,
                    day,
                    rust_decimal::Decimal::from(10 + i),
                ))
                .unwrap();
        }
        let population = history.clone().finish().unwrap();
        let fit = |builder: PipelineBuilder| builder.build().unwrap().fit(&population).unwrap();
        let rfm = fit(PipelineBuilder::new().classifier(RfmParams::default()));
        let graded =
            fit(PipelineBuilder::new().classifier(presets::classifier("four-dimension").unwrap()));
        assert!(!reads_growth(&rfm).unwrap());
        assert!(reads_growth(&graded).unwrap());
        // With growth read, the live labels equal the batch ones (potential high).
        let state = TieringState::new(graded.clone(), history).unwrap();
        let id = CustomerId::new("C1").unwrap();
        assert_eq!(
            state.labels(&id).unwrap(),
            graded.classify_all(&population).get("C1").unwrap()
        );
    }

    #[test]
    fn rule_sets_apply_in_a_live_tiering_as_in_a_batch() {
        use crate::PipelineBuilder;
        use crate::classify::pareto::ParetoParams;
        use crate::rules::RuleSet;
        use jiff::civil::date;
        let as_of = date(2026, 3, 31);
        let mut history = PopulationBuilder::new(as_of);
        for i in 1..=50i64 {
            let id = CustomerId::new(&format!("C{i:02}")).unwrap();
            history
                .add(Transaction::new(id, date(2026, 3, 1), i.into()))
                .unwrap();
        }
        let rules = RuleSet::from_toml_str(
            "t.toml",
            "name = \"t\"\ntiers = [\"top\", \"rest\"]\ndefault = \"rest\"\n[[rules]]\nwhen = 'metal >= \"gold\"'\ntier = \"top\"\n[[rules]]\nwhen = 'monetary > 45'\ntag = \"big\"\n",
        )
        .unwrap();
        let pipeline = PipelineBuilder::new()
            .classifier(ParetoParams::metals())
            .rules(rules)
            .build()
            .unwrap();
        let fitted = pipeline.fit(&history.clone().finish().unwrap()).unwrap();
        let mut state = TieringState::new(fitted.clone(), history).unwrap();
        let c10 = CustomerId::new("C10").unwrap();
        let changes = state
            .add(Transaction::new(c10.clone(), as_of, 100.into()))
            .unwrap();
        let moved: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            moved,
            [
                "C10 metal lead -> platinum on 2026-03-31",
                "C10 tier rest -> top on 2026-03-31",
                "C10 tags (none) -> big on 2026-03-31"
            ]
        );
        let batch = fitted.classify_all(&state.population().unwrap());
        assert_eq!(state.labels(&c10).unwrap(), batch.get("C10").unwrap());
    }

    #[test]
    fn too_many_names_in_a_column_is_an_error_not_a_wrong_label() {
        let mut book = Codebook::new(1);
        for i in 0..(UNSCORED - NAMES) {
            book.encode(0, &Label::Name(SmolStr::new(i.to_string())))
                .unwrap();
        }
        let err = book.encode(0, &Label::Name("one more".into())).unwrap_err();
        assert!(
            err.to_string().contains("too many distinct labels"),
            "{err}"
        );
    }
}
