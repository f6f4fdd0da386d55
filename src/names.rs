//! Display names and service playbooks of the preset tiers and RFM segments
//! ([presets](crate::definitions#presets), [display
//! names](crate::definitions#display-names-and-playbooks)), in English, Traditional and
//! Simplified Chinese.
//!
//! Files always carry the lower-case keys (`platinum`, `level_1`, `champions`); these
//! names and playbooks are for tables and charts that people read. The table is plain
//! data, `presets/names.toml`.
//!
//! # Example
//!
//! ```
//! use customer_tiering::names::{display_name, playbook, Lang};
//! let lang: Lang = "zh-Hant".parse()?; // as `--lang zh-Hant` gives it
//! assert_eq!(display_name("metal", "platinum", lang), "白金顧客");
//! assert_eq!(display_name("metal", "platinum", Lang::En), "Platinum");
//! assert_eq!(display_name("rfm_segment", "loyal_customers", lang), "忠誠客戶");
//! let advice = playbook("metal", "platinum", Lang::En).unwrap();
//! assert!(advice.starts_with("Protect and deepen"));
//! assert!(playbook("metal", "platinum", lang).unwrap().starts_with("專屬資深客戶經理"));
//! # Ok::<(), String>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

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

/// A playbook, what the sales team does with customers of a tier, in English and, where
/// given, Traditional and Simplified Chinese.
///
/// In a file (`presets/names.toml`, a rule file's `[tier_info.X]`) it is either a plain
/// string, the English text, shown in every language, or a table by language: `en`
/// required, `zh-Hant` and `zh-Hans` optional, a language not given showing the English.
/// Any other key is an error.
///
/// ```toml
/// playbook = "Weekly call."
/// # or
/// playbook = { en = "Weekly call.", zh-Hant = "每週致電。", zh-Hans = "每周致电。" }
/// ```
///
/// # Example
/// ```
/// use customer_tiering::names::{Lang, Playbook};
/// let plain = Playbook { en: "Weekly call.".into(), zh_hant: None, zh_hans: None };
/// assert_eq!(plain.text(Lang::ZhHans), "Weekly call."); // no translation: the English
/// assert_eq!(plain.given(Lang::ZhHans), None);
/// let both = Playbook { zh_hans: Some("每周致电。".into()), ..plain };
/// assert_eq!(both.text(Lang::ZhHans), "每周致电。");
/// assert_eq!(both.text(Lang::ZhHant), "Weekly call.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playbook {
    /// The English text; also the text of a language the playbook does not give.
    pub en: String,
    /// The Traditional Chinese text, if given.
    pub zh_hant: Option<String>,
    /// The Simplified Chinese text, if given.
    pub zh_hans: Option<String>,
}

impl Playbook {
    /// The text in a language: the English where the playbook gives none for it.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::names::{info, Lang};
    /// let lost = info("lifecycle", "lost").unwrap().playbook.as_ref().unwrap();
    /// assert_eq!(lost.text(Lang::En), "Win-back contact; ask why they left.");
    /// assert_eq!(lost.text(Lang::ZhHans), "联系挽回；询问流失原因。");
    /// ```
    pub fn text(&self, lang: Lang) -> &str {
        self.given(lang).unwrap_or(&self.en)
    }

    /// The text the playbook gives for a language, without falling back to English.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::names::{Lang, Playbook};
    /// let plain = Playbook { en: "Weekly call.".into(), zh_hant: None, zh_hans: None };
    /// assert_eq!(plain.given(Lang::En), Some("Weekly call."));
    /// assert_eq!(plain.given(Lang::ZhHant), None);
    /// ```
    pub fn given(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => Some(&self.en),
            Lang::ZhHant => self.zh_hant.as_deref(),
            Lang::ZhHans => self.zh_hans.as_deref(),
        }
    }
}

