//! Errors, rejected records and where they came from ([bad
//! input](crate::definitions#bad-input-and-rejects)).
//!
//! One public [`Error`] type composes every failure of the crate. A record that fails
//! validation becomes a [`Reject`]: under the `fail` policy it stops the run as
//! [`Error::Reject`], under `skip` it is handed to the caller and counted.
//!
//! # Example
//! ```
//! use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
//! use customer_tiering::{Error, PopulationBuilder};
//! use jiff::civil::date;
//!
//! let data = "customer_id,date,amount\nC1,2026-03-01,5.00\nC2,2026-02-30,7.00\n";
//! let mapping = ColumnMapping::default();
//! let as_of = PopulationBuilder::new(date(2026, 3, 31));
//! // `skip`: every reject goes to the callback, and the run goes on.
//! let mut rejects = Vec::new();
//! let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &mapping)?;
//! let ingested = ingest(source, as_of.clone(), OnInvalid::Skip, |r| rejects.push(r.clone()))?;
//! assert_eq!((ingested.population.len(), rejects[0].field()), (1, "date"));
//! // `fail`: the first reject stops the run as `Error::Reject`.
//! let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &mapping)?;
//! let Err(Error::Reject(reject)) = ingest(source, as_of, OnInvalid::Fail, |_| {}) else {
//!     panic!("expected a reject");
//! };
//! assert_eq!(*reject, rejects[0]);
//! assert_eq!(
//!     reject.to_string(),
//!     r#"orders.csv: line 3, field "date": "2026-02-30": no such calendar day"#
//! );
//! # Ok::<(), Error>(())
//! ```

use std::fmt;
use std::path::PathBuf;

/// Where a record came from: the name of its source and its [`Position`] there — a
/// physical line of a file, the number of a record of a stream, the key of a row of
/// a database table, or a cell of a workbook's sheet.
///
/// Displays as `orders.csv: line 17`, `queue: record 9`, `crm.sqlite: table orders,
/// row 42` or `orders.xlsx: Orders!C17`. Serialised with the source beside one key
/// naming the position: `{"source":"orders.csv","line":17}`,
/// `{"source":"queue","record":9}`,
/// `{"source":"crm.sqlite","row":{"table":"orders","key":"42"}}`,
/// `{"source":"orders.xlsx","cell":{"sheet":"Orders","cell":"C17"}}`.
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
/// use customer_tiering::error::Position;
/// use customer_tiering::{Error, Location, PopulationBuilder};
/// # use jiff::civil::date;
/// let data = "customer_id,date,amount\nC1,2026-03-01,5\nC2,2026-03-01,5 EUR\n";
/// let mapping = ColumnMapping::default();
/// let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &mapping)?;
/// let builder = PopulationBuilder::new(date(2026, 3, 31));
/// let Err(Error::Reject(reject)) = ingest(source, builder, OnInvalid::Fail, |_| {}) else {
///     panic!("expected a reject");
/// };
/// assert_eq!(reject.location(), &Location::line("orders.csv", 3)); // the header is line 1
/// assert_eq!(reject.location().position(), &Position::Line(3));
/// assert_eq!(reject.location().to_string(), "orders.csv: line 3");
/// // Sources that are not files say where in their own terms.
/// assert_eq!(Location::record("queue", 9).to_string(), "queue: record 9");
/// let row = Location::row("crm.sqlite", "orders", 42);
/// assert_eq!(row.to_string(), "crm.sqlite: table orders, row 42");
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Location {
    source: String,
    #[serde(flatten)]
    position: Position,
}

impl Location {
    /// A record of a file: `line` is the 1-based physical line where it starts, the header
    /// being line 1 (as csv's `Position::line()` counts; [bad
    /// input](crate::definitions#bad-input-and-rejects)). What every CSV source of this
    /// crate gives.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::error::Position;
    /// use customer_tiering::Location;
    /// let location = Location::line("orders.csv", 17);
    /// assert_eq!((location.source(), location.position()), ("orders.csv", &Position::Line(17)));
    /// assert_eq!(location.to_string(), "orders.csv: line 17");
    /// ```
    pub fn line(source: impl Into<String>, line: u64) -> Location {
        Location {
            source: source.into(),
            position: Position::Line(line),
        }
    }

    /// A record of a source without lines — data in memory, a stream, a message queue,
    /// an API — by its 1-based number in the order the source yields them.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Location;
    /// assert_eq!(Location::record("memory", 3).to_string(), "memory: record 3");
    /// ```
    pub fn record(source: impl Into<String>, record: u64) -> Location {
        Location {
            source: source.into(),
            position: Position::Record(record),
        }
    }

    /// A row of a database table, by its key (a rowid, a primary key; a key of several
    /// columns written as the application chooses).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::error::Position;
    /// use customer_tiering::Location;
    /// let location = Location::row("crm.sqlite", "orders", 42);
    /// assert_eq!(location.to_string(), "crm.sqlite: table orders, row 42");
    /// let Position::Row { table, key } = location.position() else { unreachable!() };
    /// assert_eq!((table.as_str(), key.as_str()), ("orders", "42"));
    /// ```
    pub fn row(
        source: impl Into<String>,
        table: impl Into<String>,
        key: impl ToString,
    ) -> Location {
        Location {
            source: source.into(),
            position: Position::Row {
                table: table.into(),
                key: key.to_string(),
            },
        }
    }

    /// A cell of a workbook's sheet, `cell` in A1 style: the column's
    /// letters and the 1-based row. Displays as a spreadsheet writes a reference to it,
    /// the sheet's name quoted when it is not a plain word (`'Q1 orders'!C17`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::error::Position;
    /// use customer_tiering::Location;
    /// let location = Location::cell("orders.xlsx", "Orders", "C17");
    /// assert_eq!(location.to_string(), "orders.xlsx: Orders!C17");
    /// let Position::Cell { sheet, cell } = location.position() else { unreachable!() };
    /// assert_eq!((sheet.as_str(), cell.as_str()), ("Orders", "C17"));
    /// assert_eq!(Location::cell("q.ods", "Q1 orders", "A2").to_string(), "q.ods: 'Q1 orders'!A2");
    /// ```
    pub fn cell(
        source: impl Into<String>,
        sheet: impl Into<String>,
        cell: impl Into<String>,
    ) -> Location {
        Location {
            source: source.into(),
            position: Position::Cell {
                sheet: sheet.into(),
                cell: cell.into(),
            },
        }
    }

