//! The pure core: the central stock pool and everything it decides. No I/O, no clock, no transport:
//! `Pool::apply(command, ctx)` takes the time and the journal sequence number from its caller, so the
//! same commands give the same pool on a live server, on replay and in a property test.

pub mod alerts;
pub mod order;
pub mod role;
pub mod series;
pub mod show;
pub mod stock;
pub mod types;

use alerts::{Alert, AlertBook, AlertKey};
use order::{
    Answer, Judgement, Kind, Line, Order, OrderEvent, OrderKey, OrderState, Reason, Rejection,
};
use serde::{Deserialize, Serialize};
use show::{NewShow, Show, ShowState, ShowView};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use stock::{Movement, MovementKind, MovementRecord, NewSku, Sku, SkuPatch};
use types::{Cents, STOCK_UNITS_MAX, SkuCode};

/// Default life of an unpaid hold (SPEC A4: 15 minutes).
pub const HOLD_TTL_MS_DEFAULT: i64 = 15 * 60_000;
/// The most holds one `Expire` command releases; the rest wait for the next tick.
pub const EXPIRE_ORDERS_MAX: usize = 10_000;

/// A change to the pool. Commands are what the journal records: replaying them in order, each with
/// the [`Ctx`] it first had, rebuilds the pool exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Create SKUs, all or none.
    CreateSkus {
        skus: Vec<NewSku>,
    },
    /// Change catalog fields of one SKU.
    PatchSku {
        sku: SkuCode,
        patch: SkuPatch,
    },
    /// A warehouse movement on one SKU.
    Move {
        sku: SkuCode,
        movement: Movement,
    },
    /// One order event from a channel.
    Order {
        event: OrderEvent,
    },
    /// Holds whose time ran out, as found by the writer's clock.
    Expire {
        orders: Vec<OrderKey>,
    },
    /// Plan a show (replacing a planned or ended one).
    CreateShow {
        show: NewShow,
    },
    /// Go live: each lineup SKU's base is fixed at its available units.
    StartShow,
    EndShow,
    /// The product on air.
    SetCurrent {
        sku: SkuCode,
    },
    /// Online viewers, as pushed by the stream controller.
    SetViewers {
        online: i64,
    },
    /// Warnings the engine fired and lines it re-armed, as decided by `alerts::evaluate`.
    Alerts {
        fired: Vec<Alert>,
        rearmed: Vec<AlertKey>,
    },
    /// Someone acknowledged a warning.
    AckAlert {
        id: String,
        by: types::Ident,
    },
}

/// What the caller tells the pool about the moment of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ctx {
    /// The journal sequence number this command gets if it is recorded.
    pub seq: u64,
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

/// Why a command was refused without being judged: nothing changed and nothing is remembered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: RefusalCode,
    /// The element of an array at fault, when the command carried several.
    pub item: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalCode {
    Invalid,
    Conflict,
    NotFound,
}

impl Refusal {
    fn new(code: RefusalCode, field: &str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            item: None,
            field: (!field.is_empty()).then(|| field.to_owned()),
            message: message.into(),
        }
    }

    fn at(mut self, item: usize) -> Self {
        self.item = Some(item);
        self
    }
}

/// What an accepted (or judged) command did.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// Whether the command must be journaled: false only for retries answered from memory.
    pub journal: bool,
    pub outcome: Outcome,
    /// The SKUs whose views changed.
    pub changed: Vec<SkuCode>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Created,
    Patched,
    Moved(Box<MovementRecord>),
    Order(Answer),
    Expired(usize),
    Show,
    Alerts,
    Acked(Box<Alert>),
}

/// The pool's settings that are not journaled commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    pub hold_ttl_ms: i64,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            hold_ttl_ms: HOLD_TTL_MS_DEFAULT,
        }
    }
}

/// Which bucket an order's units sit in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Held,
    Committed,
}

/// The central stock pool: every SKU, every order and every judgement, owned by one writer.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    config: PoolConfig,
    /// The last journal sequence number applied.
    seq: u64,
    skus: BTreeMap<SkuCode, Sku>,
    orders: HashMap<OrderKey, Order>,
    movements: Vec<MovementRecord>,
    /// Derived from `orders`: units per (buyer, SKU) in live orders, for per-buyer limits.
    buyer_units: HashMap<(String, SkuCode), i64>,
    /// Derived from `orders`: `(expires_ms, order)` for every hold.
    expiries: BTreeSet<(i64, OrderKey)>,
    /// The show planned, live or last ended.
    show: Option<Show>,
    alerts: AlertBook,
}

