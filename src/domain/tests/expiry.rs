//! Holds that run out, their configured life, and payments that come after.

use super::*;

#[test]
fn holds_expire_after_the_ttl_and_not_before() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    shop.now_ms += TTL_MS - 1;
    assert!(shop.pool.due_holds(shop.now_ms).is_empty());
    let nothing = shop
        .apply(Command::Expire {
            orders: shop.pool.due_holds(shop.now_ms),
        })
        .unwrap();
    assert_eq!(nothing.outcome, Outcome::Expired(0));
    assert!(
        !nothing.journal,
        "an expiry that expires nothing is not journaled"
    );
    assert_eq!(shop.buckets("HOODIE").held, 3);
    shop.now_ms += 1;
    assert_eq!(
        shop.pool.due_holds(shop.now_ms),
        vec![key("douyin", "DY-1")]
    );
    assert_eq!(shop.expire_due(), 1);
    assert_eq!(shop.state("DY-1"), Some(OrderState::Expired));
    assert_eq!(shop.buckets("HOODIE").held, 0);
    assert_eq!(shop.buckets("HOODIE").available, 10);
    assert!(shop.pool.due_holds(shop.now_ms + TTL_MS).is_empty());
}

#[test]
fn a_hold_life_comes_from_the_pool_config() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.pool = Pool::from_snapshot(
        shop.pool.snapshot(),
        PoolConfig {
            hold_ttl_ms: 5_000,
            ..CONFIG
        },
    )
    .unwrap();
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 1)]),
        ..ev(Kind::Created, "DY-1")
    });
    let order = shop.pool.order(&key("douyin", "DY-1")).unwrap();
    assert_eq!(order.expires_ms, Some(T0_MS + 5_000));
    assert!(shop.pool.due_holds(T0_MS + 4_999).is_empty());
    assert_eq!(shop.pool.due_holds(T0_MS + 5_000).len(), 1);
}

#[test]
fn a_payment_after_expiry_takes_the_stock_again_when_it_is_still_there() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    shop.now_ms += TTL_MS;
    shop.expire_due();
    assert!(accepted(&shop.send(ev(Kind::Paid, "DY-1"))));
    assert_eq!(shop.state("DY-1"), Some(OrderState::Paid));
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 10,
            held: 0,
            committed: 3,
            available: 7
        }
    );
    assert_eq!(shop.sku("HOODIE").sold_units, 3);
}

#[test]
fn a_payment_after_expiry_is_out_of_stock_when_the_units_were_sold_meanwhile() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 3, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    shop.now_ms += TTL_MS;
    shop.expire_due();
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 2)]),
        ..ev(Kind::Paid, "DY-2")
    });
    let answer = shop.send(ev(Kind::Paid, "DY-1"));
    assert_eq!(reason(&answer), Some(Reason::OutOfStock));
    assert_eq!(shop.state("DY-1"), Some(OrderState::Expired));
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 3,
            held: 0,
            committed: 2,
            available: 1
        }
    );
    assert_eq!(shop.sku("HOODIE").sold_units, 2);
}
