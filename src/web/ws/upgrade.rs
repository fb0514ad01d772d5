//! The `/ws` handshake, by hand (RFC 6455 4.2): who may open a socket, from which Origin, for which
//! view; a request that is not a WebSocket handshake (a wrong version, a key that is not 16 bytes of
//! base64) is refused with the error body before anything is upgraded.

use super::connection;
use super::protocol::{View, Watch};
use crate::domain::types::RoomId;
use crate::web::AppState;
use crate::web::auth::{Caller, Role};
use crate::web::error::ApiError;
use crate::web::extract::Query;
use crate::web::openapi::{params, responses, roles};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    CONNECTION, HOST, ORIGIN, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION,
    UPGRADE,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version};
use axum::response::{ErrorResponse, IntoResponse, Response};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

#[derive(serde::Deserialize)]
pub struct WsQuery {
    view: Option<String>,
    /// The room watched (API.md "Rooms"); `main` when absent.
    room: Option<String>,
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

/// Why a request is not a WebSocket handshake the server takes.
enum BadHandshake {
    /// What is wrong with it.
    Not(&'static str),
    /// A wrong or missing `Sec-WebSocket-Version`.
    Version,
}

impl IntoResponse for BadHandshake {
    /// 400 with the error body; a wrong version also names the one the server speaks (RFC 6455
    /// 4.2.2).
    fn into_response(self) -> Response {
        let message = match self {
            BadHandshake::Not(message) => message,
            BadHandshake::Version => "Sec-WebSocket-Version must be 13",
        };
        let error = ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("not a WebSocket handshake: {message}"),
        );
        let mut response = error.into_response();
        if let BadHandshake::Version = self {
            response
                .headers_mut()
                .insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        }
        response
    }
}

/// Whether `name` holds `token` in its comma-separated list, ignoring case.
fn header_has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    })
}

/// Whether `key` is a `Sec-WebSocket-Key`: the base64 of exactly 16 bytes (RFC 6455 4.1), that is
/// 22 digits of the alphabet and `==`, the last digit carrying 2 bits of data and 4 zero bits.
fn is_websocket_key(key: &[u8]) -> bool {
    const DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let [digits @ .., last, b'=', b'='] = key else {
        return false;
    };
    digits.len() == 21 && digits.iter().all(|d| DIGITS.contains(d)) && b"AQgw".contains(last)
}