    /// The source's name: a file path, `memory`, or what a [`Source`](crate::source::Source)
    /// gives as its [`origin`](crate::source::Source::origin).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Location;
    /// assert_eq!(Location::line("orders.csv", 2).source(), "orders.csv");
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where in the source the record is.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::error::Position;
    /// use customer_tiering::Location;
    /// assert_eq!(Location::record("memory", 3).position(), &Position::Record(3));
    /// ```
    pub fn position(&self) -> &Position {
        &self.position
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.position)
    }
}

/// Where in its source a record is (see [`Location`]).
///
/// # Example
/// ```
/// use customer_tiering::error::Position;
/// let shown = [
///     Position::Line(17),
///     Position::Record(9),
///     Position::Row { table: "orders".into(), key: "42".into() },
///     Position::Cell { sheet: "Orders".into(), cell: "C17".into() },
/// ]
/// .map(|p| p.to_string());
/// assert_eq!(shown, ["line 17", "record 9", "table orders, row 42", "Orders!C17"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Position {
    /// The 1-based physical line of a file where the record starts, the header being
    /// line 1 ([bad input](crate::definitions#bad-input-and-rejects)).
    Line(u64),
    /// The 1-based number of the record, in the order its source yields them.
    Record(u64),
    /// A row of a database table.
    Row {
        /// The table.
        table: String,
        /// The row's key, as text.
        key: String,
    },
    /// A cell of a workbook's sheet.
    Cell {
        /// The sheet's name.
        sheet: String,
        /// The cell in A1 style: column letters, then the 1-based row (`C17`).
        cell: String,
    },
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(line) => write!(f, "line {line}"),
            Position::Record(record) => write!(f, "record {record}"),
            Position::Row { table, key } => write!(f, "table {table}, row {key}"),
            Position::Cell { sheet, cell } => {
                if plain_sheet_name(sheet) {
                    write!(f, "{sheet}!{cell}")
                } else {
                    write!(f, "'{}'!{cell}", sheet.replace('\'', "''"))
                }
            }
        }
    }
}

/// Whether a sheet's name can stand unquoted before `!` in a cell reference, as a
/// spreadsheet writes it: letters, digits and `_`, not starting with a digit, and not
/// itself a cell reference (a sheet named `A1` or `Q1` would read as one).
fn plain_sheet_name(name: &str) -> bool {
    let looks_like_a_cell = {
        let letters = name.bytes().take_while(u8::is_ascii_alphabetic).count();
        let rest = &name.as_bytes()[letters..];
        (1..=3).contains(&letters) && !rest.is_empty() && rest.iter().all(u8::is_ascii_digit)
    };
    name.chars().next().is_some_and(|c| !c.is_ascii_digit())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !looks_like_a_cell
}

/// A record rejected by validation: where, which field, the raw value and why.
///
/// Displays as `orders.csv: line 17, field "amount": "12,50": not a decimal …`. The value
/// is shown as [`shown_value`] shows it and the reason cut as [`cut_reason`] cuts it,
/// whoever built the reject, so that no reject grows with its input ([bad
/// input](crate::definitions#bad-input-and-rejects)).
///
/// # Example
/// ```
/// use customer_tiering::{Error, Location, Reject};
/// // What a `Source` yields for a row that fails validation.
/// let reject = Reject::new(Location::line("orders.csv", 17), "amount", "12,50", "not a decimal");
/// assert_eq!((reject.field(), reject.value(), reject.reason()), ("amount", "12,50", "not a decimal"));
/// let error = Error::from(reject);
/// assert!(matches!(&error, Error::Reject(r) if r.location() == &Location::line("orders.csv", 17)));
/// assert_eq!(error.to_string(), r#"orders.csv: line 17, field "amount": "12,50": not a decimal"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reject {
    location: Location,
    field: String,
    value: String,
    reason: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, field {:?}: {:?}: {}",
            self.location, self.field, self.value, self.reason
        )
    }
}

impl std::error::Error for Reject {}

impl Reject {
    /// Moves a reject found in a piece of a file to its line in the whole file.
    pub(crate) fn shift_line(&mut self, lines_before: u64) {
        if let Position::Line(line) = &mut self.location.position {
            *line += lines_before;
        }
    }

    /// A rejected record: where it is, the field that failed (or `record` for the whole
    /// row), the raw value as read — text or bytes, decoded lossily when not UTF-8 and
    /// cut as [`shown_value`] cuts — and why (cut as [`cut_reason`] cuts).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::{ingest, OnInvalid, Source};
    /// use customer_tiering::{CustomerId, Error, Location, PopulationBuilder, Reject, Transaction};
    /// use jiff::civil::date;
    ///
    /// // Rows of a database table `orders`, keyed by rowid; one has no customer.
    /// struct Orders(std::vec::IntoIter<(i64, &'static str, &'static str)>);
    ///
    /// impl Source for Orders {
    ///     type Record = Transaction;
    ///     fn origin(&self) -> &str {
    ///         "crm.sqlite"
    ///     }
    ///     fn next_record(&mut self) -> Option<Result<Transaction, Error>> {
    ///         let (rowid, customer, amount) = self.0.next()?;
    ///         let at = Location::row(self.origin(), "orders", rowid);
    ///         Some(match CustomerId::new(customer) {
    ///             Ok(id) => Ok(Transaction::new(id, date(2026, 3, 1), amount.parse().unwrap())),
    ///             Err(e) => Err(Reject::new(at, "customer_id", customer, e).into()),
    ///         })
    ///     }
    /// }
    ///
    /// let rows = vec![(41, "C1", "9.90"), (42, "", "5.00")];
    /// let mut rejects = Vec::new();
    /// let builder = PopulationBuilder::new(date(2026, 3, 31));
    /// let ingested = ingest(Orders(rows.into_iter()), builder, OnInvalid::Skip, |r| {
    ///     rejects.push(r.to_string())
    /// })?;
    /// assert_eq!(ingested.summary.rejected, 1);
    /// assert_eq!(
    ///     rejects,
    ///     [r#"crm.sqlite: table orders, row 42, field "customer_id": "": empty customer id"#]
    /// );
    /// // A value of any length costs at most 200 bytes and its length.
    /// let long = Reject::new(Location::record("queue", 1), "note", "x".repeat(5000), "too long");
    /// assert!(long.value().ends_with("… (5000 bytes)"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(
        location: Location,
        field: impl Into<String>,
        value: impl AsRef<[u8]>,
        reason: impl fmt::Display,
    ) -> Reject {
        let value = value.as_ref();
        Reject {
            location,
            field: field.into(),
            value: shown_value(value, value.len() as u64),
            reason: cut_reason(reason.to_string()),
        }
    }

    /// Where the record is.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{Location, Reject};
    /// let reject = Reject::new(Location::record("memory", 2), "date", "2026-02-30", "no such day");
    /// assert_eq!(reject.location().to_string(), "memory: record 2");
    /// ```
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The field that failed (`customer_id`, `date`, `amount`, …), or `record` for a
    /// problem with the whole row (a wrong number of fields, a record too long).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{Location, Reject};
    /// let reject = Reject::new(Location::line("orders.csv", 5), "record", "C1,2026-03-01", "expected 3 fields, found 2");
    /// assert_eq!(reject.field(), "record");
    /// ```
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The raw value as read, lossily decoded when it is not UTF-8 and cut to its first 200
    /// bytes, `…` and its length when longer ([bad
    /// input](crate::definitions#bad-input-and-rejects)); for `record` problems, the whole
    /// row as it stood.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{Location, Reject};
    /// let reject = Reject::new(Location::line("orders.csv", 3), "amount", b"12\xFF", "not a decimal");
    /// assert_eq!(reject.value(), "12\u{FFFD}");
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Why the record was rejected.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{Location, Reject};
    /// let reject = Reject::new(Location::line("orders.csv", 3), "amount", "1e3", "not a decimal");
    /// assert_eq!(reject.reason(), "not a decimal");
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// A rejected field of a CSV row: the raw bytes kept (lossily, if not UTF-8) so
    /// that the reject shows what the file held, cut as [`shown_value`] cuts.
    pub(crate) fn of_field(
        source: &str,
        line: u64,
        field: &str,
        raw: &[u8],
        reason: impl ToString,
    ) -> Reject {
        Reject::of_prefix(source, line, field, raw, raw.len() as u64, reason)
    }

    /// A rejected cell of a workbook: `cell` in A1 style, `shown` the cell's value as
    /// text (cut as [`shown_value`] cuts).
    #[cfg_attr(not(feature = "workbooks"), allow(dead_code))]
    pub(crate) fn of_cell(
        source: &str,
        sheet: &str,
        cell: String,
        field: &str,
        shown: &str,
        reason: impl fmt::Display,
    ) -> Reject {
        Reject::new(Location::cell(source, sheet, cell), field, shown, reason)
    }

    /// A rejected field or record of a CSV file of which only the first bytes, `prefix`,
    /// were kept from its `len` bytes.
    pub(crate) fn of_prefix(
        source: &str,
        line: u64,
        field: &str,
        prefix: &[u8],
        len: u64,
        reason: impl ToString,
    ) -> Reject {
        Reject {
            location: Location::line(source, line),
            field: field.to_string(),
            value: shown_value(prefix, len),
            reason: reason.to_string(),
        }
    }
}

