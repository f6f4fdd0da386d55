//! [Warnings](crate::definitions#warnings): legal input that makes a tier
//! meaningless. Each classifier's model says which of its own apply
//! ([`Model::warnings`](super::Model::warnings));
//! [`report::warnings`](crate::report::warnings) gathers them for a run.
//!
//! # Example
//! ```
//! use customer_tiering::classify::Warning;
//! let w = Warning::new("churn_unstable", "churn_risk", "churn_risk: the model saw 3 churners", serde_json::json!({ "churners": 3 }));
//! assert_eq!(w.to_string(), "warning: churn_unstable: churn_risk: the model saw 3 churners");
//! ```
//!
//! The message is English, and stays so in `summary.json` (a machine output, like the
//! code and the figures); [`Warning::message_in`] writes it for people in another
//! language, from the code and the figures.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::classify::explain::{metric_name, pick, spaced};
use crate::names::{self, Lang};
use crate::profile::{Metric, Population};

/// A warning ([warnings](crate::definitions#warnings)): legal input that makes a tier
/// meaningless.
///
/// # Example
/// ```
/// # use customer_tiering::classify::pareto::ParetoParams;
/// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for (id, amount, day) in [("A", 60, 1), ("A", 30, 21), ("B", 10, 11)] {
/// #     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, day), amount.into()))?;
/// # }
/// # let population = b.finish()?;
/// # let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// use customer_tiering::report::warnings;
/// # let fitted = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.fit(&population)?;
/// // Two buyers: the gold and iron bands are empty.
/// let found = warnings(&fitted, &population);
/// assert_eq!((found[0].code, found[0].classifier.as_str()), ("empty_band", "metal"));
/// assert!(found[0].to_string().starts_with("warning: empty_band: "));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// A stable code in lower snake case (see [`warnings`](crate::report::warnings)).
    pub code: &'static str,
    /// The classifier column it concerns (or `(pipeline)`).
    pub classifier: String,
    /// One line for people.
    pub message: String,
    /// The figures involved.
    pub figures: serde_json::Value,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "warning: {}: {}", self.code, self.message)
    }
}

impl Warning {
    /// A warning with a stable `code` (lower snake case) about `classifier`'s column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Warning;
    /// let w = Warning::new("few_labels", "learned", "learned: 12 hand-graded accounts", serde_json::json!(12));
    /// assert_eq!((w.code, w.classifier.as_str()), ("few_labels", "learned"));
    /// ```
    pub fn new(
        code: &'static str,
        classifier: impl Into<String>,
        message: impl Into<String>,
        figures: serde_json::Value,
    ) -> Self {
        Warning {
            code,
            classifier: classifier.into(),
            message: message.into(),
            figures,
        }
    }
}

impl Warning {
    /// The message as people read it in `lang`: in English the [`message`](Warning::message)
    /// itself; in Traditional or Simplified Chinese a sentence built from the
    /// [`code`](Warning::code), the classifier and the [`figures`](Warning::figures), with
    /// the same numbers, exactly, and labels by their [display
    /// names](crate::names::display_name). Every code this crate emits (the table of
    /// [warnings](crate::definitions#warnings)) has its sentence; an application's own
    /// code, or figures that lack what the sentence needs, give the English message.
    ///
    /// The code, the classifier and the figures are keys and never change with the
    /// language; `summary.json` keeps the English message.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Warning;
    /// use customer_tiering::names::Lang;
    /// use customer_tiering::report::rejected_rows;
    /// use customer_tiering::source::ReadSummary;
    /// let read = ReadSummary { read: 2745, accepted: 2450, rejected: 295, after_as_of: 0 };
    /// let w = rejected_rows("orders.csv", &read, Some("out/rejects.csv")).unwrap();
    /// assert_eq!(w.message_in(Lang::En), w.message);
    /// assert_eq!(
    ///     w.message_in(Lang::ZhHant),
    ///     "orders.csv：讀取 2745 列，其中 295 列被拒絕（比例 0.1075）；詳見 out/rejects.csv"
    /// );
    /// assert_eq!(
    ///     w.message_in(Lang::ZhHans),
    ///     "orders.csv：读取 2745 行，其中 295 行被拒绝（比例 0.1075）；详见 out/rejects.csv"
    /// );
    /// // An application's own warning keeps its words.
    /// let own = Warning::new("churn_unstable", "churn_risk", "the model saw 3 churners", serde_json::json!(3));
    /// assert_eq!(own.message_in(Lang::ZhHant), "the model saw 3 churners");
    /// ```
    pub fn message_in(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.message.clone();
        }
        Code::from_name(self.code)
            .and_then(|code| code.chinese(self, lang))
            .unwrap_or_else(|| self.message.clone())
    }
}

