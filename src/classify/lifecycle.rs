//! [Lifecycle stages](crate::definitions#lifecycle-stages): from
//! `status`, purchases and recency.
//!
//! First match wins: `non_customer` (status says so) · `target` (no purchases, status
//! target) · `prospect` (no purchases) · `new` (`tenure_days` ≤ 90) · `active`
//! (`recency_days` ≤ 90) · `dormant` (`recency_days` ≤ 365) · `lost`. The day limits are
//! settings. Nothing is fitted: the model is the settings, and every customer gets a
//! stage.
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier};
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for (id, day) in [
//!     ("fresh", date(2026, 2, 1)),
//!     ("loyal", date(2024, 1, 1)),
//!     ("loyal", date(2026, 3, 1)),
//!     ("quiet", date(2025, 6, 1)),
//!     ("gone", date(2024, 5, 1)),
//! ] {
//!     b.add(Transaction::new(CustomerId::new(id).unwrap(), day, 10.into()))?;
//! }
//! let population = b.finish()?;
//! let model = LifecycleParams::default().fit(&population)?;
//! let stage = |id: &str| model.stage(population.get(id).unwrap());
//! assert_eq!(stage("fresh"), "new"); // first purchase 58 days ago
//! assert_eq!(stage("loyal"), "active"); // last purchase 30 days ago
//! assert_eq!(stage("quiet"), "dormant"); // 303 days ago
//! assert_eq!(stage("gone"), "lost"); // more than 365 days ago
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::criterion::{Bound, Criterion, Quantity, Rule, Words};
use super::explain::StageBy;
use super::{Classifier, Column, ColumnLabels, Explanation, Label, Model, Reads, Reason};
use crate::error::{ConfigError, Error};
use crate::profile::{Metric, Population, Profile};

/// The stages, in their order of evaluation ([lifecycle
/// stages](crate::definitions#lifecycle-stages)) (they have no tier order).
///
/// # Example
/// ```
/// use customer_tiering::classify::lifecycle::STAGES;
/// // evaluated in this order, the first that matches wins: status first, then
/// // customers without purchases, then buyers by tenure and recency
/// assert_eq!(STAGES[..3], ["non_customer", "target", "prospect"]);
/// assert_eq!(STAGES[3..], ["new", "active", "dormant", "lost"]);
/// ```
pub const STAGES: [&str; 7] = [
    "non_customer",
    "target",
    "prospect",
    "new",
    "active",
    "dormant",
    "lost",
];

/// Lifecycle settings: the output column and the day limits.
///
/// # Example
/// ```
/// # use customer_tiering::classify::{Classifier as _, Model as _};
/// use customer_tiering::classify::lifecycle::LifecycleParams;
/// let params = LifecycleParams::default().active_days(60);
/// assert!(params.validate().is_ok());
/// assert!(LifecycleParams::default().active_days(400).validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleParams {
    column: SmolStr,
    new_days: u32,
    active_days: u32,
    dormant_days: u32,
}

impl Default for LifecycleParams {
    /// Column `lifecycle`; new ≤ 90 days of tenure, active ≤ 90 and dormant ≤ 365 days
    /// of recency.
    fn default() -> Self {
        LifecycleParams {
            column: SmolStr::new_static("lifecycle"),
            new_days: 90,
            active_days: 90,
            dormant_days: 365,
        }
    }
}

impl LifecycleParams {
    /// Sets the output column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::lifecycle::LifecycleParams;
    /// let params = LifecycleParams::default().column("stage");
    /// assert_eq!(params.get_column(), "stage");
    /// ```
    #[must_use]
    pub fn column(mut self, column: &str) -> Self {
        self.column = SmolStr::new(column);
        self
    }

