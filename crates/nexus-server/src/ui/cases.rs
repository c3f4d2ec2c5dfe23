//! Case pages: the case file (subjects and counterparties, accounts,
//! transactions, documents, notes, provisional measures, dissemination),
//! its forms and the printable package. Templates are maud's, which escape
//! every interpolated value by construction.
//!
//! Each page loads what it shows in one transaction (with the purpose check
//! and the audit record of the read) and renders after it.

use super::i18n::Lang;
use super::{case_read, csrf_field, html_err, money, page, require_purpose, when, BodyForm};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::cases::{FreezeOrder, FreezeTarget};
use nexus_model::{CaseRole, FreezeStatus};
use nexus_store::{
    CaseAccountRow, CaseRow, DisseminationRow, DocumentRow, EntityRow, FreezeRow, MessageRow,
    TransactionRow,
};
use serde::Deserialize;

/// Most transactions listed on the case page.
const SHOWN_TRANSACTIONS: i64 = 500;

/// What the case page shows, read in one transaction.
struct CaseFile {
    case: CaseRow,
    parties: Vec<(EntityRow, CaseRole)>,
    accounts: Vec<CaseAccountRow>,
    transactions: Vec<TransactionRow>,
    documents: Vec<DocumentRow>,
    notes: Vec<MessageRow>,
    freezes: Vec<FreezeRow>,
    disseminations: Vec<DisseminationRow>,
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
                    let file = CaseFile {
                        parties: db.case_parties(id)?,
                        accounts: db.case_accounts(id)?,
                        transactions: db.case_transactions(id, SHOWN_TRANSACTIONS)?,
                        documents: db.case_documents(id)?,
                        notes: db.case_notes(id)?,
                        freezes: db.freezes(Some(id))?,
                        disseminations: db.disseminations(id)?,
                        case,
                    };
                    let (detail, personal) = super::case_about(db, id)?;
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
    match loaded {
        None => Err(AppError::not_found().html()),
        Some(Err(form)) => Ok(form.into_response()),
        Some(Ok(file)) => {
            let title = format!("{}: {}", file.case.reference, file.case.title);
            let body = render_case(&viewer, &file);
            Ok(page(Some(&viewer), &title, &body.into_string()).into_response())
        }
    }
}

/// The text key of a role (its CSS class is its stored spelling).
fn role_key(role: CaseRole) -> &'static str {
    match role {
        CaseRole::Subject => "case.subject",
        CaseRole::Counterparty => "case.counterparty",
    }
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
    html! {
        p { (f.case.reference) " · status " b { (f.case.status.as_str()) } " · opened " (when(f.case.created_at)) }
        @if !f.case.summary.is_empty() { p { (f.case.summary) } }

        h2 { (t("case.parties")) }
        p.hint { (subjects) " subjects, " (f.parties.len() - subjects)
            " counterparties. A counterparty dealt with a subject; it is shown and disseminated as such, never as a suspect." }
        table #case-parties {
            tr { th { "Role" } th { "Name" } th { "Kind" } th { "Born" } th { "Countries" } }
            @for (e, role) in &f.parties {
                tr.(role.as_str()) {
                    td { (t(role_key(*role))) }
                    td { a href={ "/entities/" (e.id) } { (e.name) } " (#" (e.id) ")" }
                    td { (e.kind.as_str()) }
                    td { (e.birth_date.as_deref().unwrap_or("")) }
                    td { (e.countries) }
                }
            }
        }
        form.inline method="post" action={ "/cases/" (id) "/entities" } {
            (csrf_field(p))
            input name="entity_id" type="number" min="1" required placeholder="entity #";
            button { (t("case.add_subject")) }
        }

        h2 { (t("case.accounts")) }
        table #case-accounts {
            tr { th { "Role" } th { "Account" } th { "Holder as reported" } th { "Holder" } }
            @for a in &f.accounts {
                tr.(a.role.as_str()) {
                    td { (t(role_key(a.role))) }
                    td { code { (a.key) } }
                    td { (a.name) }
                    td {
                        @if let (Some(e), Some(name)) = (a.entity_id, &a.entity_name) {
                            a href={ "/entities/" (e) } { (name) }
                        } @else { span.hint { "not resolved" } }
                    }
                }
            }
        }
        form.inline method="post" action={ "/cases/" (id) "/accounts" } {
            (csrf_field(p))
            input name="key" required maxlength="200" placeholder="BIC|account number";
            button { (t("case.add_account")) }
        }

        h2 { (t("case.network")) }
        p.hint { "Parties with their accounts inside (subjects red, counterparties blue, others grey) and the money between them, widths by US dollars. Drag to rearrange, scroll to zoom; the dates limit the period; double-click an account to add its other payments, a party to open it." }
        div #graph data-src={ "/cases/" (id) "/graph.json" } {}

        h2 { (t("case.transactions")) " (" (f.transactions.len()) ")" }
        table #case-transactions {
            tr { th { "Time" } th { "Reference" } th { "From" } th { "To" } th { "Amount" } th { "Channel" } }
            @for t in &f.transactions {
                tr {
                    td { (when(t.at)) }
                    td { (t.reference) }
                    td { (t.from_account.as_deref().unwrap_or("")) }
                    td { (t.to_account.as_deref().unwrap_or("")) }
                    td.num { (money(t.amount_minor)) " " (t.currency) }
                    td { (t.channel) }
                }
            }
        }

        h2 { (t("case.documents")) }
        ul #documents {
            @for d in &f.documents {
                li {
                    a href={ "/cases/" (id) "/documents/" (d.id) } { (d.filename) }
                    " (" (d.size) " bytes, " (d.content_type) ", added by " (d.uploaded_by) " " (when(d.at)) ") "
                    code { "sha256 " (d.sha256.get(..16).unwrap_or(&d.sha256)) }
                }
            }
        }
        form #document-upload.inline data-csrf=(p.csrf.as_deref().unwrap_or("")) data-case=(id) {
            input type="file" #document required;
            button { "Attach document" }
        }

        h2 { (t("case.notes")) }
        @for n in &f.notes {
            div.message { b { (n.author) } " · " (when(n.at)) p { (n.body) } }
        }
        form.stack method="post" action={ "/cases/" (id) "/notes" } {
            (csrf_field(p))
            label { "Note " textarea name="body" required {} }
            button { (t("case.add_note")) }
        }

        h2 { (t("case.measures")) }
        p.hint { "A freeze is proposed by one person and in force only when a supervisor other than its author approves it; only a supervisor lifts it or records its outcome." }
        (freezes_table(p, &f.freezes))
        (freeze_form(p, f))

        h2 { (t("case.dissemination")) }
        ul {
            @for d in &f.disseminations {
                li { (when(d.created_at)) " to " (d.agency) " — " (d.legal_basis) }
            }
        }
        p {
            a href={ "/cases/" (id) "/package.html" } { "Package (printable)" }
            " · "
            a href={ "/cases/" (id) "/package.json" } { "Package (JSON)" }
        }
        @if p.role == Role::Supervisor {
            form.stack method="post" action={ "/cases/" (id) "/disseminate" } {
                (csrf_field(p))
                label { "Agency " input name="agency" required placeholder="Drug Control Agency"; }
                label { "Legal basis " input name="legal_basis" required; }
                button { (t("case.disseminate")) }
            }
        } @else {
            p.hint { "Dissemination is decided by a supervisor." }
        }
    }
}

