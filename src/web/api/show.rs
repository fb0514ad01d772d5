//! `/api/v1/show`: the show's lineup, start and end, the product on air and the viewers.

use super::{READ_ROLES, SHOW_ROLES, STAGE_ROLES, single};
use crate::domain::Command;
use crate::domain::types::{SkuCode, Units};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::JsonBody;
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrentBody {
    sku: SkuCode,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewersBody {
    online: Units,
}

/// Applies one show command and answers with the show as it now is.
async fn show_command(
    s: &AppState,
    cmd: Command,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let engine = s.engine()?;
    single(engine.apply(vec![cmd]).await?)?;
    let show = engine.show();
    Ok((status, Json(&*show)).into_response())
}

pub async fn create_show(
    State(s): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    let JsonBody(show) = JsonBody::from_request(req, &()).await?;
    show_command(&s, Command::CreateShow { show }, StatusCode::CREATED).await
}

pub async fn start_show(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    show_command(&s, Command::StartShow, StatusCode::OK).await
}

pub async fn end_show(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    show_command(&s, Command::EndShow, StatusCode::OK).await
}

pub async fn set_current(
    State(s): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(STAGE_ROLES)?;
    let JsonBody(CurrentBody { sku }) = JsonBody::from_request(req, &()).await?;
    show_command(&s, Command::SetCurrent { sku }, StatusCode::OK).await
}

pub async fn set_viewers(
    State(s): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(STAGE_ROLES)?;
    let JsonBody(ViewersBody { online }) = JsonBody::from_request(req, &()).await?;
    let online = online.get();
    show_command(&s, Command::SetViewers { online }, StatusCode::OK).await
}

pub async fn get_show(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let show = s.engine()?.show();
    Ok(Json(&*show).into_response())
}
