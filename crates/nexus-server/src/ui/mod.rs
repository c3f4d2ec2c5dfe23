//! The web UI: server-rendered pages with plain forms (every form carries
//! the session's CSRF token), one small script for uploads and the case
//! network graph. Pages that show personal data ask for a purpose and case
//! reference first and record the view in the audit log.

use crate::api::apply_alert_action;
use crate::net::{with_body_limit, BodyLimit, ClientAddr};
use crate::web::{cookie, stated_purpose, AppError, AppState, Caller, Guard, SESSION_COOKIE};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use nexus_fiu::auth::{Principal, Role, MIN_PASSWORD};
use nexus_fiu::limits::Limits;
use nexus_fiu::purpose::{opens, Purpose, Record};
use nexus_fiu::screening::{screen_name, ScreenRequest};
use nexus_model::Timestamp;
use nexus_store::{AuditRecord, Db, StoreError};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

mod alerts;
mod cases;
mod i18n;
mod labels;
mod redress;
mod report_form;
mod reports;
mod search;

use i18n::Lang;

const CSS: &str = include_str!("../../assets/nexus.css");
const JS: &str = include_str!("../../assets/nexus.js");
/// Cytoscape.js 3.34.4 (MIT, `assets/vendor/cytoscape-LICENSE.txt`), vendored
/// from npm: the case graph's drawing, layout, zoom and selection.
const CYTOSCAPE: &str = include_str!("../../assets/vendor/cytoscape-3.34.4.min.js");

pub fn routes(limits: &Limits) -> Router<AppState> {
    let limit = |max: usize| BodyLimit {
        max,
        timeout: limits.body_timeout,
    };
    let documents = Router::new().route("/cases/{id}/documents", post(upload_document));
    let pages = Router::new()
        .route(
            "/static/nexus.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css")], CSS) }),
        )
        .route(
            "/static/nexus.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], JS) }),
        )
        .route(
            "/static/cytoscape.min.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript"),
                        (header::CACHE_CONTROL, "public, max-age=604800, immutable"),
                    ],
                    CYTOSCAPE,
                )
            }),
        )
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/", get(home))
        .route("/purpose", post(set_purpose))
        .route("/language", post(set_language))
        .route("/reports", get(reports::reports_page))
        .route("/reports/{id}/xml", get(reports::report_xml))
        .route(
            "/reports/new",
            get(report_form::report_form).post(report_form::file_report_form),
        )
        .route("/reports/{id}", get(report_page))
        .route("/reports/{id}/messages", post(report_message))
        .route("/alerts", get(alerts::alerts_page))
        .route("/alerts/{id}", get(alert_page).post(alert_action))
        .route("/alerts/{id}/clearance", post(request_clearance))
        .route("/alerts/{id}/case", post(alert_to_case))
        .route("/entities/{id}", get(entity_page))
        .route("/search", get(search_page))
        .route("/find", get(search::find_page))
        .route("/cases", get(cases_page).post(create_case))
        .route("/cases/{id}", get(cases::case_page))
        .route("/cases/{id}/notes", post(cases::add_note))
        .route("/cases/{id}/entities", post(cases::add_entity))
        .route("/cases/{id}/accounts", post(cases::add_account))
        .route("/cases/{id}/freezes", post(cases::add_freeze))
        .route("/cases/{id}/disseminate", post(disseminate))
        .route("/cases/{id}/graph.json", get(case_graph))
        .route("/cases/{id}/documents/{doc}", get(download_document))
        .route("/cases/{id}/package.json", get(package_json))
        .route("/cases/{id}/package.html", get(cases::package_html))
        .route("/freezes/{id}", post(cases::update_freeze))
        .route("/freezes/{id}/decision", post(cases::decide_freeze))
        .route("/models", get(models_page))
        .route("/models/{id}/activate", post(activate_model))
        .route("/clearances", get(redress::clearances_page))
        .route("/clearances/{id}", post(redress::decide_clearance))
        .route("/oversight", get(oversight_page))
        .route("/exchange", get(exchange_page))
        .route("/exchange/match", post(exchange_match))
        .route("/exchange/messages", post(exchange_send))
        .route("/admin", get(admin_page))
        .route("/admin/users", post(create_user))
        .route("/admin/tokens", post(create_token))
        .route("/admin/retention", post(set_retention))
        .route("/exchange/messages/{id}/case", post(link_message));
    with_body_limit(documents, limit(limits.max_document))
        .merge(with_body_limit(pages, limit(limits.max_form)))
}

/// Where to go after a form: a path of this service, never another site
/// (`//evil.example`, `/\evil.example` and control characters are refused).
fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 2000
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok {
        next.to_string()
    } else {
        "/".into()
    }
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn when(t: i64) -> String {
    Timestamp(t)
        .to_string()
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}

fn money(minor: i64) -> String {
    let major = minor / 100;
    let mut digits = major.abs().to_string();
    let mut grouped = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        grouped = format!(",{tail}{grouped}");
    }
    format!(
        "{}{digits}{grouped}.{:02}",
        if minor < 0 { "-" } else { "" },
        (minor % 100).abs()
    )
}

fn csrf(p: &Principal) -> String {
    format!(
        "<input type=hidden name=csrf value=\"{}\">",
        esc(p.csrf.as_deref().unwrap_or(""))
    )
}

/// The hidden CSRF field every form carries (templates).
fn csrf_field(p: &Principal) -> maud::Markup {
    maud::html! { input type="hidden" name="csrf" value=(p.csrf.as_deref().unwrap_or("")); }
}

/// A whole page: the navigation of the user's role in the user's
/// language, the purpose in force, the language selector, and `body`
/// (already rendered, escaped by its template).
fn page(p: Option<&Principal>, title: &str, body: &str) -> Html<String> {
    page_in(Lang::of(p), p, title, body)
}

/// [`page`] in a given language (before sign-in: the browser's).
fn page_in(lang: Lang, p: Option<&Principal>, title: &str, body: &str) -> Html<String> {
    let t = |k| lang.t(k);
    let nav = p.map(|p| {
        let mut links = vec![("/", t("nav.start"))];
        match p.role {
            Role::ReportingEntity => links.push(("/reports", t("nav.our_reports"))),
            Role::Analyst | Role::Supervisor => links.extend([
                ("/alerts", t("nav.alerts")),
                ("/cases", t("nav.cases")),
                ("/find", t("nav.search")),
                ("/search", t("nav.screening")),
                ("/reports", t("nav.reports")),
                ("/exchange", t("nav.exchange")),
                ("/clearances", t("nav.redress")),
                ("/models", t("nav.models")),
            ]),
            Role::Oversight => {
                links.extend([("/oversight", t("nav.audit")), ("/clearances", t("nav.redress"))])
            }
            Role::Administrator => {
                links.extend([("/admin", t("nav.admin")), ("/oversight", t("nav.audit"))])
            }
        }
        maud::html! {
            nav {
                span.brand { "nexus FIU" }
                @for (href, text) in &links { a href=(href) { (text) } }
                @if let Some(pp) = &p.purpose {
                    span.purpose title=(t("nav.purpose_title")) { (pp.purpose) " · " b { (pp.case_ref) } }
                }
                span.who { (p.username) " (" (p.role) ")" }
                @if p.user_id.is_some() {
                    form.inline method="post" action="/language" {
                        (csrf_field(p))
                        select name="language" aria-label=(t("nav.language")) onchange="this.form.submit()" {
                            @for l in Lang::all() { option value=(l.code()) selected[l == lang] { (l.own_name()) } }
                        }
                    }
                }
                form.inline method="post" action="/logout" {
                    (csrf_field(p))
                    button { (t("nav.sign_out")) }
                }
            }
        }
    });
    let markup = maud::html! {
        (maud::DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width";
                title { (title) " · nexus" }
                link rel="stylesheet" href="/static/nexus.css";
                script src="/static/nexus.js" defer {}
            }
            body {
                @if let Some(nav) = nav { (nav) }
                main { h1 { (title) } (maud::PreEscaped(body)) }
            }
        }
    };
    Html(markup.into_string())
}

