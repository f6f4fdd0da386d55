//! What can go wrong, named with where.

use datafusion::error::DataFusionError;
use jiff::civil::Date;

/// An error of the distributed job.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The core crate refused something: a rejected row (under the `fail` policy), an
    /// overflow naming its customer, a file it could not write …
    #[error(transparent)]
    Tiering(#[from] customer_tiering::Error),
    /// The engine failed: a file it could not read, a CSV it could not split into
    /// records, a plan it could not run.
    #[error("DataFusion: {0}")]
    Engine(#[from] DataFusionError),
    /// Arrow refused a batch or a column (a value beyond a decimal column's precision).
    #[error("Arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// A column of the transactions table cannot be read as its field.
    #[error("{table}: column {column:?}: {problem}")]
    Input {
        /// The table (a file pattern or a table name).
        table: String,
        /// The column.
        column: String,
        /// What is wrong with it.
        problem: InputProblem,
    },
    /// A profile batch holds an id the core crate refuses (empty, or past 128 bytes).
    #[error("profiles: row {row}: customer_id: {problem}")]
    BadId {
        /// The 1-based row, counted over the batches.
        row: usize,
        /// What is wrong with the id.
        problem: customer_tiering::profile::IdError,
    },
    /// A preset that is not a classifier (a rule set, a segment map) where only
    /// classifiers are taken.
    #[error(
        "preset {preset:?} is not a classifier; the distributed job takes classifier presets only"
    )]
    NotAClassifier {
        /// The preset's key.
        preset: String,
    },
    /// Rows were rejected where none may be (a conversion that would drop them).
    #[error("{table}: {rejected} of {read} rows rejected; nothing was written")]
    Rejects {
        /// The table.
        table: String,
        /// Rows rejected.
        rejected: u64,
        /// Rows read.
        read: u64,
    },
    /// No file matches the pattern.
    #[error("{pattern}: no file matches")]
    NoFiles {
        /// The pattern as given.
        pattern: String,
    },
    /// Parquet files of one pattern whose schemas differ otherwise than in the decimal
    /// scales of their money columns.
    #[error("{first} and {other} differ: {first_schema} against {other_schema}")]
    Schemas {
        /// The first file of the first schema.
        first: String,
        /// The first file of another.
        other: String,
        /// The first schema.
        first_schema: String,
        /// The other schema.
        other_schema: String,
    },
    /// A pattern names files of a kind this crate does not read.
    #[error("{path}: not a .parquet or .csv file")]
    UnknownFormat {
        /// The first such file.
        path: String,
    },
    /// The growth window reaches before the first representable date.
    #[error("the window of {days} days before {as_of} starts before the first date there is")]
    Window {
        /// The as-of date.
        as_of: Date,
        /// The window.
        days: u32,
    },
    /// The engine's result does not have the shape this crate's plan gives: a bug.
    #[error("the plan's result is not as planned: {0}")]
    Plan(String),
    /// Something asked of the engine's labels where the customers are labelled in this
    /// process ([`LabelPlace::Process`](crate::LabelPlace::Process)).
    #[error(
        "{what} needs the labels made on the engine: no classifier whose labels need the whole population (equal-count quantiles), and on a Ballista cluster a work directory"
    )]
    NotOnEngine {
        /// What asked.
        what: &'static str,
    },
    /// The engine and the core crate's reader disagree on which rows are rejects: a bug.
    #[error("{input}: the engine rejected {engine} rows, the reader {reader}")]
    RejectCount {
        /// The input.
        input: String,
        /// Rows the plan counted as rejects.
        engine: u64,
        /// Rows the core crate's reader rejected.
        reader: u64,
    },
}

/// What is wrong with a column of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputProblem {
    /// The table has no such column.
    #[error("missing (the {field} column)")]
    Missing {
        /// The field it was to hold.
        field: &'static str,
    },
    /// The column's type cannot hold the field exactly.
    #[error("its type {found} cannot be read exactly; wanted {wanted}")]
    Type {
        /// The column's type.
        found: String,
        /// What would do.
        wanted: &'static str,
    },
}
