//! [`OutputDir`]: a run's output directory written all or nothing, one run at a time, with
//! no stale files ([output safety](crate::definitions#output-safety)). Re-exported from
//! [`crate::output`], where its docs say what it guarantees.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::early_sync::EarlySync;
use crate::error::Error;

/// The files `tier` manages in its output directory ([CLI
/// files](crate::definitions#cli-files-and-exit-codes)): a successful run removes those of
/// them it did not write. Pass it to [`OutputDir::commit`].
///
/// # Example
/// ```
/// use customer_tiering::output::TIER_FILES;
/// assert_eq!(TIER_FILES[..4], ["tiers.csv", "summary.json", "rejects.csv", "model.json"]);
/// assert!(TIER_FILES.contains(&"migration.jsonl"));
/// ```
pub const TIER_FILES: [&str; 15] = [
    "tiers.csv",
    "summary.json",
    "rejects.csv",
    "model.json",
    "previous_tiers.csv",
    "migration.csv",
    "migration.json",
    "tiers.jsonl",
    "migration.jsonl",
    "pyramid.svg",
    "rfm_heatmap.svg",
    "migration.svg",
    "management.csv",
    "report.html",
    "tiers.xlsx",
];

/// The lock file in an output directory: a run holds an exclusive advisory lock on it
/// ([output safety](crate::definitions#output-safety)). It stays after the run, empty and
/// harmless.
///
/// # Example
/// ```
/// use customer_tiering::output::{OutputDir, LOCK_FILE};
/// let path = std::env::temp_dir().join(format!("ct-doc-lock-file-{}", std::process::id()));
/// let out = OutputDir::open(&path)?;
/// assert!(path.join(LOCK_FILE).is_file());
/// # out.abort()?;
/// # std::fs::remove_dir_all(&path).unwrap();
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub const LOCK_FILE: &str = ".tier.lock";

/// How the names of temporary files begin ([output
/// safety](crate::definitions#output-safety)). The run that next holds the lock removes
/// every regular file whose name starts with it.
///
/// # Example
/// ```
/// use customer_tiering::output::{OutputDir, TEMP_PREFIX};
/// let path = std::env::temp_dir().join(format!("ct-doc-temp-prefix-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&path);
/// std::fs::create_dir_all(&path).unwrap();
/// std::fs::write(path.join(format!("{TEMP_PREFIX}42-1-tiers.csv")), "C1,pla").unwrap(); // a killed run's
/// let out = OutputDir::open(&path)?;
/// assert_eq!(std::fs::read_dir(&path).unwrap().count(), 1); // only the lock file is left
/// # out.abort()?;
/// # std::fs::remove_dir_all(&path).unwrap();
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub const TEMP_PREFIX: &str = ".tier-tmp-";

/// Large enough that a streamed `tiers.csv` costs few system calls.
const BUFFER: usize = 64 * 1024;

/// Numbers temporary names across the process, so that no two runs of one process
/// (same pid) ever share one, even one that discards while the next has begun.
static TEMP_COUNT: AtomicU64 = AtomicU64::new(1);

/// An output directory held by one run: files are written under temporary names and put in
/// place all together by [`commit`](OutputDir::commit), under an exclusive lock, and the
/// managed files the run did not produce are removed ([output
/// safety](crate::definitions#output-safety)).
///
/// [`OutputDir::open`] takes an exclusive advisory lock on `DIR/.tier.lock` (a second
/// run fails at once with [`Error::Locked`]) and removes the temporary files a killed
/// run left. Every file is then written under a temporary name in the same directory
/// (`.tier-tmp-…`); nothing under a final name changes until the commit:
///
/// 1. flush and fsync every file: a full disk fails here at the latest, before any
///    final name is touched;
/// 2. check that no directory stands where a file is to land;
/// 3. remove the previous index (`summary.json`) and fsync the directory;
/// 4. rename every other file into place, in the order created, and fsync the directory;
/// 5. rename the index into place: the commit point;
/// 6. remove the managed files (for `tier`, [`TIER_FILES`]) this run did not produce,
///    fsync the directory, release the lock.
///
/// A large file (`tiers.csv` of many customers) is also flushed to disk while it is
/// being written, every few megabytes, by a background thread: the fsync of step 1 then
/// waits only for the last part, and for any error of the earlier flushes.
///
/// Dropping an `OutputDir` uncommitted (an error, a panic) or [aborting](OutputDir::abort)
/// removes this run's temporary files and leaves every final name as it was, byte for
/// byte. A run killed before step 3 does the same, except that its temporary files stay
/// until the next run that holds the lock.
///
/// **What a reader can rely on.** If the index exists, every file it lists (`tier`'s
/// `summary.json` lists [`OutputDir::file_names`]) was written by the index's own run.
/// That is why the previous index goes before the first rename and stale files go after
/// the new index: a run killed or failing during steps 3-5 leaves *no* index beside a
/// mix of new and previous files — visibly incomplete — rather than a previous index
/// over new data; a run stopped during step 6 leaves a complete, current set plus stale
/// files its index does not list, which the next successful run removes.
///
/// **Limits.** Several renames cannot be one atomic step: `kill -9` or a power loss
/// inside steps 3-5 (microseconds, against the minutes of writing) loses the previous
/// set without completing the new one; the next successful run repairs it. The lock is
/// advisory (`flock` on Unix): it keeps out runs that use it, not other writers. The
/// lock file is never removed, since removing a lock file races with a run that has
/// just opened it.
///
/// # Example
/// ```
/// use customer_tiering::output::{OutputDir, TIER_FILES};
/// use std::io::Write;
/// let path = std::env::temp_dir().join(format!("ct-doc-output-dir-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&path);
/// let mut out = OutputDir::open(&path)?;
/// let tiers = out.create("tiers.csv")?; // streamed: a large file never sits in memory
/// writeln!(tiers, "customer_id,metal")?;
/// writeln!(tiers, "C1,platinum")?;
/// out.write("model.json", b"{}\n")?;
/// let files = out.file_names("summary.json");
/// assert_eq!(files, ["tiers.csv", "model.json", "summary.json"]);
/// out.write("summary.json", format!("{{\"files\":{files:?}}}\n").as_bytes())?;
/// assert!(!path.join("tiers.csv").exists()); // nothing in place before the commit
/// out.commit("summary.json", &TIER_FILES)?;
/// assert_eq!(std::fs::read_to_string(path.join("tiers.csv"))?, "customer_id,metal\nC1,platinum\n");
///
/// let mut out = OutputDir::open(&path)?;
/// out.write("summary.json", b"{\"run\":2}\n")?;
/// drop(out); // a failed run: no commit
/// assert_eq!(std::fs::read_to_string(path.join("summary.json"))?, r#"{"files":["tiers.csv", "model.json", "summary.json"]}"#.to_owned() + "\n");
/// # std::fs::remove_dir_all(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    /// Files not yet renamed into place, in the order created.
    files: Vec<OutputFile>,
    faults: Faults,
    /// Holds the advisory lock on [`LOCK_FILE`] for as long as it is open.
    lock: File,
}

