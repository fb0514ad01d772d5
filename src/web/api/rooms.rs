//! `/api/v1/rooms` (API.md "Rooms"): the live rooms of the shop, each with its own show; and the
//! room a show endpoint means, from its path (`/api/v1/rooms/{room}/show…`) or `main` for the
//! plain `/api/v1/show…`.

use super::{READ_ROLES, SHOW_ROLES, single};
use crate::domain::Command;
use crate::domain::Outcome;
use crate::domain::show::room::NewRoom;
use crate::domain::show::{RoomSummary, ShowView};
use crate::domain::types::RoomId;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::JsonBody;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

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
