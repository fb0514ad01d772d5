//! The HTML pages and the health endpoints. Pages take `?token=` once and set a cookie.

use super::AppState;
use super::auth::{Caller, Role, TOKEN_COOKIE, TokenSource};
use super::error::ApiError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};

/// A screen's shell; the page's script fills it from the WebSocket feed.
#[derive(Template, WebTemplate)]
#[template(path = "board.html")]
struct BoardPage {
    lang: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "host.html")]
struct HostPage {
    lang: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "overlay.html")]
struct OverlayPage {
    lang: &'static str,
}

/// `?lang=en` switches a page to English; Chinese (zh-CN) is the default.
#[derive(serde::Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

impl LangQuery {
    fn lang(&self) -> &'static str {
        match self.lang.as_deref() {
            Some("en") => "en",
            _ => "zh-CN",
        }
    }
}

/// `/`: the control-room board.
pub async fn board(caller: Caller, Query(q): Query<LangQuery>) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    Ok(with_cookie(
        &caller,
        BoardPage { lang: q.lang() }.into_response(),
    ))
}

/// `/host`: the host's prompt screen.
pub async fn host(caller: Caller, Query(q): Query<LangQuery>) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    Ok(with_cookie(
        &caller,
        HostPage { lang: q.lang() }.into_response(),
    ))
}

/// `/overlay`: the OBS browser source.
pub async fn overlay(caller: Caller, Query(q): Query<LangQuery>) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    Ok(with_cookie(
        &caller,
        OverlayPage { lang: q.lang() }.into_response(),
    ))
}

/// Keeps a token that came in the query as an HttpOnly cookie, so the page's own requests carry it.
fn with_cookie(caller: &Caller, mut response: Response) -> Response {
    if caller.source == TokenSource::Query {
        let cookie = format!(
            "{TOKEN_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
            caller.token
        );
        if let Ok(v) = cookie.parse() {
            response.headers_mut().insert(SET_COOKIE, v);
        }
    }
    response
}

pub async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({"status": "ok"}))
}

pub async fn readyz(axum::extract::State(s): axum::extract::State<AppState>) -> Response {
    match s.engine() {
        Ok(engine) => {
            axum::Json(serde_json::json!({"status": "ready", "seq": engine.seq()})).into_response()
        }
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, axum::Json(e.body())).into_response(),
    }
}
