//! Transactions from a table of a SQLite database: a [`Source`] that the library's
//! [`ingest`](customer_tiering::source::ingest) reads like a CSV file.
//!
//! Every value is validated here, as the CSV source validates its fields
//! ([inputs](customer_tiering::definitions#inputs)):
//!
//! | field | accepted | rejected |
//! |---|---|---|
//! | `customer_id` | `TEXT` (trimmed, 1-128 bytes), `INTEGER` (its digits) | `NULL`, empty text, `REAL`, `BLOB` |
//! | `date` | `TEXT` `YYYY-MM-DD`, optionally followed by a time | `NULL`, another shape, no such day, any number |
//! | `amount` | `TEXT` by the grammar `-?[0-9]+(.[0-9]+)?`, `INTEGER` | `NULL`, `REAL`, `BLOB`, text outside the grammar |
//! | `profit` (optional column) | as `amount`; `NULL` or empty text is "unknown" | as `amount` |
//! | `product` (optional column) | `TEXT`, `INTEGER`; `NULL` or empty text is "none" | `REAL`, `BLOB`, text not UTF-8 |
//!
//! **Amounts are never read through a float.** A `REAL` is rejected, not rounded: it is
//! a binary fraction (`0.1` is stored as `0.1000000000000000055…`), so the database has
//! already lost the exact amount. Mind SQLite's *type affinity*: in a column declared
//! `NUMERIC`, `DECIMAL(10,2)`, `REAL` or `FLOAT`, SQLite itself turns the text `'12.50'`
//! into the `REAL` 12.5 on insert (and `'12.00'` into the `INTEGER` 12). Declare amount
//! columns `TEXT` (or store `INTEGER` cents and scale them yourself).
//!
//! Rows are read in `rowid` order, 1024 at a time (keyset pagination: `WHERE rowid >= ?`),
//! so memory stays bounded and the source holds nothing but the connection between
//! batches. A reject names the database file, the table and the row's `rowid` (see
//! [`reject`] — the one place a reject is built):
//! `shop.sqlite: table orders, row 42, field "amount": "12,50": …`.
//!
//! # Example
//! ```
//! use customer_tiering::source::{ingest, ColumnMapping, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use customer_tiering_apps::sqlite_source::SqliteTransactions;
//! use jiff::civil::date;
//! use rusqlite::Connection;
//!
//! let conn = Connection::open_in_memory().expect("sqlite");
//! conn.execute_batch(
//!     "CREATE TABLE orders (customer_id TEXT, date TEXT, amount); -- amount: no type, kept as bound
//!      INSERT INTO orders VALUES ('C1', '2026-03-01', '10.00'), (NULL, '2026-03-02', '5'),
//!                                ('C2', '2026-03-03', '7.5');",
//! ).expect("schema");
//! conn.execute("INSERT INTO orders VALUES ('C2', '2026-03-04', ?1)", [19.99]).expect("a REAL");
//!
//! let source = SqliteTransactions::new(&conn, "orders", &ColumnMapping::default())?;
//! let mut rejects = Vec::new();
//! let builder = PopulationBuilder::new(date(2026, 3, 31));
//! let ingested = ingest(source, builder, OnInvalid::Skip, |r| rejects.push(r.to_string()))?;
//! assert_eq!((ingested.summary.read, ingested.summary.rejected), (4, 2));
//! assert_eq!(rejects, [
//!     r#"memory: table orders, row 2, field "customer_id": "NULL": no customer id (NULL)"#,
//!     r#"memory: table orders, row 4, field "amount": "19.99": a REAL is a binary float, not an exact decimal: store amounts as TEXT or INTEGER"#,
//! ]);
//! assert_eq!(ingested.population.get("C2").unwrap().monetary.to_string(), "7.5");
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::path::PathBuf;

use customer_tiering::dates::parse_date;
use customer_tiering::money::parse_amount_bytes;
use customer_tiering::source::{ColumnMapping, Source};
use customer_tiering::{CustomerId, Error, Location, Reject, Transaction};
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use rust_decimal::Decimal;

/// Rows fetched per query.
const BATCH: i64 = 1024;

