//! The screens' sockets under their limits, from the outside with raw clients against `web::app()`
//! served in-process on port 0 (so the caps can be set low): connections capped in total and per
//! token (503 `unavailable` with `Retry-After`, before the upgrade), a closed connection giving its
//! slot back, a flood of `resync` not served, and the `writes` field of snapshots and diffs.

use futures_util::{SinkExt, StreamExt};
use livestock::domain::PoolConfig;
use livestock::domain::alerts::AlertConfig;
use livestock::engine::{self, Engine};
use livestock::journal::Journal;
use livestock::web::auth::{Role, Tokens};
use livestock::web::feed::Feed;
use livestock::web::ws::limits::WsLimits;
use livestock::web::{self, AppState};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const VIEWER_A: &str = "limits-viewer-a";
const VIEWER_B: &str = "limits-viewer-b";
const OPERATOR: &str = "limits-operator";
/// How long any one frame or upgrade the test waits for may take.
const FRAME_TIMEOUT_MS: u64 = 5_000;
/// The feed's tick in these servers.
const TICK_MS: u64 = 50;
/// Records between snapshots of the journal: none are written in these short tests.
const SNAPSHOT_EVERY_RECORDS: u64 = 1_000_000;

/// The server in this process over a temporary journal; stops its feed and writer when dropped.
struct Server {
    addr: SocketAddr,
    engine: Engine,
    feed: Arc<Feed>,
    _data: tempfile::TempDir,
}

impl Server {
    async fn start(limits: WsLimits) -> Server {
        let data = tempfile::tempdir().expect("a temporary data dir");
        let recovered = Journal::open(data.path(), PoolConfig::default(), SNAPSHOT_EVERY_RECORDS)
            .expect("a fresh journal opens");
        let (engine, _writer) = Engine::start(
            recovered.pool,
            Box::new(recovered.journal),
            engine::system_clock(),
            engine::tick_ms_for(1.0),
            AlertConfig::default(),
        );
        let feed = Feed::new(TICK_MS);
        let tokens = Tokens::new(vec![
            (Role::Viewer, VIEWER_A.to_owned()),
            (Role::Overlay, VIEWER_B.to_owned()),
            (Role::Operator, OPERATOR.to_owned()),
        ]);
        let state = AppState::new(tokens, feed.clone()).with_ws_limits(limits);
        state.set_engine(engine.clone());
        tokio::spawn(feed.clone().run(engine.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, web::app(state)).await });
        Server {
            addr,
            engine,
            feed,
            _data: data,
        }
    }

    fn ws_url(&self, view: &str, token: &str) -> String {
        format!("ws://{}/ws?view={view}&token={token}", self.addr)
    }

    /// Opens a socket, or gives the status, `Retry-After` and error body of the refusal.
    async fn try_open(
        &self,
        view: &str,
        token: &str,
    ) -> Result<Screen, (u16, Option<String>, Value)> {
        let url = self.ws_url(view, token);
        let opened = tokio::time::timeout(
            Duration::from_millis(FRAME_TIMEOUT_MS),
            tokio_tungstenite::connect_async(url.as_str()),
        )
        .await
        .unwrap_or_else(|_| panic!("opening {url} timed out"));
        match opened {
            Ok((ws, resp)) => {
                assert_eq!(resp.status().as_u16(), 101, "{url}");
                Ok(Screen { ws })
            }
            Err(tungstenite::Error::Http(resp)) => {
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = resp
                    .body()
                    .as_deref()
                    .and_then(|b| serde_json::from_slice(b).ok())
                    .unwrap_or(Value::Null);
                Err((resp.status().as_u16(), retry_after, body))
            }
            Err(e) => panic!("opening {url} failed without an HTTP answer: {e}"),
        }
    }

    async fn open(&self, view: &str, token: &str) -> Screen {
        match self.try_open(view, token).await {
            Ok(screen) => screen,
            Err(refusal) => panic!("the upgrade of {view} for {token} was refused: {refusal:?}"),
        }
    }

    /// The refusal of an upgrade the test expects to be refused.
    async fn refused(&self, view: &str, token: &str) -> (u16, Option<String>, Value) {
        match self.try_open(view, token).await {
            Ok(_) => panic!("the upgrade of {view} for {token} was accepted"),
            Err(refusal) => refusal,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.feed.close();
        self.engine.stop();
    }
}

struct Screen {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Screen {
    /// The next JSON text frame (pings and pongs skipped); anything else fails the test.
    async fn next(&mut self) -> Value {
        let deadline = Instant::now() + Duration::from_millis(FRAME_TIMEOUT_MS);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = tokio::time::timeout(left, self.ws.next())
                .await
                .expect("a frame within the timeout")
                .expect("the socket is open")
                .expect("a well-formed frame");
            match msg {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON frames"),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("an unexpected message: {other:?}"),
            }
        }
    }

    /// The next snapshot or error frame, the feed's diffs and alerts skipped (the series takes its
    /// samples meanwhile).
    async fn next_answer(&mut self) -> Value {
        loop {
            let frame = self.next().await;
            if matches!(kind(&frame), "snapshot" | "error") {
                return frame;
            }
        }
    }

    async fn send(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("sending");
    }

    /// Closes the socket and waits for the server's close in answer.
    async fn close(mut self) {
        self.ws.close(None).await.expect("sending a close");
        let deadline = Duration::from_millis(FRAME_TIMEOUT_MS);
        while let Ok(Some(Ok(_))) = tokio::time::timeout(deadline, self.ws.next()).await {}
    }
}

