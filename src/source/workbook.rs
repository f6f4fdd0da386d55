//! Transactions and customers from a sheet of an Excel or OpenDocument workbook
//! (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`), read with calamine.
//!
//! The sheet is the one [`InputFormat::sheet`] names (by name, or by 1-based
//! position), the first when it names none. Its first non-empty row is the header;
//! columns are found as in a CSV file ([`ColumnMapping`]), and every later row is one
//! record. A row whose cells are all empty is skipped and not counted, as an empty
//! line of a CSV file is; the delimiter, quote and encoding of the format do not apply.
//!
//! # How a cell is read
//! A spreadsheet stores a cell's value with a type, not the text it shows. Each type
//! is read one way, and nothing is guessed:
//! - a **text cell** is text, read with the declared format as a CSV field would be
//!   ([`InputFormat::read_amount`], [`DateFormat::read`](crate::format::DateFormat::read)):
//!   an amount written `12.50` as text keeps its scale;
//! - a **date cell** is a date: the workbook's serial number is converted by its own
//!   date system (1900, or the 1904 system of old Mac workbooks), and a time of day is
//!   ignored; a date-time of an OpenDocument file is read as a CSV date is;
//! - a **number cell** used as an amount is the stored double rounded to 15
//!   significant digits, the precision a spreadsheet displays, with trailing zeros
//!   dropped and never in exponent form, then read exactly: `8.30` is stored as the
//!   double 8.3 and reads `8.3`; `0.1 + 0.2`, stored as 0.30000000000000004, reads
//!   `0.3`; `1e-7` reads `0.0000001`. A sum of such amounts carries the scale its cells
//!   carry (`8.3 + 1890` prints `1898.3`, where a CSV export might write `1898.30`);
//! - an **id** is always text: a text cell as written (`00001` stays `00001`), a
//!   number cell as a spreadsheet shows it in the General format (`17850`, not
//!   `17850.0`);
//! - a number cell where a date is expected, a date cell where an amount or an id is
//!   expected, and a TRUE/FALSE or error cell (`#DIV/0!`) in a column that is read are
//!   rejects.
//!
//! A reject names the sheet and the cell (`orders.xlsx: Orders!C17, field "amount":
//! "abc": …`); in `rejects.csv` its `line` column holds `Orders!C17`. A reject never
//! stops nor loses another row: `read = accepted + rejected`.
//!
//! The whole sheet is held in memory while it is read, as calamine reads it: a
//! workbook is at most a million rows. Parquet files are left to the
//! distributed-engine work; they are not read here.
//!
//! # Example
//! ```
//! use customer_tiering::format::{InputFormat, Sheet};
//! use customer_tiering::source::workbook::WorkbookTransactions;
//! use customer_tiering::source::{ingest, ColumnMapping, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dialects/orders.xlsx");
//! let format = InputFormat { sheet: Some(Sheet::Name("Orders".into())), ..InputFormat::default() };
//! let source = WorkbookTransactions::from_path(path, &ColumnMapping::default(), &format)?;
//! let builder = PopulationBuilder::new(date(2025, 12, 31));
//! let ingested = ingest(source, builder, OnInvalid::Fail, |_| {})?;
//! assert_eq!(ingested.summary.read, 20);
//! let first = ingested.population.get("00001").unwrap(); // a text id, zeros kept
//! assert_eq!((first.frequency, first.monetary.to_string().as_str()), (4, "1913.90"));
//! assert!(ingested.population.get("17850").is_some()); // a number id, as shown
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::fs::File;
use std::path::Path;

use calamine::{Data, Range, Reader, Sheets};
use jiff::civil::Date;
use rust_decimal::Decimal;
use smol_str::SmolStr;

use super::Source;
use super::csv::{ColumnMapping, Columns, find_columns};
use super::customers::{CustomerRecord, attribute_value};
use crate::attributes::Attributes;
use crate::error::{ConfigError, Error, Location, Reject};
use crate::format::{AmountFormat, InputFormat, Sheet};
use crate::profile::{CustomerId, Transaction};

/// A sheet being read: its rows after the header, and where they are.
#[derive(Debug)]
struct SheetRows {
    origin: String,
    sheet: String,
    /// Every cell with a value, by row, then column: a sheet is held by what it holds,
    /// never as the rectangle around it (a stray cell at `XFD1048576` would make that
    /// rectangle 17 billion cells).
    cells: Vec<((u32, u32), Data)>,
    /// The leftmost column with a value: rows are read from it.
    first_column: u32,
    /// Columns from the leftmost to the rightmost with a value.
    width: usize,
    /// The next of `cells` to read.
    next: usize,
    /// The row read last, `width` cells from `first_column`.
    row: Vec<Data>,
}

