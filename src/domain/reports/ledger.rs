//! The daily ledger (SPEC E1): per SKU, what moved its stock, in 15-minute buckets of epoch time.
//! Every real zone offset is a whole number of quarter hours, so a day in any zone is a whole run
//! of buckets: the web layer turns a date in the shop's zone into `[from_ms, to_ms)` and the ledger
//! never sees a zone.
//!
//! The report is on the on-hand basis, so every row balances by construction:
//! `opening + received - shipped + adjusted = closing`, where on hand changes only by the initial
//! stock of a new SKU, receipts, shipments, adjustments and count variances (the variance is
//! already inside `adjusted`). `sold`, `refunded`, `damaged`, `counted` and `variance` are
//! informational: a sale commits units that leave on hand when shipped, a refund before shipping
//! puts them back to available, a return's goods are not here yet, and damaged units are still
//! on hand.

use crate::domain::stock::movement::{MovementKind, MovementRecord};
use crate::domain::types::SkuCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The ledger's bucket: a quarter hour, the greatest common step of the world's zone offsets.
pub const BUCKET_MS: i64 = 15 * 60_000;
/// How long a SKU's buckets are kept, in days: a year and a month, so last year's same day is
/// there. Older ones are folded into one carried bucket, so later openings stay right while each
/// SKU's memory stays bounded (at most this many days of quarter hours).
pub const LEDGER_DAYS_KEPT: i64 = 400;
const BUCKETS_KEPT: i64 = LEDGER_DAYS_KEPT * 24 * 4;
/// The key of the bucket that carries everything folded: before every real bucket.
const CARRIED: i64 = i64::MIN;

/// What moved one SKU's stock within one bucket, in units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counters {
    /// On hand when the SKU was created.
    pub initial: i64,
    pub received: i64,
    /// Spot units paid (presale is kept apart and never touches spot stock).
    pub sold: i64,
    /// Spot units refunded, before shipping or as a return after it.
    pub refunded: i64,
    /// Spot units that left the warehouse.
    pub shipped: i64,
    /// Signed adjustments plus count variances: on hand changed by hand.
    pub adjusted: i64,
    /// Units marked damaged minus units released from damage.
    pub damaged: i64,
    /// Units counted by physical counts.
    pub counted: i64,
    /// Counted minus book, over every count.
    pub variance: i64,
}

impl Counters {
    /// How much these moved on hand.
    pub fn on_hand_delta(&self) -> i64 {
        self.initial + self.received - self.shipped + self.adjusted
    }

    fn add(&mut self, o: &Counters) {
        self.initial += o.initial;
        self.received += o.received;
        self.sold += o.sold;
        self.refunded += o.refunded;
        self.shipped += o.shipped;
        self.adjusted += o.adjusted;
        self.damaged += o.damaged;
        self.counted += o.counted;
        self.variance += o.variance;
    }
}

/// One SKU's counters by bucket (epoch ms / [`BUCKET_MS`]); only buckets where something moved.
pub type Buckets = BTreeMap<i64, Counters>;

/// Every SKU's buckets. Persistent (in the snapshot): it is history, not derived from the present.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ledger {
    skus: BTreeMap<SkuCode, Buckets>,
}

/// One SKU's day in the daily movement report (API.md "Reports").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DailyRow {
    pub sku: SkuCode,
    /// On hand at the day's start, plus the initial stock of a SKU created that day.
    pub opening: i64,
    pub received: i64,
    pub sold: i64,
    pub refunded: i64,
    pub shipped: i64,
    pub adjusted: i64,
    pub damaged: i64,
    /// On hand at the day's end: `opening + received - shipped + adjusted`.
    pub closing: i64,
    pub counted: i64,
    pub variance: i64,
}

/// The bucket `at_ms` falls in.
pub fn bucket_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(BUCKET_MS)
}

/// The first bucket that starts at or after `at_ms`.
fn first_bucket_from(at_ms: i64) -> i64 {
    bucket_of(at_ms) + i64::from(at_ms.rem_euclid(BUCKET_MS) != 0)
}

