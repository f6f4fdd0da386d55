//! [Pareto tiers](crate::definitions#pareto-tiers-and-abc): bands by share
//! of customers (count basis, the customer pyramid: platinum / gold / iron / lead) or by
//! share of the total (value basis, ABC).
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for (id, spend) in [("C1", 50), ("C2", 30), ("C3", 10), ("C4", 5), ("C5", 3), ("C6", 2)] {
//!     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), spend.into()))?;
//! }
//! let population = b.finish()?;
//! let metals = ParetoParams::metals().fit(&population)?; // by share of customers
//! let abc = ParetoParams::abc().fit(&population)?; // by share of the spend
//! assert_eq!(metals.sizes(), [1, 0, 1, 4]); // platinum, gold, iron, lead
//! assert_eq!(abc.sizes(), [2, 2, 2]); // a: 50 + 30 = 80 % of the spend
//! let mut labels = Vec::new();
//! metals.classify_into(population.get("C2").unwrap(), &mut labels);
//! abc.classify_into(population.get("C2").unwrap(), &mut labels);
//! assert_eq!([labels[0].as_cell(), labels[1].as_cell()], ["iron", "a"]);
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::counted::Ranked;
use super::criterion::{Bound, Criterion, EmptyWhy, Quantity, Rule};
use super::explain::Threshold;
use super::missing::{MissingData, MissingPolicy};
use super::order::{CutCounter, IntCuts, KeyColumn, cmp_decimal};
use super::quantile::decimal_vec;
use super::{
    Classifier, Coder, Column, Explanation, FitData, HysteresisTarget, Label, MissingUse, Model,
    Reads, Reason, Unscored, Wanted, Warning, single_value,
};
use crate::error::{ConfigError, Error, Subject};
use crate::money::checked_add;
use crate::population::Columns;
use crate::profile::{Direction, Metric, Population, Profile};
use crate::wide::{U256, cmp_scaled, parts, pow10};

pub use super::band::{Band, Basis};

/// Pareto settings: the output column, the metric ranked, the basis and the bands, best
/// first.
///
/// # Example
/// ```
/// # use customer_tiering::classify::{Classifier as _, Model as _};
/// use customer_tiering::classify::pareto::ParetoParams;
/// let metals = ParetoParams::metals();
/// assert_eq!(metals.get_column(), "metal");
/// assert!(metals.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoParams {
    column: SmolStr,
    metric: Metric,
    #[serde(default)]
    direction: Option<Direction>,
    #[serde(default)]
    basis: Basis,
    bands: Vec<Band>,
    /// What to do for a buyer without a value of the metric ([missing
    /// data](crate::definitions#missing-data)).
    #[serde(default)]
    missing: MissingPolicy,
}

impl ParetoParams {
    /// Bands of `basis` over `metric`, best first, ranked in the metric's default
    /// direction (see [`direction`](Self::direction)); missing-data policy `exclude`.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::pareto::{Band, Basis, ParetoParams};
    /// use customer_tiering::Metric;
    /// use rust_decimal::dec;
    /// let bands = vec![Band::new("loyal", dec!(0.25)), Band::new("others", dec!(0.75))];
    /// let loyalty = ParetoParams::new("loyalty", Metric::Frequency, Basis::Count, bands);
    /// assert_eq!((loyalty.get_column(), loyalty.get_metric()), ("loyalty", Metric::Frequency));
    /// assert_eq!(loyalty.validate(), Ok(()));
    /// ```
    pub fn new(column: &str, metric: Metric, basis: Basis, bands: Vec<Band>) -> Self {
        ParetoParams {
            column: SmolStr::new(column),
            metric,
            direction: None,
            basis,
            bands,
            missing: MissingPolicy::Exclude,
        }
    }

