//! Quantile scores 1..=k over one metric ([quantile
//! scores](crate::definitions#quantile-scores)), knowing nothing of RFM.
//!
//! Fitting selects the `k − 1` order statistics at the positions that [quantile
//! scores](crate::definitions#quantile-scores) name (never a full sort): with the fit
//! population ordered worst to best, `t_s` is the value at 1-based position `m_s`, and a
//! value scores `1 +` the number of cut points it is strictly better than. The two modes
//! differ only in the positions:
//!
//! * **tie-aware** (default): `m_s = ceil((s−1)·n/k)`. On the fit population this is
//!   exactly `1 + floor(k·L/n)`, `L` the number of customers strictly worse; equal values
//!   always score alike.
//! * **equal-count**: `m_s` = the customers in buckets `1..s−1` of SQL `NTILE(k)`
//!   (bucket sizes differ by at most one, larger first). A pipeline's run labels the
//!   fit population by `NTILE(k) OVER (ORDER BY x, customer_id)` exactly; a fitted
//!   [`CutPoints`] scores a value tied across a bucket boundary into the lower bucket
//!   (it cannot see ids). With distinct values the two agree exactly.
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
//! use customer_tiering::profile::Direction;
//! use rust_decimal::Decimal;
//! // recency_days of five buyers: fewer days is better (a worked example)
//! let days: Vec<Decimal> = [400, 30, 20, 10, 5].map(Decimal::from).to_vec();
//! let r = CutPoints::fit(&days, 5, QuantileMode::TieAware, Direction::LowerIsBetter)?;
//! let scores: Vec<u8> = days.iter().map(|d| r.score(d)).collect();
//! assert_eq!(scores, [1, 2, 3, 4, 5]);
//! // a new customer is scored by the stored cut points, without refitting
//! assert_eq!(r.score(&Decimal::from(25)), 3); // better than 400 and 30, not than 20
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::counted::Ranked;
pub(crate) use super::order::Num;
use super::order::{CutCounter, IntCuts, KeyColumn, OrderStat, cmp_decimal, key_at};
use crate::error::{ConfigError, Error};
use crate::profile::Direction;

/// The smallest and largest number of bins of [quantile
/// scores](crate::definitions#quantile-scores).
///
/// # Example
/// ```
/// use customer_tiering::classify::quantile::BINS;
/// assert_eq!((*BINS.start(), *BINS.end()), (2, 10));
/// assert!(BINS.contains(&5)); // the default k
/// assert!(!BINS.contains(&1));
/// ```
pub const BINS: std::ops::RangeInclusive<u8> = 2..=10;

/// How positions are chosen ([quantile scores](crate::definitions#quantile-scores)).
///
/// # Example
/// ```
/// use customer_tiering::classify::quantile::QuantileMode;
/// assert_eq!(QuantileMode::default(), QuantileMode::TieAware);
/// let mode: QuantileMode = "equal-count".parse()?; // as on the command line
/// assert_eq!(mode, QuantileMode::EqualCount);
/// assert!("ntile".parse::<QuantileMode>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuantileMode {
    /// `1 + floor(k·L/n)`: equal values share a score; a score may be left empty.
    #[default]
    TieAware,
    /// SQL `NTILE(k)` with a `customer_id` tiebreak: equal-size buckets that may split
    /// equal values.
    EqualCount,
}

impl QuantileMode {
    /// The name used on the command line and in files.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::quantile::QuantileMode;
    /// assert_eq!(QuantileMode::EqualCount.name(), "equal-count");
    /// // the name parses back to the mode
    /// let back: QuantileMode = QuantileMode::TieAware.name().parse()?;
    /// assert_eq!(back, QuantileMode::TieAware);
    /// # Ok::<(), String>(())
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            QuantileMode::TieAware => "tie-aware",
            QuantileMode::EqualCount => "equal-count",
        }
    }
}

impl std::str::FromStr for QuantileMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "tie-aware" => Ok(QuantileMode::TieAware),
            "equal-count" => Ok(QuantileMode::EqualCount),
            other => Err(format!(
                "unknown quantile mode {other:?} (tie-aware or equal-count)"
            )),
        }
    }
}

