//! Fitting RFM and metals, and labelling the fit population.
//!
//! `cargo bench --bench fit -- --quick --noplot phases` runs the phase benches at 100k
//! customers; `BENCH_1M=1` adds 1M (and `BENCH_10M=1` 10M) in-memory profiles.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::rules::RuleSet;
use customer_tiering::{PipelineBuilder, presets};

mod support;

fn fit(c: &mut Criterion) {
    let population = support::population(100_000, 1_000_000, 7);
    let n = population.len() as u64;
    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));
    for mode in [QuantileMode::TieAware, QuantileMode::EqualCount] {
        let pipeline = PipelineBuilder::new()
            .classifier(RfmParams::default().mode(mode))
            .classifier(ParetoParams::metals())
            .build()
            .expect("valid settings");
        group.bench_function(format!("rfm_metals_run_{}", mode.name()), |b| {
            b.iter(|| black_box(pipeline.run(&population).expect("fits").1.len()))
        });
    }
    group.finish();
}

fn classify(c: &mut Criterion) {
    let population = support::population(100_000, 1_000_000, 7);
    let pipeline = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals())
        .build()
        .expect("valid settings");
    let fitted = pipeline.fit(&population).expect("fits");
    let profile = &population.profiles()[population.len() / 2];
    c.bench_function("classify_one_profile", |b| {
        b.iter(|| black_box(fitted.classify(black_box(profile))))
    });
    // Each built-in alone, through the same door an application's classifier takes.
    let mut group = c.benchmark_group("classify_one");
    for key in [
        "metals",
        "abc",
        "four-dimension",
        "four-levels",
        "value-tiers",
        "lifecycle",
    ] {
        let pipeline = PipelineBuilder::new()
            .classifier(presets::classifier(key).expect("preset"))
            .build()
            .expect("valid settings");
        let fitted = pipeline.fit(&population).expect("fits");
        let mut out = Vec::new();
        group.bench_function(key, |b| {
            b.iter(|| {
                out.clear();
                fitted.classify_into(black_box(profile), &mut out);
                black_box(out.len())
            })
        });
    }
    let rfm = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .build()
        .expect("valid settings")
        .fit(&population)
        .expect("fits");
    let mut out = Vec::new();
    group.bench_function("rfm", |b| {
        b.iter(|| {
            out.clear();
            rfm.classify_into(black_box(profile), &mut out);
            black_box(out.len())
        })
    });
    group.finish();
}

fn every_scheme(c: &mut Criterion) {
    let population = support::population(100_000, 1_000_000, 7);
    let rules = RuleSet::from_toml_str(
        "credit-cap.toml",
        include_str!("../examples/rules/credit-cap.toml"),
    )
    .expect("example rules load");
    let mut builder = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals());
    for key in ["four-dimension", "value-tiers", "lifecycle"] {
        builder = builder.classifier(presets::classifier(key).expect("preset"));
    }
    let pipeline = builder.rules(rules).build().expect("valid pipeline");
    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.throughput(Throughput::Elements(population.len() as u64));
    group.bench_function("every_scheme_and_rules_run", |b| {
        b.iter(|| black_box(pipeline.run(&population).expect("fits").1.len()))
    });
    group.finish();
}

/// Population sizes of the phase benches: 100k always; 1M with `BENCH_1M=1` and 10M
/// with `BENCH_10M=1` (building the profiles alone takes seconds there).
fn phase_sizes() -> Vec<u64> {
    let on = |name: &str| std::env::var(name).is_ok_and(|v| v == "1");
    let mut sizes = vec![100_000];
    if on("BENCH_1M") {
        sizes.push(1_000_000);
    }
    if on("BENCH_10M") {
        sizes.push(10_000_000);
    }
    sizes
}

/// Fit and classify RFM + metals + the four-dimension grade on in-memory profiles
/// (issue 13's phase target), each phase on its own: `fit` (cut points and thresholds),
/// `classify_all` (labels of every customer with fitted models) and `run` (both, as
/// the `tier` CLI calls them).
fn phases(c: &mut Criterion) {
    let pipeline = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals())
        .classifier(presets::classifier("four-dimension").expect("preset"))
        .build()
        .expect("valid settings");
    for customers in phase_sizes() {
        let population = support::profiles(customers, 11);
        let fitted = pipeline.fit(&population).expect("fits");
        let mut group = c.benchmark_group(format!("phases_{}k", customers / 1000));
        group.sample_size(10);
        group.throughput(Throughput::Elements(customers));
        group.bench_function("fit", |b| {
            b.iter(|| black_box(pipeline.fit(&population).expect("fits").fit_size()))
        });
        group.bench_function("classify_all", |b| {
            b.iter(|| black_box(fitted.classify_all(&population).len()))
        });
        group.bench_function("run", |b| {
            b.iter(|| black_box(pipeline.run(&population).expect("fits").1.len()))
        });
        group.finish();
    }
}

criterion_group!(benches, fit, classify, every_scheme, phases);
criterion_main!(benches);
