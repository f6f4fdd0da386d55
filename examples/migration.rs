//! Quarter over quarter: who moved between metals and grades, and how much revenue
//! moved with them, on the bundled quickstart data.
//!
//! ```text
//! cargo run --release --example migration
//! ```
//!
//! Fits RFM, metals and the four-dimension grade at the end of Q1 (2026-03-31) and again at
//! the end of Q2 (2026-06-30) on the same history (relative tiers, [periodic
//! update](customer_tiering::definitions#periodic-update)), then prints, for `metal` and
//! `grade`, the migration matrix (rows: Q1, columns: Q2, `(none)` for customers in one
//! quarter only) and the revenue of the movers.

use std::collections::BTreeMap;
use std::process::ExitCode;

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::migration::{ABSENT, ColumnMigration, Period, migrate};
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest_periods};
use customer_tiering::{Error, PipelineBuilder, PopulationBuilder, money, presets};
use jiff::civil::date;
use rust_decimal::Decimal;

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
    let (q1, q2) = (date(2026, 3, 31), date(2026, 6, 30));
    let source = CsvTransactions::from_path(DATA, &ColumnMapping::default())?;
    let mut builders = [PopulationBuilder::new(q2), PopulationBuilder::new(q1)];
    ingest_periods(source, &mut builders, OnInvalid::Fail, |_| {})?;
    let [later, earlier] = builders;
    let (later, earlier) = (later.finish()?, earlier.finish()?);

    let pipeline = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals())
        .classifier(presets::classifier("four-dimension")?)
        .build()?;
    let (_, before) = pipeline.run(&earlier)?;
    let (fitted, after) = pipeline.run(&later)?;
    let orders: BTreeMap<String, Vec<String>> = fitted.label_orders();
    let migration = migrate(
        &Period::from_tiering(&earlier, &before),
        &Period::from_tiering(&later, &after),
        &orders,
    )?;
    println!(
        "Quarter over quarter: {} customers at {q1}, {} at {q2} (each quarter fitted on its own)\n",
        earlier.len(),
        later.len()
    );
    for column in ["metal", "grade"] {
        if let Some(m) = migration.iter().find(|m| m.column == column) {
            print_matrix(m, &orders[column]);
        }
    }
    Ok(())
}

fn print_matrix(m: &ColumnMigration, order: &[String]) {
    let mut labels: Vec<&str> = order.iter().map(String::as_str).collect();
    labels.push(ABSENT);
    println!("{}: rows Q1, columns Q2", m.column);
    print!("{:>10}", "");
    for to in &labels {
        print!("{to:>10}");
    }
    println!();
    for from in &labels {
        print!("{from:>10}");
        for to in &labels {
            let n = m
                .cells
                .get(&(from.to_string(), to.to_string()))
                .map_or(0, |c| c.customers);
            print!("{n:>10}");
        }
        println!();
    }
    // Sums of money are checked: `+` on decimals panics past their range.
    let moved = |up: bool| -> Option<(u64, Decimal, Decimal)> {
        m.cells
            .iter()
            .filter(|((from, to), _)| {
                let rank = |l: &str| order.iter().position(|o| o == l);
                matches!((rank(from), rank(to)), (Some(a), Some(b)) if if up { b < a } else { b > a })
            })
            .try_fold((0, Decimal::ZERO, Decimal::ZERO), |(n, before, after), (_, c)| {
                Some((
                    n + c.customers,
                    money::checked_add(before, c.monetary_before)?,
                    money::checked_add(after, c.monetary_after)?,
                ))
            })
    };
    for (name, up) in [("up", true), ("down", false)] {
        match moved(up) {
            Some((n, before, after)) => println!(
                "  moved {name}: {n} customers, revenue {} in Q1 -> {} in Q2",
                money::display(before),
                money::display(after)
            ),
            None => println!("  moved {name}: the revenue moved leaves the decimal range"),
        }
    }
    println!("  new: {}, gone: {}\n", m.new.len(), m.gone.len());
}
