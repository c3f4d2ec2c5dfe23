//! Shared plumbing of the handlers: state, errors, who is calling, the
//! stated purpose, and the background jobs.

use crate::ui::i18n::Lang;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nexus_fiu::auth::{sha256_hex, Principal, Role};
use nexus_fiu::detection::{run_detection, ActiveModel};
use nexus_fiu::error::{say, Phrase, Say};
use nexus_fiu::exchange::RejectionBudget;
use nexus_fiu::limits::Limits;
use nexus_fiu::processing::Screening;
use nexus_fiu::purpose::Purpose;
use nexus_fiu::signin::SignInGuard;
use nexus_graph::DetectConfig;
use nexus_store::{Store, StoreError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::{Notify, Semaphore};

/// The service's shared state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Arc<Store>,
    pub screening: RwLock<Arc<Screening>>,
    pub detect_config: DetectConfig,
    /// The detection model in force (none: the rules alone rank).
    pub model: RwLock<Option<Arc<ActiveModel>>>,
    pub limits: Limits,
    /// Set when new transactions arrived since the last detection run.
    pub network_changed: AtomicBool,
    pub wake_detection: Notify,
    /// Failed sign-ins and password-check slots.
    pub signin: SignInGuard,
    /// Uploads being parsed at once (`Limits::concurrent_intake`).
    pub intake_slots: Semaphore,
    /// Inbox rejections written to the audit log one by one.
    pub inbox_rejections: RejectionBudget,
    /// Where audit checkpoints are appended besides the database.
    pub audit_anchor: Option<PathBuf>,
    pub metrics: crate::metrics::Metrics,
    /// Detection at intake: batches go to its worker as they are stored.
    pub stream: nexus_fiu::streaming::StreamIntake,
    /// When the oldest transaction detection has not run over arrived (0: none).
    pub detection_pending_since: std::sync::atomic::AtomicI64,
    /// The start page's counts and when they were taken: counting ten
    /// million transactions takes a tenth of a second, so the tiles are
    /// recounted at most every [`COUNTS_MAX_AGE`].
    pub counts: std::sync::Mutex<Option<(std::time::Instant, nexus_store::Counts)>>,
}

