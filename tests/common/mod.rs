//! A test server: the real `livestock` binary on port 0 over a temporary data dir, with one token per
//! role, that can be restarted on the same data, stopped with SIGTERM or killed with SIGKILL, and that
//! is killed when dropped. Plus small HTTP helpers the end-to-end tests share. Both are a thin layer
//! over the tools' own harness and client (`livestock::tools::{child, client}`), which panics with the
//! server's output where a tool would return an error.
//!
//! Each test binary uses a different part of this module, hence the `dead_code` allowance.
#![allow(dead_code)]

use livestock::domain::role::Role;
use livestock::tools::child::{Logs, ServerChild, ServerOptions};
use livestock::tools::client::{self, Retry};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

/// Every field of the stock view (API.md "Catalog and stock").
pub const VIEW_FIELDS: [&str; 19] = [
    "sku",
    "name",
    "category",
    "price_cents",
    "on_hand",
    "damaged",
    "buffer",
    "held",
    "committed",
    "available",
    "presale_cap",
    "presale_sold",
    "sold_units",
    "gmv_cents",
    "base",
    "rate_per_min",
    "sellout_minutes",
    "sell_through",
    "level",
];

pub const ADMIN: &str = "test-admin-token-a1";
pub const OPERATOR: &str = "test-operator-token-o2";
pub const WAREHOUSE: &str = "test-warehouse-token-w3";
pub const INGEST: &str = "test-ingest-token-i4";
pub const OVERLAY: &str = "test-overlay-token-v5";
pub const VIEWER: &str = "test-viewer-token-r6";

/// How long a start (including journal replay) may take before the test fails.
pub const START_TIMEOUT_MS: u64 = 20_000;
/// How long a SIGTERM'd server may take to finish and exit (the harness's own bound).
pub const STOP_TIMEOUT_MS: u64 = livestock::tools::child::STOP_TIMEOUT_MS;
/// How long any one HTTP request may take (the client's own bound).
pub const REQUEST_TIMEOUT_MS: u64 = client::REQUEST_TIMEOUT_MS;

/// The real server, on a data dir that outlives its restarts.
pub struct TestServer {
    child: Option<ServerChild>,
    /// `http://127.0.0.1:PORT` of the current process (a restart picks a new port).
    pub base: String,
    /// Held so the directory lives as long as the server, across restarts.
    data: tempfile::TempDir,
    /// How every process on this data dir is started: its tokens, its `--config` text, and the
    /// log that keeps the output of all of them, for failure messages.
    options: ServerOptions,
    api: client::Client,
}

/// A new HTTP client with the test timeout (one per simulated channel connection).
pub fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_millis(REQUEST_TIMEOUT_MS))
        .build()
        .expect("building an HTTP client")
}

impl TestServer {
    /// Starts a server on a fresh data dir with the default configuration.
    pub fn start() -> TestServer {
        Self::start_inner(None)
    }

    /// Starts a server on a fresh data dir with `toml` as its `--config` file.
    pub fn start_with_config(toml: &str) -> TestServer {
        Self::start_inner(Some(toml.to_owned()))
    }

    fn start_inner(config_toml: Option<String>) -> TestServer {
        let data = tempfile::tempdir().expect("creating a temp data dir");
        let tokens = [
            (Role::Admin, ADMIN),
            (Role::Operator, OPERATOR),
            (Role::Warehouse, WAREHOUSE),
            (Role::Ingest, INGEST),
            (Role::Overlay, OVERLAY),
            (Role::Viewer, VIEWER),
        ];
        let options = ServerOptions {
            exe: Some(env!("CARGO_BIN_EXE_livestock").into()),
            listen: "127.0.0.1:0".to_owned(),
            data: Some(data.path().to_owned()),
            config_toml,
            tokens: tokens.map(|(r, t)| (r, t.to_owned())).to_vec(),
            log_filter: "warn".to_owned(),
            temp_prefix: "livestock-test".to_owned(),
            logs: Some(Logs::default()),
            start_timeout_ms: START_TIMEOUT_MS,
        };
        let mut server = TestServer {
            child: None,
            base: String::new(),
            data,
            options,
            api: client::Client::over(client(), "http://127.0.0.1:0", Retry::RATE_LIMITED),
        };
        server.spawn();
        server
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the server is running").pid()
    }

    /// Starts the binary on this server's data dir and waits for its `listening` line.
    fn spawn(&mut self) {
        assert!(
            self.child.is_none(),
            "the previous process is still running"
        );
        let child = ServerChild::spawn(&self.options)
            .unwrap_or_else(|e| panic!("{e}; its output:\n{}", self.logs()));
        self.base = child.url.clone();
        self.api = client::Client::over(client(), &self.base, Retry::RATE_LIMITED);
        self.child = Some(child);
    }

    /// Starts the server again on the same data dir; the previous process must have exited.
    pub fn restart(&mut self) {
        self.spawn();
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        child
            .stop()
            .unwrap_or_else(|e| panic!("{e}; its output:\n{}", self.logs()))
    }

