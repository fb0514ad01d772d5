//! `POST /api/v1/import?mode=create|upsert`: a CSV or XLSX sheet of SKUs with their opening
//! stock, all or nothing. Every row is checked here against the published views so that one 422
//! names every bad row; the pool checks again when it applies the one `Command::Import`, so a
//! change that raced the check refuses the whole import as well.

use super::rows::{self, Header, RowError, SheetSku};
use super::sheet::{self, Unreadable, ZIP_MAGIC};
use super::{Field, IMPORT_ROLES};
use crate::domain::stock::import::check_stock;
use crate::domain::stock::{IMPORT_ROWS_MAX, NewSku, SkuPatch, SkuUpdate, StockView};
use crate::domain::types::{Ident, SkuCode};
use crate::domain::{Command, Outcome, Refusal};
use crate::engine::Engine;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::{Query, body_bytes};
use crate::web::openapi::{params, responses, roles};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;

/// The largest sheet taken: 10,000 rows of long Chinese names fit with room to spare.
pub const IMPORT_BODY_BYTES_MAX: usize = 8 << 20;
/// The XLSX media type.
const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(serde::Deserialize)]
pub struct ImportQuery {
    /// `create` (the default): every code must be new. `upsert`: existing codes are updated.
    mode: Option<String>,
    /// Who imports, for the audit trail; the caller's role when absent.
    by: Option<String>,
}

/// A 422 naming every bad row: `{"error": {...}, "rows": [{"row", "column", "reason"}]}`.
struct BadRows(Vec<RowError>);

impl IntoResponse for BadRows {
    fn into_response(self) -> Response {
        let mut rows = self.0;
        rows.sort();
        let message = format!(
            "{} row(s) cannot be imported; nothing was imported",
            rows.iter()
                .map(|r| r.row)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        );
        let body = json!({"error": {"code": "invalid", "message": message}, "rows": rows});
        (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/import",
    operation_id = "importSkus",
    tag = "stock",
    summary = "Import a sheet of SKUs",
    description = "A CSV (UTF-8 with or without BOM, or GBK as Excel on a Chinese Windows writes it) or XLSX sheet (an XLSX content type, or a body starting with the zip magic `PK\\x03\\x04`; anything else is read as CSV) of SKUs with their opening stock, at most 10,000 rows and 8 MiB. The header row is row 1. Columns, in English or Chinese: `sku` 商品编码, `name` 商品名称, `category` 类目, `price_cents` (integer cents) or `price` 单价 (yuan with at most 2 decimals, e.g. 59.90; `¥` allowed), `on_hand` 库存 (required), and optionally `buffer` 安全库存, `per_buyer_limit` 限购 (empty: no limit), `presale_cap` 预售上限 (an empty cell is 0). The stock view's other columns, as the export writes them (可售, 待付款, 成交额, ...), are read-only and ignored; any other title is an error naming it.\n\nAll or nothing: if any row is bad, 422 names every bad row and column and nothing is imported. Bad: an unknown or missing column, a bad value, a code twice in the file, an existing code with `mode=create`, numbers that would leave less than nothing to sell. `mode=upsert` updates existing codes (the sheet's columns only) and records each change of `on_hand` as an `adjust` movement with the reason `导入 import`, by `by`. The whole import is one journaled command; one that changes nothing is not journaled.\n\nRoles: admin, operator (admin may do everything).",
    params(
        ("mode" = inline(Option<params::Mode>), Query, description = "`create`: every code must be new. `upsert`: existing codes are updated, new ones created."),
        ("by" = inline(Option<params::Ident>), Query, description = "Who imports, for the audit trail; the caller's role when absent."),
    ),
    request_body(content((String = "text/csv", example = json!("sku,name,category,price_cents,on_hand\nCAP-RED,棒球帽 红,accessories,5900,300\n")), (ref("#/components/schemas/Workbook") = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
        (status = 200, description = "Imported.", content((ref("#/components/schemas/ImportAnswer") = "application/json"))),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, description = "`too_large`: the body is over 8 MiB or the sheet holds more than 10,000 rows.", content((ref("#/components/schemas/Error") = "application/json"))),
        (status = 422, description = "`invalid`: with `rows`, every bad row of the sheet (nothing was imported); without, a bad query parameter (`mode`, `by`) or a body that is no sheet (`body`).", content((ref("#/components/schemas/ImportInvalid") = "application/json"))),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(IMPORT_ROLES)))),
)]
pub async fn import_skus(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(IMPORT_ROLES)?;
    let engine = s.engine()?;
    let upsert = match q.mode.as_deref() {
        None | Some("create") => false,
        Some("upsert") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "mode",
                format!("mode must be create or upsert, not {other:?}"),
            ));
        }
    };
    let by = Ident::new(q.by.as_deref().unwrap_or(caller.role.name()))
        .map_err(|e| ApiError::invalid("by", format!("by {e}")))?;
    let all = read_sheet(req).await?;
    let Some((first, rows)) = all.split_first() else {
        return Err(ApiError::invalid(
            "body",
            "the sheet is empty: a header row and SKUs are needed",
        ));
    };
    let header = match Header::read(first, rows) {
        Ok(header) => header,
        Err(errors) => return Ok(BadRows(errors).into_response()),
    };
    let (skus, mut errors) = rows::parse(&header, rows);
    let plan = plan(engine, &header, skus, upsert, &mut errors);
    if !errors.is_empty() {
        return Ok(BadRows(errors).into_response());
    }
    let reply = engine
        .apply(vec![Command::Import {
            create: plan.create,
            update: plan.update,
            by,
        }])
        .await?;
    match reply
        .into_iter()
        .next()
        .expect("the engine answers every command")
    {
        Ok(effect) => {
            let Outcome::Imported(n) = effect.outcome else {
                unreachable!("an import answers with its count")
            };
            let body = json!({"created": n.created, "updated": n.updated, "unchanged": n.unchanged, "seq": n.seq});
            Ok(Json(body).into_response())
        }
        Err(refusal) => {
            Ok(BadRows(vec![refused_row(&header, &plan.rows, refusal)]).into_response())
        }
    }
}

