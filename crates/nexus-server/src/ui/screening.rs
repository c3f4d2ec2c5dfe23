//! Screening a name against the loaded lists by hand (the analyst's
//! "is this person listed?"), with the best candidates below the threshold
//! on request, for tuning. Every query is audited by the use case.

use super::i18n::Lang;
use super::page;
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Query, State};
use axum::response::Html;
use maud::html;
use nexus_fiu::auth::Role;
use nexus_fiu::screening::{screen_name, ScreenRequest};
use serde::Deserialize;

/// Candidates below the threshold shown when asked for.
const CANDIDATES: usize = 10;

#[derive(Deserialize)]
pub(super) struct SearchQuery {
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

pub(super) async fn search_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<SearchQuery>,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let outcome = if q.name.trim().is_empty() {
        None
    } else {
        let req = ScreenRequest {
            name: q.name.clone(),
            birth_date: Some(q.birth_date.clone()),
            country: Some(q.country.to_uppercase()),
            kind: None,
            top: (!q.candidates.is_empty()).then_some(CANDIDATES),
        };
        let who = p.clone();
        Some(
            state
                .blocking(move |s| {
                    let screening = s.screening();
                    Ok(screen_name(&s.store, &screening, &who, &req)?)
                })
                .await,
        )
    };
    let body = html! {
        form.filters method="get" {
            label { (t("common.name")) " " input name="name" value=(q.name) required; }
            label { (t("common.born")) " " input name="birth_date" value=(q.birth_date) placeholder=(t("common.date_placeholder")); }
            label { (t("screen.country")) " " input name="country" value=(q.country) size="3" placeholder="TJ"; }
            label { input type="checkbox" name="candidates" value="1" checked[!q.candidates.is_empty()]; " " (t("screen.candidates")) }
            button { (t("screen.submit")) }
        }
        @match &outcome {
            None => {}
            Some(Ok(m)) if m.is_empty() => { p { (t("screen.none")) } }
            Some(Ok(m)) => {
                table #matches {
                    tr { th { (t("screen.list")) } th { (t("screen.entry")) } th { (t("screen.listed_name")) } th { (t("queue.col.score")) } th { (t("screen.why")) } }
                    @for (i, x) in m.iter().enumerate() {
                        @if x.below_threshold && (i == 0 || !m[i - 1].below_threshold) {
                            tr.below-threshold { td colspan="5" { i { (t("screen.below")) } } }
                        }
                        tr {
                            td { (x.list) }
                            td { (x.list_id) " " (x.reference) }
                            td { (x.matched_name.as_deref().unwrap_or("")) }
                            td { (format!("{:.2}", x.score)) }
                            td.explain { (x.explanation) }
                        }
                    }
                }
            }
            Some(Err(e)) => { p.error { (e.message) } }
        }
    };
    Ok(page(Some(&p), t("screen.title"), &body.into_string()))
}
