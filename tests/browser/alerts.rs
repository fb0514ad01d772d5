//! Warnings on the board: a low-stock pop-up acknowledged by clicking, a fading hit on the watch list.

use crate::common::*;
use crate::driver::*;
use crate::stage::*;
use fantoccini::Locator;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_low_stock_alert_pops_up_in_chinese_and_is_acknowledged_by_clicking_its_confirm_button() {
    bounded("an alert pops up and is acknowledged", async {
        let server = TestServer::start();
        stage(&server, 2).await;
        assert_eq!(server.sku(HOODIE).await["base"], 100);
        let browser = Browser::start().await;
        // An operator may acknowledge; a viewer's board would be refused.
        browser.open(&server, "/", OPERATOR).await;
        let none = browser
            .js("return document.querySelectorAll('.toast[data-kind=\"stock_level\"]').length;")
            .await;
        assert_eq!(none, json!(0), "no stock alert before the stock runs low");

        // 96 left after staging; 78 more sold leaves 18 of 100: below 20%.
        let left = available(&server, HOODIE).await;
        sell(&server, "DY-LOW-1", HOODIE, left - 18).await;
        let toast = browser
            .wait(
                "a stock level pop-up",
                APPEAR_MS,
                "const t = document.querySelector('.toast[data-kind=\"stock_level\"]:not(.leaving)');
                 return t ? {id: t.dataset.id, level: t.dataset.level, text: t.textContent,
                             msg: t.querySelector('.toast-msg').textContent,
                             button: t.querySelector('.toast-ack').textContent} : null;",
            )
            .await;
        let msg = toast["msg"].as_str().unwrap();
        assert!(
            msg.contains("库存") && msg.contains(HOODIE_NAME) && msg.contains("18"),
            "the pop-up says in Chinese that the product's stock is low: {toast}"
        );
        assert_eq!(toast["level"], "1", "{toast}");
        assert_eq!(toast["button"], "确认", "{toast}");
        let id = toast["id"].as_str().unwrap().to_owned();
        let open = list_alerts(&server, "?open=true").await;
        assert!(
            open.iter().any(|a| a["id"] == id.as_str()),
            "the pop-up is an open alert of the API: {open:?}"
        );

        // The first acknowledgement on this browser asks for a name (window.prompt).
        let button = format!(".toast[data-id=\"{id}\"] .toast-ack");
        ack_giving_a_name(&browser, &button, "场控小李").await;

        browser
            .wait(
                "the acknowledged pop-up leaves",
                APPEAR_MS,
                &format!("return document.querySelector('.toast[data-id=\"{id}\"]') ? null : true;"),
            )
            .await;
        let alerts = list_alerts(&server, "").await;
        let alert = alerts
            .iter()
            .find(|a| a["id"] == id.as_str())
            .unwrap_or_else(|| panic!("alert {id} in {alerts:?}"));
        assert_eq!(alert["acked_by"], "场控小李", "{alert}");
        browser.wait_text("#ack-by", "确认人:场控小李", CHANGE_MS).await;
        let stored = browser
            .js("return localStorage.getItem('livestock.ackBy');")
            .await;
        assert_eq!(stored, json!("场控小李"), "the name is kept for the next acknowledgement");
        browser.assert_no_errors("after the acknowledgement").await;
        browser.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_fading_hit_goes_on_the_watch_list_and_never_pops_up() {
    bounded("a fading hit is listed, not popped up", async {
        // A minute of server time per real second: a product peaks and fades within the test.
        let server = TestServer::start_with_config("clock_speed = 60\n");
        stage(&server, 0).await;
        let browser = Browser::start().await;
        browser.open(&server, "/", OPERATOR).await;
        // The socks on air, two dozen in one minute (over the floor of 20), then none: under 30%
        // of the peak (SPEC C), a fading hit.
        let (st, body) = server
            .call(
                reqwest::Method::PUT,
                "/api/v1/show/current",
                Some(OPERATOR),
                Some(&json!({"sku": "SOCK-3P"})),
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::OK, "{body}");
        sell(&server, "DY-FADE-1", "SOCK-3P", 24).await;
        let listed = browser
            .wait(
                "the fading hit on the focus panel's watch list",
                APPEAR_MS,
                "const s = document.getElementById('fading-section');
                 const l = document.getElementById('fading-list');
                 return (!s.hidden && l.textContent.includes('纯棉袜')) ? l.textContent : null;",
            )
            .await;
        assert!(
            listed.as_str().unwrap().contains("热度回落"),
            "the watch list says it in Chinese: {listed}"
        );
        // No pop-up for it, and the open-warnings KPI counts only the others.
        let open = list_alerts(&server, "?open=true").await;
        let others = open.iter().filter(|a| a["kind"] != "fading").count();
        assert!(
            open.len() > others,
            "the fading hit is an open alert: {open:?}"
        );
        // Other warnings may still fire meanwhile (the clock runs fast): compare with the API's
        // count as of each look.
        let deadline = Instant::now() + Duration::from_millis(CHANGE_MS);
        loop {
            let kpi = browser
                .js("return document.querySelector('#kpi-alerts .kpi-main').textContent;")
                .await;
            let open = list_alerts(&server, "?open=true").await;
            let others = open.iter().filter(|a| a["kind"] != "fading").count();
            if kpi == json!(others.to_string()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the open-warnings KPI shows {kpi}, not the {others} open warnings other than fading hits: {open:?}"
            );
            tokio::time::sleep(Duration::from_millis(POLL_MS)).await;
        }
        let shown = browser
            .js("return document.querySelectorAll('.toast[data-kind=\"fading\"]').length;")
            .await;
        assert_eq!(shown, json!(0), "no pop-up for a fading hit: {open:?}");
        // It is acknowledged on the watch list instead, and leaves it.
        let id = open
            .iter()
            .find(|a| a["kind"] == "fading" && a["sku"] == "SOCK-3P")
            .and_then(|a| a["id"].as_str())
            .unwrap_or_else(|| panic!("the socks' fading hit in {open:?}"))
            .to_owned();
        let item = format!("#fading-list li[data-id=\"{id}\"]");
        ack_giving_a_name(&browser, &format!("{item} .mi-ack"), "场控小李").await;
        browser
            .wait(
                "the acknowledged hit leaves the watch list",
                APPEAR_MS,
                &format!("return document.querySelector('{item}') ? null : true;"),
            )
            .await;
        let alerts = list_alerts(&server, "").await;
        let acked = alerts.iter().find(|a| a["id"] == id.as_str());
        assert_eq!(
            acked.map(|a| &a["acked_by"]),
            Some(&json!("场控小李")),
            "{alerts:?}"
        );
        browser.assert_no_errors("with a fading hit listed").await;
        browser.close().await;
    })
    .await;
}

/// Clicks an acknowledge button on a board that has no name for acknowledgements yet, and
/// answers the prompt for one with `name`.
async fn ack_giving_a_name(browser: &Browser, button: &str, name: &str) {
    browser
        .client()
        .find(Locator::Css(button))
        .await
        .unwrap_or_else(|e| panic!("{button}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {button}: {e}"));
    let deadline = Instant::now() + Duration::from_millis(APPEAR_MS);
    let prompt = loop {
        match browser.client().get_alert_text().await {
            Ok(text) => break text,
            Err(e) => assert!(
                Instant::now() < deadline,
                "clicking {button} opened no prompt for a name: {e}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(POLL_MS)).await;
    };
    assert!(
        prompt.contains("名字"),
        "the prompt asks for a name: {prompt}"
    );
    browser
        .client()
        .send_alert_text(name)
        .await
        .expect("typing a name");
    browser
        .client()
        .accept_alert()
        .await
        .expect("accepting the prompt");
}
