//! All-or-nothing multi-line orders, per-buyer limits and the presale pool.

use super::*;

#[test]
fn a_multi_line_order_with_one_short_line_holds_nothing() {
    let mut shop = Shop::new(vec![
        new_sku("HOODIE", 10, 19_900),
        new_sku("CAP", 1, 5_900),
    ]);
    let answer = shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3), ("CAP", 2)]),
        ..ev(Kind::Created, "DY-1")
    });
    match &answer {
        Answer::Rejected { rejection, .. } => {
            assert_eq!(rejection.reason, Reason::OutOfStock);
            assert_eq!(rejection.field.as_deref(), Some("lines[1].qty"));
        }
        other => panic!("expected out of stock, got {other:?}"),
    }
    assert_eq!(shop.buckets("HOODIE").held, 0);
    assert_eq!(shop.buckets("CAP").held, 0);
    assert_eq!(shop.state("DY-1"), None);
    // Two lines of one SKU are added up before they are checked.
    let answer = shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 6), ("HOODIE", 5)]),
        ..ev(Kind::Created, "DY-2")
    });
    assert_eq!(reason(&answer), Some(Reason::OutOfStock));
    assert_eq!(shop.buckets("HOODIE").held, 0);
    // What fits is held whole.
    assert!(accepted(&shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3), ("CAP", 1)]),
        ..ev(Kind::Created, "DY-3")
    })));
    assert_eq!(shop.buckets("HOODIE").held, 3);
    assert_eq!(shop.buckets("CAP").held, 1);
}

#[test]
fn per_buyer_limits_count_every_order_of_the_buyer_and_a_cancel_frees_them() {
    let mut hoodie = new_sku("HOODIE", 100, 19_900);
    hoodie.per_buyer_limit = Some(Limit::new(3).unwrap());
    let mut shop = Shop::new(vec![hoodie]);
    let order = |channel: &str, id: &str, who: &str, qty: i64| OrderEvent {
        channel: Channel::new(channel).unwrap(),
        buyer: buyer(who),
        lines: lines(&[("HOODIE", qty)]),
        ..ev(Kind::Created, id)
    };
    assert!(accepted(&shop.send(order("douyin", "DY-1", "u1", 2))));
    // The same buyer on another channel counts against the same limit.
    let answer = shop.send(order("kuaishou", "KS-1", "u1", 2));
    assert_eq!(reason(&answer), Some(Reason::LimitExceeded));
    assert!(accepted(&shop.send(order("kuaishou", "KS-2", "u1", 1))));
    assert!(accepted(&shop.send(order("douyin", "DY-2", "u2", 3))));
    // Paid orders still count.
    shop.send(ev(Kind::Paid, "DY-1"));
    let answer = shop.send(order("douyin", "DY-3", "u1", 1));
    assert_eq!(reason(&answer), Some(Reason::LimitExceeded));
    // A cancel gives the units back to the buyer's allowance.
    let cancel = OrderEvent {
        channel: Channel::new("kuaishou").unwrap(),
        ..ev(Kind::Cancelled, "KS-2")
    };
    assert!(accepted(&shop.send(cancel)));
    assert!(accepted(&shop.send(order("douyin", "DY-4", "u1", 1))));
    assert_eq!(shop.buckets("HOODIE").held, 1 + 3);
    assert_eq!(shop.buckets("HOODIE").committed, 2);
}

