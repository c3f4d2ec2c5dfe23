//! Who is screened: a name with what else is known of the subject, read
//! from a CSV with columns `id,name` and optionally `birth_date`, `country`,
//! `kind` (person / organisation), `document` and `counterparty` (the other
//! party of the payment, checked against humanitarian exemptions).

use nexus_formats::lists::{BirthDate, SubjectKind};
use nexus_formats::table::Table;
use nexus_formats::FormatError;
use nexus_model::{countries_in, Country};
use std::path::Path;

/// One name to screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub id: String,
    pub name: String,
    pub birth_date: Option<BirthDate>,
    pub country: Option<Country>,
    pub kind: SubjectKind,
    pub document: String,
    pub counterparty: String,
    /// Line in the queries file (0 when built in code).
    pub line: u64,
}

impl Query {
    /// A query with a name only.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Query {
        Query {
            id: id.into(),
            name: name.into(),
            birth_date: None,
            country: None,
            kind: SubjectKind::Unknown,
            document: String::new(),
            counterparty: String::new(),
            line: 0,
        }
    }
}

/// Something wrong with a row of the queries file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryProblem {
    pub line: u64,
    pub id: String,
    pub message: String,
    /// The row was not screened at all (otherwise only a field was ignored).
    pub rejected: bool,
}

/// Reads a queries CSV. A missing `id` or `name` column is an error naming
/// the column; a row without a name is rejected and reported; an
/// unreadable birth date, country or kind is reported and the name is
/// screened without it (a sanctions check is never skipped for a detail).
pub fn read_queries(path: &Path) -> Result<(Vec<Query>, Vec<QueryProblem>), FormatError> {
    let bytes = std::fs::read(path).map_err(|e| FormatError::io(path, e))?;
    parse_queries(path, &bytes)
}

/// [`read_queries`] from memory; `path` is what errors name.
pub fn parse_queries(
    path: &Path,
    bytes: &[u8],
) -> Result<(Vec<Query>, Vec<QueryProblem>), FormatError> {
    let mut table = Table::from_reader(path, bytes)?;
    let id = table.column("id")?;
    let name = table.column("name")?;
    let birth = table.optional_column("birth_date");
    let country = table.optional_column("country");
    let kind = table.optional_column("kind");
    let document = table.optional_column("document");
    let counterparty = table.optional_column("counterparty");
    let mut queries = Vec::new();
    let mut problems = Vec::new();
    while let Some(row) = table.next_row()? {
        let line = row.line();
        let qid = row.get(id).trim().to_string();
        let mut problem = |message: String, rejected: bool| {
            problems.push(QueryProblem {
                line,
                id: qid.clone(),
                message,
                rejected,
            })
        };
        let text = row.get(name).trim();
        if text.is_empty() {
            problem("empty name: not screened".into(), true);
            continue;
        }
        let mut q = Query::new(qid.clone(), text);
        q.line = line;
        let b = row.get_opt(birth).trim();
        if !b.is_empty() {
            q.birth_date = BirthDate::parse_loose(b);
            if q.birth_date.is_none() {
                problem(
                    format!("birth_date `{b}` is not a date or year: ignored"),
                    false,
                );
            }
        }
        let c = row.get_opt(country).trim();
        if !c.is_empty() {
            q.country = Country::from_name(c).or_else(|| countries_in(c).into_iter().next());
            if q.country.is_none() {
                problem(
                    format!("country `{c}` is not a known country: ignored"),
                    false,
                );
            }
        }
        let k = row.get_opt(kind);
        match SubjectKind::parse(k) {
            Some(kind) => q.kind = kind,
            None => problem(
                format!("kind `{k}` is not person or organisation: ignored"),
                false,
            ),
        }
        q.document = row.get_opt(document).trim().to_string();
        q.counterparty = row.get_opt(counterparty).trim().to_string();
        queries.push(q);
    }
    Ok((queries, problems))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_and_reports() {
        let dir = std::env::temp_dir().join(format!("nexus-q-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("q.csv");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(f, "id,name,birth_date,country").unwrap();
        writeln!(f, "1,Jamshed Rahimov,1984-03-02,Tajikistan").unwrap();
        writeln!(f, "2,,1984,TJ").unwrap();
        writeln!(f, "3,Usmon Kurbonov,someday,Atlantis").unwrap();
        drop(f);
        let (q, problems) = read_queries(&path).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(
            q[0].country.map(|c| c.as_str().to_string()),
            Some("TJ".into())
        );
        assert_eq!(problems.len(), 3);
        assert!(problems[0].rejected && problems[0].line == 3);
        assert!(!problems[1].rejected);
        std::fs::write(&path, "id,fullname\n1,x\n").unwrap();
        let err = read_queries(&path).unwrap_err().to_string();
        assert!(err.contains("missing column `name`"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
