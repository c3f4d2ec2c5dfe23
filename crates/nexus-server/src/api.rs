//! The JSON API (`/api/v1`), described in `openapi.yaml`.

use crate::net::{with_body_limit, BodyLimit};
use crate::web::{stated_purpose, AppError, AppState, Caller, Guard};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::detection_lists::DetectionList;
use nexus_fiu::intake::{prepare, store_prepared, unzip_reports, ProblemJson, UploadError};
use nexus_fiu::limits::Limits;
use nexus_fiu::purpose::{opens, Record};
use nexus_store::AuditRecord;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub fn routes(limits: &Limits) -> Router<AppState> {
    let limit = |max: usize| BodyLimit {
        max,
        timeout: limits.body_timeout,
    };
    let reports = Router::new().route("/api/v1/reports", post(submit_reports).get(list_reports));
    let batches = Router::new().route("/api/v1/transactions", post(submit_transactions));
    let inbox = Router::new().route("/api/v1/exchange/inbox", post(exchange_inbox));
    let rest = Router::new()
        .route("/api/v1/reports/{id}", get(report))
        .route("/api/v1/alerts", get(alerts))
        .route("/api/v1/models", get(models))
        .route("/api/v1/models/{id}/activate", post(activate_model))
        .route(
            "/api/v1/detection/{list}",
            get(detection_list).put(set_detection_list),
        )
        .route("/api/v1/alerts/{id}", post(act_on_alert))
        .route("/api/v1/entities/{id}", get(entity))
        .route("/api/v1/screen", post(screen))
        .route("/api/v1/audit/verify", get(verify_audit));
    with_body_limit(reports, limit(limits.max_upload))
        .merge(with_body_limit(batches, limit(limits.max_batch)))
        .merge(with_body_limit(
            inbox,
            limit(
                limits
                    .max_envelope
                    .min(nexus_exchange::envelope::MAX_ENVELOPE),
            ),
        ))
        .merge(with_body_limit(rest, limit(limits.max_form)))
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// `POST /api/v1/reports`: one goAML XML report or a zip of several.
async fn submit_reports(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    principal.require(&[Role::ReportingEntity], true)?;
    principal.check_csrf(csrf_header(&headers), true)?;
    let institution = principal.institution.ok_or_else(|| {
        AppError::new(
            StatusCode::FORBIDDEN,
            "this account is not tied to a reporting entity",
        )
    })?;
    // The UI's upload page reads the answers in its user's language.
    let (lang, in_session) = (
        crate::ui::i18n::Lang::of(Some(&principal)),
        principal.session.is_some(),
    );
    let ct = content_type(&headers);
    let zipped = match ct.as_str() {
        "application/xml" | "text/xml" => false,
        "application/zip" | "application/x-zip-compressed" => true,
        other => {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Type {other:?}: send application/xml (one report) or application/zip (several)"),
            ))
        }
    };
    if body.is_empty() {
        return Err(AppError::bad_request(
            "the request body is empty; send the report's XML",
        ));
    }
    let limits = state.limits;
    // Parsing holds memory: a bounded number of uploads are read at once.
    let _slot = state
        .intake_slots
        .acquire()
        .await
        .map_err(|_| AppError::internal("intake closed".into()))?;
    let outcome = state
        .blocking(move |s| {
            let files = if zipped {
                unzip_reports(&body, &limits).map_err(upload_error)?
            } else {
                if body.len() > limits.max_report {
                    return Err(AppError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("a report may have at most {} bytes", limits.max_report),
                    ));
                }
                vec![("report.xml".to_string(), body.to_vec())]
            };
            let screening = s.screening();
            let prepared = prepare(files, &screening, &limits);
            store_prepared(&s.store, &screening, &principal, institution, &prepared)
                .map_err(upload_error)
        })
        .await?;
    let outcome: Vec<_> = outcome
        .into_iter()
        .map(|mut o| {
            if in_session {
                o.message_text = o.said.as_ref().map(|s| s.render(&lang));
            }
            o
        })
        .collect();
    for o in &outcome {
        let status = if o.duplicate {
            "duplicate"
        } else {
            o.status.as_str()
        };
        state.metrics.intake.with_label_values(&[status]).inc();
    }
    if outcome
        .iter()
        .any(|o| o.status == nexus_model::ReportStatus::Processed && !o.duplicate)
    {
        state.network_changed();
    }
    if zipped {
        return Ok((StatusCode::OK, Json(json!({ "reports": outcome }))).into_response());
    }
    let one = outcome
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("no outcome".into()))?;
    let status = match (one.status, one.duplicate) {
        (nexus_model::ReportStatus::FailedValidation, _) => StatusCode::UNPROCESSABLE_ENTITY,
        (nexus_model::ReportStatus::Rejected, _) => StatusCode::FORBIDDEN,
        (_, true) => StatusCode::OK,
        _ => StatusCode::CREATED,
    };
    Ok((status, Json(one)).into_response())
}