impl SheetRows {
    /// Opens `path` and takes the sheet `sheet` names (the first when none).
    fn open(path: &Path, sheet: Option<&Sheet>) -> Result<SheetRows, Error> {
        let origin = path.display().to_string();
        let io = |source: std::io::Error| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        // Opened first for the operating system's own error: calamine's wraps it.
        File::open(path).map_err(io)?;
        let unreadable = |e: calamine::Error| io(std::io::Error::other(e));
        let mut workbook = calamine::open_workbook_auto(path).map_err(unreadable)?;
        let names = workbook.sheet_names();
        let name = pick_sheet(&origin, &names, sheet)?;
        let unreadable = |e: String| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e));
        // Cell by cell where the format allows: calamine's own range is the rectangle.
        let cells = match &mut workbook {
            Sheets::Xlsx(book) => {
                let mut reader = book
                    .worksheet_cells_reader(&name)
                    .map_err(|e| unreadable(e.to_string()))?;
                let mut cells = Vec::new();
                while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e.to_string()))? {
                    cells.push((cell.get_position(), Data::from(cell.get_value().clone())));
                }
                cells
            }
            Sheets::Xlsb(book) => {
                let mut reader = book
                    .worksheet_cells_reader(&name)
                    .map_err(|e| unreadable(e.to_string()))?;
                let mut cells = Vec::new();
                while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e.to_string()))? {
                    cells.push((cell.get_position(), Data::from(cell.get_value().clone())));
                }
                cells
            }
            // An .xls sheet has at most 65,536 × 256 cells, and an .ods reader
            // expands only what the file spells out.
            other => {
                let range = other
                    .worksheet_range(&name)
                    .map_err(|e| unreadable(e.to_string()))?;
                return Ok(SheetRows::new(origin, name, range));
            }
        };
        Ok(SheetRows::of_cells(origin, name, cells))
    }

    fn new(origin: String, sheet: String, range: Range<Data>) -> SheetRows {
        let (row0, column0) = range.start().unwrap_or_default();
        let cells = range
            .used_cells()
            .map(|(row, column, value)| {
                let at = |n: usize, first: u32| {
                    first.saturating_add(u32::try_from(n).unwrap_or(u32::MAX))
                };
                ((at(row, row0), at(column, column0)), value.clone())
            })
            .collect();
        SheetRows::of_cells(origin, sheet, cells)
    }

    fn of_cells(origin: String, sheet: String, mut cells: Vec<((u32, u32), Data)>) -> SheetRows {
        cells.retain(|(_, value)| !matches!(value, Data::Empty));
        cells.sort_by_key(|(at, _)| *at);
        let first_column = cells.iter().map(|((_, c), _)| *c).min().unwrap_or(0);
        let last_column = cells.iter().map(|((_, c), _)| *c).max().unwrap_or(0);
        SheetRows {
            origin,
            sheet,
            cells,
            first_column,
            width: (last_column - first_column) as usize + 1,
            next: 0,
            row: Vec::new(),
        }
    }

    /// Reads the next row with a value in it; the rows, to read its cells from, and
    /// its 0-based row in the sheet.
    fn next_row(&mut self) -> Option<(&Self, u32)> {
        let row = self.advance()?;
        Some((self, row))
    }

    /// Reads the next row with a value in it into [`cells`](Self::cells); its 0-based
    /// row in the sheet.
    fn advance(&mut self) -> Option<u32> {
        loop {
            let &((row, _), _) = self.cells.get(self.next)?;
            self.row.clear();
            self.row.resize(self.width, Data::Empty);
            while let Some(((r, column), value)) = self.cells.get(self.next) {
                if *r != row {
                    break;
                }
                self.row[(column - self.first_column) as usize] = value.clone();
                self.next += 1;
            }
            if !self.row.iter().all(is_blank) {
                return Some(row);
            }
        }
    }

    /// The cells of the row read last, from the leftmost column with a value.
    fn cells(&self) -> &[Data] {
        &self.row
    }

    /// The cell of the row read last in `column`: empty where the row stops short.
    fn value(&self, column: usize) -> &Data {
        self.row.get(column).unwrap_or(&Data::Empty)
    }

    /// The A1 name of the cell at 0-based `row` of the sheet and `column` of a row.
    fn cell(&self, row: u32, column: usize) -> String {
        let column = u32::try_from(column)
            .unwrap_or(u32::MAX)
            .saturating_add(self.first_column);
        cell_name(row, column)
    }

    /// The first non-empty row as column names (cells as text, trimmed); none for a
    /// sheet without any value. Duplicate names stop the run as in a CSV header.
    fn header(&mut self) -> Result<Vec<String>, Error> {
        let Some(row) = self.advance() else {
            return Ok(Vec::new());
        };
        let names: Vec<String> = self
            .cells()
            .iter()
            .map(|cell| shown(cell).trim_ascii().to_string())
            .collect();
        for (second, name) in names.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
            if let Some(first) = names[..second].iter().position(|n| n == name) {
                return Err(Error::Malformed {
                    source_name: self.origin.clone(),
                    line: u64::from(row) + 1,
                    reason: format!(
                        "the header names the column {name:?} twice, in cells {} and {} of sheet {:?}",
                        self.cell(row, first),
                        self.cell(row, second),
                        self.sheet
                    ),
                });
            }
        }
        Ok(names)
    }

    /// The reject of the cell in `column` of the row read last, sheet row `row`.
    fn reject(&self, row: u32, column: usize, field: &str, reason: String) -> Error {
        let name = self.cell(row, column);
        let shown = shown(self.value(column));
        Reject::of_cell(&self.origin, &self.sheet, name, field, &shown, &reason).into()
    }
}

