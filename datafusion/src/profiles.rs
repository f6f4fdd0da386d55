//! The profile phase as one DataFusion plan: every transaction row validated, then
//! aggregated per customer and day, then per customer, on the engine's partitions.
//!
//! Frequency counts distinct purchase dates. Instead of `count(DISTINCT date)` (a set
//! per customer), the plan groups by `(customer, date)` first: each group is one
//! purchase day, and the second grouping counts them. Both groupings are partitioned
//! hash aggregations whose partial results merge exactly (counts, exact sums, minima and
//! maxima), so what crosses partitions — or, on Ballista, the network — is one partial
//! row per customer and day, never a raw line.
//!
//! Money is summed as `Decimal256(76, s)`: an amount has at most 56 digits at the widest
//! scale, so no sum of fewer than 10^20 rows can wrap (DataFusion's decimal sums wrap
//! silently on overflow). Each customer's sum is then brought back to the largest scale
//! among the rows that made it, and a sum beyond 28 digits is an overflow error naming
//! the customer, as in the core crate.

use customer_tiering::error::Subject;
use customer_tiering::metrics::growth_of;
use customer_tiering::source::ReadSummary;
use customer_tiering::{CustomerId, Metric, Population, Profile};
use datafusion::arrow::array::{Array, AsArray, Int64Array, PrimitiveArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal256Type, Int64Type, UInt8Type, i256,
};
use datafusion::prelude::{DataFrame, SessionContext};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::days::DAYS;
use crate::error::Error;
use crate::input::TransactionsTable;

/// What the profile plan computes: the as-of date, the growth window and the metrics a
/// pipeline reads (the others are left at their defaults, as the core crate leaves them).
#[derive(Debug, Clone)]
pub struct ProfileQuery {
    /// The date the metrics are relative to; later rows are counted, not used.
    pub as_of: Date,
    /// The window of `monetary_current` and `monetary_previous`, in days.
    pub window_days: u32,
    /// The metrics to compute: `customer_tiering::Pipeline::reads().metrics`.
    pub metrics: Vec<Metric>,
}

impl ProfileQuery {
    /// Every metric, as of `as_of`, with the default window of 365 days.
    pub fn new(as_of: Date) -> Self {
        ProfileQuery {
            as_of,
            window_days: customer_tiering::metrics::DEFAULT_WINDOW_DAYS,
            metrics: Metric::ALL.to_vec(),
        }
    }

    /// Only the metrics named (recency, frequency, transactions, monetary and tenure are
    /// always computed: every output has them).
    pub fn computing(mut self, metrics: &[Metric]) -> Self {
        self.metrics = metrics.to_vec();
        self
    }

    fn reads(&self, metric: Metric) -> bool {
        self.metrics.contains(&metric)
    }
}

/// The profiles of a table and what reading it counted.
#[derive(Debug)]
pub struct Profiles {
    /// One profile per customer with a row on or before the as-of date.
    pub population: Population,
    /// Rows read, accepted, rejected and accepted after the as-of date.
    pub read: ReadSummary,
}

/// The plan: one row per customer id, plus one row with a null id that counts the
/// rejected rows (`rows`). Columns: `id`, `rows`, `after_as_of`, `frequency`,
/// `transactions`, `monetary` with `monetary_scale`, `first_day`, `last_day`, and the
/// optional metrics' columns the query asks for.
///
/// # Errors
/// [`Error::Engine`] when DataFusion cannot plan it.
pub async fn profile_plan(
    ctx: &SessionContext,
    table: &TransactionsTable,
    query: &ProfileQuery,
) -> Result<DataFrame, Error> {
    crate::register_functions(ctx);
    Ok(ctx.sql(&profile_sql(table, query)?).await?)
}

/// The name under which [`profiles`] leaves the plan's result in the session, for the
/// fit's plans ([`fit`](crate::fit())) to read.
pub const PROFILES_TABLE: &str = "ct_profiles";

/// Runs the plan, keeps its result in the session as table [`PROFILES_TABLE`], and
/// makes the population of it.
///
/// # Errors
/// [`Error::Engine`] when the engine fails, [`Error::Tiering`] when a customer's sum
/// overflows the core crate's decimals.
pub async fn profiles(
    ctx: &SessionContext,
    table: &TransactionsTable,
    query: &ProfileQuery,
) -> Result<Profiles, Error> {
    let plan = profile_plan(ctx, table, query).await?;
    ctx.deregister_table(PROFILES_TABLE)?;
    let kept = match crate::session::new_profiles_dir(ctx) {
        // A cluster's jobs do not see tables kept in this process: the executors write
        // the profiles where every node reads them.
        Some(dir) => {
            // A directory path ends in a separator: a file per partition.
            let path = format!("{}/", dir.display());
            let options = datafusion::dataframe::DataFrameWriteOptions::new();
            plan.write_parquet(&path, options, None).await?;
            ctx.register_parquet(PROFILES_TABLE, &path, Default::default())
                .await?;
            ctx.table(PROFILES_TABLE).await?
        }
        None => {
            let kept = plan.cache().await?;
            ctx.register_table(PROFILES_TABLE, kept.clone().into_view())?;
            kept
        }
    };
    let batches = kept.collect().await?;
    population_of(&batches, query)
}

