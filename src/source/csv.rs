//! Transactions from CSV ([inputs](crate::definitions#inputs), [bad
//! input](crate::definitions#bad-input-and-rejects)), with a column mapping for files whose
//! headers differ (`CustomerID`, `InvoiceDate`, `Amount`).
//!
//! Rows are read as raw bytes and every field is validated here, by the amount grammar
//! ([inputs](crate::definitions#inputs)): the csv crate's serde path would turn a
//! numeric-looking amount into a float.
//!
//! # Example
//! ```
//! use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//!
//! let data = "InvoiceNo,CustomerID,InvoiceDate,Amount\n\
//!             536365,17850,2010-12-01 08:26:00,15.30\n\
//!             536366,17850,2010-12-01 08:28:00,11.10\n";
//! let mapping = ColumnMapping::parse("customer_id=CustomerID,date=InvoiceDate,amount=Amount")?;
//! let source = CsvTransactions::from_reader("online_retail.csv", data.as_bytes(), &mapping)?;
//! let builder = PopulationBuilder::new(date(2010, 12, 9));
//! let population = ingest(source, builder, OnInvalid::Fail, |_| {})?.population;
//! let p = population.get("17850").unwrap();
//! assert_eq!((p.frequency, p.transactions, p.recency_days), (1, 2, Some(8)));
//! assert_eq!(p.monetary.to_string(), "26.40");
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::fs::File;
use std::io::Read;
use std::path::Path;

use smol_str::SmolStr;

use super::Source;
use crate::csv_lines::{Dialect, Records, Row, read_header};
use crate::error::{ConfigError, Error, Reject};
pub use crate::format::ColumnMapping;
use crate::format::{AmountFormat, DateFormat, Decoding, Encoding, InputFormat};
use crate::profile::{CustomerId, Transaction};

/// The smallest and largest size of a piece the parallel reader cuts a file into by
/// default. Larger pieces bring more rows of each id range to its accumulators at a
/// time, so fewer of those rows find their customer out of the cache (on 10M rows /
/// 1M customers, 4 MiB pieces take 5 % less processor time than 1 MiB ones); but a
/// batch of pieces and their rows is held at once, so a small file keeps small pieces.
const PIECE_BYTES: std::ops::RangeInclusive<usize> = (1 << 20)..=(4 << 20);

/// The size of the pieces of a file of `len` bytes read on `threads` threads: about
/// a sixteenth of each thread's share, within [`PIECE_BYTES`]; the smallest for a
/// stream of unknown length.
pub(super) fn automatic_piece_bytes(len: Option<u64>, threads: usize) -> usize {
    let share = len.unwrap_or(0) / (16 * threads.max(1) as u64);
    usize::try_from(share)
        .unwrap_or(usize::MAX)
        .clamp(*PIECE_BYTES.start(), *PIECE_BYTES.end())
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Columns {
    pub(super) customer_id: usize,
    pub(super) date: usize,
    pub(super) amount: usize,
    pub(super) profit: Option<usize>,
    pub(super) product: Option<usize>,
}

/// Transactions read from CSV with a header (comma-separated, quotes as RFC 4180).
///
/// Extra columns are ignored. A row with a different number of fields than the header, an
/// empty or over-long id, a malformed date or an amount outside the amount grammar
/// ([inputs](crate::definitions#inputs)) is a [`Reject`] carrying the file, the line, the
/// field, the raw value and the reason.
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
/// use customer_tiering::PopulationBuilder;
/// use jiff::civil::date;
/// let data = "customer_id,date,amount,channel\nC1,2026-03-01,5.00,web\nC2,2026-03-01,7.00\n";
/// let mapping = ColumnMapping::default();
/// let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &mapping)?;
/// let mut rejects = Vec::new();
/// let builder = PopulationBuilder::new(date(2026, 3, 31));
/// let ingested = ingest(source, builder, OnInvalid::Skip, |r| rejects.push(r.clone()))?;
/// assert_eq!(ingested.population.len(), 1); // the extra `channel` column is ignored
/// assert_eq!(
///     rejects[0].to_string(),
///     r#"orders.csv: line 3, field "record": "C2,2026-03-01,7.00": expected 4 fields, found 3"#
/// );
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug)]
pub struct CsvTransactions<R> {
    pub(super) origin: String,
    pub(super) records: Records<Decoding<R>>,
    pub(super) fields: FieldFormat,
    pub(super) dialect: Dialect,
    pub(super) columns: Columns,
    pub(super) width: usize,
    /// The file, when opened by path: the parallel reader samples ids from it.
    pub(super) path: Option<std::path::PathBuf>,
    /// The size of the pieces the parallel reader cuts the file into; by default one
    /// that follows the file's length ([`automatic_piece_bytes`]).
    pub(super) piece_bytes: Option<usize>,
}

