//! Order statistics of a metric over a fit population, by selection on integer keys (issue
//! 13): the values at given positions of the population ordered one way, with how many
//! values sit strictly before and at each — what cut points ([quantile
//! scores](crate::definitions#quantile-scores)), Pareto thresholds ([Pareto
//! tiers](crate::definitions#pareto-tiers-and-abc)) and their band sizes need — in O(n),
//! never a full sort.
//!
//! Every value becomes an unsigned integer key that orders like the value: its mantissa
//! at the column's largest scale with the sign bit flipped (integer metrics are their
//! own mantissas). Keys are kept ascending; position `p` of the descending order is
//! position `n + 1 − p` ascending. Selection is a radix select: a histogram of the keys'
//! top bits finds the bucket that holds each position; only those buckets are gathered
//! and refined, so each level reads the keys once, in pieces whose size does not depend
//! on the number of threads ([determinism](crate::definitions#determinism)). Value-basis thresholds (ABC) select the same
//! way by sums instead of counts. A column whose keys would pass 128 bits (28-digit
//! mantissas at very different scales) falls back to a stable sort of decimals.
//!
//! Equal values are one value to every rule of [quantile
//! scores](crate::definitions#quantile-scores) and [Pareto
//! tiers](crate::definitions#pareto-tiers-and-abc), but `1.10` and `1.1` print differently
//! (and `-0.00` and `0.00`). When a column holds such values, the one reported at a
//! position is the one the sort-based fits always reported (successive
//! `select_nth_unstable` calls on the values in population order; an unstable sort for
//! value thresholds), so that saved models keep their bytes; the counts are the selection's
//! either way.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::parallel;

/// Elements per piece of parallel work: fixed, so results never depend on the thread
/// count (they are exact counts anyway).
const PIECE: usize = 1 << 16;
/// Below this many keys a plain sort is cheaper than a histogram.
const SMALL: usize = 1 << 10;
/// Bits of the key resolved per histogram pass: 2048 counters stay in the L1 cache.
const RADIX_BITS: u32 = 11;

/// An unsigned key a radix select can bucket.
pub(crate) trait RadixKey: Copy + Ord + Send + Sync + 'static {
    /// `self − lo`, for `lo ≤ self`.
    fn offset(self, lo: Self) -> u128;
    /// `lo + offset`.
    fn from_offset(lo: Self, offset: u128) -> Self;
    /// `(self − lo) >> shift`: the bucket of a key, in the key's own width (a shift of a
    /// `u128` costs several instructions, and this runs once per key per pass).
    fn bucket(self, lo: Self, shift: u32) -> usize;
}

impl RadixKey for u64 {
    #[inline]
    fn offset(self, lo: Self) -> u128 {
        u128::from(self - lo)
    }
    #[inline]
    fn from_offset(lo: Self, offset: u128) -> Self {
        // offset ≤ the span of u64 keys
        lo + offset as u64
    }
    #[inline]
    fn bucket(self, lo: Self, shift: u32) -> usize {
        // < 2^RADIX_BITS: `shift` leaves that many bits of the span
        ((self - lo) >> shift) as usize
    }
}

impl RadixKey for u128 {
    #[inline]
    fn offset(self, lo: Self) -> u128 {
        self - lo
    }
    #[inline]
    fn from_offset(lo: Self, offset: u128) -> Self {
        lo + offset
    }
    #[inline]
    fn bucket(self, lo: Self, shift: u32) -> usize {
        // < 2^RADIX_BITS: `shift` leaves that many bits of the span
        ((self - lo) >> shift) as usize
    }
}

/// The key at a rank, with the number of keys below it and at most it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Selected<K> {
    pub(crate) key: K,
    pub(crate) less: usize,
    pub(crate) not_more: usize,
}

