//! The HTML pages and the health endpoints. Pages take `?token=` once and set a cookie.

use super::AppState;
use super::auth::{Caller, Role, TOKEN_COOKIE, TokenSource};
use super::error::ApiError;
use crate::domain::stock::StockView;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};

#[derive(Template, WebTemplate)]
#[template(path = "board.html")]
struct Board {
    seq: u64,
    skus: Vec<StockView>,
}

/// The control-room board: for now the stock table, rendered on the server.
pub async fn board(
    axum::extract::State(s): axum::extract::State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    let engine = s.engine()?;
    let page = Board {
        seq: engine.seq(),
        skus: engine.views(),
    };
    Ok(with_cookie(&caller, page.into_response()))
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
