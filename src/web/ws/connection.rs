//! One screen's connection: a snapshot, then the feed's diffs; it answers `resync` with a snapshot,
//! pings to find dead peers, and is closed rather than allowed to hold up anyone else.

use super::feed::{Feed, Frame};
use super::protocol::{ClientFrame, ServerFrame, View};
use crate::engine::Engine;
use axum::body::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
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
pub(super) const FRAGMENT_BYTES: usize = 4 << 10;
/// A message that cannot be written within this time closes the connection: the screen is gone or
/// hopelessly slow, and its socket must not hold memory.
const SEND_TIMEOUT_MS: u64 = 5_000;
/// How often the server pings; a peer that has not answered the previous ping is closed.
const PING_INTERVAL_MS: u64 = 15_000;

/// The socket's limits: small reads (screens send only tiny control messages), frames written
/// straight through, never a buffered backlog.
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(Some(CLIENT_MESSAGE_BYTES_MAX))
        .max_frame_size(Some(CLIENT_MESSAGE_BYTES_MAX))
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

/// Serves one screen on its upgraded connection until it closes, fails, or the server stops.
pub(super) async fn serve(
    upgraded: hyper::upgrade::Upgraded,
    engine: Engine,
    feed: Arc<Feed>,
    view: View,
) {
    let socket = WebSocketStream::from_raw_socket(
        TokioIo::new(upgraded),
        protocol::Role::Server,
        Some(socket_config()),
    )
    .await;
    connection(socket, engine, feed, view).await;
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