fn freezes_table(p: &Principal, freezes: &[FreezeRow]) -> Markup {
    html! {
        table #freezes {
            tr { th { "On" } th { "Assets" } th { "Legal basis" } th { "Issued" } th { "Expires" } th { "Status" } th { "Proposed" } th { "Decided" } th {} }
            @for f in freezes {
                tr {
                    td { (f.entity_name) }
                    td { (f.assets) }
                    td { (f.legal_basis) }
                    td { (f.issued_on) }
                    td { (f.expires_on) }
                    td.status { b { (f.status.as_str()) } @if !f.outcome.is_empty() { br; (f.outcome) } }
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
                    input name="reasons" placeholder="reasons (required to reject)" maxlength="2000";
                    button name="decision" value="approve" { (t("case.approve")) }
                    button name="decision" value="reject" { (t("case.reject")) }
                }
            }
            FreezeStatus::Proposed if own => { span.hint { "awaits another supervisor's decision" } }
            FreezeStatus::Proposed => { span.hint { "awaits a supervisor's decision" } }
            FreezeStatus::InForce if supervisor => {
                form.inline method="post" action={ "/freezes/" (f.id) } {
                    (csrf_field(p))
                    select name="status" {
                        option value="lifted" { "lifted" }
                        option value="expired" { "expired" }
                        option value="confiscated" { "confiscated" }
                    }
                    input name="outcome" placeholder="outcome" maxlength="2000";
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
            p.hint { "Add a subject or a subject account to the case to propose a freeze." }
        } @else {
            form.stack method="post" action={ "/cases/" (f.case.id) "/freezes" } {
                (csrf_field(p))
                label { "On " select name="target" {
                    @for e in &entities { option value={ "entity:" (e.id) } { (e.name) " (#" (e.id) ")" } }
                    @for a in &accounts {
                        option value={ "account:" (a.id) } { "account " (a.key) @if !a.name.is_empty() { " (" (a.name) ")" } }
                    }
                } }
                label { "Assets " input name="assets" required placeholder="account NXTJB1XX|A0001234, balance …"; }
                label { "Legal basis " input name="legal_basis" required placeholder="AML/CFT Law art. …; UNSCR 1373"; }
                label { "Issued on " input name="issued_on" type="date" required; }
                label { "Expires on " input name="expires_on" type="date" required; }
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
        (None, None) => {
            return Err(AppError::bad_request(
                "on: choose a subject or a subject account of the case",
            )
            .html())
        }
    };
    let order = FreezeOrder {
        target,
        assets: f.assets,
        legal_basis: f.legal_basis,
        issued_on: nexus_model::Date::parse(&f.issued_on)
            .map_err(|_| AppError::bad_request("issued on: YYYY-MM-DD").html())?,
        expires_on: nexus_model::Date::parse(&f.expires_on)
            .map_err(|_| AppError::bad_request("expires on: YYYY-MM-DD").html())?,
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
        _ => return Err(AppError::bad_request("decision: approve or reject").html()),
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
    let v = case_read(&state, p, headers, id, "case.export", move |db| {
        nexus_fiu::cases::package(db, id)
    })
    .await
    .map_err(html_err)?;
    Ok(Html(render_package(&v).into_string()))
}

fn render_package(v: &serde_json::Value) -> Markup {
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("").to_string();
    let list = |x: &serde_json::Value| x.as_array().cloned().unwrap_or_default();
    let c = &v["case"];
    let party = |e: &serde_json::Value| {
        html! {
            h3 { (s(&e["name"])) " (" (s(&e["kind"])) ")" }
            p { "Born " (s(&e["birth_date"])) " · " (s(&e["countries"])) }
            @let names = list(&e["names_as_reported"]);
            @if !names.is_empty() {
                p { "As reported: "
                    @for (i, n) in names.iter().enumerate() {
                        @if i > 0 { "; " }
                        (s(&n["name"])) " (" (s(&n["source"]["reporting_entity"])) " " (s(&n["source"]["reference"])) ")"
                    }
                }
            }
            ul { @for a in list(&e["alerts"]) { li { (s(&a["typology"])) ": " (s(&a["explanation"])) } } }
        }
    };
    html! {
        (maud::DOCTYPE)
        meta charset="utf-8";
        title { (s(&c["reference"])) }
        link rel="stylesheet" href="/static/nexus.css";
        main.print {
            p.classification { "CONFIDENTIAL — financial intelligence. Use only for the purpose disseminated; no onward disclosure without the FIU's consent." }
            h1 { (s(&c["reference"])) ": " (s(&c["title"])) }
            p { (s(&c["summary"])) }
            p { "Status " (s(&c["status"])) ", opened " (s(&c["opened"])) }
            h2 { "Subjects" }
            @for e in list(&v["subjects"]) { (party(&e)) }
            h2 { "Counterparties" }
            p { "Parties that dealt with a subject. Not suspects by that fact." }
            @for e in list(&v["counterparties"]) { (party(&e)) }
            h2 { "Accounts" }
            table {
                tr { th { "Role" } th { "Account" } th { "Holder as reported" } }
                @for a in list(&v["accounts"]) { tr { td { (s(&a["role"])) } td { (s(&a["account"])) } td { (s(&a["holder_as_reported"])) } } }
            }
            h2 { "Transactions" }
            table {
                tr { th { "Time" } th { "From" } th { "To" } th { "Amount" } th { "Channel" } th { "Source" } }
                @for t in list(&v["transactions"]) {
                    tr {
                        td { (s(&t["at"])) }
                        td { (s(&t["from_account"])) }
                        td { (s(&t["to_account"])) }
                        td.num { (format!("{:.2}", t["amount"].as_f64().unwrap_or(0.0))) " " (s(&t["currency"])) }
                        td { (s(&t["channel"])) }
                        td {
                            @if t["source"].is_object() {
                                @if t["source"]["reference"].is_string() {
                                    "report " (s(&t["source"]["reference"])) " of " (s(&t["source"]["reporting_entity"]))
                                } @else { "batch of " (s(&t["source"]["batch_of"])) }
                            } @else { (s(&t["source"])) }
                        }
                    }
                }
            }
            h2 { "Provisional measures" }
            ul {
                @for f in list(&v["provisional_measures"]) {
                    li { (s(&f["on"])) ": " (s(&f["assets"])) " — " (s(&f["legal_basis"])) " (" (s(&f["issued_on"])) " to " (s(&f["expires_on"])) "), "
                        (s(&f["status"])) "; proposed by " (s(&f["proposed_by"]))
                        @if f["decided_by"].is_string() { ", decided by " (s(&f["decided_by"])) } }
                }
            }
            h2 { "Documents" }
            ul { @for d in list(&v["documents"]) { li { (s(&d["filename"])) " (" (d["size"].as_i64().unwrap_or(0)) " bytes) sha256 " code { (s(&d["sha256"])) } } } }
            h2 { "Analyst notes" }
            @for n in list(&v["notes"]) { p { b { (s(&n["author"])) } " " (s(&n["at"])) ": " (s(&n["body"])) } }
            h2 { "Disseminations" }
            ul { @for d in list(&v["disseminations"]) { li { (s(&d["at"])) " to " (s(&d["agency"])) " under " (s(&d["legal_basis"])) } } }
        }
    }
}
