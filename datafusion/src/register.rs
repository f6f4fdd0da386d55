//! Transactions files and tables made known to a session.

use std::sync::Arc;

use customer_tiering::format::ColumnMapping;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::{Column, ScalarValue};
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use datafusion::prelude::{cast, col, lit};
use futures::TryStreamExt;

use crate::error::Error;
use crate::input::{InputKind, TransactionsTable, scale_column};

/// Registers the files matching `pattern` (a path, a directory or a glob such as
/// `orders/*.parquet`) as table `name`: Parquet files with their own column types, CSV
/// files (the default input format: comma, double quote, a header) with every column
/// as text, to be parsed by the crate's grammar. All files must be of one kind, told by
/// their extension. Parquet files must have one schema, but for the decimal types of
/// their money columns: files of different scales are read each at its own, exactly.
///
/// # Errors
/// [`Error::NoFiles`], [`Error::UnknownFormat`], [`Error::Schemas`] for Parquet files of
/// other differences, [`Error::Input`] for a missing column or
/// a column that cannot hold its field exactly, [`Error::Engine`] when a file cannot be
/// read.
pub async fn register_transactions(
    ctx: &SessionContext,
    name: &str,
    pattern: &str,
    mapping: &ColumnMapping,
) -> Result<TransactionsTable, Error> {
    let url = ListingTableUrl::parse(pattern)?;
    let store = ctx.runtime_env().object_store(&url)?;
    let state = ctx.state();
    let mut files: Vec<String> = url
        .list_all_files(&state, store.as_ref(), "")
        .await?
        // A local file's location is its path without the leading `/`.
        .map_ok(|meta| match url.scheme() {
            "file" => format!("/{}", meta.location),
            _ => format!("{}{}", url.object_store().as_str(), meta.location),
        })
        .try_collect()
        .await?;
    files.sort();
    // Files are named in rejects as the user named them: the pattern itself for one
    // file, else relative to the working directory where the pattern was relative.
    if std::path::Path::new(pattern).is_file() {
        files = vec![pattern.to_string()];
    } else if std::path::Path::new(pattern).is_relative()
        && let Ok(cwd) = std::env::current_dir()
    {
        let prefix = format!("{}/", cwd.display());
        for file in &mut files {
            if let Some(relative) = file.strip_prefix(&prefix) {
                *file = relative.to_string();
            }
        }
    }
    let Some(first) = files.first() else {
        return Err(Error::NoFiles {
            pattern: pattern.into(),
        });
    };
    let kind_of = |file: &str| {
        let lower = file.to_ascii_lowercase();
        if lower.ends_with(".parquet") {
            Some(InputKind::Parquet)
        } else if lower.ends_with(".csv") {
            Some(InputKind::Csv)
        } else {
            None
        }
    };
    let kind = kind_of(first);
    if let Some(other) = files.iter().find(|f| kind.is_none() || kind_of(f) != kind) {
        return Err(Error::UnknownFormat {
            path: other.clone(),
        });
    }
    match kind {
        Some(InputKind::Parquet) => register_parquet(ctx, name, pattern, &files, mapping).await?,
        _ => {
            // The header's names, then every column as text.
            let probe = CsvReadOptions::new()
                .has_header(true)
                .schema_infer_max_records(0);
            let header = ctx.read_csv(pattern, probe).await?;
            let text: Vec<Field> = header
                .schema()
                .fields()
                .iter()
                .map(|f| Field::new(f.name(), DataType::Utf8, true))
                .collect();
            let schema = Schema::new(text);
            let options = CsvReadOptions::new().has_header(true).schema(&schema);
            ctx.register_csv(name, pattern, options).await?;
        }
    }
    let kind = kind.unwrap_or(InputKind::Csv);
    let schema = Arc::clone(ctx.table(name).await?.schema().inner());
    TransactionsTable::new(name, kind, files, &schema, mapping)
}

/// Describes a table already registered with the session (record batches, a view, a
/// table of the user's own provider): text columns are parsed by the grammar, typed
/// ones taken as they are, as for Parquet.
///
/// # Errors
/// [`Error::Engine`] when there is no such table, [`Error::Input`] as for
/// [`register_transactions`].
pub async fn register_table(
    ctx: &SessionContext,
    name: &str,
    mapping: &ColumnMapping,
) -> Result<TransactionsTable, Error> {
    let schema = Arc::clone(ctx.table(name).await?.schema().inner());
    TransactionsTable::new(name, InputKind::Table, Vec::new(), &schema, mapping)
}

