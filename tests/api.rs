//! The public contract of API.md, end to end, against the real binary on port 0: roles and tokens,
//! the catalog, the central pool under a flash sale, idempotent retries, the order lifecycle, hold
//! expiry, and bad input that is refused with the error body and changes nothing.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Posts one event and insists it is accepted; returns its seq.
async fn accept(s: &TestServer, ev: &Value) -> u64 {
    let (st, a) = s.orders(ev).await;
    assert_eq!(st, StatusCode::OK, "{ev} answered {a}");
    assert_eq!(a["result"], "accepted", "{ev} answered {a}");
    assert_eq!(a["order_id"], ev["order_id"], "{a}");
    a["seq"].as_u64().expect("an accepted answer has a seq")
}

/// Posts one event and insists it is rejected with `reason` (409 and the error body); returns its seq.
async fn reject(s: &TestServer, ev: &Value, reason: &str) -> u64 {
    let (st, a) = s.orders(ev).await;
    assert_eq!(st, StatusCode::CONFLICT, "{ev} answered {a}");
    assert_eq!(a["result"], "rejected", "{ev} answered {a}");
    assert_eq!(a["reason"], reason, "{ev} answered {a}");
    assert_eq!(a["order_id"], ev["order_id"], "{a}");
    assert_error(&a, reason);
    a["seq"].as_u64().expect("a judged rejection has a seq")
}

/// `(held, committed, available, sold_units, gmv_cents)` of one SKU.
async fn buckets(s: &TestServer, code: &str) -> (i64, i64, i64, i64, i64) {
    let v = s.sku(code).await;
    let n = |k: &str| v[k].as_i64().unwrap();
    (
        n("held"),
        n("committed"),
        n("available"),
        n("sold_units"),
        n("gmv_cents"),
    )
}

async fn order_state(s: &TestServer, channel: &str, id: &str) -> Value {
    let (st, o) = s.order(channel, id).await;
    assert_eq!(st, StatusCode::OK, "GET order {channel}/{id}: {o}");
    o["state"].clone()
}

// ---------------------------------------------------------------------------------------------
// Roles and tokens

#[tokio::test]
async fn a_request_without_a_valid_token_is_401_unauthorized_with_the_error_body() {
    let s = TestServer::start();
    let (st, b) = s.call(Method::GET, "/api/v1/skus", None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&b, "unauthorized");
    let (st, b) = s.get("/api/v1/skus", "not-a-known-token").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&b, "unauthorized");
    let ev = event("douyin", "U-1", "paid", &[("X", 1)]);
    let (st, b) = s
        .call(Method::POST, "/api/v1/orders", None, Some(&ev))
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&b, "unauthorized");
    let (st, b) = s.call(Method::GET, "/", None, None).await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "the board without a token: {b}"
    );
}

