//! `/api/v1/skus/{sku}/movements`: stock moved by hand (receive, adjust, damage, count) and the
//! SKU's audit trail.

use super::{MOVEMENT_ROLES, READ_ROLES, single, sku_in_path};
use crate::domain::stock::Movement;
use crate::domain::{Command, Outcome};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::JsonBody;
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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

pub async fn list_movements(
    State(s): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let engine = s.engine()?;
    let sku = sku_in_path(&code)?;
    if !engine.contains(&sku) {
        return Err(ApiError::not_found(format!("no SKU {sku}")));
    }
    let records = engine
        .read(move |pool| {
            pool.movements()
                .iter()
                .filter(|m| m.sku == sku)
                .cloned()
                .collect::<Vec<_>>()
        })
        .await?;
    Ok(Json(json!({ "movements": records })).into_response())
}
