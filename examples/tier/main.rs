//! `tier`: transactions CSV in, tiers out ([CLI
//! files](customer_tiering::definitions#cli-files-and-exit-codes)).
//!
//! ```text
//! cargo run --release --example tier -- --transactions FILE --as-of YYYY-MM-DD --out DIR
//!     [--quantiles tie-aware|equal-count] [--bins K] [--on-invalid fail|skip]
//!     [--columns customer_id=COL,date=COL,amount=COL]
//!     [--input-profile FILE] [--delimiter C] [--quote C] [--decimal-separator .|,]
//!     [--thousands-separator none|,|.|space|'] [--date-format PATTERN]
//!     [--encoding utf-8|utf-16|gbk|gb18030|big5|windows-1252] [--currency-symbol TEXT]
//!     [--sheet NAME|N]
//!     [--customers FILE] [--preset NAME]... [--rules FILE] [--explain CUSTOMER_ID]
//!     [--lang en|zh-Hant|zh-Hans] [--xlsx]
//! ```
//!
//! Writes `DIR/tiers.csv`, `DIR/summary.json`, `DIR/model.json`, with
//! `--on-invalid skip` `DIR/rejects.csv`, and with `--xlsx` `DIR/tiers.xlsx`. `--preset` adds a classifier column
//! (`four-dimension` → `grade`, `four-levels` → `level`, `abc`, `lifecycle`) or picks the
//! RFM segment map (`rfm-rsquaredacademy`, `rfm-pymc`). Exit codes: 0 success (warnings allowed), 1 bad
//! data or configuration (one line on stderr), 2 a usage error.
//!
//! Every setting is checked before the first data row is read ([output
//! safety](customer_tiering::definitions#output-safety)): flags and their combinations
//! (exit 2), then presets, rule sets, segment maps, the column mapping, a saved model, a
//! previous run's `tiers.csv` and the input headers (exit 1). Only then is `DIR` locked and
//! the data read; every file is written under a temporary name and renamed into place when
//! the whole run has succeeded, `summary.json` last, and files of an earlier run that this
//! one did not write are removed ([`OutputDir`](customer_tiering::output::OutputDir)).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use customer_tiering::aggregate::Aggregator;
use customer_tiering::attributes::AttrType;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::{ColumnLabels, Warning};
use customer_tiering::error::cut_reason;
use customer_tiering::format::{InputFormat, InputProfile};
use customer_tiering::hysteresis::Hysteresis;
use customer_tiering::migration::{ABSENT, ColumnMigration, Period, migrate};
use customer_tiering::names::Lang;
use customer_tiering::output::OutputDir;
use customer_tiering::presets::Preset;
use customer_tiering::report::{
    self, Comparison, RunInputs, Summary, management_table, report_html,
};
use customer_tiering::rules::RuleSet;
use customer_tiering::source::customers::{CsvCustomers, ingest_customers};
#[cfg(feature = "workbooks")]
use customer_tiering::source::ingest_aggregator;
#[cfg(feature = "workbooks")]
use customer_tiering::source::workbook::{WorkbookCustomers, WorkbookTransactions};
use customer_tiering::source::{
    ColumnMapping, CsvTransactions, OnInvalid, ReadSummary, Source, ingest_csv,
};
use customer_tiering::{
    ConfigError, CustomerId, Error, FittedPipeline, Pipeline, PipelineBuilder, Reject, presets,
};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::json;

mod job;
mod output;

use job::base_job;
use output::{
    RejectsFile, XLSX_REJECTS, XlsxParts, finish_run, print_summary, summary_json, write_charts,
    write_file, write_management, write_migration, write_migration_chart, write_tiers, write_xlsx,
};