/// The most bytes of an error's reason kept: a parser's message quotes the input, and a
/// hostile file's one line may be 200 MB long.
///
/// # Example
/// ```
/// use customer_tiering::error::{cut_reason, MAX_REASON_BYTES};
/// assert_eq!(cut_reason("x".repeat(MAX_REASON_BYTES)).len(), MAX_REASON_BYTES);
/// ```
pub const MAX_REASON_BYTES: usize = 1000;

/// `reason` cut to [`MAX_REASON_BYTES`] (at a character boundary), then `…` and its
/// full length, so that no error message — nor a line on stderr — grows with the input.
///
/// # Example
/// ```
/// use customer_tiering::error::cut_reason;
/// assert_eq!(cut_reason("bad rule".into()), "bad rule");
/// let quoted = format!("expected a quoted string, found {}", "9".repeat(5000));
/// assert!(cut_reason(quoted).ends_with("… (5032 bytes)"));
/// ```
pub fn cut_reason(reason: String) -> String {
    if reason.len() <= MAX_REASON_BYTES {
        return reason;
    }
    cut(reason.as_bytes(), reason.len() as u64, MAX_REASON_BYTES)
}

/// An [`Error::Parse`] for a TOML document that does not parse: one line, `line L,
/// column C: message` (the parser's own display quotes the whole offending line in a
/// drawing over several lines).
pub(crate) fn toml_error(what: &str, text: &str, error: &toml::de::Error) -> Error {
    let reason = match error.span() {
        Some(span) => {
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            format!(
                "line {line}, column {column}: {}",
                error.message().trim_end()
            )
        }
        None => error.message().trim_end().to_string(),
    };
    parse_error(what, reason)
}

/// An [`Error::Parse`] of `what`, its reason cut as [`cut_reason`] cuts.
pub(crate) fn parse_error(what: &str, reason: impl fmt::Display) -> Error {
    Error::Parse {
        what: what.to_string(),
        reason: cut_reason(reason.to_string()),
        source: None,
    }
}

/// The text of an embedded preset file by key, or the error listing the known keys.
pub(crate) fn embedded_preset<'a>(
    files: &[(&str, &'a str)],
    key: &str,
) -> Result<&'a str, ConfigError> {
    files
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, text)| *text)
        .ok_or_else(|| ConfigError::UnknownPreset {
            key: key.to_string(),
            known: files.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", "),
        })
}

/// The most bytes of a raw value a reject shows ([bad
/// input](crate::definitions#bad-input-and-rejects)).
///
/// # Example
/// ```
/// use customer_tiering::error::{shown_value, MAX_SHOWN_BYTES};
/// let value = "x".repeat(MAX_SHOWN_BYTES + 1);
/// assert!(shown_value(value.as_bytes(), value.len() as u64).ends_with("… (201 bytes)"));
/// ```
pub const MAX_SHOWN_BYTES: usize = 200;

/// A raw value as a reject shows it: whole when it has at most [`MAX_SHOWN_BYTES`]
/// bytes, else its first bytes (up to 200, not splitting a character), `…` and its full
/// length, so that a 50 MB field costs 200 bytes in `rejects.csv` and on stderr.
/// `raw` holds the value's first bytes, `len` its full length.
///
/// # Example
/// ```
/// use customer_tiering::error::shown_value;
/// assert_eq!(shown_value(b"12,50", 5), "12,50");
/// let long = "é".repeat(150); // 300 bytes
/// assert_eq!(shown_value(long.as_bytes(), 300), format!("{}… (300 bytes)", "é".repeat(100)));
/// ```
pub fn shown_value(raw: &[u8], len: u64) -> String {
    if len <= MAX_SHOWN_BYTES as u64 && raw.len() as u64 == len {
        return String::from_utf8_lossy(raw).into_owned();
    }
    cut(raw, len, MAX_SHOWN_BYTES)
}