    /// Sets the missing-data policy ([missing data](crate::definitions#missing-data);
    /// default `exclude`).
    ///
    /// # Example
    /// ```
    /// # use rust_decimal::dec;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # let tx = |id: &str, amount: i32| {
    /// #     Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), amount.into())
    /// # };
    /// # b.add(tx("C1", 90).with_profit(dec!(40)))?;
    /// # b.add(tx("C2", 50).with_profit(dec!(10)))?;
    /// # b.add(tx("C3", 100))?;
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::missing::MissingPolicy;
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Label, Model, Unscored};
    /// use customer_tiering::Metric;
    /// // C1 and C2 have a profit (40, 10); C3 spent 100, but none of its rows had a profit
    /// let by_profit = ParetoParams::metals().metric(Metric::Profit);
    /// let excluded = by_profit.clone().fit(&population)?; // `exclude`, the default
    /// let proxy = MissingPolicy::Proxy { metric: Metric::Monetary };
    /// let proxied = by_profit.missing(proxy).fit(&population)?;
    /// let c3 = population.get("C3").unwrap();
    /// let (mut before, mut after) = (Vec::new(), Vec::new());
    /// excluded.classify_into(c3, &mut before);
    /// proxied.classify_into(c3, &mut after);
    /// assert_eq!(before, [Label::Unscored(Unscored::MissingMetric)]);
    /// assert_eq!(after[0].as_cell(), "platinum"); // monetary 100 stands in: the best of three
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn missing(mut self, policy: MissingPolicy) -> Self {
        self.missing = policy;
        self
    }

    /// The metals preset ([metals](crate::definitions#pareto-tiers-and-abc)): platinum 1 %,
    /// gold 4 %, iron 15 %, lead 80 % of customers by `monetary`, column `metal`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::Metric;
    /// use rust_decimal::dec;
    /// let metals = ParetoParams::metals();
    /// let bands = metals.get_bands();
    /// assert_eq!((bands[0].name.as_str(), bands[0].share), ("platinum", dec!(0.01)));
    /// assert_eq!((bands[3].name.as_str(), bands[3].share), ("lead", dec!(0.80)));
    /// assert_eq!((metals.get_column(), metals.get_metric()), ("metal", Metric::Monetary));
    /// ```
    pub fn metals() -> Self {
        let band = |name, pct| Band::new(name, Decimal::new(pct, 2));
        ParetoParams::new(
            "metal",
            Metric::Monetary,
            Basis::Count,
            vec![
                band("platinum", 1),
                band("gold", 4),
                band("iron", 15),
                band("lead", 80),
            ],
        )
    }

    /// ABC analysis ([Pareto tiers](crate::definitions#pareto-tiers-and-abc) value basis):
    /// A 80 %, B 15 %, C 5 % of total `monetary`, column `abc`.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, spend) in [("C1", 50), ("C2", 30), ("C3", 10), ("C4", 5), ("C5", 3), ("C6", 2),
    /// #     ("C7", 0), ("C8", -4)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), spend.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier};
    /// // spend 50, 30, 10, 5, 3, 2, 0 and -4 (a refund): T = 100, the positive total
    /// let abc = ParetoParams::abc().fit(&population)?;
    /// assert_eq!(abc.sizes(), [2, 2, 4]); // a: 50 + 30; b: 10 + 5; c: the rest, ≤ 0 included
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn abc() -> Self {
        let band = |name, pct| Band::new(name, Decimal::new(pct, 2));
        ParetoParams::new(
            "abc",
            Metric::Monetary,
            Basis::Value,
            vec![band("a", 80), band("b", 15), band("c", 5)],
        )
    }

    /// Sets the output column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::Metric;
    /// let by_profit = ParetoParams::metals().metric(Metric::Profit).column("profit_metal");
    /// assert_eq!(by_profit.get_column(), "profit_metal"); // beside the default `metal` column
    /// ```
    #[must_use]
    pub fn column(mut self, column: &str) -> Self {
        self.column = SmolStr::new(column);
        self
    }

    /// Sets the metric ranked.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::profile::Direction;
    /// use customer_tiering::Metric;
    /// let by_frequency = ParetoParams::metals().metric(Metric::Frequency);
    /// assert_eq!(by_frequency.get_metric(), Metric::Frequency);
    /// // the metric brings its direction: fewer days since the last purchase is better
    /// let by_recency = ParetoParams::metals().metric(Metric::RecencyDays);
    /// assert_eq!(by_recency.effective_direction(), Direction::LowerIsBetter);
    /// ```
    #[must_use]
    pub fn metric(mut self, metric: Metric) -> Self {
        self.metric = metric;
        self
    }

    /// Overrides the metric's default direction.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::profile::Direction;
    /// use customer_tiering::Metric;
    /// // the newest relationships first
    /// let by_tenure = ParetoParams::metals().metric(Metric::TenureDays);
    /// let newest = by_tenure.direction(Direction::LowerIsBetter);
    /// assert_eq!(newest.effective_direction(), Direction::LowerIsBetter);
    /// // a value basis (share of a total) only makes sense where larger is better
    /// assert!(ParetoParams::abc().direction(Direction::LowerIsBetter).validate().is_err());
    /// ```
    #[must_use]
    pub fn direction(mut self, direction: Direction) -> Self {
        self.direction = Some(direction);
        self
    }

    /// The output column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// assert_eq!(ParetoParams::metals().get_column(), "metal");
    /// assert_eq!(ParetoParams::abc().get_column(), "abc");
    /// ```
    pub fn get_column(&self) -> &str {
        &self.column
    }

    /// The bands, best first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use rust_decimal::Decimal;
    /// let abc = ParetoParams::abc();
    /// let names: Vec<&str> = abc.get_bands().iter().map(|b| b.name.as_str()).collect();
    /// assert_eq!(names, ["a", "b", "c"]); // best first
    /// let total: Decimal = abc.get_bands().iter().map(|b| b.share).sum();
    /// assert_eq!(total, Decimal::ONE); // exactly 100 %
    /// ```
    pub fn get_bands(&self) -> &[Band] {
        &self.bands
    }

    /// The basis.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::{Basis, ParetoParams};
    /// assert_eq!(ParetoParams::metals().get_basis(), Basis::Count); // share of customers
    /// assert_eq!(ParetoParams::abc().get_basis(), Basis::Value); // share of the spend
    /// ```
    pub fn get_basis(&self) -> Basis {
        self.basis
    }

    /// The metric ranked.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::Metric;
    /// assert_eq!(ParetoParams::metals().get_metric(), Metric::Monetary);
    /// let by_profit = ParetoParams::metals().metric(Metric::Profit);
    /// assert_eq!(by_profit.get_metric(), Metric::Profit);
    /// ```
    pub fn get_metric(&self) -> Metric {
        self.metric
    }

    /// The direction ranked by: the one set, else the metric's default.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::profile::Direction;
    /// use customer_tiering::Metric;
    /// let metals = ParetoParams::metals();
    /// assert_eq!(metals.effective_direction(), Direction::HigherIsBetter); // monetary's own
    /// let by_recency = metals.metric(Metric::RecencyDays);
    /// assert_eq!(by_recency.effective_direction(), Direction::LowerIsBetter); // recency's own
    /// let reversed = by_recency.direction(Direction::HigherIsBetter);
    /// assert_eq!(reversed.effective_direction(), Direction::HigherIsBetter); // the one set
    /// ```
    pub fn effective_direction(&self) -> Direction {
        self.direction.unwrap_or(self.metric.default_direction())
    }

    /// Cumulative shares of the bands before the last.
    fn cumulative(&self) -> Vec<Decimal> {
        cumulative(&self.bands)
    }
}

