//! [Explanations](crate::definitions#explanations) as values: for each
//! column, the label and what was compared with what to give it — the metric's value and
//! the cut points, the thresholds of the bands, the rule that fired.
//!
//! An [`Explanation`] holds typed figures (decimals, [`Metric`]s, label names), never
//! prose, so any renderer can phrase it. Its [`Display`](std::fmt::Display) is the English
//! one line of its [explanations](crate::definitions#explanations); every word of it lives
//! in one file of this module (`english.rs`), and the Traditional and Simplified Chinese
//! lines in another (`chinese.rs`), read through [`Explanation::to_string_in`]. Serialised
//! (for reports), decimals are exact strings.
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::explain::{Reason, Threshold};
//! use customer_tiering::classify::{pareto::ParetoParams, Classifier, Label, Model};
//! use customer_tiering::{CustomerId, Metric, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! use rust_decimal::dec;
//!
//! let mut builder = PopulationBuilder::new(date(2026, 3, 31));
//! for i in 1..=100i64 {
//!     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
//!     builder.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
//! }
//! let population = builder.finish()?; // C001 … C100 spent 1 … 100
//! let model = ParetoParams::metals().fit(&population)?;
//! let [why] = &model.explain(population.get("C099").unwrap())[..] else { panic!() };
//! assert_eq!((why.column(), why.label()), ("metal", &Label::Name("gold".into())));
//! let Reason::Band { metric, value, reaches, short_of, .. } = why.reason() else { panic!() };
//! assert_eq!((*metric, *value), (Metric::Monetary, dec!(99)));
//! assert_eq!(reaches.as_ref().map(|t| (t.band.as_str(), t.value)), Some(("gold", dec!(96))));
//! assert_eq!(short_of.as_ref().map(|t| (t.band.as_str(), t.value)), Some(("platinum", dec!(100))));
//! assert_eq!(
//!     why.to_string(),
//!     "metal = gold: monetary 99 is at least the gold threshold 96 and is below the \
//!      platinum threshold 100 (count basis, platinum 1 % / gold 4 % / iron 15 % / \
//!      lead 80 %; fitted on 100 buyers)"
//! );
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::fmt;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use smol_str::SmolStr;

use super::band::{Band, Basis};
use super::level::Level;
use super::quantile::QuantileMode;
use super::{Label, Unscored};
use crate::names::Lang;
use crate::profile::Direction;
use crate::profile::Metric;

mod chinese;
mod english;

pub(crate) use chinese::{metric_name, pick, spaced};

/// Why one customer has its label in one column
/// ([explanations](crate::definitions#explanations)): the column, the label, and the
/// [`Reason`] — what was compared with what.
///
/// `Display` writes it as one line of English (`m = 5: monetary 7 is better than 4 of
/// the 4 cut points [2, 3, 5, 6] (…)`); serialised, it is
/// `{"column": …, "label": …, "reason": {"kind": …, …}}` with decimals as strings.
///
/// # Example
/// ```
/// use customer_tiering::classify::{rfm::RfmParams, Classifier, Explanation, Label, Model, Reason};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=5i8 {
/// #     for day in 1..=i {
/// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
/// #     }
/// # }
/// # let population = builder.finish()?;
/// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
/// let model = RfmParams::default().fit(&population)?;
/// let why: Vec<Explanation> = model.explain(population.get("C4").unwrap());
/// let columns: Vec<&str> = why.iter().map(Explanation::column).collect();
/// assert_eq!(columns, ["r", "f", "m", "rfm_segment"]);
/// assert_eq!(why[2].label(), &Label::Score(4));
/// assert!(matches!(why[2].reason(), Reason::Score { better_than: 3, .. }));
/// assert!(why[2].to_string().starts_with("m = 4: monetary 40.00 is better than 3 of the 4 cut points"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    column: String,
    label: Label,
    reason: Reason,
}

impl Explanation {
    /// An explanation in an application's own words, for its own classifier: `Display`
    /// writes `column = label: prose`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Explanation, Label, Reason};
    /// let why = Explanation::text("churn", Label::Name("at_risk".into()), "no order for 120 days (> 90)");
    /// assert_eq!(why.to_string(), "churn = at_risk: no order for 120 days (> 90)");
    /// assert_eq!(why.reason(), &Reason::Text { text: "no order for 120 days (> 90)".into() });
    /// ```
    pub fn text(column: impl Into<String>, label: Label, prose: impl Into<String>) -> Self {
        Explanation::new(column, label, Reason::Text { text: prose.into() })
    }