/// A file being written in an [`OutputDir`]: a buffered writer onto its temporary file.
///
/// After a failed write it refuses every later write, flush and commit, so that an
/// error swallowed on the way (a `BufWriter` or `csv::Writer` flushing on drop) cannot
/// put a file with a hole in place.
///
/// # Example
/// ```
/// use customer_tiering::output::OutputDir;
/// let path = std::env::temp_dir().join(format!("ct-doc-output-file-{}", std::process::id()));
/// let mut out = OutputDir::open(&path)?;
/// let file = out.create("rejects.csv")?;
/// let mut rejects = csv::Writer::from_writer(file);
/// rejects.write_record(["source", "line", "field", "value", "reason"]).unwrap();
/// rejects.flush().unwrap();
/// # drop(rejects);
/// # out.abort()?;
/// # std::fs::remove_dir_all(&path).unwrap();
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug)]
pub struct OutputFile {
    name: String,
    path: PathBuf,
    temp: PathBuf,
    writer: BufWriter<Disk>,
    /// The first write error, kept because `io::Error` cannot be cloned.
    failed: Option<(io::ErrorKind, String)>,
}

/// What a commit did: the files renamed into place, in order (the index last), and the
/// managed files removed as stale.
///
/// # Example
/// ```
/// use customer_tiering::output::{Committed, OutputDir, TIER_FILES};
/// let path = std::env::temp_dir().join(format!("ct-doc-committed-{}", std::process::id()));
/// # let _ = std::fs::remove_dir_all(&path);
/// let mut out = OutputDir::open(&path)?;
/// out.write("migration.csv", b"classifier,from,to\n")?;
/// out.write("summary.json", b"{}\n")?;
/// out.commit("summary.json", &TIER_FILES)?;
///
/// let mut out = OutputDir::open(&path)?; // a run without a comparison
/// out.write("summary.json", b"{}\n")?;
/// let committed = out.commit("summary.json", &TIER_FILES)?;
/// assert_eq!(committed, Committed { written: vec!["summary.json".into()], removed: vec!["migration.csv".into()] });
/// # std::fs::remove_dir_all(&path).unwrap();
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    /// The files renamed into place, in the order renamed.
    pub written: Vec<String>,
    /// The managed files this run did not produce, removed.
    pub removed: Vec<String>,
}