fn bands_error(bands: &[Band], reason: String) -> ConfigError {
    ConfigError::Bands {
        bands: bands
            .iter()
            .map(|b| format!("{}={}", b.name, b.share))
            .collect::<Vec<_>>()
            .join(","),
        reason,
    }
}

/// Checks bands ([Pareto tiers](crate::definitions#pareto-tiers-and-abc)): at least one,
/// names distinct and non-empty, shares positive and summing to exactly 1.
pub(crate) fn validate_bands(bands: &[Band]) -> Result<(), ConfigError> {
    let fail = |reason: String| bands_error(bands, reason);
    if bands.is_empty() {
        return Err(fail("no bands".into()));
    }
    for (i, band) in bands.iter().enumerate() {
        if band.name.trim().is_empty() {
            return Err(fail(format!("band {} has an empty name", i + 1)));
        }
        if band.share <= Decimal::ZERO {
            return Err(fail(format!(
                "band {:?} has a share that is not positive",
                band.name
            )));
        }
        if bands[..i].iter().any(|b| b.name == band.name) {
            return Err(fail(format!("band {:?} is named twice", band.name)));
        }
    }
    let total = bands
        .iter()
        .try_fold(Decimal::ZERO, |acc, b| checked_add(acc, b.share));
    if total != Some(Decimal::ONE) {
        return Err(fail(format!(
            "shares sum to {} instead of exactly 1 (100 %)",
            total.map_or("more than the decimal range".into(), |t| t
                .normalize()
                .to_string())
        )));
    }
    Ok(())
}

/// Cumulative shares of the bands before the last (validated bands: each ≤ 1).
pub(crate) fn cumulative(bands: &[Band]) -> Vec<Decimal> {
    let mut sum = Decimal::ZERO;
    bands[..bands.len() - 1]
        .iter()
        .map(|b| {
            sum += b.share;
            sum
        })
        .collect()
}

/// The 1-based best-first positions `ceil(c_b·n)` of the band thresholds ([saved
/// models](crate::definitions#saved-models)): with `c_b < 1` and `n ≥ 1`, `1 ≤ ceil(c_b·n)
/// ≤ n`.
///
/// In integers (`ceil(m·n / 10^s)` for `c_b = m / 10^s`): `rust_decimal`'s own product
/// rounds once `m·n` passes 96 bits, which a 28-decimal share reaches with any `n`.
pub(crate) fn threshold_positions(cumulative: &[Decimal], n: usize) -> Vec<usize> {
    cumulative
        .iter()
        .map(|c| {
            let (mantissa, scale) = parts(*c);
            let product = U256::mul(mantissa, n as u128);
            // scale ≤ 28: 10^scale fits; the quotient is at most c_b·n ≤ n
            let ceil = pow10(scale)
                .and_then(|unit| product.div_rem(U256::from_u128(unit)))
                .and_then(|(q, r)| {
                    let q = q.to_u128()?;
                    usize::try_from(q + u128::from(r != U256::ZERO)).ok()
                })
                .unwrap_or(n);
            ceil.clamp(1, n.max(1))
        })
        .collect()
}

impl Classifier for ParetoParams {
    type Model = ParetoModel;

    const KIND: &'static str = "pareto";

    fn columns(&self) -> Vec<Column> {
        vec![super::band::column(&self.column, &self.bands)]
    }

    fn reads(&self) -> Reads {
        let mut reads = Reads::metrics([self.metric]);
        if let MissingPolicy::Proxy { metric } = self.missing {
            reads.add_metric(metric);
        }
        reads
    }

    /// Checks the bands ([Pareto tiers](crate::definitions#pareto-tiers-and-abc)): at least
    /// one, names distinct and non-empty, shares positive and summing to exactly 1; value
    /// basis ranks larger-is-better only.
    ///
    /// # Errors
    /// [`ConfigError::Bands`] naming the bands and the problem.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::pareto::{Band, Basis, ParetoParams};
    /// use customer_tiering::Metric;
    /// use rust_decimal::dec;
    /// let bands = vec![Band::new("a", dec!(0.50)), Band::new("b", dec!(0.49))];
    /// let params = ParetoParams::new("x", Metric::Monetary, Basis::Count, bands);
    /// let err = params.validate().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "bands a=0.50,b=0.49: shares sum to 0.99 instead of exactly 1 (100 %)"
    /// );
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        validate_bands(&self.bands)?;
        if self.basis == Basis::Value && self.effective_direction() == Direction::LowerIsBetter {
            return Err(bands_error(
                &self.bands,
                format!(
                    "value basis needs a metric where larger is better, not {}",
                    self.metric
                ),
            ));
        }
        Ok(())
    }

    fn fit(&self, population: &Population) -> Result<ParetoModel, Error> {
        self.fit_data(&FitData::keyed(population, &self.wanted()))
    }
}

impl ParetoParams {
    /// The columns the fit reads: the metric's, for a count basis without fills.
    pub(crate) fn wanted(&self) -> Vec<Wanted> {
        match (self.basis, &self.missing) {
            (Basis::Count, MissingPolicy::Exclude) => vec![Wanted::buyers(self.metric)],
            _ => Vec::new(),
        }
    }

