//! The sums behind SPEC §15's figures, in integers that add up exactly in any grouping:
//! a piece of customers tallies each label's customers, revenue (one `i128` mantissa
//! at the label's largest scale), transaction rows and recency days (a histogram), and
//! the pieces' tallies merge into the run's.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use rust_decimal::Decimal;

use super::cell;
use crate::classify::Label;
use crate::profile::Profile;

/// What one customer brings to its labels' tallies, read from its profile once for
/// every column.
#[derive(Debug, Clone, Copy)]
pub(super) struct Customer {
    mantissa: i128,
    scale: u32,
    transactions: u64,
    recency_days: Option<i64>,
}

impl Customer {
    #[inline]
    pub(super) fn of(profile: &Profile) -> Self {
        Customer {
            mantissa: profile.monetary.mantissa(),
            scale: profile.monetary.scale(),
            transactions: profile.transactions,
            recency_days: profile.recency_days,
        }
    }
}

/// A name of up to 24 bytes, exactly, in four words: its length, and its first, middle
/// and last eight bytes (overlapping when shorter), so that comparing and hashing it
/// reads no memory beyond the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct ShortName([u64; 4]);

impl ShortName {
    #[inline]
    fn of(name: &str) -> Option<ShortName> {
        let b = name.as_bytes();
        let n = b.len();
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let half = |at: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&b[at..at + 4]);
            u64::from(u32::from_le_bytes(w))
        };
        let words = match n {
            0 => [0; 4],
            1..=3 => {
                let bytes = u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16;
                [n as u64, bytes, 0, 0]
            }
            4..=7 => [n as u64, half(0) | half(n - 4) << 32, 0, 0],
            8..=16 => [n as u64, word(0), word(n - 8), 0],
            17..=24 => [n as u64, word(0), word(8), word(n - 8)],
            _ => return None,
        };
        Some(ShortName(words))
    }

    #[inline]
    fn hash(&self) -> usize {
        let [n, a, b, c] = self.0;
        let mixed =
            (n ^ a ^ b.rotate_left(21) ^ c.rotate_left(42)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> 32) as usize
    }
}

/// Slots by [`ShortName`]: open addressing, kept at most half full (a column has a
/// handful of names; a hash map's general path cost more than the rest of a tally).
#[derive(Debug, Default)]
struct NameTable {
    keys: Vec<ShortName>,
    /// Slot + 1; 0 for an empty place.
    slots: Vec<u32>,
    len: usize,
}