fn date_literal(date: Date) -> String {
    format!("DATE '{date}'")
}

fn profile_sql(table: &TransactionsTable, query: &ProfileQuery) -> Result<String, Error> {
    let f = &table.columns;
    let as_of = date_literal(query.as_of);
    let window = |n: i64| -> Result<String, Error> {
        let days = jiff::Span::new().days(n * i64::from(query.window_days));
        let date = query.as_of.checked_sub(days).map_err(|_| Error::Window {
            as_of: query.as_of,
            days: query.window_days,
        })?;
        Ok(date_literal(date))
    };
    let profit = f.profit.as_ref().filter(|_| query.reads(Metric::Profit));
    let product = f
        .product
        .as_ref()
        .filter(|_| query.reads(Metric::DistinctProducts));
    let windows = query.reads(Metric::MonetaryCurrent)
        || query.reads(Metric::MonetaryPrevious)
        || query.reads(Metric::Growth);

    let kept = |name: &str| format!("CASE WHEN ok THEN {name} END AS {name}");
    let mut checked = vec![kept("id"), kept("day"), "v".into(), "s".into()];
    let on_or_before = format!("day <= {as_of}");
    // One grouping by customer: distinct purchase days are counted by `ct_days`, not by
    // a grouping by (customer, day), which holds about one key per line.
    let mut per_customer = vec![
        "id".to_string(),
        "count(*) AS rows".into(),
        format!("count(*) FILTER (WHERE day > {as_of}) AS after_as_of"),
        format!("{DAYS}(day) FILTER (WHERE {on_or_before}) AS frequency"),
        format!("count(*) FILTER (WHERE {on_or_before}) AS transactions"),
        format!("sum(v) FILTER (WHERE {on_or_before}) AS monetary"),
        format!("max(s) FILTER (WHERE {on_or_before}) AS monetary_scale"),
        format!("min(day) FILTER (WHERE {on_or_before}) AS first_day"),
        format!("max(day) FILTER (WHERE {on_or_before}) AS last_day"),
    ];
    if windows {
        let (one, two) = (window(1)?, window(2)?);
        for (name, range) in [
            ("current", format!("day > {one} AND {on_or_before}")),
            ("previous", format!("day > {two} AND day <= {one}")),
        ] {
            per_customer.push(format!("sum(v) FILTER (WHERE {range}) AS {name}"));
            per_customer.push(format!("max(s) FILTER (WHERE {range}) AS {name}_scale"));
        }
    }
    if profit.is_some() {
        checked.extend(["pv".into(), "ps".into()]);
        per_customer.push(format!("sum(pv) FILTER (WHERE {on_or_before}) AS profit"));
        per_customer.push(format!(
            "max(ps) FILTER (WHERE {on_or_before}) AS profit_scale"
        ));
    }
    if product.is_some() {
        checked.push("product".into());
    }
    let checked = format!(
        "WITH checked AS (SELECT {} FROM ({}))",
        checked.join(", "),
        table.validated_sql()
    );
    let customers = format!(
        "SELECT {} FROM checked GROUP BY id",
        per_customer.join(", ")
    );
    Ok(match product {
        None => format!("{checked} {customers}"),
        Some(_) => format!(
            "{checked}, customers AS ({customers}), \
             products AS (SELECT id, count(DISTINCT product) AS distinct_products FROM checked \
             WHERE product IS NOT NULL AND {on_or_before} GROUP BY id) \
             SELECT c.*, p.distinct_products FROM customers c LEFT JOIN products p ON c.id = p.id"
        ),
    })
}

struct Money {
    values: PrimitiveArray<Decimal256Type>,
    scales: PrimitiveArray<UInt8Type>,
    sum_scale: i8,
    metric: &'static str,
}

impl Money {
    fn get(&self, row: usize, id: &str) -> Result<Option<Decimal>, Error> {
        if self.values.is_null(row) {
            return Ok(None);
        }
        let scale = if self.scales.is_null(row) {
            0
        } else {
            self.scales.value(row)
        };
        exact(self.values.value(row), self.sum_scale, scale)
            .map(Some)
            .ok_or_else(|| {
                Error::Tiering(customer_tiering::Error::Overflow {
                    metric: self.metric,
                    subject: Box::new(Subject::Customer(id.to_string())),
                })
            })
    }
}

/// `value · 10^−from` as a decimal of scale `to ≤ from`; none when it does not fit 96
/// bits. Every summand had a scale ≤ `to`, so the division is exact.
pub(crate) fn exact(value: i256, from: i8, to: u8) -> Option<Decimal> {
    let down =
        i256::from_i128(10).checked_pow(u32::try_from(from).ok()?.checked_sub(u32::from(to))?)?;
    let mantissa = value.checked_div(down)?.to_i128()?;
    Decimal::try_from_i128_with_scale(mantissa, u32::from(to)).ok()
}

