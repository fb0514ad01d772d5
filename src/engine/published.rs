//! The read models the writer publishes after each durable batch, so readers (GETs, screens) never
//! queue behind it: stock views, the show, the series, alerts, each SKU's audit trail, orders and
//! the daily ledger.

use super::WriteState;
use crate::domain::Pool;
use crate::domain::alerts::Alert;
use crate::domain::checks::review::in_window;
use crate::domain::order::{Order, OrderKey};
use crate::domain::reports::{Buckets, DailyRow, bucket_of, daily_row, fold_old};
use crate::domain::series::{Sample, Series};
use crate::domain::show::{Show, ShowState, ShowView};
use crate::domain::stock::{MovementRecord, StockView};
use crate::domain::types::{RoomId, SkuCode};
use dashmap::DashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::{broadcast, watch};

/// Open alerts sent in a snapshot.
pub const SNAPSHOT_ALERTS_MAX: usize = 100;
/// The most audit-trail records one read returns.
pub const MOVEMENTS_PAGE_MAX: usize = 1000;
/// The most audit-trail records one read of a time range returns (a page; the next one starts
/// after its last seq).
pub const MOVEMENTS_RANGE_MAX: usize = 10_000;
/// Alert frames waiting for the screens' feed.
const ALERT_QUEUE_MAX: usize = 1024;

/// What changed since the screens' feed last took the changes.
#[derive(Debug, Default)]
pub struct Changes {
    pub skus: BTreeSet<SkuCode>,
    /// Whether any room's show view changed.
    pub show: bool,
    /// The rooms whose show view changed.
    pub rooms: BTreeSet<RoomId>,
    /// A new point of the time series, when one was taken.
    pub sample: Option<Sample>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.skus.is_empty() && !self.show && self.sample.is_none()
    }
}

/// What the writer publishes after each batch for readers that must not queue behind it. Every
/// model holds durable state only: the writer publishes after the journal's sync.
pub(super) struct Published {
    /// Every SKU's stock view as of the last committed batch.
    pub views: DashMap<SkuCode, StockView>,
    /// The journal sequence number the published views include. Written after the views, so a
    /// reader that loads it first and then reads views sees at least that state.
    seq: AtomicU64,
    /// Room `main`'s show view (also in `rooms`).
    pub show: RwLock<Arc<ShowView>>,
    /// Every room's show view, by room id.
    pub rooms: RwLock<Arc<BTreeMap<RoomId, Arc<ShowView>>>>,
    /// Each room's show as the pool keeps it (its window and openings), for the post-show review.
    pub show_records: RwLock<Arc<BTreeMap<RoomId, Arc<Show>>>>,
    pub series: RwLock<Arc<Series>>,
    /// The open (unacknowledged) alerts, newest first, at most [`SNAPSHOT_ALERTS_MAX`].
    pub open_alerts: RwLock<Arc<Vec<Alert>>>,
    /// Every alert, newest first; replaced only when an alert fires or is acknowledged.
    pub alerts: RwLock<Arc<Vec<Alert>>>,
    /// Each SKU's audit trail, oldest first (so in journal order, for paging by seq).
    movements: DashMap<SkuCode, Vec<MovementRecord>>,
    /// How many of the pool's movements are published.
    movements_published: AtomicU64,
    /// Every order the pool remembers, as of the last committed batch; shared, so a reader
    /// that needs many (the review) copies pointers, not orders.
    pub orders: DashMap<OrderKey, Arc<Order>>,
    /// Each SKU's ledger buckets, for the daily report; a batch copies the one bucket it touched.
    ledger: DashMap<SkuCode, Buckets>,
    /// Alerts as they fire or are acknowledged, for the screens at once.
    pub alert_tx: broadcast::Sender<Alert>,
    pub changes: Mutex<Changes>,
    /// Woken whenever `changes` gains something, so the screens' feed can send a diff at once
    /// after a quiet tick instead of waiting for the next one.
    pub changed: tokio::sync::Notify,
    /// `(started_ms, ended_ms)` of the show once it has ended, for the task that files its daily
    /// reports (`web::api::reports::archive`).
    pub ended_show: watch::Sender<Option<(i64, i64)>>,
    /// Whether the engine takes writes; a watch so the server can wait for a failure.
    pub writes: watch::Sender<WriteState>,
    /// Whether this node writes: `false` while it follows its shop's stream.
    pub leads: watch::Sender<bool>,
}

