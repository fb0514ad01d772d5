//! `/api/v1/alerts`: the warnings, newest first, and their acknowledgement.

use super::{ACK_ROLES, READ_ROLES, single};
use crate::domain::types::Ident;
use crate::domain::{Command, Outcome};
use crate::web::AppState;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::extract::{JsonBody, Query};
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(serde::Deserialize)]
pub struct AlertsQuery {
    open: Option<bool>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    by: Ident,
}

pub async fn list_alerts(
    State(s): State<AppState>,
    caller: Caller,
    Query(q): Query<AlertsQuery>,
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
