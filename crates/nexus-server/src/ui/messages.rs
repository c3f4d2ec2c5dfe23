//! The message board, as goAML users know it: for a reporting entity, the
//! FIU's receipt of each report it sent (accepted, failed validation,
//! rejected — with the reason) and the messages on its reports; for the
//! FIU, the messages reporting entities wrote on their reports. Newest
//! first, unread marked (newer than the user's last visit and from the
//! other side), searchable, paged; each links to its report, where the
//! conversation continues. Free messages, not tied to a report, go between
//! the FIU and one reporting entity and may carry attachments. Each user
//! moves what is dealt with into their archive, and back.

use super::i18n::Lang;
use super::{csrf_field, html_err, labels, page, url_encode, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use nexus_fiu::auth::{sha256_hex, Principal, Role};
use nexus_fiu::error::{say, Say};
use nexus_model::ReportStatus;
use nexus_store::{AuditRecord, BoardFolder, BoardItem, BoardKind, Institution};
use serde::Deserialize;

/// Items per page.
const PAGE: i64 = 100;

/// Files one free message may carry (each within the document limit the
/// route's body limit enforces as a whole).
const MAX_ATTACHMENTS: usize = 5;

#[derive(Deserialize, Default)]
pub(super) struct BoardQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    offset: i64,
    /// `archive` for the user's archive; the inbox otherwise.
    #[serde(default)]
    folder: String,
}

/// Marks the FIU's side in a message's author (what tells the sides apart
/// on the board, and in the store's unread counts).
const FIU_MARK: &str = "(FIU)";

/// How a message's author is written: the user and their side.
pub(super) fn author(p: &Principal, institution: i64) -> String {
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

/// The roles that use the board.
const BOARD_ROLES: &[Role] = &[Role::ReportingEntity, Role::Analyst, Role::Supervisor];

pub(super) async fn board_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<BoardQuery>,
) -> Result<Html<String>, AppError> {
    p.require(BOARD_ROLES, false)?;
    let bank = p.role == Role::ReportingEntity;
    let folder = if q.folder == "archive" {
        BoardFolder::Archive
    } else {
        BoardFolder::Inbox
    };
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
                let (items, total) =
                    db.message_board(institution, user.unwrap_or(-1), folder, &text, PAGE, offset)?;
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
    let archive = folder == BoardFolder::Archive;
    let folder_param = if archive { "archive" } else { "" };
    let more = |to: i64| {
        format!(
            "/messages?q={}&offset={to}&folder={folder_param}",
            url_encode(&q.q)
        )
    };
    let body = html! {
        p.hint { (if bank { t("board.intro_bank") } else { t("board.intro_fiu") }) }
        nav.folders #board-folders {
            @if archive {
                a href="/messages" { (t("board.inbox")) } " · " b { (t("board.archive")) }
            } @else {
                b { (t("board.inbox")) } " · " a href="/messages?folder=archive" { (t("board.archive")) }
            }
        }
        form.filters method="get" {
            input type="hidden" name="folder" value=(folder_param);
            label { (t("board.contains")) " " input name="q" value=(q.q) maxlength="100"; }
            button { (t("common.filter")) }
        }
        p #board-total { (labels::count(total)) " " (t("board.items")) }
        table #board {
            tr { th { (t("audit.when")) } th { (t("report.title")) } th { (t("board.from")) } th { (t("report.message")) } th {} }
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
                            span class={ "status " (status.as_str()) } { (t(labels::report_status_key(status))) } ": "
                        }
                        @match &item.phrase {
                            Some(said) => { (labels::excerpt(&said.render(&lang), 300)) }
                            None => { (labels::excerpt(&item.body, 300)) }
                        }
                        @if !item.attachments.is_empty() {
                            ul.attachments {
                                @for a in &item.attachments {
                                    li { a href={ "/messages/attachments/" (a.id) } { (a.name) } " (" (labels::count(a.size)) " " (t("board.bytes")) ")" }
                                }
                            }
                        }
                    }
                    td {
                        form.inline method="post" action="/messages/archive" {
                            (csrf_field(&p))
                            input type="hidden" name="kind" value=(item.kind.as_str());
                            input type="hidden" name="item" value=(item.item);
                            input type="hidden" name="archived" value=(if archive { "0" } else { "1" });
                            button.small { (if archive { t("board.restore") } else { t("board.to_archive") }) }
                        }
                    }
                }
            }
        }
        p.pager {
            @if offset > 0 { a href=(more((offset - PAGE).max(0))) { "← " (t("common.newer")) } " " }
            @if offset + PAGE < total { a href=(more(offset + PAGE)) { (t("common.older")) " →" } }
        }
        h2 { (t("board.write")) }
        form.stack #free-message method="post" action="/messages" enctype="multipart/form-data" {
            (csrf_field(&p))
            @if !bank {
                label { (t("report.institution")) " " select name="institution" required {
                    @for i in &institutions { option value=(i.id) { (i.name) " (" (i.id) ")" } }
                } }
            }
            label { (t("exchange.subject")) " " input name="subject" required maxlength="200"; }
            label { (t("report.message_label")) " " textarea name="body" required maxlength="4000" {} }
            label { (t("board.attach")) " " input type="file" name="attachment" multiple; }
            p.hint { (t("board.attach_hint")) }
            button { (t("report.send")) }
        }
    };
    Ok(page(Some(&p), t("board.title"), &body.into_string()))
}

