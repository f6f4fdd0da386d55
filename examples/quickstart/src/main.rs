//! Quick start: tiers for the bundled data set, no arguments needed.
//!
//! ```text
//! cargo run -p quickstart
//! ```
//!
//! Reads `tests/data/quickstart.csv` (300 customers, made by the seeded
//! `gen_quickstart_data` example), fits RFM, metals and ABC at 2026-06-30, prints the
//! customers per label of each classifier, the warnings `tier` would print (SPEC §14)
//! with what an empty score means, and two customers with their scores and why.

use std::process::ExitCode;

use customer_tiering::classify::Warning;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::jiff::civil::date;
use customer_tiering::report;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use customer_tiering::{Error, PipelineBuilder, PopulationBuilder};

/// The library's bundled data. This file is built both as the package
/// `examples/quickstart` (`cargo run -p quickstart`) and as the library's example
/// (`cargo run --release --example quickstart`): the data sits two levels up from the
/// one, in the other itself.
fn data() -> std::path::PathBuf {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let own = here.join("tests/data/quickstart.csv");
    match own.exists() {
        true => own,
        false => here.join("../../tests/data/quickstart.csv"),
    }
}

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
    let source = CsvTransactions::from_path(data(), &ColumnMapping::default())?;
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

    let rfm = RfmParams::default();
    let bins = rfm.get_bins();
    let pipeline = PipelineBuilder::new()
        .classifier(rfm)
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

    // The warnings `tier` prints, on stderr as it does (SPEC §14), from the same call.
    let warnings = report::warnings(&fitted, population);
    if !warnings.is_empty() {
        println!();
    }
    for warning in &warnings {
        eprintln!("{warning}");
    }
    explain_empty_scores(&warnings, bins);

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

/// What an `empty_score` warning means, in words, for a reader who has not met
/// tie-aware quantiles: an empty score looks like a bug until the rule is spelled out.
fn explain_empty_scores(warnings: &[Warning], bins: u8) {
    let ties: Vec<&Warning> = warnings
        .iter()
        .filter(|w| w.code == "empty_score" && w.figures["cause"] == "tie")
        .collect();
    if ties.is_empty() {
        return;
    }
    println!(
        "What an empty score means: r, f and m each rank a customer among the buyers,\n\
         score = 1 + {bins} x (buyers worse than them) / (all buyers), rounded down, so each\n\
         score from 1 to {bins} holds about 1/{bins} of the buyers. Customers with the same value\n\
         always get the same score (tie-aware scores), so a tie bigger than a score's share\n\
         can leave that score empty."
    );
    for warning in ties {
        let metric = match warning.classifier.as_str() {
            "r" => "recency (days since the last purchase)",
            "f" => "frequency (purchases)",
            "m" => "monetary (total spent)",
            other => other,
        };
        // The figures of a tie: the empty score, the shared value, how many share it.
        let figures = &warning.figures;
        let score = &figures["score"];
        println!(
            "Here {} customers have {metric} {}: being equal, they all get a score\n\
             below {score}, and the next value a score above it, so {} score {score} holds nobody.",
            figures["customers"],
            figures["value"].as_str().unwrap_or("?"),
            warning.classifier,
        );
    }
    println!(
        "Nothing is wrong: equal customers stay equal. `tier --quantiles equal-count`\n\
         (SQL NTILE) fills every score instead, by splitting equal customers by their id."
    );
}
