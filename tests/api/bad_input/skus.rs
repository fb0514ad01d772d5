//! The refused SKU creations and patches, and an empty patch that journals nothing.

use super::{Bad, Target, js};
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(super) fn sku_cases() -> Vec<Bad> {
    let skus = Target::post("/api/v1/skus", OPERATOR);
    let sku = |f: &dyn Fn(&mut Value)| {
        let mut v = new_sku("NEW-SKU", 10, 100);
        f(&mut v);
        js(v)
    };
    let many: Vec<Value> = (0..1001)
        .map(|i| new_sku(&format!("MANY-{i}"), 1, 1))
        .collect();
    vec![
        skus.bad_json("SKU: bad JSON", "{\"sku\": "),
        skus.invalid(
            "SKU: a bad code",
            sku(&|v| v["sku"] = json!("bad code!")),
            "sku",
        ),
        skus.invalid("SKU: an empty code", sku(&|v| v["sku"] = json!("")), "sku"),
        skus.invalid(
            "SKU: a 65-character code",
            sku(&|v| v["sku"] = json!("A".repeat(65))),
            "sku",
        ),
        skus.invalid(
            "SKU: a negative price",
            sku(&|v| v["price_cents"] = json!(-5)),
            "price_cents",
        ),
        skus.invalid(
            "SKU: on_hand as a string",
            sku(&|v| v["on_hand"] = json!("ten")),
            "on_hand",
        ),
        skus.invalid(
            "SKU: on_hand over a billion",
            sku(&|v| v["on_hand"] = json!(1_000_000_001)),
            "on_hand",
        ),
        skus.invalid(
            "SKU: fractional on_hand",
            sku(&|v| v["on_hand"] = json!(2.5)),
            "on_hand",
        ),
        skus.invalid(
            "SKU: an empty name",
            sku(&|v| v["name"] = json!("")),
            "name",
        ),
        skus.invalid(
            "SKU: an over-long name",
            sku(&|v| v["name"] = json!("名".repeat(201))),
            "name",
        ),
        skus.invalid(
            "SKU: no category",
            sku(&|v| {
                v.as_object_mut().unwrap().remove("category");
            }),
            "category",
        ),
        skus.invalid(
            "SKU: an unknown field",
            sku(&|v| v["color"] = json!("black")),
            "color",
        ),
        skus.invalid(
            "SKU: a per-buyer limit of 0",
            sku(&|v| v["per_buyer_limit"] = json!(0)),
            "per_buyer_limit",
        ),
        skus.invalid(
            "SKU: buffer and damaged above on_hand",
            sku(&|v| {
                v["buffer"] = json!(6);
                v["damaged"] = json!(5);
            }),
            "buffer",
        ),
        skus.invalid(
            "SKU: an array with a bad code",
            js(json!([new_sku("NEW-1", 1, 1), new_sku("bad code", 1, 1)])),
            "[1].sku",
        ),
        skus.conflict(
            "SKU: an array with an existing code",
            js(json!([new_sku("NEW-1", 1, 1), new_sku("BAD-A", 1, 1)])),
            "[1].sku",
        ),
        skus.conflict(
            "SKU: an array naming one code twice",
            js(json!([new_sku("NEW-1", 1, 1), new_sku("NEW-1", 1, 1)])),
            "[1].sku",
        ),
        skus.too_large("SKU: an array of 1001", js(Value::Array(many))),
    ]
}

pub(super) fn patch_cases() -> Vec<Bad> {
    let patch = Target::patch("/api/v1/skus/BAD-A", OPERATOR);
    vec![
        patch.bad_json("patch: bad JSON", "{"),
        patch.invalid(
            "patch: a negative buffer",
            js(json!({"buffer": -1})),
            "buffer",
        ),
        patch.invalid(
            "patch: price as a string",
            js(json!({"price_cents": "x"})),
            "price_cents",
        ),
        patch.invalid(
            "patch: a per-buyer limit of 0",
            js(json!({"per_buyer_limit": 0})),
            "per_buyer_limit",
        ),
        patch.invalid(
            "patch: on_hand is not patched",
            js(json!({"on_hand": 5})),
            "on_hand",
        ),
        patch.invalid("patch: an empty name", js(json!({"name": ""})), "name"),
        patch.conflict(
            "patch: a buffer above what may be sold",
            js(json!({"buffer": 1000})),
            "buffer",
        ),
        patch.conflict(
            "patch: a presale cap below the presale ordered",
            js(json!({"presale_cap": 1})),
            "presale_cap",
        ),
        Target::patch("/api/v1/skus/NO-SUCH-SKU", OPERATOR).refused(
            "patch: an unknown SKU",
            js(json!({"buffer": 1})),
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        ),
    ]
}

#[tokio::test]
async fn an_empty_patch_is_refused_and_journals_nothing() {
    let s = TestServer::start();
    s.create_skus(&new_sku("EP-1", 10, 100)).await;
    let seq = s.seq().await;
    let (st, b) = s.patch("/api/v1/skus/EP-1", OPERATOR, &json!({})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("body"));
    assert_eq!(s.seq().await, seq, "nothing was journaled");
}
