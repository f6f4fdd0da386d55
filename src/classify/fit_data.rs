//! What built-in classifiers fit on: columns of the buyers' metric values, read from the
//! population once for a whole pipeline (issue 13).
//!
//! RFM, metals and the four-dimension grade between them rank four metrics seven
//! times. A [`FitData`] reads every column its classifiers want in one pass, and each
//! fit selects its order statistics from the columns (in either order), never from the
//! profiles.

use std::borrow::Cow;
use std::ops::Range;

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
        let least = if self.wanted.repeat_only { 2 } else { 1 };
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

/// A population with the columns its fits want, read once.
#[derive(Debug)]
pub(crate) struct FitData<'p> {
    population: &'p Population,
    columns: Vec<(Wanted, KeyColumn)>,
}

impl<'p> FitData<'p> {
    /// Reads every wanted column (each once) in one pass over the population.
    pub(crate) fn new(population: &'p Population, wanted: &[Wanted]) -> Self {
        let mut unique: Vec<Wanted> = Vec::with_capacity(wanted.len());
        for w in wanted {
            if !unique.contains(w) {
                unique.push(*w);
            }
        }
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
