//! The main road of an order: hold, pay, cancel, ship, refund and return.

use super::*;

#[test]
fn a_created_order_holds_its_units() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    let answer = shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    assert_eq!(answer, Answer::Accepted { seq: 2 });
    assert_eq!(shop.pool.seq(), 2);
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 10,
            held: 3,
            committed: 0,
            available: 7
        }
    );
    assert_eq!(shop.state("DY-1"), Some(OrderState::Held));
    assert_eq!(
        (shop.sku("HOODIE").sold_units, shop.sku("HOODIE").gmv_cents),
        (0, 0)
    );
}

#[test]
fn a_payment_moves_held_to_committed_and_counts_sold_units_and_gmv() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    shop.now_ms += 5_000;
    assert!(accepted(&shop.send(ev(Kind::Paid, "DY-1"))));
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 10,
            held: 0,
            committed: 3,
            available: 7
        }
    );
    let order = shop.pool.order(&key("douyin", "DY-1")).unwrap();
    assert_eq!(order.state, Some(OrderState::Paid));
    assert_eq!(order.paid_ms, Some(T0_MS + 5_000));
    assert_eq!(order.expires_ms, None);
    assert_eq!(shop.sku("HOODIE").sold_units, 3);
    assert_eq!(shop.sku("HOODIE").gmv_cents, 3 * 19_900);
    // A paid hold no longer expires.
    shop.now_ms += 10 * TTL_MS;
    assert!(shop.pool.due_holds(shop.now_ms).is_empty());
}

#[test]
fn a_line_price_overrides_the_catalog_price_in_gmv() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    let mut discounted = lines(&[("HOODIE", 2)]);
    discounted[0].unit_price_cents = Some(Cents::new(15_000).unwrap());
    shop.send(OrderEvent {
        lines: discounted,
        ..ev(Kind::Paid, "DY-1")
    });
    assert_eq!(shop.sku("HOODIE").gmv_cents, 2 * 15_000);
}

#[test]
fn a_paid_without_created_creates_and_pays_in_one_step() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    let answer = shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 2)]),
        ..ev(Kind::Paid, "DY-1")
    });
    assert_eq!(answer, Answer::Accepted { seq: 2 });
    assert_eq!(shop.state("DY-1"), Some(OrderState::Paid));
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 10,
            held: 0,
            committed: 2,
            available: 8
        }
    );
    assert_eq!(shop.sku("HOODIE").sold_units, 2);
    // The created that was overtaken arrives late: accepted, and it holds nothing.
    assert!(accepted(&shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 2)]),
        ..ev(Kind::Created, "DY-1")
    })));
    assert_eq!(shop.buckets("HOODIE").held, 0);
    assert_eq!(shop.buckets("HOODIE").available, 8);
    assert_eq!(shop.state("DY-1"), Some(OrderState::Paid));
}

#[test]
fn a_cancel_releases_the_hold() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    assert!(accepted(&shop.send(ev(Kind::Cancelled, "DY-1"))));
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 10,
            held: 0,
            committed: 0,
            available: 10
        }
    );
    assert_eq!(shop.state("DY-1"), Some(OrderState::Cancelled));
    assert_eq!(shop.sku("HOODIE").sold_units, 0);
    // A cancelled hold does not come back at expiry time.
    shop.now_ms += TTL_MS;
    assert!(shop.pool.due_holds(shop.now_ms).is_empty());
}

#[test]
fn a_cancel_that_overtakes_its_order_makes_the_late_created_hold_nothing() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    assert!(accepted(&shop.send(ev(Kind::Cancelled, "DY-1"))));
    assert!(accepted(&shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    })));
    assert_eq!(shop.buckets("HOODIE").available, 10);
    assert_eq!(shop.state("DY-1"), Some(OrderState::Cancelled));
}

#[test]
fn a_refund_before_shipping_returns_the_units_to_available_and_subtracts_gmv() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Paid, "DY-1")
    });
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 1)]),
        ..ev(Kind::Paid, "DY-2")
    });
    assert!(accepted(&shop.send(ev(Kind::Refunded, "DY-1"))));
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 10,
            held: 0,
            committed: 1,
            available: 9
        }
    );
    assert_eq!(shop.state("DY-1"), Some(OrderState::Refunded));
    assert_eq!(shop.sku("HOODIE").sold_units, 1);
    assert_eq!(shop.sku("HOODIE").gmv_cents, 19_900);
}

#[test]
fn a_refund_subtracts_the_price_that_was_paid_even_after_a_price_change() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 2)]),
        ..ev(Kind::Created, "DY-1")
    });
    let patch = SkuPatch {
        price_cents: Some(Cents::new(29_900).unwrap()),
        ..SkuPatch::default()
    };
    shop.apply(Command::PatchSku {
        sku: code("HOODIE"),
        patch,
    })
    .unwrap();
    // The order was placed at 199.00: that is what the buyer pays and what comes back.
    shop.send(ev(Kind::Paid, "DY-1"));
    assert_eq!(shop.sku("HOODIE").gmv_cents, 2 * 19_900);
    shop.send(ev(Kind::Refunded, "DY-1"));
    assert_eq!(shop.sku("HOODIE").gmv_cents, 0);
}

#[test]
fn shipping_takes_the_committed_units_out_of_on_hand() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Paid, "DY-1")
    });
    assert!(accepted(&shop.send(ev(Kind::Shipped, "DY-1"))));
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 7,
            held: 0,
            committed: 0,
            available: 7
        }
    );
    assert_eq!(shop.state("DY-1"), Some(OrderState::Shipped));
    assert_eq!(shop.sku("HOODIE").sold_units, 3);
    assert_eq!(shop.sku("HOODIE").gmv_cents, 3 * 19_900);
}

#[test]
fn a_refund_after_shipping_is_a_return_that_leaves_stock_alone_but_subtracts_gmv() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Paid, "DY-1")
    });
    shop.send(ev(Kind::Shipped, "DY-1"));
    let shipped = shop.buckets("HOODIE");
    assert!(accepted(&shop.send(ev(Kind::Refunded, "DY-1"))));
    assert_eq!(shop.buckets("HOODIE"), shipped);
    assert_eq!(shop.state("DY-1"), Some(OrderState::Returned));
    assert_eq!(shop.sku("HOODIE").gmv_cents, 0);
    assert_eq!(shop.sku("HOODIE").sold_units, 0);
}
