//! Named [RFM segments](crate::definitions#named-rfm-segments): a segment
//! map turns (R, F, M) scores into a segment by an ordered list of rules over inclusive
//! score ranges; the first rule that matches wins, and a cell no rule covers gets the map's
//! fallback.
//!
//! A map is data (TOML or JSON), validated when it is loaded or deserialised, so a saved
//! model can never hold a broken one. [`SegmentMap::check`] reports what a map author
//! needs to know: cells that fall to the fallback, rules that can never fire, and cells
//! where order decides.
//!
//! Shipped presets ([RFM segments](crate::definitions#named-rfm-segments)), each reproduced
//! exactly from its source:
//!
//! | key | k | rules | fallback |
//! |---|---|---|---|
//! | `rfm-default` | 5 | the R×F grid of [RFM segments](crate::definitions#named-rfm-segments) (M not used), all 25 cells, no overlap | `others` |
//! | `rfm-rsquaredacademy` | 5 | the ten ordered rules of the R package `rfm` | `others` |
//! | `rfm-pymc` | 4 | pymc-marketing's five segments as explicit cells | `other` |
//!
//! # Example
//!
//! A map of one's own, for tertiles (k = 3), checked before it is used:
//!
//! ```
//! # use customer_tiering::classify::{Classifier as _, Model as _};
//! use customer_tiering::classify::{rfm::RfmParams, segments::SegmentMap};
//!
//! let map = SegmentMap::from_toml_str("vip.toml", r#"
//!     name = "vip"
//!     bins = 3
//!     fallback = "regular"
//!
//!     [[rules]]
//!     segment = "vip"
//!     r = [3, 3]
//!     f = [3, 3]
//!
//!     [[rules]]
//!     segment = "lapsed"
//!     r = [1, 1]
//! "#)?;
//! assert_eq!((map.segment(3, 3, 1), map.segment(1, 3, 3), map.segment(2, 3, 3)),
//!            ("vip", "lapsed", "regular"));
//!
//! let report = map.check();
//! assert_eq!(report.uncovered.len(), 15); // R 2, and R 3 with F below 3: the fallback
//! assert!(report.never_fire.is_empty());
//!
//! RfmParams::default().bins(3).segment_map(Some(map)).validate()?;
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::classify::Warning;
use crate::error::{ConfigError, Error, parse_error, toml_error};

/// The keys of the shipped segment maps.
///
/// # Example
/// ```
/// use customer_tiering::classify::segments::{SegmentMap, PRESET_KEYS};
/// for key in PRESET_KEYS {
///     let map = SegmentMap::preset(key)?;
///     assert_eq!(map.name(), *key);
/// }
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
pub const PRESET_KEYS: &[&str] = &["rfm-default", "rfm-rsquaredacademy", "rfm-pymc"];

const PRESET_FILES: [(&str, &str); 3] = [
    (
        "rfm-default",
        include_str!("../../presets/rfm/rfm-default.toml"),
    ),
    (
        "rfm-rsquaredacademy",
        include_str!("../../presets/rfm/rfm-rsquaredacademy.toml"),
    ),
    ("rfm-pymc", include_str!("../../presets/rfm/rfm-pymc.toml")),
];

/// An inclusive range of scores, written `[lo, hi]`.
///
/// # Example
/// ```
/// use customer_tiering::classify::segments::ScoreRange;
/// let range = ScoreRange::from([2, 4]);
/// assert_eq!((range.lo, range.hi), (2, 4));
/// assert_eq!(range.to_string(), "2-4");
/// assert_eq!(ScoreRange::from([5, 5]).to_string(), "5");
/// assert_eq!(serde_json::to_string(&range).unwrap(), "[2,4]"); // the file form
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "[u8; 2]", into = "[u8; 2]")]
pub struct ScoreRange {
    /// The lowest score included.
    pub lo: u8,
    /// The highest score included.
    pub hi: u8,
}

impl From<[u8; 2]> for ScoreRange {
    fn from([lo, hi]: [u8; 2]) -> Self {
        ScoreRange { lo, hi }
    }
}

impl From<ScoreRange> for [u8; 2] {
    fn from(range: ScoreRange) -> Self {
        [range.lo, range.hi]
    }
}

impl ScoreRange {
    fn contains(self, score: u8) -> bool {
        (self.lo..=self.hi).contains(&score)
    }
}

impl fmt::Display for ScoreRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}-{}", self.lo, self.hi)
        }
    }
}

