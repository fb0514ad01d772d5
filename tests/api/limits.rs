//! The limits of README's "Limits" table, each at its edge: the named constant's value is taken and
//! one past it is refused with the table's status and code, naming the field, changing nothing.

use crate::books;
use crate::common::*;
use livestock::domain::order::ORDER_LINES_MAX;
use livestock::domain::order::event::CHANNEL_CHARS_MAX;
use livestock::domain::types::{IDENT_CHARS_MAX, LINE_UNITS_MAX, NAME_CHARS_MAX, SKU_CODE_LEN_MAX};
use livestock::web::extract::{BATCH_ITEMS_MAX, JSON_BODY_BYTES_MAX};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Posts raw bytes as `token` to `path`.
async fn post_bytes(s: &TestServer, path: &str, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
    s.call_raw(Method::POST, path, Some(token), Some(body))
        .await
}

/// `(status, code, field)` of a refusal.
fn refusal(answer: &(StatusCode, Value)) -> (u16, String, Option<String>) {
    let (st, b) = answer;
    let e = &b["error"];
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{b}");
    (
        st.as_u16(),
        e["code"].as_str().unwrap_or("").to_owned(),
        e["field"].as_str().map(str::to_owned),
    )
}

#[tokio::test]
async fn a_body_over_its_bytes_and_a_batch_over_its_items_are_413_too_large() {
    let s = TestServer::start();
    let before = books(&s).await;
    let mut big = br#"{"channel":"douyin","order_id":"L-1","kind":"paid","x":""#.to_vec();
    big.resize(JSON_BODY_BYTES_MAX + 1, b'a');
    let answer = post_bytes(&s, "/api/v1/orders", INGEST, big).await;
    assert_eq!(refusal(&answer).0, 413);
    assert_eq!(refusal(&answer).1, "too_large");
    let batch: Vec<Value> = (0..=BATCH_ITEMS_MAX)
        .map(|i| new_sku(&format!("L-{i}"), 1, 100))
        .collect();
    let answer = s.post("/api/v1/skus", OPERATOR, &json!(batch)).await;
    assert_eq!(refusal(&answer).1, "too_large", "{:?}", answer.1);
    assert_eq!(books(&s).await, before, "nothing changed");
    let batch = &batch[..BATCH_ITEMS_MAX];
    let (st, b) = s.post("/api/v1/skus", OPERATOR, &json!(batch)).await;
    assert_eq!(
        st,
        StatusCode::CREATED,
        "a batch of exactly {BATCH_ITEMS_MAX}: {b}"
    );
}

#[tokio::test]
async fn strings_are_taken_to_their_most_characters_and_refused_one_past_naming_the_field() {
    let s = TestServer::start();
    let code = "L".repeat(SKU_CODE_LEN_MAX);
    let mut sku = new_sku(&code, 10, 100);
    sku["name"] = json!("名".repeat(NAME_CHARS_MAX));
    s.create_skus(&sku).await;
    let before = books(&s).await;
    let mut over = new_sku(&"L".repeat(SKU_CODE_LEN_MAX + 1), 10, 100);
    let answer = s.post("/api/v1/skus", OPERATOR, &over).await;
    assert_eq!(
        refusal(&answer),
        (422, "invalid".into(), Some("sku".into()))
    );
    over["sku"] = json!("L-NAME");
    over["name"] = json!("名".repeat(NAME_CHARS_MAX + 1));
    let answer = s.post("/api/v1/skus", OPERATOR, &over).await;
    assert_eq!(
        refusal(&answer),
        (422, "invalid".into(), Some("name".into()))
    );
    let channel = "c".repeat(CHANNEL_CHARS_MAX + 1);
    let answer = s
        .orders(&event(&channel, "L-1", "paid", &[(&code, 1)]))
        .await;
    assert_eq!(
        refusal(&answer),
        (422, "invalid".into(), Some("channel".into()))
    );
    let order_id = "o".repeat(IDENT_CHARS_MAX + 1);
    let answer = s
        .orders(&event("douyin", &order_id, "paid", &[(&code, 1)]))
        .await;
    assert_eq!(
        refusal(&answer),
        (422, "invalid".into(), Some("order_id".into()))
    );
    assert_eq!(books(&s).await, before, "nothing changed");
    let channel = "c".repeat(CHANNEL_CHARS_MAX);
    let order_id = "o".repeat(IDENT_CHARS_MAX);
    let (st, b) = s
        .orders(&event(&channel, &order_id, "paid", &[(&code, 1)]))
        .await;
    assert_eq!(st, StatusCode::OK, "both at their most: {b}");
}

#[tokio::test]
async fn quantities_and_lines_past_their_most_are_422_naming_the_field() {
    let s = TestServer::start();
    s.create_skus(&new_sku("L-Q", 10, 100)).await;
    let before = books(&s).await;
    let answer = s
        .orders(&event(
            "douyin",
            "L-1",
            "paid",
            &[("L-Q", LINE_UNITS_MAX + 1)],
        ))
        .await;
    assert_eq!(
        refusal(&answer),
        (422, "invalid".into(), Some("lines[0].qty".into()))
    );
    let lines: Vec<(&str, i64)> = vec![("L-Q", 1); ORDER_LINES_MAX + 1];
    let answer = s.orders(&event("douyin", "L-2", "paid", &lines)).await;
    let (status, code, field) = refusal(&answer);
    assert_eq!((status, code.as_str()), (422, "invalid"));
    assert_eq!(field.as_deref(), Some("lines"));
    assert_eq!(books(&s).await, before, "nothing changed");
}

#[tokio::test]
async fn json_nested_past_the_schema_is_refused_without_recursion_and_the_server_keeps_serving() {
    let s = TestServer::start();
    s.create_skus(&new_sku("L-D", 10, 100)).await;
    let before = books(&s).await;
    let depth = JSON_BODY_BYTES_MAX / 2 - 64;
    let deep = |prefix: &str| {
        let mut body = prefix.as_bytes().to_vec();
        body.extend(std::iter::repeat_n(b'[', depth));
        body.extend(std::iter::repeat_n(b']', depth));
        body
    };
    for (path, token, body) in [
        ("/api/v1/orders", INGEST, deep("")),
        ("/api/v1/orders", INGEST, {
            let mut b = deep(r#"{"channel":"douyin","order_id":"L-1","kind":"paid","lines":"#);
            b.push(b'}');
            b
        }),
        ("/api/v1/skus", OPERATOR, deep("")),
        ("/api/v1/skus/L-D/movements", OPERATOR, {
            let mut b = deep(r#"{"kind":"receive","qty":"#);
            b.push(b'}');
            b
        }),
    ] {
        let answer = post_bytes(&s, path, token, body).await;
        let (status, code, _) = refusal(&answer);
        assert!(
            (status == 422 && code == "invalid") || (status == 400 && code == "bad_json"),
            "{path}: {status} {code}"
        );
    }
    assert_eq!(books(&s).await, before, "nothing changed");
    s.sku("L-D").await;
}