/// The smallest and largest key; none for no keys.
fn bounds<K: RadixKey>(keys: &[K]) -> Option<(K, K)> {
    parallel::map_pieces(keys, PIECE, |piece| {
        let first = *piece.first()?;
        Some(
            piece
                .iter()
                .fold((first, first), |(lo, hi), &k| (lo.min(k), hi.max(k))),
        )
    })
    .into_iter()
    .flatten()
    .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

/// The keys at 0-based `ranks` (non-decreasing, each below `keys.len()`) of `keys`
/// sorted ascending, each with the counts of keys below it and at most it.
pub(crate) fn select<K: RadixKey>(keys: &[K], ranks: &[usize]) -> Vec<Selected<K>> {
    select_within(keys, ranks, None)
}

/// [`select`], given the least and greatest key if known (one pass fewer).
fn select_within<K: RadixKey>(
    keys: &[K],
    ranks: &[usize],
    bounds_known: Option<(K, K)>,
) -> Vec<Selected<K>> {
    debug_assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    debug_assert!(ranks.last().is_none_or(|&r| r < keys.len()));
    let n = keys.len();
    if ranks.is_empty() {
        return Vec::new();
    }
    // Many ranks (no caller asks for more than a handful) would outgrow the slot table.
    if n <= SMALL || ranks.len() > 64 {
        let mut sorted = keys.to_vec();
        sorted.sort_unstable();
        return ranks
            .iter()
            .map(|&r| {
                let key = sorted[r];
                Selected {
                    key,
                    less: sorted.partition_point(|k| *k < key),
                    not_more: sorted.partition_point(|k| *k <= key),
                }
            })
            .collect();
    }
    let Some((lo, hi)) = bounds_known.or_else(|| bounds(keys)) else {
        return Vec::new();
    };
    let span = hi.offset(lo);
    if span == 0 {
        let all = Selected {
            key: lo,
            less: 0,
            not_more: n,
        };
        return vec![all; ranks.len()];
    }
    let bits = 128 - span.leading_zeros();
    let shift = bits.saturating_sub(RADIX_BITS);
    // ≤ 2^RADIX_BITS buckets
    let buckets = (span >> shift) as usize + 1;
    let bucket = move |k: K| k.bucket(lo, shift);
    let counts = parallel::map_pieces(keys, PIECE, |piece| {
        let mut counts = vec![0u32; buckets];
        for &k in piece {
            counts[bucket(k)] += 1;
        }
        counts
    });
    // below[b]: keys in buckets before b
    let mut below = vec![0usize; buckets + 1];
    for piece in &counts {
        for (b, c) in piece.iter().enumerate() {
            below[b + 1] += *c as usize;
        }
    }
    for b in 0..buckets {
        below[b + 1] += below[b];
    }
    let home = |r: usize| below.partition_point(|&before| before <= r) - 1;
    if shift == 0 {
        // A bucket per key value: the histogram is the answer.
        return ranks
            .iter()
            .map(|&r| {
                let b = home(r);
                Selected {
                    key: K::from_offset(lo, b as u128),
                    less: below[b],
                    not_more: below[b + 1],
                }
            })
            .collect();
    }
    let mut targets: Vec<usize> = ranks.iter().map(|&r| home(r)).collect();
    targets.dedup();
    let mut slot = vec![u8::MAX; buckets];
    for (i, &b) in targets.iter().enumerate() {
        // ≤ one target per rank, and callers ask for at most a few dozen
        slot[b] = u8::try_from(i).unwrap_or(u8::MAX);
    }
    let gathered = parallel::map_pieces(keys, PIECE, |piece| {
        let mut out: Vec<Vec<K>> = vec![Vec::new(); targets.len()];
        for &k in piece {
            let s = slot[bucket(k)];
            if s != u8::MAX {
                out[usize::from(s)].push(k);
            }
        }
        out
    });
    let mut out = Vec::with_capacity(ranks.len());
    for (i, &b) in targets.iter().enumerate() {
        let mut members = Vec::with_capacity(below[b + 1] - below[b]);
        for piece in &gathered {
            members.extend_from_slice(&piece[i]);
        }
        let inner: Vec<usize> = ranks
            .iter()
            .filter(|&&r| home(r) == b)
            .map(|&r| r - below[b])
            .collect();
        out.extend(select(&members, &inner).into_iter().map(|s| Selected {
            key: s.key,
            less: s.less + below[b],
            not_more: s.not_more + below[b],
        }));
    }
    out
}

/// The largest key (ascending) whose smaller keys weigh, with `before`, a sum that
/// `below` accepts — the sum grows with the key, so the accepted keys are a prefix:
/// a weighted select by the same histograms as [`select`]. `below(before)` holds.
fn last_below<B>(keys: &[u64], weight: fn(u64) -> u128, before: u128, below: &B) -> Option<u64>
where
    B: Fn(u128) -> bool + Sync,
{
    if keys.len() <= SMALL {
        let mut sorted = keys.to_vec();
        sorted.sort_unstable();
        let mut sum = before;
        let mut last = None;
        for group in sorted.chunk_by(|a, b| a == b) {
            if !below(sum) {
                break;
            }
            last = Some(group[0]);
            sum += group.iter().map(|&k| weight(k)).sum::<u128>();
        }
        return last;
    }
    let (lo, hi) = bounds(keys)?;
    if lo == hi {
        return Some(lo);
    }
    let span = u128::from(hi - lo);
    let bits = 128 - span.leading_zeros();
    let shift = bits.saturating_sub(RADIX_BITS);
    // ≤ 2^RADIX_BITS buckets
    let buckets = (span >> shift) as usize + 1;
    let bucket = move |k: u64| k.bucket(lo, shift);
    let pieces = parallel::map_pieces(keys, PIECE, |piece| {
        let mut sums = vec![(0u32, 0u128); buckets];
        for &k in piece {
            let b = &mut sums[bucket(k)];
            b.0 += 1;
            b.1 += weight(k);
        }
        sums
    });
    let mut sums = vec![(0usize, 0u128); buckets];
    for piece in &pieces {
        for (total, (n, w)) in sums.iter_mut().zip(piece) {
            total.0 += *n as usize;
            total.1 += *w;
        }
    }
    // The last non-empty bucket whose smaller buckets still weigh below: the key is in it.
    let mut sum = before;
    let mut chosen = None;
    for (b, &(n, w)) in sums.iter().enumerate() {
        if n == 0 {
            continue;
        }
        if !below(sum) {
            break;
        }
        chosen = Some((b, sum));
        sum += w;
    }
    let (b, before) = chosen?;
    if shift == 0 {
        return Some(lo + b as u64);
    }
    let members: Vec<u64> = parallel::map_pieces(keys, PIECE, |piece| {
        piece
            .iter()
            .copied()
            .filter(|&k| bucket(k) == b)
            .collect::<Vec<u64>>()
    })
    .concat();
    last_below(&members, weight, before, below)
}

/// A metric's value as it is kept: an integer for counts and days, a decimal for money.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Num {
    Int(i64),
    Dec(Decimal),
}

impl Num {
    /// A count: an integer where it fits `i64`, else a decimal.
    #[inline]
    pub(crate) fn count(count: u64) -> Num {
        i64::try_from(count).map_or(Num::Dec(count.into()), Num::Int)
    }

    /// [`Profile::metric`](crate::Profile::metric) without making counts decimals.
    #[inline]
    pub(crate) fn of(profile: &crate::Profile, metric: crate::Metric) -> Option<Num> {
        use crate::Metric;
        let count = Num::count;
        match metric {
            Metric::RecencyDays => profile.recency_days.map(Num::Int),
            Metric::TenureDays => profile.tenure_days.map(Num::Int),
            Metric::Frequency => Some(count(profile.frequency)),
            Metric::Transactions => Some(count(profile.transactions)),
            Metric::DistinctProducts => profile.distinct_products.map(count),
            Metric::Monetary => Some(Num::Dec(profile.monetary)),
            other => profile.metric(other).map(Num::Dec),
        }
    }

    /// The value as a decimal.
    pub(crate) fn decimal(self) -> Decimal {
        match self {
            Num::Int(i) => Decimal::from(i),
            Num::Dec(d) => d,
        }
    }

    /// Whether it is at most `limit`.
    #[inline]
    pub(crate) fn at_most(self, limit: &Decimal) -> bool {
        // "None at or below 0" is the common limit (the value of a four-dimension grade).
        if limit.is_zero() {
            return match self {
                Num::Int(i) => i <= 0,
                Num::Dec(d) => d.is_zero() || d.is_sign_negative(),
            };
        }
        match self {
            Num::Int(i) => cmp_decimal(&Decimal::from(i), limit).is_le(),
            Num::Dec(d) => cmp_decimal(&d, limit).is_le(),
        }
    }
}

