//! `tier`: transactions CSV in, tiers out (SPEC §16).
//!
//! ```text
//! cargo run --release --example tier -- --transactions FILE --as-of YYYY-MM-DD --out DIR
//!     [--quantiles tie-aware|equal-count] [--bins K] [--on-invalid fail|skip]
//!     [--columns customer_id=COL,date=COL,amount=COL]
//!     [--customers FILE] [--preset NAME]... [--rules FILE] [--explain CUSTOMER_ID]
//!     [--lang en|zh-Hant|zh-Hans]
//! ```
//!
//! Writes `DIR/tiers.csv`, `DIR/summary.json`, `DIR/model.json` and, with
//! `--on-invalid skip`, `DIR/rejects.csv`. `--preset` adds a classifier column
//! (`four-dimension` → `grade`, `four-levels` → `level`, `abc`, `lifecycle`) or picks the
//! RFM segment map (`rfm-rsquaredacademy`, `rfm-pymc`). Exit codes: 0 success (warnings allowed), 1 bad
//! data or configuration (one line on stderr), 2 a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::segments::SegmentMap;
use customer_tiering::hysteresis::Hysteresis;
use customer_tiering::migration::{Period, migrate};
use customer_tiering::names::Lang;
use customer_tiering::presets::Preset;
use customer_tiering::report::{self, Summary, Warning};
use customer_tiering::rules::RuleSet;
use customer_tiering::source::customers::read_customers_path;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, Source, ingest_periods};
use customer_tiering::{
    ConfigError, Error, FittedPipeline, Pipeline, PipelineBuilder, PopulationBuilder, Reject,
    presets,
};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::json;

mod output;

use output::{
    RejectsFile, create_dir, print_summary, summary_json, write_charts, write_file,
    write_migration, write_migration_chart, write_tiers,
};

/// Sort customers into RFM scores, segments and metal tiers.
#[derive(Debug, Parser)]
#[command(name = "tier", version)]
struct Args {
    /// Transactions CSV (header with customer_id, date, amount; see --columns).
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
    /// Customer attributes CSV (customer_id plus attribute columns); its customers
    /// without purchases appear in tiers.csv with empty scores.
    #[arg(long, value_name = "FILE")]
    customers: Option<PathBuf>,
    /// Add a preset classifier or segment map (repeatable).
    #[arg(long = "preset", value_name = "NAME")]
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
    #[arg(long, value_name = "H", value_parser = parse_share)]
    hysteresis: Option<Decimal>,
}

fn parse_share(text: &str) -> Result<Decimal, String> {
    customer_tiering::money::parse_amount(text).map_err(|e| format!("{text:?}: {e}"))
}

fn parse_as_of(text: &str) -> Result<Date, String> {
    if text.len() != 10 {
        return Err(format!("{text:?} is not a date of the form YYYY-MM-DD"));
    }
    customer_tiering::dates::parse_date(text.as_bytes()).map_err(|e| format!("{text:?}: {e}"))
}

/// Counts the rows a source yields on a progress line: shown only when stderr is a
/// terminal (indicatif hides itself otherwise, so CI logs stay clean) and not `--quiet`.
struct Progress<S> {
    inner: S,
    bar: ProgressBar,
    rows: u64,
}

impl<S> Progress<S> {
    fn new(inner: S, quiet: bool) -> Self {
        let bar = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new_spinner()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {human_pos} rows read ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Progress {
            inner,
            bar,
            rows: 0,
        }
    }
}

impl<S: Source> Source for Progress<S> {
    type Record = S::Record;

    fn origin(&self) -> &str {
        self.inner.origin()
    }

    fn next_record(&mut self) -> Option<Result<S::Record, Error>> {
        let record = self.inner.next_record();
        self.rows += 1;
        // Redrawing costs; every 64 Ki rows is often enough for a person.
        if self.rows.is_multiple_of(65_536) {
            self.bar.set_position(self.rows);
        }
        record
    }
}