    /// Validates, then fits on the population of `data`, with the columns read there.
    pub(crate) fn fit_data(&self, data: &FitData<'_>) -> Result<ParetoModel, Error> {
        self.validate()?;
        let metric = self.metric;
        // What the fit reads beyond order statistics, when there are none but those.
        let reads = |what: &'static str| move || format!("{}: {what}", self.column);
        // Only a median or a mean needs the values before the fill.
        let missing = match self.missing {
            MissingPolicy::FillMedian | MissingPolicy::FillMean => {
                let population = data.population(reads("a fill by the median or mean"))?;
                let present = super::buyer_values(population, |p| p.metric(metric));
                self.missing.fit(metric, &present)?
            }
            _ => self.missing.fit(metric, &[])?,
        };
        if !data.has_buyers() {
            return Err(Error::EmptyPopulation {
                as_of: data.as_of(),
            });
        }
        let direction = self.effective_direction();
        let cumulative = self.cumulative();
        let bands = self.bands.len();
        let (fit_size, thresholds, sizes, values) = match self.basis {
            Basis::Count => {
                let column = match self.missing {
                    MissingPolicy::Exclude => data.ranked(Wanted::buyers(metric)),
                    _ => {
                        let population = data.population(reads("a missing-data policy"))?;
                        Ranked::Keys(Cow::Owned(KeyColumn::build_made(population, |p| {
                            if p.is_buyer() {
                                missing.resolve(p).0
                            } else {
                                None
                            }
                        })))
                    }
                };
                let best_first = direction == Direction::HigherIsBetter;
                let (thresholds, sizes) = count_thresholds(&column, best_first, &cumulative, bands);
                (column.len(), thresholds, sizes, Vec::new())
            }
            Basis::Value => {
                let population = data.population(reads("value-basis bands"))?;
                let values = super::buyer_values(population, |p| missing.resolve(p).0);
                let thresholds = value_thresholds(&values, &cumulative, &self.column)?;
                (values.len(), thresholds, vec![0; bands], values)
            }
        };
        let mut model = ParetoModel {
            params: self.clone(),
            fit_size,
            thresholds,
            sizes,
            missing,
        };
        for v in &values {
            let band = model.band_of(v);
            model.sizes[band] += 1;
        }
        Ok(model)
    }
}

/// Count-basis thresholds ([Pareto tiers](crate::definitions#pareto-tiers-and-abc)) and
/// band sizes: with the values best first (larger first when `descending`), the threshold
/// of band `b` is the value at position `ceil(c_b·n)`, and a value is in the first band
/// whose threshold it is at least as good as.
fn count_thresholds(
    column: &Ranked<'_>,
    descending: bool,
    cumulative: &[Decimal],
    bands: usize,
) -> (Vec<Decimal>, Vec<usize>) {
    let n = column.len();
    if n == 0 {
        return (Vec::new(), vec![0; bands]);
    }
    let stats = column.order_stats(&threshold_positions(cumulative, n), descending);
    let mut sizes = Vec::with_capacity(bands);
    let mut before = 0;
    for stat in &stats {
        sizes.push(stat.not_more - before);
        before = stat.not_more;
    }
    sizes.push(n - before);
    (stats.iter().map(|s| s.value).collect(), sizes)
}

fn value_thresholds(
    values: &[Decimal],
    cumulative: &[Decimal],
    column: &str,
) -> Result<Vec<Decimal>, Error> {
    let mut positive: Vec<Decimal> = values
        .iter()
        .copied()
        .filter(|v| *v > Decimal::ZERO)
        .collect();
    let total = positive
        .iter()
        .try_fold(Decimal::ZERO, |acc, v| checked_add(acc, *v))
        .ok_or_else(|| Error::total_overflow("positive_total", Subject::Column(column.into())))?;
    if total.is_zero() {
        return Ok(Vec::new());
    }
    // c_b·T = (m_c · m_T) / 10^(s_c + s_T): each mantissa < 2^96, so the product fits.
    let (total_mantissa, total_scale) = parts(total);
    let limits: Vec<(U256, u32)> = cumulative
        .iter()
        .map(|c| {
            let (m, s) = parts(*c);
            (U256::mul(m, total_mantissa), s + total_scale)
        })
        .collect();
    // Selected on integers where the values have 64-bit mantissas at one scale (the
    // sum of those below 2^63 each, fewer than 2^64 of them, fits 128 bits) …
    let column = KeyColumn::from_decimals(&positive);
    let selected = column.value_thresholds(limits.len(), |b, sum| {
        let (limit, limit_scale) = limits[b];
        cmp_scaled(U256::from_u128(sum), column.scale(), limit, limit_scale)
            == std::cmp::Ordering::Less
    });
    if let Some(thresholds) = selected {
        return Ok(thresholds);
    }
    // … else on the decimals, sorted.
    positive.sort_unstable_by(|a, b| b.cmp(a));
    let mut thresholds = vec![positive[0]; limits.len()];
    let mut better_sum = Decimal::ZERO;
    for group in positive.chunk_by(|a, b| a == b) {
        let value = group[0];
        let (sum_mantissa, sum_scale) = parts(better_sum);
        for (t, (limit, limit_scale)) in thresholds.iter_mut().zip(&limits) {
            let below = cmp_scaled(
                U256::from_u128(sum_mantissa),
                sum_scale,
                *limit,
                *limit_scale,
            ) == std::cmp::Ordering::Less;
            if below {
                *t = value;
            }
        }
        for v in group {
            // a partial sum of positive values never passes their total
            better_sum = checked_add(better_sum, *v).unwrap_or(total);
        }
    }
    Ok(thresholds)
}

/// A fitted Pareto model: one threshold per band boundary ([saved
/// models](crate::definitions#saved-models)).
///
/// # Example
/// ```
/// # use customer_tiering::{PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=7 {
/// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = b.finish()?;
/// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
/// use customer_tiering::{CustomerId, Profile};
/// use rust_decimal::dec;
/// // seven buyers who spent 1 to 7
/// let model = ParetoParams::metals().fit(&population)?;
/// assert_eq!(model.fit_size(), 7);
/// // a new customer is banded by the saved thresholds, without refitting
/// let mut newcomer = Profile::without_purchases(CustomerId::new("N1").unwrap());
/// (newcomer.frequency, newcomer.monetary) = (1, dec!(6.5));
/// let mut labels = Vec::new();
/// model.classify_into(&newcomer, &mut labels);
/// assert_eq!(labels[0].as_cell(), "iron"); // below platinum's 7, at least iron's 6
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParetoModel {
    params: ParetoParams,
    fit_size: usize,
    /// `t_1..t_{B−1}`; empty for a value basis whose positive total is 0, and for a fit
    /// on no value at all.
    #[serde(with = "decimal_vec")]
    thresholds: Vec<Decimal>,
    sizes: Vec<usize>,
    missing: MissingData,
}

