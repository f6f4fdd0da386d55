//! The customer-tiering job on [Apache DataFusion](https://datafusion.apache.org) and
//! Ballista: the profiles, the fit and the labels as engine plans over Parquet, CSV or
//! any registered table, with the same answers, byte for byte, as the single-machine
//! `tier` program of [`customer_tiering`].
//!
//! # What runs where
//!
//! | phase | where | what crosses partitions or the network |
//! |---|---|---|
//! | reading and validation | the engine's partitions, where the files are | nothing: text columns are parsed where they are read, by the core crate's own grammar (functions `ct_customer_id`, `ct_date`, `ct_amount`, `ct_text`); typed Parquet columns are taken as they are |
//! | profiles ([`profiles`]) | the engine's partitions | partial aggregates: one row per customer from each partition (its sums, counts and the list of its purchase days), hash-partitioned by customer; then one row per customer to the caller |
//! | fit ([`fit`]) | the engine's partitions, over the profiles the session keeps ([`PROFILES_TABLE`]: in memory on DataFusion, Parquet files the executors write on Ballista); on a Ballista cluster without a work directory, the calling process | per fit column: a count, a histogram of at most 65 536 buckets, and the distinct values of the few buckets that hold a cut point; the core crate's own fit runs on these order statistics in the calling process ([`fit_on_engine`]) |
//! | classification for `tiers.csv` ([`tiers_plan`]) | the engine's partitions, over the kept profiles ([`label_place`]); for equal-count scores, or on a Ballista cluster without a work directory, the calling process | the model: the fitted pipeline's JSON is a literal of the plan, which the function `ct_tiers` parses once per partition; each partition's profiles are labelled by the core crate's `classify_all` and written by its own `tiers.csv` writer |
//! | `tiers.csv` ([`write_tiers_csv_sorted`]), tiers as Parquet ([`write_tiers_parquet`]) | the engine sorts the lines (a merge of sorted partitions) and the calling process streams them to the file; each partition writes its own Parquet file | one line per customer, once |
//! | summary figures, reports | the calling process | nothing more: the collected profiles, labelled as `Pipeline::label` labels them (the totals per label of the whole population) |
//! | locating rejects | the calling process, only when the engine counted any | the files are read once more by the core crate's reader, which names file, line, field, value and reason |
//!
//! Equal-count quantile scores are a batch definition: customers tied at a cut point are
//! split by `customer_id` across the whole population, which no partition sees
//! ([`Classifier::has_batch_labels`](customer_tiering::classify::Classifier::has_batch_labels)).
//! A pipeline with them is labelled in the calling process ([`LabelPlace`]), with the
//! same bytes.
//!
//! A fit that reads more than order statistics of the plan's columns (growth, a fill by
//! the median, value-basis bands, composite scores, a grade over an attribute, an
//! application's own classifier), or meets equal amounts written with different scales at
//! a cut point, is made on the profiles in the calling process instead: the same model
//! either way ([`FitPlace`] says which).
//!
//! Memory: an executor holds its partitions' hash tables, about 100 bytes per customer of
//! the rows it reads, and 8 bytes per line for the purchase days (`ct_days`), spilling
//! nothing; the session keeps the profiles (about 100 bytes per customer in memory on
//! DataFusion; Parquet files on Ballista, about 11 bytes per customer) for the fit and
//! the classification; the calling process holds the profiles again as the core crate's
//! population (about 150 bytes per customer) and the labels, for the summary figures
//! and the reports.
//!
//! # Engines
//!
//! [`session`] makes a session on an [`Engine`]:
//! - [`Engine::DataFusion`]: DataFusion in this process, on any number of target
//!   partitions (the number of cores, say). Any classifier runs, the application's own
//!   ones too: the fit and the labels are made in this process.
//! - `Engine::BallistaStandalone` (feature `ballista`, on by default): a Ballista scheduler and executor
//!   started in this process, bound to loopback only; for trying Ballista out and for
//!   tests. The executor writes the profiles into a temporary directory, removed with
//!   the session.
//! - `Engine::Ballista` (feature `ballista`): a running Ballista cluster, by its
//!   scheduler's address `df://HOST:PORT`. The plans call this crate's functions, so the
//!   scheduler and every executor must have them registered: a stock
//!   `ballista-executor` does not. [`session_state`] is the session state they need;
//!   the `ballista_node` example starts a scheduler
//!   (`cargo run --release -p customer-tiering-datafusion --features ballista --example
//!   ballista_node -- scheduler --port 50050`) or an executor (`… ballista_node --
//!   executor --scheduler-host HOST --scheduler-port 50050`) with them. Executors read
//!   the files by the paths the client gives, so each must see the same paths (a shared
//!   disk or an object store). A Ballista job does not see tables kept in the calling
//!   process: given a work directory that every node and the caller see by the same
//!   path, the executors write the profiles there as Parquet (11 MB for 1M customers
//!   in the benchmark below; removed with the session) and the fit and the
//!   classification run on the executors; without one, both run in the calling process
//!   on the collected profiles.
//!
//! An application's own classifiers label on the engine too: on DataFusion the session
//! this crate makes knows the built-in kinds only, so register [`tiers_function`] with
//! a [`Registry`](customer_tiering::Registry) that knows them (`ctx.register_udf`) before
//! [`tiers_plan`]; a Ballista executor needs the same function in its session state.
//! Their fit runs in the calling process ([`FitPlace`]).
//!
//! Ballista encodes plans recursively: a debug build needs more than the default 2 MiB
//! of stack per thread (`RUST_MIN_STACK=33554432`); a release build does not.
//!
//! # Performance
//!
//! 10M transaction lines of 1M customers (`benches/peers/gen.py 1000000 10000000 7` at
//! the repository's root), as of 2026-06-30, 2 partitions on 2 cores, release build;
//! wall time and peak resident memory of the whole process, median of 3 runs
//! (`datafusion/benches/run.sh FILE 2026-06-30`):
//!
//! | job | wall | peak memory |
//! |---|---|---|
//! | `tier`, the single-machine path, CSV | 1.17 s | 283 MiB |
//! | `distributed`, CSV | 3.86 s | 498 MiB |
//! | `distributed`, Parquet (`Date32`, `Decimal128(38, 2)`, 62 MB) | 3.15 s | 515 MiB |
//! | the plain SQL a user would write for the profiles alone (DataFusion's CSV typing, `count(DISTINCT date)`), CSV | 20.2 s | 464 MiB |
//! | DuckDB, the same tier job, CSV | 4.77 s | 1021 MiB |
//! | DuckDB, the same tier job, Parquet | 4.06 s | 899 MiB |
//!
//! Per phase of `distributed` on Parquet (`--timings`): profiles 2.17 s, fit on the
//! engine 0.27 s, labels for the summary 18 ms, summary 22 ms, `tiers.csv` labelled and
//! sorted on the engine 0.58 s. Where the time goes:
//! - the profiles are one grouping by customer (a hash table of 1M string keys); the
//!   distinct purchase days are counted by `ct_days`, which appends (customer, day) keys
//!   and sorts them once, where `count(DISTINCT date)` keeps a hash set per customer
//!   (what makes the plain query slow) and a grouping by (customer, day) first would hold
//!   about one key per line (the crate's plan did so before: 2.5 s and 1 GB);
//! - CSV adds the reading and the parsing of text by the grammar (0.7 s);
//! - the fit asks lengths and bounds of every column in one plan, then searches the
//!   columns side by side (a few small plans each);
//! - `tiers.csv` from the engine: each partition labels its profiles, formats its lines
//!   and its typed columns, and the lines are sorted (0.58 s, against 0.09 s for the
//!   calling process writing the labels it holds: the price of never holding them);
//! - `tier` is faster still on one machine: its own partitioned aggregation keys
//!   customers by integers and counts days in place, with no engine between.
//!
//! On Ballista, release build, the same Parquet, one run each: standalone (scheduler and
//! executor in this process) 9.3 s, peak 1.0 GB (profiles 4.1 s, fit on the executor
//! 3.9 s: every plan is a Ballista job, tiers 1.1 s); a cluster of separate scheduler
//! and executor processes (`ballista_node`) on this machine, with `--work-dir`, 5.8 s and
//! 545 MiB in the calling process (profiles 3.8 s, fit 0.9 s, tiers 1.0 s); the same
//! cluster without a work directory 3.2 s (the fit and the labels in the calling
//! process). Same bytes each time.

