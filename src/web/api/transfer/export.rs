//! Downloads from the published read models, never the writer: `GET /api/v1/export/skus` (the
//! catalog with its stock view, as the import reads it back) and `GET /api/v1/movements` (every
//! SKU's audit trail over a time range, as JSON, CSV or XLSX).

use super::{READ_ROLES, SKU_SHEET};
use crate::domain::stock::{MovementRecord, StockView};
use crate::domain::types::format_rfc3339_at;
use crate::engine::MOVEMENTS_RANGE_MAX;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::Query;
use crate::web::openapi::{params, responses, roles};
use crate::web::tabular::{Cell, Column, Format, Table};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Says a movements page is not the whole range (CSV and XLSX have no room in the body for it).
const TRUNCATED_HEADER: &str = "x-livestock-truncated";
/// The `after_seq` of the next page, when the range holds more.
const NEXT_AFTER_SEQ_HEADER: &str = "x-livestock-next-after-seq";

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    lang: Option<String>,
}

/// `GET /api/v1/export/skus?format=csv|xlsx`: every SKU in code order, in the columns the import
/// reads (money in yuan), so a download imports back unchanged.
#[utoipa::path(
    get,
    path = "/api/v1/export/skus",
    operation_id = "exportSkus",
    tag = "stock",
    summary = "The catalog with its stock view, for Excel",
    description = "Every SKU in code order, with the columns the import reads (商品编码 商品名称 类目 单价 库存 ... 安全库存 限购 预售上限) and the stock view's read-only ones (不良 待付款 待发货 可售 预售已售 已售 成交额 售出率 预警基数 预警级别). Money is in yuan: `59.90` in CSV, a number formatted `¥0.00` in XLSX. The XLSX has a frozen header row and columns as wide as their content. It imports back unchanged. Read from the published views.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("format" = inline(Option<params::ExportFormat>), Query, description = "`csv` (UTF-8 with BOM) or `xlsx` for a download; else 422 naming `format`."),
        ("lang" = inline(Option<params::DownloadLang>), Query, description = "The language of a download's column titles (English titles are the JSON API's names; money is in yuan either way)."),
    ),
    responses(
        (status = 200, description = "The download (`Content-Disposition: attachment; filename=\"skus.csv\"` or `skus.xlsx`).", content((String = "text/csv"), (ref("#/components/schemas/Workbook") = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = responses::Unauthorized),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn export_skus(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let (format, lang) = Format::parse_with_lang(
        q.format.as_deref(),
        q.lang.as_deref(),
        Format::Csv,
        &[Format::Csv, Format::Xlsx],
    )?;
    let views = s.engine()?.views();
    let columns: Vec<Column> = SKU_SHEET.iter().map(|c| c.title).collect();
    let mut table = Table::new("库存", &columns);
    for view in &views {
        table.push(sku_row(view));
    }
    table.download(format, lang, "skus")
}

/// One SKU in the order of [`SKU_SHEET`].
fn sku_row(v: &StockView) -> Vec<Cell> {
    vec![
        v.sku.as_str().into(),
        v.name.as_str().into(),
        v.category.as_str().into(),
        Cell::Money(v.price_cents),
        v.on_hand.into(),
        v.damaged.into(),
        v.buffer.into(),
        v.held.into(),
        v.committed.into(),
        v.available.into(),
        v.per_buyer_limit.into(),
        v.presale_cap.into(),
        v.presale_sold.into(),
        v.sold_units.into(),
        Cell::Money(v.gmv_cents),
        Cell::Ratio(v.sell_through),
        v.base.into(),
        i64::from(v.level).into(),
    ]
}

#[derive(serde::Deserialize)]
pub struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
    /// Only records after this journal seq (the previous page's `next_after_seq`).
    after_seq: Option<u64>,
    format: Option<String>,
    lang: Option<String>,
}

/// A moment of the query, read as RFC 3339; its offset is the one the answer's times are shown at.
fn moment(field: &str, raw: Option<&str>) -> Result<(i64, time::UtcOffset), ApiError> {
    let raw = raw.ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("{field} is required: an RFC 3339 time such as 2026-11-24T00:00:00+08:00"),
        )
    })?;
    let t = time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
        .map_err(|e| {
            ApiError::invalid(
                field,
                format!("{field} is not an RFC 3339 time ({e}): {raw:?}"),
            )
        })?;
    let ms = i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| ApiError::invalid(field, format!("{field} is out of range")))?;
    Ok((ms, t.offset()))
}