impl OutputDir {
    /// Opens `path` for one run: creates it if needed, locks it without waiting, and
    /// removes the temporary files (regular files named `.tier-tmp-…`) left by killed
    /// runs. A lock file that nobody holds, left by a killed run, is simply locked again.
    ///
    /// The lock is an advisory `flock` (Windows: `LockFileEx`) on [`LOCK_FILE`], held by
    /// this open file: a second `open` of the same directory fails even in the same
    /// process, and the operating system releases it when the process dies however it
    /// dies.
    ///
    /// # Errors
    /// [`Error::Locked`] when another run holds the directory (nothing is touched);
    /// [`Error::Io`] naming the directory, the lock file or a leftover that cannot be
    /// created, locked or removed.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// use customer_tiering::Error;
    /// let path = std::env::temp_dir().join(format!("ct-doc-open-{}", std::process::id()));
    /// let first = OutputDir::open(&path)?;
    /// let second = OutputDir::open(&path).unwrap_err();
    /// assert!(matches!(&second, Error::Locked { dir, .. } if *dir == path));
    /// assert!(second.to_string().ends_with("another run is writing to this output directory (it holds .tier.lock)"));
    /// drop(first); // releases the lock
    /// let again = OutputDir::open(&path)?;
    /// # again.abort()?;
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<OutputDir, Error> {
        let dir = path.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(io_at(&dir))?;
        let lock_path = dir.join(LOCK_FILE);
        // No truncation: the file may be held by another run, and its content is not ours.
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(io_at(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    dir,
                    lock_file: LOCK_FILE,
                });
            }
            Err(fs::TryLockError::Error(source)) => {
                return Err(Error::Io {
                    path: lock_path,
                    source,
                });
            }
        }
        remove_leftovers(&dir)?;
        Ok(OutputDir {
            dir,
            files: Vec::new(),
            faults: Faults::default(),
            lock,
        })
    }

    /// The directory, as given to [`open`](OutputDir::open).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// let path = std::env::temp_dir().join(format!("ct-doc-path-{}", std::process::id()));
    /// let out = OutputDir::open(&path)?;
    /// assert_eq!(out.path(), path);
    /// # out.abort()?;
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Starts the file `name` (a plain file name such as `tiers.csv`): returns a
    /// buffered writer onto a new temporary file in the directory. The file lands under
    /// `name` only on [`commit`](OutputDir::commit). Stream large files through it;
    /// wrap it in a `csv::Writer` if you like.
    ///
    /// # Errors
    /// [`Error::Io`] naming `DIR/name` when `name` is not a plain file name, is
    /// reserved ([`LOCK_FILE`], [`TEMP_PREFIX`]…), was already created in this run, or
    /// the temporary file cannot be created.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// use std::io::Write;
    /// let path = std::env::temp_dir().join(format!("ct-doc-create-{}", std::process::id()));
    /// let mut out = OutputDir::open(&path)?;
    /// let file = out.create("tiers.csv")?;
    /// writeln!(file, "customer_id,metal").unwrap();
    /// assert!(out.create("tiers.csv").is_err()); // once per run
    /// assert!(out.create("../tiers.csv").is_err()); // only inside the directory
    /// # out.abort()?;
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn create(&mut self, name: &str) -> Result<&mut OutputFile, Error> {
        let path = self.dir.join(name);
        check_name(name).map_err(io_at(&path))?;
        if self.files.iter().any(|f| f.name == name) {
            return Err(invalid(&path, "created twice in one run"));
        }
        let temp = self.dir.join(format!(
            "{TEMP_PREFIX}{}-{}-{name}",
            std::process::id(),
            TEMP_COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let file = self
            .faults
            .check(Op::Create, name)
            .and_then(|()| OpenOptions::new().write(true).create_new(true).open(&temp))
            .map_err(io_at(&path))?;
        let disk = Disk {
            file,
            name: name.to_string(),
            faults: self.faults.clone(),
            early: EarlySync::default(),
        };
        self.files.push(OutputFile {
            name: name.to_string(),
            path,
            temp,
            writer: BufWriter::with_capacity(BUFFER, disk),
            failed: None,
        });
        let last = self.files.len() - 1;
        Ok(&mut self.files[last])
    }

    /// Writes a whole file at once (a chart, a JSON document): [`create`](OutputDir::create)
    /// and `write_all`. The bytes are written as given.
    ///
    /// # Errors
    /// As [`create`](OutputDir::create), and [`Error::Io`] naming `DIR/name` when
    /// writing fails.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// let path = std::env::temp_dir().join(format!("ct-doc-write-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&path);
    /// let mut out = OutputDir::open(&path)?;
    /// out.write("model.json", b"{\"format_version\":1}\n")?;
    /// out.commit("model.json", &[])?;
    /// assert_eq!(std::fs::read(path.join("model.json")).unwrap(), b"{\"format_version\":1}\n");
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let file = self.create(name)?;
        file.write_all(bytes).map_err(io_at(&file.path))
    }

    /// The file `name` created earlier in this run and not yet committed, to write
    /// more to it.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// use std::io::Write;
    /// let path = std::env::temp_dir().join(format!("ct-doc-file-{}", std::process::id()));
    /// let mut out = OutputDir::open(&path)?;
    /// out.create("rejects.csv")?;
    /// out.create("tiers.csv")?;
    /// writeln!(out.file("rejects.csv").unwrap(), "source,line,field,value,reason").unwrap();
    /// assert!(out.file("model.json").is_none());
    /// # out.abort()?;
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn file(&mut self, name: &str) -> Option<&mut OutputFile> {
        self.files.iter_mut().find(|f| f.name == name)
    }

    /// The names a [`commit`](OutputDir::commit) with this `index` will write, in the
    /// order it renames them: every file created so far, the index last (whether or not
    /// it is created yet). Ask for it just before writing the index, to list the run's
    /// files in it (`tier`'s `summary.json` `files`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// let path = std::env::temp_dir().join(format!("ct-doc-file-names-{}", std::process::id()));
    /// let mut out = OutputDir::open(&path)?;
    /// out.write("rejects.csv", b"source,line,field,value,reason\n")?;
    /// out.write("tiers.csv", b"customer_id\n")?;
    /// assert_eq!(out.file_names("summary.json"), ["rejects.csv", "tiers.csv", "summary.json"]);
    /// # out.abort()?;
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn file_names(&self, index: &str) -> Vec<String> {
        self.files
            .iter()
            .map(|f| f.name.as_str())
            .filter(|name| *name != index)
            .chain([index])
            .map(String::from)
            .collect()
    }

    /// Puts the run's files in place (the steps are in [`OutputDir`]'s docs): flushes
    /// and fsyncs every file, renames each to its name with `index` last, then removes
    /// every file named in `managed` that this run did not write (a file not named there
    /// is never touched; a directory is left alone), fsyncs the directory and releases
    /// the lock.
    ///
    /// The previous index is removed before the first rename and stale files after the
    /// new index is in place, so that an index, when there is one, lists only files of
    /// its own run.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file: the index was never created, a name in `managed`
    /// is not a plain name, a file failed to write, flush, fsync or rename, a directory
    /// stands in a file's way, a stale file cannot be removed. A failure before step 3
    /// leaves every final name as it was; later ones leave what [`OutputDir`] says.
    /// This run's temporary files are removed either way.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::{OutputDir, TIER_FILES};
    /// let path = std::env::temp_dir().join(format!("ct-doc-commit-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&path);
    /// let mut out = OutputDir::open(&path)?;
    /// out.write("summary.json", b"{}\n")?; // created first, renamed last all the same
    /// out.write("tiers.csv", b"customer_id\n")?;
    /// let committed = out.commit("summary.json", &TIER_FILES)?;
    /// assert_eq!(committed.written, ["tiers.csv", "summary.json"]);
    /// assert!(OutputDir::open(&path).is_ok()); // the lock is released
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn commit(mut self, index: &str, managed: &[&str]) -> Result<Committed, Error> {
        for name in managed {
            check_name(name).map_err(io_at(&self.dir.join(name)))?;
        }
        let Some(at) = self.files.iter().position(|f| f.name == index) else {
            return Err(invalid(
                &self.dir.join(index),
                "the index was not written in this run",
            ));
        };
        // The index goes last, whenever it was created.
        let index_file = self.files.remove(at);
        self.files.push(index_file);
        sync_files(&mut self.files)?;
        check_targets(&self.files)?;
        // With no index until the new one lands, a run stopped among the renames
        // leaves a set a reader can tell is incomplete, not an old index over new files.
        self.remove(index)?;
        self.sync_dir()?;
        let mut written = Vec::with_capacity(self.files.len());
        while self.files.len() > 1 {
            written.push(self.place(0)?);
        }
        // Everything the index lists must be durable before the index itself.
        self.sync_dir()?;
        written.push(self.place(0)?);
        // After the index: stopped here, the set the index lists is complete and current,
        // and the stale files, which it does not list, go with the next run.
        let mut removed = Vec::new();
        for name in managed {
            if !written.iter().any(|w| w == name) && self.remove(name)? {
                removed.push(name.to_string());
            }
        }
        self.sync_dir()?;
        Ok(Committed { written, removed })
    }

    /// Puts in place only the files named in `names` that this run created, discards the
    /// others and releases the lock; no index, no stale removal. For a run that fails but
    /// must still leave one file ([output safety](crate::definitions#output-safety): under
    /// `skip`, a run that read data and then fails still writes `rejects.csv`). Names not
    /// created are ignored.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file, as [`commit`](OutputDir::commit); a file that
    /// failed to write is not put in place.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// let path = std::env::temp_dir().join(format!("ct-doc-commit-only-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&path);
    /// let mut out = OutputDir::open(&path)?;
    /// out.write("rejects.csv", b"source,line,field,value,reason\n")?;
    /// out.write("tiers.csv", b"customer_id\n")?;
    /// // … and then the run fails (every row was rejected):
    /// let committed = out.commit_only(&["rejects.csv"])?;
    /// assert_eq!(committed.written, ["rejects.csv"]);
    /// assert!(path.join("rejects.csv").exists() && !path.join("tiers.csv").exists());
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn commit_only(mut self, names: &[&str]) -> Result<Committed, Error> {
        // The chosen files first, the rest behind them: on an error below, dropping
        // `self` still discards every one of them.
        let (mut files, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|f| names.contains(&f.name.as_str()));
        let count = files.len();
        files.extend(rest);
        self.files = files;
        sync_files(&mut self.files[..count])?;
        check_targets(&self.files[..count])?;
        let mut written = Vec::with_capacity(count);
        for _ in 0..count {
            written.push(self.place(0)?);
        }
        self.sync_dir()?;
        self.discard()?;
        Ok(Committed {
            written,
            removed: Vec::new(),
        })
    }

    /// Gives up the run: removes its temporary files and releases the lock, leaving
    /// every final name as it was. Dropping does the same but cannot report a file it
    /// failed to remove.
    ///
    /// # Errors
    /// [`Error::Io`] naming a temporary file that could not be removed (the next run
    /// that holds the lock removes it).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// let path = std::env::temp_dir().join(format!("ct-doc-abort-{}", std::process::id()));
    /// # let _ = std::fs::remove_dir_all(&path);
    /// let mut out = OutputDir::open(&path)?;
    /// out.write("tiers.csv", b"customer_id\n")?;
    /// out.abort()?;
    /// assert_eq!(std::fs::read_dir(&path).unwrap().count(), 1); // the lock file alone
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn abort(mut self) -> Result<(), Error> {
        self.discard()
    }

    /// Renames the pending file at `at` into place and forgets it; its name.
    fn place(&mut self, at: usize) -> Result<String, Error> {
        let file = &self.files[at];
        self.faults
            .check(Op::Rename, &file.name)
            .and_then(|()| fs::rename(&file.temp, &file.path))
            .map_err(io_at(&file.path))?;
        Ok(self.files.remove(at).name)
    }

    /// Removes the file `name` from the directory, if it is there and not a directory;
    /// whether it was removed.
    fn remove(&self, name: &str) -> Result<bool, Error> {
        let path = self.dir.join(name);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            _ => {}
        }
        self.faults
            .check(Op::Remove, name)
            .and_then(|()| remove_if_present(&path))
            .map_err(io_at(&path))
    }

    /// Makes renames and removals durable: on Unix a rename reaches the disk with the
    /// directory, not with the file.
    fn sync_dir(&self) -> Result<(), Error> {
        self.faults
            .check(Op::SyncDir, ".")
            .and_then(|()| {
                // Windows cannot open a directory as a file; NTFS journals renames itself.
                if cfg!(unix) {
                    File::open(&self.dir)?.sync_all()?;
                }
                Ok(())
            })
            .map_err(io_at(&self.dir))
    }

    /// Removes every pending temporary file; the first error, after trying them all.
    fn discard(&mut self) -> Result<(), Error> {
        let mut first = Ok(());
        for file in self.files.drain(..) {
            let OutputFile { temp, writer, .. } = file;
            // What is still buffered is dropped, not written to a file about to go.
            drop(writer.into_parts());
            if let Err(source) = remove_if_present(&temp)
                && first.is_ok()
            {
                first = Err(Error::Io { path: temp, source });
            }
        }
        first
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        // A destructor cannot report; `abort` does. A leftover goes with the next run.
        let _ = self.discard();
        // After the removals: the lock covers every change a run makes to the directory.
        // Closing the file would release it too; this says when.
        let _ = self.lock.unlock();
    }
}