/// The first bytes of `raw` (at most `max`, not splitting a character), `…` and the
/// full length `len` of what `raw` begins.
fn cut(raw: &[u8], len: u64, max: usize) -> String {
    let mut end = raw.len().min(max);
    // Back off to the start of a character cut in two, so that valid UTF-8 stays
    // valid; invalid bytes are shown lossily anyway.
    if let Err(e) = std::str::from_utf8(&raw[..end])
        && e.error_len().is_none()
    {
        end = e.valid_up_to();
    }
    format!("{}… ({len} bytes)", String::from_utf8_lossy(&raw[..end]))
}

/// A problem with settings, a segment map or a column mapping, found before any data is
/// classified.
///
/// # Example
/// ```
/// use customer_tiering::source::ColumnMapping;
/// use customer_tiering::{ConfigError, Error};
/// let err = ColumnMapping::parse("customer_id=CustomerID,amount").unwrap_err();
/// assert!(matches!(err, ConfigError::Columns { .. }));
/// assert_eq!(err.to_string(), r#"column mapping: "amount" is not of the form field=COLUMN"#);
/// let err = Error::from(err); // `?` does this in functions returning `Error`
/// assert!(matches!(err, Error::Config(ConfigError::Columns { .. })));
///
/// // Each problem is its own variant, with fields that name what is wrong.
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::error::{ColumnNameProblem, ColumnWriter};
/// use customer_tiering::PipelineBuilder;
/// let err = PipelineBuilder::new().classifier(ParetoParams::metals().column("monetary")).build();
/// let Err(Error::Config(ConfigError::ColumnName { column, writer, reason })) = err else {
///     panic!("expected a column name error");
/// };
/// assert_eq!((column.as_str(), writer, reason), ("monetary", ColumnWriter::Classifier, ColumnNameProblem::Metric));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A quantile bin count outside `2..=10`.
    #[error("bins must be in 2..=10, got {bins}")]
    Bins {
        /// The number asked for.
        bins: u32,
    },
    /// Band shares that are not positive or do not sum to exactly 100 % ([Pareto
    /// tiers](crate::definitions#pareto-tiers-and-abc)).
    #[error("bands {bands}: {reason}")]
    Bands {
        /// The bands as given, `name=share` joined with commas.
        bands: String,
        /// What is wrong with them.
        reason: String,
    },
    /// A segment map that cannot be used (bad range, wrong bins, unknown field).
    #[error("segment map {map:?}: {reason}")]
    SegmentMap {
        /// The map's name.
        map: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A column mapping that names an unknown field or repeats one.
    #[error("column mapping: {reason}")]
    Columns {
        /// What is wrong with it.
        reason: String,
    },
    /// An input format key ([`crate::format`]) with a value it cannot take, or keys that clash
    /// (a delimiter that is also the decimal separator).
    #[error("input format: {key} {value:?}: {reason}")]
    InputFormat {
        /// The key, as written in an input profile (`decimal_separator`).
        key: String,
        /// The value given.
        value: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// A pipeline without any classifier.
    #[error("pipeline: no classifier")]
    NoClassifier,
    /// An output column that cannot be written ([output
    /// safety](crate::definitions#output-safety)): a name must match `[a-z][a-z0-9_]*`, be
    /// no metric's nor `tags`, and be written by one classifier or rule set only.
    #[error("pipeline: {writer} writes the column {column:?}: {reason}")]
    ColumnName {
        /// The column as named.
        column: String,
        /// Who writes it.
        writer: ColumnWriter,
        /// What is wrong with it.
        reason: ColumnNameProblem,
    },
    /// Classifier settings that cannot work, named by the classifier's kind and column
    /// (`grade "grade": dimension "need" has a negative weight`). An application's own
    /// [`Classifier::validate`](crate::classify::Classifier::validate) returns it too.
    #[error("pipeline: {kind} {column:?}: {reason}")]
    Settings {
        /// The classifier's kind (`composite`, `grade`, `lifecycle` …).
        kind: &'static str,
        /// Its output column.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// A fitted model (read from a file, or edited) that contradicts itself or its
    /// settings, named by its kind and column (`pareto model "metal": thresholds are
    /// not ordered best first`). An application's own
    /// [`Model::validate`](crate::classify::Model::validate) returns it too.
    #[error("pipeline: {kind} model {column:?}: {reason}")]
    Model {
        /// The model's kind (`pareto`, `composite`, `grade` …).
        kind: &'static str,
        /// Its output column.
        column: String,
        /// What is inconsistent.
        reason: String,
    },
    /// A fitted model's cut points of one metric that are malformed or disagree with its
    /// settings (other bins or mode, the wrong direction).
    #[error("pipeline: {kind} model, {metric}: {reason}")]
    CutPoints {
        /// The model's kind (`rfm`).
        kind: &'static str,
        /// The metric the cut points rank (`recency_days` …).
        metric: &'static str,
        /// What is wrong with them.
        reason: String,
    },
    /// Cut points asked of no values at all
    /// ([`CutPoints::fit`](crate::classify::quantile::CutPoints::fit)).
    #[error("pipeline: cannot fit cut points on no values")]
    NoValues,
    /// A fit on order statistics computed elsewhere
    /// ([`FitStatistics`](crate::classify::statistics::FitStatistics)) met a classifier
    /// that reads more of the profiles than order statistics.
    #[error(
        "pipeline: {what}: this fit reads the profiles themselves, not order statistics; fit it on the profiles"
    )]
    NeedsProfiles {
        /// The classifier and what it reads.
        what: String,
    },
    /// A hysteresis margin outside `0 ≤ h < 1`
    /// ([hysteresis](crate::definitions#hysteresis)).
    #[error("pipeline: hysteresis must be a share in 0 <= h < 1, got {margin}")]
    HysteresisMargin {
        /// The margin asked for.
        margin: rust_decimal::Decimal,
    },
    /// Hysteresis asked of a model whose scores have no positions to hold back on:
    /// equal-count quantile scores split equal values.
    #[error("pipeline: hysteresis needs tie-aware quantile scores, not equal-count")]
    HysteresisNeedsTieAware {
        /// The model's kind (`rfm`).
        kind: &'static str,
    },
    /// A saved pipeline of a format version this crate does not read.
    #[error(
        "pipeline: the saved pipeline has format_version {found}; this version of the crate reads {supported} (fit it again)"
    )]
    Format {
        /// The version the file has.
        found: u32,
        /// The version this crate reads
        /// ([`FORMAT_VERSION`](crate::pipeline::FORMAT_VERSION)).
        supported: u32,
    },
    /// A saved pipeline without any model.
    #[error("pipeline: the saved pipeline has no model")]
    NoModel,
    /// A model of a saved pipeline that cannot be loaded: no kind, an unknown kind,
    /// fields its kind cannot read, or a model that does not validate (the cause kept).
    #[error("pipeline: saved model {model}: {reason}")]
    SavedModel {
        /// Its 1-based position in the file's `models`.
        model: usize,
        /// The kind it names, when it names one.
        kind: Option<String>,
        /// What is wrong (boxed: it keeps the error small).
        #[source]
        reason: Box<SavedModelProblem>,
    },
    /// Rules of a saved pipeline that cannot be loaded: an unknown kind, or fields its
    /// kind cannot read.
    #[error("pipeline: saved rule set {rules}: {reason}")]
    SavedRules {
        /// Their 1-based position in the file's `rules`.
        rules: usize,
        /// The kind they name (`rule_set` when they name none).
        kind: String,
        /// What is wrong (boxed: it keeps the error small).
        #[source]
        reason: Box<SavedModelProblem>,
    },
    /// A classifier kind that cannot be registered (named twice, or not lower snake
    /// case). A kind that a saved pipeline names but the registry does not know is a
    /// [`SavedModelProblem::UnknownKind`].
    #[error("classifier kind {kind:?}: {reason}")]
    ClassifierKind {
        /// The kind.
        kind: String,
        /// What is wrong.
        reason: String,
    },
    /// An application's rule logic ([`TierRules`](crate::rules::TierRules)) that cannot
    /// work where it stands in a pipeline.
    #[error("rules {name:?}: {reason}")]
    Rules {
        /// The rules' name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A preset key that does not exist.
    #[error("unknown preset {key:?}; known presets: {known}")]
    UnknownPreset {
        /// The key asked for.
        key: String,
        /// The keys that exist, comma-separated.
        known: String,
    },
}

