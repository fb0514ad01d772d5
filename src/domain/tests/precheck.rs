//! The pre-show check over a real pool: slots from the run of show, shortfalls, damaged units,
//! units held by earlier orders, and channels that show another number.

use super::*;
use crate::domain::channels::{ChannelDisplays, MISMATCH_GRACE_MS};
use crate::domain::checks::precheck::{Precheck, precheck};
use crate::domain::show::{LineupItem, NewShow};
use crate::domain::types::RoomId;
use crate::domain::types::{Int, Timestamp};

const MINUTE_MS: i64 = 60_000;

fn item(sku: &str, start_min: Option<i64>, rate: Option<i64>) -> LineupItem {
    LineupItem {
        sku: code(sku),
        planned_start: start_min.map(|m| Timestamp(T0_MS + m * MINUTE_MS)),
        planned_rate_per_min: rate.map(|r| Int::new(r).unwrap()),
    }
}

fn plan(shop: &mut Shop, lineup: Vec<LineupItem>, end_min: Option<i64>) {
    let show = NewShow {
        title: Name::new("双十一返场专场").unwrap(),
        lineup,
        planned_end: end_min.map(|m| Timestamp(T0_MS + m * MINUTE_MS)),
    };
    shop.apply(Command::CreateShow {
        show,
        room: RoomId::main(),
    })
    .unwrap();
}

fn check(shop: &Shop, displays: &mut ChannelDisplays, now_ms: i64) -> Precheck {
    let pool = &shop.pool;
    let available = |c: &SkuCode| pool.sku(c).map(|s| s.available());
    let mismatches = displays.mismatches(available, now_ms);
    precheck(
        &pool.show_view(),
        &[],
        |c| pool.sku(c).map(|s| s.view(now_ms)),
        &mismatches,
        now_ms,
    )
}

fn codes(p: &Precheck, sku: &str) -> Vec<&'static str> {
    let item = p.items.iter().find(|i| i.sku.as_str() == sku).unwrap();
    item.reasons.iter().map(|r| r.code).collect()
}

#[test]
fn slots_run_to_the_next_planned_start_and_the_last_to_the_planned_end() {
    let mut shop = Shop::new(vec![
        new_sku("HOODIE", 1000, 19_900),
        new_sku("CAP", 1000, 5_900),
    ]);
    plan(
        &mut shop,
        vec![
            item("HOODIE", Some(0), Some(30)),
            item("CAP", Some(15), Some(10)),
        ],
        Some(40),
    );
    let p = check(&shop, &mut ChannelDisplays::default(), T0_MS);
    assert_eq!(p.items[0].slot_minutes, 15);
    assert_eq!(p.items[0].needed, 450);
    assert_eq!(p.items[1].slot_minutes, 25, "until the planned end");
    assert_eq!(p.items[1].needed, 250);
    assert!(p.pass, "{p:#?}");
    assert_eq!(p.failed, 0);
}

#[test]
fn without_times_a_slot_is_the_configured_default() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 1000, 19_900)]);
    shop.pool = Pool::from_snapshot(
        shop.pool.snapshot(),
        PoolConfig {
            slot_minutes_default: 25,
            ..CONFIG
        },
    )
    .unwrap();
    plan(&mut shop, vec![item("HOODIE", None, Some(10))], None);
    let p = check(&shop, &mut ChannelDisplays::default(), T0_MS);
    assert_eq!((p.items[0].slot_minutes, p.items[0].needed), (25, 250));
}

#[test]
fn a_short_sku_fails_with_its_shortfall_in_both_languages_and_fails_the_show() {
    let mut shop = Shop::new(vec![
        new_sku("HOODIE", 100, 19_900),
        new_sku("CAP", 1000, 5_900),
    ]);
    plan(
        &mut shop,
        vec![
            item("HOODIE", Some(0), Some(30)),
            item("CAP", Some(10), Some(10)),
        ],
        Some(20),
    );
    let p = check(&shop, &mut ChannelDisplays::default(), T0_MS);
    let hoodie = &p.items[0];
    assert!(!hoodie.pass);
    assert_eq!(
        (hoodie.needed, hoodie.available, hoodie.short),
        (300, 100, 200)
    );
    assert_eq!(codes(&p, "HOODIE"), vec!["short"]);
    assert!(
        hoodie.reasons[0].zh.contains("缺 200 件"),
        "{}",
        hoodie.reasons[0].zh
    );
    assert!(
        hoodie.reasons[0].en.contains("200 short"),
        "{}",
        hoodie.reasons[0].en
    );
    assert!(p.items[1].pass);
    assert!(!p.pass);
    assert_eq!(p.failed, 1);
}

