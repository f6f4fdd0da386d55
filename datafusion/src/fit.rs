//! The fit on the engine: the order statistics every built-in fit reads, computed by
//! plans over the profiles where they are, and handed to the core crate's own fit
//! ([`Pipeline::fit_statistics`]), so that the fitted model is the core crate's, byte for
//! byte, without the profiles ever being gathered.
//!
//! # Exact order statistics
//!
//! A fit asks for the values at some positions of a metric's column sorted, with how
//! many values come before and at each. For each column the engine counts the values
//! and finds the smallest and largest; then it counts the values per bucket of at most
//! 65 536 equal ranges between them (a partitioned aggregation: one row per bucket
//! crosses the network), which tells the bucket of each position; then it counts each
//! distinct value of those few buckets only, and reads the positions off. A bucket that
//! still holds more than 65 536 customers is split again the same way, so the
//! calling process never holds more than a few hundred thousand rows, whatever the
//! population. Whole days and counts usually need no split: their buckets are single
//! values. Where equal amounts written with different scales (`1.5`, `1.50`) meet at a
//! cut point, which of them a fit on the profiles prints is its selection's own choice,
//! which the engine cannot see: such a fit is made on the profiles in the calling
//! process ([`fit`](crate::fit())). Parquet decimals have one scale, so it never happens
//! with them.
//!
//! The core crate asks for positions that depend on a column's length only, so the fit
//! runs twice: once to learn what it asks (answers are placeholders), once with the
//! answers; a fit that asked anew would run again, up to four times.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use customer_tiering::classify::statistics::{FitColumn, FitPopulation, FitStatistics, OrderStat};
use customer_tiering::{FittedPipeline, Metric, Pipeline};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Builder, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Decimal256Type, Int64Type, UInt8Type, i256};
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::error::Error;
use crate::input::TransactionsTable;

/// Buckets per pass, and the most customers one bucket may hold before it is split.
const BUCKETS: i64 = 65_536;

/// `ct_bucket(v, lo, width)`: `floor((v − lo) / width)` of a `Decimal256` value, in
/// the value's own units (`lo` and `width` are its mantissas, as text).
pub(crate) const BUCKET: &str = "ct_bucket";

