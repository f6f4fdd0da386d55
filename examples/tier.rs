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

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::segments::SegmentMap;
use customer_tiering::names::{Lang, display_name};
use customer_tiering::presets::Preset;
use customer_tiering::rules::RuleSet;
use customer_tiering::source::customers::read_customers_path;
use customer_tiering::source::{
    ColumnMapping, CsvTransactions, OnInvalid, ReadSummary, ingest_into,
};
use customer_tiering::{
    ConfigError, Error, FittedPipeline, PipelineBuilder, Population, PopulationBuilder, Reject,
    Tiering, money, presets,
};
use jiff::civil::Date;
use serde_json::json;

/// Sort customers into RFM scores, segments and metal tiers.
#[derive(Debug, Parser)]
#[command(name = "tier", version)]
struct Args {
    /// Transactions CSV (header with customer_id, date, amount; see --columns).
    #[arg(long, value_name = "FILE")]
    transactions: PathBuf,
    /// The as-of date of every metric.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_as_of)]
    as_of: Date,
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
    /// Language of the names printed on stdout (files keep their keys).
    #[arg(long, default_value = "en", value_name = "en|zh-Hant|zh-Hans")]
    lang: Lang,
}

fn parse_as_of(text: &str) -> Result<Date, String> {
    if text.len() != 10 {
        return Err(format!("{text:?} is not a date of the form YYYY-MM-DD"));
    }
    customer_tiering::dates::parse_date(text.as_bytes()).map_err(|e| format!("{text:?}: {e}"))
}

/// A warning of SPEC §14: a stable code, the classifier and a message.
struct Warning {
    code: &'static str,
    classifier: &'static str,
    message: String,
    figures: serde_json::Value,
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
                classifier: "rfm_segment",
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
    // Settings are checked before any data is read; rule sets once the customers file
    // has told which attributes exist.
    builder.clone().build()?;

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
    if let Some((table, _)) = &customers {
        builder = builder.attributes(table.columns());
    }
    for rules in rule_sets {
        builder = builder.rules(rules);
    }
    let pipeline = builder.build()?;
    let mut population_builder = PopulationBuilder::new(args.as_of);
    let mut read = ingest_into(
        source,
        &mut population_builder,
        args.on_invalid,
        &mut on_reject,
    )?;
    let population = match customers {
        Some((table, customers_read)) => {
            read.read += customers_read.read;
            read.accepted += customers_read.accepted;
            read.rejected += customers_read.rejected;
            population_builder.finish_with(table.into_customers())?
        }
        None => population_builder.finish()?,
    };
    if let Some(e) = write_error {
        return Err(e);
    }
    if let Some(file) = rejects {
        file.finish()?;
    }

    for w in &warnings {
        eprintln!("warning: {}: {}", w.code, w.message);
    }
    let (fitted, tiering) = pipeline.run(&population)?;
    if let Some(id) = &args.explain {
        let profile = population.get(id).ok_or_else(|| ConfigError::Pipeline {
            reason: format!("--explain: no customer {id:?} in the data"),
        })?;
        println!("{id}:");
        for line in fitted.explain(profile) {
            println!("  {line}");
        }
    }
    print_counts(&fitted, &tiering, args.lang);
    write_tiers(&args.out.join("tiers.csv"), &population, &tiering)?;
    write_file(&args.out.join("model.json"), fitted.to_json()?.as_bytes())?;
    let summary = summary_json(&read, &population, &fitted, &tiering, &warnings);
    write_file(
        &args.out.join("summary.json"),
        serde_json::to_string_pretty(&summary)
            .expect("JSON values serialise")
            .as_bytes(),
    )?;
    Ok(())
}

