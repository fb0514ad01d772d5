//! A client that stops reading: it never delays the others, and is closed or resynced rather
//! than buried in a backlog. The server's memory is not asserted here: over a timed run it grows
//! with the orders a machine manages to accept, not with the stuck screen (its queue is bounded at
//! `QUEUE_FRAMES_MAX` frames by construction); memory figures live in `livestock load-screens`.

use crate::common::*;
use crate::screen::{End, Screen};
use crate::{FRAME_TIMEOUT_MS, accept_all, codes, create_show, kind, ws_url};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::{TcpSocket, TcpStream};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("/proc/PID/status has VmRSS")
}

/// SKUs of the slow-client test, and how many of them are in the lineup (in every diff's show).
const FAT_SKUS: usize = 300;
const FAT_LINEUP: usize = 200;
/// Orders per request of the slow-client test, each for the next SKU round the catalog.
const BATCH_EVENTS: usize = 100;
/// How long orders flow while the stuck client does not read: past the server's 5 s send timeout.
const LOAD_MS: u64 = 8_000;
/// How soon a change must reach a screen that reads while the stuck one does not: a few ticks plus
/// room for a debug build on a busy machine (about 0.1–1 s is typical), yet well under the
/// server's 5 s send timeout that a screen held up behind the stuck one would wait.
const DIFF_DUE_MS: u64 = 2_000;

/// The server's queue of frames per screen (`QUEUE_FRAMES_MAX` in `src/web/ws/feed.rs`): a stuck
/// screen can be handed at most this many old diffs, plus the few its socket buffers held.
const QUEUE_FRAMES: usize = 64;
/// Diffs of a few hundred KiB each that the kernel's socket buffers can hold between the two ends.
const IN_FLIGHT_DIFFS: usize = 16;

/// A frame as the normal screen of the slow-client test received it.
struct Arrival {
    at: Instant,
    kind: String,
    /// Its arrival on this machine's clock minus the server's `server_ms` stamp (diffs and
    /// snapshots).
    late_ms: Option<i64>,
    seq: Option<u64>,
}

