//! A person's or organisation's page (every report naming them as written,
//! their alerts, cases and payments) and an account's page (its holder,
//! payments in and out with totals per currency, alerts naming it, cases
//! holding it). Both are personal data: read under a purpose that opens
//! them, audited, loaded in one transaction and rendered after it.

use super::i18n::Lang;
use super::{audit_view, html_err, labels, page, require_purpose, respond, Loaded};
use crate::web::{AppError, AppState, Caller, Guard};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{html, Markup};
use nexus_fiu::auth::Role;
use nexus_fiu::purpose::Record;
use nexus_model::CaseRole;
use nexus_store::{AlertRow, CaseAccountRow, CaseRow, EntityRow, SubjectRow, TransactionRow};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Most payments an entity's or account's page lists.
const SHOWN_TRANSACTIONS: i64 = 300;
/// Most alerts an account's page lists.
const SHOWN_ALERTS: i64 = 100;

struct EntityView {
    entity: EntityRow,
    subjects: Vec<SubjectRow>,
    /// Per subject, the places its addresses give and the high-risk area
    /// each lies in, if any.
    places: Vec<Vec<(String, Option<String>)>>,
    alerts: Vec<AlertRow>,
    cases: Vec<CaseRow>,
    transactions: Vec<TransactionRow>,
}

pub(super) async fn entity_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let viewer = p.clone();
    let loaded: Loaded<EntityView> = state
        .blocking(move |s| {
            let (_, areas) = nexus_fiu::areas::stored(&s.store)?;
            Ok(s.store.write(|db| {
                let purpose = match require_purpose(
                    db,
                    &p,
                    &headers,
                    &format!("/entities/{id}"),
                    "",
                    Record::Entity(id),
                )? {
                    Ok(purpose) => purpose,
                    Err(form) => return Ok(Some(Err(form))),
                };
                let Some(entity) = db.entity(id)? else {
                    return Ok(None);
                };
                audit_view(
                    db,
                    &p,
                    &purpose,
                    "entity.view",
                    format!("entity:{id}"),
                    entity.name.clone(),
                )?;
                let subjects = db.entity_subjects(id)?;
                let places = subjects
                    .iter()
                    .map(|s| {
                        nexus_fiu::areas::decode_places(&s.places)
                            .iter()
                            .map(|p| (p.label(), areas.area_of(p).map(str::to_string)))
                            .collect()
                    })
                    .collect();
                Ok(Some(Ok(EntityView {
                    subjects,
                    places,
                    alerts: db.entity_alerts(id)?,
                    cases: db.entity_cases(id)?,
                    transactions: db.entity_transactions(id, SHOWN_TRANSACTIONS)?,
                    entity,
                })))
            })?)
        })
        .await
        .map_err(html_err)?;
    respond(loaded, |v| {
        let lang = Lang::of(Some(&viewer));
        let kind = lang.t(labels::entity_kind_key(v.entity.kind));
        let title = format!("{} #{}: {}", kind, v.entity.id, v.entity.name);
        page(
            Some(&viewer),
            &title,
            &render_entity(lang, &v).into_string(),
        )
    })
}

fn render_entity(lang: Lang, v: &EntityView) -> Markup {
    let t = |k| lang.t(k);
    let e = &v.entity;
    html! {
        dl {
            dt { (t("common.kind")) } dd { (t(labels::entity_kind_key(e.kind))) }
            dt { (t("common.name")) } dd { (e.name) }
            dt { (t("common.born")) } dd { (e.birth_date.as_deref().unwrap_or(t("common.unknown"))) }
            dt { (t("common.countries")) } dd { (e.countries) }
        }
        h2 { (t("entity.as_reported")) }
        table #as-reported {
            tr { th { (t("search.report")) } th { (t("entity.name_as_written")) } th { (t("case.role")) } th { (t("common.born")) } th { (t("entity.documents")) } th { (t("entity.places")) } th { (t("common.account")) } th { (t("entity.evidence")) } }
            @for (s, places) in v.subjects.iter().zip(&v.places) {
                tr {
                    td { a href={ "/reports/" (s.report_id) } { (s.report_id) } }
                    td { (s.name) }
                    td { (s.role) }
                    td { (s.birth_date.as_deref().unwrap_or("")) }
                    td { (s.identifiers) }
                    td {
                        @for (label, area) in places {
                            div {
                                (label)
                                @if let Some(area) = area {
                                    " " span.risk { (t("entity.high_risk_area")) ": " (area) }
                                }
                            }
                        }
                    }
                    td { (s.account.as_deref().unwrap_or("")) }
                    td { (s.evidence) }
                }
            }
        }
        h2 { (t("entity.alerts")) }
        (alert_list(lang, &v.alerts))
        h2 { (t("nav.cases")) }
        ul #entity-cases {
            @for c in &v.cases { li { a href={ "/cases/" (c.id) } { (c.reference) } " " (c.title) } }
        }
        h2 { (t("case.transactions")) " (" (v.transactions.len()) ")" }
        (super::transactions_table(lang, "entity-transactions", &v.transactions))
    }
}

