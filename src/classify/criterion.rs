//! What puts a customer under a label of a fitted model, for the management table: a
//! structured rule per column and label ([`Criterion`]) that each model gives from its
//! own fitted state ([`Model::criteria`](super::Model::criteria)), written out in
//! English, Traditional or Simplified Chinese by [`Rule::render`]. Numbers are printed
//! as plain decimals without grouping, exactly as the model holds them.
//!
//! # Example
//! ```
//! use customer_tiering::classify::criterion::{Bound, Rule, Quantity};
//! use customer_tiering::names::Lang;
//! use customer_tiering::Metric;
//! use rust_decimal::dec;
//! let band = Rule::Range {
//!     quantity: Quantity::Metric(Metric::Monetary),
//!     lower: Some(Bound { value: dec!(31.35), inclusive: true }),
//!     upper: Some(Bound { value: dec!(59.92), inclusive: false }),
//!     or_not_positive: false,
//! };
//! assert_eq!(band.render(Lang::En), "31.35 ≤ monetary < 59.92");
//! assert_eq!(band.render(Lang::ZhHant), "31.35 ≤ 消費金額 < 59.92");
//! ```

use rust_decimal::Decimal;
use serde::Serialize;

use crate::names::Lang;
use crate::profile::Metric;

/// The rule of one label of one column of a fitted model.
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, Classifier, Model};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=10i64 {
/// #     b.add(Transaction::new(CustomerId::new(&format!("C{i:02}")).unwrap(), date(2026, 3, 1), i.into()))?;
/// # }
/// let criteria = ParetoParams::abc().fit(&b.finish()?)?.criteria();
/// assert_eq!((criteria[0].column.as_str(), criteria[0].label.as_str()), ("abc", "a"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// The output column (`metal`, `r`).
    pub column: String,
    /// The label's key (`platinum`, `5`).
    pub label: String,
    /// What puts a customer there.
    pub rule: Rule,
}

/// What a value is compared with.
///
/// # Example
/// ```
/// use customer_tiering::classify::criterion::{Bound, Quantity, Rule};
/// use customer_tiering::names::Lang;
/// let at_least = Some(Bound { value: 10.into(), inclusive: true });
/// let rule = Rule::Range { quantity: Quantity::Points, lower: at_least, upper: None, or_not_positive: false };
/// assert_eq!(rule.render(Lang::En), "points ≥ 10");
/// assert_eq!(rule.render(Lang::ZhHant), "總分 ≥ 10");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// A profile metric.
    Metric(Metric),
    /// The weighted composite score of the value tiers.
    Composite,
    /// The points a grade sums over its dimensions.
    Points,
}

/// One end of a range.
///
/// # Example
/// ```
/// use customer_tiering::classify::criterion::{Bound, Quantity, Rule};
/// use customer_tiering::names::Lang;
/// let below = Some(Bound { value: 5.into(), inclusive: false });
/// let rule = Rule::Range { quantity: Quantity::Composite, lower: None, upper: below, or_not_positive: false };
/// assert_eq!(rule.render(Lang::En), "composite < 5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bound {
    /// The value at the end.
    pub value: Decimal,
    /// Whether the value itself is in the range.
    pub inclusive: bool,
}

/// A score range of one score column, for segment rules: `from..=to`.
///
/// # Example
/// ```
/// use customer_tiering::classify::criterion::{Rule, ScoreRange};
/// use customer_tiering::names::Lang;
/// let m = ScoreRange { column: "m".into(), from: 1, to: 2 };
/// assert_eq!(Rule::Scores { any_of: vec![vec![m]] }.render(Lang::En), "M 1–2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreRange {
    /// The score column (`r`, `f`, `m`).
    pub column: String,
    /// The least score.
    pub from: u8,
    /// The greatest score.
    pub to: u8,
}

/// Why a label holds no customer of the fit population.
///
/// # Example
/// ```
/// use customer_tiering::classify::criterion::{EmptyWhy, Rule};
/// use customer_tiering::names::Lang;
/// let tie = Rule::Empty { why: EmptyWhy::Tie { value: 2.into(), customers: 62 } };
/// assert_eq!(tie.render(Lang::En), "empty: 62 customers share the value 2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EmptyWhy {
    /// Tied customers all got the score below.
    Tie {
        /// The shared value.
        value: Decimal,
        /// How many share it.
        customers: u64,
    },
    /// Fewer customers than bins.
    FewerCustomersThanBins {
        /// The customers fitted.
        customers: u64,
    },
    /// No fitted customer's value falls in the label's range.
    NoValueInRange {
        /// The range.
        range: Box<Rule>,
    },
    /// No customer had a positive value, so every one is in the last band.
    NoPositiveValue,
}

