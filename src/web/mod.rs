//! Transport only: routes, auth, errors and pages. The web layer parses and translates; the domain
//! decides; the engine records.

pub mod api;
mod assets;
pub mod auth;
pub mod error;
pub mod extract;
pub mod forward;
mod integral;
pub mod metrics;
pub mod openapi;
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
use error::ApiError;
use openapi::in_room;
use std::sync::{Arc, Mutex, OnceLock};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What every handler shares: one pointer, so the clones that every request's extractors and
/// layers make cost one reference count (cloning eleven fields was 4% of a one-event request).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The fields of [`AppState`]; the `with_*` builders set them before the state is shared.
#[derive(Clone)]
pub struct Shared {
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
    /// With the journal on JetStream: the shop, this node's id and who leads.
    pub cluster: Option<Arc<forward::ClusterInfo>>,
}

impl AppState {
    pub fn new(tokens: Tokens, feed: Arc<feed::Feed>) -> Self {
        AppState(Arc::new(Shared {
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
            cluster: None,
        }))
    }

    /// The fields, to be set by a builder (a copy if the state is already shared).
    fn fields(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }

    /// The same state in the shop's time zone (`timezone` in the config).
    pub fn with_timezone(mut self, timezone: jiff::tz::TimeZone) -> Self {
        self.fields().timezone = timezone;
        self
    }

    pub fn timezone(&self) -> &jiff::tz::TimeZone {
        &self.timezone
    }

    /// The same state advertising `url` as this node's address.
    pub fn with_node(mut self, url: String) -> Self {
        self.fields().node = Arc::from(url);
        self
    }

    /// The same state with the review's thresholds from the config.
    pub fn with_review(mut self, review: ReviewConfig) -> Self {
        self.fields().review = Arc::new(review);
        self
    }

    /// The same state with the overlay's end card on or off (`[overlay] end_card`).
    pub fn with_overlay_end_card(mut self, on: bool) -> Self {
        self.fields().overlay_end_card = on;
        self
    }

    /// The same state as a node of a shop whose journal is on JetStream: `(shop, node id)`.
    pub fn with_cluster(mut self, cluster: Option<(String, Option<String>)>) -> Self {
        self.fields().cluster =
            cluster.map(|(shop, node_id)| Arc::new(forward::ClusterInfo::new(shop, node_id)));
        self
    }

    /// The same state with the rate limits from the config.
    pub fn with_rate_limits(mut self, limits: &ratelimit::RateLimits) -> Self {
        self.fields().limiter = Arc::new(ratelimit::Limiter::new(limits));
        self
    }

    /// The same state with the channels' secrets from the config.
    pub fn with_signatures(mut self, signatures: signature::Signatures) -> Self {
        self.fields().signatures = Arc::new(signatures);
        self
    }

    /// The same state with other limits for the screens' sockets (lower ones in tests).
    pub fn with_ws_limits(mut self, limits: ws::limits::WsLimits) -> Self {
        self.fields().connections = ws::limits::Connections::new(limits);
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

/// The routes, each with its OpenAPI operation: `routes!()` takes a handler's method and path from
/// its `#[utoipa::path]`, so the route table and the document (`openapi::document()`) are one list.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pages::board))
        .routes(routes!(pages::host))
        .routes(routes!(pages::overlay))
        .routes(routes!(assets::file))
        .routes(routes!(ws::upgrade::upgrade))
        .routes(routes!(pages::healthz))
        .routes(routes!(pages::readyz))
        .routes(routes!(pages::metrics))
        .routes(routes!(assets::openapi))
        .routes(routes!(api::skus::list_skus, api::skus::create_skus))
        .routes(routes!(api::skus::get_sku, api::skus::patch_sku))
        .routes(routes!(
            api::movements::list_movements,
            api::movements::post_movement
        ))
        .routes(routes!(api::orders::post_orders))
        .routes(routes!(api::show::get_show, api::show::create_show))
        .routes(routes!(api::show::start_show))
        .routes(routes!(api::show::end_show))
        .routes(routes!(api::show::set_current))
        .routes(routes!(api::show::set_viewers))
        .routes(routes!(api::show::precheck))
        .routes(routes!(api::channels::availability))
        .routes(routes!(api::channels::displayed))
        .routes(routes!(api::channels::sync))
        .routes(routes!(api::cluster::cluster))
        .routes(routes!(api::alerts::list_alerts))
        .routes(routes!(api::alerts::ack_alert))
        .routes(routes!(api::transfer::import::import_skus))
        .routes(routes!(api::transfer::export::export_skus))
        .routes(routes!(api::transfer::export::range_movements))
        .routes(routes!(api::orders::get_order))
        .routes(routes!(api::review::get_review))
        .routes(routes!(api::reports::get_daily))
        .routes(routes!(pages::report_precheck))
        .routes(routes!(pages::report_review))
        .routes(routes!(pages::report_daily))
        .routes(routes!(api::rooms::list_rooms, api::rooms::create_room))
        .routes(routes!(api::rooms::get_room))
        .routes(in_room(routes!(
            api::show::get_show,
            api::show::create_show
        )))
        .routes(in_room(routes!(api::show::start_show)))
        .routes(in_room(routes!(api::show::end_show)))
        .routes(in_room(routes!(api::show::set_current)))
        .routes(in_room(routes!(api::show::set_viewers)))
        .routes(in_room(routes!(api::show::precheck)))
        .routes(in_room(routes!(api::review::get_review)))
}

/// The whole HTTP surface, so tests and `run` build the same thing: the documented routes and
/// Swagger UI at `/api/docs`. A handler that panics answers 500 `internal` (see [`panic`]).
pub fn app(state: AppState) -> Router {
    let docs = utoipa_swagger_ui::SwaggerUi::new(openapi::DOCS_PATH)
        .config(utoipa_swagger_ui::Config::from(openapi::DOCUMENT_PATH));
    let routes = Router::from(routes())
        .merge(docs)
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            forward::forward,
        ))
        .with_state(state);
    panic::catch_panics(routes).layer(axum::middleware::from_fn(metrics::track))
}
