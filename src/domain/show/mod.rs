//! The show (SPEC B1–B3): its lineup, state, the product on air, online viewers and the totals
//! of the night, and the shape of the view every screen gets of it (built in `views::show`).

pub(super) mod commands;
pub mod room;

use super::stock::{ChannelSales, RecentSales};
use super::types::{Int, Name, RoomId, SkuCode, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The most products one lineup may hold.
pub const LINEUP_ITEMS_MAX: usize = 200;
/// The slot a lineup product gets when the run of show gives no next start time, unless configured.
pub const SLOT_MINUTES_DEFAULT: i64 = 10;

/// One product in the run of show, as posted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineupItem {
    pub sku: SkuCode,
    #[serde(default)]
    pub planned_start: Option<Timestamp>,
    #[serde(default)]
    pub planned_rate_per_min: Option<Int<0, 1_000_000>>,
}

/// A show as posted to `POST /api/v1/show`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewShow {
    pub title: Name,
    #[serde(default)]
    pub lineup: Vec<LineupItem>,
    /// When the show is planned to end: the last product's slot runs until then.
    #[serde(default)]
    pub planned_end: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowState {
    Planned,
    Live,
    Ended,
}

/// The show as the pool keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Show {
    pub title: Name,
    pub state: ShowState,
    pub lineup: Vec<LineupItem>,
    pub current: Option<SkuCode>,
    pub viewers: i64,
    pub peak_viewers: i64,
    pub started_ms: Option<i64>,
    pub ended_ms: Option<i64>,
    /// The journal seq of the command that started it: which show of its room this is (absent
    /// from shows started before rooms).
    #[serde(default)]
    pub started_seq: Option<u64>,
    /// When the show is planned to end (epoch ms), if the run of show says.
    #[serde(default)]
    pub planned_end_ms: Option<i64>,
    /// Paid minus refunded while live, in cents.
    pub gmv_cents: i64,
    /// Orders paid minus orders refunded while live.
    pub orders: i64,
    /// Units paid minus units refunded while live.
    pub units: i64,
    /// The night's totals by channel, net of refunds.
    #[serde(default)]
    pub channels: BTreeMap<String, ChannelSales>,
    /// Each lineup SKU's available units when the show went live (the review's opening).
    #[serde(default)]
    pub opening: BTreeMap<SkuCode, i64>,
    /// The products that were on air while the show was live: only these can be fading hits.
    #[serde(default)]
    pub aired: BTreeSet<SkuCode>,
    /// The distinct buyers of orders paid while live (成交人数): the buyer id, or the order itself
    /// (`channel/order_id`) when the channel sends none. A refund does not remove its buyer.
    #[serde(default)]
    pub buyers: BTreeSet<String>,
    /// The room's own last minute of each SKU sold in it while live: its rate, for its surges
    /// and fading hits (the pool's rate is every room's and every unclaimed order's).
    #[serde(default)]
    pub recent: BTreeMap<SkuCode, RecentSales>,
    /// Each SKU's highest rate per minute in this room while live.
    #[serde(default)]
    pub peaks: BTreeMap<SkuCode, i64>,
}

impl Show {
    pub fn new(new: &NewShow) -> Self {
        Show {
            title: new.title.clone(),
            state: ShowState::Planned,
            lineup: new.lineup.clone(),
            current: None,
            viewers: 0,
            peak_viewers: 0,
            started_ms: None,
            ended_ms: None,
            started_seq: None,
            planned_end_ms: new.planned_end.map(|t| t.0),
            gmv_cents: 0,
            orders: 0,
            units: 0,
            channels: BTreeMap::new(),
            opening: BTreeMap::new(),
            aired: BTreeSet::new(),
            buyers: BTreeSet::new(),
            recent: BTreeMap::new(),
            peaks: BTreeMap::new(),
        }
    }

    /// Whether `sku` is on this show's lineup.
    pub fn features(&self, sku: &SkuCode) -> bool {
        self.lineup.iter().any(|i| &i.sku == sku)
    }

    /// The rate per minute this room planned for `sku`, if its lineup says.
    pub fn planned_rate(&self, sku: &SkuCode) -> Option<i64> {
        self.lineup
            .iter()
            .find(|i| &i.sku == sku)
            .and_then(|i| i.planned_rate_per_min)
            .map(|r| r.get())
    }

    /// Units of `sku` sold in this room in the minute up to `now_ms`.
    pub fn last_minute(&self, sku: &SkuCode, now_ms: i64) -> i64 {
        self.recent.get(sku).map_or(0, |r| r.last_minute(now_ms))
    }