/// A [`Source`] of transactions over one table of an open SQLite database.
///
/// Column names come from a [`ColumnMapping`] (the same as for CSV files):
/// `customer_id`, `date` and `amount` must exist; `profit` and `product` are read when
/// the table has them. The table must have a `rowid` (not `WITHOUT ROWID`).
///
/// # Example
/// ```
/// use customer_tiering::source::{ColumnMapping, Source};
/// use customer_tiering_apps::sqlite_source::SqliteTransactions;
/// use rusqlite::Connection;
///
/// let conn = Connection::open_in_memory().expect("sqlite");
/// conn.execute_batch(
///     "CREATE TABLE sales (CustomerID INTEGER, InvoiceDate TEXT, Total TEXT, product TEXT);
///      INSERT INTO sales VALUES (17850, '2010-12-01 08:26:00', '15.30', 'tea');",
/// ).expect("schema");
/// let mapping = ColumnMapping::parse("customer_id=CustomerID,date=InvoiceDate,amount=Total")?;
/// let mut source = SqliteTransactions::new(&conn, "sales", &mapping)?;
/// assert_eq!(source.origin(), "memory"); // the database file's name; rejects add table and row
/// let tx = source.next_record().unwrap()?;
/// assert_eq!((tx.customer_id.as_str(), tx.amount.to_string()), ("17850", "15.30".to_string()));
/// assert_eq!(tx.product.as_deref(), Some("tea"));
/// assert!(source.next_record().is_none());
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug)]
pub struct SqliteTransactions<'c> {
    conn: &'c Connection,
    /// The database file, for I/O errors (`memory` for an in-memory database).
    path: PathBuf,
    /// The database file's name (`shop.sqlite`, `memory`): the source of every reject.
    origin: String,
    /// The table, named in every reject.
    table: String,
    /// `SELECT rowid, … WHERE rowid >= ?1 ORDER BY rowid LIMIT ?2`.
    select: String,
    /// Whether the select has a profit and a product column (after the three required).
    optional: [bool; 2],
    batch: VecDeque<RawRow>,
    /// The smallest rowid not read yet; none when the table is read to its end.
    next_rowid: Option<i64>,
}

/// One cell as SQLite stored it (text kept as bytes: SQLite does not check UTF-8).
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(usize),
}

impl Cell {
    fn of(value: ValueRef<'_>) -> Cell {
        match value {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(i) => Cell::Integer(i),
            ValueRef::Real(f) => Cell::Real(f),
            ValueRef::Text(t) => Cell::Text(t.to_vec()),
            ValueRef::Blob(b) => Cell::Blob(b.len()),
        }
    }

