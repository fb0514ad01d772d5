//! The review's anomalies (SPEC B5), one kind at a time: each is found with its orders and
//! buyer at its threshold, and a case just under it is not.

use super::review::{address, go_live, order, review_of, take};
use super::*;
use crate::domain::checks::anomalies::{Anomaly, AnomalyKind, OrderRef, ReviewConfig};

const MINUTE_MS: i64 = 60_000;

fn shop() -> Shop {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10_000, 1_000)]);
    go_live(&mut shop, &["HOODIE"]);
    shop
}

fn found(shop: &Shop, kind: AnomalyKind) -> Vec<Anomaly> {
    let r = review_of(shop, &ReviewConfig::default());
    r.anomalies.into_iter().filter(|a| a.kind == kind).collect()
}

fn refs(ids: &[&str]) -> Vec<OrderRef> {
    ids.iter()
        .map(|id| OrderRef {
            channel: "douyin".to_owned(),
            order_id: (*id).to_owned(),
        })
        .collect()
}

#[test]
fn an_order_of_at_least_the_bulk_threshold_is_a_bulk_order() {
    let mut shop = shop();
    take(
        &mut shop,
        order("douyin", "B-10", Kind::Paid, "hoarder", &[("HOODIE", 10)]),
    );
    take(
        &mut shop,
        order("douyin", "B-9", Kind::Paid, "fan", &[("HOODIE", 9)]),
    );
    let bulk = found(&shop, AnomalyKind::BulkOrder);
    assert_eq!(bulk.len(), 1, "{bulk:?}");
    assert_eq!(bulk[0].orders, refs(&["B-10"]));
    assert_eq!(bulk[0].buyer.as_deref(), Some("hoarder"));
    assert!(bulk[0].why_zh.contains("10 件") && bulk[0].why_en.contains("10 units"));
}

#[test]
fn a_buyer_with_at_least_the_threshold_of_orders_has_many_orders() {
    let mut shop = shop();
    for i in 0..5 {
        take(
            &mut shop,
            order(
                "douyin",
                &format!("M-{i}"),
                Kind::Paid,
                "many",
                &[("HOODIE", 1)],
            ),
        );
    }
    for i in 0..4 {
        take(
            &mut shop,
            order(
                "douyin",
                &format!("F-{i}"),
                Kind::Paid,
                "few",
                &[("HOODIE", 1)],
            ),
        );
    }
    let many = found(&shop, AnomalyKind::ManyOrders);
    assert_eq!(many.len(), 1, "{many:?}");
    assert_eq!(many[0].orders, refs(&["M-0", "M-1", "M-2", "M-3", "M-4"]));
    assert_eq!(
        (many[0].buyer.as_deref(), many[0].order_count),
        (Some("many"), 5)
    );
    assert!(many[0].why_en.contains("5 orders"), "{}", many[0].why_en);
}

#[test]
fn several_buyers_at_one_address_or_one_phone_share_it() {
    let mut shop = shop();
    let at = |id: &str, who: &str, detail: &str, phone: &str| OrderEvent {
        address: Some(address("浙江省杭州市", detail, phone)),
        ..order("douyin", id, Kind::Paid, who, &[("HOODIE", 1)])
    };
    // The same address, written with other spacing and case.
    take(&mut shop, at("A-1", "x1", "文三路 8 号 Room A", "p1"));
    take(&mut shop, at("A-2", "x2", "文三路8号 room a", "p2"));
    take(&mut shop, at("A-3", "x3", " 文三路 8号 ROOM A ", "p3"));
    // Two buyers at one address is under the threshold of three.
    take(&mut shop, at("T-1", "y1", "莫干山路 1 号", "q1"));
    take(&mut shop, at("T-2", "y2", "莫干山路 1 号", "q2"));
    // One phone behind three buyers at three addresses.
    take(&mut shop, at("P-1", "z1", "延安路 1 号", "same-phone"));
    take(&mut shop, at("P-2", "z2", "延安路 2 号", "same-phone"));
    take(&mut shop, at("P-3", "z3", "延安路 3 号", "same-phone"));
    let shared = found(&shop, AnomalyKind::SharedAddress);
    assert_eq!(shared.len(), 2, "{shared:?}");
    assert_eq!(shared[0].orders, refs(&["A-1", "A-2", "A-3"]));
    assert_eq!(shared[0].buyers, ["x1", "x2", "x3"]);
    assert_eq!(shared[0].buyer, None, "many buyers, none at fault alone");
    assert!(
        shared[0].why_zh.contains("同一收货地址"),
        "{}",
        shared[0].why_zh
    );
    assert_eq!(shared[1].orders, refs(&["P-1", "P-2", "P-3"]));
    assert!(shared[1].why_en.contains("phone"), "{}", shared[1].why_en);
}

