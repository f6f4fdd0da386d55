//! Domain types of [inputs](crate::definitions#inputs) and [profile
//! metrics](crate::definitions#profile-metrics): customer ids, transactions, per-customer
//! profiles and the population a classifier is fitted on; the metrics of a profile and
//! which way each is better ([`Direction`]).
//!
//! # Example
//! ```
//! use customer_tiering::profile::{CustomerId, Metric, Transaction};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//! use rust_decimal::dec;
//!
//! let c1 = CustomerId::new("C1")?;
//! let mut builder = PopulationBuilder::new(date(2026, 3, 31));
//! builder.add(Transaction::new(c1.clone(), date(2026, 1, 10), dec!(40.00)).with_product("tea"))?;
//! builder.add(Transaction::new(c1, date(2026, 3, 21), dec!(-5.5)).with_product("cup"))?;
//! let population = builder.finish()?;
//! let p = population.get("C1").unwrap();
//! assert_eq!(p.metric(Metric::RecencyDays), Some(dec!(10)));
//! assert_eq!(p.metric(Metric::TenureDays), Some(dec!(80)));
//! assert_eq!(p.monetary.to_string(), "34.50"); // a refund is a negative amount
//! assert_eq!(p.metric(Metric::DistinctProducts), Some(dec!(2)));
//! assert_eq!(p.metric(Metric::Profit), None); // no row had a profit
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;
use std::fmt;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::attributes::Attributes;

/// The longest customer id ([inputs](crate::definitions#inputs)), in bytes after trimming.
///
/// # Example
/// ```
/// use customer_tiering::profile::{CustomerId, IdError, MAX_ID_BYTES};
/// let longest = "x".repeat(MAX_ID_BYTES);
/// assert!(CustomerId::new(&longest).is_ok());
/// assert!(CustomerId::new(&format!("  {longest}  ")).is_ok()); // counted after trimming
/// assert_eq!(CustomerId::new(&format!("{longest}y")), Err(IdError::TooLong(129)));
/// ```
pub const MAX_ID_BYTES: usize = 128;

/// A customer id: 1..=128 bytes of text after trimming ASCII whitespace, case-sensitive,
/// ordered as bytes ([inputs](crate::definitions#inputs),
/// [determinism](crate::definitions#determinism)).
///
/// Ids of up to 23 bytes are stored inline, so building and cloning one does not
/// allocate.
///
/// # Example
/// ```
/// use customer_tiering::CustomerId;
/// let id = CustomerId::new("  C0001 ").unwrap();
/// assert_eq!(id.as_str(), "C0001");
/// assert!(CustomerId::new("   ").is_err());
/// assert!(CustomerId::new("B").unwrap() < CustomerId::new("a").unwrap()); // byte order
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerId(SmolStr);

/// Why a text is not a customer id.
///
/// # Example
/// ```
/// use customer_tiering::profile::{CustomerId, IdError};
/// assert_eq!(CustomerId::new(" \t "), Err(IdError::Empty));
/// assert_eq!(CustomerId::from_bytes(b"C\xFF1"), Err(IdError::NotUtf8));
/// let err = CustomerId::new(&"x".repeat(130)).unwrap_err();
/// assert_eq!(err.to_string(), "customer id longer than 128 bytes (130 bytes)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Nothing left after trimming.
    #[error("empty customer id")]
    Empty,
    /// Longer than [`MAX_ID_BYTES`] after trimming.
    #[error("customer id longer than 128 bytes ({0} bytes)")]
    TooLong(usize),
    /// Not valid UTF-8.
    #[error("customer id is not valid UTF-8")]
    NotUtf8,
}

impl CustomerId {
    /// Validates and trims an id.
    ///
    /// # Errors
    /// [`IdError`] when the trimmed id is empty or longer than 128 bytes.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::profile::{CustomerId, IdError};
    /// let id = CustomerId::new("\tC0001 ")?;
    /// assert_eq!(id.as_str(), "C0001");
    /// assert_ne!(id, CustomerId::new("c0001")?); // case-sensitive
    /// assert_eq!(CustomerId::new(""), Err(IdError::Empty));
    /// # Ok::<(), IdError>(())
    /// ```
    pub fn new(text: &str) -> Result<Self, IdError> {
        let trimmed = text.trim_ascii();
        match trimmed.len() {
            0 => Err(IdError::Empty),
            len if len > MAX_ID_BYTES => Err(IdError::TooLong(len)),
            _ => Ok(CustomerId(SmolStr::new(trimmed))),
        }
    }

