//! `GET /ws`: the WebSocket of the screens. A connection gets a snapshot, then the feed's diffs;
//! it answers `resync` with a snapshot, pings to find dead peers, and is closed rather than allowed
//! to hold up anyone else.

use super::AppState;
use super::auth::{Caller, Role};
use super::error::ApiError;
use super::extract::Query;
use super::feed::{Feed, Frame};
use super::protocol::{ClientFrame, ServerFrame, View};
use crate::engine::Engine;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    CONNECTION, HOST, ORIGIN, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION,
    UPGRADE,
};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, Version};
use axum::response::Response;
use futures_util::{FutureExt, SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::{self, CloseFrame, WebSocketConfig};

/// A screen's socket: tungstenite straight on hyper's upgraded connection.
type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Bytes the server reads at once from a screen: screens send only tiny control messages.
const READ_BUFFER_BYTES: usize = 4 << 10;
/// The largest message a screen may send.
const CLIENT_MESSAGE_BYTES_MAX: usize = 4 << 10;
/// The largest frame the server sends: a longer message goes out as fragments of this size. The
/// WebSocket's out buffer grows to the largest frame written and never shrinks, so unfragmented
/// snapshots (tens to hundreds of KiB) would each leave an idle screen holding that much for good.
const FRAGMENT_BYTES: usize = 4 << 10;
/// A message that cannot be written within this time closes the connection: the screen is gone or
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

fn bad_handshake(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        format!("not a WebSocket handshake: {message}"),
    )
}

/// Whether `name` holds `token` in its comma-separated list, ignoring case.
fn header_has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    })
}

/// Checks an HTTP/1.1 WebSocket handshake (RFC 6455 4.2.1); returns its `Sec-WebSocket-Key`.
fn handshake_key(req: &Request) -> Result<&[u8], ApiError> {
    if req.version() != Version::HTTP_11 {
        return Err(bad_handshake("the upgrade needs HTTP/1.1"));
    }
    if req.method() != Method::GET {
        return Err(bad_handshake("the method must be GET"));
    }
    let headers = req.headers();
    if !header_has_token(headers, CONNECTION, "upgrade") {
        return Err(bad_handshake("Connection must include upgrade"));
    }
    if !header_has_token(headers, UPGRADE, "websocket") {
        return Err(bad_handshake("Upgrade must be websocket"));
    }
    if headers
        .get(SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v.as_bytes() != b"13")
    {
        return Err(bad_handshake("Sec-WebSocket-Version must be 13"));
    }
    match headers.get(SEC_WEBSOCKET_KEY) {
        Some(key) if !key.is_empty() => Ok(key.as_bytes()),
        _ => Err(bad_handshake("Sec-WebSocket-Key is missing")),
    }
}

/// The socket's limits: small reads (screens send only tiny control messages), frames written
/// straight through, never a buffered backlog.
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(Some(CLIENT_MESSAGE_BYTES_MAX))
        .max_frame_size(Some(CLIENT_MESSAGE_BYTES_MAX))
}

/// The upgrade by hand rather than axum's `WebSocketUpgrade`: axum's socket sends a message only
/// as one frame, and a screen must get its snapshots in fragments (see [`FRAGMENT_BYTES`]).
pub async fn upgrade(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<WsQuery>,
    mut req: Request,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    check_origin(req.headers())?;
    let raw = q.view.as_deref().unwrap_or("board");
    let view = View::parse(raw)
        .ok_or_else(|| ApiError::invalid("view", "view must be board, host, overlay or feed"))?;
    let accept = derive_accept_key(handshake_key(&req)?);
    let engine = s.engine()?.clone();
    let feed = s.feed.clone();
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(e) => {
                tracing::debug!(error = %e, "a WebSocket upgrade failed");
                return;
            }
        };
        let socket = WebSocketStream::from_raw_socket(
            TokioIo::new(upgraded),
            protocol::Role::Server,
            Some(socket_config()),
        )
        .await;
        connection(socket, engine, feed, view).await;
    });
    Ok(Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(CONNECTION, "upgrade")
        .header(UPGRADE, "websocket")
        .header(SEC_WEBSOCKET_ACCEPT, accept)
        .body(Body::empty())
        .expect("a valid 101 response"))
}

/// Runs a write, or fails when the peer is gone or too slow to take it within
/// [`SEND_TIMEOUT_MS`]. A write that completes on its first poll (the socket had room: nearly
/// always) sets no timer: a tick's fan-out to a thousand screens must not arm a thousand.
async fn within_send_timeout<E>(write: impl Future<Output = Result<(), E>>) -> Result<(), ()> {
    let mut write = std::pin::pin!(write);
    let result = match (&mut write).now_or_never() {
        Some(done) => done,
        None => tokio::time::timeout(Duration::from_millis(SEND_TIMEOUT_MS), write)
            .await
            .map_err(|_| ())?,
    };
    result.map_err(|_| ())
}

/// Sends one message, or fails when the peer is gone or too slow.
async fn send(socket: &mut Socket, msg: Message) -> Result<(), ()> {
    within_send_timeout(socket.send(msg)).await
}

/// Sends one text message as frames of at most [`FRAGMENT_BYTES`] (zero-copy slices of `text`),
/// or fails when the peer is gone or too slow to take the whole message in time. A fragment may
/// end inside a character: only the reassembled message must be UTF-8 (RFC 6455 5.6).
async fn send_text(socket: &mut Socket, text: Bytes) -> Result<(), ()> {
    let fragments = async {
        let mut start = 0;
        let mut opcode = Data::Text;
        loop {
            let end = text.len().min(start + FRAGMENT_BYTES);
            let fin = end == text.len();
            let frame =
                protocol::frame::Frame::message(text.slice(start..end), OpCode::Data(opcode), fin);
            socket.send(Message::Frame(frame)).await?;
            if fin {
                return Ok::<(), tokio_tungstenite::tungstenite::Error>(());
            }
            start = end;
            opcode = Data::Continue;
        }
    };
    within_send_timeout(fragments).await
}

async fn send_snapshot(
    socket: &mut Socket,
    feed: &Feed,
    engine: &Engine,
    view: View,
) -> Result<u64, ()> {
    let Frame { seq, text, .. } = feed.snapshot(engine, view);
    send_text(socket, text.into()).await.map(|()| seq)
}

async fn connection(mut socket: Socket, engine: Engine, feed: Arc<Feed>, view: View) {
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
    // Made once rather than on every turn of the loop: a turn per frame is the hot path.
    let mut stopping = std::pin::pin!(closing.changed());
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
                    if send_text(&mut socket, frame.text.clone().into()).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => match send_snapshot(&mut socket, &feed, &engine, view).await {
                    Ok(seq) => last_seq = seq,
                    Err(()) => return,
                },
                Err(RecvError::Closed) => return,
            },
            msg = socket.next() => match msg {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientFrame>(&text) {
                    Ok(ClientFrame::Resync) => match send_snapshot(&mut socket, &feed, &engine, view).await {
                        Ok(seq) => last_seq = seq,
                        Err(()) => return,
                    },
                    Err(e) => {
                        let message = format!("unknown message: {e}");
                        let error = ServerFrame::Error { message: &message }.to_text();
                        if send_text(&mut socket, error.into()).await.is_err() {
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
                if send(&mut socket, Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            },
            _ = &mut stopping => {
                let close = CloseFrame { code: CloseCode::Away, reason: "server stopping".into() };
                let _ = send(&mut socket, Message::Close(Some(close))).await;
                return;
            }
        }
    }
}
