//! Amounts written the way an export writes them: a decimal comma, thousands
//! separators, a currency symbol. Each is removed only where the declared format puts
//! it, and what is left is read by the crate's one exact grammar
//! ([`parse_amount_bytes`]), so no value is ever rounded or guessed.

use rust_decimal::Decimal;

use crate::money::{AmountError, parse_amount_bytes};

/// The separator between the whole and the fractional part of an amount.
///
/// # Example
/// ```
/// use customer_tiering::format::DecimalSeparator;
/// assert_eq!("," .parse::<DecimalSeparator>()?, DecimalSeparator::Comma);
/// assert_eq!(DecimalSeparator::Dot.to_string(), ".");
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DecimalSeparator {
    /// `12.50` (the default).
    #[default]
    Dot,
    /// `12,50`.
    Comma,
}

impl DecimalSeparator {
    /// The separator's byte.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::DecimalSeparator;
    /// assert_eq!(DecimalSeparator::Comma.byte(), b',');
    /// ```
    pub fn byte(self) -> u8 {
        match self {
            DecimalSeparator::Dot => b'.',
            DecimalSeparator::Comma => b',',
        }
    }
}

impl DecimalSeparator {
    /// Every separator with its name, as a profile writes it.
    const NAMES: [(Self, &'static str); 2] =
        [(DecimalSeparator::Dot, "."), (DecimalSeparator::Comma, ",")];
}

impl std::fmt::Display for DecimalSeparator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(name_of(*self, &Self::NAMES))
    }
}

impl std::str::FromStr for DecimalSeparator {
    type Err = crate::ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        by_name("decimal_separator", text, &Self::NAMES)
    }
}

/// The separator between groups of three digits in the whole part of an amount.
///
/// # Example
/// ```
/// use customer_tiering::format::ThousandsSeparator;
/// assert_eq!("space".parse::<ThousandsSeparator>()?, ThousandsSeparator::Space);
/// assert_eq!(ThousandsSeparator::Apostrophe.to_string(), "'");
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ThousandsSeparator {
    /// No grouping: `1890.00` (the default; `1,890.00` is then a reject).
    #[default]
    None,
    /// `1,890.00`.
    Comma,
    /// `1.890,00`.
    Dot,
    /// `1 890,00`, with a plain space, a no-break space (U+00A0) or a narrow no-break
    /// space (U+202F): spreadsheets write all three.
    Space,
    /// `1'890.00`.
    Apostrophe,
}

impl ThousandsSeparator {
    /// The byte forms the separator may take.
    fn forms(self) -> &'static [&'static [u8]] {
        const SPACES: [&[u8]; 3] = [b" ", "\u{a0}".as_bytes(), "\u{202f}".as_bytes()];
        match self {
            ThousandsSeparator::None => &[],
            ThousandsSeparator::Comma => &[b","],
            ThousandsSeparator::Dot => &[b"."],
            ThousandsSeparator::Space => &SPACES,
            ThousandsSeparator::Apostrophe => &[b"'"],
        }
    }

    /// The separator's ASCII byte, if it has one form of one byte.
    pub(crate) fn ascii(self) -> Option<u8> {
        match self {
            ThousandsSeparator::None | ThousandsSeparator::Space => None,
            ThousandsSeparator::Comma => Some(b','),
            ThousandsSeparator::Dot => Some(b'.'),
            ThousandsSeparator::Apostrophe => Some(b'\''),
        }
    }
}

impl ThousandsSeparator {
    /// Every separator with its name, as a profile writes it.
    const NAMES: [(Self, &'static str); 5] = [
        (ThousandsSeparator::None, "none"),
        (ThousandsSeparator::Comma, ","),
        (ThousandsSeparator::Dot, "."),
        (ThousandsSeparator::Space, "space"),
        (ThousandsSeparator::Apostrophe, "'"),
    ];
}

impl std::fmt::Display for ThousandsSeparator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(name_of(*self, &Self::NAMES))
    }
}

impl std::str::FromStr for ThousandsSeparator {
    type Err = crate::ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        by_name("thousands_separator", text, &Self::NAMES)
    }
}

