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
use nexus_fiu::detection_lists::DetectionList;

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
    let (rows, lists) = state
        .blocking(move |s| {
            let mut lists = Vec::new();
            for list in DetectionList::ALL {
                lists.push((list, nexus_fiu::detection_lists::stored(&s.store, list)?));
            }
            Ok((nexus_fiu::detection::models(&s.store)?, lists))
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

        @for (list, (text, count)) in &lists {
            @let f = list_form(*list);
            h2 id=(f.id) { (t(f.heading)) }
            p { (t(f.intro)) }
            p id={ (f.id) "-count" } { (t(f.count)) ": " (count) }
            @if p.role == Role::Supervisor {
                form.stack method="post" action={ "/models/" (list.slug()) } {
                    (csrf_field(&p))
                    textarea name=(f.field) rows=(f.rows) cols="60" { (text) }
                    button { (t(f.save)) }
                }
            } @else {
                pre id={ (f.id) "-list" } { (text) }
            }
        }
    };
    Ok(page(Some(&p), t("nav.models"), &body.into_string()))
}

/// How the page shows a list.
struct ListForm {
    /// The section's element id (`#areas`, `#areas-count`, `#areas-list`).
    id: &'static str,
    /// The textarea's field name.
    field: &'static str,
    rows: u32,
    heading: &'static str,
    intro: &'static str,
    count: &'static str,
    save: &'static str,
}

fn list_form(list: DetectionList) -> ListForm {
    match list {
        DetectionList::HighRiskAreas => ListForm {
            id: "areas",
            field: "areas",
            rows: 12,
            heading: "models.areas",
            intro: "models.areas_intro",
            count: "models.areas_count",
            save: "models.areas_save",
        },
        DetectionList::PredicateAccounts => ListForm {
            id: "predicate",
            field: "accounts",
            rows: 8,
            heading: "models.predicate",
            intro: "models.predicate_intro",
            count: "models.predicate_count",
            save: "models.predicate_save",
        },
    }
}

#[derive(serde::Deserialize)]
pub(super) struct ListSubmission {
    csrf: String,
    /// The list's text, under the field name the page gives it.
    #[serde(default, alias = "areas", alias = "accounts")]
    text: String,
}

/// A supervisor saves a list detection reads; detection looks again.
pub(super) async fn set_list(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(slug): Path<String>,
    Form(f): Form<ListSubmission>,
) -> Result<Response, AppError> {
    p.require(&[Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let list = DetectionList::from_slug(&slug).ok_or_else(|| {
        AppError::new(axum::http::StatusCode::NOT_FOUND, "no such detection list").html()
    })?;
    state
        .blocking(move |s| {
            // Browsers send CR LF in a textarea; the list is kept with LF.
            let text = f.text.replace("\r\n", "\n");
            nexus_fiu::detection_lists::set(&s.store, Some(&p), list, &text)?;
            Ok(())
        })
        .await
        .map_err(html_err)?;
    state.network_changed();
    Ok(Redirect::to(&format!("/models#{}", list_form(list).id)).into_response())
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
