//! The management table: the table a sales team keeps per classifier column — each
//! tier, the rule that puts a customer there, its customers and revenue, how that
//! changed since the last period, and what to do with it
//! ([summary figures](crate::definitions#summary-figures)).

use std::collections::BTreeMap;
use std::io::Write;

use rust_decimal::Decimal;
use serde::Serialize;

use super::Summary;
use crate::classify::ColumnLabels;
use crate::classify::criterion::Rule;
use crate::error::Error;
use crate::migration::{ColumnMigration, UNSCORED};
use crate::names::Lang;
use crate::pipeline::FittedPipeline;

/// The columns of `management.csv`, in order (keys: the same in every language).
///
/// # Example
/// ```
/// use customer_tiering::report::MANAGEMENT_COLUMNS;
/// assert_eq!(MANAGEMENT_COLUMNS[..3], ["classifier", "tier", "criterion"]);
/// assert_eq!(MANAGEMENT_COLUMNS[11], "playbook");
/// ```
pub const MANAGEMENT_COLUMNS: [&str; 12] = [
    "classifier",
    "tier",
    "criterion",
    "customers",
    "share",
    "revenue",
    "revenue_share",
    "average_order_value",
    "customers_in",
    "customers_out",
    "revenue_change",
    "playbook",
];

/// One row of the management table: one label of one classifier column (see
/// [`management_table`] for a whole table).
///
/// # Example
/// ```
/// use customer_tiering::report::ManagementRow;
/// let row = ManagementRow {
///     classifier: "metal".into(), label: "lead".into(), tier: "Lead".into(),
///     criterion: "monetary < 81".into(), customers: 80, share: "0.8000".parse()?,
///     revenue: "3240".parse()?, revenue_share: Some("0.6416".parse()?),
///     average_order_value: Some("40.5000".parse()?), customers_in: None,
///     customers_out: None, revenue_change: None, playbook: String::new(),
/// };
/// let json = serde_json::to_value(&row)?;
/// assert_eq!(json["tier"], "Lead");
/// assert!(json.get("label").is_none()); // the key is for programs; files show the name
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagementRow {
    /// The classifier column (`metal`); a key.
    pub classifier: String,
    /// The label's key (`platinum`, `(unscored)`).
    #[serde(skip)]
    pub label: String,
    /// The label's display name in the table's language.
    pub tier: String,
    /// What puts a customer there, in words in the table's language; empty where the
    /// classifier does not say.
    pub criterion: String,
    /// Customers with the label.
    pub customers: u64,
    /// `customers / n`, to 4 decimals.
    #[serde(with = "rust_decimal::serde::str")]
    pub share: Decimal,
    /// Exact sum of `monetary`.
    #[serde(with = "rust_decimal::serde::str")]
    pub revenue: Decimal,
    /// Share of the revenue of the labels with positive revenue, to 4 decimals.
    #[serde(with = "crate::money::opt_str")]
    pub revenue_share: Option<Decimal>,
    /// Revenue per transaction row, to 4 decimals.
    #[serde(with = "crate::money::opt_str")]
    pub average_order_value: Option<Decimal>,
    /// With a comparison: customers that came in from another label or from outside.
    pub customers_in: Option<u64>,
    /// With a comparison: customers that went to another label or left.
    pub customers_out: Option<u64>,
    /// With a comparison: revenue now minus the label's revenue then (0 then for a
    /// label absent before), exact.
    #[serde(with = "crate::money::opt_str")]
    pub revenue_change: Option<Decimal>,
    /// The label's service advice in the table's language; empty where none is known.
    pub playbook: String,
}

