//! Holds that run out: the pure query the writer's clock asks, and the command that releases them.

use super::record::{OrderKey, OrderState};
use super::take::Bucket;
use crate::domain::command::{Effect, Outcome};
use crate::domain::pool::Pool;

/// The most holds one `Expire` command releases; the rest wait for the next tick.
pub const EXPIRE_ORDERS_MAX: usize = 10_000;

impl Pool {
    /// The holds whose time has run out at `now_ms`, oldest first, at most [`EXPIRE_ORDERS_MAX`].
    pub fn due_holds(&self, now_ms: i64) -> Vec<OrderKey> {
        self.expiries
            .iter()
            .take_while(|(at, _)| *at <= now_ms)
            .take(EXPIRE_ORDERS_MAX)
            .map(|(_, key)| key.clone())
            .collect()
    }

    pub(in crate::domain) fn expire(&mut self, keys: &[OrderKey]) -> Effect {
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
}