impl Ledger {
    /// Adds to the counters of `sku` in the bucket of `at_ms`.
    pub fn record(&mut self, sku: &SkuCode, at_ms: i64, change: impl FnOnce(&mut Counters)) {
        // No clone of the code on the hot path (a SKU's every sale), only at its first entry.
        if !self.skus.contains_key(sku) {
            self.skus.insert(sku.clone(), Buckets::new());
        }
        let buckets = self.skus.get_mut(sku).expect("inserted above");
        let bucket = bucket_of(at_ms);
        if !buckets.contains_key(&bucket) {
            fold_old(buckets, bucket);
        }
        change(buckets.entry(bucket).or_default());
    }

    /// A SKU created with `on_hand` units.
    pub fn created(&mut self, sku: &SkuCode, at_ms: i64, on_hand: i64) {
        self.record(sku, at_ms, |c| c.initial += on_hand);
    }

    /// A warehouse movement, as its audit-trail record says.
    pub fn moved(&mut self, m: &MovementRecord) {
        self.record(&m.sku, m.at_ms, |c| match m.kind {
            MovementKind::Receive => c.received += m.delta,
            MovementKind::Adjust => c.adjusted += m.delta,
            MovementKind::Damage | MovementKind::Undamage => c.damaged += m.delta,
            MovementKind::Count => {
                c.adjusted += m.delta;
                c.variance += m.delta;
                c.counted += m.counted.unwrap_or(0);
            }
        });
    }

    /// Whether the ledger knows `sku`.
    pub fn contains(&self, sku: &SkuCode) -> bool {
        self.skus.contains_key(sku)
    }

    /// One SKU's counters in one bucket, if anything moved there.
    pub fn bucket(&self, sku: &SkuCode, bucket: i64) -> Option<Counters> {
        self.skus.get(sku)?.get(&bucket).copied()
    }

    /// Every SKU's buckets.
    pub fn skus(&self) -> impl Iterator<Item = (&SkuCode, &Buckets)> {
        self.skus.iter()
    }

    /// The daily report of `[from_ms, to_ms)`: one row per SKU that existed before `to_ms`, in
    /// code order. A bucket belongs to the range its start is in.
    pub fn daily(&self, from_ms: i64, to_ms: i64) -> Vec<DailyRow> {
        self.skus
            .iter()
            .filter_map(|(sku, buckets)| daily_row(sku, buckets, from_ms, to_ms))
            .collect()
    }
}

/// Folds the buckets older than [`LEDGER_DAYS_KEPT`] before `bucket` into the carried one. The
/// published copy of the ledger folds the same way at the same buckets, so both stay equal.
pub fn fold_old(buckets: &mut Buckets, bucket: i64) {
    let oldest = bucket - BUCKETS_KEPT;
    while let Some((&first, _)) = buckets.range(CARRIED + 1..oldest).next() {
        let old = buckets.remove(&first).expect("the first bucket");
        buckets.entry(CARRIED).or_default().add(&old);
    }
}

/// One SKU's row of `[from_ms, to_ms)` from its buckets; `None` if it did not exist before `to_ms`.
/// A day older than [`LEDGER_DAYS_KEPT`] has been folded away: its row shows no movements.
pub fn daily_row(sku: &SkuCode, buckets: &Buckets, from_ms: i64, to_ms: i64) -> Option<DailyRow> {
    let (first, end) = (first_bucket_from(from_ms), first_bucket_from(to_ms));
    if first >= end || buckets.range(..end).next().is_none() {
        return None;
    }
    let before: i64 = buckets.range(..first).map(|(_, c)| c.on_hand_delta()).sum();
    let mut day = Counters::default();
    for (_, c) in buckets.range(first..end) {
        day.add(c);
    }
    let opening = before + day.initial;
    Some(DailyRow {
        sku: sku.clone(),
        opening,
        received: day.received,
        sold: day.sold,
        refunded: day.refunded,
        shipped: day.shipped,
        adjusted: day.adjusted,
        damaged: day.damaged,
        closing: opening + day.received - day.shipped + day.adjusted,
        counted: day.counted,
        variance: day.variance,
    })
}
