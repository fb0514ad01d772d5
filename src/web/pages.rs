//! The HTML pages and the health endpoints. Pages take `?token=` once and set a cookie.

use super::AppState;
use super::auth::{Caller, Role, TOKEN_COOKIE, TokenSource};
use super::error::ApiError;
use super::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
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
    /// After the show: an end card (`[overlay] end_card`), else an empty overlay.
    end_card: bool,
}

/// A report page's shell (SPEC D4); its script reads the matching JSON endpoint and renders it.
#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
struct ReportPage {
    lang: &'static str,
    /// `precheck`, `review` or `daily`.
    kind: &'static str,
    /// The page's title before its script runs.
    title: &'static str,
}

/// `?lang=en` switches a page to English; Chinese (zh-CN) is the default.
#[derive(serde::Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
    /// The room a screen watches (API.md "Rooms"); its script passes it on to `/ws`.
    room: Option<String>,
}

/// A screen for a room the shop does not have is not found, rather than a page that never
/// connects.
fn check_room(state: &AppState, q: &LangQuery) -> Result<(), ApiError> {
    let Some(raw) = q.room.as_deref() else {
        return Ok(());
    };
    let known = crate::domain::types::RoomId::parse(raw)
        .ok()
        .is_some_and(|room| state.engine().is_ok_and(|e| e.room_show(&room).is_some()));
    if known {
        Ok(())
    } else {
        Err(
            ApiError::not_found(format!("no room {raw}; create it with POST /api/v1/rooms"))
                .with_field("room"),
        )
    }
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
pub async fn board(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    check_room(&state, &q)?;
    Ok(with_cookie(
        &caller,
        BoardPage { lang: q.lang() }.into_response(),
    ))
}

/// `/host`: the host's prompt screen.
pub async fn host(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    check_room(&state, &q)?;
    Ok(with_cookie(
        &caller,
        HostPage { lang: q.lang() }.into_response(),
    ))
}

/// `/overlay`: the OBS browser source.
pub async fn overlay(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    check_room(&state, &q)?;
    let page = OverlayPage {
        lang: q.lang(),
        end_card: state.overlay_end_card,
    };
    Ok(with_cookie(&caller, page.into_response()))
}

/// `/reports/precheck`, `/reports/review`, `/reports/daily?date=`: the report pages.
fn report_page(caller: &Caller, q: &LangQuery, kind: &'static str) -> Response {
    let title = match (kind, q.lang()) {
        ("precheck", "en") => "Pre-show check",
        ("precheck", _) => "预盘点",
        ("review", "en") => "Post-show review",
        ("review", _) => "直播复盘",
        (_, "en") => "Daily report",
        _ => "库存日报",
    };
    let page = ReportPage {
        lang: q.lang(),
        kind,
        title,
    };
    with_cookie(caller, page.into_response())
}

pub async fn report_precheck(
    caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    Ok(report_page(&caller, &q, "precheck"))
}

pub async fn report_review(
    caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    Ok(report_page(&caller, &q, "review"))
}

/// `?date=` is read by the page's script (a bad one is named there, from the API's 422).
pub async fn report_daily(
    caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    Ok(report_page(&caller, &q, "daily"))
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
            let writes = engine.writes();
            let mut body = serde_json::json!({"status": "ready", "writes": writes.name(), "seq": engine.seq(), "server_ms": engine.now_ms()});
            if writes == crate::engine::WriteState::Ok {
                return axum::Json(body).into_response();
            }
            // Reads and screens still work, but a load balancer must send writes elsewhere.
            let why = match writes {
                crate::engine::WriteState::DiskFull => {
                    "the disk is full: writes are paused until space returns"
                }
                _ => {
                    "the journal could not be written: no more writes are taken; restart to replay it"
                }
            };
            body["status"] = serde_json::json!(writes.name());
            body["error"] = ApiError::unavailable(why).body()["error"].take();
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
        }
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, axum::Json(e.body())).into_response(),
    }
}

/// The Prometheus recorder, installed once per process.
static METRICS: std::sync::OnceLock<Option<metrics_exporter_prometheus::PrometheusHandle>> =
    std::sync::OnceLock::new();

/// Installs the Prometheus recorder (once); later calls are no-ops.
pub fn install_metrics() {
    METRICS.get_or_init(|| {
        super::metrics::prometheus()
            .install_recorder()
            .map_err(
                |e| tracing::warn!(error = %e, "no Prometheus recorder; /metrics will be empty"),
            )
            .ok()
    });
}

/// `/metrics`: Prometheus text, for any valid token (scrapers send it as a bearer token).
pub async fn metrics(caller: Caller) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    let body = METRICS
        .get()
        .and_then(|h| h.as_ref())
        .map(|h| h.render())
        .unwrap_or_default();
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}
