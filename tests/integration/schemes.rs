//! Every scheme of the sales playbook together (issue: grades, lifecycle, rule sets):
//! the quickstart data with its customers file, every preset, the intent rule set and
//! the credit-cap example.

use customer_tiering::classify::Label;
use customer_tiering::presets::{self, Preset};
use customer_tiering::rules::RuleSet;
use customer_tiering::source::customers::read_customers_path;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest_into};
use customer_tiering::{FittedPipeline, Pipeline, PipelineBuilder, Population, PopulationBuilder};
use jiff::civil::date;

use crate::support::{CREDIT_CAP_RULES, QUICKSTART, QUICKSTART_CUSTOMERS};

pub(crate) fn everything() -> (Population, Pipeline) {
    let (table, _) =
        read_customers_path(QUICKSTART_CUSTOMERS, OnInvalid::Fail, |_| {}).expect("customers");
    let mut builder = PopulationBuilder::new(date(2026, 6, 30));
    let source = CsvTransactions::from_path(QUICKSTART, &ColumnMapping::default()).expect("data");
    ingest_into(source, &mut builder, OnInvalid::Fail, |_| {}).expect("valid");
    let columns = table.columns().to_vec();
    let population = builder
        .finish_with(table.into_customers())
        .expect("no overflow");
    let mut pipeline = PipelineBuilder::new().attributes(&columns);
    let mut rule_sets = Vec::new();
    for key in [
        "rfm-default",
        "metals",
        "abc",
        "four-dimension",
        "four-levels",
        "value-tiers",
        "lifecycle",
        "intent",
    ] {
        match presets::preset(key).expect("preset") {
            Preset::Classifier(params) => pipeline = pipeline.classifier(params),
            Preset::SegmentMap(map) => {
                pipeline = pipeline.classifier(
                    customer_tiering::classify::rfm::RfmParams::default().segment_map(Some(map)),
                )
            }
            Preset::Rules(rules) => rule_sets.push(rules),
            other => panic!("unexpected preset {other:?}"),
        }
    }
    rule_sets.push(RuleSet::from_path(CREDIT_CAP_RULES).expect("credit-cap loads"));
    for rules in rule_sets {
        pipeline = pipeline.rules(rules);
    }
    (population, pipeline.build().expect("valid pipeline"))
}

#[test]
fn every_scheme_runs_and_the_fitted_pipeline_round_trips() {
    let (population, pipeline) = everything();
    assert_eq!(
        pipeline.columns(),
        [
            "r",
            "f",
            "m",
            "rfm_segment",
            "metal",
            "abc",
            "grade",
            "level",
            "value_tier",
            "lifecycle",
            "intent",
            "tier",
            "tags"
        ]
    );
    let (fitted, tiering) = pipeline.run(&population).expect("fits");
    assert_eq!(tiering.len(), 303);
    // Tie-aware throughout: the fitted models reproduce the run.
    assert_eq!(fitted.classify_all(&population), tiering);
    let loaded =
        FittedPipeline::from_json("model.json", &fitted.to_json().expect("JSON")).expect("loads");
    assert_eq!(loaded, fitted);
    assert_eq!(loaded.classify_all(&population), tiering);

    // Prospects: no scores, the lowest grade, level and value tier; their stage.
    let labels = |id: &str| -> Vec<String> {
        tiering
            .get(id)
            .expect("row")
            .iter()
            .map(|l| l.as_cell().into_owned())
            .collect()
    };
    assert_eq!(
        labels("P0001"),
        [
            "", "", "", "", "", "", "d", "level_4", "d", "target", "a", "d", ""
        ]
    );
    // C0003 has credit rating D and 4 complaints: capped at c whatever its grade.
    assert_eq!(
        tiering.label("C0003", "tier"),
        Some(&Label::Name("c".into()))
    );
    // Lost customers are tagged for win-back.
    for (id, row) in tiering.rows() {
        let lifecycle = row[9].as_cell();
        let tags = row[12].as_cell();
        assert_eq!(
            lifecycle == "lost",
            tags.split(';').any(|t| t == "win_back"),
            "{id}"
        );
    }
}

#[test]
fn explain_names_the_cut_point_threshold_or_rule_of_every_label() {
    let (population, pipeline) = everything();
    let fitted = pipeline.fit(&population).expect("fits");
    let profile = population.get("C0003").expect("customer");
    let lines: Vec<String> = fitted
        .explain(profile)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        lines.len(),
        fitted.columns().len() - 1,
        "one line per column but tags:\n{lines:#?}"
    );
    let evidence = [
        "cut points",
        "threshold",
        "rule",
        "tercile cuts",
        "composite",
        "days ago",
    ];
    for line in &lines {
        assert!(
            evidence.iter().any(|e| line.contains(e)),
            "no evidence in {line:?}"
        );
    }
    let tier_line = lines.last().expect("tier line");
    assert!(tier_line.contains(r#"rule 4 ("bad credit""#), "{tier_line}");
}
