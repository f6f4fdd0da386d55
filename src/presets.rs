//! The tier schemes the crate ships, by key ([presets](crate::definitions#presets)): each
//! is plain data, the same settings a user could write.
//!
//! | key | column | labels, best first |
//! |---|---|---|
//! | `four-dimension` | `grade` | a, b, c, d |
//! | `four-levels` | `level` | level_1 … level_4 |
//! | `value-tiers` | `value_tier` | vip, a, b, c, d |
//! | `metals` | `metal` | platinum, gold, iron, lead |
//! | `abc` | `abc` | a, b, c |
//! | `lifecycle` | `lifecycle` | (no order) non_customer, target, prospect, new, active, dormant, lost |
//! | `intent` | `intent` | a, b, c (a rule set over the `intent` attribute) |
//!
//! The RFM segment maps (`rfm-default`, `rfm-rsquaredacademy`, `rfm-pymc`) are presets of
//! [`SegmentMap`]. [`preset`] finds any of them by key.
//!
//! # Example
//!
//! ```
//! use customer_tiering::presets::{self, Preset};
//! use customer_tiering::PipelineBuilder;
//!
//! let metals = presets::classifier("metals")?;
//! assert_eq!(PipelineBuilder::new().classifier(metals).build()?.columns(), ["metal"]);
//!
//! let Preset::SegmentMap(pymc) = presets::preset("rfm-pymc")? else { panic!("a segment map") };
//! assert_eq!((pymc.bins(), pymc.fallback()), (4, "other"));
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use crate::classify::AnyParams;
use crate::classify::composite::CompositeParams;
use crate::classify::grade::GradeParams;
use crate::classify::lifecycle::LifecycleParams;
use crate::classify::pareto::ParetoParams;
use crate::classify::segments::{self, SegmentMap};
use crate::error::{ConfigError, Error};
use crate::rules::{self, RuleSet};

/// The keys of the classifier presets.
///
/// # Example
/// ```
/// use customer_tiering::presets::{classifier, CLASSIFIER_KEYS};
/// use customer_tiering::PipelineBuilder;
/// let mut columns = Vec::new();
/// for key in CLASSIFIER_KEYS {
///     columns.extend(PipelineBuilder::new().classifier(classifier(key)?).build()?.columns());
/// }
/// assert_eq!(columns, ["grade", "level", "value_tier", "metal", "abc", "lifecycle"]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
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
/// assert_eq!(classifier("four-dimension")?.kind(), "grade");
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

/// Any shipped preset: a classifier, an RFM segment map, or a rule set.
///
/// # Example
/// ```
/// use customer_tiering::presets::{preset, Preset};
/// match preset("rfm-default")? {
///     Preset::SegmentMap(map) => assert_eq!((map.bins(), map.fallback()), (5, "others")),
///     other => panic!("not a segment map: {other:?}"),
/// }
/// let Preset::Rules(intent) = preset("intent")? else { panic!("a rule set") };
/// assert_eq!(intent.column(), "intent");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Preset {
    /// A classifier's settings.
    Classifier(AnyParams),
    /// An RFM segment map.
    SegmentMap(SegmentMap),
    /// A rule set (the `intent` scheme).
    Rules(RuleSet),
}

/// Every preset key, in the order of the [presets](crate::definitions#presets) table.
///
/// # Example
/// ```
/// use customer_tiering::presets::{all_keys, preset};
/// let keys = all_keys();
/// assert_eq!(&keys[..2], ["four-dimension", "four-levels"]); // the classifiers first
/// assert_eq!(&keys[6..], ["intent", "rfm-default", "rfm-rsquaredacademy", "rfm-pymc"]);
/// assert!(keys.iter().all(|key| preset(key).is_ok()));
/// ```
pub fn all_keys() -> Vec<&'static str> {
    let mut keys = CLASSIFIER_KEYS.to_vec();
    keys.extend(rules::PRESET_KEYS);
    keys.extend(segments::PRESET_KEYS);
    keys
}

/// Finds any preset by key.
///
/// # Errors
/// [`ConfigError::UnknownPreset`] listing every key.
///
/// # Example
/// ```
/// use customer_tiering::presets::{preset, Preset};
/// assert!(matches!(preset("intent")?, Preset::Rules(_)));
/// assert!(matches!(preset("rfm-pymc")?, Preset::SegmentMap(_)));
/// assert!(matches!(preset("value-tiers")?, Preset::Classifier(_)));
/// let err = preset("diamond").unwrap_err().to_string();
/// assert!(err.starts_with(r#"unknown preset "diamond"; known presets: four-dimension, "#));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn preset(key: &str) -> Result<Preset, Error> {
    if CLASSIFIER_KEYS.contains(&key) {
        Ok(Preset::Classifier(classifier(key)?))
    } else if rules::PRESET_KEYS.contains(&key) {
        Ok(Preset::Rules(RuleSet::preset(key)?))
    } else if segments::PRESET_KEYS.contains(&key) {
        Ok(Preset::SegmentMap(SegmentMap::preset(key)?))
    } else {
        Err(ConfigError::UnknownPreset {
            key: key.to_string(),
            known: all_keys().join(", "),
        }
        .into())
    }
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
