//! What a person looks at ([warnings](crate::definitions#warnings), [summary
//! figures](crate::definitions#summary-figures)): summary figures per classifier and label,
//! and warnings about inputs that make a tier meaningless.
//!
//! # Example
//! ```
//! use customer_tiering::classify::rfm::RfmParams;
//! use customer_tiering::report::{warnings, Summary};
//! use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for i in 1..=12i64 {
//!     b.add(Transaction::new(CustomerId::new(&format!("C{i:02}")).unwrap(), date(2026, 3, 1), i.into()))?;
//! }
//! let population = b.finish()?;
//! let (fitted, tiering) = PipelineBuilder::new().classifier(RfmParams::default()).build()?.run(&population)?;
//! let summary = Summary::new(&population, &tiering)?;
//! let top = &summary.labels["m"]["5"]; // the two biggest spenders: 11 and 12
//! assert_eq!((top.customers, top.revenue.to_string()), (2, "23".into()));
//! // 12 buyers are too few for 5 bins (fewer than 50): the figures say so.
//! let found = warnings(&fitted, &population);
//! assert!(found.iter().any(|w| w.code == "too_few_buyers"));
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::classify::{Label, Warning};
use crate::error::{Error, Subject};
use crate::migration::{Period, UNSCORED};
use crate::money::checked_add;
use crate::parallel;
use crate::pipeline::{FittedPipeline, TAGS, Tiering};
use crate::profile::Population;
use crate::source::ReadSummary;
use crate::wide::{U256, at_scale, parts, pow10, ratio_to_decimal};

mod html;
mod management;
pub mod number;
mod table;
mod tally;

#[cfg(feature = "charts")]
pub(crate) use html::escape;
pub use html::{Chart, RunInputs, report_html};

pub use management::{
    Comparison, MANAGEMENT_COLUMNS, ManagementRow, management_table, write_management_csv,
};
pub use table::summary_table;

use tally::{MAX_PIECE, Total, tally_piece};

/// The figures of one label ([summary figures](crate::definitions#summary-figures)). Shares
/// and averages are rounded to 4 decimal places, half away from zero; revenue is exact.
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
/// use customer_tiering::report::Summary;
/// // A bought 60 + 30 (last on 21 March), B 10 (on 11 March); as of 31 March.
/// let summary = Summary::new(&population, &tiering)?;
/// let a = &summary.labels["metal"]["platinum"];
/// assert_eq!((a.customers, a.revenue, a.median_recency_days), (1, 90.into(), Some(10)));
/// assert_eq!(a.average_order_value.unwrap().to_string(), "45.0000");
/// assert_eq!(a.revenue_share.unwrap().to_string(), "0.9000");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelFigures {
    /// Customers with the label.
    pub customers: u64,
    /// `customers / n`, `n` the classifier's population.
    #[serde(with = "rust_decimal::serde::str")]
    pub share: Decimal,
    /// Exact sum of their `monetary`.
    #[serde(with = "rust_decimal::serde::str")]
    pub revenue: Decimal,
    /// `revenue / ` the total over labels with positive revenue; none when that total
    /// is not positive or this label's revenue is not positive.
    #[serde(with = "crate::money::opt_str")]
    pub revenue_share: Option<Decimal>,
    /// `revenue / ` their transaction rows; none without rows.
    #[serde(with = "crate::money::opt_str")]
    pub average_order_value: Option<Decimal>,
    /// The lower median of their `recency_days`; none without buyers.
    pub median_recency_days: Option<i64>,
}

/// Summary figures of a run: per column, per label.
///
/// Serialises as `summary.json`'s `labels` and `revenue_total` ([CLI
/// files](crate::definitions#cli-files-and-exit-codes)): decimals as strings.
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
/// use customer_tiering::report::Summary;
/// let summary = Summary::new(&population, &tiering)?;
/// let json = serde_json::to_value(&summary).unwrap();
/// assert_eq!(json["revenue_total"], "100");
/// assert_eq!(json["labels"]["metal"]["lead"]["share"], "0.5000");
/// assert_eq!(json["labels"]["metal"]["lead"]["median_recency_days"], 20);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Exact sum of `monetary` over every customer of the run.
    #[serde(with = "rust_decimal::serde::str")]
    pub revenue_total: Decimal,
    /// Column → label → figures (unscored customers under `(unscored)`).
    pub labels: BTreeMap<String, BTreeMap<String, LabelFigures>>,
}

