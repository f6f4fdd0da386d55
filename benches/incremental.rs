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
    // BENCH_CUSTOMERS (default 1 000 000) customers with three orders each over two years.
    let customers: u64 = std::env::var("BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut history = PopulationBuilder::new(support::AS_OF);
    for c in 0..customers {
        let id = CustomerId::new(&format!("C{c:08}")).expect("valid id");
        for k in 0..3u64 {
            let days = ((c * 7 + k * 241) % 730) as i64;
            let date = support::AS_OF
                .checked_sub(jiff::ToSpan::days(days))
                .expect("in range");
            let cents = ((c * 37 + k * 1009) % 20_000) as i64;
            history
                .add(Transaction::new(id.clone(), date, Decimal::new(cents, 2)))
                .expect("no overflow");
        }
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