/// Hints after a message, each after `; `.
fn hint_text(hints: &[String]) -> String {
    hints.iter().map(|h| format!("; {h}")).collect()
}

/// Every error of the crate.
///
/// # Example
/// ```
/// use customer_tiering::source::{ColumnMapping, CsvTransactions};
/// use customer_tiering::Error;
/// let header = "id,date,amount\n";
/// let mapping = ColumnMapping::default();
/// let err = CsvTransactions::from_reader("orders.csv", header.as_bytes(), &mapping).unwrap_err();
/// assert!(matches!(&err, Error::MissingColumn { column, .. } if column == "customer_id"));
/// assert_eq!(
///     err.to_string(),
///     r#"orders.csv: missing required column "customer_id" (header: id,date,amount)"#
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A record failed validation under the `fail` policy ([bad
    /// input](crate::definitions#bad-input-and-rejects)).
    #[error("{0}")]
    Reject(Box<Reject>),
    /// Settings, maps or mappings that cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A required column is missing from a file's header.
    #[error("{source_name}: missing required column {column:?} (header: {header}){}", hint_text(.hints))]
    MissingColumn {
        /// The file.
        source_name: String,
        /// The column that was looked for.
        column: String,
        /// The header as read, comma-joined.
        header: String,
        /// What the first lines suggest of the file's format (another delimiter, a
        /// date shape, an encoding): only shown, never acted on.
        hints: Box<[String]>,
    },
    /// A file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// Another run holds the output directory's lock ([output
    /// safety](crate::definitions#output-safety): one run per directory); the directory is
    /// left as it was. See [`crate::output::OutputDir::open`].
    #[error(
        "{}: another run is writing to this output directory (it holds {lock_file})",
        dir.display()
    )]
    Locked {
        /// The output directory.
        dir: PathBuf,
        /// The lock file in it that the other run holds
        /// ([`LOCK_FILE`](crate::output::LOCK_FILE)).
        lock_file: &'static str,
    },
    /// An exact figure left the range of `rust_decimal` (about ±7.9·10²⁸): one customer's
    /// own figure (`monetary of customer "C1" overflows the decimal range`), or a total
    /// over customers, named by its figure and column (`revenue_total of metal overflows
    /// the decimal range`), never by a made-up customer ([bad
    /// input](crate::definitions#bad-input-and-rejects)).
    #[error("{metric} of {subject} overflows the decimal range")]
    Overflow {
        /// The figure: a metric of one customer (`monetary`, `growth` …) or a total
        /// (`revenue_total`, `positive_total`, `monetary_before` …).
        metric: &'static str,
        /// Whose figure it is (boxed: it keeps the error small).
        subject: Box<Subject>,
    },
    /// No customer bought anything on or before the as-of date, so nothing can be fitted.
    #[error("the scored population is empty: no customer has a purchase on or before {as_of}")]
    EmptyPopulation {
        /// The as-of date of the fit.
        as_of: jiff::civil::Date,
    },
    /// An application's own classifier failed: its settings do not fit the data, or
    /// what it needs (a scoring service, a model file) failed. Built by
    /// [`Error::classifier`] or [`Error::classifier_with_source`] in the classifier's
    /// [`fit`](crate::classify::Classifier::fit). The message names the classifier by
    /// its kind and, as every message of this crate, says the cause on its one line;
    /// the cause is also kept whole as [`source`](std::error::Error::source), to be
    /// walked or downcast.
    #[error("classifier {kind}: {reason}{}", Because(.source))]
    Classifier {
        /// The classifier's kind: the name it is saved and registered under
        /// (`churn_risk`).
        kind: String,
        /// What went wrong, in the classifier's words.
        reason: String,
        /// The error that caused it, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A rule set that cannot be used ([rule
    /// sets](crate::definitions#rule-sets-and-the-final-tier)): names the file, the rule
    /// and the problem.
    #[error("{file}: rule {rule}: {reason}")]
    Rule {
        /// The rule file (or `memory`).
        file: String,
        /// The rule: its 1-based position and, when it has one, its name.
        rule: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A chart could not be drawn.
    #[error("chart {chart}: {reason}")]
    Chart {
        /// The chart's file name.
        chart: &'static str,
        /// What the drawing backend said.
        reason: String,
    },
    /// A file whose layout cannot be read: a duplicate or over-long header, or a quote
    /// still open at the end of the file ([bad
    /// input](crate::definitions#bad-input-and-rejects)). The run stops under either
    /// policy.
    #[error("{source_name}: line {line}: {reason}")]
    Malformed {
        /// The file.
        source_name: String,
        /// The 1-based physical line where the problem starts.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A saved model or a map file that cannot be parsed, or a saved pipeline whose content
    /// does not check out ([output safety](crate::definitions#output-safety): its version,
    /// its models, their columns, its rule sets).
    #[error("{what}: {reason}")]
    Parse {
        /// What was being parsed (a file name or `model`).
        what: String,
        /// The parser's message, or the failed check's (cut as [`cut_reason`] cuts).
        reason: String,
        /// The failed check, when the text parsed but its content does not check out
        /// ([`ConfigError::Format`], [`ConfigError::SavedModel`], [`Error::Rule`] …);
        /// none for text that does not parse.
        source: Option<Box<Error>>,
    },
    /// Profiles or transactions that do not fit together or with their as-of date.
    #[error("pipeline: {reason}")]
    Population {
        /// What does not fit.
        reason: PopulationProblem,
    },
    /// A live tiering ([`crate::incremental::TieringState`]) out of codes for its
    /// labels: only tag combinations could get there.
    #[error("pipeline: {}", too_many_labels(*.column))]
    TooManyLabels {
        /// The 0-based column with too many distinct labels; none for too many distinct
        /// reasons for no label (they are shared by every column).
        column: Option<usize>,
    },
    /// A snapshot of a live tiering that cannot be restored (see
    /// [`TieringState::restore`](crate::incremental::TieringState::restore)).
    #[error("{what}: line {line}: {reason}")]
    Snapshot {
        /// The snapshot: a file name, or what the caller called it.
        what: String,
        /// The 1-based line: 1 is the header, the `n`-th customer is on line `n + 1`.
        line: u64,
        /// What is wrong there, naming the customer and field when there is one.
        reason: String,
    },
}

fn too_many_labels(column: Option<usize>) -> String {
    match column {
        Some(column) => format!("column {column}: too many distinct labels for a live tiering"),
        None => "too many distinct reasons for no label in a live tiering".into(),
    }
}

/// Whose figure overflowed (see [`Error::Overflow`]): one customer, or a total over the
/// customers of a column, of one of its labels or of one cell of a migration matrix.
///
/// # Example
/// ```
/// use customer_tiering::error::Subject;
/// use customer_tiering::Error;
/// let customer = Error::Overflow { metric: "monetary", subject: Box::new(Subject::Customer("C1".into())) };
/// assert_eq!(customer.to_string(), r#"monetary of customer "C1" overflows the decimal range"#);
/// let total = Error::Overflow { metric: "revenue_total", subject: Box::new(Subject::Column("metal".into())) };
/// assert_eq!(total.to_string(), "revenue_total of metal overflows the decimal range");
/// let cell = Subject::Cell { column: "metal".into(), from: "gold".into(), to: "platinum".into() };
/// assert_eq!(cell.to_string(), r#"metal cell "gold" → "platinum""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subject {
    /// One customer's own figure: its id.
    Customer(String),
    /// A total over the customers of an output column (its name: `metal`, `abc` …).
    Column(String),
    /// A total over the customers with one label of a column.
    Label {
        /// The column.
        column: String,
        /// The label.
        label: String,
    },
    /// A total over one cell of a migration matrix
    /// ([migration](crate::definitions#migration)).
    Cell {
        /// The column.
        column: String,
        /// The earlier label (`(none)` for customers new in the later period).
        from: String,
        /// The later label (`(none)` for customers gone).
        to: String,
    },
    /// A total over every customer of a run that has no label column to name.
    Population,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Customer(id) => write!(f, "customer {id:?}"),
            Subject::Column(column) => f.write_str(column),
            Subject::Label { column, label } => write!(f, "{column} label {label:?}"),
            Subject::Cell { column, from, to } => write!(f, "{column} cell {from:?} → {to:?}"),
            Subject::Population => f.write_str("all customers"),
        }
    }
}