/// How old the start page's counts may be.
pub const COUNTS_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(30);

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
        AppState::with_anchor(store, detect_config, limits, None)
    }

    /// [`AppState::new`], appending audit checkpoints to `audit_anchor` too.
    pub fn with_anchor(
        store: Store,
        detect_config: DetectConfig,
        limits: Limits,
        audit_anchor: Option<PathBuf>,
    ) -> Result<AppState, StoreError> {
        let screening = Screening::from_store(&store)?;
        // A stored model that no longer reads is logged; the rules go on.
        let model = match nexus_fiu::detection::active_model(&store) {
            Ok(m) => m.map(Arc::new),
            Err(e) => {
                tracing::error!(error = %e, "the detection model in force cannot be used");
                None
            }
        };
        let metrics = crate::metrics::Metrics::new();
        let wait = metrics.writer_wait.clone();
        store.observe_writer_wait(Box::new(move |d| wait.observe(d.as_secs_f64())));
        let store = Arc::new(store);
        let latency = metrics.stream_alert_latency.clone();
        let stream = nexus_fiu::streaming::StreamIntake::start(
            store.clone(),
            detect_config.clone(),
            Box::new(move |d| latency.observe(d.as_secs_f64())),
        );
        Ok(AppState(Arc::new(Inner {
            store,
            screening: RwLock::new(Arc::new(screening)),
            detect_config,
            model: RwLock::new(model),
            limits,
            network_changed: AtomicBool::new(true),
            wake_detection: Notify::new(),
            signin: SignInGuard::new(limits),
            intake_slots: Semaphore::new(limits.concurrent_intake.max(1)),
            inbox_rejections: RejectionBudget::default(),
            audit_anchor,
            metrics,
            stream,
            detection_pending_since: std::sync::atomic::AtomicI64::new(nexus_store::now()),
            counts: std::sync::Mutex::new(None),
        })))
    }

    pub fn screening(&self) -> Arc<Screening> {
        self.screening
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The dashboard's counts, at most [`COUNTS_MAX_AGE`] old.
    pub fn counts(&self) -> Result<nexus_store::Counts, nexus_store::StoreError> {
        let fresh = |c: &Option<(std::time::Instant, nexus_store::Counts)>| {
            c.as_ref()
                .filter(|(at, _)| at.elapsed() < COUNTS_MAX_AGE)
                .map(|(_, counts)| counts.clone())
        };
        if let Some(c) = fresh(&self.counts.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(c);
        }
        let counts = self.store.read(|db| db.counts())?;
        *self.counts.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((std::time::Instant::now(), counts.clone()));
        Ok(counts)
    }

    pub fn model(&self) -> Option<Arc<ActiveModel>> {
        self.model.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Switches the model detection uses from its next run on.
    pub fn set_model(&self, m: ActiveModel) {
        *self.model.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(m));
        self.network_changed();
    }

    pub fn set_screening(&self, s: Screening) {
        *self.screening.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(s);
    }

    /// Asks the background job to run detection soon.
    pub fn network_changed(&self) {
        let _ = self.detection_pending_since.compare_exchange(
            0,
            nexus_store::now(),
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        self.network_changed.store(true, Ordering::SeqCst);
        self.wake_detection.notify_one();
    }

    /// Seconds the oldest transaction not yet run over by detection has waited.
    pub fn detection_lag_seconds(&self) -> i64 {
        match self.detection_pending_since.load(Ordering::SeqCst) {
            0 => 0,
            since => (nexus_store::now() - since).max(0),
        }
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

    /// Signs the audit chain's head (when it moved) and appends the
    /// checkpoint to the anchor file.
    pub fn checkpoint_audit(&self) -> Result<(), nexus_fiu::anchor::AnchorError> {
        if let Some(c) = nexus_fiu::anchor::checkpoint(&self.store)? {
            if let Some(path) = &self.audit_anchor {
                nexus_fiu::anchor::append_to_file(path, &[c])?;
            }
        }
        Ok(())
    }
}

/// Runs detection whenever the network changed (at most every two seconds),
/// the retention purge once a day, and an audit checkpoint every minute the
/// log grew.
pub fn spawn_background(state: AppState) {
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            if s.network_changed.swap(false, Ordering::SeqCst) {
                s.detection_pending_since.store(0, Ordering::SeqCst);
                let st = s.clone();
                let result = tokio::task::spawn_blocking(move || {
                    let model = st.model();
                    run_detection(&st.store, &st.detect_config, model.as_deref())
                })
                .await;
                match result {
                    Ok(Ok(run)) => {
                        tracing::info!(
                            transactions = run.transactions,
                            new_alerts = run.raised,
                            extended = run.extended,
                            suppressed = run.suppressed,
                            "detection ran"
                        )
                    }
                    Ok(Err(e)) => tracing::error!(error = %e, "detection failed"),
                    Err(e) => tracing::error!(error = %e, "detection task failed"),
                }
            }
            tokio::select! {
                _ = s.wake_detection.notified() => {},
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {},
            }
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        }
    });
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            let st = s.clone();
            match tokio::task::spawn_blocking(move || {
                nexus_fiu::retention::purge_expired(&st.store, "system", &st.limits)
            })
            .await
            {
                Ok(Err(e)) => tracing::error!(error = %e, "retention purge failed"),
                Err(e) => tracing::error!(error = %e, "retention purge task failed"),
                Ok(Ok(n)) => tracing::info!(reports = n, "retention purge ran"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
        }
    });
    tokio::spawn(async move {
        loop {
            let st = state.clone();
            match tokio::task::spawn_blocking(move || st.checkpoint_audit()).await {
                Ok(Err(e)) => tracing::error!(error = %e, "audit checkpoint failed"),
                Err(e) => tracing::error!(error = %e, "audit checkpoint task failed"),
                Ok(Ok(())) => {}
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
}

/// An error answer: JSON under `/api`, a page elsewhere. Internal details
/// are logged, never sent.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    /// In English: the API's `error`, the log's.
    pub message: String,
    /// The same as a phrase, for an HTML page in the user's language.
    pub said: Option<Phrase>,
    pub problems: Vec<nexus_fiu::intake::ProblemJson>,
    /// Answer as JSON (API) rather than HTML.
    pub json: bool,
}

impl AppError {
    /// An error with a technical English message (limits, parsers).
    pub fn new(status: StatusCode, message: impl Into<String>) -> AppError {
        AppError {
            status,
            message: message.into(),
            said: None,
            problems: Vec::new(),
            json: true,
        }
    }
    /// An error that says `phrase` (in the reader's language on a page).
    pub fn said(status: StatusCode, phrase: Phrase) -> AppError {
        AppError {
            said: Some(phrase.clone()),
            ..AppError::new(status, phrase.to_string())
        }
    }
    pub fn bad_request(m: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, m)
    }
    /// 400 saying what is wrong with the request.
    pub fn invalid(phrase: Phrase) -> AppError {
        AppError::said(StatusCode::BAD_REQUEST, phrase)
    }
    pub fn forbidden() -> AppError {
        AppError::said(StatusCode::FORBIDDEN, say(Say::RoleForbids))
    }
    pub fn not_found() -> AppError {
        AppError::said(StatusCode::NOT_FOUND, say(Say::NotFound))
    }
    pub fn internal(detail: String) -> AppError {
        tracing::error!(detail = %detail, "internal error");
        AppError::said(StatusCode::INTERNAL_SERVER_ERROR, say(Say::InternalError))
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
            StoreError::NotFound(m) => AppError::new(StatusCode::NOT_FOUND, m),
            other => AppError::internal(other.to_string()),
        }
    }
}

