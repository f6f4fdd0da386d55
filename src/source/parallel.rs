//! Reading a transactions CSV on every core into an [`Aggregator`].
//!
//! A transactions record is one physical line ([bad
//! input](crate::definitions#bad-input-and-rejects)), so the file can be cut at line ends
//! into pieces that parse on their own. One thread reads the next pieces while the others
//! parse the current ones: each line into a small fixed record, scattered by its id's range
//! into per-partition batches; then every partition absorbs its batches, partitions in
//! parallel. Rejects keep their exact lines (each piece counts its lines; a reject is moved
//! by the lines before its piece) and come out in file order, and a line too long to hold
//! is streamed past as the sequential reader does. Pieces are cut by size, never by thread
//! count, so the result is the same bytes on one thread or many.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::csv::{Columns, CsvTransactions, FieldFormat, parse_transaction};
use super::{OnInvalid, ReadSummary};
use crate::aggregate::{Aggregator, Inline, PARTITIONS, RowBatch, Splitter};
use crate::csv_lines::{Dialect, KEPT_PREFIX_BYTES, MAX_RECORD_BYTES, Records};
use crate::dates::{day_number, parse_date};
use crate::error::{Error, Reject};
use crate::money::parse_amount_bytes;
use crate::profile::MAX_ID_BYTES;
use crate::reading::{read_some, read_up_to};

/// Pieces per thread in a batch.
const PIECES_PER_THREAD: usize = 2;

/// Bytes asked of the reader at a time.
const READ_BYTES: usize = 256 * 1024;

/// What the reader hands the parsers.
#[derive(Debug)]
enum Piece {
    /// Whole lines (the last one may lack its line end at the end of the file).
    Lines(Vec<u8>),
    /// A line longer than a record may be, streamed past: its first bytes and length
    /// without the line end.
    TooLong { prefix: Vec<u8>, len: u64 },
}

/// Cuts a byte stream into pieces of whole lines.
struct Pieces<R> {
    reader: R,
    pending: Vec<u8>,
    eof: bool,
    piece_bytes: usize,
    /// Buffers of pieces already parsed, to cut the next ones into.
    spare: Vec<Vec<u8>>,
}

impl<R: Read> Pieces<R> {
    fn read_more(&mut self) -> io::Result<usize> {
        let start = self.pending.len();
        self.pending.resize(start + READ_BYTES, 0);
        let n = match read_some(&mut self.reader, &mut self.pending[start..]) {
            Ok(n) => n,
            Err(e) => {
                self.pending.truncate(start);
                return Err(e);
            }
        };
        self.pending.truncate(start + n);
        self.eof = n == 0;
        Ok(n)
    }

    fn next(&mut self) -> io::Result<Option<Piece>> {
        // Bytes of `pending` known to hold no line end.
        let mut searched = 0;
        loop {
            if self.pending.len() >= self.piece_bytes || self.eof {
                if let Some(i) = memchr::memrchr(b'\n', &self.pending[searched..]) {
                    let cut = searched + i + 1;
                    let mut rest = self.spare.pop().unwrap_or_default();
                    rest.clear();
                    rest.reserve(self.piece_bytes + READ_BYTES);
                    rest.extend_from_slice(&self.pending[cut..]);
                    self.pending.truncate(cut);
                    return Ok(Some(Piece::Lines(std::mem::replace(
                        &mut self.pending,
                        rest,
                    ))));
                }
                searched = self.pending.len();
                if self.eof {
                    return Ok((!self.pending.is_empty())
                        .then(|| Piece::Lines(std::mem::take(&mut self.pending))));
                }
                // As the sequential reader: past this, the line is too long to hold.
                if self.pending.len() > MAX_RECORD_BYTES + 1 {
                    return self.skip_long_line().map(Some);
                }
            }
            self.read_more()?;
        }
    }

    /// Streams the rest of an over-long line past, keeping its first bytes and length
    /// (without `\r\n`, like `csv_lines`).
    fn skip_long_line(&mut self) -> io::Result<Piece> {
        let prefix = self.pending[..KEPT_PREFIX_BYTES].to_vec();
        let mut len = self.pending.len() as u64;
        let mut ends_in_cr = self.pending.last() == Some(&b'\r');
        self.pending.clear();
        loop {
            if self.read_more()? == 0 {
                len -= u64::from(ends_in_cr);
                return Ok(Piece::TooLong { prefix, len });
            }
            if let Some(i) = memchr::memchr(b'\n', &self.pending) {
                len += i as u64;
                if (i == 0 && ends_in_cr) || (i > 0 && self.pending[i - 1] == b'\r') {
                    len -= 1;
                }
                self.pending.drain(..=i);
                return Ok(Piece::TooLong { prefix, len });
            }
            len += self.pending.len() as u64;
            ends_in_cr = self.pending.last() == Some(&b'\r');
            self.pending.clear();
        }
    }

