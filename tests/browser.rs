//! The three screens in a real headless Chromium, driven through ChromeDriver (WebDriver) with
//! `fantoccini`, against the real binary: the board `/`, the host screen `/host` and the OBS
//! overlay `/overlay`, fed through the public API only.
//!
//! Needs Debian's `/usr/bin/chromium` and `/usr/bin/chromedriver` (`./scripts/test` installs them);
//! without them every test here fails and says so. Each test starts its own server, its own
//! ChromeDriver on a free port and its own browser profile; the tests take turns (one browser at a
//! time) and each has [`TEST_BUDGET`] once its turn comes. Screenshots of the three screens go to
//! `target/screenshots/`.

mod common;

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The most one test may take once its turn has come (server, driver, browser and all).
const TEST_BUDGET: Duration = Duration::from_secs(30);
/// How long ChromeDriver may take to answer `/status` as ready.
const DRIVER_START_MS: u64 = 10_000;
/// How long a page may take to load and show its first snapshot.
const LOAD_MS: u64 = 10_000;
/// How long a change made through the API may take to show on a page.
const CHANGE_MS: u64 = 2_000;
/// How long a pop-up, a prompt or a chart may take to appear (or the pop-up to leave).
const APPEAR_MS: u64 = 4_000;
/// Between two looks at a page.
const POLL_MS: u64 = 50;

/// Chromium's switches: headless, no sandbox (CI runs as root), no GPU, nothing phoning home, the
/// size of a control-room screen.
const CHROME_ARGS: [&str; 10] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1920,1080",
    "--hide-scrollbars",
];

/// The page area of every test: a control-room screen, the host's TV, OBS's canvas.
const VIEWPORT: (u32, u32) = (1920, 1080);
/// The smaller screen the board must also look right on: a common laptop's page area.
const LAPTOP: (u32, u32) = (1366, 768);

/// One browser at a time: a few Chromiums at once on a small CI machine make timings flaky.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `test` once it is this test's turn, failing it past [`TEST_BUDGET`] (which drops, and so
/// kills, its server and its browser).
async fn bounded(what: &str, test: impl Future<Output = ()>) {
    let _turn = TURN.lock().await;
    if tokio::time::timeout(TEST_BUDGET, test).await.is_err() {
        panic!("{what}: did not finish within {TEST_BUDGET:?}");
    }
}

/* ------------------------------------------------------------------ the browser */

/// ChromeDriver (in its own process group, with the Chromium it starts) and one session on it.
/// Dropping it kills the whole group.
struct Browser {
    driver: Child,
    client: Option<Client>,
    /// The `--user-data-dir` and ChromeDriver's log.
    profile: tempfile::TempDir,
}

