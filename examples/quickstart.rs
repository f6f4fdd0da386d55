//! Quick start: tiers for the bundled data set, no arguments needed.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```
//!
//! Reads `tests/data/quickstart.csv` (300 customers, made by the seeded
//! `gen_quickstart_data` example), fits RFM, metals and ABC at 2026-06-30, prints the
//! customers per label of each classifier, and two customers with their scores and why.

use std::process::ExitCode;

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use customer_tiering::{Error, PipelineBuilder, PopulationBuilder};
use jiff::civil::date;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/quickstart.csv");

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), Error> {
    let as_of = date(2026, 6, 30);
    let source = CsvTransactions::from_path(DATA, &ColumnMapping::default())?;
    let ingested = ingest(
        source,
        PopulationBuilder::new(as_of),
        OnInvalid::Fail,
        |_| {},
    )?;
    let population = &ingested.population;
    println!(
        "{} rows read, {} customers with purchases on or before {as_of}\n",
        ingested.summary.read,
        population.buyers().count()
    );

    let pipeline = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals())
        .classifier(ParetoParams::abc())
        .build()?;
    let (fitted, tiering) = pipeline.run(population)?;

    // Customers per label, best label first where the scheme has an order.
    let order = |column: &str, label: &str| -> usize {
        let ranked: &[&str] = match column {
            "metal" => &["platinum", "gold", "iron", "lead"],
            "abc" => &["a", "b", "c"],
            "r" | "f" | "m" => &["5", "4", "3", "2", "1"],
            _ => &[],
        };
        ranked
            .iter()
            .position(|l| *l == label)
            .unwrap_or(usize::MAX)
    };
    let counts = tiering.counts();
    for column in tiering.columns() {
        let mut labels: Vec<(&String, &u64)> = counts[column].iter().collect();
        labels.sort_by_key(|(label, n)| (order(column, label), u64::MAX - **n, label.as_str()));
        let cells: Vec<String> = labels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        println!("{column:>12}: {}", cells.join(", "));
    }

    // The best customer by monetary, and the one gone quiet the longest among repeat
    // buyers.
    let buyers: Vec<_> = population.buyers().collect();
    let best = buyers
        .iter()
        .max_by_key(|p| (p.monetary, std::cmp::Reverse(p.customer_id.clone())));
    let lapsed = buyers
        .iter()
        .filter(|p| p.frequency >= 2)
        .max_by_key(|p| (p.recency_days, std::cmp::Reverse(p.customer_id.clone())));
    for profile in best.into_iter().chain(lapsed) {
        let labels = fitted.classify(profile);
        let shown: Vec<String> = fitted
            .columns()
            .iter()
            .zip(&labels)
            .map(|(c, l)| format!("{c}={l}"))
            .collect();
        println!(
            "\n{}: monetary {}, frequency {}, recency {} days -> {}",
            profile.customer_id,
            customer_tiering::money::display(profile.monetary),
            profile.frequency,
            profile.recency_days.unwrap_or_default(),
            shown.join(" ")
        );
        for line in fitted.explain(profile) {
            println!("  {line}");
        }
    }
    Ok(())
}