/// `±num/den` rounded half away from zero to 4 decimal places ([summary
/// figures](crate::definitions#summary-figures)): exactly 4, but for figures beyond 10^24,
/// where `rust_decimal` has room for fewer. The figures rounded here are shares (≤ 1) and
/// averages (≤ a label's revenue), so they fit.
fn round4(negative: bool, num: U256, den: U256) -> Decimal {
    ratio_to_decimal(negative, num, den, 4)
        .map(crate::money::normalize_zero)
        .unwrap_or_default()
}

impl Summary {
    /// The figures of `tiering` (the labels of `population`'s customers), every column
    /// but `tags`.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a label's revenue or the column's `revenue_total`
    /// leaves the decimal range, naming the label or the column (the run's first); shares
    /// and averages are exact quotients and never overflow.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::report::Summary;
    /// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// for (id, amount) in [("A", 90), ("B", 10)] {
    ///     b.add(Transaction::new(CustomerId::new(id).unwrap(), date(2026, 3, 1), amount.into()))?;
    /// }
    /// let population = b.finish()?;
    /// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// let summary = Summary::new(&population, &tiering)?;
    /// let platinum = &summary.labels["metal"]["platinum"];
    /// assert_eq!((platinum.customers, platinum.share.to_string()), (1, "0.5000".into()));
    /// assert_eq!(platinum.revenue_share.unwrap().to_string(), "0.9000");
    /// assert_eq!(summary.revenue_total, 100.into());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new(population: &Population, tiering: &Tiering) -> Result<Self, Error> {
        let columns: Vec<usize> = (0..tiering.columns().len())
            .filter(|&index| tiering.columns()[index] != TAGS)
            .collect();
        // One pass over the customers for every column, pieces of them on every core;
        // each piece's tallies are integers (counts, sums of mantissas, day histograms)
        // that add up exactly whatever the pieces. A customer's label is its code in
        // the column's dictionary: labels are looked at once per code, not per customer.
        let customers = population.len().min(tiering.len());
        let starts: Vec<usize> = (0..customers).step_by(PIECE).collect();
        let pieces = parallel::map(&starts, |&start| {
            let end = (start + PIECE).min(customers);
            tally_piece(population.columns(), start..end, &columns, tiering)
        });
        let mut by_code: Vec<BTreeMap<usize, Total>> = vec![BTreeMap::new(); columns.len()];
        for piece in pieces {
            for (column, tallies) in by_code.iter_mut().zip(piece) {
                for (code, tally) in tallies.into_tallies() {
                    column.entry(code).or_default().add(tally);
                }
            }
        }
        // Labels that print the same (a score 3 and a name "3", the reasons for no
        // score) are one label of the figures.
        let totals = columns.iter().zip(by_code).map(|(&index, codes)| {
            let dictionary = tiering.dictionary(index);
            let mut by_text: BTreeMap<String, Total> = BTreeMap::new();
            for (code, total) in codes {
                let text = cell(&dictionary[code]);
                match by_text.get_mut(text.as_ref()) {
                    Some(same) => same.merge(total),
                    None => {
                        by_text.insert(text.into_owned(), total);
                    }
                }
            }
            by_text
        });
        let mut labels = BTreeMap::new();
        for (&index, tallies) in columns.iter().zip(totals) {
            let column = &tiering.columns()[index];
            // A sum whose magnitudes pass the decimal range may have overflowed on the
            // way, in the customers' order: that order decides, as it always has.
            let in_order = match tallies.values().all(|t| t.revenue.exact().is_some()) {
                true => None,
                false => Some(revenues_in_order(
                    column,
                    population
                        .columns()
                        .monetary
                        .iter()
                        .zip(tiering.rows())
                        // The rare path: each customer's cell text is built.
                        .map(|(&monetary, (_, row))| {
                            (Cow::Owned(cell(&row[index]).into_owned()), monetary)
                        }),
                )?),
            };
            let per = tallies
                .into_iter()
                .map(|(label, mut total)| {
                    let revenue = match &in_order {
                        Some(revenues) => revenues.get(&label).copied().unwrap_or_default(),
                        None => total.revenue.exact().unwrap_or_default(),
                    };
                    let totals = Totals {
                        customers: total.customers,
                        revenue,
                        transactions: Some(total.transactions),
                        median_recency_days: total.median_recency_days(),
                    };
                    (label, totals)
                })
                .collect();
            labels.insert(column.clone(), figures(population.len(), per));
        }
        let first = tiering.columns().iter().find(|c| *c != TAGS);
        let revenue_total = revenue_total(first.and_then(|c| labels.get_key_value(c)), || {
            population.columns().monetary.iter().copied()
        })?;
        Ok(Summary {
            revenue_total,
            labels,
        })
    }

    /// The figures of a [`Period`]: the same as [`Summary::new`] for a period made by
    /// [`Period::from_tiering`], and the figures of a previous run from its `tiers.csv`
    /// ([`Period::from_tiers_csv`]; without a `transactions` column there, no
    /// `average_order_value`).
    ///
    /// # Errors
    /// As [`Summary::new`].
    ///
    /// # Example
    /// ```
    /// use customer_tiering::migration::Period;
    /// use customer_tiering::report::Summary;
    /// let csv = "customer_id,recency_days,frequency,transactions,monetary,tenure_days,metal\n\
    ///            A,3,2,2,90.00,40,platinum\nB,10,1,1,10.00,10,lead\nC,,0,0,0.00,,\n";
    /// let summary = Summary::from_period(&Period::from_tiers_csv("old/tiers.csv", csv.as_bytes())?)?;
    /// let platinum = &summary.labels["metal"]["platinum"];
    /// assert_eq!(platinum.average_order_value.unwrap().to_string(), "45.0000");
    /// assert_eq!(platinum.share.to_string(), "0.3333");
    /// assert_eq!(summary.labels["metal"]["(unscored)"].median_recency_days, None);
    /// assert_eq!(summary.revenue_total.to_string(), "100.00");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_period(period: &Period) -> Result<Self, Error> {
        let mut labels = BTreeMap::new();
        for (index, column) in period.columns().iter().enumerate() {
            let customers = period.entries().map(|(_, entry)| {
                let facts = Facts {
                    monetary: entry.monetary,
                    transactions: entry.transactions,
                    recency_days: entry.recency_days,
                };
                (Cow::Borrowed(entry.labels[index].as_str()), facts)
            });
            labels.insert(
                column.clone(),
                label_figures(column, period.len(), customers)?,
            );
        }
        let first = period.columns().first();
        let revenue_total = revenue_total(first.and_then(|c| labels.get_key_value(c)), || {
            period.entries().map(|(_, e)| e.monetary)
        })?;
        Ok(Summary {
            revenue_total,
            labels,
        })
    }
}

