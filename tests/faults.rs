//! Failing safely, end to end: a server on port 0 whose journal sits on a file system that fails on
//! command (a failing write, a failing sync, a full disk, a panicking writer). For each: what the
//! client was answered, what `/readyz` says, how `run` ends, and after a restart on the real disk,
//! that every answered event is there and nothing unanswered is.

use livestock::config::{Config, ServeArgs};
use livestock::journal::storage::{Faults, FaultyStorage};
use livestock::{RunError, RunOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

const TOKEN: &str = "faults-admin-token";
/// How long a test waits for something that should happen at once, before it fails.
const WAIT_MS: u64 = 15_000;

struct Server {
    base: String,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<Result<(), RunError>>,
}

/// Starts a server on `data` with the given storage options, and waits until it is ready.
async fn start(data: &Path, options: RunOptions) -> Server {
    let config_file = data.with_extension("toml");
    std::fs::write(&config_file, format!("[tokens]\nadmin = \"{TOKEN}\"\n")).unwrap();
    let args = ServeArgs {
        listen: Some("127.0.0.1:0".to_owned()),
        data: Some(data.to_owned()),
        config: Some(config_file),
        ..ServeArgs::default()
    };
    let config = Config::resolve(&args).unwrap();
    let (ready_tx, ready) = oneshot::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let options = RunOptions {
        on_ready: Some(ready_tx),
        ..options
    };
    let done = tokio::spawn(livestock::run_with(
        config,
        async {
            let _ = stopped.await;
        },
        options,
    ));
    let addr = tokio::time::timeout(Duration::from_millis(WAIT_MS), ready)
        .await
        .expect("the server gets ready")
        .expect("the server reports its address");
    Server {
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
        stop: Some(stop),
        done,
    }
}

fn faulty(faults: &Arc<Faults>, segment_bytes: u64) -> RunOptions {
    RunOptions {
        storage: Arc::new(FaultyStorage {
            faults: faults.clone(),
        }),
        segment_bytes,
        // Long enough for the test to look at the failed server before it stops by itself.
        failed_linger_ms: 60_000,
        ..RunOptions::default()
    }
}

impl Server {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Option<String>, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let retry = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, retry, body)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (status, _, body) = self.call(reqwest::Method::GET, path, None).await;
        (status, body)
    }

    async fn paid(&self, order_id: &str) -> (StatusCode, Option<String>, Value) {
        let event = json!({"channel": "douyin", "order_id": order_id, "kind": "paid",
            "buyer": format!("b-{order_id}"), "lines": [{"sku": "HOODIE", "qty": 1}]});
        self.call(reqwest::Method::POST, "/api/v1/orders", Some(event))
            .await
    }

    async fn sold_units(&self) -> i64 {
        let (status, view) = self.get("/api/v1/skus/HOODIE").await;
        assert_eq!(status, StatusCode::OK, "{view}");
        view["sold_units"].as_i64().unwrap()
    }

    /// Stops the server with its signal and returns how `run` ended.
    async fn stop(mut self) -> Result<(), RunError> {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_millis(WAIT_MS), self.done)
            .await
            .expect("the server stops")
            .unwrap()
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A board screen, past its first frame (a snapshot), which is returned too.
async fn board(s: &Server) -> (Ws, Value) {
    let url = format!(
        "{}/ws?view=board&token={TOKEN}",
        s.base.replacen("http://", "ws://", 1)
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let first = frame_where(&mut ws, "a snapshot", |_| true).await;
    assert_eq!(first["type"], "snapshot", "{first}");
    (ws, first)
}

/// The next frame that `wanted` accepts, skipping the others; fails after [`WAIT_MS`].
async fn frame_where(ws: &mut Ws, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    use futures_util::StreamExt;
    let deadline = Instant::now() + Duration::from_millis(WAIT_MS);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = tokio::time::timeout(left, ws.next())
            .await
            .unwrap_or_else(|_| panic!("{what}: no such frame within {WAIT_MS} ms"))
            .expect("the screen stays open")
            .expect("a frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = msg {
            let frame: Value = serde_json::from_str(&text).unwrap();
            if wanted(&frame) {
                return frame;
            }
        }
    }
}