/// One rule of a segment map: a segment and the cells it claims, either as score ranges
/// (an absent range means any score) or as an explicit list of (R, F, M) cells.
///
/// # Example
/// ```
/// use customer_tiering::classify::segments::SegmentRule;
/// let champions = SegmentRule::ranges("champions", Some([5, 5]), Some([4, 5]), None);
/// assert_eq!(champions.to_string(), "R 5, F 4-5");
/// assert!(champions.matches(5, 4, 1));
/// assert!(!champions.matches(4, 5, 5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    segment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    r: Option<ScoreRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<ScoreRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    m: Option<ScoreRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cells: Option<Vec<[u8; 3]>>,
}

impl SegmentRule {
    /// A rule over score ranges; `None` means any score.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentRule;
    /// let at_risk = SegmentRule::ranges("at_risk", Some([1, 2]), Some([3, 4]), None);
    /// assert!(at_risk.matches(2, 3, 5)); // any M
    /// assert!(!at_risk.matches(3, 3, 5));
    /// ```
    pub fn ranges(
        segment: &str,
        r: Option<[u8; 2]>,
        f: Option<[u8; 2]>,
        m: Option<[u8; 2]>,
    ) -> Self {
        SegmentRule {
            segment: segment.to_string(),
            r: r.map(ScoreRange::from),
            f: f.map(ScoreRange::from),
            m: m.map(ScoreRange::from),
            cells: None,
        }
    }

    /// A rule over an explicit list of (R, F, M) cells.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentRule;
    /// let premium = SegmentRule::cells("premium", vec![[4, 4, 4], [4, 4, 3]]);
    /// assert!(premium.matches(4, 4, 3));
    /// assert!(!premium.matches(4, 3, 4));
    /// assert_eq!(premium.to_string(), "2 cells");
    /// ```
    pub fn cells(segment: &str, cells: Vec<[u8; 3]>) -> Self {
        SegmentRule {
            segment: segment.to_string(),
            r: None,
            f: None,
            m: None,
            cells: Some(cells),
        }
    }

    /// The segment the rule assigns.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::{SegmentMap, SegmentRule};
    /// assert_eq!(SegmentRule::cells("vip", vec![[2, 2, 2]]).segment(), "vip");
    /// assert_eq!(SegmentMap::default().rules()[0].segment(), "champions");
    /// ```
    pub fn segment(&self) -> &str {
        &self.segment
    }

    /// Whether the rule covers a cell.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentRule;
    /// let recent = SegmentRule::ranges("recent", Some([5, 5]), None, None); // F, M: any
    /// assert!(recent.matches(5, 1, 1) && recent.matches(5, 5, 5));
    /// assert!(!recent.matches(4, 5, 5));
    /// ```
    pub fn matches(&self, r: u8, f: u8, m: u8) -> bool {
        match &self.cells {
            Some(cells) => cells.contains(&[r, f, m]),
            None => [(self.r, r), (self.f, f), (self.m, m)]
                .iter()
                .all(|(range, score)| range.is_none_or(|range| range.contains(*score))),
        }
    }
}

impl fmt::Display for SegmentRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(cells) = &self.cells {
            return write!(f, "{} cells", cells.len());
        }
        let parts: Vec<String> = [("R", self.r), ("F", self.f), ("M", self.m)]
            .iter()
            .filter_map(|(name, range)| range.map(|r| format!("{name} {r}")))
            .collect();
        if parts.is_empty() {
            f.write_str("every cell")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// The file form of a map, before validation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentMapData {
    name: String,
    bins: u8,
    fallback: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    display_names: BTreeMap<String, BTreeMap<String, String>>,
    rules: Vec<SegmentRule>,
}

/// A validated segment map with a precomputed lookup table of its `k³` cells.
///
/// # Example
/// ```
/// use customer_tiering::classify::segments::SegmentMap;
/// let map = SegmentMap::default(); // rfm-default
/// assert_eq!(map.segment(5, 5, 1), "champions");
/// assert_eq!(map.segment(1, 1, 5), "hibernating");
/// let report = map.check();
/// assert!(report.uncovered.is_empty() && report.never_fire.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SegmentMapData", into = "SegmentMapData")]
pub struct SegmentMap {
    name: String,
    bins: u8,
    fallback: String,
    source: Option<String>,
    display_names: BTreeMap<String, BTreeMap<String, String>>,
    rules: Vec<SegmentRule>,
    /// For each cell (index `((r−1)·k + (f−1))·k + (m−1)`), the first matching rule;
    /// `NONE` for the fallback.
    table: Vec<u16>,
}

const NONE: u16 = u16::MAX;

