//! Exact money: the amount grammar of [inputs](crate::definitions#inputs), checked sums and
//! output form.
//!
//! `rust_decimal`'s own `from_str` rounds silently and accepts `1e3`, `+5`, `.5` and `5.`;
//! the amount grammar ([inputs](crate::definitions#inputs)) rejects all of those, so
//! amounts are parsed here by the grammar `-?[0-9]+(\.[0-9]+)?` with at most 28 significant
//! digits, straight into an integer mantissa and a scale. Nothing is ever rounded.
//!
//! # Example
//! ```
//! use customer_tiering::money::{checked_add, display, parse_amount, AmountError};
//!
//! let sale = parse_amount("12.50")?;
//! let refund = parse_amount("-12.5")?;
//! let total = checked_add(sale, refund).expect("within the decimal range");
//! assert_eq!(display(total), "0.00"); // the larger scale, and never "-0.00"
//! assert_eq!(parse_amount("$5"), Err(AmountError::Grammar)); // rejected, not cleaned up
//! # Ok::<(), AmountError>(())
//! ```

use rust_decimal::Decimal;

/// Why a text is not an amount by the amount grammar ([inputs](crate::definitions#inputs)).
///
/// # Example
/// ```
/// use customer_tiering::money::{parse_amount, AmountError};
/// assert_eq!(parse_amount("  "), Err(AmountError::Empty));
/// assert_eq!(parse_amount("+5"), Err(AmountError::Grammar));
/// assert_eq!(parse_amount(".5"), Err(AmountError::Grammar));
/// assert_eq!(parse_amount(&"9".repeat(29)), Err(AmountError::TooManyDigits));
/// assert_eq!(AmountError::Empty.to_string(), "empty amount");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// The field is empty (after trimming ASCII whitespace).
    #[error("empty amount")]
    Empty,
    /// A character outside the grammar `-?[0-9]+(\.[0-9]+)?`.
    #[error(
        "not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)"
    )]
    Grammar,
    /// More than 28 digits, not counting leading zeros of the integer part.
    #[error("more than 28 significant digits; it cannot be held exactly")]
    TooManyDigits,
}

/// The most digits an amount may have (leading zeros of the integer part aside):
/// `10^28 − 1 < 2^96`, so any such amount fits `rust_decimal`'s mantissa, scale included.
///
/// # Example
/// ```
/// use customer_tiering::money::{parse_amount, AmountError, MAX_DIGITS};
/// let widest = format!("{}.{}", "9".repeat(20), "9".repeat(MAX_DIGITS - 20));
/// assert!(parse_amount(&widest).is_ok());
/// assert!(parse_amount(&format!("000{widest}")).is_ok()); // leading zeros are not counted
/// assert_eq!(parse_amount(&format!("{widest}9")), Err(AmountError::TooManyDigits));
/// ```
pub const MAX_DIGITS: usize = 28;

/// Parses an amount by the amount grammar ([inputs](crate::definitions#inputs)), exactly.
///
/// Leading and trailing ASCII whitespace is trimmed; the scale is kept as written
/// (`12.50` stays `12.50`); `-0.00` is zero (printed `0.00`).
///
/// # Errors
/// [`AmountError`] for an empty field, text outside the grammar, or more than 28
/// significant digits.
///
/// # Example
/// ```
/// use customer_tiering::money::{parse_amount, AmountError};
/// assert_eq!(parse_amount(" 12.50 ").unwrap().to_string(), "12.50");
/// assert_eq!(parse_amount("-0.00").unwrap().to_string(), "0.00");
/// assert_eq!(parse_amount("1,000"), Err(AmountError::Grammar));
/// assert_eq!(parse_amount("1e3"), Err(AmountError::Grammar));
/// ```
pub fn parse_amount(text: &str) -> Result<Decimal, AmountError> {
    parse_amount_bytes(text.as_bytes())
}

