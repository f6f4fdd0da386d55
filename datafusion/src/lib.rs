//! The customer-tiering job on [Apache DataFusion](https://datafusion.apache.org): the
//! profile phase as an engine plan over Parquet, CSV or any registered table, with the
//! same answers, byte for byte, as the single-machine `tier` program of
//! [`customer_tiering`].
//!
//! # What runs where
//!
//! | phase | where | what it does |
//! |---|---|---|
//! | reading and validation | the engine's partitions | text columns are parsed by the core crate's own grammar (functions `ct_customer_id`, `ct_date`, `ct_amount`, `ct_text`); typed Parquet columns are taken as they are |
//! | profiles | the engine's partitions | a partitioned aggregation per customer and day, then per customer ([`profiles`]) |
//! | fit and classification | the calling process | the core crate's [`Pipeline`](customer_tiering::Pipeline) on the profiles: one row per customer, not per line |
//!
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
//! Parquet decimal column has one scale, so its sums print that scale), `tenure_days`
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
mod error;
mod input;
mod locate;
mod parse;
mod profiles;
mod register;

pub use convert::write_parquet;
pub use datafusion;
pub use error::{Error, InputProblem};
pub use input::{InputKind, TransactionsTable};
pub use locate::locate_rejects;
pub use profiles::{ProfileQuery, Profiles, profile_plan, profiles};
pub use register::{register_table, register_transactions};

use customer_tiering::source::ReadSummary;
use customer_tiering::{FittedPipeline, Pipeline, Population, Tiering};
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionContext;
use jiff::civil::Date;

/// Registers the input grammar's functions (`ct_customer_id`, `ct_date`, `ct_amount`,
/// `ct_text`) with a session; the plans of this crate call it themselves.
pub fn register_functions(ctx: &SessionContext) {
    for function in parse::functions() {
        if ctx.udf(function.name()).is_err() {
            ctx.register_udf(function);
        }
    }
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
}

/// The whole job: the profiles of `table` as of `as_of` on the engine, then `pipeline`
/// fitted and applied to them, as the core crate's `Pipeline::run` does.
///
/// Rejected rows are counted, not located: [`Job::read`] says how many, and the core
/// crate's readers (`tier`) name each one by file and line.
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
    let (fitted, tiering) = pipeline.run(&population)?;
    Ok(Job {
        read,
        population,
        fitted,
        tiering,
    })
}
