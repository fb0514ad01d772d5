//! Signed channel pushes (API.md "Channels"): a channel with a secret in the config must sign its
//! `POST /api/v1/orders`; every kind of bad signature is 401 `bad_signature` and changes nothing.
//! The signatures here are made with the HMAC crates directly, not with the server's own code.

use crate::common::*;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

const DOUYIN_SECRET: &str = "dy-push-secret-8812";
const KUAISHOU_SECRET: &str = "ks-push-secret-4410";
const CONFIG: &str = "[channel_secrets]\n\
                      douyin = \"dy-push-secret-8812\"\n\
                      kuaishou = \"ks-push-secret-4410\"\n";

fn now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.expect("the clock is after 1970").as_secs() as i64
}

fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts `body` as the ingest role with `signature` (if any) as `X-Livestock-Signature`.
async fn push(s: &TestServer, body: &[u8], signature: Option<&str>) -> (StatusCode, Value) {
    let mut req = client()
        .post(s.url("/api/v1/orders"))
        .bearer_auth(INGEST)
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(sig) = signature {
        req = req.header("X-Livestock-Signature", sig);
    }
    let res = req.send().await.expect("posting an order");
    let status = res.status();
    let text = res.text().await.expect("reading the answer");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

/// The stock, the journal's seq and the order: what a refused push must leave as it was.
async fn books(s: &TestServer, order_id: &str) -> (Value, u64, StatusCode) {
    let (order, _) = s.order("douyin", order_id).await;
    (stable_views(&s.skus().await), s.seq().await, order)
}

#[tokio::test]
async fn every_kind_of_bad_signature_is_401_bad_signature_and_changes_nothing() {
    let s = TestServer::start_with_config(CONFIG);
    s.create_skus(&new_sku("SIG-A", 10, 1990)).await;
    let ev = event("douyin", "DY-SIG-1", "paid", &[("SIG-A", 2)]);
    let body = bytes(&ev);
    let tampered = bytes(&event("douyin", "DY-SIG-1", "paid", &[("SIG-A", 9)]));
    let t = now();
    let good = signature(DOUYIN_SECRET, t, &body);
    let before = books(&s, "DY-SIG-1").await;
    assert_eq!(before.2, StatusCode::NOT_FOUND, "no such order yet");

    let cases: Vec<(&str, &[u8], Option<String>)> = vec![
        ("missing", &body, None),
        (
            "wrong secret",
            &body,
            Some(signature(KUAISHOU_SECRET, t, &body)),
        ),
        ("tampered body", &tampered, Some(good.clone())),
        (
            "stale",
            &body,
            Some(signature(DOUYIN_SECRET, t - 301, &body)),
        ),
        (
            // A minute past the window: the cases are sent a while after `t` is read, and a
            // time only a second ahead would be inside it by then on a busy machine.
            "future",
            &body,
            Some(signature(DOUYIN_SECRET, t + 360, &body)),
        ),
        ("malformed", &body, Some("sha256=deadbeef".to_owned())),
        ("no v1", &body, Some(format!("t={t}"))),
        (
            "t not a number",
            &body,
            Some(good.replace(&format!("t={t}"), "t=soon")),
        ),
        (
            "another t",
            &body,
            Some(good.replace(&format!("t={t}"), &format!("t={}", t - 1))),
        ),
    ];
    for (what, body, sig) in cases {
        let (st, answer) = push(&s, body, sig.as_deref()).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{what}: {answer}");
        let field = assert_error(&answer, "bad_signature");
        assert_eq!(field.as_deref(), Some("X-Livestock-Signature"), "{what}");
        assert_eq!(
            books(&s, "DY-SIG-1").await,
            before,
            "{what} changed nothing"
        );
    }

    let (_, metrics) = s
        .call(reqwest::Method::GET, "/metrics", Some(VIEWER), None)
        .await;
    let failures = metrics.as_str().and_then(|m| {
        let line = m
            .lines()
            .find(|l| l.starts_with("livestock_signature_failures_total"))?;
        line.split_whitespace().last()?.parse::<u64>().ok()
    });
    assert_eq!(failures, Some(9), "every refusal counted on /metrics");

    let (st, answer) = push(&s, &body, Some(&good)).await;
    assert_eq!(st, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"], "accepted", "{answer}");
    assert_eq!(s.sku("SIG-A").await["available"], 8);
    let (st, order) = s.order("douyin", "DY-SIG-1").await;
    assert_eq!(st, StatusCode::OK, "{order}");
}

#[tokio::test]
async fn a_channels_name_in_another_case_still_needs_its_secret() {
    let s = TestServer::start_with_config(CONFIG);
    s.create_skus(&new_sku("SIG-C", 5, 100)).await;
    let body = bytes(&event("DouYin", "DY-CASE-1", "paid", &[("SIG-C", 1)]));
    let (st, answer) = push(&s, &body, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{answer}");
    assert_error(&answer, "bad_signature");
    assert_eq!(s.sku("SIG-C").await["available"], 5);
    let (st, answer) = push(&s, &body, Some(&signature(DOUYIN_SECRET, now(), &body))).await;
    assert_eq!(st, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn a_channel_without_a_secret_pushes_unsigned_as_before() {
    let s = TestServer::start_with_config(CONFIG);
    s.create_skus(&new_sku("SIG-T", 5, 100)).await;
    let (st, answer) = s
        .orders(&event("taobao", "TB-1", "paid", &[("SIG-T", 2)]))
        .await;
    assert_eq!(st, StatusCode::OK, "{answer}");
    assert_eq!(answer["result"], "accepted", "{answer}");
    assert_eq!(s.sku("SIG-T").await["available"], 3);
}

#[tokio::test]
async fn a_batch_is_signed_by_its_one_signed_channel_and_two_signed_channels_are_refused() {
    let s = TestServer::start_with_config(CONFIG);
    s.create_skus(&new_sku("SIG-B", 10, 100)).await;
    let mixed = bytes(&json!([
        event("douyin", "DY-B-1", "paid", &[("SIG-B", 1)]),
        event("taobao", "TB-B-1", "paid", &[("SIG-B", 1)]),
    ]));
    let (st, answer) = push(&s, &mixed, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "unsigned: {answer}");
    assert_eq!(s.sku("SIG-B").await["available"], 10, "not even taobao's");
    let sig = signature(DOUYIN_SECRET, now(), &mixed);
    let (st, answer) = push(&s, &mixed, Some(&sig)).await;
    assert_eq!(st, StatusCode::OK, "{answer}");
    let results: Vec<&Value> = answer["results"].as_array().unwrap().iter().collect();
    assert!(
        results.iter().all(|r| r["result"] == "accepted"),
        "{answer}"
    );

    let two = bytes(&json!([
        event("douyin", "DY-B-2", "paid", &[("SIG-B", 1)]),
        event("kuaishou", "KS-B-2", "paid", &[("SIG-B", 1)]),
    ]));
    let before = stable_views(&s.skus().await);
    for secret in [DOUYIN_SECRET, KUAISHOU_SECRET] {
        let (st, answer) = push(&s, &two, Some(&signature(secret, now(), &two))).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{answer}");
        assert_error(&answer, "bad_signature");
    }
    assert_eq!(stable_views(&s.skus().await), before);
}

#[tokio::test]
async fn a_signed_channels_malformed_push_is_refused_for_its_signature_first() {
    let s = TestServer::start_with_config(CONFIG);
    let body = br#"{"channel": "douyin", "order_id": "DY-M-1", "kind": "paid", "lines": "x"}"#;
    let (st, answer) = push(&s, body, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{answer}");
    assert_error(&answer, "bad_signature");
    let (st, answer) = push(&s, body, Some(&signature(DOUYIN_SECRET, now(), body))).await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "signed, then parsed: {answer}"
    );
    assert_eq!(assert_error(&answer, "invalid").as_deref(), Some("lines"));
}
