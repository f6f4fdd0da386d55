//! The Chinese renderings of explanations, in Traditional and Simplified script: the same
//! values as `english.rs`, the same order of clauses, and every number written exactly as
//! the English writes it. Labels appear by their display names; column names, rule
//! conditions, tags and the facts a condition looked at stay as written, because they are
//! keys a reader finds again in the files and the rule file.
//!
//! The two scripts share one sentence structure, so each phrase is given once as a pair
//! ([`pick`]): a reader of one renderer sees both spellings side by side.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{
    Bound, CompositeTerm, Explanation, FactValue, GradedDimension, MatchedRule, Reason, RuleTrace,
    StageBy, Threshold, TierDecision,
};
use crate::classify::band::{Band, Basis};
use crate::classify::quantile::QuantileMode;
use crate::classify::{Label, Unscored};
use crate::names::{self, Lang};
use crate::profile::{Direction, Metric};

/// The Traditional or the Simplified spelling of one phrase (English callers never get
/// here; they are given the Traditional one).
pub(crate) fn pick(lang: Lang, hant: &'static str, hans: &'static str) -> &'static str {
    match lang {
        Lang::ZhHans => hans,
        Lang::En | Lang::ZhHant => hant,
    }
}

/// A name set between Chinese words: a space on each side where the name begins or ends
/// with a Latin letter or digit (a key without a display name, `gold` or `a`), as Chinese
/// typesetting separates the scripts; none beside a Chinese character.
pub(crate) fn spaced(name: &str, before: bool, after: bool) -> String {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = String::with_capacity(name.len() + 2);
    if before && latin(name.chars().next()) {
        out.push(' ');
    }
    out.push_str(name);
    if after && latin(name.chars().next_back()) {
        out.push(' ');
    }
    out
}

pub(crate) use crate::names::metric_name;

/// Why a customer has no label, in Chinese; an application's own reason as given.
pub(crate) fn unscored_reason(why: &Unscored, lang: Lang) -> String {
    match why {
        Unscored::NoPurchases => pick(lang, "基準日當天或之前沒有購買", "基准日当天或之前没有购买"),
        Unscored::MissingMetric => pick(lang, "此客戶沒有該指標的數值", "此客户没有该指标的数值"),
        Unscored::NoSegmentMap => pick(
            lang,
            "沒有適用於這些分數的區隔對照表",
            "没有适用于这些分数的分群映射表",
        ),
        Unscored::NoRuleMatched => pick(lang, "沒有符合的層級規則", "没有匹配的层级规则"),
        Unscored::Other(reason) => return reason.to_string(),
    }
    .to_string()
}

