//! `bench`: the whole `tier` job on one file, timed phase by phase, as one JSON line.
//!
//! ```text
//! cargo run --release --example bench -- --transactions FILE --as-of YYYY-MM-DD
//!     [--preset NAME]... [--out DIR]
//! ```
//!
//! Runs what `tier` runs without flags ([CLI
//! files](customer_tiering::definitions#cli-files-and-exit-codes)) through the public API —
//! read the CSV into profiles, fit and classify RFM + metals (plus any `--preset`), the
//! [warnings](customer_tiering::definitions#warnings), the summary figures
//! ([summary figures](customer_tiering::definitions#summary-figures)), `tiers.csv` — and
//! prints one line, here for `--transactions tests/data/quickstart.csv --as-of 2026-06-30`:
//!
//! ```text
//! {"ingest_ms":1.8,"fit_classify_ms":0.2,"warnings_ms":0.0,"summary_ms":0.1,"write_ms":3.5,"total_ms":5.6,"rows":2745,"customers":300,"rows_per_second":491874,"peak_memory_mib":4.3,"threads":2,"parallel":true}
//! ```
//!
//! - `*_ms`: wall milliseconds of each phase; `total_ms` from the start of ingest to the
//!   end of the write (argument parsing and process start-up excluded).
//! - `rows`: data rows read; `customers`: profiles after ingest; `rows_per_second`:
//!   `rows` over `total_ms`, the whole job's throughput (not ingest's alone).
//! - `peak_memory_mib`: the process's peak resident set (`VmHWM` of `/proc/self/status`)
//!   read at the end: Linux only, `null` elsewhere.
//! - `threads`: the size of rayon's global pool (`RAYON_NUM_THREADS`, else every core)
//!   with the `parallel` feature; 1 without it.
//!
//! `tiers.csv` goes to `DIR` when `--out` is given (committed through
//! `OutputDir`, as `tier` does), else to a directory of its own under the system's
//! temporary directory, removed afterwards. Charts, `model.json` and `summary.json` are
//! not written: their cost does not grow with the data. Errors go to stderr, exit 1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use customer_tiering::aggregate::Aggregator;
use customer_tiering::classify::Reads;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::segments::SegmentMap;
use customer_tiering::output::{OutputDir, write_tiers_csv};
use customer_tiering::presets::{self, Preset};
use customer_tiering::report::{self, Summary};
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest_csv};
use customer_tiering::{Error, PipelineBuilder, Population};
use jiff::civil::Date;
use serde::Serialize;

/// Time the whole tier job on a transactions file; print one JSON line.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Args {
    /// Transactions CSV (header customer_id,date,amount).
    #[arg(long, value_name = "FILE")]
    transactions: PathBuf,
    /// The as-of date of every metric.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Date,
    /// Add a preset classifier, segment map or rule set (repeatable), as `tier` does.
    #[arg(long = "preset", value_name = "NAME")]
    presets: Vec<String>,
    /// Where tiers.csv goes (default: a temporary directory, removed afterwards).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(line) => {
            println!(
                "{}",
                serde_json::to_string(&line).expect("numbers serialise")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// RFM (default segment map unless a preset picks another) and metals, then the
/// presets' classifiers and rule sets: `tier`'s pipeline for the same `--preset` flags.
fn pipeline(presets: &[String]) -> Result<PipelineBuilder, Box<dyn std::error::Error>> {
    let mut segment_map = SegmentMap::default();
    let mut more = Vec::new();
    let mut rules = Vec::new();
    for key in presets {
        match presets::preset(key)? {
            Preset::SegmentMap(map) => segment_map = map,
            // metals is always there, as in tier.
            Preset::Classifier(_) if key == "metals" => {}
            Preset::Classifier(params) => more.push(params),
            Preset::Rules(set) => rules.push(set),
            other => {
                return Err(format!("preset {key:?} ({other:?}) cannot be used here").into());
            }
        }
    }
    let builder = PipelineBuilder::new()
        .classifier(RfmParams::default().segment_map(Some(segment_map)))
        .classifier(ParetoParams::metals());
    let builder = more.into_iter().fold(builder, PipelineBuilder::classifier);
    Ok(rules.into_iter().fold(builder, PipelineBuilder::rules))
}

/// CSV file → profiles, computing only the metrics the pipeline reads; the data rows
/// read and the population.
fn ingest_file(path: &Path, as_of: Date, reads: &Reads) -> Result<(u64, Population), Error> {
    let source = CsvTransactions::from_path(path, &ColumnMapping::default())?;
    let mut aggregator = Aggregator::new(as_of).computing(&reads.metrics);
    let read = ingest_csv(source, &mut aggregator, OnInvalid::Fail, |_| {})?;
    Ok((read.read, aggregator.finish()?))
}

/// Wall milliseconds (to a tenth) since the last lap.
struct Laps(Instant);

impl Laps {
    fn lap(&mut self) -> f64 {
        let now = Instant::now();
        let ms = millis(now - self.0);
        self.0 = now;
        ms
    }
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e4).round() / 10.0
}

fn run(args: &Args) -> Result<Line, Box<dyn std::error::Error>> {
    let pipeline = pipeline(&args.presets)?.build()?;
    let (dir, temporary) = match &args.out {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("customer-tiering-bench-{}", std::process::id())),
            true,
        ),
    };
    let mut out = OutputDir::open(&dir)?;

    let start = Instant::now();
    let mut laps = Laps(start);
    let (rows, population) = ingest_file(&args.transactions, args.as_of, &pipeline.reads())?;
    let ingest_ms = laps.lap();
    let (fitted, tiering) = pipeline.run(&population)?;
    let fit_classify_ms = laps.lap();
    // Held to the end, as tier holds them, so that the peak counts them.
    let _warnings = report::warnings(&fitted, &population);
    let warnings_ms = laps.lap();
    let _summary = Summary::new(&population, &tiering)?;
    let summary_ms = laps.lap();
    let file = out.create("tiers.csv")?;
    write_tiers_csv("tiers.csv", &population, &tiering, file)?;
    out.commit_only(&["tiers.csv"])?;
    let write_ms = laps.lap();
    let total = start.elapsed();
    if temporary {
        // Best effort: a leftover temporary directory is no reason to fail the run.
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(Line {
        ingest_ms,
        fit_classify_ms,
        warnings_ms,
        summary_ms,
        write_ms,
        total_ms: millis(total),
        rows,
        customers: population.len(),
        rows_per_second: (rows as f64 / total.as_secs_f64().max(1e-9)).round() as u64,
        peak_memory_mib: peak_memory_mib(),
        threads: threads(),
        parallel: cfg!(feature = "parallel"),
    })
}

/// The JSON line, its fields in this order.
#[derive(Debug, Serialize)]
struct Line {
    ingest_ms: f64,
    fit_classify_ms: f64,
    warnings_ms: f64,
    summary_ms: f64,
    write_ms: f64,
    total_ms: f64,
    rows: u64,
    customers: usize,
    rows_per_second: u64,
    peak_memory_mib: Option<f64>,
    threads: usize,
    parallel: bool,
}

/// The peak resident set of this process so far in MiB (one decimal): `VmHWM` of
/// `/proc/self/status`, so Linux only; `None` where that file does not exist.
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}

/// The threads the library's parallel phases may use: rayon's global pool.
#[cfg(feature = "parallel")]
fn threads() -> usize {
    rayon::current_num_threads()
}

/// Without the `parallel` feature every phase runs on the calling thread.
#[cfg(not(feature = "parallel"))]
fn threads() -> usize {
    1
}
