//! Taking an order's units into a bucket and releasing them: the stock check, the holds' expiry
//! index and the per-buyer counts move together.

use super::record::{Order, OrderKey, OrderState, Reason, Rejection};
use crate::domain::pool::{FastMap, Pool};
use crate::domain::types::SkuCode;
use compact_str::CompactString;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Which bucket an order's units sit in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Bucket {
    Held,
    Committed,
}

/// Adds what `order` holds, if it holds stock (held, paid or shipped), to its buyer's units of each
/// SKU that `counted` names: the per-buyer index as a restore or a newly set limit builds it.
pub(in crate::domain) fn count_buyer_units(
    buyer_units: &mut FastMap<(CompactString, SkuCode), i64>,
    order: &Order,
    counted: impl Fn(&SkuCode) -> bool,
) {
    let live = matches!(
        order.state,
        Some(OrderState::Held | OrderState::Paid | OrderState::Shipped)
    );
    let (true, Some(buyer)) = (live, &order.buyer) else {
        return;
    };
    for (code, qty) in Order::units_by_sku(&order.lines) {
        if counted(&code) {
            *buyer_units
                .entry((buyer.as_str().into(), code))
                .or_insert(0) += qty;
        }
    }
}

impl Pool {
    /// Checks that `units` can be taken from spot (or presale) stock within the buyer's limits.
    pub(super) fn check_take(
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
                    .get(&(buyer.into(), code.clone()))
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
    pub(super) fn take(
        &mut self,
        key: &OrderKey,
        units: &[(SkuCode, i64)],
        bucket: Bucket,
        now_ms: i64,
    ) {
        let order = self
            .orders
            .get_mut(key)
            .map(Arc::make_mut)
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
            if let (Some(buyer), Some(_)) = (&order.buyer, sku.per_buyer_limit) {
                *self
                    .buyer_units
                    .entry((buyer.as_str().into(), code.clone()))
                    .or_insert(0) += qty;
            }
        }
        match bucket {
            Bucket::Held => {
                let expires = now_ms.saturating_add(self.config.hold_ttl_ms);
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
    pub(super) fn release(&mut self, key: &OrderKey, bucket: Bucket) -> Vec<SkuCode> {
        let order = self
            .orders
            .get_mut(key)
            .map(Arc::make_mut)
            .expect("a live order");
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

    /// Brings `buyer_units` in line with the SKUs' limits: a SKU that got a limit is counted from
    /// the live orders as they stand (what its buyers already hold counts against it), one whose
    /// limit was lifted is dropped. Cheap unless a limit changed: a look at every SKU.
    pub(in crate::domain) fn index_limited_buyers(&mut self) {
        let limited: BTreeSet<SkuCode> = self
            .skus
            .values()
            .filter(|s| s.per_buyer_limit.is_some())
            .map(|s| s.code.clone())
            .collect();
        if limited == self.limited {
            return;
        }
        let lifted: Vec<&SkuCode> = self.limited.difference(&limited).collect();
        if !lifted.is_empty() {
            self.buyer_units
                .retain(|(_, code), _| !lifted.contains(&code));
        }
        let added: BTreeSet<&SkuCode> = limited.difference(&self.limited).collect();
        if !added.is_empty() {
            for order in self.orders.values() {
                count_buyer_units(&mut self.buyer_units, order, |code| added.contains(code));
            }
        }
        self.limited = limited;
    }

    pub(super) fn release_buyer_units(&mut self, key: &OrderKey) {
        let order = &self.orders[key];
        let Some(buyer) = &order.buyer else { return };
        for (code, qty) in Order::units_by_sku(&order.lines) {
            let k = (buyer.as_str().into(), code);
            if let Some(n) = self.buyer_units.get_mut(&k) {
                *n -= qty;
                if *n <= 0 {
                    self.buyer_units.remove(&k);
                }
            }
        }
    }
}
