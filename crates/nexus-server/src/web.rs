//! Shared plumbing of the handlers: state, errors, who is calling, the
//! stated purpose, and the background jobs.

use crate::auth::{constant_time_eq, sha256_hex, Principal, Role};
use crate::intake::Limits;
use crate::processing::{run_detection, Screening};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nexus_graph::DetectConfig;
use nexus_store::{AuditRecord, Store, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::Notify;

/// The service's shared state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub screening: RwLock<Arc<Screening>>,
    pub detect_config: DetectConfig,
    pub limits: Limits,
    /// Set when new transactions arrived since the last detection run.
    pub network_changed: AtomicBool,
    pub wake_detection: Notify,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Opens the state over a store; builds the screening index from the stored lists.
    pub fn new(
        store: Store,
        detect_config: DetectConfig,
        limits: Limits,
    ) -> Result<AppState, StoreError> {
        let screening = Screening::from_store(&store)?;
        Ok(AppState(Arc::new(Inner {
            store,
            screening: RwLock::new(Arc::new(screening)),
            detect_config,
            limits,
            network_changed: AtomicBool::new(true),
            wake_detection: Notify::new(),
        })))
    }

    pub fn screening(&self) -> Arc<Screening> {
        self.screening
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_screening(&self, s: Screening) {
        *self.screening.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(s);
    }

    /// Asks the background job to run detection soon.
    pub fn network_changed(&self) {
        self.network_changed.store(true, Ordering::SeqCst);
        self.wake_detection.notify_one();
    }

    /// Runs `f` on the blocking pool (SQLite calls block).
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&AppState) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| AppError::internal(format!("task failed: {e}")))?
    }
}

/// Runs detection whenever the network changed (at most every two seconds),
/// and the retention purge once a day.
pub fn spawn_background(state: AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            if s.network_changed.swap(false, Ordering::SeqCst) {
                let st = s.clone();
                let result = tokio::task::spawn_blocking(move || {
                    run_detection(&st.store, &st.detect_config)
                })
                .await;
                match result {
                    Ok(Ok((n, raised))) if raised > 0 => {
                        eprintln!("detection: {n} transfers, {raised} new alerts")
                    }
                    Ok(Err(e)) => eprintln!("detection failed: {e}"),
                    Err(e) => eprintln!("detection task failed: {e}"),
                    _ => {}
                }
            }
            tokio::select! {
                _ = s.wake_detection.notified() => {},
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {},
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    });
    tokio::spawn(async move {
        loop {
            let st = state.clone();
            let _ = tokio::task::spawn_blocking(move || purge_expired(&st.store, "system")).await;
            tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
        }
    });
}

/// Deletes reports older than the retention period (not in any case).
pub fn purge_expired(store: &Store, actor: &str) -> Result<usize, StoreError> {
    store.write(|db| {
        let days: i64 = db
            .setting("retention_days")?
            .and_then(|d| d.parse().ok())
            .unwrap_or(1825);
        let before = nexus_store::now() - days * 86_400;
        let ids = db.purge_reports_before(before)?;
        if !ids.is_empty() {
            db.audit(&AuditRecord {
                actor: actor.into(),
                action: "retention.purge".into(),
                object: "reports".into(),
                detail: format!(
                    "{} reports older than {days} days deleted: {:?}",
                    ids.len(),
                    ids
                ),
                ..AuditRecord::default()
            })?;
        }
        Ok(ids.len())
    })
}

/// An error answer: JSON under `/api`, a page elsewhere. Internal details
/// are logged, never sent.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub message: String,
    pub problems: Vec<crate::intake::ProblemJson>,
    /// Answer as JSON (API) rather than HTML.
    pub json: bool,
}

impl AppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError {
            status,
            message: message.into(),
            problems: Vec::new(),
            json: true,
        }
    }
    pub fn bad_request(m: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, m)
    }
    pub fn forbidden() -> AppError {
        AppError::new(StatusCode::FORBIDDEN, "your role does not allow this")
    }
    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not found")
    }
    pub fn internal(detail: String) -> AppError {
        eprintln!("internal error: {detail}");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error; the event was logged",
        )
    }
    pub fn html(mut self) -> AppError {
        self.json = false;
        self
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict(m) => AppError::new(StatusCode::CONFLICT, m),
            StoreError::Invalid(m) => AppError::bad_request(m),
            other => AppError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.json {
            let body = serde_json::json!({ "error": self.message, "problems": self.problems });
            (self.status, axum::Json(body)).into_response()
        } else if self.status == StatusCode::UNAUTHORIZED {
            Redirect::to("/login").into_response()
        } else {
            let body = format!(
                "<!doctype html><meta charset=utf-8><title>{code}</title><link rel=stylesheet href=/static/nexus.css>\
                 <main class=narrow><h1>{code}</h1><p class=error>{msg}</p><p><a href=/>Back to the start page</a></p></main>",
                code = self.status.as_u16(),
                msg = crate::ui::esc(&self.message)
            );
            (self.status, Html(body)).into_response()
        }
    }
}

