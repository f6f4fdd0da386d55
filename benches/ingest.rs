//! CSV bytes → validated transactions → profiles.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use customer_tiering::PopulationBuilder;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};

mod support;

fn ingest_csv(c: &mut Criterion) {
    let rows = 1_000_000;
    let data = support::csv(100_000, rows, 7);
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows));
    group.bench_function("csv_1m_rows_100k_customers", |b| {
        b.iter(|| {
            let source =
                CsvTransactions::from_reader("bench", data.as_bytes(), &ColumnMapping::default())
                    .expect("header");
            let ingested = ingest(
                source,
                PopulationBuilder::new(support::AS_OF),
                OnInvalid::Fail,
                |_| {},
            )
            .expect("valid data");
            black_box(ingested.population.len())
        })
    });
    group.finish();
}

criterion_group!(benches, ingest_csv);
criterion_main!(benches);