/// Order-preserving `u64` of an `i64`.
#[inline]
fn key64(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

#[inline]
fn unkey64(key: u64) -> i64 {
    (key ^ (1 << 63)) as i64
}

#[inline]
fn key128(value: i128) -> u128 {
    (value as u128) ^ (1 << 127)
}

#[inline]
fn unkey128(key: u128) -> i128 {
    (key ^ (1 << 127)) as i128
}

#[derive(Debug, Clone)]
enum Keys {
    /// Mantissas at the column's scale that fit 64 bits, with the least and greatest.
    Narrow(Vec<u64>, Option<(u64, u64)>),
    /// Mantissas at the column's scale that fit 128 bits.
    Wide(Vec<u128>),
    /// Beyond 128 bits at a common scale: the decimals themselves.
    Decimals(Vec<Decimal>),
}

/// A value at a position of a column of values in one order (ascending, or descending:
/// larger values first), with the number of values strictly before it and at most as
/// far as it in that order: what a fit reads of a column.
///
/// # Example
/// ```
/// use customer_tiering::classify::statistics::OrderStat;
/// use rust_decimal::dec;
/// // 1 1 2 2 2 3, ascending: position 4 holds a 2, after two 1s, with three 2s.
/// let stat = OrderStat { value: dec!(2), less: 2, not_more: 5 };
/// assert_eq!(stat.ties(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderStat {
    /// The value at the position. Among equal values written with different scales
    /// (`1.5`, `1.50`), a fit on the profiles reports the one its selection lands on,
    /// and a model prints it: statistics computed elsewhere give the same bytes where
    /// equal values share a scale.
    pub value: Decimal,
    /// Values strictly before it.
    pub less: usize,
    /// Values before it or equal to it.
    pub not_more: usize,
}

impl OrderStat {
    /// Values equal to it.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::statistics::OrderStat;
    /// use rust_decimal::dec;
    /// assert_eq!(OrderStat { value: dec!(7), less: 3, not_more: 4 }.ties(), 1);
    /// ```
    pub fn ties(&self) -> usize {
        self.not_more - self.less
    }
}

/// The values of a metric over a fit population (in population order) as integer keys,
/// asked for order statistics in either order: ascending, or descending (larger values
/// first).
#[derive(Debug, Clone)]
pub(crate) struct KeyColumn {
    keys: Keys,
    /// The scale of the keys' mantissas (the largest of the values').
    scale: u32,
    /// Per value, its own scale (bit 7: a negative zero), kept only when the values do
    /// not all print like their key at `scale`.
    marks: Option<Vec<u8>>,
}

/// Reads one column's values from a range of places of a source (a population's
/// columns) into a [`Gathered`].
pub(crate) trait RangeReader: Sync {
    /// Pushes the value of every place of `range` that has one, in order.
    fn read_range(&self, range: std::ops::Range<usize>, out: &mut Gathered<'_>);
}

/// Places read per reader at a time: a block of each column a reader reads stays in
/// the L1 cache while every reader reads it.
const BLOCK: usize = 128;

/// One column's values from one piece of a population, written as they come into the
/// piece's part of the column (64-bit mantissas), with their marks (scale, negative
/// zero) where they differ, and what the piece saw of scales.
#[derive(Debug)]
pub(crate) struct Gathered<'a> {
    out: &'a mut [u64],
    /// Reading a column again as decimals (its mantissas passed 64 bits): the values.
    decimals: Option<Vec<Decimal>>,
    seen: Seen,
}

/// What a piece saw of its values.
#[derive(Debug, Clone)]
struct Seen {
    len: usize,
    /// Per value, its mark: only once a value differs from the first in scale, or is a
    /// negative zero.
    marks: Option<Vec<u8>>,
    first_mark: Option<u8>,
    min_scale: u32,
    max_scale: u32,
    negative_zero: bool,
    /// A mantissa past 64 bits: the column is read again as decimals.
    wide: bool,
    /// The least and greatest mantissa.
    least: i64,
    greatest: i64,
}

impl Seen {
    /// The mark of every value, in order.
    fn marks(&self) -> impl Iterator<Item = u8> + '_ {
        let first = self.first_mark.unwrap_or(0);
        let all = self.marks.as_deref().unwrap_or(&[]);
        (0..self.len).map(move |i| all.get(i).copied().unwrap_or(first))
    }
}

impl<'a> Gathered<'a> {
    fn new(out: &'a mut [u64]) -> Self {
        Gathered {
            out,
            decimals: None,
            seen: Seen {
                len: 0,
                marks: None,
                first_mark: None,
                min_scale: u32::MAX,
                max_scale: 0,
                negative_zero: false,
                wide: false,
                least: i64::MAX,
                greatest: i64::MIN,
            },
        }
    }

    /// A gathering that keeps the decimals themselves.
    fn decimals() -> Gathered<'static> {
        Gathered {
            decimals: Some(Vec::new()),
            ..Gathered::new(&mut [])
        }
    }

    /// Pushes an integer value (scale 0).
    #[inline(always)]
    pub(crate) fn push_int(&mut self, value: i64) {
        let seen = &mut self.seen;
        if self.decimals.is_some()
            || (seen.first_mark.is_some_and(|m| m != 0) && seen.marks.is_none())
        {
            return self.push(Num::Int(value));
        }
        seen.first_mark = Some(0);
        seen.min_scale = 0;
        if let Some(marks) = &mut seen.marks {
            marks.push(0);
        }
        self.write(value);
    }

    /// Pushes each place's integer (scale 0) where it has one: a block of places at a
    /// time, with no branch on which places have a value (that follows the data, and
    /// mispredicts). Each place is written to the next free slot whether it has a value or
    /// not, and only a value moves the slot on: a piece's part has a slot for each of
    /// its places.
    #[inline(always)]
    pub(crate) fn push_ints(&mut self, values: impl Iterator<Item = Option<i64>>) {
        let seen = &mut self.seen;
        let plain = self.decimals.is_none()
            && seen.marks.is_none()
            && seen.first_mark.is_none_or(|m| m == 0);
        if !plain {
            return values.flatten().for_each(|v| self.push_int(v));
        }
        let free = &mut self.out[seen.len..];
        let (mut n, mut least, mut greatest) = (0, seen.least, seen.greatest);
        for value in values {
            let kept = value.is_some();
            let m = value.unwrap_or(0);
            free[n] = m as u64;
            n += usize::from(kept);
            least = if kept { least.min(m) } else { least };
            greatest = if kept { greatest.max(m) } else { greatest };
        }
        if n > 0 {
            seen.first_mark = Some(0);
            seen.min_scale = 0;
        }
        seen.len += n;
        seen.least = least;
        seen.greatest = greatest;
    }

    /// Pushes a decimal: its mantissa alone when it has the scale of the values before
    /// it, all alike so far, and is a non-zero 64-bit mantissa (nothing else to note).
    #[inline(always)]
    pub(crate) fn push_decimal(&mut self, value: Decimal) {
        let seen = &self.seen;
        if self.decimals.is_none()
            && seen.marks.is_none()
            && seen
                .first_mark
                .is_some_and(|m| u32::from(m) == value.scale())
            && let Ok(m) = i64::try_from(value.mantissa())
            && m != 0
        {
            return self.write(m);
        }
        self.push(Num::Dec(value));
    }

    #[inline(always)]
    fn write(&mut self, m: i64) {
        let seen = &mut self.seen;
        // a piece's part has room for every item of the piece
        self.out[seen.len] = m as u64;
        seen.len += 1;
        seen.least = seen.least.min(m);
        seen.greatest = seen.greatest.max(m);
    }

    /// Pushes a value.
    #[inline(always)]
    pub(crate) fn push(&mut self, value: Num) {
        if let Some(decimals) = &mut self.decimals {
            return decimals.push(value.decimal());
        }
        let seen = &mut self.seen;
        let (m, scale, negative_zero) = match value {
            Num::Int(i) => (i, 0, false),
            Num::Dec(d) => {
                let negative_zero = d.is_zero() && d.is_sign_negative();
                match i64::try_from(d.mantissa()) {
                    Ok(m) => (m, d.scale(), negative_zero),
                    Err(_) => {
                        seen.wide = true;
                        (0, d.scale(), negative_zero)
                    }
                }
            }
        };
        // scale ≤ 28 < 2^7
        let mark = scale as u8 | (u8::from(negative_zero) << 7);
        let first = *seen.first_mark.get_or_insert(mark);
        if mark != first && seen.marks.is_none() {
            let mut marks = Vec::with_capacity(self.out.len());
            marks.resize(seen.len, first);
            seen.marks = Some(marks);
        }
        if let Some(marks) = &mut seen.marks {
            marks.push(mark);
        }
        seen.min_scale = seen.min_scale.min(scale);
        seen.max_scale = seen.max_scale.max(scale);
        seen.negative_zero |= negative_zero;
        self.write(m);
    }
}

