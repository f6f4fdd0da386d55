//! Saving a live tiering and starting again from it: the snapshot format of the
//! [module docs](super#the-snapshot-format), written and read one line at a time.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use jiff::Span;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::{Codes, Entry, TieringState};
use crate::classify::{ColumnLabels, Label, Unscored};
use crate::dates::{day_number, parse_date};
use crate::error::{Error, cut_reason, shown_value};
use crate::metrics::Accumulator;
use crate::money::normalize_zero;
use crate::output::OutputDir;
use crate::pipeline::FittedPipeline;
use crate::profile::CustomerId;
use crate::registry::Registry;

/// What the header of a snapshot says it is (its `format`): a JSON lines document whose
/// first line carries another `format` is not a tiering state, whatever else it holds.
///
/// # Example
/// ```
/// use customer_tiering::Registry;
/// use customer_tiering::incremental::{TieringState, SNAPSHOT_FORMAT};
/// assert_eq!(SNAPSHOT_FORMAT, "customer-tiering-state");
/// let other = r#"{"format":"tiers","version":1}"#;
/// let err = TieringState::restore("state.jsonl", other.as_bytes(), &Registry::builtin()).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"state.jsonl: line 1: not a tiering state snapshot: its format is "tiers", not "customer-tiering-state""#
/// );
/// ```
pub const SNAPSHOT_FORMAT: &str = "customer-tiering-state";

/// The version of the snapshot format this crate writes and reads: a snapshot of
/// another version is refused on restore rather than read wrongly.
///
/// # Example
/// ```
/// use customer_tiering::Registry;
/// use customer_tiering::incremental::{TieringState, SNAPSHOT_VERSION};
/// assert_eq!(SNAPSHOT_VERSION, 1);
/// let future = r#"{"format":"customer-tiering-state","version":2}"#;
/// let err = TieringState::restore("state.jsonl", future.as_bytes(), &Registry::builtin()).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "state.jsonl: line 1: the snapshot has version 2; this version of the crate reads version 1"
/// );
/// ```
pub const SNAPSHOT_VERSION: u32 = 1;

/// Bytes gathered before each write to the caller's writer, and the read buffer.
const CHUNK: usize = 64 * 1024;

/// Customers reserved for before any is read: a header may announce any number.
const RESERVE_AT_MOST: u64 = 1 << 20;