impl From<SegmentMap> for SegmentMapData {
    fn from(map: SegmentMap) -> Self {
        SegmentMapData {
            name: map.name,
            bins: map.bins,
            fallback: map.fallback,
            source: map.source,
            display_names: map.display_names,
            rules: map.rules,
        }
    }
}

impl TryFrom<SegmentMapData> for SegmentMap {
    type Error = ConfigError;

    fn try_from(data: SegmentMapData) -> Result<Self, ConfigError> {
        let fail = |reason: String| ConfigError::SegmentMap {
            map: data.name.clone(),
            reason,
        };
        let k = data.bins;
        if !(2..=10).contains(&k) {
            return Err(fail(format!("bins must be in 2..=10, got {k}")));
        }
        if data.fallback.trim().is_empty() {
            return Err(fail("the fallback segment name is empty".into()));
        }
        if data.rules.is_empty() {
            return Err(fail("no rules".into()));
        }
        // The cell table holds rule indices as u16, with u16::MAX for the fallback.
        if data.rules.len() >= usize::from(NONE) {
            return Err(fail(format!(
                "{} rules; at most {} (a {k}-bin map has only {} cells)",
                data.rules.len(),
                NONE - 1,
                usize::from(k).pow(3)
            )));
        }
        for (i, rule) in data.rules.iter().enumerate() {
            let at =
                |problem: String| fail(format!("rule {} ({}): {problem}", i + 1, rule.segment));
            if rule.segment.trim().is_empty() {
                return Err(fail(format!("rule {}: the segment name is empty", i + 1)));
            }
            let has_ranges = rule.r.is_some() || rule.f.is_some() || rule.m.is_some();
            match &rule.cells {
                Some(_) if has_ranges => {
                    return Err(at(
                        "has both score ranges and cells; use one or the other".into()
                    ));
                }
                Some(cells) if cells.is_empty() => return Err(at("the cell list is empty".into())),
                Some(cells) => {
                    if let Some(cell) = cells
                        .iter()
                        .find(|c| c.iter().any(|s| !(1..=k).contains(s)))
                    {
                        return Err(at(format!("cell {cell:?} has a score outside 1..={k}")));
                    }
                }
                None => {
                    for (name, range) in [("r", rule.r), ("f", rule.f), ("m", rule.m)] {
                        let Some(range) = range else { continue };
                        if range.lo > range.hi {
                            return Err(at(format!(
                                "{name} range [{}, {}] is empty",
                                range.lo, range.hi
                            )));
                        }
                        if range.lo < 1 || range.hi > k {
                            return Err(at(format!(
                                "{name} range [{}, {}] is outside 1..={k}",
                                range.lo, range.hi
                            )));
                        }
                    }
                }
            }
        }
        let table = build_table(k, &data.rules);
        Ok(SegmentMap {
            name: data.name,
            bins: data.bins,
            fallback: data.fallback,
            source: data.source,
            display_names: data.display_names,
            rules: data.rules,
            table,
        })
    }
}

/// Every cell (R, F, M) of a `k`-bin map, in R, F, M order.
fn cells(k: u8) -> impl Iterator<Item = [u8; 3]> {
    (1..=k).flat_map(move |r| (1..=k).flat_map(move |f| (1..=k).map(move |m| [r, f, m])))
}

fn build_table(k: u8, rules: &[SegmentRule]) -> Vec<u16> {
    cells(k)
        .map(|[r, f, m]| {
            rules
                .iter()
                .position(|rule| rule.matches(r, f, m))
                // fewer than u16::MAX rules: checked on load
                .map_or(NONE, |i| u16::try_from(i).unwrap_or(NONE))
        })
        .collect()
}

impl Default for SegmentMap {
    /// The `rfm-default` map ([RFM segments](crate::definitions#named-rfm-segments)).
    fn default() -> Self {
        SegmentMap::preset("rfm-default").expect("the shipped default map is valid")
    }
}

impl SegmentMap {
    /// Builds a map from its parts, validated.
    ///
    /// # Errors
    /// [`ConfigError::SegmentMap`] naming the map, the rule and the problem.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::{SegmentMap, SegmentRule};
    /// let top = SegmentRule::ranges("top", Some([3, 3]), Some([3, 3]), None);
    /// let map = SegmentMap::new("mine", 3, "rest", vec![top])?;
    /// assert_eq!((map.segment(3, 3, 1), map.segment(3, 2, 1)), ("top", "rest"));
    ///
    /// let too_wide = SegmentRule::ranges("top", Some([3, 4]), None, None);
    /// let err = SegmentMap::new("mine", 3, "rest", vec![too_wide]).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"segment map "mine": rule 1 (top): r range [3, 4] is outside 1..=3"#
    /// );
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn new(
        name: &str,
        bins: u8,
        fallback: &str,
        rules: Vec<SegmentRule>,
    ) -> Result<Self, ConfigError> {
        SegmentMap::try_from(SegmentMapData {
            name: name.to_string(),
            bins,
            fallback: fallback.to_string(),
            source: None,
            display_names: BTreeMap::new(),
            rules,
        })
    }

