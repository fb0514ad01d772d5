//! The screens' own font on every page, the screens after `show/end`, and the empty board an
//! operator meets before anything is imported; with their screenshots.

use crate::common::*;
use crate::driver::*;
use crate::stage::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// Answers, once the page has loaded its own Noto Sans SC (the Chinese face fetched from
/// `/static/fonts/` and a face of that family `loaded`), what it loaded; `null` until then.
/// `document.fonts.check` with Chinese text is true only when every face it needs is loaded.
const OWN_FONT_LOADED: &str = "
    const faces = [...document.fonts]
        .filter((f) => f.family.replace(/[\"']/g, '') === 'Noto Sans SC' && f.status === 'loaded')
        .map((f) => f.weight);
    const files = performance.getEntriesByType('resource')
        .map((r) => new URL(r.name).pathname)
        .filter((p) => p.startsWith('/static/fonts/'));
    const chinese = files.some((p) => p.includes('chinese-simplified'));
    const family = getComputedStyle(document.body).fontFamily.split(',')[0].replace(/[\"']/g, '').trim();
    const check = document.fonts.check('700 32px \"Noto Sans SC\"', '直播库存');
    if (!faces.length || !chinese || !check) return null;
    return {faces, files, family, check};";

#[tokio::test]
async fn every_page_loads_its_own_noto_sans_sc_font_from_the_binary() {
    bounded("the font on every page", async {
        let server = TestServer::start();
        stage(&server, 1).await;
        let browser = Browser::start().await;
        for (path, token) in [
            ("/", VIEWER),
            ("/host", VIEWER),
            ("/overlay", OVERLAY),
            ("/reports/precheck", VIEWER),
        ] {
            let url = server.url(&format!("{path}?token={token}"));
            browser.client().goto(&url).await.expect("opening the page");
            let got = browser
                .wait(
                    &format!("{path} loading its own font"),
                    LOAD_MS,
                    OWN_FONT_LOADED,
                )
                .await;
            assert_eq!(got["family"], "Noto Sans SC", "{path}: the first family");
            assert_eq!(
                got["check"], true,
                "{path}: Chinese text in the font: {got}"
            );
        }
        browser.assert_no_errors("on the last page").await;
        browser.close().await;
    })
    .await;
}

/// The show view's final figures as the screens print them.
struct Final {
    gmv: String,
    orders: String,
    units: String,
    peak: String,
}

async fn final_figures(server: &TestServer) -> Final {
    let (st, s) = server.get("/api/v1/show", VIEWER).await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["state"], "ended", "{s}");
    let int = |k: &str| s[k].as_i64().unwrap_or_else(|| panic!("{k} in {s}"));
    let gmv = int("gmv_cents");
    Final {
        gmv: format!("¥{}.{:02}", grouped(gmv / 100), gmv % 100),
        orders: grouped(int("orders")),
        units: grouped(int("units")),
        peak: grouped(int("peak_viewers").max(int("viewers"))),
    }
}

/// The text of the final figure `key` inside `css`.
async fn figure(browser: &Browser, css: &str, key: &str) -> String {
    browser
        .text(&format!("{css} [data-key=\"{key}\"] .final-value"))
        .await
        .unwrap_or_default()
}

async fn assert_figures(browser: &Browser, css: &str, want: &Final) {
    // The title is the page's own text from the start; the figures come with the ended show.
    browser
        .wait(
            &format!("the final figures in {css}"),
            CHANGE_MS,
            &format!(
                "const e = document.querySelector('{css} [data-key=\"gmv\"] .final-value');
                 return e && e.textContent ? true : null;"
            ),
        )
        .await;
    assert_eq!(figure(browser, css, "gmv").await, want.gmv, "{css} GMV");
    assert_eq!(
        figure(browser, css, "orders").await,
        want.orders,
        "{css} orders"
    );
    assert_eq!(
        figure(browser, css, "units").await,
        want.units,
        "{css} units"
    );
    assert_eq!(figure(browser, css, "peak").await, want.peak, "{css} peak");
    let duration = figure(browser, css, "duration").await;
    assert!(
        duration.len() >= 5 && duration.chars().all(|c| c.is_ascii_digit() || c == ':'),
        "{css} duration as mm:ss: {duration:?}"
    );
}

/// The page's visible text (what `innerText` keeps: nothing hidden).
async fn visible_text(browser: &Browser) -> String {
    let v = browser.js("return document.body.innerText;").await;
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn after_show_end_the_board_host_and_overlay_say_it_has_ended_and_predict_nothing() {
    bounded("the screens after show/end", async {
        let server = TestServer::start();
        stage(&server, 3).await;
        viewers(&server, 42_000).await;
        viewers(&server, 30_500).await;
        let browser = Browser::start().await;

        browser.open(&server, "/", VIEWER).await;
        let before = browser
            .wait(
                "a sell-out time in the table while live",
                CHANGE_MS,
                &format!(
                    "const e = document.querySelector('{}');
                     return e && /[0-9] *(分|时)/.test(e.textContent) ? e.textContent : null;",
                    cell(HOODIE, "sellout")
                ),
            )
            .await;
        assert!(visible_text(&browser).await.contains("正在讲解"), "live: {before}");

        let (st, b) = server
            .call(Method::POST, "/api/v1/show/end", Some(OPERATOR), None)
            .await;
        assert_eq!(st, StatusCode::OK, "ending the show: {b}");
        let want = final_figures(&server).await;

        browser
            .wait(
                "the final figures on the board",
                CHANGE_MS,
                "const e = document.getElementById('ended-summary');
                 return !e.hidden && e.querySelector('[data-key=\"gmv\"]') ? true : null;",
            )
            .await;
        browser
            .wait_text("#ended-summary .ended-title", "直播已结束", CHANGE_MS)
            .await;
        assert_figures(&browser, "#board-final", &want).await;
        browser
            .wait_text("#kpi-viewers .kpi-label", "峰值在线", CHANGE_MS)
            .await;
        assert_eq!(
            browser.text("#kpi-viewers .kpi-main").await.as_deref(),
            Some(want.peak.as_str()),
            "the viewers tile keeps the peak"
        );
        // A sell-out pop-up of the live show leaves with its animation.
        browser
            .wait(
                "nothing live left on the board",
                APPEAR_MS,
                "const t = document.body.innerText;
                 const tags = document.querySelectorAll('#sku-rows .tag-onair, #sku-rows .tag-next').length;
                 return !tags && ['正在讲解', '分钟后售罄', '下一个'].every((s) => !t.includes(s)) ? true : null;",
            )
            .await;
        let sellouts = browser
            .js("return [...document.querySelectorAll('#sku-rows td.sellout')].map((e) => e.textContent);")
            .await;
        let sellouts = sellouts.as_array().expect("the sell-out cells").clone();
        assert!(!sellouts.is_empty());
        assert!(
            sellouts.iter().all(|c| c == "—"),
            "no sell-out time after the end: {sellouts:?}"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        browser.screenshot("board-ended").await;
        browser.fit_viewport(LAPTOP).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        browser.screenshot("board-ended-1366x768").await;
        browser.fit_viewport(VIEWPORT).await;

        browser.open(&server, "/host", VIEWER).await;
        browser
            .wait_text(".host-ended-title", "直播已结束", CHANGE_MS)
            .await;
        assert_figures(&browser, "#host-final", &want).await;
        let text = visible_text(&browser).await;
        for live_only in ["正在讲解", "后售罄", "还剩最后", "下一个", HOODIE_NAME] {
            assert!(!text.contains(live_only), "host after the end shows {live_only:?}: {text}");
        }
        browser.screenshot("host-ended").await;

        browser.open(&server, "/host?lang=en", VIEWER).await;
        browser
            .wait_text(".host-ended-title", "The show has ended", CHANGE_MS)
            .await;
        assert_figures(&browser, "#host-final", &want).await;
        assert_eq!(
            browser.js(crate::screens::CHINESE_UI_STRINGS).await,
            json!([]),
            "the ended host screen in English"
        );
        browser.open(&server, "/?lang=en", VIEWER).await;
        browser
            .wait(
                "the ended board in English",
                CHANGE_MS,
                "const e = document.getElementById('ended-summary');
                 return !e.hidden && e.textContent.includes('The show has ended') ? true : null;",
            )
            .await;
        assert_eq!(
            browser.js(crate::screens::CHINESE_UI_STRINGS).await,
            json!([]),
            "the ended board in English"
        );
        browser.screenshot("board-ended-en").await;

        browser.open(&server, "/overlay", OVERLAY).await;
        browser
            .wait(
                "an empty overlay after the end",
                APPEAR_MS,
                "return document.body.innerText.trim() === '' &&
                        !document.getElementById('ov').classList.contains('show') ? true : null;",
            )
            .await;
        browser.open(&server, "/overlay?end=card", OVERLAY).await;
        browser
            .wait(
                "the end card with ?end=card",
                APPEAR_MS,
                "return document.body.innerText.includes('直播已结束') ? document.body.innerText : null;",
            )
            .await;
        let text = visible_text(&browser).await;
        for promo in ["仅剩", "限量抢购", HOODIE_NAME] {
            assert!(!text.contains(promo), "overlay after the end shows {promo:?}: {text}");
        }
        tokio::time::sleep(Duration::from_millis(900)).await;
        browser.screenshot("overlay-end-card").await;
        browser.assert_no_errors("at the end").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn with_end_card_in_the_config_the_overlay_shows_it_after_the_show_unless_the_url_says_none()
{
    bounded("the configured end card", async {
        let server = TestServer::start_with_config("[overlay]\nend_card = true\n");
        stage(&server, 1).await;
        let browser = Browser::start().await;
        browser.open(&server, "/overlay", OVERLAY).await;
        browser
            .wait(
                "the badge while live",
                APPEAR_MS,
                "return document.getElementById('ov').classList.contains('show') ? true : null;",
            )
            .await;
        assert!(
            !visible_text(&browser).await.contains("直播已结束"),
            "no end card while live"
        );
        let (st, b) = server
            .call(Method::POST, "/api/v1/show/end", Some(OPERATOR), None)
            .await;
        assert_eq!(st, StatusCode::OK, "ending the show: {b}");
        browser
            .wait(
                "the end card from the config",
                APPEAR_MS,
                "return document.body.innerText.includes('直播已结束') &&
                        !document.getElementById('ov').classList.contains('show') ? true : null;",
            )
            .await;
        browser.open(&server, "/overlay?end=none", OVERLAY).await;
        browser
            .wait(
                "an empty overlay with ?end=none",
                APPEAR_MS,
                "return document.body.innerText.trim() === '' ? true : null;",
            )
            .await;
        browser.assert_no_errors("with the end card").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_empty_board_tells_the_operator_to_import_the_product_sheet_without_api_paths() {
    bounded("the empty board", async {
        let server = TestServer::start();
        let browser = Browser::start().await;

        browser.open(&server, "/?lang=en", OPERATOR).await;
        browser
            .wait_text("#table-empty-title", "No products yet", CHANGE_MS)
            .await;
        let text = visible_text(&browser).await;
        assert!(text.contains("Import product sheet"), "{text}");
        assert!(!text.contains("/api/"), "no API path on the wall: {text}");

        browser.open(&server, "/", OPERATOR).await;
        browser
            .wait_text("#table-empty-title", "还没有商品", CHANGE_MS)
            .await;
        let text = visible_text(&browser).await;
        for says in ["导入商品表", "下载商品表模板", "开播前预盘点", "商品编码"] {
            assert!(text.contains(says), "the empty board says {says:?}: {text}");
        }
        assert!(!text.contains("/api/"), "no API path on the wall: {text}");
        let links = browser
            .js("return [...document.querySelectorAll('#table-empty-actions a')].map((a) => new URL(a.href).pathname);")
            .await;
        assert_eq!(links, json!(["/api/v1/export/skus", "/reports/precheck"]));
        browser.screenshot("board-empty").await;
        browser.fit_viewport(LAPTOP).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        browser.screenshot("board-empty-1366x768").await;
        browser.fit_viewport(VIEWPORT).await;

        // The button imports the sheet the operator picks, and the products come onto the board.
        let dir = tempfile::tempdir().expect("a temp dir");
        let sheet = dir.path().join("商品表.csv");
        std::fs::write(
            &sheet,
            "商品编码,商品名称,类目,单价,库存\nTEA-01,龙井 250g,food,89.00,120\nTEA-02,普洱 357g,food,129.50,80\n",
        )
        .expect("writing the sheet");
        let input = browser
            .client()
            .find(fantoccini::Locator::Css("#import-file"))
            .await
            .expect("the file input");
        input
            .send_keys(&sheet.display().to_string())
            .await
            .expect("picking the sheet");
        browser
            .wait_text("#import-result", "已导入 2 个商品", APPEAR_MS)
            .await;
        browser
            .wait_text(&cell("TEA-02", "avail"), "80", CHANGE_MS)
            .await;
        let v: Value = server.sku("TEA-01").await;
        assert_eq!(v["price_cents"], 8_900, "{v}");
        browser.assert_no_errors("after the import").await;
        browser.close().await;
    })
    .await;
}