/// The name of the sheet to read, or the error that lists the sheets there are.
fn pick_sheet(origin: &str, names: &[String], sheet: Option<&Sheet>) -> Result<String, Error> {
    let listed = || {
        let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        match quoted.len() {
            0 => format!("{origin} has no sheets"),
            1 => format!("{origin} has 1 sheet: {}", quoted[0]),
            n => format!("{origin} has {n} sheets: {}", quoted.join(", ")),
        }
    };
    let found = match sheet {
        None => names.first(),
        Some(Sheet::Name(name)) => names.iter().find(|n| *n == name),
        Some(Sheet::Position(n)) => n.checked_sub(1).and_then(|i| names.get(i)),
    };
    found.cloned().ok_or_else(|| {
        ConfigError::InputFormat {
            key: "sheet".into(),
            value: sheet.map_or_else(String::new, ToString::to_string),
            reason: format!("no such sheet: {}", listed()),
        }
        .into()
    })
}

/// Whether a cell holds nothing: empty, or text of only whitespace (what a formula
/// returning `""` leaves).
fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim_ascii().is_empty(),
        _ => false,
    }
}

/// The letters of a 0-based column: A … Z, AA … AZ, BA …
fn column_letters(column: u32) -> String {
    let mut n = u64::from(column) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// The A1 name of a cell by its 0-based row and column (`C17` is row 16, column 2).
pub(crate) fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_letters(column), u64::from(row) + 1)
}

