//! The component schemas of the document, by resource. They describe the bodies the handlers
//! parse and answer; tests/openapi checks real answers against them, field by field.

mod common;
mod exchange;
mod orders;
mod review;
mod rooms;
mod screens;
mod show;
mod stock;

use serde_json::Value;

/// Every component schema, by name.
pub(super) fn all() -> Vec<(&'static str, Value)> {
    [
        common::schemas(),
        stock::schemas(),
        review::schemas(),
        orders::schemas(),
        show::schemas(),
        screens::schemas(),
        exchange::schemas(),
        rooms::schemas(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
