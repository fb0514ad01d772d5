//! `/metrics` worth having (issue 14, 6): requests by route template, method and status, with
//! their latency; order events by result and reason; the journal's batch sizes and sync times;
//! warnings fired by kind; rate-limit refusals. Each read as Prometheus text after real calls.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

/// `/metrics` as text, read with the admin token (never rate limited).
async fn scrape(s: &TestServer) -> String {
    let resp = client()
        .get(s.url("/metrics"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.expect("metrics text")
}

/// The value of the series `name` whose labels include every `labels` pair; 0 when absent.
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    let mut found = text.lines().filter_map(|line| {
        let rest = line.strip_prefix(name)?;
        let (set, number) = match rest.strip_prefix('{') {
            Some(r) => r.split_once("} ")?,
            None => ("", rest.strip_prefix(' ')?),
        };
        labels
            .iter()
            .all(|(k, v)| set.split(',').any(|p| p == format!("{k}=\"{v}\"")))
            .then(|| number.trim().parse::<f64>().expect("a number"))
    });
    let first = found.next().unwrap_or(0.0);
    assert!(
        found.next().is_none(),
        "{name} {labels:?} names one series only:\n{text}"
    );
    first
}

#[tokio::test]
async fn the_request_counter_of_a_route_grows_by_the_calls_made_under_its_template() {
    let s = TestServer::start();
    s.create_skus(&new_sku("MX-ROUTE-1", 10, 100)).await;
    let route = [("route", "/api/v1/skus/{sku}"), ("method", "GET")];
    let ok = [route[0], route[1], ("status", "200")];
    let missing = [route[0], route[1], ("status", "404")];
    let before = scrape(&s).await;
    for _ in 0..5 {
        s.sku("MX-ROUTE-1").await;
    }
    for _ in 0..2 {
        let (st, _) = s.get("/api/v1/skus/NO-SUCH-SKU", VIEWER).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let (st, _) = s.get("/no/such/page/at-all", VIEWER).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let after = scrape(&s).await;
    let grew = |labels: &[(&str, &str)], name: &str| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    assert_eq!(grew(&ok, "livestock_http_requests_total"), 5.0, "{after}");
    assert_eq!(grew(&missing, "livestock_http_requests_total"), 2.0);
    assert_eq!(
        grew(&ok, "livestock_http_request_duration_seconds_count"),
        5.0,
        "every call is timed too"
    );
    let seconds = value(&after, "livestock_http_request_duration_seconds_sum", &ok);
    assert!(
        seconds > 0.0 && seconds < 5.0,
        "5 reads took {seconds} s in all"
    );
    assert_eq!(
        value(
            &after,
            "livestock_http_request_duration_seconds_bucket",
            &[ok[0], ok[1], ok[2], ("le", "+Inf")]
        ),
        value(&after, "livestock_http_request_duration_seconds_count", &ok),
        "a histogram with buckets, not a summary"
    );
    let unmatched = [("route", "unmatched"), ("status", "404")];
    assert!(value(&after, "livestock_http_requests_total", &unmatched) >= 1.0);
    let raw: Vec<&str> = after
        .lines()
        .filter(|l| {
            l.starts_with("livestock_http")
                && (l.contains("MX-ROUTE") || l.contains("NO-SUCH") || l.contains("at-all"))
        })
        .collect();
    assert!(raw.is_empty(), "raw paths became labels: {raw:?}");
}

#[tokio::test]
async fn order_events_are_counted_by_result_and_reason_and_the_journal_by_batch() {
    let s = TestServer::start();
    // 100 units: selling one fires no warning, whose record would join the journal's.
    s.create_skus(&new_sku("MX-EV-1", 100, 100)).await;
    let paid = event("douyin", "MX-A", "paid", &[("MX-EV-1", 1)]);
    let (st, _) = s.orders(&paid).await;
    assert_eq!(st, StatusCode::OK);
    let (_, again) = s.orders(&paid).await;
    assert_eq!(again["result"], "duplicate");
    let (st, _) = s
        .orders(&json!([
            event("douyin", "MX-B", "paid", &[("MX-EV-1", 500)]),
            event("douyin", "MX-C", "paid", &[("MX-EV-1", 100)]),
            event("douyin", "MX-D", "paid", &[("NO-SUCH-SKU", 1)]),
        ]))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s
        .post("/api/v1/orders", INGEST, &json!({"channel": 7}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let text = scrape(&s).await;
    let refused = [("route", "/api/v1/orders"), ("code", "invalid")];
    assert_eq!(
        value(&text, "livestock_http_errors_total", &refused),
        1.0,
        "a malformed push, refused before judging, by its code"
    );
    let events = |result: &str, reason: &str| {
        value(
            &text,
            "livestock_order_events_total",
            &[("result", result), ("reason", reason)],
        )
    };
    assert_eq!(events("accepted", ""), 1.0, "{text}");
    assert_eq!(events("duplicate", ""), 1.0);
    assert_eq!(events("rejected", "out_of_stock"), 2.0);
    assert_eq!(events("rejected", "unknown_sku"), 1.0);
    // Journaled: the SKU, the accepted event and the two judged rejections (the duplicate and
    // the unknown SKU are not), in at least three syncs (one per request that wrote).
    let records = value(&text, "livestock_journal_batch_records_sum", &[]);
    let batches = value(&text, "livestock_journal_batch_records_count", &[]);
    assert_eq!(records, 4.0, "{text}");
    assert!((3.0..=4.0).contains(&batches), "{batches} batches");
    let syncs = value(&text, "livestock_journal_commit_seconds_count", &[]);
    assert_eq!(syncs, batches, "one sync per batch");
    let synced = value(&text, "livestock_journal_commit_seconds_sum", &[]);
    assert!(synced > 0.0 && synced < 10.0, "syncing took {synced} s");
}

#[tokio::test]
async fn a_warning_fired_is_counted_by_its_kind_and_level() {
    let s = TestServer::start();
    s.create_skus(&new_sku("MX-AL-1", 10, 100)).await;
    sell(&s, "MX-AL-A", "MX-AL-1", 9).await;
    let fired = poll(5_000, "a stock-level warning counted", || async {
        let text = scrape(&s).await;
        let n = value(
            &text,
            "livestock_alerts_fired_total",
            &[("kind", "stock_level"), ("level", "2")],
        );
        (n > 0.0).then_some(n)
    })
    .await;
    assert_eq!(fired, 1.0);
    let (st, alerts) = s.get("/api/v1/alerts", VIEWER).await;
    assert_eq!(st, StatusCode::OK);
    let listed = alerts["alerts"]
        .as_array()
        .or(alerts.as_array())
        .expect("a list of alerts")
        .iter()
        .filter(|a| a["kind"] == "stock_level")
        .count();
    assert_eq!(listed, 1, "{alerts}");
}

#[tokio::test]
async fn rate_limit_refusals_are_counted_by_role_and_answered_429_under_their_route() {
    let s = TestServer::start_with_config("[rate_limits.viewer]\nper_second = 1\nburst = 2\n");
    let mut refused = 0;
    for _ in 0..6 {
        let resp = client()
            .get(s.url("/api/v1/skus"))
            .bearer_auth(VIEWER)
            .send()
            .await
            .expect("GET");
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused >= 1, "{refused} of 6 refused at a burst of 2");
    tokio::time::sleep(Duration::from_millis(10)).await;
    let text = scrape(&s).await;
    assert_eq!(
        value(&text, "livestock_rate_limited_total", &[("role", "viewer")]),
        refused as f64
    );
    let http = [
        ("route", "/api/v1/skus"),
        ("method", "GET"),
        ("status", "429"),
    ];
    assert_eq!(
        value(&text, "livestock_http_requests_total", &http),
        refused as f64
    );
    let (st, _) = s.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(st, StatusCode::OK);
}
