//! Classification on the engine: the fitted pipeline as a function the executors call
//! (`ct_tiers`), the tiers as a plan over the kept profiles, and the files it writes
//! where the engine runs.
//!
//! The function gets the fitted pipeline as its first argument, a text literal of its
//! JSON, so that a plan carries its model to any executor that has the function
//! registered; it parses it once per model, not per batch. Each batch of profile rows
//! becomes a population of its own, labelled by `FittedPipeline::classify_all` and
//! written by the core crate's own `tiers.csv` writer: a line equal to `tier`'s by
//! construction, whatever the partition it is made in.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use customer_tiering::Registry;
use customer_tiering::output::write_tiers_csv;
use customer_tiering::source::ReadSummary;
use customer_tiering::{FittedPipeline, Metric, Population};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, RecordBatch, StringArray, StructArray, UInt32Array,
};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Schema, UInt64Type};
use datafusion::common::{Column, Result as DfResult, exec_datafusion_err, exec_err};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use datafusion::prelude::{DataFrame, Expr, SessionContext, col, lit};
use jiff::civil::Date;

use crate::error::Error;
use crate::parse::{text_argument, text_literal};
use crate::profiles::{PROFILES_TABLE, batch_profiles};

/// The name of the classification function.
pub(crate) const TIERS: &str = "ct_tiers";

/// The column of a row's `tiers.csv` line in the plan [`tiers_plan`] makes (a name no
/// label column can have: those start with a letter).
pub const LINE: &str = "_line";

/// The classification function `ct_tiers` for the classifier kinds of `registry`: what
/// an executor needs, beside the input functions, to label customers with a pipeline
/// that has an application's own classifiers. The built-in kinds' function is
/// registered with every session this crate makes ([`session_state`](crate::session_state)).
///
/// `ct_tiers(model, as_of, columns, c1, c2, …)` takes the fitted pipeline's JSON, the
/// as-of date (`YYYY-MM-DD`), the comma-separated names of the profile columns that
/// follow, and those columns of the profile plan ([`profile_plan`](crate::profile_plan));
/// it gives, per row, a struct of the row's `tiers.csv` line ([`LINE`]), `recency_days`,
/// `tenure_days` and one text field per label column (empty labels are null).
///
/// # Example
/// ```
/// use customer_tiering::Registry;
/// use customer_tiering_datafusion::tiers_function;
/// let function = tiers_function(Registry::default());
/// assert_eq!(function.name(), "ct_tiers");
/// ```
pub fn tiers_function(registry: Registry) -> ScalarUDF {
    ScalarUDF::new_from_impl(Tiers {
        signature: Signature::variadic_any(Volatility::Immutable),
        registry,
        model: Mutex::new(None),
    })
}

/// `ct_tiers`, with the last model it parsed.
struct Tiers {
    signature: Signature,
    registry: Registry,
    model: Mutex<Option<(String, Arc<FittedPipeline>)>>,
}

impl std::fmt::Debug for Tiers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tiers").finish_non_exhaustive()
    }
}

// Two instances compute the same for the same model: the registry only decides which
// models load at all.
impl PartialEq for Tiers {
    fn eq(&self, other: &Self) -> bool {
        self.signature == other.signature
    }
}

impl Eq for Tiers {}

impl Hash for Tiers {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.signature.hash(state);
    }
}

impl Tiers {
    /// The fitted pipeline of `json`, parsed once.
    fn model(&self, json: &str) -> DfResult<Arc<FittedPipeline>> {
        let mut kept = self.model.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((text, model)) = kept.as_ref()
            && text == json
        {
            return Ok(Arc::clone(model));
        }
        let model = FittedPipeline::from_json_with("the model of ct_tiers", json, &self.registry)
            .map_err(|e| exec_datafusion_err!("{e}"))?;
        let model = Arc::new(model);
        *kept = Some((json.to_string(), Arc::clone(&model)));
        Ok(model)
    }