impl NameTable {
    /// The slot of `key`, or `next` when it is new.
    #[inline(always)]
    fn slot(&mut self, key: ShortName, next: u32) -> u32 {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = key.hash() & mask;
        loop {
            match self.slots[at] {
                0 => {
                    self.keys[at] = key;
                    self.slots[at] = next;
                    self.len += 1;
                    return next;
                }
                slot if self.keys[at] == key => return slot,
                _ => at = (at + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(32);
        let old = std::mem::replace(
            self,
            NameTable {
                keys: vec![ShortName::default(); size],
                slots: vec![0; size],
                len: 0,
            },
        );
        for (key, slot) in old.keys.into_iter().zip(old.slots) {
            if slot != 0 {
                self.slot(key, slot);
            }
        }
    }
}

/// Addresses remembered per column, more than a column has distinct labels as a rule.
const SEEN: usize = 32;

/// The tallies of one column over a piece of customers, one per distinct label.
///
/// A label finds its tally without building its text: a score by its value, a name by
/// its words ([`ShortName`]) or, past 24 bytes, its text. Labels that print the same
/// (`Score(3)` and `Name("3")`) get a tally each here and merge by their text in
/// [`Tallies::by_cell`].
#[derive(Debug)]
pub(super) struct Tallies<'a> {
    /// Slot + 1 of the labels last seen at a few addresses (0: none). A tiering that
    /// keeps each column's distinct labels once hands out the same few addresses over
    /// and over, and a label seen at an address is that label for as long as it is
    /// borrowed; labels stored row by row only miss here.
    seen: [(usize, u32); SEEN],
    /// Slot + 1 of each score; 0 for a score not seen yet.
    scores: [u32; 256],
    /// Slot + 1 of the unscored; 0 for none yet.
    unscored: u32,
    short: NameTable,
    long: HashMap<&'a str, u32, FixedState>,
    slots: Vec<(&'a Label, Tally)>,
}

impl<'a> Tallies<'a> {
    pub(super) fn new() -> Self {
        Tallies {
            seen: [(0, 0); SEEN],
            scores: [0; 256],
            unscored: 0,
            short: NameTable::default(),
            long: HashMap::default(),
            slots: Vec::new(),
        }
    }

    /// Counts `customer` under `label`.
    #[inline]
    pub(super) fn add(&mut self, label: &'a Label, customer: &Customer) {
        let address = std::ptr::from_ref(label) as usize;
        let seen = (address / std::mem::size_of::<Label>()) % SEEN;
        let slot = match self.seen[seen] {
            (at, slot) if at == address => slot,
            _ => {
                let slot = self.slot(label);
                self.seen[seen] = (address, slot);
                slot
            }
        };
        self.slots[slot as usize - 1].1.add(customer);
    }

    /// The slot + 1 of `label`, a new one if need be.
    #[inline]
    fn slot(&mut self, label: &'a Label) -> u32 {
        let next = self.slots.len() as u32 + 1;
        let slot = match label {
            Label::Score(score) => {
                let slot = &mut self.scores[usize::from(*score)];
                if *slot == 0 {
                    *slot = next;
                }
                *slot
            }
            Label::Name(name) => match ShortName::of(name) {
                Some(short) => self.short.slot(short, next),
                None => *self.long.entry(name.as_str()).or_insert(next),
            },
            Label::Unscored(_) => {
                if self.unscored == 0 {
                    self.unscored = next;
                }
                self.unscored
            }
        };
        if slot == next {
            self.slots.push((label, Tally::default()));
        }
        slot
    }

    /// The tallies by label text (`(unscored)` for none), labels that print the same
    /// merged.
    pub(super) fn by_cell(self) -> Vec<(String, Total)> {
        let mut out: Vec<(String, Total)> = Vec::with_capacity(self.slots.len());
        for (label, tally) in self.slots {
            let text = cell(label);
            match out.iter_mut().find(|(t, _)| *t == text) {
                Some((_, same)) => same.add(tally),
                None => {
                    let mut total = Total::default();
                    total.add(tally);
                    out.push((text.into_owned(), total));
                }
            }
        }
        out
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
        if let Some(days) = customer.recency_days {
            match usize::try_from(days) {
                Ok(day) if day < DAYS => {
                    if day >= self.days.len() {
                        self.days.resize((day + 1).next_power_of_two().max(256), 0);
                    }
                    self.days[day] = self.days[day].wrapping_add(1);
                }
                _ => self.other_days.push(days),
            }
        }
    }
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
    fn add(&mut self, tally: Tally) {
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
        Customer {
            mantissa: 1,
            scale: 0,
            transactions: 1,
            recency_days: Some(days),
        }
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
    fn a_label_seen_again_at_its_address_or_elsewhere_counts_under_its_text() {
        use crate::classify::Unscored;
        // A column's distinct labels kept once (the same addresses over and over), and
        // the same labels stored again elsewhere.
        let once = [
            Label::Name("gold".into()),
            Label::Score(3),
            Label::Unscored(Unscored::NoPurchases),
            Label::Name("3".into()),
            Label::Name("a name longer than twenty-four bytes".into()),
        ];
        let again = once.clone();
        let mut tallies = Tallies::new();
        for i in 0..200 {
            tallies.add(&once[i % 5], &customer(i as i64));
            tallies.add(&again[(i + 1) % 5], &customer(i as i64));
        }
        let mut counts: Vec<(String, u64)> = tallies
            .by_cell()
            .into_iter()
            .map(|(text, total)| (text, total.customers))
            .collect();
        counts.sort();
        let want = [
            ("(unscored)", 80),
            ("3", 160), // Score(3) and Name("3") print the same
            ("a name longer than twenty-four bytes", 80),
            ("gold", 80),
        ];
        let want: Vec<(String, u64)> = want.iter().map(|(t, c)| (t.to_string(), *c)).collect();
        assert_eq!(counts, want);
    }

    #[test]
    fn names_of_up_to_24_bytes_are_told_apart_by_their_words() {
        let names = [
            "",
            "a",
            "ab",
            "abc",
            "abd",
            "bbc",
            "abcd",
            "abce",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "bbcdefgh",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "abcdefgXijklmnop",
            "abcdefghijklmnopq",
            "abcdefghXjklmnopqrstuvwx",
            "abcdefghijklmnopqrstuvwx",
        ];
        let mut table = NameTable::default();
        for (i, name) in names.iter().enumerate() {
            let key = ShortName::of(name).unwrap();
            assert_eq!(
                table.slot(key, i as u32 + 1),
                i as u32 + 1,
                "{name:?} is new"
            );
        }
        for (i, name) in names.iter().enumerate() {
            assert_eq!(table.slot(ShortName::of(name).unwrap(), 99), i as u32 + 1);
        }
        assert_eq!(ShortName::of(&"x".repeat(25)), None);
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
