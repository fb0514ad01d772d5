//! Properties over random command sequences: the strategies, and the property itself.

mod model;

use super::*;
pub(in crate::domain::tests) use model::Harness;
use proptest::prelude::*;

const CHANNELS: [&str; 3] = ["douyin", "kuaishou", "taobao"];
const ORDER_IDS: usize = 8;
const BUYERS: usize = 3;
/// How many SKU picks a line draws from: the last names a SKU that does not exist, the others
/// wrap over the catalog.
const SKU_PICKS: usize = 8;

#[derive(Clone, Debug)]
pub(super) struct CatalogEntry {
    on_hand: i64,
    buffer: i64,
    damaged: i64,
    price_cents: i64,
    per_buyer_limit: Option<i64>,
    presale_cap: i64,
}

#[derive(Clone, Debug)]
pub(super) enum Op {
    Order {
        channel: usize,
        order: usize,
        kind: Kind,
        buyer: Option<usize>,
        /// `(sku pick, qty, line price)`.
        lines: Vec<(usize, i64, Option<i64>)>,
        presale: bool,
    },
    /// Sends an earlier event again (a channel's retry, or a late delivery).
    Retry(prop::sample::Index),
    /// The writer's tick: time passes and due holds expire.
    Tick { advance_ms: i64 },
    Move {
        sku: usize,
        kind: MovementKind,
        qty: i64,
        same_person: bool,
    },
    Patch {
        sku: usize,
        buffer: Option<i64>,
        per_buyer_limit: Option<Option<i64>>,
        price_cents: Option<i64>,
        presale_cap: Option<i64>,
    },
    /// A sheet imported: `(sku pick, on_hand, buffer)` per existing SKU (a pick twice refuses the
    /// whole import), and perhaps the new SKU `IMP` with its on-hand units (a second one refuses).
    Import {
        update: Vec<(usize, i64, Option<i64>)>,
        create: Option<i64>,
    },
}

pub(super) fn catalog_strategy() -> impl Strategy<Value = Vec<CatalogEntry>> {
    let entry = (
        0..=12i64,
        0..=2i64,
        0..=2i64,
        1..=500i64,
        prop::option::of(1..=4i64),
        0..=4i64,
    )
        .prop_map(
            |(on_hand, buffer, damaged, price_cents, limit, presale_cap)| {
                let buffer = buffer.min(on_hand);
                CatalogEntry {
                    on_hand,
                    buffer,
                    damaged: damaged.min(on_hand - buffer),
                    price_cents,
                    per_buyer_limit: limit,
                    presale_cap,
                }
            },
        );
    prop::collection::vec(entry, 2..=4)
}

/// Kinds weighted towards the main road (created, paid, shipped), with every detour.
fn kind_strategy() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => Just(Kind::Created),
        3 => Just(Kind::Paid),
        2 => Just(Kind::Shipped),
        2 => Just(Kind::Refunded),
        1 => Just(Kind::Cancelled),
    ]
}

pub(super) fn op_strategy() -> impl Strategy<Value = Op> {
    let line = (
        0..SKU_PICKS,
        1..=3i64,
        prop::option::weighted(0.2, 1..=500i64),
    );
    let order = (
        0..CHANNELS.len(),
        0..ORDER_IDS,
        kind_strategy(),
        prop::option::weighted(0.8, 0..BUYERS),
        prop_oneof![1 => Just(Vec::new()), 9 => prop::collection::vec(line, 1..=2)],
        prop::bool::weighted(0.2),
    )
        .prop_map(|(channel, order, kind, buyer, lines, presale)| Op::Order {
            channel,
            order,
            kind,
            buyer,
            lines,
            presale,
        });
    let movement_kinds = prop::sample::select(vec![
        MovementKind::Receive,
        MovementKind::Adjust,
        MovementKind::Damage,
        MovementKind::Undamage,
        MovementKind::Count,
    ]);
    let movement = (
        0..4usize,
        movement_kinds,
        0..=10i64,
        prop::bool::weighted(0.1),
    )
        .prop_map(|(sku, kind, raw, same_person)| Op::Move {
            sku,
            kind,
            qty: match kind {
                MovementKind::Adjust => raw - 5,
                MovementKind::Count => raw,
                _ => 1 + raw % 4,
            },
            same_person,
        });
    let patch = (
        0..4usize,
        prop::option::weighted(0.4, 0..=3i64),
        prop::option::weighted(0.4, prop::option::of(1..=4i64)),
        prop::option::weighted(0.3, 1..=500i64),
        prop::option::weighted(0.2, 0..=4i64),
    )
        .prop_map(
            |(sku, buffer, per_buyer_limit, price_cents, presale_cap)| Op::Patch {
                sku,
                buffer,
                per_buyer_limit,
                price_cents,
                presale_cap,
            },
        );
    let import = (
        prop::collection::vec(
            (0..4usize, 0..=12i64, prop::option::weighted(0.3, 0..=3i64)),
            0..=2,
        ),
        prop::option::weighted(0.3, 0..=5i64),
    )
        .prop_map(|(update, create)| Op::Import { update, create });
    prop_oneof![
        10 => order,
        3 => any::<prop::sample::Index>().prop_map(Op::Retry),
        2 => (0..=2 * TTL_MS).prop_map(|advance_ms| Op::Tick { advance_ms }),
        2 => movement,
        1 => patch,
        1 => import,
    ]
}

fn sku_code(i: usize) -> SkuCode {
    code(&format!("S{i}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_commands_never_oversell_and_replay_and_snapshots_rebuild_the_same_pool(
        catalog in catalog_strategy(),
        ops in prop::collection::vec(op_strategy(), 0..=200),
        next in prop::collection::vec(op_strategy(), 0..=40),
    ) {
        let mut h = Harness::new(&catalog);
        for op in &ops {
            h.run(op);
        }
        let snapshot = h.shop.pool.snapshot();
        let restored = Pool::from_snapshot(snapshot.clone(), CONFIG).unwrap();
        prop_assert_eq!(restored.snapshot(), snapshot);
        h.twin = Some(restored);
        for op in &next {
            h.run(op);
        }
        let twin = h.twin.take().unwrap();
        prop_assert_eq!(twin.snapshot(), h.shop.pool.snapshot());
        h.check_replay();
    }
}
