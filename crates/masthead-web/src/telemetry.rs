//! `GET /metrics`: what the instance has done, in Prometheus's text format,
//! served on a listener of its own (`--metrics-listen`), never on the site's
//! port: the numbers (routes, webhook outcomes, search lag) are for the
//! operator's scraper, and that address is what keeps them from the public.
//! Without it nothing is recorded at all.
//!
//! Every crate records through the `metrics` facade: the meter's batch sizes
//! (`masthead_store`'s group commit), job runs (renewals, newsletters, the
//! scheduler, the meter trim), webhook outcomes, the search index's lag
//! behind the store's log. This module installs the process's one exporter
//! and records each request ([`record_request`]): a counter by route — the
//! matched path template, never the raw URL, so the series stay few — and
//! status, and a latency histogram by route. A request's handles are looked
//! up once per route and status and kept, so recording is an atomic add and
//! a histogram sample, with no allocation.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

use crate::error::StartError;

/// Requests answered, by route and status.
const REQUESTS: &str = "masthead_http_requests_total";
/// Seconds from a request's arrival to its response's head, by route.
const LATENCY: &str = "masthead_http_request_duration_seconds";
/// The route label of a request no route matched (a 404, or a method not allowed).
const UNMATCHED: &str = "unmatched";
/// Latency buckets, in seconds: from a cached page to a slow search.
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Reads per meter batch (see `masthead_store`'s group commit, up to 256).
const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
/// How often the exporter folds its histograms' samples in (its upkeep).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's exporter, installed by the first instance that serves metrics.
static EXPORTER: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();

/// Installs the exporter (once per process; later instances share it) and
/// binds `listen` for `/metrics`. Returns the router to serve there.
pub(crate) async fn start(listen: SocketAddr) -> Result<(TcpListener, Router), StartError> {
    let handle = EXPORTER.get_or_init(install).clone().map_err(StartError::Metrics)?;
    let listener =
        TcpListener::bind(listen).await.map_err(|source| StartError::MetricsBind { address: listen, source })?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(UPKEEP_EVERY);
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    let router = Router::new().route("/metrics", get(move || render(handle.clone())));
    Ok((listener, router))
}

fn install() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), &LATENCY_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(Matcher::Full(masthead_store::telemetry::METER_BATCH.to_owned()), &BATCH_BUCKETS)
        })
        .and_then(PrometheusBuilder::install_recorder)
        .map_err(|error| format!("cannot start the metrics exporter: {error}"))
}

async fn render(handle: PrometheusHandle) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}

/// One route's handles: its latency, and its count per status seen so far.
struct RouteHandles {
    latency: Histogram,
    statuses: RwLock<Vec<(u16, Counter)>>,
}

/// Handles by route template, made at a route's first request.
static ROUTES: OnceLock<RwLock<HashMap<Box<str>, &'static RouteHandles>>> = OnceLock::new();

/// Layer: counts the request by route and status and records its latency.
pub(crate) async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    let handles = route_handles(route);
    handles.latency.record(started.elapsed().as_secs_f64());
    handles.count(route, response.status().as_u16());
    response
}

fn route_handles(route: &str) -> &'static RouteHandles {
    let routes = ROUTES.get_or_init(RwLock::default);
    if let Some(handles) = routes.read().unwrap_or_else(PoisonError::into_inner).get(route) {
        return handles;
    }
    let mut routes = routes.write().unwrap_or_else(PoisonError::into_inner);
    // Routes are a fixed set, so their handles live as long as the process.
    routes.entry(route.into()).or_insert_with(|| {
        Box::leak(Box::new(RouteHandles {
            latency: metrics::histogram!(LATENCY, "route" => route.to_owned()),
            statuses: RwLock::default(),
        }))
    })
}

impl RouteHandles {
    /// Counts one answer with `status` on `route`, this route's name.
    fn count(&self, route: &str, status: u16) {
        let counted = |statuses: &[(u16, Counter)]| match statuses.iter().find(|(s, _)| *s == status) {
            Some((_, counter)) => {
                counter.increment(1);
                true
            }
            None => false,
        };
        if counted(&self.statuses.read().unwrap_or_else(PoisonError::into_inner)) {
            return;
        }
        let mut statuses = self.statuses.write().unwrap_or_else(PoisonError::into_inner);
        if !counted(&statuses) {
            let counter = metrics::counter!(REQUESTS, "route" => route.to_owned(), "status" => status.to_string());
            counter.increment(1);
            statuses.push((status, counter));
        }
    }
}
