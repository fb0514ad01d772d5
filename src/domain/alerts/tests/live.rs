//! The live-show metrics: surges (with the restock they ask for) and fading hits.

use super::*;
use crate::domain::types::RoomId;

// ---- surge -----------------------------------------------------------------------------------

#[test]
fn a_surge_of_three_times_the_plan_in_a_minute_names_the_next_product_with_stock() {
    let mut b = surge_show(true);
    assert_eq!(b.pool.show_view().prompt, None);
    assert!(fired(&b.sell("HOT", 3), AlertKind::Surge).is_empty());
    b.at(T0_MS + 20 * SECOND_MS);
    assert!(fired(&b.sell("HOT", 2), AlertKind::Surge).is_empty()); // 5 in the minute
    b.at(T0_MS + 40 * SECOND_MS);
    let v = b.sell("HOT", 1); // 6 in the minute: 3 × 2
    let got = fired(&v, AlertKind::Surge);
    assert_eq!(got.len(), 1);
    let surge = got[0].clone();
    assert_eq!((surge.value, surge.threshold), (6.0, 6.0));
    assert_eq!(surge.sku, Some(code("HOT")));
    assert!(
        surge.message_zh.contains("加绒卫衣"),
        "{}",
        surge.message_zh
    );
    assert!(
        surge.message_zh.contains("库存有限"),
        "{}",
        surge.message_zh
    );
    assert!(
        surge.message_zh.contains("针织围巾"),
        "{}",
        surge.message_zh
    );
    assert!(
        !surge.message_zh.contains("羽绒马甲"),
        "{}",
        surge.message_zh
    );
    assert!(
        surge.message_en.contains("针织围巾"),
        "{}",
        surge.message_en
    );

    // 94 of 100 left is no low-stock level: the prompt and the restock request are the surge's.
    let show = b.pool.show_view();
    let prompt = show.prompt.expect("a host prompt during a surge");
    assert!(prompt.zh.contains("库存有限"), "{}", prompt.zh);
    assert_eq!(show.restock_requests.len(), 1);
    assert_eq!(show.restock_requests[0].sku, code("HOT"));
    assert_eq!(show.restock_requests[0].name, "加绒卫衣");

    // More sales in the same minute do not fire it again.
    assert!(fired(&b.sell("HOT", 5), AlertKind::Surge).is_empty());

    // Acknowledged, the request is handled and the prompt goes.
    b.ack(&surge.id, "运营小王").unwrap();
    let show = b.pool.show_view();
    assert!(show.restock_requests.is_empty());
    assert_eq!(show.prompt, None);
}

#[test]
fn a_surge_counts_only_the_last_minute_and_rearms_when_it_passes() {
    let mut b = surge_show(true);
    b.sell("HOT", 5);
    b.at(T0_MS + 61 * SECOND_MS);
    let v = b.sell("HOT", 5); // the first five are more than a minute old
    assert!(fired(&v, AlertKind::Surge).is_empty());
    let v = b.sell("HOT", 1); // 6 in this minute
    assert_eq!(fired(&v, AlertKind::Surge).len(), 1);
    b.at(T0_MS + 3 * MINUTE_MS);
    let v = b.tick();
    assert_eq!(rearmed(&v, AlertKind::Surge), [2]);
}

#[test]
fn no_surge_unless_the_show_is_live() {
    let mut planned = surge_show(false);
    assert!(fired(&planned.sell("HOT", 10), AlertKind::Surge).is_empty());
    assert!(fired(&planned.tick(), AlertKind::Surge).is_empty());

    let mut ended = surge_show(true);
    ended.run(Command::EndShow {
        room: RoomId::main(),
    });
    assert!(fired(&ended.sell("HOT", 10), AlertKind::Surge).is_empty());
    assert!(ended.book(AlertKind::Surge).is_empty());
}

