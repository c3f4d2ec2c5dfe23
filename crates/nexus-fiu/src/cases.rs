//! Cases: opened by an analyst (or from an alert), holding the entities put
//! into them, notes, documents, provisional measures (freezes), and
//! disseminated by a supervisor as a package for a law-enforcement agency.
//! Every change is audited under the case's reference.

use crate::auth::{sha256_hex, Principal, Role};
use crate::error::FiuError;
use crate::error::{say, Say};
use nexus_model::{CaseStatus, Date, FreezeStatus, Timestamp};
use nexus_store::Store;
use nexus_store::{AuditRecord, CaseRow, Db, StoreError};
use serde_json::json;

/// Shortest case title.
pub const MIN_TITLE: usize = 5;

/// Opens a case numbered in this year's series, audited; part of the caller's transaction.
pub fn open_in(db: &Db, p: &Principal, title: &str, summary: &str) -> Result<CaseRow, StoreError> {
    let c = db.create_case(
        title,
        summary,
        p.user_id.unwrap_or(0),
        Timestamp(nexus_store::now()).date().year,
    )?;
    db.audit(&AuditRecord {
        actor: p.actor.clone(),
        action: "case.create".into(),
        object: format!("case:{}", c.id),
        case_ref: c.reference.clone(),
        personal: c.title.clone(),
        ..AuditRecord::default()
    })?;
    Ok(c)
}

/// Opens a case.
pub fn open(store: &Store, p: &Principal, title: &str, summary: &str) -> Result<CaseRow, FiuError> {
    let title = title.trim();
    if title.chars().count() < MIN_TITLE {
        return Err(FiuError::Invalid(
            say(Say::CaseTitleTooShort).with("min", MIN_TITLE),
        ));
    }
    Ok(store.write(|db| open_in(db, p, title, summary.trim()))?)
}

/// Puts an alert into a case — an existing one named by its reference, or a
/// new one titled `wanted` — with what it showed; the case's id.
///
/// The alert's subject and its focal account (the first of its accounts:
/// the one the pattern is about) become the case's subjects; the other
/// accounts and their holders join as counterparties, and the alert's
/// transactions join as they are, so that a case opened from a fan-in or a
/// cycle holds the money flows the analyst saw even where the banks' feeds
/// named no holder.
pub fn add_alert(
    store: &Store,
    p: &Principal,
    alert_id: i64,
    wanted: &str,
) -> Result<i64, FiuError> {
    store.write(|db| {
        let Some(a) = db.alert(alert_id)? else {
            return Ok(Err(FiuError::NotFound(
                say(Say::NoAlert).with("id", alert_id),
            )));
        };
        let wanted = wanted.trim();
        let case = match db.case_by_reference(wanted)? {
            Some(c) if c.status == CaseStatus::Closed => {
                return Ok(Err(closed_error(&c.reference)));
            }
            Some(c) => c,
            None if wanted.chars().count() >= MIN_TITLE => {
                let summary = format!(
                    "Opened from alert #{alert_id}: {}",
                    a.explanation.chars().take(300).collect::<String>()
                );
                open_in(db, p, wanted, &summary)?
            }
            None => {
                return Ok(Err(FiuError::Invalid(
                    say(Say::CaseOrTitle).with("min", MIN_TITLE),
                )))
            }
        };
        put_alert_contents(db, case.id, &a)?;
        db.update_alert(
            alert_id,
            nexus_model::AlertStatus::Escalated,
            None,
            // No reason written: the alert's case (with its link) says it,
            // in every reader's language.
            "",
            Some(case.id),
        )?;
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: "alert.to-case".into(),
            object: format!("alert:{alert_id}"),
            case_ref: case.reference.clone(),
            ..AuditRecord::default()
        })?;
        Ok(Ok(case.id))
    })?
}

/// Most transactions an alert brings into a case.
pub const ALERT_TRANSACTIONS: usize = 5_000;

