//! Every event is judged once: retries get the first answer, refusals are not remembered.

use super::*;

#[test]
fn a_retry_of_an_accepted_event_is_a_duplicate_with_the_first_seq_and_is_not_journaled() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    let created = OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    };
    assert_eq!(shop.send(created.clone()), Answer::Accepted { seq: 2 });
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 1)]),
        ..ev(Kind::Created, "DY-2")
    });
    let before = shop.pool.snapshot();
    // Even a retry that says something else is answered from memory.
    let changed = OrderEvent {
        lines: lines(&[("HOODIE", 9)]),
        ..created.clone()
    };
    for retry in [created, changed] {
        let effect = shop.apply(Command::Order { event: retry }).unwrap();
        assert_eq!(
            effect,
            Effect {
                journal: false,
                outcome: Outcome::Order(Answer::Duplicate { seq: 2 }),
                changed: Vec::new(),
            }
        );
        assert_eq!(shop.pool.snapshot(), before);
    }
    assert_eq!(shop.pool.seq(), 3);
}

#[test]
fn a_retry_of_a_rejected_event_gets_the_same_rejection_and_is_not_journaled() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    let greedy = OrderEvent {
        lines: lines(&[("HOODIE", 20)]),
        ..ev(Kind::Created, "DY-1")
    };
    let first = shop.send(greedy.clone());
    assert_eq!(reason(&first), Some(Reason::OutOfStock));
    assert_eq!(first.seq(), 2);
    // Stock arrives; the event was judged once and stays judged.
    shop.apply(Command::Move {
        sku: code("HOODIE"),
        movement: movement(MovementKind::Receive, 50),
    })
    .unwrap();
    let before = shop.pool.snapshot();
    let effect = shop.apply(Command::Order { event: greedy }).unwrap();
    assert_eq!(
        effect,
        Effect {
            journal: false,
            outcome: Outcome::Order(first),
            changed: Vec::new(),
        }
    );
    assert_eq!(shop.pool.snapshot(), before);
    assert_eq!(shop.buckets("HOODIE").held, 0);
}

#[test]
fn a_refused_event_is_not_remembered() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    let before = shop.pool.snapshot();
    let unknown = OrderEvent {
        lines: lines(&[("HOODIE", 1), ("GHOST", 1)]),
        ..ev(Kind::Created, "DY-1")
    };
    let refusal = shop
        .apply(Command::Order {
            event: unknown.clone(),
        })
        .unwrap_err();
    assert_eq!(refusal.code, RefusalCode::UnknownSku);
    assert_eq!(refusal.field.as_deref(), Some("lines[1].sku"));
    let bare_payment = ev(Kind::Paid, "DY-2");
    let refusal = shop
        .apply(Command::Order {
            event: bare_payment,
        })
        .unwrap_err();
    assert_eq!(refusal.code, RefusalCode::Invalid);
    assert_eq!(refusal.field.as_deref(), Some("lines"));
    let refusal = shop
        .apply(Command::Order {
            event: ev(Kind::Created, "DY-3"),
        })
        .unwrap_err();
    assert_eq!(refusal.field.as_deref(), Some("lines"));
    assert_eq!(shop.pool.snapshot(), before);
    assert!(shop.pool.order(&key("douyin", "DY-1")).is_none());
    // Once the SKU exists and the payment carries its lines, the same keys are judged afresh.
    shop.apply(Command::CreateSkus {
        skus: vec![new_sku("GHOST", 5, 100)],
    })
    .unwrap();
    assert!(accepted(&shop.send(unknown)));
    assert!(accepted(&shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 1)]),
        ..ev(Kind::Paid, "DY-2")
    })));
}
