//! The channels' endpoints, the pre-show check and the cluster endpoint, asked through the document: each answer has a
//! documented status and matches its schema.

use crate::answers::Api;
use crate::common::*;
use crate::document;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn channel_and_precheck_answers_match_their_schemas() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    server.create_skus(&new_sku("OA-CH", 100, 19_900)).await;
    let (st, _) = api.get("/api/v1/show/precheck", Some(VIEWER)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let show = json!({"title": "专场", "planned_end": "2026-11-24T21:00:00+08:00",
        "lineup": [{"sku": "OA-CH", "planned_start": "2026-11-24T20:00:00+08:00",
                    "planned_rate_per_min": 30}]});
    let (st, _) = api.post("/api/v1/show", OPERATOR, show).await;
    assert_eq!(st, StatusCode::CREATED);

    let (st, a) = api
        .get("/api/v1/channels/douyin/availability", Some(INGEST))
        .await;
    assert_eq!(
        (st, &a["skus"][0]["available"]),
        (StatusCode::OK, &json!(100))
    );
    let displayed = "/api/v1/channels/kuaishou/displayed";
    let (st, _) = api
        .post(
            displayed,
            INGEST,
            json!([{"sku": "OA-CH", "displayed": 120}]),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = api
        .post(displayed, INGEST, json!({"sku": "NOPE", "displayed": 1}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = api
        .post(displayed, VIEWER, json!({"sku": "OA-CH", "displayed": 1}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, sync) = api.get("/api/v1/channels/sync", Some(VIEWER)).await;
    assert_eq!(
        (st, sync["mismatches"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    let (st, check) = api.get("/api/v1/show/precheck", Some(VIEWER)).await;
    assert_eq!(
        (st, &check["pass"]),
        (StatusCode::OK, &json!(false)),
        "short: {check}"
    );
    let (st, _) = api
        .get("/api/v1/show/precheck?format=nope", Some(VIEWER))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    let (st, node) = api.get("/api/v1/cluster", Some(VIEWER)).await;
    assert_eq!((st, &node["role"]), (StatusCode::OK, &json!("single")));
    assert_eq!(node["leader"], node["node"], "a single node leads itself");
    assert_eq!(node["node"], json!(server.url("")), "{node}");
    assert!(node["applied_seq"].as_u64().unwrap() >= 2, "{node}");
    let (st, _) = api.get("/api/v1/cluster", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}
