//! The screens' WebSocket (API.md "WebSocket `/ws`") end to end against the real binary on port 0:
//! the first snapshot, diffs coalesced at the tick, seq that never goes down, resync and unknown
//! messages, who may open a socket, what each view carries, the show, a client that stops reading,
//! and the close frame on SIGTERM.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The coalescing tick of API.md (the server's default).
const TICK_MS: u64 = 100;
/// How long a frame the test waits for may take, beyond what the test is about.
const FRAME_TIMEOUT_MS: u64 = 5_000;
/// The columns of the show's time series.
const SERIES_FIELDS: [&str; 6] = ["t", "viewers", "gmv_cents", "orders", "units", "stock"];

/// `ws://HOST:PORT/ws?...` of the server.
fn ws_url(s: &TestServer, query: &str) -> String {
    let host = s.base.strip_prefix("http://").expect("an http base");
    format!("ws://{host}/ws?{query}")
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A screen: one WebSocket, read frame by frame with deadlines.
struct Screen<S> {
    ws: WebSocketStream<S>,
    /// What it is, for failure messages.
    name: String,
}

/// How a read ended when it did not give a frame.
#[derive(Debug)]
enum End {
    /// Nothing arrived before the deadline.
    Quiet,
    /// The server sent a close frame with this code.
    Closed(Option<CloseCode>),
    /// The stream ended or failed without a close frame.
    Gone(String),
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Quiet => write!(f, "nothing arrived"),
            End::Closed(code) => write!(f, "a close frame with code {code:?}"),
            End::Gone(why) => write!(f, "the socket ended without a close frame: {why}"),
        }
    }
}

type TcpScreen = Screen<MaybeTlsStream<TcpStream>>;

impl TcpScreen {
    /// Opens `/ws?view=VIEW&token=TOKEN` and insists the upgrade succeeds.
    async fn open(s: &TestServer, view: &str, token: &str) -> TcpScreen {
        let url = ws_url(s, &format!("view={view}&token={token}"));
        let (ws, resp) = tokio::time::timeout(
            Duration::from_millis(FRAME_TIMEOUT_MS),
            tokio_tungstenite::connect_async(url.as_str()),
        )
        .await
        .unwrap_or_else(|_| panic!("opening {url} timed out"))
        .unwrap_or_else(|e| panic!("opening {url}: {e}\nserver output:\n{}", s.logs()));
        assert_eq!(resp.status().as_u16(), 101, "{url} answered {resp:?}");
        Screen {
            ws,
            name: format!("{view} screen"),
        }
    }
}

