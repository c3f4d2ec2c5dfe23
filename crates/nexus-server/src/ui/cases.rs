//! Case pages: the case file (subjects and counterparties, accounts,
//! transactions, documents, notes, provisional measures, dissemination),
//! its forms and the printable package. Templates are maud's, which escape
//! every interpolated value by construction.
//!
//! Each page loads what it shows in one transaction (with the purpose check
//! and the audit record of the read) and renders after it.

use super::i18n::Lang;
use super::labels;
use super::{case_read, csrf_field, html_err, page, require_purpose, when, BodyForm};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::cases::{FreezeOrder, FreezeTarget};
use nexus_fiu::error::{say, Say};
use nexus_model::{CaseRole, CaseStatus, FreezeStatus};
use nexus_store::CaseFilter;
use nexus_store::{
    CaseAccountRow, CaseRow, DisseminationRow, DocumentRow, EntityRow, FreezeRow, MessageRow,
    TransactionRow,
};
use serde::Deserialize;

/// Cases per page of the list.
const CASES_PER_PAGE: i64 = 100;

#[derive(Deserialize, Default)]
pub(super) struct CasesQuery {
    /// `active` (the default: open and disseminated), a status, or `all`.
    #[serde(default)]
    status: String,
    /// `mine`: only the viewer's cases.
    #[serde(default)]
    whose: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    offset: i64,
}

/// The cases list: the work in hand by default, filtered by status, by
/// assignee and by reference or title, paged through all with the total.
pub(super) async fn cases_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<CasesQuery>,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let status = CaseStatus::parse(&q.status);
    let filter = CaseFilter {
        status,
        hide_closed: status.is_none() && q.status != "all",
        assignee: (q.whose == "mine").then_some(p.user_id).flatten(),
        text: q.q.chars().take(100).collect(),
    };
    let offset = q.offset.max(0);
    let (cases, total) = state
        .blocking(move |s| {
            Ok(s.store
                .read(|db| db.cases_page(&filter, CASES_PER_PAGE, offset))?)
        })
        .await
        .map_err(html_err)?;
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let chosen = if status.is_some() || q.status == "all" {
        q.status.as_str()
    } else {
        "active"
    };
    let choices = [
        ("active", t("cases.active")),
        ("open", t("case.status.open")),
        ("disseminated", t("case.status.disseminated")),
        ("closed", t("case.status.closed")),
        ("all", t("cases.all")),
    ];
    let more = |to: i64| {
        format!(
            "/cases?status={}&whose={}&q={}&offset={to}",
            super::url_encode(chosen),
            super::url_encode(&q.whose),
            super::url_encode(&q.q)
        )
    };
    let body = html! {
        form.filters method="get" {
            label { (t("case.status")) " " select name="status" {
                @for (v, text) in &choices { option value=(v) selected[*v == chosen] { (text) } }
            } }
            label { input type="checkbox" name="whose" value="mine" checked[q.whose == "mine"]; " " (t("cases.mine")) }
            label { (t("cases.contains")) " " input name="q" value=(q.q) maxlength="100"; }
            button { (t("common.filter")) }
        }
        p #cases-total { (super::labels::count(total)) " " (t("cases.total")) }
        table #cases {
            tr { th { (t("case.reference")) } th { (t("cases.title_col")) } th { (t("case.status")) } th { (t("case.assignee")) } th { (t("case.opened")) } }
            @for c in &cases {
                tr {
                    td { a href={ "/cases/" (c.id) } { (c.reference) } }
                    td { (c.title) }
                    td.status.(c.status.as_str()) { (t(labels::case_status_key(c.status))) }
                    td { (c.assignee_name.as_deref().unwrap_or("—")) }
                    td { (when(c.created_at)) }
                }
            }
        }
        p.pager {
            @if offset > 0 { a href=(more((offset - CASES_PER_PAGE).max(0))) { "← " (t("common.newer")) } " " }
            @if offset + CASES_PER_PAGE < total { a href=(more(offset + CASES_PER_PAGE)) { (t("common.older")) " →" } }
        }
        h2 { (t("cases.open_new")) }
        form.stack method="post" action="/cases" {
            (csrf_field(&p))
            label { (t("cases.title_col")) " " input name="title" required minlength="5"; }
            label { (t("cases.summary")) " " textarea name="summary" {} }
            button { (t("cases.open_button")) }
        }
    };
    Ok(page(Some(&p), t("cases.title"), &body.into_string()))
}