/// `column = 黃金顧客：…` in Chinese (see the module docs); `names(column, label)` gives
/// a label's display name.
pub(super) fn render(e: &Explanation, lang: Lang, names: &dyn Fn(&str, &str) -> String) -> String {
    let column = e.column.as_str();
    let mut out = String::new();
    match &e.reason {
        Reason::Unscored { why } => {
            let head = pick(lang, "未評分", "未评分");
            return format!("{column} {head}：{}", unscored_reason(why, lang));
        }
        Reason::Text { text } => {
            let label = match &e.label {
                Label::Unscored(why) => {
                    let head = pick(lang, "未評分", "未评分");
                    format!("({head}：{})", unscored_reason(why, lang))
                }
                scored => names(column, &scored.as_cell()),
            };
            return format!("{column} = {label}：{text}");
        }
        Reason::RuleSet(_) if !e.label.is_scored() => {
            let _ = write!(out, "{column} = {}：", pick(lang, "無", "无"));
        }
        _ => {
            let _ = write!(out, "{column} = {}：", names(column, &e.label.as_cell()));
        }
    }
    let fitted = |fit_size: usize| {
        format!(
            "{} {fit_size} {}",
            pick(lang, "以", "以"),
            pick(lang, "位購買客戶擬合", "位购买客户拟合")
        )
    };
    match &e.reason {
        Reason::Score {
            metric,
            value,
            cuts,
            better_than,
            direction,
            mode,
            bins,
            fit_size,
        } => {
            let better = match direction {
                Direction::LowerIsBetter => pick(lang, "越少越好", "越少越好"),
                Direction::HigherIsBetter => pick(lang, "越多越好", "越多越好"),
            };
            let mode = match mode {
                QuantileMode::TieAware => pick(lang, "同值同分", "同值同分"),
                QuantileMode::EqualCount => pick(lang, "等數分組", "等数分组"),
            };
            let _ = write!(
                out,
                "{} {value} {} {} {} [{}] {} {better_than} {}（{better}；{mode}，k = {bins}，{}）",
                metric_name(*metric, lang),
                pick(lang, "優於", "优于"),
                cuts.len(),
                pick(lang, "個切點", "个切点"),
                list(cuts),
                pick(lang, "中的", "中的"),
                pick(lang, "個", "个"),
                fitted(*fit_size),
            );
        }
        Reason::Band {
            metric,
            value,
            basis,
            direction,
            not_positive,
            reaches,
            short_of,
            bands,
            fit_size,
        } => {
            let name = |band: &str| names(column, band);
            out.push_str(&band_comparison(
                lang,
                *metric,
                *value,
                *direction,
                *not_positive,
                reaches.as_ref(),
                short_of.as_ref(),
                &name,
            ));
            let basis = match basis {
                Basis::Count => pick(lang, "依人數分級", "按人数分级"),
                Basis::Value => pick(lang, "依數值分級", "按数值分级"),
            };
            let _ = write!(
                out,
                "（{basis}，{}；{}）",
                shares(bands, &name),
                fitted(*fit_size)
            );
        }
        Reason::Composite {
            composite,
            terms,
            bands,
            fit_size,
        } => {
            out.push_str(pick(lang, "綜合分數 ", "综合分数 "));
            match composite {
                Some(c) => {
                    let _ = write!(out, "{c}");
                }
                None => out.push('?'),
            }
            out.push_str(" = ");
            let terms: Vec<String> = terms.iter().map(|t| composite_term(t, lang)).collect();
            out.push_str(&terms.join(" + "));
            let name = |band: &str| names(column, band);
            let _ = write!(out, "（{}；{}）", shares(bands, &name), fitted(*fit_size));
        }
        Reason::NoPurchase => out.push_str(pick(lang, "沒有購買紀錄", "没有购买记录")),
        Reason::Grade { dimensions, points } => {
            let parts: Vec<String> = dimensions
                .iter()
                .map(|d| graded_dimension(d, lang))
                .collect();
            out.push_str(&parts.join("，"));
            if let Some(points) = points {
                let _ = write!(out, " = {} {}", points.normalize(), pick(lang, "分", "分"));
            }
        }
        Reason::Stage(by) => out.push_str(&stage(by, lang)),
        Reason::Segment { scores, map, rule } => {
            let [r, fr, m] = scores;
            let _ = write!(out, "（R {r}，F {fr}，M {m}）");
            match rule {
                Some(number) => {
                    let _ = write!(
                        out,
                        "{} {map} {} {number} {}",
                        pick(lang, "符合", "匹配"),
                        pick(lang, "的第", "的第"),
                        pick(lang, "條規則", "条规则"),
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "{} {map} {}",
                        pick(lang, "不符合", "不匹配"),
                        pick(
                            lang,
                            "的任何規則，因此歸入預設區隔",
                            "的任何规则，因此归入默认分群"
                        ),
                    );
                }
            }
        }
        Reason::RuleSet(trace) => out.push_str(&rule_set(trace, lang, &|tier| names(column, tier))),
        // Written whole above.
        Reason::Unscored { .. } | Reason::Text { .. } => {}
    }
    out
}

/// `消費金額 99 不低於黃金顧客的門檻 96，且低於白金顧客的門檻 100`; the value alone when
/// nothing was compared (a single band).
#[allow(clippy::too_many_arguments)]
fn band_comparison(
    lang: Lang,
    metric: Metric,
    value: Decimal,
    direction: Direction,
    not_positive: bool,
    reaches: Option<&Threshold>,
    short_of: Option<&Threshold>,
    name: &dyn Fn(&str) -> String,
) -> String {
    let (at_least, below) = match direction {
        Direction::HigherIsBetter => (pick(lang, "不低於", "不低于"), pick(lang, "低於", "低于")),
        Direction::LowerIsBetter => (pick(lang, "不高於", "不高于"), pick(lang, "高於", "高于")),
    };
    let threshold = pick(lang, "的門檻", "的门槛");
    let mut reasons = Vec::new();
    if not_positive {
        reasons.push(pick(lang, "不是正數", "不是正数").to_string());
    } else {
        if let Some(t) = reaches {
            let band = spaced(&name(&t.band), true, true);
            reasons.push(format!("{at_least}{band}{threshold} {}", t.value));
        }
        if let Some(t) = short_of {
            let band = spaced(&name(&t.band), true, true);
            reasons.push(format!("{below}{band}{threshold} {}", t.value));
        }
    }
    let metric = metric_name(metric, lang);
    if reasons.is_empty() {
        return format!("{metric} {value}");
    }
    format!(
        "{metric} {value} {}",
        reasons.join(pick(lang, "，且", "，且"))
    )
}

