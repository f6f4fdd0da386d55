//! Charts for people (issue "What a person looks at"): SVG drawn with plotters' SVG
//! backend, which writes tier names and numbers as real `<text>` and needs no system
//! font or library. Behind the default-on `charts` feature.
//!
//! Names come through a closure so that a caller can show them in any language
//! ([`names::display_name`](crate::names::display_name)); files keep their keys.
//!
//! # Example
//! ```
//! use customer_tiering::charts::pyramid_svg;
//! use customer_tiering::classify::pareto::ParetoParams;
//! use customer_tiering::names::{display_name, Lang};
//! use customer_tiering::report::Summary;
//! use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for i in 1..=100i64 {
//!     b.add(Transaction::new(CustomerId::new(&format!("C{i:03}")).unwrap(), date(2026, 3, 1), i.into()))?;
//! }
//! let population = b.finish()?;
//! let (fitted, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
//! let summary = Summary::new(&population, &tiering)?;
//! let order = &fitted.label_orders()["metal"];
//! // The same chart in Simplified Chinese: the names are real text in the SVG.
//! let svg = pyramid_svg(&summary, "metal", order, |l| display_name("metal", l, Lang::ZhHans).into())?;
//! // plotters writes each text on a line of its own
//! let texts: Vec<&str> = svg.lines().filter(|l| !l.starts_with('<')).collect();
//! assert!(texts.contains(&display_name("metal", "platinum", Lang::ZhHans)));
//! assert!(!texts.contains(&"platinum"));
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use plotters::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::error::Error;
use crate::migration::{ABSENT, ColumnMigration};
use crate::money;
use crate::pipeline::Tiering;
use crate::report::Summary;

const WIDTH: u32 = 760;
const FONT: &str = "sans-serif";

fn chart_error(chart: &'static str) -> impl Fn(DrawingAreaErrorKind<std::io::Error>) -> Error {
    move |e| Error::Chart {
        chart,
        reason: e.to_string(),
    }
}

