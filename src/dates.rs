//! Calendar dates as [inputs](crate::definitions#inputs) define them, and whole-day
//! differences.
//!
//! jiff alone would also accept `20240229` and other shapes;
//! [inputs](crate::definitions#inputs) allow exactly a `YYYY-MM-DD` prefix, optionally
//! followed by a time of day that starts with `T` or a space. The time (and any zone offset
//! in it) is ignored: the date is never shifted.
//!
//! # Example
//! ```
//! use customer_tiering::dates::{days_between, parse_date, DateError};
//! use jiff::civil::date;
//!
//! let last = parse_date(b"2026-03-01T23:45:00-08:00")?; // the zone never shifts the date
//! assert_eq!(last, date(2026, 3, 1));
//! assert_eq!(days_between(last, date(2026, 3, 31)), 30); // recency_days at 2026-03-31
//! assert_eq!(parse_date(b"03/01/2026"), Err(DateError::Shape));
//! # Ok::<(), DateError>(())
//! ```

use jiff::civil::Date;

/// Why a text is not a date as [inputs](crate::definitions#inputs) define it.
///
/// # Example
/// ```
/// use customer_tiering::dates::{parse_date, DateError};
/// assert_eq!(parse_date(b" "), Err(DateError::Empty));
/// assert_eq!(parse_date(b"2026/03/31"), Err(DateError::Shape));
/// assert_eq!(parse_date(b"2026-02-29"), Err(DateError::NoSuchDay)); // 2026 is not a leap year
/// assert_eq!(parse_date(b"2026-03-31Z"), Err(DateError::Trailing));
/// assert_eq!(DateError::NoSuchDay.to_string(), "no such calendar day");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The field is empty.
    #[error("empty date")]
    Empty,
    /// The first 10 characters are not of the form `YYYY-MM-DD`.
    #[error("not a date of the form YYYY-MM-DD")]
    Shape,
    /// The form is right but no such day exists (`2023-02-29`).
    #[error("no such calendar day")]
    NoSuchDay,
    /// Something other than a time of day (starting `T` or a space) follows the date.
    #[error("text after the date must start with 'T' or a space")]
    Trailing,
}

/// Parses the date of a date field ([inputs](crate::definitions#inputs)) (ASCII whitespace
/// around it is trimmed).
///
/// # Errors
/// [`DateError`] for an empty field, a wrong shape, an impossible day, or trailing text
/// that is not a time of day.
///
/// # Example
/// ```
/// use customer_tiering::dates::parse_date;
/// use jiff::civil::date;
/// assert_eq!(parse_date(b"2011-12-09T23:30:00-05:00"), Ok(date(2011, 12, 9)));
/// assert_eq!(parse_date(b"2011-12-09 12:50:00"), Ok(date(2011, 12, 9)));
/// assert!(parse_date(b"20111209").is_err());
/// ```
pub fn parse_date(raw: &[u8]) -> Result<Date, DateError> {
    let text = raw.trim_ascii();
    if text.is_empty() {
        return Err(DateError::Empty);
    }
    let Some(head) = text.get(..10) else {
        return Err(DateError::Shape);
    };
    let digits = |range: std::ops::Range<usize>| -> Result<i32, DateError> {
        head[range].iter().try_fold(0i32, |acc, &b| {
            if b.is_ascii_digit() {
                Ok(acc * 10 + i32::from(b - b'0'))
            } else {
                Err(DateError::Shape)
            }
        })
    };
    if head[4] != b'-' || head[7] != b'-' {
        return Err(DateError::Shape);
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    match text.get(10) {
        None | Some(b'T' | b' ') => {}
        Some(_) => return Err(DateError::Trailing),
    }
    // Four digits always fit i16; month and day two digits fit i8.
    let (Ok(year), Ok(month), Ok(day)) =
        (i16::try_from(year), i8::try_from(month), i8::try_from(day))
    else {
        return Err(DateError::Shape);
    };
    Date::new(year, month, day).map_err(|_| DateError::NoSuchDay)
}

/// The number of days from 1970-01-01 to `date` (negative before it): whole-day
/// differences of many dates become integer subtractions.
///
/// # Example
/// ```
/// use customer_tiering::dates::day_number;
/// use jiff::civil::date;
/// assert_eq!(day_number(date(1970, 1, 2)), 1);
/// assert_eq!(day_number(date(2026, 3, 31)) - day_number(date(2026, 1, 1)), 89);
/// ```
pub fn day_number(date: Date) -> i32 {
    // |days| ≤ 3.7 million for jiff's years −9999..=9999
    days_between(Date::constant(1970, 1, 1), date) as i32
}

/// `later − earlier` in whole days (negative when `later` is before `earlier`).
///
/// # Example
/// ```
/// use customer_tiering::dates::days_between;
/// use jiff::civil::date;
/// assert_eq!(days_between(date(2024, 2, 28), date(2024, 3, 1)), 2);
/// ```
pub fn days_between(earlier: Date, later: Date) -> i64 {
    // Civil days are exactly 86 400 s long in jiff's civil arithmetic.
    later.duration_since(earlier).as_secs() / 86_400
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn accepts_a_date_and_an_ignored_time() {
        let cases: [(&str, Date); 6] = [
            ("2026-03-31", date(2026, 3, 31)),
            (" 2024-02-29 ", date(2024, 2, 29)),
            ("2011-12-09 12:50:00", date(2011, 12, 9)),
            ("2011-12-09T23:30:00-05:00", date(2011, 12, 9)),
            ("2011-12-09T00:30:00+14:00", date(2011, 12, 9)),
            ("0001-01-01", date(1, 1, 1)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text.as_bytes()), Ok(want), "{text:?}");
        }
    }

    #[test]
    fn rejects_other_shapes() {
        use DateError::*;
        let cases = [
            ("", Empty),
            ("20240229", Shape),
            ("2024-2-29", Shape),
            ("2024/02/29", Shape),
            ("24-02-29xx", Shape),
            ("2023-02-29", NoSuchDay),
            ("2023-13-01", NoSuchDay),
            ("2023-00-10", NoSuchDay),
            ("2023-01-10Z", Trailing),
            ("2023-01-10,5", Trailing),
            ("२०२३-०१-१०", Shape),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text.as_bytes()), Err(want), "{text:?}");
        }
    }

    #[test]
    fn day_differences_cross_leap_years() {
        assert_eq!(days_between(date(2023, 12, 31), date(2024, 12, 31)), 366);
        assert_eq!(days_between(date(2024, 1, 2), date(2024, 1, 1)), -1);
    }
}
