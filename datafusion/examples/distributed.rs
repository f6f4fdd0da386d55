//! The `tier` job with the profile phase on Apache DataFusion: the same files, the same
//! bytes, from Parquet files or CSV in the default input format.
//!
//! ```text
//! cargo run --release -p customer-tiering-datafusion --example distributed -- \
//!     --transactions 'orders/*.parquet' --as-of 2026-06-30 --out tiers --partitions 4
//! ```
//!
//! Writes into `--out`, all or nothing (under a lock, through temporary files, as `tier`
//! does): `tiers.csv`, `summary.json`, `model.json`, `management.csv`, `report.html` and
//! the charts (`pyramid.svg`, `rfm_heatmap.svg`), and `rejects.csv` under
//! `--on-invalid skip`. Exit 0 on success, 1 for bad data or settings (one line on
//! stderr), 2 for a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use customer_tiering::classify::Warning;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::error::cut_reason;
use customer_tiering::format::ColumnMapping;
use customer_tiering::names::Lang;
use customer_tiering::output::OutputDir;
use customer_tiering::presets::{self, Preset};
use customer_tiering::report::{self, RunInputs, Summary, management_table, report_html};
use customer_tiering::source::OnInvalid;
use customer_tiering::{Pipeline, Reject};
use customer_tiering_datafusion::{
    Engine, Error, FitPlace, InputKind, LabelPlace, ProfileQuery, Profiles, fit, label_place,
    locate_rejects, profiles, register_transactions, session, tiers_plan, write_parquet,
    write_tiers_csv_sorted, write_tiers_parquet,
};
use jiff::civil::Date;
use serde_json::json;

// The job and the files are `tier`'s own: shared, not copied.
#[path = "../../examples/tier/job.rs"]
mod job;
// `tier`'s writers: the ones this job does not use stay unused.
#[allow(dead_code)]
#[path = "../../examples/tier/output.rs"]
mod output;

use job::base_job;
use output::{
    RejectsFile, finish_run, print_summary, summary_json, write_charts, write_file,
    write_management, write_tiers,
};

/// The customer-tiering job on DataFusion.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Transactions: a Parquet or CSV file, a directory, or a glob (`orders/*.parquet`);
    /// all files of one kind. CSV in the default input format (comma, double quote,
    /// header naming customer_id, date, amount).
    #[arg(long, value_name = "GLOB")]
    transactions: String,
    /// The as-of date of every metric.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Date,
    /// Output directory (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// DataFusion's target partitions (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    partitions: Option<u16>,
    /// Run on an in-process Ballista cluster (a scheduler and an executor on loopback
    /// only) instead of DataFusion alone.
    #[cfg(feature = "ballista")]
    #[arg(long, conflicts_with = "scheduler")]
    ballista_standalone: bool,
    /// Run on a running Ballista scheduler, `df://HOST:PORT`; its executors need this
    /// crate's functions (start them with the `executor` example).
    #[cfg(feature = "ballista")]
    #[arg(long, value_name = "df://HOST:PORT")]
    scheduler: Option<String>,
    /// With `--scheduler`: a directory this process and every executor see by the same
    /// path, where the executors keep the profiles for the fit and the labels to run on
    /// them (without it, both run in this process).
    #[cfg(feature = "ballista")]
    #[arg(long, value_name = "DIR", requires = "scheduler")]
    work_dir: Option<PathBuf>,
    /// How quantile scores treat ties.
    #[arg(
        long,
        default_value = "tie-aware",
        value_name = "tie-aware|equal-count"
    )]
    quantiles: QuantileMode,
    /// Number of quantile bins, 2..=10.
    #[arg(long, default_value_t = 5, value_name = "K", value_parser = clap::value_parser!(u8).range(2..=10))]
    bins: u8,
    /// Further classifier presets (`four-dimension`, `value-tiers` …), as `tier --preset`.
    #[arg(long = "preset", value_name = "NAME")]
    presets: Vec<String>,
    /// What to do with a bad row: stop at the first (`fail`) or set it aside (`skip`,
    /// listed in rejects.csv).
    #[arg(long, default_value = "fail", value_name = "fail|skip")]
    on_invalid: OnInvalid,
    /// The language of what people read (labels' names, report, management table).
    #[arg(long, default_value = "en", value_name = "en|zh-Hant|zh-Hans")]
    lang: Lang,
    /// Leave out the SVG charts.
    #[arg(long)]
    no_charts: bool,
    /// Leave out report.html.
    #[arg(long)]
    no_report: bool,
    /// Also write the accepted transactions as typed Parquet files into DIR (dates as
    /// Date32, money as Decimal128(38, s), s the column's largest scale), for later runs
    /// to read; a file with bad rows is not converted.
    #[arg(long, value_name = "DIR")]
    write_parquet: Option<String>,
    /// Also write the tiers as Parquet files into DIR, one or more per partition, written
    /// where the engine labels them (`customer_id`, the metrics, the exact `monetary` sum
    /// with its `monetary_scale`, one text column per label column). Only where the
    /// engine labels: with tie-aware quantiles, on DataFusion, Ballista standalone, or a
    /// Ballista cluster given `--work-dir`.
    #[arg(long, value_name = "DIR")]
    tiers_parquet: Option<PathBuf>,
    /// Print one JSON line of timings on stderr: wall milliseconds per phase (session,
    /// register, profiles, fit, classify, summary, tiers, write) and the peak resident memory after each.
    #[arg(long)]
    timings: bool,
    /// Print no summary table (warnings and errors are always printed).
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(job(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "error: {}",
                cut_reason(e.to_string().replace(['\r', '\n'], " "))
            );
            ExitCode::from(1)
        }
    }
}

