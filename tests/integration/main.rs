//! The integration tests of customer-tiering, built as one test binary (as jiff does):
//! CSV sources and rejects, the `tier` example end to end, SPEC worked examples through
//! the whole pipeline, model JSON round trips, the output directory (SPEC §17), live
//! tiering snapshots, an application's own classifiers and rule logic beside the
//! built-ins (written against the public API only), and property tests of SPEC §3, §4,
//! §11.

mod bad_inputs;
mod csv_source;
mod dialects;
mod doc_examples;
mod example_binary;
mod examples;
mod explain;
mod extensions;
mod output_dir;
mod overflow;
mod own_classifier;
mod pipeline;
mod properties;
mod public_api;
mod reimplemented_builtin;
mod rejects;
mod rules;
mod rust_rules;
mod schemes;
mod serde_roundtrip;
mod snapshot;
mod support;
mod tier_safety;
#[cfg(feature = "workbooks")]
mod workbooks;
mod written_forms;