fn html_err(e: AppError) -> AppError {
    e.html()
}

/// A page asking for the purpose and case reference before personal data
/// is shown; the purpose already stated in the session is kept in the form.
fn purpose_form(p: &Principal, next: &str, suggested_case: &str, why: &str) -> Html<String> {
    let typed = p.purpose.as_ref().map_or("", |pp| pp.purpose.as_str());
    let t = |k| Lang::of(Some(p)).t(k);
    let body = maud::html! {
        p.notice { (why) }
        p { (t("purpose.explain")) }
        form.stack method="post" action="/purpose" {
            (csrf_field(p))
            label { (t("purpose.purpose")) " " input name="purpose" required minlength="5" maxlength="500" value=(typed) placeholder="e.g. triage of sanctions alerts"; }
            label { (t("purpose.case_ref")) " " input name="case_ref" required maxlength="100" value=(suggested_case) placeholder="CASE-2026-0001, ALERT-12 or TRIAGE"; }
            input type="hidden" name="next" value=(next);
            button { (t("purpose.continue")) }
        }
    };
    page(Some(p), t("purpose.title"), &body.into_string())
}

/// The stated purpose when it opens `record`, or the form asking for one that does.
fn require_purpose(
    db: &Db,
    p: &Principal,
    headers: &HeaderMap,
    next: &str,
    suggested: &str,
    record: Record,
) -> Result<Result<Purpose, Html<String>>, StoreError> {
    match stated_purpose(p, headers) {
        Some(purpose) => match opens(db, &purpose, record)? {
            Ok(()) => Ok(Ok(purpose)),
            Err(why) => Ok(Err(purpose_form(p, next, suggested, &why))),
        },
        None => Ok(Err(purpose_form(
            p,
            next,
            suggested,
            "No purpose stated yet in this session.",
        ))),
    }
}

/// Records a read of personal data; `personal` is what oversight sees of
/// whom (the name), withheld from administrators.
fn audit_view(
    db: &Db,
    p: &Principal,
    purpose: &Purpose,
    action: &str,
    object: String,
    personal: String,
) -> Result<(), StoreError> {
    audit_view_about(db, p, purpose, action, object, String::new(), personal)
}

/// [`audit_view`] of a record about several people: `detail` names them as
/// `entity:ID` (what oversight filters by), `personal` by name and account.
fn audit_view_about(
    db: &Db,
    p: &Principal,
    purpose: &Purpose,
    action: &str,
    object: String,
    detail: String,
    personal: String,
) -> Result<(), StoreError> {
    db.audit(&AuditRecord {
        actor: p.actor.clone(),
        action: action.into(),
        object,
        purpose: purpose.purpose.clone(),
        case_ref: purpose.case_ref.clone(),
        detail,
        personal,
    })?;
    Ok(())
}

/// Whom a case is about, for its audit records: `about entity:…` and the
/// names and subject accounts (so that "who looked at whom" finds every
/// view of a person's case, its package and graph, not only entity pages).
fn case_about(db: &Db, id: i64) -> Result<(String, String), StoreError> {
    let parties = db.case_parties(id)?;
    let accounts = db.case_accounts(id)?;
    let detail = parties
        .iter()
        .map(|(e, _)| format!("entity:{}", e.id))
        .collect::<Vec<_>>()
        .join(" ");
    let mut personal: Vec<String> = parties.iter().map(|(e, _)| e.name.clone()).collect();
    personal.extend(
        accounts
            .iter()
            .filter(|a| a.role == nexus_model::CaseRole::Subject)
            .map(|a| a.key.clone()),
    );
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!("about {detail}")
    };
    Ok((detail, personal.join("; ")))
}

// ---------------------------------------------------------------- sign-in

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    let lang = Lang::of_browser(&headers);
    let t = |k| lang.t(k);
    let welcome = state
        .blocking(|s| Ok(s.store.read(|db| db.setting(nexus_fiu::DEMO_WELCOME))?))
        .await
        .map_err(html_err)?;
    let body = maud::html! {
        @if let Some(text) = &welcome {
            div.notice #demo-welcome {
                @for (i, line) in text.lines().enumerate() {
                    @if i == 0 { p { (line) } } @else {
                        @let (user, what) = line.split_once(" — ").unwrap_or((line, ""));
                        p { b { (user) } " — " (what) }
                    }
                }
            }
        }
        form.stack.narrow method="post" action="/login" {
            label { (t("login.username")) " " input name="username" autocomplete="username" required autofocus; }
            label { (t("login.password")) " " input name="password" type="password" autocomplete="current-password" required; }
            button { (t("login.submit")) }
        }
    };
    Ok(page_in(lang, None, t("login.title"), &body.into_string()))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

fn login_failed(message: &str, status: StatusCode) -> Response {
    (
        status,
        page(
            None,
            "Sign in",
            &format!(
                "<p class=error>{}</p><form method=post action=/login class=\"stack narrow\">\
                 <label>User name <input name=username required></label><label>Password <input name=password type=password required></label>\
                 <button>Sign in</button></form>",
                esc(message)
            ),
        ),
    )
        .into_response()
}