    /// The fields of the struct `ct_tiers` gives for `model`: what the plan is told at
    /// planning and what each batch is built with.
    fn output_fields(model: &FittedPipeline) -> Fields {
        let mut fields = vec![
            Field::new(LINE, DataType::Utf8, true),
            Field::new("recency_days", DataType::Int64, true),
            Field::new("tenure_days", DataType::Int64, true),
        ];
        fields.extend(
            model
                .columns()
                .into_iter()
                .map(|name| Field::new(name, DataType::Utf8, true)),
        );
        Fields::from(fields)
    }
}

impl ScalarUDFImpl for Tiers {
    fn name(&self) -> &str {
        TIERS
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        exec_err!("{TIERS}: the return type depends on the model argument")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        let json = text_literal(
            TIERS,
            args.scalar_arguments.first().copied().flatten(),
            "model",
        )?;
        let fields = Self::output_fields(&*self.model(&json)?);
        Ok(Arc::new(Field::new(TIERS, DataType::Struct(fields), true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let [model, as_of, names, columns @ ..] = &args.args[..] else {
            return exec_err!("{TIERS} takes a model, an as-of date, column names and columns");
        };
        let model = self.model(&text_argument(TIERS, model, "model")?)?;
        let as_of: Date = text_argument(TIERS, as_of, "as-of date")?
            .parse()
            .map_err(|e| exec_datafusion_err!("{TIERS}: as-of date: {e}"))?;
        let names = text_argument(TIERS, names, "column names")?;
        let names: Vec<&str> = names.split(',').collect();
        if names.len() != columns.len() {
            return exec_err!(
                "{TIERS}: {} names for {} columns",
                names.len(),
                columns.len()
            );
        }
        let arrays = columns
            .iter()
            .map(|c| c.to_array(rows))
            .collect::<DfResult<Vec<ArrayRef>>>()?;
        let fields: Vec<Field> = names
            .iter()
            .zip(&arrays)
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?;
        let out = label_batch(&model, as_of, &batch).map_err(|e| exec_datafusion_err!("{e}"))?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The struct column of `ct_tiers` for one batch of profile rows, in row order.
fn label_batch(
    model: &FittedPipeline,
    as_of: Date,
    batch: &RecordBatch,
) -> Result<StructArray, Error> {
    let growth = model.reads().metrics.contains(&Metric::Growth);
    let mut profiles = Vec::with_capacity(batch.num_rows());
    let kept = batch_profiles(
        batch,
        as_of,
        growth,
        &mut ReadSummary::default(),
        &mut profiles,
    )?;
    // The population keeps id order: `order[k]` is the profile of its k-th customer.
    let mut order: Vec<usize> = (0..profiles.len()).collect();
    order.sort_unstable_by(|&a, &b| profiles[a].customer_id.cmp(&profiles[b].customer_id));
    // Per row of the batch, its customer's place in the population; none for a row
    // without a profile (the rejects' row, a customer who bought only after as-of),
    // which the engine may give the function before its filter drops them.
    let mut place: Vec<Option<u32>> = vec![None; batch.num_rows()];
    for (k, &profile) in order.iter().enumerate() {
        place[kept[profile]] = Some(k as u32);
    }
    let population = Population::new(as_of, profiles)?;
    let tiering = model.classify_all(&population);
    let mut csv = Vec::new();
    write_tiers_csv("tiers.csv", &population, &tiering, &mut csv)?;
    let text = String::from_utf8(csv).map_err(|e| Error::Plan(e.to_string()))?;
    // The header first, then one record per customer (a quoted field may hold a line
    // break, so records are split outside quotes).
    let lines: StringArray = csv_records(&text).skip(1).map(Some).collect();
    let lines: ArrayRef = Arc::new(lines);
    let typed = crate::arrow::tiers_batch(&population, &tiering)?;
    let back = UInt32Array::from(place);
    // The fields the plan was told of, each taken in the batch's row order.
    let fields = Tiers::output_fields(model);
    let mut columns = vec![take(&lines, &back, None)?];
    for field in fields.iter().skip(1) {
        let name = field.name();
        let column = typed
            .column_by_name(name)
            .ok_or_else(|| Error::Plan(format!("the tiers have no column {name}")))?;
        columns.push(take(column, &back, None)?);
    }
    let rows = back.nulls().cloned();
    Ok(StructArray::try_new(fields, columns, rows)?)
}

/// The records of CSV text, without their line ends: lines, but a quoted field may hold
/// a line break.
fn csv_records(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut quoted = false;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == '\n' && !quoted
            })
            .map_or(rest.len(), |(i, _)| i);
        let record = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        Some(record)
    })
}

/// The tiers as a plan over the profiles [`profiles`](crate::profiles) left in the
/// session ([`PROFILES_TABLE`]), labelled by `fitted` where the engine runs: columns
/// `customer_id`, `recency_days`, `frequency`, `transactions`, `monetary` (the exact
/// sum, a `Decimal256` of the plan's scale) and `monetary_scale` (its own scale, as
/// `tiers.csv` prints it), `tenure_days`, one text column per label column, and
/// [`LINE`], the row's `tiers.csv` line. In no particular order.
///
/// Only for a pipeline that [labels by model](customer_tiering::Pipeline::labels_by_model):
/// equal-count scores split ties by id across the whole population, which no partition
/// sees.
///
/// # Errors
/// [`Error::Engine`] when the plan cannot be made (no profiles in the session);
/// [`Error::Tiering`] when the model does not serialize.
///
/// # Example
/// ```
/// # use customer_tiering::classify::rfm::RfmParams;
/// # use customer_tiering::format::ColumnMapping;
/// # use customer_tiering::PipelineBuilder;
/// use customer_tiering_datafusion::{register_table, run, tiers_plan, LINE};
/// # use datafusion::arrow::array::{Date32Array, RecordBatch, StringArray};
/// # use datafusion::arrow::datatypes::{DataType, Field, Schema};
/// # use datafusion::prelude::SessionContext;
/// # use jiff::civil::date;
/// # use std::sync::Arc;
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// # let ctx = SessionContext::new();
/// # let schema = Arc::new(Schema::new(vec![
/// #     Field::new("customer_id", DataType::Utf8, true),
/// #     Field::new("date", DataType::Date32, true),
/// #     Field::new("amount", DataType::Utf8, true),
/// # ]));
/// # let batch = RecordBatch::try_new(schema, vec![
/// #     Arc::new(StringArray::from(vec!["C1", "C2"])),
/// #     Arc::new(Date32Array::from(vec![20600, 20601])),
/// #     Arc::new(StringArray::from(vec!["10.50", "7"])),
/// # ])?;
/// # ctx.register_batch("orders", batch)?;
/// # let table = register_table(&ctx, "orders", &ColumnMapping::default()).await?;
/// let pipeline = PipelineBuilder::new().classifier(RfmParams::default()).build()?;
/// // orders: C1 spent 10.50 on 2026-05-27, C2 spent 7 on 2026-05-28
/// let job = run(&ctx, &table, &pipeline, date(2026, 6, 30)).await?;
/// let tiers = tiers_plan(&ctx, &job.fitted, date(2026, 6, 30)).await?;
/// let lines = tiers.sort_by(vec![datafusion::prelude::col("customer_id")])?
///     .select_columns(&[LINE])?
///     .collect()
///     .await?;
/// let lines = datafusion::arrow::util::pretty::pretty_format_batches(&lines)?.to_string();
/// assert!(lines.contains("| C1,34,1,1,10.50,34,1,1,3,hibernating |"), "{lines}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn tiers_plan(
    ctx: &SessionContext,
    fitted: &FittedPipeline,
    as_of: Date,
) -> Result<DataFrame, Error> {
    crate::register_functions(ctx);
    let profiles = ctx.table(PROFILES_TABLE).await?;
    let names: Vec<String> = profiles
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let buyers = col("id").is_not_null().and(col("frequency").gt(lit(0i64)));
    let mut args: Vec<Expr> = vec![
        lit(fitted.to_json()?),
        lit(as_of.to_string()),
        lit(names.join(",")),
    ];
    args.extend(names.iter().map(|n| col(n.as_str())));
    let function = ctx.udf(TIERS)?;
    // The function runs once per row; its struct is taken apart afterwards.
    let labelled = profiles.filter(buyers)?.select(vec![
        col("id").alias("customer_id"),
        col("frequency"),
        col("transactions"),
        col("monetary"),
        col("monetary_scale"),
        function.call(args).alias("t"),
    ])?;
    // Unnested, not taken apart field by field: the optimizer would inline the call
    // into each field's expression and run the function once per field.
    let labelled = labelled.unnest_columns(&["t"])?;
    let field = |name: &str| Expr::Column(Column::from_name(format!("t.{name}"))).alias(name);
    let mut columns = vec![
        col("customer_id"),
        field("recency_days"),
        col("frequency"),
        col("transactions"),
        col("monetary"),
        col("monetary_scale"),
        field("tenure_days"),
    ];
    columns.extend(fitted.columns().iter().map(|name| field(name)));
    columns.push(field(LINE));
    Ok(labelled.select(columns)?)
}