/// `消費金額 0.6 × 9/10`, or `消費成長率 0.1 × 0（無數值）`.
fn composite_term(term: &CompositeTerm, lang: Lang) -> String {
    let (metric, weight) = (metric_name(term.metric, lang), term.weight);
    match term.worse_than {
        Some(worse) => format!("{metric} {weight} × {worse}/{}", term.buyers),
        None => format!(
            "{metric} {weight} × 0（{}）",
            pick(lang, "無數值", "无数值")
        ),
    }
}

/// `價值 高 ×2（三分位切點 [200, 300]）`: the weight when it is not 1.
fn graded_dimension(d: &GradedDimension, lang: Lang) -> String {
    let mut out = format!(
        "{} {}",
        names::display_name("dimension", &d.name, lang),
        names::display_name("level_name", d.level.name(), lang)
    );
    if d.weight != Decimal::ONE {
        let _ = write!(out, " ×{}", d.weight);
    }
    if let Some(cuts) = &d.tercile_cuts {
        let _ = write!(
            out,
            "（{} [{}]）",
            pick(lang, "三分位切點", "三分位切点"),
            list(cuts)
        );
    }
    out
}

fn stage(by: &StageBy, lang: Lang) -> String {
    let status_is = pick(lang, "狀態為", "状态为");
    let no_purchase = pick(lang, "沒有購買紀錄", "没有购买记录");
    match by {
        StageBy::Status { status } => format!("{status_is} {status}"),
        StageBy::NoPurchase { status: None } => no_purchase.to_string(),
        StageBy::NoPurchase {
            status: Some(status),
        } => format!("{no_purchase}，{status_is} {status}"),
        StageBy::Days {
            metric,
            days,
            limit,
            within,
        } => {
            let which = match metric {
                Metric::TenureDays => pick(lang, "首次購買在", "首次购买在"),
                _ => pick(lang, "最後一次購買在", "最后一次购买在"),
            };
            let compared = if *within { "≤" } else { ">" };
            format!("{which} {days} 天前（{compared} {limit}）")
        }
    }
}

/// `規則 1（「vip」：monetary > 5；monetary = 7.50）判定為 a；標籤：無`.
fn rule_set(trace: &RuleTrace, lang: Lang, name: &dyn Fn(&str) -> String) -> String {
    // Every tier ends its clause (before `；` or `：`): a space before it only.
    let tier_name = |tier: &str| spaced(&name(tier), true, false);
    let mut out = String::new();
    match &trace.decided {
        TierDecision::Rule { rule, tier } => {
            out.push_str(&matched_rule(rule, lang));
            let _ = write!(out, "{}{}", pick(lang, "判定為", "判定为"), tier_name(tier));
        }
        TierDecision::Default { tier } => {
            let _ = write!(
                out,
                "{}{}",
                pick(
                    lang,
                    "沒有符合的層級規則，採用預設層級",
                    "没有匹配的层级规则，采用默认层级"
                ),
                tier_name(tier)
            );
        }
        TierDecision::Unmatched => out.push_str(pick(
            lang,
            "沒有符合的層級規則，未符合的客戶不設層級",
            "没有匹配的层级规则，未匹配的客户不设层级",
        )),
    }
    for step in &trace.bounds {
        out.push('；');
        out.push_str(&matched_rule(&step.rule, lang));
        let (target, before) = (tier_name(&step.target), tier_name(&step.before));
        let stays = pick(lang, "維持", "维持");
        let _ = match (step.bound, step.after != step.before) {
            (Bound::AtMost, true) => {
                write!(out, "{}{target}", pick(lang, "將上限設為", "将上限设为"))
            }
            (Bound::AtMost, false) => {
                write!(
                    out,
                    "{}{target}：{stays}{before}",
                    pick(lang, "上限為", "上限为")
                )
            }
            (Bound::AtLeast, true) => {
                write!(out, "{}{target}", pick(lang, "將其提升至", "将其提升至"))
            }
            (Bound::AtLeast, false) => {
                write!(
                    out,
                    "{}{target}：{stays}{before}",
                    pick(lang, "下限為", "下限为")
                )
            }
        };
    }
    let _ = write!(out, "；{}：", pick(lang, "標籤", "标签"));
    if trace.tags.is_empty() {
        out.push_str(pick(lang, "無", "无"));
    }
    for (k, step) in trace.tags.iter().enumerate() {
        if k > 0 {
            out.push('，');
        }
        let _ = write!(out, "{} {}", step.tag, pick(lang, "來自", "来自"));
        let rules: Vec<String> = step.rules.iter().map(|r| matched_rule(r, lang)).collect();
        out.push_str(&rules.join(pick(lang, "與", "和")));
    }
    out
}