    /// Up to `count` pieces.
    fn batch(&mut self, count: usize) -> io::Result<Vec<Piece>> {
        let mut batch = Vec::with_capacity(count);
        while batch.len() < count {
            match self.next()? {
                Some(piece) => batch.push(piece),
                None => break,
            }
        }
        Ok(batch)
    }
}

/// What parsing one piece found.
#[derive(Debug, Default)]
struct Parsed {
    batches: Vec<RowBatch>,
    /// The piece's bytes, for the next piece to be cut into.
    buffer: Vec<u8>,
    /// With lines counted from the piece's start.
    rejects: Vec<Reject>,
    read: u64,
    after_as_of: u64,
    lines: u64,
    fatal: Option<Error>,
}

/// What every parser shares.
struct Reading<'a> {
    origin: &'a str,
    columns: Columns,
    fields: &'a FieldFormat,
    dialect: Dialect,
    /// The file is in the crate's own format, so its lines may take the fast path.
    fast: bool,
    width: usize,
    splitter: &'a Splitter,
    first_day: i32,
    last_day: i32,
}

impl Reading<'_> {
    /// Parses one piece into `batches` (one per partition, empty).
    fn parse(&self, piece: Piece, batches: Vec<RowBatch>) -> Parsed {
        let mut parsed = Parsed {
            batches,
            ..Parsed::default()
        };
        match piece {
            Piece::TooLong { prefix, len } => {
                parsed.read = 1;
                parsed.lines = 1;
                let reason = crate::csv_lines::RecordProblem::TooLong.reason();
                parsed.rejects.push(Reject::of_prefix(
                    self.origin,
                    1,
                    "record",
                    &prefix,
                    len,
                    reason,
                ));
            }
            // Profit and product take the general path: they are rare, and need more;
            // so does every declared format other than the crate's own.
            Piece::Lines(bytes)
                if self.columns.profit.is_some()
                    || self.columns.product.is_some()
                    || !self.fast =>
            {
                let mut records = Records::of_lines(bytes, self.dialect);
                self.parse_records(&mut records, 0, &mut parsed);
                parsed.lines = records.lines_read();
                parsed.buffer = records.into_lines();
            }
            Piece::Lines(bytes) => {
                self.parse_lines(&bytes, &mut parsed);
                parsed.buffer = bytes;
            }
        }
        parsed
    }

    /// Lines without a quote split at every comma, exactly as the CSV parser would
    /// split them (only `\n` ends a line; `\r` before it is the line end's, any other
    /// is data); anything else — a quote, a line too long, the wrong number of fields,
    /// a field that fails — goes through the CSV parser and the field checks, one line
    /// at a time.
    fn parse_lines(&self, bytes: &[u8], parsed: &mut Parsed) {
        let mut line = Line {
            fields: Vec::with_capacity(self.width + 1),
            ..Line::default()
        };
        let mut last_date = LastDate::default();
        let mut scan = Structural::new(bytes);
        'lines: loop {
            // At the start of a line: most lines are read whole from one window.
            if let Some(end) = self.quick_line(bytes, line.start, &mut last_date, parsed) {
                line.number += 1;
                line.start = end + 1;
                line.field = end + 1;
                continue;
            }
            // Any other line (or the last of the piece) one structural byte at a time.
            scan.seek(line.start);
            for at in &mut scan {
                match bytes[at] {
                    b'\n' => {
                        self.end_line(bytes, &mut line, at, &mut last_date, parsed);
                        line.start = at + 1;
                        continue 'lines;
                    }
                    b',' if line.simple => {
                        if line.fields.len() + 1 == self.width {
                            line.simple = false; // too many fields
                        } else {
                            line.fields.push((line.field, at));
                            line.field = at + 1;
                        }
                    }
                    b'"' => line.simple = false,
                    _ => {}
                }
            }
            break;
        }
        // The last line of the file may lack its line end.
        if line.start < bytes.len() {
            self.end_line(bytes, &mut line, bytes.len(), &mut last_date, parsed);
        }
        parsed.lines = line.number;
    }

    /// Reads the line starting at `start` when it ends within [`WINDOW`] bytes, holds
    /// no quote, has the header's number of fields and takes the [fast
    /// row](Self::fast_row): its line end's place. None for any other line, which is
    /// then read by [`end_line`](Self::end_line) as if this had not looked at it.
    ///
    /// The window's line ends, commas and quotes are found as bit masks, a word at a
    /// time: no branch per byte or per field, whose outcome would change from line to
    /// line as the lengths of the fields do.
    #[inline]
    fn quick_line(
        &self,
        bytes: &[u8],
        start: usize,
        last_date: &mut LastDate,
        parsed: &mut Parsed,
    ) -> Option<usize> {
        if self.width > QUICK_FIELDS {
            return None;
        }
        let window: &[u8; WINDOW] = bytes.get(start..start + WINDOW)?.try_into().ok()?;
        let words: [u64; WINDOW / 8] = std::array::from_fn(|i| {
            u64::from_le_bytes(window[8 * i..8 * i + 8].try_into().unwrap_or_default())
        });
        let newlines = byte_mask(&words, b'\n');
        if newlines == 0 {
            return None;
        }
        // A quote anywhere in the window, even on the next line, leaves the line to the
        // general reader (quotes are rare, and this needs no mask of them).
        let quotes = words
            .iter()
            .fold(0, |any, &word| any | equal_bytes(word, b'"'));
        if quotes != 0 {
            return None;
        }
        let end = newlines.trailing_zeros() as usize;
        let mut commas = byte_mask(&words, b',') & ((1u32 << end) - 1);
        if commas.count_ones() as usize + 1 != self.width {
            return None;
        }
        // Only `\n` ends a line; a `\r` before it is the line end's, any other is data.
        let text_end = end - usize::from(end > 0 && window[end - 1] == b'\r');
        if text_end == 0 {
            return None;
        }
        let mut bounds = [(0usize, 0usize); QUICK_FIELDS];
        let mut field = 0;
        for bound in bounds.iter_mut().take(self.width) {
            let comma = match commas {
                0 => text_end,
                _ => commas.trailing_zeros() as usize,
            };
            *bound = (start + field, start + comma);
            field = comma + 1;
            commas &= commas.wrapping_sub(1);
        }
        let c = self.columns;
        let get = |i: usize| &bytes[bounds[i].0..bounds[i].1];
        let (id, date, amount) = (get(c.customer_id), get(c.date), get(c.amount));
        let row = self.fast_row(id, date, amount, bytes, last_date)?;
        parsed.read += 1;
        self.accept(row, bytes, parsed);
        Some(start + end)
    }

    /// Sends a row read by the [fast path](Self::fast_row) to its range when it is dated
    /// on or before the latest as-of date (counting it after the first as-of date). Its
    /// id is a slice of `bytes`, if it was cut from them (see [`Inline::within`]).
    #[inline]
    fn accept(&self, (id, day, amount, scale): FastRow<'_>, bytes: &[u8], parsed: &mut Parsed) {
        if self.keep(day, parsed) {
            let inline = Inline::within(id, bytes);
            let at = self.splitter.route_inline(inline, id);
            parsed.batches[at].push(inline, id, day, amount, scale);
        }
    }

    /// Reads the line of `bytes` from `line.start` to `end` (its `\n` or the end of
    /// the piece) and readies `line` for the next.
    #[inline]
    fn end_line(
        &self,
        bytes: &[u8],
        line: &mut Line,
        end: usize,
        last_date: &mut LastDate,
        parsed: &mut Parsed,
    ) {
        let c = self.columns;
        let raw = &bytes[line.start..end];
        line.number += 1;
        let simple = std::mem::replace(&mut line.simple, true);
        let field = std::mem::replace(&mut line.field, end + 1);
        // Only `\n` ends a line; a `\r` before it is the line end's, any other is data.
        let text = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text_end = line.start + text.len();
        if text.is_empty() {
            line.fields.clear();
            return;
        }
        if simple && text.len() <= MAX_RECORD_BYTES {
            // The last field ends where the line does, before any `\r`.
            line.fields.push((field.min(text_end), text_end));
            if line.fields.len() == self.width {
                let get = |i: usize| &bytes[line.fields[i].0..line.fields[i].1];
                let (id, date, amount) = (get(c.customer_id), get(c.date), get(c.amount));
                let row = self.fast_row(id, date, amount, bytes, last_date);
                if let Some(row) = row {
                    parsed.read += 1;
                    self.accept(row, bytes, parsed);
                    line.fields.clear();
                    return;
                }
            }
        }
        line.fields.clear();
        let mut one = Vec::with_capacity(raw.len() + 1);
        one.extend_from_slice(raw);
        one.push(b'\n');
        self.parse_records(
            &mut Records::of_lines(one, self.dialect),
            line.number - 1,
            parsed,
        );
    }

    /// Every record of `records`, its lines moved by `lines_before`.
    fn parse_records(
        &self,
        records: &mut Records<io::Empty>,
        lines_before: u64,
        parsed: &mut Parsed,
    ) {
        let mut last_date = LastDate::default();
        while let Some(row) = records.next_row(self.origin, self.width) {
            parsed.read += 1;
            let row = match row {
                Ok(row) => row,
                Err(Error::Reject(mut reject)) => {
                    reject.shift_line(lines_before);
                    parsed.rejects.push(*reject);
                    continue;
                }
                Err(fatal) => {
                    parsed.fatal = Some(fatal);
                    return;
                }
            };
            let c = self.columns;
            let fast = match self.fast && c.profit.is_none() && c.product.is_none() {
                true => self.fast_row(
                    row.get(c.customer_id),
                    row.get(c.date),
                    row.get(c.amount),
                    &[],
                    &mut last_date,
                ),
                false => None,
            };
            if let Some(row) = fast {
                self.accept(row, &[], parsed);
                continue;
            }
            match parse_transaction(self.origin, c, self.fields, &row) {
                Ok(tx) => {
                    let day = day_number(tx.date);
                    if self.keep(day, parsed) {
                        let at = self.splitter.route(tx.customer_id.as_str().as_bytes());
                        parsed.batches[at].full.push((day, tx));
                    }
                }
                Err(Error::Reject(mut reject)) => {
                    reject.shift_line(lines_before);
                    parsed.rejects.push(*reject);
                }
                Err(fatal) => {
                    parsed.fatal = Some(fatal);
                    return;
                }
            }
        }
    }

    /// Counts an accepted row dated `day` toward `after_as_of`; whether it is kept
    /// (dated on or before the latest as-of date).
    #[inline]
    fn keep(&self, day: i32, parsed: &mut Parsed) -> bool {
        parsed.after_as_of += u64::from(day > self.first_day);
        day <= self.last_day
    }

    /// The id, day and amount of a row whose fields are all valid and whose amount's
    /// mantissa fits `i64`; none otherwise, and [`parse_transaction`] decides (and
    /// names any reject). `buffer` holds the fields, if anything does (see
    /// [`short_amount`]).
    #[inline]
    fn fast_row<'r>(
        &self,
        id: &'r [u8],
        date: &[u8],
        amount: &[u8],
        buffer: &[u8],
        last_date: &mut LastDate,
    ) -> Option<FastRow<'r>> {
        let id = id.trim_ascii();
        if id.is_empty()
            || id.len() > MAX_ID_BYTES
            || !(id.is_ascii() || std::str::from_utf8(id).is_ok())
        {
            return None;
        }
        let day = last_date.day(date)?;
        if let Some((mantissa, scale)) = short_amount(amount, buffer) {
            return Some((id, day, mantissa, scale));
        }
        let amount = parse_amount_bytes(amount).ok()?;
        let mantissa = i64::try_from(amount.mantissa()).ok()?;
        Some((id, day, mantissa, amount.scale() as u8))
    }
}

