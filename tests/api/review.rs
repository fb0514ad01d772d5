//! The post-show review (API.md "The show", SPEC B5), end to end: a show with every kind of
//! anomaly planted, each found with its orders and buyer; the unpaid order kept apart from sales;
//! the review's downloads; and what it answers before a show.

use crate::accept;
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A paid order of `buyer` for `qty` hoodies, shipping to a good address of its own.
fn paid(id: &str, buyer: &str, qty: i64) -> Value {
    let mut e = buyer_event("douyin", id, "paid", buyer, &[("RV-HOODIE", qty)]);
    e["address"] = json!({"region": "浙江省杭州市", "detail": format!("西湖区文三路 {id} 号"),
                          "phone_hash": format!("ph-{id}")});
    e
}

/// The anomalies of `kind` in the review.
fn of_kind<'a>(review: &'a Value, kind: &str) -> Vec<&'a Value> {
    let all = review["anomalies"].as_array().expect("a list of anomalies");
    all.iter().filter(|a| a["kind"] == kind).collect()
}

/// The order ids an anomaly names.
fn ids(anomaly: &Value) -> Vec<&str> {
    let orders = anomaly["orders"].as_array().expect("its orders");
    for o in orders {
        assert_eq!(o["channel"], "douyin", "{anomaly}");
    }
    orders
        .iter()
        .map(|o| o["order_id"].as_str().unwrap())
        .collect()
}

/// The one anomaly of `kind`, insisting there is one, with its buyer.
fn single<'a>(review: &'a Value, kind: &str, buyer: Option<&str>) -> &'a Value {
    let found = of_kind(review, kind);
    assert_eq!(found.len(), 1, "one {kind}: {:?}", found);
    let a = found[0];
    assert_eq!(a["buyer"], json!(buyer), "{a}");
    for lang in ["why_zh", "why_en"] {
        assert!(a[lang].as_str().is_some_and(|w| !w.is_empty()), "{a}");
    }
    a
}