/// The earlier period of a comparison: its summary figures and the migration matrices
/// from it to now.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::migration::{migrate, Period};
/// use customer_tiering::names::Lang;
/// use customer_tiering::report::{management_table, Comparison, Summary};
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let population = |as_of| -> Result<_, customer_tiering::Error> {
///     let mut b = PopulationBuilder::new(as_of);
///     b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 50.into()))?;
///     b.add(Transaction::new(CustomerId::new("B").unwrap(), date(2026, 6, 1), 90.into()))?;
///     b.finish()
/// };
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let (march, june) = (population(date(2026, 3, 31))?, population(date(2026, 6, 30))?);
/// let (_, before) = pipeline.run(&march)?;
/// let (fitted, after) = pipeline.run(&june)?;
/// let (before, after) = (Period::from_tiering(&march, &before), Period::from_tiering(&june, &after));
/// let migration = migrate(&before, &after, &fitted.label_orders())?;
/// let earlier = Summary::from_period(&before)?;
/// let comparison = Comparison { before: &earlier, migration: &migration };
/// let rows = management_table(&fitted, &Summary::from_period(&after)?, Some(comparison), Lang::En)?;
/// let platinum = &rows[0]; // B, new in June, is the best of two; A was platinum alone
/// assert_eq!((platinum.customers_in, platinum.customers_out), (Some(1), Some(1)));
/// assert_eq!(platinum.revenue_change.unwrap().to_string(), "40");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Comparison<'a> {
    /// The figures at the earlier date.
    pub before: &'a Summary,
    /// Per column, who moved from which label to which.
    pub migration: &'a [ColumnMigration],
}

/// The management table of a run, in `lang`: per classifier column (in the order of
/// the pipeline's columns, `tags` left out), every label the column can take — those
/// without customers with 0 — best first where labels have an order, else in byte
/// order of their keys, then `(unscored)` when some customers have no label.
///
/// # Errors
/// [`Error::Overflow`] when a revenue change leaves the decimal range.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::names::Lang;
/// use customer_tiering::report::{management_table, Summary};
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// for i in 1..=100i64 {
///     b.add(Transaction::new(CustomerId::new(&format!("C{i:03}"))?, date(2026, 3, 1), i.into()))?;
/// }
/// let population = b.finish()?;
/// let (fitted, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// let summary = Summary::new(&population, &tiering)?;
/// let rows = management_table(&fitted, &summary, None, Lang::En)?;
/// let gold = &rows[1];
/// assert_eq!((gold.tier.as_str(), gold.criterion.as_str()), ("Gold", "96 ≤ monetary < 100"));
/// assert_eq!((gold.customers, gold.revenue.to_string()), (4, "390".to_string()));
/// assert_eq!(gold.customers_in, None); // no comparison
/// assert!(gold.playbook.starts_with("Grow"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn management_table(
    fitted: &FittedPipeline,
    summary: &Summary,
    comparison: Option<Comparison<'_>>,
    lang: Lang,
) -> Result<Vec<ManagementRow>, Error> {
    let mut criteria: BTreeMap<(String, String), Rule> = BTreeMap::new();
    let models = fitted.models().iter().flat_map(|m| m.criteria());
    let rules = fitted.rule_sets().iter().flat_map(|r| r.criteria());
    for c in models.chain(rules) {
        criteria.insert((c.column, c.label), c.rule);
    }
    let mut rows = Vec::new();
    for (column, labels) in fitted.column_labels() {
        let figures = summary.labels.get(&column);
        let before = comparison.and_then(|c| c.before.labels.get(&column));
        let migration = comparison.and_then(|c| c.migration.iter().find(|m| m.column == column));
        for label in label_rows(&labels, figures, before) {
            let now = figures.and_then(|f| f.get(&label));
            let revenue = now.map_or(Decimal::ZERO, |f| f.revenue);
            let rule = match label.as_str() {
                UNSCORED => Some(Rule::Unscored),
                _ => criteria.get(&(column.clone(), label.clone())).cloned(),
            };
            let (customers_in, customers_out, revenue_change) = match comparison {
                None => (None, None, None),
                Some(_) => {
                    let then = before
                        .and_then(|b| b.get(&label))
                        .map_or(Decimal::ZERO, |f| f.revenue);
                    let change = revenue.checked_sub(then).ok_or_else(|| {
                        Error::total_overflow(
                            "revenue_change",
                            crate::error::Subject::Column(column.clone()),
                        )
                    })?;
                    let (came, went) = moves(migration, &label);
                    (
                        Some(came),
                        Some(went),
                        Some(crate::money::normalize_zero(change)),
                    )
                }
            };
            rows.push(ManagementRow {
                classifier: column.clone(),
                tier: fitted.display_name(&column, &label, lang),
                criterion: rule.map(|r| r.render(lang)).unwrap_or_default(),
                customers: now.map_or(0, |f| f.customers),
                share: now.map_or(Decimal::new(0, 4), |f| f.share),
                revenue,
                revenue_share: now.and_then(|f| f.revenue_share),
                average_order_value: now.and_then(|f| f.average_order_value),
                customers_in,
                customers_out,
                revenue_change,
                playbook: fitted.playbook(&column, &label, lang).unwrap_or_default(),
                label,
            });
        }
    }
    Ok(rows)
}

