//! What the post-show review costs for a show of 200,000 orders (issue 11: under 1 s): the pure
//! computation (sums per SKU and channel, the unpaid orders, every anomaly), and the handler's
//! pass over the published map that takes the window's orders (shared pointers) before it.
//!
//! Run with `cargo bench --bench review`; the pool of 200,000 orders is built once per case
//! (a few seconds).

use divan::Bencher;
use livestock::domain::checks::anomalies::{self, ReviewConfig};
use livestock::domain::checks::review::{self, ReviewInput, in_window};
use livestock::domain::order::{Address, Channel, Kind, Line, Order, OrderEvent, OrderKey};
use livestock::domain::show::{LineupItem, NewShow};
use livestock::domain::stock::{NewSku, StockView};
use livestock::domain::types::{
    Category, Cents, Ident, Name, Note, Qty, RoomId, SkuCode, Text, Units,
};
use livestock::domain::{Command, Ctx, Pool, PoolConfig};
use std::sync::Arc;

/// Orders in the show when benchmarking.
const ORDERS_LARGE: usize = 200_000;
/// Orders under `cargo test --all-targets`, which runs each case once to prove it works.
const ORDERS_IN_TEST: usize = 2_000;
/// SKUs the orders spread over; the first half are on the lineup.
const SKUS: usize = 100;
const CHANNELS: [&str; 5] = ["douyin", "kuaishou", "taobao", "jd", "pdd"];
/// A moment during a show.
const T0_MS: i64 = 1_795_521_662_123;

fn main() {
    divan::main();
}

fn scaled(orders: usize) -> usize {
    if std::env::args().any(|a| a == "--bench") {
        orders
    } else {
        orders.min(ORDERS_IN_TEST)
    }
}

fn sku_code(i: usize) -> SkuCode {
    SkuCode::parse(&format!("SKU-{i}")).expect("a valid code")
}

fn apply(pool: &mut Pool, cmd: &Command, now_ms: i64) {
    let ctx = Ctx {
        seq: pool.seq() + 1,
        now_ms,
    };
    pool.apply(cmd, ctx).expect("the command applies");
}

/// Order `i`'s event of `kind`: one to three lines, a buyer with about five orders, and an
/// address shared by a few buyers now and then, sometimes malformed.
fn event(i: usize, kind: Kind) -> Command {
    let lines = (0..1 + i % 3)
        .map(|l| Line {
            sku: sku_code((i * 7 + l * 13) % SKUS),
            qty: Qty::new(1 + i.is_multiple_of(13) as i64 * 11).expect("a quantity"),
            unit_price_cents: None,
        })
        .collect();
    let detail = if i.is_multiple_of(97) {
        "?".to_owned()
    } else {
        format!("文三路 {} 号", i % 60_000)
    };
    let address = Address {
        region: Some(Note::new("浙江省杭州市").expect("a region")),
        detail: Some(Note::new(&detail).expect("a detail")),
        phone_hash: Some(Text::new(&format!("ph-{}", i % 70_000)).expect("a phone")),
    };
    Command::Order {
        event: OrderEvent {
            channel: Channel::new(CHANNELS[i % CHANNELS.len()]).expect("a channel"),
            order_id: Ident::new(&format!("order-{i}")).expect("an id"),
            kind,
            buyer: Some(Ident::new(&format!("buyer-{}", i % 40_000)).expect("a buyer")),
            address: Some(address),
            lines,
            presale: false,
            at: None,
            room: None,
        },
    }
}

/// A live show of `orders` orders: 70% paid, 10% still held, 10% refunded soon after payment,
/// 10% cancelled.
fn show_with(orders: usize) -> (Pool, i64) {
    let mut pool = Pool::new(PoolConfig::default());
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
    apply(&mut pool, &Command::CreateSkus { skus }, T0_MS);
    let lineup = (0..SKUS / 2)
        .map(|i| LineupItem {
            sku: sku_code(i),
            planned_start: None,
            planned_rate_per_min: None,
        })
        .collect();
    let show = NewShow {
        title: Name::new("bench").expect("a title"),
        planned_end: None,
        lineup,
    };
    apply(
        &mut pool,
        &Command::CreateShow {
            show,
            room: RoomId::main(),
        },
        T0_MS,
    );
    apply(
        &mut pool,
        &Command::StartShow {
            room: RoomId::main(),
        },
        T0_MS,
    );
    for i in 0..orders {
        let now = T0_MS + 1 + i as i64;
        match i % 10 {
            7 => apply(&mut pool, &event(i, Kind::Created), now),
            8 => {
                apply(&mut pool, &event(i, Kind::Paid), now);
                apply(&mut pool, &event(i, Kind::Refunded), now + 60_000);
            }
            9 => {
                apply(&mut pool, &event(i, Kind::Created), now);
                apply(&mut pool, &event(i, Kind::Cancelled), now);
            }
            _ => apply(&mut pool, &event(i, Kind::Paid), now),
        }
    }
    (pool, T0_MS + orders as i64 + 120_000)
}

/// The pure review over the window's orders, the show and the stock views.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn review_of_200k_orders(bencher: Bencher) {
    let (pool, now_ms) = show_with(scaled(ORDERS_LARGE));
    let show = pool.show().expect("a show");
    let orders: Vec<&Order> = pool.orders().collect();
    let views: Vec<StockView> = pool.skus().map(|s| s.view(now_ms)).collect();
    let config = ReviewConfig::default();
    bencher.bench_local(|| {
        let input = ReviewInput {
            show,
            views: &views,
            orders: &orders,
            now_ms,
        };
        review::review(&input, &config)
    });
}

/// The handler's pass over the published orders (a `DashMap` of shared orders, as the engine
/// publishes them) that takes the window's.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn take_the_windows_200k_orders(bencher: Bencher) {
    let (pool, now_ms) = show_with(scaled(ORDERS_LARGE));
    let window = review::window(pool.show().expect("a show"), now_ms).expect("live");
    let published: dashmap::DashMap<OrderKey, Arc<Order>> = pool
        .orders()
        .map(|o| (o.key.clone(), Arc::new(o.clone())))
        .collect();
    bencher.bench_local(|| {
        published
            .iter()
            .filter(|o| in_window(o.value(), window))
            .map(|o| o.value().clone())
            .collect::<Vec<Arc<Order>>>()
    });
}

/// The anomalies alone (the review's larger part: grouping by buyer, address and phone).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn anomalies_of_200k_orders(bencher: Bencher) {
    let (pool, _) = show_with(scaled(ORDERS_LARGE));
    let orders: Vec<&Order> = pool.orders().collect();
    let config = ReviewConfig::default();
    bencher.bench_local(|| anomalies::anomalies(&orders, &config));
}
