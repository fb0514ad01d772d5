//! Orders: the events channels send, the records and judgements the pool remembers so that every
//! event is judged once, and the lifecycle (SPEC A4) that decides each event: taking and releasing
//! stock, sales and refunds, parked events, expiring holds, per-buyer limits, and money that
//! cannot overflow.

pub(super) mod decide;
pub mod event;
pub mod expiry;
pub mod map;
mod money;
pub mod record;
pub mod retention;
mod sale;
pub(super) mod take;

pub use event::{Address, Channel, Kind, Line, ORDER_LINES_MAX, OrderEvent};
pub use record::{Answer, Judgement, Order, OrderKey, OrderState, Reason, Rejection};
