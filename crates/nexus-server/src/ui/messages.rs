//! The message board, as goAML users know it: for a reporting entity, the
//! FIU's receipt of each report it sent (accepted, failed validation,
//! rejected — with the reason) and the messages on its reports; for the
//! FIU, the messages reporting entities wrote on their reports. Newest
//! first, unread marked (newer than the user's last visit and from the
//! other side), searchable, paged; each links to its report, where the
//! conversation continues.

use super::i18n::Lang;
use super::reports::status_key;
use super::{html_err, page, url_encode, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Query, State};
use axum::response::Html;
use maud::html;
use nexus_fiu::auth::Role;
use nexus_model::ReportStatus;
use nexus_store::BoardItem;
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

/// Whether an item came from the other side than the viewer's.
fn from_other_side(item: &BoardItem, bank: bool) -> bool {
    let by_fiu = item.message_id.is_none() || item.author.ends_with("(FIU)");
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
    let (items, total, seen) = state
        .blocking(move |s| {
            Ok(s.store.write(|db| {
                let seen = match user {
                    Some(u) => db.message_seen_at(u)?,
                    None => 0,
                };
                let (items, total) = db.message_board(institution, &text, PAGE, offset)?;
                if let Some(u) = user {
                    db.mark_messages_seen(u, nexus_store::now())?;
                }
                Ok((items, total, seen))
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
                    td { a href={ "/reports/" (item.report_id) } { (item.reference) } }
                    td {
                        @if item.message_id.is_none() { (t("board.receipt")) } @else { (item.author) }
                    }
                    td {
                        @if let Some(status) = ReportStatus::parse(&item.status) {
                            span class={ "status " (status.as_str()) } { (t(status_key(status))) } ": "
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
    };
    Ok(page(Some(&p), t("board.title"), &body.into_string()))
}
