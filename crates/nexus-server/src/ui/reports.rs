//! Reports: the list (a reporting entity sees its own — upload, web form,
//! the original XML back — the FIU all of them; filtered by status and by
//! the bank's reference, paged, institutions by name), a report's page
//! (status, problems, subjects under a purpose, messages) and the messages
//! between the bank and the FIU on it.

use super::i18n::Lang;
use super::{audit_view, csrf_field, html_err, labels, page, require_purpose, when, BodyForm};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::error::{say, Say};
use nexus_fiu::purpose::Record;
use nexus_model::ReportStatus;
use nexus_store::{AuditRecord, MessageRow, ProblemRow, ReportRow, SubjectRow};
use serde::Deserialize;
use std::collections::HashMap;

/// Reports per page.
const PAGE: i64 = 100;

#[derive(Deserialize, Default)]
pub(super) struct ReportsQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    offset: Option<i64>,
}

struct Listing {
    rows: Vec<ReportRow>,
    total: i64,
    institutions: HashMap<i64, String>,
}

pub(super) async fn reports_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<ReportsQuery>,
) -> Result<Response, AppError> {
    p.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        false,
    )?;
    let only = p.report_scope();
    let status = ReportStatus::parse(&q.status)
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let reference: String = q.reference.trim().chars().take(100).collect();
    let offset = q.offset.unwrap_or(0).clamp(0, 100_000_000);
    let (s2, r2) = (status.clone(), reference.clone());
    let listing = state
        .blocking(move |s| {
            Ok(s.store.read(|db| {
                let (rows, total) = db.find_reports(only, &s2, &r2, PAGE, offset)?;
                let institutions = db
                    .institutions()?
                    .into_iter()
                    .map(|i| (i.id, i.name))
                    .collect();
                Ok(Listing {
                    rows,
                    total,
                    institutions,
                })
            })?)
        })
        .await
        .map_err(html_err)?;
    let body = render(&p, &listing, &status, &reference, offset);
    let title = Lang::of(Some(&p)).t("nav.reports");
    Ok(page(Some(&p), title, &body.into_string()).into_response())
}

fn link(status: &str, reference: &str, offset: i64) -> String {
    format!(
        "/reports?status={status}&reference={}&offset={offset}",
        percent_encoding::utf8_percent_encode(reference, percent_encoding::NON_ALPHANUMERIC)
    )
}

fn render(p: &Principal, l: &Listing, status: &str, reference: &str, offset: i64) -> Markup {
    let lang = Lang::of(Some(p));
    let t = |k| lang.t(k);
    let bank = p.role == Role::ReportingEntity;
    let last = offset + l.rows.len() as i64;
    html! {
        @if bank {
            section {
                h2 { (t("reports.upload")) }
                form #upload.stack data-csrf=(p.csrf.as_deref().unwrap_or("")) {
                    label { (t("reports.upload_label")) " "
                        input type="file" name="file" #file accept=".xml,.zip,.csv" required; }
                    button { (t("reports.upload")) }
                }
                div #upload-result {}
                p { (t("reports.no_xml")) " " a href="/reports/new" { (t("reports.web_form")) } "." }
            }
        }
        h2 { (t("nav.reports")) }
        form.filters method="get" action="/reports" {
            label { (t("common.status")) " " select name="status" {
                option value="" { (t("common.any")) }
                @for s in ReportStatus::ALL {
                    option value=(s.as_str()) selected[s.as_str() == status] { (t(super::labels::report_status_key(*s))) }
                }
            } }
            label { (t("reports.reference_contains")) " " input name="reference" value=(reference) maxlength="100"; }
            button { (t("common.filter")) }
        }
        p #reports-range { (t("nav.reports")) " " (if l.rows.is_empty() { 0 } else { offset + 1 }) "–" (last) " " (t("queue.of")) " " (l.total) }
        table #reports {
            tr {
                th { (t("common.id")) } th { (t("report.reference")) } th { (t("report.type")) }
                @if !bank { th { (t("report.institution")) } }
                th { (t("report.received")) } th { (t("common.status")) } th { (t("report.message")) }
                @if bank { th { "XML" } }
            }
            @for r in &l.rows {
                tr {
                    td { a href={ "/reports/" (r.id) } { (r.id) } }
                    td { (r.entity_reference) }
                    td { (r.report_code) }
                    @if !bank {
                        td { (l.institutions.get(&r.institution).map(String::as_str).unwrap_or("")) " (" (r.institution) ")" }
                    }
                    td { (when(r.received_at)) }
                    td class={ "status " (r.status.as_str()) } { (t(super::labels::report_status_key(r.status))) }
                    td { (labels::report_message(lang, r)) }
                    @if bank { td { a href={ "/reports/" (r.id) "/xml" } download { (t("reports.download")) } } }
                }
            }
        }
        p.pages {
            @if offset > 0 { a rel="prev" href=(link(status, reference, (offset - PAGE).max(0))) { (t("queue.previous")) } " " }
            @if last < l.total { a rel="next" href=(link(status, reference, offset + PAGE)) { (t("queue.next")) } }
        }
    }
}