/// A plain string when only English is given, so that files written before playbooks
/// had languages come back unchanged.
impl Serialize for Playbook {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.zh_hant.is_none() && self.zh_hans.is_none() {
            return serializer.serialize_str(&self.en);
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("en", &self.en)?;
        if let Some(text) = &self.zh_hant {
            map.serialize_entry("zh-Hant", text)?;
        }
        if let Some(text) = &self.zh_hans {
            map.serialize_entry("zh-Hans", text)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Playbook {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PlaybookVisitor)
    }
}

/// Reads a plain string or a table by language; by hand rather than an untagged enum so
/// that a wrong key gets an error naming it, not "did not match any variant".
struct PlaybookVisitor;

impl<'de> Visitor<'de> for PlaybookVisitor {
    type Value = Playbook;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a playbook: a string, or a table of en, zh-Hant and zh-Hans strings")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Playbook, E> {
        Ok(Playbook {
            en: text.to_string(),
            zh_hant: None,
            zh_hans: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Playbook, A::Error> {
        let (mut en, mut zh_hant, mut zh_hans) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "en" => &mut en,
                "zh-Hant" => &mut zh_hant,
                "zh-Hans" => &mut zh_hans,
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown playbook language {other:?} (en, zh-Hant or zh-Hans)"
                    )));
                }
            };
            if slot.is_some() {
                return Err(de::Error::custom(format!(
                    "playbook language {key:?} given twice"
                )));
            }
            *slot = Some(map.next_value::<String>()?);
        }
        let en = en.ok_or_else(|| {
            de::Error::custom(
                "a playbook by language needs `en`, the text of the languages it does not give",
            )
        })?;
        Ok(Playbook {
            en,
            zh_hant,
            zh_hans,
        })
    }
}

/// One label's names and playbook.
///
/// # Example
/// ```
/// use customer_tiering::names::{info, Lang};
/// let dormant = info("lifecycle", "dormant").unwrap();
/// assert_eq!(dormant.en, "Dormant");
/// assert_eq!((dormant.zh_hant.as_str(), dormant.zh_hans.as_str()), ("沉寂客戶", "沉寂客户"));
/// let playbook = dormant.playbook.as_ref().unwrap();
/// assert_eq!(playbook.text(Lang::En), "Reactivation offer.");
/// assert_eq!(playbook.text(Lang::ZhHant), "提供喚醒優惠。");
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
    /// What the sales team does with customers of this label; every preset label that
    /// has one gives it in all three languages (none for the grade's words).
    #[serde(default)]
    pub playbook: Option<Playbook>,
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

/// The display name of a label in a language; the key itself where no name is known
/// (a segment of a user's own map, a user's rule set tier).
///
/// # Example
/// ```
/// use customer_tiering::names::{display_name, Lang};
/// assert_eq!(display_name("level", "level_1", Lang::ZhHans), "一级客户");
/// assert_eq!(display_name("rfm_segment", "champions", Lang::ZhHans), "冠军客户");
/// assert_eq!(display_name("rfm_segment", "regulars", Lang::ZhHans), "regulars");
/// ```
pub fn display_name<'a>(column: &str, label: &'a str, lang: Lang) -> &'a str {
    match info(column, label) {
        Some(found) => found.name(lang),
        None => label,
    }
}

/// The playbook of a preset label in a language: none for an unknown label, and for the
/// grade's words (`dimension`, `level_name`, `relationship_level`), which have names only.
///
/// # Example
/// ```
/// use customer_tiering::names::{playbook, Lang};
/// assert_eq!(playbook("lifecycle", "dormant", Lang::En), Some("Reactivation offer."));
/// assert_eq!(playbook("lifecycle", "dormant", Lang::ZhHans), Some("提供唤醒优惠。"));
/// assert_eq!(playbook("rfm_segment", "cant_lose", Lang::ZhHant), Some("立即親自聯繫。"));
/// assert_eq!(playbook("dimension", "value", Lang::En), None);
/// assert_eq!(playbook("metal", "diamond", Lang::En), None);
/// ```
pub fn playbook(column: &str, label: &str, lang: Lang) -> Option<&'static str> {
    Some(info(column, label)?.playbook.as_ref()?.text(lang))
}

