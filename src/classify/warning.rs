//! [Warnings](crate::definitions#warnings): legal input that makes a tier
//! meaningless. Each classifier's model says which of its own apply
//! ([`Model::warnings`](super::Model::warnings));
//! [`report::warnings`](crate::report::warnings) gathers them for a run.
//!
//! # Example
//! ```
//! use customer_tiering::classify::Warning;
//! let w = Warning::new("churn_unstable", "churn_risk", "churn_risk: the model saw 3 churners", serde_json::json!({ "churners": 3 }));
//! assert_eq!(w.to_string(), "warning: churn_unstable: churn_risk: the model saw 3 churners");
//! ```

use rust_decimal::Decimal;
use serde::Serialize;

use crate::profile::{Metric, Population};

/// A warning ([warnings](crate::definitions#warnings)): legal input that makes a tier
/// meaningless.
///
/// # Example
/// ```
/// # use customer_tiering::classify::pareto::ParetoParams;
/// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for (id, amount, day) in [("A", 60, 1), ("A", 30, 21), ("B", 10, 11)] {
/// #     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, day), amount.into()))?;
/// # }
/// # let population = b.finish()?;
/// # let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// use customer_tiering::report::warnings;
/// # let fitted = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.fit(&population)?;
/// // Two buyers: the gold and iron bands are empty.
/// let found = warnings(&fitted, &population);
/// assert_eq!((found[0].code, found[0].classifier.as_str()), ("empty_band", "metal"));
/// assert!(found[0].to_string().starts_with("warning: empty_band: "));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// A stable code in lower snake case (see [`warnings`](crate::report::warnings)).
    pub code: &'static str,
    /// The classifier column it concerns (or `(pipeline)`).
    pub classifier: String,
    /// One line for people.
    pub message: String,
    /// The figures involved.
    pub figures: serde_json::Value,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "warning: {}: {}", self.code, self.message)
    }
}

impl Warning {
    /// A warning with a stable `code` (lower snake case) about `classifier`'s column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Warning;
    /// let w = Warning::new("few_labels", "learned", "learned: 12 hand-graded accounts", serde_json::json!(12));
    /// assert_eq!((w.code, w.classifier.as_str()), ("few_labels", "learned"));
    /// ```
    pub fn new(
        code: &'static str,
        classifier: impl Into<String>,
        message: impl Into<String>,
        figures: serde_json::Value,
    ) -> Self {
        Warning {
            code,
            classifier: classifier.into(),
            message: message.into(),
            figures,
        }
    }
}

/// `single_value` ([warnings](crate::definitions#warnings)) for `column` when every buyer
/// of `population` has the same value of `metric`: the ranking by it says nothing.
pub(crate) fn single_value(
    column: &str,
    metric: Metric,
    population: &Population,
) -> Option<Warning> {
    // One distinct value: there is a first, and every other equals it (numerically:
    // 2.5 and 2.50 are one value). One pass, nothing sorted or kept.
    let mut values = population.buyers().filter_map(|p| p.metric(metric));
    let first: Decimal = values.next()?;
    values.all(|v| v == first).then(|| Warning {
        code: "single_value",
        classifier: column.into(),
        message: format!(
            "{column}: every buyer has the same {metric}, so the ranking says nothing"
        ),
        figures: serde_json::json!({ "metric": metric.name() }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CustomerId, PopulationBuilder, Transaction};
    use jiff::civil::date;
    use rust_decimal::dec;

    fn population(amounts: &[Decimal]) -> Population {
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for (i, amount) in amounts.iter().enumerate() {
            let id = CustomerId::new(&format!("C{i}")).unwrap();
            b.add(Transaction::new(id, date(2026, 3, 1), *amount))
                .unwrap();
        }
        b.finish().unwrap()
    }

    #[test]
    fn single_value_is_one_distinct_value_numerically() {
        let warns = |amounts: &[Decimal]| {
            single_value("metal", Metric::Monetary, &population(amounts)).is_some()
        };
        assert!(warns(&[dec!(2.5), dec!(2.50), dec!(2.500)])); // one value, three scales
        assert!(warns(&[dec!(7)]));
        assert!(!warns(&[dec!(2.5), dec!(2.6)]));
        assert!(!warns(&[dec!(1), dec!(1), dec!(-1)]));
        assert!(!warns(&[])); // no buyer: nothing to say
    }
}
