//! FollowTheMoney entities as JSON lines, the format of OpenSanctions
//! exports (`entities.ftm.json`, `targets.nested.json`): one object per
//! line with `id`, `schema` and `properties` (every property a list).

use super::{
    BirthDate, ListFormat, ListedDocument, ListedEntry, LoadedList, NameQuality, SkippedListEntry,
    SubjectKind,
};
use crate::error::FormatError;
use nexus_model::{countries_in, Country};
use serde_json::Value;
use std::path::Path;

fn strings<'a>(props: &'a Value, key: &str) -> impl Iterator<Item = &'a str> + 'a {
    props
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn kind_of(schema: &str) -> Option<SubjectKind> {
    Some(match schema {
        "Person" => SubjectKind::Person,
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => SubjectKind::Organisation,
        "Vessel" => SubjectKind::Vessel,
        "Airplane" => SubjectKind::Aircraft,
        _ => return None,
    })
}

/// Parses FollowTheMoney JSON lines from memory. Entities of schemata that
/// are not parties (Sanction, Address, Ownership …) are reported as skipped.
pub fn parse_ftm_lines(path: &Path, bytes: &[u8]) -> Result<LoadedList, FormatError> {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = index as u64 + 1;
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: Value = serde_json::from_slice(raw).map_err(|e| FormatError::Xml {
            path: path.to_path_buf(),
            line,
            column: e.column() as u64,
            message: format!("not a JSON object: {e}"),
        })?;
        let id = value.get("id").and_then(Value::as_str).unwrap_or("");
        let schema = value.get("schema").and_then(Value::as_str).unwrap_or("");
        if id.is_empty() {
            skipped.push(SkippedListEntry {
                line,
                id: String::new(),
                reason: "entity without `id`".into(),
            });
            continue;
        }
        let Some(kind) = kind_of(schema) else {
            skipped.push(SkippedListEntry {
                line,
                id: id.to_string(),
                reason: format!("schema `{schema}` is not a party to screen"),
            });
            continue;
        };
        let empty = Value::Null;
        let props = value.get("properties").unwrap_or(&empty);
        let mut e = ListedEntry::new(id, kind);
        e.line = line;
        if let Some(caption) = value.get("caption").and_then(Value::as_str) {
            e.add_name(caption, NameQuality::Primary);
        }
        for n in strings(props, "name") {
            let q = if e.names.is_empty() {
                NameQuality::Primary
            } else {
                NameQuality::Good
            };
            e.add_name(n, q);
        }
        for n in strings(props, "alias") {
            e.add_name(n, NameQuality::Good);
        }
        for n in strings(props, "previousName") {
            e.add_name(n, NameQuality::Former);
        }
        for n in strings(props, "weakAlias") {
            e.add_name(n, NameQuality::Weak);
        }
        for d in strings(props, "birthDate") {
            e.birth_dates.extend(BirthDate::parse_loose(d));
        }
        for key in ["nationality", "citizenship"] {
            for c in strings(props, key) {
                add_country(&mut e.nationalities, c);
            }
        }
        for key in ["country", "jurisdiction", "birthCountry", "mainCountry"] {
            for c in strings(props, key) {
                add_country(&mut e.countries, c);
            }
        }
        for key in [
            "idNumber",
            "passportNumber",
            "registrationNumber",
            "taxNumber",
            "imoNumber",
        ] {
            for n in strings(props, key) {
                e.documents.push(ListedDocument {
                    kind: key.to_string(),
                    number: n.to_string(),
                    country: None,
                });
            }
        }
        for p in strings(props, "program").chain(strings(props, "programId")) {
            e.programmes.push(p.to_string());
        }
        e.reference = strings(props, "programId")
            .chain(strings(props, "program"))
            .next()
            .unwrap_or("")
            .to_string();
        if e.names.is_empty() {
            skipped.push(SkippedListEntry {
                line,
                id: e.id,
                reason: "entity without a name".into(),
            });
        } else {
            entries.push(e);
        }
    }
    Ok(LoadedList {
        path: path.to_path_buf(),
        format: ListFormat::FollowTheMoney,
        generated: String::new(),
        entries,
        skipped,
    })
}

/// FtM writes countries as lower-case ISO codes (`af`, `ru`).
fn add_country(list: &mut Vec<Country>, text: &str) {
    let found = if text.len() == 2 {
        Country::parse(&text.to_ascii_uppercase())
            .into_iter()
            .collect()
    } else {
        countries_in(text)
    };
    for c in found {
        if !list.contains(&c) {
            list.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entities_and_reports_the_rest() {
        let data = br#"{"id":"NK-1","schema":"Person","caption":"Jamshed Rahimov","properties":{"name":["Jamshed Rahimov"],"alias":["Dzhamshed Rakhimov"],"weakAlias":["Jama"],"birthDate":["1984-03"],"nationality":["tj"],"passportNumber":["400123456"]}}
{"id":"S-1","schema":"Sanction","properties":{}}

{"id":"C-1","schema":"Company","properties":{"name":["Northern Trade LLC"],"jurisdiction":["kg"]}}
"#;
        let l = parse_ftm_lines(Path::new("x.json"), data).unwrap();
        assert_eq!(l.entries.len(), 2);
        assert_eq!(l.entries[0].names.len(), 3);
        assert_eq!(l.entries[0].nationalities[0].as_str(), "TJ");
        assert_eq!(l.entries[1].kind, SubjectKind::Organisation);
        assert_eq!(l.skipped.len(), 1);
        assert_eq!(l.skipped[0].line, 2);
        let err = parse_ftm_lines(Path::new("x.json"), b"{\"id\":1,\n{oops").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
