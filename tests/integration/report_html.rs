//! `report.html`: self-contained, in the run's language, and its figures are
//! `summary.json`'s.

use std::path::Path;

use rust_decimal::Decimal;

use crate::support::{assert_ok, everything_on_the_quickstart, run, temp_dir};

fn tier_report(dir: &Path, lang: &str, more: &[&str]) {
    let mut args = everything_on_the_quickstart(dir.to_str().unwrap());
    args.extend(["--quiet", "--lang", lang]);
    args.extend_from_slice(more);
    assert_ok(&run("tier", &args));
}

/// The text of every `<td … data-figure="NAME">TEXT</td>` of `html`, in order.
fn figures<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let marker = format!("data-figure=\"{name}\">");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let start = at + marker.len();
            &html[start..start + html[start..].find('<').unwrap()]
        })
        .collect()
}

/// A figure as the page prints it (grouped, maybe a percentage) back to a decimal.
fn number(text: &str) -> Option<Decimal> {
    let plain: String = text.chars().filter(|c| *c != ',').collect();
    match plain.strip_suffix('%') {
        Some(percent) => Some(percent.parse::<Decimal>().unwrap() / Decimal::ONE_HUNDRED),
        None if plain.is_empty() => None,
        None => Some(plain.parse().unwrap()),
    }
}

#[test]
fn the_report_holds_the_summary_figures_in_the_language() {
    let dir = temp_dir("report-html");
    tier_report(&dir, "zh-Hant", &["--compare-as-of", "2026-03-31"]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    // Self-contained: no script, nothing fetched.
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"zh-Hant\">"));
    for banned in [
        "<script",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
    ] {
        assert!(!html.contains(banned), "{banned}");
    }
    // The management tables: every row of summary.json's, in order, same figures.
    let management = summary["management"].as_array().unwrap();
    let customers = figures(&html, "customers");
    assert_eq!(customers.len(), management.len());
    for key in [
        "customers",
        "share",
        "revenue",
        "revenue_share",
        "average_order_value",
        "customers_in",
        "customers_out",
        "revenue_change",
    ] {
        let shown = figures(&html, key);
        assert_eq!(shown.len(), management.len(), "{key}");
        for (text, row) in shown.iter().zip(management) {
            let want = match &row[key] {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.parse::<Decimal>().unwrap()),
                n => Some(n.to_string().parse::<Decimal>().unwrap()),
            };
            // Shares print as percentages to 2 decimals: the same 4-decimal fraction.
            assert_eq!(number(text), want, "{key}: {text} in {row}");
        }
    }
    for row in management {
        let tier = row["tier"].as_str().unwrap();
        assert!(html.contains(&format!("<td>{tier}</td>")), "{tier}");
    }
    // Inputs and counts, as read.
    for key in ["read", "accepted", "rejected"] {
        let shown = figures(&html, key);
        assert_eq!(
            number(shown[0]),
            Some(summary[key].as_u64().unwrap().into())
        );
    }
    // Names and words in Traditional Chinese; the warning in it too.
    for words in [
        "客戶分級報告",
        "管理表",
        "白金顧客",
        "消費金額",
        "層級移動",
        "分數 3",
    ] {
        assert!(html.contains(words), "{words}");
    }
    // Charts inline, and the migration grid of the metal column.
    assert!(html.matches("<svg").count() >= 3);
    assert!(html.contains("<table class=\"migration\" data-classifier=\"metal\">"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_report_writes_none() {
    let dir = temp_dir("report-html-none");
    tier_report(&dir, "en", &["--no-report"]);
    assert!(!dir.join("report.html").exists());
    tier_report(&dir, "en", &[]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Customer tiers") && html.contains("Platinum"));
    // Without a comparison the in, out and change columns are left out.
    assert!(figures(&html, "customers_in").is_empty());
    let _ = std::fs::remove_dir_all(dir);
}
