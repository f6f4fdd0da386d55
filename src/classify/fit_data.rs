//! What built-in classifiers fit on: columns of the buyers' metric values, read from the
//! population once for a whole pipeline (issue 13).
//!
//! RFM, metals and the four-dimension grade between them rank five metrics seven
//! times. A [`FitData`] reads every column its classifiers want once, and each fit
//! takes its order statistics from the columns (in either order), never from the
//! profiles: whole days and counts from a count per value ([`Counted`]), money from
//! keys selected among.

use std::borrow::Cow;
use std::ops::Range;

use jiff::civil::Date;

use super::counted::{Counted, IntReader, Ranked};
use super::order::{Gathered, KeyColumn, Num, RangeReader};
use super::statistics::answers::{FitColumn, FitStatistics};
use crate::error::ConfigError;
use crate::population::Columns;
use crate::profile::{Metric, Population};

/// A column a fit wants: a metric over the buyers that have it, or over the repeat
/// buyers only (`frequency ≥ 2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Wanted {
    pub(crate) metric: Metric,
    pub(crate) repeat_only: bool,
}

impl Wanted {
    /// The metric over every buyer that has it.
    pub(crate) fn buyers(metric: Metric) -> Self {
        Wanted {
            metric,
            repeat_only: false,
        }
    }

    /// The fewest purchases of a customer the column holds.
    fn least_purchases(&self) -> u64 {
        if self.repeat_only { 2 } else { 1 }
    }
}

/// Each wanted column once, in the order first wanted.
fn unique(wanted: &[Wanted]) -> Vec<Wanted> {
    let mut unique: Vec<Wanted> = Vec::with_capacity(wanted.len());
    for w in wanted {
        if !unique.contains(w) {
            unique.push(*w);
        }
    }
    unique
}

/// A wanted column read from a population's columns.
struct FromColumns<'a> {
    columns: &'a Columns,
    wanted: Wanted,
}

impl RangeReader for FromColumns<'_> {
    /// A loop per metric, so that the metric is chosen once per block.
    fn read_range(&self, range: Range<usize>, out: &mut Gathered<'_>) {
        let c = self.columns;
        let least = self.wanted.least_purchases();
        let kept = |i: usize| c.frequency[i] >= least;
        let days = |column: &[Option<i64>], out: &mut Gathered<'_>| {
            out.push_ints(range.clone().map(|i| column[i].filter(|_| kept(i))));
        };
        match self.wanted.metric {
            Metric::RecencyDays => days(&c.recency_days, out),
            Metric::TenureDays => days(&c.tenure_days, out),
            Metric::Frequency
                if c.frequency[range.clone()]
                    .iter()
                    .all(|&f| f <= i64::MAX as u64) =>
            {
                // ≤ i64::MAX, checked just above
                out.push_ints(range.map(|i| Some(c.frequency[i] as i64).filter(|_| kept(i))));
            }
            Metric::Monetary => {
                for i in range.filter(|&i| kept(i)) {
                    out.push_decimal(c.monetary[i]);
                }
            }
            metric => {
                for v in range.filter(|&i| kept(i)).filter_map(|i| num(c, i, metric)) {
                    out.push(v);
                }
            }
        }
    }
}

/// Customer `i`'s value of a metric, as [`Num::of`] gives it for its profile.
#[inline]
pub(crate) fn num(columns: &Columns, i: usize, metric: Metric) -> Option<Num> {
    match metric {
        Metric::RecencyDays => columns.recency_days[i].map(Num::Int),
        Metric::TenureDays => columns.tenure_days[i].map(Num::Int),
        Metric::Frequency => Some(Num::count(columns.frequency[i])),
        Metric::Transactions => Some(Num::count(columns.transactions[i])),
        Metric::DistinctProducts => columns
            .distinct_products
            .as_ref()
            .and_then(|d| d[i].map(Num::count)),
        Metric::Monetary => Some(Num::Dec(columns.monetary[i])),
        other => columns.metric(i, other).map(Num::Dec),
    }
}

impl IntReader for FromColumns<'_> {
    /// Whole days and counts; any other metric has no integer column.
    fn read(&self, range: Range<usize>, push: &mut impl FnMut(i64)) -> bool {
        let c = self.columns;
        let least = self.wanted.least_purchases();
        let frequency = &c.frequency[range.clone()];
        match self.wanted.metric {
            Metric::RecencyDays => push_days(&c.recency_days[range], frequency, least, push),
            Metric::TenureDays => push_days(&c.tenure_days[range], frequency, least, push),
            Metric::Frequency => push_counts(&c.frequency[range], frequency, least, push),
            Metric::Transactions => push_counts(&c.transactions[range], frequency, least, push),
            _ => false,
        }
    }
}

/// Pushes the days of each customer with at least `least` purchases that has them.
fn push_days(
    days: &[Option<i64>],
    frequency: &[u64],
    least: u64,
    push: &mut impl FnMut(i64),
) -> bool {
    for (value, &f) in days.iter().zip(frequency) {
        if let Some(v) = value.filter(|_| f >= least) {
            push(v);
        }
    }
    true
}

/// Pushes the count of each customer with at least `least` purchases; false at a
/// count past `i64`.
fn push_counts(counts: &[u64], frequency: &[u64], least: u64, push: &mut impl FnMut(i64)) -> bool {
    for (&count, &f) in counts.iter().zip(frequency) {
        if f >= least {
            match i64::try_from(count) {
                Ok(v) => push(v),
                Err(_) => return false,
            }
        }
    }
    true
}

