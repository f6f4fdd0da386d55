//! The sums behind the [summary figures](crate::definitions#summary-figures), in integers
//! that add up exactly in any grouping: a piece of customers tallies, per column and label
//! code, the label's customers, revenue (one `i128` mantissa at the label's largest scale),
//! transaction rows and recency days (a histogram), and the pieces' tallies merge into the
//! run's.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use rust_decimal::Decimal;

use std::ops::Range;

use crate::pipeline::Tiering;
use crate::population::Columns;

/// What one customer brings to its labels' tallies, read from its profile once for
/// every column.
#[derive(Debug, Clone, Copy)]
pub(super) struct Customer {
    mantissa: i128,
    scale: u32,
    transactions: u64,
    recency_days: Option<i64>,
    /// `recency_days` as a histogram index below [`DAYS`]; [`DAYS`] for none or a day
    /// kept as it is. Worked out once for every column.
    day: usize,
}

impl Customer {
    /// Customer `i` of a population.
    #[inline]
    pub(super) fn at(customers: &Columns, i: usize) -> Self {
        let recency_days = customers.recency_days[i];
        let day = recency_days
            .and_then(|days| usize::try_from(days).ok())
            .filter(|&day| day < DAYS)
            .unwrap_or(DAYS);
        let monetary = customers.monetary[i];
        Customer {
            mantissa: monetary.mantissa(),
            scale: monetary.scale(),
            transactions: customers.transactions[i],
            recency_days,
            day,
        }
    }
}

/// Label codes past which a column's tallies are kept in a map rather than one per
/// code (a column of a few labels, the usual case, indexes its tallies directly).
const DIRECT: usize = 256;

/// One column's tallies over a piece of customers, by the label's code in the
/// tiering's dictionary of the column: no label is looked at per customer.
#[derive(Debug)]
pub(super) enum ByCode {
    /// A tally per code of a dictionary of at most [`DIRECT`] labels.
    Direct(Vec<Tally>),
    /// The tallies of the codes seen, for a dictionary past that (a label per
    /// customer, say).
    Sparse(HashMap<usize, Tally, FixedState>),
}

impl ByCode {
    /// No customer yet, for a column of `labels` distinct labels.
    pub(super) fn new(labels: usize) -> Self {
        match labels <= DIRECT {
            true => ByCode::Direct(vec![Tally::default(); labels]),
            false => ByCode::Sparse(HashMap::default()),
        }
    }

    /// Counts `customer` under the label of code `code`.
    #[inline]
    pub(super) fn add(&mut self, code: usize, customer: &Customer) {
        match self {
            ByCode::Direct(tallies) => tallies[code].add(customer),
            ByCode::Sparse(tallies) => tallies.entry(code).or_default().add(customer),
        }
    }

    /// The tallies of the codes that have customers.
    pub(super) fn into_tallies(self) -> Vec<(usize, Tally)> {
        match self {
            ByCode::Direct(tallies) => tallies
                .into_iter()
                .enumerate()
                .filter(|(_, t)| t.customers > 0)
                .collect(),
            ByCode::Sparse(tallies) => tallies.into_iter().collect(),
        }
    }
}

/// Customers per piece at most, so that a piece's day counts fit `u16`.
pub(super) const MAX_PIECE: usize = u16::MAX as usize;

/// Recency days below this are counted per day; others are kept as they are.
const DAYS: usize = 1 << 12;

/// One label's sums over a piece of at most [`MAX_PIECE`] customers.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    customers: u32,
    revenue: RevenueSum,
    /// A sum of u64 counts over fewer than 2^64 customers fits u128.
    transactions: u128,
    /// Sums of the customers counted from a [`Block`]: mantissas at the piece's scale,
    /// their magnitudes and transaction rows, each below [`SMALL`], so that a piece's
    /// sums stay below 2^56.
    small_revenue: i64,
    small_magnitude: u64,
    small_transactions: u64,
    /// 1 + the largest scale of those customers' own; 0 for none.
    small_scale: u8,
    /// Buyers per recency day below [`DAYS`] (a few KiB per label: they stay in cache).
    days: Vec<u16>,
    other_days: Vec<i64>,
}

