//! The engine's answers against the single-machine path's, byte for byte: tiers.csv,
//! the summary figures and the fitted model, on generated data with refunds, zero
//! amounts, several lines on one day, rows after the as-of date, bad rows and a number of
//! buyers that is not a multiple of 5.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use customer_tiering::aggregate::Aggregator;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::format::ColumnMapping;
use customer_tiering::output::write_tiers_csv;
use customer_tiering::report::Summary;
use customer_tiering::source::{CsvTransactions, OnInvalid, ReadSummary, ingest_csv};
use customer_tiering::{Pipeline, PipelineBuilder, Population, presets};
use customer_tiering_datafusion::arrow::{population_batch, population_from_batches, tiers_batch};
use customer_tiering_datafusion::datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Decimal128Array, RecordBatch, StringArray,
};
use customer_tiering_datafusion::datafusion::arrow::compute::cast;
use customer_tiering_datafusion::datafusion::arrow::datatypes::{DataType, Field, Schema};
use customer_tiering_datafusion::datafusion::parquet::arrow::ArrowWriter;
use customer_tiering_datafusion::datafusion::prelude::SessionContext;
use customer_tiering_datafusion::{
    Engine, Job, LabelPlace, label_place, locate_rejects, register_transactions, run, session,
    tiers_plan, write_tiers_csv_sorted, write_tiers_parquet,
};
use jiff::civil::{Date, date};

const AS_OF: Date = date(2026, 6, 30);

/// A small deterministic generator (splitmix64): the data is the same on every machine.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One generated row: id, date, and the amount in cents and as written.
struct Row {
    id: String,
    day: Date,
    cents: i64,
    text: String,
}

/// Rows over ~800 days up to 70 days past the as-of date; amounts with two decimals
/// (`mixed`: also whole numbers and one decimal, as people type them).
fn rows(customers: u64, count: usize, seed: u64, mixed: bool) -> Vec<Row> {
    let mut random = Random(seed);
    let start = date(2024, 6, 1);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let id = format!("C{:05}", random.below(customers));
        let day = start + jiff::Span::new().days(random.below(830) as i64);
        let kind = random.below(20);
        let cents = match kind {
            0 => 0,
            1 | 2 => -(random.below(10_000) as i64),
            3 => (random.below(1000) * 100) as i64,
            _ => random.below(100_000) as i64 + 1,
        };
        let text = match (mixed, kind) {
            (true, 3) => format!("{}", cents / 100),
            (true, 4) => format!("{}.{}", cents / 100, (cents % 100) / 10),
            _ => format!(
                "{}{}.{:02}",
                if cents < 0 { "-" } else { "" },
                cents.abs() / 100,
                cents.abs() % 100
            ),
        };
        let lines = if random.below(10) == 0 { 2 } else { 1 };
        for _ in 0..lines {
            out.push(Row {
                id: id.clone(),
                day,
                cents,
                text: text.clone(),
            });
        }
    }
    out
}

fn write_csv(path: &Path, rows: &[Row], bad: bool) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "customer_id,date,amount").unwrap();
    for (i, row) in rows.iter().enumerate() {
        writeln!(file, "{},{},{}", row.id, row.day, row.text).unwrap();
        if bad && i % 997 == 5 {
            let broken = [
                format!("{},{},1e3", row.id, row.day),
                format!(",{},5.00", row.day),
                format!("{},2025-02-30,5.00", row.id),
                format!("{},{},+5", row.id, row.day),
                format!("  ,{},.5", row.day),
            ];
            writeln!(file, "{}", broken[(i / 997) % broken.len()]).unwrap();
        }
    }
}

fn write_parquet(path: &Path, rows: &[Row]) {
    write_parquet_at(path, rows, 2);
}