/// The bucket function, to register with a session.
pub(crate) fn bucket_function() -> ScalarUDF {
    ScalarUDF::new_from_impl(Bucket {
        signature: Signature::any(3, Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Bucket {
    signature: Signature,
}

impl ScalarUDFImpl for Bucket {
    fn name(&self) -> &str {
        BUCKET
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let [value, lo, width] = &args.args[..] else {
            return exec_err!("{BUCKET} takes three arguments");
        };
        let constant = |arg: &ColumnarValue| -> DfResult<i256> {
            let text = crate::parse::text_argument(BUCKET, arg, "bound")?;
            i256::from_string(&text).map_or_else(|| exec_err!("{BUCKET}: bad bound {text}"), Ok)
        };
        let (lo, width) = (constant(lo)?, constant(width)?);
        let values = value.to_array(rows)?;
        let DataType::Decimal256(..) = values.data_type() else {
            return exec_err!("{BUCKET}: a Decimal256 value, got {}", values.data_type());
        };
        let mut out = Int64Builder::with_capacity(rows);
        for v in values.as_primitive::<Decimal256Type>().iter() {
            out.append_option(v.map(|v| {
                let b = v.wrapping_sub(lo).wrapping_div(width);
                b.to_i128()
                    .and_then(|b| i64::try_from(b).ok())
                    .unwrap_or(if b < i256::ZERO { i64::MIN } else { i64::MAX })
            }));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish()) as ArrayRef))
    }
}

/// How a fit column reads off the profiles table: its value as `Decimal256(76, s)`, its
/// written scale, and which customers have it.
struct ColumnSql {
    value: String,
    scale: String,
    filter: String,
    sum_scale: u32,
}

/// The SQL of a fit column over the profile plan's result, or none for a metric the plan
/// does not give as a column (growth is computed in the calling process).
fn column_sql(column: FitColumn, as_of: Date, table: &TransactionsTable) -> Option<ColumnSql> {
    let amount_scale = table.columns.amount.sum_scale as u32;
    let profit_scale = table
        .columns
        .profit
        .as_ref()
        .map_or(0, |p| p.sum_scale as u32);
    let day = customer_tiering::dates::day_number(as_of);
    let least = if column.repeat_only { 2 } else { 1 };
    let buyers = format!("id IS NOT NULL AND frequency >= {least}");
    let int = |expr: String| ColumnSql {
        value: format!("CAST({expr} AS DECIMAL(76, 0))"),
        scale: "arrow_cast(0, 'UInt8')".into(),
        filter: buyers.clone(),
        sum_scale: 0,
    };
    let money = |value: &str, scale: &str, none_is_zero: bool, money_scale: u32| ColumnSql {
        value: match none_is_zero {
            true => format!("COALESCE({value}, CAST(0 AS DECIMAL(76, {money_scale})))"),
            false => value.to_string(),
        },
        scale: format!("COALESCE({scale}, arrow_cast(0, 'UInt8'))"),
        filter: match none_is_zero {
            true => buyers.clone(),
            false => format!("{buyers} AND {value} IS NOT NULL"),
        },
        sum_scale: money_scale,
    };
    Some(match column.metric {
        Metric::RecencyDays => int(format!("{day} - arrow_cast(last_day, 'Int32')")),
        Metric::TenureDays => int(format!("{day} - arrow_cast(first_day, 'Int32')")),
        Metric::Frequency => int("frequency".into()),
        Metric::Transactions => int("transactions".into()),
        Metric::DistinctProducts => ColumnSql {
            filter: format!("{buyers} AND distinct_products > 0"),
            ..int("distinct_products".into())
        },
        Metric::Monetary => money("monetary", "monetary_scale", true, amount_scale),
        Metric::MonetaryCurrent => money("current", "current_scale", true, amount_scale),
        Metric::MonetaryPrevious => money("previous", "previous_scale", true, amount_scale),
        Metric::Profit => money("profit", "profit_scale", false, profit_scale),
        _ => return None,
    })
}

/// What the core fit asked and what the engine answered.
struct Answers {
    as_of: Date,
    buyers: usize,
    lengths: HashMap<FitColumn, usize>,
    known: HashMap<(FitColumn, bool, usize), OrderStat>,
    asked: RefCell<Vec<(FitColumn, bool, usize)>>,
}

impl FitStatistics for Answers {
    /// Without a customers source every customer of the profiles bought.
    fn population(&self) -> FitPopulation {
        FitPopulation {
            as_of: self.as_of,
            customers: self.buyers,
            buyers: self.buyers,
        }
    }

    fn len(&self, column: FitColumn) -> usize {
        self.lengths.get(&column).copied().unwrap_or(0)
    }

    fn order_stats(
        &self,
        column: FitColumn,
        positions: &[usize],
        descending: bool,
    ) -> Vec<OrderStat> {
        positions
            .iter()
            .map(|&p| match self.known.get(&(column, descending, p)) {
                Some(stat) => *stat,
                None => {
                    self.asked.borrow_mut().push((column, descending, p));
                    // A placeholder, consistent with the position: the next round has
                    // the answer.
                    OrderStat {
                        value: Decimal::ZERO,
                        less: p.saturating_sub(1),
                        not_more: p,
                    }
                }
            })
            .collect()
    }
}

/// Fits `pipeline` on the order statistics of the profiles table `profiles` (the
/// result of [`profile_plan`](crate::profile_plan)), computed on the engine.
///
/// # Errors
/// [`Error::Tiering`] with `ConfigError::NeedsProfiles` for a classifier that reads more
/// than order statistics of the plan's columns (growth, an application's classifier,
/// a fill by the median …): fit those on the profiles; [`Error::Engine`] when a plan
/// fails.
pub async fn fit_on_engine(
    ctx: &SessionContext,
    profiles: &str,
    table: &TransactionsTable,
    pipeline: &Pipeline,
    as_of: Date,
) -> Result<FittedPipeline, Error> {
    crate::register_functions(ctx);
    let columns = pipeline.fit_columns();
    let mut sql = Vec::new();
    for &column in &columns {
        let Some(s) = column_sql(column, as_of, table) else {
            let what = format!(
                "metric {} is not a column of the profile plan",
                column.metric
            );
            let needs = customer_tiering::ConfigError::NeedsProfiles { what };
            return Err(customer_tiering::Error::from(needs).into());
        };
        sql.push((column, s));
    }
    let table = crate::input::quote(profiles);
    // One plan for what every column needs first: its length and its bounds.
    let mut select =
        vec!["count(*) FILTER (WHERE id IS NOT NULL AND frequency >= 1) AS buyers".to_string()];
    for (i, (_, s)) in sql.iter().enumerate() {
        let filter = &s.filter;
        select.push(format!("count(*) FILTER (WHERE {filter}) AS n{i}"));
        select.push(format!("min({}) FILTER (WHERE {filter}) AS lo{i}", s.value));
        select.push(format!("max({}) FILTER (WHERE {filter}) AS hi{i}", s.value));
    }
    let first = ctx
        .sql(&format!("SELECT {} FROM {table}", select.join(", ")))
        .await?
        .collect()
        .await?;
    let first = first
        .iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| Error::Plan("a global aggregate gave no row".into()))?;
    let int = |i: usize| -> Result<usize, Error> {
        let c = first.column(i).as_primitive_opt::<Int64Type>();
        c.map(|c| c.value(0) as usize)
            .ok_or_else(|| Error::Plan("a count that is not an integer".into()))
    };
    let bound = |i: usize| -> Result<Option<i256>, Error> {
        let c = first.column(i).as_primitive_opt::<Decimal256Type>();
        let c = c.ok_or_else(|| Error::Plan("a bound that is not a Decimal256".into()))?;
        Ok((!c.is_null(0)).then(|| c.value(0)))
    };
    let mut answers = Answers {
        as_of,
        buyers: int(0)?,
        lengths: HashMap::new(),
        known: HashMap::new(),
        asked: RefCell::new(Vec::new()),
    };
    let mut bounds = HashMap::new();
    for (i, (column, _)) in sql.iter().enumerate() {
        answers.lengths.insert(*column, int(1 + 3 * i)?);
        if let (Some(lo), Some(hi)) = (bound(2 + 3 * i)?, bound(3 + 3 * i)?) {
            bounds.insert(*column, (lo, hi));
        }
    }
    for _round in 0..4 {
        let fitted = pipeline.fit_statistics(&answers);
        let asked = std::mem::take(&mut *answers.asked.borrow_mut());
        if asked.is_empty() {
            return Ok(fitted?);
        }
        // The columns' searches run side by side: on a cluster each plan is a job.
        let mut searches = Vec::new();
        for (column, s) in &sql {
            let n = answers.len(*column);
            let mut ascending: Vec<usize> = asked
                .iter()
                .filter(|(c, _, _)| c == column)
                .map(|&(_, descending, p)| if descending { n + 1 - p } else { p })
                .filter(|&q| (1..=n).contains(&q))
                .collect();
            ascending.sort_unstable();
            ascending.dedup();
            let Some(&bounds) = bounds.get(column).filter(|_| !ascending.is_empty()) else {
                continue;
            };
            let table = &table;
            searches.push(async move {
                let found = order_values(ctx, table, s, bounds, n, &ascending).await?;
                Ok::<_, Error>((*column, n, found))
            });
        }
        for (column, n, found) in futures::future::try_join_all(searches).await? {
            for &(_, descending, p) in asked.iter().filter(|(c, _, _)| *c == column) {
                let q = if descending { n + 1 - p } else { p };
                let Some(&(value, lt, le)) = found.get(&q) else {
                    continue;
                };
                let stat = match descending {
                    false => OrderStat {
                        value,
                        less: lt,
                        not_more: le,
                    },
                    true => OrderStat {
                        value,
                        less: n - le,
                        not_more: n - lt,
                    },
                };
                answers.known.insert((column, descending, p), stat);
            }
        }
    }
    Err(Error::Plan(
        "the fit kept asking for new order statistics".into(),
    ))
}

/// A mantissa at `scale` as an SQL decimal literal of type `Decimal256(76, scale)`.
fn literal(mantissa: i256, scale: u32) -> String {
    let negative = mantissa < i256::ZERO;
    let digits = mantissa.wrapping_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    let sign = if negative { "-" } else { "" };
    let text = if scale == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    };
    format!("CAST('{text}' AS DECIMAL(76, {scale}))")
}