/// Writes `tiers.csv` from the plan [`tiers_plan`] made: the core crate's header for
/// `fitted`'s columns, then every line, sorted by `customer_id` by the engine (a merge
/// of sorted partitions, which streams). The bytes are those of the single-machine
/// `tier` for the same profiles and model. Returns the number of customers written.
///
/// # Errors
/// [`Error::Engine`] when the plan fails; [`Error::Tiering`] (`Io`, naming `what`) when
/// writing fails.
///
/// # Example
/// ```
/// # use customer_tiering::classify::rfm::RfmParams;
/// # use customer_tiering::format::ColumnMapping;
/// # use customer_tiering::PipelineBuilder;
/// use customer_tiering_datafusion::{register_table, run, tiers_plan, write_tiers_csv_sorted};
/// # use datafusion::arrow::array::{Date32Array, RecordBatch, StringArray};
/// # use datafusion::arrow::datatypes::{DataType, Field, Schema};
/// # use datafusion::prelude::SessionContext;
/// # use jiff::civil::date;
/// # use std::sync::Arc;
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// # let ctx = SessionContext::new();
/// # let schema = Arc::new(Schema::new(vec![
/// #     Field::new("customer_id", DataType::Utf8, true),
/// #     Field::new("date", DataType::Date32, true),
/// #     Field::new("amount", DataType::Utf8, true),
/// # ]));
/// # let batch = RecordBatch::try_new(schema, vec![
/// #     Arc::new(StringArray::from(vec!["C2", "C1"])),
/// #     Arc::new(Date32Array::from(vec![20601, 20600])),
/// #     Arc::new(StringArray::from(vec!["7", "10.50"])),
/// # ])?;
/// # ctx.register_batch("orders", batch)?;
/// # let table = register_table(&ctx, "orders", &ColumnMapping::default()).await?;
/// let pipeline = PipelineBuilder::new().classifier(RfmParams::default()).build()?;
/// // orders: C1 spent 10.50 on 2026-05-27, C2 spent 7 on 2026-05-28
/// let as_of = date(2026, 6, 30);
/// let job = run(&ctx, &table, &pipeline, as_of).await?;
/// let mut csv = Vec::new();
/// let plan = tiers_plan(&ctx, &job.fitted, as_of).await?;
/// assert_eq!(write_tiers_csv_sorted(plan, &job.fitted, as_of, "tiers.csv", &mut csv).await?, 2);
/// // the single machine's bytes
/// let mut single = Vec::new();
/// customer_tiering::output::write_tiers_csv("tiers.csv", &job.population, &job.tiering, &mut single)?;
/// assert_eq!(csv, single);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn write_tiers_csv_sorted<W: std::io::Write>(
    plan: DataFrame,
    fitted: &FittedPipeline,
    as_of: Date,
    what: &str,
    mut writer: W,
) -> Result<u64, Error> {
    use futures::StreamExt;
    let io = |source: std::io::Error| {
        Error::Tiering(customer_tiering::Error::Io {
            path: what.into(),
            source,
        })
    };
    let nobody = Population::new(as_of, Vec::new())?;
    write_tiers_csv(what, &nobody, &fitted.classify_all(&nobody), &mut writer)?;
    let mut lines = plan
        .sort(vec![col("customer_id").sort(true, false)])?
        .select_columns(&[LINE])?
        .execute_stream()
        .await?;
    let mut written = 0u64;
    let mut buffer = Vec::with_capacity(1 << 16);
    while let Some(batch) = lines.next().await {
        let batch = batch?;
        let column = batch.column(0);
        for line in crate::arrow::texts(column)? {
            buffer.extend_from_slice(line.unwrap_or_default().as_bytes());
            buffer.push(b'\n');
            written += 1;
        }
        writer.write_all(&buffer).map_err(io)?;
        buffer.clear();
    }
    writer.flush().map_err(io)?;
    Ok(written)
}

