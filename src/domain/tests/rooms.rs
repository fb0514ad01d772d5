//! Rooms (API.md "Rooms"): orders credited to their room, a refund taking back from the room it
//! was credited to, several rooms live at once, and journals and snapshots written before rooms.

use super::*;
use crate::domain::show::room::NewRoom;
use crate::domain::show::{LineupItem, NewShow, ShowState};
use crate::domain::types::RoomId;
use proptest::prelude::*;

fn room(id: &str) -> RoomId {
    RoomId::parse(id).unwrap()
}

fn create_room(shop: &mut Shop, id: &str, channel: Option<&str>) {
    let new = NewRoom {
        room: room(id),
        name: Name::new(&format!("{id} 直播间")).unwrap(),
        channel: channel.map(|c| Channel::new(c).unwrap()),
    };
    shop.apply(Command::CreateRoom { room: new }).unwrap();
}

fn go_live(shop: &mut Shop, id: &str, skus: &[&str]) {
    let show = NewShow {
        title: Name::new("双十二").unwrap(),
        lineup: skus
            .iter()
            .map(|s| LineupItem {
                sku: code(s),
                planned_start: None,
                planned_rate_per_min: None,
            })
            .collect(),
        planned_end: None,
    };
    shop.apply(Command::CreateShow {
        show,
        room: room(id),
    })
    .unwrap();
    shop.apply(Command::StartShow { room: room(id) }).unwrap();
}

/// A Douyin-and-Kuaishou shop with both rooms live, selling HOODIE (100 at 100.00) in both.
fn two_rooms() -> Shop {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 10_000)]);
    create_room(&mut shop, "dy", Some("douyin"));
    create_room(&mut shop, "ks", Some("kuaishou"));
    go_live(&mut shop, "dy", &["HOODIE"]);
    go_live(&mut shop, "ks", &["HOODIE"]);
    shop
}

fn paid_on(channel: &str, id: &str, qty: i64, explicit: Option<&str>) -> OrderEvent {
    OrderEvent {
        channel: Channel::new(channel).unwrap(),
        lines: lines(&[("HOODIE", qty)]),
        room: explicit.map(room),
        ..ev(Kind::Paid, id)
    }
}

fn credited(shop: &Shop, channel: &str, id: &str) -> Option<RoomId> {
    shop.pool
        .order(&key(channel, id))
        .and_then(|o| o.room.clone())
}

fn gmv(shop: &Shop, id: &str) -> i64 {
    let room = shop.pool.room(&room(id)).expect("a room");
    room.show.as_ref().map_or(0, |s| s.gmv_cents)
}

#[test]
fn an_order_goes_to_its_named_room_else_its_channels_live_room_else_to_none() {
    let mut shop = two_rooms();
    assert!(accepted(&shop.send(paid_on("douyin", "d1", 1, None))));
    assert!(accepted(&shop.send(paid_on("kuaishou", "k1", 1, None))));
    assert!(accepted(&shop.send(paid_on("douyin", "d2", 1, Some("ks")))));
    assert!(accepted(&shop.send(paid_on("taobao", "t1", 1, None))));
    assert_eq!(credited(&shop, "douyin", "d1"), Some(room("dy")));
    assert_eq!(credited(&shop, "kuaishou", "k1"), Some(room("ks")));
    assert_eq!(
        credited(&shop, "douyin", "d2"),
        Some(room("ks")),
        "the named room wins"
    );
    assert_eq!(
        credited(&shop, "taobao", "t1"),
        None,
        "no room streams on taobao"
    );
    assert_eq!((gmv(&shop, "dy"), gmv(&shop, "ks")), (10_000, 20_000));
    assert_eq!(
        shop.sku("HOODIE").sold_units,
        4,
        "one pool whatever the room"
    );
    assert_eq!(shop.sku("HOODIE").rooms["ks"].units, 2);
    // A room bound to no channel (main) takes what no live room of its own claims.
    go_live(&mut shop, "main", &["HOODIE"]);
    assert!(accepted(&shop.send(paid_on("taobao", "t2", 1, None))));
    assert_eq!(credited(&shop, "taobao", "t2"), Some(RoomId::main()));
    assert!(accepted(&shop.send(paid_on("douyin", "d3", 1, None))));
    assert_eq!(
        credited(&shop, "douyin", "d3"),
        Some(room("dy")),
        "its own room first"
    );
}

#[test]
fn two_live_rooms_on_one_channel_leave_an_unnamed_order_to_no_room() {
    let mut shop = two_rooms();
    create_room(&mut shop, "dy2", Some("douyin"));
    go_live(&mut shop, "dy2", &["HOODIE"]);
    assert!(accepted(&shop.send(paid_on("douyin", "d1", 1, None))));
    assert_eq!(credited(&shop, "douyin", "d1"), None);
    assert_eq!(gmv(&shop, "dy") + gmv(&shop, "dy2"), 0);
}

#[test]
fn a_room_the_shop_does_not_have_is_refused_naming_the_field_and_changes_nothing() {
    let mut shop = two_rooms();
    let before = shop.pool.snapshot();
    let refusal = shop
        .apply(Command::Order {
            event: paid_on("douyin", "d1", 1, Some("nowhere")),
        })
        .unwrap_err();
    assert_eq!(refusal.code, RefusalCode::Invalid);
    assert_eq!(refusal.field.as_deref(), Some("room"));
    assert_eq!(shop.pool.snapshot(), before);
    let refusal = shop
        .apply(Command::StartShow {
            room: room("nowhere"),
        })
        .unwrap_err();
    assert_eq!(refusal.code, RefusalCode::NotFound);
}