/// Checks a bin count.
///
/// # Errors
/// [`ConfigError::Bins`] outside `2..=10`.
pub(crate) fn check_bins(bins: u8) -> Result<(), ConfigError> {
    if BINS.contains(&bins) {
        Ok(())
    } else {
        Err(ConfigError::Bins { bins: bins.into() })
    }
}

/// The 1-based positions `m_2..=m_k` of [quantile
/// scores](crate::definitions#quantile-scores) in a population of `n` ordered worst to
/// best.
///
/// # Example
/// ```
/// use customer_tiering::classify::quantile::{positions, QuantileMode};
/// assert_eq!(positions(7, 5, QuantileMode::TieAware), [2, 3, 5, 6]);
/// assert_eq!(positions(7, 5, QuantileMode::EqualCount), [2, 4, 5, 6]);
/// ```
pub fn positions(n: usize, bins: u8, mode: QuantileMode) -> Vec<usize> {
    let k = usize::from(bins);
    (2..=k)
        .map(|s| match mode {
            // (s − 1)·n in 128 bits: it passes usize for n beyond usize::MAX / 9, and
            // the quotient, at most n, comes back
            QuantileMode::TieAware => {
                usize::try_from(((s as u128 - 1) * n as u128).div_ceil(k as u128)).unwrap_or(n)
            }
            QuantileMode::EqualCount => ntile_prefix(n, k, s - 1),
        })
        .collect()
}

/// Customers in the first `buckets` buckets of `NTILE(k)` over `n`.
fn ntile_prefix(n: usize, k: usize, buckets: usize) -> usize {
    let (size, rem) = (n / k, n % k);
    buckets * size + buckets.min(rem)
}

/// The bucket (1-based) of 1-based position `pos` under `NTILE(k)` over `n`.
fn ntile_bucket(pos: usize, n: usize, k: usize) -> u8 {
    let (size, rem) = (n / k, n % k);
    let big = rem * (size + 1);
    let bucket = if pos <= big {
        (pos - 1) / (size + 1)
    } else {
        rem + (pos - big - 1) / size.max(1)
    };
    // bucket < k ≤ 10
    (bucket + 1) as u8
}

/// Why a score holds no customer of the fit population.
///
/// # Example
/// ```
/// use customer_tiering::classify::quantile::{CutPoints, EmptyCause, QuantileMode};
/// use customer_tiering::profile::Direction;
/// use rust_decimal::Decimal;
/// // two customers for five scores: they score 1 and 3, three scores stay empty
/// let two = [10, 20].map(Decimal::from);
/// let cuts = CutPoints::fit(&two, 5, QuantileMode::TieAware, Direction::HigherIsBetter)?;
/// assert_eq!(cuts.sizes(), [1, 0, 1, 0, 0]);
/// let first = &cuts.empty_scores()[0];
/// assert_eq!(first.score, 2);
/// assert_eq!(first.cause, EmptyCause::FewerCustomersThanBins { customers: 2 });
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum EmptyCause {
    /// Customers sharing one value straddle the score's whole range.
    Tie {
        /// The shared value.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
        /// How many fit customers have it.
        customers: usize,
    },
    /// Fewer customers than bins.
    FewerCustomersThanBins {
        /// The fit population's size.
        customers: usize,
    },
}

/// A score left empty on the fit population, and why ([quantile
/// scores](crate::definitions#quantile-scores)): reported so that nobody mistakes a tie for
/// a bug.
///
/// # Example
/// ```
/// use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
/// use customer_tiering::profile::Direction;
/// use rust_decimal::Decimal;
/// // half the buyers bought once: they all score 1, and the next value scores 3
/// let frequency = [1, 1, 1, 1, 1, 2, 2, 3, 4, 5].map(Decimal::from);
/// let f = CutPoints::fit(&frequency, 5, QuantileMode::TieAware, Direction::HigherIsBetter)?;
/// let empty = &f.empty_scores()[0];
/// assert_eq!(empty.score, 2);
/// assert_eq!(empty.to_string(), "score 2 is empty: 5 customers share the value 1");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmptyScore {
    /// The empty score.
    pub score: u8,
    /// What emptied it.
    #[serde(flatten)]
    pub cause: EmptyCause,
}

