//! RFM clusters: k-means on standardised recency, frequency and monetary of the
//! quickstart customers, numbered by centre monetary so that the numbers mean the same
//! thing whatever the seed.
//!
//! ```text
//! cargo run -p customer-tiering-apps --release --example rfm_clusters
//! ```
//!
//! Reads the root crate's quickstart transactions at 2026-06-30, fits 4 clusters with
//! seed 42 and again with seed 7, prints each cluster's size and centre (in days,
//! purchases and money), how many customers the two seeds label alike, and explains two
//! customers.

use std::process::ExitCode;

use customer_tiering::PopulationBuilder;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use customer_tiering_apps::rfm_clusters::{ClusterParams, RfmClusters, fit};
use jiff::civil::date;

const QUICKSTART: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/quickstart.csv"
);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), customer_tiering::Error> {
    let source = CsvTransactions::from_path(QUICKSTART, &ColumnMapping::default())?;
    let builder = PopulationBuilder::new(date(2026, 6, 30));
    let population = ingest(source, builder, OnInvalid::Fail, |_| {})?.population;

    let params = ClusterParams::default();
    let clusters = fit(&params, &population)?;
    println!(
        "{} buyers in {} clusters (1 = highest monetary centre):",
        clusters.fit_size(),
        params.get_k()
    );
    for (i, (size, [r, f, m])) in clusters.sizes().iter().zip(clusters.centres()).enumerate() {
        println!(
            "  cluster {}: {size:>3} customers, centre recency_days {r:.0}, frequency {f:.1}, monetary {m:.2}",
            i + 1
        );
    }

    let other = fit(&params.clone().seed(7), &population)?;
    let same = population
        .profiles()
        .iter()
        .filter(|p| clusters.classify(p) == other.classify(p))
        .count();
    println!(
        "seed 7 labels {same} of {} customers as seed 42 does; same centroids: {}",
        population.len(),
        other.centroids() == clusters.centroids()
    );

    let loaded = RfmClusters::from_json("clusters.json", &clusters.to_json()?)?;
    for id in ["C0001", "C0002"] {
        if let Some(a) = population.get(id).and_then(|p| loaded.explain(p)) {
            println!("{id}: {a}");
        }
    }
    Ok(())
}