    /// A customer the classifier could not label, and why: `Display` writes
    /// `column unscored: why`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Explanation, Label, Unscored};
    /// let why = Explanation::unscored("churn", Unscored::NoPurchases);
    /// assert_eq!(why.label(), &Label::Unscored(Unscored::NoPurchases));
    /// assert_eq!(why.to_string(), "churn unscored: no purchase on or before the as-of date");
    /// ```
    pub fn unscored(column: impl Into<String>, why: Unscored) -> Self {
        Explanation::new(
            column,
            Label::Unscored(why.clone()),
            Reason::Unscored { why },
        )
    }

    /// An explanation from its parts (the built-in classifiers').
    pub(crate) fn new(column: impl Into<String>, label: Label, reason: Reason) -> Self {
        Explanation {
            column: column.into(),
            label,
            reason,
        }
    }

    /// A rule set's explanation: its column, the tier it gave (none under
    /// `unmatched = "unscored"`) and how.
    pub(crate) fn rule_set(column: &str, tier: Option<SmolStr>, trace: RuleTrace) -> Self {
        let label = tier.map_or(Label::Unscored(Unscored::NoRuleMatched), Label::Name);
        Explanation::new(column, label, Reason::RuleSet(trace))
    }

    /// The column explained (`m`, `metal`, `tier` …).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Explanation, Unscored};
    /// assert_eq!(Explanation::unscored("metal", Unscored::MissingMetric).column(), "metal");
    /// ```
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The customer's label in that column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Explanation, Label};
    /// let why = Explanation::text("churn", Label::Name("safe".into()), "ordered last week");
    /// assert_eq!(why.label().as_cell(), "safe");
    /// ```
    pub fn label(&self) -> &Label {
        &self.label
    }

    /// The one line in `lang` ([explanations](crate::definitions#explanations)): in
    /// English exactly its `Display`; in Chinese the same clauses and the same numbers,
    /// with labels by their [display names](crate::names::display_name) (`metal = 黃金顧客：…`).
    /// Column names, rule conditions, tags and the values a rule looked at stay as written:
    /// they are keys a reader finds again in the files. An application's own prose
    /// ([`Explanation::text`], [`Unscored::other`]) stays as given.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Explanation, Label, Unscored};
    /// use customer_tiering::names::Lang;
    /// let why = Explanation::unscored("metal", Unscored::NoPurchases);
    /// assert_eq!(why.to_string_in(Lang::En), why.to_string());
    /// assert_eq!(why.to_string_in(Lang::ZhHant), "metal 未評分：基準日當天或之前沒有購買");
    /// assert_eq!(why.to_string_in(Lang::ZhHans), "metal 未评分：基准日当天或之前没有购买");
    /// let own = Explanation::text("churn", Label::Name("at_risk".into()), "no order for 120 days");
    /// assert_eq!(own.to_string_in(Lang::ZhHant), "churn = at_risk：no order for 120 days");
    /// ```
    pub fn to_string_in(&self, lang: Lang) -> String {
        self.to_string_with(lang, &|column, label| {
            crate::names::display_name(column, label, lang).to_string()
        })
    }

    /// [`to_string_in`](Explanation::to_string_in) with the display names `name(column,
    /// label)` gives, such as [`FittedPipeline::display_name`](crate::FittedPipeline::display_name),
    /// which also knows a rule set's own `tier_info` names. English ignores `name`: it is
    /// the `Display` line, with keys.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::names::Lang;
    /// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, RuleSet, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// for i in 1..=100i64 {
    ///     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    ///     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// }
    /// let population = b.finish()?;
    /// let size = RuleSet::from_toml_str("size.toml", r#"
    ///     name = "size"
    ///     tiers = ["big", "small"]
    ///     default = "small"
    ///     [[rules]]
    ///     when = "monetary >= 90"
    ///     tier = "big"
    ///     [tier_info.big]
    ///     zh-Hant = "大客戶"
    /// "#)?;
    /// let fitted = PipelineBuilder::new().classifier(ParetoParams::metals()).rules(size).build()?.fit(&population)?;
    /// let why = fitted.explain(population.get("C099").unwrap());
    /// let lang = Lang::ZhHant;
    /// let lines: Vec<String> =
    ///     why.iter().map(|e| e.to_string_with(lang, &|c, l| fitted.display_name(c, l, lang))).collect();
    /// assert_eq!(
    ///     lines[0],
    ///     "metal = 黃金顧客：消費金額 99 不低於黃金顧客的門檻 96，且低於白金顧客的門檻 100\
    ///      （依人數分級，白金顧客 1% / 黃金顧客 4% / 鐵顧客 15% / 鉛顧客 80%；以 100 位購買客戶擬合）"
    /// );
    /// assert_eq!(lines[1], "tier = 大客戶：規則 1（monetary >= 90；monetary = 99）判定為大客戶；標籤：無");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn to_string_with(&self, lang: Lang, name: &dyn Fn(&str, &str) -> String) -> String {
        match lang {
            Lang::En => self.to_string(),
            chinese => chinese::render(self, chinese, name),
        }
    }

    /// What was compared with what.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier, Model};
    /// use customer_tiering::classify::explain::{Reason, StageBy};
    /// use customer_tiering::{CustomerId, Metric, Profile};
    /// # let population = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
    /// let model = LifecycleParams::default().fit(&population)?;
    /// let mut p = Profile::without_purchases(CustomerId::new("C1").unwrap());
    /// (p.frequency, p.recency_days, p.tenure_days) = (3, Some(200), Some(700));
    /// let why = &model.explain(&p)[0];
    /// let Reason::Stage(StageBy::Days { metric, days, limit, within, .. }) = why.reason() else {
    ///     panic!("{why:?}")
    /// };
    /// assert_eq!((*metric, *days, *limit, *within), (Metric::RecencyDays, 200, 365, true));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn reason(&self) -> &Reason {
        &self.reason
    }
}

