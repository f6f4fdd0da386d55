//! Order statistics of an integer metric (days, counts) from a count per value.
//!
//! Cut points are order statistics: the value at a few positions of a column sorted,
//! with the numbers of values before it and at most it. For a metric of whole days or
//! whole purchases, a million customers hold a few thousand distinct values at most,
//! so one pass that counts each value gives every order statistic exactly, where
//! gathering a million keys, then selecting among them, reads and writes the column
//! several times over (issue 13).

use std::borrow::Cow;
use std::ops::Range;

use rust_decimal::Decimal;

use super::order::{KeyColumn, OrderStat, mirrored_stats};
use super::statistics::answers::{FitColumn, FitStatistics};
use crate::parallel;

/// Customers per piece of parallel counting (fixed: results never depend on the
/// thread count, and counts add up exactly in any order anyway). Small in tests, so
/// that small columns have many pieces.
const PIECE: usize = if cfg!(test) { 1 << 8 } else { 1 << 16 };

/// The most distinct values (greatest − least + 1) counted per value: past it, a
/// column is keyed and selected as any other.
const MOST_VALUES: u64 = 1 << 16;

/// The values of an integer metric over a fit population, as a count per value from
/// the least to the greatest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counted {
    least: i64,
    /// `counts[i]`: the values equal to `least + i`.
    counts: Vec<u64>,
    len: usize,
}

impl Counted {
    /// Counts the values `reader` reads from customers `0..len`; none if the values
    /// span more than [`MOST_VALUES`], or one has no `i64`.
    pub(crate) fn build<R: IntReader>(len: usize, reader: &R) -> Option<Self> {
        let starts: Vec<usize> = (0..len).step_by(PIECE).collect();
        let pieces = parallel::map(&starts, |&start| {
            let range = start..(start + PIECE).min(len);
            let mut tally = Tally::default();
            let whole = reader.read(range, &mut |v| tally.add(v));
            (whole && !tally.too_wide).then(|| tally.trimmed())
        });
        let pieces: Vec<(i64, Vec<u64>)> = pieces
            .into_iter()
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        let least = pieces.iter().map(|(l, _)| *l).min().unwrap_or(0);
        let greatest = pieces
            .iter()
            .map(|(l, c)| l.saturating_add_unsigned(c.len() as u64 - 1))
            .max()
            .unwrap_or(least);
        let mut counts = vec![0u64; span(least, greatest)?];
        for (at, piece) in &pieces {
            // at ≥ least, and the piece ends by greatest
            let offset = at.abs_diff(least) as usize;
            for (total, count) in counts[offset..].iter_mut().zip(piece) {
                *total += count;
            }
        }
        let len = counts.iter().sum::<u64>();
        Some(Counted {
            least,
            counts,
            len: usize::try_from(len).ok()?,
        })
    }

    /// The number of values counted.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// As [`KeyColumn::order_stats`]: the values at 1-based `positions`
    /// (non-decreasing, each in `1..=len`) ascending, or descending, with the counts
    /// before and at each. An integer is written one way, so the value is the one any
    /// customer at the position has.
    pub(crate) fn order_stats(&self, positions: &[usize], descending: bool) -> Vec<OrderStat> {
        mirrored_stats(self.len, positions, descending, |p| self.ascending_stats(p))
    }

    fn ascending_stats(&self, positions: &[usize]) -> Vec<OrderStat> {
        let mut stats = Vec::with_capacity(positions.len());
        let (mut value, mut before) = (0usize, 0usize);
        for &position in positions {
            let rank = position - 1;
            // Positions do not decrease: walk on from the last one's value.
            while value + 1 < self.counts.len() && before + self.count(value) <= rank {
                before += self.count(value);
                value += 1;
            }
            stats.push(OrderStat {
                // value < counts.len() ≤ MOST_VALUES, and least + it ≤ greatest
                value: Decimal::from(self.least.saturating_add_unsigned(value as u64)),
                less: before,
                not_more: before + self.count(value),
            });
        }
        stats
    }

    /// The values equal to `least + value` (at most `len`, a `usize`).
    fn count(&self, value: usize) -> usize {
        self.counts[value] as usize
    }
}

