//! Rows of `tiers.csv` and `tiers.jsonl` formatted straight into byte buffers, pieces of
//! customers at a time on every core, and written in order.
//!
//! The bytes are exactly those the `csv` crate's default writer and `serde_json` wrote
//! before (the tests below and `tests/integration/properties/tiers_files.rs` compare
//! them): a CSV field is quoted when it holds `,`, `"`, `\r` or `\n`, with `"` doubled,
//! and nothing else is ever quoted; a JSON string escapes `"`, `\` and the control
//! characters below U+0020 the way `serde_json` does, and nothing else.

use std::io::Write;

use rust_decimal::Decimal;

use crate::classify::Label;
use crate::parallel;
use crate::population::Columns;

/// Customers formatted by one task.
const PIECE: usize = 4096;
/// Customers formatted before their bytes are written: a batch's buffers (a few MiB)
/// are reused, so memory stays flat whatever the population. Neither size changes a
/// byte of the output.
const BATCH: usize = 16 * PIECE;

/// Formats rows `0..rows` with `format`, pieces of them at once on every core, and
/// writes the bytes in row order.
pub(super) fn write_rows<W, F>(rows: usize, writer: &mut W, format: F) -> std::io::Result<()>
where
    W: Write,
    F: Fn(&mut Vec<u8>, usize) + Sync + Send,
{
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    for start in (0..rows).step_by(BATCH) {
        let end = (start + BATCH).min(rows);
        let pieces = (end - start).div_ceil(PIECE);
        if buffers.len() < pieces {
            buffers.resize_with(pieces, Vec::new);
        }
        let mut work: Vec<(usize, &mut Vec<u8>)> = (start..end)
            .step_by(PIECE)
            .zip(buffers.iter_mut())
            .collect();
        parallel::for_each_mut(&mut work, |(first, out)| {
            out.clear();
            for row in *first..(*first + PIECE).min(end) {
                format(out, row);
            }
        });
        drop(work);
        for out in &buffers[..pieces] {
            writer.write_all(out)?;
        }
    }
    Ok(())
}

/// A label of a column as its cell, worked out once per label rather than per row:
/// `,` and the label (`tiers.csv`), or the column's key and the label's value
/// (`tiers.jsonl`), in a fixed-size array that is copied whole.
#[derive(Debug, Clone)]
pub(super) struct Cell {
    bytes: [u8; CELL],
    len: usize,
    /// The cell when it is longer than [`CELL`].
    long: Vec<u8>,
}

/// Bytes of a [`Cell`] copied at once.
const CELL: usize = 32;

impl Cell {
    pub(super) fn new(text: Vec<u8>) -> Self {
        let mut bytes = [0; CELL];
        if let Some(head) = bytes.get_mut(..text.len()) {
            head.copy_from_slice(&text);
        }
        Cell {
            bytes,
            len: text.len(),
            long: text,
        }
    }

    /// The cell of `label` in `tiers.csv`.
    pub(super) fn csv(label: &Label) -> Self {
        let mut text = vec![b','];
        match label {
            Label::Score(score) => push_u64(&mut text, u64::from(*score)),
            Label::Name(name) => csv_field(&mut text, name.as_bytes()),
            Label::Unscored(_) => {}
        }
        Cell::new(text)
    }

    /// The value of `label` in `tiers.jsonl` after `key` (`,"column":`); an empty name
    /// is none where `tags`.
    pub(super) fn jsonl(key: &[u8], tags: bool, label: &Label) -> Self {
        let mut text = key.to_vec();
        match label {
            Label::Score(score) => push_u64(&mut text, u64::from(*score)),
            Label::Name(name) if name.is_empty() && tags => text.extend_from_slice(b"null"),
            Label::Name(name) => json_str(&mut text, name),
            Label::Unscored(_) => text.extend_from_slice(b"null"),
        }
        Cell::new(text)
    }

