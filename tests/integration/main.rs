//! The integration tests of customer-tiering, built as one test binary (as jiff does): CSV
//! sources and rejects, the `tier` example end to end, the worked examples of
//! [`definitions`](customer_tiering::definitions) through the whole pipeline, model JSON
//! round trips, the output directory ([output
//! safety](customer_tiering::definitions#output-safety)), live tiering snapshots, an
//! application's own classifiers and rule logic beside the built-ins (written against the
//! public API only), and property tests of [quantile
//! scores](customer_tiering::definitions#quantile-scores), [Pareto
//! tiers](customer_tiering::definitions#pareto-tiers-and-abc),
//! [determinism](customer_tiering::definitions#determinism).

mod bad_inputs;
mod charts;
mod csv_source;
mod dialects;
mod doc_examples;
mod example_binary;
mod examples;
mod explain;
mod extensions;
mod golden;
mod languages;
mod management;
mod output_dir;
mod overflow;
mod own_classifier;
mod pipeline;
mod properties;
mod public_api;
mod reimplemented_builtin;
mod rejects;
mod report_html;
mod rules;
mod rust_rules;
mod schemes;
mod serde_roundtrip;
mod snapshot;
mod support;
mod tier_safety;
mod words;
#[cfg(feature = "workbooks")]
mod workbooks;
mod written_forms;
#[cfg(all(feature = "xlsx", feature = "workbooks"))]
mod xlsx;
