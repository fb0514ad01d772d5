//! `GET /api/v1/show/review`: the post-show review (SPEC B5), computed from the published orders,
//! show and stock views on a blocking thread: never on the writer, never on the runtime's workers.
//! JSON, or its per-SKU table as `?format=csv|xlsx`.

use super::READ_ROLES;
use crate::domain::checks::review::{self, Review, ReviewInput, SkuReview};
use crate::domain::order::Order;
use crate::domain::show::Show;
use crate::domain::types::RoomId;
use crate::web::AppState;
use crate::web::api::rooms::RoomPath;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::Query;
use crate::web::openapi::{params, responses, roles};
use crate::web::tabular::{Cell, Column, Format, Lang, Table};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Which orders a review counts.
enum Scope {
    /// The orders credited to `room` (and, while it is the `alone` room with a show, the orders
    /// credited to none: a one-room shop's review counts every order of its show).
    Room { room: RoomId, alone: bool },
    /// Every order of the night the room's show belongs to, under the night's combined show.
    Night(Arc<Show>),
}

#[derive(serde::Deserialize)]
pub struct ReviewQuery {
    format: Option<String>,
    lang: Option<String>,
    /// `room` (the default): the room's show; `night`: every room's shows of the night at once.
    scope: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/show/review",
    operation_id = "review",
    tag = "show",
    summary = "The post-show review",
    description = "After (or during) the show: per SKU its opening, paid, unpaid, expired, cancelled, refunded and presale units apart, net units and GMV, by channel; the unpaid orders; and the anomalies (bulk orders, many orders per buyer, shared addresses or phones, bad addresses on paid orders, quick refunds), each with its orders, buyer and why in Chinese and English. Computed from the published orders off the writer.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("scope" = inline(Option<params::Scope>), Query, description = "`room` (the default): the room's show and the orders credited to it; `night`: every room's shows of the night at once, every order. Else 422 naming `scope`."),
        ("format" = inline(Option<params::Format>), Query, description = "`csv` (UTF-8 with BOM) or `xlsx` for a download of the per-SKU table; else 422 naming `format`."),
        ("lang" = inline(Option<params::DownloadLang>), Query, description = "The language of a download's column titles."),
    ),
    responses(
        (status = 200, description = "The review.", content((ref("#/components/schemas/Review") = "application/json"), (String = "text/csv"), (ref("#/components/schemas/Workbook") = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = responses::Unauthorized),
        (status = 404, description = "`not_found`: no show was ever planned.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn get_review(
    State(s): State<AppState>,
    caller: Caller,
    RoomPath(room): RoomPath,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let (format, lang) = Format::parse_with_lang(
        q.format.as_deref(),
        q.lang.as_deref(),
        Format::Json,
        Format::ALL,
    )?;
    let night = match q.scope.as_deref() {
        None | Some("room") => false,
        Some("night") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "scope",
                format!("scope is room or night, not {other}"),
            ));
        }
    };
    super::rooms::room_show(&s, &room)?;
    let engine = s.engine()?.clone();
    let records = engine.show_records();
    let show = records.get(&room).cloned().ok_or_else(|| {
        ApiError::not_found("there is no show to review: POST /api/v1/show first")
    })?;
    // Who the review counts: the room's credited orders, or every order of the night.
    let scope = if night {
        let shows: Vec<&Show> = records.values().map(|s| &**s).collect();
        Scope::Night(Arc::new(review::night_of(&show, &shows)))
    } else {
        let alone = records.keys().all(|r| r == &room);
        Scope::Room { room, alone }
    };
    let show = match &scope {
        Scope::Night(night) => night.clone(),
        Scope::Room { .. } => show,
    };
    let now_ms = engine.now_ms();
    // A show not yet started has an empty window: its review is there, with nothing in it.
    let window = review::window(&show, now_ms).unwrap_or((now_ms, now_ms));
    let config = s.review.clone();
    let computed = tokio::task::spawn_blocking(move || {
        let shared = engine.orders_in(window);
        let orders: Vec<&Order> = shared
            .iter()
            .map(|o| &**o)
            .filter(|o| match &scope {
                Scope::Night(_) => true,
                Scope::Room { room, alone } => review::credited_to(o, room, *alone),
            })
            .collect();
        let views = engine.views();
        let input = ReviewInput {
            show: &show,
            views: &views,
            orders: &orders,
            now_ms,
        };
        review::review(&input, &config)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "computing the review failed");
        ApiError::internal("the review could not be computed")
    })?;
    match format {
        Format::Json => Ok(Json(computed).into_response()),
        _ => review_table(&computed, lang).download(format, lang, "review"),
    }
}