/// Fails, with what to do about it, when Chromium or ChromeDriver is not installed.
fn require_browser() {
    for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        assert!(
            Path::new(path).exists(),
            "{path} is missing: the browser tests need Debian's {package} package. \
             Run ./scripts/test (it installs chromium and chromium-driver), or \
             `apt-get install chromium chromium-driver`."
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("finding a free port")
        .port()
}

impl Browser {
    /// Starts ChromeDriver on a free port, waits until it is ready and opens a Chromium session.
    async fn start() -> Browser {
        require_browser();
        let profile = tempfile::tempdir().expect("creating a browser profile dir");
        let log = profile.path().join("chromedriver.log");
        // The port is free when picked; another process could take it before ChromeDriver does,
        // so a driver that dies at once is started again on another port.
        let mut last_failure = String::new();
        for _ in 0..3 {
            let port = free_port();
            let mut driver = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("starting {CHROMEDRIVER}: {e}"));
            match wait_ready(&mut driver, port).await {
                Ok(()) => {
                    let mut browser = Browser {
                        driver,
                        client: None,
                        profile,
                    };
                    browser.client = Some(browser.session(port).await);
                    browser.fit_viewport(VIEWPORT).await;
                    return browser;
                }
                Err(why) => {
                    last_failure = why;
                    kill_group(&mut driver);
                }
            }
        }
        panic!(
            "{CHROMEDRIVER} did not become ready: {last_failure}\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    async fn session(&self, port: u16) -> Client {
        let profile = format!(
            "--user-data-dir={}",
            self.profile.path().join("chrome").display()
        );
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(profile);
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            // A prompt stays open until the test answers it through the alert API.
            "unhandledPromptBehavior": "ignore",
        });
        let caps = caps
            .as_object()
            .expect("capabilities are an object")
            .clone();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "opening a Chromium session through ChromeDriver: {e}\n{}",
                    self.driver_log()
                )
            })
    }

    /// Makes the page area (not the window) `(w, h)`: headless Chromium takes room for browser
    /// chrome out of `--window-size`, and the screens are sized for a full 1920×1080.
    async fn fit_viewport(&self, (w, h): (u32, u32)) {
        let size = self
            .js("return [outerWidth - innerWidth, outerHeight - innerHeight];")
            .await;
        let extra = |i: usize| size[i].as_u64().unwrap_or(0) as u32;
        self.client()
            .set_window_size(w + extra(0), h + extra(1))
            .await
            .unwrap_or_else(|e| panic!("resizing the window: {e}"));
        let inner = self.js("return [innerWidth, innerHeight];").await;
        assert_eq!(
            inner,
            json!([w, h]),
            "the page area after resizing the window"
        );
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    fn driver_log(&self) -> String {
        let log = std::fs::read_to_string(self.profile.path().join("chromedriver.log"))
            .unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Ends the session (ChromeDriver quits Chromium); the drop then stops ChromeDriver.
    async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }

    /// Opens `path` (with its query) as `token` and waits for the page's first snapshot; the page
    /// must have captured no error by then.
    async fn open(&self, server: &TestServer, path: &str, token: &str) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = server.url(&format!("{path}{sep}token={token}"));
        self.client()
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
        self.wait(
            &format!("the first snapshot on {path}"),
            LOAD_MS,
            "const l = window.__livestock;
             return l && l.connected && l.frames > 0 && l.state && l.state.seq !== null ? true : null;",
        )
        .await;
        self.assert_no_errors(&format!("{path} after its first snapshot"))
            .await;
    }

    /// Runs `script` (a function body: `return ...`) in the page.
    async fn js(&self, script: &str) -> Value {
        self.client()
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("running a script in the page: {e}\n{script}"))
    }

    /// Runs `script` with `args` (`arguments[0]`...).
    async fn js_with(&self, script: &str, args: Vec<Value>) -> Value {
        self.client()
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("running a script in the page: {e}\n{script}"))
    }

    /// Polls `script` until it answers something other than `null`/`false`, or fails after
    /// `timeout_ms` with `what`, the last answer and the page's errors.
    async fn wait(&self, what: &str, timeout_ms: u64, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms);
        loop {
            let v = self.js(script).await;
            if !v.is_null() && v != Value::Bool(false) {
                return v;
            }
            if Instant::now() >= deadline {
                let errors = self.js("return window.__livestockErrors || null;").await;
                panic!(
                    "{what}: not so after {timeout_ms} ms (last answer {v}); page errors: {errors}"
                );
            }
            tokio::time::sleep(Duration::from_millis(POLL_MS)).await;
        }
    }

    /// Waits until the trimmed text of `css` is `want`; answers how long it took.
    async fn wait_text(&self, css: &str, want: &str, timeout_ms: u64) -> Duration {
        let started = Instant::now();
        let deadline = started + Duration::from_millis(timeout_ms);
        loop {
            let got = self.text(css).await;
            if got.as_deref() == Some(want) {
                return started.elapsed();
            }
            assert!(
                Instant::now() < deadline,
                "{css}: want {want:?} within {timeout_ms} ms, still {got:?}"
            );
            tokio::time::sleep(Duration::from_millis(POLL_MS)).await;
        }
    }

    /// The trimmed `textContent` of the first element matching `css`, or `None`.
    async fn text(&self, css: &str) -> Option<String> {
        let v = self
            .js_with(
                "const e = document.querySelector(arguments[0]);
                 return e ? e.textContent.trim() : null;",
                vec![json!(css)],
            )
            .await;
        v.as_str().map(str::to_owned)
    }

    /// What the page captured in `window.__livestockErrors` (must stay empty).
    async fn assert_no_errors(&self, when: &str) {
        let errors = self.js("return window.__livestockErrors;").await;
        assert_eq!(
            errors,
            json!([]),
            "window.__livestockErrors {when} (it must exist and stay empty)"
        );
    }

    /// Saves a PNG of the window to `target/screenshots/NAME.png`; answers its path.
    async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        let png = self
            .client()
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("a screenshot of {name}: {e}"));
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "the screenshot of {name} is not a real PNG ({} bytes)",
            png.len()
        );
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