impl TieringState {
    /// Writes the state as a snapshot (JSON lines, see the [module
    /// docs](super#the-snapshot-format)) to `writer`, in `customer_id` order: the same
    /// state always gives the same bytes. [`restore`](Self::restore) starts again from
    /// it. The document is streamed line by line through a buffer of 64 KiB; `what`
    /// names the destination in errors.
    ///
    /// # Errors
    /// [`Error::Io`] naming `what` when writing fails.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let mut state = TieringState::new(fitted, history)?;
    /// use rust_decimal::dec;
    /// // metals of C001 … C100, who spent 1 … 100 on 2026-03-01; C100 buys again.
    /// let c100 = CustomerId::new("C100").unwrap();
    /// state.add(Transaction::new(c100, as_of, dec!(2.50)).with_product("P7"))?;
    /// let mut out = Vec::new();
    /// state.snapshot("state.jsonl", &mut out)?;
    /// let text = String::from_utf8(out).unwrap();
    /// let lines: Vec<&str> = text.lines().collect();
    /// assert_eq!(lines.len(), 1 + 100); // the header, then one line per customer
    /// assert!(lines[0].starts_with(
    ///     r#"{"format":"customer-tiering-state","version":1,"as_of":"2026-03-31","window_days":365,"customers":100,"columns":["metal"],"pipeline":{"format_version":1,"#
    /// ));
    /// assert_eq!(lines[1], r#"{"id":"C001","days":[["2026-03-01","1"]],"transactions":1,"labels":["lead"]}"#);
    /// assert_eq!(
    ///     lines[100],
    ///     r#"{"id":"C100","days":[["2026-03-01","100"],["2026-03-31","2.50"]],"transactions":2,"products":["P7"],"labels":["platinum"]}"#
    /// );
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn snapshot<W: Write>(&self, what: &str, mut writer: W) -> Result<(), Error> {
        let io = |source: io::Error| Error::Io {
            path: what.into(),
            source,
        };
        let mut out = Vec::with_capacity(CHUNK + CHUNK / 4);
        let header = HeaderOut {
            format: SNAPSHOT_FORMAT,
            version: SNAPSHOT_VERSION,
            as_of: self.as_of,
            window_days: self.window_days,
            customers: self.customers.len(),
            columns: &self.columns,
            pipeline: &self.fitted,
        };
        serde_json::to_writer(&mut out, &header).map_err(|e| io(e.into()))?;
        out.push(b'\n');
        let mut entries: Vec<(&CustomerId, &Entry)> = self.customers.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let dates = DateTexts::default();
        for (id, entry) in entries {
            let labels = self.decode(entry);
            debug_assert_eq!(labels.len(), self.columns.len(), "see `Entry::labels`");
            let customer = CustomerOut {
                id: id.as_str(),
                days: Days(&entry.purchases.days, &dates),
                transactions: entry.purchases.transactions,
                profit: entry.purchases.profit.map(Money),
                products: &entry.purchases.products,
                labels: Labels(&labels),
            };
            serde_json::to_writer(&mut out, &customer).map_err(|e| io(e.into()))?;
            out.push(b'\n');
            if out.len() >= CHUNK {
                writer.write_all(&out).map_err(io)?;
                out.clear();
            }
        }
        writer.write_all(&out).map_err(io)?;
        writer.flush().map_err(io)
    }

