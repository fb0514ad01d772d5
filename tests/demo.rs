//! `livestock demo` end to end: the real binary plays a fast-forwarded show on its own server and
//! reports a show that sold something, sold the hero out and fired its warnings.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The whole run (server start, ten show-minutes at 60×, summary, stop) must end well within this.
const RUN_TIMEOUT_MS: u64 = 60_000;

/// The value of `key=` in the demo's `summary:` line.
fn field<'a>(summary: &'a str, key: &str) -> &'a str {
    summary
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("the summary has no {key}: {summary}"))
}

#[test]
fn a_fast_forwarded_demo_sells_and_sells_the_hero_out_then_exits_cleanly() {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_livestock"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--speed",
            "60",
            "--minutes",
            "10",
            "--seed",
            "42",
            "--exit",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting livestock demo");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the demo") {
            break status;
        }
        if started.elapsed() > Duration::from_millis(RUN_TIMEOUT_MS) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the demo did not finish within {RUN_TIMEOUT_MS} ms; it printed:\n{}\n{}",
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "the demo exited {status}:\n{out}\n{err}");

    let summary = out
        .lines()
        .find_map(|l| l.strip_prefix("summary: "))
        .unwrap_or_else(|| panic!("no summary line in:\n{out}"));
    let number = |key| -> i64 {
        field(summary, key)
            .parse()
            .unwrap_or_else(|_| panic!("{key} is not a number: {summary}"))
    };
    assert!(number("gmv_cents") > 0, "{summary}");
    assert!(number("orders") > 0, "{summary}");
    assert!(number("units") >= number("orders"), "{summary}");
    assert!(number("peak_viewers") > 50_000, "{summary}");
    let sold_out: Vec<&str> = field(summary, "sold_out").split(',').collect();
    assert!(
        sold_out.contains(&"HOODIE-BLK-L"),
        "the hero did not sell out:\n{out}"
    );
    // The server's clock runs at the show's speed, so even at 60× the hero's surge and the stock
    // tiers fire as they would in a real show.
    let warnings: Vec<&str> = field(summary, "warnings").split(',').collect();
    for kind in ["surge", "stock_level", "sellout_eta"] {
        assert!(
            warnings.iter().any(|w| w.starts_with(&format!("{kind}:"))),
            "no {kind} warning fired: {summary}"
        );
    }
    for line in [
        "board    http://127.0.0.1:",
        "/host?token=",
        "/overlay?token=",
        "taobao: its stock sync is stuck",
        "taobao: stock sync recovered",
    ] {
        assert!(out.contains(line), "the demo did not print {line}:\n{out}");
    }
    assert!(out.contains("server stopped"), "{out}");
}
