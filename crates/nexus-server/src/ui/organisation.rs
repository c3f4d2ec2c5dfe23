//! A reporting entity's own organisation as the FIU has it: its goAML
//! reporting-entity id, name and country, the institution codes whose
//! accounts its batches may name, its users and its API tokens (never the
//! secrets). Changes are asked of the FIU on the message board: what a
//! bank is registered as is the FIU's record.

use super::i18n::Lang;
use super::{html_err, page, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::State;
use axum::response::Html;
use maud::html;
use nexus_fiu::auth::Role;

pub(super) async fn organisation_page(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::ReportingEntity], false)?;
    let institution = p.institution.ok_or_else(|| AppError::forbidden().html())?;
    let (details, users, tokens) = state
        .blocking(move |s| {
            Ok(s.store.read(|db| {
                let users: Vec<_> = db
                    .users()?
                    .into_iter()
                    .filter(|u| u.institution == Some(institution))
                    .collect();
                let tokens: Vec<_> = db
                    .api_tokens()?
                    .into_iter()
                    .filter(|t| t.institution == institution)
                    .collect();
                Ok((db.institution(institution)?, users, tokens))
            })?)
        })
        .await
        .map_err(html_err)?;
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let body = html! {
        dl #organisation {
            dt { (t("org.rentity_id")) } dd { (institution) }
            @if let Some(d) = &details {
                dt { (t("common.name")) } dd { (d.name) }
                dt { (t("screen.country")) } dd { (d.country) }
                dt { (t("org.codes")) } dd { @if d.codes.is_empty() { (t("admin.no_codes")) } @else { (d.codes.join(", ")) } }
            }
        }
        h2 { (t("admin.users")) }
        ul #organisation-users {
            @for u in &users { li { (u.username) @if u.disabled { " " span.hint { (t("admin.disabled")) } } } }
        }
        h2 { (t("org.tokens")) }
        table #organisation-tokens {
            tr { th { "#" } th { (t("admin.label")) } th { (t("admin.issued")) } th { (t("common.status")) } }
            @for tk in &tokens {
                tr { td { (tk.id) } td { (tk.label) } td { (when(tk.created_at)) } td { @if tk.revoked { (t("admin.revoked")) } @else { (t("admin.live")) } } }
            }
        }
        p.hint { (t("org.changes")) " " a href="/messages" { (t("board.title")) } "." }
    };
    Ok(page(Some(&p), t("org.title"), &body.into_string()))
}
