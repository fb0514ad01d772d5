//! The report pages (SPEC D4) in Chromium at 1920×1080, in Chinese: the daily report of a live
//! show's day with rows that balance, the pre-show check of its lineup, the post-show review with
//! its anomalies read as sentences (from a show played on the server), the clear empty state when there is no
//! show, the English switch, and download buttons pointing at the API. A screenshot of each.

use crate::common::*;
use crate::driver::*;
use crate::stage::*;
use serde_json::{Value, json};

/// Waits until the report page has rendered its body (the loading spinner is gone).
const RENDERED: &str = "
    const e = document.getElementById('report-empty');
    return (!e || !e.classList.contains('loading')) && document.getElementById('report-title').textContent ? true : null;";

/// A4 landscape at 96 dpi, in CSS pixels.
const A4_LANDSCAPE: (u32, u32) = (1123, 794);

/// Applies print.css's `@media print` rules to the screen (WebDriver cannot switch the media) and
/// answers the body's background colour then.
const PRINT_ON_SCREEN: &str = "
    if (!window.__printed) {
        window.__printed = true;
        fetch('/static/reports/print.css').then(r => r.text()).then(css => {
            const at = css.indexOf('@media print');
            const inner = css.slice(css.indexOf('{', at) + 1, css.lastIndexOf('}'));
            const style = document.createElement('style');
            style.textContent = inner;
            document.head.appendChild(style);
            window.__printReady = true;
        });
    }
    return window.__printReady ? getComputedStyle(document.body).backgroundColor : null;";

async fn open_report(browser: &Browser, server: &TestServer, path: &str) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let url = server.url(&format!("{path}{sep}token={VIEWER}"));
    browser
        .client()
        .goto(&url)
        .await
        .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    browser
        .wait(&format!("{path} rendered"), LOAD_MS, RENDERED)
        .await;
    browser.assert_no_errors(path).await;
}

/// Every row of the table under `css` as its cells' texts.
async fn rows(browser: &Browser, css: &str) -> Vec<Vec<String>> {
    let v = browser
        .js_with(
            "return [...document.querySelectorAll(arguments[0])].map(tr =>
                 [...tr.children].map(td => td.textContent.trim()));",
            vec![json!(css)],
        )
        .await;
    serde_json::from_value(v).expect("rows of cells")
}