/// [`parse_amount`] over raw bytes (a CSV field that need not be UTF-8).
///
/// # Errors
/// As [`parse_amount`].
///
/// # Example
/// ```
/// use customer_tiering::money::{parse_amount_bytes, AmountError};
/// assert_eq!(parse_amount_bytes(b" 7.10\t")?.to_string(), "7.10");
/// assert_eq!(parse_amount_bytes(b"\xA35"), Err(AmountError::Grammar)); // Latin-1 pound sign
/// # Ok::<(), AmountError>(())
/// ```
pub fn parse_amount_bytes(raw: &[u8]) -> Result<Decimal, AmountError> {
    let text = raw.trim_ascii();
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (int_part, frac_part) = match body.iter().position(|&b| b == b'.') {
        Some(dot) => (&body[..dot], Some(&body[dot + 1..])),
        None => (body, None),
    };
    let all_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if !all_digits(int_part) || frac_part.is_some_and(|f| !all_digits(f)) {
        return Err(AmountError::Grammar);
    }
    let frac = frac_part.unwrap_or(&[]);
    let significant_int = int_part
        .iter()
        .position(|&b| b != b'0')
        .map_or(&[][..], |first| &int_part[first..]);
    if significant_int.len() + frac.len() > MAX_DIGITS {
        return Err(AmountError::TooManyDigits);
    }
    let mantissa = significant_int
        .iter()
        .chain(frac)
        .fold(0i128, |acc, &d| acc * 10 + i128::from(d - b'0'));
    let mantissa = if negative { -mantissa } else { mantissa };
    // Scale ≤ 28 and |mantissa| < 10^28 were both checked above.
    let scale = u32::try_from(frac.len()).map_err(|_| AmountError::TooManyDigits)?;
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| AmountError::TooManyDigits)
}

/// Adds two amounts exactly, keeping the larger scale (`1.50 + 1 = 2.50`,
/// `0.00 + 35 = 35.00`); `None` when the exact sum does not fit `rust_decimal`.
///
/// `rust_decimal`'s own `+` is not enough: it returns the other operand unchanged when
/// one side is zero (`0.00 + 35 = 35`, so the printed scale would depend on row order),
/// and near the top of its range it drops digits instead of failing. Here both mantissas
/// are aligned in `i128` and the sum is rebuilt only if it fits 96 bits.
///
/// # Example
/// ```
/// use customer_tiering::money::checked_add;
/// use rust_decimal::{dec, Decimal};
/// assert_eq!(checked_add(dec!(0.00), dec!(35)).unwrap().to_string(), "35.00");
/// assert_eq!(checked_add(Decimal::MAX, dec!(0.1)), None);
/// ```
#[inline]
pub fn checked_add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale().max(b.scale());
    let widen = |d: Decimal| {
        d.mantissa()
            .checked_mul(10i128.checked_pow(scale - d.scale())?)
    };
    let sum = widen(a)?.checked_add(widen(b)?)?;
    Decimal::try_from_i128_with_scale(sum, scale).ok()
}

/// `a − b` exactly, as [`checked_add`].
///
/// # Example
/// ```
/// use customer_tiering::money::checked_sub;
/// use rust_decimal::{dec, Decimal};
/// assert_eq!(checked_sub(dec!(10.00), dec!(2.5)).unwrap().to_string(), "7.50");
/// assert_eq!(checked_sub(Decimal::MIN, dec!(1)), None);
/// ```
#[inline]
pub fn checked_sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    checked_add(a, -b)
}

/// Multiplies exactly (the scale of the product is the sum of the scales); `None` when
/// the exact product does not fit `rust_decimal` (which would otherwise round it).
///
/// # Example
/// ```
/// use customer_tiering::money::checked_mul;
/// use rust_decimal::dec;
/// assert_eq!(checked_mul(dec!(0.80), dec!(1234.50)).unwrap().to_string(), "987.6000");
/// ```
#[inline]
pub fn checked_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let product = a.mantissa().checked_mul(b.mantissa())?;
    Decimal::try_from_i128_with_scale(product, a.scale() + b.scale()).ok()
}

/// The form money is printed in ([CLI files](crate::definitions#cli-files-and-exit-codes)):
/// exact, never in exponent form, scale as summed, and never a negative zero.
///
/// # Example
/// ```
/// use customer_tiering::money::display;
/// use rust_decimal::Decimal;
/// let minus_zero = Decimal::new(-500, 2) + Decimal::new(500, 2);
/// assert_eq!(display(minus_zero), "0.00");
/// ```
pub fn display(value: Decimal) -> String {
    normalize_zero(value).to_string()
}

