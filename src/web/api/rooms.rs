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
use crate::web::openapi::{params, responses, roles};
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
#[utoipa::path(
    post,
    path = "/api/v1/rooms",
    operation_id = "createRoom",
    tag = "show",
    summary = "Create or rename a live room",
    description = "Creates a live room (直播间) with its own show, selling from the one pool; posting an existing room's id renames it and sets its channel (200), unless its show is live (409).\n\nRoles: admin, operator (admin may do everything).",
    request_body(content((ref("#/components/schemas/NewRoom") = "application/json", example = json!({"room": "dy-main", "name": "抖音官方旗舰店", "channel": "douyin"})))),
    responses(
        (status = 201, description = "The room, created.", content((ref("#/components/schemas/RoomSummary") = "application/json"))),
        (status = 200, description = "The room, renamed.", content((ref("#/components/schemas/RoomSummary") = "application/json"))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, description = "`conflict`: the room's show is live.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(SHOW_ROLES)))),
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/rooms",
    operation_id = "listRooms",
    tag = "show",
    summary = "The live rooms",
    description = "Every room (`main` always among them) with its show's summary.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    responses(
        (status = 200, description = "The rooms.", content((ref("#/components/schemas/RoomSummaries") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn list_rooms(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let rooms = s.engine()?.rooms();
    let list: Vec<RoomSummary> = rooms.values().map(|v| RoomSummary::of(v)).collect();
    Ok(Json(list).into_response())
}

/// `GET /api/v1/rooms/{room}`: one room with its show's summary.
#[utoipa::path(
    get,
    path = "/api/v1/rooms/{room}",
    operation_id = "getRoom",
    tag = "show",
    summary = "One live room",
    description = "The room with its show's summary.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("room" = inline(params::RoomId), Path, description = "The room's id; a room the shop does not have is 404."),
    ),
    responses(
        (status = 200, description = "The room.", content((ref("#/components/schemas/RoomSummary") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
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
