//! What built-in classifiers fit on: columns of the buyers' metric values, read from the
//! population once for a whole pipeline (issue 13).
//!
//! A profile is 200 bytes, so reading one metric of a million customers reads most of
//! 200 MB; RFM, metals and the four-dimension grade between them rank four metrics seven
//! times. A [`FitData`] reads every column its classifiers want in one pass, and each
//! fit selects its order statistics from the columns (in either order), never from the
//! profiles.

use std::borrow::Cow;

use super::order::{ColumnReader, Gathered, KeyColumn, Num};
use crate::profile::{Metric, Population, Profile};

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

    /// The value this column holds for a profile, if it holds one.
    #[inline]
    fn value(self, profile: &Profile) -> Option<Num> {
        if !profile.is_buyer() || (self.repeat_only && profile.frequency < 2) {
            return None;
        }
        Num::of(profile, self.metric)
    }
}

impl ColumnReader<Profile> for Wanted {
    /// A loop per metric, so that the metric is chosen once per block.
    fn read(&self, block: &[Profile], out: &mut Gathered<'_>) {
        let repeat_only = self.repeat_only;
        let keep = |p: &Profile| p.is_buyer() && (!repeat_only || p.frequency >= 2);
        match self.metric {
            Metric::RecencyDays => read_ints(block, keep, out, |p| p.recency_days),
            Metric::TenureDays => read_ints(block, keep, out, |p| p.tenure_days),
            Metric::Monetary => {
                for p in block.iter().filter(|p| keep(p)) {
                    out.push(Num::Dec(p.monetary));
                }
            }
            metric => {
                for p in block.iter().filter(|p| keep(p)) {
                    if let Some(v) = Num::of(p, metric) {
                        out.push(v);
                    }
                }
            }
        }
    }
}

/// Pushes an integer metric of the profiles `keep` keeps.
#[inline(always)]
fn read_ints(
    block: &[Profile],
    keep: impl Fn(&Profile) -> bool,
    out: &mut Gathered<'_>,
    value: impl Fn(&Profile) -> Option<i64>,
) {
    for p in block {
        if let Some(v) = value(p).filter(|_| keep(p)) {
            out.push_int(v);
        }
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
        let columns = KeyColumn::build_many(population.profiles(), &unique);
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
            None => Cow::Owned(KeyColumn::build(self.population.profiles(), |p| {
                wanted.value(p).map(Num::decimal)
            })),
        }
    }
}
