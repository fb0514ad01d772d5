//! Several live rooms at once on one pool (API.md "Rooms"), end to end: two rooms on different
//! channels selling one shared SKU to more buyers than there is stock; orders credited to their
//! room; the pre-show check of overlapping slots; one room ending while the other stays live;
//! both rooms replayed after a restart; and a journal written before rooms replayed into `main`.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const HERO: &str = "RM-HOODIE";
const HERO_UNITS: i64 = 5_000;
const HERO_PRICE: i64 = 19_900;
const BUYERS: usize = 8_000;

/// Creates the rooms `dy` (Douyin) and `ks` (Kuaishou) and the SKUs of the night.
async fn two_rooms(s: &TestServer) {
    s.create_skus(&json!([
        new_sku(HERO, HERO_UNITS, HERO_PRICE),
        new_sku("RM-CAP", 900, 3_900),
        new_sku("RM-MUG", 900, 2_900),
    ]))
    .await;
    for (room, name, channel) in [
        ("dy", "抖音官方旗舰店", "douyin"),
        ("ks", "快手直播间", "kuaishou"),
    ] {
        let body = json!({"room": room, "name": name, "channel": channel});
        let (st, b) = s.post("/api/v1/rooms", OPERATOR, &body).await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        assert_eq!(b["room"], room, "{b}");
        assert_eq!(b["state"], "none", "{b}");
    }
}

/// Plans and starts `room`'s show with `lineup`, and puts its first product on air.
async fn go_live(s: &TestServer, room: &str, lineup: Value) {
    let base = format!("/api/v1/rooms/{room}/show");
    let show = json!({"title": format!("{room} 双十二"), "lineup": lineup});
    let (st, b) = s.post(&base, OPERATOR, &show).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, b) = s.post(&format!("{base}/start"), OPERATOR, &json!({})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "live", "{b}");
    let first = lineup[0]["sku"].clone();
    let (st, b) = s
        .call(
            reqwest::Method::PUT,
            &format!("{base}/current"),
            Some(OPERATOR),
            Some(&json!({"sku": first})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["current"], first, "{b}");
}