/// The rows as Parquet with amounts as `Decimal128(38, scale)`, `scale ≥ 2`.
fn write_parquet_at(path: &Path, rows: &[Row], scale: i8) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("date", DataType::Date32, false),
        Field::new("amount", DataType::Decimal128(38, scale), false),
    ]));
    let ids: StringArray = rows.iter().map(|r| Some(r.id.as_str())).collect();
    let days: Date32Array = rows
        .iter()
        .map(|r| Some(customer_tiering::dates::day_number(r.day)))
        .collect();
    let up = 10i128.pow(u32::try_from(scale - 2).unwrap());
    let amounts = Decimal128Array::from_iter_values(rows.iter().map(|r| i128::from(r.cents) * up))
        .with_precision_and_scale(38, scale)
        .unwrap();
    let columns: Vec<ArrayRef> = vec![Arc::new(ids), Arc::new(days), Arc::new(amounts)];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn pipeline(mode: QuantileMode) -> Pipeline {
    let presets::Preset::Classifier(grade) = presets::preset("four-dimension").unwrap() else {
        panic!("four-dimension is a classifier");
    };
    PipelineBuilder::new()
        .classifier(RfmParams::default().mode(mode))
        .classifier(ParetoParams::metals())
        .classifier(grade)
        .build()
        .unwrap()
}

/// What a run is compared by: tiers.csv, the summary's figures, the model.
#[derive(Debug, PartialEq)]
struct Answers {
    read: ReadSummary,
    tiers_csv: String,
    summary: String,
    model: String,
}

fn answers(read: ReadSummary, population: &Population, pipeline: &Pipeline) -> Answers {
    let (fitted, tiering) = pipeline.run(population).unwrap();
    let mut tiers = Vec::new();
    write_tiers_csv("tiers.csv", population, &tiering, &mut tiers).unwrap();
    let summary = Summary::new(population, &tiering).unwrap();
    Answers {
        read,
        tiers_csv: String::from_utf8(tiers).unwrap(),
        summary: serde_json::to_string(&summary).unwrap(),
        model: fitted.to_json().unwrap(),
    }
}

fn single_machine(csv: &Path, pipeline: &Pipeline) -> Answers {
    let source = CsvTransactions::from_path(csv, &ColumnMapping::default()).unwrap();
    let mut aggregator = Aggregator::new(AS_OF).computing(&pipeline.reads().metrics);
    let read = ingest_csv(source, &mut aggregator, OnInvalid::Skip, |_| {}).unwrap();
    answers(read, &aggregator.finish().unwrap(), pipeline)
}

fn on_engine(pattern: &str, partitions: usize, pipeline: &Pipeline) -> Answers {
    on(&Engine::DataFusion { partitions }, pattern, pipeline)
}

fn on(engine: &Engine, pattern: &str, pipeline: &Pipeline) -> Answers {
    // Ballista encodes and decodes plans recursively: unoptimised builds need more than
    // the default 2 MiB of stack per worker.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let ctx = session(engine).await.unwrap();
        let table = register_transactions(&ctx, "tx", pattern, &ColumnMapping::default())
            .await
            .unwrap();
        let job = run(&ctx, &table, pipeline, AS_OF).await.unwrap();
        let mut answers = answers(job.read, &job.population, pipeline);
        // The job's own labels are the ones compared, not a second run's.
        let mut tiers = Vec::new();
        write_tiers_csv("tiers.csv", &job.population, &job.tiering, &mut tiers).unwrap();
        answers.tiers_csv = String::from_utf8(tiers).unwrap();
        if label_place(&ctx, pipeline) == LabelPlace::Engine {
            let engine = labelled_on_the_engine(&ctx, &job).await;
            assert_eq!(
                engine, answers.tiers_csv,
                "tiers.csv labelled by the engine"
            );
        }
        answers
    })
}

