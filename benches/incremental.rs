//! One incremental update of a live tiering (SPEC §13): a new order re-profiles and
//! re-classifies its customer with the current model.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::incremental::TieringState;
use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
use rust_decimal::Decimal;

mod support;

fn incremental(c: &mut Criterion) {
    let customers = 1_000_000u64;
    let rows = support::transactions(customers, 3_000_000, 11);
    let mut history = PopulationBuilder::new(support::AS_OF);
    for tx in rows {
        history.add(tx).expect("no overflow");
    }
    let population = history.clone().finish().expect("no overflow");
    let fitted = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals())
        .build()
        .expect("valid settings")
        .fit(&population)
        .expect("fits");
    let mut state = TieringState::new(fitted, history).expect("state");
    let ids: Vec<CustomerId> = population
        .profiles()
        .iter()
        .map(|p| p.customer_id.clone())
        .collect();
    let mut next = 0usize;
    let mut group = c.benchmark_group("incremental");
    group.bench_function(format!("add_one_order_{}_customers", state.len()), |b| {
        b.iter_batched(
            || {
                next = (next + 7919) % ids.len();
                Transaction::new(ids[next].clone(), support::AS_OF, Decimal::new(1999, 2))
            },
            |tx| black_box(state.add(tx).expect("adds").len()),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, incremental);
criterion_main!(benches);