/// What puts a customer under a label.
///
/// # Example
/// ```
/// use customer_tiering::classify::criterion::Rule;
/// use customer_tiering::names::Lang;
/// assert!(Rule::Unscored.render(Lang::En).starts_with("no purchase on or before"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rule {
    /// A value between bounds (none: open on that side); with `or_not_positive`, also
    /// every value ≤ 0.
    Range {
        /// What is compared.
        quantity: Quantity,
        /// The lower end.
        lower: Option<Bound>,
        /// The upper end.
        upper: Option<Bound>,
        /// Values ≤ 0 belong here too (the last band of a value basis).
        or_not_positive: bool,
    },
    /// Any one of the combinations of score ranges (each combination: every range holds;
    /// a score column left out takes any score).
    Scores {
        /// The combinations.
        any_of: Vec<Vec<ScoreRange>>,
    },
    /// Several conditions in order, the first that holds decides (lifecycle stages).
    Condition {
        /// The condition in the three languages.
        text: Words,
    },
    /// A rule set's tier: the rules that give it (a tier rule), or move customers into
    /// it (a cap or a floor), and whether it is the tier of customers no tier rule
    /// matches.
    Rules {
        /// The rules, in the file's order.
        rules: Vec<NamedRule>,
        /// It is the rule set's default tier.
        default: bool,
    },
    /// No customer of the fit population is here.
    Empty {
        /// Why.
        why: EmptyWhy,
    },
    /// No label: the reasons.
    Unscored,
}

/// A rule of a rule set, by name, and how it brings customers to a tier.
///
/// # Example
/// ```
/// use customer_tiering::classify::criterion::{NamedRule, Rule, RuleRole};
/// use customer_tiering::names::Lang;
/// let cap = NamedRule { name: "bad credit".into(), role: RuleRole::Cap };
/// let rule = Rule::Rules { rules: vec![cap], default: false };
/// assert_eq!(rule.render(Lang::En), "rules: bad credit (cap)");
/// assert_eq!(rule.render(Lang::ZhHans), "规则：bad credit（上限）");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedRule {
    /// The rule's name (`rule 3` for an unnamed one, counted from 1 in the file).
    pub name: String,
    /// How it brings customers to the tier.
    pub role: RuleRole,
}

/// How a rule brings customers to a tier.
///
/// # Example
/// ```
/// use customer_tiering::classify::criterion::{NamedRule, Rule, RuleRole};
/// use customer_tiering::names::Lang;
/// let lift = NamedRule { name: "active platinum".into(), role: RuleRole::Floor };
/// let rule = Rule::Rules { rules: vec![lift], default: true };
/// assert_eq!(rule.render(Lang::En), "rules: active platinum (floor); no tier rule matches (default)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleRole {
    /// It gives the tier.
    Tier,
    /// It caps better tiers at this one.
    Cap,
    /// It lifts worse tiers to this one.
    Floor,
}

/// A text in the three languages.
///
/// # Example
/// ```
/// use customer_tiering::classify::criterion::{Rule, Words};
/// use customer_tiering::names::Lang;
/// let text = Words { en: "no purchase".into(), zh_hant: "沒有購買".into(), zh_hans: "没有购买".into() };
/// assert_eq!(Rule::Condition { text }.render(Lang::ZhHant), "沒有購買");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    /// English.
    pub en: String,
    /// Traditional Chinese.
    pub zh_hant: String,
    /// Simplified Chinese.
    pub zh_hans: String,
}

impl Words {
    /// The text in `lang`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::criterion::Words;
    /// use customer_tiering::names::Lang;
    /// let w = Words { en: "new".into(), zh_hant: "新".into(), zh_hans: "新".into() };
    /// assert_eq!(w.get(Lang::En), "new");
    /// ```
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhHant => &self.zh_hant,
            Lang::ZhHans => &self.zh_hans,
        }
    }
}

/// One phrase in the three languages.
fn pick(
    lang: Lang,
    en: &'static str,
    zh_hant: &'static str,
    zh_hans: &'static str,
) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhHant => zh_hant,
        Lang::ZhHans => zh_hans,
    }
}