impl KeyColumn {
    /// The values `value` gives for the customers of `population`, in order (none is
    /// left out), each profile made from the columns a block at a time.
    pub(crate) fn build_made<F>(population: &crate::Population, value: F) -> Self
    where
        F: Fn(&crate::Profile) -> Option<Decimal> + Sync + Send,
    {
        struct Made<'a, F> {
            customers: &'a crate::population::Columns,
            value: F,
        }
        impl<F: Fn(&crate::Profile) -> Option<Decimal> + Sync> RangeReader for Made<'_, F> {
            fn read_range(&self, range: std::ops::Range<usize>, out: &mut Gathered<'_>) {
                let mut block = Vec::with_capacity(range.len());
                self.customers.fill(range, &mut block);
                for profile in &block {
                    if let Some(v) = (self.value)(profile) {
                        out.push(Num::Dec(v));
                    }
                }
            }
        }
        let made = Made {
            customers: population.columns(),
            value,
        };
        let mut columns = Self::build_many(population.len(), &[made]);
        columns.pop().unwrap_or_else(|| Self::from_decimals(&[]))
    }

    /// A column per reader over the places `0..len`, in one pass (block by block, each
    /// block read by every reader while it is in the cache).
    /// Each piece writes into its own part of the column's one buffer (fresh memory
    /// costs a page fault a page here: it is not written twice), and the parts are
    /// closed up after.
    pub(crate) fn build_many<R: RangeReader>(len: usize, readers: &[R]) -> Vec<Self> {
        let mut buffers: Vec<Vec<u64>> = readers.iter().map(|_| vec![0; len]).collect();
        let starts: Vec<usize> = (0..len).step_by(PIECE).collect();
        let seen: Vec<Vec<Seen>> = {
            let mut parts: Vec<std::slice::ChunksMut<'_, u64>> =
                buffers.iter_mut().map(|b| b.chunks_mut(PIECE)).collect();
            let mut jobs: Vec<(usize, Vec<Gathered<'_>>)> = starts
                .iter()
                .map(|&start| {
                    let gathered = parts
                        .iter_mut()
                        .map(|p| Gathered::new(p.next().unwrap_or_default()))
                        .collect();
                    (start, gathered)
                })
                .collect();
            parallel::for_each_mut(&mut jobs, |(start, gathered)| {
                let end = (*start + PIECE).min(len);
                for block in (*start..end).step_by(BLOCK) {
                    let range = block..(block + BLOCK).min(end);
                    for (reader, out) in readers.iter().zip(gathered.iter_mut()) {
                        reader.read_range(range.clone(), out);
                    }
                }
            });
            (0..readers.len())
                .map(|c| jobs.iter().map(|(_, g)| g[c].seen.clone()).collect())
                .collect()
        };
        // Column by column on every core: closing up a column's parts moves most of it.
        let columns: Vec<_> = buffers.into_iter().zip(seen).enumerate().collect();
        parallel::map_owned(
            columns,
            |(column, (mut buffer, seen)): (usize, (_, Vec<Seen>))| {
                if seen.iter().any(|s| s.wide) {
                    // Mantissas past 64 bits: read this column again, as decimals.
                    drop(buffer);
                    let mut all = Gathered::decimals();
                    for block in (0..len).step_by(BLOCK) {
                        readers[column].read_range(block..(block + BLOCK).min(len), &mut all);
                    }
                    return Self::from_decimals_wide(&all.decimals.unwrap_or_default());
                }
                // Close up the parts.
                let mut at = 0;
                for (p, s) in seen.iter().enumerate() {
                    buffer.copy_within(p * PIECE..p * PIECE + s.len, at);
                    at += s.len;
                }
                buffer.truncate(at);
                Self::from_mantissas(buffer, &seen)
            },
        )
    }

    /// A column of decimals.
    pub(crate) fn from_decimals(values: &[Decimal]) -> Self {
        let mut buffer = vec![0; values.len()];
        let mut gathered = Gathered::new(&mut buffer);
        for v in values {
            gathered.push(Num::Dec(*v));
        }
        let seen = gathered.seen;
        if seen.wide {
            return Self::from_decimals_wide(values);
        }
        Self::from_mantissas(buffer, &[seen])
    }

    /// Keys at the largest scale from 64-bit mantissas (in order, the pieces' values
    /// one after the other, as `seen` saw them), turned into keys in place.
    fn from_mantissas(mut buffer: Vec<u64>, seen: &[Seen]) -> Self {
        let scale = seen.iter().map(|s| s.max_scale).max().unwrap_or(0);
        let plain = seen
            .iter()
            .all(|s| s.len == 0 || (s.min_scale == scale && !s.negative_zero));
        let widen = |m: i64, mark: u8| {
            10i64
                .checked_pow(scale - u32::from(mark & 0x7F))
                .and_then(|unit| m.checked_mul(unit))
        };
        if plain {
            let least = seen.iter().map(|s| s.least).min().unwrap_or(0);
            let greatest = seen.iter().map(|s| s.greatest).max().unwrap_or(0);
            parallel::for_each_mut(&mut buffer, |k| *k = key64(*k as i64));
            let bounds = (!buffer.is_empty()).then(|| (key64(least), key64(greatest)));
            return KeyColumn {
                keys: Keys::Narrow(buffer, bounds),
                scale,
                marks: None,
            };
        }
        let marks: Vec<u8> = seen.iter().flat_map(Seen::marks).collect();
        // Widened to the largest scale, every mantissa still fits 64 bits: or else the
        // keys need 128.
        let fits = buffer
            .iter()
            .zip(&marks)
            .all(|(&m, &mark)| widen(m as i64, mark).is_some());
        let keys = if fits {
            let (mut lo, mut hi) = (u64::MAX, u64::MIN);
            for (k, &mark) in buffer.iter_mut().zip(&marks) {
                // checked above
                *k = key64(widen(*k as i64, mark).unwrap_or(0));
                lo = lo.min(*k);
                hi = hi.max(*k);
            }
            let bounds = (lo <= hi).then_some((lo, hi));
            Keys::Narrow(buffer, bounds)
        } else {
            let widened: Option<Vec<u128>> = buffer
                .iter()
                .zip(&marks)
                .map(|(&m, &mark)| {
                    let unit = 10i128.pow(scale - u32::from(mark & 0x7F));
                    i128::from(m as i64).checked_mul(unit).map(key128)
                })
                .collect();
            match widened {
                Some(keys) => Keys::Wide(keys),
                // 18 digits next to 28 decimals: compare the decimals themselves.
                None => Keys::Decimals(
                    buffer
                        .iter()
                        .zip(&marks)
                        .map(|(&m, &mark)| {
                            decimal(
                                i128::from(m as i64),
                                u32::from(mark & 0x7F),
                                mark & 0x80 != 0,
                            )
                        })
                        .collect(),
                ),
            }
        };
        KeyColumn {
            keys,
            scale,
            marks: Some(marks),
        }
    }

    /// Mixed scales with 28-digit mantissas: 128-bit keys where they fit, else the
    /// decimals themselves.
    fn from_decimals_wide(values: &[Decimal]) -> Self {
        let scale = values.iter().map(|v| v.scale()).max().unwrap_or(0);
        let marks = values
            .iter()
            .any(|v| v.scale() != scale || (v.is_zero() && v.is_sign_negative()))
            .then(|| {
                values
                    .iter()
                    .map(|v| v.scale() as u8 | (u8::from(v.is_zero() && v.is_sign_negative()) << 7))
                    .collect()
            });
        let rescaled: Option<Vec<u128>> = values
            .iter()
            .map(|v| mantissa_at(*v, scale).map(key128))
            .collect();
        let keys = match rescaled {
            Some(keys) => Keys::Wide(keys),
            None => Keys::Decimals(values.to_vec()),
        };
        KeyColumn { keys, scale, marks }
    }

    /// The scale of the column's mantissas: the largest of its values'.
    pub(crate) fn scale(&self) -> u32 {
        self.scale
    }

    /// Value-basis thresholds ([Pareto tiers](crate::definitions#pareto-tiers-and-abc)) of
    /// a column of positive values: per band `b` of `bands`, the smallest value whose
    /// larger values sum (a mantissa at the column's [`scale`](Self::scale)) to what
    /// `below(b, sum)` accepts. None where the keys are not 64-bit (the caller sorts).
    pub(crate) fn value_thresholds<B>(&self, bands: usize, below: B) -> Option<Vec<Decimal>>
    where
        B: Fn(usize, u128) -> bool + Sync,
    {
        let Keys::Narrow(keys, _) = &self.keys else {
            return None;
        };
        // Equal values written differently: the caller's sort decides which is written,
        // as it always has.
        if self.marks.is_some() {
            return None;
        }
        // Largest first, as keys ascending: inverted bits reverse the order.
        let largest_first: Vec<u64> = keys.iter().map(|&k| !k).collect();
        let weight: fn(u64) -> u128 = |inverted| unkey64(!inverted).unsigned_abs().into();
        (0..bands)
            .map(|b| {
                let inverted = last_below(&largest_first, weight, 0, &|sum| below(b, sum))?;
                let key = !inverted;
                Some(self.value_of(0, 0, |i| keys[i] == key, || i128::from(unkey64(key))))
            })
            .collect()
    }

    /// The number of values.
    pub(crate) fn len(&self) -> usize {
        match &self.keys {
            Keys::Narrow(k, _) => k.len(),
            Keys::Wide(k) => k.len(),
            Keys::Decimals(d) => d.len(),
        }
    }

    /// The values at 1-based `positions` (non-decreasing, each in `1..=len`) of the
    /// column ascending, or descending, with the counts before and at each in that
    /// order.
    pub(crate) fn order_stats(&self, positions: &[usize], descending: bool) -> Vec<OrderStat> {
        let mut stats = self.counted_stats(positions, descending);
        // Equal values written differently (`2.01`, `2.010`): the one reported is the
        // one models always reported, so that a saved model and every output keep
        // their bytes.
        if self.marks.is_some() {
            let mut values: Vec<Decimal> = (0..self.len()).map(|i| self.numeric(i)).collect();
            let written = select_in_place(&mut values, positions, descending);
            for (stat, value) in stats.iter_mut().zip(written) {
                stat.value = value;
            }
        }
        stats
    }

    fn counted_stats(&self, positions: &[usize], descending: bool) -> Vec<OrderStat> {
        mirrored_stats(self.len(), positions, descending, |p| {
            self.ascending_stats(p)
        })
    }

    fn ascending_stats(&self, positions: &[usize]) -> Vec<OrderStat> {
        let ranks: Vec<usize> = positions.iter().map(|p| p - 1).collect();
        match &self.keys {
            Keys::Narrow(keys, bounds) => select_within(keys, &ranks, *bounds)
                .into_iter()
                .map(|s| OrderStat {
                    value: self.value_of(
                        s.less,
                        s.not_more,
                        |i| keys[i] == s.key,
                        || i128::from(unkey64(s.key)),
                    ),
                    less: s.less,
                    not_more: s.not_more,
                })
                .collect(),
            Keys::Wide(keys) => select(keys, &ranks)
                .into_iter()
                .map(|s| OrderStat {
                    value: self.value_of(
                        s.less,
                        s.not_more,
                        |i| keys[i] == s.key,
                        || unkey128(s.key),
                    ),
                    less: s.less,
                    not_more: s.not_more,
                })
                .collect(),
            Keys::Decimals(values) => {
                // Stable: equal values keep population order.
                let mut sorted: Vec<Decimal> = values.clone();
                sorted.sort();
                ranks
                    .iter()
                    .map(|&rank| {
                        let value = sorted[rank];
                        let less = sorted.partition_point(|v| *v < value);
                        OrderStat {
                            // the first of the equal values in population order
                            value: sorted[less],
                            less,
                            not_more: sorted.partition_point(|v| *v <= value),
                        }
                    })
                    .collect()
            }
        }
    }

    /// Where each value (in population order) sits among `cuts`, given in the column's
    /// order (ascending, or descending): `(a, b)` with `a` the cuts strictly before it
    /// and `b` those before it or equal to it (`b > a` exactly when it equals a cut).
    pub(crate) fn place(&self, cuts: &[Decimal], descending: bool) -> Vec<(u8, u8)> {
        let count = |before: usize| u8::try_from(before).unwrap_or(u8::MAX);
        if let Keys::Narrow(keys, _) = &self.keys {
            let cut_keys: Option<Vec<u64>> = cuts
                .iter()
                .map(|c| Some(key64(i64::try_from(mantissa_at(*c, self.scale)?).ok()?)))
                .collect();
            if let Some(cut_keys) = cut_keys {
                return keys
                    .iter()
                    .map(|&k| {
                        let (before, at) = if descending {
                            (
                                cut_keys.iter().filter(|&&c| c > k).count(),
                                cut_keys.iter().filter(|&&c| c >= k).count(),
                            )
                        } else {
                            (
                                cut_keys.iter().filter(|&&c| c < k).count(),
                                cut_keys.iter().filter(|&&c| c <= k).count(),
                            )
                        };
                        (count(before), count(at))
                    })
                    .collect();
            }
        }
        (0..self.len())
            .map(|i| {
                let v = self.numeric(i);
                let (before, at) = if descending {
                    (
                        cuts.iter().filter(|c| **c > v).count(),
                        cuts.iter().filter(|c| **c >= v).count(),
                    )
                } else {
                    (
                        cuts.iter().filter(|c| **c < v).count(),
                        cuts.iter().filter(|c| **c <= v).count(),
                    )
                };
                (count(before), count(at))
            })
            .collect()
    }

    /// The value at `index`.
    fn numeric(&self, index: usize) -> Decimal {
        let m = match &self.keys {
            Keys::Narrow(keys, _) => i128::from(unkey64(keys[index])),
            Keys::Wide(keys) => unkey128(keys[index]),
            Keys::Decimals(values) => return values[index],
        };
        self.at_own_scale(m, index)
    }

    /// The decimal of the value at `index`, whose mantissa at the column's scale is `m`.
    fn at_own_scale(&self, m: i128, index: usize) -> Decimal {
        let Some(marks) = &self.marks else {
            return decimal(m, self.scale, false);
        };
        let mark = marks[index];
        let scale = u32::from(mark & 0x7F);
        // exact: the value was widened from `scale` to `self.scale`
        let unit = 10i128.pow(self.scale - scale);
        decimal(m / unit, scale, mark & 0x80 != 0)
    }

    /// The decimal of a selected key (`mantissa` at the column's scale, which `equal`
    /// recognises): built from the key when every value prints like its key, else the
    /// very value of the first equal one in population order.
    fn value_of(
        &self,
        less: usize,
        not_more: usize,
        equal: impl Fn(usize) -> bool,
        mantissa: impl Fn() -> i128,
    ) -> Decimal {
        let _ = (less, not_more);
        let m = mantissa();
        if self.marks.is_none() {
            return decimal(m, self.scale, false);
        }
        let index = (0..self.len()).find(|&i| equal(i)).unwrap_or(0);
        self.at_own_scale(m, index)
    }
}