    /// Sets the tenure limit of `new`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier};
    /// use customer_tiering::{CustomerId, Profile};
    /// # use jiff::civil::date;
    /// # let population = customer_tiering::Population::new(date(2026, 3, 31), vec![])?;
    /// // first purchase 120 days ago, the last one 10 days ago
    /// let mut p = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// (p.frequency, p.recency_days, p.tenure_days) = (2, Some(10), Some(120));
    /// assert_eq!(LifecycleParams::default().fit(&population)?.stage(&p), "active");
    /// let slow = LifecycleParams::default().new_days(180).fit(&population)?;
    /// assert_eq!(slow.stage(&p), "new");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn new_days(mut self, days: u32) -> Self {
        self.new_days = days;
        self
    }

    /// Sets the recency limit of `active`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier};
    /// use customer_tiering::{CustomerId, Profile};
    /// # use jiff::civil::date;
    /// # let population = customer_tiering::Population::new(date(2026, 3, 31), vec![])?;
    /// // last purchase 75 days ago, the first one long before
    /// let mut p = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// (p.frequency, p.recency_days, p.tenure_days) = (4, Some(75), Some(800));
    /// assert_eq!(LifecycleParams::default().fit(&population)?.stage(&p), "active");
    /// let strict = LifecycleParams::default().active_days(60).fit(&population)?;
    /// assert_eq!(strict.stage(&p), "dormant");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn active_days(mut self, days: u32) -> Self {
        self.active_days = days;
        self
    }

    /// Sets the recency limit of `dormant`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier};
    /// use customer_tiering::{CustomerId, Profile};
    /// # use jiff::civil::date;
    /// # let population = customer_tiering::Population::new(date(2026, 3, 31), vec![])?;
    /// // last purchase 200 days ago
    /// let mut p = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// (p.frequency, p.recency_days, p.tenure_days) = (4, Some(200), Some(800));
    /// assert_eq!(LifecycleParams::default().fit(&population)?.stage(&p), "dormant");
    /// let short = LifecycleParams::default().dormant_days(180).fit(&population)?;
    /// assert_eq!(short.stage(&p), "lost");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn dormant_days(mut self, days: u32) -> Self {
        self.dormant_days = days;
        self
    }

    /// The output column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::lifecycle::LifecycleParams;
    /// assert_eq!(LifecycleParams::default().get_column(), "lifecycle");
    /// ```
    pub fn get_column(&self) -> &str {
        &self.column
    }

    /// The stage of a profile, and the figure that decided it.
    fn stage(&self, profile: &Profile) -> (&'static str, StageBy) {
        let status = profile.attributes.text("status");
        if status == Some("non_customer") {
            let status = SmolStr::new_static("non_customer");
            return ("non_customer", StageBy::Status { status });
        }
        let (Some(recency), Some(tenure)) = (profile.recency_days, profile.tenure_days) else {
            return if status == Some("target") {
                let status = Some(SmolStr::new_static("target"));
                ("target", StageBy::NoPurchase { status })
            } else {
                ("prospect", StageBy::NoPurchase { status: None })
            };
        };
        let days = |metric, days, limit: u32| StageBy::Days {
            metric,
            days,
            limit,
            within: days <= i64::from(limit),
        };
        if tenure <= i64::from(self.new_days) {
            ("new", days(Metric::TenureDays, tenure, self.new_days))
        } else if recency <= i64::from(self.active_days) {
            (
                "active",
                days(Metric::RecencyDays, recency, self.active_days),
            )
        } else if recency <= i64::from(self.dormant_days) {
            (
                "dormant",
                days(Metric::RecencyDays, recency, self.dormant_days),
            )
        } else {
            (
                "lost",
                days(Metric::RecencyDays, recency, self.dormant_days),
            )
        }
    }
}

impl Classifier for LifecycleParams {
    type Model = LifecycleModel;

    const KIND: &'static str = "lifecycle";

    fn columns(&self) -> Vec<Column> {
        let stages = STAGES.iter().map(|s| s.to_string()).collect();
        vec![Column::new(
            self.column.as_str(),
            ColumnLabels::unordered(stages),
        )]
    }

    fn reads(&self) -> Reads {
        Reads::metrics([Metric::RecencyDays, Metric::TenureDays]).attribute("status")
    }

    /// Checks that `active` does not outlast `dormant`.
    ///
    /// # Errors
    /// [`ConfigError::Settings`] naming the column and the limits.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::lifecycle::LifecycleParams;
    /// assert_eq!(LifecycleParams::default().active_days(60).validate(), Ok(()));
    /// let err = LifecycleParams::default().active_days(400).validate().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "pipeline: lifecycle \"lifecycle\": active_days (400) is longer than dormant_days (365)"
    /// );
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        if self.active_days > self.dormant_days {
            return Err(ConfigError::Settings {
                kind: Self::KIND,
                column: self.column.to_string(),
                reason: format!(
                    "active_days ({}) is longer than dormant_days ({})",
                    self.active_days, self.dormant_days
                ),
            });
        }
        Ok(())
    }

    fn fit(&self, population: &Population) -> Result<LifecycleModel, Error> {
        self.validate()?;
        Ok(LifecycleModel {
            params: self.clone(),
            fit_size: population.len(),
        })
    }
}

/// The fitted lifecycle classifier: its settings (nothing is learnt from data).
///
/// # Example
/// ```
/// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier, Model};
/// use customer_tiering::{CustomerId, Profile};
/// # let population = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
/// let model = LifecycleParams::default().fit(&population)?;
/// let mut p = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// (p.frequency, p.recency_days, p.tenure_days) = (3, Some(200), Some(700));
/// assert_eq!(model.explain(&p)[0].to_string(), "lifecycle = dormant: last purchase 200 days ago (≤ 365)");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleModel {
    params: LifecycleParams,
    fit_size: usize,
}

impl LifecycleModel {
    /// The stage of a profile.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier};
    /// use customer_tiering::{CustomerId, Population, Profile};
    /// use jiff::civil::date;
    /// let mut p = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// let population = Population::new(date(2026, 3, 31), vec![p.clone()])?;
    /// let model = LifecycleParams::default().fit(&population)?;
    /// assert_eq!(model.stage(&p), "prospect");
    /// (p.frequency, p.recency_days, p.tenure_days) = (3, Some(91), Some(400));
    /// assert_eq!(model.stage(&p), "dormant");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn stage(&self, profile: &Profile) -> &'static str {
        self.params.stage(profile).0
    }
}