/// An amount of the common form — `-?[0-9]+(\.[0-9]+)?` with at most 18 digits, so
/// that it fits `i64` — as its mantissa and scale; none for anything else, which
/// [`parse_amount_bytes`] then reads (or rejects) by the full grammar. Whatever this
/// accepts, that reads the same. `buffer` is what `raw` was cut from, if anything: the
/// bytes after the amount let it be loaded as a whole word without a copy.
///
/// Up to eight bytes are checked and converted as one word, without a branch per byte:
/// amounts differ in length from row to row, and a loop over their bytes ends at a
/// different count each time, which the processor mispredicts.
#[inline]
fn short_amount(raw: &[u8], buffer: &[u8]) -> Option<(i64, u8)> {
    let text = raw.trim_ascii();
    let (negative, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (mantissa, scale) = match body.len() {
        1..=8 => eight_or_fewer(body, buffer)?,
        _ => amount_by_bytes(body)?,
    };
    Some((if negative { -mantissa } else { mantissa }, scale))
}

/// The unsigned amount `body` (one to eight bytes) as its mantissa and scale, by words.
#[inline]
fn eight_or_fewer(body: &[u8], buffer: &[u8]) -> Option<(i64, u8)> {
    const ZEROS: u64 = u64::from_le_bytes([b'0'; 8]);
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const SIX: u64 = 0x7676_7676_7676_7676;
    let len = body.len();
    // The body's bytes, the first in the lowest byte, and zeros after them.
    let word = eight_from(body, buffer) & (u64::MAX >> (8 * (8 - len)));
    let dots = equal_bytes(word, b'.');
    let (digits, count, scale) = match dots {
        0 => (word, len, 0),
        _ => {
            let at = dots.trailing_zeros() as usize / 8;
            // One dot, with a digit on each side (the digits are checked below).
            if dots & (dots - 1) != 0 || at == 0 || at + 1 == len {
                return None;
            }
            // The mantissa's digits are those of the amount without its dot: the bytes
            // after the dot move down over it.
            let below = word & ((1 << (8 * at)) - 1);
            let above = (word >> (8 * (at + 1))) << (8 * at);
            (below | above, len - 1, len - 1 - at)
        }
    };
    // The digits moved to the top and led by zeros, each as its value: an eight-digit
    // number.
    let shift = 8 * (8 - count);
    let values = ((digits << shift) | (ZEROS & !(u64::MAX << shift))) ^ ZEROS;
    // Every byte was a digit exactly when every value is below ten.
    if (((values & LOW) + SIX) | values) & !LOW != 0 {
        return None;
    }
    // Below 10^8, and the scale below 8: both conversions hold.
    Some((eight_digits(values) as i64, scale as u8))
}

/// The eight bytes from the start of `body`: read from `buffer` when `body` lies in it
/// and eight bytes follow its start there, else copied; past `body`, any bytes.
#[inline]
fn eight_from(body: &[u8], buffer: &[u8]) -> u64 {
    let offset = (body.as_ptr() as usize).wrapping_sub(buffer.as_ptr() as usize);
    match buffer.get(offset..offset.wrapping_add(8)) {
        Some(window) if offset < buffer.len() => {
            u64::from_le_bytes(window.try_into().unwrap_or_default())
        }
        _ => {
            let mut padded = [0u8; 8];
            let n = body.len().min(8);
            padded[..n].copy_from_slice(&body[..n]);
            u64::from_le_bytes(padded)
        }
    }
}

/// The number written by eight digit values (0 to 9, the first in the lowest byte):
/// pairs, then fours, then all eight, each step one multiplication in place.
#[inline]
fn eight_digits(values: u64) -> u64 {
    let pairs = (values.wrapping_mul((10 << 8) + 1) >> 8) & 0x00ff_00ff_00ff_00ff;
    let fours = (pairs.wrapping_mul((100 << 16) + 1) >> 16) & 0x0000_ffff_0000_ffff;
    fours.wrapping_mul((10_000 << 32) + 1) >> 32
}

/// The unsigned amount `body` as its mantissa and scale, a byte at a time: for bodies
/// too long for [`eight_or_fewer`].
fn amount_by_bytes(body: &[u8]) -> Option<(i64, u8)> {
    if body.is_empty() || body.len() > 19 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut digits = 0;
    let mut dot = None;
    for (i, &b) in body.iter().enumerate() {
        match b {
            // Eighteen digits at most: 10^18 − 1 fits i64, with room for one more.
            b'0'..=b'9' if digits < 18 => {
                mantissa = mantissa * 10 + i64::from(b - b'0');
                digits += 1;
            }
            b'.' if dot.is_none() && i > 0 && i + 1 < body.len() => dot = Some(i),
            _ => return None,
        }
    }
    let scale = dot.map_or(0, |d| body.len() - d - 1) as u8;
    Some((mantissa, scale))
}

/// The position of every `\n`, `,` and `"` of a piece, found eight bytes at a time: in
/// a CSV they come every few bytes, too often for a search that expects them rarely.
struct Structural<'a> {
    bytes: &'a [u8],
    /// Where the word in `found` starts.
    base: usize,
    /// One high bit per structural byte of the word at `base` not yet returned.
    found: u64,
}