impl ParetoModel {
    /// The thresholds `t_1..t_{B−1}` (a value is in band `b` or better iff it is at least
    /// `t_b`; for a lower-is-better metric, at most).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, spend) in [("C1", 50), ("C2", 30), ("C3", 10), ("C4", 5), ("C5", 3), ("C6", 2)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), spend.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier};
    /// use rust_decimal::dec;
    /// // spend 50, 30, 10, 5, 3 and 2: T = 100
    /// let abc = ParetoParams::abc().fit(&population)?;
    /// assert_eq!(abc.thresholds(), [dec!(30), dec!(5)]); // a from 30, b from 5, c below
    /// assert_eq!(abc.band_of(&dec!(4.99)), 2); // c
    /// // count basis: platinum and gold both need the best value, 50; iron needs 30
    /// let metals = ParetoParams::metals().fit(&population)?;
    /// assert_eq!(metals.thresholds(), [dec!(50), dec!(50), dec!(30)]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn thresholds(&self) -> &[Decimal] {
        &self.thresholds
    }

    /// Customers per band on the fit population.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier};
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// for i in 1..=1003 {
    ///     let id = CustomerId::new(&format!("C{i:04}")).unwrap();
    ///     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// }
    /// let model = ParetoParams::metals().fit(&b.finish()?)?;
    /// assert_eq!(model.sizes(), [11, 40, 150, 802]); // n = 1003 distinct values
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The band index (0 = best) of a value.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{pareto::ParetoParams, Classifier};
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// use rust_decimal::Decimal;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// for i in 1..=7i64 {
    ///     let id = CustomerId::new(&format!("C{i}")).unwrap();
    ///     b.add(Transaction::new(id, date(2026, 3, 1), Decimal::from(i)))?;
    /// }
    /// let model = ParetoParams::metals().fit(&b.finish()?)?;
    /// assert_eq!(model.sizes(), [1, 0, 1, 5]); // n = 7
    /// assert_eq!(model.band_of(&Decimal::from(1000)), 0);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn band_of(&self, value: &Decimal) -> usize {
        let last = self.params.bands.len() - 1;
        if self.params.basis == Basis::Value && *value <= Decimal::ZERO {
            return last;
        }
        let not_better = match self.params.effective_direction() {
            Direction::HigherIsBetter => std::cmp::Ordering::Greater,
            Direction::LowerIsBetter => std::cmp::Ordering::Less,
        };
        self.thresholds
            .iter()
            .position(|t| cmp_decimal(t, value) != not_better)
            .unwrap_or(last)
    }

    /// The fast path of labelling many customers.
    pub(crate) fn coder(&self) -> ParetoCoder<'_> {
        let ints = IntCuts::new(&self.thresholds);
        let higher = self.params.effective_direction() == Direction::HigherIsBetter;
        ParetoCoder {
            model: self,
            counter: ints.as_ref().and_then(|i| i.counter(higher)),
            ints,
        }
    }

    fn label_of(&self, profile: &Profile) -> Result<(usize, Decimal), Unscored> {
        if !profile.is_buyer() {
            return Err(Unscored::NoPurchases);
        }
        let value = self
            .missing
            .resolve(profile)
            .0
            .ok_or(Unscored::MissingMetric)?;
        Ok((self.band_of(&value), value))
    }
}

impl Model for ParetoModel {
    type Params = ParetoParams;

