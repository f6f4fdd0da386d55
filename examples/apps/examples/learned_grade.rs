//! A learned grade as a classifier of its own: a decision tree learns how sales managers
//! graded 240 accounts A/B/C/D, and runs in a pipeline beside Pareto metals and a rule
//! set that reads its column.
//!
//! ```text
//! cargo run -p customer-tiering-apps --release --example learned_grade
//! ```
//!
//! Reads the graded accounts (`examples/apps/data/graded_accounts.csv`, made by the
//! seeded `gen_graded_accounts` example: a points rule plus 8 % judgement calls, as of
//! 2026-06-30) and the rule set `examples/apps/data/service_tiers.toml`
//! (`learned_grade == "A" and metal != "lead"` → `key_account`, …). Builds a pipeline of
//! `ParetoParams::metals()`, `TreeParams::default()` (kind `learned_grade`) and the rule
//! set, runs it on the accounts, and prints the tree, how many of the managers' grades
//! it agrees with, the customers per label of each column and the explanation of one
//! key account. Saves the fitted pipeline as `model.json` (in a directory of its own
//! under the temp directory, removed at the end), loads it back through a registry that
//! knows `learned_grade`, shows that `Registry::builtin()` alone refuses it naming the
//! kind, and labels the root crate's quickstart customers with the loaded pipeline —
//! most of them lack the attributes the tree learned from: each goes where the graded
//! accounts without the value went (a customer lacking a value at a decision that no
//! graded account lacked would get `Unscored::Other`; here none does) — and explains the
//! grade of a prospect who never bought.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::{Label, Model};
use customer_tiering::source::customers::read_customers_path;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest_into};
use customer_tiering::{
    Error, FittedPipeline, PipelineBuilder, PopulationBuilder, Registry, RuleSet, Tiering,
};
use customer_tiering_apps::learned_grade::accounts::{self, AS_OF, FIXTURE};
use customer_tiering_apps::learned_grade::{GradeTree, TreeParams, training_set};

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/service_tiers.toml");
const QUICKSTART: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/quickstart.csv"
);
const CUSTOMERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/quickstart_customers.csv"
);

fn main() -> ExitCode {
    let dir = std::env::temp_dir().join(format!("customer-tiering-learned-{}", std::process::id()));
    let result = std::fs::create_dir_all(&dir)
        .map_err(|source| Error::Io {
            path: dir.clone(),
            source,
        })
        .and_then(|()| run(&dir.join("model.json")));
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(model_path: &Path) -> Result<(), Error> {
    let graded = accounts::load(FIXTURE.as_ref())?;
    let params = TreeParams::default();
    let pipeline = PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .classifier(params.clone())
        .rules(RuleSet::from_path(RULES)?)
        .build()?;
    println!("pipeline columns: {}", pipeline.columns().join(", "));
    let (fitted, tiering) = pipeline.run(&graded)?;

    let tree: &GradeTree = fitted
        .models()
        .iter()
        .find_map(|m| m.downcast_ref())
        .expect("the pipeline holds the learned grade");
    println!(
        "\nlearned from {} graded accounts: {} leaves, depth {}",
        tree.fit_size(),
        tree.root().leaves(),
        tree.root().depth()
    );
    print!("{}", tree.outline());
    let (profiles, grades) = training_set(&params, &graded)?;
    let agree = profiles
        .iter()
        .zip(&grades)
        .filter(|(p, g)| tree.label(p) == Label::Name(params.get_labels()[**g].as_str().into()))
        .count();
    println!(
        "agrees with {agree} of {} managers' grades ({:.1} %)\n",
        profiles.len(),
        100.0 * agree as f64 / profiles.len() as f64
    );

    print_counts(&format!("graded accounts ({})", graded.len()), &tiering);
    let key = tiering
        .rows()
        .find(|(_, labels)| labels.iter().any(|l| l.as_cell() == "key_account"))
        .map(|(id, _)| id.as_str().to_string());
    if let Some(id) = key.and_then(|id| graded.get(&id)) {
        println!("\nwhy {} is a key account:", id.customer_id);
        for line in fitted.explain(id) {
            println!("  {line}");
        }
    }

    let json = fitted.to_json()?;
    std::fs::write(model_path, &json).map_err(|source| Error::Io {
        path: model_path.to_path_buf(),
        source,
    })?;
    // There is no `FittedPipeline::from_path_with`: read the file, then load the text.
    let text = std::fs::read_to_string(model_path).map_err(|source| Error::Io {
        path: model_path.to_path_buf(),
        source,
    })?;
    let registry = customer_tiering_apps::registry();
    let loaded = FittedPipeline::from_json_with("model.json", &text, &registry)?;
    println!(
        "\nsaved model.json ({} bytes); loaded through a registry that knows learned_grade: equal {}",
        json.len(),
        loaded == fitted
    );
    match FittedPipeline::from_json_with("model.json", &text, &Registry::builtin()) {
        Ok(_) => println!("Registry::builtin() alone loaded it (unexpected)"),
        Err(e) => println!("Registry::builtin() alone: {e}"),
    }

    // New customers: the quickstart's, with the few attributes its customers file has.
    let mut builder = PopulationBuilder::new(AS_OF);
    let orders = CsvTransactions::from_path(QUICKSTART, &ColumnMapping::default())?;
    ingest_into(orders, &mut builder, OnInvalid::Fail, |_| {})?;
    let (customers, _) = read_customers_path(CUSTOMERS, OnInvalid::Fail, |_| {})?;
    let population = builder.finish_with(customers.into_customers())?;
    let labelled = loaded.classify_all(&population);
    println!();
    print_counts(
        &format!("quickstart customers at {AS_OF} ({})", population.len()),
        &labelled,
    );
    // A customer lacking a value where no graded account lacked it would be unscored;
    // on these customers, graded accounts without the value always went before.
    let column = params.get_column();
    let unscored = labelled
        .rows()
        .filter(|(id, _)| {
            labelled
                .label(id.as_str(), column)
                .is_some_and(|l| !l.is_scored())
        })
        .count();
    println!("without a learned grade: {unscored}");
    if let Some(prospect) = population.get("P0001") {
        let why = loaded.explain(prospect);
        if let Some(line) = why.iter().find(|e| e.column() == column) {
            println!("P0001 (never bought): {line}");
        }
    }
    Ok(())
}

/// Customers per label of each column, most first.
fn print_counts(title: &str, tiering: &Tiering) {
    println!("{title}:");
    let counts: BTreeMap<String, BTreeMap<String, u64>> = tiering.counts();
    // Every label column (`tags` is not one).
    for (column, labels) in tiering
        .columns()
        .iter()
        .filter_map(|c| Some((c, counts.get(c)?)))
    {
        let mut labels: Vec<(&String, &u64)> = labels.iter().collect();
        labels.sort_by_key(|(label, n)| (u64::MAX - **n, label.as_str()));
        let cells: Vec<String> = labels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        println!("  {column:>13}: {}", cells.join(", "));
    }
}