#[derive(Deserialize, Default)]
pub(super) struct FreeMessage {
    csrf: String,
    /// The reporting entity written to (the FIU's side; a bank writes to the FIU).
    #[serde(default)]
    institution: Option<i64>,
    subject: String,
    body: String,
}

/// A file sent with a free message.
struct Attachment {
    name: String,
    content_type: String,
    content: Vec<u8>,
}

/// A file's name as kept: its last path part, without control characters,
/// at most 200 characters.
fn attachment_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    last.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The form of a free message: URL-encoded (no files) or multipart with
/// up to [`MAX_ATTACHMENTS`] files (the route bounds the whole body).
async fn read_free_message(
    request: Request,
    state: &AppState,
) -> Result<(FreeMessage, Vec<Attachment>), AppError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(f) = Form::<FreeMessage>::from_request(request, state)
            .await
            .map_err(|e| AppError::bad_request(e.body_text()))?;
        return Ok((f, Vec::new()));
    }
    let mut parts = Multipart::from_request(request, state)
        .await
        .map_err(|e| AppError::bad_request(e.body_text()))?;
    let mut f = FreeMessage::default();
    let mut files = Vec::new();
    let unreadable =
        |e: axum::extract::multipart::MultipartError| AppError::new(e.status(), e.body_text());
    while let Some(field) = parts.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "attachment" {
            let file_name = attachment_name(field.file_name().unwrap_or(""));
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .chars()
                .take(100)
                .collect();
            let content = field.bytes().await.map_err(unreadable)?.to_vec();
            // A file input left empty sends a part without name or content.
            if file_name.is_empty() && content.is_empty() {
                continue;
            }
            if files.len() == MAX_ATTACHMENTS {
                return Err(AppError::invalid(
                    say(Say::TooManyAttachments).with("max", MAX_ATTACHMENTS),
                ));
            }
            files.push(Attachment {
                name: if file_name.is_empty() {
                    "attachment".into()
                } else {
                    file_name
                },
                content_type,
                content,
            });
            continue;
        }
        let text = field.text().await.map_err(unreadable)?;
        match name.as_str() {
            "csrf" => f.csrf = text,
            "subject" => f.subject = text,
            "body" => f.body = text,
            "institution" => f.institution = text.trim().parse().ok(),
            _ => {}
        }
    }
    Ok((f, files))
}