/// A count per value of one piece, in a table that grows to the values it meets: one
/// pass, where bounds first would be two.
#[derive(Debug, Default)]
struct Tally {
    least: i64,
    /// `counts[i]`: the values equal to `least + i`; empty before the first value.
    counts: Vec<u64>,
    /// A value past [`MOST_VALUES`] from another.
    too_wide: bool,
}

impl Tally {
    #[inline(always)]
    fn add(&mut self, v: i64) {
        let offset = v.wrapping_sub(self.least) as u64;
        match self.counts.get_mut(offset as usize) {
            Some(count) => *count += 1,
            None => self.grow(v),
        }
    }

    /// Makes room for `v` (with as much again, up to the most values), and counts it.
    #[cold]
    fn grow(&mut self, v: i64) {
        if self.too_wide {
            return;
        }
        // The values met so far (the table has room past them), and `v`.
        let met = self
            .counts
            .iter()
            .position(|&c| c > 0)
            .zip(self.counts.iter().rposition(|&c| c > 0));
        let (old, least, greatest) = match met {
            None => (None, i128::from(v), i128::from(v)),
            Some((first, last)) => {
                let least = i128::from(self.least) + first as i128;
                let greatest = i128::from(self.least) + last as i128;
                (
                    Some((first, last)),
                    least.min(v.into()),
                    greatest.max(v.into()),
                )
            }
        };
        let needed = greatest - least + 1;
        if needed > i128::from(MOST_VALUES) {
            self.too_wide = true;
            return;
        }
        // Room on the side that grew (both, at the first value), twice the table at
        // least, within i64 and the most values.
        let room = needed
            .max(2 * self.counts.len() as i128)
            .max(64)
            .min(i128::from(MOST_VALUES));
        let slack = room - needed;
        let new_least = match (old, i128::from(v) == least) {
            (None, _) => least - slack / 2,
            (Some(_), true) => least - slack,
            (Some(_), false) => least,
        };
        let new_least = new_least.max(i128::from(i64::MIN));
        let new_len = room.min(i128::from(i64::MAX) - new_least + 1);
        // new_least ≥ i64::MIN, new_len ≤ MOST_VALUES, and the table covers least to
        // greatest
        let mut counts = vec![0u64; new_len as usize];
        if let Some((first, last)) = old {
            let at = (i128::from(self.least) + first as i128 - new_least) as usize;
            counts[at..=at + (last - first)].copy_from_slice(&self.counts[first..=last]);
        }
        self.least = new_least as i64;
        self.counts = counts;
        self.add(v);
    }

    /// The piece's least value and counts without the empty ends, if it had a value.
    fn trimmed(self) -> Option<(i64, Vec<u64>)> {
        let first = self.counts.iter().position(|&c| c > 0)?;
        let last = self.counts.iter().rposition(|&c| c > 0)?;
        // first < counts.len() ≤ MOST_VALUES
        let least = self.least.checked_add(first as i64)?;
        Some((least, self.counts[first..=last].to_vec()))
    }
}

/// What [`Counted::build`] counts: each customer's integer value, where it has one.
pub(crate) trait IntReader: Sync {
    /// Calls `push` with the value of each customer of `range` that has one, in
    /// order; false if a value has no `i64` (the column cannot be counted).
    fn read(&self, range: Range<usize>, push: &mut impl FnMut(i64)) -> bool;
}

/// The number of values from `least` to `greatest`, if at most [`MOST_VALUES`].
fn span(least: i64, greatest: i64) -> Option<usize> {
    let span = greatest.abs_diff(least).checked_add(1)?;
    (span <= MOST_VALUES).then_some(span as usize)
}

/// A fit's column asked for order statistics: its keys, its count per value, or
/// statistics computed elsewhere.
pub(crate) enum Ranked<'a> {
    Keys(Cow<'a, KeyColumn>),
    Counted(&'a Counted),
    Elsewhere(&'a dyn FitStatistics, FitColumn),
}

impl std::fmt::Debug for Ranked<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ranked::Keys(keys) => f.debug_tuple("Keys").field(keys).finish(),
            Ranked::Counted(counted) => f.debug_tuple("Counted").field(counted).finish(),
            Ranked::Elsewhere(_, column) => f.debug_tuple("Elsewhere").field(column).finish(),
        }
    }
}

