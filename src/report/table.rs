//! The summary as a text table for a terminal: one row per classifier column and label,
//! labels best first where they have an order, a `(total)` row last; headers, label
//! names and markers in the reader's language, columns padded by *display width* (a
//! wide East Asian character takes two cells of a terminal, so counting characters
//! would shift every column after a Chinese name).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use super::{LabelFigures, Summary};
use crate::migration::UNSCORED;
use crate::money;
use crate::names::Lang;
use crate::pipeline::FittedPipeline;

/// The words of the table in one language.
struct Words {
    headers: [&'static str; 6],
    total: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            headers: [
                "column",
                "label",
                "customers",
                "share",
                "revenue",
                "rev.share",
            ],
            total: "(total)",
        },
        Lang::ZhHant => Words {
            headers: ["分類", "標籤", "客戶數", "佔比", "營收", "營收佔比"],
            total: "(合計)",
        },
        Lang::ZhHans => Words {
            headers: ["分类", "标签", "客户数", "占比", "营收", "营收占比"],
            total: "(合计)",
        },
    }
}

/// The smallest width of each column (the table's look in English when every cell fits),
/// and whether it is right-aligned (numbers).
const COLUMNS: [(usize, bool); 6] = [
    (12, false),
    (20, false),
    (9, true),
    (7, true),
    (16, true),
    (9, true),
];

/// The summary table `tier` prints: per classifier column
/// and label, customers, share and revenue share (to three decimals) and revenue
/// (exact), with each label's [display name](FittedPipeline::display_name) in `lang`.
/// Classifier column names are keys and stay as they are in every language. Labels
/// come best first where they have an order, else in byte order; a `(total)` row ends
/// the table; columns are padded by display width, so that a Chinese name (two cells
/// of a terminal per character) does not shift the columns after it.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::names::Lang;
/// use customer_tiering::report::{summary_table, Summary};
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// for i in 1..=100i64 {
///     b.add(Transaction::new(CustomerId::new(&format!("C{i:03}"))?, date(2026, 3, 1), i.into()))?;
/// }
/// let population = b.finish()?;
/// let (fitted, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// let summary = Summary::new(&population, &tiering)?;
/// let table = summary_table(&fitted, &summary, Lang::ZhHant);
/// let lines: Vec<&str> = table.lines().collect();
/// assert_eq!(lines[1], "metal        白金顧客                     1   0.010              100     0.020");
/// assert_eq!(lines[5], "             (合計)                                             5050");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn summary_table(fitted: &FittedPipeline, summary: &Summary, lang: Lang) -> String {
    let words = words(lang);
    let orders: BTreeMap<String, Vec<String>> = fitted.label_orders();
    let mut rows: Vec<[String; 6]> = vec![words.headers.map(String::from)];
    for (column, figures) in fitted
        .columns()
        .iter()
        .filter_map(|c| summary.labels.get_key_value(c))
    {
        let rank = |label: &str| {
            orders
                .get(column)
                .and_then(|o| o.iter().position(|l| l == label))
                .unwrap_or(usize::MAX)
        };
        let mut labels: Vec<(&String, &LabelFigures)> = figures.iter().collect();
        // Customers without a label last, after every label of the column.
        labels.sort_by_key(|(label, _)| (label.as_str() == UNSCORED, rank(label), label.as_str()));
        for (label, f) in labels {
            rows.push([
                column.clone(),
                fitted.display_name(column, label, lang),
                f.customers.to_string(),
                f.share.round_dp(3).to_string(),
                money::display(f.revenue),
                f.revenue_share
                    .map(|s| s.round_dp(3).to_string())
                    .unwrap_or_default(),
            ]);
        }
    }
    let total = [
        String::new(),
        words.total.to_string(),
        String::new(),
        String::new(),
        money::display(summary.revenue_total),
        String::new(),
    ];
    rows.push(total);
    let widths: Vec<usize> = COLUMNS
        .iter()
        .enumerate()
        .map(|(c, &(least, _))| rows.iter().map(|r| r[c].width()).fold(least, usize::max))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.width());
            let _ = match COLUMNS[c].1 {
                true => write!(line, "{pad}{cell} "),
                false => write!(line, "{cell}{pad} "),
            };
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_six_headers_and_a_total() {
        for lang in [Lang::En, Lang::ZhHant, Lang::ZhHans] {
            let w = words(lang);
            assert!(w.headers.iter().all(|h| !h.is_empty()));
            assert!(w.total.starts_with('(') && w.total.ends_with(')'));
        }
        assert_eq!("白金顧客".width(), 8);
    }
}
