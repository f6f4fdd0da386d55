//! From transactions to profiles at an as-of date ([profile
//! metrics](crate::definitions#profile-metrics)).
//!
//! A [`PopulationBuilder`] keeps, per customer, one running total per distinct purchase
//! date. That is all the [profile metrics](crate::definitions#profile-metrics) need
//! (frequency is the number of dates, recency and tenure come from the first and last, the
//! windows are sums over dates), and it makes partial builders merge exactly: two builders
//! fed disjoint parts of a file, merged, equal one builder fed the whole file, in any
//! order.
//!
//! # Example
//! ```
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//!
//! let as_of = date(2026, 3, 31);
//! let mut whole = PopulationBuilder::new(as_of);
//! let mut parts = [PopulationBuilder::new(as_of), PopulationBuilder::new(as_of)];
//! let rows = [("C1", 1, 10), ("C2", 9, 4), ("C1", 1, 5)];
//! for (i, (id, day, amount)) in rows.into_iter().enumerate() {
//!     let tx = Transaction::new(CustomerId::new(id)?, date(2026, 3, day), amount.into());
//!     whole.add(tx.clone())?;
//!     parts[i % 2].add(tx)?; // say, one builder per thread
//! }
//! let [mut left, right] = parts;
//! left.merge(right)?;
//! let merged = left.finish()?;
//! assert_eq!(merged, whole.finish()?);
//! let c1 = merged.get("C1").unwrap();
//! assert_eq!((c1.frequency, c1.transactions, c1.monetary), (1, 2, 15.into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use smol_str::SmolStr;

use crate::attributes::Attributes;
use crate::dates::day_number;
use crate::error::{Error, PopulationProblem};
use crate::money::{checked_add, checked_mul};
use crate::profile::{CustomerId, Metric, Population, Profile, Transaction};
use crate::wide::{U256, at_scale, ratio_to_decimal};

/// The default length of the current and previous windows of [profile
/// metrics](crate::definitions#profile-metrics), in days.
///
/// # Example
/// ```
/// use customer_tiering::metrics::DEFAULT_WINDOW_DAYS;
/// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// assert_eq!(DEFAULT_WINDOW_DAYS, 365);
/// let c1 = CustomerId::new("C1")?;
/// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// builder.add(Transaction::new(c1.clone(), date(2025, 4, 1), 10.into()))?; // 364 days before
/// builder.add(Transaction::new(c1, date(2025, 3, 31), 1.into()))?; // 365 days before
/// let population = builder.finish()?;
/// let p = population.get("C1").unwrap();
/// assert_eq!((p.monetary_current, p.monetary_previous), (10.into(), 1.into()));
/// assert_eq!(p.growth, Some(9.into())); // (10 − 1) / 1
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const DEFAULT_WINDOW_DAYS: u32 = 365;

pub(crate) type IdMap<V> = HashMap<CustomerId, V, foldhash::fast::RandomState>;

/// One customer's purchases so far, reduced to what the [profile
/// metrics](crate::definitions#profile-metrics) need. The fields are the crate's so that a
/// live tiering's snapshot (`incremental`) can save and restore them; whoever builds one
/// keeps the orders documented here.
#[derive(Debug, Clone, Default)]
pub(crate) struct Accumulator {
    /// Distinct purchase dates (as day numbers, see [`day_number`]) with the exact sum
    /// of amounts on each, sorted by date.
    pub(crate) days: Vec<(i32, Decimal)>,
    pub(crate) transactions: u64,
    pub(crate) profit: Option<Decimal>,
    /// Distinct product codes, sorted.
    pub(crate) products: Vec<SmolStr>,
}

impl Accumulator {
    /// Counts one transaction (dated on or before the as-of date).
    pub(crate) fn add(&mut self, tx: &Transaction) -> Result<(), Error> {
        let overflow = |metric| Error::customer_overflow(metric, &tx.customer_id);
        self.add_day(day_number(tx.date), tx.amount)
            .ok_or_else(|| overflow("monetary"))?;
        self.transactions += 1;
        if let Some(profit) = tx.profit {
            self.add_profit(profit).ok_or_else(|| overflow("profit"))?;
        }
        if let Some(product) = &tx.product {
            self.add_product(product);
        }
        Ok(())
    }