/// What a label was decided by: one variant per way the built-in classifiers decide,
/// and [`Text`](Reason::Text) for an application's own. Serialised with a `kind` tag
/// (`{"kind": "score", …}`).
///
/// # Example
/// ```
/// use customer_tiering::classify::{rfm::RfmParams, Classifier, Model, Reason};
/// use customer_tiering::classify::quantile::QuantileMode;
/// use customer_tiering::profile::Direction;
/// use customer_tiering::Metric;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// use rust_decimal::dec;
/// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=5i8 {
/// #     for day in 1..=i {
/// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
/// #     }
/// # }
/// # let population = builder.finish()?;
/// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
/// let model = RfmParams::default().fit(&population)?;
/// let why = model.explain(population.get("C4").unwrap());
/// match why[2].reason() {
///     Reason::Score { metric, value, cuts, better_than, direction, mode, bins, fit_size, .. } => {
///         assert_eq!((*metric, *value), (Metric::Monetary, dec!(40.00)));
///         assert_eq!(cuts, &[dec!(10.00), dec!(20.00), dec!(30.00), dec!(40.00)]);
///         assert_eq!((*better_than, *direction), (3, Direction::HigherIsBetter));
///         assert_eq!((*mode, *bins, *fit_size), (QuantileMode::TieAware, 5, 5));
///     }
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// A quantile score ([quantile scores](crate::definitions#quantile-scores)): the
    /// metric's value against the cut points.
    #[non_exhaustive]
    Score {
        /// The metric scored.
        metric: Metric,
        /// The customer's value.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
        /// The cut points, worst first.
        #[serde(serialize_with = "super::quantile::decimal_vec::serialize")]
        cuts: Vec<Decimal>,
        /// How many of the cut points the value is better than (the score less one).
        better_than: u8,
        /// Which way the metric is better.
        direction: Direction,
        /// Tie-aware or equal-count.
        mode: QuantileMode,
        /// `k`, the number of scores.
        bins: u8,
        /// The buyers the cut points were fitted on.
        fit_size: usize,
    },
    /// A band of a Pareto or ABC scheme ([Pareto
    /// tiers](crate::definitions#pareto-tiers-and-abc)): the metric's value against the
    /// thresholds of its band and of the next better one.
    #[non_exhaustive]
    Band {
        /// The metric banded.
        metric: Metric,
        /// The customer's value (a fill included, see [missing
        /// data](crate::definitions#missing-data)).
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
        /// Count or value basis.
        basis: Basis,
        /// Which way the metric is better.
        direction: Direction,
        /// Value basis only: the value is not positive, so it is in the last band
        /// whatever the thresholds (`reaches` and `short_of` are then none).
        not_positive: bool,
        /// The threshold of the customer's own band, which the value reaches (is at
        /// least, or for a lower-is-better metric at most); none for the last band.
        reaches: Option<Threshold>,
        /// The threshold of the next better band, which the value does not reach; none
        /// for the best band.
        short_of: Option<Threshold>,
        /// The scheme's bands, best first.
        bands: Vec<Band>,
        /// The buyers the thresholds were fitted on.
        fit_size: usize,
    },
    /// A composite value tier ([composite value
    /// tiers](crate::definitions#composite-value-tiers)): the weighted sum of percentiles,
    /// banded.
    #[non_exhaustive]
    Composite {
        /// The composite (6 decimals at most); none if it cannot be written as a decimal.
        #[serde(with = "rust_decimal::serde::str_option")]
        composite: Option<Decimal>,
        /// The inputs with a weight other than zero, in the settings' order.
        terms: Vec<CompositeTerm>,
        /// The bands, best first.
        bands: Vec<Band>,
        /// The buyers the composite was fitted on.
        fit_size: usize,
    },
    /// The label the settings give customers without purchases (a composite's
    /// `non_buyers`).
    NoPurchase,
    /// A four-dimension grade
    /// ([grading](crate::definitions#four-dimension-grading-and-levels)): each dimension's
    /// level, and the weighted points they sum to.
    #[non_exhaustive]
    Grade {
        /// The dimensions, in the settings' order.
        dimensions: Vec<GradedDimension>,
        /// The weighted points, compared with each grade's least points under a points
        /// scheme; none under a table scheme (the levels were looked up in its rows).
        #[serde(with = "rust_decimal::serde::str_option")]
        points: Option<Decimal>,
    },
    /// A lifecycle stage ([lifecycle stages](crate::definitions#lifecycle-stages)), and the
    /// figure that decided it.
    Stage(StageBy),
    /// An RFM segment ([RFM segments](crate::definitions#named-rfm-segments)): the scores
    /// and the rule of the segment map they match.
    #[non_exhaustive]
    Segment {
        /// The R, F and M scores.
        scores: [u8; 3],
        /// The segment map's name.
        map: String,
        /// The matching rule's number (1-based, in the map's order); none when no rule
        /// matches and the map's fallback segment applies.
        rule: Option<usize>,
    },
    /// No label, and why.
    Unscored {
        /// Why.
        why: Unscored,
    },
    /// A rule set's tier ([rule sets](crate::definitions#rule-sets-and-the-final-tier)):
    /// the tier rule that fired (or the default), the caps and floors that applied, and the
    /// tags.
    RuleSet(RuleTrace),
    /// An application's own words (see [`Explanation::text`]).
    Text {
        /// The prose, without the column and label.
        text: String,
    },
}