    #[inline]
    pub(super) fn push(&self, out: &mut Vec<u8>) {
        if self.len > CELL {
            return out.extend_from_slice(&self.long);
        }
        let len = out.len();
        out.extend_from_slice(&self.bytes);
        out.truncate(len + self.len);
    }
}

/// The two files of rows: `tiers.csv` and `tiers.jsonl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rows {
    Csv,
    Jsonl,
}

/// One row of `rows`: the metrics, then the row's cells (see [`Cell`]).
#[inline]
pub(super) fn row<'a>(
    rows: Rows,
    out: &mut Vec<u8>,
    customers: &Columns,
    i: usize,
    cells: impl Iterator<Item = &'a Cell>,
) {
    match rows {
        Rows::Csv => csv_metrics(out, customers, i),
        Rows::Jsonl => jsonl_metrics(out, customers, i),
    }
    for cell in cells {
        cell.push(out);
    }
    match rows {
        Rows::Csv => out.push(b'\n'),
        Rows::Jsonl => out.extend_from_slice(b"}\n"),
    }
}

/// The metric columns of a `tiers.csv` row.
#[inline]
fn csv_metrics(out: &mut Vec<u8>, customers: &Columns, i: usize) {
    csv_field(out, customers.id(i).as_bytes());
    out.push(b',');
    if let Some(days) = customers.recency_days[i] {
        push_i64(out, days);
    }
    out.push(b',');
    push_u64(out, customers.frequency[i]);
    out.push(b',');
    push_u64(out, customers.transactions[i]);
    out.push(b',');
    push_decimal(out, customers.monetary[i]);
    out.push(b',');
    if let Some(days) = customers.tenure_days[i] {
        push_i64(out, days);
    }
}

/// The metric keys and values that open a `tiers.jsonl` line.
#[inline]
fn jsonl_metrics(out: &mut Vec<u8>, customers: &Columns, i: usize) {
    let optional = |out: &mut Vec<u8>, days: Option<i64>| match days {
        Some(days) => push_i64(out, days),
        None => out.extend_from_slice(b"null"),
    };
    out.extend_from_slice(b"{\"customer_id\":");
    json_str(out, customers.id(i));
    out.extend_from_slice(b",\"recency_days\":");
    optional(out, customers.recency_days[i]);
    out.extend_from_slice(b",\"frequency\":");
    push_u64(out, customers.frequency[i]);
    out.extend_from_slice(b",\"transactions\":");
    push_u64(out, customers.transactions[i]);
    out.extend_from_slice(b",\"monetary\":\"");
    push_decimal(out, customers.monetary[i]);
    out.extend_from_slice(b"\",\"tenure_days\":");
    optional(out, customers.tenure_days[i]);
}

/// A CSV field as the `csv` crate writes it by default (`QuoteStyle::Necessary`, `\n`
/// terminator): quoted when it holds the delimiter, the quote or a line break, the
/// quote doubled inside.
#[inline]
pub(crate) fn csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(field);
        return;
    }
    csv_quoted(out, field);
}

fn csv_quoted(out: &mut Vec<u8>, field: &[u8]) {
    out.push(b'"');
    for part in field.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// A JSON string as `serde_json` writes it.
#[inline]
pub(crate) fn json_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if bytes.iter().all(|&b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    json_escaped(out, bytes);
}

fn json_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x09 => b't',
            0x0A => b'n',
            0x0C => b'f',
            0x0D => b'r',
            0x00..=0x1F => b'u',
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        out.extend_from_slice(&[b'\\', short]);
        if short == b'u' {
            out.extend_from_slice(&[
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xF)],
            ]);
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Two decimal digits per entry, `00` to `99`.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
                            2021222324252627282930313233343536373839\
                            4041424344454647484950515253545556575859\
                            6061626364656667686970717273747576777879\
                            8081828384858687888990919293949596979899";