/// The labels of a column's rows: its own labels in their order (or byte order), any
/// label the figures hold beyond them (a classifier that can give any label), then
/// `(unscored)` when either period has unscored customers.
fn label_rows(
    labels: &ColumnLabels,
    now: Option<&BTreeMap<String, super::LabelFigures>>,
    before: Option<&BTreeMap<String, super::LabelFigures>>,
) -> Vec<String> {
    let mut out: Vec<String> = match labels {
        ColumnLabels::Scores(_) => labels.order().unwrap_or_default(),
        ColumnLabels::Named { labels, ordered } => {
            let mut own = labels.clone();
            if !ordered {
                own.sort_unstable();
            }
            own
        }
    };
    let seen = |period: Option<&BTreeMap<String, super::LabelFigures>>| {
        period
            .into_iter()
            .flat_map(|f| f.keys())
            .filter(|l| l.as_str() != UNSCORED)
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut extra: Vec<String> = seen(now)
        .into_iter()
        .chain(seen(before))
        .filter(|l| !out.contains(l))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    out.extend(extra);
    let unscored = |p: Option<&BTreeMap<String, super::LabelFigures>>| {
        p.is_some_and(|f| f.contains_key(UNSCORED))
    };
    if unscored(now) || unscored(before) {
        out.push(UNSCORED.to_string());
    }
    out
}

/// Customers that came into `label` (from another label or from outside) and went out
/// of it, by a column's migration matrix.
fn moves(migration: Option<&ColumnMigration>, label: &str) -> (u64, u64) {
    let Some(m) = migration else {
        return (0, 0);
    };
    let mut came = 0;
    let mut went = 0;
    for ((from, to), cell) in &m.cells {
        if from == to {
            continue;
        }
        if to == label {
            came += cell.customers;
        }
        if from == label {
            went += cell.customers;
        }
    }
    (came, went)
}

/// Writes the management table as `management.csv` (header
/// [`MANAGEMENT_COLUMNS`]; a none is an empty field; money exactly as the crate
/// prints it).
///
/// # Errors
/// [`Error::Io`] naming `name` when the writer fails.
///
/// # Example
/// ```
/// use customer_tiering::report::{write_management_csv, ManagementRow};
/// let row = ManagementRow {
///     classifier: "metal".into(), label: "gold".into(), tier: "Gold".into(),
///     criterion: "96 ≤ monetary < 100".into(), customers: 4, share: "0.0400".parse()?,
///     revenue: "390".parse()?, revenue_share: Some("0.0772".parse()?),
///     average_order_value: Some("97.5000".parse()?), customers_in: None,
///     customers_out: None, revenue_change: None, playbook: "Grow.".into(),
/// };
/// let mut out = Vec::new();
/// write_management_csv("management.csv", &[row], &mut out)?;
/// let text = String::from_utf8(out)?;
/// assert_eq!(text.lines().nth(1), Some("metal,Gold,96 ≤ monetary < 100,4,0.0400,390,0.0772,97.5000,,,,Grow."));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_management_csv(
    name: &str,
    rows: &[ManagementRow],
    out: impl Write,
) -> Result<(), Error> {
    let io = |source: std::io::Error| Error::Io {
        path: name.into(),
        source,
    };
    let mut writer = csv::Writer::from_writer(out);
    let csv_error = |e: csv::Error| io(std::io::Error::other(e));
    writer.write_record(MANAGEMENT_COLUMNS).map_err(csv_error)?;
    let text = |d: Option<Decimal>| d.map(crate::money::display).unwrap_or_default();
    let count = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    for row in rows {
        writer
            .write_record([
                row.classifier.as_str(),
                &row.tier,
                &row.criterion,
                &row.customers.to_string(),
                &row.share.to_string(),
                &crate::money::display(row.revenue),
                &text(row.revenue_share),
                &text(row.average_order_value),
                &count(row.customers_in),
                &count(row.customers_out),
                &text(row.revenue_change),
                &row.playbook,
            ])
            .map_err(csv_error)?;
    }
    writer.flush().map_err(io)
}