impl<'a> Structural<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Structural {
            bytes,
            base: 0,
            found: structural(word_at(bytes, 0)),
        }
    }

    /// Goes on from `at`: the structural bytes before it are passed over.
    fn seek(&mut self, at: usize) {
        self.base = at & !7;
        self.found = structural(word_at(self.bytes, self.base)) & (u64::MAX << (8 * (at & 7)));
    }
}

/// A row read by [`Reading::fast_row`]: its trimmed id, day number, and amount as an
/// `i64` mantissa and its scale.
type FastRow<'r> = (&'r [u8], i32, i64, u8);

/// Bytes read at once by [`Reading::quick_line`]: most lines are shorter.
const WINDOW: usize = 32;
/// The most fields a line read by [`Reading::quick_line`] may have.
const QUICK_FIELDS: usize = 8;

/// One bit per byte of `words` (the first word's first byte the lowest) equal to
/// `byte`.
#[inline]
fn byte_mask(words: &[u64; WINDOW / 8], byte: u8) -> u32 {
    words.iter().enumerate().fold(0, |mask, (i, &word)| {
        // The high bit of each matching byte moved to bit 8k, then the eight bits
        // gathered into the top byte by one multiplication (no two partial products
        // land on the same bit, so nothing carries).
        let high = equal_bytes(word, byte) >> 7;
        let eight = high.wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask | (eight as u32) << (8 * i)
    })
}

