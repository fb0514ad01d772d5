//! The alert book: every warning fired, its acknowledgement, and which lines wait to re-arm.

use crate::domain::types::{SkuCode, format_rfc3339};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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

/// What one warning is about: a crossing of one line, by one SKU (or the whole shop).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertKey {
    pub kind: AlertKind,
    pub sku: Option<SkuCode>,
    pub level: u8,
}

/// A warning as API.md shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub kind: AlertKind,
    pub level: u8,
    pub sku: Option<SkuCode>,
    pub value: f64,
    pub threshold: f64,
    pub message_zh: String,
    pub message_en: String,
    #[serde(with = "rfc3339_ms")]
    pub at: i64,
    pub acked_by: Option<String>,
    #[serde(with = "rfc3339_ms_opt")]
    pub acked_at: Option<i64>,
}

impl Alert {
    pub fn key(&self) -> AlertKey {
        AlertKey {
            kind: self.kind,
            sku: self.sku.clone(),
            level: self.level,
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
}

impl AlertBook {
    pub fn get(&self, id: &str) -> Option<&Alert> {
        self.alerts.iter().find(|a| a.id == id)
    }

    /// Records fired alerts and re-armed lines (from a journaled command).
    pub fn apply(&mut self, fired: &[Alert], rearmed: &[AlertKey]) {
        for key in rearmed {
            self.fired.remove(key);
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
    }

    /// Acknowledges an alert; the first acknowledgement stands. Returns the alert, or `None`.
    pub fn ack(&mut self, id: &str, by: &str, now_ms: i64) -> Option<&Alert> {
        let alert = self.alerts.iter_mut().find(|a| a.id == id)?;
        if alert.acked_by.is_none() {
            alert.acked_by = Some(by.to_owned());
            alert.acked_at = Some(now_ms);
        }
        Some(alert)
    }

    /// The open (unacknowledged) surge on `sku`, if one is.
    pub fn open_surge(&self, sku: &SkuCode) -> Option<&Alert> {
        self.alerts.iter().rev().find(|a| {
            a.kind == AlertKind::Surge && a.sku.as_ref() == Some(sku) && a.acked_by.is_none()
        })
    }
}