#[test]
fn ending_the_show_closes_its_open_surge_and_sell_out_warnings_and_keeps_the_stock_ones() {
    let mut b = surge_show(true);
    b.sell("HOT", 3);
    b.at(T0_MS + 20 * SECOND_MS);
    b.sell("HOT", 92); // 95 in the minute: a surge, a sell-out time, a stock level
    for kind in [
        AlertKind::Surge,
        AlertKind::SelloutEta,
        AlertKind::StockLevel,
    ] {
        assert_eq!(b.book(kind).len(), 1, "{kind:?}");
    }

    b.at(T0_MS + 30 * SECOND_MS);
    let effect = b
        .apply(Command::EndShow {
            room: RoomId::main(),
        })
        .expect("the show ends");
    let Outcome::ShowEnded(closed) = effect.outcome else {
        panic!("ending the show answered {:?}", effect.outcome);
    };
    let mut kinds: Vec<AlertKind> = closed.iter().map(|a| a.kind).collect();
    kinds.sort();
    assert_eq!(kinds, [AlertKind::SelloutEta, AlertKind::Surge]);
    for a in &closed {
        assert_eq!(a.acked_by.as_deref(), Some(alerts::SHOW_ENDED_BY));
        assert_eq!(a.acked_at, Some(T0_MS + 30 * SECOND_MS));
        assert_eq!(
            b.pool.alerts().get(&a.id),
            Some(a),
            "the book holds what went out"
        );
    }
    // The stock level and the sell-through are still true after the show: they stay open.
    let open: Vec<AlertKind> = b
        .pool
        .alerts()
        .alerts
        .iter()
        .filter(|a| a.acked_by.is_none())
        .map(|a| a.kind)
        .collect();
    assert!(open.contains(&AlertKind::StockLevel), "{open:?}");
    assert!(
        !open.iter().any(|k| AlertKind::LIVE.contains(k)),
        "{open:?}"
    );
    // The restock the surge asked for is moot, and the lines crossed do not fire again.
    assert!(b.pool.show_view().restock_requests.is_empty());
    b.at(T0_MS + 40 * SECOND_MS);
    assert!(fired(&b.tick(), AlertKind::SelloutEta).is_empty());
}

// ---- fading hit ------------------------------------------------------------------------------

#[test]
fn a_hit_fades_below_30_percent_of_its_peak_only_once_on_air_with_a_peak_above_the_floor() {
    let mut b = Bench::new(vec![
        new_sku("HIT", "加绒卫衣", "apparel", 1000),
        new_sku("MILD", "棒球帽", "apparel", 1000),
        new_sku("OFFAIR", "羊毛袜", "apparel", 1000),
    ]);
    let lineup = ["HIT", "MILD", "OFFAIR"]
        .map(|s| lineup_item(s, None))
        .to_vec();
    b.show(lineup);
    b.start();
    b.run(Command::SetCurrent {
        sku: code("MILD"),
        room: RoomId::main(),
    });
    b.sell("MILD", 15); // on air, but a peak of 15/min is under the floor of 20
    b.run(Command::SetCurrent {
        sku: code("HIT"),
        room: RoomId::main(),
    });
    b.sell("HIT", 24); // on air, peak 24/min
    b.sell("OFFAIR", 40); // a peak of 40/min, but never on air
    assert_eq!(b.sku("HIT").peak_rate_per_min, 24);
    b.at(T0_MS + 30 * SECOND_MS);
    assert!(fired(&b.tick(), AlertKind::Fading).is_empty());

    b.run(Command::SetCurrent {
        sku: code("MILD"),
        room: RoomId::main(),
    }); // HIT leaves the air: it was on air all the same
    b.at(T0_MS + 70 * SECOND_MS); // nothing sold in the last minute
    let v = b.tick();
    let got = fired(&v, AlertKind::Fading);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].sku, Some(code("HIT")));
    assert_eq!((got[0].value, got[0].threshold), (0.0, 7.2));
    assert!(got[0].message_zh.contains("加绒卫衣"));

    // Eight in a minute is past the line but not a hit again: noise around 7.2 must not re-arm.
    b.at(T0_MS + 80 * SECOND_MS);
    let v = b.sell("HIT", 8);
    assert!(rearmed(&v, AlertKind::Fading).is_empty());
    // Sixteen is over 60% of the peak of 24: re-armed.
    let v = b.sell("HIT", 8);
    assert_eq!(rearmed(&v, AlertKind::Fading), [1]);
    assert!(
        b.book(AlertKind::Fading)
            .iter()
            .all(|a| a.sku == Some(code("HIT")))
    );
}
