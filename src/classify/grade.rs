//! Four-dimension grading ([grading](crate::definitions#four-dimension-grading-and-levels),
//! [levels](crate::definitions#four-dimension-grading-and-levels)): each dimension gets a
//! level (`high`, `mid`, `low`, `none`) by its own rule; points per level, weighted and
//! summed, give the grade by cut points.
//!
//! Dimension rules: relative terciles of a metric ([quantile
//! scores](crate::definitions#quantile-scores) tie-aware, k = 3, over all buyers or over
//! repeat buyers), absolute thresholds on a metric or attribute, the sign of a metric, or a
//! map from an attribute's labels. Customers without purchases get `none` on every metric
//! dimension (attribute dimensions still apply).
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::grade::{GradeParams, Level};
//! use customer_tiering::classify::Classifier;
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! use rust_decimal::dec;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for (id, day, amount) in [
//!     ("A", date(2024, 6, 1), 100), ("A", date(2026, 3, 1), 300),
//!     ("B", date(2024, 9, 1), 200), ("B", date(2026, 1, 1), 50),
//!     ("C", date(2026, 2, 1), 80), ("D", date(2025, 12, 1), 20),
//! ] {
//!     b.add(Transaction::new(CustomerId::new(id).unwrap(), day, amount.into()))?;
//! }
//! let population = b.finish()?;
//! let model = GradeParams::four_dimension().fit(&population)?;
//! // value, need, relationship, potential: A spends most, bought twice, is the older of
//! // the two repeat buyers, and its spend grew (100 → 300)
//! let a = model.grade(population.get("A").unwrap());
//! assert_eq!(a.levels, [Level::High, Level::Mid, Level::Mid, Level::High]);
//! assert_eq!((a.points, a.grade.as_str()), (Some(dec!(10)), "a"));
//! assert_eq!(model.grade(population.get("B").unwrap()).grade, "b"); // 2 + 2 + 1 + 1
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::counted::Ranked;
use super::criterion::{Criterion, Quantity, Rule, Words};
use super::explain::GradedDimension;
use super::fit_data::num;
use super::order::{KeyColumn, cmp_decimal};
use super::quantile::{CutPoints, FastCuts, KeyedCuts, Num, QuantileMode};
use super::{
    Classifier, Coder, Column, ColumnLabels, Explanation, FitData, Label, MissingUse, Model, Reads,
    Reason, Unscored, Wanted,
};
use crate::error::{ConfigError, Error};
use crate::money::{checked_add, checked_mul};
use crate::names::Lang;
use crate::population::Columns;
use crate::profile::{Direction, Metric, Population, Profile};

pub use super::level::Level;

/// Which buyers a tercile ranks over.
///
/// # Example
/// ```
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # let firsts = [("R1", date(2025, 1, 1)), ("R2", date(2025, 6, 1)), ("R3", date(2025, 10, 1))];
/// # for (id, first) in firsts {
/// #     let id = CustomerId::new(id).unwrap();
/// #     b.add(Transaction::new(id.clone(), first, 10.into()))?;
/// #     b.add(Transaction::new(id, date(2026, 3, 1), 10.into()))?;
/// # }
/// # b.add(Transaction::new(CustomerId::new("S").unwrap(), date(2020, 1, 1), 10.into()))?;
/// # let population = b.finish()?;
/// use customer_tiering::classify::grade::{DimensionRule, GradeParams, Level, Over};
/// use customer_tiering::classify::Classifier;
/// // R1, R2 and R3 bought twice, first 15, 10 and 6 months ago; S bought once, in 2020
/// let four = GradeParams::four_dimension();
/// let relationship = &four.dimensions()[2].rule; // tenure terciles
/// assert!(matches!(relationship, DimensionRule::Terciles { over: Over::RepeatBuyers, .. }));
/// let model = four.fit(&population)?;
/// let level = |id: &str| model.grade(population.get(id).unwrap()).levels[2];
/// assert_eq!([level("R1"), level("R2"), level("R3")], [Level::High, Level::Mid, Level::Low]);
/// assert_eq!(level("S"), Level::Low); // the longest tenure, but not a repeat buyer: `outside`
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Over {
    /// Every buyer.
    #[default]
    Buyers,
    /// Buyers with `frequency ≥ 2`; the others get the rule's `outside` level.
    RepeatBuyers,
}

/// How one dimension's level is decided.
///
/// # Example
/// ```
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for (id, day, amount) in [
/// #     ("A", date(2024, 6, 1), 100), ("A", date(2026, 3, 1), 300),
/// #     ("B", date(2024, 9, 1), 200), ("B", date(2026, 1, 1), 50),
/// #     ("C", date(2026, 2, 1), 80), ("D", date(2025, 12, 1), 20),
/// # ] {
/// #     b.add(Transaction::new(CustomerId::new(id).unwrap(), day, amount.into()))?;
/// # }
/// # let population = b.finish()?;
/// use customer_tiering::classify::grade::{DimensionRule, GradeParams, Level};
/// use customer_tiering::classify::Classifier;
/// use customer_tiering::Metric;
/// // four-dimension's potential is the sign of growth; no previous-window spend is low
/// let four = GradeParams::four_dimension();
/// let sign = DimensionRule::Sign { metric: Metric::Growth, missing: Level::Low };
/// assert_eq!(four.dimensions()[3].rule, sign);
/// let model = four.fit(&population)?;
/// let potential = |id: &str| model.grade(population.get(id).unwrap()).levels[3];
/// assert_eq!(potential("A"), Level::High); // spend grew from 100 to 300
/// assert_eq!(potential("B"), Level::Low); // fell from 200 to 50
/// assert_eq!(potential("C"), Level::Low); // nothing in the previous window
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum DimensionRule {
    /// Tie-aware terciles ([quantile scores](crate::definitions#quantile-scores)) of a
    /// metric or numeric attribute, ranked over the scored population: score 3 → high, 2 →
    /// mid, 1 → low. A customer without a value (a metric of a non-buyer, a missing
    /// attribute) gets `none`.
    Terciles {
        /// A metric name or a numeric attribute name.
        source: SmolStr,
        /// Who is ranked.
        #[serde(default)]
        over: Over,
        /// The level of buyers outside `over` (single-purchase buyers: low).
        #[serde(default = "low")]
        outside: Level,
        /// Values at or below this get `none` instead of their tercile (they are still
        /// ranked).
        #[serde(default, with = "crate::money::opt_str")]
        none_at_or_below: Option<Decimal>,
    },
    /// Absolute thresholds: at least `high` → high, at least `mid` → mid, at least `low`
    /// → low, else none. For a lower-is-better metric (`recency_days`) "at least" reads
    /// "at most", and the thresholds go the other way: `high ≤ mid ≤ low`.
    Thresholds {
        /// A metric name or an attribute name.
        source: SmolStr,
        /// The least value that is high.
        #[serde(with = "crate::money::opt_str", default)]
        high: Option<Decimal>,
        /// The least value that is mid.
        #[serde(with = "crate::money::opt_str", default)]
        mid: Option<Decimal>,
        /// The least value that is low.
        #[serde(with = "crate::money::opt_str", default)]
        low: Option<Decimal>,
        /// The level when the value is missing.
        #[serde(default = "none_level")]
        missing: Level,
    },
    /// The sign of a metric: > 0 high, = 0 mid, < 0 low.
    Sign {
        /// The metric (`growth`).
        metric: Metric,
        /// The level of a buyer without a value (no previous-window spend: low).
        #[serde(default = "low")]
        missing: Level,
    },
    /// An attribute's text label mapped to levels (intent A → high …).
    Map {
        /// The attribute.
        attribute: SmolStr,
        /// Label → level; labels not listed get `missing`.
        levels: BTreeMap<SmolStr, Level>,
        /// The level without the attribute.
        #[serde(default = "none_level")]
        missing: Level,
    },
}

fn low() -> Level {
    Level::Low
}

fn none_level() -> Level {
    Level::None
}

/// One dimension: its name, rule and weight.
///
/// # Example
/// ```
/// # use customer_tiering::attributes::{AttrValue, Attributes};
/// # use customer_tiering::classify::grade::{GradeCut, Points, Scheme};
/// # use customer_tiering::classify::Classifier;
/// # use customer_tiering::{CustomerId, PopulationBuilder};
/// # let mut attributes = Attributes::default();
/// # attributes.insert("satisfaction", AttrValue::Number(5.into()));
/// # let known = [(CustomerId::new("P").unwrap(), attributes)];
/// # let population = PopulationBuilder::new(jiff::civil::date(2026, 3, 31)).finish_with(known)?;
/// # let grades = vec![
/// #     GradeCut { label: "happy".into(), min_points: Some(6.into()) },
/// #     GradeCut { label: "other".into(), min_points: None },
/// # ];
/// # let scheme = Scheme::Points { points: Points::default(), grades };
/// use customer_tiering::classify::grade::{Dimension, DimensionRule, GradeParams, Level};
/// use rust_decimal::dec;
/// // an absolute rule (see `definitions`, grading): satisfaction ≥ 4 → high
/// let satisfaction = Dimension {
///     name: "satisfaction".into(),
///     rule: DimensionRule::Thresholds {
///         source: "satisfaction".into(),
///         high: Some(dec!(4)),
///         mid: Some(dec!(3)),
///         low: Some(dec!(1)),
///         missing: Level::None,
///     },
///     weight: dec!(2), // counts double
/// };
/// let model = GradeParams::new("mood", vec![satisfaction], scheme).fit(&population)?;
/// let graded = model.grade(population.get("P").unwrap()); // satisfaction 5
/// assert_eq!((graded.levels[0], graded.points), (Level::High, Some(dec!(6)))); // 2 × 3
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// The dimension's key (`value`, `need` …).
    pub name: SmolStr,
    /// How its level is decided.
    pub rule: DimensionRule,
    /// Its weight in the points sum (default 1).
    #[serde(default = "one", with = "rust_decimal::serde::str")]
    pub weight: Decimal,
}

fn one() -> Decimal {
    Decimal::ONE
}

/// A grade and the least weighted points that reach it.
///
/// # Example
/// ```
/// use customer_tiering::classify::grade::{GradeCut, GradeParams, Level, Points, Scheme};
/// use customer_tiering::classify::Classifier;
/// use rust_decimal::dec;
/// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
/// let grades = vec![
///     GradeCut { label: "focus".into(), min_points: Some(dec!(9)) }, // 9 points or more
///     GradeCut { label: "standard".into(), min_points: None }, // the last takes the rest
/// ];
/// let scheme = Scheme::Points { points: Points::default(), grades };
/// let dimensions = GradeParams::four_dimension().dimensions().to_vec();
/// let model = GradeParams::new("focus", dimensions, scheme).fit(&empty)?;
/// let (h, m, l) = (Level::High, Level::Mid, Level::Low);
/// assert_eq!(model.grade_levels(vec![h, h, m, l]).grade, "focus"); // 9
/// assert_eq!(model.grade_levels(vec![m, m, m, m]).grade, "standard"); // 8
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeCut {
    /// The grade label.
    pub label: SmolStr,
    /// The least points that reach it; the last grade takes the rest.
    #[serde(with = "crate::money::opt_str", default)]
    pub min_points: Option<Decimal>,
}

/// Points per level ([grading](crate::definitions#four-dimension-grading-and-levels): 3 / 2
/// / 1 / 0).
///
/// # Example
/// ```
/// use customer_tiering::classify::grade::{GradeCut, GradeParams, Level, Points, Scheme};
/// use customer_tiering::classify::Classifier;
/// use rust_decimal::dec;
/// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
/// let spec = Points::default(); // see `definitions`, grading
/// assert_eq!([spec.high, spec.mid, spec.low, spec.none], [dec!(3), dec!(2), dec!(1), dec!(0)]);
/// // make `high` worth more: two highs and two lows now make 12 points instead of 8
/// let steep = Points { high: dec!(5), ..spec };
/// # let grades = vec![
/// #     GradeCut { label: "a".into(), min_points: Some(dec!(10)) },
/// #     GradeCut { label: "b".into(), min_points: None },
/// # ];
/// let scheme = Scheme::Points { points: steep, grades };
/// # let dimensions = GradeParams::four_dimension().dimensions().to_vec();
/// # let model = GradeParams::new("g", dimensions, scheme).fit(&empty)?;
/// let (h, l) = (Level::High, Level::Low);
/// assert_eq!(model.grade_levels(vec![h, h, l, l]).points, Some(dec!(12)));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Points {
    /// Points of high.
    #[serde(with = "rust_decimal::serde::str")]
    pub high: Decimal,
    /// Points of mid.
    #[serde(with = "rust_decimal::serde::str")]
    pub mid: Decimal,
    /// Points of low.
    #[serde(with = "rust_decimal::serde::str")]
    pub low: Decimal,
    /// Points of none.
    #[serde(with = "rust_decimal::serde::str")]
    pub none: Decimal,
}

