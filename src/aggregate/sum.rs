//! Exact sums of money in columns: an `i64` mantissa at the customer's largest scale
//! so far, and for the rare customer whose sum leaves `i64`, an exact wide sum beside
//! the column. The result does not depend on the order of the amounts, and only a
//! total that does not fit a `Decimal` is an overflow (intermediate sums never are).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::wide::{U256, pow10};

/// The scale every wide sum is kept at: the largest a `Decimal` has.
const WIDE_SCALE: u32 = 28;
/// Low bits of a flag byte: the scale (0..=28).
const SCALE_BITS: u8 = 0x1f;
/// The column's customer had a value added (for sums that are none without one).
const SEEN: u8 = 0x40;
/// The customer's sum lives in the wide table.
const WIDE: u8 = 0x80;

/// Which sum of an [`Acc`].
pub(crate) const MONETARY: usize = 0;
pub(crate) const CURRENT: usize = 1;
pub(crate) const PREVIOUS: usize = 2;
pub(crate) const PROFIT: usize = 3;

/// One customer's count and sums at one as-of date, in one cache line: a row touches
/// one line of memory, not one per column.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Acc {
    pub(crate) transactions: u64,
    values: [i64; 4],
    flags: [u8; 4],
    /// The day of the customer's last `(customer, day)` key pushed (kept in the first
    /// as-of date's accumulators only).
    pub(crate) recent: i32,
    /// While the customer's rows come in date order, its first and last dates and its
    /// number of distinct dates, counted as they come: most exports are in date order,
    /// and then no key needs sorting.
    pub(crate) first: i32,
    pub(crate) last: i32,
    pub(crate) days: u32,
    /// A row came before the last date: the keys decide.
    pub(crate) unordered: bool,
}

impl Acc {
    /// Counts a row dated `day` toward the dates. Without branches on the date: the
    /// accumulator is usually a trip to memory, and a mispredicted branch waiting on it
    /// would stop the rows after it from starting theirs. A customer without rows has
    /// `first = i32::MAX` and `last = i32::MIN` (see [`Accs::push`]).
    #[inline]
    pub(crate) fn count_day(&mut self, day: i32) {
        self.unordered |= day < self.last;
        self.days += u32::from(day > self.last);
        self.last = self.last.max(day);
        self.first = self.first.min(day);
        self.transactions += 1;
    }
}

/// The accumulators of every customer of a partition at one as-of date, and the exact
/// wide sums of the few whose sums left `i64`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Accs {
    pub(crate) rows: Vec<Acc>,
    wide: BTreeMap<(u32, u8), Wide>,
}

/// `positive − negative`, both at scale [`WIDE_SCALE`]; `scale` is the largest scale
/// added. Mantissas are below 10^28 and widened by at most 10^28, so each term is
/// below 2^187 and 2^64 of them stay below 2^256.
#[derive(Debug, Clone, Copy, Default)]
struct Wide {
    positive: U256,
    negative: U256,
    scale: u8,
}

impl Wide {
    fn add(&mut self, mantissa: i128, scale: u32) {
        let magnitude = U256::mul(
            mantissa.unsigned_abs(),
            pow10(WIDE_SCALE - scale).unwrap_or(1),
        );
        let side = if mantissa < 0 {
            &mut self.negative
        } else {
            &mut self.positive
        };
        *side = side.saturating_add(magnitude);
        self.scale = self.scale.max(scale as u8);
    }

    fn total(&self) -> Option<Decimal> {
        let (negative, magnitude) = if self.positive >= self.negative {
            (false, self.positive.checked_sub(self.negative)?)
        } else {
            (true, self.negative.checked_sub(self.positive)?)
        };
        let down = pow10(WIDE_SCALE - u32::from(self.scale))?;
        // Every term had a scale ≤ `scale`, so the division is exact.
        let (quotient, _) = magnitude.div_rem(U256::from_u128(down))?;
        let mantissa = i128::try_from(quotient.to_u128()?).ok()?;
        let signed = if negative { -mantissa } else { mantissa };
        Decimal::try_from_i128_with_scale(signed, u32::from(self.scale)).ok()
    }
}

impl Accs {
    /// Room for one more customer, with sums of zero at scale 0.
    #[inline]
    pub(crate) fn push(&mut self) {
        self.rows.push(Acc {
            recent: i32::MIN,
            first: i32::MAX,
            last: i32::MIN,
            ..Acc::default()
        });
    }

