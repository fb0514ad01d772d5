//! `/api/v1/skus`: the catalog and its stock views (create one or many, patch, list, get).

use super::{CATALOG_ROLES, READ_ROLES, single, sku_in_path};
use crate::domain::Command;
use crate::domain::stock::{NewSku, SkuPatch};
use crate::domain::types::SkuCode;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::{JsonBody, OneOrMany};
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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

pub async fn patch_sku(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(CATALOG_ROLES)?;
    let engine = s.engine()?;
    let sku = sku_in_path(&code)?;
    let JsonBody(patch) = JsonBody::<SkuPatch>::from_request(req, &()).await?;
    if patch == SkuPatch::default() {
        return Err(ApiError::invalid(
            "body",
            "nothing to change: name a field to patch",
        ));
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

pub async fn list_skus(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    Ok(Json(s.engine()?.views()).into_response())
}

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
