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