/// Kills ChromeDriver's process group (it and the Chromium it started) and reaps ChromeDriver.
fn kill_group(driver: &mut Child) {
    let _ = Command::new("kill")
        .arg("-KILL")
        .arg("--")
        .arg(format!("-{}", driver.id()))
        .stderr(Stdio::null())
        .status();
    let _ = driver.kill();
    let _ = driver.wait();
}

/// Waits until ChromeDriver on `port` answers `/status` with `ready: true`.
async fn wait_ready(driver: &mut Child, port: u16) -> Result<(), String> {
    let http = client();
    let deadline = Instant::now() + Duration::from_millis(DRIVER_START_MS);
    let url = format!("http://127.0.0.1:{port}/status");
    loop {
        if let Ok(Some(status)) = driver.try_wait() {
            return Err(format!("it exited at once ({status})"));
        }
        if let Ok(resp) = http
            .get(&url)
            .timeout(Duration::from_millis(1_000))
            .send()
            .await
            && let Ok(body) = resp.json::<Value>().await
            && body["value"]["ready"] == json!(true)
        {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "no ready answer on {url} within {DRIVER_START_MS} ms"
            ));
        }
        tokio::time::sleep(Duration::from_millis(POLL_MS)).await;
    }
}

/* ------------------------------------------------------------------ the data */

const SHOW_TITLE: &str = "双十一返场专场 · 冬季上新";

/// On air, with a base of 100 at the start of the show.
const HOODIE: &str = "HOODIE-BLK-L";
const HOODIE_NAME: &str = "加绒卫衣 黑 L";
/// Next in the lineup.
const JACKET: &str = "DOWN-JKT-M";
const JACKET_NAME: &str = "轻薄羽绒服 米白 M";
/// In the lineup, sold in every round.
const CAP: &str = "CAP-RED";