    /// Validates raw bytes (a CSV field) as an id.
    ///
    /// # Errors
    /// [`IdError`] as [`CustomerId::new`], or [`IdError::NotUtf8`].
    ///
    /// # Example
    /// ```
    /// use customer_tiering::profile::{CustomerId, IdError};
    /// assert_eq!(CustomerId::from_bytes(b" 17850\r")?.as_str(), "17850");
    /// assert_eq!(CustomerId::from_bytes(b"\xFFC1"), Err(IdError::NotUtf8));
    /// # Ok::<(), IdError>(())
    /// ```
    pub fn from_bytes(raw: &[u8]) -> Result<Self, IdError> {
        std::str::from_utf8(raw.trim_ascii())
            .map_err(|_| IdError::NotUtf8)
            .and_then(CustomerId::new)
    }

    /// An id already checked (trimmed, 1..=128 bytes).
    pub(crate) fn from_valid(id: SmolStr) -> Self {
        debug_assert!(CustomerId::new(&id).is_ok_and(|ok| ok.0 == id));
        CustomerId(id)
    }

    /// The id as text.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::CustomerId;
    /// let id = CustomerId::new(" Acme-01 ")?;
    /// assert_eq!(id.as_str(), "Acme-01");
    /// # Ok::<(), customer_tiering::profile::IdError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CustomerId {
    type Error = IdError;
    fn try_from(text: String) -> Result<Self, IdError> {
        CustomerId::new(&text)
    }
}

impl From<CustomerId> for String {
    fn from(id: CustomerId) -> String {
        id.0.into()
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// One purchase line ([inputs](crate::definitions#inputs)). Amount and profit are exact
/// decimals; a negative amount is a refund.
///
/// # Example
/// ```
/// use customer_tiering::{CustomerId, Transaction};
/// use jiff::civil::date;
/// use rust_decimal::dec;
/// let tx = Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), dec!(12.50));
/// assert_eq!(tx.amount.to_string(), "12.50");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// Who bought.
    pub customer_id: CustomerId,
    /// The calendar date of the purchase (never shifted by a time zone).
    pub date: Date,
    /// The line's amount; may be zero or negative.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The line's gross margin, when known.
    #[serde(default, with = "crate::money::opt_str")]
    pub profit: Option<Decimal>,
    /// A product or category code, for variety counts.
    #[serde(default)]
    pub product: Option<SmolStr>,
}

impl Transaction {
    /// A transaction without profit or product.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, Transaction};
    /// use jiff::civil::date;
    /// use rust_decimal::dec;
    /// let refund = Transaction::new(CustomerId::new("C1")?, date(2026, 3, 2), dec!(-4.50));
    /// assert_eq!(refund.amount.to_string(), "-4.50");
    /// assert_eq!((refund.profit, refund.product), (None, None));
    /// # Ok::<(), customer_tiering::profile::IdError>(())
    /// ```
    pub fn new(customer_id: CustomerId, date: Date, amount: Decimal) -> Self {
        Transaction {
            customer_id,
            date,
            amount,
            profit: None,
            product: None,
        }
    }

    /// Sets the profit (by value, for chaining).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// use rust_decimal::dec;
    /// let c1 = CustomerId::new("C1")?;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// let tx = Transaction::new(c1.clone(), date(2026, 3, 1), dec!(80)).with_profit(dec!(12.40));
    /// builder.add(tx)?;
    /// builder.add(Transaction::new(c1, date(2026, 3, 9), dec!(20)))?; // profit unknown
    /// let population = builder.finish()?;
    /// assert_eq!(population.get("C1").unwrap().profit, Some(dec!(12.40)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_profit(mut self, profit: Decimal) -> Self {
        self.profit = Some(profit);
        self
    }

