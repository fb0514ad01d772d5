//! Order events as channels send them, the order lifecycle (SPEC A4) and the judgements the pool
//! remembers so that every event is judged once.

use super::types::{Cents, Ident, Note, Qty, SkuCode, Text, Timestamp};
use serde::{Deserialize, Serialize};

/// The most lines one order may have.
pub const ORDER_LINES_MAX: usize = 100;

/// What a channel says happened to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Ordered, not paid: hold the stock.
    Created,
    /// Paid: held becomes committed; with no earlier `created` it creates and pays at once.
    Paid,
    /// Cancelled before payment: release the hold.
    Cancelled,
    /// Refunded: unshipped goes back to available; shipped is a return that leaves stock alone.
    /// Before the payment of a held order it is parked until the order is paid.
    Refunded,
    /// Shipped: committed units leave the warehouse. Before the payment of a held order it is
    /// parked until the order is paid.
    Shipped,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Created,
        Kind::Paid,
        Kind::Cancelled,
        Kind::Refunded,
        Kind::Shipped,
    ];

    /// The name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Created => "created",
            Kind::Paid => "paid",
            Kind::Cancelled => "cancelled",
            Kind::Refunded => "refunded",
            Kind::Shipped => "shipped",
        }
    }

    /// The slot of this kind in [`Order::judged`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One line of an order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub sku: SkuCode,
    pub qty: Qty,
    /// The price the buyer paid; the catalog price when absent.
    #[serde(default)]
    pub unit_price_cents: Option<Cents>,
}

/// Where an order goes; kept for the post-show anomaly checks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub region: Option<Note>,
    #[serde(default)]
    pub detail: Option<Note>,
    #[serde(default)]
    pub phone_hash: Option<Text<0, 128>>,
}

/// A channel's name: lower-case letters, digits, `_` and `-` would be nicer, but channels name
/// themselves, so any short identifier is taken.
pub type Channel = Text<1, 32>;

/// An order event as posted to `POST /api/v1/orders`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderEvent {
    pub channel: Channel,
    pub order_id: Ident,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Ident>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Line>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub presale: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
}

impl OrderEvent {
    /// Checks the rules an event must meet whatever the pool holds; names the field at fault.
    pub fn check(&self) -> Result<(), (String, String)> {
        if self.lines.len() > ORDER_LINES_MAX {
            return Err((
                "lines".to_owned(),
                format!("an order has at most {ORDER_LINES_MAX} lines"),
            ));
        }
        if self.kind == Kind::Created && self.lines.is_empty() {
            return Err((
                "lines".to_owned(),
                "a created event needs at least one line".to_owned(),
            ));
        }
        Ok(())
    }
}

/// The identity of an order: a channel's order ids are unique only within that channel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderKey {
    pub channel: String,
    pub order_id: String,
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
    pub address: Option<Address>,
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
