//! Migration between two periods ([migration](crate::definitions#migration)): the same
//! customers' labels at two dates (or a previous run's `tiers.csv` against this run),
//! matched by `customer_id`.
//!
//! Per label column: a matrix of counts (rows the earlier label, columns the later one)
//! with a `(none)` row and column for customers present in only one period, and in each
//! cell the exact sums of `monetary` at the earlier and at the later date (0 where the
//! customer is absent). For columns whose labels have an order (scores: higher is
//! better; tiers best first), the customers who moved up or down, and those new and
//! gone.
//!
//! # Example
//! ```
//! use customer_tiering::classify::pareto::ParetoParams;
//! use customer_tiering::migration::{migrate, Period};
//! use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
//! use jiff::civil::{date, Date};
//! // A and B buy in the first quarter; in the second, B spends big and C arrives.
//! let orders = [("A", 2026_01_10, 50), ("B", 2026_02_01, 5), ("B", 2026_05_01, 500), ("C", 2026_06_01, 1)];
//! let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
//! let period = |as_of: Date| -> Result<Period, customer_tiering::Error> {
//!     let mut b = PopulationBuilder::new(as_of);
//!     for (id, ymd, amount) in orders {
//!         let day = date((ymd / 10000) as i16, (ymd / 100 % 100) as i8, (ymd % 100) as i8);
//!         b.add(Transaction::new(CustomerId::new(id).unwrap(), day, amount.into()))?;
//!     }
//!     let population = b.finish()?;
//!     let (_, tiering) = pipeline.run(&population)?;
//!     Ok(Period::from_tiering(&population, &tiering))
//! };
//! let (q1, q2) = (period(date(2026, 3, 31))?, period(date(2026, 6, 30))?);
//! let best_first = ["platinum", "gold", "iron", "lead"].map(String::from).to_vec();
//! let metal = &migrate(&q1, &q2, &[("metal".to_string(), best_first)].into())?[0];
//! assert_eq!(q1.label(&CustomerId::new("B").unwrap(), "metal"), Some("lead"));
//! assert_eq!(metal.upgraded.iter().map(|id| id.as_str()).collect::<Vec<_>>(), ["B"]);
//! assert_eq!(metal.downgraded.iter().map(|id| id.as_str()).collect::<Vec<_>>(), ["A"]);
//! assert_eq!(metal.new.iter().map(|id| id.as_str()).collect::<Vec<_>>(), ["C"]);
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::collections::BTreeMap;
use std::io::Read;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::classify::ColumnLabels;
use crate::csv_lines::{Records, read_header};
use crate::error::{Error, Reject, Subject};
use crate::money::checked_add;
use crate::pipeline::Tiering;
use crate::profile::{CustomerId, Population};

/// The label of a customer absent from a period.
///
/// # Example
/// ```
/// use customer_tiering::migration::{migrate, Period, ABSENT};
/// let head = "customer_id,monetary,metal\n";
/// let before = Period::from_tiers_csv("q1", format!("{head}A,10,gold\n").as_bytes())?;
/// let after = Period::from_tiers_csv("q2", format!("{head}B,20,lead\n").as_bytes())?;
/// let metal = &migrate(&before, &after, &Default::default())?[0];
/// assert_eq!(metal.cells[&("gold".into(), ABSENT.into())].customers, 1);
/// assert_eq!(metal.cells[&(ABSENT.into(), "lead".into())].customers, 1);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub const ABSENT: &str = "(none)";
/// The label of a customer present but without a label in a column.
///
/// # Example
/// ```
/// use customer_tiering::migration::{Period, UNSCORED};
/// use customer_tiering::CustomerId;
/// // N bought nothing by then: its metal cell is empty.
/// let csv = "customer_id,monetary,metal\nA,10.00,gold\nN,0.00,\n";
/// let period = Period::from_tiers_csv("tiers.csv", csv.as_bytes())?;
/// assert_eq!(period.label(&CustomerId::new("N").unwrap(), "metal"), Some(UNSCORED));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub const UNSCORED: &str = "(unscored)";