    /// Loads a shipped map by key (see [`PRESET_KEYS`]).
    ///
    /// # Errors
    /// [`ConfigError::UnknownPreset`] for an unknown key.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let pymc = SegmentMap::preset("rfm-pymc")?;
    /// assert_eq!((pymc.bins(), pymc.segment(4, 4, 4)), (4, "premium_customer"));
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn preset(key: &str) -> Result<Self, ConfigError> {
        let text = crate::error::embedded_preset(&PRESET_FILES, key)?;
        let data: SegmentMapData = toml::from_str(text).map_err(|e| ConfigError::SegmentMap {
            map: key.to_string(),
            reason: e.to_string(),
        })?;
        SegmentMap::try_from(data)
    }

    /// Loads a map from TOML; `what` (a file name) goes into errors.
    ///
    /// # Errors
    /// [`Error::Parse`] for a syntax error or an unknown field; [`Error::Config`] for an
    /// invalid map.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let map = SegmentMap::from_toml_str("two.toml", r#"
    ///     name = "two"
    ///     bins = 2
    ///     fallback = "rest"
    ///     [[rules]]
    ///     segment = "best"
    ///     r = [2, 2]
    ///     f = [2, 2]
    /// "#)?;
    /// assert_eq!((map.segment(2, 2, 1), map.segment(1, 2, 2)), ("best", "rest"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_toml_str(what: &str, text: &str) -> Result<Self, Error> {
        let data: SegmentMapData = toml::from_str(text).map_err(|e| toml_error(what, text, &e))?;
        Ok(SegmentMap::try_from(data)?)
    }

    /// Loads a map from JSON; `what` (a file name) goes into errors.
    ///
    /// # Errors
    /// As [`from_toml_str`](Self::from_toml_str).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let map = SegmentMap::from_json_str("two.json", r#"{
    ///     "name": "two", "bins": 2, "fallback": "rest",
    ///     "rules": [{"segment": "best", "r": [2, 2], "f": [2, 2]}]
    /// }"#)?;
    /// assert_eq!((map.segment(2, 2, 1), map.segment(1, 2, 2)), ("best", "rest"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_json_str(what: &str, text: &str) -> Result<Self, Error> {
        let data: SegmentMapData = serde_json::from_str(text).map_err(|e| parse_error(what, e))?;
        Ok(SegmentMap::try_from(data)?)
    }

    /// The map's name.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// assert_eq!(SegmentMap::default().name(), "rfm-default");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of bins `k` the map is written for.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// assert_eq!(SegmentMap::default().bins(), 5);
    /// assert_eq!(SegmentMap::preset("rfm-pymc")?.bins(), 4); // quartiles
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn bins(&self) -> u8 {
        self.bins
    }

    /// The segment of cells no rule covers.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let pymc = SegmentMap::preset("rfm-pymc")?;
    /// assert_eq!(pymc.fallback(), "other");
    /// assert_eq!(pymc.segment(1, 4, 1), "other"); // a cell none of its five segments lists
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn fallback(&self) -> &str {
        &self.fallback
    }

    /// Where the map comes from.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::{SegmentMap, SegmentRule};
    /// let pymc = SegmentMap::preset("rfm-pymc")?;
    /// assert!(pymc.source().unwrap().starts_with("pymc-marketing"));
    /// let all = SegmentRule::ranges("all", None, None, None);
    /// assert_eq!(SegmentMap::new("mine", 2, "rest", vec![all])?.source(), None);
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The rules, in order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let map = SegmentMap::default();
    /// assert_eq!(map.rules().len(), 10);
    /// assert_eq!(map.rules()[0].to_string(), "R 5, F 4-5"); // champions
    /// ```
    pub fn rules(&self) -> &[SegmentRule] {
        &self.rules
    }

    /// A segment's display name in a language (`zh-Hans` …), when the map supplies one;
    /// otherwise the segment key itself ([display
    /// names](crate::definitions#display-names-and-playbooks)).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let map = SegmentMap::from_toml_str("two.toml", r#"
    ///     name = "two"
    ///     bins = 2
    ///     fallback = "rest"
    ///     [display_names.zh-Hans]
    ///     best = "重要价值客户"
    ///     [[rules]]
    ///     segment = "best"
    ///     r = [2, 2]
    /// "#)?;
    /// assert_eq!(map.display_name("best", "zh-Hans"), "重要价值客户");
    /// assert_eq!(map.display_name("rest", "zh-Hans"), "rest"); // no name given: the key
    /// assert_eq!(map.display_name("best", "en"), "best");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn display_name<'a>(&'a self, segment: &'a str, lang: &str) -> &'a str {
        self.display_names
            .get(lang)
            .and_then(|names| names.get(segment))
            .map_or(segment, String::as_str)
    }

    /// The distinct segment names, in rule order, then the fallback.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::{SegmentMap, SegmentRule};
    /// let rules = vec![
    ///     SegmentRule::ranges("top", Some([2, 2]), Some([2, 2]), None),
    ///     SegmentRule::ranges("low", Some([1, 1]), None, None),
    ///     SegmentRule::cells("top", vec![[2, 1, 2]]), // a second rule for "top"
    /// ];
    /// let map = SegmentMap::new("mine", 2, "rest", rules)?;
    /// assert_eq!(map.labels(), ["top", "low", "rest"]);
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn labels(&self) -> Vec<&str> {
        let mut labels: Vec<&str> = Vec::new();
        for name in self
            .rules
            .iter()
            .map(|r| r.segment.as_str())
            .chain([self.fallback.as_str()])
        {
            if !labels.contains(&name) {
                labels.push(name);
            }
        }
        labels
    }

    fn cell_index(&self, r: u8, f: u8, m: u8) -> Option<usize> {
        let k = self.bins;
        if [r, f, m].iter().any(|s| !(1..=k).contains(s)) {
            return None;
        }
        let (k, r, f, m) = (
            usize::from(k),
            usize::from(r - 1),
            usize::from(f - 1),
            usize::from(m - 1),
        );
        Some((r * k + f) * k + m)
    }

    /// The first rule that covers (R, F, M), with its 0-based index; none when the cell
    /// falls to the fallback (or a score is outside `1..=k`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let map = SegmentMap::preset("rfm-rsquaredacademy")?;
    /// let (index, rule) = map.matching_rule(5, 5, 5).unwrap();
    /// assert_eq!((index, rule.segment()), (0, "champions"));
    /// assert!(map.matching_rule(2, 1, 5).is_none()); // no rule covers it: "others"
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn matching_rule(&self, r: u8, f: u8, m: u8) -> Option<(usize, &SegmentRule)> {
        let index = self.table[self.cell_index(r, f, m)?];
        (index != NONE).then(|| (usize::from(index), &self.rules[usize::from(index)]))
    }

    /// The segment of (R, F, M): the first matching rule's, else the fallback (also for
    /// scores outside `1..=k`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let map = SegmentMap::default();
    /// assert_eq!(map.segment(4, 1, 3), "promising"); // rfm-default ignores M
    /// assert_eq!(map.segment(2, 5, 1), "cant_lose");
    /// assert_eq!(map.segment(6, 1, 1), "others"); // outside 1..=5: the fallback
    /// ```
    #[inline]
    pub fn segment(&self, r: u8, f: u8, m: u8) -> &str {
        self.matching_rule(r, f, m)
            .map_or(self.fallback.as_str(), |(_, rule)| rule.segment.as_str())
    }

    /// What the map does with each of its `k³` cells ([RFM
    /// segments](crate::definitions#named-rfm-segments)).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::segments::SegmentMap;
    /// let report = SegmentMap::preset("rfm-rsquaredacademy")?.check();
    /// assert_eq!(report.uncovered.len(), 10);
    /// assert_eq!(report.multi_match_cells, 58);
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn check(&self) -> MapReport {
        let mut report = MapReport {
            map: self.name.clone(),
            uncovered: Vec::new(),
            never_fire: Vec::new(),
            multi_match_cells: 0,
            cells_per_segment: BTreeMap::new(),
        };
        let mut fires = vec![false; self.rules.len()];
        for [r, f, m] in cells(self.bins) {
            let matching = self
                .rules
                .iter()
                .filter(|rule| rule.matches(r, f, m))
                .count();
            if matching > 1 {
                report.multi_match_cells += 1;
            }
            let segment = match self.matching_rule(r, f, m) {
                Some((index, rule)) => {
                    fires[index] = true;
                    rule.segment.clone()
                }
                None => {
                    report.uncovered.push([r, f, m]);
                    self.fallback.clone()
                }
            };
            *report.cells_per_segment.entry(segment).or_default() += 1;
        }
        report.never_fire = fires
            .iter()
            .enumerate()
            .filter(|(_, fired)| !**fired)
            .map(|(i, _)| NeverFires {
                rule: i + 1,
                segment: self.rules[i].segment.clone(),
            })
            .collect();
        report
    }
}

