//! Warnings with several rooms live: a surge follows the room's own rate and names the room; the
//! sell-out time follows the pool; ending one room closes its warnings only.

use super::*;
use crate::domain::show::room::NewRoom;

fn room(id: &str) -> RoomId {
    RoomId::parse(id).unwrap()
}

/// HOT (100 units) planned at 2/min in both the Douyin room `dy` and the Kuaishou room `ks`, both
/// live with HOT on air.
fn two_rooms() -> Bench {
    let mut b = Bench::new(vec![
        new_sku("HOT", "加绒卫衣", "apparel", 100),
        new_sku("SPARE", "针织围巾", "apparel", 50),
    ]);
    for (id, channel) in [("dy", "douyin"), ("ks", "kuaishou")] {
        b.run(Command::CreateRoom {
            room: NewRoom {
                room: room(id),
                name: Name::new(&format!("{channel} 直播间")).unwrap(),
                channel: Some(Channel::new(channel).unwrap()),
            },
        });
        b.run(Command::CreateShow {
            show: NewShow {
                title: Name::new("双十二").unwrap(),
                lineup: vec![lineup_item("HOT", Some(2)), lineup_item("SPARE", Some(2))],
                planned_end: None,
            },
            room: room(id),
        });
        b.run(Command::StartShow { room: room(id) });
        b.run(Command::SetCurrent {
            sku: code("HOT"),
            room: room(id),
        });
    }
    b
}

#[test]
fn a_surge_in_one_room_is_that_rooms_and_the_other_hosts_prompt_stays_calm() {
    let mut b = two_rooms();
    b.sell("HOT", 3);
    b.at(T0_MS + 20 * SECOND_MS);
    let v = b.sell("HOT", 3); // 6 in the minute on Douyin: 3 × the room's plan
    let got = fired(&v, AlertKind::Surge);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].room, Some(room("dy")));
    assert!(
        got[0].message_zh.contains("douyin 直播间"),
        "{}",
        got[0].message_zh
    );
    let dy = b.pool.room_view(&room("dy"));
    let ks = b.pool.room_view(&room("ks"));
    assert!(dy.prompt.is_some(), "the Douyin host is told");
    assert_eq!(ks.prompt, None, "Kuaishou did not surge");
}

#[test]
fn ending_one_room_closes_its_surge_and_leaves_the_pools_sell_out_time_to_the_room_still_live() {
    let mut b = two_rooms();
    b.sell("HOT", 3);
    b.at(T0_MS + 20 * SECOND_MS);
    b.sell("HOT", 80); // a surge on Douyin, and HOT sells out within minutes for both rooms
    assert_eq!(b.book(AlertKind::Surge).len(), 1);
    assert_eq!(b.book(AlertKind::SelloutEta).len(), 1);
    assert_eq!(b.book(AlertKind::SelloutEta)[0].room, None, "the pool's");
    let effect = b.apply(Command::EndShow { room: room("dy") }).unwrap();
    let Outcome::ShowEnded(closed) = effect.outcome else {
        panic!("{:?}", effect.outcome);
    };
    let kinds: Vec<AlertKind> = closed.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [AlertKind::Surge],
        "Kuaishou still sells from the pool"
    );
    let effect = b.apply(Command::EndShow { room: room("ks") }).unwrap();
    let Outcome::ShowEnded(closed) = effect.outcome else {
        panic!("{:?}", effect.outcome);
    };
    let kinds: Vec<AlertKind> = closed.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [AlertKind::SelloutEta],
        "the last room closes the pool's"
    );
}