#[tokio::test]
async fn a_show_with_every_anomaly_planted_is_reviewed_with_each_found_and_unpaid_kept_apart() {
    let s = TestServer::start();
    s.create_skus(&new_sku("RV-HOODIE", 1_000, 10_000)).await;
    let (st, e) = s.get("/api/v1/show/review", VIEWER).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "no show yet: {e}");
    let show = json!({"title": "复盘专场", "lineup": [{"sku": "RV-HOODIE"}]});
    let (st, b) = s.post("/api/v1/show", OPERATOR, &show).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, e) = s.get("/api/v1/show/review", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "not started: {e}");
    assert_eq!(e["state"], "planned", "{e}");
    for list in ["skus", "unpaid", "anomalies"] {
        assert_eq!(
            e[list],
            json!([]),
            "nothing to review before the start: {e}"
        );
    }
    let (st, b) = s.post("/api/v1/show/start", OPERATOR, &json!({})).await;
    assert_eq!(st, StatusCode::OK, "{b}");

    accept(&s, &paid("BULK-1", "hoarder", 12)).await;
    for i in 0..5 {
        accept(&s, &paid(&format!("REPEAT-{i}"), "repeat", 1)).await;
    }
    for (id, buyer) in [("SH-1", "s1"), ("SH-2", "s2"), ("SH-3", "s3")] {
        let mut e = paid(id, buyer, 1);
        e["address"] = json!({"region": "浙江省杭州市", "detail": "余杭区仓前街道 99 号",
                              "phone_hash": format!("ph-{id}")});
        accept(&s, &e).await;
    }
    let mut no_address = paid("NOADDR-1", "nowhere", 1);
    no_address.as_object_mut().unwrap().remove("address");
    accept(&s, &no_address).await;
    accept(&s, &paid("QUICK-1", "scalper", 2)).await;
    accept(
        &s,
        &buyer_event("douyin", "QUICK-1", "refunded", "scalper", &[]),
    )
    .await;
    let mut held = buyer_event("douyin", "HOLD-1", "created", "slow", &[("RV-HOODIE", 3)]);
    held["address"] = json!({"region": "浙江省", "detail": "滨江区江南大道 1 号"});
    accept(&s, &held).await;

    let (st, r) = s.get("/api/v1/show/review", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["state"], "live");
    assert_eq!(ids(single(&r, "bulk_order", Some("hoarder"))), ["BULK-1"]);
    let repeat = single(&r, "many_orders", Some("repeat"));
    assert_eq!(
        ids(repeat),
        ["REPEAT-0", "REPEAT-1", "REPEAT-2", "REPEAT-3", "REPEAT-4"]
    );
    let shared = single(&r, "shared_address", None);
    assert_eq!(ids(shared), ["SH-1", "SH-2", "SH-3"]);
    assert_eq!(shared["buyers"], json!(["s1", "s2", "s3"]));
    assert_eq!(
        ids(single(&r, "bad_address", Some("nowhere"))),
        ["NOADDR-1"]
    );
    let quick = single(&r, "quick_refund", Some("scalper"));
    assert_eq!(ids(quick), ["QUICK-1"]);
    assert!(
        quick["why_zh"].as_str().unwrap().contains("黄牛"),
        "{quick}"
    );

    // The unpaid order is listed apart and never counted as a sale.
    let unpaid = r["unpaid"].as_array().unwrap();
    assert_eq!(unpaid.len(), 1, "{r}");
    assert_eq!(
        (&unpaid[0]["order_id"], &unpaid[0]["units"]),
        (&json!("HOLD-1"), &json!(3))
    );
    let sku = &r["skus"][0];
    assert_eq!(sku["sku"], "RV-HOODIE");
    assert_eq!(sku["opening"], 1_000);
    let n = |k: &str| sku[k].as_i64().unwrap();
    let sold = 12 + 5 + 3 + 1;
    assert_eq!(
        [
            n("paid_units"),
            n("unpaid_units"),
            n("refunded_units"),
            n("net_units")
        ],
        [sold + 2, 3, 2, sold]
    );
    assert_eq!(n("net_gmv_cents"), sold * 10_000);
    assert_eq!(sku["channels"]["douyin"]["units"], sold);
    assert_eq!(
        (&r["totals"]["net_units"], &r["totals"]["unpaid_orders"]),
        (&json!(sold), &json!(1))
    );
    let view = s.sku("RV-HOODIE").await;
    assert_eq!(view["sold_units"], sold, "the review agrees with the pool");
    assert_eq!(view["channels"]["douyin"]["units"], sold);

    let (st, b) = s.post("/api/v1/show/end", OPERATOR, &json!({})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, r) = s.get("/api/v1/show/review", VIEWER).await;
    assert_eq!((st, &r["state"]), (StatusCode::OK, &json!("ended")));
}

#[tokio::test]
async fn the_review_downloads_as_csv_and_xlsx_and_its_thresholds_come_from_the_config() {
    let s = TestServer::start_with_config("[review]\nbulk_order_units = 3\n");
    s.create_skus(&new_sku("RV-CAP", 100, 1_990)).await;
    let show = json!({"title": "帽子专场", "lineup": [{"sku": "RV-CAP"}]});
    let (st, b) = s.post("/api/v1/show", OPERATOR, &show).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    s.post("/api/v1/show/start", OPERATOR, &json!({})).await;
    accept(
        &s,
        &buyer_event("douyin", "CAP-1", "paid", "three", &[("RV-CAP", 3)]),
    )
    .await;
    let (st, r) = s.get("/api/v1/show/review", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["thresholds"]["bulk_order_units"], 3);
    assert_eq!(ids(single(&r, "bulk_order", Some("three"))), ["CAP-1"]);

    let csv = client()
        .get(s.url("/api/v1/show/review?format=csv"))
        .bearer_auth(VIEWER)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("商品编码,商品名称,开播可售,付款件数"),
        "{text}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("RV-CAP,商品 RV-CAP,100,3,1,"),
        "{text}"
    );
    assert!(text.contains("douyin 3件 ¥59.70"), "{text}");
    let xlsx = client()
        .get(s.url("/api/v1/show/review?format=xlsx&lang=en"))
        .bearer_auth(VIEWER)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
    let (st, e) = s.get("/api/v1/show/review?format=pdf", VIEWER).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(assert_error(&e, "invalid").as_deref(), Some("format"));
}
