//! Tests of the pool: the order lifecycle one event at a time with the time passed in, and
//! properties over random command sequences (never oversold, sales and GMV add up, limits hold,
//! replay and snapshots rebuild the very same pool).

use super::order::{Answer, Channel, Kind, Line, Order, OrderEvent, OrderKey, OrderState, Reason};
use super::stock::{Movement, MovementKind, NewSku, Sku, SkuPatch};
use super::types::{Category, Cents, Ident, Limit, Name, Note, Qty, SkuCode, Units};
use super::{Command, Ctx, Effect, Outcome, Pool, PoolConfig, Refusal, RefusalCode};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// A moment during a show: 2026-11-24 20:01:02.123 +08:00.
const T0_MS: i64 = 1_795_521_662_123;
/// A short hold life so the tests can pass it.
const TTL_MS: i64 = 60_000;
const CONFIG: PoolConfig = PoolConfig {
    hold_ttl_ms: TTL_MS,
};

fn code(raw: &str) -> SkuCode {
    SkuCode::parse(raw).unwrap()
}

fn new_sku(sku: &str, on_hand: i64, price_cents: i64) -> NewSku {
    NewSku {
        sku: code(sku),
        name: Name::new(sku).unwrap(),
        category: Category::new("apparel").unwrap(),
        price_cents: Cents::new(price_cents).unwrap(),
        on_hand: Units::new(on_hand).unwrap(),
        buffer: Units::default(),
        damaged: Units::default(),
        per_buyer_limit: None,
        presale_cap: Units::default(),
    }
}

/// An event on the douyin channel with nothing but its id and kind; fill the rest with `..ev(..)`.
fn ev(kind: Kind, order_id: &str) -> OrderEvent {
    OrderEvent {
        channel: Channel::new("douyin").unwrap(),
        order_id: Ident::new(order_id).unwrap(),
        kind,
        buyer: None,
        address: None,
        lines: Vec::new(),
        presale: false,
        at: None,
    }
}

fn lines(units: &[(&str, i64)]) -> Vec<Line> {
    units
        .iter()
        .map(|(sku, qty)| Line {
            sku: code(sku),
            qty: Qty::new(*qty).unwrap(),
            unit_price_cents: None,
        })
        .collect()
}

fn buyer(name: &str) -> Option<Ident> {
    Some(Ident::new(name).unwrap())
}

fn key(channel: &str, order_id: &str) -> OrderKey {
    OrderKey {
        channel: channel.to_owned(),
        order_id: order_id.to_owned(),
    }
}

fn movement(kind: MovementKind, qty: i64) -> Movement {
    Movement {
        kind,
        qty,
        reason: Some(Note::new("shelf recount").unwrap()),
        by: Ident::new("li").unwrap(),
        verified_by: Some(Ident::new("wang").unwrap()),
        zone: None,
        batch: None,
    }
}

/// The spot buckets of one SKU that orders move.
#[derive(Debug, PartialEq, Eq)]
struct Buckets {
    on_hand: i64,
    held: i64,
    committed: i64,
    available: i64,
}

/// A pool on a controlled clock that numbers commands as the writer does and keeps what it journals.
struct Shop {
    pool: Pool,
    now_ms: i64,
    /// Every command whose effect was journaled, with its ctx and that effect.
    journaled: Vec<(Command, Ctx, Effect)>,
}

impl Shop {
    fn new(skus: Vec<NewSku>) -> Self {
        let mut shop = Shop {
            pool: Pool::new(CONFIG),
            now_ms: T0_MS,
            journaled: Vec::new(),
        };
        shop.apply(Command::CreateSkus { skus })
            .expect("the catalog is valid");
        shop
    }

    fn apply(&mut self, cmd: Command) -> Result<Effect, Refusal> {
        let ctx = Ctx {
            seq: self.pool.seq() + 1,
            now_ms: self.now_ms,
        };
        let result = self.pool.apply(&cmd, ctx);
        if let Ok(effect) = &result
            && effect.journal
        {
            self.journaled.push((cmd, ctx, effect.clone()));
        }
        result
    }

    /// Sends an event that must be judged (not refused) and returns the answer.
    fn send(&mut self, event: OrderEvent) -> Answer {
        match self.apply(Command::Order { event }) {
            Ok(Effect {
                outcome: Outcome::Order(answer),
                ..
            }) => answer,
            other => panic!("an order event gave {other:?}"),
        }
    }