impl Tally {
    #[inline]
    fn add(&mut self, customer: &Customer) {
        // A piece has at most MAX_PIECE customers: no count passes u16 (nor a sum of
        // u64 transaction counts u128), so nothing here needs a check.
        self.customers = self.customers.wrapping_add(1);
        self.revenue.add(customer.mantissa, customer.scale);
        self.transactions = self
            .transactions
            .wrapping_add(u128::from(customer.transactions));
        let day = customer.day;
        if day < DAYS {
            self.make_room(day);
            self.days[day] = self.days[day].wrapping_add(1);
        } else if let Some(days) = customer.recency_days {
            self.other_days.push(days);
        }
    }

    /// Counts customer `i` of a block; its day has room (see [`Tally::make_room`]).
    #[inline(always)]
    fn add_small(&mut self, block: &Block, i: usize) {
        // Bounded as the fields say: no check needed.
        self.customers = self.customers.wrapping_add(1);
        self.small_revenue = self.small_revenue.wrapping_add(block.mantissas[i]);
        self.small_magnitude = self.small_magnitude.wrapping_add(block.magnitudes[i]);
        self.small_transactions = self.small_transactions.wrapping_add(block.transactions[i]);
        self.small_scale = self.small_scale.max(block.scales[i]);
        // None for a customer without recency (NO_DAY is past any histogram).
        if let Some(count) = self.days.get_mut(usize::from(block.days[i])) {
            *count = count.wrapping_add(1);
        }
    }

    /// Makes the histogram reach `day`.
    #[inline]
    fn make_room(&mut self, day: usize) {
        if day >= self.days.len() {
            self.days.resize((day + 1).next_power_of_two().max(256), 0);
        }
    }

    /// Moves the small sums, at the piece's `scale`, into the exact ones, at the largest
    /// scale of the customers summed (the scale `checked_add` would have kept).
    fn settle(&mut self, scale: u32) {
        let Some(own) = u32::from(self.small_scale).checked_sub(1) else {
            return;
        };
        // Every mantissa summed was its own times 10^(scale − its scale), a multiple of
        // 10^(scale − own): the division is exact.
        let factor = 10i128.pow(scale - own);
        let small = RevenueSum {
            sum: i128::from(self.small_revenue) / factor,
            magnitude: u128::from(self.small_magnitude) / factor.unsigned_abs(),
            scale: own,
            wide: false,
        };
        self.revenue.merge(&small);
        self.transactions = self
            .transactions
            .wrapping_add(u128::from(self.small_transactions));
        (self.small_revenue, self.small_magnitude) = (0, 0);
        (self.small_transactions, self.small_scale) = (0, 0);
    }
}

/// Customers gathered at a time (their figures stay in the first-level cache).
const BLOCK: usize = 256;

/// Mantissas (at the piece's scale) and transaction counts below this are summed in
/// 64 bits: fewer than 2^16 of them sum below 2^56.
const SMALL: u64 = 1 << 40;

/// A block's day for a customer without recency: past any histogram.
const NO_DAY: u16 = u16::MAX;
const _: () = assert!(DAYS < NO_DAY as usize);

/// What a block of customers brings to their labels' tallies, when every figure is
/// small: mantissas at one scale, the piece's, and days that fit the histograms.
#[derive(Debug)]
struct Block {
    mantissas: [i64; BLOCK],
    magnitudes: [u64; BLOCK],
    transactions: [u64; BLOCK],
    /// 1 + the customer's own scale.
    scales: [u8; BLOCK],
    /// The recency day, below [`DAYS`], or [`NO_DAY`].
    days: [u16; BLOCK],
    /// The largest day of the block, if any.
    last_day: Option<u16>,
    /// One column's codes of the block's customers.
    codes: [u32; BLOCK],
}

impl Block {
    fn new() -> Box<Self> {
        Box::new(Block {
            mantissas: [0; BLOCK],
            magnitudes: [0; BLOCK],
            transactions: [0; BLOCK],
            scales: [0; BLOCK],
            days: [0; BLOCK],
            last_day: None,
            codes: [0; BLOCK],
        })
    }

