//! CSV records read line by line in bounded memory ([bad
//! input](crate::definitions#bad-input-and-rejects)).
//!
//! Two layers. [`Lines`] cuts a byte stream into physical lines (`\n`, with an optional
//! `\r` before it) in a fixed buffer: a line longer than [`MAX_RECORD_BYTES`] is never
//! held whole; its bytes stream past and only its first bytes and its length are kept.
//! [`Records`] splits lines into fields with `csv_core` (RFC 4180 quoting), in one of
//! two modes:
//! - *one line per record* (transactions): a line that ends inside a quoted field is
//!   rejected as `multiline_field` and the parser starts afresh on the next line, so a
//!   stray quote costs one line, never the rest of the file;
//! - *records may span lines* (customers, whose CRM exports put line breaks in quoted
//!   notes): the record goes on until its quote closes; a quote still open at the end of
//!   the file stops the run, naming the line where the record began.
//!
//! In both modes a record over [`MAX_RECORD_BYTES`] is rejected as `record_too_long`
//! before anything else is checked, and skipped without being held in memory.
//! [`read_header`] reads the first record as a header and checks it.
//!
//! What every CSV file of the crate is read with: the transactions and customers
//! sources ([`crate::source`]) and a tiers file of an earlier run
//! ([`crate::migration::Period`]). It knows nothing of what the fields mean.

use std::io::{self, Read};
use std::ops::Range;

use csv_core::{ReadRecordResult, Reader as CoreReader, ReaderBuilder as CoreBuilder, Terminator};

use crate::error::{Error, Reject};
use crate::reading::read_some;

/// The longest record read ([bad input](crate::definitions#bad-input-and-rejects): 1 MiB),
/// line end excluded.
pub(crate) const MAX_RECORD_BYTES: usize = 1 << 20;

/// The most columns a header may have. A header is a record too, bounded by
/// [`MAX_RECORD_BYTES`]; this bound keeps the field-end table of every record small.
pub(crate) const MAX_COLUMNS: usize = 16_384;

/// How many bytes of an over-long record are kept for its reject ([bad
/// input](crate::definitions#bad-input-and-rejects) shows 200).
pub(crate) const KEPT_PREFIX_BYTES: usize = 200;

/// Bytes asked of the reader at a time, beyond the room a whole record needs.
const READ_CHUNK: usize = 64 * 1024;

/// Why a record was rejected before its fields were looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordProblem {
    /// A quoted field held a line break where records are one line each.
    MultilineField,
    /// The record is longer than [`MAX_RECORD_BYTES`].
    TooLong,
}

impl RecordProblem {
    /// The reason code written into rejects.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            RecordProblem::MultilineField => "multiline_field",
            RecordProblem::TooLong => "record_too_long",
        }
    }
}

/// One line, as [`Lines::next_line`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Span {
    /// The line's bytes (in the buffer), without its line end.
    Text(Range<usize>),
    /// A line over the limit: its first bytes are in `Lines::prefix`, the rest went to
    /// the overflow sink; `len` is its full length without the line end.
    TooLong { len: u64 },
}

/// Physical lines of a byte stream, in a buffer of fixed size.
struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Lines returned so far: the number of the last one.
    number: u64,
    /// The first bytes of the last over-long line.
    prefix: Vec<u8>,
}

impl<R: Read> Lines<R> {
    fn new(reader: R) -> Self {
        Lines {
            reader,
            // A whole record, its `\r\n`, and room to read behind it.
            buf: vec![0; MAX_RECORD_BYTES + 2 + READ_CHUNK],
            start: 0,
            end: 0,
            eof: false,
            number: 0,
            prefix: Vec::with_capacity(KEPT_PREFIX_BYTES),
        }
    }