/// Sort customers into RFM scores, segments and metal tiers.
#[derive(Debug, Parser)]
#[command(name = "tier", version)]
struct Args {
    /// Transactions: a CSV file, or a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods; see
    /// --sheet), with a header naming customer_id, date, amount (see --columns).
    #[arg(long, value_name = "FILE")]
    transactions: PathBuf,
    /// The as-of date of every metric (with --model, defaults to the model's own).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of, required_unless_present = "model")]
    as_of: Option<Date>,
    /// Classify with a saved pipeline (a model.json of an earlier run) instead of
    /// fitting one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["presets", "rules", "bins", "quantiles"])]
    model: Option<PathBuf>,
    /// Output directory (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
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
    /// What to do with a bad record.
    #[arg(long, default_value = "fail", value_name = "fail|skip")]
    on_invalid: OnInvalid,
    /// Column names, e.g. customer_id=CustomerID,date=InvoiceDate,amount=Amount.
    #[arg(long, value_name = "FIELD=COL,...")]
    columns: Option<String>,
    /// An input profile (TOML) declaring how the input files are written: the keys
    /// below, a [columns] table and a [customers] table for the customers file.
    #[arg(long, value_name = "FILE")]
    input_profile: Option<PathBuf>,
    /// The byte between fields: one ASCII character, or `tab` [default: ,].
    #[arg(long, value_name = "C")]
    delimiter: Option<String>,
    /// The byte that quotes a field [default: "].
    #[arg(long, value_name = "C")]
    quote: Option<String>,
    /// What separates an amount's fraction: `.` or `,` [default: .].
    #[arg(long, value_name = ".|,")]
    decimal_separator: Option<String>,
    /// What groups an amount's thousands: none, `,`, `.`, space or `'` [default: none].
    #[arg(long, value_name = "SEP")]
    thousands_separator: Option<String>,
    /// How dates are written, from %Y, %m, %d and separators, e.g. %d.%m.%Y [default: %Y-%m-%d].
    #[arg(long, value_name = "PATTERN")]
    date_format: Option<String>,
    /// The input files' text encoding: utf-8, utf-16 (with a byte-order mark), gbk,
    /// gb18030, big5 or windows-1252 [default: utf-8].
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    /// A currency symbol amounts may carry at their start or end, e.g. €.
    #[arg(long, value_name = "TEXT")]
    currency_symbol: Option<String>,
    /// For a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods): the sheet to read, by name or
    /// 1-based position [default: the first].
    #[arg(long, value_name = "NAME|N")]
    sheet: Option<String>,
    /// Customer attributes, CSV or workbook (customer_id plus attribute columns); its customers
    /// without purchases appear in tiers.csv with empty scores.
    #[arg(long, value_name = "FILE")]
    customers: Option<PathBuf>,
    // The help lists the library's keys, so that it cannot fall behind them.
    #[arg(long = "preset", value_name = "NAME", help = format!(
        "Add a preset classifier, rule set or segment map (repeatable): {}",
        presets::all_keys().join(", ")
    ))]
    presets: Vec<String>,
    /// Print why one customer gets each of its labels.
    #[arg(long, value_name = "CUSTOMER_ID")]
    explain: Option<String>,
    /// A rule set (TOML or JSON) deciding the final `tier`, caps, floors and tags.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Output format of tiers and migration: csv (tiers.csv, migration.csv) or jsonl
    /// (tiers.jsonl, migration.jsonl: one JSON object per row).
    #[arg(long, default_value = "csv", value_parser = ["csv", "jsonl"])]
    format: String,
    /// Write no SVG charts.
    #[arg(long)]
    no_charts: bool,
    /// Write no report.html.
    #[arg(long)]
    no_report: bool,
    /// No summary table on stdout (warnings and errors still go to stderr).
    #[arg(long)]
    quiet: bool,
    /// Language of the names printed on stdout (files keep their keys).
    #[arg(long, default_value = "en", value_name = "en|zh-Hant|zh-Hans")]
    lang: Lang,
    /// Also classify the same history at this earlier date and write the migration
    /// between the two (previous_tiers.csv, migration.csv, migration.json).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    compare_as_of: Option<Date>,
    /// Compare with a previous run's tiers.csv (migration.csv, migration.json).
    #[arg(long, value_name = "FILE", conflicts_with = "compare_as_of")]
    previous: Option<PathBuf>,
    /// With --compare-as-of: classify both dates with the earlier date's model (fixed
    /// thresholds) instead of refitting each (relative tiers).
    #[arg(long, requires = "compare_as_of", conflicts_with = "model")]
    fixed: bool,
    /// A margin (a share, e.g. 0.02) that keeps customers from flipping across a cut
    /// point between the periods (tie-aware scores and metal bands).
    #[arg(long, value_name = "H", value_parser = parse_share, conflicts_with_all = ["fixed", "model"])]
    hysteresis: Option<Decimal>,
    /// Also write tiers.xlsx: sheets Management, Customers (the tiers.csv columns),
    /// Migration, Warnings and Rejects (the first 10,000). Takes time on many customers;
    /// past 1,048,575 customers they continue on a sheet "Customers 2" and so on.
    #[arg(long)]
    xlsx: bool,
}

