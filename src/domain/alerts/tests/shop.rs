//! The time-driven metrics: movement rate, turnover and slow movers; and alerts switched off.

use super::*;
use crate::domain::types::RoomId;

// ---- movement rate ---------------------------------------------------------------------------

/// Ten SKUs, a live show started a minute after they were made, and `sold` of them sold.
fn movement_bench(sold: usize) -> (Bench, i64) {
    let skus = (0..10)
        .map(|i| new_sku(&format!("S{i}"), &format!("商品{i}"), "apparel", 100))
        .collect();
    let mut b = Bench::new(skus);
    b.show(vec![lineup_item("S0", None)]);
    let start = T0_MS + MINUTE_MS;
    b.at(start).start();
    b.at(start + MINUTE_MS);
    for i in 0..sold {
        b.sell(&format!("S{i}"), 1);
    }
    (b, start)
}

#[test]
fn the_movement_rate_is_judged_after_30_minutes_and_fires_under_30_percent() {
    let (mut b, start) = movement_bench(2);
    b.at(start + 29 * MINUTE_MS);
    assert!(fired(&b.tick(), AlertKind::MovementRate).is_empty());
    b.at(start + 30 * MINUTE_MS);
    let v = b.tick();
    let got = fired(&v, AlertKind::MovementRate);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].sku, None);
    assert_eq!((got[0].value, got[0].threshold), (20.0, 30.0));
    assert!(
        got[0].message_zh.contains("动销率"),
        "{}",
        got[0].message_zh
    );

    // 30% is not past the line by the margin; 40% is.
    b.sell("S2", 1);
    let v = b.tick();
    assert!(fired(&v, AlertKind::MovementRate).is_empty());
    assert!(rearmed(&v, AlertKind::MovementRate).is_empty());
    b.sell("S3", 1);
    assert_eq!(rearmed(&b.tick(), AlertKind::MovementRate), [1]);
}

#[test]
fn a_movement_rate_of_exactly_30_percent_does_not_fire() {
    let (mut b, start) = movement_bench(3);
    b.at(start + 45 * MINUTE_MS);
    assert!(fired(&b.tick(), AlertKind::MovementRate).is_empty());
}

// ---- turnover and slow movers ----------------------------------------------------------------

#[test]
fn turnover_days_are_judged_per_category_on_the_same_numbers() {
    let mut b = Bench::new(vec![
        new_sku("TEE", "纯棉T恤", "apparel", 50),
        new_sku("NUTS", "每日坚果", "food", 50),
        new_sku("MUG", "马克杯", "kitchen", 50),
    ]);
    b.at(T0_MS + DAY_MS);
    for sku in ["TEE", "NUTS", "MUG"] {
        b.sell(sku, 30);
    }
    // Thirty days on: 30 sold in 30 days is 1 a day, and 50 on hand last 50 days.
    b.at(T0_MS + 30 * DAY_MS);
    assert_eq!(b.sku("TEE").daily_sales(b.now_ms), 1.0);
    let v = b.tick();
    let got = fired(&v, AlertKind::Turnover);
    let by_sku: Vec<(String, f64, f64)> = got
        .iter()
        .map(|a| (a.sku.clone().unwrap().to_string(), a.value, a.threshold))
        .collect();
    // Apparel's 60 days is not passed; food's 20 and the shop's 45 are.
    assert_eq!(
        by_sku,
        [
            ("MUG".to_owned(), 50.0, 45.0),
            ("NUTS".to_owned(), 50.0, 20.0)
        ]
    );
    assert!(got.iter().all(|a| a.message_zh.contains("周转")));
    assert!(
        fired(&b.tick(), AlertKind::Turnover).is_empty(),
        "once per crossing"
    );
}

#[test]
fn turnover_waits_until_a_sku_is_a_week_old() {
    let mut b = Bench::new(vec![new_sku("NEW", "新品卫衣", "apparel", 5_000)]);
    b.at(T0_MS + 10 * MINUTE_MS);
    b.sell("NEW", 5);
    // 5 a day against 5,000 on hand would be 1,000 days, but six days of history say nothing yet.
    b.at(T0_MS + 6 * DAY_MS);
    assert!(fired(&b.tick(), AlertKind::Turnover).is_empty());
    b.at(T0_MS + 7 * DAY_MS);
    assert_eq!(fired(&b.tick(), AlertKind::Turnover).len(), 1);
}

#[test]
fn a_slow_mover_has_no_sale_in_30_days_or_14_for_food() {
    let mut b = Bench::new(vec![
        new_sku("COAT", "羊毛大衣", "apparel", 10),
        new_sku("MILK", "纯牛奶", "food", 10),
    ]);
    let slow = |v: &Verdict| -> Vec<String> {
        fired(v, AlertKind::SlowMover)
            .iter()
            .map(|a| a.sku.clone().unwrap().to_string())
            .collect()
    };
    b.at(T0_MS + 14 * DAY_MS - 1);
    assert!(slow(&b.tick()).is_empty());
    b.at(T0_MS + 14 * DAY_MS);
    let v = b.tick();
    assert_eq!(slow(&v), ["MILK"]);
    let milk = fired(&v, AlertKind::SlowMover)[0].clone();
    assert_eq!((milk.value, milk.threshold), (14.0, 14.0));
    assert!(milk.message_zh.contains("纯牛奶") && milk.message_zh.contains("清仓"));

    b.at(T0_MS + 30 * DAY_MS);
    assert_eq!(slow(&b.tick()), ["COAT"]);
    assert!(slow(&b.tick()).is_empty(), "once per crossing");

    // A sale re-arms the coat (on the tick); the milk still waits.
    b.at(T0_MS + 30 * DAY_MS + MINUTE_MS);
    b.sell("COAT", 1);
    assert_eq!(rearmed(&b.tick(), AlertKind::SlowMover), [1]);
    assert!(!b.waiting(AlertKind::SlowMover, Some("COAT"), 1));
    assert!(b.waiting(AlertKind::SlowMover, Some("MILK"), 1));
}

// ---- switched off ----------------------------------------------------------------------------

#[test]
fn alerts_switched_off_fire_nothing() {
    let config = AlertConfig {
        enabled: false,
        ..AlertConfig::default()
    };
    let mut b = Bench::with_config(
        config,
        vec![
            new_sku("HOT", "加绒卫衣", "apparel", 100),
            new_sku("MILK", "纯牛奶", "food", 10),
        ],
    );
    b.show(vec![lineup_item("HOT", Some(1))]);
    b.start();
    b.run(Command::SetCurrent {
        sku: code("HOT"),
        room: RoomId::main(),
    });
    // A surge that sells out, past every level, sell-through and sell-out time.
    assert!(b.sell("HOT", 100).is_empty());
    b.at(T0_MS + 2 * MINUTE_MS);
    assert!(b.tick().is_empty());
    b.at(T0_MS + 40 * DAY_MS);
    assert!(b.tick().is_empty());
    assert!(b.pool.alerts().alerts.is_empty());
    assert!(b.pool.alerts().fired.is_empty());
}