/// A free message: a reporting entity to the FIU, or the FIU to one
/// reporting entity, with its attachments. Audited.
pub(super) async fn write_message(
    State(state): State<AppState>,
    Caller(p): Caller,
    request: Request,
) -> Result<Response, AppError> {
    p.require(BOARD_ROLES, false)?;
    let (f, files) = read_free_message(request, &state).await.map_err(html_err)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let (subject, body) = (f.subject.trim().to_string(), f.body.trim().to_string());
    if subject.is_empty() || subject.chars().count() > 200 {
        return Err(AppError::invalid(say(Say::SubjectLength).with("max", 200usize)).html());
    }
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(AppError::invalid(say(Say::MessageLength).with("max", 4000usize)).html());
    }
    let institution = if p.role == Role::ReportingEntity {
        p.institution.ok_or_else(|| AppError::forbidden().html())?
    } else {
        f.institution
            .ok_or_else(|| AppError::invalid(say(Say::ChooseReportingEntity)).html())?
    };
    let author = author(&p, institution);
    state
        .blocking(move |s| {
            s.store.write(|db| {
                if db.institution(institution)?.is_none() {
                    return Ok(Err(AppError::invalid(say(Say::NoReportingEntity))));
                }
                let id = db.add_board_message(institution, &author, &subject, &body)?;
                let mut attached = Vec::new();
                for file in &files {
                    let sha = sha256_hex(&file.content);
                    db.add_board_attachment(
                        id,
                        &file.name,
                        &file.content_type,
                        &sha,
                        &file.content,
                    )?;
                    attached.push(format!(
                        "{} ({} bytes, sha256 {sha})",
                        file.name,
                        file.content.len()
                    ));
                }
                db.audit(&AuditRecord {
                    actor: p.actor.clone(),
                    action: "board.message".into(),
                    object: format!("board-message:{id}"),
                    detail: if attached.is_empty() {
                        format!("institution {institution}")
                    } else {
                        format!(
                            "institution {institution}; attachments: {}",
                            attached.join("; ")
                        )
                    },
                    ..AuditRecord::default()
                })?;
                Ok(Ok(()))
            })?
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/messages").into_response())
}

#[derive(Deserialize)]
pub(super) struct ArchiveForm {
    csrf: String,
    kind: String,
    item: i64,
    /// `1`: into the archive; `0`: back to the inbox.
    archived: String,
}

/// Moves a board item into the user's archive or back to the inbox. Each
/// user's own: another user's board is unchanged.
pub(super) async fn archive_item(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<ArchiveForm>,
) -> Result<Response, AppError> {
    p.require(BOARD_ROLES, false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let user = p.user_id.ok_or_else(|| AppError::forbidden().html())?;
    let kind =
        BoardKind::parse(&f.kind).ok_or_else(|| AppError::invalid(say(Say::NotFound)).html())?;
    let archived = f.archived == "1";
    state
        .blocking(move |s| {
            Ok(s.store
                .write(|db| db.archive_board_item(user, kind, f.item, archived))?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(if archived {
        "/messages"
    } else {
        "/messages?folder=archive"
    })
    .into_response())
}

/// A free message's attachment: for the FIU's analysts and supervisors and
/// for the reporting entity the message was between; audited.
pub(super) async fn download_attachment(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    p.require(BOARD_ROLES, false)?;
    let (meta, content) = state
        .blocking(move |s| {
            s.store.write(|db| {
                let Some((meta, institution, content)) = db.board_attachment(id)? else {
                    return Ok(Err(AppError::not_found()));
                };
                // Another bank's attachment does not exist for this one.
                if p.role == Role::ReportingEntity && p.institution != Some(institution) {
                    return Ok(Err(AppError::not_found()));
                }
                db.audit(&AuditRecord {
                    actor: p.actor.clone(),
                    action: "board.attachment-read".into(),
                    object: format!("board-attachment:{id}"),
                    detail: format!("{} of board message {}", meta.name, meta.message_id),
                    ..AuditRecord::default()
                })?;
                Ok(Ok((meta, content)))
            })?
        })
        .await
        .map_err(html_err)?;
    Ok(super::file_download(
        &meta.name,
        "application/octet-stream".to_string(),
        content,
    ))
}
