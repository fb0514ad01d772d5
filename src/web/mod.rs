//! Transport only: routes, auth, errors and pages. The web layer parses and translates; the domain
//! decides; the engine records.

pub mod api;
mod assets;
pub mod auth;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod pages;
mod panic;
pub mod ratelimit;
pub mod signature;
pub mod tabular;
pub mod ws;

pub use ws::{feed, protocol};

use crate::domain::channels::ChannelDisplays;
use crate::domain::checks::anomalies::ReviewConfig;
use crate::engine::Engine;
use auth::Tokens;
use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use error::ApiError;
use std::sync::{Arc, Mutex, OnceLock};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Set once the journal is replayed; until then only `/healthz` and `/readyz` answer.
    engine: Arc<OnceLock<Engine>>,
    tokens: Arc<Tokens>,
    /// The screens' feed of diffs.
    pub feed: Arc<feed::Feed>,
    /// The screens' sockets held now, against their caps.
    connections: Arc<ws::limits::Connections>,
    /// The shop's time zone: the days of the reports.
    timezone: jiff::tz::TimeZone,
    /// What each channel last said it displays (not journaled: see `domain::channels`).
    pub channels: Arc<Mutex<ChannelDisplays>>,
    /// The channels' availability body, made once per published sequence number.
    pub availability: Arc<api::channels::AvailabilityCache>,
    /// This node's URL, as `GET /api/v1/cluster` advertises it.
    pub node: Arc<str>,
    /// The post-show review's anomaly thresholds (`[review]`).
    pub review: Arc<ReviewConfig>,
    /// Whether the overlay shows an end card after the show (`[overlay] end_card`).
    pub overlay_end_card: bool,
    /// The channels' secrets: their order pushes must be signed (`[channel_secrets]`).
    pub signatures: Arc<signature::Signatures>,
    /// Every token's request bucket (`[rate_limits]`).
    pub limiter: Arc<ratelimit::Limiter>,
}

impl AppState {
    pub fn new(tokens: Tokens, feed: Arc<feed::Feed>) -> Self {
        AppState {
            engine: Arc::new(OnceLock::new()),
            tokens: Arc::new(tokens),
            feed,
            connections: ws::limits::Connections::new(ws::limits::WsLimits::default()),
            timezone: jiff::tz::TimeZone::UTC,
            channels: Arc::default(),
            availability: Arc::default(),
            node: Arc::from("http://127.0.0.1"),
            review: Arc::new(ReviewConfig::default()),
            overlay_end_card: false,
            signatures: Arc::default(),
            limiter: Arc::default(),
        }
    }

    /// The same state in the shop's time zone (`timezone` in the config).
    pub fn with_timezone(mut self, timezone: jiff::tz::TimeZone) -> Self {
        self.timezone = timezone;
        self
    }

    pub fn timezone(&self) -> &jiff::tz::TimeZone {
        &self.timezone
    }

    /// The same state advertising `url` as this node's address.
    pub fn with_node(mut self, url: String) -> Self {
        self.node = Arc::from(url);
        self
    }

    /// The same state with the review's thresholds from the config.
    pub fn with_review(mut self, review: ReviewConfig) -> Self {
        self.review = Arc::new(review);
        self
    }

    /// The same state with the overlay's end card on or off (`[overlay] end_card`).
    pub fn with_overlay_end_card(mut self, on: bool) -> Self {
        self.overlay_end_card = on;
        self
    }

    /// The same state with the rate limits from the config.
    pub fn with_rate_limits(mut self, limits: &ratelimit::RateLimits) -> Self {
        self.limiter = Arc::new(ratelimit::Limiter::new(limits));
        self
    }

    /// The same state with the channels' secrets from the config.
    pub fn with_signatures(mut self, signatures: signature::Signatures) -> Self {
        self.signatures = Arc::new(signatures);
        self
    }

    /// The same state with other limits for the screens' sockets (lower ones in tests).
    pub fn with_ws_limits(mut self, limits: ws::limits::WsLimits) -> Self {
        self.connections = ws::limits::Connections::new(limits);
        self
    }