/// The body's rows: XLSX by its content type or its zip magic, else CSV.
async fn read_sheet(req: Request) -> Result<Vec<sheet::Row>, ApiError> {
    let xlsx_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with(XLSX_MIME));
    let bytes = body_bytes(req, IMPORT_BODY_BYTES_MAX).await?;
    // The header row comes on top of the data rows.
    let read = if xlsx_type || bytes.starts_with(ZIP_MAGIC) {
        sheet::read_xlsx(&bytes, IMPORT_ROWS_MAX + 1)
    } else {
        sheet::read_csv(&bytes, IMPORT_ROWS_MAX + 1)
    };
    read.map_err(|e| match e {
        Unreadable::Garbled(why) => ApiError::invalid("body", why),
        Unreadable::TooManyRows => {
            ApiError::too_large(format!("an import holds at most {IMPORT_ROWS_MAX} rows"))
        }
    })
}

/// The command an import makes, and each item's row (creates first, then updates).
struct Plan {
    create: Vec<NewSku>,
    update: Vec<SkuUpdate>,
    rows: Vec<usize>,
}

/// Sorts the rows into SKUs to create and to update, recording an error for a code repeated in
/// the file, an existing code in `create` mode, and numbers the stock cannot take.
fn plan(
    engine: &Engine,
    header: &Header,
    skus: Vec<SheetSku>,
    upsert: bool,
    errors: &mut Vec<RowError>,
) -> Plan {
    let mut seen: HashMap<SkuCode, usize> = HashMap::new();
    let (mut create, mut update) = (Vec::new(), Vec::new());
    let mut bad = |row: usize, field: Field, reason: String| {
        errors.push(RowError {
            row,
            column: header.title(field),
            reason,
        })
    };
    for sku in skus {
        if let Some(first) = seen.insert(sku.sku.clone(), sku.row) {
            seen.insert(sku.sku.clone(), first);
            bad(
                sku.row,
                Field::Sku,
                format!("the code {} is also on row {first}", sku.sku),
            );
            continue;
        }
        match engine.view(&sku.sku) {
            Some(_) if !upsert => bad(
                sku.row,
                Field::Sku,
                format!(
                    "SKU {} already exists; import with mode=upsert to update it",
                    sku.sku
                ),
            ),
            Some(view) => match checked(&view, &sku) {
                Ok(()) => update.push(sku),
                Err((field, reason)) => bad(sku.row, field, reason),
            },
            None => {
                let buffer = sku.buffer.map_or(0, |b| b.get());
                match check_stock(sku.on_hand.get(), sku.on_hand.get(), 0, buffer, 0, 0) {
                    Ok(()) => create.push(sku),
                    Err(_) => bad(
                        sku.row,
                        Field::Buffer,
                        format!(
                            "a buffer of {buffer} is more than the {} on hand",
                            sku.on_hand.get()
                        ),
                    ),
                }
            }
        }
    }
    let rows = create.iter().chain(&update).map(|s| s.row).collect();
    Plan {
        create: create.into_iter().map(new_sku).collect(),
        update: update.into_iter().map(sku_update).collect(),
        rows,
    }
}

/// Whether an existing SKU can take the row's numbers, by its published view (the pool checks
/// again on the SKU itself).
fn checked(view: &StockView, sku: &SheetSku) -> Result<(), (Field, String)> {
    let buffer = sku.buffer.map_or(view.buffer, |b| b.get());
    check_stock(
        sku.on_hand.get(),
        view.on_hand,
        view.damaged,
        buffer,
        view.held,
        view.committed,
    )
    .map_err(|(field, reason)| {
        (
            if field == "on_hand" {
                Field::OnHand
            } else {
                Field::Buffer
            },
            reason,
        )
    })?;
    if let Some(cap) = sku.presale_cap
        && cap.get() < view.presale_sold
    {
        let reason = format!("{} presale units are already sold", view.presale_sold);
        return Err((Field::PresaleCap, reason));
    }
    Ok(())
}

fn new_sku(s: SheetSku) -> NewSku {
    NewSku {
        sku: s.sku,
        name: s.name,
        category: s.category,
        price_cents: s.price_cents,
        on_hand: s.on_hand,
        buffer: s.buffer.unwrap_or_default(),
        damaged: Default::default(),
        per_buyer_limit: s.per_buyer_limit.flatten(),
        presale_cap: s.presale_cap.unwrap_or_default(),
    }
}

fn sku_update(s: SheetSku) -> SkuUpdate {
    SkuUpdate {
        sku: s.sku,
        patch: SkuPatch {
            name: Some(s.name),
            category: Some(s.category),
            price_cents: Some(s.price_cents),
            buffer: s.buffer,
            per_buyer_limit: s.per_buyer_limit,
            presale_cap: s.presale_cap,
        },
        on_hand: s.on_hand,
    }
}

/// The pool's refusal of the import (the stock moved since the check) as the row at fault.
fn refused_row(header: &Header, rows: &[usize], refusal: Refusal) -> RowError {
    RowError {
        row: refusal.item.and_then(|i| rows.get(i)).copied().unwrap_or(1),
        column: header.title_of_api_field(refusal.field.as_deref()),
        reason: refusal.message,
    }
}
