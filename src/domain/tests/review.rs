//! The post-show review's sums (SPEC B5): sales per SKU and channel, with unpaid, expired,
//! cancelled, refunds and presale kept apart; and, for random event streams, its net units are
//! the pool's sold units.

use super::props::{Harness, catalog_strategy, op_strategy};
use super::*;
use crate::domain::checks::anomalies::ReviewConfig;
use crate::domain::checks::review::{self, Review, ReviewInput, in_window};
use crate::domain::order::Address;
use crate::domain::show::{LineupItem, NewShow};
use crate::domain::stock::{ChannelSales, StockView};
use crate::domain::types::RoomId;
use crate::domain::types::Text;
use proptest::prelude::*;

/// The review of the shop's show now.
pub(super) fn review_of(shop: &Shop, config: &ReviewConfig) -> Review {
    let show = shop.pool.show().expect("a show");
    let window = review::window(show, shop.now_ms).expect("a show that went live");
    let views: Vec<StockView> = shop.pool.skus().map(|s| s.view(shop.now_ms)).collect();
    let orders: Vec<&Order> = shop
        .pool
        .orders()
        .filter(|o| in_window(o, window))
        .collect();
    let input = ReviewInput {
        show,
        views: &views,
        orders: &orders,
        now_ms: shop.now_ms,
    };
    review::review(&input, config)
}

/// Plans a show of `lineup` and starts it.
pub(super) fn go_live(shop: &mut Shop, lineup: &[&str]) {
    let show = NewShow {
        title: Name::new("双十二返场").unwrap(),
        planned_end: None,
        lineup: lineup
            .iter()
            .map(|s| LineupItem {
                sku: code(s),
                planned_start: None,
                planned_rate_per_min: None,
            })
            .collect(),
    };
    shop.apply(Command::CreateShow {
        show,
        room: RoomId::main(),
    })
    .unwrap();
    shop.apply(Command::StartShow {
        room: RoomId::main(),
    })
    .unwrap();
}

/// An event of `buyer` on `channel`, shipping to a well-formed address.
pub(super) fn order(
    channel: &str,
    id: &str,
    kind: Kind,
    who: &str,
    units: &[(&str, i64)],
) -> OrderEvent {
    OrderEvent {
        channel: Channel::new(channel).unwrap(),
        buyer: buyer(who),
        address: Some(address(
            "浙江省杭州市",
            &format!("西湖区文三路 {who} 号"),
            who,
        )),
        lines: lines(units),
        ..ev(kind, id)
    }
}

pub(super) fn address(region: &str, detail: &str, phone: &str) -> Address {
    Address {
        region: Some(Note::new(region).unwrap()),
        detail: Some(Note::new(detail).unwrap()),
        phone_hash: Some(Text::new(phone).unwrap()),
    }
}

/// Sends an event that must be accepted.
pub(super) fn take(shop: &mut Shop, event: OrderEvent) {
    let id = event.order_id.as_str().to_owned();
    let answer = shop.send(event);
    assert!(accepted(&answer), "{id}: {answer:?}");
}

fn sales(units: i64, orders: i64, gmv_cents: i64) -> ChannelSales {
    ChannelSales {
        units,
        orders,
        gmv_cents,
    }
}

