//! A transactions table registered with a session: which column holds what, and how each
//! is turned into the profile plan's typed values.

use std::fmt;

use customer_tiering::format::ColumnMapping;
use datafusion::arrow::datatypes::{DataType, Schema};

use crate::error::{Error, InputProblem};
use crate::parse::{AMOUNT, CUSTOMER_ID, DATE, SUM_PRECISION, TEXT, TEXT_SCALE};

/// Where a registered table's rows come from, for rejects and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// CSV files in the default input format: every column is text, parsed by the crate's
    /// own grammar.
    Csv,
    /// Parquet files: typed columns are taken as they are (dates as `Date32`, money as
    /// decimals or integers); text columns are parsed like CSV's.
    Parquet,
    /// A table already in the session (record batches, a view …), typed like Parquet.
    Table,
}

/// A transactions table in a session, with the SQL that reads each field of it.
#[derive(Debug, Clone)]
pub struct TransactionsTable {
    pub(crate) name: String,
    pub(crate) kind: InputKind,
    pub(crate) files: Vec<String>,
    pub(crate) columns: Fields,
    /// The mapping the columns were found by (the locating pass reads CSV with it).
    pub(crate) mapping: ColumnMapping,
}

/// The SQL expression of each field, over the raw table.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub(crate) id: String,
    pub(crate) day: String,
    /// The amount as `Decimal256(76, scale)` and its written scale (`UInt8`).
    pub(crate) amount: Money,
    pub(crate) profit: Option<Money>,
    pub(crate) product: Option<String>,
    /// Which raw columns hold the fields, by field name, for messages and the locating pass.
    pub(crate) raw: Vec<(&'static str, String)>,
}

/// A money field: its value as `Decimal256(76, s)`, its written scale, whether a value
/// is present (for the optional profit) and whether it is valid.
#[derive(Debug, Clone)]
pub(crate) struct Money {
    pub(crate) value: String,
    pub(crate) scale: String,
    /// The scale of `value` (28 for text, the column's own for decimals).
    pub(crate) sum_scale: i8,
    /// True where the raw field holds something (for profit: a blank one is none).
    pub(crate) present: String,
}

impl TransactionsTable {
    /// The table's name in the session.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the table was read from.
    pub fn kind(&self) -> InputKind {
        self.kind
    }

