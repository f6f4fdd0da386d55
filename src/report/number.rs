//! Numbers as people read them in charts and reports: digits grouped by three with a
//! comma (`33,324.65`, `1,204` — the grouping is the usual one in Traditional and
//! Simplified Chinese too) and shares as percentages with one decimal and no space
//! (`21.8%`, in all three languages).
//!
//! Files for machines (`tiers.csv`, `summary.json`, `management.csv`) keep the plain
//! forms; these are for what a person looks at. Money is grouped from the decimal's own
//! text, never through a float, so every digit of an exact amount survives.
//!
//! # Example
//! ```
//! use customer_tiering::report::number::{count, money, percent};
//! use rust_decimal::Decimal;
//! let revenue: Decimal = "1234567.50".parse().unwrap();
//! assert_eq!(money(revenue), "1,234,567.50");
//! assert_eq!(count(1204), "1,204");
//! assert_eq!(percent("0.2180".parse().unwrap()), "21.8%");
//! ```

use rust_decimal::{Decimal, RoundingStrategy};

/// Groups the integer digits of a plain decimal text (`-?[0-9]+(\.[0-9]+)?`) by three
/// with commas; the sign and the fraction stay as they are. A text of another form is
/// returned unchanged, so that nothing is ever lost.
///
/// # Example
/// ```
/// use customer_tiering::report::number::grouped;
/// assert_eq!(grouped("33324.65"), "33,324.65");
/// assert_eq!(grouped("-1000"), "-1,000");
/// assert_eq!(grouped("999.123456"), "999.123456"); // the fraction is not grouped
/// assert_eq!(grouped("1e9"), "1e9"); // not a plain decimal: left alone
/// ```
pub fn grouped(text: &str) -> String {
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match body.find('.') {
        Some(dot) => body.split_at(dot),
        None => (body, ""),
    };
    let plain = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().skip(1).all(|b| b.is_ascii_digit())
        && fraction != ".";
    if !plain {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + whole.len() / 3);
    out.push_str(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out.push_str(fraction);
    out
}

/// An exact amount with grouped digits, its scale as the crate writes it
/// ([`money::display`](crate::money::display): never `-0.00`).
///
/// # Example
/// ```
/// use customer_tiering::report::number::money;
/// use rust_decimal::Decimal;
/// let exact: Decimal = "12345678901234567890.1234567".parse().unwrap();
/// assert_eq!(money(exact), "12,345,678,901,234,567,890.1234567"); // no digit lost
/// assert_eq!(money(Decimal::new(-0, 2)), "0.00");
/// ```
pub fn money(value: Decimal) -> String {
    grouped(&crate::money::display(value))
}

/// A count with grouped digits.
///
/// # Example
/// ```
/// use customer_tiering::report::number::count;
/// assert_eq!((count(0), count(999), count(1_000_000)), ("0".into(), "999".into(), "1,000,000".into()));
/// ```
pub fn count(n: u64) -> String {
    grouped(&n.to_string())
}

/// A share (`0.2180`, as [`LabelFigures`](crate::report::LabelFigures) carries it) as a
/// percentage with one decimal, rounded half away from zero, grouped, with no space
/// before the sign: `21.8%` in every language (the usual style of English and Chinese
/// alike).
///
/// # Example
/// ```
/// use customer_tiering::report::number::percent;
/// let share = |s: &str| percent(s.parse().unwrap());
/// assert_eq!(share("0.2180"), "21.8%");
/// assert_eq!(share("1"), "100.0%");
/// assert_eq!(share("0.00045"), "0.0%");
/// assert_eq!(share("0.00055"), "0.1%"); // half away from zero
/// assert_eq!(share("-0.125"), "-12.5%");
/// ```
pub fn percent(share: Decimal) -> String {
    // `share * 100` cannot overflow for a share; should a caller pass a huge figure,
    // the text of the figure is better than a panic.
    match share.checked_mul(Decimal::ONE_HUNDRED) {
        Some(hundredths) => {
            let mut rounded =
                hundredths.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
            rounded.rescale(1);
            format!("{}%", grouped(&crate::money::display(rounded)))
        }
        None => format!("{share}×100%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_every_length_of_integer_part() {
        let cases = [
            ("0", "0"),
            ("12", "12"),
            ("123", "123"),
            ("1234", "1,234"),
            ("12345", "12,345"),
            ("123456", "123,456"),
            ("1234567", "1,234,567"),
            ("-123456.70", "-123,456.70"),
            ("0.5", "0.5"),
        ];
        for (text, want) in cases {
            assert_eq!(grouped(text), want, "{text}");
            assert_eq!(grouped(text).replace(',', ""), text, "{text}");
        }
    }

    #[test]
    fn other_texts_are_kept_as_they_are() {
        for text in ["", "-", "1.", ".5", "1.2.3", "12a", "１２３４", "1,234"] {
            assert_eq!(grouped(text), text, "{text:?}");
        }
    }

    #[test]
    fn money_keeps_every_digit_of_the_widest_decimal() {
        let widest = Decimal::MAX;
        assert_eq!(money(widest).replace(',', ""), widest.to_string());
        assert_eq!(
            money(Decimal::MIN).replace(',', ""),
            Decimal::MIN.to_string()
        );
    }

    #[test]
    fn a_negative_zero_share_is_zero() {
        assert_eq!(percent(-Decimal::new(0, 4)), "0.0%");
        assert_eq!(percent(Decimal::new(-4, 4)), "0.0%");
    }

    #[test]
    fn a_figure_past_the_range_is_written_not_panicked_over() {
        assert!(percent(Decimal::MAX).starts_with(&Decimal::MAX.to_string()));
    }
}
