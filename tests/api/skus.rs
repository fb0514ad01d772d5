//! The catalog: creating SKUs one at a time or in arrays, conflicts and bad codes, patches that
//! the available stock follows, and an unknown SKU wherever it is named.

use crate::common::*;
use crate::{accept, reject};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn creating_one_sku_answers_201_with_its_stock_view() {
    let s = TestServer::start();
    let mut new = new_sku("HOODIE-BLK-L", 5000, 19900);
    new["buffer"] = json!(100);
    new["damaged"] = json!(20);
    new["per_buyer_limit"] = json!(3);
    new["presale_cap"] = json!(50);
    new["name"] = json!("加绒卫衣 黑 L");
    let v = s.create_skus(&new).await;
    for f in VIEW_FIELDS {
        assert!(v.get(f).is_some(), "the answer lacks {f}: {v}");
    }
    assert_eq!(v["sku"], "HOODIE-BLK-L");
    assert_eq!(v["name"], "加绒卫衣 黑 L");
    assert_eq!(v["available"], 5000 - 100 - 20);
    assert_eq!(v["presale_cap"], 50);
    assert_eq!(
        (
            &v["held"],
            &v["committed"],
            &v["sold_units"],
            &v["gmv_cents"]
        ),
        (&json!(0), &json!(0), &json!(0), &json!(0))
    );
    assert_invariant(&v);
}

#[tokio::test]
async fn creating_an_array_of_skus_answers_201_with_every_view_in_order() {
    let s = TestServer::start();
    let v = s
        .create_skus(&json!([
            new_sku("ARR-2", 3, 500),
            new_sku("ARR-1", 7, 100),
            new_sku("ARR-3", 0, 1)
        ]))
        .await;
    let codes: Vec<&str> = v
        .as_array()
        .expect("an array answer")
        .iter()
        .map(|x| x["sku"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ARR-2", "ARR-1", "ARR-3"]);
    let all = s.skus().await;
    let listed: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["sku"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["ARR-1", "ARR-2", "ARR-3"]);
    for v in all.as_array().unwrap() {
        for f in VIEW_FIELDS {
            assert!(v.get(f).is_some(), "GET /api/v1/skus lacks {f}: {v}");
        }
    }
}

#[tokio::test]
async fn an_existing_sku_code_is_409_conflict_and_an_array_holding_one_creates_nothing() {
    let s = TestServer::start();
    s.create_skus(&new_sku("DUP-1", 10, 100)).await;
    let (st, b) = s
        .post("/api/v1/skus", OPERATOR, &new_sku("DUP-1", 99, 1))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_error(&b, "conflict");
    assert_eq!(s.sku("DUP-1").await["on_hand"], 10);

    let (st, b) = s
        .post(
            "/api/v1/skus",
            OPERATOR,
            &json!([new_sku("NEW-1", 1, 1), new_sku("DUP-1", 1, 1)]),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(assert_error(&b, "conflict").as_deref(), Some("[1].sku"));
    let (st, _) = s.get("/api/v1/skus/NEW-1", VIEWER).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "an array is created all or none");
}

#[tokio::test]
async fn a_bad_sku_code_is_422_naming_sku_and_in_an_array_its_index() {
    let s = TestServer::start();
    for code in ["bad code!", "", "卫衣", &"A".repeat(65)] {
        let (st, b) = s.post("/api/v1/skus", OPERATOR, &new_sku(code, 1, 1)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "code {code:?}: {b}");
        assert_eq!(
            assert_error(&b, "invalid").as_deref(),
            Some("sku"),
            "{code:?}"
        );
    }
    let (st, b) = s
        .post(
            "/api/v1/skus",
            OPERATOR,
            &json!([
                new_sku("OK-1", 1, 1),
                new_sku("OK-2", 1, 1),
                new_sku("no way", 1, 1)
            ]),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("[2].sku"));
    let mut no_price = new_sku("OK-3", 1, 1);
    no_price.as_object_mut().unwrap().remove("price_cents");
    let (st, b) = s
        .post(
            "/api/v1/skus",
            OPERATOR,
            &json!([new_sku("OK-1", 1, 1), no_price]),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        assert_error(&b, "invalid").as_deref(),
        Some("[1].price_cents")
    );
    assert_eq!(s.skus().await, json!([]), "nothing was created");
    assert_eq!(
        s.create_skus(&new_sku("A.b_c-9", 1, 1)).await["sku"],
        "A.b_c-9"
    );
}

#[tokio::test]
async fn patch_changes_buffer_price_and_limit_and_available_follows() {
    let s = TestServer::start();
    let mut new = new_sku("PT-1", 100, 1000);
    new["per_buyer_limit"] = json!(2);
    s.create_skus(&new).await;
    let (st, v) = s
        .patch(
            "/api/v1/skus/PT-1",
            OPERATOR,
            &json!({"buffer": 10, "price_cents": 1250, "name": "新名字", "category": "food"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["buffer"], &v["available"], &v["price_cents"]),
        (&json!(10), &json!(90), &json!(1250))
    );
    assert_eq!(
        (&v["name"], &v["category"]),
        (&json!("新名字"), &json!("food"))
    );
    let got = s.sku("PT-1").await;
    assert_eq!(got["available"], 90);
    assert_eq!(got["price_cents"], 1250);

    // The catalog price is what a line without its own price is sold at.
    accept(&s, &event("douyin", "PT-O1", "paid", &[("PT-1", 1)])).await;
    assert_eq!(s.sku("PT-1").await["gmv_cents"], 1250);

    // The limit is enforced, then cleared by null.
    let b = |id: &str| buyer_event("douyin", id, "paid", "buyer-1", &[("PT-1", 3)]);
    reject(&s, &b("PT-O2"), "limit_exceeded").await;
    let (st, v) = s
        .patch(
            "/api/v1/skus/PT-1",
            OPERATOR,
            &json!({"per_buyer_limit": null}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    accept(&s, &b("PT-O3")).await;
    // An absent field stays as it is.
    let (st, v) = s
        .patch("/api/v1/skus/PT-1", OPERATOR, &json!({"buffer": 0}))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["price_cents"], &v["available"]),
        (&json!(1250), &json!(96))
    );
}

#[tokio::test]
async fn an_unknown_sku_is_404_not_found_wherever_it_is_named() {
    let s = TestServer::start();
    let (st, b) = s.get("/api/v1/skus/NOPE", VIEWER).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&b, "not_found");
    let (st, b) = s
        .patch("/api/v1/skus/NOPE", OPERATOR, &json!({"buffer": 1}))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&b, "not_found");
    let (st, b) = s
        .post(
            "/api/v1/skus/NOPE/movements",
            WAREHOUSE,
            &json!({"kind": "damage", "qty": 1, "by": "li"}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&b, "not_found");
    let (st, b) = s.get("/api/v1/skus/NOPE/movements", VIEWER).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&b, "not_found");
    let (st, b) = s.get("/api/v1/skus/bad%20code!", VIEWER).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&b, "not_found");
    let (st, b) = s.order("douyin", "NEVER").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&b, "not_found");
}

