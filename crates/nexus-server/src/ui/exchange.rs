//! Partner FIUs: this FIU's key, the directory, private matching (only
//! blinded keys leave), the sessions and matches, messages (read under the
//! case they are linked to), and the regional picture (no personal data).

use super::i18n::Lang;
use super::{audit_view, csrf_field, html_err, page, when, CsrfOnly};
use crate::web::{stated_purpose, AppError, AppState, Caller, Guard};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use nexus_fiu::auth::{Principal, Role};
use nexus_fiu::error::{say, Say};
use nexus_fiu::exchange::MessageBody;
use nexus_fiu::purpose::{opens, Record, Scope};
use nexus_store::{
    AuditRecord, ExchangeMatchRow, ExchangeMessageRow, PartnerRow, PictureRow, SessionRow,
    StoreError,
};
use serde::Deserialize;

/// A partner's message as the viewer may see it: its content only under
/// the case it is linked to.
struct MessageView {
    row: ExchangeMessageRow,
    body: Option<MessageBody>,
}

/// What the page shows, read in one transaction.
struct ExchangeView {
    fingerprint: Option<String>,
    country: String,
    partners: Vec<PartnerRow>,
    sessions: Vec<SessionRow>,
    matches: Vec<ExchangeMatchRow>,
    messages: Vec<MessageView>,
    picture: Vec<PictureRow>,
    /// The case stated as the purpose, when one is.
    current_case: Option<i64>,
}

pub(super) async fn exchange_page(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
) -> Result<Html<String>, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    let viewer = p.clone();
    let view = state
        .blocking(move |s| {
            let fingerprint = nexus_fiu::exchange::identity(&s.store)
                .map(|i| i.public().fingerprint())
                .ok();
            let country = nexus_fiu::exchange::own_country(&s.store).unwrap_or_default();
            Ok(s.store.write(|db| {
                // The directory, sessions and matches name no one; a message's
                // content is read under the case it is linked to.
                let purpose = stated_purpose(&p, &headers);
                let current_case = match &purpose {
                    Some(pp) => match nexus_fiu::purpose::scope(db, &pp.case_ref)? {
                        Some(Scope::Case(c)) => Some(c),
                        _ => None,
                    },
                    None => None,
                };
                let mut messages = Vec::new();
                let mut read: Vec<String> = Vec::new();
                for m in db.exchange_messages()? {
                    let readable = match &purpose {
                        Some(pp) => {
                            opens(db, pp, Record::PartnerMessage { case_id: m.case_id })?.is_ok()
                        }
                        None => false,
                    };
                    let body = readable.then(|| {
                        serde_json::from_str::<MessageBody>(&m.body).unwrap_or(MessageBody {
                            in_reply_to: String::new(),
                            subject: String::new(),
                            purpose: String::new(),
                            legal_basis: String::new(),
                            urgency: String::new(),
                            text: m.body.clone(),
                        })
                    });
                    if let Some(b) = &body {
                        read.push(format!("message {}: {}", m.id, b.subject));
                    }
                    messages.push(MessageView { row: m, body });
                }
                if let (Some(pp), false) = (&purpose, read.is_empty()) {
                    audit_view(
                        db,
                        &p,
                        pp,
                        "exchange.view",
                        "exchange-messages".into(),
                        read.join("; "),
                    )?;
                }
                Ok(ExchangeView {
                    partners: db.partners()?,
                    sessions: db.sessions()?,
                    matches: db.exchange_matches(None)?,
                    picture: db.regional_picture(&country)?,
                    fingerprint,
                    country,
                    messages,
                    current_case,
                })
            })?)
        })
        .await
        .map_err(html_err)?;
    let t = |k| Lang::of(Some(&viewer)).t(k);
    Ok(page(
        Some(&viewer),
        t("nav.exchange"),
        &render(&viewer, &view).into_string(),
    ))
}