async fn login(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientAddr>>,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    use nexus_fiu::sessions::{sign_in, SignIn, SESSION_SECONDS};
    let address = client.map(|c| c.0 .0.ip());
    let outcome = state
        .blocking(move |s| {
            Ok(sign_in(
                &s.store,
                &s.signin,
                &f.username,
                f.password,
                address,
            )?)
        })
        .await?;
    Ok(match outcome {
        SignIn::Session(token) => (
            StatusCode::SEE_OTHER,
            [
                (
                    header::SET_COOKIE,
                    crate::web::session_cookie(&token, SESSION_SECONDS),
                ),
                (header::LOCATION, "/".to_string()),
            ],
        )
            .into_response(),
        SignIn::Refused => login_failed("Wrong user name or password.", StatusCode::UNAUTHORIZED),
        SignIn::Throttled(wait) => login_failed(
            &format!(
                "Too many failed sign-ins. Try again in {} seconds.",
                wait.as_secs().max(1)
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        SignIn::Busy => login_failed(
            "The service is busy; try again in a moment.",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    })
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    p.check_csrf(Some(&f.csrf), false)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state
            .blocking(move |s| Ok(nexus_fiu::sessions::sign_out(&s.store, &token)?))
            .await?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, crate::web::session_cookie("", 0)),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response())
}

#[derive(Deserialize)]
struct PurposeForm {
    csrf: String,
    purpose: String,
    case_ref: String,
    next: String,
}

async fn set_purpose(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<PurposeForm>,
) -> Result<Response, AppError> {
    p.check_csrf(Some(&f.csrf), false)?;
    let next = safe_next(&f.next);
    state
        .blocking(move |s| {
            Ok(nexus_fiu::sessions::state_purpose(
                &s.store,
                &p,
                &f.purpose,
                &f.case_ref,
            )?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&next).into_response())
}

#[derive(Deserialize)]
struct LanguageForm {
    csrf: String,
    language: String,
}

/// The user chooses the language of the UI (kept with the user).
async fn set_language(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Form(f): Form<LanguageForm>,
) -> Result<Response, AppError> {
    p.check_csrf(Some(&f.csrf), false)?;
    let lang = Lang::parse(&f.language)
        .ok_or_else(|| AppError::bad_request("language: en or ru").html())?;
    let user = p.user_id.ok_or_else(|| AppError::forbidden().html())?;
    state
        .blocking(move |s| {
            Ok(s.store
                .write(|db| db.set_user_language(user, lang.code()))?)
        })
        .await
        .map_err(html_err)?;
    // Back where the user was, when that was this site.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
        .map_or("/".to_string(), |path| safe_next(&path));
    Ok(Redirect::to(&back).into_response())
}

// ---------------------------------------------------------------- start page

async fn home(State(state): State<AppState>, Caller(p): Caller) -> Result<Html<String>, AppError> {
    let counts = state
        .blocking(|s| Ok(s.store.read(|db| db.counts())?))
        .await
        .map_err(html_err)?;
    let lists = state.screening().entry_count() as i64;
    let c = labels::count;
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let body = match p.role {
        Role::ReportingEntity => maud::html! {
            p { (t("home.bank_intro")) }
            p { a.button href="/reports" { (t("home.bank_upload")) } " " a.button href="/reports/new" { (t("home.bank_form")) } }
        },
        Role::Analyst | Role::Supervisor => maud::html! {
            div.cards {
                a href="/alerts" { b { (c(counts.open_alerts)) } " " (t("home.open_alerts")) }
                a href="/cases" { b { (c(counts.open_cases)) } " " (t("home.open_cases")) }
                a href="/reports" { b { (c(counts.reports)) } " " (t("home.reports")) }
                a href="/search" { b { (c(lists)) } " " (t("home.list_entries")) }
                div { b { (c(counts.entities)) } " " (t("home.entities")) }
                div { b { (c(counts.transactions)) } " " (t("home.transactions")) }
            }
            p.hint { (t("home.analyst_hint")) }
        },
        Role::Oversight => maud::html! {
            div.cards {
                a href="/oversight" { b { (c(counts.audit_records)) } " " (t("home.audit_records")) }
                a href="/clearances" { (t("home.redress")) }
            }
        },
        Role::Administrator => maud::html! {
            div.cards {
                a href="/admin" { (t("home.admin")) }
                a href="/oversight" { b { (c(counts.audit_records)) } " " (t("home.audit_records")) }
            }
        },
    };
    Ok(page(
        Some(&p),
        "nexus — Financial Intelligence Unit",
        &body.into_string(),
    ))
}

// ---------------------------------------------------------------- reports

async fn report_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    p.require(
        &[Role::ReportingEntity, Role::Analyst, Role::Supervisor],
        false,
    )?;
    let page_html = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let Some(r) = db.report(id)? else { return Ok(None) };
                    if !p.may_read_report(r.institution) {
                        return Ok(None);
                    }
                    let mut body = format!(
                        "<dl><dt>Reference</dt><dd>{}</dd><dt>Type</dt><dd>{}</dd><dt>Reporting entity</dt><dd>{}</dd><dt>Received</dt><dd>{}</dd>\
                         <dt>Status</dt><dd class=\"status {st}\">{st}</dd><dt>Message</dt><dd>{}</dd><dt>Reason given</dt><dd>{}</dd></dl>",
                        esc(&r.entity_reference),
                        esc(&r.report_code),
                        r.institution,
                        when(r.received_at),
                        esc(&r.message),
                        esc(&r.reason),
                        st = esc(r.status.as_str())
                    );
                    let problems = db.report_problems(id)?;
                    if !problems.is_empty() {
                        body.push_str("<h2>Problems</h2><table><tr><th>Line</th><th>Element</th><th>Problem</th></tr>");
                        for pr in problems {
                            body.push_str(&format!("<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>", pr.line, esc(&pr.path), esc(&pr.message)));
                        }
                        body.push_str("</table>");
                    }
                    if p.role.investigates() {
                        match require_purpose(db, &p, &headers, &format!("/reports/{id}"), "", Record::Report(id))? {
                            Ok(purpose) => {
                                let subjects = db.report_subjects(id)?;
                                body.push_str("<h2>Subjects</h2><table><tr><th>Name</th><th>Role</th><th>Birth date</th><th>Account</th><th>Entity</th><th>Why this entity</th></tr>");
                                for s in &subjects {
                                    body.push_str(&format!(
                                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=/entities/{e}>#{e}</a></td><td>{}</td></tr>",
                                        esc(&s.name),
                                        esc(&s.role),
                                        esc(s.birth_date.as_deref().unwrap_or("")),
                                        esc(s.account.as_deref().unwrap_or("")),
                                        esc(&s.evidence),
                                        e = s.entity_id
                                    ));
                                }
                                body.push_str("</table>");
                                let names: Vec<&str> = subjects.iter().map(|s| s.name.as_str()).collect();
                                audit_view(db, &p, &purpose, "report.view", format!("report:{id}"), names.join("; "))?;
                            }
                            Err(form) => return Ok(Some(form)),
                        }
                    }
                    body.push_str("<h2>Messages</h2>");
                    for m in db.report_messages(id)? {
                        body.push_str(&format!("<div class=message><b>{}</b> · {}<p>{}</p></div>", esc(&m.author), when(m.at), esc(&m.body)));
                    }
                    body.push_str(&format!(
                        "<form method=post action=/reports/{id}/messages class=stack>{}<label>Message <textarea name=body required maxlength=4000></textarea></label><button>Send</button></form>",
                        csrf(&p)
                    ));
                    Ok(Some(page(Some(&p), &format!("Report {}", r.entity_reference), &body)))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)?;
    page_html
        .map(IntoResponse::into_response)
        .ok_or_else(|| AppError::not_found().html())
}

#[derive(Deserialize)]
struct BodyForm {
    csrf: String,
    body: String,
}

async fn report_message(
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
        return Err(AppError::bad_request("a message has 1 to 4000 characters").html());
    }
    state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let Some(r) = db.report(id)? else {
                        return Ok(false);
                    };
                    if !p.may_read_report(r.institution) {
                        return Ok(false);
                    }
                    let author = if p.role == Role::ReportingEntity {
                        format!("{} (reporting entity {})", p.username, r.institution)
                    } else {
                        format!("{} (FIU)", p.username)
                    };
                    db.add_report_message(id, &author, &body)?;
                    db.audit(&AuditRecord {
                        actor: p.actor.clone(),
                        action: "report.message".into(),
                        object: format!("report:{id}"),
                        ..AuditRecord::default()
                    })?;
                    Ok(true)
                })
                .map_err(AppError::from)
                .and_then(|ok| {
                    if ok {
                        Ok(())
                    } else {
                        Err(AppError::not_found())
                    }
                })
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

// ---------------------------------------------------------------- alerts

async fn alert_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let out = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let purpose = match require_purpose(db, &p, &headers, &format!("/alerts/{id}"), &format!("ALERT-{id}"), Record::Alert(id))? {
                        Ok(purpose) => purpose,
                        Err(form) => return Ok(Some(form)),
                    };
                    let Some(a) = db.alert(id)? else { return Ok(None) };
                    let mut body = format!(
                        "<dl><dt>Kind</dt><dd>{}</dd><dt>Typology</dt><dd>{}</dd><dt>Score</dt><dd>{:.2}</dd><dt>Model probability</dt><dd>{}</dd><dt>Status</dt><dd class=\"status {st}\">{st}</dd>\
                         <dt>Reason</dt><dd>{}</dd><dt>Raised</dt><dd>{}</dd></dl><h2>Why</h2><p class=explain>{}</p>",
                        esc(a.kind.as_str()),
                        esc(a.typology.as_str()),
                        a.score,
                        match (a.probability, a.suppressed) {
                            (Some(p), true) => format!("{p:.2} — below the model's threshold (not in the queue until someone takes it up)"),
                            (Some(p), false) => format!("{p:.2}"),
                            (None, _) => "—".to_string(),
                        },
                        esc(&a.reason),
                        when(a.created_at),
                        esc(&a.explanation),
                        st = esc(a.status.as_str())
                    );
                    if let (Some(e), Some(name)) = (a.entity_id, &a.entity_name) {
                        body.push_str(&format!("<p>Subject: <a href=/entities/{e}>{} (#{e})</a></p>", esc(name)));
                    }
                    if a.kind == nexus_model::AlertKind::Screening {
                        body.push_str(&format!(
                            "<p>List entry: {} {} (version {})</p>",
                            esc(a.list_name.as_deref().unwrap_or("")),
                            esc(a.list_entry.as_deref().unwrap_or("")),
                            esc(a.list_version.as_deref().unwrap_or(""))
                        ));
                    }
                    if !a.transactions.is_empty() {
                        let ids: Vec<i64> = a.transactions.split(';').filter_map(|t| t.parse().ok()).take(200).collect();
                        body.push_str("<h2>Transactions</h2><table><tr><th>Time</th><th>From</th><th>To</th><th>Amount</th></tr>");
                        for t in db.transactions_by_ids(&ids)? {
                            body.push_str(&format!(
                                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=num>{} {}</td></tr>",
                                when(t.at),
                                esc(t.from_account.as_deref().unwrap_or("")),
                                esc(t.to_account.as_deref().unwrap_or("")),
                                money(t.amount_minor),
                                esc(&t.currency)
                            ));
                        }
                        body.push_str("</table>");
                    }
                    let c = csrf(&p);
                    body.push_str(&format!(
                        "<h2>Triage</h2><div class=actions>\
                         <form method=post action=/alerts/{id}>{c}<input type=hidden name=action value=assign><button>Assign to me</button></form>\
                         <form method=post action=/alerts/{id}>{c}<input type=hidden name=action value=escalate><button>Escalate</button></form>\
                         <form method=post action=/alerts/{id} class=stack>{c}<input type=hidden name=action value=dismiss>\
                           <label>Reason for dismissal <input name=reason minlength=10 required></label><button>Dismiss</button></form>\
                         <form method=post action=/alerts/{id}/case class=stack>{c}<label>Add to case (reference, or a title for a new case) \
                           <input name=case required placeholder=\"CASE-2026-0001 or New case title\"></label><button>Add to case</button></form>"
                    ));
                    if a.kind == nexus_model::AlertKind::Screening {
                        body.push_str(&format!(
                            "<form method=post action=/alerts/{id}/clearance class=stack>{c}<label>False positive: justification \
                             <input name=justification minlength=20 required placeholder=\"different birth date and nationality …\"></label>\
                             <button>Request clearance</button></form>"
                        ));
                    }
                    body.push_str("</div>");
                    let mut whom: Vec<String> = a.entity_name.iter().cloned().collect();
                    whom.extend(a.accounts.split(';').filter(|k| !k.is_empty()).take(20).map(String::from));
                    let detail = a.entity_id.map(|e| format!("about entity:{e}")).unwrap_or_default();
                    audit_view_about(db, &p, &purpose, "alert.view", format!("alert:{id}"), detail, whom.join("; "))?;
                    Ok(Some(page(Some(&p), &format!("Alert #{id}"), &body)))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)?;
    out.map(IntoResponse::into_response)
        .ok_or_else(|| AppError::not_found().html())
}

