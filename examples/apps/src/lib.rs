//! Examples a user of [`customer_tiering`] would copy, each a small library module with
//! tests and a runnable program in `examples/`:
//!
//! | module | shows | run it |
//! |---|---|---|
//! | [`sqlite_source`] | a [`Source`](customer_tiering::source::Source) over a real SQLite table, rejects naming table and rowid | `cargo run -p customer-tiering-apps --release --example sqlite_source` |
//! | [`learned_grade`] | a decision tree (linfa-trees) learns managers' A/B/C/D grades, then grades everyone else and explains why | `cargo run -p customer-tiering-apps --release --example learned_grade` |
//! | [`rfm_clusters`] | k-means (linfa-clustering) on standardised R, F, M as a classifier with stable cluster numbers | `cargo run -p customer-tiering-apps --release --example rfm_clusters` |
//!
//! This crate is a workspace member of its own so that the library and its quickstart
//! never build SQLite or linfa. Each core is plain functions over plain data: settings
//! (serde), a fitted result of our own (serde, `Clone`, `PartialEq`) and functions that
//! classify and explain one [`Profile`](customer_tiering::Profile).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod learned_grade;
pub mod rfm_clusters;
pub mod rng;
pub mod sqlite_source;