/// A pipeline ready to label the data.
enum Ready {
    /// Fit on the data, then label it.
    Fit(Pipeline),
    /// Label with a saved pipeline.
    Saved(Box<FittedPipeline>),
}

/// Where the fitted pipeline comes from.
enum Plan {
    /// Fit these classifiers and rule sets on the data.
    Fit(PipelineBuilder),
    /// Classify with a saved pipeline.
    Saved(Box<FittedPipeline>),
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

fn run(args: &Args) -> Result<(), Error> {
    let mapping = match &args.columns {
        Some(spec) => ColumnMapping::parse(spec)?,
        None => ColumnMapping::default(),
    };
    let mut warnings = Vec::new();
    let mut plan = match &args.model {
        Some(path) => Plan::Saved(Box::new(FittedPipeline::from_path(path)?)),
        None => Plan::Fit(pipeline_builder(args, &mut warnings)?),
    };
    let as_of = match (&plan, args.as_of) {
        (_, Some(date)) => date,
        (Plan::Saved(fitted), None) => fitted.as_of(),
        // clap already requires --as-of without --model
        (Plan::Fit(_), None) => {
            return Err(ConfigError::Pipeline {
                reason: "--as-of is required without --model".into(),
            }
            .into());
        }
    };
    if let Some(earlier) = args.compare_as_of
        && earlier >= as_of
    {
        return Err(ConfigError::Pipeline {
            reason: format!("--compare-as-of {earlier} must be before the as-of date {as_of}"),
        }
        .into());
    }

    let source = CsvTransactions::from_path(&args.transactions, &mapping)?;
    create_dir(&args.out)?;
    let mut rejects = match args.on_invalid {
        OnInvalid::Skip => Some(RejectsFile::create(&args.out.join("rejects.csv"))?),
        OnInvalid::Fail => None,
    };
    let mut write_error = None;
    let mut on_reject = |reject: &Reject| {
        if let (Some(file), None) = (&mut rejects, &write_error) {
            write_error = file.write(reject).err();
        }
    };
    let customers = match &args.customers {
        Some(path) => Some(read_customers_path(path, args.on_invalid, &mut on_reject)?),
        None => None,
    };
    if let (Some((table, _)), Plan::Fit(builder)) = (&customers, &mut plan) {
        *builder = std::mem::take(builder).attributes(table.columns());
    }
    let ready = match plan {
        Plan::Fit(builder) => Ready::Fit(builder.build()?),
        Plan::Saved(fitted) => Ready::Saved(fitted),
    };
    let mut builders = vec![PopulationBuilder::new(as_of)];
    if let Some(earlier) = args.compare_as_of {
        builders.push(PopulationBuilder::new(earlier));
    }
    let progress = Progress::new(source, args.quiet);
    let bar = progress.bar.clone();
    let mut read = ingest_periods(progress, &mut builders, args.on_invalid, &mut on_reject)?;
    bar.finish_and_clear();
    let known = match customers {
        Some((table, customers_read)) => {
            read.read += customers_read.read;
            read.accepted += customers_read.accepted;
            read.rejected += customers_read.rejected;
            table.into_customers()
        }
        None => Default::default(),
    };
    let mut populations = builders
        .into_iter()
        .map(|b| b.finish_with(known.clone()))
        .collect::<Result<Vec<_>, Error>>()?;
    // builders[0] is the run's own date, builders[1] the --compare-as-of date.
    let earlier_population = match args.compare_as_of {
        Some(_) => populations.pop(),
        None => None,
    };
    let population = populations.swap_remove(0);
    if let Some(e) = write_error {
        return Err(e);
    }
    if let Some(file) = rejects {
        file.finish()?;
    }

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
    let previous = match (&earlier_population, &earlier, &args.previous) {
        (Some(earlier_population), Some(earlier), _) => {
            write_tiers(
                &args.out.join("previous_tiers.csv"),
                earlier_population,
                earlier,
            )?;
            Some(Period::from_tiering(earlier_population, earlier))
        }
        (_, _, Some(path)) => {
            let file = std::fs::File::open(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            Some(Period::from_tiers_csv(&path.display().to_string(), file)?)
        }
        _ => None,
    };
    let (tiering, held) = match (args.hysteresis, &previous) {
        (Some(h), Some(before)) => {
            if args.fixed || args.model.is_some() {
                return Err(ConfigError::Pipeline {
                    reason:
                        "hysteresis is for refitted (relative) tiers, not with --fixed or --model"
                            .into(),
                }
                .into());
            }
            Hysteresis::new(h)?.apply(&fitted, &population, &tiering, before)?
        }
        (Some(_), None) => {
            return Err(ConfigError::Pipeline {
                reason: "--hysteresis needs a previous period: --compare-as-of or --previous"
                    .into(),
            }
            .into());
        }
        (None, _) => (tiering, Vec::new()),
    };
    warnings.extend(report::warnings(&fitted, &population));
    for w in &warnings {
        eprintln!("{w}");
    }
    if let Some(id) = &args.explain {
        let profile = population.get(id).ok_or_else(|| ConfigError::Pipeline {
            reason: format!("--explain: no customer {id:?} in the data"),
        })?;
        println!("{id}:");
        for line in fitted.explain(profile) {
            println!("  {line}");
        }
        for one in held.iter().filter(|h| h.customer_id.as_str() == id) {
            println!("  {one}");
        }
    }
    let summary = Summary::new(&population, &tiering)?;
    if !args.quiet {
        print_summary(&fitted, &summary, args.lang);
    }
    if !args.no_charts {
        write_charts(&args.out, &fitted, &summary, &tiering, args.lang)?;
    }
    let tiers_file = if args.format == "jsonl" {
        "tiers.jsonl"
    } else {
        "tiers.csv"
    };
    write_tiers(&args.out.join(tiers_file), &population, &tiering)?;
    write_file(&args.out.join("model.json"), fitted.to_json()?.as_bytes())?;
    if let Some(before) = &previous {
        let orders = fitted.label_orders();
        let after = Period::from_tiering(&population, &tiering);
        let migration = migrate(before, &after, &orders)?;
        write_migration(&args.out, &migration, args.format == "jsonl")?;
        if !args.no_charts {
            write_migration_chart(&args.out, &migration, &orders, args.lang)?;
        }
    }
    let mut summary = summary_json(&read, &population, &fitted, &summary, &warnings);
    if let Some(before) = &previous {
        summary["previous_labels"] = json!(Summary::from_period(before)?.labels);
    }
    write_file(
        &args.out.join("summary.json"),
        serde_json::to_string_pretty(&summary)
            .expect("JSON values serialise")
            .as_bytes(),
    )?;
    Ok(())
}

/// The classifiers and rule sets asked for, checked before any data is read (rule
/// sets again once the customers file has told which attributes exist).
fn pipeline_builder(args: &Args, warnings: &mut Vec<Warning>) -> Result<PipelineBuilder, Error> {
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
                return Err(ConfigError::Pipeline {
                    reason: format!("preset {key:?} ({other:?}) cannot be used here"),
                }
                .into());
            }
        }
    }
    if let Some(path) = &args.rules {
        rule_sets.push(RuleSet::from_path(path)?);
    }
    let segment_map = match chosen_map {
        Some(map) => Some(map),
        None if args.bins == 5 => Some(SegmentMap::default()),
        None => {
            warnings.push(Warning {
                code: "segment_map_bins",
                classifier: "rfm_segment".into(),
                message: format!(
                    "the default segment map is written for k = 5; rfm_segment is left empty for k = {}",
                    args.bins
                ),
                figures: json!({ "map_bins": 5, "bins": args.bins }),
            });
            None
        }
    };
    let mut builder = PipelineBuilder::new()
        .classifier(
            RfmParams::default()
                .bins(args.bins)
                .mode(args.quantiles)
                .segment_map(segment_map),
        )
        .classifier(ParetoParams::metals());
    for params in classifiers {
        builder = builder.classifier(params);
    }
    builder.clone().build()?;
    for rules in rule_sets {
        builder = builder.rules(rules);
    }
    Ok(builder)
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