    fn add_day(&mut self, date: i32, amount: Decimal) -> Option<()> {
        match self.days.last_mut() {
            // Transaction logs are mostly in date order: the common case appends.
            Some((last, sum)) if *last == date => *sum = checked_add(*sum, amount)?,
            Some((last, _)) if *last < date => self.days.push((date, amount)),
            None => self.days.push((date, amount)),
            Some(_) => match self.days.binary_search_by(|(d, _)| d.cmp(&date)) {
                Ok(i) => self.days[i].1 = checked_add(self.days[i].1, amount)?,
                Err(i) => self.days.insert(i, (date, amount)),
            },
        }
        Some(())
    }

    fn add_profit(&mut self, profit: Decimal) -> Option<()> {
        self.profit = Some(match self.profit {
            Some(sum) => checked_add(sum, profit)?,
            None => profit,
        });
        Some(())
    }

    fn add_product(&mut self, product: &SmolStr) {
        if let Err(i) = self.products.binary_search(product) {
            self.products.insert(i, product.clone());
        }
    }

    fn merge(&mut self, other: Accumulator) -> Result<(), &'static str> {
        for (date, amount) in other.days {
            self.add_day(date, amount).ok_or("monetary")?;
        }
        self.transactions += other.transactions;
        if let Some(profit) = other.profit {
            self.add_profit(profit).ok_or("profit")?;
        }
        for product in &other.products {
            self.add_product(product);
        }
        Ok(())
    }
}

/// Builds a [`Population`] from transactions at an as-of date ([profile
/// metrics](crate::definitions#profile-metrics)).
///
/// Rows dated after the as-of date are counted in [`after_as_of`](Self::after_as_of)
/// and left out of every metric; every other row counts, whatever its amount.
///
/// # Example
/// ```
/// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// use rust_decimal::dec;
/// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// let c1 = CustomerId::new("C1").unwrap();
/// builder.add(Transaction::new(c1.clone(), date(2026, 3, 1), dec!(10.00)))?;
/// builder.add(Transaction::new(c1.clone(), date(2026, 3, 1), dec!(2.5)))?;
/// builder.add(Transaction::new(c1, date(2026, 4, 2), dec!(99)))?; // after the as-of date
/// assert_eq!(builder.after_as_of(), 1);
/// let population = builder.finish()?;
/// let p = &population.profiles()[0];
/// assert_eq!((p.frequency, p.transactions, p.recency_days), (1, 2, Some(30)));
/// assert_eq!(p.monetary.to_string(), "12.50");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PopulationBuilder {
    as_of: Date,
    window_days: u32,
    customers: IdMap<Accumulator>,
    after_as_of: u64,
    /// Whether profiles get their `growth` (see [`PopulationBuilder::computing`]).
    growth: bool,
}

impl PopulationBuilder {
    /// A builder for profiles at `as_of` with the default 365-day windows.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::PopulationBuilder;
    /// use jiff::civil::date;
    /// let builder = PopulationBuilder::new(date(2026, 3, 31));
    /// assert_eq!((builder.as_of(), builder.customers()), (date(2026, 3, 31), 0));
    /// assert!(builder.finish()?.is_empty()); // no rows: an empty population, not an error
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new(as_of: Date) -> Self {
        PopulationBuilder {
            as_of,
            window_days: DEFAULT_WINDOW_DAYS,
            customers: IdMap::default(),
            after_as_of: 0,
            growth: true,
        }
    }

