//! `/api/v1/show`: the show's lineup, start and end, the product on air and the viewers.

use super::rooms::{RoomPath, room_show};
use super::{READ_ROLES, SHOW_ROLES, STAGE_ROLES, single};
use crate::domain::show::ShowView;
use crate::domain::types::{RoomId, SkuCode, Units, format_rfc3339};
use crate::domain::{Command, checks};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::JsonBody;
use crate::web::extract::Query;
use crate::web::openapi::{params, responses, roles};
use crate::web::tabular::{Column, Format, Lang, Table};
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

/// Applies one show command to `room` and answers with its show as it now is.
async fn show_command(
    s: &AppState,
    room: &RoomId,
    cmd: Command,
    status: StatusCode,
) -> Result<Response, ApiError> {
    room_show(s, room)?; // an unknown room is not found, whatever the body says
    let engine = s.engine()?;
    single(engine.apply(vec![cmd]).await?)?;
    let show = room_show(s, room)?;
    Ok((status, Json(&*show)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/show",
    operation_id = "createShow",
    tag = "show",
    summary = "Plan the show",
    description = "Plans a show and its lineup, replacing a planned or ended one.\n\nRoles: admin, operator (admin may do everything).",
    request_body(content((ref("#/components/schemas/NewShow") = "application/json", example = json!({"title": "双十一返场专场", "lineup": [{"sku": "HOODIE-BLK-L"}]})))),
    responses(
        (status = 201, description = "The planned show.", content((ref("#/components/schemas/ShowView") = "application/json", example = json!({"room": "main", "room_name": "主直播间", "room_channel": null, "title": "双十一返场专场", "state": "planned", "lineup": [{"sku": "HOODIE-BLK-L", "name": "加绒卫衣 黑 L", "planned_start": null, "planned_rate_per_min": null, "slot_minutes": 10, "available": 5180, "covers": true}], "current": null, "next": "HOODIE-BLK-L", "viewers": 0, "peak_viewers": 0, "gmv_cents": 0, "orders": 0, "units": 0, "buyers": 0, "channels": {}, "started_at": null, "ended_at": null, "prompt": null, "restock_requests": []})))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, description = "`conflict`: a show is live; end it first.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(SHOW_ROLES)))),
)]
pub async fn create_show(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    room_show(&s, &room)?;
    let JsonBody(show) = JsonBody::from_request(req, &()).await?;
    let cmd = Command::CreateShow {
        show,
        room: room.clone(),
    };
    show_command(&s, &room, cmd, StatusCode::CREATED).await
}

#[utoipa::path(
    post,
    path = "/api/v1/show/start",
    operation_id = "startShow",
    tag = "show",
    summary = "Start the show",
    description = "Goes live: a planned show becomes live, and each lineup SKU's `base` is reset to its available units. No body (any body is ignored).\n\nRoles: admin, operator (admin may do everything).",
    responses(
        (status = 200, description = "The live show.", content((ref("#/components/schemas/ShowView") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, description = "`conflict`: there is no show, or it is not planned.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(SHOW_ROLES)))),
)]
pub async fn start_show(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    let cmd = Command::StartShow { room: room.clone() };
    show_command(&s, &room, cmd, StatusCode::OK).await
}

#[utoipa::path(
    post,
    path = "/api/v1/show/end",
    operation_id = "endShow",
    tag = "show",
    summary = "End the show",
    description = "Ends the live show. No body (any body is ignored).\n\nRoles: admin, operator (admin may do everything).",
    responses(
        (status = 200, description = "The ended show.", content((ref("#/components/schemas/ShowView") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, description = "`conflict`: there is no show, or it is not live.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(SHOW_ROLES)))),
)]
pub async fn end_show(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    let cmd = Command::EndShow { room: room.clone() };
    show_command(&s, &room, cmd, StatusCode::OK).await
}

#[utoipa::path(
    put,
    path = "/api/v1/show/current",
    operation_id = "setCurrent",
    tag = "show",
    summary = "Put a product on air",
    description = "Sets the product on air (any known SKU, in the lineup or not).\n\nRoles: admin, operator, overlay (admin may do everything).",
    request_body(content((ref("#/components/schemas/CurrentBody") = "application/json", example = json!({"sku": "HOODIE-BLK-L"})))),
    responses(
        (status = 200, description = "The show.", content((ref("#/components/schemas/ShowView") = "application/json"))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, description = "`conflict`: there is no show, or it has ended.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(STAGE_ROLES)))),
)]
pub async fn set_current(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(STAGE_ROLES)?;
    room_show(&s, &room)?;
    let JsonBody(CurrentBody { sku }) = JsonBody::from_request(req, &()).await?;
    let cmd = Command::SetCurrent {
        sku,
        room: room.clone(),
    };
    show_command(&s, &room, cmd, StatusCode::OK).await
}

#[utoipa::path(
    post,
    path = "/api/v1/show/viewers",
    operation_id = "setViewers",
    tag = "show",
    summary = "Report online viewers",
    description = "Sets the online viewers now (and the peak).\n\nRoles: admin, operator, overlay (admin may do everything).",
    request_body(content((ref("#/components/schemas/ViewersBody") = "application/json", example = json!({"online": 12800})))),
    responses(
        (status = 200, description = "The show.", content((ref("#/components/schemas/ShowView") = "application/json"))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, description = "`conflict`: there is no show, or it has ended.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(STAGE_ROLES)))),
)]
pub async fn set_viewers(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(STAGE_ROLES)?;
    room_show(&s, &room)?;
    let JsonBody(ViewersBody { online }) = JsonBody::from_request(req, &()).await?;
    let cmd = Command::SetViewers {
        online: online.get(),
        room: room.clone(),
    };
    show_command(&s, &room, cmd, StatusCode::OK).await
}

#[utoipa::path(
    get,
    path = "/api/v1/show",
    operation_id = "getShow",
    tag = "show",
    summary = "The show",
    description = "Title, state, lineup, the product on air and next, viewers and the night's totals.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    responses(
        (status = 200, description = "The show (state `none` when none was ever created).", content((ref("#/components/schemas/ShowView") = "application/json", example = json!({"room": "main", "room_name": "主直播间", "room_channel": null, "title": "双十一返场专场", "state": "planned", "lineup": [{"sku": "HOODIE-BLK-L", "name": "加绒卫衣 黑 L", "planned_start": null, "planned_rate_per_min": null, "slot_minutes": 10, "available": 5180, "covers": true}], "current": null, "next": "HOODIE-BLK-L", "viewers": 0, "peak_viewers": 0, "gmv_cents": 0, "orders": 0, "units": 0, "buyers": 0, "channels": {}, "started_at": null, "ended_at": null, "prompt": null, "restock_requests": []})))),
        (status = 401, response = responses::Unauthorized),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn get_show(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let show = room_show(&s, &room)?;
    Ok(Json(&*show).into_response())
}

#[derive(serde::Deserialize)]
pub struct PrecheckQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// `GET /api/v1/show/precheck`: the pre-show check of the lineup (JSON, or `?format=csv|xlsx`).
#[utoipa::path(
    get,
    path = "/api/v1/show/precheck",
    operation_id = "precheck",
    tag = "show",
    summary = "The pre-show check",
    description = "Per lineup product: what it has, what its slot needs (planned rate × slot, the slot running to the next planned start, the show's planned end, or `slot_minutes_default`), damaged and held units, and channels showing another number for longer than 3 s; pass or fail with each reason in Chinese and English, and overall.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("format" = inline(Option<params::Format>), Query, description = "`csv` (UTF-8 with BOM) or `xlsx` for a download; else 422 naming `format`."),
        ("lang" = inline(Option<params::DownloadLang>), Query, description = "The language of a download's column titles."),
    ),
    responses(
        (status = 200, description = "The check.", content((ref("#/components/schemas/Precheck") = "application/json"), (String = "text/csv"), (ref("#/components/schemas/Workbook") = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, description = "`not_found`: no show is planned.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn precheck(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
    Query(q): Query<PrecheckQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let (format, lang) = Format::parse_with_lang(
        q.format.as_deref(),
        q.lang.as_deref(),
        Format::Json,
        Format::ALL,
    )?;
    let engine = s.engine()?;
    let show = room_show(&s, &room)?;
    if show.state == "none" {
        let path = if room.is_main() {
            "/api/v1/show".to_owned()
        } else {
            format!("/api/v1/rooms/{room}/show")
        };
        return Err(ApiError::not_found(format!(
            "no show is planned: POST {path} first"
        )));
    }
    let now_ms = engine.now_ms();
    let mismatches = super::channels::lasting_mismatches(&s, now_ms)?;
    let rooms = engine.rooms();
    let others: Vec<&ShowView> = rooms
        .values()
        .filter(|v| v.room != room)
        .map(|v| &**v)
        .collect();
    let check = checks::precheck::precheck(&show, &others, |c| engine.view(c), &mismatches, now_ms);
    if format == Format::Json {
        let mut body =
            serde_json::to_value(&check).map_err(|e| ApiError::internal(e.to_string()))?;
        body["checked_at"] = serde_json::json!(format_rfc3339(now_ms));
        return Ok(Json(body).into_response());
    }
    precheck_table(&check, lang).download(format, lang, "precheck")
}

const PRECHECK_COLUMNS: &[Column] = &[
    Column {
        zh: "商品编码",
        en: "SKU",
    },
    Column {
        zh: "商品名称",
        en: "Name",
    },
    Column {
        zh: "计划开始",
        en: "Planned start",
    },
    Column {
        zh: "计划速度(件/分)",
        en: "Planned rate (/min)",
    },
    Column {
        zh: "时段(分钟)",
        en: "Slot (min)",
    },
    Column {
        zh: "需要",
        en: "Needed",
    },
    Column {
        zh: "可售",
        en: "Available",
    },
    Column {
        zh: "在库",
        en: "On hand",
    },
    Column {
        zh: "不良",
        en: "Damaged",
    },
    Column {
        zh: "安全库存",
        en: "Buffer",
    },
    Column {
        zh: "待付款",
        en: "Held",
    },
    Column {
        zh: "已付款待发",
        en: "Committed",
    },
    Column {
        zh: "缺口",
        en: "Short",
    },
    Column {
        zh: "结果",
        en: "Result",
    },
    Column {
        zh: "原因",
        en: "Reasons",
    },
];

fn precheck_table(check: &checks::precheck::Precheck, lang: Lang) -> Table {
    let mut table = Table::new(
        if lang == Lang::Zh {
            "开播检查"
        } else {
            "Precheck"
        },
        PRECHECK_COLUMNS,
    );
    for item in &check.items {
        let text = |f: &checks::precheck::Finding| {
            if lang == Lang::Zh {
                f.zh.clone()
            } else {
                f.en.clone()
            }
        };
        let reasons: Vec<String> = item.reasons.iter().chain(&item.notes).map(text).collect();
        let result = match (item.pass, lang) {
            (true, Lang::Zh) => "通过",
            (false, Lang::Zh) => "不通过",
            (true, Lang::En) => "pass",
            (false, Lang::En) => "fail",
        };
        table.push(vec![
            item.sku.as_str().into(),
            item.name.clone().into(),
            item.planned_start.clone().into(),
            item.planned_rate_per_min.into(),
            item.slot_minutes.into(),
            item.needed.into(),
            item.available.into(),
            item.on_hand.into(),
            item.damaged.into(),
            item.buffer.into(),
            item.held.into(),
            item.committed.into(),
            item.short.into(),
            result.into(),
            reasons.join(";").into(),
        ]);
    }
    table
}