/// A rule whose every cell is claimed by earlier rules.
///
/// # Example
/// ```
/// use customer_tiering::classify::segments::{NeverFires, SegmentMap, SegmentRule};
/// let rules = vec![
///     SegmentRule::ranges("top", Some([2, 2]), None, None),
///     SegmentRule::cells("shadowed", vec![[2, 1, 1]]), // R 2: already "top"
/// ];
/// let report = SegmentMap::new("mine", 2, "rest", rules)?.check();
/// assert_eq!(report.never_fire, [NeverFires { rule: 2, segment: "shadowed".into() }]);
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeverFires {
    /// The rule's 1-based position.
    pub rule: usize,
    /// Its segment.
    pub segment: String,
}

/// The findings of [`SegmentMap::check`].
///
/// # Example
/// ```
/// use customer_tiering::classify::segments::{SegmentMap, SegmentRule};
/// let rules = vec![
///     SegmentRule::ranges("top", Some([2, 2]), None, None),
///     SegmentRule::ranges("low", Some([1, 1]), Some([1, 1]), None),
/// ];
/// let report = SegmentMap::new("t", 2, "rest", rules)?.check();
/// assert_eq!(report.uncovered, [[1, 2, 1], [1, 2, 2]]);
/// assert_eq!(report.cells_per_segment["top"], 4);
/// assert_eq!(
///     report.to_string().lines().next(),
///     Some("t: 2 cells fall to the fallback: 121 122")
/// );
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapReport {
    /// The map's name.
    pub map: String,
    /// Cells no rule covers (they get the fallback), as (R, F, M).
    pub uncovered: Vec<[u8; 3]>,
    /// Rules that can never fire.
    pub never_fire: Vec<NeverFires>,
    /// Cells more than one rule covers (order decides).
    pub multi_match_cells: usize,
    /// Cells per segment by first match, the fallback included.
    pub cells_per_segment: BTreeMap<String, usize>,
}

