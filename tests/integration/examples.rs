//! The example programs, run as a user runs them (rust-csv style).

use std::path::Path;
use std::process::Output;

use customer_tiering::FittedPipeline;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};

use crate::support::{QUICKSTART, assert_ok, run, temp_dir};

/// Runs `tier` on the quickstart data at 2026-06-30 into `dir`, with more arguments.
fn run_tier(dir: &Path, more: &[&str]) -> Output {
    let out = dir.to_str().expect("UTF-8 path");
    let mut args = vec![
        "--transactions",
        QUICKSTART,
        "--as-of",
        "2026-06-30",
        "--out",
        out,
    ];
    args.extend_from_slice(more);
    run("tier", &args)
}

#[test]
fn the_committed_quickstart_data_is_the_generators_output() {
    let dir = temp_dir("gen");
    let path = dir.join("quickstart.csv");
    let out = run("gen_quickstart_data", &[path.to_str().expect("UTF-8 path")]);
    assert_ok(&out);
    let made = std::fs::read(&path).expect("generated");
    let committed = std::fs::read(QUICKSTART).expect("committed");
    assert!(
        made == committed,
        "tests/data/quickstart.csv differs from the generator's output"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tier_on_the_quickstart_data_writes_every_file_and_a_model_that_reproduces_it() {
    let dir = temp_dir("tier");
    let out = run_tier(&dir, &[]);
    assert_ok(&out);
    let tiers = std::fs::read_to_string(dir.join("tiers.csv")).expect("tiers.csv");
    let mut lines = tiers.lines();
    assert_eq!(
        lines.next(),
        Some(
            "customer_id,recency_days,frequency,transactions,monetary,tenure_days,r,f,m,rfm_segment,metal"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 300);
    assert!(
        rows.windows(2)
            .all(|w| w[0][0].as_bytes() < w[1][0].as_bytes())
    );
    assert!(!dir.join("rejects.csv").exists());

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("JSON");
    assert_eq!(summary["read"], 2745);
    assert_eq!(summary["accepted"], 2745);
    assert_eq!(summary["rejected"], 0);
    assert_eq!(summary["customers"], 300);
    assert_eq!(summary["model"]["fit_size"], 300);
    assert_eq!(summary["labels"]["metal"]["platinum"]["customers"], 3);

    // model.json classifies the same profiles into the same labels (tie-aware).
    let model = std::fs::read_to_string(dir.join("model.json")).expect("model");
    let fitted = FittedPipeline::from_json("model.json", &model).expect("loads");
    let source = CsvTransactions::from_path(QUICKSTART, &ColumnMapping::default()).expect("opens");
    let ingested = ingest(
        source,
        customer_tiering::PopulationBuilder::new(fitted.as_of()),
        OnInvalid::Fail,
        |_| {},
    )
    .expect("valid");
    let tiering = fitted.classify_all(&ingested.population);
    for (row, (id, labels)) in rows.iter().zip(tiering.rows()) {
        assert_eq!(row[0], id.as_str());
        let cells: Vec<String> = labels.iter().map(|l| l.as_cell().into_owned()).collect();
        assert_eq!(&row[6..], cells.as_slice(), "{id}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tier_with_customers_presets_and_explain() {
    let dir = temp_dir("tier-customers");
    let customers = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/quickstart_customers.csv"
    );
    let out = run_tier(
        &dir,
        &[
            "--customers",
            customers,
            "--preset",
            "four-dimension",
            "--preset",
            "lifecycle",
            "--preset",
            "four-levels",
            "--explain",
            "C0001",
        ],
    );
    assert_ok(&out);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(stdout.starts_with("C0001:\n"), "{stdout}");
    for prefix in [
        "  r = ",
        "  metal = ",
        "  grade = ",
        "  lifecycle = ",
        "  level = ",
    ] {
        assert!(stdout.contains(prefix), "{prefix} missing in\n{stdout}");
    }

    let tiers = std::fs::read_to_string(dir.join("tiers.csv")).expect("tiers.csv");
    let mut lines = tiers.lines();
    assert_eq!(
        lines.next(),
        Some(
            "customer_id,recency_days,frequency,transactions,monetary,tenure_days,r,f,m,rfm_segment,metal,grade,lifecycle,level"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 303, "300 buyers and 3 prospects");
    let row = |id: &str| rows.iter().find(|r| r[0] == id).expect("row").clone();
    // A customer without purchases: empty metrics and scores, grade d, its stage.
    assert_eq!(
        row("P0001"),
        [
            "P0001", "", "0", "0", "0", "", "", "", "", "", "", "d", "target", "level_4"
        ]
    );
    assert_eq!(row("P0002")[12], "prospect");
    assert_eq!(row("P0003")[12], "non_customer");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("JSON");
    // read, accepted and rejected count the transactions; the customers file its own.
    assert_eq!(summary["read"], 2745);
    assert_eq!(summary["customers_source"]["read"], 8);
    assert_eq!(summary["customers_source"]["rejected"], 0);
    assert_eq!(summary["customers"], 303);
    assert_eq!(summary["buyers"], 300);
    assert_eq!(
        summary["labels"]["grade"]["d"]["customers"]
            .as_u64()
            .map(|n| n >= 3),
        Some(true)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tier_rejects_an_unknown_preset_with_exit_1() {
    let dir = temp_dir("tier-preset");
    let out = run_tier(&dir, &["--preset", "diamond"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        stderr.starts_with("error: unknown preset \"diamond\"; known presets: four-dimension"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tier_with_a_rule_set_writes_tier_and_tags_and_explains_the_rule() {
    let dir = temp_dir("tier-rules");
    let customers = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/quickstart_customers.csv"
    );
    let rules = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/rules/credit-cap.toml"
    );
    let out = run_tier(
        &dir,
        &[
            "--customers",
            customers,
            "--preset",
            "four-dimension",
            "--preset",
            "lifecycle",
            "--rules",
            rules,
            "--explain",
            "C0003",
            "--lang",
            "zh",
        ],
    );
    assert_ok(&out);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        stdout.contains(r#"规则 4（“bad credit”：credit_rating == "D"；credit_rating = D）"#),
        "{stdout}"
    );
    assert!(
        stdout.contains("白金顾客"),
        "metal names in zh-Hans:\n{stdout}"
    );
    let tiers = std::fs::read_to_string(dir.join("tiers.csv")).expect("tiers.csv");
    assert!(tiers.starts_with(
        "customer_id,recency_days,frequency,transactions,monetary,tenure_days,r,f,m,rfm_segment,metal,grade,lifecycle,tier,tags\n"
    ));
    let c0001 = tiers
        .lines()
        .find(|l| l.starts_with("C0001,"))
        .expect("C0001");
    assert!(c0001.ends_with(",lost,c,win_back"), "{c0001}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn every_preset_runs_by_name() {
    let customers = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/quickstart_customers.csv"
    );
    for key in customer_tiering::presets::all_keys() {
        let dir = temp_dir(&format!("preset-{key}"));
        let bins = if key == "rfm-pymc" { "4" } else { "5" };
        let out = run_tier(
            &dir,
            &["--customers", customers, "--preset", key, "--bins", bins],
        );
        assert!(
            out.status.success(),
            "{key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn tier_with_a_saved_model_reproduces_the_fit_run_and_scores_later_data() {
    let fit_dir = temp_dir("model-fit");
    let out = run_tier(&fit_dir, &["--preset", "four-dimension"]);
    assert_ok(&out);
    let model = fit_dir.join("model.json");
    let model = model.to_str().expect("UTF-8");

    // Same data, the model's own date (no --as-of): the same tiers, byte for byte.
    let again = temp_dir("model-again");
    let args = [
        "--transactions",
        QUICKSTART,
        "--model",
        model,
        "--out",
        again.to_str().expect("UTF-8"),
    ];
    let out = run("tier", &args);
    assert_ok(&out);
    let read = |dir: &Path, file: &str| std::fs::read_to_string(dir.join(file)).expect(file);
    assert_eq!(read(&again, "tiers.csv"), read(&fit_dir, "tiers.csv"));
    let summary: serde_json::Value =
        serde_json::from_str(&read(&again, "summary.json")).expect("JSON");
    assert_eq!(summary["model"]["as_of"], "2026-06-30");
    assert_eq!(summary["model"]["fit_size"], 300);

    // An earlier date: classified by the same model, with a warning.
    let earlier = temp_dir("model-earlier");
    let mut args = args.to_vec();
    args[5] = earlier.to_str().expect("UTF-8");
    args.extend(["--as-of", "2026-01-31"]);
    let out = run("tier", &args);
    assert_ok(&out);
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        stderr.starts_with("warning: model_after_data: the model was fitted at 2026-06-30"),
        "{stderr}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&read(&earlier, "summary.json")).expect("JSON");
    assert_eq!(summary["as_of"], "2026-01-31");
    assert_eq!(summary["warnings"][0]["code"], "model_after_data");

    // Settings that only a fit uses cannot go with a saved model: a usage error.
    let out = run(
        "tier",
        &[
            "--transactions",
            QUICKSTART,
            "--model",
            model,
            "--out",
            "x",
            "--bins",
            "4",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    for dir in [fit_dir, again, earlier] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn tier_compares_two_dates_and_a_previous_run() {
    let dir = temp_dir("compare");
    let out = run_tier(
        &dir,
        &[
            "--compare-as-of",
            "2026-03-31",
            "--preset",
            "four-dimension",
        ],
    );
    assert_ok(&out);
    let read = |dir: &Path, file: &str| std::fs::read_to_string(dir.join(file)).expect(file);
    let previous = read(&dir, "previous_tiers.csv");
    assert!(previous.starts_with(
        "customer_id,recency_days,frequency,transactions,monetary,tenure_days,r,f,m,rfm_segment,metal,grade\n"
    ));
    let migration = read(&dir, "migration.csv");
    let mut lines = migration.lines();
    assert_eq!(
        lines.next(),
        Some("classifier,from,to,customers,monetary_before,monetary_after")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let keys: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[0], r[1], r[2])).collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| {
        (a.0.as_bytes(), a.1.as_bytes(), a.2.as_bytes()).cmp(&(
            b.0.as_bytes(),
            b.1.as_bytes(),
            b.2.as_bytes(),
        ))
    });
    assert_eq!(keys, sorted, "rows sorted by classifier, from, to");
    let previous_customers = previous.lines().count() - 1;
    for classifier in ["r", "f", "m", "rfm_segment", "metal", "grade"] {
        let cells: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == classifier).collect();
        let total: usize = cells
            .iter()
            .map(|r| r[3].parse::<usize>().expect("count"))
            .sum();
        assert_eq!(
            total, 300,
            "{classifier}: every customer of either period in one cell"
        );
        let before: usize = cells
            .iter()
            .filter(|r| r[1] != "(none)")
            .map(|r| r[3].parse::<usize>().expect("count"))
            .sum();
        assert_eq!(before, previous_customers, "{classifier}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&read(&dir, "migration.json")).expect("JSON");
    assert!(json["classifiers"].as_array().is_some_and(|c| c.len() == 6));
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir, "summary.json")).expect("JSON");
    assert!(summary["previous_labels"]["metal"].is_object());

    // A run compared with itself through --previous: only the diagonal.
    let again = temp_dir("compare-again");
    let tiers = dir.join("tiers.csv");
    let out = run_tier(
        &again,
        &[
            "--previous",
            tiers.to_str().expect("UTF-8"),
            "--preset",
            "four-dimension",
        ],
    );
    assert_ok(&out);
    for line in read(&again, "migration.csv").lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[1], cells[2], "{line}");
        assert_eq!(cells[4], cells[5], "{line}");
    }
    // The previous run's figures come from its tiers.csv, and equal its own summary.
    let summary: serde_json::Value =
        serde_json::from_str(&read(&again, "summary.json")).expect("JSON");
    assert!(summary["previous_labels"]["grade"].is_object());
    assert_eq!(summary["previous_labels"], summary["labels"]);
    for d in [dir, again] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn tier_hysteresis_zero_is_the_raw_run_and_needs_a_previous_period() {
    let raw = temp_dir("hyst-raw");
    let out = run_tier(&raw, &["--compare-as-of", "2026-03-31"]);
    assert_ok(&out);
    let zero = temp_dir("hyst-zero");
    let out = run_tier(
        &zero,
        &["--compare-as-of", "2026-03-31", "--hysteresis", "0"],
    );
    assert_ok(&out);
    let read = |dir: &Path| std::fs::read_to_string(dir.join("tiers.csv")).expect("tiers.csv");
    assert_eq!(read(&zero), read(&raw));

    let held = temp_dir("hyst-held");
    let out = run_tier(
        &held,
        &["--compare-as-of", "2026-03-31", "--hysteresis", "0.1"],
    );
    assert_ok(&out);
    assert_ne!(
        read(&held),
        read(&raw),
        "a 10 % margin holds somebody back on this data"
    );
    // Both ends of the legal range with 28 decimals (see `definitions`, bad input): no
    // overflow.
    for margin in [
        "0.9999999999999999999999999999",
        "0.0000000000000000000000000001",
    ] {
        let dir = temp_dir("hyst-edge");
        let out = run_tier(
            &dir,
            &["--compare-as-of", "2026-03-31", "--hysteresis", margin],
        );
        assert_ok(&out);
        let _ = std::fs::remove_dir_all(dir);
    }

    for args in [
        &["--hysteresis", "0.02"][..],
        &[
            "--compare-as-of",
            "2026-03-31",
            "--hysteresis",
            "0.02",
            "--quantiles",
            "equal-count",
        ][..],
        &[
            "--compare-as-of",
            "2026-03-31",
            "--hysteresis",
            "0.02",
            "--fixed",
        ][..],
    ] {
        // Flags that cannot work together are a usage error, found before anything is
        // read or written (see `definitions`, output safety).
        let dir = temp_dir("hyst-bad");
        let out = run_tier(&dir.join("out"), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).expect("UTF-8");
        assert!(
            stderr.starts_with("error: ") && stderr.contains("hysteresis"),
            "{stderr}"
        );
        assert!(
            !dir.join("out").exists(),
            "{args:?} created the output directory"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
    for d in [raw, zero, held] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn stream_replays_new_orders_into_the_same_tiers_as_a_batch_run() {
    let fit = temp_dir("stream-fit");
    let out = run(
        "tier",
        &[
            "--transactions",
            QUICKSTART,
            "--as-of",
            "2026-03-31",
            "--out",
            fit.to_str().expect("UTF-8"),
        ],
    );
    assert_ok(&out);
    let model = fit.join("model.json");
    let model = model.to_str().expect("UTF-8");
    let streamed = temp_dir("stream-out");
    let out = run(
        "stream",
        &[
            "--model",
            model,
            "--transactions",
            QUICKSTART,
            "--out",
            streamed.to_str().expect("UTF-8"),
        ],
    );
    assert_ok(&out);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let first = stdout.lines().next().expect("some label changes");
    assert!(
        first.contains(" -> ") && first.contains(" on 2026-"),
        "{first}"
    );
    let batch = temp_dir("stream-batch");
    let args = [
        "--transactions",
        QUICKSTART,
        "--model",
        model,
        "--as-of",
        "2026-06-30",
        "--out",
        batch.to_str().expect("UTF-8"),
    ];
    let out = run("tier", &args);
    assert_ok(&out);
    let read = |dir: &Path| std::fs::read_to_string(dir.join("tiers.csv")).expect("tiers.csv");
    assert_eq!(read(&streamed), read(&batch));
    for d in [fit, streamed, batch] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn stream_restarts_from_its_saved_state_without_the_history() {
    let fit = temp_dir("stream-state-fit");
    let fit_dir = fit.to_str().expect("UTF-8");
    let out = run(
        "tier",
        &[
            "--transactions",
            QUICKSTART,
            "--as-of",
            "2026-03-31",
            "--out",
            fit_dir,
        ],
    );
    assert_ok(&out);
    let model = fit.join("model.json");
    // The first run sees the orders up to 2026-05-15 and saves its state …
    let all = std::fs::read_to_string(QUICKSTART).expect("quickstart data");
    let mut lines = all.lines();
    let mut early = format!("{}\n", lines.next().expect("a header"));
    for line in lines.filter(|l| l.split(',').nth(1).is_some_and(|d| d <= "2026-05-15")) {
        early.push_str(line);
        early.push('\n');
    }
    let early_path = fit.join("early.csv");
    std::fs::write(&early_path, early).expect("written");
    let state = fit.join("state.jsonl");
    let state_arg = state.to_str().expect("UTF-8");
    let first = temp_dir("stream-state-first");
    let args = [
        "--model",
        model.to_str().expect("UTF-8"),
        "--transactions",
        early_path.to_str().expect("UTF-8"),
        "--state",
        state_arg,
        "--out",
        first.to_str().expect("UTF-8"),
    ];
    assert_ok(&run("stream", &args));
    assert!(state.exists());
    // … the second starts from it, with no model, and replays only the later orders.
    let second = temp_dir("stream-state-second");
    let args = [
        "--transactions",
        QUICKSTART,
        "--state",
        state_arg,
        "--out",
        second.to_str().expect("UTF-8"),
    ];
    let out = run("stream", &args);
    assert_ok(&out);
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(stderr.contains("already in the saved state"), "{stderr}");
    // The same tiers as a batch run of the model over every transaction.
    let batch = temp_dir("stream-state-batch");
    let args = [
        "--transactions",
        QUICKSTART,
        "--model",
        model.to_str().expect("UTF-8"),
        "--as-of",
        "2026-06-30",
        "--out",
        batch.to_str().expect("UTF-8"),
    ];
    assert_ok(&run("tier", &args));
    let read = |dir: &Path| std::fs::read_to_string(dir.join("tiers.csv")).expect("tiers.csv");
    assert_eq!(read(&second), read(&batch));
    for d in [fit, first, second, batch] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn migration_example_prints_both_matrices() {
    let out = run("migration", &[]);
    assert_ok(&out);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        stdout.starts_with("Quarter over quarter: 259 customers at 2026-03-31, 300 at 2026-06-30"),
        "{stdout}"
    );
    for needle in [
        "metal: rows Q1, columns Q2",
        "grade: rows Q1, columns Q2",
        "moved up: ",
        "new: 41, gone: 0",
    ] {
        assert!(stdout.contains(needle), "{needle} missing in\n{stdout}");
    }
}

#[test]
fn tier_summary_figures_add_up_and_quiet_silences_the_table() {
    let dir = temp_dir("summary");
    let out = run_tier(&dir, &["--quiet"]);
    assert_ok(&out);
    assert!(out.stdout.is_empty(), "--quiet prints no table");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        stderr.contains("warning: empty_score: f: score 3 is empty"),
        "{stderr}"
    );
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).expect(file);
    let summary: serde_json::Value = serde_json::from_str(&read("summary.json")).expect("JSON");
    let decimal = |v: &serde_json::Value| {
        v.as_str()
            .expect("a decimal string")
            .parse::<rust_decimal::Decimal>()
            .expect("decimal")
    };
    let tiers = read("tiers.csv");
    let total: rust_decimal::Decimal = tiers
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .nth(4)
                .expect("monetary")
                .parse::<rust_decimal::Decimal>()
                .expect("decimal")
        })
        .sum();
    assert_eq!(decimal(&summary["revenue_total"]), total);
    for (column, labels) in summary["labels"].as_object().expect("labels") {
        let labels = labels.as_object().expect("per label");
        let customers: u64 = labels
            .values()
            .map(|f| f["customers"].as_u64().expect("count"))
            .sum();
        assert_eq!(customers, 300, "{column}");
        let revenue: rust_decimal::Decimal = labels.values().map(|f| decimal(&f["revenue"])).sum();
        assert_eq!(revenue, total, "{column}");
        let share: rust_decimal::Decimal = labels.values().map(|f| decimal(&f["share"])).sum();
        assert!(
            (share - rust_decimal::Decimal::ONE).abs()
                <= rust_decimal::Decimal::new(5, 4) * rust_decimal::Decimal::from(labels.len()),
            "{column}: {share}"
        );
        let revenue_share: rust_decimal::Decimal = labels
            .values()
            .filter(|f| !f["revenue_share"].is_null())
            .map(|f| decimal(&f["revenue_share"]))
            .sum();
        assert!(
            (revenue_share - rust_decimal::Decimal::ONE).abs()
                <= rust_decimal::Decimal::new(5, 4) * rust_decimal::Decimal::from(labels.len()),
            "{column}: {revenue_share}"
        );
    }
    assert_eq!(summary["warnings"][0]["code"], "empty_score");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn json_lines_equal_the_csv_output() {
    let csv_dir = temp_dir("format-csv");
    assert_ok(&run_tier(
        &csv_dir,
        &[
            "--compare-as-of",
            "2026-03-31",
            "--preset",
            "four-dimension",
            "--quiet",
        ],
    ));
    let jsonl_dir = temp_dir("format-jsonl");
    assert_ok(&run_tier(
        &jsonl_dir,
        &[
            "--compare-as-of",
            "2026-03-31",
            "--preset",
            "four-dimension",
            "--quiet",
            "--format",
            "jsonl",
        ],
    ));
    assert!(!jsonl_dir.join("tiers.csv").exists() && !jsonl_dir.join("migration.csv").exists());
    for (csv_name, jsonl_name) in [
        ("tiers.csv", "tiers.jsonl"),
        ("migration.csv", "migration.jsonl"),
    ] {
        let csv = std::fs::read_to_string(csv_dir.join(csv_name)).expect(csv_name);
        let jsonl = std::fs::read_to_string(jsonl_dir.join(jsonl_name)).expect(jsonl_name);
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().expect("header").split(',').collect();
        let rows: Vec<&str> = lines.collect();
        let objects: Vec<&str> = jsonl.lines().collect();
        assert_eq!(rows.len(), objects.len(), "{jsonl_name}");
        for (row, object) in rows.iter().zip(objects) {
            let value: serde_json::Value = serde_json::from_str(object).expect("each line parses");
            let map = value.as_object().expect("an object");
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            let mut sorted_header = header.clone();
            sorted_header.sort_unstable();
            let mut sorted_keys = keys.clone();
            sorted_keys.sort_unstable();
            assert_eq!(sorted_keys, sorted_header, "{jsonl_name}");
            for (key, cell) in header.iter().zip(row.split(',')) {
                let as_text = match &map[*key] {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    other => panic!("unexpected {other}"),
                };
                assert_eq!(as_text, cell, "{jsonl_name} {key}");
            }
        }
    }
    for d in [csv_dir, jsonl_dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// The texts of an SVG, which must parse as XML.
#[cfg(feature = "charts")]
fn svg_texts(path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(path).expect("svg");
    let doc =
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

#[cfg(feature = "charts")]
#[test]
fn charts_parse_as_xml_and_carry_the_names_and_counts_of_the_summary() {
    let dir = temp_dir("charts");
    assert_ok(&run_tier(
        &dir,
        &[
            "--compare-as-of",
            "2026-03-31",
            "--quiet",
            "--lang",
            "zh-Hant",
        ],
    ));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("JSON");
    let pyramid = svg_texts(&dir.join("pyramid.svg"));
    for (metal, name) in [
        ("platinum", "白金顧客"),
        ("gold", "黃金顧客"),
        ("iron", "鐵顧客"),
        ("lead", "鉛顧客"),
    ] {
        assert!(pyramid.iter().any(|t| t == name), "{name} in {pyramid:?}");
        let figures = &summary["labels"]["metal"][metal];
        // Figures are grouped (`33,324.65`) and followed by their share (`（21.8%）`).
        let customers = figures["customers"].as_u64().expect("count").to_string();
        assert!(
            pyramid
                .iter()
                .any(|t| t.replace(',', "").starts_with(&format!("{customers}（"))),
            "{metal} {customers} in {pyramid:?}"
        );
        let revenue = figures["revenue"].as_str().expect("revenue");
        assert!(
            pyramid
                .iter()
                .any(|t| t.replace(',', "").starts_with(&format!("{revenue}（"))),
            "{metal} {revenue} in {pyramid:?}"
        );
    }
    let heatmap = svg_texts(&dir.join("rfm_heatmap.svg"));
    assert!(heatmap.iter().any(|t| t == "冠軍客戶"), "{heatmap:?}"); // champions
    assert!(heatmap.iter().any(|t| t == "R 5") && heatmap.iter().any(|t| t == "F 1"));
    let migration = svg_texts(&dir.join("migration.svg"));
    let csv = std::fs::read_to_string(dir.join("migration.csv")).expect("migration.csv");
    for line in csv.lines().filter(|l| l.starts_with("metal,")) {
        let count = line.split(',').nth(3).expect("customers");
        assert!(
            migration.iter().any(|t| t == count),
            "{count} in {migration:?}"
        );
    }
    let none = temp_dir("charts-none");
    assert_ok(&run_tier(&none, &["--no-charts", "--quiet"]));
    assert!(!none.join("pyramid.svg").exists() && !none.join("rfm_heatmap.svg").exists());
    for d in [dir, none] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[cfg(feature = "charts")]
#[test]
fn the_readme_pyramid_is_the_quickstart_runs() {
    let dir = temp_dir("readme-pyramid");
    assert_ok(&run_tier(&dir, &["--quiet"]));
    let made = std::fs::read_to_string(dir.join("pyramid.svg")).expect("pyramid.svg");
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/pyramid.svg"))
            .expect("docs/pyramid.svg");
    assert!(
        made == committed,
        "docs/pyramid.svg is stale: regenerate it as the README says"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bins_other_than_five_warn_that_the_segment_map_does_not_apply() {
    let dir = temp_dir("bins4");
    let out = run_tier(&dir, &["--bins", "4", "--quiet"]);
    assert_ok(&out);
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        stderr.lines().any(|l| l == "warning: segment_map_bins: the default segment map is written for k = 5; rfm_segment is left empty for k = 4"),
        "{stderr}"
    );
    let clean = temp_dir("bins5");
    let out = run_tier(&clean, &["--quiet"]);
    assert!(
        !String::from_utf8(out.stderr)
            .expect("UTF-8")
            .contains("segment_map_bins")
    );
    for d in [dir, clean] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn bench_prints_one_json_line_and_writes_the_tiers_csv_of_tier() {
    let dir = temp_dir("bench");
    let out = run(
        "bench",
        &[
            "--transactions",
            QUICKSTART,
            "--as-of",
            "2026-06-30",
            "--out",
            dir.to_str().expect("UTF-8"),
        ],
    );
    assert_ok(&out);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let line: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    // In this order on the line (serde_json::Value would sort them).
    let keys = [
        "ingest_ms",
        "fit_classify_ms",
        "warnings_ms",
        "summary_ms",
        "write_ms",
        "total_ms",
        "rows",
        "customers",
        "rows_per_second",
        "peak_memory_mib",
        "threads",
        "parallel",
    ];
    let at: Vec<Option<usize>> = keys
        .iter()
        .map(|k| stdout.find(&format!("\"{k}\":")))
        .collect();
    assert!(at.iter().all(Option::is_some) && at.is_sorted(), "{stdout}");
    assert_eq!(line.as_object().map(|o| o.len()), Some(keys.len()));
    for key in &keys[..6] {
        assert!(
            line[key].as_f64().is_some_and(|ms| ms >= 0.0),
            "{key}: {line}"
        );
    }
    assert_eq!(
        (line["rows"].as_u64(), line["customers"].as_u64()),
        (Some(2745), Some(300))
    );
    assert!(
        line["rows_per_second"].as_u64().is_some_and(|r| r > 0),
        "{line}"
    );
    assert!(line["threads"].as_u64().is_some_and(|t| t >= 1), "{line}");
    if cfg!(target_os = "linux") {
        assert!(
            line["peak_memory_mib"].as_f64().is_some_and(|m| m > 0.0),
            "{line}"
        );
    }
    let tier = temp_dir("bench-tier");
    assert_ok(&run_tier(&tier, &["--quiet", "--no-charts"]));
    let read = |dir: &Path| std::fs::read_to_string(dir.join("tiers.csv")).expect("tiers.csv");
    assert!(
        read(&dir) == read(&tier),
        "bench wrote another tiers.csv than tier"
    );
    for d in [dir, tier] {
        let _ = std::fs::remove_dir_all(d);
    }
}
