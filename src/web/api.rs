//! The HTTP API v1 handlers: catalog and stock, movements, orders (API.md). Each checks the caller's
//! role first, parses its body once, and hands the domain a command through the engine.

use super::AppState;
use super::auth::{Caller, Role};
use super::error::ApiError;
use super::extract::{JsonBody, OneOrMany};
use crate::domain::order::{Answer, OrderEvent, OrderKey};
use crate::domain::stock::{Movement, NewSku, SkuPatch};
use crate::domain::types::SkuCode;
use crate::domain::{Command, Effect, Outcome, Refusal};
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Roles that change the catalog.
const CATALOG_ROLES: &[Role] = &[Role::Operator];
/// Roles that move stock by hand.
const MOVEMENT_ROLES: &[Role] = &[Role::Operator, Role::Warehouse];
/// Roles that post order events.
const ORDER_ROLES: &[Role] = &[Role::Ingest];
/// Every role may read.
const READ_ROLES: &[Role] = &Role::ALL;

fn sku_in_path(raw: &str) -> Result<SkuCode, ApiError> {
    SkuCode::parse(raw).map_err(|_| ApiError::not_found(format!("no SKU {raw}")))
}

/// The one result of a single-command request, as a response or an error.
fn single(mut reply: Vec<Result<Effect, Refusal>>) -> Result<Effect, ApiError> {
    reply
        .pop()
        .expect("the engine answers every command")
        .map_err(|mut r| {
            r.item = None;
            ApiError::from(r)
        })
}

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

pub async fn post_orders(
    State(s): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(ORDER_ROLES)?;
    let engine = s.engine()?;
    let (events, many) = match OneOrMany::<OrderEvent>::from_request(req, &()).await? {
        OneOrMany::One(ev) => (vec![ev], false),
        OneOrMany::Many(evs) => (evs, true),
    };
    // Malformed events are refused before they are judged, and then nothing of the request is.
    for (i, ev) in events.iter().enumerate() {
        let at = |e: ApiError| if many { e.in_item(i) } else { e };
        ev.check()
            .map_err(|(field, message)| at(ApiError::invalid(field, message)))?;
        if let Some((j, line)) = ev
            .lines
            .iter()
            .enumerate()
            .find(|(_, l)| !engine.contains(&l.sku))
        {
            let message = format!("unknown SKU {}", line.sku);
            return Err(at(ApiError::invalid(format!("lines[{j}].sku"), message)));
        }
    }
    let ids: Vec<String> = events
        .iter()
        .map(|e| e.order_id.as_str().to_owned())
        .collect();
    let cmds = events
        .into_iter()
        .map(|event| Command::Order { event })
        .collect();
    let reply = engine.apply(cmds).await?;
    let mut answers = ids.iter().zip(&reply).map(|(id, r)| answer(id, r));
    if !many {
        let (status, body) = answers.next().expect("one event, one answer");
        return Ok((status, Json(body)).into_response());
    }
    let results: Vec<Value> = answers.map(|(_, body)| body).collect();
    Ok(Json(json!({ "results": results })).into_response())
}

/// The answer to one order event (API.md "Orders"): 200 for accepted and duplicate, 409 (or the
/// refusal's status) with the error body for rejected.
fn answer(order_id: &str, result: &Result<Effect, Refusal>) -> (StatusCode, Value) {
    let rejected = |e: ApiError, seq: Option<u64>| {
        let mut body = e.body();
        body["result"] = json!("rejected");
        body["reason"] = json!(e.code);
        body["message"] = json!(e.message);
        body["order_id"] = json!(order_id);
        if let Some(field) = &e.field {
            body["field"] = json!(field);
        }
        if let Some(seq) = seq {
            body["seq"] = json!(seq);
        }
        (e.status, body)
    };
    match result {
        Ok(Effect {
            outcome: Outcome::Order(a),
            ..
        }) => match a {
            Answer::Accepted { seq } => (
                StatusCode::OK,
                json!({"result": "accepted", "order_id": order_id, "seq": seq}),
            ),
            Answer::Duplicate { seq } => (
                StatusCode::OK,
                json!({"result": "duplicate", "order_id": order_id, "seq": seq}),
            ),
            Answer::Rejected { seq, rejection } => {
                let mut e = ApiError::new(
                    StatusCode::CONFLICT,
                    rejection.reason.code(),
                    &rejection.message,
                );
                e.field = rejection.field.clone();
                rejected(e, Some(*seq))
            }
        },
        Ok(other) => unreachable!("an order command answered {other:?}"),
        Err(refusal) => rejected(ApiError::from(refusal.clone()), None),
    }
}

pub async fn get_order(
    State(s): State<AppState>,
    caller: Caller,
    Path((channel, order_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let key = OrderKey {
        channel: channel.clone(),
        order_id: order_id.clone(),
    };
    let order = s
        .engine()?
        .read(move |pool| pool.order(&key).cloned())
        .await?;
    let order =
        order.ok_or_else(|| ApiError::not_found(format!("no order {order_id} from {channel}")))?;
    Ok(Json(order).into_response())
}

/// Roles that run the show.
const SHOW_ROLES: &[Role] = &[Role::Operator];
/// Roles that set the product on air and push viewers: the stream controller too.
const STAGE_ROLES: &[Role] = &[Role::Operator, Role::Overlay];

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrentBody {
    sku: SkuCode,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewersBody {
    online: crate::domain::types::Units,
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

#[derive(serde::Deserialize)]
pub struct AlertsQuery {
    open: Option<bool>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    by: crate::domain::types::Ident,
}

/// Roles that acknowledge warnings.
const ACK_ROLES: &[Role] = &[Role::Operator, Role::Warehouse];

pub async fn list_alerts(
    State(s): State<AppState>,
    caller: Caller,
    super::extract::Query(q): super::extract::Query<AlertsQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let open_only = q.open.unwrap_or(false);
    let alerts = s
        .engine()?
        .read(move |pool| {
            pool.alerts()
                .alerts
                .iter()
                .rev()
                .filter(|a| !open_only || a.acked_by.is_none())
                .cloned()
                .collect::<Vec<_>>()
        })
        .await?;
    Ok(Json(json!({ "alerts": alerts })).into_response())
}

pub async fn ack_alert(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(ACK_ROLES)?;
    let engine = s.engine()?;
    let JsonBody(AckBody { by }) = JsonBody::from_request(req, &()).await?;
    let effect = single(engine.apply(vec![Command::AckAlert { id, by }]).await?)?;
    let Outcome::Acked(alert) = effect.outcome else {
        unreachable!("an acknowledgement answers with its alert")
    };
    Ok(Json(alert).into_response())
}
