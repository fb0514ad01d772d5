//! The show's commands, each on one room: plan, start, end, the product on air and the viewers.

use super::{LINEUP_ITEMS_MAX, NewShow, Show, ShowState};
use crate::domain::command::{Ctx, Effect, Outcome, Refusal, RefusalCode};
use crate::domain::pool::Pool;
use crate::domain::types::{RoomId, STOCK_UNITS_MAX, SkuCode};

impl Pool {
    pub(in crate::domain) fn create_show(
        &mut self,
        room: &RoomId,
        new: &NewShow,
    ) -> Result<Effect, Refusal> {
        let current = self.room_mut(room)?;
        if current.is_live() {
            let msg = "a show is live; end it before planning the next";
            return Err(Refusal::new(RefusalCode::Conflict, "", msg));
        }
        if new.lineup.len() > LINEUP_ITEMS_MAX {
            let msg = format!("a lineup has at most {} products", LINEUP_ITEMS_MAX);
            return Err(Refusal::new(RefusalCode::Invalid, "lineup", msg));
        }
        for (i, item) in new.lineup.iter().enumerate() {
            if !self.skus.contains_key(&item.sku) {
                let field = format!("lineup[{i}].sku");
                return Err(Refusal::new(
                    RefusalCode::Invalid,
                    &field,
                    format!("unknown SKU {}", item.sku),
                ));
            }
            if new.lineup[..i].iter().any(|o| o.sku == item.sku) {
                let field = format!("lineup[{i}].sku");
                return Err(Refusal::new(
                    RefusalCode::Invalid,
                    &field,
                    format!("{} is already in the lineup", item.sku),
                ));
            }
        }
        self.room_mut(room)?.show = Some(Show::new(new));
        Ok(self.show_effect(Vec::new()))
    }

    /// Goes live. Each lineup SKU's base is fixed at its available units, and its peak rate
    /// starts again, unless another live room already sells it: their show's figures stand.
    pub(in crate::domain) fn start_show(
        &mut self,
        room: &RoomId,
        ctx: Ctx,
    ) -> Result<Effect, Refusal> {
        let show = self.show_in(room, &[ShowState::Planned], "start")?;
        show.state = ShowState::Live;
        show.started_ms = Some(ctx.now_ms);
        show.started_seq = Some(ctx.seq);
        let lineup: Vec<SkuCode> = show.lineup.iter().map(|i| i.sku.clone()).collect();
        let shared: Vec<SkuCode> = self
            .other_live_rooms(room)
            .filter_map(|r| r.show.as_ref())
            .flat_map(|s| s.lineup.iter().map(|i| i.sku.clone()))
            .collect();
        let mut opening = std::collections::BTreeMap::new();
        for code in &lineup {
            let sku = self.skus.get_mut(code).expect("lineup SKUs are known");
            if !shared.contains(code) {
                sku.base = sku.available();
            }
            opening.insert(code.clone(), sku.available());
        }
        let first_live = self.other_live_rooms(room).next().is_none();
        let show = self.show_mut(room).expect("checked live above");
        show.opening = opening;
        show.aired.extend(show.current.clone());
        if first_live {
            for sku in self.skus.values_mut() {
                sku.peak_rate_per_min = 0;
            }
        }
        Ok(self.show_effect(lineup))
    }

    /// Ends a room's show: its open surges and fading hits close, and the sell-out predictions too
    /// once no other room is live.
    pub(in crate::domain) fn end_show(
        &mut self,
        room: &RoomId,
        ctx: Ctx,
    ) -> Result<Effect, Refusal> {
        let show = self.show_in(room, &[ShowState::Live], "end")?;
        show.state = ShowState::Ended;
        show.ended_ms = Some(ctx.now_ms);
        let last = self.other_live_rooms(room).next().is_none();
        let closed = self.alerts.close_live(room, last, ctx.now_ms);
        Ok(Effect {
            outcome: Outcome::ShowEnded(closed),
            ..self.show_effect(Vec::new())
        })
    }

    pub(in crate::domain) fn set_current(
        &mut self,
        room: &RoomId,
        sku: &SkuCode,
    ) -> Result<Effect, Refusal> {
        if !self.skus.contains_key(sku) {
            return Err(Refusal::new(
                RefusalCode::Invalid,
                "sku",
                format!("unknown SKU {sku}"),
            ));
        }
        let show = self.show_in(
            room,
            &[ShowState::Planned, ShowState::Live],
            "put a product on air in",
        )?;
        show.current = Some(sku.clone());
        if show.state == ShowState::Live {
            show.aired.insert(sku.clone());
        }
        Ok(self.show_effect(vec![sku.clone()]))
    }

    pub(in crate::domain) fn set_viewers(
        &mut self,
        room: &RoomId,
        online: i64,
    ) -> Result<Effect, Refusal> {
        if !(0..=STOCK_UNITS_MAX).contains(&online) {
            let msg = format!("online must be between 0 and {STOCK_UNITS_MAX}");
            return Err(Refusal::new(RefusalCode::Invalid, "online", msg));
        }
        let show = self.show_in(
            room,
            &[ShowState::Planned, ShowState::Live],
            "count viewers of",
        )?;
        show.viewers = online;
        show.peak_viewers = show.peak_viewers.max(online);
        Ok(self.show_effect(Vec::new()))
    }

    /// The room, or `not_found` naming it.
    fn room_mut(&mut self, room: &RoomId) -> Result<&mut super::room::Room, Refusal> {
        self.rooms.get_mut(room).ok_or_else(|| {
            let msg = format!("no room {room}; create it with POST /api/v1/rooms");
            Refusal::new(RefusalCode::NotFound, "", msg)
        })
    }

    fn show_mut(&mut self, room: &RoomId) -> Option<&mut Show> {
        self.rooms.get_mut(room)?.show.as_mut()
    }

    /// The room's show, if it is in one of `states`; otherwise a conflict saying what could not be
    /// done (or `not_found` for a room the shop does not have).
    pub(in crate::domain) fn show_in(
        &mut self,
        room: &RoomId,
        states: &[ShowState],
        action: &str,
    ) -> Result<&mut Show, Refusal> {
        let path = if room.is_main() {
            "/api/v1/show".to_owned()
        } else {
            format!("/api/v1/rooms/{room}/show")
        };
        match self.room_mut(room)?.show.as_mut() {
            Some(show) if states.contains(&show.state) => Ok(show),
            Some(show) => {
                let state = serde_json::to_value(show.state).unwrap_or_default();
                let msg = format!(
                    "cannot {action} a show that is {}",
                    state.as_str().unwrap_or("?")
                );
                Err(Refusal::new(RefusalCode::Conflict, "", msg))
            }
            None => Err(Refusal::new(
                RefusalCode::Conflict,
                "",
                format!("there is no show to {action}; create one with POST {path}"),
            )),
        }
    }

    pub(in crate::domain) fn show_effect(&self, changed: Vec<SkuCode>) -> Effect {
        Effect {
            journal: true,
            outcome: Outcome::Show,
            changed,
        }
    }
}