/// Clears the sign of a zero so that it never prints as `-0.00`.
///
/// # Example
/// ```
/// use customer_tiering::money::normalize_zero;
/// use rust_decimal::dec;
/// let minus_zero = -dec!(0.00);
/// assert_eq!(minus_zero.to_string(), "-0.00");
/// assert_eq!(normalize_zero(minus_zero).to_string(), "0.00");
/// assert_eq!(normalize_zero(dec!(-1.50)).to_string(), "-1.50"); // only a zero changes
/// ```
#[inline]
pub fn normalize_zero(mut value: Decimal) -> Decimal {
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn accepts_the_grammar_exactly() {
        let cases = [
            ("0", "0"),
            ("12.50", "12.50"),
            ("-3.1", "-3.1"),
            ("  7 ", "7"),
            ("\t-0.00", "0.00"),
            ("0007.10", "7.10"),
            (
                "9999999999999999999999999999",
                "9999999999999999999999999999",
            ),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
            (
                "000000000012345678901234567890.12345678",
                "12345678901234567890.12345678",
            ),
        ];
        for (text, want) in cases {
            let got = parse_amount(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(display(got), want, "{text:?}");
        }
    }

    #[test]
    fn rejects_everything_else() {
        use AmountError::*;
        let cases = [
            ("", Empty),
            ("   ", Empty),
            ("1,000", Grammar),
            ("1e3", Grammar),
            ("$5", Grammar),
            ("+5", Grammar),
            (".5", Grammar),
            ("5.", Grammar),
            ("-", Grammar),
            ("--5", Grammar),
            ("1_000", Grammar),
            ("1.2.3", Grammar),
            ("5 0", Grammar),
            ("١٢", Grammar),
            ("99999999999999999999999999999", TooManyDigits),
            ("0.00000000000000000000000000001", TooManyDigits),
            ("1234567890123456789012345678.9", TooManyDigits),
        ];
        for (text, want) in cases {
            assert_eq!(parse_amount(text), Err(want), "{text:?}");
        }
    }

    #[test]
    fn sums_keep_the_largest_scale_whatever_the_order() {
        let cases = [
            (dec!(12.50), dec!(1), "13.50"),
            (dec!(0.00), dec!(35), "35.00"),
            (dec!(35), dec!(0.00), "35.00"),
            (dec!(0), dec!(0.00), "0.00"),
            (dec!(0.00), dec!(0), "0.00"),
            (dec!(-5.00), dec!(5), "0.00"),
            (
                dec!(0.1),
                dec!(0.0000000000000000000000000001),
                "0.1000000000000000000000000001",
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(display(checked_add(a, b).unwrap()), want, "{a} + {b}");
            assert_eq!(display(checked_add(b, a).unwrap()), want, "{b} + {a}");
        }
    }

    #[test]
    fn optional_decimals_round_trip_through_json_null() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct T {
            #[serde(with = "opt_str")]
            a: Option<Decimal>,
            #[serde(with = "opt_str")]
            b: Option<Decimal>,
        }
        let t = T {
            a: Some(dec!(12.50)),
            b: None,
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"a":"12.50","b":null}"#);
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), t);
        assert!(serde_json::from_str::<T>(r#"{"a":12.5,"b":null}"#).is_err());
    }

    #[test]
    fn inexact_sums_and_products_are_none() {
        assert_eq!(checked_add(Decimal::MAX, dec!(1)), None);
        // rust_decimal itself would round this sum to fewer fraction digits
        let big = Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335 / 2 + 1, 2);
        assert!(big.checked_add(big).is_some_and(|sum| sum.scale() < 2));
        assert_eq!(checked_add(big, big), None);
        assert_eq!(checked_mul(Decimal::MAX, dec!(2)), None);
        assert_eq!(
            checked_mul(dec!(0.5), dec!(0.0000000000000000000000000001)),
            None
        );
        assert_eq!(checked_sub(dec!(1.5), dec!(2)).unwrap().to_string(), "-0.5");
    }
}

/// Serde for `Option<Decimal>` as an exact string or null (`rust_decimal`'s own
/// `str_option` cannot read back the null it writes for `None`).
pub(crate) mod opt_str {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `Some(d)` as `"d"`, `None` as null.
    ///
    /// # Errors
    /// The serializer's.
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_some(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    /// Reads an exact decimal string or null (a number is refused: it went through a
    /// float).
    ///
    /// # Errors
    /// When the value is neither null nor an exact decimal string.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| Decimal::from_str_exact(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}
