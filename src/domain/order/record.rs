//! What the pool remembers of an order: its identity, state, lines, and one judgement per kind of
//! event, and the answers it gives.

use super::event::{Address, Kind, Line};
use crate::domain::types::{Ident, RoomId, SkuCode};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// The identity of an order: a channel's order ids are unique only within that channel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderKey {
    pub channel: CompactString,
    pub order_id: CompactString,
}

/// Where an order stands in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Stock held, waiting for payment until the hold expires.
    Held,
    Paid,
    Shipped,
    Cancelled,
    /// The hold ran out before payment.
    Expired,
    /// Refunded before shipping: the units went back to available.
    Refunded,
    /// Refunded after shipping: stock waits for the goods to be received back.
    Returned,
}

impl OrderState {
    /// Whether an order in this state was paid at some point (refunded ones included).
    pub fn was_paid(self) -> bool {
        use OrderState as S;
        matches!(self, S::Paid | S::Shipped | S::Refunded | S::Returned)
    }
}

/// Why an event was rejected. Each is remembered and given again to a retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    OutOfStock,
    LimitExceeded,
    InvalidTransition,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::OutOfStock => "out_of_stock",
            Reason::LimitExceeded => "limit_exceeded",
            Reason::InvalidTransition => "invalid_transition",
        }
    }
}

/// A rejection as remembered: the reason, what was wrong, and the line at fault if one was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub reason: Reason,
    pub message: String,
    pub field: Option<String>,
}

/// The judgement of one `(channel, order_id, kind)`: given once, replayed to every retry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// The journal sequence number of the event that was judged.
    pub seq: u64,
    /// `None` when accepted. Boxed: rejections are rare and accepted judgements stay small.
    pub rejection: Option<Box<Rejection>>,
}

/// An order the pool knows, with its judged events. An order may exist only as judgements (every
/// event so far rejected), in which case `state` is `None` and it holds no stock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub key: OrderKey,
    pub state: Option<OrderState>,
    pub buyer: Option<Ident>,
    /// Boxed: most orders have none, and the rest keep it only for the post-show checks.
    pub address: Option<Box<Address>>,
    pub lines: Vec<Line>,
    pub presale: bool,
    pub created_ms: Option<i64>,
    /// When the hold runs out (only while `Held`).
    pub expires_ms: Option<i64>,
    pub paid_ms: Option<i64>,
    pub refunded_ms: Option<i64>,
    /// One slot per [`Kind`], in [`Kind::ALL`] order.
    pub judged: [Option<Judgement>; 5],
    /// `shipped` and `refunded` events that overtook the payment (SPEC A4: channels post in any
    /// order), in arrival order. They were accepted and journaled but changed no stock; the event
    /// that pays the order carries them out right after it, shipped first, and empties this list.
    /// An order cancelled (or left to expire for good) keeps them here, harmless: they never apply.
    #[serde(default)]
    pub parked: Vec<Kind>,
    /// When the order was last changed while closed (see `order::retention`): it is forgotten a
    /// retention window after. `None` while it is open.
    #[serde(default)]
    pub closed_ms: Option<i64>,
    /// The room its sale is credited to (see `Pool::credit_room`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    /// The show its sale counted in (the journal seq that started it), if it counted in one: a
    /// refund takes back from that show only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credited_show: Option<u64>,
}

impl Order {
    pub fn new(key: OrderKey) -> Self {
        Order {
            key,
            state: None,
            buyer: None,
            address: None,
            lines: Vec::new(),
            presale: false,
            created_ms: None,
            expires_ms: None,
            paid_ms: None,
            refunded_ms: None,
            judged: Default::default(),
            parked: Vec::new(),
            closed_ms: None,
            room: None,
            credited_show: None,
        }
    }

    /// The units per SKU this order moves, lines of the same SKU added up, in first-seen order.
    pub fn units_by_sku(lines: &[Line]) -> Vec<(SkuCode, i64)> {
        let mut out: Vec<(SkuCode, i64)> = Vec::with_capacity(lines.len());
        for line in lines {
            match out.iter_mut().find(|(s, _)| *s == line.sku) {
                Some((_, q)) => *q += line.qty.get(),
                None => out.push((line.sku.clone(), line.qty.get())),
            }
        }
        out
    }
}

/// What the pool answers to one order event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Accepted { seq: u64 },
    Duplicate { seq: u64 },
    Rejected { seq: u64, rejection: Rejection },
}

impl Answer {
    pub fn seq(&self) -> u64 {
        match self {
            Answer::Accepted { seq } | Answer::Duplicate { seq } | Answer::Rejected { seq, .. } => {
                *seq
            }
        }
    }
}

/// The rejection of an event the order's lifecycle does not allow from `state`.
pub(crate) fn invalid_transition(kind: Kind, state: Option<OrderState>) -> Rejection {
    Rejection {
        reason: Reason::InvalidTransition,
        message: transition_message(kind, state),
        field: Some("kind".to_owned()),
    }
}

fn transition_message(kind: Kind, state: Option<OrderState>) -> String {
    let kind = kind.name();
    match state {
        None => format!("a {kind} event for an order this server has not seen"),
        Some(state) => {
            let state = serde_json::to_value(state).unwrap_or_default();
            format!(
                "an order that is {} cannot be {kind}",
                state.as_str().unwrap_or("?")
            )
        }
    }
}
