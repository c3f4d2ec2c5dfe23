//! Administration: users, reporting entities with their institution codes
//! and API tokens (issued once, listed, revoked), sanctions lists (loaded
//! from the browser or `nexus lists load`) and report retention. An
//! administrator runs the service and never sees personal data.

use super::i18n::Lang;
use super::{csrf_field, html_err, page, when, CsrfOnly};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use nexus_fiu::auth::{Role, MIN_PASSWORD};
use nexus_fiu::error::{say, Say};
use nexus_store::AuditRecord;
use serde::Deserialize;
use serde_json::json;

pub(super) async fn admin_page(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Administrator], false)?;
    let (users, lists, institutions, tokens, retention) = state
        .blocking(|s| {
            Ok(s.store.read(|db| {
                Ok((
                    db.users()?,
                    db.lists()?,
                    db.institutions()?,
                    db.api_tokens()?,
                    db.setting("retention_days")?,
                ))
            })?)
        })
        .await
        .map_err(html_err)?;
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let institution_name = |id: i64| {
        institutions
            .iter()
            .find(|i| i.id == id)
            .map_or(String::new(), |i| i.name.clone())
    };
    let body = html! {
        h2 { (t("admin.users")) }
        table #users {
            tr { th { (t("login.username")) } th { (t("admin.role")) } th { (t("report.institution")) } th {} }
            @for u in &users {
                tr {
                    td { (u.username) @if u.disabled { " " span.hint { (t("admin.disabled")) } } }
                    td { (u.role.as_str()) }
                    td { @if let Some(i) = u.institution { (institution_name(i)) " (" (i) ")" } }
                    td {
                        @if Some(u.id) != p.user_id {
                            form.inline method="post" action={ "/admin/users/" (u.id) "/" (if u.disabled { "enable" } else { "disable" }) } {
                                (csrf_field(&p))
                                button { (if u.disabled { t("admin.enable") } else { t("admin.disable") }) }
                            }
                        }
                    }
                }
            }
        }
        form.stack method="post" action="/admin/users" {
            (csrf_field(&p))
            label { (t("login.username")) " " input name="username" required; }
            label { (t("admin.password_min")) " " (MIN_PASSWORD) " " input name="password" type="password" minlength=(MIN_PASSWORD) required; }
            label { (t("admin.role")) " " select name="role" { @for r in Role::ALL { option { (r.as_str()) } } } }
            label { (t("admin.institution_for_banks")) " " input name="institution" type="number"; }
            button { (t("admin.create_user")) }
        }

        h2 { (t("admin.entities_tokens")) }
        ul #institutions {
            @for i in &institutions {
                li { (i.id) " " (i.name) " (" (i.country) ") — " (t("admin.codes")) ": "
                    @if i.codes.is_empty() { (t("admin.no_codes")) } @else { (i.codes.join(", ")) } }
            }
        }
        form.inline method="post" action="/admin/tokens" {
            (csrf_field(&p))
            input name="institution" type="number" required placeholder=(t("admin.institution_placeholder"));
            input name="codes" placeholder=(t("admin.codes_placeholder"));
            input name="label" placeholder=(t("admin.label"));
            button { (t("admin.create_token")) }
        }
        table #tokens {
            tr { th { "#" } th { (t("report.institution")) } th { (t("admin.label")) } th { (t("admin.issued")) } th { (t("common.status")) } th {} }
            @for tk in &tokens {
                tr {
                    td { (tk.id) }
                    td { (institution_name(tk.institution)) " (" (tk.institution) ")" }
                    td { (tk.label) }
                    td { (when(tk.created_at)) }
                    td { @if tk.revoked { (t("admin.revoked")) } @else { (t("admin.live")) } }
                    td {
                        @if !tk.revoked {
                            form.inline method="post" action={ "/admin/tokens/" (tk.id) "/revoke" } {
                                (csrf_field(&p))
                                button { (t("admin.revoke")) }
                            }
                        }
                    }
                }
            }
        }

        h2 { (t("admin.lists")) }
        table #lists {
            tr { th { (t("common.name")) } th { (t("admin.format")) } th { (t("admin.generated")) } th { (t("admin.entries")) } th { (t("admin.loaded")) } }
            @for l in &lists {
                tr { td { (l.name) } td { (l.format) } td { (l.generated) } td.num { (l.entries) } td { (when(l.loaded_at)) } }
            }
        }
        form #list-upload.stack data-csrf=(p.csrf.as_deref().unwrap_or("")) {
            label { (t("admin.list_name")) " " input #list-name name="name" required maxlength="100" placeholder="un-consolidated"; }
            label { (t("admin.list_file")) " " input type="file" #list-file required accept=".xml,.csv,.json,.jsonl,.ftm"; }
            button { (t("admin.load_list")) }
            div #list-result {}
        }
        p.hint { (t("admin.lists_hint")) " " code { "nexus lists load --db FILE LIST" } "." }

        h2 { (t("admin.retention")) }
        form.inline method="post" action="/admin/retention" {
            (csrf_field(&p))
            label { (t("admin.keep_reports")) " " input name="days" type="number" min="30" value=(retention.as_deref().unwrap_or("1825")) ; " " (t("admin.days")) }
            button name="purge" value="no" { (t("admin.save")) }
            button name="purge" value="yes" { (t("admin.save_purge")) }
        }
    };
    Ok(page(Some(&p), t("nav.admin"), &body.into_string()))
}