/// A double as a spreadsheet shows it at full precision: rounded to 15 significant
/// digits, trailing zeros dropped, never in exponent form (`8.3`, `0.3` for
/// 0.30000000000000004, `0.0000001` for 1e-7, `17850` for 17850.0). None for a value
/// that is not finite.
pub(crate) fn number_text(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some("0".into());
    }
    // Rust rounds the exact binary value to 15 significant digits here: `d.dddd…e±x`.
    let scientific = format!("{x:.14e}");
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i64 = exponent.parse().ok()?;
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    // How many digits stand before the decimal point (none or fewer than none for
    // |x| < 1, where zeros follow the point first).
    let whole = exponent + 1;
    let count = digits.len() as i64;
    let mut out = String::with_capacity(digits.len() + 4 + exponent.unsigned_abs() as usize);
    if negative {
        out.push('-');
    }
    if whole <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', whole.unsigned_abs() as usize));
        out.push_str(digits);
    } else if whole >= count {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (whole - count) as usize));
    } else {
        let (int, frac) = digits.split_at(whole as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// A cell's value as text, for a header, a reject, or an attribute: text as written,
/// a number as [`number_text`] shows it, a date as `YYYY-MM-DD` (with its time when
/// it has one), TRUE/FALSE, an error as its code (`#DIV/0!`).
fn shown(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(x) => number_text(*x).unwrap_or_else(|| x.to_string()),
        Data::Int(i) => i.to_string(),
        Data::Bool(true) => "TRUE".into(),
        Data::Bool(false) => "FALSE".into(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                dt.as_f64().to_string()
            } else if (h, mi, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
    }
}

/// Why a cell of a type that cannot be `what` is rejected; none for a type that can.
fn wrong_type(cell: &Data, what: &str) -> Option<String> {
    match cell {
        Data::Bool(_) => Some(format!("a TRUE/FALSE cell, not {what}")),
        Data::Error(_) => Some(format!("an error cell, not {what}")),
        _ => None,
    }
}

/// An id cell: text as written, a number as shown in the General format.
fn read_id(cell: &Data) -> Result<CustomerId, String> {
    if let Some(reason) = wrong_type(cell, "an id") {
        return Err(reason);
    }
    let text = match cell {
        Data::Float(x) => number_text(*x).ok_or("not a finite number")?,
        Data::Int(i) => i.to_string(),
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        _ => return Err("a date cell, not an id: write the id as text".into()),
    };
    CustomerId::new(&text).map_err(|e| e.to_string())
}

/// The date of a date cell, by the workbook's date system (calamine knows it); the
/// time of day is ignored.
fn serial_date(dt: &calamine::ExcelDateTime) -> Result<Date, String> {
    // The last day a spreadsheet can show (9999-12-31) as a serial of each system.
    const LAST_1900: f64 = 2_958_465.0;
    const LAST_1904: f64 = LAST_1900 - 1462.0;
    if dt.is_duration() {
        return Err("a duration cell, not a date".into());
    }
    let serial = dt.as_f64();
    let out_of_range = || "a date serial outside 1900-01-01..=9999-12-31".to_string();
    if !serial.is_finite() || serial < 0.0 || serial.floor() > LAST_1900 {
        return Err(out_of_range());
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    // calamine clamps a serial past the last day to it: only the exact serials of
    // 9999-12-31 are that day.
    if (y, m, d) == (9999, 12, 31) && serial.floor() != LAST_1900 && serial.floor() != LAST_1904 {
        return Err(out_of_range());
    }
    // Day 0 of the 1900 system is a time of day without a date.
    if (y, m, d) == (1899, 12, 31) {
        return Err("a time of day without a date".into());
    }
    let part = |n: u16| i8::try_from(n).unwrap_or(i8::MAX);
    Date::new(
        i16::try_from(y).unwrap_or(i16::MAX),
        part(m.into()),
        part(d.into()),
    )
    .map_err(
        // 1900-02-29, serial 60 of the 1900 system: a day that exists only in Excel.
        |_| format!("{y:04}-{m:02}-{d:02} is no calendar day"),
    )
}

/// A date cell; a text cell read with the declared date format.
fn read_date(cell: &Data, format: &InputFormat) -> Result<Date, String> {
    if let Some(reason) = wrong_type(cell, "a date") {
        return Err(reason);
    }
    match cell {
        Data::DateTime(dt) => serial_date(dt),
        Data::DateTimeIso(s) => crate::dates::parse_date(s.as_bytes()).map_err(|e| e.to_string()),
        Data::DurationIso(_) => Err("a duration cell, not a date".into()),
        Data::String(s) => format
            .date_format
            .read(s.as_bytes())
            .map_err(|e| e.to_string()),
        Data::Empty => format.date_format.read(b"").map_err(|e| e.to_string()),
        _ => Err(
            "a number cell, not a date: format the column as dates, or write the dates as text"
                .into(),
        ),
    }
}

/// A number cell as [`number_text`] shows it, read exactly; a text cell read with the
/// declared amount format.
fn read_amount(cell: &Data, format: &InputFormat) -> Result<Decimal, String> {
    if let Some(reason) = wrong_type(cell, "an amount") {
        return Err(reason);
    }
    match cell {
        Data::Float(x) => {
            let text = number_text(*x).ok_or("not a finite number")?;
            crate::money::parse_amount(&text).map_err(|e| e.to_string())
        }
        Data::Int(i) => Ok(Decimal::from(*i)),
        Data::String(s) => format.read_amount(s.as_bytes()).map_err(|e| e.to_string()),
        Data::Empty => format.read_amount(b"").map_err(|e| e.to_string()),
        _ => Err("a date cell, not an amount".into()),
    }
}

/// Transactions read from a sheet of a workbook (see the [module docs](self) for how
/// each cell is read).
///
/// Columns are found by the [`ColumnMapping`] as in [`CsvTransactions`](super::CsvTransactions);
/// extra columns are ignored. A row with an empty or over-long id, a date or amount
/// that cannot be read, or a cell of the wrong type is a [`Reject`] naming the sheet
/// and the cell.
///
/// # Example
/// ```
/// use customer_tiering::format::InputFormat;
/// use customer_tiering::source::workbook::WorkbookTransactions;
/// use customer_tiering::source::{ingest, ColumnMapping, OnInvalid};
/// use customer_tiering::PopulationBuilder;
/// use jiff::civil::date;
///
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dialects/rejects.xlsx");
/// let source = WorkbookTransactions::from_path(path, &ColumnMapping::default(), &InputFormat::default())?;
/// let mut rejects = Vec::new();
/// let builder = PopulationBuilder::new(date(2025, 12, 31));
/// let ingested = ingest(source, builder, OnInvalid::Skip, |r| rejects.push(r.clone()))?;
/// let s = ingested.summary;
/// assert_eq!((s.read, s.accepted, s.rejected), (15, 10, 5)); // the empty row 12 is not read
/// let last = rejects.last().unwrap();
/// assert_eq!(last.location().to_string(), format!("{path}: Orders!C17"));
/// assert_eq!(
///     last.to_string(),
///     format!(r#"{path}: Orders!C17, field "amount": "abc": {}"#, last.reason())
/// );
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug)]
pub struct WorkbookTransactions {
    rows: SheetRows,
    columns: Columns,
    format: InputFormat,
}

impl WorkbookTransactions {
    /// Opens a workbook, picks the sheet [`InputFormat::sheet`] names (the first when
    /// it names none), and reads its header. Of `format`, the sheet, the decimal and
    /// thousands separators, the currency symbol and the date format apply (to text
    /// cells); the delimiter, quote and encoding do not.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened or is no workbook calamine reads;
    /// [`ConfigError::InputFormat`] for a sheet the workbook does not have, listing
    /// those it has; [`Error::MissingColumn`] when the header lacks a mapped column;
    /// [`Error::Malformed`] when it names a column twice; [`ConfigError::Columns`]
    /// when two fields are mapped to one column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::{InputFormat, Sheet};
    /// use customer_tiering::source::workbook::WorkbookTransactions;
    /// use customer_tiering::source::{ColumnMapping, Source};
    /// use customer_tiering::{ConfigError, Error};
    ///
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dialects/orders.ods");
    /// let mapping = ColumnMapping::default();
    /// let mut source = WorkbookTransactions::from_path(path, &mapping, &InputFormat::default())?;
    /// assert_eq!((source.origin(), source.sheet()), (path, "Orders"));
    /// assert_eq!(source.next_record().unwrap()?.amount.to_string(), "12.50"); // a text cell
    ///
    /// let third = InputFormat { sheet: Some(Sheet::Position(3)), ..InputFormat::default() };
    /// let err = WorkbookTransactions::from_path(path, &mapping, &third).unwrap_err();
    /// assert!(matches!(err, Error::Config(ConfigError::InputFormat { .. })));
    /// assert_eq!(
    ///     err.to_string(),
    ///     format!(r#"input format: sheet "3": no such sheet: {path} has 2 sheets: "Orders", "Customers""#)
    /// );
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_path(
        path: impl AsRef<Path>,
        mapping: &ColumnMapping,
        format: &InputFormat,
    ) -> Result<Self, Error> {
        let rows = SheetRows::open(path.as_ref(), format.sheet.as_ref())?;
        WorkbookTransactions::from_rows(rows, mapping, format)
    }

    fn from_rows(
        mut rows: SheetRows,
        mapping: &ColumnMapping,
        format: &InputFormat,
    ) -> Result<Self, Error> {
        let names = rows.header()?;
        let columns = find_columns(&names, mapping, |name| Error::MissingColumn {
            source_name: rows.origin.clone(),
            column: name.to_string(),
            header: names.join(","),
            hints: Box::default(),
        })?;
        Ok(WorkbookTransactions {
            rows,
            columns,
            format: format.clone(),
        })
    }

    /// The name of the sheet read.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::{InputFormat, Sheet};
    /// use customer_tiering::source::workbook::WorkbookTransactions;
    /// use customer_tiering::source::ColumnMapping;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dialects/orders.xls");
    /// let first = InputFormat { sheet: Some(Sheet::Position(1)), ..InputFormat::default() };
    /// let source = WorkbookTransactions::from_path(path, &ColumnMapping::default(), &first)?;
    /// assert_eq!(source.sheet(), "Orders");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn sheet(&self) -> &str {
        &self.rows.sheet
    }
}