    /// Moves the unread bytes to the front and reads more; false at the end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        match read_some(&mut self.reader, &mut self.buf[self.end..])? {
            0 => {
                self.eof = true;
                Ok(false)
            }
            n => {
                self.end += n;
                Ok(true)
            }
        }
    }

    fn text(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }

    /// The line of `range` (the last one returned) with the `\n` that ended it, when
    /// that `\n` came right after it (no `\r`, not the end of the input): what a parser
    /// can take in one go.
    fn with_newline(&self, range: &Range<usize>) -> Option<&[u8]> {
        (range.end < self.start && self.buf[range.end] == b'\n')
            .then(|| &self.buf[range.start..=range.end])
    }

    /// The next line and its 1-based number, or `None` at the end. The bytes of a line
    /// over the limit are handed to `overflow` piece by piece as they stream past.
    fn next_line(&mut self, overflow: &mut dyn FnMut(&[u8])) -> io::Result<Option<(u64, Span)>> {
        // Bytes after `start` already known to hold no line end.
        let mut searched = 0;
        loop {
            let window = &self.buf[self.start + searched..self.end];
            if let Some(i) = memchr::memchr(b'\n', window) {
                let line_end = self.start + searched + i;
                let range = without_cr(&self.buf, self.start..line_end);
                self.start = line_end + 1;
                return Ok(Some(self.finish_line(range, overflow)));
            }
            searched = self.end - self.start;
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let range = without_cr(&self.buf, self.start..self.end);
                self.start = self.end;
                return Ok(Some(self.finish_line(range, overflow)));
            }
            if self.end - self.start > MAX_RECORD_BYTES + 1 {
                return self.skip_long_line(overflow).map(Some);
            }
            self.fill()?;
        }
    }

    fn finish_line(&mut self, range: Range<usize>, overflow: &mut dyn FnMut(&[u8])) -> (u64, Span) {
        self.number += 1;
        if range.len() > MAX_RECORD_BYTES {
            let text = &self.buf[range.clone()];
            self.prefix.clear();
            self.prefix.extend_from_slice(&text[..KEPT_PREFIX_BYTES]);
            overflow(text);
            return (
                self.number,
                Span::TooLong {
                    len: range.len() as u64,
                },
            );
        }
        (self.number, Span::Text(range))
    }

    /// Streams the rest of a line too long for the buffer past `overflow`, keeping its
    /// first bytes and counting its length.
    fn skip_long_line(&mut self, overflow: &mut dyn FnMut(&[u8])) -> io::Result<(u64, Span)> {
        self.prefix.clear();
        self.prefix
            .extend_from_slice(&self.buf[self.start..self.start + KEPT_PREFIX_BYTES]);
        let mut len: u64 = 0;
        let mut ends_in_cr = false;
        loop {
            let chunk = &self.buf[self.start..self.end];
            if let Some(i) = memchr::memchr(b'\n', chunk) {
                let body = &chunk[..i];
                overflow(body);
                len += body.len() as u64;
                // A `\r` before the `\n` belongs to the line end, even when it came in
                // the previous chunk.
                if body.last() == Some(&b'\r') || (body.is_empty() && ends_in_cr) {
                    len -= 1;
                }
                self.start += i + 1;
                break;
            }
            overflow(chunk);
            len += chunk.len() as u64;
            if !chunk.is_empty() {
                ends_in_cr = chunk.last() == Some(&b'\r');
            }
            self.start = self.end;
            if self.eof || !self.fill()? {
                if ends_in_cr {
                    len -= 1;
                }
                break;
            }
        }
        self.number += 1;
        Ok((self.number, Span::TooLong { len }))
    }
}

/// `range` without a final `\r`.
fn without_cr(buf: &[u8], range: Range<usize>) -> Range<usize> {
    match buf[range.clone()].last() {
        Some(b'\r') => range.start..range.end - 1,
        _ => range,
    }
}

/// One record of a CSV source, or why it was rejected unread.
#[derive(Debug)]
pub(crate) enum Record<'a> {
    /// A record split into fields.
    Row(Row<'a>),
    /// A record rejected before its fields were looked at.
    Unread {
        /// The line where the record starts.
        line: u64,
        /// Its first bytes (at most [`KEPT_PREFIX_BYTES`] for an over-long record).
        prefix: &'a [u8],
        /// Its full length in bytes.
        len: u64,
        /// What is wrong with it.
        problem: RecordProblem,
    },
}

/// The fields of one record.
#[derive(Debug)]
pub(crate) struct Row<'a> {
    /// The 1-based physical line where the record starts (the header is line 1).
    pub(crate) line: u64,
    /// The record as it stood in the file, line end excluded.
    pub(crate) raw: &'a [u8],
    fields: &'a [u8],
    ends: &'a [usize],
    count: usize,
}

