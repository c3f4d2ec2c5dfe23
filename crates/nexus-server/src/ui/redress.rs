//! False-positive redress: every clearance request with whom it is about,
//! the list entry, the alert it was asked on with the match's explanation,
//! who asked and why, and who decided, when and why. A supervisor decides
//! others' requests only, in their own words.
//!
//! Names are personal data: they are shown to oversight (whose work the
//! redress record is) and to analysts and supervisors under a stated
//! purpose; the view is audited.

use super::i18n::Lang;
use super::{csrf_field, html_err, labels, page, when};
use crate::web::{stated_purpose, AppError, AppState, Caller, Guard};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::error::{say, Say};
use nexus_model::ClearanceStatus;
use nexus_store::{AuditRecord, ClearanceRow};
use serde::Deserialize;

/// A request with the explanation of the match it is about.
struct Request {
    row: ClearanceRow,
    explanation: String,
}

pub(super) async fn clearances_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor, Role::Oversight], false)?;
    let purpose = stated_purpose(&p, &headers);
    let names = p.role == Role::Oversight || purpose.is_some();
    let viewer = p.clone();
    let lang = Lang::of(Some(&p));
    let requests = state
        .blocking(move |s| {
            Ok(s.store.write(|db| {
                let mut out = Vec::new();
                for row in db.clearances("")? {
                    let explanation = match row.alert_id {
                        Some(a) if names => db
                            .alert(a)?
                            .map(|a| labels::explanation(lang, &a))
                            .unwrap_or_default(),
                        _ => String::new(),
                    };
                    out.push(Request { row, explanation });
                }
                if names {
                    db.audit(&AuditRecord {
                        actor: p.actor.clone(),
                        action: "clearances.view".into(),
                        object: "clearances".into(),
                        purpose: purpose
                            .as_ref()
                            .map(|x| x.purpose.clone())
                            .unwrap_or_else(|| "oversight of redress".into()),
                        case_ref: purpose
                            .as_ref()
                            .map(|x| x.case_ref.clone())
                            .unwrap_or_default(),
                        detail: format!("{} requests", out.len()),
                        ..AuditRecord::default()
                    })?;
                }
                Ok(out)
            })?)
        })
        .await
        .map_err(html_err)?;
    let body = render(&viewer, &requests, names);
    let title = Lang::of(Some(&viewer)).t("redress.title");
    Ok(page(Some(&viewer), title, &body.into_string()).into_response())
}

fn render(p: &Principal, requests: &[Request], names: bool) -> Markup {
    let t = |k| Lang::of(Some(p)).t(k);
    let pending = requests
        .iter()
        .filter(|r| r.row.status == ClearanceStatus::Requested)
        .count();
    html! {
        p { (t("redress.intro")) }
        p #pending { (pending) " " (t("redress.pending")) }
        @if !names {
            p.notice { (t("redress.names")) }
        }
        table #clearances {
            tr {
                @for key in ["redress.requested", "redress.about", "redress.entry", "redress.alert", "redress.justification", "redress.status", "redress.decided"] {
                    th { (t(key)) }
                }
                th {}
            }
            @for r in requests {
                @let c = &r.row;
                tr {
                    td { (when(c.at)) br; (c.requested_by_name) }
                    td {
                        @if names { a href={ "/entities/" (c.entity_id) } { (c.entity_name) } }
                        @else { "#" (c.entity_id) }
                    }
                    td { (c.list_name) " " (c.list_entry) br; small { (t("alert.version")) " " (c.list_version.get(..12).unwrap_or(&c.list_version)) } }
                    td {
                        @if let Some(a) = c.alert_id { a href={ "/alerts/" (a) } { "#" (a) } }
                        @if !r.explanation.is_empty() { br; small.explain { (r.explanation) } }
                    }
                    td { (c.justification) }
                    td.status { b { (c.status.as_str()) } }
                    td {
                        @if let Some(by) = &c.approved_by_name {
                            (by) br; (c.decided_at.map(when).unwrap_or_default())
                            @if !c.comment.is_empty() { br; i { (c.comment) } }
                        }
                    }
                    td { (actions(p, c)) }
                }
            }
        }
    }
}

fn actions(p: &Principal, c: &ClearanceRow) -> Markup {
    let t = |k| Lang::of(Some(p)).t(k);
    let open = c.status == ClearanceStatus::Requested;
    let own = p.user_id == Some(c.requested_by);
    html! {
        @if open && p.role == Role::Supervisor && !own {
            form.stack method="post" action={ "/clearances/" (c.id) } {
                (csrf_field(p))
                label { (t("redress.reasons")) " " textarea name="comment" required placeholder=(t("redress.reasons_placeholder")) {} }
                button name="decision" value="approve" { (t("redress.approve")) }
                button name="decision" value="refuse" { (t("redress.refuse")) }
            }
        } @else if open && own {
            span.hint { (t("redress.awaits_other")) }
        } @else if open {
            span.hint { (t("redress.awaits")) }
        }
    }
}

#[derive(Deserialize)]
pub(super) struct DecisionForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    comment: String,
}

pub(super) async fn decide_clearance(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let approve = match f.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => {
            return Err(AppError::invalid(
                say(Say::ChooseDecision).with("choices", "approve, refuse"),
            )
            .html())
        }
    };
    state
        .blocking(move |s| {
            Ok(nexus_fiu::clearances::decide(
                &s.store, &p, id, approve, &f.comment,
            )?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/clearances").into_response())
}
