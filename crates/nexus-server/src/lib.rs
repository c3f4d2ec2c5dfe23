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

pub mod accounts;
pub mod api;
pub mod auth;
pub mod bulk;
pub mod exchange;
pub mod intake;
pub mod processing;
pub mod ui;
mod web;

pub use web::{AppError, AppState};

use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;

/// The OpenAPI description of the HTTP API (also served at `/openapi.yaml`).
pub const OPENAPI: &str = include_str!("../openapi.yaml");

/// All routes.
pub fn router(state: AppState) -> Router {
    let upload_limit = state.limits.max_upload;
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/openapi.yaml",
            get(|| async { ([("content-type", "application/yaml")], OPENAPI) }),
        )
        .merge(api::routes(upload_limit))
        .merge(ui::routes())
        .with_state(state)
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    web::spawn_background(state.clone());
    ready(local);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown())
        .await
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
