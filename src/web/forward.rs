//! A follower's writes go to its shop's leader (API.md "Several nodes": writes taken anywhere and
//! decided by the one leader): the request is sent on as it came, and the leader's answer is
//! relayed as it is. Reads are served here, from this node's own replayed pool.

use super::AppState;
use crate::web::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::RwLock;

/// Marks a write a follower sent on: a node that does not lead answers it 503 rather than send it
/// on again, so a stale view of who leads can never make a loop.
const FORWARDED: HeaderName = HeaderName::from_static("x-livestock-forwarded");
/// The largest body sent on: the largest the API takes (an XLSX import).
const BODY_BYTES_MAX: usize = crate::web::api::transfer::import::IMPORT_BODY_BYTES_MAX;
/// Seconds a client is told to wait while no leader is known.
const RETRY_AFTER_SECS: u32 = 1;

/// This node's place in its shop's cluster, as the lease says.
pub struct ClusterInfo {
    pub shop: String,
    /// `--node-id`, if given.
    pub node_id: Option<String>,
    /// The leader's advertised URL, as the lease last said; `None` while no one holds it.
    leader: RwLock<Option<String>>,
    client: reqwest::Client,
}

impl ClusterInfo {
    pub fn new(shop: String, node_id: Option<String>) -> Self {
        ClusterInfo {
            shop,
            node_id,
            leader: RwLock::new(None),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(15))
                .build()
                .expect("a plain HTTP client builds"),
        }
    }

    pub fn leader(&self) -> Option<String> {
        self.leader.read().expect("leader lock").clone()
    }

    pub fn set_leader(&self, url: Option<String>) {
        *self.leader.write().expect("leader lock") = url;
    }
}

/// Sends a write on to the leader when this node follows; everything else goes through.
pub async fn forward(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(cluster) = state.cluster.clone() else {
        return next.run(req).await;
    };
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let leads = state.engine().is_ok_and(|e| e.leads());
    if !write || !req.uri().path().starts_with("/api/") || leads {
        return next.run(req).await;
    }
    let no_leader = |why: &str| {
        ApiError::unavailable(format!("{why}; try again shortly"))
            .with_retry_after(RETRY_AFTER_SECS)
            .into_response()
    };
    let leader = match cluster.leader() {
        Some(url) if url != *state.node && !req.headers().contains_key(&FORWARDED) => url,
        _ => return no_leader("this node does not lead the shop and no other node is known to"),
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_BYTES_MAX).await else {
        return ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the body is larger than any the API takes",
        )
        .into_response();
    };
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut sent = cluster
        .client
        .request(parts.method.clone(), format!("{leader}{path}"))
        .header(FORWARDED, "1")
        .body(bytes);
    for (name, value) in &parts.headers {
        if !matches!(
            *name,
            header::HOST | header::CONTENT_LENGTH | header::CONNECTION | header::TRANSFER_ENCODING
        ) {
            sent = sent.header(name, value);
        }
    }
    let answer = match sent.send().await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::warn!(leader, error = %e, "the leader did not answer a forwarded write");
            return no_leader(&format!("the shop's leader at {leader} did not answer"));
        }
    };
    let mut out = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !matches!(
            *name,
            header::CONTENT_LENGTH | header::CONNECTION | header::TRANSFER_ENCODING
        ) {
            out = out.header(name, value);
        }
    }
    match answer.bytes().await {
        Ok(body) => out
            .body(Body::from(body))
            .unwrap_or_else(|_| no_leader("bad answer")),
        // The leader may have applied it: the client retries, and the retry is judged once.
        Err(_) => no_leader(&format!(
            "the shop's leader at {leader} did not finish its answer"
        )),
    }
}
