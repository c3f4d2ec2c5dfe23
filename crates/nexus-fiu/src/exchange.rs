//! Cooperation with partner FIUs over `nexus-exchange`: this FIU's
//! identity, private matching as requester and as partner, requests for
//! information, replies and spontaneous dissemination. Every message in and
//! out — and every rejected one — is in the audit log.

use nexus_exchange::psi::{intersect, pack, unpack, Blinding, POINT, TAG};
use nexus_exchange::{
    subject_keys, Envelope, ExchangeError, Identity, Kind, PublicIdentity, SubjectFacts, KEY_KINDS,
};
use nexus_store::{AuditRecord, MatchableEntity, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Accepted clock difference between FIUs, in seconds.
pub const WINDOW: i64 = 300;
/// Most keys one match request may carry.
pub const MAX_KEYS: usize = 4_000_000;
const IDENTITY_SETTING: &str = "exchange_identity";
const COUNTRY_SETTING: &str = "exchange_country";

#[derive(Debug, thiserror::Error)]
pub enum ExchangeServiceError {
    #[error("this FIU has no exchange identity yet: run `nexus exchange init`")]
    NoIdentity,
    #[error("no partner {0:?} in the directory")]
    UnknownPartner(String),
    #[error("message from an unknown sender (key fingerprint {0})")]
    UnknownSender(String),
    #[error("message {0} was already received: a replay")]
    Replay(String),
    #[error("protocol step out of order: {0}")]
    OutOfOrder(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the partner at {address} could not be reached: {reason}")]
    Unreachable { address: String, reason: String },
    #[error("the partner answered {status}: {body}")]
    PartnerRefused { status: u16, body: String },
    #[error(transparent)]
    Message(#[from] ExchangeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

type R<T> = Result<T, ExchangeServiceError>;

/// Creates this FIU's identity when it has none; returns the public half.
pub fn init_identity(store: &Store, country: &str) -> R<PublicIdentity> {
    store
        .write(|db| {
            if let Some(secret) = db.setting(IDENTITY_SETTING)? {
                return Identity::from_secret_hex(&secret)
                    .map(|i| i.public())
                    .map_err(|e| StoreError::Invalid(e.to_string()));
            }
            let id = Identity::generate().map_err(|e| StoreError::Invalid(e.to_string()))?;
            db.set_setting(IDENTITY_SETTING, &id.to_secret_hex())?;
            db.set_setting(COUNTRY_SETTING, country)?;
            db.audit(&AuditRecord {
                actor: "cli".into(),
                action: "exchange.init".into(),
                object: "exchange".into(),
                detail: format!("identity {}", id.public().fingerprint()),
                ..AuditRecord::default()
            })?;
            Ok(id.public())
        })
        .map_err(Into::into)
}

/// This FIU's identity, created (without a country) when it has none: the
/// audit log's checkpoints are signed with it even before any exchange.
pub fn identity_or_init(store: &Store) -> R<Identity> {
    match identity(store) {
        Err(ExchangeServiceError::NoIdentity) => {
            init_identity(store, "")?;
            identity(store)
        }
        other => other,
    }
}

pub fn identity(store: &Store) -> R<Identity> {
    let secret = store
        .read(|db| db.setting(IDENTITY_SETTING))?
        .ok_or(ExchangeServiceError::NoIdentity)?;
    Ok(Identity::from_secret_hex(&secret)?)
}

pub fn own_country(store: &Store) -> R<String> {
    Ok(store
        .read(|db| db.setting(COUNTRY_SETTING))?
        .unwrap_or_default())
}

/// Adds a partner FIU to the directory.
pub fn add_partner(
    store: &Store,
    actor: &str,
    name: &str,
    country: &str,
    public_key: &str,
    address: &str,
) -> R<String> {
    let public = PublicIdentity::decode(public_key)?;
    if !(address.starts_with("http://") || address.starts_with("https://")) {
        return Err(ExchangeServiceError::Invalid(format!(
            "address {address:?}: expected http://host:port"
        )));
    }
    let fingerprint = public.fingerprint();
    store.write(|db| {
        db.add_partner(
            name,
            country,
            &public.encode(),
            &fingerprint,
            address.trim_end_matches('/'),
        )?;
        db.audit(&AuditRecord {
            actor: actor.into(),
            action: "exchange.partner-add".into(),
            object: format!("partner:{name}"),
            detail: format!("{country}, key {fingerprint}, {address}"),
            ..AuditRecord::default()
        })
    })?;
    Ok(fingerprint)
}

fn facts(e: &MatchableEntity) -> SubjectFacts {
    SubjectFacts {
        organisation: e.organisation,
        name: e.name.clone(),
        birth_date: e
            .birth_date
            .as_deref()
            .and_then(|d| nexus_model::Date::parse(d).ok()),
        country: e
            .countries
            .split(';')
            .find(|c| !c.is_empty())
            .map(str::to_string),
        documents: crate::processing::document_numbers(&e.identifiers),
    }
}

/// The entity a key belongs to and the index into `KEY_KINDS` of what it rests on.
pub type KeyOwner = (i64, usize);

/// Keys of this FIU's entities (all, or those listed), with the entity and
/// key kind of each.
pub fn own_keys(store: &Store, only: Option<&BTreeSet<i64>>) -> R<(Vec<String>, Vec<KeyOwner>)> {
    let mut keys = Vec::new();
    let mut owners = Vec::new();
    let mut after = 0;
    loop {
        let page = store.read(|db| db.matchable_entities(after, 10_000))?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for e in page
            .iter()
            .filter(|e| only.is_none_or(|o| o.contains(&e.id)))
        {
            for (k, kind) in subject_keys(&facts(e)) {
                keys.push(k);
                owners.push((e.id, kind));
            }
        }
    }
    Ok((keys, owners))
}

#[derive(Serialize, Deserialize)]
struct MatchRequestHeader {
    purpose: String,
    legal_basis: String,
    keys: usize,
}

#[derive(Serialize, Deserialize)]
struct MatchResponseHeader {
    asked: usize,
    partner_keys: usize,
}

/// A JSON header line, then raw bytes.
fn frame<T: Serialize>(header: &T, raw: &[u8]) -> Vec<u8> {
    let mut out = serde_json::to_vec(header).expect("headers serialise");
    out.push(b'\n');
    out.extend_from_slice(raw);
    out
}

fn unframe<T: for<'de> Deserialize<'de>>(payload: &[u8]) -> R<(T, &[u8])> {
    let split = payload
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| ExchangeError::Malformed("payload without header".into()))?;
    let header = serde_json::from_slice(&payload[..split])
        .map_err(|e| ExchangeError::Malformed(format!("payload header: {e}")))?;
    Ok((header, &payload[split + 1..]))
}

/// What a match found, for the requester.
#[derive(Debug, Clone, Serialize)]
pub struct MatchOutcome {
    pub session: String,
    pub partner: String,
    pub subjects_asked: usize,
    pub keys_asked: usize,
    pub partner_keys: usize,
    /// (entity id, what the matching keys rest on).
    pub matched: Vec<(i64, String)>,
    pub bytes_sent: usize,
    pub bytes_received: usize,
    pub seconds: f64,
}

/// Runs private matching of this FIU's entities (all, or `only`) with `partner`.
pub fn run_match(
    store: &Store,
    actor: &str,
    partner_name: &str,
    purpose: &str,
    legal_basis: &str,
    only: Option<&BTreeSet<i64>>,
) -> R<MatchOutcome> {
    let started = Instant::now();
    if purpose.trim().chars().count() < 5 || legal_basis.trim().is_empty() {
        return Err(ExchangeServiceError::Invalid(
            "a match states its purpose (5+ characters) and legal basis".into(),
        ));
    }
    let me = identity(store)?;
    let partner = store
        .read(|db| db.partner_by_name(partner_name))?
        .ok_or_else(|| ExchangeServiceError::UnknownPartner(partner_name.into()))?;
    let partner_key = PublicIdentity::decode(&partner.public_key)?;
    let (keys, owners) = own_keys(store, only)?;
    if keys.is_empty() {
        return Err(ExchangeServiceError::Invalid("none of the selected subjects has a birth date, document number or (organisations) country to match on".into()));
    }
    let session = hex::encode(random_session()?);
    let a = Blinding::random()?;
    let blinded = a.blind_keys(&session, &keys);
    let payload = frame(
        &MatchRequestHeader {
            purpose: purpose.into(),
            legal_basis: legal_basis.into(),
            keys: keys.len(),
        },
        &pack(&blinded),
    );
    let request = Envelope::seal(
        &me,
        &partner_key,
        Kind::MatchRequest,
        &session,
        nexus_store::now(),
        &payload,
    )?;
    let bytes_sent = request.0.len();
    let answer = post(&partner.address, "/api/v1/exchange/inbox", &request.0)?;
    let opened = Envelope::open(&answer, &me, &partner_key, nexus_store::now(), WINDOW)?;
    if opened.kind != Kind::MatchResponse || opened.session != session {
        return Err(ExchangeServiceError::OutOfOrder(format!(
            "expected the match response of session {session}, got {} of {}",
            opened.kind.as_str(),
            opened.session
        )));
    }
    let (header, raw): (MatchResponseHeader, &[u8]) = unframe(&opened.payload)?;
    if header.asked != keys.len() || raw.len() != header.asked * POINT + header.partner_keys * TAG {
        return Err(ExchangeError::Malformed(
            "the match response does not answer the keys asked".into(),
        )
        .into());
    }
    let doubled = unpack::<POINT>(&raw[..header.asked * POINT])?;
    let their_tags = unpack::<TAG>(&raw[header.asked * POINT..])?;
    // Our blinding removed, our keys stand blinded by the partner alone, comparable with its tags.
    let mine_by_partner = a.unblind(&doubled)?;
    let mut matched: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for i in intersect(&mine_by_partner, &their_tags) {
        let (entity, kind) = owners[i];
        matched.entry(entity).or_default().insert(KEY_KINDS[kind]);
    }
    let subjects_asked = owners
        .iter()
        .map(|(e, _)| *e)
        .collect::<BTreeSet<_>>()
        .len();
    let matched: Vec<(i64, String)> = matched
        .into_iter()
        .map(|(e, k)| (e, k.into_iter().collect::<Vec<_>>().join(" + ")))
        .collect();
    store.write(|db| {
        if !db.first_sight(&opened.sender, &opened.id)? {
            return Err(StoreError::Conflict("replayed match response".into()));
        }
        db.record_session(
            &session,
            partner.id,
            "out",
            purpose,
            legal_basis,
            keys.len() as i64,
            header.partner_keys as i64,
            matched.len() as i64,
        )?;
        for (entity, basis) in &matched {
            let mut typologies: Vec<String> = db
                .entity_alerts(*entity)?
                .into_iter()
                .map(|a| a.typology.as_str().to_string())
                .collect();
            typologies.sort();
            typologies.dedup();
            db.add_exchange_match(&session, partner.id, *entity, basis, &typologies.join(";"))?;
        }
        db.audit(&AuditRecord {
            actor: actor.into(),
            action: "exchange.match".into(),
            object: format!("partner:{}", partner.name),
            purpose: purpose.into(),
            case_ref: legal_basis.into(),
            detail: format!(
                "session {session}: {subjects_asked} subjects ({} keys) asked, {} matched",
                keys.len(),
                matched.len()
            ),
            ..AuditRecord::default()
        })
    })?;
    Ok(MatchOutcome {
        session,
        partner: partner.name,
        subjects_asked,
        keys_asked: keys.len(),
        partner_keys: header.partner_keys,
        matched,
        bytes_sent,
        bytes_received: answer.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn random_session() -> R<[u8; 16]> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| ExchangeError::Randomness(e.to_string()))?;
    Ok(b)
}

/// Content of requests for information, replies and disseminations.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MessageBody {
    /// For a reply: the partner's message id it answers.
    #[serde(default)]
    pub in_reply_to: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub legal_basis: String,
    /// `routine`, `urgent`, `immediate`.
    #[serde(default)]
    pub urgency: String,
    pub text: String,
}

/// Sends a request for information, a reply or a dissemination.
pub fn send_message(
    store: &Store,
    actor: &str,
    partner_name: &str,
    kind: Kind,
    session: &str,
    body: &MessageBody,
    case_id: Option<i64>,
) -> R<()> {
    if !matches!(
        kind,
        Kind::InformationRequest | Kind::InformationReply | Kind::Dissemination
    ) {
        return Err(ExchangeServiceError::Invalid(
            "only requests for information, replies and disseminations are sent as messages".into(),
        ));
    }
    if body.text.trim().is_empty()
        || (kind != Kind::InformationReply
            && (body.purpose.trim().is_empty() || body.legal_basis.trim().is_empty()))
    {
        return Err(ExchangeServiceError::Invalid(
            "a message has a text, and (but for replies) a purpose and a legal basis".into(),
        ));
    }
    let me = identity(store)?;
    let partner = store
        .read(|db| db.partner_by_name(partner_name))?
        .ok_or_else(|| ExchangeServiceError::UnknownPartner(partner_name.into()))?;
    let key = PublicIdentity::decode(&partner.public_key)?;
    let json =
        serde_json::to_string(body).map_err(|e| ExchangeServiceError::Invalid(e.to_string()))?;
    let env = Envelope::seal(
        &me,
        &key,
        kind,
        session,
        nexus_store::now(),
        json.as_bytes(),
    )?;
    post(&partner.address, "/api/v1/exchange/inbox", &env.0)?;
    store.write(|db| {
        let id = db.add_exchange_message(partner.id, "out", kind.as_str(), session, "", &json)?;
        if let Some(c) = case_id {
            db.link_exchange_message(id, c)?;
        }
        db.audit(&AuditRecord {
            actor: actor.into(),
            action: format!("exchange.send-{}", kind.as_str()),
            object: format!("partner:{}", partner.name),
            purpose: body.purpose.clone(),
            case_ref: body.legal_basis.clone(),
            personal: body.subject.clone(),
            ..AuditRecord::default()
        })
    })?;
    Ok(())
}

/// What the inbox answers.
pub enum InboxAnswer {
    /// A message to return in the HTTP response (the match response).
    Envelope(Vec<u8>),
    /// A message stored for the analysts.
    Stored,
}

/// Handles a message from a partner; every rejection is audited, nothing
/// else is stored for it.
pub fn receive(store: &Store, bytes: &[u8], budget: &RejectionBudget) -> R<InboxAnswer> {
    let result = receive_checked(store, bytes);
    if let Err(e) = &result {
        // Anyone can post to the inbox: rejections are audited within a
        // budget, so that a flood cannot fill the log; the rest are counted.
        if let Some(unrecorded) = budget.take() {
            // `sender` is a checked fingerprint (16 hex characters) or nothing.
            let sender = Envelope::sender(bytes).unwrap_or_else(|_| "unreadable".into());
            let mut detail: String = e.to_string().chars().take(300).collect();
            if unrecorded > 0 {
                detail.push_str(&format!(
                    " (+{unrecorded} earlier rejections not recorded one by one)"
                ));
            }
            let _ = store.write(|db| {
                db.audit(&AuditRecord {
                    actor: format!("partner-key:{sender}"),
                    action: "exchange.reject".into(),
                    object: "exchange-inbox".into(),
                    detail,
                    ..AuditRecord::default()
                })
            });
        }
    }
    result
}

/// How many inbox rejections are written to the audit log one by one: a
/// burst of 60, then one a second; the rest are counted into the next.
pub struct RejectionBudget {
    state: std::sync::Mutex<(f64, Instant, u64)>,
}

impl Default for RejectionBudget {
    fn default() -> Self {
        RejectionBudget {
            state: std::sync::Mutex::new((60.0, Instant::now(), 0)),
        }
    }
}

impl RejectionBudget {
    /// `Some(n)` when this rejection may be recorded (`n` not recorded
    /// since the last one), `None` when it is only counted.
    pub fn take(&self) -> Option<u64> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let (tokens, last, skipped) = *s;
        let tokens = (tokens + now.duration_since(last).as_secs_f64()).min(60.0);
        if tokens >= 1.0 {
            *s = (tokens - 1.0, now, 0);
            Some(skipped)
        } else {
            *s = (tokens, now, skipped + 1);
            None
        }
    }
}

fn receive_checked(store: &Store, bytes: &[u8]) -> R<InboxAnswer> {
    let sender = Envelope::sender(bytes)?;
    let partner = store
        .read(|db| db.partner_by_fingerprint(&sender))?
        .ok_or(ExchangeServiceError::UnknownSender(sender))?;
    let partner_key = PublicIdentity::decode(&partner.public_key)?;
    let me = identity(store)?;
    let opened = Envelope::open(bytes, &me, &partner_key, nexus_store::now(), WINDOW)?;
    if opened.kind == Kind::MatchResponse {
        return Err(ExchangeServiceError::OutOfOrder(
            "a match response comes only as the answer to our request, never to the inbox".into(),
        ));
    }
    // The message id is claimed as soon as the signature holds, before any
    // work: a replay costs one lookup, not a match computation.
    let first = store.write(|db| db.first_sight(&opened.sender, &opened.id))?;
    if !first {
        return Err(ExchangeServiceError::Replay(opened.id.clone()));
    }
    match opened.kind {
        Kind::MatchRequest => {
            let (header, raw): (MatchRequestHeader, &[u8]) = unframe(&opened.payload)?;
            let asked = unpack::<POINT>(raw)?;
            if asked.len() != header.keys || asked.len() > MAX_KEYS {
                return Err(ExchangeServiceError::Invalid(format!(
                    "a match request carries at most {MAX_KEYS} keys, and as many as it says"
                )));
            }
            // Blind our keys after the checks, before anything is recorded.
            let (keys, _) = own_keys(store, None)?;
            let (doubled, ours) = nexus_exchange::psi::answer(&opened.session, &asked, &keys)?;
            let payload = frame(
                &MatchResponseHeader {
                    asked: doubled.len(),
                    partner_keys: ours.len(),
                },
                &[pack(&doubled), pack(&ours)].concat(),
            );
            let reply = Envelope::seal(
                &me,
                &partner_key,
                Kind::MatchResponse,
                &opened.session,
                nexus_store::now(),
                &payload,
            )?;
            store.write(|db| {
                db.record_session(
                    &opened.session,
                    partner.id,
                    "in",
                    &header.purpose,
                    &header.legal_basis,
                    asked.len() as i64,
                    ours.len() as i64,
                    0,
                )?;
                db.audit(&AuditRecord {
                    actor: format!("partner:{}", partner.name),
                    action: "exchange.match-answered".into(),
                    object: "exchange".into(),
                    purpose: header.purpose.clone(),
                    case_ref: header.legal_basis.clone(),
                    detail: format!(
                        "session {}: {} keys asked, {} of ours blinded",
                        opened.session,
                        asked.len(),
                        ours.len()
                    ),
                    ..AuditRecord::default()
                })
            })?;
            Ok(InboxAnswer::Envelope(reply.0))
        }
        kind => {
            let body: MessageBody = serde_json::from_slice(&opened.payload)
                .map_err(|e| ExchangeError::Malformed(format!("message body: {e}")))?;
            store.write(|db| {
                let json = serde_json::to_string(&body).unwrap_or_default();
                db.add_exchange_message(
                    partner.id,
                    "in",
                    kind.as_str(),
                    &opened.session,
                    &opened.id,
                    &json,
                )?;
                db.audit(&AuditRecord {
                    actor: format!("partner:{}", partner.name),
                    action: format!("exchange.receive-{}", kind.as_str()),
                    object: "exchange".into(),
                    purpose: body.purpose.clone(),
                    case_ref: body.legal_basis.clone(),
                    detail: format!("message {}", opened.id),
                    ..AuditRecord::default()
                })
            })?;
            Ok(InboxAnswer::Stored)
        }
    }
}

/// POSTs an envelope to a partner's nexus and returns the answer's body:
/// `https://` (rustls, the operating system's roots via webpki-roots) or
/// `http://` addresses, connect within 10 s, the whole exchange within 10
/// minutes (a large match), the answer at most one envelope long.
pub fn post(address: &str, path: &str, body: &[u8]) -> R<Vec<u8>> {
    let unreachable = |reason: String| ExchangeServiceError::Unreachable {
        address: address.into(),
        reason,
    };
    if !(address.starts_with("http://") || address.starts_with("https://")) {
        return Err(unreachable("the address is not http:// or https://".into()));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_global(Some(Duration::from_secs(600)))
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}{path}", address.trim_end_matches('/'));
    let mut answer = agent
        .post(&url)
        .header("Content-Type", "application/octet-stream")
        // One exchange per connection: partners are called rarely, and a
        // connection left open would only wait for the partner's timeout.
        .header("Connection", "close")
        .send(body)
        .map_err(|e| unreachable(e.to_string()))?;
    let status = answer.status().as_u16();
    let out = answer
        .body_mut()
        .with_config()
        .limit(nexus_exchange::envelope::MAX_ENVELOPE as u64)
        .read_to_vec()
        .map_err(|e| unreachable(e.to_string()))?;
    if !(200..300).contains(&status) {
        return Err(ExchangeServiceError::PartnerRefused {
            status,
            body: String::from_utf8_lossy(&out[..out.len().min(500)]).into_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod client_tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn partners_are_reached_over_https_and_failures_are_named() {
        // A listener that speaks plain HTTP: a TLS client must refuse it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf);
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        let e = post(
            &format!("https://127.0.0.1:{port}"),
            "/api/v1/exchange/inbox",
            b"x",
        )
        .unwrap_err();
        assert!(matches!(e, ExchangeServiceError::Unreachable { .. }), "{e}");
        // Nothing listening: unreachable, quickly.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let started = Instant::now();
        let e = post(&format!("http://127.0.0.1:{closed}"), "/x", b"x").unwrap_err();
        assert!(matches!(e, ExchangeServiceError::Unreachable { .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(post("ftp://example.org", "/x", b"x").is_err());
    }
}
