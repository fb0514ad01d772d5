//! ChromeDriver and one browser session per test, taking turns: the budget, the flags, the readiness wait.

use crate::common::*;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The most one test may take once its turn has come (server, driver, browser and all).
pub(crate) const TEST_BUDGET: Duration = Duration::from_secs(30);
/// How long ChromeDriver may take to answer `/status` as ready.
pub(crate) const DRIVER_START_MS: u64 = 10_000;
/// How long a page may take to load and show its first snapshot.
pub(crate) const LOAD_MS: u64 = 10_000;
/// How long a change made through the API may take to show on a page.
pub(crate) const CHANGE_MS: u64 = 2_000;
/// How long a pop-up, a prompt or a chart may take to appear (or the pop-up to leave).
pub(crate) const APPEAR_MS: u64 = 4_000;
/// Between two looks at a page.
pub(crate) const POLL_MS: u64 = 50;

/// Chromium's switches: headless, no sandbox (CI runs as root), no GPU, nothing phoning home, the
/// size of a control-room screen.
pub(crate) const CHROME_ARGS: [&str; 10] = [
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
pub(crate) const VIEWPORT: (u32, u32) = (1920, 1080);
/// The smaller screen the board must also look right on: a common laptop's page area.
pub(crate) const LAPTOP: (u32, u32) = (1366, 768);

/// One browser at a time: a few Chromiums at once on a small CI machine make timings flaky.
pub(crate) static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `test` once it is this test's turn, failing it past [`TEST_BUDGET`] (which drops, and so
/// kills, its server and its browser).
pub(crate) async fn bounded(what: &str, test: impl Future<Output = ()>) {
    let _turn = TURN.lock().await;
    if tokio::time::timeout(TEST_BUDGET, test).await.is_err() {
        panic!("{what}: did not finish within {TEST_BUDGET:?}");
    }
}

/* ------------------------------------------------------------------ the browser */

/// ChromeDriver (in its own process group, with the Chromium it starts) and one session on it.
/// Dropping it kills the whole group.
pub(crate) struct Browser {
    pub(crate) driver: Child,
    pub(crate) client: Option<Client>,
    /// The `--user-data-dir` and ChromeDriver's log.
    pub(crate) profile: tempfile::TempDir,
}

/// Fails, with what to do about it, when Chromium or ChromeDriver is not installed.
pub(crate) fn require_browser() {
    for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        assert!(
            Path::new(path).exists(),
            "{path} is missing: the browser tests need Debian's {package} package. \
             Run ./scripts/test (it installs chromium and chromium-driver), or \
             `apt-get install chromium chromium-driver`."
        );
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("finding a free port")
        .port()
}

impl Browser {
    /// Starts ChromeDriver on a free port, waits until it is ready and opens a Chromium session.
    pub(crate) async fn start() -> Browser {
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

    pub(crate) async fn session(&self, port: u16) -> Client {
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
    pub(crate) async fn fit_viewport(&self, (w, h): (u32, u32)) {
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

    pub(crate) fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    pub(crate) fn driver_log(&self) -> String {
        let log = std::fs::read_to_string(self.profile.path().join("chromedriver.log"))
            .unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Ends the session (ChromeDriver quits Chromium); the drop then stops ChromeDriver.
    pub(crate) async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }

    /// Opens `path` (with its query) as `token` and waits for the page's first snapshot; the page
    /// must have captured no error by then.
    pub(crate) async fn open(&self, server: &TestServer, path: &str, token: &str) {
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
    pub(crate) async fn js(&self, script: &str) -> Value {
        self.client()
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("running a script in the page: {e}\n{script}"))
    }

    /// Runs `script` with `args` (`arguments[0]`...).
    pub(crate) async fn js_with(&self, script: &str, args: Vec<Value>) -> Value {
        self.client()
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("running a script in the page: {e}\n{script}"))
    }

    /// Polls `script` until it answers something other than `null`/`false`, or fails after
    /// `timeout_ms` with `what`, the last answer and the page's errors.
    pub(crate) async fn wait(&self, what: &str, timeout_ms: u64, script: &str) -> Value {
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
    pub(crate) async fn wait_text(&self, css: &str, want: &str, timeout_ms: u64) -> Duration {
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
    pub(crate) async fn text(&self, css: &str) -> Option<String> {
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
    pub(crate) async fn assert_no_errors(&self, when: &str) {
        let errors = self.js("return window.__livestockErrors;").await;
        assert_eq!(
            errors,
            json!([]),
            "window.__livestockErrors {when} (it must exist and stay empty)"
        );
    }

    /// Saves a PNG of the window to `target/screenshots/NAME.png`; answers its path.
    pub(crate) async fn screenshot(&self, name: &str) -> PathBuf {
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
pub(crate) fn kill_group(driver: &mut Child) {
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
pub(crate) async fn wait_ready(driver: &mut Child, port: u16) -> Result<(), String> {
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
