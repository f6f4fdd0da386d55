//! Records already in memory: transactions, or customers with their attributes.
//!
//! # Example
//! ```
//! use customer_tiering::attributes::{AttrValue, Attributes};
//! use customer_tiering::source::customers::{ingest_customers, CustomerRecord};
//! use customer_tiering::source::{ingest_into, MemorySource, OnInvalid};
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//!
//! let orders = vec![Transaction::new(CustomerId::new("C1")?, date(2026, 3, 1), 20.into())];
//! let mut region = Attributes::default();
//! region.insert("region", AttrValue::Text("north".into()));
//! let customers = vec![CustomerRecord::new(1, CustomerId::new("P1")?, region)];
//!
//! let mut builder = PopulationBuilder::new(date(2026, 3, 31));
//! ingest_into(MemorySource::new(orders), &mut builder, OnInvalid::Fail, |_| {})?;
//! let (table, _) = ingest_customers(MemorySource::new(customers), OnInvalid::Fail, |_| {})?;
//! let population = builder.finish_with(table.into_customers())?;
//! assert_eq!(population.len(), 2);
//! assert_eq!(population.get("P1").unwrap().attributes.text("region"), Some("north"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::{ingest, MemorySource, OnInvalid};
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let c1 = CustomerId::new("C1")?;
    /// let rows = (1..=3).map(|day| Transaction::new(c1.clone(), date(2026, 3, day), 10.into()));
    /// let builder = PopulationBuilder::new(date(2026, 3, 31));
    /// let ingested = ingest(MemorySource::new(rows), builder, OnInvalid::Fail, |_| {})?;
    /// let p = ingested.population.get("C1").unwrap();
    /// assert_eq!((p.frequency, p.monetary), (3, 30.into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