impl fmt::Display for EmptyScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            EmptyCause::Tie { value, customers } => write!(
                f,
                "score {} is empty: {customers} customers share the value {value}",
                self.score
            ),
            EmptyCause::FewerCustomersThanBins { customers } => write!(
                f,
                "score {} is empty: only {customers} customers for more bins",
                self.score
            ),
        }
    }
}

/// The `k − 1` cut points of a metric fitted on a population ([quantile
/// scores](crate::definitions#quantile-scores)): score new values without refitting.
///
/// # Example
/// ```
/// use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
/// use customer_tiering::profile::Direction;
/// use rust_decimal::Decimal;
/// let values: Vec<Decimal> = (1..=7).map(Decimal::from).collect();
/// let cuts = CutPoints::fit(&values, 5, QuantileMode::TieAware, Direction::HigherIsBetter)?;
/// let scores: Vec<u8> = values.iter().map(|v| cuts.score(v)).collect();
/// assert_eq!(scores, [1, 1, 2, 3, 3, 4, 5]);
/// assert_eq!(cuts.score(&Decimal::from(100)), 5); // a new customer, no refit
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutPoints {
    bins: u8,
    mode: QuantileMode,
    direction: Direction,
    fit_size: usize,
    /// `t_2..=t_k`, worst to best.
    #[serde(with = "decimal_vec")]
    cuts: Vec<Decimal>,
    /// Customers per score on the fit population (batch semantics of the mode).
    sizes: Vec<usize>,
    empty: Vec<EmptyScore>,
}

impl CutPoints {
    /// Fits cut points on the values of a population (any order).
    ///
    /// # Errors
    /// [`ConfigError::Bins`] for `bins` outside `2..=10`; [`ConfigError::NoValues`] for
    /// no values at all (classifiers check for an empty population first and report
    /// [`Error::EmptyPopulation`] with its date).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// use customer_tiering::profile::Direction;
    /// use rust_decimal::Decimal;
    /// let values: Vec<Decimal> = (1..=1003).map(Decimal::from).collect();
    /// let up = Direction::HigherIsBetter;
    /// let tie_aware = CutPoints::fit(&values, 5, QuantileMode::TieAware, up)?;
    /// assert_eq!(tie_aware.sizes(), [201, 201, 200, 201, 200]); // n = 1003
    /// let ntile = CutPoints::fit(&values, 5, QuantileMode::EqualCount, up)?;
    /// assert_eq!(ntile.sizes(), [201, 201, 201, 200, 200]);
    /// let err = CutPoints::fit(&values, 1, QuantileMode::TieAware, up).unwrap_err();
    /// assert_eq!(err.to_string(), "bins must be in 2..=10, got 1");
    /// assert!(CutPoints::fit(&[], 5, QuantileMode::TieAware, up).is_err()); // nothing to fit
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fit(
        values: &[Decimal],
        bins: u8,
        mode: QuantileMode,
        direction: Direction,
    ) -> Result<Self, Error> {
        check_bins(bins)?;
        let column = Ranked::Keys(Cow::Owned(KeyColumn::from_decimals(values)));
        Self::fit_column(&column, bins, mode, direction)
    }

