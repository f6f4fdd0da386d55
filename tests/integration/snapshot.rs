//! Snapshots of a live tiering ([incremental
//! update](customer_tiering::definitions#incremental-update),
//! [determinism](customer_tiering::definitions#determinism), [output
//! safety](customer_tiering::definitions#output-safety)): the document's shape, that the
//! same state always saves the same bytes, that every bad snapshot is an error naming the
//! line and what is wrong, an application's own classifier kind through its registry, and
//! the atomic file write.

use std::io::{self, Write};

use customer_tiering::Registry;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::{
    Classifier, Column, ColumnLabels, Explanation, Label, Model, Reads, Unscored,
};
use customer_tiering::incremental::TieringState;
use customer_tiering::output::OutputDir;
use customer_tiering::{
    CustomerId, Error, Metric, PipelineBuilder, Population, PopulationBuilder, Profile, RuleSet,
    Transaction,
};
use jiff::civil::date;
use rust_decimal::dec;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::support::temp_dir;

fn id(text: &str) -> CustomerId {
    CustomerId::new(text).expect("a valid id")
}

/// The purchases of the small state: three customers, a profit, products, a refund.
fn transactions() -> Vec<Transaction> {
    vec![
        Transaction::new(id("C2"), date(2026, 3, 1), dec!(20.50)).with_product("P2"),
        Transaction::new(id("C1"), date(2026, 3, 1), dec!(10))
            .with_profit(dec!(2.50))
            .with_product("P1"),
        Transaction::new(id("C3"), date(2026, 2, 10), dec!(30.00)),
        Transaction::new(id("C2"), date(2026, 1, 5), dec!(-0.50)).with_product("P1"),
        Transaction::new(id("C3"), date(2026, 2, 10), dec!(-30)),
        Transaction::new(id("C3"), date(2026, 3, 2), dec!(40)),
    ]
}

/// Metals, then a rule set writing `tier` (none when no rule matches) and a tag.
fn state_of(rows: &[Transaction]) -> TieringState {
    let rules = RuleSet::from_toml_str(
        "t.toml",
        r#"
            name = "t"
            tiers = ["top"]
            unmatched = "unscored"
            [[rules]]
            when = 'metal >= "gold"'
            tier = "top"
            [[rules]]
            when = 'monetary > 15'
            tag = "big"
        "#,
    )
    .expect("a valid rule set");
    let pipeline = PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .rules(rules)
        .build()
        .expect("valid settings");
    let mut history = PopulationBuilder::new(date(2026, 3, 31));
    for tx in rows {
        history.add(tx.clone()).expect("no overflow");
    }
    let fitted = pipeline
        .fit(&history.clone().finish().expect("no overflow"))
        .expect("fits");
    TieringState::new(fitted, history).expect("a state")
}

fn saved(state: &TieringState) -> String {
    let mut out = Vec::new();
    state.snapshot("state.jsonl", &mut out).expect("writes");
    String::from_utf8(out).expect("UTF-8")
}

fn restore(text: &str) -> Result<TieringState, Error> {
    TieringState::restore("state.jsonl", text.as_bytes(), &Registry::builtin())
}