fn quantity_name(quantity: Quantity, lang: Lang) -> &'static str {
    match quantity {
        Quantity::Metric(metric) => crate::names::metric_name(metric, lang),
        Quantity::Composite => pick(lang, "composite", "綜合價值分數", "综合价值分数"),
        Quantity::Points => pick(lang, "points", "總分", "总分"),
    }
}

/// A score column's name (`r` → `R`).
fn score_name(column: &str) -> String {
    column.to_uppercase()
}

impl Rule {
    /// The rule in words in `lang` (numbers as plain decimals, no grouping).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::criterion::{Rule, ScoreRange};
    /// use customer_tiering::names::Lang;
    /// let range = |column: &str, from, to| ScoreRange { column: column.into(), from, to };
    /// let champions = Rule::Scores { any_of: vec![vec![range("r", 5, 5), range("f", 4, 5)]] };
    /// assert_eq!(champions.render(Lang::En), "R 5 and F 4–5");
    /// assert_eq!(champions.render(Lang::ZhHans), "R 5 且 F 4–5");
    /// ```
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Rule::Range {
                quantity,
                lower,
                upper,
                or_not_positive,
            } => {
                let name = quantity_name(*quantity, lang);
                let op = |b: &Bound| if b.inclusive { "≤" } else { "<" };
                let mut text = match (lower, upper) {
                    (Some(lo), Some(hi)) => {
                        format!("{} {} {name} {} {}", lo.value, op(lo), op(hi), hi.value)
                    }
                    (Some(lo), None) => {
                        let ge = if lo.inclusive { "≥" } else { ">" };
                        format!("{name} {ge} {}", lo.value)
                    }
                    (None, Some(hi)) => format!("{name} {} {}", op(hi), hi.value),
                    (None, None) => pick(lang, "any value", "任何值", "任何值").to_string(),
                };
                if *or_not_positive {
                    text.push_str(pick(lang, ", or ", "，或 ", "，或 "));
                    text.push_str(&format!("{name} ≤ 0"));
                }
                text
            }
            Rule::Scores { any_of } => {
                let and = pick(lang, " and ", " 且 ", " 且 ");
                let or = pick(lang, "; or ", "；或 ", "；或 ");
                let one = |ranges: &Vec<ScoreRange>| -> String {
                    if ranges.is_empty() {
                        return pick(lang, "any scores", "任何分數", "任何分数").to_string();
                    }
                    ranges
                        .iter()
                        .map(|r| match r.from == r.to {
                            true => format!("{} {}", score_name(&r.column), r.from),
                            false => format!("{} {}–{}", score_name(&r.column), r.from, r.to),
                        })
                        .collect::<Vec<_>>()
                        .join(and)
                };
                match any_of.is_empty() {
                    true => {
                        pick(lang, "no score cell", "無對應分數組合", "无对应分数组合").to_string()
                    }
                    false => any_of.iter().map(one).collect::<Vec<_>>().join(or),
                }
            }
            Rule::Condition { text } => text.get(lang).to_string(),
            Rule::Rules { rules, default } => {
                let sep = pick(lang, ", ", "、", "、");
                let mut text = String::new();
                if !rules.is_empty() {
                    text.push_str(pick(lang, "rules: ", "規則：", "规则："));
                    let named: Vec<String> = rules
                        .iter()
                        .map(|r| {
                            let role = match r.role {
                                RuleRole::Tier => "",
                                RuleRole::Cap => pick(lang, " (cap)", "（上限）", "（上限）"),
                                RuleRole::Floor => pick(lang, " (floor)", "（下限）", "（下限）"),
                            };
                            format!("{}{role}", r.name)
                        })
                        .collect();
                    text.push_str(&named.join(sep));
                }
                if *default {
                    if !text.is_empty() {
                        text.push_str(pick(lang, "; ", "；", "；"));
                    }
                    text.push_str(pick(
                        lang,
                        "no tier rule matches (default)",
                        "未符合任何層級規則（預設）",
                        "未符合任何层级规则（默认）",
                    ));
                }
                text
            }
            Rule::Empty { why } => {
                let head = pick(lang, "empty: ", "空：", "空：");
                let body = match why {
                    EmptyWhy::Tie { value, customers } => match lang {
                        Lang::En => format!("{customers} customers share the value {value}"),
                        Lang::ZhHant => format!("{customers} 位客戶同為 {value}，歸入較低分數"),
                        Lang::ZhHans => format!("{customers} 位客户同为 {value}，归入较低分数"),
                    },
                    EmptyWhy::FewerCustomersThanBins { customers } => match lang {
                        Lang::En => format!("only {customers} customers for more bins"),
                        Lang::ZhHant => format!("僅 {customers} 位客戶，少於分組數"),
                        Lang::ZhHans => format!("仅 {customers} 位客户，少于分组数"),
                    },
                    EmptyWhy::NoValueInRange { range } => match lang {
                        Lang::En => format!("no fitted customer has {}", range.render(lang)),
                        Lang::ZhHant => format!("沒有客戶符合 {}", range.render(lang)),
                        Lang::ZhHans => format!("没有客户符合 {}", range.render(lang)),
                    },
                    EmptyWhy::NoPositiveValue => pick(
                        lang,
                        "no customer has a positive value, so all are in the last band",
                        "沒有客戶的值為正，全部歸入最後一級",
                        "没有客户的值为正，全部归入最后一级",
                    )
                    .to_string(),
                };
                format!("{head}{body}")
            }
            Rule::Unscored => pick(
                lang,
                "no purchase on or before the as-of date, or a metric it needs is missing",
                "截至基準日沒有購買，或缺少所需的指標",
                "截至基准日没有购买，或缺少所需的指标",
            )
            .to_string(),
        }
    }
}

