//! Naming each rejected row: the engine counts rejects but cannot tell a file's lines, so
//! when it has counted any, the files are read once more, in name order, to find them.
//!
//! A CSV file is read by the core crate's own reader, which gives the reject `tier`
//! gives: file, 1-based physical line (the header is line 1), field, value and reason. A
//! Parquet file is read record batch by record batch; its rejects are located by the
//! 1-based record number in the file. This pass runs on the calling process and only
//! when there are rejects.

use std::fs::File;

use customer_tiering::dates::parse_date;
use customer_tiering::money::parse_amount;
use customer_tiering::source::{CsvTransactions, Source};
use customer_tiering::{CustomerId, Location, Reject};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::Error;
use crate::input::{InputKind, TransactionsTable};

/// Calls `on_reject` with every rejected row of the table's files, in file and line
/// order, and returns how many there were. `on_reject` returns `false` to stop early
/// (the first reject under the `fail` policy).
///
/// # Errors
/// [`Error::Tiering`] when a file cannot be read, [`Error::Engine`] for a Parquet file
/// that is not one; [`Error::Plan`] for a table that has no files.
pub fn locate_rejects(
    table: &TransactionsTable,
    mut on_reject: impl FnMut(Reject) -> bool,
) -> Result<u64, Error> {
    let mut found = 0;
    for file in table.files() {
        let go_on = match table.kind() {
            InputKind::Csv => csv_rejects(file, &table.mapping, &mut found, &mut on_reject)?,
            InputKind::Parquet => parquet_rejects(file, table, &mut found, &mut on_reject)?,
            InputKind::Table => {
                return Err(Error::Plan(format!(
                    "table {} has no files to locate its rejects in",
                    table.name()
                )));
            }
        };
        if !go_on {
            break;
        }
    }
    Ok(found)
}

fn csv_rejects(
    file: &str,
    mapping: &customer_tiering::format::ColumnMapping,
    found: &mut u64,
    on_reject: &mut impl FnMut(Reject) -> bool,
) -> Result<bool, Error> {
    let mut source = CsvTransactions::from_path(file, mapping)?;
    while let Some(record) = source.next_record() {
        match record {
            Ok(_) => {}
            Err(customer_tiering::Error::Reject(reject)) => {
                *found += 1;
                if !on_reject(*reject) {
                    return Ok(false);
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(true)
}

/// A column's value as the text a reject shows, and whether it is null.
fn shown(column: &ArrayRef, row: usize) -> Option<String> {
    if column.is_null(row) {
        return None;
    }
    datafusion::arrow::util::display::array_value_to_string(column, row).ok()
}

fn is_text(column: &ArrayRef) -> bool {
    matches!(
        column.data_type(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// Why a row of a batch is rejected: its first bad field, the value and the reason, as
/// the core crate's reader checks them (id, date, amount, then profit).
fn first_problem(
    batch: &RecordBatch,
    table: &TransactionsTable,
    row: usize,
) -> Option<(&'static str, String, String)> {
    let missing = || "missing value".to_string();
    for (field, name) in &table.columns.raw {
        let Some(column) = batch.column_by_name(name) else {
            continue;
        };
        let value = shown(column, row);
        let text = value.as_deref().unwrap_or("");
        let problem = match *field {
            "customer_id" => CustomerId::new(text).err().map(|e| e.to_string()),
            "date" if is_text(column) => parse_date(text.as_bytes()).err().map(|e| e.to_string()),
            "amount" if is_text(column) => parse_amount(text).err().map(|e| e.to_string()),
            "profit" if is_text(column) && !text.trim_ascii().is_empty() => {
                parse_amount(text).err().map(|e| e.to_string())
            }
            "date" | "amount" => value.is_none().then(missing),
            _ => None,
        };
        if let Some(reason) = problem {
            return Some((field, text.to_string(), reason));
        }
    }
    None
}

fn parquet_rejects(
    file: &str,
    table: &TransactionsTable,
    found: &mut u64,
    on_reject: &mut impl FnMut(Reject) -> bool,
) -> Result<bool, Error> {
    let open = File::open(file).map_err(|source| customer_tiering::Error::Io {
        path: file.into(),
        source,
    })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(open)
        .map_err(datafusion::error::DataFusionError::from)?
        .build()
        .map_err(datafusion::error::DataFusionError::from)?;
    let mut record = 0u64;
    for batch in reader {
        let batch = batch?;
        for row in 0..batch.num_rows() {
            record += 1;
            if let Some((field, value, reason)) = first_problem(&batch, table, row) {
                *found += 1;
                let location = Location::record(file, record);
                if !on_reject(Reject::new(location, field, value, reason)) {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}
