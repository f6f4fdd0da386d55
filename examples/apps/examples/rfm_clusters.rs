//! RFM clusters as a classifier of its own: k-means on standardised recency, frequency
//! and monetary of the quickstart customers, in a pipeline, numbered by centre monetary
//! so that the numbers mean the same thing whatever the seed.
//!
//! ```text
//! cargo run -p customer-tiering-apps --release --example rfm_clusters
//! ```
//!
//! Reads the root crate's quickstart transactions at 2026-06-30, runs a pipeline of
//! `ClusterParams::default()` (kind `rfm_kmeans`, column `rfm_cluster`: 4 clusters, seed
//! 42) and prints each cluster's size and centre (in days, purchases and money) and the
//! customers per label (those who never bought have none). Runs it again with seed 7
//! and says how many customers the two seeds label alike. Saves the fitted pipeline as
//! JSON, loads it back through a registry that knows `rfm_kmeans`, and explains two
//! customers with the loaded pipeline.

use std::process::ExitCode;

use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use customer_tiering::{Error, FittedPipeline, PipelineBuilder, PopulationBuilder};
use customer_tiering_apps::rfm_clusters::{ClusterParams, RfmClusters};
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

fn run() -> Result<(), Error> {
    let source = CsvTransactions::from_path(QUICKSTART, &ColumnMapping::default())?;
    let builder = PopulationBuilder::new(date(2026, 6, 30));
    let population = ingest(source, builder, OnInvalid::Fail, |_| {})?.population;

    let params = ClusterParams::default();
    let column = params.get_column().to_string();
    let clusters =
        |params: &ClusterParams| PipelineBuilder::new().classifier(params.clone()).build();
    let (fitted, tiering) = clusters(&params)?.run(&population)?;
    let model: &RfmClusters = fitted
        .models()
        .iter()
        .find_map(|m| m.downcast_ref())
        .expect("the pipeline holds the clusters");
    println!(
        "{} buyers in {} clusters (1 = highest monetary centre):",
        fitted.fit_size(),
        params.get_k()
    );
    for (i, (size, [r, f, m])) in model.sizes().iter().zip(model.centres()).enumerate() {
        println!(
            "  cluster {}: {size:>3} customers, centre recency_days {r:.0}, frequency {f:.1}, monetary {m:.2}",
            i + 1
        );
    }
    let counts = tiering.counts();
    let cells: Vec<String> = counts[&column]
        .iter()
        .map(|(label, n)| format!("{label} {n}"))
        .collect();
    println!("{column}: {}", cells.join(", "));

    let (other, other_tiering) = clusters(&params.clone().seed(7))?.run(&population)?;
    let same = tiering
        .rows()
        .zip(other_tiering.rows())
        .filter(|(a, b)| a == b)
        .count();
    let other_model: &RfmClusters = other
        .models()
        .iter()
        .find_map(|m| m.downcast_ref())
        .expect("the pipeline holds the clusters");
    println!(
        "seed 7 labels {same} of {} customers as seed 42 does; same centroids: {}",
        population.len(),
        other_model.centroids() == model.centroids()
    );

    let json = fitted.to_json()?;
    let registry = customer_tiering_apps::registry();
    let loaded = FittedPipeline::from_json_with("model.json", &json, &registry)?;
    println!(
        "saved as {} bytes of JSON; loaded through a registry that knows rfm_kmeans: equal {}",
        json.len(),
        loaded == fitted
    );
    for id in ["C0001", "C0002"] {
        if let Some(p) = population.get(id) {
            for line in loaded.explain(p) {
                println!("{id}: {line}");
            }
        }
    }
    Ok(())
}