#[tokio::test]
async fn ingest_creating_a_sku_is_403_forbidden_and_creates_nothing() {
    let s = TestServer::start();
    let (st, b) = s
        .post("/api/v1/skus", INGEST, &new_sku("ING-1", 10, 100))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_error(&b, "forbidden");
    assert_eq!(s.skus().await, json!([]));
    let (st, _) = s.get("/api/v1/skus/ING-1", VIEWER).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn viewer_reads_stock_but_may_not_post_orders_create_patch_or_move() {
    let s = TestServer::start();
    s.create_skus(&new_sku("VW-1", 10, 100)).await;
    let (st, b) = s.get("/api/v1/skus", VIEWER).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(b.as_array().map(Vec::len), Some(1));
    let (st, _) = s.get("/api/v1/skus/VW-1", VIEWER).await;
    assert_eq!(st, StatusCode::OK);

    let forbidden = [
        (
            Method::POST,
            "/api/v1/orders",
            event("douyin", "V-1", "paid", &[("VW-1", 1)]),
        ),
        (Method::POST, "/api/v1/skus", new_sku("VW-2", 1, 1)),
        (Method::PATCH, "/api/v1/skus/VW-1", json!({"buffer": 5})),
        (
            Method::POST,
            "/api/v1/skus/VW-1/movements",
            json!({"kind": "damage", "qty": 1, "by": "li"}),
        ),
    ];
    for (method, path, body) in forbidden {
        let (st, b) = s
            .call(method.clone(), path, Some(VIEWER), Some(&body))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "viewer {method} {path}: {b}");
        assert_error(&b, "forbidden");
    }
    let v = s.sku("VW-1").await;
    assert_eq!(
        (&v["available"], &v["buffer"], &v["damaged"]),
        (&json!(10), &json!(0), &json!(0))
    );
    assert_eq!(s.skus().await.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn operator_creates_and_patches_skus_and_moves_stock() {
    let s = TestServer::start();
    let (st, v) = s
        .post("/api/v1/skus", OPERATOR, &new_sku("OP-1", 10, 100))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = s
        .patch("/api/v1/skus/OP-1", OPERATOR, &json!({"buffer": 2}))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["available"], 8);
    let (st, m) = s
        .post(
            "/api/v1/skus/OP-1/movements",
            OPERATOR,
            &json!({"kind": "damage", "qty": 1, "by": "wang"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{m}");
    assert_eq!(s.sku("OP-1").await["available"], 7);
}

#[tokio::test]
async fn warehouse_posts_movements_but_not_orders_or_skus() {
    let s = TestServer::start();
    s.create_skus(&new_sku("WH-1", 10, 100)).await;
    let receive = json!({"kind": "receive", "qty": 5, "by": "li", "verified_by": "wang",
                         "zone": "A-01", "batch": "B-7"});
    let (st, m) = s
        .post("/api/v1/skus/WH-1/movements", WAREHOUSE, &receive)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{m}");
    assert_eq!(m["sku"]["on_hand"], 15, "{m}");
    let (st, list) = s.get("/api/v1/skus/WH-1/movements", VIEWER).await;
    assert_eq!(st, StatusCode::OK);
    let list = list["movements"]
        .as_array()
        .expect("a movement list")
        .clone();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (&list[0]["by"], &list[0]["verified_by"]),
        (&json!("li"), &json!("wang"))
    );

    let (st, b) = s
        .post(
            "/api/v1/orders",
            WAREHOUSE,
            &event("douyin", "W-1", "paid", &[("WH-1", 1)]),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    assert_error(&b, "forbidden");
    let (st, b) = s
        .post("/api/v1/skus", WAREHOUSE, &new_sku("WH-2", 1, 1))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    assert_error(&b, "forbidden");
    let v = s.sku("WH-1").await;
    assert_eq!((&v["committed"], &v["on_hand"]), (&json!(0), &json!(15)));
}

#[tokio::test]
async fn admin_may_do_everything() {
    let s = TestServer::start();
    let (st, v) = s
        .post("/api/v1/skus", ADMIN, &new_sku("AD-1", 10, 100))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = s
        .patch("/api/v1/skus/AD-1", ADMIN, &json!({"price_cents": 250}))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = s
        .post(
            "/api/v1/skus/AD-1/movements",
            ADMIN,
            &json!({"kind": "adjust", "qty": -1, "reason": "盘亏", "by": "admin"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, a) = s
        .post(
            "/api/v1/orders",
            ADMIN,
            &event("douyin", "AD-O-1", "paid", &[("AD-1", 2)]),
        )
        .await;
    assert_eq!((st, &a["result"]), (StatusCode::OK, &json!("accepted")));
    let (st, _) = s.get("/api/v1/skus", ADMIN).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.get("/api/v1/orders/douyin/AD-O-1", ADMIN).await;
    assert_eq!(st, StatusCode::OK);
    let v = s.sku("AD-1").await;
    assert_eq!(
        (&v["on_hand"], &v["committed"], &v["gmv_cents"]),
        (&json!(9), &json!(2), &json!(500))
    );
}

#[tokio::test]
async fn a_page_opened_with_a_query_token_is_html_and_sets_a_cookie_that_then_works_alone() {
    let s = TestServer::start();
    let c = client();
    let r = c
        .get(s.url(&format!("/?token={VIEWER}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ctype = r.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(ctype.starts_with("text/html"), "content type {ctype}");
    let cookie = r
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains(VIEWER))
        .expect("a Set-Cookie carrying the token")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "cookie {cookie}");
    let pair = cookie.split(';').next().unwrap().trim().to_owned();

    let r = c
        .get(s.url("/"))
        .header(reqwest::header::COOKIE, &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the board with the cookie alone"
    );
    assert!(
        r.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let r = c
        .get(s.url("/api/v1/skus"))
        .header(reqwest::header::COOKIE, &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the API with the cookie alone");
    let r = c
        .get(s.url("/"))
        .header(reqwest::header::COOKIE, "livestock_token=forged-token-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a forged cookie");
}

// ---------------------------------------------------------------------------------------------
// Catalog

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

// ---------------------------------------------------------------------------------------------
// The central pool

/// The units of the flash sale, the buyers, and the channels they come from.
const FLASH_UNITS: i64 = 500;
const FLASH_BUYERS: usize = 2000;
const FLASH_PRICE_CENTS: i64 = 9900;
const FLASH_TASKS: usize = 16;
const CHANNELS: [&str; 5] = ["douyin", "kuaishou", "taobao", "jd", "pinduoduo"];

fn flash_event(i: usize) -> Value {
    json!({"channel": CHANNELS[i % CHANNELS.len()], "order_id": format!("FS-{i}"), "kind": "paid",
           "buyer": format!("u{i}"), "lines": [{"sku": "FLASH-1", "qty": 1,
           "unit_price_cents": FLASH_PRICE_CENTS}]})
}

/// One judged answer: `(result, reason, seq)`.
type Judged = (String, Option<String>, u64);

/// Posts `ids` from one connection, as single events and arrays of varying size; returns every
/// answer by id, checking the HTTP shape of each.
async fn post_flash(base: String, ids: Vec<usize>, task: usize) -> Vec<(usize, Judged)> {
    let c = client();
    let mut out = Vec::with_capacity(ids.len());
    let mut rest = &ids[..];
    let mut round = task;
    while !rest.is_empty() {
        // Every other request is one event; the others are arrays of 2 to 24.
        let take = if round.is_multiple_of(2) {
            1
        } else {
            2 + (round * 7) % 23
        }
        .min(rest.len());
        round += 1;
        let (now, later) = rest.split_at(take);
        rest = later;
        let single = take == 1 && round % 2 == 1;
        let body = if single {
            flash_event(now[0])
        } else {
            Value::Array(now.iter().map(|i| flash_event(*i)).collect())
        };
        let bytes = serde_json::to_vec(&body).unwrap();
        let (st, a) = send(
            &c,
            &base,
            Method::POST,
            "/api/v1/orders",
            Some(INGEST),
            Some(bytes),
        )
        .await
        .expect("the server answers every order");
        if single {
            out.push((now[0], judged_single(st, &a)));
        } else {
            assert_eq!(st, StatusCode::OK, "an array answer: {a}");
            let results = a["results"].as_array().expect("results");
            assert_eq!(results.len(), now.len(), "one answer per event: {a}");
            for (i, r) in now.iter().zip(results) {
                assert_eq!(r["order_id"], format!("FS-{i}"), "answers in order: {a}");
                out.push((*i, judged(r)));
            }
        }
    }
    out
}

fn judged(r: &Value) -> Judged {
    (
        r["result"].as_str().expect("a result").to_owned(),
        r["reason"].as_str().map(str::to_owned),
        r["seq"].as_u64().expect("a judged event has a seq"),
    )
}

/// A single event's answer: 200 for accepted and duplicate, 409 with the error body for rejected.
fn judged_single(st: StatusCode, a: &Value) -> Judged {
    let j = judged(a);
    match j.0.as_str() {
        "accepted" | "duplicate" => assert_eq!(st, StatusCode::OK, "{a}"),
        "rejected" => {
            assert_eq!(st, StatusCode::CONFLICT, "{a}");
            assert_error(a, j.1.as_deref().expect("a rejection has a reason"));
        }
        other => panic!("unknown result {other}: {a}"),
    }
    j
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flash_sale_from_every_channel_at_once_sells_exactly_the_stock_and_retries_change_nothing()
 {
    let s = TestServer::start();
    let mut new = new_sku("FLASH-1", FLASH_UNITS, FLASH_PRICE_CENTS);
    new["name"] = json!("秒杀 卫衣");
    s.create_skus(&new).await;

    let mut tasks = Vec::new();
    for t in 0..FLASH_TASKS {
        let ids: Vec<usize> = (t..FLASH_BUYERS).step_by(FLASH_TASKS).collect();
        tasks.push(tokio::spawn(post_flash(s.base.clone(), ids, t)));
    }
    let mut first: HashMap<usize, Judged> = HashMap::new();
    for t in tasks {
        for (i, j) in t.await.expect("a posting task") {
            assert!(first.insert(i, j).is_none(), "event {i} answered twice");
        }
    }
    assert_eq!(first.len(), FLASH_BUYERS);
    let accepted: Vec<u64> = first
        .values()
        .filter(|j| j.0 == "accepted")
        .map(|j| j.2)
        .collect();
    assert_eq!(
        accepted.len() as i64,
        FLASH_UNITS,
        "exactly the stock is sold"
    );
    let mut seqs = accepted.clone();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        accepted.len(),
        "every accepted event has its own seq"
    );
    for (i, j) in &first {
        if j.0 != "accepted" {
            assert_eq!(
                (j.0.as_str(), j.1.as_deref()),
                ("rejected", Some("out_of_stock")),
                "event {i}"
            );
        }
    }
    let v = s.sku("FLASH-1").await;
    assert_eq!(
        (
            &v["committed"],
            &v["available"],
            &v["held"],
            &v["sold_units"],
            &v["on_hand"]
        ),
        (
            &json!(FLASH_UNITS),
            &json!(0),
            &json!(0),
            &json!(FLASH_UNITS),
            &json!(FLASH_UNITS)
        )
    );
    assert_eq!(v["gmv_cents"], json!(FLASH_UNITS * FLASH_PRICE_CENTS));

    // Every channel retries everything at once: each gets its first answer back, nothing changes.
    let seq = s.seq().await;
    let before = stable_views(&s.skus().await);
    let mut retries = Vec::new();
    for t in 0..4 {
        let ids: Vec<usize> = (t..FLASH_BUYERS).step_by(4).collect();
        retries.push(tokio::spawn(post_flash(s.base.clone(), ids, t + 1)));
    }
    for t in retries {
        for (i, (result, reason, seq)) in t.await.expect("a retrying task") {
            let (r0, reason0, seq0) = &first[&i];
            let want = if r0 == "accepted" {
                "duplicate"
            } else {
                "rejected"
            };
            assert_eq!(result, want, "retry of event {i}");
            assert_eq!(&reason, reason0, "retry of event {i}");
            assert_eq!(seq, *seq0, "retry of event {i} answers the first seq");
        }
    }
    assert_eq!(s.seq().await, seq, "retries journal nothing");
    assert_eq!(
        stable_views(&s.skus().await),
        before,
        "retries change nothing"
    );
}

#[tokio::test]
async fn every_retry_is_answered_as_the_first_time_even_after_stock_comes_back() {
    let s = TestServer::start();
    s.create_skus(&new_sku("RT-1", 3, 1000)).await;
    let paid = event("douyin", "RT-A", "paid", &[("RT-1", 2)]);
    let short = event("douyin", "RT-B", "paid", &[("RT-1", 2)]);
    let held = event("kuaishou", "RT-C", "created", &[("RT-1", 1)]);
    // A cancel after the payment: an invalid transition.
    let too_late = event("douyin", "RT-A", "cancelled", &[]);
    let s_paid = accept(&s, &paid).await;
    let s_short = reject(&s, &short, "out_of_stock").await;
    let s_held = accept(&s, &held).await;
    let s_too_late = reject(&s, &too_late, "invalid_transition").await;

    let seq = s.seq().await;
    let before = stable_views(&s.skus().await);
    for _ in 0..2 {
        for (ev, first) in [(&paid, s_paid), (&held, s_held)] {
            let (st, a) = s.orders(ev).await;
            assert_eq!(st, StatusCode::OK, "{a}");
            assert_eq!(
                (&a["result"], &a["seq"]),
                (&json!("duplicate"), &json!(first))
            );
        }
        assert_eq!(reject(&s, &short, "out_of_stock").await, s_short);
        assert_eq!(
            reject(&s, &too_late, "invalid_transition").await,
            s_too_late
        );
    }
    // The same, in one array: one answer per event, in order.
    let (st, b) = s.orders(&json!([paid, short, held, too_late])).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let got: Vec<Judged> = b["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(judged)
        .collect();
    assert_eq!(
        got,
        vec![
            ("duplicate".into(), None, s_paid),
            ("rejected".into(), Some("out_of_stock".into()), s_short),
            ("duplicate".into(), None, s_held),
            (
                "rejected".into(),
                Some("invalid_transition".into()),
                s_too_late
            ),
        ]
    );
    // The key is (channel, order_id, kind): a retry with another body is still the same event.
    let mut changed = paid.clone();
    changed["lines"][0]["qty"] = json!(1);
    let (st, a) = s.orders(&changed).await;
    assert_eq!((st, &a["result"]), (StatusCode::OK, &json!("duplicate")));
    assert_eq!(s.seq().await, seq, "retries journal nothing");
    assert_eq!(
        stable_views(&s.skus().await),
        before,
        "retries change nothing"
    );

    // Stock comes back, yet the rejected event keeps its first answer: it was judged once.
    accept(&s, &event("douyin", "RT-A", "refunded", &[])).await;
    assert_eq!(s.sku("RT-1").await["available"], 2);
    assert_eq!(reject(&s, &short, "out_of_stock").await, s_short);
    assert_eq!(s.sku("RT-1").await["committed"], 0);
    // The same order id on another channel is another order.
    let mut other = short.clone();
    other["channel"] = json!("taobao");
    accept(&s, &other).await;
}

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
async fn a_fast_forwarded_clock_runs_holds_and_the_server_time_at_its_speed() {
    // `livestock demo --speed 60`: a minute of server time per real second.
    let s = TestServer::start_with_config("clock_speed = 60\nhold_ttl_secs = 60\n");
    let server_ms = || async {
        let (st, b) = s.call(Method::GET, "/readyz", None, None).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        b["server_ms"].as_i64().expect("/readyz has server_ms")
    };
    let (t0, real0) = (server_ms().await, std::time::Instant::now());
    s.create_skus(&new_sku("FF-1", 10, 100)).await;
    accept(&s, &event("douyin", "FF-O1", "created", &[("FF-1", 4)])).await;
    // A one-minute hold lapses within seconds: far sooner than the minute a wall clock needs.
    poll(20_000, "the one-minute hold lapses", || async {
        (order_state(&s, "douyin", "FF-O1").await == "expired").then_some(())
    })
    .await;
    let (t1, real_ms) = (server_ms().await, real0.elapsed().as_millis() as i64);
    assert!(real_ms < 30_000, "took {real_ms} ms");
    assert!(t1 - t0 >= 60_000, "server time moved {} ms", t1 - t0);
    assert!(
        t1 - t0 <= 60 * (real_ms + 100),
        "server time moved {} ms in {real_ms} real ms",
        t1 - t0
    );
    assert_eq!(
        buckets(&s, "FF-1").await.0,
        0,
        "the expired hold freed its stock"
    );
}

#[tokio::test]
async fn a_hold_expires_after_the_configured_ttl_and_frees_its_stock() {
    let s = TestServer::start_with_config("hold_ttl_secs = 1\n");
    s.create_skus(&new_sku("EX-1", 10, 100)).await;
    let held_at = std::time::Instant::now();
    accept(&s, &event("douyin", "EX-O1", "created", &[("EX-1", 4)])).await;
    accept(&s, &event("douyin", "EX-O2", "paid", &[("EX-1", 1)])).await;
    let held = buckets(&s, "EX-1").await.0;
    // Only a slow machine gets here after the TTL; then the hold may be gone already.
    if held_at.elapsed() < std::time::Duration::from_millis(900) {
        assert_eq!(held, 4, "the hold is there before its TTL");
    }
    poll(10_000, "the hold of EX-O1 expires", || async {
        let (held, committed, available, ..) = buckets(&s, "EX-1").await;
        (held == 0).then_some((committed, available))
    })
    .await;
    assert_eq!(buckets(&s, "EX-1").await, (0, 1, 9, 1, 100));
    assert_eq!(order_state(&s, "douyin", "EX-O1").await, "expired");
    assert_eq!(order_state(&s, "douyin", "EX-O2").await, "paid");
    // A payment after the hold ran out takes the stock again while it is there.
    accept(&s, &event("douyin", "EX-O1", "paid", &[])).await;
    assert_eq!(buckets(&s, "EX-1").await, (0, 5, 5, 5, 500));
}

// ---------------------------------------------------------------------------------------------
// Bad input

/// One bad request and the refusal it must get.
struct Bad {
    what: &'static str,
    method: Method,
    path: &'static str,
    token: &'static str,
    body: Vec<u8>,
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
}

#[allow(clippy::too_many_arguments)] // a table row reads best flat
fn bad(
    what: &'static str,
    method: Method,
    path: &'static str,
    token: &'static str,
    body: impl Into<Vec<u8>>,
    status: u16,
    code: &'static str,
    field: Option<&'static str>,
) -> Bad {
    Bad {
        what,
        method,
        path,
        token,
        body: body.into(),
        status: StatusCode::from_u16(status).unwrap(),
        code,
        field,
    }
}

fn js(v: Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap()
}

/// A valid created event for BAD-A, changed by `f`.
fn good_order(id: &str, f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut e = json!({"channel": "douyin", "order_id": id, "kind": "created", "buyer": "b-1",
                       "address": {"region": "浙江省杭州市", "detail": "西湖区", "phone_hash": "ab12"},
                       "lines": [{"sku": "BAD-A", "qty": 1, "unit_price_cents": 1000}],
                       "presale": false, "at": "2026-11-24T20:01:02.123+08:00"});
    f(&mut e);
    js(e)
}

fn order_cases() -> Vec<Bad> {
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

fn sku_cases() -> Vec<Bad> {
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

fn movement_cases() -> Vec<Bad> {
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

fn patch_cases() -> Vec<Bad> {
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

/// Everything a reader can see of the books: stock views, movements, orders, and the journal seq.
async fn everything(s: &TestServer) -> Value {
    let mut moves = Vec::new();
    for code in ["BAD-A", "BAD-B"] {
        let (st, m) = s
            .get(&format!("/api/v1/skus/{code}/movements"), VIEWER)
            .await;
        assert_eq!(st, StatusCode::OK);
        moves.push(m);
    }
    let mut orders = Vec::new();
    for id in [
        "HOLD", "PRE", "Q", "M", "ARR-1", "ARR-2", "MANY-0", "BIG", "N",
    ] {
        orders.push(s.order("douyin", id).await);
    }
    json!({"skus": s.skus().await, "movements": moves, "seq": s.seq().await,
           "orders": orders.iter().map(|(st, o)| json!([st.as_u16(), o])).collect::<Vec<_>>()})
}

#[tokio::test]
async fn bad_input_is_refused_with_the_error_body_naming_the_field_and_changes_nothing() {
    let s = TestServer::start();
    let mut a = new_sku("BAD-A", 100, 1000);
    a["damaged"] = json!(2);
    a["buffer"] = json!(3);
    a["presale_cap"] = json!(5);
    s.create_skus(&json!([a, new_sku("BAD-B", 7, 10)])).await;
    accept(&s, &event("douyin", "HOLD", "created", &[("BAD-A", 10)])).await;
    let mut pre = event("douyin", "PRE", "created", &[("BAD-A", 2)]);
    pre["presale"] = json!(true);
    accept(&s, &pre).await;
    let before = everything(&s).await;

    let cases: Vec<Bad> = order_cases()
        .into_iter()
        .chain(sku_cases())
        .chain(movement_cases())
        .chain(patch_cases())
        .collect();
    let mut failures = Vec::new();
    for c in &cases {
        let (st, b) = s
            .call_raw(
                c.method.clone(),
                c.path,
                Some(c.token),
                Some(c.body.clone()),
            )
            .await;
        let e = &b["error"];
        let ok = st == c.status
            && e["code"] == c.code
            && e["message"].as_str().is_some_and(|m| !m.is_empty())
            && (c.field.is_none() || e["field"].as_str() == c.field);
        if !ok {
            failures.push(format!(
                "{}: got {st} {}, want {} {} field {:?}",
                c.what,
                serde_json::to_string(&b)
                    .unwrap()
                    .chars()
                    .take(300)
                    .collect::<String>(),
                c.status,
                c.code,
                c.field
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs were not refused as they should be:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        everything(&s).await,
        before,
        "a refused request changed something"
    );
}

// ---------------------------------------------------------------------------------------------
// Health and routes

#[tokio::test]
async fn health_and_readiness_answer_200_without_a_token() {
    let s = TestServer::start();
    for path in ["/healthz", "/readyz"] {
        let (st, b) = s.call(Method::GET, path, None, None).await;
        assert_eq!(st, StatusCode::OK, "{path}: {b}");
    }
}

#[tokio::test]
async fn an_unknown_route_is_404_with_the_error_body_and_a_wrong_method_is_405() {
    let s = TestServer::start();
    for path in ["/nope", "/api/v1/nope", "/api/v2/skus"] {
        let (st, b) = s.get(path, ADMIN).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}: {b}");
        assert_error(&b, "not_found");
    }
    let (st, b) = s
        .call(Method::DELETE, "/api/v1/skus", Some(ADMIN), None)
        .await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED, "{b}");
    assert!(b["error"]["code"].is_string(), "{b}");
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

#[tokio::test]
async fn the_bearer_scheme_is_read_without_regard_to_case() {
    let s = TestServer::start();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let resp = client()
            .get(s.url("/api/v1/skus"))
            .header("Authorization", format!("{scheme} {VIEWER}"))
            .send()
            .await
            .expect("GET /api/v1/skus");
        assert_eq!(resp.status(), StatusCode::OK, "scheme {scheme}");
    }
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

#[tokio::test]
async fn metrics_need_a_token_and_count_the_answers_in_prometheus_text() {
    let s = TestServer::start();
    let resp = client()
        .get(s.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    s.create_skus(&new_sku("MT-1", 1, 100)).await;
    s.orders(&json!([
        event("douyin", "MT-A", "paid", &[("MT-1", 1)]),
        event("douyin", "MT-B", "paid", &[("MT-1", 1)]),
    ]))
    .await;
    let resp = client()
        .get(s.url("/metrics"))
        .bearer_auth(VIEWER)
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("metrics text");
    assert!(
        text.contains("livestock_commands_total{result=\"accepted\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("livestock_commands_total{result=\"rejected\"} 1"),
        "{text}"
    );
    assert!(text.contains("livestock_journal_seq "), "{text}");
}