    /// Counts `qty` units of `sku` sold in this room at `now_ms` in its rate and peak.
    pub fn record_rate(&mut self, sku: &SkuCode, now_ms: i64, qty: i64) {
        let recent = self.recent.entry(sku.clone()).or_default();
        recent.record(now_ms, qty);
        let rate = recent.last_minute(now_ms);
        let peak = self.peaks.entry(sku.clone()).or_insert(0);
        *peak = (*peak).max(rate);
    }

    /// The product after the one on air in the lineup (the first when nothing is on air yet).
    pub fn next(&self) -> Option<&SkuCode> {
        let after = match &self.current {
            None => 0,
            Some(cur) => match self.lineup.iter().position(|i| &i.sku == cur) {
                Some(i) => i + 1,
                None => 0,
            },
        };
        self.lineup
            .iter()
            .skip(after)
            .map(|i| &i.sku)
            .find(|s| Some(*s) != self.current.as_ref())
    }

    /// The minutes of the slot of lineup item `i`: until the next planned start (for the last
    /// product, the planned end of the show), or `default_minutes` when the run of show does not say.
    pub fn slot_minutes(&self, i: usize, default_minutes: i64) -> i64 {
        let start = self.lineup[i].planned_start.map(|t| t.0);
        let until = match self.lineup.get(i + 1) {
            Some(next) => next.planned_start.map(|t| t.0),
            None => self.planned_end_ms,
        };
        match (start, until) {
            (Some(a), Some(b)) if b > a => ((b - a) / 60_000).max(1),
            _ => default_minutes,
        }
    }
}

/// A host prompt in both languages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prompt {
    pub zh: String,
    pub en: String,
}

/// One lineup product as the screens see it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineupView {
    pub sku: SkuCode,
    pub name: String,
    pub planned_start: Option<String>,
    /// `planned_start` in epoch ms, for the pre-show check's overlapping slots.
    #[serde(skip)]
    pub planned_start_ms: Option<i64>,
    pub planned_rate_per_min: Option<i64>,
    pub slot_minutes: i64,
    pub available: i64,
    /// Whether the available units cover the planned rate over the slot.
    pub covers: bool,
}

/// A restock the board should see: raised by a surge (SPEC C).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RestockRequest {
    pub sku: SkuCode,
    pub name: String,
    pub at: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// The show as every screen and `GET /api/v1/show` see it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShowView {
    /// The room the show is in (`main` for the plain show endpoints), its name and channel.
    pub room: RoomId,
    pub room_name: String,
    pub room_channel: Option<String>,
    pub title: Option<String>,
    /// `none`, `planned`, `live` or `ended`.
    pub state: &'static str,
    pub lineup: Vec<LineupView>,
    pub current: Option<SkuCode>,
    pub next: Option<SkuCode>,
    pub viewers: i64,
    pub peak_viewers: i64,
    pub gmv_cents: i64,
    pub orders: i64,
    pub units: i64,
    /// Distinct paying buyers while live (成交人数).
    pub buyers: i64,
    /// The night's units, orders and GMV by channel, net of refunds.
    pub channels: BTreeMap<String, ChannelSales>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub prompt: Option<Prompt>,
    pub restock_requests: Vec<RestockRequest>,
}

impl ShowView {
    /// The view of `room` when no show was ever created in it.
    pub fn none(room: &room::Room) -> Self {
        ShowView {
            room: room.id.clone(),
            room_name: room.name.as_str().to_owned(),
            room_channel: room.channel.as_ref().map(|c| c.as_str().to_owned()),
            title: None,
            state: "none",
            lineup: Vec::new(),
            current: None,
            next: None,
            viewers: 0,
            peak_viewers: 0,
            gmv_cents: 0,
            orders: 0,
            units: 0,
            buyers: 0,
            channels: BTreeMap::new(),
            started_at: None,
            ended_at: None,
            prompt: None,
            restock_requests: Vec::new(),
        }
    }
}

/// A room and its show's summary, as `GET /api/v1/rooms` lists them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoomSummary<'a> {
    pub room: &'a RoomId,
    pub name: &'a str,
    pub channel: Option<&'a str>,
    pub title: Option<&'a str>,
    /// `none`, `planned`, `live` or `ended`.
    pub state: &'a str,
    pub current: Option<&'a SkuCode>,
    pub viewers: i64,
    pub peak_viewers: i64,
    pub gmv_cents: i64,
    pub orders: i64,
    pub units: i64,
    pub buyers: i64,
}

impl<'a> RoomSummary<'a> {
    pub fn of(view: &'a ShowView) -> Self {
        RoomSummary {
            room: &view.room,
            name: &view.room_name,
            channel: view.room_channel.as_deref(),
            title: view.title.as_deref(),
            state: view.state,
            current: view.current.as_ref(),
            viewers: view.viewers,
            peak_viewers: view.peak_viewers,
            gmv_cents: view.gmv_cents,
            orders: view.orders,
            units: view.units,
            buyers: view.buyers,
        }
    }
}