async fn room_show(s: &TestServer, room: &str) -> Value {
    let (st, b) = s.get(&format!("/api/v1/rooms/{room}/show"), VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    b
}

#[tokio::test]
async fn two_rooms_sell_one_shared_sku_to_8000_buyers_and_exactly_the_stock_is_sold_each_to_its_room()
 {
    let s = TestServer::start();
    two_rooms(&s).await;
    go_live(&s, "dy", json!([{"sku": HERO}, {"sku": "RM-CAP"}])).await;
    go_live(&s, "ks", json!([{"sku": "RM-MUG"}, {"sku": HERO}])).await;
    // Even buyers buy on Douyin, odd ones on Kuaishou; every tenth Douyin order names the Kuaishou
    // room itself (a cross-posted link): the explicit room wins over the channel.
    let mut credited = std::collections::BTreeMap::<&str, i64>::new();
    let mut accepted = 0;
    let events: Vec<(Value, &str)> = (0..BUYERS)
        .map(|i| {
            let channel = if i % 2 == 0 { "douyin" } else { "kuaishou" };
            let mut e = buyer_event(
                channel,
                &format!("B-{i}"),
                "paid",
                &format!("u{i}"),
                &[(HERO, 1)],
            );
            let room = if i % 2 == 1 {
                "ks"
            } else if i % 20 == 0 {
                e["room"] = json!("ks");
                "ks"
            } else {
                "dy"
            };
            (e, room)
        })
        .collect();
    for chunk in events.chunks(200) {
        let batch: Vec<&Value> = chunk.iter().map(|(e, _)| e).collect();
        let (st, answers) = s.orders(&json!(batch)).await;
        assert_eq!(st, StatusCode::OK, "{answers}");
        for ((_, room), a) in chunk
            .iter()
            .zip(answers["results"].as_array().expect("one answer per event"))
        {
            match a["result"].as_str() {
                Some("accepted") => {
                    accepted += 1;
                    *credited.entry(room).or_default() += HERO_PRICE;
                }
                Some("rejected") => assert_eq!(a["reason"], "out_of_stock", "{a}"),
                _ => panic!("unexpected answer {a}"),
            }
        }
    }
    assert_eq!(
        accepted, HERO_UNITS,
        "exactly the stock is sold, never more"
    );
    let hero = s.sku(HERO).await;
    assert_eq!(hero["sold_units"], HERO_UNITS, "{hero}");
    assert_eq!(hero["available"], 0, "{hero}");
    assert_invariant(&hero);
    let dy = room_show(&s, "dy").await;
    let ks = room_show(&s, "ks").await;
    assert_eq!(dy["gmv_cents"], credited["dy"], "{dy}");
    assert_eq!(ks["gmv_cents"], credited["ks"], "{ks}");
    assert!(credited["dy"] > 0 && credited["ks"] > 0, "{credited:?}");
    assert_eq!(
        dy["units"].as_i64().unwrap() + ks["units"].as_i64().unwrap(),
        HERO_UNITS
    );
    // The explicit room won: Kuaishou's room holds Douyin orders too.
    assert!(
        ks["channels"]["douyin"]["orders"].as_i64().unwrap() > 0,
        "{ks}"
    );
    assert!(dy["channels"].get("kuaishou").is_none(), "{dy}");
    // The SKU's view shows its units per room.
    assert_eq!(hero["rooms"]["dy"]["units"], dy["units"], "{hero}");
    assert_eq!(hero["rooms"]["ks"]["units"], ks["units"], "{hero}");
    // Each room's show has its own product on air; the plain endpoints are room main's.
    assert_eq!(dy["current"], HERO);
    assert_eq!(ks["current"], "RM-MUG");
    let (_, main) = s.get("/api/v1/show", VIEWER).await;
    assert_eq!(main["room"], "main", "{main}");
    assert_eq!(main["state"], "none", "{main}");
    let (st, rooms) = s.get("/api/v1/rooms", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{rooms}");
    let ids: Vec<&str> = rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["room"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["dy", "ks", "main"]);
    let dy_summary = &rooms[0];
    for field in [
        "title",
        "state",
        "current",
        "viewers",
        "gmv_cents",
        "orders",
        "units",
    ] {
        assert_eq!(dy_summary[field], dy[field], "{field} in {dy_summary}");
    }
}

#[tokio::test]
async fn an_order_without_a_room_goes_to_the_one_live_room_of_its_channel_else_to_none() {
    let s = TestServer::start();
    two_rooms(&s).await;
    go_live(&s, "dy", json!([{"sku": "RM-CAP"}])).await;
    sell(&s, "DY-1", "RM-CAP", 2).await; // douyin: the dy room
    let (st, a) = s
        .orders(&event("taobao", "TB-1", "paid", &[("RM-CAP", 3)]))
        .await;
    assert_eq!(st, StatusCode::OK, "{a}"); // no room of taobao: sold, credited to none
    let dy = room_show(&s, "dy").await;
    assert_eq!(dy["units"], 2, "{dy}");
    assert_eq!(s.sku("RM-CAP").await["sold_units"], 5);
    let (_, order) = s.order("taobao", "TB-1").await;
    assert_eq!(order["state"], "paid", "{order}");
    // A room the shop does not have is bad input, naming the field, and changes nothing.
    let seq = s.seq().await;
    let mut e = event("douyin", "DY-2", "paid", &[("RM-CAP", 1)]);
    e["room"] = json!("nowhere");
    let (st, b) = s.orders(&e).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("room"));
    assert_eq!(s.seq().await, seq);
    for bad in [json!({"room": "a b", "name": "x"}), json!({"room": "r1"})] {
        let (st, b) = s.post("/api/v1/rooms", OPERATOR, &bad).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {b}");
        assert!(assert_error(&b, "invalid").is_some(), "{b}");
    }
    for path in [
        "/api/v1/rooms/nowhere/show",
        "/api/v1/rooms/nowhere/show/precheck",
        "/host?room=nowhere",
        "/overlay?room=nowhere",
        "/?room=nowhere",
        "/ws?view=host&room=nowhere",
    ] {
        let (st, b) = s.get(path, VIEWER).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}: {b}");
        assert_error(&b, "not_found");
    }
    let (st, _) = s.get("/host?room=dy", VIEWER).await;
    assert_eq!(st, StatusCode::OK);
    let (st, b) = s
        .post("/api/v1/rooms", VIEWER, &json!({"room": "v", "name": "v"}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
    // A live room cannot move to another channel.
    let (st, b) = s
        .post(
            "/api/v1/rooms",
            OPERATOR,
            &json!({"room": "dy", "name": "抖音", "channel": "jd"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
}

#[tokio::test]
async fn the_precheck_adds_the_needs_of_another_rooms_overlapping_slot_for_a_shared_sku() {
    let s = TestServer::start();
    two_rooms(&s).await;
    let plan = |room: &str, start: &str, rate: i64| {
        json!({"title": format!("{room} 晚场"), "planned_end": "2026-12-12T22:00:00+08:00",
               "lineup": [{"sku": HERO, "planned_start": start, "planned_rate_per_min": rate}]})
    };
    // Douyin sells 3,000 over 20:00–22:00 (25/min × 120), Kuaishou 2,400 over 21:00–22:00
    // (40/min × 60): each alone fits in 5,000, together they do not.
    let (st, b) = s
        .post(
            "/api/v1/rooms/dy/show",
            OPERATOR,
            &plan("dy", "2026-12-12T20:00:00+08:00", 25),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, alone) = s.get("/api/v1/rooms/dy/show/precheck", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{alone}");
    assert_eq!(alone["pass"], true, "{alone}");
    let (st, b) = s
        .post(
            "/api/v1/rooms/ks/show",
            OPERATOR,
            &plan("ks", "2026-12-12T21:00:00+08:00", 40),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, both) = s.get("/api/v1/rooms/dy/show/precheck", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{both}");
    assert_eq!(both["pass"], false, "{both}");
    let item = &both["items"][0];
    assert_eq!(item["room_needed"], 3_000, "{item}");
    assert_eq!(item["needed"], 5_400, "{item}");
    assert_eq!(item["short"], 400, "{item}");
    assert_eq!(item["shared_with"][0]["room"], "ks", "{item}");
    assert_eq!(item["shared_with"][0]["needed"], 2_400, "{item}");
    let codes: Vec<&str> = item["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["shared_short"], "{item}");
    assert!(
        item["reasons"][0]["zh"]
            .as_str()
            .unwrap()
            .contains("快手直播间"),
        "{item}"
    );
    // Kuaishou's check sees the same competition from its side.
    let (_, ks) = s.get("/api/v1/rooms/ks/show/precheck", VIEWER).await;
    assert_eq!(ks["items"][0]["shared_with"][0]["room"], "dy", "{ks}");
    assert_eq!(ks["pass"], false, "{ks}");
    // A slot that does not overlap competes with nothing.
    let later = plan("ks", "2026-12-12T23:00:00+08:00", 40);
    let mut later = later;
    later["planned_end"] = json!("2026-12-13T00:00:00+08:00");
    let (st, b) = s.post("/api/v1/rooms/ks/show", OPERATOR, &later).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (_, apart) = s.get("/api/v1/rooms/dy/show/precheck", VIEWER).await;
    assert_eq!(apart["pass"], true, "{apart}");
    assert_eq!(apart["items"][0]["shared_with"], json!([]), "{apart}");
}

#[tokio::test]
async fn ending_one_rooms_show_leaves_the_other_live_and_a_restart_replays_both_exactly() {
    let mut s = TestServer::start();
    two_rooms(&s).await;
    go_live(&s, "dy", json!([{"sku": HERO}])).await;
    go_live(&s, "ks", json!([{"sku": "RM-MUG"}, {"sku": HERO}])).await;
    for i in 0..30 {
        let channel = if i % 3 == 0 { "kuaishou" } else { "douyin" };
        let e = buyer_event(
            channel,
            &format!("R-{i}"),
            "paid",
            &format!("u{i}"),
            &[(HERO, 2)],
        );
        let (st, a) = s.orders(&e).await;
        assert_eq!(st, StatusCode::OK, "{a}");
    }
    let (st, b) = s
        .post(
            "/api/v1/rooms/ks/show/viewers",
            OVERLAY,
            &json!({"online": 4321}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, ended) = s
        .post("/api/v1/rooms/dy/show/end", OPERATOR, &json!({}))
        .await;
    assert_eq!(st, StatusCode::OK, "{ended}");
    assert_eq!(ended["state"], "ended", "{ended}");
    let ks = room_show(&s, "ks").await;
    assert_eq!(ks["state"], "live", "the other room stays live: {ks}");
    assert_eq!(ks["viewers"], 4321, "{ks}");
    // After the end, a Douyin order is credited to no room; Kuaishou's still to its room.
    sell(&s, "late-dy", HERO, 1).await;
    assert_eq!(room_show(&s, "dy").await["units"], ended["units"]);
    let (_, rooms_before) = s.get("/api/v1/rooms", VIEWER).await;
    let shows_before = (room_show(&s, "dy").await, room_show(&s, "ks").await);
    let hero_before = s.sku(HERO).await;
    // From the journal alone (killed: no snapshot at shutdown), then from the shutdown snapshot.
    s.kill9();
    s.restart();
    let (_, rooms_replayed) = s.get("/api/v1/rooms", VIEWER).await;
    assert_eq!(rooms_replayed, rooms_before);
    assert_eq!(
        (room_show(&s, "dy").await, room_show(&s, "ks").await),
        shows_before
    );
    assert_eq!(
        stable_views(&json!([s.sku(HERO).await])),
        stable_views(&json!([hero_before]))
    );
    s.terminate();
    s.restart();
    let (_, rooms_after) = s.get("/api/v1/rooms", VIEWER).await;
    assert_eq!(rooms_after, rooms_before);
    assert_eq!(
        (room_show(&s, "dy").await, room_show(&s, "ks").await),
        shows_before
    );
}

#[tokio::test]
async fn a_journal_written_before_rooms_replays_into_room_main() {
    let mut s = TestServer::start();
    s.kill9();
    for entry in std::fs::read_dir(s.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::remove_file(path).unwrap();
        }
    }
    // Written by the build before rooms: two SKUs, a live show with OLD-HOODIE on air, 1,234
    // viewers, five paid Douyin orders of 2 hoodies and one Kuaishou cap, one of them refunded.
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/journal-before-rooms"
    );
    for entry in std::fs::read_dir(fixture).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, s.data_dir().join(path.file_name().unwrap())).unwrap();
    }
    s.restart();
    let (st, show) = s.get("/api/v1/show", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{show}");
    assert_eq!(show["room"], "main", "{show}");
    assert_eq!(show["title"], "旧版专场", "{show}");
    assert_eq!(show["state"], "live", "{show}");
    assert_eq!(show["current"], "OLD-HOODIE", "{show}");
    assert_eq!(show["viewers"], 1234, "{show}");
    // What the old build answered for the same journal.
    assert_eq!(show["gmv_cents"], 83_100, "{show}");
    assert_eq!(show["orders"], 5, "{show}");
    assert_eq!(show["units"], 9, "{show}");
    assert_eq!(show["buyers"], 6, "{show}");
    assert_eq!(show["channels"]["kuaishou"]["gmv_cents"], 3_900, "{show}");
    assert_eq!(s.sku("OLD-HOODIE").await["available"], 492);
    let (_, rooms) = s.get("/api/v1/rooms", VIEWER).await;
    assert_eq!(rooms.as_array().unwrap().len(), 1, "{rooms}");
    assert_eq!(rooms[0]["room"], "main", "{rooms}");
    assert_eq!(room_show(&s, "main").await, show);
}

#[tokio::test]
async fn the_review_is_per_room_and_for_the_whole_night() {
    let s = TestServer::start();
    two_rooms(&s).await;
    go_live(&s, "dy", json!([{"sku": HERO}])).await;
    go_live(&s, "ks", json!([{"sku": "RM-MUG"}, {"sku": HERO}])).await;
    for i in 0..12 {
        let channel = if i % 3 == 0 { "kuaishou" } else { "douyin" };
        let e = buyer_event(
            channel,
            &format!("V-{i}"),
            "paid",
            &format!("u{i}"),
            &[(HERO, 1)],
        );
        assert_eq!(s.orders(&e).await.0, StatusCode::OK);
    }
    let (st, taobao) = s
        .orders(&event("taobao", "V-TB", "paid", &[(HERO, 1)]))
        .await;
    assert_eq!(st, StatusCode::OK, "{taobao}");
    let paid = |review: &Value| review["totals"]["paid_orders"].as_i64().unwrap();
    let (st, dy) = s.get("/api/v1/rooms/dy/show/review", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{dy}");
    let (_, ks) = s.get("/api/v1/rooms/ks/show/review", VIEWER).await;
    let (_, night) = s
        .get("/api/v1/rooms/dy/show/review?scope=night", VIEWER)
        .await;
    assert_eq!(
        (paid(&dy), paid(&ks)),
        (8, 4),
        "each room counts its credited orders"
    );
    assert_eq!(
        paid(&night),
        13,
        "the night counts every order, the unclaimed one too"
    );
    assert_eq!(
        night["skus"][0]["paid_units"].as_i64().unwrap(),
        13,
        "{night}"
    );
    let (st, b) = s
        .get("/api/v1/rooms/dy/show/review?scope=week", VIEWER)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(assert_error(&b, "invalid").as_deref(), Some("scope"));
}