async fn href(browser: &Browser, id: &str) -> String {
    let v = browser
        .js_with(
            "return document.getElementById(arguments[0]).getAttribute('href');",
            vec![json!(id)],
        )
        .await;
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_daily_report_page_shows_each_products_day_balanced_with_its_downloads() {
    bounded("the daily report page", async {
        let server = TestServer::start();
        stage(&server, 3).await;
        let receipt = json!({"kind": "receive", "qty": 40, "by": "li", "verified_by": "wang"});
        let (st, b) = server
            .post(
                &format!("/api/v1/skus/{HOODIE}/movements"),
                WAREHOUSE,
                &receipt,
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::CREATED, "{b}");
        let (_, report) = server.get("/api/v1/reports/daily", VIEWER).await;
        let date = report["date"].as_str().expect("today's date").to_owned();

        let browser = Browser::start().await;
        open_report(&browser, &server, &format!("/reports/daily?date={date}")).await;
        browser
            .wait_text("#report-title", "库存日报", CHANGE_MS)
            .await;
        let body = rows(&browser, "table.daily tbody tr").await;
        assert_eq!(body.len(), CATALOG.len(), "one row per product: {body:?}");
        let hoodie = body
            .iter()
            .find(|r| r[0].contains(HOODIE_NAME))
            .unwrap_or_else(|| panic!("no {HOODIE_NAME} row: {body:?}"));
        let on_hand = server.sku(HOODIE).await["on_hand"].as_i64().unwrap();
        // Columns: product, opening, received, sold, refunded, shipped, adjusted, damaged, closing…
        assert_eq!(hoodie[2], "+40", "{hoodie:?}");
        assert_eq!(
            hoodie[8],
            grouped(on_hand),
            "closing is on hand: {hoodie:?}"
        );
        let footer = rows(&browser, "table.daily tfoot tr").await;
        assert_eq!(footer[0][0], "合计", "{footer:?}");
        assert_eq!(
            href(&browser, "dl-csv").await,
            format!("/api/v1/reports/daily?date={date}&format=csv")
        );
        assert_eq!(
            href(&browser, "dl-xlsx").await,
            format!("/api/v1/reports/daily?date={date}&format=xlsx")
        );
        let print = browser
            .js(
                "return [...document.styleSheets].some(s => [...s.cssRules].some(r =>
                     r instanceof CSSPageRule && /a4 landscape/i.test(r.cssText)));",
            )
            .await;
        assert_eq!(print, json!(true), "a print stylesheet for A4 landscape");
        browser.screenshot("report-daily").await;
        // The page as printed: print.css's rules applied on screen, at A4 landscape's 96 dpi size.
        let paper = browser
            .wait("the print sheet applied", APPEAR_MS, PRINT_ON_SCREEN)
            .await;
        assert_eq!(paper, json!("rgb(255, 255, 255)"), "printed on white paper");
        browser.fit_viewport(A4_LANDSCAPE).await;
        browser.screenshot("report-daily-print").await;
        browser.fit_viewport(VIEWPORT).await;

        open_report(&browser, &server, "/reports/daily?date=2026-02-30").await;
        let title = browser.text(".empty-title").await.unwrap_or_default();
        assert!(title.contains("日期格式不对"), "{title}");

        open_report(
            &browser,
            &server,
            &format!("/reports/daily?date={date}&lang=en"),
        )
        .await;
        browser
            .wait_text("#report-title", "Daily report", CHANGE_MS)
            .await;
        browser.assert_no_errors("at the end").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_precheck_page_lists_each_lineup_product_with_its_verdict_and_reasons() {
    bounded("the precheck page", async {
        let server = TestServer::start();
        let browser = Browser::start().await;
        open_report(&browser, &server, "/reports/precheck").await;
        browser
            .wait_text(".empty-title", "暂无直播", CHANGE_MS)
            .await;
        let csv = browser
            .js("return document.getElementById('dl-csv').hasAttribute('href');")
            .await;
        assert_eq!(csv, json!(false), "nothing to download without a show");
        browser.screenshot("report-precheck-empty").await;

        stage(&server, 2).await;
        let (_, check) = server.get("/api/v1/show/precheck", VIEWER).await;
        open_report(&browser, &server, "/reports/precheck").await;
        let body = rows(&browser, "table.precheck tbody tr").await;
        assert_eq!(
            body.len(),
            LINEUP.len(),
            "one row per lineup product: {body:?}"
        );
        for (row, item) in body.iter().zip(check["items"].as_array().unwrap()) {
            let verdict = if item["pass"] == json!(true) {
                "通过"
            } else {
                "未通过"
            };
            assert_eq!(row[0], verdict, "{row:?} for {item}");
            for reason in item["reasons"].as_array().unwrap() {
                let zh = reason["zh"].as_str().unwrap();
                assert!(row[9].contains(zh), "{row:?} names {zh}");
            }
        }
        assert_eq!(
            href(&browser, "dl-xlsx").await,
            "/api/v1/show/precheck?format=xlsx"
        );
        browser.screenshot("report-precheck").await;
        browser.assert_no_errors("at the end").await;
        browser.close().await;
    })
    .await;
}

/// A paid order of `units` hoodies by `buyer`, to an address of its own.
fn paid_to(order_id: &str, buyer: &str, units: i64) -> Value {
    let mut e = buyer_event("douyin", order_id, "paid", buyer, &[(HOODIE, units)]);
    e["address"] = json!({"region": "浙江省杭州市", "detail": format!("余杭区文一西路 {order_id} 号"),
                          "phone_hash": format!("ph-{buyer}")});
    e
}

/// Plays a short show with a bulk order, a buyer with many orders, a quick refund and an unpaid
/// order, and ends it.
async fn play_reviewed_show(server: &TestServer) {
    server
        .create_skus(&json!([
            new_sku(HOODIE, 500, 19_900),
            new_sku(CAP, 200, 5_900)
        ]))
        .await;
    let show = json!({"title": SHOW_TITLE, "lineup": [{"sku": HOODIE}, {"sku": CAP}]});
    let (st, b) = server.post("/api/v1/show", OPERATOR, &show).await;
    assert_eq!(st.as_u16(), 201, "{b}");
    let (st, b) = server
        .post("/api/v1/show/start", OPERATOR, &json!({}))
        .await;
    assert_eq!(st.as_u16(), 200, "{b}");
    let mut events = vec![paid_to("DY-BULK", "dy_u_8812", 12)];
    for i in 0..5 {
        events.push(paid_to(&format!("DY-R{i}"), "dy_u_5001", 1));
    }
    events.push(paid_to("DY-QR", "dy_u_7777", 1));
    events.push(buyer_event("douyin", "DY-QR", "refunded", "dy_u_7777", &[]));
    events.push(buyer_event(
        "kuaishou",
        "KS-UNPAID",
        "created",
        "ks_9",
        &[(CAP, 2)],
    ));
    let (st, b) = server.orders(&Value::Array(events)).await;
    assert_eq!(st.as_u16(), 200, "{b}");
    for r in b["results"].as_array().unwrap() {
        assert_eq!(r["result"], "accepted", "{b}");
    }
    let (st, b) = server.post("/api/v1/show/end", OPERATOR, &json!({})).await;
    assert_eq!(st.as_u16(), 200, "{b}");
}

#[tokio::test]
async fn the_review_page_says_who_which_orders_and_why_for_each_anomaly() {
    bounded("the review page", async {
        let server = TestServer::start();
        let browser = Browser::start().await;
        open_report(&browser, &server, "/reports/review").await;
        browser
            .wait_text(".empty-title", "暂无直播", CHANGE_MS)
            .await;
        browser.screenshot("report-review-empty").await;

        play_reviewed_show(&server).await;
        open_report(&browser, &server, "/reports/review").await;
        browser
            .wait(
                "the anomalies",
                APPEAR_MS,
                "return document.querySelectorAll('.anomaly').length >= 3 || null;",
            )
            .await;
        let anomalies: Vec<String> = serde_json::from_value(
            browser
                .js("return [...document.querySelectorAll('.anomaly')].map(a => a.textContent);")
                .await,
        )
        .unwrap();
        let says = |parts: &[&str]| {
            anomalies
                .iter()
                .any(|a| parts.iter().all(|p| a.contains(p)))
        };
        assert!(
            says(&["大批量下单", "买家 dy_u_8812", "抖音 DY-BULK"]),
            "{anomalies:#?}"
        );
        assert!(
            says(&[
                "同一买家多笔订单",
                "买家 dy_u_5001",
                "抖音 DY-R0",
                "抖音 DY-R4"
            ]),
            "{anomalies:#?}"
        );
        assert!(
            says(&["付款后很快退款", "买家 dy_u_7777", "抖音 DY-QR"]),
            "{anomalies:#?}"
        );
        let skus = rows(&browser, "table.review-skus tbody tr").await;
        let hoodie = skus
            .iter()
            .find(|r| r[0].contains(HOODIE))
            .unwrap_or_else(|| panic!("the hoodie row in {skus:?}"));
        // 12 + 5 + 1 paid, 1 refunded: 17 net.
        assert_eq!(
            (hoodie[1].as_str(), hoodie[2].as_str(), hoodie[3].as_str()),
            ("18", "1", "17"),
            "{skus:?}"
        );
        let unpaid = rows(&browser, "table.review-unpaid tbody tr").await;
        assert_eq!(
            unpaid[0][..3],
            ["快手", "KS-UNPAID", "ks_9"],
            "the unpaid order is apart: {unpaid:?}"
        );
        assert_eq!(
            href(&browser, "dl-csv").await,
            "/api/v1/show/review?format=csv"
        );
        browser.screenshot("report-review").await;
        browser.assert_no_errors("at the end").await;
        browser.close().await;
    })
    .await;
}
