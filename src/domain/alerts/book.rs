//! The alert book: every warning fired, its acknowledgement, which lines wait to re-arm, and
//! the one open (unacknowledged) warning per (SKU, kind) that later evaluations update in place.

use crate::domain::types::{RoomId, SkuCode, format_rfc3339};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Alerts kept in the book; the oldest acknowledged ones go first.
pub const ALERTS_KEPT_MAX: usize = 5_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    StockLevel,
    SelloutEta,
    SellThrough,
    MovementRate,
    Turnover,
    Surge,
    SlowMover,
    Fading,
}

impl AlertKind {
    /// Kinds about where a live show is heading (sell-out time, surge, fading hit): moot once
    /// the show has ended, so ending it closes them ([`AlertBook::close_live`]).
    pub const LIVE: [AlertKind; 3] = [AlertKind::SelloutEta, AlertKind::Surge, AlertKind::Fading];

    /// The kind as API.md names it (`stock_level`, `sellout_eta`, ...).
    pub fn name(self) -> &'static str {
        match self {
            AlertKind::StockLevel => "stock_level",
            AlertKind::SelloutEta => "sellout_eta",
            AlertKind::SellThrough => "sell_through",
            AlertKind::MovementRate => "movement_rate",
            AlertKind::Turnover => "turnover",
            AlertKind::Surge => "surge",
            AlertKind::SlowMover => "slow_mover",
            AlertKind::Fading => "fading",
        }
    }
}

/// Who closed the open live-show warnings when the show ended (their `acked_by`).
pub const SHOW_ENDED_BY: &str = "直播结束 show ended";

/// What one warning is about: a crossing of one line, by one SKU (or the whole shop).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertKey {
    pub kind: AlertKind,
    pub sku: Option<SkuCode>,
    pub level: u8,
    /// The room of a per-room warning (a surge or fading hit follows the room's own rate);
    /// `None` for what follows the pool. Absent from journals written before rooms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
}

/// What one open warning is about: a rule (kind) on one SKU, or on the whole shop (`None`), in
/// one room or for the pool (`None`).
pub type Topic = (AlertKind, Option<SkuCode>, Option<RoomId>);

/// A warning as API.md shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub kind: AlertKind,
    pub level: u8,
    pub sku: Option<SkuCode>,
    /// The room a surge or fading hit is in; `null` for warnings about the pool.
    #[serde(default)]
    pub room: Option<RoomId>,
    pub value: f64,
    pub threshold: f64,
    pub message_zh: String,
    pub message_en: String,
    #[serde(with = "rfc3339_ms")]
    pub at: i64,
    pub acked_by: Option<String>,
    #[serde(with = "rfc3339_ms_opt")]
    pub acked_at: Option<i64>,
    /// When an evaluation last changed its level, value or message in place; `None` (`null`)
    /// until then, and on alerts journaled before warnings were updated.
    #[serde(default, with = "rfc3339_ms_opt")]
    pub updated_at: Option<i64>,
}

impl Alert {
    pub fn topic(&self) -> Topic {
        (self.kind, self.sku.clone(), self.room.clone())
    }

    pub fn key(&self) -> AlertKey {
        AlertKey {
            kind: self.kind,
            sku: self.sku.clone(),
            level: self.level,
            room: self.room.clone(),
        }
    }
}

mod rfc3339_ms {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_rfc3339(*ms))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let raw = String::deserialize(d)?;
        crate::domain::types::parse_rfc3339(&raw).map_err(serde::de::Error::custom)
    }
}

mod rfc3339_ms_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match ms {
            Some(ms) => s.serialize_str(&super::format_rfc3339(*ms)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(raw) => crate::domain::types::parse_rfc3339(&raw)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

/// Every alert fired, and which lines are waiting to re-arm.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertBook {
    pub alerts: Vec<Alert>,
    /// Lines crossed whose warning fired and has not re-armed yet.
    pub fired: BTreeSet<AlertKey>,
    pub next_id: u64,
    /// Derived from `alerts`: the id of the newest unacknowledged alert of each topic, the one an
    /// evaluation updates instead of firing another. Rebuilt after every change ([`Self::reindex`]).
    #[serde(skip)]
    open: BTreeMap<Topic, String>,
}

impl AlertBook {
    pub fn get(&self, id: &str) -> Option<&Alert> {
        self.position(id).map(|i| &self.alerts[i])
    }

