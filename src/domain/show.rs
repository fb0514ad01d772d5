//! The show (SPEC B1–B3): its lineup, state, the product on air, online viewers and the totals
//! of the night, and the view every screen gets of it.

use super::alerts::{AlertBook, AlertKind};
use super::stock::Sku;
use super::types::{Int, Name, SkuCode, Timestamp, format_rfc3339};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most products one lineup may hold.
pub const LINEUP_ITEMS_MAX: usize = 200;
/// The slot a lineup product gets when the run of show gives no next start time.
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
    /// Paid minus refunded while live, in cents.
    pub gmv_cents: i64,
    /// Orders paid minus orders refunded while live.
    pub orders: i64,
    /// Units paid minus units refunded while live.
    pub units: i64,
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
            gmv_cents: 0,
            orders: 0,
            units: 0,
        }
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

    /// The minutes of the slot of lineup item `i`: until the next planned start, or the default.
    pub fn slot_minutes(&self, i: usize) -> i64 {
        let start = self.lineup[i].planned_start;
        let next = self.lineup.get(i + 1).and_then(|n| n.planned_start);
        match (start, next) {
            (Some(a), Some(b)) if b.0 > a.0 => ((b.0 - a.0) / 60_000).max(1),
            _ => SLOT_MINUTES_DEFAULT,
        }
    }

    /// What every screen sees of the show.
    pub fn view(&self, skus: &BTreeMap<SkuCode, Sku>, alerts: &AlertBook) -> ShowView {
        let lineup = self
            .lineup
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let sku = skus.get(&item.sku);
                let available = sku.map_or(0, Sku::available);
                let slot_minutes = self.slot_minutes(i);
                let need = item.planned_rate_per_min.map_or(0, |r| r.get()) * slot_minutes;
                LineupView {
                    sku: item.sku.clone(),
                    name: sku.map(|s| s.name.as_str().to_owned()).unwrap_or_default(),
                    planned_start: item.planned_start.map(|t| format_rfc3339(t.0)),
                    planned_rate_per_min: item.planned_rate_per_min.map(|r| r.get()),
                    slot_minutes,
                    available,
                    covers: available >= need,
                }
            })
            .collect();
        let on_air = self.current.as_ref().and_then(|c| skus.get(c));
        ShowView {
            title: Some(self.title.as_str().to_owned()),
            state: match self.state {
                ShowState::Planned => "planned",
                ShowState::Live => "live",
                ShowState::Ended => "ended",
            },
            lineup,
            current: self.current.clone(),
            next: self.next().cloned(),
            viewers: self.viewers,
            peak_viewers: self.peak_viewers,
            gmv_cents: self.gmv_cents,
            orders: self.orders,
            units: self.units,
            started_at: self.started_ms.map(format_rfc3339),
            ended_at: self.ended_ms.map(format_rfc3339),
            prompt: on_air.and_then(|sku| prompt_for(sku, alerts.open_surge(&sku.code).is_some())),
            restock_requests: restock_requests(skus, alerts),
        }
    }
}

/// A host prompt in both languages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prompt {
    pub zh: String,
    pub en: String,
}

/// The restocks asked for by open surge warnings, newest first.
fn restock_requests(skus: &BTreeMap<SkuCode, Sku>, alerts: &AlertBook) -> Vec<RestockRequest> {
    let mut seen = Vec::new();
    alerts
        .alerts
        .iter()
        .rev()
        .filter(|a| a.kind == AlertKind::Surge && a.acked_by.is_none())
        .filter_map(|a| {
            let code = a.sku.as_ref()?;
            if seen.contains(&code) {
                return None;
            }
            seen.push(code);
            let name = skus
                .get(code)
                .map(|s| s.name.as_str().to_owned())
                .unwrap_or_default();
            Some(RestockRequest {
                sku: code.clone(),
                reason_zh: format!(
                    "销量激增:每分钟 {:.0} 件,超过警戒线 {:.0} 件",
                    a.value, a.threshold
                ),
                reason_en: format!(
                    "surge: {:.0} units/min, over the line of {:.0}",
                    a.value, a.threshold
                ),
                name,
                at: format_rfc3339(a.at),
            })
        })
        .collect()
}

/// What the host should say about the product on air, if anything.
fn prompt_for(sku: &Sku, surging: bool) -> Option<Prompt> {
    let available = sku.available();
    if available == 0 {
        return Some(Prompt {
            zh: "已抢光!马上上下一个宝贝".to_owned(),
            en: "Sold out! Next product coming up".to_owned(),
        });
    }
    (surging || super::stock::level(available, sku.base) >= 1).then(|| Prompt {
        // The screens show the units left beside it; the prompt is what the host says.
        zh: "库存有限,抓紧拍!".to_owned(),
        en: "Limited stock, order now!".to_owned(),
    })
}

/// One lineup product as the screens see it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineupView {
    pub sku: SkuCode,
    pub name: String,
    pub planned_start: Option<String>,
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
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub prompt: Option<Prompt>,
    pub restock_requests: Vec<RestockRequest>,
}

impl ShowView {
    /// The view when no show was ever created.
    pub fn none() -> Self {
        ShowView {
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
            started_at: None,
            ended_at: None,
            prompt: None,
            restock_requests: Vec::new(),
        }
    }
}