impl Default for Points {
    fn default() -> Self {
        Points {
            high: Decimal::from(3),
            mid: Decimal::from(2),
            low: Decimal::ONE,
            none: Decimal::ZERO,
        }
    }
}

impl Points {
    fn of(&self, level: Level) -> Decimal {
        match level {
            Level::High => self.high,
            Level::Mid => self.mid,
            Level::Low => self.low,
            Level::None => self.none,
        }
    }
}

/// A row of a grade table: the levels each dimension must have (any, when absent) and
/// the grade it gives. The first matching row wins.
///
/// # Example
/// ```
/// use customer_tiering::classify::grade::{GradeParams, Level, Scheme, TableRow};
/// use customer_tiering::classify::Classifier;
/// use std::collections::BTreeMap;
/// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
/// // key accounts: high value and a high or mid relationship; need and potential: any
/// let mut when = BTreeMap::new();
/// when.insert("value".into(), vec![Level::High]);
/// when.insert("relationship".into(), vec![Level::High, Level::Mid]);
/// let key = TableRow { when, grade: "key".into() };
/// let grades = vec!["key".into(), "other".into()];
/// let scheme = Scheme::Table { grades, rows: vec![key], fallback: "other".into() };
/// # let dimensions = GradeParams::four_dimension().dimensions().to_vec();
/// # let model = GradeParams::new("account", dimensions, scheme).fit(&empty)?;
/// let (h, m, n) = (Level::High, Level::Mid, Level::None);
/// assert_eq!(model.grade_levels(vec![h, n, m, n]).grade, "key");
/// assert_eq!(model.grade_levels(vec![h, h, n, h]).grade, "other"); // relationship none
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRow {
    /// Dimension name → the levels it may have.
    pub when: BTreeMap<SmolStr, Vec<Level>>,
    /// The grade.
    pub grade: SmolStr,
}

/// How levels become a grade.
///
/// # Example
/// ```
/// use customer_tiering::classify::grade::{GradeParams, Level, Scheme};
/// use customer_tiering::classify::Classifier;
/// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
/// // a full rule table over the four dimensions (see `definitions`), instead of points
/// let table: Scheme = toml::from_str(r#"
///     by = "table"
///     grades = ["key", "grow", "keep"]
///     fallback = "keep"
///     [[rows]]
///     when = { value = ["high"], relationship = ["high", "mid"] }
///     grade = "key"
///     [[rows]]
///     when = { potential = ["high"] }
///     grade = "grow"
/// "#)?;
/// let dimensions = GradeParams::four_dimension().dimensions().to_vec();
/// let model = GradeParams::new("plan", dimensions, table).fit(&empty)?;
/// let (h, m, l) = (Level::High, Level::Mid, Level::Low);
/// assert_eq!(model.grade_levels(vec![h, l, m, h]).grade, "key"); // the first matching row
/// assert_eq!(model.grade_levels(vec![m, l, l, h]).grade, "grow");
/// assert_eq!(model.grade_levels(vec![m, m, m, m]).grade, "keep"); // no row: the fallback
/// assert_eq!(model.grade_levels(vec![m, m, m, m]).points, None); // a table has no points
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case", deny_unknown_fields)]
pub enum Scheme {
    /// Weighted points against cut points (best first).
    Points {
        /// Points per level.
        #[serde(default)]
        points: Points,
        /// The grades, best first, with their least points.
        grades: Vec<GradeCut>,
    },
    /// A full rule table: first matching row, else `fallback`.
    Table {
        /// The grades, best first (their order).
        grades: Vec<SmolStr>,
        /// The rows.
        rows: Vec<TableRow>,
        /// The grade when no row matches.
        fallback: SmolStr,
    },
}

/// Grade settings: the output column, the dimensions and the scheme.
///
/// # Example
/// ```
/// # use customer_tiering::classify::{Classifier as _, Model as _};
/// use customer_tiering::classify::grade::GradeParams;
/// let four = GradeParams::four_dimension();
/// assert_eq!(four.get_column(), "grade");
/// assert_eq!(four.labels(), ["a", "b", "c", "d"]);
/// assert!(four.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeParams {
    column: SmolStr,
    dimensions: Vec<Dimension>,
    scheme: Scheme,
    /// Names given to [`GradeParams::weight`] that match no dimension, reported by
    /// `validate` (a setter cannot fail without breaking the chain).
    #[serde(skip)]
    unknown_weights: Vec<SmolStr>,
}

impl GradeParams {
    /// Grades from dimensions and a scheme, written to `column`.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, day, amount) in [
    /// #     ("A", date(2024, 6, 1), 100), ("A", date(2026, 3, 1), 300),
    /// #     ("B", date(2024, 9, 1), 200), ("B", date(2026, 1, 1), 50),
    /// #     ("C", date(2026, 2, 1), 80), ("D", date(2025, 12, 1), 20),
    /// # ] {
    /// #     b.add(Transaction::new(CustomerId::new(id).unwrap(), day, amount.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// use customer_tiering::classify::grade::{GradeCut, GradeParams, Points, Scheme};
    /// use customer_tiering::classify::Classifier;
    /// use rust_decimal::dec;
    /// // the four dimensions (see `definitions`), graded into two tiers instead of four
    /// let dimensions = GradeParams::four_dimension().dimensions().to_vec();
    /// let grades = vec![
    ///     GradeCut { label: "key".into(), min_points: Some(dec!(10)) },
    ///     GradeCut { label: "standard".into(), min_points: None },
    /// ];
    /// let scheme = Scheme::Points { points: Points::default(), grades };
    /// let params = GradeParams::new("account", dimensions, scheme);
    /// assert_eq!(params.labels(), ["key", "standard"]);
    /// let model = params.fit(&population)?;
    /// assert_eq!(model.grade(population.get("A").unwrap()).grade, "key"); // 10 points
    /// assert_eq!(model.grade(population.get("B").unwrap()).grade, "standard"); // 6 points
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new(column: &str, dimensions: Vec<Dimension>, scheme: Scheme) -> Self {
        GradeParams {
            column: SmolStr::new(column),
            dimensions,
            scheme,
            unknown_weights: Vec::new(),
        }
    }

    /// The `four-dimension` preset
    /// ([grading](crate::definitions#four-dimension-grading-and-levels)): value, need,
    /// relationship, potential → a ≥ 10, b ≥ 6, c ≥ 2, else d.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{grade::{GradeParams, Level}, Classifier};
    /// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
    /// let model = GradeParams::four_dimension().fit(&empty)?;
    /// let grade = |levels: [Level; 4]| model.grade_levels(levels.to_vec()).grade;
    /// let (m, l, n) = (Level::Mid, Level::Low, Level::None);
    /// assert_eq!(grade([m, m, m, m]), "b"); // 8 points: the all-mid archetype
    /// assert_eq!(grade([m, m, l, l]), "b"); // 6: as near to b (8) as to c (4), ties go up
    /// assert_eq!(grade([l, l, n, n]), "c"); // 2
    /// assert_eq!(grade([l, n, n, n]), "d"); // 1
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn four_dimension() -> Self {
        GradeParams::new(
            "grade",
            vec![
                dimension(
                    "value",
                    terciles(Metric::Monetary, Over::Buyers, Some(Decimal::ZERO)),
                ),
                dimension("need", terciles(Metric::Frequency, Over::Buyers, None)),
                dimension(
                    "relationship",
                    terciles(Metric::TenureDays, Over::RepeatBuyers, None),
                ),
                dimension(
                    "potential",
                    DimensionRule::Sign {
                        metric: Metric::Growth,
                        missing: Level::Low,
                    },
                ),
            ],
            points_scheme(&[("a", 10), ("b", 6), ("c", 2), ("d", 0)]),
        )
    }

    /// The `four-levels` preset
    /// ([levels](crate::definitions#four-dimension-grading-and-levels)): purchasing power,
    /// need clarity (the `intent` attribute; `mid` without it), loyalty, relationship →
    /// level_1 ≥ 11, level_2 ≥ 9, level_3 ≥ 6, else level_4.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{grade::{GradeParams, Level}, Classifier};
    /// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
    /// let params = GradeParams::four_levels();
    /// let names: Vec<&str> = params.dimensions().iter().map(|d| d.name.as_str()).collect();
    /// assert_eq!(names, ["purchasing_power", "need_clarity", "loyalty", "relationship"]);
    /// let model = params.fit(&empty)?;
    /// let (h, m) = (Level::High, Level::Mid);
    /// assert_eq!(model.grade_levels(vec![h, h, h, m]).grade, "level_1"); // 11 points
    /// assert_eq!(model.grade_levels(vec![m, m, m, m]).grade, "level_3"); // 8 points
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn four_levels() -> Self {
        let intent = [("a", Level::High), ("b", Level::Mid), ("c", Level::Low)]
            .into_iter()
            .map(|(k, v)| (SmolStr::new_static(k), v))
            .collect();
        GradeParams::new(
            "level",
            vec![
                dimension(
                    "purchasing_power",
                    terciles(Metric::MonetaryCurrent, Over::Buyers, Some(Decimal::ZERO)),
                ),
                dimension(
                    "need_clarity",
                    DimensionRule::Map {
                        attribute: SmolStr::new_static("intent"),
                        levels: intent,
                        missing: Level::Mid,
                    },
                ),
                dimension("loyalty", terciles(Metric::Frequency, Over::Buyers, None)),
                dimension(
                    "relationship",
                    terciles(Metric::TenureDays, Over::RepeatBuyers, None),
                ),
            ],
            points_scheme(&[
                ("level_1", 11),
                ("level_2", 9),
                ("level_3", 6),
                ("level_4", 0),
            ]),
        )
    }