//! # The input, exactly
//!
//! A transaction has a customer id, a date and an amount, and may have a profit and a
//! product code (columns `customer_id`, `date`, `amount`, `profit`, `product` unless a
//! [`ColumnMapping`](customer_tiering::format::ColumnMapping) says otherwise). The rules
//! are those of the core crate:
//! - the id is trimmed of ASCII whitespace and must then be 1 to 128 bytes;
//! - a date is `YYYY-MM-DD`, optionally followed by `T` or a space and a time of day,
//!   which is ignored (a date is never shifted by a zone); a Parquet `Date32` is taken
//!   as it is;
//! - an amount in text is an optional `-`, digits, and optionally `.` and more digits, at
//!   most 28 significant digits (`1e3`, `.5`, `5.`, `+5`, `1,000` are rejected, never
//!   rounded); a Parquet decimal or integer column is taken as it is, a floating-point
//!   one is refused;
//! - a row that breaks a rule is rejected and counted (`rejected` of the read summary);
//!   a row dated after the as-of date is accepted, counted (`after_as_of`) and left out
//!   of every metric.
//!
//! Per customer, over the accepted rows on or before the as-of date: `recency_days`
//! (days since the last purchase), `frequency` (distinct purchase dates), `transactions`
//! (rows), `monetary` (the exact sum of amounts, at the largest scale among them; a
//! Parquet decimal column has one scale, so a row's amount has its file's scale, and
//! files of different scales are read each at its own), `tenure_days`
//! (days since the first purchase), and where a pipeline reads them `profit`,
//! `distinct_products`, the spend of the last window and the one before, and growth.
//!
//! # Example
//! ```
//! use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
//! use customer_tiering::format::ColumnMapping;
//! use customer_tiering::PipelineBuilder;
//! use customer_tiering_datafusion::{register_table, run};
//! use datafusion::arrow::array::{Date32Array, RecordBatch, StringArray};
//! use datafusion::arrow::datatypes::{DataType, Field, Schema};
//! use datafusion::prelude::{SessionConfig, SessionContext};
//! use jiff::civil::date;
//! use std::sync::Arc;
//!
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("customer_id", DataType::Utf8, true),
//!     Field::new("date", DataType::Date32, true),
//!     Field::new("amount", DataType::Utf8, true), // text: read by the grammar
//! ]));
//! let batch = RecordBatch::try_new(schema, vec![
//!     Arc::new(StringArray::from(vec!["C1", "C1", " C2 ", "C3"])),
//!     Arc::new(Date32Array::from(vec![20600, 20600, 20601, 20602])),
//!     Arc::new(StringArray::from(vec!["10.50", "2", "7.25", "1e3"])),
//! ])?;
//! ctx.register_batch("orders", batch)?;
//! let table = register_table(&ctx, "orders", &ColumnMapping::default()).await?;
//! let pipeline = PipelineBuilder::new()
//!     .classifier(RfmParams::default())
//!     .classifier(ParetoParams::metals())
//!     .build()?;
//! let job = run(&ctx, &table, &pipeline, date(2026, 6, 30)).await?;
//! assert_eq!((job.read.read, job.read.rejected), (4, 1)); // "1e3" is not an amount
//! let c1 = job.population.get("C1").unwrap();
//! assert_eq!((c1.frequency, c1.transactions, c1.monetary.to_string()), (1, 2, "12.50".into()));
//! assert_eq!(job.tiering.label("C1", "metal").unwrap().as_cell(), "platinum");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod arrow;
mod convert;
mod days;
mod error;
mod fit;
mod input;
mod locate;
mod parse;
mod profiles;
mod register;
mod session;
mod tiers;

