//! Two live rooms at once on the screens (API.md "Rooms"): the board shows each room's card
//! (viewers, GMV, conversion, product on air) and the whole in its KPI row, `?room=` focuses one;
//! each room's host screen shows its own product on air.

use crate::common::*;
use crate::driver::*;
use crate::stage::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KS_NAME: &str = "快手直播间 · 主播阿强";

/// The stage's show in room main, and a Kuaishou room live beside it with JACKET on air, which
/// sells JACKET and HOODIE to its own buyers.
async fn second_room(server: &TestServer) {
    let room = json!({"room": "ks", "name": KS_NAME, "channel": "kuaishou"});
    let (st, b) = server.post("/api/v1/rooms", OPERATOR, &room).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let show = json!({"title": "阿强的冬季宠粉夜", "lineup": [{"sku": JACKET}, {"sku": HOODIE}]});
    let (st, b) = server.post("/api/v1/rooms/ks/show", OPERATOR, &show).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, b) = server
        .call(
            Method::POST,
            "/api/v1/rooms/ks/show/start",
            Some(OPERATOR),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = server
        .call(
            Method::PUT,
            "/api/v1/rooms/ks/show/current",
            Some(OVERLAY),
            Some(&json!({"sku": JACKET})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let (st, b) = server
        .post(
            "/api/v1/rooms/ks/show/viewers",
            OVERLAY,
            &json!({"online": 3_456}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let events: Vec<Value> = (0..6)
        .map(|i| {
            paid(
                "kuaishou",
                &format!("KS-ROOM-{i}"),
                &[(JACKET, 1), (HOODIE, 1)],
            )
        })
        .collect();
    let (st, b) = server.orders(&json!(events)).await;
    assert_eq!(st, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn the_board_shows_both_live_rooms_side_by_side_and_each_host_screen_its_own_product() {
    bounded("two rooms on the screens", async {
        let server = TestServer::start();
        stage(&server, 2).await;
        second_room(&server).await;
        let (_, rooms) = server.get("/api/v1/rooms", VIEWER).await;
        let whole: i64 = rooms
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["gmv_cents"].as_i64().unwrap())
            .sum();
        let browser = Browser::start().await;
        for (size, shot) in [((1920, 1080), "board-rooms-1920"), ((1366, 768), "board-rooms-1366")] {
            browser.fit_viewport(size).await;
            browser.open(&server, "/", VIEWER).await;
            let names = browser
                .wait(
                    "the room cards",
                    CHANGE_MS * 2,
                    "const s = document.getElementById('rooms');
                     if (!s || s.hidden) return null;
                     const n = [...s.querySelectorAll('.room-name')].map(e => e.textContent);
                     return n.length === 3 ? n : null;",
                )
                .await;
            assert_eq!(names, json!(["全场", KS_NAME, "主直播间"]), "{shot}");
            let ks_air = browser
                .js("return document.querySelector('.room-card[data-room=ks] .room-onair').textContent;")
                .await;
            assert!(ks_air.as_str().unwrap().contains(JACKET_NAME), "{ks_air}");
            // The KPI row is the whole night: both rooms' GMV.
            let yuan = grouped(whole / 100);
            browser.wait_text("#kpi-gmv .kpi-main", &yuan, CHANGE_MS).await;
            let overflow = browser
                .js("return document.documentElement.scrollHeight > window.innerHeight + 1;")
                .await;
            assert_eq!(overflow, json!(false), "{shot}: the board fits its screen");
            browser.assert_no_errors(shot).await;
            browser.screenshot(shot).await;
        }
        // Focused on the Kuaishou room: its show in the title, its card selected.
        browser.open(&server, "/?room=ks", VIEWER).await;
        let title = contains("#show-title", KS_NAME);
        browser.wait("the Kuaishou room's title", CHANGE_MS, &title).await;
        let selected = browser
            .js("return document.querySelector('.room-card.selected').dataset.room;")
            .await;
        assert_eq!(selected, json!("ks"));
        browser.screenshot("board-rooms-focus-ks").await;
        // Each host sees the product on air in their own room.
        browser.fit_viewport((1920, 1080)).await;
        browser.open(&server, "/host?room=ks", VIEWER).await;
        browser.wait_text("#host-name", JACKET_NAME, CHANGE_MS).await;
        let title = contains("#host-title", KS_NAME);
        browser.wait("the Kuaishou room on the host screen", CHANGE_MS, &title).await;
        browser.screenshot("host-room-ks").await;
        browser.open(&server, "/host", VIEWER).await;
        browser.wait_text("#host-name", HOODIE_NAME, CHANGE_MS).await;
        browser.assert_no_errors("the host screens").await;
        browser.close().await;
    })
    .await;
}

/// A script answering true once the text of `css` contains `want`, else null.
fn contains(css: &str, want: &str) -> String {
    format!(
        "const e = document.querySelector({css:?}); return (e && e.textContent.includes({want:?})) || null;"
    )
}
