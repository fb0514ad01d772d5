//! Judging one order event: a retry answered from memory, a refusal of what can never be judged,
//! or a judgement (accepted or rejected) that is remembered and carried out.

use super::event::{Kind, Line, OrderEvent};
use super::record::{
    Answer, Judgement, Order, OrderKey, OrderState, Rejection, invalid_transition,
};
use super::sale::merge;
use super::take::Bucket;
use crate::domain::command::{Ctx, Effect, Outcome, Refusal, RefusalCode};
use crate::domain::pool::Pool;
use crate::domain::types::{Cents, RoomId, SkuCode};
use std::sync::Arc;

impl Pool {
    /// Judges one order event: a retry gets the judgement remembered for it, an event that can never
    /// be judged is refused, and anything else is decided, remembered and journaled.
    pub(in crate::domain) fn apply_order(
        &mut self,
        ev: &OrderEvent,
        ctx: Ctx,
    ) -> Result<Effect, Refusal> {
        let key = ev.key();
        if let Some(answer) = self.remembered(&key, ev.kind) {
            return Ok(order_effect(false, answer, Vec::new()));
        }
        self.check_event(ev)?;
        self.check_room(ev)?;
        let prior = self.orders.get(&key).and_then(|o| o.room.as_ref());
        // Only a sale is credited; a refund takes back from the room its sale was credited to.
        let credit = match ev.kind {
            Kind::Created | Kind::Paid => self.credit_room(ev, prior),
            _ => prior.cloned(),
        };
        self.check_books(&key, ev, credit.as_ref())?;
        let state = self.orders.get(&key).and_then(|o| o.state);
        // A shipment or refund for an order never seen is refused (API.md: 409) but neither
        // journaled nor remembered: it is the order that is missing, not the event that is wrong,
        // so the channel's retry once the order is in is judged afresh. A mistyped order id keeps
        // being refused.
        if state.is_none() && matches!(ev.kind, Kind::Shipped | Kind::Refunded) {
            let answer = Answer::Rejected {
                seq: self.seq(),
                rejection: invalid_transition(ev.kind, None),
            };
            return Ok(order_effect(false, answer, Vec::new()));
        }
        if state.is_none() && ev.kind == Kind::Paid && ev.lines.is_empty() {
            let msg = "a paid event for an order not seen before needs its lines";
            return Err(Refusal::new(RefusalCode::Invalid, "lines", msg));
        }
        let (changed, rejection) = match self.decide(&key, state, ev, credit, ctx) {
            Ok(changed) => (changed, None),
            Err(r) => (Vec::new(), Some(Box::new(r))),
        };
        let order = Arc::make_mut(
            self.orders
                .get_or_insert_with(&key, || Arc::new(Order::new(key.clone()))),
        );
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
        Ok(order_effect(true, answer, changed))
    }

    /// The answer remembered for `(order, kind)`, if that event was judged before.
    fn remembered(&self, key: &OrderKey, kind: Kind) -> Option<Answer> {
        let j = self.orders.get(key)?.judged[kind.index()].as_ref()?;
        Some(match &j.rejection {
            None => Answer::Duplicate { seq: j.seq },
            Some(r) => Answer::Rejected {
                seq: j.seq,
                rejection: (**r).clone(),
            },
        })
    }

    /// Refuses an event that cannot be judged: bad on its face, or naming a SKU the pool does not
    /// hold (yet: the refusal is not remembered, so a retry after the SKU is created is judged).
    fn check_event(&self, ev: &OrderEvent) -> Result<(), Refusal> {
        ev.check()
            .map_err(|(field, msg)| Refusal::new(RefusalCode::Invalid, &field, msg))?;
        for (i, line) in ev.lines.iter().enumerate() {
            if !self.skus.contains_key(&line.sku) {
                let field = format!("lines[{i}].sku");
                let msg = format!("unknown SKU {}", line.sku);
                return Err(Refusal::new(RefusalCode::UnknownSku, &field, msg));
            }
        }
        Ok(())
    }

    /// Decides one order event and, when it is accepted, carries it out. Every check comes before
    /// the first change, so a rejection leaves the pool as it was. Returns the SKUs changed.
    fn decide(
        &mut self,
        key: &OrderKey,
        state: Option<OrderState>,
        ev: &OrderEvent,
        credit: Option<RoomId>,
        ctx: Ctx,
    ) -> Result<Vec<SkuCode>, Rejection> {
        use OrderState as S;
        let now = ctx.now_ms;
        match (ev.kind, state) {
            // A first sight of the order: hold, or create and pay at once.
            (Kind::Created, None) | (Kind::Paid, None) => self.open(key, ev, credit, now),
            // A late `created` after the order moved on, or a cancel that overtook its order: nothing
            // to hold or release. Remember the order as cancelled so a late `created` holds nothing.
            (Kind::Created, Some(_)) | (Kind::Cancelled, Some(S::Cancelled | S::Expired)) => {
                if ev.kind == Kind::Cancelled {
                    self.set_state(key, S::Cancelled);
                }
                Ok(Vec::new())
            }
            (Kind::Cancelled, None) => {
                let order = Arc::make_mut(
                    self.orders
                        .get_or_insert_with(key, || Arc::new(Order::new(key.clone()))),
                );
                order.state = Some(S::Cancelled);
                order.buyer = ev.buyer.clone();
                Ok(Vec::new())
            }
            (Kind::Paid, Some(S::Held)) => {
                self.credit(key, credit);
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
                self.credit(key, credit);
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
            (Kind::Shipped, Some(S::Paid)) => Ok(self.ship(key, now)),
            // A shipment or a refund that overtook the payment of an order the pool holds (SPEC
            // A4: any order): accepted and parked on the order, changing no stock; the payment
            // carries it out. (For an order never seen, see `apply_order`.)
            (Kind::Shipped | Kind::Refunded, Some(S::Held | S::Expired)) => {
                self.orders
                    .get_mut(key)
                    .map(Arc::make_mut)
                    .expect("a state implies the order")
                    .parked
                    .push(ev.kind);
                Ok(Vec::new())
            }
            (kind, state) => Err(invalid_transition(kind, state)),
        }
    }

    /// A first sight of the order: holds its units, or (a `paid` first) commits and counts them.
    fn open(
        &mut self,
        key: &OrderKey,
        ev: &OrderEvent,
        credit: Option<RoomId>,
        now: i64,
    ) -> Result<Vec<SkuCode>, Rejection> {
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
        let order = Arc::make_mut(
            self.orders
                .get_or_insert_with(key, || Arc::new(Order::new(key.clone()))),
        );
        order.buyer = ev.buyer.clone();
        order.address = ev.address.clone().map(Box::new);
        order.lines = lines;
        order.presale = ev.presale;
        order.created_ms = Some(now);
        order.room = credit;
        self.take(key, &units, bucket, now);
        let mut changed = units.into_iter().map(|(s, _)| s).collect();
        if bucket == Bucket::Committed {
            self.record_sale(key, now, 1);
            merge(&mut changed, self.apply_parked(key, now));
        }
        Ok(changed)
    }
}

impl Pool {
    /// Credits the order's sale to `room` (see [`Pool::credit_room`]).
    fn credit(&mut self, key: &OrderKey, room: Option<RoomId>) {
        self.orders
            .get_mut(key)
            .map(Arc::make_mut)
            .expect("a known order")
            .room = room;
    }
}

/// The effect of a judged order event.
fn order_effect(journal: bool, answer: Answer, changed: Vec<SkuCode>) -> Effect {
    Effect {
        journal,
        outcome: Outcome::Order(answer),
        changed,
    }
}
