//! Populations and tiers as Arrow record batches, exactly: money as `Decimal128`, with a
//! companion `UInt8` column `<name>_scale` holding each value's own scale.
//!
//! A `Decimal128` column has one scale, while the core crate keeps the scale every sum
//! was written with (`12.5 + 1` is `13.5`, `12.50 + 1` is `13.50`). A batch made here
//! stores each value at the column's largest scale and its own scale beside it, so a
//! population read back prints exactly as it did. A batch without the scale column (one
//! from Parquet, say) gives every value the column's scale. Counts are `UInt64`, days
//! `Int64`, ids `Utf8`; nothing is floating point.

use std::sync::Arc;

use customer_tiering::{CustomerId, Population, Profile, Tiering};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, Int64Array, RecordBatch, StringArray, UInt8Array,
    UInt64Array,
};
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Decimal256Type, Field, Int64Type, Schema, UInt8Type,
};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::error::Error;

/// Reads one money field of a profile.
type MoneyField = fn(&Profile) -> Option<Decimal>;

/// The money columns of a profile batch, with the profile field each holds.
const MONEY: [(&str, MoneyField); 5] = [
    ("monetary", |p| Some(p.monetary)),
    ("profit", |p| p.profit),
    ("monetary_current", |p| Some(p.monetary_current)),
    ("monetary_previous", |p| Some(p.monetary_previous)),
    ("growth", |p| p.growth),
];

/// The values of a text column (`Utf8`, `LargeUtf8` or `Utf8View`), none for a null.
///
/// # Errors
/// [`Error::Plan`] for a column of another type.
pub(crate) fn texts(array: &ArrayRef) -> Result<Vec<Option<&str>>, Error> {
    Ok(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().collect(),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
        DataType::Utf8View => array.as_string_view().iter().collect(),
        other => return Err(Error::Plan(format!("expected text, got {other}"))),
    })
}

/// A column of exact decimals at their largest scale, and the scales.
fn money_columns(values: &[Option<Decimal>]) -> Result<(ArrayRef, ArrayRef), Error> {
    let scale = values
        .iter()
        .flatten()
        .map(Decimal::scale)
        .max()
        .unwrap_or(0);
    // A large value at a small scale, beside a small one at a large scale, may not fit
    // 38 digits at the larger scale: then it is an error, never a rounding.
    let widened = values.iter().map(|v| {
        v.map(|v| {
            v.mantissa()
                .checked_mul(10i128.pow(scale - v.scale()))
                .filter(|m| m.unsigned_abs() < 10u128.pow(38))
                .ok_or(v)
        })
        .transpose()
    });
    let widened: Result<Vec<Option<i128>>, Decimal> = widened.collect();
    let widened = widened.map_err(|v| {
        Error::Plan(format!(
            "{v} does not fit a Decimal128 column of scale {scale}"
        ))
    })?;
    let column = Decimal128Array::from(widened).with_precision_and_scale(38, scale as i8)?;
    let scales: UInt8Array = values.iter().map(|v| v.map(|v| v.scale() as u8)).collect();
    Ok((Arc::new(column), Arc::new(scales)))
}

