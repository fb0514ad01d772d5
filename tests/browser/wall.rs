//! The board on the wall (issue 12): a 24-SKU show pages through every SKU, the worst warning
//! stays in sight in its own rail, nothing covers a chart and no text overflows its box, at
//! 1920×1080 and 1366×768, in Chinese and English.

use crate::common::*;
use crate::driver::*;
use crate::stage::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// SKUs in the big show: the eight of [`CATALOG`] and sixteen more.
const BIG_SHOW: usize = 24;
/// Every SKU must have been on screen within this long (paging every 8 s).
const ALL_SEEN_MS: u64 = 30_000;
/// A test here waits for pages to turn: its budget once its turn comes.
const WALL_BUDGET: Duration = Duration::from_secs(75);

async fn bounded_long(what: &str, test: impl Future<Output = ()>) {
    let _turn = TURN.lock().await;
    if tokio::time::timeout(WALL_BUDGET, test).await.is_err() {
        panic!("{what}: did not finish within {WALL_BUDGET:?}");
    }
}

/// The staged show plus sixteen more SKUs with long names, some sold.
async fn big_show(server: &TestServer) {
    stage(server, 3).await;
    let extra: Vec<Value> = (1..=BIG_SHOW - CATALOG.len())
        .map(|i| {
            json!({"sku": format!("EXTRA-{i:02}"), "name": format!("冬季加厚保暖款 第{i}号 超长商品名称测试"),
                   "category": "apparel", "price_cents": 9_900 + 100 * i as i64, "on_hand": 300 + 10 * i as i64})
        })
        .collect();
    server.create_skus(&json!(extra)).await;
    for i in 1..=4 {
        sell(
            server,
            &format!("DY-EX-{i}"),
            &format!("EXTRA-{i:02}"),
            5 * i as i64,
        )
        .await;
    }
}

/// The SKUs whose rows are on screen inside the table's box now.
const ROWS_ON_SCREEN: &str = "
    const wrap = document.getElementById('table-wrap').getBoundingClientRect();
    const out = [];
    for (const tr of document.querySelectorAll('#sku-rows tr[data-sku]')) {
        const r = tr.getBoundingClientRect();
        if (r.height > 0 && r.top >= wrap.top - 1 && r.bottom <= wrap.bottom + 1) out.push(tr.dataset.sku);
    }
    return {skus: out, page: (document.getElementById('sku-page') || {}).textContent || ''};";

/// Points over each chart whose topmost element is not inside that chart (hit test).
const COVERED_CHARTS: &str = "
    const bad = [];
    for (const id of ['chart-stock', 'chart-viewers', 'chart-gmv']) {
        const r = document.getElementById(id).getBoundingClientRect();
        for (let i = 1; i < 6; i++) for (let j = 1; j < 4; j++) {
            const x = r.left + r.width * i / 6, y = r.top + r.height * j / 4;
            const el = document.elementFromPoint(x, y);
            if (!el || !document.getElementById(id).contains(el)) bad.push(id + ' at ' + Math.round(x) + ',' + Math.round(y) + ': ' + (el ? el.className || el.tagName : 'nothing'));
        }
    }
    return bad;";

/// Text boxes of the table, KPIs, rail, chart heads and focus panel (on air, next, lineup, watch
/// and restock lists) whose text is wider than the box.
const OVERFLOWING: &str = "
    const sel = '#sku-table th, #sku-rows tr:not([hidden]) td, .pname-text, .psku, .kpi-label, .kpi-value, .kpi-sub, .panel-head h2, .panel-note, .toast-msg, .toast-head, .page-indicator, .lvl-badge, .section-label, .onair-name, .onair-sku, .onair-number, .onair-unit, .onair-callout, .onair-stats dt, .onair-stats dd, .onair-prompt, #next-row *, #lineup-list li *, .mini-list li, .mini-list li *';
    const bad = [];
    for (const el of document.querySelectorAll(sel)) {
        if (el.offsetParent === null) continue;
        const clamped = el.classList.contains('pname-text') || el.classList.contains('li-title');
        if (el.scrollWidth > el.clientWidth + 1 || (clamped && el.scrollHeight > el.clientHeight + 6)) bad.push((el.className || el.tagName) + ': ' + el.textContent.trim().slice(0, 40) + ' (' + el.scrollWidth + '>' + el.clientWidth + ')');
    }
    return bad;";

