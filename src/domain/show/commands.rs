//! The show's commands: plan, start, end, the product on air and the viewers.

use super::{LINEUP_ITEMS_MAX, NewShow, Show, ShowState};
use crate::domain::command::{Ctx, Effect, Outcome, Refusal, RefusalCode};
use crate::domain::pool::Pool;
use crate::domain::types::{STOCK_UNITS_MAX, SkuCode};

impl Pool {
    pub(in crate::domain) fn create_show(&mut self, new: &NewShow) -> Result<Effect, Refusal> {
        if self
            .show
            .as_ref()
            .is_some_and(|s| s.state == ShowState::Live)
        {
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
        self.show = Some(Show::new(new));
        Ok(self.show_effect(Vec::new()))
    }

    pub(in crate::domain) fn start_show(&mut self, ctx: Ctx) -> Result<Effect, Refusal> {
        let show = self.show_in(&[ShowState::Planned], "start")?;
        show.state = ShowState::Live;
        show.started_ms = Some(ctx.now_ms);
        let lineup: Vec<SkuCode> = show.lineup.iter().map(|i| i.sku.clone()).collect();
        let mut opening = std::collections::BTreeMap::new();
        for code in &lineup {
            let sku = self.skus.get_mut(code).expect("lineup SKUs are known");
            sku.base = sku.available();
            opening.insert(code.clone(), sku.base);
        }
        let show = self.show.as_mut().expect("checked live above");
        show.opening = opening;
        show.aired.extend(show.current.clone());
        for sku in self.skus.values_mut() {
            sku.peak_rate_per_min = 0;
        }
        Ok(self.show_effect(lineup))
    }

    pub(in crate::domain) fn end_show(&mut self, ctx: Ctx) -> Result<Effect, Refusal> {
        let show = self.show_in(&[ShowState::Live], "end")?;
        show.state = ShowState::Ended;
        show.ended_ms = Some(ctx.now_ms);
        let closed = self.alerts.close_live(ctx.now_ms);
        Ok(Effect {
            outcome: Outcome::ShowEnded(closed),
            ..self.show_effect(Vec::new())
        })
    }

    pub(in crate::domain) fn set_current(&mut self, sku: &SkuCode) -> Result<Effect, Refusal> {
        if !self.skus.contains_key(sku) {
            return Err(Refusal::new(
                RefusalCode::Invalid,
                "sku",
                format!("unknown SKU {sku}"),
            ));
        }
        let show = self.show_in(
            &[ShowState::Planned, ShowState::Live],
            "put a product on air in",
        )?;
        show.current = Some(sku.clone());
        if show.state == ShowState::Live {
            show.aired.insert(sku.clone());
        }
        Ok(self.show_effect(vec![sku.clone()]))
    }

    pub(in crate::domain) fn set_viewers(&mut self, online: i64) -> Result<Effect, Refusal> {
        if !(0..=STOCK_UNITS_MAX).contains(&online) {
            let msg = format!("online must be between 0 and {STOCK_UNITS_MAX}");
            return Err(Refusal::new(RefusalCode::Invalid, "online", msg));
        }
        let show = self.show_in(&[ShowState::Planned, ShowState::Live], "count viewers of")?;
        show.viewers = online;
        show.peak_viewers = show.peak_viewers.max(online);
        Ok(self.show_effect(Vec::new()))
    }

    /// The show, if it is in one of `states`; otherwise a conflict saying what could not be done.
    pub(in crate::domain) fn show_in(
        &mut self,
        states: &[ShowState],
        action: &str,
    ) -> Result<&mut Show, Refusal> {
        match self.show.as_mut() {
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
                format!("there is no show to {action}; create one with POST /api/v1/show"),
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
