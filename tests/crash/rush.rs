//! A rush cut short: nothing acknowledged is lost when the server is killed with SIGKILL (or stopped
//! with SIGTERM) in the middle of it, and every retry after the restart gets its first answer.

use crate::common::*;
use crate::{Judged, judged, terminate_cleanly};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const CHANNELS: [&str; 5] = ["douyin", "kuaishou", "taobao", "jd", "pinduoduo"];

/// A SKU that sells out during the rush, so rejections are acknowledged too.
const HOT: &str = "RUSH-HOT";
const HOT_UNITS: i64 = 150;
/// A SKU that never runs out, so acceptances go on until the kill.
const DEEP: &str = "RUSH-DEEP";
const DEEP_UNITS: i64 = 1_000_000;
const RUSH_PRICE_CENTS: i64 = 500;
const RUSH_TASKS: usize = 8;
/// The server is stopped once this many events have been answered.
const ACKED_BEFORE_KILL: usize = 1_500;
/// Requests one rushing task sends at most (the kill normally stops it long before).
const RUSH_REQUESTS_PER_TASK_MAX: usize = 2_000;
/// Events per array request in the rush.
const RUSH_ARRAY_EVENTS: usize = 5;
/// A snapshot every this many journal records during the rush (the default is far larger).
const SNAPSHOT_EVERY_RECORDS: u64 = 97;
/// Events per array when retrying after the restart.
const RETRY_ARRAY_EVENTS: usize = 250;

/// What one rushing task saw: events answered, and events sent whose answer never came.
#[derive(Default)]
struct Seen {
    acked: Vec<(Value, Judged)>,
    in_flight: Vec<Value>,
}

fn rush_event(task: usize, n: usize, j: usize) -> Value {
    let sku = if (n + j).is_multiple_of(2) { HOT } else { DEEP };
    json!({"channel": CHANNELS[(task + n) % CHANNELS.len()], "order_id": format!("R{task}-{n}-{j}"),
           "kind": "paid", "buyer": format!("b{task}-{n}-{j}"),
           "lines": [{"sku": sku, "qty": 1, "unit_price_cents": RUSH_PRICE_CENTS}]})
}

/// Posts paid orders, one at a time and in arrays, until the server stops answering.
async fn rush(base: String, task: usize, answered: Arc<AtomicUsize>) -> Seen {
    let c = client();
    let mut seen = Seen::default();
    for n in 0..RUSH_REQUESTS_PER_TASK_MAX {
        let single = n % 3 != 0;
        let events: Vec<Value> = if single {
            vec![rush_event(task, n, 0)]
        } else {
            (0..RUSH_ARRAY_EVENTS)
                .map(|j| rush_event(task, n, j))
                .collect()
        };
        let body = if single {
            events[0].clone()
        } else {
            Value::Array(events.clone())
        };
        let sent = send(
            &c,
            &base,
            Method::POST,
            "/api/v1/orders",
            Some(INGEST),
            Some(serde_json::to_vec(&body).unwrap()),
        )
        .await;
        let Ok((st, a)) = sent else {
            seen.in_flight.extend(events);
            break;
        };
        if single {
            let j = judged(&a);
            let want = if j.0 == "rejected" {
                StatusCode::CONFLICT
            } else {
                StatusCode::OK
            };
            assert_eq!(st, want, "{a}");
            assert_ne!(j.0, "duplicate", "a first sending answered duplicate: {a}");
            seen.acked.push((events[0].clone(), j));
        } else {
            assert_eq!(st, StatusCode::OK, "{a}");
            let results = a["results"].as_array().expect("results");
            assert_eq!(results.len(), events.len(), "{a}");
            for (ev, r) in events.into_iter().zip(results) {
                seen.acked.push((ev, judged(r)));
            }
        }
        answered.fetch_add(
            if single { 1 } else { RUSH_ARRAY_EVENTS },
            Ordering::Relaxed,
        );
    }
    seen
}

fn sku_of(ev: &Value) -> &str {
    ev["lines"][0]["sku"].as_str().unwrap()
}

/// Resends `events` in arrays and returns the answers in order.
async fn resend(s: &TestServer, events: &[Value]) -> Vec<Judged> {
    let mut out = Vec::with_capacity(events.len());
    for chunk in events.chunks(RETRY_ARRAY_EVENTS) {
        let (st, a) = s.orders(&Value::Array(chunk.to_vec())).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        let results = a["results"].as_array().expect("results");
        assert_eq!(results.len(), chunk.len());
        out.extend(results.iter().map(judged));
    }
    out
}

