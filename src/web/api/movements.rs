//! `/api/v1/skus/{sku}/movements`: stock moved by hand (receive, adjust, damage, count) and the
//! SKU's audit trail.

use super::{MOVEMENT_ROLES, READ_ROLES, page_limit, single, sku_in_path};
use crate::domain::stock::Movement;
use crate::domain::{Command, Outcome};
use crate::engine::MOVEMENTS_PAGE_MAX;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::{JsonBody, Query};
use crate::web::openapi::{params, responses, roles};
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `GET /api/v1/skus/{sku}/movements`: one page of the trail, oldest first.
#[derive(serde::Deserialize)]
pub struct TrailQuery {
    /// Only records after this journal seq (the previous page's `next_after_seq`).
    after_seq: Option<u64>,
    /// At most this many records (1 to [`MOVEMENTS_PAGE_MAX`], the default).
    limit: Option<u64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/skus/{sku}/movements",
    operation_id = "postMovement",
    tag = "stock",
    summary = "Move stock by hand",
    description = "Receive, adjust, damage, undamage or count.\n\nRoles: admin, operator, warehouse (admin may do everything).",
    params(
        ("sku" = inline(params::SkuCode), Path, description = "The SKU code. A code that is not a valid SkuCode is 404, like an unknown one."),
    ),
    request_body(content((ref("#/components/schemas/Movement") = "application/json", example = json!({"kind": "receive", "qty": 200, "by": "王仓管", "verified_by": "李主管", "zone": "A-3", "batch": "B20261124"})))),
    responses(
        (status = 201, description = "Recorded.", content((ref("#/components/schemas/MovementAnswer") = "application/json", example = json!({"movement": {"at_ms": 1796322796235_i64, "batch": "B20261124", "book": null, "by": "王仓管", "counted": null, "delta": 200, "kind": "receive", "reason": null, "seq": 2, "sku": "HOODIE-BLK-L", "verified_by": "李主管", "zone": "A-3"}, "sku": {"available": 5180, "base": 5180, "buffer": 20, "category": "apparel", "channels": {}, "committed": 0, "damaged": 0, "gmv_cents": 0, "held": 0, "level": 0, "name": "加绒卫衣 黑 L", "on_hand": 5200, "per_buyer_limit": 2, "presale_cap": 0, "presale_sold": 0, "price_cents": 19900, "rate_per_min": 0.0, "sell_through": 0.0, "sellout_minutes": null, "sku": "HOODIE-BLK-L", "sold_units": 0}})))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, description = "`conflict`, field `qty`: the movement would leave `available` below zero, or take more damaged units back than there are.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(MOVEMENT_ROLES)))),
)]
pub async fn post_movement(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(MOVEMENT_ROLES)?;
    let engine = s.engine()?;
    let sku = sku_in_path(&code)?;
    let JsonBody(movement) = JsonBody::<Movement>::from_request(req, &()).await?;
    movement
        .check()
        .map_err(|(field, message)| ApiError::invalid(field, message))?;
    let effect = single(
        engine
            .apply(vec![Command::Move {
                sku: sku.clone(),
                movement,
            }])
            .await?,
    )?;
    let Outcome::Moved(record) = effect.outcome else {
        unreachable!("a movement command answers with its record")
    };
    let body = json!({"movement": record, "sku": engine.view(&sku)});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/skus/{sku}/movements",
    operation_id = "listMovements",
    tag = "stock",
    summary = "A SKU's movements",
    description = "The audit trail of the SKU's movements by hand, oldest first.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("sku" = inline(params::SkuCode), Path, description = "The SKU code. A code that is not a valid SkuCode is 404, like an unknown one."),
        ("after_seq" = inline(Option<params::AfterSeq>), Query, description = "Only records after this journal seq (a page's `next_after_seq`)."),
        ("limit" = inline(Option<params::MovementLimit>), Query, description = "At most this many records. Out of range: 422 naming `limit`."),
    ),
    responses(
        (status = 200, description = "The movements.", content((ref("#/components/schemas/MovementList") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::Unavailable),
        (status = 422, response = responses::Invalid),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn list_movements(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<TrailQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let engine = s.engine()?;
    let sku = sku_in_path(&code)?;
    let limit = page_limit(q.limit, MOVEMENTS_PAGE_MAX)?;
    // Each SKU's trail is published after every batch: no queueing behind the writer.
    let Some(records) = engine.movements(&sku, q.after_seq.unwrap_or(0), limit) else {
        return Err(ApiError::not_found(format!("no SKU {sku}")));
    };
    let next_after_seq = if records.len() == limit {
        records.last().map(|m| m.seq)
    } else {
        None
    };
    Ok(Json(json!({ "movements": records, "next_after_seq": next_after_seq })).into_response())
}