/// Puts an alert's subject, accounts and transactions into a case.
fn put_alert_contents(db: &Db, case_id: i64, a: &nexus_store::AlertRow) -> Result<(), StoreError> {
    use nexus_model::CaseRole::{Counterparty, Subject};
    if let Some(e) = a.entity_id {
        db.add_case_entity(case_id, e, Subject)?;
    }
    let mut focal_holder = a.entity_id;
    for (i, key) in a.accounts.split(';').filter(|k| !k.is_empty()).enumerate() {
        let Some(account) = db.account_id_by_key(key)? else {
            continue;
        };
        let role = if i == 0 { Subject } else { Counterparty };
        db.add_case_account(case_id, account, role)?;
        let holder = db.account_holder(account)?;
        if i == 0 && focal_holder.is_none() {
            focal_holder = holder;
            if let Some(e) = holder {
                db.add_case_entity(case_id, e, Subject)?;
            }
        }
    }
    let ids: Vec<i64> = a
        .transactions
        .split(';')
        .filter_map(|t| t.parse().ok())
        .take(ALERT_TRANSACTIONS)
        .collect();
    for t in db.transactions_by_ids(&ids)? {
        db.add_case_transaction(case_id, t.id)?;
        // Whoever else took part is a counterparty, never a subject by
        // having dealt with one.
        for e in [t.from_entity, t.to_entity].into_iter().flatten() {
            if Some(e) != focal_holder {
                db.add_case_entity(case_id, e, Counterparty)?;
            }
        }
    }
    Ok(())
}

/// Applies a change to case `id` and audits it under the case's reference;
/// `f` returns the audit detail and the personal data the change names.
fn change(
    store: &Store,
    p: &Principal,
    id: i64,
    action: &str,
    f: impl FnOnce(&Db, &CaseRow) -> Result<Result<(String, String), FiuError>, StoreError>,
) -> Result<(), FiuError> {
    change_case(store, p, id, action, false, f)
}

/// [`change`], also of a closed case when `closed_too` (reopening it).
fn change_case(
    store: &Store,
    p: &Principal,
    id: i64,
    action: &str,
    closed_too: bool,
    f: impl FnOnce(&Db, &CaseRow) -> Result<Result<(String, String), FiuError>, StoreError>,
) -> Result<(), FiuError> {
    store.write(|db| {
        let Some(c) = db.case(id)? else {
            return Ok(Err(FiuError::NotFound(say(Say::NoCase).with("id", id))));
        };
        if c.status == CaseStatus::Closed && !closed_too {
            return Ok(Err(closed_error(&c.reference)));
        }
        let (detail, personal) = match f(db, &c)? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: action.into(),
            object: format!("case:{id}"),
            case_ref: c.reference,
            detail,
            personal,
            ..AuditRecord::default()
        })?;
        Ok(Ok(()))
    })?
}

fn closed_error(reference: &str) -> FiuError {
    FiuError::Conflict(say(Say::CaseClosed).with("reference", reference))
}

/// Shortest reason for closing or reopening a case.
pub const MIN_CLOSING_REASON: usize = 10;

/// Assigns a case: a supervisor to any analyst or supervisor; an analyst
/// takes an unassigned case (or one already theirs) for themselves, or
/// hands their own back (`to` None).
pub fn assign(store: &Store, p: &Principal, id: i64, to: Option<&str>) -> Result<(), FiuError> {
    let me = p.user_id.unwrap_or(0);
    change(store, p, id, "case.assign", |db, case| {
        let target = match to.map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(name) => match db.user_by_name(name)? {
                Some(u) if !u.disabled && matches!(u.role, Role::Analyst | Role::Supervisor) => {
                    Some(u)
                }
                _ => {
                    return Ok(Err(FiuError::Invalid(
                        say(Say::NotAnInvestigator).with("name", format!("{name:?}")),
                    )))
                }
            },
        };
        if p.role != Role::Supervisor {
            let for_self = target.as_ref().is_none_or(|u| u.id == me);
            let free_or_mine = case.assignee.is_none_or(|a| a == me);
            if !for_self || !free_or_mine {
                return Ok(Err(FiuError::Forbidden(say(Say::AnalystTakesCases))));
            }
        }
        db.set_case_assignee(id, target.as_ref().map(|u| u.id))?;
        let detail = match &target {
            Some(u) => format!("to user:{}", u.username),
            None => "unassigned".into(),
        };
        Ok(Ok((detail, String::new())))
    })
}

