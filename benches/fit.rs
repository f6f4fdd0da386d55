//! Fitting RFM and metals, and labelling the fit population.

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

criterion_group!(benches, fit, classify, every_scheme);
criterion_main!(benches);
