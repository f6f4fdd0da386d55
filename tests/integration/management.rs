//! The management table: its figures are the summary's, every label of a column has
//! a row, comparisons come from the migration matrix, and the words follow `--lang`.

use std::collections::BTreeMap;

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::names::Lang;
use customer_tiering::report::{MANAGEMENT_COLUMNS, Summary, management_table};
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use customer_tiering::{PipelineBuilder, PopulationBuilder, presets};
use jiff::civil::date;

use crate::support::{QUICKSTART, assert_ok, everything_on_the_quickstart, run, temp_dir};

#[test]
fn rows_carry_the_summary_figures_for_every_label_in_order() {
    let source = CsvTransactions::from_path(QUICKSTART, &ColumnMapping::default()).unwrap();
    let builder = PopulationBuilder::new(date(2026, 6, 30));
    let population = ingest(source, builder, OnInvalid::Fail, |_| {})
        .unwrap()
        .population;
    let mut pipeline = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals());
    for key in ["abc", "value-tiers", "four-levels", "lifecycle"] {
        pipeline = pipeline.classifier(presets::classifier(key).unwrap());
    }
    let (fitted, tiering) = pipeline.build().unwrap().run(&population).unwrap();
    let summary = Summary::new(&population, &tiering).unwrap();
    let rows = management_table(&fitted, &summary, None, Lang::En).unwrap();
    let mut by_column: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for row in &rows {
        by_column
            .entry(&row.classifier)
            .or_default()
            .push(&row.label);
        match summary.labels[&row.classifier].get(&row.label) {
            Some(f) => {
                assert_eq!(row.customers, f.customers, "{row:?}");
                assert_eq!(row.share, f.share);
                assert_eq!(row.revenue, f.revenue);
                assert_eq!(row.revenue_share, f.revenue_share);
                assert_eq!(row.average_order_value, f.average_order_value);
            }
            None => {
                assert_eq!((row.customers, row.revenue_share), (0, None), "{row:?}");
                // An empty score or band says why; a segment or stage keeps its rule.
                let ranked = ["r", "f", "m", "metal", "abc", "value_tier"];
                if ranked.contains(&row.classifier.as_str()) {
                    assert!(row.criterion.starts_with("empty"), "{row:?}");
                }
            }
        }
        // Every built-in classifier says what puts a customer under each label.
        assert!(!row.criterion.is_empty(), "{row:?}");
        assert_eq!(
            (row.customers_in, row.customers_out, row.revenue_change),
            (None, None, None)
        );
    }
    // Every label of each column, best first where ordered: tie-aware f of the
    // quickstart data has an empty score 3, and it still has its row.
    assert_eq!(by_column["f"], ["5", "4", "3", "2", "1"]);
    assert_eq!(by_column["metal"], ["platinum", "gold", "iron", "lead"]);
    assert_eq!(by_column["value_tier"], ["vip", "a", "b", "c", "d"]);
    assert_eq!(by_column["lifecycle"].len(), 7);
    let f3 = rows.iter().find(|r| r.classifier == "f" && r.label == "3");
    assert_eq!(
        f3.unwrap().criterion,
        "empty: 62 customers share the value 2"
    );
    // Totals over a column's labels are the totals over customers.
    for (column, labels) in &summary.labels {
        let customers: u64 = rows
            .iter()
            .filter(|r| r.classifier == *column)
            .map(|r| r.customers)
            .sum();
        assert_eq!(customers, labels.values().map(|f| f.customers).sum::<u64>());
    }
    // The words follow the language; keys and figures do not.
    for lang in [Lang::ZhHant, Lang::ZhHans] {
        let translated = management_table(&fitted, &summary, None, lang).unwrap();
        for (en, zh) in rows.iter().zip(&translated) {
            assert_eq!((&en.classifier, &en.label), (&zh.classifier, &zh.label));
            assert_eq!((en.customers, en.revenue), (zh.customers, zh.revenue));
            for key in [
                "monetary",
                "recency_days",
                "frequency",
                "tenure_days",
                "composite",
            ] {
                assert!(!zh.criterion.contains(key), "{lang}: {}", zh.criterion);
            }
            if !en.playbook.is_empty() {
                assert_ne!(en.playbook, zh.playbook, "{lang}");
            }
        }
    }
}

#[test]
fn tier_writes_the_table_with_the_comparison_of_the_migration() {
    let dir = temp_dir("management");
    let mut args = everything_on_the_quickstart(dir.to_str().unwrap());
    args.extend([
        "--compare-as-of",
        "2026-03-31",
        "--quiet",
        "--lang",
        "zh-Hant",
    ]);
    let out = run("tier", &args);
    assert_ok(&out);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&read("summary.json")).unwrap();
    let table = read("management.csv");
    let mut csv = csv::Reader::from_reader(table.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, MANAGEMENT_COLUMNS);
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let json = summary["management"].as_array().unwrap();
    assert_eq!(rows.len(), json.len());
    // management.csv and summary.json's management are one table.
    for (row, object) in rows.iter().zip(json) {
        for (key, cell) in header.iter().zip(row.iter()) {
            let value = match &object[key] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(value, cell, "{key}");
        }
    }
    // In and out are the migration matrix's cells into and out of each label.
    let mut moved: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    let migration = read("migration.csv");
    for line in migration.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (column, from, to, n) = (f[0], f[1], f[2], f[3].parse::<u64>().unwrap());
        if from != to {
            moved.entry((column.into(), to.into())).or_default().0 += n;
            moved.entry((column.into(), from.into())).or_default().1 += n;
        }
    }
    let metal_names = [
        ("platinum", "白金顧客"),
        ("gold", "黃金顧客"),
        ("iron", "鐵顧客"),
        ("lead", "鉛顧客"),
    ];
    for (key, name) in metal_names {
        let row = rows
            .iter()
            .find(|r| &r[0] == "metal" && &r[1] == name)
            .unwrap();
        let (came, went) = moved
            .get(&("metal".to_string(), key.to_string()))
            .copied()
            .unwrap_or_default();
        assert_eq!(
            (&row[8], &row[9]),
            (&came.to_string()[..], &went.to_string()[..])
        );
        let now = &summary["labels"]["metal"][key]["revenue"];
        let then = &summary["previous_labels"]["metal"][key]["revenue"];
        let change = now
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
            - then
                .as_str()
                .unwrap_or("0")
                .parse::<rust_decimal::Decimal>()
                .unwrap();
        assert_eq!(row[10].parse::<rust_decimal::Decimal>().unwrap(), change);
        // The criterion and playbook are in Traditional Chinese.
        assert!(row[2].contains("消費金額"), "{}", &row[2]);
        assert!(!row[11].is_empty() && !row[11].is_ascii(), "{}", &row[11]);
    }
    // The rule set's tiers: the rules that give each, and its own playbooks.
    let key_account = rows
        .iter()
        .find(|r| &r[0] == "tier" && &r[1] == "重點客戶")
        .unwrap();
    assert_eq!(&key_account[2], "規則：grade a");
    assert_eq!(&key_account[11], "專屬客戶經理、定期拜訪、優先配置資源。");
    assert!(
        summary["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "management.csv")
    );
    let _ = std::fs::remove_dir_all(dir);
}