impl From<nexus_fiu::FiuError> for AppError {
    fn from(e: nexus_fiu::FiuError) -> AppError {
        use nexus_fiu::FiuError as F;
        match e {
            F::Invalid(m) => AppError::invalid(m),
            F::NotFound(m) => AppError::said(StatusCode::NOT_FOUND, m),
            F::Conflict(m) => AppError::said(StatusCode::CONFLICT, m),
            F::Forbidden(m) => AppError::said(StatusCode::FORBIDDEN, m),
            F::Store(s) => s.into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.json {
            let body = serde_json::json!({ "error": self.message, "problems": self.problems });
            let mut response = (self.status, axum::Json(body.clone())).into_response();
            if let Some(said) = self.said {
                // For the UI's scripts: [`localise_error_pages`] adds
                // `error_text` in a signed-in user's language.
                response.extensions_mut().insert(ErrorPage {
                    status: self.status,
                    said,
                    json: Some(body),
                });
            }
            response
        } else if self.status == StatusCode::UNAUTHORIZED {
            Redirect::to("/login").into_response()
        } else {
            let page = ErrorPage {
                status: self.status,
                said: self.said.unwrap_or_else(|| Phrase::verbatim(self.message)),
                json: None,
            };
            // Written in English here; [`localise_error_pages`] writes it
            // again in the reader's language, which only the request knows.
            let mut response = page.render(Lang::En);
            response.extensions_mut().insert(page);
            response
        }
    }
}

/// An error answer: its status, what it says and, for the API, its JSON.
#[derive(Clone)]
struct ErrorPage {
    status: StatusCode,
    said: Phrase,
    json: Option<serde_json::Value>,
}

impl ErrorPage {
    fn render(&self, lang: Lang) -> Response {
        if let Some(body) = &self.json {
            let mut body = body.clone();
            body["error_text"] = serde_json::Value::String(self.said.render(&lang));
            return (self.status, axum::Json(body)).into_response();
        }
        let code = self.status.as_u16();
        let body = maud::html! {
            (maud::DOCTYPE)
            html lang=(lang.code()) {
                meta charset="utf-8";
                title { (code) }
                link rel="stylesheet" href="/static/nexus.css";
                main.narrow {
                    h1 { (code) }
                    p.error { (self.said.render(&lang)) }
                    p { a href="/" { (say(Say::BackToStart).render(&lang)) } }
                }
            }
        };
        (self.status, Html(body.into_string())).into_response()
    }
}

/// Where authentication leaves the signed-in user's language for the
/// error page of the same request.
#[derive(Clone, Default)]
pub struct LanguageSlot(Arc<std::sync::OnceLock<String>>);

/// Writes an HTML error page again in the reader's language: the user's
/// choice once signed in, the browser's before.
pub async fn localise_error_pages(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let slot = LanguageSlot::default();
    request.extensions_mut().insert(slot.clone());
    let browser = Lang::of_browser(request.headers());
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<ErrorPage>() {
        // An API answer in a signed-in user's language (the UI's scripts);
        // to API tokens, English only.
        Some(page) if page.json.is_some() => match slot.0.get() {
            Some(code) => page.render(Lang::parse(code).unwrap_or(Lang::En)),
            None => response,
        },
        Some(page) => {
            let lang = slot
                .0
                .get()
                .map_or(browser, |code| Lang::parse(code).unwrap_or(Lang::En));
            if lang == Lang::En {
                response
            } else {
                page.render(lang)
            }
        }
        None => response,
    }
}

pub const SESSION_COOKIE: &str = "nexus_session";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The session cookie as set at sign-in (empty and expired: cleared).
pub fn session_cookie(token: &str, max_age_seconds: i64) -> String {
    cookie::Cookie::build((SESSION_COOKIE, token.to_string()))
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .build()
        .to_string()
}

/// Authenticates a request: a bearer token, or a session cookie.
impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, AppError> {
        authenticate(parts, state).await.map(Caller)
    }
}

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Principal, AppError> {
    {
        let json = parts.uri.path().starts_with("/api/");
        let unauthorised = || AppError {
            json,
            ..AppError::said(StatusCode::UNAUTHORIZED, say(Say::AuthenticationRequired))
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
            let role = t.role;
            return Ok(Principal {
                actor: format!("token:{}@{}", t.token_id, t.institution),
                role,
                user_id: None,
                username: format!("token {}", t.token_id),
                institution: Some(t.institution),
                csrf: None,
                session: None,
                purpose: None,
                language: String::new(),
            });
        }
        let Some(session) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(unauthorised());
        };
        let hash = sha256_hex(session.as_bytes());
        let key = hash.clone();
        let found = state
            .blocking(move |s| Ok(s.store.read(|db| db.session(&key, nexus_store::now()))?))
            .await?;
        let row = found.ok_or_else(unauthorised)?;
        if let Some(slot) = parts.extensions.get::<LanguageSlot>() {
            let _ = slot.0.set(row.user.language.clone());
        }
        let role = row.user.role;
        Ok(Principal {
            actor: format!("user:{}", row.user.username),
            role,
            user_id: Some(row.user.id),
            username: row.user.username,
            institution: row.user.institution,
            csrf: Some(row.csrf),
            session: Some(hash),
            purpose: Purpose::stated(&row.purpose, &row.case_ref),
            language: row.user.language,
        })
    }
}