impl Published {
    pub fn new(pool: &Pool, now_ms: i64) -> Self {
        let views = DashMap::new();
        for sku in pool.skus() {
            views.insert(sku.code.clone(), sku.view(now_ms));
        }
        let orders = DashMap::new();
        for order in pool.orders_shared() {
            orders.insert(order.key.clone(), Arc::clone(order));
        }
        let ledger = DashMap::new();
        for (code, buckets) in pool.ledger().skus() {
            ledger.insert(code.clone(), buckets.clone());
        }
        let published = Published {
            views,
            seq: AtomicU64::new(pool.seq()),
            show: RwLock::new(Arc::new(pool.show_view())),
            rooms: RwLock::new(Arc::new(room_views(pool))),
            show_records: RwLock::new(Arc::new(show_records(pool))),
            series: RwLock::new(Arc::new(Series::new())),
            open_alerts: RwLock::new(Arc::new(Vec::new())),
            alerts: RwLock::new(Arc::new(Vec::new())),
            movements: DashMap::new(),
            movements_published: AtomicU64::new(0),
            orders,
            ledger,
            alert_tx: broadcast::channel(ALERT_QUEUE_MAX).0,
            changes: Mutex::new(Changes::default()),
            changed: tokio::sync::Notify::new(),
            ended_show: watch::channel(ended_span(pool)).0,
            writes: watch::channel(WriteState::Ok).0,
            leads: watch::channel(true).0,
        };
        published.publish_alerts(pool);
        published.publish_movements(pool);
        published
    }

    pub fn seq(&self) -> u64 {
        self.seq.load(Ordering::Acquire)
    }

    pub fn set_seq(&self, seq: u64) {
        self.seq.store(seq, Ordering::Release);
    }

    /// Replaces the alert lists (after an alert fired or was acknowledged).
    pub fn publish_alerts(&self, pool: &Pool) {
        let all: Vec<Alert> = pool.alerts().alerts.iter().rev().cloned().collect();
        let open: Vec<Alert> = all
            .iter()
            .filter(|a| a.acked_by.is_none())
            .take(SNAPSHOT_ALERTS_MAX)
            .cloned()
            .collect();
        *self.alerts.write().expect("alerts lock") = Arc::new(all);
        *self.open_alerts.write().expect("alerts lock") = Arc::new(open);
    }

    /// Appends the pool's movements recorded since the last call to their SKUs' trails.
    pub fn publish_movements(&self, pool: &Pool) {
        let done = self.movements_published.load(Ordering::Relaxed) as usize;
        let all = pool.movements();
        for record in all.iter().skip(done) {
            self.movements
                .entry(record.sku.clone())
                .or_default()
                .push(record.clone());
        }
        self.movements_published
            .store(all.len() as u64, Ordering::Relaxed);
    }

