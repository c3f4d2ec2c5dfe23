//! What happens to a report's content: subjects resolved to entities,
//! screened against the loaded lists, transactions joined to the network
//! (detection over the whole network is in `detection`).

use crate::auth::sha256_hex;
use nexus_formats::goaml_intake::{ReceivedReport, ReportedKind, ReportedSide, ReportedSubject};
use nexus_formats::lists::{parse_list, BirthDate, ListedEntry, SubjectKind};
use nexus_model::explain::{Explanation, Phrase, PhraseKey, Value};
use nexus_model::{AlertKind, Channel, Country, EntityKind, Typology};
use nexus_screen::resolve::{blocking_keys, same_subject, SubjectFacts};
use nexus_screen::{Match, Query, Screener, ScreeningIndex, DEFAULT_THRESHOLD};
use nexus_store::{Db, NewAlert, NewTransaction, Result, Store, StoreError, SubjectRow};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The loaded lists, indexed, with each entry's list and content version.
pub struct Screening {
    pub index: ScreeningIndex,
    /// List name of each entry.
    pub list_of: Vec<String>,
    /// Hash of each entry's content: a cleared match stays cleared until the entry changes.
    pub version_of: Vec<String>,
}

impl Screening {
    pub fn empty() -> Screening {
        Screening {
            index: ScreeningIndex::build(Vec::new()),
            list_of: Vec::new(),
            version_of: Vec::new(),
        }
    }

    /// Builds the index from every list stored in the database.
    pub fn from_store(store: &Store) -> Result<Screening> {
        let lists = store.read(|db| db.lists())?;
        let mut entries: Vec<ListedEntry> = Vec::new();
        let mut list_of = Vec::new();
        let mut version_of = Vec::new();
        for l in lists {
            let content = store
                .read(|db| db.list_content(&l.name))?
                .unwrap_or_default();
            let loaded = parse_list(Path::new(&l.name), &content)
                .map_err(|e| StoreError::Invalid(format!("stored list {}: {e}", l.name)))?;
            for e in loaded.entries {
                list_of.push(l.name.clone());
                version_of.push(entry_version(&e));
                entries.push(e);
            }
        }
        Ok(Screening {
            index: ScreeningIndex::build(entries),
            list_of,
            version_of,
        })
    }

    pub fn entry_count(&self) -> usize {
        self.index.entries().len()
    }

    pub fn screen(&self, query: &Query) -> Vec<Match> {
        self.screen_at(query, DEFAULT_THRESHOLD)
    }

    /// Matches at or above `threshold` (below the default: candidates an
    /// FIU looks at when tuning).
    pub fn screen_at(&self, query: &Query, threshold: f32) -> Vec<Match> {
        Screener::new(&self.index, threshold).screen(query)
    }

    /// The matches of every subject of a report (outside any transaction).
    pub fn screen_subjects(&self, r: &ReceivedReport) -> SubjectMatches {
        let mut seen: HashMap<(&str, Option<nexus_model::Date>), usize> = HashMap::new();
        let mut out = Vec::with_capacity(r.subjects.len());
        for (i, s) in r.subjects.iter().enumerate() {
            // The same name and birth date twice in a report is screened once.
            let m = match seen.get(&(s.name.as_str(), s.birth_date)) {
                Some(&j) => SubjectMatches::clone_at(&out, j),
                None => {
                    seen.insert((s.name.as_str(), s.birth_date), i);
                    self.screen(&subject_query(format!("subject {i}"), s))
                }
            };
            out.push(m);
        }
        SubjectMatches(out)
    }
}

/// Screening matches per subject of a report, in subject order.
#[derive(Debug, Clone, Default)]
pub struct SubjectMatches(pub Vec<Vec<Match>>);

impl SubjectMatches {
    fn clone_at(done: &[Vec<Match>], i: usize) -> Vec<Match> {
        done.get(i).cloned().unwrap_or_default()
    }

    fn of(&self, subject: usize) -> &[Match] {
        self.0.get(subject).map_or(&[], Vec::as_slice)
    }
}

/// A short content hash of a list entry.
pub fn entry_version(e: &ListedEntry) -> String {
    sha256_hex(format!("{e:?}").as_bytes())[..16].to_string()
}

/// What one report added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processed {
    pub subjects: usize,
    pub new_entities: usize,
    pub transactions: usize,
    pub screening_alerts: usize,
}

fn subject_facts(s: &ReportedSubject) -> SubjectFacts {
    SubjectFacts {
        organisation: s.kind == ReportedKind::Entity,
        name: s.name.clone(),
        birth_date: s.birth_date,
        identifiers: s.identifiers.iter().map(|(_, n)| n.clone()).collect(),
        account: s.account.clone(),
    }
}

