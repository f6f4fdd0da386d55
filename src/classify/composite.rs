//! Composite value tiers ([composite value
//! tiers](crate::definitions#composite-value-tiers)): a weighted sum of tie-aware
//! percentiles of several metrics, banded by customer share ([Pareto
//! tiers](crate::definitions#pareto-tiers-and-abc) count basis on the composite).
//!
//! A metric's percentile is `L/n` ([quantile scores](crate::definitions#quantile-scores):
//! `L` the buyers with a value strictly worse, `n` the buyers that have the metric). The
//! composite is kept as an exact fraction: with `D` the least common multiple of the `n`s
//! and `s` the largest scale of the weights, `composite · D · 10^s = Σ w_i·10^s · L_i ·
//! D/n_i` is an integer, and bands compare those integers. A buyer without a metric has
//! percentile 0 for it. When no buyer has a metric, its weight moves to the metric its
//! settings name.
//!
//! Those integers are 128-bit and every step is checked. With the preset's inputs at
//! most four counts differ (every buyer has `monetary` and `frequency`), so `D < n^4`
//! and the largest composite, `D · Σ w_i·10^s`, stays exact up to billions of buyers
//! (pairwise coprime counts near 70 000 already give `D ≈ 2.4·10^19`, past 64 bits).
//! Inputs whose `D · Σ w_i·10^s` would not fit are a [`ConfigError`] at fit and when a
//! saved model is loaded, never a wrapped number.
//!
//! To score a new customer without refitting, the model keeps each metric's fit values
//! (distinct, with counts): a percentile needs the whole distribution, not cut points.
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::composite::CompositeParams;
//! use customer_tiering::classify::{Classifier, Model};
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! use rust_decimal::dec;
//! // ten buyers who bought once each, spending 0 to 9: without profit, products or growth,
//! // profit's weight moves to monetary (0.35 + 0.25) and products' to frequency
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for i in 0..10 {
//!     let id = CustomerId::new(&format!("C{i}")).unwrap();
//!     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
//! }
//! let population = b.finish()?;
//! let model = CompositeParams::value_tiers().fit(&population)?;
//! let best = population.get("C9").unwrap();
//! assert_eq!(model.composite(best), Some(dec!(0.54))); // 0.60 × 9/10 strictly worse
//! let mut labels = Vec::new();
//! model.classify_into(best, &mut labels);
//! assert_eq!(labels[0].as_cell(), "vip");
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::criterion::{Criterion, Quantity, Rule, Words};
use super::explain::{CompositeTerm, Weight};
use super::order::select;
use super::pareto::{Band, cumulative, threshold_positions, validate_bands};
use super::{Classifier, Column, Explanation, Label, Model, Reads, Reason, Unscored};
use crate::error::{ConfigError, Error};
use crate::profile::{Direction, Metric, Population, Profile};
use crate::wide::{U256, parts, pow10, ratio_to_decimal};

/// One metric of the composite and its weight.
///
/// # Example
/// ```
/// use customer_tiering::classify::composite::Input;
/// use customer_tiering::Metric;
/// use rust_decimal::dec;
/// let json = r#"{"metric": "profit", "weight": "0.25", "moves_to": "monetary"}"#;
/// let profit: Input = serde_json::from_str(json)?;
/// assert_eq!((profit.metric, profit.weight), (Metric::Profit, dec!(0.25)));
/// assert_eq!(profit.moves_to, Some(Metric::Monetary)); // when no buyer has a profit
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The metric.
    pub metric: Metric,
    /// Its weight (a decimal; the weights need not sum to 1).
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    /// Where the weight goes when no buyer has this metric.
    #[serde(default)]
    pub moves_to: Option<Metric>,
}

/// Composite settings: column, inputs, bands (best first) and the label of customers
/// without purchases.
///
/// # Example
/// ```
/// # use customer_tiering::classify::{Classifier as _, Model as _};
/// use customer_tiering::classify::composite::CompositeParams;
/// let tiers = CompositeParams::value_tiers();
/// assert_eq!(tiers.get_column(), "value_tier");
/// assert!(tiers.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeParams {
    column: SmolStr,
    inputs: Vec<Input>,
    bands: Vec<Band>,
    #[serde(default)]
    non_buyers: Option<SmolStr>,
}

