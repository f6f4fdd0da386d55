//! The files `tier` writes ([CLI
//! files](customer_tiering::definitions#cli-files-and-exit-codes)), and its stdout table.

use std::io::Write;

use customer_tiering::error::cut_reason;
use customer_tiering::migration::ColumnMigration;
use customer_tiering::names::{Lang, display_name};
use customer_tiering::output::{
    MIGRATION_COLUMNS, OutputDir, OutputFile, REJECT_COLUMNS, TIER_FILES, migration_rows,
    reject_row, write_tiers_csv, write_tiers_jsonl,
};
use customer_tiering::source::{OnInvalid, ReadSummary};
use customer_tiering::{Error, FittedPipeline, Population, Reject, Tiering, money};
use serde_json::json;

use customer_tiering::classify::Warning;
use customer_tiering::report::{
    Chart, ManagementRow, Summary, summary_table, write_management_csv,
};
use std::collections::BTreeMap;

/// The summary table on stdout ([summary
/// figures](customer_tiering::definitions#summary-figures)), in `lang`.
pub(crate) fn print_summary(fitted: &FittedPipeline, summary: &Summary, lang: Lang) {
    print!("{}", summary_table(fitted, summary, lang));
}

/// `management.csv`: the management table in the run's language.
pub(crate) fn write_management(out: &mut OutputDir, rows: &[ManagementRow]) -> Result<(), Error> {
    let name = "management.csv";
    let file = out.create(name)?;
    write_management_csv(name, rows, file)
}

fn csv_error(name: &str) -> impl FnOnce(csv::Error) -> Error + '_ {
    move |e| Error::Io {
        path: name.into(),
        source: std::io::Error::other(e),
    }
}

/// Ends a run into `out` ([output safety](customer_tiering::definitions)): with the
/// summary's bytes, writes `summary.json` last and commits every file, removing those of
/// an earlier run that this one did not write; on an error, changes nothing, but under
/// `skip` keeps the rejects of the data read, which are what its user needs.
pub(crate) fn finish_run<E: From<Error>>(
    mut out: OutputDir,
    outcome: Result<Vec<u8>, E>,
    on_invalid: OnInvalid,
) -> Result<(), E> {
    match outcome {
        Ok(summary) => {
            out.write("summary.json", &summary)?;
            // The chart per label column is `chart_<column>.svg` (`metal`'s is
            // `pyramid.svg`): those of the built-in columns are managed too, so that a run
            // without them (`--no-charts`, other classifiers) removes an earlier run's.
            let charts: Vec<String> = customer_tiering::names::PRESET_COLUMNS
                .iter()
                .map(|column| format!("chart_{column}.svg"))
                .collect();
            let managed: Vec<&str> = TIER_FILES
                .iter()
                .copied()
                .chain(charts.iter().map(String::as_str))
                .collect();
            out.commit("summary.json", &managed)?;
            Ok(())
        }
        Err(e) => {
            let kept = match on_invalid {
                OnInvalid::Skip if out.file("rejects.csv").is_some() => {
                    out.commit_only(&["rejects.csv"]).map(drop)
                }
                _ => out.abort(),
            };
            if let Err(also) = kept {
                let line = cut_reason(also.to_string().replace(['\r', '\n'], " "));
                eprintln!("error: {line}");
            }
            Err(e)
        }
    }
}

/// Writes a whole file, ending in a line break.
pub(crate) fn write_file(out: &mut OutputDir, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let file = out.create(name)?;
    file.write_all(bytes).map_err(io_error(name))?;
    if bytes.last() != Some(&b'\n') {
        file.write_all(b"\n").map_err(io_error(name))?;
    }
    Ok(())
}

fn io_error(name: &str) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: name.into(),
        source,
    }
}

/// `rejects.csv`, written as rejects are found ([bad
/// input](customer_tiering::definitions#bad-input-and-rejects)).
pub(crate) struct RejectsFile<'a> {
    writer: csv::Writer<&'a mut OutputFile>,
}

impl<'a> RejectsFile<'a> {
    pub(crate) fn new(file: &'a mut OutputFile) -> Result<Self, Error> {
        let mut writer = csv::Writer::from_writer(file);
        writer
            .write_record(REJECT_COLUMNS)
            .map_err(csv_error("rejects.csv"))?;
        Ok(RejectsFile { writer })
    }