    /// Reads the customers of `range` (at most [`BLOCK`]) at the piece's `scale` (the
    /// first block's largest, once there is one); false when a figure is not small or a
    /// recency day has no place in the histogram, and the block goes customer by
    /// customer.
    fn gather(
        &mut self,
        customers: &Columns,
        range: Range<usize>,
        scale: &mut Option<u32>,
    ) -> bool {
        let monetary = &customers.monetary[range.clone()];
        let recency = &customers.recency_days[range.clone()];
        let transactions = &customers.transactions[range];
        let at =
            *scale.get_or_insert_with(|| monetary.iter().map(|m| m.scale()).max().unwrap_or(0));
        let mut small = true;
        let mut last_day = None;
        for (i, ((amount, recency), &count)) in
            monetary.iter().zip(recency).zip(transactions).enumerate()
        {
            let own = amount.scale();
            let mantissa = (own <= at)
                .then(|| 10i128.checked_pow(at - own))
                .flatten()
                .and_then(|factor| amount.mantissa().checked_mul(factor))
                .filter(|m| m.unsigned_abs() < u128::from(SMALL));
            let day = match *recency {
                None => Some(NO_DAY),
                Some(days) => u16::try_from(days).ok().filter(|&d| usize::from(d) < DAYS),
            };
            match (mantissa, day) {
                (Some(mantissa), Some(day)) if count < SMALL => {
                    // Below 2^40 and 29: they fit.
                    self.mantissas[i] = mantissa as i64;
                    self.magnitudes[i] = mantissa.unsigned_abs() as u64;
                    self.scales[i] = own as u8 + 1;
                    self.days[i] = day;
                    self.transactions[i] = count;
                    if day != NO_DAY {
                        last_day = last_day.max(Some(day));
                    }
                }
                _ => small = false,
            }
        }
        self.last_day = last_day;
        small
    }
}

/// The tallies of a piece of consecutive customers, `piece` (the rows of `tiering` of
/// the same numbers): per column of `columns`, by label code.
pub(super) fn tally_piece(
    customers: &Columns,
    piece: Range<usize>,
    columns: &[usize],
    tiering: &Tiering,
) -> Vec<ByCode> {
    debug_assert!(piece.len() <= MAX_PIECE);
    let mut tallies: Vec<ByCode> = columns
        .iter()
        .map(|&index| ByCode::new(tiering.dictionary(index).len()))
        .collect();
    let mut block = Block::new();
    let mut scale = None;
    for start in piece.clone().step_by(BLOCK) {
        let range = start..(start + BLOCK).min(piece.end);
        let small = block.gather(customers, range.clone(), &mut scale);
        for (tallies, &index) in tallies.iter_mut().zip(columns) {
            match tallies {
                ByCode::Direct(tallies) if small => {
                    let n = range.len();
                    for (i, code) in block.codes[..n].iter_mut().enumerate() {
                        *code = tiering.code(start + i, index) as u32;
                    }
                    if let Some(day) = block.last_day {
                        tallies
                            .iter_mut()
                            .for_each(|t| t.make_room(usize::from(day)));
                    }
                    for i in 0..n {
                        tallies[block.codes[i] as usize].add_small(&block, i);
                    }
                }
                _ => {
                    for row in range.clone() {
                        tallies.add(tiering.code(row, index), &Customer::at(customers, row));
                    }
                }
            }
        }
    }
    let scale = scale.unwrap_or(0);
    for column in &mut tallies {
        match column {
            ByCode::Direct(tallies) => tallies.iter_mut().for_each(|t| t.settle(scale)),
            ByCode::Sparse(tallies) => tallies.values_mut().for_each(|t| t.settle(scale)),
        }
    }
    tallies
}

/// One label's sums over the customers so far.
#[derive(Debug, Clone, Default)]
pub(super) struct Total {
    pub(super) customers: u64,
    pub(super) revenue: RevenueSum,
    pub(super) transactions: u128,
    days: Vec<u64>,
    other_days: Vec<i64>,
}

impl Total {
    /// Adds a piece's tally of the same label.
    pub(super) fn add(&mut self, tally: Tally) {
        self.customers += u64::from(tally.customers);
        self.revenue.merge(&tally.revenue);
        self.transactions = self.transactions.saturating_add(tally.transactions);
        if tally.days.len() > self.days.len() {
            self.days.resize(tally.days.len(), 0);
        }
        for (mine, theirs) in self.days.iter_mut().zip(&tally.days) {
            *mine += u64::from(*theirs);
        }
        self.other_days.extend(tally.other_days);
    }