impl<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin> Screen<S> {
    /// The next JSON text frame before `deadline`, or how the read ended.
    async fn read(&mut self, deadline: Instant) -> Result<Value, End> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return Err(End::Quiet),
                Ok(None) => return Err(End::Gone("the stream ended".to_owned())),
                Ok(Some(Err(e))) => return Err(End::Gone(e.to_string())),
                Ok(Some(Ok(msg))) => msg,
            };
            match msg {
                Message::Text(text) => {
                    return Ok(serde_json::from_str(&text).unwrap_or_else(|e| {
                        panic!("{}: a text frame that is not JSON ({e}): {text}", self.name)
                    }));
                }
                Message::Close(frame) => return Err(End::Closed(frame.map(|f| f.code))),
                Message::Binary(b) => panic!("{}: a binary frame of {} bytes", self.name, b.len()),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// The next JSON text frame within `timeout_ms`; anything else fails the test.
    async fn next(&mut self, timeout_ms: u64) -> Value {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        self.read(deadline)
            .await
            .unwrap_or_else(|end| panic!("{}: no frame within {timeout_ms} ms: {end}", self.name))
    }

    /// Reads frames until one satisfies `want`, within `timeout_ms`; returns it.
    async fn until(
        &mut self,
        timeout_ms: u64,
        what: &str,
        mut want: impl FnMut(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        let mut seen = Vec::new();
        loop {
            match self.read(deadline).await {
                Ok(frame) if want(&frame) => return frame,
                Ok(frame) => seen.push(frame["type"].clone()),
                Err(end) => panic!(
                    "{}: {what}: not so within {timeout_ms} ms ({end}); frames seen: {seen:?}",
                    self.name
                ),
            }
        }
    }

    /// Every frame that arrives within `for_ms`, with when it arrived; fails if the socket ends.
    async fn collect(&mut self, for_ms: u64) -> Vec<(Instant, Value)> {
        let deadline = Instant::now() + Duration::from_millis(for_ms);
        let mut frames = Vec::new();
        loop {
            match self.read(deadline).await {
                Ok(frame) => frames.push((Instant::now(), frame)),
                Err(End::Quiet) => return frames,
                Err(end) => panic!("{}: the socket ended while collecting: {end}", self.name),
            }
        }
    }

    async fn send(&mut self, text: &str) {
        tokio::time::timeout(
            Duration::from_millis(FRAME_TIMEOUT_MS),
            self.ws.send(Message::text(text)),
        )
        .await
        .unwrap_or_else(|_| panic!("{}: sending {text} timed out", self.name))
        .unwrap_or_else(|e| panic!("{}: sending {text}: {e}", self.name));
    }
}

/// The status (and error body) a refused upgrade answers; fails the test if it is accepted.
async fn refused<R: IntoClientRequest + Unpin>(request: R) -> (u16, Value) {
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, resp)) => panic!("the upgrade was accepted: {resp:?}"),
        Err(tungstenite::Error::Http(resp)) => {
            let body = resp
                .body()
                .as_deref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or(Value::Null);
            (resp.status().as_u16(), body)
        }
        Err(e) => panic!("the upgrade failed without an HTTP answer: {e}"),
    }
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

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("/proc/PID/status has VmRSS")
}

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
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

    let posted = Instant::now();
    let seq = accept(&s, &event("douyin", "DY-1", "paid", &[("A", 3)])).await;
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

// ---------------------------------------------------------------------------------------------
// Client messages