/// `revenue_total`: the sum over every customer, which each column's labels split ([summary
/// figures](crate::definitions#summary-figures): totals over labels equal the totals over
/// customers exactly). Summed over the first column's labels, so that an overflow names
/// that column ([bad input](crate::definitions#bad-input-and-rejects): `revenue_total of
/// metal`); over the customers when there is no column at all.
fn revenue_total<I: Iterator<Item = Decimal>>(
    first_column: Option<(&String, &BTreeMap<String, LabelFigures>)>,
    customers: impl FnOnce() -> I,
) -> Result<Decimal, Error> {
    let (revenues, subject): (Vec<Decimal>, Subject) = match first_column {
        Some((column, figures)) => (
            figures.values().map(|f| f.revenue).collect(),
            Subject::Column(column.clone()),
        ),
        None => (customers().collect(), Subject::Population),
    };
    let total = revenues
        .into_iter()
        .try_fold(Decimal::ZERO, checked_add)
        .ok_or_else(|| Error::total_overflow("revenue_total", subject))?;
    Ok(crate::money::normalize_zero(total))
}

/// What one customer brings to its label's figures.
struct Facts {
    monetary: Decimal,
    /// None when unknown (a previous `tiers.csv` without the column).
    transactions: Option<u64>,
    recency_days: Option<i64>,
}

