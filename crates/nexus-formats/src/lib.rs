//! Readers and writers of the formats of the field.
//!
//! Every reader returns [`FormatError`]s that name the file and the line and
//! column (CSV) or line and column (XML) of the problem; none panics on input.
//! Writers produce files the matching reader (and the real tools of the field)
//! read back.

pub mod amlsim;
pub mod amlworld;
pub mod dataset;
pub mod error;
pub mod goaml;
pub mod goaml_intake;
pub mod interchange;
pub mod lists;
pub mod table;
pub mod unlist;
pub mod xml;

pub use dataset::{convert_amlsim, convert_amlworld, ConvertSummary, DatasetError, StagedDir};
pub use error::FormatError;
