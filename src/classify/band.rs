//! The bands of a Pareto or composite scheme, and what their shares count.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::{Column, ColumnLabels};

/// What a band's share is a share of.
///
/// # Example
/// ```
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for (id, spend) in [("C1", 50), ("C2", 30), ("C3", 10), ("C4", 5), ("C5", 3), ("C6", 2)] {
/// #     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), spend.into()))?;
/// # }
/// # let population = b.finish()?;
/// use customer_tiering::classify::pareto::{Band, Basis, ParetoParams};
/// use customer_tiering::classify::Classifier;
/// use customer_tiering::Metric;
/// use rust_decimal::dec;
/// let halves = vec![Band::new("top", dec!(0.5)), Band::new("rest", dec!(0.5))];
/// let by_count = ParetoParams::new("half", Metric::Monetary, Basis::Count, halves.clone());
/// let by_value = ParetoParams::new("half", Metric::Monetary, Basis::Value, halves);
/// // spend 50, 30, 10, 5, 3, 2: the best half of the customers, or of the spend
/// assert_eq!(by_count.fit(&population)?.sizes(), [3, 3]);
/// assert_eq!(by_value.fit(&population)?.sizes(), [1, 5]); // 50 of 100 is half already
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Share of customers ranked by the metric (the customer pyramid).
    #[default]
    Count,
    /// Share of the metric's positive total (ABC analysis).
    Value,
}

/// One band: its label and its share, a decimal fraction (`0.01` is 1 %).
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::Band;
/// use rust_decimal::dec;
/// // in a settings file the share is an exact decimal string
/// let band: Band = serde_json::from_str(r#"{"name": "gold", "share": "0.04"}"#)?;
/// assert_eq!((band.name.as_str(), band.share), ("gold", dec!(0.04))); // 4 %
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The label (`platinum`).
    pub name: SmolStr,
    /// The band's share, `0 < share ≤ 1`; the shares of a scheme sum to exactly 1.
    #[serde(with = "rust_decimal::serde::str")]
    pub share: Decimal,
}

impl Band {
    /// A band from a name and a share written as a decimal fraction.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::{Band, ParetoParams};
    /// use rust_decimal::dec;
    /// let gold = Band::new("gold", dec!(0.04)); // 4 %, not 4
    /// assert_eq!(ParetoParams::metals().get_bands()[1], gold);
    /// ```
    pub fn new(name: &str, share: Decimal) -> Self {
        Band {
            name: SmolStr::new(name),
            share,
        }
    }
}

/// The column of a banded classifier: its bands' names in order, best first.
pub(super) fn column(name: &str, bands: &[Band]) -> Column {
    let labels = bands.iter().map(|b| b.name.to_string()).collect();
    Column::new(name, ColumnLabels::ordered(labels))
}
