//! What Schemathesis found, each fixed and kept so, asked through the document (every answer
//! documented and matching its schema): integers written `100.0`, a patch of only a null, a batch
//! over the limit, the error codes the server sends, a repeated query parameter. And Swagger UI.

use crate::answers::Api;
use crate::common::*;
use crate::{document, schema};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

#[tokio::test]
async fn integers_written_with_a_zero_fraction_or_an_exponent_are_taken_and_fractions_refused() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    let sku = json!({"sku": "MUG-1", "name": "马克杯", "category": "home",
                     "price_cents": 1.99e3, "on_hand": 100.0, "buffer": 2.0});
    let (st, view) = api.post("/api/v1/skus", OPERATOR, sku).await;
    assert_eq!(st, StatusCode::CREATED, "{view}");
    assert_eq!(
        (&view["price_cents"], &view["on_hand"], &view["buffer"]),
        (&json!(1990), &json!(100), &json!(2)),
        "stored as the integers they are: {view}"
    );
    let paid = json!({"channel": "douyin", "order_id": "DY-F1", "kind": "paid",
                      "lines": [{"sku": "MUG-1", "qty": 3.0}]});
    let (st, b) = api.post("/api/v1/orders", INGEST, paid).await;
    assert_eq!(
        (st, &b["result"]),
        (StatusCode::OK, &json!("accepted")),
        "{b}"
    );
    let (st, b) = api
        .post(
            "/api/v1/show/viewers",
            OVERLAY,
            json!({"online": 4937257.0}),
        )
        .await;
    assert_ne!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "online 4937257.0: {b}"
    );

    let before = server.skus().await;
    let half = json!({"kind": "receive", "qty": 1.5, "by": "王仓管", "verified_by": "李主管"});
    let (st, b) = api
        .post("/api/v1/skus/MUG-1/movements", WAREHOUSE, half)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("qty"));
    assert_eq!(server.skus().await, before, "a refused 1.5 changes nothing");
}

#[tokio::test]
async fn a_patch_of_only_a_null_buffer_is_refused_naming_buffer_and_changes_nothing() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    let mut hoodie = new_sku("HOODIE-BLK-L", 100, 19_900);
    hoodie["buffer"] = json!(5);
    server.create_skus(&hoodie).await;
    let path = "/api/v1/skus/HOODIE-BLK-L";
    let before = server.sku("HOODIE-BLK-L").await;
    let null = json!({"buffer": null});
    let (st, b) = api
        .send(Method::PATCH, path, Some(OPERATOR), Some(null))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("buffer"));
    assert_eq!(server.sku("HOODIE-BLK-L").await, before);

    // Beside a field with a value, a null leaves its field as it is, as the schema says.
    let renamed = json!({"buffer": null, "name": "连帽衫 黑 L"});
    let (st, b) = api
        .send(Method::PATCH, path, Some(OPERATOR), Some(renamed))
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(
        (&b["name"], &b["buffer"]),
        (&json!("连帽衫 黑 L"), &json!(5))
    );
    let (st, b) = api
        .send(
            Method::PATCH,
            path,
            Some(OPERATOR),
            Some(json!({"buffer": 0})),
        )
        .await;
    assert_eq!(
        (st, &b["buffer"]),
        (StatusCode::OK, &json!(0)),
        "0 clears it"
    );
}

#[tokio::test]
async fn a_batch_of_1001_events_is_413_too_large_whatever_its_events_hold_and_changes_nothing() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    server.create_skus(&new_sku("CAP-RED", 5_000, 5_900)).await;
    let seq = server.seq().await;
    let good: Vec<Value> = (0..1001)
        .map(|i| event("douyin", &format!("DY-B{i}"), "paid", &[("CAP-RED", 1)]))
        .collect();
    let mut malformed = good.clone();
    malformed[3]["lines"][0]["qty"] = json!(-1);
    for (what, batch) in [("valid events", good), ("a malformed event", malformed)] {
        let (st, b) = api.post("/api/v1/orders", INGEST, json!(batch)).await;
        assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "1001 {what}: {b}");
        assert_error(&b, "too_large");
    }
    assert_eq!(server.seq().await, seq, "nothing was journaled");
    assert_eq!(server.sku("CAP-RED").await["available"], 5_000);
    let (st, _) = server.order("douyin", "DY-B0").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let max = &schema(&doc, "OrderEvents");
    assert!(
        max.to_string().contains("\"maxItems\":1000"),
        "the document says at most 1000: {max}"
    );
}