    /// Sets the product code (by value, for chaining).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let c1 = CustomerId::new("C1")?;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// for sku in ["tea", "cup", "tea"] {
    ///     let line = Transaction::new(c1.clone(), date(2026, 3, 1), 5.into());
    ///     builder.add(line.with_product(sku))?;
    /// }
    /// assert_eq!(builder.finish()?.get("C1").unwrap().distinct_products, Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_product(mut self, product: &str) -> Self {
        self.product = Some(SmolStr::new(product));
        self
    }
}

/// A per-customer metric ([profile metrics](crate::definitions#profile-metrics)), by the
/// name used in files and rule sets.
///
/// # Example
/// ```
/// use customer_tiering::Metric;
/// let metric = Metric::from_name("tenure_days").unwrap();
/// assert_eq!(metric, Metric::TenureDays);
/// assert_eq!(metric.to_string(), "tenure_days");
/// assert_eq!(serde_json::to_string(&Metric::RecencyDays)?, r#""recency_days""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Metric {
    /// Days since the last purchase; fewer is better.
    RecencyDays,
    /// Distinct purchase dates.
    Frequency,
    /// Purchase rows.
    Transactions,
    /// Exact sum of amounts.
    Monetary,
    /// Exact sum of profits.
    Profit,
    /// Days since the first purchase; more is better.
    TenureDays,
    /// Distinct product codes.
    DistinctProducts,
    /// Amount in the current window.
    MonetaryCurrent,
    /// Amount in the window before it.
    MonetaryPrevious,
    /// Relative change from the previous window to the current one.
    Growth,
}

impl Metric {
    /// Every metric, in the order of [profile metrics](crate::definitions#profile-metrics).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Metric;
    /// let names = Metric::ALL.map(Metric::name);
    /// assert_eq!(names[..4], ["recency_days", "frequency", "transactions", "monetary"]);
    /// assert_eq!(names.last(), Some(&"growth"));
    /// ```
    pub const ALL: [Metric; 10] = [
        Metric::RecencyDays,
        Metric::Frequency,
        Metric::Transactions,
        Metric::Monetary,
        Metric::Profit,
        Metric::TenureDays,
        Metric::DistinctProducts,
        Metric::MonetaryCurrent,
        Metric::MonetaryPrevious,
        Metric::Growth,
    ];