    /// Computes only the optional metrics in `metrics` — today `growth`, a division per
    /// customer; the others cost nothing extra and are always there. Pass what a
    /// pipeline reads (`pipeline.reads().metrics`): a metric nobody reads is left out
    /// (none). By default every metric is computed.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, Metric, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let c1 = CustomerId::new("C1")?;
    /// let tx = |day| Transaction::new(c1.clone(), day, 10.into());
    /// for (metrics, growth) in [(vec![Metric::Growth], Some(0.into())), (vec![Metric::Monetary], None)] {
    ///     let mut builder = PopulationBuilder::new(date(2026, 3, 31)).computing(&metrics);
    ///     builder.add(tx(date(2026, 3, 1)))?;
    ///     builder.add(tx(date(2025, 3, 1)))?; // the year before: growth 0
    ///     assert_eq!(builder.finish()?.get("C1").unwrap().growth, growth);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn computing(mut self, metrics: &[Metric]) -> Self {
        self.growth = metrics.contains(&Metric::Growth);
        self
    }

    /// Sets the window of `monetary_current` / `monetary_previous` ([profile
    /// metrics](crate::definitions#profile-metrics)), in days (at least 1: a window of 0
    /// days is taken as 1).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let c1 = CustomerId::new("C1")?;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31)).window_days(30);
    /// builder.add(Transaction::new(c1.clone(), date(2026, 3, 20), 60.into()))?; // 11 days before
    /// builder.add(Transaction::new(c1, date(2026, 2, 19), 40.into()))?; // 40 days before
    /// let population = builder.finish()?;
    /// let p = population.get("C1").unwrap();
    /// assert_eq!((p.monetary_current, p.monetary_previous), (60.into(), 40.into()));
    /// assert_eq!(p.growth.unwrap().to_string(), "0.5");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn window_days(mut self, days: u32) -> Self {
        self.window_days = days.max(1);
        self
    }

    /// The as-of date.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::PopulationBuilder;
    /// use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// assert_eq!(builder.as_of(), date(2026, 3, 31));
    /// builder.advance_to(date(2026, 4, 30))?;
    /// assert_eq!(builder.as_of(), date(2026, 4, 30));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// Accepted rows dated after the as-of date, left out of every metric.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let c1 = CustomerId::new("C1")?;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(c1.clone(), date(2026, 3, 31), 5.into()))?; // as-of date
    /// builder.add(Transaction::new(c1, date(2026, 4, 1), 7.into()))?; // the day after
    /// assert_eq!(builder.after_as_of(), 1);
    /// assert_eq!(builder.finish()?.get("C1").unwrap().monetary, 5.into());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn after_as_of(&self) -> u64 {
        self.after_as_of
    }

    /// Adds one transaction; returns whether it counts (is dated on or before the as-of
    /// date).
    ///
    /// # Errors
    /// [`Error::Overflow`] when an exact sum of this customer leaves the decimal range: its
    /// amounts on this row's date, or its profits. Totals over several dates are summed,
    /// and checked, by [`finish`](Self::finish) and [`profile`](Self::profile).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, Error, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// use rust_decimal::Decimal;
    /// let c1 = CustomerId::new("C1")?;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// assert!(builder.add(Transaction::new(c1.clone(), date(2026, 3, 31), Decimal::MAX))?);
    /// assert!(!builder.add(Transaction::new(c1.clone(), date(2026, 4, 1), 1.into()))?); // after
    /// let err = builder.add(Transaction::new(c1, date(2026, 3, 31), Decimal::MAX)).unwrap_err();
    /// assert!(matches!(err, Error::Overflow { metric: "monetary", .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(&mut self, tx: Transaction) -> Result<bool, Error> {
        if tx.date > self.as_of {
            self.after_as_of += 1;
            return Ok(false);
        }
        let acc = match self.customers.get_mut(&tx.customer_id) {
            Some(acc) => acc,
            None => self.customers.entry(tx.customer_id.clone()).or_default(),
        };
        acc.add(&tx)?;
        Ok(true)
    }

    /// Merges a builder fed other rows of the same data (for example another thread's
    /// share of a file). The result does not depend on how rows were split.
    ///
    /// # Errors
    /// [`Error::Population`] ([`PopulationProblem::Merge`]) when the builders disagree on
    /// the as-of date or window;
    /// [`Error::Overflow`] when a merged sum leaves the decimal range.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let as_of = date(2026, 3, 31);
    /// let c1 = CustomerId::new("C1")?;
    /// let (mut left, mut right) = (PopulationBuilder::new(as_of), PopulationBuilder::new(as_of));
    /// left.add(Transaction::new(c1.clone(), date(2026, 3, 1), 10.into()))?;
    /// right.add(Transaction::new(c1, date(2026, 3, 1), 5.into()))?;
    /// left.merge(right)?;
    /// let population = left.finish()?;
    /// let p = population.get("C1").unwrap();
    /// assert_eq!((p.frequency, p.transactions, p.monetary), (1, 2, 15.into())); // same day
    /// let mut march = PopulationBuilder::new(as_of);
    /// assert!(march.merge(PopulationBuilder::new(date(2026, 4, 30))).is_err()); // other date
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn merge(&mut self, other: PopulationBuilder) -> Result<(), Error> {
        if (self.as_of, self.window_days) != (other.as_of, other.window_days) {
            return Err(Error::Population {
                reason: PopulationProblem::Merge {
                    as_of: self.as_of,
                    window_days: self.window_days,
                    other_as_of: other.as_of,
                    other_window_days: other.window_days,
                },
            });
        }
        self.after_as_of += other.after_as_of;
        for (id, acc) in other.customers {
            match self.customers.get_mut(&id) {
                Some(mine) => mine
                    .merge(acc)
                    .map_err(|metric| Error::customer_overflow(metric, &id))?,
                None => {
                    self.customers.insert(id, acc);
                }
            }
        }
        Ok(())
    }

    /// The number of customers seen so far with a counted row.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// let rows = [("C1", date(2026, 3, 1)), ("C1", date(2026, 3, 5)), ("C2", date(2026, 4, 2))];
    /// for (id, day) in rows {
    ///     builder.add(Transaction::new(CustomerId::new(id)?, day, 1.into()))?;
    /// }
    /// assert_eq!(builder.customers(), 1); // C2's only row is after the as-of date
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn customers(&self) -> usize {
        self.customers.len()
    }

    /// The as-of date, the window and every customer's accumulated purchases.
    pub(crate) fn into_parts(self) -> (Date, u32, IdMap<Accumulator>) {
        (self.as_of, self.window_days, self.customers)
    }

    /// The ids of the customers seen so far with a counted row (in no order).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// for id in ["C2", "C1", "C2"] {
    ///     builder.add(Transaction::new(CustomerId::new(id)?, date(2026, 3, 1), 1.into()))?;
    /// }
    /// let mut ids: Vec<&str> = builder.ids().map(CustomerId::as_str).collect();
    /// ids.sort_unstable(); // they come in no particular order
    /// assert_eq!(ids, ["C1", "C2"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ids(&self) -> impl Iterator<Item = &CustomerId> {
        self.customers.keys()
    }

    /// One customer's profile at the builder's as-of date, from the rows so far; none
    /// for a customer without a counted row.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a sum leaves the decimal range.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let c1 = CustomerId::new("C1").unwrap();
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// b.add(Transaction::new(c1.clone(), date(2026, 3, 1), 5.into()))?;
    /// assert_eq!(b.profile(&c1)?.unwrap().recency_days, Some(30));
    /// b.advance_to(date(2026, 4, 30))?;
    /// assert_eq!(b.profile(&c1)?.unwrap().recency_days, Some(60));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn profile(&self, id: &CustomerId) -> Result<Option<Profile>, Error> {
        self.customers
            .get(id)
            .map(|acc| profile_of(id.clone(), acc, self.as_of, i64::from(self.window_days)))
            .transpose()
    }

    /// Moves the as-of date forward: recency and tenure grow, the windows slide. Rows
    /// already counted stay counted; rows dated after the old date were left out when
    /// they were added and stay out.
    ///
    /// # Errors
    /// [`Error::Population`] ([`PopulationProblem::AsOfBack`]) for a date before the
    /// current one.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("C1")?, date(2026, 3, 1), 5.into()))?;
    /// builder.advance_to(date(2026, 6, 30))?;
    /// let back = builder.advance_to(date(2026, 1, 1)).unwrap_err();
    /// assert_eq!(
    ///     back.to_string(),
    ///     "pipeline: cannot move the as-of date back from 2026-06-30 to 2026-01-01"
    /// );
    /// let population = builder.finish()?;
    /// assert_eq!(population.get("C1").unwrap().recency_days, Some(121));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn advance_to(&mut self, as_of: Date) -> Result<(), Error> {
        if as_of < self.as_of {
            return Err(Error::Population {
                reason: PopulationProblem::AsOfBack {
                    from: self.as_of,
                    to: as_of,
                },
            });
        }
        self.as_of = as_of;
        Ok(())
    }

    /// Computes every profile, sorted by customer id.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a customer's total leaves the decimal range.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// for id in ["b", "B", "a"] {
    ///     builder.add(Transaction::new(CustomerId::new(id)?, date(2026, 3, 1), 1.into()))?;
    /// }
    /// let population = builder.finish()?;
    /// let ids: Vec<&str> = population.profiles().iter().map(|p| p.customer_id.as_str()).collect();
    /// assert_eq!(ids, ["B", "a", "b"]); // by id, as bytes
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn finish(self) -> Result<Population, Error> {
        self.finish_with(std::iter::empty())
    }

    /// Like [`finish`](Self::finish), joined by id with customers known from a customers
    /// source ([inputs](crate::definitions#inputs)): a buyer gets its attributes; a known
    /// customer without a counted purchase joins the population as a non-buyer (a prospect)
    /// with its attributes.
    ///
    /// # Errors
    /// As [`finish`](Self::finish).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::{Attributes, AttrValue};
    /// use customer_tiering::{CustomerId, PopulationBuilder};
    /// use jiff::civil::date;
    /// let mut attrs = Attributes::default();
    /// attrs.insert("status", AttrValue::Text("target".into()));
    /// let known = [(CustomerId::new("P1").unwrap(), attrs)];
    /// let population = PopulationBuilder::new(date(2026, 3, 31)).finish_with(known)?;
    /// let p1 = population.get("P1").unwrap();
    /// assert!(!p1.is_buyer());
    /// assert_eq!(p1.attributes.text("status"), Some("target"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn finish_with(
        self,
        known_customers: impl IntoIterator<Item = (CustomerId, Attributes)>,
    ) -> Result<Population, Error> {
        let (as_of, window) = (self.as_of, i64::from(self.window_days));
        let growth = self.growth;
        let mut profiles = Vec::with_capacity(self.customers.len());
        let mut customers = self.customers;
        for (id, attributes) in known_customers {
            let mut profile = match customers.remove(&id) {
                Some(acc) => profile_with(id, &acc, as_of, window, growth)?,
                None => Profile::without_purchases(id),
            };
            profile.attributes = attributes;
            profiles.push(profile);
        }
        for (id, acc) in customers.drain() {
            profiles.push(profile_with(id, &acc, as_of, window, growth)?);
        }
        Population::new(as_of, profiles)
    }
}