#[test]
fn a_snapshot_is_a_header_then_one_exact_line_per_customer_in_id_order() {
    let state = state_of(&transactions());
    let text = saved(&state);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(text.ends_with('\n'));
    let header: Value = serde_json::from_str(lines[0]).expect("JSON");
    let keys: Vec<&String> = header.as_object().expect("an object").keys().collect();
    let mut expected = [
        "format",
        "version",
        "as_of",
        "window_days",
        "customers",
        "columns",
        "pipeline",
    ];
    expected.sort_unstable(); // serde_json's map sorts its keys
    assert_eq!(keys, expected);
    assert!(
        lines[0].starts_with(
            r#"{"format":"customer-tiering-state","version":1,"as_of":"2026-03-31","window_days":365,"customers":3,"columns":["metal","tier","tags"],"pipeline":{"#
        ),
        "{}",
        lines[0]
    );
    assert_eq!(
        header["pipeline"],
        serde_json::from_str::<Value>(&state.fitted().to_json().expect("JSON")).expect("JSON")
    );
    // Metals on three buyers: C3 alone is platinum (and top), nobody gold or iron.
    // C3's purchase and refund of 2026-02-10 sum to a zero that keeps its scale.
    assert_eq!(
        &lines[1..],
        [
            r#"{"id":"C1","days":[["2026-03-01","10"]],"transactions":1,"profit":"2.50","products":["P1"],"labels":["lead",{"unscored":"no_rule_matched"},""]}"#,
            r#"{"id":"C2","days":[["2026-01-05","-0.50"],["2026-03-01","20.50"]],"transactions":2,"products":["P1","P2"],"labels":["lead",{"unscored":"no_rule_matched"},"big"]}"#,
            r#"{"id":"C3","days":[["2026-02-10","0.00"],["2026-03-02","40"]],"transactions":3,"labels":["platinum","top","big"]}"#,
        ]
    );
}

#[test]
fn the_same_state_saves_the_same_bytes_whatever_the_order_it_was_built_in() {
    let rows = transactions();
    let whole = state_of(&rows);
    // The same purchases: reversed, and half of them added live.
    let mut reversed = rows.clone();
    reversed.reverse();
    let (fit_part, live_part) = reversed.split_at(3);
    let mut live = TieringState::new(
        whole.fitted().clone(),
        fit_part
            .iter()
            .fold(PopulationBuilder::new(date(2026, 3, 31)), |mut b, tx| {
                b.add(tx.clone()).expect("no overflow");
                b
            }),
    )
    .expect("a state");
    for tx in live_part {
        live.add(tx.clone()).expect("adds");
    }
    assert_eq!(saved(&live), saved(&whole));
    let restored = restore(&saved(&whole)).expect("restores");
    assert_eq!(saved(&restored), saved(&whole));
}

#[test]
fn labels_carry_their_column_names_and_a_restored_state_shows_the_same() {
    let state = state_of(&transactions());
    assert_eq!(state.columns(), ["metal", "tier", "tags"]);
    let c1 = state.labels(&id("C1")).expect("a customer");
    assert_eq!(c1.to_string(), "metal=lead tier=(unscored) tags=(none)");
    assert_eq!(
        c1.get("tier"),
        Some(&Label::Unscored(Unscored::NoRuleMatched))
    );
    assert_eq!(c1["tags"], Label::Name("".into()));
    let pairs: Vec<&str> = c1.iter().map(|(column, _)| column).collect();
    assert_eq!(pairs, ["metal", "tier", "tags"]);
    let restored = restore(&saved(&state)).expect("restores");
    for customer in ["C1", "C2", "C3"] {
        assert_eq!(restored.labels(&id(customer)), state.labels(&id(customer)));
    }
}

/// The snapshot of [`state_of`] with `edit` applied to line `line` (1-based) as JSON.
fn edited(line: usize, edit: impl FnOnce(&mut Value)) -> String {
    let text = saved(&state_of(&transactions()));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut value: Value = serde_json::from_str(&lines[line - 1]).expect("JSON");
    edit(&mut value);
    lines[line - 1] = value.to_string();
    lines.join("\n") + "\n"
}

