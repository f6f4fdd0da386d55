//! Records already in memory: transactions, or customers with their attributes.

use super::Source;
use crate::error::Error;

/// A [`Source`] over any iterator of records (transactions, or
/// [`CustomerRecord`](super::customers::CustomerRecord)s); its origin is `memory`.
///
/// # Example
/// ```
/// use customer_tiering::source::{ingest, MemorySource, OnInvalid};
/// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// use rust_decimal::dec;
/// let rows = vec![Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 1, 5), dec!(3))];
/// let ingested = ingest(MemorySource::new(rows), PopulationBuilder::new(date(2026, 3, 31)), OnInvalid::Fail, |_| {})?;
/// assert_eq!(ingested.population.len(), 1);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MemorySource<I> {
    rows: I,
}

impl<I: Iterator> MemorySource<I> {
    /// Wraps an iterator (or anything that turns into one).
    pub fn new(rows: impl IntoIterator<IntoIter = I>) -> Self {
        MemorySource {
            rows: rows.into_iter(),
        }
    }
}

impl<I: Iterator> Source for MemorySource<I> {
    type Record = I::Item;

    fn origin(&self) -> &str {
        "memory"
    }

    fn next_record(&mut self) -> Option<Result<I::Item, Error>> {
        self.rows.next().map(Ok)
    }
}
