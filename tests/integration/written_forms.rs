//! Saved models keep their bytes where equal values are written differently.
//!
//! `tests/data/written_forms/orders.csv` has the same few amounts written with 0 to 3
//! extra trailing zeros (`10`, `10.0`, `10.000`), so that customers with equal totals
//! print them differently (`15.5`, `15.50`). Which of those forms a cut point or
//! threshold is written in does not change a label, but it is part of `model.json`:
//! `model.json` here was written by `tier` before cut points were chosen by selection
//! on integer keys, and must not change.

use crate::support::{assert_ok, run, temp_dir};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/written_forms");

#[test]
fn cut_points_and_thresholds_keep_their_written_form() {
    let dir = temp_dir("written-forms");
    let out = dir.join("out");
    let orders = format!("{DATA}/orders.csv");
    let args = [
        "--transactions",
        orders.as_str(),
        "--as-of",
        "2026-06-30",
        "--preset",
        "abc",
        "--preset",
        "four-levels",
        "--preset",
        "value-tiers",
        "--preset",
        "four-dimension",
        "--no-charts",
        "--quiet",
        "--out",
        out.to_str().expect("UTF-8 path"),
    ];
    assert_ok(&run("tier", &args));
    let written = std::fs::read_to_string(out.join("model.json")).expect("model.json");
    let saved = std::fs::read_to_string(format!("{DATA}/model.json")).expect("the saved model");
    assert!(written == saved, "model.json changed:\n{written}");
}
