//! Purpose binding: personal data is read only under a stated purpose whose
//! reference *covers the record read*.
//!
//! A reference is one of three scopes:
//! - `TRIAGE` covers the alert queue and alert pages — not persons, reports
//!   or partner messages;
//! - `ALERT-<id>` covers that alert and what it names: its subject, the
//!   holders of its accounts and transactions, the reports they came from;
//! - a case reference (`CASE-2026-0001`) covers the case and what has been
//!   put into it: its entities, their reports, its alerts, its documents and
//!   the partner messages linked to it.
//!
//! Putting a person into a case is itself an audited act (`case.add-entity`),
//! so every read of a person traces back to a decision oversight can see.

use crate::error::{say, Phrase, Say};
use nexus_model::explain::Value;
use nexus_store::{AlertRow, Db, StoreError};
use std::collections::HashSet;

/// The case reference for working the alert queue before any case exists.
pub const TRIAGE: &str = "TRIAGE";

/// The purpose and case reference under which personal data is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    pub purpose: String,
    pub case_ref: String,
}

impl Purpose {
    /// A purpose as stated: at least five characters of purpose and a
    /// non-empty reference; `None` otherwise.
    pub fn stated(purpose: &str, case_ref: &str) -> Option<Purpose> {
        let purpose = purpose.trim();
        let case_ref = case_ref.trim();
        (purpose.chars().count() >= 5
            && purpose.chars().count() <= 500
            && !case_ref.is_empty()
            && case_ref.chars().count() <= 100)
            .then(|| Purpose {
                purpose: purpose.to_string(),
                case_ref: case_ref.to_string(),
            })
    }
}

/// What a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Triage,
    Alert(i64),
    Case(i64),
}

/// The record a request wants to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// The list of open alerts (subjects' names included).
    AlertQueue,
    Alert(i64),
    Entity(i64),
    /// A report's subjects.
    Report(i64),
    Case(i64),
    /// A partner FIU's message, linked to a case or not.
    PartnerMessage {
        case_id: Option<i64>,
    },
    /// An account's page (its holder, payments, alerts and cases), by id.
    Account(i64),
    /// A search across the FIU's subjects, accounts, reports and
    /// transactions: part of investigating an alert or a case, not of
    /// triage (each result still opens under its own rule).
    Search,
}

/// The scope a reference names in this FIU, or `None` when it names nothing.
pub fn scope(db: &Db, case_ref: &str) -> Result<Option<Scope>, StoreError> {
    if case_ref == TRIAGE {
        return Ok(Some(Scope::Triage));
    }
    if let Some(n) = case_ref.strip_prefix("ALERT-") {
        return Ok(match n.parse::<i64>() {
            Ok(id) => db.alert(id)?.map(|_| Scope::Alert(id)),
            Err(_) => None,
        });
    }
    Ok(db.case_by_reference(case_ref)?.map(|c| Scope::Case(c.id)))
}

/// The entities an alert names: its subject and the holders of the accounts
/// of its transactions.
pub fn alert_entities(db: &Db, a: &AlertRow) -> Result<HashSet<i64>, StoreError> {
    let mut out: HashSet<i64> = a.entity_id.into_iter().collect();
    let ids: Vec<i64> = a
        .transactions
        .split(';')
        .filter_map(|t| t.parse().ok())
        .take(5000)
        .collect();
    for t in db.transactions_by_ids(&ids)? {
        out.extend(t.from_entity);
        out.extend(t.to_entity);
    }
    Ok(out)
}

