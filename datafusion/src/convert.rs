//! Transactions rewritten as typed Parquet: what a user does once with a CSV export so
//! that later jobs scan typed columns instead of parsing text.

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{Int64Type, UInt8Type};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::SessionContext;

use crate::error::Error;
use crate::input::TransactionsTable;

/// Writes every accepted row of `table` as Parquet files into the directory `dir`:
/// `customer_id` (`Utf8`, trimmed), `date` (`Date32`), `amount` (`Decimal128(38, s)`
/// with `s` the largest scale written in the column), and `profit` and `product` when the
/// table has them. Values are widened to the column's scale, never rounded; a value's
/// own scale is not kept, so sums of the new files print the column's scale. Returns the
/// number of rows written.
///
/// # Errors
/// [`Error::Rejects`] when any row is rejected (nothing is written: a conversion drops no
/// row silently), [`Error::Engine`] when the engine fails.
pub async fn write_parquet(
    ctx: &SessionContext,
    table: &TransactionsTable,
    dir: &str,
) -> Result<u64, Error> {
    crate::register_functions(ctx);
    let validated = table.validated_sql();
    let has_profit = table.columns.profit.is_some();
    let profit_scale = if has_profit { "max(ps)" } else { "NULL" };
    let counts = ctx
        .sql(&format!(
            "SELECT count(*) FILTER (WHERE NOT ok) AS bad, count(*) AS rows, \
             max(s) FILTER (WHERE ok) AS s, arrow_cast({profit_scale}, 'UInt8') AS ps \
             FROM ({validated})"
        ))
        .await?
        .collect()
        .await?;
    let batch = counts
        .first()
        .filter(|b| b.num_rows() == 1)
        .ok_or_else(|| Error::Plan("a global aggregate gave no row".into()))?;
    let int = |i: usize| batch.column(i).as_primitive::<Int64Type>().value(0) as u64;
    let (bad, rows) = (int(0), int(1));
    if bad > 0 {
        return Err(Error::Rejects {
            table: table.name().to_string(),
            rejected: bad,
            read: rows,
        });
    }
    let scale = |i: usize| batch.column(i).as_primitive::<UInt8Type>().value(0);
    let mut columns = vec![
        "id AS customer_id".to_string(),
        "day AS date".into(),
        format!("CAST(v AS DECIMAL(38, {})) AS amount", scale(2)),
    ];
    if has_profit {
        columns.push(format!("CAST(pv AS DECIMAL(38, {})) AS profit", scale(3)));
    }
    if table.columns.product.is_some() {
        columns.push("product".into());
    }
    let frame = ctx
        .sql(&format!("SELECT {} FROM ({validated})", columns.join(", ")))
        .await?;
    frame
        .write_parquet(dir, DataFrameWriteOptions::new(), None)
        .await?;
    Ok(rows)
}
