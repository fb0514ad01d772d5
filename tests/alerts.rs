//! The warnings of SPEC C end to end, against the real binary: tiered stock alerts pushed over the
//! WebSocket and listed by `GET /api/v1/alerts`, acknowledgements by role that survive a restart,
//! and a surge that prompts the host and asks for a restock.

mod common;

use common::*;
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// How long a pushed alert may take to reach a screen.
const ALERT_WAIT_MS: u64 = 5_000;
/// How long a screen is watched for alerts that must not come: past one writer tick (1 s), when
/// the time-driven metrics are judged.
const QUIET_WAIT_MS: u64 = 1_500;
/// How long a WebSocket handshake may take.
const CONNECT_TIMEOUT_MS: u64 = 5_000;

/// Every field of an alert (API.md "Warnings").
const ALERT_FIELDS: [&str; 11] = [
    "id",
    "kind",
    "level",
    "sku",
    "value",
    "threshold",
    "message_zh",
    "message_en",
    "at",
    "acked_by",
    "acked_at",
];

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A screen's WebSocket: `/ws?view=VIEW&token=TOKEN`, past its first frame (the snapshot).
async fn screen(server: &TestServer, view: &str, token: &str) -> Ws {
    let url = format!(
        "{}/ws?view={view}&token={token}",
        server.base.replacen("http://", "ws://", 1)
    );
    let (mut ws, _) = tokio::time::timeout(
        Duration::from_millis(CONNECT_TIMEOUT_MS),
        connect_async(url.as_str()),
    )
    .await
    .unwrap_or_else(|_| panic!("connecting to {url} timed out"))
    .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    let first = next_frame(&mut ws, deadline(ALERT_WAIT_MS))
        .await
        .expect("a snapshot first");
    assert_eq!(first["type"], "snapshot", "the first frame: {first}");
    ws
}

fn deadline(ms: u64) -> Instant {
    Instant::now() + Duration::from_millis(ms)
}

/// The next JSON text frame, or `None` once `until` has passed.
async fn next_frame(ws: &mut Ws, until: Instant) -> Option<Value> {
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let msg = match tokio::time::timeout(left, ws.next()).await {
            Err(_) => return None,
            Ok(None) => panic!("the server closed the WebSocket"),
            Ok(Some(Err(e))) => panic!("reading the WebSocket: {e}"),
            Ok(Some(Ok(msg))) => msg,
        };
        if let Message::Text(text) = msg {
            return Some(serde_json::from_str(text.as_str()).expect("frames are JSON"));
        }
    }
}

/// Every alert pushed to `ws` until `until`, in the order they came.
async fn alerts_until(ws: &mut Ws, until: Instant) -> Vec<Value> {
    let mut alerts = Vec::new();
    while let Some(frame) = next_frame(ws, until).await {
        if frame["type"] == "alert" {
            alerts.push(frame["alert"].clone());
        }
    }
    alerts
}

/// Reads frames until an alert that `wanted` accepts; returns it and the alerts pushed before it.
async fn wait_alert(
    ws: &mut Ws,
    what: &str,
    wanted: impl Fn(&Value) -> bool,
) -> (Value, Vec<Value>) {
    let until = deadline(ALERT_WAIT_MS);
    let mut before = Vec::new();
    loop {
        let Some(frame) = next_frame(ws, until).await else {
            panic!("no {what} pushed within {ALERT_WAIT_MS} ms; pushed meanwhile: {before:?}");
        };
        if frame["type"] != "alert" {
            continue;
        }
        let alert = frame["alert"].clone();
        if wanted(&alert) {
            return (alert, before);
        }
        before.push(alert);
    }
}

fn is_kind(alert: &Value, kind: &str) -> bool {
    alert["kind"] == kind
}

