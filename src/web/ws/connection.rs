//! One screen's connection: a snapshot, then the feed's diffs; it answers `resync` with a snapshot,
//! pings to find dead peers, and is closed rather than allowed to hold up anyone else. Every end
//! but a vanished peer is a Close frame written out before the TCP connection ends (RFC 6455 7):
//! the client's Close echoed, 1002/1007/1009 for what it sent wrong, 1003 for a binary message,
//! 1008 for messages past its rate, 1001 when the server stops.

use super::feed::{Feed, Frame};
use super::limits::{CLIENT_MESSAGE_BYTES_MAX, ResyncBudget, Slot, WsLimits};
use super::protocol::{ClientFrame, ServerFrame, Watch};
use crate::engine::Engine;
use axum::body::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use std::io::IoSlice;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{self, CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};

/// A screen's socket: tungstenite straight on hyper's upgraded connection.
type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Bytes the server reads at once from a screen: screens send only tiny control messages.
const READ_BUFFER_BYTES: usize = 512;
/// The largest frame the server sends: a longer message goes out as fragments of this size.
pub(super) const FRAGMENT_BYTES: usize = super::limits::SERVER_FRAME_BYTES;
/// A message that cannot be written within this time closes the connection: the screen is gone or
/// hopelessly slow, and its socket must not hold memory.
const SEND_TIMEOUT_MS: u64 = 5_000;
/// How often the server pings; a peer that has not answered the previous ping is closed.
const PING_INTERVAL_MS: u64 = 15_000;
/// After its Close frame the server half-closes TCP and reads (and drops) what the client still
/// sends, for at most this long: closing a socket with unread bytes in it sends a reset, which can
/// destroy the Close frame before the client has read it.
const CLOSE_LINGER_MS: u64 = 1_000;
/// The most bytes read while lingering, so a client that keeps sending cannot keep the task busy.
const CLOSE_LINGER_BYTES_MAX: usize = 64 << 10;

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
            .map_err(|_| {
                metrics::counter!("livestock_ws_dropped_total", "why" => "send_timeout")
                    .increment(1);
            })?,
    };
    result.map_err(|_| ())
}

/// Sends one message, or fails when the peer is gone or too slow.
async fn send(socket: &mut Socket, msg: Message) -> Result<(), ()> {
    within_send_timeout(socket.send(msg)).await
}

/// Sends one text message as frames of at most [`FRAGMENT_BYTES`], or fails when the peer is gone
/// or too slow to take the whole message in time. A fragment may end inside a character: only the
/// reassembled message must be UTF-8 (RFC 6455 5.6).
///
/// The frames bypass tungstenite's out buffer: whatever it holds (a pong, say) is flushed first,
/// then the headers and zero-copy slices of `text` (shared by every screen of a tick) go to the
/// socket in one vectored write. tungstenite's buffer would grow to the largest frame ever written
/// and keep that for the connection's life, 4 KiB on every idle screen.
async fn send_text(socket: &mut Socket, text: Bytes) -> Result<(), ()> {
    let frames = async {
        socket.flush().await.map_err(drop)?;
        write_frames(socket.get_mut(), &text).await.map_err(drop)
    };
    within_send_timeout(frames).await
}

/// The header of an unmasked server frame (RFC 6455 5.2): FIN and opcode, then the payload
/// length in 7, 7+16 or 7+64 bits.
fn frame_header(fin: bool, opcode: u8, len: usize) -> ([u8; 10], usize) {
    let mut h = [0u8; 10];
    h[0] = if fin { 0x80 } else { 0 } | opcode;
    let n = match len {
        0..=125 => {
            h[1] = len as u8;
            2
        }
        126..=0xFFFF => {
            h[1] = 126;
            h[2..4].copy_from_slice(&(len as u16).to_be_bytes());
            4
        }
        _ => {
            h[1] = 127;
            h[2..10].copy_from_slice(&(len as u64).to_be_bytes());
            10
        }
    };
    (h, n)
}

