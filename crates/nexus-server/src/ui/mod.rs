//! The web UI: server-rendered pages with plain forms (every form carries
//! the session's CSRF token), one small script for uploads and the case
//! network graph. Pages that show personal data ask for a purpose and case
//! reference first and record the view in the audit log.

use crate::net::{with_body_limit, BodyLimit, ClientAddr};
use crate::web::{cookie, stated_purpose, AppError, AppState, Caller, Guard, SESSION_COOKIE};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::error::{say, Phrase, Say};
use nexus_fiu::limits::Limits;
use nexus_fiu::purpose::{opens, Purpose, Record};
use nexus_model::Timestamp;
use nexus_store::{AuditRecord, Db, StoreError};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

mod admin;
mod alerts;
mod cases;
mod entities;
mod exchange;
pub(crate) mod i18n;
mod labels;
mod me;
mod messages;
mod models;
mod organisation;
mod oversight;
mod redress;
mod report_form;
mod reports;
mod screening;
mod search;

use i18n::Lang;

const CSS: &str = include_str!("../../assets/nexus.css");
const JS: &str = include_str!("../../assets/nexus.js");
/// Cytoscape.js 3.34.4 (MIT, `assets/vendor/cytoscape-LICENSE.txt`), vendored
/// from npm: the case graph's drawing, layout, zoom and selection.
const CYTOSCAPE: &str = include_str!("../../assets/vendor/cytoscape-3.34.4.min.js");
/// The fCoSE layout for Cytoscape.js 2.2.0 with cose-base 2.2.0 and
/// layout-base 2.0.1 (MIT, `assets/vendor/cytoscape-fcose-LICENSE.txt`),
/// vendored from npm: a fast compound spring layout (spectral start), so
/// that a case of 500 accounts is drawn in well under a second.
const FCOSE: &str = include_str!("../../assets/vendor/cytoscape-fcose-2.2.0.bundle.js");

pub fn routes(limits: &Limits) -> Router<AppState> {
    let limit = |max: usize| BodyLimit {
        max,
        timeout: limits.body_timeout,
    };
    let documents = Router::new().route("/cases/{id}/documents", post(upload_document));
    let lists = Router::new().route("/admin/lists", post(admin::load_list));
    // A free message carries attachments: the documents' limit.
    let board = Router::new().route("/messages", post(messages::write_message));
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
        .route(
            "/static/cytoscape-fcose.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript"),
                        (header::CACHE_CONTROL, "public, max-age=604800, immutable"),
                    ],
                    FCOSE,
                )
            }),
        )
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/", get(home))
        .route("/purpose", post(set_purpose))
        .route("/language", post(set_language))
        .route("/me", get(me::me_page))
        .route("/organisation", get(organisation::organisation_page))
        .route("/me/password", post(me::change_password))
        .route("/reports", get(reports::reports_page))
        .route("/messages", get(messages::board_page))
        .route("/messages/archive", post(messages::archive_item))
        .route(
            "/messages/attachments/{id}",
            get(messages::download_attachment),
        )
        .route("/reports/{id}/xml", get(reports::report_xml))
        .route(
            "/reports/new",
            get(report_form::report_form).post(report_form::file_report_form),
        )
        .route("/reports/{id}", get(reports::report_page))
        .route("/reports/{id}/messages", post(reports::report_message))
        .route("/alerts", get(alerts::alerts_page))
        .route(
            "/alerts/{id}",
            get(alerts::alert_page).post(alerts::alert_action),
        )
        .route("/alerts/{id}/clearance", post(alerts::request_clearance))
        .route("/alerts/{id}/case", post(alerts::alert_to_case))
        .route("/entities/{id}", get(entities::entity_page))
        .route("/accounts", get(entities::account_page))
        .route("/search", get(screening::search_page))
        .route("/find", get(search::find_page))
        .route("/cases", get(cases::cases_page).post(cases::create_case))
        .route("/cases/{id}", get(cases::case_page))
        .route("/cases/{id}/assign", post(cases::assign))
        .route("/cases/{id}/close", post(cases::close))
        .route("/cases/{id}/reopen", post(cases::reopen))
        .route("/cases/{id}/notes", post(cases::add_note))
        .route("/cases/{id}/entities", post(cases::add_entity))
        .route("/cases/{id}/accounts", post(cases::add_account))
        .route("/cases/{id}/freezes", post(cases::add_freeze))
        .route("/cases/{id}/disseminate", post(cases::disseminate))
        .route("/cases/{id}/graph.json", get(case_graph))
        .route("/cases/{id}/documents/{doc}", get(download_document))
        .route("/cases/{id}/package.json", get(package_json))
        .route("/cases/{id}/package.html", get(cases::package_html))
        .route("/freezes/{id}", post(cases::update_freeze))
        .route("/freezes/{id}/decision", post(cases::decide_freeze))
        .route("/models", get(models::models_page))
        .route("/models/{id}/activate", post(models::activate_model))
        .route("/models/{list}", post(models::set_list))
        .route("/clearances", get(redress::clearances_page))
        .route("/clearances/{id}", post(redress::decide_clearance))
        .route("/oversight", get(oversight::oversight_page))
        .route("/exchange", get(exchange::exchange_page))
        .route("/exchange/match", post(exchange::exchange_match))
        .route("/exchange/messages", post(exchange::exchange_send))
        .route("/admin", get(admin::admin_page))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/{id}/{what}", post(admin::set_user_state))
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/admin/retention", post(admin::set_retention))
        .route("/exchange/messages/{id}/case", post(exchange::link_message));
    with_body_limit(documents, limit(limits.max_document))
        .merge(with_body_limit(board, limit(limits.max_document)))
        .merge(with_body_limit(lists, limit(limits.max_upload)))
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

