//! Fitting on order statistics computed elsewhere: a SQL engine holding the profiles
//! answers what the built-in fits read of each column, and the fitted pipeline is the
//! same as a fit on the profiles themselves.
//!
//! RFM, Pareto count-basis tiers and the four-dimension grade's terciles of metrics read
//! nothing of a population but the values at some positions of a metric's column,
//! sorted, with the counts before and at each ([`OrderStat`]); which positions depends
//! on the column's length only. A [`FitStatistics`] gives those, and
//! [`Pipeline::fit_statistics`](crate::Pipeline::fit_statistics) fits on them. A fit
//! that reads more (a fill by the median, value-basis bands, composite scores, an
//! application's own classifier, a grade over an attribute) is refused with
//! [`ConfigError::NeedsProfiles`](crate::ConfigError::NeedsProfiles): fit it on the
//! profiles. [`ProfileStatistics`] answers from profiles in memory: the reference an
//! engine's answers are tested against.
//!
//! # Example
//! ```
//! use customer_tiering::classify::statistics::ProfileStatistics;
//! use customer_tiering::classify::rfm::RfmParams;
//! use customer_tiering::PipelineBuilder;
//! # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! # use jiff::civil::date;
//! # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
//! # for (id, day, amount) in [("A", 1, 10), ("B", 2, 20), ("B", 3, 5), ("C", 3, 7)] {
//! #     orders.add(Transaction::new(CustomerId::new(id)?, date(2026, 3, day), amount.into()))?;
//! # }
//! # let population = orders.finish()?;
//! let pipeline = PipelineBuilder::new().classifier(RfmParams::default()).build()?;
//! let fitted = pipeline.fit_statistics(&ProfileStatistics::new(&population))?;
//! assert_eq!(fitted.to_json()?, pipeline.fit(&population)?.to_json()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::civil::Date;

use super::fit_data::{FitData, Wanted};
pub use super::order::OrderStat;
use crate::profile::{Metric, Population};

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

/// Order statistics of profiles in memory, exactly as a fit on them reads them.
///
/// # Example
/// ```
/// use customer_tiering::classify::statistics::{FitStatistics, ProfileStatistics};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// # orders.add(Transaction::new(CustomerId::new("A")?, date(2026, 3, 1), 5.into()))?;
/// # let population = orders.finish()?;
/// let stats = ProfileStatistics::new(&population);
/// assert_eq!(stats.population().as_of, date(2026, 3, 31));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ProfileStatistics<'p> {
    population: &'p Population,
}

impl<'p> ProfileStatistics<'p> {
    /// The statistics of `population`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::statistics::{FitStatistics, ProfileStatistics};
    /// use customer_tiering::PopulationBuilder;
    /// use jiff::civil::date;
    /// let population = PopulationBuilder::new(date(2026, 3, 31)).finish()?;
    /// assert_eq!(ProfileStatistics::new(&population).population().buyers, 0);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new(population: &'p Population) -> Self {
        ProfileStatistics { population }
    }

    fn data(&self, column: FitColumn) -> FitData<'p> {
        FitData::keyed(self.population, &[Wanted::from(column)])
    }
}

impl FitStatistics for ProfileStatistics<'_> {
    fn population(&self) -> FitPopulation {
        FitPopulation {
            as_of: self.population.as_of(),
            customers: self.population.len(),
            buyers: self.population.buyer_count(),
        }
    }

    fn len(&self, column: FitColumn) -> usize {
        self.data(column).ranked(column.into()).len()
    }

    fn order_stats(
        &self,
        column: FitColumn,
        positions: &[usize],
        descending: bool,
    ) -> Vec<OrderStat> {
        self.data(column)
            .ranked(column.into())
            .order_stats(positions, descending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::pareto::ParetoParams;
    use crate::classify::quantile::QuantileMode;
    use crate::classify::rfm::RfmParams;
    use crate::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction, presets};
    use jiff::civil::date;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    proptest! {
        /// Every built-in fit that reads order statistics reads them only through the
        /// statistics: heavy ties, mixed scales, any bins, both modes, repeat-buyer
        /// terciles.
        #[test]
        fn a_fit_on_statistics_is_the_fit_on_the_profiles(
            rows in prop::collection::vec((0u8..30, 1i8..=28, 0i64..6, 0u32..3), 1..200),
            bins in 2u8..=10,
            equal_count in any::<bool>(),
        ) {
            let mut orders = PopulationBuilder::new(date(2026, 3, 31));
            for (id, day, amount, scale) in rows {
                let id = CustomerId::new(&format!("C{id:02}")).unwrap();
                let amount = Decimal::new(amount * 10i64.pow(scale), scale);
                orders.add(Transaction::new(id, date(2026, 3, day), amount)).unwrap();
            }
            let population = orders.finish().unwrap();
            let mode = if equal_count { QuantileMode::EqualCount } else { QuantileMode::TieAware };
            let presets::Preset::Classifier(grade) = presets::preset("four-dimension").unwrap() else {
                panic!("four-dimension is a classifier");
            };
            let pipeline = PipelineBuilder::new()
                .classifier(RfmParams::default().bins(bins).mode(mode).segment_map(None))
                .classifier(ParetoParams::metals())
                .classifier(grade)
                .build()
                .unwrap();
            let on_statistics = pipeline.fit_statistics(&ProfileStatistics::new(&population)).unwrap();
            prop_assert_eq!(on_statistics.to_json().unwrap(), pipeline.fit(&population).unwrap().to_json().unwrap());
        }
    }
}
