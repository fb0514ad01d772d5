//! The write-state banner (磁盘已满,暂停接单) above the KPIs while writes stop.

use crate::common::*;
use crate::driver::*;
use crate::stage::*;
use serde_json::{Value, json};

/// Hands the feed of the page's module (`arguments[0]`, imported again: the same instance) one
/// diff frame per entry of `arguments[1]`, each with that `"writes"` (or none for null), as if the
/// server had sent them, draws them at once, and answers what the banner and the KPI row look like,
/// all in one turn of the page's event loop so no real frame (a snapshot after a resync, say) can
/// come in between.
pub(crate) const FEED_WRITES: &str = "
    const [module, states] = arguments;
    return import(module).then((m) => {
        for (const writes of states) {
            const frame = {type: 'diff', seq: window.__livestock.state.seq};
            if (writes !== null) frame.writes = writes;
            m.feed.receive(JSON.stringify(frame));
        }
        m.render();
        const b = document.getElementById('writes-banner');
        const r = b.getBoundingClientRect();
        const kpis = document.querySelector('.kpis');
        const numbers = [...document.querySelectorAll('.kpi-main')].map((e) => e.getBoundingClientRect());
        return {
            shown: !b.hidden && r.height > 0,
            text: b.textContent.trim(),
            top: r.top,
            bottom: r.bottom,
            font_px: parseFloat(getComputedStyle(b).fontSize),
            kpis_top: kpis ? kpis.getBoundingClientRect().top : null,
            numbers_in_view: numbers.every((n) => n.top >= r.bottom && n.bottom <= innerHeight),
        };
    });";

/// Feeds one diff per entry of `states` to the page's module and answers [`FEED_WRITES`]'s look.
pub(crate) async fn feed_writes(browser: &Browser, module: &str, states: &[Option<&str>]) -> Value {
    browser
        .js_with(FEED_WRITES, vec![json!(module), json!(states)])
        .await
}

#[tokio::test]
async fn the_write_state_banner_appears_above_the_kpis_while_writes_stop_and_goes_when_they_resume()
{
    bounded("the write-state banner", async {
        let server = TestServer::start();
        stage(&server, 2).await;
        let browser = Browser::start().await;
        browser.open(&server, "/", VIEWER).await;
        const BOARD: &str = "/static/board/main.js";

        let before = feed_writes(&browser, BOARD, &[None]).await;
        assert_eq!(
            before["shown"], false,
            "no banner while writes are taken: {before}"
        );

        let full = feed_writes(&browser, BOARD, &[Some("disk_full")]).await;
        assert_eq!(full["shown"], true, "{full}");
        assert_eq!(full["text"], "磁盘已满,暂停接单", "{full}");
        assert_eq!(
            full["top"].as_f64().map(|t| t < 40.0),
            Some(true),
            "across the top: {full}"
        );
        assert!(
            full["font_px"].as_f64().unwrap_or(0.0) >= 32.0,
            "readable from 3 m on a 1920×1080 wall: {full}"
        );
        assert!(
            full["kpis_top"].as_f64() > full["bottom"].as_f64(),
            "the KPIs are pushed below the banner: {full}"
        );
        assert_eq!(
            full["numbers_in_view"], true,
            "every KPI number stays in view: {full}"
        );
        // Fed in the same turn as the state it must keep: a real snapshot in between (a resync)
        // rightly starts again from the server's "ok".
        let kept = feed_writes(&browser, BOARD, &[Some("disk_full"), None]).await;
        assert_eq!(
            kept["shown"], true,
            "a diff without a write state changes nothing: {kept}"
        );
        browser.screenshot("board-disk-full").await;

        let failed = feed_writes(&browser, BOARD, &[Some("failed")]).await;
        assert_eq!(
            failed["text"], "日志写入失败,已停止接单,请重启服务",
            "{failed}"
        );

        let ok = feed_writes(&browser, BOARD, &[Some("ok")]).await;
        assert_eq!(
            ok["shown"], false,
            "the banner goes once writes resume: {ok}"
        );
        assert_eq!(
            ok["kpis_top"], before["kpis_top"],
            "the layout is back as it was"
        );

        browser.fit_viewport(LAPTOP).await;
        let small = feed_writes(&browser, BOARD, &[Some("disk_full")]).await;
        assert_eq!(
            small["numbers_in_view"], true,
            "every KPI number in view at 1366×768: {small}"
        );
        browser.screenshot("board-disk-full-1366x768").await;
        browser.fit_viewport(VIEWPORT).await;

        // The host screen, in English.
        const HOST: &str = "/static/host.js";
        browser.open(&server, "/host?lang=en", VIEWER).await;
        let host = feed_writes(&browser, HOST, &[Some("failed")]).await;
        assert_eq!(host["shown"], true, "{host}");
        assert_eq!(
            host["text"], "Journal failure — orders stopped, restart the server",
            "{host}"
        );
        browser.screenshot("host-failed").await;
        let host = feed_writes(&browser, HOST, &[Some("disk_full")]).await;
        assert_eq!(host["text"], "Disk full — orders paused", "{host}");
        let host = feed_writes(&browser, HOST, &[Some("ok")]).await;
        assert_eq!(host["shown"], false, "{host}");

        browser.assert_no_errors("after the write states").await;
        browser.close().await;
    })
    .await;
}
