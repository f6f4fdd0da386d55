//! Data sources ([inputs](crate::definitions#inputs), [bad
//! input](crate::definitions#bad-input-and-rejects)): a small iterator-like trait,
//! in-memory and CSV implementations, and [`ingest`], where the reject policy lives once.
//!
//! # Example
//! ```
//! use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//!
//! let data = "customer_id,date,amount\nC1,2026-03-01,10.00\n,2026-03-02,5\nC2,2026-04-15,7\n";
//! let mapping = ColumnMapping::default();
//! let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &mapping)?;
//! let mut rejects = Vec::new();
//! let builder = PopulationBuilder::new(date(2026, 3, 31));
//! let ingested = ingest(source, builder, OnInvalid::Skip, |r| rejects.push(r.to_string()))?;
//! let s = ingested.summary;
//! assert_eq!((s.read, s.accepted, s.rejected, s.after_as_of), (3, 2, 1, 1));
//! assert_eq!(rejects, [r#"orders.csv: line 3, field "customer_id": "": empty customer id"#]);
//! assert_eq!(ingested.population.len(), 1); // C2 bought only after the as-of date
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Reject};
use crate::metrics::PopulationBuilder;
use crate::profile::{Population, Transaction};

pub mod csv;
pub mod customers;
pub mod memory;
mod parallel;
#[cfg(feature = "workbooks")]
pub mod workbook;

pub use self::csv::{ColumnMapping, CsvTransactions};
pub use self::memory::MemorySource;
pub use self::parallel::ingest_csv;

/// A stream of records: transactions, or customer records with their attributes
/// ([`CustomerRecord`](customers::CustomerRecord)).
///
/// `next_record` yields `Some(Ok(record))` for a valid row, `Some(Err(Error::Reject))`
/// for a row that failed validation (counted, and handled by the policy), any other
/// `Some(Err(..))` for a failure that stops the run (an unreadable file), and `None` at
/// the end.
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest, OnInvalid, Source};
/// use customer_tiering::{CustomerId, Error, PopulationBuilder, Transaction};
/// use jiff::civil::{date, Date};
///
/// // One purchase of 1.00 by `C1` a day, from `next` to `last`.
/// struct Daily {
///     next: Date,
///     last: Date,
/// }
///
/// impl Source for Daily {
///     type Record = Transaction;
///     fn origin(&self) -> &str {
///         "daily"
///     }
///     fn next_record(&mut self) -> Option<Result<Transaction, Error>> {
///         let day = (self.next <= self.last).then_some(self.next)?;
///         self.next = day.tomorrow().ok()?;
///         let id = CustomerId::new("C1").expect("a valid id");
///         Some(Ok(Transaction::new(id, day, 1.into())))
///     }
/// }
///
/// let march = Daily { next: date(2026, 3, 1), last: date(2026, 3, 31) };
/// let builder = PopulationBuilder::new(date(2026, 3, 31));
/// let ingested = ingest(march, builder, OnInvalid::Fail, |_| {})?;
/// assert_eq!(ingested.population.get("C1").unwrap().frequency, 31);
/// # Ok::<(), Error>(())
/// ```
pub trait Source {
    /// What one row becomes.
    type Record;

    /// The source's name, used in every reject (`orders.csv`, `memory`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::{ColumnMapping, CsvTransactions, MemorySource, Source};
    /// use customer_tiering::Transaction;
    /// let header = "customer_id,date,amount\n";
    /// let mapping = ColumnMapping::default();
    /// let csv = CsvTransactions::from_reader("orders.csv", header.as_bytes(), &mapping)?;
    /// assert_eq!(csv.origin(), "orders.csv");
    /// assert_eq!(MemorySource::new(Vec::<Transaction>::new()).origin(), "memory");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn origin(&self) -> &str;

    /// The next row.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::{ColumnMapping, CsvTransactions, Source};
    /// use customer_tiering::Error;
    /// let data = "customer_id,date,amount\nC1,2026-03-01,9.90\nC2,2026-03-01,+5\n";
    /// let mapping = ColumnMapping::default();
    /// let mut source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &mapping)?;
    /// assert_eq!(source.next_record().unwrap()?.amount.to_string(), "9.90");
    /// assert!(matches!(source.next_record(), Some(Err(Error::Reject(r))) if r.field() == "amount"));
    /// assert!(source.next_record().is_none()); // the end
    /// # Ok::<(), Error>(())
    /// ```
    fn next_record(&mut self) -> Option<Result<Self::Record, Error>>;
}

impl<S: Source + ?Sized> Source for &mut S {
    type Record = S::Record;
    fn origin(&self) -> &str {
        (**self).origin()
    }
    fn next_record(&mut self) -> Option<Result<S::Record, Error>> {
        (**self).next_record()
    }
}

impl<S: Source + ?Sized> Source for Box<S> {
    type Record = S::Record;
    fn origin(&self) -> &str {
        (**self).origin()
    }
    fn next_record(&mut self) -> Option<Result<S::Record, Error>> {
        (**self).next_record()
    }
}