impl OutputFile {
    /// The file's final name in the directory.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::OutputDir;
    /// let path = std::env::temp_dir().join(format!("ct-doc-file-name-{}", std::process::id()));
    /// let mut out = OutputDir::open(&path)?;
    /// assert_eq!(out.create("tiers.csv")?.name(), "tiers.csv");
    /// # out.abort()?;
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's final path (`DIR/name`), the one to name in errors; the data sits
    /// under a temporary name until the commit.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::output::{write_tiers_csv, OutputDir};
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// # b.add(Transaction::new(CustomerId::new("C1").unwrap(), date(2026, 3, 1), "12.50".parse().unwrap()))?;
    /// # let population = b.finish()?;
    /// # let (_, tiering) = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.run(&population)?;
    /// let path = std::env::temp_dir().join(format!("ct-doc-file-path-{}", std::process::id()));
    /// let mut out = OutputDir::open(&path)?;
    /// let file = out.create("tiers.csv")?;
    /// assert_eq!(file.path(), path.join("tiers.csv"));
    /// let what = file.path().display().to_string();
    /// write_tiers_csv(&what, &population, &tiering, file)?; // streamed, row by row
    /// # out.abort()?;
    /// # std::fs::remove_dir_all(&path).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Refuses once a write has failed: see the type's docs.
    fn refuse_after_failure(&self) -> io::Result<()> {
        match &self.failed {
            Some((kind, message)) => Err(io::Error::new(
                *kind,
                format!("an earlier write failed: {message}"),
            )),
            None => Ok(()),
        }
    }