    /// Writes a snapshot (as [`snapshot`](Self::snapshot)) to the file `path`
    /// atomically: under a temporary name in the same directory, flushed to the disk,
    /// then renamed over `path`. A failed or killed write leaves the previous snapshot
    /// whole and no partial file under `path`.
    ///
    /// It writes through the crate's [`OutputDir`], so the directory (created if
    /// needed) keeps its lock file `.tier.lock`: two snapshots written into one
    /// directory at once, or one into a directory a `tier` run is writing, fail with
    /// [`Error::Locked`] rather than race.
    ///
    /// # Errors
    /// [`Error::Io`] naming the file when `path` has no file name or writing, syncing
    /// or renaming fails; [`Error::Locked`] as above.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Registry;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let state = TieringState::new(fitted, history)?;
    /// let dir = std::env::temp_dir().join(format!("ct-doc-snapshot-{}", std::process::id()));
    /// let path = dir.join("state.jsonl");
    /// state.snapshot_to_path(&path)?;
    /// state.snapshot_to_path(&path)?; // replaces the previous snapshot, all at once
    /// let restored = TieringState::restore_from_path(&path, &Registry::builtin())?;
    /// assert_eq!(restored.tiering()?, state.tiering()?);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn snapshot_to_path(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a UTF-8 file name"),
            });
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut out = OutputDir::open(dir)?;
        let file = out.create(name)?;
        // Dropping `out` on an error removes the temporary file.
        self.snapshot(&path.display().to_string(), &mut *file)?;
        out.commit_only(&[name])?;
        Ok(())
    }

    /// A state from a snapshot written by [`snapshot`](Self::snapshot): it goes on
    /// exactly as the state that was saved. `registry` loads the classifier kinds its
    /// pipeline names (`Registry::builtin()` plus the application's own); `what` names
    /// the snapshot in errors. The snapshot is read line by line through a 64 KiB
    /// buffer, never whole.
    ///
    /// Everything is checked as the [module docs](super#the-snapshot-format) say: the
    /// format and version, the pipeline (through `registry`, as
    /// [`FittedPipeline::from_json_with`] checks a saved model), and every customer's
    /// id, dates, decimals, counts and labels against the pipeline's columns.
    ///
    /// # Errors
    /// [`Error::Snapshot`] naming `what`, the line and what is wrong there (a pipeline
    /// that does not load, a kind the registry does not know, a customer's bad field,
    /// a snapshot cut short); [`Error::Io`] naming `what` when reading fails.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Registry;
    /// use customer_tiering::Error;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let state = TieringState::new(fitted, history)?;
    /// // metals of C001 … C100, who spent 1 … 100
    /// let mut saved = Vec::new();
    /// state.snapshot("state.jsonl", &mut saved)?;
    /// let registry = Registry::builtin();
    /// let restored = TieringState::restore("state.jsonl", saved.as_slice(), &registry)?;
    /// assert_eq!((restored.len(), restored.as_of()), (100, as_of));
    ///
    /// // A hand edit that no pipeline could have made is refused, naming where it is.
    /// let text = String::from_utf8(saved).unwrap();
    /// let edited = text.replace(r#""C002","days":[["2026-03-01","2"]]"#, r#""C002","days":[["2026-03-01","2.0e1"]]"#);
    /// let err = TieringState::restore("state.jsonl", edited.as_bytes(), &registry).unwrap_err();
    /// assert!(matches!(err, Error::Snapshot { line: 3, .. }));
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"state.jsonl: line 3: customer "C002": days[0]: "2.0e1" is not an exact decimal"#
    /// );
    /// // A pipeline of a kind the registry does not know is refused too.
    /// let err = TieringState::restore("state.jsonl", text.as_bytes(), &Registry::empty()).unwrap_err();
    /// assert!(err.to_string().contains(r#"unknown classifier kind "pareto""#), "{err}");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn restore<R: Read>(what: &str, reader: R, registry: &Registry) -> Result<Self, Error> {
        let mut lines = Lines {
            what,
            reader: BufReader::with_capacity(CHUNK, reader),
            buffer: Vec::new(),
            number: 0,
        };
        let Some((_, line)) = lines.next()? else {
            return Err(invalid(what, 1, "empty: no header line"));
        };
        let header = read_header(line).map_err(|reason| invalid(what, 1, reason))?;
        let pipeline = header.pipeline.to_string();
        let fitted =
            FittedPipeline::from_json_with(what, &pipeline, registry).map_err(|e| match e {
                // A setting's problem names the pipeline already, JSON's does not.
                Error::Parse { reason, .. } if reason.starts_with("pipeline: ") => {
                    invalid(what, 1, reason)
                }
                Error::Parse { reason, .. } => invalid(what, 1, format!("pipeline: {reason}")),
                other => other,
            })?;
        let mut state = TieringState::empty(fitted, header.as_of, header.window_days);
        if header.columns.iter().ne(state.columns.iter()) {
            let reason = format!(
                "columns {:?} are not the pipeline's columns {:?}",
                header.columns, state.columns
            );
            return Err(invalid(what, 1, reason));
        }
        let rules = column_rules(&state.fitted, &state.columns);
        let today = day_number(header.as_of);
        let count = usize::try_from(header.customers.min(RESERVE_AT_MOST)).unwrap_or(0);
        state.customers.reserve(count);
        let mut previous: Option<CustomerId> = None;
        let mut dates = DayNumbers::default();
        for read in 0..header.customers {
            let Some((number, line)) = lines.next()? else {
                let reason = format!(
                    "the snapshot ends after {read} of the {} customers its header announces",
                    header.customers
                );
                return Err(invalid(what, read + 2, reason));
            };
            let customer = read_customer(line, &mut dates, today, &rules, previous.as_ref())
                .map_err(|reason| invalid(what, number, reason))?;
            let mut codes = Codes::new(state.columns.len());
            for (i, label) in customer.labels.iter().enumerate() {
                codes.as_mut_slice()[i] = state.codebook.encode(i, label).map_err(|e| {
                    let reason = format!("customer {}: {e}", quoted(customer.id.as_str()));
                    invalid(what, number, reason)
                })?;
            }
            let entry = Entry {
                purchases: customer.purchases,
                labels: codes,
            };
            state.customers.insert(customer.id.clone(), entry);
            previous = Some(customer.id);
        }
        if let Some((number, _)) = lines.next()? {
            let reason = format!(
                "a line after the {} customers the header announces",
                header.customers
            );
            return Err(invalid(what, number, reason));
        }
        Ok(state)
    }

    /// A state from the snapshot file `path` (see [`restore`](Self::restore)), errors
    /// naming the path.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened or read; otherwise as
    /// [`restore`](Self::restore).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Registry;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::incremental::TieringState;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let as_of = date(2026, 3, 31);
    /// # let mut history = PopulationBuilder::new(as_of);
    /// # for i in 1..=100i64 {
    /// #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
    /// #     history.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
    /// # }
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let fitted = pipeline.fit(&history.clone().finish()?)?;
    /// # let state = TieringState::new(fitted, history)?;
    /// let dir = std::env::temp_dir().join(format!("ct-doc-restore-{}", std::process::id()));
    /// let path = dir.join("state.jsonl");
    /// state.snapshot_to_path(&path)?;
    /// let restored = TieringState::restore_from_path(&path, &Registry::builtin())?;
    /// assert_eq!(restored.len(), state.len());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// let missing = TieringState::restore_from_path(&path, &Registry::builtin()).unwrap_err();
    /// assert!(missing.to_string().contains("state.jsonl"), "{missing}");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn restore_from_path(path: impl AsRef<Path>, registry: &Registry) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        TieringState::restore(&path.display().to_string(), file, registry)
    }
}

