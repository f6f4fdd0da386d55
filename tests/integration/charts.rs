//! The charts `tier` writes, read as a person reads them: every SVG parses as XML,
//! carries the figures of `summary.json` with grouped digits and shares as
//! percentages that add up to 100, the display names and words of `--lang`, the
//! colour-blind-safe palette, and a chart per label column of the run.

#![cfg(feature = "charts")]

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::support::{QUICKSTART, assert_ok, run, temp_dir};

/// Okabe–Ito blue (customers, stayed), orange (revenue), vermillion (moved).
const BLUE: &str = "#0072B2";
const ORANGE: &str = "#E69F00";
const VERMILLION: &str = "#D55E00";
/// The saturated primaries the charts used to be drawn in.
const PRIMARIES: [&str; 3] = ["#0000FF", "#00FF00", "#FF0000"];

fn tier(dir: &Path, more: &[&str]) {
    let out = dir.to_str().expect("UTF-8 path");
    let mut args = vec![
        "--transactions",
        QUICKSTART,
        "--as-of",
        "2026-06-30",
        "--out",
        out,
        "--quiet",
    ];
    args.extend_from_slice(more);
    assert_ok(&run("tier", &args));
}

/// An SVG's texts, in order, and its fill colours; it must parse as XML.
struct Svg {
    texts: Vec<String>,
    fills: Vec<String>,
    lang: Option<String>,
    fonts: Vec<String>,
}

fn read_svg(path: &Path) -> Svg {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc =
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let texts = doc.descendants().filter(|n| n.has_tag_name("text"));
    Svg {
        texts: texts
            .clone()
            .filter_map(|n| n.text())
            .map(|t| t.trim().to_string())
            .collect(),
        fonts: texts
            .filter_map(|n| n.attribute("font-family"))
            .map(String::from)
            .collect(),
        fills: doc
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter_map(|n| n.attribute("fill"))
            .map(String::from)
            .collect(),
        lang: doc.root_element().attribute("lang").map(String::from),
    }
}

fn summary(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("JSON")
}

/// A figure without separators and its share in percent, as a chart shows them.
type Figure = (String, Option<f64>);

/// `1,204 (21.8%)` or `1,204（21.8%）` as the figure without separators and the share.
fn figure_and_share(text: &str) -> Option<Figure> {
    let text = text.replace('（', " (").replace('）', ")");
    let (figure, share) = match text.split_once(" (") {
        Some((figure, share)) => (figure, Some(share.strip_suffix("%)")?)),
        None => (text.as_str(), None),
    };
    let plain = figure.replace(',', "");
    let digits = plain.strip_prefix('-').unwrap_or(&plain);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let share = match share {
        Some(s) => Some(s.parse::<f64>().ok()?),
        None => None,
    };
    Some((plain, share))
}

/// Groups digits as a person reads them, for comparing with the chart.
fn grouped(plain: &str) -> String {
    let (whole, fraction) = plain.split_at(plain.find('.').unwrap_or(plain.len()));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out + fraction
}