/// One band's threshold, from a [`Reason::Band`].
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model, Reason};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// use rust_decimal::dec;
/// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=100i64 {
/// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
/// #     builder.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = builder.finish()?;
/// // C001 … C100 spent 1 … 100: C100 is the platinum 1 %.
/// let model = ParetoParams::metals().fit(&population)?;
/// let why = &model.explain(population.get("C100").unwrap())[0];
/// let Reason::Band { reaches: Some(t), short_of: None, .. } = why.reason() else { panic!() };
/// assert_eq!((t.band.as_str(), t.value), ("platinum", dec!(100)));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Threshold {
    /// The band whose threshold it is.
    pub band: SmolStr,
    /// The threshold.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
}

impl Threshold {
    pub(crate) fn new(band: SmolStr, value: Decimal) -> Self {
        Threshold { band, value }
    }
}

/// One input of a composite, from a [`Reason::Composite`]: its weight times the
/// customer's percentile `worse_than / buyers`.
///
/// # Example
/// ```
/// use customer_tiering::classify::{composite::CompositeParams, Classifier, Model, Reason};
/// use customer_tiering::Metric;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// use rust_decimal::dec;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 0..10 {
/// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = b.finish()?;
/// // ten buyers C0 … C9 who bought once each, spending 0 … 9
/// let model = CompositeParams::value_tiers().fit(&population)?;
/// let why = &model.explain(population.get("C9").unwrap())[0];
/// let Reason::Composite { composite, terms, .. } = why.reason() else { panic!() };
/// assert_eq!(*composite, Some(dec!(0.54)));
/// let monetary = &terms[0]; // profit's weight moved to it: 0.35 + 0.25
/// assert_eq!((monetary.metric, monetary.weight.to_decimal()), (Metric::Monetary, Some(dec!(0.6))));
/// assert_eq!((monetary.worse_than, monetary.buyers), (Some(9), 10));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CompositeTerm {
    /// The metric.
    pub metric: Metric,
    /// Its effective weight (after weights of metrics no buyer has moved to it).
    pub weight: Weight,
    /// The fitted buyers with a value strictly worse than the customer's (`L`); none when
    /// the customer has no value, or no buyer had one: the percentile is then 0.
    pub worse_than: Option<u64>,
    /// The fitted buyers with a value (`n`).
    pub buyers: u64,
}

impl CompositeTerm {
    pub(crate) fn new(
        metric: Metric,
        weight: Weight,
        worse_than: Option<u64>,
        buyers: u64,
    ) -> Self {
        CompositeTerm {
            metric,
            weight,
            worse_than,
            buyers,
        }
    }
}