/// What a report's page shows, read in one transaction.
struct ReportView {
    report: ReportRow,
    institution: String,
    problems: Vec<ProblemRow>,
    /// Subjects, for the FIU under a purpose that opens the report.
    subjects: Option<Vec<SubjectRow>>,
    messages: Vec<MessageRow>,
    /// The web form's draft of a report that was not processed (its sender only).
    draft: Option<i64>,
}

/// A report: its status and problems for the bank that sent it and the
/// FIU; its subjects (personal data, under a purpose) for the FIU; the
/// messages between the two.
pub(super) async fn report_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    p.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        false,
    )?;
    let viewer = p.clone();
    let loaded = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let Some(report) = db.report(id)? else {
                        return Ok(None);
                    };
                    if !p.may_read_report(report.institution) {
                        return Ok(None);
                    }
                    let subjects = if p.role.investigates() {
                        match require_purpose(
                            db,
                            &p,
                            &headers,
                            &format!("/reports/{id}"),
                            "",
                            Record::Report(id),
                        )? {
                            Ok(purpose) => {
                                let subjects = db.report_subjects(id)?;
                                let names: Vec<&str> =
                                    subjects.iter().map(|s| s.name.as_str()).collect();
                                audit_view(
                                    db,
                                    &p,
                                    &purpose,
                                    "report.view",
                                    format!("report:{id}"),
                                    names.join("; "),
                                )?;
                                Some(subjects)
                            }
                            Err(form) => return Ok(Some(Err(form))),
                        }
                    } else {
                        None
                    };
                    let institution = db
                        .institutions()?
                        .into_iter()
                        .find(|i| i.id == report.institution)
                        .map(|i| i.name)
                        .unwrap_or_default();
                    let draft = if p.role == Role::ReportingEntity
                        && report.status != ReportStatus::Processed
                    {
                        db.draft_by_reference(report.institution, &report.entity_reference)?
                            .map(|d| d.id)
                    } else {
                        None
                    };
                    Ok(Some(Ok(ReportView {
                        draft,
                        problems: db.report_problems(id)?,
                        messages: db.report_messages(id)?,
                        institution,
                        subjects,
                        report,
                    })))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)?;
    super::respond(loaded, |v| {
        let lang = Lang::of(Some(&viewer));
        let title = format!("{} {}", lang.t("report.title"), v.report.entity_reference);
        page(
            Some(&viewer),
            &title,
            &render_report(&viewer, &v).into_string(),
        )
    })
}