/// Per label column of the run: the chart `tier` writes for it, checked against the
/// summary's figures; returns the display names each chart shows, by column.
fn check_bar_charts(dir: &Path, open: &str) -> BTreeMap<String, Vec<String>> {
    let summary = summary(dir);
    let files: Vec<&str> = summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    let mut shown = BTreeMap::new();
    for (column, labels) in summary["labels"].as_object().expect("labels") {
        let file = match column.as_str() {
            "metal" => "pyramid.svg".to_string(),
            other => format!("chart_{other}.svg"),
        };
        assert!(files.contains(&file.as_str()), "{file} in {files:?}");
        let svg = read_svg(&dir.join(&file));
        assert!(
            svg.fills.iter().any(|f| f == BLUE),
            "{file}: customers in blue"
        );
        assert!(
            svg.fills.iter().any(|f| f == ORANGE),
            "{file}: revenue in orange"
        );
        assert!(PRIMARIES.iter().all(|p| !svg.fills.iter().any(|f| f == p)));
        // After the two headers (`Customers (share)`, `Revenue (share)`), a name, the
        // customers and the revenue per row.
        let headers: Vec<usize> = (0..svg.texts.len())
            .filter(|&i| svg.texts[i].contains(open) && figure_and_share(&svg.texts[i]).is_none())
            .collect();
        assert_eq!(headers.len(), 2, "{file}: {:?}", svg.texts);
        let rows: Vec<(&String, Figure, Figure)> = svg.texts[headers[1] + 1..]
            .chunks(3)
            .map(|row| {
                let figure = |t: &String| {
                    figure_and_share(t).unwrap_or_else(|| panic!("{file}: a figure, not {t}"))
                };
                (&row[0], figure(&row[1]), figure(&row[2]))
            })
            .collect();
        let labels = labels.as_object().expect("labels of a column");
        // Every label of the summary, and the labels of the column's order that have no
        // customer (an empty score), with 0.
        let empty = rows.iter().filter(|(_, c, _)| c.0 == "0").count();
        let summary_empty = labels.values().filter(|f| f["customers"] == 0).count();
        assert_eq!(
            rows.len() - empty,
            labels.len() - summary_empty,
            "{file}: {rows:?}"
        );
        for (label, f) in labels {
            let customers = f["customers"].as_u64().expect("customers").to_string();
            let revenue = f["revenue"].as_str().expect("revenue");
            let share = |key: &str| {
                f[key].as_str().map(|s| {
                    let share: Decimal = s.parse().expect("a decimal share");
                    (share * Decimal::ONE_HUNDRED)
                        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
                        .to_string()
                        .parse::<f64>()
                        .expect("a number")
                })
            };
            let want = (
                (customers.clone(), share("share")),
                (revenue.to_string(), share("revenue_share")),
            );
            assert!(
                rows.iter().any(|(_, c, r)| (c, r) == (&want.0, &want.1)),
                "{file} {label}: {want:?} in {rows:?}"
            );
            let customers_text = grouped(&customers);
            assert!(
                svg.texts.iter().any(|t| t.starts_with(&customers_text)),
                "{file} {label}: {customers_text}"
            );
            assert!(
                svg.texts.iter().any(|t| t.starts_with(&grouped(revenue))),
                "{file} {label}: grouped {revenue}"
            );
        }
        // One decimal each: the rounding of n labels is at most n × 0.05 off.
        let slack = 0.05 * labels.len() as f64 + 1e-9;
        let customers_percent: f64 = rows.iter().filter_map(|(_, c, _)| c.1).sum();
        assert!(
            (customers_percent - 100.0).abs() <= slack,
            "{file}: {customers_percent}"
        );
        if rows.iter().any(|(_, _, r)| r.1.is_some()) {
            let revenue_percent: f64 = rows.iter().filter_map(|(_, _, r)| r.1).sum();
            assert!(
                (revenue_percent - 100.0).abs() <= slack,
                "{file}: {revenue_percent}"
            );
        }
        shown.insert(column.clone(), svg.texts);
    }
    shown
}