/// Closes a case (a supervisor's decision, with the reason kept); refused
/// while a provisional measure is proposed or in force, since closing
/// would leave it without anyone responsible.
pub fn close(store: &Store, p: &Principal, id: i64, reason: &str) -> Result<(), FiuError> {
    if p.role != Role::Supervisor {
        return Err(FiuError::Forbidden(say(Say::SupervisorCloses)));
    }
    let reason = reason.trim();
    if reason.chars().count() < MIN_CLOSING_REASON {
        return Err(FiuError::Invalid(
            say(Say::ClosingReason).with("min", MIN_CLOSING_REASON),
        ));
    }
    change(store, p, id, "case.close", |db, _| {
        let open_measures = db
            .freezes(Some(id))?
            .into_iter()
            .filter(|f| matches!(f.status, FreezeStatus::Proposed | FreezeStatus::InForce))
            .count();
        if open_measures > 0 {
            return Ok(Err(FiuError::Conflict(
                say(Say::MeasuresOpen).with("count", open_measures),
            )));
        }
        db.set_case_closed(id, Some(reason))?;
        Ok(Ok((reason.to_string(), String::new())))
    })
}

/// Reopens a closed case (a supervisor, with the reason).
pub fn reopen(store: &Store, p: &Principal, id: i64, reason: &str) -> Result<(), FiuError> {
    if p.role != Role::Supervisor {
        return Err(FiuError::Forbidden(say(Say::SupervisorReopens)));
    }
    let reason = reason.trim();
    if reason.chars().count() < MIN_CLOSING_REASON {
        return Err(FiuError::Invalid(
            say(Say::ReopeningReason).with("min", MIN_CLOSING_REASON),
        ));
    }
    change_case(store, p, id, "case.reopen", true, |db, case| {
        if case.status != CaseStatus::Closed {
            return Ok(Err(FiuError::Conflict(
                say(Say::CaseNotClosed).with("reference", &case.reference),
            )));
        }
        db.set_case_closed(id, None)?;
        Ok(Ok((reason.to_string(), String::new())))
    })
}

/// Adds a note to a case.
pub fn add_note(store: &Store, p: &Principal, id: i64, body: &str) -> Result<(), FiuError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(FiuError::Invalid(say(Say::EmptyNote)));
    }
    change(store, p, id, "case.note", |db, _| {
        db.add_case_note(id, p.user_id.unwrap_or(0), body)?;
        Ok(Ok((String::new(), String::new())))
    })
}

/// Puts an entity into a case as a subject (or makes a counterparty one):
/// from now on the case's purpose opens it.
pub fn add_entity(store: &Store, p: &Principal, id: i64, entity_id: i64) -> Result<(), FiuError> {
    change(store, p, id, "case.add-entity", |db, _| {
        if db.entity(entity_id)?.is_none() {
            return Ok(Err(FiuError::NotFound(
                say(Say::NoEntity).with("id", entity_id),
            )));
        }
        db.add_case_entity(id, entity_id, nexus_model::CaseRole::Subject)?;
        Ok(Ok((format!("entity:{entity_id}"), String::new())))
    })
}

/// Puts an account into a case as a subject, by its key as the UI shows it
/// (`BIC|number`), with its holder when known.
pub fn add_account(store: &Store, p: &Principal, id: i64, key: &str) -> Result<(), FiuError> {
    let key = key.trim().to_string();
    change(store, p, id, "case.add-account", |db, _| {
        let Some(account) = db.account_id_by_key(&key)? else {
            return Ok(Err(FiuError::NotFound(
                say(Say::NoAccount).with("key", format!("{key:?}")),
            )));
        };
        db.add_case_account(id, account, nexus_model::CaseRole::Subject)?;
        if let Some(holder) = db.account_holder(account)? {
            db.add_case_entity(id, holder, nexus_model::CaseRole::Subject)?;
        }
        Ok(Ok((format!("account:{account}"), key.clone())))
    })
}

/// What a freeze is on: a party of the case or one of its accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreezeTarget {
    Entity(i64),
    Account(i64),
}

impl FreezeTarget {
    /// `entity:7` or `account:12`, as the case page's form sends it.
    pub fn parse(text: &str) -> Option<FreezeTarget> {
        let (kind, id) = text.trim().split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "entity" => Some(FreezeTarget::Entity(id)),
            "account" => Some(FreezeTarget::Account(id)),
            _ => None,
        }
    }
}

/// A provisional measure to order.
#[derive(Debug, Clone)]
pub struct FreezeOrder {
    pub target: FreezeTarget,
    pub assets: String,
    pub legal_basis: String,
    pub issued_on: Date,
    pub expires_on: Date,
}