/// Writes `text` as text frames of at most [`FRAGMENT_BYTES`] (the first `Text`, the rest
/// `Continue`, the last with FIN), every header and payload slice in as few writes as the socket
/// takes.
async fn write_frames<W: AsyncWrite + Unpin>(io: &mut W, text: &[u8]) -> std::io::Result<()> {
    const TEXT: u8 = 0x1;
    const CONTINUE: u8 = 0x0;
    let mut headers = Vec::with_capacity(text.len() / FRAGMENT_BYTES + 1);
    let mut start = 0;
    loop {
        let end = text.len().min(start + FRAGMENT_BYTES);
        let opcode = if start == 0 { TEXT } else { CONTINUE };
        headers.push((
            frame_header(end == text.len(), opcode, end - start),
            start..end,
        ));
        if end == text.len() {
            break;
        }
        start = end;
    }
    let mut slices: Vec<IoSlice<'_>> = Vec::with_capacity(headers.len() * 2);
    for ((h, n), range) in &headers {
        slices.push(IoSlice::new(&h[..*n]));
        if !range.is_empty() {
            slices.push(IoSlice::new(&text[range.clone()]));
        }
    }
    let mut slices = &mut slices[..];
    while !slices.is_empty() {
        let n = io.write_vectored(slices).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        IoSlice::advance_slices(&mut slices, n);
    }
    io.flush().await
}

/// How a connection ends.
enum End {
    /// The peer is gone (or too slow to be written to): nothing more can be said to it.
    Gone,
    /// The client's Close arrived; tungstenite has queued the echo of its code, to be flushed.
    Answer,
    /// The server closes the connection with this code and reason.
    Close(CloseCode, &'static str),
}

impl End {
    /// How to end after reading from the client failed with `error` (RFC 6455 7.4.1): a frame that
    /// breaks the protocol is 1002, text that is not UTF-8 1007, a message over
    /// [`CLIENT_MESSAGE_BYTES_MAX`] 1009; a connection that failed or was reset is simply gone.
    fn after(error: &tungstenite::Error) -> End {
        use tungstenite::Error;
        match error {
            Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => End::Gone,
            Error::Protocol(_) => End::Close(CloseCode::Protocol, "protocol error"),
            Error::Utf8(_) => End::Close(CloseCode::Invalid, "text is not UTF-8"),
            Error::Capacity(_) => End::Close(CloseCode::Size, "message too big"),
            _ => End::Gone,
        }
    }
}

/// Serves one screen on its upgraded connection until it closes, fails, or the server stops; its
/// `slot` is given back when it ends.
pub(super) async fn serve(
    upgraded: hyper::upgrade::Upgraded,
    engine: Engine,
    feed: Arc<Feed>,
    view: Watch,
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
    view: Watch,
    /// The seq of the newest state sent: frames older than it are skipped, so seq never goes down.
    last_seq: u64,
    /// When a `resync` past the budget is to be served: every resync until then is coalesced into
    /// that one snapshot (any snapshot sent meanwhile serves them instead).
    resync_at: Option<Instant>,
}

impl Screen {
    /// Sends a fresh snapshot, which answers any resync waiting.
    async fn snapshot(&mut self) -> Result<(), ()> {
        let Frame { seq, text, .. } = self.feed.snapshot(&self.engine, &self.view);
        send_text(&mut self.socket, text.into()).await?;
        self.last_seq = seq;
        self.resync_at = None;
        Ok(())
    }

    /// Forwards one of the feed's frames, unless it is older than what the screen already has.
    async fn forward(&mut self, frame: &Frame) -> Result<(), ()> {
        if frame.resync {
            metrics::counter!("livestock_ws_resynced_total", "why" => "alert_burst").increment(1);
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
            Ok(()) => {
                metrics::counter!("livestock_ws_resynced_total", "why" => "client").increment(1);
                self.snapshot().await
            }
            Err(at) => {
                self.resync_at = Some(at);
                Ok(())
            }
        }
    }

    async fn run(mut self, limits: WsLimits) {
        let _guard = self.feed.connected();
        let end = self.serve(limits).await;
        self.end(end).await;
    }

