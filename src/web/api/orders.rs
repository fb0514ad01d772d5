//! `/api/v1/orders`: the channels' order events (one or an array), each judged once, and the
//! record of one order.

use super::{ORDER_ROLES, READ_ROLES};
use crate::domain::order::{Answer, OrderEvent, OrderKey};
use crate::domain::{Command, Effect, Outcome, Refusal};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::{JSON_BODY_BYTES_MAX, OneOrMany, body_bytes};
use crate::web::openapi::{params, responses, roles};
use crate::web::signature;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[utoipa::path(
    post,
    path = "/api/v1/orders",
    operation_id = "postOrders",
    tag = "orders",
    summary = "Post order events",
    description = "Posts one order event (object body) or up to 1000 (array body). Every event is judged once: `(channel, order_id, kind)` is the idempotency key; a repeat of an accepted event answers `duplicate`, a repeat of a rejected one the same rejection, and neither changes anything. An answer is sent only after the event is durable in the journal.\n\nOne event: 200 `accepted`/`duplicate`; 409 `rejected` (`out_of_stock`, `limit_exceeded`, `invalid_transition`, and `unknown_sku`: not remembered, judged afresh once the SKU exists) with the error body and the answer fields together; 422 for a malformed event (the plain error body) or for one refused before it was judged (`OrderRejected` without `seq`).\n\nAn array: 200 with one answer per event in `results`, rejections included; an event naming an unknown SKU is its own `unknown_sku` answer and the others are judged as usual; but a malformed event (bad field, a `created` without lines) refuses the whole array with 422, field `[i]...`, before any event is judged.\n\nSigned pushes: when an event's channel has a secret (`[channel_secrets]` or `LIVESTOCK_CHANNEL_SECRET_<CHANNEL>`), the request must carry `X-Livestock-Signature: t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, t + \".\" + body))` over the raw body, `t` within the tolerance window (default 300 s) either way; otherwise 401 `bad_signature` and nothing changes. An array may hold the events of one signed channel (and of channels without a secret); one holding two signed channels is refused with 401 `bad_signature`.\n\nRoles: admin, ingest (admin may do everything).",
    params(
        ("X-Livestock-Signature" = inline(Option<params::Signature>), Header, description = "Required when an event's channel has a secret: `t=UNIX_SECONDS,v1=HEX` (several `v1` allowed while a secret is rotated)."),
    ),
    request_body(content((ref("#/components/schemas/OrderEvents") = "application/json", example = json!({"channel": "douyin", "order_id": "DY-1001", "kind": "paid", "buyer": "dy_u_8812", "lines": [{"sku": "HOODIE-BLK-L", "qty": 1, "unit_price_cents": 19900}], "at": "2026-11-24T20:01:02.123+08:00"})))),
    responses(
        (status = 200, description = "One event: `accepted` or `duplicate`. An array: every answer.", content((ref("#/components/schemas/OrderAnswers") = "application/json", example = json!({"order_id": "DY-1001", "result": "accepted", "seq": 4})))),
        (status = 400, response = responses::BadJson),
        (status = 401, description = "`unauthorized`: no token, or not a known one; `bad_signature` (field `X-Livestock-Signature`): a push of a channel with a secret is unsigned, malformed, outside the window, does not match the body, or mixes two signed channels.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 403, response = responses::Forbidden),
        (status = 409, description = "One event, rejected: `out_of_stock`, `limit_exceeded` or `invalid_transition` (also `error.code`). Remembered: a retry gets the same answer.", content((ref("#/components/schemas/OrderRejected") = "application/json", example = json!({"error": {"code": "limit_exceeded", "field": "lines[0].qty", "message": "HOODIE-BLK-L: at most 2 per buyer, dy_u_8812 has 1 and asks 2"}, "field": "lines[0].qty", "message": "HOODIE-BLK-L: at most 2 per buyer, dy_u_8812 has 1 and asks 2", "order_id": "DY-1002", "reason": "limit_exceeded", "result": "rejected", "seq": 5})))),
        (status = 413, response = responses::TooLarge),
        (status = 422, description = "`invalid`: a malformed event (the error body), or one event refused before it was judged (`OrderRejected` without `seq`, e.g. a first `paid` without lines).", content((ref("#/components/schemas/OrderRefusal") = "application/json"))),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(ORDER_ROLES)))),
)]
pub async fn post_orders(
    State(s): State<AppState>,
    caller: Caller,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(ORDER_ROLES)?;
    let engine = s.engine()?;
    // A signed channel's push is checked on the raw body, before its events are parsed: a bad
    // signature is 401 `bad_signature` whatever else is wrong with its events.
    let headers = req.headers().clone();
    let bytes = body_bytes(req, JSON_BODY_BYTES_MAX).await?;
    let verify = |channels: Vec<&str>| {
        s.signatures
            .verify(channels, &headers, &bytes, signature::now_secs())
            .inspect_err(|e| {
                metrics::counter!("livestock_signature_failures_total").increment(1);
                tracing::warn!("refused a push: {}", e.message);
            })
    };
    // Should the channels not be readable without the full parse, that parse must fail; if it
    // does not, its events' channels are checked before anything is judged.
    let mut unchecked = !s.signatures.is_empty();
    if let Some(channels) = unchecked.then(|| signature::channels_of(&bytes)).flatten() {
        verify(channels.iter().map(String::as_str).collect())?;
        unchecked = false;
    }
    let (events, many) = match OneOrMany::<OrderEvent>::from_bytes(&bytes)? {
        OneOrMany::One(ev) => (vec![ev], false),
        OneOrMany::Many(evs) => (evs, true),
    };
    if unchecked {
        verify(events.iter().map(|e| e.channel.as_str()).collect())?;
    }
    // Malformed events are refused before they are judged, and then nothing of the request is.
    // An event naming an unknown SKU is not malformed: the pool answers it on its own
    // (`unknown_sku`), and the others of the array are judged as usual.
    for (i, ev) in events.iter().enumerate() {
        let at = |e: ApiError| if many { e.in_item(i) } else { e };
        ev.check()
            .map_err(|(field, message)| at(ApiError::invalid(field, message)))?;
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

#[utoipa::path(
    get,
    path = "/api/v1/orders/{channel}/{order_id}",
    operation_id = "getOrder",
    tag = "orders",
    summary = "One order",
    description = "The order as the server keeps it, with the judgement of every event.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("channel" = inline(String), Path, description = "The channel of the order."),
        ("order_id" = inline(String), Path, description = "The channel's order id."),
    ),
    responses(
        (status = 200, description = "The order.", content((ref("#/components/schemas/Order") = "application/json", example = json!({"key": {"channel": "douyin", "order_id": "DY-1001"}, "state": "paid", "buyer": "dy_u_8812", "address": null, "lines": [{"sku": "HOODIE-BLK-L", "qty": 1, "unit_price_cents": 19900}], "presale": false, "created_ms": 1796322796273_i64, "expires_ms": null, "paid_ms": 1796322796273_i64, "refunded_ms": null, "judged": [null, {"seq": 4, "rejection": null}, null, null, null], "parked": [], "closed_ms": null})))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn get_order(
    State(s): State<AppState>,
    caller: Caller,
    Path((channel, order_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let key = OrderKey {
        channel: channel.as_str().into(),
        order_id: order_id.as_str().into(),
    };
    // Published after every batch that touches it: no queueing behind the writer.
    let order = s.engine()?.order(&key);
    let order =
        order.ok_or_else(|| ApiError::not_found(format!("no order {order_id} from {channel}")))?;
    Ok(Json(order).into_response())
}
