//! The files of a run ([CLI files](crate::definitions#cli-files-and-exit-codes), [output
//! safety](crate::definitions#output-safety)): `tiers.csv` — the profile metrics and every
//! label of each customer, in id order, money exact, a none value an empty field — and its
//! JSON Lines twin; and [`OutputDir`], which puts a run's files in place all or nothing,
//! one run per directory, with no stale files left beside them; with the `xlsx` feature,
//! [`TiersWorkbook`] writes `tiers.xlsx`.
//!
//! # Example
//! ```
//! use customer_tiering::classify::pareto::ParetoParams;
//! use customer_tiering::output::{write_tiers_csv, write_tiers_jsonl};
//! use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for (id, amount) in [("B", "5.00"), ("A", "120.40")] {
//!     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), amount.parse().unwrap()))?;
//! }
//! let population = b.finish()?;
//! let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
//! let (mut csv, mut jsonl) = (Vec::new(), Vec::new());
//! write_tiers_csv("tiers.csv", &population, &tiering, &mut csv)?;
//! write_tiers_jsonl("tiers.jsonl", &population, &tiering, &mut jsonl)?;
//! let csv = String::from_utf8(csv).unwrap();
//! assert_eq!(csv.lines().nth(1), Some("A,30,1,1,120.40,30,platinum")); // in id order
//! assert_eq!(String::from_utf8(jsonl).unwrap().lines().count(), 2);
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::io::Write;

mod dir;
mod early_sync;
mod format;
#[cfg(feature = "xlsx")]
mod xlsx;

pub use dir::{Committed, LOCK_FILE, OutputDir, OutputFile, TEMP_PREFIX, TIER_FILES};
#[cfg(feature = "xlsx")]
pub use xlsx::{CUSTOMERS_PER_SHEET, SheetCell, TiersWorkbook, XLSX_REJECTS};

use crate::error::{Error, Position, Reject};
use crate::migration::{Cell, ColumnMigration};
use crate::pipeline::Tiering;
use crate::profile::Population;
use format::Rows;

/// The metric columns that open every `tiers.csv`.
///
/// # Example
/// ```
/// use customer_tiering::output::METRIC_COLUMNS;
/// assert_eq!(METRIC_COLUMNS.join(","), "customer_id,recency_days,frequency,transactions,monetary,tenure_days");
/// ```
pub const METRIC_COLUMNS: [&str; 6] = [
    "customer_id",
    "recency_days",
    "frequency",
    "transactions",
    "monetary",
    "tenure_days",
];

/// The header of `rejects.csv` ([bad input](crate::definitions#bad-input-and-rejects), [CLI
/// files](crate::definitions#cli-files-and-exit-codes)).
///
/// # Example
/// ```
/// use customer_tiering::output::REJECT_COLUMNS;
/// assert_eq!(REJECT_COLUMNS.join(","), "source,line,field,value,reason");
/// ```
pub const REJECT_COLUMNS: [&str; 5] = ["source", "line", "field", "value", "reason"];

/// The header of `migration.csv` ([migration](crate::definitions#migration), [CLI
/// files](crate::definitions#cli-files-and-exit-codes)).
///
/// # Example
/// ```
/// use customer_tiering::output::MIGRATION_COLUMNS;
/// assert_eq!(MIGRATION_COLUMNS.join(","), "classifier,from,to,customers,monetary_before,monetary_after");
/// ```
pub const MIGRATION_COLUMNS: [&str; 6] = [
    "classifier",
    "from",
    "to",
    "customers",
    "monetary_before",
    "monetary_after",
];

/// The non-empty cells of migration matrices in `migration.csv`'s row order: by
/// classifier column, then from, then to (byte order): `(column, from, to, cell)`.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::migration::{migrate, Period};
/// use customer_tiering::output::migration_rows;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let period = |as_of| -> Result<_, customer_tiering::Error> {
///     let mut b = PopulationBuilder::new(as_of);
///     b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
///     let population = b.finish()?;
///     let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
///     Ok(Period::from_tiering(&population, &tiering))
/// };
/// let orders = [("metal".to_string(), vec!["platinum".into(), "gold".into(), "iron".into(), "lead".into()])].into();
/// let matrices = migrate(&period(date(2026, 3, 31))?, &period(date(2026, 6, 30))?, &orders)?;
/// let rows: Vec<_> = migration_rows(&matrices).map(|(c, f, t, cell)| (c, f, t, cell.customers)).collect();
/// assert_eq!(rows, [("metal", "platinum", "platinum", 1)]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn migration_rows(
    migration: &[ColumnMigration],
) -> impl Iterator<Item = (&str, &str, &str, &Cell)> {
    let mut sorted: Vec<&ColumnMigration> = migration.iter().collect();
    sorted.sort_by(|a, b| a.column.cmp(&b.column));
    sorted.into_iter().flat_map(|m| {
        m.cells
            .iter()
            .map(move |((from, to), cell)| (m.column.as_str(), from.as_str(), to.as_str(), cell))
    })
}

