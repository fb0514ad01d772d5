//! What a snapshot costs the writer: cloning a pool of 1,000,000 orders (the writer's pause; the
//! sorting and serialising happen on the snapshot thread from that clone), what the snapshot
//! thread then spends, and the hot-path cost of applying one paid one-unit order.
//!
//! Run with `cargo bench --bench snapshot`; the pool is built once per case (a few seconds).

use divan::Bencher;
use livestock::domain::order::{Channel, Kind, Line, OrderEvent};
use livestock::domain::stock::NewSku;
use livestock::domain::types::{Category, Cents, Ident, Name, Qty, SkuCode, Units};
use livestock::domain::{Command, Ctx, Pool, PoolConfig};

/// Orders in the pool for the clone and snapshot cases.
const ORDERS_LARGE: usize = 1_000_000;
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
        },
    }
}

/// A pool of `orders` paid orders over [`SKUS`] SKUs, and the next order number.
fn pool_with(orders: usize) -> (Pool, usize) {
    let mut pool = Pool::new(PoolConfig::default());
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
    apply(&mut pool, &Command::CreateSkus { skus }, 0);
    for i in 0..orders {
        apply(&mut pool, &paid(i), i);
    }
    (pool, orders)
}

fn apply(pool: &mut Pool, cmd: &Command, i: usize) {
    let ctx = Ctx {
        seq: pool.seq() + 1,
        now_ms: T0_MS + i as i64,
    };
    pool.apply(cmd, ctx).expect("the command applies");
}

/// The writer's part of a snapshot: one clone of the pool.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn clone_pool_of_1m_orders(bencher: Bencher) {
    let (pool, _) = pool_with(ORDERS_LARGE);
    bencher.bench_local(|| pool.clone());
}

/// The snapshot thread's part: the canonical, sorted snapshot from a clone.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn snapshot_of_1m_orders(bencher: Bencher) {
    let (pool, _) = pool_with(ORDERS_LARGE);
    bencher.bench_local(|| pool.snapshot());
}

/// The hot path: one paid one-unit order applied to a pool that already holds `orders` orders.
#[divan::bench(args = [10_000, 1_000_000], sample_count = 200, sample_size = 100)]
fn apply_paid_one_unit_order(bencher: Bencher, orders: usize) {
    let (mut pool, first) = pool_with(orders);
    let next = std::cell::Cell::new(first);
    bencher
        .with_inputs(|| {
            next.set(next.get() + 1);
            paid(next.get())
        })
        .bench_local_refs(|cmd| apply(&mut pool, cmd, next.get()));
}
