//! The host screen, the overlay, `?lang=en` on all three, and the screenshots.

use crate::common::*;
use crate::driver::*;
use crate::stage::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn the_host_screen_shows_the_product_on_air_and_its_units_left_in_large_type_and_warns_when_low()
 {
    bounded("the host screen", async {
        let server = TestServer::start();
        stage(&server, 2).await;
        let browser = Browser::start().await;
        browser.open(&server, "/host", VIEWER).await;

        browser.wait_text("#host-name", HOODIE_NAME, CHANGE_MS).await;
        let left = available(&server, HOODIE).await;
        browser.wait_text("#host-number", &grouped(left), CHANGE_MS).await;
        browser.wait_text("#host-next-name", JACKET_NAME, CHANGE_MS).await;
        let px = browser
            .js("return parseFloat(getComputedStyle(document.getElementById('host-number')).fontSize);")
            .await;
        let px = px.as_f64().expect("a font size");
        assert!(px >= 120.0, "the units left are in large type: {px}px");
        let status = browser.text("#host-status").await.unwrap_or_default();
        assert!(!status.contains("还剩最后"), "no last-units call while stock is ample: {status:?}");

        sell(&server, "DY-HOST-1", HOODIE, left - 12).await;
        browser.wait_text("#host-number", "12", CHANGE_MS).await;
        browser.wait_text("#host-status", "还剩最后 12 件", CHANGE_MS).await;
        browser.assert_no_errors("after the stock ran low").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_overlay_is_transparent_and_shows_only_n_left() {
    bounded("the overlay", async {
        let server = TestServer::start();
        stage(&server, 2).await;
        let browser = Browser::start().await;
        browser.open(&server, "/overlay", OVERLAY).await;

        let bg = browser
            .js(
                "return {html: getComputedStyle(document.documentElement).backgroundColor,
                         body: getComputedStyle(document.body).backgroundColor};",
            )
            .await;
        assert_eq!(
            bg,
            json!({"html": "rgba(0, 0, 0, 0)", "body": "rgba(0, 0, 0, 0)"}),
            "the overlay lets the stream through"
        );
        let left = available(&server, HOODIE).await;
        browser.wait_text("#ov-name", HOODIE_NAME, CHANGE_MS).await;
        browser
            .wait_text("#ov-count", &format!("仅剩 {left} 件"), CHANGE_MS)
            .await;
        browser
            .wait(
                "the badge shown",
                CHANGE_MS,
                "return document.getElementById('ov').classList.contains('show') || null;",
            )
            .await;

        sell(&server, "DY-OV-1", HOODIE, 5).await;
        browser
            .wait_text("#ov-count", &format!("仅剩 {} 件", left - 5), CHANGE_MS)
            .await;
        browser.assert_no_errors("after a sale").await;
        browser.close().await;
    })
    .await;
}

/// Every `[data-i18n]` text of the page, but the language switch's own "中文", that has Chinese in
/// it (none in English).
pub(crate) const CHINESE_UI_STRINGS: &str = "
    return [...document.querySelectorAll('[data-i18n]')]
        .filter((e) => e.dataset.i18n !== 'lang.zh' && /[\\u4e00-\\u9fff]/.test(e.textContent))
        .map((e) => e.dataset.i18n + ': ' + e.textContent);";

#[tokio::test]
async fn lang_en_shows_english_strings_on_the_board_the_host_screen_and_the_overlay() {
    bounded("?lang=en", async {
        let server = TestServer::start();
        stage(&server, 2).await;
        let left = available(&server, HOODIE).await;
        let browser = Browser::start().await;

        browser.open(&server, "/?lang=en", VIEWER).await;
        assert_eq!(
            browser.js("return document.documentElement.lang;").await,
            json!("en")
        );
        browser
            .wait_text(".brand-name", "Live Stock Board", CHANGE_MS)
            .await;
        browser.wait_text("#show-state", "LIVE", CHANGE_MS).await;
        browser
            .wait_text("#kpi-viewers .kpi-label", "Online viewers", CHANGE_MS)
            .await;
        browser
            .wait_text("#sku-table th.avail", "Available", CHANGE_MS)
            .await;
        browser
            .wait_text("#conn .conn-text", "Connected", CHANGE_MS)
            .await;
        browser
            .wait_text(
                &format!("{} .tag", cell(HOODIE, "product")),
                "On air",
                CHANGE_MS,
            )
            .await;
        assert_eq!(
            browser.js(CHINESE_UI_STRINGS).await,
            json!([]),
            "board UI strings in English"
        );

        browser.open(&server, "/host?lang=en", VIEWER).await;
        browser.wait_text("#host-state", "LIVE", CHANGE_MS).await;
        browser.wait_text(".host-label", "On air", CHANGE_MS).await;
        browser.wait_text(".host-unit", "units", CHANGE_MS).await;
        browser
            .wait_text(".host-next-label", "Next", CHANGE_MS)
            .await;
        assert_eq!(
            browser.js(CHINESE_UI_STRINGS).await,
            json!([]),
            "host UI strings in English"
        );

        browser.open(&server, "/overlay?lang=en", OVERLAY).await;
        browser
            .wait_text("#ov-count", &format!("Only {left} left"), CHANGE_MS)
            .await;
        browser
            .wait_text(".ov-flag", "Limited drop", CHANGE_MS)
            .await;
        assert_eq!(
            browser.js(CHINESE_UI_STRINGS).await,
            json!([]),
            "overlay UI strings in English"
        );

        browser.assert_no_errors("at the end").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn screenshots_of_the_three_screens_with_a_live_show_go_to_target_screenshots() {
    bounded("screenshots", async {
        let server = TestServer::start();
        stage(&server, 8).await;
        // Low enough to warn: a pop-up on the board, the last-units call on the host screen.
        let left = available(&server, HOODIE).await;
        sell(&server, "DY-SHOT-1", HOODIE, left - 16).await;
        viewers(&server, 31_250).await;
        let browser = Browser::start().await;

        browser.open(&server, "/", VIEWER).await;
        browser
            .wait("every chart drawn", APPEAR_MS, CHARTS_DRAWN)
            .await;
        browser
            .wait(
                "a pop-up (worst first: the stock level one may wait behind a sell-out one)",
                APPEAR_MS,
                "return document.querySelector('#toasts .toast') ? true : null;",
            )
            .await;
        browser
            .wait_text(&cell(HOODIE, "avail"), "16", CHANGE_MS)
            .await;
        // Past the pop-up's entrance animation.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let board = browser.screenshot("board").await;

        browser.open(&server, "/host", VIEWER).await;
        browser
            .wait_text("#host-status", "还剩最后 16 件", CHANGE_MS)
            .await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        let host = browser.screenshot("host").await;

        browser.open(&server, "/overlay", OVERLAY).await;
        browser
            .wait_text("#ov-count", "仅剩 16 件", CHANGE_MS)
            .await;
        // Past the badge's slide-in.
        tokio::time::sleep(Duration::from_millis(900)).await;
        let overlay = browser.screenshot("overlay").await;

        browser.fit_viewport(LAPTOP).await;
        browser.open(&server, "/", VIEWER).await;
        browser
            .wait("every chart drawn", APPEAR_MS, CHARTS_DRAWN)
            .await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        browser.screenshot("board-1366x768").await;

        browser.assert_no_errors("at the end").await;
        browser.close().await;
        eprintln!(
            "screenshots: {}, {}, {}",
            board.display(),
            host.display(),
            overlay.display()
        );
    })
    .await;
}
