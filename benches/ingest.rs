//! CSV bytes → validated transactions → profiles.
//!
//! `ingest/csv_1m_rows_100k_customers` reads the shared seeded data (support::csv, a
//! skewed customer mix) with the parallel batch reader (`ingest_csv` into an
//! `Aggregator`), `…_sequential` the same bytes record by record into a
//! `PopulationBuilder` (the live path). The `ingest_scale` group reads a transaction log in date order
//! with customers drawn uniformly, 10 rows per customer on average, so that nearly
//! every customer of the stated count appears: 100k customers (1M rows) always, 1M
//! customers (10M rows, 261 MB of CSV held in memory) only with `TIERING_BENCH_10M=1`.

use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use customer_tiering::PopulationBuilder;
use customer_tiering::aggregate::Aggregator;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use jiff::ToSpan;

mod support;

/// Reads `data` with the parallel batch reader into profiles; the number of customers.
fn ingest_bytes(data: &[u8]) -> usize {
    let source =
        CsvTransactions::from_reader("bench", data, &ColumnMapping::default()).expect("header");
    let mut aggregator = Aggregator::new(support::AS_OF);
    customer_tiering::source::ingest_csv(source, &mut aggregator, OnInvalid::Fail, |_| {})
        .expect("valid data");
    aggregator.finish().expect("no overflow").len()
}

/// Reads `data` record by record into a `PopulationBuilder`; the number of customers.
fn ingest_bytes_sequential(data: &[u8]) -> usize {
    let source =
        CsvTransactions::from_reader("bench", data, &ColumnMapping::default()).expect("header");
    let ingested = ingest(
        source,
        PopulationBuilder::new(support::AS_OF),
        OnInvalid::Fail,
        |_| {},
    )
    .expect("valid data");
    ingested.population.len()
}

fn ingest_csv(c: &mut Criterion) {
    let rows = 1_000_000;
    let data = support::csv(100_000, rows, 7);
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows));
    group.bench_function("csv_1m_rows_100k_customers", |b| {
        b.iter(|| black_box(ingest_bytes(data.as_bytes())))
    });
    group.bench_function("csv_1m_rows_100k_customers_sequential", |b| {
        b.iter(|| black_box(ingest_bytes_sequential(data.as_bytes())))
    });
    group.finish();
}

/// A transaction log of `rows` rows in date order over the two years up to
/// [`support::AS_OF`], `customer_id,date,amount`: ids `C` and seven digits drawn
/// uniformly from `customers`, amounts −2.00 to 197.99 with two decimals. The same
/// bytes for every run (splitmix64 seeded by `seed`); written straight to bytes, as
/// building 10M transactions first would hold gigabytes.
fn log_csv(customers: u64, rows: u64, seed: u64) -> Vec<u8> {
    let mut next = support::splitmix(seed);
    const DAYS: u64 = 730;
    let dates: Vec<String> = (0..DAYS as i64)
        .map(|d| {
            let date = support::AS_OF.checked_sub((DAYS as i64 - 1 - d).days());
            date.expect("in range").to_string()
        })
        .collect();
    let mut out = Vec::with_capacity(26 * rows as usize + 32);
    out.extend_from_slice(b"customer_id,date,amount\n");
    for row in 0..rows {
        let customer = next() % customers;
        let date = &dates[(row * DAYS / rows) as usize];
        let cents = (next() % 20_000) as i64 - 200;
        let sign = if cents < 0 { "-" } else { "" };
        let (units, hundredths) = (cents.abs() / 100, cents.abs() % 100);
        writeln!(out, "C{customer:07},{date},{sign}{units}.{hundredths:02}").expect("to a Vec");
    }
    out
}

fn ingest_scale(c: &mut Criterion) {
    let mut sizes = vec![(100_000, "100k_customers_1m_rows")];
    if std::env::var_os("TIERING_BENCH_10M").is_some_and(|v| v == "1") {
        sizes.push((1_000_000, "1m_customers_10m_rows"));
    }
    let mut group = c.benchmark_group("ingest_scale");
    group.sample_size(10);
    // An iteration takes from a second (1M rows) to tens (10M): ten samples of equal
    // iteration counts, one each when that is all the time allows, not criterion's
    // growing counts (1 + 2 + … + 10 = 55 iterations).
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(10));
    for (customers, name) in sizes {
        let rows = customers * 10;
        let data = log_csv(customers, rows, 7);
        group.throughput(Throughput::Elements(rows));
        group.bench_function(name, |b| b.iter(|| black_box(ingest_bytes(&data))));
    }
    group.finish();
}

criterion_group!(benches, ingest_csv, ingest_scale);
criterion_main!(benches);
