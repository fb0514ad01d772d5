//! Sales, shipments, refunds and returns of paid orders, and the parked events a payment carries out.

use super::event::Kind;
use super::record::{Order, OrderKey, OrderState};
use super::take::Bucket;
use crate::domain::pool::Pool;
use crate::domain::show::ShowState;
use crate::domain::stock::ChannelSales;
use crate::domain::types::SkuCode;
use std::sync::Arc;

impl Pool {
    /// Ships a paid order: its committed units leave on_hand. Returns the SKUs changed.
    pub(super) fn ship(&mut self, key: &OrderKey, now_ms: i64) -> Vec<SkuCode> {
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
                self.ledger.record(code, now_ms, |c| c.shipped += qty);
            }
        }
        self.set_state(key, OrderState::Shipped);
        units.into_iter().map(|(s, _)| s).collect()
    }

    /// Refunds a paid order: unshipped, its units go back to available; shipped, it is a return (the
    /// money goes back, the goods are not here yet). Returns the SKUs changed.
    pub(super) fn refund(&mut self, key: &OrderKey, now_ms: i64) -> Vec<SkuCode> {
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
    pub(super) fn apply_parked(&mut self, key: &OrderKey, now_ms: i64) -> Vec<SkuCode> {
        let order = self
            .orders
            .get_mut(key)
            .map(Arc::make_mut)
            .expect("a live order");
        debug_assert_eq!(order.state, Some(OrderState::Paid));
        let parked = std::mem::take(&mut order.parked);
        let mut changed = Vec::new();
        if parked.contains(&Kind::Shipped) {
            merge(&mut changed, self.ship(key, now_ms));
        }
        if parked.contains(&Kind::Refunded) {
            merge(&mut changed, self.refund(key, now_ms));
        }
        changed
    }

    /// Counts the order as sold (`sign` 1) or refunded (`sign` -1): units and GMV.
    pub(super) fn record_sale(&mut self, key: &OrderKey, now_ms: i64, sign: i64) -> Vec<SkuCode> {
        let live = self.rooms.values().any(|r| r.is_live());
        let order = &self.orders[key];
        let room = order.room.as_ref();
        let mut changed = Vec::with_capacity(order.lines.len());
        for line in &order.lines {
            let sku = self
                .skus
                .get_mut(&line.sku)
                .expect("order lines name known SKUs");
            let qty = line.qty.get();
            let cents = qty * line.unit_price_cents.map_or(sku.price_cents, |p| p.get());
            sku.gmv_cents += sign * cents;
            if !order.presale {
                sku.sold_units += sign * qty;
                self.ledger.record(&line.sku, now_ms, |c| {
                    if sign > 0 {
                        c.sold += qty
                    } else {
                        c.refunded += qty
                    }
                });
                if sign > 0 {
                    sku.record_sale(now_ms, qty);
                    if live {
                        let rate = sku.recent.last_minute(now_ms);
                        sku.peak_rate_per_min = sku.peak_rate_per_min.max(rate);
                    }
                }
            }
            // An order counts once per SKU, however many lines of it it has.
            let first = !changed.contains(&line.sku);
            let units = if order.presale { 0 } else { qty };
            let book = &mut sku.channels;
            ChannelSales::record(book, &key.channel, sign, (units, first as i64, cents));
            if let Some(room) = room {
                let book = &mut sku.rooms;
                ChannelSales::record(book, room.as_str(), sign, (units, first as i64, cents));
            }
            if first {
                changed.push(line.sku.clone());
            }
        }
        // A sale counts in its room's live show; its refund only in that same show (a refund in a
        // later show of the room takes nothing from that one's figures).
        let credited_show = order.credited_show;
        let show = room
            .and_then(|r| self.rooms.get_mut(r))
            .and_then(|r| r.show.as_mut())
            .filter(|s| s.state == ShowState::Live)
            .filter(|s| sign > 0 || s.started_seq == credited_show);
        let mut credited = None;
        if let Some(show) = show {
            credited = show.started_seq;
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
            if sign > 0 {
                let buyer = order.buyer.as_ref().map_or_else(
                    || format!("{}/{}", key.channel, key.order_id),
                    |b| b.as_str().to_owned(),
                );
                show.buyers.insert(buyer);
                if !order.presale {
                    for line in &order.lines {
                        show.record_rate(&line.sku, now_ms, line.qty.get());
                    }
                }
            }
            ChannelSales::record(&mut show.channels, &key.channel, sign, (units, 1, cents));
        }
        let order = self
            .orders
            .get_mut(key)
            .map(Arc::make_mut)
            .expect("a live order");
        if sign < 0 {
            order.refunded_ms = Some(now_ms);
        } else {
            order.credited_show = credited;
        }
        changed
    }

    pub(super) fn set_state(&mut self, key: &OrderKey, state: OrderState) {
        self.orders
            .get_mut(key)
            .map(Arc::make_mut)
            .expect("a live order")
            .state = Some(state);
    }
}

/// Adds the SKUs of `more` that `changed` does not name yet.
pub(super) fn merge(changed: &mut Vec<SkuCode>, more: Vec<SkuCode>) {
    for code in more {
        if !changed.contains(&code) {
            changed.push(code);
        }
    }
}