    /// Releases every hold due now, as the writer's tick does; returns how many expired.
    fn expire_due(&mut self) -> usize {
        let orders = self.pool.due_holds(self.now_ms);
        match self.apply(Command::Expire { orders }) {
            Ok(Effect {
                outcome: Outcome::Expired(n),
                ..
            }) => n,
            other => panic!("an expiry gave {other:?}"),
        }
    }

    fn sku(&self, sku: &str) -> &Sku {
        self.pool.sku(&code(sku)).expect("a known SKU")
    }

    fn buckets(&self, sku: &str) -> Buckets {
        let s = self.sku(sku);
        Buckets {
            on_hand: s.on_hand,
            held: s.held,
            committed: s.committed,
            available: s.available(),
        }
    }

    fn state(&self, order_id: &str) -> Option<OrderState> {
        self.pool
            .order(&key("douyin", order_id))
            .and_then(|o| o.state)
    }
}

fn accepted(answer: &Answer) -> bool {
    matches!(answer, Answer::Accepted { .. })
}

fn reason(answer: &Answer) -> Option<Reason> {
    match answer {
        Answer::Rejected { rejection, .. } => Some(rejection.reason),
        _ => None,
    }
}

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
        let lineup = vec![super::show::LineupItem {
            sku: code("HOODIE"),
            planned_start: None,
            planned_rate_per_min: None,
        }];
        shop.apply(Command::CreateShow {
            show: super::show::NewShow {
                title: Name::new("double 11").unwrap(),
                lineup,
            },
        })
        .unwrap();
        shop.apply(Command::StartShow).unwrap();
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

/// How a test brings an order to a state.
#[derive(Clone, Copy, Debug)]
enum Step {
    Send(Kind),
    ExpireAfterTtl,
}

/// The kinds an order holds parked after `kind` was accepted from `before` into `after`: a
/// shipment or refund before payment joins them, the payment carries them all out, anything else
/// leaves them be (a cancel too: they stay parked, harmless).
fn parked_after(
    kind: Kind,
    before: Option<OrderState>,
    after: Option<OrderState>,
    parked: &[Kind],
) -> Vec<Kind> {
    let unpaid = matches!(before, Some(OrderState::Held | OrderState::Expired));
    match kind {
        Kind::Shipped | Kind::Refunded if unpaid && after == before => {
            let mut p = parked.to_vec();
            p.push(kind);
            p
        }
        Kind::Paid => Vec::new(),
        _ => parked.to_vec(),
    }
}

