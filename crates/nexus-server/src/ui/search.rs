//! Search across what the FIU holds — subjects (every name a report gave
//! them), accounts, reports by the reporting entity's reference, and
//! transactions by their number — as part of investigating an alert or a
//! case (the purpose names it; the query and what it found are audited).
//! Each result opens under its own rule; under a case, a subject or an
//! account is put into the case from here.

use super::i18n::Lang;
use super::{audit_view_about, csrf_field, html_err, money, page, require_purpose, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::purpose::Record;
use nexus_store::{CaseAccountRow, EntityRow, ReportRow, TransactionRow};
use serde::Deserialize;

/// Results per kind.
const LIMIT: i64 = 50;
/// Shortest query: two characters find half the register.
const MIN_QUERY: usize = 3;

#[derive(Deserialize, Default)]
pub(super) struct FindQuery {
    #[serde(default)]
    q: String,
}

struct Found {
    query: String,
    /// The case the purpose names, to put results into.
    case: Option<(i64, String)>,
    entities: Vec<EntityRow>,
    accounts: Vec<CaseAccountRow>,
    reports: Vec<ReportRow>,
    transactions: Vec<TransactionRow>,
}

pub(super) async fn find_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Query(f): Query<FindQuery>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let query: String = f.q.trim().chars().take(200).collect();
    let viewer = p.clone();
    let next = format!(
        "/find?q={}",
        percent_encoding::utf8_percent_encode(&query, percent_encoding::NON_ALPHANUMERIC)
    );
    let loaded = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let purpose =
                        match require_purpose(db, &p, &headers, &next, "", Record::Search)? {
                            Ok(purpose) => purpose,
                            Err(form) => return Ok(Err(form)),
                        };
                    let case = db
                        .case_by_reference(&purpose.case_ref)?
                        .map(|c| (c.id, c.reference));
                    let mut found = Found {
                        query: query.clone(),
                        case,
                        entities: Vec::new(),
                        accounts: Vec::new(),
                        reports: Vec::new(),
                        transactions: Vec::new(),
                    };
                    if !query.is_empty() {
                        // A transaction number is matched whole, whatever its length;
                        // names, accounts and references by part, from three characters.
                        found.transactions = db.transactions_by_reference(&query, LIMIT)?;
                        if query.chars().count() >= MIN_QUERY {
                            found.entities = db.search_entities(&query, LIMIT)?;
                            found.accounts = db.search_accounts(&query, LIMIT)?;
                            found.reports = db.search_reports(&query, LIMIT)?;
                        }
                        let detail = format!(
                            "{} subjects, {} accounts, {} reports, {} transactions; about {}",
                            found.entities.len(),
                            found.accounts.len(),
                            found.reports.len(),
                            found.transactions.len(),
                            found
                                .entities
                                .iter()
                                .map(|e| format!("entity:{}", e.id))
                                .collect::<Vec<_>>()
                                .join(" ")
                        );
                        audit_view_about(
                            db,
                            &p,
                            &purpose,
                            "search",
                            "search".into(),
                            detail,
                            query.clone(),
                        )?;
                    }
                    Ok(Ok(found))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)?;
    match loaded {
        Err(form) => Ok(form.into_response()),
        Ok(found) => {
            let body = render(&viewer, &found);
            let title = Lang::of(Some(&viewer)).t("search.title");
            Ok(page(Some(&viewer), title, &body.into_string()).into_response())
        }
    }
}

fn render(p: &Principal, f: &Found) -> Markup {
    let t = |k| Lang::of(Some(p)).t(k);
    let searched = !f.query.is_empty();
    let by_part = f.query.chars().count() >= MIN_QUERY;
    html! {
        form.filters method="get" action="/find" {
            label { (t("search.label")) " "
                input name="q" value=(f.query) required autofocus; }
            button { (t("search.submit")) }
        }
        @if let Some((_, reference)) = &f.case {
            p.hint { (t("search.into")) " " b { (reference) } (t("search.into_end")) }
        }
        @if searched && !by_part {
            p.notice { (t("search.short1")) " " (MIN_QUERY) " " (t("search.short2")) }
        }
        @if searched {
            h2 { (t("search.subjects")) " (" (f.entities.len()) ")" }
            table #found-entities {
                tr { th { (t("search.name")) } th { (t("search.kind")) } th { (t("search.born")) } th { (t("search.countries")) } th {} }
                @for e in &f.entities {
                    tr {
                        td { a href={ "/entities/" (e.id) } { (e.name) } " (#" (e.id) ")" }
                        td { (e.kind.as_str()) }
                        td { (e.birth_date.as_deref().unwrap_or("")) }
                        td { (e.countries) }
                        td { @if let Some((case, reference)) = &f.case {
                            form.inline method="post" action={ "/cases/" (case) "/entities" } {
                                (csrf_field(p)) input type="hidden" name="entity_id" value=(e.id);
                                button { (t("search.add_to")) " " (reference) }
                            }
                        } }
                    }
                }
            }
            h2 { (t("search.accounts")) " (" (f.accounts.len()) ")" }
            table #found-accounts {
                tr { th { (t("search.account")) } th { (t("search.holder_reported")) } th { (t("search.holder")) } th {} }
                @for a in &f.accounts {
                    tr {
                        td { code { (a.key) } }
                        td { (a.name) }
                        td { @if let (Some(e), Some(name)) = (a.entity_id, &a.entity_name) { a href={ "/entities/" (e) } { (name) } } }
                        td { @if let Some((case, reference)) = &f.case {
                            form.inline method="post" action={ "/cases/" (case) "/accounts" } {
                                (csrf_field(p)) input type="hidden" name="key" value=(a.key);
                                button { (t("search.add_to")) " " (reference) }
                            }
                        } }
                    }
                }
            }
            h2 { (t("search.reports")) " (" (f.reports.len()) ")" }
            table #found-reports {
                tr { th { (t("search.report")) } th { (t("search.reference")) } th { (t("search.type")) } th { (t("search.status")) } th { (t("search.received")) } }
                @for r in &f.reports {
                    tr {
                        td { a href={ "/reports/" (r.id) } { "#" (r.id) } }
                        td { (r.entity_reference) }
                        td { (r.report_code) }
                        td { (r.status.as_str()) }
                        td { (when(r.received_at)) }
                    }
                }
            }
            h2 { (t("search.transactions")) " (" (f.transactions.len()) ")" }
            table #found-transactions {
                tr { th { (t("search.time")) } th { (t("search.reference")) } th { (t("search.from")) } th { (t("search.to")) } th { (t("search.amount")) } }
                @for t in &f.transactions {
                    tr {
                        td { (when(t.at)) }
                        td { (t.reference) }
                        td { (t.from_account.as_deref().unwrap_or("")) }
                        td { (t.to_account.as_deref().unwrap_or("")) }
                        td.num { (money(t.amount_minor)) " " (t.currency) }
                    }
                }
            }
        }
    }
}