/// Text as it goes into a URL's query (`BIC|number` → `BIC%7Cnumber`).
fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A table of payments in time order as stored (native currency), each
/// account a link to its account page.
fn transactions_table(lang: Lang, id: &str, rows: &[nexus_store::TransactionRow]) -> maud::Markup {
    let t = |k| lang.t(k);
    let account = |key: &Option<String>| {
        maud::html! {
            @if let Some(k) = key {
                @if k.starts_with(nexus_store::PARTY_ACCOUNT) { (k) }
                @else { a href={ "/accounts?key=" (url_encode(k)) } { (k) } }
            }
        }
    };
    maud::html! {
        table id=(id) {
            tr { th { (t("tx.time")) } th { (t("tx.reference")) } th { (t("tx.from")) } th { (t("tx.to")) } th { (t("tx.amount")) } th { (t("tx.channel")) } }
            @for x in rows {
                tr {
                    td { (when(x.at)) }
                    td { (x.reference) }
                    td { (account(&x.from_account)) }
                    td { (account(&x.to_account)) }
                    td.num { (money(x.amount_minor)) " " (x.currency) }
                    td { (x.channel) }
                }
            }
        }
    }
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
            Role::ReportingEntity => links.extend([
                ("/reports", t("nav.our_reports")),
                ("/messages", t("nav.messages")),
                ("/organisation", t("nav.organisation")),
            ]),
            Role::Analyst | Role::Supervisor => links.extend([
                ("/alerts", t("nav.alerts")),
                ("/cases", t("nav.cases")),
                ("/find", t("nav.search")),
                ("/search", t("nav.screening")),
                ("/reports", t("nav.reports")),
                ("/messages", t("nav.messages")),
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
                a.who href="/me" title=(t("me.title")) { (p.username) " (" (p.role) ")" }
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
            body data-texts=(lang.script_texts()) {
                @if let Some(nav) = nav { (nav) }
                main { h1 { (title) } (maud::PreEscaped(body)) }
            }
        }
    };
    Html(markup.into_string())
}

