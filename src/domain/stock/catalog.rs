//! The catalog side of a SKU as posted: a new SKU with its opening stock, and a patch of its fields.

use crate::domain::types::{Category, Cents, Limit, Name, SkuCode, Units};
use serde::{Deserialize, Deserializer, Serialize};

/// A SKU as created (`POST /api/v1/skus`): the catalog entry and its opening stock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSku {
    pub sku: SkuCode,
    pub name: Name,
    pub category: Category,
    pub price_cents: Cents,
    pub on_hand: Units,
    #[serde(default)]
    pub buffer: Units,
    #[serde(default)]
    pub damaged: Units,
    #[serde(default)]
    pub per_buyer_limit: Option<Limit>,
    #[serde(default)]
    pub presale_cap: Units,
}

/// The fields `PATCH /api/v1/skus/{sku}` may change; an absent field stays as it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_cents: Option<Cents>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer: Option<Units>,
    /// `null` clears the limit, so absent and null differ: hence the double option.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub per_buyer_limit: Option<Option<Limit>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presale_cap: Option<Units>,
}

/// Marks a field that is present in the JSON, even as `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// An existing SKU as a sheet sets it: the catalog fields the sheet holds, and its units on hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkuUpdate {
    pub sku: SkuCode,
    #[serde(default)]
    pub patch: SkuPatch,
    /// The units on hand the sheet counts; the difference is recorded as an adjustment.
    pub on_hand: Units,
}

/// What an import did, SKU by SKU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCount {
    pub created: usize,
    pub updated: usize,
    /// Existing SKUs the sheet left exactly as they were.
    pub unchanged: usize,
    /// The journal sequence number the pool includes after the import.
    pub seq: u64,
}