impl From<FitColumn> for Wanted {
    fn from(c: FitColumn) -> Self {
        Wanted {
            metric: c.metric,
            repeat_only: c.repeat_only,
        }
    }
}

impl From<Wanted> for FitColumn {
    fn from(w: Wanted) -> Self {
        FitColumn {
            metric: w.metric,
            repeat_only: w.repeat_only,
        }
    }
}

/// A population with the columns its fits want, read once; or the order statistics of
/// a population held elsewhere ([`from_statistics`](Self::from_statistics)).
pub(crate) struct FitData<'p> {
    /// None when fitting on statistics.
    population: Option<&'p Population>,
    statistics: Option<&'p dyn FitStatistics>,
    columns: Vec<(Wanted, KeyColumn)>,
    /// Columns of whole days and counts, counted per value for their order
    /// statistics (see [`ranked`](Self::ranked)).
    counted: Vec<(Wanted, Counted)>,
}

impl std::fmt::Debug for FitData<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitData")
            .field("population", &self.population)
            .field("statistics", &self.statistics.is_some())
            .field("columns", &self.columns)
            .field("counted", &self.counted)
            .finish()
    }
}

impl<'p> FitData<'p> {
    /// Order statistics of a population held elsewhere: every column is asked of them.
    pub(crate) fn from_statistics(statistics: &'p dyn FitStatistics) -> Self {
        FitData {
            population: None,
            statistics: Some(statistics),
            columns: Vec::new(),
            counted: Vec::new(),
        }
    }

    /// Reads every wanted column (each once): days and counts counted per value where
    /// they have few enough values, every other column in one pass over the
    /// population. For fits that ask for order statistics ([`ranked`](Self::ranked)).
    pub(crate) fn new(population: &'p Population, wanted: &[Wanted]) -> Self {
        let mut counted = Vec::new();
        let mut keyed = Vec::new();
        for &wanted in &unique(wanted) {
            let reader = FromColumns {
                columns: population.columns(),
                wanted,
            };
            match Counted::build(population.len(), &reader) {
                Some(c) => counted.push((wanted, c)),
                None => keyed.push(wanted),
            }
        }
        FitData {
            counted,
            ..Self::keyed(population, &keyed)
        }
    }

    /// Reads every wanted column (each once) as keys, in one pass over the
    /// population. For uses of [`column`](Self::column) beyond order statistics.
    pub(crate) fn keyed(population: &'p Population, wanted: &[Wanted]) -> Self {
        let unique = unique(wanted);
        let readers: Vec<FromColumns<'_>> = unique
            .iter()
            .map(|&wanted| FromColumns {
                columns: population.columns(),
                wanted,
            })
            .collect();
        let columns = KeyColumn::build_many(population.len(), &readers);
        FitData {
            population: Some(population),
            statistics: None,
            columns: unique.into_iter().zip(columns).collect(),
            counted: Vec::new(),
        }
    }

    /// A column, for its order statistics: counted per value, keys, or asked of the
    /// statistics.
    pub(crate) fn ranked(&self, wanted: Wanted) -> Ranked<'_> {
        if let Some(statistics) = self.statistics {
            return Ranked::Elsewhere(statistics, wanted.into());
        }
        match self.counted.iter().find(|(w, _)| *w == wanted) {
            Some((_, counted)) => Ranked::Counted(counted),
            None => Ranked::Keys(self.column(wanted)),
        }
    }

    /// The population; none when fitting on statistics, where a fit that needs more
    /// than order statistics is refused (`what` names the classifier and what it reads).
    pub(crate) fn population(
        &self,
        what: impl FnOnce() -> String,
    ) -> Result<&'p Population, ConfigError> {
        self.population
            .ok_or_else(|| ConfigError::NeedsProfiles { what: what() })
    }

    /// The as-of date of the profiles.
    pub(crate) fn as_of(&self) -> Date {
        match (self.population, self.statistics) {
            (Some(population), _) => population.as_of(),
            (None, Some(statistics)) => statistics.population().as_of,
            (None, None) => unreachable!("fit data has a population or statistics"),
        }
    }

    /// Every customer, buyers or not.
    pub(crate) fn customers(&self) -> usize {
        match (self.population, self.statistics) {
            (Some(population), _) => population.len(),
            (None, Some(statistics)) => statistics.population().customers,
            (None, None) => unreachable!("fit data has a population or statistics"),
        }
    }

    /// Whether anyone bought.
    pub(crate) fn has_buyers(&self) -> bool {
        match (self.population, self.statistics) {
            (Some(population), _) => population.has_buyers(),
            (None, Some(statistics)) => statistics.population().buyers > 0,
            (None, None) => unreachable!("fit data has a population or statistics"),
        }
    }

    /// A column as keys: read already, or read now. Only fits on a population read keys
    /// (statistics answer [`ranked`](Self::ranked) only).
    pub(crate) fn column(&self, wanted: Wanted) -> Cow<'_, KeyColumn> {
        match self.columns.iter().find(|(w, _)| *w == wanted) {
            Some((_, column)) => Cow::Borrowed(column),
            None => {
                let population = self
                    .population
                    .expect("keys are read from fit data made of a population");
                let reader = FromColumns {
                    columns: population.columns(),
                    wanted,
                };
                let mut read = KeyColumn::build_many(population.len(), &[reader]);
                Cow::Owned(read.pop().unwrap_or_else(|| KeyColumn::from_decimals(&[])))
            }
        }
    }
}
