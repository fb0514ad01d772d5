//! Tests of the pool: the order lifecycle one event at a time with the time passed in, and
//! properties over random command sequences (never oversold, sales and GMV add up, limits hold,
//! replay and snapshots rebuild the very same pool). This file holds the shared fixtures; each
//! topic has its own file.

mod channels;
mod expiry;
mod idempotency;
mod import;
mod ledger;
mod lifecycle;
mod limits;
mod money;
mod movements;
mod parking;
mod precheck;
mod props;
mod retention;
mod review;
mod review_anomalies;
mod rooms;
mod transitions;

use crate::domain::order::{
    Answer, Channel, Kind, Line, Order, OrderEvent, OrderKey, OrderState, Reason,
};
use crate::domain::stock::{Movement, MovementKind, NewSku, Sku, SkuPatch, SkuUpdate};
use crate::domain::types::{Category, Cents, Ident, Limit, Name, Note, Qty, SkuCode, Units};
use crate::domain::{Command, Ctx, Effect, Outcome, Pool, PoolConfig, Refusal, RefusalCode};
use std::collections::{BTreeMap, HashMap};

/// A moment during a show: 2026-11-24 20:01:02.123 +08:00.
const T0_MS: i64 = 1_795_521_662_123;
/// A short hold life so the tests can pass it.
const TTL_MS: i64 = 60_000;
const CONFIG: PoolConfig = PoolConfig {
    hold_ttl_ms: TTL_MS,
    order_retention_ms: crate::domain::order::retention::ORDER_RETENTION_MS_DEFAULT,
    slot_minutes_default: crate::domain::show::SLOT_MINUTES_DEFAULT,
};

fn code(raw: &str) -> SkuCode {
    SkuCode::parse(raw).unwrap()
}

fn new_sku(sku: &str, on_hand: i64, price_cents: i64) -> NewSku {
    NewSku {
        sku: code(sku),
        name: Name::new(sku).unwrap(),
        category: Category::new("apparel").unwrap(),
        price_cents: Cents::new(price_cents).unwrap(),
        on_hand: Units::new(on_hand).unwrap(),
        buffer: Units::default(),
        damaged: Units::default(),
        per_buyer_limit: None,
        presale_cap: Units::default(),
    }
}

/// An event on the douyin channel with nothing but its id and kind; fill the rest with `..ev(..)`.
fn ev(kind: Kind, order_id: &str) -> OrderEvent {
    OrderEvent {
        channel: Channel::new("douyin").unwrap(),
        order_id: Ident::new(order_id).unwrap(),
        kind,
        buyer: None,
        address: None,
        lines: Vec::new(),
        presale: false,
        at: None,
        room: None,
    }
}

fn lines(units: &[(&str, i64)]) -> Vec<Line> {
    units
        .iter()
        .map(|(sku, qty)| Line {
            sku: code(sku),
            qty: Qty::new(*qty).unwrap(),
            unit_price_cents: None,
        })
        .collect()
}

fn buyer(name: &str) -> Option<Ident> {
    Some(Ident::new(name).unwrap())
}

fn key(channel: &str, order_id: &str) -> OrderKey {
    OrderKey {
        channel: channel.into(),
        order_id: order_id.into(),
    }
}

fn movement(kind: MovementKind, qty: i64) -> Movement {
    Movement {
        kind,
        qty,
        reason: Some(Note::new("shelf recount").unwrap()),
        by: Ident::new("li").unwrap(),
        verified_by: Some(Ident::new("wang").unwrap()),
        zone: None,
        batch: None,
    }
}

/// The spot buckets of one SKU that orders move.
#[derive(Debug, PartialEq, Eq)]
struct Buckets {
    on_hand: i64,
    held: i64,
    committed: i64,
    available: i64,
}

/// A pool on a controlled clock that numbers commands as the writer does and keeps what it journals.
struct Shop {
    pool: Pool,
    now_ms: i64,
    /// Every command whose effect was journaled, with its ctx and that effect.
    journaled: Vec<(Command, Ctx, Effect)>,
}

impl Shop {
    fn new(skus: Vec<NewSku>) -> Self {
        let mut shop = Shop {
            pool: Pool::new(CONFIG),
            now_ms: T0_MS,
            journaled: Vec::new(),
        };
        shop.apply(Command::CreateSkus { skus })
            .expect("the catalog is valid");
        shop
    }

    fn apply(&mut self, cmd: Command) -> Result<Effect, Refusal> {
        let ctx = Ctx {
            seq: self.pool.seq() + 1,
            now_ms: self.now_ms,
        };
        let result = self.pool.apply(&cmd, ctx);
        if let Ok(effect) = &result
            && effect.journal
        {
            self.journaled.push((cmd, ctx, effect.clone()));
        }
        result
    }

    /// Sends an event that must be judged (not refused) and returns the answer.
    fn send(&mut self, event: OrderEvent) -> Answer {
        match self.apply(Command::Order { event }) {
            Ok(Effect {
                outcome: Outcome::Order(answer),
                ..
            }) => answer,
            other => panic!("an order event gave {other:?}"),
        }
    }

    /// Releases every hold due now, as the writer's tick does; returns how many expired.
    fn expire_due(&mut self) -> usize {
        let orders = self.pool.due_holds(self.now_ms);
        match self.apply(Command::Expire { orders }) {
            Ok(Effect {
                outcome: Outcome::Expired(n),
                ..
            }) => n,
            other => panic!("an expiry gave {other:?}"),
        }
    }

    fn sku(&self, sku: &str) -> &Sku {
        self.pool.sku(&code(sku)).expect("a known SKU")
    }

    fn buckets(&self, sku: &str) -> Buckets {
        let s = self.sku(sku);
        Buckets {
            on_hand: s.on_hand,
            held: s.held,
            committed: s.committed,
            available: s.available(),
        }
    }

    fn state(&self, order_id: &str) -> Option<OrderState> {
        self.pool
            .order(&key("douyin", order_id))
            .and_then(|o| o.state)
    }
}

fn accepted(answer: &Answer) -> bool {
    matches!(answer, Answer::Accepted { .. })
}

fn reason(answer: &Answer) -> Option<Reason> {
    match answer {
        Answer::Rejected { rejection, .. } => Some(rejection.reason),
        _ => None,
    }
}