    /// Sends the snapshot, then the feed's frames and the answers to the client, until the
    /// connection is to end; says how.
    async fn serve(&mut self, limits: WsLimits) -> End {
        // Subscribe before the snapshot, so nothing between the two is missed.
        let mut frames = self.feed.subscribe(&self.view);
        let mut closing = self.feed.closing();
        if self.snapshot().await.is_err() {
            return End::Gone;
        }
        let mut budget = ResyncBudget::new(&limits, Instant::now());
        let mut messages = ResyncBudget::messages(&limits, Instant::now());
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
                    Err(RecvError::Lagged(_)) => {
                        // A slow screen: its backlog is dropped for a fresh snapshot.
                        metrics::counter!("livestock_ws_resynced_total", "why" => "lagged")
                            .increment(1);
                        self.snapshot().await
                    }
                    Err(RecvError::Closed) => return End::Close(CloseCode::Away, "server stopping"),
                },
                msg = self.socket.next() => match msg {
                    Some(Ok(Message::Close(_))) => return End::Answer,
                    Some(Ok(_)) if messages.take(Instant::now()).is_err() => {
                        return End::Close(CloseCode::Policy, "message rate exceeded");
                    }
                    Some(Ok(Message::Text(text))) => self.message(&text, &mut budget).await,
                    Some(Ok(Message::Binary(_))) => {
                        return End::Close(CloseCode::Unsupported, "binary messages are not taken");
                    }
                    Some(Ok(Message::Pong(_))) => {
                        awaiting_pong = false;
                        Ok(())
                    }
                    Some(Err(e)) => return End::after(&e),
                    None => return End::Gone,
                    Some(Ok(_)) => Ok(()), // a ping (tungstenite queues the pong) or a raw frame
                },
                () = &mut resync_timer, if waiting.is_some() => self.resync(&mut budget).await,
                _ = ping.tick() => {
                    if awaiting_pong {
                        // No answer to the last ping: the peer is gone.
                        metrics::counter!("livestock_ws_dropped_total", "why" => "no_pong")
                            .increment(1);
                        Err(())
                    } else {
                        awaiting_pong = true;
                        send(&mut self.socket, Message::Ping(Bytes::new())).await
                    }
                },
                _ = &mut stopping => return End::Close(CloseCode::Away, "server stopping"),
            };
            if turn.is_err() {
                return End::Gone;
            }
        }
    }

    /// Ends the connection: writes out the Close frame (the echo of the client's, or the server's
    /// own), then half-closes TCP, the server first (RFC 6455 7.1.1), and lingers for the client's
    /// side of the close.
    async fn end(mut self, end: End) {
        let written = match end {
            End::Gone => return,
            // The echo goes out with the flush; tungstenite then reports the connection closed.
            End::Answer => within_send_timeout(self.socket.flush()).await,
            End::Close(code, reason) => {
                metrics::counter!("livestock_ws_closed_total", "code" => u16::from(code).to_string())
                    .increment(1);
                // A pong tungstenite queued for the last ping goes out first: nothing may follow
                // the Close frame.
                if within_send_timeout(self.socket.flush()).await.is_err() {
                    return;
                }
                let close = CloseFrame {
                    code,
                    reason: reason.into(),
                };
                send(&mut self.socket, Message::Close(Some(close))).await
            }
        };
        if written.is_err() {
            return;
        }
        let io = self.socket.get_mut();
        if within_send_timeout(io.shutdown()).await.is_err() {
            return;
        }
        let linger = async {
            let mut buf = [0u8; 512];
            let mut read = 0;
            while read < CLOSE_LINGER_BYTES_MAX {
                match io.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => read += n,
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_millis(CLOSE_LINGER_MS), linger).await;
    }
}

