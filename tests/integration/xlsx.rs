//! `tier --xlsx` ([CLI files](customer_tiering::definitions#cli-files-and-exit-codes)):
//! `tiers.xlsx` read back with calamine equals the run's other files — `Customers` is
//! `tiers.csv` cell by cell (ids as text, money as numbers of the same value), `Migration`
//! is `migration.csv`, `Warnings` and `Rejects` are `summary.json`'s warnings and
//! `rejects.csv` — with a frozen header and an autofilter on `Customers`, ids that look
//! like numbers or formulas kept as literal text, and no formula anywhere.

use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use rust_decimal::Decimal;

use crate::support::{QUICKSTART, assert_ok, run, temp_dir};

/// An id that looks like a number and one that looks like a formula (a CSV injection).
const ZEROS_ID: &str = "00001";
const FORMULA_ID: &str = "=cmd|' /C calc'!A0";

/// The quickstart data, two customers with ids a spreadsheet would mangle, and a line
/// with no such calendar day (line 2749).
fn data(dir: &Path) -> String {
    let mut text = std::fs::read_to_string(QUICKSTART).expect("quickstart data");
    text.push_str(&format!("{ZEROS_ID},2026-05-01,10.00,1.00,P01\n"));
    text.push_str(&format!("{FORMULA_ID},2026-05-02,20.50,2.00,P02\n"));
    text.push_str("C0001,2026-02-30,5.00,1.00,P03\n");
    let path = dir.join("orders.csv");
    std::fs::write(&path, text).expect("write the data");
    path.to_str().expect("UTF-8 path").to_string()
}

fn tier(dir: &Path, data: &str, more: &[&str]) {
    let out = dir.join("out");
    let mut args = vec![
        "--transactions",
        data,
        "--as-of",
        "2026-06-30",
        "--compare-as-of",
        "2026-03-31",
        "--on-invalid",
        "skip",
        "--quiet",
        "--lang",
        "zh-Hant",
        "--out",
        out.to_str().expect("UTF-8 path"),
    ];
    args.extend_from_slice(more);
    assert_ok(&run("tier", &args));
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("CSV opens");
    reader
        .records()
        .map(|r| r.expect("CSV row").iter().map(str::to_string).collect())
        .collect()
}

/// The CSV rows as the workbook shows them under `--lang zh-Hant`: named labels by
/// their display names (scores, metrics and tags as they are); in the migration's
/// `from` and `to`, `(none)` in the language too.
fn as_read(mut rows: Vec<Vec<String>>, migration: bool) -> Vec<Vec<String>> {
    use customer_tiering::names::{Lang, absent, display_name};
    let header = rows[0].clone();
    for row in rows.iter_mut().skip(1) {
        if migration {
            let classifier = row[0].clone();
            for c in [1, 2] {
                row[c] = match row[c].as_str() {
                    "(none)" => absent(Lang::ZhHant).to_string(),
                    label => display_name(&classifier, label, Lang::ZhHant).to_string(),
                };
            }
            continue;
        }
        for (c, cell) in row.iter_mut().enumerate() {
            let named = c >= 6 && !["r", "f", "m", "tags"].contains(&header[c].as_str());
            if named && !cell.is_empty() {
                *cell = display_name(&header[c], cell, Lang::ZhHant).to_string();
            }
        }
    }
    rows
}

/// Whether a cell holds what a CSV field says: the same text in a string cell, nothing
/// in an empty one, the same decimal value in a number cell.
fn same(cell: &Data, field: &str) -> bool {
    match cell {
        Data::String(text) => text == field,
        Data::Empty => field.is_empty(),
        // `to_string` is the shortest decimal that reads back as the same f64.
        Data::Float(x) => Decimal::from_str(&x.to_string()).ok() == Decimal::from_str(field).ok(),
        _ => false,
    }
}

/// A sheet equals a CSV file: as many rows, the same header, every cell [`same`].
fn assert_sheet_is_csv(sheet: &Range<Data>, rows: &[Vec<String>], name: &str) {
    assert_eq!(sheet.height(), rows.len(), "{name}: rows");
    for (r, (cells, fields)) in sheet.rows().zip(rows).enumerate() {
        assert!(cells.len() >= fields.len(), "{name} row {r}: {cells:?}");
        for (c, field) in fields.iter().enumerate() {
            assert!(
                same(&cells[c], field),
                "{name} row {r} column {c}: {:?} is not {field:?}",
                cells[c]
            );
        }
        assert!(
            cells[fields.len()..].iter().all(|c| *c == Data::Empty),
            "{name} row {r}: cells past the CSV's"
        );
    }
}

/// The XML of one part of the workbook.
fn part(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).expect("tiers.xlsx opens");
    let mut zip = zip::ZipArchive::new(file).expect("a zip container");
    let mut text = String::new();
    zip.by_name(name)
        .expect("the part is there")
        .read_to_string(&mut text)
        .expect("UTF-8 XML");
    text
}