/// Who writes an output column (see [`ConfigError::ColumnName`]).
///
/// # Example
/// ```
/// use customer_tiering::error::ColumnWriter;
/// assert_eq!(ColumnWriter::Classifier.to_string(), "a classifier");
/// assert_eq!(ColumnWriter::RuleSet { name: "credit".into() }.to_string(), r#"rule set "credit""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnWriter {
    /// A classifier of a pipeline being built.
    Classifier,
    /// A model of a saved pipeline.
    SavedModel,
    /// A rule set, by its name.
    RuleSet {
        /// The rule set's name.
        name: String,
    },
}

impl fmt::Display for ColumnWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnWriter::Classifier => f.write_str("a classifier"),
            ColumnWriter::SavedModel => f.write_str("a saved model"),
            ColumnWriter::RuleSet { name } => write!(f, "rule set {name:?}"),
        }
    }
}

/// What is wrong with an output column's name (see [`ConfigError::ColumnName`]).
///
/// # Example
/// ```
/// use customer_tiering::error::ColumnNameProblem;
/// assert_eq!(ColumnNameProblem::Taken.to_string(), "another classifier or rule set writes it");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnNameProblem {
    /// It does not match `[a-z][a-z0-9_]*`.
    Malformed,
    /// It is `customer_id` or a metric's name, a column of `tiers.csv` already.
    Metric,
    /// It is `tags`, the column of the rule sets' tags.
    Tags,
    /// Another classifier or rule set writes it.
    Taken,
}

impl fmt::Display for ColumnNameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnNameProblem::Malformed => "a column name must match [a-z][a-z0-9_]*",
            ColumnNameProblem::Metric => "that is the name of a metric",
            ColumnNameProblem::Tags => "that is the column of the rule sets' tags",
            ColumnNameProblem::Taken => "another classifier or rule set writes it",
        })
    }
}

/// Why a model of a saved pipeline cannot be loaded (see [`ConfigError::SavedModel`]).
///
/// # Example
/// ```
/// use customer_tiering::error::SavedModelProblem;
/// use customer_tiering::{ConfigError, Error, FittedPipeline};
/// let json = r#"{"as_of": "2026-03-31", "fit_size": 1, "models": [{"kind": "kmeans"}]}"#;
/// let Err(Error::Parse { source: Some(cause), .. }) = FittedPipeline::from_json("model.json", json) else {
///     panic!("expected a failed check");
/// };
/// let Error::Config(ConfigError::SavedModel { model: 1, kind: Some(kind), reason }) = *cause else {
///     panic!("expected a saved model error");
/// };
/// assert_eq!(kind, "kmeans");
/// assert!(matches!(*reason, SavedModelProblem::UnknownKind { .. }));
/// assert!(reason.to_string().starts_with(r#"unknown classifier kind "kmeans" (this registry knows composite, "#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SavedModelProblem {
    /// The model is not a JSON object.
    #[error("expected an object with a \"kind\"")]
    NotAnObject,
    /// The model names no kind.
    #[error("missing field `kind`")]
    MissingKind,
    /// The model's `kind` is not a string.
    #[error("\"kind\" must be a string, got {found}")]
    KindNotAString {
        /// The `kind` as written, in JSON.
        found: String,
    },
    /// A kind the registry does not know.
    #[error(
        "unknown classifier kind {kind:?} (this registry knows {}; an application registers its own with Registry::register)",
        known_kinds(.known)
    )]
    UnknownKind {
        /// The kind the model names.
        kind: String,
        /// The kinds the registry knows, in name order.
        known: Vec<&'static str>,
    },
    /// A rule kind the registry does not know.
    #[error(
        "unknown rule kind {kind:?} (this registry knows {}; an application registers its own with Registry::register_rules)",
        known_kinds(.known)
    )]
    UnknownRuleKind {
        /// The kind the rules name.
        kind: String,
        /// The rule kinds the registry knows, in name order.
        known: Vec<&'static str>,
    },
    /// Fields that the kind's type cannot read.
    #[error("{source}")]
    Json {
        /// What `serde_json` said.
        #[source]
        source: JsonError,
    },
    /// A model that reads but does not validate
    /// ([`Model::validate`](crate::classify::Model::validate)).
    #[error("{source}")]
    Invalid {
        /// What the model's check said.
        #[source]
        source: Box<ConfigError>,
    },
}