fn upload_error(e: UploadError) -> AppError {
    match e {
        UploadError::Unusable(m) => AppError::bad_request(m),
        UploadError::TooLarge(m) => AppError::new(StatusCode::PAYLOAD_TOO_LARGE, m),
        UploadError::Conflict(m) => AppError::new(StatusCode::CONFLICT, m),
        UploadError::Store(e) => e.into(),
    }
}

#[derive(Deserialize)]
struct Page {
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default)]
    offset: i64,
    #[serde(default)]
    status: Option<String>,
}

fn default_limit() -> i64 {
    50
}

#[derive(Serialize)]
struct ReportJson {
    report_id: i64,
    institution: i64,
    entity_reference: String,
    report_code: String,
    status: nexus_model::ReportStatus,
    message: String,
    received_at: i64,
    problems: Vec<ProblemJson>,
    messages: Vec<serde_json::Value>,
    /// Only for analysts and supervisors who state a purpose.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    subjects: Vec<serde_json::Value>,
}

async fn list_reports(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(page): Query<Page>,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        true,
    )?;
    let only = principal.report_scope();
    let rows = state
        .blocking(move |s| {
            Ok(s.store
                .read(|db| db.reports(only, page.limit.clamp(1, 500), page.offset.max(0)))?)
        })
        .await?;
    let list: Vec<_> = rows
        .into_iter()
        .map(|r| {
            json!({"report_id": r.id, "institution": r.institution, "entity_reference": r.entity_reference,
                   "report_code": r.report_code, "status": r.status, "message": r.message, "received_at": r.received_at})
        })
        .collect();
    Ok(Json(json!({ "reports": list })))
}

async fn report(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<ReportJson>, AppError> {
    principal.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        true,
    )?;
    let purpose = stated_purpose(&principal, &headers);
    let out = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    // Another institution's report answers exactly like a missing one.
                    let r = match db.report(id)? {
                        Some(r) if principal.may_read_report(r.institution) => r,
                        _ => return Ok(None),
                    };
                    let problems = db.report_problems(id)?;
                    let messages = db.report_messages(id)?;
                    // Subjects are personal data: investigators only, under a stated purpose, audited.
                    let mut subjects = Vec::new();
                    if principal.role.investigates() {
                        if let Some(p) = &purpose {
                            if opens(db, p, Record::Report(id))?.is_ok() {
                                subjects = db
                                    .report_subjects(id)?
                                    .into_iter()
                                    .map(|s| json!({"entity_id": s.entity_id, "name": s.name, "role": s.role, "birth_date": s.birth_date,
                                        "account": s.account, "evidence": s.evidence, "path": s.path, "line": s.line}))
                                    .collect();
                                db.audit(&AuditRecord {
                                    actor: principal.actor.clone(),
                                    action: "report.view".into(),
                                    object: format!("report:{id}"),
                                    purpose: p.purpose.clone(),
                                    case_ref: p.case_ref.clone(),
                                    detail: format!("{} subjects", subjects.len()),
                                    ..AuditRecord::default()
                                })?;
                            }
                        }
                    }
                    Ok(Some(ReportJson {
                        report_id: r.id,
                        institution: r.institution,
                        entity_reference: r.entity_reference,
                        report_code: r.report_code,
                        status: r.status,
                        message: r.message,
                        received_at: r.received_at,
                        problems: problems.into_iter().map(ProblemJson::from).collect(),
                        messages: messages.into_iter().map(|m| json!({"author": m.author, "at": m.at, "body": m.body})).collect(),
                        subjects,
                    }))
                })
                .map_err(AppError::from)
        })
        .await?;
    out.map(Json).ok_or_else(AppError::not_found)
}

