//! Importing a sheet of SKUs (SPEC A8, `POST /api/v1/import`): new SKUs are created and existing
//! ones updated in one command, all or none. A changed on-hand count enters the audit trail as an
//! adjustment, so the trail explains every unit the import moved.

use super::Sku;
use super::catalog::{ImportCount, NewSku, SkuUpdate};
use super::commands::{apply_patch, check_new};
use super::movement::{MovementKind, MovementRecord};
use crate::domain::command::{Ctx, Effect, Outcome, Refusal, RefusalCode, unknown_sku};
use crate::domain::pool::Pool;
use crate::domain::types::{Ident, Note, SkuCode};
use std::collections::BTreeSet;

/// The reason an import's adjustment carries in the audit trail.
pub const IMPORT_REASON: &str = "导入 import";
/// The most rows one import may hold.
pub const IMPORT_ROWS_MAX: usize = 10_000;

impl Pool {
    /// Creates `create` and updates `update`, or refuses the whole import naming the first item at
    /// fault (its index counts `create` first, then `update`). Nothing changes before every item
    /// has been checked. An import that changes nothing is not journaled.
    pub(in crate::domain) fn import(
        &mut self,
        create: &[NewSku],
        update: &[SkuUpdate],
        by: &Ident,
        ctx: Ctx,
    ) -> Result<Effect, Refusal> {
        let next = self.check_import(create, update)?;
        let mut count = ImportCount {
            created: create.len(),
            seq: self.seq,
            ..ImportCount::default()
        };
        let mut changed: Vec<SkuCode> = create.iter().map(|n| n.sku.clone()).collect();
        for sku in next {
            let before = &self.skus[&sku.code];
            if *before == sku {
                count.unchanged += 1;
                continue;
            }
            count.updated += 1;
            if sku.on_hand != before.on_hand {
                let record = adjustment(&sku, sku.on_hand - before.on_hand, by, ctx);
                self.ledger.moved(&record);
                self.movements.push(record);
            }
            changed.push(sku.code.clone());
            self.skus.insert(sku.code.clone(), sku);
        }
        for new in create {
            let mut sku = Sku::new(new);
            sku.created_ms = ctx.now_ms;
            self.ledger.created(&new.sku, ctx.now_ms, sku.on_hand);
            self.skus.insert(new.sku.clone(), sku);
        }
        let journal = !changed.is_empty();
        if journal {
            count.seq = ctx.seq;
        }
        Ok(Effect {
            journal,
            outcome: Outcome::Imported(count),
            changed,
        })
    }

    /// Checks every item of an import; answers the updated SKUs, in the order of `update`.
    fn check_import(&self, create: &[NewSku], update: &[SkuUpdate]) -> Result<Vec<Sku>, Refusal> {
        if create.len() + update.len() > IMPORT_ROWS_MAX {
            let msg = format!("an import holds at most {IMPORT_ROWS_MAX} rows");
            return Err(Refusal::new(RefusalCode::Invalid, "", msg));
        }
        let mut seen = BTreeSet::new();
        for (i, new) in create.iter().enumerate() {
            if self.skus.contains_key(&new.sku) || !seen.insert(&new.sku) {
                let msg = format!("SKU {} already exists", new.sku);
                return Err(Refusal::new(RefusalCode::Conflict, "sku", msg).at(i));
            }
            check_new(new).map_err(|r| r.at(i))?;
        }
        let mut next = Vec::with_capacity(update.len());
        for (i, up) in update.iter().enumerate() {
            let at = create.len() + i;
            if !seen.insert(&up.sku) {
                let msg = format!("SKU {} is imported twice", up.sku);
                return Err(Refusal::new(RefusalCode::Conflict, "sku", msg).at(at));
            }
            let sku = self
                .skus
                .get(&up.sku)
                .ok_or_else(|| unknown_sku(&up.sku).at(at))?;
            next.push(updated(sku, up).map_err(|r| r.at(at))?);
        }
        Ok(next)
    }
}

/// The audit-trail record of an import's change of `delta` units on hand.
fn adjustment(sku: &Sku, delta: i64, by: &Ident, ctx: Ctx) -> MovementRecord {
    MovementRecord {
        seq: ctx.seq,
        at_ms: ctx.now_ms,
        sku: sku.code.clone(),
        kind: MovementKind::Adjust,
        delta,
        book: None,
        counted: None,
        reason: Some(Note::new(IMPORT_REASON).expect("the import reason is a valid note")),
        by: by.clone(),
        verified_by: None,
        zone: None,
        batch: None,
    }
}

/// `sku` as the sheet's row sets it, or why it cannot be: stock already held or paid for, or
/// presale units already ordered, that the new numbers would not cover.
fn updated(sku: &Sku, up: &SkuUpdate) -> Result<Sku, Refusal> {
    let mut next = sku.clone();
    apply_patch(&mut next, &up.patch);
    next.on_hand = up.on_hand.get();
    check_stock(
        next.on_hand,
        sku.on_hand,
        next.damaged,
        next.buffer,
        next.held,
        next.committed,
    )
    .map_err(|(field, msg)| Refusal::new(RefusalCode::Conflict, field, msg))?;
    if next.presale_available() < 0 {
        let msg = format!(
            "{} presale units are already ordered",
            sku.presale_held + sku.presale_sold
        );
        return Err(Refusal::new(RefusalCode::Conflict, "presale_cap", msg));
    }
    Ok(next)
}

/// Whether a SKU can stand with `on_hand` units (it had `was_on_hand`) and a buffer of `buffer`:
/// damaged, held and paid units must still be covered (A2: `available >= 0`). The web layer
/// checks a sheet's rows with it against the published views, and the pool again on the SKU.
/// The error names the field to change: `on_hand` when the count went down, else `buffer`.
pub fn check_stock(
    on_hand: i64,
    was_on_hand: i64,
    damaged: i64,
    buffer: i64,
    held: i64,
    committed: i64,
) -> Result<(), (&'static str, String)> {
    if on_hand - damaged - buffer - held - committed >= 0 {
        return Ok(());
    }
    let field = if on_hand < was_on_hand {
        "on_hand"
    } else {
        "buffer"
    };
    let msg = format!(
        "{on_hand} on hand with a buffer of {buffer} leaves less than nothing to sell: {damaged} damaged, {held} held, {committed} paid and unshipped"
    );
    Err((field, msg))
}
