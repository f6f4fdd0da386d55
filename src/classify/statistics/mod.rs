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

pub(crate) mod answers;
mod profiles;

pub use crate::classify::order::OrderStat;
pub use answers::{FitColumn, FitPopulation, FitStatistics};
pub use profiles::ProfileStatistics;
