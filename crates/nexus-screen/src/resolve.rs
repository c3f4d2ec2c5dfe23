//! Entity resolution: deciding that two reported subjects are the same
//! person or organisation, with the evidence an analyst can check.
//!
//! Names alone never merge two subjects: Central Asian name stocks are small
//! and namesakes are common, so a merge needs a name that agrees *and* one
//! independent fact — a shared identity-document number, the same birth date,
//! or the same account. Conflicting birth dates veto a merge outright.
//!
//! Candidates come from [`blocking_keys`] (the store keeps them in an index),
//! so resolution never scans all entities.

use nexus_model::Date;
use nexus_names::parts::{analyse, compare_parts, NamePart, PartRole};

/// What is known about a subject for resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectFacts {
    /// `true` for organisations.
    pub organisation: bool,
    pub name: String,
    pub birth_date: Option<Date>,
    /// Identity-document numbers as reported (normalised inside).
    pub identifiers: Vec<String>,
    /// `institution|account` the subject holds or signs for.
    pub account: Option<String>,
}

/// Why two subjects were taken to be one.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// Similarity of the names in 0..=1.
    pub name_score: f32,
    /// Sentences such as `same ID number AC4826961`.
    pub evidence: Vec<String>,
}

/// Minimum name similarity when a shared document number supports the merge.
pub const NAME_WITH_DOCUMENT: f32 = 0.55;
/// Minimum name similarity when a birth date or an account supports it.
pub const NAME_WITH_FACT: f32 = 0.82;