impl CompositeParams {
    /// The `value-tiers` preset ([composite value
    /// tiers](crate::definitions#composite-value-tiers)): monetary 0.35, frequency 0.20,
    /// distinct products 0.10, profit 0.25, growth 0.10; VIP 2 %, A 8 %, B 20 %, C 30 %, D
    /// 40 %; customers without purchases `d`.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 0..10 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # use customer_tiering::attributes::Attributes;
    /// # let prospect = (CustomerId::new("P").unwrap(), Attributes::default());
    /// # let population = b.finish_with([prospect])?;
    /// use customer_tiering::classify::{composite::CompositeParams, Classifier, Model};
    /// let tiers = CompositeParams::value_tiers();
    /// let names: Vec<&str> = tiers.get_bands().iter().map(|b| b.name.as_str()).collect();
    /// assert_eq!(names, ["vip", "a", "b", "c", "d"]);
    /// let model = tiers.fit(&population)?;
    /// let mut labels = Vec::new();
    /// model.classify_into(population.get("P").unwrap(), &mut labels); // P never bought
    /// assert_eq!(labels[0].as_cell(), "d");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn value_tiers() -> Self {
        let input = |metric, weight, moves_to| Input {
            metric,
            weight: Decimal::new(weight, 2),
            moves_to,
        };
        let band = |name, pct| Band::new(name, Decimal::new(pct, 2));
        CompositeParams {
            column: SmolStr::new_static("value_tier"),
            inputs: vec![
                input(Metric::Monetary, 35, None),
                input(Metric::Frequency, 20, None),
                input(Metric::DistinctProducts, 10, Some(Metric::Frequency)),
                input(Metric::Profit, 25, Some(Metric::Monetary)),
                input(Metric::Growth, 10, None),
            ],
            bands: vec![
                band("vip", 2),
                band("a", 8),
                band("b", 20),
                band("c", 30),
                band("d", 40),
            ],
            non_buyers: Some(SmolStr::new_static("d")),
        }
    }

    /// The output column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::composite::CompositeParams;
    /// assert_eq!(CompositeParams::value_tiers().get_column(), "value_tier");
    /// ```
    pub fn get_column(&self) -> &str {
        &self.column
    }

    /// The bands, best first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::composite::CompositeParams;
    /// use rust_decimal::{dec, Decimal};
    /// let tiers = CompositeParams::value_tiers();
    /// let shares: Vec<Decimal> = tiers.get_bands().iter().map(|b| b.share).collect();
    /// assert_eq!(shares, [dec!(0.02), dec!(0.08), dec!(0.20), dec!(0.30), dec!(0.40)]);
    /// ```
    pub fn get_bands(&self) -> &[Band] {
        &self.bands
    }
}

/// One input's fit distribution: distinct values worst first, with the number of fit
/// values strictly worse than each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Distribution {
    metric: Metric,
    /// The effective weight's mantissa at the model's common scale.
    #[serde(with = "u128_string")]
    weight: u128,
    #[serde(with = "super::quantile::decimal_vec")]
    values: Vec<Decimal>,
    worse: Vec<u64>,
    n: u64,
}

impl Distribution {
    /// `L`: fit values strictly worse than `x`.
    fn worse_than(&self, x: &Decimal, direction: Direction) -> u64 {
        let i = self.values.partition_point(|v| direction.is_better(x, v));
        match self.worse.get(i) {
            Some(w) => *w,
            None => self.n,
        }
    }
}

impl Classifier for CompositeParams {
    type Model = CompositeModel;

    const KIND: &'static str = "composite";

    fn columns(&self) -> Vec<Column> {
        vec![super::band::column(&self.column, &self.bands)]
    }

    fn reads(&self) -> Reads {
        let mut reads = Reads::nothing();
        for input in &self.inputs {
            reads.add_metric(input.metric);
            if let Some(metric) = input.moves_to {
                reads.add_metric(metric);
            }
        }
        reads
    }

