//! One SKU's buckets (SPEC A1–A2), the movements that change them by hand (A6), and the stock view
//! every reader sees.

use super::types::{Category, Cents, Delta, Ident, Limit, Name, Note, Qty, SkuCode, Units};
use serde::{Deserialize, Deserializer, Serialize};

/// The length of the sales window behind `rate_per_min` and `sellout_minutes` (SPEC C: 30 min).
pub const RATE_WINDOW_MINUTES: usize = 30;
const MINUTE_MS: i64 = 60_000;

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

/// What a movement does (`POST /api/v1/skus/{sku}/movements`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Goods arrive: `on_hand` rises; two different people sign.
    Receive,
    /// A signed correction with a reason.
    Adjust,
    /// Units found damaged: out of the sellable stock, still on hand.
    Damage,
    /// Damaged units found fine after all.
    Undamage,
    /// A physical count: `qty` is the counted units; the variance becomes an adjustment.
    Count,
}

/// A movement as posted. `qty` is signed for `adjust`, the counted units (≥ 0) for `count`, and
/// positive for the rest; the web layer checks that before it reaches the pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Movement {
    pub kind: MovementKind,
    pub qty: i64,
    #[serde(default)]
    pub reason: Option<Note>,
    pub by: Ident,
    #[serde(default)]
    pub verified_by: Option<Ident>,
    #[serde(default)]
    pub zone: Option<Ident>,
    #[serde(default)]
    pub batch: Option<Ident>,
}

impl Movement {
    /// Checks the rules a movement must meet whatever the stock is; names the field at fault.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let qty_ok = match self.kind {
            MovementKind::Adjust => self.qty != 0 && Delta::new(self.qty).is_ok(),
            MovementKind::Count => Units::new(self.qty).is_ok(),
            _ => Qty::new(self.qty).is_ok(),
        };
        if !qty_ok {
            let want = match self.kind {
                MovementKind::Adjust => "a non-zero signed number of units (±1,000,000)",
                MovementKind::Count => "the counted units (0 or more)",
                _ => "a positive number of units (at most 1,000,000)",
            };
            return Err(("qty", format!("qty must be {want}")));
        }
        if self.kind == MovementKind::Receive {
            match &self.verified_by {
                None => {
                    return Err((
                        "verified_by",
                        "a receipt needs a second person in verified_by".to_owned(),
                    ));
                }
                Some(v) if v.same_as(&self.by) => {
                    return Err((
                        "verified_by",
                        "verified_by must be a different person from by".to_owned(),
                    ));
                }
                Some(_) => {}
            }
        }
        if self.kind == MovementKind::Adjust
            && self
                .reason
                .as_ref()
                .is_none_or(|r| r.as_str().trim().is_empty())
        {
            return Err(("reason", "an adjustment needs a reason".to_owned()));
        }
        Ok(())
    }
}

/// A movement in the audit trail: who, when, why, and the journal sequence number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementRecord {
    pub seq: u64,
    pub at_ms: i64,
    pub sku: SkuCode,
    pub kind: MovementKind,
    /// Units moved into `on_hand` (receive, adjust, count) or into `damaged` (damage, undamage), signed.
    pub delta: i64,
    /// For a count: the units on the book before it.
    pub book: Option<i64>,
    /// For a count: the counted units.
    pub counted: Option<i64>,
    pub reason: Option<Note>,
    pub by: Ident,
    pub verified_by: Option<Ident>,
    pub zone: Option<Ident>,
    pub batch: Option<Ident>,
}

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
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
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
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_receipt_needs_two_different_people() {
        let m = |by: &str, verified: Option<&str>| Movement {
            kind: MovementKind::Receive,
            qty: 5,
            reason: None,
            by: Ident::new(by).unwrap(),
            verified_by: verified.map(|v| Ident::new(v).unwrap()),
            zone: None,
            batch: None,
        };
        assert_eq!(m("li", None).check().unwrap_err().0, "verified_by");
        assert_eq!(m("li", Some("li")).check().unwrap_err().0, "verified_by");
        assert!(m("li", Some("wang")).check().is_ok());
    }
}
