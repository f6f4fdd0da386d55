//! `tiers.xlsx` ([CLI files](crate::definitions#cli-files-and-exit-codes), `tier --xlsx`):
//! one workbook for people with the sheets `Management`, `Customers` (continued on
//! `Customers 2`, `Customers 3` … past [`CUSTOMERS_PER_SHEET`] rows), `Migration` (with a
//! comparison), `Warnings` and `Rejects` (under `skip`, the first [`XLSX_REJECTS`]).
//!
//! # What a cell holds
//! - **Text stays text.** Customer ids, labels, reasons and every other string are string
//!   cells, never parsed: `00001` keeps its zeros and `=cmd|' /C calc'!A0` is the literal
//!   text, not a formula (a string cell is data to Excel whatever it starts with; only a
//!   formula cell is evaluated, and this writer makes none).
//! - **Customers equals `tiers.csv`.** The same columns in the same order, and per cell
//!   the text `tiers.csv` has: the metrics, then each label (a score as a number, a name as
//!   text, no label as an empty cell).
//! - **A decimal is a number when Excel shows it exactly**, else text. "Exactly" means: the
//!   decimal has at most 15 significant digits (its mantissa, trailing zeros removed, is
//!   below 10¹⁵). Then the nearest `f64` reads back as the same decimal (any decimal of at
//!   most 15 significant digits survives decimal → `f64` → shortest round-trip decimal
//!   unchanged, the `f64`'s `DBL_DIG`), and Excel, which shows at most 15 significant
//!   digits, shows exactly it. Its number format shows at least two decimals, and more
//!   when the decimal has them (`0.00`, `0.000` …), so no digit is hidden: `12.50` shows
//!   `12.50`, `5` shows `5.00`, `0.1234` shows `0.1234`. A decimal of more significant
//!   digits (`12345678901234.567`) is a text cell holding its exact digits, as
//!   `tiers.csv` prints them.
//! - **An integer is a number** below 10¹⁵ in magnitude, else text (the same reason).
//! - A text longer than Excel's 32,767 characters per cell is cut, ending in `…`.
//!
//! The customers' sheets are streamed row by row (rust_xlsxwriter's constant-memory
//! sheets, spilled to an unnamed temporary file), so memory does not grow with the
//! customers; the small sheets are built in memory.
//!
//! # Example
//! ```
//! use customer_tiering::classify::pareto::ParetoParams;
//! use customer_tiering::output::{SheetCell, TiersWorkbook};
//! use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! use rust_decimal::dec;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for (id, amount) in [("00001", "5.00"), ("=1+1", "120.40")] {
//!     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), amount.parse().unwrap()))?;
//! }
//! let population = b.finish()?;
//! let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
//! let rows = vec![vec![
//!     SheetCell::Text("metal".into()),
//!     SheetCell::Text("Platinum".into()),
//!     SheetCell::Integer(1),
//!     SheetCell::Decimal(dec!(120.40)),
//! ]];
//! let mut xlsx = Vec::new();
//! TiersWorkbook::new(&population, &tiering)
//!     .management(&["classifier", "tier", "customers", "revenue"], &rows)
//!     .write("tiers.xlsx", &mut xlsx)?;
//! assert!(xlsx.starts_with(b"PK")); // a zip container
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::borrow::Cow;
use std::io::Write;

use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::classify::{Label, Warning};
use crate::error::{Error, Position, Reject};
use crate::migration::ColumnMigration;
use crate::pipeline::{TAGS, Tiering};
use crate::profile::{Population, Profile};

use super::{METRIC_COLUMNS, MIGRATION_COLUMNS, REJECT_COLUMNS, format, migration_rows};

/// Customers per `Customers` sheet: Excel's 1,048,576 rows less the header. The next ones
/// continue on `Customers 2`, `Customers 3` …
///
/// # Example
/// ```
/// use customer_tiering::output::CUSTOMERS_PER_SHEET;
/// assert_eq!(CUSTOMERS_PER_SHEET + 1, 1 << 20); // Excel's last row holds the last one
/// ```
pub const CUSTOMERS_PER_SHEET: usize = 1_048_575;

