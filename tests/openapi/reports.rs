//! The daily report and the report pages, asked through the document: each answer has a
//! documented status and matches its schema.

use crate::answers::Api;
use crate::common::*;
use crate::document;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn daily_report_and_report_page_answers_match_their_schemas() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    server.create_skus(&new_sku("OA-DAY", 100, 19_900)).await;
    let receipt = json!({"kind": "receive", "qty": 5, "by": "li", "verified_by": "wang"});
    let (st, _) = api
        .post("/api/v1/skus/OA-DAY/movements", WAREHOUSE, receipt)
        .await;
    assert_eq!(st, StatusCode::CREATED);
    sell(&server, "DY-D1", "OA-DAY", 3).await;
    let (st, today) = api.get("/api/v1/reports/daily", Some(VIEWER)).await;
    assert_eq!(
        (st, &today["rows"][0]["closing"]),
        (StatusCode::OK, &json!(105)),
        "{today}"
    );
    let (st, _) = api
        .get("/api/v1/reports/daily?date=2020-01-01", Some(VIEWER))
        .await;
    assert_eq!(st, StatusCode::OK);
    for bad in ["date=11/24", "format=pdf", "lang=fr"] {
        let (st, _) = api
            .get(&format!("/api/v1/reports/daily?{bad}"), Some(VIEWER))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let (st, _) = api.get("/api/v1/reports/daily", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    for page in [
        "/reports/precheck",
        "/reports/review",
        "/reports/daily?date=2026-11-24",
    ] {
        let (st, _) = api.get(page, Some(VIEWER)).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        let (st, _) = api.get(page, None).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{page}");
    }
}