/// The values at 1-based `positions` (non-decreasing) of `values` ordered ascending, or
/// descending, found by successive `select_nth_unstable` calls on the slice. Among equal
/// values written differently (`2.01` and `2.010`) this picks the one models fitted
/// before the integer selection wrote, and always will: the selection's counts do not
/// depend on it, but a saved model's bytes do.
fn select_in_place(values: &mut [Decimal], positions: &[usize], descending: bool) -> Vec<Decimal> {
    let order = |a: &Decimal, b: &Decimal| if descending { b.cmp(a) } else { a.cmp(b) };
    let mut out = Vec::with_capacity(positions.len());
    // values[..done] are all in their final places.
    let mut done = 0;
    let mut last: Option<Decimal> = None;
    for &position in positions {
        let index = position - 1;
        if index + 1 == done
            && let Some(value) = last
        {
            out.push(value);
            continue;
        }
        let (_, nth, _) = values[done..].select_nth_unstable_by(index - done, order);
        let value = *nth;
        out.push(value);
        last = Some(value);
        done = index + 1;
    }
    out
}

/// A column's values sorted ascending, to count how many lie below any value.
#[derive(Debug)]
pub(crate) enum Sorted {
    /// 64-bit keys at `scale`.
    Narrow { keys: Vec<u64>, scale: u32 },
    /// The values themselves.
    Exact(Vec<Decimal>),
}