    /// Makes the server ready: called once, when replay is done.
    pub fn set_engine(&self, engine: Engine) {
        if self.engine.set(engine).is_err() {
            panic!("the engine is set once");
        }
    }

    pub fn engine(&self) -> Result<&Engine, ApiError> {
        self.engine.get().ok_or_else(|| {
            ApiError::unavailable("the journal is still being replayed; try again shortly")
        })
    }
}

impl FromRef<AppState> for Arc<Tokens> {
    fn from_ref(s: &AppState) -> Self {
        s.tokens.clone()
    }
}

/// The whole HTTP surface, so tests and `run` build the same thing. A handler that panics answers
/// 500 `internal` (see [`panic`]).
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::board))
        .route("/host", get(pages::host))
        .route("/overlay", get(pages::overlay))
        .route("/static/{*path}", get(assets::file))
        .route("/ws", get(ws::upgrade::upgrade))
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .route("/metrics", get(pages::metrics))
        .route("/api/openapi.json", get(assets::openapi))
        .route(
            "/api/v1/skus",
            get(api::skus::list_skus).post(api::skus::create_skus),
        )
        .route(
            "/api/v1/skus/{sku}",
            get(api::skus::get_sku).patch(api::skus::patch_sku),
        )
        .route(
            "/api/v1/skus/{sku}/movements",
            get(api::movements::list_movements).post(api::movements::post_movement),
        )
        .route("/api/v1/orders", post(api::orders::post_orders))
        .route(
            "/api/v1/show",
            get(api::show::get_show).post(api::show::create_show),
        )
        .route("/api/v1/show/start", post(api::show::start_show))
        .route("/api/v1/show/end", post(api::show::end_show))
        .route(
            "/api/v1/show/current",
            axum::routing::put(api::show::set_current),
        )
        .route("/api/v1/show/viewers", post(api::show::set_viewers))
        .route("/api/v1/show/precheck", get(api::show::precheck))
        .route(
            "/api/v1/channels/{channel}/availability",
            get(api::channels::availability),
        )
        .route(
            "/api/v1/channels/{channel}/displayed",
            post(api::channels::displayed),
        )
        .route("/api/v1/channels/sync", get(api::channels::sync))
        .route("/api/v1/cluster", get(api::cluster::cluster))
        .route("/api/v1/alerts", get(api::alerts::list_alerts))
        .route("/api/v1/alerts/{id}/ack", post(api::alerts::ack_alert))
        .route("/api/v1/import", post(api::transfer::import::import_skus))
        .route(
            "/api/v1/export/skus",
            get(api::transfer::export::export_skus),
        )
        .route(
            "/api/v1/movements",
            get(api::transfer::export::range_movements),
        )
        .route(
            "/api/v1/orders/{channel}/{order_id}",
            get(api::orders::get_order),
        )
        .route("/api/v1/show/review", get(api::review::get_review))
        .route("/api/v1/reports/daily", get(api::reports::get_daily))
        .route(
            "/api/v1/rooms",
            get(api::rooms::list_rooms).post(api::rooms::create_room),
        )
        .route("/api/v1/rooms/{room}", get(api::rooms::get_room))
        .route(
            "/api/v1/rooms/{room}/show",
            get(api::show::get_show).post(api::show::create_show),
        )
        .route(
            "/api/v1/rooms/{room}/show/start",
            post(api::show::start_show),
        )
        .route("/api/v1/rooms/{room}/show/end", post(api::show::end_show))
        .route(
            "/api/v1/rooms/{room}/show/current",
            axum::routing::put(api::show::set_current),
        )
        .route(
            "/api/v1/rooms/{room}/show/viewers",
            post(api::show::set_viewers),
        )
        .route(
            "/api/v1/rooms/{room}/show/precheck",
            get(api::show::precheck),
        )
        .route(
            "/api/v1/rooms/{room}/show/review",
            get(api::review::get_review),
        )
        .route("/reports/precheck", get(pages::report_precheck))
        .route("/reports/review", get(pages::report_review))
        .route("/reports/daily", get(pages::report_daily))
        .fallback(|| async { ApiError::not_found("no such page or endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ratelimit::limit,
        ))
        .with_state(state);
    panic::catch_panics(routes).layer(axum::middleware::from_fn(metrics::track))
}