fn parse_share(text: &str) -> Result<Decimal, String> {
    let share =
        customer_tiering::money::parse_amount(text).map_err(|e| format!("{text:?}: {e}"))?;
    Hysteresis::new(share).map_err(|_| format!("{text:?} is not a share in 0 <= H < 1"))?;
    Ok(share)
}

/// What clap cannot say alone about the flags together ([output
/// safety](customer_tiering::definitions#output-safety): exit 2, before anything is read).
fn check_flags(args: &Args) -> Result<(), String> {
    if args.hysteresis.is_some() {
        if args.compare_as_of.is_none() && args.previous.is_none() {
            return Err(
                "--hysteresis needs a previous period: --compare-as-of or --previous".into(),
            );
        }
        if args.quantiles == QuantileMode::EqualCount {
            return Err(
                "--hysteresis is for tie-aware scores; --quantiles equal-count splits equal values across scores"
                    .into(),
            );
        }
    }
    if let (Some(earlier), Some(as_of)) = (args.compare_as_of, args.as_of)
        && earlier >= as_of
    {
        return Err(format!(
            "--compare-as-of {earlier} must be before --as-of {as_of}"
        ));
    }
    if let Some(id) = &args.explain {
        CustomerId::new(id).map_err(|e| format!("--explain {id:?}: {e}"))?;
    }
    Ok(())
}

fn parse_as_of(text: &str) -> Result<Date, String> {
    if text.len() != 10 {
        return Err(format!("{text:?} is not a date of the form YYYY-MM-DD"));
    }
    customer_tiering::dates::parse_date(text.as_bytes()).map_err(|e| format!("{text:?}: {e}"))
}

/// A spinner while the file is read: shown only when stderr is a terminal (indicatif
/// hides itself otherwise, so CI logs stay clean) and not `--quiet`.
fn reading_spinner(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} reading transactions ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// Classifiers to fit, then rule sets, as the flags asked for them.
struct FitPlan {
    classifiers: PipelineBuilder,
    rules: Vec<RuleSet>,
}

impl FitPlan {
    /// The pipeline to fit, its rule sets checked against `attributes`.
    fn build(&self, attributes: &[(String, AttrType)]) -> Result<Pipeline, Error> {
        let builder = self.classifiers.clone().attributes(attributes);
        self.rules
            .iter()
            .cloned()
            .fold(builder, PipelineBuilder::rules)
            .build()
    }
}

/// Where the fitted pipeline comes from.
enum Plan {
    /// Fit this pipeline, checked whole.
    Built(Pipeline),
    /// Fit this pipeline once the customers file has told its attributes' types.
    Fit(FitPlan),
    /// Classify with a saved pipeline.
    Saved(Box<FittedPipeline>),
}

impl Plan {
    /// Every column the run writes with the labels it can take.
    fn column_labels(&self) -> Result<Vec<(String, ColumnLabels)>, Error> {
        match self {
            Plan::Built(pipeline) => Ok(pipeline.column_labels()),
            Plan::Saved(fitted) => Ok(fitted.column_labels()),
            Plan::Fit(FitPlan { classifiers, rules }) => {
                let mut labels = classifiers.clone().build()?.column_labels();
                labels.extend(rules.iter().map(|r| {
                    let tiers = r.tiers().iter().map(ToString::to_string).collect();
                    (r.column().to_string(), ColumnLabels::ordered(tiers))
                }));
                Ok(labels)
            }
        }
    }
}

/// A pipeline ready to label the data.
enum Ready {
    /// Fit on the data, then label it.
    Fit(Pipeline),
    /// Label with a saved pipeline.
    Saved(Box<FittedPipeline>),
}

/// The columns every `tiers.csv` has after the metrics ([CLI
/// files](customer_tiering::definitions#cli-files-and-exit-codes)): a saved model without
/// them cannot make one.
const FIXED_COLUMNS: [&str; 5] = ["r", "f", "m", "rfm_segment", "metal"];

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(message) = check_flags(&args) {
        Args::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit();
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::from(1)
        }
    }
}

/// A message as one line of stderr ([CLI
/// files](customer_tiering::definitions#cli-files-and-exit-codes)), however long or
/// many-lined what it quotes.
fn one_line(message: &dyn std::fmt::Display) -> String {
    cut_reason(message.to_string().replace(['\r', '\n'], " "))
}