/// One period: per customer, `monetary` and a label per column, and what the summary
/// figures of the period need ([summary figures](crate::definitions#summary-figures)):
/// `transactions` and `recency_days`.
///
/// Made from a run ([`Period::from_tiering`]) or from a previous run's `tiers.csv`
/// ([`Period::from_tiers_csv`]); compared by [`migrate`], summed up by
/// [`Summary::from_period`](crate::report::Summary::from_period).
///
/// # Example
/// ```
/// use customer_tiering::migration::Period;
/// use customer_tiering::CustomerId;
/// let csv = "customer_id,recency_days,frequency,transactions,monetary,tenure_days,metal,tier,tags\n\
///            A,3,2,2,90.00,40,platinum,gold,vip\nB,10,1,1,10.00,10,lead,lead,\n";
/// let period = Period::from_tiers_csv("q1/tiers.csv", csv.as_bytes())?;
/// assert_eq!(period.columns(), ["metal", "tier"]); // tags are not a label column
/// assert_eq!(period.label(&CustomerId::new("A").unwrap(), "tier"), Some("gold"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Period {
    columns: Vec<String>,
    rows: BTreeMap<CustomerId, Entry>,
}

/// One customer of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) monetary: Decimal,
    /// None when read from a `tiers.csv` without a `transactions` column.
    pub(crate) transactions: Option<u64>,
    /// None for a customer without purchases at the period's date.
    pub(crate) recency_days: Option<i64>,
    pub(crate) labels: Vec<String>,
}