/// `GET /api/v1/alerts` (with `query`), newest first.
async fn list_alerts(server: &TestServer, query: &str) -> Vec<Value> {
    let (st, body) = server.get(&format!("/api/v1/alerts{query}"), VIEWER).await;
    assert_eq!(st, StatusCode::OK, "GET /api/v1/alerts{query}: {body}");
    let alerts = body["alerts"]
        .as_array()
        .unwrap_or_else(|| panic!("the answer is {{\"alerts\": [...]}}: {body}"))
        .clone();
    for a in &alerts {
        assert_alert_shape(a);
    }
    alerts
}

/// The listed alerts of one kind, newest first.
async fn listed_of_kind(server: &TestServer, kind: &str) -> Vec<Value> {
    let mut alerts = list_alerts(server, "").await;
    alerts.retain(|a| is_kind(a, kind));
    alerts
}

/// Every field of API.md, with its type.
#[track_caller]
fn assert_alert_shape(a: &Value) {
    let o = a
        .as_object()
        .unwrap_or_else(|| panic!("an alert object: {a}"));
    for field in ALERT_FIELDS {
        assert!(o.contains_key(field), "alert without {field}: {a}");
    }
    assert!(a["id"].as_str().is_some_and(|s| !s.is_empty()), "{a}");
    let kinds = [
        "stock_level",
        "sellout_eta",
        "sell_through",
        "movement_rate",
        "turnover",
        "surge",
        "slow_mover",
        "fading",
    ];
    assert!(kinds.contains(&a["kind"].as_str().unwrap_or("")), "{a}");
    assert!(matches!(a["level"].as_u64(), Some(1..=3)), "{a}");
    assert!(a["sku"].is_string() || a["sku"].is_null(), "{a}");
    assert!(a["value"].is_number() && a["threshold"].is_number(), "{a}");
    assert!(has_chinese(&a["message_zh"]), "message_zh is Chinese: {a}");
    assert!(
        a["message_en"].as_str().is_some_and(|s| !s.is_empty()),
        "{a}"
    );
    assert!(is_time(&a["at"]), "{a}");
    let acked = !a["acked_by"].is_null();
    assert_eq!(
        acked,
        is_time(&a["acked_at"]),
        "acked_by and acked_at go together: {a}"
    );
}

fn has_chinese(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
}

/// An RFC 3339 time such as `2026-11-24T12:00:00.123Z`.
fn is_time(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() >= 20 && s.as_bytes()[4] == b'-' && s.as_bytes()[10] == b'T')
}

fn sku(code: &str, name: &str, on_hand: i64) -> Value {
    json!({"sku": code, "name": name, "category": "apparel", "price_cents": 19_900,
           "on_hand": on_hand})
}

/// Plans and starts a show with `lineup` (`[{"sku", "planned_rate_per_min"}...]`).
async fn live_show(server: &TestServer, lineup: Value) {
    let body = json!({"title": "双十一返场专场", "lineup": lineup});
    let (st, b) = server.post("/api/v1/show", OPERATOR, &body).await;
    assert_eq!(st, StatusCode::CREATED, "creating the show: {b}");
    let (st, b) = server
        .call(Method::POST, "/api/v1/show/start", Some(OPERATOR), None)
        .await;
    assert_eq!(st, StatusCode::OK, "starting the show: {b}");
    assert_eq!(b["state"], "live");
}

const HOODIE_NAME: &str = "加绒卫衣 黑 L";

/// A live show whose only lineup product is `HOODIE` with a base of 100.
async fn hoodie_show(server: &TestServer) {
    server.create_skus(&sku("HOODIE", HOODIE_NAME, 100)).await;
    live_show(server, json!([{"sku": "HOODIE"}])).await;
    assert_eq!(server.sku("HOODIE").await["base"], 100);
}

