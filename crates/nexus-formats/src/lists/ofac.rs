//! OFAC SDN list, legacy CSV: `sdn.csv` (one row per subject, no header,
//! `-0-` for empty), and beside it `alt.csv` (aliases), `add.csv`
//! (addresses) and `sdn_comments.csv` (remarks too long for `sdn.csv`).
//!
//! OFAC keeps much of what identifies a subject inside the free-text
//! remarks: `DOB 01 Jan 1970; alt. DOB 1971; nationality Afghanistan;
//! Passport A1234567 (Pakistan); Digital Currency Address - XBT 1A1z…;
//! a.k.a. 'ABU X'`. The reader takes them out.

use super::{
    BirthDate, ListFormat, ListedDocument, ListedEntry, LoadedList, NameQuality, SkippedListEntry,
    SubjectKind,
};
use crate::error::FormatError;
use nexus_model::countries_in;
use std::collections::HashMap;
use std::path::Path;

const EMPTY: &str = "-0-";

fn field(record: &csv::StringRecord, i: usize) -> &str {
    let v = record.get(i).unwrap_or("").trim();
    if v == EMPTY {
        ""
    } else {
        v
    }
}

/// Reads headerless OFAC CSV rows of a file, calling `each` with the line
/// and record.
fn read_rows(
    path: &Path,
    each: impl FnMut(u64, &csv::StringRecord) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let file = std::fs::File::open(path).map_err(|e| FormatError::io(path, e))?;
    rows_of(path, std::io::BufReader::new(file), each)
}

/// Headerless OFAC CSV rows from any reader; `path` is what errors name.
fn rows_of(
    path: &Path,
    input: impl std::io::Read,
    mut each: impl FnMut(u64, &csv::StringRecord) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                // The file ends with a control-Z in some OFAC releases.
                if record.len() == 1 && field(&record, 0).trim_matches('\u{1a}').is_empty() {
                    continue;
                }
                each(record.position().map_or(line, |p| p.line()), &record)?
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                return Err(FormatError::Line {
                    path: path.to_path_buf(),
                    line,
                    message: e.to_string(),
                });
            }
        }
    }
}

/// Parses the content of an `sdn.csv` alone (no alias or address files).
pub fn parse_ofac_sdn(path: &Path, bytes: &[u8]) -> Result<LoadedList, FormatError> {
    read_sdn(path, bytes, false)
}

/// Reads `sdn.csv` and, when present beside it, `alt.csv`, `add.csv` and
/// `sdn_comments.csv`.
pub fn read_ofac_sdn(sdn: &Path) -> Result<LoadedList, FormatError> {
    let bytes = std::fs::read(sdn).map_err(|e| FormatError::io(sdn, e))?;
    read_sdn(sdn, &bytes, true)
}

fn read_sdn(sdn: &Path, bytes: &[u8], with_siblings: bool) -> Result<LoadedList, FormatError> {
    let dir = sdn.parent().unwrap_or(Path::new("."));
    let mut entries: Vec<ListedEntry> = Vec::new();
    let mut remarks: Vec<String> = Vec::new();
    let mut skipped = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    rows_of(sdn, bytes, |line, r| {
        let id = field(r, 0);
        let name = field(r, 1);
        if r.len() < 4 {
            return Err(FormatError::Line {
                path: sdn.to_path_buf(),
                line,
                message: format!(
                    "expected 12 columns (ent_num, SDN_Name, SDN_Type, Program, …), found {}",
                    r.len()
                ),
            });
        }
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            skipped.push(SkippedListEntry {
                line,
                id: id.to_string(),
                reason: format!("ent_num `{id}` is not a number"),
            });
            return Ok(());
        }
        if name.is_empty() {
            skipped.push(SkippedListEntry {
                line,
                id: id.to_string(),
                reason: "no SDN_Name".into(),
            });
            return Ok(());
        }
        let kind = match field(r, 2).to_ascii_lowercase().as_str() {
            "individual" => SubjectKind::Person,
            "vessel" => SubjectKind::Vessel,
            "aircraft" => SubjectKind::Aircraft,
            _ => SubjectKind::Organisation,
        };
        let mut e = ListedEntry::new(id, kind);
        e.line = line;
        e.add_name(name, NameQuality::Primary);
        for p in field(r, 3)
            .split(&[']', '[', ' '][..])
            .filter(|p| !p.is_empty())
        {
            e.programmes.push(p.to_string());
        }
        e.reference = e.programmes.join(" ");
        by_id.insert(id.to_string(), entries.len());
        remarks.push(field(r, 11).to_string());
        entries.push(e);
        Ok(())
    })?;
    let comments = dir.join("sdn_comments.csv");
    if with_siblings && comments.is_file() {
        read_rows(&comments, |_, r| {
            if let Some(&i) = by_id.get(field(r, 0)) {
                remarks[i].push_str(field(r, 1));
            }
            Ok(())
        })?;
    }
    for (e, text) in entries.iter_mut().zip(&remarks) {
        apply_remarks(e, text);
    }
    let alt = dir.join("alt.csv");
    if with_siblings && alt.is_file() {
        read_rows(&alt, |line, r| {
            let id = field(r, 0);
            let Some(&i) = by_id.get(id) else {
                skipped.push(SkippedListEntry {
                    line,
                    id: id.to_string(),
                    reason: format!("{}: alias of unknown ent_num", alt.display()),
                });
                return Ok(());
            };
            let quality = match field(r, 2).to_ascii_lowercase().as_str() {
                "fka" => NameQuality::Former,
                _ => NameQuality::Good,
            };
            entries[i].add_name(field(r, 3), quality);
            Ok(())
        })?;
    }
    let add = dir.join("add.csv");
    if with_siblings && add.is_file() {
        read_rows(&add, |_, r| {
            if let Some(&i) = by_id.get(field(r, 0)) {
                for c in countries_in(field(r, 4)) {
                    if !entries[i].countries.contains(&c) {
                        entries[i].countries.push(c);
                    }
                }
            }
            Ok(())
        })?;
    }
    Ok(LoadedList {
        path: sdn.to_path_buf(),
        format: ListFormat::OfacSdn,
        generated: String::new(),
        entries,
        skipped,
    })
}