    /// Fits on a column of values: its order statistics worst first at the positions of
    /// [quantile scores](crate::definitions#quantile-scores) give the cut points, and their
    /// counts the sizes and the ties behind empty scores.
    pub(crate) fn fit_column(
        column: &Ranked<'_>,
        bins: u8,
        mode: QuantileMode,
        direction: Direction,
    ) -> Result<Self, Error> {
        check_bins(bins)?;
        let n = column.len();
        if n == 0 {
            return Err(ConfigError::NoValues.into());
        }
        let k = usize::from(bins);
        let worst_first = direction == Direction::LowerIsBetter;
        let stats = column.order_stats(&positions(n, bins, mode), worst_first);
        let sizes = match mode {
            // Score s holds the values past t_s up to t_(s+1) (the rule of quantile scores,
            // see `definitions`).
            QuantileMode::TieAware => {
                let mut sizes = Vec::with_capacity(k);
                let mut before = 0;
                for stat in &stats {
                    sizes.push(stat.not_more - before);
                    before = stat.not_more;
                }
                sizes.push(n - before);
                sizes
            }
            QuantileMode::EqualCount => (1..=k)
                .map(|b| ntile_prefix(n, k, b) - ntile_prefix(n, k, b - 1))
                .collect(),
        };
        let mut model = CutPoints {
            bins,
            mode,
            direction,
            fit_size: n,
            cuts: stats.iter().map(|s| s.value).collect(),
            sizes,
            empty: Vec::new(),
        };
        model.empty = model.explain_empty(&stats);
        Ok(model)
    }

    fn explain_empty(&self, stats: &[OrderStat]) -> Vec<EmptyScore> {
        let k = usize::from(self.bins);
        (0..k)
            .filter(|&i| self.sizes[i] == 0)
            .map(|i| {
                let score = (i + 1) as u8;
                let cause = if self.fit_size < k || i == 0 {
                    EmptyCause::FewerCustomersThanBins {
                        customers: self.fit_size,
                    }
                } else {
                    // Score s is empty exactly when t_s equals the next cut (or the best
                    // value): that value's customers straddle the score.
                    EmptyCause::Tie {
                        value: self.cuts[i - 1],
                        customers: stats[i - 1].ties(),
                    }
                };
                EmptyScore { score, cause }
            })
            .collect()
    }

    /// The score of a value: `1 +` the number of cut points it is strictly better than.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// use customer_tiering::profile::Direction;
    /// use rust_decimal::{dec, Decimal};
    /// let spend = [10, 20, 30, 40, 50].map(Decimal::from);
    /// let cuts = CutPoints::fit(&spend, 5, QuantileMode::TieAware, Direction::HigherIsBetter)?;
    /// assert_eq!(cuts.cuts(), [dec!(10), dec!(20), dec!(30), dec!(40)]);
    /// assert_eq!(cuts.score(&dec!(30)), 3); // strictly better than 10 and 20 only
    /// assert_eq!(cuts.score(&dec!(35)), 4); // a new value between 30 and 40
    /// assert_eq!(cuts.score(&dec!(-5)), 1);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[inline]
    pub fn score(&self, value: &Decimal) -> u8 {
        let better_than = match self.direction {
            Direction::HigherIsBetter => self
                .cuts
                .partition_point(|cut| cmp_decimal(value, cut) == Ordering::Greater),
            Direction::LowerIsBetter => self
                .cuts
                .partition_point(|cut| cmp_decimal(value, cut) == Ordering::Less),
        };
        // ≤ k − 1 ≤ 9
        (better_than + 1) as u8
    }

    /// The number of bins `k`.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// # use customer_tiering::profile::Direction;
    /// # use rust_decimal::Decimal;
    /// let values = [3, 1, 2, 5].map(Decimal::from);
    /// let cuts = CutPoints::fit(&values, 4, QuantileMode::TieAware, Direction::HigherIsBetter)?;
    /// assert_eq!(cuts.bins(), 4);
    /// assert_eq!(cuts.cuts().len(), 3); // k − 1 cut points
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn bins(&self) -> u8 {
        self.bins
    }

    /// The mode the cut points were chosen by.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// # use customer_tiering::profile::Direction;
    /// # use rust_decimal::Decimal;
    /// let values: Vec<Decimal> = (1..=7).map(Decimal::from).collect();
    /// let (mode, up) = (QuantileMode::EqualCount, Direction::HigherIsBetter);
    /// let ntile = CutPoints::fit(&values, 5, mode, up)?;
    /// assert_eq!(ntile.mode(), QuantileMode::EqualCount);
    /// assert_eq!(ntile.cuts(), [2, 4, 5, 6].map(Decimal::from)); // the NTILE positions
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn mode(&self) -> QuantileMode {
        self.mode
    }

