//! Transactions to profiles at fixed as-of dates, as a partitioned aggregation ([profile
//! metrics](crate::definitions#profile-metrics)): what reading a whole file in a batch run
//! uses.
//!
//! An [`Aggregator`] keeps, per customer, flat columns of fixed-size accumulators
//! instead of a map of structs:
//! - customers are split into ranges of ids (*partitions*) small enough to stay in the
//!   processor's cache; each partition interns its ids to small numbers;
//! - money is summed exactly as integers — an `i64` mantissa at the customer's largest
//!   scale so far, moved to an exact 256-bit sum beside the column in the rare case it
//!   leaves `i64` — so a sum keeps the largest scale of its amounts (`10.00 + 2.5` is
//!   `12.50`) and only a *total* outside the decimal range is an overflow;
//! - distinct purchase dates come from sorting packed `(customer, day)` keys, not from
//!   a list per customer.
//!
//! Nothing depends on the order rows arrive in, so partial aggregates of any split of
//! the rows [`merge`](Aggregator::merge) exactly, and the parallel reader
//! ([`ingest_csv`](crate::source::ingest_csv)) gives the same profiles whatever the
//! number of threads. The profiles are those of a
//! [`PopulationBuilder`](crate::PopulationBuilder) fed the same rows; the builder is
//! what to use when the as-of date moves (a live tiering), the aggregator when it is
//! fixed. One difference at the edge of the decimal range: the builder sums as rows
//! come and fails when a running sum leaves the range, the aggregator fails only when
//! the total does.
//!
//! # Example
//! ```
//! use customer_tiering::aggregate::Aggregator;
//! use customer_tiering::{CustomerId, Transaction};
//! use jiff::civil::date;
//!
//! let rows = [("C1", 1, "10.00"), ("C2", 9, "4"), ("C1", 1, "2.5"), ("C1", 20, "-1")];
//! let (mut left, mut right) = (Aggregator::new(date(2026, 3, 31)), Aggregator::new(date(2026, 3, 31)));
//! for (i, (id, day, amount)) in rows.into_iter().enumerate() {
//!     let tx = Transaction::new(CustomerId::new(id)?, date(2026, 3, day), amount.parse()?);
//!     [&mut left, &mut right][i % 2].add(&tx)?; // say, two machines
//! }
//! left.merge(right)?;
//! let population = left.finish()?;
//! let c1 = population.get("C1").unwrap();
//! assert_eq!((c1.frequency, c1.transactions, c1.recency_days), (2, 3, Some(11)));
//! assert_eq!(c1.monetary.to_string(), "11.50");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod partition;
mod split;
mod sum;

use jiff::civil::Date;

use crate::attributes::Attributes;
use crate::dates::day_number;
use crate::error::{Error, PopulationProblem};
use crate::metrics::DEFAULT_WINDOW_DAYS;
use crate::population::Columns;
use crate::profile::{CustomerId, Metric, Population, Transaction};

pub(crate) use partition::{Inline, Partition, Period, RowBatch};

/// Customers known from a customers source, with their attributes.
type Known = Vec<(CustomerId, Attributes)>;
pub(crate) use split::Splitter;

/// The number of id ranges a sampled aggregation is cut into. Each range's rows land
/// in scattered places of its accumulators whatever their number, so more, smaller
/// ranges gain little; fewer, larger ones keep each range's buffers big enough that
/// the allocator hands them back to the system when a range is turned into profiles
/// (measured on 10M rows / 1M customers: peak 245 MiB with 32 ranges, 330–420 MiB
/// with 256, at the same speed).
pub(crate) const PARTITIONS: usize = 32;

