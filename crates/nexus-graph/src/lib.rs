//! Typology detection in a temporal multigraph of transactions.
//!
//! Transactions become edges of a [`TemporalGraph`] (CSR arrays in both
//! directions, edges in time order, amounts also in US dollars so that
//! flows in different currencies compare). [`rules`] mines the shapes of
//! laundering and terrorist financing within time windows and explains
//! each alert in words; [`features`] computes per-transaction graph
//! features; [`gbdt`] is a small gradient-boosted tree learner that scores
//! transactions on those features.
//!
//! The crate knows nothing of files: the binary reads transactions with
//! `nexus-formats` and feeds them to a [`GraphBuilder`].

pub mod evaluate;
pub mod features;
pub mod gbdt;
pub mod gfp;
pub mod graph;
mod layering;
pub mod rules;
pub mod stream;
pub mod training;
pub mod triage;

pub use graph::{BuildReport, GraphBuilder, Rejected, TemporalGraph};
pub use rules::{detect, Alert, DetectConfig};
