//! The alert queue: what to work next, highest score first, with when each
//! alert was raised or last grew, its subject and focal account, who holds
//! it, and paging through the whole queue. Read under the stated purpose
//! (TRIAGE or an alert's reference) and audited.

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
    ("open", "Open"),
    ("new", "New"),
    ("assigned", "Assigned"),
    ("escalated", "Escalated"),
    ("dismissed", "Dismissed"),
    ("cleared", "Cleared"),
    ("suppressed", "Below the model's threshold"),
    ("all", "All"),
];
const KINDS: &[(&str, &str)] = &[
    ("screening", "Screening"),
    ("typology", "Rules"),
    ("model", "Model"),
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
            let body = render(&queue);
            Ok(page(Some(&viewer), "Alert queue", &body.into_string()).into_response())
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

fn render(q: &Queue) -> Markup {
    let first = if q.rows.is_empty() { 0 } else { q.offset + 1 };
    let last = q.offset + q.rows.len() as i64;
    html! {
        form.filters method="get" {
            @for (value, label) in STATUSES {
                label { input type="radio" name="status" value=(value) checked[*value == q.status]; " " (label) }
            }
            select name="kind" {
                option value="" { "every source" }
                @for (value, label) in KINDS { option value=(value) selected[*value == q.kind] { (label) } }
            }
            button { "Show" }
        }
        p #queue-range { "Alerts " (labels::count(first)) "–" (labels::count(last)) " of " (labels::count(q.total)) }
        table #queue {
            tr {
                th { "Alert" } th { "Raised" } th { "Source" } th { "Typology" } th { "Score" } th { "Probability" }
                th { "Subject" } th { "Account" } th { "Explanation" } th { "Assignee" } th { "Status" }
            }
            @for a in &q.rows {
                tr {
                    td { a href={ "/alerts/" (a.id) } { "#" (a.id) } }
                    td {
                        (when(a.created_at))
                        @if let Some(u) = a.updated_at { br; small { "grew " (when(u)) } }
                    }
                    td { (labels::kind(a.kind)) }
                    td title=(a.typology.as_str()) { (labels::typology(a.typology)) }
                    td.num { (format!("{:.2}", a.score)) }
                    td.num { (a.probability.map(|p| format!("{p:.2}")).unwrap_or_default()) }
                    td { (a.entity_name.as_deref().unwrap_or("")) }
                    td { code { (a.accounts.split(';').next().unwrap_or("")) } }
                    td.explain title=(a.explanation) { (labels::excerpt(&a.explanation, 220)) }
                    td { (a.assignee.and_then(|id| q.assignees.get(&id)).map(String::as_str).unwrap_or("")) }
                    td class={ "status " (a.status.as_str()) } { (labels::status(a.status)) }
                }
            }
        }
        p.pages {
            @if q.offset > 0 {
                a rel="prev" href=(link(&q.status, &q.kind, (q.offset - PAGE).max(0))) { "← Previous page" }
                " "
            }
            @if last < q.total {
                a rel="next" href=(link(&q.status, &q.kind, q.offset + PAGE)) { "Next page →" }
            }
        }
        @if q.below_threshold > 0 {
            p.below-fold {
                (labels::count(q.below_threshold)) " alerts are below the detection model's threshold and not in the queue: "
                a href="/alerts?status=suppressed" { "show them" }
            }
        }
    }
}