    /// Checks the settings.
    ///
    /// # Errors
    /// [`ConfigError`] for bad bands, no inputs, a metric given twice, a negative
    /// weight, a weight moving to a metric that is not an input, or a non-buyer label
    /// that is not a band.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::composite::CompositeParams;
    /// let params: CompositeParams = serde_json::from_str(r#"{
    ///     "column": "score",
    ///     "inputs": [{"metric": "profit", "weight": "1", "moves_to": "recency_days"}],
    ///     "bands": [{"name": "top", "share": "0.5"}, {"name": "rest", "share": "0.5"}]
    /// }"#)?;
    /// let err = params.validate().unwrap_err().to_string();
    /// assert!(err.ends_with("profit's weight moves to recency_days, which is not an input"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        validate_bands(&self.bands)?;
        let fail = |reason: String| ConfigError::Settings {
            kind: Self::KIND,
            column: self.column.to_string(),
            reason,
        };
        if self.inputs.is_empty() {
            return Err(fail("no inputs".into()));
        }
        for (i, input) in self.inputs.iter().enumerate() {
            if self.inputs[..i].iter().any(|o| o.metric == input.metric) {
                return Err(fail(format!("{} is an input twice", input.metric)));
            }
            if input.weight < Decimal::ZERO || input.weight.scale() > 10 {
                return Err(fail(format!(
                    "the weight of {} must be a non-negative decimal with at most 10 decimals",
                    input.metric
                )));
            }
            if let Some(to) = input.moves_to
                && !self.inputs.iter().any(|o| o.metric == to)
            {
                return Err(fail(format!(
                    "{}'s weight moves to {to}, which is not an input",
                    input.metric
                )));
            }
        }
        if let Some(label) = &self.non_buyers
            && !self.bands.iter().any(|b| &b.name == label)
        {
            return Err(fail(format!("non_buyers label {label:?} is not a band")));
        }
        Ok(())
    }

    fn fit(&self, population: &Population) -> Result<CompositeModel, Error> {
        self.validate()?;
        if !population.has_buyers() {
            return Err(Error::EmptyPopulation {
                as_of: population.as_of(),
            });
        }
        let scale = self
            .inputs
            .iter()
            .map(|i| i.weight.scale())
            .max()
            .unwrap_or(0);
        let range = |what: &str| self.range_error(what);
        // The weights' mantissas at the common scale (≤ 10 decimals, validated), moved
        // in integers: a moved weight must not be rounded or overflow either.
        let mut weights: Vec<u128> = self
            .inputs
            .iter()
            .map(|i| {
                let (mantissa, own) = parts(i.weight);
                mantissa.checked_mul(pow10(scale - own)?)
            })
            .collect::<Option<_>>()
            .ok_or_else(|| range("the weights at a common scale"))?;
        let mut per_input: Vec<Vec<Decimal>> = self
            .inputs
            .iter()
            .map(|i| {
                let customers = population.columns();
                (0..customers.len())
                    .filter(|&c| customers.is_buyer(c))
                    .filter_map(|c| customers.metric(c, i.metric))
                    .collect()
            })
            .collect();
        for (i, input) in self.inputs.iter().enumerate() {
            if per_input[i].is_empty()
                && let Some(to) = input.moves_to
            {
                let target = self
                    .inputs
                    .iter()
                    .position(|o| o.metric == to)
                    .expect("validated");
                let moved = std::mem::take(&mut weights[i]);
                weights[target] = weights[target]
                    .checked_add(moved)
                    .ok_or_else(|| range("the moved weights"))?;
            }
        }
        let mut distributions = Vec::with_capacity(self.inputs.len());
        for (i, input) in self.inputs.iter().enumerate() {
            let direction = input.metric.default_direction();
            let values = &mut per_input[i];
            values.sort_unstable_by(|a, b| direction.worst_first(a, b));
            let n = values.len() as u64;
            let (mut distinct, mut worse) = (Vec::new(), Vec::new());
            for (position, group) in values.chunk_by(|a, b| a == b).scan(0u64, |seen, g| {
                let at = *seen;
                *seen += g.len() as u64;
                Some((at, g))
            }) {
                distinct.push(group[0]);
                worse.push(position);
            }
            distributions.push(Distribution {
                metric: input.metric,
                weight: weights[i],
                values: distinct,
                worse,
                n,
            });
        }
        let denominator = denominator(&distributions)
            .ok_or_else(|| range(&counts_text("the common denominator", &distributions)))?;
        largest_key(&distributions, denominator).ok_or_else(|| {
            range(&counts_text(
                "the common denominator times the weights",
                &distributions,
            ))
        })?;
        let mut model = CompositeModel {
            params: self.clone(),
            fit_size: population.buyer_count(),
            scale,
            denominator,
            distributions,
            thresholds: Vec::new(),
            sizes: vec![0; self.bands.len()],
        };
        let mut keys: Vec<u128> = Vec::with_capacity(model.fit_size);
        for p in population.each_buyer() {
            // Below the largest key checked above, so never none.
            keys.push(model.key(&p).ok_or_else(|| range("a composite"))?);
        }
        let positions = threshold_positions(&cumulative(&self.bands), keys.len());
        // Position m best first (largest first) is rank n − m ascending: selected, not
        // sorted.
        let n = keys.len();
        let ranks: Vec<usize> = positions.iter().rev().map(|&m| n - m).collect();
        let mut thresholds: Vec<u128> = select(&keys, &ranks).iter().map(|s| s.key).collect();
        thresholds.reverse();
        model.thresholds = thresholds;
        for key in &keys {
            let band = model.band_of_key(*key);
            model.sizes[band] += 1;
        }
        Ok(model)
    }
}

impl CompositeParams {
    /// The error for inputs whose exact composite does not fit 128 bits.
    fn range_error(&self, what: &str) -> ConfigError {
        ConfigError::Settings {
            kind: Self::KIND,
            column: self.column.to_string(),
            reason: format!(
                "{what}: more than 128 bits, so the composite cannot be \
                 kept exact; use fewer inputs or weights with fewer decimals"
            ),
        }
    }
}

/// `what (the counts n_i)` for an error message.
fn counts_text(what: &str, distributions: &[Distribution]) -> String {
    let counts: Vec<String> = distributions
        .iter()
        .filter(|d| d.n > 0)
        .map(|d| format!("{} {}", d.metric, d.n))
        .collect();
    format!("{what} (buyers per input: {})", counts.join(", "))
}

