//! The central pool under a flash sale: more buyers than units from every channel at once, in
//! single events and arrays, and a retry of everything that changes nothing.

use crate::common::*;
use crate::{Judged, assert_retries_changed_nothing, books, judged};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

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
    // No warnings: the writer's tick journals them (fired, or updated in place) on its own clock,
    // which under load can fall between `before` and the retries and move the seq.
    let s = TestServer::start_with_config("[alerts]\nenabled = false\n");
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
    let before = books(&s).await;
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
    assert_retries_changed_nothing(&s, &before).await;
}
