//! The member's integration tests, built as one binary.

mod examples;
mod learned_grade;
mod rfm_clusters;
mod sqlite_source;
