//! Shipments and refunds that overtake the payment are parked and carried out by it.

use super::*;
use crate::domain::types::RoomId;

/// The kinds parked on an order of the douyin channel.
fn parked(shop: &Shop, order_id: &str) -> Vec<Kind> {
    shop.pool
        .order(&key("douyin", order_id))
        .map_or(Vec::new(), |o| o.parked.clone())
}

/// Sends an event and returns the SKUs its effect names as changed.
fn changed_by(shop: &mut Shop, event: OrderEvent) -> Vec<SkuCode> {
    match shop.apply(Command::Order { event }) {
        Ok(Effect {
            outcome: Outcome::Order(Answer::Accepted { .. }),
            changed,
            ..
        }) => changed,
        other => panic!("expected an accepted event, got {other:?}"),
    }
}

#[test]
fn a_shipment_before_the_payment_is_parked_and_the_payment_ships_it() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    let before = shop.pool.snapshot().skus;
    // The warehouse's webhook overtakes the payment: accepted, journaled, nothing moves yet.
    assert_eq!(
        shop.send(ev(Kind::Shipped, "DY-1")),
        Answer::Accepted { seq: 3 }
    );
    assert_eq!(shop.pool.seq(), 3);
    assert_eq!(shop.state("DY-1"), Some(OrderState::Held));
    assert_eq!(parked(&shop, "DY-1"), [Kind::Shipped]);
    assert_eq!(shop.pool.snapshot().skus, before);
    let changed = changed_by(&mut shop, ev(Kind::Paid, "DY-1"));
    assert_eq!(changed, [code("HOODIE")]);
    assert_eq!(shop.state("DY-1"), Some(OrderState::Shipped));
    assert_eq!(parked(&shop, "DY-1"), []);
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 7,
            held: 0,
            committed: 0,
            available: 7
        }
    );
    assert_eq!(shop.sku("HOODIE").sold_units, 3);
    assert_eq!(shop.sku("HOODIE").gmv_cents, 3 * 19_900);
    // The shipment is not carried out twice by a refund that follows: that is a return.
    assert!(accepted(&shop.send(ev(Kind::Refunded, "DY-1"))));
    assert_eq!(shop.state("DY-1"), Some(OrderState::Returned));
    assert_eq!(shop.buckets("HOODIE").on_hand, 7);
}

#[test]
fn a_refund_before_the_payment_is_parked_and_the_payment_refunds_it() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    // Parked on a hold this time: the hold stays as it was.
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    assert!(accepted(&shop.send(ev(Kind::Refunded, "DY-1"))));
    assert_eq!(shop.state("DY-1"), Some(OrderState::Held));
    assert_eq!(parked(&shop, "DY-1"), [Kind::Refunded]);
    assert_eq!(shop.buckets("HOODIE").held, 3);
    assert_eq!(
        changed_by(&mut shop, ev(Kind::Paid, "DY-1")),
        [code("HOODIE")]
    );
    assert_eq!(shop.state("DY-1"), Some(OrderState::Refunded));
    assert_eq!(parked(&shop, "DY-1"), []);
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 10,
            held: 0,
            committed: 0,
            available: 10
        }
    );
    assert_eq!(shop.sku("HOODIE").sold_units, 0);
    assert_eq!(shop.sku("HOODIE").gmv_cents, 0);
    let order = shop.pool.order(&key("douyin", "DY-1")).unwrap();
    assert_eq!(order.refunded_ms, Some(T0_MS));
}