    /// Adds another total of the same label.
    pub(super) fn merge(&mut self, other: Total) {
        self.customers += other.customers;
        self.revenue.merge(&other.revenue);
        self.transactions = self.transactions.saturating_add(other.transactions);
        if other.days.len() > self.days.len() {
            self.days.resize(other.days.len(), 0);
        }
        for (mine, theirs) in self.days.iter_mut().zip(&other.days) {
            *mine += theirs;
        }
        self.other_days.extend(other.other_days);
    }

    /// The lower median of the recency days (the `⌈c/2⌉`-th smallest of `c`); none
    /// without any.
    pub(super) fn median_recency_days(&mut self) -> Option<i64> {
        let total = self.days.iter().sum::<u64>() + self.other_days.len() as u64;
        let mut at = total.checked_sub(1)? / 2;
        self.other_days.sort_unstable();
        let negative = self.other_days.partition_point(|&d| d < 0);
        if at < negative as u64 {
            return Some(self.other_days[at as usize]);
        }
        at -= negative as u64;
        for (day, &count) in self.days.iter().enumerate() {
            if at < count {
                return Some(day as i64);
            }
            at -= count;
        }
        self.other_days.get(negative + at as usize).copied()
    }
}

/// The largest mantissa a `Decimal` holds, `2^96 − 1`.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// A bound on what a piece's sum adds at a time, far above any sum that fits a
/// `Decimal` (past which the caller sums in order anyway).
const BOUND: u128 = 1 << 110;

/// An exact sum of decimals: the mantissas at the largest scale seen (the scale
/// `checked_add` keeps), and the sum of their magnitudes at that scale.
///
/// While the magnitudes sum within the decimal range, no partial sum, in the customers'
/// order or any other, can have left it: each is at most the magnitudes' sum, at a scale
/// no larger. Past that (or past `i128`) the sum is `wide` and the caller sums in order.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RevenueSum {
    sum: i128,
    magnitude: u128,
    scale: u32,
    wide: bool,
}

impl RevenueSum {
    /// Adds a decimal's mantissa at its scale.
    ///
    /// Called at most [`MAX_PIECE`] times on a sum (a piece's tally) before it is
    /// merged, checked, into a total: every value added is below 2^110 (a mantissa is
    /// below 2^96, a widened one is checked) and a rescaled sum is too, so the sums stay
    /// below 2^126 and the common case needs no check at all.
    #[inline]
    pub(super) fn add(&mut self, mantissa: i128, scale: u32) {
        if scale != self.scale {
            return self.add_at_other_scale(mantissa, scale);
        }
        self.sum = self.sum.wrapping_add(mantissa);
        self.magnitude = self.magnitude.wrapping_add(mantissa.unsigned_abs());
    }

    fn add_at_other_scale(&mut self, mantissa: i128, scale: u32) {
        if scale > self.scale {
            self.rescale(scale);
        }
        match mantissa.checked_mul(10i128.pow(self.scale - scale)) {
            Some(widened) if widened.unsigned_abs() < BOUND => {
                self.sum = self.sum.wrapping_add(widened);
                self.magnitude = self.magnitude.wrapping_add(widened.unsigned_abs());
            }
            _ => self.wide = true,
        }
    }

    /// Moves the sums to a larger scale.
    fn rescale(&mut self, scale: u32) {
        let factor = 10i128.pow(scale - self.scale);
        match (
            self.sum.checked_mul(factor),
            self.magnitude.checked_mul(factor.unsigned_abs()),
        ) {
            (Some(sum), Some(magnitude)) if magnitude < BOUND => {
                self.sum = sum;
                self.magnitude = magnitude;
            }
            _ => self.wide = true,
        }
        self.scale = scale;
    }

    fn merge(&mut self, other: &RevenueSum) {
        self.wide |= other.wide;
        if other.scale > self.scale {
            self.rescale(other.scale);
        }
        let factor = 10i128.pow(self.scale - other.scale);
        match (
            other.sum.checked_mul(factor),
            other.magnitude.checked_mul(factor.unsigned_abs()),
        ) {
            (Some(sum), Some(magnitude)) => {
                match (
                    self.sum.checked_add(sum),
                    self.magnitude.checked_add(magnitude),
                ) {
                    (Some(sum), Some(magnitude)) => {
                        self.sum = sum;
                        self.magnitude = magnitude;
                    }
                    _ => self.wide = true,
                }
            }
            _ => self.wide = true,
        }
    }

