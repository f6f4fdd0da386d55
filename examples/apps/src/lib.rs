//! Examples a user of [`customer_tiering`] would copy, each a small library module with
//! tests and a runnable program in `examples/`:
//!
//! | module | shows | run it |
//! |---|---|---|
//! | [`sqlite_source`] | a [`Source`](customer_tiering::source::Source) over a real SQLite table, rejects naming database, table and rowid | `cargo run -p customer-tiering-apps --release --example sqlite_source` |
//! | [`learned_grade`] | a decision tree (linfa-trees) as a classifier of its own (kind `learned_grade`): learns managers' A/B/C/D grades, grades everyone else in a pipeline beside Pareto metals and a rule set reading its column, explains each grade by its path; saved and loaded through a registry | `cargo run -p customer-tiering-apps --release --example learned_grade` |
//! | [`rfm_clusters`] | k-means (linfa-clustering) on standardised R, F, M as a classifier of its own (kind `rfm_kmeans`) with stable cluster numbers | `cargo run -p customer-tiering-apps --release --example rfm_clusters` |
//!
//! This crate is a workspace member of its own so that the library and its quickstart
//! never build SQLite or linfa. The two learned classifiers are what the library calls
//! an application's own classifier: settings implementing
//! [`Classifier`](customer_tiering::classify::Classifier) (serde, validated before any
//! data is seen) and a fitted model of our own type implementing
//! [`Model`](customer_tiering::classify::Model) (serde, `Clone`, `PartialEq`), which
//! labels and explains one [`Profile`](customer_tiering::Profile) and cannot fail. A
//! [`PipelineBuilder`](customer_tiering::PipelineBuilder) takes them as it takes the
//! built-ins; a saved pipeline that holds them loads through [`registry`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod learned_grade;
pub mod rfm_clusters;
pub mod rng;
pub mod sqlite_source;

use customer_tiering::Registry;

/// The built-in kinds and this crate's two: `learned_grade`
/// ([`TreeParams`](learned_grade::TreeParams)) and `rfm_kmeans`
/// ([`ClusterParams`](rfm_clusters::ClusterParams)). Pass it to
/// [`FittedPipeline::from_json_with`](customer_tiering::FittedPipeline::from_json_with)
/// to load a pipeline that holds either.
///
/// # Example
/// ```
/// let kinds: Vec<&str> = customer_tiering_apps::registry().kinds().collect();
/// assert_eq!(kinds, ["composite", "grade", "learned_grade", "lifecycle", "pareto", "rfm", "rfm_kmeans"]);
/// ```
pub fn registry() -> Registry {
    Registry::builtin()
        .register::<learned_grade::TreeParams>()
        .and_then(|r| r.register::<rfm_clusters::ClusterParams>())
        .expect("two well-formed kinds the built-ins do not have")
}
