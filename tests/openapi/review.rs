//! The post-show review asked through the document: each answer has a documented status and
//! matches its schema.

use crate::answers::Api;
use crate::common::*;
use crate::document;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn review_answers_match_their_schemas() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    server.create_skus(&new_sku("OA-RV", 100, 19_900)).await;
    let (st, _) = api.get("/api/v1/show/review", Some(VIEWER)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let show = json!({"title": "复盘", "lineup": [{"sku": "OA-RV"}]});
    let (st, _) = api.post("/api/v1/show", OPERATOR, show).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, planned) = api.get("/api/v1/show/review", Some(VIEWER)).await;
    assert_eq!(
        (st, &planned["state"]),
        (StatusCode::OK, &serde_json::json!("planned"))
    );
    let (st, _) = api.post("/api/v1/show/start", OPERATOR, json!({})).await;
    assert_eq!(st, StatusCode::OK);
    let mut bulk = buyer_event("douyin", "OA-1", "paid", "hoarder", &[("OA-RV", 20)]);
    bulk["address"] = json!({"region": "浙江省", "detail": "x"});
    let (st, _) = api.post("/api/v1/orders", INGEST, bulk).await;
    assert_eq!(st, StatusCode::OK);
    let held = buyer_event("douyin", "OA-2", "created", "slow", &[("OA-RV", 1)]);
    let (st, _) = api.post("/api/v1/orders", INGEST, held).await;
    assert_eq!(st, StatusCode::OK);
    let (st, review) = api.get("/api/v1/show/review", Some(VIEWER)).await;
    assert_eq!(st, StatusCode::OK);
    let kinds: Vec<&serde_json::Value> = review["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["kind"])
        .collect();
    assert_eq!(
        kinds,
        [&json!("bulk_order"), &json!("bad_address")],
        "{review}"
    );
    assert_eq!(review["unpaid"][0]["order_id"], "OA-2");
    let (st, _) = api
        .get("/api/v1/show/review?format=nope", Some(VIEWER))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = api.get("/api/v1/show/review", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}