impl Rule {
    /// `quantity ≥ value` (open below when `value` is none): a band or grade that holds
    /// what reaches its threshold and is not in the one above.
    pub(crate) fn at_least(quantity: Quantity, value: Option<Decimal>) -> Rule {
        Rule::Range {
            quantity,
            lower: value.map(|value| Bound {
                value,
                inclusive: true,
            }),
            upper: None,
            or_not_positive: false,
        }
    }

    /// This rule, or for a label the fit population left empty (`size` 0), why it is
    /// empty: no fitted value in the rule's range.
    pub(crate) fn or_empty(self, size: Option<&usize>) -> Rule {
        match size {
            Some(0) => Rule::Empty {
                why: EmptyWhy::NoValueInRange {
                    range: Box::new(self),
                },
            },
            _ => self,
        }
    }
}

/// The range of score `s` of `k` given the cut points `t_2..t_k` (worst to best): the
/// values strictly better than `t_2..t_s` and not strictly better than `t_{s+1}`.
pub(crate) fn score_range(
    quantity: Quantity,
    cuts: &[Decimal],
    score: u8,
    direction: crate::profile::Direction,
) -> Rule {
    let s = usize::from(score);
    // cuts[i] is t_{i+2}.
    let beats = s.checked_sub(2).and_then(|i| cuts.get(i)).copied();
    let below_next = cuts.get(s.wrapping_sub(1)).copied();
    let (lower, upper) = match direction {
        crate::profile::Direction::HigherIsBetter => (
            beats.map(|value| Bound {
                value,
                inclusive: false,
            }),
            below_next.map(|value| Bound {
                value,
                inclusive: true,
            }),
        ),
        crate::profile::Direction::LowerIsBetter => (
            below_next.map(|value| Bound {
                value,
                inclusive: true,
            }),
            beats.map(|value| Bound {
                value,
                inclusive: false,
            }),
        ),
    };
    Rule::Range {
        quantity,
        lower,
        upper,
        or_not_positive: false,
    }
}

