//! Holds that run out: a hold expires after the configured TTL and frees its stock, and a
//! fast-forwarded clock runs the holds and the server time at its speed.

use crate::common::*;
use crate::{accept, buckets, order_state};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn a_fast_forwarded_clock_runs_holds_and_the_server_time_at_its_speed() {
    // `livestock demo --speed 60`: a minute of server time per real second.
    let s = TestServer::start_with_config("clock_speed = 60\nhold_ttl_secs = 60\n");
    let server_ms = || async {
        let (st, b) = s.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        b["server_ms"].as_i64().expect("/readyz has server_ms")
    };
    let (t0, real0) = (server_ms().await, std::time::Instant::now());
    s.create_skus(&new_sku("FF-1", 10, 100)).await;
    accept(&s, &event("douyin", "FF-O1", "created", &[("FF-1", 4)])).await;
    // A one-minute hold lapses within seconds: far sooner than the minute a wall clock needs.
    poll(20_000, "the one-minute hold lapses", || async {
        (order_state(&s, "douyin", "FF-O1").await == "expired").then_some(())
    })
    .await;
    let (t1, real_ms) = (server_ms().await, real0.elapsed().as_millis() as i64);
    assert!(real_ms < 30_000, "took {real_ms} ms");
    assert!(t1 - t0 >= 60_000, "server time moved {} ms", t1 - t0);
    assert!(
        t1 - t0 <= 60 * (real_ms + 100),
        "server time moved {} ms in {real_ms} real ms",
        t1 - t0
    );
    assert_eq!(
        buckets(&s, "FF-1").await.0,
        0,
        "the expired hold freed its stock"
    );
}

#[tokio::test]
async fn a_hold_expires_after_the_configured_ttl_and_frees_its_stock() {
    let s = TestServer::start_with_config("hold_ttl_secs = 1\n");
    s.create_skus(&new_sku("EX-1", 10, 100)).await;
    let held_at = std::time::Instant::now();
    accept(&s, &event("douyin", "EX-O1", "created", &[("EX-1", 4)])).await;
    accept(&s, &event("douyin", "EX-O2", "paid", &[("EX-1", 1)])).await;
    let held = buckets(&s, "EX-1").await.0;
    // Only a slow machine gets here after the TTL; then the hold may be gone already.
    if held_at.elapsed() < std::time::Duration::from_millis(900) {
        assert_eq!(held, 4, "the hold is there before its TTL");
    }
    poll(10_000, "the hold of EX-O1 expires", || async {
        let (held, committed, available, ..) = buckets(&s, "EX-1").await;
        (held == 0).then_some((committed, available))
    })
    .await;
    assert_eq!(buckets(&s, "EX-1").await, (0, 1, 9, 1, 100));
    assert_eq!(order_state(&s, "douyin", "EX-O1").await, "expired");
    assert_eq!(order_state(&s, "douyin", "EX-O2").await, "paid");
    // A payment after the hold ran out takes the stock again while it is there.
    accept(&s, &event("douyin", "EX-O1", "paid", &[])).await;
    assert_eq!(buckets(&s, "EX-1").await, (0, 5, 5, 5, 500));
}