impl Period {
    /// A run's labels with its population's `monetary` (the `tags` column left out).
    ///
    /// # Panics
    /// Never for a tiering of that population (same customers, same order).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::migration::Period;
    /// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// for (id, amount) in [("A", 90), ("B", 10)] {
    ///     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), amount.into()))?;
    /// }
    /// let population = b.finish()?;
    /// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// let period = Period::from_tiering(&population, &tiering);
    /// assert_eq!(period.label(&CustomerId::new("A").unwrap(), "metal"), Some("platinum"));
    /// assert_eq!(period.len(), 2);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_tiering(population: &Population, tiering: &Tiering) -> Self {
        let keep: Vec<usize> = (0..tiering.columns().len())
            .filter(|&i| tiering.columns()[i] != crate::pipeline::TAGS)
            .collect();
        let columns = keep.iter().map(|&i| tiering.columns()[i].clone()).collect();
        let customers = population.columns();
        let rows = (0..customers.len())
            .zip(tiering.rows())
            .map(|(i, (id, labels))| {
                debug_assert_eq!(customers.id(i), id.as_str());
                let cells = keep
                    .iter()
                    .map(|&i| match labels[i].is_scored() {
                        true => labels[i].as_cell().into_owned(),
                        false => UNSCORED.to_string(),
                    })
                    .collect();
                let entry = Entry {
                    monetary: customers.monetary[i],
                    transactions: Some(customers.transactions[i]),
                    recency_days: customers.recency_days[i],
                    labels: cells,
                };
                (id.clone(), entry)
            })
            .collect();
        Period { columns, rows }
    }

    /// A previous run's `tiers.csv` ([CLI
    /// files](crate::definitions#cli-files-and-exit-codes)): `customer_id`, `monetary`, and
    /// every column after `tenure_days` but `tags` as labels (an empty cell is unscored).
    /// `transactions` and `recency_days` are read when present (an empty `recency_days` is
    /// a customer without purchases); without a `transactions` column the period's summary
    /// has no `average_order_value`.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] without `customer_id` or `monetary`; [`Error::Reject`]
    /// for a row with a bad id, amount, count or field count, or a customer given twice.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::migration::Period;
    /// let csv = "customer_id,recency_days,frequency,transactions,monetary,tenure_days,metal\nC1,3,1,1,10.00,3,gold\n";
    /// let period = Period::from_tiers_csv("old/tiers.csv", csv.as_bytes())?;
    /// assert_eq!(period.columns(), ["metal"]);
    /// assert_eq!(period.len(), 1);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_tiers_csv<R: Read>(origin: &str, reader: R) -> Result<Self, Error> {
        Period::read_tiers_csv(origin, reader, &[])
    }

    /// Like [`Period::from_tiers_csv`], checking every label of the columns `known`
    /// describes (a pipeline's [`column_labels`](crate::FittedPipeline::column_labels)) as
    /// a saved model is checked ([output safety](crate::definitions#output-safety)): a
    /// label the column cannot take — a hand-edited `platinnum`, a score 6 of five bins —
    /// is an error naming the line. An empty cell is an unscored customer; columns `known`
    /// does not name are read as they are.
    ///
    /// # Errors
    /// As [`Period::from_tiers_csv`], and [`Error::Reject`] for an unknown label.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::migration::Period;
    /// use customer_tiering::classify::ColumnLabels;
    /// let metals = ["platinum", "gold", "iron", "lead"].map(String::from).to_vec();
    /// let known = [("metal".to_string(), ColumnLabels::Named { labels: metals, ordered: true })];
    /// let csv = "customer_id,monetary,metal\nC1,10.00,gold\nC2,5.00,platinnum\n";
    /// let err = Period::from_tiers_csv_checked("old/tiers.csv", csv.as_bytes(), &known).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"old/tiers.csv: line 3, field "metal": "platinnum": not a label of metal (platinum, gold, iron, lead)"#
    /// );
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_tiers_csv_checked<R: Read>(
        origin: &str,
        reader: R,
        known: &[(String, ColumnLabels)],
    ) -> Result<Self, Error> {
        Period::read_tiers_csv(origin, reader, known)
    }

    fn read_tiers_csv<R: Read>(
        origin: &str,
        reader: R,
        known: &[(String, ColumnLabels)],
    ) -> Result<Self, Error> {
        let mut records = Records::new(reader, false);
        let names = read_header(origin, &mut records)?;
        let find = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| Error::MissingColumn {
                    source_name: origin.to_string(),
                    column: name.to_string(),
                    header: names.join(","),
                    hints: Box::default(),
                })
        };
        let (id_col, monetary_col) = (find("customer_id")?, find("monetary")?);
        let transactions_col = find("transactions").ok();
        let recency_col = find("recency_days").ok();
        let first_label = names
            .iter()
            .position(|n| n == "tenure_days")
            .map_or(0, |i| i + 1);
        let label_cols: Vec<usize> = (first_label..names.len())
            .filter(|&i| {
                ![
                    Some(id_col),
                    Some(monetary_col),
                    transactions_col,
                    recency_col,
                ]
                .contains(&Some(i))
                    && names[i] != crate::pipeline::TAGS
            })
            .collect();
        let checks: Vec<Option<&ColumnLabels>> = label_cols
            .iter()
            .map(|&i| known.iter().find(|(c, _)| *c == names[i]).map(|(_, l)| l))
            .collect();
        let mut rows = BTreeMap::new();
        loop {
            let record = match records.next_row(origin, names.len()) {
                None => break,
                Some(row) => row?,
            };
            let line = record.line;
            let reject = |field: &str, raw: &[u8], reason: String| -> Error {
                Reject::of_field(origin, line, field, raw, reason).into()
            };
            let id = CustomerId::from_bytes(record.get(id_col))
                .map_err(|e| reject("customer_id", record.get(id_col), e.to_string()))?;
            let monetary = crate::money::parse_amount_bytes(record.get(monetary_col))
                .map_err(|e| reject("monetary", record.get(monetary_col), e.to_string()))?;
            let count = |column: usize, field: &str| -> Result<Option<i64>, Error> {
                let raw = record.get(column).trim_ascii();
                if raw.is_empty() {
                    return Ok(None);
                }
                std::str::from_utf8(raw)
                    .ok()
                    .and_then(|text| text.parse::<i64>().ok())
                    .filter(|&n| n >= 0)
                    .map(Some)
                    .ok_or_else(|| reject(field, raw, "not a whole number ≥ 0".into()))
            };
            // Every row of a tiers.csv has a count of rows (0 without purchases).
            let transactions = match transactions_col {
                Some(column) => match count(column, "transactions")? {
                    Some(n) => Some(n.unsigned_abs()),
                    None => return Err(reject("transactions", b"", "empty count".into())),
                },
                None => None,
            };
            let recency_days = match recency_col {
                Some(column) => count(column, "recency_days")?,
                None => None,
            };
            let mut labels = Vec::with_capacity(label_cols.len());
            for (&i, check) in label_cols.iter().zip(&checks) {
                let cell = String::from_utf8_lossy(record.get(i).trim_ascii()).into_owned();
                if cell.is_empty() {
                    labels.push(UNSCORED.to_string());
                    continue;
                }
                if let Some(Err(reason)) = check.map(|c| label_check(&names[i], c, &cell)) {
                    return Err(reject(&names[i], record.get(i), reason));
                }
                labels.push(cell);
            }
            let entry = Entry {
                monetary,
                transactions,
                recency_days,
                labels,
            };
            if rows.insert(id.clone(), entry).is_some() {
                return Err(reject(
                    "customer_id",
                    id.as_str().as_bytes(),
                    "customer given twice".into(),
                ));
            }
        }
        let columns = label_cols.iter().map(|&i| names[i].clone()).collect();
        Ok(Period { columns, rows })
    }

    /// The label columns.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::migration::Period;
    /// let csv = "customer_id,recency_days,frequency,transactions,monetary,tenure_days,r,f,m,metal\n\
    ///            A,3,2,2,90.00,40,5,5,5,platinum\n";
    /// let period = Period::from_tiers_csv("tiers.csv", csv.as_bytes())?;
    /// assert_eq!(period.columns(), ["r", "f", "m", "metal"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// A customer's label in a column ([`UNSCORED`] when present without one); none
    /// when the customer or the column is absent.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::migration::Period;
    /// use customer_tiering::CustomerId;
    /// let period = Period::from_tiers_csv("t.csv", "customer_id,monetary,metal\nA,5,iron\n".as_bytes())?;
    /// let a = CustomerId::new("A").unwrap();
    /// assert_eq!(period.label(&a, "metal"), Some("iron"));
    /// assert_eq!(period.label(&a, "grade"), None);
    /// assert_eq!(period.label(&CustomerId::new("Z").unwrap(), "metal"), None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn label(&self, id: &CustomerId, column: &str) -> Option<&str> {
        let index = self.columns.iter().position(|c| c == column)?;
        self.rows.get(id).map(|entry| entry.labels[index].as_str())
    }

    /// The customers in byte order of id, with what the summary figures need.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&CustomerId, &Entry)> {
        self.rows.iter()
    }

    /// The number of customers.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::migration::Period;
    /// let period = Period::from_tiers_csv("t.csv", "customer_id,monetary\nA,5\nB,7\n".as_bytes())?;
    /// assert_eq!(period.len(), 2);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the period has no customer.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::migration::Period;
    /// assert!(Period::default().is_empty());
    /// let period = Period::from_tiers_csv("t.csv", "customer_id,monetary\nA,5\n".as_bytes())?;
    /// assert!(!period.is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One cell of a migration matrix.
