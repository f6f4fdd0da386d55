//! `report.html`: one self-contained page for people — the run's inputs and counts,
//! warnings, the management tables, the charts and the migration — in the reader's
//! language. Inline CSS and SVG only: no script, no network, nothing per customer, so
//! its size does not grow with the customers and it prints as it shows.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{ManagementRow, number};
use crate::classify::Warning;
use crate::migration::ColumnMigration;
use crate::names::Lang;
use crate::source::ReadSummary;

/// What a run read and how it was set up, for the report's first section.
///
/// # Example
/// ```
/// use customer_tiering::names::Lang;
/// use customer_tiering::report::{report_html, RunInputs};
/// let inputs = RunInputs {
///     files: vec![("transactions".into(), "orders.csv".into())],
///     as_of: "2026-06-30".into(),
///     ..RunInputs::default()
/// };
/// let page = report_html(&inputs, &[], &[], &[], &[], Lang::En);
/// assert!(page.contains("orders.csv") && page.contains("as of 2026-06-30"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RunInputs {
    /// Each input file: what it is (`transactions`, `customers`, `rules`) and its name.
    pub files: Vec<(String, String)>,
    /// The as-of date.
    pub as_of: String,
    /// The earlier date of a comparison.
    pub compare_as_of: Option<String>,
    /// Settings worth telling a reader (`bins`, `presets` …), name and value.
    pub settings: Vec<(String, String)>,
    /// The transactions' counts.
    pub read: ReadSummary,
    /// The customers file's counts, when there is one.
    pub customers_read: Option<ReadSummary>,
}

/// An SVG chart for the report, with its title in the report's language.
///
/// # Example
/// ```
/// use customer_tiering::names::Lang;
/// use customer_tiering::report::{report_html, Chart, RunInputs};
/// let chart = Chart { title: "Spend".into(), svg: "<?xml version=\"1.0\"?><svg></svg>".into() };
/// let page = report_html(&RunInputs::default(), &[], &[], &[chart], &[], Lang::En);
/// assert!(page.contains("<figcaption>Spend</figcaption>\n<svg></svg>")); // inline, no declaration
/// ```
#[derive(Debug, Clone)]
pub struct Chart {
    /// The chart's title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// The words of the report in one language.
struct Words {
    title: &'static str,
    as_of: &'static str,
    compared_with: &'static str,
    inputs: &'static str,
    file: &'static str,
    setting: &'static str,
    read: &'static str,
    accepted: &'static str,
    rejected: &'static str,
    after_as_of: &'static str,
    transactions: &'static str,
    customers_file: &'static str,
    warnings: &'static str,
    no_warnings: &'static str,
    management: &'static str,
    charts: &'static str,
    migration: &'static str,
    from_to: &'static str,
    headers: [&'static str; 11],
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            title: "Customer tiers",
            as_of: "as of",
            compared_with: "compared with",
            inputs: "Inputs",
            file: "file",
            setting: "setting",
            read: "read",
            accepted: "accepted",
            rejected: "rejected",
            after_as_of: "after the as-of date",
            transactions: "transactions",
            customers_file: "customers",
            warnings: "Warnings",
            no_warnings: "No warnings.",
            management: "Management tables",
            charts: "Charts",
            migration: "Migration",
            from_to: "from ↓ to →",
            headers: [
                "tier",
                "criterion",
                "customers",
                "share",
                "revenue",
                "revenue share",
                "average order",
                "in",
                "out",
                "revenue change",
                "playbook",
            ],
        },
        Lang::ZhHant => Words {
            title: "客戶分級報告",
            as_of: "基準日",
            compared_with: "比較基準日",
            inputs: "輸入",
            file: "檔案",
            setting: "設定",
            read: "讀取",
            accepted: "接受",
            rejected: "拒絕",
            after_as_of: "晚於基準日",
            transactions: "交易",
            customers_file: "客戶",
            warnings: "警示",
            no_warnings: "沒有警示。",
            management: "管理表",
            charts: "圖表",
            migration: "層級移動",
            from_to: "原層級 ↓ 新層級 →",
            headers: [
                "層級",
                "條件",
                "客戶數",
                "佔比",
                "營收",
                "營收佔比",
                "平均客單價",
                "移入",
                "移出",
                "營收變化",
                "經營策略",
            ],
        },
        Lang::ZhHans => Words {
            title: "客户分级报告",
            as_of: "基准日",
            compared_with: "比较基准日",
            inputs: "输入",
            file: "文件",
            setting: "设置",
            read: "读取",
            accepted: "接受",
            rejected: "拒绝",
            after_as_of: "晚于基准日",
            transactions: "交易",
            customers_file: "客户",
            warnings: "警示",
            no_warnings: "没有警示。",
            management: "管理表",
            charts: "图表",
            migration: "层级移动",
            from_to: "原层级 ↓ 新层级 →",
            headers: [
                "层级",
                "条件",
                "客户数",
                "占比",
                "营收",
                "营收占比",
                "平均客单价",
                "移入",
                "移出",
                "营收变化",
                "经营策略",
            ],
        },
    }
}

