//! Every message the screens' WebSocket (`/ws`) carries, in both directions (API.md "WebSocket").

use crate::domain::alerts::Alert;
use crate::domain::series::{Sample, Series};
use crate::domain::show::{RoomSummary, ShowView};
use crate::domain::stock::StockView;
use crate::domain::types::RoomId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which screen a connection feeds: what its frames carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The control-room board: every SKU, the show, the series.
    Board,
    /// The same as the board, for integrations.
    Feed,
    /// The host's prompt screen: the products on air and next only.
    Host,
    /// The OBS overlay: the products on air and next only.
    Overlay,
}

impl View {
    pub fn parse(raw: &str) -> Option<View> {
        match raw {
            "board" => Some(View::Board),
            "feed" => Some(View::Feed),
            "host" => Some(View::Host),
            "overlay" => Some(View::Overlay),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            View::Board => "board",
            View::Feed => "feed",
            View::Host => "host",
            View::Overlay => "overlay",
        }
    }

    /// Whether the view carries only the stage (on air and next) rather than everything.
    pub fn is_stage(self) -> bool {
        matches!(self, View::Host | View::Overlay)
    }
}

/// What one screen watches: a kind of view, of one room. A stage view shows that room's show
/// only (`main` unless `?room=` says); a board shows every room and focuses the one it asked for,
/// or without `?room=` ([`None`]) the room the night is about (see [`default_focus`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    pub view: View,
    pub room: Option<RoomId>,
}

/// The room a board without `?room=` focuses: `main` while its show is live or no other room is
/// live, else the first live room; a one-room shop always sees `main`.
pub fn default_focus(rooms: &BTreeMap<RoomId, Arc<ShowView>>) -> RoomId {
    let live = |v: &&Arc<ShowView>| v.state == "live";
    let main = rooms.get(&RoomId::main());
    if main.filter(live).is_some() {
        return RoomId::main();
    }
    rooms
        .values()
        .find(live)
        .map_or_else(RoomId::main, |v| v.room.clone())
}

/// Server → client.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    /// The whole state of the view: first, after a resync, and instead of a backlog.
    Snapshot {
        view: &'static str,
        seq: u64,
        /// Whether writes are taken: `ok`, `disk_full` or `failed` (the board's red banner).
        writes: &'static str,
        server_ms: i64,
        /// The room watched: the one asked for, else the one the board focuses.
        room: &'a RoomId,
        skus: &'a [StockView],
        show: &'a ShowView,
        /// Every room's show summary (board and feed views only): the board's room cards.
        #[serde(skip_serializing_if = "Option::is_none")]
        rooms: Option<&'a [RoomSummary<'a>]>,
        alerts: &'a [Alert],
        series: &'a Series,
    },
    /// Only the SKUs that changed since the last frame, with the show; at most one per tick.
    Diff {
        seq: u64,
        /// As in the snapshot; a change of it alone is worth a diff.
        writes: &'static str,
        server_ms: i64,
        skus: &'a [StockView],
        show: &'a ShowView,
        /// As in the snapshot, when any room's show changed.
        #[serde(skip_serializing_if = "Option::is_none")]
        rooms: Option<&'a [RoomSummary<'a>]>,
        #[serde(skip_serializing_if = "Option::is_none")]
        sample: Option<&'a Sample>,
    },
    /// A warning fired (`acked_by` null) or was acknowledged; sent at once, not on the tick.
    Alert { alert: &'a Alert },
    /// The client sent a message the server does not understand; the connection stays open.
    Error { message: &'a str },
}

impl ServerFrame<'_> {
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("frames serialise")
    }
}

/// Client → server.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Send me a fresh snapshot.
    Resync,
}