impl Source for WorkbookTransactions {
    type Record = Transaction;

    fn origin(&self) -> &str {
        &self.rows.origin
    }

    fn next_record(&mut self) -> Option<Result<Transaction, Error>> {
        let (rows, row) = self.rows.next_row()?;
        let cell = |i: usize| rows.value(i);
        let reject = |i: usize, field: &str, e: String| rows.reject(row, i, field, e);
        let c = self.columns;
        let record = (|| {
            let customer_id = read_id(cell(c.customer_id))
                .map_err(|e| reject(c.customer_id, "customer_id", e))?;
            let date =
                read_date(cell(c.date), &self.format).map_err(|e| reject(c.date, "date", e))?;
            let amount = read_amount(cell(c.amount), &self.format)
                .map_err(|e| reject(c.amount, "amount", e))?;
            let profit = match c.profit.filter(|&i| !is_blank(cell(i))) {
                Some(i) => {
                    Some(read_amount(cell(i), &self.format).map_err(|e| reject(i, "profit", e))?)
                }
                None => None,
            };
            let product = match c.product.filter(|&i| !is_blank(cell(i))) {
                Some(i) => Some(SmolStr::new(
                    read_text(cell(i)).map_err(|e| reject(i, "product", e))?,
                )),
                None => None,
            };
            Ok(Transaction {
                customer_id,
                date,
                amount,
                profit,
                product,
            })
        })();
        Some(record)
    }
}

/// A cell read as text (a product code, an attribute): text trimmed, a number as
/// shown, a date as `YYYY-MM-DD`.
fn read_text(cell: &Data) -> Result<String, String> {
    if let Some(reason) = wrong_type(cell, "text") {
        return Err(reason);
    }
    Ok(match cell {
        Data::DateTime(dt) if dt.is_datetime() => serial_date(dt)?.to_string(),
        other => shown(other).trim_ascii().to_string(),
    })
}

/// Customer records read from a sheet of a workbook: a `customer_id` column and
/// attribute columns, as [`CsvCustomers`](super::customers::CsvCustomers) reads them
/// from CSV, each cell read as the [module docs](self) say (a number or date cell of
/// an attribute becomes the text it shows, typed later as a CSV field would be).
///
/// A record's [`location`](CustomerRecord::location) is its id cell, so that a second
/// record for a customer names the cell of each.
///
/// # Example
/// ```
/// use customer_tiering::format::{InputFormat, Sheet};
/// use customer_tiering::source::customers::ingest_customers;
/// use customer_tiering::source::workbook::WorkbookCustomers;
/// use customer_tiering::source::OnInvalid;
///
/// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dialects/orders.xlsx");
/// let format = InputFormat { sheet: Some(Sheet::Name("Customers".into())), ..InputFormat::default() };
/// let source = WorkbookCustomers::from_path(path, &format)?;
/// let (table, summary) = ingest_customers(source, OnInvalid::Fail, |_| {})?;
/// assert_eq!(summary.accepted, 3);
/// assert_eq!(table.get("00001").unwrap().text("status"), Some("prospect"));
/// assert_eq!(table.get("17850").unwrap().number("employees"), Some(250.into()));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug)]
pub struct WorkbookCustomers {
    rows: SheetRows,
    names: Vec<String>,
    id_column: usize,
    /// How numbers in text cells are written.
    amounts: AmountFormat,
}

impl WorkbookCustomers {
    /// Opens a workbook, picks the sheet [`InputFormat::sheet`] names (the first when
    /// it names none), and reads its header, which must have a `customer_id` column.
    ///
    /// # Errors
    /// As [`WorkbookTransactions::from_path`]; [`Error::MissingColumn`] without a
    /// `customer_id` column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputFormat;
    /// use customer_tiering::source::workbook::WorkbookCustomers;
    /// use customer_tiering::Error;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dialects/rejects.xlsx");
    /// let notes = InputFormat { sheet: Some("Notes".parse()?), ..InputFormat::default() };
    /// let err = WorkbookCustomers::from_path(path, &notes).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     format!(r#"{path}: missing required column "customer_id" (header: nothing here)"#)
    /// );
    /// let missing = WorkbookCustomers::from_path("no/such/customers.xlsx", &InputFormat::default());
    /// assert!(matches!(missing, Err(Error::Io { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>, format: &InputFormat) -> Result<Self, Error> {
        let rows = SheetRows::open(path.as_ref(), format.sheet.as_ref())?;
        WorkbookCustomers::from_rows(rows, format.amount_format())
    }

    fn from_rows(mut rows: SheetRows, amounts: AmountFormat) -> Result<Self, Error> {
        let names = rows.header()?;
        let id_column = names
            .iter()
            .position(|n| n == "customer_id")
            .ok_or_else(|| Error::MissingColumn {
                source_name: rows.origin.clone(),
                column: "customer_id".into(),
                header: names.join(","),
                hints: Box::default(),
            })?;
        Ok(WorkbookCustomers {
            rows,
            names,
            id_column,
            amounts,
        })
    }

    /// The name of the sheet read.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::{InputFormat, Sheet};
    /// use customer_tiering::source::workbook::WorkbookCustomers;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dialects/orders_1904.xlsx");
    /// let second = InputFormat { sheet: Some(Sheet::Position(2)), ..InputFormat::default() };
    /// assert_eq!(WorkbookCustomers::from_path(path, &second)?.sheet(), "Customers");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn sheet(&self) -> &str {
        &self.rows.sheet
    }
}

