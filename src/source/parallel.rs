//! Reading a transactions CSV on every core into an [`Aggregator`].
//!
//! A transactions record is one physical line (SPEC §12), so the file can be cut at
//! line ends into pieces that parse on their own. One thread reads the next pieces
//! while the others parse the current ones: each line into a small fixed record,
//! scattered by its id's range into per-partition batches; then every partition
//! absorbs its batches, partitions in parallel. Rejects keep their exact lines (each
//! piece counts its lines; a reject is moved by the lines before its piece) and come
//! out in file order, and a line too long to hold is streamed past as the sequential
//! reader does. Pieces are cut by size, never by thread count, so the result is the
//! same bytes on one thread or many.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::csv::{Columns, CsvTransactions, parse_transaction};
use super::{OnInvalid, ReadSummary};
use crate::aggregate::{Aggregator, PARTITIONS, RowBatch, Splitter};
use crate::csv_lines::{KEPT_PREFIX_BYTES, MAX_RECORD_BYTES, Records};
use crate::dates::{day_number, parse_date};
use crate::error::{Error, Reject};
use crate::money::parse_amount_bytes;
use crate::profile::MAX_ID_BYTES;

/// The default size of a piece: big enough that per-piece costs vanish, small enough
/// that a batch of them per thread stays in a few megabytes.
pub(crate) const PIECE_BYTES: usize = 1 << 20;

/// Pieces per thread in a batch.
const PIECES_PER_THREAD: usize = 4;

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
}

impl<R: Read> Pieces<R> {
    fn read_more(&mut self) -> io::Result<usize> {
        let start = self.pending.len();
        self.pending.resize(start + READ_BYTES, 0);
        let n = loop {
            match self.reader.read(&mut self.pending[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.pending.truncate(start);
                    return Err(e);
                }
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
                    let rest = self.pending.split_off(searched + i + 1);
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
    width: usize,
    splitter: &'a Splitter,
    first_day: i32,
    last_day: i32,
}

impl Reading<'_> {
    fn parse(&self, piece: Piece) -> Parsed {
        let mut parsed = Parsed {
            batches: (0..self.splitter.partitions())
                .map(|_| RowBatch::default())
                .collect(),
            ..Parsed::default()
        };
        let bytes = match piece {
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
                return parsed;
            }
            Piece::Lines(bytes) => bytes,
        };
        let mut records = Records::of_lines(bytes);
        // The last date field seen and its day: dates repeat from row to row.
        let mut last_date: (Vec<u8>, i32) = (Vec::new(), 0);
        while let Some(row) = records.next_row(self.origin, self.width) {
            let row = match row {
                Ok(row) => row,
                Err(Error::Reject(reject)) => {
                    parsed.read += 1;
                    parsed.rejects.push(*reject);
                    continue;
                }
                Err(fatal) => {
                    parsed.fatal = Some(fatal);
                    break;
                }
            };
            parsed.read += 1;
            match self.fast_row(&row, &mut last_date) {
                Some((id, day, amount, scale)) => {
                    if day > self.first_day {
                        parsed.after_as_of += 1;
                    }
                    if day <= self.last_day {
                        parsed.batches[self.splitter.route(id)].push(id, day, amount, scale);
                    }
                }
                None => match parse_transaction(self.origin, self.columns, &row) {
                    Ok(tx) => {
                        let day = day_number(tx.date);
                        if day > self.first_day {
                            parsed.after_as_of += 1;
                        }
                        if day <= self.last_day {
                            let at = self.splitter.route(tx.customer_id.as_str().as_bytes());
                            parsed.batches[at].full.push((day, tx));
                        }
                    }
                    Err(Error::Reject(reject)) => parsed.rejects.push(*reject),
                    Err(fatal) => {
                        parsed.fatal = Some(fatal);
                        break;
                    }
                },
            }
        }
        parsed.lines = records.lines_read();
        parsed
    }

    /// The row's id, day and amount when it has the common shape (no profit or product
    /// column, an amount whose mantissa fits `i64`) and every field is valid; none
    /// otherwise, and [`parse_transaction`] decides (and names any reject).
    #[inline]
    fn fast_row<'r>(
        &self,
        row: &crate::csv_lines::Row<'r>,
        last_date: &mut (Vec<u8>, i32),
    ) -> Option<(&'r [u8], i32, i64, u8)> {
        if self.columns.profit.is_some() || self.columns.product.is_some() {
            return None;
        }
        let id = row.get(self.columns.customer_id).trim_ascii();
        if id.is_empty() || id.len() > MAX_ID_BYTES || std::str::from_utf8(id).is_err() {
            return None;
        }
        let raw_date = row.get(self.columns.date);
        let day = if raw_date == last_date.0.as_slice() {
            last_date.1
        } else {
            let day = day_number(parse_date(raw_date).ok()?);
            last_date.0.clear();
            last_date.0.extend_from_slice(raw_date);
            last_date.1 = day;
            day
        };
        let amount = parse_amount_bytes(row.get(self.columns.amount)).ok()?;
        let mantissa = i64::try_from(amount.mantissa()).ok()?;
        Some((id, day, mantissa, amount.scale() as u8))
    }
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
    let mut pieces = Pieces {
        reader,
        pending,
        eof,
        piece_bytes,
    };
    let per_batch = crate::parallel::threads().max(1) * PIECES_PER_THREAD;
    let mut batch = pieces.batch(per_batch).map_err(io_error)?;
    let sample = match &path {
        Some(path) => sample_file(path, columns.customer_id),
        None => sample_pieces(&batch, columns.customer_id),
    };
    aggregator.partition_by(sample.iter().map(Vec::as_slice), PARTITIONS);

