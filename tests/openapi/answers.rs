//! Real answers, HTTP and WebSocket, asked through the document: each has a documented status
//! and matches the documented schema.

use crate::common::*;
use crate::schema::assert_matches;
use crate::{an_alert, document, resolve, schema};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

/// How long a WebSocket handshake and its first frame may take.
const WS_WAIT_MS: u64 = 5_000;
/// A body just over the server's 2 MiB limit (far over, the server may close before it is sent).
const OVERSIZED_BODY_BYTES: usize = (2 << 20) + 4096;

/// The path of the document that `path` (a real one, perhaps with a query) is an instance of.
fn template<'a>(doc: &'a Value, path: &str) -> &'a str {
    let path = path.split('?').next().unwrap_or_default();
    let paths = doc["paths"].as_object().expect("paths");
    if let Some((t, _)) = paths.get_key_value(path) {
        return t;
    }
    let segments: Vec<&str> = path.split('/').collect();
    paths
        .keys()
        .find(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            ts.len() == segments.len()
                && ts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && t.ends_with('}')))
        })
        .unwrap_or_else(|| panic!("no documented path for {path}"))
}

/// Asserts that `status` is documented for `method path`, and that a JSON body matches its schema.
#[track_caller]
pub(crate) fn assert_documented(
    doc: &Value,
    method: &Method,
    path: &str,
    status: StatusCode,
    body: &Value,
) {
    let template = template(doc, path);
    let what = format!("{method} {template} answering {status}");
    let op = &doc["paths"][template][method.as_str().to_lowercase()];
    assert!(op.is_object(), "{what}: no such operation in the document");
    let response = op["responses"]
        .get(status.as_str())
        .map(|r| resolve(doc, r))
        .unwrap_or_else(|| panic!("{what}: the status is not documented; the body: {body}"));
    match response["content"].get("application/json") {
        Some(media) => assert_matches(doc, &media["schema"], body, &what),
        None => assert!(
            !body.is_object() && !body.is_array(),
            "{what}: a JSON body {body} where the document has none"
        ),
    }
}

/// The server, asked through the document: every answer must be documented and match its schema.
pub(crate) struct Api<'a> {
    pub(crate) server: &'a TestServer,
    pub(crate) doc: &'a Value,
}

impl Api<'_> {
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let bytes = body.map(|b| serde_json::to_vec(&b).expect("a JSON body"));
        self.send_raw(method, path, token, bytes).await
    }

    pub(crate) async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        bytes: Option<Vec<u8>>,
    ) -> (StatusCode, Value) {
        let (st, b) = self
            .server
            .call_raw(method.clone(), path, token, bytes)
            .await;
        assert_documented(self.doc, &method, path, st, &b);
        (st, b)
    }

    pub(crate) async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(Method::GET, path, token, None).await
    }

    pub(crate) async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(token), Some(body)).await
    }
}

