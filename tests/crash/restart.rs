//! Clean restarts: a stop (SIGTERM, exit 0) and start give back exactly the same books, a kill
//! after one replays the journal over the snapshot, and a hold outlives the restart and expires.

use crate::common::*;
use crate::{Judged, judged, terminate_cleanly};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BOOK_ORDERS: [(&str, &str); 14] = [
    ("douyin", "HELD"),
    ("douyin", "PAID"),
    ("douyin", "SHIPPED"),
    ("kuaishou", "CANCELLED"),
    ("kuaishou", "REFUNDED"),
    ("taobao", "RETURNED"),
    ("taobao", "SHORT"),
    ("jd", "OVER-LIMIT"),
    ("jd", "ORPHAN"),
    ("pinduoduo", "PRESALE-PAID"),
    ("pinduoduo", "PRESALE-HELD"),
    ("offline", "MULTI"),
    ("offline", "LATE-CANCEL"),
    ("douyin", "NEVER"),
];
const BOOK_SKUS: [&str; 3] = ["BK-A", "BK-B", "BK-C"];

/// Posts one event and returns its answer (as the event, its status and its judgement).
async fn post(s: &TestServer, ev: Value) -> (Value, Judged) {
    let (st, a) = s.orders(&ev).await;
    assert!(
        st == StatusCode::OK || st == StatusCode::CONFLICT,
        "{ev}: {st} {a}"
    );
    (ev, judged(&a))
}

