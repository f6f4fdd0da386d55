//! `tier` as [output safety](customer_tiering::definitions#output-safety) has it: settings
//! checked before any data (usage errors exit 2, bad configuration exit 1), all-or-nothing
//! output, no stale files, one run per directory, saved models and previous runs checked,
//! clashing names refused.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Output;

use crate::support::{QUICKSTART, assert_ok, run, temp_dir};

/// `tier` on the quickstart data into `dir`, as of 2026-06-30 unless `more` says.
fn tier(dir: &Path, more: &[&str]) -> Output {
    let out = dir.to_str().expect("UTF-8 path");
    let mut args = vec!["--transactions", QUICKSTART, "--out", out, "--quiet"];
    if !more.contains(&"--as-of") {
        args.extend(["--as-of", "2026-06-30"]);
    }
    args.extend_from_slice(more);
    run("tier", &args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every entry of a directory with its bytes (directories as empty).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry"))
        .map(|e| {
            let bytes = fs::read(e.path()).unwrap_or_default();
            (e.file_name().into_string().expect("UTF-8"), bytes)
        })
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|n| n != ".tier.lock")
        .collect()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("summary.json")).expect("summary.json"))
        .expect("JSON")
}

#[test]
fn files_of_an_earlier_run_that_this_run_did_not_write_are_removed() {
    let dir = temp_dir("stale");
    fs::write(dir.join("notes.txt"), "mine").expect("writable");
    assert_ok(&tier(
        &dir,
        &["--compare-as-of", "2026-03-31", "--on-invalid", "skip"],
    ));
    let full = names(&dir);
    for name in [
        "migration.csv",
        "migration.json",
        "migration.svg",
        "previous_tiers.csv",
        "rejects.csv",
        "management.csv",
        "report.html",
    ] {
        assert!(full.contains(&name.to_string()), "{name} in {full:?}");
    }
    assert_ok(&tier(
        &dir,
        &["--format", "jsonl", "--no-charts", "--no-report"],
    ));
    assert_eq!(
        names(&dir),
        [
            "management.csv",
            "model.json",
            "notes.txt",
            "summary.json",
            "tiers.jsonl"
        ],
        "a plain jsonl run leaves its own files and the user's"
    );
    let listed = summary(&dir)["files"].clone();
    assert_eq!(
        listed,
        serde_json::json!([
            "tiers.jsonl",
            "model.json",
            "management.csv",
            "summary.json"
        ])
    );
    assert_eq!(
        fs::read_to_string(dir.join("notes.txt")).expect("kept"),
        "mine"
    );
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn a_failed_run_changes_no_file_and_leaves_no_temporary() {
    let dir = temp_dir("atomic");
    assert_ok(&tier(&dir, &["--compare-as-of", "2026-03-31"]));
    let before = snapshot(&dir);
    // Each fails after the data is read, at a different point.
    for args in [
        &["--explain", "NOBODY"][..],
        &["--as-of", "2020-01-01"][..],  // nobody bought by then
        &["--previous", QUICKSTART][..], // no monetary column
    ] {
        let out = tier(&dir, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(snapshot(&dir), before, "{args:?} changed the output");
    }
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn under_skip_a_failed_run_still_writes_its_rejects() {
    let dir = temp_dir("rejects-kept");
    assert_ok(&tier(&dir, &[]));
    let before = snapshot(&dir);
    let bad = dir.join("bad.csv");
    fs::write(
        &bad,
        "customer_id,date,amount\nC1,2026-01-01,1e3\nC2,2026-13-01,5\n",
    )
    .expect("writable");
    let out_dir = dir.to_str().expect("UTF-8");
    let out = run(
        "tier",
        &[
            "--transactions",
            bad.to_str().expect("UTF-8"),
            "--as-of",
            "2026-06-30",
            "--out",
            out_dir,
            "--on-invalid",
            "skip",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("warning: rejected_rows: ")
            && stderr(&out).contains("2 of 2 rows rejected"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("the scored population is empty"),
        "{}",
        stderr(&out)
    );
    let after = snapshot(&dir);
    let rejects = String::from_utf8(after["rejects.csv"].clone()).expect("UTF-8");
    assert_eq!(rejects.lines().count(), 3, "{rejects}");
    for (name, bytes) in &before {
        assert_eq!(after.get(name), Some(bytes), "{name} changed");
    }
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn a_held_lock_refuses_a_second_run_and_a_leftover_lock_file_does_not() {
    let dir = temp_dir("lock");
    fs::write(dir.join(".tier.lock"), "").expect("writable");
    assert_ok(&tier(&dir, &[])); // a lock file nobody holds
    let held = fs::File::options()
        .read(true)
        .write(true)
        .open(dir.join(".tier.lock"))
        .expect("lock file");
    held.try_lock().expect("the lock is free");
    let before = snapshot(&dir);
    let out = tier(&dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("another run"), "{}", stderr(&out));
    assert_eq!(snapshot(&dir), before);
    held.unlock().expect("unlock");
    assert_ok(&tier(&dir, &[]));
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn flags_that_cannot_work_are_usage_errors_before_anything_is_read() {
    let dir = temp_dir("usage");
    let out_dir = dir.join("out");
    for (args, says) in [
        (
            &["--hysteresis", "1.5", "--compare-as-of", "2026-03-31"][..],
            "0 <= H < 1",
        ),
        (
            &["--hysteresis=-0.1", "--compare-as-of", "2026-03-31"][..],
            "0 <= H < 1",
        ),
        (&["--hysteresis", "0.02"][..], "needs a previous period"),
        (&["--compare-as-of", "2026-07-01"][..], "must be before"),
        (&["--explain", ""][..], "--explain"),
    ] {
        let out = tier(&out_dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(!out_dir.exists(), "{args:?} touched the output directory");
    }
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn the_largest_legal_hysteresis_is_not_an_overflow() {
    let dir = temp_dir("hyst-max");
    let out = tier(
        &dir,
        &[
            "--compare-as-of",
            "2026-03-31",
            "--hysteresis",
            "0.9999999999999999999999999999",
        ],
    );
    assert_ok(&out);
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn bad_configuration_stops_the_run_before_the_data_with_exit_1() {
    let dir = temp_dir("config");
    let out_dir = dir.join("out");
    let clash = dir.join("clash.toml");
    fs::write(
        &clash,
        "name = \"clash\"\ncolumn = \"monetary\"\ntiers = [\"a\", \"b\"]\ndefault = \"b\"\n[[rules]]\nwhen = 'metal == \"gold\"'\ntier = \"a\"\n",
    )
    .expect("writable");
    let clash = clash.to_str().expect("UTF-8");
    for (args, says) in [
        (
            &["--rules", clash][..],
            "writes the column \"monetary\": that is the name of a metric",
        ),
        (&["--preset", "no-such-preset"][..], "unknown preset"),
        (
            &["--columns", "amount=Total"][..],
            "missing required column \"Total\"",
        ),
    ] {
        let out = tier(&out_dir, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(!out_dir.exists(), "{args:?} touched the output directory");
    }
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn saved_models_and_previous_runs_are_checked_before_the_data() {
    let dir = temp_dir("model-checks");
    let first = dir.join("first");
    assert_ok(&tier(&first, &[]));
    let model = fs::read_to_string(first.join("model.json")).expect("model.json");
    let value: serde_json::Value = serde_json::from_str(&model).expect("JSON");

    let out_dir = dir.join("out");
    let write = |name: &str, json: &serde_json::Value| {
        let path = dir.join(name);
        fs::write(&path, serde_json::to_string_pretty(json).expect("JSON")).expect("writable");
        path.to_str().expect("UTF-8").to_string()
    };
    // Without its metal model the pipeline cannot write tiers.csv's fixed columns.
    let mut no_metal = value.clone();
    no_metal["models"]
        .as_array_mut()
        .expect("models")
        .retain(|m| m["kind"] != "pareto");
    let path = write("no-metal.json", &no_metal);
    let out = tier(&out_dir, &["--model", &path]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lacks the column(s) metal"),
        "{}",
        stderr(&out)
    );
    // Another format version.
    let mut future = value.clone();
    future["format_version"] = serde_json::json!(99);
    let path = write("future.json", &future);
    let out = tier(&out_dir, &["--model", &path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("format_version 99"),
        "{}",
        stderr(&out)
    );
    assert!(!out_dir.exists());

    // A segment map with a rule deleted: customers fall to `others`, and the run says so.
    let mut holed = value.clone();
    let rules = holed["models"][0]["params"]["segment_map"]["rules"]
        .as_array_mut()
        .expect("the RFM model's segment map rules");
    rules.remove(0);
    let path = write("holed.json", &holed);
    let out = tier(&out_dir, &["--model", &path]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("warning: segment_map_coverage: "),
        "{}",
        stderr(&out)
    );
    let codes: Vec<String> = summary(&out_dir)["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w["code"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        codes.contains(&"segment_map_coverage".to_string()),
        "{codes:?}"
    );

    // A saved model applied to data without buyers by its date is an error, as a fit is.
    let model_path = first.join("model.json");
    let out = tier(
        &dir.join("early"),
        &[
            "--model",
            model_path.to_str().expect("UTF-8"),
            "--as-of",
            "2020-01-01",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the scored population is empty"),
        "{}",
        stderr(&out)
    );

    // A hand-edited previous tiers.csv with a label its column cannot take.
    let tiers = fs::read_to_string(first.join("tiers.csv")).expect("tiers.csv");
    let edited = tiers.replacen(",lead\n", ",leaden\n", 1);
    let line = tiers[..tiers.find(",lead\n").expect("a lead row")]
        .lines()
        .count();
    let previous = dir.join("previous.csv");
    fs::write(&previous, edited).expect("writable");
    let out = tier(
        &dir.join("prev"),
        &["--previous", previous.to_str().expect("UTF-8")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let expected = format!("line {line}, field \"metal\": \"leaden\": not a label of metal");
    assert!(
        stderr(&out).contains(&expected),
        "{expected} not in {}",
        stderr(&out)
    );
    assert!(!dir.join("prev").exists());
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn rejected_rows_are_a_warning_on_stderr_and_in_the_summary() {
    let dir = temp_dir("rejected-rows");
    let data = dir.join("orders.csv");
    let mut text = fs::read_to_string(QUICKSTART).expect("quickstart");
    text.push_str("C0001,2026-01-05,\"1,890.00\"\n");
    fs::write(&data, text).expect("writable");
    let out_dir = dir.join("out");
    let out = run(
        "tier",
        &[
            "--transactions",
            data.to_str().expect("UTF-8"),
            "--as-of",
            "2026-06-30",
            "--out",
            out_dir.to_str().expect("UTF-8"),
            "--on-invalid",
            "skip",
            "--quiet",
        ],
    );
    assert_ok(&out);
    assert!(
        stderr(&out).contains("warning: rejected_rows: ")
            && stderr(&out).contains("1 of 2746 rows rejected"),
        "{}",
        stderr(&out)
    );
    let warning = summary(&out_dir)["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .find(|w| w["code"] == "rejected_rows")
        .cloned()
        .expect("rejected_rows in summary.json");
    assert_eq!(warning["figures"]["rejected"], 1);
    assert_eq!(warning["figures"]["read"], 2746);
    let _ = fs::remove_dir_all(dir);
}

#[test]
fn an_error_quoting_a_huge_line_stays_one_short_line() {
    let dir = temp_dir("huge-line");
    let rules = dir.join("huge.toml");
    fs::write(
        &rules,
        format!("name = \"x\"\ntiers = [\"{}\"\n", "a".repeat(5 << 20)),
    )
    .expect("writable");
    let out = tier(
        &dir.join("out"),
        &["--rules", rules.to_str().expect("UTF-8")],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert_eq!(text.lines().count(), 1, "{}", &text[..text.len().min(300)]);
    assert!(text.len() < 1200, "{} bytes", text.len());
    assert!(text.contains("huge.toml: line 2, column "), "{text}");
    let _ = fs::remove_dir_all(dir);
}