    /// The value as a reject holds it: text as stored (the reject cuts it past 200 bytes
    /// and decodes it lossily), numbers in their shortest exact form, `NULL`, or a
    /// blob's length.
    fn raw(&self) -> Cow<'_, [u8]> {
        match self {
            Cell::Null => Cow::Borrowed(b"NULL"),
            Cell::Integer(i) => Cow::Owned(i.to_string().into_bytes()),
            Cell::Real(f) => Cow::Owned(f.to_string().into_bytes()),
            Cell::Text(t) => Cow::Borrowed(t),
            Cell::Blob(len) => Cow::Owned(format!("BLOB of {len} bytes").into_bytes()),
        }
    }

    /// Whether the cell holds no value: `NULL` or text that is only whitespace.
    fn is_blank(&self) -> bool {
        match self {
            Cell::Null => true,
            Cell::Text(t) => t.trim_ascii().is_empty(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct RawRow {
    rowid: i64,
    customer_id: Cell,
    date: Cell,
    amount: Cell,
    profit: Option<Cell>,
    product: Option<Cell>,
}

impl<'c> SqliteTransactions<'c> {
    /// A source over `table`, its columns named by `mapping`.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] when the table lacks a required column (the "header" shown
    /// is the table's columns); [`Error::Io`] with the database file when the table does
    /// not exist, has no rowid, or SQLite fails.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::ColumnMapping;
    /// use customer_tiering::Error;
    /// use customer_tiering_apps::sqlite_source::SqliteTransactions;
    /// use rusqlite::Connection;
    /// let conn = Connection::open_in_memory().expect("sqlite");
    /// conn.execute_batch("CREATE TABLE orders (id TEXT, date TEXT, amount TEXT)").expect("schema");
    /// let err = SqliteTransactions::new(&conn, "orders", &ColumnMapping::default()).unwrap_err();
    /// assert!(matches!(&err, Error::MissingColumn { column, .. } if column == "customer_id"));
    /// assert_eq!(err.to_string(), r#"memory: table orders: missing required column "customer_id" (header: id,date,amount)"#);
    /// let err = SqliteTransactions::new(&conn, "sales", &ColumnMapping::default()).unwrap_err();
    /// assert_eq!(err.to_string(), r#"memory: no table "sales" in the database"#);
    /// ```
    pub fn new(conn: &'c Connection, table: &str, mapping: &ColumnMapping) -> Result<Self, Error> {
        let path = match conn.path() {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => PathBuf::from("memory"),
        };
        let origin = path.file_name().map_or_else(
            || path.display().to_string(),
            |f| f.to_string_lossy().into(),
        );
        let io = |e: rusqlite::Error| sqlite_error(&path, e);

        let mut info = conn
            .prepare(&format!("PRAGMA table_info({})", quote(table)))
            .map_err(io)?;
        let columns: Vec<String> = info
            .query_map([], |row| row.get::<_, String>(1))
            .map_err(io)?
            .collect::<Result<_, _>>()
            .map_err(io)?;
        if columns.is_empty() {
            return Err(io_error(
                &path,
                std::io::ErrorKind::NotFound,
                format!("no table {table:?} in the database"),
            ));
        }
        let has = |name: &str| columns.iter().any(|c| c.eq_ignore_ascii_case(name));
        for name in [&mapping.customer_id, &mapping.date, &mapping.amount] {
            if !has(name) {
                return Err(Error::MissingColumn {
                    source_name: format!("{origin}: table {table}"),
                    column: name.clone(),
                    header: columns.join(","),
                    hints: Box::default(),
                });
            }
        }
        let optional = [has(&mapping.profit), has(&mapping.product)];
        let mut selected = vec![
            quote(&mapping.customer_id),
            quote(&mapping.date),
            quote(&mapping.amount),
        ];
        for (present, name) in optional.iter().zip([&mapping.profit, &mapping.product]) {
            if *present {
                selected.push(quote(name));
            }
        }
        let select = format!(
            "SELECT rowid, {} FROM {} WHERE rowid >= ?1 ORDER BY rowid LIMIT ?2",
            selected.join(", "),
            quote(table)
        );
        // Prepared once here so that a table without rowid fails now, not mid-read.
        conn.prepare(&select).map_err(io)?;
        Ok(SqliteTransactions {
            conn,
            path,
            origin,
            table: table.to_string(),
            select,
            optional,
            batch: VecDeque::new(),
            next_rowid: Some(i64::MIN),
        })
    }

    /// Reads the next batch of rows after the last one read.
    fn fill(&mut self) -> Result<(), Error> {
        let Some(from) = self.next_rowid else {
            return Ok(());
        };
        let io = |e: rusqlite::Error| sqlite_error(&self.path, e);
        let mut stmt = self.conn.prepare(&self.select).map_err(io)?;
        let mut rows = stmt.query((from, BATCH)).map_err(io)?;
        let [has_profit, has_product] = self.optional;
        let mut read = 0;
        while let Some(row) = rows.next().map_err(io)? {
            let cell = |i: usize| row.get_ref(i).map(Cell::of);
            let mut next = 4;
            let mut optional = |present: bool| -> rusqlite::Result<Option<Cell>> {
                if !present {
                    return Ok(None);
                }
                next += 1;
                cell(next - 1).map(Some)
            };
            let raw = RawRow {
                rowid: row.get(0).map_err(io)?,
                customer_id: cell(1).map_err(io)?,
                date: cell(2).map_err(io)?,
                amount: cell(3).map_err(io)?,
                profit: optional(has_profit).map_err(io)?,
                product: optional(has_product).map_err(io)?,
            };
            self.next_rowid = raw.rowid.checked_add(1);
            self.batch.push_back(raw);
            read += 1;
        }
        if read < BATCH {
            self.next_rowid = None;
        }
        Ok(())
    }

    /// One transaction, or the reject naming the first field that fails.
    fn parse(&self, row: &RawRow) -> Result<Transaction, Error> {
        let at = |field: &str, cell: &Cell, reason: &dyn fmt::Display| -> Error {
            reject(
                &self.origin,
                &self.table,
                row.rowid,
                field,
                &cell.raw(),
                reason,
            )
            .into()
        };
        let customer_id = match &row.customer_id {
            Cell::Text(t) => CustomerId::from_bytes(t).map_err(|e| e.to_string()),
            Cell::Integer(i) => CustomerId::new(&i.to_string()).map_err(|e| e.to_string()),
            Cell::Null => Err("no customer id (NULL)".into()),
            Cell::Real(_) => {
                Err("a REAL is not a customer id: store ids as TEXT or INTEGER".into())
            }
            Cell::Blob(_) => Err("a BLOB is not a customer id".into()),
        }
        .map_err(|e| at("customer_id", &row.customer_id, &e))?;
        let date = match &row.date {
            Cell::Text(t) => parse_date(t).map_err(|e| e.to_string()),
            Cell::Null => Err("no date (NULL)".into()),
            _ => Err("a date must be TEXT of the form YYYY-MM-DD".into()),
        }
        .map_err(|e| at("date", &row.date, &e))?;
        let amount = exact(&row.amount, "amount").map_err(|e| at("amount", &row.amount, &e))?;
        let mut tx = Transaction::new(customer_id, date, amount);
        if let Some(cell) = row.profit.as_ref().filter(|c| !c.is_blank()) {
            tx.profit = Some(exact(cell, "profit").map_err(|e| at("profit", cell, &e))?);
        }
        if let Some(cell) = row.product.as_ref().filter(|c| !c.is_blank()) {
            let product = match cell {
                Cell::Text(t) => std::str::from_utf8(t.trim_ascii())
                    .map(str::to_string)
                    .map_err(|_| "not valid UTF-8".to_string()),
                Cell::Integer(i) => Ok(i.to_string()),
                _ => Err("a product code must be TEXT or INTEGER".into()),
            }
            .map_err(|e| at("product", cell, &e))?;
            tx = tx.with_product(&product);
        }
        Ok(tx)
    }
}

/// An exact decimal from `TEXT` (the amount grammar
/// ([inputs](customer_tiering::definitions#inputs)), scale as written) or `INTEGER`; never
/// from a `REAL`.
fn exact(cell: &Cell, what: &str) -> Result<Decimal, String> {
    match cell {
        Cell::Text(t) => parse_amount_bytes(t).map_err(|e| e.to_string()),
        Cell::Integer(i) => Ok(Decimal::from(*i)),
        Cell::Null => Err(format!("no {what} (NULL)")),
        Cell::Real(_) => Err(format!(
            "a REAL is a binary float, not an exact decimal: store {what}s as TEXT or INTEGER"
        )),
        Cell::Blob(_) => Err(format!("a BLOB is not an exact decimal {what}")),
    }
}

/// The one place a reject is built: the database file's name, the table and the row's
/// `rowid` ([`Location::row`]), the field, the raw value and the reason.
///
/// # Example
/// ```
/// use customer_tiering::error::Position;
/// use customer_tiering_apps::sqlite_source::reject;
/// let r = reject("shop.sqlite", "orders", 42, "amount", b"12,50", &"not a decimal");
/// assert_eq!(r.to_string(), r#"shop.sqlite: table orders, row 42, field "amount": "12,50": not a decimal"#);
/// let Position::Row { table, key } = r.location().position() else { unreachable!() };
/// assert_eq!((table.as_str(), key.as_str()), ("orders", "42"));
/// // A rowid set by a program may be negative; it is shown as it is.
/// let r = reject("shop.sqlite", "orders", -3, "date", b"NULL", &"no date (NULL)");
/// assert_eq!(r.location().to_string(), "shop.sqlite: table orders, row -3");
/// ```
pub fn reject(
    database: &str,
    table: &str,
    rowid: i64,
    field: &str,
    raw: &[u8],
    reason: &dyn fmt::Display,
) -> Reject {
    Reject::new(Location::row(database, table, rowid), field, raw, reason)
}

/// SQL identifier quoting: `"name"`, inner quotes doubled.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A failure of SQLite itself: the library has no database error, so it is reported as
/// what it is to a caller, a file that could not be read.
fn sqlite_error(path: &std::path::Path, e: rusqlite::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    }
}

fn io_error(path: &std::path::Path, kind: std::io::ErrorKind, message: String) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(kind, message),
    }
}