/// The bytes of a client's side of an open connection read as [`Screen::serve`] reads them,
/// without a runtime or a socket: through the same tungstenite configuration, each text message
/// parsed as a [`ClientFrame`], each read error mapped as [`End::after`] maps it. Answers the
/// Close code the server would send (`None` when the bytes end without one being due). For the
/// fuzz target of the WebSocket frame path (`fuzz/fuzz_targets/ws_frames.rs`) and its tests.
pub fn close_code_for_client_bytes(bytes: &[u8]) -> Option<u16> {
    use std::io::{Read, Write};
    /// The client's bytes to read, and a sink for what the server writes back.
    struct Wire<'a>(&'a [u8]);
    impl Read for Wire<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            Read::read(&mut self.0, buf)
        }
    }
    impl Write for Wire<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut socket = tungstenite::WebSocket::from_raw_socket(
        Wire(bytes),
        protocol::Role::Server,
        Some(socket_config()),
    );
    loop {
        match socket.read() {
            Ok(Message::Text(text)) => {
                let _ = serde_json::from_str::<ClientFrame>(&text);
            }
            Ok(Message::Binary(_)) => return Some(CloseCode::Unsupported.into()),
            Ok(Message::Close(_)) => return None, // echoed, not a code of the server's own
            Ok(_) => {}
            Err(e) => {
                return match End::after(&e) {
                    End::Close(code, _) => Some(code.into()),
                    End::Gone | End::Answer => None,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FRAGMENT_BYTES, close_code_for_client_bytes, write_frames};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::protocol::{Role, WebSocket};

    /// The frames `write_frames` puts on the wire: (FIN, opcode, payload length) each, read
    /// by hand from the bytes.
    fn frames_of(mut wire: &[u8]) -> Vec<(bool, u8, usize)> {
        let mut out = Vec::new();
        while !wire.is_empty() {
            assert_eq!(wire[1] & 0x80, 0, "a server never masks");
            let (len, at) = match wire[1] & 0x7F {
                126 => (u16::from_be_bytes([wire[2], wire[3]]) as usize, 4),
                127 => (
                    u64::from_be_bytes(wire[2..10].try_into().unwrap()) as usize,
                    10,
                ),
                n => (n as usize, 2),
            };
            out.push((wire[0] & 0x80 != 0, wire[0] & 0x0F, len));
            wire = &wire[at + len..];
        }
        out
    }

    #[tokio::test]
    async fn messages_go_out_as_frames_a_client_reassembles() {
        let sizes = [
            0, 1, 125, 126, 127, 4095, 4096, 4097, 65_535, 65_536, 200_000,
        ];
        for size in sizes {
            // Multi-byte characters, so fragments also end inside one (RFC 6455 5.6 allows it).
            let text: String =
                "库存".chars().cycle().take(size / 3).collect::<String>() + &"x".repeat(size % 3);
            assert_eq!(text.len(), size);
            let mut wire = Vec::new();
            write_frames(&mut wire, text.as_bytes()).await.unwrap();
            let frames = frames_of(&wire);
            assert_eq!(frames.len(), size.div_ceil(FRAGMENT_BYTES).max(1), "{size}");
            for (i, (fin, opcode, len)) in frames.iter().enumerate() {
                assert_eq!(*fin, i + 1 == frames.len(), "{size}: FIN only on the last");
                assert_eq!(
                    *opcode,
                    if i == 0 { 1 } else { 0 },
                    "{size}: Text, then Continue"
                );
                assert!(*len <= FRAGMENT_BYTES, "{size}: frame {i} is {len} bytes");
            }
            let mut client =
                WebSocket::from_raw_socket(std::io::Cursor::new(wire), Role::Client, None);
            match client.read() {
                Ok(Message::Text(got)) => assert_eq!(got.as_str(), text, "{size}"),
                other => panic!("{size}: {other:?}"),
            }
            assert!(client.read().is_err(), "{size}: nothing after it");
        }
    }

    /// A masked client frame (mask 0 keeps the payload readable).
    fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
        assert!(payload.len() < 126);
        let mut f = vec![first, 0x80 | payload.len() as u8, 0, 0, 0, 0];
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn client_bytes_get_the_close_code_the_connection_would_send() {
        let resync = frame(0x81, br#"{"type":"resync"}"#);
        assert_eq!(close_code_for_client_bytes(&resync), None, "served");
        assert_eq!(close_code_for_client_bytes(&frame(0x82, b"x")), Some(1003));
        assert_eq!(
            close_code_for_client_bytes(&frame(0xC1, b"x")),
            Some(1002),
            "RSV1"
        );
        assert_eq!(
            close_code_for_client_bytes(&frame(0x81, b"\xff")),
            Some(1007)
        );
        let unmasked = [0x81, 0x01, b'x'];
        assert_eq!(close_code_for_client_bytes(&unmasked), Some(1002));
    }
}