    /// Sets a dimension's weight (by value, for chaining). A name that matches no
    /// dimension is kept and reported by [`validate`](Self::validate) (so by `fit`).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::{grade::{GradeParams, Level}, Classifier};
    /// use rust_decimal::dec;
    /// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
    /// let value_first = GradeParams::four_dimension().weight("value", dec!(2));
    /// assert_eq!(value_first.dimensions()[0].weight, dec!(2));
    /// let model = value_first.fit(&empty)?;
    /// let (h, l, n) = (Level::High, Level::Low, Level::None);
    /// let graded = model.grade_levels(vec![h, l, n, n]);
    /// assert_eq!((graded.points, graded.grade.as_str()), (Some(dec!(7)), "b")); // 2 × 3 + 1
    /// // a name that matches no dimension is an error
    /// let typo = GradeParams::four_dimension().weight("valeu", dec!(2));
    /// assert_eq!(
    ///     typo.validate().unwrap_err().to_string(),
    ///     "pipeline: grade \"grade\": weight for \"valeu\", which is no dimension \
    ///      (value, need, relationship, potential)"
    /// );
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn weight(mut self, dimension: &str, weight: Decimal) -> Self {
        let mut found = false;
        for d in self.dimensions.iter_mut().filter(|d| d.name == dimension) {
            d.weight = weight;
            found = true;
        }
        if !found {
            self.unknown_weights.push(SmolStr::new(dimension));
        }
        self
    }

    /// The output column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::grade::GradeParams;
    /// assert_eq!(GradeParams::four_dimension().get_column(), "grade");
    /// assert_eq!(GradeParams::four_levels().get_column(), "level");
    /// ```
    pub fn get_column(&self) -> &str {
        &self.column
    }

    /// The dimensions.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::grade::GradeParams;
    /// let four = GradeParams::four_dimension();
    /// let names: Vec<&str> = four.dimensions().iter().map(|d| d.name.as_str()).collect();
    /// assert_eq!(names, ["value", "need", "relationship", "potential"]);
    /// ```
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The grade labels, best first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::grade::GradeParams;
    /// let levels = GradeParams::four_levels();
    /// assert_eq!(levels.labels(), ["level_1", "level_2", "level_3", "level_4"]);
    /// ```
    pub fn labels(&self) -> Vec<&str> {
        match &self.scheme {
            Scheme::Points { grades, .. } => grades.iter().map(|g| g.label.as_str()).collect(),
            Scheme::Table { grades, .. } => grades.iter().map(SmolStr::as_str).collect(),
        }
    }
}

fn dimension(name: &'static str, rule: DimensionRule) -> Dimension {
    Dimension {
        name: SmolStr::new_static(name),
        rule,
        weight: Decimal::ONE,
    }
}

fn terciles(metric: Metric, over: Over, none_at_or_below: Option<Decimal>) -> DimensionRule {
    DimensionRule::Terciles {
        source: SmolStr::new_static(metric.name()),
        over,
        outside: Level::Low,
        none_at_or_below,
    }
}

