//! A plain CSV for national lists and internal watch lists. Header columns
//! (only `name` is required): `id`, `name`, `aliases` (separated by `;`),
//! `weak_aliases`, `kind` (person / organisation), `birth_date`,
//! `nationality`, `country`, `document`, `reference`, `programme`.

use super::{
    BirthDate, ListFormat, ListedDocument, ListedEntry, LoadedList, NameQuality, SkippedListEntry,
    SubjectKind,
};
use crate::error::FormatError;
use crate::table::Table;
use nexus_model::countries_in;
use std::path::Path;

/// Parses a plain CSV list from memory.
pub fn parse_plain_csv(path: &Path, bytes: &[u8]) -> Result<LoadedList, FormatError> {
    let mut table = Table::from_reader(path, bytes)?;
    let name = table.column("name")?;
    let id = table.optional_column("id");
    let aliases = table.optional_column("aliases");
    let weak = table.optional_column("weak_aliases");
    let kind = table
        .optional_column("kind")
        .or_else(|| table.optional_column("type"));
    let birth = table.optional_column("birth_date");
    let nationality = table.optional_column("nationality");
    let country = table.optional_column("country");
    let document = table.optional_column("document");
    let reference = table.optional_column("reference");
    let programme = table
        .optional_column("programme")
        .or_else(|| table.optional_column("program"));
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    while let Some(row) = table.next_row()? {
        let line = row.line();
        let entry_id = match row.get_opt(id).trim() {
            "" => format!("line-{line}"),
            v => v.to_string(),
        };
        let kind_text = row.get_opt(kind);
        let Some(k) = SubjectKind::parse(kind_text) else {
            skipped.push(SkippedListEntry {
                line,
                id: entry_id,
                reason: format!("kind `{kind_text}` is not person or organisation"),
            });
            continue;
        };
        let mut e = ListedEntry::new(entry_id, k);
        e.line = line;
        e.add_name(row.get(name), NameQuality::Primary);
        for a in row.get_opt(aliases).split(';') {
            e.add_name(a, NameQuality::Good);
        }
        for a in row.get_opt(weak).split(';') {
            e.add_name(a, NameQuality::Weak);
        }
        let birth_text = row.get_opt(birth).trim();
        if !birth_text.is_empty() {
            match BirthDate::parse_loose(birth_text) {
                Some(d) => e.birth_dates.push(d),
                None => {
                    skipped.push(SkippedListEntry {
                        line,
                        id: e.id,
                        reason: format!("birth_date `{birth_text}` is not a date or year"),
                    });
                    continue;
                }
            }
        }
        e.nationalities = countries_in(row.get_opt(nationality));
        e.countries = countries_in(row.get_opt(country));
        let doc = row.get_opt(document).trim();
        if !doc.is_empty() {
            e.documents.push(ListedDocument {
                kind: "document".into(),
                number: doc.to_string(),
                country: None,
            });
        }
        e.reference = row.get_opt(reference).trim().to_string();
        let p = row.get_opt(programme).trim();
        if !p.is_empty() {
            e.programmes.push(p.to_string());
        }
        if e.names.is_empty() {
            skipped.push(SkippedListEntry {
                line,
                id: e.id,
                reason: "empty name".into(),
            });
        } else {
            entries.push(e);
        }
    }
    Ok(LoadedList {
        path: path.to_path_buf(),
        format: ListFormat::PlainCsv,
        generated: String::new(),
        entries,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_reports() {
        let csv = "id,name,aliases,kind,birth_date,nationality\n\
                   N1,Jamshed Rahimov,Джамшед Рахимов;J. Rahimov,person,1984,Tajikistan\n\
                   N2,,,person,,\n\
                   N3,Somebody,,robot,,\n\
                   N4,Other,,person,soon,\n";
        let l = parse_plain_csv(Path::new("n.csv"), csv.as_bytes()).unwrap();
        assert_eq!(l.entries.len(), 1);
        assert_eq!(l.entries[0].names.len(), 3);
        assert_eq!(l.skipped.len(), 3);
        assert_eq!(l.skipped[1].line, 4);
        let err = parse_plain_csv(Path::new("n.csv"), b"id,title\n1,x\n").unwrap_err();
        assert!(err.to_string().contains("missing column `name`"), "{err}");
    }
}