    /// The settings it was fitted with.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, spend) in [("C1", 50), ("C2", 30), ("C3", 10), ("C4", 5), ("C5", 3), ("C6", 2)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), spend.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::pareto::{Basis, ParetoParams};
    /// use customer_tiering::classify::Classifier;
    /// let model = ParetoParams::abc().fit(&population)?;
    /// assert_eq!(model.params(), &ParetoParams::abc());
    /// assert_eq!(model.params().get_basis(), Basis::Value);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn params(&self) -> &ParetoParams {
        &self.params
    }

    /// Checks a loaded model: valid bands, one threshold per boundary (none for a value
    /// basis without positive total), ordered best first.
    ///
    /// # Errors
    /// [`ConfigError`] naming the column and the inconsistency.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=7 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::pareto::{ParetoModel, ParetoParams};
    /// use customer_tiering::classify::Classifier;
    /// let model = ParetoParams::metals().fit(&population)?;
    /// assert_eq!(model.validate(), Ok(()));
    /// // a saved model edited by hand: its thresholds are no longer best first
    /// let mut json = serde_json::to_value(&model)?;
    /// json["thresholds"] = serde_json::json!(["6", "7", "7"]);
    /// let edited: ParetoModel = serde_json::from_value(json)?;
    /// assert_eq!(
    ///     edited.validate().unwrap_err().to_string(),
    ///     "pipeline: pareto model \"metal\": thresholds are not ordered best first"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()?;
        let fail = |reason: String| ConfigError::Model {
            kind: ParetoParams::KIND,
            column: self.params.column.to_string(),
            reason,
        };
        let boundaries = self.params.bands.len() - 1;
        // No thresholds: a value basis whose positive total was 0, or a fit on nobody
        // with the metric (every buyer unscored); either bands any value last.
        let allowed_empty =
            self.thresholds.is_empty() && (self.params.basis == Basis::Value || self.fit_size == 0);
        if self.thresholds.len() != boundaries && !allowed_empty {
            return Err(fail(format!(
                "{} thresholds for {} bands (want {boundaries})",
                self.thresholds.len(),
                self.params.bands.len()
            )));
        }
        let direction = self.params.effective_direction();
        if self
            .thresholds
            .windows(2)
            .any(|w| direction.is_better(&w[1], &w[0]))
        {
            return Err(fail("thresholds are not ordered best first".into()));
        }
        if self.sizes.len() != self.params.bands.len() {
            return Err(fail(format!(
                "{} band sizes for {} bands",
                self.sizes.len(),
                self.params.bands.len()
            )));
        }
        Ok(())
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(match self.label_of(profile) {
            Ok((band, _)) => Label::Name(self.params.bands[band].name.clone()),
            Err(why) => Label::Unscored(why),
        });
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let column = self.params.column.as_str();
        let (band, value) = match self.label_of(profile) {
            Ok(found) => found,
            Err(why) => return vec![Explanation::unscored(column, why)],
        };
        let bands = &self.params.bands;
        let threshold = |b: usize| {
            let t = self.thresholds.get(b)?;
            Some(Threshold::new(bands[b].name.clone(), *t))
        };
        let not_positive = self.params.basis == Basis::Value && value <= Decimal::ZERO;
        let reason = Reason::Band {
            metric: self.params.metric,
            value,
            basis: self.params.basis,
            direction: self.params.effective_direction(),
            not_positive,
            reaches: threshold(band).filter(|_| !not_positive),
            short_of: band
                .checked_sub(1)
                .and_then(threshold)
                .filter(|_| !not_positive),
            bands: bands.clone(),
            fit_size: self.fit_size,
        };
        let label = Label::Name(bands[band].name.clone());
        vec![Explanation::new(column, label, reason)]
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }

    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        // Answered without reading the profile when no customer can lack the metric.
        if !self.reports_missing() {
            return;
        }
        if profile.is_buyer() && self.missing.resolve(profile).1 {
            out.push(MissingUse {
                column: self.params.column.to_string(),
                source: self.params.metric.name().to_string(),
                policy: self.missing.policy().name().to_string(),
            });
        }
    }

    fn reports_missing(&self) -> bool {
        self.params.metric.may_be_missing()
    }

    /// `empty_band` per band that holds nobody of the fit population, and
    /// `single_value`.
    fn warnings(&self, population: &Population) -> Vec<Warning> {
        let column = self.params.column.as_str();
        let mut out = Vec::new();
        for (band, size) in self.params.bands.iter().zip(self.sizes()) {
            if *size == 0 {
                out.push(Warning::new(
                    "empty_band",
                    column,
                    format!(
                        "{column}: band {} holds no customer of the {} fitted",
                        band.name, self.fit_size
                    ),
                    serde_json::json!({ "band": band.name, "fit_size": self.fit_size }),
                ));
            }
        }
        out.extend(single_value(column, self.params.metric, population));
        out
    }

    /// Per band, its range on the metric between its threshold and the one above it
    /// (or why it is empty); on a value basis the last band also takes every value ≤ 0.
    fn criteria(&self) -> Vec<Criterion> {
        let bands = &self.params.bands;
        let last = bands.len() - 1;
        let value_basis = self.params.basis == Basis::Value;
        let higher = self.params.effective_direction() == Direction::HigherIsBetter;
        let quantity = Quantity::Metric(self.params.metric);
        bands
            .iter()
            .enumerate()
            .map(|(b, band)| {
                let own = (b < last).then(|| self.thresholds.get(b)).flatten();
                let above = b.checked_sub(1).and_then(|a| self.thresholds.get(a));
                // At least the own threshold and short of the one above (higher is
                // better); at most and past them when lower is better.
                let (reach, short) = (
                    own.map(|&value| Bound {
                        value,
                        inclusive: true,
                    }),
                    above.map(|&value| Bound {
                        value,
                        inclusive: false,
                    }),
                );
                let (lower, upper) = if higher {
                    (reach, short)
                } else {
                    (short, reach)
                };
                let range = Rule::Range {
                    quantity,
                    lower,
                    upper,
                    or_not_positive: value_basis && b == last,
                };
                let rule = match self.thresholds.is_empty() && b < last && value_basis {
                    true => Rule::Empty {
                        why: EmptyWhy::NoPositiveValue,
                    },
                    false => range.or_empty(self.sizes.get(b)),
                };
                Criterion {
                    column: self.params.column.to_string(),
                    label: band.name.to_string(),
                    rule,
                }
            })
            .collect()
    }

    /// Count-basis bands have positions; value-basis bands do not.
    fn hysteresis_targets(&self) -> Result<Vec<HysteresisTarget>, ConfigError> {
        if self.params.basis != Basis::Count {
            return Ok(Vec::new());
        }
        let params = &self.params;
        Ok(vec![HysteresisTarget::Band {
            column: params.column.to_string(),
            cumulative: cumulative(&params.bands),
            metric: params.metric,
            direction: params.effective_direction(),
            labels: params.bands.iter().map(|b| b.name.clone()).collect(),
        }])
    }
}

/// [`ParetoModel`]'s labels as codes: the band's index, then "no purchase", then
/// "no value".
#[derive(Debug)]
pub(crate) struct ParetoCoder<'a> {
    model: &'a ParetoModel,
    ints: Option<IntCuts>,
    /// The thresholds better than a key counted branch-free, where there are at most
    /// four (the presets: metals have three).
    counter: Option<CutCounter<4>>,
}