#[test]
fn presale_orders_use_the_presale_pool_and_never_touch_spot_buckets() {
    let mut coat = new_sku("COAT", 4, 50_000);
    coat.presale_cap = Units::new(5).unwrap();
    let mut shop = Shop::new(vec![coat]);
    let spot = shop.buckets("COAT");
    let presale = |kind: Kind, id: &str, qty: i64| OrderEvent {
        presale: true,
        lines: lines(&[("COAT", qty)]),
        ..ev(kind, id)
    };
    assert!(accepted(&shop.send(presale(Kind::Created, "PRE-1", 3))));
    assert_eq!(shop.sku("COAT").presale_held, 3);
    assert_eq!(shop.buckets("COAT"), spot);
    assert!(accepted(&shop.send(ev(Kind::Paid, "PRE-1"))));
    assert_eq!(
        (shop.sku("COAT").presale_held, shop.sku("COAT").presale_sold),
        (0, 3)
    );
    assert_eq!(shop.sku("COAT").gmv_cents, 3 * 50_000);
    assert_eq!(
        shop.sku("COAT").sold_units,
        0,
        "sold_units counts spot units"
    );
    assert_eq!(shop.buckets("COAT"), spot);
    // Only two presale units are left, though four spot units are.
    let answer = shop.send(presale(Kind::Created, "PRE-2", 3));
    assert_eq!(reason(&answer), Some(Reason::OutOfStock));
    assert!(accepted(&shop.send(presale(Kind::Paid, "PRE-3", 2))));
    assert_eq!(shop.sku("COAT").presale_available(), 0);
    assert!(accepted(&shop.send(ev(Kind::Shipped, "PRE-1"))));
    assert!(accepted(&shop.send(ev(Kind::Refunded, "PRE-3"))));
    assert_eq!(shop.sku("COAT").presale_sold, 3);
    assert_eq!(shop.sku("COAT").gmv_cents, 3 * 50_000);
    assert_eq!(shop.buckets("COAT"), spot);
}

#[test]
fn a_limit_set_during_the_show_counts_what_buyers_already_hold_and_a_lifted_one_frees_them() {
    // Without a limit the pool keeps no per-buyer count; a limit set later must still see the
    // units its buyers hold, in the running pool and in one restored from a snapshot.
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 19_900)]);
    let order = |id: &str, who: &str, qty: i64| OrderEvent {
        buyer: buyer(who),
        lines: lines(&[("HOODIE", qty)]),
        ..ev(Kind::Created, id)
    };
    assert!(accepted(&shop.send(order("DY-1", "u1", 2))));
    assert!(accepted(&shop.send(order("DY-2", "u1", 1))));
    assert!(accepted(&shop.send(order("DY-3", "u2", 1))));
    shop.send(ev(Kind::Paid, "DY-1"));
    assert!(accepted(&shop.send(ev(Kind::Cancelled, "DY-3"))));
    let limit = |l: Option<i64>| Command::PatchSku {
        sku: code("HOODIE"),
        patch: SkuPatch {
            per_buyer_limit: Some(l.map(|l| Limit::new(l).unwrap())),
            ..SkuPatch::default()
        },
    };
    shop.apply(limit(Some(3)))
        .expect("a limit is a valid patch");
    // u1 holds 3 (one paid order, one held): nothing more; u2's cancelled unit does not count.
    assert_eq!(
        reason(&shop.send(order("DY-4", "u1", 1))),
        Some(Reason::LimitExceeded)
    );
    let mut restored = Shop {
        pool: Pool::from_snapshot(shop.pool.snapshot(), CONFIG).unwrap(),
        now_ms: shop.now_ms,
        journaled: Vec::new(),
    };
    assert_eq!(
        reason(&restored.send(order("DY-4", "u1", 1))),
        Some(Reason::LimitExceeded),
        "the restored pool counts them too"
    );
    assert!(accepted(&shop.send(order("DY-5", "u2", 3))));
    // Lifted, then set again lower: counted afresh, not on top of the old counts.
    shop.apply(limit(None)).unwrap();
    assert!(accepted(&shop.send(order("DY-6", "u1", 1))));
    shop.apply(limit(Some(5))).unwrap();
    assert!(accepted(&shop.send(order("DY-7", "u1", 1))));
    assert_eq!(
        reason(&shop.send(order("DY-8", "u1", 1))),
        Some(Reason::LimitExceeded),
        "u1 holds 5"
    );
    // A cancel gives units back under the new limit.
    assert!(accepted(&shop.send(ev(Kind::Cancelled, "DY-2"))));
    assert!(accepted(&shop.send(order("DY-9", "u1", 1))));
}