impl Iterator for Structural<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.found == 0 {
            self.base += 8;
            if self.base >= self.bytes.len() {
                return None;
            }
            self.found = structural(word_at(self.bytes, self.base));
        }
        let at = self.base + self.found.trailing_zeros() as usize / 8;
        self.found &= self.found - 1;
        Some(at)
    }
}

/// The eight bytes of `bytes` from `at`, little-endian; past the end, zeros (which are
/// not structural).
#[inline]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().unwrap_or_default()),
        None => {
            let mut padded = [0u8; 8];
            let tail = bytes.get(at..).unwrap_or_default();
            padded[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(padded)
        }
    }
}

/// The high bit of every byte of `word` that is `\n`, `,` or `"`.
#[inline]
fn structural(word: u64) -> u64 {
    equal_bytes(word, b'\n') | equal_bytes(word, b',') | equal_bytes(word, b'"')
}

/// The high bit of every byte of `word` equal to `byte`, exactly: a byte is zero after
/// the xor when neither its low seven bits (their sum with 0x7f carries into the high
/// bit) nor its high bit are set, and no sum carries into the next byte.
#[inline]
fn equal_bytes(word: u64, byte: u8) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
    !(((x & LOW) + LOW) | x) & !LOW
}

/// The line being scanned: where it and its current field start (in the piece), the
/// fields ended so far, and whether it is still simple (no quote, not too many fields).
#[derive(Debug)]
struct Line {
    start: usize,
    field: usize,
    fields: Vec<(usize, usize)>,
    simple: bool,
    /// Lines ended so far in the piece.
    number: u64,
}