#[derive(Deserialize)]
struct AlertForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: String,
}

async fn alert_action(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<AlertForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| apply_alert_action(s, &p, id, &f.action, &f.reason))
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/alerts/{id}")).into_response())
}

#[derive(Deserialize)]
struct ClearanceForm {
    csrf: String,
    justification: String,
}

async fn request_clearance(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<ClearanceForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            Ok(nexus_fiu::clearances::request(
                &s.store,
                &p,
                id,
                &f.justification,
            )?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/clearances").into_response())
}

#[derive(Deserialize)]
struct ToCaseForm {
    csrf: String,
    case: String,
}

async fn alert_to_case(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<ToCaseForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let case_id = state
        .blocking(move |s| {
            let case_id = nexus_fiu::cases::add_alert(&s.store, &p, id, &f.case)?;
            // The purpose stated for the alert carries over to the case made
            // from it (recorded as a new statement), so the case page opens
            // without asking again for what the analyst just said.
            if let Some(stated) = &p.purpose {
                if let Some(case) = s.store.read(|db| db.case(case_id))? {
                    nexus_fiu::sessions::state_purpose(
                        &s.store,
                        &p,
                        &stated.purpose,
                        &case.reference,
                    )?;
                }
            }
            Ok(case_id)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
}

// ---------------------------------------------------------------- entities and search

async fn entity_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let out = state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let purpose = match require_purpose(db, &p, &headers, &format!("/entities/{id}"), "", Record::Entity(id))? {
                        Ok(purpose) => purpose,
                        Err(form) => return Ok(Some(form)),
                    };
                    let Some(e) = db.entity(id)? else { return Ok(None) };
                    let mut body = format!(
                        "<dl><dt>Kind</dt><dd>{}</dd><dt>Name</dt><dd>{}</dd><dt>Birth date</dt><dd>{}</dd><dt>Countries</dt><dd>{}</dd></dl>",
                        esc(e.kind.as_str()),
                        esc(&e.name),
                        esc(e.birth_date.as_deref().unwrap_or("unknown")),
                        esc(&e.countries)
                    );
                    body.push_str("<h2>As reported</h2><table><tr><th>Report</th><th>Name as written</th><th>Role</th><th>Birth date</th><th>Documents</th><th>Account</th><th>Resolution evidence</th></tr>");
                    for s in db.entity_subjects(id)? {
                        body.push_str(&format!(
                            "<tr><td><a href=/reports/{r}>{r}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            esc(&s.name),
                            esc(&s.role),
                            esc(s.birth_date.as_deref().unwrap_or("")),
                            esc(&s.identifiers),
                            esc(s.account.as_deref().unwrap_or("")),
                            esc(&s.evidence),
                            r = s.report_id
                        ));
                    }
                    body.push_str("</table><h2>List matches and alerts</h2><ul>");
                    for a in db.entity_alerts(id)? {
                        body.push_str(&format!("<li><a href=/alerts/{}>#{}</a> {} {:.2} <span class=\"status {st}\">{st}</span> — {}</li>", a.id, a.id, esc(a.typology.as_str()), a.score, esc(&a.explanation.chars().take(200).collect::<String>()), st = esc(a.status.as_str())));
                    }
                    body.push_str("</ul><h2>Cases</h2><ul>");
                    for c in db.entity_cases(id)? {
                        body.push_str(&format!("<li><a href=/cases/{}>{}</a> {}</li>", c.id, esc(&c.reference), esc(&c.title)));
                    }
                    body.push_str("</ul><h2>Transactions</h2><table><tr><th>Time</th><th>Reference</th><th>From</th><th>To</th><th>Amount</th><th>Channel</th></tr>");
                    for t in db.entity_transactions(id, 300)? {
                        body.push_str(&format!(
                            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=num>{} {}</td><td>{}</td></tr>",
                            when(t.at),
                            esc(&t.reference),
                            esc(t.from_account.as_deref().unwrap_or("")),
                            esc(t.to_account.as_deref().unwrap_or("")),
                            money(t.amount_minor),
                            esc(&t.currency),
                            esc(&t.channel)
                        ));
                    }
                    body.push_str("</table>");
                    audit_view(db, &p, &purpose, "entity.view", format!("entity:{id}"), e.name.clone())?;
                    Ok(Some(page(Some(&p), &format!("Entity #{id}: {}", e.name), &body)))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)?;
    out.map(IntoResponse::into_response)
        .ok_or_else(|| AppError::not_found().html())
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    country: String,
    /// Also show the best candidates below the threshold (tuning).
    #[serde(default)]
    candidates: String,
}

async fn search_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<SearchQuery>,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let mut body = format!(
        "<form method=get class=filters><label>Name <input name=name value=\"{}\" required></label>\
         <label>Birth date <input name=birth_date value=\"{}\" placeholder=YYYY-MM-DD></label>\
         <label>Country <input name=country value=\"{}\" size=3 placeholder=TJ></label>\
         <label><input type=checkbox name=candidates value=1{}> also the 10 best candidates below the threshold</label><button>Screen</button></form>",
        esc(&q.name),
        esc(&q.birth_date),
        esc(&q.country),
        if q.candidates.is_empty() { "" } else { " checked" }
    );
    if !q.name.trim().is_empty() {
        let req = ScreenRequest {
            name: q.name.clone(),
            birth_date: Some(q.birth_date.clone()),
            country: Some(q.country.to_uppercase()),
            kind: None,
            top: (!q.candidates.is_empty()).then_some(10),
        };
        let who = p.clone();
        let matches = state
            .blocking(move |s| {
                let screening = s.screening();
                Ok(screen_name(&s.store, &screening, &who, &req)?)
            })
            .await;
        match matches {
            Ok(m) if m.is_empty() => {
                body.push_str("<p>No list entry matches at the default threshold.</p>")
            }
            Ok(m) => {
                body.push_str("<table id=matches><tr><th>List</th><th>Entry</th><th>Listed name</th><th>Score</th><th>Why</th></tr>");
                let mut separated = false;
                for x in m {
                    if x.below_threshold && !separated {
                        separated = true;
                        body.push_str("<tr class=below-threshold><td colspan=5><i>Candidates below the threshold (not matches):</i></td></tr>");
                    }
                    body.push_str(&format!(
                        "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{:.2}</td><td class=explain>{}</td></tr>",
                        esc(&x.list),
                        esc(&x.list_id),
                        esc(&x.reference),
                        esc(x.matched_name.as_deref().unwrap_or("")),
                        x.score,
                        esc(&x.explanation)
                    ));
                }
                body.push_str("</table>");
            }
            Err(e) => body.push_str(&format!("<p class=error>{}</p>", esc(&e.message))),
        }
    }
    Ok(page(Some(&p), "Screening search", &body))
}