/// A metric's name as people read it in `lang`: in English its key (as the files
/// write it), in Chinese the sales term.
///
/// # Example
/// ```
/// use customer_tiering::names::{metric_name, Lang};
/// use customer_tiering::Metric;
/// assert_eq!(metric_name(Metric::Monetary, Lang::En), "monetary");
/// assert_eq!(metric_name(Metric::Monetary, Lang::ZhHant), "消費金額");
/// assert_eq!(metric_name(Metric::RecencyDays, Lang::ZhHans), "距上次购买天数");
/// ```
pub fn metric_name(metric: crate::profile::Metric, lang: Lang) -> &'static str {
    use crate::profile::Metric;
    let (zh_hant, zh_hans) = match metric {
        Metric::RecencyDays => ("距上次購買天數", "距上次购买天数"),
        Metric::Frequency => ("購買頻次", "购买频次"),
        Metric::Transactions => ("交易筆數", "交易笔数"),
        Metric::Monetary => ("消費金額", "消费金额"),
        Metric::Profit => ("利潤", "利润"),
        Metric::TenureDays => ("距首次購買天數", "距首次购买天数"),
        Metric::DistinctProducts => ("不同商品數", "不同商品数"),
        Metric::MonetaryCurrent => ("本期消費金額", "本期消费金额"),
        Metric::MonetaryPrevious => ("上期消費金額", "上期消费金额"),
        Metric::Growth => ("消費成長率", "消费增长率"),
    };
    match lang {
        Lang::En => metric.name(),
        Lang::ZhHant => zh_hant,
        Lang::ZhHans => zh_hans,
    }
}

/// The marker of a customer absent from one period of a comparison (files write
/// `(none)`), as people read it in `lang`.
///
/// # Example
/// ```
/// use customer_tiering::names::{absent, Lang};
/// assert_eq!(absent(Lang::En), "(none)");
/// assert_eq!(absent(Lang::ZhHant), "(未出現)");
/// ```
pub fn absent(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "(none)",
        Lang::ZhHant => "(未出現)",
        Lang::ZhHans => "(未出现)",
    }
}

/// The label columns the built-in classifiers and presets write (`tier` for a rule
/// set's default column), each with a [`column_name`].
///
/// # Example
/// ```
/// use customer_tiering::names::{column_name, Lang, PRESET_COLUMNS};
/// assert!(PRESET_COLUMNS.iter().all(|c| column_name(c, Lang::En) != *c));
/// ```
pub const PRESET_COLUMNS: [&str; 12] = [
    "r",
    "f",
    "m",
    "rfm_segment",
    "metal",
    "grade",
    "level",
    "value_tier",
    "abc",
    "lifecycle",
    "intent",
    "tier",
];