/// Text for HTML or XML (text or an attribute value): `&`, `<`, `>`, `"` and `'` as
/// entities.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A share (a fraction to 4 decimals, as the summary gives it) as a percentage to 2
/// decimals, `0.2175` → `21.75%`: moving the point two places changes no digit, so the
/// page shows the summary's figure exactly (charts round to one decimal).
fn exact_percent(share: Decimal) -> String {
    match share.checked_mul(Decimal::ONE_HUNDRED) {
        Some(mut hundredths) => {
            hundredths.rescale(2);
            format!("{}%", number::grouped(&crate::money::display(hundredths)))
        }
        None => share.to_string(),
    }
}

/// A column's heading: its name for people, with the key the files use beside it.
fn heading(column: &str, lang: Lang) -> String {
    match crate::names::column_name(column, lang) {
        name if name == column => column.to_string(),
        name => format!("{name} · {column}"),
    }
}

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK TC', 'Noto Sans CJK SC', 'PingFang TC', 'Microsoft JhengHei', sans-serif; color: #1a1a1a; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #0072b2; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.4rem; }
.dates { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #eef3f8; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.zero { color: #888; }
ul.warnings li { margin: 0.2rem 0; }
figure { margin: 1rem 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-weight: 600; margin-bottom: 0.3rem; }
section { break-inside: auto; }
table { break-inside: avoid; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } a { color: inherit; } }
";

