//! The daily ledger: each day's row per SKU on the on-hand basis, cut from quarter-hour buckets;
//! a property that every row of random days balances and closes at the pool's on hand.

use super::props::{Harness, Op, catalog_strategy, op_strategy};
use super::*;
use crate::domain::reports::{BUCKET_MS, DailyRow};
use proptest::prelude::*;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Shanghai's offset: the test cuts days as the web layer would for Asia/Shanghai.
const SHANGHAI_MS: i64 = 8 * HOUR_MS;

/// `[from, to)` of the Shanghai day that `at_ms` falls in.
fn shanghai_day(at_ms: i64) -> (i64, i64) {
    let from = (at_ms + SHANGHAI_MS).div_euclid(DAY_MS) * DAY_MS - SHANGHAI_MS;
    (from, from + DAY_MS)
}

fn row(pool: &Pool, (from, to): (i64, i64), sku: &str) -> DailyRow {
    pool.ledger()
        .daily(from, to)
        .into_iter()
        .find(|r| r.sku.as_str() == sku)
        .unwrap_or_else(|| panic!("no row for {sku}"))
}

fn paid(shop: &mut Shop, id: &str, sku: &str, qty: i64) {
    let answer = shop.send(OrderEvent {
        lines: lines(&[(sku, qty)]),
        ..ev(Kind::Paid, id)
    });
    assert!(accepted(&answer), "{answer:?}");
}

fn send(shop: &mut Shop, kind: Kind, id: &str) {
    let answer = shop.send(ev(kind, id));
    assert!(accepted(&answer), "{answer:?}");
}

fn moved(shop: &mut Shop, kind: MovementKind, qty: i64) {
    shop.apply(Command::Move {
        sku: code("HOODIE"),
        movement: movement(kind, qty),
    })
    .expect("the movement is accepted");
}

#[test]
fn a_day_of_receipts_sales_shipments_and_counts_balances_on_the_on_hand_basis() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 19_900)]);
    let day = shanghai_day(shop.now_ms);
    moved(&mut shop, MovementKind::Receive, 50);
    paid(&mut shop, "A", "HOODIE", 10);
    paid(&mut shop, "B", "HOODIE", 5);
    send(&mut shop, Kind::Shipped, "A");
    send(&mut shop, Kind::Refunded, "B");
    moved(&mut shop, MovementKind::Damage, 4);
    moved(&mut shop, MovementKind::Undamage, 1);
    moved(&mut shop, MovementKind::Adjust, -2);
    // The book says 100 + 50 - 10 - 2 = 138; 135 are on the shelf.
    moved(&mut shop, MovementKind::Count, 135);
    let r = row(&shop.pool, day, "HOODIE");
    assert_eq!(
        r,
        DailyRow {
            sku: code("HOODIE"),
            opening: 100,
            received: 50,
            sold: 15,
            refunded: 5,
            shipped: 10,
            adjusted: -5,
            damaged: 3,
            closing: 135,
            counted: 135,
            variance: -3,
        },
        "the SKU was created today: its initial stock opens the day"
    );
    assert_eq!(r.closing, shop.sku("HOODIE").on_hand);
}

#[test]
fn a_show_crossing_midnight_is_split_into_two_days_that_chain() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 19_900)]);
    // T0 is 20:01 in Shanghai: 23:50 is 3 h 49 min later.
    shop.now_ms += 3 * HOUR_MS + 49 * 60_000;
    let before = shanghai_day(shop.now_ms);
    paid(&mut shop, "A", "HOODIE", 7);
    send(&mut shop, Kind::Shipped, "A");
    shop.now_ms += 20 * 60_000;
    let after = shanghai_day(shop.now_ms);
    assert_eq!(after.0, before.1, "the second order is on the next day");
    paid(&mut shop, "B", "HOODIE", 3);
    send(&mut shop, Kind::Shipped, "B");
    let (first, second) = (
        row(&shop.pool, before, "HOODIE"),
        row(&shop.pool, after, "HOODIE"),
    );
    assert_eq!((first.opening, first.sold, first.shipped), (100, 7, 7));
    assert_eq!(first.closing, 93);
    assert_eq!(
        (second.opening, second.sold, second.shipped, second.closing),
        (93, 3, 3, 90),
        "the next day opens where the last closed"
    );
    let earlier = (before.0 - DAY_MS, before.0);
    assert!(
        shop.pool.ledger().daily(earlier.0, earlier.1).is_empty(),
        "the SKU did not exist the day before"
    );
    let later = (after.1, after.1 + DAY_MS);
    let quiet = row(&shop.pool, later, "HOODIE");
    assert_eq!((quiet.opening, quiet.sold, quiet.closing), (90, 0, 90));
}

#[test]
fn a_sku_created_after_the_day_has_no_row_and_presale_stays_out_of_spot_counts() {
    let mut shop = Shop::new(vec![NewSku {
        presale_cap: Units::new(10).unwrap(),
        ..new_sku("HOODIE", 5, 19_900)
    }]);
    let today = shanghai_day(shop.now_ms);
    let yesterday = (today.0 - DAY_MS, today.0);
    assert!(
        shop.pool
            .ledger()
            .daily(yesterday.0, yesterday.1)
            .is_empty()
    );
    let answer = shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 4)]),
        presale: true,
        ..ev(Kind::Paid, "P")
    });
    assert!(accepted(&answer), "{answer:?}");
    send(&mut shop, Kind::Shipped, "P");
    let r = row(&shop.pool, today, "HOODIE");
    assert_eq!((r.sold, r.shipped, r.closing), (0, 0, 5));
}

