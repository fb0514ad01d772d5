//! The screens' load (`livestock load-screens`): many WebSocket screens connected while paid orders
//! arrive open-loop at a fixed rate. It measures the server's memory per idle screen and the delay
//! from an order's acknowledgement to the first diff that includes it, on a sample of the screens
//! (the others drain their sockets unparsed, to keep the generator's CPU off the server's cores).
//!
//! With `--target`, it drives a running server instead of starting one, and with `--watch` the
//! screens watch another node of the same shop: orders acknowledged by a cluster's leader, diffs
//! seen on a follower. It cannot read a server's memory it did not start, so it measures only the
//! delay then.

use super::child::{ServerChild, ServerOptions};
use super::client::{Client, ORDERS_BATCH_MAX, Retry};
use crate::domain::role::Role;
use clap::Args;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;

/// The token the command gives the server it starts.
const TOKEN: &str = "screens-load-admin-token";
/// Screens connecting at once while the crowd gathers.
const CONNECTS_IN_FLIGHT_MAX: usize = 64;
/// Tasks posting orders; each posts an array every [`POST_EVERY_MS`].
const POSTERS: u64 = 10;
const POST_EVERY_MS: u64 = 10;
/// How often a screen that drains its socket unparsed sends an unsolicited pong (the server pings
/// every 15 s and closes a screen that has not answered by the next ping).
const HEARTBEAT_MS: u64 = 5_000;
/// An empty pong as a client sends it: FIN + opcode 0xA, masked, length 0, mask key 0.
const PONG_FRAME: [u8; 6] = [0x8A, 0x80, 0, 0, 0, 0];

#[derive(Args, Debug, Clone)]
pub struct ScreensArgs {
    /// WebSocket screens (board view) connected at once.
    #[arg(long, default_value_t = 1000)]
    pub screens: usize,
    /// Paid one-unit orders per second while the screens watch.
    #[arg(long, default_value_t = 10_000)]
    pub rate: u64,
    /// How long the orders arrive, in seconds.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// The server's coalescing tick (API.md default 100 ms).
    #[arg(long, default_value_t = 100)]
    pub tick_ms: u64,
    /// Screens whose diffs are timed (all of them read every frame).
    #[arg(long, default_value_t = 50)]
    pub sampled: usize,
    /// Post the orders to this running server (a cluster's leader) instead of starting one; it
    /// must hold no show yet.
    #[arg(long)]
    pub target: Option<String>,
    /// Connect the screens to this node of the `--target`'s shop (a follower); default the target.
    #[arg(long, requires = "target")]
    pub watch: Option<String>,
    /// The admin token of the `--target` (and `--watch`) server.
    #[arg(long, env = "LIVESTOCK_TOKEN_ADMIN")]
    pub token: Option<String>,
}

/// The server under load: one this command started (its memory can be read), or a running one.
enum Server {
    Started(super::child::ServerChild),
    Running,
}

impl Server {
    /// The server's resident memory in KiB, when it is this command's child.
    fn rss_kib(&self) -> Result<Option<u64>, String> {
        match self {
            Server::Started(child) => rss_kib(child.pid()).map(Some),
            Server::Running => Ok(None),
        }
    }
}

/// A memory reading as printed: KiB, or `-` when it cannot be read.
fn kib(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// When each frame reached one sampled screen: `(seq, arrival)`, in arrival order.
type Arrivals = Arc<Mutex<Vec<(u64, Instant)>>>;

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading /proc: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc status".to_owned())
}