#[derive(Deserialize)]
pub(super) struct UserForm {
    csrf: String,
    username: String,
    password: String,
    role: String,
    #[serde(default)]
    institution: String,
}

pub(super) async fn create_user(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<UserForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Administrator], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let role =
        Role::parse(&f.role).ok_or_else(|| AppError::invalid(say(Say::UnknownRole)).html())?;
    let institution = match f.institution.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| AppError::invalid(say(Say::InstitutionIsNumber)).html())?,
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
        nexus_fiu::accounts::AccountError::Invalid(m) => AppError::invalid(m),
        nexus_fiu::accounts::AccountError::Store(s) => s.into(),
    }
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    csrf: String,
    institution: i64,
    #[serde(default)]
    label: String,
    #[serde(default)]
    codes: String,
}

pub(super) async fn create_token(
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
    let t = |k| Lang::of(Some(&p)).t(k);
    let body = html! {
        p { (t("admin.token_once")) }
        pre #token { (token) }
        p { a href="/admin" { (t("admin.back")) } }
    };
    Ok(page(
        Some(&p),
        t("admin.token_created"),
        &body.into_string(),
    ))
}

/// Disables a user (their sessions end) or enables them again.
pub(super) async fn set_user_state(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((id, what)): Path<(i64, String)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    p.require(&[Role::Administrator], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let disabled = match what.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(AppError::not_found().html()),
    };
    state
        .blocking(move |s| {
            nexus_fiu::accounts::set_disabled(&s.store, &p.actor, p.user_id, id, disabled)
                .map_err(account_error)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/admin").into_response())
}

/// Revokes a reporting entity's API token: its next request is refused.
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    p.require(&[Role::Administrator], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            nexus_fiu::accounts::revoke_token(&s.store, &p.actor, id).map_err(account_error)
        })
        .await
        .map_err(html_err)?;
    Ok(Redirect::to("/admin").into_response())
}

/// `POST /admin/lists`: a list file as the body (UN XML, OFAC CSV, EU XML,
/// FollowTheMoney, plain CSV), its name in `X-List-Name` and file name in
/// `X-Filename`; stored, and every entity re-screened against it.
pub(super) async fn load_list(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    p.require(&[Role::Administrator], true)?;
    p.check_csrf(
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
        true,
    )?;
    let header = |name: &str| {
        let raw = headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .into_owned()
    };
    let name = header("x-list-name").trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid(say(Say::NameTheList)));
    }
    let filename = header("x-filename");
    let loaded = state
        .blocking(move |s| {
            let loaded = nexus_fiu::lists::load_list(
                &s.store,
                &p.actor,
                &name,
                std::path::Path::new(&filename),
                &body,
            )?;
            s.set_screening(nexus_fiu::processing::Screening::from_store(&s.store)?);
            Ok(loaded)
        })
        .await?;
    if loaded.raised > 0 {
        // New matches make new designated accounts: detection looks again.
        state.network_changed();
    }
    let skipped: Vec<_> = loaded
        .skipped
        .iter()
        .take(20)
        .map(|s| json!({"id": s.id, "line": s.line, "reason": s.reason}))
        .collect();
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"entries": loaded.entries, "skipped": loaded.skipped.len(), "first_skipped": skipped, "alerts_raised": loaded.raised})),
    )
        .into_response())
}

#[derive(Deserialize)]
pub(super) struct RetentionForm {
    csrf: String,
    days: i64,
    #[serde(default)]
    purge: String,
}

pub(super) async fn set_retention(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<RetentionForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Administrator], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let limits = state.limits;
    if !(limits.min_retention_days..=limits.max_retention_days).contains(&f.days) {
        return Err(AppError::invalid(
            say(Say::RetentionDays)
                .with("min", limits.min_retention_days)
                .with("max", limits.max_retention_days),
        )
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
