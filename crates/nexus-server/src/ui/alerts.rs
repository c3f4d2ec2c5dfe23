//! Alerts: the queue (what to work next, highest score first, with when
//! each alert was raised or last grew, its subject and focal account, who
//! holds it, paged through the whole queue) and an alert's page (why it was
//! raised, its transactions, triage: assign, escalate, dismiss with a
//! reason, into a case, a false-positive clearance). Read under the stated
//! purpose (TRIAGE or the alert's reference) and audited.

use super::i18n::Lang;
use super::labels;
use super::{audit_view, audit_view_about, csrf_field, html_err, page, require_purpose, when};
use crate::api::apply_alert_action;
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::purpose::{Record, TRIAGE};
use nexus_model::AlertKind;
use nexus_store::AlertRow;
use nexus_store::TransactionRow;
use serde::Deserialize;
use std::collections::HashMap;

/// Alerts per page.
const PAGE: i64 = 100;

/// The queue's filters: status (`open`, one status, `suppressed`, `all`),
/// source (`screening`, `typology` for rules, `model`) and the page's offset.
#[derive(Deserialize, Default)]
pub(super) struct QueueQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    offset: Option<i64>,
}

const STATUSES: &[(&str, &str)] = &[
    ("open", "queue.status.open"),
    ("new", "queue.status.new"),
    ("assigned", "queue.status.assigned"),
    ("escalated", "queue.status.escalated"),
    ("dismissed", "queue.status.dismissed"),
    ("cleared", "queue.status.cleared"),
    ("suppressed", "queue.status.suppressed"),
    ("all", "queue.status.all"),
];
const KINDS: &[(&str, &str)] = &[
    ("screening", "queue.source.screening"),
    ("typology", "queue.source.typology"),
    ("model", "queue.source.model"),
];

/// One page of the queue, read in one transaction.
struct Queue {
    status: String,
    kind: String,
    offset: i64,
    total: i64,
    rows: Vec<AlertRow>,
    assignees: HashMap<i64, String>,
    below_threshold: i64,
}

pub(super) async fn alerts_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let status = q
        .status
        .filter(|s| STATUSES.iter().any(|(v, _)| v == s))
        .unwrap_or_else(|| "open".into());
    let kind = q
        .kind
        .filter(|k| KINDS.iter().any(|(v, _)| v == k))
        .unwrap_or_default();
    let offset = q.offset.unwrap_or(0).clamp(0, 10_000_000);
    let viewer = p.clone();
    let loaded = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let purpose = match require_purpose(
                        db,
                        &p,
                        &headers,
                        "/alerts",
                        TRIAGE,
                        Record::AlertQueue,
                    )? {
                        Ok(purpose) => purpose,
                        Err(form) => return Ok(Err(form)),
                    };
                    let rows = db.alerts(&status, &kind, PAGE, offset)?;
                    let assignees = db
                        .users()?
                        .into_iter()
                        .map(|u| (u.id, u.username))
                        .collect();
                    let queue = Queue {
                        total: db.count_alerts(&status, &kind)?,
                        below_threshold: if status == "open" {
                            db.count_suppressed_alerts()?
                        } else {
                            0
                        },
                        rows,
                        assignees,
                        status,
                        kind,
                        offset,
                    };
                    audit_view(
                        db,
                        &p,
                        &purpose,
                        "alerts.list",
                        format!("alerts:{}:{}", queue.status, queue.rows.len()),
                        String::new(),
                    )?;
                    Ok(Ok(queue))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)?;
    match loaded {
        Err(form) => Ok(form.into_response()),
        Ok(queue) => {
            let lang = Lang::of(Some(&viewer));
            let body = render(lang, &queue);
            Ok(page(Some(&viewer), lang.t("queue.title"), &body.into_string()).into_response())
        }
    }
}

fn link(status: &str, kind: &str, offset: i64) -> String {
    let mut url = format!("/alerts?status={status}");
    if !kind.is_empty() {
        url.push_str(&format!("&kind={kind}"));
    }
    if offset > 0 {
        url.push_str(&format!("&offset={offset}"));
    }
    url
}