/// Rejects written to the `Rejects` sheet at most: the first ones, in the order found
/// (`rejects.csv` has them all).
///
/// # Example
/// ```
/// use customer_tiering::output::XLSX_REJECTS;
/// assert_eq!(XLSX_REJECTS, 10_000);
/// ```
pub const XLSX_REJECTS: usize = 10_000;

/// The header of the `Warnings` sheet.
const WARNING_COLUMNS: [&str; 4] = ["code", "classifier", "message", "figures"];

/// Excel's most characters (UTF-16 code units) in one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Below this magnitude a decimal's mantissa (trailing zeros removed) or an integer is a
/// number cell: at most 15 significant digits, all of which Excel shows and an `f64` keeps.
const EXACT_BELOW: u128 = 1_000_000_000_000_000;

/// One cell of a sheet given by the caller (the `Management` sheet).
///
/// # Example
/// ```
/// use customer_tiering::output::SheetCell;
/// use rust_decimal::dec;
/// let row = [SheetCell::Text("Gold".into()), SheetCell::Integer(12), SheetCell::Decimal(dec!(0.0400)), SheetCell::Empty];
/// assert_eq!(row[1], SheetCell::Integer(12));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetCell {
    /// A string cell, written as it is (never a formula).
    Text(String),
    /// A whole number: a number cell below 10¹⁵ in magnitude, else text.
    Integer(i64),
    /// A decimal: a number cell showing its every digit when it has at most 15
    /// significant digits, else text (see the module docs).
    Decimal(Decimal),
    /// No value: an empty cell.
    Empty,
}

/// The sheets of `tiers.xlsx` and what fills them; [`TiersWorkbook::write`] writes the
/// workbook.
///
/// Sheets, in order: `Management` (the caller's headers and rows; empty when none are
/// given), `Customers` …, `Migration` (only when [`migration`](Self::migration) is
/// given), `Warnings`, `Rejects` (only when [`rejects`](Self::rejects) is given).
///
/// # Example
/// ```
/// use customer_tiering::classify::Warning;
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::output::TiersWorkbook;
/// use customer_tiering::{CustomerId, Location, PipelineBuilder, PopulationBuilder, Reject, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
/// let population = b.finish()?;
/// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// let warnings = [Warning::new("few_customers", "metal", "1 customer", serde_json::json!(1))];
/// let rejects = [Reject::new(Location::line("orders.csv", 7), "amount", "12,50", "not a decimal")];
/// let mut xlsx = Vec::new();
/// TiersWorkbook::new(&population, &tiering)
///     .warnings(&warnings)
///     .rejects(&rejects)
///     .write("tiers.xlsx", &mut xlsx)?;
/// assert!(!xlsx.is_empty());
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TiersWorkbook<'a> {
    population: &'a Population,
    tiering: &'a Tiering,
    management: (&'a [&'a str], &'a [Vec<SheetCell>]),
    migration: Option<&'a [ColumnMigration]>,
    warnings: &'a [Warning],
    rejects: Option<&'a [Reject]>,
    rows_per_sheet: usize,
    /// The names people read for a column's label (`tier --lang`); none: the keys.
    names: Option<LabelNames<'a>>,
}

/// The display names of labels, by column and label.
#[derive(Clone, Copy)]
struct LabelNames<'a>(&'a (dyn Fn(&str, &str) -> String + Sync));

impl std::fmt::Debug for LabelNames<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LabelNames(..)")
    }
}

impl<'a> TiersWorkbook<'a> {
    /// A workbook of `population`'s customers and their labels in `tiering` (one row
    /// per customer, in id order, as `tiers.csv`), with an empty `Management` sheet, no
    /// `Migration`, no warnings and no `Rejects` until given.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::output::TiersWorkbook;
    /// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
    /// let population = b.finish()?;
    /// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// let mut xlsx = Vec::new();
    /// TiersWorkbook::new(&population, &tiering).write("tiers.xlsx", &mut xlsx)?;
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new(population: &'a Population, tiering: &'a Tiering) -> Self {
        TiersWorkbook {
            population,
            tiering,
            management: (&[], &[]),
            migration: None,
            warnings: &[],
            rejects: None,
            rows_per_sheet: CUSTOMERS_PER_SHEET,
            names: None,
        }
    }