/// `規則 1（「vip」：monetary > 5；monetary = 7.50）`: number, name, condition (`無條件`
/// without one) and the values it looked at, the condition and the values as written.
fn matched_rule(rule: &MatchedRule, lang: Lang) -> String {
    let when = rule
        .when
        .as_deref()
        .unwrap_or(pick(lang, "無條件", "无条件"));
    let word = pick(lang, "規則", "规则");
    let mut out = match &rule.name {
        Some(name) => {
            let (open, close) = match lang {
                Lang::ZhHans => ("“", "”"),
                Lang::En | Lang::ZhHant => ("「", "」"),
            };
            format!("{word} {}（{open}{name}{close}：{when}", rule.number)
        }
        None => format!("{word} {}（{when}", rule.number),
    };
    for (k, fact) in rule.facts.iter().enumerate() {
        let sep = if k == 0 { "；" } else { "，" };
        let _ = write!(out, "{sep}{} = ", fact.name);
        match &fact.value {
            None => {
                let _ = write!(out, "（{}）", pick(lang, "缺值", "缺失"));
            }
            Some(FactValue::Number(n)) => out.push_str(&crate::money::display(*n)),
            Some(FactValue::Text(t) | FactValue::Tier(t)) => out.push_str(t),
            Some(FactValue::Failed(why)) => {
                let why = match *why {
                    "division by zero" => pick(lang, "除以零", "除以零"),
                    "overflow" => pick(lang, "溢位", "溢出"),
                    other => other,
                };
                let _ = write!(out, "（{why}）");
            }
        }
    }
    out.push('）');
    out
}

/// Decimals as written, separated by `, `.
fn list(values: &[Decimal]) -> String {
    let written: Vec<String> = values.iter().map(Decimal::to_string).collect();
    written.join(", ")
}

