//! The fit on the engine equals the fit on the profiles, on random populations with
//! heavy ties, amounts of mixed scales (`5`, `5.0`, `5.00`), any number of bins, both
//! quantile modes, and a grade whose terciles tie.

use std::sync::Arc;

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::format::ColumnMapping;
use customer_tiering::{PipelineBuilder, presets};
use customer_tiering_datafusion::datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use customer_tiering_datafusion::datafusion::arrow::datatypes::{DataType, Field, Schema};
use customer_tiering_datafusion::{Engine, FitPlace, register_table, run, session};
use jiff::civil::date;
use proptest::prelude::*;

/// Amounts of mixed scales: ties of `5`, `5.0` and `5.00` at a cut point leave the fit
/// to the calling process (which of them a model prints is the core's selection's
/// choice).
const MIXED: [&str; 8] = ["0", "5", "5.0", "5.00", "-2.5", "12.25", "100", "0.001"];
/// Amounts of one scale, as Parquet decimals are: always fitted on the engine.
const ONE_SCALE: [&str; 8] = [
    "0.00", "5.00", "5.00", "5.00", "-2.50", "12.25", "100.00", "0.01",
];
const DATES: [&str; 6] = [
    "2024-01-31",
    "2025-06-30",
    "2025-12-01",
    "2026-06-01",
    "2026-06-30",
    "2026-07-15",
];

fn batch(rows: &[(u8, usize, usize)], amounts: &[&str; 8]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("date", DataType::Utf8, false),
        Field::new("amount", DataType::Utf8, false),
    ]));
    let ids: StringArray = rows.iter().map(|r| Some(format!("C{:02}", r.0))).collect();
    let dates: StringArray = rows.iter().map(|r| Some(DATES[r.1])).collect();
    let amounts: StringArray = rows.iter().map(|r| Some(amounts[r.2])).collect();
    let columns: Vec<ArrayRef> = vec![Arc::new(ids), Arc::new(dates), Arc::new(amounts)];
    RecordBatch::try_new(schema, columns).unwrap()
}

proptest! {
    #[test]
    fn the_engine_fits_what_the_profiles_fit(
        rows in prop::collection::vec((0u8..40, 0usize..DATES.len(), 0usize..8), 1..250),
        one_scale in any::<bool>(),
        bins in 2u8..=10,
        equal_count in any::<bool>(),
        partitions in 1usize..4,
    ) {
        let mode = if equal_count { QuantileMode::EqualCount } else { QuantileMode::TieAware };
        let presets::Preset::Classifier(grade) = presets::preset("four-dimension").unwrap() else {
            panic!("four-dimension is a classifier");
        };
        let pipeline = PipelineBuilder::new()
            .classifier(RfmParams::default().bins(bins).mode(mode).segment_map(None))
            .classifier(ParetoParams::metals())
            .classifier(grade)
            .build()
            .unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let job = runtime.block_on(async {
            let ctx = session(&Engine::DataFusion { partitions }).await.unwrap();
            let amounts = if one_scale { &ONE_SCALE } else { &MIXED };
            ctx.register_batch("orders", batch(&rows, amounts)).unwrap();
            let table = register_table(&ctx, "orders", &ColumnMapping::default()).await.unwrap();
            run(&ctx, &table, &pipeline, date(2026, 6, 30)).await
        });
        let Ok(job) = job else {
            // Every row after the as-of date: nobody to fit on, on either side.
            prop_assert!(rows.iter().all(|r| r.1 == DATES.len() - 1));
            return Ok(());
        };
        if one_scale {
            prop_assert_eq!(job.fitted_on, FitPlace::Engine);
        }
        let in_process = pipeline.fit(&job.population).unwrap();
        prop_assert_eq!(job.fitted.to_json().unwrap(), in_process.to_json().unwrap());
        prop_assert_eq!(&job.tiering, &pipeline.run(&job.population).unwrap().1);
    }
}