#[test]
fn damaged_units_are_left_out_and_named_when_they_make_the_slot_short() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 300, 19_900)]);
    plan(&mut shop, vec![item("HOODIE", Some(0), Some(30))], Some(10));
    assert!(check(&shop, &mut ChannelDisplays::default(), T0_MS).pass);
    shop.apply(Command::Move {
        sku: code("HOODIE"),
        movement: movement(MovementKind::Damage, 20),
    })
    .unwrap();
    let p = check(&shop, &mut ChannelDisplays::default(), T0_MS);
    let hoodie = &p.items[0];
    assert_eq!(
        (hoodie.damaged, hoodie.available, hoodie.short),
        (20, 280, 20)
    );
    assert_eq!(codes(&p, "HOODIE"), vec!["short", "damaged"]);
    assert!(hoodie.reasons[1].zh.contains("20 件不良品"));
    assert!(!p.pass);
}

#[test]
fn damaged_and_held_units_that_leave_enough_are_notes_not_failures() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 1000, 19_900)]);
    shop.apply(Command::Move {
        sku: code("HOODIE"),
        movement: movement(MovementKind::Damage, 5),
    })
    .unwrap();
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 3)]),
        ..ev(Kind::Created, "DY-1")
    });
    plan(&mut shop, vec![item("HOODIE", Some(0), Some(10))], Some(10));
    let p = check(&shop, &mut ChannelDisplays::default(), T0_MS);
    let hoodie = &p.items[0];
    assert!(hoodie.pass, "{hoodie:#?}");
    assert_eq!((hoodie.held, hoodie.available), (3, 992));
    let notes: Vec<&str> = hoodie.notes.iter().map(|n| n.code).collect();
    assert_eq!(notes, vec!["damaged", "held"]);
}

#[test]
fn units_held_by_earlier_orders_are_named_when_they_make_the_slot_short() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 100, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 10)]),
        ..ev(Kind::Paid, "DY-1")
    });
    plan(&mut shop, vec![item("HOODIE", Some(0), Some(10))], Some(10));
    let p = check(&shop, &mut ChannelDisplays::default(), T0_MS);
    assert_eq!(p.items[0].committed, 10);
    assert_eq!(codes(&p, "HOODIE"), vec!["short", "held"]);
}

#[test]
fn a_channel_showing_another_number_fails_its_sku_once_the_grace_has_passed() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 1000, 19_900)]);
    plan(&mut shop, vec![item("HOODIE", Some(0), Some(10))], Some(10));
    let mut displays = ChannelDisplays::default();
    displays
        .report("douyin", &code("HOODIE"), 1000, 1000, T0_MS)
        .unwrap();
    displays
        .report("kuaishou", &code("HOODIE"), 1200, 1000, T0_MS)
        .unwrap();
    assert!(
        check(&shop, &mut displays, T0_MS + 1).pass,
        "within the grace"
    );
    let later = T0_MS + MISMATCH_GRACE_MS + 5_000;
    let p = check(&shop, &mut displays, later);
    assert!(!p.pass);
    assert_eq!(codes(&p, "HOODIE"), vec!["channel_mismatch"]);
    let gap = &p.items[0].channel_mismatches[0];
    assert_eq!(
        (gap.channel.as_str(), gap.displayed, gap.available),
        ("kuaishou", 1200, 1000)
    );
    assert!(p.items[0].reasons[0].zh.starts_with("快手 显示 1200 件"));
}

#[test]
fn a_sold_out_sku_and_an_empty_lineup_fail() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 1, 19_900)]);
    plan(&mut shop, vec![item("HOODIE", None, None)], None);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 1)]),
        ..ev(Kind::Paid, "DY-1")
    });
    let p = check(&shop, &mut ChannelDisplays::default(), T0_MS);
    assert_eq!(codes(&p, "HOODIE"), vec!["sold_out", "held"]);
    let notes: Vec<&str> = p.items[0].notes.iter().map(|n| n.code).collect();
    assert_eq!(notes, vec!["no_plan"]);

    let mut empty = Shop::new(vec![new_sku("HOODIE", 1, 19_900)]);
    plan(&mut empty, Vec::new(), None);
    let p = check(&empty, &mut ChannelDisplays::default(), T0_MS);
    assert!(!p.pass);
    assert_eq!(p.reasons[0].code, "empty_lineup");
}