/// The customer pyramid of one banded column (`metal`): per band, best on top, a bar of
/// its customers and a bar of its revenue, with the figures written beside them.
///
/// # Errors
/// [`Error::Chart`] if drawing fails.
///
/// # Example
/// ```
/// use customer_tiering::charts::pyramid_svg;
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::report::Summary;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// for i in 1..=20i64 {
///     b.add(Transaction::new(CustomerId::new(&format!("C{i}")).unwrap(), date(2026, 3, 1), i.into()))?;
/// }
/// let population = b.finish()?;
/// let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
/// let summary = Summary::new(&population, &tiering)?;
/// let order = ["platinum", "gold", "iron", "lead"].map(String::from);
/// let svg = pyramid_svg(&summary, "metal", &order, |l| l.to_string())?;
/// assert!(svg.contains("platinum") && svg.contains("<svg"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn pyramid_svg(
    summary: &Summary,
    column: &str,
    order: &[String],
    name: impl Fn(&str) -> String,
) -> Result<String, Error> {
    let err = chart_error("pyramid.svg");
    let figures = summary.labels.get(column);
    let rows: Vec<(&String, u64, Decimal)> = order
        .iter()
        .map(|label| {
            let f = figures.and_then(|f| f.get(label));
            (
                label,
                f.map_or(0, |f| f.customers),
                f.map_or(Decimal::ZERO, |f| f.revenue),
            )
        })
        .collect();
    let max_customers = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let max_revenue = rows
        .iter()
        .map(|r| r.2.to_f64().unwrap_or(0.0).max(0.0))
        .fold(0.0, f64::max)
        .max(1.0);
    let height = 80 + 44 * rows.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let title = format!("{} — customers and revenue per tier", name(column));
        root.draw(&Text::new(title, (16, 14), (FONT, 18)))
            .map_err(&err)?;
        root.draw(&Text::new(name("customers"), (170, 46), (FONT, 13)))
            .map_err(&err)?;
        root.draw(&Text::new(name("revenue"), (470, 46), (FONT, 13)))
            .map_err(&err)?;
        for (i, (label, customers, revenue)) in rows.iter().enumerate() {
            let y = 70 + 44 * i as i32;
            root.draw(&Text::new(name(label), (16, y + 8), (FONT, 15)))
                .map_err(&err)?;
            let customers_width = (200.0 * *customers as f64 / max_customers) as i32;
            root.draw(&Rectangle::new(
                [(170, y), (170 + customers_width.max(1), y + 28)],
                BLUE.mix(0.6).filled(),
            ))
            .map_err(&err)?;
            root.draw(&Text::new(
                customers.to_string(),
                (176 + customers_width, y + 8),
                (FONT, 13),
            ))
            .map_err(&err)?;
            let revenue_width =
                (200.0 * revenue.to_f64().unwrap_or(0.0).max(0.0) / max_revenue) as i32;
            root.draw(&Rectangle::new(
                [(470, y), (470 + revenue_width.max(1), y + 28)],
                GREEN.mix(0.6).filled(),
            ))
            .map_err(&err)?;
            root.draw(&Text::new(
                money::display(*revenue),
                (476 + revenue_width, y + 8),
                (FONT, 13),
            ))
            .map_err(&err)?;
        }
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

/// The R×F grid of an RFM run: per cell, its customers and its most common segment
/// (R from `k` at the top down to 1, F from 1 on the left to `k`).
///
/// # Errors
/// [`Error::Chart`] if drawing fails.
///
/// # Example
/// ```
/// use customer_tiering::charts::rfm_heatmap_svg;
/// use customer_tiering::classify::rfm::RfmParams;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// for i in 1..=50i64 {
///     let id = CustomerId::new(&format!("C{i:02}")).unwrap();
///     for k in 0..=(i % 4) {
///         b.add(Transaction::new(id.clone(), date(2026, 1 + (k % 3) as i8, 1 + (i % 28) as i8), i.into()))?;
///     }
/// }
/// let population = b.finish()?;
/// let (_, tiering) = PipelineBuilder::new().classifier(RfmParams::default()).build()?.run(&population)?;
/// let svg = rfm_heatmap_svg(&tiering, 5, |text| text.to_uppercase())?;
/// let texts: Vec<&str> = svg.lines().filter(|l| !l.starts_with('<')).collect();
/// assert!(texts.contains(&"R 5") && texts.contains(&"F 1"));
/// // The default map names one segment per R×F cell, so every segment shows up.
/// for segment in tiering.counts()["rfm_segment"].keys() {
///     assert!(texts.contains(&segment.to_uppercase().as_str()), "{segment}");
/// }
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn rfm_heatmap_svg(
    tiering: &Tiering,
    bins: u8,
    name: impl Fn(&str) -> String,
) -> Result<String, Error> {
    let err = chart_error("rfm_heatmap.svg");
    let index = |c: &str| tiering.columns().iter().position(|x| x == c);
    let (Some(r), Some(f)) = (index("r"), index("f")) else {
        return Err(Error::Chart {
            chart: "rfm_heatmap.svg",
            reason: "the run has no r and f columns".into(),
        });
    };
    let segment = index("rfm_segment");
    let k = usize::from(bins);
    let mut counts = vec![vec![0u64; k]; k];
    let mut segments: Vec<Vec<std::collections::BTreeMap<String, u64>>> =
        vec![vec![Default::default(); k]; k];
    for (_, labels) in tiering.rows() {
        let (crate::classify::Label::Score(rs), crate::classify::Label::Score(fs)) =
            (&labels[r], &labels[f])
        else {
            continue;
        };
        let (ri, fi) = (usize::from(*rs) - 1, usize::from(*fs) - 1);
        if ri < k && fi < k {
            counts[ri][fi] += 1;
            if let Some(s) = segment.filter(|&s| labels[s].is_scored()) {
                *segments[ri][fi]
                    .entry(labels[s].as_cell().into_owned())
                    .or_default() += 1;
            }
        }
    }
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let cell = ((WIDTH as i32 - 80) / k as i32).min(136);
    let height = 70 + cell as u32 * bins as u32 + 40;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        root.draw(&Text::new(
            name("R × F: customers and segment per cell"),
            (16, 14),
            (FONT, 18),
        ))
        .map_err(&err)?;
        for row in 0..k {
            let score_r = k - row; // best recency on top
            let y = 50 + (row as i32) * cell;
            root.draw(&Text::new(
                format!("R {score_r}"),
                (16, y + cell / 2 - 6),
                (FONT, 13),
            ))
            .map_err(&err)?;
            for col in 0..k {
                let x = 64 + (col as i32) * cell;
                let n = counts[score_r - 1][col];
                let shade = 0.08 + 0.8 * n as f64 / max;
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell - 2, y + cell - 2)],
                    BLUE.mix(shade).filled(),
                ))
                .map_err(&err)?;
                root.draw(&Text::new(n.to_string(), (x + 6, y + 6), (FONT, 14)))
                    .map_err(&err)?;
                if let Some((top, _)) = segments[score_r - 1][col]
                    .iter()
                    .max_by_key(|(s, c)| (**c, std::cmp::Reverse((*s).clone())))
                {
                    root.draw(&Text::new(name(top), (x + 6, y + 26), (FONT, 10)))
                        .map_err(&err)?;
                }
            }
        }
        for col in 0..k {
            let x = 64 + (col as i32) * cell + cell / 2 - 10;
            root.draw(&Text::new(
                format!("F {}", col + 1),
                (x, 56 + k as i32 * cell),
                (FONT, 13),
            ))
            .map_err(&err)?;
        }
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

