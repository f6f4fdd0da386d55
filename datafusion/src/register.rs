//! Transactions files and tables made known to a session.

use std::sync::Arc;

use customer_tiering::format::ColumnMapping;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use futures::TryStreamExt;

use crate::error::Error;
use crate::input::{InputKind, TransactionsTable};

/// Registers the files matching `pattern` (a path, a directory or a glob such as
/// `orders/*.parquet`) as table `name`: Parquet files with their own column types, CSV
/// files (the default input format: comma, double quote, a header) with every column
/// as text, to be parsed by the crate's grammar. All files must be of one kind, told by
/// their extension.
///
/// # Errors
/// [`Error::NoFiles`], [`Error::UnknownFormat`], [`Error::Input`] for a missing column or
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
        Some(InputKind::Parquet) => {
            ctx.register_parquet(name, pattern, ParquetReadOptions::default())
                .await?;
        }
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
