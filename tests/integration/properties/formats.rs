//! [Input formats](customer_tiering::definitions#input-formats): an amount or date written
//! in any declared format reads back as exactly the value written (scale included), and
//! thousands separators are accepted only between groups of three digits (the writers here
//! are the test's own); and any bytes under any declared format are read or refused, never
//! a panic, the same way by the record-at-a-time and the parallel reader
//! ([determinism](customer_tiering::definitions#determinism), [bad
//! input](customer_tiering::definitions#bad-input-and-rejects)).

use customer_tiering::format::{
    DateFormat, DecimalSeparator, FormatKeys, InputFormat, ThousandsSeparator,
};
use jiff::civil::Date;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// An amount of up to 28 digits with a scale of 0 to 6.
fn amount() -> impl Strategy<Value = Decimal> {
    (
        prop_oneof![
            -1_000_000i128..1_000_000,
            any::<i64>().prop_map(i128::from),
            -(10i128.pow(27))..10i128.pow(27),
        ],
        0u32..=6,
    )
        .prop_map(|(mantissa, scale)| Decimal::from_i128_with_scale(mantissa, scale))
}

/// A format for amounts: separators that do not clash, perhaps a symbol.
fn amount_format() -> impl Strategy<Value = InputFormat> {
    let separators = prop_oneof![
        Just((",", "none")),
        Just((",", ".")),
        Just((",", "space")),
        Just((",", "'")),
        Just((".", "none")),
        Just((".", ",")),
        Just((".", "space")),
        Just((".", "'")),
    ];
    let symbol = prop_oneof![
        Just(None),
        Just(Some("€")),
        Just(Some("$")),
        Just(Some("CHF"))
    ];
    (separators, symbol).prop_map(|((decimal, thousands), symbol)| {
        let mut keys = FormatKeys::default();
        keys.set(
            "delimiter",
            if decimal == "," || thousands == "," {
                ";"
            } else {
                ","
            },
        )
        .expect("a key");
        keys.set("decimal_separator", decimal).expect("a key");
        keys.set("thousands_separator", thousands).expect("a key");
        if let Some(symbol) = symbol {
            keys.set("currency_symbol", symbol).expect("a key");
        }
        keys.apply(InputFormat::default())
            .expect("separators that do not clash")
    })
}

/// `value` as an export in `format` writes it: grouped, with its decimal separator,
/// the symbol before or after.
fn write(value: Decimal, format: &InputFormat, space: usize, symbol_first: bool) -> String {
    let text = value.to_string();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, text),
    };
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_string(), Some(f.to_string())),
        None => (text, None),
    };
    let separator = match format.thousands_separator {
        ThousandsSeparator::None => None,
        ThousandsSeparator::Comma => Some(","),
        ThousandsSeparator::Dot => Some("."),
        ThousandsSeparator::Space => Some([" ", "\u{a0}", "\u{202f}"][space % 3]),
        ThousandsSeparator::Apostrophe => Some("'"),
    };
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push_str(separator.unwrap_or(""));
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push(match format.decimal_separator {
            DecimalSeparator::Comma => ',',
            _ => '.',
        });
        grouped.push_str(&fraction);
    }
    let sign = if negative { "-" } else { "" };
    match (&format.currency_symbol, symbol_first) {
        (Some(symbol), true) => format!("{sign}{symbol}{grouped}"),
        (Some(symbol), false) => format!("{sign}{grouped} {symbol}"),
        (None, _) => format!("{sign}{grouped}"),
    }
}

proptest! {
    #[test]
    fn amounts_written_in_any_declared_format_read_back_exactly(
        value in amount(),
        format in amount_format(),
        space in 0usize..3,
        symbol_first in any::<bool>(),
    ) {
        let written = write(value, &format, space, symbol_first);
        let read = format.read_amount(written.as_bytes());
        prop_assert!(read.is_ok(), "{written:?} under {}: {read:?}", format.describe());
        let read = read.unwrap();
        prop_assert_eq!(read, value);
        // The scale as written, not only the value.
        prop_assert_eq!(read.to_string(), value.to_string(), "{:?}", written);
    }

    #[test]
    fn a_thousands_separator_out_of_place_is_rejected(
        value in 1_000i64..1_000_000_000,
        format in amount_format(),
        cut in 1usize..3,
    ) {
        prop_assume!(format.thousands_separator != ThousandsSeparator::None);
        let good = write(Decimal::from(value), &format, 0, true);
        // Move the last separator `cut` digits to the right: a group of other than three.
        let separator = match format.thousands_separator {
            ThousandsSeparator::Comma => ',',
            ThousandsSeparator::Dot => '.',
            ThousandsSeparator::Space => ' ',
            _ => '\'',
        };
        let at = good.rfind(separator).expect("a grouped value");
        let mut bad: String = good.chars().collect();
        bad.remove(at);
        bad.insert(at + cut, separator);
        prop_assert!(format.read_amount(bad.as_bytes()).is_err(), "{bad:?} read under {}", format.describe());
    }

    #[test]
    fn dates_written_by_any_pattern_read_back_exactly(
        day in 0i32..73_000,
        pattern in prop_oneof![
            Just("%Y-%m-%d"), Just("%d.%m.%Y"), Just("%m/%d/%Y"), Just("%d/%m/%Y"), Just("%Y/%m/%d"),
        ],
        time in prop_oneof![Just(""), Just(" 08:30:00"), Just("T23:59:59+08:00")],
        unpadded in any::<bool>(),
    ) {
        let date = Date::constant(1900, 1, 1) + jiff::Span::new().days(i64::from(day));
        let format: DateFormat = pattern.parse().expect("a pattern");
        let mut written = format.write(date);
        // Non-default patterns also read months and days of one digit.
        if unpadded && pattern != "%Y-%m-%d" {
            written = written.replace("/0", "/").replace(".0", ".");
            if written.starts_with('0') {
                written.remove(0);
            }
        }
        written.push_str(time);
        prop_assert_eq!(format.read(written.as_bytes()), Ok(date), "{:?}", written);
    }
}