    /// The `Management` sheet: a header row, then `rows` (a row may be shorter or
    /// longer than the header).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
    /// # let population = b.finish()?;
    /// # let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// use customer_tiering::output::{SheetCell, TiersWorkbook};
    /// let rows = vec![vec![SheetCell::Text("Platinum".into()), SheetCell::Integer(1)]];
    /// let book = TiersWorkbook::new(&population, &tiering).management(&["tier", "customers"], &rows);
    /// book.write("tiers.xlsx", Vec::new())?;
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn management(mut self, headers: &'a [&'a str], rows: &'a [Vec<SheetCell>]) -> Self {
        self.management = (headers, rows);
        self
    }

    /// Shows each named label as `names(column, label)` — its display name in the
    /// reader's language — in the `Customers` and `Migration` sheets, instead of its key
    /// (`platinum` → `白金顧客`); scores stay numbers and `tags` stay as written. The
    /// migration's `(none)` is passed too. Without it the sheets carry the keys, as the
    /// CSV files do.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::names::{display_name, Lang};
    /// use customer_tiering::output::TiersWorkbook;
    /// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), 5.into()))?;
    /// let population = b.finish()?;
    /// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// let names = |column: &str, label: &str| display_name(column, label, Lang::ZhHant).to_string();
    /// let mut xlsx = Vec::new();
    /// TiersWorkbook::new(&population, &tiering).label_names(&names).write("tiers.xlsx", &mut xlsx)?;
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn label_names(mut self, names: &'a (dyn Fn(&str, &str) -> String + Sync)) -> Self {
        self.names = Some(LabelNames(names));
        self
    }

    /// The `Migration` sheet: the rows of `migration.csv` (one per non-empty cell, by
    /// classifier, from, to), money as the module docs say.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
    /// # let population = b.finish()?;
    /// # let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// use customer_tiering::migration::{Period, migrate};
    /// use customer_tiering::output::TiersWorkbook;
    /// let period = Period::from_tiering(&population, &tiering);
    /// let migration = migrate(&period, &period, &Default::default())?;
    /// TiersWorkbook::new(&population, &tiering).migration(&migration).write("tiers.xlsx", Vec::new())?;
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn migration(mut self, migration: &'a [ColumnMigration]) -> Self {
        self.migration = Some(migration);
        self
    }

    /// The `Warnings` sheet: code, classifier, message and figures (compact JSON) of each.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
    /// # let population = b.finish()?;
    /// # let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// use customer_tiering::classify::Warning;
    /// use customer_tiering::output::TiersWorkbook;
    /// let warnings = [Warning::new("empty_band", "metal", "gold is empty", serde_json::json!({}))];
    /// TiersWorkbook::new(&population, &tiering).warnings(&warnings).write("tiers.xlsx", Vec::new())?;
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn warnings(mut self, warnings: &'a [Warning]) -> Self {
        self.warnings = warnings;
        self
    }

    /// The `Rejects` sheet: the columns of `rejects.csv`, for the first
    /// [`XLSX_REJECTS`] of `rejects` (a line as a number).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
    /// # let population = b.finish()?;
    /// # let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// use customer_tiering::output::TiersWorkbook;
    /// use customer_tiering::{Location, Reject};
    /// let rejects = [Reject::new(Location::line("orders.csv", 3), "date", "2026-02-30", "no such calendar day")];
    /// TiersWorkbook::new(&population, &tiering).rejects(&rejects).write("tiers.xlsx", Vec::new())?;
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn rejects(mut self, rejects: &'a [Reject]) -> Self {
        self.rejects = Some(rejects);
        self
    }

    /// Customers per `Customers` sheet, so that a test can split sheets without a
    /// million rows.
    #[cfg(test)]
    pub(crate) fn rows_per_sheet(mut self, rows: usize) -> Self {
        self.rows_per_sheet = rows.clamp(1, CUSTOMERS_PER_SHEET);
        self
    }

    /// Writes the workbook to `writer` (an [`OutputFile`](super::OutputFile) to have it
    /// put in place all or nothing); `what` names the destination in errors.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails, or the spill file of the customers' sheets
    /// cannot be made in the temporary directory.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::output::{OutputDir, TiersWorkbook};
    /// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
    /// let population = b.finish()?;
    /// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// let path = std::env::temp_dir().join(format!("ct-doc-xlsx-{}", std::process::id()));
    /// let mut out = OutputDir::open(&path)?;
    /// let file = out.create("tiers.xlsx")?;
    /// let what = file.path().display().to_string();
    /// TiersWorkbook::new(&population, &tiering).write(&what, file)?;
    /// # out.abort()?;
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn write<W: Write + Send>(&self, what: &str, mut writer: W) -> Result<(), Error> {
        let io = |e: XlsxError| Error::Io {
            path: what.into(),
            source: match e {
                XlsxError::IoError(e) => e,
                other => std::io::Error::other(other.to_string()),
            },
        };
        let mut book = Workbook::new();
        // Excel's own level: on a million customers about a third faster than the
        // default 6, for a file a few percent larger.
        book.set_zip_compression_level(3);
        // The document's date is the as-of date, not the clock's: the same run gives
        // the same bytes, like every other file `tier` writes.
        let as_of = self.population.as_of();
        if let Ok(date) = ExcelDateTime::from_ymd(
            u16::try_from(as_of.year()).unwrap_or(1900),
            as_of.month() as u8,
            as_of.day() as u8,
        ) {
            book.set_properties(&DocProperties::new().set_creation_datetime(&date));
        }
        let formats = Formats::new();
        self.write_sheets(&mut book, &formats).map_err(io)?;
        book.save_to_writer(&mut writer).map_err(io)?;
        writer.flush().map_err(|source| Error::Io {
            path: what.into(),
            source,
        })
    }

    fn write_sheets(&self, book: &mut Workbook, formats: &Formats) -> Result<(), XlsxError> {
        let (headers, rows) = self.management;
        let sheet = book.add_worksheet().set_name("Management")?;
        header(sheet, headers.iter().copied(), formats)?;
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                write_cell(sheet, r + 1, c, cell, formats)?;
            }
        }
        if !headers.is_empty() {
            sheet.set_freeze_panes(1, 0)?;
        }
        self.write_customers(book, formats)?;
        if let Some(migration) = self.migration {
            let sheet = book.add_worksheet().set_name("Migration")?;
            write_migration(sheet, migration, self.names, formats)?;
        }
        let sheet = book.add_worksheet().set_name("Warnings")?;
        header(sheet, WARNING_COLUMNS, formats)?;
        for (r, w) in self.warnings.iter().enumerate() {
            let figures = w.figures.to_string();
            let cells = [w.code, w.classifier.as_str(), w.message.as_str(), &figures];
            for (c, text) in cells.into_iter().enumerate() {
                write_text(sheet, r + 1, c, text)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        if let Some(rejects) = self.rejects {
            let sheet = book.add_worksheet().set_name("Rejects")?;
            write_rejects(sheet, rejects, formats)?;
        }
        Ok(())
    }

    /// `Customers`, `Customers 2` …: streamed, a header each, frozen, with an autofilter.
    fn write_customers(&self, book: &mut Workbook, formats: &Formats) -> Result<(), XlsxError> {
        let tiering = self.tiering;
        let profiles = self.population.profiles();
        let profiles = &profiles[..profiles.len().min(tiering.len())];
        let columns: Vec<&str> = METRIC_COLUMNS
            .iter()
            .copied()
            .chain(tiering.columns().iter().map(String::as_str))
            .collect();
        // Each column's labels as cells once, then picked per row by their code.
        let labels: Vec<Vec<SheetValue>> = (0..tiering.columns().len())
            .map(|column| {
                let name = &tiering.columns()[column];
                let shown = |label: &Label| match (label, self.names) {
                    (Label::Name(key), Some(names)) if name != TAGS => {
                        SheetValue::Text((names.0)(name, key))
                    }
                    _ => label_value(label),
                };
                tiering.dictionary(column).iter().map(shown).collect()
            })
            .collect();
        let mut start = 0;
        let mut part = 1;
        loop {
            let end = (start + self.rows_per_sheet).min(profiles.len());
            let name = match part {
                1 => "Customers".to_string(),
                n => format!("Customers {n}"),
            };
            let sheet = book.add_worksheet_with_constant_memory()?;
            sheet.set_name(&name)?;
            sheet.set_freeze_panes(1, 0)?;
            sheet.set_column_width(0, 14)?;
            let last_row = row_num(end - start)?;
            let last_col = col_num(columns.len().saturating_sub(1))?;
            sheet.autofilter(0, 0, last_row, last_col)?;
            header(sheet, columns.iter().copied(), formats)?;
            let mut money = Vec::new();
            for (r, (profile, row)) in profiles[start..end].iter().zip(start..).enumerate() {
                let r = r + 1;
                write_metrics(sheet, r, profile, &mut money, formats)?;
                for (column, cells) in labels.iter().enumerate() {
                    let value = &cells[tiering.code(row, column)];
                    write_value(sheet, r, METRIC_COLUMNS.len() + column, value)?;
                }
            }
            if end >= profiles.len() {
                return Ok(());
            }
            start = end;
            part += 1;
        }
    }
}