/// `GET /api/v1/skus/{sku}/movements?after_seq=&limit=`: that SKU's trail only, oldest first, in
/// pages that follow each other by journal seq; bad paging is refused naming the parameter.
#[tokio::test]
async fn a_skus_trail_pages_by_after_seq_and_bad_paging_is_refused_by_name() {
    let s = TestServer::start();
    s.create_skus(&json!([
        new_sku("TR-1", 100, 100),
        new_sku("TR-2", 100, 100)
    ]))
    .await;
    let damage = json!({"kind": "damage", "qty": 1, "by": "li"});
    for i in 0..5 {
        let (st, b) = s
            .post("/api/v1/skus/TR-1/movements", WAREHOUSE, &damage)
            .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        if i % 2 == 0 {
            let (st, b) = s
                .post("/api/v1/skus/TR-2/movements", WAREHOUSE, &damage)
                .await;
            assert_eq!(st, StatusCode::CREATED, "{b}");
        }
    }
    let (st, whole) = s.get("/api/v1/skus/TR-1/movements", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{whole}");
    assert_eq!(whole["next_after_seq"], serde_json::Value::Null, "{whole}");
    let whole = whole["movements"].as_array().unwrap().clone();
    assert_eq!(whole.len(), 5, "only TR-1's records: {whole:?}");
    assert!(whole.iter().all(|m| m["sku"] == "TR-1"), "{whole:?}");
    let seqs: Vec<u64> = whole.iter().map(|m| m["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {seqs:?}"
    );

    let mut paged = Vec::new();
    let mut query = "?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let path = format!("/api/v1/skus/TR-1/movements{query}");
        let (st, page) = s.get(&path, VIEWER).await;
        assert_eq!(st, StatusCode::OK, "{path}: {page}");
        pages += 1;
        let records = page["movements"].as_array().unwrap();
        paged.extend(records.iter().cloned());
        match page["next_after_seq"].as_u64() {
            Some(seq) => {
                assert_eq!(records.len(), 2, "only a full page has a next: {page}");
                assert_eq!(records[1]["seq"], seq, "{page}");
                query = format!("?limit=2&after_seq={seq}");
            }
            None => break,
        }
        assert!(
            pages <= 3,
            "five records take three pages of two: {paged:?}"
        );
    }
    assert_eq!(paged, whole, "the pages are the whole trail, in order");
    let (st, tail) = s
        .get(
            &format!("/api/v1/skus/TR-1/movements?after_seq={}", seqs[4]),
            VIEWER,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{tail}");
    assert_eq!(
        tail["movements"],
        json!([]),
        "nothing after the last: {tail}"
    );

    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=1001", "limit"),
        ("?after_seq=-1", "after_seq"),
        ("?after_seq=soon", "after_seq"),
    ] {
        let (st, b) = s
            .get(&format!("/api/v1/skus/TR-1/movements{query}"), VIEWER)
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {b}");
        assert_eq!(
            assert_error(&b, "invalid").as_deref(),
            Some(field),
            "{query}: {b}"
        );
    }
}
