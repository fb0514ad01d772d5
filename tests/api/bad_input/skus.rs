//! The refused SKU creations and patches, and an empty patch that journals nothing.

use super::{Bad, bad, js};
use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(super) fn sku_cases() -> Vec<Bad> {
    use Method as M;
    let p = "/api/v1/skus";
    let sku = |f: &dyn Fn(&mut Value)| {
        let mut v = new_sku("NEW-SKU", 10, 100);
        f(&mut v);
        js(v)
    };
    let many: Vec<Value> = (0..1001)
        .map(|i| new_sku(&format!("MANY-{i}"), 1, 1))
        .collect();
    vec![
        bad(
            "SKU: bad JSON",
            M::POST,
            p,
            OPERATOR,
            "{\"sku\": ",
            400,
            "bad_json",
            None,
        ),
        bad(
            "SKU: a bad code",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["sku"] = json!("bad code!")),
            422,
            "invalid",
            Some("sku"),
        ),
        bad(
            "SKU: an empty code",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["sku"] = json!("")),
            422,
            "invalid",
            Some("sku"),
        ),
        bad(
            "SKU: a 65-character code",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["sku"] = json!("A".repeat(65))),
            422,
            "invalid",
            Some("sku"),
        ),
        bad(
            "SKU: a negative price",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["price_cents"] = json!(-5)),
            422,
            "invalid",
            Some("price_cents"),
        ),
        bad(
            "SKU: on_hand as a string",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["on_hand"] = json!("ten")),
            422,
            "invalid",
            Some("on_hand"),
        ),
        bad(
            "SKU: on_hand over a billion",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["on_hand"] = json!(1_000_000_001)),
            422,
            "invalid",
            Some("on_hand"),
        ),
        bad(
            "SKU: fractional on_hand",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["on_hand"] = json!(2.5)),
            422,
            "invalid",
            Some("on_hand"),
        ),
        bad(
            "SKU: an empty name",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["name"] = json!("")),
            422,
            "invalid",
            Some("name"),
        ),
        bad(
            "SKU: an over-long name",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["name"] = json!("名".repeat(201))),
            422,
            "invalid",
            Some("name"),
        ),
        bad(
            "SKU: no category",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| {
                v.as_object_mut().unwrap().remove("category");
            }),
            422,
            "invalid",
            Some("category"),
        ),
        bad(
            "SKU: an unknown field",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["color"] = json!("black")),
            422,
            "invalid",
            Some("color"),
        ),
        bad(
            "SKU: a per-buyer limit of 0",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| v["per_buyer_limit"] = json!(0)),
            422,
            "invalid",
            Some("per_buyer_limit"),
        ),
        bad(
            "SKU: buffer and damaged above on_hand",
            M::POST,
            p,
            OPERATOR,
            sku(&|v| {
                v["buffer"] = json!(6);
                v["damaged"] = json!(5);
            }),
            422,
            "invalid",
            Some("buffer"),
        ),
        bad(
            "SKU: an array with a bad code",
            M::POST,
            p,
            OPERATOR,
            js(json!([new_sku("NEW-1", 1, 1), new_sku("bad code", 1, 1)])),
            422,
            "invalid",
            Some("[1].sku"),
        ),
        bad(
            "SKU: an array with an existing code",
            M::POST,
            p,
            OPERATOR,
            js(json!([new_sku("NEW-1", 1, 1), new_sku("BAD-A", 1, 1)])),
            409,
            "conflict",
            Some("[1].sku"),
        ),
        bad(
            "SKU: an array naming one code twice",
            M::POST,
            p,
            OPERATOR,
            js(json!([new_sku("NEW-1", 1, 1), new_sku("NEW-1", 1, 1)])),
            409,
            "conflict",
            Some("[1].sku"),
        ),
        bad(
            "SKU: an array of 1001",
            M::POST,
            p,
            OPERATOR,
            js(Value::Array(many)),
            413,
            "too_large",
            None,
        ),
    ]
}

pub(super) fn patch_cases() -> Vec<Bad> {
    use Method as M;
    let p = "/api/v1/skus/BAD-A";
    let o = OPERATOR;
    vec![
        bad(
            "patch: bad JSON",
            M::PATCH,
            p,
            o,
            "{",
            400,
            "bad_json",
            None,
        ),
        bad(
            "patch: a negative buffer",
            M::PATCH,
            p,
            o,
            js(json!({"buffer": -1})),
            422,
            "invalid",
            Some("buffer"),
        ),
        bad(
            "patch: price as a string",
            M::PATCH,
            p,
            o,
            js(json!({"price_cents": "x"})),
            422,
            "invalid",
            Some("price_cents"),
        ),
        bad(
            "patch: a per-buyer limit of 0",
            M::PATCH,
            p,
            o,
            js(json!({"per_buyer_limit": 0})),
            422,
            "invalid",
            Some("per_buyer_limit"),
        ),
        bad(
            "patch: on_hand is not patched",
            M::PATCH,
            p,
            o,
            js(json!({"on_hand": 5})),
            422,
            "invalid",
            Some("on_hand"),
        ),
        bad(
            "patch: an empty name",
            M::PATCH,
            p,
            o,
            js(json!({"name": ""})),
            422,
            "invalid",
            Some("name"),
        ),
        bad(
            "patch: a buffer above what may be sold",
            M::PATCH,
            p,
            o,
            js(json!({"buffer": 1000})),
            409,
            "conflict",
            Some("buffer"),
        ),
        bad(
            "patch: a presale cap below the presale ordered",
            M::PATCH,
            p,
            o,
            js(json!({"presale_cap": 1})),
            409,
            "conflict",
            Some("presale_cap"),
        ),
        bad(
            "patch: an unknown SKU",
            M::PATCH,
            "/api/v1/skus/NO-SUCH-SKU",
            o,
            js(json!({"buffer": 1})),
            404,
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