/// A partitioned, mergeable aggregation of transactions into profiles at one or more
/// fixed as-of dates (see the [module docs](self)).
///
/// # Example
/// ```
/// use customer_tiering::aggregate::Aggregator;
/// use customer_tiering::{CustomerId, Transaction};
/// use jiff::civil::date;
/// let c1 = CustomerId::new("C1")?;
/// let mut aggregator = Aggregator::new(date(2026, 6, 30)).also_as_of(date(2026, 3, 31));
/// aggregator.add(&Transaction::new(c1.clone(), date(2026, 1, 5), 3.into()))?;
/// aggregator.add(&Transaction::new(c1, date(2026, 5, 5), 4.into()))?;
/// let [june, march] = <[_; 2]>::try_from(aggregator.finish_all(Vec::new())?).unwrap();
/// assert_eq!(june.profiles()[0].frequency, 2);
/// assert_eq!(march.profiles()[0].frequency, 1); // the May row is after March 31
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Aggregator {
    as_of: Vec<Date>,
    window_days: u32,
    growth: bool,
    periods: Vec<Period>,
    /// The latest as-of date: later rows are left out of every metric.
    last_day: i32,
    splitter: Splitter,
    partitions: Vec<Partition>,
    after_as_of: u64,
}

impl Aggregator {
    /// An aggregation at `as_of` with the default 365-day windows.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use jiff::civil::date;
    /// let aggregator = Aggregator::new(date(2026, 3, 31));
    /// assert_eq!((aggregator.as_of(), aggregator.customers()), (date(2026, 3, 31), 0));
    /// assert!(aggregator.finish()?.is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new(as_of: Date) -> Self {
        let mut aggregator = Aggregator {
            as_of: vec![as_of],
            window_days: DEFAULT_WINDOW_DAYS,
            growth: true,
            periods: Vec::new(),
            last_day: 0,
            splitter: Splitter::default(),
            partitions: Vec::new(),
            after_as_of: 0,
        };
        aggregator.reset();
        aggregator
    }

    /// Also computes the profiles at another as-of date from the same rows ([periodic
    /// update](crate::definitions#periodic-update): two periods of one history in one
    /// pass); [`finish_all`](Self::finish_all) returns them in the order the dates were
    /// given. Call before adding rows.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use jiff::civil::date;
    /// let aggregator = Aggregator::new(date(2026, 6, 30)).also_as_of(date(2026, 3, 31));
    /// assert_eq!(aggregator.as_of_dates(), [date(2026, 6, 30), date(2026, 3, 31)]);
    /// ```
    #[must_use]
    pub fn also_as_of(mut self, as_of: Date) -> Self {
        self.as_of.push(as_of);
        self.reset();
        self
    }

    /// Sets the window of `monetary_current` / `monetary_previous` ([profile
    /// metrics](crate::definitions#profile-metrics)) in days; 0 is taken as 1. Call before
    /// adding rows.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use customer_tiering::{CustomerId, Transaction};
    /// use jiff::civil::date;
    /// let c1 = CustomerId::new("C1")?;
    /// let mut aggregator = Aggregator::new(date(2026, 3, 31)).window_days(30);
    /// aggregator.add(&Transaction::new(c1.clone(), date(2026, 3, 20), 60.into()))?;
    /// aggregator.add(&Transaction::new(c1, date(2026, 2, 19), 40.into()))?;
    /// let p = aggregator.finish()?.profiles()[0].clone();
    /// assert_eq!((p.monetary_current, p.monetary_previous), (60.into(), 40.into()));
    /// assert_eq!(p.growth.unwrap().to_string(), "0.5");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn window_days(mut self, days: u32) -> Self {
        self.window_days = days.max(1);
        self.reset();
        self
    }

    /// Computes only the optional metrics in `metrics` — today `growth`, a division
    /// per customer; pass what a pipeline reads. By default every metric is computed.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use customer_tiering::{CustomerId, Metric, Transaction};
    /// use jiff::civil::date;
    /// let mut aggregator = Aggregator::new(date(2026, 3, 31)).computing(&[Metric::Monetary]);
    /// aggregator.add(&Transaction::new(CustomerId::new("C1")?, date(2025, 3, 1), 5.into()))?;
    /// assert_eq!(aggregator.finish()?.profiles()[0].growth, None); // not computed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn computing(mut self, metrics: &[Metric]) -> Self {
        self.growth = metrics.contains(&Metric::Growth);
        self
    }

    /// The first as-of date: the one [`finish`](Self::finish) computes.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use jiff::civil::date;
    /// assert_eq!(Aggregator::new(date(2026, 3, 31)).as_of(), date(2026, 3, 31));
    /// ```
    pub fn as_of(&self) -> Date {
        self.as_of[0]
    }

    /// Every as-of date, in the order given.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use jiff::civil::date;
    /// assert_eq!(Aggregator::new(date(2026, 3, 31)).as_of_dates(), [date(2026, 3, 31)]);
    /// ```
    pub fn as_of_dates(&self) -> &[Date] {
        &self.as_of
    }

    /// Accepted rows dated after the first as-of date (left out of its metrics).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use customer_tiering::{CustomerId, Transaction};
    /// use jiff::civil::date;
    /// let mut aggregator = Aggregator::new(date(2026, 3, 31));
    /// let late = Transaction::new(CustomerId::new("C1")?, date(2026, 4, 1), 7.into());
    /// assert!(!aggregator.add(&late)?);
    /// assert_eq!(aggregator.after_as_of(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn after_as_of(&self) -> u64 {
        self.after_as_of
    }

    /// Customers with a row on or before the latest as-of date so far.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use customer_tiering::{CustomerId, Transaction};
    /// use jiff::civil::date;
    /// let mut aggregator = Aggregator::new(date(2026, 3, 31));
    /// for id in ["C1", "C2", "C1"] {
    ///     aggregator.add(&Transaction::new(CustomerId::new(id)?, date(2026, 3, 1), 1.into()))?;
    /// }
    /// assert_eq!(aggregator.customers(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn customers(&self) -> usize {
        self.partitions.iter().map(Partition::customers).sum()
    }

    /// Adds one transaction; returns whether it counts at the first as-of date.
    ///
    /// # Errors
    /// None today: sums are checked when the profiles are computed
    /// ([`finish`](Self::finish)). The `Result` leaves room for checks a future
    /// accumulator may need.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use customer_tiering::{CustomerId, Transaction};
    /// use jiff::civil::date;
    /// let mut aggregator = Aggregator::new(date(2026, 3, 31));
    /// let c1 = CustomerId::new("C1")?;
    /// assert!(aggregator.add(&Transaction::new(c1.clone(), date(2026, 3, 31), 5.into()))?);
    /// assert!(!aggregator.add(&Transaction::new(c1, date(2026, 4, 1), 5.into()))?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(&mut self, tx: &Transaction) -> Result<bool, Error> {
        let day = day_number(tx.date);
        let counts = self.note_day(day);
        if day <= self.last_day {
            let part = self.splitter.route(tx.customer_id.as_str().as_bytes());
            self.partitions[part].add(&self.periods, day, tx);
        }
        Ok(counts)
    }

    /// Merges an aggregate of other rows of the same data (another thread's or
    /// machine's share). The result does not depend on how the rows were split.
    ///
    /// # Errors
    /// [`Error::Population`] ([`PopulationProblem::Merge`]) when the two disagree on
    /// their as-of dates or window.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use jiff::civil::date;
    /// let mut march = Aggregator::new(date(2026, 3, 31));
    /// assert!(march.merge(Aggregator::new(date(2026, 4, 30))).is_err());
    /// assert!(march.merge(Aggregator::new(date(2026, 3, 31))).is_ok());
    /// ```
    pub fn merge(&mut self, other: Aggregator) -> Result<(), Error> {
        if (&self.as_of, self.window_days) != (&other.as_of, other.window_days) {
            return Err(Error::Population {
                reason: PopulationProblem::Merge {
                    as_of: self.as_of[0],
                    window_days: self.window_days,
                    other_as_of: other.as_of[0],
                    other_window_days: other.window_days,
                },
            });
        }
        self.after_as_of += other.after_as_of;
        if self.customers() == 0 && self.splitter.partitions() == 1 {
            self.splitter = other.splitter;
            self.partitions = other.partitions;
            return Ok(());
        }
        for part in &other.partitions {
            // Ranges may be cut differently: each customer goes by its own id.
            let targets: Vec<usize> = part
                .ids()
                .map(|id| self.splitter.route(id.as_bytes()))
                .collect();
            let mut wanted: Vec<usize> = targets.clone();
            wanted.sort_unstable();
            wanted.dedup();
            for target in wanted {
                self.partitions[target].merge(part, &|at| targets[at as usize] == target);
            }
        }
        Ok(())
    }

    /// The profiles at the first as-of date, sorted by id.
    ///
    /// # Errors
    /// [`Error::Overflow`] naming the first customer (by id) whose total leaves the
    /// decimal range.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use customer_tiering::{CustomerId, Transaction};
    /// use jiff::civil::date;
    /// let mut aggregator = Aggregator::new(date(2026, 3, 31));
    /// for id in ["b", "B", "a"] {
    ///     aggregator.add(&Transaction::new(CustomerId::new(id)?, date(2026, 3, 1), 1.into()))?;
    /// }
    /// let ids: Vec<String> = aggregator.finish()?.profiles().iter().map(|p| p.customer_id.to_string()).collect();
    /// assert_eq!(ids, ["B", "a", "b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(self) -> Result<Population, Error> {
        self.finish_with(Vec::new())
    }

    /// Like [`finish`](Self::finish), joined by id with customers known from a
    /// customers source: a buyer gets its attributes; a known customer without a row
    /// on or before the date joins as a non-buyer with its attributes.
    ///
    /// # Errors
    /// As [`finish`](Self::finish); [`Error::Population`] when a known id is given twice.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use customer_tiering::attributes::Attributes;
    /// use customer_tiering::CustomerId;
    /// use jiff::civil::date;
    /// let known = vec![(CustomerId::new("P1")?, Attributes::default())];
    /// let population = Aggregator::new(date(2026, 3, 31)).finish_with(known)?;
    /// assert!(!population.get("P1").unwrap().is_buyer());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish_with(self, known: Vec<(CustomerId, Attributes)>) -> Result<Population, Error> {
        let mut all = self.finish_all(known)?;
        Ok(all.swap_remove(0))
    }

    /// The profiles at every as-of date, in the order the dates were given, each joined
    /// with `known` as [`finish_with`](Self::finish_with) does.
    ///
    /// Ranges are turned into profiles a few at a time and dropped as they go, so the
    /// aggregate and the profiles are not both held whole.
    ///
    /// # Errors
    /// As [`finish_with`](Self::finish_with).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::aggregate::Aggregator;
    /// use jiff::civil::date;
    /// let aggregator = Aggregator::new(date(2026, 6, 30)).also_as_of(date(2026, 3, 31));
    /// assert_eq!(aggregator.finish_all(Vec::new())?.len(), 2);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn finish_all(
        self,
        known: Vec<(CustomerId, Attributes)>,
    ) -> Result<Vec<Population>, Error> {
        let Aggregator {
            as_of,
            growth,
            periods,
            splitter,
            mut partitions,
            ..
        } = self;
        crate::parallel::for_each_mut(&mut partitions, Partition::settle);
        let mut known_by_part: Vec<Known> = vec![Vec::new(); partitions.len()];
        for (id, attributes) in known {
            known_by_part[splitter.route(id.as_str().as_bytes())].push((id, attributes));
        }
        // Room for every customer from the start: memory not yet written costs nothing,
        // and columns that grow by doubling would be copied on the way.
        let most = partitions.iter().map(Partition::customers).sum::<usize>()
            + known_by_part.iter().map(Vec::len).sum::<usize>();
        let mut columns: Vec<Columns> = (0..as_of.len())
            .map(|_| Columns::with_capacity(most))
            .collect();
        // A few ranges at a time: enough to keep every thread busy, few enough that
        // their profiles are a small part of the whole.
        let group = crate::parallel::threads().max(1) * 2;
        let mut pending: Vec<(Partition, Known)> =
            partitions.into_iter().zip(known_by_part).collect();
        pending.reverse();
        let failure = FirstFailure::default();
        // Per range of the group and as-of date, its customers as columns, made straight
        // from the accumulators on every thread. The last group's are moved into the
        // population while the next group's are made: moving takes fresh memory, a
        // page fault a page, and is then not alone on the processor.
        let mut made: Vec<Vec<Columns>> = Vec::new();
        let mut done = 0;
        let append = |columns: &mut [Columns], made: Vec<Vec<Columns>>| {
            if failure.is_empty() {
                for chunks in made {
                    for (all, chunk) in columns.iter_mut().zip(chunks) {
                        all.append(chunk);
                    }
                }
            }
        };
        while !pending.is_empty() {
            let take = group.min(pending.len());
            let batch: Vec<_> = pending
                .split_off(pending.len() - take)
                .into_iter()
                .rev()
                .enumerate()
                .collect();
            let make = || {
                // A failure is kept only if it comes first in range, then date, then id
                // order (as one range after the other would have failed).
                crate::parallel::map_owned(batch, |(part, (partition, mut known))| {
                    known.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                    let finishing = partition.finishing(known);
                    let chunk = |(index, period): (usize, &Period)| {
                        finishing
                            .columns(index, *period, growth)
                            .unwrap_or_else(|(at, error)| {
                                failure.keep((done + part, index, at), error);
                                // Never appended: the failure is returned instead.
                                Columns::default()
                            })
                    };
                    periods
                        .iter()
                        .enumerate()
                        .map(chunk)
                        .collect::<Vec<Columns>>()
                })
            };
            let ((), made_now) =
                crate::parallel::join(|| append(&mut columns, std::mem::take(&mut made)), make);
            done += made_now.len();
            made = made_now;
        }
        append(&mut columns, made);
        if let Some(error) = failure.take() {
            return Err(error);
        }
        as_of
            .into_iter()
            .zip(columns)
            .map(|(date, columns)| Population::from_columns(date, columns))
            .collect()
    }

    /// Cuts the id ranges from a sample of ids, if nothing was added yet.
    pub(crate) fn partition_by<'a>(
        &mut self,
        sample: impl IntoIterator<Item = &'a [u8]>,
        partitions: usize,
    ) {
        if self.customers() == 0 && self.partitions.len() <= 1 {
            self.splitter = Splitter::from_sample(sample, partitions);
            self.partitions = (0..self.splitter.partitions())
                .map(|_| Partition::new(self.periods.len()))
                .collect();
        }
    }

    /// What the parallel reader needs: the periods, the last counted day, the ranges.
    pub(crate) fn parts_mut(&mut self) -> (&[Period], i32, &Splitter, &mut [Partition]) {
        (
            &self.periods,
            self.last_day,
            &self.splitter,
            &mut self.partitions,
        )
    }

    /// Counts a row dated `day` toward `after_as_of`; returns whether it counts at the
    /// first as-of date.
    #[inline]
    pub(crate) fn note_day(&mut self, day: i32) -> bool {
        let counts = day <= self.periods[0].day;
        self.after_as_of += u64::from(!counts);
        counts
    }

    /// Rows after the first as-of date counted elsewhere (by the parallel reader).
    pub(crate) fn add_after_as_of(&mut self, rows: u64) {
        self.after_as_of += rows;
    }

    fn reset(&mut self) {
        let window = i64::from(self.window_days);
        self.periods = self
            .as_of
            .iter()
            .map(|&date| Period {
                day: day_number(date),
                window,
            })
            .collect();
        self.last_day = self.periods.iter().map(|p| p.day).max().unwrap_or(i32::MIN);
        self.splitter = Splitter::default();
        self.partitions = vec![Partition::new(self.periods.len())];
        self.after_as_of = 0;
    }
}

/// Where a profile is made: its range, as-of date and place in the range's plan.
type Rank = (usize, usize, usize);

/// The failure that comes first by its [`Rank`], of many that may happen on several
/// threads.
#[derive(Debug, Default)]
struct FirstFailure(std::sync::Mutex<Option<(Rank, Error)>>);

impl FirstFailure {
    fn keep(&self, rank: Rank, error: Error) {
        let mut first = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if first.as_ref().is_none_or(|(kept, _)| rank < *kept) {
            *first = Some((rank, error));
        }
    }

    fn is_empty(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none()
    }

    fn take(self) -> Option<Error> {
        let first = self
            .0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        first.map(|(_, error)| error)
    }
}
