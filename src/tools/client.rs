//! The one HTTP and WebSocket client of livestock's public API (API.md), shared by the tools
//! (`demo`, `load`, `load-screens`) and the end-to-end tests: a base URL, bearer tokens, JSON bodies
//! in and out, and a retry policy saying which answers are worth a second try.

use crate::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long one request may take unless the caller says otherwise.
pub const REQUEST_TIMEOUT_MS: u64 = 20_000;
/// Events in one `POST /api/v1/orders` array at most (API.md "Orders").
pub const ORDERS_BATCH_MAX: usize = 1000;

/// A screen's WebSocket as [`Client::ws`] opens it.
pub type Screen = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Which failures a [`Client`] tries again, how often and after what pause. Every request the
/// tools and tests send is idempotent or refused whole, so a retry is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Retries after the first try, at most.
    pub retries_max: u32,
    /// The pause before the first retry, in milliseconds; it doubles up to `pause_max_ms`.
    pub pause_ms: u64,
    pub pause_max_ms: u64,
    /// Whether a transport error (refused, reset, timed out) is retried.
    pub transport: bool,
    /// Whether 503 `unavailable` is retried (the journal replays, the disk is full).
    pub unavailable: bool,
}

impl Retry {
    /// No retries: what the server answered is what the caller sees (the load generators measure
    /// exactly that).
    pub const NEVER: Retry = Retry {
        retries_max: 0,
        pause_ms: 0,
        pause_max_ms: 0,
        transport: false,
        unavailable: false,
    };
    /// 429 `rate_limited` only: for tests, to which a rate limit is beside the point and every other
    /// answer (503 included) is what they assert on.
    pub const RATE_LIMITED: Retry = Retry {
        retries_max: 50,
        pause_ms: 20,
        pause_max_ms: 500,
        transport: false,
        unavailable: false,
    };
    /// Whatever may pass on a second try: transport errors, 429 and 503 (the demo rides through a
    /// server that is still replaying or briefly busy).
    pub const TRANSIENT: Retry = Retry {
        retries_max: 20,
        pause_ms: 50,
        pause_max_ms: 2_000,
        transport: true,
        unavailable: true,
    };

    fn retries_status(&self, status: StatusCode) -> bool {
        status == StatusCode::TOO_MANY_REQUESTS
            || (self.unavailable && status == StatusCode::SERVICE_UNAVAILABLE)
    }
}

/// A client of one server: its base URL (`http://HOST:PORT`), an HTTP connection pool and a
/// [`Retry`] policy. Cheap to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    retry: Retry,
}