/// The string literals that are error codes in the sources: `ApiError::new(STATUS, "code", …)`,
/// the refusal and rejection codes, and the named constructors of web/error.rs.
fn codes_in_sources() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("src")];
    let mut texts = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            let entries = std::fs::read_dir(&path).expect("reading a source folder");
            files.extend(entries.map(|e| e.expect("a folder entry").path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            texts.push(std::fs::read_to_string(&path).expect("reading a source file"));
        }
    }
    let literal_after = |text: &str, at: usize| -> Option<String> {
        let rest = &text[at..];
        let start = rest.find('"')? + 1;
        let len = rest[start..].find('"')?;
        let code = &rest[start..start + len];
        let is_code = !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        is_code.then(|| code.to_owned())
    };
    let mut codes = BTreeSet::new();
    for text in &texts {
        // `ApiError::new(StatusCode::X, "code", …)`: the literal after the first comma.
        for (at, _) in text.match_indices("ApiError::new(") {
            let args = &text[at..];
            if let Some(comma) = args.find(',')
                && let Some(code) = literal_after(text, at + comma)
                && !args[..comma].contains('"')
            {
                codes.insert(code);
            }
        }
        // `Reason::OutOfStock => "out_of_stock"` and `(StatusCode::CONFLICT, "conflict")`.
        for (at, _) in text.match_indices("=> \"") {
            let line_start = text[..at].rfind('\n').unwrap_or(0);
            if text[line_start..at].contains("Reason::")
                && let Some(code) = literal_after(text, at)
            {
                codes.insert(code);
            }
        }
        for (at, _) in text.match_indices("(StatusCode::") {
            let tuple = &text[at..text[at..].find(')').map_or(text.len(), |e| at + e)];
            if let Some(comma) = tuple.find(", \"")
                && let Some(code) = literal_after(text, at + comma)
            {
                codes.insert(code);
            }
        }
    }
    codes
}

#[tokio::test]
async fn the_documents_error_codes_are_every_code_the_server_sends() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let listed: BTreeSet<String> = schema(&doc, "ErrorDetail")["properties"]["code"]["enum"]
        .as_array()
        .expect("an enum of error codes")
        .iter()
        .map(|c| c.as_str().expect("a code").to_owned())
        .collect();
    let sent = codes_in_sources();
    for code in [
        "bad_request",
        "rate_limited",
        "out_of_stock",
        "bad_signature",
        "conflict",
    ] {
        assert!(
            sent.contains(code),
            "the source scan finds {code}: {sent:?}"
        );
    }
    let missing: Vec<&String> = sent.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "sent but not in the document: {missing:?}"
    );
    // And the one Schemathesis met: a GET of /ws that is not a handshake.
    let api = Api {
        server: &server,
        doc: &doc,
    };
    let (st, b) = api.get("/ws", Some(VIEWER)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_error(&b, "bad_request");
}

#[tokio::test]
async fn a_repeated_query_parameter_is_422_invalid_with_the_error_body() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    let (st, b) = api
        .get("/api/v1/show/review?lang=en&lang=zh", Some(VIEWER))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("lang"));
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary_at_api_docs_and_reads_the_document() {
    let server = TestServer::start();
    let get = |path: &str| {
        let url = server.url(path);
        async move {
            let resp = client().get(&url).send().await.expect(&url);
            let status = resp.status();
            let ctype = resp
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            (status, ctype, resp.text().await.unwrap_or_default())
        }
    };
    let (st, ctype, page) = get("/api/docs/").await;
    assert_eq!(st, StatusCode::OK, "no token needed for the docs");
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert!(page.contains("swagger-ui"), "the Swagger UI page: {page}");
    let (st, _, init) = get("/api/docs/swagger-initializer.js").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        init.contains("\"/api/openapi.json\""),
        "it loads our document: {init}"
    );
    let (st, _, bundle) = get("/api/docs/swagger-ui-bundle.js").await;
    assert_eq!(st, StatusCode::OK);
    assert!(bundle.len() > 100_000, "the bundle is in the binary");
}

#[tokio::test]
async fn a_daily_report_before_1970_is_refused_and_its_bounds_are_always_rfc_3339() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let api = Api {
        server: &server,
        doc: &doc,
    };
    // Shanghai's offset in the year 52 is its local mean time, +08:05:43: not RFC 3339.
    let (st, b) = api
        .get("/api/v1/reports/daily?date=0052-10-07", Some(VIEWER))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("date"));
    for date in ["1970-01-01", "2026-11-24"] {
        let (st, b) = api
            .get(&format!("/api/v1/reports/daily?date={date}"), Some(VIEWER))
            .await;
        assert_eq!(st, StatusCode::OK, "{date}: {b}");
        for bound in ["from", "to"] {
            let text = b[bound].as_str().expect("a time");
            let offset = &text[text.len() - 6..];
            let hh_mm = offset.starts_with(['+', '-'])
                && offset[1..].bytes().enumerate().all(|(i, c)| {
                    if i == 2 {
                        c == b':'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            assert!(hh_mm, "{date}: {bound} {text} ends with ±hh:mm");
        }
    }
}

#[tokio::test]
async fn every_code_the_pre_show_check_gives_is_in_the_documents_finding_enum() {
    let server = TestServer::start();
    let doc = document(&server).await;
    let listed = &schema(&doc, "Finding")["properties"]["code"]["enum"];
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain/checks/precheck.rs");
    let src = std::fs::read_to_string(&path).expect("reading the pre-show check");
    let codes: BTreeSet<&str> = src
        .match_indices("code: \"")
        .filter_map(|(at, m)| src[at + m.len()..].split('"').next())
        .collect();
    // Schemathesis met `shared_short` (two rooms' slots on one pool) missing from the list.
    assert!(
        codes.contains("shared_short") && codes.len() > 8,
        "{codes:?}"
    );
    for code in codes {
        assert!(
            listed.as_array().is_some_and(|l| l.contains(&json!(code))),
            "the check gives {code}, which Finding.code does not list: {listed}"
        );
    }
}
