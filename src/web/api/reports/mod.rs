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
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

/// The formats a report comes in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
}

/// `GET /api/v1/reports/daily?date=YYYY-MM-DD&format=json|csv|xlsx`.
#[derive(serde::Deserialize)]
pub struct DailyQuery {
    /// A day in the shop's zone; today there when absent.
    date: Option<String>,
    #[serde(default)]
    format: Format,
}

pub async fn get_daily(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<DailyQuery>,
) -> Result<Response, ApiError> {
    caller.require(READ_ROLES)?;
    let engine = s.engine()?;
    let zone = s.timezone();
    let date = match &q.date {
        Some(raw) => daily::parse_date(raw)?,
        None => daily::today(engine.now_ms(), zone),
    };
    let report = daily::DailyReport::build(engine, zone, date)?;
    Ok(match q.format {
        Format::Json => Json(report).into_response(),
        Format::Csv | Format::Xlsx => daily::download(&report, q.format)?,
    })
}
