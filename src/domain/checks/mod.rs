//! Checks over the whole pool that decide nothing and change nothing: pure functions from read
//! models to a verdict, for the night before the show and the night after it.

pub mod precheck;