impl CsvTransactions<File> {
    /// Opens a file and reads its header.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::MissingColumn`] when the
    /// header lacks a mapped column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::{ColumnMapping, CsvTransactions, Source};
    /// use customer_tiering::Error;
    /// let path = std::env::temp_dir().join(format!("orders-{}.csv", std::process::id()));
    /// std::fs::write(&path, "customer_id,date,amount\nC1,2026-03-01,5.00\n")?;
    /// let mut source = CsvTransactions::from_path(&path, &ColumnMapping::default())?;
    /// assert_eq!(source.origin(), path.display().to_string()); // names the file in rejects
    /// assert_eq!(source.next_record().unwrap()?.amount.to_string(), "5.00");
    /// let missing = CsvTransactions::from_path("no/such/orders.csv", &ColumnMapping::default());
    /// assert!(matches!(missing, Err(Error::Io { .. })));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>, mapping: &ColumnMapping) -> Result<Self, Error> {
        CsvTransactions::open(path, mapping, &InputFormat::default())
    }

    /// Opens a file written in a declared `format` (delimiter, separators, date
    /// pattern, encoding …) and reads its header.
    ///
    /// # Errors
    /// As [`from_path`](Self::from_path); [`Error::Config`] for a format whose keys
    /// clash.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputProfile;
    /// use customer_tiering::source::{CsvTransactions, Source};
    /// let path = std::env::temp_dir().join(format!("export-{}.csv", std::process::id()));
    /// std::fs::write(&path, "Kunde;Datum;Betrag\nK1;31.12.2024;1.890,50\n")?;
    /// let profile = InputProfile::from_toml(r#"
    ///     delimiter = ";"
    ///     decimal_separator = ","
    ///     thousands_separator = "."
    ///     date_format = "%d.%m.%Y"
    ///     [columns]
    ///     customer_id = "Kunde"
    ///     date = "Datum"
    ///     amount = "Betrag"
    /// "#)?;
    /// let (format, _) = profile.formats()?;
    /// let mut source = CsvTransactions::open(&path, profile.columns(), &format)?;
    /// let tx = source.next_record().unwrap()?;
    /// assert_eq!((tx.date.to_string(), tx.amount.to_string()), ("2024-12-31".into(), "1890.50".into()));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(
        path: impl AsRef<Path>,
        mapping: &ColumnMapping,
        format: &InputFormat,
    ) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let origin = path.display().to_string();
        let mut source = CsvTransactions::with_format(&origin, file, mapping, format)?;
        source.path = Some(path.to_path_buf());
        Ok(source)
    }
}

impl<R: Read> CsvTransactions<R> {
    /// Reads the header from any reader; `origin` names the source in rejects.
    ///
    /// # Errors
    /// [`Error::Io`] when the header cannot be read; [`Error::MissingColumn`] when it
    /// lacks a mapped column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::{ColumnMapping, CsvTransactions, Source};
    /// let mapping = ColumnMapping::default();
    /// let header = "customer_id,date,amount\n";
    /// let source = CsvTransactions::from_reader("upload", header.as_bytes(), &mapping)?;
    /// assert_eq!(source.origin(), "upload");
    /// let err = CsvTransactions::from_reader("upload", "id,date,amount\n".as_bytes(), &mapping)
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"upload: missing required column "customer_id" (header: id,date,amount)"#
    /// );
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_reader(origin: &str, reader: R, mapping: &ColumnMapping) -> Result<Self, Error> {
        CsvTransactions::with_format(origin, reader, mapping, &InputFormat::default())
    }

