//! `/api/v1/skus`: the catalog and its stock views (create one or many, patch, list, get).

use super::{CATALOG_ROLES, READ_ROLES, single, sku_in_path};
use crate::domain::Command;
use crate::domain::stock::{NewSku, SkuPatch};
use crate::domain::types::SkuCode;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::{JSON_BODY_BYTES_MAX, OneOrMany, body_bytes, parse};
use crate::web::openapi::{params, responses, roles};
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[utoipa::path(
    post,
    path = "/api/v1/skus",
    operation_id = "createSkus",
    tag = "stock",
    summary = "Create one SKU or many",
    description = "Creates one SKU (object body) or up to 1000 (array body), all or none. An existing code (or one twice in the array) is 409 `conflict`, field `sku` (`[i].sku` in an array).\n\nRoles: admin, operator (admin may do everything).",
    request_body(content((ref("#/components/schemas/NewSkus") = "application/json", example = json!({"sku": "HOODIE-BLK-L", "name": "加绒卫衣 黑 L", "category": "apparel", "price_cents": 19900, "on_hand": 5000, "buffer": 20, "per_buyer_limit": 2})))),
    responses(
        (status = 201, description = "Created: the stock view (object body) or views (array body).", content((ref("#/components/schemas/StockViewOrViews") = "application/json", example = json!({"available": 4980, "base": 4980, "buffer": 20, "category": "apparel", "channels": {}, "committed": 0, "damaged": 0, "gmv_cents": 0, "held": 0, "level": 0, "name": "加绒卫衣 黑 L", "on_hand": 5000, "per_buyer_limit": 2, "presale_cap": 0, "presale_sold": 0, "price_cents": 19900, "rate_per_min": 0.0, "sell_through": 0.0, "sellout_minutes": null, "sku": "HOODIE-BLK-L", "sold_units": 0})))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, description = "`conflict`, field `sku`: the SKU exists already.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(CATALOG_ROLES)))),
)]
pub async fn create_skus(
    State(s): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(CATALOG_ROLES)?;
    let engine = s.engine()?;
    let (skus, many) = match OneOrMany::<NewSku>::from_request(req, &()).await? {
        OneOrMany::One(sku) => (vec![sku], false),
        OneOrMany::Many(skus) => (skus, true),
    };
    let codes: Vec<SkuCode> = skus.iter().map(|n| n.sku.clone()).collect();
    let reply = engine.apply(vec![Command::CreateSkus { skus }]).await?;
    if let Some(Err(refusal)) = reply.first() {
        let mut refusal = refusal.clone();
        if !many {
            refusal.item = None;
        }
        return Err(refusal.into());
    }
    let views: Vec<_> = codes.iter().filter_map(|c| engine.view(c)).collect();
    let body = if many { json!(views) } else { json!(views[0]) };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/skus/{sku}",
    operation_id = "patchSku",
    tag = "stock",
    summary = "Change a SKU's catalog fields",
    description = "Changes name, category, price_cents, buffer, per_buyer_limit, presale_cap; absent fields stay as they are.\n\nRoles: admin, operator (admin may do everything).",
    params(
        ("sku" = inline(params::SkuCode), Path, description = "The SKU code. A code that is not a valid SkuCode is 404, like an unknown one."),
    ),
    request_body(content((ref("#/components/schemas/SkuPatch") = "application/json", example = json!({"price_cents": 17900, "buffer": 50})))),
    responses(
        (status = 200, description = "The stock view after the change.", content((ref("#/components/schemas/StockView") = "application/json", example = json!({"sku": "HOODIE-BLK-L", "name": "加绒卫衣 黑 L", "category": "apparel", "price_cents": 19900, "on_hand": 5200, "damaged": 0, "buffer": 20, "held": 0, "committed": 1, "available": 5179, "presale_cap": 0, "presale_sold": 0, "sold_units": 1, "gmv_cents": 19900, "per_buyer_limit": 2, "base": 5180, "rate_per_min": 1.0, "sellout_minutes": 5179.0, "sell_through": 0.0002, "level": 0, "channels": {"douyin": {"units": 1, "orders": 1, "gmv_cents": 19900}}})))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, description = "`conflict`, field `buffer` or `presale_cap`: the change would leave less than nothing to sell, or fewer presale units than are already ordered.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(CATALOG_ROLES)))),
)]
pub async fn patch_sku(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(CATALOG_ROLES)?;
    let engine = s.engine()?;
    let sku = sku_in_path(&code)?;
    let bytes = body_bytes(req, JSON_BODY_BYTES_MAX).await?;
    let patch: SkuPatch = parse(&bytes)?;
    if patch == SkuPatch::default() {
        return Err(nothing_to_change(&bytes));
    }
    single(
        engine
            .apply(vec![Command::PatchSku {
                sku: sku.clone(),
                patch,
            }])
            .await?,
    )?;
    Ok(Json(engine.view(&sku)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/skus",
    operation_id = "listSkus",
    tag = "stock",
    summary = "Every SKU's stock view",
    description = "Roles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    responses(
        (status = 200, description = "Every SKU, ordered by code.", content((ref("#/components/schemas/StockViews") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn list_skus(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    Ok(Json(s.engine()?.views()).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/skus/{sku}",
    operation_id = "getSku",
    tag = "stock",
    summary = "One SKU's stock view",
    description = "Roles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("sku" = inline(params::SkuCode), Path, description = "The SKU code. A code that is not a valid SkuCode is 404, like an unknown one."),
    ),
    responses(
        (status = 200, description = "The stock view.", content((ref("#/components/schemas/StockView") = "application/json", example = json!({"sku": "HOODIE-BLK-L", "name": "加绒卫衣 黑 L", "category": "apparel", "price_cents": 19900, "on_hand": 5200, "damaged": 0, "buffer": 20, "held": 0, "committed": 1, "available": 5179, "presale_cap": 0, "presale_sold": 0, "sold_units": 1, "gmv_cents": 19900, "per_buyer_limit": 2, "base": 5180, "rate_per_min": 1.0, "sellout_minutes": 5179.0, "sell_through": 0.0002, "level": 0, "channels": {"douyin": {"units": 1, "orders": 1, "gmv_cents": 19900}}})))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn get_sku(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let sku = sku_in_path(&code)?;
    let view = s
        .engine()?
        .view(&sku)
        .ok_or_else(|| ApiError::not_found(format!("no SKU {sku}")))?;
    Ok(Json(view).into_response())
}

/// 422 for a patch that changes nothing: `{}` (field `body`), or only fields set to `null`, which
/// leaves them as they are (the field named is one of them, so `{"buffer": null}` says why).
fn nothing_to_change(body: &[u8]) -> ApiError {
    let named: serde_json::Map<String, serde_json::Value> = parse(body).unwrap_or_default();
    match named.keys().next() {
        None => ApiError::invalid("body", "nothing to change: name a field to patch"),
        Some(field) => ApiError::invalid(
            field.as_str(),
            format!(
                "{field} is null, which leaves it as it is, and no other field is named: nothing \
                 to change (give {field} a value; 0 clears buffer and presale_cap)"
            ),
        ),
    }
}
