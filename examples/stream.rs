//! `stream`: replay new orders into a live tiering ([incremental
//! update](customer_tiering::definitions#incremental-update)).
//!
//! ```text
//! cargo run --release --example stream -- [--model FILE] [--state FILE] --transactions FILE
//!     --out DIR [--on-invalid fail|skip] [--columns customer_id=COL,date=COL,amount=COL]
//! ```
//!
//! Loads a saved pipeline (`model.json` of a `tier` run), builds every profile from the
//! transactions up to the model's as-of date, then replays the transactions dated after
//! it in date order: the as-of date moves to each new day (recency grows), each order
//! updates its customer's profile and labels at once, and every label change is
//! printed as it happens (`C0042 metal iron -> gold on 2026-07-02`). `DIR/tiers.csv`
//! holds the final state: identical to `tier --model FILE --transactions FILE --as-of
//! LAST_DATE`.
//!
//! With `--state FILE`, the live state is saved there at the end (a snapshot, written
//! atomically), and a later run starts from it when it exists: no history is read
//! again, only the transactions dated after the saved as-of date are replayed (those
//! on or before it are already in the state), and `--model` is not needed.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use customer_tiering::Registry;
use customer_tiering::incremental::TieringState;
use customer_tiering::output::{OutputDir, write_tiers_csv};
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, Source};
use customer_tiering::{Error, FittedPipeline, PopulationBuilder, Transaction};

/// Replay orders into a live tiering and print every label change.
#[derive(Debug, Parser)]
#[command(name = "stream", version)]
struct Args {
    /// A saved pipeline (model.json); not read when --state names a saved state.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// A saved live state: restored when the file exists, saved at the end.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Transactions CSV: the history up to the model's date and the orders after it.
    #[arg(long, value_name = "FILE")]
    transactions: PathBuf,
    /// Output directory for tiers.csv (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// What to do with a bad record.
    #[arg(long, default_value = "fail", value_name = "fail|skip")]
    on_invalid: OnInvalid,
    /// Column names, e.g. customer_id=CustomerID,date=InvoiceDate,amount=Amount.
    #[arg(long, value_name = "FIELD=COL,...")]
    columns: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Where a run starts: a saved state, or a model and the history up to its date.
enum Start {
    Saved(Box<TieringState>),
    Fresh(FittedPipeline),
}

fn run(args: &Args) -> Result<(), Error> {
    let start = match (&args.state, &args.model) {
        (Some(path), _) if path.exists() => Start::Saved(Box::new(
            TieringState::restore_from_path(path, &Registry::builtin())?,
        )),
        (_, Some(model)) => Start::Fresh(FittedPipeline::from_path(model)?),
        (state, None) => {
            return Err(Error::Io {
                path: state.clone().unwrap_or_default(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no saved state there: give --model to start one",
                ),
            });
        }
    };
    let from = match &start {
        Start::Saved(state) => state.as_of(),
        Start::Fresh(fitted) => fitted.as_of(),
    };
    let mapping = match &args.columns {
        Some(spec) => ColumnMapping::parse(spec)?,
        None => ColumnMapping::default(),
    };
    let mut source = CsvTransactions::from_path(&args.transactions, &mapping)?;
    // Locked before reading; tiers.csv is renamed into place only at the end, so a failed
    // or killed replay leaves an earlier tiers.csv whole (see `definitions`, output
    // safety).
    let mut dir = OutputDir::open(&args.out)?;
    let mut history = PopulationBuilder::new(from);
    let mut later: Vec<Transaction> = Vec::new();
    let (mut rejected, mut known) = (0u64, 0u64);
    while let Some(record) = source.next_record() {
        match record {
            Ok(tx) if tx.date > from => later.push(tx),
            // Counted in the saved state already.
            Ok(_) if matches!(start, Start::Saved(_)) => known += 1,
            Ok(tx) => {
                history.add(tx)?;
            }
            Err(Error::Reject(reject)) if args.on_invalid == OnInvalid::Skip => {
                rejected += 1;
                eprintln!("skipped: {reject}");
            }
            Err(e) => return Err(e),
        }
    }
    // Date order; orders of one day keep the file's order.
    later.sort_by_key(|tx| tx.date);
    let mut state = match start {
        Start::Saved(state) => *state,
        Start::Fresh(fitted) => TieringState::new(fitted, history)?,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let print = |out: &mut BufWriter<_>, changes: Vec<customer_tiering::incremental::Change>| {
        for change in changes {
            // A closed stdout (a pager quit) ends the printing, not the run.
            let _ = writeln!(out, "{change}");
        }
    };
    let replayed = later.len();
    for tx in later {
        let moved = state.advance_to(tx.date)?;
        print(&mut out, moved);
        let changed = state.add(tx)?;
        print(&mut out, changed);
    }
    let _ = out.flush();
    drop(out);
    let population = state.population()?;
    let tiering = state.tiering()?;
    write_tiers_csv("tiers.csv", &population, &tiering, dir.create("tiers.csv")?)?;
    // stream writes tiers.csv alone: it is its own index, and no other file is its own.
    dir.commit("tiers.csv", &["tiers.csv"])?;
    if let Some(path) = &args.state {
        state.snapshot_to_path(path)?;
    }
    let known = if known > 0 {
        format!("; {known} already in the saved state")
    } else {
        String::new()
    };
    eprintln!(
        "replayed {replayed} orders up to {}; {} customers; {rejected} rejected{known}",
        state.as_of(),
        state.len()
    );
    Ok(())
}
