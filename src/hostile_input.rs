//! # Hostile input: what is accepted, rejected or refused
//!
//! Files that reach a tiering come from exports, hand edits and mistakes. The crate
//! never guesses what a value meant and never loses a line silently. Every input falls
//! in one of four classes:
//!
//! - **accepted**: read as data, exactly;
//! - **rejected**: one record is set aside with its source, line, field, raw value and
//!   reason, and counted (`read = accepted + rejected`, always). Under
//!   [`OnInvalid::Fail`](crate::source::OnInvalid::Fail) the first reject stops the run;
//!   under [`OnInvalid::Skip`](crate::source::OnInvalid::Skip) the run goes on, and
//!   [`report::rejected_rows`](crate::report::rejected_rows) warns how many were set aside;
//! - **refused**: the whole file or setting cannot be used, and the run stops under
//!   either policy, naming what and where;
//! - **warned**: legal, but a tier would mislead without a word ([`report::warnings`](crate::report::warnings)).
//!
//! ## How a file is read
//!
//! A transactions file is read one physical line at a time (`\n`, or `\r\n`). No field
//! of a transactions file spans lines: a line that ends inside a quoted field is
//! rejected as `multiline_field`, and reading resumes on the next line, so a stray `"`
//! costs one line, never the rest of the file. Every non-empty physical line after the
//! header is exactly one record, counted once in `read`. A customers file may hold line
//! breaks inside quoted fields (CRM notes do), but a quote still open at the end of the
//! file refuses the file, naming the line where the record began. A record longer than
//! 1 MiB is rejected as `record_too_long` before anything else is looked at, without
//! being held in memory: reading needs 1 MiB plus fixed buffers, whatever the file
//! holds. A raw value longer than 200 bytes is shown cut to its first 200 bytes, `…`
//! and its full length ([`error::shown_value`](crate::error::shown_value)), in errors
//! and in `rejects.csv` alike.
//!
//! ## Accepted
//!
//! | input | read as |
//! |---|---|
//! | a UTF-8 byte-order mark at the start of the file; `\r\n` line ends | nothing; a line end |
//! | empty lines | nothing (not records, not counted) |
//! | `2011-12-09T23:30:00-05:00`, `2011-12-09 12:50` | 2011-12-09: a time and a zone are ignored, the date never shifted |
//! | ` 12.50 ` | 12.50 (ASCII spaces around a value are trimmed; the scale is kept) |
//! | `-0.00` | zero |
//! | 28 significant digits, `0000001.5` | exactly (leading zeros do not count) |
//! | `"Smith, Jane"` | one field, quotes removed (RFC 4180; `""` is a quote) |
//! | extra columns; several columns without a name | ignored |
//! | an id of 128 bytes | that id (case-sensitive, compared as bytes) |
//!
//! ## Rejected (a record set aside, with its reason)
//!
//! | input | field, reason |
//! |---|---|
//! | `2026-02-30`, `2025-02-29`, `2026-13-01` | `date`: no such calendar day |
//! | `26-01-05`, `2026/01/05`, `05.01.2026`, `2026-1-5`, `2011-12-09Z` | `date`: not of the form `YYYY-MM-DD` (then `T` or a space) |
//! | `1,000`, `"1,890.00"`, `1 890.00`, `12,50` | `amount`: grouping and decimal commas are not guessed |
//! | `$5`, `5 EUR`, `€5` | `amount`: no currency |
//! | `1e3`, `NaN`, `inf`, `+5`, `.5`, `5.`, `--5` | `amount`: not `-?[0-9]+(\.[0-9]+)?` |
//! | 29 significant digits | `amount`: it cannot be held exactly |
//! | an empty or blank id, date or amount | that field |
//! | an id over 128 bytes; bytes that are not UTF-8 | that field |
//! | too few or too many fields (a trailing comma is one more; a lone `\r` is data, not a line end) | `record`: expected N fields, found M |
//! | a transactions line ending inside a quote | `record`: `multiline_field` |
//! | a record over 1 MiB | `record`: `record_too_long` |
//! | a second customers record for one id | `customer_id`: duplicate (the first is kept) |
//! | a known attribute outside its type (`status = lead`) | that attribute |
//!
//! ## Refused (the run stops, under either policy)
//!
//! | input | error |
//! |---|---|
//! | a header without a required column (an empty file has an empty header) | [`Error::MissingColumn`](crate::Error::MissingColumn) |
//! | a column named twice in any header (after trimming) | [`Error::Malformed`](crate::Error::Malformed), naming both positions |
//! | a header over 1 MiB, or ending inside a quote; a customers quote open at the end | [`Error::Malformed`](crate::Error::Malformed), naming the line |
//! | a file that cannot be read | [`Error::Io`](crate::Error::Io) |
//! | nobody bought anything by the as-of date (fitting or applying a model) | [`Error::EmptyPopulation`](crate::Error::EmptyPopulation) |
//! | settings that cannot work: bands not summing to 100 %, a rule that reads an unknown column or label, a column named like a metric or another column, a segment map written for other bins | [`Error::Config`](crate::Error::Config), [`Error::Rule`](crate::Error::Rule) |
//! | a saved model of another `format_version`, whose rule sets read columns or labels its models do not have, or whose models break their own invariants | [`Error::Parse`](crate::Error::Parse) on load, its `source` the failed check ([`ConfigError::Format`](crate::ConfigError::Format), [`ConfigError::SavedModel`](crate::ConfigError::SavedModel), [`Error::Rule`](crate::Error::Rule) …) |
//! | a previous `tiers.csv` with a label its column cannot take | [`Error::Reject`](crate::Error::Reject), naming the line |
//! | an output directory another run holds | [`Error::Locked`](crate::Error::Locked) |
//! | a sum beyond the decimal range | [`Error::Overflow`](crate::Error::Overflow), naming the customer or the column total |
//!
//! ## Warned
//!
//! Rows rejected under skip (`rejected_rows`), a segment map that leaves score cells to
//! its fallback or has rules that can never fire (`segment_map_coverage`), too few
//! buyers, empty scores and bands, a single distinct value, heavy missing-data fills:
//! see [`report::warnings`](crate::report::warnings).
//!
//! ## Output
//!
//! [`output::OutputDir`](crate::output::OutputDir) writes a run all or nothing: under
//! temporary names, renamed into place when the run has succeeded, `summary.json` last;
//! files of an earlier run that this one did not write are removed; one run at a time
//! holds the directory. A killed run or a full disk leaves the previous files whole.
//!
//! # Example
//! ```
//! use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
//! use customer_tiering::{Location, PopulationBuilder};
//! use jiff::civil::date;
//!
//! // Line 3 opens a quote it never closes; line 4 has a grouped amount.
//! let data = "customer_id,date,amount\n\
//!             C1,2026-03-01,10.00\n\
//!             C2,2026-03-02,\"20.00\n\
//!             C3,2026-03-03,\"1,890.00\"\n\
//!             C4,2026-03-04T23:30:00-05:00,-0.00\n";
//! let source = CsvTransactions::from_reader("orders.csv", data.as_bytes(), &ColumnMapping::default())?;
//! let mut rejects = Vec::new();
//! let builder = PopulationBuilder::new(date(2026, 3, 31));
//! let ingested = ingest(source, builder, OnInvalid::Skip, |r| rejects.push(r.clone()))?;
//! let s = ingested.summary;
//! assert_eq!((s.read, s.accepted, s.rejected), (4, 2, 2)); // four lines, four records
//! assert_eq!(rejects[0].location(), &Location::line("orders.csv", 3));
//! assert_eq!(rejects[0].reason(), "multiline_field");
//! assert_eq!((rejects[1].location(), rejects[1].field()), (&Location::line("orders.csv", 4), "amount"));
//! assert_eq!(ingested.population.get("C4").unwrap().recency_days, Some(27)); // the 4th
//! # Ok::<(), customer_tiering::Error>(())
//! ```
