//! Unsigned 256-bit integers, for the few exact comparisons and divisions whose operands
//! are products of two 128-bit numbers: a decimal mantissa (< 2^96) times a power of ten (≤
//! 10^28) times a count (< 2^64) needs up to 254 bits, and these figures are defined
//! exactly: `p·100 < c·n` of [Pareto tiers](crate::definitions#pareto-tiers-and-abc), the
//! mean of [missing data](crate::definitions#missing-data), the shifted positions of
//! [hysteresis](crate::definitions#hysteresis), the shares of [summary
//! figures](crate::definitions#summary-figures), and the composite of [composite value
//! tiers](crate::definitions#composite-value-tiers). Only what those need: products, sums,
//! comparison and division.

use std::cmp::Ordering;

use rust_decimal::Decimal;

/// `hi·2^128 + lo`; the field order makes the derived ordering numeric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct U256 {
    hi: u128,
    lo: u128,
}

/// The largest mantissa `rust_decimal` holds: 2^96 − 1.
const DECIMAL_MANTISSA_MAX: u128 = (1 << 96) - 1;

impl U256 {
    pub(crate) const ZERO: U256 = U256 { hi: 0, lo: 0 };
    pub(crate) const MAX: U256 = U256 {
        hi: u128::MAX,
        lo: u128::MAX,
    };

    pub(crate) const fn from_u128(value: u128) -> U256 {
        U256 { hi: 0, lo: value }
    }

    /// The full product of two 128-bit numbers (it always fits 256 bits).
    pub(crate) fn mul(a: u128, b: u128) -> U256 {
        const LOW: u128 = u64::MAX as u128;
        let (a1, a0) = (a >> 64, a & LOW);
        let (b1, b0) = (b >> 64, b & LOW);
        let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
        // The middle column: at most 3·(2^64 − 1), so it fits u128.
        let middle = (p00 >> 64) + (p01 & LOW) + (p10 & LOW);
        U256 {
            hi: p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64),
            lo: (middle << 64) | (p00 & LOW),
        }
    }

    pub(crate) fn checked_add(self, other: U256) -> Option<U256> {
        let (lo, carry) = self.lo.overflowing_add(other.lo);
        let hi = self
            .hi
            .checked_add(other.hi)?
            .checked_add(u128::from(carry))?;
        Some(U256 { hi, lo })
    }

    /// `self + other` for operands whose bounds keep the sum below 2^256 (the callers
    /// say which); it saturates rather than wraps should a bound ever be wrong.
    pub(crate) fn saturating_add(self, other: U256) -> U256 {
        self.checked_add(other).unwrap_or(U256::MAX)
    }

    fn wrapping_sub(self, other: U256) -> U256 {
        let (lo, borrow) = self.lo.overflowing_sub(other.lo);
        let hi = self
            .hi
            .wrapping_sub(other.hi)
            .wrapping_sub(u128::from(borrow));
        U256 { hi, lo }
    }

    pub(crate) fn checked_sub(self, other: U256) -> Option<U256> {
        (self >= other).then(|| self.wrapping_sub(other))
    }

    /// `self · factor`, none past 2^256.
    pub(crate) fn checked_mul(self, factor: u128) -> Option<U256> {
        let low = U256::mul(self.lo, factor);
        let high = self.hi.checked_mul(factor)?;
        Some(U256 {
            hi: low.hi.checked_add(high)?,
            lo: low.lo,
        })
    }

    pub(crate) fn to_u128(self) -> Option<u128> {
        (self.hi == 0).then_some(self.lo)
    }

    fn bit(self, i: u32) -> bool {
        if i >= 128 {
            (self.hi >> (i - 128)) & 1 == 1
        } else {
            (self.lo >> i) & 1 == 1
        }
    }

    /// Quotient and remainder; none for a zero divisor.
    pub(crate) fn div_rem(self, divisor: U256) -> Option<(U256, U256)> {
        if divisor == U256::ZERO {
            return None;
        }
        if let (Some(a), Some(b)) = (self.to_u128(), divisor.to_u128()) {
            return Some((U256::from_u128(a / b), U256::from_u128(a % b)));
        }
        // Restoring long division, one bit at a time (a few hundred steps: only for
        // operands past 128 bits, which realistic data rarely reaches).
        let mut quotient = U256::ZERO;
        let mut rest = U256::ZERO;
        for i in (0..256).rev() {
            // rest < divisor, so 2·rest + 1 < 2·divisor: one subtraction is enough, and
            // a bit shifted out of the top means rest is certainly ≥ divisor.
            let carry = rest.hi >> 127 == 1;
            rest = U256 {
                hi: (rest.hi << 1) | (rest.lo >> 127),
                lo: (rest.lo << 1) | u128::from(self.bit(i)),
            };
            if carry || rest >= divisor {
                rest = rest.wrapping_sub(divisor);
                if i >= 128 {
                    quotient.hi |= 1 << (i - 128);
                } else {
                    quotient.lo |= 1 << i;
                }
            }
        }
        Some((quotient, rest))
    }

    /// `self / divisor` rounded half away from zero (the operands are magnitudes);
    /// none for a zero divisor.
    pub(crate) fn div_round(self, divisor: U256) -> Option<U256> {
        let (quotient, rest) = self.div_rem(divisor)?;
        // rest ≥ divisor − rest ⟺ 2·rest ≥ divisor, without doubling
        Some(if rest >= divisor.wrapping_sub(rest) {
            quotient.saturating_add(U256::from_u128(1))
        } else {
            quotient
        })
    }
}

