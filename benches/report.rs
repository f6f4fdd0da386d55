//! The per-customer report phases of a run: warnings
//! ([warnings](customer_tiering::definitions#warnings)), summary figures ([summary
//! figures](customer_tiering::definitions#summary-figures)) and `tiers.csv` / `tiers.jsonl`
//! ([CLI files](customer_tiering::definitions#cli-files-and-exit-codes)), at 100k customers
//! and, with `REPORT_BENCH_1M=1`, at 1M.
//!
//! Profiles are generated directly (`support::profiles`, seeded, the same for every run) rather than
//! aggregated from transactions, so that setting up 1M customers takes seconds.
//!
//! ```text
//! cargo bench --bench report
//! REPORT_BENCH_1M=1 cargo bench --bench report
//! ```

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::output::{write_tiers_csv, write_tiers_jsonl};
use customer_tiering::report::{Summary, warnings};
use customer_tiering::{FittedPipeline, PipelineBuilder, Population, Tiering};

mod support;

/// The `tier` job's default classifiers (tie-aware RFM with its segment map, metals),
/// fitted and run.
fn run(population: &Population) -> (FittedPipeline, Tiering) {
    PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals())
        .build()
        .expect("valid settings")
        .run(population)
        .expect("fits")
}

fn sizes() -> Vec<u64> {
    let mut sizes = vec![100_000];
    if std::env::var_os("REPORT_BENCH_1M").is_some() {
        sizes.push(1_000_000);
    }
    sizes
}

fn report(c: &mut Criterion) {
    for customers in sizes() {
        let population = support::profiles(customers, 13);
        let (fitted, tiering) = run(&population);
        let mut group = c.benchmark_group(format!("report_{}k", customers / 1000));
        group.sample_size(10);
        group.throughput(Throughput::Elements(customers));
        group.bench_function("warnings", |b| {
            b.iter(|| black_box(warnings(&fitted, &population).len()))
        });
        group.bench_function("summary", |b| {
            b.iter(|| black_box(Summary::new(&population, &tiering).expect("no overflow")))
        });
        group.bench_function("warnings_and_summary", |b| {
            b.iter(|| {
                let found = warnings(&fitted, &population);
                let summary = Summary::new(&population, &tiering).expect("no overflow");
                black_box((found.len(), summary.labels.len()))
            })
        });
        let mut out: Vec<u8> = Vec::new();
        group.bench_function("tiers_csv", |b| {
            b.iter(|| {
                out.clear();
                write_tiers_csv("tiers.csv", &population, &tiering, &mut out).expect("in memory");
                black_box(out.len())
            })
        });
        group.bench_function("tiers_jsonl", |b| {
            b.iter(|| {
                out.clear();
                write_tiers_jsonl("tiers.jsonl", &population, &tiering, &mut out)
                    .expect("in memory");
                black_box(out.len())
            })
        });
        group.finish();
    }
}

criterion_group!(benches, report);
criterion_main!(benches);