    pub(crate) fn write(&mut self, r: &Reject) -> Result<(), Error> {
        self.writer
            .write_record(reject_row(r))
            .map_err(csv_error("rejects.csv"))
    }

    pub(crate) fn finish(mut self) -> Result<(), Error> {
        self.writer.flush().map_err(io_error("rejects.csv"))
    }
}

/// `tiers.csv` or, by its extension, `tiers.jsonl` (and `previous_tiers.csv`).
pub(crate) fn write_tiers(
    out: &mut OutputDir,
    name: &str,
    population: &Population,
    tiering: &Tiering,
) -> Result<(), Error> {
    let file = out.create(name)?;
    if name.ends_with(".jsonl") {
        write_tiers_jsonl(name, population, tiering, file)
    } else {
        write_tiers_csv(name, population, tiering, file)
    }
}

pub(crate) fn summary_json(
    read: &ReadSummary,
    population: &Population,
    fitted: &FittedPipeline,
    summary: &Summary,
    warnings: &[Warning],
) -> serde_json::Value {
    json!({
        "read": read.read,
        "accepted": read.accepted,
        "rejected": read.rejected,
        "after_as_of": read.after_as_of,
        "customers": population.len(),
        "buyers": population.buyer_count(),
        "as_of": population.as_of().to_string(),
        "model": { "as_of": fitted.as_of().to_string(), "fit_size": fitted.fit_size() },
        "labels": summary.labels,
        "revenue_total": summary.revenue_total.to_string(),
        "missing_data": fitted.missing_data(population).into_iter().map(|(use_, customers)| json!({
            "classifier": use_.column, "source": use_.source, "policy": use_.policy, "customers": customers,
        })).collect::<Vec<_>>(),
        "warnings": warnings,
    })
}

/// `migration.csv` (one row per non-empty cell, sorted by classifier, from, to) and
/// `migration.json` (the matrices with the customers who moved;
/// [CLI files](customer_tiering::definitions#cli-files-and-exit-codes)).
pub(crate) fn write_migration(
    out: &mut OutputDir,
    migration: &[ColumnMigration],
    jsonl: bool,
) -> Result<(), Error> {
    if jsonl {
        let mut lines = String::new();
        for (column, from, to, cell) in migration_rows(migration) {
            // keys in the CSV header's order
            lines.push_str(&format!(
                "{{\"classifier\":{},\"from\":{},\"to\":{},\"customers\":{},\"monetary_before\":{},\"monetary_after\":{}}}\n",
                json!(column),
                json!(from),
                json!(to),
                cell.customers,
                json!(money::display(cell.monetary_before)),
                json!(money::display(cell.monetary_after)),
            ));
        }
        write_file(out, "migration.jsonl", lines.as_bytes())?;
    } else {
        write_migration_csv(out, migration)?;
    }
    let json = serde_json::to_string_pretty(&json!({ "classifiers": migration }))
        .expect("migration serialises");
    write_file(out, "migration.json", json.as_bytes())
}

fn write_migration_csv(out: &mut OutputDir, migration: &[ColumnMigration]) -> Result<(), Error> {
    let name = "migration.csv";
    let mut writer = csv::Writer::from_writer(out.create(name)?);
    writer
        .write_record(MIGRATION_COLUMNS)
        .map_err(csv_error(name))?;
    for (column, from, to, cell) in migration_rows(migration) {
        let row = [
            column.to_string(),
            from.to_string(),
            to.to_string(),
            cell.customers.to_string(),
            money::display(cell.monetary_before),
            money::display(cell.monetary_after),
        ];
        writer.write_record(&row).map_err(csv_error(name))?;
    }
    writer.flush().map_err(io_error(name))
}

