//! What the screens are sent: the first snapshot, diffs coalesced at the tick with the new
//! buckets, and a seq that never goes down on one connection.

use crate::common::*;
use crate::screen::Screen;
use crate::{FRAME_TIMEOUT_MS, accept, accept_all, codes, kind, seq_of, view_of};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The coalescing tick of API.md (the server's default).
const TICK_MS: u64 = 100;

/// The columns of the show's time series.
const SERIES_FIELDS: [&str; 6] = ["t", "viewers", "gmv_cents", "orders", "units", "stock"];

// The first frame

#[tokio::test]
async fn the_first_frame_is_a_snapshot_with_seq_view_full_stock_views_show_alerts_and_series() {
    let s = TestServer::start();
    s.create_skus(&json!([new_sku("A", 100, 1990), new_sku("B", 50, 990)]))
        .await;
    let seq = s.seq().await;
    let mut board = Screen::open(&s, "board", VIEWER).await;
    let first = board.next(FRAME_TIMEOUT_MS).await;

    assert_eq!(kind(&first), "snapshot", "{first}");
    assert!(
        seq_of(&first) >= seq,
        "snapshot seq below /readyz's {seq}: {first}"
    );
    assert_eq!(first["view"], "board", "{first}");
    assert!(first["server_ms"].is_i64(), "server_ms in {first}");
    assert_eq!(codes(&first), ["A", "B"], "{first}");
    for v in first["skus"].as_array().unwrap() {
        for f in VIEW_FIELDS {
            assert!(v.get(f).is_some(), "the stock view lacks {f}: {v}");
        }
        assert_invariant(v);
    }
    let expected = s.skus().await;
    assert_eq!(
        stable_views(&first["skus"]),
        stable_views(&expected),
        "the snapshot's views are GET /api/v1/skus's"
    );
    assert!(first["show"].is_object(), "show in {first}");
    assert_eq!(first["show"]["state"], "none", "{first}");
    assert!(first["alerts"].is_array(), "alerts in {first}");
    let series = &first["series"];
    for f in SERIES_FIELDS {
        assert!(series.get(f).is_some(), "the series lacks {f}: {series}");
    }
    for f in ["t", "viewers", "gmv_cents", "orders", "units"] {
        assert!(series[f].is_array(), "series.{f} is an array: {series}");
    }
    assert!(
        series["stock"].is_object(),
        "series.stock is an object: {series}"
    );
}

// Diffs

#[tokio::test]
async fn a_paid_order_shows_up_within_a_second_as_a_diff_with_the_new_buckets_and_a_seq_at_least_the_answers()
 {
    let s = TestServer::start();
    s.create_skus(&json!([new_sku("A", 100, 1990), new_sku("B", 50, 990)]))
        .await;
    let mut board = Screen::open(&s, "board", VIEWER).await;
    assert_eq!(kind(&board.next(FRAME_TIMEOUT_MS).await), "snapshot");
    // Let a tick pass: the creation of A and B may still be due as a diff.
    board.collect(3 * TICK_MS).await;

    let seq = accept(&s, &event("douyin", "DY-1", "paid", &[("A", 3)])).await;
    // From the answer on: how long the post itself took on a busy machine is not the feed's.
    let posted = Instant::now();
    let diff = board
        .until(1_000, "a diff carrying A with 3 committed", |f| {
            kind(f) == "diff" && view_of(f, "A").is_some_and(|v| v["committed"] == 3)
        })
        .await;
    let took = posted.elapsed();
    assert!(
        took <= Duration::from_millis(1_000),
        "the diff took {took:?}"
    );
    assert!(
        seq_of(&diff) >= seq,
        "diff seq {} < the order's {seq}: {diff}",
        seq_of(&diff)
    );
    let a = view_of(&diff, "A").unwrap();
    assert_invariant(a);
    assert_eq!(a["available"], 97, "{a}");
    assert_eq!(a["sold_units"], 3, "{a}");
    assert!(view_of(&diff, "B").is_none(), "B did not change: {diff}");
    assert!(diff["show"].is_object(), "a diff carries the show: {diff}");
    let now = s.sku("A").await;
    for f in ["on_hand", "held", "committed", "available"] {
        assert_eq!(a[f], now[f], "{f}: the diff against GET: {a} vs {now}");
    }
}

#[tokio::test]
async fn fifty_orders_in_a_burst_coalesce_into_a_few_diffs_and_the_last_shows_the_final_state() {
    let s = TestServer::start();
    s.create_skus(&json!([new_sku("A", 1_000, 1990)])).await;
    let mut board = Screen::open(&s, "board", VIEWER).await;
    assert_eq!(kind(&board.next(FRAME_TIMEOUT_MS).await), "snapshot");

    let started = Instant::now();
    let batches: Vec<Vec<Value>> = (0..5)
        .map(|b| {
            (0..10)
                .map(|i| event("douyin", &format!("DY-{b}-{i}"), "paid", &[("A", 2)]))
                .collect()
        })
        .collect();
    let seqs = futures_util::future::join_all(batches.iter().map(|b| accept_all(&s, b))).await;
    let last_seq = seqs.into_iter().max().unwrap();
    let burst = started.elapsed();
    let frames = board.collect(1_000).await;
    let window_ms = started.elapsed().as_millis() as u64;

    let diffs: Vec<&Value> = frames
        .iter()
        .map(|(_, f)| f)
        .filter(|f| kind(f) == "diff")
        .collect();
    let ticks = window_ms / TICK_MS + 2;
    assert!(
        diffs.len() as u64 <= ticks && diffs.len() < 50 / 2,
        "{} diffs for 50 orders over {window_ms} ms (burst {burst:?}): want at most one per tick ({ticks})",
        diffs.len()
    );
    let last = diffs
        .iter()
        .rev()
        .find_map(|f| view_of(f, "A").map(|v| (f, v)))
        .expect("some diff carries A");
    assert!(seq_of(last.0) >= last_seq, "{}", last.0);
    assert_eq!(
        last.1["committed"], 100,
        "the last diff holds all 50 orders: {}",
        last.1
    );
    assert_eq!(last.1["available"], 900, "{}", last.1);
    assert_eq!(s.sku("A").await["committed"], 100);
}

#[tokio::test]
async fn seq_never_goes_down_on_one_connection_across_diffs_alerts_and_snapshots() {
    let s = TestServer::start();
    s.create_skus(&json!([
        new_sku("HOT", 20, 1990),
        new_sku("COLD", 1_000, 990)
    ]))
    .await;
    let mut board = Screen::open(&s, "board", VIEWER).await;
    let mut frames = vec![board.next(FRAME_TIMEOUT_MS).await];
    let mut answered = 0;
    for i in 0..6 {
        // 3 units of HOT each: available 20 → 2 crosses the 20% and 10% lines (alerts).
        let hot = event("douyin", &format!("H-{i}"), "paid", &[("HOT", 3)]);
        let cold = event("kuaishou", &format!("C-{i}"), "paid", &[("COLD", 1)]);
        answered = answered.max(accept_all(&s, &[hot, cold]).await);
        board.send(r#"{"type":"resync"}"#).await;
        frames.extend(board.collect(TICK_MS / 2).await.into_iter().map(|(_, f)| f));
    }
    frames.extend(board.collect(1_500).await.into_iter().map(|(_, f)| f));

    let mut last = 0;
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for f in &frames {
        *counts.entry(kind(f).to_owned()).or_default() += 1;
        if kind(f) == "alert" {
            assert!(f["alert"]["kind"].is_string(), "{f}");
            continue; // an alert frame carries no seq
        }
        let seq = seq_of(f);
        assert!(seq >= last, "seq went down from {last} to {seq} at {f}");
        last = seq;
    }
    assert!(
        last >= answered,
        "the last frame's seq {last} < the last answer's {answered}"
    );
    assert!(
        counts.get("snapshot") >= Some(&7),
        "the first and six resyncs: {counts:?}"
    );
    assert!(counts.get("diff") >= Some(&1), "{counts:?}");
    assert!(
        counts.get("alert") >= Some(&1),
        "HOT crossed the stock lines: {counts:?}"
    );
    let hot = frames
        .iter()
        .rev()
        .find_map(|f| view_of(f, "HOT"))
        .expect("a frame carries HOT");
    assert_eq!(hot["available"], 2, "{hot}");
}
