//! The OpenAPI document (`GET /api/openapi.json`, SPEC F5) against the real binary and the source:
//! one module per question, and the document helpers that several of them need.

#[path = "../common/mod.rs"]
mod common;

mod answers;
mod channels;
mod findings;
mod reports;
mod review;
mod schema;
mod source;
mod transfer;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;

/// How long a warning may take to fire (the writer judges the metrics about once a second).
const ALERT_WAIT_MS: u64 = 5_000;

/// Fetches the document from a running server and checks the basics of the answer.
async fn document(server: &TestServer) -> Value {
    let resp = client()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .expect("GET /api/openapi.json");
    assert_eq!(resp.status(), StatusCode::OK, "GET /api/openapi.json");
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "the document's content type: {content_type}"
    );
    let text = resp.text().await.expect("reading the document");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the document is not JSON: {e}"))
}

/// Follows `{"$ref": "#/..."}` (repeatedly) to what it names.
fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    while let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references are used, not {r}"));
        v = doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("the reference {r} names nothing"));
    }
    v
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let s = &doc["components"]["schemas"][name];
    assert!(s.is_object(), "no components/schemas/{name}");
    s
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

/// The newest alert, once one has fired.
async fn an_alert(server: &TestServer) -> Value {
    poll(ALERT_WAIT_MS, "an alert fires", || async {
        let (st, b) = server.get("/api/v1/alerts", VIEWER).await;
        assert_eq!(st, StatusCode::OK, "GET /api/v1/alerts: {b}");
        b["alerts"].as_array().and_then(|a| a.first()).cloned()
    })
    .await
}