fn alert_list(lang: Lang, alerts: &[AlertRow]) -> Markup {
    html! {
        ul.alerts {
            @for a in alerts {
                li {
                    a href={ "/alerts/" (a.id) } { "#" (a.id) } " " (labels::typology(lang, a.typology)) " "
                    (labels::decimal(lang, a.score)) " "
                    span class={ "status " (a.status.as_str()) } { (labels::status(lang, a.status)) }
                    " — " (labels::excerpt(&labels::explanation(lang, a), 200))
                }
            }
        }
    }
}

#[derive(Deserialize)]
pub(super) struct AccountQuery {
    /// `BIC|number`, as the UI shows it.
    key: String,
}

struct AccountView {
    account: CaseAccountRow,
    transactions: Vec<TransactionRow>,
    alerts: Vec<AlertRow>,
    cases: Vec<(CaseRow, CaseRole)>,
}

/// An account's page, `/accounts?key=BIC|number`.
pub(super) async fn account_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Query(q): Query<AccountQuery>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let key: String = q.key.trim().chars().take(200).collect();
    let viewer = p.clone();
    let loaded: Loaded<AccountView> = state
        .blocking(move |s| {
            Ok(s.store.write(|db| {
                let Some(account) = db.account_by_key(&key)? else {
                    return Ok(None);
                };
                let next = format!("/accounts?key={}", super::url_encode(&key));
                let purpose = match require_purpose(
                    db,
                    &p,
                    &headers,
                    &next,
                    "",
                    Record::Account(account.id),
                )? {
                    Ok(purpose) => purpose,
                    Err(form) => return Ok(Some(Err(form))),
                };
                let mut whom = account.key.clone();
                if let Some(name) = account
                    .entity_name
                    .as_ref()
                    .or(Some(&account.name))
                    .filter(|n| !n.is_empty())
                {
                    whom = format!("{name}; {whom}");
                }
                audit_view(
                    db,
                    &p,
                    &purpose,
                    "account.view",
                    format!("account:{}", account.id),
                    whom,
                )?;
                Ok(Some(Ok(AccountView {
                    // The latest payments, listed in time order.
                    transactions: {
                        let mut latest = db.account_transactions(&key, SHOWN_TRANSACTIONS)?;
                        latest.sort_by_key(|x| (x.at, x.id));
                        latest
                    },
                    alerts: db.account_alerts(&key, account.entity_id, SHOWN_ALERTS)?,
                    cases: db.account_cases(account.id)?,
                    account,
                })))
            })?)
        })
        .await
        .map_err(html_err)?;
    respond(loaded, |v| {
        let lang = Lang::of(Some(&viewer));
        let title = format!("{} {}", lang.t("common.account"), v.account.key);
        page(
            Some(&viewer),
            &title,
            &render_account(lang, &v).into_string(),
        )
    })
}

fn render_account(lang: Lang, v: &AccountView) -> Markup {
    let t = |k| lang.t(k);
    let a = &v.account;
    // Money in and out per currency, over the payments listed.
    let mut totals: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    for x in &v.transactions {
        let entry = totals.entry(x.currency.as_str()).or_default();
        entry.2 += 1;
        if x.to_account.as_deref() == Some(a.key.as_str()) {
            entry.0 += x.amount_minor;
        } else {
            entry.1 += x.amount_minor;
        }
    }
    html! {
        dl {
            dt { (t("common.account")) } dd { code { (a.key) } }
            dt { (t("case.holder_as_reported")) } dd { (a.name) }
            dt { (t("case.holder")) } dd {
                @if let (Some(e), Some(name)) = (a.entity_id, &a.entity_name) {
                    a href={ "/entities/" (e) } { (name) " (#" (e) ")" }
                } @else { span.hint { (t("case.not_resolved")) } }
            }
        }
        h2 { (t("account.totals")) }
        table #account-totals {
            tr { th { (t("form.currency")) } th { (t("account.in")) } th { (t("account.out")) } th { (t("account.payments")) } }
            @for (currency, (money_in, money_out, n)) in &totals {
                tr { td { (currency) } td.num { (super::money(*money_in)) } td.num { (super::money(*money_out)) } td.num { (n) } }
            }
        }
        @if v.transactions.len() as i64 == SHOWN_TRANSACTIONS {
            p.hint { (t("account.latest_only")) " " (SHOWN_TRANSACTIONS) }
        }
        h2 { (t("account.alerts")) }
        (alert_list(lang, &v.alerts))
        h2 { (t("nav.cases")) }
        ul #account-cases {
            @for (c, role) in &v.cases {
                li { a href={ "/cases/" (c.id) } { (c.reference) } " " (c.title) " — " (t(labels::role_key(*role))) }
            }
        }
        h2 { (t("case.transactions")) " (" (v.transactions.len()) ")" }
        (super::transactions_table(lang, "account-transactions", &v.transactions))
    }
}
