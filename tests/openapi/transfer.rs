//! Import, export and the trail of a time range, asked through the document: each JSON answer
//! has a documented status and matches its schema.

use crate::answers::Api;
use crate::common::*;
use crate::document;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn import_and_movement_range_answers_match_their_schemas() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    let sheet = "商品编码,商品名称,类目,单价,库存\nOA-IM,袜子,apparel,9.90,5\n";
    let import = |query: &'static str, csv: &'static str| {
        api.send_raw(
            Method::POST,
            query,
            Some(OPERATOR),
            Some(csv.as_bytes().to_vec()),
        )
    };
    let (st, b) = import("/api/v1/import", sheet).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = import("/api/v1/import?mode=create", sheet).await;
    assert_eq!(
        (st, b["rows"][0]["row"].as_u64()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(2))
    );
    let (st, _) = import(
        "/api/v1/import?mode=upsert",
        "商品编码,商品名称,类目,单价,库存\nOA-IM,袜子,apparel,9.90,8\n",
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = import("/api/v1/import?mode=merge", sheet).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = api
        .send_raw(
            Method::POST,
            "/api/v1/import",
            Some(VIEWER),
            Some(sheet.into()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let range = "/api/v1/movements?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00%2B08:00";
    let (st, b) = api.get(range, Some(VIEWER)).await;
    assert_eq!(
        (st, b["movements"][0]["delta"].as_i64()),
        (StatusCode::OK, Some(3))
    );
    let (st, _) = api
        .get(
            "/api/v1/movements?from=2001-01-01T00:00:00Z&to=2000-01-01T00:00:00Z",
            Some(VIEWER),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = api
        .get("/api/v1/export/skus?format=pdf", Some(VIEWER))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}
