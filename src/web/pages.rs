//! The HTML pages and the health endpoints. Pages take `?token=` once and set a cookie.

use super::AppState;
use super::auth::{Caller, Role, TOKEN_COOKIE, TokenSource};
use super::error::ApiError;
use super::extract::Query;
use crate::web::openapi::{params, responses, roles};
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
#[utoipa::path(
    get,
    path = "/",
    operation_id = "boardPage",
    tag = "pages",
    summary = "The control-room board (HTML)",
    description = "The control-room board: every SKU, the show, the warnings, the charts.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("room" = inline(Option<params::RoomId>), Query, description = "The room the screen watches (API.md \"Rooms\"), `main` when absent; a room the shop does not have is 404 `not_found`, field `room`."),
        ("lang" = inline(Option<params::PageLang>), Query, description = "`en` shows the page in English; anything else (or none) in Chinese (zh-CN)."),
        ("token" = inline(Option<String>), Query, description = "The caller's token, once (for a browser that cannot send a header). The answer sets the cookie `livestock_token` (HttpOnly, SameSite=Strict, Path=/) so later requests carry it. Taken as is (not percent-decoded)."),
    ),
    responses(
        (status = 200, description = "The page (its script fills it from the WebSocket `/ws`).", content((String = "text/html")), headers(("Set-Cookie" = String, description = "`livestock_token=TOKEN; Path=/; HttpOnly; SameSite=Strict`, only when the token came as `?token=`."))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
    ),
    extensions(("x-roles" = json!(roles(&Role::ALL)))),
)]
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
#[utoipa::path(
    get,
    path = "/host",
    operation_id = "hostPage",
    tag = "pages",
    summary = "The host's prompt screen (HTML)",
    description = "The host screen: the product on air and next, with prompts.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("room" = inline(Option<params::RoomId>), Query, description = "The room the screen watches (API.md \"Rooms\"), `main` when absent; a room the shop does not have is 404 `not_found`, field `room`."),
        ("lang" = inline(Option<params::PageLang>), Query, description = "`en` shows the page in English; anything else (or none) in Chinese (zh-CN)."),
        ("token" = inline(Option<String>), Query, description = "The caller's token, once (for a browser that cannot send a header). The answer sets the cookie `livestock_token` (HttpOnly, SameSite=Strict, Path=/) so later requests carry it. Taken as is (not percent-decoded)."),
    ),
    responses(
        (status = 200, description = "The page (its script fills it from the WebSocket `/ws`).", content((String = "text/html")), headers(("Set-Cookie" = String, description = "`livestock_token=TOKEN; Path=/; HttpOnly; SameSite=Strict`, only when the token came as `?token=`."))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
    ),
    extensions(("x-roles" = json!(roles(&Role::ALL)))),
)]
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
#[utoipa::path(
    get,
    path = "/overlay",
    operation_id = "overlayPage",
    tag = "pages",
    summary = "The OBS overlay (HTML)",
    description = "The OBS browser-source overlay: the product on air and next.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("room" = inline(Option<params::RoomId>), Query, description = "The room the screen watches (API.md \"Rooms\"), `main` when absent; a room the shop does not have is 404 `not_found`, field `room`."),
        ("lang" = inline(Option<params::PageLang>), Query, description = "`en` shows the page in English; anything else (or none) in Chinese (zh-CN)."),
        ("token" = inline(Option<String>), Query, description = "The caller's token, once (for a browser that cannot send a header). The answer sets the cookie `livestock_token` (HttpOnly, SameSite=Strict, Path=/) so later requests carry it. Taken as is (not percent-decoded)."),
    ),
    responses(
        (status = 200, description = "The page (its script fills it from the WebSocket `/ws`).", content((String = "text/html")), headers(("Set-Cookie" = String, description = "`livestock_token=TOKEN; Path=/; HttpOnly; SameSite=Strict`, only when the token came as `?token=`."))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
    ),
    extensions(("x-roles" = json!(roles(&Role::ALL)))),
)]
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

#[utoipa::path(
    get,
    path = "/reports/precheck",
    operation_id = "precheckPage",
    tag = "pages",
    summary = "The pre-show check page (HTML)",
    description = "The pre-show check as a table to read and print (A4 landscape), with CSV and XLSX downloads of `GET /api/v1/show/precheck`.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("room" = inline(Option<params::RoomId>), Query, description = "The room whose show the page reports on (API.md \"Rooms\"), `main` when absent; read by the page's script."),
        ("lang" = inline(Option<params::PageLang>), Query, description = "`en` shows the page in English; anything else (or none) in Chinese (zh-CN)."),
        ("token" = inline(Option<String>), Query, description = "The caller's token, once (for a browser that cannot send a header). The answer sets the cookie `livestock_token` (HttpOnly, SameSite=Strict, Path=/) so later requests carry it. Taken as is (not percent-decoded)."),
    ),
    responses(
        (status = 200, description = "The page (its script fills it from the matching JSON endpoint).", content((String = "text/html")), headers(("Set-Cookie" = String, description = "`livestock_token=TOKEN; Path=/; HttpOnly; SameSite=Strict`, only when the token came as `?token=`."))),
        (status = 401, response = responses::Unauthorized),
    ),
    extensions(("x-roles" = json!(roles(&Role::ALL)))),
)]
pub async fn report_precheck(
    caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    Ok(report_page(&caller, &q, "precheck"))
}