/// A warning as `tier` prints it: `warning: CODE: message`, the code a key in every
/// language and the message in `lang` (in English, the warning's `Display`).
fn warning_line(w: &Warning, lang: Lang) -> String {
    format!("warning: {}: {}", w.code, w.message_in(lang))
}

/// What stops a run (exit 1): the library's errors, and the few only `tier` knows.
#[derive(Debug, thiserror::Error)]
enum TierError {
    #[error(transparent)]
    Lib(#[from] Error),
    /// No as-of date: neither `--as-of` nor a saved model's.
    #[error("pipeline: --as-of is required without --model")]
    NoAsOf,
    /// `--compare-as-of` not before the as-of date (a saved model's, when not given).
    #[error("pipeline: --compare-as-of {earlier} must be before the as-of date {as_of}")]
    CompareAsOf { earlier: Date, as_of: Date },
    /// A saved model without the columns every `tiers.csv` has.
    #[error(
        "pipeline: {}: the saved pipeline lacks the column(s) {} that every tiers.csv has",
        path.display(),
        missing.join(", ")
    )]
    ModelColumns {
        path: PathBuf,
        missing: Vec<&'static str>,
    },
    /// `--explain` names a customer the data does not have.
    #[error("pipeline: --explain: no customer {id:?} in the data")]
    NoSuchCustomer { id: String },
    /// A preset that is neither a classifier, a rule set nor a segment map.
    #[error("pipeline: preset {key:?} ({preset:?}) cannot be used here")]
    Preset { key: String, preset: Box<Preset> },
    /// `--xlsx` in a build without the `xlsx` feature.
    #[error("--xlsx: this tier was built without the xlsx feature (build it with --features xlsx)")]
    NoXlsx,
}

impl From<ConfigError> for TierError {
    fn from(e: ConfigError) -> Self {
        TierError::Lib(e.into())
    }
}

/// A transactions file: CSV, or a sheet of a workbook.
enum Transactions {
    Csv(Box<CsvTransactions<std::fs::File>>),
    #[cfg(feature = "workbooks")]
    Workbook(Box<WorkbookTransactions>),
}

/// A customers file: CSV, or a sheet of a workbook.
enum Customers {
    Csv(Box<CsvCustomers<std::fs::File>>),
    #[cfg(feature = "workbooks")]
    Workbook(Box<WorkbookCustomers>),
}

/// Whether a path names a workbook (by its extension, as calamine opens it); for one,
/// an error in a build without the `workbooks` feature.
fn is_workbook(path: &Path) -> Result<bool, Error> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let workbook = ["xlsx", "xlsm", "xlsb", "xls", "ods"].contains(&extension.as_str());
    if workbook && !cfg!(feature = "workbooks") {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "a workbook: build with the workbooks feature to read it",
            ),
        });
    }
    Ok(workbook)
}

impl Transactions {
    fn open(path: &Path, mapping: &ColumnMapping, format: &InputFormat) -> Result<Self, Error> {
        #[cfg(feature = "workbooks")]
        if is_workbook(path)? {
            let book = WorkbookTransactions::from_path(path, mapping, format)?;
            return Ok(Transactions::Workbook(Box::new(book)));
        }
        #[cfg(not(feature = "workbooks"))]
        is_workbook(path)?;
        let csv = CsvTransactions::open(path, mapping, format)?;
        Ok(Transactions::Csv(Box::new(csv)))
    }

    fn origin(&self) -> &str {
        match self {
            Transactions::Csv(csv) => csv.origin(),
            #[cfg(feature = "workbooks")]
            Transactions::Workbook(book) => book.origin(),
        }
    }
}

impl Customers {
    fn open(path: &Path, format: &InputFormat) -> Result<Self, Error> {
        #[cfg(feature = "workbooks")]
        if is_workbook(path)? {
            let book = WorkbookCustomers::from_path(path, format)?;
            return Ok(Customers::Workbook(Box::new(book)));
        }
        #[cfg(not(feature = "workbooks"))]
        is_workbook(path)?;
        Ok(Customers::Csv(Box::new(CsvCustomers::open(path, format)?)))
    }
}

/// Everything settled before the first data row is read.
struct Settings {
    plan: Plan,
    as_of: Date,
    source: Transactions,
    customers: Option<Customers>,
    previous: Option<Period>,
    warnings: Vec<Warning>,
}

fn run(args: &Args) -> Result<(), TierError> {
    let settings = settle(args)?;
    let mut out = OutputDir::open(&args.out)?;
    let outcome = tier(args, settings, &mut out);
    finish_run(out, outcome, args.on_invalid)
}

