//! Checks over the whole pool that decide nothing and change nothing: pure functions from read
//! models to a verdict, for the night before the show (the pre-show check) and the night after
//! it (the post-show review and its anomalies, tested in `domain/tests/review*.rs`).

pub mod anomalies;
pub mod precheck;
pub mod review;
