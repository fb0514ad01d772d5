//! The report pages (SPEC D4) in Chromium at 1920×1080, in Chinese: the daily report of a live
//! show's day with rows that balance, the pre-show check of its lineup, the post-show review with
//! its anomalies read as sentences (from API.md's shape), the clear empty state when there is no
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

/// A review in API.md's shape (`GET /api/v1/show/review`), for rendering.
fn review_fixture() -> Value {
    json!({
        "title": SHOW_TITLE, "state": "ended",
        "started_at": "2026-11-24T20:00:00+08:00", "ended_at": "2026-11-24T23:10:00+08:00",
        "gmv_cents": 2_316_500,
        "skus": [
            {"sku": HOODIE, "name": HOODIE_NAME, "sold": 120, "refunded": 6, "net": 114,
             "presale": 0, "unpaid": 4, "gmv_cents": 2_268_600, "available": 376},
            {"sku": CAP, "name": "棒球帽 红", "sold": 30, "refunded": 0, "net": 30,
             "presale": 12, "unpaid": 0, "gmv_cents": 47_900, "available": 88}
        ],
        "unpaid": [
            {"channel": "douyin", "order_id": "DY-88121", "buyer": "dy_u_5521", "units": 2,
             "created_at": "2026-11-24T21:03:00+08:00"}
        ],
        "anomalies": [
            {"kind": "many_orders", "buyer": "dy_u_8812",
             "orders": [{"channel": "douyin", "order_id": "DY-1001"},
                        {"channel": "douyin", "order_id": "DY-1002"},
                        {"channel": "kuaishou", "order_id": "KS-77"}],
             "why_zh": "同一买家在 10 分钟内下了 3 单,共 9 件,超过限购。",
             "why_en": "One buyer placed 3 orders (9 units) within 10 minutes, over the limit."},
            {"kind": "quick_refund", "buyer": "tb_k_0042",
             "orders": [{"channel": "taobao", "order_id": "TB-5090"}],
             "why_zh": "付款 2 分钟后申请退款。", "why_en": "Refunded 2 minutes after paying."}
        ]
    })
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

        // Render the review from a fixture of API.md's shape, answered in place of the server.
        browser
            .js_with(
                "const body = JSON.stringify(arguments[0]);
                 window.fetch = async () => new Response(body, {status: 200,
                     headers: {'Content-Type': 'application/json'}});
                 import('/static/reports/review.js').then(m => m.render());
                 return true;",
                vec![review_fixture()],
            )
            .await;
        browser
            .wait(
                "the anomalies",
                APPEAR_MS,
                "return document.querySelectorAll('.anomaly').length === 2 || null;",
            )
            .await;
        let first = browser.text(".anomaly").await.unwrap_or_default();
        for part in [
            "同一买家多笔订单",
            "买家 dy_u_8812",
            "3 笔订单",
            "抖音 DY-1001",
            "快手 KS-77",
            "超过限购",
        ] {
            assert!(first.contains(part), "{first:?} says {part:?}");
        }
        let skus = rows(&browser, "table.review-skus tbody tr").await;
        assert_eq!(skus.len(), 2, "{skus:?}");
        assert!(
            skus[0][0].contains(HOODIE_NAME) && skus[0][3] == "114",
            "{skus:?}"
        );
        let unpaid = rows(&browser, "table.review-unpaid tbody tr").await;
        assert_eq!(
            unpaid[0][..3],
            ["抖音", "DY-88121", "dy_u_5521"],
            "{unpaid:?}"
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