#[tokio::test]
async fn resync_answers_a_fresh_snapshot_and_an_unknown_message_an_error_on_a_usable_connection() {
    let s = TestServer::start();
    s.create_skus(&json!([new_sku("A", 100, 1990)])).await;
    let mut board = Screen::open(&s, "board", VIEWER).await;
    let first = board.next(FRAME_TIMEOUT_MS).await;
    assert_eq!(kind(&first), "snapshot");

    let seq = accept(&s, &event("douyin", "DY-1", "paid", &[("A", 4)])).await;
    board.send(r#"{"type":"resync"}"#).await;
    let fresh = board
        .until(FRAME_TIMEOUT_MS, "a snapshot after resync", |f| {
            kind(f) == "snapshot"
        })
        .await;
    assert!(seq_of(&fresh) >= seq, "{fresh}");
    assert_eq!(view_of(&fresh, "A").unwrap()["committed"], 4, "{fresh}");
    assert_eq!(fresh["view"], "board");

    for bad in [
        r#"{"type":"subscribe","skus":["A"]}"#,
        "not json at all",
        r#"{"kind":"resync"}"#,
    ] {
        board.send(bad).await;
        let error = board
            .until(FRAME_TIMEOUT_MS, &format!("an error for {bad}"), |f| {
                kind(f) == "error"
            })
            .await;
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "an error says why: {error}"
        );
    }

    // Still usable: a resync and a diff both arrive.
    board.send(r#"{"type":"resync"}"#).await;
    board
        .until(FRAME_TIMEOUT_MS, "a snapshot after the errors", |f| {
            kind(f) == "snapshot"
        })
        .await;
    accept(&s, &event("douyin", "DY-2", "paid", &[("A", 1)])).await;
    board
        .until(1_000, "a diff after the errors", |f| {
            kind(f) == "diff" && view_of(f, "A").is_some_and(|v| v["committed"] == 5)
        })
        .await;
}

// ---------------------------------------------------------------------------------------------
// Who may open a socket

#[tokio::test]
async fn an_upgrade_without_a_token_or_with_a_bad_one_is_401_and_a_bad_view_is_422() {
    let s = TestServer::start();
    let (st, body) = refused(ws_url(&s, "view=board")).await;
    assert_eq!(st, 401, "no token: {body}");
    assert_error(&body, "unauthorized");

    let (st, body) = refused(ws_url(&s, "view=board&token=not-a-token")).await;
    assert_eq!(st, 401, "a bad token: {body}");
    assert_error(&body, "unauthorized");

    let (st, body) = refused(ws_url(&s, &format!("view=nonsense&token={VIEWER}"))).await;
    assert_eq!(st, 422, "view=nonsense: {body}");
    assert_eq!(assert_error(&body, "invalid").as_deref(), Some("view"));
}

#[tokio::test]
async fn a_websocket_from_another_sites_origin_is_403_and_from_the_servers_own_origin_is_accepted()
{
    let s = TestServer::start();
    let url = ws_url(&s, &format!("view=board&token={VIEWER}"));
    for origin in [
        "https://evil.example",
        "null",
        "http://127.0.0.1.evil.example",
    ] {
        let mut req = url.as_str().into_client_request().unwrap();
        req.headers_mut()
            .insert("origin", HeaderValue::from_str(origin).unwrap());
        let (st, body) = refused(req).await;
        assert_eq!(st, 403, "Origin {origin}: {body}");
        assert_error(&body, "forbidden");
    }

    let mut req = url.as_str().into_client_request().unwrap();
    req.headers_mut()
        .insert("origin", HeaderValue::from_str(&s.base).unwrap());
    let (ws, resp) = tokio_tungstenite::connect_async(req)
        .await
        .unwrap_or_else(|e| panic!("Origin {} was refused: {e}", s.base));
    assert_eq!(resp.status().as_u16(), 101);
    let mut screen = Screen {
        ws,
        name: "same-origin board".to_owned(),
    };
    assert_eq!(kind(&screen.next(FRAME_TIMEOUT_MS).await), "snapshot");
}

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// A client that stops reading

/// SKUs of the slow-client test, and how many of them are in the lineup (in every diff's show).
const FAT_SKUS: usize = 300;
const FAT_LINEUP: usize = 200;
/// Orders per request of the slow-client test, each for the next SKU round the catalog.
const BATCH_EVENTS: usize = 100;
/// How long orders flow while the stuck client does not read: past the server's 5 s send timeout.
const LOAD_MS: u64 = 8_000;
/// How soon a change must reach a screen that reads while the stuck one does not: a few ticks plus
/// room for a debug build on a busy machine (about 0.1–1 s is typical), yet well under the
/// server's 5 s send timeout that a screen held up behind the stuck one would wait.
const DIFF_DUE_MS: u64 = 2_000;

/// How much the server's resident memory may grow over the slow-client test: its queues hold at
/// most 64 frames of a few hundred KiB each; a server that kept the stuck screen's backlog would
/// hold every frame of the run.
const RSS_GROWTH_KIB_MAX: u64 = 128 << 10;

/// A frame as the normal screen of the slow-client test received it.
struct Arrival {
    at: Instant,
    kind: String,
    /// Its arrival on this machine's clock minus the server's `server_ms` stamp (diffs and
    /// snapshots).
    late_ms: Option<i64>,
    seq: Option<u64>,
}

/// Opens a board whose socket receive buffer is tiny, so the server's writes stall at once.
async fn open_tiny_buffered(s: &TestServer) -> Screen<TcpStream> {
    let addr: SocketAddr = s.base.strip_prefix("http://").unwrap().parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4 << 10).unwrap();
    let tcp = socket.connect(addr).await.expect("connecting");
    let url = ws_url(s, &format!("view=board&token={VIEWER}"));
    let (ws, _) = tokio_tungstenite::client_async(url, tcp)
        .await
        .expect("upgrading the stuck screen");
    Screen {
        ws,
        name: "stuck board".to_owned(),
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_never_delays_the_others_and_is_closed_or_resynced_not_buried()
{
    // Without warnings: 300 overstocked SKUs would fire 300 turnover alerts at once, and a burst
    // of frames longer than the server's queue resyncs every screen, which is not the point here.
    let s = TestServer::start_with_config("[alerts]\nenabled = false\n");
    let long = "超长商品名称加绒卫衣黑色大码".repeat(14); // 196 characters, about 600 bytes
    let skus: Vec<Value> = (0..FAT_SKUS)
        .map(|i| {
            let mut v = new_sku(&format!("FAT-{i:03}"), 1_000_000, 1990);
            v["name"] = json!(format!("{i:03}{long}"));
            v
        })
        .collect();
    s.create_skus(&Value::Array(skus)).await;
    let lineup: Vec<String> = (0..FAT_LINEUP).map(|i| format!("FAT-{i:03}")).collect();
    create_show(&s, &lineup.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let rss_before = rss_kib(s.pid());

    let mut stuck = open_tiny_buffered(&s).await;
    let mut normal = Screen::open(&s, "board", VIEWER).await;
    let first = normal.next(FRAME_TIMEOUT_MS).await;
    assert_eq!(kind(&first), "snapshot");
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn(async move {
        let mut frames = Vec::new();
        loop {
            let deadline = Instant::now() + Duration::from_millis(FRAME_TIMEOUT_MS);
            tokio::select! {
                _ = &mut stop_rx => return frames,
                frame = normal.read(deadline) => {
                    let f = frame.unwrap_or_else(|e| panic!("the normal screen ended: {e}"));
                    frames.push(Arrival {
                        at: Instant::now(),
                        kind: kind(&f).to_owned(),
                        late_ms: f["server_ms"].as_i64().map(|stamped| now_ms() - stamped),
                        seq: f["seq"].as_u64(),
                    });
                }
            }
        }
    });

    // Orders round the catalog, batch after batch: each diff carries a hundred fat views and the
    // show with its 200-product lineup, and the writer's second tick refreshes all 300.
    let load_started = Instant::now();
    let mut answers = Vec::new(); // (answered at, highest seq of the batch)
    while load_started.elapsed() < Duration::from_millis(LOAD_MS) {
        let batch = answers.len();
        let events: Vec<Value> = (0..BATCH_EVENTS)
            .map(|i| {
                let sku = format!("FAT-{:03}", (batch * BATCH_EVENTS + i) % FAT_SKUS);
                event("douyin", &format!("L-{batch}-{i}"), "paid", &[(&sku, 1)])
            })
            .collect();
        let seq = accept_all(&s, &events).await;
        answers.push((Instant::now(), seq));
    }
    let load = load_started.elapsed();
    let rss_after = rss_kib(s.pid());
    // Give the last batch its diff before stopping the reader.
    tokio::time::sleep(Duration::from_millis(DIFF_DUE_MS)).await;
    stop_tx.send(()).unwrap();
    let frames = reader.await.expect("the normal screen's reader");
    let count = |k: &str| frames.iter().filter(|f| f.kind == k).count();
    let stated: Vec<&Arrival> = frames.iter().filter(|f| f.seq.is_some()).collect();

    // Every batch reached the normal screen (as a diff, or as a snapshot if the screen itself fell
    // behind) soon after it was answered, each frame stamped by the server moments before it
    // arrived: the stuck screen held nobody up.
    let mut slowest = Duration::ZERO;
    for (answered, seq) in &answers {
        let arrival = stated
            .iter()
            .find(|f| f.seq >= Some(*seq))
            .unwrap_or_else(|| panic!("no frame of seq {seq} reached the normal screen"));
        slowest = slowest.max(arrival.at.saturating_duration_since(*answered));
    }
    let late_ms = stated.iter().filter_map(|f| f.late_ms).max().unwrap_or(0);
    let gap = stated
        .windows(2)
        .map(|w| w[1].at - w[0].at)
        .max()
        .unwrap_or_default();
    let normal = format!(
        "normal screen: {} diffs, {} snapshots, {} alerts for {} batches in {load:?}; slowest \
         batch {slowest:?}, largest gap {gap:?}, latest {late_ms} ms",
        count("diff"),
        count("snapshot"),
        count("alert"),
        answers.len()
    );
    assert!(
        slowest <= Duration::from_millis(DIFF_DUE_MS),
        "a batch was slow to reach the normal screen; {normal}"
    );
    assert!(
        late_ms <= DIFF_DUE_MS as i64,
        "a frame arrived long after the server stamped it; {normal}"
    );
    assert!(
        gap <= Duration::from_millis(DIFF_DUE_MS),
        "the normal screen waited long between frames while orders flowed; {normal}"
    );

    // The stuck screen now reads: a bounded remainder, then a close, or a snapshot in place of
    // its backlog (its first snapshot is the one sent on connecting; a second is a resync).
    let (mut stuck_diffs, mut snapshots) = (0, 0);
    let deadline = Instant::now() + Duration::from_millis(FRAME_TIMEOUT_MS);
    let ending = loop {
        match stuck.read(deadline).await {
            Ok(f) if kind(&f) == "diff" => stuck_diffs += 1,
            Ok(f) if kind(&f) == "snapshot" => {
                snapshots += 1;
                if snapshots == 2 {
                    break "resynced".to_owned();
                }
            }
            Ok(_) => {}
            Err(End::Quiet) => panic!(
                "the stuck screen was neither closed nor resynced: {stuck_diffs} diffs, \
                 {snapshots} snapshots, then nothing for {FRAME_TIMEOUT_MS} ms"
            ),
            Err(end) => break end.to_string(),
        }
    };
    eprintln!(
        "stuck screen: {stuck_diffs} diffs, {snapshots} snapshots, then {ending}; {normal}; \
         server RSS {rss_before} → {rss_after} KiB"
    );
    assert!(
        stuck_diffs < count("diff") && stuck_diffs < 100,
        "the stuck screen got {stuck_diffs} diffs of its backlog ({snapshots} snapshots, \
         {ending}); {normal}"
    );
    assert!(
        rss_after < rss_before + RSS_GROWTH_KIB_MAX,
        "the server's memory grew from {rss_before} KiB to {rss_after} KiB"
    );

    // And the server still serves new screens at once.
    let mut fresh = Screen::open(&s, "board", VIEWER).await;
    let snap = fresh.next(FRAME_TIMEOUT_MS).await;
    assert_eq!(codes(&snap).len(), FAT_SKUS);
}

// ---------------------------------------------------------------------------------------------
// Shutdown

#[tokio::test]
async fn sigterm_sends_connected_screens_a_1001_close_frame_and_the_server_exits_0() {
    let mut s = TestServer::start();
    s.create_skus(&json!([new_sku("A", 100, 1990)])).await;
    let mut screens = Vec::new();
    for (view, token) in [("board", VIEWER), ("host", VIEWER), ("overlay", OVERLAY)] {
        let mut screen = Screen::open(&s, view, token).await;
        assert_eq!(kind(&screen.next(FRAME_TIMEOUT_MS).await), "snapshot");
        screens.push(screen);
    }
    let readers: Vec<_> = screens
        .into_iter()
        .map(|mut screen| {
            tokio::spawn(async move {
                let deadline = Instant::now() + Duration::from_millis(STOP_TIMEOUT_MS);
                loop {
                    match screen.read(deadline).await {
                        Ok(_) => {}
                        Err(end) => return (screen.name, end),
                    }
                }
            })
        })
        .collect();
    let (s, status) = tokio::task::spawn_blocking(move || {
        let status = s.terminate();
        (s, status)
    })
    .await
    .unwrap();
    assert!(
        status.success(),
        "exit status {status:?}; output:\n{}",
        s.logs()
    );
    for reader in readers {
        let (name, end) = reader.await.unwrap();
        assert!(
            matches!(end, End::Closed(Some(CloseCode::Away))),
            "{name}: want a 1001 close frame, got {end}"
        );
    }
}
