//! The alert queue: what to work next, highest score first, with when each
//! alert was raised or last grew, its subject and focal account, who holds
//! it, and paging through the whole queue. Read under the stated purpose
//! (TRIAGE or an alert's reference) and audited.

use super::i18n::Lang;
use super::labels;
use super::{audit_view, html_err, page, require_purpose, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use nexus_fiu::auth::Role;
use nexus_fiu::purpose::{Record, TRIAGE};
use nexus_store::AlertRow;
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
                    td.num { (format!("{:.2}", a.score)) }
                    td.num { (a.probability.map(|p| format!("{p:.2}")).unwrap_or_default()) }
                    td { (a.entity_name.as_deref().unwrap_or("")) }
                    td { code { (a.accounts.split(';').next().unwrap_or("")) } }
                    td.explain title=(a.explanation) { (labels::excerpt(&a.explanation, 220)) }
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