#[utoipa::path(
    get,
    path = "/reports/review",
    operation_id = "reviewPage",
    tag = "pages",
    summary = "The post-show review page (HTML)",
    description = "The post-show review: per-product reconciliation, unpaid orders and anomalies as sentences, with CSV and XLSX downloads of `GET /api/v1/show/review`.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("room" = inline(Option<params::RoomId>), Query, description = "The room whose show the page reports on (API.md \"Rooms\"), `main` when absent; read by the page's script."),
        ("lang" = inline(Option<params::PageLang>), Query, description = "`en` shows the page in English; anything else (or none) in Chinese (zh-CN)."),
        ("token" = inline(Option<String>), Query, description = "The caller's token, once (for a browser that cannot send a header). The answer sets the cookie `livestock_token` (HttpOnly, SameSite=Strict, Path=/) so later requests carry it. Taken as is (not percent-decoded)."),
    ),
    responses(
        (status = 200, description = "The page (its script fills it from the matching JSON endpoint).", content((String = "text/html")), headers(("Set-Cookie" = String, description = "`livestock_token=TOKEN; Path=/; HttpOnly; SameSite=Strict`, only when the token came as `?token=`."))),
        (status = 401, response = responses::Unauthorized),
    ),
    extensions(("x-roles" = json!(roles(&Role::ALL)))),
)]
pub async fn report_review(
    caller: Caller,
    Query(q): Query<LangQuery>,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL)?;
    Ok(report_page(&caller, &q, "review"))
}

/// `?date=` is read by the page's script (a bad one is named there, from the API's 422).
#[utoipa::path(
    get,
    path = "/reports/daily",
    operation_id = "dailyPage",
    tag = "pages",
    summary = "The daily report page (HTML)",
    description = "The daily movement report of `?date=` (today in the shop's zone when absent), with CSV and XLSX downloads of `GET /api/v1/reports/daily`.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("date" = inline(Option<params::PageDate>), Query, description = "The day to show, `YYYY-MM-DD`; read by the page's script."),
        ("lang" = inline(Option<params::PageLang>), Query, description = "`en` shows the page in English; anything else (or none) in Chinese (zh-CN)."),
        ("token" = inline(Option<String>), Query, description = "The caller's token, once (for a browser that cannot send a header). The answer sets the cookie `livestock_token` (HttpOnly, SameSite=Strict, Path=/) so later requests carry it. Taken as is (not percent-decoded)."),
    ),
    responses(
        (status = 200, description = "The page (its script fills it from the matching JSON endpoint).", content((String = "text/html")), headers(("Set-Cookie" = String, description = "`livestock_token=TOKEN; Path=/; HttpOnly; SameSite=Strict`, only when the token came as `?token=`."))),
        (status = 401, response = responses::Unauthorized),
    ),
    extensions(("x-roles" = json!(roles(&Role::ALL)))),
)]
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

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    summary = "Liveness",
    description = "Answers as soon as the server listens, even while the journal replays. No token needed.",
    responses(
        (status = 200, description = "Alive.", content((ref("#/components/schemas/Health") = "application/json", example = json!({"status": "ok"})))),
    ),
    security(),
)]
pub async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({"status": "ok"}))
}

#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    summary = "Readiness",
    description = "Ready once the journal is replayed and takes writes. No token needed.",
    responses(
        (status = 200, description = "Ready.", content((ref("#/components/schemas/Ready") = "application/json", example = json!({"seq": 5, "server_ms": 1796322796422_i64, "status": "ready", "writes": "ok"})))),
        (status = 503, description = "`unavailable`: the journal is still being replayed or the server is shutting down (an Error body); or the journal takes no writes (a WritesPaused body).", content((ref("#/components/schemas/ReadyRefusal") = "application/json"))),
    ),
    security(),
)]
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
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    summary = "Prometheus metrics",
    description = "The Prometheus text exposition (scrapers send the token as a bearer token).\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    responses(
        (status = 200, description = "Metrics.", content((String = "text/plain; version=0.0.4; charset=utf-8"))),
        (status = 401, response = responses::Unauthorized),
    ),
    extensions(("x-roles" = json!(roles(&Role::ALL)))),
)]
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
