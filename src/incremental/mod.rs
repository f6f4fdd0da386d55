//! Incremental re-tiering ([incremental update](crate::definitions#incremental-update)): a
//! live tiering that takes one transaction at a time.
//!
//! A [`TieringState`] holds every customer's purchases (reduced as the [profile
//! metrics](crate::definitions#profile-metrics) need them) and a fitted pipeline.
//! [`add`](TieringState::add) updates one customer's profile exactly and re-classifies that
//! customer with the current model — no refit — so a new order changes its tier at once.
//! The result always equals rebuilding the profile from all its transactions and
//! classifying it with the same model. [`advance_to`](TieringState::advance_to) moves the
//! as-of date (recency grows, and everyone is re-classified);
//! [`drift`](TieringState::drift) says how many customers a refit would relabel;
//! [`refit`](TieringState::refit) refits on demand.
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
//!
//! Labels come with their column names: [`columns`](TieringState::columns) lists them,
//! [`labels`](TieringState::labels) pairs each of a customer's labels with its column
//! ([`CustomerLabels`]), and every [`Change`] names its column.
//!
//! # Snapshots
//!
//! A live service does not re-read its whole history when it restarts: it saves the
//! state with [`snapshot`](TieringState::snapshot) (or atomically into a file with
//! [`snapshot_to_path`](TieringState::snapshot_to_path)) and starts again from it with
//! [`restore`](TieringState::restore) ([`restore_from_path`](TieringState::restore_from_path)).
//! A snapshot holds everything the state holds — the fitted pipeline, the as-of date and
//! window, every customer's accumulated purchases and current labels — so the restored
//! state goes on exactly as the one that never stopped: the same labels, the same
//! changes for the same orders, the same drift, and still equal to a batch rebuild.
//!
//! Restoring takes the application's [`Registry`](crate::Registry), which loads the
//! classifier kinds the pipeline names (its own as well as the built-ins), and checks the
//! document as a saved model is checked ([output
//! safety](crate::definitions#output-safety)): a bad snapshot is an [`Error::Snapshot`]
//! naming the snapshot, the line and what is wrong there.
//!
//! ```
//! use customer_tiering::classify::pareto::ParetoParams;
//! use customer_tiering::Registry;
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
//! let mut live = TieringState::new(pipeline.fit(&history.clone().finish()?)?, history)?;
//! let c090 = CustomerId::new("C090").unwrap();
//! live.add(Transaction::new(c090.clone(), as_of, 3.into()))?; // 93: still iron
//!
//! // Save the state (a file would do as well: `snapshot_to_path`) …
//! let mut saved = Vec::new();
//! live.snapshot("state.jsonl", &mut saved)?;
//! // … and after a restart, go on from it: no history is read again.
//! let mut restored = TieringState::restore("state.jsonl", saved.as_slice(), &Registry::builtin())?;
//! assert_eq!(restored.labels(&c090), live.labels(&c090));
//!
//! // The next order changes the same label in both, from the same label.
//! let order = Transaction::new(c090.clone(), as_of, 4.into()); // 97: gold
//! let changes = restored.add(order.clone())?;
//! assert_eq!(changes, live.add(order)?);
//! assert_eq!(changes[0].to_string(), "C090 metal iron -> gold on 2026-03-31");
//! assert_eq!(restored.tiering()?, live.tiering()?);
//!
//! // The same state always gives the same bytes (see `definitions`, determinism).
//! let (mut again, mut other) = (Vec::new(), Vec::new());
//! restored.snapshot("a", &mut again)?;
//! live.snapshot("b", &mut other)?;
//! assert_eq!(again, other);
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! ## The snapshot format
//!
//! A snapshot is UTF-8 [JSON lines](https://jsonlines.org/), one JSON object per line,
//! each line ended by `\n`. Line 1 is the header:
//!
//! | key | value |
//! |---|---|
//! | `format` | [`SNAPSHOT_FORMAT`], `"customer-tiering-state"` |
//! | `version` | [`SNAPSHOT_VERSION`], `1`: a snapshot of another version is refused, never read wrongly |
//! | `as_of` | the state's as-of date, `YYYY-MM-DD` |
//! | `window_days` | the window of `monetary_current` / `monetary_previous` ([profile metrics](crate::definitions#profile-metrics)), at least 1 |
//! | `customers` | how many customer lines follow (a cut-off snapshot is an error, not a smaller state) |
//! | `columns` | the label columns, in order: [`FittedPipeline::columns`] |
//! | `pipeline` | the fitted pipeline, as [`FittedPipeline::to_json`] writes it (on one line) |
//!
//! Then one line per customer, in `customer_id` byte order (each id once):
//!
//! | key | value |
//! |---|---|
//! | `id` | the customer id ([inputs](crate::definitions#inputs), as [`CustomerId`] holds it: trimmed, 1..=128 bytes) |
//! | `days` | every distinct purchase date with the exact sum of that day's amounts: `[["2026-03-01", "12.50"], …]`, dates ascending, none after `as_of`, at least one |
//! | `transactions` | the number of transaction rows, at least the number of days |
//! | `profit` | the exact sum of the profits, when a row had one (else absent) |
//! | `products` | the distinct product codes, sorted (absent when none) |
//! | `labels` | one label per column, in `columns` order: a score as a number (`4`), a name as a string (`"gold"`; the `tags` column's tags joined by `;`, `""` for none), no label as `{"unscored": REASON}` (`"no_purchases"`, `"missing_metric"`, `"no_segment_map"`, `"no_rule_matched"` or `{"other": "…"}`) |
//!
//! Money is a decimal string, exact, with the scale of the sum (`"12.50"`, never a JSON
//! number, which would go through a float; a zero is written without a sign); dates
//! never carry a time. Nothing else is allowed: an unknown key, a second header, a blank
//! line or a line after the last customer is an error.
//!
//! ```text
//! {"format":"customer-tiering-state","version":1,"as_of":"2026-03-31","window_days":365,"customers":2,"columns":["metal"],"pipeline":{"format_version":1,…}}
//! {"id":"C001","days":[["2026-03-01","1"]],"transactions":1,"labels":["lead"]}
//! {"id":"C002","days":[["2026-02-10","0.50"],["2026-03-01","2"]],"transactions":3,"profit":"0.75","products":["P1","P7"],"labels":["gold"]}
//! ```
//!
//! Restoring checks the version first, then loads the pipeline through the registry
//! (every model's invariants and every rule set, as [`FittedPipeline::from_json_with`]
//! does) and checks that `columns` are its columns; then each customer: a valid id
//! after the previous one, valid dates in order on or before `as_of`, decimals exactly
//! as this crate writes them (`1_000`, `+5`, `1e3`, `.5` are refused, never rounded), a
//! plausible count, sorted products, and one label per column that the column can take
//! (a score within the column's bins, a name among its labels, any reason for no label;
//! for `tags`, any text). The labels are taken as saved: they are what the next change
//! reports as `from`. A snapshot is read line by line, never whole, and written the
//! same way (beside the state, writing needs only the customers' order: a reference of
//! 16 bytes per customer), so a state of a million customers is never in memory twice.

