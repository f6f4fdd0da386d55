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

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::classify::Label;
use crate::error::{ConfigError, Error};
use crate::metrics::{Accumulator, IdMap, PopulationBuilder, profile_of};
use crate::pipeline::{FittedPipeline, Tiering};
use crate::profile::{CustomerId, Population, Transaction};
use smol_str::SmolStr;

/// One label that changed.
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

fn cell(label: &Label) -> String {
    match label.as_cell() {
        c if c.is_empty() => "(unscored)".to_string(),
        c => c.into_owned(),
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
/// let fitted = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.fit(&history.clone().finish()?)?;
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
    /// Reused for each customer's new labels.
    scratch: Vec<Label>,
}

#[derive(Debug, Clone)]
struct Entry {
    purchases: Accumulator,
    labels: Vec<Label>,
}

impl TieringState {
    /// A state from a fitted pipeline and the purchases so far (at the builder's as-of
    /// date); every customer is classified.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a customer's sums leave the decimal range.
    pub fn new(fitted: FittedPipeline, history: PopulationBuilder) -> Result<Self, Error> {
        let (as_of, window_days, purchases) = history.into_parts();
        let columns = fitted.columns().iter().map(SmolStr::new).collect();
        let mut state = TieringState {
            as_of,
            window_days,
            customers: IdMap::default(),
            fitted,
            columns,
            scratch: Vec::new(),
        };
        for (id, purchases) in purchases {
            let profile = profile_of(id.clone(), &purchases, as_of, i64::from(window_days))?;
            let labels = state.fitted.classify(&profile);
            state.customers.insert(id, Entry { purchases, labels });
        }
        Ok(state)
    }

    /// The current as-of date.
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// The pipeline classifying.
    pub fn fitted(&self) -> &FittedPipeline {
        &self.fitted
    }

    /// The number of customers.
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether no customer has bought anything yet.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// A customer's labels, in [`FittedPipeline::columns`] order.
    pub fn labels(&self, id: &CustomerId) -> Option<&[Label]> {
        self.customers.get(id).map(|e| e.labels.as_slice())
    }

    /// Adds one transaction dated on or before the as-of date: the customer's profile
    /// is updated exactly and re-classified with the current model. Returns the labels
    /// that changed.
    ///
    /// # Errors
    /// [`ConfigError::Pipeline`] for a transaction after the as-of date (call
    /// [`advance_to`](Self::advance_to) first); [`Error::Overflow`] when a sum leaves
    /// the decimal range.
    pub fn add(&mut self, tx: Transaction) -> Result<Vec<Change>, Error> {
        if tx.date > self.as_of {
            return Err(ConfigError::Pipeline {
                reason: format!(
                    "a transaction of {} dated {} is after the as-of date {}: advance_to it first",
                    tx.customer_id, tx.date, self.as_of
                ),
            }
            .into());
        }
        let mut changes = Vec::new();
        let entry = match self.customers.get_mut(&tx.customer_id) {
            Some(entry) => entry,
            None => self
                .customers
                .entry(tx.customer_id.clone())
                .or_insert(Entry {
                    purchases: Accumulator::default(),
                    labels: Vec::new(),
                }),
        };
        entry.purchases.add(&tx)?;
        relabel(
            &self.fitted,
            &self.columns,
            (self.as_of, self.window_days),
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
    /// [`ConfigError::Pipeline`] for an earlier date; [`Error::Overflow`] as
    /// [`add`](Self::add).
    pub fn advance_to(&mut self, date: Date) -> Result<Vec<Change>, Error> {
        if date < self.as_of {
            return Err(ConfigError::Pipeline {
                reason: format!(
                    "cannot move the as-of date back from {} to {date}",
                    self.as_of
                ),
            }
            .into());
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
                &self.fitted,
                &self.columns,
                (self.as_of, self.window_days),
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
    pub fn tiering(&self) -> Result<Tiering, Error> {
        Ok(self.fitted.classify_all(&self.population()?))
    }

    /// How many customers a refit now would relabel, per column: the current model's
    /// labels against those of a model fitted on the current population.
    ///
    /// # Errors
    /// As [`Pipeline::fit`](crate::Pipeline::fit).
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
    pub fn refit(&mut self) -> Result<(), Error> {
        self.fitted = self.fitted.pipeline().fit(&self.population()?)?;
        self.columns = self.fitted.columns().iter().map(SmolStr::new).collect();
        self.relabel_everyone().map(drop)
    }
}

/// Re-profiles and re-classifies one customer, recording what changed.
fn relabel(
    fitted: &FittedPipeline,
    columns: &[SmolStr],
    (as_of, window_days): (Date, u32),
    id: &CustomerId,
    entry: &mut Entry,
    scratch: &mut Vec<Label>,
    changes: &mut Vec<Change>,
) -> Result<(), Error> {
    let profile = profile_of(id.clone(), &entry.purchases, as_of, i64::from(window_days))?;
    scratch.clear();
    fitted.classify_into(&profile, scratch);
    for (i, column) in columns.iter().enumerate() {
        let from = entry.labels.get(i);
        if from != Some(&scratch[i]) {
            changes.push(Change {
                customer_id: id.clone(),
                column: column.clone(),
                from: from.cloned(),
                to: scratch[i].clone(),
                date: as_of,
            });
        }
    }
    std::mem::swap(&mut entry.labels, scratch);
    Ok(())
}
