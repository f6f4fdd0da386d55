//! An application's own classifier labels on the engine too: with a classification
//! function that knows its kind, the engine's `tiers.csv` is the in-process one, byte
//! for byte; without, the plan fails naming the kind, never labels wrongly.

use std::sync::Arc;

use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::{
    Classifier, Column, ColumnLabels, Explanation, Label, Model, Reads, Unscored,
};
use customer_tiering::format::ColumnMapping;
use customer_tiering::output::write_tiers_csv;
use customer_tiering::{Error, Metric, PipelineBuilder, Population, Profile, Registry};
use customer_tiering_datafusion::datafusion::arrow::array::{
    ArrayRef, Date32Array, RecordBatch, StringArray,
};
use customer_tiering_datafusion::datafusion::arrow::datatypes::{DataType, Field, Schema};
use customer_tiering_datafusion::{
    Engine, FitPlace, LabelPlace, label_place, register_table, run, session, tiers_function,
    tiers_plan, write_tiers_csv_sorted,
};
use jiff::civil::date;
use serde::{Deserialize, Serialize};

/// `lapsed` past the median recency of the fit population, else `current`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Lapsed;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LapsedModel {
    params: Lapsed,
    median_days: i64,
    fit_size: usize,
}

impl Classifier for Lapsed {
    type Model = LapsedModel;
    const KIND: &'static str = "lapsed";

    fn columns(&self) -> Vec<Column> {
        let labels = vec!["current".into(), "lapsed".into()];
        vec![Column::new("lapsed", ColumnLabels::ordered(labels))]
    }
    fn reads(&self) -> Reads {
        Reads::metrics([Metric::RecencyDays])
    }
    fn fit(&self, population: &Population) -> Result<LapsedModel, Error> {
        let mut days: Vec<i64> = population.buyers().filter_map(|p| p.recency_days).collect();
        days.sort_unstable();
        let median_days = *days
            .get(days.len() / 2)
            .ok_or_else(|| Error::classifier("lapsed", "nobody"))?;
        Ok(LapsedModel {
            params: Lapsed,
            median_days,
            fit_size: days.len(),
        })
    }
}

impl Model for LapsedModel {
    type Params = Lapsed;

    fn params(&self) -> &Lapsed {
        &self.params
    }
    fn fit_size(&self) -> usize {
        self.fit_size
    }
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(match profile.recency_days {
            Some(days) if days > self.median_days => Label::Name("lapsed".into()),
            Some(_) => Label::Name("current".into()),
            None => Label::Unscored(Unscored::NoPurchases),
        });
    }
    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let mut label = Vec::new();
        self.classify_into(profile, &mut label);
        let why = format!("median {} days", self.median_days);
        vec![Explanation::text("lapsed", label.remove(0), why)]
    }
}

/// 60 customers, one to three orders each, spread over a year.
fn orders() -> RecordBatch {
    let (mut ids, mut days, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    for c in 0..60i32 {
        for k in 0..=(c % 3) {
            ids.push(format!("C{c:02}"));
            days.push(20_270 + (c * 37 + k * 11) % 360);
            amounts.push(format!("{}.{:02}", 10 + c * 7 % 50, (c * 13 + k) % 100));
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, true),
        Field::new("date", DataType::Date32, true),
        Field::new("amount", DataType::Utf8, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(ids)),
        Arc::new(Date32Array::from(days)),
        Arc::new(StringArray::from(amounts)),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

#[tokio::test]
async fn an_applications_classifier_labels_on_the_engine_with_its_kind_registered() {
    let as_of = date(2026, 6, 30);
    let pipeline = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(Lapsed)
        .build()
        .unwrap();
    let ctx = session(&Engine::DataFusion { partitions: 3 })
        .await
        .unwrap();
    ctx.register_batch("orders", orders()).unwrap();
    let table = register_table(&ctx, "orders", &ColumnMapping::default())
        .await
        .unwrap();
    let job = run(&ctx, &table, &pipeline, as_of).await.unwrap();
    // Its fit reads the population: made in this process.
    assert_eq!(job.fitted_on, FitPlace::Process);
    assert_eq!(label_place(&ctx, &pipeline), LabelPlace::Engine);
    let mut expected = Vec::new();
    write_tiers_csv("tiers.csv", &job.population, &job.tiering, &mut expected).unwrap();
    assert!(String::from_utf8_lossy(&expected).contains(",lapsed\n"));

    // The session's function knows the built-in kinds only: the plan fails, naming it.
    let plan = tiers_plan(&ctx, &job.fitted, as_of).await;
    let err = plan.expect_err("an unknown kind").to_string();
    assert!(err.contains(r#"unknown classifier kind "lapsed""#), "{err}");

    // With the application's registry, the engine's bytes are the process's.
    let registry = Registry::builtin().register::<Lapsed>().unwrap();
    ctx.register_udf(tiers_function(registry));
    let plan = tiers_plan(&ctx, &job.fitted, as_of).await.unwrap();
    let mut got = Vec::new();
    write_tiers_csv_sorted(plan, &job.fitted, as_of, "tiers.csv", &mut got)
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(got).unwrap(),
        String::from_utf8(expected).unwrap()
    );
}
