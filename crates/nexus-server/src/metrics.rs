//! `/metrics` in the Prometheus text format, and the request log.
//!
//! Every request gets an id (`X-Request-Id`, kept when a proxy sent a sane
//! one), a tracing span with it, and one log line when it is answered
//! (method, route, status, duration). The metrics carry no personal data:
//! request latency per route, intake outcomes, the open alert queue per
//! kind, how long the network has waited for detection, and how long
//! writes waited for the single writer.

use crate::web::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::time::Instant;

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub intake: IntCounterVec,
    pub queue: IntGaugeVec,
    pub detection_lag: IntGauge,
    pub writer_wait: Histogram,
    /// From a transaction's acknowledgement to the alert it completed.
    pub stream_alert_latency: Histogram,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("nexus".into()), None).expect("registry");
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer a request, by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ]),
            &["route"],
        )
        .expect("metric");
        let intake = IntCounterVec::new(
            Opts::new("intake_reports_total", "goAML reports received, by outcome"),
            &["status"],
        )
        .expect("metric");
        let queue = IntGaugeVec::new(
            Opts::new(
                "alert_queue_open",
                "Open alerts (new, assigned, escalated), by kind",
            ),
            &["kind"],
        )
        .expect("metric");
        let detection_lag = IntGauge::new(
            "detection_lag_seconds",
            "Seconds since new transactions arrived that detection has not yet run over (0: up to date)",
        )
        .expect("metric");
        let writer_wait = Histogram::with_opts(
            HistogramOpts::new(
                "store_writer_wait_seconds",
                "Time a write waited for the single writer",
            )
            .buckets(vec![0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0]),
        )
        .expect("metric");
        let stream_alert_latency = Histogram::with_opts(
            HistogramOpts::new(
                "stream_alert_latency_seconds",
                "From a transaction's acknowledgement to the alert it completed being stored (detection at intake)",
            )
            .buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0]),
        )
        .expect("metric");
        for m in [
            Box::new(stream_alert_latency.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(requests.clone()),
            Box::new(latency.clone()),
            Box::new(intake.clone()),
            Box::new(queue.clone()),
            Box::new(detection_lag.clone()),
            Box::new(writer_wait.clone()),
        ] {
            registry.register(m).expect("unique metric names");
        }
        Metrics {
            registry,
            requests,
            latency,
            intake,
            queue,
            detection_lag,
            writer_wait,
            stream_alert_latency,
        }
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// `GET /metrics`: the queue gauges are read from the store at scrape time.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let counts = state
        .blocking(|s| Ok(s.store.read(|db| db.open_alerts_by_kind())?))
        .await;
    if let Ok(counts) = counts {
        for (kind, n) in counts {
            state.metrics.queue.with_label_values(&[&kind]).set(n);
        }
    }
    state
        .metrics
        .detection_lag
        .set(state.detection_lag_seconds());
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// A request id: the one a proxy sent when it is short and plain, else a new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| {
            let mut b = [0u8; 8];
            let _ = getrandom::fill(&mut b);
            hex::encode(b)
        })
}

/// Logs every request with its id and records its latency.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().clone();
    // The route's template (`/alerts/{id}`), never the path with its ids.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let mut res = tracing::Instrument::instrument(next.run(req), span.clone()).await;
    let status = res.status();
    let elapsed = started.elapsed();
    state
        .metrics
        .requests
        .with_label_values(&[&route, method.as_str(), status.as_str()])
        .inc();
    state
        .metrics
        .latency
        .with_label_values(&[&route])
        .observe(elapsed.as_secs_f64());
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(
                status = status.as_u16(),
                ms = elapsed.as_secs_f64() * 1e3,
                "answered"
            );
        } else {
            tracing::info!(
                status = status.as_u16(),
                ms = elapsed.as_secs_f64() * 1e3,
                "answered"
            );
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}
