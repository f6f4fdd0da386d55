//! Hysteresis (SPEC §13): keep a customer from flipping back and forth across a cut
//! point between periods of refitted, relative tiers.
//!
//! A margin `h` (a share, `0 ≤ h < 1`). A customer's position is the share of the
//! population strictly worse (quantile scores, `L/n`) or strictly better (Pareto bands,
//! `p/n`). A customer with a previous label whose raw label differs is classified as if
//! its position were shifted by `h` toward its previous label, and the result is then
//! clamped between its raw and its previous label, both included. Customers without a
//! previous label keep the raw one. Everything is exact: `h` is a decimal and positions
//! are compared as fractions.
//!
//! It applies to tie-aware RFM scores and count-basis Pareto bands. The columns that
//! follow from those labels follow the kept ones: the RFM segment of the kept scores, and
//! the tier and tags of the rule sets; other columns keep their raw labels. Equal-count
//! scores are a configuration error (their cut points are not positions).
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::rfm::RfmParams;
//! use customer_tiering::hysteresis::Hysteresis;
//! use customer_tiering::migration::Period;
//! use customer_tiering::PipelineBuilder;
//! use rust_decimal::dec;
//! # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! # use jiff::civil::date;
//! # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
//! # for i in 1..=100i64 {
//! #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
//! #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
//! # }
//! # let population = orders.finish()?;
//! // This quarter C001 … C100 spent 1 … 100; last quarter C060 had m = 4.
//! let q4 = "customer_id,monetary,m\nC060,55,4\n";
//! let previous = Period::from_tiers_csv("q4/tiers.csv", q4.as_bytes())?;
//! let pipeline = PipelineBuilder::new().classifier(RfmParams::default()).build()?;
//! let (fitted, tiering) = pipeline.run(&population)?;
//! assert_eq!(tiering.label("C060", "m").unwrap().to_string(), "3"); // 1 + floor(5 · 59/100)
//!
//! // With h = 0.02 its position 0.59 counts as 0.61: 1 + floor(5 · 0.61) = 4, it stays at 4.
//! let h = Hysteresis::new(dec!(0.02))?;
//! let (kept, held) = h.apply(&fitted, &population, &tiering, &previous)?;
//! assert_eq!(kept.label("C060", "m").unwrap().to_string(), "4");
//! assert_eq!(held[0].to_string(), "m = 4: hysteresis held it back from 3 (previous period 4)");
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use smol_str::SmolStr;

use crate::classify::Label;
use crate::classify::pareto::{Basis, cumulative};
use crate::classify::quantile::{Direction, QuantileMode};
use crate::error::{ConfigError, Error};
use crate::migration::Period;
use crate::money::checked_mul;
use crate::pipeline::{AnyModel, FittedPipeline, Tiering};
use crate::profile::{CustomerId, Metric, Population};

/// A customer whose label hysteresis held back.
///
/// # Example
/// ```
/// # use customer_tiering::classify::pareto::ParetoParams;
/// # use customer_tiering::hysteresis::Hysteresis;
/// # use customer_tiering::migration::Period;
/// # use customer_tiering::PipelineBuilder;
/// # use rust_decimal::dec;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=100i64 {
/// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
/// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = orders.finish()?;
/// # let old = "customer_id,monetary,metal\nC095,95,gold\nC093,93,gold\n";
/// # let previous = Period::from_tiers_csv("q4/tiers.csv", old.as_bytes())?;
/// # let (fitted, tiering) =
/// #     PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// // C001 … C100 spent 1 … 100; last period C095 was gold. Now 5 customers spend more
/// // than C095, and 5 is not below gold's 5 % of 100: raw iron.
/// let h = Hysteresis::new(dec!(0.02))?;
/// let (_, held) = h.apply(&fitted, &population, &tiering, &previous)?;
/// let one = &held[0];
/// assert_eq!((one.customer_id.as_str(), one.column.as_str()), ("C095", "metal"));
/// assert_eq!((one.previous.as_str(), one.raw.as_str()), ("gold", "iron"));
/// assert_eq!(one.label, "gold");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Who.
    pub customer_id: CustomerId,
    /// The column.
    pub column: String,
    /// The label without hysteresis.
    pub raw: String,
    /// The label kept.
    pub label: String,
    /// The previous period's label.
    pub previous: String,
}