// ---------------------------------------------------------------- cases

async fn cases_page(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let cases = state
        .blocking(|s| Ok(s.store.read(|db| db.cases())?))
        .await
        .map_err(html_err)?;
    let mut body = format!(
        "<form method=post action=/cases class=stack>{}<label>Title <input name=title required minlength=5></label>\
         <label>Summary <textarea name=summary></textarea></label><button>Open a case</button></form>\
         <table><tr><th>Reference</th><th>Title</th><th>Status</th><th>Opened</th></tr>",
        csrf(&p)
    );
    for c in cases {
        body.push_str(&format!(
            "<tr><td><a href=/cases/{}>{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.id,
            esc(&c.reference),
            esc(&c.title),
            esc(c.status.as_str()),
            when(c.created_at)
        ));
    }
    body.push_str("</table>");
    Ok(page(Some(&p), "Cases", &body))
}

#[derive(Deserialize)]
struct CaseForm {
    csrf: String,
    title: String,
    #[serde(default)]
    summary: String,
}

async fn create_case(
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
struct DisseminateForm {
    csrf: String,
    agency: String,
    legal_basis: String,
}

async fn disseminate(
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

/// Reads a case for an export or the graph: needs a purpose naming the case.
async fn case_read<T: Send + 'static>(
    state: &AppState,
    p: Principal,
    headers: HeaderMap,
    id: i64,
    action: &'static str,
    f: impl FnOnce(&Db) -> Result<Option<T>, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    state
        .blocking(move |s| {
            s.store
                .write(|db| {
                    let Some(c) = db.case(id)? else {
                        return Ok(Err(AppError::not_found()));
                    };
                    let Some(purpose) = stated_purpose(&p, &headers) else {
                        return Ok(Err(AppError::new(
                            StatusCode::PRECONDITION_REQUIRED,
                            format!(
                                "state a purpose under {} first (open the case page)",
                                c.reference
                            ),
                        )));
                    };
                    if let Err(why) = opens(db, &purpose, Record::Case(id))? {
                        return Ok(Err(AppError::new(StatusCode::FORBIDDEN, why)));
                    }
                    let out = f(db)?;
                    let (detail, personal) = case_about(db, id)?;
                    audit_view_about(
                        db,
                        &p,
                        &purpose,
                        action,
                        format!("case:{id}"),
                        detail,
                        personal,
                    )?;
                    Ok(out.ok_or_else(AppError::not_found))
                })
                .map_err(AppError::from)?
        })
        .await
}

async fn package_json(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let v = case_read(&state, p, headers, id, "case.export", move |db| {
        nexus_fiu::cases::package(db, id)
    })
    .await?;
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=case-{id}.json"),
        )],
        axum::Json(v),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct GraphQuery {
    /// An account of the case's graph whose other payments to show.
    #[serde(default)]
    expand: Option<String>,
}

/// Most transactions the graph draws, and adds per expanded account.
const GRAPH_TRANSACTIONS: i64 = 2_000;
const GRAPH_EXPAND: i64 = 300;

/// The case's money flows for the graph: accounts (with the party holding
/// each and its role in the case), parties, and transactions with their
/// amount in US dollars (for comparable widths). With `expand`, the other
/// payments of one account already in the graph (following the money one
/// hop, audited as such).
async fn case_graph(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<GraphQuery>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let rates = state.detect_config.clone();
    let expand = q.expand.clone();
    let action = if expand.is_some() {
        "case.graph-expand"
    } else {
        "case.graph"
    };
    let v = case_read(&state, p, headers, id, action, move |db| {
        if db.case(id)?.is_none() {
            return Ok(None);
        }
        let parties = db.case_parties(id)?;
        let case_accounts = db.case_accounts(id)?;
        let mut txs = db.case_transactions(id, GRAPH_TRANSACTIONS)?;
        if let Some(key) = &expand {
            let in_graph = txs.iter().any(|t| {
                t.from_account.as_deref() == Some(key.as_str()) || t.to_account.as_deref() == Some(key.as_str())
            });
            if !in_graph {
                return Ok(None);
            }
            txs = db.account_transactions(key, GRAPH_EXPAND)?;
        }
        let role_of_entity = |e: i64| {
            parties
                .iter()
                .find(|(x, _)| x.id == e)
                .map(|(_, r)| r.as_str())
        };
        let mut accounts: HashMap<String, serde_json::Value> = HashMap::new();
        let mut party_nodes: HashMap<i64, serde_json::Value> = HashMap::new();
        let mut links = Vec::new();
        for t in &txs {
            let (Some(from), Some(to)) = (&t.from_account, &t.to_account) else { continue };
            for (key, entity) in [(from, t.from_entity), (to, t.to_entity)] {
                if accounts.contains_key(key) {
                    continue;
                }
                let holder = entity.or(case_accounts.iter().find(|a| &a.key == key).and_then(|a| a.entity_id));
                let role = case_accounts
                    .iter()
                    .find(|a| &a.key == key)
                    .map(|a| a.role.as_str())
                    .or_else(|| holder.and_then(role_of_entity))
                    .unwrap_or("outside");
                if let Some(e) = holder {
                    if let std::collections::hash_map::Entry::Vacant(slot) = party_nodes.entry(e) {
                        let name = db.entity(e)?.map(|x| x.name).unwrap_or_default();
                        slot.insert(json!({"id": format!("entity:{e}"), "entity": e, "label": name,
                            "role": role_of_entity(e).unwrap_or("outside")}));
                    }
                }
                accounts.insert(key.clone(), json!({"id": key, "party": holder.map(|e| format!("entity:{e}")), "role": role}));
            }
            let currency = nexus_model::Currency::parse(&t.currency);
            let usd = t.amount_minor as f64 / 100.0 * currency.map_or(1.0, |c| rates.usd_per_unit(c));
            links.push(json!({"source": from, "target": to, "at": t.at, "amount": t.amount_minor as f64 / 100.0,
                "currency": t.currency, "usd": (usd * 100.0).round() / 100.0, "reference": t.reference}));
        }
        Ok(Some(json!({
            "parties": party_nodes.into_values().collect::<Vec<_>>(),
            "accounts": accounts.into_values().collect::<Vec<_>>(),
            "links": links,
        })))
    })
    .await?;
    Ok(axum::Json(v))
}

// ---------------------------------------------------------------- redress