fn points_scheme(grades: &[(&'static str, i64)]) -> Scheme {
    let last = grades.len() - 1;
    Scheme::Points {
        points: Points::default(),
        grades: grades
            .iter()
            .enumerate()
            .map(|(i, (label, min))| GradeCut {
                label: SmolStr::new_static(label),
                min_points: (i < last).then(|| Decimal::from(*min)),
            })
            .collect(),
    }
}

impl Classifier for GradeParams {
    type Model = GradeModel;

    const KIND: &'static str = "grade";

    fn columns(&self) -> Vec<Column> {
        let labels = self.labels().into_iter().map(String::from).collect();
        vec![Column::new(
            self.column.as_str(),
            ColumnLabels::ordered(labels),
        )]
    }

    fn reads(&self) -> Reads {
        // Ranking over repeat buyers reads the frequency too.
        let mut reads = Reads::metrics([Metric::Frequency]);
        for dimension in &self.dimensions {
            match &dimension.rule {
                DimensionRule::Terciles { source, .. }
                | DimensionRule::Thresholds { source, .. } => {
                    reads.add_attribute(source.to_string());
                }
                DimensionRule::Sign { metric, .. } => reads.add_metric(*metric),
                DimensionRule::Map { attribute, .. } => reads.add_attribute(attribute.to_string()),
            }
        }
        reads
    }

    /// Checks the settings: dimensions named once, weights not negative, grades named
    /// once with decreasing least points (the last without), table rows naming known
    /// dimensions and grades.
    ///
    /// # Errors
    /// [`ConfigError::Settings`] naming the column and the problem.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::grade::GradeParams;
    /// use rust_decimal::dec;
    /// assert_eq!(GradeParams::four_dimension().validate(), Ok(()));
    /// let negative = GradeParams::four_dimension().weight("need", dec!(-1));
    /// assert_eq!(
    ///     negative.validate().unwrap_err().to_string(),
    ///     "pipeline: grade \"grade\": dimension \"need\" has a negative weight"
    /// );
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        let fail = |reason: String| ConfigError::Settings {
            kind: Self::KIND,
            column: self.column.to_string(),
            reason,
        };
        if self.dimensions.is_empty() {
            return Err(fail("no dimensions".into()));
        }
        if let Some(unknown) = self.unknown_weights.first() {
            let names: Vec<&str> = self.dimensions.iter().map(|d| d.name.as_str()).collect();
            return Err(fail(format!(
                "weight for {unknown:?}, which is no dimension ({})",
                names.join(", ")
            )));
        }
        for (i, d) in self.dimensions.iter().enumerate() {
            if self.dimensions[..i].iter().any(|e| e.name == d.name) {
                return Err(fail(format!("dimension {:?} is named twice", d.name)));
            }
            if d.weight < Decimal::ZERO {
                return Err(fail(format!(
                    "dimension {:?} has a negative weight",
                    d.name
                )));
            }
            if let DimensionRule::Thresholds {
                source,
                high,
                mid,
                low,
                ..
            } = &d.rule
            {
                let given: Vec<Decimal> = [high, mid, low].into_iter().flatten().copied().collect();
                // Best first: for a lower-is-better metric (recency) high is the least.
                let direction = Metric::from_name(source)
                    .map_or(Direction::HigherIsBetter, Metric::default_direction);
                let (misordered, order) = match direction {
                    Direction::HigherIsBetter => (given.windows(2).any(|w| w[0] < w[1]), "≥"),
                    Direction::LowerIsBetter => (given.windows(2).any(|w| w[0] > w[1]), "≤"),
                };
                if given.is_empty() || misordered {
                    return Err(fail(format!(
                        "dimension {:?}: thresholds must be given high {order} mid {order} low \
                         ({source} is better when {})",
                        d.name,
                        match direction {
                            Direction::HigherIsBetter => "higher",
                            Direction::LowerIsBetter => "lower",
                        }
                    )));
                }
            }
        }
        let labels = self.labels();
        if labels.is_empty() {
            return Err(fail("no grades".into()));
        }
        for (i, label) in labels.iter().enumerate() {
            if labels[..i].contains(label) {
                return Err(fail(format!("grade {label:?} is named twice")));
            }
        }
        match &self.scheme {
            Scheme::Points { grades, points } => {
                if largest_points(&self.dimensions, points).is_none() {
                    return Err(fail(
                        "weights × points cannot be summed exactly within the decimal range".into(),
                    ));
                }
                let mins: Vec<Option<Decimal>> = grades.iter().map(|g| g.min_points).collect();
                let (last, cut) = mins.split_last().expect("not empty");
                if cut.iter().any(Option::is_none) && last.is_some() {
                    return Err(fail("every grade but the last needs min_points".into()));
                }
                let cut: Vec<Decimal> = mins[..mins.len() - 1].iter().flatten().copied().collect();
                if cut.windows(2).any(|w| w[0] <= w[1]) {
                    return Err(fail(
                        "min_points must decrease from the best grade down".into(),
                    ));
                }
            }
            Scheme::Table { rows, fallback, .. } => {
                if !labels.contains(&fallback.as_str()) {
                    return Err(fail(format!("fallback {fallback:?} is not a grade")));
                }
                for (i, row) in rows.iter().enumerate() {
                    if !labels.contains(&row.grade.as_str()) {
                        return Err(fail(format!(
                            "table row {}: {:?} is not a grade",
                            i + 1,
                            row.grade
                        )));
                    }
                    if let Some(name) = row
                        .when
                        .keys()
                        .find(|n| !self.dimensions.iter().any(|d| d.name == **n))
                    {
                        return Err(fail(format!(
                            "table row {}: unknown dimension {name:?}",
                            i + 1
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    fn fit(&self, population: &Population) -> Result<GradeModel, Error> {
        self.fit_data(&FitData::new(population, &self.wanted()))
    }
}

impl GradeParams {
    /// The columns the fit reads: the metrics ranked in terciles.
    pub(crate) fn wanted(&self) -> Vec<Wanted> {
        self.dimensions
            .iter()
            .filter_map(|d| match &d.rule {
                DimensionRule::Terciles { source, over, .. } => Some(Wanted {
                    metric: Metric::from_name(source)?,
                    repeat_only: *over == Over::RepeatBuyers,
                }),
                _ => None,
            })
            .collect()
    }

    /// Validates, then fits the terciles on the population of `data`, with the columns
    /// read there.
    pub(crate) fn fit_data(&self, data: &FitData<'_>) -> Result<GradeModel, Error> {
        self.validate()?;
        let fitted = self
            .dimensions
            .iter()
            .map(|d| match &d.rule {
                DimensionRule::Terciles { source, over, .. } => {
                    let repeat_only = *over == Over::RepeatBuyers;
                    let (column, direction) = match Metric::from_name(source) {
                        Some(metric) => (
                            data.ranked(Wanted {
                                metric,
                                repeat_only,
                            }),
                            metric.default_direction(),
                        ),
                        None => {
                            let what = || format!("grade: terciles of attribute {source:?}");
                            let population = data.population(what)?;
                            let column = KeyColumn::build_made(population, |p| {
                                if p.is_buyer() && (!repeat_only || p.frequency >= 2) {
                                    p.attributes.number(source)
                                } else {
                                    None
                                }
                            });
                            (Ranked::Keys(Cow::Owned(column)), Direction::HigherIsBetter)
                        }
                    };
                    if column.len() == 0 {
                        return Ok(None);
                    }
                    CutPoints::fit_column(&column, 3, QuantileMode::TieAware, direction).map(Some)
                }
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(GradeModel::new(self.clone(), data.customers(), fitted))
    }
}

fn largest_points(dimensions: &[Dimension], points: &Points) -> Option<Decimal> {
    let mut bound = Decimal::ZERO;
    let mut scale = 0;
    for d in dimensions {
        let mut largest = Decimal::ZERO;
        for p in [points.high, points.mid, points.low, points.none] {
            let product = checked_mul(d.weight, p)?;
            scale = scale.max(product.scale());
            largest = largest.max(product.abs());
        }
        bound = checked_add(bound, largest)?;
    }
    let widen = crate::wide::pow10(scale.checked_sub(bound.scale())?)?;
    let mantissa = bound.mantissa().checked_mul(i128::try_from(widen).ok()?)?;
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// A fitted grade model: the tercile cut points of each relative dimension.
///
/// # Example
/// ```
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for (id, day, amount) in [
/// #     ("A", date(2024, 6, 1), 100), ("A", date(2026, 3, 1), 300),
/// #     ("B", date(2024, 9, 1), 200), ("B", date(2026, 1, 1), 50),
/// #     ("C", date(2026, 2, 1), 80), ("D", date(2025, 12, 1), 20),
/// # ] {
/// #     b.add(Transaction::new(CustomerId::new(id).unwrap(), day, amount.into()))?;
/// # }
/// # let population = b.finish()?;
/// use customer_tiering::classify::grade::{GradeModel, GradeParams};
/// use customer_tiering::classify::{Classifier, Model};
/// let model = GradeParams::four_dimension().fit(&population)?;
/// let mut labels = Vec::new();
/// model.classify_into(population.get("A").unwrap(), &mut labels);
/// assert_eq!(labels[0].as_cell(), "a");
/// // the model is plain data: save it, load it, grade with it
/// let loaded: GradeModel = serde_json::from_str(&serde_json::to_string(&model)?)?;
/// assert_eq!(loaded, model);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeModel {
    params: GradeParams,
    fit_size: usize,
    /// Per dimension, its tercile cut points (none for absolute rules, or when nobody
    /// was ranked).
    terciles: Vec<Option<CutPoints>>,
}

/// The settings of a grade model in the form classifying a million customers wants:
/// source names resolved, and a points scheme in integers where that is exact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Prepared {
    /// Per dimension, the metric a terciles or thresholds rule reads; none for an
    /// attribute (or another rule).
    metrics: Vec<Option<Metric>>,
    points: Option<IntPoints>,
}

/// Weighted points at one scale: per dimension, indexed by [`Level`] (none, low, mid,
/// high); and each grade's minimum.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IntPoints {
    per_level: Vec<[i128; 4]>,
    mins: Vec<Option<i128>>,
    /// The same in `i64`, where every sum of points fits it (the presets' points do):
    /// half the work per customer and dimension of a many-customer labelling.
    narrow: Option<NarrowPoints>,
}

/// [`IntPoints`] in `i64`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NarrowPoints {
    per_level: Vec<[i64; 4]>,
    mins: Vec<Option<i64>>,
}

impl NarrowPoints {
    /// None unless every value is below 2^40 in magnitude: then a sum of at most 2^20
    /// of them (one per dimension) stays below 2^60.
    fn new(per_level: &[[i128; 4]], mins: &[Option<i128>]) -> Option<Self> {
        let narrow = |v: i128| (v.unsigned_abs() < 1 << 40).then_some(v as i64);
        Some(NarrowPoints {
            per_level: per_level
                .iter()
                .map(|row| {
                    let [a, b, c, d] = *row;
                    Some([narrow(a)?, narrow(b)?, narrow(c)?, narrow(d)?])
                })
                .collect::<Option<_>>()?,
            mins: mins
                .iter()
                .map(|m| m.map(|m| narrow(m).ok_or(())).transpose())
                .collect::<Result<_, ()>>()
                .ok()?,
        })
    }
}

/// A sum of points while labelling: `i64` where every sum fits it, else `i128`.
trait PointSum: Copy + Default + Ord + std::ops::AddAssign {}

impl PointSum for i64 {}
impl PointSum for i128 {}

impl Prepared {
    fn new(params: &GradeParams) -> Self {
        let metrics = params
            .dimensions
            .iter()
            .map(|d| match &d.rule {
                DimensionRule::Terciles { source, .. }
                | DimensionRule::Thresholds { source, .. } => Metric::from_name(source),
                _ => None,
            })
            .collect();
        Prepared {
            metrics,
            points: IntPoints::new(params),
        }
    }
}

impl IntPoints {
    /// None where a product or the common scale would not be exact, or a sum could
    /// leave the decimal range: the decimal path decides those.
    fn new(params: &GradeParams) -> Option<Self> {
        let Scheme::Points { points, grades } = &params.scheme else {
            return None;
        };
        let mut products = Vec::with_capacity(params.dimensions.len());
        for d in &params.dimensions {
            let mut row = [Decimal::ZERO; 4];
            for level in [Level::None, Level::Low, Level::Mid, Level::High] {
                row[level as usize] = checked_mul(d.weight, points.of(level))?;
            }
            products.push(row);
        }
        let scale = products
            .iter()
            .flatten()
            .copied()
            .chain(grades.iter().filter_map(|g| g.min_points))
            .map(|v| v.scale())
            .max()
            .unwrap_or(0);
        let at_scale = |v: Decimal| -> Option<i128> {
            let m = v
                .mantissa()
                .checked_mul(10i128.checked_pow(scale - v.scale())?)?;
            // Sums of a few such terms stay far inside 96 bits, so the decimal sum
            // (which fails past 96 bits) could not have failed either.
            (m.unsigned_abs() < 1 << 64).then_some(m)
        };
        let per_level = products
            .iter()
            .map(|row| {
                let mut out = [0i128; 4];
                for (o, v) in out.iter_mut().zip(row) {
                    *o = at_scale(*v)?;
                }
                Some(out)
            })
            .collect::<Option<Vec<_>>>()?;
        if per_level.len() > 1 << 20 {
            return None;
        }
        let mins = grades
            .iter()
            .map(|g| g.min_points.map(|m| at_scale(m).ok_or(())).transpose())
            .collect::<Result<Vec<_>, ()>>()
            .ok()?;
        let narrow = NarrowPoints::new(&per_level, &mins);
        Some(IntPoints {
            per_level,
            mins,
            narrow,
        })
    }
}

/// The levels of one customer and how it was graded.
///
/// # Example
/// ```
/// use customer_tiering::classify::grade::{GradeParams, Graded, Level};
/// use customer_tiering::classify::Classifier;
/// use rust_decimal::dec;
/// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
/// let model = GradeParams::four_dimension().fit(&empty)?;
/// let graded: Graded = model.grade_levels(vec![Level::High, Level::Mid]); // the rest: none
/// assert_eq!(graded.levels, [Level::High, Level::Mid, Level::None, Level::None]);
/// assert_eq!((graded.points, graded.grade.as_str()), (Some(dec!(5)), "c"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graded {
    /// The level of each dimension, in order.
    pub levels: Vec<Level>,
    /// The weighted points (for a points scheme).
    pub points: Option<Decimal>,
    /// The grade.
    pub grade: SmolStr,
}

impl GradeModel {
    fn new(params: GradeParams, fit_size: usize, terciles: Vec<Option<CutPoints>>) -> Self {
        GradeModel {
            params,
            fit_size,
            terciles,
        }
    }

    /// The settings in the form classifying many customers wants.
    pub(crate) fn prepared(&self) -> Prepared {
        Prepared::new(&self.params)
    }

    /// The metric dimension `index` reads by name, if any.
    fn metric_of(&self, index: usize) -> Option<Metric> {
        match &self.params.dimensions[index].rule {
            DimensionRule::Terciles { source, .. } | DimensionRule::Thresholds { source, .. } => {
                Metric::from_name(source)
            }
            _ => None,
        }
    }

    /// The value of a dimension's source (`source` by name, `metric` if it names one)
    /// for `profile`, and which way it is better: a metric of a buyer (none for
    /// others), or an attribute.
    fn source_value(
        metric: Option<Metric>,
        source: &str,
        profile: &Profile,
    ) -> (Option<Decimal>, Direction) {
        match metric {
            Some(metric) => (
                profile.metric(metric).filter(|_| profile.is_buyer()),
                metric.default_direction(),
            ),
            None => (profile.attributes.number(source), Direction::HigherIsBetter),
        }
    }

    /// The level of dimension `index`, whose terciles or thresholds read `metric` (none
    /// for an attribute or another rule).
    fn level(&self, index: usize, metric: Option<Metric>, profile: &Profile) -> Level {
        let dimension = &self.params.dimensions[index];
        match &dimension.rule {
            DimensionRule::Terciles {
                source,
                over,
                outside,
                none_at_or_below,
            } => {
                let Some(value) = Self::source_value(metric, source, profile).0 else {
                    return Level::None;
                };
                if profile.is_buyer() && *over == Over::RepeatBuyers && profile.frequency < 2 {
                    return *outside;
                }
                if none_at_or_below.is_some_and(|limit| cmp_decimal(&value, &limit).is_le()) {
                    return Level::None;
                }
                match self.terciles[index].as_ref().map(|c| c.score(&value)) {
                    Some(3) => Level::High,
                    Some(2) => Level::Mid,
                    Some(_) => Level::Low,
                    None => Level::None,
                }
            }
            DimensionRule::Thresholds {
                source,
                high,
                mid,
                low,
                missing,
            } => {
                if metric.is_some() && !profile.is_buyer() {
                    return Level::None;
                }
                let (value, direction) = Self::source_value(metric, source, profile);
                let Some(value) = value else { return *missing };
                let reaches =
                    |t: &Option<Decimal>| t.is_some_and(|t| !direction.is_better(&t, &value));
                if reaches(high) {
                    Level::High
                } else if reaches(mid) {
                    Level::Mid
                } else if reaches(low) {
                    Level::Low
                } else {
                    Level::None
                }
            }
            DimensionRule::Sign { metric, missing } => sign_level(profile, *metric, *missing),
            DimensionRule::Map {
                attribute,
                levels,
                missing,
            } => profile
                .attributes
                .text(attribute)
                .and_then(|label| levels.get(label).copied())
                .unwrap_or(*missing),
        }
    }

    /// The index of a profile's grade among the settings' grades (none: ungraded),
    /// without allocating where the points are integers: the hot path of classifying
    /// a population.
    pub(crate) fn grade_index(&self, profile: &Profile, prepared: &Prepared) -> Option<usize> {
        let (Some(ints), Scheme::Points { grades, .. }) = (&prepared.points, &self.params.scheme)
        else {
            let grade = self.grade(profile).grade;
            return self.params.labels().iter().position(|l| *l == grade);
        };
        let mut total = 0i128;
        for (i, row) in ints.per_level.iter().enumerate() {
            total += row[self.level(i, prepared.metrics[i], profile) as usize];
        }
        grades
            .iter()
            .zip(&ints.mins)
            .position(|(_, min)| min.is_none_or(|min| total >= min))
            .or(grades.len().checked_sub(1))
    }

    /// The levels, points and grade of a profile.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{grade::{GradeParams, Level}, Classifier};
    /// use customer_tiering::{CustomerId, Population, Profile};
    /// use jiff::civil::date;
    /// let prospect = Profile::without_purchases(CustomerId::new("P").unwrap());
    /// let population = Population::new(date(2026, 3, 31), vec![prospect.clone()])?;
    /// let model = GradeParams::four_dimension().fit(&population)?;
    /// let graded = model.grade(&prospect);
    /// assert_eq!(graded.levels, [Level::None; 4]);
    /// assert_eq!(graded.grade, "d");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn grade(&self, profile: &Profile) -> Graded {
        let levels: Vec<Level> = (0..self.params.dimensions.len())
            .map(|i| self.level(i, self.metric_of(i), profile))
            .collect();
        self.grade_levels(levels)
    }

    /// The grade of given levels (one per dimension, in order; missing ones count as
    /// `none`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{grade::{GradeParams, Level}, Classifier};
    /// use customer_tiering::{CustomerId, Population, Profile};
    /// use jiff::civil::date;
    /// let population = Population::new(date(2026, 3, 31), vec![])?;
    /// let model = GradeParams::four_dimension().fit(&population)?;
    /// let g = model.grade_levels(vec![Level::High, Level::High, Level::Mid, Level::Mid]);
    /// assert_eq!((g.points.unwrap(), g.grade.as_str()), (10.into(), "a"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn grade_levels(&self, mut levels: Vec<Level>) -> Graded {
        levels.resize(self.params.dimensions.len(), Level::None);
        match &self.params.scheme {
            Scheme::Points { points, grades } => {
                // Exact; validated settings bound every sum (`largest_points`), so none
                // only for a model that skipped validation: it is then left ungraded.
                let total = self
                    .params
                    .dimensions
                    .iter()
                    .zip(&levels)
                    .try_fold(Decimal::ZERO, |sum, (d, l)| {
                        checked_add(sum, checked_mul(d.weight, points.of(*l))?)
                    });
                let grade = total
                    .and_then(|total| {
                        grades
                            .iter()
                            .find(|g| g.min_points.is_none_or(|min| total >= min))
                            .or(grades.last())
                    })
                    .map(|g| g.label.clone())
                    .unwrap_or_default();
                Graded {
                    levels,
                    points: total,
                    grade,
                }
            }
            Scheme::Table { rows, fallback, .. } => {
                let matches = |row: &TableRow| {
                    row.when.iter().all(|(name, allowed)| {
                        let i = self.params.dimensions.iter().position(|d| d.name == *name);
                        i.is_some_and(|i| allowed.contains(&levels[i]))
                    })
                };
                let grade = rows
                    .iter()
                    .find(|r| matches(r))
                    .map_or(fallback.clone(), |r| r.grade.clone());
                Graded {
                    levels,
                    points: None,
                    grade,
                }
            }
        }
    }
}

/// The label of a grade: none for the empty grade of a sum that could not be made (a
/// model that skipped validation).
fn grade_label(grade: SmolStr) -> Label {
    if grade.is_empty() {
        Label::Unscored(Unscored::MissingMetric)
    } else {
        Label::Name(grade)
    }
}

impl Model for GradeModel {
    type Params = GradeParams;

    /// The settings.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::{grade::GradeParams, Classifier};
    /// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
    /// let model = GradeParams::four_levels().fit(&empty)?;
    /// assert_eq!(model.params(), &GradeParams::four_levels());
    /// assert_eq!(model.params().get_column(), "level");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn params(&self) -> &GradeParams {
        &self.params
    }

    /// Checks a loaded model.
    ///
    /// # Errors
    /// [`ConfigError`] for invalid settings or tercile cut points.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::grade::{GradeModel, GradeParams};
    /// use customer_tiering::classify::Classifier;
    /// # let empty = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
    /// let model = GradeParams::four_dimension().fit(&empty)?;
    /// assert_eq!(model.validate(), Ok(()));
    /// // a saved model edited by hand: cut points for no dimension at all
    /// let mut json = serde_json::to_value(&model)?;
    /// json["terciles"] = serde_json::json!([]);
    /// let edited: GradeModel = serde_json::from_value(json)?;
    /// assert_eq!(
    ///     edited.validate().unwrap_err().to_string(),
    ///     "pipeline: grade model \"grade\": cut points for another number of dimensions"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()?;
        if self.terciles.len() != self.params.dimensions.len() {
            return Err(ConfigError::Model {
                kind: GradeParams::KIND,
                column: self.params.column.to_string(),
                reason: "cut points for another number of dimensions".into(),
            });
        }
        for cuts in self.terciles.iter().flatten() {
            cuts.validate().map_err(|reason| ConfigError::Model {
                kind: GradeParams::KIND,
                column: self.params.column.to_string(),
                reason,
            })?;
        }
        Ok(())
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(grade_label(self.grade(profile).grade));
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let graded = self.grade(profile);
        let dimensions = self
            .params
            .dimensions
            .iter()
            .zip(&graded.levels)
            .zip(&self.terciles)
            .map(|((d, level), cuts)| {
                let cuts = cuts.as_ref().map(|c| c.cuts().to_vec());
                GradedDimension::new(d.name.clone(), *level, d.weight, cuts)
            })
            .collect();
        let reason = Reason::Grade {
            dimensions,
            points: graded.points,
        };
        vec![Explanation::new(
            self.params.column.as_str(),
            grade_label(graded.grade),
            reason,
        )]
    }

    /// Per grade, the points it needs (a points scheme: grades are tried best first)
    /// or the combinations of dimension levels that give it (a table).
    fn criteria(&self) -> Vec<Criterion> {
        let params = &self.params;
        let column = params.column.to_string();
        let criterion = |label: &str, rule: Rule| Criterion {
            column: column.clone(),
            label: label.to_string(),
            rule,
        };
        match &params.scheme {
            Scheme::Points { grades, .. } => grades
                .iter()
                .map(|g| {
                    let rule = match g.min_points {
                        Some(value) => Rule::at_least(Quantity::Points, Some(value)),
                        None => Rule::Condition {
                            text: Words {
                                en: "fewer points than the grade above".into(),
                                zh_hant: "總分低於上一級".into(),
                                zh_hans: "总分低于上一级".into(),
                            },
                        },
                    };
                    criterion(&g.label, rule)
                })
                .collect(),
            Scheme::Table {
                grades,
                rows,
                fallback,
            } => grades
                .iter()
                .map(|grade| {
                    let mine = rows.iter().filter(|r| r.grade == *grade);
                    let text = Words {
                        en: table_rows(mine.clone(), Lang::En),
                        zh_hant: table_rows(mine.clone(), Lang::ZhHant),
                        zh_hans: table_rows(mine, Lang::ZhHans),
                    };
                    let text = match grade == fallback {
                        false => text,
                        true => Words {
                            en: join_otherwise(&text.en, "no row matches", "; or "),
                            zh_hant: join_otherwise(&text.zh_hant, "不符合任何一列", "；或 "),
                            zh_hans: join_otherwise(&text.zh_hans, "不符合任何一行", "；或 "),
                        },
                    };
                    criterion(grade, Rule::Condition { text })
                })
                .collect(),
        }
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }

    /// A dimension whose source has no value and that falls back to its `missing` level is
    /// a fill ([levels](crate::definitions#four-dimension-grading-and-levels): need clarity
    /// without `intent` is `mid`).
    fn missing_uses(&self, profile: &Profile, out: &mut Vec<MissingUse>) {
        for d in &self.params.dimensions {
            let source = match &d.rule {
                DimensionRule::Map { attribute, .. }
                    if profile.attributes.get(attribute).is_none() =>
                {
                    attribute
                }
                DimensionRule::Thresholds { source, .. } => {
                    let has = match Metric::from_name(source) {
                        Some(metric) => !profile.is_buyer() || profile.metric(metric).is_some(),
                        None => profile.attributes.number(source).is_some(),
                    };
                    if has {
                        continue;
                    }
                    source
                }
                _ => continue,
            };
            out.push(MissingUse {
                column: self.params.column.to_string(),
                source: format!("{}: {source}", d.name),
                policy: "fill".into(),
            });
        }
    }

    /// Only a dimension mapped from an attribute or cut at thresholds of a source
    /// falls back for a missing value.
    fn reports_missing(&self) -> bool {
        self.params.dimensions.iter().any(|d| {
            matches!(
                d.rule,
                DimensionRule::Map { .. } | DimensionRule::Thresholds { .. }
            )
        })
    }
}

/// [`GradeModel`]'s labels as codes: the grade's index, then "ungraded".
#[derive(Debug)]
pub(crate) struct GradeCoder<'a> {
    model: &'a GradeModel,
    prepared: Prepared,
    dimensions: Vec<DimensionCoder<'a>>,
    grades: usize,
}

/// A dimension's rule as a customer's level is worked out many times over.
#[derive(Debug)]
enum DimensionCoder<'a> {
    /// Terciles of a metric.
    Terciles {
        metric: Metric,
        repeat_only: bool,
        outside: Level,
        none_at_or_below: Option<Decimal>,
        cuts: Option<FastCuts<'a>>,
    },
    /// The sign of a metric.
    Sign { metric: Metric, missing: Level },
    /// Any other rule, as the model works it out.
    Other {
        index: usize,
        metric: Option<Metric>,
    },
}

impl GradeModel {
    /// The fast path of labelling many customers.
    pub(crate) fn coder(&self) -> GradeCoder<'_> {
        let prepared = self.prepared();
        let dimensions = self
            .params
            .dimensions
            .iter()
            .enumerate()
            .map(|(index, d)| match (&d.rule, prepared.metrics[index]) {
                (
                    DimensionRule::Terciles {
                        over,
                        outside,
                        none_at_or_below,
                        ..
                    },
                    Some(metric),
                ) => DimensionCoder::Terciles {
                    metric,
                    repeat_only: *over == Over::RepeatBuyers,
                    outside: *outside,
                    none_at_or_below: *none_at_or_below,
                    cuts: self.terciles[index].as_ref().map(FastCuts::new),
                },
                (DimensionRule::Sign { metric, missing }, _) => DimensionCoder::Sign {
                    metric: *metric,
                    missing: *missing,
                },
                (_, metric) => DimensionCoder::Other { index, metric },
            })
            .collect();
        GradeCoder {
            model: self,
            grades: self.params.labels().len(),
            prepared,
            dimensions,
        }
    }
}

impl GradeCoder<'_> {
    /// [`GradeModel::level`], with integer comparisons where they are exact.
    #[inline]
    fn level(&self, dimension: &DimensionCoder<'_>, profile: &Profile) -> Level {
        match dimension {
            DimensionCoder::Terciles {
                metric,
                repeat_only,
                outside,
                none_at_or_below,
                cuts,
            } => {
                if !profile.is_buyer() {
                    return Level::None;
                }
                let Some(value) = Num::of(profile, *metric) else {
                    return Level::None;
                };
                if *repeat_only && profile.frequency < 2 {
                    return *outside;
                }
                if none_at_or_below.is_some_and(|limit| value.at_most(&limit)) {
                    return Level::None;
                }
                match cuts.as_ref().map(|c| c.score_num(value)) {
                    Some(3) => Level::High,
                    Some(2) => Level::Mid,
                    Some(_) => Level::Low,
                    None => Level::None,
                }
            }
            DimensionCoder::Sign { metric, missing } => sign_level(profile, *metric, *missing),
            DimensionCoder::Other { index, metric } => self.model.level(*index, *metric, profile),
        }
    }
}

