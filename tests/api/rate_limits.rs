//! Rate limits per token (API.md "Starting"): a screen's token over its limit gets 429
//! `rate_limited` with `Retry-After` and recovers once the wait has passed; a channel's ingest
//! token is never held back by it. Asked with a raw client that does not retry a 429.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A viewer gets 2 requests a second with bursts of 5 here.
const CONFIG: &str = "[rate_limits.viewer]\nper_second = 2\nburst = 5\n";

async fn get_raw(s: &TestServer, token: &str) -> (StatusCode, Option<String>, Value) {
    let res = reqwest::Client::new()
        .get(s.url("/api/v1/skus"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    (status, retry, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_viewer_over_its_burst_gets_429_with_retry_after_and_recovers_while_ingest_flows() {
    let s = TestServer::start_with_config(CONFIG);
    s.create_skus(&new_sku("RL-1", 1_000, 990)).await;
    let started = Instant::now();
    let mut ok = 0;
    let refused = loop {
        let (st, retry, body) = get_raw(&s, VIEWER).await;
        match st {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => break (retry, body),
            other => panic!("a viewer's GET answered {other}: {body}"),
        }
        assert!(
            ok <= 10,
            "no 429 after {ok} requests in {:?}",
            started.elapsed()
        );
    };
    // The burst of 5, plus the one or two a second refills while they were asked.
    assert!((5..=8).contains(&ok), "{ok} requests before the 429");
    let (retry, body) = refused;
    assert_error(&body, "rate_limited");
    let secs: u64 = retry
        .as_deref()
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in whole seconds, got {retry:?}"));
    assert!((1..=2).contains(&secs), "Retry-After {secs}");

    // Meanwhile a channel's orders go through at once, and the operator has its own bucket.
    for i in 0..20 {
        let (st, b) = s
            .orders(&event("douyin", &format!("RL-{i}"), "paid", &[("RL-1", 1)]))
            .await;
        assert_eq!(st, StatusCode::OK, "order {i} while the viewer waits: {b}");
    }
    let (st, _, body) = get_raw(&s, OPERATOR).await;
    assert_eq!(st, StatusCode::OK, "another token is not held back: {body}");

    // After the wait the viewer is served again.
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (st, _, body) = get_raw(&s, VIEWER).await;
    assert_eq!(st, StatusCode::OK, "after Retry-After: {body}");
}

#[tokio::test]
async fn pages_and_static_files_do_not_count_against_a_token() {
    let s = TestServer::start_with_config("[rate_limits.viewer]\nper_second = 1\nburst = 1\n");
    let client = reqwest::Client::new();
    for i in 0..10 {
        let res = client
            .get(s.url(&format!("/static/base.css?token={VIEWER}")))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(res.status(), StatusCode::OK, "static file {i}");
    }
    let (st, _, body) = get_raw(&s, VIEWER).await;
    assert_eq!(st, StatusCode::OK, "the first API request: {body}");
    let (st, _, body) = get_raw(&s, VIEWER).await;
    assert_eq!(
        st,
        StatusCode::TOO_MANY_REQUESTS,
        "the second in the same second: {body}"
    );
}