/// Registers Parquet files as one table. Files whose money columns (`amount`, `profit`)
/// have different decimal types (`Decimal128(38, 2)` in one, `(38, 4)` in another) are
/// read per schema and joined: each money column widened to the largest scale, exactly,
/// beside a column of each row's own scale (`__ct_scale_<column>`), so that sums print as
/// `tier` prints the same values written in CSV. Any other difference is refused.
async fn register_parquet(
    ctx: &SessionContext,
    name: &str,
    pattern: &str,
    files: &[String],
    mapping: &ColumnMapping,
) -> Result<(), Error> {
    let mut groups: Vec<(SchemaRef, Vec<String>)> = Vec::new();
    for file in files {
        let frame = ctx
            .read_parquet(file.as_str(), ParquetReadOptions::default())
            .await?;
        let schema = Arc::clone(frame.schema().inner());
        let schema = Arc::new(Schema::new(schema.fields().clone()));
        match groups.iter_mut().find(|(s, _)| *s == schema) {
            Some((_, group)) => group.push(file.clone()),
            None => groups.push((schema, vec![file.clone()])),
        }
    }
    if groups.len() <= 1 {
        ctx.register_parquet(name, pattern, ParquetReadOptions::default())
            .await?;
        return Ok(());
    }
    let money = [mapping.amount.as_str(), mapping.profit.as_str()];
    let (first, first_files) = &groups[0];
    // Per money column that differs: the largest scale among the groups.
    let mut widest: Vec<(String, i8)> = Vec::new();
    for (schema, group) in &groups[1..] {
        let differ = || Error::Schemas {
            first: first_files[0].clone(),
            other: group[0].clone(),
            first_schema: first.to_string(),
            other_schema: schema.to_string(),
        };
        let names = |s: &Schema| {
            s.fields()
                .iter()
                .map(|f| f.name().clone())
                .collect::<Vec<_>>()
        };
        if names(first) != names(schema) {
            return Err(differ());
        }
        for (a, b) in first.fields().iter().zip(schema.fields()) {
            if a.data_type() == b.data_type() {
                continue;
            }
            let (Some(sa), Some(sb)) = (money_scale(a.data_type()), money_scale(b.data_type()))
            else {
                return Err(differ());
            };
            if !money.contains(&a.name().as_str()) {
                return Err(differ());
            }
            match widest.iter_mut().find(|(n, _)| n == a.name()) {
                Some((_, s)) => *s = (*s).max(sa).max(sb),
                None => widest.push((a.name().clone(), sa.max(sb))),
            }
        }
    }
    let mut joined: Option<datafusion::prelude::DataFrame> = None;
    for (schema, group) in &groups {
        let frame = ctx
            .read_parquet(group.clone(), ParquetReadOptions::default())
            .await?;
        let mut columns = Vec::new();
        for field in schema.fields() {
            let column = col(Column::from_name(field.name()));
            match widest.iter().find(|(n, _)| n == field.name()) {
                Some((_, scale)) => {
                    let own = money_scale(field.data_type()).unwrap_or(0);
                    let widened = DataType::Decimal256(76, *scale);
                    columns.push(cast(column, widened).alias(field.name()));
                    let own = lit(ScalarValue::UInt8(Some(own as u8)));
                    columns.push(own.alias(scale_column(field.name())));
                }
                None => columns.push(column),
            }
        }
        let frame = frame.select(columns)?;
        joined = Some(match joined {
            Some(all) => all.union(frame)?,
            None => frame,
        });
    }
    let joined = joined.expect("two groups or more");
    ctx.register_table(name, joined.into_view())?;
    Ok(())
}

/// The scale of a decimal or integer column; none for other types.
fn money_scale(data_type: &DataType) -> Option<i8> {
    match data_type {
        DataType::Decimal32(_, s)
        | DataType::Decimal64(_, s)
        | DataType::Decimal128(_, s)
        | DataType::Decimal256(_, s) => Some(*s),
        t if t.is_integer() => Some(0),
        _ => None,
    }
}