impl Default for Line {
    fn default() -> Self {
        Line {
            start: 0,
            field: 0,
            fields: Vec::new(),
            simple: true,
            number: 0,
        }
    }
}

/// The last valid date field read and its day: dates repeat from row to row.
#[derive(Debug, Default)]
struct LastDate {
    raw: Vec<u8>,
    day: Option<i32>,
}

impl LastDate {
    #[inline]
    fn day(&mut self, raw: &[u8]) -> Option<i32> {
        match self.day {
            Some(day) if same_bytes(raw, &self.raw) => Some(day),
            _ => {
                let day = day_number(parse_date(raw).ok()?);
                self.raw.clear();
                self.raw.extend_from_slice(raw);
                self.day = Some(day);
                Some(day)
            }
        }
    }
}

/// `a == b`, for 8 to 16 bytes as two words each (the first and the last eight, which
/// overlap below 16): a date field is compared on every row, and a call to `memcmp`
/// for ten bytes costs several times that.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if !(8..=16).contains(&n) {
        return a == b;
    }
    let word = |s: &[u8], at: usize| {
        // at + 8 ≤ n
        u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or_default())
    };
    (word(a, 0) ^ word(b, 0)) | (word(a, n - 8) ^ word(b, n - 8)) == 0
}

/// Reads every remaining record of a transactions CSV into `aggregator`, on every
/// core (with the `parallel` feature): the batch counterpart of
/// [`ingest_into`](super::ingest_into), with the same counts, the same rejects in the
/// same order, and profiles equal to a [`PopulationBuilder`](crate::PopulationBuilder)'s.
///
/// The file is cut into pieces of whole lines; a fresh aggregator is first cut into
/// id ranges from a sample of ids (read from across the file when it was opened by
/// path, else from its first pieces), so that each range is turned into profiles on
/// its own, already in id order.
///
/// # Errors
/// Under [`OnInvalid::Fail`], the first reject (in file order); under either policy, a
/// failure of the reader.
///
/// # Example
/// ```
/// use customer_tiering::aggregate::Aggregator;
/// use customer_tiering::source::{ingest_csv, ColumnMapping, CsvTransactions, OnInvalid};
/// use jiff::civil::date;
/// let data = "customer_id,date,amount\nC1,2026-03-01,10.00\nC2,2026-03-02,1e3\nC1,2026-04-02,1\n";
/// let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &ColumnMapping::default())?;
/// let mut aggregator = Aggregator::new(date(2026, 3, 31));
/// let mut rejects = Vec::new();
/// let read = ingest_csv(source, &mut aggregator, OnInvalid::Skip, |r| rejects.push(r.clone()))?;
/// assert_eq!((read.read, read.accepted, read.rejected, read.after_as_of), (3, 2, 1, 1));
/// assert_eq!(rejects[0].to_string(), "orders.csv: line 3, field \"amount\": \"1e3\": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)");
/// let population = aggregator.finish()?;
/// assert_eq!(population.get("C1").unwrap().monetary.to_string(), "10.00");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn ingest_csv<R: Read + Send>(
    source: CsvTransactions<R>,
    aggregator: &mut Aggregator,
    on_invalid: OnInvalid,
    mut on_reject: impl FnMut(&Reject),
) -> Result<ReadSummary, Error> {
    let CsvTransactions {
        origin,
        records,
        fields,
        dialect,
        columns,
        width,
        path,
        piece_bytes,
    } = source;
    let io_error = |source: io::Error| Error::Io {
        path: origin.clone().into(),
        source,
    };
    let (pending, reader, eof, header_lines) = records.into_parts();
    let piece_bytes = piece_bytes.unwrap_or_else(|| {
        let len = path
            .as_deref()
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len());
        super::csv::automatic_piece_bytes(len, crate::parallel::threads())
    });
    let mut pieces = Pieces {
        reader,
        pending,
        eof,
        piece_bytes,
        spare: Vec::new(),
    };
    let per_batch = crate::parallel::threads().max(1) * PIECES_PER_THREAD;
    let mut batch = pieces.batch(per_batch).map_err(io_error)?;
    let sample = match &path {
        // The file's own bytes are its text only in UTF-8.
        Some(path) if !dialect.marks_malformed => sample_file(path, columns.customer_id, dialect),
        _ => sample_pieces(&batch, columns.customer_id, dialect),
    };
    aggregator.partition_by(sample.iter().map(Vec::as_slice), PARTITIONS);

    // Only the crate's own format takes the fast path.
    let fast = fields.is_plain() && dialect == Dialect::default();
    let mut summary = ReadSummary::default();
    let mut lines_before = header_lines;
    let mut after_as_of = 0;
    // Sets of per-partition batches, emptied and used again: after the first pieces,
    // rows go into buffers that already have room.
    let mut spare_sets: Vec<Vec<RowBatch>> = Vec::new();
    while !batch.is_empty() {
        let (periods, last_day, splitter, partitions) = aggregator.parts_mut();
        let reading = Reading {
            origin: &origin,
            columns,
            fields: &fields,
            dialect,
            fast,
            width,
            splitter,
            first_day: periods[0].day,
            last_day,
        };
        let current: Vec<(Piece, Vec<RowBatch>)> = std::mem::take(&mut batch)
            .into_iter()
            .map(|piece| {
                let set = spare_sets.pop().unwrap_or_else(|| {
                    (0..partitions.len()).map(|_| RowBatch::default()).collect()
                });
                (piece, set)
            })
            .collect();
        let (next, parsed) = crate::parallel::join(
            || pieces.batch(per_batch),
            || crate::parallel::map_owned(current, |(piece, set)| reading.parse(piece, set)),
        );
        let mut by_partition: Vec<Vec<RowBatch>> = (0..partitions.len())
            .map(|_| Vec::with_capacity(parsed.len()))
            .collect();
        for mut one in parsed {
            for reject in &mut one.rejects {
                reject.shift_line(lines_before);
            }
            lines_before += one.lines;
            let rejected = one.rejects.len() as u64;
            summary.read += one.read;
            summary.rejected += rejected;
            summary.accepted += one.read - rejected;
            after_as_of += one.after_as_of;
            for reject in one.rejects {
                match on_invalid {
                    OnInvalid::Fail => return Err(Error::Reject(Box::new(reject))),
                    OnInvalid::Skip => on_reject(&reject),
                }
            }
            if let Some(fatal) = one.fatal {
                return Err(fatal);
            }
            for (rows, into) in one.batches.into_iter().zip(&mut by_partition) {
                into.push(rows);
            }
            pieces.spare.push(one.buffer);
        }
        let mut work: Vec<_> = partitions.iter_mut().zip(&mut by_partition).collect();
        crate::parallel::for_each_mut(&mut work, |(partition, batches)| {
            for rows in batches.iter_mut() {
                partition.absorb(periods, rows);
                rows.clear();
            }
        });
        // Back from per partition to per piece.
        let pieces_parsed = by_partition.first().map_or(0, Vec::len);
        let mut sets: Vec<Vec<RowBatch>> = (0..pieces_parsed)
            .map(|_| Vec::with_capacity(partitions.len()))
            .collect();
        for column in by_partition {
            for (set, rows) in sets.iter_mut().zip(column) {
                set.push(rows);
            }
        }
        spare_sets.extend(sets);
        batch = next.map_err(io_error)?;
    }
    aggregator.add_after_as_of(after_as_of);
    summary.after_as_of = after_as_of;
    Ok(summary)
}