    /// Adds `mantissa · 10^−scale` (`scale ≤ 28`, `|mantissa| < 10^28`) to sum `which`
    /// of customer `at`.
    #[inline]
    pub(crate) fn add(&mut self, at: u32, which: usize, mantissa: i128, scale: u32) {
        let acc = &mut self.rows[at as usize];
        let flags = acc.flags[which];
        if flags & WIDE == 0 {
            let own = u32::from(flags & SCALE_BITS);
            if let Some((value, new_scale)) = add_narrow(acc.values[which], own, mantissa, scale) {
                acc.values[which] = value;
                acc.flags[which] = SEEN | new_scale as u8;
                return;
            }
            self.widen(at, which);
        }
        if let Some(wide) = self.wide.get_mut(&(at, which as u8)) {
            wide.add(mantissa, scale);
        }
    }

    /// [`add`](Self::add) for a mantissa that fits `i64`: when the sum is narrow, at
    /// the same scale, and stays in `i64` (nearly every row), one checked addition.
    #[inline]
    pub(crate) fn add_i64(&mut self, at: u32, which: usize, mantissa: i64, scale: u32) {
        let acc = &mut self.rows[at as usize];
        let flags = acc.flags[which];
        if u32::from(flags & (WIDE | SCALE_BITS)) == scale
            && let Some(sum) = acc.values[which].checked_add(mantissa)
        {
            acc.values[which] = sum;
            acc.flags[which] = flags | SEEN;
            return;
        }
        self.add(at, which, i128::from(mantissa), scale);
    }

    /// Moves sum `which` of customer `at` to the wide table.
    fn widen(&mut self, at: u32, which: usize) {
        let acc = &mut self.rows[at as usize];
        let flags = acc.flags[which];
        if flags & WIDE != 0 {
            return;
        }
        let mut wide = Wide::default();
        if flags & SEEN != 0 {
            wide.add(i128::from(acc.values[which]), u32::from(flags & SCALE_BITS));
        }
        acc.values[which] = 0;
        acc.flags[which] = SEEN | WIDE;
        self.wide.insert((at, which as u8), wide);
    }

    /// Adds customer `from` of `other` to customer `at` here: count and every sum.
    pub(crate) fn add_from(&mut self, at: u32, other: &Accs, from: u32) {
        let theirs = &other.rows[from as usize];
        let mine = &mut self.rows[at as usize];
        if mine.transactions == 0 {
            (mine.first, mine.last, mine.days, mine.unordered) =
                (theirs.first, theirs.last, theirs.days, theirs.unordered);
        } else if theirs.transactions > 0 {
            mine.unordered = true;
        }
        mine.transactions += theirs.transactions;
        for which in 0..4 {
            let flags = theirs.flags[which];
            if flags & SEEN == 0 {
                continue;
            }
            if flags & WIDE == 0 {
                let value = i128::from(theirs.values[which]);
                self.add(at, which, value, u32::from(flags & SCALE_BITS));
                continue;
            }
            let wide = other.wide[&(from, which as u8)];
            self.widen(at, which);
            if let Some(mine) = self.wide.get_mut(&(at, which as u8)) {
                mine.positive = mine.positive.saturating_add(wide.positive);
                mine.negative = mine.negative.saturating_add(wide.negative);
                mine.scale = mine.scale.max(wide.scale);
            }
        }
    }

    /// The accumulators renumbered: customer `order[i]` becomes customer `i`, and
    /// `number[c]` is customer `c`'s new number.
    pub(crate) fn renumber(&mut self, order: &[u32], number: &[u32]) {
        // A gather: the loads do not wait on each other, so many are in flight at once.
        self.rows = order.iter().map(|&at| self.rows[at as usize]).collect();
        if !self.wide.is_empty() {
            let wide = std::mem::take(&mut self.wide);
            self.wide = wide
                .into_iter()
                .map(|((at, which), sum)| ((number[at as usize], which), sum))
                .collect();
        }
    }

    /// Whether anything was added to sum `which` of customer `at`.
    #[inline]
    pub(crate) fn seen(&self, at: u32, which: usize) -> bool {
        self.rows[at as usize].flags[which] & SEEN != 0
    }

    /// The exact total of sum `which` of customer `at` (zero at scale 0 when nothing
    /// was added); none when it does not fit a `Decimal`.
    #[inline]
    pub(crate) fn total(&self, at: u32, which: usize) -> Option<Decimal> {
        let acc = &self.rows[at as usize];
        let flags = acc.flags[which];
        if flags & WIDE != 0 {
            return self.wide[&(at, which as u8)].total();
        }
        let value = i128::from(acc.values[which]);
        Decimal::try_from_i128_with_scale(value, u32::from(flags & SCALE_BITS)).ok()
    }
}