/// The name of `value` in `names`.
fn name_of<T: PartialEq>(value: T, names: &[(T, &'static str)]) -> &'static str {
    names
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, name)| name)
}

/// The value `key` takes by its name in `names`; the error lists the names, words as
/// they are and symbols quoted.
fn by_name<T: Copy>(key: &str, text: &str, names: &[(T, &str)]) -> Result<T, crate::ConfigError> {
    if let Some((value, _)) = names.iter().find(|(_, name)| *name == text) {
        return Ok(*value);
    }
    let listed: Vec<String> = names
        .iter()
        .map(
            |(_, name)| match name.chars().all(|c| c.is_ascii_alphabetic()) {
                true => (*name).to_string(),
                false => format!("{name:?}"),
            },
        )
        .collect();
    Err(super::bad_key(
        key,
        text,
        &format!("not one of {}", listed.join(", ")),
    ))
}

/// How amounts are written: the three keys of an input format that concern them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct AmountFormat {
    pub(crate) decimal: DecimalSeparator,
    pub(crate) thousands: ThousandsSeparator,
    pub(crate) currency: Option<String>,
}

/// Why an amount does not fit its declared format.
///
/// # Example
/// ```
/// use customer_tiering::format::{AmountFormatError, DecimalSeparator, InputFormat};
/// let comma = InputFormat { decimal_separator: DecimalSeparator::Comma, ..InputFormat::default() };
/// let err = comma.read_amount(b"12.50").unwrap_err();
/// assert!(matches!(err, AmountFormatError::Shape(_)));
/// assert_eq!(err.to_string(), "not an amount in the declared format (decimal separator \",\", no thousands separator)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountFormatError {
    /// As the plain grammar says (empty, too many digits), or, for the default format,
    /// any grammar error in the words of [inputs](crate::definitions#inputs).
    #[error(transparent)]
    Plain(#[from] AmountError),
    /// The shape does not fit the declared separators or symbol.
    #[error("not an amount in the declared format ({0})")]
    Shape(String),
}

impl AmountFormat {
    /// Whether this is the crate's own format, read by [`parse_amount_bytes`] alone.
    pub(crate) fn is_plain(&self) -> bool {
        *self == AmountFormat::default()
    }

    /// The format in words, for a reject's reason.
    fn describe(&self) -> String {
        let mut words = format!("decimal separator {:?}", self.decimal.to_string());
        match self.thousands {
            ThousandsSeparator::None => words.push_str(", no thousands separator"),
            ThousandsSeparator::Space => {
                words.push_str(", thousands separator space between groups of three digits");
            }
            t => words.push_str(&format!(
                ", thousands separator {:?} between groups of three digits",
                t.to_string()
            )),
        }
        if let Some(symbol) = &self.currency {
            words.push_str(&format!(", currency symbol {symbol:?}"));
        }
        words
    }

    /// Reads one amount: the currency symbol removed once from either end, thousands
    /// separators removed only between groups of exactly three digits of the whole
    /// part, then the plain grammar with the declared decimal separator.
    pub(crate) fn read(&self, raw: &[u8]) -> Result<Decimal, AmountFormatError> {
        if self.is_plain() {
            return Ok(parse_amount_bytes(raw)?);
        }
        let shape = || AmountFormatError::Shape(self.describe());
        let mut text = trim(raw);
        if text.is_empty() {
            return Err(AmountError::Empty.into());
        }
        // A minus sign may stand before a leading symbol (`-$5.25`).
        let mut signed_symbol = false;
        if let Some(symbol) = self.currency.as_deref().map(str::as_bytes) {
            let after_sign = text.strip_prefix(b"-").and_then(|t| t.strip_prefix(symbol));
            if let Some(rest) = after_sign {
                signed_symbol = true;
                text = trim(rest);
            } else if let Some(rest) = text.strip_prefix(symbol) {
                text = trim(rest);
            } else if let Some(rest) = text.strip_suffix(symbol) {
                text = trim(rest);
            }
        }
        let (negative, body) = match text.split_first() {
            Some((b'-', _)) if signed_symbol => return Err(shape()),
            Some((b'-', rest)) => (true, rest),
            _ => (signed_symbol, text),
        };
        let decimal = self.decimal.byte();
        let (whole, fraction) = match body.iter().position(|&b| b == decimal) {
            Some(at) => (&body[..at], Some(&body[at + 1..])),
            None => (body, None),
        };
        let mut plain = Vec::with_capacity(text.len());
        if negative {
            plain.push(b'-');
        }
        ungroup(whole, self.thousands.forms(), &mut plain).ok_or_else(shape)?;
        if let Some(fraction) = fraction {
            if !fraction.iter().all(u8::is_ascii_digit) {
                return Err(shape());
            }
            plain.push(b'.');
            plain.extend_from_slice(fraction);
        }
        parse_amount_bytes(&plain).map_err(|e| match e {
            AmountError::Grammar => shape(),
            other => other.into(),
        })
    }
}

