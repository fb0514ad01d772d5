//! Money cannot overflow: the largest legal orders add up exactly to the edge of what the books
//! hold, and an event that would pass it is refused, naming the line, changing nothing.

use super::*;
use crate::domain::show::NewShow;
use crate::domain::types::RoomId;
use crate::domain::types::{LINE_UNITS_MAX, PRICE_CENTS_MAX};

/// The largest line there is: a million units at a hundred million yuan, 10^16 cents.
const LINE_CENTS_MAX: i64 = LINE_UNITS_MAX * PRICE_CENTS_MAX;
/// How many of those one `i64` of cents holds: 922 (and change).
const LINES_THE_BOOKS_HOLD: i64 = i64::MAX / LINE_CENTS_MAX;

/// A shop selling two SKUs at the highest price, with stock for more than the books can count.
fn dear_shop() -> Shop {
    Shop::new(vec![
        new_sku("GOLD", 1_000_000_000, PRICE_CENTS_MAX),
        new_sku("JADE", 1_000_000_000, PRICE_CENTS_MAX),
    ])
}

/// Pays one order of the largest line on `sku`.
fn pay_largest(shop: &mut Shop, id: &str, sku: &str) -> Result<Effect, Refusal> {
    let event = OrderEvent {
        lines: lines(&[(sku, LINE_UNITS_MAX)]),
        ..ev(Kind::Paid, id)
    };
    shop.apply(Command::Order { event })
}

fn go_live(shop: &mut Shop) {
    let show = NewShow {
        title: Name::new("double 11").unwrap(),
        lineup: Vec::new(),
        planned_end: None,
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

#[test]
fn the_largest_legal_orders_add_up_exactly_to_the_edge_of_the_books() {
    let mut shop = dear_shop();
    go_live(&mut shop);
    for i in 0..LINES_THE_BOOKS_HOLD {
        pay_largest(&mut shop, &format!("o{i}"), "GOLD").unwrap();
    }
    let expected = LINES_THE_BOOKS_HOLD * LINE_CENTS_MAX;
    assert_eq!(expected, 9_220_000_000_000_000_000);
    assert_eq!(shop.sku("GOLD").gmv_cents, expected);
    assert_eq!(shop.pool.show().unwrap().gmv_cents, expected);
    assert_eq!(
        shop.sku("GOLD").sold_units,
        LINES_THE_BOOKS_HOLD * LINE_UNITS_MAX
    );
    shop.send(ev(Kind::Refunded, "o0"));
    assert_eq!(shop.sku("GOLD").gmv_cents, expected - LINE_CENTS_MAX);
    assert_eq!(
        shop.pool.show().unwrap().gmv_cents,
        expected - LINE_CENTS_MAX
    );
}

#[test]
fn a_payment_that_would_overflow_a_sku_gmv_is_refused_naming_the_line_and_changes_nothing() {
    let mut shop = dear_shop();
    for i in 0..LINES_THE_BOOKS_HOLD {
        pay_largest(&mut shop, &format!("o{i}"), "GOLD").unwrap();
    }
    let before = shop.pool.snapshot();
    let event = OrderEvent {
        lines: lines(&[("JADE", 1), ("GOLD", LINE_UNITS_MAX)]),
        ..ev(Kind::Paid, "one-too-many")
    };
    let refusal = shop.apply(Command::Order { event }).unwrap_err();
    assert_eq!(refusal.code, RefusalCode::Invalid);
    assert_eq!(refusal.field.as_deref(), Some("lines[1].unit_price_cents"));
    assert!(refusal.message.contains("GOLD"), "{}", refusal.message);
    assert_eq!(shop.pool.snapshot(), before);
    assert!(shop.pool.order(&key("douyin", "one-too-many")).is_none());
    // The same order on the other SKU's books fits.
    assert!(pay_largest(&mut shop, "one-too-many", "JADE").is_ok());
}

#[test]
fn a_held_order_whose_payment_would_overflow_stays_held_until_the_books_have_room() {
    let mut shop = dear_shop();
    shop.send(OrderEvent {
        lines: lines(&[("GOLD", LINE_UNITS_MAX)]),
        ..ev(Kind::Created, "late")
    });
    for i in 0..LINES_THE_BOOKS_HOLD {
        pay_largest(&mut shop, &format!("o{i}"), "GOLD").unwrap();
    }
    let before = shop.pool.snapshot();
    let paid = Command::Order {
        event: ev(Kind::Paid, "late"),
    };
    let refusal = shop.apply(paid.clone()).unwrap_err();
    assert_eq!(refusal.field.as_deref(), Some("lines[0].unit_price_cents"));
    assert_eq!(shop.pool.snapshot(), before);
    assert_eq!(shop.state("late"), Some(OrderState::Held));
    // A refund makes room, and the retry is judged afresh.
    shop.send(ev(Kind::Refunded, "o0"));
    assert!(accepted(&shop.send(ev(Kind::Paid, "late"))));
    assert_eq!(
        shop.sku("GOLD").gmv_cents,
        LINES_THE_BOOKS_HOLD * LINE_CENTS_MAX
    );
}

#[test]
fn a_payment_that_would_overflow_the_show_gmv_is_refused_though_each_sku_book_has_room() {
    let mut shop = dear_shop();
    go_live(&mut shop);
    // Spread over two SKUs' books, each far from its edge, the show's book fills.
    for i in 0..LINES_THE_BOOKS_HOLD {
        let sku = if i % 2 == 0 { "GOLD" } else { "JADE" };
        pay_largest(&mut shop, &format!("o{i}"), sku).unwrap();
    }
    let show_gmv = shop.pool.show().unwrap().gmv_cents;
    assert_eq!(show_gmv, LINES_THE_BOOKS_HOLD * LINE_CENTS_MAX);
    let before = shop.pool.snapshot();
    let refusal = pay_largest(&mut shop, "one-too-many", "JADE").unwrap_err();
    assert_eq!(refusal.field.as_deref(), Some("lines[0].unit_price_cents"));
    assert!(refusal.message.contains("show"), "{}", refusal.message);
    assert_eq!(shop.pool.snapshot(), before);
}

#[test]
fn a_refund_takes_back_only_from_the_show_its_sale_was_credited_to() {
    let mut shop = dear_shop();
    pay_largest(&mut shop, "before", "GOLD").unwrap();
    go_live(&mut shop);
    pay_largest(&mut shop, "during", "GOLD").unwrap();
    shop.send(ev(Kind::Refunded, "before"));
    assert_eq!(shop.pool.show().unwrap().gmv_cents, LINE_CENTS_MAX);
    shop.send(ev(Kind::Refunded, "during"));
    assert_eq!(shop.pool.show().unwrap().gmv_cents, 0);
    assert_eq!(shop.sku("GOLD").gmv_cents, 0);
}