impl Coder for GradeCoder<'_> {
    fn labels(&self) -> Vec<Vec<Label>> {
        let mut labels: Vec<Label> = self
            .model
            .params
            .labels()
            .into_iter()
            .map(|l| Label::Name(SmolStr::new(l)))
            .collect();
        labels.push(Label::Unscored(Unscored::MissingMetric));
        vec![labels]
    }

    #[inline]
    fn code(&self, profile: &Profile, out: &mut [u32]) {
        let index = match (&self.prepared.points, &self.model.params.scheme) {
            (Some(ints), Scheme::Points { grades, .. }) => {
                let mut total = 0i128;
                for (dimension, row) in self.dimensions.iter().zip(&ints.per_level) {
                    total += row[self.level(dimension, profile) as usize];
                }
                grades
                    .iter()
                    .zip(&ints.mins)
                    .position(|(_, min)| min.is_none_or(|min| total >= min))
                    .unwrap_or(self.grades.saturating_sub(1))
            }
            _ => self
                .model
                .grade_index(profile, &self.prepared)
                .unwrap_or(self.grades),
        };
        // grades ≤ the labels of a column
        out[0] = index as u32;
    }

    /// Dimension by dimension over the block: each a short loop of one kind, the
    /// metric chosen once (far fewer mispredicted branches than a customer at a time).
    fn codes(&self, profiles: &[Profile], out: &mut [Vec<u32>]) {
        let (Some(ints), Scheme::Points { .. }) =
            (&self.prepared.points, &self.model.params.scheme)
        else {
            let mut one = [0u32];
            for profile in profiles {
                self.code(profile, &mut one);
                out[0].push(one[0]);
            }
            return;
        };
        let mut totals = vec![0i128; profiles.len()];
        for (dimension, row) in self.dimensions.iter().zip(&ints.per_level) {
            match dimension {
                DimensionCoder::Terciles { metric, .. } => {
                    let frequency = |i: usize| profiles[i].frequency;
                    let totals = &mut totals;
                    match metric {
                        Metric::Monetary => self.add_terciles(
                            dimension,
                            row,
                            totals,
                            |i| Some(Num::Dec(profiles[i].monetary)),
                            frequency,
                        ),
                        Metric::Frequency => self.add_terciles(
                            dimension,
                            row,
                            totals,
                            |i| Some(Num::count(profiles[i].frequency)),
                            frequency,
                        ),
                        Metric::TenureDays => self.add_terciles(
                            dimension,
                            row,
                            totals,
                            |i| profiles[i].tenure_days.map(Num::Int),
                            frequency,
                        ),
                        Metric::RecencyDays => self.add_terciles(
                            dimension,
                            row,
                            totals,
                            |i| profiles[i].recency_days.map(Num::Int),
                            frequency,
                        ),
                        other => self.add_terciles(
                            dimension,
                            row,
                            totals,
                            |i| Num::of(&profiles[i], *other),
                            frequency,
                        ),
                    }
                }
                _ => {
                    for (total, profile) in totals.iter_mut().zip(profiles) {
                        *total += row[self.level(dimension, profile) as usize];
                    }
                }
            }
        }
        self.push_grades(&totals, &ints.mins, out);
    }

    /// As [`codes`](Coder::codes), from the columns of the metrics the dimensions read,
    /// where every dimension is terciles or a sign and the scheme is points.
    fn codes_at(
        &self,
        customers: &Columns,
        range: Range<usize>,
        block: &mut Vec<Profile>,
        out: &mut [Vec<u32>],
    ) {
        let by_columns = matches!(self.model.params.scheme, Scheme::Points { .. })
            && self
                .dimensions
                .iter()
                .all(|d| !matches!(d, DimensionCoder::Other { .. }));
        let Some(ints) = self.prepared.points.as_ref().filter(|_| by_columns) else {
            customers.fill(range, block);
            return self.codes(block, out);
        };
        match &ints.narrow {
            Some(narrow) => self.grades_at(customers, range, &narrow.per_level, &narrow.mins, out),
            None => self.grades_at(customers, range, &ints.per_level, &ints.mins, out),
        }
    }
}

