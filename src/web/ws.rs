//! `GET /ws`: the WebSocket of the screens. A connection gets a snapshot, then the feed's diffs;
//! it answers `resync` with a snapshot, pings to find dead peers, and is closed rather than allowed
//! to hold up anyone else.

use super::AppState;
use super::auth::{Caller, Role};
use super::error::ApiError;
use super::feed::{Feed, Frame};
use super::protocol::{ClientFrame, View};
use crate::engine::Engine;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::response::Response;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Bytes the server reads at once from a screen: screens send only tiny control messages.
const READ_BUFFER_BYTES: usize = 4 << 10;
/// The largest message a screen may send.
const CLIENT_MESSAGE_BYTES_MAX: usize = 4 << 10;
/// A frame that cannot be written within this time closes the connection: the screen is gone or
/// hopelessly slow, and its socket must not hold memory.
const SEND_TIMEOUT_MS: u64 = 5_000;
/// How often the server pings; a peer that has not answered the previous ping is closed.
const PING_INTERVAL_MS: u64 = 15_000;

#[derive(serde::Deserialize)]
pub struct WsQuery {
    view: Option<String>,
}

/// A browser's WebSocket must come from a page of this server: its Origin's host must be the Host.
fn check_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(ORIGIN) else {
        return Ok(()); // not a browser: the token is the whole check
    };
    let origin = origin.to_str().unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !origin_host.is_empty() && origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "WebSocket from origin {origin} is not allowed"
        )))
    }
}

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<WsQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    check_origin(&headers)?;
    let raw = q.view.as_deref().unwrap_or("board");
    let view = View::parse(raw)
        .ok_or_else(|| ApiError::invalid("view", "view must be board, host, overlay or feed"))?;
    let engine = s.engine()?.clone();
    let feed = s.feed.clone();
    Ok(ws
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(CLIENT_MESSAGE_BYTES_MAX)
        .max_frame_size(CLIENT_MESSAGE_BYTES_MAX)
        .on_upgrade(move |socket| connection(socket, engine, feed, view)))
}

/// Sends one frame, or fails when the peer is gone or too slow.
async fn send(socket: &mut WebSocket, msg: Message) -> Result<(), ()> {
    match tokio::time::timeout(Duration::from_millis(SEND_TIMEOUT_MS), socket.send(msg)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

async fn send_snapshot(
    socket: &mut WebSocket,
    feed: &Feed,
    engine: &Engine,
    view: View,
) -> Result<u64, ()> {
    let Frame { seq, text, .. } = feed.snapshot(engine, view);
    send(socket, Message::Text(text)).await.map(|()| seq)
}

async fn connection(mut socket: WebSocket, engine: Engine, feed: Arc<Feed>, view: View) {
    let _guard = feed.connected();
    // Subscribe before the snapshot, so nothing between the two is missed.
    let mut frames = feed.subscribe(view);
    let mut closing = feed.closing();
    let Ok(mut last_seq) = send_snapshot(&mut socket, &feed, &engine, view).await else {
        return;
    };
    let mut ping = tokio::time::interval(Duration::from_millis(PING_INTERVAL_MS));
    ping.tick().await;
    let mut awaiting_pong = false;
    loop {
        tokio::select! {
            frame = frames.recv() => match frame {
                Ok(frame) if frame.resync => {
                    match send_snapshot(&mut socket, &feed, &engine, view).await {
                        Ok(seq) => last_seq = seq,
                        Err(()) => return,
                    }
                }
                Ok(frame) => {
                    if frame.seq < last_seq {
                        continue; // older than the snapshot already sent
                    }
                    last_seq = frame.seq;
                    if send(&mut socket, Message::Text(frame.text.clone())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => match send_snapshot(&mut socket, &feed, &engine, view).await {
                    Ok(seq) => last_seq = seq,
                    Err(()) => return,
                },
                Err(RecvError::Closed) => return,
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientFrame>(&text) {
                    Ok(ClientFrame::Resync) => match send_snapshot(&mut socket, &feed, &engine, view).await {
                        Ok(seq) => last_seq = seq,
                        Err(()) => return,
                    },
                    Err(e) => {
                        let error = serde_json::json!({"type": "error", "message": format!("unknown message: {e}")});
                        if send(&mut socket, Message::Text(error.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                },
                Some(Ok(Message::Pong(_))) => awaiting_pong = false,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if awaiting_pong {
                    return; // no answer to the last ping: the peer is gone
                }
                awaiting_pong = true;
                if send(&mut socket, Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            },
            _ = closing.changed() => {
                let close = CloseFrame { code: 1001, reason: Utf8Bytes::from_static("server stopping") };
                let _ = send(&mut socket, Message::Close(Some(close))).await;
                return;
            }
        }
    }
}