impl Ranked<'_> {
    /// The number of values.
    pub(crate) fn len(&self) -> usize {
        match self {
            Ranked::Keys(keys) => keys.len(),
            Ranked::Counted(counted) => counted.len(),
            Ranked::Elsewhere(statistics, column) => statistics.len(*column),
        }
    }

    /// See [`KeyColumn::order_stats`].
    pub(crate) fn order_stats(&self, positions: &[usize], descending: bool) -> Vec<OrderStat> {
        match self {
            Ranked::Keys(keys) => keys.order_stats(positions, descending),
            Ranked::Counted(counted) => counted.order_stats(positions, descending),
            Ranked::Elsewhere(statistics, column) => {
                statistics.order_stats(*column, positions, descending)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    struct Values<'a>(&'a [Option<i64>]);

    impl IntReader for Values<'_> {
        fn read(&self, range: Range<usize>, push: &mut impl FnMut(i64)) -> bool {
            self.0[range].iter().flatten().for_each(|&v| push(v));
            true
        }
    }

    fn counted(values: &[Option<i64>]) -> Option<Counted> {
        Counted::build(values.len(), &Values(values))
    }

    #[test]
    fn too_many_distinct_values_are_not_counted() {
        assert!(counted(&[Some(0), Some(MOST_VALUES as i64 - 1)]).is_some());
        assert!(counted(&[Some(0), Some(MOST_VALUES as i64)]).is_none());
        assert!(counted(&[Some(i64::MIN), Some(i64::MAX)]).is_none());
        let none = counted(&[None, None]).unwrap();
        assert_eq!(none.len(), 0);
        // A table that grows both ways, piece after piece, to just the most values.
        let spread: Vec<Option<i64>> = (0..3000i64)
            .map(|i| Some(if i % 2 == 0 { i * 10 } else { -i * 11 }))
            .collect();
        let wide = counted(&spread).unwrap();
        let decimals: Vec<Decimal> = spread.iter().flatten().map(|&v| v.into()).collect();
        let keys = KeyColumn::from_decimals(&decimals);
        let positions = [1, 2, 1500, 2999, 3000];
        for descending in [false, true] {
            assert_eq!(
                wide.order_stats(&positions, descending),
                keys.order_stats(&positions, descending)
            );
        }
        let mut past = spread.clone();
        past.push(Some(-40_000));
        assert!(counted(&past).is_none(), "32 989 + 40 000 + 1 values");
    }

    proptest! {
        #[test]
        fn counts_give_the_order_statistics_of_keys(
            // Long enough to span pieces; a narrow range, so ties are heavy.
            values in proptest::collection::vec(
                proptest::option::weighted(0.9, -40i64..40),
                1..(8 * PIECE + 100),
            ),
            shift in prop_oneof![Just(0i64), Just(1_000_000), Just(i64::MIN + 40), Just(i64::MAX - 40)],
            picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..6),
            descending: bool,
        ) {
            let values: Vec<Option<i64>> = values.iter().map(|v| v.map(|v| v + shift)).collect();
            let present: Vec<Decimal> = values.iter().flatten().map(|&v| v.into()).collect();
            prop_assume!(!present.is_empty());
            let counted = counted(&values).unwrap();
            let keys = KeyColumn::from_decimals(&present);
            prop_assert_eq!(counted.len(), keys.len());
            let mut positions: Vec<usize> =
                picks.iter().map(|i| 1 + i.index(present.len())).collect();
            positions.sort_unstable();
            let ours = counted.order_stats(&positions, descending);
            let want = keys.order_stats(&positions, descending);
            prop_assert_eq!(&ours, &want);
            for (a, b) in ours.iter().zip(&want) {
                // The same bytes when printed, not only the same number.
                prop_assert_eq!(a.value.to_string(), b.value.to_string());
            }
        }
    }
}
