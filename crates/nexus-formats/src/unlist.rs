//! The UN Security Council Consolidated List XML (`sc-sanctions.xsd`):
//! `CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL` and `…/ENTITIES/ENTITY`.
//!
//! The reader keeps every name (primary, original script, aliases with their
//! quality) and every form of date of birth the list uses; the writer emits
//! elements in the schema's order, with the empty placeholders the real list
//! carries, so that a file nexus writes reads like one the UN publishes.

use crate::error::FormatError;
use crate::xml::{stream_records, Node, XmlWriter};
use nexus_model::PartyKind;
use std::path::Path;

/// A whole list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnList {
    /// `dateGenerated` of the root, as written.
    pub date_generated: String,
    pub entries: Vec<UnEntry>,
}

/// One designated individual or entity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnEntry {
    pub kind: Option<PartyKind>,
    pub data_id: String,
    pub version: String,
    /// FIRST_NAME … FOURTH_NAME; entities use only the first.
    pub name_parts: Vec<String>,
    pub un_list_type: String,
    pub reference_number: String,
    pub listed_on: String,
    pub gender: String,
    pub name_original_script: String,
    pub comments: String,
    pub titles: Vec<String>,
    pub designations: Vec<String>,
    pub nationalities: Vec<String>,
    pub last_day_updated: Vec<String>,
    pub aliases: Vec<UnAlias>,
    pub addresses: Vec<UnAddress>,
    pub dates_of_birth: Vec<UnDateOfBirth>,
    pub places_of_birth: Vec<UnAddress>,
    pub documents: Vec<UnDocument>,
    /// Line of the record in the source file (0 when built in memory).
    pub line: u64,
}

/// An alias; `quality` is `Good` / `Low` for individuals and `a.k.a.` /
/// `f.k.a.` for entities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnAlias {
    pub quality: String,
    pub name: String,
    pub date_of_birth: String,
    pub city_of_birth: String,
    pub country_of_birth: String,
    pub note: String,
}

/// An address or a place of birth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnAddress {
    pub street: String,
    pub city: String,
    pub state_province: String,
    pub zip_code: String,
    pub country: String,
    pub note: String,
}

/// A date of birth in any of the list's forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnDateOfBirth {
    /// `TYPE_OF_DATE` EXACT with a full `DATE`.
    Exact(String),
    /// EXACT or APPROXIMATELY with a `YEAR` only.
    Year { year: i32, approximately: bool },
    /// APPROXIMATELY with a full `DATE`.
    ApproximateDate(String),
    /// BETWEEN `FROM_YEAR` and `TO_YEAR`.
    Between { from: i32, to: i32 },
}

/// An identity document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnDocument {
    pub type_of_document: String,
    pub type_of_document2: String,
    pub number: String,
    pub issuing_country: String,
    pub date_of_issue: String,
    pub city_of_issue: String,
    pub country_of_issue: String,
    pub note: String,
}