/// An [`Error::Snapshot`], its reason cut as every error's is.
fn invalid(what: &str, line: u64, reason: impl Into<String>) -> Error {
    Error::Snapshot {
        what: what.to_string(),
        line,
        reason: cut_reason(reason.into()),
    }
}

/// A text as an error quotes it: cut to 200 bytes ([bad
/// input](crate::definitions#bad-input-and-rejects)), in quotes.
fn quoted(text: &str) -> String {
    format!("{:?}", shown_value(text.as_bytes(), text.len() as u64))
}

/// A serde_json message without its `at line 1 column C` (a snapshot's lines are read
/// one by one), the column first.
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if e.line() == 0 {
        return text;
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    format!("column {}: {message}", e.column())
}

/// A snapshot's lines, numbered from 1.
struct Lines<'w, R> {
    what: &'w str,
    reader: BufReader<R>,
    buffer: Vec<u8>,
    number: u64,
}

impl<R: Read> Lines<'_, R> {
    /// The next line, numbered, without its line end; none at the end.
    fn next(&mut self) -> Result<Option<(u64, &[u8])>, Error> {
        self.buffer.clear();
        let read = self
            .reader
            .read_until(b'\n', &mut self.buffer)
            .map_err(|source| Error::Io {
                path: self.what.into(),
                source,
            })?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        let line = self.buffer.strip_suffix(b"\n").unwrap_or(&self.buffer);
        Ok(Some((self.number, line)))
    }
}

// ---- the header ----

#[derive(Serialize)]
struct HeaderOut<'a> {
    format: &'static str,
    version: u32,
    as_of: Date,
    window_days: u32,
    customers: usize,
    columns: &'a [SmolStr],
    pipeline: &'a FittedPipeline,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderIn {
    #[allow(dead_code)] // checked before the rest is read
    format: String,
    #[allow(dead_code)]
    version: u64,
    as_of: Date,
    window_days: u32,
    customers: u64,
    columns: Vec<String>,
    pipeline: serde_json::Value,
}

