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