impl KeyColumn {
    /// The values sorted (as integers where they are 64-bit at one scale).
    pub(crate) fn sorted(&self) -> Sorted {
        match &self.keys {
            Keys::Narrow(keys, _) => {
                let mut keys = keys.clone();
                keys.sort_unstable();
                Sorted::Narrow {
                    keys,
                    scale: self.scale,
                }
            }
            _ => {
                let mut values: Vec<Decimal> = (0..self.len()).map(|i| self.numeric(i)).collect();
                values.sort_unstable();
                Sorted::Exact(values)
            }
        }
    }
}

impl Sorted {
    /// The number of values.
    pub(crate) fn len(&self) -> usize {
        match self {
            Sorted::Narrow { keys, .. } => keys.len(),
            Sorted::Exact(values) => values.len(),
        }
    }

    /// The values strictly below `value`, and those at most `value`.
    pub(crate) fn counts(&self, value: &Decimal) -> (usize, usize) {
        match self {
            Sorted::Narrow { keys, scale } => {
                match mantissa_at(*value, *scale).and_then(|m| i64::try_from(m).ok()) {
                    Some(m) => {
                        let key = key64(m);
                        (
                            keys.partition_point(|k| *k < key),
                            keys.partition_point(|k| *k <= key),
                        )
                    }
                    // More decimals than the column, or beyond it: compare as decimals
                    // (a 64-bit mantissa is a decimal at any scale up to 28).
                    None => {
                        let at = |k: &u64| decimal(i128::from(unkey64(*k)), *scale, false);
                        (
                            keys.partition_point(|k| at(k) < *value),
                            keys.partition_point(|k| at(k) <= *value),
                        )
                    }
                }
            }
            Sorted::Exact(values) => (
                values.partition_point(|v| v < value),
                values.partition_point(|v| v <= value),
            ),
        }
    }
}

