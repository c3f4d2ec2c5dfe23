//! The message board, as goAML users know it: for a reporting entity, the
//! FIU's receipt of each report it sent (accepted, failed validation,
//! rejected — with the reason) and the messages on its reports; for the
//! FIU, the messages reporting entities wrote on their reports. Newest
//! first, unread marked (newer than the user's last visit and from the
//! other side), searchable, paged; each links to its report, where the
//! conversation continues. Free messages, not tied to a report, go between
//! the FIU and one reporting entity.

use super::i18n::Lang;
use super::{csrf_field, html_err, page, url_encode, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use nexus_fiu::auth::Role;
use nexus_model::ReportStatus;
use nexus_store::{AuditRecord, BoardItem, BoardKind, Institution};
use serde::Deserialize;

/// Items per page.
const PAGE: i64 = 100;

#[derive(Deserialize, Default)]
pub(super) struct BoardQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    offset: i64,
}

/// Marks the FIU's side in a message's author (what tells the sides apart
/// on the board, and in the store's unread counts).
const FIU_MARK: &str = "(FIU)";

/// How a message's author is written: the user and their side.
pub(super) fn author(p: &nexus_fiu::auth::Principal, institution: i64) -> String {
    if p.role == Role::ReportingEntity {
        format!("{} (reporting entity {institution})", p.username)
    } else {
        format!("{} {FIU_MARK}", p.username)
    }
}

/// Whether an item came from the other side than the viewer's.
fn from_other_side(item: &BoardItem, bank: bool) -> bool {
    let by_fiu = item.kind == BoardKind::Receipt || item.author.ends_with(FIU_MARK);
    by_fiu == bank
}

pub(super) async fn board_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<BoardQuery>,
) -> Result<Html<String>, AppError> {
    p.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        false,
    )?;
    let bank = p.role == Role::ReportingEntity;
    let institution = if bank {
        Some(p.institution.unwrap_or(-1))
    } else {
        None
    };
    let user = p.user_id;
    let text: String = q.q.trim().chars().take(100).collect();
    let offset = q.offset.clamp(0, 10_000_000);
    let (items, total, seen, institutions) = state
        .blocking(move |s| {
            Ok(s.store.write(|db| {
                let institutions: Vec<Institution> =
                    if bank { Vec::new() } else { db.institutions()? };
                let seen = match user {
                    Some(u) => db.message_seen_at(u)?,
                    None => 0,
                };
                let (items, total) = db.message_board(institution, &text, PAGE, offset)?;
                if let Some(u) = user {
                    db.mark_messages_seen(u, nexus_store::now())?;
                }
                Ok((items, total, seen, institutions))
            })?)
        })
        .await
        .map_err(html_err)?;
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let more = |to: i64| format!("/messages?q={}&offset={to}", url_encode(&q.q));
    let body = html! {
        p.hint { (if bank { t("board.intro_bank") } else { t("board.intro_fiu") }) }
        form.filters method="get" {
            label { (t("board.contains")) " " input name="q" value=(q.q) maxlength="100"; }
            button { (t("common.filter")) }
        }
        p #board-total { (super::labels::count(total)) " " (t("board.items")) }
        table #board {
            tr { th { (t("audit.when")) } th { (t("report.title")) } th { (t("board.from")) } th { (t("report.message")) } }
            @for item in &items {
                @let unread = item.at > seen && from_other_side(item, bank);
                tr.unread[unread] {
                    td { (when(item.at)) @if unread { " " b.new { (t("board.new")) } } }
                    td {
                        @match item.report_id {
                            Some(r) => { a href={ "/reports/" (r) } { (item.reference) } }
                            None => { b { (item.reference) } }
                        }
                        @if !bank && item.kind == BoardKind::Free { br; small { (t("report.institution")) " " (item.institution) } }
                    }
                    td {
                        @if item.kind == BoardKind::Receipt { (t("board.receipt")) } @else { (item.author) }
                    }
                    td {
                        @if let Some(status) = ReportStatus::parse(&item.status) {
                            span class={ "status " (status.as_str()) } { (t(super::labels::report_status_key(status))) } ": "
                        }
                        (super::labels::excerpt(&item.body, 300))
                    }
                }
            }
        }
        p.pager {
            @if offset > 0 { a href=(more((offset - PAGE).max(0))) { "← " (t("common.newer")) } " " }
            @if offset + PAGE < total { a href=(more(offset + PAGE)) { (t("common.older")) " →" } }
        }
        h2 { (t("board.write")) }
        form.stack #free-message method="post" action="/messages" {
            (csrf_field(&p))
            @if !bank {
                label { (t("report.institution")) " " select name="institution" required {
                    @for i in &institutions { option value=(i.id) { (i.name) " (" (i.id) ")" } }
                } }
            }
            label { (t("exchange.subject")) " " input name="subject" required maxlength="200"; }
            label { (t("report.message_label")) " " textarea name="body" required maxlength="4000" {} }
            button { (t("report.send")) }
        }
    };
    Ok(page(Some(&p), t("board.title"), &body.into_string()))
}

#[derive(Deserialize)]
pub(super) struct FreeMessage {
    csrf: String,
    /// The reporting entity written to (the FIU's side; a bank writes to the FIU).
    #[serde(default)]
    institution: Option<i64>,
    subject: String,
    body: String,
}

/// A free message: a reporting entity to the FIU, or the FIU to one
/// reporting entity. Audited.
pub(super) async fn write_message(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<FreeMessage>,
) -> Result<Response, AppError> {
    p.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        false,
    )?;
    p.check_csrf(Some(&f.csrf), false)?;
    let (subject, body) = (f.subject.trim().to_string(), f.body.trim().to_string());
    if subject.is_empty() || subject.chars().count() > 200 {
        return Err(AppError::bad_request("a subject has 1 to 200 characters").html());
    }
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(AppError::bad_request("a message has 1 to 4000 characters").html());
    }
    let institution = if p.role == Role::ReportingEntity {
        p.institution.ok_or_else(|| AppError::forbidden().html())?
    } else {
        f.institution
            .ok_or_else(|| AppError::bad_request("choose the reporting entity written to").html())?
    };
    let author = author(&p, institution);
    state
        .blocking(move |s| {
            s.store.write(|db| {
                if db.institution(institution)?.is_none() {
                    return Ok(Err(AppError::bad_request("no such reporting entity")));
                }
                let id = db.add_board_message(institution, &author, &subject, &body)?;
                db.audit(&AuditRecord {
                    actor: p.actor.clone(),
                    action: "board.message".into(),
                    object: format!("board-message:{id}"),
                    detail: format!("institution {institution}"),
                    ..AuditRecord::default()
                })?;
                Ok(Ok(()))
            })?
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/messages").into_response())
}
