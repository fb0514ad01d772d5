//! The hot path's parts one by one (issue 15 item 8): a journal append with its fdatasync (one
//! record, and a group commit of 100), and the encoding of a board diff (20 stock views and the
//! show). Applying one order is in `benches/snapshot.rs`, the review in `benches/review.rs`.
//!
//! Run with `cargo bench --bench hot_path` (on the disk the journal will live on).

use divan::Bencher;
use livestock::domain::order::{Channel, Kind, Line, OrderEvent};
use livestock::domain::show::{LineupItem, NewShow};
use livestock::domain::stock::NewSku;
use livestock::domain::types::{Category, Cents, Ident, Name, Qty, RoomId, SkuCode, Units};
use livestock::domain::{Command, Ctx, Pool, PoolConfig};
use livestock::journal::Journal;
use livestock::web::ws::protocol::ServerFrame;

/// SKUs of the show whose diff is encoded: a board's table page or two.
const SKUS: usize = 20;
const T0_MS: i64 = 1_795_521_662_123;

fn main() {
    divan::main();
}

fn code(i: usize) -> SkuCode {
    SkuCode::parse(&format!("SKU-{i}")).expect("a code")
}

fn catalog() -> Command {
    let skus = (0..SKUS)
        .map(|i| NewSku {
            sku: code(i),
            name: Name::new(&format!("加绒卫衣 {i} 号")).expect("a name"),
            category: Category::new("apparel").expect("a category"),
            price_cents: Cents::new(19_900).expect("a price"),
            on_hand: Units::new(1_000_000).expect("units"),
            buffer: Units::default(),
            damaged: Units::default(),
            per_buyer_limit: None,
            presale_cap: Units::default(),
        })
        .collect();
    Command::CreateSkus { skus }
}

fn paid(i: usize) -> Command {
    Command::Order {
        event: OrderEvent {
            channel: Channel::new("douyin").expect("a channel"),
            order_id: Ident::new(&format!("order-{i}")).expect("an id"),
            kind: Kind::Paid,
            buyer: Some(Ident::new(&format!("buyer-{i}")).expect("a buyer")),
            address: None,
            lines: vec![Line {
                sku: code(i % SKUS),
                qty: Qty::new(1).expect("a quantity"),
                unit_price_cents: None,
            }],
            presale: false,
            at: None,
            room: None,
        },
    }
}

fn apply(pool: &mut Pool, cmd: &Command) -> Ctx {
    let ctx = Ctx {
        seq: pool.seq() + 1,
        now_ms: T0_MS + pool.seq() as i64,
    };
    pool.apply(cmd, ctx).expect("the command applies");
    ctx
}

/// One record appended and made durable: the cost a lone order pays.
#[divan::bench(sample_count = 200)]
fn journal_append_and_sync_one(bencher: Bencher) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let recovered = Journal::open(dir.path(), PoolConfig::default(), u64::MAX).expect("a journal");
    let (mut journal, mut pool) = (recovered.journal, recovered.pool);
    let ctx = apply(&mut pool, &catalog());
    journal.append(&catalog(), ctx);
    let mut i = 0;
    bencher.bench_local(|| {
        let cmd = paid(i);
        i += 1;
        let ctx = apply(&mut pool, &cmd);
        journal.append(&cmd, ctx);
        journal.commit().expect("a commit");
    });
}

/// A group commit of 100 records, one fdatasync: what a batch of orders shares.
#[divan::bench(sample_count = 100)]
fn journal_append_100_and_sync(bencher: Bencher) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let recovered = Journal::open(dir.path(), PoolConfig::default(), u64::MAX).expect("a journal");
    let (mut journal, mut pool) = (recovered.journal, recovered.pool);
    let ctx = apply(&mut pool, &catalog());
    journal.append(&catalog(), ctx);
    let mut i = 0;
    bencher.bench_local(|| {
        for _ in 0..100 {
            let cmd = paid(i);
            i += 1;
            let ctx = apply(&mut pool, &cmd);
            journal.append(&cmd, ctx);
        }
        journal.commit().expect("a commit");
    });
}

/// A board diff of 20 changed SKUs and the live show, as the feed encodes it once per tick.
#[divan::bench]
fn encode_board_diff(bencher: Bencher) {
    let mut pool = Pool::new(PoolConfig::default());
    apply(&mut pool, &catalog());
    let show = NewShow {
        title: Name::new("双十二 · 暖冬专场").expect("a title"),
        lineup: (0..8)
            .map(|i| LineupItem {
                sku: code(i),
                planned_start: None,
                planned_rate_per_min: None,
            })
            .collect(),
        planned_end: None,
    };
    apply(
        &mut pool,
        &Command::CreateShow {
            show,
            room: RoomId::main(),
        },
    );
    apply(
        &mut pool,
        &Command::StartShow {
            room: RoomId::main(),
        },
    );
    for i in 0..1_000 {
        apply(&mut pool, &paid(i));
    }
    let views: Vec<_> = pool.skus().map(|s| s.view(T0_MS + 1_000)).collect();
    let show = pool.show_view();
    bencher.bench_local(|| {
        ServerFrame::Diff {
            seq: pool.seq(),
            writes: "ok",
            server_ms: T0_MS,
            skus: &views,
            show: &show,
            rooms: None,
            sample: None,
        }
        .to_text()
    });
}
