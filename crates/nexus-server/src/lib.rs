//! The FIU service: `nexus serve`.
//!
//! One binary serves the machine-to-machine API (`/api/v1/...`, bearer
//! tokens for reporting entities, sessions for the UI's own scripts) and the
//! web UI (server-rendered pages, session cookies, CSRF tokens on every
//! form). Handlers never touch SQL: they call `nexus_store::Db` methods
//! inside `Store::read`/`Store::write`, on Tokio's blocking pool.
//!
//! Invariants:
//! - every route decides who may call it before it looks anything up, so a
//!   403 never reveals whether the thing exists;
//! - every read of personal data states a purpose and a case reference and
//!   is recorded in the audit log in the same transaction as the read;
//! - every change is recorded in the audit log in its own transaction.

pub mod api;
pub mod metrics;
pub mod net;
pub mod ui;
mod web;

pub use nexus_fiu::Limits;
pub use web::{AppError, AppState};

use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;

/// The OpenAPI description of the HTTP API (also served at `/openapi.yaml`).
pub const OPENAPI: &str = include_str!("../openapi.yaml");

/// All routes, with the checks every request passes: same-origin for
/// state-changing requests, bounded bodies, security headers on answers.
pub fn router(state: AppState) -> Router {
    let limits = state.limits;
    let plain = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics::metrics))
        .route(
            "/openapi.yaml",
            get(|| async { ([("content-type", "application/yaml")], OPENAPI) }),
        );
    plain
        .merge(api::routes(&limits))
        .merge(ui::routes(&limits))
        .layer(axum::middleware::from_fn(web::localise_error_pages))
        .layer(axum::middleware::from_fn(net::same_origin))
        .layer(axum::middleware::from_fn(net::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::observe,
        ))
        .with_state(state)
}

/// Serves until Ctrl-C / SIGTERM, then signs the audit log's head.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    web::spawn_background(state.clone());
    ready(local);
    let limits = state.limits;
    net::serve(listener, router(state.clone()), limits, shutdown()).await?;
    let st = state.clone();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || st.checkpoint_audit()).await {
        tracing::error!(error = %e, "audit checkpoint at shutdown failed");
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
