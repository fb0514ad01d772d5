//! The warnings engine (SPEC C): every metric of the table, each warning fired once per crossing
//! and re-armed only when the value goes back past its line by a margin (hysteresis), with the
//! action to take in Chinese and English. Pure: [`evaluate`] reads the pool at a time it is given
//! and returns what to fire and re-arm; the writer journals that as a command, so alerts, their
//! acknowledgements and their armed state survive restarts exactly.
//!
//! `book` keeps what fired, `config` the thresholds, `judge` fires and re-arms one line,
//! `rules` holds one file per rule, and `evaluate` walks them over the pool.

pub mod book;
pub mod config;
pub mod evaluate;
mod judge;
mod rules;

pub use book::{ALERTS_KEPT_MAX, Alert, AlertBook, AlertKey, AlertKind, SHOW_ENDED_BY};
pub use config::{AlertConfig, Thresholds};
pub use evaluate::{Scope, evaluate};
pub use judge::Verdict;
pub use rules::surge::next_with_stock;

#[cfg(test)]
mod tests;