/// Ids from lines spread over the whole file (only to cut ranges: a bad guess costs
/// balance, never correctness). Lines with a quote are passed over.
fn sample_file(path: &Path, id_column: usize, dialect: Dialect) -> Vec<Vec<u8>> {
    const WINDOWS: u64 = 64;
    const WINDOW_BYTES: usize = 16 * 1024;
    let Ok(mut file) = File::open(path) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut ids = Vec::new();
    let mut window = vec![0; WINDOW_BYTES];
    for i in 0..WINDOWS {
        if file.seek(SeekFrom::Start(len / WINDOWS * i)).is_err() {
            break;
        }
        let Ok(n) = read_up_to(&mut file, &mut window) else {
            break;
        };
        ids.extend(sample_lines(&window[..n], id_column, dialect));
    }
    ids
}

fn sample_pieces(pieces: &[Piece], id_column: usize, dialect: Dialect) -> Vec<Vec<u8>> {
    let mut ids = Vec::new();
    for piece in pieces {
        if let Piece::Lines(bytes) = piece {
            // Every line of a piece is whole: start at its first.
            let mut with_start = Vec::with_capacity(bytes.len().min(1 << 16) + 1);
            with_start.push(b'\n');
            with_start.extend_from_slice(&bytes[..bytes.len().min(1 << 16)]);
            ids.extend(sample_lines(&with_start, id_column, dialect));
        }
    }
    ids
}

