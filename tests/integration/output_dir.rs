//! `OutputDir` ([output safety](customer_tiering::definitions#output-safety)) as an
//! application uses it: a run streamed and committed whose `summary.json` lists exactly the
//! files it leaves, and a run killed with SIGKILL in another process while it holds the
//! directory.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use customer_tiering::output::{
    OutputDir, TEMP_PREFIX, TIER_FILES, write_tiers_csv, write_tiers_jsonl,
};
use customer_tiering::{Error, Population, Tiering};

use crate::support::{full_pipeline, population_of, seeded_rows};

/// Set for the child process of the kill test: the directory it writes into.
const CHILD_DIR: &str = "CT_OUTPUT_DIR_CHILD";
/// Set for the child process: the file it creates once it is mid-write.
const CHILD_READY: &str = "CT_OUTPUT_DIR_CHILD_READY";

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "customer-tiering-output-dir-{tag}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Every regular file but the lock and the temporaries, with its bytes.
fn final_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().expect("type").is_file())
        .map(|e| (e.file_name().into_string().expect("UTF-8"), e.path()))
        .filter(|(name, _)| name != ".tier.lock" && !name.starts_with(TEMP_PREFIX))
        .map(|(name, path)| (name, fs::read(path).expect("readable")))
        .collect()
}

fn temporaries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
        .filter(|n| n.starts_with(TEMP_PREFIX))
        .collect()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One run the way `tier` writes: tiers streamed, the model whole, `summary.json` last
/// with the run's `files`.
fn tier_like_run(
    dir: &Path,
    population: &Population,
    tiering: &Tiering,
    model: &str,
    jsonl: bool,
) -> Result<(), Error> {
    let mut out = OutputDir::open(dir)?;
    let name = if jsonl { "tiers.jsonl" } else { "tiers.csv" };
    let file = out.create(name)?;
    let what = file.path().display().to_string();
    if jsonl {
        write_tiers_jsonl(&what, population, tiering, file)?;
    } else {
        write_tiers_csv(&what, population, tiering, file)?;
    }
    out.write("model.json", model.as_bytes())?;
    let files = out.file_names("summary.json");
    let summary = serde_json::json!({ "customers": population.len(), "files": files });
    let path = dir.join("summary.json");
    let summary = serde_json::to_vec_pretty(&summary).map_err(|e| io(&path)(e.into()))?;
    out.write("summary.json", &summary)?;
    out.commit("summary.json", &TIER_FILES)?;
    Ok(())
}

/// The managed files in `dir`, sorted.
fn managed_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = final_files(dir)
        .into_keys()
        .filter(|n| TIER_FILES.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

fn listed_files(dir: &Path) -> Vec<String> {
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("summary.json")).expect("summary.json"))
            .expect("JSON");
    let mut names: Vec<String> = summary["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|v| v.as_str().expect("a name").to_string())
        .collect();
    assert_eq!(names.last().map(String::as_str), Some("summary.json"));
    names.sort();
    names
}

#[test]
fn summary_lists_exactly_the_managed_files_a_run_leaves() {
    let dir = temp_dir("listed");
    let population = population_of(&seeded_rows(7, 0, 300));
    let (fitted, tiering) = full_pipeline(5, Default::default())
        .run(&population)
        .expect("fit");
    let model = fitted.to_json().expect("model");
    // Files of an earlier run with a comparison, and one that is nobody's.
    for name in [
        "migration.csv",
        "migration.json",
        "previous_tiers.csv",
        "rejects.csv",
    ] {
        fs::write(dir.join(name), "earlier\n").expect("write");
    }
    fs::write(dir.join("notes.txt"), "mine\n").expect("write");

    tier_like_run(&dir, &population, &tiering, &model, false).expect("run");
    assert_eq!(managed_in(&dir), listed_files(&dir));
    assert_eq!(
        managed_in(&dir),
        ["model.json", "summary.json", "tiers.csv"]
    );
    let tiers = fs::read_to_string(dir.join("tiers.csv")).expect("tiers.csv");
    assert_eq!(tiers.lines().count(), population.len() + 1);

    tier_like_run(&dir, &population, &tiering, &model, true).expect("run");
    assert_eq!(managed_in(&dir), listed_files(&dir));
    assert_eq!(
        managed_in(&dir),
        ["model.json", "summary.json", "tiers.jsonl"]
    );
    assert_eq!(
        fs::read_to_string(dir.join("notes.txt")).expect("kept"),
        "mine\n"
    );
    assert!(temporaries(&dir).is_empty());
    fs::remove_dir_all(&dir).expect("clean up");
}

