//! The show as every screen and `GET /api/v1/show` see it.

use super::prompt::{prompt_for, restock_requests};
use crate::domain::alerts::book::AlertBook;
use crate::domain::show::room::Room;
use crate::domain::show::{LineupView, Show, ShowState, ShowView};
use crate::domain::stock::{Sku, Skus};
use crate::domain::types::format_rfc3339;

/// What every screen sees of `room`'s `show`, with the SKUs it names and the open warnings.
pub fn show_view(
    room: &Room,
    show: &Show,
    skus: &Skus,
    alerts: &AlertBook,
    slot_minutes_default: i64,
) -> ShowView {
    let lineup = show
        .lineup
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let sku = skus.get(&item.sku);
            let available = sku.map_or(0, Sku::available);
            let slot_minutes = show.slot_minutes(i, slot_minutes_default);
            let need = item.planned_rate_per_min.map_or(0, |r| r.get()) * slot_minutes;
            LineupView {
                sku: item.sku.clone(),
                name: sku.map(|s| s.name.as_str().to_owned()).unwrap_or_default(),
                planned_start: item.planned_start.map(|t| format_rfc3339(t.0)),
                planned_start_ms: item.planned_start.map(|t| t.0),
                planned_rate_per_min: item.planned_rate_per_min.map(|r| r.get()),
                slot_minutes,
                available,
                covers: available >= need,
            }
        })
        .collect();
    let on_air = show.current.as_ref().and_then(|c| skus.get(c));
    let surging = |sku: &Sku| alerts.open_surge(&sku.code, &room.id).is_some();
    let empty = ShowView::none(room);
    ShowView {
        room: empty.room,
        room_name: empty.room_name,
        room_channel: empty.room_channel,
        title: Some(show.title.as_str().to_owned()),
        state: match show.state {
            ShowState::Planned => "planned",
            ShowState::Live => "live",
            ShowState::Ended => "ended",
        },
        lineup,
        current: show.current.clone(),
        next: show.next().cloned(),
        viewers: show.viewers,
        peak_viewers: show.peak_viewers,
        gmv_cents: show.gmv_cents,
        orders: show.orders,
        units: show.units,
        buyers: show.buyers.len() as i64,
        channels: show.channels.clone(),
        started_at: show.started_ms.map(format_rfc3339),
        ended_at: show.ended_ms.map(format_rfc3339),
        prompt: on_air.and_then(|sku| prompt_for(sku, surging(sku))),
        restock_requests: restock_requests(skus, alerts),
    }
}
