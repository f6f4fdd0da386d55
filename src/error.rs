//! Errors, rejected records and where they came from (SPEC §12).
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
//! assert_eq!((ingested.population.len(), rejects[0].field.as_str()), (1, "date"));
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

/// Where a record came from: its source and the 1-based physical line where it starts
/// (the header is line 1, as csv's `Position::line()` counts).
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
/// use customer_tiering::{Error, Location, PopulationBuilder};
/// # use jiff::civil::date;
/// let data = "customer_id,date,amount\nC1,2026-03-01,5\nC2,2026-03-01,5 EUR\n";
/// let mapping = ColumnMapping::default();
/// let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &mapping)?;
/// let builder = PopulationBuilder::new(date(2026, 3, 31));
/// let Err(Error::Reject(reject)) = ingest(source, builder, OnInvalid::Fail, |_| {}) else {
///     panic!("expected a reject");
/// };
/// assert_eq!(reject.location, Location { source: "orders.csv".into(), line: 3 });
/// assert_eq!(reject.location.to_string(), "orders.csv: line 3"); // the header is line 1
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The source's name: a file path, or `memory` for in-memory data.
    pub source: String,
    /// 1-based physical line where the record starts; for in-memory data, the 1-based
    /// index of the record.
    pub line: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: line {}", self.source, self.line)
    }
}

/// A record rejected by validation: where, which field, the raw value and why.
///
/// Displays as `orders.csv: line 17, field "amount": "12,50": not a decimal …`.
///
/// # Example
/// ```
/// use customer_tiering::{Error, Location, Reject};
/// // What a `Source` yields for a row that fails validation.
/// let reject = Reject {
///     location: Location { source: "orders.csv".into(), line: 17 },
///     field: "amount".into(),
///     value: "12,50".into(),
///     reason: "not a decimal".into(),
/// };
/// let error = Error::from(reject);
/// assert!(matches!(&error, Error::Reject(r) if r.location.line == 17));
/// assert_eq!(error.to_string(), r#"orders.csv: line 17, field "amount": "12,50": not a decimal"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reject {
    /// Source and line of the record.
    pub location: Location,
    /// The field that failed (`customer_id`, `date`, `amount`, …), or `record` for a
    /// problem with the whole row (a wrong number of fields, a duplicate customer).
    pub field: String,
    /// The raw value as read (lossily decoded when it is not UTF-8); for `record`
    /// problems, the whole row joined with commas.
    pub value: String,
    /// Why the record was rejected.
    pub reason: String,
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

    /// A rejected field or record of which only the first bytes, `prefix`, were kept
    /// from its `len` bytes.
    pub(crate) fn of_prefix(
        source: &str,
        line: u64,
        field: &str,
        prefix: &[u8],
        len: u64,
        reason: impl ToString,
    ) -> Reject {
        Reject {
            location: Location {
                source: source.to_string(),
                line,
            },
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
    }
}

/// The most bytes of a raw value a reject shows (SPEC §12).
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
    /// Band shares that are not positive or do not sum to exactly 100 % (SPEC §4).
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
    /// A pipeline, classifier settings, saved model or profile set that cannot work: two
    /// classifiers that write the same column, settings or a saved model that do not
    /// validate, a customer given two profiles, an as-of date moved back, profile builders
    /// at different as-of dates merged.
    #[error("pipeline: {reason}")]
    Pipeline {
        /// What is wrong with it.
        reason: String,
    },
    /// A classifier kind that cannot be registered (named twice, or not lower snake
    /// case), or that a saved pipeline names but the registry does not know.
    #[error("classifier kind {kind:?}: {reason}")]
    ClassifierKind {
        /// The kind.
        kind: String,
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
    /// A record failed validation under the `fail` policy (SPEC §12).
    #[error("{0}")]
    Reject(Box<Reject>),
    /// Settings, maps or mappings that cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A required column is missing from a file's header.
    #[error("{source_name}: missing required column {column:?} (header: {header})")]
    MissingColumn {
        /// The file.
        source_name: String,
        /// The column that was looked for.
        column: String,
        /// The header as read, comma-joined.
        header: String,
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
    /// Another run holds the output directory's lock (SPEC §17: one run per directory);
    /// the directory is left as it was. See [`crate::output::OutputDir::open`].
    #[error(
        "{}: another run is writing to this output directory (it holds {})",
        dir.display(),
        crate::output::LOCK_FILE
    )]
    Locked {
        /// The output directory.
        dir: PathBuf,
    },
    /// An exact figure left the range of `rust_decimal` (about ±7.9·10²⁸): one
    /// customer's own figure (`monetary of customer "C1" overflows the decimal range`),
    /// or a total over customers, named by its figure and column (`revenue_total of
    /// metal overflows the decimal range`), never by a made-up customer (SPEC §12).
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
    /// A rule set that cannot be used (SPEC §8): names the file, the rule and the problem.
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
    /// still open at the end of the file (SPEC §12). The run stops under either policy.
    #[error("{source_name}: line {line}: {reason}")]
    Malformed {
        /// The file.
        source_name: String,
        /// The 1-based physical line where the problem starts.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A saved model or a map file that cannot be parsed.
    #[error("{what}: {reason}")]
    Parse {
        /// What was being parsed (a file name or `model`).
        what: String,
        /// The parser's message.
        reason: String,
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
    /// A total over one cell of a migration matrix (SPEC §13).
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
        let reject = Reject {
            location: Location {
                source: "orders.csv".into(),
                line: 17,
            },
            field: "amount".into(),
            value: "12,50".into(),
            reason: "not a decimal".into(),
        };
        assert_eq!(
            Error::from(reject).to_string(),
            r#"orders.csv: line 17, field "amount": "12,50": not a decimal"#
        );
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
        assert!(std::mem::size_of::<Error>() <= 80);
    }
}