const fn col(zh: &'static str, en: &'static str) -> Column {
    Column { zh, en }
}

const REVIEW_COLUMNS: &[Column] = &[
    col("商品编码", "SKU"),
    col("商品名称", "Name"),
    col("开播可售", "Opening"),
    col("付款件数", "Paid units"),
    col("付款订单", "Paid orders"),
    col("待付款件数", "Unpaid units"),
    col("超时未付件数", "Expired units"),
    col("取消件数", "Cancelled units"),
    col("退款件数", "Refunded units"),
    col("退款金额", "Refunded"),
    col("预售件数", "Presale units"),
    col("预售金额", "Presale GMV"),
    col("净销量", "Net units"),
    col("净成交额", "Net GMV"),
    col("当前可售", "Available now"),
    col("分渠道", "By channel"),
];

/// The review's per-SKU reconciliation as a table, with a totals row last.
fn review_table(r: &Review, lang: Lang) -> Table {
    let sheet = if lang == Lang::Zh {
        "直播复盘"
    } else {
        "Review"
    };
    let mut table = Table::new(sheet, REVIEW_COLUMNS);
    for s in &r.skus {
        table.push(sku_row(s, lang));
    }
    let t = &r.totals;
    let total = if lang == Lang::Zh { "合计" } else { "Total" };
    let sum = |f: fn(&SkuReview) -> i64| Cell::Int(r.skus.iter().map(f).sum());
    table.push(vec![
        total.into(),
        Cell::Empty,
        Cell::Empty,
        sum(|s| s.paid_units),
        Cell::Int(t.paid_orders),
        sum(|s| s.unpaid_units),
        sum(|s| s.expired_units),
        sum(|s| s.cancelled_units),
        sum(|s| s.refunded_units),
        Cell::Money(t.refunded_cents),
        Cell::Int(t.presale_units),
        Cell::Money(t.presale_gmv_cents),
        Cell::Int(t.net_units),
        Cell::Money(t.net_gmv_cents),
        Cell::Empty,
        channels_text(&t.channels, lang).into(),
    ]);
    table
}

fn sku_row(s: &SkuReview, lang: Lang) -> Vec<Cell> {
    vec![
        s.sku.as_str().into(),
        s.name.clone().into(),
        s.opening.into(),
        s.paid_units.into(),
        s.paid_orders.into(),
        s.unpaid_units.into(),
        s.expired_units.into(),
        s.cancelled_units.into(),
        s.refunded_units.into(),
        Cell::Money(s.refunded_cents),
        s.presale_units.into(),
        Cell::Money(s.presale_gmv_cents),
        s.net_units.into(),
        Cell::Money(s.net_gmv_cents),
        s.available.into(),
        channels_text(&s.channels, lang).into(),
    ]
}

/// `douyin 3件 ¥59.70; kuaishou 1件 ¥19.90`.
fn channels_text(
    channels: &std::collections::BTreeMap<String, crate::domain::stock::ChannelSales>,
    lang: Lang,
) -> String {
    let unit = if lang == Lang::Zh { "件" } else { " units" };
    let parts: Vec<String> = channels
        .iter()
        .map(|(name, c)| {
            let cents = c.gmv_cents;
            format!(
                "{name} {}{unit} ¥{}.{:02}",
                c.units,
                cents / 100,
                (cents % 100).abs()
            )
        })
        .collect();
    parts.join("; ")
}