impl std::fmt::Display for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} = {}: hysteresis held it back from {} (previous period {})",
            self.column, self.label, self.raw, self.previous
        )
    }
}

/// A validated hysteresis margin.
///
/// # Example
/// ```
/// use customer_tiering::hysteresis::Hysteresis;
/// use rust_decimal::dec;
/// assert!(Hysteresis::new(dec!(0.02)).is_ok());
/// assert!(Hysteresis::new(dec!(1)).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hysteresis {
    margin: Decimal,
}

/// One column hysteresis applies to.
enum Target {
    /// A tie-aware score: `k`, the metric, its direction.
    Score { bins: u8, metric: Metric },
    /// A count-basis band: the cumulative shares, the metric, its direction, the labels.
    Band {
        cumulative: Vec<Decimal>,
        metric: Metric,
        direction: Direction,
        labels: Vec<SmolStr>,
    },
}

impl Hysteresis {
    /// A margin in `0 ≤ h < 1`.
    ///
    /// # Errors
    /// [`ConfigError::Pipeline`] outside that range.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::hysteresis::Hysteresis;
    /// use rust_decimal::{dec, Decimal};
    /// assert!(Hysteresis::new(Decimal::ZERO).is_ok()); // h = 0: every raw label is kept
    /// let err = Hysteresis::new(dec!(1)).unwrap_err();
    /// assert_eq!(err.to_string(), "pipeline: hysteresis must be a share in 0 <= h < 1, got 1");
    /// assert!(Hysteresis::new(dec!(-0.01)).is_err());
    /// ```
    pub fn new(margin: Decimal) -> Result<Self, ConfigError> {
        if margin < Decimal::ZERO || margin >= Decimal::ONE {
            return Err(ConfigError::Pipeline {
                reason: format!("hysteresis must be a share in 0 <= h < 1, got {margin}"),
            });
        }
        Ok(Hysteresis { margin })
    }

    /// The margin.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::hysteresis::Hysteresis;
    /// use rust_decimal::dec;
    /// assert_eq!(Hysteresis::new(dec!(0.02))?.margin(), dec!(0.02));
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn margin(&self) -> Decimal {
        self.margin
    }

