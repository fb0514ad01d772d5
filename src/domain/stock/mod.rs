//! One SKU's buckets (SPEC A1–A2) and its sales windows; the catalog entries, the movements that
//! change the buckets by hand (A6), the stock view every reader sees, and the commands that do it.

pub mod catalog;
pub(super) mod commands;
pub mod import;
pub mod movement;
pub mod view;

pub use catalog::{ImportCount, SkuUpdate};
pub use catalog::{NewSku, SkuPatch};
pub use import::IMPORT_ROWS_MAX;
pub use movement::{Movement, MovementKind, MovementRecord};
pub use view::StockView;

use super::types::{Category, Limit, Name, SkuCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The length of the sales window behind `rate_per_min` and `sellout_minutes` (SPEC C: 30 min).
pub const RATE_WINDOW_MINUTES: usize = 30;
const MINUTE_MS: i64 = 60_000;

/// Every SKU of the pool by code.
pub type Skus = BTreeMap<SkuCode, Sku>;

/// Units sold per minute over the last [`RATE_WINDOW_MINUTES`], kept as a ring of one-minute buckets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RateWindow {
    /// The minute (epoch ms / 60,000) of the first sale seen: a young window divides by its age.
    first_minute: Option<i64>,
    /// `(minute, units)` for the minutes with sales, oldest first, at most the window's length.
    minutes: Vec<(i64, i64)>,
}

impl RateWindow {
    /// Adds `units` sold at `now_ms` (negative for a refund of units sold within the window).
    pub fn record(&mut self, now_ms: i64, units: i64) {
        let minute = now_ms.div_euclid(MINUTE_MS);
        self.first_minute.get_or_insert(minute);
        match self.minutes.last_mut() {
            Some((m, u)) if *m == minute => *u += units,
            _ => self.minutes.push((minute, units)),
        }
        self.forget_before(minute);
    }

    fn forget_before(&mut self, minute: i64) {
        let oldest = minute - RATE_WINDOW_MINUTES as i64 + 1;
        let stale = self.minutes.iter().take_while(|(m, _)| *m < oldest).count();
        self.minutes.drain(..stale);
    }

    /// Mean units per minute at `now_ms` over the window, or over the time since the first sale when
    /// that is shorter (a product ten minutes into its slot is not judged on thirty).
    pub fn per_minute(&self, now_ms: i64) -> f64 {
        let Some(first) = self.first_minute else {
            return 0.0;
        };
        let minute = now_ms.div_euclid(MINUTE_MS);
        let oldest = minute - RATE_WINDOW_MINUTES as i64 + 1;
        let units: i64 = self
            .minutes
            .iter()
            .filter(|(m, _)| (oldest..=minute).contains(m))
            .map(|(_, u)| u)
            .sum();
        let span = (minute - first.max(oldest) + 1).clamp(1, RATE_WINDOW_MINUTES as i64);
        (units.max(0) as f64) / span as f64
    }
}

