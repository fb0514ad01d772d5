//! The refused stock movements, and a receipt signed twice by one person however it is spaced.

use super::{Bad, bad, js};
use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

pub(super) fn movement_cases() -> Vec<Bad> {
    use Method as M;
    let p = "/api/v1/skus/BAD-A/movements";
    let w = WAREHOUSE;
    vec![
        bad(
            "move: bad JSON",
            M::POST,
            p,
            w,
            "{kind",
            400,
            "bad_json",
            None,
        ),
        bad(
            "move: receive of 0",
            M::POST,
            p,
            w,
            js(json!({"kind": "receive", "qty": 0, "by": "li", "verified_by": "wang"})),
            422,
            "invalid",
            Some("qty"),
        ),
        bad(
            "move: receive of -5",
            M::POST,
            p,
            w,
            js(json!({"kind": "receive", "qty": -5, "by": "li", "verified_by": "wang"})),
            422,
            "invalid",
            Some("qty"),
        ),
        bad(
            "move: receive over a million",
            M::POST,
            p,
            w,
            js(json!({"kind": "receive", "qty": 1_000_001, "by": "li", "verified_by": "wang"})),
            422,
            "invalid",
            Some("qty"),
        ),
        bad(
            "move: fractional qty",
            M::POST,
            p,
            w,
            js(json!({"kind": "receive", "qty": 1.5, "by": "li", "verified_by": "wang"})),
            422,
            "invalid",
            Some("qty"),
        ),
        bad(
            "move: qty as a string",
            M::POST,
            p,
            w,
            js(json!({"kind": "receive", "qty": "3", "by": "li", "verified_by": "wang"})),
            422,
            "invalid",
            Some("qty"),
        ),
        bad(
            "move: receive by one person",
            M::POST,
            p,
            w,
            js(json!({"kind": "receive", "qty": 5, "by": "li"})),
            422,
            "invalid",
            Some("verified_by"),
        ),
        bad(
            "move: receive verified by the same person",
            M::POST,
            p,
            w,
            js(json!({"kind": "receive", "qty": 5, "by": "li", "verified_by": "li"})),
            422,
            "invalid",
            Some("verified_by"),
        ),
        bad(
            "move: adjust by 0",
            M::POST,
            p,
            w,
            js(json!({"kind": "adjust", "qty": 0, "reason": "x", "by": "li"})),
            422,
            "invalid",
            Some("qty"),
        ),
        bad(
            "move: adjust without a reason",
            M::POST,
            p,
            w,
            js(json!({"kind": "adjust", "qty": 3, "by": "li"})),
            422,
            "invalid",
            Some("reason"),
        ),
        bad(
            "move: count below zero",
            M::POST,
            p,
            w,
            js(json!({"kind": "count", "qty": -1, "by": "li"})),
            422,
            "invalid",
            Some("qty"),
        ),
        bad(
            "move: an unknown kind",
            M::POST,
            p,
            w,
            js(json!({"kind": "steal", "qty": 1, "by": "li"})),
            422,
            "invalid",
            Some("kind"),
        ),
        bad(
            "move: no by",
            M::POST,
            p,
            w,
            js(json!({"kind": "damage", "qty": 1})),
            422,
            "invalid",
            Some("by"),
        ),
        bad(
            "move: an over-long reason",
            M::POST,
            p,
            w,
            js(json!({"kind": "adjust", "qty": 1, "by": "li", "reason": "r".repeat(501)})),
            422,
            "invalid",
            Some("reason"),
        ),
        bad(
            "move: an unknown field",
            M::POST,
            p,
            w,
            js(json!({"kind": "damage", "qty": 1, "by": "li", "color": "red"})),
            422,
            "invalid",
            Some("color"),
        ),
        bad(
            "move: damage beyond what may be sold",
            M::POST,
            p,
            w,
            js(json!({"kind": "damage", "qty": 1000, "by": "li"})),
            409,
            "conflict",
            Some("qty"),
        ),
        bad(
            "move: undamage beyond the damaged",
            M::POST,
            p,
            w,
            js(json!({"kind": "undamage", "qty": 3, "by": "li"})),
            409,
            "conflict",
            Some("qty"),
        ),
        bad(
            "move: adjust below what is held",
            M::POST,
            p,
            w,
            js(json!({"kind": "adjust", "qty": -1000, "reason": "lost", "by": "li"})),
            409,
            "conflict",
            Some("qty"),
        ),
        bad(
            "move: count below what is held",
            M::POST,
            p,
            w,
            js(json!({"kind": "count", "qty": 1, "by": "li"})),
            409,
            "conflict",
            Some("qty"),
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