    /// Where alert `id` is: ids are `a1`, `a2`, … in the order they fired, so a binary search
    /// finds it (a linear search for an id of another shape, never written by this engine).
    fn position(&self, id: &str) -> Option<usize> {
        let number = |id: &str| id.strip_prefix('a').and_then(|n| n.parse::<u64>().ok());
        match number(id) {
            Some(n) => {
                let i = self
                    .alerts
                    .partition_point(|a| number(&a.id).is_some_and(|m| m < n));
                (self.alerts.get(i).is_some_and(|a| a.id == id)).then_some(i)
            }
            None => self.alerts.iter().position(|a| a.id == id),
        }
    }

    /// The open (unacknowledged) alert of `topic`, if one is: at most one per topic is updated.
    pub fn open(&self, topic: &Topic) -> Option<&Alert> {
        self.open.get(topic).and_then(|id| self.get(id))
    }

    /// Records a journaled verdict: lines `crossed` and `rearmed`, alerts `fired`, and open ones
    /// `updated` in place (same id; their acknowledgement, if any came since, is kept).
    pub fn apply(
        &mut self,
        fired: &[Alert],
        rearmed: &[AlertKey],
        crossed: &[AlertKey],
        updated: &[Alert],
    ) {
        for key in rearmed {
            self.fired.remove(key);
        }
        self.fired.extend(crossed.iter().cloned());
        for new in updated {
            if let Some(i) = self.position(&new.id) {
                let alert = &mut self.alerts[i];
                *alert = Alert {
                    acked_by: alert.acked_by.take(),
                    acked_at: alert.acked_at,
                    ..new.clone()
                };
            }
        }
        for alert in fired {
            self.fired.insert(alert.key());
            self.alerts.push(alert.clone());
            if let Some(n) = alert
                .id
                .strip_prefix('a')
                .and_then(|n| n.parse::<u64>().ok())
            {
                self.next_id = self.next_id.max(n + 1);
            }
        }
        while self.alerts.len() > ALERTS_KEPT_MAX {
            let oldest = self
                .alerts
                .iter()
                .position(|a| a.acked_at.is_some())
                .unwrap_or(0);
            self.alerts.remove(oldest);
        }
        self.reindex();
    }

    /// Rebuilds the open index from `alerts` (after a change, and after loading a snapshot).
    pub fn reindex(&mut self) {
        self.open = self
            .alerts
            .iter()
            .filter(|a| a.acked_by.is_none())
            .map(|a| (a.topic(), a.id.clone()))
            .collect();
    }

    /// Acknowledges an alert; the first acknowledgement stands. Returns the alert, or `None`.
    pub fn ack(&mut self, id: &str, by: &str, now_ms: i64) -> Option<&Alert> {
        let i = self.position(id)?;
        let alert = &mut self.alerts[i];
        if alert.acked_by.is_none() {
            alert.acked_by = Some(by.to_owned());
            alert.acked_at = Some(now_ms);
            self.reindex();
        }
        Some(&self.alerts[i])
    }

    /// Closes the open warnings of a [`AlertKind::LIVE`] kind that `room`'s show ending makes moot,
    /// as acknowledged by [`SHOW_ENDED_BY`] at `now_ms`: its surges and fading hits, and, when it
    /// was the `last` live room, the sell-out predictions (about the pool, which other live rooms
    /// still sell from). Returns the alerts closed, as the book now holds them.
    pub fn close_live(&mut self, room: &RoomId, last: bool, now_ms: i64) -> Vec<Alert> {
        let mut closed = Vec::new();
        for alert in &mut self.alerts {
            let moot = match &alert.room {
                Some(r) => r == room,
                None => last,
            };
            if alert.acked_by.is_none() && AlertKind::LIVE.contains(&alert.kind) && moot {
                alert.acked_by = Some(SHOW_ENDED_BY.to_owned());
                alert.acked_at = Some(now_ms);
                closed.push(alert.clone());
            }
        }
        if !closed.is_empty() {
            self.reindex();
        }
        closed
    }

    /// The open (unacknowledged) surge on `sku` in `room`, if one is.
    pub fn open_surge(&self, sku: &SkuCode, room: &RoomId) -> Option<&Alert> {
        self.open(&(AlertKind::Surge, Some(sku.clone()), Some(room.clone())))
    }
}
