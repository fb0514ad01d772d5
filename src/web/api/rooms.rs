//! `/api/v1/rooms` (API.md "Rooms"): the live rooms of the shop, each with its own show; and the
//! room a show endpoint means, from its path (`/api/v1/rooms/{room}/show…`) or `main` for the
//! plain `/api/v1/show…`.

use super::{READ_ROLES, SHOW_ROLES, single};
use crate::domain::Command;
use crate::domain::Outcome;
use crate::domain::show::ShowView;
use crate::domain::show::room::NewRoom;
use crate::domain::types::{RoomId, SkuCode};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::JsonBody;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The room a request is about: the `{room}` of its path, or `main` when the path has none.
pub struct RoomPath(pub RoomId);

impl<S: Send + Sync> FromRequestParts<S> for RoomPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found("no such room"))?;
        match params.iter().find(|(name, _)| *name == "room") {
            None => Ok(RoomPath(RoomId::main())),
            Some((_, raw)) => RoomId::parse(raw)
                .map(RoomPath)
                .map_err(|_| ApiError::not_found(format!("no room {raw}"))),
        }
    }
}

/// A room and its show's summary, as `GET /api/v1/rooms` lists them.
#[derive(Serialize)]
pub struct RoomSummary<'a> {
    pub room: &'a RoomId,
    pub name: &'a str,
    pub channel: Option<&'a str>,
    pub title: Option<&'a str>,
    /// `none`, `planned`, `live` or `ended`.
    pub state: &'a str,
    pub current: Option<&'a SkuCode>,
    pub viewers: i64,
    pub gmv_cents: i64,
    pub orders: i64,
    pub units: i64,
    pub buyers: i64,
}

impl<'a> RoomSummary<'a> {
    pub fn of(view: &'a ShowView) -> Self {
        RoomSummary {
            room: &view.room,
            name: &view.room_name,
            channel: view.room_channel.as_deref(),
            title: view.title.as_deref(),
            state: view.state,
            current: view.current.as_ref(),
            viewers: view.viewers,
            gmv_cents: view.gmv_cents,
            orders: view.orders,
            units: view.units,
            buyers: view.buyers,
        }
    }
}

/// `POST /api/v1/rooms`: creates a room (201), or renames one whose show is not live (200).
pub async fn create_room(
    State(s): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    let JsonBody(room) = JsonBody::<NewRoom>::from_request(req, &()).await?;
    let id = room.room.clone();
    let engine = s.engine()?;
    let effect = single(engine.apply(vec![Command::CreateRoom { room }]).await?)?;
    let status = match effect.outcome {
        Outcome::Room { created: true } => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    let view = engine
        .room_show(&id)
        .ok_or_else(|| ApiError::internal("the room just written is not published"))?;
    Ok((status, Json(RoomSummary::of(&view))).into_response())
}

/// `GET /api/v1/rooms`: every room with its show's summary.
pub async fn list_rooms(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let rooms = s.engine()?.rooms();
    let list: Vec<RoomSummary> = rooms.values().map(|v| RoomSummary::of(v)).collect();
    Ok(Json(list).into_response())
}

/// `GET /api/v1/rooms/{room}`: one room with its show's summary.
pub async fn get_room(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let view = room_show(&s, &room)?;
    Ok(Json(RoomSummary::of(&view)).into_response())
}

/// A room's published show, or `not_found` naming the room.
pub fn room_show(s: &AppState, room: &RoomId) -> Result<std::sync::Arc<ShowView>, ApiError> {
    s.engine()?.room_show(room).ok_or_else(|| {
        ApiError::not_found(format!("no room {room}; create it with POST /api/v1/rooms"))
    })
}