/// The values at 1-based ascending `positions` of a column of `n` values between `lo`
/// and `hi` (its least and greatest), each with the counts strictly below and at most
/// it: `position → (value, lt, le)`.
async fn order_values(
    ctx: &SessionContext,
    table: &str,
    s: &ColumnSql,
    (lo, hi): (i256, i256),
    n: usize,
    positions: &[usize],
) -> Result<HashMap<usize, (Decimal, usize, usize)>, Error> {
    let from = format!(
        "(SELECT id, {} AS v, {} AS s FROM {table} WHERE {})",
        s.value, s.scale, s.filter
    );
    let mut found = HashMap::new();
    // (lo, hi, values below lo, positions inside) still to resolve.
    let mut pending = vec![(lo, hi, 0usize, positions.to_vec())];
    while let Some((lo, hi, below, wanted)) = pending.pop() {
        let span = hi.wrapping_sub(lo).wrapping_add(i256::ONE);
        let buckets = i256::from_i128(i128::from(BUCKETS));
        let width = span
            .wrapping_add(buckets)
            .wrapping_sub(i256::ONE)
            .wrapping_div(buckets)
            .max(i256::ONE);
        let range = format!(
            "v BETWEEN {} AND {}",
            literal(lo, s.sum_scale),
            literal(hi, s.sum_scale)
        );
        let histogram = ctx
            .sql(&format!(
                "SELECT {BUCKET}(v, '{lo}', '{width}') AS b, count(*) AS c FROM {from} \
                 WHERE {range} GROUP BY b ORDER BY b"
            ))
            .await?
            .collect()
            .await?;
        let mut counts: Vec<(i64, usize)> = Vec::new();
        for batch in &histogram {
            let b = batch.column(0).as_primitive::<Int64Type>();
            let c = batch.column(1).as_primitive::<Int64Type>();
            counts.extend((0..batch.num_rows()).map(|i| (b.value(i), c.value(i) as usize)));
        }
        let mut before = below;
        for (b, c) in counts {
            let inside: Vec<usize> = wanted
                .iter()
                .copied()
                .filter(|&q| q > before && q <= before + c)
                .collect();
            if !inside.is_empty() {
                let b_lo = lo.wrapping_add(i256::from_i128(i128::from(b)).wrapping_mul(width));
                let b_hi = b_lo.wrapping_add(width).wrapping_sub(i256::ONE).min(hi);
                if c as i64 > BUCKETS && width > i256::ONE {
                    pending.push((b_lo, b_hi, before, inside));
                } else {
                    exact_values(ctx, &from, s, (b_lo, b_hi), before, &inside, &mut found).await?;
                }
            }
            before += c;
        }
    }
    debug_assert!(found.len() <= n);
    Ok(found)
}

