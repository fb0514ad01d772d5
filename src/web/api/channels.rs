//! `/api/v1/channels`: one available number for every channel, what each channel says it
//! displays, and where the two differ (SPEC A7, API.md "Channels").

use super::{ORDER_ROLES, READ_ROLES};
use crate::domain::channels::{Mismatch, TooManyChannels};
use crate::domain::order::Channel;
use crate::domain::stock::ChannelSales;
use crate::domain::types::{SkuCode, Units, format_rfc3339};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::OneOrMany;
use crate::web::openapi::{params, responses, roles};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The availability body of the last sequence number served: every channel polls it each second,
/// and between two batches it is the same bytes.
#[derive(Default)]
pub struct AvailabilityCache {
    last: Mutex<Option<(u64, Bytes)>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayedItem {
    sku: SkuCode,
    displayed: Units,
}

/// A channel's name as orders carry it.
fn channel_in_path(raw: &str) -> Result<Channel, ApiError> {
    Channel::new(raw).map_err(|e| ApiError::invalid("channel", format!("channel {raw:?}: {e}")))
}

/// `GET /api/v1/channels/{channel}/availability`: `{"seq", "skus": [{"sku", "available"}]}`, the
/// same for every channel, from the published views.
#[utoipa::path(
    get,
    path = "/api/v1/channels/{channel}/availability",
    operation_id = "channelAvailability",
    tag = "channels",
    summary = "What a channel may show now",
    description = "One available number per SKU, the same for every channel, as of journal sequence `seq`. Cheap: the body is made once per published batch.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("channel" = inline(params::Channel), Path, description = "The channel's name as its orders carry it (1–32 characters); else 422 naming `channel`."),
    ),
    responses(
        (status = 200, description = "The numbers.", content((ref("#/components/schemas/Availability") = "application/json", example = json!({"seq": 5, "skus": [{"available": 5179, "sku": "HOODIE-BLK-L"}]})))),
        (status = 401, response = responses::Unauthorized),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn availability(
    State(s): State<AppState>,
    caller: Caller,
    Path(channel): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    channel_in_path(&channel)?;
    let engine = s.engine()?;
    // The seq first: the views read after it include at least that state.
    let seq = engine.seq();
    let cached = {
        let last = s.availability.last.lock().expect("availability cache lock");
        last.as_ref()
            .filter(|(at, _)| *at == seq)
            .map(|(_, b)| b.clone())
    };
    let body = match cached {
        Some(body) => body,
        None => {
            let mut views = engine.views();
            views.sort_by(|a, b| a.sku.cmp(&b.sku));
            let skus: Vec<Value> = views
                .iter()
                .map(|v| json!({"sku": v.sku, "available": v.available}))
                .collect();
            let body = Bytes::from(json!({"seq": seq, "skus": skus}).to_string());
            *s.availability.last.lock().expect("availability cache lock") =
                Some((seq, body.clone()));
            body
        }
    };
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// `POST /api/v1/channels/{channel}/displayed`: `[{"sku", "displayed"}]` (or one object), all
/// checked before any is recorded. Answers this channel's mismatches as they now stand.
#[utoipa::path(
    post,
    path = "/api/v1/channels/{channel}/displayed",
    operation_id = "channelDisplayed",
    tag = "channels",
    summary = "What a channel displays now",
    description = "One `{sku, displayed}` or an array of them (at most 1000), all checked before any is recorded: an unknown SKU is 422 naming `[i].sku`. Kept in memory, not journaled: channels report again each second.\n\nRoles: admin, ingest (admin may do everything).",
    params(
        ("channel" = inline(params::Channel), Path, description = "The channel's name as its orders carry it (1–32 characters); else 422 naming `channel`."),
    ),
    request_body(content((ref("#/components/schemas/DisplayedBody") = "application/json", example = json!([{"sku": "HOODIE-BLK-L", "displayed": 96}])))),
    responses(
        (status = 200, description = "Recorded; this channel's mismatches as they now stand.", content((ref("#/components/schemas/DisplayedAnswer") = "application/json"))),
        (status = 400, response = responses::BadJson),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::TooLarge),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(ORDER_ROLES)))),
)]
pub async fn displayed(
    State(s): State<AppState>,
    caller: Caller,
    Path(channel): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(ORDER_ROLES)?;
    let channel = channel_in_path(&channel)?;
    let engine = s.engine()?;
    let (items, many) = match OneOrMany::<DisplayedItem>::from_request(req, &()).await? {
        OneOrMany::One(item) => (vec![item], false),
        OneOrMany::Many(items) => (items, true),
    };
    let mut checked = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(view) = engine.view(&item.sku) else {
            let e = ApiError::invalid("sku", format!("unknown SKU {}", item.sku));
            return Err(if many { e.in_item(i) } else { e });
        };
        checked.push((item, view.available));
    }
    let now_ms = engine.now_ms();
    let mismatches = {
        let mut displays = s.channels.lock().expect("channel displays lock");
        for (item, available) in &checked {
            let displayed = item.displayed.get();
            if let Err(TooManyChannels) =
                displays.report(channel.as_str(), &item.sku, displayed, *available, now_ms)
            {
                return Err(ApiError::invalid(
                    "channel",
                    format!(
                        "at most {} channels are tracked",
                        crate::domain::channels::CHANNELS_MAX
                    ),
                ));
            }
        }
        displays.mismatches(|c| engine.view(c).map(|v| v.available), now_ms)
    };
    let own: Vec<Value> = mismatches
        .iter()
        .filter(|m| m.channel == channel.as_str())
        .map(|m| mismatch_json(m, now_ms))
        .collect();
    Ok(Json(json!({
        "channel": channel.as_str(),
        "recorded": checked.len(),
        "mismatches": own,
    }))
    .into_response())
}