/// The cells `(r, f, m)` of `k` scores each that `belongs` takes, as boxes of score
/// ranges: each box grown from its first cell (in r, f, m order) along m, then f, then
/// r while every cell it adds belongs and is not yet covered. A range spanning every
/// score is left out.
pub(crate) fn score_boxes(k: u8, belongs: impl Fn(u8, u8, u8) -> bool) -> Vec<Vec<ScoreRange>> {
    let k_us = usize::from(k);
    let at = |r: u8, f: u8, m: u8| {
        (usize::from(r - 1) * k_us + usize::from(f - 1)) * k_us + usize::from(m - 1)
    };
    let mut covered = vec![false; k_us * k_us * k_us];
    let free = |covered: &[bool], r: u8, f: u8, m: u8| belongs(r, f, m) && !covered[at(r, f, m)];
    let mut boxes = Vec::new();
    for r in 1..=k {
        for f in 1..=k {
            for m in 1..=k {
                if !free(&covered, r, f, m) {
                    continue;
                }
                let mut m_to = m;
                while m_to < k && free(&covered, r, f, m_to + 1) {
                    m_to += 1;
                }
                let mut f_to = f;
                while f_to < k && (m..=m_to).all(|mm| free(&covered, r, f_to + 1, mm)) {
                    f_to += 1;
                }
                let mut r_to = r;
                while r_to < k
                    && (f..=f_to).all(|ff| (m..=m_to).all(|mm| free(&covered, r_to + 1, ff, mm)))
                {
                    r_to += 1;
                }
                for rr in r..=r_to {
                    for ff in f..=f_to {
                        for mm in m..=m_to {
                            covered[at(rr, ff, mm)] = true;
                        }
                    }
                }
                let mut ranges = Vec::new();
                for (column, from, to) in [("r", r, r_to), ("f", f, f_to), ("m", m, m_to)] {
                    if (from, to) != (1, k) {
                        // Best first reads better: "R 4–5".
                        ranges.push(ScoreRange {
                            column: column.to_string(),
                            from,
                            to,
                        });
                    }
                }
                boxes.push(ranges);
            }
        }
    }
    // Best cells first: the boxes of the highest R, then F, then M.
    boxes.reverse();
    boxes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Direction;
    use rust_decimal::dec;

    #[test]
    fn score_ranges_follow_the_strictly_better_rule() {
        let cuts = [dec!(10), dec!(20), dec!(30), dec!(40)];
        let m = Quantity::Metric(Metric::Monetary);
        let up = Direction::HigherIsBetter;
        assert_eq!(
            score_range(m, &cuts, 1, up).render(Lang::En),
            "monetary ≤ 10"
        );
        assert_eq!(
            score_range(m, &cuts, 3, up).render(Lang::En),
            "20 < monetary ≤ 30"
        );
        assert_eq!(
            score_range(m, &cuts, 5, up).render(Lang::En),
            "monetary > 40"
        );
        let r = Quantity::Metric(Metric::RecencyDays);
        let down = Direction::LowerIsBetter;
        let days = [dec!(40), dec!(30), dec!(20), dec!(10)]; // worst to best
        assert_eq!(
            score_range(r, &days, 1, down).render(Lang::En),
            "recency_days ≥ 40"
        );
        assert_eq!(
            score_range(r, &days, 2, down).render(Lang::En),
            "30 ≤ recency_days < 40"
        );
        assert_eq!(
            score_range(r, &days, 5, down).render(Lang::En),
            "recency_days < 10"
        );
    }

    #[test]
    fn boxes_cover_exactly_the_cells_they_are_given() {
        let k = 5;
        let belongs = |r: u8, f: u8, m: u8| (r >= 4 && f >= 3) || (r == 1 && m == 2);
        let boxes = score_boxes(k, belongs);
        let inside = |r: u8, f: u8, m: u8| {
            boxes.iter().any(|ranges| {
                ranges.iter().all(|x| {
                    let v = match x.column.as_str() {
                        "r" => r,
                        "f" => f,
                        _ => m,
                    };
                    (x.from..=x.to).contains(&v)
                })
            })
        };
        for r in 1..=k {
            for f in 1..=k {
                for m in 1..=k {
                    assert_eq!(inside(r, f, m), belongs(r, f, m), "{r}{f}{m}");
                }
            }
        }
        let text = Rule::Scores { any_of: boxes }.render(Lang::En);
        assert_eq!(text, "R 4–5 and F 3–5; or R 1 and M 2");
    }

    #[test]
    fn every_rule_reads_in_three_languages() {
        let rules = [
            Rule::Empty {
                why: EmptyWhy::Tie {
                    value: dec!(2),
                    customers: 62,
                },
            },
            Rule::Rules {
                rules: vec![NamedRule {
                    name: "bad credit".into(),
                    role: RuleRole::Cap,
                }],
                default: true,
            },
            Rule::Unscored,
        ];
        for rule in rules {
            let en = rule.render(Lang::En);
            for lang in [Lang::ZhHant, Lang::ZhHans] {
                let zh = rule.render(lang);
                assert!(!zh.is_empty() && zh != en, "{zh}");
            }
        }
    }
}