impl MapReport {
    /// The cells no rule covers, as `RFM` digits (`115`).
    pub(crate) fn uncovered_cells(&self) -> Vec<String> {
        self.uncovered
            .iter()
            .map(|c| format!("{}{}{}", c[0], c[1], c[2]))
            .collect()
    }

    /// What keeps the map from serving every customer by a live rule, a phrase each:
    /// the cells left to the fallback, then every rule that can never fire. Empty for
    /// a map that covers every cell with live rules.
    pub(crate) fn shortfalls(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.uncovered.is_empty() {
            let what = if self.uncovered.len() == 1 {
                "cell falls"
            } else {
                "cells fall"
            };
            let list = self.uncovered_cells().join(" ");
            out.push(format!(
                "{} {what} to the fallback: {list}",
                self.uncovered.len()
            ));
        }
        for never in &self.never_fire {
            out.push(format!(
                "rule {} ({}) can never fire: earlier rules cover all its cells",
                never.rule, never.segment
            ));
        }
        out
    }
}

impl fmt::Display for MapReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.uncovered.is_empty() {
            writeln!(f, "{}: every cell is covered by a rule", self.map)?;
        }
        for shortfall in self.shortfalls() {
            writeln!(f, "{}: {shortfall}", self.map)?;
        }
        let cells = if self.multi_match_cells == 1 {
            "cell matches"
        } else {
            "cells match"
        };
        writeln!(
            f,
            "{}: {} {cells} more than one rule (first match wins)",
            self.map, self.multi_match_cells
        )?;
        let per: Vec<String> = self
            .cells_per_segment
            .iter()
            .map(|(segment, n)| format!("{segment} {n}"))
            .collect();
        write!(f, "{}: cells per segment: {}", self.map, per.join(", "))
    }
}