#[test]
fn a_shipment_and_a_refund_both_before_the_payment_make_a_return_when_it_comes() {
    // In either arrival order, the payment ships first and then refunds: a return.
    for first in [Kind::Refunded, Kind::Shipped] {
        let mut shop = Shop::new(vec![
            new_sku("HOODIE", 10, 19_900),
            new_sku("CAP", 5, 5_900),
        ]);
        let second = if first == Kind::Shipped {
            Kind::Refunded
        } else {
            Kind::Shipped
        };
        shop.send(OrderEvent {
            buyer: buyer("u1"),
            lines: lines(&[("HOODIE", 2), ("CAP", 1)]),
            ..ev(Kind::Created, "DY-1")
        });
        assert!(accepted(&shop.send(ev(first, "DY-1"))));
        assert!(accepted(&shop.send(ev(second, "DY-1"))));
        assert_eq!(parked(&shop, "DY-1"), [first, second]);
        let mut changed = changed_by(&mut shop, ev(Kind::Paid, "DY-1"));
        changed.sort();
        assert_eq!(changed, [code("CAP"), code("HOODIE")]);
        assert_eq!(shop.state("DY-1"), Some(OrderState::Returned), "{first:?}");
        assert_eq!(parked(&shop, "DY-1"), []);
        // The goods left; the money came back; the stock waits for the goods.
        assert_eq!(
            shop.buckets("HOODIE"),
            Buckets {
                on_hand: 8,
                held: 0,
                committed: 0,
                available: 8
            }
        );
        assert_eq!(shop.buckets("CAP").on_hand, 4);
        for sku in ["HOODIE", "CAP"] {
            assert_eq!(
                (shop.sku(sku).sold_units, shop.sku(sku).gmv_cents),
                (0, 0),
                "{sku}"
            );
        }
        // A snapshot carries the order as it now is.
        let restored = Pool::from_snapshot(shop.pool.snapshot(), CONFIG).unwrap();
        assert_eq!(restored.snapshot(), shop.pool.snapshot());
    }
}

#[test]
fn parked_events_carried_out_by_the_payment_leave_the_books_as_if_they_came_in_order() {
    let setup = || {
        let mut hoodie = new_sku("HOODIE", 10, 19_900);
        hoodie.per_buyer_limit = Some(Limit::new(5).unwrap());
        let mut shop = Shop::new(vec![hoodie]);
        let lineup = vec![crate::domain::show::LineupItem {
            sku: code("HOODIE"),
            planned_start: None,
            planned_rate_per_min: None,
        }];
        shop.apply(Command::CreateShow {
            show: crate::domain::show::NewShow {
                title: Name::new("double 11").unwrap(),
                lineup,
                planned_end: None,
            },
            room: RoomId::main(),
        })
        .unwrap();
        shop.apply(Command::StartShow {
            room: RoomId::main(),
        })
        .unwrap();
        shop
    };
    let created = |id: &str| OrderEvent {
        buyer: buyer("u1"),
        lines: lines(&[("HOODIE", 2)]),
        ..ev(Kind::Created, id)
    };
    let paid = |id: &str| ev(Kind::Paid, id);
    let (mut in_order, mut overtaken) = (setup(), setup());
    // One order shipped, one refunded, one returned; a fourth only paid.
    for (id, kinds) in [
        ("DY-1", &[Kind::Shipped][..]),
        ("DY-2", &[Kind::Refunded][..]),
        ("DY-3", &[Kind::Shipped, Kind::Refunded][..]),
        ("DY-4", &[][..]),
    ] {
        in_order.send(created(id));
        in_order.send(paid(id));
        for kind in kinds {
            in_order.send(ev(*kind, id));
        }
        overtaken.send(created(id));
        for kind in kinds.iter().rev() {
            overtaken.send(ev(*kind, id));
        }
        overtaken.send(paid(id));
        assert_eq!(overtaken.state(id), in_order.state(id), "{id}");
    }
    assert_eq!(
        overtaken.pool.snapshot().skus,
        in_order.pool.snapshot().skus
    );
    assert_eq!(overtaken.pool.show(), in_order.pool.show());
    let show = overtaken.pool.show().unwrap();
    assert_eq!(
        (show.orders, show.units, show.gmv_cents),
        (2, 4, 4 * 19_900)
    );
    // The buyer's limit counts the same live units: 2 shipped and 2 paid of 5, so 1 more fits.
    for shop in [&mut in_order, &mut overtaken] {
        let more = |id: &str, qty| OrderEvent {
            buyer: buyer("u1"),
            lines: lines(&[("HOODIE", qty)]),
            ..ev(Kind::Created, id)
        };
        assert_eq!(
            reason(&shop.send(more("DY-5", 2))),
            Some(Reason::LimitExceeded)
        );
        assert!(accepted(&shop.send(more("DY-6", 1))));
    }
}

