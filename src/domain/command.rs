//! The command vocabulary: what the journal records ([`Command`]), the moment it is applied at
//! ([`Ctx`]), and what the pool answers: an [`Effect`] with its [`Outcome`], or a [`Refusal`].

use super::alerts::book::{Alert, AlertKey};
use super::order::event::OrderEvent;
use super::order::record::{Answer, OrderKey};
use super::show::NewShow;
use super::show::room::NewRoom;
use super::stock::catalog::{ImportCount, SkuUpdate};
use super::stock::catalog::{NewSku, SkuPatch};
use super::stock::movement::{Movement, MovementRecord};
use super::types::{self, RoomId, SkuCode};
use serde::{Deserialize, Serialize};

/// A change to the pool. Commands are what the journal records: replaying them in order, each with
/// the [`Ctx`] it first had, rebuilds the pool exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Create SKUs, all or none.
    CreateSkus { skus: Vec<NewSku> },
    /// Change catalog fields of one SKU.
    PatchSku { sku: SkuCode, patch: SkuPatch },
    /// A warehouse movement on one SKU.
    Move { sku: SkuCode, movement: Movement },
    /// One order event from a channel.
    Order { event: OrderEvent },
    /// Holds whose time ran out, as found by the writer's clock.
    Expire { orders: Vec<OrderKey> },
    /// Closed orders whose retention window passed, as found by the writer's clock: forgotten.
    Forget { orders: Vec<OrderKey> },
    /// Create a live room, or rename one whose show is not live.
    CreateRoom { room: NewRoom },
    /// Plan a room's show (replacing a planned or ended one). Every show command names its room;
    /// records written before rooms name none and mean `main`.
    CreateShow {
        show: NewShow,
        #[serde(default)]
        room: RoomId,
    },
    /// Go live: each lineup SKU's base is fixed at its available units.
    StartShow {
        #[serde(default)]
        room: RoomId,
    },
    EndShow {
        #[serde(default)]
        room: RoomId,
    },
    /// The product on air.
    SetCurrent {
        sku: SkuCode,
        #[serde(default)]
        room: RoomId,
    },
    /// Online viewers, as pushed by the stream controller.
    SetViewers {
        online: i64,
        #[serde(default)]
        room: RoomId,
    },
    /// Warnings the engine fired, lines it re-armed and crossed, and open warnings it updated in
    /// place, as decided by `alerts::evaluate` (`crossed` and `updated` are absent from journals
    /// written before warnings were updated: there each fired alert was its own line).
    Alerts {
        fired: Vec<Alert>,
        rearmed: Vec<AlertKey>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        crossed: Vec<AlertKey>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        updated: Vec<Alert>,
    },
    /// Someone acknowledged a warning.
    AckAlert { id: String, by: types::Ident },
    /// A sheet of SKUs imported (`POST /api/v1/import`), all or none: `create` are new, `update`
    /// exist; each changed on-hand count is recorded as an adjustment by `by`.
    Import {
        create: Vec<NewSku>,
        update: Vec<SkuUpdate>,
        by: types::Ident,
    },
}

/// What the caller tells the pool about the moment of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ctx {
    /// The journal sequence number this command gets if it is recorded.
    pub seq: u64,
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

/// Why a command was refused without being judged: nothing changed and nothing is remembered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: RefusalCode,
    /// The element of an array at fault, when the command carried several.
    pub item: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalCode {
    Invalid,
    Conflict,
    NotFound,
    /// An order event names a SKU the pool does not hold (API.md: `unknown_sku`, 409). Not
    /// remembered, so the channel's retry once the SKU is created is judged afresh.
    UnknownSku,
}

impl Refusal {
    pub(super) fn new(code: RefusalCode, field: &str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            item: None,
            field: (!field.is_empty()).then(|| field.to_owned()),
            message: message.into(),
        }
    }

    pub(super) fn at(mut self, item: usize) -> Self {
        self.item = Some(item);
        self
    }
}

/// What an accepted (or judged) command did.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// Whether the command must be journaled: false only for retries answered from memory and
    /// for an import that changed nothing.
    pub journal: bool,
    pub outcome: Outcome,
    /// The SKUs whose views changed.
    pub changed: Vec<SkuCode>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Created,
    Patched,
    Moved(Box<MovementRecord>),
    Order(Answer),
    Expired(usize),
    Forgotten(usize),
    Show,
    /// A room was created (`true`) or changed.
    Room {
        created: bool,
    },
    /// The show ended; the open live-show warnings it closed (see `AlertBook::close_live`).
    ShowEnded(Vec<Alert>),
    Alerts,
    Acked(Box<Alert>),
    Imported(ImportCount),
}

/// The refusal of a command that names a SKU the pool does not hold.
pub(super) fn unknown_sku(code: &SkuCode) -> Refusal {
    Refusal::new(RefusalCode::NotFound, "", format!("no SKU {code}"))
}