/// `POST /api/v1/transactions`: a CSV batch of transactions (the interchange
/// columns) from a reporting entity. Accounts are keys `CODE|number` where
/// CODE is an institution code (BIC); every row must have at least one side
/// at one of the sender's own codes — a bank reports its customers'
/// payments, not other banks' — and no key may be one of the FIU's own
/// (`entity:…`). A batch is stored whole or not at all, with its sender on
/// every row. The answer counts the rows accepted: whether the FIU had some
/// of them already is not the bank's business.
async fn submit_transactions(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    principal.require(&[Role::ReportingEntity], true)?;
    principal.check_csrf(csrf_header(&headers), true)?;
    let institution = principal.institution.ok_or_else(|| {
        AppError::new(
            StatusCode::FORBIDDEN,
            "this account is not tied to a reporting entity",
        )
    })?;
    let ct = content_type(&headers);
    if ct != "text/csv" {
        return Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the batch as text/csv",
        ));
    }
    let max_rows = state.limits.max_batch_rows;
    let receipt = state
        .blocking(move |s| {
            use nexus_fiu::batches::{receive_batch, BatchError};
            receive_batch(&s.store, &principal, institution, &body, max_rows).map_err(|e| match e {
                BatchError::NoCodes => AppError::new(StatusCode::FORBIDDEN, e.to_string()),
                BatchError::TooLarge(_) => {
                    AppError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string())
                }
                BatchError::Unreadable(m) => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, m),
                BatchError::Invalid(problems) => AppError {
                    problems,
                    ..AppError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "the batch has invalid rows; nothing was stored",
                    )
                },
                BatchError::Store(e) => e.into(),
            })
        })
        .await?;
    let total = receipt.rows;
    state.stream.submit(receipt.new);
    state.network_changed();
    Ok((
        StatusCode::OK,
        Json(json!({"rows": total, "accepted": total})),
    )
        .into_response())
}

fn alert_json(a: &nexus_store::AlertRow) -> serde_json::Value {
    json!({
        "alert_id": a.id, "kind": a.kind, "typology": a.typology, "score": a.score,
        "entity_id": a.entity_id, "entity_name": a.entity_name, "accounts": a.accounts, "transactions": a.transactions,
        "first_at": a.first_at, "last_at": a.last_at, "total_usd_cents": a.total_minor, "explanation": a.explanation,
        "list": a.list_name, "list_entry": a.list_entry, "status": a.status, "assignee": a.assignee, "reason": a.reason, "case_id": a.case_id,
        "probability": a.probability, "suppressed": a.suppressed, "updated_at": a.updated_at,
    })
}

async fn alerts(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    Query(page): Query<Page>,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(&[Role::Analyst, Role::Supervisor], true)?;
    // The queue names subjects: personal data, read under a stated purpose.
    let purpose = stated_purpose(&principal, &headers).ok_or_else(|| {
        AppError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "the alert queue names persons: state a purpose (X-Purpose, at least 5 characters) under X-Case-Ref: TRIAGE",
        )
    })?;
    let rows = state
        .blocking(move |s| {
            let status = page.status.unwrap_or_else(|| "open".into());
            s.store
                .write(|db| {
                    if let Err(why) = opens(db, &purpose, Record::AlertQueue)? {
                        return Ok(Err(why));
                    }
                    let rows =
                        db.alerts(&status, "", page.limit.clamp(1, 500), page.offset.max(0))?;
                    db.audit(&AuditRecord {
                        actor: principal.actor.clone(),
                        action: "alerts.list".into(),
                        object: "alerts".into(),
                        purpose: purpose.purpose.clone(),
                        case_ref: purpose.case_ref.clone(),
                        detail: format!("status {status}, {} alerts", rows.len()),
                        ..AuditRecord::default()
                    })?;
                    Ok(Ok(rows))
                })
                .map_err(AppError::from)
        })
        .await?
        .map_err(|why| AppError::said(StatusCode::FORBIDDEN, why))?;
    Ok(Json(
        json!({ "alerts": rows.iter().map(alert_json).collect::<Vec<_>>() }),
    ))
}