/// An exact non-negative decimal `mantissa / 10^scale` whose mantissa may pass
/// `rust_decimal`'s 96 bits: a composite's effective weight, where the weights of
/// several inputs can add up onto one. Displayed and serialised as a plain decimal
/// without trailing zeros (`0.6`).
///
/// # Example
/// ```
/// use customer_tiering::classify::{composite::CompositeParams, Classifier, Model, Reason};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 0..10 {
/// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = b.finish()?;
/// let model = CompositeParams::value_tiers().fit(&population)?;
/// let why = &model.explain(population.get("C9").unwrap())[0];
/// let Reason::Composite { terms, .. } = why.reason() else { panic!() };
/// assert_eq!(terms[0].weight.to_string(), "0.6"); // monetary 0.35 + profit's 0.25
/// assert_eq!(serde_json::to_string(&terms[0].weight)?, r#""0.6""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weight {
    mantissa: u128,
    scale: u32,
}

impl Weight {
    pub(crate) fn new(mantissa: u128, scale: u32) -> Self {
        Weight { mantissa, scale }
    }

    /// The integer `m` of `m / 10^scale`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{composite::CompositeParams, Classifier, Model, Reason};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 0..10 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// let model = CompositeParams::value_tiers().fit(&population)?;
    /// let why = &model.explain(population.get("C9").unwrap())[0];
    /// let Reason::Composite { terms, .. } = why.reason() else { panic!() };
    /// // the preset's weights have two decimals: 0.60 is 60 / 10^2
    /// assert_eq!((terms[0].weight.mantissa(), terms[0].weight.scale()), (60, 2));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn mantissa(&self) -> u128 {
        self.mantissa
    }

    /// The number of decimals of `m / 10^scale`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{composite::CompositeParams, Classifier, Model, Reason};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 0..10 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// let model = CompositeParams::value_tiers().fit(&population)?;
    /// let why = &model.explain(population.get("C9").unwrap())[0];
    /// let Reason::Composite { terms, .. } = why.reason() else { panic!() };
    /// assert_eq!(terms[1].weight.scale(), 2); // frequency 0.30, as 30 / 10^2
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// The weight as a `Decimal`, none when it does not fit one exactly.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{composite::CompositeParams, Classifier, Model, Reason};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// use rust_decimal::dec;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 0..10 {
    /// #     let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let population = b.finish()?;
    /// let model = CompositeParams::value_tiers().fit(&population)?;
    /// let why = &model.explain(population.get("C9").unwrap())[0];
    /// let Reason::Composite { terms, .. } = why.reason() else { panic!() };
    /// assert_eq!(terms[1].weight.to_decimal(), Some(dec!(0.30)));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn to_decimal(&self) -> Option<Decimal> {
        let mantissa = i128::try_from(self.mantissa).ok()?;
        Decimal::try_from_i128_with_scale(mantissa, self.scale).ok()
    }
}

impl fmt::Display for Weight {
    /// Plain digits without trailing zeros (`60, 2` → `0.6`), done on the digits: the
    /// mantissa can pass `rust_decimal`'s 96 bits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = format!(
            "{:0>width$}",
            self.mantissa,
            width = self.scale as usize + 1
        );
        let (whole, fraction) = digits.split_at(digits.len() - self.scale as usize);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            f.write_str(whole)
        } else {
            write!(f, "{whole}.{fraction}")
        }
    }
}

impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One dimension of a grade, from a [`Reason::Grade`]: its level, its weight and, for a
/// tercile rule, the cut points the level came from.
///
/// # Example
/// ```
/// use customer_tiering::classify::grade::{GradeParams, Level};
/// use customer_tiering::classify::{Classifier, Model, Reason};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// use rust_decimal::dec;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for (id, amount) in [("A", 300), ("B", 200), ("C", 100)] {
/// #     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), amount.into()))?;
/// # }
/// # let population = b.finish()?;
/// // A, B and C bought once each, for 300, 200 and 100
/// let model = GradeParams::four_dimension().fit(&population)?;
/// let why = &model.explain(population.get("A").unwrap())[0];
/// let Reason::Grade { dimensions, points, .. } = why.reason() else { panic!() };
/// let value = &dimensions[0];
/// assert_eq!((value.name.as_str(), value.level, value.weight), ("value", Level::High, dec!(1)));
/// assert_eq!(value.tercile_cuts, Some(vec![dec!(100), dec!(200)]));
/// assert_eq!(dimensions[3].tercile_cuts, None); // potential: the sign of growth
/// assert!(points.is_some());
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct GradedDimension {
    /// The dimension's key (`value`, `need` …).
    pub name: SmolStr,
    /// The customer's level.
    pub level: Level,
    /// The dimension's weight in the points sum.
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    /// For a tercile rule, its cut points, worst first; none for an absolute rule (or
    /// when nobody was ranked).
    #[serde(serialize_with = "decimals_option")]
    pub tercile_cuts: Option<Vec<Decimal>>,
}

