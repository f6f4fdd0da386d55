//! Composite value tiers (PRESETS §1c): a weighted sum of tie-aware percentiles of
//! several metrics, banded by customer share (SPEC §4 count basis on the composite).
//!
//! A metric's percentile is `L/n` (SPEC §3: `L` the buyers with a value strictly worse,
//! `n` the buyers that have the metric). The composite is kept as an exact fraction:
//! with `D` the least common multiple of the `n`s and `s` the largest scale of the
//! weights, `composite · D · 10^s = Σ w_i·10^s · L_i · D/n_i` is an integer, and bands
//! compare those integers. A buyer without a metric has percentile 0 for it. When no
//! buyer has a metric, its weight moves to the metric its settings name.
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

use super::pareto::{Band, cumulative, threshold_positions, validate_bands};
use super::quantile::Direction;
use super::{Classifier, Label, Model, Unscored};
use crate::error::{ConfigError, Error};
use crate::profile::{Metric, Population, Profile};

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
    /// The `value-tiers` preset (PRESETS §1c): monetary 0.35, frequency 0.20, distinct
    /// products 0.10, profit 0.25, growth 0.10; VIP 2 %, A 8 %, B 20 %, C 30 %, D 40 %;
    /// customers without purchases `d`.
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

    /// Checks the settings.
    ///
    /// # Errors
    /// [`ConfigError`] for bad bands, no inputs, a metric given twice, a negative
    /// weight, a weight moving to a metric that is not an input, or a non-buyer label
    /// that is not a band.
    ///
    /// # Example
    /// ```
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
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate_bands(&self.bands)?;
        let fail = |reason: String| ConfigError::Pipeline {
            reason: format!("composite {:?}: {reason}", self.column),
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
}