#[derive(Deserialize)]
pub(super) struct CaseForm {
    csrf: String,
    title: String,
    #[serde(default)]
    summary: String,
}

pub(super) async fn create_case(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<CaseForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let id = state
        .blocking(move |s| Ok(nexus_fiu::cases::open(&s.store, &p, &f.title, &f.summary)?.id))
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct DisseminateForm {
    csrf: String,
    agency: String,
    legal_basis: String,
}

pub(super) async fn disseminate(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<DisseminateForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            Ok(nexus_fiu::cases::disseminate(
                &s.store,
                &p,
                id,
                &f.agency,
                &f.legal_basis,
            )?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct AssignForm {
    csrf: String,
    /// A user name; empty: unassigned.
    #[serde(default)]
    to: String,
}

/// Assigns the case (a supervisor), or takes or hands back one's own (an analyst).
pub(super) async fn assign(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            let to = Some(f.to.as_str()).filter(|t| !t.trim().is_empty());
            Ok(nexus_fiu::cases::assign(&s.store, &p, id, to)?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct ReasonForm {
    csrf: String,
    reason: String,
}

/// Closes a case (a supervisor, with the reason).
pub(super) async fn close(
    state: State<AppState>,
    caller: Caller,
    id: Path<i64>,
    form: Form<ReasonForm>,
) -> Result<Response, AppError> {
    with_reason(state, caller, id, form, nexus_fiu::cases::close).await
}

/// Reopens a closed case (a supervisor, with the reason).
pub(super) async fn reopen(
    state: State<AppState>,
    caller: Caller,
    id: Path<i64>,
    form: Form<ReasonForm>,
) -> Result<Response, AppError> {
    with_reason(state, caller, id, form, nexus_fiu::cases::reopen).await
}

/// A supervisor's decision on a case that states its reason.
async fn with_reason(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
    decide: fn(&nexus_store::Store, &Principal, i64, &str) -> Result<(), nexus_fiu::FiuError>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| Ok(decide(&s.store, &p, id, &f.reason)?))
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// Most transactions listed on the case page.
const SHOWN_TRANSACTIONS: i64 = 500;

/// What the case page shows, read in one transaction.
struct CaseFile {
    case: CaseRow,
    parties: Vec<(EntityRow, CaseRole)>,
    accounts: Vec<CaseAccountRow>,
    transactions: Vec<TransactionRow>,
    /// The case holds more transactions than the page lists.
    more_transactions: bool,
    documents: Vec<DocumentRow>,
    notes: Vec<MessageRow>,
    freezes: Vec<FreezeRow>,
    disseminations: Vec<DisseminationRow>,
    /// Whom a supervisor may assign the case to.
    colleagues: Vec<String>,
}

pub(super) async fn case_page(
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
                    let Some(case) = db.case(id)? else {
                        return Ok(None);
                    };
                    let purpose = match require_purpose(
                        db,
                        &p,
                        &headers,
                        &format!("/cases/{id}"),
                        &case.reference,
                        nexus_fiu::purpose::Record::Case(id),
                    )? {
                        Ok(purpose) => purpose,
                        Err(form) => return Ok(Some(Err(form))),
                    };
                    let mut transactions = db.case_transactions(id, SHOWN_TRANSACTIONS + 1)?;
                    let more_transactions = transactions.len() as i64 > SHOWN_TRANSACTIONS;
                    transactions.truncate(SHOWN_TRANSACTIONS as usize);
                    let file = CaseFile {
                        parties: db.case_parties(id)?,
                        accounts: db.case_accounts(id)?,
                        transactions,
                        more_transactions,
                        documents: db.case_documents(id)?,
                        notes: db.case_notes(id)?,
                        freezes: db.freezes(Some(id))?,
                        disseminations: db.disseminations(id)?,
                        colleagues: db
                            .users()?
                            .into_iter()
                            .filter(|u| {
                                !u.disabled && matches!(u.role, Role::Analyst | Role::Supervisor)
                            })
                            .map(|u| u.username)
                            .collect(),
                        case,
                    };
                    let (detail, personal) = super::about(&file.parties, &file.accounts);
                    super::audit_view_about(
                        db,
                        &p,
                        &purpose,
                        "case.view",
                        format!("case:{id}"),
                        detail,
                        personal,
                    )?;
                    Ok(Some(Ok(file)))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)?;
    super::respond(loaded, |file| {
        let title = format!("{}: {}", file.case.reference, file.case.title);
        page(
            Some(&viewer),
            &title,
            &render_case(&viewer, &file).into_string(),
        )
    })
}

fn render_case(p: &Principal, f: &CaseFile) -> Markup {
    let lang = Lang::of(Some(p));
    let t = |k| lang.t(k);
    let id = f.case.id;
    let subjects = f
        .parties
        .iter()
        .filter(|(_, r)| *r == CaseRole::Subject)
        .count();
    let closed = f.case.status == CaseStatus::Closed;
    html! {
        dl.case-head {
            dt { (t("case.reference")) } dd { (f.case.reference) }
            dt { (t("case.status")) } dd { b.status.(f.case.status.as_str()) { (t(labels::case_status_key(f.case.status))) } }
            dt { (t("case.opened")) } dd { (when(f.case.created_at)) }
            dt { (t("case.assignee")) } dd #assignee { (f.case.assignee_name.as_deref().unwrap_or(t("case.unassigned"))) }
            @if let Some(at) = f.case.closed_at {
                dt { (t("case.closed_on")) } dd { (when(at)) " — " (f.case.closing) }
            }
        }
        @if !f.case.summary.is_empty() { p { (f.case.summary) } }
        (case_controls(p, f))

        h2 { (t("case.parties")) }
        p.hint { (subjects) " " (t("case.subjects_count")) ", " (f.parties.len() - subjects) " " (t("case.counterparties_count")) ". " (t("case.counterparty_hint")) }
        table #case-parties {
            tr { th { (t("case.role")) } th { (t("common.name")) } th { (t("common.kind")) } th { (t("common.born")) } th { (t("common.countries")) } }
            @for (e, role) in &f.parties {
                tr.(role.as_str()) {
                    td { (t(labels::role_key(*role))) }
                    td { a href={ "/entities/" (e.id) } { (e.name) } " (#" (e.id) ")" }
                    td { (t(labels::entity_kind_key(e.kind))) }
                    td { (e.birth_date.as_deref().unwrap_or("")) }
                    td { (e.countries) }
                }
            }
        }
        @if !closed {
            form.inline method="post" action={ "/cases/" (id) "/entities" } {
                (csrf_field(p))
                input name="entity_id" type="number" min="1" required placeholder=(t("case.entity_placeholder"));
                button { (t("case.add_subject")) }
            }
        }

        h2 { (t("case.accounts")) }
        table #case-accounts {
            tr { th { (t("case.role")) } th { (t("common.account")) } th { (t("case.holder_as_reported")) } th { (t("case.holder")) } }
            @for a in &f.accounts {
                tr.(a.role.as_str()) {
                    td { (t(labels::role_key(a.role))) }
                    td { a href={ "/accounts?key=" (super::url_encode(&a.key)) } { code { (a.key) } } }
                    td { (a.name) }
                    td {
                        @if let (Some(e), Some(name)) = (a.entity_id, &a.entity_name) {
                            a href={ "/entities/" (e) } { (name) }
                        } @else { span.hint { (t("case.not_resolved")) } }
                    }
                }
            }
        }
        @if !closed {
            form.inline method="post" action={ "/cases/" (id) "/accounts" } {
                (csrf_field(p))
                input name="key" required maxlength="200" placeholder=(t("case.account_placeholder"));
                button { (t("case.add_account")) }
            }
        }

        h2 { (t("case.network")) }
        p.hint { (t("case.graph_hint")) }
        div #graph data-src={ "/cases/" (id) "/graph.json" } data-from=(t("graph.from")) data-to=(t("graph.to")) {}

        h2 { (t("case.transactions")) " (" (f.transactions.len()) @if f.more_transactions { "+" } ")" }
        @if f.more_transactions { p.hint { (t("case.first_transactions")) " " (SHOWN_TRANSACTIONS) "; " (t("case.rest_in_package")) } }
        (super::transactions_table(lang, "case-transactions", &f.transactions))

        h2 { (t("case.documents")) }
        ul #documents {
            @for d in &f.documents {
                li {
                    a href={ "/cases/" (id) "/documents/" (d.id) } { (d.filename) }
                    " (" (d.size) " " (t("case.bytes")) ", " (d.content_type) ", " (t("case.added_by")) " " (d.uploaded_by) " " (when(d.at)) ") "
                    code { "sha256 " (d.sha256.get(..16).unwrap_or(&d.sha256)) }
                }
            }
        }
        @if !closed {
            form #document-upload.inline data-csrf=(p.csrf.as_deref().unwrap_or("")) data-case=(id) {
                input type="file" #document required;
                button { (t("case.attach")) }
            }
        }

        h2 { (t("case.notes")) }
        @for n in &f.notes {
            div.message { b { (n.author) } " · " (when(n.at)) p { (n.body) } }
        }
        @if !closed {
            form.stack method="post" action={ "/cases/" (id) "/notes" } {
                (csrf_field(p))
                label { (t("case.note")) " " textarea name="body" required {} }
                button { (t("case.add_note")) }
            }
        }

        h2 { (t("case.measures")) }
        p.hint { (t("case.freeze_hint")) }
        (freezes_table(p, &f.freezes))
        @if !closed { (freeze_form(p, f)) }

        h2 { (t("case.dissemination")) }
        ul {
            @for d in &f.disseminations {
                li { (when(d.created_at)) " — " (d.agency) " — " (d.legal_basis) }
            }
        }
        p {
            a href={ "/cases/" (id) "/package.html" } { (t("case.package_print")) }
            " · "
            a href={ "/cases/" (id) "/package.json" } { (t("case.package_json")) }
        }
        @if closed {
        } @else if p.role == Role::Supervisor {
            form.stack method="post" action={ "/cases/" (id) "/disseminate" } {
                (csrf_field(p))
                label { (t("case.agency")) " " input name="agency" required placeholder=(t("case.agency_placeholder")); }
                label { (t("case.legal_basis")) " " input name="legal_basis" required; }
                button { (t("case.disseminate")) }
            }
        } @else {
            p.hint { (t("case.disseminate_hint")) }
        }
    }
}