/// Books with every bucket, order state and movement kind in them; returns every event posted.
async fn write_books(s: &TestServer) -> Vec<(Value, Judged)> {
    let mut a = new_sku("BK-A", 100, 1990);
    a["buffer"] = json!(5);
    a["damaged"] = json!(1);
    a["presale_cap"] = json!(10);
    a["per_buyer_limit"] = json!(3);
    a["name"] = json!("加绒卫衣 黑 L");
    s.create_skus(&json!([
        a,
        new_sku("BK-B", 50, 990),
        new_sku("BK-C", 5, 100)
    ]))
    .await;
    let moves = [
        (
            "BK-A",
            json!({"kind": "receive", "qty": 20, "by": "li", "verified_by": "wang", "zone": "A", "batch": "B1"}),
        ),
        (
            "BK-A",
            json!({"kind": "damage", "qty": 2, "by": "li", "reason": "破损"}),
        ),
        ("BK-A", json!({"kind": "undamage", "qty": 1, "by": "li"})),
        (
            "BK-B",
            json!({"kind": "adjust", "qty": -3, "by": "zhao", "reason": "盘亏"}),
        ),
        ("BK-B", json!({"kind": "count", "qty": 45, "by": "zhao"})),
    ];
    for (sku, m) in moves {
        let (st, b) = s
            .post(&format!("/api/v1/skus/{sku}/movements"), WAREHOUSE, &m)
            .await;
        assert_eq!(st, StatusCode::CREATED, "{m}: {b}");
    }
    let (st, b) = s
        .patch(
            "/api/v1/skus/BK-C",
            OPERATOR,
            &json!({"buffer": 1, "price_cents": 120}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");

    let addr =
        json!({"region": "浙江省杭州市", "detail": "西湖区文三路 1 号", "phone_hash": "9f2c"});
    let with = |mut e: Value, f: &dyn Fn(&mut Value)| {
        f(&mut e);
        e
    };
    let evs = vec![
        with(event("douyin", "HELD", "created", &[("BK-A", 2)]), &|e| {
            e["buyer"] = json!("u1");
            e["address"] = addr.clone();
            e["at"] = json!("2026-11-24T20:01:02.123+08:00");
        }),
        with(
            event("douyin", "PAID", "paid", &[("BK-A", 1), ("BK-B", 4)]),
            &|e| {
                e["buyer"] = json!("u2");
                e["lines"][1]["unit_price_cents"] = json!(900);
            },
        ),
        event("douyin", "SHIPPED", "created", &[("BK-B", 3)]),
        event("douyin", "SHIPPED", "paid", &[]),
        event("douyin", "SHIPPED", "shipped", &[]),
        event("kuaishou", "CANCELLED", "created", &[("BK-C", 2)]),
        event("kuaishou", "CANCELLED", "cancelled", &[]),
        event("kuaishou", "REFUNDED", "paid", &[("BK-A", 1)]),
        event("kuaishou", "REFUNDED", "refunded", &[]),
        event("taobao", "RETURNED", "paid", &[("BK-B", 2)]),
        event("taobao", "RETURNED", "shipped", &[]),
        event("taobao", "RETURNED", "refunded", &[]),
        event("taobao", "SHORT", "paid", &[("BK-C", 10)]),
        with(event("jd", "OVER-LIMIT", "paid", &[("BK-A", 4)]), &|e| {
            e["buyer"] = json!("u3")
        }),
        // Overtakes a payment that never comes: accepted and parked on the hold.
        event("jd", "ORPHAN", "created", &[("BK-C", 1)]),
        event("jd", "ORPHAN", "shipped", &[]),
        // A refunded order cannot be cancelled: remembered as rejected.
        event("kuaishou", "REFUNDED", "cancelled", &[]),
        with(
            event("pinduoduo", "PRESALE-PAID", "paid", &[("BK-A", 3)]),
            &|e| e["presale"] = json!(true),
        ),
        with(
            event("pinduoduo", "PRESALE-HELD", "created", &[("BK-A", 2)]),
            &|e| e["presale"] = json!(true),
        ),
        event(
            "offline",
            "MULTI",
            "created",
            &[("BK-A", 1), ("BK-B", 1), ("BK-C", 1)],
        ),
        event("offline", "LATE-CANCEL", "cancelled", &[]),
        event("offline", "LATE-CANCEL", "created", &[("BK-C", 1)]),
    ];
    let mut out = Vec::new();
    for ev in evs {
        out.push(post(s, ev).await);
    }
    let rejected: Vec<&str> = out
        .iter()
        .filter(|(_, j)| j.0 == "rejected")
        .map(|(ev, _)| ev["order_id"].as_str().unwrap())
        .collect();
    assert_eq!(rejected, ["SHORT", "OVER-LIMIT", "REFUNDED"], "{out:?}");
    out
}

/// Everything a reader sees of the books, and when it was read (epoch ms).
struct Books {
    at_ms: i64,
    seq: u64,
    skus: Value,
    orders: Vec<(StatusCode, Value)>,
    movements: Vec<Value>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

async fn read_books(s: &TestServer) -> Books {
    let at_ms = now_ms();
    let mut orders = Vec::new();
    for (channel, id) in BOOK_ORDERS {
        orders.push(s.order(channel, id).await);
    }
    let mut movements = Vec::new();
    for sku in BOOK_SKUS {
        let (st, m) = s
            .get(&format!("/api/v1/skus/{sku}/movements"), VIEWER)
            .await;
        assert_eq!(st, StatusCode::OK, "{m}");
        movements.push(m);
    }
    Books {
        at_ms,
        seq: s.seq().await,
        skus: s.skus().await,
        orders,
        movements,
    }
}

/// Asserts two reads of the books are the same. The sales rate is a function of the minute it is
/// read in, so it is compared only when both reads (and the view refresh before the first, at most
/// a tick earlier) fall in one minute.
fn assert_same_books(before: &Books, after: &Books) {
    let minute = |ms: i64| ms.div_euclid(60_000);
    let same_minute = minute(before.at_ms - 2_000) == minute(after.at_ms);
    let strip = |v: &Value| {
        let mut v = v.clone();
        if !same_minute {
            for s in v.as_array_mut().unwrap() {
                s.as_object_mut().unwrap().remove("rate_per_min");
                s.as_object_mut().unwrap().remove("sellout_minutes");
            }
        }
        v
    };
    assert_eq!(after.seq, before.seq, "the journal seq");
    assert_eq!(strip(&after.skus), strip(&before.skus), "GET /api/v1/skus");
    for (((ch, id), b), a) in BOOK_ORDERS.iter().zip(&before.orders).zip(&after.orders) {
        assert_eq!(a, b, "GET /api/v1/orders/{ch}/{id}");
    }
    assert_eq!(after.movements, before.movements, "the movements");
}

/// Every event sent again answers as the first time.
async fn assert_retries_answer_as_before(s: &TestServer, posted: &[(Value, Judged)]) {
    let seq = s.seq().await;
    for (ev, first) in posted {
        let (st, a) = s.orders(ev).await;
        let j = judged(&a);
        let (want_status, want) = if first.0 == "rejected" {
            (StatusCode::CONFLICT, "rejected")
        } else {
            (StatusCode::OK, "duplicate")
        };
        assert_eq!((st, j.0.as_str()), (want_status, want), "{ev}: {a}");
        assert_eq!((&j.1, j.2), (&first.1, first.2), "{ev}: {a}");
    }
    assert_eq!(s.seq().await, seq, "retries journal nothing");
}

async fn assert_ready(s: &TestServer) {
    let (st, b) = s.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(st, StatusCode::OK, "/readyz: {b}");
    let (st, b) = s.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(st, StatusCode::OK, "/healthz: {b}");
}

/// The books compared across restarts are stock and orders: the warnings engine, whose open
/// alerts follow the clock (and journal their updated words on the writer's tick), is off.
const BOOKS_ONLY: &str = "[alerts]\nenabled = false\n";

#[tokio::test]
async fn a_clean_restart_after_sigterm_gives_identical_books() {
    let mut s = TestServer::start_with_config(BOOKS_ONLY);
    let posted = write_books(&s).await;
    let before = read_books(&s).await;
    assert_eq!(
        before.orders[0].1["state"], "held",
        "{:?}",
        before.orders[0]
    );

    terminate_cleanly(&mut s);
    s.restart();
    assert_ready(&s).await;
    let after = read_books(&s).await;
    assert_same_books(&before, &after);
    assert_retries_answer_as_before(&s, &posted).await;
    assert_same_books(&before, &read_books(&s).await);
}

#[tokio::test]
async fn a_kill_9_after_a_clean_restart_replays_the_journal_over_the_snapshot() {
    let mut s = TestServer::start_with_config(BOOKS_ONLY);
    let mut posted = write_books(&s).await;
    terminate_cleanly(&mut s);
    s.restart();
    // More after the snapshot of the clean stop: these live only in the journal.
    for ev in [
        event("douyin", "HELD", "paid", &[]),
        event("offline", "MULTI", "cancelled", &[]),
        event("pinduoduo", "PRESALE-HELD", "paid", &[]),
        event("douyin", "NEVER", "paid", &[("BK-C", 1)]),
        event("douyin", "PAID", "shipped", &[]),
    ] {
        let (ev, j) = post(&s, ev).await;
        assert_eq!(j.0, "accepted", "{ev}");
        posted.push((ev, j));
    }
    let (st, b) = s
        .post(
            "/api/v1/skus/BK-C/movements",
            WAREHOUSE,
            &json!({"kind": "receive", "qty": 7, "by": "li", "verified_by": "zhou"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let before = read_books(&s).await;
    s.kill9();
    s.restart();
    assert_ready(&s).await;
    assert_same_books(&before, &read_books(&s).await);
    assert_retries_answer_as_before(&s, &posted).await;
    // And once more, cleanly, from the replayed state.
    terminate_cleanly(&mut s);
    s.restart();
    tokio::time::timeout(Duration::from_secs(10), assert_ready(&s))
        .await
        .expect("ready in time");
    assert_same_books(&before, &read_books(&s).await);
}

/// The life of a hold in the restart test: long enough to outlive a clean restart.
const HOLD_TTL_SECS: u64 = 3;

#[tokio::test]
async fn a_hold_taken_before_a_restart_still_expires_after_it() {
    let mut s = TestServer::start_with_config(&format!("hold_ttl_secs = {HOLD_TTL_SECS}\n"));
    s.create_skus(&new_sku("HX-1", 10, 100)).await;
    let held_at = std::time::Instant::now();
    let (ev, j) = post(&s, event("douyin", "HX-O1", "created", &[("HX-1", 4)])).await;
    assert_eq!(j.0, "accepted", "{ev}");
    let (ev, j) = post(&s, event("douyin", "HX-O2", "created", &[("HX-1", 3)])).await;
    assert_eq!(j.0, "accepted", "{ev}");
    // One restart through the snapshot of a clean stop, one through journal replay after a kill.
    terminate_cleanly(&mut s);
    s.restart();
    let held = s.sku("HX-1").await["held"].clone();
    // Only a slow machine restarts after the TTL; then the holds may be gone already.
    if held_at.elapsed() < Duration::from_millis(HOLD_TTL_SECS * 1000 - 500) {
        assert_eq!(held, 7, "holds survive a clean restart");
    }
    s.kill9();
    s.restart();
    poll(
        10_000,
        "the holds taken before the restarts expire",
        || async { (s.sku("HX-1").await["held"] == 0).then_some(()) },
    )
    .await;
    let v = s.sku("HX-1").await;
    assert_eq!((&v["available"], &v["committed"]), (&json!(10), &json!(0)));
    for id in ["HX-O1", "HX-O2"] {
        let (st, o) = s.order("douyin", id).await;
        assert_eq!(
            (st, &o["state"]),
            (StatusCode::OK, &json!("expired")),
            "{o}"
        );
    }
}