/// One SKU in the pool: catalog fields and every bucket, all integers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sku {
    pub code: SkuCode,
    pub name: Name,
    pub category: Category,
    pub price_cents: i64,
    pub per_buyer_limit: Option<i64>,
    /// Physical units in the warehouse.
    pub on_hand: i64,
    /// Units on hand that cannot be sold.
    pub damaged: i64,
    /// Safety stock not opened for sale.
    pub buffer: i64,
    /// Ordered, not yet paid.
    pub held: i64,
    /// Paid, not yet shipped.
    pub committed: i64,
    pub presale_cap: i64,
    /// Presale units ordered and not yet paid.
    pub presale_held: i64,
    /// Presale units paid (minus refunds).
    pub presale_sold: i64,
    /// Spot units paid minus refunded.
    pub sold_units: i64,
    /// Money paid minus refunded, spot and presale, in cents.
    pub gmv_cents: i64,
    /// The 100% of the tiered warnings: opening available units plus receipts.
    pub base: i64,
    pub rate: RateWindow,
    /// Sales of the last minute, for surges and fading hits.
    #[serde(default)]
    pub recent: RecentSales,
    /// The highest one-minute rate of the live show (a fading hit falls well below it).
    #[serde(default)]
    pub peak_rate_per_min: i64,
    /// When the SKU was created (slow movers need an age).
    #[serde(default)]
    pub created_ms: i64,
    #[serde(default)]
    pub last_sale_ms: Option<i64>,
    /// `(epoch day, units)` sold per day, the last [`DAILY_SALES_DAYS`] days with sales, for turnover.
    #[serde(default)]
    pub daily: Vec<(i64, i64)>,
    /// Sales by the channel that sent them, net of refunds: `units` add up to `sold_units`,
    /// `gmv_cents` to `gmv_cents`.
    #[serde(default)]
    pub channels: BTreeMap<String, ChannelSales>,
    /// Sales by the room they were credited to, net of refunds (orders credited to no room are
    /// not here).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rooms: BTreeMap<String, ChannelSales>,
}

/// What one channel sold, net of refunds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSales {
    /// Units paid minus refunded (spot units for a SKU, every unit for the show, like the totals
    /// they sit beside).
    pub units: i64,
    /// Orders paid minus orders refunded, spot and presale.
    pub orders: i64,
    /// Money paid minus refunded, spot and presale, in cents.
    pub gmv_cents: i64,
}

impl ChannelSales {
    /// Counts a sale (`sign` 1) or its refund (`sign` -1) in `channel` of `book`: O(log channels).
    pub fn record(
        book: &mut BTreeMap<String, ChannelSales>,
        channel: &str,
        sign: i64,
        (units, orders, cents): (i64, i64, i64),
    ) {
        let entry = match book.get_mut(channel) {
            Some(entry) => entry,
            None => book.entry(channel.to_owned()).or_default(),
        };
        entry.units += sign * units;
        entry.orders += sign * orders;
        entry.gmv_cents += sign * cents;
    }
}

/// Days of daily sales kept per SKU.
pub const DAILY_SALES_DAYS: i64 = 60;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
const RECENT_BUCKET_MS: i64 = 10_000;
const RECENT_BUCKETS: usize = 6;

/// Units sold in the last minute, as six ten-second buckets `(bucket, units)`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecentSales {
    buckets: [(i64, i64); RECENT_BUCKETS],
}

impl RecentSales {
    pub fn record(&mut self, now_ms: i64, units: i64) {
        let b = now_ms.div_euclid(RECENT_BUCKET_MS);
        let slot = &mut self.buckets[b.rem_euclid(RECENT_BUCKETS as i64) as usize];
        if slot.0 != b {
            *slot = (b, 0);
        }
        slot.1 += units;
    }

    /// Units sold in the minute up to `now_ms`.
    pub fn last_minute(&self, now_ms: i64) -> i64 {
        let b = now_ms.div_euclid(RECENT_BUCKET_MS);
        let oldest = b - RECENT_BUCKETS as i64 + 1;
        self.buckets
            .iter()
            .filter(|(id, _)| (oldest..=b).contains(id))
            .map(|(_, u)| u)
            .sum()
    }
}

impl Sku {
    pub fn new(new: &NewSku) -> Self {
        let mut sku = Sku {
            code: new.sku.clone(),
            name: new.name.clone(),
            category: new.category.clone(),
            price_cents: new.price_cents.get(),
            per_buyer_limit: new.per_buyer_limit.map(Limit::get),
            on_hand: new.on_hand.get(),
            damaged: new.damaged.get(),
            buffer: new.buffer.get(),
            held: 0,
            committed: 0,
            presale_cap: new.presale_cap.get(),
            presale_held: 0,
            presale_sold: 0,
            sold_units: 0,
            gmv_cents: 0,
            base: 0,
            rate: RateWindow::default(),
            recent: RecentSales::default(),
            peak_rate_per_min: 0,
            created_ms: 0,
            last_sale_ms: None,
            daily: Vec::new(),
            channels: BTreeMap::new(),
            rooms: BTreeMap::new(),
        };
        sku.base = sku.available().max(0);
        sku
    }