fn render(lang: Lang, q: &Queue) -> Markup {
    let t = |k| lang.t(k);
    let first = if q.rows.is_empty() { 0 } else { q.offset + 1 };
    let last = q.offset + q.rows.len() as i64;
    html! {
        form.filters method="get" {
            @for (value, label) in STATUSES {
                label { input type="radio" name="status" value=(value) checked[*value == q.status]; " " (t(label)) }
            }
            select name="kind" {
                option value="" { (t("queue.every_source")) }
                @for (value, label) in KINDS { option value=(value) selected[*value == q.kind] { (t(label)) } }
            }
            button { (t("queue.show")) }
        }
        p #queue-range { (t("queue.range")) " " (labels::count(first)) "–" (labels::count(last)) " " (t("queue.of")) " " (labels::count(q.total)) }
        table #queue {
            tr {
                @for key in ["queue.col.alert", "queue.col.raised", "queue.col.source", "queue.col.typology", "queue.col.score", "queue.col.probability",
                    "queue.col.subject", "queue.col.account", "queue.col.explanation", "queue.col.assignee", "queue.col.status"] {
                    th { (t(key)) }
                }
            }
            @for a in &q.rows {
                tr {
                    td { a href={ "/alerts/" (a.id) } { "#" (a.id) } }
                    td {
                        (when(a.created_at))
                        @if let Some(u) = a.updated_at { br; small { (t("queue.grew")) " " (when(u)) } }
                    }
                    td { (labels::kind(lang, a.kind)) }
                    td title=(a.typology.as_str()) { (labels::typology(lang, a.typology)) }
                    td.num { (labels::decimal(lang, a.score)) }
                    td.num { (a.probability.map(|p| labels::decimal(lang, p)).unwrap_or_default()) }
                    td { (a.entity_name.as_deref().unwrap_or("")) }
                    td { code { (a.accounts.split(';').next().unwrap_or("")) } }
                    @let why = labels::explanation(lang, a);
                    td.explain title=(why) { (labels::excerpt(&why, 220)) }
                    td { (a.assignee.and_then(|id| q.assignees.get(&id)).map(String::as_str).unwrap_or("")) }
                    td class={ "status " (a.status.as_str()) } { (labels::status(lang, a.status)) }
                }
            }
        }
        p.pages {
            @if q.offset > 0 {
                a rel="prev" href=(link(&q.status, &q.kind, (q.offset - PAGE).max(0))) { (t("queue.previous")) }
                " "
            }
            @if last < q.total {
                a rel="next" href=(link(&q.status, &q.kind, q.offset + PAGE)) { (t("queue.next")) }
            }
        }
        @if q.below_threshold > 0 {
            p.below-fold {
                (labels::count(q.below_threshold)) " " (t("queue.below")) " "
                a href="/alerts?status=suppressed" { (t("queue.show_them")) }
            }
        }
    }
}

/// Most transactions an alert's page lists.
const ALERT_TRANSACTIONS: usize = 200;

/// What an alert's page shows, read in one transaction.
struct AlertView {
    alert: AlertRow,
    transactions: Vec<TransactionRow>,
    case_reference: Option<String>,
}

pub(super) async fn alert_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let viewer = p.clone();
    let loaded = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let purpose = match require_purpose(
                        db,
                        &p,
                        &headers,
                        &format!("/alerts/{id}"),
                        &format!("ALERT-{id}"),
                        Record::Alert(id),
                    )? {
                        Ok(purpose) => purpose,
                        Err(form) => return Ok(Some(Err(form))),
                    };
                    let Some(alert) = db.alert(id)? else {
                        return Ok(None);
                    };
                    let ids: Vec<i64> = alert
                        .transactions
                        .split(';')
                        .filter_map(|t| t.parse().ok())
                        .take(ALERT_TRANSACTIONS)
                        .collect();
                    let mut transactions = db.transactions_by_ids(&ids)?;
                    transactions.sort_by_key(|t| (t.at, t.id));
                    let case_reference = match alert.case_id {
                        Some(c) => db.case(c)?.map(|c| c.reference),
                        None => None,
                    };
                    let mut whom: Vec<String> = alert.entity_name.iter().cloned().collect();
                    whom.extend(
                        alert
                            .accounts
                            .split(';')
                            .filter(|k| !k.is_empty())
                            .take(20)
                            .map(String::from),
                    );
                    let detail = alert
                        .entity_id
                        .map(|e| format!("about entity:{e}"))
                        .unwrap_or_default();
                    audit_view_about(
                        db,
                        &p,
                        &purpose,
                        "alert.view",
                        format!("alert:{id}"),
                        detail,
                        whom.join("; "),
                    )?;
                    Ok(Some(Ok(AlertView {
                        alert,
                        transactions,
                        case_reference,
                    })))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)?;
    super::respond(loaded, |v| {
        let title = format!("{} #{id}", Lang::of(Some(&viewer)).t("alert.title"));
        page(
            Some(&viewer),
            &title,
            &render_alert(&viewer, &v).into_string(),
        )
    })
}