    /// Which way is better.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// # use customer_tiering::profile::Direction;
    /// # use rust_decimal::Decimal;
    /// let days = [5, 400, 30].map(Decimal::from);
    /// let r = CutPoints::fit(&days, 3, QuantileMode::TieAware, Direction::LowerIsBetter)?;
    /// assert_eq!(r.direction(), Direction::LowerIsBetter);
    /// assert_eq!(r.cuts(), [400, 30].map(Decimal::from)); // worst to best: most days first
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The size of the fit population.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// # use customer_tiering::profile::Direction;
    /// # use rust_decimal::Decimal;
    /// let values: Vec<Decimal> = (1..=12).map(Decimal::from).collect();
    /// let cuts = CutPoints::fit(&values, 4, QuantileMode::TieAware, Direction::HigherIsBetter)?;
    /// assert_eq!(cuts.fit_size(), 12);
    /// assert_eq!(cuts.sizes().iter().sum::<usize>(), 12); // every fit value has a score
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fit_size(&self) -> usize {
        self.fit_size
    }

    /// The cut points `t_2..=t_k`, worst to best.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// # use customer_tiering::profile::Direction;
    /// # use rust_decimal::Decimal;
    /// let values: Vec<Decimal> = (1..=7).map(Decimal::from).collect();
    /// let cuts = CutPoints::fit(&values, 5, QuantileMode::TieAware, Direction::HigherIsBetter)?;
    /// // the values at positions m_s = ceil((s − 1)·7/5) = 2, 3, 5, 6
    /// assert_eq!(cuts.cuts(), [2, 3, 5, 6].map(Decimal::from));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn cuts(&self) -> &[Decimal] {
        &self.cuts
    }

    /// Customers per score 1..=k on the fit population.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// # use customer_tiering::profile::Direction;
    /// # use rust_decimal::Decimal;
    /// let values: Vec<Decimal> = (1..=7).map(Decimal::from).collect();
    /// let up = Direction::HigherIsBetter;
    /// let tie_aware = CutPoints::fit(&values, 5, QuantileMode::TieAware, up)?;
    /// assert_eq!(tie_aware.sizes(), [2, 1, 2, 1, 1]); // n = 7
    /// let ntile = CutPoints::fit(&values, 5, QuantileMode::EqualCount, up)?;
    /// assert_eq!(ntile.sizes(), [2, 2, 1, 1, 1]); // larger buckets first
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Every score left empty on the fit population, with the tie that emptied it.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// # use customer_tiering::profile::Direction;
    /// # use rust_decimal::Decimal;
    /// let frequency = [1, 1, 1, 1, 1, 2, 2, 3, 4, 5].map(Decimal::from);
    /// let up = Direction::HigherIsBetter;
    /// let tie_aware = CutPoints::fit(&frequency, 5, QuantileMode::TieAware, up)?;
    /// let empty: Vec<u8> = tie_aware.empty_scores().iter().map(|e| e.score).collect();
    /// assert_eq!(empty, [2]); // five customers tie on 1 and all score 1
    /// // equal-count splits the tie instead, and leaves no score empty
    /// let ntile = CutPoints::fit(&frequency, 5, QuantileMode::EqualCount, up)?;
    /// assert!(ntile.empty_scores().is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn empty_scores(&self) -> &[EmptyScore] {
        &self.empty
    }

    /// Checks a loaded model's consistency: bins in range, `k − 1` cut points ordered
    /// worst to best, one size per score.
    ///
    /// # Errors
    /// A sentence naming what is inconsistent.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
    /// use customer_tiering::profile::Direction;
    /// use rust_decimal::Decimal;
    /// let values: Vec<Decimal> = (1..=7).map(Decimal::from).collect();
    /// let cuts = CutPoints::fit(&values, 5, QuantileMode::TieAware, Direction::HigherIsBetter)?;
    /// assert_eq!(cuts.validate(), Ok(()));
    /// // a saved model edited by hand: its cut points are no longer ordered
    /// let mut json = serde_json::to_value(&cuts)?;
    /// json["cuts"] = serde_json::json!(["6", "5", "3", "2"]);
    /// let edited: CutPoints = serde_json::from_value(json)?;
    /// assert_eq!(edited.validate().unwrap_err(), "cut points are not ordered worst to best");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        check_bins(self.bins).map_err(|e| e.to_string())?;
        let k = usize::from(self.bins);
        if self.cuts.len() != k - 1 {
            return Err(format!(
                "{} cut points for k = {} (want {})",
                self.cuts.len(),
                k,
                k - 1
            ));
        }
        if self
            .cuts
            .windows(2)
            .any(|w| self.direction.worst_first(&w[0], &w[1]) == Ordering::Greater)
        {
            return Err("cut points are not ordered worst to best".into());
        }
        if self.sizes.len() != k || self.fit_size == 0 {
            return Err(format!(
                "fit sizes {:?} do not match k = {k} and a fit population of {}",
                self.sizes, self.fit_size
            ));
        }
        Ok(())
    }
}

