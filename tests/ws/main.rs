//! The screens' WebSocket (API.md "WebSocket `/ws`") end to end against the real binary on port 0:
//! one module per behaviour, and the frame helpers that several of them need.

#[path = "../common/mod.rs"]
mod common;

mod connection;
mod flood;
mod frames;
mod raw;
mod rfc6455;
mod screen;
mod slow_clients;
mod views;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// How long a frame the test waits for may take, beyond what the test is about.
const FRAME_TIMEOUT_MS: u64 = 5_000;

/// `ws://HOST:PORT/ws?...` of the server.
fn ws_url(s: &TestServer, query: &str) -> String {
    let host = s.base.strip_prefix("http://").expect("an http base");
    format!("ws://{host}/ws?{query}")
}

fn kind(frame: &Value) -> &str {
    frame["type"].as_str().unwrap_or("")
}

/// The SKU codes a frame carries, in order.
fn codes(frame: &Value) -> Vec<String> {
    frame["skus"]
        .as_array()
        .unwrap_or_else(|| panic!("a frame without skus: {frame}"))
        .iter()
        .map(|v| {
            v["sku"]
                .as_str()
                .expect("a stock view has a sku")
                .to_owned()
        })
        .collect()
}

/// The stock view of `code` in a frame, if it carries it.
fn view_of<'a>(frame: &'a Value, code: &str) -> Option<&'a Value> {
    frame["skus"].as_array()?.iter().find(|v| v["sku"] == code)
}

fn seq_of(frame: &Value) -> u64 {
    frame["seq"]
        .as_u64()
        .unwrap_or_else(|| panic!("a frame without a numeric seq: {frame}"))
}

/// Posts one event and insists it is accepted; returns its seq.
async fn accept(s: &TestServer, ev: &Value) -> u64 {
    let (st, a) = s.orders(ev).await;
    assert_eq!(st, StatusCode::OK, "{ev} answered {a}");
    assert_eq!(a["result"], "accepted", "{ev} answered {a}");
    a["seq"].as_u64().expect("an accepted answer has a seq")
}

/// Posts an array of events and insists every one is accepted; returns the highest seq.
async fn accept_all(s: &TestServer, events: &[Value]) -> u64 {
    let body = Value::Array(events.to_vec());
    let (st, a) = s.orders(&body).await;
    assert_eq!(
        st,
        StatusCode::OK,
        "an array of {} events answered {a}",
        events.len()
    );
    let results = a["results"].as_array().expect("an array answers results");
    assert_eq!(results.len(), events.len(), "{a}");
    results
        .iter()
        .map(|r| {
            assert_eq!(r["result"], "accepted", "{r}");
            r["seq"].as_u64().expect("an accepted answer has a seq")
        })
        .max()
        .unwrap_or(0)
}

/// Creates a show with `lineup` as the operator.
async fn create_show(s: &TestServer, lineup: &[&str]) {
    let lineup: Vec<Value> = lineup.iter().map(|c| json!({"sku": c})).collect();
    let body = json!({"title": "双十一专场", "lineup": lineup});
    let (st, b) = s.post("/api/v1/show", OPERATOR, &body).await;
    assert_eq!(st, StatusCode::CREATED, "creating the show: {b}");
}