#[test]
fn every_transition_outside_the_lifecycle_is_rejected_and_early_shipments_and_refunds_are_parked() {
    use Kind::{Cancelled as C, Created as Cr, Paid as P, Refunded as R, Shipped as Sh};
    use OrderState::{
        Cancelled as Cn, Expired as Ex, Held as H, Paid as Pd, Refunded as Rf, Returned as Rt,
        Shipped as Shp,
    };
    use Step::{ExpireAfterTtl as X, Send as S};
    // (how to get there, the state it gives, the kinds parked there, the kinds not yet sent that
    // are accepted there with the state each leads to); every other kind not yet sent is rejected
    // as invalid_transition and changes nothing.
    #[allow(clippy::type_complexity)] // a table row reads best flat
    let table: &[(
        &[Step],
        Option<OrderState>,
        &[Kind],
        &[(Kind, Option<OrderState>)],
    )] = &[
        (
            &[],
            None,
            &[],
            &[(Cr, Some(H)), (P, Some(Pd)), (C, Some(Cn))],
        ),
        (
            &[S(Cr)],
            Some(H),
            &[],
            &[(P, Some(Pd)), (C, Some(Cn)), (R, Some(H)), (Sh, Some(H))],
        ),
        (
            &[S(P)],
            Some(Pd),
            &[],
            &[(Cr, Some(Pd)), (R, Some(Rf)), (Sh, Some(Shp))],
        ),
        (
            &[S(Cr), S(P)],
            Some(Pd),
            &[],
            &[(R, Some(Rf)), (Sh, Some(Shp))],
        ),
        (
            &[S(P), S(Sh)],
            Some(Shp),
            &[],
            &[(Cr, Some(Shp)), (R, Some(Rt))],
        ),
        (&[S(Cr), S(C)], Some(Cn), &[], &[]),
        (&[S(C)], Some(Cn), &[], &[(Cr, Some(Cn))]),
        (
            &[S(Cr), X],
            Some(Ex),
            &[],
            &[(P, Some(Pd)), (C, Some(Cn)), (R, Some(Ex)), (Sh, Some(Ex))],
        ),
        (&[S(P), S(R)], Some(Rf), &[], &[(Cr, Some(Rf))]),
        (&[S(P), S(Sh), S(R)], Some(Rt), &[], &[(Cr, Some(Rt))]),
        (&[S(Cr), S(P), S(Sh), S(R)], Some(Rt), &[], &[]),
        // Shipments and refunds that overtook the payment wait, parked, on a hold ...
        (
            &[S(Cr), S(Sh)],
            Some(H),
            &[Sh],
            &[(P, Some(Shp)), (C, Some(Cn)), (R, Some(H))],
        ),
        (
            &[S(Cr), S(R)],
            Some(H),
            &[R],
            &[(P, Some(Rf)), (C, Some(Cn)), (Sh, Some(H))],
        ),
        (
            &[S(Cr), S(Sh), S(R)],
            Some(H),
            &[Sh, R],
            &[(P, Some(Rt)), (C, Some(Cn))],
        ),
        // ... and on an expired hold, through its expiry.
        (
            &[S(Cr), X, S(Sh)],
            Some(Ex),
            &[Sh],
            &[(P, Some(Shp)), (C, Some(Cn)), (R, Some(Ex))],
        ),
        (
            &[S(Cr), S(Sh), X],
            Some(Ex),
            &[Sh],
            &[(P, Some(Shp)), (C, Some(Cn)), (R, Some(Ex))],
        ),
        // The payment carries them out, shipped first, whatever order they came in.
        (&[S(Cr), S(R), S(Sh), S(P)], Some(Rt), &[], &[]),
        (&[S(Cr), S(Sh), S(P)], Some(Shp), &[], &[(R, Some(Rt))]),
        (&[S(Cr), S(R), S(P)], Some(Rf), &[], &[]),
        (&[S(Cr), X, S(R), S(P)], Some(Rf), &[], &[]),
        // A cancel leaves them parked for good: they never apply.
        (&[S(Cr), S(Sh), S(C)], Some(Cn), &[Sh], &[]),
        (&[S(Cr), S(R), X, S(C)], Some(Cn), &[R], &[]),
    ];
    for (path, state, parked, allowed) in table {
        let sent: Vec<Kind> = path
            .iter()
            .filter_map(|s| match s {
                S(k) => Some(*k),
                X => None,
            })
            .collect();
        for kind in Kind::ALL.into_iter().filter(|k| !sent.contains(k)) {
            let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
            for step in *path {
                match step {
                    S(k) => assert!(
                        accepted(&shop.send(OrderEvent {
                            lines: lines(&[("HOODIE", 1)]),
                            ..ev(*k, "DY-1")
                        })),
                        "{path:?}"
                    ),
                    X => {
                        shop.now_ms += TTL_MS;
                        assert_eq!(shop.expire_due(), 1);
                    }
                }
            }
            let parked_now = |shop: &Shop| {
                shop.pool
                    .order(&key("douyin", "DY-1"))
                    .map_or(Vec::new(), |o| o.parked.clone())
            };
            assert_eq!(shop.state("DY-1"), *state, "{path:?}");
            assert_eq!(parked_now(&shop), *parked, "{path:?}");
            let before = shop.pool.snapshot().skus;
            let answer = shop.send(OrderEvent {
                lines: lines(&[("HOODIE", 1)]),
                ..ev(kind, "DY-1")
            });
            let after = shop.state("DY-1");
            match allowed.iter().find(|(k, _)| *k == kind) {
                Some((_, to)) => {
                    assert!(accepted(&answer), "{kind:?} after {path:?}: {answer:?}");
                    assert_eq!(after, *to, "{kind:?} after {path:?}");
                    let now_parked = parked_after(kind, *state, after, parked);
                    assert_eq!(parked_now(&shop), now_parked, "{kind:?} after {path:?}");
                    if now_parked.len() > parked.len() {
                        assert_eq!(
                            shop.pool.snapshot().skus,
                            before,
                            "parking {kind:?} after {path:?}"
                        );
                    }
                }
                None => {
                    assert_eq!(
                        reason(&answer),
                        Some(Reason::InvalidTransition),
                        "{kind:?} after {path:?}"
                    );
                    assert_eq!(after, *state, "{kind:?} after {path:?}");
                    assert_eq!(parked_now(&shop), *parked, "{kind:?} after {path:?}");
                    assert_eq!(shop.pool.snapshot().skus, before, "{kind:?} after {path:?}");
                }
            }
        }
    }
}

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
    shop.pool =
        Pool::from_snapshot(shop.pool.snapshot(), PoolConfig { hold_ttl_ms: 5_000 }).unwrap();
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
    assert_eq!(refusal.code, RefusalCode::Invalid);
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

