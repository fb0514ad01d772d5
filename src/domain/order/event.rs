//! Order events as channels post them, and the rules an event meets whatever the pool holds.

use crate::domain::types::{Cents, Ident, Note, Qty, RoomId, SkuCode, Text, Timestamp};
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
    pub phone_hash: Option<Text<0, PHONE_HASH_CHARS_MAX>>,
}

/// The most characters of a phone hash.
pub const PHONE_HASH_CHARS_MAX: usize = 128;
/// The most characters of a channel's name.
pub const CHANNEL_CHARS_MAX: usize = 32;

/// A channel's name: lower-case letters, digits, `_` and `-` would be nicer, but channels name
/// themselves, so any short identifier is taken.
pub type Channel = Text<1, CHANNEL_CHARS_MAX>;

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
    /// The live room the sale is credited to (API.md "Rooms"); without one, the one live room
    /// of the channel, if there is exactly one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
}

impl OrderEvent {
    /// The order this event is about.
    pub fn key(&self) -> super::OrderKey {
        super::OrderKey {
            channel: self.channel.as_str().into(),
            order_id: self.order_id.as_str().into(),
        }
    }

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
