//! The FIU's application: every use case of the service, without HTTP.
//!
//! The server (`nexus-server`) turns requests into calls of this crate and
//! its answers into pages and JSON; the command line (`nexus`) calls the
//! same functions for the same jobs (creating users and tokens, loading
//! lists, anchoring and verifying the audit log, backups, moving an FIU to
//! PostgreSQL). The engines (formats, names, screening, graph, exchange)
//! know nothing of this crate; the store knows SQL and nothing of the rules
//! kept here (who may read what, four eyes, what a reporting entity is told).
//!
//! - `auth`, `accounts`, `signin`: roles, who is calling, passwords and
//!   tokens, sign-in limits;
//! - `purpose`: which records a stated purpose opens;
//! - `alerts`, `clearances`, `cases`: triage, redress with four eyes, cases
//!   with their entities, freezes, documents and dissemination;
//! - `intake`, `processing`, `bulk`: reports and payment data in;
//!   screening and detection over what came in;
//! - `lists`: loading lists and re-screening every entity;
//! - `retention`: the purge within its limits;
//! - `anchor`: signed checkpoints of the audit log;
//! - `areas`: the high-risk areas of the risk assessment, and the places
//!   reported subjects live in; `predicate`: accounts tied to predicate
//!   offences, where nexus paths start; `detection_lists`: how a
//!   supervisor keeps both (stored, replaced, audited);
//! - `ops`: `doctor`, backups and restores, moving an FIU between databases;
//! - `exchange`: the FIU's identity and its partners;
//! - `limits`: every limit on outside input, with its default.

pub mod accounts;
pub mod alerts;
pub mod anchor;
pub mod areas;
pub mod auth;
pub mod batches;
pub mod bulk;
pub mod cases;
pub mod clearances;
pub mod detection;
pub mod detection_lists;
pub mod error;
pub mod exchange;
pub mod intake;
pub mod limits;
pub mod lists;
pub mod ops;
pub mod predicate;
pub mod processing;
pub mod purpose;
pub mod retention;
pub mod screening;
pub mod sessions;
pub mod signin;
pub mod streaming;

pub use error::FiuError;
pub use limits::Limits;

/// The setting that holds what the sign-in page tells a newcomer to a
/// demonstration FIU (set by `nexus demo`; absent in production).
pub const DEMO_WELCOME: &str = "demo.welcome";