/// A declared format and a header in it, as an export would start.
fn declared() -> impl Strategy<Value = (InputFormat, Vec<u8>)> {
    let keys: [&[(&str, &str)]; 5] = [
        &[],
        &[
            ("delimiter", ";"),
            ("decimal_separator", ","),
            ("thousands_separator", "."),
            ("date_format", "%d.%m.%Y"),
            ("encoding", "windows-1252"),
            ("currency_symbol", "€"),
        ],
        &[("encoding", "gbk"), ("date_format", "%Y/%m/%d")],
        &[("encoding", "utf-16"), ("delimiter", "tab")],
        &[
            ("delimiter", "tab"),
            ("thousands_separator", ","),
            ("date_format", "%m/%d/%Y"),
            ("currency_symbol", "$"),
            ("quote", "'"),
        ],
    ];
    (0..keys.len()).prop_map(move |i| {
        let mut set = FormatKeys::default();
        for (key, value) in keys[i] {
            set.set(key, value).expect("a key");
        }
        let format = set.apply(InputFormat::default()).expect("a format");
        let d = char::from(format.delimiter);
        let header = format!("customer_id{d}date{d}amount\n");
        let header = match format.encoding.name() {
            "utf-16" => [0xFF, 0xFE]
                .into_iter()
                .chain(header.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
            _ => header.into_bytes(),
        };
        (format, header)
    })
}

/// Pieces of lines in any of the declared formats, and bytes no format allows.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"C1;31.12.2024;1.890,50 \x80\n".to_vec()),
        Just(b"C2\t12/31/2024\t'$1,890.50'\n".to_vec()),
        Just(b"\xcd\xf5,2024/12/31,12.50\n".to_vec()),
        Just(b"C3,2024-12-31,5.00\n".to_vec()),
        Just(b"\x81,\n".to_vec()),
        Just(b";".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"'".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ]
}

proptest! {
    /// Any bytes under any declared format: read or refused, never a panic; every
    /// record counted; and the parallel reader, cutting the file into pieces of any
    /// size, reads exactly what the one-record-at-a-time reader reads.
    #[test]
    fn any_bytes_in_any_declared_format_are_counted_alike_by_both_readers(
        (format, header) in declared(),
        pieces in proptest::collection::vec(piece(), 0..40),
        piece_bytes in prop_oneof![Just(1usize), 2usize..64, Just(1 << 20)],
    ) {
        use customer_tiering::aggregate::Aggregator;
        use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest, ingest_csv};
        use customer_tiering::{Error, PopulationBuilder};

        let mut bytes = header;
        bytes.extend(pieces.concat());
        let as_of = jiff::civil::date(2026, 3, 31);
        let open = || CsvTransactions::with_format("t.csv", &bytes[..], &ColumnMapping::default(), &format);
        let (Ok(one), Ok(many)) = (open(), open()) else {
            return Ok(()); // refused as a whole by both: a header that is not there
        };
        let mut seen_one = Vec::new();
        let sequential = ingest(one, PopulationBuilder::new(as_of), OnInvalid::Skip, |r| {
            seen_one.push(r.to_string());
        });
        let mut seen_many = Vec::new();
        let mut aggregator = Aggregator::new(as_of);
        let parallel = ingest_csv(many.piece_bytes(piece_bytes), &mut aggregator, OnInvalid::Skip, |r| {
            seen_many.push(r.to_string());
        });
        match (sequential, parallel) {
            (Ok(one), Ok(many)) => {
                prop_assert_eq!(one.summary.read, one.summary.accepted + one.summary.rejected);
                prop_assert_eq!(
                    (one.summary.read, one.summary.accepted, one.summary.rejected),
                    (many.read, many.accepted, many.rejected)
                );
                prop_assert_eq!(&seen_one, &seen_many);
                match aggregator.finish() {
                    Ok(population) => prop_assert_eq!(one.population.profiles(), population.profiles()),
                    Err(Error::Overflow { .. }) => {}
                    Err(e) => prop_assert!(false, "{e}"),
                }
            }
            // Extreme sums may leave the decimal range: an error, never a panic.
            (Err(Error::Overflow { .. }), _) | (_, Err(Error::Overflow { .. })) => {}
            (one, many) => prop_assert!(false, "{:?} / {:?}", one.map(|i| i.summary), many),
        }
    }
}
