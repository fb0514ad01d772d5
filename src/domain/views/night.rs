//! The night across rooms: what the board's KPIs and the series add up when several rooms are live
//! at once (API.md "Rooms": "the board shows every live room's KPIs and the whole").

use crate::domain::pool::Pool;
use crate::domain::show::{Show, ShowState};
use crate::domain::types::SkuCode;
use std::collections::BTreeSet;

/// The whole of the shows of one night.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Night {
    pub viewers: i64,
    pub gmv_cents: i64,
    pub orders: i64,
    pub units: i64,
    /// Distinct paying buyers over every room (a buyer in two rooms counts once).
    pub buyers: i64,
    /// The lineups' SKUs, room by room, each once.
    pub lineup: Vec<SkuCode>,
}

impl Pool {
    /// The night that began at `since_ms` (the first room going live): every show started since,
    /// and the shows planned. Without `since_ms`, the latest show started, and the planned ones.
    pub fn night(&self, since_ms: Option<i64>) -> Night {
        let started = |s: &Show| s.started_ms;
        let shows: Vec<&Show> = self.rooms().filter_map(|r| r.show.as_ref()).collect();
        let since = since_ms.or_else(|| shows.iter().filter_map(|s| started(s)).max());
        let mut night = Night::default();
        let mut buyers: BTreeSet<&str> = BTreeSet::new();
        // A planned show counts too: its warm-up viewers are the night's first.
        let in_night = |s: &&Show| match (since, s.started_ms) {
            (Some(since), Some(at)) => at >= since,
            (_, None) => s.state == ShowState::Planned,
            (None, Some(_)) => false,
        };
        for show in shows.iter().copied().filter(in_night) {
            night.viewers += show.viewers;
            night.gmv_cents += show.gmv_cents;
            night.orders += show.orders;
            night.units += show.units;
            buyers.extend(show.buyers.iter().map(String::as_str));
            for item in &show.lineup {
                if !night.lineup.contains(&item.sku) {
                    night.lineup.push(item.sku.clone());
                }
            }
        }
        night.buyers = buyers.len() as i64;
        if night.lineup.is_empty() {
            // Before any show went live: the planned lineups lead the series all the same.
            for show in &shows {
                for item in &show.lineup {
                    if !night.lineup.contains(&item.sku) {
                        night.lineup.push(item.sku.clone());
                    }
                }
            }
        }
        night
    }
}