/// Proposes a freeze on a subject of the case or one of its subject
/// accounts (and only on those). It is not in force until a supervisor
/// other than its author approves it ([`decide_freeze`]).
pub fn order_freeze(
    store: &Store,
    p: &Principal,
    id: i64,
    o: &FreezeOrder,
) -> Result<(), FiuError> {
    if o.expires_on <= o.issued_on {
        return Err(FiuError::Invalid(say(Say::FreezeExpiresAfterIssue)));
    }
    if o.assets.trim().is_empty() || o.legal_basis.trim().is_empty() {
        return Err(FiuError::Invalid(say(Say::FreezeNamesAssets)));
    }
    change(store, p, id, "freeze.order", |db, _| {
        let (entity, account) = match o.target {
            FreezeTarget::Entity(e) => {
                if db.entity(e)?.is_none() {
                    return Ok(Err(FiuError::NotFound(say(Say::NoEntity).with("id", e))));
                }
                let subject = db
                    .case_parties(id)?
                    .iter()
                    .any(|(x, role)| x.id == e && *role == nexus_model::CaseRole::Subject);
                if !subject {
                    return Ok(Err(FiuError::Invalid(
                        say(Say::EntityNotSubject).with("id", e),
                    )));
                }
                (Some(e), None)
            }
            FreezeTarget::Account(a) => {
                let Some(row) = db.case_accounts(id)?.into_iter().find(|x| x.id == a) else {
                    return Ok(Err(FiuError::Invalid(
                        say(Say::AccountNotInCase).with("id", a),
                    )));
                };
                if row.role != nexus_model::CaseRole::Subject {
                    return Ok(Err(FiuError::Invalid(
                        say(Say::AccountIsCounterparty).with("key", &row.key),
                    )));
                }
                (row.entity_id, Some(a))
            }
        };
        let fid = db.insert_freeze(
            id,
            entity,
            account,
            o.assets.trim(),
            o.legal_basis.trim(),
            &o.issued_on.to_string(),
            &o.expires_on.to_string(),
            p.user_id.unwrap_or(0),
        )?;
        let on = match o.target {
            FreezeTarget::Entity(e) => format!("entity {e}"),
            FreezeTarget::Account(a) => format!("account {a}"),
        };
        Ok(Ok((
            format!("freeze {fid} proposed on {on} until {}", o.expires_on),
            String::new(),
        )))
    })
}

/// A supervisor's decision on a proposed freeze: approve (in force from
/// now) or reject, with the reasons, never on one's own proposal; the case
/// it belongs to.
pub fn decide_freeze(
    store: &Store,
    p: &Principal,
    freeze_id: i64,
    approve: bool,
    reasons: &str,
) -> Result<i64, FiuError> {
    if p.role != Role::Supervisor {
        return Err(FiuError::Forbidden(say(Say::SupervisorDecidesFreeze)));
    }
    let reasons = reasons.trim();
    if !approve && reasons.is_empty() {
        return Err(FiuError::Invalid(say(Say::FreezeRejectionReason)));
    }
    store.write(|db| {
        let Some(fr) = db.freeze(freeze_id)? else {
            return Ok(Err(FiuError::NotFound(
                say(Say::NoFreeze).with("id", freeze_id),
            )));
        };
        if fr.status != nexus_model::FreezeStatus::Proposed {
            return Ok(Err(FiuError::Conflict(
                say(Say::FreezeNotProposed)
                    .with("id", freeze_id)
                    .with("status", fr.status.as_str()),
            )));
        }
        if Some(fr.created_by_id) == p.user_id {
            return Ok(Err(FiuError::Forbidden(say(Say::FreezeFourEyes))));
        }
        let status = if approve {
            nexus_model::FreezeStatus::InForce
        } else {
            nexus_model::FreezeStatus::Rejected
        };
        db.decide_freeze(freeze_id, status, p.user_id.unwrap_or(0), reasons)?;
        let case_ref = db
            .case(fr.case_id)?
            .map(|c| c.reference)
            .unwrap_or_default();
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: if approve {
                "freeze.approve"
            } else {
                "freeze.reject"
            }
            .into(),
            object: format!("freeze:{freeze_id}"),
            case_ref,
            detail: format!("proposed by {}", fr.created_by),
            personal: reasons.to_string(),
            ..AuditRecord::default()
        })?;
        Ok(Ok(fr.case_id))
    })?
}

