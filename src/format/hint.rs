//! Hints for a file whose header lacks the required columns: what its first lines look
//! like (another delimiter, dates or amounts of another shape, another encoding), so
//! that the user can declare its format. A hint is only ever shown; nothing is read
//! with a format the user did not declare.

use super::{DecimalSeparator, InputFormat};

/// Delimiters a hint may suggest, with the name a user writes.
const DELIMITERS: [(u8, &str); 4] = [(b',', ","), (b';', ";"), (b'\t', "tab"), (b'|', "|")];

/// What the header line and the first data lines (raw, decoded) say of the format the
/// file may have, as sentences; empty when nothing stands out.
pub(crate) fn hints(header: &[u8], lines: &[&[u8]], format: &InputFormat) -> Vec<String> {
    let mut hints = Vec::new();
    // The header arrives decoded lossily: bytes that were not text show as U+FFFD.
    let garbled = std::str::from_utf8(header).map_or(true, |h| h.contains('\u{fffd}'));
    if garbled {
        hints.push(format!(
            "the header is not valid {}: is the encoding gbk, gb18030, big5, windows-1252 or utf-16?",
            format.encoding
        ));
    }
    let current = format.delimiter;
    let count = |b: u8| header.iter().filter(|&&h| h == b).count();
    let mut delimiter = current;
    if count(current) == 0 {
        let best = DELIMITERS
            .iter()
            .filter(|(b, _)| *b != current && count(*b) > 0)
            .max_by_key(|(b, _)| count(*b));
        if let Some(&(b, name)) = best {
            let current_name = DELIMITERS
                .iter()
                .find(|(d, _)| *d == current)
                .map_or_else(|| char::from(current).to_string(), |(_, n)| n.to_string());
            hints.push(format!(
                "the header has {} {name:?} and no {current_name:?}: is the delimiter {name:?}?",
                count(b)
            ));
            delimiter = b;
        }
    }
    let fields = lines
        .iter()
        .flat_map(|line| line.split(move |&b| b == delimiter))
        .map(|f| f.trim_ascii())
        .map(|f| f.strip_prefix(b"\"").unwrap_or(f))
        .map(|f| f.strip_suffix(b"\"").unwrap_or(f));
    let mut date = None;
    let mut amount = None;
    for field in fields {
        if date.is_none() && format.date_format.read(field).is_err() {
            date = date_pattern(field).map(|pattern| (field, pattern));
        }
        if amount.is_none() && format.read_amount(field).is_err() && comma_decimal(field) {
            amount = Some(field);
        }
    }
    if let Some((field, pattern)) = date {
        hints.push(format!(
            "dates look like {:?}: set the date format ({pattern})",
            String::from_utf8_lossy(field)
        ));
    }
    if let Some(field) = amount.filter(|_| format.decimal_separator == DecimalSeparator::Dot) {
        hints.push(format!(
            "amounts look like {:?}: set the decimal separator \",\" (and the thousands separator, if any)",
            String::from_utf8_lossy(field)
        ));
    }
    hints
}

/// The pattern(s) a field of the shape `31.12.2024`, `12/31/2024` or `2024/12/31` may
/// have, if it has such a shape.
fn date_pattern(field: &[u8]) -> Option<String> {
    let head = field.split(|&b| b == b' ' || b == b'T').next()?;
    let text = std::str::from_utf8(head).ok()?;
    let separator = text.chars().find(|c| matches!(c, '.' | '/' | '-'))?;
    let parts: Vec<&str> = text.split(separator).collect();
    let numbers: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if parts.len() != 3 || numbers.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    let s = separator;
    if parts[0].len() == 4 {
        return (parts[1].len() <= 2 && parts[2].len() <= 2).then(|| format!("%Y{s}%m{s}%d"));
    }
    if parts[2].len() != 4 || parts[0].len() > 2 || parts[1].len() > 2 {
        return None;
    }
    Some(match (numbers[0] > 12, numbers[1] > 12) {
        (true, _) => format!("%d{s}%m{s}%Y"),
        (_, true) => format!("%m{s}%d{s}%Y"),
        _ => format!("%d{s}%m{s}%Y or %m{s}%d{s}%Y"),
    })
}

/// Whether a field looks like an amount with a decimal comma: `12,50`, `-1.890,00`.
fn comma_decimal(field: &[u8]) -> bool {
    let body = field.strip_prefix(b"-").unwrap_or(field);
    let Some(comma) = body.iter().rposition(|&b| b == b',') else {
        return false;
    };
    let (whole, fraction) = (&body[..comma], &body[comma + 1..]);
    let grouped = whole
        .split(|&b| b == b'.' || b == b' ')
        .all(|g| !g.is_empty() && g.iter().all(u8::is_ascii_digit));
    // Three digits after a lone comma may be a thousands group (`1,890`): no hint.
    grouped && matches!(fraction.len(), 1 | 2) && fraction.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_german_export_read_as_the_default_gets_three_hints() {
        let lines: [&[u8]; 2] = [b"K1;31.12.2024;12,50", b"K2;01.02.2025;1.890,00"];
        let got = hints(b"Kunde;Datum;Betrag", &lines, &InputFormat::default());
        assert_eq!(
            got,
            [
                r#"the header has 2 ";" and no ",": is the delimiter ";"?"#,
                r#"dates look like "31.12.2024": set the date format (%d.%m.%Y)"#,
                r#"amounts look like "12,50": set the decimal separator "," (and the thousands separator, if any)"#,
            ]
        );
    }

    #[test]
    fn us_dates_and_plain_files_are_told_apart() {
        let lines: [&[u8]; 1] = [b"C1\t12/31/2024\t5.00"];
        let got = hints(b"id\tday\tvalue", &lines, &InputFormat::default());
        assert_eq!(
            got[0],
            r#"the header has 2 "tab" and no ",": is the delimiter "tab"?"#
        );
        assert_eq!(
            got[1],
            r#"dates look like "12/31/2024": set the date format (%m/%d/%Y)"#
        );
        let plain: [&[u8]; 1] = [b"C1,2024-12-31,5.00"];
        assert!(hints(b"id,date,amount", &plain, &InputFormat::default()).is_empty());
        assert_eq!(
            date_pattern(b"01/02/2024").as_deref(),
            Some("%d/%m/%Y or %m/%d/%Y")
        );
        assert!(!comma_decimal(b"1,890"));
    }

    #[test]
    fn a_header_in_another_encoding_is_named() {
        let gbk_header = b"\xbf\xcd\xbb\xa7,\xc8\xd5\xc6\xda";
        let got = hints(gbk_header, &[], &InputFormat::default());
        assert!(
            got[0].starts_with("the header is not valid utf-8"),
            "{got:?}"
        );
    }
}
