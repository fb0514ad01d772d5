//! Orders across SKUs and buyers: multi-line orders held all or nothing, per-buyer limits,
//! presale's own pool, and refunds that take back the money paid.

use crate::common::*;
use crate::{accept, buckets, reject};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_multi_line_order_is_held_all_or_nothing() {
    let s = TestServer::start();
    s.create_skus(&json!([
        new_sku("ML-A", 10, 100),
        new_sku("ML-B", 10, 200),
        new_sku("ML-C", 1, 300)
    ]))
    .await;
    let before = stable_views(&s.skus().await);
    let lines = [("ML-A", 2), ("ML-B", 3), ("ML-C", 2)];
    let (st, a) = s.orders(&event("douyin", "ML-1", "created", &lines)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{a}");
    assert_eq!(
        assert_error(&a, "out_of_stock").as_deref(),
        Some("lines[2].qty")
    );
    reject(&s, &event("taobao", "ML-2", "paid", &lines), "out_of_stock").await;
    // Two lines of one SKU add up.
    reject(
        &s,
        &event("jd", "ML-3", "created", &[("ML-A", 6), ("ML-A", 5)]),
        "out_of_stock",
    )
    .await;
    assert_eq!(
        stable_views(&s.skus().await),
        before,
        "a short line holds nothing on the others"
    );

    accept(
        &s,
        &event(
            "douyin",
            "ML-4",
            "created",
            &[("ML-A", 2), ("ML-B", 3), ("ML-C", 1)],
        ),
    )
    .await;
    assert_eq!(buckets(&s, "ML-A").await.0, 2);
    assert_eq!(buckets(&s, "ML-B").await.0, 3);
    assert_eq!(buckets(&s, "ML-C").await, (1, 0, 0, 0, 0));
    accept(&s, &event("douyin", "ML-4", "paid", &[])).await;
    assert_eq!(buckets(&s, "ML-A").await, (0, 2, 8, 2, 200));
    assert_eq!(buckets(&s, "ML-B").await, (0, 3, 7, 3, 600));
    assert_eq!(buckets(&s, "ML-C").await, (0, 1, 0, 1, 300));
}

#[tokio::test]
async fn per_buyer_limits_hold_across_that_buyers_orders() {
    let s = TestServer::start();
    let mut new = new_sku("LIM-1", 100, 100);
    new["per_buyer_limit"] = json!(2);
    s.create_skus(&new).await;
    let b = |id: &str, kind: &str, buyer: &str, qty: i64| {
        buyer_event("douyin", id, kind, buyer, &[("LIM-1", qty)])
    };
    accept(&s, &b("L-1", "created", "alice", 1)).await;
    accept(&s, &b("L-2", "paid", "alice", 1)).await;
    let (st, a) = s.orders(&b("L-3", "created", "alice", 1)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{a}");
    assert_eq!(a["reason"], "limit_exceeded");
    assert_eq!(
        assert_error(&a, "limit_exceeded").as_deref(),
        Some("lines[0].qty")
    );
    reject(&s, &b("L-4", "paid", "bob", 3), "limit_exceeded").await;
    accept(&s, &b("L-5", "paid", "bob", 2)).await;
    reject(&s, &b("L-6", "created", "bob", 1), "limit_exceeded").await;
    assert_eq!(buckets(&s, "LIM-1").await, (1, 3, 96, 3, 300));
    // A cancelled order no longer counts against its buyer.
    accept(&s, &b("L-1", "cancelled", "alice", 1)).await;
    accept(&s, &b("L-7", "created", "alice", 1)).await;
    reject(&s, &b("L-8", "created", "alice", 1), "limit_exceeded").await;
    assert_eq!(buckets(&s, "LIM-1").await, (1, 3, 96, 3, 300));
}

#[tokio::test]
async fn presale_orders_use_their_own_pool_and_never_touch_spot_stock() {
    let s = TestServer::start();
    let mut new = new_sku("PS-1", 5, 2000);
    new["presale_cap"] = json!(3);
    s.create_skus(&new).await;
    let pre = |id: &str, kind: &str, qty: i64| {
        let mut e = event("douyin", id, kind, &[("PS-1", qty)]);
        e["presale"] = json!(true);
        e
    };
    accept(&s, &pre("P-1", "paid", 2)).await;
    let v = s.sku("PS-1").await;
    assert_eq!(
        (
            &v["presale_sold"],
            &v["committed"],
            &v["available"],
            &v["sold_units"]
        ),
        (&json!(2), &json!(0), &json!(5), &json!(0))
    );
    assert_eq!(v["gmv_cents"], 4000, "presale money counts as GMV");
    reject(&s, &pre("P-2", "paid", 2), "out_of_stock").await;
    // Spot stock sells out on its own.
    accept(&s, &event("douyin", "S-1", "paid", &[("PS-1", 5)])).await;
    reject(
        &s,
        &event("douyin", "S-2", "paid", &[("PS-1", 1)]),
        "out_of_stock",
    )
    .await;
    // A presale hold takes the last presale unit; its cancel gives it back.
    accept(&s, &pre("P-3", "created", 1)).await;
    reject(&s, &pre("P-4", "paid", 1), "out_of_stock").await;
    accept(&s, &event("douyin", "P-3", "cancelled", &[])).await;
    accept(&s, &pre("P-5", "paid", 1)).await;
    let v = s.sku("PS-1").await;
    assert_eq!(
        (
            &v["presale_sold"],
            &v["committed"],
            &v["available"],
            &v["sold_units"]
        ),
        (&json!(3), &json!(5), &json!(0), &json!(5))
    );
    accept(&s, &event("douyin", "P-1", "refunded", &[])).await;
    let v = s.sku("PS-1").await;
    assert_eq!(
        (&v["presale_sold"], &v["committed"], &v["gmv_cents"]),
        (&json!(1), &json!(5), &json!(2000 + 5 * 2000))
    );
}

#[tokio::test]
async fn a_refund_takes_back_the_money_paid_even_after_the_price_changed() {
    let s = TestServer::start();
    s.create_skus(&new_sku("GM-1", 10, 1000)).await;
    accept(&s, &event("douyin", "GM-O1", "paid", &[("GM-1", 2)])).await;
    accept(&s, &event("douyin", "GM-O2", "paid", &[("GM-1", 1)])).await;
    accept(&s, &event("douyin", "GM-O2", "shipped", &[])).await;
    assert_eq!(s.sku("GM-1").await["gmv_cents"], 3000);
    let (st, v) = s
        .patch("/api/v1/skus/GM-1", OPERATOR, &json!({"price_cents": 5000}))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    accept(&s, &event("douyin", "GM-O1", "refunded", &[])).await;
    assert_eq!(
        s.sku("GM-1").await["gmv_cents"],
        1000,
        "refunding 2 units paid at 1000 takes back 2000"
    );
    accept(&s, &event("douyin", "GM-O2", "refunded", &[])).await;
    assert_eq!(
        s.sku("GM-1").await["gmv_cents"],
        0,
        "every payment refunded"
    );
}

#[tokio::test]
async fn an_unknown_sku_is_rejected_on_its_own_and_judged_afresh_once_the_sku_exists() {
    let s = TestServer::start();
    s.create_skus(&new_sku("UK-A", 10, 100)).await;
    let early = event("douyin", "UK-1", "paid", &[("UK-A", 1), ("UK-NEW", 2)]);
    let (st, a) = s.orders(&early).await;
    assert_eq!(st, StatusCode::CONFLICT, "{a}");
    assert_eq!(
        (&a["result"], &a["reason"], &a["order_id"]),
        (&json!("rejected"), &json!("unknown_sku"), &json!("UK-1"))
    );
    assert_eq!(
        assert_error(&a, "unknown_sku").as_deref(),
        Some("lines[1].sku")
    );
    // In an array it is its own answer; the events around it are judged as usual.
    let batch = json!([
        event("douyin", "UK-2", "paid", &[("UK-A", 2)]),
        event("douyin", "UK-3", "created", &[("UK-GONE", 1)]),
        event("douyin", "UK-4", "paid", &[("UK-A", 99)]),
    ]);
    let (st, b) = s.orders(&batch).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let results = b["results"].as_array().expect("one answer per event");
    let got: Vec<(&Value, &Value)> = results
        .iter()
        .map(|r| (&r["result"], &r["reason"]))
        .collect();
    assert_eq!(
        got,
        [
            (&json!("accepted"), &Value::Null),
            (&json!("rejected"), &json!("unknown_sku")),
            (&json!("rejected"), &json!("out_of_stock")),
        ]
    );
    assert_eq!(results[1]["error"]["field"], "lines[0].sku", "{b}");
    let (st, _) = s.order("douyin", "UK-3").await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "an unknown SKU's event is not remembered"
    );
    assert_eq!(buckets(&s, "UK-A").await, (0, 2, 8, 2, 200));
    let (st, _) = s.order("douyin", "UK-1").await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "an unknown SKU's event is not remembered"
    );
    // Once the SKU is created, the very same event is judged afresh.
    s.create_skus(&new_sku("UK-NEW", 5, 300)).await;
    accept(&s, &early).await;
    assert_eq!(buckets(&s, "UK-NEW").await, (0, 2, 3, 2, 600));
    assert_eq!(buckets(&s, "UK-A").await, (0, 3, 7, 3, 300));
}
