//! The public contract of API.md, end to end, against the real binary on port 0: one module per
//! resource or behaviour, and the few helpers that several of them need.

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod bad_input;
mod channels;
mod flash_sale;
mod holds;
mod hostile;
mod idempotency;
mod lifecycle;
mod limits;
mod metrics;
mod orders;
mod rate_limits;
mod reports;
mod retention;
mod review;
mod role_matrix;
mod rooms;
mod service;
mod signatures;
mod skus;
mod transfer;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

/// Posts one event and insists it is accepted; returns its seq.
async fn accept(s: &TestServer, ev: &Value) -> u64 {
    let (st, a) = s.orders(ev).await;
    assert_eq!(st, StatusCode::OK, "{ev} answered {a}");
    assert_eq!(a["result"], "accepted", "{ev} answered {a}");
    assert_eq!(a["order_id"], ev["order_id"], "{a}");
    a["seq"].as_u64().expect("an accepted answer has a seq")
}

/// Posts one event and insists it is rejected with `reason` (409 and the error body); returns its seq.
async fn reject(s: &TestServer, ev: &Value, reason: &str) -> u64 {
    let (st, a) = s.orders(ev).await;
    assert_eq!(st, StatusCode::CONFLICT, "{ev} answered {a}");
    assert_eq!(a["result"], "rejected", "{ev} answered {a}");
    assert_eq!(a["reason"], reason, "{ev} answered {a}");
    assert_eq!(a["order_id"], ev["order_id"], "{a}");
    assert_error(&a, reason);
    a["seq"].as_u64().expect("a judged rejection has a seq")
}

/// `(held, committed, available, sold_units, gmv_cents)` of one SKU.
async fn buckets(s: &TestServer, code: &str) -> (i64, i64, i64, i64, i64) {
    let v = s.sku(code).await;
    let n = |k: &str| v[k].as_i64().unwrap();
    (
        n("held"),
        n("committed"),
        n("available"),
        n("sold_units"),
        n("gmv_cents"),
    )
}

async fn order_state(s: &TestServer, channel: &str, id: &str) -> Value {
    let (st, o) = s.order(channel, id).await;
    assert_eq!(st, StatusCode::OK, "GET order {channel}/{id}: {o}");
    o["state"].clone()
}

/// What retries must leave as it was: the journal's seq and every SKU's stable view.
async fn books(s: &TestServer) -> (u64, Value) {
    (s.seq().await, stable_views(&s.skus().await))
}

/// Asserts that nothing was journaled and no stock view changed since `before` was taken.
async fn assert_retries_changed_nothing(s: &TestServer, before: &(u64, Value)) {
    assert_eq!(s.seq().await, before.0, "retries journal nothing");
    assert_eq!(
        stable_views(&s.skus().await),
        before.1,
        "retries change nothing"
    );
}

/// One judged answer: `(result, reason, seq)`.
type Judged = (String, Option<String>, u64);

fn judged(r: &Value) -> Judged {
    (
        r["result"].as_str().expect("a result").to_owned(),
        r["reason"].as_str().map(str::to_owned),
        r["seq"].as_u64().expect("a judged event has a seq"),
    )
}