/// Document kinds OFAC writes at the start of a remark, before the number.
const DOCUMENT_PREFIXES: &[&str] = &[
    "Passport",
    "National ID No.",
    "Identification Number",
    "Tax ID No.",
    "Cedula No.",
    "Registration ID",
    "Residency Number",
    "Driver's License No.",
    "NIT #",
    "SSN",
    "Personal ID Card",
    "Birth Certificate Number",
    "Business Registration Number",
    "Registration Number",
    "Public Security and Immigration No.",
    "Stateless Person ID Card",
    "Kenyan ID No.",
    "Moroccan Personal ID No.",
    "Refugee ID Card",
    "Travel Document Number",
    "C.U.R.P.",
    "R.F.C.",
    "D.N.I.",
    "Vessel Registration Identification IMO",
    "IMO",
];

/// Takes birth dates, nationalities, documents, digital-currency
/// addresses and weak aliases out of OFAC remarks.
pub(crate) fn apply_remarks(e: &mut ListedEntry, remarks: &str) {
    for segment in remarks.split(';') {
        let s = segment.trim().trim_end_matches('.').trim();
        let s = s.strip_prefix("alt. ").unwrap_or(s).trim();
        if let Some(rest) = s.strip_prefix("DOB ") {
            e.birth_dates.extend(BirthDate::parse_loose(rest));
        } else if let Some(rest) = s
            .strip_prefix("nationality ")
            .or_else(|| s.strip_prefix("citizen "))
        {
            for c in countries_in(rest) {
                if !e.nationalities.contains(&c) {
                    e.nationalities.push(c);
                }
            }
        } else if let Some(rest) = s.strip_prefix("Digital Currency Address - ") {
            if let Some((_currency, address)) = rest.split_once(' ') {
                e.crypto_addresses.push(address.trim().to_string());
            }
        } else if s.contains("a.k.a.") {
            // Weak aliases: a.k.a. 'ABU X'; a.k.a. 'Y'.
            let mut rest = s;
            while let Some(start) = rest.find('\'') {
                let after = &rest[start + 1..];
                let Some(end) = after.find('\'') else { break };
                e.add_name(&after[..end], NameQuality::Weak);
                rest = &after[end + 1..];
            }
        } else if let Some(prefix) = DOCUMENT_PREFIXES.iter().find(|p| s.starts_with(**p)) {
            let rest = s[prefix.len()..].trim();
            let number = rest.split_whitespace().next().unwrap_or("");
            if number.bytes().any(|b| b.is_ascii_digit()) {
                let country = rest
                    .find('(')
                    .and_then(|i| rest[i + 1..].split(')').next())
                    .and_then(|c| countries_in(c).into_iter().next());
                e.documents.push(ListedDocument {
                    kind: prefix.to_string(),
                    number: number.trim_end_matches(',').to_string(),
                    country,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_carry_identifiers() {
        let mut e = ListedEntry::new("1", SubjectKind::Person);
        apply_remarks(
            &mut e,
            "DOB 01 Jan 1970; alt. DOB 1971; POB Kabul, Afghanistan; nationality Afghanistan; \
             citizen Pakistan; Passport AB1234567 (Pakistan); Digital Currency Address - XBT \
             1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa; a.k.a. 'ABU X'; a.k.a. 'HAJJI Y'.",
        );
        assert_eq!(e.birth_dates.len(), 2);
        assert_eq!(
            e.nationalities
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
            ["AF", "PK"]
        );
        assert_eq!(e.documents[0].number, "AB1234567");
        assert_eq!(
            e.documents[0].country.map(|c| c.as_str().to_string()),
            Some("PK".into())
        );
        assert_eq!(e.crypto_addresses, ["1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]);
        let weak: Vec<&str> = e.names.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(weak, ["ABU X", "HAJJI Y"]);
    }
}