/// The header, its format and version checked first: a snapshot of another version may
/// be shaped otherwise.
fn read_header(line: &[u8]) -> Result<HeaderIn, String> {
    let value: serde_json::Value =
        serde_json::from_slice(line).map_err(|e| format!("header: {}", json_reason(&e)))?;
    match value.get("format") {
        Some(serde_json::Value::String(format)) if format == SNAPSHOT_FORMAT => {}
        Some(serde_json::Value::String(format)) => {
            return Err(format!(
                "not a tiering state snapshot: its format is {}, not {SNAPSHOT_FORMAT:?}",
                quoted(format)
            ));
        }
        _ => {
            return Err(format!(
                "not a tiering state snapshot: no \"format\": {SNAPSHOT_FORMAT:?} in the first line"
            ));
        }
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(version) if version == u64::from(SNAPSHOT_VERSION) => {}
        Some(version) => {
            return Err(format!(
                "the snapshot has version {version}; this version of the crate reads version {SNAPSHOT_VERSION}"
            ));
        }
        None => return Err("header: no version".into()),
    }
    let header: HeaderIn = serde_json::from_value(value).map_err(|e| format!("header: {e}"))?;
    if header.window_days == 0 {
        return Err("header: window_days must be at least 1".into());
    }
    Ok(header)
}

// ---- one customer ----

#[derive(Serialize)]
struct CustomerOut<'a> {
    id: &'a str,
    days: Days<'a>,
    transactions: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    profit: Option<Money>,
    #[serde(skip_serializing_if = "<[SmolStr]>::is_empty")]
    products: &'a [SmolStr],
    labels: Labels<'a>,
}

/// Purchase days as `[["YYYY-MM-DD", "12.50"], …]`.
struct Days<'a>(&'a [(i32, Decimal)], &'a DateTexts);

impl Serialize for Days<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for &(day, amount) in self.0 {
            let date = self
                .1
                .text(day)
                .map_err(<S::Error as serde::ser::Error>::custom)?;
            seq.serialize_element(&(date.as_str(), Money(amount)))?;
        }
        seq.end()
    }
}

/// Dates as written, by day number, worked out once each: a state of a million
/// customers buys on a few thousand distinct days.
#[derive(Default)]
struct DateTexts(RefCell<DayMap<SmolStr>>);

type DayMap<V> = HashMap<i32, V, foldhash::fast::RandomState>;

impl DateTexts {
    fn text(&self, day: i32) -> Result<SmolStr, jiff::Error> {
        if let Some(text) = self.0.borrow().get(&day) {
            return Ok(text.clone());
        }
        let text = SmolStr::new(date_of(day)?.to_string());
        self.0.borrow_mut().insert(day, text.clone());
        Ok(text)
    }
}

/// Day numbers of dates as read, worked out once each (up to [`DAYS_KEPT`] of them).
#[derive(Default)]
struct DayNumbers(HashMap<SmolStr, i32, foldhash::fast::RandomState>);

/// The most dates [`DayNumbers`] keeps: every day of 180 years, and a bound whatever a
/// snapshot holds.
const DAYS_KEPT: usize = 1 << 16;

impl DayNumbers {
    fn of(&mut self, text: &str) -> Result<i32, String> {
        if let Some(&day) = self.0.get(text) {
            return Ok(day);
        }
        let day = day_number(read_date(text)?);
        if self.0.len() < DAYS_KEPT {
            self.0.insert(SmolStr::new(text), day);
        }
        Ok(day)
    }
}

/// An amount written exactly, a zero without its sign.
struct Money(Decimal);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(normalize_zero(self.0).array_string().as_ref())
    }
}

/// The labels of one customer, each as the module docs say.
struct Labels<'a>(&'a [Label]);

impl Serialize for Labels<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for label in self.0 {
            seq.serialize_element(&LabelOut(label))?;
        }
        seq.end()
    }
}