/// One input's fit distribution: distinct values worst first, with the number of fit
/// values strictly worse than each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Distribution {
    metric: Metric,
    /// The effective weight's mantissa at the model's common scale.
    #[serde(with = "i128_string")]
    weight: i128,
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

    fn fit(&self, population: &Population) -> Result<CompositeModel, Error> {
        self.validate()?;
        if population.buyers().next().is_none() {
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
        let mut weights: Vec<Decimal> = self.inputs.iter().map(|i| i.weight).collect();
        let mut per_input: Vec<Vec<Decimal>> = self
            .inputs
            .iter()
            .map(|i| {
                population
                    .buyers()
                    .filter_map(|p| p.metric(i.metric))
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
                weights[target] += moved;
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
            let mut weight = weights[i];
            weight.rescale(scale);
            distributions.push(Distribution {
                metric: input.metric,
                weight: weight.mantissa(),
                values: distinct,
                worse,
                n,
            });
        }
        let denominator = distributions
            .iter()
            .filter(|d| d.n > 0)
            .fold(1u64, |acc, d| lcm(acc, d.n));
        let mut model = CompositeModel {
            params: self.clone(),
            fit_size: population.buyers().count(),
            scale,
            denominator,
            distributions,
            thresholds: Vec::new(),
            sizes: vec![0; self.bands.len()],
        };
        let mut keys: Vec<i128> = Vec::with_capacity(model.fit_size);
        for p in population.buyers() {
            keys.push(model.key(p).ok_or_else(|| Error::Overflow {
                metric: "composite",
                customer: p.customer_id.to_string(),
            })?);
        }
        let positions = threshold_positions(&cumulative(&self.bands), keys.len());
        let mut sorted = keys.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        model.thresholds = positions.iter().map(|&m| sorted[m - 1]).collect();
        for key in &keys {
            let band = model.band_of_key(*key);
            model.sizes[band] += 1;
        }
        Ok(model)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
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
pub struct CompositeModel {
    params: CompositeParams,
    fit_size: usize,
    /// The common scale `s` of the weights.
    scale: u32,
    /// `D`, the least common multiple of the inputs' `n`.
    denominator: u64,
    distributions: Vec<Distribution>,
    /// Best-first thresholds on `composite · D · 10^s`.
    #[serde(with = "i128_strings")]
    thresholds: Vec<i128>,
    sizes: Vec<usize>,
}

impl CompositeModel {
    /// `composite · D · 10^s` of a buyer, exactly; none on overflow.
    fn key(&self, profile: &Profile) -> Option<i128> {
        self.distributions.iter().try_fold(0i128, |acc, d| {
            let Some(value) = profile.metric(d.metric) else {
                return Some(acc);
            };
            if d.n == 0 {
                return Some(acc);
            }
            let worse = d.worse_than(&value, d.metric.default_direction());
            let term = d
                .weight
                .checked_mul(i128::from(worse))?
                .checked_mul(i128::from(self.denominator / d.n))?;
            acc.checked_add(term)
        })
    }

    fn band_of_key(&self, key: i128) -> usize {
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
        let denominator = Decimal::from(self.denominator) * Decimal::from(10u64.pow(self.scale));
        let composite = Decimal::from_i128_with_scale(key, 0) / denominator;
        // half away from zero, as every figure for people (SPEC §15)
        Some(
            composite
                .round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// The settings it was fitted with.
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
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::{composite::CompositeParams, Classifier};
    /// let model = CompositeParams::value_tiers().fit(&population)?;
    /// assert_eq!(model.params(), &CompositeParams::value_tiers());
    /// assert_eq!(model.params().get_column(), "value_tier");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn params(&self) -> &CompositeParams {
        &self.params
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

    /// Checks a loaded model.
    ///
    /// # Errors
    /// [`ConfigError`] for invalid settings or an inconsistent fit.
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
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()?;
        let fail = |reason: &str| ConfigError::Pipeline {
            reason: format!("composite model {:?}: {reason}", self.params.column),
        };
        if self.thresholds.len() != self.params.bands.len() - 1
            || self.sizes.len() != self.params.bands.len()
        {
            return Err(fail("thresholds or sizes do not match the bands"));
        }
        if self.thresholds.windows(2).any(|w| w[0] < w[1]) {
            return Err(fail("thresholds are not ordered best first"));
        }
        if self.denominator == 0 || self.distributions.len() != self.params.inputs.len() {
            return Err(fail("distributions do not match the inputs"));
        }
        for d in &self.distributions {
            if d.values.len() != d.worse.len() || d.worse.windows(2).any(|w| w[0] >= w[1]) {
                return Err(fail("a distribution is not ordered"));
            }
            if d.n > 0 && !self.denominator.is_multiple_of(d.n) {
                return Err(fail(
                    "the denominator is not a multiple of every input's count",
                ));
            }
        }
        Ok(())
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
    fn columns(&self) -> Vec<String> {
        vec![self.params.column.to_string()]
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(match self.band(profile) {
            Ok(band) => Label::Name(self.params.bands[band].name.clone()),
            Err(why) => Label::Unscored(why),
        });
    }

    fn explain(&self, profile: &Profile) -> Vec<String> {
        let column = &self.params.column;
        let band = match self.band(profile) {
            Ok(band) => band,
            Err(why) => return vec![format!("{column} unscored: {why}")],
        };
        let label = &self.params.bands[band].name;
        if !profile.is_buyer() {
            return vec![format!("{column} = {label}: no purchase")];
        }
        let parts: Vec<String> = self
            .distributions
            .iter()
            .filter(|d| d.weight != 0)
            .map(|d| {
                let weight = Decimal::from_i128_with_scale(d.weight, self.scale).normalize();
                match profile.metric(d.metric).filter(|_| d.n > 0) {
                    Some(v) => {
                        let worse = d.worse_than(&v, d.metric.default_direction());
                        format!("{} {weight} × {worse}/{}", d.metric, d.n)
                    }
                    None => format!("{} {weight} × 0 (no value)", d.metric),
                }
            })
            .collect();
        vec![format!(
            "{column} = {label}: composite {} = {} ({}; fitted on {} buyers)",
            self.composite(profile)
                .map_or("?".into(), |c| c.to_string()),
            parts.join(" + "),
            Shares(&self.params.bands),
            self.fit_size
        )]
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }
}

struct Shares<'a>(&'a [Band]);

impl fmt::Display for Shares<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|b| {
                format!(
                    "{} {} %",
                    b.name,
                    (b.share * Decimal::ONE_HUNDRED).normalize()
                )
            })
            .collect();
        f.write_str(&parts.join(" / "))
    }
}

/// One `i128` as a decimal string (serde cannot buffer an `i128` inside a tagged enum).
mod i128_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// `i128` as decimal strings (JSON numbers lose precision past 2^53 in many readers).
mod i128_strings {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(values: &[i128], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(ToString::to_string))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i128>, D::Error> {
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
        let weights: Vec<(Metric, i128)> = model
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
        assert!(
            model.explain(pop.get("C009").unwrap())[0]
                .starts_with("value_tier = vip: composite 0.54 = monetary 0.6 × 9/10")
        );
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
