//! The refused stock movements, and a receipt signed twice by one person however it is spaced.

use super::{Bad, Target, js};
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(super) fn movement_cases() -> Vec<Bad> {
    let moves = Target::post("/api/v1/skus/BAD-A/movements", WAREHOUSE);
    // A receipt of `qty`, counted by li and verified by wang.
    let receive =
        |qty: Value| js(json!({"kind": "receive", "qty": qty, "by": "li", "verified_by": "wang"}));
    vec![
        moves.bad_json("move: bad JSON", "{kind"),
        moves.invalid("move: receive of 0", receive(json!(0)), "qty"),
        moves.invalid("move: receive of -5", receive(json!(-5)), "qty"),
        moves.invalid(
            "move: receive over a million",
            receive(json!(1_000_001)),
            "qty",
        ),
        moves.invalid("move: fractional qty", receive(json!(1.5)), "qty"),
        moves.invalid("move: qty as a string", receive(json!("3")), "qty"),
        moves.invalid(
            "move: receive by one person",
            js(json!({"kind": "receive", "qty": 5, "by": "li"})),
            "verified_by",
        ),
        moves.invalid(
            "move: receive verified by the same person",
            js(json!({"kind": "receive", "qty": 5, "by": "li", "verified_by": "li"})),
            "verified_by",
        ),
        moves.invalid(
            "move: adjust by 0",
            js(json!({"kind": "adjust", "qty": 0, "reason": "x", "by": "li"})),
            "qty",
        ),
        moves.invalid(
            "move: adjust without a reason",
            js(json!({"kind": "adjust", "qty": 3, "by": "li"})),
            "reason",
        ),
        moves.invalid(
            "move: count below zero",
            js(json!({"kind": "count", "qty": -1, "by": "li"})),
            "qty",
        ),
        moves.invalid(
            "move: an unknown kind",
            js(json!({"kind": "steal", "qty": 1, "by": "li"})),
            "kind",
        ),
        moves.invalid("move: no by", js(json!({"kind": "damage", "qty": 1})), "by"),
        moves.invalid(
            "move: an over-long reason",
            js(json!({"kind": "adjust", "qty": 1, "by": "li", "reason": "r".repeat(501)})),
            "reason",
        ),
        moves.invalid(
            "move: an unknown field",
            js(json!({"kind": "damage", "qty": 1, "by": "li", "color": "red"})),
            "color",
        ),
        moves.conflict(
            "move: damage beyond what may be sold",
            js(json!({"kind": "damage", "qty": 1000, "by": "li"})),
            "qty",
        ),
        moves.conflict(
            "move: undamage beyond the damaged",
            js(json!({"kind": "undamage", "qty": 3, "by": "li"})),
            "qty",
        ),
        moves.conflict(
            "move: adjust below what is held",
            js(json!({"kind": "adjust", "qty": -1000, "reason": "lost", "by": "li"})),
            "qty",
        ),
        moves.conflict(
            "move: count below what is held",
            js(json!({"kind": "count", "qty": 1, "by": "li"})),
            "qty",
        ),
    ]
}

#[tokio::test]
async fn a_receipt_signed_by_one_person_twice_is_refused_however_the_name_is_spaced() {
    let s = TestServer::start();
    s.create_skus(&new_sku("TP-1", 10, 100)).await;
    let seq = s.seq().await;
    for (by, verified_by, field) in [
        ("li", "li ", "verified_by"),
        (" li", "li", "verified_by"),
        (" ", "  ", "by"),
    ] {
        let m = json!({"kind": "receive", "qty": 5, "by": by, "verified_by": verified_by});
        let (st, b) = s.post("/api/v1/skus/TP-1/movements", WAREHOUSE, &m).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{m}: {b}");
        assert_eq!(assert_error(&b, "invalid").as_deref(), Some(field), "{m}");
    }
    assert_eq!(s.sku("TP-1").await["on_hand"], 10);
    assert_eq!(s.seq().await, seq, "no receipt was journaled");
}
