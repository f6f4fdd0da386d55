//! Lifecycle stages (SPEC §7, PRESETS §1e): from `status`, purchases and recency.
//!
//! First match wins: `non_customer` (status says so) · `target` (no purchases, status
//! target) · `prospect` (no purchases) · `new` (`tenure_days` ≤ 90) · `active`
//! (`recency_days` ≤ 90) · `dormant` (`recency_days` ≤ 365) · `lost`. The day limits are
//! settings. Nothing is fitted: the model is the settings, and every customer gets a
//! stage.

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::{Classifier, Label, Model};
use crate::error::{ConfigError, Error};
use crate::profile::{Population, Profile};

/// The stages, in SPEC §7's order of evaluation (they have no tier order).
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
    #[must_use]
    pub fn column(mut self, column: &str) -> Self {
        self.column = SmolStr::new(column);
        self
    }

    /// Sets the tenure limit of `new`.
    #[must_use]
    pub fn new_days(mut self, days: u32) -> Self {
        self.new_days = days;
        self
    }

    /// Sets the recency limit of `active`.
    #[must_use]
    pub fn active_days(mut self, days: u32) -> Self {
        self.active_days = days;
        self
    }

    /// Sets the recency limit of `dormant`.
    #[must_use]
    pub fn dormant_days(mut self, days: u32) -> Self {
        self.dormant_days = days;
        self
    }

    /// The output column.
    pub fn get_column(&self) -> &str {
        &self.column
    }

    /// Checks that `active` does not outlast `dormant`.
    ///
    /// # Errors
    /// [`ConfigError::Pipeline`] naming the limits.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.active_days > self.dormant_days {
            return Err(ConfigError::Pipeline {
                reason: format!(
                    "lifecycle: active_days ({}) is longer than dormant_days ({})",
                    self.active_days, self.dormant_days
                ),
            });
        }
        Ok(())
    }

    /// The stage of a profile, and the figure that decided it.
    fn stage(&self, profile: &Profile) -> (&'static str, String) {
        let status = profile.attributes.text("status");
        if status == Some("non_customer") {
            return ("non_customer", "status is non_customer".into());
        }
        let (Some(recency), Some(tenure)) = (profile.recency_days, profile.tenure_days) else {
            return if status == Some("target") {
                ("target", "no purchase, status is target".into())
            } else {
                ("prospect", "no purchase".into())
            };
        };
        if tenure <= i64::from(self.new_days) {
            (
                "new",
                format!("first purchase {tenure} days ago (≤ {})", self.new_days),
            )
        } else if recency <= i64::from(self.active_days) {
            (
                "active",
                format!("last purchase {recency} days ago (≤ {})", self.active_days),
            )
        } else if recency <= i64::from(self.dormant_days) {
            (
                "dormant",
                format!("last purchase {recency} days ago (≤ {})", self.dormant_days),
            )
        } else {
            (
                "lost",
                format!("last purchase {recency} days ago (> {})", self.dormant_days),
            )
        }
    }
}

impl Classifier for LifecycleParams {
    type Model = LifecycleModel;

    fn fit(&self, population: &Population) -> Result<LifecycleModel, Error> {
        self.validate()?;
        Ok(LifecycleModel {
            params: self.clone(),
            fit_size: population.len(),
        })
    }
}

/// The fitted lifecycle classifier: its settings (nothing is learnt from data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleModel {
    params: LifecycleParams,
    fit_size: usize,
}

impl LifecycleModel {
    /// The settings.
    pub fn params(&self) -> &LifecycleParams {
        &self.params
    }

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

    /// Checks a loaded model.
    ///
    /// # Errors
    /// As [`LifecycleParams::validate`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()
    }
}

impl Model for LifecycleModel {
    fn columns(&self) -> Vec<String> {
        vec![self.params.column.to_string()]
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(Label::Name(SmolStr::new_static(self.stage(profile))));
    }

    fn explain(&self, profile: &Profile) -> Vec<String> {
        let (stage, why) = self.params.stage(profile);
        vec![format!("{} = {stage}: {why}", self.params.column)]
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