/// The pipeline `tier` fits with the same flags.
fn pipeline(args: &Args, warnings: &mut Vec<Warning>) -> Result<Pipeline, Error> {
    let mut builder = base_job(args.bins, args.quantiles, None, warnings);
    for key in &args.presets {
        match presets::preset(key)? {
            Preset::Classifier(_) if key == "metals" => {}
            Preset::Classifier(params) => builder = builder.classifier(params),
            _ => {
                return Err(Error::NotAClassifier {
                    preset: key.clone(),
                });
            }
        }
    }
    Ok(builder.build()?)
}

async fn job(args: &Args) -> Result<(), Error> {
    let mut warnings = Vec::new();
    let pipeline = pipeline(args, &mut warnings)?;
    let mut out = OutputDir::open(&args.out)?;
    let outcome = write_job(args, &pipeline, warnings, &mut out).await;
    finish_run(out, outcome, args.on_invalid)
}

/// Wall time and peak memory, phase by phase.
struct Clock {
    start: std::time::Instant,
    last: std::time::Instant,
    phases: Vec<(&'static str, f64, Option<f64>)>,
    fitted_on: &'static str,
    labelled_on: &'static str,
}

impl Clock {
    fn start() -> Self {
        let now = std::time::Instant::now();
        Clock {
            start: now,
            last: now,
            phases: Vec::new(),
            fitted_on: "",
            labelled_on: "",
        }
    }

    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        let ms = (now - self.last).as_secs_f64() * 1000.0;
        self.phases
            .push((phase, (ms * 10.0).round() / 10.0, peak_memory_mib()));
        self.last = now;
    }

    fn json(&self, rows: u64, customers: usize, partitions: usize) -> serde_json::Value {
        let mut line = serde_json::Map::new();
        for (phase, ms, peak) in &self.phases {
            line.insert(format!("{phase}_ms"), json!(ms));
            line.insert(format!("{phase}_peak_mib"), json!(peak));
        }
        line.insert("fitted_on".into(), json!(self.fitted_on));
        line.insert("labelled_on".into(), json!(self.labelled_on));
        let total = self.start.elapsed().as_secs_f64() * 1000.0;
        line.insert("total_ms".into(), json!((total * 10.0).round() / 10.0));
        line.insert("rows".into(), json!(rows));
        line.insert("customers".into(), json!(customers));
        line.insert("partitions".into(), json!(partitions));
        serde_json::Value::Object(line)
    }
}

/// The peak resident set of this process so far in MiB: `VmHWM` of `/proc/self/status`
/// (Linux only; none elsewhere).
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

/// The engine the flags ask for.
fn engine(args: &Args, partitions: usize) -> Engine {
    #[cfg(feature = "ballista")]
    if args.ballista_standalone {
        return Engine::BallistaStandalone { partitions };
    } else if let Some(scheduler) = &args.scheduler {
        return Engine::Ballista {
            scheduler: scheduler.clone(),
            partitions,
            work_dir: args.work_dir.clone(),
        };
    }
    let _ = args;
    Engine::DataFusion { partitions }
}