#[test]
fn a_parked_event_changes_nothing_of_the_order_and_one_for_an_unknown_order_is_refused() {
    let mut shop = Shop::new(vec![
        new_sku("HOODIE", 10, 19_900),
        new_sku("CAP", 5, 5_900),
    ]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 2)]),
        ..ev(Kind::Created, "DY-1")
    });
    // Lines that a parked event brings are not the order's: the order's own lines ship and are
    // refunded.
    shop.send(OrderEvent {
        lines: lines(&[("CAP", 1)]),
        ..ev(Kind::Shipped, "DY-1")
    });
    shop.send(OrderEvent {
        lines: lines(&[("CAP", 4)]),
        ..ev(Kind::Refunded, "DY-1")
    });
    let order = shop.pool.order(&key("douyin", "DY-1")).unwrap();
    let skus: Vec<_> = order.lines.iter().map(|l| (l.sku.clone(), l.qty)).collect();
    assert_eq!(skus, [(code("HOODIE"), Qty::new(2).unwrap())]);
    assert_eq!(shop.buckets("CAP").available, 5);
    assert_eq!(
        changed_by(&mut shop, ev(Kind::Paid, "DY-1")),
        [code("HOODIE")]
    );
    assert_eq!(shop.state("DY-1"), Some(OrderState::Returned));
    assert_eq!(shop.buckets("HOODIE").on_hand, 8);
    assert_eq!(shop.buckets("CAP").on_hand, 5);
    // A shipment or refund for an order the pool has never seen is refused (API.md: 409), parks
    // nothing, changes nothing and is not journaled: a mistyped order id must not wait unnoticed
    // for a payment.
    let before = shop.pool.snapshot();
    for kind in [Kind::Shipped, Kind::Refunded] {
        let effect = shop
            .apply(Command::Order {
                event: ev(kind, "DY-2"),
            })
            .unwrap();
        assert!(!effect.journal, "{kind:?}");
        assert_eq!(
            reason(&outcome_answer(&effect)),
            Some(Reason::InvalidTransition),
            "{kind:?}"
        );
    }
    assert_eq!(shop.pool.snapshot(), before);
    // Nor is it remembered: once the order is in, the channel's retry of the shipment ships it.
    shop.send(OrderEvent {
        lines: lines(&[("CAP", 1)]),
        ..ev(Kind::Paid, "DY-2")
    });
    assert_eq!(shop.state("DY-2"), Some(OrderState::Paid));
    assert!(accepted(&shop.send(ev(Kind::Shipped, "DY-2"))));
    assert_eq!(shop.state("DY-2"), Some(OrderState::Shipped));
    assert_eq!(shop.buckets("CAP").on_hand, 4);
}

/// The answer an order command's effect carries.
fn outcome_answer(effect: &Effect) -> Answer {
    match &effect.outcome {
        Outcome::Order(answer) => answer.clone(),
        other => panic!("not an order's answer: {other:?}"),
    }
}

#[test]
fn a_payment_after_expiry_carries_out_what_was_parked_and_a_refused_one_leaves_it_parked() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 3, 19_900)]);
    for id in ["DY-1", "DY-2"] {
        shop.send(OrderEvent {
            lines: lines(&[("HOODIE", 2)]),
            ..ev(Kind::Created, id)
        });
        if id == "DY-1" {
            shop.now_ms += TTL_MS;
            shop.expire_due();
        }
        shop.send(ev(Kind::Shipped, id));
    }
    assert_eq!(shop.state("DY-1"), Some(OrderState::Expired));
    assert_eq!(shop.state("DY-2"), Some(OrderState::Held));
    // DY-1's units went to DY-2 meanwhile: its payment is out of stock and nothing ships.
    assert_eq!(
        reason(&shop.send(ev(Kind::Paid, "DY-1"))),
        Some(Reason::OutOfStock)
    );
    assert_eq!(parked(&shop, "DY-1"), [Kind::Shipped]);
    assert_eq!(shop.buckets("HOODIE").on_hand, 3);
    shop.send(ev(Kind::Paid, "DY-2"));
    assert_eq!(shop.state("DY-2"), Some(OrderState::Shipped));
    assert_eq!(
        shop.buckets("HOODIE"),
        Buckets {
            on_hand: 1,
            held: 0,
            committed: 0,
            available: 1
        }
    );
}