/// Every warning code this crate emits, the library's and `tier`'s (the table of
/// [warnings](crate::definitions#warnings)). [`Code::chinese`] matches on it exhaustively,
/// so a new code cannot be added without its sentences; a test holds the sources'
/// `code` literals to this list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    TooFewBuyers,
    EmptyScore,
    EmptyBand,
    SingleValue,
    MissingData,
    SegmentMapCoverage,
    RejectedRows,
    SegmentMapBins,
    ModelAfterData,
}

impl Code {
    pub(crate) const ALL: [Code; 9] = [
        Code::TooFewBuyers,
        Code::EmptyScore,
        Code::EmptyBand,
        Code::SingleValue,
        Code::MissingData,
        Code::SegmentMapCoverage,
        Code::RejectedRows,
        Code::SegmentMapBins,
        Code::ModelAfterData,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Code::TooFewBuyers => "too_few_buyers",
            Code::EmptyScore => "empty_score",
            Code::EmptyBand => "empty_band",
            Code::SingleValue => "single_value",
            Code::MissingData => "missing_data",
            Code::SegmentMapCoverage => "segment_map_coverage",
            Code::RejectedRows => "rejected_rows",
            Code::SegmentMapBins => "segment_map_bins",
            Code::ModelAfterData => "model_after_data",
        }
    }

    fn from_name(name: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The sentence in Traditional or Simplified Chinese; none when the figures lack a
    /// value it needs (a hand-built warning), so that the caller falls back to English
    /// rather than print a half sentence.
    fn chinese(self, w: &Warning, lang: Lang) -> Option<String> {
        let column = w.classifier.as_str();
        let fig = |key: &str| figure(&w.figures, key);
        let t = |hant, hans| pick(lang, hant, hans);
        Some(match self {
            Code::TooFewBuyers => {
                let bins: u64 = fig("bins")?.parse().ok()?;
                format!(
                    "{} {} {}，{} {bins} {}（{} {} {}）",
                    t("只有", "只有"),
                    fig("buyers")?,
                    t("位購買客戶", "位购买客户"),
                    t("卻分成", "却分成"),
                    t("個分位", "个分位"),
                    t("少於", "少于"),
                    bins.checked_mul(10)?,
                    t("位", "位"),
                )
            }
            Code::EmptyScore => {
                let score = fig("score")?;
                let head = format!(
                    "{column}：{} {score} {}",
                    t("分數", "分数"),
                    t("沒有客戶", "没有客户")
                );
                match fig("cause")?.as_str() {
                    "tie" => format!(
                        "{head}：{} {} {}",
                        fig("customers")?,
                        t("位客戶的數值同為", "位客户的数值同为"),
                        fig("value")?
                    ),
                    "fewer_customers_than_bins" => format!(
                        "{head}：{} {} {}",
                        t("只有", "只有"),
                        fig("customers")?,
                        t("位客戶，少於分數的個數", "位客户，少于分数的个数")
                    ),
                    _ => return None,
                }
            }
            Code::EmptyBand => format!(
                "{column}：{}{} {} {}",
                spaced(
                    names::display_name(column, &fig("band")?, lang),
                    false,
                    true
                ),
                t("沒有任何客戶（擬合客戶共", "没有任何客户（拟合客户共"),
                fig("fit_size")?,
                t("位）", "位）"),
            ),
            Code::SingleValue => format!(
                "{column}：{}{}{}",
                t("每位購買客戶的", "每位购买客户的"),
                metric_or_key(&fig("metric")?, lang),
                t("都相同，排名沒有意義", "都相同，排名没有意义"),
            ),
            Code::MissingData => format!(
                "{column}：{}{}{} {} {} {} {}（{}），{} 20%",
                t("缺值處理方式", "缺失值处理方式"),
                quoted(lang, policy_name(&fig("policy")?, lang)),
                t("套用於", "应用于"),
                fig("population")?,
                t("位客戶中的", "位客户中的"),
                fig("customers")?,
                t("位", "位"),
                metric_or_key(&fig("source")?, lang),
                t("超過", "超过"),
            ),
            Code::SegmentMapCoverage => {
                let mut parts = Vec::new();
                let cells = strings(&w.figures["uncovered_cells"])?;
                if !cells.is_empty() {
                    let fallback = fig("fallback")?;
                    parts.push(format!(
                        "{} {}{}：{}",
                        cells.len(),
                        t("個分數格歸入預設區隔", "个分数格归入默认分群"),
                        spaced(
                            names::display_name("rfm_segment", &fallback, lang),
                            true,
                            false
                        ),
                        cells.join(" ")
                    ));
                }
                for rule in strings(&w.figures["never_fire"])? {
                    parts.push(format!(
                        "{} {rule} {}",
                        t("規則", "规则"),
                        t(
                            "永遠不會生效：前面的規則已涵蓋它的所有分數格",
                            "永远不会生效：前面的规则已覆盖它的所有分数格"
                        ),
                    ));
                }
                if parts.is_empty() {
                    return None;
                }
                format!(
                    "{}{}：{}",
                    t("區隔對照表", "分群映射表"),
                    quoted(lang, &fig("map")?),
                    parts.join("；")
                )
            }
            Code::RejectedRows => {
                let row = t("列", "行");
                let mut line = format!(
                    "{}：{} {} {row}，{} {} {row}{}（{} {}）",
                    fig("source")?,
                    t("讀取", "读取"),
                    fig("read")?,
                    t("其中", "其中"),
                    fig("rejected")?,
                    t("被拒絕", "被拒绝"),
                    t("比例", "比例"),
                    fig("share")?,
                );
                if let Some(file) = fig("rejects_file") {
                    line.push_str(&format!("；{} {file}", t("詳見", "详见")));
                }
                line
            }
            Code::SegmentMapBins => format!(
                "{} k = {} {}；k = {} {}",
                t("預設區隔對照表是為", "默认分群映射表是为"),
                fig("map_bins")?,
                t("設計的", "设计的"),
                fig("bins")?,
                t("時 rfm_segment 留空", "时 rfm_segment 留空"),
            ),
            Code::ModelAfterData => format!(
                "{} {}，{}（{}）{}",
                t("模型的基準日為", "模型的基准日为"),
                fig("model_as_of")?,
                t("卻用來分類基準日較早", "却用来分类基准日较早"),
                fig("as_of")?,
                t("的資料", "的数据"),
            ),
        })
    }
}