impl Model for LifecycleModel {
    type Params = LifecycleParams;

    /// The settings.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier};
    /// # use jiff::civil::date;
    /// # let population = customer_tiering::Population::new(date(2026, 3, 31), vec![])?;
    /// let params = LifecycleParams::default().column("stage").dormant_days(180);
    /// let model = params.fit(&population)?;
    /// assert_eq!(model.params(), &params);
    /// assert_eq!(model.params().get_column(), "stage");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn params(&self) -> &LifecycleParams {
        &self.params
    }

    /// Checks a loaded model.
    ///
    /// # Errors
    /// As [`LifecycleParams::validate`].
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::lifecycle::{LifecycleModel, LifecycleParams};
    /// use customer_tiering::classify::Classifier;
    /// # use jiff::civil::date;
    /// # let population = customer_tiering::Population::new(date(2026, 3, 31), vec![])?;
    /// let model = LifecycleParams::default().fit(&population)?;
    /// assert_eq!(model.validate(), Ok(()));
    /// // a saved model edited by hand: `active` now outlasts `dormant`
    /// let mut json = serde_json::to_value(&model)?;
    /// json["params"]["active_days"] = serde_json::json!(400);
    /// let edited: LifecycleModel = serde_json::from_value(json)?;
    /// assert!(edited.validate().is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(Label::Name(SmolStr::new_static(self.stage(profile))));
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let (stage, by) = self.params.stage(profile);
        let label = Label::Name(SmolStr::new_static(stage));
        vec![Explanation::new(
            self.params.column.as_str(),
            label,
            Reason::Stage(by),
        )]
    }

    /// Per stage, its condition; stages are tried in order and the first that holds
    /// decides, so each condition holds only where none before it does.
    fn criteria(&self) -> Vec<Criterion> {
        let p = &self.params;
        let (new, active, dormant) = (p.new_days, p.active_days, p.dormant_days);
        let words = |en: String, zh_hant: String, zh_hans: String| Rule::Condition {
            text: Words {
                en,
                zh_hant,
                zh_hans,
            },
        };
        // `metric ≤ upper`, or `metric > lower`.
        let days = |metric, lower: Option<u32>, upper: Option<u32>| Rule::Range {
            quantity: Quantity::Metric(metric),
            lower: lower.map(|days| Bound {
                value: days.into(),
                inclusive: false,
            }),
            upper: upper.map(|days| Bound {
                value: days.into(),
                inclusive: true,
            }),
            or_not_positive: false,
        };
        let rules = [
            words(
                "status non_customer".into(),
                "狀態為非客戶（non_customer）".into(),
                "状态为非客户（non_customer）".into(),
            ),
            words(
                "no purchase, status target".into(),
                "沒有購買，狀態為目標（target）".into(),
                "没有购买，状态为目标（target）".into(),
            ),
            words("no purchase".into(), "沒有購買".into(), "没有购买".into()),
            days(Metric::TenureDays, None, Some(new)),
            days(Metric::RecencyDays, None, Some(active)),
            days(Metric::RecencyDays, None, Some(dormant)),
            days(Metric::RecencyDays, Some(dormant), None),
        ];
        STAGES
            .iter()
            .zip(rules)
            .map(|(stage, rule)| Criterion {
                column: p.column.to_string(),
                label: stage.to_string(),
                rule,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::AttrValue;
    use crate::profile::CustomerId;

    fn profile(status: Option<&str>, days: Option<(i64, i64)>) -> Profile {
        let mut p = Profile::without_purchases(CustomerId::new("c").unwrap());
        if let Some(status) = status {
            p.attributes
                .insert("status", AttrValue::Text(status.into()));
        }
        if let Some((recency, tenure)) = days {
            (p.frequency, p.transactions, p.recency_days, p.tenure_days) =
                (1, 1, Some(recency), Some(tenure));
        }
        p
    }

    #[test]
    fn stages_and_their_boundaries() {
        let params = LifecycleParams::default();
        let cases = [
            (Some("non_customer"), Some((5, 5)), "non_customer"),
            (Some("target"), None, "target"),
            (Some("prospect"), None, "prospect"),
            (None, None, "prospect"),
            (Some("target"), Some((100, 100)), "dormant"),
            (None, Some((0, 90)), "new"),
            (None, Some((0, 91)), "active"),
            (None, Some((90, 400)), "active"),
            (None, Some((91, 400)), "dormant"),
            (None, Some((365, 400)), "dormant"),
            (None, Some((366, 400)), "lost"),
        ];
        for (status, days, want) in cases {
            assert_eq!(
                params.stage(&profile(status, days)).0,
                want,
                "{status:?} {days:?}"
            );
        }
    }

    #[test]
    fn limits_are_settings() {
        let params = LifecycleParams::default()
            .new_days(30)
            .active_days(30)
            .dormant_days(180);
        assert_eq!(params.stage(&profile(None, Some((31, 60)))).0, "dormant");
        assert_eq!(params.stage(&profile(None, Some((181, 600)))).0, "lost");
    }
}
