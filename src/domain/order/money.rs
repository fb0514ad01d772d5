//! Money that cannot overflow: before a payment or a refund moves GMV, every amount it adds or takes
//! away is worked out with checked maths against the books it lands in (each SKU's GMV and the live
//! show's), and an event the books cannot hold is refused, naming the line, before anything changes.
//! The books are `i64` cents, the width every view and JSON reader gets: 92 quadrillion yuan.

use super::event::{Kind, Line, OrderEvent};
use super::record::{OrderKey, OrderState};
use crate::domain::command::{Refusal, RefusalCode};
use crate::domain::pool::Pool;
use crate::domain::types::{RoomId, SkuCode};

impl Pool {
    /// Refuses an order event whose payment or refund would take a SKU's GMV, or the live show's of the room it is credited to,
    /// past what an `i64` of cents holds. Events that move no money pass.
    pub(super) fn check_books(
        &self,
        key: &OrderKey,
        ev: &OrderEvent,
        room: Option<&RoomId>,
    ) -> Result<(), Refusal> {
        let state = self.orders.get(key).and_then(|o| o.state);
        let stored = || self.orders.get(key).map_or(&[][..], |o| &o.lines[..]);
        let (lines, sign) = match (ev.kind, state) {
            (Kind::Paid, None) => (&ev.lines[..], 1),
            (Kind::Paid, Some(OrderState::Held | OrderState::Expired)) => (stored(), 1),
            (Kind::Refunded, Some(OrderState::Paid | OrderState::Shipped)) => (stored(), -1),
            _ => return Ok(()),
        };
        let mut per_sku: Vec<(&SkuCode, i64)> = Vec::with_capacity(lines.len());
        let live = room
            .and_then(|r| self.rooms.get(r))
            .and_then(|r| r.live_show());
        let mut show_gmv = live.map(|s| s.gmv_cents);
        for (i, line) in lines.iter().enumerate() {
            let overflow = |book: &str| {
                let field = format!("lines[{i}].unit_price_cents");
                let msg = format!("this order would take {book} past what the books hold");
                Refusal::new(RefusalCode::Invalid, &field, msg)
            };
            let cents = self
                .line_cents(line)
                .ok_or_else(|| overflow("the line's amount"))?;
            let sku_gmv = match per_sku.iter_mut().position(|(s, _)| **s == line.sku) {
                Some(at) => &mut per_sku[at].1,
                None => {
                    per_sku.push((&line.sku, self.skus[&line.sku].gmv_cents));
                    &mut per_sku.last_mut().expect("just pushed").1
                }
            };
            *sku_gmv = sku_gmv
                .checked_add(sign * cents)
                .ok_or_else(|| overflow(&format!("the GMV of {}", line.sku)))?;
            if let Some(gmv) = show_gmv.as_mut() {
                *gmv = gmv
                    .checked_add(sign * cents)
                    .ok_or_else(|| overflow("the GMV of the show"))?;
            }
        }
        Ok(())
    }

    /// The amount of one line in cents: its price (the catalog's when it has none) times its units.
    pub(super) fn line_cents(&self, line: &Line) -> Option<i64> {
        let price = line
            .unit_price_cents
            .map_or(self.skus[&line.sku].price_cents, |p| p.get());
        line.qty.get().checked_mul(price)
    }
}