pub const SESSION_COOKIE: &str = "nexus_session";
pub const PURPOSE_COOKIE: &str = "nexus_purpose";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Authenticates a request: a bearer token, or a session cookie.
impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Principal, AppError> {
        let json = parts.uri.path().starts_with("/api/");
        let unauthorised = || AppError {
            json,
            ..AppError::new(StatusCode::UNAUTHORIZED, "authentication required")
        };
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(unauthorised)?;
            let hash = sha256_hex(token.as_bytes());
            let found = state
                .blocking(move |s| Ok(s.store.read(|db| db.api_token(&hash))?))
                .await?;
            let t = found.ok_or_else(unauthorised)?;
            let role = Role::parse(&t.role).ok_or_else(unauthorised)?;
            return Ok(Principal {
                actor: format!("token:{}@{}", t.token_id, t.institution),
                role,
                user_id: None,
                username: format!("token {}", t.token_id),
                institution: Some(t.institution),
                csrf: None,
            });
        }
        let Some(session) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(unauthorised());
        };
        let hash = sha256_hex(session.as_bytes());
        let found = state
            .blocking(move |s| Ok(s.store.read(|db| db.session(&hash, nexus_store::now()))?))
            .await?;
        let (user, csrf) = found.ok_or_else(unauthorised)?;
        let role = Role::parse(&user.role).ok_or_else(unauthorised)?;
        Ok(Principal {
            actor: format!("user:{}", user.username),
            role,
            user_id: Some(user.id),
            username: user.username,
            institution: user.institution,
            csrf: Some(csrf),
        })
    }
}

impl Principal {
    /// 403 unless the role is one of `roles`.
    pub fn require(&self, roles: &[Role], json: bool) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError {
                json,
                ..AppError::forbidden()
            })
        }
    }

    /// The institution whose reports this principal may list: its own for
    /// a reporting entity (none at all when it has no institution), every
    /// institution's otherwise.
    pub fn report_scope(&self) -> Option<i64> {
        match self.role {
            Role::ReportingEntity => Some(self.institution.unwrap_or(-1)),
            _ => None,
        }
    }

    /// Whether this principal may read a report of `institution`.
    pub fn may_read_report(&self, institution: i64) -> bool {
        self.report_scope().is_none_or(|own| own == institution)
    }

    /// For state-changing requests made with a session: the CSRF token must
    /// come back (form field or `X-CSRF-Token` header).
    pub fn check_csrf(&self, presented: Option<&str>, json: bool) -> Result<(), AppError> {
        match &self.csrf {
            None => Ok(()), // bearer tokens are not sent by browsers on their own
            Some(expected) if presented.is_some_and(|p| constant_time_eq(p, expected)) => Ok(()),
            Some(_) => Err(AppError {
                json,
                ..AppError::new(
                    StatusCode::FORBIDDEN,
                    "missing or wrong CSRF token; reload the page and try again",
                )
            }),
        }
    }
}

/// The purpose and case reference under which personal data is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    pub purpose: String,
    pub case_ref: String,
}

/// The stated purpose of a request: headers `X-Purpose` and `X-Case-Ref`
/// (API) or the purpose cookie the UI sets (`purpose|case`, URL-encoded).
pub fn stated_purpose(headers: &HeaderMap) -> Option<Purpose> {
    let from_headers = headers
        .get("x-purpose")
        .and_then(|v| v.to_str().ok())
        .zip(headers.get("x-case-ref").and_then(|v| v.to_str().ok()))
        .map(|(p, c)| (p.to_string(), c.to_string()));
    let (purpose, case_ref) = from_headers.or_else(|| {
        let raw = cookie(headers, PURPOSE_COOKIE)?;
        let decoded = url_decode(raw);
        let (p, c) = decoded.split_once('|')?;
        Some((p.to_string(), c.to_string()))
    })?;
    let purpose = purpose.trim().to_string();
    let case_ref = case_ref.trim().to_string();
    (purpose.chars().count() >= 5 && !case_ref.is_empty()).then_some(Purpose { purpose, case_ref })
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The case reference for working the alert queue before any case exists.
pub const TRIAGE: &str = "TRIAGE";

/// Checks that a stated case reference names an existing case or an
/// existing alert under triage (`ALERT-12`); `TRIAGE` only where allowed
/// (the alert queue and alert pages).
pub fn valid_case_ref(
    db: &nexus_store::Db,
    case_ref: &str,
    allow_triage: bool,
) -> Result<bool, StoreError> {
    if case_ref == TRIAGE {
        return Ok(allow_triage);
    }
    if let Some(n) = case_ref.strip_prefix("ALERT-") {
        return Ok(match n.parse::<i64>() {
            Ok(id) => db.alert(id)?.is_some(),
            Err(_) => false,
        });
    }
    Ok(db.case_by_reference(case_ref)?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_coding_round_trips() {
        for s in ["analysis of STR|CASE-2026-0001", "Джамшед & co", "100%", ""] {
            assert_eq!(url_decode(&url_encode(s)), s);
        }
        assert_eq!(url_decode("%zz%"), "%zz%");
    }
}