    /// Reads the header of a reader written in a declared `format`; `origin` names the
    /// source in rejects.
    ///
    /// # Errors
    /// As [`from_reader`](Self::from_reader); [`Error::Config`] for a format whose keys
    /// clash; [`Error::Io`] for a UTF-16 file without a byte-order mark. A missing
    /// column's error carries hints from the first lines (another delimiter, a date
    /// shape), but nothing is read with a format that was not declared.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputFormat;
    /// use customer_tiering::source::{ColumnMapping, CsvTransactions};
    /// let data = "customer_id;date;amount\nC1;2024-12-31;12,50\n";
    /// let err = CsvTransactions::with_format("export.csv", data.as_bytes(), &ColumnMapping::default(), &InputFormat::default())
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "export.csv: missing required column \"customer_id\" (header: customer_id;date;amount); \
    ///      the header has 2 \";\" and no \",\": is the delimiter \";\"?; \
    ///      amounts look like \"12,50\": set the decimal separator \",\" (and the thousands separator, if any)"
    /// );
    /// ```
    pub fn with_format(
        origin: &str,
        reader: R,
        mapping: &ColumnMapping,
        format: &InputFormat,
    ) -> Result<Self, Error> {
        // Transactions are one line each (see `definitions`, bad input): a stray quote
        // costs one line.
        let (mut records, names) = open_records(origin, reader, format, false)?;
        let missing = |name: &str, records: &mut Records<Decoding<R>>| {
            let hints = first_lines_hints(records, &names, format);
            Error::MissingColumn {
                source_name: origin.to_string(),
                column: name.to_string(),
                header: names.join(","),
                hints: hints.into(),
            }
        };
        let columns = find_columns(&names, mapping, |name| missing(name, &mut records))?;
        Ok(CsvTransactions {
            origin: origin.to_string(),
            records,
            fields: FieldFormat::of(format),
            dialect: dialect(format),
            columns,
            width: names.len(),
            path: None,
            piece_bytes: None,
        })
    }

    /// Sets the size of the pieces [`ingest_csv`](super::ingest_csv) reads in parallel
    /// (whole lines, at least one per piece). The result never depends on it; it is
    /// here for tests and tuning.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use customer_tiering::source::{ingest_csv, ColumnMapping, CsvTransactions, OnInvalid};
    /// use jiff::civil::date;
    /// let data = "customer_id,date,amount\nC1,2026-03-01,5\nC2,2026-03-02,x\nC1,2026-03-03,1\n";
    /// let mut rejects = Vec::new();
    /// let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &ColumnMapping::default())?
    ///     .piece_bytes(1); // one line per piece
    /// let mut aggregator = Aggregator::new(date(2026, 3, 31));
    /// let read = ingest_csv(source, &mut aggregator, OnInvalid::Skip, |r| rejects.push(r.to_string()))?;
    /// assert_eq!((read.read, read.rejected), (3, 1));
    /// assert!(rejects[0].starts_with("orders.csv: line 3, field \"amount\""));
    /// assert_eq!(aggregator.finish()?.get("C1").unwrap().frequency, 2);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn piece_bytes(mut self, bytes: usize) -> Self {
        self.piece_bytes = Some(bytes.max(1));
        self
    }
}

/// The column of each field in a header, by the mapping; `missing` makes the error of
/// a required column that is not there. Shared by every transactions source with a
/// header.
///
/// # Errors
/// `missing`'s error; [`ConfigError::Columns`] when two fields are mapped to one column.
pub(super) fn find_columns(
    names: &[String],
    mapping: &ColumnMapping,
    mut missing: impl FnMut(&str) -> Error,
) -> Result<Columns, Error> {
    let find = |name: &str| names.iter().position(|n| n == name);
    let mut require = |name: &str| find(name).ok_or_else(|| missing(name));
    let customer_id = require(&mapping.customer_id)?;
    let date = require(&mapping.date)?;
    let amount = require(&mapping.amount)?;
    let mut optional = |name: &str, explicit: bool| match explicit {
        true => require(name).map(Some),
        false => Ok(find(name)),
    };
    let columns = Columns {
        customer_id,
        date,
        amount,
        profit: optional(&mapping.profit, mapping.explicit[0])?,
        product: optional(&mapping.product, mapping.explicit[1])?,
    };
    // One column read as two fields is a mapping mistake, never data to reject.
    let fields = [
        ("customer_id", Some(columns.customer_id)),
        ("date", Some(columns.date)),
        ("amount", Some(columns.amount)),
        ("profit", columns.profit),
        ("product", columns.product),
    ];
    for (i, (first, at)) in fields.iter().enumerate() {
        if let Some((second, _)) = fields[i + 1..]
            .iter()
            .find(|(_, other)| at.is_some() && other == at)
        {
            return Err(ConfigError::Columns {
                reason: format!(
                    "fields {first:?} and {second:?} are both mapped to the column {:?}",
                    names[at.unwrap_or_default()]
                ),
            }
            .into());
        }
    }
    Ok(columns)
}