/// Assignment and closing: what the viewer may do with the case itself.
fn case_controls(p: &Principal, f: &CaseFile) -> Markup {
    let t = |k| Lang::of(Some(p)).t(k);
    let id = f.case.id;
    let supervisor = p.role == Role::Supervisor;
    let mine = f.case.assignee.is_some() && f.case.assignee == p.user_id;
    let closed = f.case.status == CaseStatus::Closed;
    html! {
        div.actions #case-controls {
            @if !closed && supervisor {
                form.inline method="post" action={ "/cases/" (id) "/assign" } {
                    (csrf_field(p))
                    select name="to" aria-label=(t("case.assignee")) {
                        option value="" { "— " (t("case.unassigned")) " —" }
                        @for name in &f.colleagues {
                            option value=(name) selected[f.case.assignee_name.as_deref() == Some(name.as_str())] { (name) }
                        }
                    }
                    button { (t("case.assign")) }
                }
            } @else if !closed && f.case.assignee.is_none() {
                form.inline method="post" action={ "/cases/" (id) "/assign" } {
                    (csrf_field(p))
                    input type="hidden" name="to" value=(p.username);
                    button { (t("case.take")) }
                }
            } @else if !closed && mine {
                form.inline method="post" action={ "/cases/" (id) "/assign" } {
                    (csrf_field(p))
                    input type="hidden" name="to" value="";
                    button { (t("case.hand_back")) }
                }
            }
            @if supervisor && !closed {
                form.inline method="post" action={ "/cases/" (id) "/close" } {
                    (csrf_field(p))
                    input name="reason" required minlength="10" maxlength="2000" placeholder=(t("case.close_reason"));
                    button { (t("case.close")) }
                }
            }
            @if supervisor && closed {
                form.inline method="post" action={ "/cases/" (id) "/reopen" } {
                    (csrf_field(p))
                    input name="reason" required minlength="10" maxlength="2000" placeholder=(t("case.reopen_reason"));
                    button { (t("case.reopen")) }
                }
            }
            @if !supervisor && !closed {
                span.hint { (t("case.close_hint")) }
            }
        }
    }
}

