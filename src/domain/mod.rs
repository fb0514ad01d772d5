//! The pure core: the central stock pool and everything it decides. No I/O, no clock, no transport:
//! `Pool::apply(command, ctx)` takes the time and the journal sequence number from its caller, so the
//! same commands give the same pool on a live server, on replay and in a property test.
//!
//! One room per concern, each depending only on those listed before it:
//! `types` (values that cannot be wrong), `role`, `stock` (a SKU's buckets, movements, the stock
//! view), `show`, `order` (events, records, the lifecycle), `alerts` (the book, thresholds, one
//! file per rule), `command` (the vocabulary), `pool` (the state and the dispatch), `views` (read
//! models over several rooms), `series` (the show's time series), and `reports` (the daily
//! ledger).

pub mod alerts;
pub mod channels;
pub mod checks;
pub mod command;
pub mod order;
pub mod pool;
pub mod reports;
pub mod role;
pub mod series;
pub mod show;
pub mod stock;
pub mod types;
pub mod views;

pub use command::{Command, Ctx, Effect, Outcome, Refusal, RefusalCode};
pub use order::expiry::EXPIRE_ORDERS_MAX;
pub use pool::{HOLD_TTL_MS_DEFAULT, Pool, PoolConfig, Restoring, Snapshot};

#[cfg(test)]
mod tests;
