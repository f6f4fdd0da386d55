//! A learned grade: a decision tree learns how sales managers graded 240 accounts
//! A/B/C/D, then grades the quickstart customers, explaining each grade by its path.
//!
//! ```text
//! cargo run -p customer-tiering-apps --release --example learned_grade
//! ```
//!
//! Reads the graded accounts (`examples/apps/data/graded_accounts.csv`, made by the
//! seeded `gen_graded_accounts` example: a points rule plus 8 % judgement calls), fits
//! the tree with the default settings (depth ≤ 6, ≥ 4 accounts per leaf), prints it and
//! how many of the managers' grades it agrees with, saves it as JSON and reads it back,
//! then grades the root crate's quickstart customers (transactions and customers files,
//! 2026-06-30) — most of whom have no attributes, so the missing values decide — and
//! explains two of them.

use std::collections::BTreeMap;
use std::process::ExitCode;

use customer_tiering::PopulationBuilder;
use customer_tiering::source::customers::read_customers_path;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest_into};
use customer_tiering_apps::learned_grade::accounts::{self, AS_OF, FIXTURE};
use customer_tiering_apps::learned_grade::{GradeTree, TreeParams, fit, training_set};

const QUICKSTART: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/quickstart.csv"
);
const CUSTOMERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/quickstart_customers.csv"
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
    let graded = accounts::load(FIXTURE.as_ref())?;
    let params = TreeParams::default();
    let tree = fit(&params, &graded)?;
    println!(
        "learned from {} graded accounts: {} leaves, depth {}\n",
        tree.fit_size(),
        tree.root().leaves(),
        tree.root().depth()
    );
    print!("{}", tree.outline());

    let (profiles, grades) = training_set(&params, &graded)?;
    let agree = profiles
        .iter()
        .zip(&grades)
        .filter(|(p, g)| tree.classify(p) == params.get_labels()[**g])
        .count();
    println!(
        "\nagrees with {agree} of {} managers' grades ({:.1} %)",
        profiles.len(),
        100.0 * agree as f64 / profiles.len() as f64
    );

    let json = tree.to_json()?;
    let loaded = GradeTree::from_json("grade_tree.json", &json)?;
    println!(
        "saved as {} bytes of JSON; read back equal: {}\n",
        json.len(),
        loaded == tree
    );

    // Everyone else: the quickstart customers, with the few attributes its customers file has.
    let mut builder = PopulationBuilder::new(AS_OF);
    let orders = CsvTransactions::from_path(QUICKSTART, &ColumnMapping::default())?;
    ingest_into(orders, &mut builder, OnInvalid::Fail, |_| {})?;
    let (customers, _) = read_customers_path(CUSTOMERS, OnInvalid::Fail, |_| {})?;
    let population = builder.finish_with(customers.into_customers())?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for p in population.profiles() {
        *counts.entry(loaded.classify(p)).or_default() += 1;
    }
    let cells: Vec<String> = counts.iter().map(|(g, n)| format!("{g} {n}")).collect();
    println!(
        "quickstart customers at {AS_OF} ({}): {}",
        population.len(),
        cells.join(", ")
    );
    for id in ["C0001", "P0001"] {
        if let Some(p) = population.get(id) {
            println!("{id}: {}", loaded.explain(p));
        }
    }
    Ok(())
}
