//! Dates written by a declared pattern (`%d.%m.%Y`, `%m/%d/%Y` …). The default pattern
//! is read exactly as [`parse_date`] reads the crate's own dates.

use jiff::civil::Date;

use crate::dates::{DateError, parse_date};

/// The default pattern.
const ISO: &str = "%Y-%m-%d";

/// A date pattern: `%Y` (four digits), `%m` and `%d` (one or two digits), each once,
/// between literal separators. What follows the date in a field must be nothing, or start
/// with `T` or a space (a time of day, ignored), as [`parse_date`] says. The default,
/// `%Y-%m-%d`, is read as the default format reads dates
/// ([inputs](crate::definitions#inputs)): two digits each.
///
/// # Example
/// ```
/// use customer_tiering::format::DateFormat;
/// use jiff::civil::date;
/// let german: DateFormat = "%d.%m.%Y".parse()?;
/// assert_eq!(german.read(b"31.12.2024")?, date(2024, 12, 31));
/// assert_eq!(german.read(b"1.2.2024 08:30")?, date(2024, 2, 1));
/// assert!(german.read(b"2024-12-31").is_err());
/// assert!("%d%m%Y".parse::<DateFormat>().is_err()); // where would the day end?
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateFormat {
    pattern: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    Year,
    Month,
    Day,
    Literal(u8),
}