/// `value`'s mantissa at `scale`, if it has one there (no more decimals than `scale`).
fn mantissa_at(value: Decimal, scale: u32) -> Option<i128> {
    let widen = scale.checked_sub(value.scale())?;
    value.mantissa().checked_mul(10i128.checked_pow(widen)?)
}

/// The mantissa of `value` at `scale`, if it has a 64-bit one there.
#[inline(always)]
pub(crate) fn key_at(value: &Decimal, scale: u32) -> Option<i64> {
    // A mantissa beyond 64 bits stays beyond them at a larger scale.
    let mantissa = i64::try_from(value.mantissa()).ok()?;
    match scale.checked_sub(value.scale())? {
        0 => Some(mantissa),
        widen => mantissa.checked_mul(10i64.checked_pow(widen)?),
    }
}

/// The decimal `mantissa · 10^-scale` of a value that came from a decimal.
fn decimal(mantissa: i128, scale: u32, negative_zero: bool) -> Decimal {
    let mut d = Decimal::try_from_i128_with_scale(mantissa, scale).unwrap_or_default();
    if negative_zero {
        d.set_sign_negative(true);
    }
    d
}

/// Cut values (thresholds) as 64-bit mantissas at one scale, so that a value is
/// placed among them by integer comparisons: classifying a million customers compares
/// each with a few cuts per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IntCuts {
    scale: u32,
    /// `10^scale`, where it fits `i64`.
    unit: Option<i64>,
    cuts: Vec<i64>,
}

impl IntCuts {
    /// None when a cut has no 64-bit mantissa at the largest scale of the cuts.
    pub(crate) fn new(cuts: &[Decimal]) -> Option<Self> {
        let scale = cuts.iter().map(Decimal::scale).max().unwrap_or(0);
        let cuts = cuts
            .iter()
            .map(|c| i64::try_from(mantissa_at(*c, scale)?).ok())
            .collect::<Option<Vec<i64>>>()?;
        Some(IntCuts {
            scale,
            unit: 10i64.checked_pow(scale),
            cuts,
        })
    }

    /// The cuts as a [`CutCounter`] of `N`, counting those strictly above a key
    /// (`above`) or strictly below it; none if there are more than `N` cuts.
    pub(crate) fn counter<const N: usize>(&self, above: bool) -> Option<CutCounter<N>> {
        CutCounter::new(&self.cuts, above)
    }

    /// The mantissa of `value` at the cuts' scale, if it has a 64-bit one there.
    #[inline(always)]
    pub(crate) fn key(&self, value: &Decimal) -> Option<i64> {
        key_at(value, self.scale)
    }

    /// The scale of the keys.
    pub(crate) fn scale(&self) -> u32 {
        self.scale
    }

    /// `10^scale`, the key of 1, where it fits `i64`.
    pub(crate) fn unit(&self) -> Option<i64> {
        self.unit
    }

    /// The mantissa of an integer at the cuts' scale.
    #[inline(always)]
    pub(crate) fn key_int(&self, value: i64) -> Option<i64> {
        value.checked_mul(self.unit?)
    }

    /// Cuts strictly below a key.
    #[inline(always)]
    pub(crate) fn below(&self, key: i64) -> usize {
        self.cuts.iter().filter(|&&c| c < key).count()
    }

    /// Cuts strictly above a key.
    #[inline(always)]
    pub(crate) fn above(&self, key: i64) -> usize {
        self.cuts.iter().filter(|&&c| c > key).count()
    }
}

/// Order statistics of `n` values at 1-based `positions` (non-decreasing) ascending
/// or descending, from `ascending`, which gives them ascending.
pub(crate) fn mirrored_stats(
    n: usize,
    positions: &[usize],
    descending: bool,
    ascending: impl FnOnce(&[usize]) -> Vec<OrderStat>,
) -> Vec<OrderStat> {
    if !descending {
        return ascending(positions);
    }
    // Position p descending is position n + 1 − p ascending; what comes before it
    // descending comes after it ascending.
    let mirrored: Vec<usize> = positions.iter().rev().map(|p| n + 1 - p).collect();
    let mut stats: Vec<OrderStat> = ascending(&mirrored)
        .into_iter()
        .map(|s| OrderStat {
            value: s.value,
            less: n - s.not_more,
            not_more: n - s.less,
        })
        .collect();
    stats.reverse();
    stats
}

/// At most `N` integer cut points, counted without a branch: [`count`](Self::count)
/// gives the number of cuts strictly below a key, or strictly above it. Classifying a
/// million customers counts each customer's place among a few cuts per column, so the
/// count is a fixed run of compares rather than a loop over a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CutCounter<const N: usize> {
    /// The cuts, each xored with `flip`, then `i64::MAX` (which is below no key).
    cuts: [i64; N],
    /// All ones to count the cuts above a key: `!x` reverses the order of `i64`
    /// without overflow, so "c > key" is "!c < !key". Zero to count those below.
    flip: i64,
}

impl<const N: usize> CutCounter<N> {
    /// None if there are more than `N` cuts.
    pub(crate) fn new(cuts: &[i64], above: bool) -> Option<Self> {
        if cuts.len() > N {
            return None;
        }
        let flip = if above { -1 } else { 0 };
        let mut padded = [i64::MAX; N];
        for (p, &c) in padded.iter_mut().zip(cuts) {
            *p = c ^ flip;
        }
        Some(CutCounter { cuts: padded, flip })
    }

    /// The cuts strictly below `key` (or strictly above it, as made).
    #[inline(always)]
    pub(crate) fn count(&self, key: i64) -> u32 {
        let key = key ^ self.flip;
        self.cuts.iter().map(|&c| u32::from(c < key)).sum()
    }
}

