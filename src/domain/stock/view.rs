//! The stock view (API.md): what every reader sees of one SKU at a moment.

use super::{ChannelSales, Sku, level};
use crate::domain::types::SkuCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

impl Sku {
    /// The stock view at `now_ms` (rates depend on the time).
    pub fn view(&self, now_ms: i64) -> StockView {
        let available = self.available();
        let rate_per_min = self.rate.per_minute(now_ms);
        let sold = self.sold_units as f64;
        StockView {
            sku: self.code.clone(),
            name: self.name.as_str().to_owned(),
            category: self.category.as_str().to_owned(),
            price_cents: self.price_cents,
            on_hand: self.on_hand,
            damaged: self.damaged,
            buffer: self.buffer,
            held: self.held,
            committed: self.committed,
            available,
            presale_cap: self.presale_cap,
            presale_sold: self.presale_sold,
            sold_units: self.sold_units,
            gmv_cents: self.gmv_cents,
            per_buyer_limit: self.per_buyer_limit,
            base: self.base,
            rate_per_min: round2(rate_per_min),
            sellout_minutes: (rate_per_min > 0.0).then(|| round2(available as f64 / rate_per_min)),
            sell_through: if sold + available as f64 > 0.0 {
                // Four decimals, divided last so the number prints without float noise.
                (sold / (sold + available as f64) * 10_000.0).round() / 10_000.0
            } else {
                0.0
            },
            level: level(available, self.base),
            channels: self.channels.clone(),
            rooms: self.rooms.clone(),
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// What every reader sees of one SKU (API.md "the stock view").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockView {
    pub sku: SkuCode,
    pub name: String,
    pub category: String,
    pub price_cents: i64,
    pub on_hand: i64,
    pub damaged: i64,
    pub buffer: i64,
    pub held: i64,
    pub committed: i64,
    pub available: i64,
    pub presale_cap: i64,
    pub presale_sold: i64,
    pub sold_units: i64,
    pub gmv_cents: i64,
    pub per_buyer_limit: Option<i64>,
    pub base: i64,
    pub rate_per_min: f64,
    pub sellout_minutes: Option<f64>,
    pub sell_through: f64,
    pub level: u8,
    /// Units, orders and GMV by channel, net of refunds (`{"douyin": {"units", "orders",
    /// "gmv_cents"}}`); a SKU no channel sold is `{}`.
    #[serde(default)]
    pub channels: BTreeMap<String, ChannelSales>,
    /// Units, orders and GMV by the live room they were credited to (API.md "Rooms"), net of
    /// refunds; absent while no sale of it was credited to a room.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rooms: BTreeMap<String, ChannelSales>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stock::NewSku;
    use crate::domain::types::{Category, Cents, Name, Units};

    #[test]
    fn sell_through_is_a_clean_fraction_with_four_decimals() {
        let new = NewSku {
            sku: SkuCode::parse("T").unwrap(),
            name: Name::new("t").unwrap(),
            category: Category::new("c").unwrap(),
            price_cents: Cents::new(1).unwrap(),
            on_hand: Units::new(9_000).unwrap(),
            buffer: Units::default(),
            damaged: Units::default(),
            per_buyer_limit: None,
            presale_cap: Units::default(),
        };
        let mut sku = Sku::new(&new);
        sku.on_hand = 10_000;
        sku.committed = 1_111;
        sku.sold_units = 1_111;
        let json = serde_json::to_string(&sku.view(0)).unwrap();
        assert!(json.contains("\"sell_through\":0.1111,"), "{json}");
    }
}