/// Customers per label of every column, with display names in `lang` (a rule set's own
/// `tier_info` first, then the presets'), on stdout.
fn print_counts(fitted: &FittedPipeline, tiering: &Tiering, lang: Lang) {
    for (column, counts) in tiering.counts() {
        let rules = fitted.rule_sets().iter().find(|r| r.column() == column);
        let name = |label: &str| -> String {
            let own = rules
                .and_then(|r| r.tier_info(label))
                .and_then(|info| match lang {
                    Lang::En => info.en.clone(),
                    Lang::ZhHant => info.zh_hant.clone(),
                    Lang::ZhHans => info.zh_hans.clone(),
                });
            own.unwrap_or_else(|| display_name(&column, label, lang).to_string())
        };
        let cells: Vec<String> = counts
            .iter()
            .map(|(label, n)| format!("{} {n}", name(label)))
            .collect();
        println!("{column:>12}: {}", cells.join(", "));
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_error(path: &Path) -> impl FnOnce(csv::Error) -> Error + '_ {
    move |e| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(io_error(dir))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut bytes = bytes.to_vec();
    if bytes.last() != Some(&b'\n') {
        bytes.push(b'\n');
    }
    fs::write(path, bytes).map_err(io_error(path))
}

/// `rejects.csv`, written as rejects are found (SPEC §12).
struct RejectsFile {
    path: PathBuf,
    writer: csv::Writer<BufWriter<File>>,
}

impl RejectsFile {
    fn create(path: &Path) -> Result<Self, Error> {
        let file = File::create(path).map_err(io_error(path))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer
            .write_record(["source", "line", "field", "value", "reason"])
            .map_err(csv_error(path))?;
        Ok(RejectsFile {
            path: path.to_path_buf(),
            writer,
        })
    }

    fn write(&mut self, r: &Reject) -> Result<(), Error> {
        let line = r.location.line.to_string();
        self.writer
            .write_record([&r.location.source, &line, &r.field, &r.value, &r.reason])
            .map_err(csv_error(&self.path))
    }

    fn finish(mut self) -> Result<(), Error> {
        self.writer.flush().map_err(io_error(&self.path))
    }
}

fn write_tiers(path: &Path, population: &Population, tiering: &Tiering) -> Result<(), Error> {
    let file = File::create(path).map_err(io_error(path))?;
    let mut writer = csv::Writer::from_writer(BufWriter::new(file));
    let mut header: Vec<&str> = vec![
        "customer_id",
        "recency_days",
        "frequency",
        "transactions",
        "monetary",
        "tenure_days",
    ];
    header.extend(tiering.columns().iter().map(String::as_str));
    writer.write_record(&header).map_err(csv_error(path))?;
    let opt = |v: Option<i64>| v.map(|d| d.to_string()).unwrap_or_default();
    for (profile, (_, labels)) in population.profiles().iter().zip(tiering.rows()) {
        let mut row = vec![
            profile.customer_id.to_string(),
            opt(profile.recency_days),
            profile.frequency.to_string(),
            profile.transactions.to_string(),
            money::display(profile.monetary),
            opt(profile.tenure_days),
        ];
        row.extend(labels.iter().map(|l| l.as_cell().into_owned()));
        writer.write_record(&row).map_err(csv_error(path))?;
    }
    writer.flush().map_err(io_error(path))
}

fn summary_json(
    read: &ReadSummary,
    population: &Population,
    fitted: &FittedPipeline,
    tiering: &Tiering,
    warnings: &[Warning],
) -> serde_json::Value {
    let labels: serde_json::Map<String, serde_json::Value> = tiering
        .counts()
        .into_iter()
        .map(|(column, counts)| {
            let per_label = counts
                .into_iter()
                .map(|(label, n)| (label, json!({ "customers": n })))
                .collect::<serde_json::Map<_, _>>();
            (column, per_label.into())
        })
        .collect();
    json!({
        "read": read.read,
        "accepted": read.accepted,
        "rejected": read.rejected,
        "after_as_of": read.after_as_of,
        "customers": tiering.len(),
        "buyers": population.buyers().count(),
        "as_of": population.as_of().to_string(),
        "model": { "as_of": fitted.as_of().to_string(), "fit_size": fitted.fit_size() },
        "labels": labels,
        "missing_data": fitted.missing_data(population).into_iter().map(|(use_, customers)| json!({
            "classifier": use_.column, "source": use_.source, "policy": use_.policy, "customers": customers,
        })).collect::<Vec<_>>(),
        "warnings": warnings.iter().map(|w| json!({
            "code": w.code, "classifier": w.classifier, "message": w.message, "figures": w.figures,
        })).collect::<Vec<_>>(),
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