/// One row of `rejects.csv`, in the order of [`REJECT_COLUMNS`].
///
/// The `line` column holds a file's physical line as its bare number ([bad
/// input](crate::definitions#bad-input-and-rejects)), so a file's rejects are written
/// exactly as the [CLI files](crate::definitions#cli-files-and-exit-codes) say. Any other
/// position is written as its location shows it (`record 9`, `table orders, row 42`): a
/// bare number in that column is always a line of a file, never a record number or a row
/// key.
///
/// # Example
/// ```
/// use customer_tiering::output::{reject_row, REJECT_COLUMNS};
/// use customer_tiering::{Location, Reject};
/// let rejects = [
///     Reject::new(Location::line("orders.csv", 17), "amount", "12,50", "not a decimal"),
///     Reject::new(Location::record("queue", 9), "date", "2026-02-30", "no such calendar day"),
///     Reject::new(Location::row("crm.sqlite", "orders", 42), "customer_id", "", "empty customer id"),
/// ];
/// let mut out = csv::Writer::from_writer(Vec::new());
/// out.write_record(REJECT_COLUMNS)?;
/// for reject in &rejects {
///     out.write_record(reject_row(reject))?;
/// }
/// assert_eq!(
///     String::from_utf8(out.into_inner()?)?,
///     "source,line,field,value,reason\n\
///      orders.csv,17,amount,\"12,50\",not a decimal\n\
///      queue,record 9,date,2026-02-30,no such calendar day\n\
///      crm.sqlite,\"table orders, row 42\",customer_id,,empty customer id\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn reject_row(reject: &Reject) -> [String; 5] {
    let location = reject.location();
    let position = match location.position() {
        Position::Line(line) => line.to_string(),
        other => other.to_string(),
    };
    [
        location.source().to_string(),
        position,
        reject.field().to_string(),
        reject.value().to_string(),
        reject.reason().to_string(),
    ]
}

/// Writes `tiers.csv` for a population and its labels (one row per customer of the
/// population, in id order); `what` names the destination in errors.
///
/// # Errors
/// [`Error::Io`] when writing fails.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::output::write_tiers_csv;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
/// let population = b.finish()?;
/// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// let mut out = Vec::new();
/// write_tiers_csv("tiers.csv", &population, &tiering, &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "customer_id,recency_days,frequency,transactions,monetary,tenure_days,metal\nC1,30,1,1,12.50,30,platinum\n");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn write_tiers_csv<W: Write>(
    what: &str,
    population: &Population,
    tiering: &Tiering,
    mut writer: W,
) -> Result<(), Error> {
    let io = |source: std::io::Error| Error::Io {
        path: what.into(),
        source,
    };
    let mut header = Vec::new();
    let names = METRIC_COLUMNS
        .iter()
        .copied()
        .chain(tiering.columns().iter().map(String::as_str));
    for (i, name) in names.enumerate() {
        if i > 0 {
            header.push(b',');
        }
        format::csv_field(&mut header, name.as_bytes());
    }
    header.push(b'\n');
    writer.write_all(&header).map_err(io)?;
    // Each column's labels formatted once, then copied into the rows by their code.
    let cells: Vec<Vec<format::Cell>> = (0..tiering.columns().len())
        .map(|column| {
            let labels = tiering.dictionary(column).iter();
            labels.map(format::Cell::csv).collect()
        })
        .collect();
    write_rows(Rows::Csv, population, tiering, &cells, &mut writer).map_err(io)?;
    writer.flush().map_err(io)
}

/// A row per customer of `population`: its metrics and, per column of `tiering`, the
/// cell of its label's code.
fn write_rows<W: Write>(
    rows: Rows,
    population: &Population,
    tiering: &Tiering,
    cells: &[Vec<format::Cell>],
    writer: &mut W,
) -> std::io::Result<()> {
    let customers = population.columns();
    let count = population.len().min(tiering.len());
    format::write_rows(count, writer, |out, row| {
        let labels = cells.iter().enumerate();
        let labels = labels.map(|(column, cells)| &cells[tiering.code(row, column)]);
        format::row(rows, out, customers, row, labels);
    })
}

/// Writes `tiers.jsonl` ([CLI files](crate::definitions#cli-files-and-exit-codes) `--format
/// jsonl`): one JSON object per customer, keys the `tiers.csv` header; integers (metrics,
/// quantile scores) as JSON numbers, money as exact decimal strings, other labels as
/// strings, none as null.
///
/// # Errors
/// [`Error::Io`] when writing fails.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::output::write_tiers_jsonl;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
/// let population = b.finish()?;
/// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// let mut out = Vec::new();
/// write_tiers_jsonl("tiers.jsonl", &population, &tiering, &mut out)?;
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "{\"customer_id\":\"C1\",\"recency_days\":30,\"frequency\":1,\"transactions\":1,\"monetary\":\"12.50\",\"tenure_days\":30,\"metal\":\"platinum\"}\n"
/// );
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn write_tiers_jsonl<W: Write>(
    what: &str,
    population: &Population,
    tiering: &Tiering,
    mut writer: W,
) -> Result<(), Error> {
    let io = |source: std::io::Error| Error::Io {
        path: what.into(),
        source,
    };
    // serde_json's Map keeps keys sorted unless told otherwise: lines are written by
    // hand so that keys come in the CSV header's order. Each label column's key, and
    // whether an empty name there is none (`tags`), are worked out once.
    let cells: Vec<Vec<format::Cell>> = tiering
        .columns()
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let mut key = b",".to_vec();
            format::json_str(&mut key, column);
            key.push(b':');
            let tags = column == crate::pipeline::TAGS;
            let labels = tiering.dictionary(index).iter();
            labels
                .map(|label| format::Cell::jsonl(&key, tags, label))
                .collect()
        })
        .collect();
    write_rows(Rows::Jsonl, population, tiering, &cells, &mut writer).map_err(io)?;
    writer.flush().map_err(io)
}