#[test]
fn a_paid_order_with_a_missing_or_malformed_address_has_a_bad_address() {
    let mut shop = shop();
    let with = |id: &str, kind: Kind, address: Option<crate::domain::order::Address>| OrderEvent {
        address,
        ..order("douyin", id, kind, id, &[("HOODIE", 1)])
    };
    take(&mut shop, with("NONE", Kind::Paid, None));
    let no_region = crate::domain::order::Address {
        region: None,
        ..address("x", "西湖区文三路 8 号", "p")
    };
    take(&mut shop, with("NOREGION", Kind::Paid, Some(no_region)));
    take(
        &mut shop,
        with("SHORT", Kind::Paid, Some(address("浙江省", "8号", "p"))),
    );
    take(
        &mut shop,
        with("JUNK", Kind::Paid, Some(address("浙江省", "?? -- !!", "p"))),
    );
    take(
        &mut shop,
        with(
            "GOOD",
            Kind::Paid,
            Some(address("浙江省", "文三路 8 号", "p")),
        ),
    );
    take(&mut shop, with("UNPAID", Kind::Created, None));
    let bad = found(&shop, AnomalyKind::BadAddress);
    let ids: Vec<&str> = bad.iter().map(|a| a.orders[0].order_id.as_str()).collect();
    assert_eq!(
        ids,
        ["JUNK", "NONE", "NOREGION", "SHORT"],
        "only paid orders, by id"
    );
    assert_eq!(bad[1].buyer.as_deref(), Some("NONE"));
    assert!(bad[1].why_en.contains("no address"), "{}", bad[1].why_en);
}

#[test]
fn a_refund_within_the_threshold_of_minutes_after_payment_is_quick() {
    let mut shop = shop();
    take(
        &mut shop,
        order("douyin", "Q-FAST", Kind::Paid, "scalper", &[("HOODIE", 2)]),
    );
    take(
        &mut shop,
        order("douyin", "Q-SLOW", Kind::Paid, "buyer", &[("HOODIE", 2)]),
    );
    shop.now_ms += 5 * MINUTE_MS;
    take(
        &mut shop,
        order("douyin", "Q-FAST", Kind::Refunded, "scalper", &[]),
    );
    shop.now_ms += 6 * MINUTE_MS;
    take(
        &mut shop,
        order("douyin", "Q-SLOW", Kind::Refunded, "buyer", &[]),
    );
    let quick = found(&shop, AnomalyKind::QuickRefund);
    assert_eq!(quick.len(), 1, "{quick:?}");
    assert_eq!(quick[0].orders, refs(&["Q-FAST"]));
    assert_eq!(quick[0].buyer.as_deref(), Some("scalper"));
    assert!(quick[0].why_zh.contains("5 分钟") && quick[0].why_zh.contains("黄牛"));
    let strict = ReviewConfig {
        quick_refund_minutes: 4.0,
        ..ReviewConfig::default()
    };
    let r = review_of(&shop, &strict);
    assert!(
        r.anomalies
            .iter()
            .all(|a| a.kind != AnomalyKind::QuickRefund),
        "a tighter threshold"
    );
}

#[test]
fn one_kind_flooding_the_review_is_capped_and_counted_without_hiding_the_others() {
    use crate::domain::checks::anomalies::ANOMALIES_PER_KIND_MAX;
    let mut shop = shop();
    let flood = ANOMALIES_PER_KIND_MAX + 5;
    for i in 0..flood {
        let id = format!("BULK-{i:04}");
        take(
            &mut shop,
            order("douyin", &id, Kind::Paid, &id, &[("HOODIE", 10)]),
        );
    }
    let mut no_address = order("douyin", "NOWHERE", Kind::Paid, "nowhere", &[("HOODIE", 1)]);
    no_address.address = None;
    take(&mut shop, no_address);
    let r = review_of(&shop, &ReviewConfig::default());
    assert_eq!(r.anomaly_counts[&AnomalyKind::BulkOrder], flood);
    let listed = |kind| r.anomalies.iter().filter(|a| a.kind == kind).count();
    assert_eq!(listed(AnomalyKind::BulkOrder), ANOMALIES_PER_KIND_MAX);
    assert_eq!(
        listed(AnomalyKind::BadAddress),
        1,
        "still listed after the flood"
    );
    assert_eq!(r.anomaly_counts[&AnomalyKind::BadAddress], 1);
}
