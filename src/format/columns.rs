//! Which header names hold each field of a transaction: part of a declared format
//! (an input profile's `[columns]`, `tier --columns`).

use crate::error::ConfigError;

/// Which header names hold each field of a transaction.
///
/// # Example
/// ```
/// use customer_tiering::source::ColumnMapping;
/// let mapping = ColumnMapping::parse("customer_id=CustomerID,date=InvoiceDate,amount=Amount")?;
/// assert_eq!(mapping.date, "InvoiceDate");
/// assert!(ColumnMapping::parse("price=Amount").is_err());
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    /// The customer id column (required).
    pub customer_id: String,
    /// The date column (required).
    pub date: String,
    /// The amount column (required).
    pub amount: String,
    /// The profit column: used when the header has it; required when mapped explicitly.
    pub profit: String,
    /// The product column: used when the header has it; required when mapped explicitly.
    pub product: String,
    /// Whether `profit` and `product` were mapped explicitly (then required).
    pub(crate) explicit: [bool; 2],
}

impl Default for ColumnMapping {
    /// The crate's own names: `customer_id`, `date`, `amount`, and optionally `profit` and
    /// `product`.
    fn default() -> Self {
        ColumnMapping {
            customer_id: "customer_id".into(),
            date: "date".into(),
            amount: "amount".into(),
            profit: "profit".into(),
            product: "product".into(),
            explicit: [false; 2],
        }
    }
}

impl ColumnMapping {
    /// Parses `field=COLUMN,…` (fields: `customer_id`, `date`, `amount`, `profit`,
    /// `product`); unnamed fields keep their default column.
    ///
    /// # Errors
    /// [`ConfigError::Columns`] for an unknown field, a field named twice, or an entry
    /// without `=`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::ColumnMapping;
    /// let mapping = ColumnMapping::parse("amount=Total")?;
    /// assert_eq!(mapping.amount, "Total");
    /// assert_eq!(mapping.customer_id, "customer_id"); // not named: the default
    /// let err = ColumnMapping::parse("date=Day,date=Date").unwrap_err();
    /// assert_eq!(err.to_string(), r#"column mapping: field "date" is mapped twice"#);
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn parse(spec: &str) -> Result<Self, ConfigError> {
        let mut mapping = ColumnMapping::default();
        let mut seen: Vec<&str> = Vec::new();
        for entry in spec.split(',').filter(|e| !e.trim().is_empty()) {
            let Some((field, column)) = entry.split_once('=') else {
                return Err(ConfigError::Columns {
                    reason: format!("{entry:?} is not of the form field=COLUMN"),
                });
            };
            let (field, column) = (field.trim(), column.trim());
            if column.is_empty() {
                return Err(ConfigError::Columns {
                    reason: format!("field {field:?} is mapped to an empty column name"),
                });
            }
            if seen.contains(&field) {
                return Err(ConfigError::Columns {
                    reason: format!("field {field:?} is mapped twice"),
                });
            }
            seen.push(field);
            let slot = match field {
                "customer_id" => &mut mapping.customer_id,
                "date" => &mut mapping.date,
                "amount" => &mut mapping.amount,
                "profit" => {
                    mapping.explicit[0] = true;
                    &mut mapping.profit
                }
                "product" => {
                    mapping.explicit[1] = true;
                    &mut mapping.product
                }
                other => {
                    return Err(ConfigError::Columns {
                        reason: format!(
                            "unknown field {other:?} (known: customer_id, date, amount, profit, product)"
                        ),
                    });
                }
            };
            *slot = column.to_string();
        }
        Ok(mapping)
    }
}