/// An output column's heading for people in `lang` (`metal` → `Metal tier`, `金屬層級`);
/// the column's key itself where none is known (an application's own column).
///
/// # Example
/// ```
/// use customer_tiering::names::{column_name, Lang};
/// assert_eq!(column_name("metal", Lang::ZhHant), "金屬層級");
/// assert_eq!(column_name("churn_risk", Lang::ZhHant), "churn_risk");
/// ```
pub fn column_name(column: &str, lang: Lang) -> &str {
    display_name("column_name", column, lang)
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

    /// Every preset label by column: the tier schemes, and each shipped segment map's
    /// labels read from the map itself, so that a new segment without names fails.
    fn preset_labels() -> Vec<(&'static str, String)> {
        let schemes: [(&str, &[&str]); 7] = [
            ("grade", &["a", "b", "c", "d"]),
            ("level", &["level_1", "level_2", "level_3", "level_4"]),
            ("value_tier", &["vip", "a", "b", "c", "d"]),
            ("metal", &["platinum", "gold", "iron", "lead"]),
            ("abc", &["a", "b", "c"]),
            ("lifecycle", &crate::classify::lifecycle::STAGES),
            ("intent", &["a", "b", "c"]),
        ];
        let mut labels: Vec<(&str, String)> = schemes
            .iter()
            .flat_map(|(column, labels)| labels.iter().map(|l| (*column, l.to_string())))
            .collect();
        for key in crate::classify::segments::PRESET_KEYS {
            let map = crate::classify::segments::SegmentMap::preset(key).unwrap();
            labels.extend(map.labels().into_iter().map(|l| ("rfm_segment", l.into())));
        }
        labels
    }

    #[test]
    fn every_preset_label_has_three_names_and_a_playbook() {
        let labels = preset_labels();
        // the three maps: 11 + 11 + 6 labels
        assert_eq!(
            labels.iter().filter(|(c, _)| *c == "rfm_segment").count(),
            28
        );
        for (column, label) in labels {
            let found = info(column, &label).unwrap_or_else(|| panic!("{column}.{label}"));
            assert!(!found.en.is_empty() && !found.zh_hant.is_empty() && !found.zh_hans.is_empty());
            let given = found
                .playbook
                .as_ref()
                .unwrap_or_else(|| panic!("{column}.{label}"));
            for lang in [Lang::En, Lang::ZhHant, Lang::ZhHans] {
                assert!(
                    given.given(lang).is_some_and(|t| !t.is_empty()),
                    "{column}.{label} {lang}"
                );
                assert_eq!(playbook(column, &label, lang), given.given(lang));
            }
        }
    }

    #[test]
    fn every_playbook_in_the_table_is_in_three_languages_and_translated() {
        for (column, labels) in table() {
            for (label, found) in labels {
                let Some(given) = &found.playbook else {
                    continue;
                };
                for lang in [Lang::ZhHant, Lang::ZhHans] {
                    let text = given
                        .given(lang)
                        .unwrap_or_else(|| panic!("{column}.{label} {lang}"));
                    assert_ne!(text, given.en, "{column}.{label} {lang}");
                }
                assert_ne!(given.zh_hant, given.zh_hans, "{column}.{label}");
            }
        }
    }

    #[test]
    fn every_chinese_name_is_translated() {
        for (column, labels) in table() {
            for (label, found) in labels {
                for name in [&found.zh_hant, &found.zh_hans] {
                    assert!(
                        name != label && *name != found.en && !name.is_empty(),
                        "{column}.{label}: {name:?} is not a translation"
                    );
                }
            }
        }
    }

    #[test]
    fn metals_playbooks_are_presets_words() {
        assert_eq!(
            playbook("metal", "lead", Lang::ZhHant),
            Some("自助與自動化管道，檢討定價與服務成本。")
        );
        assert_eq!(
            playbook("metal", "gold", Lang::ZhHans),
            Some("定期回顾、忠诚礼遇、交叉销售，推动升级为白金。")
        );
    }

    #[test]
    fn a_playbook_reads_a_string_or_a_table_by_language() {
        #[derive(Deserialize, Serialize)]
        struct Holder {
            playbook: Playbook,
        }
        let read = |text: &str| toml::from_str::<Holder>(text).map(|h| h.playbook);
        let plain = read(r#"playbook = "Call.""#).unwrap();
        assert_eq!(
            (plain.en.as_str(), plain.text(Lang::ZhHant)),
            ("Call.", "Call.")
        );
        let by_lang = read(r#"playbook = { en = "Call.", zh-Hans = "致电。" }"#).unwrap();
        assert_eq!(by_lang.text(Lang::ZhHans), "致电。");
        assert_eq!(by_lang.given(Lang::ZhHant), None);

        let err = |text: &str| read(text).unwrap_err().message().to_string();
        assert_eq!(
            err(r#"playbook = { en = "Call.", zh = "致电。" }"#),
            r#"unknown playbook language "zh" (en, zh-Hant or zh-Hans)"#
        );
        assert_eq!(
            err(r#"playbook = { zh-Hans = "致电。" }"#),
            "a playbook by language needs `en`, the text of the languages it does not give"
        );
        assert!(err("playbook = 3").contains("a playbook: a string"));
        assert!(err(r#"playbook = { en = 3 }"#).contains("invalid type"));

        // Only English: written back as the plain string it was read from.
        let back = toml::to_string(&Holder { playbook: plain }).unwrap();
        assert_eq!(back.trim(), r#"playbook = "Call.""#);
        let back = toml::to_string(&Holder {
            playbook: by_lang.clone(),
        })
        .unwrap();
        assert_eq!(read(&back).unwrap(), by_lang);
        let json = serde_json::to_string(&by_lang).unwrap();
        assert_eq!(json, r#"{"en":"Call.","zh-Hans":"致电。"}"#);
        assert_eq!(serde_json::from_str::<Playbook>(&json).unwrap(), by_lang);
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