    /// Kills the process with SIGKILL (no chance to flush anything) and reaps it.
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("the server is running");
        let _ = child.kill();
    }

    /// Everything the server printed so far (stdout and stderr), for failure messages.
    pub fn logs(&self) -> String {
        self.options
            .logs
            .as_ref()
            .map(Logs::text)
            .unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request with an optional bearer token and JSON body; answers the status and the body
    /// as JSON (`Null` when empty, a string when not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let bytes = body.map(|b| serde_json::to_vec(b).expect("serialising a body"));
        self.call_raw(method, path, token, bytes).await
    }

    /// Sends `bytes` as the body, as `application/json`.
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        bytes: Option<Vec<u8>>,
    ) -> (StatusCode, Value) {
        self.api
            .send(method, path, token, bytes)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}\nserver output:\n{}", self.logs()))
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    /// Posts order events (one object or an array) as the ingest role.
    pub async fn orders(&self, body: &Value) -> (StatusCode, Value) {
        self.post("/api/v1/orders", INGEST, body).await
    }

    /// Creates SKUs as the operator and insists on 201.
    pub async fn create_skus(&self, body: &Value) -> Value {
        let (st, b) = self.post("/api/v1/skus", OPERATOR, body).await;
        assert_eq!(st, StatusCode::CREATED, "creating SKUs {body}: {b}");
        b
    }

    /// One SKU's stock view, checking the invariant of API.md on the way.
    pub async fn sku(&self, code: &str) -> Value {
        let (st, v) = self.get(&format!("/api/v1/skus/{code}"), VIEWER).await;
        assert_eq!(st, StatusCode::OK, "GET SKU {code}: {v}");
        assert_invariant(&v);
        v
    }

    /// Every SKU's stock view.
    pub async fn skus(&self) -> Value {
        let (st, v) = self.get("/api/v1/skus", VIEWER).await;
        assert_eq!(st, StatusCode::OK, "GET /api/v1/skus: {v}");
        for s in v.as_array().expect("the SKU list is an array") {
            assert_invariant(s);
        }
        v
    }

    /// One order as the server keeps it.
    pub async fn order(&self, channel: &str, order_id: &str) -> (StatusCode, Value) {
        self.get(&format!("/api/v1/orders/{channel}/{order_id}"), VIEWER)
            .await
    }

    /// The journal sequence number the server's state includes, from `/readyz`.
    pub async fn seq(&self) -> u64 {
        let (st, b) = self.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(st, StatusCode::OK, "/readyz: {b}");
        b["seq"].as_u64().expect("/readyz has a seq")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
        }
    }
}

/// Sends one request with `client`; a 429 is retried after a short pause (order events are
/// idempotent, and a rate limit is not what these tests are about). Errors are transport errors.
pub async fn send(
    client: &Client,
    base: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    bytes: Option<Vec<u8>>,
) -> Result<(StatusCode, Value), String> {
    client::Client::over(client.clone(), base, Retry::RATE_LIMITED)
        .send(method, path, token, bytes)
        .await
}

/// Asserts `body` is the error body of API.md with `code`, and returns its `field`, if any.
#[track_caller]
pub fn assert_error(body: &Value, code: &str) -> Option<String> {
    let e = &body["error"];
    assert!(
        e.is_object(),
        "want an error body {{\"error\": {{...}}}}, got {body}"
    );
    assert_eq!(e["code"], json!(code), "error code in {body}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error message in {body}"
    );
    e["field"].as_str().map(str::to_owned)
}

/// Posts one paid order of `qty` units of `sku` (channel douyin) and insists it is accepted.
pub async fn sell(server: &TestServer, order_id: &str, sku: &str, qty: i64) {
    let (st, b) = server
        .orders(&event("douyin", order_id, "paid", &[(sku, qty)]))
        .await;
    assert_eq!(st, StatusCode::OK, "order {order_id}: {b}");
    assert_eq!(b["result"], "accepted", "order {order_id}: {b}");
}

/// The invariant of API.md: `available == on_hand - damaged - buffer - held - committed >= 0`.
#[track_caller]
pub fn assert_invariant(v: &Value) {
    let n = |k: &str| {
        v[k].as_i64()
            .unwrap_or_else(|| panic!("{k} is not an integer in {v}"))
    };
    let available = n("available");
    assert_eq!(
        available,
        n("on_hand") - n("damaged") - n("buffer") - n("held") - n("committed"),
        "available is not on_hand - damaged - buffer - held - committed in {v}"
    );
    assert!(available >= 0, "available below zero in {v}");
}

/// The stock views without the fields that move with the clock (the sales rate is a function of
/// the minute it is read in), so two reads of unchanged books compare equal across a minute.
pub fn stable_views(skus: &Value) -> Value {
    let mut v = skus.clone();
    for s in v.as_array_mut().expect("a list of stock views") {
        let o = s.as_object_mut().expect("a stock view");
        o.remove("rate_per_min");
        o.remove("sellout_minutes");
    }
    v
}

/// A SKU as `POST /api/v1/skus` takes it.
pub fn new_sku(code: &str, on_hand: i64, price_cents: i64) -> Value {
    json!({"sku": code, "name": format!("商品 {code}"), "category": "apparel",
           "price_cents": price_cents, "on_hand": on_hand})
}

/// An order event with `(sku, qty)` lines at the catalog price.
pub fn event(channel: &str, order_id: &str, kind: &str, lines: &[(&str, i64)]) -> Value {
    let mut e = json!({"channel": channel, "order_id": order_id, "kind": kind});
    if !lines.is_empty() {
        e["lines"] = lines
            .iter()
            .map(|(sku, qty)| json!({"sku": sku, "qty": qty}))
            .collect();
    }
    e
}

/// An order event of one buyer.
pub fn buyer_event(
    channel: &str,
    order_id: &str,
    kind: &str,
    buyer: &str,
    lines: &[(&str, i64)],
) -> Value {
    let mut e = event(channel, order_id, kind, lines);
    e["buyer"] = json!(buyer);
    e
}

/// Polls `probe` every 50 ms until it answers `Some`, or panics after `timeout_ms` with `what`.
pub async fn poll<T, F, Fut>(timeout_ms: u64, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_millis(timeout_ms);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not so after {timeout_ms} ms"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