impl Source for SqliteTransactions<'_> {
    type Record = Transaction;

    fn origin(&self) -> &str {
        &self.origin
    }

    fn next_record(&mut self) -> Option<Result<Transaction, Error>> {
        if self.batch.is_empty()
            && let Err(e) = self.fill()
        {
            // A failing database ends the source after the error.
            self.next_rowid = None;
            return Some(Err(e));
        }
        let row = self.batch.pop_front()?;
        Some(self.parse(&row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_doubles_inner_quotes() {
        assert_eq!(quote("orders"), "\"orders\"");
        assert_eq!(quote("my \"big\" table"), "\"my \"\"big\"\" table\"");
    }

    #[test]
    fn cells_show_what_sqlite_stored() {
        let raw = |c: Cell| String::from_utf8(c.raw().into_owned()).unwrap();
        assert_eq!(raw(Cell::Null), "NULL");
        assert_eq!(raw(Cell::Real(19.99)), "19.99");
        assert_eq!(raw(Cell::Integer(-4)), "-4");
        assert_eq!(raw(Cell::Blob(3)), "BLOB of 3 bytes");
        assert_eq!(raw(Cell::Text(b"12,50".to_vec())), "12,50");
    }

    #[test]
    fn long_text_is_cut_once_by_the_reject() {
        let long = Cell::Text(vec![b'x'; 300]);
        let r = reject("db", "t", 1, "amount", &long.raw(), &"not a decimal");
        assert_eq!(r.value(), format!("{}… (300 bytes)", "x".repeat(200)));
    }
}
