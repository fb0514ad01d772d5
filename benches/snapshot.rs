//! What a snapshot costs the writer with 1,000,000 orders in the pool: its pause (closing the
//! segment and naming the closed ones: the pool is not copied), what the snapshot thread then
//! spends rebuilding that state from the journal and writing it, and the hot-path cost of applying
//! one paid one-unit order.
//!
//! Run with `cargo bench --bench snapshot`; the journal of a million orders is built once per case
//! in a temporary directory (about half a minute).

use divan::Bencher;
use livestock::domain::order::{Channel, Kind, Line, OrderEvent};
use livestock::domain::stock::NewSku;
use livestock::domain::types::{Category, Cents, Ident, Name, Qty, SkuCode, Units};
use livestock::domain::{Command, Ctx, Pool, PoolConfig};
use livestock::journal::Journal;

/// Orders in the pool for the snapshot cases, when benchmarking.
const ORDERS_LARGE: usize = 1_000_000;
/// Orders in every case under `cargo test --all-targets`, which runs each case once to prove it
/// still works: a million would cost the suite a minute for no measurement.
const ORDERS_IN_TEST: usize = 1_000;

/// `orders`, or [`ORDERS_IN_TEST`] when this is a test run rather than a benchmark.
fn scaled(orders: usize) -> usize {
    if std::env::args().any(|a| a == "--bench") {
        orders
    } else {
        orders.min(ORDERS_IN_TEST)
    }
}
/// SKUs the orders spread over.
const SKUS: usize = 100;
/// Units on hand per SKU: enough for every order of every case.
const UNITS_PER_SKU: i64 = 1_000_000_000;
/// A moment during a show.
const T0_MS: i64 = 1_795_521_662_123;

fn main() {
    divan::main();
}

fn sku_code(i: usize) -> SkuCode {
    SkuCode::parse(&format!("SKU-{i}")).expect("a valid code")
}

/// A paid one-unit order, as a channel posts it.
fn paid(i: usize) -> Command {
    Command::Order {
        event: OrderEvent {
            channel: Channel::new("douyin").expect("a channel"),
            order_id: Ident::new(&format!("order-{i}")).expect("an id"),
            kind: Kind::Paid,
            buyer: Some(Ident::new(&format!("buyer-{}", i % 50_000)).expect("a buyer")),
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

/// A pool of `orders` paid orders over [`SKUS`] SKUs, and the next order number.
fn pool_with(orders: usize) -> (Pool, usize) {
    let mut pool = Pool::new(PoolConfig::default());
    apply(&mut pool, &catalog(), 0);
    for i in 0..orders {
        apply(&mut pool, &paid(i), i);
    }
    (pool, orders)
}

/// The SKUs every order is for.
fn catalog() -> Command {
    let skus = (0..SKUS)
        .map(|i| NewSku {
            sku: sku_code(i),
            name: Name::new(&format!("product {i}")).expect("a name"),
            category: Category::new("apparel").expect("a category"),
            price_cents: Cents::new(9_900).expect("a price"),
            on_hand: Units::new(UNITS_PER_SKU).expect("units"),
            buffer: Units::default(),
            damaged: Units::default(),
            per_buyer_limit: None,
            presale_cap: Units::default(),
        })
        .collect();
    Command::CreateSkus { skus }
}

fn apply(pool: &mut Pool, cmd: &Command, i: usize) -> Ctx {
    let ctx = Ctx {
        seq: pool.seq() + 1,
        now_ms: T0_MS + i as i64,
    };
    pool.apply(cmd, ctx).expect("the command applies");
    ctx
}

/// A journal holding `orders` paid orders (committed in batches of 1,000), its pool, and the dir.
fn journal_with(orders: usize) -> (tempfile::TempDir, Journal, Pool) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let recovered =
        Journal::open(dir.path(), PoolConfig::default(), u64::MAX).expect("a new journal");
    let (mut journal, mut pool) = (recovered.journal, recovered.pool);
    let journaled = |pool: &mut Pool, journal: &mut Journal, cmd: &Command, i: usize| {
        let ctx = apply(pool, cmd, i);
        journal.append(cmd, ctx);
    };
    journaled(&mut pool, &mut journal, &catalog(), 0);
    for i in 0..orders {
        journaled(&mut pool, &mut journal, &paid(i), i);
        if i % 1_000 == 999 {
            journal.commit().expect("a commit");
        }
    }
    journal.commit().expect("a commit");
    (dir, journal, pool)
}

/// The writer's part of a snapshot: it starts the next segment and hands over the closed ones.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn writer_pause_with_1m_orders(bencher: Bencher) {
    let (_dir, mut journal, pool) = journal_with(scaled(ORDERS_LARGE));
    bencher.bench_local(|| journal.begin_snapshot(&pool).expect("a snapshot begins"));
}

/// The snapshot thread's part: rebuild the pool of 1M orders from the journal, sort, encode and
/// write it durably, remove the covered segment.
#[divan::bench(sample_count = 1, sample_size = 1)]
fn snapshot_thread_with_1m_orders(bencher: Bencher) {
    let (_dir, mut journal, pool) = journal_with(scaled(ORDERS_LARGE));
    bencher
        .with_inputs(|| journal.begin_snapshot(&pool).expect("a snapshot begins"))
        .bench_local_values(|job| job.write().expect("the snapshot is written"));
}

/// The hot path: one paid one-unit order applied to a pool that already holds `orders` orders.
#[divan::bench(args = [10_000, 1_000_000], sample_count = 200, sample_size = 100)]
fn apply_paid_one_unit_order(bencher: Bencher, orders: usize) {
    let (mut pool, first) = pool_with(scaled(orders));
    let next = std::cell::Cell::new(first);
    bencher
        .with_inputs(|| {
            next.set(next.get() + 1);
            paid(next.get())
        })
        .bench_local_refs(|cmd| apply(&mut pool, cmd, next.get()));
}