    /// The sum, exactly as `checked_add` over the customers in any order would give
    /// it; none when a partial sum may have left the decimal range.
    pub(super) fn exact(&self) -> Option<Decimal> {
        if self.wide || self.magnitude > MAX_MANTISSA {
            return None;
        }
        Decimal::try_from_i128_with_scale(self.sum, self.scale).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::checked_add;

    fn customer(days: i64) -> Customer {
        let mut profile = crate::Profile::without_purchases(crate::CustomerId::new("C").unwrap());
        (profile.recency_days, profile.monetary) = (Some(days), Decimal::ONE);
        let mut columns = Columns::default();
        columns.extend(&[profile]);
        Customer::at(&columns, 0)
    }

    #[test]
    fn a_median_from_counts_is_the_median_of_the_values() {
        let cases: [&[i64]; 6] = [
            &[],
            &[5],
            &[3, 1],
            &[10, 20, 30, 40],
            &[-7, 5000, 3, 3, -1, 4095, 4096, 0],
            &[9000, 8000, -3],
        ];
        for values in cases {
            let (mut one, mut other) = (Tally::default(), Tally::default());
            for (i, &v) in values.iter().enumerate() {
                match i % 2 {
                    0 => one.add(&customer(v)),
                    _ => other.add(&customer(v)),
                }
            }
            let (mut total, mut rest) = (Total::default(), Total::default());
            total.add(one);
            rest.add(other);
            total.merge(rest);
            let mut sorted = values.to_vec();
            sorted.sort_unstable();
            let want = (!sorted.is_empty()).then(|| sorted[sorted.len().div_ceil(2) - 1]);
            assert_eq!(total.median_recency_days(), want, "{values:?}");
            assert_eq!(total.customers, values.len() as u64);
        }
    }

    #[test]
    fn tallies_by_code_count_each_code_directly_or_in_a_map() {
        for labels in [3, DIRECT + 1] {
            let mut tallies = ByCode::new(labels);
            for i in 0..300 {
                tallies.add([0, 2, labels - 1][i % 3], &customer(i as i64));
            }
            let mut counts: Vec<(usize, u32)> = tallies
                .into_tallies()
                .into_iter()
                .map(|(code, tally)| (code, tally.customers))
                .collect();
            counts.sort_unstable();
            let want = match labels {
                3 => vec![(0, 100), (2, 200)], // code 1 has nobody: left out
                _ => vec![(0, 100), (2, 100), (labels - 1, 100)],
            };
            assert_eq!(counts, want);
        }
    }

    #[test]
    fn a_sum_is_exact_at_the_largest_scale_or_handed_back() {
        let values = [
            Decimal::new(1250, 2),
            Decimal::new(-3, 0),
            Decimal::new(1, 4),
            Decimal::new(0, 6),
        ];
        let mut sum = RevenueSum::default();
        let mut parts = [RevenueSum::default(), RevenueSum::default()];
        for (i, v) in values.iter().enumerate() {
            sum.add(v.mantissa(), v.scale());
            parts[i % 2].add(v.mantissa(), v.scale());
        }
        let [mut merged, other] = parts;
        merged.merge(&other);
        let want = values
            .iter()
            .try_fold(Decimal::ZERO, |a, b| checked_add(a, *b));
        assert_eq!(
            sum.exact().map(|d| d.to_string()),
            want.map(|d| d.to_string())
        );
        assert_eq!(
            merged.exact().map(|d| d.to_string()),
            Some("9.500100".into())
        );
        // Magnitudes past the range: handed back even though the sum itself is small.
        let mut near = RevenueSum::default();
        near.add(Decimal::MAX.mantissa(), 0);
        near.add(-Decimal::MAX.mantissa(), 0);
        assert_eq!(near.exact(), None);
        let mut one = RevenueSum::default();
        one.add(Decimal::MAX.mantissa(), 0);
        assert_eq!(one.exact(), Some(Decimal::MAX));
    }
}
