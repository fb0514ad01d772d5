//! `GET /api/v1/movements?from=&to=`: every SKU's trail over a time range, as JSON and CSV, with
//! bad ranges refused and a capped page that says so.

use super::*;
use livestock::domain::types::{format_rfc3339, parse_rfc3339};
use reqwest::Method;
use serde_json::json;

async fn receive(s: &TestServer, code: &str, qty: i64) -> u64 {
    let body = json!({"kind": "receive", "qty": qty, "by": "li", "verified_by": "wang"});
    let (st, b) = s
        .post(&format!("/api/v1/skus/{code}/movements"), WAREHOUSE, &body)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    b["movement"]["seq"].as_u64().unwrap()
}

/// The range from a minute ago to a minute on, as a query string.
fn around_now(extra: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let enc = |ms: i64| format_rfc3339(ms).replace('+', "%2B");
    format!(
        "/api/v1/movements?from={}&to={}{extra}",
        enc(now - 60_000),
        enc(now + 60_000)
    )
}

#[tokio::test]
async fn the_range_lists_every_skus_movements_in_journal_order_as_json_and_csv() {
    let s = TestServer::start();
    s.create_skus(&json!([new_sku("A", 1, 1), new_sku("B", 1, 1)]))
        .await;
    let seqs = [
        receive(&s, "B", 5).await,
        receive(&s, "A", 3).await,
        receive(&s, "B", 1).await,
    ];
    let (st, b) = s.get(&around_now(""), VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let got: Vec<(u64, Value)> = b["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["seq"].as_u64().unwrap(), m["sku"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (seqs[0], json!("B")),
            (seqs[1], json!("A")),
            (seqs[2], json!("B"))
        ]
    );
    assert_eq!(
        (&b["truncated"], &b["next_after_seq"]),
        (&json!(false), &Value::Null)
    );
    // A range of the past holds none of them.
    let (_, old) = s
        .get(
            "/api/v1/movements?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z",
            VIEWER,
        )
        .await;
    assert_eq!(old["movements"], json!([]));
    let (st, headers, bytes) = download(&s, &around_now("&format=csv")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("movements.csv")
    );
    assert_eq!(headers["x-livestock-truncated"], "false");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(&reader.headers().unwrap()[0], "流水号");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (&rows[1][0], &rows[1][2], &rows[1][3], &rows[1][4]),
        (seqs[1].to_string().as_str(), "A", "receive", "3")
    );
    assert!(
        parse_rfc3339(&rows[1][1]).is_ok(),
        "times are RFC 3339: {}",
        &rows[1][1]
    );
}

#[tokio::test]
async fn a_bad_or_inverted_range_is_refused_naming_the_field() {
    let s = TestServer::start();
    for (query, field) in [
        ("to=2026-01-01T00:00:00Z", "from"),
        ("from=2026-01-01T00:00:00Z", "to"),
        ("from=yesterday&to=2026-01-01T00:00:00Z", "from"),
        ("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
        (
            "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&format=pdf",
            "format",
        ),
    ] {
        let (st, b) = s
            .call(
                Method::GET,
                &format!("/api/v1/movements?{query}"),
                Some(VIEWER),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {b}");
        assert_eq!(
            assert_error(&b, "invalid").as_deref(),
            Some(field),
            "{query}"
        );
    }
}

#[tokio::test]
async fn a_range_over_the_cap_says_so_and_pages_without_splitting_an_import() {
    let s = TestServer::start();
    let mut sheet = String::from("sku,name,category,price_cents,on_hand\n");
    for i in 0..10_000 {
        sheet.push_str(&format!("S-{i:05},袜子 {i},apparel,990,1\n"));
    }
    let started = std::time::Instant::now();
    assert_eq!(
        imported(&s, "", "text/csv", sheet.clone().into()).await.0,
        10_000
    );
    eprintln!(
        "importing 10,000 new rows took {} ms",
        started.elapsed().as_millis()
    );
    let moved = sheet.replace(",1\n", ",2\n");
    let started = std::time::Instant::now();
    let (_, updated, _, import_seq) = imported(&s, "?mode=upsert", "text/csv", moved.into()).await;
    eprintln!(
        "upserting 10,000 rows took {} ms",
        started.elapsed().as_millis()
    );
    assert_eq!(updated, 10_000);
    let last = receive(&s, "S-00000", 1).await;
    let (st, b) = s.get(&around_now(""), VIEWER).await;
    assert_eq!(st, StatusCode::OK);
    let page = b["movements"].as_array().unwrap();
    assert_eq!(page.len(), 10_000);
    assert!(
        page.iter().all(|m| m["seq"] == json!(import_seq)),
        "the first page is the import"
    );
    assert_eq!(
        (&b["truncated"], &b["next_after_seq"]),
        (&json!(true), &json!(import_seq))
    );
    let (_, next) = s
        .get(&around_now(&format!("&after_seq={import_seq}")), VIEWER)
        .await;
    assert_eq!(next["movements"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&next["movements"][0]["seq"], &next["truncated"]),
        (&json!(last), &json!(false))
    );
}
