//! `/api/v1/alerts`: the warnings, newest first, and their acknowledgement.

use super::{ACK_ROLES, READ_ROLES, page_limit, single};
use crate::domain::alerts::{ALERTS_KEPT_MAX, Alert};
use crate::domain::types::Ident;
use crate::domain::{Command, Outcome};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::{JsonBody, Query};
use crate::web::openapi::{params, responses, roles};
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(serde::Deserialize)]
pub struct AlertsQuery {
    open: Option<bool>,
    /// At most this many alerts (1 to [`ALERTS_KEPT_MAX`], the default).
    limit: Option<u64>,
    /// Only alerts older than the one with this id (the previous page's `next_before`).
    before: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    by: Ident,
}

#[utoipa::path(
    get,
    path = "/api/v1/alerts",
    operation_id = "listAlerts",
    tag = "alerts",
    summary = "The warnings",
    description = "Every alert kept, newest first.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("open" = inline(Option<params::Open>), Query, description = "`true`: only the unacknowledged alerts."),
        ("limit" = inline(Option<params::AlertLimit>), Query, description = "At most this many alerts. Out of range: 422 naming `limit`."),
        ("before" = inline(Option<String>), Query, description = "Only alerts older than the one with this id (a page's `next_before`). An id not kept: 422 naming `before`."),
    ),
    responses(
        (status = 200, description = "The alerts.", content((ref("#/components/schemas/AlertList") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn list_alerts(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<AlertsQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let open_only = q.open.unwrap_or(false);
    let limit = page_limit(q.limit, ALERTS_KEPT_MAX)?;
    // Published after every batch that fires or acknowledges one: no queueing behind the writer.
    let all = s.engine()?.alerts();
    let from = match &q.before {
        None => 0,
        Some(id) => match all.iter().position(|a| &a.id == id) {
            Some(i) => i + 1,
            None => {
                return Err(ApiError::invalid(
                    "before",
                    format!("no alert {id} is kept (only the newest {ALERTS_KEPT_MAX} are)"),
                ));
            }
        },
    };
    let mut page = all[from..]
        .iter()
        .filter(|a| !open_only || a.acked_by.is_none());
    let alerts: Vec<&Alert> = page.by_ref().take(limit).collect();
    let more = page.next().is_some();
    let next_before = if more {
        alerts.last().map(|a| a.id.clone())
    } else {
        None
    };
    Ok(Json(json!({ "alerts": alerts, "next_before": next_before })).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/ack",
    operation_id = "ackAlert",
    tag = "alerts",
    summary = "Acknowledge a warning",
    description = "Acknowledges the alert. Acknowledging it again changes nothing and answers it as it is (the first `acked_by` stays).\n\nRoles: admin, operator, warehouse (admin may do everything).",
    params(
        ("id" = inline(String), Path, description = "The alert's id, e.g. `a17`."),
    ),
    request_body(content((ref("#/components/schemas/AckBody") = "application/json", example = json!({"by": "张运营"})))),
    responses(
        (status = 200, description = "The alert, acknowledged.", content((ref("#/components/schemas/Alert") = "application/json"))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(ACK_ROLES)))),
)]
pub async fn ack_alert(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(ACK_ROLES)?;
    let engine = s.engine()?;
    let JsonBody(AckBody { by }) = JsonBody::from_request(req, &()).await?;
    let effect = single(engine.apply(vec![Command::AckAlert { id, by }]).await?)?;
    let Outcome::Acked(alert) = effect.outcome else {
        unreachable!("an acknowledgement answers with its alert")
    };
    Ok(Json(alert).into_response())
}