#[test]
fn a_cancel_after_parked_events_cancels_and_they_never_apply() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    // Parked on a hold, then cancelled: the hold is released, nothing ships or is refunded.
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    shop.send(ev(Kind::Shipped, "DY-1"));
    shop.send(ev(Kind::Refunded, "DY-1"));
    assert!(accepted(&shop.send(ev(Kind::Cancelled, "DY-1"))));
    assert_eq!(shop.state("DY-1"), Some(OrderState::Cancelled));
    assert_eq!(parked(&shop, "DY-1"), [Kind::Shipped, Kind::Refunded]);
    // Parked on an expired hold, then cancelled.
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 2)]),
        ..ev(Kind::Created, "DY-2")
    });
    shop.send(ev(Kind::Refunded, "DY-2"));
    shop.now_ms += TTL_MS;
    assert_eq!(shop.expire_due(), 1);
    assert!(accepted(&shop.send(ev(Kind::Cancelled, "DY-2"))));
    assert_eq!(shop.state("DY-2"), Some(OrderState::Cancelled));
    assert_eq!(parked(&shop, "DY-2"), [Kind::Refunded]);
    let untouched = Buckets {
        on_hand: 10,
        held: 0,
        committed: 0,
        available: 10,
    };
    assert_eq!(shop.buckets("HOODIE"), untouched);
    // A payment after the cancel is still an invalid transition: the parked events stay put.
    for id in ["DY-1", "DY-2"] {
        let answer = shop.send(OrderEvent {
            lines: lines(&[("HOODIE", 1)]),
            ..ev(Kind::Paid, id)
        });
        assert_eq!(reason(&answer), Some(Reason::InvalidTransition), "{id}");
    }
    assert_eq!(shop.buckets("HOODIE"), untouched);
    assert_eq!(
        (shop.sku("HOODIE").sold_units, shop.sku("HOODIE").gmv_cents),
        (0, 0)
    );
    // And the snapshot carries what stays parked.
    let restored = Pool::from_snapshot(shop.pool.snapshot(), CONFIG).unwrap();
    assert_eq!(
        restored.order(&key("douyin", "DY-1")).unwrap().parked,
        [Kind::Shipped, Kind::Refunded]
    );
    assert_eq!(restored.snapshot(), shop.pool.snapshot());
}

#[test]
fn a_retry_of_a_parked_event_is_a_duplicate_before_and_after_the_payment() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 1)]),
        ..ev(Kind::Created, "DY-1")
    });
    let shipped = ev(Kind::Shipped, "DY-1");
    let refunded = ev(Kind::Refunded, "DY-1");
    assert_eq!(shop.send(shipped.clone()), Answer::Accepted { seq: 3 });
    assert_eq!(shop.send(refunded.clone()), Answer::Accepted { seq: 4 });
    let retry = |shop: &mut Shop, event: &OrderEvent, seq| {
        let before = shop.pool.snapshot();
        let effect = shop
            .apply(Command::Order {
                event: event.clone(),
            })
            .unwrap();
        assert_eq!(
            effect,
            Effect {
                journal: false,
                outcome: Outcome::Order(Answer::Duplicate { seq }),
                changed: Vec::new(),
            }
        );
        assert_eq!(shop.pool.snapshot(), before);
    };
    retry(&mut shop, &shipped, 3);
    retry(&mut shop, &refunded, 4);
    assert_eq!(parked(&shop, "DY-1"), [Kind::Shipped, Kind::Refunded]);
    shop.send(ev(Kind::Paid, "DY-1"));
    assert_eq!(shop.state("DY-1"), Some(OrderState::Returned));
    // After the payment carried them out, a retry is still answered from memory and ships nothing
    // again.
    retry(&mut shop, &shipped, 3);
    retry(&mut shop, &refunded, 4);
    assert_eq!(shop.buckets("HOODIE").on_hand, 9);
    assert_eq!(shop.pool.seq(), 5);
}