/// The report page — inputs and counts, warnings, management tables, charts and
/// migration, self-contained (no script, nothing fetched, nothing per customer) and
/// print-friendly: `management` in its row order,
/// grouped by classifier column; `warnings` with their messages as given; `charts` as
/// they are drawn; the migration matrices as grids of customers (rows: the label
/// before, columns: the label after).
///
/// # Example
/// ```
/// use customer_tiering::names::Lang;
/// use customer_tiering::report::{report_html, RunInputs};
/// let inputs = RunInputs { as_of: "2026-06-30".into(), ..RunInputs::default() };
/// let page = report_html(&inputs, &[], &[], &[], &[], Lang::ZhHant);
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("<html lang=\"zh-Hant\">") && page.contains("客戶分級報告"));
/// assert!(!page.contains("<script"));
/// ```
pub fn report_html(
    inputs: &RunInputs,
    management: &[ManagementRow],
    warnings: &[(Warning, String)],
    charts: &[Chart],
    migration: &[(ColumnMigration, Vec<(String, String)>)],
    lang: Lang,
) -> String {
    let w = words(lang);
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} — {as_of_word} {as_of}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        title = escape(w.title),
        as_of_word = escape(w.as_of),
        as_of = escape(&inputs.as_of),
    );
    let _ = writeln!(page, "<h1>{}</h1>", escape(w.title));
    let mut dates = format!("{} {}", w.as_of, inputs.as_of);
    if let Some(earlier) = &inputs.compare_as_of {
        let _ = write!(dates, " · {} {}", w.compared_with, earlier);
    }
    let _ = writeln!(page, "<p class=\"dates\">{}</p>", escape(&dates));

    // Inputs.
    let _ = writeln!(
        page,
        "<section id=\"inputs\">\n<h2>{}</h2>",
        escape(w.inputs)
    );
    if !inputs.files.is_empty() || !inputs.settings.is_empty() {
        let _ = writeln!(page, "<table class=\"settings\">");
        for (what, name) in &inputs.files {
            let _ = writeln!(
                page,
                "<tr><th>{} · {}</th><td>{}</td></tr>",
                escape(w.file),
                escape(what),
                escape(name)
            );
        }
        for (name, value) in &inputs.settings {
            let _ = writeln!(
                page,
                "<tr><th>{} · {}</th><td>{}</td></tr>",
                escape(w.setting),
                escape(name),
                escape(value)
            );
        }
        let _ = writeln!(page, "</table>");
    }
    let _ = writeln!(
        page,
        "<table class=\"counts\">\n<tr><th></th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape(w.read),
        escape(w.accepted),
        escape(w.rejected),
        escape(w.after_as_of)
    );
    let counts = |page: &mut String, what: &str, r: &ReadSummary, after: bool| {
        let after = match after {
            true => number::count(r.after_as_of),
            false => String::new(),
        };
        let _ = writeln!(
            page,
            "<tr><th>{}</th><td class=\"n\" data-figure=\"read\">{}</td><td class=\"n\" data-figure=\"accepted\">{}</td><td class=\"n\" data-figure=\"rejected\">{}</td><td class=\"n\">{}</td></tr>",
            escape(what),
            number::count(r.read),
            number::count(r.accepted),
            number::count(r.rejected),
            after
        );
    };
    counts(&mut page, w.transactions, &inputs.read, true);
    if let Some(customers) = &inputs.customers_read {
        counts(&mut page, w.customers_file, customers, false);
    }
    let _ = writeln!(page, "</table>\n</section>");

    // Warnings.
    let _ = writeln!(
        page,
        "<section id=\"warnings\">\n<h2>{}</h2>",
        escape(w.warnings)
    );
    if warnings.is_empty() {
        let _ = writeln!(page, "<p>{}</p>", escape(w.no_warnings));
    } else {
        let _ = writeln!(page, "<ul class=\"warnings\">");
        for (warning, message) in warnings {
            let _ = writeln!(
                page,
                "<li data-code=\"{}\"><code>{}</code> {}</li>",
                escape(warning.code),
                escape(warning.code),
                escape(message)
            );
        }
        let _ = writeln!(page, "</ul>");
    }
    let _ = writeln!(page, "</section>");

    // Management tables, one per classifier column.
    let _ = writeln!(
        page,
        "<section id=\"management\">\n<h2>{}</h2>",
        escape(w.management)
    );
    let compared = management.iter().any(|r| r.customers_in.is_some());
    let mut start = 0;
    while start < management.len() {
        let column = &management[start].classifier;
        let end = start
            + management[start..]
                .iter()
                .take_while(|r| &r.classifier == column)
                .count();
        let _ = writeln!(
            page,
            "<h3>{}</h3>\n<table class=\"management\" data-classifier=\"{}\">\n<tr>",
            escape(&heading(column, lang)),
            escape(column)
        );
        for (i, header) in w.headers.iter().enumerate() {
            if (7..=9).contains(&i) && !compared {
                continue;
            }
            let _ = write!(page, "<th>{}</th>", escape(header));
        }
        let _ = writeln!(page, "</tr>");
        for row in &management[start..end] {
            let number = |figure: &str, text: String| {
                format!(
                    "<td class=\"n\" data-figure=\"{figure}\">{}</td>",
                    escape(&text)
                )
            };
            let optional =
                |d: Option<Decimal>, f: fn(Decimal) -> String| d.map(f).unwrap_or_default();
            let zero = if row.customers == 0 {
                " class=\"zero\""
            } else {
                ""
            };
            let _ = write!(
                page,
                "<tr{zero}><td>{}</td><td>{}</td>{}{}{}{}{}",
                escape(&row.tier),
                escape(&row.criterion),
                number("customers", number::count(row.customers)),
                number("share", exact_percent(row.share)),
                number("revenue", number::money(row.revenue)),
                number("revenue_share", optional(row.revenue_share, exact_percent)),
                number(
                    "average_order_value",
                    optional(row.average_order_value, number::money)
                ),
            );
            if compared {
                let count = |n: Option<u64>| n.map(number::count).unwrap_or_default();
                let _ = write!(
                    page,
                    "{}{}{}",
                    number("customers_in", count(row.customers_in)),
                    number("customers_out", count(row.customers_out)),
                    number(
                        "revenue_change",
                        optional(row.revenue_change, number::money)
                    ),
                );
            }
            let _ = writeln!(page, "<td>{}</td></tr>", escape(&row.playbook));
        }
        let _ = writeln!(page, "</table>");
        start = end;
    }
    let _ = writeln!(page, "</section>");

    // Charts.
    if !charts.is_empty() {
        let _ = writeln!(
            page,
            "<section id=\"charts\">\n<h2>{}</h2>",
            escape(w.charts)
        );
        for chart in charts {
            // The chart's own document, without an XML declaration.
            let svg = match chart.svg.find("<svg") {
                Some(at) => &chart.svg[at..],
                None => "",
            };
            let _ = writeln!(
                page,
                "<figure>\n<figcaption>{}</figcaption>\n{svg}\n</figure>",
                escape(&chart.title)
            );
        }
        let _ = writeln!(page, "</section>");
    }

    // Migration: a grid per column, labels in the column's order.
    if !migration.is_empty() {
        let _ = writeln!(
            page,
            "<section id=\"migration\">\n<h2>{}</h2>",
            escape(w.migration)
        );
        for (m, labels) in migration {
            let _ = writeln!(
                page,
                "<h3>{}</h3>\n<table class=\"migration\" data-classifier=\"{}\">\n<tr><th>{}</th>",
                escape(&heading(&m.column, lang)),
                escape(&m.column),
                escape(w.from_to)
            );
            for (_, name) in labels {
                let _ = write!(page, "<th>{}</th>", escape(name));
            }
            let _ = writeln!(page, "</tr>");
            for (from, from_name) in labels {
                let _ = write!(page, "<tr><th>{}</th>", escape(from_name));
                for (to, _) in labels {
                    let cell = m.cells.get(&(from.clone(), to.clone()));
                    let text = cell.map(|c| number::count(c.customers)).unwrap_or_default();
                    let _ = write!(
                        page,
                        "<td class=\"n\" data-from=\"{}\" data-to=\"{}\">{}</td>",
                        escape(from),
                        escape(to),
                        text
                    );
                }
                let _ = writeln!(page, "</tr>");
            }
            let _ = writeln!(page, "</table>");
        }
        let _ = writeln!(page, "</section>");
    }
    page.push_str("</body>\n</html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn shares_print_as_exact_percentages() {
        assert_eq!(exact_percent(dec!(0.2175)), "21.75%");
        assert_eq!(exact_percent(dec!(1.0000)), "100.00%");
        assert_eq!(exact_percent(dec!(0.0001)), "0.01%");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
