//! A screen's messages are rate limited (issue 14, 2): past `CLIENT_MESSAGE_BURST` messages at
//! once, or `CLIENT_MESSAGES_PER_SECOND` sustained, the server closes the connection with 1008
//! (policy violation) instead of serving the flood. From a raw client, asserting the Close code.

use crate::common::*;
use crate::raw::{CLOSE, Out, PING, Raw};
use livestock::web::ws::limits::{CLIENT_MESSAGE_BURST, CLIENT_MESSAGES_PER_SECOND};
use std::time::{Duration, Instant};

const NORMAL: u16 = 1000;
const POLICY_VIOLATION: u16 = 1008;

fn resync() -> Out {
    Out::text(r#"{"type":"resync"}"#)
}

#[test]
fn the_burst_of_messages_is_taken_and_the_connection_stays_open() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    for _ in 0..CLIENT_MESSAGE_BURST {
        raw.send(&resync());
    }
    raw.send(&Out::close(NORMAL, b"done"));
    assert_eq!(raw.close_code(), NORMAL, "the client's own Close, echoed");
}

#[test]
fn a_flood_of_resyncs_past_the_burst_is_closed_with_1008() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    for _ in 0..CLIENT_MESSAGE_BURST * 2 {
        raw.send(&resync());
    }
    assert_eq!(raw.close_code(), POLICY_VIOLATION);
}

#[test]
fn a_flood_of_pings_is_closed_with_1008_too() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    for _ in 0..CLIENT_MESSAGE_BURST * 2 {
        raw.send(&Out::new(PING, *b"p"));
    }
    assert_eq!(raw.close_code(), POLICY_VIOLATION);
}

#[test]
fn a_client_over_the_sustained_rate_is_closed_with_1008_once_its_burst_is_spent() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    raw.message(); // the opening snapshot
    // Four times the rate, each message answered (an `error` frame) before the next: the burst
    // lasts about burst ÷ (1 − 1/4) messages, a few seconds.
    let interval = Duration::from_millis(250 / u64::from(CLIENT_MESSAGES_PER_SECOND));
    let started = Instant::now();
    let mut answered = 0;
    let code = 'sending: loop {
        assert!(answered < CLIENT_MESSAGE_BURST * 3, "never closed");
        raw.send(&Out::text(r#"{"type":"hello"}"#));
        loop {
            let frame = raw.frame();
            if frame.opcode == CLOSE {
                break 'sending u16::from_be_bytes([frame.payload[0], frame.payload[1]]);
            }
            if frame.payload.starts_with(br#"{"type":"error""#) {
                answered += 1;
                break;
            }
        }
        std::thread::sleep(interval);
    };
    assert_eq!(code, POLICY_VIOLATION);
    assert!(
        answered > CLIENT_MESSAGE_BURST,
        "{answered} messages answered in {:?} before the close",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_close_for_the_message_rate_is_counted_by_its_code() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    for _ in 0..CLIENT_MESSAGE_BURST * 2 {
        raw.send(&resync());
    }
    assert_eq!(raw.close_code(), POLICY_VIOLATION);
    let (status, text) = s
        .call(reqwest::Method::GET, "/metrics", Some(ADMIN), None)
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let text = text.as_str().expect("Prometheus text").to_owned();
    let closed = text
        .lines()
        .find_map(|l| l.strip_prefix(r#"livestock_ws_closed_total{code="1008"} "#));
    assert_eq!(closed, Some("1"), "{text}");
}

#[test]
fn the_message_budget_is_set_by_the_websocket_table_of_the_config() {
    let s =
        TestServer::start_with_config("[websocket]\nmessages_per_second = 1\nmessage_burst = 5\n");
    let mut raw = Raw::open(&s);
    for _ in 0..5 {
        raw.send(&resync());
    }
    raw.send(&Out::close(NORMAL, b""));
    assert_eq!(raw.close_code(), NORMAL, "a burst of 5 is taken");
    let mut raw = Raw::open(&s);
    for _ in 0..7 {
        raw.send(&resync());
    }
    assert_eq!(
        raw.close_code(),
        POLICY_VIOLATION,
        "the 6th is one too many"
    );
}

/// The value of the series `series` (name and labels as printed) on `/metrics`.
async fn metric(s: &TestServer, series: &str) -> Option<f64> {
    let (_, text) = s
        .call(reqwest::Method::GET, "/metrics", Some(ADMIN), None)
        .await;
    let text = text.as_str().expect("Prometheus text").to_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn the_screens_connected_and_the_resyncs_served_are_on_metrics() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    raw.message(); // the opening snapshot
    raw.send(&resync());
    // The resync served (a diff may come first).
    while !raw.message().starts_with(br#"{"type":"snapshot""#) {}
    assert_eq!(metric(&s, "livestock_screens_connected").await, Some(1.0));
    assert_eq!(
        metric(&s, r#"livestock_ws_resynced_total{why="client"}"#).await,
        Some(1.0)
    );
    raw.send(&Out::close(NORMAL, b""));
    assert_eq!(raw.close_code(), NORMAL);
    poll(5_000, "the screen no longer counted", || async {
        (metric(&s, "livestock_screens_connected").await == Some(0.0)).then_some(())
    })
    .await;
}