/// (code, name, category, price in cents, opening stock)
const CATALOG: [(&str, &str, &str, i64, i64); 8] = [
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
const LINEUP: [(&str, i64); 4] = [(HOODIE, 30), (JACKET, 20), ("SCARF-GRY", 25), (CAP, 40)];

/// HOODIE units sold per round of [`stage`]; it stays above 20% of its base (level 0).
const HOODIE_PER_ROUND: i64 = 2;

/// A live show, set up through the public API: the catalog, a show with a lineup and planned
/// rates and times, started, HOODIE on air, then `rounds` rounds (~0.35 s apart, so the series get
/// a few points) of viewers and orders on three channels, paid and unpaid.
async fn stage(server: &TestServer, rounds: usize) {
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

fn paid(channel: &str, order_id: &str, lines: &[(&str, i64)]) -> Value {
    event(channel, order_id, "paid", lines)
}

/// Pushes the online viewers as the overlay role (the stream's viewer counter).
async fn viewers(server: &TestServer, online: i64) {
    let (st, b) = server
        .post("/api/v1/show/viewers", OVERLAY, &json!({"online": online}))
        .await;
    assert_eq!(st, StatusCode::OK, "pushing viewers: {b}");
}

async fn available(server: &TestServer, sku: &str) -> i64 {
    server.sku(sku).await["available"]
        .as_i64()
        .expect("available is an integer")
}

/// `GET /api/v1/alerts` (with `query`): `{"alerts": [...]}`, newest first.
async fn list_alerts(server: &TestServer, query: &str) -> Vec<Value> {
    let (st, body) = server.get(&format!("/api/v1/alerts{query}"), VIEWER).await;
    assert_eq!(st, StatusCode::OK, "GET /api/v1/alerts{query}: {body}");
    body["alerts"]
        .as_array()
        .unwrap_or_else(|| panic!("the answer is {{\"alerts\": [...]}}: {body}"))
        .clone()
}

/// An integer as the pages print it: `1,234,567`.
fn grouped(n: i64) -> String {
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

/// The board's row of `sku`, cell `class` (e.g. `avail`, `committed`).
fn cell(sku: &str, class: &str) -> String {
    format!("#sku-rows tr[data-sku=\"{sku}\"] td.{class}")
}

/// Answers, once every chart of the board has a uPlot canvas with a size and painted pixels, each
/// chart's canvas size; `null` until then.
const CHARTS_DRAWN: &str = "
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
            .wait_text(&cell(CAP, "committed"), &grouped(before["committed"].as_i64().unwrap()), CHANGE_MS)
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
            .wait_text(&cell(CAP, "committed"), &grouped(after["committed"].as_i64().unwrap()), CHANGE_MS)
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
        // A dozen socks in one minute, then none: under 30% of the peak (SPEC C), a fading hit.
        sell(&server, "DY-FADE-1", "SOCK-3P", 12).await;
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
const CHINESE_UI_STRINGS: &str = "
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
                "a stock level pop-up",
                APPEAR_MS,
                "return document.querySelector('.toast[data-kind=\"stock_level\"]') ? true : null;",
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

/// Hands the feed of the page's module (`arguments[0]`, imported again: the same instance) a diff
/// frame with `"writes": arguments[1]` (or none when it is null) as if the server had sent it,
/// draws it at once, and answers what the banner and the KPI row look like, all in one turn of
/// the page's event loop so no real frame can come in between.
const FEED_WRITES: &str = "
    const [module, writes] = arguments;
    return import(module).then((m) => {
        const frame = {type: 'diff', seq: window.__livestock.state.seq};
        if (writes !== null) frame.writes = writes;
        m.feed.receive(JSON.stringify(frame));
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

/// Feeds `writes` to the page's module and answers [`FEED_WRITES`]'s look.
async fn feed_writes(browser: &Browser, module: &str, writes: Option<&str>) -> Value {
    browser
        .js_with(FEED_WRITES, vec![json!(module), json!(writes)])
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

        let before = feed_writes(&browser, BOARD, None).await;
        assert_eq!(
            before["shown"], false,
            "no banner while writes are taken: {before}"
        );

        let full = feed_writes(&browser, BOARD, Some("disk_full")).await;
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
        let kept = feed_writes(&browser, BOARD, None).await;
        assert_eq!(
            kept["shown"], true,
            "a diff without a write state changes nothing: {kept}"
        );
        browser.screenshot("board-disk-full").await;

        let failed = feed_writes(&browser, BOARD, Some("failed")).await;
        assert_eq!(
            failed["text"], "日志写入失败,已停止接单,请重启服务",
            "{failed}"
        );

        let ok = feed_writes(&browser, BOARD, Some("ok")).await;
        assert_eq!(
            ok["shown"], false,
            "the banner goes once writes resume: {ok}"
        );
        assert_eq!(
            ok["kpis_top"], before["kpis_top"],
            "the layout is back as it was"
        );

        browser.fit_viewport(LAPTOP).await;
        let small = feed_writes(&browser, BOARD, Some("disk_full")).await;
        assert_eq!(
            small["numbers_in_view"], true,
            "every KPI number in view at 1366×768: {small}"
        );
        browser.screenshot("board-disk-full-1366x768").await;
        browser.fit_viewport(VIEWPORT).await;

        // The host screen, in English.
        const HOST: &str = "/static/host.js";
        browser.open(&server, "/host?lang=en", VIEWER).await;
        let host = feed_writes(&browser, HOST, Some("failed")).await;
        assert_eq!(host["shown"], true, "{host}");
        assert_eq!(
            host["text"], "Journal failure — orders stopped, restart the server",
            "{host}"
        );
        browser.screenshot("host-failed").await;
        let host = feed_writes(&browser, HOST, Some("disk_full")).await;
        assert_eq!(host["text"], "Disk full — orders paused", "{host}");
        let host = feed_writes(&browser, HOST, Some("ok")).await;
        assert_eq!(host["shown"], false, "{host}");

        browser.assert_no_errors("after the write states").await;
        browser.close().await;
    })
    .await;
}