/// A population as one record batch: `customer_id`, `recency_days`, `frequency`,
/// `transactions`, `monetary`, `profit`, `tenure_days`, `distinct_products`,
/// `monetary_current`, `monetary_previous`, `growth`, each money column followed by its
/// `_scale` column. Attributes are not carried.
///
/// # Errors
/// [`Error::Engine`] when a value does not fit `Decimal128(38, s)` at the column's
/// largest scale.
///
/// # Example
/// ```
/// use customer_tiering::{CustomerId, Population, Profile};
/// use customer_tiering_datafusion::arrow::{population_batch, population_from_batches};
/// use jiff::civil::date;
/// use rust_decimal::dec;
/// let profile = |id, monetary| Profile {
///     frequency: 1, transactions: 1, recency_days: Some(3), tenure_days: Some(3), monetary,
///     ..Profile::without_purchases(CustomerId::new(id).unwrap())
/// };
/// let population = Population::new(date(2026, 6, 30), vec![profile("A", dec!(1.5)), profile("B", dec!(2.25))])?;
/// let batch = population_batch(&population)?;
/// let back = population_from_batches(date(2026, 6, 30), &[batch])?;
/// assert_eq!(back.get("A").unwrap().monetary.to_string(), "1.5"); // its own scale
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn population_batch(population: &Population) -> Result<RecordBatch, Error> {
    let profiles = population.profiles();
    let mut fields = vec![Field::new("customer_id", DataType::Utf8, false)];
    let ids: StringArray = profiles
        .iter()
        .map(|p| Some(p.customer_id.as_str()))
        .collect();
    let mut columns: Vec<ArrayRef> = vec![Arc::new(ids)];
    let mut int = |name: &str, values: Int64Array| {
        fields.push(Field::new(name, DataType::Int64, true));
        columns.push(Arc::new(values));
    };
    int(
        "recency_days",
        profiles.iter().map(|p| p.recency_days).collect(),
    );
    int(
        "tenure_days",
        profiles.iter().map(|p| p.tenure_days).collect(),
    );
    let mut count = |name: &str, values: UInt64Array| {
        fields.push(Field::new(name, DataType::UInt64, true));
        columns.push(Arc::new(values));
    };
    count(
        "frequency",
        profiles.iter().map(|p| Some(p.frequency)).collect(),
    );
    count(
        "transactions",
        profiles.iter().map(|p| Some(p.transactions)).collect(),
    );
    count(
        "distinct_products",
        profiles.iter().map(|p| p.distinct_products).collect(),
    );
    for (name, get) in MONEY {
        let values: Vec<Option<Decimal>> = profiles.iter().map(get).collect();
        let (column, scales) = money_columns(&values)?;
        fields.push(Field::new(name, column.data_type().clone(), true));
        fields.push(Field::new(format!("{name}_scale"), DataType::UInt8, true));
        columns.extend([column, scales]);
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// A population from batches of profiles: the columns of [`population_batch`], by name,
/// in any order; `customer_id`, `frequency` and `monetary` are required, the others
/// default as a profile without them does. Money may be `Decimal128`, `Decimal256` or an
/// integer; a `<name>_scale` column, where present, gives each value its own scale.
/// Counts may be any integer type.
///
/// # Errors
/// [`Error::Input`] for a missing required column or a column of the wrong type,
/// [`Error::Tiering`] for a bad id, an id given twice, or money that does not fit the
/// core crate's decimals.
pub fn population_from_batches(as_of: Date, batches: &[RecordBatch]) -> Result<Population, Error> {
    let mut profiles = Vec::new();
    for batch in batches {
        let wrong = |column: &str, wanted: &'static str| {
            let found = batch
                .column_by_name(column)
                .map_or_else(String::new, |c| c.data_type().to_string());
            Error::Input {
                table: "profiles".into(),
                column: column.into(),
                problem: match found.is_empty() {
                    true => crate::error::InputProblem::Missing { field: wanted },
                    false => crate::error::InputProblem::Type { found, wanted },
                },
            }
        };
        let ids = batch
            .column_by_name("customer_id")
            .ok_or_else(|| wrong("customer_id", "customer_id"))?;
        let ids = texts(ids).map_err(|_| wrong("customer_id", "text"))?;
        let ints = |name: &'static str| -> Result<Option<Vec<Option<i64>>>, Error> {
            let Some(c) = batch.column_by_name(name) else {
                return Ok(None);
            };
            let cast = datafusion::arrow::compute::cast(c, &DataType::Int64)
                .map_err(|_| wrong(name, "an integer"))?;
            if !c.data_type().is_integer() || cast.null_count() != c.null_count() {
                return Err(wrong(name, "an integer"));
            }
            Ok(Some(cast.as_primitive::<Int64Type>().iter().collect()))
        };
        let money = |name: &'static str| -> Result<Option<Vec<Option<Decimal>>>, Error> {
            let Some(c) = batch.column_by_name(name) else {
                return Ok(None);
            };
            let scales = batch
                .column_by_name(&format!("{name}_scale"))
                .map(|s| datafusion::arrow::compute::cast(s, &DataType::UInt8))
                .transpose()?;
            let scales = scales.as_ref().map(|s| s.as_primitive::<UInt8Type>());
            decimals(c, scales)
                .map(Some)
                .ok_or_else(|| wrong(name, "a decimal or an integer"))
        };
        let recency = ints("recency_days")?;
        let tenure = ints("tenure_days")?;
        let frequency = ints("frequency")?.ok_or_else(|| wrong("frequency", "frequency"))?;
        let transactions = ints("transactions")?;
        let products = ints("distinct_products")?;
        let monetary = money("monetary")?.ok_or_else(|| wrong("monetary", "monetary"))?;
        let profit = money("profit")?;
        let current = money("monetary_current")?;
        let previous = money("monetary_previous")?;
        let growth = money("growth")?;
        let at = |c: &Option<Vec<Option<i64>>>, row: usize| c.as_ref().and_then(|c| c[row]);
        let dec = |c: &Option<Vec<Option<Decimal>>>, row: usize| c.as_ref().and_then(|c| c[row]);
        let count = |v: Option<i64>| v.map(|v| v.max(0) as u64);
        for (row, id) in ids.iter().enumerate() {
            let customer_id =
                CustomerId::new(id.unwrap_or_default()).map_err(|problem| Error::BadId {
                    row: row + 1,
                    problem,
                })?;
            let frequency = count(frequency[row]).unwrap_or(0);
            profiles.push(Profile {
                recency_days: at(&recency, row),
                frequency,
                transactions: count(at(&transactions, row)).unwrap_or(frequency),
                monetary: monetary[row].unwrap_or(Decimal::ZERO),
                profit: dec(&profit, row),
                tenure_days: at(&tenure, row),
                distinct_products: count(at(&products, row)),
                monetary_current: dec(&current, row).unwrap_or(Decimal::ZERO),
                monetary_previous: dec(&previous, row).unwrap_or(Decimal::ZERO),
                growth: dec(&growth, row),
                ..Profile::without_purchases(customer_id)
            });
        }
    }
    Ok(Population::new(as_of, profiles)?)
}

