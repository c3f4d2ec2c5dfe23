//! The list of reports: a reporting entity sees its own (upload, web form,
//! the original XML back), the FIU all of them; filtered by status and by
//! the bank's reference, paged through all of them, with institutions by
//! name.

use super::i18n::Lang;
use super::{html_err, page, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_model::ReportStatus;
use nexus_store::ReportRow;
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
    let bank = p.role == Role::ReportingEntity;
    let last = offset + l.rows.len() as i64;
    html! {
        @if bank {
            section {
                h2 { "Upload" }
                form #upload.stack data-csrf=(p.csrf.as_deref().unwrap_or("")) {
                    label { "goAML XML report, a zip of several, or a CSV batch of transactions "
                        input type="file" name="file" #file accept=".xml,.zip,.csv" required; }
                    button { "Upload" }
                }
                div #upload-result {}
                p { "No XML at hand? " a href="/reports/new" { "File a report with the web form" } "." }
            }
        }
        h2 { "Reports" }
        form.filters method="get" action="/reports" {
            label { "Status " select name="status" {
                option value="" { "any" }
                @for s in ReportStatus::ALL {
                    option value=(s.as_str()) selected[s.as_str() == status] { (s.as_str()) }
                }
            } }
            label { "Reference contains " input name="reference" value=(reference) maxlength="100"; }
            button { "Filter" }
        }
        p #reports-range { "Reports " (if l.rows.is_empty() { 0 } else { offset + 1 }) "–" (last) " of " (l.total) }
        table #reports {
            tr {
                th { "Id" } th { "Reference" } th { "Type" }
                @if !bank { th { "Institution" } }
                th { "Received" } th { "Status" } th { "Message" }
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
                    td class={ "status " (r.status.as_str()) } { (r.status.as_str()) }
                    td { (r.message) }
                    @if bank { td { a href={ "/reports/" (r.id) "/xml" } download { "download" } } }
                }
            }
        }
        p.pages {
            @if offset > 0 { a rel="prev" href=(link(status, reference, (offset - PAGE).max(0))) { "← Previous page" } " " }
            @if last < l.total { a rel="next" href=(link(status, reference, offset + PAGE)) { "Next page →" } }
        }
    }
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