    /// Remembers the first failure of `result`; a retried interruption is no failure.
    fn note<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result
            && e.kind() != io::ErrorKind::Interrupted
        {
            self.failed.get_or_insert((e.kind(), e.to_string()));
        }
        result
    }

    /// Flushes the buffer and fsyncs the file.
    fn sync(&mut self) -> Result<(), Error> {
        self.flush()
            .and_then(|()| {
                let result = self.writer.get_mut().sync();
                self.note(result)
            })
            .map_err(io_at(&self.path))
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.refuse_after_failure()?;
        let result = self.writer.write(buf);
        self.note(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.refuse_after_failure()?;
        let result = self.writer.flush();
        self.note(result)
    }
}

/// The temporary file under an [`OutputFile`]'s buffer: the one place bytes reach the
/// operating system, so the one place a test makes the disk fail.
#[derive(Debug)]
struct Disk {
    file: File,
    name: String,
    faults: Faults,
    /// What is written goes to disk in the background while the run goes on.
    early: EarlySync,
}

impl Disk {
    fn sync(&mut self) -> io::Result<()> {
        self.faults.check(Op::Sync, &self.name)?;
        self.early.finish()?;
        self.file.sync_all()
    }
}

impl Write for Disk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.faults.check(Op::Write, &self.name)?;
        let written = self.file.write(buf)?;
        self.early.wrote(&self.file, written);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.faults.check(Op::Flush, &self.name)?;
        self.file.flush()
    }
}

/// A step that touches the disk, where a unit test can make it fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Write,
    Flush,
    Sync,
    Rename,
    Remove,
    SyncDir,
}

/// The fault seam: outside unit tests it holds nothing and every step passes.
#[derive(Debug, Clone, Default)]
struct Faults {
    #[cfg(test)]
    plan: Option<std::sync::Arc<tests::Plan>>,
}

impl Faults {
    fn check(&self, op: Op, name: &str) -> io::Result<()> {
        #[cfg(test)]
        if let Some(plan) = &self.plan {
            return plan.check(op, name);
        }
        let _ = (op, name);
        Ok(())
    }
}

/// Flushes and fsyncs `files`: after this, only renames are left.
fn sync_files(files: &mut [OutputFile]) -> Result<(), Error> {
    files.iter_mut().try_for_each(OutputFile::sync)
}

