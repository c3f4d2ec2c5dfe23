//! Cases: opened by an analyst (or from an alert), holding the entities put
//! into them, notes, documents, provisional measures (freezes), and
//! disseminated by a supervisor as a package for a law-enforcement agency.
//! Every change is audited under the case's reference.

use crate::auth::{sha256_hex, Principal, Role};
use crate::error::FiuError;
use nexus_model::{Date, Timestamp};
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
        return Err(FiuError::Invalid(format!(
            "a case title has at least {MIN_TITLE} characters"
        )));
    }
    Ok(store.write(|db| open_in(db, p, title, summary.trim()))?)
}

/// Puts an alert into a case — an existing one named by its reference, or a
/// new one titled `wanted` — with the entities it names; the case's id.
pub fn add_alert(
    store: &Store,
    p: &Principal,
    alert_id: i64,
    wanted: &str,
) -> Result<i64, FiuError> {
    store.write(|db| {
        let Some(a) = db.alert(alert_id)? else {
            return Ok(Err(FiuError::NotFound(format!("no alert {alert_id}"))));
        };
        let wanted = wanted.trim();
        let case = match db.case_by_reference(wanted)? {
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
                    "name an existing case reference or a title of at least 5 characters".into(),
                )))
            }
        };
        if let Some(e) = a.entity_id {
            db.add_case_entity(case.id, e)?;
        }
        // Account holders of a typology alert join the case too.
        let ids: Vec<i64> = a
            .transactions
            .split(';')
            .filter_map(|t| t.parse().ok())
            .take(500)
            .collect();
        for t in db.transactions_by_ids(&ids)? {
            for e in [t.from_entity, t.to_entity].into_iter().flatten() {
                db.add_case_entity(case.id, e)?;
            }
        }
        db.update_alert(
            alert_id,
            nexus_model::AlertStatus::Escalated,
            None,
            &format!("added to {}", case.reference),
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

/// Applies a change to case `id` and audits it under the case's reference;
/// `f` returns the audit detail and the personal data the change names.
fn change(
    store: &Store,
    p: &Principal,
    id: i64,
    action: &str,
    f: impl FnOnce(&Db) -> Result<Result<(String, String), FiuError>, StoreError>,
) -> Result<(), FiuError> {
    store.write(|db| {
        let Some(c) = db.case(id)? else {
            return Ok(Err(FiuError::NotFound(format!("no case {id}"))));
        };
        let (detail, personal) = match f(db)? {
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

/// Adds a note to a case.
pub fn add_note(store: &Store, p: &Principal, id: i64, body: &str) -> Result<(), FiuError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(FiuError::Invalid("an empty note".into()));
    }
    change(store, p, id, "case.note", |db| {
        db.add_case_note(id, p.user_id.unwrap_or(0), body)?;
        Ok(Ok((String::new(), String::new())))
    })
}

/// Puts an entity into a case: from now on the case's purpose opens it.
pub fn add_entity(store: &Store, p: &Principal, id: i64, entity_id: i64) -> Result<(), FiuError> {
    change(store, p, id, "case.add-entity", |db| {
        if db.entity(entity_id)?.is_none() {
            return Ok(Err(FiuError::NotFound(format!("no entity {entity_id}"))));
        }
        db.add_case_entity(id, entity_id)?;
        Ok(Ok((format!("entity:{entity_id}"), String::new())))
    })
}

/// A provisional measure to order.
#[derive(Debug, Clone)]
pub struct FreezeOrder {
    pub entity_id: i64,
    pub assets: String,
    pub legal_basis: String,
    pub issued_on: Date,
    pub expires_on: Date,
}

/// Orders a freeze on a subject of the case (and only on one).
pub fn order_freeze(
    store: &Store,
    p: &Principal,
    id: i64,
    o: &FreezeOrder,
) -> Result<(), FiuError> {
    if o.expires_on <= o.issued_on {
        return Err(FiuError::Invalid(
            "a freeze expires after it is issued".into(),
        ));
    }
    if o.assets.trim().is_empty() || o.legal_basis.trim().is_empty() {
        return Err(FiuError::Invalid(
            "a freeze names the assets and its legal basis".into(),
        ));
    }
    change(store, p, id, "freeze.order", |db| {
        if db.entity(o.entity_id)?.is_none() {
            return Ok(Err(FiuError::NotFound(format!(
                "no entity {}",
                o.entity_id
            ))));
        }
        if !db.case_has_entity(id, o.entity_id)? {
            return Ok(Err(FiuError::Invalid(format!(
                "entity {} is not a subject of this case; add it to the case first",
                o.entity_id
            ))));
        }
        let fid = db.insert_freeze(
            id,
            o.entity_id,
            o.assets.trim(),
            o.legal_basis.trim(),
            &o.issued_on.to_string(),
            &o.expires_on.to_string(),
            p.user_id.unwrap_or(0),
        )?;
        Ok(Ok((
            format!(
                "freeze {fid} on entity {} until {}",
                o.entity_id, o.expires_on
            ),
            String::new(),
        )))
    })
}

/// Changes a freeze's status; the case it belongs to.
pub fn update_freeze(
    store: &Store,
    p: &Principal,
    freeze_id: i64,
    status: &str,
    outcome: &str,
) -> Result<i64, FiuError> {
    let status = nexus_model::FreezeStatus::parse(status).ok_or_else(|| {
        FiuError::Invalid(format!(
            "unknown freeze status {status:?}: in-force, lifted, expired or confiscated"
        ))
    })?;
    store.write(|db| {
        let Some(fr) = db.freezes(None)?.into_iter().find(|x| x.id == freeze_id) else {
            return Ok(Err(FiuError::NotFound(format!("no freeze {freeze_id}"))));
        };
        db.update_freeze(freeze_id, status, outcome.trim())?;
        db.audit(&AuditRecord {
            actor: p.actor.clone(),
            action: "freeze.update".into(),
            object: format!("freeze:{freeze_id}"),
            detail: status.as_str().to_string(),
            personal: outcome.trim().to_string(),
            ..AuditRecord::default()
        })?;
        Ok(Ok(fr.case_id))
    })?
}

/// The case as a package for a law-enforcement agency (`None` for no case).
pub fn package(db: &Db, id: i64) -> Result<Option<serde_json::Value>, StoreError> {
    let Some(c) = db.case(id)? else {
        return Ok(None);
    };
    let entities = db.case_entities(id)?;
    let mut ents = Vec::new();
    for e in &entities {
        let subjects = db.entity_subjects(e.id)?;
        ents.push(json!({"entity_id": e.id, "kind": e.kind, "name": e.name, "birth_date": e.birth_date, "countries": e.countries,
            "names_as_reported": subjects.iter().map(|s| json!({"name": s.name, "report_id": s.report_id, "identifiers": s.identifiers, "account": s.account})).collect::<Vec<_>>(),
            "alerts": db.entity_alerts(e.id)?.iter().map(|a| json!({"alert_id": a.id, "typology": a.typology, "explanation": a.explanation, "status": a.status})).collect::<Vec<_>>()}));
    }
    let txs = db.case_transactions(id, 5000)?;
    Ok(Some(json!({
        "case": {"reference": c.reference, "title": c.title, "status": c.status, "summary": c.summary, "opened": Timestamp(c.created_at).to_string()},
        "entities": ents,
        "transactions": txs.iter().map(|t| json!({"reference": t.reference, "at": Timestamp(t.at).to_string(), "amount": t.amount_minor as f64 / 100.0,
            "currency": t.currency, "from_account": t.from_account, "to_account": t.to_account, "channel": t.channel,
            "source": match (t.report_id, t.source_institution) {
                (Some(r), _) => format!("report {r}"),
                (None, Some(i)) => format!("batch of reporting entity {i}"),
                (None, None) => "payment data loaded by the FIU".to_string(),
            }})).collect::<Vec<_>>(),
        "notes": db.case_notes(id)?.iter().map(|n| json!({"author": n.author, "at": Timestamp(n.at).to_string(), "body": n.body})).collect::<Vec<_>>(),
        "provisional_measures": db.freezes(Some(id))?.iter().map(|f| json!({"subject": f.entity_name, "assets": f.assets, "legal_basis": f.legal_basis,
            "issued_on": f.issued_on, "expires_on": f.expires_on, "status": f.status, "outcome": f.outcome})).collect::<Vec<_>>(),
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
        return Err(FiuError::Forbidden(
            "dissemination is decided by a supervisor".into(),
        ));
    }
    let (agency, legal_basis) = (agency.trim(), legal_basis.trim());
    if agency.is_empty() || legal_basis.is_empty() {
        return Err(FiuError::Invalid(
            "name the agency and the legal basis".into(),
        ));
    }
    change(store, p, id, "case.disseminate", |db| {
        let Some(pkg) = package(db, id)? else {
            return Ok(Err(FiuError::NotFound(format!("no case {id}"))));
        };
        db.insert_dissemination(
            id,
            agency,
            legal_basis,
            &pkg.to_string(),
            p.user_id.unwrap_or(0),
        )?;
        db.set_case_status(id, nexus_model::CaseStatus::Disseminated)?;
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
        return Err(FiuError::Invalid(
            "send the document as the body and its name in X-Filename".into(),
        ));
    }
    let content_type = if content_type.is_empty() || content_type.len() >= 100 {
        "application/octet-stream"
    } else {
        content_type
    };
    store.write(|db| {
        let Some(c) = db.case(id)? else {
            return Ok(Err(FiuError::NotFound(format!("no case {id}"))));
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
