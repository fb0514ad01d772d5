//! `GET /api/v1/show/review`: the post-show review (SPEC B5), computed from the published orders,
//! show and stock views on a blocking thread: never on the writer, never on the runtime's workers.

use super::READ_ROLES;
use crate::domain::checks::review::{self, ReviewInput};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub async fn get_review(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let engine = s.engine()?.clone();
    let not_yet = |msg: &str| ApiError::new(StatusCode::CONFLICT, "conflict", msg);
    let show = engine
        .show_record()
        .ok_or_else(|| not_yet("there is no show to review; create one with POST /api/v1/show"))?;
    let now_ms = engine.now_ms();
    let window = review::window(&show, now_ms)
        .ok_or_else(|| not_yet("the show has not started: there is nothing to review yet"))?;
    let config = s.review.clone();
    let computed = tokio::task::spawn_blocking(move || {
        let orders = engine.orders_in(window);
        let views = engine.views();
        let input = ReviewInput {
            show: &show,
            views: &views,
            orders: &orders,
            now_ms,
        };
        review::review(&input, &config)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "computing the review failed");
        ApiError::internal("the review could not be computed")
    })?;
    Ok(Json(computed).into_response())
}