#[test]
fn the_ledger_survives_a_snapshot_and_an_old_snapshot_opens_with_the_stock_it_holds() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 19_900)]);
    moved(&mut shop, MovementKind::Receive, 20);
    let day = shanghai_day(shop.now_ms);
    let snap = shop.pool.snapshot();
    let restored = Pool::from_snapshot(snap.clone(), CONFIG).unwrap();
    assert_eq!(restored.ledger(), shop.pool.ledger());
    let old = crate::domain::Snapshot {
        ledger: Default::default(),
        ..snap
    };
    let restored = Pool::from_snapshot(old, CONFIG).unwrap();
    let r = row(&restored, day, "HOODIE");
    assert_eq!((r.opening, r.received, r.closing), (120, 0, 120));
}

#[test]
fn a_bucket_is_a_quarter_hour_so_every_zone_day_is_whole_buckets() {
    // Offsets such as +05:45 (Kathmandu) and -09:30 (Marquesas) are whole quarter hours.
    for offset_min in [-570, 0, 330, 345, 480, 525, 765] {
        assert_eq!((offset_min * 60_000) % BUCKET_MS, 0, "{offset_min}");
    }
    assert_eq!(DAY_MS % BUCKET_MS, 0);
}

/// Time passes between operations: minutes to most of a day, so days cut through the stream.
fn step_strategy() -> impl Strategy<Value = (i64, Op)> {
    (
        prop_oneof![3 => 0..=10 * 60_000i64, 1 => 0..=20 * HOUR_MS],
        op_strategy(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn every_daily_row_balances_and_closes_at_the_pools_on_hand_at_the_days_end(
        catalog in catalog_strategy(),
        steps in prop::collection::vec(step_strategy(), 0..=150),
    ) {
        let mut h = Harness::new(&catalog);
        let start = h.shop.now_ms;
        // After each step: the time and every SKU's on hand then.
        let mut seen: Vec<(i64, BTreeMap<SkuCode, i64>)> = vec![(start, on_hand(&h.shop.pool))];
        for (pause_ms, op) in &steps {
            h.shop.now_ms += pause_ms;
            h.run(op);
            seen.push((h.shop.now_ms, on_hand(&h.shop.pool)));
        }
        let (mut from, end) = (shanghai_day(start).0, shanghai_day(h.shop.now_ms).1);
        let mut closed: BTreeMap<SkuCode, i64> = BTreeMap::new();
        let (mut sold, mut refunded) = (BTreeMap::new(), BTreeMap::new());
        while from < end {
            let to = from + DAY_MS;
            let at_end = &seen
                .iter()
                .rev()
                .find(|(t, _)| *t < to)
                .expect("the first day has the catalog")
                .1;
            for r in h.shop.pool.ledger().daily(from, to) {
                prop_assert_eq!(r.opening + r.received - r.shipped + r.adjusted, r.closing, "{:?}", r);
                prop_assert_eq!(r.closing, at_end[&r.sku], "closing of {:?}", r);
                // A SKU of the catalog opens its first day with its stock, and every SKU opens a
                // later day where it closed the day before. (One imported later opens its first
                // day with the stock it was imported with: the balance above covers it.)
                let opened = closed.get(&r.sku).copied().or_else(|| seen[0].1.get(&r.sku).copied());
                if let Some(opened) = opened {
                    prop_assert_eq!(r.opening, opened, "opening of {:?}", r);
                }
                closed.insert(r.sku.clone(), r.closing);
                *sold.entry(r.sku.clone()).or_insert(0) += r.sold;
                *refunded.entry(r.sku.clone()).or_insert(0) += r.refunded;
            }
            from = to;
        }
        for sku in h.shop.pool.skus() {
            prop_assert_eq!(sold[&sku.code] - refunded[&sku.code], sku.sold_units);
        }
    }
}

fn on_hand(pool: &Pool) -> BTreeMap<SkuCode, i64> {
    pool.skus().map(|s| (s.code.clone(), s.on_hand)).collect()
}

#[test]
fn buckets_older_than_the_kept_days_are_folded_and_later_days_still_open_right() {
    use crate::domain::reports::LEDGER_DAYS_KEPT;
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 19_900)]);
    moved(&mut shop, MovementKind::Receive, 20);
    paid(&mut shop, "A", "HOODIE", 5);
    send(&mut shop, Kind::Shipped, "A");
    let first_day = shanghai_day(shop.now_ms);
    let buckets = |pool: &Pool| pool.ledger().skus().next().unwrap().1.len();
    assert_eq!(buckets(&shop.pool), 1);
    shop.now_ms += (LEDGER_DAYS_KEPT + 1) * DAY_MS;
    paid(&mut shop, "B", "HOODIE", 3);
    send(&mut shop, Kind::Shipped, "B");
    assert_eq!(
        buckets(&shop.pool),
        2,
        "the old bucket is carried, the new one is kept"
    );
    let today = row(&shop.pool, shanghai_day(shop.now_ms), "HOODIE");
    assert_eq!((today.opening, today.shipped, today.closing), (115, 3, 112));
    assert_eq!(today.closing, shop.sku("HOODIE").on_hand);
    let gone = row(&shop.pool, first_day, "HOODIE");
    assert_eq!(
        (gone.opening, gone.received, gone.closing),
        (115, 0, 115),
        "a folded day keeps its balance but not its movements"
    );
}
