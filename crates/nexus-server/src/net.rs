//! The connection layer: accepting connections within limits, timing out
//! slow clients, and the headers and checks every response and request gets.
//!
//! `axum::serve` has no read timeouts and no connection limits, so a client
//! holding a thousand half-sent requests open, or sending `Content-Length:
//! 1000` and then ten bytes, kept resources forever. Here each connection is
//! served by hyper with a header read timeout, request bodies are read under
//! a deadline and a size limit per route ([`bounded_body`]), and connections
//! are counted in all and per address.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use nexus_fiu::limits::Limits;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt;

/// The client's address, put into every request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// Open connections per address, released when a connection ends.
#[derive(Default)]
struct Connections {
    per_address: Mutex<HashMap<IpAddr, usize>>,
}

struct ConnectionSlot {
    connections: Arc<Connections>,
    ip: IpAddr,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut map = self
            .connections
            .per_address
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

impl Connections {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<ConnectionSlot> {
        let mut map = self.per_address.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(ConnectionSlot {
            connections: self.clone(),
            ip,
        })
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open
/// requests finish for up to ten seconds.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let total = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let connections = Arc::new(Connections::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 << 10)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = total.clone().acquire_owned() => p.map_err(std::io::Error::other)?,
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors and the like: wait, do not spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(slot) = connections.take(peer.ip(), limits.max_connections_per_address) else {
            drop(stream); // this address holds too many connections already
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = app
            .clone()
            .map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ClientAddr(peer));
                req.map(Body::new)
            });
        let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    Ok(())
}

/// The largest body and the time to receive it, for one group of routes.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub max: usize,
    pub timeout: Duration,
}

/// Reads the request body whole within its limit and deadline before the
/// handler runs: 413 when it is larger (told by `Content-Length` before a
/// byte is read), 408 when the client is too slow.
pub async fn bounded_body(State(limit): State<BodyLimit>, req: Request, next: Next) -> Response {
    let json = req.uri().path().starts_with("/api/");
    let refuse = |status: StatusCode, message: String| -> Response {
        let mut e = crate::AppError::new(status, message);
        if !json {
            e = e.html();
        }
        e.into_response()
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.max as u64) {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body may have at most {} bytes", limit.max),
        );
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(limit.timeout, axum::body::to_bytes(body, limit.max)).await {
        Err(_) => refuse(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {} seconds",
                limit.timeout.as_secs()
            ),
        ),
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_large {
                refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the request body may have at most {} bytes", limit.max),
                )
            } else {
                refuse(
                    StatusCode::BAD_REQUEST,
                    "the request body could not be read".into(),
                )
            }
        }
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    }
}

/// Wraps `router`'s routes so that their bodies are read within `limit`.
pub fn with_body_limit<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    limit: BodyLimit,
) -> Router<S> {
    router
        .layer(axum::middleware::from_fn_with_state(limit, bounded_body))
        .layer(axum::extract::DefaultBodyLimit::max(limit.max))
}

/// Refuses state-changing requests that a browser sent from another site:
/// the `Origin` (or, without it, `Sec-Fetch-Site`) must be this service.
/// Sign-in has no CSRF token yet, so this is what stops a foreign page from
/// signing a user in as the attacker; for every other form it adds to the
/// token. Clients that are not browsers send neither header.
pub async fn same_origin(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !is_same_origin(req.headers()) {
        let json = req.uri().path().starts_with("/api/");
        let mut e = crate::AppError::new(
            StatusCode::FORBIDDEN,
            "this request came from another site; open nexus directly and try again",
        );
        if !json {
            e = e.html();
        }
        return e.into_response();
    }
    next.run(req).await
}

fn is_same_origin(headers: &axum::http::HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if origin == "null" {
            return false;
        }
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        return matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h));
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => true,
    }
}

/// Headers on every response: nothing is cached (a page of personal data
/// must not come back with the Back button after sign-out), no framing, no
/// referrer leaving the service, scripts and styles only from the service.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, "x-frame-options", "DENY");
    // `same-origin`, not `no-referrer`: with the latter, browsers send
    // `Origin: null` on form posts, and the same-origin check could not tell.
    set(h, "referrer-policy", "same-origin");
    set(h, "x-content-type-options", "nosniff");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "cross-origin-resource-policy", "same-origin");
    if is_static {
        set(h, "cache-control", "public, max-age=3600");
    } else {
        set(h, "cache-control", "no-store");
        set(h, "pragma", "no-cache");
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn origins_are_compared_with_the_host() {
        assert!(is_same_origin(&headers(&[
            ("host", "fiu.example:8080"),
            ("origin", "http://fiu.example:8080")
        ])));
        assert!(is_same_origin(&headers(&[
            ("host", "fiu.example"),
            ("origin", "https://FIU.example")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("host", "fiu.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("host", "fiu.example"),
            ("origin", "null")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("host", "fiu.example"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(
            is_same_origin(&headers(&[("host", "fiu.example")])),
            "a client that is not a browser"
        );
    }
}
