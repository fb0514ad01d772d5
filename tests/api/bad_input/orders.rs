//! The refused order events: bad JSON, missing and mistyped fields, bounds, and arrays where one
//! bad event refuses the whole request. (An unknown SKU is not bad input: see `orders.rs`.)

use super::{Bad, Target, good_order, js, without};
use crate::common::*;
use serde_json::{Value, json};

pub(super) fn order_cases() -> Vec<Bad> {
    let orders = Target::post("/api/v1/orders", INGEST);
    let qty = |q: Value| good_order("Q", move |e| e["lines"][0]["qty"] = q);
    let long = |n: usize| "x".repeat(n);
    let mut cases = vec![
        orders.bad_json("bad JSON", "{not json"),
        orders.bad_json("empty body", ""),
        orders.bad_json("truncated JSON", &good_order("T", |_| {})[..40]),
        orders.invalid("empty array", "[]", "body"),
        orders.invalid("a string body", "\"paid\"", "body"),
        orders.invalid(
            "missing channel",
            good_order("M", without("channel")),
            "channel",
        ),
        orders.invalid(
            "missing order_id",
            good_order("M", without("order_id")),
            "order_id",
        ),
        orders.invalid("missing kind", good_order("M", without("kind")), "kind"),
        orders.invalid(
            "missing line sku",
            good_order("M", |e| without("sku")(&mut e["lines"][0])),
            "lines[0].sku",
        ),
        orders.invalid(
            "missing line qty",
            good_order("M", |e| without("qty")(&mut e["lines"][0])),
            "lines[0].qty",
        ),
        orders.invalid("qty as a string", qty(json!("2")), "lines[0].qty"),
        orders.invalid("negative qty", qty(json!(-1)), "lines[0].qty"),
        orders.invalid("zero qty", qty(json!(0)), "lines[0].qty"),
        orders.invalid("qty over a million", qty(json!(1_000_001)), "lines[0].qty"),
        orders.invalid(
            "huge qty",
            String::from_utf8(good_order("Q", |_| {}))
                .unwrap()
                .replacen("\"qty\":1", "\"qty\":99999999999999999999999", 1),
            "lines[0].qty",
        ),
        orders.invalid("fractional qty", qty(json!(1.5)), "lines[0].qty"),
        orders.invalid("null qty", qty(Value::Null), "lines[0].qty"),
        orders.invalid(
            "channel as a number",
            good_order("W", |e| e["channel"] = json!(5)),
            "channel",
        ),
        orders.invalid(
            "presale as a string",
            good_order("W", |e| e["presale"] = json!("yes")),
            "presale",
        ),
        orders.invalid(
            "lines as an object",
            good_order("W", |e| e["lines"] = json!({"sku": "BAD-A"})),
            "lines",
        ),
        orders.invalid(
            "an unknown field",
            good_order("U", |e| e["coupon"] = json!(5)),
            "coupon",
        ),
        orders.invalid(
            "an unknown line field",
            good_order("U", |e| e["lines"][0]["discount"] = json!(5)),
            "lines[0].discount",
        ),
        orders.invalid(
            "an unknown address field",
            good_order("U", |e| e["address"]["zip"] = json!("310000")),
            "address.zip",
        ),
        orders.invalid(
            "a bad SKU code in a line",
            good_order("S", |e| e["lines"][0]["sku"] = json!("bad code!")),
            "lines[0].sku",
        ),
        orders.invalid(
            "an unknown kind",
            good_order("K", |e| e["kind"] = json!("teleported")),
            "kind",
        ),
        orders.invalid("an empty order_id", good_order("", |_| {}), "order_id"),
        orders.invalid(
            "an over-long order_id",
            good_order(&long(129), |_| {}),
            "order_id",
        ),
        orders.invalid(
            "a control character in order_id",
            good_order("A\u{1}B", |_| {}),
            "order_id",
        ),
        orders.invalid(
            "an over-long channel",
            good_order("L", |e| e["channel"] = json!(long(33))),
            "channel",
        ),
        orders.invalid(
            "an over-long buyer",
            good_order("L", |e| e["buyer"] = json!(long(129))),
            "buyer",
        ),
        orders.invalid(
            "an over-long address region",
            good_order("L", |e| e["address"]["region"] = json!(long(501))),
            "address.region",
        ),
        orders.invalid(
            "a negative unit price",
            good_order("P", |e| e["lines"][0]["unit_price_cents"] = json!(-1)),
            "lines[0].unit_price_cents",
        ),
        orders.invalid(
            "a time that is not RFC 3339",
            good_order("T", |e| e["at"] = json!("yesterday")),
            "at",
        ),
        orders.invalid(
            "created without lines",
            good_order("N", without("lines")),
            "lines",
        ),
        orders.invalid(
            "created with empty lines",
            good_order("N", |e| e["lines"] = json!([])),
            "lines",
        ),
        orders.invalid(
            "an order of 101 lines",
            good_order("N", |e| {
                e["lines"] = Value::Array(vec![json!({"sku": "BAD-A", "qty": 1}); 101])
            }),
            "lines",
        ),
        orders.invalid(
            "a first paid without lines",
            good_order("N", |e| {
                e["kind"] = json!("paid");
                e.as_object_mut().unwrap().remove("lines");
            }),
            "lines",
        ),
    ];
    // Arrays: one bad event refuses the whole request, naming its index.
    let good = |id: &str| serde_json::from_slice::<Value>(&good_order(id, |_| {})).unwrap();
    let bad_qty = serde_json::from_slice::<Value>(&qty(json!(0))).unwrap();
    let mut no_lines = good("ARR-4");
    no_lines.as_object_mut().unwrap().remove("lines");
    cases.extend([
        orders.invalid(
            "an array with a bad qty in its third event",
            js(json!([good("ARR-1"), good("ARR-2"), bad_qty])),
            "[2].lines[0].qty",
        ),
        orders.invalid(
            "an array with a created event without lines",
            js(json!([good("ARR-1"), no_lines])),
            "[1].lines",
        ),
    ]);
    let many: Vec<Value> = (0..1001)
        .map(|i| {
            json!({"channel": "douyin", "order_id": format!("MANY-{i}"), "kind": "paid",
                        "lines": [{"sku": "BAD-A", "qty": 1}]})
        })
        .collect();
    cases.push(orders.too_large("an array of 1001 events", js(Value::Array(many))));
    let mut huge = good_order("BIG", |e| {
        e["address"]["detail"] = json!("x".repeat(2 << 20))
    });
    huge.truncate((2 << 20) + 4096);
    cases.push(orders.too_large("a body over 2 MiB", huge));
    cases
}
