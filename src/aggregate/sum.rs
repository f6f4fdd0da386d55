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

/// One exact sum per customer.
#[derive(Debug, Clone, Default)]
pub(crate) struct SumColumn {
    values: Vec<i64>,
    flags: Vec<u8>,
    wide: BTreeMap<u32, Wide>,
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

impl SumColumn {
    /// Room for one more customer, with a sum of zero at scale 0.
    #[inline]
    pub(crate) fn push(&mut self) {
        self.values.push(0);
        self.flags.push(0);
    }

    /// Adds `mantissa · 10^−scale` (`scale ≤ 28`, `|mantissa| < 10^28`) to customer `at`.
    #[inline]
    pub(crate) fn add(&mut self, at: u32, mantissa: i128, scale: u32) {
        let i = at as usize;
        let flags = self.flags[i];
        if flags & WIDE == 0 {
            let own = u32::from(flags & SCALE_BITS);
            if let Some((value, new_scale)) = add_narrow(self.values[i], own, mantissa, scale) {
                self.values[i] = value;
                self.flags[i] = SEEN | new_scale as u8;
                return;
            }
            // Leaves i64: carry on exactly, beside the column.
            let mut wide = Wide::default();
            if flags & SEEN != 0 {
                wide.add(i128::from(self.values[i]), own);
            }
            self.values[i] = 0;
            self.flags[i] = SEEN | WIDE;
            self.wide.insert(at, wide);
        }
        self.flags[i] |= SEEN;
        if let Some(wide) = self.wide.get_mut(&at) {
            wide.add(mantissa, scale);
        }
    }

    /// Adds customer `from` of `other` to customer `at` of this column.
    pub(crate) fn add_from(&mut self, at: u32, other: &SumColumn, from: u32) {
        let flags = other.flags[from as usize];
        if flags & SEEN == 0 {
            return;
        }
        if flags & WIDE == 0 {
            let value = i128::from(other.values[from as usize]);
            self.add(at, value, u32::from(flags & SCALE_BITS));
            return;
        }
        let theirs = other.wide[&from];
        // Make this customer wide too, then add the two sides.
        let i = at as usize;
        if self.flags[i] & WIDE == 0 {
            let mut wide = Wide::default();
            if self.flags[i] & SEEN != 0 {
                wide.add(
                    i128::from(self.values[i]),
                    u32::from(self.flags[i] & SCALE_BITS),
                );
            }
            self.values[i] = 0;
            self.flags[i] = SEEN | WIDE;
            self.wide.insert(at, wide);
        }
        if let Some(mine) = self.wide.get_mut(&at) {
            mine.positive = mine.positive.saturating_add(theirs.positive);
            mine.negative = mine.negative.saturating_add(theirs.negative);
            mine.scale = mine.scale.max(theirs.scale);
        }
    }

    /// Whether anything was added for customer `at`.
    #[inline]
    pub(crate) fn seen(&self, at: u32) -> bool {
        self.flags[at as usize] & SEEN != 0
    }

    /// Customer `at`'s exact total (zero at scale 0 when nothing was added); none
    /// when it does not fit a `Decimal`.
    #[inline]
    pub(crate) fn total(&self, at: u32) -> Option<Decimal> {
        let flags = self.flags[at as usize];
        if flags & WIDE != 0 {
            return self.wide[&at].total();
        }
        let value = i128::from(self.values[at as usize]);
        Decimal::try_from_i128_with_scale(value, u32::from(flags & SCALE_BITS)).ok()
    }
}

/// `value · 10^−own + mantissa · 10^−scale` at the larger scale, if it fits `i64`.
#[inline]
fn add_narrow(value: i64, own: u32, mantissa: i128, scale: u32) -> Option<(i64, u32)> {
    let mantissa = i64::try_from(mantissa).ok()?;
    if scale <= own {
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
        let mut column = SumColumn::default();
        column.push();
        for v in values {
            column.add(0, v.mantissa(), v.scale());
        }
        column.total(0)
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
    fn merging_two_columns_equals_one() {
        let values = [dec!(9223372036854775807), dec!(0.5), dec!(-3), dec!(12.25)];
        let (mut a, mut b, mut whole) = (
            SumColumn::default(),
            SumColumn::default(),
            SumColumn::default(),
        );
        for c in [&mut a, &mut b, &mut whole] {
            c.push();
        }
        for (i, v) in values.iter().enumerate() {
            let part = if i % 2 == 0 { &mut a } else { &mut b };
            part.add(0, v.mantissa(), v.scale());
            whole.add(0, v.mantissa(), v.scale());
        }
        a.add_from(0, &b, 0);
        assert_eq!(a.total(0), whole.total(0));
        assert!(a.seen(0));
    }
}
