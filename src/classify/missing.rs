//! [Missing data](crate::definitions#missing-data): per metric, one policy
//! for a customer whose metric has no value — `exclude` (no label, with a reason), `fill`
//! with a value, `fill_median`, `fill_mean` (over the scored population, computed at fit
//! time and stored in the model), or `proxy` (use another metric's value).
//!
//! The median is the lower median (the value at position `ceil(n/2)` ascending); the
//! mean is the exact sum divided by the count, rounded half away from zero to 4
//! decimal places.
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::missing::MissingPolicy;
//! use customer_tiering::{CustomerId, Metric, Profile};
//! use rust_decimal::dec;
//! // the profits of the scored customers that have one
//! let profits = [dec!(12.50), dec!(3), dec!(40), dec!(7)];
//! let median = MissingPolicy::FillMedian.fit(Metric::Profit, &profits)?;
//! assert_eq!(median.fill(), Some(dec!(7))); // the lower median of 3, 7, 12.50, 40
//! // a buyer none of whose rows had a profit gets the fill, and the use is reported
//! let mut buyer = Profile::without_purchases(CustomerId::new("C9").unwrap());
//! buyer.frequency = 1;
//! assert_eq!(median.resolve(&buyer), (Some(dec!(7)), true));
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::order::KeyColumn;
use crate::error::Error;
use crate::profile::{Metric, Profile};
use crate::wide::{U256, at_scale, pow10, ratio_to_decimal};

/// What to do when a metric has no value.
///
/// # Example
/// ```
/// use customer_tiering::classify::missing::MissingPolicy;
/// use customer_tiering::Metric;
/// use rust_decimal::dec;
/// assert_eq!(MissingPolicy::default(), MissingPolicy::Exclude);
/// // the file form is tagged by `policy`; decimals are exact strings
/// let policy: MissingPolicy = serde_json::from_str(r#"{"policy": "fill", "value": "0"}"#)?;
/// assert_eq!(policy, MissingPolicy::Fill { value: dec!(0) });
/// assert_eq!(policy.to_string(), "fill(0)");
/// let proxy = MissingPolicy::Proxy { metric: Metric::Monetary };
/// assert_eq!(proxy.to_string(), "proxy(monetary)");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "policy", rename_all = "snake_case", deny_unknown_fields)]
pub enum MissingPolicy {
    /// No label for that classifier, with a reason.
    #[default]
    Exclude,
    /// Use this value.
    Fill {
        /// The value.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
    },
    /// Use the lower median of the scored population.
    FillMedian,
    /// Use the mean of the scored population (4 decimals, half away from zero).
    FillMean,
    /// Use another metric's value.
    Proxy {
        /// The metric standing in.
        metric: Metric,
    },
}

impl MissingPolicy {
    /// The policy's name in summaries (`exclude`, `fill`, `fill_median` …).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::missing::MissingPolicy;
    /// use rust_decimal::dec;
    /// assert_eq!(MissingPolicy::FillMedian.name(), "fill_median");
    /// // the name leaves the value out; `Display` keeps it
    /// let fill = MissingPolicy::Fill { value: dec!(5) };
    /// assert_eq!((fill.name(), fill.to_string().as_str()), ("fill", "fill(5)"));
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            MissingPolicy::Exclude => "exclude",
            MissingPolicy::Fill { .. } => "fill",
            MissingPolicy::FillMedian => "fill_median",
            MissingPolicy::FillMean => "fill_mean",
            MissingPolicy::Proxy { .. } => "proxy",
        }
    }

    /// Fits the policy on the values the scored population has (any order).
    ///
    /// # Errors
    /// None today: the mean's sum is taken in integers wide enough for any population,
    /// and the mean itself lies between the least and the greatest value, so it always
    /// fits. The `Result` leaves room for policies that can fail.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::missing::MissingPolicy;
    /// use customer_tiering::Metric;
    /// use rust_decimal::dec;
    /// let values = [dec!(1), dec!(2), dec!(4), dec!(10)];
    /// let median = MissingPolicy::FillMedian.fit(Metric::Profit, &values)?;
    /// assert_eq!(median.fill(), Some(dec!(2))); // lower median
    /// let mean = MissingPolicy::FillMean.fit(Metric::Profit, &[dec!(1), dec!(1), dec!(2)])?;
    /// assert_eq!(mean.fill().unwrap().to_string(), "1.3333");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fit(&self, metric: Metric, values: &[Decimal]) -> Result<MissingData, Error> {
        let fill = match self {
            MissingPolicy::Fill { value } => Some(*value),
            MissingPolicy::FillMedian if !values.is_empty() => {
                // The lower median, at 1-based position ceil(n/2) ascending; of equal
                // values, the first given.
                let column = KeyColumn::from_decimals(values);
                let position = values.len().div_ceil(2);
                column
                    .order_stats(&[position], false)
                    .first()
                    .map(|s| s.value)
            }
            MissingPolicy::FillMean if !values.is_empty() => Some(mean(values)),
            _ => None,
        };
        Ok(MissingData {
            metric,
            policy: self.clone(),
            fill,
        })
    }
}