    /// The files behind it, sorted (none for a table already in the session).
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Works out how to read each field of `schema` by `mapping`: text is parsed by the
    /// grammar, typed columns are taken as they are, and a type that cannot hold the field
    /// exactly (floating-point money, a date with a time zone) is an error naming it.
    pub(crate) fn new(
        name: &str,
        kind: InputKind,
        files: Vec<String>,
        schema: &Schema,
        mapping: &ColumnMapping,
    ) -> Result<Self, Error> {
        let find = |column: &str| schema.index_of(column).ok().map(|i| schema.field(i));
        let required = |field: &'static str, column: &str| {
            find(column).ok_or_else(|| Error::Input {
                table: name.to_string(),
                column: column.to_string(),
                problem: InputProblem::Missing { field },
            })
        };
        let wrong = |column: &str, data_type: &DataType, wanted: &'static str| Error::Input {
            table: name.to_string(),
            column: column.to_string(),
            problem: InputProblem::Type {
                found: data_type.to_string(),
                wanted,
            },
        };
        let id_field = required("customer_id", &mapping.customer_id)?;
        let id = quote(id_field.name());
        let id = match id_field.data_type() {
            t if is_text(t) => format!("{CUSTOMER_ID}({id})"),
            t if t.is_integer() => format!("{CUSTOMER_ID}(CAST({id} AS VARCHAR))"),
            t => return Err(wrong(id_field.name(), t, "text or an integer")),
        };
        let date_field = required("date", &mapping.date)?;
        let date = quote(date_field.name());
        let day = match date_field.data_type() {
            t if is_text(t) => format!("{DATE}({date})"),
            DataType::Date32 => date,
            DataType::Date64 => format!("CAST({date} AS DATE)"),
            t => return Err(wrong(date_field.name(), t, "text, Date32 or Date64")),
        };
        let money = |column: &str, data_type: &DataType| -> Result<Money, Error> {
            let q = quote(column);
            // Files of different scales joined: each row's own scale is a column.
            let own_scale = scale_column(column);
            let own_scale = find(&own_scale).map(|f| quote(f.name()));
            let typed = |scale: i8| Money {
                value: format!("CAST({q} AS DECIMAL({SUM_PRECISION}, {scale}))"),
                scale: own_scale
                    .clone()
                    .unwrap_or_else(|| format!("arrow_cast({scale}, 'UInt8')")),
                sum_scale: scale,
                present: format!("{q} IS NOT NULL"),
            };
            match data_type {
                t if is_text(t) => Ok(Money {
                    value: format!("get_field({AMOUNT}({q}), 'v')"),
                    scale: format!("get_field({AMOUNT}({q}), 's')"),
                    sum_scale: TEXT_SCALE,
                    present: format!("{TEXT}({q}) IS NOT NULL"),
                }),
                DataType::Decimal32(_, s)
                | DataType::Decimal64(_, s)
                | DataType::Decimal128(_, s)
                | DataType::Decimal256(_, s)
                    if (0..=TEXT_SCALE).contains(s) =>
                {
                    Ok(typed(*s))
                }
                t if t.is_integer() => Ok(typed(0)),
                t => Err(wrong(
                    column,
                    t,
                    "text, a decimal of scale 0 to 28, or an integer (never floating point)",
                )),
            }
        };
        let amount_field = required("amount", &mapping.amount)?;
        let amount = money(amount_field.name(), amount_field.data_type())?;
        let profit = find(&mapping.profit)
            .map(|f| money(f.name(), f.data_type()))
            .transpose()?;
        let product = match find(&mapping.product) {
            Some(f) if is_text(f.data_type()) => Some(format!("{TEXT}({})", quote(f.name()))),
            Some(f) if f.data_type().is_integer() => {
                Some(format!("{TEXT}(CAST({} AS VARCHAR))", quote(f.name())))
            }
            Some(f) => return Err(wrong(f.name(), f.data_type(), "text or an integer")),
            None => None,
        };
        let mut raw = vec![
            ("customer_id", id_field.name().clone()),
            ("date", date_field.name().clone()),
            ("amount", amount_field.name().clone()),
        ];
        if profit.is_some() {
            raw.push(("profit", mapping.profit.clone()));
        }
        if product.is_some() {
            raw.push(("product", mapping.product.clone()));
        }
        Ok(TransactionsTable {
            name: name.to_string(),
            kind,
            files,
            columns: Fields {
                id,
                day,
                amount,
                profit,
                product,
                raw,
            },
            mapping: mapping.clone(),
        })
    }
}

impl TransactionsTable {
    /// Every row of the table with its fields typed: `id`, `day`, `v` and `s` (the
    /// amount and its written scale), `pv`, `ps` and `pp` (the profit, its scale, and
    /// whether the field held anything) when there is a profit column, `product` when
    /// there is one, and `ok`, false for a row the grammar rejects.
    pub(crate) fn validated_sql(&self) -> String {
        let f = &self.columns;
        let mut raw = vec![
            format!("{} AS id", f.id),
            format!("{} AS day", f.day),
            format!("{} AS v", f.amount.value),
            format!("{} AS s", f.amount.scale),
        ];
        let mut ok = "id IS NOT NULL AND day IS NOT NULL AND v IS NOT NULL".to_string();
        if let Some(p) = &f.profit {
            raw.push(format!("{} AS pv", p.value));
            raw.push(format!(
                "CASE WHEN {} IS NOT NULL THEN {} END AS ps",
                p.value, p.scale
            ));
            raw.push(format!("{} AS pp", p.present));
            // A blank profit is none; one outside the grammar rejects the row.
            ok.push_str(" AND (NOT pp OR pv IS NOT NULL)");
        }
        if let Some(p) = &f.product {
            raw.push(format!("{p} AS product"));
        }
        format!(
            "SELECT *, ({ok}) AS ok FROM (SELECT {} FROM {})",
            raw.join(", "),
            quote(&self.name)
        )
    }
}

/// The name of the column that holds, per row, the written scale of the money column
/// `column` where Parquet files of different decimal scales are read as one table.
pub(crate) fn scale_column(column: &str) -> String {
    format!("__ct_scale_{column}")
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// A column name as an SQL identifier: double-quoted, inner quotes doubled.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Csv => "CSV",
            InputKind::Parquet => "Parquet",
            InputKind::Table => "table",
        })
    }
}