/// Kills the child on the way out, so that a failing test leaves no process behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_killed_run_leaves_the_previous_files_and_the_next_run_cleans_up() {
    let dir = temp_dir("killed");
    let ready = dir.with_extension("ready");
    let _ = fs::remove_file(&ready);
    let mut out = OutputDir::open(&dir).expect("open");
    out.write("tiers.csv", b"customer_id,metal\nC1,gold\n")
        .expect("write");
    out.write("model.json", b"{\"previous\":true}\n")
        .expect("write");
    out.write(
        "summary.json",
        b"{\"files\":[\"tiers.csv\",\"model.json\",\"summary.json\"]}\n",
    )
    .expect("write");
    out.commit("summary.json", &TIER_FILES).expect("commit");
    let before = final_files(&dir);

    let child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "output_dir::child_writes_until_killed",
            "--exact",
            "--ignored",
        ])
        .env(CHILD_DIR, &dir)
        .env(CHILD_READY, &ready)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("child starts");
    let mut child = KillOnDrop(child);
    let start = Instant::now();
    while !ready.exists() {
        if let Some(status) = child.0.try_wait().expect("child status") {
            panic!("the child ended before it was killed: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the child never got going"
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    // Another process holds the directory: refused at once.
    let err = OutputDir::open(&dir).expect_err("locked by the child");
    assert!(
        matches!(&err, Error::Locked { dir: d, .. } if *d == dir),
        "{err}"
    );

    child.0.kill().expect("SIGKILL");
    child.0.wait().expect("reaped");
    // What `kill -9` leaves: the previous files byte for byte, beside its temporaries.
    assert_eq!(final_files(&dir), before);
    assert!(!temporaries(&dir).is_empty(), "the child wrote nothing");

    // The kernel released the dead run's lock; the next run removes its temporaries.
    let next = OutputDir::open(&dir).expect("the lock died with the child");
    assert!(temporaries(&dir).is_empty());
    next.abort().expect("abort");
    assert_eq!(final_files(&dir), before);
    fs::remove_dir_all(&dir).expect("clean up");
    let _ = fs::remove_file(&ready);
}

/// The child of the kill test: writes a run into the directory it is given, says when
/// it is mid-write, and goes on writing until killed (a minute at most). Does nothing
/// when run on its own.
#[test]
#[ignore = "the child process of a_killed_run_leaves_the_previous_files_and_the_next_run_cleans_up"]
fn child_writes_until_killed() {
    let (Some(dir), Some(ready)) = (std::env::var_os(CHILD_DIR), std::env::var_os(CHILD_READY))
    else {
        return;
    };
    let mut out = OutputDir::open(&dir).expect("open");
    out.write("summary.json", b"{\"killed\":true}\n")
        .expect("write");
    out.write("model.json", b"{\"killed\":true}\n")
        .expect("write");
    let tiers = out.create("tiers.csv").expect("create");
    for id in 0..100_000 {
        writeln!(tiers, "C{id:07},platinum").expect("write");
    }
    tiers.flush().expect("flush");
    fs::write(ready, "").expect("ready");
    let start = Instant::now();
    let mut id = 100_000;
    while start.elapsed() < Duration::from_secs(60) {
        writeln!(tiers, "C{id:07},platinum").expect("write");
        id += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
}