/// `segment_map_coverage` ([RFM segments](crate::definitions#named-rfm-segments), [output
/// safety](crate::definitions#output-safety)): score cells no rule of the map covers (their
/// customers get the fallback segment) and rules that can never fire, as the map's checker
/// finds them; none for a map that covers every cell with live rules.
pub(crate) fn coverage_warning(map: &SegmentMap) -> Option<Warning> {
    let report = map.check();
    let shortfalls = report.shortfalls();
    if shortfalls.is_empty() {
        return None;
    }
    Some(Warning {
        code: "segment_map_coverage",
        classifier: "rfm_segment".into(),
        message: format!("segment map {:?}: {}", map.name(), shortfalls.join("; ")),
        figures: serde_json::json!({
            "map": map.name(),
            "fallback": map.fallback(),
            "uncovered_cells": report.uncovered_cells(),
            "never_fire": report.never_fire.iter().map(|n| n.rule).collect::<Vec<_>>(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_map_is_the_spec_grid() {
        // The default map (see `definitions`, RFM segments): rows R = 5..1, columns F =
        // 1..5.
        let grid = [
            (
                5,
                [
                    "new_customers",
                    "potential_loyalists",
                    "potential_loyalists",
                    "champions",
                    "champions",
                ],
            ),
            (
                4,
                [
                    "promising",
                    "potential_loyalists",
                    "potential_loyalists",
                    "loyal_customers",
                    "loyal_customers",
                ],
            ),
            (
                3,
                [
                    "about_to_sleep",
                    "about_to_sleep",
                    "need_attention",
                    "loyal_customers",
                    "loyal_customers",
                ],
            ),
            (
                2,
                [
                    "hibernating",
                    "hibernating",
                    "at_risk",
                    "at_risk",
                    "cant_lose",
                ],
            ),
            (
                1,
                [
                    "hibernating",
                    "hibernating",
                    "at_risk",
                    "at_risk",
                    "cant_lose",
                ],
            ),
        ];
        let map = SegmentMap::default();
        for (r, row) in grid {
            for (f, want) in (1..=5).zip(row) {
                for m in 1..=5 {
                    assert_eq!(map.segment(r, f, m), want, "R {r} F {f} M {m}");
                }
            }
        }
        let report = map.check();
        assert!(report.uncovered.is_empty() && report.never_fire.is_empty());
        assert_eq!(report.multi_match_cells, 0);
    }

    #[test]
    fn rsquaredacademy_has_the_known_properties() {
        let report = SegmentMap::preset("rfm-rsquaredacademy").unwrap().check();
        let uncovered: Vec<String> = report
            .uncovered
            .iter()
            .map(|c| format!("{}{}{}", c[0], c[1], c[2]))
            .collect();
        assert_eq!(
            uncovered,
            [
                "215", "241", "251", "252", "341", "351", "441", "451", "541", "551"
            ]
        );
        assert_eq!(report.multi_match_cells, 58);
        assert!(report.never_fire.is_empty());
        let want = [
            ("potential_loyalist", 35),
            ("loyal_customers", 15),
            ("new_customers", 15),
            ("lost", 14),
            ("about_to_sleep", 10),
            ("promising", 8),
            ("at_risk", 7),
            ("cant_lose_them", 6),
            ("need_attention", 4),
            ("champions", 1),
            ("others", 10),
        ];
        let want: BTreeMap<String, usize> = want.iter().map(|(s, n)| (s.to_string(), *n)).collect();
        assert_eq!(report.cells_per_segment, want);
    }

    #[test]
    fn pymc_cells() {
        let map = SegmentMap::preset("rfm-pymc").unwrap();
        let lists = [
            ("premium_customer", "334 443 444 344 434 433 343 333"),
            ("repeat_customer", "244 234 232 332 143 233 243"),
            (
                "top_spender",
                "424 414 144 314 324 124 224 423 413 133 323 313 134",
            ),
            (
                "at_risk_customer",
                "422 223 212 122 222 132 322 312 412 123 214",
            ),
            ("inactive_customer", "411 111 113 114 112 211 311"),
        ];
        for (segment, cells) in lists {
            for cell in cells.split(' ') {
                let d: Vec<u8> = cell.bytes().map(|b| b - b'0').collect();
                assert_eq!(map.segment(d[0], d[1], d[2]), segment, "{cell}");
            }
        }
        let report = map.check();
        assert_eq!(report.cells_per_segment["other"], 18);
        assert_eq!(report.uncovered.len(), 18);
        assert_eq!((report.multi_match_cells, report.never_fire.len()), (0, 0));
    }

    #[test]
    fn checker_finds_dead_rules_and_holes() {
        let map = SegmentMap::new(
            "t",
            2,
            "rest",
            vec![
                SegmentRule::ranges("top", Some([2, 2]), None, None),
                SegmentRule::cells("shadowed", vec![[2, 1, 1]]),
                SegmentRule::ranges("low", Some([1, 1]), Some([1, 1]), None),
            ],
        )
        .unwrap();
        let report = map.check();
        assert_eq!(
            report.never_fire,
            [NeverFires {
                rule: 2,
                segment: "shadowed".into()
            }]
        );
        assert_eq!(report.uncovered, [[1, 2, 1], [1, 2, 2]]);
        assert_eq!(report.multi_match_cells, 1);
        let text = report.to_string();
        assert!(
            text.contains("t: 2 cells fall to the fallback: 121 122"),
            "{text}"
        );
        assert!(
            text.contains("t: rule 2 (shadowed) can never fire"),
            "{text}"
        );
    }

    #[test]
    fn validation_errors_name_map_rule_and_problem() {
        let cases = [
            (
                "bins = 11\n[[rules]]\nsegment = \"a\"\n",
                "segment map \"m\": bins must be in 2..=10, got 11",
            ),
            (
                "bins = 5\n[[rules]]\nsegment = \"a\"\n[[rules]]\nsegment = \"at_risk\"\nr = [4, 2]\n",
                "segment map \"m\": rule 2 (at_risk): r range [4, 2] is empty",
            ),
            (
                "bins = 4\n[[rules]]\nsegment = \"a\"\nm = [0, 4]\n",
                "segment map \"m\": rule 1 (a): m range [0, 4] is outside 1..=4",
            ),
            (
                "bins = 4\n[[rules]]\nsegment = \"a\"\nr = [1, 4]\ncells = [[1, 1, 1]]\n",
                "segment map \"m\": rule 1 (a): has both score ranges and cells; use one or the other",
            ),
            (
                "bins = 4\n[[rules]]\nsegment = \"a\"\ncells = [[1, 5, 1]]\n",
                "segment map \"m\": rule 1 (a): cell [1, 5, 1] has a score outside 1..=4",
            ),
            ("bins = 4\nrules = []\n", "segment map \"m\": no rules"),
        ];
        for (body, want) in cases {
            let text = format!("name = \"m\"\nfallback = \"others\"\n{body}");
            let err = SegmentMap::from_toml_str("m.toml", &text).unwrap_err();
            assert_eq!(err.to_string(), want, "{body}");
        }
        let unknown =
            "name = \"m\"\nfallback = \"o\"\nbins = 4\nsegmnet = 1\n[[rules]]\nsegment = \"a\"\n";
        let err = SegmentMap::from_toml_str("m.toml", unknown).unwrap_err();
        assert!(matches!(err, Error::Parse { .. }), "{err}");
        assert!(err.to_string().contains("segmnet"), "{err}");
        // The cell table indexes rules by u16: a 65 535th rule could never fire.
        let mut rules = vec![SegmentRule::cells("early", vec![[1, 1, 1]]); 65_534];
        assert!(SegmentMap::new("big", 2, "rest", rules.clone()).is_ok());
        rules.push(SegmentRule::cells("late", vec![[2, 2, 2]]));
        let err = SegmentMap::new("big", 2, "rest", rules).unwrap_err();
        assert_eq!(
            err.to_string(),
            "segment map \"big\": 65535 rules; at most 65534 (a 2-bin map has only 8 cells)"
        );
    }

    #[test]
    fn toml_and_json_agree_and_serde_round_trips() {
        let toml_text =
            "name = \"m\"\nbins = 3\nfallback = \"o\"\n[[rules]]\nsegment = \"a\"\nr = [3, 3]\n";
        let json_text =
            r#"{"name":"m","bins":3,"fallback":"o","rules":[{"segment":"a","r":[3,3]}]}"#;
        let from_toml = SegmentMap::from_toml_str("m.toml", toml_text).unwrap();
        assert_eq!(
            from_toml,
            SegmentMap::from_json_str("m.json", json_text).unwrap()
        );
        for key in PRESET_KEYS {
            let map = SegmentMap::preset(key).unwrap();
            let back: SegmentMap =
                serde_json::from_str(&serde_json::to_string(&map).unwrap()).unwrap();
            assert_eq!(back, map, "{key}");
        }
        let invalid = r#"{"name":"m","bins":3,"fallback":"o","rules":[{"segment":"a","r":[3,1]}]}"#;
        assert!(serde_json::from_str::<SegmentMap>(invalid).is_err());
    }

    #[test]
    fn scores_outside_the_map_fall_back() {
        let map = SegmentMap::default();
        assert_eq!(map.segment(0, 5, 5), "others");
        assert_eq!(map.segment(6, 1, 1), "others");
        assert_eq!(
            SegmentMap::preset("nope").unwrap_err().to_string(),
            "unknown preset \"nope\"; known presets: rfm-default, rfm-rsquaredacademy, rfm-pymc"
        );
    }
}