pub use convert::write_parquet;
pub use datafusion;
pub use error::{Error, InputProblem};
pub use fit::fit_on_engine;
pub use input::{InputKind, TransactionsTable};
pub use locate::locate_rejects;
pub use profiles::{PROFILES_TABLE, ProfileQuery, Profiles, profile_plan, profiles};
pub use register::{register_table, register_transactions};
pub use session::{Engine, session, session_state};
pub use tiers::{LINE, tiers_function, tiers_plan, write_tiers_csv_sorted, write_tiers_parquet};

use customer_tiering::source::ReadSummary;
use customer_tiering::{FittedPipeline, Pipeline, Population, Tiering};
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionContext;
use jiff::civil::Date;

/// Registers the crate's functions with a session: the input grammar's (`ct_customer_id`,
/// `ct_date`, `ct_amount`, `ct_text`), the profiles' (`ct_days`, an aggregate), the
/// fit's (`ct_bucket`) and the classification's (`ct_tiers`, for the built-in kinds;
/// one registered before is kept). The plans of this crate call it themselves.
pub fn register_functions(ctx: &SessionContext) {
    for function in functions() {
        if ctx.udf(function.name()).is_err() {
            ctx.register_udf(function);
        }
    }
    for function in aggregates() {
        if ctx.udaf(function.name()).is_err() {
            ctx.register_udaf(function);
        }
    }
}

/// Every aggregate the crate's plans call.
fn aggregates() -> Vec<datafusion::logical_expr::AggregateUDF> {
    vec![days::days_function()]
}

/// Every function the crate's plans call.
fn functions() -> Vec<datafusion::logical_expr::ScalarUDF> {
    let mut all = parse::functions().to_vec();
    all.push(fit::bucket_function());
    all.push(tiers::tiers_function(customer_tiering::Registry::default()));
    all
}

/// The result of [`run`]: what was read, the profiles, the fitted pipeline and the labels.
#[derive(Debug)]
pub struct Job {
    /// Rows read, accepted, rejected and after the as-of date.
    pub read: ReadSummary,
    /// One profile per customer who bought on or before the as-of date.
    pub population: Population,
    /// The pipeline fitted on that population.
    pub fitted: FittedPipeline,
    /// Every customer's labels.
    pub tiering: Tiering,
    /// Where the fit ran.
    pub fitted_on: FitPlace,
}

