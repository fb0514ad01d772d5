//! What each view carries (host and overlay only the on-air and next SKUs, the board all), and
//! the show's viewers in a diff and in the series.

use crate::common::*;
use crate::screen::Screen;
use crate::{FRAME_TIMEOUT_MS, accept, codes, create_show, kind, view_of};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

// Views

#[tokio::test]
async fn host_and_overlay_carry_only_the_on_air_and_next_skus_and_the_board_carries_all() {
    let s = TestServer::start();
    s.create_skus(&json!([
        new_sku("A", 100, 1990),
        new_sku("B", 100, 1990),
        new_sku("C", 100, 1990),
        new_sku("D", 100, 1990)
    ]))
    .await;
    create_show(&s, &["A", "B", "C"]).await;
    let (st, b) = s
        .call(
            Method::PUT,
            "/api/v1/show/current",
            Some(OVERLAY),
            Some(&json!({"sku": "B"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "PUT current: {b}");

    let mut host = Screen::open(&s, "host", VIEWER).await;
    let mut overlay = Screen::open(&s, "overlay", OVERLAY).await;
    let mut board = Screen::open(&s, "board", VIEWER).await;
    for (screen, view) in [(&mut host, "host"), (&mut overlay, "overlay")] {
        let snap = screen.next(FRAME_TIMEOUT_MS).await;
        assert_eq!(kind(&snap), "snapshot", "{snap}");
        assert_eq!(snap["view"], view);
        assert_eq!(codes(&snap), ["B", "C"], "on air B, next C: {snap}");
        assert_eq!(snap["show"]["current"], "B", "{snap}");
        assert_eq!(snap["show"]["next"], "C", "{snap}");
    }
    let snap = board.next(FRAME_TIMEOUT_MS).await;
    assert_eq!(codes(&snap), ["A", "B", "C", "D"], "{snap}");

    // An order of D (off stage) and one of B (on air): the board gets both, the stage only B and C.
    accept(&s, &event("douyin", "DY-D", "paid", &[("D", 1)])).await;
    accept(&s, &event("douyin", "DY-B", "paid", &[("B", 2)])).await;
    board
        .until(1_000, "a board diff with D", |f| {
            kind(f) == "diff" && view_of(f, "D").is_some()
        })
        .await;
    let diff = host
        .until(1_000, "a host diff with B's 2 committed", |f| {
            kind(f) == "diff" && view_of(f, "B").is_some_and(|v| v["committed"] == 2)
        })
        .await;
    let carried: BTreeSet<String> = codes(&diff).into_iter().collect();
    assert!(
        carried.is_subset(&["B".into(), "C".into()].into()),
        "{diff}"
    );
    for (_, f) in host.collect(300).await {
        if kind(&f) == "diff" {
            assert!(view_of(&f, "D").is_none(), "the host never sees D: {f}");
            assert!(view_of(&f, "A").is_none(), "the host never sees A: {f}");
        }
    }
}

// The show

#[tokio::test]
async fn viewers_posted_to_the_show_arrive_as_a_diff_and_in_the_next_sample_of_the_series() {
    let s = TestServer::start();
    s.create_skus(&json!([new_sku("A", 100, 1990)])).await;
    create_show(&s, &["A"]).await;
    let mut board = Screen::open(&s, "board", VIEWER).await;
    let mut host = Screen::open(&s, "host", VIEWER).await;
    assert_eq!(kind(&board.next(FRAME_TIMEOUT_MS).await), "snapshot");
    assert_eq!(kind(&host.next(FRAME_TIMEOUT_MS).await), "snapshot");

    let (st, b) = s
        .post("/api/v1/show/viewers", OVERLAY, &json!({"online": 102345}))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let posted = Instant::now();
    for screen in [&mut board, &mut host] {
        let diff = screen
            .until(1_000, "a diff with show.viewers 102345", |f| {
                kind(f) == "diff" && f["show"]["viewers"] == 102345
            })
            .await;
        assert_eq!(diff["show"]["peak_viewers"], 102345, "{diff}");
    }
    let sampled = board
        .until(2_500, "a diff with a sample of 102345 viewers", |f| {
            kind(f) == "diff" && f["sample"]["viewers"] == 102345
        })
        .await;
    assert!(posted.elapsed() <= Duration::from_millis(2_500));
    let sample = &sampled["sample"];
    assert!(
        sample["t"].is_i64() && sample["stock"].is_object(),
        "{sample}"
    );
    assert_eq!(sample["stock"]["A"], 100, "{sample}");

    board.send(r#"{"type":"resync"}"#).await;
    let snap = board
        .until(FRAME_TIMEOUT_MS, "a snapshot", |f| kind(f) == "snapshot")
        .await;
    let viewers = snap["series"]["viewers"]
        .as_array()
        .expect("series.viewers");
    assert_eq!(viewers.last(), Some(&json!(102345)), "{}", snap["series"]);
    let n = viewers.len();
    for f in ["t", "gmv_cents", "orders", "units"] {
        assert_eq!(
            snap["series"][f].as_array().map(Vec::len),
            Some(n),
            "series.{f}"
        );
    }
    assert_eq!(
        snap["series"]["stock"]["A"].as_array().map(Vec::len),
        Some(n)
    );
}