impl GradeCoder<'_> {
    /// [`Coder::codes_at`] by points summed in `T`: `per_level` and `mins` are the
    /// model's [`IntPoints`] (or their [`NarrowPoints`]).
    fn grades_at<T: PointSum>(
        &self,
        customers: &Columns,
        range: Range<usize>,
        per_level: &[[T; 4]],
        mins: &[Option<T>],
        out: &mut [Vec<u32>],
    ) {
        let start = range.start;
        let mut totals = vec![T::default(); range.len()];
        let frequencies = &customers.frequency[range.clone()];
        let frequency = |i: usize| frequencies[i];
        for (dimension, row) in self.dimensions.iter().zip(per_level) {
            match dimension {
                // Integer keys where the metric's column and the cuts have them.
                DimensionCoder::Terciles { metric, .. }
                    if let Some(keyed) = KeyedTerciles::of(dimension)
                        && let Some(column) =
                            MetricSlice::of(customers, *metric, range.clone()) =>
                {
                    let slow = |i: usize| num(customers, start + i, *metric);
                    self.add_keyed_terciles(
                        dimension,
                        keyed,
                        column,
                        frequencies,
                        row,
                        &mut totals,
                        slow,
                    );
                }
                // Cuts or a limit without 64-bit keys: each value as the model reads it.
                DimensionCoder::Terciles { metric, .. } => {
                    let value = |i: usize| num(customers, start + i, *metric);
                    self.add_terciles(dimension, row, &mut totals, value, frequency);
                }
                DimensionCoder::Sign { metric, missing } => {
                    let level = |buyer: bool, value: Option<Decimal>| {
                        let signed = sign_of(value, *missing);
                        (if buyer { signed } else { Level::None }) as usize
                    };
                    // Growth, the presets' sign, read from its column once per block.
                    match (metric, &customers.growth) {
                        (Metric::Growth, Some(growth)) => {
                            let growth = &growth[range.clone()];
                            for (i, total) in totals.iter_mut().enumerate() {
                                *total += row[level(frequencies[i] >= 1, growth[i])];
                            }
                        }
                        _ => {
                            for (i, total) in totals.iter_mut().enumerate() {
                                let value = customers.metric(start + i, *metric);
                                *total += row[level(frequencies[i] >= 1, value)];
                            }
                        }
                    }
                }
                DimensionCoder::Other { .. } => {}
            }
        }
        self.push_grades(&totals, mins, out);
    }
}

impl GradeCoder<'_> {
    /// Each customer's grade code by its points; `mins`, each grade's minimum.
    fn push_grades<T: PointSum>(&self, totals: &[T], mins: &[Option<T>], out: &mut [Vec<u32>]) {
        let Scheme::Points { grades, .. } = &self.model.params.scheme else {
            return;
        };
        let last = self.grades.saturating_sub(1);
        let mins = &mins[..grades.len().min(mins.len())];
        out[0].extend(totals.iter().map(|&total| {
            // The first grade whose minimum the total reaches, by selects from the last
            // grade up rather than a search that stops (where it stops follows the
            // data, and mispredicts).
            let mut index = last;
            for (i, min) in mins.iter().enumerate().rev() {
                let reached = min.is_none_or(|min| total >= min);
                index = if reached { i } else { index };
            }
            // grades ≤ the labels of a column
            index as u32
        }));
    }
}

/// A terciles dimension whose cuts (two) and "none at or below" limit have
/// 64-bit keys at one scale: a customer's level by integer compares.
#[derive(Debug, Clone, Copy)]
struct KeyedTerciles {
    /// Terciles: two cuts.
    cuts: KeyedCuts<2>,
    /// The key of the limit at or below which a value is level none.
    none_at_or_below: Option<i64>,
    repeat_only: bool,
    /// The index in a row of points of a one-time buyer's level (`repeat_only`).
    outside: usize,
}

impl KeyedTerciles {
    fn of(dimension: &DimensionCoder<'_>) -> Option<Self> {
        let DimensionCoder::Terciles {
            repeat_only,
            outside,
            none_at_or_below,
            cuts: Some(cuts),
            ..
        } = dimension
        else {
            return None;
        };
        let cuts = cuts.keyed()?;
        let none_at_or_below = match none_at_or_below {
            Some(limit) => Some(cuts.key(limit)?),
            None => None,
        };
        Some(KeyedTerciles {
            cuts,
            none_at_or_below,
            repeat_only: *repeat_only,
            outside: *outside as usize,
        })
    }
}