    /// Counts `units` of spot stock sold at `now_ms` in every sales window.
    pub fn record_sale(&mut self, now_ms: i64, units: i64) {
        self.rate.record(now_ms, units);
        self.recent.record(now_ms, units);
        self.last_sale_ms = Some(now_ms);
        let day = now_ms.div_euclid(DAY_MS);
        match self.daily.last_mut() {
            Some((d, u)) if *d == day => *u += units,
            _ => self.daily.push((day, units)),
        }
        let stale = self
            .daily
            .iter()
            .take_while(|(d, _)| *d <= day - DAILY_SALES_DAYS)
            .count();
        self.daily.drain(..stale);
    }

    /// Mean units sold per day over the last 30 days (or the SKU's age, when younger).
    pub fn daily_sales(&self, now_ms: i64) -> f64 {
        let day = now_ms.div_euclid(DAY_MS);
        let units: i64 = self
            .daily
            .iter()
            .filter(|(d, _)| *d > day - 30)
            .map(|(_, u)| u)
            .sum();
        let age_days = ((now_ms - self.created_ms) as f64 / DAY_MS as f64).clamp(1.0, 30.0);
        units as f64 / age_days
    }

    /// `on_hand - damaged - buffer - held - committed`: what may still be sold.
    pub fn available(&self) -> i64 {
        self.on_hand - self.damaged - self.buffer - self.held - self.committed
    }

    /// Presale units still open.
    pub fn presale_available(&self) -> i64 {
        self.presale_cap - self.presale_held - self.presale_sold
    }

    /// The invariants of A2; a broken one is a bug in the pool, never bad input.
    pub fn invariant_holds(&self) -> bool {
        let buckets = [
            self.on_hand,
            self.damaged,
            self.buffer,
            self.held,
            self.committed,
            self.presale_cap,
            self.presale_held,
            self.presale_sold,
            self.sold_units,
        ];
        buckets.iter().all(|b| *b >= 0) && self.available() >= 0 && self.presale_available() >= 0
    }
}

/// The tiered stock level: 0 above 20% of base, 1 at ≤ 20%, 2 at ≤ 10%, 3 at ≤ 5%.
pub fn level(available: i64, base: i64) -> u8 {
    if base <= 0 {
        return 0;
    }
    // Integer maths: available / base <= p / 100  <=>  available * 100 <= p * base.
    match available * 100 {
        a if a <= 5 * base => 3,
        a if a <= 10 * base => 2,
        a if a <= 20 * base => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_tiers_of_spec_c() {
        assert_eq!(level(21, 100), 0);
        assert_eq!(level(20, 100), 1);
        assert_eq!(level(10, 100), 2);
        assert_eq!(level(5, 100), 3);
        assert_eq!(level(0, 100), 3);
        assert_eq!(level(0, 0), 0);
    }

    #[test]
    fn the_rate_is_the_mean_over_the_window_or_its_younger_age() {
        let mut w = RateWindow::default();
        let t0 = 1_000 * MINUTE_MS;
        w.record(t0, 10);
        assert_eq!(w.per_minute(t0), 10.0);
        w.record(t0 + MINUTE_MS, 20);
        assert_eq!(w.per_minute(t0 + MINUTE_MS), 15.0);
        // Thirty-five minutes on, both minutes have left the window.
        assert_eq!(w.per_minute(t0 + 35 * MINUTE_MS), 0.0);
        w.record(t0 + 35 * MINUTE_MS, 30);
        assert_eq!(w.per_minute(t0 + 35 * MINUTE_MS), 1.0);
    }
}