/// A label's sums, from which its figures are worked out.
struct Totals {
    customers: u64,
    revenue: Decimal,
    /// None when a customer's count is unknown.
    transactions: Option<u128>,
    median_recency_days: Option<i64>,
}

/// The label of a cell: its text, `(unscored)` for none.
fn cell(label: &Label) -> Cow<'_, str> {
    match label.is_scored() {
        true => label.as_cell(),
        false => UNSCORED.into(),
    }
}

/// Revenue per label summed in the customers' order, as checked sums: an overflow names
/// the first label whose running sum leaves the decimal range.
fn revenues_in_order<'a>(
    column: &str,
    customers: impl Iterator<Item = (Cow<'a, str>, Decimal)>,
) -> Result<BTreeMap<String, Decimal>, Error> {
    let mut revenues: BTreeMap<String, Decimal> = BTreeMap::new();
    for (label, monetary) in customers {
        let revenue = match revenues.get_mut(label.as_ref()) {
            Some(revenue) => revenue,
            None => revenues.entry(label.to_string()).or_insert(Decimal::ZERO),
        };
        *revenue = checked_add(*revenue, monetary).ok_or_else(|| {
            Error::total_overflow(
                "revenue",
                Subject::Label {
                    column: column.into(),
                    label: label.into_owned(),
                },
            )
        })?;
    }
    Ok(revenues)
}

/// The [summary figures](crate::definitions#summary-figures) per label, over a classifier's
/// population of `n` customers, straight from each customer's label and facts (a
/// [`Period`]'s entries).
fn label_figures<'a>(
    column: &str,
    n: usize,
    customers: impl Iterator<Item = (Cow<'a, str>, Facts)>,
) -> Result<BTreeMap<String, LabelFigures>, Error> {
    struct Acc {
        customers: u64,
        revenue: Decimal,
        /// A sum of u64 counts over fewer than 2^64 customers fits u128.
        transactions: Option<u128>,
        recency: Vec<i64>,
    }
    let mut per: BTreeMap<String, Acc> = BTreeMap::new();
    for (label, facts) in customers {
        let acc = match per.get_mut(label.as_ref()) {
            Some(acc) => acc,
            None => per.entry(label.to_string()).or_insert(Acc {
                customers: 0,
                revenue: Decimal::ZERO,
                transactions: Some(0),
                recency: Vec::new(),
            }),
        };
        acc.customers += 1;
        acc.revenue = match checked_add(acc.revenue, facts.monetary) {
            Some(sum) => sum,
            None => {
                return Err(Error::total_overflow(
                    "revenue",
                    Subject::Label {
                        column: column.into(),
                        label: label.into_owned(),
                    },
                ));
            }
        };
        acc.transactions = acc
            .transactions
            .zip(facts.transactions)
            .map(|(a, b)| a.saturating_add(u128::from(b)));
        acc.recency.extend(facts.recency_days);
    }
    let per = per
        .into_iter()
        .map(|(label, mut acc)| {
            let median_recency_days = (!acc.recency.is_empty()).then(|| {
                let at = acc.recency.len().div_ceil(2) - 1;
                *acc.recency.select_nth_unstable(at).1
            });
            let totals = Totals {
                customers: acc.customers,
                revenue: acc.revenue,
                transactions: acc.transactions,
                median_recency_days,
            };
            (label, totals)
        })
        .collect();
    Ok(figures(n, per))
}