impl GradedDimension {
    pub(crate) fn new(
        name: SmolStr,
        level: Level,
        weight: Decimal,
        tercile_cuts: Option<Vec<Decimal>>,
    ) -> Self {
        GradedDimension {
            name,
            level,
            weight,
            tercile_cuts,
        }
    }
}

fn decimals_option<S: Serializer>(values: &Option<Vec<Decimal>>, s: S) -> Result<S::Ok, S::Error> {
    match values {
        Some(values) => super::quantile::decimal_vec::serialize(values, s),
        None => s.serialize_none(),
    }
}

/// What decided a lifecycle stage ([lifecycle
/// stages](crate::definitions#lifecycle-stages)), from a [`Reason::Stage`]. Serialised with
/// a `by` tag.
///
/// # Example
/// ```
/// use customer_tiering::classify::{lifecycle::LifecycleParams, Classifier, Model, Reason};
/// use customer_tiering::classify::explain::StageBy;
/// use customer_tiering::attributes::AttrValue;
/// use customer_tiering::{CustomerId, Metric, Profile};
/// # let population = customer_tiering::Population::new(jiff::civil::date(2026, 3, 31), vec![])?;
/// let model = LifecycleParams::default().fit(&population)?;
/// let mut p = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// let by = |p: &Profile| match model.explain(p)[0].reason() {
///     Reason::Stage(by) => by.clone(),
///     other => panic!("{other:?}"),
/// };
/// assert_eq!(by(&p), StageBy::NoPurchase { status: None }); // prospect
/// p.attributes.insert("status", AttrValue::Text("target".into()));
/// assert_eq!(by(&p), StageBy::NoPurchase { status: Some("target".into()) });
/// (p.frequency, p.recency_days, p.tenure_days) = (1, Some(10), Some(40));
/// let StageBy::Days { metric, days, limit, within, .. } = by(&p) else { panic!() };
/// assert_eq!((metric, days, limit, within), (Metric::TenureDays, 40, 90, true)); // new
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
#[non_exhaustive]
pub enum StageBy {
    /// The `status` attribute alone (`non_customer`).
    Status {
        /// The status.
        status: SmolStr,
    },
    /// No purchase on or before the as-of date (`target`, `prospect`).
    NoPurchase {
        /// The status, when it decided (`target`).
        status: Option<SmolStr>,
    },
    /// A count of days against a limit of the settings: `tenure_days` for `new`,
    /// `recency_days` for `active`, `dormant` and `lost`.
    #[non_exhaustive]
    Days {
        /// `tenure_days` (days since the first purchase) or `recency_days` (since the
        /// last).
        metric: Metric,
        /// The customer's count.
        days: i64,
        /// The limit it was compared with.
        limit: u32,
        /// Whether the count is within the limit (`≤`); `lost` is beyond it (`>`).
        within: bool,
    },
}

/// How a rule set decided one customer's tier and tags ([rule
/// sets](crate::definitions#rule-sets-and-the-final-tier)), from a [`Reason::RuleSet`]: the
/// tier rule that fired or the default, every cap and floor that applied, and the tags with
/// the rules that gave them.
///
/// # Example
/// ```
/// use customer_tiering::attributes::AttrValue;
/// use customer_tiering::classify::explain::{FactValue, TierDecision};
/// use customer_tiering::classify::Reason;
/// use customer_tiering::rules::{Facts, RuleSet};
/// use customer_tiering::{CustomerId, Profile};
/// let rules = RuleSet::preset("intent")?;
/// let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// profile.attributes.insert("intent", AttrValue::Text("a".into()));
/// let why = rules.explain(&Facts { profile: &profile, columns: &[], labels: &[] });
/// let Reason::RuleSet(trace) = why.reason() else { panic!() };
/// let TierDecision::Rule { rule, tier } = &trace.decided else { panic!() };
/// assert_eq!((rule.number, rule.name.as_deref(), tier.as_str()), (1, Some("strong need"), "a"));
/// assert_eq!(rule.facts[0].value, Some(FactValue::Text("a".into())));
/// assert!(trace.bounds.is_empty() && trace.tags.is_empty());
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RuleTrace {
    /// Where the tier came from before caps and floors.
    pub decided: TierDecision,
    /// The `at_most` / `at_least` rules that matched, in rule order.
    pub bounds: Vec<BoundStep>,
    /// The tags, sorted, each with the rules that gave it (in rule order).
    pub tags: Vec<TagStep>,
}

impl RuleTrace {
    /// A trace with the tier's origin, before any cap, floor or tag is added.
    pub(crate) fn new(decided: TierDecision) -> Self {
        RuleTrace {
            decided,
            bounds: Vec::new(),
            tags: Vec::new(),
        }
    }
}

