//! [Hysteresis](crate::definitions#hysteresis): keep a customer from flipping
//! back and forth across a cut point between periods of refitted, relative tiers.
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

use crate::names::Lang;
use rust_decimal::Decimal;

use crate::classify::{FitData, HysteresisTarget, Label, Wanted};
use crate::error::{ConfigError, Error};
use crate::migration::Period;
use crate::pipeline::{FittedPipeline, Tiering};
use crate::profile::{CustomerId, Direction, Population};
use crate::wide::{U256, parts, pow10};

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

impl Held {
    /// The line `--explain` prints, in `lang`, labels by `name(column, label)` (their
    /// display names; English is exactly `Display`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::hysteresis::Held;
    /// use customer_tiering::names::{display_name, Lang};
    /// use customer_tiering::CustomerId;
    /// let held = Held {
    ///     customer_id: CustomerId::new("C095")?,
    ///     column: "metal".into(),
    ///     raw: "iron".into(),
    ///     label: "gold".into(),
    ///     previous: "gold".into(),
    /// };
    /// let name = |c: &str, l: &str| display_name(c, l, Lang::ZhHant).to_string();
    /// assert_eq!(held.to_string_with(Lang::En, &name), held.to_string());
    /// assert_eq!(
    ///     held.to_string_with(Lang::ZhHant, &name),
    ///     "metal = 黃金顧客：因緩衝（hysteresis）維持，未改為鐵顧客（上期為黃金顧客）"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_string_with(&self, lang: Lang, name: &dyn Fn(&str, &str) -> String) -> String {
        let named = |label: &str| name(&self.column, label);
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhHant => format!(
                "{} = {}：因緩衝（hysteresis）維持，未改為{}（上期為{}）",
                self.column,
                named(&self.label),
                named(&self.raw),
                named(&self.previous)
            ),
            Lang::ZhHans => format!(
                "{} = {}：因缓冲（hysteresis）维持，未改为{}（上期为{}）",
                self.column,
                named(&self.label),
                named(&self.raw),
                named(&self.previous)
            ),
        }
    }
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