impl<'a> Row<'a> {
    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Field `i` (unquoted); every field up to [`Row::len`] of a row whose length is
    /// the expected width.
    pub(crate) fn get(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.fields[start..self.ends[i]]
    }

    /// The fields kept: all of them unless the row had more than the reader keeps.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.count.min(self.ends.len())).map(|i| self.get(i))
    }
}

/// What went wrong with the file as a whole.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The reader failed.
    Io(io::Error),
    /// A quote opened on `line` is still open at the end of the file.
    UnterminatedQuote { line: u64 },
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// The fields of the record being read: their bytes, where each ends, and how many
/// there are (ends are kept for at most `max` of them; more are only counted).
#[derive(Debug)]
struct Fields {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
    count: usize,
    max: usize,
    /// Where the ends of fields past `max` go, to be counted and dropped.
    spare: [usize; 64],
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            bytes: Vec::new(),
            ends: Vec::new(),
            len: 0,
            count: 0,
            max: 0,
            spare: [0; 64],
        }
    }
}

impl Fields {
    fn clear(&mut self, max: usize) {
        self.len = 0;
        self.count = 0;
        self.max = max;
    }

    /// Feeds `input` to the parser, growing the buffers as needed (room for `input` is
    /// made first, so that it is parsed in one go).
    #[inline]
    fn feed(&mut self, core: &mut CoreReader, mut input: &[u8]) -> ReadRecordResult {
        // An empty input means the end of the file to csv_core: never pass one here.
        if input.is_empty() {
            return ReadRecordResult::InputEmpty;
        }
        if self.bytes.len() < self.len + input.len() + 1 {
            self.bytes.resize(self.len + input.len() + 1, 0);
        }
        loop {
            let kept = self.count.min(self.ends.len());
            let ends_out: &mut [usize] = if self.count >= self.max {
                &mut self.spare
            } else {
                &mut self.ends[kept..]
            };
            let (result, read, written, ended) =
                core.read_record(input, &mut self.bytes[self.len..], ends_out);
            input = &input[read..];
            self.len += written;
            self.count += ended;
            match result {
                ReadRecordResult::OutputFull => {
                    let grown = (self.bytes.len() * 2).max(self.len + input.len() + 64);
                    self.bytes.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull if self.ends.len() < self.max => {
                    let grown = (self.ends.len() * 2).max(16).min(self.max);
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {}
                other => return other,
            }
            if input.is_empty() {
                return ReadRecordResult::InputEmpty;
            }
        }
    }

    #[inline]
    fn row<'a>(&'a self, line: u64, raw: &'a [u8]) -> Row<'a> {
        Row {
            line,
            raw,
            fields: &self.bytes[..self.len],
            ends: &self.ends[..self.count.min(self.ends.len())],
            count: self.count,
        }
    }
}

/// Keeps in `prefix` the first bytes of a record found too long: those of `raw` (the
/// lines before), then of `more`.
fn keep_prefix(prefix: &mut Vec<u8>, raw: &[u8], more: &[u8]) {
    prefix.clear();
    prefix.extend_from_slice(&raw[..raw.len().min(KEPT_PREFIX_BYTES)]);
    let missing = KEPT_PREFIX_BYTES - prefix.len();
    prefix.extend_from_slice(&more[..missing.min(more.len())]);
}

/// Feeds `input` to the parser only for its state (is a quote open?), writing nothing.
fn feed_discarding(core: &mut CoreReader, mut input: &[u8]) -> ReadRecordResult {
    let mut out = [0u8; 4096];
    let mut ends = [0usize; 64];
    if input.is_empty() {
        return ReadRecordResult::InputEmpty;
    }
    loop {
        let (result, read, _, _) = core.read_record(input, &mut out, &mut ends);
        input = &input[read..];
        match result {
            ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            other => return other,
        }
        if input.is_empty() {
            return ReadRecordResult::InputEmpty;
        }
    }
}

/// The bytes that separate and quote fields, and whether the text was decoded from
/// another encoding with each malformed sequence marked by a `0xFF` byte (which UTF-8
/// text never holds): a record holding one is rejected with reason `encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    pub(crate) delimiter: u8,
    pub(crate) quote: u8,
    pub(crate) marks_malformed: bool,
}

impl Default for Dialect {
    fn default() -> Self {
        Dialect {
            delimiter: b',',
            quote: b'"',
            marks_malformed: false,
        }
    }
}

/// CSV records of a byte stream, read one physical line at a time.
pub(crate) struct Records<R> {
    lines: Lines<R>,
    core: CoreReader,
    dialect: Dialect,
    spans_lines: bool,
    fields: Fields,
    /// The raw bytes of a record that spans lines.
    raw: Vec<u8>,
    /// The first bytes of a record that spans lines and grew too long.
    prefix: Vec<u8>,
}

impl<R> std::fmt::Debug for Records<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("line", &self.lines.number)
            .field("spans_lines", &self.spans_lines)
            .finish_non_exhaustive()
    }
}