impl Client {
    /// A client of `base` with its own pool and the [`REQUEST_TIMEOUT_MS`] timeout.
    pub fn new(base: &str, retry: Retry) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(REQUEST_TIMEOUT_MS))
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        Ok(Client::over(http, base, retry))
    }

    /// A client that keeps one keep-alive connection and no timeout: one simulated channel
    /// connection of a load generator, whose every request is measured as the server answers it.
    pub fn one_connection(base: &str) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        Ok(Client::over(http, base, Retry::NEVER))
    }

    /// A client of `base` over an existing pool (tests keep one pool per simulated connection).
    pub fn over(http: reqwest::Client, base: &str, retry: Retry) -> Client {
        Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            retry,
        }
    }

    /// `http://HOST:PORT`, with no trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of a WebSocket `/ws?QUERY` on this server.
    pub fn ws_url(&self, query: &str) -> String {
        let host = self
            .base
            .strip_prefix("http://")
            .map(|h| format!("ws://{h}"))
            .unwrap_or_else(|| self.base.replacen("https://", "wss://", 1));
        format!("{host}/ws?{query}")
    }

    /// Opens a screen's WebSocket `/ws?QUERY` (the token goes in the query, as pages send it).
    pub async fn ws(&self, query: &str) -> Result<Screen, String> {
        let url = self.ws_url(query);
        tokio_tungstenite::connect_async(url.as_str())
            .await
            .map(|(ws, _)| ws)
            .map_err(|e| format!("/ws?{query}: {e}"))
    }

    /// Sends one request with an optional bearer token and `bytes` as an `application/json` body
    /// (sent as they are, malformed or not); answers the status and the body as JSON (`Null` when
    /// empty, a string when it is not JSON). Retries what [`Retry`] says; an `Err` is a transport
    /// error that was not retried, or the last one.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        bytes: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Value), String> {
        let (status, body) = self.send_raw(method, path, token, bytes).await?;
        let value = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
        };
        Ok((status, value))
    }

    /// [`Client::send`] answering the body's bytes unparsed (a load generator reads its answers
    /// without paying for a JSON parse).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        bytes: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Vec<u8>), String> {
        let url = format!("{}{path}", self.base);
        let mut pause_ms = self.retry.pause_ms;
        let mut retries = 0;
        loop {
            let mut req = self.http.request(method.clone(), &url);
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            if let Some(bytes) = &bytes {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            let last_try = retries >= self.retry.retries_max;
            let failure = match req.send().await {
                Ok(resp) if last_try || !self.retry.retries_status(resp.status()) => {
                    let status = resp.status();
                    let body = resp
                        .bytes()
                        .await
                        .map_err(|e| format!("{method} {path}: reading the answer: {e}"))?;
                    return Ok((status, body.to_vec()));
                }
                Ok(resp) => format!("HTTP {}", resp.status()),
                Err(e) if self.retry.transport && !last_try => e.to_string(),
                Err(e) => return Err(format!("{method} {path}: {e}")),
            };
            tracing::debug!(%method, path, failure, retries, "retrying");
            retries += 1;
            tokio::time::sleep(Duration::from_millis(pause_ms)).await;
            pause_ms = (pause_ms * 2).min(self.retry.pause_max_ms);
        }
    }

    /// [`Client::send`] with a JSON value as the body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), String> {
        let bytes = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| format!("{method} {path}: serialising the body: {e}"))?;
        self.send(method, path, token, bytes).await
    }

    /// [`Client::call`] that wants a 2xx answer; any other is an error naming the API's error code
    /// and message.
    pub async fn ok(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let (status, value) = self.call(method.clone(), path, token, body).await?;
        if status.is_success() {
            return Ok(value);
        }
        Err(format!(
            "{method} {path}: HTTP {status}: {} {}",
            value["error"]["code"].as_str().unwrap_or(""),
            value["error"]["message"].as_str().unwrap_or("")
        ))
    }

    /// `GET path`, wanting a 2xx answer.
    pub async fn get(&self, path: &str, token: &str) -> Result<Value, String> {
        self.ok(Method::GET, path, Some(token), None).await
    }

    /// `POST path` with a JSON body, wanting a 2xx answer.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Result<Value, String> {
        self.ok(Method::POST, path, Some(token), Some(body)).await
    }

    /// Creates one SKU (an object) or many (an array), wanting 201.
    pub async fn create_skus(&self, token: &str, skus: &Value) -> Result<Value, String> {
        self.post("/api/v1/skus", token, skus).await
    }

    /// One SKU's stock view.
    pub async fn sku(&self, token: &str, code: &str) -> Result<Value, String> {
        self.get(&format!("/api/v1/skus/{code}"), token).await
    }

    /// Posts order events as arrays of at most `per_post` (≤ [`ORDERS_BATCH_MAX`]) and answers one
    /// result per event, in order.
    pub async fn post_events(
        &self,
        token: &str,
        events: &[Value],
        per_post: usize,
    ) -> Result<Vec<Value>, String> {
        let per_post = per_post.clamp(1, ORDERS_BATCH_MAX);
        let mut results = Vec::with_capacity(events.len());
        for chunk in events.chunks(per_post) {
            let body = Value::Array(chunk.to_vec());
            let answer = self.post("/api/v1/orders", token, &body).await?;
            let Some(answers) = answer["results"].as_array() else {
                return Err("POST /api/v1/orders: the answer has no results".to_owned());
            };
            if answers.len() != chunk.len() {
                return Err(format!(
                    "POST /api/v1/orders: {} results for {} events",
                    answers.len(),
                    chunk.len()
                ));
            }
            results.extend(answers.iter().cloned());
        }
        Ok(results)
    }
}

/// A token for `role` that nobody can guess: `PREFIX-ROLE-` and 32 random hex digits.
pub fn random_token(prefix: &str, role: Role) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a token: {e}"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{prefix}-{}-{hex}", role.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_url_swaps_the_scheme_and_keeps_the_host() {
        let client = Client::over(reqwest::Client::new(), "http://127.0.0.1:9/", Retry::NEVER);
        assert_eq!(client.base(), "http://127.0.0.1:9");
        assert_eq!(
            client.ws_url("view=board&token=t"),
            "ws://127.0.0.1:9/ws?view=board&token=t"
        );
    }

    #[test]
    fn only_the_answers_a_policy_names_are_retried() {
        for retry in [Retry::RATE_LIMITED, Retry::TRANSIENT] {
            assert!(retry.retries_status(StatusCode::TOO_MANY_REQUESTS));
            assert!(!retry.retries_status(StatusCode::CONFLICT));
        }
        assert!(!Retry::RATE_LIMITED.retries_status(StatusCode::SERVICE_UNAVAILABLE));
        assert!(Retry::TRANSIENT.retries_status(StatusCode::SERVICE_UNAVAILABLE));
    }

    #[tokio::test]
    async fn a_refused_connection_is_an_error_naming_the_request() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let client = Client::new(&base, Retry::RATE_LIMITED).unwrap();
        let err = client.get("/readyz", "t").await.unwrap_err();
        assert!(err.starts_with("GET /readyz: "), "{err}");
    }
}