/// A block of a metric's column, of a kind whose values have integer keys.
#[derive(Debug, Clone, Copy)]
enum MetricSlice<'a> {
    Money(&'a [Decimal]),
    Days(&'a [Option<i64>]),
    Counts(&'a [u64]),
}

impl<'a> MetricSlice<'a> {
    fn of(customers: &'a Columns, metric: Metric, range: Range<usize>) -> Option<Self> {
        Some(match metric {
            Metric::Monetary => MetricSlice::Money(&customers.monetary[range]),
            Metric::MonetaryCurrent => MetricSlice::Money(&customers.monetary_current[range]),
            Metric::MonetaryPrevious => MetricSlice::Money(&customers.monetary_previous[range]),
            Metric::RecencyDays => MetricSlice::Days(&customers.recency_days[range]),
            Metric::TenureDays => MetricSlice::Days(&customers.tenure_days[range]),
            Metric::Frequency => MetricSlice::Counts(&customers.frequency[range]),
            Metric::Transactions => MetricSlice::Counts(&customers.transactions[range]),
            _ => return None,
        })
    }
}

/// A row of points' index of level none.
const NONE: usize = Level::None as usize;

/// A score's level (3 high, 2 mid, else low) as its index in a row of points, looked
/// up rather than branched on: scores follow the data, and mispredict.
const BY_SCORE: [usize; 11] = [1, 1, 2, 3, 1, 1, 1, 1, 1, 1, 1];

impl GradeCoder<'_> {
    /// [`add_terciles`](Self::add_terciles) by integer keys: `column` holds the
    /// metric's values, `slow(i)` gives customer `i`'s value for one without a key.
    #[allow(clippy::too_many_arguments)]
    fn add_keyed_terciles<T: PointSum>(
        &self,
        dimension: &DimensionCoder<'_>,
        keyed: KeyedTerciles,
        column: MetricSlice<'_>,
        frequencies: &[u64],
        row: &[T; 4],
        totals: &mut [T],
        slow: impl Fn(usize) -> Option<Num>,
    ) {
        // A loop per kind of column; `key(i)` is none for a customer without the
        // metric, and `Err` for a value without a key.
        match column {
            MetricSlice::Money(values) => {
                let key = |i: usize| keyed.cuts.key(&values[i]).map(Some).ok_or(());
                self.keyed_loop(dimension, keyed, frequencies, row, totals, key, &slow);
            }
            MetricSlice::Days(values) => {
                let key = |i: usize| match values[i] {
                    Some(days) => keyed.cuts.key_int(days).map(Some).ok_or(()),
                    None => Ok(None),
                };
                self.keyed_loop(dimension, keyed, frequencies, row, totals, key, &slow);
            }
            MetricSlice::Counts(values) => {
                let key = |i: usize| {
                    let count = i64::try_from(values[i]).ok();
                    count
                        .and_then(|c| keyed.cuts.key_int(c))
                        .map(Some)
                        .ok_or(())
                };
                self.keyed_loop(dimension, keyed, frequencies, row, totals, key, &slow);
            }
        }
    }

    /// The loop of [`add_keyed_terciles`](Self::add_keyed_terciles) over one kind of
    /// column.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn keyed_loop<T: PointSum>(
        &self,
        dimension: &DimensionCoder<'_>,
        keyed: KeyedTerciles,
        frequencies: &[u64],
        row: &[T; 4],
        totals: &mut [T],
        key: impl Fn(usize) -> Result<Option<i64>, ()>,
        slow: &impl Fn(usize) -> Option<Num>,
    ) {
        let (has_limit, limit) = match keyed.none_at_or_below {
            Some(limit) => (true, limit),
            None => (false, 0),
        };
        for (i, (total, &frequency)) in totals.iter_mut().zip(frequencies).enumerate() {
            let (present, key) = match key(i) {
                Ok(Some(key)) => (true, key),
                Ok(None) => (false, 0),
                Err(()) => {
                    *total += row[self.tercile_index(dimension, slow(i), frequency)];
                    continue;
                }
            };
            // As `level`, by selects rather than branches (which of them applies
            // follows the data, and would mispredict): the score (a code of 0, 1 or 2
            // is level low, mid or high); none at or below the limit; outside for a
            // one-time buyer where only repeat buyers count; none for a non-buyer or a
            // customer without the metric.
            let mut index = BY_SCORE[keyed.cuts.code_of_key(key) as usize + 1];
            index = if has_limit & (key <= limit) {
                NONE
            } else {
                index
            };
            index = if keyed.repeat_only & (frequency < 2) {
                keyed.outside
            } else {
                index
            };
            index = if !present | (frequency < 1) {
                NONE
            } else {
                index
            };
            *total += row[index];
        }
    }
}

impl GradeCoder<'_> {
    /// Adds a terciles dimension's points to each customer's total: customer `i`'s
    /// metric read by `value(i)` (the same as [`Num::of`] for its metric), its frequency
    /// by `frequency(i)`.
    #[inline(always)]
    fn add_terciles<T: PointSum>(
        &self,
        dimension: &DimensionCoder<'_>,
        row: &[T; 4],
        totals: &mut [T],
        value: impl Fn(usize) -> Option<Num>,
        frequency: impl Fn(usize) -> u64,
    ) {
        for (i, total) in totals.iter_mut().enumerate() {
            *total += row[self.tercile_index(dimension, value(i), frequency(i))];
        }
    }

    /// A terciles dimension's level, as its index in a row of points, of a customer
    /// with `value` and `frequency`.
    #[inline(always)]
    fn tercile_index(
        &self,
        dimension: &DimensionCoder<'_>,
        value: Option<Num>,
        frequency: u64,
    ) -> usize {
        let DimensionCoder::Terciles {
            repeat_only,
            outside,
            none_at_or_below,
            cuts,
            ..
        } = dimension
        else {
            return NONE;
        };
        match value.filter(|_| frequency >= 1) {
            None => NONE,
            Some(value) => {
                let scored = cuts
                    .as_ref()
                    .map_or(NONE, |c| BY_SCORE[usize::from(c.score_num(value))]);
                let index = if none_at_or_below.is_some_and(|limit| value.at_most(&limit)) {
                    NONE
                } else {
                    scored
                };
                if *repeat_only && frequency < 2 {
                    *outside as usize
                } else {
                    index
                }
            }
        }
    }
}

/// The level of a sign rule: high above zero, mid at zero, low below; `missing` for a
/// buyer without the metric, none for a non-buyer.
fn sign_level(profile: &Profile, metric: Metric, missing: Level) -> Level {
    if !profile.is_buyer() {
        return Level::None;
    }
    sign_of(profile.metric(metric), missing)
}

/// A buyer's level by the sign of a metric's value; `missing` without one. By selects
/// rather than branches: labelling many customers, signs follow the data and would
/// mispredict. Zero is mid whatever its sign.
#[inline]
fn sign_of(value: Option<Decimal>, missing: Level) -> Level {
    match value {
        Some(v) => {
            let signed = if v.is_sign_negative() {
                Level::Low
            } else {
                Level::High
            };
            if v.is_zero() { Level::Mid } else { signed }
        }
        None => missing,
    }
}

/// The rows of a grade table in words: per row, each dimension's levels.
fn table_rows<'a>(rows: impl Iterator<Item = &'a TableRow>, lang: Lang) -> String {
    let (and, or, levels_or) = match lang {
        Lang::En => (", ", "; or ", " or "),
        Lang::ZhHant | Lang::ZhHans => ("、", "；或 ", "或"),
    };
    rows.map(|row| {
        row.when
            .iter()
            .map(|(dimension, levels)| {
                let words = match dimension.as_str() {
                    "relationship" => "relationship_level",
                    _ => "level_name",
                };
                let levels: Vec<&str> = levels
                    .iter()
                    .map(|l| crate::names::display_name(words, l.name(), lang))
                    .collect();
                let name = crate::names::display_name("dimension", dimension, lang);
                format!("{name} {}", levels.join(levels_or))
            })
            .collect::<Vec<_>>()
            .join(and)
    })
    .collect::<Vec<_>>()
    .join(or)
}