/// The whole pool as written to a snapshot; the derived indexes are rebuilt on load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub seq: u64,
    pub skus: Vec<Sku>,
    pub orders: Vec<Order>,
    pub movements: Vec<MovementRecord>,
    #[serde(default)]
    pub show: Option<Show>,
    #[serde(default)]
    pub alerts: AlertBook,
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

    pub fn sku(&self, code: &SkuCode) -> Option<&Sku> {
        self.skus.get(code)
    }

    pub fn skus(&self) -> impl Iterator<Item = &Sku> {
        self.skus.values()
    }

    pub fn order(&self, key: &OrderKey) -> Option<&Order> {
        self.orders.get(key)
    }

    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values()
    }

    pub fn movements(&self) -> &[MovementRecord] {
        &self.movements
    }

    pub fn show(&self) -> Option<&Show> {
        self.show.as_ref()
    }

    pub fn alerts(&self) -> &AlertBook {
        &self.alerts
    }

    /// What the screens see of the show.
    pub fn show_view(&self) -> ShowView {
        match &self.show {
            Some(show) => show.view(&self.skus, &self.alerts),
            None => ShowView::none(),
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
            Command::CreateShow { show } => self.create_show(show),
            Command::StartShow => self.start_show(ctx),
            Command::EndShow => self.end_show(ctx),
            Command::SetCurrent { sku } => self.set_current(sku),
            Command::SetViewers { online } => self.set_viewers(*online),
            Command::Alerts { fired, rearmed } => {
                self.alerts.apply(fired, rearmed);
                let changed = fired.iter().filter_map(|a| a.sku.clone()).collect();
                Ok(Effect {
                    journal: true,
                    outcome: Outcome::Alerts,
                    changed,
                })
            }
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
        if effect.journal {
            self.seq = ctx.seq;
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

    /// The holds whose time has run out at `now_ms`, oldest first, at most [`EXPIRE_ORDERS_MAX`].
    pub fn due_holds(&self, now_ms: i64) -> Vec<OrderKey> {
        self.expiries
            .iter()
            .take_while(|(at, _)| *at <= now_ms)
            .take(EXPIRE_ORDERS_MAX)
            .map(|(_, key)| key.clone())
            .collect()
    }

    fn create_skus(&mut self, skus: &[NewSku], ctx: Ctx) -> Result<Effect, Refusal> {
        let mut seen = BTreeSet::new();
        for (i, new) in skus.iter().enumerate() {
            if self.skus.contains_key(&new.sku) || !seen.insert(&new.sku) {
                let msg = format!("SKU {} already exists", new.sku);
                return Err(Refusal::new(RefusalCode::Conflict, "sku", msg).at(i));
            }
            if new.damaged.get() + new.buffer.get() > new.on_hand.get() {
                let msg = "damaged plus buffer cannot exceed on_hand";
                return Err(Refusal::new(RefusalCode::Invalid, "buffer", msg).at(i));
            }
        }
        let changed = skus.iter().map(|n| n.sku.clone()).collect();
        for new in skus {
            let mut sku = Sku::new(new);
            sku.created_ms = ctx.now_ms;
            self.skus.insert(new.sku.clone(), sku);
        }
        Ok(Effect {
            journal: true,
            outcome: Outcome::Created,
            changed,
        })
    }

    fn patch_sku(&mut self, code: &SkuCode, patch: &SkuPatch) -> Result<Effect, Refusal> {
        let sku = self.skus.get(code).ok_or_else(|| unknown_sku(code))?;
        let mut next = sku.clone();
        if let Some(v) = &patch.name {
            next.name = v.clone();
        }
        if let Some(v) = &patch.category {
            next.category = v.clone();
        }
        if let Some(v) = patch.price_cents {
            next.price_cents = v.get();
        }
        if let Some(v) = patch.buffer {
            next.buffer = v.get();
        }
        if let Some(v) = patch.per_buyer_limit {
            next.per_buyer_limit = v.map(|l| l.get());
        }
        if let Some(v) = patch.presale_cap {
            next.presale_cap = v.get();
        }
        if next.available() < 0 {
            let msg = format!(
                "a buffer of {} would leave less than nothing to sell ({} available now)",
                next.buffer,
                sku.available()
            );
            return Err(Refusal::new(RefusalCode::Conflict, "buffer", msg));
        }
        if next.presale_available() < 0 {
            let msg = format!(
                "{} presale units are already ordered",
                sku.presale_held + sku.presale_sold
            );
            return Err(Refusal::new(RefusalCode::Conflict, "presale_cap", msg));
        }
        self.skus.insert(code.clone(), next);
        Ok(Effect {
            journal: true,
            outcome: Outcome::Patched,
            changed: vec![code.clone()],
        })
    }

    fn move_stock(&mut self, code: &SkuCode, m: &Movement, ctx: Ctx) -> Result<Effect, Refusal> {
        m.check()
            .map_err(|(field, msg)| Refusal::new(RefusalCode::Invalid, field, msg))?;
        let sku = self.skus.get(code).ok_or_else(|| unknown_sku(code))?;
        let mut next = sku.clone();
        let (mut book, mut counted) = (None, None);
        let delta = match m.kind {
            MovementKind::Receive | MovementKind::Adjust => {
                next.on_hand += m.qty;
                m.qty
            }
            MovementKind::Damage => {
                next.damaged += m.qty;
                m.qty
            }
            MovementKind::Undamage => {
                next.damaged -= m.qty;
                -m.qty
            }
            MovementKind::Count => {
                book = Some(sku.on_hand);
                counted = Some(m.qty);
                next.on_hand = m.qty;
                m.qty - sku.on_hand
            }
        };
        if m.kind == MovementKind::Receive {
            next.base += m.qty;
        }
        if next.on_hand > STOCK_UNITS_MAX {
            let msg = format!("on_hand would pass {STOCK_UNITS_MAX}");
            return Err(Refusal::new(RefusalCode::Invalid, "qty", msg));
        }
        if next.damaged < 0 {
            let msg = format!("only {} units are marked damaged", sku.damaged);
            return Err(Refusal::new(RefusalCode::Conflict, "qty", msg));
        }
        if next.available() < 0 {
            let msg = format!(
                "this would leave less than nothing to sell: {} on hand, {} damaged, {} buffer, {} held, {} committed",
                next.on_hand, next.damaged, next.buffer, next.held, next.committed
            );
            return Err(Refusal::new(RefusalCode::Conflict, "qty", msg));
        }
        let record = MovementRecord {
            seq: ctx.seq,
            at_ms: ctx.now_ms,
            sku: code.clone(),
            kind: m.kind,
            delta,
            book,
            counted,
            reason: m.reason.clone(),
            by: m.by.clone(),
            verified_by: m.verified_by.clone(),
            zone: m.zone.clone(),
            batch: m.batch.clone(),
        };
        self.skus.insert(code.clone(), next);
        self.movements.push(record.clone());
        Ok(Effect {
            journal: true,
            outcome: Outcome::Moved(Box::new(record)),
            changed: vec![code.clone()],
        })
    }

    fn apply_order(&mut self, ev: &OrderEvent, ctx: Ctx) -> Result<Effect, Refusal> {
        let key = OrderKey {
            channel: ev.channel.as_str().to_owned(),
            order_id: ev.order_id.as_str().to_owned(),
        };
        if let Some(j) = self
            .orders
            .get(&key)
            .and_then(|o| o.judged[ev.kind.index()].as_ref())
        {
            let answer = match &j.rejection {
                None => Answer::Duplicate { seq: j.seq },
                Some(r) => Answer::Rejected {
                    seq: j.seq,
                    rejection: (**r).clone(),
                },
            };
            return Ok(Effect {
                journal: false,
                outcome: Outcome::Order(answer),
                changed: Vec::new(),
            });
        }
        ev.check()
            .map_err(|(field, msg)| Refusal::new(RefusalCode::Invalid, &field, msg))?;
        for (i, line) in ev.lines.iter().enumerate() {
            if !self.skus.contains_key(&line.sku) {
                let field = format!("lines[{i}].sku");
                return Err(Refusal::new(
                    RefusalCode::Invalid,
                    &field,
                    format!("unknown SKU {}", line.sku),
                ));
            }
        }
        let state = self.orders.get(&key).and_then(|o| o.state);
        // A shipment or refund for an order never seen is refused (API.md: 409) but neither
        // journaled nor remembered: it is the order that is missing, not the event that is wrong,
        // so the channel's retry once the order is in is judged afresh. A mistyped order id keeps
        // being refused.
        if state.is_none() && matches!(ev.kind, Kind::Shipped | Kind::Refunded) {
            return Ok(Effect {
                journal: false,
                outcome: Outcome::Order(Answer::Rejected {
                    seq: self.seq(),
                    rejection: invalid_transition(ev.kind, None),
                }),
                changed: Vec::new(),
            });
        }
        if state.is_none() && ev.kind == Kind::Paid && ev.lines.is_empty() {
            let msg = "a paid event for an order not seen before needs its lines";
            return Err(Refusal::new(RefusalCode::Invalid, "lines", msg));
        }
        let decision = self.decide(&key, state, ev, ctx);
        let mut changed = Vec::new();
        let rejection = match decision {
            Ok(changes) => {
                changed = changes;
                None
            }
            Err(r) => Some(Box::new(r)),
        };
        let order = self
            .orders
            .entry(key.clone())
            .or_insert_with(|| Order::new(key));
        order.judged[ev.kind.index()] = Some(Judgement {
            seq: ctx.seq,
            rejection: rejection.clone(),
        });
        let answer = match rejection {
            None => Answer::Accepted { seq: ctx.seq },
            Some(r) => Answer::Rejected {
                seq: ctx.seq,
                rejection: *r,
            },
        };
        Ok(Effect {
            journal: true,
            outcome: Outcome::Order(answer),
            changed,
        })
    }

    /// Decides one order event and, when it is accepted, carries it out. Every check comes before
    /// the first change, so a rejection leaves the pool as it was. Returns the SKUs changed.
    fn decide(
        &mut self,
        key: &OrderKey,
        state: Option<OrderState>,
        ev: &OrderEvent,
        ctx: Ctx,
    ) -> Result<Vec<SkuCode>, Rejection> {
        use OrderState as S;
        let now = ctx.now_ms;
        match (ev.kind, state) {
            // A first sight of the order: hold, or create and pay at once.
            (Kind::Created, None) | (Kind::Paid, None) => {
                let bucket = if ev.kind == Kind::Paid {
                    Bucket::Committed
                } else {
                    Bucket::Held
                };
                let units = Order::units_by_sku(&ev.lines);
                let buyer = ev.buyer.as_ref().map(|b| b.as_str());
                self.check_take(&units, ev.presale, buyer)?;
                // The price is fixed when the order is placed: a refund must take back what the sale
                // counted, even if the catalog price changed in between.
                let lines = ev
                    .lines
                    .iter()
                    .map(|line| Line {
                        unit_price_cents: line
                            .unit_price_cents
                            .or_else(|| Cents::new(self.skus[&line.sku].price_cents).ok()),
                        ..line.clone()
                    })
                    .collect();
                let order = self
                    .orders
                    .entry(key.clone())
                    .or_insert_with(|| Order::new(key.clone()));
                order.buyer = ev.buyer.clone();
                order.address = ev.address.clone();
                order.lines = lines;
                order.presale = ev.presale;
                order.created_ms = Some(now);
                self.take(key, &units, bucket, now);
                let mut changed = units.into_iter().map(|(s, _)| s).collect();
                if bucket == Bucket::Committed {
                    self.record_sale(key, now, 1);
                    merge(&mut changed, self.apply_parked(key, now));
                }
                Ok(changed)
            }
            // A late `created` after the order moved on, or a cancel that overtook its order: nothing
            // to hold or release. Remember the order as cancelled so a late `created` holds nothing.
            (Kind::Created, Some(_)) | (Kind::Cancelled, Some(S::Cancelled | S::Expired)) => {
                if ev.kind == Kind::Cancelled {
                    self.set_state(key, S::Cancelled);
                }
                Ok(Vec::new())
            }
            (Kind::Cancelled, None) => {
                let order = self
                    .orders
                    .entry(key.clone())
                    .or_insert_with(|| Order::new(key.clone()));
                order.state = Some(S::Cancelled);
                order.buyer = ev.buyer.clone();
                Ok(Vec::new())
            }
            (Kind::Paid, Some(S::Held)) => {
                let mut changed = self.release(key, Bucket::Held);
                let units = Order::units_by_sku(&self.orders[key].lines);
                self.take(key, &units, Bucket::Committed, now);
                self.record_sale(key, now, 1);
                merge(&mut changed, self.apply_parked(key, now));
                Ok(changed)
            }
            // Payment after the hold ran out: take the stock again if it is still there.
            (Kind::Paid, Some(S::Expired)) => {
                let order = &self.orders[key];
                let units = Order::units_by_sku(&order.lines);
                let buyer = order.buyer.as_ref().map(|b| b.as_str().to_owned());
                self.check_take(&units, order.presale, buyer.as_deref())?;
                self.take(key, &units, Bucket::Committed, now);
                self.record_sale(key, now, 1);
                let mut changed = units.into_iter().map(|(s, _)| s).collect();
                merge(&mut changed, self.apply_parked(key, now));
                Ok(changed)
            }
            (Kind::Cancelled, Some(S::Held)) => {
                let changed = self.release(key, Bucket::Held);
                self.set_state(key, S::Cancelled);
                Ok(changed)
            }
            (Kind::Refunded, Some(S::Paid | S::Shipped)) => Ok(self.refund(key, now)),
            (Kind::Shipped, Some(S::Paid)) => Ok(self.ship(key)),
            // A shipment or a refund that overtook the payment of an order the pool holds (SPEC
            // A4: any order): accepted and parked on the order, changing no stock; the payment
            // carries it out. (For an order never seen, see `apply_order`.)
            (Kind::Shipped | Kind::Refunded, Some(S::Held | S::Expired)) => {
                self.orders
                    .get_mut(key)
                    .expect("a state implies the order")
                    .parked
                    .push(ev.kind);
                Ok(Vec::new())
            }
            (kind, state) => Err(invalid_transition(kind, state)),
        }
    }

    /// Ships a paid order: its committed units leave on_hand. Returns the SKUs changed.
    fn ship(&mut self, key: &OrderKey) -> Vec<SkuCode> {
        let order = &self.orders[key];
        debug_assert_eq!(order.state, Some(OrderState::Paid));
        let presale = order.presale;
        let units = Order::units_by_sku(&order.lines);
        if !presale {
            for (code, qty) in &units {
                let sku = self
                    .skus
                    .get_mut(code)
                    .expect("order lines name known SKUs");
                sku.committed -= qty;
                sku.on_hand -= qty;
            }
        }
        self.set_state(key, OrderState::Shipped);
        units.into_iter().map(|(s, _)| s).collect()
    }

    /// Refunds a paid order: unshipped, its units go back to available; shipped, it is a return (the
    /// money goes back, the goods are not here yet). Returns the SKUs changed.
    fn refund(&mut self, key: &OrderKey, now_ms: i64) -> Vec<SkuCode> {
        match self.orders[key].state {
            Some(OrderState::Paid) => {
                let changed = self.release(key, Bucket::Committed);
                self.record_sale(key, now_ms, -1);
                self.set_state(key, OrderState::Refunded);
                changed
            }
            Some(OrderState::Shipped) => {
                self.release_buyer_units(key);
                let changed = self.record_sale(key, now_ms, -1);
                self.set_state(key, OrderState::Returned);
                changed
            }
            state => unreachable!("refunding an order that is {state:?}"),
        }
    }

    /// Carries out the events parked on an order that has just been paid, in the lifecycle's order
    /// whatever their arrival order: shipped first, then refunded (a return if shipped). The books end
    /// as if they had come after the payment. Returns the SKUs changed.
    fn apply_parked(&mut self, key: &OrderKey, now_ms: i64) -> Vec<SkuCode> {
        let order = self.orders.get_mut(key).expect("a live order");
        debug_assert_eq!(order.state, Some(OrderState::Paid));
        let parked = std::mem::take(&mut order.parked);
        let mut changed = Vec::new();
        if parked.contains(&Kind::Shipped) {
            merge(&mut changed, self.ship(key));
        }
        if parked.contains(&Kind::Refunded) {
            merge(&mut changed, self.refund(key, now_ms));
        }
        changed
    }

    /// Checks that `units` can be taken from spot (or presale) stock within the buyer's limits.
    fn check_take(
        &self,
        units: &[(SkuCode, i64)],
        presale: bool,
        buyer: Option<&str>,
    ) -> Result<(), Rejection> {
        for (i, (code, qty)) in units.iter().enumerate() {
            let sku = &self.skus[code];
            let open = if presale {
                sku.presale_available()
            } else {
                sku.available()
            };
            if *qty > open {
                let pool = if presale { "presale units" } else { "units" };
                return Err(Rejection {
                    reason: Reason::OutOfStock,
                    message: format!("{code}: {qty} asked, {open} {pool} available"),
                    field: Some(format!("lines[{i}].qty")),
                });
            }
            if let (Some(limit), Some(buyer)) = (sku.per_buyer_limit, buyer) {
                let bought = self
                    .buyer_units
                    .get(&(buyer.to_owned(), code.clone()))
                    .copied()
                    .unwrap_or(0);
                if bought + qty > limit {
                    return Err(Rejection {
                        reason: Reason::LimitExceeded,
                        message: format!(
                            "{code}: at most {limit} per buyer, {buyer} has {bought} and asks {qty}"
                        ),
                        field: Some(format!("lines[{i}].qty")),
                    });
                }
            }
        }
        Ok(())
    }

    /// Moves `units` into `bucket` for the order; checked by [`Pool::check_take`] first.
    fn take(&mut self, key: &OrderKey, units: &[(SkuCode, i64)], bucket: Bucket, now_ms: i64) {
        let order = self
            .orders
            .get_mut(key)
            .expect("the order was just recorded");
        for (code, qty) in units {
            let sku = self
                .skus
                .get_mut(code)
                .expect("order lines name known SKUs");
            match (order.presale, bucket) {
                (false, Bucket::Held) => sku.held += qty,
                (false, Bucket::Committed) => sku.committed += qty,
                (true, Bucket::Held) => sku.presale_held += qty,
                (true, Bucket::Committed) => sku.presale_sold += qty,
            }
            if let Some(buyer) = &order.buyer {
                *self
                    .buyer_units
                    .entry((buyer.as_str().to_owned(), code.clone()))
                    .or_insert(0) += qty;
            }
        }
        match bucket {
            Bucket::Held => {
                let expires = now_ms + self.config.hold_ttl_ms;
                order.state = Some(OrderState::Held);
                order.expires_ms = Some(expires);
                self.expiries.insert((expires, key.clone()));
            }
            Bucket::Committed => {
                order.state = Some(OrderState::Paid);
                order.paid_ms = Some(now_ms);
            }
        }
    }

    /// Takes the order's units out of `bucket` and off the buyer's count. Returns the SKUs changed.
    fn release(&mut self, key: &OrderKey, bucket: Bucket) -> Vec<SkuCode> {
        let order = self.orders.get_mut(key).expect("a live order");
        let units = Order::units_by_sku(&order.lines);
        for (code, qty) in &units {
            let sku = self
                .skus
                .get_mut(code)
                .expect("order lines name known SKUs");
            match (order.presale, bucket) {
                (false, Bucket::Held) => sku.held -= qty,
                (false, Bucket::Committed) => sku.committed -= qty,
                (true, Bucket::Held) => sku.presale_held -= qty,
                (true, Bucket::Committed) => sku.presale_sold -= qty,
            }
        }
        if let Some(expires) = order.expires_ms.take() {
            self.expiries.remove(&(expires, key.clone()));
        }
        self.release_buyer_units(key);
        units.into_iter().map(|(s, _)| s).collect()
    }

    fn release_buyer_units(&mut self, key: &OrderKey) {
        let order = &self.orders[key];
        let Some(buyer) = &order.buyer else { return };
        for (code, qty) in Order::units_by_sku(&order.lines) {
            let k = (buyer.as_str().to_owned(), code);
            if let Some(n) = self.buyer_units.get_mut(&k) {
                *n -= qty;
                if *n <= 0 {
                    self.buyer_units.remove(&k);
                }
            }
        }
    }

    /// Counts the order as sold (`sign` 1) or refunded (`sign` -1): units and GMV.
    fn record_sale(&mut self, key: &OrderKey, now_ms: i64, sign: i64) -> Vec<SkuCode> {
        let live = self
            .show
            .as_ref()
            .is_some_and(|s| s.state == ShowState::Live);
        let order = &self.orders[key];
        let mut changed = Vec::with_capacity(order.lines.len());
        for line in &order.lines {
            let sku = self
                .skus
                .get_mut(&line.sku)
                .expect("order lines name known SKUs");
            let qty = line.qty.get();
            let price = line.unit_price_cents.map_or(sku.price_cents, |p| p.get());
            sku.gmv_cents += sign * qty * price;
            if !order.presale {
                sku.sold_units += sign * qty;
                if sign > 0 {
                    sku.record_sale(now_ms, qty);
                    if live {
                        let rate = sku.recent.last_minute(now_ms);
                        sku.peak_rate_per_min = sku.peak_rate_per_min.max(rate);
                    }
                }
            }
            if !changed.contains(&line.sku) {
                changed.push(line.sku.clone());
            }
        }
        if let Some(show) = self.show.as_mut().filter(|s| s.state == ShowState::Live) {
            let units: i64 = order.lines.iter().map(|l| l.qty.get()).sum();
            let cents: i64 = order
                .lines
                .iter()
                .map(|l| {
                    l.qty.get()
                        * l.unit_price_cents
                            .map_or(self.skus[&l.sku].price_cents, |p| p.get())
                })
                .sum();
            show.gmv_cents += sign * cents;
            show.units += sign * units;
            show.orders += sign;
        }
        if sign < 0 {
            self.orders.get_mut(key).expect("a live order").refunded_ms = Some(now_ms);
        }
        changed
    }

    fn set_state(&mut self, key: &OrderKey, state: OrderState) {
        self.orders.get_mut(key).expect("a live order").state = Some(state);
    }

    fn expire(&mut self, keys: &[OrderKey]) -> Effect {
        let mut changed = Vec::new();
        let mut expired = 0;
        for key in keys {
            if self.orders.get(key).and_then(|o| o.state) != Some(OrderState::Held) {
                continue;
            }
            for code in self.release(key, Bucket::Held) {
                if !changed.contains(&code) {
                    changed.push(code);
                }
            }
            self.set_state(key, OrderState::Expired);
            expired += 1;
        }
        Effect {
            journal: expired > 0,
            outcome: Outcome::Expired(expired),
            changed,
        }
    }

    fn create_show(&mut self, new: &NewShow) -> Result<Effect, Refusal> {
        if self
            .show
            .as_ref()
            .is_some_and(|s| s.state == ShowState::Live)
        {
            let msg = "a show is live; end it before planning the next";
            return Err(Refusal::new(RefusalCode::Conflict, "", msg));
        }
        if new.lineup.len() > show::LINEUP_ITEMS_MAX {
            let msg = format!("a lineup has at most {} products", show::LINEUP_ITEMS_MAX);
            return Err(Refusal::new(RefusalCode::Invalid, "lineup", msg));
        }
        for (i, item) in new.lineup.iter().enumerate() {
            if !self.skus.contains_key(&item.sku) {
                let field = format!("lineup[{i}].sku");
                return Err(Refusal::new(
                    RefusalCode::Invalid,
                    &field,
                    format!("unknown SKU {}", item.sku),
                ));
            }
            if new.lineup[..i].iter().any(|o| o.sku == item.sku) {
                let field = format!("lineup[{i}].sku");
                return Err(Refusal::new(
                    RefusalCode::Invalid,
                    &field,
                    format!("{} is already in the lineup", item.sku),
                ));
            }
        }
        self.show = Some(Show::new(new));
        Ok(self.show_effect(Vec::new()))
    }

    fn start_show(&mut self, ctx: Ctx) -> Result<Effect, Refusal> {
        let show = self.show_in(&[ShowState::Planned], "start")?;
        show.state = ShowState::Live;
        show.started_ms = Some(ctx.now_ms);
        let lineup: Vec<SkuCode> = show.lineup.iter().map(|i| i.sku.clone()).collect();
        for code in &lineup {
            let sku = self.skus.get_mut(code).expect("lineup SKUs are known");
            sku.base = sku.available();
        }
        for sku in self.skus.values_mut() {
            sku.peak_rate_per_min = 0;
        }
        Ok(self.show_effect(lineup))
    }

    fn end_show(&mut self, ctx: Ctx) -> Result<Effect, Refusal> {
        let show = self.show_in(&[ShowState::Live], "end")?;
        show.state = ShowState::Ended;
        show.ended_ms = Some(ctx.now_ms);
        Ok(self.show_effect(Vec::new()))
    }

    fn set_current(&mut self, sku: &SkuCode) -> Result<Effect, Refusal> {
        if !self.skus.contains_key(sku) {
            return Err(Refusal::new(
                RefusalCode::Invalid,
                "sku",
                format!("unknown SKU {sku}"),
            ));
        }
        let show = self.show_in(
            &[ShowState::Planned, ShowState::Live],
            "put a product on air in",
        )?;
        show.current = Some(sku.clone());
        Ok(self.show_effect(vec![sku.clone()]))
    }

    fn set_viewers(&mut self, online: i64) -> Result<Effect, Refusal> {
        if !(0..=STOCK_UNITS_MAX).contains(&online) {
            let msg = format!("online must be between 0 and {STOCK_UNITS_MAX}");
            return Err(Refusal::new(RefusalCode::Invalid, "online", msg));
        }
        let show = self.show_in(&[ShowState::Planned, ShowState::Live], "count viewers of")?;
        show.viewers = online;
        show.peak_viewers = show.peak_viewers.max(online);
        Ok(self.show_effect(Vec::new()))
    }

    /// The show, if it is in one of `states`; otherwise a conflict saying what could not be done.
    fn show_in(&mut self, states: &[ShowState], action: &str) -> Result<&mut Show, Refusal> {
        match self.show.as_mut() {
            Some(show) if states.contains(&show.state) => Ok(show),
            Some(show) => {
                let state = serde_json::to_value(show.state).unwrap_or_default();
                let msg = format!(
                    "cannot {action} a show that is {}",
                    state.as_str().unwrap_or("?")
                );
                Err(Refusal::new(RefusalCode::Conflict, "", msg))
            }
            None => Err(Refusal::new(
                RefusalCode::Conflict,
                "",
                format!("there is no show to {action}; create one with POST /api/v1/show"),
            )),
        }
    }

    fn show_effect(&self, changed: Vec<SkuCode>) -> Effect {
        Effect {
            journal: true,
            outcome: Outcome::Show,
            changed,
        }
    }

    /// The pool as a snapshot, in a canonical order (so two equal pools give equal snapshots).
    pub fn snapshot(&self) -> Snapshot {
        let mut orders: Vec<Order> = self.orders.values().cloned().collect();
        orders.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Snapshot {
            seq: self.seq,
            skus: self.skus.values().cloned().collect(),
            orders,
            movements: self.movements.clone(),
            show: self.show.clone(),
            alerts: self.alerts.clone(),
        }
    }

    /// Rebuilds a pool from a snapshot, with the derived indexes, checking every invariant.
    pub fn from_snapshot(snap: Snapshot, config: PoolConfig) -> Result<Self, String> {
        let mut pool = Pool::new(config);
        pool.seq = snap.seq;
        for sku in snap.skus {
            if !sku.invariant_holds() {
                return Err(format!("SKU {} breaks the pool invariant", sku.code));
            }
            pool.skus.insert(sku.code.clone(), sku);
        }
        for order in snap.orders {
            if order.lines.iter().any(|l| !pool.skus.contains_key(&l.sku)) {
                return Err(format!("order {:?} names an unknown SKU", order.key));
            }
            if let (Some(OrderState::Held), Some(at)) = (order.state, order.expires_ms) {
                pool.expiries.insert((at, order.key.clone()));
            }
            let live = matches!(
                order.state,
                Some(OrderState::Held | OrderState::Paid | OrderState::Shipped)
            );
            if let (true, Some(buyer)) = (live, &order.buyer) {
                for (code, qty) in Order::units_by_sku(&order.lines) {
                    *pool
                        .buyer_units
                        .entry((buyer.as_str().to_owned(), code))
                        .or_insert(0) += qty;
                }
            }
            pool.orders.insert(order.key.clone(), order);
        }
        pool.movements = snap.movements;
        if let Some(show) = &snap.show {
            let known = |s: &SkuCode| pool.skus.contains_key(s);
            if !show.lineup.iter().all(|i| known(&i.sku)) || !show.current.iter().all(known) {
                return Err("the show names an unknown SKU".to_owned());
            }
        }
        pool.show = snap.show;
        pool.alerts = snap.alerts;
        Ok(pool)
    }
}

/// Adds the SKUs of `more` that `changed` does not name yet.
fn merge(changed: &mut Vec<SkuCode>, more: Vec<SkuCode>) {
    for code in more {
        if !changed.contains(&code) {
            changed.push(code);
        }
    }
}

fn unknown_sku(code: &SkuCode) -> Refusal {
    Refusal::new(RefusalCode::NotFound, "", format!("no SKU {code}"))
}

/// The rejection of an event the order's lifecycle does not allow from `state`.
fn invalid_transition(kind: Kind, state: Option<OrderState>) -> Rejection {
    Rejection {
        reason: Reason::InvalidTransition,
        message: transition_message(kind, state),
        field: Some("kind".to_owned()),
    }
}

fn transition_message(kind: Kind, state: Option<OrderState>) -> String {
    let kind = kind.name();
    match state {
        None => format!("a {kind} event for an order this server has not seen"),
        Some(state) => {
            let state = serde_json::to_value(state).unwrap_or_default();
            format!(
                "an order that is {} cannot be {kind}",
                state.as_str().unwrap_or("?")
            )
        }
    }
}

#[cfg(test)]
mod alert_tests;
#[cfg(test)]
mod tests;