    /// Applies the margin to `tiering` (the refitted labels of `population` by
    /// `fitted`) against the `previous` period's labels; returns the labels kept and the
    /// customers held back.
    ///
    /// # Errors
    /// [`ConfigError::Pipeline`] when an RFM model uses equal-count scores;
    /// [`Error::Overflow`] when a shifted position leaves the decimal range.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::hysteresis::Hysteresis;
    /// # use customer_tiering::migration::Period;
    /// # use customer_tiering::PipelineBuilder;
    /// # use rust_decimal::dec;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = orders.finish()?;
    /// # let old = "customer_id,monetary,metal\nC095,95,gold\nC093,93,gold\n";
    /// # let previous = Period::from_tiers_csv("q4/tiers.csv", old.as_bytes())?;
    /// # let (fitted, tiering) =
    /// #     PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// // C001 … C100 spent 1 … 100. Last period C095 and C093 were gold; now 5 and 7
    /// // customers spend more than they do, not below gold's 5 % of 100: both raw iron.
    /// let h = Hysteresis::new(dec!(0.02))?;
    /// let (kept, held) = h.apply(&fitted, &population, &tiering, &previous)?;
    /// // C095: 5 − 0.02 · 100 = 3 < 5, held at gold. C093: 7 − 2 = 5, not < 5, iron.
    /// assert_eq!(kept.label("C095", "metal").unwrap().to_string(), "gold");
    /// assert_eq!(kept.label("C093", "metal").unwrap().to_string(), "iron");
    /// assert_eq!(held.len(), 1);
    ///
    /// // h = 0 holds nobody back: the raw labels.
    /// let zero = Hysteresis::new(dec!(0))?;
    /// let (raw, held) = zero.apply(&fitted, &population, &tiering, &previous)?;
    /// assert_eq!((raw, held.len()), (tiering, 0));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn apply(
        &self,
        fitted: &FittedPipeline,
        population: &Population,
        tiering: &Tiering,
        previous: &Period,
    ) -> Result<(Tiering, Vec<Held>), Error> {
        let mut out = tiering.clone();
        let mut held = Vec::new();
        let mut changed = Vec::new();
        for (column, target) in targets(fitted)? {
            let Some(index) = tiering.columns().iter().position(|c| *c == column) else {
                continue;
            };
            let metric = match &target {
                Target::Score { metric, .. } | Target::Band { metric, .. } => *metric,
            };
            let direction = match &target {
                Target::Score { metric, .. } => metric.default_direction(),
                Target::Band { direction, .. } => *direction,
            };
            // The scored population's values, worst first.
            let mut values: Vec<Decimal> = population
                .buyers()
                .filter_map(|p| p.metric(metric))
                .collect();
            values.sort_unstable_by(|a, b| direction.worst_first(a, b));
            let n = values.len();
            for (row, (profile, (id, labels))) in
                population.profiles().iter().zip(tiering.rows()).enumerate()
            {
                let Some(value) = profile.metric(metric).filter(|_| profile.is_buyer()) else {
                    continue;
                };
                let Some(before) = previous.label(id, &column) else {
                    continue;
                };
                let raw = labels[index].as_cell().into_owned();
                if before == raw {
                    continue;
                }
                let worse = values.partition_point(|v| direction.is_better(&value, v));
                let better = n - values.partition_point(|v| !direction.is_better(v, &value));
                let kept = match &target {
                    Target::Score { bins, .. } => {
                        let (Ok(prev), Label::Score(raw_score)) =
                            (before.parse::<u8>(), &labels[index])
                        else {
                            continue;
                        };
                        Label::Score(self.score(*bins, worse, n, prev, *raw_score)?)
                    }
                    Target::Band {
                        cumulative,
                        labels: names,
                        ..
                    } => {
                        let (Some(prev), Some(raw_band)) = (
                            names.iter().position(|l| l == before),
                            names.iter().position(|l| *l == raw),
                        ) else {
                            continue;
                        };
                        Label::Name(
                            names[self.band(cumulative, better, n, prev, raw_band)?].clone(),
                        )
                    }
                };
                if kept.as_cell() != raw {
                    let label = kept;
                    held.push(Held {
                        customer_id: id.clone(),
                        column: column.clone(),
                        raw: raw.clone(),
                        label: label.as_cell().into_owned(),
                        previous: before.to_string(),
                    });
                    out.set_label(row, index, label);
                    changed.push(row);
                }
            }
        }
        // The segment and the rule sets follow the kept labels, so a row never pairs
        // held scores with the segment or tier of its raw ones.
        changed.sort_unstable();
        changed.dedup();
        let context = fitted.rule_context();
        let profiles = population.profiles();
        for row in changed {
            fitted.rederive(&profiles[row], &context, out.row_mut(row));
        }
        Ok((out, held))
    }

    /// A tie-aware score with the position `worse/n` shifted toward `prev`, clamped.
    fn score(&self, bins: u8, worse: usize, n: usize, prev: u8, raw: u8) -> Result<u8, Error> {
        let shifted = |sign: i64| -> Result<i64, Error> {
            // 1 + floor(k·(L/n ± h)) = 1 + floor((k·L ± k·h·n) / n), exactly.
            let k = Decimal::from(bins);
            let khn = checked_mul(
                checked_mul(k, self.margin).ok_or_else(overflow)?,
                Decimal::from(n),
            )
            .ok_or_else(overflow)?;
            let numerator =
                Decimal::from(u64::from(bins) * worse as u64) + Decimal::from(sign) * khn;
            let scale = 10i128.pow(numerator.scale());
            let floor = numerator.mantissa().div_euclid(n as i128 * scale);
            Ok(1 + floor.to_i64().unwrap_or(i64::MAX))
        };
        let kept = if raw < prev {
            shifted(1)?.clamp(i64::from(raw), i64::from(prev))
        } else {
            shifted(-1)?.clamp(i64::from(prev), i64::from(raw))
        };
        // between two scores of 1..=k
        Ok(kept as u8)
    }

    /// A count-basis band with the position `better/n` shifted toward `prev`, clamped.
    fn band(
        &self,
        cumulative: &[Decimal],
        better: usize,
        n: usize,
        prev: usize,
        raw: usize,
    ) -> Result<usize, Error> {
        let hn = checked_mul(self.margin, Decimal::from(n)).ok_or_else(overflow)?;
        let at = |sign: i64| -> usize {
            // the first band b with p/n ± h < c_b, i.e. p ± h·n < c_b·n
            let position = Decimal::from(better) + Decimal::from(sign) * hn;
            cumulative
                .iter()
                .position(|c| position < *c * Decimal::from(n))
                .unwrap_or(cumulative.len())
        };
        Ok(if raw > prev {
            // fell (a larger index is worse): shift toward the better previous band
            at(-1).clamp(prev, raw)
        } else {
            at(1).clamp(raw, prev)
        })
    }
}

