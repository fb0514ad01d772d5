//! One file per rule of SPEC C; each judges one metric through `Eval::judge`.

pub mod fading;
pub mod movement_rate;
pub mod sell_through;
pub mod sellout;
pub mod slow_mover;
pub mod stock_level;
pub mod surge;
pub mod turnover;