/// `D`: the least common multiple of the inputs' counts (those with any buyer); none
/// past 128 bits.
fn denominator(distributions: &[Distribution]) -> Option<u128> {
    distributions
        .iter()
        .filter(|d| d.n > 0)
        .try_fold(1u128, |acc, d| lcm(acc, u128::from(d.n)))
}

/// The largest key any profile can have, `D · Σ w_i` over the inputs with buyers (a new
/// customer better than every fit value has `L_i = n_i`); none past 128 bits.
fn largest_key(distributions: &[Distribution], denominator: u128) -> Option<u128> {
    distributions
        .iter()
        .filter(|d| d.n > 0)
        .try_fold(0u128, |acc, d| acc.checked_add(d.weight))?
        .checked_mul(denominator)
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Checked: none past 128 bits (both arguments positive).
fn lcm(a: u128, b: u128) -> Option<u128> {
    (a / gcd(a, b)).checked_mul(b)
}

/// A fitted composite model: each input's distribution and the band thresholds on the
/// exact composite.
///
/// # Example
/// ```
/// # use customer_tiering::{PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 0..10 {
/// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = b.finish()?;
/// use customer_tiering::classify::{composite::CompositeParams, Classifier, Model};
/// use customer_tiering::{CustomerId, Profile};
/// use rust_decimal::dec;
/// // ten buyers who spent 0 to 9, once each
/// let model = CompositeParams::value_tiers().fit(&population)?;
/// // a new customer is ranked against the saved distributions, without refitting
/// let mut newcomer = Profile::without_purchases(CustomerId::new("N1").unwrap());
/// (newcomer.frequency, newcomer.monetary) = (1, dec!(8.5));
/// assert_eq!(model.composite(&newcomer), Some(dec!(0.54))); // 9 of 10 spent less
/// let mut labels = Vec::new();
/// model.classify_into(&newcomer, &mut labels);
/// assert_eq!(labels[0].as_cell(), "vip");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SavedModel")]
pub struct CompositeModel {
    params: CompositeParams,
    fit_size: usize,
    /// The common scale `s` of the weights.
    scale: u32,
    /// `D`, the least common multiple of the inputs' `n` (saved as a decimal string:
    /// it passes 64 bits with a few tens of thousands of buyers).
    #[serde(serialize_with = "u128_string::serialize")]
    denominator: u128,
    distributions: Vec<Distribution>,
    /// Best-first thresholds on `composite · D · 10^s`.
    #[serde(serialize_with = "u128_strings::serialize")]
    thresholds: Vec<u128>,
    sizes: Vec<usize>,
}

impl CompositeModel {
    /// `composite · D · 10^s` of a buyer, exactly; none past 128 bits, which a fitted or
    /// validated model rules out (its largest key fits).
    fn key(&self, profile: &Profile) -> Option<u128> {
        self.distributions.iter().try_fold(0u128, |acc, d| {
            let Some(value) = profile.metric(d.metric) else {
                return Some(acc);
            };
            if d.n == 0 {
                return Some(acc);
            }
            let worse = d.worse_than(&value, d.metric.default_direction());
            let term = d
                .weight
                .checked_mul(u128::from(worse))?
                .checked_mul(self.denominator / u128::from(d.n))?;
            acc.checked_add(term)
        })
    }

    /// A threshold key as a composite rounded down to 6 decimals: `key / (D · 10^s)`.
    fn floor_6(&self, key: u128) -> Option<Decimal> {
        let denominator = U256::mul(self.denominator, pow10(self.scale)?);
        let (quotient, _) = U256::from_u128(key)
            .checked_mul(pow10(6)?)?
            .div_rem(denominator)?;
        let mantissa = i128::try_from(quotient.to_u128()?).ok()?;
        Decimal::try_from_i128_with_scale(mantissa, 6)
            .ok()
            .map(|d| d.normalize())
    }

    fn band_of_key(&self, key: u128) -> usize {
        self.thresholds
            .iter()
            .position(|t| key >= *t)
            .unwrap_or(self.params.bands.len() - 1)
    }

    /// The composite of a profile as a decimal rounded to 6 places (for people; bands
    /// use the exact fraction).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..8 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::{composite::CompositeParams, Classifier};
    /// use rust_decimal::dec;
    /// // seven buyers who spent 1 to 7, once each: monetary carries 0.60 of the weight
    /// let model = CompositeParams::value_tiers().fit(&population)?;
    /// let best = population.get("C7").unwrap();
    /// assert_eq!(model.composite(best), Some(dec!(0.514286))); // 0.60 × 6/7, rounded for people
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn composite(&self, profile: &Profile) -> Option<Decimal> {
        let key = self.key(profile)?;
        // key / (D · 10^s), half away from zero as every figure for people (see
        // `definitions`, summary figures), in integers: D · 10^s can pass the decimal
        // range.
        let denominator = U256::mul(self.denominator, pow10(self.scale)?);
        ratio_to_decimal(false, U256::from_u128(key), denominator, 6).map(|c| c.normalize())
    }

    /// Customers per band on the fit population.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{composite::CompositeParams, Classifier};
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// for i in 0..100 {
    ///     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    ///     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// }
    /// let model = CompositeParams::value_tiers().fit(&b.finish()?)?;
    /// assert_eq!(model.sizes(), [2, 8, 20, 30, 40]); // vip 2 %, a 8 % … of 100 distinct buyers
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    fn band(&self, profile: &Profile) -> Result<usize, Unscored> {
        if !profile.is_buyer() {
            return match &self.params.non_buyers {
                Some(label) => Ok(self
                    .params
                    .bands
                    .iter()
                    .position(|b| &b.name == label)
                    .unwrap_or(self.params.bands.len() - 1)),
                None => Err(Unscored::NoPurchases),
            };
        }
        self.key(profile)
            .map(|k| self.band_of_key(k))
            .ok_or(Unscored::MissingMetric)
    }
}

impl Model for CompositeModel {
    type Params = CompositeParams;

    /// The settings it was fitted with.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 0..10 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::{composite::CompositeParams, Classifier};
    /// let model = CompositeParams::value_tiers().fit(&population)?;
    /// assert_eq!(model.params(), &CompositeParams::value_tiers());
    /// assert_eq!(model.params().get_column(), "value_tier");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn params(&self) -> &CompositeParams {
        &self.params
    }

    /// Checks a loaded model.
    ///
    /// # Errors
    /// [`ConfigError`] for invalid settings or an inconsistent fit.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 0..10 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::composite::{CompositeModel, CompositeParams};
    /// use customer_tiering::classify::Classifier;
    /// let model = CompositeParams::value_tiers().fit(&population)?;
    /// assert_eq!(model.validate(), Ok(()));
    /// // a saved model edited by hand: one band size for five bands
    /// let mut json = serde_json::to_value(&model)?;
    /// json["sizes"] = serde_json::json!([10]);
    /// let edited: CompositeModel = serde_json::from_value(json)?;
    /// assert_eq!(
    ///     edited.validate().unwrap_err().to_string(),
    ///     "pipeline: composite model \"value_tier\": thresholds or sizes do not match the bands"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()?;
        let fail = |reason: &str| ConfigError::Model {
            kind: CompositeParams::KIND,
            column: self.params.column.to_string(),
            reason: reason.to_string(),
        };
        if self.thresholds.len() != self.params.bands.len() - 1
            || self.sizes.len() != self.params.bands.len()
        {
            return Err(fail("thresholds or sizes do not match the bands"));
        }
        if self.thresholds.windows(2).any(|w| w[0] < w[1]) {
            return Err(fail("thresholds are not ordered best first"));
        }
        if self.distributions.len() != self.params.inputs.len()
            || self
                .distributions
                .iter()
                .zip(&self.params.inputs)
                .any(|(d, i)| d.metric != i.metric)
        {
            return Err(fail("distributions do not match the inputs"));
        }
        let scale = self.params.inputs.iter().map(|i| i.weight.scale()).max();
        if Some(self.scale) != scale {
            return Err(fail("the scale is not the weights' largest"));
        }
        for d in &self.distributions {
            let direction = d.metric.default_direction();
            if d.values.len() != d.worse.len()
                || d.worse.windows(2).any(|w| w[0] >= w[1])
                || d.values
                    .windows(2)
                    .any(|w| !direction.is_better(&w[1], &w[0]))
            {
                return Err(fail("a distribution is not ordered"));
            }
            if d.worse.first().is_some_and(|w| *w != 0) || d.worse.last().is_some_and(|w| *w >= d.n)
            {
                return Err(fail("a distribution's counts do not match its size"));
            }
        }
        match denominator(&self.distributions) {
            Some(d) if d == self.denominator => {}
            Some(d) => {
                return Err(fail(&format!(
                    "the denominator {} is not {d}, the least common multiple of the \
                     inputs' counts (earlier versions let it wrap past 64 bits); refit it",
                    self.denominator
                )));
            }
            None => {
                return Err(self
                    .params
                    .range_error(&counts_text("the common denominator", &self.distributions)));
            }
        }
        if largest_key(&self.distributions, self.denominator).is_none() {
            return Err(self.params.range_error(&counts_text(
                "the common denominator times the weights",
                &self.distributions,
            )));
        }
        Ok(())
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(match self.band(profile) {
            Ok(band) => Label::Name(self.params.bands[band].name.clone()),
            Err(why) => Label::Unscored(why),
        });
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let column = self.params.column.as_str();
        let band = match self.band(profile) {
            Ok(band) => band,
            Err(why) => return vec![Explanation::unscored(column, why)],
        };
        let label = Label::Name(self.params.bands[band].name.clone());
        if !profile.is_buyer() {
            return vec![Explanation::new(column, label, Reason::NoPurchase)];
        }
        let terms = self
            .distributions
            .iter()
            .filter(|d| d.weight != 0)
            .map(|d| {
                let worse = profile
                    .metric(d.metric)
                    .filter(|_| d.n > 0)
                    .map(|v| d.worse_than(&v, d.metric.default_direction()));
                CompositeTerm::new(d.metric, Weight::new(d.weight, self.scale), worse, d.n)
            })
            .collect();
        let reason = Reason::Composite {
            composite: self.composite(profile),
            terms,
            bands: self.params.bands.clone(),
            fit_size: self.fit_size,
        };
        vec![Explanation::new(column, label, reason)]
    }

    /// Per band, `composite ≥` its threshold rounded down to 6 decimals (or why the
    /// band is empty); the last band takes the rest.
    fn criteria(&self) -> Vec<Criterion> {
        let bands = &self.params.bands;
        let last = bands.len() - 1;
        bands
            .iter()
            .enumerate()
            .map(|(b, band)| {
                let range = match self.thresholds.get(b).filter(|_| b < last) {
                    Some(&key) => Rule::at_least(Quantity::Composite, self.floor_6(key)),
                    None => Rule::Condition {
                        text: Words {
                            en: "composite below the threshold of the band above".into(),
                            zh_hant: "綜合價值分數低於上一級門檻".into(),
                            zh_hans: "综合价值分数低于上一级门槛".into(),
                        },
                    },
                };
                Criterion {
                    column: self.params.column.to_string(),
                    label: band.name.to_string(),
                    rule: range.or_empty(self.sizes.get(b)),
                }
            })
            .collect()
    }

    /// No policy of this model fills a missing value.
    fn reports_missing(&self) -> bool {
        false
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }
}