/// `10^exp` for `exp ≤ 38`; none beyond (10^39 > 2^128).
pub(crate) fn pow10(exp: u32) -> Option<u128> {
    10u128.checked_pow(exp)
}

/// A non-negative decimal as `(mantissa, scale)`.
pub(crate) fn parts(value: Decimal) -> (u128, u32) {
    (value.mantissa().unsigned_abs(), value.scale())
}

/// `value · 10^(scale − value.scale())` as an integer: the decimal's magnitude at a
/// larger scale `scale ≤ 56` (a mantissa < 2^96 times at most 10^56 < 2^187).
pub(crate) fn at_scale(value: Decimal, scale: u32) -> Option<U256> {
    let (mantissa, own) = parts(value);
    let up = scale.checked_sub(own)?;
    let first = pow10(up.min(28))?;
    let second = pow10(up - up.min(28))?;
    U256::mul(mantissa, first).checked_mul(second)
}

/// Compares `a / 10^sa` with `b / 10^sb` (magnitudes), exactly.
pub(crate) fn cmp_scaled(a: U256, sa: u32, b: U256, sb: u32) -> Ordering {
    // Multiply the side with the smaller scale; a product past 2^256 is larger than
    // anything the other side holds.
    let widen = |x: U256, by: u32| -> Option<U256> {
        let mut x = x;
        let mut left = by;
        while left > 0 {
            let step = left.min(38);
            x = x.checked_mul(pow10(step)?)?;
            left -= step;
        }
        Some(x)
    };
    match sa.cmp(&sb) {
        Ordering::Equal => a.cmp(&b),
        Ordering::Less => widen(a, sb - sa).map_or(Ordering::Greater, |a| a.cmp(&b)),
        Ordering::Greater => widen(b, sa - sb).map_or(Ordering::Less, |b| a.cmp(&b)),
    }
}