// ---------------------------------------------------------------- detection models

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// The detection models the FIU keeps, their held-out figures and which is
/// in force; a supervisor puts one in force (four eyes: the analyst who
/// trained it cannot).
async fn models_page(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let rows = state
        .blocking(move |s| Ok(nexus_fiu::detection::models(&s.store)?))
        .await
        .map_err(html_err)?;
    let active = state.model().map(|m| m.id);
    let mut body = String::from(
        "<p>Rules find candidate patterns and explain them; the model in force ranks them and keeps \
         those under its threshold below the fold of the queue. A model is trained with <code>nexus train</code> \
         (on a scenario's labels for a cold start, or with <code>--db</code> on the dispositions of this FIU's \
         analysts) and is used only once a supervisor puts it in force. The figures are those of its held-out \
         period, counted on the alerts it would raise (docs/detection.md, the model card).</p>\
         <table><tr><th>Model</th><th>Trained on</th><th>Held-out figures</th><th>Recorded</th><th>In force</th><th></th></tr>",
    );
    for m in &rows {
        let figures = serde_json::from_str::<serde_json::Value>(&m.metrics)
            .ok()
            .and_then(|v| {
                let h = v.get("holdout")?.get("rules_and_model")?;
                Some(format!(
                    "precision {:.2}, recall {:.2}, F1 {:.2} ({} alerts)",
                    h["precision"].as_f64()?,
                    h["recall"].as_f64()?,
                    h["f1"].as_f64()?,
                    h["alerts"].as_u64()?
                ))
            })
            .unwrap_or_else(|| "—".into());
        let in_force = Some(m.id) == active;
        let action = if p.role == Role::Supervisor && !in_force {
            format!(
                "<form method=post action=/models/{}/activate>{}<button>Put in force</button></form>",
                m.id,
                csrf(&p)
            )
        } else {
            String::new()
        };
        body.push_str(&format!(
            "<tr><td>#{} {}</td><td>{}</td><td>{}</td><td>{} by {}</td><td>{}</td><td>{action}</td></tr>",
            m.id,
            esc(&m.name),
            esc(&m.trained_on),
            esc(&figures),
            when(m.created_at),
            esc(&m.created_by),
            if in_force {
                format!("yes, since {} ({})", m.activated_at.map(when).unwrap_or_default(), esc(&m.activated_by))
            } else {
                "no".into()
            },
        ));
    }
    body.push_str("</table>");
    if rows.is_empty() {
        body.push_str("<p>No model yet: the queue is ranked by the rules alone.</p>");
    }
    Ok(page(Some(&p), "Detection models", &body))
}

async fn activate_model(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            let m = nexus_fiu::detection::activate_model(&s.store, Some(&p), id)?;
            s.set_model(m);
            Ok(())
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/models").into_response())
}

// ---------------------------------------------------------------- oversight

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    filter: String,
    #[serde(default)]
    offset: Option<i64>,
}

async fn oversight_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Oversight, Role::Administrator], false)?;
    let offset = q.offset.unwrap_or(0).max(0);
    let filter: String = q.filter.chars().take(200).collect();
    // Oversight reads whom a record is about; administrators run the
    // service and see who did what, never to whom.
    let sees_personal = p.role == Role::Oversight;
    let who = p.clone();
    let (entries, verified) = state
        .blocking(move |s| {
            let p = who;
            let verified = nexus_fiu::anchor::verify(&s.store, &[])
                .map_err(|e| AppError::internal(e.to_string()))?;
            Ok(s.store.write(|db| {
                let entries = db.audit_entries(&filter, sees_personal, 200, offset)?;
                let (detail, personal) = if sees_personal {
                    (String::new(), filter.clone())
                } else {
                    (format!("filter {filter:?}"), String::new())
                };
                db.audit(&AuditRecord {
                    actor: p.actor.clone(),
                    action: "audit.view".into(),
                    object: "audit_log".into(),
                    detail,
                    personal,
                    ..AuditRecord::default()
                })?;
                Ok((entries, verified))
            })?)
        })
        .await
        .map_err(html_err)?;
    let chain = match &verified.failure {
        None => format!(
            "<p class=ok id=chain>Audit chain intact: {} records verified, {} signed checkpoints hold.</p>",
            verified.records, verified.checkpoints
        ),
        Some(f) => format!("<p class=error id=chain>Audit chain broken: {}</p>", esc(f)),
    };
    let mut body = format!(
        "{chain}<form method=get class=filters><label>Actor, action or object contains <input name=filter value=\"{}\"></label><button>Filter</button></form>\
         <p class=hint>Who looked at whom: filter by a person's name or account (every view of them: entity, alert, case, package, graph, report), by a subject (<code>entity:12</code>), by a user (<code>user:alice</code>) or by an action (<code>case.export</code>).</p>\
         <div class=scroll><table id=audit><tr><th>#</th><th>When</th><th>Who</th><th>Did</th><th>What</th><th>Purpose</th><th>Case</th><th>Detail</th><th>About whom</th></tr>",
        esc(&q.filter)
    );
    for e in &entries {
        let personal = match (sees_personal, e.record.personal.is_empty()) {
            (_, true) => String::new(),
            (true, false) => esc(&e.record.personal.chars().take(200).collect::<String>()),
            (false, false) => "<i>withheld (personal data)</i>".into(),
        };
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{personal}</td></tr>",
            e.seq,
            when(e.at),
            esc(&e.record.actor),
            esc(&e.record.action),
            esc(&e.record.object),
            esc(&e.record.purpose),
            esc(&e.record.case_ref),
            esc(&e.record.detail.chars().take(200).collect::<String>())
        ));
    }
    body.push_str("</table></div>");
    if entries.len() == 200 {
        body.push_str(&format!(
            "<p><a href=\"/oversight?filter={}&offset={}\">Older</a></p>",
            percent_encoding::utf8_percent_encode(&q.filter, percent_encoding::NON_ALPHANUMERIC),
            offset + 200
        ));
    }
    Ok(page(Some(&p), "Audit trail", &body))
}

// ---------------------------------------------------------------- administration

async fn admin_page(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Administrator], false)?;
    let (users, lists, institutions, retention) = state
        .blocking(|s| {
            Ok(s.store.read(|db| {
                Ok((
                    db.users()?,
                    db.lists()?,
                    db.institutions()?,
                    db.setting("retention_days")?,
                ))
            })?)
        })
        .await
        .map_err(html_err)?;
    let x = csrf(&p);
    let mut body = String::from(
        "<h2>Users</h2><table><tr><th>User</th><th>Role</th><th>Institution</th></tr>",
    );
    for u in users {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&u.username),
            esc(u.role.as_str()),
            u.institution.map(|i| i.to_string()).unwrap_or_default()
        ));
    }
    let roles: String = Role::ALL
        .iter()
        .map(|r| format!("<option>{r}</option>"))
        .collect();
    body.push_str(&format!(
        "</table><form method=post action=/admin/users class=stack>{x}<label>User name <input name=username required></label>\
         <label>Password (at least {MIN_PASSWORD} characters) <input name=password type=password minlength={MIN_PASSWORD} required></label>\
         <label>Role <select name=role>{roles}</select></label><label>Institution (reporting entities) <input name=institution type=number></label>\
         <button>Create user</button></form>"
    ));
    body.push_str("<h2>Reporting entities and API tokens</h2><ul>");
    for i in institutions {
        body.push_str(&format!(
            "<li>{} {} ({}) — institution codes: {}</li>",
            i.id,
            esc(&i.name),
            esc(&i.country),
            if i.codes.is_empty() {
                "none (its transaction batches are refused)".to_string()
            } else {
                esc(&i.codes.join(", "))
            }
        ));
    }
    body.push_str(&format!(
        "</ul><form method=post action=/admin/tokens class=inline>{x}<input name=institution type=number required placeholder=\"rentity id\">\
         <input name=codes placeholder=\"BIC codes, e.g. NXTJB1XX\"><input name=label placeholder=label><button>Create API token</button></form>"
    ));
    body.push_str("<h2>Lists</h2><table><tr><th>Name</th><th>Format</th><th>Generated</th><th>Entries</th><th>Loaded</th></tr>");
    for l in lists {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&l.name),
            esc(&l.format),
            esc(&l.generated),
            l.entries,
            when(l.loaded_at)
        ));
    }
    body.push_str(&format!(
        "</table><p class=hint>Load or update a list with <code>nexus lists load --db FILE LIST</code>.</p>\
         <h2>Retention</h2><form method=post action=/admin/retention class=inline>{x}<label>Keep reports for <input name=days type=number min=30 value=\"{}\"> days</label>\
         <button name=purge value=no>Save</button><button name=purge value=yes>Save and purge now</button></form>",
        esc(retention.as_deref().unwrap_or("1825"))
    ));
    Ok(page(Some(&p), "Administration", &body))
}

#[derive(Deserialize)]
struct UserForm {
    csrf: String,
    username: String,
    password: String,
    role: String,
    #[serde(default)]
    institution: String,
}