/// Where a pipeline was fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitPlace {
    /// On the engine, from order statistics computed where the profiles are.
    Engine,
    /// In this process, on the profiles: a classifier reads more than order statistics
    /// of the profile plan's columns (growth, an application's classifier, a fill by the
    /// median, value-basis bands, composite scores, a grade over an attribute), equal
    /// amounts of different scales meet at a cut point, or the session runs on a
    /// Ballista cluster without a work directory, whose jobs do not see the profiles
    /// the session keeps.
    Process,
}

/// Where the customers are labelled for `tiers.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelPlace {
    /// On the engine, where the profiles are ([`tiers_plan`]), by the fitted pipeline
    /// shipped in the plan.
    Engine,
    /// In this process, on the collected profiles: a classifier's labels of the fit
    /// population need the whole population (equal-count quantiles split ties at a cut
    /// by `customer_id`), or the session runs on a Ballista cluster without a work
    /// directory, whose jobs do not see the profiles the session keeps.
    Process,
}

/// Where [`tiers_plan`] can label `pipeline`'s customers in the session `ctx`: on the
/// engine where the pipeline [labels by model](Pipeline::labels_by_model) and the
/// engine sees the profiles (DataFusion, Ballista standalone, a Ballista cluster with a
/// work directory); else in this process.
///
/// # Example
/// ```
/// use customer_tiering::classify::{quantile::QuantileMode, rfm::RfmParams};
/// use customer_tiering::PipelineBuilder;
/// use customer_tiering_datafusion::{LabelPlace, label_place};
/// use datafusion::prelude::SessionContext;
/// let ctx = SessionContext::new();
/// let tie_aware = PipelineBuilder::new().classifier(RfmParams::default()).build()?;
/// assert_eq!(label_place(&ctx, &tie_aware), LabelPlace::Engine);
/// let equal_count = RfmParams::default().mode(QuantileMode::EqualCount);
/// let equal_count = PipelineBuilder::new().classifier(equal_count).build()?;
/// assert_eq!(label_place(&ctx, &equal_count), LabelPlace::Process);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn label_place(ctx: &SessionContext, pipeline: &Pipeline) -> LabelPlace {
    match pipeline.labels_by_model() && session::sees_profiles(ctx) {
        true => LabelPlace::Engine,
        false => LabelPlace::Process,
    }
}

/// Fits `pipeline` on the engine where it can ([`fit_on_engine`], on the table
/// [`profiles`] left in the session), else on `population` in this process: the same
/// fitted pipeline either way.
///
/// # Errors
/// [`Error::Engine`] when a plan fails; [`Error::Tiering`] as `Pipeline::fit`.
pub async fn fit(
    ctx: &SessionContext,
    table: &TransactionsTable,
    pipeline: &Pipeline,
    population: &Population,
) -> Result<(FittedPipeline, FitPlace), Error> {
    if !session::sees_profiles(ctx) {
        return Ok((pipeline.fit(population)?, FitPlace::Process));
    }
    let on_engine = fit_on_engine(ctx, PROFILES_TABLE, table, pipeline, population.as_of()).await;
    match on_engine {
        Ok(fitted) => Ok((fitted, FitPlace::Engine)),
        Err(Error::Tiering(customer_tiering::Error::Config(
            customer_tiering::ConfigError::NeedsProfiles { .. },
        ))) => Ok((pipeline.fit(population)?, FitPlace::Process)),
        Err(e) => Err(e),
    }
}

/// The whole job: the profiles of `table` as of `as_of` on the engine, the pipeline
/// fitted on the engine where it can be ([`fit`]), and every customer labelled as the
/// core crate's `Pipeline::run` labels them.
///
/// Rejected rows are counted, not located: [`Job::read`] says how many, and
/// [`locate_rejects`] names each one by file and line.
///
/// # Errors
/// [`Error::Engine`] when the engine fails, [`Error::Tiering`] for an overflow or a
/// population nobody bought in.
pub async fn run(
    ctx: &SessionContext,
    table: &TransactionsTable,
    pipeline: &Pipeline,
    as_of: Date,
) -> Result<Job, Error> {
    let query = ProfileQuery::new(as_of).computing(&pipeline.reads().metrics);
    let Profiles { population, read } = profiles(ctx, table, &query).await?;
    if population.buyer_count() == 0 {
        return Err(customer_tiering::Error::EmptyPopulation { as_of }.into());
    }
    let (fitted, fitted_on) = fit(ctx, table, pipeline, &population).await?;
    let tiering = pipeline.label(&fitted, &population)?;
    Ok(Job {
        read,
        population,
        fitted,
        tiering,
        fitted_on,
    })
}