    /// The metric's name in files (`recency_days`, `monetary`, …).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Metric;
    /// assert_eq!(Metric::MonetaryCurrent.name(), "monetary_current");
    /// assert_eq!(Metric::from_name(Metric::Growth.name()), Some(Metric::Growth));
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Metric::RecencyDays => "recency_days",
            Metric::Frequency => "frequency",
            Metric::Transactions => "transactions",
            Metric::Monetary => "monetary",
            Metric::Profit => "profit",
            Metric::TenureDays => "tenure_days",
            Metric::DistinctProducts => "distinct_products",
            Metric::MonetaryCurrent => "monetary_current",
            Metric::MonetaryPrevious => "monetary_previous",
            Metric::Growth => "growth",
        }
    }

    /// Looks a metric up by its file name.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Metric;
    /// assert_eq!(Metric::from_name("distinct_products"), Some(Metric::DistinctProducts));
    /// assert_eq!(Metric::from_name("Monetary"), None); // names are exact, lower case
    /// ```
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The default direction ([quantile scores](crate::definitions#quantile-scores)): fewer
    /// days is better for recency, larger is better for everything else.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::profile::Direction;
    /// use customer_tiering::Metric;
    /// assert_eq!(Metric::RecencyDays.default_direction(), Direction::LowerIsBetter);
    /// assert_eq!(Metric::Monetary.default_direction(), Direction::HigherIsBetter);
    /// ```
    pub fn default_direction(self) -> Direction {
        match self {
            Metric::RecencyDays => Direction::LowerIsBetter,
            _ => Direction::HigherIsBetter,
        }
    }

    /// Whether some profile may have no value of this metric ([`Profile::metric`] is none):
    /// false for the counts and sums every profile has, so that a policy for missing values
    /// ([missing data](crate::definitions#missing-data)) never steps in for them and
    /// counting where it did needs no pass over the customers.
    pub(crate) fn may_be_missing(self) -> bool {
        match self {
            Metric::Frequency
            | Metric::Transactions
            | Metric::Monetary
            | Metric::MonetaryCurrent
            | Metric::MonetaryPrevious => false,
            Metric::RecencyDays
            | Metric::Profit
            | Metric::TenureDays
            | Metric::DistinctProducts
            | Metric::Growth => true,
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which way is better for a metric ([quantile
/// scores](crate::definitions#quantile-scores)): each [`Metric`] has its own
/// ([`Metric::default_direction`]); quantile scores, Pareto bands and grades rank by it.
///
/// # Example
/// ```
/// use customer_tiering::profile::Direction;
/// use customer_tiering::Metric;
/// // fewer days since the last purchase is better; for every other metric, more
/// assert_eq!(Metric::RecencyDays.default_direction(), Direction::LowerIsBetter);
/// assert_eq!(Metric::TenureDays.default_direction(), Direction::HigherIsBetter);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Larger values are better (frequency, monetary, tenure …).
    HigherIsBetter,
    /// Smaller values are better (recency).
    LowerIsBetter,
}

impl Direction {
    /// Orders worst first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::profile::Direction;
    /// use rust_decimal::Decimal;
    /// let mut days: Vec<Decimal> = [5, 400, 30].map(Decimal::from).to_vec();
    /// days.sort_by(|a, b| Direction::LowerIsBetter.worst_first(a, b));
    /// assert_eq!(days, [400, 30, 5].map(Decimal::from)); // the longest absence first
    /// ```
    #[inline]
    pub fn worst_first(self, a: &Decimal, b: &Decimal) -> Ordering {
        match self {
            Direction::HigherIsBetter => a.cmp(b),
            Direction::LowerIsBetter => b.cmp(a),
        }
    }

    /// Whether `a` is strictly better than `b`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::profile::Direction;
    /// use rust_decimal::dec;
    /// assert!(Direction::LowerIsBetter.is_better(&dec!(10), &dec!(30))); // 10 days ago beats 30
    /// assert!(Direction::HigherIsBetter.is_better(&dec!(30), &dec!(10)));
    /// assert!(!Direction::HigherIsBetter.is_better(&dec!(10), &dec!(10.00))); // strictly
    /// ```
    #[inline]
    pub fn is_better(self, a: &Decimal, b: &Decimal) -> bool {
        self.worst_first(a, b) == Ordering::Greater
    }
}

/// The metrics of one customer at an as-of date ([profile
/// metrics](crate::definitions#profile-metrics)).
///
/// Built from transactions by [`PopulationBuilder`](crate::PopulationBuilder), or handed
/// over directly by a caller that aggregates elsewhere (a data warehouse). A customer
/// without purchases has `frequency == 0` and no recency or tenure; classifiers leave it
/// unscored with a reason.
///
/// # Example
/// ```
/// use customer_tiering::{CustomerId, Metric, Profile};
/// use rust_decimal::dec;
/// // Aggregated elsewhere (a data warehouse) and handed over as is.
/// let p = Profile {
///     recency_days: Some(12),
///     frequency: 4,
///     transactions: 5,
///     monetary: dec!(310.00),
///     ..Profile::without_purchases(CustomerId::new("C7")?)
/// };
/// assert!(p.is_buyer());
/// assert_eq!(p.metric(Metric::Monetary), Some(dec!(310.00)));
/// assert_eq!(p.metric(Metric::Growth), None);
/// # Ok::<(), customer_tiering::profile::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Who.
    pub customer_id: CustomerId,
    /// `AS_OF` − date of the last purchase, in days; none without purchases.
    pub recency_days: Option<i64>,
    /// Distinct purchase dates.
    pub frequency: u64,
    /// Purchase rows.
    pub transactions: u64,
    /// Exact sum of amounts.
    #[serde(with = "rust_decimal::serde::str")]
    pub monetary: Decimal,
    /// Exact sum of profits; none when no row had one.
    #[serde(default, with = "crate::money::opt_str")]
    pub profit: Option<Decimal>,
    /// `AS_OF` − date of the first purchase, in days; none without purchases.
    pub tenure_days: Option<i64>,
    /// Distinct product codes; none when no row had one.
    pub distinct_products: Option<u64>,
    /// Sum of amounts in `(AS_OF − window, AS_OF]`.
    #[serde(with = "rust_decimal::serde::str")]
    pub monetary_current: Decimal,
    /// Sum of amounts in `(AS_OF − 2·window, AS_OF − window]`.
    #[serde(with = "rust_decimal::serde::str")]
    pub monetary_previous: Decimal,
    /// `(current − previous) / previous` when previous > 0, rounded half away from zero
    /// to 28 significant digits; none otherwise.
    #[serde(default, with = "crate::money::opt_str")]
    pub growth: Option<Decimal>,
    /// What a customers source says of the customer ([inputs](crate::definitions#inputs));
    /// empty without one.
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
}

impl Profile {
    /// A customer known (from a customers source) but without purchases.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, Metric, Profile};
    /// let p = Profile::without_purchases(CustomerId::new("P1")?);
    /// assert_eq!((p.frequency, p.recency_days, p.tenure_days), (0, None, None));
    /// assert_eq!(p.metric(Metric::Monetary), Some(0.into()));
    /// assert!(p.attributes.is_empty());
    /// # Ok::<(), customer_tiering::profile::IdError>(())
    /// ```
    pub fn without_purchases(customer_id: CustomerId) -> Self {
        Profile {
            customer_id,
            recency_days: None,
            frequency: 0,
            transactions: 0,
            monetary: Decimal::ZERO,
            profit: None,
            tenure_days: None,
            distinct_products: None,
            monetary_current: Decimal::ZERO,
            monetary_previous: Decimal::ZERO,
            growth: None,
            attributes: Attributes::default(),
        }
    }

    /// Whether the customer bought on or before the as-of date (the scored population
    /// of [profile metrics](crate::definitions#profile-metrics)).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{attributes::Attributes, CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("C1")?, date(2026, 3, 2), 0.into()))?;
    /// let population = builder.finish_with([(CustomerId::new("P1")?, Attributes::default())])?;
    /// assert!(population.get("C1").unwrap().is_buyer()); // an amount of 0 still counts
    /// assert!(!population.get("P1").unwrap().is_buyer()); // known, never bought
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_buyer(&self) -> bool {
        self.frequency >= 1
    }

    /// The value of a metric as a decimal, none where the [profile
    /// metrics](crate::definitions#profile-metrics) say none.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, Metric, Profile};
    /// let p = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// assert_eq!(p.metric(Metric::RecencyDays), None);
    /// assert_eq!(p.metric(Metric::Frequency), Some(0.into()));
    /// ```
    pub fn metric(&self, metric: Metric) -> Option<Decimal> {
        match metric {
            Metric::RecencyDays => self.recency_days.map(Decimal::from),
            Metric::Frequency => Some(self.frequency.into()),
            Metric::Transactions => Some(self.transactions.into()),
            Metric::Monetary => Some(self.monetary),
            Metric::Profit => self.profit,
            Metric::TenureDays => self.tenure_days.map(Decimal::from),
            Metric::DistinctProducts => self.distinct_products.map(Decimal::from),
            Metric::MonetaryCurrent => Some(self.monetary_current),
            Metric::MonetaryPrevious => Some(self.monetary_previous),
            Metric::Growth => self.growth,
        }
    }
}

pub use crate::population::Population;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_that_may_not_be_missing_never_is() {
        let idle = Profile::without_purchases(CustomerId::new("P").unwrap());
        // A buyer with every optional metric none, as a hand-made profile may be.
        let bare = Profile {
            frequency: 1,
            transactions: 1,
            ..idle.clone()
        };
        for metric in Metric::ALL {
            if !metric.may_be_missing() {
                assert!(idle.metric(metric).is_some(), "{metric}");
                assert!(bare.metric(metric).is_some(), "{metric}");
            }
        }
        assert!(Metric::Profit.may_be_missing() && !Metric::Monetary.may_be_missing());
    }
}
