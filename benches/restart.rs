//! Restart and memory with millions of journaled orders (issue 15 items 6 and 7), in two steps run
//! as separate processes so the second's memory is only what a restart builds:
//!
//! - `build DIR N`: a data dir of N paid one-unit orders (100 SKUs, a buyer each, as `livestock load` posts them), journaled as the
//!   writer journals them (group commits of 1,000, a snapshot begun every 500,000 records on its own
//!   thread while orders go on), then stopped as the writer stops (a running snapshot called off,
//!   no final one). Prints the data dir's bytes.
//! - `open DIR`: opens it as a restart does and prints the time, the records replayed and the RSS
//!   growth per held order.
//!
//! `benches/restart.sh N` runs both, then starts the real server on the dir and times its restart
//! and its clean stop. Without `--bench` (under `cargo test --all-targets`) it checks itself on
//! 3,000 orders.

use livestock::domain::order::{Channel, Kind, Line, OrderEvent};
use livestock::domain::stock::NewSku;
use livestock::domain::types::{Category, Cents, Ident, Name, Qty, SkuCode, Units};
use livestock::domain::{Command, Ctx, PoolConfig};
use livestock::journal::{Journal, SNAPSHOT_EVERY_RECORDS_DEFAULT, SnapshotJob};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// SKUs the orders spread over.
const SKUS: usize = 100;
/// A moment during a show.
const T0_MS: i64 = 1_795_521_662_123;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["build", dir, n] => build(Path::new(dir), n.parse().expect("a number of orders"), true),
        ["open", dir] => open(Path::new(dir)),
        _ => {
            // A check that both steps still work, small enough for the test suite.
            let dir = tempfile::tempdir().expect("a temp dir");
            build(dir.path(), 3_000, false);
            open(dir.path());
        }
    }
}

fn sku_code(i: usize) -> SkuCode {
    SkuCode::parse(&format!("SKU-{i}")).expect("a valid code")
}

/// A paid one-unit order, as a channel posts it.
fn paid(i: usize) -> Command {
    Command::Order {
        event: OrderEvent {
            channel: Channel::new("douyin").expect("a channel"),
            order_id: Ident::new(&format!("DY{:012}", 3_000_000_000u64 + i as u64)).expect("an id"),
            kind: Kind::Paid,
            buyer: Some(Ident::new(&format!("b{i}")).expect("a buyer")),
            address: None,
            lines: vec![Line {
                sku: sku_code(i % SKUS),
                qty: Qty::new(1).expect("a quantity"),
                unit_price_cents: None,
            }],
            presale: false,
            at: None,
            room: None,
        },
    }
}

fn catalog() -> Command {
    let skus = (0..SKUS)
        .map(|i| NewSku {
            sku: sku_code(i),
            name: Name::new(&format!("product {i}")).expect("a name"),
            category: Category::new("apparel").expect("a category"),
            price_cents: Cents::new(9_900).expect("a price"),
            on_hand: Units::new(1_000_000_000).expect("units"),
            buffer: Units::default(),
            damaged: Units::default(),
            per_buyer_limit: None,
            presale_cap: Units::default(),
        })
        .collect();
    Command::CreateSkus { skus }
}

/// Journals `orders` paid orders into `dir` as the writer would, snapshots included.
fn build(dir: &Path, orders: usize, every_default: bool) {
    let every = if every_default {
        SNAPSHOT_EVERY_RECORDS_DEFAULT
    } else {
        1_000
    };
    let started = Instant::now();
    let recovered = Journal::open(dir, PoolConfig::default(), every).expect("a new journal");
    let (mut journal, mut pool) = (recovered.journal, recovered.pool);
    let mut running: Option<(std::thread::JoinHandle<Result<u64, String>>, _)> = None;
    let mut snapshots = 0;
    for i in 0..=orders {
        let cmd = if i == 0 { catalog() } else { paid(i) };
        let ctx = Ctx {
            seq: pool.seq() + 1,
            now_ms: T0_MS + i as i64,
        };
        pool.apply(&cmd, ctx).expect("the command applies");
        journal.append(&cmd, ctx);
        if i % 1_000 == 999 || i == orders {
            journal.commit().expect("a commit");
            if running.as_ref().is_some_and(|(t, _)| t.is_finished()) {
                let (t, _) = running.take().expect("checked");
                t.join()
                    .expect("no panic")
                    .expect("the snapshot is written");
                snapshots += 1;
            }
            if running.is_none() && journal.snapshot_due() {
                let job = journal.begin_snapshot(&pool).expect("a snapshot begins");
                let cancel = job.canceller();
                running = Some((std::thread::spawn(move || SnapshotJob::write(job)), cancel));
            }
        }
    }
    let stop = Instant::now();
    if let Some((t, cancel)) = running.take() {
        cancel.store(true, Ordering::Relaxed);
        let _ = t.join().expect("no panic");
    }
    journal.commit().expect("a commit");
    let stop_s = stop.elapsed().as_secs_f64();
    let (mut snapshot_bytes, mut journal_bytes) = (0, 0);
    for entry in std::fs::read_dir(dir).expect("the data dir") {
        let entry = entry.expect("an entry");
        let name = entry.file_name().into_string().expect("a name");
        let len = entry.metadata().expect("its size").len();
        if name.starts_with("snapshot-") {
            snapshot_bytes += len;
        } else if name.starts_with("journal-") {
            journal_bytes += len;
        }
    }
    println!(
        "built {orders} orders (seq {}) in {:.1} s, {snapshots} snapshots; snapshot {snapshot_bytes} B (its seq in its name), journal segments {journal_bytes} B; stop {stop_s:.3} s",
        pool.seq(),
        started.elapsed().as_secs_f64(),
    );
}

/// Opens `dir` as a restart does; prints the time, what was replayed and the RSS per order.
fn open(dir: &Path) {
    let rss_before = rss_bytes();
    let started = Instant::now();
    let recovered = Journal::open(dir, PoolConfig::default(), SNAPSHOT_EVERY_RECORDS_DEFAULT)
        .expect("the data dir opens");
    let open_s = started.elapsed().as_secs_f64();
    let rss_after = rss_bytes();
    let orders = recovered.pool.orders_len().max(1);
    println!(
        "opened seq {} in {open_s:.2} s ({} records replayed after the snapshot); {} orders held, RSS +{} MiB = {:.0} B/order",
        recovered.pool.seq(),
        recovered.replayed,
        orders,
        (rss_after - rss_before) >> 20,
        (rss_after - rss_before) as f64 / orders as f64,
    );
    println!(
        "in memory: an order {} B (a line {} B, its key {} B with ids of up to 24 bytes inline), boxed behind an Arc of 16 B, one pointer in the pool's table",
        std::mem::size_of::<livestock::domain::order::Order>(),
        std::mem::size_of::<Line>(),
        std::mem::size_of::<livestock::domain::order::OrderKey>(),
    );
    std::hint::black_box(&recovered.pool);
}

/// This process's resident memory.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb << 10)
        .expect("VmRSS")
}
