//! The load generator (`livestock load`): paid one-unit orders for one hot SKU from many keep-alive
//! connections, for the README's benchmark. It starts its own server on a fresh data dir unless given
//! `--url`, so one command reproduces the figures.

use super::child::{ServerChild, ServerOptions};
use super::client::{Client, ORDERS_BATCH_MAX, Retry};
use crate::domain::role::Role;
use clap::Args;
use reqwest::Method;
use std::time::{Duration, Instant};

/// The token the load generator gives a server it starts itself.
const SPAWNED_TOKEN: &str = "load-generator-admin-token";

#[derive(Args, Debug, Clone)]
pub struct LoadArgs {
    /// A running server to load; without it, a server is started on a temporary data dir.
    #[arg(long)]
    pub url: Option<String>,
    /// A token that may create SKUs and post orders (admin) for `--url`.
    #[arg(long, env = "LIVESTOCK_TOKEN_ADMIN")]
    pub token: Option<String>,
    /// Keep-alive connections posting at once.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// How long to post, in seconds.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Events per request (1 = one order per POST; up to 1000 as an array).
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    /// Keep-alive connections reading `GET /api/v1/alerts` as fast as they can meanwhile (a
    /// viewer hammering the list): ingestion must not slow down for them.
    #[arg(long, default_value_t = 0)]
    pub readers: usize,
}

/// Runs the load and prints what it measured.
pub async fn run(args: LoadArgs) -> Result<(), String> {
    if args.connections == 0 || !(1..=ORDERS_BATCH_MAX).contains(&args.batch) {
        return Err("--connections must be at least 1 and --batch between 1 and 1000".to_owned());
    }
    let (_server, url, token) = match &args.url {
        Some(url) => {
            let token = args.token.clone().ok_or("--url needs --token")?;
            (None, url.trim_end_matches('/').to_owned(), token)
        }
        None => {
            let tokens = vec![(Role::Admin, SPAWNED_TOKEN.to_owned())];
            let server = ServerChild::spawn(&ServerOptions::tool("livestock-load", tokens))?;
            let url = server.url.clone();
            (Some(server), url, SPAWNED_TOKEN.to_owned())
        }
    };
    let mut run_id = [0u8; 4];
    getrandom::fill(&mut run_id).map_err(|e| format!("randomness: {e}"))?;
    let run_id: String = run_id.iter().map(|b| format!("{b:02x}")).collect();
    let sku = format!("LOAD-HOT-{run_id}");
    let client = Client::new(&url, Retry::NEVER)?;
    let hot = serde_json::json!({"sku": sku, "name": "压测爆款", "category": "load",
        "price_cents": 100, "on_hand": 1_000_000_000});
    client
        .create_skus(&token, &hot)
        .await
        .map_err(|e| format!("creating the hot SKU: {e}"))?;

    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.connections);
    for conn in 0..args.connections {
        let (url, token, sku, run_id) = (url.clone(), token.clone(), sku.clone(), run_id.clone());
        let batch = args.batch;
        tasks.push(tokio::spawn(async move {
            // One client per task: each task is one keep-alive connection.
            let client = Client::one_connection(&url).expect("a plain HTTP client builds");
            let mut latencies_us = Vec::new();
            let (mut accepted, mut failed, mut n) = (0u64, 0u64, 0u64);
            while Instant::now() < deadline {
                let events: Vec<serde_json::Value> = (0..batch)
                    .map(|_| {
                        n += 1;
                        serde_json::json!({"channel": "load", "order_id": format!("{run_id}-{conn}-{n}"),
                            "kind": "paid", "buyer": format!("b{conn}-{n}"),
                            "lines": [{"sku": sku, "qty": 1, "unit_price_cents": 100}]})
                    })
                    .collect();
                let body = if batch == 1 {
                    events[0].to_string()
                } else {
                    serde_json::Value::Array(events).to_string()
                };
                let t0 = Instant::now();
                let sent = client
                    .send_raw(Method::POST, "/api/v1/orders", Some(&token), Some(body.into_bytes()))
                    .await;
                let ok = match sent {
                    Ok((status, b)) if status.is_success() => count(&b, b"\"accepted\""),
                    _ => 0,
                };
                latencies_us.push(t0.elapsed().as_micros() as u64);
                accepted += ok;
                failed += batch as u64 - ok;
            }
            (accepted, failed, latencies_us)
        }));
    }
    let readers: Vec<_> = (0..args.readers)
        .map(|_| {
            let (url, token) = (url.clone(), token.clone());
            tokio::spawn(async move {
                let client = Client::one_connection(&url).expect("a plain HTTP client builds");
                let (mut reads, mut failed) = (0u64, 0u64);
                while Instant::now() < deadline {
                    match client
                        .send_raw(Method::GET, "/api/v1/alerts", Some(&token), None)
                        .await
                    {
                        Ok((status, _)) if status.is_success() => reads += 1,
                        _ => failed += 1,
                    }
                }
                (reads, failed)
            })
        })
        .collect();
    let (mut accepted, mut failed, mut latencies) = (0u64, 0u64, Vec::new());
    for t in tasks {
        let (a, f, l) = t.await.map_err(|e| format!("a load task failed: {e}"))?;
        accepted += a;
        failed += f;
        latencies.extend(l);
    }
    let (mut reads, mut reads_failed) = (0u64, 0u64);
    for t in readers {
        let (r, f) = t.await.map_err(|e| format!("a reader task failed: {e}"))?;
        reads += r;
        reads_failed += f;
    }
    let secs = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i] as f64 / 1000.0
    };
    let view = client
        .sku(&token, &sku)
        .await
        .map_err(|e| format!("reading the hot SKU: {e}"))?;
    println!(
        "connections={} batch={} seconds={:.1} requests={} accepted_events={} failed_events={} \
         events_per_sec={:.0} request_p50_ms={:.2} request_p99_ms={:.2} committed_on_server={} \
         readers={} reads_per_sec={:.0} failed_reads={}",
        args.connections,
        args.batch,
        secs,
        latencies.len(),
        accepted,
        failed,
        accepted as f64 / secs,
        pct(0.50),
        pct(0.99),
        view["committed"],
        args.readers,
        reads as f64 / secs,
        reads_failed
    );
    if view["committed"].as_u64() != Some(accepted) {
        return Err(format!(
            "the server holds {} committed units but {accepted} events were acknowledged",
            view["committed"]
        ));
    }
    Ok(())
}

fn count(haystack: &[u8], needle: &[u8]) -> u64 {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count() as u64
}