/// Cut points prepared for scoring many values: integer comparisons where the values
/// and cuts have 64-bit mantissas at one scale, [`CutPoints::score`] otherwise.
#[derive(Debug)]
pub(crate) struct FastCuts<'a> {
    cuts: &'a CutPoints,
    ints: Option<IntCuts>,
}

impl<'a> FastCuts<'a> {
    pub(crate) fn new(cuts: &'a CutPoints) -> Self {
        FastCuts {
            ints: IntCuts::new(&cuts.cuts),
            cuts,
        }
    }

    /// The cuts as keys to count against, where there are at most `N` with 64-bit
    /// mantissas at one scale: what a loop over many values reads, copied out once.
    #[inline(always)]
    pub(crate) fn keyed<const N: usize>(&self) -> Option<KeyedCuts<N>> {
        let ints = self.ints.as_ref()?;
        let above = self.cuts.direction == Direction::LowerIsBetter;
        Some(KeyedCuts {
            counter: ints.counter(above)?,
            unit: ints.unit()?,
            scale: ints.scale(),
        })
    }

    /// The code of a score (the score − 1) of a value that has no key at the cuts'
    /// scale.
    #[cold]
    pub(crate) fn code_slow(&self, value: &Decimal) -> u32 {
        u32::from(self.cuts.score(value)) - 1
    }

    #[inline(always)]
    fn score_key(&self, ints: &IntCuts, key: i64) -> u8 {
        let better_than = match self.cuts.direction {
            Direction::HigherIsBetter => ints.below(key),
            Direction::LowerIsBetter => ints.above(key),
        };
        // ≤ k − 1 ≤ 9
        (better_than + 1) as u8
    }

    /// [`CutPoints::score`] of a decimal.
    #[inline(always)]
    pub(crate) fn score(&self, value: &Decimal) -> u8 {
        match &self.ints {
            Some(ints) => match ints.key(value) {
                Some(key) => self.score_key(ints, key),
                None => self.cuts.score(value),
            },
            None => self.cuts.score(value),
        }
    }

    /// [`CutPoints::score`] of a metric's value.
    #[inline(always)]
    pub(crate) fn score_num(&self, value: Num) -> u8 {
        match value {
            Num::Int(i) => self.score_int(i),
            Num::Dec(d) => self.score(&d),
        }
    }

    /// [`CutPoints::score`] of an integer.
    #[inline(always)]
    pub(crate) fn score_int(&self, value: i64) -> u8 {
        match &self.ints {
            Some(ints) => match ints.key_int(value) {
                Some(key) => self.score_key(ints, key),
                None => self.cuts.score(&Decimal::from(value)),
            },
            None => self.cuts.score(&Decimal::from(value)),
        }
    }
}

/// At most `N` cut points with 64-bit mantissas at one scale, as
/// [`FastCuts::keyed`] gives them: a value's code (its score − 1, the number of cuts
/// it is better than) by integer compares, where it has a 64-bit mantissa at that
/// scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyedCuts<const N: usize> {
    counter: CutCounter<N>,
    /// `10^scale`.
    unit: i64,
    scale: u32,
}