    /// Copies the current state of `keys` from the pool (and forgets the ones it no longer has).
    pub fn publish_orders<'a>(&self, pool: &Pool, keys: impl Iterator<Item = &'a OrderKey>) {
        for key in keys {
            match pool.order_shared(key) {
                Some(order) => {
                    self.orders.insert(key.clone(), Arc::clone(order));
                }
                None => {
                    self.orders.remove(key);
                }
            }
        }
    }

    /// Replaces the published show records when one of the pool's differs.
    pub fn publish_show_records(&self, pool: &Pool) {
        let old = self.show_records.read().expect("show lock").clone();
        let same = old.len() == pool.rooms().filter(|r| r.show.is_some()).count()
            && pool.rooms().all(|r| match &r.show {
                Some(show) => old.get(&r.id).is_some_and(|o| **o == *show),
                None => true,
            });
        if !same {
            *self.show_records.write().expect("show lock") = Arc::new(show_records(pool));
        }
    }

    /// Publishes every room's show view; returns the rooms whose view changed.
    pub fn publish_rooms(&self, pool: &Pool) -> Vec<RoomId> {
        let old = self.rooms.read().expect("rooms lock").clone();
        let mut changed = Vec::new();
        let mut next = BTreeMap::new();
        for room in pool.rooms() {
            let view = pool.room_view(&room.id);
            let kept = old.get(&room.id).filter(|o| ***o == view).cloned();
            let view = kept.unwrap_or_else(|| {
                changed.push(room.id.clone());
                Arc::new(view)
            });
            if room.id.is_main() && changed.last() == Some(&room.id) {
                *self.show.write().expect("show lock") = view.clone();
            }
            next.insert(room.id.clone(), view);
        }
        if !changed.is_empty() {
            *self.rooms.write().expect("rooms lock") = Arc::new(next);
        }
        changed
    }

    /// The orders placed or paid within `window` (see `checks::review::in_window`).
    pub fn orders_in(&self, window: (i64, i64)) -> Vec<Arc<Order>> {
        self.orders
            .iter()
            .filter(|o| in_window(o.value(), window))
            .map(|o| o.value().clone())
            .collect()
    }

    /// Tells the watchers when the show has ended (or a new one replaced it).
    pub fn publish_ended_show(&self, pool: &Pool) {
        let span = ended_span(pool);
        self.ended_show.send_if_modified(|old| {
            let changed = *old != span;
            *old = span;
            changed
        });
    }

    /// Copies the ledger bucket of `now_ms` for the SKUs a batch applied at `now_ms` changed (a
    /// batch has one time, so it touches no other bucket).
    pub fn publish_ledger<'a>(
        &self,
        pool: &Pool,
        changed: impl Iterator<Item = &'a SkuCode>,
        now_ms: i64,
    ) {
        let bucket = bucket_of(now_ms);
        for code in changed {
            if let Some(counters) = pool.ledger().bucket(code, bucket) {
                match self.ledger.get_mut(code) {
                    Some(mut buckets) => {
                        if !buckets.contains_key(&bucket) {
                            fold_old(&mut buckets, bucket);
                        }
                        buckets.insert(bucket, counters);
                    }
                    None => {
                        self.ledger
                            .insert(code.clone(), Buckets::from([(bucket, counters)]));
                    }
                }
            }
        }
    }

    /// The daily report of `[from_ms, to_ms)` from the published ledger, in SKU code order.
    pub fn daily(&self, from_ms: i64, to_ms: i64) -> Vec<DailyRow> {
        let mut rows: Vec<DailyRow> = self
            .ledger
            .iter()
            .filter_map(|e| daily_row(e.key(), e.value(), from_ms, to_ms))
            .collect();
        rows.sort_unstable_by(|a, b| a.sku.cmp(&b.sku));
        rows
    }

    /// One page of a SKU's trail after `after_seq`; `None` when the SKU is unknown.
    pub fn movements(
        &self,
        code: &SkuCode,
        after_seq: u64,
        limit: usize,
    ) -> Option<Vec<MovementRecord>> {
        if !self.views.contains_key(code) {
            return None;
        }
        let Some(trail) = self.movements.get(code) else {
            return Some(Vec::new());
        };
        let from = trail.partition_point(|m| m.seq <= after_seq);
        let limit = limit.min(MOVEMENTS_PAGE_MAX);
        Some(trail[from..].iter().take(limit).cloned().collect())
    }

    /// Every SKU's records made in `[from_ms, to_ms)` after journal seq `after_seq`, in journal
    /// order, about `limit` (capped at [`MOVEMENTS_RANGE_MAX`]); and whether more may be left. A
    /// page never splits the records of one seq (an import moves many SKUs at one seq), so the
    /// next page can start after the last seq of this one; a seq with more records than `limit`
    /// comes whole. Each trail is scanned whole: the writer's clock may step back, so `at_ms`
    /// need not follow `seq`.
    pub fn movements_between(
        &self,
        from_ms: i64,
        to_ms: i64,
        after_seq: u64,
        limit: usize,
    ) -> (Vec<MovementRecord>, bool) {
        let limit = limit.clamp(1, MOVEMENTS_RANGE_MAX);
        let mut found: Vec<MovementRecord> = Vec::new();
        for trail in self.movements.iter() {
            let from = trail.partition_point(|m| m.seq <= after_seq);
            found.extend(
                trail[from..]
                    .iter()
                    .filter(|m| (from_ms..to_ms).contains(&m.at_ms))
                    .take(limit + 1)
                    .cloned(),
            );
            // Keep the earliest `limit + 1` (and their seq's others), so memory stays bounded.
            if found.len() > 2 * (limit + 1) {
                earliest(&mut found, limit + 1);
            }
        }
        earliest(&mut found, limit + 1);
        if found.len() <= limit {
            return (found, false);
        }
        let first_left = found[limit].seq;
        let cut = found.partition_point(|m| m.seq < first_left);
        let keep = if cut > 0 {
            cut
        } else {
            found.partition_point(|m| m.seq <= first_left)
        };
        found.truncate(keep);
        (found, true)
    }
}

/// Sorts `records` into journal order and keeps the first `n` and any others of the `n`th's seq.
fn earliest(records: &mut Vec<MovementRecord>, n: usize) {
    records.sort_unstable_by(|a, b| (a.seq, &a.sku).cmp(&(b.seq, &b.sku)));
    if records.len() > n {
        let last = records[n - 1].seq;
        let end = records.partition_point(|m| m.seq <= last);
        records.truncate(end);
    }
}

/// `(started_ms, ended_ms)` of an ended show.
/// Every room's show view.
fn room_views(pool: &Pool) -> BTreeMap<RoomId, Arc<ShowView>> {
    pool.rooms()
        .map(|r| (r.id.clone(), Arc::new(pool.room_view(&r.id))))
        .collect()
}

/// Every room's show as the pool keeps it.
fn show_records(pool: &Pool) -> BTreeMap<RoomId, Arc<Show>> {
    pool.rooms()
        .filter_map(|r| Some((r.id.clone(), Arc::new(r.show.clone()?))))
        .collect()
}

/// The span of the night once its last room has ended: from the first start to the last end of
/// the shows that ended (none while a room is still live).
fn ended_span(pool: &Pool) -> Option<(i64, i64)> {
    if pool.rooms().any(|r| r.is_live()) {
        return None;
    }
    let ended: Vec<_> = pool
        .rooms()
        .filter_map(|r| r.show.as_ref())
        .filter(|s| s.state == ShowState::Ended)
        .filter_map(|s| Some((s.started_ms?, s.ended_ms?)))
        .collect();
    let last = ended.iter().map(|(_, to)| *to).max()?;
    // The shows of that night: those that ended after the latest one began.
    let began = ended
        .iter()
        .filter(|(_, to)| *to == last)
        .map(|(from, _)| *from)
        .min()?;
    let from = ended
        .iter()
        .filter(|(_, to)| *to >= began)
        .map(|(from, _)| *from)
        .min()?;
    Some((from, last))
}