impl Records<io::Empty> {
    /// Records of whole lines already in memory, one line per record, numbered from 1
    /// as if they opened a file — but past its start: a byte-order mark here is data.
    /// The bytes are parsed where they are, without copying.
    pub(crate) fn of_lines(lines: Vec<u8>, dialect: Dialect) -> Self {
        let end = lines.len();
        let mut records = Records::with_lines(
            Lines {
                reader: io::empty(),
                buf: lines,
                start: 0,
                end,
                eof: true,
                number: 0,
                prefix: Vec::with_capacity(KEPT_PREFIX_BYTES),
            },
            false,
            dialect,
        );
        // The parser strips a byte-order mark only from the first bytes it is given.
        feed_discarding(&mut records.core, b"\n");
        records
    }
}

impl<R: Read> Records<R> {
    /// Records of `reader`; with `spans_lines`, quoted fields may hold line breaks.
    pub(crate) fn new(reader: R, spans_lines: bool) -> Self {
        Records::with_dialect(reader, spans_lines, Dialect::default())
    }

    /// As [`Records::new`], with another delimiter or quote.
    pub(crate) fn with_dialect(reader: R, spans_lines: bool, dialect: Dialect) -> Self {
        Records::with_lines(Lines::new(reader), spans_lines, dialect)
    }

    fn with_lines(lines: Lines<R>, spans_lines: bool, dialect: Dialect) -> Self {
        Records {
            lines,
            core: CoreBuilder::new()
                .delimiter(dialect.delimiter)
                .quote(dialect.quote)
                // Only `\n` ends a line: a stray `\r` inside one is data, and its field
                // fails validation where it matters, instead of splitting the line.
                .terminator(Terminator::Any(b'\n'))
                .build(),
            dialect,
            spans_lines,
            fields: Fields::default(),
            raw: Vec::new(),
            prefix: Vec::new(),
        }
    }

    /// The bytes read but not yet returned, the reader, whether it is exhausted, and
    /// the number of the last line returned: what reading on by other means needs.
    pub(crate) fn into_parts(self) -> (Vec<u8>, R, bool, u64) {
        let Lines {
            reader,
            buf,
            start,
            end,
            eof,
            number,
            ..
        } = self.lines;
        // The buffer itself, not a copy: freeing a buffer this size would teach the
        // allocator to keep every later allocation of up to its size, once freed,
        // instead of giving it back (glibc's adaptive mmap threshold).
        let mut buf = buf;
        buf.truncate(end);
        buf.drain(..start);
        (buf, reader, eof, number)
    }

    /// The buffer of [`Records::of_lines`], to be used again.
    pub(crate) fn into_lines(self) -> Vec<u8> {
        self.lines.buf
    }

    /// The number of the last line returned (lines before the first record count).
    pub(crate) fn lines_read(&self) -> u64 {
        self.lines.number
    }