#[tokio::test]
async fn real_answers_have_a_documented_status_and_match_its_schema() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    let (op, wh, ing, ov, vw) = (
        Some(OPERATOR),
        Some(WAREHOUSE),
        Some(INGEST),
        Some(OVERLAY),
        Some(VIEWER),
    );

    // Health, the catalog and its refusals.
    api.get("/healthz", None).await;
    api.get("/readyz", None).await;
    let skus = "/api/v1/skus";
    let hoodie = new_sku("HOODIE-BLK-L", 100, 19_900);
    let (st, _) = api.post(skus, OPERATOR, hoodie.clone()).await;
    assert_eq!(st, StatusCode::CREATED);
    let many = json!([new_sku("CAP-RED", 50, 5_900), new_sku("SOCKS-3", 10, 1_900)]);
    let (st, b) = api.post(skus, OPERATOR, many).await;
    assert_eq!(
        (st, b.as_array().map(Vec::len)),
        (StatusCode::CREATED, Some(2))
    );
    let (st, _) = api.post(skus, OPERATOR, hoodie).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = api.post(skus, OPERATOR, new_sku("bad code!", 1, 1)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = api
        .send_raw(Method::POST, skus, op, Some(b"{no".to_vec()))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let too_many: Vec<Value> = (0..1001).map(|i| new_sku(&format!("X{i}"), 1, 1)).collect();
    let (st, _) = api.post(skus, OPERATOR, Value::Array(too_many)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    let huge = vec![b' '; OVERSIZED_BODY_BYTES];
    let (st, _) = api.send_raw(Method::POST, skus, op, Some(huge)).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    let (st, _) = api.post(skus, VIEWER, json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = api.get(skus, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    api.get(skus, vw).await;

    // One SKU, its patch and its movements.
    let hoodie = "/api/v1/skus/HOODIE-BLK-L";
    api.get(hoodie, vw).await;
    let (st, _) = api.get("/api/v1/skus/NOPE", vw).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let limit = json!({"per_buyer_limit": 3, "buffer": 5});
    let (st, b) = api.send(Method::PATCH, hoodie, op, Some(limit)).await;
    assert_eq!((st, &b["per_buyer_limit"]), (StatusCode::OK, &json!(3)));
    let too_much = json!({"buffer": 11});
    let (st, _) = api
        .send(Method::PATCH, "/api/v1/skus/SOCKS-3", op, Some(too_much))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let moves = "/api/v1/skus/HOODIE-BLK-L/movements";
    let receipt =
        json!({"kind": "receive", "qty": 20, "by": "li", "verified_by": "wang", "zone": "A-3"});
    let (st, _) = api.post(moves, WAREHOUSE, receipt).await;
    assert_eq!(st, StatusCode::CREATED);
    api.post(
        moves,
        WAREHOUSE,
        json!({"kind": "count", "qty": 118, "by": "li"}),
    )
    .await;
    let undamage = json!({"kind": "undamage", "qty": 1, "by": "li"});
    let (st, _) = api.send(Method::POST, moves, wh, Some(undamage)).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, b) = api.get(moves, vw).await;
    assert_eq!(
        (st, b["movements"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(2))
    );

    // Orders: accepted, duplicate, rejected, refused, malformed, a batch, and the orders.
    let orders = "/api/v1/orders";
    let created = buyer_event("douyin", "DY-1", "created", "u1", &[("HOODIE-BLK-L", 2)]);
    let (st, b) = api.post(orders, INGEST, created.clone()).await;
    assert_eq!((st, &b["result"]), (StatusCode::OK, &json!("accepted")));
    let (_, b) = api.post(orders, INGEST, created).await;
    assert_eq!(b["result"], "duplicate");
    let greedy = event("douyin", "DY-2", "created", &[("SOCKS-3", 11)]);
    let (st, b) = api.post(orders, INGEST, greedy).await;
    assert_eq!(
        (st, &b["reason"]),
        (StatusCode::CONFLICT, &json!("out_of_stock"))
    );
    let lineless = event("douyin", "DY-3", "paid", &[]);
    let (st, b) = api.post(orders, INGEST, lineless.clone()).await;
    assert_eq!(
        (st, &b["result"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("rejected"))
    );
    let malformed = event("douyin", "DY-4", "created", &[("HOODIE-BLK-L", 0)]);
    let (st, _) = api.post(orders, INGEST, malformed).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let batch = json!([
        event("douyin", "DY-1", "paid", &[]),
        event("douyin", "DY-5", "created", &[("CAP-RED", 99)]),
        lineless,
    ]);
    let (st, b) = api.post(orders, INGEST, batch).await;
    assert_eq!(
        (st, b["results"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(3))
    );
    let (st, _) = api.send(Method::POST, orders, ing, None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "no body");
    api.get("/api/v1/orders/douyin/DY-1", vw).await;
    api.get("/api/v1/orders/douyin/DY-2", vw).await;
    let (st, _) = api.get("/api/v1/orders/douyin/NOPE", vw).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The show, from none to ended.
    let show = "/api/v1/show";
    let (_, b) = api.get(show, vw).await;
    assert_eq!(b["state"], "none");
    let (st, _) = api.send(Method::POST, "/api/v1/show/start", op, None).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let plan = json!({"title": "双十一返场专场", "lineup": [
        {"sku": "HOODIE-BLK-L", "planned_start": "2026-11-24T20:00:00+08:00",
         "planned_rate_per_min": 30},
        {"sku": "CAP-RED"}]});
    let (st, _) = api.post(show, OPERATOR, plan).await;
    assert_eq!(st, StatusCode::CREATED);
    let current = "/api/v1/show/current";
    let on_air = json!({"sku": "HOODIE-BLK-L"});
    api.send(Method::PUT, current, ov, Some(on_air)).await;
    let (st, _) = api
        .send(Method::PUT, current, ov, Some(json!({"sku": "NOPE"})))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let viewers = "/api/v1/show/viewers";
    api.post(viewers, OVERLAY, json!({"online": 102_345})).await;
    let (st, _) = api.send(Method::POST, "/api/v1/show/start", op, None).await;
    assert_eq!(st, StatusCode::OK);
    sell(&server, "DY-6", "CAP-RED", 48).await;
    let (_, b) = api.get(show, vw).await;
    assert_eq!(b["state"], "live");
    let alert = an_alert(&server).await;

    // Warnings.
    api.get("/api/v1/alerts?open=true", vw).await;
    let ack = format!(
        "/api/v1/alerts/{}/ack",
        alert["id"].as_str().expect("an id")
    );
    let (st, b) = api.post(&ack, WAREHOUSE, json!({"by": "li"})).await;
    assert_eq!((st, &b["acked_by"]), (StatusCode::OK, &json!("li")));
    let (st, _) = api
        .post("/api/v1/alerts/nope/ack", OPERATOR, json!({"by": "li"}))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = api.post(&ack, INGEST, json!({"by": "li"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = api.get("/api/v1/alerts?open=maybe", vw).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    api.get("/api/v1/alerts", vw).await;

    let (st, _) = api.send(Method::POST, "/api/v1/show/end", op, None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = api.post(viewers, OVERLAY, json!({"online": 1})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    api.get(show, vw).await;

    // The WebSocket: a plain GET, a bad view, and the first frame of two kinds of screen.
    let (st, _) = api.get("/ws?view=board", vw).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "a plain GET is not an upgrade");
    let (st, b) = ws_refusal(&server, "view=nope").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "a bad view: {b}");
    assert_documented(&doc, &Method::GET, "/ws", st, &b);
    for view in ["board", "host"] {
        let snapshot = first_frame(&server, view).await;
        let what = format!("the {view} snapshot");
        let frames = &doc["paths"]["/ws"]["get"]["x-websocket"]["serverFrames"];
        assert_matches(&doc, frames, &snapshot, &what);
        assert_matches(&doc, schema(&doc, "WsSnapshot"), &snapshot, &what);
    }
}

fn ws_url(server: &TestServer, query: &str) -> String {
    format!(
        "{}/ws?{query}&token={VIEWER}",
        server.base.replacen("http://", "ws://", 1)
    )
}

/// The HTTP answer to a WebSocket handshake the server refuses.
async fn ws_refusal(server: &TestServer, query: &str) -> (StatusCode, Value) {
    let url = ws_url(server, query);
    let wait = Duration::from_millis(WS_WAIT_MS);
    let refused = tokio::time::timeout(wait, connect_async(url.as_str()))
        .await
        .unwrap_or_else(|_| panic!("connecting to {url} timed out"));
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            let status = StatusCode::from_u16(resp.status().as_u16()).expect("a status");
            let body = resp.body().as_deref().unwrap_or_default();
            let body = serde_json::from_slice(body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
            (status, body)
        }
        Err(e) => panic!("{url}: {e}"),
        Ok(_) => panic!("{url}: the handshake succeeded"),
    }
}

/// The first frame a screen of `view` gets.
async fn first_frame(server: &TestServer, view: &str) -> Value {
    let url = ws_url(server, &format!("view={view}"));
    let wait = Duration::from_millis(WS_WAIT_MS);
    let until = Instant::now() + wait;
    let (mut ws, _) = tokio::time::timeout(wait, connect_async(url.as_str()))
        .await
        .unwrap_or_else(|_| panic!("connecting to {url} timed out"))
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                return serde_json::from_str(text.as_str()).expect("frames are JSON");
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("no first frame from {url}: {other:?}"),
        }
    }
}