fn freezes_table(p: &Principal, freezes: &[FreezeRow]) -> Markup {
    let t = |k| Lang::of(Some(p)).t(k);
    html! {
        table #freezes {
            tr { th { (t("freeze.on")) } th { (t("freeze.assets")) } th { (t("case.legal_basis")) } th { (t("freeze.issued")) } th { (t("freeze.expires")) } th { (t("case.status")) } th { (t("freeze.proposed")) } th { (t("freeze.decided")) } th {} }
            @for f in freezes {
                tr {
                    td { (f.entity_name) }
                    td { (f.assets) }
                    td { (f.legal_basis) }
                    td { (f.issued_on) }
                    td { (f.expires_on) }
                    td.status { b { (t(labels::freeze_status_key(f.status))) } @if !f.outcome.is_empty() { br; (f.outcome) } }
                    td { (f.created_by) br; (when(f.created_at)) }
                    td {
                        @if let Some(by) = &f.decided_by {
                            (by) br; (f.decided_at.map(when).unwrap_or_default())
                            @if !f.decision.is_empty() { br; i { (f.decision) } }
                        }
                    }
                    td { (freeze_actions(p, f)) }
                }
            }
        }
    }
}

/// What the viewer may do with a freeze: decide a proposal (a supervisor
/// who did not make it), end one in force (a supervisor).
fn freeze_actions(p: &Principal, f: &FreezeRow) -> Markup {
    let t = |k| Lang::of(Some(p)).t(k);
    let supervisor = p.role == Role::Supervisor;
    let own = p.user_id == Some(f.created_by_id);
    html! {
        @match f.status {
            FreezeStatus::Proposed if supervisor && !own => {
                form.inline method="post" action={ "/freezes/" (f.id) "/decision" } {
                    (csrf_field(p))
                    input name="reasons" placeholder=(t("freeze.reasons")) maxlength="2000";
                    button name="decision" value="approve" { (t("case.approve")) }
                    button name="decision" value="reject" { (t("case.reject")) }
                }
            }
            FreezeStatus::Proposed if own => { span.hint { (t("freeze.awaits_other")) } }
            FreezeStatus::Proposed => { span.hint { (t("freeze.awaits")) } }
            FreezeStatus::InForce if supervisor => {
                form.inline method="post" action={ "/freezes/" (f.id) } {
                    (csrf_field(p))
                    select name="status" {
                        @for s in [FreezeStatus::Lifted, FreezeStatus::Expired, FreezeStatus::Confiscated] {
                            option value=(s.as_str()) { (t(labels::freeze_status_key(s))) }
                        }
                    }
                    input name="outcome" placeholder=(t("freeze.outcome")) maxlength="2000";
                    button { (t("case.record")) }
                }
            }
            _ => {}
        }
    }
}