fn stored_facts(s: &SubjectRow) -> SubjectFacts {
    SubjectFacts {
        organisation: s.kind == "entity",
        name: s.name.clone(),
        birth_date: s
            .birth_date
            .as_deref()
            .and_then(|d| nexus_model::Date::parse(d).ok()),
        identifiers: document_numbers(&s.identifiers),
        account: s.account.clone(),
    }
}

/// Identity documents as stored with a subject: `kind:number` pairs joined by `;`.
fn encode_identifiers(identifiers: &[(String, String)]) -> String {
    identifiers
        .iter()
        .map(|(k, n)| format!("{k}:{n}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The document numbers of a stored identifiers string (see [`encode_identifiers`]).
pub fn document_numbers(identifiers: &str) -> Vec<String> {
    identifiers
        .split(';')
        .filter_map(|p| p.split_once(':').map(|(_, n)| n.to_string()))
        .filter(|n| !n.is_empty())
        .collect()
}

/// The entity a subject belongs to (existing or new) and why.
fn resolve(
    db: &Db,
    s: &ReportedSubject,
    facts: &SubjectFacts,
    keys: &[String],
) -> Result<(i64, String, bool)> {
    let mut best: Option<(f32, i64, String)> = None;
    for candidate in db.entities_with_keys(keys)? {
        for known in db.entity_subjects(candidate)?.iter().take(50) {
            if let Some(r) = same_subject(facts, &stored_facts(known)) {
                if best.as_ref().is_none_or(|b| r.name_score > b.0) {
                    best = Some((r.name_score, candidate, r.evidence.join("; ")));
                }
            }
        }
    }
    let dob = s.birth_date.map(|d| d.to_string());
    let countries = s.countries.join(";");
    if let Some((_, id, evidence)) = best {
        db.enrich_entity(id, dob.as_deref(), &countries)?;
        return Ok((id, evidence, false));
    }
    let id = db.create_entity(entity_kind(s.kind), &s.name, dob.as_deref(), &countries)?;
    Ok((id, "first reported here".into(), true))
}

/// The service's kind of entity for a reported subject.
pub fn entity_kind(k: ReportedKind) -> EntityKind {
    match k {
        ReportedKind::Person => EntityKind::Person,
        ReportedKind::Entity => EntityKind::Organisation,
    }
}

/// A screening query for a reported subject.
pub fn subject_query(id: String, s: &ReportedSubject) -> Query {
    let mut q = Query::new(id, s.name.clone());
    q.kind = match s.kind {
        ReportedKind::Person => SubjectKind::Person,
        ReportedKind::Entity => SubjectKind::Organisation,
    };
    q.birth_date = s.birth_date.map(BirthDate::Exact);
    q.country = s.countries.iter().find_map(|c| Country::parse(c));
    q.document = s
        .identifiers
        .first()
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    q
}

/// A screening query for one of an entity's names (kind and birth date from the entity).
pub fn entity_query(e: &nexus_store::EntityRow, name: &str) -> Query {
    let mut q = Query::new(e.id.to_string(), name.to_string());
    q.kind = if e.kind == EntityKind::Organisation {
        SubjectKind::Organisation
    } else {
        SubjectKind::Person
    };
    q.birth_date = e
        .birth_date
        .as_deref()
        .and_then(|b| nexus_model::Date::parse(b).ok())
        .map(BirthDate::Exact);
    q
}

/// Raises screening alerts for an entity from the matches of one of its
/// names, skipping matches cleared for the same version of the entry.
pub fn raise_screening_alerts(
    db: &Db,
    screening: &Screening,
    entity_id: i64,
    name: &str,
    matches: &[Match],
) -> Result<usize> {
    let mut raised = 0;
    for m in matches {
        let entry = &screening.index.entries()[m.entry];
        let list = &screening.list_of[m.entry];
        let version = &screening.version_of[m.entry];
        if db.is_cleared(entity_id, list, &entry.id, version)? {
            continue;
        }
        let listed = entry.names.get(m.name).map_or("", |n| n.text.as_str());
        let alert = NewAlert {
            score: f64::from(m.score),
            entity_id: Some(entity_id),
            explanation: {
                let mut phrases = vec![Phrase::new(PhraseKey::ScreeningMatch)
                    .with("name", Value::text(name))
                    .with("listed", Value::text(listed))
                    .with("list", Value::text(list))
                    .with("entry", Value::text(&entry.id))
                    .with("reference", Value::text(&entry.reference))
                    .with("score", Value::number(f64::from(m.score), 2))];
                phrases.extend(m.explanation_phrases());
                Explanation(phrases)
            },
            list_name: Some(list.clone()),
            list_entry: Some(entry.id.clone()),
            list_version: Some(version.clone()),
            dedup_key: format!("scr:{entity_id}:{list}:{}:{version}", entry.id),
            ..NewAlert::new(AlertKind::Screening, Typology::SanctionsMatch)
        };
        if db.insert_alert(&alert)?.is_some() {
            raised += 1;
        }
    }
    Ok(raised)
}

/// goAML conduction code to a channel (the scenario FIU's code list, and
/// the UAE codes seen in the samples).
pub fn channel_of(transmode: &str, from: &ReportedSide, to: &ReportedSide) -> Channel {
    match transmode {
        "C" | "CASH" => {
            if from.account.is_none() {
                Channel::CashDeposit
            } else {
                Channel::CashWithdrawal
            }
        }
        "R" => Channel::Remittance,
        "V" | "K" => Channel::Crypto,
        "H" => Channel::InformalValueTransfer,
        "D" => Channel::Card,
        "Q" => Channel::Cheque,
        _ if from.country != to.country && !from.country.is_empty() && !to.country.is_empty() => {
            Channel::Wire
        }
        _ => Channel::DomesticTransfer,
    }
}

/// Stores a valid report's subjects and transactions and raises the
/// screening alerts of `matches` (from [`Screening::screen_subjects`]);
/// part of the intake transaction.
pub fn process_report(
    db: &Db,
    screening: &Screening,
    report_id: i64,
    r: &ReceivedReport,
    matches: &SubjectMatches,
) -> Result<Processed> {
    let mut out = Processed::default();
    let mut entity_of: Vec<i64> = Vec::with_capacity(r.subjects.len());
    // One entity per distinct (name, birth date, account) inside a report.
    let mut local: HashMap<(String, Option<nexus_model::Date>, Option<String>), i64> =
        HashMap::new();
    let mut screened: HashSet<(i64, String)> = HashSet::new();
    for (i, s) in r.subjects.iter().enumerate() {
        let facts = subject_facts(s);
        let keys = blocking_keys(&facts);
        let local_key = (s.name.clone(), s.birth_date, s.account.clone());
        let (entity, evidence) = if let Some(&e) = local.get(&local_key) {
            (e, "same subject earlier in this report".to_string())
        } else {
            let (e, evidence, new) = resolve(db, s, &facts, &keys)?;
            out.new_entities += usize::from(new);
            local.insert(local_key, e);
            (e, evidence)
        };
        db.add_entity_keys(entity, &keys)?;
        db.insert_subject(&SubjectRow {
            report_id,
            entity_id: entity,
            kind: s.kind.as_str().into(),
            name: s.name.clone(),
            birth_date: s.birth_date.map(|d| d.to_string()),
            countries: s.countries.join(";"),
            identifiers: encode_identifiers(&s.identifiers),
            role: s.role.clone(),
            account: s.account.clone(),
            my_client: s.my_client,
            evidence,
            path: s.path.clone(),
            line: s.line as i64,
            places: crate::areas::encode_places(&s.places),
            ..SubjectRow::default()
        })?;
        out.subjects += 1;
        entity_of.push(entity);
        if screened.insert((entity, s.name.clone())) {
            out.screening_alerts +=
                raise_screening_alerts(db, screening, entity, &s.name, matches.of(i))?;
        }
    }
    for t in &r.transactions {
        let (Some(from), Some(to)) = (&t.from, &t.to) else {
            continue; // multi-party: subjects recorded, no edge in the network
        };
        let side = |side: &ReportedSide| -> Result<(Option<i64>, Option<i64>)> {
            let entity = side.subject.map(|i| entity_of[i]);
            let account = match (&side.account, entity) {
                (Some(a), _) => Some(db.upsert_account(&a.key(), &a.name, entity)?),
                (None, Some(e)) => Some(db.upsert_account(&format!("entity:{e}"), "", Some(e))?),
                (None, None) => None,
            };
            Ok((account, entity))
        };
        let (from_account, from_entity) = side(from)?;
        let (to_account, to_entity) = side(to)?;
        let channel = channel_of(&t.transmode_code, from, to);
        let inserted = db.insert_transaction(&NewTransaction {
            report_id: Some(report_id),
            reference: &t.number,
            at: t.date.0,
            amount_minor: t.amount.0,
            currency: &r.currency_code_local,
            from_account,
            to_account,
            from_entity,
            to_entity,
            channel: channel.as_str(),
            description: &t.description,
            source_institution: None,
        })?;
        out.transactions += usize::from(inserted.is_some());
    }
    Ok(out)
}