/// The principal of a request, as an axum extractor (a bearer token or a
/// session cookie).
pub struct Caller(pub Principal);

/// What the HTTP layer asks of a principal, answered as HTTP errors.
pub trait Guard {
    /// 403 unless the role is one of `roles`.
    fn require(&self, roles: &[Role], json: bool) -> Result<(), AppError>;
    /// For state-changing requests made with a session: the CSRF token must
    /// come back (form field or `X-CSRF-Token` header).
    fn check_csrf(&self, presented: Option<&str>, json: bool) -> Result<(), AppError>;
}

impl Guard for Principal {
    fn require(&self, roles: &[Role], json: bool) -> Result<(), AppError> {
        if self.has_role(roles) {
            Ok(())
        } else {
            Err(AppError {
                json,
                ..AppError::forbidden()
            })
        }
    }

    fn check_csrf(&self, presented: Option<&str>, json: bool) -> Result<(), AppError> {
        if self.csrf_matches(presented) {
            Ok(())
        } else {
            Err(AppError {
                json,
                ..AppError::said(StatusCode::FORBIDDEN, say(Say::CsrfMismatch))
            })
        }
    }
}

/// The purpose a request is made under: the `X-Purpose` and `X-Case-Ref`
/// headers (API clients state it per request), else the one stated in the
/// signed-in session (the UI's purpose form).
pub fn stated_purpose(principal: &Principal, headers: &HeaderMap) -> Option<Purpose> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match (header("x-purpose"), header("x-case-ref")) {
        (Some(p), Some(c)) => Purpose::stated(p, c),
        _ => principal.purpose.clone(),
    }
}