/// The charts of the run ([CLI files](customer_tiering::definitions#cli-files-and-exit-codes)),
/// titles, axes and names in `lang`: `pyramid.svg` (customers and revenue per metal, best
/// on top), the same chart of every other label column as `chart_<column>.svg`
/// (`chart_r.svg`, `chart_rfm_segment.svg`, `chart_lifecycle.svg`, `chart_tier.svg` …),
/// and `rfm_heatmap.svg` (R×F cells with customers and segment). All but the heat map
/// are drawn from the summary.
#[cfg(feature = "charts")]
pub(crate) fn write_charts(
    out: &mut OutputDir,
    fitted: &FittedPipeline,
    summary: &Summary,
    tiering: &Tiering,
    lang: Lang,
) -> Result<Vec<Chart>, Error> {
    use customer_tiering::charts::{pyramid_svg, rfm_heatmap_svg};
    use customer_tiering::classify::ColumnLabels;
    let mut charts = Vec::new();
    let columns = fitted.column_labels();
    for (column, labels) in &columns {
        if !summary.labels.contains_key(column) {
            continue;
        }
        // Ordered labels best first; named ones in the order the classifier gives them.
        let order = labels.order().unwrap_or_else(|| match labels {
            ColumnLabels::Named { labels, .. } => labels.clone(),
            ColumnLabels::Scores(_) => Vec::new(),
        });
        let svg = pyramid_svg(summary, column, &order, lang, |l| {
            fitted.display_name(column, l, lang)
        })?;
        let name = match column.as_str() {
            "metal" => "pyramid.svg".to_string(),
            other => format!("chart_{other}.svg"),
        };
        write_file(out, &name, svg.as_bytes())?;
        let title = customer_tiering::names::column_name(column, lang).to_string();
        charts.push(Chart { title, svg });
    }
    // The heat map needs the r and f scores and the segment they make.
    let has = |name: &str| columns.iter().any(|(c, _)| c == name);
    let bins = columns.iter().find_map(|(column, labels)| match labels {
        ColumnLabels::Scores(bins) if column == "r" && has("f") && has("rfm_segment") => {
            Some(*bins)
        }
        _ => None,
    });
    if let Some(bins) = bins {
        let svg = rfm_heatmap_svg(tiering, bins, lang, |l| {
            fitted.display_name("rfm_segment", l, lang)
        })?;
        write_file(out, "rfm_heatmap.svg", svg.as_bytes())?;
        let title = chart_title(
            lang,
            "RFM heat map: customers per R and F score",
            "RFM 熱度圖：各 R、F 分數的客戶數",
            "RFM 热度图：各 R、F 分数的客户数",
        );
        charts.push(Chart { title, svg });
    }
    Ok(charts)
}

/// A chart's title in `lang`.
#[cfg(feature = "charts")]
fn chart_title(lang: Lang, en: &str, zh_hant: &str, zh_hans: &str) -> String {
    match lang {
        Lang::En => en,
        Lang::ZhHant => zh_hant,
        Lang::ZhHans => zh_hans,
    }
    .to_string()
}

/// Without the `charts` feature there are no charts to write.
#[cfg(not(feature = "charts"))]
pub(crate) fn write_charts(
    _: &mut OutputDir,
    _: &FittedPipeline,
    _: &Summary,
    _: &Tiering,
    _: Lang,
) -> Result<Vec<Chart>, Error> {
    Ok(Vec::new())
}

/// `migration.svg`: the metal migration matrix with counts.
#[cfg(feature = "charts")]
pub(crate) fn write_migration_chart(
    out: &mut OutputDir,
    migration: &[ColumnMigration],
    orders: &BTreeMap<String, Vec<String>>,
    lang: Lang,
) -> Result<Option<Chart>, Error> {
    if let (Some(metal), Some(order)) = (
        migration.iter().find(|m| m.column == "metal"),
        orders.get("metal"),
    ) {
        let svg = customer_tiering::charts::migration_svg(metal, order, lang, |l| {
            display_name("metal", l, lang).to_string()
        })?;
        write_file(out, "migration.svg", svg.as_bytes())?;
        let title = chart_title(lang, "Metal migration", "金屬層級移動", "金属层级移动");
        return Ok(Some(Chart { title, svg }));
    }
    Ok(None)
}

/// Without the `charts` feature there are no charts to write.
#[cfg(not(feature = "charts"))]
pub(crate) fn write_migration_chart(
    _: &mut OutputDir,
    _: &[ColumnMigration],
    _: &BTreeMap<String, Vec<String>>,
    _: Lang,
) -> Result<Option<Chart>, Error> {
    Ok(None)
}

