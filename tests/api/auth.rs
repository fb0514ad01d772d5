//! Who may do what: a missing or unknown token, each role's rights, the page's query token and
//! cookie, and the bearer scheme read without regard to case.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

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