impl Source for WorkbookCustomers {
    type Record = CustomerRecord;

    fn origin(&self) -> &str {
        &self.rows.origin
    }

    fn next_record(&mut self) -> Option<Result<CustomerRecord, Error>> {
        let (rows, row) = self.rows.next_row()?;
        let cell = |i: usize| rows.value(i);
        let reject = |i: usize, field: &str, e: String| rows.reject(row, i, field, e);
        let id = self.id_column;
        let record = (|| {
            let customer_id = read_id(cell(id)).map_err(|e| reject(id, "customer_id", e))?;
            let mut attributes = Attributes::default();
            // A column without a name holds nothing anyone can refer to.
            for (i, name) in self
                .names
                .iter()
                .enumerate()
                .filter(|(i, name)| *i != id && !name.is_empty())
            {
                if is_blank(cell(i)) {
                    continue;
                }
                let text = read_text(cell(i)).map_err(|e| reject(i, name, e))?;
                // A number written as text is read with the declared separators and
                // symbol, as in a CSV file; a number cell is a number already.
                let declared = matches!(cell(i), Data::String(_)).then_some(&self.amounts);
                let value =
                    attribute_value(name, &text, declared).map_err(|e| reject(i, name, e))?;
                if let Some(value) = value {
                    attributes.insert(name, value);
                }
            }
            Ok(CustomerRecord {
                location: Location::cell(&rows.origin, &rows.sheet, rows.cell(row, id)),
                customer_id,
                attributes,
            })
        })();
        Some(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::customers::ingest_customers;
    use crate::source::{OnInvalid, ingest};
    use calamine::{Cell, CellErrorType, ExcelDateTime, ExcelDateTimeType};
    use jiff::civil::date;

    #[test]
    fn numbers_read_as_a_spreadsheet_shows_them() {
        let cases: [(f64, &str); 16] = [
            (8.30, "8.3"),
            (0.1 + 0.2, "0.3"),
            (1e-7, "0.0000001"),
            (17850.0, "17850"),
            (-5.25, "-5.25"),
            (1890.0, "1890"),
            (-0.0, "0"),
            (0.0, "0"),
            (1e15, "1000000000000000"),
            (123_456_789_012_345_680.0, "123456789012346000"),
            (0.123_456_789_012_345_68, "0.123456789012346"),
            (2.0 / 3.0, "0.666666666666667"),
            (1e-20, "0.00000000000000000001"),
            (99.95, "99.95"),
            (1234.56, "1234.56"),
            (9.999_999_999_999_999, "10"),
        ];
        for (x, text) in cases {
            assert_eq!(number_text(x).as_deref(), Some(text), "{x:e}");
        }
        assert_eq!(number_text(f64::NAN), None);
        assert_eq!(number_text(f64::INFINITY), None);
        let format = InputFormat::default();
        let amount = |x: f64| read_amount(&Data::Float(x), &format);
        assert_eq!(amount(8.30).unwrap().to_string(), "8.3");
        assert_eq!(amount(0.1 + 0.2), Ok(Decimal::new(3, 1)));
        assert_eq!(amount(1e-7).unwrap().to_string(), "0.0000001");
        assert_eq!(amount(1e-7).unwrap().scale(), 7);
        assert!(amount(1e300).is_err(), "more digits than a decimal holds");
        assert!(amount(f64::NAN).is_err());
    }

    #[test]
    fn cell_names_are_a1_style() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(8, 25), "Z9");
        assert_eq!(cell_name(9, 26), "AA10");
        assert_eq!(cell_name(16, 2), "C17");
        assert_eq!(cell_name(0, 51), "AZ1");
        assert_eq!(cell_name(0, 52), "BA1");
        assert_eq!(cell_name(0, 701), "ZZ1");
        assert_eq!(cell_name(0, 702), "AAA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn ids_are_text_as_shown() {
        let id = |cell: Data| read_id(&cell).map(|id| id.as_str().to_string());
        assert_eq!(id(Data::Float(17850.0)), Ok("17850".into()));
        assert_eq!(id(Data::Int(4711)), Ok("4711".into()));
        assert_eq!(id(Data::String("00001".into())), Ok("00001".into()));
        assert_eq!(id(Data::String(" C1 ".into())), Ok("C1".into()));
        assert_eq!(id(Data::Empty), Err("empty customer id".into()));
        assert!(id(Data::Bool(true)).is_err());
        assert!(id(Data::Error(CellErrorType::NA)).is_err());
        let day = ExcelDateTime::new(45000.0, ExcelDateTimeType::DateTime, false);
        assert!(id(Data::DateTime(day)).is_err());
    }

    #[test]
    fn serial_dates_by_the_workbook_s_system() {
        let at = |serial: f64, is_1904: bool| {
            serial_date(&ExcelDateTime::new(
                serial,
                ExcelDateTimeType::DateTime,
                is_1904,
            ))
        };
        assert_eq!(at(45306.0, false), Ok(date(2024, 1, 15)));
        assert_eq!(at(45306.0 - 1462.0, true), Ok(date(2024, 1, 15)));
        assert_eq!(at(45_809.604_166_666_7, false), Ok(date(2025, 6, 1))); // 14:30
        assert_eq!(at(45_306.999_999, false), Ok(date(2024, 1, 15))); // the time is ignored
        assert_eq!(at(1.0, false), Ok(date(1900, 1, 1)));
        assert_eq!(at(61.0, false), Ok(date(1900, 3, 1)));
        assert_eq!(at(0.0, true), Ok(date(1904, 1, 1)));
        assert_eq!(at(2_958_465.0, false), Ok(date(9999, 12, 31)));
        assert_eq!(at(2_958_465.0 - 1462.0, true), Ok(date(9999, 12, 31)));
        assert!(at(60.0, false).is_err(), "1900-02-29 does not exist");
        assert!(at(0.5, false).is_err(), "a time without a date");
        assert!(at(-1.0, false).is_err());
        assert!(at(2_958_466.0, false).is_err());
        assert!(at(2_958_465.0 - 1461.0, true).is_err(), "past 9999-12-31");
        assert!(at(f64::NAN, false).is_err());
        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert!(serial_date(&duration).is_err());
    }

    #[test]
    fn each_cell_type_is_read_one_way() {
        let format = InputFormat::default();
        let german = InputFormat {
            decimal_separator: crate::format::DecimalSeparator::Comma,
            date_format: "%d.%m.%Y".parse().unwrap(),
            ..InputFormat::default()
        };
        let text = |s: &str| Data::String(s.into());
        assert_eq!(
            read_date(&text("2024-03-02"), &format),
            Ok(date(2024, 3, 2))
        );
        assert_eq!(
            read_date(&text("02.03.2024"), &german),
            Ok(date(2024, 3, 2))
        );
        assert!(read_date(&text("2024-03-02"), &german).is_err());
        assert_eq!(
            read_date(&Data::DateTimeIso("2025-06-01T14:30:00".into()), &format),
            Ok(date(2025, 6, 1))
        );
        assert!(read_date(&Data::Float(45000.0), &format).is_err());
        assert!(read_date(&Data::DurationIso("PT1H".into()), &format).is_err());
        assert_eq!(read_date(&Data::Empty, &format), Err("empty date".into()));
        assert_eq!(
            read_amount(&text("12.50"), &format).unwrap().to_string(),
            "12.50"
        );
        assert_eq!(
            read_amount(&text("12,50"), &german).unwrap().to_string(),
            "12.50"
        );
        assert!(read_amount(&text("12,50"), &format).is_err());
        assert_eq!(read_amount(&Data::Int(-7), &format), Ok(Decimal::from(-7)));
        let day = ExcelDateTime::new(45000.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            read_amount(&Data::DateTime(day), &format),
            Err("a date cell, not an amount".into())
        );
        assert_eq!(
            read_amount(&Data::Bool(false), &format),
            Err("a TRUE/FALSE cell, not an amount".into())
        );
        assert_eq!(read_text(&Data::DateTime(day)), Ok("2023-03-15".into()));
        assert_eq!(read_text(&Data::Float(1001.0)), Ok("1001".into()));
    }

    /// A sheet in memory: `cells` at 0-based (row, column) of the sheet.
    fn sheet(cells: Vec<((u32, u32), Data)>) -> SheetRows {
        let cells = cells
            .into_iter()
            .map(|(at, value)| Cell::new(at, value))
            .collect();
        SheetRows::new(
            "book.xlsx".into(),
            "Orders".into(),
            Range::from_sparse(cells),
        )
    }

    #[test]
    fn rejects_name_the_cell_and_every_row_is_counted() {
        let text = |s: &str| Data::String(s.into());
        let day = |serial: f64| {
            Data::DateTime(ExcelDateTime::new(
                serial,
                ExcelDateTimeType::DateTime,
                false,
            ))
        };
        // The table starts at B3: row 1 and 2 and column A are empty.
        let mut cells = vec![
            ((2, 1), text(" customer_id ")),
            ((2, 2), text("date")),
            ((2, 3), text("amount")),
            ((2, 4), text("note")),
        ];
        let rows: [(Data, Data, Data); 6] = [
            (text("C1"), day(45306.0), Data::Float(12.5)),
            (Data::Float(17850.0), day(45307.0), text("8.30")),
            (text("C2"), Data::Float(45306.0), Data::Float(1.0)),
            (text("C3"), day(45306.0), Data::Error(CellErrorType::Div0)),
            (Data::Empty, day(45306.0), Data::Float(1.0)),
            (text("C4"), day(45306.0), text("abc")),
        ];
        for (i, (id, date, amount)) in rows.into_iter().enumerate() {
            let row = 3 + i as u32 + u32::from(i >= 2); // row 6 (0-based 5) is left empty
            cells.extend([((row, 1), id), ((row, 2), date), ((row, 3), amount)]);
        }
        cells.push(((5, 4), text("   "))); // a blank note: the row is still empty
        let source = WorkbookTransactions::from_rows(
            sheet(cells),
            &ColumnMapping::default(),
            &InputFormat::default(),
        )
        .unwrap();
        let mut rejects = Vec::new();
        let ingested = ingest(
            source,
            crate::PopulationBuilder::new(date(2024, 12, 31)),
            OnInvalid::Skip,
            |r| rejects.push(r.to_string()),
        )
        .unwrap();
        let s = ingested.summary;
        assert_eq!((s.read, s.accepted, s.rejected), (6, 2, 4));
        assert_eq!(
            rejects,
            [
                r#"book.xlsx: Orders!C7, field "date": "45306": a number cell, not a date: format the column as dates, or write the dates as text"#,
                r##"book.xlsx: Orders!D8, field "amount": "#DIV/0!": an error cell, not an amount"##,
                r#"book.xlsx: Orders!B9, field "customer_id": "": empty customer id"#,
                r#"book.xlsx: Orders!D10, field "amount": "abc": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)"#,
            ]
        );
        let number_id = ingested.population.get("17850").unwrap();
        assert_eq!(number_id.monetary.to_string(), "8.30"); // a text cell keeps its scale
        let reject = Reject::of_cell("b.xlsx", "Orders", "C17".into(), "amount", "abc", "bad");
        assert_eq!(
            crate::output::reject_row(&reject),
            ["b.xlsx", "Orders!C17", "amount", "abc", "bad"].map(String::from)
        );
    }

    #[test]
    fn header_problems_stop_the_run() {
        let text = |s: &str| Data::String(s.into());
        let dup = sheet(vec![
            ((0, 0), text("customer_id")),
            ((0, 1), text("date")),
            ((0, 3), text("date ")),
        ]);
        let err = WorkbookTransactions::from_rows(
            dup,
            &ColumnMapping::default(),
            &InputFormat::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"book.xlsx: line 1: the header names the column "date" twice, in cells B1 and D1 of sheet "Orders""#
        );
        let missing = sheet(vec![((1, 0), text("id")), ((1, 1), text("date"))]);
        let err = WorkbookTransactions::from_rows(
            missing,
            &ColumnMapping::default(),
            &InputFormat::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"book.xlsx: missing required column "customer_id" (header: id,date)"#
        );
        let empty = sheet(Vec::new());
        assert!(matches!(
            WorkbookCustomers::from_rows(empty, AmountFormat::default()),
            Err(Error::MissingColumn { .. })
        ));
    }

    #[test]
    fn customer_rejects_name_their_cells() {
        let text = |s: &str| Data::String(s.into());
        let cells = vec![
            ((0, 0), text("customer_id")),
            ((0, 1), text("status")),
            ((0, 2), text("employees")),
            ((0, 3), text("vip")),
            ((1, 0), Data::Float(17850.0)),
            ((1, 1), text("Target")),
            ((1, 2), Data::Float(250.0)),
            ((2, 0), text("C2")),
            ((2, 1), text("lead")),
            ((3, 0), text("17850")),
            ((4, 0), text("C3")),
            ((4, 3), Data::Bool(true)),
        ];
        let source = WorkbookCustomers::from_rows(sheet(cells), AmountFormat::default()).unwrap();
        let mut rejects = Vec::new();
        let (table, summary) =
            ingest_customers(source, OnInvalid::Skip, |r| rejects.push(r.to_string())).unwrap();
        assert_eq!(
            (summary.read, summary.accepted, summary.rejected),
            (4, 1, 3)
        );
        assert_eq!(
            table.get("17850").unwrap().number("employees"),
            Some(250.into())
        );
        assert_eq!(
            rejects,
            [
                r#"book.xlsx: Orders!B3, field "status": "lead": status must be one of non_customer, prospect, target"#,
                r#"book.xlsx: Orders!A4, field "customer_id": "17850": duplicate customer id (first at Orders!A2)"#,
                r#"book.xlsx: Orders!D5, field "vip": "TRUE": a TRUE/FALSE cell, not text"#,
            ]
        );
    }

    #[test]
    fn sheets_are_picked_by_name_or_position() {
        let names = ["Orders".to_string(), "Notes".to_string()];
        let pick = |sheet: Option<Sheet>| pick_sheet("b.xlsx", &names, sheet.as_ref());
        assert_eq!(pick(None).unwrap(), "Orders");
        assert_eq!(pick(Some(Sheet::Position(2))).unwrap(), "Notes");
        assert_eq!(pick(Some(Sheet::Name("Notes".into()))).unwrap(), "Notes");
        assert_eq!(
            pick(Some(Sheet::Name("notes".into())))
                .unwrap_err()
                .to_string(),
            r#"input format: sheet "notes": no such sheet: b.xlsx has 2 sheets: "Orders", "Notes""#
        );
        assert!(pick(Some(Sheet::Position(3))).is_err());
        assert_eq!(
            pick_sheet("e.ods", &[], None).unwrap_err().to_string(),
            r#"input format: sheet "": no such sheet: e.ods has no sheets"#
        );
    }
}