/// Whether `scope` covers reading `record`.
pub fn covers(db: &Db, scope: Scope, record: Record) -> Result<bool, StoreError> {
    Ok(match (scope, record) {
        (Scope::Triage, Record::AlertQueue | Record::Alert(_)) => true,
        (Scope::Alert(_) | Scope::Case(_), Record::Search) => true,
        (Scope::Triage, _) => false,
        (Scope::Alert(a), Record::Alert(b)) => a == b,
        (Scope::Alert(a), Record::Entity(e)) => match db.alert(a)? {
            Some(alert) => alert_entities(db, &alert)?.contains(&e),
            None => false,
        },
        (Scope::Alert(a), Record::Report(r)) => match db.alert(a)? {
            Some(alert) => {
                let entities = alert_entities(db, &alert)?;
                db.report_subjects(r)?
                    .iter()
                    .any(|s| entities.contains(&s.entity_id))
            }
            None => false,
        },
        (Scope::Alert(a), Record::Account(id)) => match (db.alert(a)?, db.account_key(id)?) {
            (Some(alert), Some(key)) => {
                alert.accounts.split(';').any(|k| k == key)
                    || match db.account_holder(id)? {
                        Some(holder) => alert_entities(db, &alert)?.contains(&holder),
                        None => false,
                    }
            }
            _ => false,
        },
        (Scope::Alert(_), _) => false,
        (Scope::Case(c), Record::Case(d)) => c == d,
        (Scope::Case(c), Record::Entity(e)) => db.case_has_entity(c, e)?,
        (Scope::Case(c), Record::Alert(a)) => match db.alert(a)? {
            Some(alert) => {
                alert.case_id == Some(c)
                    || alert
                        .entity_id
                        .map(|e| db.case_has_entity(c, e))
                        .transpose()?
                        .unwrap_or(false)
            }
            None => false,
        },
        (Scope::Case(c), Record::Report(r)) => db
            .report_subjects(r)?
            .iter()
            .map(|s| db.case_has_entity(c, s.entity_id))
            .collect::<Result<Vec<bool>, _>>()?
            .into_iter()
            .any(|b| b),
        (Scope::Case(c), Record::PartnerMessage { case_id }) => case_id == Some(c),
        (Scope::Case(c), Record::Account(id)) => {
            db.case_accounts(c)?.iter().any(|a| a.id == id)
                || db.case_touches_account(c, id)?
                || match db.account_holder(id)? {
                    Some(holder) => db.case_has_entity(c, holder)?,
                    None => false,
                }
        }
        (Scope::Case(_), Record::AlertQueue) => false,
    })
}

/// Whether `purpose` opens `record`: `Ok(())`, or the sentence saying why not.
pub fn opens(db: &Db, purpose: &Purpose, record: Record) -> Result<Result<(), Phrase>, StoreError> {
    let named = scope(db, &purpose.case_ref)?;
    match named {
        Some(s) if covers(db, s, record)? => Ok(Ok(())),
        _ => Ok(Err(refusal(&purpose.case_ref, named, record))),
    }
}

/// Why a purpose does not open a record: the sentence the purpose form shows.
pub fn refusal(case_ref: &str, named: Option<Scope>, record: Record) -> Phrase {
    let what = match record {
        Record::AlertQueue => say(Say::QueueReadUnder),
        Record::Alert(a) => say(Say::AlertReadUnder).with("id", a),
        Record::Entity(e) => say(Say::EntityReadUnder).with("id", e),
        Record::Report(r) => say(Say::ReportReadUnder).with("id", r),
        Record::Case(_) => say(Say::CaseReadUnder),
        Record::Account(_) => say(Say::AccountReadUnder),
        Record::Search => say(Say::SearchReadUnder),
        Record::PartnerMessage { .. } => say(Say::PartnerMessageReadUnder),
    };
    say(match named {
        None => Say::PurposeNamesNothing,
        Some(_) => Say::PurposeDoesNotCover,
    })
    .with("reference", format!("{case_ref:?}"))
    .with("what", Value::Phrase(Box::new(what)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_purpose_needs_substance_and_a_reference() {
        assert!(Purpose::stated("triage", "TRIAGE").is_some());
        assert!(Purpose::stated("  ab ", "TRIAGE").is_none());
        assert!(Purpose::stated("analysis", "  ").is_none());
        assert!(Purpose::stated(&"x".repeat(501), "TRIAGE").is_none());
    }
}