/// The population of the profile plan's rows, and the read counts they carry.
fn population_of(batches: &[RecordBatch], query: &ProfileQuery) -> Result<Profiles, Error> {
    let mut read = ReadSummary::default();
    let mut profiles = Vec::new();
    let growth = query.reads(Metric::Growth);
    for batch in batches {
        batch_profiles(batch, query.as_of, growth, &mut read, &mut profiles)?;
    }
    read.accepted = read.read - read.rejected;
    let population = Population::new(query.as_of, profiles)?;
    Ok(Profiles { population, read })
}

/// Appends the profiles of one batch of the profile plan's rows to `profiles`, in row
/// order, and adds the rows they count to `read` (all but `accepted`): the row without
/// an id counts the rejects, and a customer who bought only after `as_of` has no
/// profile. Money columns are the plan's `Decimal256` sums, each with its scale column.
/// Returns the rows that gave a profile.
pub(crate) fn batch_profiles(
    batch: &RecordBatch,
    as_of: Date,
    growth: bool,
    read: &mut ReadSummary,
    profiles: &mut Vec<Profile>,
) -> Result<Vec<usize>, Error> {
    let mut kept = Vec::with_capacity(batch.num_rows());
    let as_of_day = customer_tiering::dates::day_number(as_of);
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| Error::Plan(format!("the profile plan has no column {name}")))
    };
    let wrong = |name: &str| {
        let found = batch.column_by_name(name).map(|c| c.data_type().clone());
        Error::Plan(format!("the profile plan's column {name} is {found:?}"))
    };
    let ints = |name| {
        column(name)?
            .as_primitive_opt::<Int64Type>()
            .cloned()
            .ok_or_else(|| wrong(name))
    };
    let money = |name: &str, scale_name: &str, metric| -> Result<_, Error> {
        let values = column(name)?;
        let DataType::Decimal256(_, sum_scale) = *values.data_type() else {
            return Err(wrong(name));
        };
        Ok(Money {
            values: values.as_primitive::<Decimal256Type>().clone(),
            scales: column(scale_name)?
                .as_primitive_opt::<UInt8Type>()
                .cloned()
                .ok_or_else(|| wrong(scale_name))?,
            sum_scale,
            metric,
        })
    };
    let optional = |name: &str, scale_name: &str, metric| {
        batch
            .column_by_name(name)
            .map(|_| money(name, scale_name, metric))
            .transpose()
    };
    let (rows, after, frequency, transactions) = (
        ints("rows")?,
        ints("after_as_of")?,
        ints("frequency")?,
        ints("transactions")?,
    );
    let monetary = money("monetary", "monetary_scale", "monetary")?;
    let current = optional("current", "current_scale", "monetary_current")?;
    let previous = optional("previous", "previous_scale", "monetary_previous")?;
    let profit = optional("profit", "profit_scale", "profit")?;
    let products = batch
        .column_by_name("distinct_products")
        .map(|c| {
            c.as_primitive_opt::<Int64Type>()
                .cloned()
                .ok_or_else(|| wrong("distinct_products"))
        })
        .transpose()?;
    let day = |name| {
        column(name)?
            .as_primitive_opt::<Date32Type>()
            .cloned()
            .ok_or_else(|| wrong(name))
    };
    let (first, last) = (day("first_day")?, day("last_day")?);
    let ids = crate::arrow::texts(column("id")?)?;
    let count = |a: &Int64Array, row| {
        if a.is_null(row) {
            0
        } else {
            a.value(row) as u64
        }
    };
    for (row, id) in ids.iter().enumerate() {
        let lines = count(&rows, row);
        read.read += lines;
        let Some(id) = id else {
            read.rejected += lines;
            continue;
        };
        read.after_as_of += count(&after, row);
        let frequency = count(&frequency, row);
        if frequency == 0 {
            continue;
        }
        let customer_id = CustomerId::new(id)
            .map_err(|e| Error::Plan(format!("the plan kept a bad id {id:?}: {e}")))?;
        let money_of = |m: &Option<Money>| -> Result<Decimal, Error> {
            Ok(match m {
                Some(m) => m.get(row, id)?.unwrap_or(Decimal::ZERO),
                None => Decimal::ZERO,
            })
        };
        // In the core crate's order, so that an overflow names the same figure.
        let monetary = monetary.get(row, id)?.unwrap_or(Decimal::ZERO);
        let monetary_current = money_of(&current)?;
        let monetary_previous = money_of(&previous)?;
        let profit = profit
            .as_ref()
            .map(|p| p.get(row, id))
            .transpose()?
            .flatten();
        let growth = match growth {
            true => growth_of(monetary_current, monetary_previous, id)?,
            false => None,
        };
        profiles.push(Profile {
            recency_days: Some(i64::from(as_of_day) - i64::from(last.value(row))),
            frequency,
            transactions: count(&transactions, row),
            monetary,
            profit,
            tenure_days: Some(i64::from(as_of_day) - i64::from(first.value(row))),
            distinct_products: products
                .as_ref()
                .filter(|p| !p.is_null(row))
                .map(|p| p.value(row) as u64)
                .filter(|&n| n > 0),
            monetary_current,
            monetary_previous,
            growth,
            ..Profile::without_purchases(customer_id)
        });
        kept.push(row);
    }
    Ok(kept)
}