struct LabelOut<'a>(&'a Label);

impl Serialize for LabelOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Label::Score(score) => serializer.serialize_u8(*score),
            Label::Name(name) => serializer.serialize_str(name),
            Label::Unscored(why) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("unscored", why)?;
                map.end()
            }
        }
    }
}

/// The date of a day number (see [`day_number`]).
fn date_of(day: i32) -> Result<Date, jiff::Error> {
    Date::constant(1970, 1, 1).checked_add(Span::new().try_days(day)?)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerIn<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    days: Vec<(&'a str, &'a str)>,
    transactions: u64,
    #[serde(default, borrow)]
    profit: Option<&'a str>,
    #[serde(default)]
    products: Vec<SmolStr>,
    labels: Vec<LabelIn>,
}

/// A label as a snapshot writes it: a number, a string or `{"unscored": reason}`.
struct LabelIn(Label);

impl<'de> Deserialize<'de> for LabelIn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LabelVisitor)
    }
}

struct LabelVisitor;

impl<'de> Visitor<'de> for LabelVisitor {
    type Value = LabelIn;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a label: a score (0..=255), a name (a string) or {"unscored": reason}"#)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<LabelIn, E> {
        u8::try_from(value)
            .map(|score| LabelIn(Label::Score(score)))
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(value), &self))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<LabelIn, E> {
        Ok(LabelIn(Label::Name(SmolStr::new(value))))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LabelIn, A::Error> {
        let Some(key) = map.next_key::<Cow<'de, str>>()? else {
            return Err(de::Error::invalid_length(0, &self));
        };
        if key != "unscored" {
            return Err(de::Error::unknown_field(&key, &["unscored"]));
        }
        let why: Unscored = map.next_value()?;
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom(r#"a label has one key, "unscored""#));
        }
        Ok(LabelIn(Label::Unscored(why)))
    }
}

/// One customer, read and checked.
struct Customer {
    id: CustomerId,
    purchases: Accumulator,
    labels: Vec<Label>,
}

/// Reads and checks one customer's line: `today` is the as-of date's day number,
/// `previous` the id on the line before.
fn read_customer(
    line: &[u8],
    dates: &mut DayNumbers,
    today: i32,
    rules: &[ColumnRule],
    previous: Option<&CustomerId>,
) -> Result<Customer, String> {
    if line.trim_ascii().is_empty() {
        return Err("a blank line where a customer goes".into());
    }
    let raw: CustomerIn<'_> = serde_json::from_slice(line).map_err(|e| json_reason(&e))?;
    let id = match CustomerId::new(&raw.id) {
        Ok(id) if id.as_str() == raw.id => id,
        Ok(_) => {
            return Err(format!(
                "id {}: ASCII whitespace around an id",
                quoted(&raw.id)
            ));
        }
        Err(e) => return Err(format!("id {}: {e}", quoted(&raw.id))),
    };
    let at = |reason: String| format!("customer {}: {reason}", quoted(id.as_str()));
    if let Some(previous) = previous
        && *previous >= id
    {
        let order = if *previous == id {
            "twice"
        } else {
            "out of order"
        };
        return Err(at(format!(
            "{order}: customers come once each, in id byte order, and {} came before",
            quoted(previous.as_str())
        )));
    }
    if raw.days.is_empty() {
        return Err(at(
            "days: none (a customer has at least one purchase day)".into()
        ));
    }
    let mut days = Vec::with_capacity(raw.days.len());
    for (i, &(date, amount)) in raw.days.iter().enumerate() {
        let field = |reason: String| at(format!("days[{i}]: {reason}"));
        let day = dates.of(date).map_err(field)?;
        if day > today {
            return Err(field(format!("{date} is after the as-of date")));
        }
        if let Some(&(last, _)) = days.last()
            && last >= day
        {
            return Err(field(format!(
                "{date} does not come after the day before (days are distinct and ascending)"
            )));
        }
        days.push((day, read_decimal(amount).map_err(field)?));
    }
    if raw.transactions < days.len() as u64 {
        return Err(at(format!(
            "transactions: {} is fewer than its {} purchase days",
            raw.transactions,
            days.len()
        )));
    }
    let profit = raw
        .profit
        .map(read_decimal)
        .transpose()
        .map_err(|reason| at(format!("profit: {reason}")))?;
    if let Some(i) = raw.products.windows(2).position(|w| w[0] >= w[1]) {
        return Err(at(format!(
            "products[{}]: {} does not come after {} (products are distinct and sorted)",
            i + 1,
            quoted(&raw.products[i + 1]),
            quoted(&raw.products[i])
        )));
    }
    if raw.labels.len() != rules.len() {
        return Err(at(format!(
            "labels: {} labels for {} columns",
            raw.labels.len(),
            rules.len()
        )));
    }
    let labels: Vec<Label> = raw.labels.into_iter().map(|l| l.0).collect();
    for (i, (label, rule)) in labels.iter().zip(rules).enumerate() {
        rule.check(label)
            .map_err(|reason| at(format!("labels[{i}] ({}): {reason}", rule.column)))?;
    }
    Ok(Customer {
        id,
        purchases: Accumulator {
            days,
            transactions: raw.transactions,
            profit,
            products: raw.products,
        },
        labels,
    })
}

