//! The catalog and warehouse commands: create SKUs, patch one, move stock. Each checks everything
//! before it changes anything.

use super::Sku;
use super::catalog::{NewSku, SkuPatch};
use super::movement::{Movement, MovementKind, MovementRecord};
use crate::domain::command::{Ctx, Effect, Outcome, Refusal, RefusalCode, unknown_sku};
use crate::domain::pool::Pool;
use crate::domain::types::{STOCK_UNITS_MAX, SkuCode};
use std::collections::BTreeSet;

impl Pool {
    pub(in crate::domain) fn create_skus(
        &mut self,
        skus: &[NewSku],
        ctx: Ctx,
    ) -> Result<Effect, Refusal> {
        let mut seen = BTreeSet::new();
        for (i, new) in skus.iter().enumerate() {
            if self.skus.contains_key(&new.sku) || !seen.insert(&new.sku) {
                let msg = format!("SKU {} already exists", new.sku);
                return Err(Refusal::new(RefusalCode::Conflict, "sku", msg).at(i));
            }
            check_new(new).map_err(|r| r.at(i))?;
        }
        let changed = skus.iter().map(|n| n.sku.clone()).collect();
        for new in skus {
            let mut sku = Sku::new(new);
            sku.created_ms = ctx.now_ms;
            self.ledger.created(&new.sku, ctx.now_ms, sku.on_hand);
            self.skus.insert(new.sku.clone(), sku);
        }
        Ok(Effect {
            journal: true,
            outcome: Outcome::Created,
            changed,
        })
    }

    pub(in crate::domain) fn patch_sku(
        &mut self,
        code: &SkuCode,
        patch: &SkuPatch,
    ) -> Result<Effect, Refusal> {
        let sku = self.skus.get(code).ok_or_else(|| unknown_sku(code))?;
        let next = patched(sku, patch)?;
        self.skus.insert(code.clone(), next);
        Ok(Effect {
            journal: true,
            outcome: Outcome::Patched,
            changed: vec![code.clone()],
        })
    }

    pub(in crate::domain) fn move_stock(
        &mut self,
        code: &SkuCode,
        m: &Movement,
        ctx: Ctx,
    ) -> Result<Effect, Refusal> {
        m.check()
            .map_err(|(field, msg)| Refusal::new(RefusalCode::Invalid, field, msg))?;
        let sku = self.skus.get(code).ok_or_else(|| unknown_sku(code))?;
        let mut next = sku.clone();
        let (mut book, mut counted) = (None, None);
        let delta = match m.kind {
            MovementKind::Receive | MovementKind::Adjust => {
                next.on_hand += m.qty;
                m.qty
            }
            MovementKind::Damage => {
                next.damaged += m.qty;
                m.qty
            }
            MovementKind::Undamage => {
                next.damaged -= m.qty;
                -m.qty
            }
            MovementKind::Count => {
                book = Some(sku.on_hand);
                counted = Some(m.qty);
                next.on_hand = m.qty;
                m.qty - sku.on_hand
            }
        };
        if m.kind == MovementKind::Receive {
            next.base += m.qty;
        }
        if next.on_hand > STOCK_UNITS_MAX {
            let msg = format!("on_hand would pass {STOCK_UNITS_MAX}");
            return Err(Refusal::new(RefusalCode::Invalid, "qty", msg));
        }
        if next.damaged < 0 {
            let msg = format!("only {} units are marked damaged", sku.damaged);
            return Err(Refusal::new(RefusalCode::Conflict, "qty", msg));
        }
        if next.available() < 0 {
            let msg = format!(
                "this would leave less than nothing to sell: {} on hand, {} damaged, {} buffer, {} held, {} committed",
                next.on_hand, next.damaged, next.buffer, next.held, next.committed
            );
            return Err(Refusal::new(RefusalCode::Conflict, "qty", msg));
        }
        let record = MovementRecord {
            seq: ctx.seq,
            at_ms: ctx.now_ms,
            sku: code.clone(),
            kind: m.kind,
            delta,
            book,
            counted,
            reason: m.reason.clone(),
            by: m.by.clone(),
            verified_by: m.verified_by.clone(),
            zone: m.zone.clone(),
            batch: m.batch.clone(),
        };
        self.skus.insert(code.clone(), next);
        self.ledger.moved(&record);
        self.movements.push(record.clone());
        Ok(Effect {
            journal: true,
            outcome: Outcome::Moved(Box::new(record)),
            changed: vec![code.clone()],
        })
    }
}

/// Refuses a new SKU whose opening stock cannot stand (damaged plus buffer above on hand).
pub(super) fn check_new(new: &NewSku) -> Result<(), Refusal> {
    if new.damaged.get() + new.buffer.get() > new.on_hand.get() {
        let msg = "damaged plus buffer cannot exceed on_hand";
        return Err(Refusal::new(RefusalCode::Invalid, "buffer", msg));
    }
    Ok(())
}

/// `sku` with `patch` applied, or why it cannot be: a buffer or a presale cap below what is
/// already taken.
pub(super) fn patched(sku: &Sku, patch: &SkuPatch) -> Result<Sku, Refusal> {
    let mut next = sku.clone();
    apply_patch(&mut next, patch);
    if next.available() < 0 {
        let msg = format!(
            "a buffer of {} would leave less than nothing to sell ({} available now)",
            next.buffer,
            sku.available()
        );
        return Err(Refusal::new(RefusalCode::Conflict, "buffer", msg));
    }
    if next.presale_available() < 0 {
        let msg = format!(
            "{} presale units are already ordered",
            sku.presale_held + sku.presale_sold
        );
        return Err(Refusal::new(RefusalCode::Conflict, "presale_cap", msg));
    }
    Ok(next)
}

/// Sets the catalog fields `patch` names; the caller checks what the result leaves to sell.
pub(super) fn apply_patch(sku: &mut Sku, patch: &SkuPatch) {
    if let Some(v) = &patch.name {
        sku.name = v.clone();
    }
    if let Some(v) = &patch.category {
        sku.category = v.clone();
    }
    if let Some(v) = patch.price_cents {
        sku.price_cents = v.get();
    }
    if let Some(v) = patch.buffer {
        sku.buffer = v.get();
    }
    if let Some(v) = patch.per_buyer_limit {
        sku.per_buyer_limit = v.map(|l| l.get());
    }
    if let Some(v) = patch.presale_cap {
        sku.presale_cap = v.get();
    }
}
