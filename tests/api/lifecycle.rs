//! The order lifecycle: created, paid, shipped, cancelled, refunded and returned, the invalid
//! transitions, and events parked until the payment they wait for.

use crate::common::*;
use crate::{accept, buckets, order_state, reject};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn an_order_goes_created_paid_shipped_and_a_refund_after_shipping_is_a_return() {
    let s = TestServer::start();
    s.create_skus(&new_sku("LC-1", 10, 1000)).await;
    let ev = |kind: &str| event("douyin", "LC-O1", kind, &[("LC-1", 2)]);
    accept(&s, &ev("created")).await;
    assert_eq!(buckets(&s, "LC-1").await, (2, 0, 8, 0, 0));
    assert_eq!(order_state(&s, "douyin", "LC-O1").await, "held");
    accept(&s, &event("douyin", "LC-O1", "paid", &[])).await;
    assert_eq!(buckets(&s, "LC-1").await, (0, 2, 8, 2, 2000));
    assert_eq!(order_state(&s, "douyin", "LC-O1").await, "paid");
    accept(&s, &event("douyin", "LC-O1", "shipped", &[])).await;
    assert_eq!(buckets(&s, "LC-1").await, (0, 0, 8, 2, 2000));
    assert_eq!(
        s.sku("LC-1").await["on_hand"],
        8,
        "shipped units leave on_hand"
    );
    assert_eq!(order_state(&s, "douyin", "LC-O1").await, "shipped");
    accept(&s, &event("douyin", "LC-O1", "refunded", &[])).await;
    let v = s.sku("LC-1").await;
    assert_eq!(
        (
            &v["on_hand"],
            &v["available"],
            &v["sold_units"],
            &v["gmv_cents"]
        ),
        (&json!(8), &json!(8), &json!(0), &json!(0)),
        "a return refunds the money and leaves the stock until the goods are back"
    );
    assert_eq!(order_state(&s, "douyin", "LC-O1").await, "returned");
}

#[tokio::test]
async fn a_created_order_cancelled_releases_its_hold() {
    let s = TestServer::start();
    s.create_skus(&new_sku("CN-1", 5, 100)).await;
    accept(&s, &event("kuaishou", "CN-O1", "created", &[("CN-1", 5)])).await;
    assert_eq!(buckets(&s, "CN-1").await, (5, 0, 0, 0, 0));
    reject(
        &s,
        &event("kuaishou", "CN-O2", "created", &[("CN-1", 1)]),
        "out_of_stock",
    )
    .await;
    accept(&s, &event("kuaishou", "CN-O1", "cancelled", &[])).await;
    assert_eq!(buckets(&s, "CN-1").await, (0, 0, 5, 0, 0));
    assert_eq!(order_state(&s, "kuaishou", "CN-O1").await, "cancelled");
    reject(
        &s,
        &event("kuaishou", "CN-O1", "paid", &[]),
        "invalid_transition",
    )
    .await;
    assert_eq!(buckets(&s, "CN-1").await, (0, 0, 5, 0, 0));
}

#[tokio::test]
async fn a_paid_order_refunded_before_shipping_goes_back_to_available() {
    let s = TestServer::start();
    s.create_skus(&new_sku("RF-1", 5, 100)).await;
    let mut paid = event("taobao", "RF-O1", "paid", &[("RF-1", 3)]);
    paid["lines"][0]["unit_price_cents"] = json!(90);
    accept(&s, &paid).await;
    assert_eq!(buckets(&s, "RF-1").await, (0, 3, 2, 3, 270));
    accept(&s, &event("taobao", "RF-O1", "refunded", &[])).await;
    assert_eq!(buckets(&s, "RF-1").await, (0, 0, 5, 0, 0));
    assert_eq!(s.sku("RF-1").await["on_hand"], 5);
    assert_eq!(order_state(&s, "taobao", "RF-O1").await, "refunded");
}

