//! goAML XML reports (UNODC goAML 5.x): the writer used by the simulator's
//! reporting entities. Instance documents have no namespace, the root is
//! `<report>`, and each transaction has a from side and a to side, each
//! either `_my_client` (the reporting entity's own customer, with the stricter
//! content the schema demands) or not.

use crate::xml::XmlWriter;

/// One report as a reporting entity files it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoamlReport {
    pub rentity_id: u32,
    pub rentity_branch: String,
    /// `STR`, `SAR`, `CTR`, `AIF`, …
    pub report_code: String,
    pub entity_reference: String,
    /// `YYYY-MM-DDTHH:MM:SS`
    pub submission_date: String,
    pub currency_code_local: String,
    pub reporting_person: GoamlPerson,
    pub location: GoamlAddress,
    pub reason: String,
    pub action: String,
    pub transactions: Vec<GoamlTransaction>,
    pub indicators: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoamlTransaction {
    pub transaction_number: String,
    pub internal_ref_number: String,
    pub transaction_location: String,
    pub transaction_description: String,
    pub date_transaction: String,
    /// goAML conduction code: `A` (ATM), `C` (cash), `E` (electronic), `K` (crypto) …
    pub transmode_code: String,
    pub amount_local: String,
    pub from: GoamlSide,
    pub to: GoamlSide,
}

/// One side of a transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoamlSide {
    pub my_client: bool,
    /// `funds_type`: `K` cash, `E` electronic transfer, `A` deposit …
    pub funds_code: String,
    pub party: GoamlParty,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // a few per report; boxing all would only add noise
pub enum GoamlParty {
    Account(Box<GoamlAccount>),
    Person(GoamlPerson),
    Entity(GoamlEntity),
}