pub(crate) fn profile_of(
    id: CustomerId,
    acc: &Accumulator,
    as_of: Date,
    window: i64,
) -> Result<Profile, Error> {
    profile_with(id, acc, as_of, window, true)
}

/// [`profile_of`], leaving `growth` out (none) unless `with_growth`: the one exact
/// division of a profile, skipped where nothing reads it.
pub(crate) fn profile_with(
    id: CustomerId,
    acc: &Accumulator,
    as_of: Date,
    window: i64,
    with_growth: bool,
) -> Result<Profile, Error> {
    let overflow = |metric| Error::customer_overflow(metric, &id);
    let (first, last) = match (acc.days.first(), acc.days.last()) {
        (Some(first), Some(last)) => (first.0, last.0),
        _ => return Ok(Profile::without_purchases(id)),
    };
    let today = i64::from(day_number(as_of));
    let mut monetary = Decimal::ZERO;
    let mut current = Decimal::ZERO;
    let mut previous = Decimal::ZERO;
    for &(date, amount) in &acc.days {
        monetary = checked_add(monetary, amount).ok_or_else(|| overflow("monetary"))?;
        let age = today - i64::from(date);
        if age < window {
            current = checked_add(current, amount).ok_or_else(|| overflow("monetary_current"))?;
        } else if age < 2 * window {
            previous =
                checked_add(previous, amount).ok_or_else(|| overflow("monetary_previous"))?;
        }
    }
    let growth = if with_growth {
        growth(current, previous).map_err(|()| overflow("growth"))?
    } else {
        None
    };
    Ok(Profile {
        recency_days: Some(today - i64::from(last)),
        frequency: acc.days.len() as u64,
        transactions: acc.transactions,
        monetary: crate::money::normalize_zero(monetary),
        profit: acc.profit.map(crate::money::normalize_zero),
        tenure_days: Some(today - i64::from(first)),
        distinct_products: (!acc.products.is_empty()).then_some(acc.products.len() as u64),
        monetary_current: crate::money::normalize_zero(current),
        monetary_previous: crate::money::normalize_zero(previous),
        growth,
        attributes: Attributes::default(),
        customer_id: id,
    })
}