/// The `seq` of a frame, read without parsing the whole of it.
fn frame_seq(text: &str) -> Option<u64> {
    let rest = &text[text.find("\"seq\":")? + 6..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub async fn run(args: ScreensArgs) -> Result<(), String> {
    if args.screens == 0
        || args.rate < POSTERS * 1000 / POST_EVERY_MS / 10
        || args.sampled > args.screens
    {
        return Err("need --screens ≥ 1, --rate ≥ 100 and --sampled ≤ --screens".to_owned());
    }
    let (server, client, watch, token) = match &args.target {
        None => {
            let mut options =
                ServerOptions::tool("livestock-screens", vec![(Role::Admin, TOKEN.to_owned())]);
            // Every screen is the tool's one token: the caps are raised to the screens asked for
            // (the server's defaults allow 10,000 in all and 2,000 per token).
            let cap = args.screens.max(10_000);
            options.config_toml = Some(format!(
                "feed_tick_ms = {}\n[websocket]\nconnections_max = {cap}\nconnections_per_token_max = {cap}\n",
                args.tick_ms
            ));
            let server = ServerChild::spawn(&options)?;
            let client = Client::new(&server.url, Retry::NEVER)?;
            (
                Server::Started(server),
                client.clone(),
                client,
                TOKEN.to_owned(),
            )
        }
        Some(target) => {
            let token = args
                .token
                .clone()
                .ok_or("--target needs its admin token: --token or LIVESTOCK_TOKEN_ADMIN")?;
            let client = Client::new(target.trim_end_matches('/'), Retry::NEVER)?;
            let watch = match &args.watch {
                Some(url) => Client::new(url.trim_end_matches('/'), Retry::NEVER)?,
                None => client.clone(),
            };
            (Server::Running, client, watch, token)
        }
    };
    let token = token.as_str();
    let hot = serde_json::json!({"sku": "SCREENS-HOT", "name": "加绒卫衣 黑 L", "category": "apparel",
        "price_cents": 19_900, "on_hand": 1_000_000_000});
    client
        .create_skus(token, &hot)
        .await
        .map_err(|e| format!("creating the SKU: {e}"))?;
    // A board as on a show night: twenty products, a lineup, a live show, a few seconds of series.
    let catalog: Vec<serde_json::Value> = (1..20)
        .map(|i| serde_json::json!({"sku": format!("SCREENS-{i:02}"), "name": format!("直播商品 {i:02} 款 均码"),
            "category": "apparel", "price_cents": 9_900, "on_hand": 5_000}))
        .collect();
    let lineup: Vec<serde_json::Value> = std::iter::once("SCREENS-HOT".to_owned())
        .chain((1..8).map(|i| format!("SCREENS-{i:02}")))
        .map(|sku| serde_json::json!({"sku": sku, "planned_rate_per_min": 1_000_000}))
        .collect();
    for (path, body) in [
        ("/api/v1/skus", serde_json::json!(catalog)),
        (
            "/api/v1/show",
            serde_json::json!({"title": "压测专场", "lineup": lineup}),
        ),
        ("/api/v1/show/start", serde_json::json!({})),
        (
            "/api/v1/show/viewers",
            serde_json::json!({"online": 100_000}),
        ),
    ] {
        client.post(path, token, &body).await?;
    }
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let rss_before = server.rss_kib()?;

    // The screens: every one reads all it is sent; the sampled ones parse it and note when each
    // diff arrived.
    let query = format!("view=board&token={token}");
    let arrivals: Vec<Arrivals> = (0..args.sampled)
        .map(|_| Arc::new(Mutex::new(Vec::new())))
        .collect();
    let gate = Arc::new(tokio::sync::Semaphore::new(CONNECTS_IN_FLIGHT_MAX));
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<Result<(), String>>(args.screens);
    // A watch, not a Notify: `notify_waiters` wakes only the tasks waiting at that instant, and a
    // screen busy reading between two `select!`s would miss it and never end (the run hung).
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut screens = Vec::with_capacity(args.screens);
    for i in 0..args.screens {
        let (client, query, gate, ready, mut stop) = (
            watch.clone(),
            query.clone(),
            gate.clone(),
            ready_tx.clone(),
            stop.clone(),
        );
        let log = arrivals.get(i).cloned();
        screens.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await.expect("the gate stays open");
            let mut ws = match client.ws(&query).await {
                Ok(ws) => ws,
                Err(e) => {
                    let _ = ready.send(Err(format!("screen {i}: {e}"))).await;
                    return (0u64, 0u64);
                }
            };
            use futures_util::StreamExt;
            let first = ws.next().await;
            drop(permit);
            let _ = ready
                .send(match first {
                    Some(Ok(Message::Text(_))) => Ok(()),
                    other => Err(format!("screen {i}: no snapshot: {other:?}")),
                })
                .await;
            let (mut frames, mut bytes) = (0u64, 0u64);
            if log.is_none() {
                // Not sampled: drain the socket's bytes without parsing them. The server does the
                // same work for this screen; the load generator, on the same cores, does far less
                // (parsing a thousand screens' frames would cost as much CPU as serving them).
                // It cannot see the server's pings, so it sends an unsolicited pong now and then
                // (RFC 6455 5.5.3: a heartbeat), as the server's ping check wants.
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = vec![0u8; 64 << 10];
                let mut heartbeat = tokio::time::interval(Duration::from_millis(HEARTBEAT_MS));
                loop {
                    tokio::select! {
                        n = ws.get_mut().read(&mut buf) => match n {
                            Ok(0) | Err(_) => return (frames, bytes),
                            Ok(n) => bytes += n as u64,
                        },
                        _ = heartbeat.tick() => {
                            if ws.get_mut().write_all(&PONG_FRAME).await.is_err() {
                                return (frames, bytes);
                            }
                        }
                        _ = stop.changed() => return (frames, bytes),
                    }
                }
            }
            loop {
                tokio::select! {
                    msg = ws.next() => match msg {
                        Some(Ok(Message::Text(text))) => {
                            frames += 1;
                            bytes += text.len() as u64;
                            if let (Some(log), Some(seq)) = (&log, frame_seq(&text)) {
                                log.lock().await.push((seq, Instant::now()));
                            }
                        }
                        Some(Ok(_)) => {}
                        _ => return (frames, bytes),
                    },
                    _ = stop.changed() => return (frames, bytes),
                }
            }
        }));
    }
    drop(ready_tx);
    for _ in 0..args.screens {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(e),
            None => return Err("a screen ended before its snapshot".to_owned()),
        }
    }
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let rss_idle = server.rss_kib()?;

    // The orders: POSTERS tasks, each posting every POST_EVERY_MS the events due by then at its share
    // of the rate (open loop: a slow answer makes the next array longer, not the rate lower), noting
    // (seq, ack time, events) of each answer.
    let per_poster_per_sec = args.rate as f64 / POSTERS as f64;
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut posters = Vec::new();
    for p in 0..POSTERS {
        let client = client.clone();
        let token = token.to_owned();
        posters.push(tokio::spawn(async move {
            let mut acks = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_millis(POST_EVERY_MS));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut n = 0u64;
            while Instant::now() < deadline {
                tick.tick().await;
                let due = (started.elapsed().as_secs_f64() * per_poster_per_sec) as u64;
                let count = due.saturating_sub(n).min(ORDERS_BATCH_MAX as u64);
                if count == 0 {
                    continue;
                }
                let events: Vec<serde_json::Value> = (0..count)
                    .map(|_| {
                        n += 1;
                        serde_json::json!({"channel": "screens", "order_id": format!("S{p}-{n}"), "kind": "paid",
                            "lines": [{"sku": "SCREENS-HOT", "qty": 1}]})
                    })
                    .collect();
                let body = serde_json::Value::Array(events);
                let sent = client.call(reqwest::Method::POST, "/api/v1/orders", Some(&token), Some(&body)).await;
                let Ok((_, body)) = sent else { continue };
                let at = Instant::now();
                let seqs = body["results"].as_array().into_iter().flatten().filter_map(|r| r["seq"].as_u64());
                if let Some(seq) = seqs.max() {
                    acks.push((seq, at, count));
                }
            }
            acks
        }));
    }
    let mut acks = Vec::new();
    for p in posters {
        acks.extend(p.await.map_err(|e| format!("a poster failed: {e}"))?);
    }
    let posting_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500 + 2 * args.tick_ms)).await;
    let rss_busy = server.rss_kib()?;
    let _ = stop_tx.send(true);
    // Frames are counted on the sampled screens (the others do not parse theirs); bytes on all.
    let (mut frames_sampled, mut bytes_sampled, mut bytes_total) = (0, 0, 0);
    for (i, s) in screens.into_iter().enumerate() {
        let (frames, bytes) = s.await.unwrap_or((0, 0));
        bytes_total += bytes;
        if i < args.sampled {
            frames_sampled += frames;
            bytes_sampled += bytes;
        }
    }

    // Ack → diff: for each acknowledged post and each sampled screen, the first frame with seq ≥ it.
    let mut delays_ms = Vec::new();
    for log in &arrivals {
        let log = log.lock().await;
        for (seq, acked, _) in &acks {
            let i = log.partition_point(|(s, _)| s < seq);
            if let Some((_, at)) = log.get(i) {
                delays_ms.push(at.saturating_duration_since(*acked).as_secs_f64() * 1000.0);
            }
        }
    }
    delays_ms.sort_by(f64::total_cmp);
    let events: u64 = acks.iter().map(|(_, _, n)| n).sum();
    let per_screen = match (rss_before, rss_idle) {
        (Some(before), Some(idle)) => {
            format!(
                "{:.1}",
                idle.saturating_sub(before) as f64 / args.screens as f64
            )
        }
        _ => "-".to_owned(),
    };
    let tick = match server {
        Server::Started(_) => args.tick_ms.to_string(),
        Server::Running => "server's".to_owned(),
    };
    println!(
        "screens={} tick_ms={tick} orders_per_sec={:.0} rss_before_kib={} rss_idle_kib={} rss_busy_kib={} \
         idle_kib_per_screen={per_screen} frames_per_screen_per_sec={:.1} bytes_per_frame={} mib_sent_per_sec={:.1} ack_to_diff_ms_p50={:.1} p99={:.1} max={:.1} samples={}",
        args.screens,
        events as f64 / posting_secs,
        kib(rss_before),
        kib(rss_idle),
        kib(rss_busy),
        frames_sampled as f64 / args.sampled.max(1) as f64 / posting_secs,
        bytes_sampled / frames_sampled.max(1),
        bytes_total as f64 / posting_secs / f64::from(1 << 20),
        percentile(&delays_ms, 0.50),
        percentile(&delays_ms, 0.99),
        delays_ms.last().copied().unwrap_or(0.0),
        delays_ms.len(),
    );
    if let Server::Started(mut server) = server {
        server.stop()?;
    }
    Ok(())
}