/// The decimal `±num/den` rounded half away from zero to `places` decimals, or to as
/// many fewer as `rust_decimal`'s 96-bit mantissa holds (figures beyond 10^24 in size);
/// none when even a whole number does not fit, or `den` is zero.
pub(crate) fn ratio_to_decimal(
    negative: bool,
    num: U256,
    den: U256,
    places: u32,
) -> Option<Decimal> {
    for scale in (0..=places).rev() {
        let scaled = num.checked_mul(pow10(scale)?);
        let Some(quotient) = scaled.and_then(|n| n.div_round(den)) else {
            continue;
        };
        match quotient.to_u128() {
            Some(q) if q <= DECIMAL_MANTISSA_MAX => {
                // q < 2^96, so it fits i128 and the decimal's mantissa
                let signed = if negative { -(q as i128) } else { q as i128 };
                return Decimal::try_from_i128_with_scale(signed, scale).ok();
            }
            _ => continue,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn big(hi: u128, lo: u128) -> U256 {
        U256 { hi, lo }
    }

    #[test]
    fn products_carry_into_the_high_half() {
        assert_eq!(U256::mul(u128::MAX, u128::MAX), big(u128::MAX - 1, 1));
        assert_eq!(U256::mul(1 << 127, 4), big(2, 0));
        assert_eq!(U256::mul(12345, 6789), U256::from_u128(12345 * 6789));
        assert_eq!(
            U256::mul(u128::MAX, 3).checked_mul(5),
            Some(U256::mul(u128::MAX, 15))
        );
        assert_eq!(big(u128::MAX, 0).checked_mul(2), None);
    }

    #[test]
    fn sums_and_differences_borrow_and_carry() {
        let max_lo = U256::from_u128(u128::MAX);
        assert_eq!(max_lo.checked_add(U256::from_u128(1)), Some(big(1, 0)));
        assert_eq!(big(1, 0).checked_sub(U256::from_u128(1)), Some(max_lo));
        assert_eq!(U256::ZERO.checked_sub(U256::from_u128(1)), None);
        assert_eq!(
            big(u128::MAX, u128::MAX).checked_add(U256::from_u128(1)),
            None
        );
    }

    #[test]
    fn division_matches_u128_and_inverts_products() {
        let (q, r) = U256::from_u128(100).div_rem(U256::from_u128(7)).unwrap();
        assert_eq!((q, r), (U256::from_u128(14), U256::from_u128(2)));
        // (a·b + c) / b = a rem c, past 128 bits
        let a = 0xDEAD_BEEF_0123_4567_89AB_CDEF_0011_2233u128;
        let b = 0x0FED_CBA9_8765_4321_FFFF_0000_1111u128;
        let c = 12_345u128;
        let n = U256::mul(a, b).checked_add(U256::from_u128(c)).unwrap();
        assert_eq!(
            n.div_rem(U256::from_u128(b)),
            Some((U256::from_u128(a), U256::from_u128(c)))
        );
        // a divisor past 2^255
        let top = big(1 << 127, 5);
        assert_eq!(top.div_rem(top), Some((U256::from_u128(1), U256::ZERO)));
        assert_eq!(n.div_rem(U256::ZERO), None);
        assert_eq!(
            U256::from_u128(5).div_round(U256::from_u128(2)),
            Some(U256::from_u128(3))
        );
        assert_eq!(
            U256::from_u128(7).div_round(U256::from_u128(5)),
            Some(U256::from_u128(1))
        );
    }

    #[test]
    fn scaled_comparisons_and_ratios_are_exact() {
        let third = |n| U256::from_u128(n);
        // 0.30 vs 0.3: equal
        assert_eq!(cmp_scaled(third(30), 2, third(3), 1), Ordering::Equal);
        // 1 vs 10^-60: the scaled side overflows and is the larger
        assert_eq!(cmp_scaled(third(1), 0, third(1), 60), Ordering::Greater);
        assert_eq!(at_scale(dec!(1.5), 30), Some(U256::mul(15, 10u128.pow(29))));
        assert_eq!(
            ratio_to_decimal(false, third(2), third(3), 4),
            Some(dec!(0.6667))
        );
        assert_eq!(
            ratio_to_decimal(true, third(1), third(8), 2),
            Some(dec!(-0.13))
        );
        // 7·10^28 + 0.5 has no room for 4 decimals: it keeps none, rounded away from 0
        let num = U256::mul(7 * 10u128.pow(28), 2)
            .checked_add(third(1))
            .unwrap();
        assert_eq!(
            ratio_to_decimal(false, num, third(2), 4),
            Some(Decimal::from_i128_with_scale(7 * 10i128.pow(28) + 1, 0))
        );
        assert_eq!(ratio_to_decimal(false, third(1), U256::ZERO, 4), None);
    }
}
