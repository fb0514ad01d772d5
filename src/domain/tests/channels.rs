//! Sales by channel: each SKU and the live show count units, orders and GMV per channel, net of
//! refunds, and the channels add up to the totals beside them.

use super::*;
use crate::domain::show::{LineupItem, NewShow};
use crate::domain::types::RoomId;

fn on(channel: &str, kind: Kind, order_id: &str) -> OrderEvent {
    OrderEvent {
        channel: Channel::new(channel).unwrap(),
        ..ev(kind, order_id)
    }
}

#[test]
fn each_channel_counts_its_units_orders_and_gmv_net_of_refunds_and_they_add_up() {
    let mut shop = Shop::new(vec![
        new_sku("HOODIE", 100, 1_000),
        new_sku("CAP", 100, 300),
    ]);
    let show = NewShow {
        title: Name::new("night").unwrap(),
        planned_end: None,
        lineup: vec![LineupItem {
            sku: code("HOODIE"),
            planned_start: None,
            planned_rate_per_min: None,
        }],
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
    // Two lines of one SKU are one order of that SKU.
    let two_lines = lines(&[("HOODIE", 2), ("HOODIE", 1), ("CAP", 1)]);
    let dy1 = OrderEvent {
        lines: two_lines,
        ..on("douyin", Kind::Paid, "O-1")
    };
    assert!(accepted(&shop.send(dy1)));
    let dy2 = OrderEvent {
        lines: lines(&[("HOODIE", 4)]),
        ..on("douyin", Kind::Paid, "O-2")
    };
    assert!(accepted(&shop.send(dy2)));
    let ks = OrderEvent {
        lines: lines(&[("HOODIE", 5)]),
        ..on("kuaishou", Kind::Created, "O-3")
    };
    assert!(accepted(&shop.send(ks)));
    assert!(
        !shop.sku("HOODIE").channels.contains_key("kuaishou"),
        "a hold is no sale"
    );
    assert!(accepted(&shop.send(on("kuaishou", Kind::Paid, "O-3"))));
    assert!(accepted(&shop.send(on("douyin", Kind::Refunded, "O-2"))));

    let hoodie = &shop.sku("HOODIE").channels;
    let sales = |units, orders, gmv_cents| crate::domain::stock::ChannelSales {
        units,
        orders,
        gmv_cents,
    };
    assert_eq!(hoodie["douyin"], sales(3, 1, 3_000), "O-2 refunded");
    assert_eq!(hoodie["kuaishou"], sales(5, 1, 5_000));
    assert_eq!(shop.sku("CAP").channels["douyin"], sales(1, 1, 300));
    for code in ["HOODIE", "CAP"] {
        let sku = shop.sku(code);
        let units: i64 = sku.channels.values().map(|c| c.units).sum();
        let gmv: i64 = sku.channels.values().map(|c| c.gmv_cents).sum();
        assert_eq!((units, gmv), (sku.sold_units, sku.gmv_cents), "{code}");
    }
    let view = shop.pool.show_view();
    assert_eq!(view.channels["douyin"], sales(4, 1, 3_300));
    assert_eq!(view.channels["kuaishou"], sales(5, 1, 5_000));
    let orders: i64 = view.channels.values().map(|c| c.orders).sum();
    assert_eq!(orders, view.orders);
    let stock = shop.sku("HOODIE").view(shop.now_ms);
    assert_eq!(&stock.channels, hoodie, "the stock view shows them");
    let restored = Pool::from_snapshot(shop.pool.snapshot(), CONFIG).unwrap();
    assert_eq!(restored.sku(&code("HOODIE")).unwrap().channels, *hoodie);
}

#[test]
fn the_show_counts_each_paying_buyer_once_and_an_order_without_a_buyer_as_its_own() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 1_000)]);
    let show = NewShow {
        title: Name::new("night").unwrap(),
        planned_end: None,
        lineup: vec![],
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
    let paid_by = |order_id: &str, buyer: Option<&str>| OrderEvent {
        lines: lines(&[("HOODIE", 1)]),
        buyer: buyer.map(|b| Ident::new(b).unwrap()),
        ..on("douyin", Kind::Paid, order_id)
    };
    for (id, buyer) in [
        ("B-1", Some("u1")),
        ("B-2", Some("u1")),
        ("B-3", Some("u2")),
        ("B-4", None),
    ] {
        assert!(accepted(&shop.send(paid_by(id, buyer))));
    }
    // A hold is not a paying buyer; a refund keeps the buyer who paid.
    let hold = OrderEvent {
        lines: lines(&[("HOODIE", 1)]),
        buyer: Some(Ident::new("u9").unwrap()),
        ..on("douyin", Kind::Created, "B-5")
    };
    assert!(accepted(&shop.send(hold)));
    assert!(accepted(&shop.send(on("douyin", Kind::Refunded, "B-3"))));
    let view = shop.pool.show_view();
    assert_eq!(
        (view.orders, view.buyers),
        (3, 3),
        "u1, u2 and the order without a buyer"
    );
    let restored = Pool::from_snapshot(shop.pool.snapshot(), CONFIG).unwrap();
    assert_eq!(
        restored.show_view().buyers,
        3,
        "the buyers are kept in the snapshot"
    );
}