async fn create_user(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<UserForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Administrator], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let role = Role::parse(&f.role).ok_or_else(|| AppError::bad_request("unknown role").html())?;
    let institution = match f.institution.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| AppError::bad_request("institution: a number").html())?,
        ),
    };
    state
        .blocking(move |s| {
            nexus_fiu::accounts::create_user(
                &s.store,
                &p.actor,
                &f.username,
                &f.password,
                role,
                institution,
            )
            .map_err(account_error)?;
            Ok(())
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/admin").into_response())
}

fn account_error(e: nexus_fiu::accounts::AccountError) -> AppError {
    match e {
        nexus_fiu::accounts::AccountError::Invalid(m) => AppError::bad_request(m),
        nexus_fiu::accounts::AccountError::Store(s) => s.into(),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    csrf: String,
    institution: i64,
    #[serde(default)]
    label: String,
    #[serde(default)]
    codes: String,
}

async fn create_token(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<TokenForm>,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Administrator], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let actor = p.actor.clone();
    let token = state
        .blocking(move |s| {
            nexus_fiu::accounts::create_reporting_token(
                &s.store,
                &actor,
                f.institution,
                "",
                &f.label,
                &[f.codes],
            )
            .map_err(account_error)
        })
        .await
        .map_err(html_err)?;
    Ok(page(
        Some(&p),
        "API token created",
        &format!("<p>Give this token to the reporting entity over a secure channel. It is shown once and stored only as a hash.</p><pre id=token>{}</pre>", esc(&token)),
    ))
}

#[derive(Deserialize)]
struct RetentionForm {
    csrf: String,
    days: i64,
    #[serde(default)]
    purge: String,
}

async fn set_retention(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<RetentionForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Administrator], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let limits = state.limits;
    if !(limits.min_retention_days..=limits.max_retention_days).contains(&f.days) {
        return Err(AppError::bad_request(format!(
            "keep reports for {} to {} days",
            limits.min_retention_days, limits.max_retention_days
        ))
        .html());
    }
    state
        .blocking(move |s| {
            s.store.write(|db| {
                db.set_setting("retention_days", &f.days.to_string())?;
                db.audit(&AuditRecord {
                    actor: p.actor.clone(),
                    action: "retention.set".into(),
                    object: "settings".into(),
                    detail: format!("{} days", f.days),
                    ..AuditRecord::default()
                })
            })?;
            if f.purge == "yes" {
                nexus_fiu::retention::purge_expired(&s.store, &p.actor, &s.limits)?;
            }
            Ok(())
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/admin").into_response())
}

// ---------------------------------------------------------------- partner FIUs

async fn exchange_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    state
        .blocking(move |s| {
            let fingerprint = nexus_fiu::exchange::identity(&s.store).map(|i| i.public().fingerprint()).ok();
            let country = nexus_fiu::exchange::own_country(&s.store).unwrap_or_default();
            s.store
                .write(|db| {
                    // The directory, sessions and matches name no one; a message's
                    // content is read under the case it is linked to.
                    let purpose = stated_purpose(&p, &headers);
                    let x = csrf(&p);
                    let partners = db.partners()?;
                    let mut body = match &fingerprint {
                        Some(f) => format!("<p>This FIU's key fingerprint: <code>{}</code> ({})</p>", esc(f), esc(&country)),
                        None => "<p class=error>No exchange identity yet: an administrator runs <code>nexus exchange init</code>.</p>".into(),
                    };
                    if partners.is_empty() {
                        body.push_str(
                            "<h2>Partner FIUs</h2><p class=notice id=no-partners>No partner FIU yet. Partners exchange public keys out of band \
                             (each runs <code>nexus exchange identity</code> and sends the key by a channel both trust); an administrator then adds each one with \
                             <code>nexus exchange partner add --db FIU.db --name \"FIU of Kyrgyzstan\" --country KG --key KEY --address https://…</code>. \
                             Private matching and messages appear here once a partner is in the directory.</p>",
                        );
                        return Ok(page(Some(&p), "Partner FIUs", &body));
                    }
                    body.push_str("<h2>Partner FIUs</h2><table><tr><th>Name</th><th>Country</th><th>Key fingerprint</th><th>Address</th></tr>");
                    for pt in &partners {
                        body.push_str(&format!("<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>", esc(&pt.name), esc(&pt.country), esc(&pt.fingerprint), esc(&pt.address)));
                    }
                    let options: String = partners.iter().map(|pt| format!("<option>{}</option>", esc(&pt.name))).collect();
                    body.push_str(&format!(
                        "</table><h2>Private matching</h2><p class=hint>Only blinded keys of name and birth date or document numbers leave this FIU; \
                         the partner learns how many were asked, not who. Both sides record the session.</p>\
                         <form method=post action=/exchange/match class=stack>{x}<label>Partner <select name=partner>{options}</select></label>\
                         <label>Subjects: a case reference (its entities), or empty for all <input name=case_ref placeholder=CASE-2026-0001></label>\
                         <label>Purpose <input name=purpose required minlength=5></label><label>Legal basis <input name=legal_basis required placeholder=\"FATF R.40; MoU of …\"></label>\
                         <button>Match</button></form>"
                    ));
                    body.push_str("<h2>Sessions</h2><table id=sessions><tr><th>When</th><th>Partner</th><th>Direction</th><th>Purpose</th><th>Keys asked</th><th>Partner keys</th><th>Matched</th></tr>");
                    for ss in db.sessions()? {
                        body.push_str(&format!(
                            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            when(ss.at),
                            esc(&ss.partner),
                            if ss.direction == "out" { "we asked" } else { "they asked" },
                            esc(&ss.purpose),
                            ss.asked,
                            ss.partner_keys,
                            if ss.direction == "out" { ss.matched.to_string() } else { "not disclosed".into() }
                        ));
                    }
                    body.push_str("</table><h2>Matches</h2><table id=matches><tr><th>When</th><th>Partner</th><th>Entity</th><th>Matched on</th><th>Session</th></tr>");
                    for m in db.exchange_matches(None)? {
                        body.push_str(&format!(
                            "<tr><td>{}</td><td>{}</td><td><a href=/entities/{e}>#{e}</a></td><td>{}</td><td><code>{}</code></td></tr>",
                            when(m.at),
                            esc(&m.partner),
                            esc(&m.basis),
                            esc(&m.session),
                            e = m.entity_id
                        ));
                    }
                    body.push_str("</table><h2>Messages</h2><p class=hint>A message is read under the case it is linked to: \
                        state that case as your purpose, or link an incoming message to your current case.</p>\
                        <table id=messages><tr><th>When</th><th>Partner</th><th></th><th>Kind</th><th>Content</th></tr>");
                    let current_case = match &purpose {
                        Some(pp) => match nexus_fiu::purpose::scope(db, &pp.case_ref)? {
                            Some(nexus_fiu::purpose::Scope::Case(c)) => Some(c),
                            _ => None,
                        },
                        None => None,
                    };
                    let mut read: Vec<String> = Vec::new();
                    for m in db.exchange_messages()? {
                        let readable = match &purpose {
                            Some(pp) => opens(db, pp, Record::PartnerMessage { case_id: m.case_id })?.is_ok(),
                            None => false,
                        };
                        if !readable {
                            let link = match (m.case_id, current_case) {
                                (None, Some(_)) => format!(
                                    "<form method=post action=/exchange/messages/{}/case class=inline>{x}<button>Link to my current case and read</button></form>",
                                    m.id
                                ),
                                (Some(_), _) => "<span class=hint>linked to another case</span>".to_string(),
                                (None, None) => "<span class=hint>state a case as your purpose to link and read it</span>".to_string(),
                            };
                            body.push_str(&format!(
                                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
                                when(m.at),
                                esc(&m.partner),
                                if m.direction == "in" { "from" } else { "to" },
                                esc(&m.kind)
                            ));
                            continue;
                        }
                        let b: nexus_fiu::exchange::MessageBody = serde_json::from_str(&m.body).unwrap_or(nexus_fiu::exchange::MessageBody {
                            in_reply_to: String::new(),
                            subject: String::new(),
                            purpose: String::new(),
                            legal_basis: String::new(),
                            urgency: String::new(),
                            text: m.body.clone(),
                        });
                        read.push(format!("message {}: {}", m.id, b.subject));
                        let reply = if m.direction == "in" && m.kind == "information-request" {
                            format!(
                                "<form method=post action=/exchange/messages class=stack>{x}<input type=hidden name=kind value=reply><input type=hidden name=partner value=\"{}\">\
                                 <input type=hidden name=in_reply_to value=\"{}\"><input type=hidden name=session value=\"{}\"><label>Reply <textarea name=text required></textarea></label><button>Send reply</button></form>",
                                esc(&m.partner),
                                esc(&m.message_id),
                                esc(&m.session)
                            )
                        } else {
                            String::new()
                        };
                        body.push_str(&format!(
                            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><b>{}</b> {} {}<br>purpose: {} · legal basis: {}<p>{}</p>{reply}</td></tr>",
                            when(m.at),
                            esc(&m.partner),
                            if m.direction == "in" { "from" } else { "to" },
                            esc(&m.kind),
                            esc(&b.subject),
                            esc(&b.urgency),
                            esc(&b.in_reply_to),
                            esc(&b.purpose),
                            esc(&b.legal_basis),
                            esc(&b.text)
                        ));
                    }
                    let kinds = if p.role == Role::Supervisor {
                        "<option value=request>request for information</option><option value=dissemination>spontaneous dissemination</option>"
                    } else {
                        "<option value=request>request for information</option>"
                    };
                    body.push_str(&format!(
                        "</table><form method=post action=/exchange/messages class=stack>{x}<label>Partner <select name=partner>{options}</select></label>\
                         <label>Kind <select name=kind>{kinds}</select></label><label>Subject <input name=subject required placeholder=\"the matched person, as we know them\"></label>\
                         <label>Purpose <input name=purpose required minlength=5></label><label>Legal basis <input name=legal_basis required></label>\
                         <label>Urgency <select name=urgency><option>routine</option><option>urgent</option><option>immediate</option></select></label>\
                         <label>Session (of the match) <input name=session></label><label>Text <textarea name=text required></textarea></label><button>Send</button></form>"
                    ));
                    body.push_str("<h2>Regional picture</h2><p class=hint>Matches per corridor and typology; no personal data.</p><table id=picture><tr><th>From</th><th>To</th><th>Typology</th><th>Matches</th></tr>");
                    for r in db.regional_picture(&country)? {
                        body.push_str(&format!("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", esc(&r.from_country), esc(&r.to_country), esc(&r.typology), r.matches));
                    }
                    body.push_str("</table>");
                    if let (Some(pp), false) = (&purpose, read.is_empty()) {
                        audit_view(db, &p, pp, "exchange.view", "exchange-messages".into(), read.join("; "))?;
                    }
                    Ok(page(Some(&p), "Partner FIUs", &body))
                })
                .map_err(AppError::from)
        })
        .await
        .map_err(html_err)
}

fn exchange_error(e: nexus_fiu::exchange::ExchangeServiceError) -> AppError {
    use nexus_fiu::exchange::ExchangeServiceError as E;
    match e {
        E::Store(s) => AppError::from(s).html(),
        E::Unreachable { .. } | E::PartnerRefused { .. } => {
            AppError::new(StatusCode::BAD_GATEWAY, e.to_string()).html()
        }
        other => AppError::bad_request(other.to_string()).html(),
    }
}

#[derive(Deserialize)]
struct MatchForm {
    csrf: String,
    partner: String,
    #[serde(default)]
    case_ref: String,
    purpose: String,
    legal_basis: String,
}

async fn exchange_match(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<MatchForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            let only = if f.case_ref.trim().is_empty() {
                None
            } else {
                let case = s
                    .store
                    .read(|db| db.case_by_reference(f.case_ref.trim()))?
                    .ok_or_else(|| AppError::bad_request("no such case").html())?;
                Some(
                    s.store
                        .read(|db| db.case_entities(case.id))?
                        .into_iter()
                        .map(|e| e.id)
                        .collect(),
                )
            };
            nexus_fiu::exchange::run_match(
                &s.store,
                &p.actor,
                &f.partner,
                &f.purpose,
                &f.legal_basis,
                only.as_ref(),
            )
            .map_err(exchange_error)?;
            Ok(())
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/exchange").into_response())
}

#[derive(Deserialize)]
struct SendForm {
    csrf: String,
    partner: String,
    kind: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    in_reply_to: String,
    text: String,
}

async fn exchange_send(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<SendForm>,
) -> Result<Response, AppError> {
    use nexus_exchange::Kind;
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let kind = match f.kind.as_str() {
        "request" => Kind::InformationRequest,
        "reply" => Kind::InformationReply,
        "dissemination" if p.role == Role::Supervisor => Kind::Dissemination,
        "dissemination" => return Err(AppError::forbidden().html()),
        _ => return Err(AppError::bad_request("kind: request, reply or dissemination").html()),
    };
    state
        .blocking(move |s| {
            let body = nexus_fiu::exchange::MessageBody {
                in_reply_to: f.in_reply_to,
                subject: f.subject,
                purpose: f.purpose,
                legal_basis: f.legal_basis,
                urgency: if f.urgency.is_empty() {
                    "routine".into()
                } else {
                    f.urgency
                },
                text: f.text,
            };
            // What we send is filed under the case we work on, when we state one.
            let case_id = match &p.purpose {
                Some(pp) => match s
                    .store
                    .read(|db| nexus_fiu::purpose::scope(db, &pp.case_ref))?
                {
                    Some(nexus_fiu::purpose::Scope::Case(c)) => Some(c),
                    _ => None,
                },
                None => None,
            };
            nexus_fiu::exchange::send_message(
                &s.store, &p.actor, &f.partner, kind, &f.session, &body, case_id,
            )
            .map_err(exchange_error)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/exchange").into_response())
}

/// Links a partner's message to the case stated as the session's purpose,
/// after which it is read under that case (an audited decision).
async fn link_message(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let purpose = p.purpose.clone().ok_or_else(|| {
        AppError::bad_request("state the case you work on as your purpose first").html()
    })?;
    state
        .blocking(move |s| {
            Ok(s.store.write(|db| {
                let Some(nexus_fiu::purpose::Scope::Case(case_id)) =
                    nexus_fiu::purpose::scope(db, &purpose.case_ref)?
                else {
                    return Err(StoreError::Invalid(format!(
                        "{:?} is not a case: a message is linked to a case",
                        purpose.case_ref
                    )));
                };
                let m = db
                    .exchange_messages()?
                    .into_iter()
                    .find(|m| m.id == id)
                    .ok_or_else(|| StoreError::NotFound(format!("no message {id}")))?;
                if m.case_id.is_some() {
                    return Err(StoreError::Conflict(
                        "this message is already linked to a case".into(),
                    ));
                }
                db.link_exchange_message(id, case_id)?;
                db.audit(&AuditRecord {
                    actor: p.actor.clone(),
                    action: "exchange.link-message".into(),
                    object: format!("exchange-message:{id}"),
                    purpose: purpose.purpose.clone(),
                    case_ref: purpose.case_ref.clone(),
                    ..AuditRecord::default()
                })
            })?)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/exchange").into_response())
}

/// `POST /cases/{id}/documents`: the file as the body, its name in `X-Filename`.
async fn upload_document(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], true)?;
    p.check_csrf(
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
        true,
    )?;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let filename = percent_encoding::percent_decode_str(&header("x-filename"))
        .decode_utf8_lossy()
        .into_owned();
    let content_type = header(header::CONTENT_TYPE.as_str());
    let doc = state
        .blocking(move |s| {
            Ok(nexus_fiu::cases::attach_document(
                &s.store,
                &p,
                id,
                &filename,
                &content_type,
                &body,
            )?)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"document_id": doc}))).into_response())
}

async fn download_document(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (meta, content) = case_read(&state, p, headers, id, "case.document-read", move |db| {
        db.case_document(id, doc)
    })
    .await
    .map_err(html_err)?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        meta.filename
            .replace(|c: char| !c.is_ascii_graphic() && c != ' ', "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".to_string(),
            ),
        ],
        content,
    )
        .into_response())
}