/// The delimiter and quote of a format.
pub(super) fn dialect(format: &InputFormat) -> Dialect {
    Dialect {
        delimiter: format.delimiter,
        quote: format.quote,
        marks_malformed: format.encoding != Encoding::Utf8,
    }
}

/// The records of a reader in a declared format, decoded to UTF-8, and its header;
/// with `spans_lines`, a quoted field may hold line breaks.
///
/// # Errors
/// [`Error::Config`] for a format whose keys clash; [`Error::Io`] for a UTF-16 file
/// without a byte-order mark; as [`read_header`] for the header.
pub(super) fn open_records<R: Read>(
    origin: &str,
    reader: R,
    format: &InputFormat,
    spans_lines: bool,
) -> Result<(Records<Decoding<R>>, Vec<String>), Error> {
    format.check()?;
    let reader = Decoding::new(reader, format.encoding).map_err(|source| Error::Io {
        path: origin.into(),
        source,
    })?;
    let mut records = Records::with_dialect(reader, spans_lines, dialect(format));
    let names = read_header(origin, &mut records)?;
    Ok((records, names))
}

/// Hints for a header that lacks a column, from the header and up to five more lines.
pub(super) fn first_lines_hints<R: Read>(
    records: &mut Records<R>,
    names: &[String],
    format: &InputFormat,
) -> Vec<String> {
    let header = names.join(&char::from(format.delimiter).to_string());
    let mut lines: Vec<Vec<u8>> = Vec::new();
    while lines.len() < 5 {
        match records.next_record(crate::csv_lines::MAX_COLUMNS) {
            Ok(Some(crate::csv_lines::Record::Row(row))) => lines.push(row.raw.to_vec()),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    let lines: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    crate::format::hints(header.as_bytes(), &lines, format)
}

/// How the fields of a record are read: amounts and dates by the declared format.
#[derive(Debug, Clone)]
pub(super) struct FieldFormat {
    amount: AmountFormat,
    date: DateFormat,
}

impl FieldFormat {
    pub(super) fn of(format: &InputFormat) -> Self {
        FieldFormat {
            amount: format.amount_format(),
            date: format.date_format.clone(),
        }
    }

    /// Whether amounts and dates are in the crate's own format, read by its parsers
    /// alone.
    pub(super) fn is_plain(&self) -> bool {
        self.amount.is_plain() && self.date.is_plain()
    }

    /// How amounts are written.
    pub(super) fn amounts(&self) -> &AmountFormat {
        &self.amount
    }

    /// An amount (or profit), exactly.
    pub(super) fn amount(
        &self,
        raw: &[u8],
    ) -> Result<rust_decimal::Decimal, impl std::fmt::Display + use<>> {
        self.amount.read(raw)
    }

    /// A date.
    pub(super) fn date(
        &self,
        raw: &[u8],
    ) -> Result<jiff::civil::Date, impl std::fmt::Display + use<>> {
        self.date.read(raw)
    }
}

/// One transaction from a row of the expected width, or the reject that names the
/// first field that fails.
pub(super) fn parse_transaction(
    origin: &str,
    c: Columns,
    fields: &FieldFormat,
    row: &Row<'_>,
) -> Result<Transaction, Error> {
    let line = row.line;
    let reject = |field: &str, raw: &[u8], reason: &dyn std::fmt::Display| -> Error {
        Reject::of_field(origin, line, field, raw, reason).into()
    };
    let field = |i: usize| row.get(i);
    let customer_id = CustomerId::from_bytes(field(c.customer_id))
        .map_err(|e| reject("customer_id", field(c.customer_id), &e))?;
    let date = fields
        .date(field(c.date))
        .map_err(|e| reject("date", field(c.date), &e))?;
    let amount = fields
        .amount(field(c.amount))
        .map_err(|e| reject("amount", field(c.amount), &e))?;
    let profit = match c
        .profit
        .map(field)
        .filter(|raw| !raw.trim_ascii().is_empty())
    {
        Some(raw) => Some(fields.amount(raw).map_err(|e| reject("profit", raw, &e))?),
        None => None,
    };
    let product = match c
        .product
        .map(field)
        .filter(|raw| !raw.trim_ascii().is_empty())
    {
        Some(raw) => Some(SmolStr::new(
            std::str::from_utf8(raw.trim_ascii())
                .map_err(|_| reject("product", raw, &"not valid UTF-8"))?,
        )),
        None => None,
    };
    Ok(Transaction {
        customer_id,
        date,
        amount,
        profit,
        product,
    })
}

impl<R: Read> Source for CsvTransactions<R> {
    type Record = Transaction;

    fn origin(&self) -> &str {
        &self.origin
    }

    fn next_record(&mut self) -> Option<Result<Transaction, Error>> {
        let row = self.records.next_row(&self.origin, self.width)?;
        Some(row.and_then(|row| parse_transaction(&self.origin, self.columns, &self.fields, &row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_follow_the_file_length_within_their_bounds() {
        const MIB: u64 = 1 << 20;
        let (least, most) = (*PIECE_BYTES.start(), *PIECE_BYTES.end());
        assert_eq!(automatic_piece_bytes(None, 2), least);
        assert_eq!(automatic_piece_bytes(Some(26 * MIB), 2), least);
        assert_eq!(automatic_piece_bytes(Some(96 * MIB), 2), 3 << 20);
        assert_eq!(automatic_piece_bytes(Some(96 * MIB), 0), most);
        assert_eq!(automatic_piece_bytes(Some(261 * MIB), 2), most);
        assert_eq!(automatic_piece_bytes(Some(u64::MAX), 1), most);
    }

    fn read_all(data: &str, mapping: &ColumnMapping) -> Vec<Result<Transaction, String>> {
        let mut source = CsvTransactions::from_reader("t.csv", data.as_bytes(), mapping).unwrap();
        std::iter::from_fn(|| source.next_record())
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn every_kind_of_bad_record_names_line_field_value_and_reason() {
        let data = "customer_id,date,amount\n\
                    C1,2026-01-01,1.00\n\
                    ,2026-01-01,1.00\n\
                    C2,2026-02-30,1.00\n\
                    C3,2026-01-01,\"1,000\"\n\
                    C4,2026-01-01\n\
                    C5,2026-01-01,1,extra\n\
                    C6,2026-01-01 10:00:00,-0.50\n";
        let got = read_all(data, &ColumnMapping::default());
        let errors: Vec<&str> = got
            .iter()
            .filter_map(|r| r.as_ref().err().map(String::as_str))
            .collect();
        assert_eq!(
            errors,
            [
                r#"t.csv: line 3, field "customer_id": "": empty customer id"#,
                r#"t.csv: line 4, field "date": "2026-02-30": no such calendar day"#,
                r#"t.csv: line 5, field "amount": "1,000": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)"#,
                r#"t.csv: line 6, field "record": "C4,2026-01-01": expected 3 fields, found 2"#,
                r#"t.csv: line 7, field "record": "C5,2026-01-01,1,extra": expected 3 fields, found 4"#,
            ]
        );
        let last = got.last().unwrap().as_ref().unwrap();
        assert_eq!(
            (last.customer_id.as_str(), last.amount.to_string().as_str()),
            ("C6", "-0.50")
        );
    }

    #[test]
    fn mapping_bom_and_optional_columns() {
        let data = "\u{feff}InvoiceNo,CustomerID,InvoiceDate,Amount,product\n1,17850,2010-12-01 08:26:00,15.30,A\n";
        let mapping =
            ColumnMapping::parse("customer_id=CustomerID,date=InvoiceDate,amount=Amount").unwrap();
        let got = read_all(data, &mapping);
        let tx = got[0].as_ref().unwrap();
        assert_eq!(tx.customer_id.as_str(), "17850");
        assert_eq!(tx.product.as_deref(), Some("A"));
        assert_eq!(tx.profit, None);
    }

    #[test]
    fn one_column_mapped_to_two_fields_is_a_mapping_error() {
        let mapping = ColumnMapping::parse("date=Day,amount=Day").unwrap();
        let err = CsvTransactions::from_reader("t.csv", "customer_id,Day\n".as_bytes(), &mapping)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"column mapping: fields "date" and "amount" are both mapped to the column "Day""#
        );
    }

    #[test]
    fn a_missing_column_stops_with_the_header() {
        let err = CsvTransactions::from_reader(
            "t.csv",
            "id,date,amount\n".as_bytes(),
            &ColumnMapping::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"t.csv: missing required column "customer_id" (header: id,date,amount)"#
        );
        let explicit = ColumnMapping::parse("profit=margin").unwrap();
        let err = CsvTransactions::from_reader(
            "t.csv",
            "customer_id,date,amount\n".as_bytes(),
            &explicit,
        )
        .unwrap_err();
        assert!(err.to_string().contains("\"margin\""));
    }
}