/// The detection models the FIU keeps (no personal data: no purpose needed).
async fn models(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(&[Role::Analyst, Role::Supervisor], true)?;
    let rows = state
        .blocking(|s| Ok(nexus_fiu::detection::models(&s.store)?))
        .await?;
    let active = state.model().map(|m| m.id);
    Ok(Json(json!({
        "models": rows.iter().map(|m| json!({
            "id": m.id, "name": m.name, "sha256": m.sha256, "trained_on": m.trained_on,
            "metrics": serde_json::from_str::<serde_json::Value>(&m.metrics).unwrap_or(serde_json::Value::Null),
            "created_at": m.created_at, "created_by": m.created_by,
            "activated_at": m.activated_at, "activated_by": m.activated_by,
            "in_force": Some(m.id) == active,
        })).collect::<Vec<_>>()
    })))
}

/// A supervisor puts a model in force.
async fn activate_model(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(&[Role::Supervisor], true)?;
    principal.check_csrf(csrf_header(&headers), true)?;
    let name = state
        .blocking(move |s| {
            let m = nexus_fiu::detection::activate_model(&s.store, Some(&principal), id)?;
            let name = m.name.clone();
            s.set_model(m);
            Ok(name)
        })
        .await?;
    Ok(Json(json!({"id": id, "name": name, "in_force": true})))
}

/// A list detection reads (`areas`, `predicate-accounts`) as the
/// supervisor wrote it, with how many items it names.
async fn detection_list(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(slug): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(&[Role::Analyst, Role::Supervisor], true)?;
    let list = detection_list_named(&slug)?;
    let (text, count) = state
        .blocking(move |s| Ok(nexus_fiu::detection_lists::stored(&s.store, list)?))
        .await?;
    let field = match list {
        DetectionList::HighRiskAreas => "areas",
        DetectionList::PredicateAccounts => "accounts",
    };
    Ok(Json(json!({field: text, "count": count})))
}

/// A supervisor replaces a list detection reads (the body: the list as
/// text, one item per line); detection looks again.
async fn set_detection_list(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    Path(slug): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(&[Role::Supervisor], true)?;
    principal.check_csrf(csrf_header(&headers), true)?;
    let list = detection_list_named(&slug)?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::new(StatusCode::BAD_REQUEST, "the list is not UTF-8 text"))?;
    let count = state
        .blocking(move |s| {
            Ok(nexus_fiu::detection_lists::set(
                &s.store,
                Some(&principal),
                list,
                &text,
            )?)
        })
        .await?;
    state.network_changed();
    Ok(Json(json!({"count": count})))
}

fn detection_list_named(slug: &str) -> Result<DetectionList, AppError> {
    DetectionList::from_slug(slug)
        .ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "no such detection list"))
}