fn freeze_form(p: &Principal, f: &CaseFile) -> Markup {
    let t = |k| Lang::of(Some(p)).t(k);
    let entities: Vec<&EntityRow> = f
        .parties
        .iter()
        .filter(|(_, r)| *r == CaseRole::Subject)
        .map(|(e, _)| e)
        .collect();
    let accounts: Vec<&CaseAccountRow> = f
        .accounts
        .iter()
        .filter(|a| a.role == CaseRole::Subject)
        .collect();
    html! {
        @if entities.is_empty() && accounts.is_empty() {
            p.hint { (t("freeze.need_subject")) }
        } @else {
            form.stack method="post" action={ "/cases/" (f.case.id) "/freezes" } {
                (csrf_field(p))
                label { (t("freeze.on")) " " select name="target" {
                    @for e in &entities { option value={ "entity:" (e.id) } { (e.name) " (#" (e.id) ")" } }
                    @for a in &accounts {
                        option value={ "account:" (a.id) } { (t("common.account")) " " (a.key) @if !a.name.is_empty() { " (" (a.name) ")" } }
                    }
                } }
                label { (t("freeze.assets")) " " input name="assets" required placeholder=(t("freeze.assets_placeholder")); }
                label { (t("case.legal_basis")) " " input name="legal_basis" required placeholder=(t("freeze.basis_placeholder")); }
                label { (t("freeze.issued_on")) " " input name="issued_on" type="date" required; }
                label { (t("freeze.expires_on")) " " input name="expires_on" type="date" required; }
                button { (t("case.propose_freeze")) }
            }
        }
    }
}