#[test]
fn a_refund_takes_back_from_the_room_its_sale_was_credited_to_even_after_another_goes_live() {
    let mut shop = two_rooms();
    assert!(accepted(&shop.send(paid_on("douyin", "d1", 2, None))));
    shop.send(OrderEvent {
        channel: Channel::new("douyin").unwrap(),
        room: Some(room("ks")), // a refund's room is the sale's, whatever it says
        ..ev(Kind::Refunded, "d1")
    });
    assert_eq!((gmv(&shop, "dy"), gmv(&shop, "ks")), (0, 0));
    assert_eq!(shop.sku("HOODIE").rooms["dy"].units, 0);
}

#[test]
fn ending_one_room_leaves_the_other_live_selling_and_counting() {
    let mut shop = two_rooms();
    shop.apply(Command::EndShow { room: room("dy") }).unwrap();
    let state = |shop: &Shop, id: &str| {
        shop.pool
            .room(&room(id))
            .unwrap()
            .show
            .as_ref()
            .unwrap()
            .state
    };
    assert_eq!(state(&shop, "dy"), ShowState::Ended);
    assert_eq!(state(&shop, "ks"), ShowState::Live);
    assert!(accepted(&shop.send(paid_on("kuaishou", "k1", 3, None))));
    assert!(accepted(&shop.send(paid_on("douyin", "d1", 1, None))));
    assert_eq!((gmv(&shop, "dy"), gmv(&shop, "ks")), (0, 30_000));
    assert_eq!(credited(&shop, "douyin", "d1"), None, "its room has ended");
}

#[test]
fn commands_journaled_before_rooms_replay_into_room_main() {
    let old = [
        r#"{"op":"create_skus","skus":[{"sku":"HOODIE","name":"卫衣","category":"apparel","price_cents":10000,"on_hand":100}]}"#,
        r#"{"op":"create_show","show":{"title":"旧版专场","lineup":[{"sku":"HOODIE"}]}}"#,
        r#"{"op":"start_show"}"#,
        r#"{"op":"set_current","sku":"HOODIE"}"#,
        r#"{"op":"set_viewers","online":321}"#,
        r#"{"op":"order","event":{"channel":"douyin","order_id":"o1","kind":"paid","lines":[{"sku":"HOODIE","qty":2}]}}"#,
    ];
    let mut pool = Pool::new(CONFIG);
    for (i, raw) in old.iter().enumerate() {
        let cmd: Command = serde_json::from_str(raw).expect("an old record reads");
        let ctx = Ctx {
            seq: i as u64 + 1,
            now_ms: T0_MS + i as i64,
        };
        assert!(pool.apply(&cmd, ctx).unwrap().journal, "{raw}");
    }
    let show = pool.show().expect("main's show");
    assert_eq!(show.state, ShowState::Live);
    assert_eq!((show.viewers, show.gmv_cents, show.units), (321, 20_000, 2));
    assert_eq!(show.current, Some(code("HOODIE")));
    assert_eq!(pool.rooms().count(), 1);
}

#[test]
fn a_snapshot_written_before_rooms_loads_its_show_into_room_main() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 10_000)]);
    go_live(&mut shop, "main", &["HOODIE"]);
    assert!(accepted(&shop.send(paid_on("douyin", "d1", 2, None))));
    let mut old = serde_json::to_value(shop.pool.snapshot()).unwrap();
    let rooms = old.as_object_mut().unwrap().remove("rooms").unwrap();
    old["show"] = rooms[0]["show"].clone();
    let snap: crate::domain::Snapshot = serde_json::from_value(old).unwrap();
    let loaded = Pool::from_snapshot(snap, CONFIG).unwrap();
    assert_eq!(loaded.show(), shop.pool.show());
    assert_eq!(loaded.snapshot(), shop.pool.snapshot());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever mix of channels, named rooms and refunds, each room's GMV is the sum of the
    /// orders credited to it and still paid, and the pool never sells more than it holds.
    #[test]
    fn each_rooms_gmv_is_the_sum_of_its_credited_paid_orders(
        events in proptest::collection::vec((0..4usize, 0..4usize, 1..6i64, any::<bool>()), 1..80)
    ) {
        let mut shop = two_rooms();
        let channels = ["douyin", "kuaishou", "taobao", "jd"];
        let named = [None, None, Some("dy"), Some("ks")];
        for (i, (c, r, qty, refund)) in events.iter().enumerate() {
            let id = format!("o{i}");
            shop.send(paid_on(channels[*c], &id, *qty, named[*r]));
            if *refund {
                shop.send(OrderEvent { channel: Channel::new(channels[*c]).unwrap(), ..ev(Kind::Refunded, &id) });
            }
        }
        for id in ["dy", "ks"] {
            let expected: i64 = shop
                .pool
                .orders()
                .filter(|o| o.room == Some(room(id)) && o.state == Some(OrderState::Paid))
                .map(|o| o.lines.iter().map(|l| l.qty.get() * 10_000).sum::<i64>())
                .sum();
            prop_assert_eq!(gmv(&shop, id), expected);
        }
        let hoodie = shop.sku("HOODIE");
        prop_assert!(hoodie.sold_units <= 100);
        prop_assert!(hoodie.invariant_holds());
    }
}
