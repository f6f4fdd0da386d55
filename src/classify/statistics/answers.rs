//! What a fit asks of order statistics ([`FitStatistics`]), and the columns and
//! population it asks about.

use jiff::civil::Date;

use crate::classify::order::OrderStat;
use crate::profile::Metric;

/// A column a fit reads: a metric's values over the buyers that have it, or over the
/// repeat buyers only (`frequency ≥ 2`, as a grade's dimension may ask).
///
/// # Example
/// ```
/// use customer_tiering::classify::statistics::FitColumn;
/// use customer_tiering::Metric;
/// let tenure = FitColumn { metric: Metric::TenureDays, repeat_only: true };
/// assert_eq!(tenure.metric.name(), "tenure_days");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FitColumn {
    /// The metric.
    pub metric: Metric,
    /// Only customers with two purchase dates or more.
    pub repeat_only: bool,
}

/// Who a fit is made on: the as-of date and the counts of customers.
///
/// # Example
/// ```
/// use customer_tiering::classify::statistics::FitPopulation;
/// use jiff::civil::date;
/// let who = FitPopulation { as_of: date(2026, 6, 30), customers: 120, buyers: 100 };
/// assert!(who.buyers <= who.customers);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FitPopulation {
    /// The as-of date of the profiles.
    pub as_of: Date,
    /// Every customer of the population, buyers or not.
    pub customers: usize,
    /// The customers with a purchase (`frequency ≥ 1`).
    pub buyers: usize,
}

/// The order statistics of a population's columns, computed wherever the population is.
///
/// # Example
/// ```
/// use customer_tiering::classify::statistics::{
///     FitColumn, FitPopulation, FitStatistics, OrderStat,
/// };
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::PipelineBuilder;
/// use jiff::civil::date;
/// use rust_decimal::Decimal;
///
/// /// Spends 1 … 100, one customer each, answered from a formula instead of a table.
/// struct Spends;
/// impl FitStatistics for Spends {
///     fn population(&self) -> FitPopulation {
///         FitPopulation { as_of: date(2026, 3, 31), customers: 100, buyers: 100 }
///     }
///     fn len(&self, _: FitColumn) -> usize { 100 }
///     fn order_stats(&self, _: FitColumn, positions: &[usize], descending: bool) -> Vec<OrderStat> {
///         positions.iter().map(|&p| {
///             let value = if descending { 101 - p } else { p };
///             OrderStat { value: Decimal::from(value), less: p - 1, not_more: p }
///         }).collect()
///     }
/// }
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let fitted = pipeline.fit_statistics(&Spends)?;
/// assert_eq!(fitted.fit_size(), 100);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub trait FitStatistics {
    /// The as-of date and the counts of customers.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::statistics::{FitStatistics, ProfileStatistics};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("A")?, date(2026, 3, 1), 5.into()))?;
    /// # let population = orders.finish()?;
    /// let who = ProfileStatistics::new(&population).population();
    /// assert_eq!((who.customers, who.buyers), (1, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn population(&self) -> FitPopulation;

    /// The number of values of a column (customers with a value).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::statistics::{FitColumn, FitStatistics, ProfileStatistics};
    /// use customer_tiering::Metric;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("A")?, date(2026, 3, 1), 5.into()))?;
    /// # let population = orders.finish()?;
    /// let stats = ProfileStatistics::new(&population);
    /// let repeat = FitColumn { metric: Metric::TenureDays, repeat_only: true };
    /// assert_eq!(stats.len(repeat), 0); // A bought on one day only
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn len(&self, column: FitColumn) -> usize;

    /// The values at 1-based `positions` (non-decreasing, each in `1..=len`) of the
    /// column ascending, or descending (larger first), with the counts before and at each
    /// in that order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::statistics::{FitColumn, FitStatistics, ProfileStatistics};
    /// use customer_tiering::Metric;
    /// use rust_decimal::dec;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("A", 5), ("B", 5), ("C", 9)] {
    /// #     orders.add(Transaction::new(CustomerId::new(id)?, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// // spends 5, 5, 9
    /// let stats = ProfileStatistics::new(&population);
    /// let spend = FitColumn { metric: Metric::Monetary, repeat_only: false };
    /// let [second] = stats.order_stats(spend, &[2], false)[..] else { unreachable!() };
    /// assert_eq!((second.value, second.less, second.not_more), (dec!(5), 0, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn order_stats(
        &self,
        column: FitColumn,
        positions: &[usize],
        descending: bool,
    ) -> Vec<OrderStat>;
}