#[tokio::test]
async fn one_stock_level_alert_is_pushed_and_escalated_in_place_under_the_same_id() {
    let server = TestServer::start();
    hoodie_show(&server).await;
    let mut board = screen(&server, "board", VIEWER).await;

    let mut pushed = Vec::new();
    // 80 sold: 20% left; 10 more: 10%; 6 more: 4% (96 of 100 sold).
    for (i, (qty, level)) in [(80, 1), (10, 2), (6, 3)].into_iter().enumerate() {
        sell(&server, &format!("DY-{i}"), "HOODIE", qty).await;
        let (alert, _) = wait_alert(&mut board, &format!("stock level {level}"), |a| {
            is_kind(a, "stock_level") && a["level"] == level
        })
        .await;
        assert_alert_shape(&alert);
        pushed.push(alert);
    }
    let id = &pushed[0]["id"];
    assert!(
        pushed.iter().all(|a| &a["id"] == id),
        "every escalation is an alert frame with the first one's id: {pushed:?}"
    );
    // Past a writer tick, when open alerts follow the live numbers: no second alert of the kind.
    let late = alerts_until(&mut board, deadline(QUIET_WAIT_MS)).await;
    assert!(
        late.iter()
            .filter(|a| is_kind(a, "stock_level"))
            .all(|a| &a["id"] == id),
        "a second stock level alert: {late:?}"
    );
    assert_eq!(pushed[0]["updated_at"], Value::Null, "{}", pushed[0]);
    assert!(is_time(&pushed[2]["updated_at"]), "{}", pushed[2]);
    let thresholds: Vec<f64> = pushed
        .iter()
        .map(|a| a["threshold"].as_f64().unwrap())
        .collect();
    assert_eq!(thresholds, [20.0, 10.0, 5.0]);

    let open = list_alerts(&server, "?open=true").await;
    let stock: Vec<&Value> = open
        .iter()
        .filter(|a| is_kind(a, "stock_level") && a["sku"] == "HOODIE")
        .collect();
    assert_eq!(
        stock.len(),
        1,
        "one open stock level alert for the SKU: {open:?}"
    );
    assert_eq!(stock[0]["level"], 3);
    assert_eq!(&stock[0]["id"], id);
    assert_eq!(stock[0]["value"], 4.0);
    let zh = stock[0]["message_zh"].as_str().unwrap();
    assert!(zh.contains(HOODIE_NAME) && zh.contains("剩 4 件"), "{zh}");
    let sellout: Vec<&Value> = open.iter().filter(|a| is_kind(a, "sellout_eta")).collect();
    assert!(
        sellout.len() <= 1,
        "at most one sell-out warning: {sellout:?}"
    );
    assert_eq!(server.sku("HOODIE").await["level"], 3);
}

#[tokio::test]
async fn the_sell_out_warning_says_the_stock_views_minutes_and_its_rate() {
    let server = TestServer::start();
    hoodie_show(&server).await;
    sell(&server, "DY-1", "HOODIE", 30).await; // 70 left at 30/min: 2.33 minutes
    let view = server.sku("HOODIE").await;
    let open = list_alerts(&server, "?open=true").await;
    let sellout: Vec<&Value> = open.iter().filter(|a| is_kind(a, "sellout_eta")).collect();
    assert_eq!(sellout.len(), 1, "{open:?}");
    assert_eq!(sellout[0]["value"], view["sellout_minutes"], "{view}");
    assert_eq!(sellout[0]["level"], 3, "under 15 minutes");
    let zh = sellout[0]["message_zh"].as_str().unwrap();
    assert!(zh.contains("按近30分钟速度"), "{zh}");
}

