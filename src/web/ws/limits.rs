//! How many screens the server holds: WebSocket connections capped in total and per token, each
//! counted by a drop guard from before its upgrade until it ends, how often one may `resync`, and
//! how many messages a screen may send at all.

use crate::web::error::ApiError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The most WebSocket connections the server holds at once (each costs a task, its buffers and a
/// share of every tick's fan-out); past it an upgrade is refused with 503 `unavailable`.
pub const WS_CONNECTIONS_MAX: usize = 10_000;
/// The most one token may hold at once, so one leaked or looping token cannot take every slot.
pub const WS_CONNECTIONS_PER_TOKEN_MAX: usize = 2_000;
/// Seconds a refused upgrade is told to wait before trying again (`Retry-After`).
pub const WS_RETRY_AFTER_SECS: u32 = 5;
/// One `resync` per this many milliseconds is served per connection, sustained; past the budget,
/// resyncs are coalesced into one snapshot sent when the budget allows.
pub const RESYNC_INTERVAL_MS: u64 = 1_000;
/// Resyncs a connection may have served back to back before the interval applies (a screen that
/// recovers may ask a few times; a flood may not be served).
pub const RESYNC_BURST: u32 = 8;
/// The largest message (and frame) a screen may send, in bytes; past it the server closes the
/// connection with 1009 (message too big). Screens send only tiny control messages.
pub const CLIENT_MESSAGE_BYTES_MAX: usize = 4 << 10;
/// The largest frame the server sends, in bytes: a longer message goes out as fragments.
pub const SERVER_FRAME_BYTES: usize = 4 << 10;
/// Messages (text, binary, ping or pong frames) a screen may send per second, sustained. Screens
/// send a `resync` now and then and a pong every 15 s; past the budget the server closes the
/// connection with 1008 (policy violation): a flood is refused, not served.
pub const CLIENT_MESSAGES_PER_SECOND: u32 = 10;
/// Messages a screen may send back to back before [`CLIENT_MESSAGES_PER_SECOND`] applies.
pub const CLIENT_MESSAGE_BURST: u32 = 100;

/// The limits of the screens' sockets: the consts above by default, `[websocket]` in the config
/// over them (`config::checks::FileWebSocket`), lower in tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WsLimits {
    /// Connections held at once, in total.
    pub connections_max: usize,
    /// Connections held at once by one token.
    pub per_token_max: usize,
    /// One `resync` per this many milliseconds is served, sustained.
    pub resync_interval_ms: u64,
    /// Resyncs served back to back before the interval applies (at least 1).
    pub resync_burst: u32,
    /// Messages a screen may send per second, sustained, before it is closed with 1008.
    pub messages_per_second: u32,
    /// Messages a screen may send back to back before the rate applies (at least 1).
    pub message_burst: u32,
}

impl Default for WsLimits {
    fn default() -> Self {
        WsLimits {
            connections_max: WS_CONNECTIONS_MAX,
            per_token_max: WS_CONNECTIONS_PER_TOKEN_MAX,
            resync_interval_ms: RESYNC_INTERVAL_MS,
            resync_burst: RESYNC_BURST,
            messages_per_second: CLIENT_MESSAGES_PER_SECOND,
            message_burst: CLIENT_MESSAGE_BURST,
        }
    }
}

/// One connection's budget of served resyncs: a burst, then one per interval (the generic cell
/// rate algorithm: one instant to keep, no timer). The same budget counts a screen's messages.
pub struct ResyncBudget {
    interval: Duration,
    /// How far ahead of `now` the budget may be spent: `interval × (burst − 1)`.
    tolerance: Duration,
    /// When the budget is next whole for one more resync, were none served early.
    due: Instant,
}

impl ResyncBudget {
    pub fn new(limits: &WsLimits, now: Instant) -> Self {
        Self::every(
            Duration::from_millis(limits.resync_interval_ms),
            limits.resync_burst,
            now,
        )
    }

    /// The budget of a screen's messages: `messages_per_second` sustained, `message_burst` at once.
    pub fn messages(limits: &WsLimits, now: Instant) -> Self {
        let rate = limits.messages_per_second.max(1);
        Self::every(Duration::from_secs(1) / rate, limits.message_burst, now)
    }

    /// One take per `interval`, sustained, with `burst` (at least 1) back to back.
    fn every(interval: Duration, burst: u32, now: Instant) -> Self {
        ResyncBudget {
            interval,
            tolerance: interval * burst.max(1).saturating_sub(1),
            due: now,
        }
    }

    /// Spends one resync at `now` if the budget allows it, or says when it will.
    pub fn take(&mut self, now: Instant) -> Result<(), Instant> {
        if now + self.tolerance < self.due {
            return Err(self.due - self.tolerance);
        }
        self.due = self.due.max(now) + self.interval;
        Ok(())
    }
}

/// The connections held now, in total and by token.
#[derive(Default)]
struct Held {
    total: usize,
    by_token: HashMap<String, usize>,
}

