//! Prometheus metrics: requests and their latencies by route, and what the application counts
//! itself (gate decisions by outcome, access-log appends). They are served at `/metrics` on an
//! address of their own (`KLARSICHT_METRICS_LISTEN`), never on the portal's: no visitor reads
//! them, and the operators decide who may.
//!
//! Built on the `metrics` facade with `metrics-exporter-prometheus` rendering the text format.

use std::{
    sync::OnceLock,
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
    routing::get,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

/// Latency buckets in seconds: fine below 50 ms, where the portal's targets lie.
const LATENCY_BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The process's one recorder; several applications in one process (tests) share it.
fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("duration_seconds".to_owned()), &LATENCY_BUCKETS)
                .and_then(PrometheusBuilder::install_recorder);
            installed.map_err(|error| tracing::warn!(%error, "metrics are not recorded")).ok()
        })
        .as_ref()
}

/// Starts recording, so that what happens before the first scrape is counted too.
pub fn install() {
    let _handle = recorder();
}

/// Counts every request and measures how long it took, by method, route and status. The route
/// is the pattern (`/antrag/{id}`, `/api/buerger/antrag`), never the address with its ids.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None if request.uri().path().starts_with("/pkg/") => "/pkg/".to_owned(),
        None => "unmatched".to_owned(),
    };
    let started = Instant::now();
    let in_flight = InFlight::start();
    let response = next.run(request).await;
    drop(in_flight);
    let status = response.status().as_u16().to_string();
    metrics::histogram!("klarsicht_http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("klarsicht_http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
}

/// One request in flight, counted until it is answered or dropped (the client went away).
struct InFlight(metrics::Gauge);

impl InFlight {
    fn start() -> Self {
        let gauge = metrics::gauge!("klarsicht_http_requests_in_flight");
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// Serves `/metrics` on `listener` until the task is aborted, and keeps the histograms small;
/// both stop with the task.
pub fn serve(listener: TcpListener) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Some(handle) = recorder() else { return };
        let upkeep = async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            loop {
                every.tick().await;
                handle.run_upkeep();
            }
        };
        let router = Router::new().route("/metrics", get(move || std::future::ready(handle.render())));
        tokio::select! {
            served = axum::serve(listener, router) => {
                if let Err(error) = served {
                    tracing::warn!(%error, "the metrics address stopped serving");
                }
            }
            () = upkeep => {}
        }
    })
}