pub(super) async fn add_note(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<BodyForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| Ok(nexus_fiu::cases::add_note(&s.store, &p, id, &f.body)?))
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct EntityForm {
    csrf: String,
    entity_id: i64,
}

pub(super) async fn add_entity(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<EntityForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| Ok(nexus_fiu::cases::add_entity(&s.store, &p, id, f.entity_id)?))
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct AccountForm {
    csrf: String,
    key: String,
}

pub(super) async fn add_account(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| Ok(nexus_fiu::cases::add_account(&s.store, &p, id, &f.key)?))
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct FreezeForm {
    csrf: String,
    /// `entity:ID` or `account:ID`.
    #[serde(default)]
    target: String,
    /// The older form's field: a party.
    #[serde(default)]
    entity_id: Option<i64>,
    assets: String,
    legal_basis: String,
    issued_on: String,
    expires_on: String,
}

pub(super) async fn add_freeze(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<FreezeForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let target = match (FreezeTarget::parse(&f.target), f.entity_id) {
        (Some(t), _) => t,
        (None, Some(e)) => FreezeTarget::Entity(e),
        (None, None) => return Err(AppError::invalid(say(Say::ChooseFreezeTarget)).html()),
    };
    let order = FreezeOrder {
        target,
        assets: f.assets,
        legal_basis: f.legal_basis,
        issued_on: nexus_model::Date::parse(&f.issued_on).map_err(|_| {
            AppError::invalid(
                say(Say::DateField).with("field", Lang::of(Some(&p)).t("freeze.issued_on")),
            )
            .html()
        })?,
        expires_on: nexus_model::Date::parse(&f.expires_on).map_err(|_| {
            AppError::invalid(
                say(Say::DateField).with("field", Lang::of(Some(&p)).t("freeze.expires_on")),
            )
            .html()
        })?,
    };
    state
        .blocking(move |s| Ok(nexus_fiu::cases::order_freeze(&s.store, &p, id, &order)?))
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct FreezeDecision {
    csrf: String,
    decision: String,
    #[serde(default)]
    reasons: String,
}

pub(super) async fn decide_freeze(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<FreezeDecision>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(AppError::invalid(
                say(Say::ChooseDecision).with("choices", "approve, reject"),
            )
            .html())
        }
    };
    let case_id = state
        .blocking(move |s| {
            Ok(nexus_fiu::cases::decide_freeze(
                &s.store, &p, id, approve, &f.reasons,
            )?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
}

#[derive(Deserialize)]
pub(super) struct FreezeUpdate {
    csrf: String,
    status: String,
    #[serde(default)]
    outcome: String,
}

pub(super) async fn update_freeze(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<FreezeUpdate>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let case_id = state
        .blocking(move |s| {
            Ok(nexus_fiu::cases::update_freeze(
                &s.store, &p, id, &f.status, &f.outcome,
            )?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
}

/// The package as a printable page, from the same JSON a dissemination records.
pub(super) async fn package_html(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let lang = Lang::of(Some(&p));
    let v = case_read(&state, p, headers, id, "case.export", move |db| {
        nexus_fiu::cases::package(db, id)
    })
    .await
    .map_err(html_err)?;
    Ok(Html(render_package(lang, &v).into_string()))
}

/// A typology of the package's JSON (its stored spelling) as the reader says it.
fn package_typology(lang: Lang, v: &serde_json::Value) -> String {
    match v.as_str().and_then(nexus_model::Typology::parse) {
        Some(t) => labels::typology(lang, t).to_string(),
        None => v.as_str().unwrap_or("").to_string(),
    }
}

/// An alert's explanation in the package, in the reader's language where
/// the package carries its phrases.
fn package_explanation(lang: Lang, alert: &serde_json::Value) -> String {
    match serde_json::from_value::<nexus_model::Explanation>(alert["phrases"].clone()) {
        Ok(p) if !p.0.is_empty() => p.render(&lang),
        _ => alert["explanation"].as_str().unwrap_or("").to_string(),
    }
}

fn render_package(lang: Lang, v: &serde_json::Value) -> Markup {
    let t = |k| lang.t(k);
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("").to_string();
    let list = |x: &serde_json::Value| x.as_array().cloned().unwrap_or_default();
    let c = &v["case"];
    let party = |e: &serde_json::Value| {
        html! {
            h3 { (s(&e["name"])) }
            p { (t("common.born")) " " (s(&e["birth_date"])) " · " (s(&e["countries"])) }
            @let names = list(&e["names_as_reported"]);
            @if !names.is_empty() {
                p { (t("entity.as_reported")) ": "
                    @for (i, n) in names.iter().enumerate() {
                        @if i > 0 { "; " }
                        (s(&n["name"])) " (" (s(&n["source"]["reporting_entity"])) " " (s(&n["source"]["reference"])) ")"
                    }
                }
            }
            ul { @for a in list(&e["alerts"]) { li { (package_typology(lang, &a["typology"])) ": " (package_explanation(lang, &a)) } } }
        }
    };
    html! {
        (maud::DOCTYPE)
        meta charset="utf-8";
        title { (s(&c["reference"])) }
        link rel="stylesheet" href="/static/nexus.css";
        main.print {
            p.classification { (t("package.classification")) }
            h1 { (s(&c["reference"])) ": " (s(&c["title"])) }
            p { (s(&c["summary"])) }
            p { (t("case.status")) " " (s(&c["status"])) ", " (t("case.opened")) " " (s(&c["opened"])) }
            h2 { (t("package.subjects")) }
            @for e in list(&v["subjects"]) { (party(&e)) }
            h2 { (t("package.counterparties")) }
            p { (t("package.counterparties_note")) }
            @for e in list(&v["counterparties"]) { (party(&e)) }
            h2 { (t("case.accounts")) }
            table {
                tr { th { (t("case.role")) } th { (t("common.account")) } th { (t("case.holder_as_reported")) } }
                @for a in list(&v["accounts"]) { tr { td { (s(&a["role"])) } td { (s(&a["account"])) } td { (s(&a["holder_as_reported"])) } } }
            }
            h2 { (t("case.transactions")) }
            table {
                tr { th { (t("tx.time")) } th { (t("tx.from")) } th { (t("tx.to")) } th { (t("tx.amount")) } th { (t("tx.channel")) } th { (t("package.source")) } }
                @for x in list(&v["transactions"]) {
                    tr {
                        td { (s(&x["at"])) }
                        td { (s(&x["from_account"])) }
                        td { (s(&x["to_account"])) }
                        td.num { (format!("{:.2}", x["amount"].as_f64().unwrap_or(0.0))) " " (s(&x["currency"])) }
                        td { (s(&x["channel"])) }
                        td {
                            @if x["source"].is_object() {
                                @if x["source"]["reference"].is_string() {
                                    (t("report.title")) " " (s(&x["source"]["reference"])) " — " (s(&x["source"]["reporting_entity"]))
                                } @else { (t("package.batch_of")) " " (s(&x["source"]["batch_of"])) }
                            } @else { (s(&x["source"])) }
                        }
                    }
                }
            }
            h2 { (t("case.measures")) }
            ul {
                @for f in list(&v["provisional_measures"]) {
                    li { (s(&f["on"])) ": " (s(&f["assets"])) " — " (s(&f["legal_basis"])) " (" (s(&f["issued_on"])) " – " (s(&f["expires_on"])) "), "
                        (s(&f["status"])) "; " (t("freeze.proposed")) ": " (s(&f["proposed_by"]))
                        @if f["decided_by"].is_string() { ", " (t("freeze.decided")) ": " (s(&f["decided_by"])) } }
                }
            }
            h2 { (t("case.documents")) }
            ul { @for d in list(&v["documents"]) { li { (s(&d["filename"])) " (" (d["size"].as_i64().unwrap_or(0)) " " (t("case.bytes")) ") sha256 " code { (s(&d["sha256"])) } } } }
            h2 { (t("package.notes")) }
            @for n in list(&v["notes"]) { p { b { (s(&n["author"])) } " " (s(&n["at"])) ": " (s(&n["body"])) } }
            h2 { (t("package.disseminations")) }
            ul { @for d in list(&v["disseminations"]) { li { (s(&d["at"])) " — " (s(&d["agency"])) " — " (s(&d["legal_basis"])) } } }
        }
    }
}
