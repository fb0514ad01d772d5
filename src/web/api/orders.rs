//! `/api/v1/orders`: the channels' order events (one or an array), each judged once, and the
//! record of one order.

use super::{ORDER_ROLES, READ_ROLES};
use crate::domain::order::{Answer, OrderEvent, OrderKey};
use crate::domain::{Command, Effect, Outcome, Refusal};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::{JSON_BODY_BYTES_MAX, OneOrMany, body_bytes};
use crate::web::signature;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

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
    // Published after every batch that touches it: no queueing behind the writer.
    let order = s.engine()?.order(&key);
    let order =
        order.ok_or_else(|| ApiError::not_found(format!("no order {order_id} from {channel}")))?;
    Ok(Json(order).into_response())
}