fn known_kinds(known: &[&str]) -> String {
    if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    }
}

/// A [`serde_json::Error`] kept as the cause of a [`ConfigError`]: shared, so that the
/// error stays `Clone`, and compared by its message.
///
/// # Example
/// ```
/// use customer_tiering::error::JsonError;
/// let err = JsonError::from(serde_json::from_str::<u8>("300").unwrap_err());
/// assert_eq!(err.clone(), err);
/// assert!(err.get().is_data());
/// assert_eq!(err.to_string(), err.get().to_string());
/// ```
#[derive(Debug, Clone)]
pub struct JsonError(std::sync::Arc<serde_json::Error>);

impl JsonError {
    /// The error as `serde_json` gave it.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::error::JsonError;
    /// let err = JsonError::from(serde_json::from_str::<u8>("x").unwrap_err());
    /// assert!(err.get().is_syntax());
    /// ```
    pub fn get(&self) -> &serde_json::Error {
        &self.0
    }
}

impl From<serde_json::Error> for JsonError {
    fn from(error: serde_json::Error) -> Self {
        JsonError(std::sync::Arc::new(error))
    }
}

impl PartialEq for JsonError {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for JsonError {}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// What does not fit in a set of profiles or transactions (see [`Error::Population`]).
///
/// # Example
/// ```
/// use customer_tiering::error::PopulationProblem;
/// use customer_tiering::{Error, PopulationBuilder};
/// use jiff::civil::date;
/// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// let err = builder.advance_to(date(2026, 1, 1)).unwrap_err();
/// let Error::Population { reason: PopulationProblem::AsOfBack { from, to } } = &err else {
///     panic!("expected the as-of date refused");
/// };
/// assert_eq!((*from, *to), (date(2026, 3, 31), date(2026, 1, 1)));
/// assert_eq!(err.to_string(), "pipeline: cannot move the as-of date back from 2026-03-31 to 2026-01-01");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PopulationProblem {
    /// A customer given two profiles.
    TwoProfiles {
        /// The customer's id.
        customer: String,
    },
    /// An as-of date moved back.
    AsOfBack {
        /// The current as-of date.
        from: jiff::civil::Date,
        /// The earlier date asked for.
        to: jiff::civil::Date,
    },
    /// A transaction dated after the as-of date of a live tiering.
    AfterAsOf {
        /// The customer's id.
        customer: String,
        /// The transaction's date.
        date: jiff::civil::Date,
        /// The as-of date.
        as_of: jiff::civil::Date,
    },
    /// Profile builders merged that disagree on the as-of date or the window.
    Merge {
        /// The as-of date merged into.
        as_of: jiff::civil::Date,
        /// Its window, in days.
        window_days: u32,
        /// The as-of date of the builder merged.
        other_as_of: jiff::civil::Date,
        /// Its window, in days.
        other_window_days: u32,
    },
}

impl fmt::Display for PopulationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PopulationProblem::TwoProfiles { customer } => {
                write!(f, "customer {customer:?} has two profiles")
            }
            PopulationProblem::AsOfBack { from, to } => {
                write!(f, "cannot move the as-of date back from {from} to {to}")
            }
            PopulationProblem::AfterAsOf {
                customer,
                date,
                as_of,
            } => write!(
                f,
                "a transaction of {customer} dated {date} is after the as-of date {as_of}: advance_to it first"
            ),
            PopulationProblem::Merge {
                as_of,
                window_days,
                other_as_of,
                other_window_days,
            } => write!(
                f,
                "cannot merge profiles at {as_of} ({window_days}-day window) with profiles at {other_as_of} ({other_window_days}-day window)"
            ),
        }
    }
}

impl Error {
    /// An overflow of one customer's own figure.
    pub(crate) fn customer_overflow(metric: &'static str, customer: impl ToString) -> Error {
        Error::Overflow {
            metric,
            subject: Box::new(Subject::Customer(customer.to_string())),
        }
    }

    /// An overflow of a total over customers.
    pub(crate) fn total_overflow(metric: &'static str, subject: Subject) -> Error {
        Error::Overflow {
            metric,
            subject: Box::new(subject),
        }
    }
}

impl Error {
    /// An application classifier's own failure, of the classifier of kind `kind`
    /// ([`Error::Classifier`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{Error, Population};
    /// // The fit of an application's classifier that needs at least 100 buyers.
    /// fn fit_churn(population: &Population) -> Result<(), Error> {
    ///     if population.len() < 100 {
    ///         let reason = format!("needs 100 buyers, got {}", population.len());
    ///         return Err(Error::classifier("churn_risk", reason));
    ///     }
    ///     Ok(())
    /// }
    /// let nobody = Population::new(jiff::civil::date(2026, 3, 31), Vec::new())?;
    /// let err = fit_churn(&nobody).unwrap_err();
    /// assert!(matches!(&err, Error::Classifier { kind, .. } if kind == "churn_risk"));
    /// assert_eq!(err.to_string(), "classifier churn_risk: needs 100 buyers, got 0");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn classifier(kind: impl Into<String>, reason: impl fmt::Display) -> Error {
        Error::Classifier {
            kind: kind.into(),
            reason: reason.to_string(),
            source: None,
        }
    }

    /// An application classifier's own failure with the error that caused it, kept as
    /// the [`source`](std::error::Error::source) of the returned [`Error::Classifier`]
    /// and said at the end of its message.
    ///
    /// # Example
    /// ```
    /// use std::error::Error as _;
    /// use customer_tiering::Error;
    /// // The fit of an application's classifier that reads its threshold from settings.
    /// fn fit_churn(threshold: &str) -> Result<u32, Error> {
    ///     threshold.parse().map_err(|e| {
    ///         Error::classifier_with_source("churn_risk", format!("threshold {threshold:?}"), e)
    ///     })
    /// }
    /// let err = fit_churn("ten").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"classifier churn_risk: threshold "ten": invalid digit found in string"#
    /// );
    /// let cause = err.source().unwrap(); // the cause chain is kept
    /// assert!(cause.downcast_ref::<std::num::ParseIntError>().is_some());
    /// ```
    pub fn classifier_with_source(
        kind: impl Into<String>,
        reason: impl fmt::Display,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        Error::Classifier {
            kind: kind.into(),
            reason: reason.to_string(),
            source: Some(source.into()),
        }
    }
}