fn render_report(p: &Principal, v: &ReportView) -> Markup {
    let lang = Lang::of(Some(p));
    let t = |k| lang.t(k);
    let r = &v.report;
    html! {
        dl {
            dt { (t("report.reference")) } dd { (r.entity_reference) }
            dt { (t("report.type")) } dd { (r.report_code) }
            dt { (t("report.institution")) } dd { (v.institution) " (" (r.institution) ")" }
            dt { (t("report.received")) } dd { (when(r.received_at)) }
            dt { (t("common.status")) } dd class={ "status " (r.status.as_str()) } { (t(super::labels::report_status_key(r.status))) }
            dt { (t("report.message")) } dd { (labels::report_message(lang, r)) }
            dt { (t("report.reason")) } dd { (r.reason) }
        }
        @if p.role == Role::ReportingEntity {
            p {
                a href={ "/reports/" (r.id) "/xml" } download { (t("reports.download")) " XML" }
                @if let Some(d) = v.draft { " · " a #correct href={ "/reports/new?draft=" (d) } { (t("report.correct")) } }
            }
        }
        @if !v.problems.is_empty() {
            h2 { (t("report.problems")) }
            table #problems {
                tr { th { (t("report.line")) } th { (t("report.element")) } th { (t("report.problem")) } }
                @for pr in &v.problems { tr { td { (pr.line) } td { code { (pr.path) } } td { (pr.message) } } }
            }
        }
        @if let Some(subjects) = &v.subjects {
            h2 { (t("search.subjects")) }
            table #subjects {
                tr { th { (t("common.name")) } th { (t("case.role")) } th { (t("common.born")) } th { (t("common.account")) } th { (t("report.entity")) } th { (t("report.why_entity")) } }
                @for s in subjects {
                    tr {
                        td { (s.name) }
                        td { (s.role) }
                        td { (s.birth_date.as_deref().unwrap_or("")) }
                        td { (s.account.as_deref().unwrap_or("")) }
                        td { a href={ "/entities/" (s.entity_id) } { "#" (s.entity_id) } }
                        td { (s.evidence) }
                    }
                }
            }
        }
        h2 { (t("report.messages")) }
        @for m in &v.messages {
            div.message { b { (m.author) } " · " (when(m.at)) p { (m.body) } }
        }
        form.stack method="post" action={ "/reports/" (r.id) "/messages" } {
            (csrf_field(p))
            label { (t("report.message_label")) " " textarea name="body" required maxlength="4000" {} }
            button { (t("report.send")) }
        }
    }
}

/// A message on a report, between the bank that sent it and the FIU.
pub(super) async fn report_message(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<BodyForm>,
) -> Result<Response, AppError> {
    p.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        false,
    )?;
    p.check_csrf(Some(&f.csrf), false)?;
    let body = f.body.trim().to_string();
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(AppError::invalid(say(Say::MessageLength).with("max", 4000usize)).html());
    }
    let found = state
        .blocking(move |s| {
            Ok(s.store.write(|db| {
                let Some(r) = db.report(id)? else {
                    return Ok(false);
                };
                if !p.may_read_report(r.institution) {
                    return Ok(false);
                }
                let author = super::messages::author(&p, r.institution);
                db.add_report_message(id, &author, &body)?;
                db.audit(&AuditRecord {
                    actor: p.actor.clone(),
                    action: "report.message".into(),
                    object: format!("report:{id}"),
                    ..AuditRecord::default()
                })?;
                Ok(true)
            })?)
        })
        .await
        .map_err(html_err)?;
    if !found {
        return Err(AppError::not_found().html());
    }
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

/// A reporting entity downloads what it sent, as it sent it (its own
/// reports only; another's answers like a missing one).
pub(super) async fn report_xml(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    p.require(&[Role::ReportingEntity], false)?;
    let found = state
        .blocking(move |s| {
            Ok(s.store.read(|db| {
                let Some(r) = db.report(id)? else {
                    return Ok(None);
                };
                if !p.may_read_report(r.institution) {
                    return Ok(None);
                }
                Ok(db.report_content(id)?.map(|c| (r.entity_reference, c)))
            })?)
        })
        .await
        .map_err(html_err)?;
    let (reference, content) = found.ok_or_else(|| AppError::not_found().html())?;
    let filename: String = reference
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}.xml\""),
            ),
        ],
        content,
    )
        .into_response())
}