impl UnEntry {
    /// The primary name: the name parts joined by spaces.
    pub fn primary_name(&self) -> String {
        self.name_parts
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What the reader skipped and why (the list is still usable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    pub line: u64,
    pub data_id: String,
    pub reason: String,
}

/// Reads a UN Consolidated List; entries without a name or id are reported
/// in the second vector, not silently dropped.
pub fn read_un_list(path: &Path) -> Result<(UnList, Vec<SkippedEntry>), FormatError> {
    let bytes = std::fs::read(path).map_err(|e| FormatError::io(path, e))?;
    parse_un_list(path, &bytes)
}

/// Parses UN list XML from memory; `path` is what errors name.
pub fn parse_un_list(
    path: &Path,
    bytes: &[u8],
) -> Result<(UnList, Vec<SkippedEntry>), FormatError> {
    let mut list = UnList::default();
    let mut skipped = Vec::new();
    let mut root_ok = false;
    stream_records(
        path,
        bytes,
        &["INDIVIDUAL", "ENTITY"],
        |root| {
            if root.name != "CONSOLIDATED_LIST" {
                return Err(FormatError::Xml {
                    path: path.to_path_buf(),
                    line: root.line,
                    column: 1,
                    message: format!(
                        "root element is <{}>, expected <CONSOLIDATED_LIST>",
                        root.name
                    ),
                });
            }
            root_ok = true;
            list.date_generated = root.attribute("dateGenerated").unwrap_or("").to_string();
            Ok(())
        },
        |node| {
            let entry = entry_from_node(&node);
            if entry.data_id.is_empty() {
                skipped.push(SkippedEntry {
                    line: node.line,
                    data_id: String::new(),
                    reason: "no DATAID".into(),
                });
            } else if entry.primary_name().is_empty() && entry.aliases.is_empty() {
                skipped.push(SkippedEntry {
                    line: node.line,
                    data_id: entry.data_id,
                    reason: "no name".into(),
                });
            } else {
                list.entries.push(entry);
            }
            Ok(())
        },
    )?;
    debug_assert!(root_ok);
    Ok((list, skipped))
}

fn address_from(n: &Node) -> UnAddress {
    UnAddress {
        street: n.child_text("STREET").to_string(),
        city: n.child_text("CITY").to_string(),
        state_province: n.child_text("STATE_PROVINCE").to_string(),
        zip_code: n.child_text("ZIP_CODE").to_string(),
        country: n.child_text("COUNTRY").to_string(),
        note: n.child_text("NOTE").to_string(),
    }
}

fn entry_from_node(n: &Node) -> UnEntry {
    let is_individual = n.name == "INDIVIDUAL";
    let prefix = if is_individual {
        "INDIVIDUAL"
    } else {
        "ENTITY"
    };
    let mut name_parts: Vec<String> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .map(|k| n.child_text(k).to_string())
        .collect();
    while name_parts.last().is_some_and(String::is_empty) {
        name_parts.pop();
    }
    let aliases = n
        .children_named(&format!("{prefix}_ALIAS"))
        .filter(|a| !a.child_text("ALIAS_NAME").is_empty())
        .map(|a| UnAlias {
            quality: a.child_text("QUALITY").to_string(),
            name: a.child_text("ALIAS_NAME").to_string(),
            date_of_birth: a.child_text("DATE_OF_BIRTH").to_string(),
            city_of_birth: a.child_text("CITY_OF_BIRTH").to_string(),
            country_of_birth: a.child_text("COUNTRY_OF_BIRTH").to_string(),
            note: a.child_text("NOTE").to_string(),
        })
        .collect();
    let addresses = n
        .children_named(&format!("{prefix}_ADDRESS"))
        .map(address_from)
        .filter(|a| *a != UnAddress::default())
        .collect();
    let dates_of_birth = n
        .children_named("INDIVIDUAL_DATE_OF_BIRTH")
        .filter_map(|d| {
            let approx = d
                .child_text("TYPE_OF_DATE")
                .eq_ignore_ascii_case("APPROXIMATELY");
            let date = d.child_text("DATE");
            let year = d.child_text("YEAR").parse::<i32>().ok();
            let from = d.child_text("FROM_YEAR").parse::<i32>().ok();
            let to = d.child_text("TO_YEAR").parse::<i32>().ok();
            if let (Some(from), Some(to)) = (from, to) {
                Some(UnDateOfBirth::Between { from, to })
            } else if !date.is_empty() {
                Some(if approx {
                    UnDateOfBirth::ApproximateDate(date.to_string())
                } else {
                    UnDateOfBirth::Exact(date.to_string())
                })
            } else {
                year.map(|year| UnDateOfBirth::Year {
                    year,
                    approximately: approx,
                })
            }
        })
        .collect();
    let places_of_birth = n
        .children_named("INDIVIDUAL_PLACE_OF_BIRTH")
        .map(address_from)
        .filter(|a| *a != UnAddress::default())
        .collect();
    let documents = n
        .children_named("INDIVIDUAL_DOCUMENT")
        .map(|d| UnDocument {
            type_of_document: d.child_text("TYPE_OF_DOCUMENT").to_string(),
            type_of_document2: d.child_text("TYPE_OF_DOCUMENT2").to_string(),
            number: d.child_text("NUMBER").to_string(),
            issuing_country: d.child_text("ISSUING_COUNTRY").to_string(),
            date_of_issue: d.child_text("DATE_OF_ISSUE").to_string(),
            city_of_issue: d.child_text("CITY_OF_ISSUE").to_string(),
            country_of_issue: d.child_text("COUNTRY_OF_ISSUE").to_string(),
            note: d.child_text("NOTE").to_string(),
        })
        .filter(|d| *d != UnDocument::default())
        .collect();
    UnEntry {
        kind: Some(if is_individual {
            PartyKind::Person
        } else {
            PartyKind::Organisation
        }),
        data_id: n.child_text("DATAID").to_string(),
        version: n.child_text("VERSIONNUM").to_string(),
        name_parts,
        un_list_type: n.child_text("UN_LIST_TYPE").to_string(),
        reference_number: n.child_text("REFERENCE_NUMBER").to_string(),
        listed_on: n.child_text("LISTED_ON").to_string(),
        gender: n.child_text("GENDER").to_string(),
        name_original_script: n.child_text("NAME_ORIGINAL_SCRIPT").to_string(),
        comments: n.child_text("COMMENTS1").to_string(),
        titles: n.values("TITLE"),
        designations: n.values("DESIGNATION"),
        nationalities: n.values("NATIONALITY"),
        last_day_updated: n.values("LAST_DAY_UPDATED"),
        aliases,
        addresses,
        dates_of_birth,
        places_of_birth,
        documents,
        line: n.line,
    }
}

fn write_values(w: &mut XmlWriter, name: &str, values: &[String]) {
    w.open(name, &[]);
    if values.is_empty() {
        w.leaf("VALUE", "");
    }
    for v in values {
        w.leaf("VALUE", v);
    }
    w.close(name);
}

fn write_address(w: &mut XmlWriter, name: &str, a: &UnAddress) {
    w.open(name, &[]);
    w.leaf_opt("STREET", &a.street);
    w.leaf_opt("CITY", &a.city);
    w.leaf_opt("STATE_PROVINCE", &a.state_province);
    w.leaf_opt("ZIP_CODE", &a.zip_code);
    w.leaf("COUNTRY", &a.country);
    w.leaf_opt("NOTE", &a.note);
    w.close(name);
}

/// Writes a list in the UN's XML form.
pub fn write_un_list(list: &UnList) -> String {
    let mut w = XmlWriter::new("  ");
    w.open(
        "CONSOLIDATED_LIST",
        &[
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:noNamespaceSchemaLocation",
                "https://www.un.org/sc/resources/sc-sanctions.xsd",
            ),
            ("dateGenerated", &list.date_generated),
        ],
    );
    for (group, kind) in [
        ("INDIVIDUALS", PartyKind::Person),
        ("ENTITIES", PartyKind::Organisation),
    ] {
        w.open(group, &[]);
        for e in list.entries.iter().filter(|e| e.kind == Some(kind)) {
            write_entry(&mut w, e, kind);
        }
        w.close(group);
    }
    w.close("CONSOLIDATED_LIST");
    w.finish()
}

fn write_entry(w: &mut XmlWriter, e: &UnEntry, kind: PartyKind) {
    let individual = kind == PartyKind::Person;
    let (tag, prefix) = if individual {
        ("INDIVIDUAL", "INDIVIDUAL")
    } else {
        ("ENTITY", "ENTITY")
    };
    w.open(tag, &[]);
    w.leaf("DATAID", &e.data_id);
    w.leaf(
        "VERSIONNUM",
        if e.version.is_empty() {
            "1"
        } else {
            &e.version
        },
    );
    for (i, key) in ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .enumerate()
    {
        if let Some(p) = e.name_parts.get(i) {
            w.leaf_opt(key, p);
        }
    }
    w.leaf("UN_LIST_TYPE", &e.un_list_type);
    w.leaf("REFERENCE_NUMBER", &e.reference_number);
    w.leaf("LISTED_ON", &e.listed_on);
    if individual {
        w.leaf_opt("GENDER", &e.gender);
    }
    w.leaf_opt("NAME_ORIGINAL_SCRIPT", &e.name_original_script);
    w.leaf("COMMENTS1", &e.comments);
    if individual {
        if !e.titles.is_empty() {
            write_values(w, "TITLE", &e.titles);
        }
        if !e.designations.is_empty() {
            write_values(w, "DESIGNATION", &e.designations);
        }
        write_values(w, "NATIONALITY", &e.nationalities);
    }
    write_values(w, "LIST_TYPE", &["UN List".to_string()]);
    write_values(w, "LAST_DAY_UPDATED", &e.last_day_updated);
    let alias_tag = format!("{prefix}_ALIAS");
    if e.aliases.is_empty() {
        w.open(&alias_tag, &[]);
        w.leaf("QUALITY", "");
        w.leaf("ALIAS_NAME", "");
        w.close(&alias_tag);
    }
    for a in &e.aliases {
        w.open(&alias_tag, &[]);
        w.leaf("QUALITY", &a.quality);
        w.leaf("ALIAS_NAME", &a.name);
        w.leaf_opt("DATE_OF_BIRTH", &a.date_of_birth);
        w.leaf_opt("CITY_OF_BIRTH", &a.city_of_birth);
        w.leaf_opt("COUNTRY_OF_BIRTH", &a.country_of_birth);
        w.leaf_opt("NOTE", &a.note);
        w.close(&alias_tag);
    }
    let address_tag = format!("{prefix}_ADDRESS");
    if e.addresses.is_empty() {
        write_address(w, &address_tag, &UnAddress::default());
    }
    for a in &e.addresses {
        write_address(w, &address_tag, a);
    }
    if individual {
        for d in &e.dates_of_birth {
            w.open("INDIVIDUAL_DATE_OF_BIRTH", &[]);
            match d {
                UnDateOfBirth::Exact(date) => {
                    w.leaf("TYPE_OF_DATE", "EXACT");
                    w.leaf("DATE", date);
                }
                UnDateOfBirth::ApproximateDate(date) => {
                    w.leaf("TYPE_OF_DATE", "APPROXIMATELY");
                    w.leaf("DATE", date);
                }
                UnDateOfBirth::Year {
                    year,
                    approximately,
                } => {
                    w.leaf(
                        "TYPE_OF_DATE",
                        if *approximately {
                            "APPROXIMATELY"
                        } else {
                            "EXACT"
                        },
                    );
                    w.leaf("YEAR", &year.to_string());
                }
                UnDateOfBirth::Between { from, to } => {
                    w.leaf("TYPE_OF_DATE", "BETWEEN");
                    w.leaf("FROM_YEAR", &from.to_string());
                    w.leaf("TO_YEAR", &to.to_string());
                }
            }
            w.close("INDIVIDUAL_DATE_OF_BIRTH");
        }
        if e.places_of_birth.is_empty() {
            w.open("INDIVIDUAL_PLACE_OF_BIRTH", &[]);
            w.leaf("COUNTRY", "");
            w.close("INDIVIDUAL_PLACE_OF_BIRTH");
        }
        for p in &e.places_of_birth {
            write_address(w, "INDIVIDUAL_PLACE_OF_BIRTH", p);
        }
        if e.documents.is_empty() {
            w.leaf("INDIVIDUAL_DOCUMENT", "");
        }
        for d in &e.documents {
            w.open("INDIVIDUAL_DOCUMENT", &[]);
            w.leaf("TYPE_OF_DOCUMENT", &d.type_of_document);
            w.leaf_opt("TYPE_OF_DOCUMENT2", &d.type_of_document2);
            w.leaf("NUMBER", &d.number);
            w.leaf_opt("ISSUING_COUNTRY", &d.issuing_country);
            w.leaf_opt("DATE_OF_ISSUE", &d.date_of_issue);
            w.leaf_opt("CITY_OF_ISSUE", &d.city_of_issue);
            w.leaf_opt("COUNTRY_OF_ISSUE", &d.country_of_issue);
            w.leaf_opt("NOTE", &d.note);
            w.close("INDIVIDUAL_DOCUMENT");
        }
    }
    w.leaf("SORT_KEY", "");
    w.leaf("SORT_KEY_LAST_MOD", "");
    w.close(tag);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_roundtrips() {
        let e = UnEntry {
            kind: Some(PartyKind::Person),
            data_id: "9900001".into(),
            version: "1".into(),
            name_parts: vec!["JAMSHED".into(), "RAHIMOV".into()],
            un_list_type: "Al-Qaida".into(),
            reference_number: "QDi.901".into(),
            listed_on: "2024-01-10".into(),
            gender: "Male".into(),
            name_original_script: "Ҷамшед Раҳимов".into(),
            comments: "A & B <test>".into(),
            nationalities: vec!["Tajikistan".into()],
            aliases: vec![UnAlias {
                quality: "Good".into(),
                name: "Dzhamshed Rakhimov".into(),
                ..Default::default()
            }],
            dates_of_birth: vec![
                UnDateOfBirth::Exact("1985-03-02".into()),
                UnDateOfBirth::Year {
                    year: 1985,
                    approximately: true,
                },
                UnDateOfBirth::Between {
                    from: 1984,
                    to: 1986,
                },
            ],
            documents: vec![UnDocument {
                type_of_document: "Passport".into(),
                number: "400123456".into(),
                issuing_country: "Tajikistan".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let list = UnList {
            date_generated: "2026-11-01T00:00:00.000Z".into(),
            entries: vec![e.clone()],
        };
        let xml = write_un_list(&list);
        let (back, skipped) = parse_un_list(Path::new("x.xml"), xml.as_bytes()).unwrap();
        assert!(skipped.is_empty());
        let mut got = back.entries[0].clone();
        got.line = 0;
        got.last_day_updated.clear();
        assert_eq!(got, e);
        assert_eq!(back.date_generated, list.date_generated);
    }

    #[test]
    fn wrong_root_is_an_error() {
        let e = parse_un_list(Path::new("x.xml"), b"<report></report>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected <CONSOLIDATED_LIST>"), "{e}");
    }
}
