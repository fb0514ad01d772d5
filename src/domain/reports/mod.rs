//! Reports over the pool's history (SPEC E1): the daily ledger that the daily movement report is
//! cut from. Pure like the rest of the domain: a day comes in as `[from_ms, to_ms)`, never as a zone.

pub mod ledger;

pub use ledger::{
    BUCKET_MS, Buckets, Counters, DailyRow, LEDGER_DAYS_KEPT, Ledger, bucket_of, daily_row,
    fold_old,
};
