//! One error type for every reader: it always says which file, and where in it.

use std::io;
use std::path::{Path, PathBuf};

/// A problem with an input file. Every variant names the file; those about
/// content name the line (1-based) and the column or element.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: line {line}, column {column} (`{field}`): {message}", path.display())]
    Field {
        path: PathBuf,
        line: u64,
        column: usize,
        field: String,
        message: String,
    },
    #[error("{}: line {line}: {message}", path.display())]
    Line {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: missing column `{column}`; the header has: {found}", path.display())]
    MissingColumn {
        path: PathBuf,
        column: String,
        found: String,
    },
    #[error("{}: line {line}, column {column}: {message}", path.display())]
    Xml {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },
}

impl FormatError {
    pub fn io(path: &Path, source: io::Error) -> FormatError {
        FormatError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The line the error is on, when it is about content.
    pub fn line(&self) -> Option<u64> {
        match self {
            FormatError::Field { line, .. }
            | FormatError::Line { line, .. }
            | FormatError::Xml { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Line and column (1-based, in characters) of a byte offset in `text`.
pub fn line_column(text: &[u8], offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    (line, column)
}