/// The mean of [missing data](crate::definitions#missing-data): the exact sum divided by
/// the count, rounded half away from zero to 4 decimal places (fewer only for means beyond
/// 10^24, where `rust_decimal` has no room for four).
fn mean(values: &[Decimal]) -> Decimal {
    let scale = values.iter().map(|v| v.scale()).max().unwrap_or(0);
    // Each term < 2^96 · 10^28 < 2^190 and there are fewer than 2^60 of them, so the
    // sums stay below 2^250: saturation is never reached.
    let (mut positive, mut negative) = (U256::ZERO, U256::ZERO);
    for v in values {
        let magnitude = at_scale(v.abs(), scale).unwrap_or(U256::ZERO);
        if v.is_sign_negative() {
            negative = negative.saturating_add(magnitude);
        } else {
            positive = positive.saturating_add(magnitude);
        }
    }
    let (below_zero, sum) = match positive.checked_sub(negative) {
        Some(sum) => (false, sum),
        None => (true, negative.checked_sub(positive).unwrap_or(U256::ZERO)),
    };
    let count = U256::mul(values.len() as u128, pow10(scale).unwrap_or(1));
    // Between the least and the greatest value, so a whole number always fits.
    ratio_to_decimal(below_zero, sum, count, 4).unwrap_or_default()
}

impl fmt::Display for MissingPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MissingPolicy::Fill { value } => write!(f, "fill({value})"),
            MissingPolicy::Proxy { metric } => write!(f, "proxy({metric})"),
            other => f.write_str(other.name()),
        }
    }
}

/// A fitted missing-data policy for one metric.
///
/// # Example
/// ```
/// use customer_tiering::classify::missing::MissingPolicy;
/// use customer_tiering::{CustomerId, Metric, Profile};
/// use rust_decimal::dec;
/// let exclude = MissingPolicy::Exclude.fit(Metric::Profit, &[dec!(5), dec!(8)])?;
/// let mut buyer = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// buyer.frequency = 1; // a buyer without a profit
/// assert_eq!(exclude.resolve(&buyer), (None, true)); // no value: unscored, with the reason
/// buyer.profit = Some(dec!(2));
/// assert_eq!(exclude.resolve(&buyer), (Some(dec!(2)), false)); // its own value
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingData {
    metric: Metric,
    policy: MissingPolicy,
    #[serde(default, with = "crate::money::opt_str")]
    fill: Option<Decimal>,
}

impl MissingData {
    /// The metric.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::missing::MissingPolicy;
    /// use customer_tiering::Metric;
    /// let growth = MissingPolicy::FillMedian.fit(Metric::Growth, &[])?;
    /// assert_eq!(growth.metric(), Metric::Growth);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// The policy.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::missing::MissingPolicy;
    /// use customer_tiering::Metric;
    /// use rust_decimal::dec;
    /// let mean = MissingPolicy::FillMean.fit(Metric::Profit, &[dec!(1), dec!(2)])?;
    /// assert_eq!(mean.policy(), &MissingPolicy::FillMean);
    /// assert_eq!(mean.policy().name(), "fill_mean"); // as the run summary counts it
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn policy(&self) -> &MissingPolicy {
        &self.policy
    }