/// `growth` of [profile metrics](crate::definitions#profile-metrics) for profiles
/// aggregated elsewhere (a SQL engine, a warehouse): `(current − previous) / previous`,
/// exact, rounded half away from zero to 28 significant digits; none unless `previous`
/// is positive.
///
/// # Errors
/// [`Error::Overflow`] naming `customer` when the growth leaves the decimal range.
///
/// # Example
/// ```
/// use customer_tiering::metrics::growth_of;
/// use rust_decimal::dec;
/// assert_eq!(growth_of(dec!(150.00), dec!(100.00), "C1")?, Some(dec!(0.5)));
/// assert_eq!(growth_of(dec!(150.00), dec!(0), "C1")?, None);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn growth_of(
    current: Decimal,
    previous: Decimal,
    customer: &str,
) -> Result<Option<Decimal>, Error> {
    growth(current, previous).map_err(|()| Error::customer_overflow("growth", customer))
}

/// `growth` of [profile metrics](crate::definitions#profile-metrics): exact division
/// rounded half away from zero to 28 significant digits (at most 28 decimal places,
/// `rust_decimal`'s limit), none unless the previous window's spend is positive; `Err` when
/// the growth itself leaves the decimal range.
///
/// Worked in integers: `rust_decimal`'s own `checked_sub` and `checked_div` fail on
/// intermediate results (`current − previous`) that the growth does not need, and its
/// division rounds the last digit banker's way before a second rounding could fix it.
pub(crate) fn growth(current: Decimal, previous: Decimal) -> Result<Option<Decimal>, ()> {
    if previous <= Decimal::ZERO {
        return Ok(None);
    }
    let scale = current.scale().max(previous.scale());
    // Both < 2^96 · 10^28 < 2^190: the differences and products below fit 256 bits.
    let (c, p) = (
        at_scale(current.abs(), scale).ok_or(())?,
        at_scale(previous, scale).ok_or(())?,
    );
    let (negative, diff) = if current.is_sign_negative() {
        (true, c.saturating_add(p))
    } else if c >= p {
        (false, c.checked_sub(p).ok_or(())?)
    } else {
        (true, p.checked_sub(c).ok_or(())?)
    };
    if diff == U256::ZERO {
        return Ok(Some(Decimal::ZERO));
    }
    let digits_28 = U256::from_u128(10u128.pow(28));
    // The most decimal places that leave at most 28 digits before rounding.
    for places in (0..=28).rev() {
        let scaled = diff.checked_mul(10u128.pow(places)).ok_or(())?;
        let (whole, _) = scaled.div_rem(p).ok_or(())?;
        if whole < digits_28 {
            let value = ratio_to_decimal(negative, scaled, p, 0).ok_or(())?;
            let mut value = value;
            value.set_scale(places).map_err(|_| ())?;
            return Ok(Some(value.normalize()));
        }
    }
    // 10^28 or more: 28 significant digits of a 29-digit number end in a zero.
    let tens = p.checked_mul(10).ok_or(())?;
    let value = ratio_to_decimal(negative, diff, tens, 0).ok_or(())?;
    let value = checked_mul(value, Decimal::TEN).ok_or(())?;
    Ok(Some(value.normalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rust_decimal::dec;

    fn tx(id: &str, d: Date, amount: Decimal) -> Transaction {
        Transaction::new(CustomerId::new(id).unwrap(), d, amount)
    }

    #[test]
    fn every_metric_of_spec_2() {
        let as_of = date(2026, 3, 31);
        let mut b = PopulationBuilder::new(as_of);
        for t in [
            tx("a", date(2026, 3, 1), dec!(10.00))
                .with_product("p1")
                .with_profit(dec!(2)),
            tx("a", date(2026, 3, 1), dec!(-2.5)).with_product("p2"),
            tx("a", date(2025, 1, 10), dec!(4)).with_product("p1"),
            tx("a", date(2026, 4, 1), dec!(1000)),
            tx("b", date(2026, 3, 31), dec!(0)),
        ] {
            b.add(t).unwrap();
        }
        assert_eq!(b.after_as_of(), 1);
        let pop = b.finish().unwrap();
        let a = pop.get("a").unwrap();
        assert_eq!(a.recency_days, Some(30));
        assert_eq!(a.frequency, 2);
        assert_eq!(a.transactions, 3);
        assert_eq!(a.monetary.to_string(), "11.50");
        assert_eq!(a.profit, Some(dec!(2)));
        assert_eq!(
            a.tenure_days,
            Some(crate::dates::days_between(date(2025, 1, 10), as_of))
        );
        assert_eq!(a.distinct_products, Some(2));
        assert_eq!(a.monetary_current.to_string(), "7.50");
        assert_eq!(a.monetary_previous.to_string(), "4");
        assert_eq!(a.growth, Some(dec!(0.875)));
        let b = pop.get("b").unwrap();
        assert_eq!(
            (b.recency_days, b.frequency, b.monetary),
            (Some(0), 1, dec!(0))
        );
        assert_eq!(
            (b.profit, b.distinct_products, b.growth),
            (None, None, None)
        );
    }

    #[test]
    fn window_boundaries_are_half_open() {
        let as_of = date(2026, 3, 31);
        let mut b = PopulationBuilder::new(as_of).window_days(10);
        for (d, amount) in [
            (date(2026, 3, 22), dec!(1)),    // age 9: current
            (date(2026, 3, 21), dec!(10)),   // age 10: previous
            (date(2026, 3, 12), dec!(100)),  // age 19: previous
            (date(2026, 3, 11), dec!(1000)), // age 20: neither
        ] {
            b.add(tx("a", d, amount)).unwrap();
        }
        let p = b.finish().unwrap().profiles()[0].clone();
        assert_eq!(
            (p.monetary_current, p.monetary_previous),
            (dec!(1), dec!(110))
        );
    }

    #[test]
    fn growth_rounds_half_away_from_zero_to_28_digits() {
        assert_eq!(
            growth(dec!(2), dec!(3)).unwrap().unwrap().to_string(),
            "-0.3333333333333333333333333333"
        );
        assert_eq!(
            growth(dec!(5), dec!(3)).unwrap().unwrap().to_string(),
            "0.6666666666666666666666666667"
        );
        assert_eq!(growth(dec!(1), dec!(0)), Ok(None));
        assert_eq!(growth(dec!(1), dec!(-1)), Ok(None));
    }

    #[test]
    fn growth_is_exact_at_the_edges_of_the_decimal_range() {
        let g = |c: Decimal, p: Decimal| growth(c, p).map(|g| g.map(|g| g.to_string()));
        // current − previous leaves the range, the growth −2 does not
        assert_eq!(g(Decimal::MIN, Decimal::MAX), Ok(Some("-2".into())));
        assert_eq!(g(dec!(-3.5), dec!(3.50)), Ok(Some("-2".into())));
        assert_eq!(g(dec!(150.00), dec!(100)), Ok(Some("0.5".into())));
        assert_eq!(g(dec!(7), dec!(7.000)), Ok(Some("0".into())));
        // 28 significant digits of 1/7 − 1 and of 10^6/7 − 1
        assert_eq!(
            g(dec!(1), dec!(7)),
            Ok(Some("-0.8571428571428571428571428571".into()))
        );
        assert_eq!(
            g(dec!(1000000), dec!(7)),
            Ok(Some("142856.1428571428571428571429".into()))
        );
        // 7.9·10^28 / 10^-28: far past the range, an error rather than a silent none
        assert_eq!(
            g(Decimal::MAX, dec!(0.0000000000000000000000000001)),
            Err(())
        );
        // 10^28 and more keep 28 significant digits: the 29th is a rounded zero
        assert_eq!(
            g(dec!(50000000000000000000000000016), dec!(1)),
            Ok(Some("50000000000000000000000000020".into()))
        );
    }

    #[test]
    fn overflow_is_an_error_naming_the_customer() {
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        b.add(tx("whale", date(2026, 1, 1), Decimal::MAX)).unwrap();
        let err = b
            .add(tx("whale", date(2026, 1, 1), Decimal::MAX))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "monetary of customer \"whale\" overflows the decimal range"
        );
    }

    #[test]
    fn merged_partial_builders_equal_one_builder() {
        let as_of = date(2026, 3, 31);
        let rows: Vec<Transaction> = (0..60)
            .map(|i| {
                tx(
                    &format!("c{}", i % 7),
                    date(2025, 1 + (i % 12) as i8, 1 + (i % 28) as i8),
                    Decimal::new(i as i64 * 37 - 200, 2),
                )
                .with_product(&format!("p{}", i % 5))
            })
            .collect();
        let mut whole = PopulationBuilder::new(as_of);
        let (mut left, mut right) = (PopulationBuilder::new(as_of), PopulationBuilder::new(as_of));
        for (i, t) in rows.iter().enumerate() {
            whole.add(t.clone()).unwrap();
            if i % 3 == 0 {
                left.add(t.clone()).unwrap();
            } else {
                right.add(t.clone()).unwrap();
            }
        }
        right.merge(left).unwrap();
        assert_eq!(right.finish().unwrap(), whole.finish().unwrap());
    }
}