/// `GET /api/v1/channels/sync`: every (channel, SKU) whose displayed number differs from the
/// pool's, oldest first, and what each channel has reported.
#[utoipa::path(
    get,
    path = "/api/v1/channels/sync",
    operation_id = "channelSync",
    tag = "channels",
    summary = "Where channels show another number",
    description = "Every (channel, SKU) whose displayed number differs from `available`, with since when, oldest first.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    responses(
        (status = 200, description = "The mismatches.", content((ref("#/components/schemas/ChannelSync") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn sync(State(s): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let engine = s.engine()?;
    let now_ms = engine.now_ms();
    let (mismatches, channels) = {
        let mut displays = s.channels.lock().expect("channel displays lock");
        let m = displays.mismatches(|c| engine.view(c).map(|v| v.available), now_ms);
        let names: Vec<String> = displays.channels().into_iter().map(str::to_owned).collect();
        (m, names)
    };
    let list: Vec<Value> = mismatches
        .iter()
        .map(|m| mismatch_json(m, now_ms))
        .collect();
    // Units, orders and GMV sold per channel, summed over the published stock views.
    let mut sales: BTreeMap<String, ChannelSales> = BTreeMap::new();
    for view in engine.views() {
        for (channel, c) in &view.channels {
            let total = sales.entry(channel.clone()).or_default();
            total.units += c.units;
            total.orders += c.orders;
            total.gmv_cents += c.gmv_cents;
        }
    }
    let sold: Vec<Value> = sales
        .iter()
        .map(|(channel, c)| {
            json!({"channel": channel, "units": c.units, "orders": c.orders, "gmv_cents": c.gmv_cents})
        })
        .collect();
    Ok(Json(json!({
        "mismatches": list,
        "reporting": channels,
        "sold": sold,
        "at": format_rfc3339(now_ms),
    }))
    .into_response())
}

/// The channels' lasting mismatches at `now_ms`, for the pre-show check.
pub fn lasting_mismatches(s: &AppState, now_ms: i64) -> Result<Vec<Mismatch>, ApiError> {
    let engine = s.engine()?;
    let mut displays = s.channels.lock().expect("channel displays lock");
    let all = displays.mismatches(|c| engine.view(c).map(|v| v.available), now_ms);
    Ok(all.into_iter().filter(|m| m.lasting(now_ms)).collect())
}

fn mismatch_json(m: &Mismatch, now_ms: i64) -> Value {
    json!({
        "channel": m.channel,
        "sku": m.sku,
        "displayed": m.displayed,
        "available": m.available,
        "since": format_rfc3339(m.since_ms),
        "reported_at": format_rfc3339(m.reported_ms),
        "lasting": m.lasting(now_ms),
    })
}
