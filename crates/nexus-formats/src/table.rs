//! A header-addressed CSV reader that turns every problem into a
//! [`FormatError`] naming file, line, column and field.

use crate::error::FormatError;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// A CSV file read row by row, columns looked up by header name.
pub struct Table<R: Read = BufReader<File>> {
    path: PathBuf,
    reader: csv::Reader<R>,
    header: Vec<String>,
    record: csv::StringRecord,
}

impl Table {
    /// Opens `path` and reads its header row.
    pub fn open(path: &Path) -> Result<Table, FormatError> {
        let file = File::open(path).map_err(|e| FormatError::io(path, e))?;
        Table::from_reader(path, BufReader::with_capacity(1 << 20, file))
    }
}

impl<R: Read> Table<R> {
    /// Reads from any reader; `path` is what errors name.
    pub fn from_reader(path: &Path, inner: R) -> Result<Table<R>, FormatError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(inner);
        let header = reader
            .headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        Ok(Table {
            path: path.to_path_buf(),
            reader,
            header,
            record: csv::StringRecord::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The index of a column that must be present.
    pub fn column(&self, name: &str) -> Result<usize, FormatError> {
        self.optional_column(name)
            .ok_or_else(|| FormatError::MissingColumn {
                path: self.path.clone(),
                column: name.to_string(),
                found: self.header.join(","),
            })
    }

    /// The index of a column that may be absent.
    pub fn optional_column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Advances to the next row; `Ok(None)` at the end.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, FormatError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                if self.record.len() != self.header.len() {
                    return Err(FormatError::Line {
                        path: self.path.clone(),
                        line,
                        message: format!(
                            "expected {} fields as in the header, found {}",
                            self.header.len(),
                            self.record.len()
                        ),
                    });
                }
                Ok(Some(Row {
                    path: &self.path,
                    header: &self.header,
                    record: &self.record,
                    line,
                }))
            }
            Err(e) => Err(csv_error(&self.path, e)),
        }
    }
}

/// One data row.
pub struct Row<'a> {
    path: &'a Path,
    header: &'a [String],
    record: &'a csv::StringRecord,
    line: u64,
}

impl<'a> Row<'a> {
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The raw text of column `index` (trimmed).
    pub fn get(&self, index: usize) -> &'a str {
        self.record.get(index).unwrap_or("").trim()
    }

    /// The text of an optional column, empty when the column is absent.
    pub fn get_opt(&self, index: Option<usize>) -> &'a str {
        index.map_or("", |i| self.get(i))
    }

    /// An error about column `index` of this row.
    pub fn error(&self, index: usize, message: impl Into<String>) -> FormatError {
        FormatError::Field {
            path: self.path.to_path_buf(),
            line: self.line,
            column: index + 1,
            field: self.header.get(index).cloned().unwrap_or_default(),
            message: message.into(),
        }
    }

    /// Column `index`, which must not be empty.
    pub fn required(&self, index: usize) -> Result<&'a str, FormatError> {
        let v = self.get(index);
        if v.is_empty() {
            Err(self.error(index, "is empty"))
        } else {
            Ok(v)
        }
    }

    /// Parses column `index` with `parse`, turning its error into a field error.
    pub fn parse<T, E: std::fmt::Display>(
        &self,
        index: usize,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, FormatError> {
        parse(self.get(index)).map_err(|e| self.error(index, e.to_string()))
    }
}

fn csv_error(path: &Path, e: csv::Error) -> FormatError {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("invalid UTF-8 in field {}", err.field() + 1)
        }
        csv::ErrorKind::Io(io) => {
            return FormatError::io(path, std::io::Error::new(io.kind(), io.to_string()))
        }
        _ => e.to_string(),
    };
    FormatError::Line {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// Appends one CSV field to `out`, quoting it when it must be.
pub fn push_field(out: &mut Vec<u8>, field: &str) {
    if field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for b in field.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

/// Appends a whole CSV line.
pub fn push_line(out: &mut Vec<u8>, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_field(out, f);
    }
    out.push(b'\n');
}