/// The [summary figures](crate::definitions#summary-figures) of each label from its sums.
///
/// Shares and averages are exact quotients rounded once, worked in integers: the total
/// over positive labels can pass the decimal range while every share stays ≤ 1, and
/// `rust_decimal`'s division would round to 28 digits before the rounding to 4.
fn figures(n: usize, per: BTreeMap<String, Totals>) -> BTreeMap<String, LabelFigures> {
    // Σ over labels with positive revenue, at their largest scale: each < 2^190, fewer
    // than 2^64 labels, so the sum stays below 2^254.
    let scale = per.values().map(|a| a.revenue.scale()).max().unwrap_or(0);
    let positive = per
        .values()
        .filter(|a| a.revenue > Decimal::ZERO)
        .filter_map(|a| at_scale(a.revenue, scale))
        .fold(U256::ZERO, U256::saturating_add);
    let count = U256::from_u128(n.max(1) as u128);
    per.into_iter()
        .map(|(label, acc)| {
            let (revenue_mantissa, revenue_scale) = parts(acc.revenue);
            let negative = acc.revenue < Decimal::ZERO;
            let figures = LabelFigures {
                customers: acc.customers,
                share: round4(false, U256::from_u128(u128::from(acc.customers)), count),
                revenue: crate::money::normalize_zero(acc.revenue),
                revenue_share: (positive > U256::ZERO && acc.revenue > Decimal::ZERO).then(|| {
                    let revenue = at_scale(acc.revenue, scale).unwrap_or(U256::ZERO);
                    round4(false, revenue, positive)
                }),
                average_order_value: acc.transactions.filter(|&t| t > 0).map(|t| {
                    // revenue / t = m / (t · 10^s)
                    let divisor = U256::mul(t, pow10(revenue_scale).unwrap_or(1));
                    round4(negative, U256::from_u128(revenue_mantissa), divisor)
                }),
                median_recency_days: acc.median_recency_days,
            };
            (label, figures)
        })
        .collect()
}

/// Customers per piece of the summary pass (one task): it changes no figure.
const PIECE: usize = 1 << 15;
const _: () = assert!(PIECE <= MAX_PIECE);

/// The warnings a fitted pipeline and its population call for
/// ([warnings](crate::definitions#warnings)):
///
/// | code | when |
/// |---|---|
/// | `too_few_buyers` | fewer than `10·k` buyers for `k` quantile bins |
/// | `empty_score` | a quantile score left empty on the fit population, with the tie that emptied it |
/// | `empty_band` | a Pareto band left empty on the fit population |
/// | `single_value` | a ranked metric with a single distinct value among the buyers |
/// | `missing_data` | a missing-data policy ([missing data](crate::definitions#missing-data)) touched more than 20 % of the population |
/// | `segment_map_coverage` | the RFM segment map leaves score cells to its fallback, or has rules that can never fire |
///
/// The `tier` CLI adds `segment_map_bins` (a segment map written for another `k`) and
/// `model_after_data` (a saved model applied to data dated before its own).
///
/// # Example
/// ```
/// use customer_tiering::classify::rfm::RfmParams;
/// use customer_tiering::report::warnings;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// // 60 buyers, 40 of them bought once: frequency 1 spans scores 1 to 3, so F score 2 is empty.
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// for i in 0..60i64 {
///     let id = CustomerId::new(&format!("C{i:02}")).unwrap();
///     for day in 1..=(if i < 40 { 1 } else { 2 + i % 5 }) {
///         b.add(Transaction::new(id.clone(), date(2026, 3, day as i8), (1000 + i).into()))?;
///     }
/// }
/// let population = b.finish()?;
/// let fitted = PipelineBuilder::new().classifier(RfmParams::default()).build()?.fit(&population)?;
/// let found = warnings(&fitted, &population);
/// assert!(found.iter().any(|w| w.code == "empty_score" && w.classifier == "f"));
/// assert!(!found.iter().any(|w| w.code == "too_few_buyers")); // 60 ≥ 10 · 5
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn warnings(fitted: &FittedPipeline, population: &Population) -> Vec<Warning> {
    let mut out: Vec<Warning> = fitted
        .models()
        .iter()
        .flat_map(|model| model.warnings(population))
        .collect();
    let n = population.len().max(1) as u64;
    for (one, customers) in fitted.missing_data(population) {
        if customers * 5 > n {
            out.push(Warning {
                code: "missing_data",
                classifier: one.column.clone(),
                message: format!(
                    "{}: policy {} stepped in for {customers} of {n} customers ({}), more than 20 %",
                    one.column, one.policy, one.source
                ),
                figures: serde_json::json!({ "source": one.source, "policy": one.policy, "customers": customers, "population": n }),
            });
        }
    }
    out
}