/// What an analyst does with an alert.
#[derive(Deserialize)]
pub struct AlertAction {
    /// `assign`, `escalate`, `dismiss`, `reopen`.
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

async fn act_on_alert(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<AlertAction>,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(&[Role::Analyst, Role::Supervisor], true)?;
    principal.check_csrf(csrf_header(&headers), true)?;
    let a = state
        .blocking(move |s| apply_alert_action(s, &principal, id, &body.action, &body.reason))
        .await?;
    Ok(Json(alert_json(&a)))
}

/// Shared by the API and the UI.
pub fn apply_alert_action(
    s: &AppState,
    principal: &Principal,
    id: i64,
    action: &str,
    reason: &str,
) -> Result<nexus_store::AlertRow, AppError> {
    let action = nexus_fiu::alerts::AlertAction::parse(action)?;
    Ok(nexus_fiu::alerts::act(
        &s.store, principal, id, action, reason,
    )?)
}

async fn entity(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(&[Role::Analyst, Role::Supervisor], true)?;
    let purpose = stated_purpose(&principal, &headers).ok_or_else(|| {
        AppError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "reading personal data needs a stated purpose (X-Purpose, at least 5 characters) and a case reference (X-Case-Ref: a case such as CASE-2026-0001, or ALERT-<id> for triage)",
        )
    })?;
    let v = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    if let Err(why) = opens(db, &purpose, Record::Entity(id))? {
                        return Ok(Err(why));
                    }
                    let Some(e) = db.entity(id)? else { return Ok(Ok(None)) };
                    let subjects = db.entity_subjects(id)?;
                    let transactions = db.entity_transactions(id, 500)?;
                    let alerts = db.entity_alerts(id)?;
                    let cases = db.entity_cases(id)?;
                    db.audit(&AuditRecord {
                        actor: principal.actor.clone(),
                        action: "entity.view".into(),
                        object: format!("entity:{id}"),
                        purpose: purpose.purpose.clone(),
                        case_ref: purpose.case_ref.clone(),
                        personal: e.name.clone(),
                        ..AuditRecord::default()
                    })?;
                    Ok(Ok(Some(json!({
                        "entity_id": e.id, "kind": e.kind, "name": e.name, "birth_date": e.birth_date, "countries": e.countries,
                        "subjects": subjects.iter().map(|s| json!({"report_id": s.report_id, "name": s.name, "role": s.role, "birth_date": s.birth_date,
                            "identifiers": s.identifiers, "account": s.account, "evidence": s.evidence})).collect::<Vec<_>>(),
                        "transactions": transactions.iter().map(|t| json!({"transaction_id": t.id, "reference": t.reference, "at": t.at,
                            "amount": t.amount_minor as f64 / 100.0, "currency": t.currency, "from_account": t.from_account, "to_account": t.to_account,
                            "channel": t.channel})).collect::<Vec<_>>(),
                        "alerts": alerts.iter().map(alert_json).collect::<Vec<_>>(),
                        "cases": cases.iter().map(|c| c.reference.clone()).collect::<Vec<_>>(),
                    }))))
                })
                .map_err(AppError::from)
        })
        .await?;
    match v {
        Err(why) => Err(AppError::said(StatusCode::FORBIDDEN, why)),
        Ok(None) => Err(AppError::not_found()),
        Ok(Some(v)) => Ok(Json(v)),
    }
}

async fn screen(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    Json(req): Json<nexus_fiu::screening::ScreenRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        true,
    )?;
    principal.check_csrf(csrf_header(&headers), true)?;
    let out = state
        .blocking(move |s| {
            let screening = s.screening();
            Ok(nexus_fiu::screening::screen_name(
                &s.store, &screening, &principal, &req,
            )?)
        })
        .await?;
    Ok(Json(json!({ "matches": out })))
}

async fn verify_audit(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<serde_json::Value>, AppError> {
    principal.require(
        &[Role::Oversight, Role::Administrator, Role::Supervisor],
        true,
    )?;
    let v = state
        .blocking(move |s| {
            let v = nexus_fiu::anchor::verify(&s.store, &[])
                .map_err(|e| AppError::internal(e.to_string()))?;
            nexus_fiu::anchor::audit_verification(&s.store, &principal.actor, &v)?;
            Ok(v)
        })
        .await?;
    Ok(Json(match &v.failure {
        None => json!({"intact": true, "records": v.records, "checkpoints": v.checkpoints}),
        Some(f) => json!({"intact": false, "records": v.records, "reason": f}),
    }))
}

/// `POST /api/v1/exchange/inbox`: a partner FIU's envelope. No bearer token:
/// the envelope's signature by a key in the partner directory is the
/// authentication.
async fn exchange_inbox(State(state): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    use nexus_exchange::ExchangeError as M;
    use nexus_fiu::exchange::{receive, ExchangeServiceError as E, InboxAnswer};
    let answer = state
        .blocking(move |s| Ok(receive(&s.store, &body, &s.inbox_rejections)))
        .await?;
    match answer {
        Ok(InboxAnswer::Envelope(bytes)) => {
            Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
        }
        Ok(InboxAnswer::Stored) => {
            Ok((StatusCode::ACCEPTED, Json(json!({"received": true}))).into_response())
        }
        Err(e) => {
            let status = match &e {
                E::UnknownSender(_) => StatusCode::FORBIDDEN,
                E::Message(M::BadSignature(_)) => StatusCode::UNAUTHORIZED,
                E::Replay(_) | E::OutOfOrder(_) => StatusCode::CONFLICT,
                E::NoIdentity => StatusCode::SERVICE_UNAVAILABLE,
                E::Store(_) => return Err(AppError::internal(e.to_string())),
                _ => StatusCode::BAD_REQUEST,
            };
            Err(AppError::new(status, e.to_string()))
        }
    }
}
