//! One screen's connection: a snapshot, then the feed's diffs; it answers `resync` with a snapshot,
//! pings to find dead peers, and is closed rather than allowed to hold up anyone else.

use super::feed::{Feed, Frame};
use super::limits::{ResyncBudget, Slot, WsLimits};
use super::protocol::{ClientFrame, ServerFrame, View};
use crate::engine::Engine;
use axum::body::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;
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

/// Serves one screen on its upgraded connection until it closes, fails, or the server stops; its
/// `slot` is given back when it ends.
pub(super) async fn serve(
    upgraded: hyper::upgrade::Upgraded,
    engine: Engine,
    feed: Arc<Feed>,
    view: View,
    slot: Slot,
) {
    let limits = slot.limits();
    let socket = WebSocketStream::from_raw_socket(
        TokioIo::new(upgraded),
        protocol::Role::Server,
        Some(socket_config()),
    )
    .await;
    let screen = Screen {
        socket,
        engine,
        feed,
        view,
        last_seq: 0,
        resync_at: None,
    };
    screen.run(limits).await;
    drop(slot);
}

/// The server's side of one screen: its socket and what it was last sent.
struct Screen {
    socket: Socket,
    engine: Engine,
    feed: Arc<Feed>,
    view: View,
    /// The seq of the newest state sent: frames older than it are skipped, so seq never goes down.
    last_seq: u64,
    /// When a `resync` past the budget is to be served: every resync until then is coalesced into
    /// that one snapshot (any snapshot sent meanwhile serves them instead).
    resync_at: Option<Instant>,
}

impl Screen {
    /// Sends a fresh snapshot, which answers any resync waiting.
    async fn snapshot(&mut self) -> Result<(), ()> {
        let Frame { seq, text, .. } = self.feed.snapshot(&self.engine, self.view);
        send_text(&mut self.socket, text.into()).await?;
        self.last_seq = seq;
        self.resync_at = None;
        Ok(())
    }

    /// Forwards one of the feed's frames, unless it is older than what the screen already has.
    async fn forward(&mut self, frame: &Frame) -> Result<(), ()> {
        if frame.resync {
            return self.snapshot().await;
        }
        if frame.seq < self.last_seq {
            return Ok(()); // older than the snapshot already sent
        }
        self.last_seq = frame.seq;
        send_text(&mut self.socket, frame.text.clone().into()).await
    }

    /// A client's text message: a `resync` within the budget is served at once, past it coalesced
    /// into one later snapshot; anything else is answered with an `error` frame.
    async fn message(&mut self, text: &str, budget: &mut ResyncBudget) -> Result<(), ()> {
        match serde_json::from_str::<ClientFrame>(text) {
            Ok(ClientFrame::Resync) if self.resync_at.is_some() => Ok(()), // coalesced
            Ok(ClientFrame::Resync) => self.resync(budget).await,
            Err(e) => {
                let message = format!("unknown message: {e}");
                let error = ServerFrame::Error { message: &message }.to_text();
                send_text(&mut self.socket, error.into()).await
            }
        }
    }

    /// Serves a `resync` now if the budget allows it, or sets when it will be served.
    async fn resync(&mut self, budget: &mut ResyncBudget) -> Result<(), ()> {
        match budget.take(Instant::now()) {
            Ok(()) => self.snapshot().await,
            Err(at) => {
                self.resync_at = Some(at);
                Ok(())
            }
        }
    }

    async fn run(mut self, limits: WsLimits) {
        let _guard = self.feed.connected();
        // Subscribe before the snapshot, so nothing between the two is missed.
        let mut frames = self.feed.subscribe(self.view);
        let mut closing = self.feed.closing();
        if self.snapshot().await.is_err() {
            return;
        }
        let mut budget = ResyncBudget::new(&limits, Instant::now());
        let mut ping = tokio::time::interval(Duration::from_millis(PING_INTERVAL_MS));
        ping.tick().await;
        let mut awaiting_pong = false;
        // Made once rather than on every turn of the loop: a turn per frame is the hot path.
        let mut stopping = std::pin::pin!(closing.changed());
        let mut resync_timer = std::pin::pin!(tokio::time::sleep_until(Instant::now()));
        loop {
            let waiting = self.resync_at;
            if let Some(at) = waiting.filter(|at| *at != resync_timer.deadline()) {
                resync_timer.as_mut().reset(at);
            }
            let turn = tokio::select! {
                frame = frames.recv() => match frame {
                    Ok(frame) => self.forward(&frame).await,
                    Err(RecvError::Lagged(_)) => self.snapshot().await,
                    Err(RecvError::Closed) => Err(()),
                },
                msg = self.socket.next() => match msg {
                    Some(Ok(Message::Text(text))) => self.message(&text, &mut budget).await,
                    Some(Ok(Message::Pong(_))) => {
                        awaiting_pong = false;
                        Ok(())
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Err(()),
                    Some(Ok(_)) => Ok(()),
                },
                () = &mut resync_timer, if waiting.is_some() => self.resync(&mut budget).await,
                _ = ping.tick() => {
                    if awaiting_pong {
                        Err(()) // no answer to the last ping: the peer is gone
                    } else {
                        awaiting_pong = true;
                        send(&mut self.socket, Message::Ping(Bytes::new())).await
                    }
                },
                _ = &mut stopping => {
                    let close = CloseFrame { code: CloseCode::Away, reason: "server stopping".into() };
                    let _ = send(&mut self.socket, Message::Close(Some(close))).await;
                    Err(())
                }
            };
            if turn.is_err() {
                return;
            }
        }
    }
}