/// A cell's value as the customers' sheets hold it.
#[derive(Debug, Clone)]
enum SheetValue {
    Text(String),
    Number(f64),
    Empty,
}

/// A label as its cell: the cell texts of `tiers.csv` (a score, a name, empty).
fn label_value(label: &Label) -> SheetValue {
    match label {
        Label::Score(score) => SheetValue::Number(f64::from(*score)),
        Label::Name(name) => SheetValue::Text(name.to_string()),
        Label::Unscored(_) => SheetValue::Empty,
    }
}

/// The metric cells of a `Customers` row, as `tiers.csv`'s metric columns.
fn write_metrics(
    sheet: &mut Worksheet,
    r: usize,
    profile: &Profile,
    money: &mut Vec<u8>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let row = row_num(r)?;
    write_text(sheet, r, 0, profile.customer_id.as_str())?;
    if let Some(days) = profile.recency_days {
        write_integer(sheet, row, 1, i128::from(days))?;
    }
    write_integer(sheet, row, 2, i128::from(profile.frequency))?;
    write_integer(sheet, row, 3, i128::from(profile.transactions))?;
    write_decimal(sheet, row, 4, profile.monetary, money, formats)?;
    if let Some(days) = profile.tenure_days {
        write_integer(sheet, row, 5, i128::from(days))?;
    }
    Ok(())
}