    /// The next record as a source yields it: its `width` fields, or the reject of a
    /// record that could not be split or has another number of fields (`origin` names
    /// the file), or the error that stops reading; `None` at the end.
    pub(crate) fn next_row(
        &mut self,
        origin: &str,
        width: usize,
    ) -> Option<Result<Row<'_>, Error>> {
        // One more field than the width is enough to tell a long row.
        let marks_malformed = self.dialect.marks_malformed;
        let reject = match self.next_record(width + 1) {
            Ok(None) => return None,
            Err(e) => return Some(Err(e.into_error(origin))),
            // Its fields may be cut wrongly where a character was lost: the encoding
            // is the reason, whatever the count.
            Ok(Some(Record::Row(row)))
                if marks_malformed && memchr::memchr(0xFF, row.raw).is_some() =>
            {
                Reject::of_field(origin, row.line, "record", row.raw, "encoding")
            }
            Ok(Some(Record::Row(row))) if row.len() == width => return Some(Ok(row)),
            Ok(Some(Record::Row(row))) => Reject::of_field(
                origin,
                row.line,
                "record",
                row.raw,
                format_args!("expected {width} fields, found {}", row.len()),
            ),
            Ok(Some(Record::Unread {
                line,
                prefix,
                len,
                problem,
            })) => Reject::of_prefix(origin, line, "record", prefix, len, problem.reason()),
        };
        Some(Err(reject.into()))
    }

    /// The next record, keeping at most `max_fields` fields (more are counted, so that
    /// a row of the wrong width still says how many it had).
    pub(crate) fn next_record(
        &mut self,
        max_fields: usize,
    ) -> Result<Option<Record<'_>>, ReadError> {
        self.fields.clear(max_fields);
        if self.spans_lines {
            self.next_multiline()
        } else {
            self.next_single()
        }
    }

    fn next_single(&mut self) -> Result<Option<Record<'_>>, ReadError> {
        let (line, range) = loop {
            match self.lines.next_line(&mut |_| {})? {
                None => return Ok(None),
                Some((line, Span::TooLong { len })) => {
                    return Ok(Some(Record::Unread {
                        line,
                        prefix: &self.lines.prefix,
                        len,
                        problem: RecordProblem::TooLong,
                    }));
                }
                Some((_, Span::Text(range))) if range.is_empty() => {}
                Some((line, Span::Text(range))) => break (line, range),
            }
        };
        let ended = match self.lines.with_newline(&range) {
            // The common case: the line and its `\n` parsed in one call.
            Some(line_and_end) => self.fields.feed(&mut self.core, line_and_end),
            None => {
                self.fields
                    .feed(&mut self.core, self.lines.text(range.clone()));
                self.fields.feed(&mut self.core, b"\n")
            }
        };
        let text = self.lines.text(range);
        if ended == ReadRecordResult::Record {
            return Ok(Some(Record::Row(self.fields.row(line, text))));
        }
        // The `\n` went into a quoted field: close it, so that the next line starts a
        // fresh record (a reset would also forget that the byte-order mark may only
        // open the file).
        feed_discarding(&mut self.core, &[self.dialect.quote, b'\n']);
        Ok(Some(Record::Unread {
            line,
            prefix: text,
            len: text.len() as u64,
            problem: RecordProblem::MultilineField,
        }))
    }

    fn next_multiline(&mut self) -> Result<Option<Record<'_>>, ReadError> {
        let mut first_line: Option<u64> = None;
        let mut len: u64 = 0;
        let mut too_long = false;
        self.raw.clear();
        loop {
            let core = &mut self.core;
            let next = self.lines.next_line(&mut |piece| {
                feed_discarding(core, piece);
            })?;
            let Some((line, span)) = next else {
                return match first_line {
                    None => Ok(None),
                    Some(line) => Err(ReadError::UnterminatedQuote { line }),
                };
            };
            let start = *first_line.get_or_insert(line);
            if start != line {
                len += 1; // the line break inside the record
                if !too_long {
                    self.raw.push(b'\n');
                }
            }
            match span {
                Span::Text(range) if range.is_empty() && start == line => {
                    first_line = None;
                    continue;
                }
                Span::Text(range) => {
                    let text = &self.lines.buf[range];
                    len += text.len() as u64;
                    if !too_long && len > MAX_RECORD_BYTES as u64 {
                        too_long = true;
                        keep_prefix(&mut self.prefix, &self.raw, text);
                    }
                    if too_long {
                        feed_discarding(&mut self.core, text);
                    } else {
                        self.raw.extend_from_slice(text);
                        self.fields.feed(&mut self.core, text);
                    }
                }
                Span::TooLong { len: line_len } => {
                    len += line_len;
                    if !too_long {
                        too_long = true;
                        keep_prefix(&mut self.prefix, &self.raw, &self.lines.prefix);
                    }
                }
            }
            let ended = if too_long {
                feed_discarding(&mut self.core, b"\n")
            } else {
                self.fields.feed(&mut self.core, b"\n")
            };
            if ended != ReadRecordResult::Record {
                continue;
            }
            // The record's last `\n` ended it: it is not part of the record.
            return Ok(Some(if too_long {
                Record::Unread {
                    line: start,
                    prefix: &self.prefix,
                    len,
                    problem: RecordProblem::TooLong,
                }
            } else {
                Record::Row(self.fields.row(start, &self.raw))
            }));
        }
    }
}