use std::collections::BTreeMap;

use jiff::civil::Date;
use smol_str::SmolStr;

use crate::classify::Label;
use crate::error::{Error, PopulationProblem};
use crate::metrics::{Accumulator, IdMap, PopulationBuilder, profile_of, profile_with};
use crate::pipeline::{FittedPipeline, RuleContext, Tiering};
use crate::profile::{CustomerId, Metric, Population, Transaction};

mod codes;
mod labels;
mod snapshot;

use codes::{Codebook, Codes};
pub use labels::{Change, CustomerLabels};
pub use snapshot::{SNAPSHOT_FORMAT, SNAPSHOT_VERSION};

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
    /// no second trip to memory (a live state is too big for the cache). Every column
    /// has one (no 0) in every entry of a state: an entry joins the state labelled, and
    /// a refit relabels everyone before it changes anything.
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
    /// assert_eq!(state.labels(&c100).unwrap()["metal"], Label::Name("platinum".into()));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new(fitted: FittedPipeline, history: PopulationBuilder) -> Result<Self, Error> {
        let (as_of, window_days, purchases) = history.into_parts();
        let mut state = TieringState::empty(fitted, as_of, window_days);
        state.customers.reserve(purchases.len());
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
                (&entry.purchases, &mut entry.labels),
                &mut state.scratch,
                &mut ignored,
            )?;
            ignored.clear();
            state.customers.insert(id, entry);
        }
        Ok(state)
    }

    /// A state without customers.
    fn empty(fitted: FittedPipeline, as_of: Date, window_days: u32) -> Self {
        let columns: Vec<SmolStr> = fitted.columns().iter().map(SmolStr::new).collect();
        TieringState {
            as_of,
            window_days,
            customers: IdMap::default(),
            codebook: Codebook::new(columns.len()),
            growth: reads_growth(&fitted),
            context: fitted.rule_context(),
            fitted,
            columns,
            scratch: Vec::new(),
        }
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

    /// A customer's labels, each with its column's name, in [`columns`](Self::columns)
    /// order; none for a customer who never bought.
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
    /// assert_eq!(labels["metal"].to_string(), "gold");
    /// assert_eq!(labels.to_string(), "metal=gold");
    /// assert_eq!(state.labels(&CustomerId::new("N01").unwrap()), None); // never bought
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn labels(&self, id: &CustomerId) -> Option<CustomerLabels<'_>> {
        let entry = self.customers.get(id)?;
        Some(CustomerLabels::new(&self.columns, self.decode(entry)))
    }

    /// An entry's labels, in column order.
    fn decode(&self, entry: &Entry) -> Vec<Label> {
        let codes = entry.labels.as_slice().iter().take(self.columns.len());
        codes
            .enumerate()
            .filter_map(|(column, code)| self.codebook.decode(column, *code))
            .collect()
    }

    /// The names of the label columns, in order: [`FittedPipeline::columns`] of the
    /// pipeline classifying (after a [`refit`](Self::refit), of the refitted one).
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
    /// // metals fitted on C001 … C100
    /// assert_eq!(state.columns(), ["metal"]);
    /// assert_eq!(state.columns(), state.fitted().columns());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> &[SmolStr] {
        &self.columns
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
        // A new customer joins the state only once labelled (see `Entry::labels`).
        let mut new = None;
        let entry = match self.customers.get_mut(&tx.customer_id) {
            Some(entry) => entry,
            None => new.insert(Entry {
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
            (&entry.purchases, &mut entry.labels),
            &mut self.scratch,
            &mut changes,
        )?;
        if let Some(entry) = new {
            self.customers.insert(tx.customer_id, entry);
        }
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
    /// assert_eq!(state.labels(&c1).unwrap()["lifecycle"].to_string(), "active");
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
                (&entry.purchases, &mut entry.labels),
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
    /// assert_eq!(c100["metal"].to_string(), "gold"); // C050 alone is platinum now
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn refit(&mut self) -> Result<(), Error> {
        let fitted = self.fitted.pipeline().fit(&self.population()?)?;
        // Everyone is labelled by the new model first, into a new codebook: an error on
        // the way leaves this state as it was.
        let mut next = TieringState::empty(fitted, self.as_of, self.window_days);
        let mut labels = Vec::with_capacity(self.customers.len());
        let mut ignored = Vec::new();
        for (id, entry) in &self.customers {
            let mut codes = Codes::new(next.columns.len());
            relabel(
                (&next.fitted, &next.context),
                &next.columns,
                &mut next.codebook,
                (self.as_of, self.window_days, next.growth),
                id,
                (&entry.purchases, &mut codes),
                &mut next.scratch,
                &mut ignored,
            )?;
            ignored.clear();
            labels.push((id.clone(), codes));
        }
        next.customers = std::mem::take(&mut self.customers);
        for (id, codes) in labels {
            if let Some(entry) = next.customers.get_mut(&id) {
                entry.labels = codes;
            }
        }
        *self = next;
        Ok(())
    }
}

/// Whether any model or rule of `fitted` reads a profile's `growth`: profiles for
/// classifying skip its division otherwise.
fn reads_growth(fitted: &FittedPipeline) -> bool {
    fitted.reads().metrics.contains(&Metric::Growth)
}

/// Re-profiles and re-classifies one customer, recording what changed.
#[allow(clippy::too_many_arguments)] // the state's fields, borrowed apart
fn relabel(
    (fitted, context): (&FittedPipeline, &RuleContext),
    columns: &[SmolStr],
    codebook: &mut Codebook,
    (as_of, window_days, growth): (Date, u32, bool),
    id: &CustomerId,
    (purchases, codes): (&Accumulator, &mut Codes),
    scratch: &mut Vec<Label>,
    changes: &mut Vec<Change>,
) -> Result<(), Error> {
    let profile = profile_with(id.clone(), purchases, as_of, i64::from(window_days), growth)?;
    scratch.clear();
    fitted.classify_with(&profile, context, scratch);
    let codes = codes.as_mut_slice();
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(!reads_growth(&rfm));
        assert!(reads_growth(&graded));
        // With growth read, the live labels equal the batch ones (potential high).
        let state = TieringState::new(graded.clone(), history).unwrap();
        let id = CustomerId::new("C1").unwrap();
        assert_eq!(
            state.labels(&id).unwrap().as_slice(),
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
        assert_eq!(
            state.labels(&c10).unwrap().as_slice(),
            batch.get("C10").unwrap()
        );
        let labels = state.labels(&c10).unwrap();
        assert_eq!(labels.to_string(), "metal=platinum tier=top tags=big");
    }
}