/// tiers.csv labelled and sorted by the engine; checks on the way that the tiers written
/// as Parquet files by the engine read back as the job's metrics and labels.
async fn labelled_on_the_engine(ctx: &SessionContext, job: &Job) -> String {
    let plan = tiers_plan(ctx, &job.fitted, AS_OF).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiers");
    let written = write_tiers_parquet(plan.clone(), &out).await.unwrap();
    assert_eq!(written, job.population.len() as u64);
    let back = SessionContext::new()
        .read_parquet(out.to_str().unwrap(), Default::default())
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let metrics = population_from_batches(AS_OF, &back).unwrap();
    let metrics_of = |p: &Population| -> Vec<String> {
        let p = p.profiles();
        p.iter()
            .map(|p| {
                let (id, r, f) = (&p.customer_id, p.recency_days, p.frequency);
                let (t, m, tenure) = (p.transactions, p.monetary, p.tenure_days);
                format!("{id} {r:?} {f} {t} {m} {tenure:?}")
            })
            .collect()
    };
    assert_eq!(metrics_of(&metrics), metrics_of(&job.population));
    let labels = |batches: &[RecordBatch]| -> Vec<String> {
        let mut rows = Vec::new();
        for batch in batches {
            let column = |name: &str| {
                // Parquet text reads back as Utf8View
                let column = batch.column_by_name(name).unwrap();
                let column = cast(column, &DataType::Utf8).unwrap();
                column.as_string::<i32>().clone()
            };
            let ids = column("customer_id");
            let labels: Vec<_> = job.fitted.columns().iter().map(|c| column(c)).collect();
            for row in 0..batch.num_rows() {
                let cells: Vec<&str> = labels
                    .iter()
                    .map(|l| if l.is_valid(row) { l.value(row) } else { "" })
                    .collect();
                rows.push(format!("{} {}", ids.value(row), cells.join(",")));
            }
        }
        rows.sort();
        rows
    };
    let expected = tiers_batch(&job.population, &job.tiering).unwrap();
    assert_eq!(labels(&back), labels(&[expected]));
    let mut csv = Vec::new();
    write_tiers_csv_sorted(plan, &job.fitted, AS_OF, "tiers.csv", &mut csv)
        .await
        .unwrap();
    String::from_utf8(csv).unwrap()
}

#[test]
fn csv_on_the_engine_gives_the_single_machine_answers_in_any_number_of_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orders.csv");
    write_csv(&csv, &rows(1203, 12_000, 7, true), true);
    for mode in [QuantileMode::TieAware, QuantileMode::EqualCount] {
        let pipeline = pipeline(mode);
        let expected = single_machine(&csv, &pipeline);
        assert!(expected.read.rejected > 0 && expected.read.after_as_of > 0);
        for partitions in [1, 2, 8] {
            let got = on_engine(csv.to_str().unwrap(), partitions, &pipeline);
            assert_eq!(got, expected, "{mode:?}, {partitions} partitions");
        }
    }
}

#[test]
fn parquet_files_give_the_answers_of_the_same_data_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let all = rows(2001, 15_000, 11, false);
    let csv = dir.path().join("all.csv");
    write_csv(&csv, &all, false);
    let parts = dir.path().join("orders");
    std::fs::create_dir(&parts).unwrap();
    for (i, chunk) in all.chunks(4_000).enumerate() {
        write_parquet(&parts.join(format!("part-{i}.parquet")), chunk);
    }
    let pattern = format!("{}/*.parquet", parts.display());
    for mode in [QuantileMode::TieAware, QuantileMode::EqualCount] {
        let pipeline = pipeline(mode);
        let expected = single_machine(&csv, &pipeline);
        for partitions in [1, 2, 8] {
            assert_eq!(on_engine(&pattern, partitions, &pipeline), expected);
        }
    }
}

#[test]
fn rejects_are_located_as_the_core_reader_locates_them() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orders.csv");
    write_csv(&csv, &rows(50, 3_000, 3, true), true);
    let mapping = ColumnMapping::default();
    let mut expected = Vec::new();
    let source = CsvTransactions::from_path(&csv, &mapping).unwrap();
    let mut aggregator = Aggregator::new(AS_OF);
    ingest_csv(source, &mut aggregator, OnInvalid::Skip, |r| {
        expected.push(r.clone())
    })
    .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let table = runtime.block_on(async {
        let ctx = SessionContext::new();
        register_transactions(&ctx, "tx", csv.to_str().unwrap(), &mapping)
            .await
            .unwrap()
    });
    let mut got = Vec::new();
    let found = locate_rejects(&table, |r| {
        got.push(r);
        true
    })
    .unwrap();
    assert_eq!(found as usize, expected.len());
    assert_eq!(got, expected);
    assert!(got.len() >= 3);
}