#[test]
fn a_bad_snapshot_is_an_error_naming_the_line_and_what_is_wrong() {
    let good = saved(&state_of(&transactions()));
    let lines: Vec<&str> = good.lines().collect();
    let without_line = |n: usize| -> String {
        let mut kept = lines.clone();
        kept.remove(n - 1);
        kept.join("\n") + "\n"
    };
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "line 1: empty: no header line"),
        (
            "{}\n".into(),
            "line 1: not a tiering state snapshot: no \"format\"",
        ),
        (
            "not json\n".into(),
            "line 1: header: column 2: expected ident",
        ),
        (
            edited(1, |h| h["format"] = json!("tiers")),
            r#"line 1: not a tiering state snapshot: its format is "tiers", not "customer-tiering-state""#,
        ),
        (
            edited(1, |h| h["version"] = json!(2)),
            "line 1: the snapshot has version 2; this version of the crate reads version 1",
        ),
        (
            edited(1, |h| h["extra"] = json!(1)),
            "line 1: header: unknown field `extra`",
        ),
        (
            edited(1, |h| h["window_days"] = json!(0)),
            "line 1: header: window_days must be at least 1",
        ),
        (
            edited(1, |h| h["as_of"] = json!("2026-02-30")),
            "line 1: header: ",
        ),
        (
            edited(1, |h| h["columns"] = json!(["metal", "tier"])),
            r#"line 1: columns ["metal", "tier"] are not the pipeline's columns ["metal", "tier", "tags"]"#,
        ),
        (
            edited(1, |h| h["pipeline"]["models"][0]["kind"] = json!("churn")),
            r#"line 1: pipeline: saved model 1: unknown classifier kind "churn""#,
        ),
        (
            edited(1, |h| {
                h["pipeline"]["models"][0]["thresholds"] = json!(["1"])
            }),
            "line 1: pipeline: saved model 1: ",
        ),
        (
            edited(1, |h| h["customers"] = json!(4)),
            "line 5: the snapshot ends after 3 of the 4 customers its header announces",
        ),
        (
            edited(1, |h| h["customers"] = json!(2)),
            "line 4: a line after the 2 customers the header announces",
        ),
        (
            without_line(2),
            "line 4: the snapshot ends after 2 of the 3 customers",
        ),
        (
            format!("{}\n{}\n\n{}\n", lines[0], lines[1], lines[2]),
            "line 3: a blank line where a customer goes",
        ),
        (
            format!("{}\n{}\n{}\n{}\n", lines[0], lines[2], lines[1], lines[3]),
            r#"line 3: customer "C1": out of order: customers come once each, in id byte order, and "C2" came before"#,
        ),
        (
            format!("{}\n{}\n{}\n{}\n", lines[0], lines[1], lines[1], lines[3]),
            r#"line 3: customer "C1": twice"#,
        ),
        (
            edited(2, |c| c["id"] = json!(" C1")),
            r#"line 2: id " C1": ASCII whitespace around an id"#,
        ),
        (edited(2, |c| c["id"] = json!("")), r#"line 2: id "": "#),
        (
            edited(2, |c| c["id"] = json!("x".repeat(300))),
            "line 2: id \"xxxxxxxx",
        ),
        (
            edited(2, |c| c["days"] = json!([])),
            r#"line 2: customer "C1": days: none"#,
        ),
        (
            edited(2, |c| c["days"][0][0] = json!("2026-02-30")),
            r#"line 2: customer "C1": days[0]: "2026-02-30": no such calendar day"#,
        ),
        (
            edited(2, |c| c["days"][0][0] = json!("2026-04-01")),
            r#"line 2: customer "C1": days[0]: 2026-04-01 is after the as-of date"#,
        ),
        (
            edited(3, |c| c["days"][1][0] = json!("2026-01-05")),
            r#"line 3: customer "C2": days[1]: 2026-01-05 does not come after the day before"#,
        ),
        (
            edited(2, |c| c["days"][0][1] = json!("1e1")),
            r#"line 2: customer "C1": days[0]: "1e1" is not an exact decimal"#,
        ),
        (
            edited(2, |c| c["days"][0][1] = json!("+10")),
            r#"line 2: customer "C1": days[0]: "+10" is not a decimal as a snapshot writes it"#,
        ),
        (
            edited(2, |c| c["days"][0][1] = json!(10)),
            "line 2: column ",
        ),
        (
            edited(2, |c| c["transactions"] = json!(0)),
            r#"line 2: customer "C1": transactions: 0 is fewer than its 1 purchase days"#,
        ),
        (
            edited(2, |c| c["profit"] = json!("2,50")),
            r#"line 2: customer "C1": profit: "2,50" is not an exact decimal"#,
        ),
        (
            edited(3, |c| c["products"] = json!(["P2", "P1"])),
            r#"line 3: customer "C2": products[1]: "P1" does not come after "P2""#,
        ),
        (
            edited(2, |c| c["labels"] = json!(["gold", "top"])),
            r#"line 2: customer "C1": labels: 2 labels for 3 columns"#,
        ),
        (
            edited(2, |c| c["labels"][0] = json!("bronze")),
            r#"line 2: customer "C1": labels[0] (metal): "bronze" is not one of its labels (platinum, gold, iron, lead)"#,
        ),
        (
            edited(2, |c| c["labels"][1] = json!(3)),
            r#"line 2: customer "C1": labels[1] (tier): score 3 is not one of its labels (top)"#,
        ),
        (
            edited(2, |c| c["labels"][2] = json!({"unscored": "no_purchases"})),
            r#"line 2: customer "C1": labels[2] (tags): no label where the tags (a text) go"#,
        ),
        (
            edited(2, |c| c["labels"][0] = json!({"unscored": "why"})),
            "line 2: column ",
        ),
        (
            edited(2, |c| c["colour"] = json!("red")),
            "line 2: column 9: unknown field `colour`",
        ),
    ];
    let mut wrong = Vec::new();
    for (text, expected) in cases {
        let wanted = format!("state.jsonl: {expected}");
        match restore(&text) {
            Ok(_) => wrong.push(format!("restored a bad snapshot expecting {wanted:?}")),
            Err(err @ Error::Snapshot { .. }) if err.to_string().starts_with(&wanted) => {}
            Err(err) => wrong.push(format!("expected {wanted:?}\n     got {err:?}: {err}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Not UTF-8, and no line end at the end: errors too, never a panic.
    let mut bytes = good.clone().into_bytes();
    bytes.extend_from_slice(b"{\"id\":\"\xff\"}");
    assert!(TieringState::restore("state.jsonl", bytes.as_slice(), &Registry::builtin()).is_err());
    // Any reason for no label, and no line end at the very end, are fine.
    let relaxed = edited(2, |c| {
        c["labels"][0] = json!({"unscored": {"other": "on hold"}})
    });
    let restored = restore(relaxed.trim_end()).expect("restores");
    let c1 = restored.labels(&id("C1")).expect("a customer");
    assert_eq!(c1["metal"], Label::Unscored(Unscored::other("on hold")));
}

#[test]
fn restored_labels_are_the_saved_ones_and_the_next_change_starts_from_them() {
    // A snapshot says C1 (who spent 10: lead) is iron, say a state left so by an error
    // on the way: the next order's change reports the move from iron, as the saved
    // state would have.
    let text = edited(2, |c| c["labels"][0] = json!("iron"));
    let mut state = restore(&text).expect("restores");
    assert_eq!(
        state.labels(&id("C1")).expect("C1")["metal"].to_string(),
        "iron"
    );
    let changes = state
        .add(Transaction::new(id("C1"), date(2026, 3, 31), dec!(0.01)))
        .expect("adds");
    let moved: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(moved, ["C1 metal iron -> lead on 2026-03-31"]);
}

/// A failing writer: an error from the disk is an I/O error naming the snapshot.
struct Full(usize);

impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.0 < buf.len() {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        }
        self.0 -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failed_write_is_an_io_error_naming_the_snapshot() {
    let state = state_of(&transactions());
    let err = state.snapshot("state.jsonl", Full(10)).unwrap_err();
    assert!(matches!(&err, Error::Io { path, .. } if path.to_str() == Some("state.jsonl")));
    assert_eq!(err.to_string(), "state.jsonl: disk full");
}

#[test]
fn snapshot_to_path_replaces_the_file_whole_or_not_at_all() {
    let dir = temp_dir("snapshot-path");
    let path = dir.join("state.jsonl");
    let mut state = state_of(&transactions());
    state.snapshot_to_path(&path).expect("writes");
    let first = std::fs::read_to_string(&path).expect("written");
    assert_eq!(first, saved(&state));

    // While another writer holds the directory, nothing changes.
    state
        .add(Transaction::new(id("C9"), date(2026, 3, 31), dec!(5)))
        .expect("adds");
    let held = OutputDir::open(&dir).expect("locks");
    let err = state.snapshot_to_path(&path).unwrap_err();
    assert!(matches!(err, Error::Locked { .. }), "{err}");
    drop(held);
    assert_eq!(std::fs::read_to_string(&path).expect("still there"), first);

    state.snapshot_to_path(&path).expect("writes");
    let second = std::fs::read_to_string(&path).expect("written");
    assert_eq!(second, saved(&state));
    let restored = TieringState::restore_from_path(&path, &Registry::builtin()).expect("restores");
    assert_eq!(restored.len(), 4);

    // A directory where the file goes: an error, and no temporary file left.
    let err = state.snapshot_to_path(&dir).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tier-tmp-"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
    let _ = std::fs::remove_dir_all(dir);
}

// ---- an application's own classifier ----

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ChurnRisk {
    days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ChurnModel {
    params: ChurnRisk,
    fit_size: usize,
}

impl Classifier for ChurnRisk {
    type Model = ChurnModel;
    const KIND: &'static str = "churn_risk";

    fn columns(&self) -> Vec<Column> {
        let labels = ColumnLabels::ordered(vec!["safe".into(), "at_risk".into()]);
        vec![Column::new("churn", labels)]
    }

    fn reads(&self) -> Reads {
        Reads::metrics([Metric::RecencyDays])
    }

    fn fit(&self, population: &Population) -> Result<ChurnModel, Error> {
        Ok(ChurnModel {
            params: self.clone(),
            fit_size: population.buyers().count(),
        })
    }
}

impl Model for ChurnModel {
    type Params = ChurnRisk;

    fn params(&self) -> &ChurnRisk {
        &self.params
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(match profile.recency_days {
            Some(days) if days > self.params.days => Label::Name("at_risk".into()),
            Some(_) => Label::Name("safe".into()),
            None => Label::Unscored(Unscored::NoPurchases),
        });
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let mut label = Vec::new();
        self.classify_into(profile, &mut label);
        let why = format!("recency_days {:?}", profile.recency_days);
        vec![Explanation::text("churn", label.remove(0), why)]
    }
}

#[test]
fn a_pipeline_of_the_applications_own_kind_restores_through_its_registry() {
    let mut history = PopulationBuilder::new(date(2026, 3, 31));
    for tx in transactions() {
        history.add(tx).expect("no overflow");
    }
    let pipeline = PipelineBuilder::new()
        .classifier(ChurnRisk { days: 40 })
        .classifier(ParetoParams::metals())
        .build()
        .expect("valid settings");
    let fitted = pipeline
        .fit(&history.clone().finish().expect("no overflow"))
        .expect("fits");
    let mut state = TieringState::new(fitted, history).expect("a state");
    let text = saved(&state);
    assert!(text.contains(r#""kind":"churn_risk""#), "{text}");
    assert!(text.contains(r#"{"id":"C2","days":[["2026-01-05","-0.50"],["2026-03-01","20.50"]],"transactions":2,"products":["P1","P2"],"labels":["safe","#));

    let err = restore(&text).unwrap_err();
    assert!(
        err.to_string().starts_with(
            r#"state.jsonl: line 1: pipeline: saved model 1: unknown classifier kind "churn_risk""#
        ),
        "{err}"
    );
    let registry = Registry::builtin()
        .register::<ChurnRisk>()
        .expect("a new kind");
    let mut restored =
        TieringState::restore("state.jsonl", text.as_bytes(), &registry).expect("restores");
    assert_eq!(saved(&restored), text);
    let later = date(2026, 4, 20);
    assert_eq!(
        restored.advance_to(later).expect("advances"),
        state.advance_to(later).expect("advances")
    );
    assert_eq!(
        restored.labels(&id("C1")).expect("C1").to_string(),
        "churn=at_risk metal=lead"
    );
    assert_eq!(
        restored.tiering().expect("labels"),
        state.tiering().expect("labels")
    );
}