/// The id field of every complete line after the first line end of `bytes`.
fn sample_lines(
    bytes: &[u8],
    id_column: usize,
    dialect: Dialect,
) -> impl Iterator<Item = Vec<u8>> + '_ {
    let start = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
    let end = memchr::memrchr(b'\n', bytes)
        .map_or(0, |i| i + 1)
        .max(start);
    bytes[start..end]
        .split(|&b| b == b'\n')
        .filter(move |line| !line.contains(&dialect.quote))
        .filter_map(move |line| line.split(|&b| b == dialect.delimiter).nth(id_column))
        .map(|id| id.trim_ascii().to_vec())
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Word-wise equality is byte-wise equality, at every length around the words'
        /// (a difference in any one byte, or in the length, is seen).
        #[test]
        fn same_bytes_is_equality(
            a in proptest::collection::vec(any::<u8>(), 0..20),
            flip in any::<proptest::sample::Index>(),
            bit in 0u8..8,
        ) {
            prop_assert!(same_bytes(&a, &a.clone()));
            if !a.is_empty() {
                let mut b = a.clone();
                b[flip.index(a.len())] ^= 1 << bit;
                prop_assert!(!same_bytes(&a, &b));
                prop_assert!(!same_bytes(&a, &a[..a.len() - 1]));
            }
        }
    }

    #[test]
    fn structural_bytes_are_found_exactly() {
        let text: Vec<u8> = (0..=255u8)
            .chain(b"a,b\n\"c\",\r\n,,\n\n".iter().copied())
            .collect();
        for start in 0..text.len() {
            let bytes = &text[start..];
            let found: Vec<usize> = Structural::new(bytes).collect();
            let expected: Vec<usize> = (0..bytes.len())
                .filter(|&i| matches!(bytes[i], b'\n' | b',' | b'"'))
                .collect();
            assert_eq!(found, expected, "from {start}");
        }
        assert_eq!(Structural::new(b"").count(), 0);
    }

    /// `short_amount` as it was before it read words: the byte loop on every length,
    /// what it must still equal.
    fn short_amount_by_loop(raw: &[u8]) -> Option<(i64, u8)> {
        let text = raw.trim_ascii();
        let (negative, body) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, text),
        };
        let (mantissa, scale) = amount_by_bytes(body)?;
        Some((if negative { -mantissa } else { mantissa }, scale))
    }

    /// `short_amount` of `amount` read alone, and read inside a buffer with `before`
    /// and `after` around it (so that words are loaded past its end): the same both
    /// ways, and the same as the byte loop.
    fn short_amount_everywhere(amount: &[u8], before: &[u8], after: &[u8]) -> Option<(i64, u8)> {
        let alone = short_amount(amount, amount);
        let without_buffer = short_amount(amount, &[]);
        let buffer = [before, amount, after].concat();
        let inside = &buffer[before.len()..before.len() + amount.len()];
        let within = short_amount(inside, &buffer);
        let expected = short_amount_by_loop(amount);
        assert_eq!(alone, expected, "{amount:?} alone");
        assert_eq!(without_buffer, expected, "{amount:?} without a buffer");
        assert_eq!(
            within, expected,
            "{amount:?} after {before:?}, before {after:?}"
        );
        alone
    }

    #[test]
    fn short_amounts_read_as_the_full_grammar_reads_them() {
        let cases = [
            "0",
            "12.50",
            "-3.5",
            " 7.10\t",
            "-0.00",
            "007.25",
            "999999999999999999",
            "123456789.123456789",
            "1e3",
            ".5",
            "5.",
            "+5",
            "1,000",
            "",
            "-",
            "--1",
            "1.2.3",
            "9999999999999999999",
            "0.0000000000000000001",
            // Around the eight bytes read as a word.
            "12345678",
            "1234567.8",
            "123456789",
            "99999999.99999999",
            "9999999999999999",
            "-9999999999999999",
            "1234567890123456.7",
            "12345678901234567",
            "0.000000000000001",
            "1.00000000000000",
            "12.65",
            "135.52",
            "5.1",
            // A byte next to a digit's in value, and bytes with the high bit set.
            "1/2",
            "12:5",
            "1.2\u{e9}",
            "\u{bd}",
            "1.-2",
            "1 2",
            "1..2",
            "-.5",
            "-5.",
            "- 5",
            "\r\n5\r",
        ];
        for case in cases {
            let fast = short_amount_everywhere(case.as_bytes(), b"x,", b"\n9.9,..--00");
            let full = parse_amount_bytes(case.as_bytes()).ok();
            match fast {
                Some((mantissa, scale)) => {
                    let full =
                        full.unwrap_or_else(|| panic!("{case:?} accepted by the short form only"));
                    assert_eq!(
                        (i128::from(mantissa), u32::from(scale)),
                        (full.mantissa(), full.scale()),
                        "{case:?}"
                    );
                }
                None => assert!(
                    full.is_none() || case.len() > 18,
                    "{case:?} should have a short form"
                ),
            }
        }
    }

    /// Text drawn from the bytes of amounts and of near misses.
    fn amount_like() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            proptest::sample::select(b"0123456789.- e+".to_vec()),
            0..=24,
        )
    }

    proptest! {
        #[test]
        fn short_amounts_equal_the_byte_loop_and_the_full_grammar(
            amount in amount_like(),
            before in amount_like(),
            after in amount_like(),
        ) {
            let fast = short_amount_everywhere(&amount, &before, &after);
            let full = parse_amount_bytes(&amount).ok();
            if let Some((mantissa, scale)) = fast {
                let full = full.map(|d| (d.mantissa(), d.scale()));
                prop_assert_eq!(Some((i128::from(mantissa), u32::from(scale))), full);
            }
        }
    }
}