/// The exact decimals of a decimal or integer column, each at its own scale where
/// `scales` gives one; none for another type or a value beyond the core's decimals.
fn decimals(
    column: &ArrayRef,
    scales: Option<&datafusion::arrow::array::PrimitiveArray<UInt8Type>>,
) -> Option<Vec<Option<Decimal>>> {
    let (mantissas, scale): (Vec<Option<i128>>, u32) = match column.data_type() {
        DataType::Decimal128(_, s) => (
            column.as_primitive::<Decimal128Type>().iter().collect(),
            u32::try_from(*s).ok()?,
        ),
        DataType::Decimal256(_, s) => (
            column
                .as_primitive::<Decimal256Type>()
                .iter()
                .map(|v| match v {
                    Some(v) => v.to_i128().map(Some),
                    None => Some(None),
                })
                .collect::<Option<_>>()?,
            u32::try_from(*s).ok()?,
        ),
        t if t.is_integer() => {
            let cast = datafusion::arrow::compute::cast(column, &DataType::Int64).ok()?;
            let values = cast.as_primitive::<Int64Type>();
            (values.iter().map(|v| v.map(i128::from)).collect(), 0)
        }
        _ => return None,
    };
    mantissas
        .iter()
        .enumerate()
        .map(|(row, m)| {
            let Some(m) = *m else {
                return Some(None);
            };
            let own = scales
                .filter(|s| !s.is_null(row))
                .map_or(scale, |s| u32::from(s.value(row)));
            let down = 10i128.checked_pow(scale.checked_sub(own)?)?;
            (m % down == 0).then_some(())?;
            Decimal::try_from_i128_with_scale(m / down, own)
                .ok()
                .map(Some)
        })
        .collect()
}

/// The tiers of a population as one record batch, with the columns of `tiers.csv`:
/// `customer_id`, `recency_days`, `frequency`, `transactions`, `monetary` (with
/// `monetary_scale`), `tenure_days`, then one `Utf8` column per classifier column of
/// `tiering` (empty labels are null).
///
/// # Errors
/// As [`population_batch`].
pub fn tiers_batch(population: &Population, tiering: &Tiering) -> Result<RecordBatch, Error> {
    let profiles = population.profiles();
    let ids: StringArray = profiles
        .iter()
        .map(|p| Some(p.customer_id.as_str()))
        .collect();
    let mut fields = vec![Field::new("customer_id", DataType::Utf8, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(ids)];
    let recency: Int64Array = profiles.iter().map(|p| p.recency_days).collect();
    let frequency: UInt64Array = profiles.iter().map(|p| Some(p.frequency)).collect();
    let transactions: UInt64Array = profiles.iter().map(|p| Some(p.transactions)).collect();
    let (monetary, scales) = money_columns(
        &profiles
            .iter()
            .map(|p| Some(p.monetary))
            .collect::<Vec<_>>(),
    )?;
    let tenure: Int64Array = profiles.iter().map(|p| p.tenure_days).collect();
    for (name, column) in [
        ("recency_days", Arc::new(recency) as ArrayRef),
        ("frequency", Arc::new(frequency)),
        ("transactions", Arc::new(transactions)),
        ("monetary", monetary),
        ("monetary_scale", scales),
        ("tenure_days", Arc::new(tenure)),
    ] {
        fields.push(Field::new(name, column.data_type().clone(), true));
        columns.push(column);
    }
    for (index, name) in tiering.columns().iter().enumerate() {
        let labels: StringArray = tiering
            .rows()
            .map(|(_, row)| {
                let cell = row.label(index).as_cell();
                (!cell.is_empty()).then(|| cell.into_owned())
            })
            .collect();
        fields.push(Field::new(name, DataType::Utf8, true));
        columns.push(Arc::new(labels));
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}