/// Fails before anything is renamed if a directory stands where a file goes, as
/// `rename` would fail there halfway through.
fn check_targets(files: &[OutputFile]) -> Result<(), Error> {
    for file in files {
        match fs::symlink_metadata(&file.path) {
            Ok(meta) if meta.is_dir() => {
                return Err(Error::Io {
                    path: file.path.clone(),
                    source: io::Error::new(
                        io::ErrorKind::IsADirectory,
                        "a directory stands where the file goes",
                    ),
                });
            }
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(Error::Io {
                    path: file.path.clone(),
                    source: e,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Why `name` cannot be an output file: it must be one plain component, and the lock
/// and temporary names are the directory's own.
fn check_name(name: &str) -> io::Result<()> {
    let mut parts = Path::new(name).components();
    let plain = matches!((parts.next(), parts.next()), (Some(Component::Normal(n)), None) if n == name)
        && !name.contains('\0');
    let reason = if !plain {
        "not a plain file name"
    } else if name == LOCK_FILE || name.starts_with(TEMP_PREFIX) {
        "a name the output directory keeps for itself"
    } else {
        return Ok(());
    };
    Err(io::Error::new(io::ErrorKind::InvalidInput, reason))
}

/// Removes the temporary files of killed runs: regular files named `.tier-tmp-…`.
/// Links and directories are not what a run writes, so they stay.
fn remove_leftovers(dir: &Path) -> Result<(), Error> {
    for entry in fs::read_dir(dir).map_err(io_at(dir))? {
        let entry = entry.map_err(io_at(dir))?;
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMP_PREFIX));
        let path = entry.path();
        if ours && entry.file_type().map_err(io_at(&path))?.is_file() {
            remove_if_present(&path).map_err(io_at(&path))?;
        }
    }
    Ok(())
}

/// Removes a file; whether it was there.
fn remove_if_present(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn invalid(path: &Path, reason: &str) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: io::Error::new(io::ErrorKind::InvalidInput, reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    /// Records every step that touches the disk (`"Write tiers.csv"`) and makes one of
    /// them fail as a full disk does: by its number, or the first with a given text.
    #[derive(Debug, Default)]
    pub(super) struct Plan {
        fail_at: Option<usize>,
        fail_on: Option<&'static str>,
        steps: Mutex<Vec<String>>,
    }

    impl Plan {
        pub(super) fn check(&self, op: Op, name: &str) -> io::Result<()> {
            let mut steps = self.steps.lock().expect("no test panics holding it");
            let step = format!("{op:?} {name}");
            let fail = self.fail_at == Some(steps.len())
                || (self.fail_on == Some(step.as_str()) && !steps.contains(&step));
            steps.push(step);
            if fail {
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "no space left on device (injected)",
                ));
            }
            Ok(())
        }

        fn steps(&self) -> Vec<String> {
            self.steps
                .lock()
                .expect("no test panics holding it")
                .clone()
        }
    }

    impl OutputDir {
        fn with_plan(mut self, plan: &Arc<Plan>) -> Self {
            self.faults = Faults {
                plan: Some(Arc::clone(plan)),
            };
            self
        }
    }

    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ct-output-dir-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch directory");
        dir
    }

    /// Every regular file of `dir` but the lock, with its bytes: what a reader sees.
    fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        for entry in fs::read_dir(dir).expect("readable") {
            let entry = entry.expect("entry");
            let name = entry.file_name().into_string().expect("UTF-8 name");
            if entry.file_type().expect("type").is_file() && name != LOCK_FILE {
                files.insert(name, fs::read(entry.path()).expect("readable"));
            }
        }
        files
    }

    fn temporaries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("readable")
            .map(|e| e.expect("entry").file_name().into_string().expect("UTF-8"))
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect();
        names.sort();
        names
    }

    /// A previous run's files, and one file that is not a run's.
    fn previous_run(dir: &Path) {
        let mut out = OutputDir::open(dir).expect("open");
        for name in ["tiers.csv", "model.json", "migration.csv", "pyramid.svg"] {
            out.write(name, format!("previous {name}\n").as_bytes())
                .expect("write");
        }
        out.write("summary.json", b"previous summary\n")
            .expect("write");
        out.commit("summary.json", &TIER_FILES).expect("commit");
        fs::write(dir.join("notes.txt"), "not a run's\n").expect("write");
    }

    fn io(name: &str) -> impl FnOnce(io::Error) -> Error + '_ {
        move |source| Error::Io {
            path: name.into(),
            source,
        }
    }

    /// A run shaped like `tier`'s: `rejects.csv` streamed while reading, `tiers.csv`
    /// streamed over several buffers, `model.json` whole, `summary.json` last listing
    /// the files. With `stop_after: Some(n)` it fails, as an application does, once
    /// `n` files are written.
    fn this_run(out: &mut OutputDir, stop_after: Option<usize>) -> Result<(), Error> {
        let stop = |n: usize| match stop_after {
            Some(s) if s == n => Err(io("run")(io::Error::other(format!(
                "the run fails after {n} files"
            )))),
            _ => Ok(()),
        };
        let rejects = out.create("rejects.csv")?;
        for line in 0..2_000 {
            writeln!(rejects, "orders.csv,{line},amount,x,not a decimal")
                .map_err(io("rejects.csv"))?;
        }
        stop(1)?;
        let tiers = out.create("tiers.csv")?;
        for id in 0..6_000 {
            writeln!(tiers, "C{id:06},{id},platinum").map_err(io("tiers.csv"))?;
        }
        tiers.flush().map_err(io("tiers.csv"))?;
        stop(2)?;
        out.write("model.json", b"new model\n")?;
        stop(3)?;
        let files = out.file_names("summary.json");
        out.write(
            "summary.json",
            format!("new summary {files:?}\n").as_bytes(),
        )?;
        stop(4)
    }

    #[test]
    fn a_run_failing_after_any_file_changes_nothing() {
        let dir = scratch("stop");
        for stop in 1..=4 {
            previous_run(&dir);
            let before = snapshot(&dir);
            let mut out = OutputDir::open(&dir).expect("open");
            assert!(this_run(&mut out, Some(stop)).is_err());
            drop(out);
            assert_eq!(snapshot(&dir), before, "failing after file {stop}");
            assert_eq!(temporaries(&dir), Vec::<String>::new(), "after file {stop}");
        }
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_disk_failing_at_any_step_leaves_the_previous_files_or_no_index() {
        let dir = scratch("faults");
        // A run without faults tells every step and what the run leaves.
        previous_run(&dir);
        let before = snapshot(&dir);
        let plan = Arc::new(Plan::default());
        let mut out = OutputDir::open(&dir).expect("open").with_plan(&plan);
        this_run(&mut out, None).expect("run");
        out.commit("summary.json", &TIER_FILES).expect("commit");
        let after = snapshot(&dir);
        let steps = plan.steps();
        for expected in [
            "Write rejects.csv",
            "Write tiers.csv",
            "Create model.json",
            "Flush tiers.csv",
            "Sync summary.json",
            "Remove summary.json",
            "Rename tiers.csv",
            "Remove migration.csv",
            "SyncDir .",
        ] {
            assert!(steps.iter().any(|s| s == expected), "{expected}: {steps:?}");
        }
        let renames: Vec<&str> = steps
            .iter()
            .filter_map(|s| s.strip_prefix("Rename "))
            .collect();
        assert_eq!(
            renames,
            ["rejects.csv", "tiers.csv", "model.json", "summary.json"]
        );
        // The first step that changes a final name: removing the previous index.
        let first_change = steps
            .iter()
            .position(|s| s == "Remove summary.json")
            .expect("the previous index is removed");
        assert!(
            steps[..first_change]
                .iter()
                .all(|s| !s.starts_with("Rename"))
        );

        let (mut without_index, mut with_index) = (0, 0);
        for (at, step) in steps.iter().enumerate() {
            let dir = scratch("faults");
            previous_run(&dir);
            let plan = Arc::new(Plan {
                fail_at: Some(at),
                ..Plan::default()
            });
            let result = {
                let mut out = OutputDir::open(&dir).expect("open").with_plan(&plan);
                match this_run(&mut out, None) {
                    Ok(()) => out.commit("summary.json", &TIER_FILES).map(drop),
                    Err(e) => Err(e), // `out` drops here, uncommitted
                }
            };
            let Err(Error::Io { path, .. }) = &result else {
                panic!("failing at {step}: {result:?}");
            };
            match step.split_once(' ') {
                Some((_, ".")) => assert_eq!(path, &dir, "{step}"),
                Some((_, name)) => assert!(path.ends_with(name), "{step}: {}", path.display()),
                None => unreachable!("steps are `Op name`"),
            }
            assert_eq!(temporaries(&dir), Vec::<String>::new(), "{step}");
            OutputDir::open(&dir)
                .expect("the lock is released")
                .abort()
                .expect("abort");
            let now = snapshot(&dir);
            if at <= first_change {
                assert_eq!(now, before, "failing at {step} ({at})");
                continue;
            }
            // Renaming has begun: each file is whole, the previous run's or this one's;
            // an index, if there is one, is this run's, and so is every file it lists.
            for (name, bytes) in &now {
                assert!(
                    before.get(name) == Some(bytes) || after.get(name) == Some(bytes),
                    "failing at {step}: {name} is neither run's"
                );
            }
            assert_eq!(now.get("notes.txt"), before.get("notes.txt"), "{step}");
            if now.contains_key("summary.json") {
                with_index += 1;
                for name in ["rejects.csv", "tiers.csv", "model.json", "summary.json"] {
                    assert_eq!(now.get(name), after.get(name), "failing at {step}: {name}");
                }
            } else {
                without_index += 1;
            }
        }
        // Both partial states were reached: renames begun (no index), and the stale
        // removal after the new index.
        assert!(
            without_index >= 4 && with_index >= 2,
            "{without_index} {with_index}"
        );
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_failed_write_is_never_put_in_place() {
        let dir = scratch("sticky");
        previous_run(&dir);
        let before = snapshot(&dir);
        let plan = Arc::new(Plan {
            fail_on: Some("Write tiers.csv"),
            ..Plan::default()
        });
        let mut out = OutputDir::open(&dir).expect("open").with_plan(&plan);
        let file = out.create("tiers.csv").expect("create");
        // Larger than the buffer: goes straight to the disk, which is full.
        assert!(file.write_all(&vec![b'x'; 2 * BUFFER]).is_err());
        // A caller that lets the error pass (a writer flushing on drop does) and goes on:
        let refused = file.write(b"C1,platinum\n").expect_err("refused");
        assert!(refused.to_string().contains("an earlier write failed"));
        out.write("summary.json", b"new\n").expect("write");
        let err = out
            .commit("summary.json", &TIER_FILES)
            .expect_err("refused");
        assert!(
            matches!(&err, Error::Io { path, .. } if *path == dir.join("tiers.csv")),
            "{err}"
        );
        assert_eq!(snapshot(&dir), before);
        assert_eq!(temporaries(&dir), Vec::<String>::new());
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_failed_run_can_still_put_its_rejects_in_place() {
        let dir = scratch("rejects");
        previous_run(&dir);
        fs::write(dir.join("rejects.csv"), "previous rejects\n").expect("write");
        let before = snapshot(&dir);
        let mut out = OutputDir::open(&dir).expect("open");
        assert!(this_run(&mut out, Some(2)).is_err());
        let committed = out
            .commit_only(&["rejects.csv", "migration.csv"])
            .expect("commit rejects");
        assert_eq!(committed.written, ["rejects.csv"]);
        assert!(committed.removed.is_empty());
        let mut now = snapshot(&dir);
        let rejects = now.remove("rejects.csv").expect("rejects.csv");
        let expected: String = (0..2_000)
            .map(|line| format!("orders.csv,{line},amount,x,not a decimal\n"))
            .collect();
        assert_eq!(String::from_utf8(rejects).expect("UTF-8"), expected);
        let mut expected = before.clone();
        expected.remove("rejects.csv");
        assert_eq!(now, expected);
        assert_eq!(temporaries(&dir), Vec::<String>::new());

        // A disk failing while it does so leaves the previous rejects.csv.
        fs::write(dir.join("rejects.csv"), "previous rejects\n").expect("write");
        let plan = Arc::new(Plan {
            fail_on: Some("Sync rejects.csv"),
            ..Plan::default()
        });
        let mut out = OutputDir::open(&dir).expect("open").with_plan(&plan);
        assert!(this_run(&mut out, Some(2)).is_err());
        assert!(out.commit_only(&["rejects.csv"]).is_err());
        assert_eq!(snapshot(&dir), before);
        assert_eq!(temporaries(&dir), Vec::<String>::new());
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn the_index_is_renamed_last_after_a_directory_fsync() {
        let dir = scratch("order");
        let plan = Arc::new(Plan::default());
        let mut out = OutputDir::open(&dir).expect("open").with_plan(&plan);
        out.write("summary.json", b"{}\n").expect("write");
        out.write("tiers.csv", b"customer_id\n").expect("write");
        out.write("model.json", b"{}\n").expect("write");
        assert_eq!(
            out.file_names("summary.json"),
            ["tiers.csv", "model.json", "summary.json"]
        );
        let committed = out.commit("summary.json", &TIER_FILES).expect("commit");
        assert_eq!(
            committed.written,
            out_names(&["tiers.csv", "model.json", "summary.json"])
        );
        let steps = plan.steps();
        let index = steps
            .iter()
            .position(|s| s == "Rename summary.json")
            .expect("renamed");
        assert_eq!(steps[index - 1], "SyncDir .");
        assert_eq!(steps.last().map(String::as_str), Some("SyncDir ."));
        fs::remove_dir_all(&dir).expect("clean up");
    }

    fn out_names(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_held_lock_refuses_a_second_open_even_in_the_same_process() {
        let dir = scratch("lock");
        let mut first = OutputDir::open(&dir).expect("open");
        first.write("summary.json", b"first\n").expect("write");
        // flock locks belong to an open file description: this process's second
        // open of the lock file is a second description, and conflicts.
        let err = OutputDir::open(&dir).expect_err("locked");
        assert!(
            matches!(&err, Error::Locked { dir: d, .. } if *d == dir),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "{}: another run is writing to this output directory (it holds .tier.lock)",
                dir.display()
            )
        );
        // The refused open took nothing from the run that holds the directory.
        first.commit("summary.json", &TIER_FILES).expect("commit");
        assert_eq!(
            fs::read(dir.join("summary.json")).expect("read"),
            b"first\n"
        );
        let again = OutputDir::open(&dir).expect("released by the commit");
        let err = OutputDir::open(&dir).expect_err("locked again");
        assert!(matches!(err, Error::Locked { .. }));
        drop(again);
        OutputDir::open(&dir).expect("released by the drop");
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_lock_file_nobody_holds_does_not_refuse() {
        let dir = scratch("old-lock");
        fs::write(dir.join(LOCK_FILE), "left by a killed run\n").expect("write");
        OutputDir::open(&dir)
            .expect("not held")
            .abort()
            .expect("abort");
        assert_eq!(
            fs::read_to_string(dir.join(LOCK_FILE)).expect("read"),
            "left by a killed run\n"
        );
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn leftover_temporaries_go_with_the_next_run_that_holds_the_lock_and_lookalikes_stay() {
        let dir = scratch("leftovers");
        let holder = OutputDir::open(&dir).expect("open");
        let ours = [".tier-tmp-4242-1-tiers.csv", ".tier-tmp-", ".tier-tmp-x"];
        let lookalikes = [
            ".tier-tmp",
            ".tier-tmpx",
            ".tier-tmp.1",
            "tier-tmp-1-tiers.csv",
            "x.tier-tmp-1",
            "..tier-tmp-1",
            ".TIER-TMP-1",
            ".tier.lock.1",
        ];
        for name in ours.iter().chain(&lookalikes) {
            fs::write(dir.join(name), name).expect("write");
        }
        fs::create_dir(dir.join(".tier-tmp-dir")).expect("mkdir");
        fs::write(dir.join(".tier-tmp-dir").join(".tier-tmp-1"), "inner").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("tier-tmp-1-tiers.csv"), dir.join(".tier-tmp-link"))
            .expect("symlink");

        // Refused by the lock, a run removes nothing: the files may be the holder's.
        assert!(matches!(OutputDir::open(&dir), Err(Error::Locked { .. })));
        assert!(ours.iter().all(|n| dir.join(n).exists()));
        drop(holder);

        let next = OutputDir::open(&dir).expect("open");
        for name in ours {
            assert!(!dir.join(name).exists(), "{name} is left");
        }
        for name in lookalikes {
            assert_eq!(fs::read_to_string(dir.join(name)).expect(name), name);
        }
        assert!(dir.join(".tier-tmp-dir").join(".tier-tmp-1").exists());
        #[cfg(unix)]
        assert!(fs::symlink_metadata(dir.join(".tier-tmp-link")).is_ok());
        next.abort().expect("abort");
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn managed_files_a_run_did_not_produce_are_removed_and_no_other() {
        let dir = scratch("stale");
        previous_run(&dir);
        for name in ["rejects.csv", "tiers.csv.bak", "Tiers.csv"] {
            fs::write(dir.join(name), name).expect("write");
        }
        fs::create_dir(dir.join("charts")).expect("mkdir");
        fs::write(dir.join("charts").join("pyramid.svg"), "<svg/>").expect("write");
        fs::create_dir(dir.join("report.html")).expect("mkdir"); // a directory: not a file of the run
        let mut out = OutputDir::open(&dir).expect("open");
        out.write("tiers.jsonl", b"{}\n").expect("write");
        out.write("model.json", b"new model\n").expect("write");
        out.write("summary.json", b"new summary\n").expect("write");
        let committed = out.commit("summary.json", &TIER_FILES).expect("commit");
        assert_eq!(
            committed.written,
            ["tiers.jsonl", "model.json", "summary.json"]
        );
        assert_eq!(
            committed.removed,
            ["tiers.csv", "rejects.csv", "migration.csv", "pyramid.svg"]
        );
        let now = snapshot(&dir);
        assert_eq!(
            now.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "Tiers.csv",
                "model.json",
                "notes.txt",
                "summary.json",
                "tiers.csv.bak",
                "tiers.jsonl"
            ]
        );
        assert_eq!(now["notes.txt"], b"not a run's\n");
        assert!(dir.join("charts").join("pyramid.svg").exists());
        assert!(dir.join("report.html").is_dir());
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn a_commit_with_no_index_or_a_directory_in_the_way_changes_nothing() {
        let dir = scratch("refused");
        previous_run(&dir);
        fs::create_dir(dir.join("migration.json")).expect("mkdir");
        let before = snapshot(&dir);

        let mut out = OutputDir::open(&dir).expect("open");
        out.write("tiers.csv", b"new\n").expect("write");
        let err = out
            .commit("summary.json", &TIER_FILES)
            .expect_err("no index");
        assert!(
            matches!(&err, Error::Io { path, .. } if *path == dir.join("summary.json")),
            "{err}"
        );

        let mut out = OutputDir::open(&dir).expect("open");
        out.write("tiers.csv", b"new\n").expect("write");
        out.write("migration.json", b"{}\n").expect("write");
        out.write("summary.json", b"new\n").expect("write");
        let err = out
            .commit("summary.json", &TIER_FILES)
            .expect_err("a directory");
        assert!(
            matches!(&err, Error::Io { path, source } if *path == dir.join("migration.json")
                && source.kind() == io::ErrorKind::IsADirectory),
            "{err}"
        );
        assert_eq!(snapshot(&dir), before);
        assert_eq!(temporaries(&dir), Vec::<String>::new());
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn names_are_plain_and_the_directorys_own_are_refused() {
        let dir = scratch("names");
        let mut out = OutputDir::open(&dir).expect("open");
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "../x",
            "/abs",
            "tiers.csv/",
            "nul\0",
            LOCK_FILE,
            ".tier-tmp-x",
        ] {
            let err = out.create(bad).map(drop).expect_err(bad);
            assert!(
                matches!(&err, Error::Io { source, .. } if source.kind() == io::ErrorKind::InvalidInput),
                "{bad:?}: {err}"
            );
        }
        out.create("tiers.csv").expect("plain");
        let err = out.create("tiers.csv").map(drop).expect_err("twice");
        assert!(
            err.to_string().ends_with("created twice in one run"),
            "{err}"
        );
        out.write("summary.json", b"{}\n").expect("write");
        let err = out
            .commit("summary.json", &[LOCK_FILE])
            .expect_err("the lock file is not a run's to remove");
        assert!(matches!(err, Error::Io { .. }));
        assert!(dir.join(LOCK_FILE).exists());
        assert_eq!(temporaries(&dir), Vec::<String>::new());
        fs::remove_dir_all(&dir).expect("clean up");
    }

    #[test]
    fn autotraits() {
        fn send<T: Send>() {}
        send::<OutputDir>();
        send::<OutputFile>();
        send::<Committed>();
    }
}