/// Where a rule set's tier came from, in a [`RuleTrace`]. Serialised with a `by` tag.
///
/// # Example
/// ```
/// use customer_tiering::classify::explain::TierDecision;
/// use customer_tiering::classify::Reason;
/// use customer_tiering::rules::{Facts, RuleSet};
/// use customer_tiering::{CustomerId, Profile};
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b"]
///     default = "b"
///     [[rules]]
///     when = "monetary > 1000"
///     tier = "a"
/// "#)?;
/// let profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// let why = rules.explain(&Facts { profile: &profile, columns: &[], labels: &[] });
/// let Reason::RuleSet(trace) = why.reason() else { panic!() };
/// assert_eq!(trace.decided, TierDecision::Default { tier: "b".into() });
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TierDecision {
    /// The first matching tier rule.
    Rule {
        /// The rule.
        rule: MatchedRule,
        /// The tier it gave.
        tier: SmolStr,
    },
    /// No tier rule matched: the rule set's `default`.
    Default {
        /// The default tier.
        tier: SmolStr,
    },
    /// No tier rule matched, and `unmatched = "unscored"`: no tier.
    Unmatched,
}

/// A rule that matched, with the values its condition looked at.
///
/// # Example
/// ```
/// use customer_tiering::classify::explain::{FactValue, TierDecision};
/// use customer_tiering::classify::{Label, Reason};
/// use customer_tiering::rules::{Facts, RuleSet};
/// use customer_tiering::{CustomerId, Profile};
/// use rust_decimal::dec;
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b"]
///     default = "b"
///     [[rules]]
///     name = "big gold"
///     when = '  metal == "gold" and monetary >= 1000  '
///     tier = "a"
/// "#)?;
/// let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// profile.monetary = dec!(1500.00);
/// let columns = ["metal".to_string()];
/// let labels = [Label::Name("gold".into())];
/// let why = rules.explain(&Facts { profile: &profile, columns: &columns, labels: &labels });
/// let Reason::RuleSet(trace) = why.reason() else { panic!() };
/// let TierDecision::Rule { rule, .. } = &trace.decided else { panic!() };
/// assert_eq!(rule.when.as_deref(), Some(r#"metal == "gold" and monetary >= 1000"#)); // trimmed
/// let facts: Vec<(&str, Option<&FactValue>)> =
///     rule.facts.iter().map(|f| (f.name.as_str(), f.value.as_ref())).collect();
/// assert_eq!(facts, [
///     ("metal", Some(&FactValue::Text("gold".into()))),
///     ("monetary", Some(&FactValue::Number(dec!(1500.00)))),
/// ]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MatchedRule {
    /// The rule's number in the file (1-based).
    pub number: usize,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its condition as written, trimmed; none for a rule without `when` (always).
    pub when: Option<String>,
    /// Each identifier of the condition once, in order of first use, with its value.
    pub facts: Vec<Fact>,
}

impl MatchedRule {
    pub(crate) fn new(
        number: usize,
        name: Option<String>,
        when: Option<String>,
        facts: Vec<Fact>,
    ) -> Self {
        MatchedRule {
            number,
            name,
            when,
            facts,
        }
    }
}

/// An identifier of a condition and the value it had, in a [`MatchedRule`].
///
/// # Example
/// ```
/// use customer_tiering::classify::explain::{FactValue, TierDecision};
/// use customer_tiering::classify::Reason;
/// use customer_tiering::rules::{Facts, RuleSet};
/// use customer_tiering::{CustomerId, Profile};
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b"]
///     [[rules]]
///     when = "credit_rating is missing"
///     tier = "b"
///     [[rules]]
///     tier = "a"
/// "#)?;
/// let profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// let why = rules.explain(&Facts { profile: &profile, columns: &[], labels: &[] });
/// let Reason::RuleSet(trace) = why.reason() else { panic!() };
/// let TierDecision::Rule { rule, .. } = &trace.decided else { panic!() };
/// assert_eq!((rule.facts[0].name.as_str(), &rule.facts[0].value), ("credit_rating", &None));
/// assert_eq!(why.to_string(), "tier = b: rule 1 (credit_rating is missing; credit_rating = (missing)) gave b; tags: none");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Fact {
    /// The identifier: a metric, an attribute, a label column or `tier`.
    pub name: SmolStr,
    /// Its value; none when missing.
    pub value: Option<FactValue>,
}

impl Fact {
    pub(crate) fn new(name: SmolStr, value: Option<FactValue>) -> Self {
        Fact { name, value }
    }
}