/// The migration matrix of one ordered column (`metal`): rows the earlier label,
/// columns the later one, `(none)` for customers in one period only; customers per cell.
///
/// # Errors
/// [`Error::Chart`] if drawing fails.
///
/// # Example
/// ```
/// use customer_tiering::charts::migration_svg;
/// use customer_tiering::migration::{migrate, Period};
/// let head = "customer_id,monetary,metal\n";
/// let before = Period::from_tiers_csv("q1", format!("{head}A,10,gold\nB,4,lead\nC,3,lead\n").as_bytes())?;
/// let after = Period::from_tiers_csv("q2", format!("{head}A,12,platinum\nB,9,lead\n").as_bytes())?;
/// let order = ["platinum", "gold", "iron", "lead"].map(String::from).to_vec();
/// let migrations = migrate(&before, &after, &[("metal".to_string(), order.clone())].into())?;
/// let svg = migration_svg(&migrations[0], &order, |label| label.to_uppercase())?;
/// let texts: Vec<&str> = svg.lines().filter(|l| !l.starts_with('<')).collect();
/// assert!(texts.contains(&"PLATINUM") && texts.contains(&"(NONE)"));
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn migration_svg(
    migration: &ColumnMigration,
    order: &[String],
    name: impl Fn(&str) -> String,
) -> Result<String, Error> {
    let err = chart_error("migration.svg");
    let mut labels: Vec<&str> = order.iter().map(String::as_str).collect();
    labels.push(ABSENT);
    let count = |from: &str, to: &str| {
        migration
            .cells
            .get(&(from.to_string(), to.to_string()))
            .map_or(0, |c| c.customers)
    };
    let max = migration
        .cells
        .values()
        .map(|c| c.customers)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = labels.len() as i32;
    let cell = ((WIDTH as i32 - 140) / n).min(110);
    let height = (90 + cell * n + 20) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let title = format!(
            "{}: from (rows, earlier) to (columns, later)",
            name(&migration.column)
        );
        root.draw(&Text::new(title, (16, 14), (FONT, 18)))
            .map_err(&err)?;
        for (j, to) in labels.iter().enumerate() {
            let x = 130 + j as i32 * cell + 4;
            root.draw(&Text::new(name(to), (x, 52), (FONT, 12)))
                .map_err(&err)?;
        }
        for (i, from) in labels.iter().enumerate() {
            let y = 72 + i as i32 * cell;
            root.draw(&Text::new(name(from), (16, y + cell / 2 - 6), (FONT, 12)))
                .map_err(&err)?;
            for (j, to) in labels.iter().enumerate() {
                let x = 130 + j as i32 * cell;
                let c = count(from, to);
                let color = if i == j { GREEN } else { BLUE };
                let shade = 0.06 + 0.8 * c as f64 / max;
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell - 2, y + cell - 2)],
                    color.mix(shade).filled(),
                ))
                .map_err(&err)?;
                root.draw(&Text::new(
                    c.to_string(),
                    (x + 6, y + cell / 2 - 6),
                    (FONT, 14),
                ))
                .map_err(&err)?;
            }
        }
        root.present().map_err(&err)?;
    }
    Ok(svg)
}