/// Why a date does not fit its declared pattern.
///
/// # Example
/// ```
/// use customer_tiering::format::{DateFormat, DateFormatError};
/// let german: DateFormat = "%d.%m.%Y".parse()?;
/// assert_eq!(german.read(b"12/31/2024"), Err(DateFormatError::Shape("%d.%m.%Y".into())));
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateFormatError {
    /// As [`parse_date`] says, for the default pattern, or an empty field, a day that does
    /// not exist, or text after the date that is not a time.
    #[error(transparent)]
    Plain(#[from] DateError),
    /// The field does not have the pattern's shape.
    #[error("not a date of the format {0}")]
    Shape(String),
}

impl Default for DateFormat {
    fn default() -> Self {
        ISO.parse()
            .unwrap_or_else(|_| unreachable!("the default pattern is valid"))
    }
}

impl std::fmt::Display for DateFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl std::str::FromStr for DateFormat {
    type Err = crate::ConfigError;

    fn from_str(pattern: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| super::bad_key("date_format", pattern, reason);
        let mut parts = Vec::new();
        let mut bytes = pattern.bytes();
        while let Some(b) = bytes.next() {
            let part = match b {
                b'%' => match bytes.next() {
                    Some(b'Y') => Part::Year,
                    Some(b'm') => Part::Month,
                    Some(b'd') => Part::Day,
                    _ => return Err(bad("only %Y, %m and %d may follow a %")),
                },
                b if b.is_ascii_digit() || !b.is_ascii() => {
                    return Err(bad("separators must be ASCII characters other than digits"));
                }
                b => Part::Literal(b),
            };
            parts.push(part);
        }
        for field in [Part::Year, Part::Month, Part::Day] {
            if parts.iter().filter(|p| **p == field).count() != 1 {
                return Err(bad("needs each of %Y, %m and %d exactly once"));
            }
        }
        let numbers_touch = parts
            .windows(2)
            .any(|w| !matches!(w[0], Part::Literal(_)) && !matches!(w[1], Part::Literal(_)));
        if numbers_touch {
            return Err(bad("%Y, %m and %d need a separator between them"));
        }
        Ok(DateFormat {
            pattern: pattern.to_string(),
            parts,
        })
    }
}

impl DateFormat {
    /// The pattern as written.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::DateFormat;
    /// assert_eq!(DateFormat::default().pattern(), "%Y-%m-%d");
    /// ```
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether this is the crate's own pattern, read by [`parse_date`].
    pub(crate) fn is_plain(&self) -> bool {
        self.pattern == ISO
    }

    /// Reads a date field (ASCII whitespace around it trimmed).
    ///
    /// # Errors
    /// [`DateFormatError::Shape`] when the field does not have the pattern's shape;
    /// [`DateFormatError::Plain`] for an empty field, a day that does not exist, or text
    /// after the date that is not a time.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::DateFormat;
    /// use jiff::civil::date;
    /// let us: DateFormat = "%m/%d/%Y".parse()?;
    /// assert_eq!(us.read(b"12/31/2024")?, date(2024, 12, 31));
    /// assert_eq!(us.read(b"2/30/2024").unwrap_err().to_string(), "no such calendar day");
    /// assert_eq!(us.read(b"31/12/2024").unwrap_err().to_string(), "no such calendar day");
    /// assert_eq!(us.read(b"2024-12-31").unwrap_err().to_string(), "not a date of the format %m/%d/%Y");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read(&self, raw: &[u8]) -> Result<Date, DateFormatError> {
        if self.is_plain() {
            return Ok(parse_date(raw)?);
        }
        let text = raw.trim_ascii();
        if text.is_empty() {
            return Err(DateError::Empty.into());
        }
        let shape = || DateFormatError::Shape(self.pattern.clone());
        let (mut year, mut month, mut day) = (0i32, 0i32, 0i32);
        let mut at = 0;
        for part in &self.parts {
            let (most, least, slot) = match part {
                Part::Literal(b) => {
                    if text.get(at) != Some(b) {
                        return Err(shape());
                    }
                    at += 1;
                    continue;
                }
                Part::Year => (4, 4, &mut year),
                Part::Month => (2, 1, &mut month),
                Part::Day => (2, 1, &mut day),
            };
            let digits = text[at..]
                .iter()
                .take(most)
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits < least {
                return Err(shape());
            }
            *slot = text[at..at + digits]
                .iter()
                .fold(0, |n, &b| n * 10 + i32::from(b - b'0'));
            at += digits;
        }
        match text.get(at) {
            None | Some(b'T' | b' ') => {}
            Some(b) if b.is_ascii_digit() => return Err(shape()),
            Some(_) => return Err(DateError::Trailing.into()),
        }
        // Four digits fit i16; one or two fit i8.
        let (Ok(year), Ok(month), Ok(day)) =
            (i16::try_from(year), i8::try_from(month), i8::try_from(day))
        else {
            return Err(shape());
        };
        Date::new(year, month, day).map_err(|_| DateError::NoSuchDay.into())
    }

    /// Writes `date` by the pattern, with two-digit months and days: what an export
    /// of this format holds, and what [`read`](Self::read) reads back.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::DateFormat;
    /// use jiff::civil::date;
    /// let german: DateFormat = "%d.%m.%Y".parse()?;
    /// assert_eq!(german.write(date(2024, 2, 1)), "01.02.2024");
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn write(&self, date: Date) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Year => out.push_str(&format!("{:04}", date.year())),
                Part::Month => out.push_str(&format!("{:02}", date.month())),
                Part::Day => out.push_str(&format!("{:02}", date.day())),
                Part::Literal(b) => out.push(char::from(*b)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn every_pattern_of_the_spec_reads_its_dates() {
        let cases = [
            ("%d.%m.%Y", "31.12.2024"),
            ("%m/%d/%Y", "12/31/2024"),
            ("%d/%m/%Y", "31/12/2024"),
            ("%Y/%m/%d", "2024/12/31"),
            ("%Y-%m-%d", "2024-12-31"),
        ];
        for (pattern, written) in cases {
            let f: DateFormat = pattern.parse().unwrap();
            assert_eq!(
                f.read(written.as_bytes()),
                Ok(date(2024, 12, 31)),
                "{pattern}"
            );
            let timed = format!("{written} 23:59:59");
            assert_eq!(
                f.read(timed.as_bytes()),
                Ok(date(2024, 12, 31)),
                "{pattern}"
            );
            let iso_time = format!("{written}T23:59:59+08:00");
            assert_eq!(
                f.read(iso_time.as_bytes()),
                Ok(date(2024, 12, 31)),
                "{pattern}"
            );
        }
    }

    #[test]
    fn the_default_pattern_keeps_two_digits_as_section_one_says() {
        let iso = DateFormat::default();
        assert!(iso.read(b"2024-1-5").is_err());
        let loose: DateFormat = "%Y/%m/%d".parse().unwrap();
        assert_eq!(loose.read(b"2024/1/5"), Ok(date(2024, 1, 5)));
    }

    #[test]
    fn a_field_that_does_not_fit_names_the_pattern() {
        let german: DateFormat = "%d.%m.%Y".parse().unwrap();
        let shape = Err(DateFormatError::Shape("%d.%m.%Y".into()));
        for bad in [
            "2024-12-31",
            "31.12.24",
            "31-12-2024",
            "311.12.2024",
            "31.12.20245",
            ".12.2024",
        ] {
            assert_eq!(german.read(bad.as_bytes()), shape, "{bad}");
        }
        assert_eq!(
            german.read(b"31.12.2024x"),
            Err(DateFormatError::Plain(DateError::Trailing))
        );
        assert_eq!(
            german.read(b"29.02.2023"),
            Err(DateFormatError::Plain(DateError::NoSuchDay))
        );
        assert_eq!(
            german.read(b"  "),
            Err(DateFormatError::Plain(DateError::Empty))
        );
    }

    #[test]
    fn patterns_that_cannot_be_read_one_way_are_refused() {
        for bad in [
            "%d%m%Y",
            "%Y-%m",
            "%Y-%m-%d-%d",
            "%d.%b.%Y",
            "%d. %m.%Y0",
            "%d。%m。%Y",
        ] {
            let err = bad.parse::<DateFormat>().unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("input format: date_format {bad:?}: ")),
                "{err}"
            );
        }
    }
}