/// Rejects kept for `tiers.xlsx`'s `Rejects` sheet (the first ones; none without the
/// `xlsx` feature).
#[cfg(feature = "xlsx")]
pub(crate) use customer_tiering::output::XLSX_REJECTS;
/// Without the `xlsx` feature no rejects are kept for a workbook.
#[cfg(not(feature = "xlsx"))]
pub(crate) const XLSX_REJECTS: usize = 0;

/// What `tiers.xlsx` holds beyond the customers ([CLI
/// files](customer_tiering::definitions#cli-files-and-exit-codes)); without the `xlsx`
/// feature `--xlsx` is refused before this is made.
#[cfg_attr(not(feature = "xlsx"), allow(dead_code))]
pub(crate) struct XlsxParts<'a> {
    pub(crate) migration: Option<&'a [ColumnMigration]>,
    pub(crate) warnings: &'a [Warning],
    pub(crate) rejects: Option<&'a [Reject]>,
    pub(crate) lang: Lang,
}

/// `tiers.xlsx` (`--xlsx`): the management table first (words in `lang`, figures as
/// numbers), then the customers, the migration, the warnings (messages in `lang`) and
/// the rejects.
#[cfg(feature = "xlsx")]
pub(crate) fn write_xlsx(
    out: &mut OutputDir,
    population: &Population,
    tiering: &Tiering,
    fitted: &FittedPipeline,
    management: &[ManagementRow],
    parts: XlsxParts<'_>,
) -> Result<(), Error> {
    use customer_tiering::output::{SheetCell, TiersWorkbook};
    use customer_tiering::report::MANAGEMENT_COLUMNS;
    let text = |s: &str| SheetCell::Text(s.to_string());
    let count = |n: Option<u64>| {
        n.map_or(SheetCell::Empty, |n| {
            SheetCell::Integer(i64::try_from(n).unwrap_or(i64::MAX))
        })
    };
    let decimal = |d: Option<rust_decimal::Decimal>| d.map_or(SheetCell::Empty, SheetCell::Decimal);
    let rows: Vec<Vec<SheetCell>> = management
        .iter()
        .map(|r| {
            vec![
                text(&r.classifier),
                text(&r.tier),
                text(&r.criterion),
                count(Some(r.customers)),
                SheetCell::Decimal(r.share),
                SheetCell::Decimal(r.revenue),
                decimal(r.revenue_share),
                decimal(r.average_order_value),
                count(r.customers_in),
                count(r.customers_out),
                decimal(r.revenue_change),
                text(&r.playbook),
            ]
        })
        .collect();
    // People read the messages: in the run's language, like stderr and the report.
    let warnings: Vec<Warning> = parts
        .warnings
        .iter()
        .map(|w| Warning {
            message: w.message_in(parts.lang),
            ..w.clone()
        })
        .collect();
    // Labels as people read them, like the management table (`(none)` of the migration
    // too); the CSV files keep the keys.
    let lang = parts.lang;
    let names = |column: &str, label: &str| match label {
        customer_tiering::migration::ABSENT => customer_tiering::names::absent(lang).to_string(),
        _ => fitted.display_name(column, label, lang),
    };
    let name = "tiers.xlsx";
    let file = out.create(name)?;
    let mut book = TiersWorkbook::new(population, tiering)
        .management(&MANAGEMENT_COLUMNS, &rows)
        .label_names(&names)
        .warnings(&warnings);
    if let Some(migration) = parts.migration {
        book = book.migration(migration);
    }
    if let Some(rejects) = parts.rejects {
        book = book.rejects(rejects);
    }
    book.write(name, file)
}

/// Without the `xlsx` feature `--xlsx` is refused before any data is read.
#[cfg(not(feature = "xlsx"))]
pub(crate) fn write_xlsx(
    _: &mut OutputDir,
    _: &Population,
    _: &Tiering,
    _: &FittedPipeline,
    _: &[ManagementRow],
    _: XlsxParts<'_>,
) -> Result<(), Error> {
    Ok(())
}
