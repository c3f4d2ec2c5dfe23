//! The detection models the FIU keeps, their held-out figures and which is
//! in force; a supervisor puts one in force (four eyes: the analyst who
//! trained it cannot). Beside them, the high-risk areas detection watches
//! (`nexus_fiu::areas`), which a supervisor keeps.

use super::i18n::Lang;
use super::{csrf_field, html_err, page, when, CsrfOnly};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use nexus_fiu::auth::Role;

/// A model's held-out figures as recorded when it was trained.
fn figures(metrics: &str, lang: Lang) -> String {
    serde_json::from_str::<serde_json::Value>(metrics)
        .ok()
        .and_then(|v| {
            let h = v.get("holdout")?.get("rules_and_model")?;
            Some(format!(
                "{} {:.2}, {} {:.2}, F1 {:.2} ({} {})",
                lang.t("models.precision"),
                h["precision"].as_f64()?,
                lang.t("models.recall"),
                h["recall"].as_f64()?,
                h["f1"].as_f64()?,
                h["alerts"].as_u64()?,
                lang.t("models.alerts"),
            ))
        })
        .unwrap_or_else(|| "—".into())
}

pub(super) async fn models_page(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let (rows, (areas_text, areas), (predicate_text, predicate)) = state
        .blocking(move |s| {
            Ok((
                nexus_fiu::detection::models(&s.store)?,
                nexus_fiu::areas::stored(&s.store)?,
                nexus_fiu::predicate::stored(&s.store)?,
            ))
        })
        .await
        .map_err(html_err)?;
    let active = state.model().map(|m| m.id);
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let body = html! {
        p { (t("models.intro")) }
        table #models {
            tr { th { (t("models.model")) } th { (t("models.trained_on")) } th { (t("models.figures")) } th { (t("models.recorded")) } th { (t("models.in_force")) } th {} }
            @for m in &rows {
                @let in_force = Some(m.id) == active;
                tr {
                    td { "#" (m.id) " " (m.name) }
                    td { (m.trained_on) }
                    td { (figures(&m.metrics, lang)) }
                    td { (when(m.created_at)) " — " (m.created_by) }
                    td {
                        @if in_force { (t("models.yes_since")) " " (m.activated_at.map(when).unwrap_or_default()) " (" (m.activated_by) ")" }
                        @else { (t("models.no")) }
                    }
                    td {
                        @if p.role == Role::Supervisor && !in_force {
                            form method="post" action={ "/models/" (m.id) "/activate" } {
                                (csrf_field(&p))
                                button { (t("models.activate")) }
                            }
                        }
                    }
                }
            }
        }
        @if rows.is_empty() { p { (t("models.none")) } }

        h2 #areas { (t("models.areas")) }
        p { (t("models.areas_intro")) }
        p #areas-count { (t("models.areas_count")) ": " (areas.len()) }
        @if p.role == Role::Supervisor {
            form.stack method="post" action="/models/areas" {
                (csrf_field(&p))
                textarea name="areas" rows="12" cols="60" { (areas_text) }
                button { (t("models.areas_save")) }
            }
        } @else {
            pre #areas-list { (areas_text) }
        }

        h2 #predicate { (t("models.predicate")) }
        p { (t("models.predicate_intro")) }
        p #predicate-count { (t("models.predicate_count")) ": " (predicate.len()) }
        @if p.role == Role::Supervisor {
            form.stack method="post" action="/models/predicate" {
                (csrf_field(&p))
                textarea name="accounts" rows="8" cols="60" { (predicate_text) }
                button { (t("models.predicate_save")) }
            }
        } @else {
            pre #predicate-list { (predicate_text) }
        }
    };
    Ok(page(Some(&p), t("nav.models"), &body.into_string()))
}

#[derive(serde::Deserialize)]
pub(super) struct AreasForm {
    csrf: String,
    #[serde(default)]
    areas: String,
}

pub(super) async fn set_areas(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<AreasForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            // Browsers send CR LF in a textarea; the list is kept with LF.
            let text = f.areas.replace("\r\n", "\n");
            nexus_fiu::areas::set(&s.store, Some(&p), &text)?;
            Ok(())
        })
        .await
        .map_err(html_err)?;
    // Accounts come into or leave the areas: detection looks again.
    state.network_changed();
    Ok(Redirect::to("/models#areas").into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct PredicateForm {
    csrf: String,
    #[serde(default)]
    accounts: String,
}

pub(super) async fn set_predicate(
    State(state): State<AppState>,
    Caller(p): Caller,
    Form(f): Form<PredicateForm>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    state
        .blocking(move |s| {
            let text = f.accounts.replace("\r\n", "\n");
            nexus_fiu::predicate::set(&s.store, &p, &text)?;
            Ok(())
        })
        .await
        .map_err(html_err)?;
    // Nexus paths start elsewhere now: detection looks again.
    state.network_changed();
    Ok(Redirect::to("/models#predicate").into_response())
}

pub(super) async fn activate_model(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
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
