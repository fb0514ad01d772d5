//! Bounded order memory end to end: a closed order is forgotten by the server's own tick once
//! `order_retention_hours` have passed on its clock, stays forgotten after a restart, and its id is
//! then a new order; an open one is kept.

use crate::accept;
use crate::common::*;
use reqwest::StatusCode;

/// An hour of retention on a clock 600 times fast: six real seconds.
const CONFIG: &str = "order_retention_hours = 1\nclock_speed = 600\nhold_ttl_secs = 604800\n";
/// How long the test waits for the server to forget, in real ms (the window is 6 s).
const FORGET_WAIT_MS: u64 = 30_000;

#[tokio::test]
async fn a_closed_order_is_forgotten_after_its_window_and_an_open_one_is_kept() {
    let mut s = TestServer::start_with_config(CONFIG);
    s.create_skus(&new_sku("RET-1", 10, 1000)).await;
    accept(&s, &event("douyin", "GONE", "created", &[("RET-1", 1)])).await;
    accept(&s, &event("douyin", "GONE", "cancelled", &[])).await;
    accept(&s, &event("douyin", "KEPT", "paid", &[("RET-1", 2)])).await;
    let (st, gone) = s.order("douyin", "GONE").await;
    assert_eq!(st, StatusCode::OK, "{gone}");
    assert!(
        gone["closed_ms"].is_i64(),
        "a cancelled order is closed: {gone}"
    );
    let (_, kept) = s.order("douyin", "KEPT").await;
    assert_eq!(
        kept["closed_ms"],
        serde_json::Value::Null,
        "a paid one is open: {kept}"
    );

    poll(
        FORGET_WAIT_MS,
        "the cancelled order is forgotten",
        || async {
            let (st, _) = s.order("douyin", "GONE").await;
            (st == StatusCode::NOT_FOUND).then_some(())
        },
    )
    .await;
    let (st, kept) = s.order("douyin", "KEPT").await;
    assert_eq!(
        (st, &kept["state"]),
        (StatusCode::OK, &serde_json::json!("paid")),
        "{kept}"
    );
    let view = s.sku("RET-1").await;
    assert_eq!(
        (&view["held"], &view["committed"]),
        (&0.into(), &2.into()),
        "{view}"
    );

    // Forgetting was journaled: a restart after a crash (no final snapshot) replays it.
    s.kill9();
    s.restart();
    let (st, b) = s.order("douyin", "GONE").await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    // The id is new again: a hold under it takes stock.
    accept(&s, &event("douyin", "GONE", "created", &[("RET-1", 1)])).await;
    assert_eq!(s.sku("RET-1").await["held"], 1);
}
