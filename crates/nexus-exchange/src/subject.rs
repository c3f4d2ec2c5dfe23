//! Transliteration-invariant keys of a subject for private matching.
//!
//! A name alone is never a key: Central Asian name stocks are small and two
//! FIUs would "match" thousands of namesakes. A person is keyed by the stems
//! of their name parts (phonetic, script-independent, without surname
//! suffixes and patronymics) *with* the birth date, and by each identity
//! document number; an organisation by its name stems with its country and
//! by its registration number.

use nexus_model::Date;
use nexus_names::parts::{analyse, PartRole};

/// What an FIU knows of a subject it wants to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectFacts {
    pub organisation: bool,
    pub name: String,
    pub birth_date: Option<Date>,
    /// ISO 3166 alpha-2, for organisations.
    pub country: Option<String>,
    pub documents: Vec<String>,
}

/// What a key rests on, for the analyst who sees a hit.
pub const KEY_KINDS: [&str; 3] = [
    "name and birth date",
    "document number",
    "organisation name and country",
];

/// The subject's keys with the index into [`KEY_KINDS`] of what each rests on.
pub fn subject_keys(s: &SubjectFacts) -> Vec<(String, usize)> {
    let mut keys = Vec::new();
    for d in &s.documents {
        let n: String = d
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if n.len() >= 5 {
            keys.push((format!("doc|{n}"), 1));
        }
    }
    let mut stems: Vec<String> = analyse(&s.name)
        .into_iter()
        .filter(|p| p.role == PartRole::Name && !p.stem.is_empty())
        .map(|p| p.stem)
        .collect();
    stems.sort();
    stems.dedup();
    if stems.is_empty() {
        return keys;
    }
    let name = stems.join(" ");
    if s.organisation {
        if let Some(c) = &s.country {
            keys.push((format!("org|{name}|{}", c.to_ascii_uppercase()), 2));
        }
    } else if let Some(d) = s.birth_date {
        keys.push((format!("person|{name}|{d}"), 0));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, dob: Option<(i32, u8, u8)>) -> SubjectFacts {
        SubjectFacts {
            organisation: false,
            name: name.into(),
            birth_date: dob.and_then(|(y, m, d)| Date::new(y, m, d)),
            country: None,
            documents: Vec::new(),
        }
    }

    #[test]
    fn spellings_and_scripts_of_one_person_give_one_key() {
        let dob = Some((1985, 3, 14));
        let reference = subject_keys(&person("Jamshed Rakhimov", dob));
        assert_eq!(reference.len(), 1);
        for variant in [
            "Джамшед Рахимов",
            "Раҳимов Ҷамшед",
            "RAKHIMOV DZHAMSHED",
            "Jamshed Rahimov",
            "Джамшед Икромович Рахимов",
        ] {
            assert_eq!(subject_keys(&person(variant, dob)), reference, "{variant}");
        }
        assert_ne!(
            subject_keys(&person("Jamshed Rakhimov", Some((1985, 3, 15)))),
            reference
        );
        assert!(
            subject_keys(&person("Jamshed Rakhimov", None)).is_empty(),
            "a name alone is no key"
        );
    }

    #[test]
    fn documents_are_keys_in_any_spacing() {
        let mut a = person("X", None);
        a.documents = vec!["ab 123 4567".into()];
        let mut b = person("Y", None);
        b.documents = vec!["AB1234567".into()];
        assert_eq!(subject_keys(&a), subject_keys(&b));
        assert_eq!(subject_keys(&a)[0].1, 1);
    }
}
