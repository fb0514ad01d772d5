//! `GET /api/v1/cluster`: which node this is and who leads (API.md "Several nodes"). One node
//! with its own file journal is its own leader: `role` is `single`.

use super::READ_ROLES;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::openapi::{responses, roles};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[utoipa::path(
    get,
    path = "/api/v1/cluster",
    operation_id = "cluster",
    tag = "operations",
    summary = "This node and its leader",
    description = "Roles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    responses(
        (status = 200, description = "The node.", content((ref("#/components/schemas/Cluster") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn cluster(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let engine = s.engine()?;
    let (role, node, leader) = match &s.cluster {
        None => ("single", &*s.node, Some(s.node.to_string())),
        Some(c) if engine.leads() => (
            "leader",
            c.node_id.as_deref().unwrap_or(&s.node),
            Some(s.node.to_string()),
        ),
        Some(c) => (
            "follower",
            c.node_id.as_deref().unwrap_or(&s.node),
            c.leader(),
        ),
    };
    Ok(Json(json!({
        "role": role,
        "node": node,
        "leader": leader,
        "applied_seq": engine.seq(),
        "writes": engine.writes().name(),
    }))
    .into_response())
}