impl ReadError {
    /// The error that stops reading `origin`.
    pub(crate) fn into_error(self, origin: &str) -> Error {
        match self {
            ReadError::Io(source) => Error::Io {
                path: origin.into(),
                source,
            },
            ReadError::UnterminatedQuote { line } => Error::Malformed {
                source_name: origin.to_string(),
                line,
                reason: "a quote opened in the record starting on this line is still open at the end of the file".into(),
            },
        }
    }
}

/// Reads the header: names trimmed (lossily decoded; a byte-order mark dropped), none
/// repeated ([bad input](crate::definitions#bad-input-and-rejects)). An empty file has an
/// empty header. Columns without a name may repeat: nothing can refer to them.
///
/// # Errors
/// [`Error::Malformed`] for a header that is too long, has a quote open at its end (in
/// a source whose records are one line each), has more than [`MAX_COLUMNS`] columns, or
/// names a column twice; [`Error::Io`] when reading fails.
pub(crate) fn read_header<R: Read>(
    origin: &str,
    records: &mut Records<R>,
) -> Result<Vec<String>, Error> {
    let malformed = |line: u64, reason: String| Error::Malformed {
        source_name: origin.to_string(),
        line,
        reason,
    };
    let row = match records
        .next_record(MAX_COLUMNS)
        .map_err(|e| e.into_error(origin))?
    {
        None => return Ok(Vec::new()),
        Some(Record::Unread {
            line, len, problem, ..
        }) => {
            return Err(malformed(
                line,
                match problem {
                    RecordProblem::TooLong => format!(
                        "the header is {len} bytes long, more than the {MAX_RECORD_BYTES} a record may have"
                    ),
                    RecordProblem::MultilineField => {
                        "the header has a quote that is not closed on its line".to_string()
                    }
                },
            ));
        }
        Some(Record::Row(row)) => row,
    };
    if row.len() > MAX_COLUMNS {
        return Err(malformed(
            row.line,
            format!(
                "the header has {} columns, more than the {MAX_COLUMNS} read",
                row.len()
            ),
        ));
    }
    let names: Vec<String> = row
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let raw = if i == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
            } else {
                raw
            };
            String::from_utf8_lossy(raw.trim_ascii()).into_owned()
        })
        .collect();
    for (second, name) in names.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
        if let Some(first) = names[..second].iter().position(|n| n == name) {
            return Err(malformed(
                row.line,
                format!(
                    "the header names the column {name:?} twice, as columns {} and {}",
                    first + 1,
                    second + 1
                ),
            ));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `data` as text: `line:field|field` or `line:reason:len`.
    fn records(data: &[u8], spans_lines: bool) -> Vec<String> {
        let mut records = Records::new(data, spans_lines);
        let mut out = Vec::new();
        loop {
            match records.next_record(8) {
                Ok(None) => break,
                Ok(Some(Record::Row(row))) => {
                    let fields: Vec<String> = row
                        .iter()
                        .map(|f| String::from_utf8_lossy(f).into_owned())
                        .collect();
                    out.push(format!("{}:{}", row.line, fields.join("|")));
                }
                Ok(Some(Record::Unread {
                    line, len, problem, ..
                })) => {
                    out.push(format!("{line}:{}:{len}", problem.reason()));
                }
                Err(ReadError::UnterminatedQuote { line }) => {
                    out.push(format!("unterminated from {line}"));
                    break;
                }
                Err(ReadError::Io(e)) => panic!("{e}"),
            }
        }
        out
    }

    #[test]
    fn a_stray_quote_costs_one_line_where_records_are_lines() {
        let data = b"a,b\n1,\"2\n3,4\n\n5,\"6\"\"x\"\r\n7,8";
        assert_eq!(
            records(data, false),
            ["1:a|b", "2:multiline_field:4", "3:3|4", "5:5|6\"x", "6:7|8"]
        );
    }

    #[test]
    fn quoted_line_breaks_join_lines_where_records_may_span_them() {
        let data = b"a,b\n1,\"two\n\nlines\"\n3,4\n";
        assert_eq!(records(data, true), ["1:a|b", "2:1|two\n\nlines", "5:3|4"]);
        assert_eq!(
            records(b"a,b\n1,2\n3,\"open\n4,5\n", true),
            ["1:a|b", "2:1|2", "unterminated from 3"]
        );
    }

    #[test]
    fn a_stray_carriage_return_is_data_and_crlf_is_a_line_end() {
        assert_eq!(records(b"a\rb,c\r\n", false), ["1:a\rb|c"]);
    }

    #[test]
    fn the_byte_order_mark_is_dropped_only_at_the_start_of_the_file() {
        let data = "\u{feff}a,b\n1,\"2\n\u{feff}3,4\n";
        assert_eq!(
            records(data.as_bytes(), false),
            ["1:a|b", "2:multiline_field:4", "3:\u{feff}3|4"]
        );
    }

    #[test]
    fn over_long_records_are_counted_not_kept() {
        let long = vec![b'x'; MAX_RECORD_BYTES + 10];
        let mut data = b"a,b\n".to_vec();
        data.extend_from_slice(&long);
        data.extend_from_slice(b"\r\n1,2\n");
        data.extend_from_slice(&long[..MAX_RECORD_BYTES]);
        data.extend_from_slice(b"\n3,4");
        let got = records(&data, false);
        assert_eq!(got[..3], ["1:a|b", "2:record_too_long:1048586", "3:1|2"]);
        assert_eq!(
            got[3].len(),
            MAX_RECORD_BYTES + 2,
            "a record of exactly 1 MiB is read"
        );
        assert_eq!(got[4], "5:3|4");

        // A record spanning lines is too long once its lines together are.
        let mut data = b"a,b\n1,\"".to_vec();
        data.extend_from_slice(&long[..MAX_RECORD_BYTES / 2]);
        data.push(b'\n');
        data.extend_from_slice(&long[..MAX_RECORD_BYTES / 2]);
        data.extend_from_slice(b"\"\n2,3\n");
        let got = records(&data, true);
        assert_eq!(got, ["1:a|b", "2:record_too_long:1048581", "4:2|3"]);
    }

    #[test]
    fn the_kept_prefix_of_a_long_record_keeps_its_line_breaks() {
        let mut data = b"a,b\n1,\"x\n".to_vec();
        data.extend(std::iter::repeat_n(b'y', MAX_RECORD_BYTES));
        data.extend_from_slice(b"\"\n");
        let mut records = Records::new(&data[..], true);
        records.next_record(8).expect("header");
        let Ok(Some(Record::Unread { prefix, .. })) = records.next_record(8) else {
            panic!("a record too long")
        };
        assert_eq!(&prefix[..5], b"1,\"x\n");
        assert_eq!(prefix.len(), KEPT_PREFIX_BYTES);
    }

    #[test]
    fn a_line_longer_than_the_buffer_streams_past_and_its_quotes_still_count() {
        let long = vec![b'y'; 3 * MAX_RECORD_BYTES];
        let mut data = b"a,b\n1,\"".to_vec();
        data.extend_from_slice(&long);
        data.extend_from_slice(b"\ny\"\n2,3\n");
        assert_eq!(
            records(&data, true),
            ["1:a|b", "2:record_too_long:3145734", "4:2|3"]
        );
        let mut data = b"a,b\n".to_vec();
        data.extend_from_slice(&long);
        data.extend_from_slice(b"\r");
        assert_eq!(
            records(&data, false),
            ["1:a|b", "2:record_too_long:3145728"]
        );
    }

    #[test]
    fn extra_fields_are_counted_beyond_the_kept_ones() {
        let mut records = Records::new(&b"1,2,3,4,5,6,7,8,9,10\n"[..], false);
        let Ok(Some(Record::Row(row))) = records.next_record(3) else {
            panic!("a row")
        };
        assert_eq!(row.len(), 10);
        assert_eq!(row.iter().count(), 3);
    }
}