fn render(p: &Principal, v: &ExchangeView) -> Markup {
    let t = |k| Lang::of(Some(p)).t(k);
    let direction = |d: &str| {
        if d == "in" {
            t("exchange.from")
        } else {
            t("exchange.to")
        }
    };
    html! {
        @match &v.fingerprint {
            Some(f) => { p { (t("exchange.our_key")) ": " code { (f) } " (" (v.country) ")" } }
            None => { p.error { (t("exchange.no_identity")) " " code { "nexus exchange init" } "." } }
        }
        h2 { (t("exchange.partners")) }
        @if v.partners.is_empty() {
            p.notice #no-partners {
                (t("exchange.no_partners")) " "
                code { "nexus exchange partner add --db FIU.db --name \"FIU of Kyrgyzstan\" --country KG --key KEY --address https://…" }
                ". " (t("exchange.no_partners_end"))
            }
        } @else {
            table #partners {
                tr { th { (t("common.name")) } th { (t("screen.country")) } th { (t("exchange.fingerprint")) } th { (t("exchange.address")) } }
                @for pt in &v.partners { tr { td { (pt.name) } td { (pt.country) } td { code { (pt.fingerprint) } } td { (pt.address) } } }
            }
            h2 { (t("exchange.matching")) }
            p.hint { (t("exchange.matching_hint")) }
            form.stack method="post" action="/exchange/match" {
                (csrf_field(p))
                label { (t("exchange.partner")) " " select name="partner" { @for pt in &v.partners { option { (pt.name) } } } }
                label { (t("exchange.subjects")) " " input name="case_ref" placeholder="CASE-2026-0001"; }
                label { (t("purpose.purpose")) " " input name="purpose" required minlength="5"; }
                label { (t("case.legal_basis")) " " input name="legal_basis" required placeholder="FATF R.40; MoU …"; }
                button { (t("exchange.match")) }
            }
            h2 { (t("exchange.sessions")) }
            table #sessions {
                tr { th { (t("audit.when")) } th { (t("exchange.partner")) } th { (t("exchange.direction")) } th { (t("purpose.purpose")) } th { (t("exchange.keys_asked")) } th { (t("exchange.partner_keys")) } th { (t("exchange.matched")) } }
                @for ss in &v.sessions {
                    tr {
                        td { (when(ss.at)) } td { (ss.partner) }
                        td { @if ss.direction == "out" { (t("exchange.we_asked")) } @else { (t("exchange.they_asked")) } }
                        td { (ss.purpose) } td { (ss.asked) } td { (ss.partner_keys) }
                        td { @if ss.direction == "out" { (ss.matched) } @else { (t("exchange.not_disclosed")) } }
                    }
                }
            }
            h2 { (t("exchange.matches")) }
            table #matches {
                tr { th { (t("audit.when")) } th { (t("exchange.partner")) } th { (t("report.entity")) } th { (t("exchange.matched_on")) } th { (t("exchange.session")) } }
                @for m in &v.matches {
                    tr { td { (when(m.at)) } td { (m.partner) } td { a href={ "/entities/" (m.entity_id) } { "#" (m.entity_id) } } td { (m.basis) } td { code { (m.session) } } }
                }
            }
            h2 { (t("exchange.messages")) }
            p.hint { (t("exchange.messages_hint")) }
            table #messages {
                tr { th { (t("audit.when")) } th { (t("exchange.partner")) } th {} th { (t("common.kind")) } th { (t("exchange.content")) } }
                @for m in &v.messages {
                    tr {
                        td { (when(m.row.at)) } td { (m.row.partner) } td { (direction(&m.row.direction)) } td { (m.row.kind) }
                        td {
                            @match &m.body {
                                Some(b) => {
                                    b { (b.subject) } " " (b.urgency) " " (b.in_reply_to) br;
                                    (t("purpose.purpose")) ": " (b.purpose) " · " (t("case.legal_basis")) ": " (b.legal_basis)
                                    p { (b.text) }
                                    @if m.row.direction == "in" && m.row.kind == "information-request" {
                                        form.stack method="post" action="/exchange/messages" {
                                            (csrf_field(p))
                                            input type="hidden" name="kind" value="reply";
                                            input type="hidden" name="partner" value=(m.row.partner);
                                            input type="hidden" name="in_reply_to" value=(m.row.message_id);
                                            input type="hidden" name="session" value=(m.row.session);
                                            label { (t("exchange.reply")) " " textarea name="text" required {} }
                                            button { (t("exchange.send_reply")) }
                                        }
                                    }
                                }
                                None => {
                                    @match (m.row.case_id, v.current_case) {
                                        (None, Some(_)) => {
                                            form.inline method="post" action={ "/exchange/messages/" (m.row.id) "/case" } {
                                                (csrf_field(p))
                                                button { (t("exchange.link_read")) }
                                            }
                                        }
                                        (Some(_), _) => { span.hint { (t("exchange.other_case")) } }
                                        (None, None) => { span.hint { (t("exchange.state_case")) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form.stack method="post" action="/exchange/messages" {
                (csrf_field(p))
                label { (t("exchange.partner")) " " select name="partner" { @for pt in &v.partners { option { (pt.name) } } } }
                label { (t("common.kind")) " " select name="kind" {
                    option value="request" { (t("exchange.kind.request")) }
                    @if p.role == Role::Supervisor { option value="dissemination" { (t("exchange.kind.dissemination")) } }
                } }
                label { (t("exchange.subject")) " " input name="subject" required placeholder=(t("exchange.subject_placeholder")); }
                label { (t("purpose.purpose")) " " input name="purpose" required minlength="5"; }
                label { (t("case.legal_basis")) " " input name="legal_basis" required; }
                label { (t("exchange.urgency")) " " select name="urgency" {
                    option value="routine" { (t("exchange.urgency.routine")) }
                    option value="urgent" { (t("exchange.urgency.urgent")) }
                    option value="immediate" { (t("exchange.urgency.immediate")) }
                } }
                label { (t("exchange.session_of_match")) " " input name="session"; }
                label { (t("exchange.text")) " " textarea name="text" required {} }
                button { (t("report.send")) }
            }
            h2 { (t("exchange.picture")) }
            p.hint { (t("exchange.picture_hint")) }
            table #picture {
                tr { th { (t("tx.from")) } th { (t("tx.to")) } th { (t("queue.col.typology")) } th { (t("exchange.matches")) } }
                @for r in &v.picture { tr { td { (r.from_country) } td { (r.to_country) } td { (r.typology) } td { (r.matches) } } }
            }
        }
    }
}

pub(super) fn exchange_error(e: nexus_fiu::exchange::ExchangeServiceError) -> AppError {
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
pub(super) struct MatchForm {
    csrf: String,
    partner: String,
    #[serde(default)]
    case_ref: String,
    purpose: String,
    legal_basis: String,
}

pub(super) async fn exchange_match(
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
                    .ok_or_else(|| AppError::invalid(say(Say::NoSuchCase)).html())?;
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
pub(super) struct SendForm {
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

pub(super) async fn exchange_send(
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
        _ => return Err(AppError::invalid(say(Say::ExchangeKind)).html()),
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
pub(super) async fn link_message(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    p.require(&[Role::Analyst, Role::Supervisor], false)?;
    p.check_csrf(Some(&f.csrf), false)?;
    let purpose = p
        .purpose
        .clone()
        .ok_or_else(|| AppError::invalid(say(Say::PurposeCaseFirst)).html())?;
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
