//! The central stock pool: the state one writer owns, its accessors, the dispatch of every
//! [`Command`] to the code that decides it, and snapshots. The deciding itself lives with each
//! concern: `stock::commands`, `order::*`, `show::commands`.

use super::alerts::book::AlertBook;
use super::command::{Command, Ctx, Effect, Outcome, Refusal, RefusalCode};
use super::order::map::OrderMap;
use super::order::record::{Order, OrderKey, OrderState};
use super::order::retention::ORDER_RETENTION_MS_DEFAULT;
use super::order::take::count_buyer_units;
use super::reports::Ledger;
use super::show::room::{Room, Rooms, initial_rooms};
use super::show::{SLOT_MINUTES_DEFAULT, Show, ShowView};
use super::stock::movement::MovementRecord;
use super::stock::{Sku, Skus};
use super::types::{RoomId, SkuCode};
use super::views;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The hasher of the pool's maps: foldhash, fast on short string keys. The keys come from
/// channels but a flood of colliding ids would need the per-process seed, which it has.
pub(super) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Default life of an unpaid hold (SPEC A4: 15 minutes).
pub const HOLD_TTL_MS_DEFAULT: i64 = 15 * 60_000;

/// The pool's settings that are not journaled commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    pub hold_ttl_ms: i64,
    /// How long a closed order is remembered (see `order::retention`).
    pub order_retention_ms: i64,
    /// A lineup product's slot when the run of show does not give its length (see
    /// `Show::slot_minutes`).
    pub slot_minutes_default: i64,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            hold_ttl_ms: HOLD_TTL_MS_DEFAULT,
            order_retention_ms: ORDER_RETENTION_MS_DEFAULT,
            slot_minutes_default: SLOT_MINUTES_DEFAULT,
        }
    }
}

/// The central stock pool: every SKU, every order and every judgement, owned by one writer.
#[derive(Clone, Debug)]
pub struct Pool {
    pub(super) config: PoolConfig,
    /// The last journal sequence number applied.
    pub(super) seq: u64,
    pub(super) skus: Skus,
    /// Shared with the readers' copy (`engine::published`): an order changed while they hold it
    /// is copied first (`Arc::make_mut`), so the two hold one copy of every unchanged order.
    pub(super) orders: OrderMap,
    pub(super) movements: Vec<MovementRecord>,
    /// Derived from `orders`: units per (buyer, SKU) in live orders, for per-buyer limits: only
    /// of the SKUs in `limited`, which are exactly those with a limit (most SKUs of a flash sale
    /// have none, and an entry per order and SKU was most of an order's memory beside it).
    pub(super) buyer_units: FastMap<(compact_str::CompactString, SkuCode), i64>,
    /// The SKUs `buyer_units` counts: every SKU with a per-buyer limit, kept so by
    /// [`Pool::index_limited_buyers`] after each command that may set or lift one.
    pub(super) limited: BTreeSet<SkuCode>,
    /// Derived from `orders`: `(expires_ms, order)` for every hold.
    pub(super) expiries: BTreeSet<(i64, OrderKey)>,
    /// Derived from `orders`: `(closed_ms, order)` for every closed order, oldest first.
    pub(super) closing: BTreeSet<(i64, OrderKey)>,
    /// Every live room with its show planned, live or last ended; `main` is always there.
    pub(super) rooms: Rooms,
    pub(super) alerts: AlertBook,
    /// What moved each SKU's stock, by quarter hour, for the daily report.
    pub(super) ledger: Ledger,
}

/// The whole pool as written to a snapshot; the derived indexes are rebuilt on load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub seq: u64,
    pub skus: Vec<Sku>,
    pub orders: Vec<Order>,
    pub movements: Vec<MovementRecord>,
    /// The one show of a snapshot written before rooms: it becomes room `main`'s.
    #[serde(default, skip_serializing)]
    pub show: Option<Show>,
    /// Every room and its show; absent from a snapshot written before rooms.
    #[serde(default)]
    pub rooms: Vec<Room>,
    #[serde(default)]
    pub alerts: AlertBook,
    /// Absent from a snapshot older than the ledger: each SKU's on hand then becomes its initial
    /// stock (see [`Pool::from_snapshot`]).
    #[serde(default)]
    pub ledger: Ledger,
}

impl Default for Pool {
    fn default() -> Self {
        Pool {
            config: PoolConfig::default(),
            seq: 0,
            skus: Skus::default(),
            orders: OrderMap::default(),
            movements: Vec::new(),
            buyer_units: FastMap::default(),
            limited: BTreeSet::new(),
            expiries: BTreeSet::new(),
            closing: BTreeSet::new(),
            rooms: initial_rooms(),
            alerts: AlertBook::default(),
            ledger: Ledger::default(),
        }
    }
}