impl<const N: usize> KeyedCuts<N> {
    /// An integer's key: its mantissa at the cuts' scale, if that fits 64 bits.
    #[inline(always)]
    pub(crate) fn key_int(self, value: i64) -> Option<i64> {
        value.checked_mul(self.unit)
    }

    /// A decimal's key, if it has a 64-bit mantissa at the cuts' scale.
    #[inline(always)]
    pub(crate) fn key(self, value: &Decimal) -> Option<i64> {
        key_at(value, self.scale)
    }

    /// The code of a key.
    #[inline(always)]
    pub(crate) fn code_of_key(self, key: i64) -> u32 {
        self.counter.count(key)
    }

    /// An integer's code, if its key fits 64 bits.
    #[inline(always)]
    pub(crate) fn code_int(self, value: i64) -> Option<u32> {
        Some(self.counter.count(self.key_int(value)?))
    }

    /// A decimal's code, if it has a 64-bit key at the cuts' scale.
    #[inline(always)]
    pub(crate) fn code(self, value: &Decimal) -> Option<u32> {
        Some(self.counter.count(self.key(value)?))
    }
}

/// Batch scores of a whole population, in population order, by the mode's SQL definition
/// ([quantile scores](crate::definitions#quantile-scores)): tie-aware `1 + floor(k·L/n)`,
/// or `NTILE(k)` with the tiebreak of population order (`customer_id`, the tiebreak of
/// equal-count scores).
///
/// `model` must have been fitted on exactly the values of `column`.
pub(crate) fn batch_scores(column: &KeyColumn, model: &CutPoints) -> Vec<u8> {
    // (cuts strictly worse, cuts worse or equal): ≤ k − 1 ≤ 9 each
    let places = column.place(&model.cuts, model.direction == Direction::LowerIsBetter);
    if model.mode == QuantileMode::TieAware {
        return places.iter().map(|&(a, _)| a + 1).collect();
    }
    // NTILE: only customers whose value equals a cut point can sit across a bucket
    // boundary. Their exact position is (customers strictly worse) + their rank among
    // equals in population order; the customers strictly worse than the cut value first
    // at index a are those with at most a cuts worse or equal.
    let (n, k) = (places.len(), usize::from(model.bins));
    let mut worse = vec![0usize; k];
    for &(_, b) in &places {
        worse[usize::from(b)] += 1;
    }
    for i in 1..k {
        worse[i] += worse[i - 1];
    }
    let mut seen = vec![0usize; k];
    places
        .iter()
        .map(|&(a, b)| {
            if b > a {
                let a = usize::from(a);
                seen[a] += 1;
                ntile_bucket(worse[a] + seen[a], n, k)
            } else {
                a + 1
            }
        })
        .collect()
}