/// `value · 10^−own + mantissa · 10^−scale` at the larger scale, if it fits `i64`.
#[inline]
fn add_narrow(value: i64, own: u32, mantissa: i128, scale: u32) -> Option<(i64, u32)> {
    let mantissa = i64::try_from(mantissa).ok()?;
    if scale == own {
        return Some((value.checked_add(mantissa)?, own));
    }
    if scale < own {
        let term = mantissa.checked_mul(pow10_i64(own - scale)?)?;
        Some((value.checked_add(term)?, own))
    } else {
        let widened = value.checked_mul(pow10_i64(scale - own)?)?;
        Some((widened.checked_add(mantissa)?, scale))
    }
}

#[inline]
fn pow10_i64(exp: u32) -> Option<i64> {
    10i64.checked_pow(exp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::checked_add;
    use rust_decimal::dec;

    fn sum_of(values: &[Decimal]) -> Option<Decimal> {
        let mut accs = Accs::default();
        accs.push();
        for v in values {
            accs.add(0, MONETARY, v.mantissa(), v.scale());
        }
        accs.total(0, MONETARY)
    }

    #[test]
    fn keeps_the_largest_scale_and_is_exact() {
        assert_eq!(sum_of(&[dec!(1.5), dec!(2)]).unwrap().to_string(), "3.5");
        assert_eq!(
            sum_of(&[dec!(0.00), dec!(35)]).unwrap().to_string(),
            "35.00"
        );
        assert_eq!(
            sum_of(&[dec!(10.00), dec!(-10)]).unwrap().to_string(),
            "0.00"
        );
        assert_eq!(sum_of(&[]).unwrap().to_string(), "0");
    }

    #[test]
    fn leaves_i64_exactly_and_fails_only_on_the_total() {
        let big = Decimal::MAX;
        // An intermediate sum beyond the decimal range is fine when the total fits.
        assert_eq!(sum_of(&[big, big, -big]), Some(big));
        assert_eq!(sum_of(&[big, dec!(1)]), None);
        assert_eq!(sum_of(&[big, dec!(-1)]), checked_add(big, dec!(-1)));
        // Mixed scales: 10^27 at scale 0 next to a value at scale 28.
        let tiny = Decimal::from_i128_with_scale(1, 28);
        let huge = Decimal::from_i128_with_scale(10i128.pow(27), 0);
        assert_eq!(sum_of(&[huge, tiny, -huge]), Some(tiny));
        assert_eq!(sum_of(&[huge, tiny]), None); // needs more than 96 bits at scale 28
    }

    #[test]
    fn merging_two_equals_one() {
        let values = [dec!(9223372036854775807), dec!(0.5), dec!(-3), dec!(12.25)];
        let (mut a, mut b, mut whole) = (Accs::default(), Accs::default(), Accs::default());
        for c in [&mut a, &mut b, &mut whole] {
            c.push();
        }
        for (i, v) in values.iter().enumerate() {
            let part = if i % 2 == 0 { &mut a } else { &mut b };
            part.add(0, PROFIT, v.mantissa(), v.scale());
            whole.add(0, PROFIT, v.mantissa(), v.scale());
        }
        a.add_from(0, &b, 0);
        assert_eq!(a.total(0, PROFIT), whole.total(0, PROFIT));
        assert!(a.seen(0, PROFIT) && !a.seen(0, MONETARY));
    }

    proptest::proptest! {
        /// The one-addition path for `i64` mantissas keeps the same sums (value, scale,
        /// seen, wide) as the general one, at mixed scales and next to the `i64` limits.
        #[test]
        fn the_i64_path_sums_as_the_general_one(
            terms in proptest::collection::vec(
                (proptest::prop_oneof![
                    -1000i64..1000,
                    proptest::prelude::Just(i64::MAX),
                    proptest::prelude::Just(i64::MIN),
                    proptest::prelude::Just(i64::MAX / 10),
                    proptest::prelude::any::<i64>(),
                ], 0u32..8),
                0..40,
            ),
        ) {
            let (mut fast, mut general) = (Accs::default(), Accs::default());
            fast.push();
            general.push();
            for &(mantissa, scale) in &terms {
                fast.add_i64(0, CURRENT, mantissa, scale);
                general.add(0, CURRENT, i128::from(mantissa), scale);
            }
            proptest::prop_assert_eq!(fast.total(0, CURRENT), general.total(0, CURRENT));
            proptest::prop_assert_eq!(fast.rows[0].flags, general.rows[0].flags);
            proptest::prop_assert_eq!(fast.rows[0].values, general.rows[0].values);
        }
    }
}