fn write_value(
    sheet: &mut Worksheet,
    r: usize,
    c: usize,
    value: &SheetValue,
) -> Result<(), XlsxError> {
    match value {
        SheetValue::Text(text) => write_text(sheet, r, c, text),
        SheetValue::Number(n) => sheet.write_number(row_num(r)?, col_num(c)?, *n).map(drop),
        SheetValue::Empty => Ok(()),
    }
}

fn write_cell(
    sheet: &mut Worksheet,
    r: usize,
    c: usize,
    cell: &SheetCell,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let (row, col) = (row_num(r)?, col_num(c)?);
    match cell {
        SheetCell::Text(text) => write_text(sheet, r, c, text),
        SheetCell::Integer(n) => write_integer(sheet, row, col, i128::from(*n)),
        SheetCell::Decimal(d) => write_decimal(sheet, row, col, *d, &mut Vec::new(), formats),
        SheetCell::Empty => Ok(()),
    }
}

/// The `Migration` sheet: `migration.csv`'s rows, in its order.
fn write_migration(
    sheet: &mut Worksheet,
    migration: &[ColumnMigration],
    names: Option<LabelNames<'_>>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let shown = |column: &str, label: &str| match names {
        Some(names) => (names.0)(column, label),
        None => label.to_string(),
    };
    header(sheet, MIGRATION_COLUMNS, formats)?;
    let mut money = Vec::new();
    for (r, (column, from, to, cell)) in migration_rows(migration).enumerate() {
        let r = r + 1;
        let row = row_num(r)?;
        write_text(sheet, r, 0, column)?;
        write_text(sheet, r, 1, &shown(column, from))?;
        write_text(sheet, r, 2, &shown(column, to))?;
        write_integer(sheet, row, 3, i128::from(cell.customers))?;
        write_decimal(sheet, row, 4, cell.monetary_before, &mut money, formats)?;
        write_decimal(sheet, row, 5, cell.monetary_after, &mut money, formats)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The `Rejects` sheet: `rejects.csv`'s columns for the first [`XLSX_REJECTS`].
fn write_rejects(
    sheet: &mut Worksheet,
    rejects: &[Reject],
    formats: &Formats,
) -> Result<(), XlsxError> {
    header(sheet, REJECT_COLUMNS, formats)?;
    for (r, reject) in rejects.iter().take(XLSX_REJECTS).enumerate() {
        let r = r + 1;
        let cells = super::reject_row(reject);
        for (c, text) in cells.iter().enumerate() {
            match reject.location().position() {
                Position::Line(line) if c == 1 => {
                    write_integer(sheet, row_num(r)?, 1, i128::from(*line))?
                }
                _ => write_text(sheet, r, c, text)?,
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The formats every sheet shares.
struct Formats {
    header: Format,
    /// `0.00`, `0.000` … by the decimals shown less two, made when first needed.
    decimals: std::cell::RefCell<Vec<Option<Format>>>,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new().set_bold(),
            decimals: Default::default(),
        }
    }

    /// The number format showing `places` decimals (at least two).
    fn decimals(&self, places: u32) -> Format {
        let places = places.max(2) as usize;
        let mut cache = self.decimals.borrow_mut();
        if cache.len() <= places {
            cache.resize(places + 1, None);
        }
        cache[places]
            .get_or_insert_with(|| {
                Format::new().set_num_format(format!("0.{}", "0".repeat(places)))
            })
            .clone()
    }
}

fn header<'h>(
    sheet: &mut Worksheet,
    names: impl IntoIterator<Item = &'h str>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (c, name) in names.into_iter().enumerate() {
        sheet.write_string_with_format(0, col_num(c)?, fit_text(name), &formats.header)?;
    }
    Ok(())
}

/// A string cell: literal text whatever it starts with (`=`, `+`, `-`, `@`), cut to
/// Excel's limit.
fn write_text(sheet: &mut Worksheet, r: usize, c: usize, text: &str) -> Result<(), XlsxError> {
    sheet
        .write_string(row_num(r)?, col_num(c)?, fit_text(text))
        .map(drop)
}

/// A number cell when `n` has at most 15 digits, else its digits as text.
fn write_integer(sheet: &mut Worksheet, row: u32, col: u16, n: i128) -> Result<(), XlsxError> {
    if n.unsigned_abs() < EXACT_BELOW {
        // Exact: below 10^15 < 2^53.
        sheet.write_number(row, col, n as f64)?;
    } else {
        sheet.write_string(row, col, n.to_string())?;
    }
    Ok(())
}

/// A decimal as the module docs say: a number showing its every digit when
/// [`exact_f64`] holds, else the text `tiers.csv` prints (`scratch` holds it).
fn write_decimal(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Decimal,
    scratch: &mut Vec<u8>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match exact_f64(value) {
        Some(x) => {
            sheet.write_number_with_format(row, col, x, &formats.decimals(value.scale()))?;
        }
        None => {
            scratch.clear();
            format::push_decimal(scratch, value);
            sheet.write_string(row, col, String::from_utf8_lossy(scratch))?;
        }
    }
    Ok(())
}

/// The `f64` nearest `value` when `value` has at most 15 significant digits (see the
/// module docs): then that `f64`, printed shortest, reads back as `value`.
pub(crate) fn exact_f64(value: Decimal) -> Option<f64> {
    let value = value.normalize();
    let mantissa = value.mantissa();
    if mantissa.unsigned_abs() >= EXACT_BELOW {
        return None;
    }
    let scale = value.scale();
    // Both operands are exact in f64 (|mantissa| < 2^53, 10^scale ≤ 10^22), so the one
    // division rounds once: the nearest f64. Past 10^22 the standard library's parser
    // (also correctly rounded) does it.
    if scale <= 22 {
        Some(mantissa as f64 / 10f64.powi(scale as i32))
    } else {
        value.to_string().parse().ok()
    }
}

/// `text`, or its longest start within Excel's cell limit with `…` after it.
fn fit_text(text: &str) -> Cow<'_, str> {
    // A UTF-8 byte never stands for more than one UTF-16 unit.
    if text.len() <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let mut units = 0;
    let mut end = 0;
    for (i, ch) in text.char_indices() {
        units += ch.len_utf16();
        if units > MAX_CELL_CHARS - 1 {
            break;
        }
        end = i + ch.len_utf8();
    }
    if end == text.len() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("{}…", &text[..end]))
}