/// `raw` without ASCII whitespace and no-break spaces at either end.
fn trim(raw: &[u8]) -> &[u8] {
    let mut text = raw.trim_ascii();
    loop {
        let before = text.len();
        for space in ["\u{a0}".as_bytes(), "\u{202f}".as_bytes()] {
            text = text.strip_prefix(space).unwrap_or(text);
            text = text.strip_suffix(space).unwrap_or(text);
        }
        text = text.trim_ascii();
        if text.len() == before {
            return text;
        }
    }
}

/// Appends the digits of a whole part to `out`, its thousands separators (any of
/// `forms`) removed; none when a separator is anywhere but between groups of exactly
/// three digits after a first group of one to three.
fn ungroup(whole: &[u8], forms: &[&[u8]], out: &mut Vec<u8>) -> Option<()> {
    let mut groups = Vec::new();
    let mut rest = whole;
    let mut start = 0;
    let mut at = 0;
    while at < rest.len() {
        match forms.iter().find(|form| rest[at..].starts_with(form)) {
            Some(form) => {
                groups.push(&rest[start..at]);
                rest = &rest[at + form.len()..];
                start = 0;
                at = 0;
            }
            None => at += 1,
        }
    }
    groups.push(&rest[start..]);
    if groups.iter().any(|g| !g.iter().all(u8::is_ascii_digit)) {
        return None;
    }
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    groups.iter().for_each(|g| out.extend_from_slice(g));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(decimal: &str, thousands: &str, currency: Option<&str>) -> AmountFormat {
        AmountFormat {
            decimal: decimal.parse().unwrap(),
            thousands: thousands.parse().unwrap(),
            currency: currency.map(str::to_string),
        }
    }

    fn read(f: &AmountFormat, raw: &str) -> Result<String, String> {
        f.read(raw.as_bytes())
            .map(|d| d.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn german_amounts_read_exactly() {
        let german = format(",", ".", Some("€"));
        assert_eq!(read(&german, "12,50"), Ok("12.50".into()));
        assert_eq!(read(&german, "1.890,00"), Ok("1890.00".into()));
        assert_eq!(read(&german, "-1.234.567,891"), Ok("-1234567.891".into()));
        assert_eq!(read(&german, "12,50 €"), Ok("12.50".into()));
        assert_eq!(read(&german, "€12,50"), Ok("12.50".into()));
        assert_eq!(read(&german, "-0,00"), Ok("0.00".into()));
        let shape = "not an amount in the declared format (decimal separator \",\", thousands separator \".\" between groups of three digits, currency symbol \"€\")";
        for bad in [
            "18.90,00",
            "1.89,00",
            "1890.00",
            ".5",
            "5,",
            "1,2,3",
            "+5",
            "€€5",
            "1e3",
            "1.8900,00",
        ] {
            assert_eq!(read(&german, bad), Err(shape.into()), "{bad}");
        }
        assert_eq!(read(&german, " "), Err("empty amount".into()));
    }

    #[test]
    fn french_spaces_and_swiss_apostrophes_group_thousands() {
        let french = format(",", "space", None);
        for written in ["1 890,00", "1\u{a0}890,00", "1\u{202f}890,00", "1890,00"] {
            assert_eq!(read(&french, written), Ok("1890.00".into()), "{written}");
        }
        assert!(read(&french, "18 90,00").is_err());
        let swiss = format(".", "'", None);
        assert_eq!(read(&swiss, "1'890.05"), Ok("1890.05".into()));
        assert!(read(&swiss, "1'890'0.05").is_err());
    }

    #[test]
    fn us_excel_thousands_are_only_accepted_where_declared() {
        let us = format(".", ",", Some("$"));
        assert_eq!(read(&us, "$1,890.00"), Ok("1890.00".into()));
        assert_eq!(read(&us, "-$5.25"), Ok("-5.25".into()));
        assert_eq!(read(&us, "$-5.25"), Ok("-5.25".into()));
        assert!(read(&us, "-$-5.25").is_err());
        assert_eq!(read(&us, "1,234,567"), Ok("1234567".into()));
        assert!(read(&us, "18,90.00").is_err());
        assert!(read(&us, ",890.00").is_err());
        assert!(read(&us, "1,890,").is_err());
    }

    #[test]
    fn the_default_format_is_sections_one_grammar_with_its_words() {
        let plain = AmountFormat::default();
        assert!(plain.is_plain());
        assert_eq!(read(&plain, "12.50"), Ok("12.50".into()));
        assert_eq!(read(&plain, "1,000"), Err(AmountError::Grammar.to_string()));
    }

    #[test]
    fn too_many_digits_stay_an_error_in_every_format() {
        let german = format(",", ".", None);
        let wide = format!("1{},5", ".000".repeat(9));
        assert_eq!(
            read(&german, &wide),
            Err(AmountError::TooManyDigits.to_string())
        );
    }
}
