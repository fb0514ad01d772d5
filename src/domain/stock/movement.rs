//! Warehouse movements (SPEC A6): what may be posted, the rules a movement meets whatever the
//! stock, and the record the audit trail keeps.

use crate::domain::types::{Delta, Ident, Note, Qty, SkuCode, Units};
use serde::{Deserialize, Serialize};

/// What a movement does (`POST /api/v1/skus/{sku}/movements`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Goods arrive: `on_hand` rises; two different people sign.
    Receive,
    /// A signed correction with a reason.
    Adjust,
    /// Units found damaged: out of the sellable stock, still on hand.
    Damage,
    /// Damaged units found fine after all.
    Undamage,
    /// A physical count: `qty` is the counted units; the variance becomes an adjustment.
    Count,
}

/// A movement as posted. `qty` is signed for `adjust`, the counted units (≥ 0) for `count`, and
/// positive for the rest; the web layer checks that before it reaches the pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Movement {
    pub kind: MovementKind,
    pub qty: i64,
    #[serde(default)]
    pub reason: Option<Note>,
    pub by: Ident,
    #[serde(default)]
    pub verified_by: Option<Ident>,
    #[serde(default)]
    pub zone: Option<Ident>,
    #[serde(default)]
    pub batch: Option<Ident>,
}

impl Movement {
    /// Checks the rules a movement must meet whatever the stock is; names the field at fault.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let qty_ok = match self.kind {
            MovementKind::Adjust => self.qty != 0 && Delta::new(self.qty).is_ok(),
            MovementKind::Count => Units::new(self.qty).is_ok(),
            _ => Qty::new(self.qty).is_ok(),
        };
        if !qty_ok {
            let want = match self.kind {
                MovementKind::Adjust => "a non-zero signed number of units (±1,000,000)",
                MovementKind::Count => "the counted units (0 or more)",
                _ => "a positive number of units (at most 1,000,000)",
            };
            return Err(("qty", format!("qty must be {want}")));
        }
        if self.kind == MovementKind::Receive {
            match &self.verified_by {
                None => {
                    return Err((
                        "verified_by",
                        "a receipt needs a second person in verified_by".to_owned(),
                    ));
                }
                Some(v) if v.same_as(&self.by) => {
                    return Err((
                        "verified_by",
                        "verified_by must be a different person from by".to_owned(),
                    ));
                }
                Some(_) => {}
            }
        }
        if self.kind == MovementKind::Adjust
            && self
                .reason
                .as_ref()
                .is_none_or(|r| r.as_str().trim().is_empty())
        {
            return Err(("reason", "an adjustment needs a reason".to_owned()));
        }
        Ok(())
    }
}

/// A movement in the audit trail: who, when, why, and the journal sequence number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementRecord {
    pub seq: u64,
    pub at_ms: i64,
    pub sku: SkuCode,
    pub kind: MovementKind,
    /// Units moved into `on_hand` (receive, adjust, count) or into `damaged` (damage, undamage), signed.
    pub delta: i64,
    /// For a count: the units on the book before it.
    pub book: Option<i64>,
    /// For a count: the counted units.
    pub counted: Option<i64>,
    pub reason: Option<Note>,
    pub by: Ident,
    pub verified_by: Option<Ident>,
    pub zone: Option<Ident>,
    pub batch: Option<Ident>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_needs_two_different_people() {
        let m = |by: &str, verified: Option<&str>| Movement {
            kind: MovementKind::Receive,
            qty: 5,
            reason: None,
            by: Ident::new(by).unwrap(),
            verified_by: verified.map(|v| Ident::new(v).unwrap()),
            zone: None,
            batch: None,
        };
        assert_eq!(m("li", None).check().unwrap_err().0, "verified_by");
        assert_eq!(m("li", Some("li")).check().unwrap_err().0, "verified_by");
        assert!(m("li", Some("wang")).check().is_ok());
    }
}