#[test]
fn a_population_round_trips_through_parquet_exactly_with_mixed_scales() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orders.csv");
    write_csv(&csv, &rows(3_000, 3_000, 5, true), false);
    let source = CsvTransactions::from_path(&csv, &ColumnMapping::default()).unwrap();
    let mut aggregator = Aggregator::new(AS_OF);
    ingest_csv(source, &mut aggregator, OnInvalid::Fail, |_| {}).unwrap();
    let population = aggregator.finish().unwrap();
    let scales: std::collections::BTreeSet<u32> = population
        .profiles()
        .iter()
        .map(|p| p.monetary.scale())
        .collect();
    assert!(scales.len() > 1, "the data has mixed scales: {scales:?}");
    let batch = population_batch(&population).unwrap();
    let path = dir.path().join("profiles.parquet");
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let batches = runtime.block_on(async {
        let ctx = SessionContext::new();
        let options = Default::default();
        let frame = ctx
            .read_parquet(path.to_str().unwrap(), options)
            .await
            .unwrap();
        frame.collect().await.unwrap()
    });
    let back = population_from_batches(AS_OF, &batches).unwrap();
    assert_eq!(back.profiles(), population.profiles());
    let printed = |p: &Population| -> Vec<String> {
        p.profiles()
            .iter()
            .map(|p| p.monetary.to_string())
            .collect()
    };
    assert_eq!(printed(&back), printed(&population));
}

/// An in-process Ballista cluster (scheduler and executor on loopback) gives the same
/// answers, from CSV and from Parquet.
#[cfg(feature = "ballista")]
#[test]
fn ballista_standalone_gives_the_single_machine_answers() {
    let dir = tempfile::tempdir().unwrap();
    let all = rows(1003, 8_000, 13, false);
    let csv = dir.path().join("all.csv");
    write_csv(&csv, &all, true);
    let parts = dir.path().join("orders");
    std::fs::create_dir(&parts).unwrap();
    let clean = rows(1003, 8_000, 13, false);
    let clean_csv = dir.path().join("clean.csv");
    write_csv(&clean_csv, &clean, false);
    for (i, chunk) in clean.chunks(3_000).enumerate() {
        write_parquet(&parts.join(format!("part-{i}.parquet")), chunk);
    }
    let engine = Engine::BallistaStandalone { partitions: 3 };
    for mode in [QuantileMode::TieAware, QuantileMode::EqualCount] {
        let pipeline = pipeline(mode);
        let expected = single_machine(&csv, &pipeline);
        assert_eq!(
            on(&engine, csv.to_str().unwrap(), &pipeline),
            expected,
            "{mode:?}, CSV"
        );
        let expected = single_machine(&clean_csv, &pipeline);
        let pattern = format!("{}/*.parquet", parts.display());
        assert_eq!(
            on(&engine, &pattern, &pipeline),
            expected,
            "{mode:?}, Parquet"
        );
    }
}

