//! The tier schemes the crate ships, by key (PRESETS.md): each is plain data, the same
//! settings a user could write.
//!
//! | key | column | labels, best first |
//! |---|---|---|
//! | `four-dimension` | `grade` | a, b, c, d |
//! | `four-levels` | `level` | level_1 … level_4 |
//! | `value-tiers` | `value_tier` | vip, a, b, c, d |
//! | `metals` | `metal` | platinum, gold, iron, lead |
//! | `abc` | `abc` | a, b, c |
//! | `lifecycle` | `lifecycle` | (no order) non_customer, target, prospect, new, active, dormant, lost |
//!
//! The RFM segment maps (`rfm-default`, `rfm-rsquaredacademy`, `rfm-pymc`) are presets of
//! [`SegmentMap`](crate::classify::segments::SegmentMap).

use crate::classify::composite::CompositeParams;
use crate::classify::grade::GradeParams;
use crate::classify::lifecycle::LifecycleParams;
use crate::classify::pareto::ParetoParams;
use crate::error::ConfigError;
use crate::pipeline::AnyParams;

/// The keys of the classifier presets.
pub const CLASSIFIER_KEYS: &[&str] = &[
    "four-dimension",
    "four-levels",
    "value-tiers",
    "metals",
    "abc",
    "lifecycle",
];

/// The settings of a classifier preset.
///
/// # Errors
/// [`ConfigError::UnknownPreset`] listing the known keys.
///
/// # Example
/// ```
/// use customer_tiering::presets::classifier;
/// use customer_tiering::AnyParams;
/// assert!(matches!(classifier("four-dimension")?, AnyParams::Grade(_)));
/// assert!(classifier("platinum").is_err());
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
pub fn classifier(key: &str) -> Result<AnyParams, ConfigError> {
    Ok(match key {
        "four-dimension" => GradeParams::four_dimension().into(),
        "four-levels" => GradeParams::four_levels().into(),
        "value-tiers" => CompositeParams::value_tiers().into(),
        "metals" => ParetoParams::metals().into(),
        "abc" => ParetoParams::abc().into(),
        "lifecycle" => LifecycleParams::default().into(),
        other => {
            return Err(ConfigError::UnknownPreset {
                key: other.to_string(),
                known: CLASSIFIER_KEYS.join(", "),
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_loads_and_validates() {
        for key in CLASSIFIER_KEYS {
            let params = classifier(key).unwrap();
            crate::PipelineBuilder::new()
                .classifier(params)
                .build()
                .unwrap();
        }
    }
}