    let mut summary = ReadSummary::default();
    let mut lines_before = header_lines;
    let mut after_as_of = 0;
    while !batch.is_empty() {
        let (periods, last_day, splitter, partitions) = aggregator.parts_mut();
        let reading = Reading {
            origin: &origin,
            columns,
            width,
            splitter,
            first_day: periods[0].day,
            last_day,
        };
        let current = std::mem::take(&mut batch);
        let (next, parsed) = crate::parallel::join(
            || pieces.batch(per_batch),
            || crate::parallel::map_owned(current, |piece| reading.parse(piece)),
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
        }
        let mut work: Vec<_> = partitions.iter_mut().zip(by_partition).collect();
        crate::parallel::for_each_mut(&mut work, |(partition, batches)| {
            for rows in batches.iter() {
                partition.absorb(periods, rows);
            }
        });
        batch = next.map_err(io_error)?;
    }
    aggregator.add_after_as_of(after_as_of);
    summary.after_as_of = after_as_of;
    Ok(summary)
}

/// Ids from lines spread over the whole file (only to cut ranges: a bad guess costs
/// balance, never correctness). Lines with a quote are passed over.
fn sample_file(path: &Path, id_column: usize) -> Vec<Vec<u8>> {
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
        ids.extend(sample_lines(&window[..n], id_column));
    }
    ids
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn sample_pieces(pieces: &[Piece], id_column: usize) -> Vec<Vec<u8>> {
    let mut ids = Vec::new();
    for piece in pieces {
        if let Piece::Lines(bytes) = piece {
            // Every line of a piece is whole: start at its first.
            let mut with_start = Vec::with_capacity(bytes.len().min(1 << 16) + 1);
            with_start.push(b'\n');
            with_start.extend_from_slice(&bytes[..bytes.len().min(1 << 16)]);
            ids.extend(sample_lines(&with_start, id_column));
        }
    }
    ids
}

/// The id field of every complete line after the first line end of `bytes`.
fn sample_lines(bytes: &[u8], id_column: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
    let start = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
    let end = memchr::memrchr(b'\n', bytes)
        .map_or(0, |i| i + 1)
        .max(start);
    bytes[start..end]
        .split(|&b| b == b'\n')
        .filter(|line| !line.contains(&b'"'))
        .filter_map(move |line| line.split(|&b| b == b',').nth(id_column))
        .map(|id| id.trim_ascii().to_vec())
        .filter(|id| !id.is_empty())
}