async fn every_sku_reaches_the_wall(size: (u32, u32), lang: &str, shot: &str) {
    let server = TestServer::start();
    big_show(&server).await;
    let browser = Browser::start().await;
    let path = if lang == "en" { "/?lang=en" } else { "/" };
    browser.open(&server, path, VIEWER).await;
    browser.fit_viewport(size).await;
    browser
        .wait("the charts drawn", APPEAR_MS, CHARTS_DRAWN)
        .await;
    browser
        .wait(
            "24 rows in the table",
            APPEAR_MS,
            "return document.querySelectorAll('#sku-rows tr[data-sku]').length === 24 || null;",
        )
        .await;
    let first = browser.js(ROWS_ON_SCREEN).await;
    let shown = first["skus"].as_array().map(Vec::len).unwrap_or(0);
    assert!(
        (6..BIG_SHOW).contains(&shown),
        "a page of rows, not all 24: {first}"
    );
    assert_eq!(
        first["skus"][0], HOODIE,
        "the product on air is the first row: {first}"
    );
    assert_eq!(first["skus"][1], JACKET, "next is the second row: {first}");
    let indicator = first["page"].as_str().unwrap_or("");
    let want = if lang == "en" { "Page 1/" } else { "第 1/" };
    assert!(indicator.starts_with(want), "a page indicator: {first}");
    browser.screenshot(&format!("{shot}-page1")).await;
    assert_eq!(
        browser.js(COVERED_CHARTS).await,
        json!([]),
        "nothing over a chart"
    );
    assert_toasts_inside_the_rail(&browser).await;
    assert_eq!(
        browser.js(OVERFLOWING).await,
        json!([]),
        "no text overflows its box"
    );

    let start = Instant::now();
    let mut seen = BTreeSet::new();
    let mut pages = BTreeSet::new();
    while seen.len() < BIG_SHOW {
        assert!(
            start.elapsed() < Duration::from_millis(ALL_SEEN_MS),
            "within {ALL_SEEN_MS} ms only {} of {BIG_SHOW} SKUs were on screen: {seen:?}",
            seen.len()
        );
        let now = browser.js(ROWS_ON_SCREEN).await;
        for s in now["skus"].as_array().into_iter().flatten() {
            seen.insert(s.as_str().unwrap_or("").to_owned());
        }
        if pages.insert(now["page"].as_str().unwrap_or("").to_owned()) && pages.len() == 2 {
            assert_eq!(
                browser.js(OVERFLOWING).await,
                json!([]),
                "no overflow on page 2"
            );
            browser.screenshot(&format!("{shot}-page2")).await;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    eprintln!(
        "{shot}: every SKU on screen after {:?}, pages {pages:?}",
        start.elapsed()
    );
    browser.assert_no_errors("after paging").await;
    browser.close().await;
}

#[tokio::test]
async fn every_sku_of_a_24_sku_show_reaches_a_1920_wall_in_chinese_within_30_s() {
    bounded_long(
        "24 SKUs at 1920×1080 in Chinese",
        every_sku_reaches_the_wall(VIEWPORT, "zh", "wall-1920-zh"),
    )
    .await;
}

#[tokio::test]
async fn every_sku_of_a_24_sku_show_reaches_a_1366_laptop_in_english_within_30_s() {
    bounded_long(
        "24 SKUs at 1366×768 in English",
        every_sku_reaches_the_wall(LAPTOP, "en", "wall-1366-en"),
    )
    .await;
}

/// The pop-ups in the rail, top to bottom: (level, SKU).
const TOASTS: &str = "
    const rail = document.getElementById('rail').getBoundingClientRect();
    return [...document.querySelectorAll('#toasts .toast:not(.leaving)')].map(t => {
        const r = t.getBoundingClientRect();
        return {level: t.dataset.level, text: t.querySelector('.toast-sku').textContent,
                inside: r.top >= rail.top - 1 && r.bottom <= rail.bottom + 1 && r.height > 0};
        // (vertically: a pop-up slides in from the right, inside the rail's clip)
    });";

/// Every pop-up shown is whole inside the rail (the ones that do not fit wait in "n more"), once
/// the last one has slid in.
async fn assert_toasts_inside_the_rail(browser: &Browser) {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let toasts = browser.js(TOASTS).await;
    let shown = toasts.as_array().map_or(0, Vec::len);
    assert!(shown > 0, "some pop-ups in the rail: {toasts}");
    assert!(
        toasts
            .as_array()
            .into_iter()
            .flatten()
            .all(|t| t["inside"] == true),
        "every pop-up whole inside the rail: {toasts}"
    );
}

/// Only stock levels warn here: the bursts below would also make each SKU's sell-out time a minute
/// or less, and the sell-out warning would make every "mild" one critical.
const STOCK_LEVELS_ONLY: &str =
    "[alerts.shop]\nsellout_minutes = 0.01\nsellout_level3_minutes = 0.005\n";

async fn a_critical_warning_stays_in_sight(size: (u32, u32), lang: &str, shot: &str) {
    let server = TestServer::start_with_config(STOCK_LEVELS_ONLY);
    big_show(&server).await;
    let browser = Browser::start().await;
    let path = if lang == "en" { "/?lang=en" } else { "/" };
    browser.open(&server, path, VIEWER).await;
    browser.fit_viewport(size).await;
    // SCARF-GRY (600) down to 3%: critical.
    let left = available(&server, "SCARF-GRY").await;
    sell(&server, "DY-CRIT", "SCARF-GRY", left - 18).await;
    browser
        .wait(
            "a critical pop-up",
            APPEAR_MS,
            "return document.querySelector('#toasts .toast.lvl-3:not(.leaving)') ? true : null;",
        )
        .await;
    // Eight mild ones fire after it: eight extra SKUs to just under 20%.
    for i in 5..=12 {
        let sku = format!("EXTRA-{i:02}");
        let left = available(&server, &sku).await;
        let base = 300 + 10 * i as i64;
        sell(
            &server,
            &format!("DY-MILD-{i}"),
            &sku,
            left - base * 19 / 100,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let toasts = browser.js(TOASTS).await;
        assert_eq!(
            toasts[0]["level"], "3",
            "the critical warning is first after mild {i}: {toasts}"
        );
        assert_eq!(toasts[0]["inside"], true, "and inside the rail: {toasts}");
    }
    browser
        .wait(
            "the mild warnings in the KPI",
            APPEAR_MS,
            "return +document.querySelector('#kpi-alerts .kpi-main').textContent >= 9 || null;",
        )
        .await;
    let toasts = browser.js(TOASTS).await;
    assert_eq!(toasts[0]["level"], "3", "{toasts}");
    assert!(
        toasts[0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("SCARF-GRY"),
        "{toasts}"
    );
    browser.screenshot(shot).await;
    assert_eq!(
        browser.js(COVERED_CHARTS).await,
        json!([]),
        "no pop-up over a chart"
    );
    assert_toasts_inside_the_rail(&browser).await;
    assert_eq!(
        browser.js(OVERFLOWING).await,
        json!([]),
        "no text overflows its box"
    );
    let opacity = browser
        .js("return +getComputedStyle(document.querySelector('#kpi-alerts .kpi-main')).opacity;")
        .await;
    assert_eq!(
        opacity,
        json!(1),
        "the open-warnings count stays fully opaque"
    );
    browser.assert_no_errors("after the warnings").await;
    browser.close().await;
}

#[tokio::test]
async fn a_critical_warning_stays_first_in_its_rail_while_eight_mild_ones_fire_at_1920_in_chinese()
{
    bounded_long(
        "critical first at 1920",
        a_critical_warning_stays_in_sight(VIEWPORT, "zh", "wall-1920-zh-warnings"),
    )
    .await;
}

#[tokio::test]
async fn a_critical_warning_stays_first_in_its_rail_while_eight_mild_ones_fire_at_1366_in_english()
{
    bounded_long(
        "critical first at 1366",
        a_critical_warning_stays_in_sight(LAPTOP, "en", "wall-1366-en-warnings"),
    )
    .await;
}

#[tokio::test]
async fn every_sku_of_a_24_sku_show_reaches_a_1366_laptop_in_chinese_within_30_s() {
    bounded_long(
        "24 SKUs at 1366×768 in Chinese",
        every_sku_reaches_the_wall(LAPTOP, "zh", "wall-1366-zh"),
    )
    .await;
}

#[tokio::test]
async fn a_critical_warning_stays_first_in_its_rail_while_eight_mild_ones_fire_at_1920_in_english()
{
    bounded_long(
        "critical first at 1920 in English",
        a_critical_warning_stays_in_sight(VIEWPORT, "en", "wall-1920-en-warnings"),
    )
    .await;
}

#[tokio::test]
async fn every_sku_of_a_24_sku_show_reaches_a_1920_wall_in_english_within_30_s() {
    bounded_long(
        "24 SKUs at 1920×1080 in English",
        every_sku_reaches_the_wall(VIEWPORT, "en", "wall-1920-en"),
    )
    .await;
}

#[tokio::test]
async fn a_critical_warning_stays_first_in_its_rail_while_eight_mild_ones_fire_at_1366_in_chinese()
{
    bounded_long(
        "critical first at 1366 in Chinese",
        a_critical_warning_stays_in_sight(LAPTOP, "zh", "wall-1366-zh-warnings"),
    )
    .await;
}