/// How the rush is ended.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stop {
    /// SIGKILL: no chance to flush or answer anything.
    Kill9,
    /// SIGTERM: finish in-flight requests, flush, exit 0.
    Term,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_event_survives_a_kill_9_in_the_middle_of_a_rush() {
    rush_stop_restart_and_check(Stop::Kill9).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sigterm_in_the_middle_of_a_rush_exits_0_and_loses_no_acknowledged_event() {
    rush_stop_restart_and_check(Stop::Term).await;
}

/// Rushes paid orders from several connections, stops the server mid-rush, restarts it on the same
/// data and checks that every answered event is there exactly as answered.
async fn rush_stop_restart_and_check(stop: Stop) {
    // Snapshots every few records, so the stop may land during one and the restart reads a
    // snapshot plus the journal segments after it. The warnings engine is off: a warning its tick
    // journals on its own (a rate moving with the clock) would move the seq that "retries journal
    // nothing" checks, and did once on a loaded machine.
    let mut s = TestServer::start_with_config(&format!(
        "snapshot_every_records = {SNAPSHOT_EVERY_RECORDS}\n[alerts]\nenabled = false\n"
    ));
    s.create_skus(&json!([
        new_sku(HOT, HOT_UNITS, RUSH_PRICE_CENTS),
        new_sku(DEEP, DEEP_UNITS, RUSH_PRICE_CENTS)
    ]))
    .await;

    let answered = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..RUSH_TASKS)
        .map(|t| tokio::spawn(rush(s.base.clone(), t, answered.clone())))
        .collect();
    poll(20_000, "the rush gets under way", || async {
        (answered.load(Ordering::Relaxed) >= ACKED_BEFORE_KILL).then_some(())
    })
    .await;
    match stop {
        Stop::Kill9 => s.kill9(),
        Stop::Term => {
            terminate_cleanly(&mut s);
        }
    }
    let mut acked = Vec::new();
    let mut in_flight = Vec::new();
    for t in tasks {
        let seen = t.await.expect("a rushing task");
        acked.extend(seen.acked);
        in_flight.extend(seen.in_flight);
    }
    let accepted = |sku: &str| {
        acked
            .iter()
            .filter(|(ev, j)| sku_of(ev) == sku && j.0 == "accepted")
            .count() as i64
    };
    let flying = |sku: &str| in_flight.iter().filter(|ev| sku_of(ev) == sku).count() as i64;
    eprintln!(
        "{stop:?} with {} events answered and {} in flight",
        acked.len(),
        in_flight.len()
    );
    assert!(
        acked.iter().any(|(_, j)| j.0 == "rejected"),
        "the hot SKU sold out before the stop"
    );

    s.restart();
    let max_acked_seq = acked.iter().map(|(_, j)| j.2).max().unwrap_or(0);
    assert!(s.seq().await >= max_acked_seq, "the journal lost its tail");
    for (sku, units) in [(HOT, HOT_UNITS), (DEEP, DEEP_UNITS)] {
        let v = s.sku(sku).await;
        let committed = v["committed"].as_i64().unwrap();
        assert!(
            accepted(sku) <= committed && committed <= accepted(sku) + flying(sku),
            "{sku}: committed {committed}, acknowledged accepted {}, in flight {}",
            accepted(sku),
            flying(sku)
        );
        assert_eq!(v["sold_units"], committed, "{v}");
        assert_eq!(v["gmv_cents"], committed * RUSH_PRICE_CENTS, "{v}");
        assert_eq!((&v["held"], &v["on_hand"]), (&json!(0), &json!(units)));
    }

    // Every acknowledged event, sent again, gets its first answer; nothing changes.
    let seq = s.seq().await;
    let before = s.skus().await;
    let events: Vec<Value> = acked.iter().map(|(ev, _)| ev.clone()).collect();
    for ((ev, first), again) in acked.iter().zip(resend(&s, &events).await) {
        let want = if first.0 == "accepted" {
            "duplicate"
        } else {
            "rejected"
        };
        assert_eq!(again.0, want, "{ev} first answered {first:?}");
        assert_eq!((&again.1, again.2), (&first.1, first.2), "{ev}");
    }
    // A few as single requests too: the same answers with the HTTP status of API.md.
    for (ev, first) in acked.iter().step_by(97) {
        let (st, a) = s.orders(ev).await;
        let want = if first.0 == "accepted" {
            StatusCode::OK
        } else {
            StatusCode::CONFLICT
        };
        assert_eq!(st, want, "{a}");
        assert_eq!(a["seq"], first.2, "{a}");
    }
    assert_eq!(s.seq().await, seq, "retries journal nothing");
    assert_eq!(
        stable_views(&s.skus().await),
        stable_views(&before),
        "retries change nothing"
    );

    // The events whose answer was lost are judged now (or were before the kill): either way the
    // books hold exactly the units of every event finally accepted.
    let answers = resend(&s, &in_flight).await;
    let durable_unanswered = answers.iter().filter(|j| j.0 == "duplicate").count();
    eprintln!(
        "{stop:?}: {durable_unanswered} of {} events in flight were durable without an answer",
        in_flight.len()
    );
    if stop == Stop::Term {
        assert_eq!(
            durable_unanswered, 0,
            "a SIGTERM'd server took events it never answered"
        );
    }
    for sku in [HOT, DEEP] {
        let taken = accepted(sku)
            + in_flight
                .iter()
                .zip(&answers)
                .filter(|(ev, j)| sku_of(ev) == sku && j.0 != "rejected")
                .count() as i64;
        assert_eq!(s.sku(sku).await["committed"], taken, "{sku}");
    }
}
