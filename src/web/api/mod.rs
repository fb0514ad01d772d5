//! The HTTP API v1 (API.md), one file per resource. Each handler checks the caller's role first,
//! parses its body once, and hands the domain a command through the engine. Here: who may call
//! what, and the helpers every resource shares.

pub mod alerts;
pub mod channels;
pub mod cluster;
pub mod movements;
pub mod orders;
pub mod reports;
pub mod review;
pub mod rooms;
pub mod show;
pub mod skus;
pub mod transfer;

use super::auth::Role;
use super::error::ApiError;
use crate::domain::types::SkuCode;
use crate::domain::{Effect, Refusal};

/// Roles that change the catalog.
const CATALOG_ROLES: &[Role] = &[Role::Operator];
/// Roles that move stock by hand.
const MOVEMENT_ROLES: &[Role] = &[Role::Operator, Role::Warehouse];
/// Roles that post order events.
const ORDER_ROLES: &[Role] = &[Role::Ingest];
/// Roles that run the show.
const SHOW_ROLES: &[Role] = &[Role::Operator];
/// Roles that set the product on air and push viewers: the stream controller too.
const STAGE_ROLES: &[Role] = &[Role::Operator, Role::Overlay];
/// Roles that acknowledge warnings.
const ACK_ROLES: &[Role] = &[Role::Operator, Role::Warehouse];
/// Every role may read.
const READ_ROLES: &[Role] = &Role::ALL;

fn sku_in_path(raw: &str) -> Result<SkuCode, ApiError> {
    SkuCode::parse(raw).map_err(|_| ApiError::not_found(format!("no SKU {raw}")))
}

/// A page size from `?limit=`: `max` when absent, else 1 to `max`.
fn page_limit(limit: Option<u64>, max: usize) -> Result<usize, ApiError> {
    match limit {
        None => Ok(max),
        Some(n) if (1..=max as u64).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::invalid(
            "limit",
            format!("limit must be 1 to {max}, not {n}"),
        )),
    }
}

/// The one result of a single-command request, as a response or an error.
fn single(mut reply: Vec<Result<Effect, Refusal>>) -> Result<Effect, ApiError> {
    reply
        .pop()
        .expect("the engine answers every command")
        .map_err(|mut r| {
            r.item = None;
            ApiError::from(r)
        })
}
