//! The show the screens are tested on, through the public API, and the helpers that read it back.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) const SHOW_TITLE: &str = "双十一返场专场 · 冬季上新";

/// On air, with a base of 100 at the start of the show.
pub(crate) const HOODIE: &str = "HOODIE-BLK-L";
pub(crate) const HOODIE_NAME: &str = "加绒卫衣 黑 L";
/// Next in the lineup.
pub(crate) const JACKET: &str = "DOWN-JKT-M";
pub(crate) const JACKET_NAME: &str = "轻薄羽绒服 米白 M";
/// In the lineup, sold in every round.
pub(crate) const CAP: &str = "CAP-RED";

/// (code, name, category, price in cents, opening stock)
pub(crate) const CATALOG: [(&str, &str, &str, i64, i64); 8] = [
    (HOODIE, HOODIE_NAME, "apparel", 19_900, 100),
    (JACKET, JACKET_NAME, "apparel", 39_900, 400),
    ("SCARF-GRY", "羊绒围巾 灰", "accessory", 12_900, 600),
    (CAP, "棒球帽 红", "accessory", 5_900, 500),
    ("SOCK-3P", "纯棉袜 三双装", "apparel", 2_900, 2_000),
    ("MUG-WHT", "陶瓷马克杯 白", "home", 3_900, 300),
    ("THERMOS-500", "不锈钢保温杯 500ml", "home", 8_900, 800),
    ("GLOVE-TOUCH", "触屏保暖手套", "accessory", 4_900, 1_200),
];

/// (code, planned units per minute)
pub(crate) const LINEUP: [(&str, i64); 4] =
    [(HOODIE, 30), (JACKET, 20), ("SCARF-GRY", 25), (CAP, 40)];

/// HOODIE units sold per round of [`stage`]; it stays above 20% of its base (level 0).
pub(crate) const HOODIE_PER_ROUND: i64 = 2;

/// A live show, set up through the public API: the catalog, a show with a lineup and planned
/// rates and times, started, HOODIE on air, then `rounds` rounds (~0.35 s apart, so the series get
/// a few points) of viewers and orders on three channels, paid and unpaid.
pub(crate) async fn stage(server: &TestServer, rounds: usize) {
    let skus: Vec<Value> = CATALOG
        .iter()
        .map(|(code, name, category, price, on_hand)| {
            json!({"sku": code, "name": name, "category": category, "price_cents": price,
                   "on_hand": on_hand})
        })
        .collect();
    server.create_skus(&json!(skus)).await;

    let now = time::OffsetDateTime::now_utc();
    let lineup: Vec<Value> = LINEUP
        .iter()
        .enumerate()
        .map(|(i, (code, rate))| {
            let start = now + time::Duration::minutes(15 * i as i64);
            let start = start
                .format(&time::format_description::well_known::Rfc3339)
                .expect("formatting a time");
            json!({"sku": code, "planned_start": start, "planned_rate_per_min": rate})
        })
        .collect();
    let (st, b) = server
        .post(
            "/api/v1/show",
            OPERATOR,
            &json!({"title": SHOW_TITLE, "lineup": lineup}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "creating the show: {b}");
    let (st, b) = server
        .call(Method::POST, "/api/v1/show/start", Some(OPERATOR), None)
        .await;
    assert_eq!(st, StatusCode::OK, "starting the show: {b}");
    let (st, b) = server
        .call(
            Method::PUT,
            "/api/v1/show/current",
            Some(OPERATOR),
            Some(&json!({"sku": HOODIE})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "putting {HOODIE} on air: {b}");

    let channels = ["douyin", "kuaishou", "taobao"];
    for round in 0..rounds {
        viewers(server, 8_000 + 2_700 * round as i64).await;
        let r = round as i64;
        let mut events = vec![
            paid(
                channels[0],
                &format!("R{round}-1"),
                &[(HOODIE, HOODIE_PER_ROUND)],
            ),
            paid(
                channels[1],
                &format!("R{round}-2"),
                &[(JACKET, 1 + r % 3), (CAP, 2)],
            ),
            paid(
                channels[2],
                &format!("R{round}-3"),
                &[("SOCK-3P", 6 + 2 * r)],
            ),
            paid(
                channels[round % 3],
                &format!("R{round}-4"),
                &[("SCARF-GRY", 2), ("MUG-WHT", 1)],
            ),
            event(
                channels[(round + 1) % 3],
                &format!("R{round}-5"),
                "created",
                &[(CAP, 1), ("GLOVE-TOUCH", 2)],
            ),
        ];
        if round % 2 == 1 {
            events.push(paid(
                channels[1],
                &format!("R{round}-6"),
                &[("THERMOS-500", 3)],
            ));
        }
        let (st, b) = server.orders(&json!(events)).await;
        assert_eq!(st, StatusCode::OK, "round {round} of orders: {b}");
        for answer in b["results"].as_array().expect("one answer per event") {
            assert_eq!(answer["result"], "accepted", "round {round}: {b}");
        }
        tokio::time::sleep(Duration::from_millis(350)).await;
    }
    assert_eq!(
        available(server, HOODIE).await,
        100 - HOODIE_PER_ROUND * rounds as i64
    );
}

pub(crate) fn paid(channel: &str, order_id: &str, lines: &[(&str, i64)]) -> Value {
    event(channel, order_id, "paid", lines)
}

/// Pushes the online viewers as the overlay role (the stream's viewer counter).
pub(crate) async fn viewers(server: &TestServer, online: i64) {
    let (st, b) = server
        .post("/api/v1/show/viewers", OVERLAY, &json!({"online": online}))
        .await;
    assert_eq!(st, StatusCode::OK, "pushing viewers: {b}");
}

pub(crate) async fn available(server: &TestServer, sku: &str) -> i64 {
    server.sku(sku).await["available"]
        .as_i64()
        .expect("available is an integer")
}

/// `GET /api/v1/alerts` (with `query`): `{"alerts": [...]}`, newest first.
pub(crate) async fn list_alerts(server: &TestServer, query: &str) -> Vec<Value> {
    let (st, body) = server.get(&format!("/api/v1/alerts{query}"), VIEWER).await;
    assert_eq!(st, StatusCode::OK, "GET /api/v1/alerts{query}: {body}");
    body["alerts"]
        .as_array()
        .unwrap_or_else(|| panic!("the answer is {{\"alerts\": [...]}}: {body}"))
        .clone()
}

/// An integer as the pages print it: `1,234,567`.
pub(crate) fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The board's row of `sku`, cell `class` (e.g. `avail`, `sold`).
pub(crate) fn cell(sku: &str, class: &str) -> String {
    format!("#sku-rows tr[data-sku=\"{sku}\"] td.{class}")
}

/// Answers, once every chart of the board has a uPlot canvas with a size and painted pixels, each
/// chart's canvas size; `null` until then.
pub(crate) const CHARTS_DRAWN: &str = "
    const out = [];
    for (const id of ['chart-stock', 'chart-viewers', 'chart-gmv']) {
        const c = document.querySelector('#' + id + ' .uplot canvas');
        if (!c) return null;
        const r = c.getBoundingClientRect();
        if (!(c.width > 0 && c.height > 0 && r.width > 0 && r.height > 0)) return null;
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
        if (painted === 0) return null;
        out.push({id, width: c.width, height: c.height, painted});
    }
    return out;";

/* ------------------------------------------------------------------ the tests */