async fn write_job(
    args: &Args,
    pipeline: &Pipeline,
    mut warnings: Vec<Warning>,
    out: &mut OutputDir,
) -> Result<Vec<u8>, Error> {
    let partitions = match args.partitions {
        Some(n) => usize::from(n),
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    let mut clock = Clock::start();
    let ctx = session(&engine(args, partitions)).await?;
    let labelled_on = label_place(&ctx, pipeline);
    if labelled_on == LabelPlace::Process && args.tiers_parquet.is_some() {
        return Err(Error::NotOnEngine {
            what: "--tiers-parquet",
        });
    }
    clock.lap("session");
    let mapping = ColumnMapping::default();
    let table = register_transactions(&ctx, "transactions", &args.transactions, &mapping).await?;
    if let Some(dir) = &args.write_parquet {
        write_parquet(&ctx, &table, dir).await?;
    }
    clock.lap("register");
    let query = ProfileQuery::new(args.as_of).computing(&pipeline.reads().metrics);
    let profiled = profiles(&ctx, &table, &query).await;
    clock.lap("profiles");
    // Rejects are named before anything else is said: under `fail` the first one is the
    // error, as `tier` reports it. The engine stops at a CSV record it cannot split (a
    // wrong number of fields); the core crate's reader then names that record too.
    let read = profiled.as_ref().map(|p| p.read).unwrap_or_default();
    let unsplit = matches!(&profiled, Err(Error::Engine(_))) && table.kind() == InputKind::Csv;
    if read.rejected > 0 || unsplit {
        match args.on_invalid {
            OnInvalid::Fail => {
                let mut first: Option<Reject> = None;
                locate_rejects(&table, |r| {
                    first = Some(r);
                    false
                })?;
                if let Some(first) = first {
                    return Err(customer_tiering::Error::Reject(Box::new(first)).into());
                }
            }
            OnInvalid::Skip => {
                let mut file = RejectsFile::new(out.create("rejects.csv")?)?;
                let mut failed = None;
                let found = locate_rejects(&table, |r| {
                    failed = file.write(&r).err();
                    failed.is_none()
                })?;
                file.finish()?;
                if let Some(e) = failed {
                    return Err(e.into());
                }
                if profiled.is_ok() && found != read.rejected {
                    return Err(Error::RejectCount {
                        input: args.transactions.clone(),
                        engine: read.rejected,
                        reader: found,
                    });
                }
            }
        }
    } else if args.on_invalid == OnInvalid::Skip {
        RejectsFile::new(out.create("rejects.csv")?)?.finish()?;
    }
    if args.on_invalid == OnInvalid::Skip {
        let rejects_path = out.path().join("rejects.csv").display().to_string();
        warnings.extend(report::rejected_rows(
            &args.transactions,
            &read,
            Some(&rejects_path),
        ));
    }
    for w in &warnings {
        eprintln!("warning: {}: {}", w.code, w.message_in(args.lang));
    }
    let said = warnings.len();
    let Profiles { population, read } = profiled?;
    if population.buyer_count() == 0 {
        return Err(customer_tiering::Error::EmptyPopulation { as_of: args.as_of }.into());
    }
    let (fitted, fitted_on) = fit(&ctx, &table, pipeline, &population).await?;
    clock.lap("fit");
    clock.fitted_on = match fitted_on {
        FitPlace::Engine => "engine",
        FitPlace::Process => "process",
    };
    // The summary figures and the reports are made here, from the labels of the
    // profiles collected: the core crate's, per label, over the whole population.
    let tiering = pipeline.label(&fitted, &population)?;
    clock.lap("classify");
    clock.labelled_on = match labelled_on {
        LabelPlace::Engine => "engine",
        LabelPlace::Process => "process",
    };
    warnings.extend(report::warnings(&fitted, &population));
    for w in &warnings[said..] {
        eprintln!("warning: {}: {}", w.code, w.message_in(args.lang));
    }
    let (fitted, population, tiering) = (&fitted, &population, &tiering);
    let summary = Summary::new(population, tiering)?;
    if !args.quiet {
        print_summary(fitted, &summary, args.lang);
    }
    let charts = match args.no_charts {
        true => Vec::new(),
        false => write_charts(out, fitted, &summary, tiering, args.lang)?,
    };
    clock.lap("summary");
    match labelled_on {
        LabelPlace::Engine => {
            // tiers.csv and the Parquet files are labelled where the engine runs.
            let tiers = tiers_plan(&ctx, fitted, args.as_of).await?;
            if let Some(dir) = &args.tiers_parquet {
                write_tiers_parquet(tiers.clone(), dir).await?;
            }
            let file = out.create("tiers.csv")?;
            write_tiers_csv_sorted(tiers, fitted, args.as_of, "tiers.csv", file).await?;
        }
        LabelPlace::Process => {
            write_tiers(out, "tiers.csv", population, tiering)?;
        }
    }
    clock.lap("tiers");
    write_file(out, "model.json", fitted.to_json()?.as_bytes())?;
    let management = management_table(fitted, &summary, None, args.lang)?;
    write_management(out, &management)?;
    if !args.no_report {
        let inputs = RunInputs {
            files: vec![("transactions".into(), args.transactions.clone())],
            as_of: args.as_of.to_string(),
            compare_as_of: None,
            settings: vec![
                ("bins (--bins)".into(), args.bins.to_string()),
                (
                    "quantiles (--quantiles)".into(),
                    args.quantiles.name().to_string(),
                ),
                ("partitions (--partitions)".into(), partitions.to_string()),
            ],
            read,
            customers_read: None,
        };
        let said: Vec<_> = warnings
            .iter()
            .map(|w| (w.clone(), w.message_in(args.lang)))
            .collect();
        let page = report_html(&inputs, &management, &said, &charts, &[], args.lang);
        write_file(out, "report.html", page.as_bytes())?;
    }
    let mut summary = summary_json(&read, population, fitted, &summary, &warnings);
    summary["management"] = json!(management);
    summary["files"] = json!(out.file_names("summary.json"));
    let mut bytes = serde_json::to_vec_pretty(&summary).expect("JSON values serialise");
    bytes.push(b'\n');
    clock.lap("write");
    if args.timings {
        eprintln!("{}", clock.json(read.read, population.len(), partitions));
    }
    Ok(bytes)
}
