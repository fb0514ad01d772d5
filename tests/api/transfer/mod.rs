//! Import and export end to end: sheets in (CSV in UTF-8 and GBK, XLSX), all or nothing with every
//! bad row named, create against upsert, downloads read back with the csv crate and calamine,
//! the round trip, and the audit trail of a time range.

mod export;
mod import;
mod movements;

use crate::common::*;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Posts `bytes` to `/api/v1/import?QUERY` as `content_type` with `token`.
async fn import_as(
    s: &TestServer,
    token: &str,
    query: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let resp = client()
        .post(s.url(&format!("/api/v1/import{query}")))
        .bearer_auth(token)
        .header(CONTENT_TYPE, content_type)
        .body(bytes)
        .send()
        .await
        .expect("POST /api/v1/import");
    let status = resp.status();
    let text = resp.text().await.expect("reading the answer");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// Imports a CSV text as the operator.
async fn import_csv(s: &TestServer, query: &str, csv: &str) -> (StatusCode, Value) {
    import_as(s, OPERATOR, query, "text/csv", csv.as_bytes().to_vec()).await
}

/// Imports and insists on 200; returns `(created, updated, unchanged, seq)`.
async fn imported(
    s: &TestServer,
    query: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (u64, u64, u64, u64) {
    let (st, b) = import_as(s, OPERATOR, query, content_type, bytes).await;
    assert_eq!(st, StatusCode::OK, "import answered {b}");
    let n = |k: &str| b[k].as_u64().unwrap_or_else(|| panic!("{k} in {b}"));
    (n("created"), n("updated"), n("unchanged"), n("seq"))
}

/// GETs `path` as the viewer; answers the status, the headers and the raw body.
async fn download(s: &TestServer, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = client()
        .get(s.url(path))
        .bearer_auth(VIEWER)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let (status, headers) = (resp.status(), resp.headers().clone());
    let bytes = resp.bytes().await.expect("reading a download").to_vec();
    (status, headers, bytes)
}

/// The `(row, column)` pairs of a 422 answer naming bad rows, in order, after checking its shape.
#[track_caller]
fn bad_rows(st: StatusCode, b: &Value) -> Vec<(u64, String)> {
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_error(b, "invalid");
    b["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("rows in {b}"))
        .iter()
        .map(|r| {
            assert!(
                r["reason"].as_str().is_some_and(|s| !s.is_empty()),
                "a reason in {r}"
            );
            (
                r["row"].as_u64().unwrap(),
                r["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