///
/// # Example
/// ```
/// use customer_tiering::migration::{migrate, Period};
/// let head = "customer_id,monetary,metal\n";
/// let before = Period::from_tiers_csv("q1", format!("{head}A,10.00,gold\nB,4.00,gold\n").as_bytes())?;
/// let after = Period::from_tiers_csv("q2", format!("{head}A,12.50,gold\nB,9.00,gold\n").as_bytes())?;
/// let cell = &migrate(&before, &after, &Default::default())?[0].cells[&("gold".into(), "gold".into())];
/// assert_eq!(cell.customers, 2);
/// assert_eq!((cell.monetary_before.to_string(), cell.monetary_after.to_string()), ("14.00".into(), "21.50".into()));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Customers that moved from the row's label to the column's.
    pub customers: u64,
    /// Their exact `monetary` at the earlier date (0 for new customers).
    #[serde(with = "rust_decimal::serde::str")]
    pub monetary_before: Decimal,
    /// Their exact `monetary` at the later date (0 for gone customers).
    #[serde(with = "rust_decimal::serde::str")]
    pub monetary_after: Decimal,
}

/// The migration of one label column.
///
/// Serialised (as in `migration.json`) with its cells as a list of
/// `{from, to, customers, monetary_before, monetary_after}`.
///
/// # Example
/// ```
/// use customer_tiering::migration::{migrate, Period};
/// use std::collections::BTreeMap;
/// let head = "customer_id,monetary,abc\n";
/// let before = Period::from_tiers_csv("q1", format!("{head}A,10,A\nB,4,C\n").as_bytes())?;
/// let after = Period::from_tiers_csv("q2", format!("{head}A,12,B\nB,9,A\n").as_bytes())?;
/// let orders = BTreeMap::from([("abc".to_string(), vec!["A".into(), "B".into(), "C".into()])]);
/// let abc = &migrate(&before, &after, &orders)?[0];
/// assert_eq!((abc.upgraded[0].as_str(), abc.downgraded[0].as_str()), ("B", "A"));
/// let json = serde_json::to_value(abc).unwrap();
/// assert_eq!(json["cells"][0], serde_json::json!({
///     "from": "A", "to": "B", "customers": 1, "monetary_before": "10", "monetary_after": "12"
/// }));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ColumnMigration {
    /// The column (`metal`, `r` …).
    pub column: String,
    /// Cells by (earlier label, later label); only non-empty cells.
    #[serde(serialize_with = "cells_as_list")]
    pub cells: BTreeMap<(String, String), Cell>,
    /// The labels best first, when the column has an order.
    pub order: Option<Vec<String>>,
    /// Customers whose label got better (ordered columns only).
    pub upgraded: Vec<CustomerId>,
    /// Customers whose label got worse (ordered columns only).
    pub downgraded: Vec<CustomerId>,
    /// Customers present only in the later period.
    pub new: Vec<CustomerId>,
    /// Customers present only in the earlier period.
    pub gone: Vec<CustomerId>,
}

