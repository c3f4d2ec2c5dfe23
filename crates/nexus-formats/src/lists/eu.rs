//! EU Financial Sanctions Files XML (`eu_fsf_schema_1_1.xsd`): root
//! `export`, one `sanctionEntity` per subject with `subjectType`,
//! `nameAlias` (wholeName, strong), `citizenship`, `birthdate`, `address`
//! and `identification`, all as attributes.

use super::{
    BirthDate, ListFormat, ListedDocument, ListedEntry, LoadedList, NameQuality, SkippedListEntry,
    SubjectKind,
};
use crate::error::FormatError;
use crate::xml::{stream_records, Node};
use nexus_model::{countries_in, Country, Date};
use std::path::Path;

fn country_of(n: &Node) -> Vec<Country> {
    if let Some(c) = n
        .attribute("countryIso2Code")
        .filter(|c| *c != "00")
        .and_then(Country::parse)
    {
        return vec![c];
    }
    countries_in(n.attribute("countryDescription").unwrap_or(""))
}

/// Parses an EU FSF XML file from memory.
pub fn parse_eu_list(path: &Path, bytes: &[u8]) -> Result<LoadedList, FormatError> {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    let mut generated = String::new();
    stream_records(
        path,
        bytes,
        &["sanctionEntity"],
        |root| {
            let local = root.name.rsplit(':').next().unwrap_or("");
            if local != "export" {
                return Err(FormatError::Xml {
                    path: path.to_path_buf(),
                    line: root.line,
                    column: 1,
                    message: format!(
                        "root element is <{}>; expected <CONSOLIDATED_LIST> (UN) or <export> (EU FSF)",
                        root.name
                    ),
                });
            }
            generated = root.attribute("generationDate").unwrap_or("").to_string();
            Ok(())
        },
        |n| {
            let id = n.attribute("logicalId").unwrap_or("").to_string();
            let kind = match n
                .child("subjectType")
                .and_then(|s| s.attribute("code"))
                .unwrap_or("")
            {
                "person" => SubjectKind::Person,
                "enterprise" => SubjectKind::Organisation,
                _ => SubjectKind::Unknown,
            };
            let mut e = ListedEntry::new(id.clone(), kind);
            e.line = n.line;
            e.reference = n
                .attribute("euReferenceNumber")
                .or_else(|| n.attribute("unitedNationId"))
                .unwrap_or("")
                .to_string();
            if let Some(r) = n.child("regulation") {
                e.programmes
                    .extend(r.attribute("programme").map(str::to_string));
                e.listed_on = r.attribute("publicationDate").unwrap_or("").to_string();
            }
            for a in n.children_named("nameAlias") {
                let mut whole = a.attribute("wholeName").unwrap_or("").to_string();
                if whole.trim().is_empty() {
                    whole = ["firstName", "middleName", "lastName"]
                        .iter()
                        .filter_map(|k| a.attribute(k))
                        .filter(|v| !v.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                }
                let quality = if e.names.is_empty() {
                    NameQuality::Primary
                } else if a.attribute("strong") == Some("false") {
                    NameQuality::Weak
                } else {
                    NameQuality::Good
                };
                e.add_name(&whole, quality);
            }
            for c in n.children_named("citizenship") {
                for code in country_of(c) {
                    if !e.nationalities.contains(&code) {
                        e.nationalities.push(code);
                    }
                }
            }
            for b in n.children_named("birthdate") {
                let date = b
                    .attribute("birthdate")
                    .and_then(|d| Date::parse(d).ok())
                    .map(BirthDate::Exact)
                    .or_else(|| {
                        let from = b.attribute("yearRangeFrom").and_then(|y| y.parse().ok());
                        let to = b.attribute("yearRangeTo").and_then(|y| y.parse().ok());
                        match (from, to) {
                            (Some(from), Some(to)) => Some(BirthDate::Between { from, to }),
                            _ => None,
                        }
                    })
                    .or_else(|| {
                        let year: i32 = b.attribute("year")?.parse().ok()?;
                        Some(BirthDate::Year {
                            year,
                            approximately: b.attribute("circa") == Some("true"),
                        })
                    });
                e.birth_dates.extend(date);
                for code in country_of(b) {
                    if !e.countries.contains(&code) {
                        e.countries.push(code);
                    }
                }
            }
            for a in n.children_named("address") {
                for code in country_of(a) {
                    if !e.countries.contains(&code) {
                        e.countries.push(code);
                    }
                }
            }
            for d in n.children_named("identification") {
                let number = d
                    .attribute("number")
                    .or_else(|| d.attribute("latinNumber"))
                    .unwrap_or("")
                    .trim();
                if !number.is_empty() {
                    e.documents.push(ListedDocument {
                        kind: d
                            .attribute("identificationTypeDescription")
                            .unwrap_or("")
                            .to_string(),
                        number: number.to_string(),
                        country: country_of(d).into_iter().next(),
                    });
                }
            }
            if id.is_empty() {
                skipped.push(SkippedListEntry {
                    line: n.line,
                    id,
                    reason: "sanctionEntity without logicalId".into(),
                });
            } else if e.names.is_empty() {
                skipped.push(SkippedListEntry {
                    line: n.line,
                    id,
                    reason: "sanctionEntity without a nameAlias".into(),
                });
            } else {
                entries.push(e);
            }
            Ok(())
        },
    )?;
    Ok(LoadedList {
        path: path.to_path_buf(),
        format: ListFormat::EuFsf,
        generated,
        entries,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entities() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-01-01T00:00:00">
  <sanctionEntity logicalId="13" euReferenceNumber="EU.27.28" unitedNationId="QDi.001">
    <regulation regulationType="regulation" publicationDate="2002-05-29" numberTitle="881/2002" programme="EU.QD"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Aiman" lastName="Zawahiri" wholeName="Aiman Muhammed Rabi al-Zawahiri" strong="true" logicalId="1"/>
    <nameAlias wholeName="Abu Fatima" strong="false" logicalId="2"/>
    <citizenship countryIso2Code="EG" countryDescription="EGYPT" logicalId="3"/>
    <birthdate birthdate="1951-06-19" calendarType="GREGORIAN" countryIso2Code="EG" logicalId="4"/>
    <identification number="1084010" identificationTypeCode="passport" identificationTypeDescription="National passport" countryIso2Code="EG" logicalId="5"/>
  </sanctionEntity>
  <sanctionEntity logicalId="14"><subjectType code="enterprise" classificationCode="E"/></sanctionEntity>
</export>"#;
        let l = parse_eu_list(Path::new("eu.xml"), xml).unwrap();
        assert_eq!(l.entries.len(), 1);
        let e = &l.entries[0];
        assert_eq!(e.reference, "EU.27.28");
        assert_eq!(e.names[1].quality, NameQuality::Weak);
        assert_eq!(e.nationalities[0].as_str(), "EG");
        assert_eq!(e.documents[0].number, "1084010");
        assert_eq!(l.skipped.len(), 1);
        assert_eq!(l.skipped[0].id, "14");
    }
}