/// The value of an identifier of a condition, in a [`Fact`].
///
/// # Example
/// ```
/// use customer_tiering::classify::explain::FactValue;
/// use rust_decimal::dec;
/// let values = [FactValue::Number(dec!(1.50)), FactValue::Text("D".into()), FactValue::Tier("a".into())];
/// let json = serde_json::to_string(&values)?;
/// assert_eq!(json, r#"[{"number":"1.50"},{"text":"D"},{"tier":"a"}]"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FactValue {
    /// A number: a metric, a numeric attribute or a score.
    Number(#[serde(with = "rust_decimal::serde::str")] Decimal),
    /// A text: an attribute or a named label.
    Text(SmolStr),
    /// The rule set's own tier so far (in `tier` conditions).
    Tier(SmolStr),
    /// An arithmetic part of the condition (`profit / monetary`) that has no value:
    /// `division by zero` or `overflow`; the comparison does not hold.
    Failed(&'static str),
}

/// A cap (`at_most`) or floor (`at_least`) that applied, in a [`RuleTrace`]: the tier
/// before and after it.
///
/// # Example
/// ```
/// use customer_tiering::attributes::AttrValue;
/// use customer_tiering::classify::explain::Bound;
/// use customer_tiering::classify::Reason;
/// use customer_tiering::rules::{Facts, RuleSet};
/// use customer_tiering::{CustomerId, Profile};
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b", "c"]
///     default = "a"
///     [[rules]]
///     when = 'credit_rating == "D"'
///     at_most = "b"
/// "#)?;
/// let mut profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// profile.attributes.insert("credit_rating", AttrValue::Text("D".into()));
/// let why = rules.explain(&Facts { profile: &profile, columns: &[], labels: &[] });
/// let Reason::RuleSet(trace) = why.reason() else { panic!() };
/// let step = &trace.bounds[0];
/// assert_eq!((step.bound, step.before.as_str(), step.after.as_str()), (Bound::AtMost, "a", "b"));
/// assert!(why.to_string().ends_with("rule 1 (credit_rating == \"D\"; credit_rating = D) capped it at b; tags: none"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BoundStep {
    /// The rule.
    pub rule: MatchedRule,
    /// Cap or floor.
    pub bound: Bound,
    /// The rule's tier.
    pub target: SmolStr,
    /// The tier before the rule.
    pub before: SmolStr,
    /// The tier after it (the same when it was already within the bound).
    pub after: SmolStr,
}

impl BoundStep {
    pub(crate) fn new(
        rule: MatchedRule,
        bound: Bound,
        target: SmolStr,
        before: SmolStr,
        after: SmolStr,
    ) -> Self {
        BoundStep {
            rule,
            bound,
            target,
            before,
            after,
        }
    }
}

/// Which way a [`BoundStep`] bounds the tier.
///
/// # Example
/// ```
/// use customer_tiering::classify::explain::Bound;
/// assert_eq!(serde_json::to_string(&Bound::AtLeast)?, r#""at_least""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// `at_most`: the tier becomes the worse of itself and the target.
    AtMost,
    /// `at_least`: the tier becomes the better of itself and the target.
    AtLeast,
}

/// A tag and the rules that gave it, in a [`RuleTrace`].
///
/// # Example
/// ```
/// use customer_tiering::classify::Reason;
/// use customer_tiering::rules::{Facts, RuleSet};
/// use customer_tiering::{CustomerId, Profile};
/// let rules = RuleSet::from_toml_str("t.toml", r#"
///     name = "t"
///     tiers = ["a", "b"]
///     default = "b"
///     [[rules]]
///     when = "frequency == 0"
///     tag = "prospect"
///     [[rules]]
///     when = 'tier == "b"'
///     tag = "prospect"
/// "#)?;
/// let profile = Profile::without_purchases(CustomerId::new("C1").unwrap());
/// let why = rules.explain(&Facts { profile: &profile, columns: &[], labels: &[] });
/// let Reason::RuleSet(trace) = why.reason() else { panic!() };
/// let tag = &trace.tags[0];
/// let numbers: Vec<usize> = tag.rules.iter().map(|r| r.number).collect();
/// assert_eq!((tag.tag.as_str(), numbers), ("prospect", vec![1, 2]));
/// assert!(why.to_string().ends_with(
///     r#"tags: prospect by rule 1 (frequency == 0; frequency = 0) and rule 2 (tier == "b"; tier = b)"#
/// ));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TagStep {
    /// The tag.
    pub tag: SmolStr,
    /// The matching rules that give it, in rule order.
    pub rules: Vec<MatchedRule>,
}

impl TagStep {
    pub(crate) fn new(tag: SmolStr, rules: Vec<MatchedRule>) -> Self {
        TagStep { tag, rules }
    }
}

#[cfg(test)]
mod tests;