/// Checks an HTTP/1.1 WebSocket handshake (RFC 6455 4.2.1); returns its `Sec-WebSocket-Key`.
fn handshake_key(req: &Request) -> Result<&[u8], BadHandshake> {
    let refuse = |message| Err(BadHandshake::Not(message));
    if req.version() != Version::HTTP_11 {
        return refuse("the upgrade needs HTTP/1.1");
    }
    if req.method() != Method::GET {
        return refuse("the method must be GET");
    }
    let headers = req.headers();
    if !header_has_token(headers, CONNECTION, "upgrade") {
        return refuse("Connection must include upgrade");
    }
    if !header_has_token(headers, UPGRADE, "websocket") {
        return refuse("Upgrade must be websocket");
    }
    if headers
        .get(SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v.as_bytes() != b"13")
    {
        return Err(BadHandshake::Version);
    }
    match headers.get(SEC_WEBSOCKET_KEY) {
        Some(key) if is_websocket_key(key.as_bytes()) => Ok(key.as_bytes()),
        Some(_) => refuse("Sec-WebSocket-Key must be the base64 of 16 bytes"),
        None => refuse("Sec-WebSocket-Key is missing"),
    }
}
/// The upgrade by hand rather than axum's `WebSocketUpgrade`: axum's socket sends a message only
/// as one frame, and a screen must get its snapshots in fragments (see [`connection::FRAGMENT_BYTES`]).
#[utoipa::path(
    get,
    path = "/ws",
    operation_id = "screensWebSocket",
    tag = "screens",
    summary = "The screens' WebSocket (upgrade)",
    description = "The screens' WebSocket. The request must be a WebSocket upgrade (`Connection: Upgrade`, `Upgrade: websocket`, `Sec-WebSocket-Version: 13`, `Sec-WebSocket-Key`); a browser's `Origin` must name this server's `Host` (403 otherwise; a client without `Origin` is judged by its token alone).\n\nServer → client, JSON text frames (schemas: `WsServerFrame` in components, listed in `x-websocket`):\n\n- first `{\"type\": \"snapshot\", \"view\", \"seq\", \"server_ms\", \"skus\": [StockView], \"show\": ShowView, \"alerts\": [Alert], \"series\": Series}` — `board` and `feed` get every SKU and the series; `host` and `overlay` only the products on air and next, and empty series; `alerts` are the open ones, newest first, at most 100;\n- then `{\"type\": \"diff\", \"seq\", \"server_ms\", \"skus\": [StockView], \"show\": ShowView, \"sample\"?: Sample}` — coalesced, at most one per tick (default 100 ms) and only when something changed; `board`/`feed`: the SKUs that changed and, when a point was taken, `sample`; `host`/`overlay`: the products on air and next, sent only when the show or one of them changed;\n- `{\"type\": \"alert\", \"alert\": Alert}` at once when a warning fires or is acknowledged (a storm of more than 16 at once is followed by a fresh snapshot instead);\n- `{\"type\": \"error\", \"message\"}` answers a client message that is not understood.\n\n`seq` is the journal sequence number the state includes; it never goes down on one connection. `server_ms` is the server's clock in epoch milliseconds.\n\nClient → server: `{\"type\": \"resync\"}` asks for a fresh snapshot (messages of at most 4 KiB). A client that cannot keep up (64 frames behind) is sent a fresh snapshot instead of its backlog; one that cannot take a frame within 5 s, or misses a ping (every 15 s), is closed; it never slows anyone else. When the server stops it closes every connection with code 1001 `server stopping`.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("room" = inline(Option<params::RoomId>), Query, description = "The room watched (API.md \"Rooms\"): a stage view shows that room's show only (`main` when absent); a board shows every room and focuses this one. A malformed id is 422, a room the shop does not have 404, both naming `room`."),
        ("view" = inline(Option<params::View>), Query, description = "Which screen the connection feeds: `board` (everything), `feed` (the same, for integrations), `host` and `overlay` (the products on air and next only)."),
        ("token" = inline(Option<String>), Query, description = "The caller's token, once (for a browser that cannot send a header). The answer sets the cookie `livestock_token` (HttpOnly, SameSite=Strict, Path=/) so later requests carry it. Taken as is (not percent-decoded)."),
    ),
    responses(
        (status = 101, description = "Switching protocols: the WebSocket is open; frames as described above."),
        (status = 400, description = "Not a WebSocket handshake (checked after the token, Origin and view): the error body with code bad_request.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 403, description = "`forbidden`: the `Origin` is not this server.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 422, description = "`invalid`, field `view`: `view` is not board, host, overlay or feed.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(&Role::ALL))), ("x-websocket" = json!(crate::web::openapi::websocket()))),
)]
pub async fn upgrade(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<WsQuery>,
    mut req: Request,
) -> Result<Response, ErrorResponse> {
    caller.require(&Role::ALL)?;
    check_origin(req.headers())?;
    let raw = q.view.as_deref().unwrap_or("board");
    let view = View::parse(raw)
        .ok_or_else(|| ApiError::invalid("view", "view must be board, host, overlay or feed"))?;
    let room = match q.room.as_deref() {
        None if view.is_stage() => Some(RoomId::main()),
        None => None,
        Some(raw) => Some(RoomId::parse(raw).map_err(|e| ApiError::invalid("room", e))?),
    };
    if let Some(room) = room
        .as_ref()
        .filter(|r| s.engine().is_ok_and(|e| e.room_show(r).is_none()))
    {
        let msg = format!("no room {room}; create it with POST /api/v1/rooms");
        return Err(ApiError::not_found(msg).with_field("room").into());
    }
    let view = Watch { view, room };
    let accept = derive_accept_key(handshake_key(&req)?);
    let engine = s.engine()?.clone();
    // Last, so only a request that would be upgraded takes a slot; the slot lives as long as the
    // connection (or is given back at once if the upgrade never completes).
    let slot = s.connections.admit(&caller.token)?;
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
        connection::serve(upgraded, engine, feed, view, slot).await;
    });
    Ok(Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(CONNECTION, "upgrade")
        .header(UPGRADE, "websocket")
        .header(SEC_WEBSOCKET_ACCEPT, accept)
        .body(Body::empty())
        .expect("a valid 101 response"))
}