/// What to do with a bad record ([bad input](crate::definitions#bad-input-and-rejects)).
///
/// # Example
/// ```
/// use customer_tiering::source::OnInvalid;
/// assert_eq!(OnInvalid::default(), OnInvalid::Fail);
/// assert_eq!("skip".parse::<OnInvalid>(), Ok(OnInvalid::Skip));
/// let err = "ignore".parse::<OnInvalid>().unwrap_err();
/// assert_eq!(err, r#"unknown policy "ignore" (fail or skip)"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnInvalid {
    /// Stop at the first bad record with an error naming it.
    #[default]
    Fail,
    /// Reject it, count it, hand it to the caller, and go on.
    Skip,
}

impl std::str::FromStr for OnInvalid {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fail" => Ok(OnInvalid::Fail),
            "skip" => Ok(OnInvalid::Skip),
            other => Err(format!("unknown policy {other:?} (fail or skip)")),
        }
    }
}

/// Counts of one ingest ([bad input](crate::definitions#bad-input-and-rejects)): always
/// `read = accepted + rejected`.
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid, ReadSummary};
/// use customer_tiering::PopulationBuilder;
/// use jiff::civil::date;
/// let data = "customer_id,date,amount\nC1,2026-03-01,5\nC1,2026-13-01,5\nC2,2026-04-01,5\n";
/// let mapping = ColumnMapping::default();
/// let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &mapping)?;
/// let builder = PopulationBuilder::new(date(2026, 3, 31));
/// let summary = ingest(source, builder, OnInvalid::Skip, |_| {})?.summary;
/// assert_eq!(summary, ReadSummary { read: 3, accepted: 2, rejected: 1, after_as_of: 1 });
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadSummary {
    /// Data rows read (header excluded).
    pub read: u64,
    /// Rows that passed validation.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Accepted rows dated after the as-of date (left out of every metric).
    pub after_as_of: u64,
}

/// The result of [`ingest`]: the population and the counts.
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest, Ingested, MemorySource, OnInvalid};
/// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let rows = vec![Transaction::new(CustomerId::new("C1")?, date(2026, 3, 1), 9.into())];
/// let builder = PopulationBuilder::new(date(2026, 3, 31));
/// let Ingested { population, summary } =
///     ingest(MemorySource::new(rows), builder, OnInvalid::Fail, |_| {})?;
/// assert_eq!((population.len(), summary.accepted), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ingested {
    /// Every customer with a purchase on or before the as-of date, sorted by id.
    pub population: Population,
    /// What was read.
    pub summary: ReadSummary,
}

/// Reads every transaction of `source` into profiles at `builder`'s as-of date.
///
/// Under [`OnInvalid::Skip`] every reject is passed to `on_reject` as it is found (so a
/// caller can stream them to a file) and counted; under [`OnInvalid::Fail`] the first
/// one is returned as [`Error::Reject`].
///
/// # Errors
/// The first reject under `Fail`; under either policy, a failure of the source itself
/// (unreadable file) or an overflowing sum.
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
/// use customer_tiering::PopulationBuilder;
/// use jiff::civil::date;
/// let data = "customer_id,date,amount\nC1,2026-03-01,10.00\nC2,2026-03-02,1e3\n";
/// let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &ColumnMapping::default())?;
/// let mut rejects = Vec::new();
/// let ingested = ingest(source, PopulationBuilder::new(date(2026, 3, 31)), OnInvalid::Skip, |r| {
///     rejects.push(r.clone())
/// })?;
/// assert_eq!((ingested.summary.read, ingested.summary.rejected), (2, 1));
/// assert_eq!(rejects[0].to_string(), "orders.csv: line 3, field \"amount\": \"1e3\": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn ingest<S: Source<Record = Transaction>>(
    source: S,
    mut builder: PopulationBuilder,
    on_invalid: OnInvalid,
    on_reject: impl FnMut(&Reject),
) -> Result<Ingested, Error> {
    let summary = ingest_into(source, &mut builder, on_invalid, on_reject)?;
    Ok(Ingested {
        population: builder.finish()?,
        summary,
    })
}

/// Like [`ingest`], into a builder the caller keeps: to read several sources into one
/// population, or to join customers with [`PopulationBuilder::finish_with`].
///
/// # Errors
/// As [`ingest`].
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest_into, ColumnMapping, CsvTransactions, OnInvalid};
/// use customer_tiering::PopulationBuilder;
/// use jiff::civil::date;
/// let files = [
///     ("2025.csv", "customer_id,date,amount\nC1,2025-06-01,10\n"),
///     ("2026.csv", "customer_id,date,amount\nC1,2026-02-01,5\nC2,2026-03-01,1\n"),
/// ];
/// let mapping = ColumnMapping::default();
/// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// for (name, data) in files {
///     let source = CsvTransactions::from_reader(name, data.as_bytes(), &mapping)?;
///     let read = ingest_into(source, &mut builder, OnInvalid::Fail, |_| {})?; // counts per file
///     assert_eq!(read.rejected, 0);
/// }
/// let population = builder.finish()?;
/// let c1 = population.get("C1").unwrap();
/// assert_eq!((population.len(), c1.frequency, c1.monetary), (2, 2, 15.into()));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn ingest_into<S: Source<Record = Transaction>>(
    source: S,
    builder: &mut PopulationBuilder,
    on_invalid: OnInvalid,
    on_reject: impl FnMut(&Reject),
) -> Result<ReadSummary, Error> {
    ingest_periods(source, std::slice::from_mut(builder), on_invalid, on_reject)
}