/// Opens a board whose socket receive buffer is tiny, so the server's writes stall at once.
async fn open_tiny_buffered(s: &TestServer) -> Screen<TcpStream> {
    let addr: SocketAddr = s.base.strip_prefix("http://").unwrap().parse().unwrap();
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4 << 10).unwrap();
    let tcp = socket.connect(addr).await.expect("connecting");
    let url = ws_url(s, &format!("view=board&token={VIEWER}"));
    let (ws, _) = tokio_tungstenite::client_async(url, tcp)
        .await
        .expect("upgrading the stuck screen");
    Screen {
        ws,
        name: "stuck board".to_owned(),
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_never_delays_the_others_and_is_closed_or_resynced_not_buried()
{
    // Without warnings: 300 overstocked SKUs would fire 300 turnover alerts at once, and a burst
    // of frames longer than the server's queue resyncs every screen, which is not the point here.
    let s = TestServer::start_with_config("[alerts]\nenabled = false\n");
    let long = "超长商品名称加绒卫衣黑色大码".repeat(14); // 196 characters, about 600 bytes
    let skus: Vec<Value> = (0..FAT_SKUS)
        .map(|i| {
            let mut v = new_sku(&format!("FAT-{i:03}"), 1_000_000, 1990);
            v["name"] = json!(format!("{i:03}{long}"));
            v
        })
        .collect();
    s.create_skus(&Value::Array(skus)).await;
    let lineup: Vec<String> = (0..FAT_LINEUP).map(|i| format!("FAT-{i:03}")).collect();
    create_show(&s, &lineup.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let rss_before = rss_kib(s.pid());

    let mut stuck = open_tiny_buffered(&s).await;
    let mut normal = Screen::open(&s, "board", VIEWER).await;
    let first = normal.next(FRAME_TIMEOUT_MS).await;
    assert_eq!(kind(&first), "snapshot");
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn(async move {
        let mut frames = Vec::new();
        loop {
            let deadline = Instant::now() + Duration::from_millis(FRAME_TIMEOUT_MS);
            tokio::select! {
                _ = &mut stop_rx => return frames,
                frame = normal.read(deadline) => {
                    let f = frame.unwrap_or_else(|e| panic!("the normal screen ended: {e}"));
                    frames.push(Arrival {
                        at: Instant::now(),
                        kind: kind(&f).to_owned(),
                        late_ms: f["server_ms"].as_i64().map(|stamped| now_ms() - stamped),
                        seq: f["seq"].as_u64(),
                    });
                }
            }
        }
    });

    // Orders round the catalog, batch after batch: each diff carries a hundred fat views and the
    // show with its 200-product lineup, and the writer's second tick refreshes all 300.
    let load_started = Instant::now();
    let mut answers = Vec::new(); // (answered at, highest seq of the batch)
    while load_started.elapsed() < Duration::from_millis(LOAD_MS) {
        let batch = answers.len();
        let events: Vec<Value> = (0..BATCH_EVENTS)
            .map(|i| {
                let sku = format!("FAT-{:03}", (batch * BATCH_EVENTS + i) % FAT_SKUS);
                event("douyin", &format!("L-{batch}-{i}"), "paid", &[(&sku, 1)])
            })
            .collect();
        let seq = accept_all(&s, &events).await;
        answers.push((Instant::now(), seq));
    }
    let load = load_started.elapsed();
    let rss_after = rss_kib(s.pid());
    // Give the last batch its diff before stopping the reader.
    tokio::time::sleep(Duration::from_millis(DIFF_DUE_MS)).await;
    stop_tx.send(()).unwrap();
    let frames = reader.await.expect("the normal screen's reader");
    let count = |k: &str| frames.iter().filter(|f| f.kind == k).count();
    let stated: Vec<&Arrival> = frames.iter().filter(|f| f.seq.is_some()).collect();

    // Every batch reached the normal screen (as a diff, or as a snapshot if the screen itself fell
    // behind) soon after it was answered, each frame stamped by the server moments before it
    // arrived: the stuck screen held nobody up.
    let mut slowest = Duration::ZERO;
    for (answered, seq) in &answers {
        let arrival = stated
            .iter()
            .find(|f| f.seq >= Some(*seq))
            .unwrap_or_else(|| panic!("no frame of seq {seq} reached the normal screen"));
        slowest = slowest.max(arrival.at.saturating_duration_since(*answered));
    }
    let late_ms = stated.iter().filter_map(|f| f.late_ms).max().unwrap_or(0);
    let gap = stated
        .windows(2)
        .map(|w| w[1].at - w[0].at)
        .max()
        .unwrap_or_default();
    let normal = format!(
        "normal screen: {} diffs, {} snapshots, {} alerts for {} batches in {load:?}; slowest \
         batch {slowest:?}, largest gap {gap:?}, latest {late_ms} ms",
        count("diff"),
        count("snapshot"),
        count("alert"),
        answers.len()
    );
    assert!(
        slowest <= Duration::from_millis(DIFF_DUE_MS),
        "a batch was slow to reach the normal screen; {normal}"
    );
    assert!(
        late_ms <= DIFF_DUE_MS as i64,
        "a frame arrived long after the server stamped it; {normal}"
    );
    assert!(
        gap <= Duration::from_millis(DIFF_DUE_MS),
        "the normal screen waited long between frames while orders flowed; {normal}"
    );

    // The stuck screen now reads: a bounded remainder, then a close, or a snapshot in place of
    // its backlog (its first snapshot is the one sent on connecting; a second is a resync).
    let (mut stuck_diffs, mut snapshots) = (0, 0);
    let deadline = Instant::now() + Duration::from_millis(FRAME_TIMEOUT_MS);
    let ending = loop {
        match stuck.read(deadline).await {
            Ok(f) if kind(&f) == "diff" => stuck_diffs += 1,
            Ok(f) if kind(&f) == "snapshot" => {
                snapshots += 1;
                if snapshots == 2 {
                    break "resynced".to_owned();
                }
            }
            Ok(_) => {}
            Err(End::Quiet) => panic!(
                "the stuck screen was neither closed nor resynced: {stuck_diffs} diffs, \
                 {snapshots} snapshots, then nothing for {FRAME_TIMEOUT_MS} ms"
            ),
            Err(end) => break end.to_string(),
        }
    };
    eprintln!(
        "stuck screen: {stuck_diffs} diffs, {snapshots} snapshots, then {ending}; {normal}; \
         server RSS {rss_before} → {rss_after} KiB"
    );
    assert!(
        stuck_diffs < count("diff") && stuck_diffs <= QUEUE_FRAMES + IN_FLIGHT_DIFFS,
        "the stuck screen got {stuck_diffs} diffs of its backlog ({snapshots} snapshots, \
         {ending}); {normal}"
    );

    // And the server still serves new screens at once.
    let mut fresh = Screen::open(&s, "board", VIEWER).await;
    let snap = fresh.next(FRAME_TIMEOUT_MS).await;
    assert_eq!(codes(&snap).len(), FAT_SKUS);
}