/// `: cause` after a message that has a cause, nothing after one that has none.
struct Because<'a>(&'a Option<Box<dyn std::error::Error + Send + Sync>>);

impl fmt::Display for Because<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(cause) => write!(f, ": {cause}"),
            None => Ok(()),
        }
    }
}

impl From<Reject> for Error {
    fn from(reject: Reject) -> Self {
        Error::Reject(Box::new(reject))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reject_names_source_line_field_value_and_reason() {
        let reject = Reject::new(
            Location::line("orders.csv", 17),
            "amount",
            "12,50",
            "not a decimal",
        );
        assert_eq!(
            Error::from(reject).to_string(),
            r#"orders.csv: line 17, field "amount": "12,50": not a decimal"#
        );
    }

    #[test]
    fn locations_display_each_position_in_its_own_terms() {
        let cases = [
            (Location::line("orders.csv", 17), "orders.csv: line 17"),
            (Location::record("memory", 3), "memory: record 3"),
            (
                Location::row("crm.sqlite", "orders", 42),
                "crm.sqlite: table orders, row 42",
            ),
            (
                Location::row("erp", "customer accounts", "DE-0042/7"),
                "erp: table customer accounts, row DE-0042/7",
            ),
            (
                Location::cell("orders.xlsx", "Orders", "C17"),
                "orders.xlsx: Orders!C17",
            ),
            (
                Location::cell("a.ods", "Umsätze_2024", "AA10"),
                "a.ods: Umsätze_2024!AA10",
            ),
            (
                Location::cell("a.xlsx", "Bob's orders", "B2"),
                "a.xlsx: 'Bob''s orders'!B2",
            ),
            (Location::cell("a.xlsx", "2024", "B2"), "a.xlsx: '2024'!B2"),
            (Location::cell("a.xlsx", "Q1", "B2"), "a.xlsx: 'Q1'!B2"),
            (
                Location::cell("a.xlsx", "Q1_2024", "B2"),
                "a.xlsx: Q1_2024!B2",
            ),
            (Location::cell("a.xlsx", "", "B2"), "a.xlsx: ''!B2"),
        ];
        for (location, shown) in cases {
            assert_eq!(location.to_string(), shown);
        }
    }

    #[test]
    fn a_file_location_serialises_as_before_and_every_position_round_trips() {
        let cases = [
            (
                Location::line("orders.csv", 17),
                r#"{"source":"orders.csv","line":17}"#,
            ),
            (
                Location::record("memory", 3),
                r#"{"source":"memory","record":3}"#,
            ),
            (
                Location::row("crm.sqlite", "orders", 42),
                r#"{"source":"crm.sqlite","row":{"table":"orders","key":"42"}}"#,
            ),
            (
                Location::cell("orders.xlsx", "Orders", "C17"),
                r#"{"source":"orders.xlsx","cell":{"sheet":"Orders","cell":"C17"}}"#,
            ),
        ];
        for (location, json) in cases {
            assert_eq!(serde_json::to_string(&location).unwrap(), json);
            assert_eq!(serde_json::from_str::<Location>(json).unwrap(), location);
        }
        // A reject of a file serialises as it did when `Location` had a `line` field.
        let reject = Reject::new(Location::line("orders.csv", 3), "amount", "1e3", "bad");
        let json = serde_json::to_string(&reject).unwrap();
        assert_eq!(
            json,
            r#"{"location":{"source":"orders.csv","line":3},"field":"amount","value":"1e3","reason":"bad"}"#
        );
        assert_eq!(serde_json::from_str::<Reject>(&json).unwrap(), reject);
    }

    #[test]
    fn a_reject_built_by_an_application_is_cut_as_the_crate_cuts_its_own() {
        let raw = "é".repeat(150); // 300 bytes
        let reject = Reject::new(Location::record("queue", 1), "note", &raw, "x".repeat(2000));
        assert_eq!(reject.value(), shown_value(raw.as_bytes(), 300));
        assert_eq!(
            reject.value(),
            Reject::of_field("queue", 1, "note", raw.as_bytes(), "").value()
        );
        assert!(reject.reason().ends_with("… (2000 bytes)"));
        let bytes = Reject::new(Location::line("a.csv", 2), "amount", b"1\xFF2", "bad");
        assert_eq!(bytes.value(), "1\u{FFFD}2");
    }

    #[test]
    fn overflows_name_a_customer_or_a_total_never_a_made_up_customer() {
        let cases = [
            (
                Error::customer_overflow("monetary", "C1"),
                r#"monetary of customer "C1" overflows the decimal range"#,
            ),
            (
                Error::total_overflow("revenue_total", Subject::Column("metal".into())),
                "revenue_total of metal overflows the decimal range",
            ),
            (
                Error::total_overflow(
                    "revenue",
                    Subject::Label {
                        column: "metal".into(),
                        label: "lead".into(),
                    },
                ),
                r#"revenue of metal label "lead" overflows the decimal range"#,
            ),
            (
                Error::total_overflow(
                    "monetary_before",
                    Subject::Cell {
                        column: "metal".into(),
                        from: "(none)".into(),
                        to: "gold".into(),
                    },
                ),
                r#"monetary_before of metal cell "(none)" → "gold" overflows the decimal range"#,
            ),
            (
                Error::total_overflow("revenue_total", Subject::Population),
                "revenue_total of all customers overflows the decimal range",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }

    #[test]
    fn long_reasons_are_cut_with_their_length() {
        assert_eq!(cut_reason("short".into()), "short");
        let long = "é".repeat(700); // 1400 bytes
        let cut = cut_reason(long.clone());
        assert_eq!(cut, format!("{}… (1400 bytes)", "é".repeat(500)));
        assert!(
            parse_error("m.json", long)
                .to_string()
                .ends_with("… (1400 bytes)")
        );
    }

    #[test]
    fn errors_are_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Error>();
        // A missing column's three names and its hints are the largest.
        assert!(std::mem::size_of::<Error>() <= 88);
    }
}
