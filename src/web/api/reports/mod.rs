//! `/api/v1/reports/…` (API.md "Reports"): the daily movement report, read from the published
//! ledger (never from the writer), as JSON, CSV or XLSX; and the copy of it written to the data
//! dir when a show ends (`archive`).

pub mod archive;
pub mod daily;

use super::READ_ROLES;
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::Query;
use crate::web::openapi::{params, responses, roles};
use crate::web::tabular::Format;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/reports/daily?date=YYYY-MM-DD&format=json|csv|xlsx`.
#[derive(serde::Deserialize)]
pub struct DailyQuery {
    /// A day in the shop's zone; today there when absent.
    date: Option<String>,
    format: Option<String>,
    /// The language of the CSV and XLSX column titles: `zh` (default) or `en`.
    lang: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/daily",
    operation_id = "dailyReport",
    tag = "reports",
    summary = "The daily movement report",
    description = "Per SKU, one day in the shop's time zone: opening, received, sold, refunded, shipped, adjusted, damaged, closing, counted, variance. Every row balances: `opening + received - shipped + adjusted = closing`; sold, refunded, damaged, counted and variance are informational. Read from what the writer published, never from the writer. When a show ends, the reports of the days it covered are also written to the data dir as `reports/daily-YYYY-MM-DD.csv`. Days older than 400 days are folded into the next day's opening.\n\nRoles: any valid token (admin, operator, warehouse, ingest, overlay, viewer).",
    params(
        ("date" = inline(Option<params::Date>), Query, description = "`YYYY-MM-DD`, a day in the shop's zone from 1970-01-01 on; today there when absent. Anything else: 422 naming `date`."),
        ("format" = inline(Option<params::Format>), Query, description = "`csv` (UTF-8 with BOM) or `xlsx` for a download named `daily-DATE`; else 422 naming `format`."),
        ("lang" = inline(Option<params::DownloadLang>), Query, description = "The language of a download's column titles."),
    ),
    responses(
        (status = 200, description = "The day's report.", content((ref("#/components/schemas/DailyReport") = "application/json"), (String = "text/csv"), (ref("#/components/schemas/Workbook") = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, response = responses::Unauthorized),
        (status = 422, response = responses::Invalid),
        (status = 503, response = responses::Unavailable),
    ),
    extensions(("x-roles" = json!(roles(READ_ROLES)))),
)]
pub async fn get_daily(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<DailyQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let (format, lang) = Format::parse_with_lang(
        q.format.as_deref(),
        q.lang.as_deref(),
        Format::Json,
        Format::ALL,
    )?;
    let engine = s.engine()?;
    let zone = s.timezone();
    let date = match &q.date {
        Some(raw) => daily::parse_date(raw)?,
        None => daily::today(engine.now_ms(), zone),
    };
    let report = daily::DailyReport::build(engine, zone, date)?;
    if format == Format::Json {
        return Ok(Json(report).into_response());
    }
    report
        .table()
        .download(format, lang, &format!("daily-{}", report.date))
}