fn cells_as_list<S: serde::Serializer>(
    cells: &BTreeMap<(String, String), Cell>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Row<'a> {
        from: &'a str,
        to: &'a str,
        #[serde(flatten)]
        cell: &'a Cell,
    }
    s.collect_seq(
        cells
            .iter()
            .map(|((from, to), cell)| Row { from, to, cell }),
    )
}

/// Matches two periods by customer and builds, for every column both have, its
/// migration. `orders` gives the labels best first for ordered columns.
///
/// # Errors
/// [`Error::Overflow`] when a cell's monetary sum leaves the decimal range, naming the
/// column and the cell (`monetary_before of metal cell "gold" → "platinum"`).
///
/// # Example
/// ```
/// use customer_tiering::migration::{migrate, Period};
/// use std::collections::BTreeMap;
/// let head = "customer_id,recency_days,frequency,transactions,monetary,tenure_days,metal\n";
/// let before = Period::from_tiers_csv("q1", format!("{head}A,1,1,1,10,1,gold\nB,1,1,1,5,1,lead\n").as_bytes())?;
/// let after = Period::from_tiers_csv("q2", format!("{head}A,1,1,1,30,1,platinum\nC,1,1,1,7,1,lead\n").as_bytes())?;
/// let orders = BTreeMap::from([("metal".to_string(), vec!["platinum".into(), "gold".into(), "iron".into(), "lead".into()])]);
/// let metal = &migrate(&before, &after, &orders)?[0];
/// assert_eq!(metal.upgraded[0].as_str(), "A");
/// let a = &metal.cells[&("gold".to_string(), "platinum".to_string())];
/// assert_eq!((a.customers, a.monetary_before, a.monetary_after), (1, 10.into(), 30.into()));
/// assert_eq!(metal.cells[&("lead".to_string(), "(none)".to_string())].customers, 1);
/// assert_eq!(metal.new[0].as_str(), "C");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn migrate(
    before: &Period,
    after: &Period,
    orders: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<ColumnMigration>, Error> {
    let mut out = Vec::new();
    for (after_index, column) in after.columns.iter().enumerate() {
        let Some(before_index) = before.columns.iter().position(|c| c == column) else {
            continue;
        };
        let order = orders.get(column);
        let rank = |label: &str| order.and_then(|o| o.iter().position(|l| l == label));
        let mut migration = ColumnMigration {
            column: column.clone(),
            order: order.cloned(),
            ..ColumnMigration::default()
        };
        let mut ids: Vec<&CustomerId> = before.rows.keys().chain(after.rows.keys()).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let was = before
                .rows
                .get(id)
                .map(|e| (e.monetary, e.labels[before_index].as_str()));
            let now = after
                .rows
                .get(id)
                .map(|e| (e.monetary, e.labels[after_index].as_str()));
            let from = was.map_or(ABSENT, |(_, l)| l);
            let to = now.map_or(ABSENT, |(_, l)| l);
            let cell = migration
                .cells
                .entry((from.to_string(), to.to_string()))
                .or_default();
            cell.customers += 1;
            // The cell's total overflows, not this customer's own monetary.
            let overflow = |metric| {
                Error::total_overflow(
                    metric,
                    Subject::Cell {
                        column: column.clone(),
                        from: from.to_string(),
                        to: to.to_string(),
                    },
                )
            };
            if let Some((m, _)) = was {
                cell.monetary_before = checked_add(cell.monetary_before, m)
                    .ok_or_else(|| overflow("monetary_before"))?;
            }
            if let Some((m, _)) = now {
                cell.monetary_after = checked_add(cell.monetary_after, m)
                    .ok_or_else(|| overflow("monetary_after"))?;
            }
            match (was, now) {
                (None, Some(_)) => migration.new.push(id.clone()),
                (Some(_), None) => migration.gone.push(id.clone()),
                _ => match (rank(from), rank(to)) {
                    (Some(a), Some(b)) if b < a => migration.upgraded.push(id.clone()),
                    (Some(a), Some(b)) if b > a => migration.downgraded.push(id.clone()),
                    _ => {}
                },
            }
        }
        out.push(migration);
    }
    Ok(out)
}