/// Serialises decimals as strings (exact; see CRATES.md on rust_decimal's float path).
pub(crate) mod decimal_vec {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(values: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(|v| v.to_string()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| Decimal::from_str_exact(s).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(values: &[i64]) -> Vec<Decimal> {
        values.iter().map(|&v| Decimal::from(v)).collect()
    }

    fn scores(values: &[i64], mode: QuantileMode, direction: Direction) -> Vec<u8> {
        let values = dec(values);
        let model = CutPoints::fit(&values, 5, mode, direction).unwrap();
        batch_scores(&KeyColumn::from_decimals(&values), &model)
    }

    fn sizes(scores: &[u8]) -> [usize; 5] {
        let mut sizes = [0; 5];
        for &s in scores {
            sizes[usize::from(s) - 1] += 1;
        }
        sizes
    }

    /// The worked examples of [quantile scores](crate::definitions#quantile-scores):
    /// (values worst first, mode, scores, sizes).
    #[test]
    fn tie_aware_positions_never_wrap() {
        // (s − 1)·n passes usize for n past usize::MAX / 9; the positions themselves fit.
        let n = usize::MAX;
        let want: Vec<usize> = (2..=10u128)
            .map(|s| usize::try_from(((s - 1) * n as u128).div_ceil(10)).unwrap())
            .collect();
        assert_eq!(positions(n, 10, QuantileMode::TieAware), want);
        assert_eq!(want[8], 16_602_069_666_338_596_454);
    }

    #[test]
    fn spec_worked_examples() {
        use Direction::*;
        use QuantileMode::*;
        let seven: Vec<i64> = (1..=7).collect();
        let ties = [1, 1, 1, 1, 1, 2, 2, 3, 4, 5];
        type Case<'a> = (&'a [i64], QuantileMode, Direction, &'a [u8], [usize; 5]);
        let cases: [Case<'_>; 5] = [
            (
                &seven,
                TieAware,
                HigherIsBetter,
                &[1, 1, 2, 3, 3, 4, 5],
                [2, 1, 2, 1, 1],
            ),
            (
                &seven,
                EqualCount,
                HigherIsBetter,
                &[1, 1, 2, 2, 3, 4, 5],
                [2, 2, 1, 1, 1],
            ),
            (
                &ties,
                TieAware,
                HigherIsBetter,
                &[1, 1, 1, 1, 1, 3, 3, 4, 5, 5],
                [5, 0, 2, 1, 2],
            ),
            (
                &ties,
                EqualCount,
                HigherIsBetter,
                &[1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
                [2, 2, 2, 2, 2],
            ),
            (
                &[400, 30, 20, 10, 5],
                TieAware,
                LowerIsBetter,
                &[1, 2, 3, 4, 5],
                [1, 1, 1, 1, 1],
            ),
        ];
        for (values, mode, direction, want, want_sizes) in cases {
            let got = scores(values, mode, direction);
            assert_eq!(got, want, "{values:?} {mode:?}");
            assert_eq!(sizes(&got), want_sizes, "{values:?} {mode:?}");
        }
    }

    #[test]
    fn n_1003_sizes() {
        let values: Vec<i64> = (0..1003).map(|i| (i * 7919) % 1003).collect();
        let tie = scores(&values, QuantileMode::TieAware, Direction::HigherIsBetter);
        assert_eq!(sizes(&tie), [201, 201, 200, 201, 200]);
        let ntile = scores(&values, QuantileMode::EqualCount, Direction::HigherIsBetter);
        assert_eq!(sizes(&ntile), [201, 201, 201, 200, 200]);
    }

    #[test]
    fn fewer_customers_than_bins() {
        let tie = scores(&[10, 20], QuantileMode::TieAware, Direction::HigherIsBetter);
        assert_eq!(tie, [1, 3]); // 1 + floor(5·L/2)
        let ntile = scores(
            &[20, 10, 30],
            QuantileMode::EqualCount,
            Direction::HigherIsBetter,
        );
        assert_eq!(ntile, [2, 1, 3]);
        let one = scores(&[42], QuantileMode::TieAware, Direction::HigherIsBetter);
        assert_eq!(one, [1]);
    }

    #[test]
    fn empty_scores_name_the_tie() {
        let values = dec(&[1, 1, 1, 1, 1, 2, 2, 3, 4, 5]);
        let m = CutPoints::fit(
            &values,
            5,
            QuantileMode::TieAware,
            Direction::HigherIsBetter,
        )
        .unwrap();
        assert_eq!(
            m.empty_scores(),
            [EmptyScore {
                score: 2,
                cause: EmptyCause::Tie {
                    value: Decimal::ONE,
                    customers: 5
                }
            }]
        );
        assert_eq!(
            m.empty_scores()[0].to_string(),
            "score 2 is empty: 5 customers share the value 1"
        );
    }

    #[test]
    fn bins_are_checked() {
        for bins in [0, 1, 11] {
            let err = CutPoints::fit(
                &dec(&[1]),
                bins,
                QuantileMode::TieAware,
                Direction::HigherIsBetter,
            )
            .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("bins must be in 2..=10, got {bins}")
            );
        }
    }
}