#[tokio::test]
async fn invalid_transitions_are_409_invalid_transition_and_change_nothing() {
    let s = TestServer::start();
    s.create_skus(&new_sku("IT-1", 20, 100)).await;
    accept(&s, &event("jd", "HELD", "created", &[("IT-1", 1)])).await;
    accept(&s, &event("jd", "PAID", "paid", &[("IT-1", 1)])).await;
    accept(&s, &event("jd", "GONE", "created", &[("IT-1", 1)])).await;
    accept(&s, &event("jd", "GONE", "cancelled", &[])).await;
    accept(&s, &event("jd", "BACK", "paid", &[("IT-1", 1)])).await;
    accept(&s, &event("jd", "BACK", "refunded", &[])).await;
    let before = stable_views(&s.skus().await);
    // A `shipped` or `refunded` before the payment of a held order is not among them: it is parked
    // (see a_shipment_and_a_refund_posted_before_the_payment_are_parked_and_applied_when_it_comes).
    // For an order never seen, it is.
    for (id, kind) in [
        ("NEVER", "shipped"),
        ("NEVER", "refunded"),
        ("PAID", "cancelled"),
        ("GONE", "paid"),
        ("GONE", "refunded"),
        ("GONE", "shipped"),
        ("BACK", "shipped"),
        ("BACK", "cancelled"),
    ] {
        let (st, a) = s.orders(&event("jd", id, kind, &[])).await;
        assert_eq!(st, StatusCode::CONFLICT, "{kind} on {id}: {a}");
        assert_eq!(a["result"], "rejected", "{kind} on {id}: {a}");
        assert_eq!(a["reason"], "invalid_transition", "{kind} on {id}: {a}");
        assert_error(&a, "invalid_transition");
    }
    assert_eq!(stable_views(&s.skus().await), before);
    assert_eq!(order_state(&s, "jd", "HELD").await, "held");
    assert_eq!(order_state(&s, "jd", "PAID").await, "paid");
    assert_eq!(order_state(&s, "jd", "GONE").await, "cancelled");
    assert_eq!(order_state(&s, "jd", "BACK").await, "refunded");
    // The refusal for an order never seen is not remembered: once the order is in, the channel's
    // retry of the same shipment is judged afresh and ships it.
    accept(&s, &event("jd", "NEVER", "paid", &[("IT-1", 2)])).await;
    accept(&s, &event("jd", "NEVER", "shipped", &[])).await;
    assert_eq!(order_state(&s, "jd", "NEVER").await, "shipped");
    assert_eq!(s.sku("IT-1").await["on_hand"], 18);
}

#[tokio::test]
async fn a_shipment_and_a_refund_posted_before_the_payment_are_parked_and_applied_when_it_comes() {
    let mut s = TestServer::start();
    // PK-A's order arrives out of order; PK-B's twin order arrives in order, for comparison.
    s.create_skus(&json!([
        new_sku("PK-A", 10, 1000),
        new_sku("PK-B", 10, 1000)
    ]))
    .await;
    let ev = |id: &str, kind: &str, sku: &str| {
        let lines: &[(&str, i64)] = if kind == "created" { &[(sku, 3)] } else { &[] };
        event("douyin", id, kind, lines)
    };
    accept(&s, &ev("PK-O1", "created", "PK-A")).await;
    let untouched = s.sku("PK-A").await;
    // The warehouse and the refund desk are faster than the payment webhook: both are accepted.
    let s_shipped = accept(&s, &ev("PK-O1", "shipped", "PK-A")).await;
    let s_refunded = accept(&s, &ev("PK-O1", "refunded", "PK-A")).await;
    let (st, o) = s.order("douyin", "PK-O1").await;
    assert_eq!(st, StatusCode::OK, "{o}");
    assert_eq!(
        (&o["state"], &o["parked"]),
        (&json!("held"), &json!(["shipped", "refunded"]))
    );
    assert_eq!(
        stable_views(&json!([s.sku("PK-A").await])),
        stable_views(&json!([untouched])),
        "a parked event moves no stock"
    );
    // They are durable: a crash and a replay keep them parked.
    s.kill9();
    s.restart();
    assert_eq!(
        s.order("douyin", "PK-O1").await.1["parked"],
        json!(["shipped", "refunded"])
    );
    // A retry answers duplicate with the first seq.
    for (kind, first) in [("shipped", s_shipped), ("refunded", s_refunded)] {
        let (st, a) = s.orders(&ev("PK-O1", kind, "PK-A")).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(
            (&a["result"], &a["seq"]),
            (&json!("duplicate"), &json!(first))
        );
    }
    // The payment comes: the order is paid, shipped and refunded, a return, in one step.
    accept(&s, &ev("PK-O1", "paid", "PK-A")).await;
    let (_, o) = s.order("douyin", "PK-O1").await;
    assert_eq!(
        (&o["state"], &o["parked"]),
        (&json!("returned"), &json!([]))
    );
    for kind in ["created", "paid", "shipped", "refunded"] {
        accept(&s, &ev("PK-O2", kind, "PK-B")).await;
    }
    assert_eq!(order_state(&s, "douyin", "PK-O2").await, "returned");
    let books = |mut v: Value| {
        let o = v.as_object_mut().unwrap();
        for field in ["sku", "name", "rate_per_min", "sellout_minutes"] {
            o.remove(field);
        }
        v
    };
    let (a, b) = (books(s.sku("PK-A").await), books(s.sku("PK-B").await));
    assert_eq!(a, b, "the books as if the events had come in order");
    assert_eq!(
        (&a["on_hand"], &a["held"], &a["committed"], &a["available"]),
        (&json!(7), &json!(0), &json!(0), &json!(7)),
        "the goods left and wait to be received back"
    );
    assert_eq!((&a["sold_units"], &a["gmv_cents"]), (&json!(0), &json!(0)));
}
