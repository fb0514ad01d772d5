//! Checks over the pool's published state, as pure functions the web layer only renders: the
//! post-show review (SPEC B5) and its anomalies. Their tests are in `domain/tests/review*.rs`.

pub mod anomalies;
pub mod review;
