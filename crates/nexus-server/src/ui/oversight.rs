//! The audit trail for oversight (who looked at whom, under which purpose)
//! and for administrators (who did what, never to whom), with the chain's
//! verification. Reading it is itself audited.

use super::i18n::Lang;
use super::{html_err, page, url_encode, when};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Query, State};
use axum::response::Html;
use maud::html;
use nexus_fiu::auth::Role;
use nexus_store::AuditRecord;
use serde::Deserialize;

/// Audit records per page.
const PAGE: i64 = 200;

#[derive(Deserialize)]
pub(super) struct AuditQuery {
    #[serde(default)]
    filter: String,
    #[serde(default)]
    offset: Option<i64>,
}

pub(super) async fn oversight_page(
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
                let entries = db.audit_entries(&filter, sees_personal, PAGE, offset)?;
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
    let lang = Lang::of(Some(&p));
    let t = |k| lang.t(k);
    let body = html! {
        @match &verified.failure {
            None => { p.ok #chain { (t("audit.intact")) ": " (verified.records) " " (t("audit.records_verified")) ", " (verified.checkpoints) " " (t("audit.checkpoints_hold")) "." } }
            Some(f) => { p.error #chain { (t("audit.broken")) ": " (f) } }
        }
        form.filters method="get" {
            label { (t("audit.filter")) " " input name="filter" value=(q.filter); }
            button { (t("common.filter")) }
        }
        p.hint { (t("audit.hint")) }
        div.scroll {
            table #audit {
                tr { th { "#" } th { (t("audit.when")) } th { (t("audit.who")) } th { (t("audit.did")) } th { (t("audit.what")) } th { (t("purpose.purpose")) } th { (t("purpose.case_ref")) } th { (t("audit.detail")) } th { (t("audit.about_whom")) } }
                @for e in &entries {
                    tr {
                        td { (e.seq) }
                        td { (when(e.at)) }
                        td { (e.record.actor) }
                        td { (e.record.action) }
                        td { (e.record.object) }
                        td { (e.record.purpose) }
                        td { (e.record.case_ref) }
                        td { (e.record.detail.chars().take(200).collect::<String>()) }
                        td {
                            @if !e.record.personal.is_empty() {
                                @if sees_personal { (e.record.personal.chars().take(200).collect::<String>()) }
                                @else { i { (t("audit.withheld")) } }
                            }
                        }
                    }
                }
            }
        }
        @if entries.len() as i64 == PAGE {
            p { a href={ "/oversight?filter=" (url_encode(&q.filter)) "&offset=" (offset + PAGE) } { (t("common.older")) } }
        }
    };
    Ok(page(Some(&p), t("nav.audit"), &body.into_string()))
}