impl Pool {
    pub fn new(config: PoolConfig) -> Self {
        Pool {
            config,
            ..Pool::default()
        }
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn config(&self) -> PoolConfig {
        self.config
    }

    pub fn sku(&self, code: &SkuCode) -> Option<&Sku> {
        self.skus.get(code)
    }

    pub fn skus(&self) -> impl Iterator<Item = &Sku> {
        self.skus.values()
    }

    pub fn order(&self, key: &OrderKey) -> Option<&Order> {
        self.orders.get(key).map(|o| &**o)
    }

    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values().map(|o| &**o)
    }

    /// An order as the pool holds it, to share rather than copy.
    pub fn order_shared(&self, key: &OrderKey) -> Option<&Arc<Order>> {
        self.orders.get(key)
    }

    /// Every order as the pool holds it, to share rather than copy.
    pub fn orders_shared(&self) -> impl Iterator<Item = &Arc<Order>> {
        self.orders.values()
    }

    pub fn movements(&self) -> &[MovementRecord] {
        &self.movements
    }

    /// The show of room `main`: the one a one-room shop has.
    pub fn show(&self) -> Option<&Show> {
        self.rooms
            .get(&RoomId::main())
            .and_then(|r| r.show.as_ref())
    }

    pub fn room(&self, id: &RoomId) -> Option<&Room> {
        self.rooms.get(id)
    }

    /// Every room, by id.
    pub fn rooms(&self) -> impl Iterator<Item = &Room> {
        self.rooms.values()
    }