#[test]
fn movements_change_the_buckets_and_never_leave_less_than_nothing_to_sell() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    let mut move_ = |kind, qty| {
        shop.apply(Command::Move {
            sku: code("HOODIE"),
            movement: movement(kind, qty),
        })
    };
    assert!(move_(MovementKind::Receive, 5).is_ok());
    assert!(move_(MovementKind::Damage, 2).is_ok());
    assert_eq!(
        move_(MovementKind::Undamage, 3).unwrap_err().code,
        RefusalCode::Conflict
    );
    assert!(move_(MovementKind::Adjust, -1).is_ok());
    let count = move_(MovementKind::Count, 12).unwrap();
    match count.outcome {
        Outcome::Moved(record) => {
            assert_eq!(
                (record.book, record.counted, record.delta),
                (Some(14), Some(12), -2)
            );
        }
        other => panic!("a count gave {other:?}"),
    }
    assert_eq!(
        move_(MovementKind::Adjust, -11).unwrap_err().code,
        RefusalCode::Conflict
    );
    let sku = shop.sku("HOODIE");
    assert_eq!((sku.on_hand, sku.damaged, sku.available()), (12, 2, 10));
    assert_eq!(sku.base, 15, "receipts raise the base");
    assert_eq!(shop.pool.movements().len(), 4);
    // A buffer that would eat held stock is refused.
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 8)]),
        ..ev(Kind::Created, "DY-1")
    });
    let patch = SkuPatch {
        buffer: Some(Units::new(3).unwrap()),
        ..SkuPatch::default()
    };
    let refusal = shop
        .apply(Command::PatchSku {
            sku: code("HOODIE"),
            patch,
        })
        .unwrap_err();
    assert_eq!(refusal.field.as_deref(), Some("buffer"));
    assert_eq!(shop.sku("HOODIE").buffer, 0);
}

// ---------------------------------------------------------------------------------------------
// Properties over random command sequences.

const CHANNELS: [&str; 3] = ["douyin", "kuaishou", "taobao"];
const ORDER_IDS: usize = 8;
const BUYERS: usize = 3;
/// How many SKU picks a line draws from: the last names a SKU that does not exist, the others
/// wrap over the catalog.
const SKU_PICKS: usize = 8;

#[derive(Clone, Debug)]
struct CatalogEntry {
    on_hand: i64,
    buffer: i64,
    damaged: i64,
    price_cents: i64,
    per_buyer_limit: Option<i64>,
    presale_cap: i64,
}

#[derive(Clone, Debug)]
enum Op {
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
}