    /// The fill value computed at fit time (none for `exclude`, `proxy`, or a fill over
    /// an empty population).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::missing::MissingPolicy;
    /// use customer_tiering::Metric;
    /// use rust_decimal::dec;
    /// let values = [dec!(10), dec!(20), dec!(20)];
    /// let mean = MissingPolicy::FillMean.fit(Metric::Profit, &values)?;
    /// assert_eq!(mean.fill(), Some(dec!(16.6667))); // 50 / 3, to 4 places
    /// let fixed = MissingPolicy::Fill { value: dec!(0) }.fit(Metric::Profit, &values)?;
    /// assert_eq!(fixed.fill(), Some(dec!(0)));
    /// let median = MissingPolicy::FillMedian.fit(Metric::Profit, &[])?; // nobody has a profit
    /// assert_eq!(median.fill(), None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn fill(&self) -> Option<Decimal> {
        self.fill
    }

    /// The metric's value for a profile, and whether the policy stepped in.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::missing::MissingPolicy;
    /// use customer_tiering::{CustomerId, Metric, Profile};
    /// use rust_decimal::dec;
    /// let mut p = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// p.frequency = 1;
    /// p.monetary = dec!(40);
    /// let proxy = MissingPolicy::Proxy { metric: Metric::Monetary }.fit(Metric::Profit, &[])?;
    /// assert_eq!(proxy.resolve(&p), (Some(dec!(40)), true));
    /// p.profit = Some(dec!(7));
    /// assert_eq!(proxy.resolve(&p), (Some(dec!(7)), false));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn resolve(&self, profile: &Profile) -> (Option<Decimal>, bool) {
        match profile.metric(self.metric) {
            Some(value) => (Some(value), false),
            None => match &self.policy {
                MissingPolicy::Exclude => (None, true),
                MissingPolicy::Proxy { metric } => (profile.metric(*metric), true),
                _ => (self.fill, true),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn fills_are_computed_exactly() {
        let values = [dec!(3), dec!(1), dec!(2)];
        let median = MissingPolicy::FillMedian
            .fit(Metric::Growth, &values)
            .unwrap();
        assert_eq!(median.fill(), Some(dec!(2)));
        let mean = MissingPolicy::FillMean
            .fit(Metric::Growth, &[dec!(0.00005), dec!(0)])
            .unwrap();
        assert_eq!(mean.fill().unwrap().to_string(), "0.0000"); // 0.000025 → 0.0000
        let mean = MissingPolicy::FillMean
            .fit(Metric::Growth, &[dec!(-0.00015), dec!(0)])
            .unwrap();
        assert_eq!(mean.fill().unwrap().to_string(), "-0.0001"); // -0.000075 → -0.0001
        // Sums past the decimal range: the mean itself fits, and is exact.
        let mean = MissingPolicy::FillMean
            .fit(Metric::Profit, &[Decimal::MAX, Decimal::MAX, dec!(1)])
            .unwrap();
        // (2·(2^96 − 1) + 1) / 3 has no room for decimals: a whole number, rounded
        assert_eq!(
            mean.fill().unwrap().to_string(),
            "52818775009509558395695966890"
        );
        let mean = MissingPolicy::FillMean
            .fit(Metric::Profit, &[Decimal::MIN, dec!(-0.0001), Decimal::MIN])
            .unwrap();
        assert_eq!(
            mean.fill().unwrap().to_string(),
            "-52818775009509558395695966890"
        );
        let mean = MissingPolicy::FillMean
            .fit(Metric::Profit, &[dec!(1.10), dec!(1.3)])
            .unwrap();
        assert_eq!(mean.fill().unwrap().to_string(), "1.2000");
        let none = MissingPolicy::FillMean.fit(Metric::Growth, &[]).unwrap();
        assert_eq!(none.fill(), None);
    }

    #[test]
    fn serde_forms() {
        let policies: Vec<MissingPolicy> = serde_json::from_str(
            r#"[{"policy":"exclude"},{"policy":"fill","value":"0.5"},{"policy":"fill_median"},
                {"policy":"fill_mean"},{"policy":"proxy","metric":"monetary"}]"#,
        )
        .unwrap();
        let names: Vec<String> = policies.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "exclude",
                "fill(0.5)",
                "fill_median",
                "fill_mean",
                "proxy(monetary)"
            ]
        );
    }
}
