//! Display names and service playbooks of the preset tiers
//! ([presets](crate::definitions#presets), [display
//! names](crate::definitions#display-names-and-playbooks)), in English, Traditional and
//! Simplified Chinese.
//!
//! Files always carry the lower-case keys (`platinum`, `level_1`); these names are for
//! tables and charts that people read. The table is plain data, `presets/names.toml`.
//!
//! # Example
//!
//! ```
//! use customer_tiering::names::{display_name, playbook, Lang};
//! let lang: Lang = "zh-Hant".parse()?; // as `--lang zh-Hant` gives it
//! assert_eq!(display_name("metal", "platinum", lang), "白金顧客");
//! assert_eq!(display_name("metal", "platinum", Lang::En), "Platinum");
//! let advice = playbook("metal", "platinum").unwrap();
//! assert!(advice.starts_with("The most profitable customers"));
//! # Ok::<(), String>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

/// A display language.
///
/// Parsed from the `--lang` values (`en`, `zh-Hant`, `zh-Hans`, and `zh` for `zh-Hans`),
/// and displayed as its canonical tag.
///
/// # Example
/// ```
/// use customer_tiering::names::Lang;
/// assert_eq!("zh".parse::<Lang>(), Ok(Lang::ZhHans));
/// assert_eq!(Lang::ZhHans.to_string(), "zh-Hans");
/// assert_eq!(Lang::default(), Lang::En);
/// let err = "fr".parse::<Lang>().unwrap_err();
/// assert_eq!(err, r#"unknown language "fr" (en, zh-Hant, zh-Hans or zh)"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Traditional Chinese (`zh-Hant`).
    ZhHant,
    /// Simplified Chinese (`zh-Hans`, also `zh`).
    ZhHans,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "en" => Ok(Lang::En),
            "zh-Hant" => Ok(Lang::ZhHant),
            "zh-Hans" | "zh" => Ok(Lang::ZhHans),
            other => Err(format!(
                "unknown language {other:?} (en, zh-Hant, zh-Hans or zh)"
            )),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::En => "en",
            Lang::ZhHant => "zh-Hant",
            Lang::ZhHans => "zh-Hans",
        })
    }
}

/// One label's names and playbook.
///
/// # Example
/// ```
/// use customer_tiering::names::info;
/// let dormant = info("lifecycle", "dormant").unwrap();
/// assert_eq!(dormant.en, "Dormant");
/// assert_eq!((dormant.zh_hant.as_str(), dormant.zh_hans.as_str()), ("沉寂客戶", "沉寂客户"));
/// assert_eq!(dormant.playbook.as_deref(), Some("Reactivation offer."));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelInfo {
    /// English name.
    pub en: String,
    /// Traditional Chinese name.
    #[serde(rename = "zh-Hant")]
    pub zh_hant: String,
    /// Simplified Chinese name.
    #[serde(rename = "zh-Hans")]
    pub zh_hans: String,
    /// What the sales team does with customers of this label.
    #[serde(default)]
    pub playbook: Option<String>,
}

impl LabelInfo {
    /// The name in a language.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::names::{info, Lang};
    /// let iron = info("metal", "iron").unwrap();
    /// assert_eq!(iron.name(Lang::En), "Iron");
    /// assert_eq!(iron.name(Lang::ZhHans), "铁顾客");
    /// ```
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhHant => &self.zh_hant,
            Lang::ZhHans => &self.zh_hans,
        }
    }
}

type Table = BTreeMap<String, BTreeMap<String, LabelInfo>>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(include_str!("../presets/names.toml"))
            .expect("presets/names.toml is valid (tested)")
    })
}

/// The names and playbook of a preset label, by output column (`metal`, `grade` …;
/// also `dimension`, `level_name` and `relationship_level` for the grade's words).
///
/// # Example
/// ```
/// use customer_tiering::names::{info, Lang};
/// let gold = info("metal", "gold").unwrap();
/// assert_eq!(gold.name(Lang::En), "Gold");
/// assert_eq!((gold.name(Lang::ZhHant), gold.name(Lang::ZhHans)), ("黃金顧客", "黄金顾客"));
/// assert!(info("metal", "diamond").is_none());
/// ```
pub fn info(column: &str, label: &str) -> Option<&'static LabelInfo> {
    table().get(column)?.get(label)
}

/// The display name of a label in a language; the key itself where no name is known (RFM
/// segment names keep their keys in every language: [display
/// names](crate::definitions#display-names-and-playbooks)).
///
/// # Example
/// ```
/// use customer_tiering::names::{display_name, Lang};
/// assert_eq!(display_name("level", "level_1", Lang::ZhHans), "一级客户");
/// assert_eq!(display_name("rfm_segment", "champions", Lang::ZhHans), "champions");
/// ```
pub fn display_name<'a>(column: &str, label: &'a str, lang: Lang) -> &'a str {
    match info(column, label) {
        Some(found) => found.name(lang),
        None => label,
    }
}

/// The playbook of a preset label: none for an unknown label, and for the grade's
/// words (`dimension`, `level_name`, `relationship_level`), which have names only.
///
/// # Example
/// ```
/// use customer_tiering::names::playbook;
/// assert_eq!(playbook("lifecycle", "dormant"), Some("Reactivation offer."));
/// assert_eq!(playbook("dimension", "value"), None);
/// assert_eq!(playbook("metal", "diamond"), None);
/// ```
pub fn playbook(column: &str, label: &str) -> Option<&'static str> {
    info(column, label)?.playbook.as_deref()
}

/// The marker of customers a classifier left without a label (files write
/// `(unscored)`), as people read it in `lang`.
///
/// # Example
/// ```
/// use customer_tiering::names::{unscored, Lang};
/// assert_eq!(unscored(Lang::En), "(unscored)");
/// assert_eq!(unscored(Lang::ZhHans), "(未评分)");
/// ```
pub fn unscored(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "(unscored)",
        Lang::ZhHant => "(未評分)",
        Lang::ZhHans => "(未评分)",
    }
}

/// Whether `name` is lower snake case, `[a-z][a-z0-9_]*`: what output columns and the
/// kinds of classifiers and rules must be.
pub(crate) fn is_snake_case(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_label_has_three_names_and_a_playbook() {
        let schemes: [(&str, &[&str]); 7] = [
            ("grade", &["a", "b", "c", "d"]),
            ("level", &["level_1", "level_2", "level_3", "level_4"]),
            ("value_tier", &["vip", "a", "b", "c", "d"]),
            ("metal", &["platinum", "gold", "iron", "lead"]),
            ("abc", &["a", "b", "c"]),
            ("lifecycle", &crate::classify::lifecycle::STAGES),
            ("intent", &["a", "b", "c"]),
        ];
        for (column, labels) in schemes {
            for label in labels {
                let found = info(column, label).unwrap_or_else(|| panic!("{column}.{label}"));
                assert!(!found.zh_hant.is_empty() && !found.zh_hans.is_empty());
                assert!(playbook(column, label).is_some(), "{column}.{label}");
            }
        }
    }

    #[test]
    fn spec_names() {
        assert_eq!(
            display_name("lifecycle", "dormant", Lang::ZhHant),
            "沉寂客戶"
        );
        assert_eq!(
            display_name("relationship_level", "high", Lang::ZhHans),
            "紧密型"
        );
        assert_eq!(display_name("level_name", "none", Lang::ZhHant), "無");
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::ZhHans));
        assert!("fr".parse::<Lang>().is_err());
    }
}