fn kind(frame: &Value) -> &str {
    frame["type"].as_str().unwrap_or("")
}

fn limits(connections_max: usize, per_token_max: usize) -> WsLimits {
    WsLimits {
        connections_max,
        per_token_max,
        ..WsLimits::default()
    }
}

/// Asserts a refusal is 503 `unavailable` with a `Retry-After` in seconds.
fn assert_unavailable((status, retry_after, body): &(u16, Option<String>, Value)) {
    assert_eq!(*status, 503, "{body}");
    assert_eq!(body["error"]["code"], json!("unavailable"), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    let secs: u32 = retry_after
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a Retry-After in seconds, not {retry_after:?}"));
    assert!(secs >= 1, "Retry-After {secs}");
}

#[tokio::test]
async fn past_its_per_token_cap_or_the_total_cap_an_upgrade_is_refused_503_with_retry_after() {
    let s = Server::start(limits(3, 2)).await;
    let _a1 = s.open("board", VIEWER_A).await;
    let _a2 = s.open("board", VIEWER_A).await;
    assert_unavailable(&s.refused("board", VIEWER_A).await);
    let _b = s.open("overlay", VIEWER_B).await;
    assert_unavailable(&s.refused("host", OPERATOR).await);
    assert_unavailable(&s.refused("board", VIEWER_B).await);
}

#[tokio::test]
async fn a_connection_that_ends_gives_its_slot_back_and_a_refused_one_never_took_one() {
    let s = Server::start(limits(1, 1)).await;
    let mut first = s.open("board", VIEWER_A).await;
    assert_eq!(kind(&first.next().await), "snapshot");
    for _ in 0..3 {
        assert_unavailable(&s.refused("board", VIEWER_B).await);
    }
    first.close().await;
    let deadline = Instant::now() + Duration::from_millis(FRAME_TIMEOUT_MS);
    let mut again = loop {
        match s.try_open("board", VIEWER_B).await {
            Ok(screen) => break screen,
            Err(refusal) if Instant::now() < deadline => assert_unavailable(&refusal),
            Err(refusal) => panic!("the slot was not given back: {refusal:?}"),
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(kind(&again.next().await), "snapshot");
}

#[tokio::test]
async fn a_flood_of_resyncs_is_served_only_up_to_the_burst() {
    let s = Server::start(WsLimits {
        resync_interval_ms: 60_000,
        resync_burst: 2,
        ..WsLimits::default()
    })
    .await;
    let mut board = s.open("board", VIEWER_A).await;
    assert_eq!(kind(&board.next().await), "snapshot");
    for _ in 0..50 {
        board.send(r#"{"type":"resync"}"#).await;
    }
    // Messages are taken in order: the error for this one comes after all 50 resyncs were judged.
    board.send(r#"{"type":"marker"}"#).await;
    let mut snapshots = 0;
    while kind(&board.next_answer().await) == "snapshot" {
        snapshots += 1;
    }
    assert_eq!(snapshots, 2, "the burst of 2 served, the other 48 wait");
}

#[tokio::test]
async fn resyncs_past_the_budget_are_coalesced_into_one_later_snapshot() {
    let s = Server::start(WsLimits {
        resync_interval_ms: 300,
        resync_burst: 1,
        ..WsLimits::default()
    })
    .await;
    let mut board = s.open("board", VIEWER_A).await;
    assert_eq!(kind(&board.next().await), "snapshot");
    for _ in 0..20 {
        board.send(r#"{"type":"resync"}"#).await;
    }
    board.send(r#"{"type":"marker"}"#).await;
    assert_eq!(
        kind(&board.next_answer().await),
        "snapshot",
        "the first is served"
    );
    assert_eq!(
        kind(&board.next_answer().await),
        "error",
        "the 19 others wait"
    );
    assert_eq!(
        kind(&board.next_answer().await),
        "snapshot",
        "served once, later"
    );
    board.send(r#"{"type":"marker"}"#).await;
    assert_eq!(kind(&board.next_answer().await), "error", "and only once");
}

#[tokio::test]
async fn snapshots_and_diffs_say_whether_writes_are_taken() {
    let s = Server::start(WsLimits::default()).await;
    let mut board = s.open("board", VIEWER_A).await;
    let mut host = s.open("host", VIEWER_B).await;
    for (name, screen) in [("board", &mut board), ("host", &mut host)] {
        let snapshot = screen.next().await;
        assert_eq!(kind(&snapshot), "snapshot", "{name}");
        assert_eq!(snapshot["writes"], json!("ok"), "{name}: {snapshot}");
    }
    let created = reqwest::Client::new()
        .post(format!("http://{}/api/v1/skus", s.addr))
        .bearer_auth(OPERATOR)
        .json(&json!({"sku": "A", "name": "A", "category": "apparel", "price_cents": 100, "on_hand": 5}))
        .send()
        .await
        .expect("POST /api/v1/skus");
    assert_eq!(created.status().as_u16(), 201);
    // The first diff may carry only a chart sample; the SKU's follows.
    let diff = loop {
        let frame = board.next().await;
        if kind(&frame) != "diff" {
            continue;
        }
        assert_eq!(frame["writes"], json!("ok"), "{frame}");
        if frame["skus"].as_array().is_some_and(|s| !s.is_empty()) {
            break frame;
        }
    };
    assert_eq!(diff["skus"][0]["sku"], json!("A"), "{diff}");
}
