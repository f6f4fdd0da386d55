//! The example programs, run as a user runs them (rust-csv style).

use std::process::{Command, Output};

// The root package's lookup of an up-to-date example binary, which builds none during
// a whole `cargo test` (here: `cargo test -p customer-tiering-apps`).
#[path = "../../../../tests/integration/example_binary.rs"]
mod example_binary;
use example_binary::example;

fn run(name: &str, args: &[&str]) -> String {
    let out: Output = Command::new(example(name))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("example runs");
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn sqlite_source_prints_rejects_by_table_and_rowid_and_tiers() {
    let stdout = run("sqlite_source", &[]);
    for rowid in 401..=405 {
        assert!(
            stdout.contains(&format!(
                "rejected: shop.sqlite: table orders, row {rowid}, field "
            )),
            "rowid {rowid} missing in\n{stdout}"
        );
    }
    assert!(
        stdout.contains("405 rows read: 400 accepted, 5 rejected"),
        "{stdout}"
    );
    assert!(stdout.contains("rfm_segment: "), "{stdout}");
    assert!(stdout.contains("metal: "), "{stdout}");
}

#[test]
fn learned_grade_runs_in_a_pipeline_saves_and_loads_through_a_registry() {
    let stdout = run("learned_grade", &[]);
    let expect = [
        // the pipeline: metals, the learned grade, the rule set reading it
        "pipeline columns: metal, learned_grade, tier, tags\n",
        "\nlearned from 240 graded accounts: ",
        "agrees with ",
        // counts per column
        "graded accounts (240):\n",
        "  learned_grade: ",
        "           tier: ",
        "key_account ",
        // one explanation, every column of it
        "\n  learned_grade = A: monetary ",
        r#"  tier = key_account: rule 1 ("key account": learned_grade == "A" and metal != "lead"; learned_grade = A, metal = "#,
        // saved, loaded through a registry; the built-ins alone name the kind
        "\nsaved model.json (",
        "loaded through a registry that knows learned_grade: equal true\n",
        r#"Registry::builtin() alone: model.json: pipeline: saved model 2: unknown classifier kind "learned_grade""#,
        // the loaded pipeline on new customers
        "quickstart customers at 2026-06-30 (303):\n",
        "without a learned grade: ",
        "P0001 (never bought): learned_grade = ",
    ];
    for text in expect {
        assert!(stdout.contains(text), "{text:?} missing in\n{stdout}");
    }
}

#[test]
fn rfm_clusters_prints_clusters_by_monetary_seed_agreement_and_explanations() {
    let stdout = run("rfm_clusters", &[]);
    let expect = [
        "(1 = highest monetary centre):\n",
        "  cluster 1: ",
        "  cluster 4: ",
        "rfm_cluster: 1 ",
        "seed 7 labels ",
        "loaded through a registry that knows rfm_kmeans: equal true\n",
        "C0001: rfm_cluster = ",
    ];
    for text in expect {
        assert!(stdout.contains(text), "{text:?} missing in\n{stdout}");
    }
}

#[test]
fn gen_graded_accounts_writes_the_committed_fixture() {
    let dir = std::env::temp_dir().join(format!("ct-apps-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("graded_accounts.csv");
    run("gen_graded_accounts", &[path.to_str().expect("UTF-8 path")]);
    let made = std::fs::read(&path).unwrap();
    let committed = std::fs::read(customer_tiering_apps::learned_grade::accounts::FIXTURE).unwrap();
    assert!(
        made == committed,
        "the generator's output differs from the fixture"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