fn row_num(r: usize) -> Result<u32, XlsxError> {
    u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn a_decimal_of_at_most_15_digits_round_trips_through_its_f64() {
        let samples = [
            dec!(0),
            dec!(0.00),
            dec!(12.50),
            dec!(-3.07),
            dec!(0.1),
            dec!(0.3),
            dec!(999999999999999),
            dec!(99999999999999.9),
            dec!(1234567890123.45),
            dec!(0.000000000000000000000000001),
            dec!(0.1234),
            dec!(5),
        ];
        for value in samples {
            let x = exact_f64(value).expect("15 digits or fewer");
            assert_eq!(x.to_string(), value.normalize().to_string(), "{value}");
        }
        // A spread of mantissas and scales: the definition and the round trip agree.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state % 2_000_000_000_000_000) as i64 - 1_000_000_000_000_000;
            let scale = (state >> 50) as u32 % 29;
            let value = Decimal::new(mantissa, scale);
            let shortest = value.normalize().to_string();
            match exact_f64(value) {
                Some(x) => assert_eq!(x.to_string(), shortest, "{value}"),
                None => assert!(value.normalize().mantissa().unsigned_abs() >= EXACT_BELOW),
            }
        }
    }

    #[test]
    fn sixteen_digits_and_more_stay_text() {
        for value in [
            dec!(1234567890123456),
            dec!(12345678901234.567),
            dec!(79228162514264337593543950335),
            dec!(0.1234567890123456),
        ] {
            assert_eq!(exact_f64(value), None, "{value}");
        }
        // Trailing zeros are not significant.
        assert!(exact_f64(dec!(1.0000000000000000000000000000)).is_some());
    }

    #[test]
    fn long_texts_are_cut_to_excels_cell_limit() {
        assert_eq!(fit_text("=cmd"), "=cmd");
        let fits = "x".repeat(MAX_CELL_CHARS);
        assert_eq!(fit_text(&fits), fits);
        let cut = fit_text(&"客".repeat(MAX_CELL_CHARS + 10)).into_owned();
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with('…'));
        let emoji = fit_text(&"😀".repeat(MAX_CELL_CHARS)).into_owned();
        assert!(emoji.encode_utf16().count() <= MAX_CELL_CHARS);
    }

    #[cfg(feature = "workbooks")]
    mod read_back {
        use super::*;
        use crate::classify::pareto::ParetoParams;
        use crate::output::write_tiers_csv;
        use crate::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
        use calamine::{Data, Reader, Xlsx};
        use jiff::civil::date;

        fn population(ids: &[(&str, &str)]) -> (Population, Tiering) {
            let mut b = PopulationBuilder::new(date(2026, 3, 31));
            for (id, amount) in ids {
                let id = CustomerId::new(id).unwrap();
                let tx = Transaction::new(id, date(2026, 3, 1), amount.parse().unwrap());
                b.add(tx).unwrap();
            }
            let population = b.finish().unwrap();
            let pipeline = PipelineBuilder::new()
                .classifier(ParetoParams::metals())
                .build()
                .unwrap();
            let (_, tiering) = pipeline.run(&population).unwrap();
            (population, tiering)
        }

        fn text(cell: &Data) -> String {
            match cell {
                Data::Float(x) => x.to_string(),
                Data::Int(n) => n.to_string(),
                Data::String(s) => s.clone(),
                Data::Empty => String::new(),
                other => panic!("unexpected cell {other:?}"),
            }
        }

        #[test]
        fn customers_continue_on_numbered_sheets_past_the_row_limit() {
            let ids: Vec<(String, String)> = (0..7)
                .map(|i| (format!("C{i}"), format!("{}.25", 10 + i)))
                .collect();
            let ids: Vec<(&str, &str)> =
                ids.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let (population, tiering) = population(&ids);
            let mut bytes = Vec::new();
            TiersWorkbook::new(&population, &tiering)
                .rows_per_sheet(3)
                .write("tiers.xlsx", &mut bytes)
                .unwrap();
            let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
            assert_eq!(
                book.sheet_names(),
                [
                    "Management",
                    "Customers",
                    "Customers 2",
                    "Customers 3",
                    "Warnings"
                ]
            );
            let mut csv = Vec::new();
            write_tiers_csv("tiers.csv", &population, &tiering, &mut csv).unwrap();
            let csv = String::from_utf8(csv).unwrap();
            let mut lines = csv.lines();
            let header = lines.next().unwrap();
            let mut read = Vec::new();
            for (name, rows) in [("Customers", 3), ("Customers 2", 3), ("Customers 3", 1)] {
                let range = book.worksheet_range(name).unwrap();
                assert_eq!(range.height(), rows + 1, "{name}");
                let mut sheet_rows = range.rows();
                let head: Vec<String> = sheet_rows.next().unwrap().iter().map(text).collect();
                assert_eq!(head.join(","), header);
                read.extend(sheet_rows.map(|r| r.iter().map(text).collect::<Vec<_>>()));
            }
            // Money reads back as the number; tiers.csv prints its scale.
            let expected: Vec<Vec<String>> = lines
                .map(|l| {
                    let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
                    cells[4] = cells[4].parse::<f64>().unwrap().to_string();
                    cells
                })
                .collect();
            assert_eq!(read, expected);
        }

        #[test]
        fn ids_are_literal_text_and_big_money_is_exact_text() {
            let (population, tiering) = population(&[
                ("00001", "5"),
                ("=cmd|' /C calc'!A0", "1.10"),
                ("+1", "12345678901234.567"),
                ("@SUM(A1)", "0.125"),
            ]);
            let mut bytes = Vec::new();
            TiersWorkbook::new(&population, &tiering)
                .write("tiers.xlsx", &mut bytes)
                .unwrap();
            let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
            let range = book.worksheet_range("Customers").unwrap();
            let cells: Vec<(Data, Data)> = range
                .rows()
                .skip(1)
                .map(|r| (r[0].clone(), r[4].clone()))
                .collect();
            let s = |t: &str| Data::String(t.into());
            assert_eq!(
                cells,
                [
                    (s("+1"), s("12345678901234.567")),
                    (s("00001"), Data::Float(5.0)),
                    (s("=cmd|' /C calc'!A0"), Data::Float(1.1)),
                    (s("@SUM(A1)"), Data::Float(0.125)),
                ]
            );
            let formulas = book.worksheet_formula("Customers").unwrap();
            assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
        }
    }
}
