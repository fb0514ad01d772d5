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

pub async fn start_show(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    let cmd = Command::StartShow { room: room.clone() };
    show_command(&s, &room, cmd, StatusCode::OK).await
}

pub async fn end_show(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
) -> Result<Response, ApiError> {
    caller.require(SHOW_ROLES)?;
    let cmd = Command::EndShow { room: room.clone() };
    show_command(&s, &room, cmd, StatusCode::OK).await
}

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
