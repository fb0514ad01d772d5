//! A bad config refuses to start (issue 10, "Failing safely" 7): the real binary, given a config
//! file (or environment) with a value out of its range, exits non-zero before it serves, names the
//! key on stderr, and leaves its data dir as it found it. A config at the edges of every range starts.

mod common;

use common::*;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a refused start may take: it reads a file and exits.
const EXIT_TIMEOUT_MS: u64 = 10_000;

/// What one refused start left behind.
struct Refusal {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs `livestock serve` with `toml` as its config file on `data` and waits for it to exit; it
/// is killed (and the test fails) if it does not.
fn serve_with(toml: &str, data: &Path, via_env: bool) -> Refusal {
    let dir = tempfile::tempdir().expect("a temp dir for the config");
    let path = dir.path().join("livestock.toml");
    std::fs::write(&path, toml).expect("writing the config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_livestock"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data);
    for var in ["LIVESTOCK_LISTEN", "LIVESTOCK_DATA", "LIVESTOCK_CONFIG"] {
        cmd.env_remove(var);
    }
    if via_env {
        cmd.env("LIVESTOCK_CONFIG", &path);
    } else {
        cmd.arg("--config").arg(&path);
    }
    let mut child = cmd
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting livestock");
    let deadline = Instant::now() + Duration::from_millis(EXIT_TIMEOUT_MS);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for livestock") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("livestock started with {toml:?} did not exit within {EXIT_TIMEOUT_MS} ms");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    let _ = child
        .stdout
        .take()
        .map(|mut o| o.read_to_string(&mut stdout));
    let _ = child
        .stderr
        .take()
        .map(|mut e| e.read_to_string(&mut stderr));
    Refusal {
        status,
        stdout,
        stderr,
    }
}

/// Asserts that `toml` is refused: a non-zero exit, `key` on stderr, no listening line, and the
/// data dir (`existing`: an empty one made beforehand, or a path that does not exist yet)
/// unchanged.
#[track_caller]
fn assert_refused(toml: &str, key: &str, existing: bool, via_env: bool) {
    let parent = tempfile::tempdir().expect("a temp dir");
    let data = parent.path().join("data");
    if existing {
        std::fs::create_dir(&data).expect("making the data dir");
    }
    let r = serve_with(toml, &data, via_env);
    assert!(
        !r.status.success(),
        "{toml:?} was accepted ({}):\n{}\n{}",
        r.status,
        r.stdout,
        r.stderr
    );
    assert_eq!(r.status.code(), Some(1), "{toml:?}: {}", r.stderr);
    assert!(
        r.stderr.contains(key),
        "{toml:?}: stderr does not name {key:?}:\n{}",
        r.stderr
    );
    assert!(
        !r.stdout.contains("livestock listening on"),
        "{toml:?} got as far as listening:\n{}",
        r.stdout
    );
    if existing {
        let left: Vec<_> = std::fs::read_dir(&data)
            .expect("reading the data dir")
            .collect();
        assert!(
            left.is_empty(),
            "{toml:?} wrote into the data dir: {left:?}"
        );
    } else {
        assert!(!data.exists(), "{toml:?} made the data dir");
    }
}

#[test]
fn an_infinite_category_threshold_is_refused_at_start_naming_its_key() {
    assert_refused(
        "[alerts.categories.food]\nturnover_days = inf\n",
        "alerts.categories.food.turnover_days: must be finite, got inf",
        true,
        false,
    );
}

#[test]
fn a_negative_or_nan_shop_threshold_is_refused_at_start_naming_its_key() {
    assert_refused(
        "[alerts.shop]\nsurge_factor = -3\n",
        "alerts.shop.surge_factor: must be above 0, got -3",
        false,
        false,
    );
    assert_refused(
        "[alerts.shop]\nlevel1_pct = nan\n",
        "alerts.shop.level1_pct: must be finite",
        true,
        true,
    );
}

#[test]
fn stock_tiers_out_of_order_are_refused_at_start_naming_the_tier() {
    assert_refused(
        "[alerts.shop]\nlevel1_pct = 10\nlevel2_pct = 20\n",
        "alerts.shop.level2_pct: must be at most level1_pct",
        true,
        false,
    );
}

#[test]
fn the_server_settings_out_of_range_are_refused_at_start_naming_the_key() {
    for (toml, key) in [
        ("hold_ttl_secs = 0\n", "hold_ttl_secs: must be between"),
        (
            "snapshot_every_records = -1\n",
            "snapshot_every_records: must be between",
        ),
        ("feed_tick_ms = 0\n", "feed_tick_ms: must be between"),
        ("clock_speed = inf\n", "clock_speed: must be finite"),
        ("timezone = \"Mars/Olympus\"\n", "timezone: must be an IANA"),
        ("timezone = \"+08:00\"\n", "timezone: must be an IANA"),
        (
            "clock_start = \"soon\"\n",
            "clock_start: must be an RFC 3339",
        ),
    ] {
        assert_refused(toml, key, true, false);
    }
}

#[tokio::test]
async fn a_config_at_the_edge_of_every_range_starts_and_serves() {
    let s = TestServer::start_with_config(
        "hold_ttl_secs = 1\nfeed_tick_ms = 10\nclock_speed = 600\n\n[alerts.shop]\n\
         level1_pct = 100\nlevel2_pct = 100\nlevel3_pct = 0\nturnover_min_age_days = 0\n\
         hysteresis_pct = 0\nfading_pct = 100\nfading_rearm_pct = 100\n",
    );
    let (st, body) = s.get("/api/v1/skus", VIEWER).await;
    assert_eq!(st, reqwest::StatusCode::OK, "{body}");
}

#[test]
fn a_review_threshold_out_of_range_is_refused_at_start_naming_its_key() {
    assert_refused(
        "[review]\nquick_refund_minutes = inf\n",
        "review.quick_refund_minutes: must be finite, got inf",
        true,
        false,
    );
    assert_refused(
        "[review]\nbulk_order_units = 0\n",
        "review.bulk_order_units: must be between 1 and",
        false,
        true,
    );
}

#[tokio::test]
async fn the_shops_zone_cuts_its_days_even_at_a_quarter_hour_offset() {
    // Chatham Islands: +13:45 in its summer; the server clock starts at 00:10 there.
    let s = TestServer::start_with_config(
        "timezone = \"Pacific/Chatham\"\nclock_start = \"2026-12-01T00:10:00+13:45\"\n",
    );
    let (st, body) = s.get("/api/v1/reports/daily", VIEWER).await;
    assert_eq!(st, reqwest::StatusCode::OK, "{body}");
    assert_eq!(body["timezone"], "Pacific/Chatham", "{body}");
    assert_eq!(
        body["date"], "2026-12-01",
        "today is the zone's day: {body}"
    );
    assert_eq!(body["from"], "2026-12-01T00:00:00+13:45", "{body}");
    assert_eq!(body["to"], "2026-12-02T00:00:00+13:45", "{body}");
}
