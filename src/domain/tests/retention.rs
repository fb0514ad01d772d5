//! Bounded order memory: closed orders are forgotten a retention window after their last event,
//! open ones never, and forgetting changes no stock.

use super::props::{Harness, catalog_strategy, op_strategy};
use super::*;
use crate::domain::order::retention::FORGET_BATCH_MAX;
use proptest::prelude::*;

const RETENTION_MS: i64 = CONFIG.order_retention_ms;

impl Shop {
    /// Forgets what is due now, as the writer's tick does; returns how many were forgotten.
    fn forget_due(&mut self) -> usize {
        let orders = self.pool.forgettable(self.now_ms);
        match self.apply(Command::Forget { orders }) {
            Ok(Effect {
                outcome: Outcome::Forgotten(n),
                ..
            }) => n,
            other => panic!("forgetting gave {other:?}"),
        }
    }
}

fn held(order_id: &str, qty: i64) -> OrderEvent {
    OrderEvent {
        lines: lines(&[("HOODIE", qty)]),
        buyer: buyer("ming"),
        ..ev(Kind::Created, order_id)
    }
}

#[test]
fn a_closed_order_is_forgotten_once_its_window_has_passed_and_an_open_one_never() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 19_900)]);
    shop.send(held("CANCELLED", 1));
    shop.send(ev(Kind::Cancelled, "CANCELLED"));
    shop.send(OrderEvent {
        kind: Kind::Paid,
        ..held("PAID", 2)
    });
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 1000)]),
        ..ev(Kind::Created, "REJECTED")
    });
    let closed_at = shop.now_ms;
    let before = shop.buckets("HOODIE");

    shop.now_ms = closed_at + RETENTION_MS - 1;
    assert!(shop.pool.forgettable(shop.now_ms).is_empty(), "not yet");
    shop.now_ms = closed_at + RETENTION_MS;
    let due = shop.pool.forgettable(shop.now_ms);
    assert_eq!(
        due,
        vec![key("douyin", "CANCELLED"), key("douyin", "REJECTED")]
    );
    assert_eq!(shop.forget_due(), 2);
    assert!(shop.pool.order(&key("douyin", "CANCELLED")).is_none());
    assert!(shop.pool.order(&key("douyin", "REJECTED")).is_none());
    assert_eq!(shop.state("PAID"), Some(OrderState::Paid), "open: kept");
    assert_eq!(shop.buckets("HOODIE"), before, "forgetting moves no stock");
    assert!(
        shop.pool
            .forgettable(shop.now_ms + 10 * RETENTION_MS)
            .is_empty()
    );

    // Forgotten, the key is new again: the same id opens a new order.
    assert!(accepted(&shop.send(held("CANCELLED", 1))));
    assert_eq!(shop.state("CANCELLED"), Some(OrderState::Held));
}

#[test]
fn an_event_on_a_closed_order_starts_its_window_again() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 19_900)]);
    shop.send(OrderEvent {
        kind: Kind::Paid,
        ..held("DY-1", 1)
    });
    shop.send(ev(Kind::Shipped, "DY-1"));
    let shipped_at = shop.now_ms;
    shop.now_ms += RETENTION_MS / 2;
    shop.send(ev(Kind::Refunded, "DY-1"));
    assert_eq!(shop.state("DY-1"), Some(OrderState::Returned));
    shop.now_ms = shipped_at + RETENTION_MS;
    assert_eq!(shop.forget_due(), 0, "the refund restarted the window");
    shop.now_ms = shipped_at + RETENTION_MS / 2 + RETENTION_MS;
    assert_eq!(shop.forget_due(), 1);
}

#[test]
fn a_forgotten_shipped_order_no_longer_counts_for_its_buyers_limit() {
    let mut hoodie = new_sku("HOODIE", 100, 19_900);
    hoodie.per_buyer_limit = Some(Limit::new(3).unwrap());
    let mut shop = Shop::new(vec![hoodie]);
    shop.send(OrderEvent {
        kind: Kind::Paid,
        ..held("DY-1", 3)
    });
    shop.send(ev(Kind::Shipped, "DY-1"));
    let more = held("DY-2", 1);
    assert_eq!(
        reason(&shop.send(more.clone())),
        Some(Reason::LimitExceeded),
        "a shipped order counts while remembered"
    );
    shop.now_ms += RETENTION_MS;
    // The rejected DY-2 and the shipped DY-1 both go.
    assert_eq!(shop.forget_due(), 2);
    assert!(accepted(&shop.send(more)));
}

#[test]
fn forgetting_goes_in_batches_and_skips_orders_that_reopened_or_are_unknown() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 1_000_000, 100)]);
    let n = FORGET_BATCH_MAX + 5;
    for i in 0..n {
        shop.send(OrderEvent {
            lines: lines(&[("HOODIE", 1)]),
            ..ev(Kind::Cancelled, &format!("C-{i}"))
        });
    }
    shop.now_ms += RETENTION_MS;
    assert_eq!(shop.pool.forgettable(shop.now_ms).len(), FORGET_BATCH_MAX);
    assert_eq!(shop.forget_due(), FORGET_BATCH_MAX);
    assert_eq!(shop.forget_due(), 5);
    // Keys that are gone or open are left alone, and nothing is journaled for them.
    shop.send(held("OPEN", 1));
    let effect = shop
        .apply(Command::Forget {
            orders: vec![key("douyin", "C-0"), key("douyin", "OPEN")],
        })
        .unwrap();
    assert!(!effect.journal, "{effect:?}");
    assert_eq!(shop.state("OPEN"), Some(OrderState::Held));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// Whatever happened, forgetting everything due moves no stock, keeps every open order, and
    /// replays and survives a snapshot like any other command.
    #[test]
    fn forgetting_moves_no_stock_keeps_open_orders_and_replays(
        catalog in catalog_strategy(),
        ops in prop::collection::vec(op_strategy(), 0..=150),
        wait_ms in 0..=2 * RETENTION_MS,
    ) {
        let mut h = Harness::new(&catalog);
        for op in &ops {
            h.run(op);
        }
        h.shop.now_ms += wait_ms;
        let restored = Pool::from_snapshot(h.shop.pool.snapshot(), CONFIG).unwrap();
        prop_assert_eq!(
            restored.forgettable(h.shop.now_ms),
            h.shop.pool.forgettable(h.shop.now_ms),
            "a snapshot keeps every window"
        );
        let before = h.shop.pool.snapshot();
        let forgotten = h.shop.forget_due();
        let after = h.shop.pool.snapshot();
        prop_assert_eq!(&after.skus, &before.skus, "no stock moved");
        prop_assert_eq!(after.orders.len() + forgotten, before.orders.len());
        let cutoff = h.shop.now_ms - RETENTION_MS;
        for order in &before.orders {
            let kept = after.orders.iter().any(|o| o.key == order.key);
            let due = order.closed_ms.is_some_and(|c| c <= cutoff);
            prop_assert_eq!(kept, !due, "{:?}", order);
            if order.closed_ms.is_none() {
                prop_assert!(matches!(order.state, Some(OrderState::Held | OrderState::Paid)), "{:?}", order);
            }
        }
        let mut fresh = Pool::new(CONFIG);
        for (cmd, ctx, effect) in &h.shop.journaled {
            let replayed = fresh.apply(cmd, *ctx);
            prop_assert_eq!(replayed.as_ref(), Ok(effect));
        }
        prop_assert_eq!(fresh.snapshot(), after);
    }
}