#[tokio::test]
async fn an_ack_by_an_operator_is_pushed_listed_and_survives_a_restart() {
    let mut server = TestServer::start();
    hoodie_show(&server).await;
    let mut board = screen(&server, "board", VIEWER).await;
    sell(&server, "DY-1", "HOODIE", 80).await;
    let (alert, _) = wait_alert(&mut board, "stock level 1", |a| is_kind(a, "stock_level")).await;
    let id = alert["id"].as_str().unwrap().to_owned();
    let ack = format!("/api/v1/alerts/{id}/ack");
    let by = json!({"by": "运营小王"});

    let (st, b) = server.post(&ack, VIEWER, &by).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a viewer acks: {b}");
    assert_error(&b, "forbidden");
    let (st, b) = server
        .post("/api/v1/alerts/a987654/ack", OPERATOR, &by)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "an unknown alert: {b}");
    assert_error(&b, "not_found");
    assert!(
        list_alerts(&server, "?open=true")
            .await
            .iter()
            .any(|a| a["id"] == id.as_str())
    );
    let (st, b) = server.get("/api/v1/alerts?open=maybe", VIEWER).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "open=maybe: {b}");
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("open"), "{b}");

    let (st, acked) = server.post(&ack, OPERATOR, &by).await;
    assert_eq!(st, StatusCode::OK, "an operator acks: {acked}");
    assert_alert_shape(&acked);
    assert_eq!(acked["id"], id.as_str());
    assert_eq!(acked["acked_by"], "运营小王");
    assert!(is_time(&acked["acked_at"]), "{acked}");
    assert_eq!(acked["at"], alert["at"]);

    let (pushed, _) = wait_alert(&mut board, "the acknowledgement", |a| {
        a["id"] == id.as_str() && !a["acked_by"].is_null()
    })
    .await;
    assert_eq!(pushed, acked);

    // The first acknowledgement stands.
    let (st, again) = server
        .post(&ack, OPERATOR, &json!({"by": "仓库老李"}))
        .await;
    assert_eq!(st, StatusCode::OK, "a second ack: {again}");
    assert_eq!(again, acked);

    assert!(
        !list_alerts(&server, "?open=true")
            .await
            .iter()
            .any(|a| a["id"] == id.as_str())
    );
    let find = |alerts: Vec<Value>| alerts.into_iter().find(|a| a["id"] == id.as_str());
    assert_eq!(find(list_alerts(&server, "").await), Some(acked.clone()));

    drop(board);
    let status = server.terminate();
    assert!(
        status.success(),
        "SIGTERM exits 0: {status}\n{}",
        server.logs()
    );
    server.restart();
    assert_eq!(find(list_alerts(&server, "").await), Some(acked.clone()));
    assert!(
        !list_alerts(&server, "?open=true")
            .await
            .iter()
            .any(|a| a["id"] == id.as_str())
    );
}