/// Parquet files whose amount columns have different scales (`Decimal128(38, 2)`, `(38,
/// 3)` and `(38, 4)`) are read exactly, each row at its own file's scale: the answers of
/// the same values written so in CSV.
#[test]
fn parquet_files_of_different_decimal_scales_are_read_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = rows(1501, 9_000, 17, false);
    let parts = dir.path().join("orders");
    std::fs::create_dir(&parts).unwrap();
    let chunk = all.len().div_ceil(3);
    for (i, rows) in all.chunks_mut(chunk).enumerate() {
        let scale = 2 + i as i8;
        write_parquet_at(&parts.join(format!("part-{i}.parquet")), rows, scale);
        for row in rows {
            // as written at the file's scale: 10.50, 10.500, 10.5000
            let zeros = "0".repeat(i);
            row.text = format!("{}{zeros}", row.text);
        }
    }
    let csv = dir.path().join("all.csv");
    write_csv(&csv, &all, false);
    let pattern = format!("{}/*.parquet", parts.display());
    for mode in [QuantileMode::TieAware, QuantileMode::EqualCount] {
        let pipeline = pipeline(mode);
        let expected = single_machine(&csv, &pipeline);
        // sums print the largest scale among their rows': here 2, 3 and 4 decimals
        let decimals: std::collections::BTreeSet<usize> = expected
            .tiers_csv
            .lines()
            .skip(1)
            .filter_map(|line| {
                line.split(',')
                    .nth(4)?
                    .split_once('.')
                    .map(|(_, d)| d.len())
            })
            .collect();
        assert_eq!(decimals, [2, 3, 4].into());
        for partitions in [1, 3] {
            assert_eq!(
                on_engine(&pattern, partitions, &pipeline),
                expected,
                "{mode:?}, {partitions}"
            );
        }
    }
}

/// Parquet files whose schemas differ otherwise than in their money columns' scales
/// are refused, naming both files.
#[test]
fn parquet_files_of_other_schemas_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rows = rows(10, 40, 3, false);
    write_parquet(&dir.path().join("a.parquet"), &rows);
    let schema = Arc::new(Schema::new(vec![
        Field::new("customer_id", DataType::Utf8, false),
        Field::new("date", DataType::Utf8, false),
        Field::new("amount", DataType::Decimal128(38, 2), false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["C1"])),
        Arc::new(StringArray::from(vec!["2026-06-01"])),
        Arc::new(
            Decimal128Array::from(vec![1050])
                .with_precision_and_scale(38, 2)
                .unwrap(),
        ),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let path = dir.path().join("b.parquet");
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let pattern = format!("{}/*.parquet", dir.path().display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let err = runtime.block_on(async {
        let ctx = session(&Engine::DataFusion { partitions: 2 })
            .await
            .unwrap();
        register_transactions(&ctx, "tx", &pattern, &ColumnMapping::default())
            .await
            .unwrap_err()
    });
    let err = err.to_string();
    assert!(
        err.contains("a.parquet and ") && err.contains("b.parquet differ"),
        "{err}"
    );
}

/// A customer's sum past the core crate's 28 digits is an error naming the customer, as
/// in the core crate; DataFusion's own decimal sum would have wrapped silently.
#[test]
fn a_sum_past_28_digits_is_the_core_crates_error() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    let big = "9".repeat(28);
    // Nine of the largest amounts make 9·(10^28 − 1), past rust_decimal's 2^96 − 1.
    let rows: String = (1..=9)
        .map(|d| format!("C1,2026-06-0{d},{big}\n"))
        .collect();
    std::fs::write(
        &csv,
        format!("customer_id,date,amount\n{rows}C2,2026-06-01,1\n"),
    )
    .unwrap();
    let source = CsvTransactions::from_path(&csv, &ColumnMapping::default()).unwrap();
    let mut aggregator = Aggregator::new(AS_OF);
    let core = ingest_csv(source, &mut aggregator, OnInvalid::Fail, |_| {})
        .and_then(|_| aggregator.finish())
        .unwrap_err();
    let pipeline = pipeline(QuantileMode::TieAware);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let engine = runtime
        .block_on(async {
            let ctx = session(&Engine::DataFusion { partitions: 2 })
                .await
                .unwrap();
            let table =
                register_transactions(&ctx, "tx", csv.to_str().unwrap(), &ColumnMapping::default())
                    .await
                    .unwrap();
            run(&ctx, &table, &pipeline, AS_OF).await
        })
        .unwrap_err();
    assert_eq!(engine.to_string(), core.to_string());
    assert!(core.to_string().contains("C1"), "{core}");
}