/// Changes a freeze's status; the case it belongs to.
pub fn update_freeze(
    store: &Store,
    p: &Principal,
    freeze_id: i64,
    status: &str,
    outcome: &str,
) -> Result<i64, FiuError> {
    use nexus_model::FreezeStatus::{Confiscated, Expired, InForce, Lifted};
    if p.role != Role::Supervisor {
        return Err(FiuError::Forbidden(say(Say::SupervisorEndsFreeze)));
    }
    let status = nexus_model::FreezeStatus::parse(status)
        .filter(|s| matches!(s, Lifted | Expired | Confiscated))
        .ok_or_else(|| {
            FiuError::Invalid(say(Say::FreezeEnd).with("status", format!("{status:?}")))
        })?;
    store.write(|db| {
        let Some(fr) = db.freeze(freeze_id)? else {
            return Ok(Err(FiuError::NotFound(
                say(Say::NoFreeze).with("id", freeze_id),
            )));
        };
        if fr.status != InForce {
            return Ok(Err(FiuError::Conflict(
                say(Say::FreezeNotInForce)
                    .with("id", freeze_id)
                    .with("status", fr.status.as_str()),
            )));
        }
        db.update_freeze(freeze_id, status, outcome.trim())?;
        let case_ref = db
            .case(fr.case_id)?
            .map(|c| c.reference)
            .unwrap_or_default();
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: "freeze.update".into(),
            object: format!("freeze:{freeze_id}"),
            case_ref,
            detail: status.as_str().to_string(),
            personal: outcome.trim().to_string(),
            ..AuditRecord::default()
        })?;
        Ok(Ok(fr.case_id))
    })?
}

/// The case as a package for a law-enforcement agency (`None` for no case):
/// its subjects and, apart, the counterparties they dealt with; the
/// accounts with their roles; the transactions with the report each came
/// from (the reporting entity's own reference); every spelling a report
/// gave a party; notes, documents (name and SHA-256), measures with who
/// proposed and who decided them, and earlier disseminations.
pub fn package(db: &Db, id: i64) -> Result<Option<serde_json::Value>, StoreError> {
    let Some(c) = db.case(id)? else {
        return Ok(None);
    };
    let mut reports = std::collections::BTreeMap::new();
    let mut source_of = |db: &Db, report_id: i64| -> Result<serde_json::Value, StoreError> {
        if let Some(v) = reports.get(&report_id) {
            return Ok(serde_json::Value::clone(v));
        }
        let v = match db.report(report_id)? {
            Some(r) => {
                let institution = db
                    .institution(r.institution)?
                    .map(|i| i.name)
                    .unwrap_or_default();
                json!({"report_id": r.id, "reporting_entity": institution, "reference": r.entity_reference,
                       "received": Timestamp(r.received_at).to_string()})
            }
            None => json!({"report_id": report_id}),
        };
        reports.insert(report_id, v.clone());
        Ok(v)
    };
    let (mut subjects, mut counterparties) = (Vec::new(), Vec::new());
    for (e, role) in db.case_parties(id)? {
        let mut names = Vec::new();
        for s in db.entity_subjects(e.id)? {
            names.push(
                json!({"name": s.name, "identifiers": s.identifiers, "account": s.account,
                "source": source_of(db, s.report_id)?}),
            );
        }
        let party = json!({"entity_id": e.id, "kind": e.kind, "name": e.name, "birth_date": e.birth_date, "countries": e.countries,
            "names_as_reported": names,
            "alerts": db.entity_alerts(e.id)?.iter().map(|a| json!({"alert_id": a.id, "typology": a.typology, "explanation": a.explanation, "phrases": a.phrases, "status": a.status})).collect::<Vec<_>>()});
        match role {
            nexus_model::CaseRole::Subject => subjects.push(party),
            nexus_model::CaseRole::Counterparty => counterparties.push(party),
        }
    }
    let accounts: Vec<_> = db
        .case_accounts(id)?
        .into_iter()
        .map(|a| json!({"account": a.key, "holder_as_reported": a.name, "holder_entity_id": a.entity_id, "role": a.role}))
        .collect();
    let mut transactions = Vec::new();
    for t in db.case_transactions(id, 5000)? {
        let source = match (t.report_id, t.source_institution) {
            (Some(r), _) => source_of(db, r)?,
            (None, Some(i)) => {
                let name = db.institution(i)?.map(|x| x.name).unwrap_or_default();
                json!({"batch_of": name})
            }
            (None, None) => json!("payment data loaded by the FIU"),
        };
        transactions.push(json!({"reference": t.reference, "at": Timestamp(t.at).to_string(), "amount": t.amount_minor as f64 / 100.0,
            "currency": t.currency, "from_account": t.from_account, "to_account": t.to_account, "channel": t.channel, "source": source}));
    }
    Ok(Some(json!({
        "case": {"reference": c.reference, "title": c.title, "status": c.status, "summary": c.summary, "opened": Timestamp(c.created_at).to_string()},
        "subjects": subjects,
        "counterparties": counterparties,
        "accounts": accounts,
        "transactions": transactions,
        "notes": db.case_notes(id)?.iter().map(|n| json!({"author": n.author, "at": Timestamp(n.at).to_string(), "body": n.body})).collect::<Vec<_>>(),
        "documents": db.case_documents(id)?.iter().map(|d| json!({"filename": d.filename, "content_type": d.content_type, "size": d.size, "sha256": d.sha256, "added_by": d.uploaded_by, "at": Timestamp(d.at).to_string()})).collect::<Vec<_>>(),
        "provisional_measures": db.freezes(Some(id))?.iter().map(|f| json!({"on": f.entity_name, "assets": f.assets, "legal_basis": f.legal_basis,
            "issued_on": f.issued_on, "expires_on": f.expires_on, "status": f.status, "outcome": f.outcome,
            "proposed_by": f.created_by, "decided_by": f.decided_by, "decision": f.decision})).collect::<Vec<_>>(),
        "disseminations": db.disseminations(id)?.iter().map(|d| json!({"agency": d.agency, "legal_basis": d.legal_basis, "at": Timestamp(d.created_at).to_string()})).collect::<Vec<_>>(),
        "generated_by": "nexus",
    })))
}