#[test]
fn the_workbook_holds_what_the_csv_files_and_summary_say() {
    let dir = temp_dir("xlsx");
    let data = data(&dir);
    tier(&dir, &data, &["--xlsx"]);
    let out = dir.join("out");
    let path = out.join("tiers.xlsx");
    let mut book: Xlsx<_> = open_workbook(&path).expect("tiers.xlsx opens");
    assert_eq!(
        book.sheet_names(),
        [
            "Management",
            "Customers",
            "Migration",
            "Warnings",
            "Rejects"
        ]
    );

    // Customers is tiers.csv, money as numbers.
    let customers = book.worksheet_range("Customers").expect("Customers");
    let tiers = as_read(csv_rows(&out.join("tiers.csv")), false);
    assert_sheet_is_csv(&customers, &tiers, "Customers");
    let monetary = tiers[0]
        .iter()
        .position(|c| c == "monetary")
        .expect("monetary");
    assert!(
        customers
            .rows()
            .skip(1)
            .all(|r| matches!(r[monetary], Data::Float(_))),
        "every monetary of the quickstart is a number cell"
    );
    // Ids are text, those that look like numbers or formulas too, and nothing is a formula.
    let ids: Vec<&Data> = customers.rows().skip(1).map(|r| &r[0]).collect();
    assert!(ids.iter().all(|id| matches!(id, Data::String(_))));
    for id in [ZEROS_ID, FORMULA_ID] {
        assert!(ids.contains(&&Data::String(id.into())), "{id}");
    }
    let formulas = book.worksheet_formula("Customers").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

    // Migration is migration.csv.
    let migration = book.worksheet_range("Migration").expect("Migration");
    assert_sheet_is_csv(
        &migration,
        &as_read(csv_rows(&out.join("migration.csv")), true),
        "Migration",
    );

    // Warnings are summary.json's, their messages in the run's language (summary.json
    // keeps the English for programs); Rejects are rejects.csv (one here, its line a
    // number).
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary"))
            .expect("JSON");
    let warnings = summary["warnings"].as_array().expect("warnings");
    assert!(!warnings.is_empty(), "the bad line at least is warned of");
    let sheet = book.worksheet_range("Warnings").expect("Warnings");
    assert_eq!(sheet.height(), warnings.len() + 1);
    for (row, w) in sheet.rows().skip(1).zip(warnings) {
        let text = |key: &str| Data::String(w[key].as_str().expect("a string").to_string());
        assert_eq!((&row[0], &row[1]), (&text("code"), &text("classifier")));
        assert_eq!(row[3], Data::String(w["figures"].to_string()));
        let Data::String(message) = &row[2] else {
            panic!("a message, not {:?}", row[2]);
        };
        assert!(!message.is_ascii(), "in Traditional Chinese: {message}");
    }
    let rejected = &sheet.rows().nth(1).expect("a warning")[2];
    assert!(matches!(rejected, Data::String(m) if m.contains("2748") && m.contains("拒絕")));
    let rejects = csv_rows(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert_eq!(rejects[1][1], "2749");
    let sheet = book.worksheet_range("Rejects").expect("Rejects");
    assert_sheet_is_csv(&sheet, &rejects, "Rejects");
    assert_eq!(sheet.get((1, 1)), Some(&Data::Float(2749.0)));

    // Management: the management table, cell for cell as management.csv (figures as
    // numbers), the empty labels included.
    let management = book.worksheet_range("Management").expect("Management");
    let expected = csv_rows(&out.join("management.csv"));
    assert_sheet_is_csv(&management, &expected, "Management");
    let metal_customers: f64 = management
        .rows()
        .filter(|r| r[0] == Data::String("metal".into()))
        .map(|r| match r[3] {
            Data::Float(n) => n,
            ref other => panic!("customers as a number, not {other:?}"),
        })
        .sum();
    assert_eq!(metal_customers, (tiers.len() - 1) as f64);

    // The header of Customers is frozen and carries an autofilter over every row.
    let xml = part(&path, "xl/worksheets/sheet2.xml");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let pane = doc
        .descendants()
        .find(|n| n.has_tag_name("pane"))
        .expect("a pane");
    assert_eq!(pane.attribute("state"), Some("frozen"));
    assert_eq!(pane.attribute("ySplit"), Some("1"));
    assert_eq!(pane.attribute("topLeftCell"), Some("A2"));
    let filter = doc
        .descendants()
        .find(|n| n.has_tag_name("autoFilter"))
        .expect("an autofilter");
    let last_column = char::from(b'A' + (tiers[0].len() - 1) as u8);
    assert_eq!(
        filter.attribute("ref"),
        Some(format!("A1:{last_column}{}", tiers.len()).as_str())
    );

    // Listed in summary.json's files; a run without --xlsx removes it.
    let files = summary["files"].as_array().expect("files");
    assert!(files.contains(&serde_json::json!("tiers.xlsx")));
    tier(&dir, &data, &[]);
    assert!(!path.exists(), "a stale tiers.xlsx is removed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_run_writes_the_same_workbook_bytes() {
    // The document's date is the as-of date, not the clock's. The same input and
    // output directory, so that the paths the warnings name are the same too.
    let dir = temp_dir("xlsx-same");
    let data = data(&dir);
    let read = || std::fs::read(dir.join("out/tiers.xlsx")).expect("tiers.xlsx");
    tier(&dir, &data, &["--xlsx"]);
    let first = read();
    // A second apart, so that a clock in the file would show.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    tier(&dir, &data, &["--xlsx"]);
    assert!(first == read(), "tiers.xlsx differs between runs");
    let _ = std::fs::remove_dir_all(dir);
}