/// `白金顧客 1% / 黃金顧客 4% / …`: the bands' shares in per cent.
fn shares(bands: &[Band], name: &dyn Fn(&str) -> String) -> String {
    let parts: Vec<String> = bands
        .iter()
        .map(|band| {
            format!(
                "{} {}%",
                name(&band.name),
                (band.share * Decimal::ONE_HUNDRED).normalize()
            )
        })
        .collect();
    parts.join(" / ")
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;
    use smol_str::SmolStr;

    use super::*;
    use crate::classify::explain::{BoundStep, Fact, TagStep, Weight};
    use crate::classify::grade::Level;
    use crate::classify::quantile::QuantileMode;

    fn band(name: &str, share: Decimal) -> Band {
        Band {
            name: name.into(),
            share,
        }
    }

    fn metals() -> Vec<Band> {
        vec![
            band("platinum", dec!(0.01)),
            band("gold", dec!(0.04)),
            band("iron", dec!(0.15)),
            band("lead", dec!(0.80)),
        ]
    }

    fn rule(
        number: usize,
        name: Option<&str>,
        when: Option<&str>,
        facts: Vec<Fact>,
    ) -> MatchedRule {
        MatchedRule::new(number, name.map(Into::into), when.map(Into::into), facts)
    }

    fn named(column: &str, label: &str, reason: Reason) -> Explanation {
        Explanation::new(column, Label::Name(label.into()), reason)
    }

    /// One explanation of every reason, and of every way within one (directions, bases,
    /// stages, tier decisions, caps and floors, fact values), with its zh-Hant line.
    fn cases() -> Vec<(Explanation, &'static str)> {
        let days = |metric, days, limit, within| {
            Reason::Stage(StageBy::Days {
                metric,
                days,
                limit,
                within,
            })
        };
        let mut capped = RuleTrace::new(TierDecision::Rule {
            rule: rule(
                1,
                Some("vip"),
                Some("monetary > 5 and region == \"north\""),
                vec![
                    Fact::new("monetary".into(), Some(FactValue::Number(dec!(7.50)))),
                    Fact::new("region".into(), Some(FactValue::Text("north".into()))),
                ],
            ),
            tier: "a".into(),
        });
        let credit = || {
            rule(
                4,
                Some("bad credit"),
                Some("credit_rating == \"D\""),
                vec![Fact::new(
                    "credit_rating".into(),
                    Some(FactValue::Text("D".into())),
                )],
            )
        };
        capped.bounds.push(BoundStep::new(
            credit(),
            Bound::AtMost,
            "b".into(),
            "a".into(),
            "b".into(),
        ));
        capped.bounds.push(BoundStep::new(
            credit(),
            Bound::AtMost,
            "c".into(),
            "b".into(),
            "b".into(),
        ));
        capped.bounds.push(BoundStep::new(
            rule(
                5,
                None,
                Some("tier == \"c\""),
                vec![Fact::new("tier".into(), Some(FactValue::Tier("b".into())))],
            ),
            Bound::AtLeast,
            "a".into(),
            "b".into(),
            "a".into(),
        ));
        capped.bounds.push(BoundStep::new(
            rule(
                6,
                None,
                Some("margin > 0"),
                vec![Fact::new(
                    "margin".into(),
                    Some(FactValue::Failed("division by zero")),
                )],
            ),
            Bound::AtLeast,
            "c".into(),
            "a".into(),
            "a".into(),
        ));
        capped.tags.push(TagStep::new(
            "watch".into(),
            vec![
                rule(7, None, None, vec![]),
                rule(
                    8,
                    None,
                    Some("x is missing"),
                    vec![Fact::new("x".into(), None)],
                ),
            ],
        ));
        capped.tags.push(TagStep::new(
            "vip".into(),
            vec![rule(
                9,
                None,
                Some("ratio > 1"),
                vec![Fact::new(
                    "ratio".into(),
                    Some(FactValue::Failed("overflow")),
                )],
            )],
        ));
        let default = RuleTrace::new(TierDecision::Default { tier: "b".into() });
        let unmatched = RuleTrace::new(TierDecision::Unmatched);
        let intent = RuleTrace::new(TierDecision::Rule {
            rule: rule(
                1,
                Some("strong need"),
                Some("intent == \"a\""),
                vec![Fact::new(
                    "intent".into(),
                    Some(FactValue::Text("a".into())),
                )],
            ),
            tier: "a".into(),
        });
        let terms = vec![
            CompositeTerm::new(Metric::Monetary, Weight::new(60, 2), Some(9), 10),
            CompositeTerm::new(Metric::Frequency, Weight::new(30, 2), Some(0), 10),
            CompositeTerm::new(Metric::Growth, Weight::new(1, 1), None, 0),
        ];
        let value_bands = vec![
            band("vip", dec!(0.02)),
            band("a", dec!(0.08)),
            band("b", dec!(0.9)),
        ];
        vec![
            (
                Explanation::new(
                    "m",
                    Label::Score(5),
                    Reason::Score {
                        metric: Metric::Monetary,
                        value: dec!(7),
                        cuts: vec![dec!(2), dec!(3), dec!(5), dec!(6)],
                        better_than: 4,
                        direction: Direction::HigherIsBetter,
                        mode: QuantileMode::TieAware,
                        bins: 5,
                        fit_size: 7,
                    },
                ),
                "m = 5：消費金額 7 優於 4 個切點 [2, 3, 5, 6] 中的 4 個（越多越好；同值同分，k = 5，以 7 位購買客戶擬合）",
            ),
            (
                Explanation::new(
                    "r",
                    Label::Score(2),
                    Reason::Score {
                        metric: Metric::RecencyDays,
                        value: dec!(40),
                        cuts: vec![dec!(60), dec!(30)],
                        better_than: 1,
                        direction: Direction::LowerIsBetter,
                        mode: QuantileMode::EqualCount,
                        bins: 3,
                        fit_size: 12,
                    },
                ),
                "r = 2：距上次購買天數 40 優於 2 個切點 [60, 30] 中的 1 個（越少越好；等數分組，k = 3，以 12 位購買客戶擬合）",
            ),
            (
                named(
                    "metal",
                    "gold",
                    Reason::Band {
                        metric: Metric::Monetary,
                        value: dec!(99.50),
                        basis: Basis::Count,
                        direction: Direction::HigherIsBetter,
                        not_positive: false,
                        reaches: Some(Threshold::new("gold".into(), dec!(96))),
                        short_of: Some(Threshold::new("platinum".into(), dec!(100))),
                        bands: metals(),
                        fit_size: 100,
                    },
                ),
                "metal = 黃金顧客：消費金額 99.50 不低於黃金顧客的門檻 96，且低於白金顧客的門檻 100（依人數分級，白金顧客 1% / 黃金顧客 4% / 鐵顧客 15% / 鉛顧客 80%；以 100 位購買客戶擬合）",
            ),
            (
                named(
                    "abc",
                    "c",
                    Reason::Band {
                        metric: Metric::Monetary,
                        value: dec!(-3.00),
                        basis: Basis::Value,
                        direction: Direction::HigherIsBetter,
                        not_positive: true,
                        reaches: None,
                        short_of: None,
                        bands: vec![
                            band("a", dec!(0.8)),
                            band("b", dec!(0.15)),
                            band("c", dec!(0.05)),
                        ],
                        fit_size: 20,
                    },
                ),
                "abc = C類：消費金額 -3.00 不是正數（依數值分級，A類 80% / B類 15% / C類 5%；以 20 位購買客戶擬合）",
            ),
            (
                named(
                    "fresh",
                    "top",
                    Reason::Band {
                        metric: Metric::RecencyDays,
                        value: dec!(3),
                        basis: Basis::Count,
                        direction: Direction::LowerIsBetter,
                        not_positive: false,
                        reaches: Some(Threshold::new("top".into(), dec!(5))),
                        short_of: None,
                        bands: vec![band("top", dec!(0.5)), band("rest", dec!(0.5))],
                        fit_size: 8,
                    },
                ),
                "fresh = top：距上次購買天數 3 不高於 top 的門檻 5（依人數分級，top 50% / rest 50%；以 8 位購買客戶擬合）",
            ),
            (
                named(
                    "fresh",
                    "rest",
                    Reason::Band {
                        metric: Metric::RecencyDays,
                        value: dec!(9),
                        basis: Basis::Count,
                        direction: Direction::LowerIsBetter,
                        not_positive: false,
                        reaches: None,
                        short_of: Some(Threshold::new("top".into(), dec!(5))),
                        bands: vec![band("top", dec!(0.5)), band("rest", dec!(0.5))],
                        fit_size: 8,
                    },
                ),
                "fresh = rest：距上次購買天數 9 高於 top 的門檻 5（依人數分級，top 50% / rest 50%；以 8 位購買客戶擬合）",
            ),
            (
                named(
                    "one",
                    "all",
                    Reason::Band {
                        metric: Metric::Frequency,
                        value: dec!(4),
                        basis: Basis::Count,
                        direction: Direction::HigherIsBetter,
                        not_positive: false,
                        reaches: None,
                        short_of: None,
                        bands: vec![band("all", dec!(1))],
                        fit_size: 3,
                    },
                ),
                "one = all：購買頻次 4（依人數分級，all 100%；以 3 位購買客戶擬合）",
            ),
            (
                named(
                    "value_tier",
                    "vip",
                    Reason::Composite {
                        composite: Some(dec!(0.54)),
                        terms: terms.clone(),
                        bands: value_bands.clone(),
                        fit_size: 10,
                    },
                ),
                "value_tier = VIP客戶：綜合分數 0.54 = 消費金額 0.6 × 9/10 + 購買頻次 0.3 × 0/10 + 消費成長率 0.1 × 0（無數值）（VIP客戶 2% / A類客戶 8% / B類客戶 90%；以 10 位購買客戶擬合）",
            ),
            (
                named(
                    "value_tier",
                    "b",
                    Reason::Composite {
                        composite: None,
                        terms,
                        bands: value_bands,
                        fit_size: 10,
                    },
                ),
                "value_tier = B類客戶：綜合分數 ? = 消費金額 0.6 × 9/10 + 購買頻次 0.3 × 0/10 + 消費成長率 0.1 × 0（無數值）（VIP客戶 2% / A類客戶 8% / B類客戶 90%；以 10 位購買客戶擬合）",
            ),
            (
                named("value_tier", "d", Reason::NoPurchase),
                "value_tier = D類客戶：沒有購買紀錄",
            ),
            (
                named(
                    "grade",
                    "b",
                    Reason::Grade {
                        dimensions: vec![
                            GradedDimension::new(
                                "value".into(),
                                Level::High,
                                dec!(2),
                                Some(vec![dec!(100), dec!(200)]),
                            ),
                            GradedDimension::new("potential".into(), Level::None, dec!(1), None),
                        ],
                        points: Some(dec!(6.0)),
                    },
                ),
                "grade = B級：價值 高 ×2（三分位切點 [100, 200]），潛力 無 = 6 分",
            ),
            (
                named(
                    "grade",
                    "a",
                    Reason::Grade {
                        dimensions: vec![GradedDimension::new(
                            "need".into(),
                            Level::Mid,
                            dec!(1),
                            None,
                        )],
                        points: None,
                    },
                ),
                "grade = A級：需求 中",
            ),
            (
                named(
                    "lifecycle",
                    "non_customer",
                    Reason::Stage(StageBy::Status {
                        status: "non_customer".into(),
                    }),
                ),
                "lifecycle = 非客戶：狀態為 non_customer",
            ),
            (
                named(
                    "lifecycle",
                    "prospect",
                    Reason::Stage(StageBy::NoPurchase { status: None }),
                ),
                "lifecycle = 潛在客戶：沒有購買紀錄",
            ),
            (
                named(
                    "lifecycle",
                    "target",
                    Reason::Stage(StageBy::NoPurchase {
                        status: Some(SmolStr::new("target")),
                    }),
                ),
                "lifecycle = 目標客戶：沒有購買紀錄，狀態為 target",
            ),
            (
                named("lifecycle", "new", days(Metric::TenureDays, 40, 90, true)),
                "lifecycle = 新客戶：首次購買在 40 天前（≤ 90）",
            ),
            (
                named(
                    "lifecycle",
                    "lost",
                    days(Metric::RecencyDays, 400, 365, false),
                ),
                "lifecycle = 流失客戶：最後一次購買在 400 天前（> 365）",
            ),
            (
                named(
                    "rfm_segment",
                    "loyal_customers",
                    Reason::Segment {
                        scores: [4, 4, 4],
                        map: "rfm-default".into(),
                        rule: Some(2),
                    },
                ),
                "rfm_segment = 忠誠客戶：（R 4，F 4，M 4）符合 rfm-default 的第 2 條規則",
            ),
            (
                named(
                    "rfm_segment",
                    "others",
                    Reason::Segment {
                        scores: [4, 4, 1],
                        map: "rfm-rsquaredacademy".into(),
                        rule: None,
                    },
                ),
                "rfm_segment = 其他：（R 4，F 4，M 1）不符合 rfm-rsquaredacademy 的任何規則，因此歸入預設區隔",
            ),
            (
                Explanation::unscored("metal", Unscored::NoPurchases),
                "metal 未評分：基準日當天或之前沒有購買",
            ),
            (
                Explanation::unscored("metal", Unscored::MissingMetric),
                "metal 未評分：此客戶沒有該指標的數值",
            ),
            (
                Explanation::unscored("rfm_segment", Unscored::NoSegmentMap),
                "rfm_segment 未評分：沒有適用於這些分數的區隔對照表",
            ),
            (
                Explanation::unscored("tier", Unscored::NoRuleMatched),
                "tier 未評分：沒有符合的層級規則",
            ),
            (
                Explanation::rule_set("tier", Some("a".into()), capped),
                "tier = a：規則 1（「vip」：monetary > 5 and region == \"north\"；monetary = 7.50，region = north）判定為 a\
                 ；規則 4（「bad credit」：credit_rating == \"D\"；credit_rating = D）將上限設為 b\
                 ；規則 4（「bad credit」：credit_rating == \"D\"；credit_rating = D）上限為 c：維持 b\
                 ；規則 5（tier == \"c\"；tier = b）將其提升至 a\
                 ；規則 6（margin > 0；margin = （除以零））下限為 c：維持 a\
                 ；標籤：watch 來自規則 7（無條件）與規則 8（x is missing；x = （缺值））\
                 ，vip 來自規則 9（ratio > 1；ratio = （溢位））",
            ),
            (
                Explanation::rule_set("tier", Some("b".into()), default),
                "tier = b：沒有符合的層級規則，採用預設層級 b；標籤：無",
            ),
            (
                Explanation::rule_set("tier", None, unmatched),
                "tier = 無：沒有符合的層級規則，未符合的客戶不設層級；標籤：無",
            ),
            (
                Explanation::rule_set("intent", Some("a".into()), intent),
                "intent = A類意向：規則 1（「strong need」：intent == \"a\"；intent = a）判定為 A類意向；標籤：無",
            ),
        ]
    }

    #[test]
    fn each_reason_in_traditional_chinese() {
        let wrong: Vec<String> = cases()
            .into_iter()
            .filter(|(why, hant)| why.to_string_in(Lang::ZhHant) != *hant)
            .map(|(why, hant)| format!("{hant}\n  is\n{}", why.to_string_in(Lang::ZhHant)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    }

    /// The numbers of an English line: runs of digits and points that stand alone (not
    /// part of a key such as `level_1` or `rfm-default`).
    fn numbers(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let starts = bytes[i].is_ascii_digit()
                && (i == 0
                    || !(bytes[i - 1].is_ascii_alphanumeric()
                        || matches!(bytes[i - 1], b'_' | b'-' | b'.')));
            if !starts {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                j += 1;
            }
            let keyish = j < bytes.len() && (bytes[j].is_ascii_alphabetic() || bytes[j] == b'_');
            if !keyish {
                out.push(line[i..j].trim_end_matches('.').to_string());
            }
            i = j;
        }
        out
    }

    #[test]
    fn every_reason_reads_in_both_scripts_with_the_english_numbers() {
        for (why, _) in cases() {
            let english = why.to_string();
            assert_eq!(why.to_string_in(Lang::En), english);
            let hant = why.to_string_in(Lang::ZhHant);
            let hans = why.to_string_in(Lang::ZhHans);
            for text in [&hant, &hans] {
                assert_ne!(text, &english);
                assert!(
                    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{text}"
                );
                for n in numbers(&english) {
                    assert!(text.contains(&n), "{n} missing in {text} (from {english})");
                }
            }
            assert_ne!(hant, hans, "{english}");
        }
    }

    #[test]
    fn an_applications_words_stay_as_given() {
        let own = Explanation::text(
            "churn",
            Label::Name("at_risk".into()),
            "no order for 120 days",
        );
        assert_eq!(
            own.to_string_in(Lang::ZhHans),
            "churn = at_risk：no order for 120 days"
        );
        let none = Explanation::text(
            "churn",
            Label::Unscored(Unscored::NoPurchases),
            "never bought",
        );
        assert_eq!(
            none.to_string_in(Lang::ZhHant),
            "churn = (未評分：基準日當天或之前沒有購買)：never bought"
        );
        let other = Explanation::unscored("churn", Unscored::other("no CRM record"));
        assert_eq!(
            other.to_string_in(Lang::ZhHans),
            "churn 未评分：no CRM record"
        );
    }

    #[test]
    fn display_names_come_from_the_callers_function() {
        let why = Explanation::rule_set(
            "size",
            Some("big".into()),
            RuleTrace::new(TierDecision::Default { tier: "big".into() }),
        );
        let name = |_: &str, label: &str| format!("<{label}>");
        assert_eq!(
            why.to_string_with(Lang::ZhHans, &name),
            "size = <big>：没有匹配的层级规则，采用默认层级<big>；标签：无"
        );
        assert_eq!(why.to_string_with(Lang::En, &name), why.to_string());
    }

    #[test]
    fn every_metric_has_two_chinese_names() {
        for metric in Metric::ALL {
            let (hant, hans) = (
                metric_name(metric, Lang::ZhHant),
                metric_name(metric, Lang::ZhHans),
            );
            assert!(
                hant.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{hant}"
            );
            assert!(
                hans.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{hans}"
            );
            assert_eq!(metric_name(metric, Lang::En), metric.name());
        }
    }
}