#[test]
fn the_review_counts_sales_per_sku_and_channel_and_keeps_unpaid_expired_refunds_and_presale_apart()
{
    let mut cap = new_sku("CAP", 50, 300);
    cap.presale_cap = Units::new(10).unwrap();
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 1_000), cap]);
    use Kind::*;
    take(
        &mut shop,
        order("douyin", "O-PRE", Paid, "early", &[("HOODIE", 1)]),
    );
    shop.now_ms += 1_000;
    go_live(&mut shop, &["HOODIE"]);
    take(
        &mut shop,
        order("douyin", "O-3", Created, "c", &[("HOODIE", 4)]),
    );
    shop.now_ms += TTL_MS + 1;
    assert_eq!(shop.expire_due(), 1);
    take(
        &mut shop,
        order("douyin", "O-1", Paid, "a", &[("HOODIE", 2), ("CAP", 1)]),
    );
    take(
        &mut shop,
        order("kuaishou", "O-2", Paid, "b", &[("HOODIE", 3)]),
    );
    take(
        &mut shop,
        order("douyin", "O-4", Created, "d", &[("HOODIE", 5)]),
    );
    take(
        &mut shop,
        order("douyin", "O-5", Created, "e", &[("HOODIE", 1)]),
    );
    take(&mut shop, order("douyin", "O-5", Cancelled, "e", &[]));
    take(
        &mut shop,
        order("douyin", "O-6", Paid, "f", &[("HOODIE", 2)]),
    );
    take(&mut shop, order("douyin", "O-6", Refunded, "f", &[]));
    take(
        &mut shop,
        order("douyin", "O-7", Paid, "g", &[("HOODIE", 1)]),
    );
    take(&mut shop, order("douyin", "O-7", Shipped, "g", &[]));
    take(&mut shop, order("douyin", "O-7", Refunded, "g", &[]));
    let presale = OrderEvent {
        presale: true,
        ..order("taobao", "O-8", Paid, "h", &[("CAP", 2)])
    };
    take(&mut shop, presale);

    let r = review_of(&shop, &ReviewConfig::default());
    assert_eq!(r.state, "live");
    let [hoodie, cap] = [&r.skus[1], &r.skus[0]];
    assert_eq!(hoodie.sku.as_str(), "HOODIE");
    assert_eq!(
        hoodie.opening,
        Some(99),
        "available when the show went live"
    );
    let got = |s: &review::SkuReview| {
        [
            s.paid_units,
            s.paid_orders,
            s.unpaid_units,
            s.expired_units,
            s.cancelled_units,
            s.refunded_units,
            s.refunded_cents,
            s.net_units,
            s.net_gmv_cents,
            s.presale_units,
            s.presale_gmv_cents,
        ]
    };
    assert_eq!(got(hoodie), [8, 4, 5, 4, 1, 3, 3_000, 5, 5_000, 0, 0]);
    assert_eq!(got(cap), [1, 1, 0, 0, 0, 0, 0, 1, 300, 2, 600]);
    assert_eq!(cap.opening, None, "not on the lineup");
    assert_eq!(hoodie.channels["douyin"], sales(2, 1, 2_000));
    assert_eq!(hoodie.channels["kuaishou"], sales(3, 1, 3_000));
    assert_eq!(hoodie.available, shop.sku("HOODIE").available());

    let t = &r.totals;
    let orders = [
        t.orders,
        t.paid_orders,
        t.refunded_orders,
        t.unpaid_orders,
        t.expired_orders,
        t.cancelled_orders,
        t.presale_orders,
    ];
    assert_eq!(orders, [8, 4, 2, 1, 1, 1, 1], "O-PRE came before the show");
    assert_eq!(
        (t.net_units, t.net_gmv_cents, t.refunded_cents),
        (6, 5_300, 3_000)
    );
    assert_eq!((t.presale_units, t.presale_gmv_cents), (2, 600));
    assert_eq!(t.channels["douyin"], sales(3, 1, 2_300));
    assert_eq!(t.channels["kuaishou"], sales(3, 1, 3_000));
    assert!(!t.channels.contains_key("taobao"), "presale is apart");
    assert_eq!(r.gmv_cents, 5_300 + 600, "the night's GMV counts presale");

    assert_eq!(r.unpaid.len(), 1, "{:?}", r.unpaid);
    let unpaid = &r.unpaid[0];
    assert_eq!(
        (unpaid.order_id.as_str(), unpaid.units, unpaid.cents),
        ("O-4", 5, 5_000)
    );
    assert_eq!(unpaid.buyer.as_deref(), Some("d"));
}

#[test]
fn an_ended_show_is_reviewed_over_its_window_only() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 1_000)]);
    go_live(&mut shop, &["HOODIE"]);
    take(
        &mut shop,
        order("douyin", "IN", Kind::Paid, "a", &[("HOODIE", 2)]),
    );
    shop.now_ms += 1_000;
    shop.apply(Command::EndShow {
        room: RoomId::main(),
    })
    .unwrap();
    shop.now_ms += 1_000;
    take(
        &mut shop,
        order("douyin", "AFTER", Kind::Paid, "a", &[("HOODIE", 7)]),
    );
    let r = review_of(&shop, &ReviewConfig::default());
    assert_eq!(r.state, "ended");
    assert_eq!((r.totals.orders, r.totals.net_units), (1, 2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    #[test]
    fn for_random_event_streams_the_reviews_net_units_equal_the_pools_sold_units(
        catalog in catalog_strategy(),
        ops in prop::collection::vec(op_strategy(), 0..=200),
    ) {
        let mut h = Harness::new(&catalog);
        let names: Vec<String> = (0..catalog.len()).map(|i| format!("S{i}")).collect();
        let lineup: Vec<&str> = names.iter().map(String::as_str).collect();
        go_live(&mut h.shop, &lineup);
        for op in &ops {
            h.run(op);
        }
        let r = review_of(&h.shop, &ReviewConfig::default());
        let pool = &h.shop.pool;
        let sold: i64 = pool.skus().map(|s| s.sold_units).sum();
        prop_assert_eq!(r.totals.net_units, sold);
        for sku in pool.skus() {
            let in_pool: i64 = sku.channels.values().map(|c| c.units).sum();
            prop_assert_eq!(in_pool, sku.sold_units, "the pool's channels add up");
            let gmv: i64 = sku.channels.values().map(|c| c.gmv_cents).sum();
            prop_assert_eq!(gmv, sku.gmv_cents);
            // A SKU imported during the show is reviewed once it is ordered.
            let Some(entry) = r.skus.iter().find(|e| e.sku == sku.code) else {
                prop_assert_eq!((sku.sold_units, sku.gmv_cents, sku.held), (0, 0, 0));
                continue;
            };
            prop_assert_eq!(entry.net_units, sku.sold_units, "{}", sku.code);
            prop_assert_eq!(entry.net_gmv_cents + entry.presale_gmv_cents, sku.gmv_cents);
            prop_assert_eq!(entry.unpaid_units, sku.held + sku.presale_held);
            let by_channel: i64 = entry.channels.values().map(|c| c.units).sum();
            prop_assert_eq!(by_channel, entry.net_units);
        }
    }
}