async fn catalog(s: &Server) {
    let sku = json!({"sku": "HOODIE", "name": "加绒卫衣 黑 L", "category": "apparel",
        "price_cents": 19900, "on_hand": 5000});
    let (status, _, body) = s
        .call(reqwest::Method::POST, "/api/v1/skus", Some(sku))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

fn set(flag: &AtomicBool, on: bool) {
    Faults::set(flag, on);
}

/// A journal fault: the batch is answered 503, the next write is refused at once, `/readyz` is
/// red, reads show only durable state, `run` ends with a journal error (exit 74), and after a
/// restart every acknowledged event is there and the unacknowledged one is not.
async fn a_journal_fault_fails_stop(flag: fn(&Faults) -> &AtomicBool, expect_panic: bool) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let faults = Arc::new(Faults::default());
    let s = start(&data, faulty(&faults, 1 << 20)).await;
    catalog(&s).await;
    for i in 0..5 {
        let (status, _, body) = s.paid(&format!("OK-{i}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    set(flag(&faults), true);
    let (status, retry, body) = s.paid("LOST").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    assert!(retry.is_some(), "a refused write says when to retry");
    set(flag(&faults), false);
    let (status, _, body) = s.paid("AFTER").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a failed journal is never retried: {body}"
    );
    let (status, ready) = s.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(ready["writes"], "failed", "{ready}");
    assert_eq!(s.sold_units().await, 5, "reads serve durable state only");
    let ended = s.stop().await;
    let err = ended.expect_err("run ends with the journal's error");
    assert_eq!(err.exit_code(), 74, "{err}");
    if expect_panic {
        assert!(err.to_string().contains("panicked"), "{err}");
    }

    let s = start(&data, RunOptions::default()).await;
    assert_eq!(
        s.sold_units().await,
        5,
        "exactly the acknowledged events came back"
    );
    for i in 0..5 {
        let (status, _, body) = s.paid(&format!("OK-{i}")).await;
        assert_eq!(
            (status, body["result"].as_str()),
            (StatusCode::OK, Some("duplicate"))
        );
    }
    let (status, _, body) = s.paid("LOST").await;
    assert_eq!(
        (status, body["result"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "the unanswered event was never applied, so its retry is judged afresh: {body}"
    );
    s.stop().await.expect("a clean stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_answers_503_and_stops_with_nothing_unanswered_kept() {
    a_journal_fault_fails_stop(|f| &f.fail_append, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sync_answers_503_and_stops_with_nothing_unanswered_kept() {
    a_journal_fault_fails_stop(|f| &f.fail_sync, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_writer_answers_503_and_never_reports_ready() {
    a_journal_fault_fails_stop(|f| &f.panic_on_append, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_before_any_change_and_recovers_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let faults = Arc::new(Faults::default());
    // Small segments, so a new one is needed after a few orders.
    let s = start(&data, faulty(&faults, 8 << 10)).await;
    catalog(&s).await;
    let (mut screen, first) = board(&s).await;
    assert_eq!(first["writes"], "ok", "{first}");
    set(&faults.no_space, true);
    let mut acked = 0;
    let refused = loop {
        let (status, retry, body) = s.paid(&format!("O-{acked}")).await;
        if status == StatusCode::OK {
            acked += 1;
            assert!(acked < 1000, "a full disk is noticed within a segment");
            continue;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
        assert_eq!(retry.as_deref(), Some("5"), "{body}");
        break format!("O-{acked}");
    };
    assert_eq!(
        s.sold_units().await,
        acked,
        "the refused order changed nothing"
    );
    let (status, ready) = s.get("/readyz").await;
    assert_eq!(
        (status, ready["writes"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("disk_full")),
        "{ready}"
    );
    let (status, _) = s.get("/api/v1/alerts").await;
    assert_eq!(status, StatusCode::OK, "reads keep working on a full disk");
    // The screens learn it at once, with nothing else changing, so the board can show its banner.
    let paused = frame_where(&mut screen, "a diff saying the disk is full", |f| {
        f["type"] == "diff" && f["writes"] == "disk_full"
    })
    .await;
    assert!(paused["seq"].is_u64(), "{paused}");

    set(&faults.no_space, false);
    let deadline = Instant::now() + Duration::from_millis(WAIT_MS);
    loop {
        let (status, ready) = s.get("/readyz").await;
        if status == StatusCode::OK {
            assert_eq!(ready["writes"], "ok");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "writes resume once space returns: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    frame_where(&mut screen, "a diff saying writes resumed", |f| {
        f["type"] == "diff" && f["writes"] == "ok"
    })
    .await;
    let (status, _, body) = s.paid(&refused).await;
    assert_eq!(
        (status, body["result"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{body}"
    );
    s.stop()
        .await
        .expect("a full disk that recovered stops cleanly");

    let s = start(&data, RunOptions::default()).await;
    assert_eq!(
        s.sold_units().await,
        acked + 1,
        "every acknowledged order is there after a restart"
    );
    s.stop().await.expect("a clean stop");
}