/// Disseminates a case to an agency (a supervisor's decision): the package
/// as sent is recorded with the agency and legal basis.
pub fn disseminate(
    store: &Store,
    p: &Principal,
    id: i64,
    agency: &str,
    legal_basis: &str,
) -> Result<(), FiuError> {
    if p.role != Role::Supervisor {
        return Err(FiuError::Forbidden(say(Say::SupervisorDisseminates)));
    }
    let (agency, legal_basis) = (agency.trim(), legal_basis.trim());
    if agency.is_empty() || legal_basis.is_empty() {
        return Err(FiuError::Invalid(say(Say::AgencyAndBasis)));
    }
    change(store, p, id, "case.disseminate", |db, _| {
        let Some(pkg) = package(db, id)? else {
            return Ok(Err(FiuError::NotFound(say(Say::NoCase).with("id", id))));
        };
        db.insert_dissemination(
            id,
            agency,
            legal_basis,
            &pkg.to_string(),
            p.user_id.unwrap_or(0),
        )?;
        db.set_case_status(id, CaseStatus::Disseminated)?;
        Ok(Ok((
            format!("to {agency} under {legal_basis}"),
            String::new(),
        )))
    })
}

/// Attaches a document to a case file; its id.
pub fn attach_document(
    store: &Store,
    p: &Principal,
    id: i64,
    filename: &str,
    content_type: &str,
    body: &[u8],
) -> Result<i64, FiuError> {
    let filename: String = filename
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .take(200)
        .collect();
    if filename.trim().is_empty() || body.is_empty() {
        return Err(FiuError::Invalid(say(Say::DocumentBody)));
    }
    let content_type = if content_type.is_empty() || content_type.len() >= 100 {
        "application/octet-stream"
    } else {
        content_type
    };
    store.write(|db| {
        let Some(c) = db.case(id)? else {
            return Ok(Err(FiuError::NotFound(say(Say::NoCase).with("id", id))));
        };
        let sha = sha256_hex(body);
        let doc = db.add_case_document(
            id,
            filename.trim(),
            content_type,
            &sha,
            body,
            p.user_id.unwrap_or(0),
        )?;
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: "case.document-add".into(),
            object: format!("case:{id}"),
            case_ref: c.reference,
            detail: format!("document {doc} ({} bytes, sha256 {sha})", body.len()),
            personal: filename.trim().to_string(),
            ..AuditRecord::default()
        })?;
        Ok(Ok(doc))
    })?
}
