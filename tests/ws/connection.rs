//! A connection's life: who may open a socket (token, view, origin), what the client may send
//! (resync, unknown messages), and the close frame on SIGTERM.

use crate::common::*;
use crate::screen::{End, Screen};
use crate::{FRAME_TIMEOUT_MS, accept, kind, seq_of, view_of, ws_url};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self};

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