/// Checks every setting and opens the inputs (their headers read and checked).
fn settle(args: &Args) -> Result<Settings, TierError> {
    if args.xlsx && !cfg!(feature = "xlsx") {
        return Err(TierError::NoXlsx);
    }
    let mut profile = match &args.input_profile {
        Some(path) => InputProfile::load(path)?,
        None => InputProfile::default(),
    };
    let flags = [
        ("delimiter", &args.delimiter),
        ("quote", &args.quote),
        ("decimal_separator", &args.decimal_separator),
        ("thousands_separator", &args.thousands_separator),
        ("date_format", &args.date_format),
        ("encoding", &args.encoding),
        ("currency_symbol", &args.currency_symbol),
        ("sheet", &args.sheet),
    ];
    for (key, value) in flags {
        if let Some(value) = value {
            profile.set(key, value)?;
        }
    }
    if let Some(spec) = &args.columns {
        profile.set_columns(ColumnMapping::parse(spec)?);
    }
    let (format, customers_format) = profile.formats()?;
    let mapping = profile.columns().clone();
    let mut warnings = Vec::new();
    let plan = match &args.model {
        Some(path) => Plan::Saved(Box::new(load_model(path)?)),
        None => {
            let fit = pipeline_builder(args, &mut warnings)?;
            // Rule sets may read attributes whose types only the customers file tells:
            // with one, the pipeline is built again once it is read.
            match fit.build(&[]) {
                Ok(pipeline) if args.customers.is_none() => Plan::Built(pipeline),
                Ok(_) => Plan::Fit(fit),
                Err(Error::Rule { .. }) if args.customers.is_some() => Plan::Fit(fit),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let as_of = match (&plan, args.as_of) {
        (_, Some(date)) => date,
        (Plan::Saved(fitted), None) => fitted.as_of(),
        // clap already requires --as-of without --model
        (Plan::Built(_) | Plan::Fit(_), None) => {
            return Err(TierError::NoAsOf);
        }
    };
    if let Some(earlier) = args.compare_as_of
        && earlier >= as_of
    {
        return Err(TierError::CompareAsOf { earlier, as_of });
    }
    let source = Transactions::open(&args.transactions, &mapping, &format)?;
    let customers = match &args.customers {
        Some(path) => Some(Customers::open(path, &customers_format)?),
        None => None,
    };
    let previous = match &args.previous {
        Some(path) => {
            // Its labels are checked against what this run's columns can hold.
            let labels = plan.column_labels()?;
            let file = std::fs::File::open(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let origin = path.display().to_string();
            Some(Period::from_tiers_csv_checked(&origin, file, &labels)?)
        }
        None => None,
    };
    Ok(Settings {
        plan,
        as_of,
        source,
        customers,
        previous,
        warnings,
    })
}

/// A saved pipeline, checked on load ([output
/// safety](customer_tiering::definitions#output-safety)) and able to write `tiers.csv`.
fn load_model(path: &Path) -> Result<FittedPipeline, TierError> {
    let fitted = FittedPipeline::from_path(path)?;
    let columns = fitted.columns();
    let missing: Vec<&str> = FIXED_COLUMNS
        .into_iter()
        .filter(|c| !columns.iter().any(|have| have == c))
        .collect();
    if !missing.is_empty() {
        return Err(TierError::ModelColumns {
            path: path.to_path_buf(),
            missing,
        });
    }
    Ok(fitted)
}

/// The run proper, into a locked output directory: reads the data, tiers it and writes
/// every file but `summary.json`, whose bytes it returns.
fn tier(args: &Args, settings: Settings, out: &mut OutputDir) -> Result<Vec<u8>, TierError> {
    let Settings {
        plan,
        as_of,
        source,
        customers,
        previous,
        mut warnings,
    } = settings;
    let transactions_origin = source.origin().to_string();
    let mut rejects = match args.on_invalid {
        OnInvalid::Skip => Some(RejectsFile::new(out.create("rejects.csv")?)?),
        OnInvalid::Fail => None,
    };
    let mut write_error = None;
    // The first rejects, for tiers.xlsx's Rejects sheet (rejects.csv has them all).
    let mut kept_rejects = Vec::new();
    let keep = if args.xlsx { XLSX_REJECTS } else { 0 };
    let mut on_reject = |reject: &Reject| {
        if let (Some(file), None) = (&mut rejects, &write_error) {
            write_error = file.write(reject).err();
        }
        if kept_rejects.len() < keep {
            kept_rejects.push(reject.clone());
        }
    };
    let customers = match customers {
        Some(Customers::Csv(source)) => {
            Some(ingest_customers(*source, args.on_invalid, &mut on_reject)?)
        }
        #[cfg(feature = "workbooks")]
        Some(Customers::Workbook(source)) => {
            Some(ingest_customers(*source, args.on_invalid, &mut on_reject)?)
        }
        None => None,
    };
    let ready = match plan {
        Plan::Built(pipeline) => Ready::Fit(pipeline),
        Plan::Fit(fit) => {
            let attributes = customers
                .as_ref()
                .map_or(&[][..], |(table, _)| table.columns());
            Ready::Fit(fit.build(attributes)?)
        }
        Plan::Saved(fitted) => Ready::Saved(fitted),
    };
    // A metric nothing reads is not computed (growth: a division per customer).
    let read = match &ready {
        Ready::Fit(pipeline) => pipeline.reads(),
        Ready::Saved(fitted) => fitted.reads(),
    };
    let mut aggregator = Aggregator::new(as_of).computing(&read.metrics);
    if let Some(earlier) = args.compare_as_of {
        aggregator = aggregator.also_as_of(earlier);
    }
    let bar = reading_spinner(args.quiet);
    let read = match source {
        Transactions::Csv(source) => {
            ingest_csv(*source, &mut aggregator, args.on_invalid, &mut on_reject)?
        }
        #[cfg(feature = "workbooks")]
        Transactions::Workbook(source) => {
            ingest_aggregator(*source, &mut aggregator, args.on_invalid, &mut on_reject)?
        }
    };
    bar.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e.into());
    }
    rejects.map(RejectsFile::finish).transpose()?;
    let (known, customers_read) = match customers {
        Some((table, read)) => (table.into_customers(), Some(read)),
        None => Default::default(),
    };
    if args.on_invalid == OnInvalid::Skip {
        let rejects_path = out.path().join("rejects.csv").display().to_string();
        warnings.extend(report::rejected_rows(
            &transactions_origin,
            &read,
            Some(&rejects_path),
        ));
        if let (Some(path), Some(read)) = (&args.customers, &customers_read) {
            let origin = path.display().to_string();
            warnings.extend(report::rejected_rows(&origin, read, Some(&rejects_path)));
        }
    }
    // What is known so far is said now: a run that fails next (every row rejected, say)
    // still tells how much it set aside.
    for w in &warnings {
        eprintln!("{}", one_line(&warning_line(w, args.lang)));
    }
    let said = warnings.len();
    let mut populations = aggregator.finish_all(known.into_iter().collect())?;
    // populations[0] is the run's own date, populations[1] the --compare-as-of date.
    let earlier_population = match args.compare_as_of {
        Some(_) => populations.pop(),
        None => None,
    };
    let population = populations.swap_remove(0);
    // See `definitions`, output safety: a population nobody bought in is an error, fitted
    // or not.
    for p in std::iter::once(&population).chain(&earlier_population) {
        if p.buyer_count() == 0 {
            return Err(Error::EmptyPopulation { as_of: p.as_of() }.into());
        }
    }
    // Ids are compared trimmed, as the sources read them (checked in check_flags).
    let explain_id = args
        .explain
        .as_deref()
        .and_then(|id| CustomerId::new(id).ok());
    let explained =
        match &explain_id {
            Some(id) => Some(population.profile_of(id.as_str()).ok_or_else(|| {
                TierError::NoSuchCustomer {
                    id: id.as_str().to_string(),
                }
            })?),
            None => None,
        };

    let (fitted, tiering, earlier) = match ready {
        Ready::Fit(pipeline) => match &earlier_population {
            Some(earlier) if args.fixed => {
                let (fitted, earlier_tiering) = pipeline.run(earlier)?;
                let tiering = fitted.classify_all(&population);
                (fitted, tiering, Some(earlier_tiering))
            }
            Some(earlier) => {
                let (_, earlier_tiering) = pipeline.run(earlier)?;
                let (fitted, tiering) = pipeline.run(&population)?;
                (fitted, tiering, Some(earlier_tiering))
            }
            None => {
                let (fitted, tiering) = pipeline.run(&population)?;
                (fitted, tiering, None)
            }
        },
        Ready::Saved(fitted) => {
            if as_of < fitted.as_of() {
                warnings.push(Warning {
                    code: "model_after_data",
                    classifier: "(pipeline)".into(),
                    message: format!(
                        "the model was fitted at {} but classifies data as of {as_of}, an earlier date",
                        fitted.as_of()
                    ),
                    figures: json!({ "model_as_of": fitted.as_of().to_string(), "as_of": as_of.to_string() }),
                });
            }
            let tiering = fitted.classify_all(&population);
            let earlier = earlier_population.as_ref().map(|p| fitted.classify_all(p));
            (*fitted, tiering, earlier)
        }
    };
    let previous = match (&earlier_population, &earlier) {
        (Some(earlier_population), Some(earlier)) => {
            write_tiers(out, "previous_tiers.csv", earlier_population, earlier)?;
            Some(Period::from_tiering(earlier_population, earlier))
        }
        _ => previous,
    };
    let (tiering, held) = match (args.hysteresis, &previous) {
        (Some(h), Some(before)) => {
            Hysteresis::new(h)?.apply(&fitted, &population, &tiering, before)?
        }
        _ => (tiering, Vec::new()),
    };
    warnings.extend(report::warnings(&fitted, &population));
    for w in &warnings[said..] {
        eprintln!("{}", one_line(&warning_line(w, args.lang)));
    }
    if let (Some(id), Some(profile)) = (&explain_id, explained) {
        println!("{id}:");
        let name = |column: &str, label: &str| fitted.display_name(column, label, args.lang);
        for line in fitted.explain(&profile) {
            println!("  {}", line.to_string_with(args.lang, &name));
        }
        for one in held.iter().filter(|h| h.customer_id == *id) {
            println!("  {}", one.to_string_with(args.lang, &name));
        }
    }
    let summary = Summary::new(&population, &tiering)?;
    if !args.quiet {
        print_summary(&fitted, &summary, args.lang);
    }
    let mut charts = Vec::new();
    if !args.no_charts {
        charts = write_charts(out, &fitted, &summary, &tiering, args.lang)?;
    }
    let jsonl = args.format == "jsonl";
    let tiers_file = if jsonl { "tiers.jsonl" } else { "tiers.csv" };
    write_tiers(out, tiers_file, &population, &tiering)?;
    write_file(out, "model.json", fitted.to_json()?.as_bytes())?;
    let mut compared = None;
    if let Some(before) = &previous {
        let orders = fitted.label_orders();
        let after = Period::from_tiering(&population, &tiering);
        let migration = migrate(before, &after, &orders)?;
        write_migration(out, &migration, jsonl)?;
        if !args.no_charts {
            charts.extend(write_migration_chart(out, &migration, &orders, args.lang)?);
        }
        compared = Some((Summary::from_period(before)?, migration));
    }
    let comparison = compared
        .as_ref()
        .map(|(before, migration)| Comparison { before, migration });
    let management = management_table(&fitted, &summary, comparison, args.lang)?;
    write_management(out, &management)?;
    if !args.no_report {
        let inputs = run_inputs(args, as_of, &read, customers_read.as_ref());
        let migration: Vec<_> = compared
            .iter()
            .flat_map(|(_, migration)| migration)
            .map(|m| (m.clone(), migration_labels(&fitted, m, args.lang)))
            .collect();
        let said: Vec<_> = warnings
            .iter()
            .map(|w| (w.clone(), w.message_in(args.lang)))
            .collect();
        let page = report_html(&inputs, &management, &said, &charts, &migration, args.lang);
        write_file(out, "report.html", page.as_bytes())?;
    }
    if args.xlsx {
        let parts = XlsxParts {
            migration: compared.as_ref().map(|(_, migration)| &migration[..]),
            warnings: &warnings,
            rejects: (args.on_invalid == OnInvalid::Skip).then_some(&kept_rejects[..]),
            lang: args.lang,
        };
        write_xlsx(out, &population, &tiering, &fitted, &management, parts)?;
    }
    let mut summary = summary_json(&read, &population, &fitted, &summary, &warnings);
    summary["management"] = json!(management);
    if let Some(read) = customers_read {
        summary["customers_source"] = json!({
            "read": read.read, "accepted": read.accepted, "rejected": read.rejected,
        });
    }
    if let Some((before, _)) = &compared {
        summary["previous_labels"] = json!(before.labels);
    }
    summary["files"] = json!(out.file_names("summary.json"));
    let mut bytes = serde_json::to_vec_pretty(&summary).expect("JSON values serialise");
    bytes.push(b'\n');
    Ok(bytes)
}

/// The classifiers and rule sets asked for; `settle` builds them before any data is
/// read, and again once a customers file has told its attributes' types.
fn pipeline_builder(args: &Args, warnings: &mut Vec<Warning>) -> Result<FitPlan, TierError> {
    let mut classifiers = Vec::new();
    let mut rule_sets = Vec::new();
    let mut chosen_map = None;
    for key in &args.presets {
        match presets::preset(key)? {
            Preset::SegmentMap(map) => chosen_map = Some(map),
            // metals is always there: tiers.csv's fixed `metal` column.
            Preset::Classifier(_) if key == "metals" => {}
            Preset::Classifier(params) => classifiers.push(params),
            Preset::Rules(rules) => rule_sets.push(rules),
            other => {
                return Err(TierError::Preset {
                    key: key.clone(),
                    preset: Box::new(other),
                });
            }
        }
    }
    if let Some(path) = &args.rules {
        rule_sets.push(RuleSet::from_path(path)?);
    }
    let mut builder = base_job(args.bins, args.quantiles, chosen_map, warnings);
    for params in classifiers {
        builder = builder.classifier(params);
    }
    Ok(FitPlan {
        classifiers: builder,
        rules: rule_sets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_must_be_a_plain_date() {
        assert!(parse_as_of("2026-03-31").is_ok());
        assert!(parse_as_of("2026-03-31T00:00").is_err());
        assert!(parse_as_of("20260331").is_err());
    }
}

/// The run's inputs and settings as the report shows them.
fn run_inputs(
    args: &Args,
    as_of: Date,
    read: &ReadSummary,
    customers_read: Option<&ReadSummary>,
) -> RunInputs {
    // What each input and setting is, in the reader's language; file names, preset
    // keys and setting values stay as they are typed.
    let word = |en: &str, zh_hant: &str, zh_hans: &str| {
        match args.lang {
            Lang::En => en,
            Lang::ZhHant => zh_hant,
            Lang::ZhHans => zh_hans,
        }
        .to_string()
    };
    let name = |p: &std::path::Path| p.display().to_string();
    let mut files = vec![(
        word("transactions", "交易", "交易"),
        name(&args.transactions),
    )];
    for (what, path) in [
        (word("customers", "客戶", "客户"), &args.customers),
        (word("rules", "規則", "规则"), &args.rules),
        (word("model", "模型", "模型"), &args.model),
    ] {
        if let Some(path) = path {
            files.push((what, name(path)));
        }
    }
    let mut settings = vec![
        (
            word("bins (--bins)", "分組數（--bins）", "分组数（--bins）"),
            args.bins.to_string(),
        ),
        (
            word(
                "quantiles (--quantiles)",
                "分位方式（--quantiles）",
                "分位方式（--quantiles）",
            ),
            args.quantiles.name().to_string(),
        ),
        (
            word(
                "bad rows (--on-invalid)",
                "無效資料（--on-invalid）",
                "无效数据（--on-invalid）",
            ),
            format!("{:?}", args.on_invalid).to_lowercase(),
        ),
    ];
    if !args.presets.is_empty() {
        let presets = word(
            "presets (--preset)",
            "預設方案（--preset）",
            "预设方案（--preset）",
        );
        settings.push((presets, args.presets.join(", ")));
    }
    RunInputs {
        files,
        as_of: as_of.to_string(),
        compare_as_of: args.compare_as_of.map(|d| d.to_string()),
        settings,
        read: *read,
        customers_read: customers_read.copied(),
    }
}

/// A migration matrix's labels for the report's grid: the column's order where it has
/// one, else byte order, with `(none)` last; each with its display name.
fn migration_labels(
    fitted: &FittedPipeline,
    migration: &ColumnMigration,
    lang: Lang,
) -> Vec<(String, String)> {
    let mut labels: Vec<String> = migration.order.clone().unwrap_or_default();
    let mut seen: Vec<String> = migration
        .cells
        .keys()
        .flat_map(|(from, to)| [from.clone(), to.clone()])
        .filter(|l| !labels.contains(l) && l != ABSENT)
        .collect();
    seen.sort_unstable();
    seen.dedup();
    labels.extend(seen);
    labels.push(ABSENT.to_string());
    labels
        .into_iter()
        .map(|l| {
            let name = match l.as_str() {
                ABSENT => customer_tiering::names::absent(lang).to_string(),
                _ => fitted.display_name(&migration.column, &l, lang),
            };
            (l, name)
        })
        .collect()
}
