//! A screen as the tests see it: one WebSocket read frame by frame against deadlines, and how a
//! read ends when no frame comes (quiet, a close frame, or a socket gone without one).

use crate::common::*;
use crate::{FRAME_TIMEOUT_MS, ws_url};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A screen: one WebSocket, read frame by frame with deadlines.
pub(crate) struct Screen<S> {
    pub(crate) ws: WebSocketStream<S>,
    /// What it is, for failure messages.
    pub(crate) name: String,
}

/// How a read ended when it did not give a frame.
#[derive(Debug)]
pub(crate) enum End {
    /// Nothing arrived before the deadline.
    Quiet,
    /// The server sent a close frame with this code.
    Closed(Option<CloseCode>),
    /// The stream ended or failed without a close frame.
    Gone(String),
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Quiet => write!(f, "nothing arrived"),
            End::Closed(code) => write!(f, "a close frame with code {code:?}"),
            End::Gone(why) => write!(f, "the socket ended without a close frame: {why}"),
        }
    }
}

pub(crate) type TcpScreen = Screen<MaybeTlsStream<TcpStream>>;

impl TcpScreen {
    /// Opens `/ws?view=VIEW&token=TOKEN` and insists the upgrade succeeds.
    pub(crate) async fn open(s: &TestServer, view: &str, token: &str) -> TcpScreen {
        let url = ws_url(s, &format!("view={view}&token={token}"));
        let (ws, resp) = tokio::time::timeout(
            Duration::from_millis(FRAME_TIMEOUT_MS),
            tokio_tungstenite::connect_async(url.as_str()),
        )
        .await
        .unwrap_or_else(|_| panic!("opening {url} timed out"))
        .unwrap_or_else(|e| panic!("opening {url}: {e}\nserver output:\n{}", s.logs()));
        assert_eq!(resp.status().as_u16(), 101, "{url} answered {resp:?}");
        Screen {
            ws,
            name: format!("{view} screen"),
        }
    }
}

impl<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin> Screen<S> {
    /// The next JSON text frame before `deadline`, or how the read ended.
    pub(crate) async fn read(&mut self, deadline: Instant) -> Result<Value, End> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return Err(End::Quiet),
                Ok(None) => return Err(End::Gone("the stream ended".to_owned())),
                Ok(Some(Err(e))) => return Err(End::Gone(e.to_string())),
                Ok(Some(Ok(msg))) => msg,
            };
            match msg {
                Message::Text(text) => {
                    return Ok(serde_json::from_str(&text).unwrap_or_else(|e| {
                        panic!("{}: a text frame that is not JSON ({e}): {text}", self.name)
                    }));
                }
                Message::Close(frame) => return Err(End::Closed(frame.map(|f| f.code))),
                Message::Binary(b) => panic!("{}: a binary frame of {} bytes", self.name, b.len()),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// The next JSON text frame within `timeout_ms`; anything else fails the test.
    pub(crate) async fn next(&mut self, timeout_ms: u64) -> Value {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        self.read(deadline)
            .await
            .unwrap_or_else(|end| panic!("{}: no frame within {timeout_ms} ms: {end}", self.name))
    }

    /// Reads frames until one satisfies `want`, within `timeout_ms`; returns it.
    pub(crate) async fn until(
        &mut self,
        timeout_ms: u64,
        what: &str,
        mut want: impl FnMut(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        let mut seen = Vec::new();
        loop {
            match self.read(deadline).await {
                Ok(frame) if want(&frame) => return frame,
                Ok(frame) => seen.push(frame["type"].clone()),
                Err(end) => panic!(
                    "{}: {what}: not so within {timeout_ms} ms ({end}); frames seen: {seen:?}",
                    self.name
                ),
            }
        }
    }

    /// Every frame that arrives within `for_ms`, with when it arrived; fails if the socket ends.
    pub(crate) async fn collect(&mut self, for_ms: u64) -> Vec<(Instant, Value)> {
        let deadline = Instant::now() + Duration::from_millis(for_ms);
        let mut frames = Vec::new();
        loop {
            match self.read(deadline).await {
                Ok(frame) => frames.push((Instant::now(), frame)),
                Err(End::Quiet) => return frames,
                Err(end) => panic!("{}: the socket ended while collecting: {end}", self.name),
            }
        }
    }

    pub(crate) async fn send(&mut self, text: &str) {
        tokio::time::timeout(
            Duration::from_millis(FRAME_TIMEOUT_MS),
            self.ws.send(Message::text(text)),
        )
        .await
        .unwrap_or_else(|_| panic!("{}: sending {text} timed out", self.name))
        .unwrap_or_else(|e| panic!("{}: sending {text}: {e}", self.name));
    }
}