impl Coder for ParetoCoder<'_> {
    fn labels(&self) -> Vec<Vec<Label>> {
        let mut labels: Vec<Label> = self
            .model
            .params
            .bands
            .iter()
            .map(|b| Label::Name(b.name.clone()))
            .collect();
        labels.push(Label::Unscored(Unscored::NoPurchases));
        labels.push(Label::Unscored(Unscored::MissingMetric));
        vec![labels]
    }

    #[inline]
    fn code(&self, profile: &Profile, out: &mut [u32]) {
        let model = self.model;
        let bands = model.params.bands.len();
        // bands ≤ the labels of a column
        out[0] = if !profile.is_buyer() {
            bands as u32
        } else {
            match model.missing.resolve(profile).0 {
                None => bands as u32 + 1,
                Some(value) => self.band(&value) as u32,
            }
        };
    }

    /// From the metric's column, unless the metric may be missing (a policy decides).
    fn codes_at(
        &self,
        customers: &Columns,
        range: std::ops::Range<usize>,
        block: &mut Vec<Profile>,
        out: &mut [Vec<u32>],
    ) {
        let metric = self.model.params.metric;
        if metric.may_be_missing() {
            customers.fill(range, block);
            return self.codes(block, out);
        }
        let bands = self.model.params.bands.len() as u32;
        // What does not change from customer to customer is worked out once per block,
        // and a value with a key is placed by integer comparisons.
        let out = &mut out[0];
        match &self.ints {
            Some(ints) => {
                let by_key = self.by_key(ints);
                let band = |value: &Decimal| match ints.key(value) {
                    Some(key) => by_key(key),
                    None => self.model.band_of(value),
                };
                push_bands(customers, range, metric, bands, band, out);
            }
            None => push_bands(
                customers,
                range,
                metric,
                bands,
                |v| self.model.band_of(v),
                out,
            ),
        }
    }
}

/// Pushes the code of each customer of `range`: `band` of its metric's value, `bands`
/// for a non-buyer and `bands + 1` for a buyer without the metric (the fixed labels'
/// order).
#[inline(always)]
fn push_bands(
    customers: &Columns,
    range: std::ops::Range<usize>,
    metric: Metric,
    bands: u32,
    band: impl Fn(&Decimal) -> usize,
    out: &mut Vec<u32>,
) {
    // bands ≤ the labels of a column
    let code = |value: &Decimal| band(value) as u32;
    // A loop per kind of metric, so that the metric is chosen once per block.
    match metric {
        Metric::Monetary => out.extend(range.map(|i| match customers.is_buyer(i) {
            false => bands,
            true => code(&customers.monetary[i]),
        })),
        _ => out.extend(range.map(|i| match customers.is_buyer(i) {
            false => bands,
            true => customers.metric(i, metric).map_or(bands + 1, |v| code(&v)),
        })),
    }
}