#[tokio::test]
async fn a_surge_prompts_the_host_names_the_next_product_with_stock_and_asks_for_a_restock() {
    let server = TestServer::start();
    server
        .create_skus(&json!([
            sku("HOT", "加绒卫衣", 100),
            sku("EMPTY", "羽绒马甲", 0),
            sku("SPARE", "针织围巾", 50),
        ]))
        .await;
    live_show(
        &server,
        json!([
            {"sku": "HOT", "planned_rate_per_min": 2},
            {"sku": "EMPTY", "planned_rate_per_min": 5},
            {"sku": "SPARE", "planned_rate_per_min": 5},
        ]),
    )
    .await;
    let (st, b) = server
        .call(
            Method::PUT,
            "/api/v1/show/current",
            Some(OPERATOR),
            Some(&json!({"sku": "HOT"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "putting HOT on air: {b}");
    let (_, show) = server.get("/api/v1/show", VIEWER).await;
    assert_eq!(
        show["prompt"],
        Value::Null,
        "no prompt before the surge: {show}"
    );
    let mut host = screen(&server, "host", VIEWER).await;

    // Ten units in a few seconds against a plan of 2 a minute: the line is 6.
    for i in 0..5 {
        sell(&server, &format!("DY-{i}"), "HOT", 2).await;
    }
    let (surge, _) = wait_alert(&mut host, "a surge", |a| is_kind(a, "surge")).await;
    assert_alert_shape(&surge);
    assert_eq!(surge["sku"], "HOT");
    assert_eq!(surge["threshold"].as_f64(), Some(6.0));
    assert!(surge["value"].as_f64().unwrap() >= 6.0, "{surge}");
    let zh = surge["message_zh"].as_str().unwrap();
    assert!(zh.contains("加绒卫衣"), "names the product: {zh}");
    assert!(
        zh.contains("针织围巾"),
        "names the next product with stock: {zh}"
    );
    assert!(!zh.contains("羽绒马甲"), "not the sold-out one: {zh}");
    assert!(zh.contains("库存有限"), "{zh}");

    let surges = listed_of_kind(&server, "surge").await;
    assert_eq!(
        surges,
        std::slice::from_ref(&surge),
        "one surge, listed as pushed"
    );

    let (st, show) = server.get("/api/v1/show", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{show}");
    let prompt = show["prompt"]["zh"].as_str().unwrap_or_default();
    assert!(prompt.contains("库存有限"), "the host prompt: {show}");
    let requests = show["restock_requests"]
        .as_array()
        .unwrap_or_else(|| panic!("restock_requests: {show}"));
    assert!(
        requests.iter().any(|r| r["sku"] == "HOT"),
        "a restock request for HOT: {show}"
    );

    // The show ends: its surge is closed (pushed to the screens, no longer open), the restock
    // request and the prompt go; the warnings about stock stay open.
    let (st, b) = server
        .call(Method::POST, "/api/v1/show/end", Some(OPERATOR), None)
        .await;
    assert_eq!(st, StatusCode::OK, "ending the show: {b}");
    let (closed, _) = wait_alert(&mut host, "the surge closed", |a| {
        a["id"] == surge["id"] && !a["acked_by"].is_null()
    })
    .await;
    assert_alert_shape(&closed);
    assert!(
        closed["acked_by"].as_str().unwrap().contains("直播结束"),
        "{closed}"
    );
    let open = list_alerts(&server, "?open=true").await;
    assert!(
        !open
            .iter()
            .any(|a| ["surge", "sellout_eta", "fading"].contains(&a["kind"].as_str().unwrap())),
        "no prediction stays open after the show: {open:?}"
    );
    let (_, show) = server.get("/api/v1/show", VIEWER).await;
    assert_eq!(show["restock_requests"], json!([]), "{show}");
    assert_eq!(show["prompt"], Value::Null, "{show}");
}

/// `GET /api/v1/alerts?limit=&before=`: pages walk the list newest first, each page's
/// `next_before` leading to the next, and the last page says there is no more.
#[tokio::test]
async fn alerts_page_by_limit_and_before_and_bad_paging_is_refused_by_name() {
    let server = TestServer::start();
    hoodie_show(&server).await;
    for (i, qty) in [80, 10, 5].into_iter().enumerate() {
        sell(&server, &format!("DY-{i}"), "HOODIE", qty).await;
    }
    poll(ALERT_WAIT_MS, "three alerts", || async {
        let listed = list_alerts(&server, "").await;
        (listed.len() >= 3).then_some(())
    })
    .await;
    let (st, whole) = server.get("/api/v1/alerts", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{whole}");
    assert_eq!(whole["next_before"], Value::Null, "one page holds them all");
    let whole = whole["alerts"].as_array().unwrap().clone();

    let mut paged = Vec::new();
    let mut query = "?limit=1".to_owned();
    loop {
        let (st, page) = server.get(&format!("/api/v1/alerts{query}"), VIEWER).await;
        assert_eq!(st, StatusCode::OK, "{query}: {page}");
        let alerts = page["alerts"].as_array().unwrap();
        assert!(alerts.len() <= 1, "limit=1 answers one at most: {page}");
        paged.extend(alerts.iter().cloned());
        match page["next_before"].as_str() {
            Some(id) => {
                assert_eq!(alerts.last().unwrap()["id"], id, "{page}");
                query = format!("?limit=1&before={id}");
            }
            None => break,
        }
        assert!(paged.len() <= whole.len(), "the pages end: {paged:?}");
    }
    // By id: an open alert's value may follow the live numbers between two reads.
    let ids = |alerts: &[Value]| alerts.iter().map(|a| a["id"].clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&paged),
        ids(&whole),
        "the pages are the whole list, in order"
    );

    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=5001", "limit"),
        ("?limit=many", "limit"),
        ("?before=no-such-alert", "before"),
    ] {
        let (st, body) = server.get(&format!("/api/v1/alerts{query}"), VIEWER).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(
            assert_error(&body, "invalid").as_deref(),
            Some(field),
            "{query}: {body}"
        );
    }
}
