//! `/metrics` by route: every answer counted and timed under the route template it matched
//! (`/api/v1/skus/{sku}`, never the raw path, so a scan of random paths cannot grow the series),
//! its method and its status. Requests that match no route count under [`UNMATCHED_ROUTE`].

use super::error::ErrorCode;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// The route label of a request that matched no route (a 404 from the fallback).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Counts (`livestock_http_requests_total`) and times (`livestock_http_request_duration_seconds`)
/// one request, by route template, method and status; an error answer is also counted by its
/// code (`livestock_http_errors_total`: a malformed order push is `invalid` or `bad_json` there).
/// The time is until the answer's head is ready, not until its body is written.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    if let Some(ErrorCode(code)) = response.extensions().get::<ErrorCode>() {
        let labels = [("route", route.clone()), ("code", (*code).to_owned())];
        metrics::counter!("livestock_http_errors_total", &labels).increment(1);
    }
    let labels = [
        ("route", route),
        ("method", method.to_owned()),
        ("status", status),
    ];
    metrics::counter!("livestock_http_requests_total", &labels).increment(1);
    metrics::histogram!("livestock_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, anything else as `other`, so a client
/// inventing methods cannot grow the series either.
fn method_label(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// Bucket bounds of every `_seconds` histogram: 100 µs to 10 s.
pub const SECONDS_BUCKETS: [f64; 14] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5, 10.0,
];
/// Bucket bounds of the journal's records per batch: 1 to the writer's most events per batch
/// (`engine::BATCH_EVENTS_MAX`, 16,384).
pub const BATCH_RECORDS_BUCKETS: [f64; 12] = [
    1.0, 4.0, 16.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0,
];

/// The Prometheus recorder's builder: histograms with buckets (Prometheus can sum buckets across
/// nodes and over time; it cannot do that with quantiles).
pub fn prometheus() -> metrics_exporter_prometheus::PrometheusBuilder {
    use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
    // Only an empty bucket list is refused, and these are constants.
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS_BUCKETS)
        .and_then(|b| {
            b.set_buckets_for_metric(
                Matcher::Full("livestock_journal_batch_records".into()),
                &BATCH_RECORDS_BUCKETS,
            )
        })
        .expect("the bucket lists are not empty")
}
