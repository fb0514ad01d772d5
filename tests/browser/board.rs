//! The board `/`: it loads clean, draws every chart, follows orders and viewers without a reload.

use crate::common::*;
use crate::driver::*;
use crate::stage::*;
use serde_json::json;

#[tokio::test]
async fn the_board_loads_without_errors_draws_every_chart_and_shows_the_show_title() {
    bounded("the board loads", async {
        let server = TestServer::start();
        stage(&server, 4).await;
        let browser = Browser::start().await;
        browser.open(&server, "/", VIEWER).await;

        browser
            .wait_text("#show-title", SHOW_TITLE, CHANGE_MS)
            .await;
        browser.wait_text("#show-state", "直播中", CHANGE_MS).await;
        browser
            .wait_text(".brand-name", "直播库存看板", CHANGE_MS)
            .await;
        let rows = browser
            .js("return document.querySelectorAll('#sku-rows tr[data-sku]').length;")
            .await;
        assert_eq!(rows, json!(CATALOG.len()), "one table row per SKU");
        browser
            .wait_text("#onair-name", HOODIE_NAME, CHANGE_MS)
            .await;
        let charts = browser
            .wait("every chart drawn by uPlot", APPEAR_MS, CHARTS_DRAWN)
            .await;
        assert_eq!(charts.as_array().map(Vec::len), Some(3), "{charts}");
        let libs = browser.js("return typeof window.uPlot;").await;
        assert_eq!(libs, json!("function"), "uPlot is loaded");

        browser.assert_no_errors("at the end").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn an_order_posted_through_the_api_changes_the_board_without_a_reload() {
    bounded("an order changes the board", async {
        let server = TestServer::start();
        stage(&server, 2).await;
        let browser = Browser::start().await;
        browser.open(&server, "/", VIEWER).await;

        let before = server.sku(CAP).await;
        browser
            .wait_text(&cell(CAP, "avail"), &grouped(before["available"].as_i64().unwrap()), CHANGE_MS)
            .await;
        browser
            .wait_text(&cell(CAP, "sold"), &grouped(before["sold_units"].as_i64().unwrap()), CHANGE_MS)
            .await;
        // Anything set on the page now is gone if it reloads.
        browser.js("window.__noReload = 'still here'; return true;").await;

        sell(&server, "DY-CAP-7", CAP, 7).await;
        let after = server.sku(CAP).await;
        assert_eq!(after["available"].as_i64().unwrap(), before["available"].as_i64().unwrap() - 7);
        let took = browser
            .wait_text(&cell(CAP, "avail"), &grouped(after["available"].as_i64().unwrap()), CHANGE_MS)
            .await;
        browser
            .wait_text(&cell(CAP, "sold"), &grouped(after["sold_units"].as_i64().unwrap()), CHANGE_MS)
            .await;
        eprintln!("the board showed the order after {took:?}");

        let page = browser
            .js("return {marker: window.__noReload || null, reconnects: window.__livestock.reconnects};")
            .await;
        assert_eq!(page, json!({"marker": "still here", "reconnects": 0}), "no reload, no reconnect");
        browser.assert_no_errors("after the order").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn viewers_pushed_by_the_overlay_role_appear_in_the_viewers_kpi() {
    bounded("pushed viewers", async {
        let server = TestServer::start();
        stage(&server, 1).await;
        let browser = Browser::start().await;
        browser.open(&server, "/", VIEWER).await;
        browser
            .wait_text("#kpi-viewers .kpi-main", &grouped(8_000), CHANGE_MS)
            .await;

        viewers(&server, 102_345).await;
        browser
            .wait_text("#kpi-viewers .kpi-main", "102,345", CHANGE_MS)
            .await;
        browser
            .wait_text("#chart-viewers-now", "102,345", CHANGE_MS)
            .await;
        browser.assert_no_errors("after the viewers").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_channel_showing_another_number_gets_an_amber_notice_on_the_board_until_it_agrees() {
    bounded("a channel mismatch on the board", async {
        let server = TestServer::start();
        stage(&server, 1).await;
        let browser = Browser::start().await;
        browser.open(&server, "/", VIEWER).await;
        browser.wait_text("#show-state", "直播中", CHANGE_MS).await;
        let hidden = browser.js("return document.getElementById('sync-notice').hidden;").await;
        assert_eq!(hidden, json!(true), "no notice while every channel agrees");

        let available = server.sku(HOODIE).await["available"].as_i64().unwrap();
        let wrong = json!([{"sku": HOODIE, "displayed": available + 200}]);
        let (st, b) = server
            .post("/api/v1/channels/kuaishou/displayed", INGEST, &wrong)
            .await;
        assert_eq!(st.as_u16(), 200, "{b}");
        let shown = grouped(available + 200);
        let text = browser
            .wait(
                "the sync notice names the channel and the numbers",
                SYNC_NOTICE_MS,
                "const el = document.getElementById('sync-notice'); \
                 return el && !el.hidden && el.textContent.includes('快手') ? el.textContent : null;",
            )
            .await;
        let text = text.as_str().unwrap().to_owned();
        assert!(text.contains(HOODIE_NAME), "{text}");
        assert!(text.contains(&format!("显示 {shown} 件")), "{text}");
        assert!(text.contains(&format!("可售 {} 件", grouped(available))), "{text}");
        browser.screenshot("board-channel-mismatch").await;

        let right = json!([{"sku": HOODIE, "displayed": available}]);
        server
            .post("/api/v1/channels/kuaishou/displayed", INGEST, &right)
            .await;
        browser
            .wait(
                "the notice goes once the channel agrees",
                SYNC_NOTICE_MS,
                "return document.getElementById('sync-notice').hidden || null;",
            )
            .await;
        browser.assert_no_errors("at the end").await;
        browser.close().await;
    })
    .await;
}

/// The mismatch's 3 s grace, two polls of 2 s and slack for a busy machine.
const SYNC_NOTICE_MS: u64 = 15_000;