fn normalise_identifier(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn significant(name: &str) -> Vec<NamePart> {
    analyse(name)
        .into_iter()
        .filter(|p| matches!(p.role, PartRole::Name))
        .collect()
}

/// Keys under which a subject is filed; two subjects that could be the same
/// share at least one. Since a merge always needs a second fact besides the
/// name (see [`same_subject`]), only the facts file a subject: each document
/// number, the account, and — when the birth date is known — pairs of name
/// stems *with* that date. A name without a date is no key: it would make
/// every namesake a candidate and resolution slow down as the FIU grows.
pub fn blocking_keys(facts: &SubjectFacts) -> Vec<String> {
    let mut keys = Vec::new();
    for id in &facts.identifiers {
        let n = normalise_identifier(id);
        if n.len() >= 5 {
            keys.push(format!("doc:{n}"));
        }
    }
    if let Some(a) = &facts.account {
        keys.push(format!("acct:{a}"));
    }
    let Some(born) = facts.birth_date.filter(|_| !facts.organisation) else {
        return keys;
    };
    let mut stems: Vec<String> = significant(&facts.name)
        .into_iter()
        .map(|p| p.stem)
        .filter(|s| !s.is_empty())
        .collect();
    stems.sort();
    stems.dedup();
    if stems.len() == 1 {
        keys.push(format!("p:{}|{born}", stems[0]));
    }
    for i in 0..stems.len().min(6) {
        for j in i + 1..stems.len().min(6) {
            keys.push(format!("p:{}|{}|{born}", stems[i], stems[j]));
        }
    }
    keys
}

/// Similarity of two names: parts aligned greedily one-to-one, the sum of
/// the aligned similarities over the larger number of parts.
pub fn name_similarity(a: &str, b: &str) -> f32 {
    let pa = significant(a);
    let pb = significant(b);
    if pa.is_empty() || pb.is_empty() {
        return 0.0;
    }
    let mut pairs = Vec::with_capacity(pa.len() * pb.len());
    for (i, x) in pa.iter().enumerate() {
        for (j, y) in pb.iter().enumerate() {
            let (s, _) = compare_parts(x, y);
            if s > 0.0 {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut used_a = vec![false; pa.len()];
    let mut used_b = vec![false; pb.len()];
    let mut total = 0.0;
    for (s, i, j) in pairs {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            total += s;
        }
    }
    total / pa.len().max(pb.len()) as f32
}

/// Whether `a` and `b` are the same subject, with the evidence; `None` when
/// they are not (or when nothing beyond the name says so).
pub fn same_subject(a: &SubjectFacts, b: &SubjectFacts) -> Option<Resolution> {
    if a.organisation != b.organisation {
        return None;
    }
    if let (Some(x), Some(y)) = (a.birth_date, b.birth_date) {
        if x != y {
            return None;
        }
    }
    let name_score = name_similarity(&a.name, &b.name);
    let mut evidence = Vec::new();
    let shared_document = a
        .identifiers
        .iter()
        .map(|i| normalise_identifier(i))
        .find(|x| x.len() >= 5 && b.identifiers.iter().any(|y| normalise_identifier(y) == *x));
    let name_phrase = if a.name == b.name {
        format!("same name {:?}", a.name)
    } else {
        format!(
            "names {:?} and {:?} agree ({name_score:.2})",
            a.name, b.name
        )
    };
    if let Some(doc) = shared_document {
        if name_score >= NAME_WITH_DOCUMENT {
            evidence.push(format!("same document number {doc}"));
            evidence.push(name_phrase);
            if let (Some(d), Some(_)) = (a.birth_date, b.birth_date) {
                evidence.push(format!("same birth date {d}"));
            }
            return Some(Resolution {
                name_score,
                evidence,
            });
        }
        return None;
    }
    if name_score < NAME_WITH_FACT {
        return None;
    }
    evidence.push(name_phrase);
    if let (Some(d), Some(_)) = (a.birth_date, b.birth_date) {
        evidence.push(format!("same birth date {d}"));
    }
    if let (Some(x), Some(y)) = (&a.account, &b.account) {
        if x == y {
            evidence.push(format!("same account {x}"));
        }
    }
    (evidence.len() > 1).then_some(Resolution {
        name_score,
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(
        name: &str,
        dob: Option<(i32, u8, u8)>,
        ids: &[&str],
        account: Option<&str>,
    ) -> SubjectFacts {
        SubjectFacts {
            organisation: false,
            name: name.into(),
            birth_date: dob.and_then(|(y, m, d)| Date::new(y, m, d)),
            identifiers: ids.iter().map(|s| s.to_string()).collect(),
            account: account.map(str::to_string),
        }
    }

    #[test]
    fn the_same_person_in_two_scripts_with_one_birth_date_is_one() {
        let a = person("Джамшед Рахимов", Some((1985, 3, 14)), &[], None);
        let b = person("Jamshed Rakhimov", Some((1985, 3, 14)), &[], None);
        let r = same_subject(&a, &b).expect("same person");
        assert!(
            r.evidence
                .iter()
                .any(|e| e.contains("birth date 1985-03-14")),
            "{r:?}"
        );
        assert!(blocking_keys(&a)
            .iter()
            .any(|k| blocking_keys(&b).contains(k)));
    }

    #[test]
    fn namesakes_without_a_second_fact_stay_apart() {
        let a = person("Jamshed Rakhimov", None, &[], None);
        let b = person("Jamshed Rakhimov", None, &[], None);
        assert!(same_subject(&a, &b).is_none());
        let c = person("Jamshed Rakhimov", Some((1985, 3, 14)), &[], None);
        let d = person("Jamshed Rakhimov", Some((1990, 1, 2)), &[], None);
        assert!(same_subject(&c, &d).is_none());
    }

    #[test]
    fn a_shared_document_or_account_supports_a_merge() {
        let a = person("Chyngyz Bakyt uulu", None, &["AC 4826961"], None);
        let b = person(
            "Чынгыз Бакыт уулу",
            Some((1984, 4, 26)),
            &["AC4826961"],
            None,
        );
        assert!(same_subject(&a, &b).unwrap().evidence[0].contains("AC4826961"));
        let c = person("Bermet Jumabekova", None, &[], Some("NXKGB2XX|A0020606"));
        let d = person("Бермет Джумабекова", None, &[], Some("NXKGB2XX|A0020606"));
        assert!(same_subject(&c, &d)
            .unwrap()
            .evidence
            .iter()
            .any(|e| e.contains("same account")));
        let e = person("Aibek Toktogulov", None, &[], Some("NXKGB2XX|A0020606"));
        assert!(
            same_subject(&c, &e).is_none(),
            "joint holders are different people"
        );
    }
}