fn catalog_strategy() -> impl Strategy<Value = Vec<CatalogEntry>> {
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

fn op_strategy() -> impl Strategy<Value = Op> {
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
    prop_oneof![
        10 => order,
        3 => any::<prop::sample::Index>().prop_map(Op::Retry),
        2 => (0..=2 * TTL_MS).prop_map(|advance_ms| Op::Tick { advance_ms }),
        2 => movement,
        1 => patch,
    ]
}

fn sku_code(i: usize) -> SkuCode {
    code(&format!("S{i}"))
}

/// A pool under test with a model of what it must hold, checked after every command.
struct Harness {
    shop: Shop,
    catalog_len: usize,
    /// Every order event sent, for retries.
    sent: Vec<OrderEvent>,
    /// The first judgement of every `(channel, order_id, kind)`.
    judged: HashMap<(String, String, Kind), Answer>,
    /// The shipments and refunds accepted before their order was paid and not yet carried out, per
    /// order, in arrival order.
    parked: HashMap<OrderKey, Vec<Kind>>,
    /// Physical units per SKU as the movements and shipments say.
    on_hand: BTreeMap<SkuCode, i64>,
    damaged: BTreeMap<SkuCode, i64>,
    /// A pool rebuilt from a snapshot, fed the same commands, that must answer the same way.
    twin: Option<Pool>,
}

fn live(state: Option<OrderState>) -> bool {
    matches!(
        state,
        Some(OrderState::Held | OrderState::Paid | OrderState::Shipped)
    )
}

fn sold(state: Option<OrderState>) -> bool {
    matches!(state, Some(OrderState::Paid | OrderState::Shipped))
}

/// Whether the order has been paid (whatever happened after).
fn paid(state: Option<OrderState>) -> bool {
    matches!(
        state,
        Some(OrderState::Paid | OrderState::Shipped | OrderState::Refunded | OrderState::Returned)
    )
}

/// Whether the order's units have left the warehouse.
fn shipped(state: Option<OrderState>) -> bool {
    matches!(state, Some(OrderState::Shipped | OrderState::Returned))
}

impl Harness {
    fn new(catalog: &[CatalogEntry]) -> Self {
        let skus: Vec<NewSku> = catalog
            .iter()
            .enumerate()
            .map(|(i, c)| NewSku {
                buffer: Units::new(c.buffer).unwrap(),
                damaged: Units::new(c.damaged).unwrap(),
                per_buyer_limit: c.per_buyer_limit.map(|l| Limit::new(l).unwrap()),
                presale_cap: Units::new(c.presale_cap).unwrap(),
                ..new_sku(&format!("S{i}"), c.on_hand, c.price_cents)
            })
            .collect();
        let on_hand = (0..catalog.len())
            .map(|i| (sku_code(i), catalog[i].on_hand))
            .collect();
        let damaged = (0..catalog.len())
            .map(|i| (sku_code(i), catalog[i].damaged))
            .collect();
        let harness = Harness {
            shop: Shop::new(skus),
            catalog_len: catalog.len(),
            sent: Vec::new(),
            judged: HashMap::new(),
            parked: HashMap::new(),
            on_hand,
            damaged,
            twin: None,
        };
        harness.check_books();
        harness
    }

    fn sku_pick(&self, pick: usize) -> SkuCode {
        if pick + 1 == SKU_PICKS {
            code("NO-SUCH-SKU")
        } else {
            sku_code(pick % self.catalog_len)
        }
    }

    fn run(&mut self, op: &Op) {
        self.shop.now_ms += 250;
        match op {
            Op::Order {
                channel,
                order,
                kind,
                buyer: who,
                lines: picks,
                presale,
            } => {
                let lines = picks
                    .iter()
                    .map(|(pick, qty, price)| Line {
                        sku: self.sku_pick(*pick),
                        qty: Qty::new(*qty).unwrap(),
                        unit_price_cents: price.map(|p| Cents::new(p).unwrap()),
                    })
                    .collect();
                let event = OrderEvent {
                    channel: Channel::new(CHANNELS[*channel]).unwrap(),
                    buyer: who.and_then(|b| buyer(&format!("b{b}"))),
                    lines,
                    presale: *presale,
                    ..ev(*kind, &format!("O{order}"))
                };
                self.order(event);
            }
            Op::Retry(index) => {
                if !self.sent.is_empty() {
                    let event = self.sent[index.index(self.sent.len())].clone();
                    self.order(event);
                }
            }
            Op::Tick { advance_ms } => {
                self.shop.now_ms += advance_ms;
                let due = self.shop.pool.due_holds(self.shop.now_ms);
                if let Some(twin) = &self.twin {
                    assert_eq!(twin.due_holds(self.shop.now_ms), due);
                }
                for key in &due {
                    let order = self.shop.pool.order(key).unwrap();
                    assert!(order.expires_ms.unwrap() <= self.shop.now_ms);
                }
                let effect = self
                    .apply(Command::Expire {
                        orders: due.clone(),
                    })
                    .expect("an expiry is never refused");
                assert_eq!(effect.outcome, Outcome::Expired(due.len()));
                for key in &due {
                    assert_eq!(
                        self.shop.pool.order(key).unwrap().state,
                        Some(OrderState::Expired)
                    );
                }
            }
            Op::Move {
                sku,
                kind,
                qty,
                same_person,
            } => {
                let sku = sku_code(sku % self.catalog_len);
                let mut m = movement(*kind, *qty);
                if *same_person {
                    m.verified_by = Some(m.by.clone());
                }
                let result = self.apply(Command::Move {
                    sku: sku.clone(),
                    movement: m,
                });
                if result.is_ok() {
                    let on_hand = self.on_hand.get_mut(&sku).unwrap();
                    let damaged = self.damaged.get_mut(&sku).unwrap();
                    match kind {
                        MovementKind::Receive | MovementKind::Adjust => *on_hand += qty,
                        MovementKind::Count => *on_hand = *qty,
                        MovementKind::Damage => *damaged += qty,
                        MovementKind::Undamage => *damaged -= qty,
                    }
                }
            }
            Op::Patch {
                sku,
                buffer,
                per_buyer_limit,
                price_cents,
                presale_cap,
            } => {
                let patch = SkuPatch {
                    buffer: buffer.map(|b| Units::new(b).unwrap()),
                    per_buyer_limit: per_buyer_limit.map(|l| l.map(|l| Limit::new(l).unwrap())),
                    price_cents: price_cents.map(|p| Cents::new(p).unwrap()),
                    presale_cap: presale_cap.map(|p| Units::new(p).unwrap()),
                    ..SkuPatch::default()
                };
                let _ = self.apply(Command::PatchSku {
                    sku: sku_code(sku % self.catalog_len),
                    patch,
                });
            }
        }
        self.check_books();
    }

    /// Applies a command to the pool (and its twin, which must agree), checking that a refusal or
    /// an unjournaled effect changed nothing and that a journaled one took its seq.
    fn apply(&mut self, cmd: Command) -> Result<Effect, Refusal> {
        let before = self.shop.pool.snapshot();
        let ctx = Ctx {
            seq: self.shop.pool.seq() + 1,
            now_ms: self.shop.now_ms,
        };
        let result = self.shop.apply(cmd.clone());
        match &result {
            Ok(effect) if effect.journal => assert_eq!(self.shop.pool.seq(), ctx.seq),
            _ => assert_eq!(self.shop.pool.snapshot(), before, "{cmd:?} gave {result:?}"),
        }
        if let Some(twin) = &mut self.twin {
            assert_eq!(
                twin.apply(&cmd, ctx),
                result,
                "the twin disagrees on {cmd:?}"
            );
        }
        result
    }

    fn order(&mut self, event: OrderEvent) {
        let id = (
            event.channel.as_str().to_owned(),
            event.order_id.as_str().to_owned(),
            event.kind,
        );
        let key = OrderKey {
            channel: id.0.clone(),
            order_id: id.1.clone(),
        };
        let state_before = self.shop.pool.order(&key).and_then(|o| o.state);
        let (expected_reason, expected_state) = self.expect(&event, &key);
        let seq = self.shop.pool.seq() + 1;
        self.sent.push(event.clone());
        let result = self.apply(Command::Order { event });
        if let Some(first) = self.judged.get(&id) {
            let again = match first {
                Answer::Accepted { seq } => Answer::Duplicate { seq: *seq },
                other => other.clone(),
            };
            let expected = Effect {
                journal: false,
                outcome: Outcome::Order(again),
                changed: Vec::new(),
            };
            assert_eq!(result, Ok(expected), "a retry of {id:?}");
            return;
        }
        if state_before.is_none() && matches!(id.2, Kind::Shipped | Kind::Refunded) {
            // Refused but not remembered: a retry once the order is in is judged afresh.
            match &result {
                Ok(Effect {
                    journal: false,
                    outcome: Outcome::Order(Answer::Rejected { seq: at, rejection }),
                    changed,
                }) => {
                    assert_eq!(*at, seq - 1, "{id:?}");
                    assert_eq!(rejection.reason, Reason::InvalidTransition, "{id:?}");
                    assert!(changed.is_empty());
                }
                Err(_) => {}
                other => panic!("{id:?} for an order never seen gave {other:?}"),
            }
            let order = self.shop.pool.order(&key);
            assert!(order.is_none_or(|o| o.judged[id.2.index()].is_none()));
            return;
        }
        let answer = match result {
            Err(_) => {
                let order = self.shop.pool.order(&key);
                assert!(order.is_none_or(|o| o.judged[id.2.index()].is_none()));
                return;
            }
            Ok(Effect {
                journal: true,
                outcome: Outcome::Order(answer),
                ..
            }) => answer,
            other => panic!("a first {id:?} gave {other:?}"),
        };
        assert_eq!(answer.seq(), seq);
        assert!(!matches!(answer, Answer::Duplicate { .. }));
        let order = self.shop.pool.order(&key).unwrap().clone();
        assert_eq!(
            reason(&answer),
            expected_reason,
            "{id:?} from {state_before:?}"
        );
        assert_eq!(order.state, expected_state, "{id:?} from {state_before:?}");
        if accepted(&answer) {
            match id.2 {
                Kind::Shipped | Kind::Refunded if !paid(state_before) => {
                    self.parked.entry(key.clone()).or_default().push(id.2);
                }
                Kind::Paid => {
                    self.parked.remove(&key);
                }
                _ => {}
            }
        }
        assert_eq!(
            order.parked,
            self.parked.get(&key).cloned().unwrap_or_default(),
            "{id:?} from {state_before:?}: parked"
        );
        // Units leave on_hand when the order ships: by its own `shipped`, or by the payment that
        // carries out a parked one.
        if !shipped(state_before) && shipped(order.state) && !order.presale {
            for (sku, qty) in Order::units_by_sku(&order.lines) {
                *self.on_hand.get_mut(&sku).unwrap() -= qty;
            }
        }
        let took = matches!(state_before, None | Some(OrderState::Expired))
            && matches!(id.2, Kind::Created | Kind::Paid);
        if accepted(&answer)
            && took
            && let Some(who) = &order.buyer
        {
            self.check_limits(who, &order);
        }
        self.judged.insert(id, answer);
    }

    /// What the lifecycle of SPEC A4 says a first event does: the reason it is rejected (none when
    /// accepted) and the order's state after it. A shipment or refund before payment is accepted and
    /// parked, changing nothing; the payment then carries out what is parked (per the model), shipped
    /// first, then refunded.
    fn expect(&self, ev: &OrderEvent, key: &OrderKey) -> (Option<Reason>, Option<OrderState>) {
        use OrderState as S;
        let order = self.shop.pool.order(key);
        let state = order.and_then(|o| o.state);
        let invalid = (Some(Reason::InvalidTransition), state);
        let parked = self.parked.get(key).map_or(&[][..], Vec::as_slice);
        // The state a payment leads to once the parked events are carried out.
        let paid = || match (
            parked.contains(&Kind::Shipped),
            parked.contains(&Kind::Refunded),
        ) {
            (false, false) => S::Paid,
            (true, false) => S::Shipped,
            (false, true) => S::Refunded,
            (true, true) => S::Returned,
        };
        match (ev.kind, state) {
            (Kind::Created | Kind::Paid, None) => {
                let to = if ev.kind == Kind::Paid {
                    paid()
                } else {
                    S::Held
                };
                match self.refusal_to_take(&ev.lines, ev.presale, ev.buyer.as_ref()) {
                    None => (None, Some(to)),
                    Some(reason) => (Some(reason), None),
                }
            }
            (Kind::Created, Some(_)) => (None, state),
            (Kind::Cancelled, None | Some(S::Held | S::Expired)) => (None, Some(S::Cancelled)),
            (Kind::Paid, Some(S::Held)) => (None, Some(paid())),
            (Kind::Paid, Some(S::Expired)) => {
                let o = order.unwrap();
                match self.refusal_to_take(&o.lines, o.presale, o.buyer.as_ref()) {
                    None => (None, Some(paid())),
                    Some(reason) => (Some(reason), state),
                }
            }
            (Kind::Shipped | Kind::Refunded, Some(S::Held | S::Expired)) => (None, state),
            (Kind::Refunded, Some(S::Paid)) => (None, Some(S::Refunded)),
            (Kind::Refunded, Some(S::Shipped)) => (None, Some(S::Returned)),
            (Kind::Shipped, Some(S::Paid)) => (None, Some(S::Shipped)),
            _ => invalid,
        }
    }

    /// Why the pool cannot take these lines now (SPEC A2, A5), computed from the orders: stock
    /// first, then the buyer's limit, line by line.
    fn refusal_to_take(
        &self,
        lines: &[Line],
        presale: bool,
        who: Option<&Ident>,
    ) -> Option<Reason> {
        let pool = &self.shop.pool;
        Order::units_by_sku(lines)
            .into_iter()
            .find_map(|(code, qty)| {
                // An unknown SKU gets the event refused before it is judged: nothing to predict.
                let sku = pool.sku(&code)?;
                let open = if presale {
                    sku.presale_available()
                } else {
                    sku.available()
                };
                if qty > open {
                    return Some(Reason::OutOfStock);
                }
                let (limit, who) = (sku.per_buyer_limit?, who?);
                let bought: i64 = pool
                    .orders()
                    .filter(|o| live(o.state) && o.buyer.as_ref() == Some(who))
                    .flat_map(|o| Order::units_by_sku(&o.lines))
                    .filter(|(c, _)| *c == code)
                    .map(|(_, q)| q)
                    .sum();
                (bought + qty > limit).then_some(Reason::LimitExceeded)
            })
    }

    /// After an order took stock, its buyer's live units are within every limit of its SKUs.
    fn check_limits(&self, who: &Ident, taken: &Order) {
        for (code, _) in Order::units_by_sku(&taken.lines) {
            let Some(limit) = self.shop.pool.sku(&code).unwrap().per_buyer_limit else {
                continue;
            };
            let units: i64 = self
                .shop
                .pool
                .orders()
                .filter(|o| live(o.state) && o.buyer.as_ref() == Some(who))
                .flat_map(|o| Order::units_by_sku(&o.lines))
                .filter(|(c, _)| *c == code)
                .map(|(_, q)| q)
                .sum();
            assert!(
                units <= limit,
                "{who:?} holds {units} of {code}, limit {limit}"
            );
        }
    }

    /// Every SKU's buckets agree with the orders and movements behind them, and every order holds
    /// parked exactly what the model says, only while it is unpaid (or cancelled, for good).
    fn check_books(&self) {
        let pool = &self.shop.pool;
        for order in pool.orders() {
            let parked = self.parked.get(&order.key).map_or(&[][..], Vec::as_slice);
            assert_eq!(order.parked, parked, "{:?}: parked", order.key);
            assert!(
                order.parked.is_empty() || !paid(order.state),
                "a paid order keeps parked events: {order:?}"
            );
        }
        assert!(
            self.parked
                .iter()
                .all(|(k, p)| !p.is_empty() && pool.order(k).is_some())
        );
        for sku in pool.skus() {
            let c = &sku.code;
            assert!(sku.invariant_holds(), "{sku:?}");
            assert_eq!(
                sku.available(),
                sku.on_hand - sku.damaged - sku.buffer - sku.held - sku.committed
            );
            assert!(sku.available() >= 0, "{sku:?}");
            let mut expect = [0i64; 6];
            let [held, committed, presale_held, presale_sold, sold_units, gmv] = &mut expect;
            for order in pool.orders() {
                for line in order.lines.iter().filter(|l| l.sku == *c) {
                    let qty = line.qty.get();
                    match (order.state, order.presale) {
                        (Some(OrderState::Held), false) => *held += qty,
                        (Some(OrderState::Held), true) => *presale_held += qty,
                        (Some(OrderState::Paid), false) => *committed += qty,
                        _ => {}
                    }
                    // A presale return keeps its units in presale_sold, as a spot return leaves stock
                    // alone: the presale pool is not reopened before the goods are back.
                    if order.presale
                        && matches!(
                            order.state,
                            Some(OrderState::Paid | OrderState::Shipped | OrderState::Returned)
                        )
                    {
                        *presale_sold += qty;
                    }
                    if sold(order.state) {
                        if !order.presale {
                            *sold_units += qty;
                        }
                        let price = line.unit_price_cents.map_or(sku.price_cents, |p| p.get());
                        *gmv += qty * price;
                    }
                }
            }
            let actual = [
                sku.held,
                sku.committed,
                sku.presale_held,
                sku.presale_sold,
                sku.sold_units,
                sku.gmv_cents,
            ];
            assert_eq!(
                actual, expect,
                "{c}: [held, committed, presale_held, presale_sold, sold_units, gmv_cents]"
            );
            assert_eq!(sku.on_hand, self.on_hand[c], "{c}: on_hand");
            assert_eq!(sku.damaged, self.damaged[c], "{c}: damaged");
        }
    }

    /// Replaying only the journaled commands, each with its ctx, rebuilds the same pool.
    fn check_replay(&self) {
        let mut fresh = Pool::new(CONFIG);
        for (cmd, ctx, effect) in &self.shop.journaled {
            assert_eq!(
                fresh.apply(cmd, *ctx).as_ref(),
                Ok(effect),
                "replaying {cmd:?}"
            );
        }
        assert_eq!(fresh.snapshot(), self.shop.pool.snapshot());
        assert_eq!(fresh.seq(), self.shop.pool.seq());
    }
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