/// Compares two decimals numerically: the mantissas when the scales agree (the common
/// case, and several times cheaper than `Decimal::cmp`).
#[inline]
pub(crate) fn cmp_decimal(a: &Decimal, b: &Decimal) -> Ordering {
    if a.scale() == b.scale() {
        a.mantissa().cmp(&b.mantissa())
    } else {
        a.cmp(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::dec;

    /// The reference: a sort, then positions read off; where equal values are written
    /// differently, the one successive `select_nth_unstable` calls leave there (what the
    /// fits wrote before the selection on keys).
    fn by_sorting(values: &[Decimal], descending: bool, positions: &[usize]) -> Vec<OrderStat> {
        let order = |a: &Decimal, b: &Decimal| if descending { b.cmp(a) } else { a.cmp(b) };
        let mut sorted = values.to_vec();
        sorted.sort_by(order);
        let written = select_in_place(&mut values.to_vec(), positions, descending);
        positions
            .iter()
            .zip(written)
            .map(|(&p, written)| {
                let value = sorted[p - 1];
                assert_eq!(written, value);
                OrderStat {
                    value: written,
                    less: sorted.iter().filter(|v| order(v, &value).is_lt()).count(),
                    not_more: sorted.iter().filter(|v| !order(v, &value).is_gt()).count(),
                }
            })
            .collect()
    }

    fn check(values: &[Decimal], positions: &[usize]) {
        let column = KeyColumn::from_decimals(values);
        for descending in [false, true] {
            let got = column.order_stats(positions, descending);
            let want = by_sorting(values, descending, positions);
            assert_eq!(got, want, "{values:?} {positions:?} {descending}");
            for (g, w) in got.iter().zip(&want) {
                // the same decimal, scale and sign included
                assert_eq!(g.value.to_string(), w.value.to_string());
                assert_eq!(g.value.is_sign_negative(), w.value.is_sign_negative());
            }
        }
    }

    #[test]
    fn small_and_large_columns_agree_with_a_sort() {
        let few = [dec!(3), dec!(1.0), dec!(1), dec!(-2), dec!(1.00)];
        check(&few, &[1, 2, 3, 4, 5]);
        // Past the sort cut-off, with a long tail and mixed scales.
        let many: Vec<Decimal> = (0..5000i64)
            .map(|i| {
                let v = (i * 7919) % 2003;
                match i % 3 {
                    0 => Decimal::new(v * v, 2),
                    1 => Decimal::new(v * v * 10, 3),
                    _ => Decimal::from(v % 7),
                }
            })
            .collect();
        check(&many, &[1, 1, 50, 2500, 2501, 4999, 5000]);
        // All equal, and one scale, 64-bit.
        check(&vec![dec!(4.20); 3000], &[1, 1500, 3000]);
        let cents: Vec<Decimal> = (0..4000i64).map(|i| Decimal::new(i % 97 - 40, 2)).collect();
        check(&cents, &[1, 800, 1600, 2400, 3200, 4000]);
    }

    #[test]
    fn negative_zero_and_wide_and_huge_values() {
        let mut zero = Decimal::new(0, 2);
        zero.set_sign_negative(true);
        let mut values = vec![zero; 1500];
        values.extend(vec![Decimal::new(0, 2); 1500]);
        check(&values, &[1, 1500, 1501, 3000]);
        // 128-bit keys: 28 digits at scale 0 next to scale 10.
        let mut wide: Vec<Decimal> = (0..2000i64).map(|i| Decimal::new(i, 10)).collect();
        wide.push(Decimal::MAX / dec!(1000000000000));
        check(&wide, &[1, 1000, 2001]);
        // Beyond 128 bits: falls back to decimals.
        let mut huge: Vec<Decimal> = (0..2000i64).map(|i| Decimal::new(i, 28)).collect();
        huge.extend([Decimal::MAX, Decimal::MIN]);
        check(&huge, &[1, 2, 1000, 2002]);
    }

    proptest! {
        #[test]
        fn selection_equals_sorting_on_heavy_ties(
            raw in proptest::collection::vec((0i64..12, 0u32..3), 1..3000),
            spread in 1i64..1_000_000,
            picks in proptest::collection::vec(0.0f64..1.0, 1..10),
        ) {
            let values: Vec<Decimal> = raw
                .iter()
                .map(|&(v, s)| Decimal::new((v - 6) * spread * 10i64.pow(s), s))
                .collect();
            let n = values.len();
            let mut positions: Vec<usize> =
                picks.iter().map(|f| 1 + ((f * n as f64) as usize).min(n - 1)).collect();
            positions.sort_unstable();
            check(&values, &positions);
        }
    }

    #[test]
    fn cmp_decimal_is_numeric() {
        for (a, b) in [
            (dec!(1.10), dec!(1.1)),
            (dec!(-3), dec!(2)),
            (dec!(2.00), dec!(1.99)),
        ] {
            assert_eq!(cmp_decimal(&a, &b), a.cmp(&b));
            assert_eq!(cmp_decimal(&b, &a), b.cmp(&a));
        }
    }

    /// Keys near the ends of `i64` as well as small ones, so that ties with a cut
    /// and the flip of `i64::MIN` and `i64::MAX` are common.
    fn edge_key() -> impl Strategy<Value = i64> {
        prop_oneof![
            -3i64..3,
            Just(i64::MIN),
            Just(i64::MIN + 1),
            Just(i64::MAX - 1),
            Just(i64::MAX),
            any::<i64>(),
        ]
    }

    proptest! {
        #[test]
        fn a_cut_counter_counts_the_cuts_below_or_above_a_key(
            cuts in proptest::collection::vec(edge_key(), 0..=4),
            keys in proptest::collection::vec(edge_key(), 1..20),
        ) {
            let below = CutCounter::<4>::new(&cuts, false).unwrap();
            let above = CutCounter::<4>::new(&cuts, true).unwrap();
            for key in keys {
                let want_below = cuts.iter().filter(|&&c| c < key).count() as u32;
                let want_above = cuts.iter().filter(|&&c| c > key).count() as u32;
                prop_assert_eq!(below.count(key), want_below);
                prop_assert_eq!(above.count(key), want_above);
            }
            // Too many cuts for the counter: none.
            prop_assert!(CutCounter::<2>::new(&cuts, false).is_none() == (cuts.len() > 2));
        }

        #[test]
        fn a_key_is_the_mantissa_at_the_scale_where_it_fits(
            mantissa in prop_oneof![any::<i64>().prop_map(i128::from), any::<i128>()],
            value_scale in 0u32..=28,
            scale in 0u32..=28,
        ) {
            let Ok(value) = Decimal::try_from_i128_with_scale(mantissa, value_scale) else {
                return Ok(());
            };
            let want = mantissa_at(value, scale).and_then(|m| i64::try_from(m).ok());
            prop_assert_eq!(key_at(&value, scale), want);
            if let Some(key) = want {
                prop_assert_eq!(decimal(i128::from(key), scale, false), value);
            }
        }
    }
}
