//! The service around the API: health and readiness without a token, unknown routes and methods,
//! and the Prometheus metrics.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn health_and_readiness_answer_200_without_a_token() {
    let s = TestServer::start();
    for path in ["/healthz", "/readyz"] {
        let (st, b) = s.call(Method::GET, path, None, None).await;
        assert_eq!(st, StatusCode::OK, "{path}: {b}");
    }
}

#[tokio::test]
async fn an_unknown_route_is_404_with_the_error_body_and_a_wrong_method_is_405() {
    let s = TestServer::start();
    for path in ["/nope", "/api/v1/nope", "/api/v2/skus"] {
        let (st, b) = s.get(path, ADMIN).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}: {b}");
        assert_error(&b, "not_found");
    }
    let (st, b) = s
        .call(Method::DELETE, "/api/v1/skus", Some(ADMIN), None)
        .await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED, "{b}");
    assert!(b["error"]["code"].is_string(), "{b}");
}

#[tokio::test]
async fn metrics_need_a_token_and_count_the_answers_in_prometheus_text() {
    let s = TestServer::start();
    let resp = client()
        .get(s.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    s.create_skus(&new_sku("MT-1", 1, 100)).await;
    s.orders(&json!([
        event("douyin", "MT-A", "paid", &[("MT-1", 1)]),
        event("douyin", "MT-B", "paid", &[("MT-1", 1)]),
    ]))
    .await;
    let resp = client()
        .get(s.url("/metrics"))
        .bearer_auth(VIEWER)
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("metrics text");
    assert!(
        text.contains("livestock_commands_total{result=\"accepted\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("livestock_commands_total{result=\"rejected\"} 1"),
        "{text}"
    );
    assert!(text.contains("livestock_journal_seq "), "{text}");
}
