//! The signed-in user's own page: who they are, the language they read
//! the UI in, and changing their password (the current one is checked;
//! every other session of theirs ends).

use super::i18n::Lang;
use super::{csrf_field, html_err, page};
use crate::web::{cookie, AppError, AppState, Caller, Guard, SESSION_COOKIE};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use nexus_fiu::auth::{Principal, MIN_PASSWORD};
use nexus_fiu::sessions::PasswordChange;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(super) struct MeQuery {
    /// `1` after a change: say it was done.
    #[serde(default)]
    changed: String,
}

fn render(p: &Principal, notice: Option<(&str, bool)>) -> Html<String> {
    let lang = Lang::of(Some(p));
    let t = |k| lang.t(k);
    let body = html! {
        @if let Some((text, ok)) = notice {
            @if ok { p.ok #me-notice { (text) } } @else { p.error #me-notice { (text) } }
        }
        dl {
            dt { (t("login.username")) } dd { (p.username) }
            dt { (t("admin.role")) } dd { (p.role.as_str()) }
            @if let Some(i) = p.institution { dt { (t("report.institution")) } dd { (i) } }
        }
        @if p.user_id.is_some() {
            h2 { (t("me.language")) }
            form.inline method="post" action="/language" {
                (csrf_field(p))
                select name="language" {
                    @for l in Lang::all() { option value=(l.code()) selected[l == lang] { (l.own_name()) } }
                }
                button { (t("admin.save")) }
            }
            h2 { (t("me.password")) }
            form.stack.narrow method="post" action="/me/password" {
                (csrf_field(p))
                label { (t("me.current")) " " input name="current" type="password" autocomplete="current-password" required; }
                label { (t("me.new")) " (" (MIN_PASSWORD) "+) " input name="new" type="password" autocomplete="new-password" minlength=(MIN_PASSWORD) required; }
                label { (t("me.repeat")) " " input name="repeat" type="password" autocomplete="new-password" minlength=(MIN_PASSWORD) required; }
                button { (t("me.change")) }
            }
            p.hint { (t("me.other_sessions")) }
        }
    };
    page(Some(p), t("me.title"), &body.into_string())
}

pub(super) async fn me_page(Caller(p): Caller, Query(q): Query<MeQuery>) -> Html<String> {
    let lang = Lang::of(Some(&p));
    let notice = (q.changed == "1").then(|| (lang.t("me.changed"), true));
    render(&p, notice)
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    repeat: String,
}

pub(super) async fn change_password(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    p.check_csrf(Some(&f.csrf), false)?;
    let lang = Lang::of(Some(&p));
    if f.new != f.repeat {
        return Ok((
            StatusCode::BAD_REQUEST,
            render(&p, Some((lang.t("me.mismatch"), false))),
        )
            .into_response());
    }
    let token = cookie(&headers, SESSION_COOKIE).ok_or_else(|| AppError::forbidden().html())?;
    let who = p.clone();
    let outcome = state
        .blocking(move |s| {
            Ok(nexus_fiu::sessions::change_password(
                &s.store, &s.signin, &who, &token, f.current, &f.new,
            )?)
        })
        .await
        .map_err(html_err)?;
    let refused =
        |text: String, status| Ok((status, render(&p, Some((&text, false)))).into_response());
    match outcome {
        PasswordChange::Changed => Ok(Redirect::to("/me?changed=1").into_response()),
        PasswordChange::WrongCurrent => {
            refused(lang.t("me.wrong").to_string(), StatusCode::FORBIDDEN)
        }
        PasswordChange::Throttled(wait) => {
            refused(super::throttled(lang, wait), StatusCode::TOO_MANY_REQUESTS)
        }
        PasswordChange::Busy => refused(
            lang.t("login.busy").to_string(),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    }
}