/// A date exactly as a snapshot writes it: `YYYY-MM-DD` (jiff's extended form for
/// years outside 0..=9999).
fn read_date(text: &str) -> Result<Date, String> {
    let date = if text.len() == 10 {
        parse_date(text.as_bytes()).map_err(|e| format!("{}: {e}", quoted(text)))?
    } else {
        let date: Date = text
            .parse()
            .map_err(|_| format!("{} is not a date (YYYY-MM-DD)", quoted(text)))?;
        if date.to_string() != text {
            return Err(format!("{} is not a date (YYYY-MM-DD)", quoted(text)));
        }
        date
    };
    Ok(date)
}

/// A decimal exactly as a snapshot writes it (`-12.50`): never rounded, and no other
/// spelling of it (`+12.50`, `1_2.50`, `1.25e1`).
fn read_decimal(text: &str) -> Result<Decimal, String> {
    let value = Decimal::from_str_exact(text)
        .map_err(|_| format!("{} is not an exact decimal", quoted(text)))?;
    if value.array_string().as_ref() != text {
        return Err(format!(
            "{} is not a decimal as a snapshot writes it (like \"-12.50\")",
            quoted(text)
        ));
    }
    Ok(normalize_zero(value))
}

/// The labels one column can take, worked out once from the pipeline.
struct ColumnRule {
    column: SmolStr,
    labels: Allowed,
}

enum Allowed {
    /// Scores `1..=k`, or no label.
    Scores(u8),
    /// These names, or no label.
    Names(Vec<String>),
    /// Any name, or no label.
    AnyName,
    /// The tags column: a text.
    Tags,
}

/// What each of `columns` can hold: a column no classifier or rule set declares is the
/// `tags` column.
fn column_rules(fitted: &FittedPipeline, columns: &[SmolStr]) -> Vec<ColumnRule> {
    let declared = fitted.column_labels();
    columns
        .iter()
        .map(|column| {
            let labels = match declared.iter().find(|(name, _)| name == column) {
                Some((_, ColumnLabels::Scores(bins))) => Allowed::Scores(*bins),
                Some((_, ColumnLabels::Named { labels, .. })) if labels.is_empty() => {
                    Allowed::AnyName
                }
                Some((_, ColumnLabels::Named { labels, .. })) => Allowed::Names(labels.clone()),
                None => Allowed::Tags,
            };
            ColumnRule {
                column: column.clone(),
                labels,
            }
        })
        .collect()
}

