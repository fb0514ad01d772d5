//! Warehouse movements on the buckets.

use super::*;

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