/// Writes `n`'s decimal digits to end at `end` in `buf`; returns where they start.
#[inline]
fn digits_u64(mut n: u64, buf: &mut [u8], mut end: usize) -> usize {
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        end -= 2;
        buf[end..end + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        end -= 2;
        buf[end..end + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        end -= 1;
        buf[end] = b'0' + n as u8;
    }
    end
}

/// Writes `n`'s decimal digits at the end of `buf` (40 bytes hold any `u128`); returns
/// where they start.
fn digits_u128(n: u128, buf: &mut [u8; 40]) -> usize {
    const E19: u128 = 10_000_000_000_000_000_000;
    match u64::try_from(n) {
        Ok(small) => digits_u64(small, buf, 40),
        Err(_) => {
            // The low 19 digits, zero-padded, then the rest (fewer than 2^128 / 10^19).
            let low = (n % E19) as u64;
            let end = buf.len();
            let start = digits_u64(low, buf, end);
            let pad = end - 19;
            buf[pad..start].fill(b'0');
            match u64::try_from(n / E19) {
                Ok(high) => digits_u64(high, buf, pad),
                Err(_) => {
                    let high = n / E19;
                    let start = digits_u64((high % E19) as u64, buf, pad);
                    let pad2 = pad - 19;
                    buf[pad2..start].fill(b'0');
                    digits_u64((high / E19) as u64, buf, pad2)
                }
            }
        }
    }
}

/// `n` in decimal.
#[inline(always)]
pub(crate) fn push_u64(out: &mut Vec<u8>, n: u64) {
    // Metrics are mostly below 10^4: up to four digits from two pairs in a fixed-size
    // array appended whole and cut back, without a call.
    if n < 10_000 {
        let n = n as usize;
        let (high, low) = (2 * (n / 100), 2 * (n % 100));
        let digits = [PAIRS[high], PAIRS[high + 1], PAIRS[low], PAIRS[low + 1]];
        let skip = match n {
            0..=9 => 3,
            10..=99 => 2,
            100..=999 => 1,
            _ => 0,
        };
        // The leading zeros shifted out of the word.
        let word = u32::from_le_bytes(digits) >> (8 * skip);
        let len = out.len();
        out.extend_from_slice(&word.to_le_bytes());
        out.truncate(len + 4 - skip);
        return;
    }
    push_u64_long(out, n);
}

#[inline(never)]
fn push_u64_long(out: &mut Vec<u8>, n: u64) {
    // The digits go to the front of a fixed-size buffer that is appended whole and cut
    // back: a copy of a known size is a few moves, one of a varying size a call.
    let count = n.ilog10() as usize + 1;
    let mut buf = [0u8; 20];
    digits_u64(n, &mut buf, count);
    let len = out.len();
    out.extend_from_slice(&buf);
    out.truncate(len + count);
}

/// `n` in decimal.
#[inline]
pub(crate) fn push_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_u64(out, n.unsigned_abs());
}