/// `rows` followed by the fallback's own condition.
fn join_otherwise(rows: &str, otherwise: &str, or: &str) -> String {
    match rows.is_empty() {
        true => otherwise.to_string(),
        false => format!("{rows}{or}{otherwise}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CustomerId, PopulationBuilder, Transaction};
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn a_sign_is_mid_at_zero_of_either_sign_high_above_and_low_below() {
        let mut negative_zero = Decimal::ZERO;
        negative_zero.set_sign_negative(true);
        let cases = [
            (Some(Decimal::ZERO), Level::Mid),
            (Some(negative_zero), Level::Mid),
            (Some(Decimal::new(1, 2)), Level::High),
            (Some(Decimal::new(-1, 2)), Level::Low),
            (Some(Decimal::MAX), Level::High),
            (Some(Decimal::MIN), Level::Low),
        ];
        for (value, want) in cases {
            assert_eq!(sign_of(value, Level::None), want, "{value:?}");
        }
        assert_eq!(sign_of(None, Level::Low), Level::Low);
        assert_eq!(sign_of(None, Level::Mid), Level::Mid);
    }

    #[test]
    fn coded_grades_equal_the_models_whether_points_sum_in_64_or_128_bits() {
        let as_of = date(2026, 3, 31);
        let mut orders = PopulationBuilder::new(as_of);
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % n) as i64
        };
        for _ in 0..600 {
            // Squared: a few customers buy often, most rarely.
            let c = next(149) * next(149) / 149;
            let id = CustomerId::new(&format!("C{c:03}")).unwrap();
            let day = as_of - jiff::Span::new().days(next(500));
            let amount = Decimal::new(next(90_000) - 10_000, 2);
            orders.add(Transaction::new(id, day, amount)).unwrap();
        }
        let mut population = orders.finish().unwrap().profiles().to_vec();
        population.push(Profile::without_purchases(CustomerId::new("P1").unwrap()));
        let population = crate::Population::new(as_of, population).unwrap();
        // 10^13 × 10 points is past 2^40: the sums are worked out in i128.
        for (weight, narrow) in [(Decimal::ONE, true), (Decimal::from(10i64.pow(13)), false)] {
            let model = GradeParams::four_dimension()
                .weight("value", weight)
                .fit(&population)
                .unwrap();
            let prepared = model.prepared();
            let points = prepared.points.as_ref().unwrap();
            assert_eq!(points.narrow.is_some(), narrow);
            let mut out = vec![Vec::new()];
            let (mut block, columns) = (Vec::new(), population.columns());
            model
                .coder()
                .codes_at(columns, 0..population.len(), &mut block, &mut out);
            let expected: Vec<u32> = population
                .profiles()
                .iter()
                .map(|p| model.grade_index(p, &prepared).unwrap() as u32)
                .collect();
            assert_eq!(out[0], expected);
            let grades: std::collections::BTreeSet<u32> = expected.into_iter().collect();
            assert!(grades.len() > 2, "{grades:?}");
        }
    }

    fn empty_model(params: GradeParams) -> GradeModel {
        params
            .fit(&Population::new(date(2026, 3, 31), vec![]).unwrap())
            .unwrap()
    }

    #[test]
    fn weights_times_points_past_the_decimal_range_are_a_settings_error() {
        let reason = "pipeline: grade \"grade\": weights × points cannot be summed exactly \
                      within the decimal range";
        let huge = GradeParams::four_dimension().weight("value", Decimal::MAX);
        assert_eq!(huge.validate().unwrap_err().to_string(), reason);
        // Each product fits, their sum does not: 3 × (MAX / 3) + 3 × 1 + …
        let third = Decimal::MAX / Decimal::from(3);
        let sum = GradeParams::four_dimension().weight("value", third);
        assert_eq!(sum.validate().unwrap_err().to_string(), reason);
        // A twelfth of the range per dimension is legal (4 × 3 points), and exact.
        let twelfth = (Decimal::MAX / Decimal::from(12)).trunc();
        let params = ["value", "need", "relationship", "potential"]
            .iter()
            .fold(GradeParams::four_dimension(), |p, d| p.weight(d, twelfth));
        let empty = Population::new(jiff::civil::date(2026, 3, 31), vec![]).unwrap();
        let model = params.fit(&empty).unwrap();
        let graded = model.grade_levels(vec![Level::High; 4]);
        assert_eq!(graded.points, Some(twelfth * Decimal::from(12)));
        assert_eq!(graded.grade, "a");
    }

    #[test]
    fn spec_6_archetypes_and_boundaries() {
        use Level::*;
        let model = empty_model(GradeParams::four_dimension());
        let cases = [
            ([High, High, High, High], 12, "a"),
            ([Mid, Mid, Mid, Mid], 8, "b"),
            ([Low, Low, Low, Low], 4, "c"),
            ([None, None, None, None], 0, "d"),
            ([High, High, Mid, Mid], 10, "a"),
            ([High, Mid, Mid, Low], 8, "b"),
            ([Mid, Mid, Low, Low], 6, "b"),
            ([Mid, Low, Low, Low], 5, "c"),
            ([Low, Low, None, None], 2, "c"),
            ([Low, None, None, None], 1, "d"),
            ([High, High, High, Low], 10, "a"),
            ([High, High, Low, Low], 8, "b"),
        ];
        for (levels, points, grade) in cases {
            let g = model.grade_levels(levels.to_vec());
            assert_eq!(
                (g.points, g.grade.as_str()),
                (Some(Decimal::from(points)), grade),
                "{levels:?}"
            );
        }
    }

    #[test]
    fn four_levels_cut_points() {
        use Level::*;
        let model = empty_model(GradeParams::four_levels());
        let cases = [
            ([High, High, High, High], "level_1"),
            ([High, High, High, Mid], "level_1"),
            ([High, High, Mid, Mid], "level_2"),
            ([High, Mid, Mid, Mid], "level_2"),
            ([Mid, Mid, Mid, Mid], "level_3"),
            ([Mid, Mid, Low, Low], "level_3"),
            ([Mid, Low, Low, Low], "level_4"),
        ];
        for (levels, want) in cases {
            assert_eq!(
                model.grade_levels(levels.to_vec()).grade,
                want,
                "{levels:?}"
            );
        }
    }

    #[test]
    fn dimensions_from_profiles() {
        // Six buyers: monetary 0 (none), 10, 20, 30, 40, 50; C5 and C6 repeat buyers.
        let as_of = date(2026, 3, 31);
        let mut b = PopulationBuilder::new(as_of);
        for i in 0..6i64 {
            let id = CustomerId::new(&format!("C{}", i + 1)).unwrap();
            b.add(Transaction::new(
                id.clone(),
                date(2025, 12, 1),
                Decimal::from(i * 10),
            ))
            .unwrap();
            if i >= 4 {
                b.add(Transaction::new(
                    id,
                    date(2024, 12, 1 + i as i8),
                    Decimal::ZERO,
                ))
                .unwrap();
            }
        }
        let population = b.finish().unwrap();
        let model = GradeParams::four_dimension().fit(&population).unwrap();
        let levels = |id: &str| model.grade(population.get(id).unwrap()).levels;
        use Level::*;
        // value: terciles of 0..50 with 0 → none; need: frequency 1,1,1,1,2,2;
        // relationship: single buyers low; potential: previous-window spend → sign.
        assert_eq!(levels("C1"), [None, Low, Low, Low]);
        assert_eq!(levels("C3"), [Mid, Low, Low, Low]);
        assert_eq!(levels("C6")[0..2], [High, High]);
        // C6's previous-window spend is 0.00, so it has no growth: potential low.
        assert_eq!(levels("C6")[3], Low);
    }

    #[test]
    fn attribute_dimensions_terciles_and_thresholds() {
        use crate::attributes::{AttrValue, Attributes};
        let as_of = date(2026, 3, 31);
        let mut b = PopulationBuilder::new(as_of);
        let mut known = Vec::new();
        for i in 1..=6i64 {
            let id = CustomerId::new(&format!("C{i}")).unwrap();
            b.add(Transaction::new(id.clone(), date(2026, 1, 1), Decimal::ONE))
                .unwrap();
            let mut attrs = Attributes::default();
            attrs.insert("satisfaction", AttrValue::Number(Decimal::from(i)));
            known.push((id, attrs));
        }
        let mut prospect = Attributes::default();
        prospect.insert("satisfaction", AttrValue::Number(Decimal::from(6)));
        known.push((CustomerId::new("P").unwrap(), prospect));
        let population = b.finish_with(known).unwrap();
        let dimension = |name: &'static str, rule| Dimension {
            name: SmolStr::new_static(name),
            rule,
            weight: Decimal::ONE,
        };
        let params = GradeParams::new(
            "g",
            vec![
                dimension(
                    "happy",
                    DimensionRule::Terciles {
                        source: "satisfaction".into(),
                        over: Over::Buyers,
                        outside: Level::Low,
                        none_at_or_below: Option::None,
                    },
                ),
                dimension(
                    "very_happy",
                    DimensionRule::Thresholds {
                        source: "satisfaction".into(),
                        high: Some(Decimal::from(5)),
                        mid: Some(Decimal::from(3)),
                        low: Option::None,
                        missing: Level::Mid,
                    },
                ),
            ],
            points_scheme(&[("top", 5), ("rest", 0)]),
        );
        let model = params.fit(&population).unwrap();
        let levels = |id: &str| model.grade(population.get(id).unwrap()).levels;
        use Level::*;
        assert_eq!(levels("C1"), [Low, None]);
        assert_eq!(levels("C3"), [Mid, Mid]);
        assert_eq!(levels("C6"), [High, High]);
        // Attributes apply to customers without purchases too, by the buyers' cut points.
        assert_eq!(levels("P"), [High, High]);
    }

    #[test]
    fn thresholds_on_recency_go_best_first_the_other_way() {
        let as_of = date(2026, 3, 31);
        let mut b = PopulationBuilder::new(as_of);
        for (id, days_ago) in [("A", 10), ("B", 60), ("C", 300), ("D", 400)] {
            let day = as_of - jiff::Span::new().days(days_ago);
            b.add(Transaction::new(
                CustomerId::new(id).unwrap(),
                day,
                Decimal::ONE,
            ))
            .unwrap();
        }
        let population = b.finish().unwrap();
        let recent = |high: i64, mid: i64, low: i64| {
            GradeParams::new(
                "g",
                vec![Dimension {
                    name: "recent".into(),
                    rule: DimensionRule::Thresholds {
                        source: "recency_days".into(),
                        high: Some(high.into()),
                        mid: Some(mid.into()),
                        low: Some(low.into()),
                        missing: Level::None,
                    },
                    weight: Decimal::ONE,
                }],
                points_scheme(&[("top", 3), ("rest", 0)]),
            )
        };
        let model = recent(30, 90, 365).fit(&population).unwrap();
        let level = |id: &str| model.grade(population.get(id).unwrap()).levels[0];
        use Level::*;
        assert_eq!(
            ["A", "B", "C", "D"].map(level),
            [High, Mid, Low, None],
            "at most 30 days high, 90 mid, 365 low"
        );
        assert_eq!(
            recent(365, 90, 30).validate().unwrap_err().to_string(),
            "pipeline: grade \"g\": dimension \"recent\": thresholds must be given \
             high ≤ mid ≤ low (recency_days is better when lower)"
        );
    }

    #[test]
    fn validation_names_the_problem() {
        let mut p = GradeParams::four_dimension();
        p.dimensions.push(p.dimensions[0].clone());
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "pipeline: grade \"grade\": dimension \"value\" is named twice"
        );
        let p = GradeParams::four_dimension().weight("need", Decimal::from(-1));
        assert!(
            p.validate()
                .unwrap_err()
                .to_string()
                .contains("negative weight")
        );
    }

    /// Found by the no-panic property test: a saved model whose weights or points were
    /// edited to the largest decimal loaded, then panicked summing a customer's points.
    #[test]
    fn weights_and_points_that_would_overflow_are_rejected() {
        let p = GradeParams::four_dimension().weight("value", Decimal::MAX);
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "pipeline: grade \"grade\": weights × points cannot be summed exactly within the decimal range"
        );
        let model = empty_model(GradeParams::four_dimension());
        let mut json = serde_json::to_value(&model).unwrap();
        json["params"]["scheme"]["points"]["low"] = "-79228162514264337593543950335".into();
        let edited: GradeModel = serde_json::from_value(json).unwrap();
        assert!(
            edited
                .validate()
                .unwrap_err()
                .to_string()
                .contains("weights × points cannot be summed exactly")
        );
        // A sum near the limit is still legal, and grades without a panic.
        let fifth = Decimal::MAX / Decimal::from(5);
        let mut p = GradeParams::four_dimension();
        let Scheme::Points { points, .. } = &mut p.scheme else {
            panic!("four-dimension has points")
        };
        *points = Points {
            high: fifth,
            mid: Decimal::ZERO,
            low: -fifth,
            none: Decimal::ZERO,
        };
        p.validate().unwrap();
        let graded = empty_model(p).grade_levels(vec![Level::High; 4]);
        assert_eq!(graded.points, Some(fifth * Decimal::from(4)));
    }

    proptest! {
        #[test]
        fn raising_one_dimension_never_lowers_the_grade(
            levels in proptest::collection::vec(0u8..4, 4),
            which in 0usize..4,
            weights in proptest::collection::vec(0i64..4, 4),
        ) {
            let to_level = |l: u8| [Level::None, Level::Low, Level::Mid, Level::High][usize::from(l)];
            let mut params = GradeParams::four_dimension();
            for (d, w) in params.dimensions.iter_mut().zip(&weights) {
                d.weight = Decimal::from(*w);
            }
            let model = empty_model(params);
            let labels = model.params().labels().iter().map(|s| s.to_string()).collect::<Vec<_>>();
            let rank = |g: &SmolStr| labels.iter().position(|l| l == g.as_str()).unwrap();
            let before: Vec<Level> = levels.iter().map(|l| to_level(*l)).collect();
            let mut after = before.clone();
            after[which] = to_level((levels[which] + 1).min(3));
            let (b, a) = (model.grade_levels(before).grade, model.grade_levels(after).grade);
            prop_assert!(rank(&a) <= rank(&b), "{b} -> {a}");
        }
    }
}
