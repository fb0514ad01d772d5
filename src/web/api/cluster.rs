//! `GET /api/v1/cluster`: which node this is and who leads (API.md "Several nodes"). One node
//! with its own file journal is its own leader: `role` is `single`.

use super::READ_ROLES;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn cluster(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let engine = s.engine()?;
    Ok(Json(json!({
        "role": "single",
        "node": &*s.node,
        "leader": &*s.node,
        "applied_seq": engine.seq(),
        "writes": engine.writes().name(),
    }))
    .into_response())
}