/// Writes the tiers of the plan [`tiers_plan`] made as Parquet files into the directory
/// `dir`, one or more per partition, written where the engine runs: every column but
/// [`LINE`]. The directory is made whole or not at all: the files are written into a
/// new directory beside it, which then takes its place (an earlier `dir` is removed).
/// Returns the number of customers written.
///
/// # Errors
/// [`Error::Engine`] when the plan fails or a file cannot be written;
/// [`Error::Tiering`] (`Io`) when the directory cannot be put in place.
///
/// # Example
/// ```
/// # use customer_tiering::classify::rfm::RfmParams;
/// # use customer_tiering::format::ColumnMapping;
/// # use customer_tiering::PipelineBuilder;
/// use customer_tiering_datafusion::{register_table, run, tiers_plan, write_tiers_parquet};
/// # use datafusion::arrow::array::{Date32Array, RecordBatch, StringArray};
/// # use datafusion::arrow::datatypes::{DataType, Field, Schema};
/// # use datafusion::prelude::{ParquetReadOptions, SessionContext};
/// # use jiff::civil::date;
/// # use std::sync::Arc;
/// # tokio::runtime::Runtime::new()?.block_on(async {
/// # let ctx = SessionContext::new();
/// # let schema = Arc::new(Schema::new(vec![
/// #     Field::new("customer_id", DataType::Utf8, true),
/// #     Field::new("date", DataType::Date32, true),
/// #     Field::new("amount", DataType::Utf8, true),
/// # ]));
/// # let batch = RecordBatch::try_new(schema, vec![
/// #     Arc::new(StringArray::from(vec!["C2", "C1"])),
/// #     Arc::new(Date32Array::from(vec![20601, 20600])),
/// #     Arc::new(StringArray::from(vec!["7", "10.50"])),
/// # ])?;
/// # ctx.register_batch("orders", batch)?;
/// # let table = register_table(&ctx, "orders", &ColumnMapping::default()).await?;
/// let pipeline = PipelineBuilder::new().classifier(RfmParams::default()).build()?;
/// let as_of = date(2026, 6, 30);
/// let job = run(&ctx, &table, &pipeline, as_of).await?;
/// let dir = tempfile::tempdir()?;
/// let out = dir.path().join("tiers");
/// let plan = tiers_plan(&ctx, &job.fitted, as_of).await?;
/// assert_eq!(write_tiers_parquet(plan, &out).await?, 2);
/// let back = ctx.read_parquet(out.to_str().unwrap(), ParquetReadOptions::default()).await?;
/// assert_eq!(back.count().await?, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn write_tiers_parquet(plan: DataFrame, dir: &std::path::Path) -> Result<u64, Error> {
    let io = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| Error::Tiering(customer_tiering::Error::Io { path, source })
    };
    let name = dir
        .file_name()
        .ok_or_else(|| Error::Plan(format!("{} names no directory", dir.display())))?;
    let partial = dir.with_file_name(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
    }
    std::fs::create_dir_all(&partial).map_err(io(&partial))?;
    let columns: Vec<Expr> = plan
        .schema()
        .fields()
        .iter()
        .filter(|f| f.name() != LINE)
        .map(|f| col(f.name().as_str()))
        .collect();
    // A directory path ends in a separator: the engine writes a file per partition.
    let target = format!("{}/", partial.display());
    let written = plan
        .select(columns)?
        .write_parquet(&target, DataFrameWriteOptions::new(), None)
        .await;
    let counts = match written {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e.into());
        }
    };
    let rows = counts
        .first()
        .filter(|b| b.num_rows() == 1)
        .and_then(|b| b.column(0).as_primitive_opt::<UInt64Type>())
        .map_or(0, |c| c.value(0));
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::rename(&partial, dir).map_err(io(dir))?;
    Ok(rows)
}