/// The count of held connections against the limits. Locked only to count, never across an await.
pub struct Connections {
    limits: WsLimits,
    held: Mutex<Held>,
}

/// One admitted connection: its slot is given back when this is dropped (the connection ended, or
/// the upgrade never completed).
pub struct Slot {
    connections: Arc<Connections>,
    token: String,
}

impl Slot {
    /// The limits the slot was taken under: the connection's resync budget follows them.
    pub fn limits(&self) -> WsLimits {
        self.connections.limits
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.connections.lock();
        held.total -= 1;
        if let Some(n) = held.by_token.get_mut(&self.token) {
            *n -= 1;
            if *n == 0 {
                held.by_token.remove(&self.token);
            }
        }
    }
}

impl Connections {
    pub fn new(limits: WsLimits) -> Arc<Connections> {
        Arc::new(Connections {
            limits,
            held: Mutex::new(Held::default()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        // A panic while counting leaves the counts whole (each update is one statement).
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a slot for a connection of `token`, or refuses with 503 `unavailable` and
    /// `Retry-After` when the server or the token holds its most.
    pub fn admit(self: &Arc<Self>, token: &str) -> Result<Slot, ApiError> {
        let mut held = self.lock();
        let full = |message: String| {
            metrics::counter!("livestock_ws_refused_total").increment(1);
            ApiError::unavailable(message).with_retry_after(WS_RETRY_AFTER_SECS)
        };
        if held.total >= self.limits.connections_max {
            return Err(full(format!(
                "the server holds its most screens ({}); try again shortly",
                self.limits.connections_max
            )));
        }
        let mine = held.by_token.get(token).copied().unwrap_or(0);
        if mine >= self.limits.per_token_max {
            return Err(full(format!(
                "this token holds its most screens ({}); close one or try again shortly",
                self.limits.per_token_max
            )));
        }
        held.total += 1;
        *held.by_token.entry(token.to_owned()).or_insert(0) += 1;
        Ok(Slot {
            connections: self.clone(),
            token: token.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: usize, per_token: usize) -> Arc<Connections> {
        Connections::new(WsLimits {
            connections_max: total,
            per_token_max: per_token,
            ..WsLimits::default()
        })
    }

    #[test]
    fn resyncs_are_served_in_a_burst_then_one_per_interval() {
        let limits = WsLimits {
            resync_interval_ms: 1_000,
            resync_burst: 3,
            ..WsLimits::default()
        };
        let start = Instant::now();
        let ms = |n| start + Duration::from_millis(n);
        let mut budget = ResyncBudget::new(&limits, start);
        for _ in 0..3 {
            assert_eq!(budget.take(start), Ok(()), "within the burst");
        }
        assert_eq!(budget.take(ms(10)), Err(ms(1_000)), "the burst is spent");
        assert_eq!(budget.take(ms(999)), Err(ms(1_000)));
        assert_eq!(budget.take(ms(1_000)), Ok(()), "one interval later");
        assert_eq!(budget.take(ms(1_500)), Err(ms(2_000)));
        assert_eq!(budget.take(ms(10_000)), Ok(()), "a quiet spell refills it");
        assert_eq!(budget.take(ms(10_000)), Ok(()));
        assert_eq!(budget.take(ms(10_000)), Ok(()));
        assert_eq!(
            budget.take(ms(10_000)),
            Err(ms(11_000)),
            "but only to the burst"
        );
    }

    #[test]
    fn a_screens_messages_are_taken_in_a_burst_then_at_the_rate_per_second() {
        let limits = WsLimits {
            messages_per_second: 4,
            message_burst: 10,
            ..WsLimits::default()
        };
        let start = Instant::now();
        let mut budget = ResyncBudget::messages(&limits, start);
        let taken = (0..50).filter(|_| budget.take(start).is_ok()).count();
        assert_eq!(taken, 10, "the burst at once");
        let later = start + Duration::from_secs(1);
        let taken = (0..50).filter(|_| budget.take(later).is_ok()).count();
        assert_eq!(taken, 4, "then 4 a second");
    }

    #[test]
    fn a_token_past_its_cap_is_refused_503_with_retry_after_while_others_still_get_in() {
        let c = limits(10, 2);
        let _a = (c.admit("a").unwrap(), c.admit("a").unwrap());
        let e = c.admit("a").err().expect("a third for token a");
        assert_eq!((e.status.as_u16(), e.code), (503, "unavailable"));
        assert_eq!(e.retry_after_secs, Some(WS_RETRY_AFTER_SECS));
        assert!(c.admit("b").is_ok());
    }

    #[test]
    fn the_total_cap_holds_across_tokens_and_a_dropped_slot_is_given_back() {
        let c = limits(2, 2);
        let a = c.admit("a").unwrap();
        let _b = c.admit("b").unwrap();
        assert!(c.admit("c").is_err(), "a third connection in total");
        drop(a);
        let _c = c.admit("c").expect("the slot was given back");
        assert!(c.admit("a").is_err(), "full again");
    }
}