/// Whether `cell` is a label `column` can take.
fn label_check(column: &str, labels: &ColumnLabels, cell: &str) -> Result<(), String> {
    match labels {
        ColumnLabels::Scores(k) => match cell.parse::<u8>() {
            Ok(score) if (1..=*k).contains(&score) => Ok(()),
            _ => Err(format!("not a score of {column} (1 to {k})")),
        },
        ColumnLabels::Named { labels, .. }
            if labels.is_empty() || labels.iter().any(|l| l == cell) =>
        {
            Ok(())
        }
        ColumnLabels::Named { labels, .. } => {
            Err(format!("not a label of {column} ({})", labels.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::pareto::ParetoParams;
    use crate::classify::rfm::RfmParams;
    use crate::{PipelineBuilder, PopulationBuilder, Transaction};
    use jiff::civil::date;

    fn population(as_of: jiff::civil::Date) -> Population {
        let mut b = PopulationBuilder::new(as_of);
        for i in 0..40i64 {
            let id = CustomerId::new(&format!("C{i:02}")).unwrap();
            for k in 0..(i % 5 + 1) {
                let day = date(2025, 1 + (k * 2 + i % 2) as i8, 1 + (i % 27) as i8);
                b.add(Transaction::new(
                    id.clone(),
                    day,
                    Decimal::new(i * 137 + k * 11, 2),
                ))
                .unwrap();
            }
        }
        b.finish().unwrap()
    }

    fn period(as_of: jiff::civil::Date) -> (Period, BTreeMap<String, Vec<String>>) {
        let pop = population(as_of);
        let pipeline = PipelineBuilder::new()
            .classifier(RfmParams::default())
            .classifier(ParetoParams::metals())
            .build()
            .unwrap();
        let (fitted, tiering) = pipeline.run(&pop).unwrap();
        let orders = fitted.label_orders();
        (Period::from_tiering(&pop, &tiering), orders)
    }

    #[test]
    fn a_run_compared_with_itself_is_only_the_diagonal() {
        let (p, orders) = period(date(2025, 12, 31));
        for m in migrate(&p, &p, &orders).unwrap() {
            assert!(m.cells.keys().all(|(a, b)| a == b), "{}", m.column);
            assert!(
                m.upgraded.is_empty()
                    && m.downgraded.is_empty()
                    && m.new.is_empty()
                    && m.gone.is_empty()
            );
        }
    }

    #[test]
    fn every_customer_is_in_one_cell_and_sums_are_exact() {
        let (before, orders) = period(date(2025, 6, 30));
        let (after, _) = period(date(2025, 12, 31));
        let total = |p: &Period| p.rows.values().fold(Decimal::ZERO, |a, e| a + e.monetary);
        let everyone: std::collections::BTreeSet<&CustomerId> =
            before.rows.keys().chain(after.rows.keys()).collect();
        for m in migrate(&before, &after, &orders).unwrap() {
            let customers: u64 = m.cells.values().map(|c| c.customers).sum();
            assert_eq!(customers as usize, everyone.len(), "{}", m.column);
            let present_before: u64 = m
                .cells
                .iter()
                .filter(|((a, _), _)| a != ABSENT)
                .map(|(_, c)| c.customers)
                .sum();
            assert_eq!(present_before as usize, before.len());
            let before_sum = m
                .cells
                .values()
                .fold(Decimal::ZERO, |a, c| a + c.monetary_before);
            let after_sum = m
                .cells
                .values()
                .fold(Decimal::ZERO, |a, c| a + c.monetary_after);
            assert_eq!(
                (before_sum, after_sum),
                (total(&before), total(&after)),
                "{}",
                m.column
            );
            let moved = m.upgraded.len() + m.downgraded.len() + m.new.len() + m.gone.len();
            let off_diagonal: u64 = m
                .cells
                .iter()
                .filter(|((a, b), _)| a != b)
                .map(|(_, c)| c.customers)
                .sum();
            if m.order.is_some() {
                assert_eq!(moved as u64, off_diagonal, "{}", m.column);
            }
        }
    }
}
