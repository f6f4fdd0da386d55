//! A live tiering ([incremental update](customer_tiering::definitions#incremental-update)):
//! one incremental update (a new order re-profiles and re-classifies its customer with the
//! current model), and saving the state as a snapshot and restoring it.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use customer_tiering::Registry;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::incremental::TieringState;
use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
use rust_decimal::Decimal;

mod support;

/// A state of `customers` customers with three orders each over two years, RFM and
/// metals fitted on them (five label columns); and their ids, sorted.
fn live_state(customers: u64) -> (TieringState, Vec<CustomerId>) {
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
    let ids = population
        .profiles()
        .iter()
        .map(|p| p.customer_id.clone())
        .collect();
    (TieringState::new(fitted, history).expect("state"), ids)
}

fn incremental(c: &mut Criterion) {
    // BENCH_CUSTOMERS (default 1 000 000) customers.
    let customers: u64 = std::env::var("BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let (mut state, ids) = live_state(customers);
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

fn snapshot(c: &mut Criterion) {
    let (state, _) = live_state(100_000);
    let mut saved = Vec::new();
    state.snapshot("bench", &mut saved).expect("writes");
    eprintln!(
        "snapshot of {} customers ({} columns): {} bytes, {:.1} bytes per customer",
        state.len(),
        state.columns().len(),
        saved.len(),
        saved.len() as f64 / state.len() as f64
    );
    let registry = Registry::builtin();
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(saved.len() as u64));
    let mut out = Vec::with_capacity(saved.len());
    group.bench_function(format!("snapshot_{}_customers", state.len()), |b| {
        b.iter(|| {
            out.clear();
            state.snapshot("bench", &mut out).expect("writes");
            black_box(out.len())
        })
    });
    group.bench_function(format!("restore_{}_customers", state.len()), |b| {
        b.iter(|| {
            let restored =
                TieringState::restore("bench", saved.as_slice(), &registry).expect("restores");
            black_box(restored.len())
        })
    });
    group.finish();
}

criterion_group!(benches, incremental, snapshot);
criterion_main!(benches);