    pub fn alerts(&self) -> &AlertBook {
        &self.alerts
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// What the screens see of room `main`'s show.
    pub fn show_view(&self) -> ShowView {
        self.room_view(&RoomId::main())
    }

    /// What the screens see of a room's show.
    pub fn room_view(&self, id: &RoomId) -> ShowView {
        match self.rooms.get(id) {
            Some(
                room @ Room {
                    show: Some(show), ..
                },
            ) => views::show::show_view(
                room,
                show,
                &self.skus,
                &self.alerts,
                self.config.slot_minutes_default,
            ),
            Some(room) => ShowView::none(room),
            None => ShowView::none(&Room {
                id: id.clone(),
                ..Room::main()
            }),
        }
    }

    /// Applies one command. `Err` means refused: the pool is exactly as before.
    pub fn apply(&mut self, cmd: &Command, ctx: Ctx) -> Result<Effect, Refusal> {
        let effect = match cmd {
            Command::CreateSkus { skus } => self.create_skus(skus, ctx),
            Command::PatchSku { sku, patch } => self.patch_sku(sku, patch),
            Command::Move { sku, movement } => self.move_stock(sku, movement, ctx),
            Command::Order { event } => self.apply_order(event, ctx),
            Command::Expire { orders } => Ok(self.expire(orders)),
            Command::Forget { orders } => Ok(self.forget(orders)),
            Command::CreateRoom { room } => self.create_room(room),
            Command::CreateShow { show, room } => self.create_show(room, show),
            Command::StartShow { room } => self.start_show(room, ctx),
            Command::EndShow { room } => self.end_show(room, ctx),
            Command::SetCurrent { sku, room } => self.set_current(room, sku),
            Command::SetViewers { online, room } => self.set_viewers(room, *online),
            Command::Alerts {
                fired,
                rearmed,
                crossed,
                updated,
            } => {
                self.alerts.apply(fired, rearmed, crossed, updated);
                let mut changed: Vec<SkuCode> =
                    fired.iter().filter_map(|a| a.sku.clone()).collect();
                changed.extend(updated.iter().filter_map(|a| a.sku.clone()));
                changed.sort();
                changed.dedup();
                Ok(Effect {
                    journal: true,
                    outcome: Outcome::Alerts,
                    changed,
                })
            }
            Command::Import { create, update, by } => self.import(create, update, by, ctx),
            Command::AckAlert { id, by } => {
                let alert = self
                    .alerts
                    .ack(id, by.as_str(), ctx.now_ms)
                    .cloned()
                    .ok_or_else(|| {
                        Refusal::new(RefusalCode::NotFound, "", format!("no alert {id}"))
                    })?;
                Ok(Effect {
                    journal: true,
                    outcome: Outcome::Acked(Box::new(alert)),
                    changed: Vec::new(),
                })
            }
        }?;
        if matches!(
            cmd,
            Command::CreateSkus { .. } | Command::PatchSku { .. } | Command::Import { .. }
        ) {
            self.index_limited_buyers();
        }
        if effect.journal {
            self.seq = ctx.seq;
            match cmd {
                Command::Order { event } => self.track_closing(&event.key(), ctx.now_ms),
                Command::Expire { orders } => {
                    for key in orders {
                        self.track_closing(key, ctx.now_ms);
                    }
                }
                _ => {}
            }
        }
        for code in &effect.changed {
            let sku = &self.skus[code];
            assert!(
                sku.invariant_holds(),
                "pool invariant broken by {cmd:?}: {sku:?}"
            );
        }
        Ok(effect)
    }

    /// The pool as a snapshot, in a canonical order (so two equal pools give equal snapshots).
    pub fn snapshot(&self) -> Snapshot {
        let mut orders: Vec<Order> = self.orders().cloned().collect();
        orders.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Snapshot {
            orders,
            ..self.snapshot_without_orders()
        }
    }

    /// Everything of a snapshot but its orders (`orders` is empty), which a binary snapshot
    /// writes apart, straight from [`Pool::orders`].
    pub fn snapshot_without_orders(&self) -> Snapshot {
        Snapshot {
            seq: self.seq,
            skus: self.skus.values().cloned().collect(),
            orders: Vec::new(),
            movements: self.movements.clone(),
            show: None,
            rooms: self.rooms.values().cloned().collect(),
            alerts: self.alerts.clone(),
            ledger: self.ledger.clone(),
        }
    }

    /// How many orders the pool holds.
    pub fn orders_len(&self) -> usize {
        self.orders.len()
    }

    /// Rebuilds a pool from a snapshot, with the derived indexes, checking every invariant.
    pub fn from_snapshot(mut snap: Snapshot, config: PoolConfig) -> Result<Self, String> {
        let orders = std::mem::take(&mut snap.orders);
        let mut restoring = Restoring::new(snap, config, orders.len())?;
        for order in orders {
            restoring.order(order)?;
        }
        Ok(restoring.finish())
    }
}

/// A pool being rebuilt from a snapshot whose orders come one by one (a binary snapshot decodes
/// them a frame at a time): [`Restoring::new`] with everything but the orders, then
/// [`Restoring::order`] for each, then [`Restoring::finish`].
pub struct Restoring {
    pool: Pool,
}

impl Restoring {
    /// Starts from a snapshot's SKUs, movements, rooms, alerts and ledger (its `orders` are
    /// ignored); `orders` is how many will follow, to size the maps once.
    pub fn new(snap: Snapshot, config: PoolConfig, orders: usize) -> Result<Self, String> {
        let mut pool = Pool::new(config);
        pool.seq = snap.seq;
        pool.orders.reserve(orders);
        for sku in snap.skus {
            if !sku.invariant_holds() {
                return Err(format!("SKU {} breaks the pool invariant", sku.code));
            }
            if sku.per_buyer_limit.is_some() {
                pool.limited.insert(sku.code.clone());
            }
            pool.skus.insert(sku.code.clone(), sku);
        }
        pool.movements = snap.movements;
        for room in snap.rooms {
            pool.rooms.insert(room.id.clone(), room);
        }
        if let Some(show) = snap.show {
            let main = pool
                .rooms
                .get_mut(&RoomId::main())
                .expect("main is always there");
            main.show = Some(show);
        }
        for room in pool.rooms.values() {
            let known = |s: &SkuCode| pool.skus.contains_key(s);
            let Some(show) = &room.show else { continue };
            if !show.lineup.iter().all(|i| known(&i.sku)) || !show.current.iter().all(known) {
                return Err(format!("the show of room {} names an unknown SKU", room.id));
            }
        }
        pool.alerts = snap.alerts;
        pool.alerts.reindex();
        pool.ledger = snap.ledger;
        for sku in pool.skus.values() {
            if !pool.ledger.contains(&sku.code) {
                pool.ledger.created(&sku.code, sku.created_ms, sku.on_hand);
            }
        }
        Ok(Restoring { pool })
    }

    /// Adds one order of the snapshot, with its part of the derived indexes.
    pub fn order(&mut self, order: Order) -> Result<(), String> {
        let pool = &mut self.pool;
        if order.lines.iter().any(|l| !pool.skus.contains_key(&l.sku)) {
            return Err(format!("order {:?} names an unknown SKU", order.key));
        }
        if let (Some(OrderState::Held), Some(at)) = (order.state, order.expires_ms) {
            pool.expiries.insert((at, order.key.clone()));
        }
        if let Some(closed) = order.closed_ms {
            pool.closing.insert((closed, order.key.clone()));
        }
        let limited = &pool.limited;
        count_buyer_units(&mut pool.buyer_units, &order, |code| limited.contains(code));
        pool.orders.insert(Arc::new(order));
        Ok(())
    }

    /// The pool rebuilt.
    pub fn finish(self) -> Pool {
        self.pool
    }
}