impl Default for GoamlParty {
    fn default() -> Self {
        GoamlParty::Person(GoamlPerson::default())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoamlAccount {
    pub institution_name: String,
    pub swift: String,
    pub branch: String,
    pub account: String,
    pub currency_code: String,
    pub account_name: String,
    pub client_number: String,
    /// `account_type` code list (`A` current, …).
    pub personal_account_type: String,
    pub signatory: Option<GoamlPerson>,
    pub entity: Option<GoamlEntity>,
    pub opened: String,
    pub status_code: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoamlPerson {
    /// `M` / `F`
    pub gender: String,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    pub birthdate: String,
    pub passport_number: String,
    pub passport_country: String,
    pub id_number: String,
    pub nationality1: String,
    pub residence: String,
    pub phone: String,
    pub address: Option<GoamlAddress>,
    pub occupation: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoamlEntity {
    pub name: String,
    pub incorporation_legal_form: String,
    pub incorporation_number: String,
    pub business: String,
    pub phone: String,
    pub address: Option<GoamlAddress>,
    /// A director (required for own corporate clients).
    pub director: Option<GoamlPerson>,
    pub incorporation_date: String,
    pub incorporation_country_code: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoamlAddress {
    /// `contact_type`: `BU` business, `PRIVT` private …
    pub address_type: String,
    pub address: String,
    pub city: String,
    pub country_code: String,
    pub state: String,
}

fn write_address(w: &mut XmlWriter, tag: &str, a: &GoamlAddress) {
    w.open(tag, &[]);
    w.leaf("address_type", &a.address_type);
    w.leaf("address", &a.address);
    w.leaf("city", &a.city);
    w.leaf("country_code", &a.country_code);
    w.leaf("state", &a.state);
    w.close(tag);
}

fn write_person(w: &mut XmlWriter, tag: &str, p: &GoamlPerson, my_client: bool) {
    w.open(tag, &[]);
    write_person_fields(w, p, my_client);
    w.close(tag);
}

fn write_person_fields(w: &mut XmlWriter, p: &GoamlPerson, my_client: bool) {
    w.leaf_opt("gender", &p.gender);
    w.leaf("first_name", &p.first_name);
    w.leaf_opt("middle_name", &p.middle_name);
    w.leaf("last_name", &p.last_name);
    w.leaf_opt("birthdate", &p.birthdate);
    if my_client {
        // goAML requires a social security / personal number for own clients.
        w.leaf(
            "ssn",
            if p.id_number.is_empty() {
                "UNKNOWN"
            } else {
                &p.id_number
            },
        );
    }
    if !p.passport_number.is_empty() {
        w.leaf("passport_number", &p.passport_number);
        w.leaf("passport_country", &p.passport_country);
    }
    w.leaf_opt("id_number", &p.id_number);
    w.leaf_opt("nationality1", &p.nationality1);
    w.leaf_opt("residence", &p.residence);
    if my_client || !p.phone.is_empty() {
        w.open("phones", &[]);
        if !p.phone.is_empty() {
            write_phone(w, &p.phone, "PRIVT");
        }
        w.close("phones");
    }
    if let Some(a) = &p.address {
        w.open("addresses", &[]);
        write_address(w, "address", a);
        w.close("addresses");
    }
    if my_client && p.occupation.is_empty() {
        w.leaf("occupation", "not stated");
    } else {
        w.leaf_opt("occupation", &p.occupation);
    }
}

/// `+992 912345678` → prefix 992, number 912345678.
fn write_phone(w: &mut XmlWriter, phone: &str, contact_type: &str) {
    let (prefix, number) = match phone.strip_prefix('+').and_then(|p| p.split_once(' ')) {
        Some((prefix, number)) => (prefix.to_string(), number.replace(' ', "")),
        None => (String::new(), phone.to_string()),
    };
    w.open("phone", &[]);
    w.leaf("tph_contact_type", contact_type);
    w.leaf("tph_communication_type", "M");
    w.leaf_opt("tph_country_prefix", &prefix);
    w.leaf("tph_number", &number);
    w.close("phone");
}

fn write_entity(w: &mut XmlWriter, tag: &str, e: &GoamlEntity) {
    w.open(tag, &[]);
    w.leaf("name", &e.name);
    // Required for own clients; harmless for others.
    w.leaf("commercial_name", &e.name);
    w.leaf_opt("incorporation_legal_form", &e.incorporation_legal_form);
    w.leaf_opt("incorporation_number", &e.incorporation_number);
    w.leaf_opt("business", &e.business);
    if !e.phone.is_empty() {
        w.open("phones", &[]);
        write_phone(w, &e.phone, "BU");
        w.close("phones");
    }
    if let Some(a) = &e.address {
        w.open("addresses", &[]);
        write_address(w, "address", a);
        w.close("addresses");
    }
    w.leaf_opt("incorporation_country_code", &e.incorporation_country_code);
    if let Some(d) = &e.director {
        w.open("director_id", &[]);
        write_person_fields(w, d, false);
        w.leaf("role", "DIR");
        w.close("director_id");
        // Own corporate clients must carry an incorporation date; the
        // account opening date stands in when the registry date is unknown.
        w.leaf(
            "incorporation_date",
            if e.incorporation_date.is_empty() {
                "1900-01-01T00:00:00"
            } else {
                &e.incorporation_date
            },
        );
    }
    w.close(tag);
}

fn write_account(w: &mut XmlWriter, tag: &str, a: &GoamlAccount, my_client: bool) {
    w.open(tag, &[]);
    w.leaf("institution_name", &a.institution_name);
    w.leaf("swift", &a.swift);
    // Required for own clients, optional otherwise; always written.
    w.leaf("branch", if a.branch.is_empty() { "HQ" } else { &a.branch });
    w.leaf("account", &a.account);
    w.leaf_opt("currency_code", &a.currency_code);
    w.leaf_opt("account_name", &a.account_name);
    w.leaf_opt("client_number", &a.client_number);
    w.leaf_opt("personal_account_type", &a.personal_account_type);
    if let Some(e) = &a.entity {
        write_entity(w, "t_entity", e);
    }
    if let Some(p) = &a.signatory {
        w.open("signatory", &[]);
        w.leaf("is_primary", "1");
        write_person(w, "t_person", p, my_client);
        w.leaf("role", "A");
        w.close("signatory");
    }
    w.leaf_opt("opened", &a.opened);
    w.leaf_opt("status_code", &a.status_code);
    w.close(tag);
}

fn write_side(w: &mut XmlWriter, dir: &str, s: &GoamlSide) {
    let tag = if s.my_client {
        format!("t_{dir}_my_client")
    } else {
        format!("t_{dir}")
    };
    w.open(&tag, &[]);
    w.leaf(&format!("{dir}_funds_code"), &s.funds_code);
    match &s.party {
        GoamlParty::Account(a) => {
            write_account(w, &format!("{dir}_account"), a.as_ref(), s.my_client)
        }
        GoamlParty::Person(p) => write_person(w, &format!("{dir}_person"), p, s.my_client),
        GoamlParty::Entity(e) => write_entity(w, &format!("{dir}_entity"), e),
    }
    w.leaf(&format!("{dir}_country"), &s.country);
    w.close(&tag);
}

/// Writes a report as goAML XML.
pub fn write_report(r: &GoamlReport) -> String {
    let mut w = XmlWriter::new("    ");
    w.open("report", &[]);
    w.leaf("rentity_id", &r.rentity_id.to_string());
    w.leaf_opt("rentity_branch", &r.rentity_branch);
    w.leaf("submission_code", "E");
    w.leaf("report_code", &r.report_code);
    w.leaf("entity_reference", &r.entity_reference);
    w.leaf("submission_date", &r.submission_date);
    w.leaf("currency_code_local", &r.currency_code_local);
    write_person(&mut w, "reporting_person", &r.reporting_person, false);
    write_address(&mut w, "location", &r.location);
    w.leaf_opt("reason", &r.reason);
    w.leaf_opt("action", &r.action);
    for t in &r.transactions {
        w.open("transaction", &[]);
        w.leaf("transactionnumber", &t.transaction_number);
        w.leaf_opt("internal_ref_number", &t.internal_ref_number);
        w.leaf("transaction_location", &t.transaction_location);
        w.leaf("transaction_description", &t.transaction_description);
        w.leaf("date_transaction", &t.date_transaction);
        w.leaf("transmode_code", &t.transmode_code);
        w.leaf("amount_local", &t.amount_local);
        write_side(&mut w, "from", &t.from);
        write_side(&mut w, "to", &t.to);
        w.close("transaction");
    }
    if !r.indicators.is_empty() {
        w.open("report_indicators", &[]);
        for i in &r.indicators {
            w.leaf("indicator", i);
        }
        w.close("report_indicators");
    }
    w.close("report");
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse_document;
    use std::path::Path;

    #[test]
    fn report_has_goaml_structure() {
        let person = GoamlPerson {
            gender: "M".into(),
            first_name: "Ҷамшед".into(),
            last_name: "Раҳимов".into(),
            birthdate: "1985-03-02T00:00:00".into(),
            nationality1: "TJ".into(),
            residence: "TJ".into(),
            ..Default::default()
        };
        let r = GoamlReport {
            rentity_id: 7,
            report_code: "STR".into(),
            entity_reference: "STR-1".into(),
            submission_date: "2026-01-05T10:00:00".into(),
            currency_code_local: "TJS".into(),
            reporting_person: person.clone(),
            transactions: vec![GoamlTransaction {
                transaction_number: "T1".into(),
                date_transaction: "2026-01-04T10:00:00".into(),
                transmode_code: "C".into(),
                amount_local: "9500.00".into(),
                from: GoamlSide {
                    my_client: true,
                    funds_code: "K".into(),
                    party: GoamlParty::Person(person),
                    country: "TJ".into(),
                },
                to: GoamlSide {
                    my_client: false,
                    funds_code: "E".into(),
                    party: GoamlParty::Entity(GoamlEntity {
                        name: "Gulf Star General Trading LLC".into(),
                        ..Default::default()
                    }),
                    country: "AE".into(),
                },
                ..Default::default()
            }],
            indicators: vec!["STRUC".into()],
            ..Default::default()
        };
        let xml = write_report(&r);
        let root = parse_document(Path::new("r.xml"), xml.as_bytes()).unwrap();
        assert_eq!(root.name, "report");
        let t = root.child("transaction").unwrap();
        let from = t.child("t_from_my_client").unwrap();
        assert_eq!(
            from.child("from_person").unwrap().child_text("first_name"),
            "Ҷамшед"
        );
        assert!(from.child("from_person").unwrap().child("phones").is_some());
        assert_eq!(
            t.child("t_to")
                .unwrap()
                .child("to_entity")
                .unwrap()
                .child_text("name"),
            "Gulf Star General Trading LLC"
        );
    }
}
