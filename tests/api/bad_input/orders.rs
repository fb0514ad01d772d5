//! The refused order events: bad JSON, missing and mistyped fields, bounds, unknown SKUs, and
//! arrays where one bad event refuses the whole request.

use super::{Bad, bad, good_order, js};
use crate::common::*;
use reqwest::Method;
use serde_json::{Value, json};

pub(super) fn order_cases() -> Vec<Bad> {
    use Method as M;
    let o = "/api/v1/orders";
    let qty = |q: Value| good_order("Q", move |e| e["lines"][0]["qty"] = q);
    let long = |n: usize| "x".repeat(n);
    let mut cases = vec![
        bad(
            "bad JSON",
            M::POST,
            o,
            INGEST,
            "{not json",
            400,
            "bad_json",
            None,
        ),
        bad("empty body", M::POST, o, INGEST, "", 400, "bad_json", None),
        bad(
            "truncated JSON",
            M::POST,
            o,
            INGEST,
            &good_order("T", |_| {})[..40],
            400,
            "bad_json",
            None,
        ),
        bad(
            "empty array",
            M::POST,
            o,
            INGEST,
            "[]",
            422,
            "invalid",
            Some("body"),
        ),
        bad(
            "a string body",
            M::POST,
            o,
            INGEST,
            "\"paid\"",
            422,
            "invalid",
            Some("body"),
        ),
        bad(
            "missing channel",
            M::POST,
            o,
            INGEST,
            good_order("M", |e| {
                e.as_object_mut().unwrap().remove("channel");
            }),
            422,
            "invalid",
            Some("channel"),
        ),
        bad(
            "missing order_id",
            M::POST,
            o,
            INGEST,
            good_order("M", |e| {
                e.as_object_mut().unwrap().remove("order_id");
            }),
            422,
            "invalid",
            Some("order_id"),
        ),
        bad(
            "missing kind",
            M::POST,
            o,
            INGEST,
            good_order("M", |e| {
                e.as_object_mut().unwrap().remove("kind");
            }),
            422,
            "invalid",
            Some("kind"),
        ),
        bad(
            "missing line sku",
            M::POST,
            o,
            INGEST,
            good_order("M", |e| {
                e["lines"][0].as_object_mut().unwrap().remove("sku");
            }),
            422,
            "invalid",
            Some("lines[0].sku"),
        ),
        bad(
            "missing line qty",
            M::POST,
            o,
            INGEST,
            good_order("M", |e| {
                e["lines"][0].as_object_mut().unwrap().remove("qty");
            }),
            422,
            "invalid",
            Some("lines[0].qty"),
        ),
        bad(
            "qty as a string",
            M::POST,
            o,
            INGEST,
            qty(json!("2")),
            422,
            "invalid",
            Some("lines[0].qty"),
        ),
        bad(
            "negative qty",
            M::POST,
            o,
            INGEST,
            qty(json!(-1)),
            422,
            "invalid",
            Some("lines[0].qty"),
        ),
        bad(
            "zero qty",
            M::POST,
            o,
            INGEST,
            qty(json!(0)),
            422,
            "invalid",
            Some("lines[0].qty"),
        ),
        bad(
            "qty over a million",
            M::POST,
            o,
            INGEST,
            qty(json!(1_000_001)),
            422,
            "invalid",
            Some("lines[0].qty"),
        ),
        bad(
            "huge qty",
            M::POST,
            o,
            INGEST,
            String::from_utf8(good_order("Q", |_| {}))
                .unwrap()
                .replacen("\"qty\":1", "\"qty\":99999999999999999999999", 1),
            422,
            "invalid",
            Some("lines[0].qty"),
        ),
        bad(
            "fractional qty",
            M::POST,
            o,
            INGEST,
            qty(json!(1.5)),
            422,
            "invalid",
            Some("lines[0].qty"),
        ),
        bad(
            "null qty",
            M::POST,
            o,
            INGEST,
            qty(Value::Null),
            422,
            "invalid",
            Some("lines[0].qty"),
        ),
        bad(
            "channel as a number",
            M::POST,
            o,
            INGEST,
            good_order("W", |e| e["channel"] = json!(5)),
            422,
            "invalid",
            Some("channel"),
        ),
        bad(
            "presale as a string",
            M::POST,
            o,
            INGEST,
            good_order("W", |e| e["presale"] = json!("yes")),
            422,
            "invalid",
            Some("presale"),
        ),
        bad(
            "lines as an object",
            M::POST,
            o,
            INGEST,
            good_order("W", |e| e["lines"] = json!({"sku": "BAD-A"})),
            422,
            "invalid",
            Some("lines"),
        ),
        bad(
            "an unknown field",
            M::POST,
            o,
            INGEST,
            good_order("U", |e| e["coupon"] = json!(5)),
            422,
            "invalid",
            Some("coupon"),
        ),
        bad(
            "an unknown line field",
            M::POST,
            o,
            INGEST,
            good_order("U", |e| e["lines"][0]["discount"] = json!(5)),
            422,
            "invalid",
            Some("lines[0].discount"),
        ),
        bad(
            "an unknown address field",
            M::POST,
            o,
            INGEST,
            good_order("U", |e| e["address"]["zip"] = json!("310000")),
            422,
            "invalid",
            Some("address.zip"),
        ),
        bad(
            "a bad SKU code in a line",
            M::POST,
            o,
            INGEST,
            good_order("S", |e| e["lines"][0]["sku"] = json!("bad code!")),
            422,
            "invalid",
            Some("lines[0].sku"),
        ),
        bad(
            "an unknown SKU in a line",
            M::POST,
            o,
            INGEST,
            good_order("S", |e| e["lines"][0]["sku"] = json!("NO-SUCH-SKU")),
            422,
            "invalid",
            Some("lines[0].sku"),
        ),
        bad(
            "an unknown SKU in a second line",
            M::POST,
            o,
            INGEST,
            good_order(
                "S",
                |e| {
                    e["lines"] =
                        json!([{"sku": "BAD-A", "qty": 1}, {"sku": "NO-SUCH-SKU", "qty": 1}])
                },
            ),
            422,
            "invalid",
            Some("lines[1].sku"),
        ),
        bad(
            "an unknown kind",
            M::POST,
            o,
            INGEST,
            good_order("K", |e| e["kind"] = json!("teleported")),
            422,
            "invalid",
            Some("kind"),
        ),
        bad(
            "an empty order_id",
            M::POST,
            o,
            INGEST,
            good_order("", |_| {}),
            422,
            "invalid",
            Some("order_id"),
        ),
        bad(
            "an over-long order_id",
            M::POST,
            o,
            INGEST,
            good_order(&long(129), |_| {}),
            422,
            "invalid",
            Some("order_id"),
        ),
        bad(
            "a control character in order_id",
            M::POST,
            o,
            INGEST,
            good_order("A\u{1}B", |_| {}),
            422,
            "invalid",
            Some("order_id"),
        ),
        bad(
            "an over-long channel",
            M::POST,
            o,
            INGEST,
            good_order("L", |e| e["channel"] = json!(long(33))),
            422,
            "invalid",
            Some("channel"),
        ),
        bad(
            "an over-long buyer",
            M::POST,
            o,
            INGEST,
            good_order("L", |e| e["buyer"] = json!(long(129))),
            422,
            "invalid",
            Some("buyer"),
        ),
        bad(
            "an over-long address region",
            M::POST,
            o,
            INGEST,
            good_order("L", |e| e["address"]["region"] = json!(long(501))),
            422,
            "invalid",
            Some("address.region"),
        ),
        bad(
            "a negative unit price",
            M::POST,
            o,
            INGEST,
            good_order("P", |e| e["lines"][0]["unit_price_cents"] = json!(-1)),
            422,
            "invalid",
            Some("lines[0].unit_price_cents"),
        ),
        bad(
            "a time that is not RFC 3339",
            M::POST,
            o,
            INGEST,
            good_order("T", |e| e["at"] = json!("yesterday")),
            422,
            "invalid",
            Some("at"),
        ),
        bad(
            "created without lines",
            M::POST,
            o,
            INGEST,
            good_order("N", |e| {
                e.as_object_mut().unwrap().remove("lines");
            }),
            422,
            "invalid",
            Some("lines"),
        ),
        bad(
            "created with empty lines",
            M::POST,
            o,
            INGEST,
            good_order("N", |e| e["lines"] = json!([])),
            422,
            "invalid",
            Some("lines"),
        ),
        bad(
            "an order of 101 lines",
            M::POST,
            o,
            INGEST,
            good_order("N", |e| {
                e["lines"] = Value::Array(vec![json!({"sku": "BAD-A", "qty": 1}); 101])
            }),
            422,
            "invalid",
            Some("lines"),
        ),
        bad(
            "a first paid without lines",
            M::POST,
            o,
            INGEST,
            good_order("N", |e| {
                e["kind"] = json!("paid");
                e.as_object_mut().unwrap().remove("lines");
            }),
            422,
            "invalid",
            Some("lines"),
        ),
    ];
    // Arrays: one bad event refuses the whole request, naming its index.
    let good = |id: &str| serde_json::from_slice::<Value>(&good_order(id, |_| {})).unwrap();
    let bad_qty = serde_json::from_slice::<Value>(&qty(json!(0))).unwrap();
    let mut unknown_sku = good("ARR-3");
    unknown_sku["lines"][0]["sku"] = json!("NO-SUCH-SKU");
    let mut no_lines = good("ARR-4");
    no_lines.as_object_mut().unwrap().remove("lines");
    cases.extend([
        bad(
            "an array with a bad qty in its third event",
            M::POST,
            o,
            INGEST,
            js(json!([good("ARR-1"), good("ARR-2"), bad_qty])),
            422,
            "invalid",
            Some("[2].lines[0].qty"),
        ),
        bad(
            "an array with an unknown SKU in its second event",
            M::POST,
            o,
            INGEST,
            js(json!([good("ARR-1"), unknown_sku])),
            422,
            "invalid",
            Some("[1].lines[0].sku"),
        ),
        bad(
            "an array with a created event without lines",
            M::POST,
            o,
            INGEST,
            js(json!([good("ARR-1"), no_lines])),
            422,
            "invalid",
            Some("[1].lines"),
        ),
    ]);
    let many: Vec<Value> = (0..1001)
        .map(|i| {
            json!({"channel": "douyin", "order_id": format!("MANY-{i}"), "kind": "paid",
                        "lines": [{"sku": "BAD-A", "qty": 1}]})
        })
        .collect();
    cases.push(bad(
        "an array of 1001 events",
        M::POST,
        o,
        INGEST,
        js(Value::Array(many)),
        413,
        "too_large",
        None,
    ));
    let mut huge = good_order("BIG", |e| {
        e["address"]["detail"] = json!("x".repeat(2 << 20))
    });
    huge.truncate((2 << 20) + 4096);
    cases.push(bad(
        "a body over 2 MiB",
        M::POST,
        o,
        INGEST,
        huge,
        413,
        "too_large",
        None,
    ));
    cases
}