fn overflow() -> Error {
    Error::Overflow {
        metric: "hysteresis position",
        customer: "(all)".into(),
    }
}

/// The columns of `fitted` that hysteresis applies to.
fn targets(fitted: &FittedPipeline) -> Result<Vec<(String, Target)>, Error> {
    let mut out = Vec::new();
    for model in fitted.models() {
        match model {
            AnyModel::Rfm(m) => {
                if m.params().get_mode() != QuantileMode::TieAware {
                    return Err(ConfigError::Pipeline {
                        reason: "hysteresis needs tie-aware quantile scores, not equal-count"
                            .into(),
                    }
                    .into());
                }
                let bins = m.params().get_bins();
                for (column, metric) in [
                    ("r", Metric::RecencyDays),
                    ("f", Metric::Frequency),
                    ("m", Metric::Monetary),
                ] {
                    out.push((column.to_string(), Target::Score { bins, metric }));
                }
            }
            AnyModel::Pareto(m) if m.params().get_basis() == Basis::Count => {
                let params = m.params();
                out.push((
                    params.get_column().to_string(),
                    Target::Band {
                        cumulative: cumulative(params.get_bands()),
                        metric: params.get_metric(),
                        direction: params.effective_direction(),
                        labels: params.get_bands().iter().map(|b| b.name.clone()).collect(),
                    },
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn scores_move_toward_the_previous_one_and_are_clamped() {
        // k = 5, n = 100: a customer at L = 59 (raw score 3) was 4 before.
        let h = Hysteresis::new(dec!(0.02)).unwrap();
        // 1 + floor(5·(0.59 + 0.02)) = 1 + floor(3.05) = 4: held at 4.
        assert_eq!(h.score(5, 59, 100, 4, 3).unwrap(), 4);
        // L = 57: 1 + floor(5·0.59) = 3: falls to 3.
        assert_eq!(h.score(5, 57, 100, 4, 3).unwrap(), 3);
        // rose from 2 to 4 at L = 60: 1 + floor(5·0.58) = 3, between 2 and 4: 3.
        assert_eq!(h.score(5, 60, 100, 2, 4).unwrap(), 3);
        // h = 0 is the raw score.
        let zero = Hysteresis::new(Decimal::ZERO).unwrap();
        assert_eq!(zero.score(5, 59, 100, 4, 3).unwrap(), 3);
        // A big margin never moves past the previous label.
        let big = Hysteresis::new(dec!(0.9)).unwrap();
        assert_eq!(big.score(5, 0, 100, 2, 1).unwrap(), 2);
    }

    #[test]
    fn the_segment_and_the_rule_tier_follow_the_kept_scores() {
        use crate::classify::rfm::RfmParams;
        use crate::rules::RuleSet;
        use crate::{PipelineBuilder, PopulationBuilder, Transaction};
        use jiff::civil::date;
        // C001 … C100 bought once, 10.00, C_i 101 − i days before the as-of date.
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for i in 1..=100i64 {
            let day = date(2026, 3, 31) - jiff::Span::new().days(101 - i);
            let id = CustomerId::new(&format!("C{i:03}")).unwrap();
            b.add(Transaction::new(id, day, Decimal::TEN)).unwrap();
        }
        let population = b.finish().unwrap();
        let rules = RuleSet::from_toml_str(
            "recent.toml",
            r#"
                name = "recent"
                column = "tier"
                tiers = ["warm", "cold"]
                default = "cold"
                [[rules]]
                name = "recent buyers"
                when = "r >= 4"
                tier = "warm"
                [[rules]]
                name = "call the warm ones"
                when = 'tier == "warm"'
                tag = "call"
            "#,
        )
        .unwrap();
        let pipeline = PipelineBuilder::new()
            .classifier(RfmParams::default())
            .rules(rules)
            .build()
            .unwrap();
        let (fitted, tiering) = pipeline.run(&population).unwrap();
        let row = |t: &Tiering| -> Vec<String> {
            t.get("C060")
                .unwrap()
                .iter()
                .map(|l| l.as_cell().into_owned())
                .collect()
        };
        assert_eq!(row(&tiering), ["3", "1", "1", "about_to_sleep", "cold", ""]);
        let previous = Period::from_tiers_csv(
            "q4.csv",
            "customer_id,monetary,r,rfm_segment\nC060,10,4,promising\n".as_bytes(),
        )
        .unwrap();
        let h = Hysteresis::new(dec!(0.02)).unwrap();
        let (kept, held) = h.apply(&fitted, &population, &tiering, &previous).unwrap();
        assert_eq!(held.len(), 1);
        // R held at 4: under rfm-default R 4, F 1 is promising, and the rule sees r = 4.
        assert_eq!(row(&kept), ["4", "1", "1", "promising", "warm", "call"]);
        // Rows hysteresis left alone are the raw ones.
        assert_eq!(kept.get("C059"), tiering.get("C059"));
    }

    #[test]
    fn metal_bands_move_toward_the_previous_one() {
        let cumulative = [dec!(0.01), dec!(0.05), dec!(0.20)];
        let h = Hysteresis::new(dec!(0.02)).unwrap();
        // n = 100, p = 5 better: raw iron (2), previously gold (1): 5 − 2 = 3 < 5 → gold.
        assert_eq!(h.band(&cumulative, 5, 100, 1, 2).unwrap(), 1);
        // p = 7: 7 − 2 = 5, not < 5 → iron.
        assert_eq!(h.band(&cumulative, 7, 100, 1, 2).unwrap(), 2);
        // rose from lead (3) to iron (2) at p = 19: 19 + 2 = 21 → lead: held at lead.
        assert_eq!(h.band(&cumulative, 19, 100, 3, 2).unwrap(), 3);
        let zero = Hysteresis::new(Decimal::ZERO).unwrap();
        assert_eq!(zero.band(&cumulative, 5, 100, 1, 2).unwrap(), 2);
    }
}