impl Hysteresis {
    /// A margin in `0 ≤ h < 1`.
    ///
    /// # Errors
    /// [`ConfigError::HysteresisMargin`] outside that range.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::hysteresis::Hysteresis;
    /// use rust_decimal::{dec, Decimal};
    /// assert!(Hysteresis::new(Decimal::ZERO).is_ok()); // h = 0: every raw label is kept
    /// let err = Hysteresis::new(dec!(1)).unwrap_err();
    /// assert_eq!(err, customer_tiering::ConfigError::HysteresisMargin { margin: dec!(1) });
    /// assert_eq!(err.to_string(), "pipeline: hysteresis must be a share in 0 <= h < 1, got 1");
    /// assert!(Hysteresis::new(dec!(-0.01)).is_err());
    /// ```
    pub fn new(margin: Decimal) -> Result<Self, ConfigError> {
        if margin < Decimal::ZERO || margin >= Decimal::ONE {
            return Err(ConfigError::HysteresisMargin { margin });
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
    /// [`ConfigError::HysteresisNeedsTieAware`] when an RFM model uses equal-count scores
    /// (or what a model's own
    /// [`hysteresis_targets`](crate::classify::Model::hysteresis_targets) says). Shifted
    /// positions are compared exactly in wide integers, so no legal margin overflows ([bad
    /// input](crate::definitions#bad-input-and-rejects)), whatever the population's size.
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
        for target in targets(fitted)? {
            let column = target.column().to_string();
            let Some(index) = tiering.columns().iter().position(|c| *c == column) else {
                continue;
            };
            let metric = match &target {
                HysteresisTarget::Score { metric, .. } | HysteresisTarget::Band { metric, .. } => {
                    *metric
                }
            };
            let direction = match &target {
                HysteresisTarget::Score { metric, .. } => metric.default_direction(),
                HysteresisTarget::Band { direction, .. } => *direction,
            };
            // The scored population's values, sorted: as integers where they can be.
            let data = FitData::keyed(population, &[Wanted::buyers(metric)]);
            let values = data.column(Wanted::buyers(metric)).sorted();
            let n = values.len();
            let customers = population.columns();
            for (row, (id, labels)) in tiering.rows().enumerate().take(customers.len()) {
                let value = customers.metric(row, metric);
                let Some(value) = value.filter(|_| customers.is_buyer(row)) else {
                    continue;
                };
                let Some(before) = previous.label(id, &column) else {
                    continue;
                };
                let raw = labels[index].as_cell().into_owned();
                if before == raw {
                    continue;
                }
                let (below, at_most) = values.counts(&value);
                let (worse, better) = match direction {
                    Direction::HigherIsBetter => (below, n - at_most),
                    Direction::LowerIsBetter => (n - at_most, below),
                };
                let kept = match &target {
                    HysteresisTarget::Score { bins, .. } => {
                        let (Ok(prev), Label::Score(raw_score)) =
                            (before.parse::<u8>(), &labels[index])
                        else {
                            continue;
                        };
                        Label::Score(self.score(*bins, worse, n, prev, *raw_score))
                    }
                    HysteresisTarget::Band {
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
                        Label::Name(names[self.band(cumulative, better, n, prev, raw_band)].clone())
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
        for row in changed {
            let mut labels = out.row(row).to_vec();
            let profile = population.columns().profile(row);
            fitted.rederive(&profile, &context, &mut labels);
            for (column, label) in labels.into_iter().enumerate() {
                out.set_label(row, column, label);
            }
        }
        Ok((out, held))
    }

    /// A tie-aware score with the position `worse/n` shifted toward `prev`, clamped.
    ///
    /// The shifted score `1 + floor(k·(L/n ± h))` reaches `j` exactly when
    /// `k·(L·10^s ± m·n) ≥ (j − 1)·n·10^s` for `h = m / 10^s`: products of a count
    /// (< 2^72 with `k`) and a power of ten or `m` (< 10^28 < 2^94), compared in 256
    /// bits, so that every legal margin works for any population without rounding.
    fn score(&self, bins: u8, worse: usize, n: usize, prev: u8, raw: u8) -> u8 {
        let (margin, scale) = parts(self.margin);
        // scale ≤ 28, so the power fits; the products are below 2^166 and their sums
        // below 2^167, far from saturation.
        let unit = pow10(scale).unwrap_or(u128::MAX);
        let k = u128::from(bins);
        let position = U256::mul(k * worse as u128, unit);
        let shift = U256::mul(margin, k * n as u128);
        let up = raw < prev;
        let reaches = |j: u8| {
            let cut = U256::mul(u128::from(j - 1) * n as u128, unit);
            if up {
                position.saturating_add(shift) >= cut
            } else {
                position >= cut.saturating_add(shift)
            }
        };
        // Between raw and previous, both included: the best score in (low, high] the
        // shifted position reaches, else low (raw when moving up, previous when down).
        let (low, high) = (raw.min(prev), raw.max(prev));
        ((low + 1)..=high)
            .rev()
            .find(|&j| reaches(j))
            .unwrap_or(low)
    }

    /// A count-basis band with the position `better/n` shifted toward `prev`, clamped.
    ///
    /// Band `b` holds the shifted position when `p ± h·n < c_b·n`; with `h` and `c_b`
    /// at their common scale `S` (`m_h`, `m_c` ≤ 10^28), that is
    /// `p·10^S ± m_h·n < m_c·n`, compared exactly in 256 bits.
    fn band(
        &self,
        cumulative: &[Decimal],
        better: usize,
        n: usize,
        prev: usize,
        raw: usize,
    ) -> usize {
        let (margin, margin_scale) = parts(self.margin);
        let scale = cumulative
            .iter()
            .map(Decimal::scale)
            .fold(margin_scale, u32::max);
        let at_common = |mantissa: u128, own: u32| -> U256 {
            // ≤ 28 decimals each: a mantissa < 2^96 times at most 10^28 fits 256 bits
            U256::mul(mantissa, pow10(scale - own).unwrap_or(u128::MAX))
        };
        let count = n as u128;
        let position = at_common(better as u128, 0);
        // < 2^190 · 2^64: the sums below stay under 2^255
        let shift = at_common(margin, margin_scale)
            .checked_mul(count)
            .unwrap_or(U256::MAX);
        let toward_better = raw > prev;
        let at = cumulative
            .iter()
            .position(|c| {
                let (m, s) = parts(*c);
                let cut = at_common(m, s).checked_mul(count).unwrap_or(U256::MAX);
                if toward_better {
                    // p − h·n < c·n  ⟺  p < c·n + h·n
                    position < cut.saturating_add(shift)
                } else {
                    position.saturating_add(shift) < cut
                }
            })
            .unwrap_or(cumulative.len());
        if toward_better {
            // fell (a larger index is worse): shift toward the better previous band
            at.clamp(prev, raw)
        } else {
            at.clamp(raw, prev)
        }
    }
}

/// The columns of `fitted` that hysteresis applies to: what each model says of its own.
fn targets(fitted: &FittedPipeline) -> Result<Vec<HysteresisTarget>, Error> {
    let mut out = Vec::new();
    for model in fitted.models() {
        out.extend(model.hysteresis_targets()?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::dec;

    #[test]
    fn scores_move_toward_the_previous_one_and_are_clamped() {
        // k = 5, n = 100: a customer at L = 59 (raw score 3) was 4 before.
        let h = Hysteresis::new(dec!(0.02)).unwrap();
        // 1 + floor(5·(0.59 + 0.02)) = 1 + floor(3.05) = 4: held at 4.
        assert_eq!(h.score(5, 59, 100, 4, 3), 4);
        // L = 57: 1 + floor(5·0.59) = 3: falls to 3.
        assert_eq!(h.score(5, 57, 100, 4, 3), 3);
        // rose from 2 to 4 at L = 60: 1 + floor(5·0.58) = 3, between 2 and 4: 3.
        assert_eq!(h.score(5, 60, 100, 2, 4), 3);
        // h = 0 is the raw score.
        let zero = Hysteresis::new(Decimal::ZERO).unwrap();
        assert_eq!(zero.score(5, 59, 100, 4, 3), 3);
        // A big margin never moves past the previous label.
        let big = Hysteresis::new(dec!(0.9)).unwrap();
        assert_eq!(big.score(5, 0, 100, 2, 1), 2);
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

    /// [Hysteresis](crate::definitions#hysteresis) by its own words, in exact fractions
    /// (i128 suffices for `n ≤ 10^6`): `1 + floor(k·(L/n ± h))`, clamped between the raw
    /// and the previous score.
    fn rational_score(h: Decimal, bins: u8, worse: usize, n: usize, prev: u8, raw: u8) -> u8 {
        let (m, unit) = (h.mantissa(), 10i128.pow(h.scale()));
        let (k, l, n) = (i128::from(bins), worse as i128, n as i128);
        let sign = if raw < prev { 1 } else { -1 };
        // k·(L/n ± m/10^s) = k·(L·10^s ± m·n) / (n·10^s)
        let shifted = 1 + (k * (l * unit + sign * m * n)).div_euclid(n * unit);
        let (low, high) = (i128::from(raw.min(prev)), i128::from(raw.max(prev)));
        u8::try_from(shifted.clamp(low, high)).unwrap()
    }

    /// The first band `b` with `p/n ± h < c_b`, as fractions over `n·10^S`, clamped.
    fn rational_band(
        h: Decimal,
        cumulative: &[Decimal],
        p: usize,
        n: usize,
        prev: usize,
        raw: usize,
    ) -> usize {
        let scale = cumulative
            .iter()
            .map(Decimal::scale)
            .fold(h.scale(), u32::max);
        let at = |d: Decimal| d.mantissa() * 10i128.pow(scale - d.scale());
        let sign = if raw > prev { -1 } else { 1 };
        let (p, n) = (p as i128, n as i128);
        let shifted = p * 10i128.pow(scale) + sign * at(h) * n;
        let band = cumulative
            .iter()
            .position(|c| shifted < at(*c) * n)
            .unwrap_or(cumulative.len());
        band.clamp(raw.min(prev), raw.max(prev))
    }

    #[test]
    fn margins_with_28_decimals_never_overflow_and_are_exact() {
        let almost_one = dec!(0.9999999999999999999999999999);
        let tiny = dec!(0.0000000000000000000000000001);
        for h in [almost_one, tiny] {
            let margin = Hysteresis::new(h).unwrap();
            for (bins, worse, n, prev, raw) in [
                (5, 59, 100, 4, 3),
                (5, 60, 100, 3, 4),
                (5, 80, 100, 4, 5),
                (5, 0, 100, 5, 1),
                (10, 999_999, 1_000_000, 1, 10),
                (2, 1, 3, 1, 2),
            ] {
                assert_eq!(
                    margin.score(bins, worse, n, prev, raw),
                    rational_score(h, bins, worse, n, prev, raw),
                    "h {h}: k {bins}, L {worse}, n {n}, previous {prev}, raw {raw}"
                );
            }
            let metals = [dec!(0.01), dec!(0.05), dec!(0.20)];
            for (better, n, prev, raw) in [
                (5, 100, 1, 2),
                (1, 100, 0, 1),
                (19, 100, 3, 2),
                (0, 1, 3, 0),
                (999_999, 1_000_000, 0, 3),
            ] {
                assert_eq!(
                    margin.band(&metals, better, n, prev, raw),
                    rational_band(h, &metals, better, n, prev, raw),
                    "h {h}: p {better}, n {n}, previous {prev}, raw {raw}"
                );
            }
        }
        // At a cut exactly, the least margin is enough to hold a customer back: L = 60 of
        // 100 is exactly score 4 (k·L/n = 3), and 3 − 5·10^-28 is score 3 again.
        let least = Hysteresis::new(tiny).unwrap();
        assert_eq!(least.score(5, 60, 100, 3, 4), 3);
        assert_eq!(least.score(5, 59, 100, 4, 3), 3); // 2.95 + 5·10^-28 < 3: no
        // p = 5 of 100 is exactly not gold (5 % · 100 = 5); 5 − 10^-26 is.
        let metals = [dec!(0.01), dec!(0.05), dec!(0.20)];
        assert_eq!(least.band(&metals, 5, 100, 1, 2), 1);
        assert_eq!(least.band(&metals, 6, 100, 1, 2), 2);
        // Almost 1: a whole population's width, short of 10^-28 — nearly everyone stays.
        let most = Hysteresis::new(almost_one).unwrap();
        assert_eq!(most.score(5, 0, 100, 5, 1), 5); // 1 + floor(5 · 0.99…9) = 5
        assert_eq!(most.score(5, 99, 100, 1, 5), 1);
        assert_eq!(most.band(&metals, 99, 100, 0, 3), 0); // 0.99 − 0.99…9 < 1 %
        assert_eq!(most.band(&metals, 0, 100, 3, 0), 3);
    }

    proptest! {
        #[test]
        fn scores_and_bands_equal_the_rational_definition(
            (bins, n, worse, prev, raw) in (2u8..=10, 1usize..=1_000_000).prop_flat_map(|(k, n)| {
                (Just(k), Just(n), 0..n, 1..=k, 1..=k)
            }),
            (cumulative, better, band_prev, band_raw) in (0usize..3, 1usize..=1_000_000).prop_flat_map(|(set, n)| {
                let sets: [Vec<Decimal>; 3] = [
                    vec![dec!(0.01), dec!(0.05), dec!(0.20)],
                    vec![dec!(0.02), dec!(0.10), dec!(0.30), dec!(0.60)],
                    vec![dec!(0.3333333333333333333333333333), dec!(0.6666666666666666666666666667)],
                ];
                let cumulative = sets[set].clone();
                let last = cumulative.len();
                (Just(cumulative), 0..=n, 0..=last, 0..=last).prop_map(move |(c, p, a, b)| (c, (p, n), a, b))
            }),
            h in (0u32..=28).prop_flat_map(|s| {
                (0..10u128.pow(s).max(1)).prop_map(move |m| Decimal::from_i128_with_scale(m as i128, s))
            }),
        ) {
            let margin = Hysteresis::new(h).unwrap();
            if prev != raw {
                prop_assert_eq!(
                    margin.score(bins, worse, n, prev, raw),
                    rational_score(h, bins, worse, n, prev, raw)
                );
            }
            let (p, count) = better;
            if band_prev != band_raw {
                prop_assert_eq!(
                    margin.band(&cumulative, p, count, band_prev, band_raw),
                    rational_band(h, &cumulative, p, count, band_prev, band_raw)
                );
            }
        }
    }

    #[test]
    fn metal_bands_move_toward_the_previous_one() {
        let cumulative = [dec!(0.01), dec!(0.05), dec!(0.20)];
        let h = Hysteresis::new(dec!(0.02)).unwrap();
        // n = 100, p = 5 better: raw iron (2), previously gold (1): 5 − 2 = 3 < 5 → gold.
        assert_eq!(h.band(&cumulative, 5, 100, 1, 2), 1);
        // p = 7: 7 − 2 = 5, not < 5 → iron.
        assert_eq!(h.band(&cumulative, 7, 100, 1, 2), 2);
        // rose from lead (3) to iron (2) at p = 19: 19 + 2 = 21 → lead: held at lead.
        assert_eq!(h.band(&cumulative, 19, 100, 3, 2), 3);
        let zero = Hysteresis::new(Decimal::ZERO).unwrap();
        assert_eq!(zero.band(&cumulative, 5, 100, 1, 2), 2);
    }
}
