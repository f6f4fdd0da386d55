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

use super::counted::{Counted, IntReader, Ranked};
use super::order::{Gathered, KeyColumn, Num, RangeReader};
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

/// A population with the columns its fits want, read once.
#[derive(Debug)]
pub(crate) struct FitData<'p> {
    population: &'p Population,
    columns: Vec<(Wanted, KeyColumn)>,
    /// Columns of whole days and counts, counted per value for their order
    /// statistics (see [`ranked`](Self::ranked)).
    counted: Vec<(Wanted, Counted)>,
}

impl<'p> FitData<'p> {
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
            population,
            columns: unique.into_iter().zip(columns).collect(),
            counted: Vec::new(),
        }
    }

    /// A column, for its order statistics: counted per value, or keys.
    pub(crate) fn ranked(&self, wanted: Wanted) -> Ranked<'_> {
        match self.counted.iter().find(|(w, _)| *w == wanted) {
            Some((_, counted)) => Ranked::Counted(counted),
            None => Ranked::Keys(self.column(wanted)),
        }
    }

    /// The population.
    pub(crate) fn population(&self) -> &'p Population {
        self.population
    }

    /// A column: read already, or read now.
    pub(crate) fn column(&self, wanted: Wanted) -> Cow<'_, KeyColumn> {
        match self.columns.iter().find(|(w, _)| *w == wanted) {
            Some((_, column)) => Cow::Borrowed(column),
            None => {
                let reader = FromColumns {
                    columns: self.population.columns(),
                    wanted,
                };
                let mut read = KeyColumn::build_many(self.population.len(), &[reader]);
                Cow::Owned(read.pop().unwrap_or_else(|| KeyColumn::from_decimals(&[])))
            }
        }
    }
}
