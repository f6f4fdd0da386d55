//! [`ProfileStatistics`]: the order statistics of profiles in memory.

use super::answers::{FitColumn, FitPopulation, FitStatistics};
use crate::classify::fit_data::{FitData, Wanted};
use crate::classify::order::OrderStat;
use crate::profile::Population;

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