impl ColumnRule {
    /// Whether the column can hold `label`; why not.
    fn check(&self, label: &Label) -> Result<(), String> {
        let shown = || match label {
            Label::Score(score) => format!("score {score}"),
            Label::Name(name) => quoted(name),
            Label::Unscored(_) => "no label".to_string(),
        };
        match (&self.labels, label) {
            (Allowed::Tags, Label::Name(_)) => Ok(()),
            (Allowed::Tags, _) => Err(format!("{} where the tags (a text) go", shown())),
            (_, Label::Unscored(_)) | (Allowed::AnyName, Label::Name(_)) => Ok(()),
            (Allowed::Scores(bins), Label::Score(score)) if (1..=*bins).contains(score) => Ok(()),
            (Allowed::Scores(bins), _) => Err(format!("{} is not a score 1..={bins}", shown())),
            (Allowed::Names(names), Label::Name(name)) if names.iter().any(|n| n == name) => Ok(()),
            (Allowed::Names(names), _) => Err(format!(
                "{} is not one of its labels ({})",
                shown(),
                names.join(", ")
            )),
            (Allowed::AnyName, _) => Err(format!("{} is not a label name", shown())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rust_decimal::dec;

    #[test]
    fn dates_round_trip_at_the_edges_of_the_calendar() {
        for d in [
            date(1970, 1, 1),
            date(2024, 2, 29),
            date(0, 1, 1),
            date(9999, 12, 31),
            date(-9999, 1, 1),
            date(-1, 12, 31),
        ] {
            let written = date_of(day_number(d)).unwrap().to_string();
            assert_eq!(read_date(&written), Ok(d), "{written}");
        }
        for bad in [
            "2026-02-30",
            "2026-3-31",
            "20260331",
            "2026-03-31T00:00",
            " 2026-03-31",
            "",
        ] {
            assert!(read_date(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn decimals_are_read_exactly_as_written_and_no_other_spelling() {
        for value in [
            dec!(12.50),
            dec!(-0.0000000000000000000000000001),
            Decimal::MAX,
            Decimal::MIN,
            dec!(0.00),
        ] {
            let written = normalize_zero(value).to_string();
            let read = read_decimal(&written).unwrap();
            assert_eq!((read, read.scale()), (value, value.scale()), "{written}");
        }
        let minus_zero = dec!(-5.00) + dec!(5.00);
        assert_eq!(
            serde_json::to_string(&Money(minus_zero)).unwrap(),
            "\"0.00\""
        );
        for bad in [
            "-0.00", // a zero is written without a sign
            "+5",
            "1_000",
            "1e3",
            ".5",
            "5.",
            "",
            " 1",
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
        ] {
            assert!(read_decimal(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn labels_are_written_compactly_and_read_back() {
        let labels = [
            Label::Score(5),
            Label::Name("gold".into()),
            Label::Name("".into()),
            Label::Unscored(Unscored::NoPurchases),
            Label::Unscored(Unscored::other("no \"CRM\" record")),
        ];
        let json = serde_json::to_string(&Labels(&labels)).unwrap();
        assert_eq!(
            json,
            r#"[5,"gold","",{"unscored":"no_purchases"},{"unscored":{"other":"no \"CRM\" record"}}]"#
        );
        let back: Vec<LabelIn> = serde_json::from_str(&json).unwrap();
        let back: Vec<Label> = back.into_iter().map(|l| l.0).collect();
        assert_eq!(back, labels);
        for bad in [
            "-1",
            "256",
            "1.5",
            "null",
            "[]",
            "{}",
            r#"{"unscored":"x"}"#,
            r#"{"score":1}"#,
        ] {
            assert!(serde_json::from_str::<LabelIn>(bad).is_err(), "{bad}");
        }
        let two = r#"{"unscored":"no_purchases","more":1}"#;
        assert!(serde_json::from_str::<LabelIn>(two).is_err());
    }
}