/// Money as [`crate::money::display`] prints it: every digit of the scale, never an
/// exponent, never a negative zero.
#[inline]
pub(crate) fn push_decimal(out: &mut Vec<u8>, value: Decimal) {
    let mantissa = value.mantissa();
    let scale = value.scale() as usize;
    let Ok(mut m) = u64::try_from(mantissa.unsigned_abs()) else {
        return push_wide_decimal(out, mantissa, scale);
    };
    // Written back to front into a fixed-size buffer appended whole and cut back: sign,
    // the integer digits (at least `0`), and `.` with `scale` digits when there is a scale.
    let count = m.checked_ilog10().unwrap_or(0) as usize + 1;
    let negative = usize::from(mantissa < 0);
    let whole = count.saturating_sub(scale).max(1);
    let total = negative + whole + if scale > 0 { 1 + scale } else { 0 };
    let mut buf = [0u8; 64];
    let mut at = total;
    for _ in 0..scale {
        at -= 1;
        buf[at] = b'0' + (m % 10) as u8;
        m /= 10;
    }
    if scale > 0 {
        at -= 1;
        buf[at] = b'.';
    }
    loop {
        at -= 1;
        buf[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if negative == 1 {
        buf[0] = b'-';
    }
    let len = out.len();
    out.extend_from_slice(&buf);
    out.truncate(len + total);
}

/// [`push_decimal`] for a mantissa past `u64`.
fn push_wide_decimal(out: &mut Vec<u8>, mantissa: i128, scale: usize) {
    if mantissa < 0 {
        out.push(b'-');
    }
    let mut buf = [0u8; 40];
    let start = digits_u128(mantissa.unsigned_abs(), &mut buf);
    let digits = &buf[start..];
    if scale == 0 {
        out.extend_from_slice(digits);
    } else if digits.len() > scale {
        let point = digits.len() - scale;
        out.extend_from_slice(&digits[..point]);
        out.push(b'.');
        out.extend_from_slice(&digits[point..]);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + scale - digits.len(), b'0');
        out.extend_from_slice(digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_crate(field: &str) -> Vec<u8> {
        // Two fields, so that an empty one is written as the crate writes it mid-row.
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([field, "x"]).unwrap();
        let mut bytes = w.into_inner().unwrap();
        bytes.truncate(bytes.len() - 3);
        bytes
    }

    #[test]
    fn fields_are_quoted_exactly_as_the_csv_crate_quotes_them() {
        for field in [
            "",
            "C1",
            " lead",
            "trail ",
            "a,b",
            "say \"hi\"",
            "\"",
            "\"\"",
            "two\nlines",
            "cr\r",
            "tab\there",
            "#hash",
            "'single'",
            "naïve 客户",
            "\u{FEFF}bom",
            "a;b|c",
        ] {
            let mut ours = Vec::new();
            csv_field(&mut ours, field.as_bytes());
            assert_eq!(ours, csv_crate(field), "{field:?}");
        }
    }

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        let every_control: String = (0u8..0x20).map(char::from).collect();
        for text in [
            "",
            "C1",
            "say \"hi\"",
            "back\\slash",
            "/",
            "\u{7F}",
            "naïve 客户 \u{2028}",
            every_control.as_str(),
        ] {
            let mut ours = Vec::new();
            json_str(&mut ours, text);
            assert_eq!(ours, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn numbers_and_money_print_as_the_standard_library_and_rust_decimal_do() {
        for n in [0u64, 1, 9, 10, 99, 100, 12345, u64::MAX / 3, u64::MAX] {
            let mut ours = Vec::new();
            push_u64(&mut ours, n);
            assert_eq!(ours, n.to_string().as_bytes());
        }
        for n in [0i64, -1, 7, -730, i64::MIN, i64::MAX] {
            let mut ours = Vec::new();
            push_i64(&mut ours, n);
            assert_eq!(ours, n.to_string().as_bytes());
        }
        for n in [
            u128::MAX,
            u128::from(u64::MAX) + 1,
            10u128.pow(19),
            10u128.pow(38),
        ] {
            let mut buf = [0u8; 40];
            let start = digits_u128(n, &mut buf);
            assert_eq!(&buf[start..], n.to_string().as_bytes());
        }
        let mantissas = [
            0i128,
            1,
            -1,
            5,
            -12345,
            10i128.pow(19),
            (1 << 96) - 1,
            1 - (1 << 96),
        ];
        for mantissa in mantissas {
            for scale in [0, 1, 2, 5, 19, 20, 28] {
                let value = Decimal::from_i128_with_scale(mantissa, scale);
                let mut ours = Vec::new();
                push_decimal(&mut ours, value);
                assert_eq!(
                    ours,
                    crate::money::display(value).as_bytes(),
                    "{mantissa}e-{scale}"
                );
            }
        }
        let mut ours = Vec::new();
        push_decimal(&mut ours, -Decimal::new(0, 2));
        assert_eq!(ours, b"0.00"); // never a negative zero
    }
}
