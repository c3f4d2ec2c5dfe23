//! Screening names against sanctions and watch lists.
//!
//! The flow: lists are read by `nexus_formats::lists` into
//! [`ListedEntry`](nexus_formats::lists::ListedEntry)s; a [`ScreeningIndex`]
//! analyses every name of every entry once (folding, phonetic keys, name
//! parts, rarity weights) and indexes the parts; a [`Query`] is analysed
//! the same way and its parts retrieve candidate names through the index
//! (never a scan of the list); each candidate is scored by aligning name
//! parts, weighted by rarity, then adjusted by birth date, nationality and
//! document number. Every [`Match`] carries its explanation.
//!
//! [`diff`] compares two versions of a list and re-screens a customer base
//! against only what changed; [`exempt`] routes hits whose counterparty is
//! an exempt humanitarian organisation (UNSCR 2664) to documented review.
//! [`areas`] screens reported places against a risk assessment's high-risk
//! areas with the same name layer.

pub mod areas;
pub mod diff;
pub mod evaluate;
pub mod exempt;
pub mod index;
pub mod matcher;
pub mod parallel;
pub mod query;
pub mod resolve;

pub use diff::{diff_lists, rescreen, ListDiff, RescreenRow, RescreenStatus};
pub use exempt::{Exemption, Exemptions};
pub use index::ScreeningIndex;
pub use matcher::{screen_all, with_top_below, Match, MatchedPart, Screener, DEFAULT_THRESHOLD};
pub use query::{parse_queries, read_queries, Query, QueryProblem};

/// Errors of the screening library.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    #[error(transparent)]
    Format(#[from] nexus_formats::FormatError),
}