/// A model as saved: the same fields, with the denominator in any form a JSON file may
/// hold it (see [`Stored`]).
#[derive(Deserialize)]
struct SavedModel {
    params: CompositeParams,
    fit_size: usize,
    scale: u32,
    denominator: Stored,
    distributions: Vec<Distribution>,
    #[serde(deserialize_with = "u128_strings::deserialize")]
    thresholds: Vec<u128>,
    sizes: Vec<usize>,
}

/// The denominator as a file holds it: a string (what this version writes), a JSON
/// integer up to 64 bits (what earlier versions wrote), or a larger JSON number, which
/// JSON readers (serde's buffering of tagged enums included) only see as a float.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stored {
    Exact(u128),
    Float(f64),
}

impl<'de> Deserialize<'de> for Stored {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Stored;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number, or one as a decimal string")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Stored, E> {
                Ok(Stored::Exact(v.into()))
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Stored, E> {
                Ok(Stored::Exact(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Stored, E> {
                u128::try_from(v)
                    .map(Stored::Exact)
                    .map_err(|_| E::custom(format!("a negative denominator {v}")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Stored, E> {
                Ok(Stored::Float(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Stored, E> {
                v.parse().map(Stored::Exact).map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl TryFrom<SavedModel> for CompositeModel {
    type Error = String;

    /// The denominator is the least common multiple of the saved counts, so a float
    /// stands for it exactly when it is that number as a JSON reader rounds it.
    /// Everything else is checked by [`CompositeModel::validate`] when a pipeline loads.
    fn try_from(saved: SavedModel) -> Result<Self, String> {
        let denominator = match saved.denominator {
            Stored::Exact(d) => d,
            Stored::Float(f) => match denominator(&saved.distributions) {
                // A JSON reader rounds a long integer to a nearby float (serde_json's
                // fast path may miss the nearest by an ulp or two): accept a few ulps.
                Some(d) if (f - d as f64).abs() <= d as f64 * 4.0 * f64::EPSILON => d,
                _ => {
                    return Err(format!(
                        "composite model {:?}: the denominator {f} is not the least common \
                         multiple of the inputs' counts; write it as a decimal string",
                        saved.params.column
                    ));
                }
            },
        };
        Ok(CompositeModel {
            params: saved.params,
            fit_size: saved.fit_size,
            scale: saved.scale,
            denominator,
            distributions: saved.distributions,
            thresholds: saved.thresholds,
            sizes: saved.sizes,
        })
    }
}

/// One `u128` as a decimal string (serde cannot buffer a 128-bit integer inside a
/// tagged enum, and JSON numbers lose precision past 2^53 in many readers).
mod u128_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// `u128`s as decimal strings, as [`u128_string`].
mod u128_strings {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(values: &[u128], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(ToString::to_string))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u128>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CustomerId, PopulationBuilder, Transaction};
    use jiff::civil::date;

    fn population(n: i64) -> Population {
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for i in 0..n {
            let id = CustomerId::new(&format!("C{i:03}")).unwrap();
            b.add(Transaction::new(id, date(2026, 1, 1), Decimal::from(i)))
                .unwrap();
        }
        b.finish().unwrap()
    }

    #[test]
    fn missing_profit_and_products_move_their_weights() {
        // Only monetary and frequency exist: weights 0.60 and 0.30; growth 0.10 has no
        // buyer either (no previous window), so composite = 0.60·L_m/n + 0.30·L_f/n.
        let pop = population(100);
        let model = CompositeParams::value_tiers().fit(&pop).unwrap();
        let weights: Vec<(Metric, u128)> = model
            .distributions
            .iter()
            .map(|d| (d.metric, d.weight))
            .collect();
        assert_eq!(weights[0], (Metric::Monetary, 60));
        assert_eq!(weights[1], (Metric::Frequency, 30));
        assert_eq!((weights[2].1, weights[3].1, weights[4].1), (0, 0, 10));
        // Distinct monetary, all frequency 1: bands follow the monetary order exactly.
        assert_eq!(model.sizes(), [2, 8, 20, 30, 40]);
        let best = pop.get("C099").unwrap();
        assert_eq!(model.composite(best), Some(Decimal::new(594, 3))); // 0.60 · 99/100
    }

    #[test]
    fn non_buyers_get_d_and_model_round_trips() {
        let mut profiles = population(10).profiles().to_vec();
        profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
        let pop = Population::new(date(2026, 3, 31), profiles).unwrap();
        let model = CompositeParams::value_tiers().fit(&pop).unwrap();
        let mut out = Vec::new();
        model.classify_into(pop.get("P").unwrap(), &mut out);
        assert_eq!(out, [Label::Name("d".into())]);
        let json = serde_json::to_string(&model).unwrap();
        let back: CompositeModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, model);
        back.validate().unwrap();
        let explained = model.explain(pop.get("C009").unwrap())[0].to_string();
        assert!(
            explained.starts_with("value_tier = vip: composite 0.54 = monetary 0.6 × 9/10"),
            "{explained:?}"
        );
    }

    /// 70 001 buyers spending 0 … 70 000 (ids `Z000000` …): 70 000 with products (all one
    /// product), 69 999 with a profit, 69 997 with a growth, each equal to the index, so
    /// the composite grows with the index. The four counts are pairwise coprime: `D` is
    /// 24 008 970 995 100 210 000, past 64 bits (as the oracle's `gen-lcm`).
    fn coprime_counts() -> Population {
        let profiles = (0..=70_000u64)
            .map(|i| {
                let mut p =
                    Profile::without_purchases(CustomerId::new(&format!("Z{i:06}")).unwrap());
                (p.frequency, p.transactions, p.monetary) = (1, 1, Decimal::from(i));
                (p.recency_days, p.tenure_days) = (Some(1), Some(1));
                p.distinct_products = (i >= 1).then_some(1);
                p.profit = (i >= 2).then(|| Decimal::from(i));
                p.growth = (i >= 4).then(|| Decimal::from(i));
                p
            })
            .collect();
        Population::new(date(2026, 6, 30), profiles).unwrap()
    }

    #[test]
    fn a_denominator_past_64_bits_is_exact_and_its_model_loads_back() {
        let population = coprime_counts();
        let model = CompositeParams::value_tiers().fit(&population).unwrap();
        assert_eq!(model.denominator, 24_008_970_995_100_210_000);
        assert!(model.denominator > u128::from(u64::MAX));
        // Distinct composites: 2 % of 70 001 is 1 401 customers, 10 % is 7 001 …
        assert_eq!(model.sizes(), [1401, 5600, 14000, 21000, 28000]);
        let band = |i: usize| {
            let mut out = Vec::new();
            model.classify_into(&population.profiles()[i], &mut out);
            out[0].as_cell().into_owned()
        };
        for (i, want) in [(70_000, "vip"), (68_600, "vip"), (68_599, "a"), (0, "d")] {
            assert_eq!(band(i), want, "Z{i:06}");
        }
        // 0.35 · 70000/70001 + 0.25 · 69998/69999 + 0.10 · 69996/69997 = 0.6999899…
        let best = &population.profiles()[70_000];
        assert_eq!(model.key(best), Some(1_680_603_960_588_013_300_000));
        assert_eq!(model.composite(best), Some(Decimal::new(699_990, 6)));
        // Saved and loaded through a pipeline (a tagged enum, buffered by serde): the
        // denominator is a string, and the model is the same.
        let pipeline = crate::PipelineBuilder::new()
            .classifier(CompositeParams::value_tiers())
            .build()
            .unwrap();
        let fitted = pipeline.fit(&population).unwrap();
        let json = fitted.to_json().unwrap();
        assert!(json.contains(r#""denominator": "24008970995100210000""#));
        let back = crate::FittedPipeline::from_json("model.json", &json).unwrap();
        assert_eq!(back, fitted);
        // A JSON number past 64 bits reaches serde as a float: it loads when it is the
        // least common multiple of the counts as JSON rounds it, and is refused otherwise.
        let number = json.replace(
            r#""denominator": "24008970995100210000""#,
            r#""denominator": 24008970995100210000"#,
        );
        assert_eq!(
            crate::FittedPipeline::from_json("model.json", &number).unwrap(),
            fitted
        );
        let wrong = json.replace(
            r#""denominator": "24008970995100210000""#,
            r#""denominator": 24008970995100310000"#,
        );
        let err = crate::FittedPipeline::from_json("model.json", &wrong).unwrap_err();
        assert!(
            err.to_string().contains("is not the least common multiple"),
            "{err}"
        );
        // What an earlier version saved: the 64-bit lcm wrapped. Refused, with the reason.
        let wrapped = json.replace(
            r#""denominator": "24008970995100210000""#,
            r#""denominator": 5562226921390658384"#,
        );
        let err = crate::FittedPipeline::from_json("model.json", &wrapped).unwrap_err();
        assert!(
            err.to_string().contains(
                "the denominator 5562226921390658384 is not 24008970995100210000, the least \
                 common multiple of the inputs' counts"
            ),
            "{err}"
        );
    }

    #[test]
    fn the_presets_composite_is_exact_for_a_billion_buyers() {
        // Every buyer has monetary and frequency, so at most four counts differ; even
        // pairwise near-coprime counts of a billion keep D · Σ w (Σ w = 100 at scale 2)
        // within 128 bits.
        let inputs = [
            (Metric::Monetary, 35, 1_000_000_000),
            (Metric::Frequency, 20, 1_000_000_000),
            (Metric::DistinctProducts, 10, 999_999_999),
            (Metric::Profit, 25, 999_999_997),
            (Metric::Growth, 10, 999_999_991),
        ];
        let distributions: Vec<Distribution> = inputs
            .iter()
            .map(|&(metric, weight, n)| Distribution {
                metric,
                weight,
                values: Vec::new(),
                worse: Vec::new(),
                n,
            })
            .collect();
        let d = denominator(&distributions).unwrap();
        assert_eq!(d, 999_999_987_000_000_038_999_999_973_000_000_000);
        assert_eq!(largest_key(&distributions, d), Some(100 * d));
    }

    #[test]
    fn models_saved_before_the_denominator_was_a_string_load() {
        // Earlier versions wrote the denominator as a JSON integer and weights and
        // thresholds as strings of i128: the same digits load into today's model.
        let model = CompositeParams::value_tiers()
            .fit(&population(100))
            .unwrap();
        let mut json = serde_json::to_value(&model).unwrap();
        assert_eq!(json["denominator"], "100");
        json["denominator"] = serde_json::json!(100);
        let old: CompositeModel = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(old, model);
        old.validate().unwrap();
        json["denominator"] = serde_json::json!(100.0);
        assert_eq!(
            serde_json::from_value::<CompositeModel>(json.clone()).unwrap(),
            model
        );
        json["denominator"] = serde_json::json!(-100);
        assert!(serde_json::from_value::<CompositeModel>(json).is_err());
    }

    #[test]
    fn inputs_whose_exact_composite_passes_128_bits_are_refused_at_fit_and_on_load() {
        let settings = |weights: [&str; 2]| -> CompositeParams {
            serde_json::from_value(serde_json::json!({
                "column": "score",
                "inputs": [
                    {"metric": "monetary", "weight": weights[0]},
                    {"metric": "profit", "weight": weights[1]}
                ],
                "bands": [{"name": "top", "share": "0.5"}, {"name": "rest", "share": "0.5"}]
            }))
            .unwrap()
        };
        let population = coprime_counts();
        // The weights alone: 7.9·10^28 at 10 decimals is past 2^128.
        let err = settings(["79228162514264337593543950335", "0.0000000001"])
            .fit(&population)
            .map_err(|e| e.to_string());
        assert_eq!(
            err.err().unwrap_or_default(),
            "pipeline: composite \"score\": the weights at a common scale: more than 128 \
             bits, so the composite cannot be kept exact; use fewer inputs or weights with \
             fewer decimals"
        );
        // D = 70001 · 69999 ≈ 4.9·10^9 times 10^19 at 10 decimals: past 2^128.
        let err = settings(["10000000000000000000", "0.0000000001"])
            .fit(&population)
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default();
        assert!(
            err.contains(
                "the common denominator times the weights (buyers per input: monetary \
                 70001, profit 69999): more than 128 bits"
            ),
            "{err}"
        );
        // A saved model edited to such weights is refused when loaded.
        let model = settings(["1", "1"]).fit(&population).unwrap();
        let mut json = serde_json::to_value(&model).unwrap();
        json["distributions"][0]["weight"] = "10000000000000000000000000000000000".into();
        let edited: CompositeModel = serde_json::from_value(json).unwrap();
        assert!(edited.validate().is_err());
    }

    #[test]
    fn validation() {
        let mut p = CompositeParams::value_tiers();
        p.inputs[2].moves_to = Some(Metric::RecencyDays);
        assert!(
            p.validate()
                .unwrap_err()
                .to_string()
                .contains("not an input")
        );
    }
}