/// Counts each distinct value in `[lo, hi]` and reads the wanted positions off them.
async fn exact_values(
    ctx: &SessionContext,
    from: &str,
    s: &ColumnSql,
    (lo, hi): (i256, i256),
    below: usize,
    wanted: &[usize],
    found: &mut HashMap<usize, (Decimal, usize, usize)>,
) -> Result<(), Error> {
    let batches = ctx
        .sql(&format!(
            "SELECT v, count(*) AS c, min(s) AS s, max(s) AS s_hi FROM {from} \
             WHERE v BETWEEN {} AND {} GROUP BY v ORDER BY v",
            literal(lo, s.sum_scale),
            literal(hi, s.sum_scale)
        ))
        .await?
        .collect()
        .await?;
    let mut lt = below;
    for batch in &batches {
        let (v, c, own, own_hi) = columns(batch)?;
        for i in 0..batch.num_rows() {
            let c = c.value(i) as usize;
            let le = lt + c;
            for &q in wanted.iter().filter(|&&q| q > lt && q <= le) {
                if own.value(i) != own_hi.value(i) {
                    // Which of the equal values a fit on the profiles prints is its
                    // selection's choice: that fit is made in process instead.
                    let what = "equal amounts written with different scales at a cut point";
                    let needs = customer_tiering::ConfigError::NeedsProfiles { what: what.into() };
                    return Err(customer_tiering::Error::from(needs).into());
                }
                let scale = if own.is_null(i) {
                    0
                } else {
                    u32::from(own.value(i))
                };
                let value = crate::profiles::exact(v.value(i), s.sum_scale as i8, scale as u8)
                    .ok_or_else(|| {
                        Error::Plan(format!(
                            "an order statistic beyond 28 digits at position {q}"
                        ))
                    })?;
                found.insert(q, (value, lt, le));
            }
            lt = le;
        }
    }
    Ok(())
}

type ValueColumns<'a> = (
    &'a datafusion::arrow::array::PrimitiveArray<Decimal256Type>,
    &'a datafusion::arrow::array::PrimitiveArray<Int64Type>,
    &'a datafusion::arrow::array::PrimitiveArray<UInt8Type>,
    &'a datafusion::arrow::array::PrimitiveArray<UInt8Type>,
);

fn columns(batch: &RecordBatch) -> Result<ValueColumns<'_>, Error> {
    let wrong = || Error::Plan("value counts of unexpected types".into());
    Ok((
        batch.column(0).as_primitive_opt().ok_or_else(wrong)?,
        batch.column(1).as_primitive_opt().ok_or_else(wrong)?,
        batch.column(2).as_primitive_opt().ok_or_else(wrong)?,
        batch.column(3).as_primitive_opt().ok_or_else(wrong)?,
    ))
}