fn render_alert(p: &Principal, v: &AlertView) -> Markup {
    let lang = Lang::of(Some(p));
    let t = |k| lang.t(k);
    let a = &v.alert;
    let id = a.id;
    html! {
        dl {
            dt { (t("queue.col.source")) } dd { (labels::kind(lang, a.kind)) }
            dt { (t("queue.col.typology")) } dd { (labels::typology(lang, a.typology)) }
            dt { (t("queue.col.score")) } dd { (labels::decimal(lang, a.score)) }
            dt { (t("queue.col.probability")) } dd {
                @match (a.probability, a.suppressed) {
                    (Some(pr), true) => { (labels::decimal(lang, pr)) " — " (t("alert.below_threshold")) }
                    (Some(pr), false) => { (labels::decimal(lang, pr)) }
                    (None, _) => { "—" }
                }
            }
            dt { (t("queue.col.status")) } dd class={ "status " (a.status.as_str()) } { (labels::status(lang, a.status)) }
            @if !a.reason.is_empty() { dt { (t("alert.reason")) } dd { (a.reason) } }
            dt { (t("queue.col.raised")) } dd { (when(a.created_at)) }
            @if let (Some(c), Some(reference)) = (a.case_id, &v.case_reference) {
                dt { (t("alert.case")) } dd { a href={ "/cases/" (c) } { (reference) } }
            }
        }
        h2 { (t("alert.why")) }
        p.explain { (labels::explanation(lang, a)) }
        @if let (Some(e), Some(name)) = (a.entity_id, &a.entity_name) {
            p { (t("queue.col.subject")) ": " a href={ "/entities/" (e) } { (name) " (#" (e) ")" } }
        }
        @if a.kind == AlertKind::Screening {
            p { (t("alert.list_entry")) ": " (a.list_name.as_deref().unwrap_or("")) " " (a.list_entry.as_deref().unwrap_or(""))
                " (" (t("alert.version")) " " (a.list_version.as_deref().unwrap_or("")) ")" }
        }
        @if !v.transactions.is_empty() {
            h2 { (t("case.transactions")) " (" (v.transactions.len()) ")" }
            (super::transactions_table(lang, "alert-transactions", &v.transactions))
        }
        h2 { (t("alert.triage")) }
        div.actions {
            form method="post" action={ "/alerts/" (id) } {
                (csrf_field(p)) input type="hidden" name="action" value="assign";
                button { (t("alert.assign_me")) }
            }
            form method="post" action={ "/alerts/" (id) } {
                (csrf_field(p)) input type="hidden" name="action" value="escalate";
                button { (t("alert.escalate")) }
            }
            form.stack method="post" action={ "/alerts/" (id) } {
                (csrf_field(p)) input type="hidden" name="action" value="dismiss";
                label { (t("alert.dismiss_reason")) " " input name="reason" minlength="10" required; }
                button { (t("alert.dismiss")) }
            }
            form.stack method="post" action={ "/alerts/" (id) "/case" } {
                (csrf_field(p))
                label { (t("alert.to_case_label")) " " input name="case" required placeholder=(t("alert.to_case_placeholder")); }
                button { (t("alert.to_case")) }
            }
            @if a.kind == AlertKind::Screening {
                form.stack method="post" action={ "/alerts/" (id) "/clearance" } {
                    (csrf_field(p))
                    label { (t("alert.clearance_label")) " " input name="justification" minlength="20" required placeholder=(t("alert.clearance_placeholder")); }
                    button { (t("alert.request_clearance")) }
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub(super) struct AlertForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn alert_action(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<AlertForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| apply_alert_action(s, &p, id, &f.action, &f.reason))
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/alerts/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct ClearanceForm {
    csrf: String,
    justification: String,
}

pub(super) async fn request_clearance(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<ClearanceForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            Ok(nexus_fiu::clearances::request(
                &s.store,
                &p,
                id,
                &f.justification,
            )?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/clearances").into_response())
}

#[derive(Deserialize)]
pub(super) struct ToCaseForm {
    csrf: String,
    case: String,
}

pub(super) async fn alert_to_case(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<ToCaseForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let case_id = state
        .blocking(move |s| {
            let case_id = nexus_fiu::cases::add_alert(&s.store, &p, id, &f.case)?;
            // The purpose stated for the alert carries over to the case made
            // from it (recorded as a new statement), so the case page opens
            // without asking again for what the analyst just said.
            if let Some(stated) = &p.purpose {
                if let Some(case) = s.store.read(|db| db.case(case_id))? {
                    nexus_fiu::sessions::state_purpose(
                        &s.store,
                        &p,
                        &stated.purpose,
                        &case.reference,
                    )?;
                }
            }
            Ok(case_id)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
}