#[test]
fn every_label_column_has_a_chart_with_the_summarys_figures_in_traditional_chinese() {
    let dir = temp_dir("charts15-hant");
    tier(
        &dir,
        &["--lang", "zh-Hant", "--compare-as-of", "2026-03-31"],
    );
    let shown = check_bar_charts(&dir, "（");
    for column in ["metal", "r", "f", "m", "rfm_segment"] {
        assert!(shown.contains_key(column), "{column}: {:?}", shown.keys());
    }
    let metal = &shown["metal"];
    for name in [
        "白金顧客",
        "黃金顧客",
        "鐵顧客",
        "鉛顧客",
        "金屬層級：客戶數與營收",
    ] {
        assert!(metal.iter().any(|t| t == name), "{name} in {metal:?}");
    }
    assert!(metal.iter().any(|t| t == "客戶數（佔比）"));
    assert!(
        metal
            .iter()
            .all(|t| !t.contains("customers") && t != "platinum")
    );
    let segments = &shown["rfm_segment"];
    for name in ["冠軍客戶", "忠誠客戶", "RFM 分群：客戶數與營收"] {
        assert!(segments.iter().any(|t| t == name), "{name} in {segments:?}");
    }
    assert!(!segments.iter().any(|t| t == "champions"));

    let pyramid = read_svg(&dir.join("pyramid.svg"));
    assert_eq!(pyramid.lang.as_deref(), Some("zh-Hant"));
    assert!(
        pyramid
            .fonts
            .iter()
            .all(|f| f.contains("Noto Sans CJK TC") && f.ends_with("sans-serif")),
        "{:?}",
        pyramid.fonts
    );

    let heatmap = read_svg(&dir.join("rfm_heatmap.svg"));
    for text in [
        "冠軍客戶",
        "R 5",
        "F 1",
        "R × F：各格客戶數與最常見分群",
        "最近購買分數 R（5 = 最近）",
        "購買頻率分數 F（5 = 最頻繁）",
    ] {
        assert!(
            heatmap.texts.iter().any(|t| t == text),
            "{text} in {:?}",
            heatmap.texts
        );
    }
    assert!(
        !heatmap
            .texts
            .iter()
            .any(|t| t == "champions" || t.contains('_'))
    );
    // 25 cells: a count and a share each; the counts are the customers, the shares 100%.
    let counts: Vec<u64> = heatmap
        .texts
        .iter()
        .filter_map(|t| t.replace(',', "").parse().ok())
        .collect();
    let customers = summary(&dir)["labels"]["r"]
        .as_object()
        .expect("r")
        .values()
        .map(|f| f["customers"].as_u64().expect("customers"))
        .sum::<u64>();
    assert_eq!(counts.len(), 25, "{counts:?}");
    assert_eq!(counts.iter().sum::<u64>(), customers);
    let shares: f64 = heatmap
        .texts
        .iter()
        .filter_map(|t| t.strip_suffix('%')?.parse::<f64>().ok())
        .sum();
    assert!((shares - 100.0).abs() <= 25.0 * 0.05, "{shares}");
    assert!(
        heatmap
            .fills
            .iter()
            .all(|f| !PRIMARIES.contains(&f.as_str()))
    );

    let migration = read_svg(&dir.join("migration.svg"));
    assert!(
        migration.fills.iter().any(|f| f == BLUE)
            && migration.fills.iter().any(|f| f == VERMILLION)
    );
    for text in ["白金顧客", "(未出現)", "前期 ↓", "本期 →", "留在原級"] {
        assert!(
            migration.texts.iter().any(|t| t == text),
            "{text} in {:?}",
            migration.texts
        );
    }
    let csv = std::fs::read_to_string(dir.join("migration.csv")).expect("migration.csv");
    for line in csv.lines().filter(|l| l.starts_with("metal,")) {
        let count = line.split(',').nth(3).expect("customers");
        assert!(
            migration.texts.iter().any(|t| t.replace(',', "") == count),
            "{count}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn simplified_chinese_and_english_charts_have_their_own_words() {
    for (lang, open, title, heat, row_word) in [
        (
            "zh-Hans",
            "（",
            "金属层级：客户数与营收",
            "冠军客户",
            "（行）",
        ),
        (
            "en",
            " (",
            "Metal tier: customers and revenue",
            "Champions",
            "(rows)",
        ),
    ] {
        let dir = temp_dir(&format!("charts15-{lang}"));
        tier(&dir, &["--lang", lang, "--compare-as-of", "2026-03-31"]);
        let shown = check_bar_charts(&dir, open);
        assert!(
            shown["metal"].iter().any(|t| t == title),
            "{lang}: {:?}",
            shown["metal"]
        );
        let heatmap = read_svg(&dir.join("rfm_heatmap.svg"));
        assert!(
            heatmap.texts.iter().any(|t| t == heat),
            "{lang}: {:?}",
            heatmap.texts
        );
        assert_eq!(heatmap.lang.as_deref(), Some(lang));
        let migration = read_svg(&dir.join("migration.svg"));
        assert!(
            migration.texts.iter().any(|t| t.contains(row_word)),
            "{lang}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_preset_of_named_labels_gets_its_chart_in_its_order() {
    let dir = temp_dir("charts15-lifecycle");
    tier(&dir, &["--preset", "lifecycle", "--lang", "zh-Hant"]);
    let shown = check_bar_charts(&dir, "（");
    let lifecycle = shown.get("lifecycle").expect("chart_lifecycle.svg");
    assert!(lifecycle.iter().any(|t| t == "生命週期階段：客戶數與營收"));
    let at = |name: &str| lifecycle.iter().position(|t| t == name);
    // The stages in the preset's order, whatever their customers.
    let (new, active) = (at("新客戶"), at("活躍客戶"));
    assert!(
        new.is_some() && active.is_some() && new < active,
        "{lifecycle:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