/// `GET /api/v1/movements?from=&to=&format=json|csv|xlsx`: every SKU's movements recorded in
/// `[from, to)`, in journal order, at most [`MOVEMENTS_RANGE_MAX`] per page.
#[utoipa::path(
    get,
    path = "/api/v1/movements",
    operation_id = "rangeMovements",
    tag = "stock",
    summary = "The audit trail of a time range",
    description = "Every SKU's movements recorded in `[from, to)`, in journal order, at most 10,000 per page: `truncated` says more are left, and `next_after_seq` is the `after_seq` of the next page (a page never splits the records of one seq). Times in a download are shown at the offset of `from`. CSV and XLSX say the same in the headers `X-Livestock-Truncated` and `X-Livestock-Next-After-Seq`. Read from the published trails.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("from" = inline(params::Timestamp), Query, description = "The start (inclusive), RFC 3339. Missing or malformed: 422 naming `from`."),
        ("to" = inline(params::Timestamp), Query, description = "The end (exclusive), RFC 3339, later than `from`; else 422 naming `to`."),
        ("after_seq" = inline(Option<params::AfterSeq>), Query, description = "Only records after this journal seq (a page's `next_after_seq`)."),
        ("format" = inline(Option<params::Format>), Query, description = "`csv` (UTF-8 with BOM) or `xlsx` for a download instead of JSON; else 422 naming `format`."),
        ("lang" = inline(Option<params::DownloadLang>), Query, description = "The language of a download's column titles (English titles are the JSON API's names; money is in yuan either way)."),
    ),
    responses(
        (status = 200, description = "The movements.", content((ref("#/components/schemas/MovementRange") = "application/json"), (String = "text/csv"), (ref("#/components/schemas/Workbook") = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = responses::Unauthorized),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn range_movements(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let (from_ms, offset) = moment("from", q.from.as_deref())?;
    let (to_ms, _) = moment("to", q.to.as_deref())?;
    if to_ms <= from_ms {
        return Err(ApiError::invalid("to", "to must be later than from"));
    }
    let (format, lang) = Format::parse_with_lang(
        q.format.as_deref(),
        q.lang.as_deref(),
        Format::Json,
        Format::ALL,
    )?;
    let engine = s.engine()?;
    let (records, more) = engine.movements_between(
        from_ms,
        to_ms,
        q.after_seq.unwrap_or(0),
        MOVEMENTS_RANGE_MAX,
    );
    let next_after_seq = more.then(|| records.last().map(|m| m.seq)).flatten();
    if format == Format::Json {
        let body = json!({
            "from": format_rfc3339_at(from_ms, offset),
            "to": format_rfc3339_at(to_ms, offset),
            "movements": records,
            "truncated": more,
            "next_after_seq": next_after_seq,
        });
        return Ok(Json(body).into_response());
    }
    let mut table = Table::new("出入库流水", MOVEMENT_COLUMNS);
    for m in &records {
        table.push(movement_row(m, offset));
    }
    let mut response = table.download(format, lang, "movements")?;
    let headers = response.headers_mut();
    headers.insert(
        TRUNCATED_HEADER,
        HeaderValue::from_static(if more { "true" } else { "false" }),
    );
    if let Some(seq) = next_after_seq {
        headers.insert(NEXT_AFTER_SEQ_HEADER, HeaderValue::from(seq));
    }
    Ok(response)
}

const fn column(zh: &'static str, en: &'static str) -> Column {
    Column { zh, en }
}

const MOVEMENT_COLUMNS: &[Column] = &[
    column("流水号", "seq"),
    column("时间", "at"),
    column("商品编码", "sku"),
    column("类型", "kind"),
    column("数量变化", "delta"),
    column("账面数", "book"),
    column("实盘数", "counted"),
    column("原因", "reason"),
    column("经手人", "by"),
    column("复核人", "verified_by"),
    column("库区", "zone"),
    column("批次", "batch"),
];

fn movement_row(m: &MovementRecord, offset: time::UtcOffset) -> Vec<Cell> {
    let text = |t: Option<&str>| t.map(str::to_owned).into();
    let kind = serde_json::to_value(m.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    vec![
        i64::try_from(m.seq).unwrap_or(i64::MAX).into(),
        format_rfc3339_at(m.at_ms, offset).into(),
        m.sku.as_str().into(),
        kind.into(),
        m.delta.into(),
        m.book.into(),
        m.counted.into(),
        text(m.reason.as_ref().map(|r| r.as_str())),
        m.by.as_str().into(),
        text(m.verified_by.as_ref().map(|r| r.as_str())),
        text(m.zone.as_ref().map(|r| r.as_str())),
        text(m.batch.as_ref().map(|r| r.as_str())),
    ]
}