/// The `rejected_rows` warning ([warnings](crate::definitions#warnings)) for a source read
/// under `skip`: how many of the rows read were rejected, their share (4 decimals) and
/// where the rejects were written, so that a skipped tenth of a file never goes unnoticed.
/// None when nothing was rejected.
///
/// # Example
/// ```
/// use customer_tiering::report::rejected_rows;
/// use customer_tiering::source::ReadSummary;
/// let read = ReadSummary { read: 2745, accepted: 2450, rejected: 295, after_as_of: 0 };
/// let warning = rejected_rows("orders.csv", &read, Some("out/rejects.csv")).unwrap();
/// assert_eq!(
///     warning.to_string(),
///     "warning: rejected_rows: orders.csv: 295 of 2745 rows rejected (share 0.1075); see out/rejects.csv"
/// );
/// assert_eq!(warning.figures["share"], "0.1075");
/// let clean = ReadSummary { read: 10, accepted: 10, rejected: 0, after_as_of: 0 };
/// assert!(rejected_rows("orders.csv", &clean, None).is_none());
/// ```
pub fn rejected_rows(
    source: &str,
    read: &ReadSummary,
    rejects_file: Option<&str>,
) -> Option<Warning> {
    if read.rejected == 0 {
        return None;
    }
    let share = round4(
        false,
        U256::from_u128(u128::from(read.rejected)),
        U256::from_u128(u128::from(read.read.max(1))),
    );
    let whereto = rejects_file.map_or(String::new(), |f| format!("; see {f}"));
    Some(Warning {
        code: "rejected_rows",
        classifier: "(input)".into(),
        message: format!(
            "{source}: {} of {} rows rejected (share {share}){whereto}",
            read.rejected, read.read
        ),
        figures: serde_json::json!({
            "source": source,
            "rejected": read.rejected,
            "read": read.read,
            "share": share.to_string(),
            "rejects_file": rejects_file,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::pareto::ParetoParams;
    use crate::classify::rfm::RfmParams;
    use crate::profile::Metric;
    use crate::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    use jiff::civil::date;

    fn population(rows: &[(&str, i64, i64, i8)]) -> Population {
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for (id, cents, count, day) in rows {
            for k in 0..*count {
                let tx = Transaction::new(
                    CustomerId::new(id).unwrap(),
                    date(2026, 3, *day - k as i8),
                    Decimal::new(*cents, 2),
                );
                b.add(tx).unwrap();
            }
        }
        b.finish().unwrap()
    }

    #[test]
    fn hand_computed_figures_and_totals() {
        // A: 3 orders of 50.00 (150.00), B: 1 of 30.00, C: 1 refund of -20.00.
        let pop = population(&[("A", 5000, 3, 20), ("B", 3000, 1, 10), ("C", -2000, 1, 1)]);
        let (_, tiering) = PipelineBuilder::new()
            .classifier(ParetoParams::metals())
            .build()
            .unwrap()
            .run(&pop)
            .unwrap();
        let s = Summary::new(&pop, &tiering).unwrap();
        assert_eq!(s.revenue_total.to_string(), "160.00");
        let metal = &s.labels["metal"];
        let platinum = &metal["platinum"];
        assert_eq!(
            (
                platinum.customers,
                platinum.share.to_string(),
                platinum.revenue.to_string()
            ),
            (1, "0.3333".into(), "150.00".into())
        );
        // over labels with positive revenue: 150 / (150 + 10)
        assert_eq!(platinum.revenue_share.unwrap().to_string(), "0.9375");
        assert_eq!(platinum.average_order_value.unwrap().to_string(), "50.0000");
        assert_eq!(platinum.median_recency_days, Some(11));
        let lead = &metal["lead"];
        assert_eq!(
            (lead.customers, lead.revenue.to_string()),
            (2, "10.00".into())
        );
        assert_eq!(lead.median_recency_days, Some(21)); // recencies 21 and 30: lower median
        // Totals over labels equal totals over customers.
        let customers: u64 = metal.values().map(|f| f.customers).sum();
        let revenue: Decimal = metal.values().map(|f| f.revenue).sum();
        assert_eq!((customers, revenue), (3, s.revenue_total));
    }

    #[test]
    fn a_periods_figures_equal_the_runs_directly_and_through_its_tiers_csv() {
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for i in 0..30i64 {
            let id = CustomerId::new(&format!("C{i:02}")).unwrap();
            for k in 0..(1 + i % 3) {
                let day = date(2026, 1 + (k % 3) as i8, 1 + (i % 28) as i8);
                b.add(Transaction::new(
                    id.clone(),
                    day,
                    Decimal::new(i * 113 - 400, 2),
                ))
                .unwrap();
            }
        }
        // Two customers without purchases: unscored in every column.
        let customers =
            ["C00", "C05", "N1", "N2"].map(|id| (CustomerId::new(id).unwrap(), Default::default()));
        let pop = b.finish_with(customers).unwrap();
        let (_, tiering) = PipelineBuilder::new()
            .classifier(RfmParams::default())
            .classifier(ParetoParams::metals())
            .build()
            .unwrap()
            .run(&pop)
            .unwrap();
        let direct = Summary::new(&pop, &tiering).unwrap();
        assert_eq!(direct.labels["metal"]["(unscored)"].customers, 2);
        let period = Period::from_tiering(&pop, &tiering);
        assert_eq!(Summary::from_period(&period).unwrap(), direct);
        let mut csv = Vec::new();
        crate::output::write_tiers_csv("tiers.csv", &pop, &tiering, &mut csv).unwrap();
        let read = Period::from_tiers_csv("tiers.csv", csv.as_slice()).unwrap();
        assert_eq!(Summary::from_period(&read).unwrap(), direct);
    }

    #[test]
    fn a_tiers_csv_without_counts_has_no_average_and_a_bad_count_is_rejected() {
        let csv = "customer_id,monetary,metal\nA,10.00,gold\nB,5.00,lead\n";
        let period = Period::from_tiers_csv("old.csv", csv.as_bytes()).unwrap();
        let s = Summary::from_period(&period).unwrap();
        assert_eq!(s.labels["metal"]["gold"].average_order_value, None);
        assert_eq!(s.labels["metal"]["gold"].median_recency_days, None);
        assert_eq!(
            s.labels["metal"]["gold"].revenue_share.unwrap().to_string(),
            "0.6667"
        );
        let bad = "customer_id,recency_days,transactions,monetary,tenure_days,metal\nA,-3,1,10.00,3,gold\n";
        let err = Period::from_tiers_csv("old.csv", bad.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "old.csv: line 2, field \"recency_days\": \"-3\": not a whole number ≥ 0"
        );
    }

    #[test]
    fn a_clean_population_warns_nothing_and_a_missing_data_policy_over_20_percent_does() {
        use crate::classify::missing::MissingPolicy;
        // 100 buyers, distinct recency, frequency 1..=4 in even shares, distinct amounts.
        let mut b = PopulationBuilder::new(date(2026, 3, 31));
        for i in 0..100i64 {
            let id = CustomerId::new(&format!("C{i:03}")).unwrap();
            for k in 0..(1 + i % 4) {
                let day = date(2025, 1 + (i % 12) as i8, 1 + (k * 7) as i8);
                let mut tx = Transaction::new(id.clone(), day, Decimal::new(100 + i * 37 + k, 2));
                if i % 3 != 0 {
                    tx = tx.with_profit(Decimal::new(i, 2));
                }
                b.add(tx).unwrap();
            }
        }
        let pop = b.finish().unwrap();
        let clean = PipelineBuilder::new()
            .classifier(RfmParams::default().bins(4).segment_map(None))
            .classifier(ParetoParams::abc())
            .build()
            .unwrap()
            .fit(&pop)
            .unwrap();
        assert_eq!(warnings(&clean, &pop), [], "a clean population");
        // A third have no profit: a fill touches 34 % of them.
        let profit = ParetoParams::metals()
            .column("profit_metal")
            .metric(Metric::Profit)
            .missing(MissingPolicy::Fill {
                value: Decimal::ZERO,
            });
        let fitted = PipelineBuilder::new()
            .classifier(profit)
            .build()
            .unwrap()
            .fit(&pop)
            .unwrap();
        let found = warnings(&fitted, &pop);
        let missing: Vec<&Warning> = found.iter().filter(|w| w.code == "missing_data").collect();
        assert_eq!(missing.len(), 1, "{found:?}");
        assert_eq!(
            missing[0].message,
            "profit_metal: policy fill stepped in for 34 of 100 customers (profit), more than 20 %"
        );
    }

    #[test]
    fn ties_that_empty_a_score_warn_and_a_clean_population_does_not() {
        // Over half the buyers bought once: F score 2 is empty (see `definitions`, quantile
        // scores).
        let rows: Vec<(String, i64, i64, i8)> = (0..60)
            .map(|i| {
                (
                    format!("C{i:02}"),
                    1000 + i as i64,
                    if i < 40 { 1 } else { 2 + (i % 5) as i64 },
                    28,
                )
            })
            .collect();
        let rows: Vec<(&str, i64, i64, i8)> = rows
            .iter()
            .map(|(id, c, n, d)| (id.as_str(), *c, *n, *d))
            .collect();
        let pop = population(&rows);
        let fitted = PipelineBuilder::new()
            .classifier(RfmParams::default())
            .classifier(ParetoParams::metals())
            .build()
            .unwrap()
            .fit(&pop)
            .unwrap();
        let codes: Vec<(&str, String)> = warnings(&fitted, &pop)
            .iter()
            .map(|w| (w.code, w.classifier.clone()))
            .collect();
        assert!(
            codes.contains(&("empty_score", "f".to_string())),
            "{codes:?}"
        );
        assert!(
            !codes.iter().any(|(c, _)| *c == "too_few_buyers"),
            "{codes:?}"
        );
        // n = 7 distinct amounts: gold is empty (see `definitions`, Pareto tiers).
        let seven: Vec<(String, i64, i64, i8)> = (1..=7)
            .map(|i| (format!("S{i}"), i * 100, 1, i as i8))
            .collect();
        let seven: Vec<(&str, i64, i64, i8)> = seven
            .iter()
            .map(|(id, c, n, d)| (id.as_str(), *c, *n, *d))
            .collect();
        let pop7 = population(&seven);
        let metals = PipelineBuilder::new()
            .classifier(ParetoParams::metals())
            .build()
            .unwrap()
            .fit(&pop7)
            .unwrap();
        let found = warnings(&metals, &pop7);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "metal: band gold holds no customer of the 7 fitted"
        );
        // Five buyers: too few for five bins, and all spend the same.
        let few = population(&[
            ("A", 100, 1, 5),
            ("B", 100, 1, 6),
            ("C", 100, 1, 7),
            ("D", 100, 1, 8),
            ("E", 100, 1, 9),
        ]);
        let fitted = PipelineBuilder::new()
            .classifier(RfmParams::default())
            .build()
            .unwrap()
            .fit(&few)
            .unwrap();
        let found = warnings(&fitted, &few);
        assert!(found.iter().any(|w| w.code == "too_few_buyers"));
        assert!(
            found
                .iter()
                .any(|w| w.code == "single_value" && w.classifier == "m")
        );
        assert_eq!(
            found[0].to_string(),
            "warning: too_few_buyers: 5 buyers for 5 quantile bins (fewer than 50)"
        );
    }
}