/// A page's data loaded under a purpose: the data, the form asking for a
/// purpose that opens it, or nothing (the record does not exist).
type Loaded<T> = Option<Result<T, Html<String>>>;

/// The answer to a page loaded under a purpose: the rendered page, the
/// purpose form, or "not found".
fn respond<T>(
    loaded: Loaded<T>,
    render: impl FnOnce(T) -> Html<String>,
) -> Result<Response, AppError> {
    match loaded {
        None => Err(AppError::not_found().html()),
        Some(Err(form)) => Ok(form.into_response()),
        Some(Ok(x)) => Ok(render(x).into_response()),
    }
}

fn html_err(e: AppError) -> AppError {
    e.html()
}

/// A page asking for the purpose and case reference before personal data
/// is shown; the purpose already stated in the session is kept in the form.
fn purpose_form(p: &Principal, next: &str, suggested_case: &str, why: &Phrase) -> Html<String> {
    let why = why.render(&Lang::of(Some(p)));
    let typed = p.purpose.as_ref().map_or("", |pp| pp.purpose.as_str());
    let t = |k| Lang::of(Some(p)).t(k);
    let body = maud::html! {
        p.notice { (why) }
        p { (t("purpose.explain")) }
        form.stack method="post" action="/purpose" {
            (csrf_field(p))
            label { (t("purpose.purpose")) " " input name="purpose" required minlength="5" maxlength="500" value=(typed) placeholder=(t("purpose.placeholder")); }
            label { (t("purpose.case_ref")) " " input name="case_ref" required maxlength="100" value=(suggested_case) placeholder=(t("purpose.case_placeholder")); }
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
            &say(Say::NoPurposeYet),
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
    Ok(about(&db.case_parties(id)?, &db.case_accounts(id)?))
}

/// [`case_about`] from the parties and accounts a page loaded already.
fn about(
    parties: &[(nexus_store::EntityRow, nexus_model::CaseRole)],
    accounts: &[nexus_store::CaseAccountRow],
) -> (String, String) {
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
    (detail, personal.join("; "))
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

/// "Too many failed sign-ins. Try again in N seconds." in `lang` (sign-in
/// and the password change share the guard, and so the sentence).
fn throttled(lang: Lang, wait: std::time::Duration) -> String {
    format!(
        "{} {} {}",
        lang.t("login.throttled"),
        wait.as_secs().max(1),
        lang.t("login.seconds")
    )
}

/// The sign-in form again, with why the last attempt failed.
fn login_failed(lang: Lang, message: &str, status: StatusCode) -> Response {
    let t = |k| lang.t(k);
    let body = maud::html! {
        p.error { (message) }
        form.stack.narrow method="post" action="/login" {
            label { (t("login.username")) " " input name="username" autocomplete="username" required; }
            label { (t("login.password")) " " input name="password" type="password" autocomplete="current-password" required; }
            button { (t("login.submit")) }
        }
    };
    (
        status,
        page_in(lang, None, t("login.title"), &body.into_string()),
    )
        .into_response()
}

async fn login(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let lang = Lang::of_browser(&headers);
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
        SignIn::Refused => login_failed(lang, lang.t("login.wrong"), StatusCode::UNAUTHORIZED),
        SignIn::Throttled(wait) => {
            login_failed(lang, &throttled(lang, wait), StatusCode::TOO_MANY_REQUESTS)
        }
        SignIn::Busy => login_failed(lang, lang.t("login.busy"), StatusCode::SERVICE_UNAVAILABLE),
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
    let lang = Lang::parse(&f.language).ok_or_else(|| {
        AppError::invalid(say(Say::LanguageChoice).with("choices", "en, ru")).html()
    })?;
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
    let (user, institution) = (
        p.user_id,
        (p.role == Role::ReportingEntity).then(|| p.institution.unwrap_or(-1)),
    );
    let shows_messages = p.role.investigates() || p.role == Role::ReportingEntity;
    let (counts, unread) = state
        .blocking(move |s| {
            let unread = s.store.read(|db| match user {
                Some(u) if shows_messages => db.unread_messages(u, institution),
                _ => Ok(0),
            })?;
            Ok((s.counts()?, unread))
        })
        .await
        .map_err(html_err)?;
    let lists = state.screening().entry_count() as i64;
    let c = labels::count;
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let body = match p.role {
        Role::ReportingEntity => maud::html! {
            p { (t("home.bank_intro")) }
            div.cards { a #unread href="/messages" { b { (c(unread)) } " " (t("home.unread")) } }
            p { a.button href="/reports" { (t("home.bank_upload")) } " " a.button href="/reports/new" { (t("home.bank_form")) } }
        },
        Role::Analyst | Role::Supervisor => maud::html! {
            div.cards {
                a href="/alerts" { b { (c(counts.open_alerts)) } " " (t("home.open_alerts")) }
                a href="/cases" { b { (c(counts.open_cases)) } " " (t("home.open_cases")) }
                a href="/reports" { b { (c(counts.reports)) } " " (t("home.reports")) }
                a #unread href="/messages" { b { (c(unread)) } " " (t("home.unread")) }
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
    Ok(page(Some(&p), t("home.title"), &body.into_string()))
}

#[derive(Deserialize)]
struct BodyForm {
    csrf: String,
    body: String,
}

// ---------------------------------------------------------------- case exports

/// Reads a case for an export or the graph: needs a purpose naming the case.
async fn case_read<T: Send + 'static>(
    state: &AppState,
    p: Principal,
    headers: HeaderMap,
    id: i64,
    action: &'static str,
    f: impl FnOnce(&Db) -> Result<Option<T>, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    case_read_about(state, p, headers, id, action, move |db| {
        Ok(f(db)?.map(|value| CaseRead { value, about: None }))
    })
    .await
}

/// What a read of a case gave, and whom it is about when the reader loaded
/// the case's parties already (else they are read again for the audit).
struct CaseRead<T> {
    value: T,
    about: Option<(String, String)>,
}

/// [`case_read`] whose reader says whom the read is about.
async fn case_read_about<T: Send + 'static>(
    state: &AppState,
    p: Principal,
    headers: HeaderMap,
    id: i64,
    action: &'static str,
    f: impl FnOnce(&Db) -> Result<Option<CaseRead<T>>, StoreError> + Send + 'static,
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
                        return Ok(Err(AppError::said(
                            StatusCode::PRECONDITION_REQUIRED,
                            say(Say::PurposeUnderCase).with("reference", &c.reference),
                        )));
                    };
                    if let Err(why) = opens(db, &purpose, Record::Case(id))? {
                        return Ok(Err(AppError::said(StatusCode::FORBIDDEN, why)));
                    }
                    let (out, whom) = match f(db)? {
                        Some(CaseRead { value, about }) => (Some(value), about),
                        None => (None, None),
                    };
                    let (detail, personal) = match whom {
                        Some(whom) => whom,
                        None => case_about(db, id)?,
                    };
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
const GRAPH_TRANSACTIONS: i64 = 1_000;
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
) -> Result<axum::Json<Graph>, AppError> {
    let rates = state.detect_config.clone();
    let expand = q.expand.clone();
    let action = if expand.is_some() {
        "case.graph-expand"
    } else {
        "case.graph"
    };
    let v = case_read_about(&state, p, headers, id, action, move |db| {
        let parties = db.case_parties(id)?;
        let case_accounts = db.case_accounts(id)?;
        let mut txs = db.case_transactions(id, GRAPH_TRANSACTIONS)?;
        if let Some(key) = &expand {
            let in_graph = txs.iter().any(|t| {
                t.from_account.as_deref() == Some(key.as_str())
                    || t.to_account.as_deref() == Some(key.as_str())
            });
            if !in_graph {
                return Ok(None);
            }
            txs = db.account_transactions(key, GRAPH_EXPAND)?;
        }
        let party_of: HashMap<i64, (&str, &str)> = parties
            .iter()
            .map(|(x, r)| (x.id, (x.name.as_str(), r.as_str())))
            .collect();
        let case_account: HashMap<&str, &nexus_store::CaseAccountRow> =
            case_accounts.iter().map(|a| (a.key.as_str(), a)).collect();
        let role_of_entity = |e: i64| party_of.get(&e).map(|(_, r)| *r);
        // Ordered maps: the same case gives the same JSON, so the browser
        // draws it the same way on every load.
        let mut accounts: BTreeMap<String, GraphAccount> = BTreeMap::new();
        let mut party_nodes: BTreeMap<i64, GraphParty> = BTreeMap::new();
        let mut links = Vec::with_capacity(txs.len());
        for t in &txs {
            let (Some(from), Some(to)) = (&t.from_account, &t.to_account) else {
                continue;
            };
            for (key, entity) in [(from, t.from_entity), (to, t.to_entity)] {
                if accounts.contains_key(key) {
                    continue;
                }
                let in_case = case_account.get(key.as_str());
                let holder = entity.or(in_case.and_then(|a| a.entity_id));
                let role = in_case
                    .map(|a| a.role.as_str())
                    .or_else(|| holder.and_then(role_of_entity))
                    .unwrap_or("outside");
                if let Some(e) = holder {
                    if let std::collections::btree_map::Entry::Vacant(slot) = party_nodes.entry(e) {
                        let name = match party_of.get(&e) {
                            Some((name, _)) => name.to_string(),
                            None => db.entity(e)?.map(|x| x.name).unwrap_or_default(),
                        };
                        slot.insert(GraphParty {
                            id: format!("entity:{e}"),
                            entity: e,
                            label: name,
                            role: role_of_entity(e).unwrap_or("outside"),
                        });
                    }
                }
                accounts.insert(
                    key.clone(),
                    GraphAccount {
                        id: key.clone(),
                        party: holder.map(|e| format!("entity:{e}")),
                        role,
                    },
                );
            }
            let currency = nexus_model::Currency::parse(&t.currency);
            let usd =
                t.amount_minor as f64 / 100.0 * currency.map_or(1.0, |c| rates.usd_per_unit(c));
            links.push(GraphLink {
                source: from.clone(),
                target: to.clone(),
                at: t.at,
                amount: t.amount_minor as f64 / 100.0,
                currency: t.currency.clone(),
                usd: (usd * 100.0).round() / 100.0,
                reference: t.reference.clone(),
            });
        }
        Ok(Some(CaseRead {
            value: Graph {
                parties: party_nodes.into_values().collect(),
                accounts: accounts.into_values().collect(),
                links,
            },
            about: Some(about(&parties, &case_accounts)),
        }))
    })
    .await?;
    Ok(axum::Json(v))
}

/// The case graph's data: parties, accounts (inside their party), payments.
#[derive(serde::Serialize)]
struct Graph {
    parties: Vec<GraphParty>,
    accounts: Vec<GraphAccount>,
    links: Vec<GraphLink>,
}

#[derive(serde::Serialize)]
struct GraphParty {
    id: String,
    entity: i64,
    label: String,
    role: &'static str,
}

#[derive(serde::Serialize)]
struct GraphAccount {
    id: String,
    party: Option<String>,
    role: &'static str,
}

#[derive(serde::Serialize)]
struct GraphLink {
    source: String,
    target: String,
    at: i64,
    amount: f64,
    currency: String,
    /// The amount in US dollars, for comparable widths.
    usd: f64,
    reference: String,
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

/// A stored file as a download: never shown inline (`attachment`, no
/// sniffing), its name reduced to printable ASCII without quotes.
pub(super) fn file_download(name: &str, content_type: String, content: Vec<u8>) -> Response {
    let safe: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".to_string(),
            ),
        ],
        content,
    )
        .into_response()
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
    Ok(file_download(&meta.filename, meta.content_type, content))
}