/// Reads every remaining record of any transactions source into an
/// [`Aggregator`](crate::aggregate::Aggregator), one at a time: what
/// [`ingest_csv`] does on every core for a CSV file, for any other source (a workbook,
/// a database). The counts and the policy are [`ingest`]'s.
///
/// # Errors
/// As [`ingest`].
///
/// # Example
/// ```
/// use customer_tiering::aggregate::Aggregator;
/// use customer_tiering::source::{ingest_aggregator, MemorySource, OnInvalid};
/// use customer_tiering::{CustomerId, Transaction};
/// use jiff::civil::date;
/// let c1 = CustomerId::new("C1")?;
/// let rows = vec![
///     Transaction::new(c1.clone(), date(2026, 1, 5), 3.into()),
///     Transaction::new(c1, date(2026, 5, 5), 4.into()),
/// ];
/// let mut aggregator = Aggregator::new(date(2026, 3, 31));
/// let read = ingest_aggregator(MemorySource::new(rows), &mut aggregator, OnInvalid::Fail, |_| {})?;
/// assert_eq!((read.read, read.accepted, read.after_as_of), (2, 2, 1));
/// assert_eq!(aggregator.finish()?.profiles()[0].frequency, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ingest_aggregator<S: Source<Record = Transaction>>(
    source: S,
    aggregator: &mut crate::aggregate::Aggregator,
    on_invalid: OnInvalid,
    on_reject: impl FnMut(&Reject),
) -> Result<ReadSummary, Error> {
    let after_before = aggregator.after_as_of();
    let mut summary = each_record(source, on_invalid, on_reject, |tx| {
        aggregator.add(&tx).map(|_| ())
    })?;
    summary.after_as_of = aggregator.after_as_of() - after_before;
    Ok(summary)
}

/// Like [`ingest_into`], feeding every accepted transaction to several builders at once —
/// one per as-of date — so that two periods of one history are read in one pass ([periodic
/// update](crate::definitions#periodic-update)). `after_as_of` counts the rows after the
/// first builder's date.
///
/// # Errors
/// As [`ingest`].
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest_periods, MemorySource, OnInvalid};
/// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let c1 = CustomerId::new("C1").unwrap();
/// let rows = vec![
///     Transaction::new(c1.clone(), date(2026, 1, 5), 3.into()),
///     Transaction::new(c1, date(2026, 5, 5), 4.into()),
/// ];
/// let mut builders = [PopulationBuilder::new(date(2026, 6, 30)), PopulationBuilder::new(date(2026, 3, 31))];
/// let read = ingest_periods(MemorySource::new(rows), &mut builders, OnInvalid::Fail, |_| {})?;
/// let [later, earlier] = builders;
/// assert_eq!((read.accepted, read.after_as_of), (2, 0));
/// assert_eq!(later.finish()?.profiles()[0].frequency, 2);
/// assert_eq!(earlier.finish()?.profiles()[0].frequency, 1);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn ingest_periods<S: Source<Record = Transaction>>(
    source: S,
    builders: &mut [PopulationBuilder],
    on_invalid: OnInvalid,
    on_reject: impl FnMut(&Reject),
) -> Result<ReadSummary, Error> {
    let after_before = builders.first().map_or(0, PopulationBuilder::after_as_of);
    let mut summary = each_record(source, on_invalid, on_reject, |tx| {
        if let Some((last, rest)) = builders.split_last_mut() {
            for builder in rest {
                builder.add(tx.clone())?;
            }
            last.add(tx)?;
        }
        Ok(())
    })?;
    summary.after_as_of = builders.first().map_or(0, PopulationBuilder::after_as_of) - after_before;
    Ok(summary)
}

/// Every remaining record of `source`: each accepted one handed to `accept`, each
/// reject to the policy; the counts, but for `after_as_of`, which only the caller's
/// aggregate knows.
fn each_record<S: Source>(
    mut source: S,
    on_invalid: OnInvalid,
    mut on_reject: impl FnMut(&Reject),
    mut accept: impl FnMut(S::Record) -> Result<(), Error>,
) -> Result<ReadSummary, Error> {
    let mut summary = ReadSummary::default();
    while let Some(record) = source.next_record() {
        match record {
            Ok(record) => {
                summary.read += 1;
                summary.accepted += 1;
                accept(record)?;
            }
            Err(Error::Reject(reject)) => {
                summary.read += 1;
                summary.rejected += 1;
                match on_invalid {
                    OnInvalid::Fail => return Err(Error::Reject(reject)),
                    OnInvalid::Skip => on_reject(&reject),
                }
            }
            Err(fatal) => return Err(fatal),
        }
    }
    Ok(summary)
}