impl ParetoCoder<'_> {
    /// [`ParetoModel::band_of`]: the thresholds strictly better than the value, all
    /// leading ones as they are ordered best first.
    #[inline]
    fn band(&self, value: &Decimal) -> usize {
        match (&self.ints, self.ints.as_ref().and_then(|i| i.key(value))) {
            (Some(ints), Some(key)) => self.by_key(ints)(key),
            _ => self.model.band_of(value),
        }
    }

    /// The band of a value by its key at the thresholds' scale (see [`IntCuts::key`]).
    #[inline(always)]
    fn by_key<'s>(&'s self, ints: &'s IntCuts) -> impl Fn(i64) -> usize + 's {
        let model = self.model;
        let last = model.params.bands.len() - 1;
        let by_value = model.params.basis == Basis::Value;
        let higher = model.params.effective_direction() == Direction::HigherIsBetter;
        let thresholds = model.thresholds.len();
        let counter = self.counter;
        move |key| {
            if by_value && key <= 0 {
                return last;
            }
            let better = match (counter, higher) {
                (Some(counter), _) => counter.count(key) as usize,
                (None, true) => ints.above(key),
                (None, false) => ints.below(key),
            };
            if better == thresholds { last } else { better }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CustomerId, PopulationBuilder, Transaction};
    use jiff::civil::date;
    use rust_decimal::dec;

    fn population(values: &[i64]) -> Population {
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for (i, v) in values.iter().enumerate() {
            let id = CustomerId::new(&format!("C{i:05}")).unwrap();
            b.add(Transaction::new(id, date(2026, 1, 1), Decimal::from(*v)))
                .unwrap();
        }
        b.finish().unwrap()
    }

    #[test]
    fn threshold_positions_are_exact_ceilings() {
        assert_eq!(
            threshold_positions(&[dec!(0.01), dec!(0.05), dec!(0.20)], 1003),
            [11, 51, 201]
        );
        // 0.2000…01 · 10^12 is 200 000 000 000 plus 10^-16: the ceiling is one more,
        // though the decimal product (past 96 bits) would round the excess away.
        let share = dec!(0.2000000000000000000000000001);
        assert_eq!(
            threshold_positions(&[share], 1_000_000_000_000),
            [200_000_000_001]
        );
        assert_eq!(threshold_positions(&[dec!(0.5)], 1), [1]);
    }

    #[test]
    fn metal_sizes_follow_spec_4() {
        let seven = population(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(
            ParetoParams::metals().fit(&seven).unwrap().sizes(),
            [1, 0, 1, 5]
        );
        let values: Vec<i64> = (0..1003).map(|i| (i * 7919) % 1003).collect();
        let big = population(&values);
        assert_eq!(
            ParetoParams::metals().fit(&big).unwrap().sizes(),
            [11, 40, 150, 802]
        );
    }

    #[test]
    fn a_fit_on_nobody_with_the_metric_saves_and_loads() {
        // Two buyers, no profit given: every buyer is unscored, the model has no thresholds.
        let pop = population(&[10, 20]);
        let model = ParetoParams::metals()
            .metric(Metric::Profit)
            .fit(&pop)
            .unwrap();
        assert_eq!((model.fit_size(), model.sizes()), (0, &[0, 0, 0, 0][..]));
        model.validate().unwrap();
        let json = serde_json::to_string(&model).unwrap();
        let back: ParetoModel = serde_json::from_str(&json).unwrap();
        back.validate().unwrap();
        assert_eq!(back, model);
        // A model fitted on values must still carry all its thresholds.
        let mut broken = ParetoParams::metals().fit(&pop).unwrap();
        broken.thresholds.clear();
        assert!(broken.validate().is_err());
    }

    #[test]
    fn ties_share_a_band_and_the_best_is_always_first() {
        let model = ParetoParams::metals()
            .fit(&population(&[5, 5, 5, 5]))
            .unwrap();
        assert_eq!(model.sizes(), [4, 0, 0, 0]);
    }

    #[test]
    fn abc_by_value_share() {
        // T = 100: S(50) = 0 → a; S(30) = 50 → a; S(10) = 80 → b; S(5) = 90 → b;
        // S(3) = 95 → c; S(2) = 98 → c; ≤ 0 → c.
        let model = ParetoParams::abc()
            .fit(&population(&[50, 30, 10, 5, 3, 2, 0, -4]))
            .unwrap();
        assert_eq!(model.sizes(), [2, 2, 4]);
        assert_eq!(model.thresholds(), [Decimal::from(30), Decimal::from(5)]);
        let nothing = ParetoParams::abc().fit(&population(&[0, -1])).unwrap();
        assert_eq!(
            (nothing.sizes(), nothing.thresholds()),
            (&[0, 0, 2][..], &[][..])
        );
    }

    #[test]
    fn missing_data_policies_change_exactly_the_customers_without_a_value() {
        use crate::classify::missing::MissingPolicy;
        use crate::{FittedPipeline, PipelineBuilder};
        // Ten buyers, monetary 1..=10; profit only for the first six (1..=6).
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for i in 1..=10i64 {
            let id = CustomerId::new(&format!("C{i:02}")).unwrap();
            let mut tx = Transaction::new(id, date(2026, 1, 1), Decimal::from(i));
            if i <= 6 {
                tx = tx.with_profit(Decimal::from(i));
            }
            b.add(tx).unwrap();
        }
        let pop = b.finish().unwrap();
        let halves = || {
            let band = |name, pct| Band::new(name, Decimal::new(pct, 2));
            ParetoParams::new(
                "half",
                Metric::Profit,
                Basis::Count,
                vec![band("top", 50), band("rest", 50)],
            )
        };
        // Bands: top if fewer than half the scored customers are strictly better.
        let (t, r, u) = ("top", "rest", "");
        let cases: [(MissingPolicy, [&str; 10]); 5] = [
            // scored 1..=6: 4, 5, 6 top
            (MissingPolicy::Exclude, [r, r, r, t, t, t, u, u, u, u]),
            // 100 ×4, then 6 (4 better) top, 5 (5 better) rest
            (
                MissingPolicy::Fill {
                    value: Decimal::from(100),
                },
                [r, r, r, r, r, t, t, t, t, t],
            ),
            // lower median of 1..=6 is 3: 3 has 3 better → top, with the fills
            (MissingPolicy::FillMedian, [r, r, t, t, t, t, t, t, t, t]),
            // mean 3.5: 3.5 has 3 better → top; 3 has 7 better → rest
            (MissingPolicy::FillMean, [r, r, r, t, t, t, t, t, t, t]),
            // monetary 7..=10 stand in: 10, 9, 8, 7, 6 top
            (
                MissingPolicy::Proxy {
                    metric: Metric::Monetary,
                },
                [r, r, r, r, r, t, t, t, t, t],
            ),
        ];
        for (policy, want) in cases {
            let name = policy.name();
            let fitted: FittedPipeline = PipelineBuilder::new()
                .classifier(halves().missing(policy))
                .build()
                .unwrap()
                .fit(&pop)
                .unwrap();
            let tiering = fitted.classify_all(&pop);
            let got: Vec<String> = (1..=10)
                .map(|i| {
                    tiering
                        .label(&format!("C{i:02}"), "half")
                        .unwrap()
                        .as_cell()
                        .into_owned()
                })
                .collect();
            assert_eq!(got, want, "{name}");
            let counts = fitted.missing_data(&pop);
            let touched: u64 = counts.values().sum();
            assert_eq!(touched, 4, "{name}");
            assert_eq!(counts.keys().next().unwrap().policy, name);
        }
    }

    #[test]
    fn bands_are_validated() {
        let bad = |bands: Vec<Band>| {
            ParetoParams::new("x", Metric::Monetary, Basis::Count, bands).validate()
        };
        let b = |n, s| Band::new(n, Decimal::new(s, 2));
        assert_eq!(
            bad(vec![b("a", 50), b("b", 49)]).unwrap_err().to_string(),
            "bands a=0.50,b=0.49: shares sum to 0.99 instead of exactly 1 (100 %)"
        );
        assert_eq!(
            bad(vec![b("a", 101), b("b", -1)]).unwrap_err().to_string(),
            "bands a=1.01,b=-0.01: band \"b\" has a share that is not positive"
        );
        assert!(
            bad(vec![b("a", 50), b("a", 50)])
                .unwrap_err()
                .to_string()
                .contains("named twice")
        );
        assert!(bad(vec![]).is_err());
        let recency_abc = ParetoParams::abc().metric(Metric::RecencyDays);
        assert!(
            recency_abc
                .validate()
                .unwrap_err()
                .to_string()
                .contains("larger is better")
        );
    }
}