/// A figure as text: a string as it is, a number as JSON writes it; none when absent,
/// null or of another kind.
fn figure(figures: &serde_json::Value, key: &str) -> Option<String> {
    match figures.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A list figure's items as text (strings or numbers).
fn strings(list: &serde_json::Value) -> Option<Vec<String>> {
    list.as_array()?
        .iter()
        .map(|item| match item {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// A metric's name in `lang`, or the key as given when it is no metric (an attribute).
fn metric_or_key(key: &str, lang: Lang) -> String {
    Metric::from_name(key).map_or_else(|| key.to_string(), |m| metric_name(m, lang).to_string())
}

/// A missing-data policy ([missing data](crate::definitions#missing-data)) in words.
fn policy_name(key: &str, lang: Lang) -> &str {
    match key {
        "exclude" => pick(lang, "排除", "排除"),
        "fill" => pick(lang, "填入固定值", "填入固定值"),
        "fill_median" => pick(lang, "以中位數填補", "以中位数填补"),
        "fill_mean" => pick(lang, "以平均數填補", "以平均数填补"),
        "proxy" => pick(lang, "以替代指標代入", "以替代指标代入"),
        other => other,
    }
}

/// A name in the script's quotation marks: 「…」 or “…”.
fn quoted(lang: Lang, name: &str) -> String {
    match lang {
        Lang::ZhHans => format!("“{name}”"),
        Lang::En | Lang::ZhHant => format!("「{name}」"),
    }
}

/// `single_value` ([warnings](crate::definitions#warnings)) for `column` when every buyer
/// of `population` has the same value of `metric`: the ranking by it says nothing.
pub(crate) fn single_value(
    column: &str,
    metric: Metric,
    population: &Population,
) -> Option<Warning> {
    // One distinct value: there is a first, and every other equals it (numerically:
    // 2.5 and 2.50 are one value). One pass, nothing sorted or kept.
    let customers = population.columns();
    let mut values = (0..customers.len())
        .filter(|&i| customers.is_buyer(i))
        .filter_map(|i| customers.metric(i, metric));
    let first: Decimal = values.next()?;
    values.all(|v| v == first).then(|| Warning {
        code: "single_value",
        classifier: column.into(),
        message: format!(
            "{column}: every buyer has the same {metric}, so the ranking says nothing"
        ),
        figures: serde_json::json!({ "metric": metric.name() }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CustomerId, PopulationBuilder, Transaction};
    use jiff::civil::date;
    use rust_decimal::dec;

    fn population(amounts: &[Decimal]) -> Population {
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for (i, amount) in amounts.iter().enumerate() {
            let id = CustomerId::new(&format!("C{i}")).unwrap();
            b.add(Transaction::new(id, date(2026, 3, 1), *amount))
                .unwrap();
        }
        b.finish().unwrap()
    }

    /// A warning of each code as its producer writes it (the real producer where the
    /// library has one; `tier`'s two as `tier` builds them). Exhaustive: a new code needs
    /// a sample here, and so its sentences are checked.
    fn sample(code: Code) -> Warning {
        use crate::PipelineBuilder;
        use crate::classify::missing::MissingPolicy;
        use crate::classify::pareto::ParetoParams;
        use crate::classify::rfm::RfmParams;
        use crate::classify::segments::{SegmentMap, coverage_warning};
        let found = |pipeline: PipelineBuilder, population: &Population| {
            let fitted = pipeline.build().unwrap().fit(population).unwrap();
            crate::report::warnings(&fitted, population)
                .into_iter()
                .find(|w| w.code == code.name())
                .unwrap_or_else(|| panic!("no {code:?}"))
        };
        // Twelve buyers who bought once, for 7.50, 7.50, …, and 9.25.
        let mut amounts = vec![dec!(7.50); 11];
        amounts.push(dec!(9.25));
        let rfm = || PipelineBuilder::new().classifier(RfmParams::default().segment_map(None));
        match code {
            Code::TooFewBuyers | Code::EmptyScore => found(rfm(), &population(&amounts)),
            Code::SingleValue => found(rfm(), &population(&[dec!(7.50); 12])),
            Code::EmptyBand => {
                let two = population(&[dec!(60), dec!(10)]);
                found(
                    PipelineBuilder::new().classifier(ParetoParams::metals()),
                    &two,
                )
            }
            Code::MissingData => {
                let mut b = PopulationBuilder::new(date(2026, 3, 31));
                for i in 0..10i64 {
                    let id = CustomerId::new(&format!("C{i}")).unwrap();
                    let mut tx = Transaction::new(id, date(2026, 3, 1), Decimal::from(i + 1));
                    if i >= 3 {
                        tx = tx.with_profit(Decimal::from(i));
                    }
                    b.add(tx).unwrap();
                }
                let profit = ParetoParams::metals()
                    .column("profit_metal")
                    .metric(Metric::Profit)
                    .missing(MissingPolicy::FillMedian);
                found(
                    PipelineBuilder::new().classifier(profit),
                    &b.finish().unwrap(),
                )
            }
            Code::SegmentMapCoverage => {
                let map = SegmentMap::from_toml_str(
                    "gaps.toml",
                    r#"
                    name = "gaps"
                    bins = 2
                    fallback = "others"
                    [[rules]]
                    segment = "best"
                    r = [2, 2]
                    f = [2, 2]
                    [[rules]]
                    segment = "shadowed"
                    r = [2, 2]
                    f = [2, 2]
                    "#,
                )
                .unwrap();
                coverage_warning(&map).unwrap()
            }
            Code::RejectedRows => {
                let read = crate::source::ReadSummary {
                    read: 2745,
                    accepted: 2450,
                    rejected: 295,
                    after_as_of: 0,
                };
                crate::report::rejected_rows("orders.csv", &read, Some("out/rejects.csv")).unwrap()
            }
            Code::SegmentMapBins => Warning::new(
                "segment_map_bins",
                "rfm_segment",
                "the default segment map is written for k = 5; rfm_segment is left empty for k = 4",
                serde_json::json!({ "map_bins": 5, "bins": 4 }),
            ),
            Code::ModelAfterData => Warning::new(
                "model_after_data",
                "(pipeline)",
                "the model was fitted at 2026-03-31 but classifies data as of 2026-01-31, an earlier date",
                serde_json::json!({ "model_as_of": "2026-03-31", "as_of": "2026-01-31" }),
            ),
        }
    }

    /// The numbers of the figures, however deep: JSON numbers, and strings that are
    /// decimals or dates.
    fn numbers(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Number(n) => out.push(n.to_string()),
            serde_json::Value::String(s)
                if s.bytes().any(|b| b.is_ascii_digit())
                    && s.bytes()
                        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') =>
            {
                out.push(s.clone());
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| numbers(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| numbers(v, out)),
            _ => {}
        }
    }

    fn is_cjk(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn every_code_reads_in_both_chinese_scripts_with_its_figures() {
        for code in Code::ALL {
            let w = sample(code);
            assert_eq!(w.code, code.name());
            assert_eq!(w.message_in(Lang::En), w.message, "English is the message");
            let hant = w.message_in(Lang::ZhHant);
            let hans = w.message_in(Lang::ZhHans);
            let mut figures = Vec::new();
            numbers(&w.figures, &mut figures);
            assert!(!figures.is_empty() || code == Code::SingleValue, "{w:?}");
            for text in [&hant, &hans] {
                assert_ne!(text, &w.message, "{code:?} is translated");
                assert!(text.chars().any(is_cjk), "{text}");
                assert!(!text.contains('\n'), "{text}");
                for n in &figures {
                    assert!(text.contains(n.as_str()), "{code:?}: {n} missing in {text}");
                }
            }
            assert_ne!(hant, hans, "{code:?}: two scripts");
        }
    }

    #[test]
    fn the_sentences_of_each_code() {
        let cases = [
            (
                Code::TooFewBuyers,
                "只有 12 位購買客戶，卻分成 5 個分位（少於 50 位）",
                "只有 12 位购买客户，却分成 5 个分位（少于 50 位）",
            ),
            (
                Code::EmptyScore,
                "r：分數 2 沒有客戶：12 位客戶的數值同為 30",
                "r：分数 2 没有客户：12 位客户的数值同为 30",
            ),
            (
                Code::EmptyBand,
                "metal：黃金顧客沒有任何客戶（擬合客戶共 2 位）",
                "metal：黄金顾客没有任何客户（拟合客户共 2 位）",
            ),
            (
                Code::SingleValue,
                "r：每位購買客戶的距上次購買天數都相同，排名沒有意義",
                "r：每位购买客户的距上次购买天数都相同，排名没有意义",
            ),
            (
                Code::MissingData,
                "profit_metal：缺值處理方式「以中位數填補」套用於 10 位客戶中的 3 位（利潤），超過 20%",
                "profit_metal：缺失值处理方式“以中位数填补”应用于 10 位客户中的 3 位（利润），超过 20%",
            ),
            (
                Code::SegmentMapCoverage,
                "區隔對照表「gaps」：6 個分數格歸入預設區隔其他：111 112 121 122 211 212；規則 2 永遠不會生效：前面的規則已涵蓋它的所有分數格",
                "分群映射表“gaps”：6 个分数格归入默认分群其他：111 112 121 122 211 212；规则 2 永远不会生效：前面的规则已覆盖它的所有分数格",
            ),
            (
                Code::RejectedRows,
                "orders.csv：讀取 2745 列，其中 295 列被拒絕（比例 0.1075）；詳見 out/rejects.csv",
                "orders.csv：读取 2745 行，其中 295 行被拒绝（比例 0.1075）；详见 out/rejects.csv",
            ),
            (
                Code::SegmentMapBins,
                "預設區隔對照表是為 k = 5 設計的；k = 4 時 rfm_segment 留空",
                "默认分群映射表是为 k = 5 设计的；k = 4 时 rfm_segment 留空",
            ),
            (
                Code::ModelAfterData,
                "模型的基準日為 2026-03-31，卻用來分類基準日較早（2026-01-31）的資料",
                "模型的基准日为 2026-03-31，却用来分类基准日较早（2026-01-31）的数据",
            ),
        ];
        assert_eq!(cases.len(), Code::ALL.len());
        for (code, hant, hans) in cases {
            let w = sample(code);
            assert_eq!(w.message_in(Lang::ZhHant), hant, "{w:?}");
            assert_eq!(w.message_in(Lang::ZhHans), hans, "{w:?}");
        }
    }

    #[test]
    fn a_score_emptied_by_too_few_customers() {
        let empty = crate::classify::quantile::EmptyScore {
            score: 4,
            cause: crate::classify::quantile::EmptyCause::FewerCustomersThanBins { customers: 3 },
        };
        let w = Warning::new(
            "empty_score",
            "m",
            format!("m: {empty}"),
            serde_json::to_value(&empty).unwrap(),
        );
        assert_eq!(
            w.message,
            "m: score 4 is empty: only 3 customers for more bins"
        );
        assert_eq!(
            w.message_in(Lang::ZhHant),
            "m：分數 4 沒有客戶：只有 3 位客戶，少於分數的個數"
        );
        assert_eq!(
            w.message_in(Lang::ZhHans),
            "m：分数 4 没有客户：只有 3 位客户，少于分数的个数"
        );
    }

    #[test]
    fn an_unknown_code_or_incomplete_figures_keep_the_english() {
        let own = Warning::new(
            "churn_unstable",
            "churn",
            "3 churners",
            serde_json::json!(3),
        );
        assert_eq!(own.message_in(Lang::ZhHant), "3 churners");
        let bare = Warning::new(
            "empty_band",
            "metal",
            "metal: band gold is empty",
            serde_json::json!({}),
        );
        assert_eq!(bare.message_in(Lang::ZhHans), "metal: band gold is empty");
        let mut no_file = sample(Code::RejectedRows);
        no_file.figures["rejects_file"] = serde_json::Value::Null;
        assert_eq!(
            no_file.message_in(Lang::ZhHant),
            "orders.csv：讀取 2745 列，其中 295 列被拒絕（比例 0.1075）"
        );
    }

    /// The string literal that starts `text` (after blanks), if one does.
    fn literal(text: &str) -> Option<&str> {
        let rest = text.trim_start().strip_prefix('"')?;
        Some(&rest[..rest.find('"')?])
    }

    /// Every code a warning is built with in the library's and `tier`'s sources (above
    /// their tests), so that a warning added anywhere is held to [`Code::ALL`].
    #[test]
    fn every_code_in_the_sources_has_its_sentences() {
        fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, files);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("src"), &mut files);
        walk(&root.join("examples/tier"), &mut files);
        let mut seen = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            // The code above the tests, without comments and doc examples (an
            // application's own codes live there).
            let code: String = text
                .lines()
                .take_while(|l| l.trim() != "#[cfg(test)]")
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for marker in ["Warning::new(", "code: "] {
                for (at, _) in code.match_indices(marker) {
                    if let Some(name) = literal(&code[at + marker.len()..]) {
                        seen.push((name.to_string(), path.display().to_string()));
                    }
                }
            }
        }
        let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        for code in Code::ALL {
            assert!(
                names.contains(&code.name()),
                "{code:?} is no longer emitted"
            );
        }
        for (name, path) in &seen {
            assert!(
                Code::from_name(name).is_some(),
                "{path}: warning code {name:?} has no sentences in Code (warning.rs)"
            );
        }
    }

    #[test]
    fn single_value_is_one_distinct_value_numerically() {
        let warns = |amounts: &[Decimal]| {
            single_value("metal", Metric::Monetary, &population(amounts)).is_some()
        };
        assert!(warns(&[dec!(2.5), dec!(2.50), dec!(2.500)])); // one value, three scales
        assert!(warns(&[dec!(7)]));
        assert!(!warns(&[dec!(2.5), dec!(2.6)]));
        assert!(!warns(&[dec!(1), dec!(1), dec!(-1)]));
        assert!(!warns(&[])); // no buyer: nothing to say
    }
}
