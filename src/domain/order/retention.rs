//! Bounded order memory (issue 10, "bounded state"): an order is remembered while it is open and
//! for a retention window after it closed, so a channel redelivering an event is still answered
//! as before; then it is forgotten, with its idempotency key.
//!
//! Closed: shipped, cancelled, expired, refunded, returned, or never opened (only rejections
//! remembered). Open: held or paid. The window counts from the last journaled event on the order,
//! so a closed order that keeps receiving events keeps being remembered. Which orders are
//! forgotten is decided by the engine from the clock and journaled as [`Command::Forget`] with
//! their keys, so a replay forgets exactly the same ones whatever the configuration is by then.
//!
//! A forgotten order that a channel still mentions is a new order: a late `paid` takes stock again,
//! a late `refunded` or `shipped` is parked and changes nothing. The default window (7 days) is
//! longer than any channel redelivers.
//!
//! [`Command::Forget`]: crate::domain::Command::Forget

use super::record::{OrderKey, OrderState};
use crate::domain::{Effect, Outcome, Pool};
use std::sync::Arc;

/// How long a closed order is remembered by default: 7 days.
pub const ORDER_RETENTION_MS_DEFAULT: i64 = 7 * 24 * 3_600_000;
/// The most orders one `Forget` command forgets; the rest wait for the next tick.
pub const FORGET_BATCH_MAX: usize = 10_000;

/// Whether an order in `state` may be forgotten once its window has passed.
pub fn is_closed(state: Option<OrderState>) -> bool {
    !matches!(state, Some(OrderState::Held | OrderState::Paid))
}

impl Pool {
    /// After a journaled event on `key` at `now_ms`: a closed order's window starts (again) now,
    /// an open one has none.
    pub(in crate::domain) fn track_closing(&mut self, key: &OrderKey, now_ms: i64) {
        let Some(order) = self.orders.get(key) else {
            return;
        };
        if order.closed_ms.is_none() && !is_closed(order.state) {
            return; // open and untracked: nothing to change (and nothing to copy)
        }
        let order = self
            .orders
            .get_mut(key)
            .map(Arc::make_mut)
            .expect("checked above");
        if let Some(old) = order.closed_ms.take() {
            self.closing.remove(&(old, key.clone()));
        }
        if is_closed(order.state) {
            order.closed_ms = Some(now_ms);
            self.closing.insert((now_ms, key.clone()));
        }
    }

    /// Closed orders whose window (`order_retention_ms`) has passed at `now_ms`, oldest first, at
    /// most [`FORGET_BATCH_MAX`].
    pub fn forgettable(&self, now_ms: i64) -> Vec<OrderKey> {
        let cutoff = now_ms.saturating_sub(self.config.order_retention_ms);
        self.closing
            .iter()
            .take_while(|(closed, _)| *closed <= cutoff)
            .take(FORGET_BATCH_MAX)
            .map(|(_, key)| key.clone())
            .collect()
    }

    /// Forgets the closed orders among `keys`; an open or unknown one is left alone.
    pub(in crate::domain) fn forget(&mut self, keys: &[OrderKey]) -> Effect {
        let mut forgotten = 0;
        for key in keys {
            let Some(order) = self.orders.get(key) else {
                continue;
            };
            if !is_closed(order.state) {
                continue;
            }
            if let Some(closed) = order.closed_ms {
                self.closing.remove(&(closed, key.clone()));
            }
            // A shipped order still counts for its buyer's limit until now; the others let go of
            // their units when they closed.
            if order.state == Some(OrderState::Shipped) {
                self.release_buyer_units(key);
            }
            self.orders.remove(key);
            forgotten += 1;
        }
        Effect {
            journal: forgotten > 0,
            outcome: Outcome::Forgotten(forgotten),
            changed: Vec::new(),
        }
    }
}
