//! The per-SKU stock metrics: tiered levels, sell-out time and sell-through.

use super::*;

// ---- tiered stock ----------------------------------------------------------------------------

/// The stock-level alerts of `verdict`: fired and updated in place, as `(id, level)`.
fn stock_moves(verdict: &Verdict) -> Vec<(String, u8)> {
    let fired = verdict.fired.iter();
    fired
        .chain(verdict.updated.iter())
        .filter(|a| a.kind == AlertKind::StockLevel)
        .map(|a| (a.id.clone(), a.level))
        .collect()
}

#[test]
fn one_stock_level_alert_fires_and_escalates_in_place_as_the_base_is_sold_down() {
    let mut b = live_hoodie();
    // (units sold, the level of the one alert after that sale; None: no change)
    let steps: [(i64, Option<u8>); 9] = [
        (79, None),   // 21 left: above 20%
        (1, Some(1)), // 20 left: at 20%, fired
        (1, None),    // 19: still level 1, its text waits for the tick
        (8, None),    // 11
        (1, Some(2)), // 10: at 10%, escalated in place
        (4, None),    // 6
        (1, Some(3)), // 5: at 5%
        (4, None),    // 1
        (1, None),    // sold out: level 3 stands
    ];
    for (qty, want) in steps {
        let v = b.sell("HOODIE", qty);
        let got: Vec<u8> = stock_moves(&v).into_iter().map(|(_, l)| l).collect();
        assert_eq!(
            got,
            want.into_iter().collect::<Vec<_>>(),
            "after selling {qty} more"
        );
    }
    assert_eq!(b.sku("HOODIE").available(), 0);
    let book = b.book(AlertKind::StockLevel);
    assert_eq!(
        levels(&book),
        [3],
        "one alert for the SKU, at the highest level"
    );
    let alert = book[0];
    let id = alert.id.clone();
    assert_eq!((alert.threshold, alert.value), (5.0, 5.0));
    assert_eq!(alert.at, T0_MS);
    assert_eq!(alert.updated_at, Some(T0_MS));
    assert!(alert.message_zh.contains("剩 5 件"), "{}", alert.message_zh);

    // The tick brings its value and words to the live numbers: 0 left.
    let v = b.tick();
    assert_eq!(stock_moves(&v), [(id, 3)], "same id, new numbers");
    let alert = b.book(AlertKind::StockLevel)[0];
    assert_eq!(alert.value, 0.0);
    assert!(alert.message_zh.contains("已抢光"), "{}", alert.message_zh);
    assert!(alert.message_en.contains("0 left"), "{}", alert.message_en);
    assert!(
        stock_moves(&b.tick()).is_empty(),
        "nothing changed: nothing to journal"
    );
}

#[test]
fn a_restock_rearms_the_levels_and_the_next_crossing_updates_the_open_alert() {
    let mut b = live_hoodie();
    b.sell("HOODIE", 95); // 5 left: levels 1, 2, 3 crossed, one alert at 3
    assert_eq!(levels(&b.book(AlertKind::StockLevel)), [3]);
    let id = b.book(AlertKind::StockLevel)[0].id.clone();

    // 30 received: 35 of a base raised to 130 is 26.9%, past 20% by more than the 10% margin.
    let v = b.movement("HOODIE", MovementKind::Receive, 30);
    assert_eq!(b.sku("HOODIE").base, 130);
    assert!(
        stock_moves(&v).is_empty(),
        "the open alert waits for its ack"
    );
    assert_eq!(rearmed(&v, AlertKind::StockLevel), [1, 2, 3]);
    assert!(!b.waiting(AlertKind::StockLevel, Some("HOODIE"), 1));

    b.sell("HOODIE", 8); // 27 of 130: 20.8%
    let v = b.sell("HOODIE", 1); // 26 of 130: 20%
    assert_eq!(
        stock_moves(&v),
        [(id.clone(), 1)],
        "the open one, at level 1 now"
    );
    assert_eq!(b.book(AlertKind::StockLevel).len(), 1);

    // Acknowledged, re-armed, crossed again: a new alert.
    b.ack(&id, "运营小王").unwrap();
    b.movement("HOODIE", MovementKind::Receive, 30);
    b.sell("HOODIE", 30); // 26 of 160: 16%
    let book = b.book(AlertKind::StockLevel);
    assert_eq!(levels(&book), [1, 1]);
    assert_ne!(book[0].id, book[1].id);
    assert_eq!(book[0].acked_by.as_deref(), Some("运营小王"));
}

#[test]
fn stock_bouncing_on_the_line_does_not_spam_and_rearms_only_past_the_margin() {
    let mut b = live_hoodie();
    b.sell("HOODIE", 79); // 21 left
    let mut alert_id = String::new();
    for round in 0..5 {
        let (id, v) = b.hold("HOODIE", 1); // 20: on the line
        let want = if round == 0 { 1 } else { 0 };
        let moves = stock_moves(&v);
        assert_eq!(moves.len(), want, "round {round}");
        if let Some((first, _)) = moves.into_iter().next() {
            alert_id = first;
        }
        let v = b.order(Kind::Cancelled, &id, &[]); // 21: back above, within the margin
        assert!(v.rearmed.is_empty(), "round {round}: {v:?}");
    }
    assert_eq!(b.book(AlertKind::StockLevel).len(), 1);

    // 22% is not past 20% by the 10% margin; 23% is.
    let v = b.movement("HOODIE", MovementKind::Adjust, 1);
    assert!(v.rearmed.is_empty());
    let v = b.movement("HOODIE", MovementKind::Adjust, 1);
    assert_eq!(rearmed(&v, AlertKind::StockLevel), [1]);
    let (_, v) = b.hold("HOODIE", 3); // 20 again: the open alert, not a second one
    assert_eq!(stock_moves(&v), [(alert_id, 1)]);
    assert_eq!(b.book(AlertKind::StockLevel).len(), 1);
}

#[test]
fn a_burst_across_three_tiers_leaves_one_alert_at_level_3_that_steps_down_with_a_restock() {
    let mut b = live_hoodie();
    let v = b.sell("HOODIE", 96); // 4 left: past all three lines in one sale
    assert_eq!(levels(&fired(&v, AlertKind::StockLevel)), [3]);
    let crossed = v.crossed.iter().filter(|k| k.kind == AlertKind::StockLevel);
    assert_eq!(crossed.count(), 3, "each line waits to re-arm");
    let id = fired(&v, AlertKind::StockLevel)[0].id.clone();
    let open: Vec<&Alert> = b
        .book(AlertKind::StockLevel)
        .into_iter()
        .filter(|a| a.acked_by.is_none())
        .collect();
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(
        open[0].message_zh.contains("剩 4 件"),
        "{}",
        open[0].message_zh
    );

    // Back to 15%: past 10% and 5% by their margins, still under 20%: level 1, in place.
    let v = b.movement("HOODIE", MovementKind::Adjust, 11);
    assert_eq!(rearmed(&v, AlertKind::StockLevel), [2, 3]);
    assert_eq!(stock_moves(&v), [(id.clone(), 1)]);
    assert!(b.waiting(AlertKind::StockLevel, Some("HOODIE"), 1));
    let (_, v) = b.hold("HOODIE", 6); // 9%: level 2 again, in place
    assert_eq!(stock_moves(&v), [(id, 2)]);
    assert_eq!(b.book(AlertKind::StockLevel).len(), 1);
}

#[test]
fn after_an_ack_only_a_higher_line_fires_a_new_alert() {
    let mut b = live_hoodie();
    b.sell("HOODIE", 85); // 15%: level 1
    let id = b.book(AlertKind::StockLevel)[0].id.clone();
    b.ack(&id, "运营小王").unwrap();
    let v = b.sell("HOODIE", 2); // 13%: same level, the acknowledged alert stays as it was
    assert!(stock_moves(&v).is_empty());
    b.at(T0_MS + 5_000);
    assert!(stock_moves(&b.tick()).is_empty());
    let v = b.sell("HOODIE", 5); // 8%: worse than what was acknowledged
    assert_eq!(levels(&fired(&v, AlertKind::StockLevel)), [2]);
    let book = b.book(AlertKind::StockLevel);
    assert_eq!(levels(&book), [1, 2]);
    assert!(
        book[0].message_zh.contains("剩 15 件"),
        "acknowledged text stands: {}",
        book[0].message_zh
    );
}

// ---- sell-out time ---------------------------------------------------------------------------

#[test]
fn sell_out_time_fires_when_the_available_units_last_under_60_minutes_at_the_recent_pace() {
    let mut b = Bench::new(vec![new_sku("TEE", "纯棉T恤", "apparel", 1000)]);
    // Ten a minute for forty minutes: the mean over the last 30 minutes stays 10/min.
    for minute in 0..40 {
        b.at(T0_MS + minute * MINUTE_MS);
        let v = b.sell("TEE", 10);
        assert!(
            fired(&v, AlertKind::SelloutEta).is_empty(),
            "minute {minute}"
        );
    }
    // 600 left at 10/min: exactly 60 minutes is not under 60.
    assert_eq!(b.sku("TEE").rate.per_minute(b.now_ms), 10.0);
    b.at(T0_MS + 40 * MINUTE_MS);
    let v = b.sell("TEE", 10);
    let got = fired(&v, AlertKind::SelloutEta);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].value, 59.0);
    assert_eq!(got[0].threshold, 60.0);
    assert_eq!(got[0].sku, Some(code("TEE")));
    assert!(got[0].message_zh.contains("纯棉T恤") && got[0].message_zh.contains("售罄"));
}

#[test]
fn a_young_window_is_divided_by_its_age_not_by_30_minutes() {
    let mut b = Bench::new(vec![new_sku("TEE", "纯棉T恤", "apparel", 1000)]);
    // 20 in the first minute: 20/min, so 980 last 49 minutes (over 30 minutes it would be 1,470).
    let v = b.sell("TEE", 20);
    let got = fired(&v, AlertKind::SelloutEta);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].value, 49.0);
    // Four quiet minutes later the window is five minutes old: 4/min, 245 minutes: re-armed.
    b.at(T0_MS + 4 * MINUTE_MS);
    assert_eq!(b.sku("TEE").rate.per_minute(b.now_ms), 4.0);
    let v = b.tick();
    assert_eq!(rearmed(&v, AlertKind::SelloutEta), [2]);
}

#[test]
fn sales_older_than_30_minutes_leave_the_rate() {
    let mut b = Bench::new(vec![new_sku("TEE", "纯棉T恤", "apparel", 2000)]);
    let v = b.sell("TEE", 1200); // 800 left at 1,200/min
    assert_eq!(fired(&v, AlertKind::SelloutEta).len(), 1);
    // 35 minutes on the big sale is out of the window: 10 units over 30 minutes.
    b.at(T0_MS + 35 * MINUTE_MS);
    let v = b.sell("TEE", 10);
    assert_eq!(b.sku("TEE").rate.per_minute(b.now_ms), 10.0 / 30.0);
    assert_eq!(rearmed(&v, AlertKind::SelloutEta), [2, 3]);
    // 300 in the window over 30 minutes: 10/min, and 500 left: 50 minutes.
    let v = b.sell("TEE", 290);
    assert!(
        fired(&v, AlertKind::SelloutEta).is_empty(),
        "one open per SKU and kind"
    );
    let got: Vec<&Alert> = v.updated.iter().collect();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].value, got[0].level), (50.0, 2));
}

#[test]
fn a_sold_out_product_gets_no_sell_out_time_warning() {
    let mut b = Bench::new(vec![
        new_sku("GONE", "爆款围巾", "apparel", 10),
        new_sku("LATE", "羊毛袜", "apparel", 100),
    ]);
    let v = b.sell("GONE", 10);
    assert!(fired(&v, AlertKind::SelloutEta).is_empty());
    assert_eq!(levels(&fired(&v, AlertKind::StockLevel)), [3]);

    // Warned while it still had stock, then sold out: no second warning, and no re-arm.
    let v = b.sell("LATE", 50);
    assert_eq!(fired(&v, AlertKind::SelloutEta).len(), 1);
    let v = b.sell("LATE", 50);
    assert!(fired(&v, AlertKind::SelloutEta).is_empty());
    b.at(T0_MS + MINUTE_MS);
    let v = b.tick();
    assert!(fired(&v, AlertKind::SelloutEta).is_empty());
    assert!(rearmed(&v, AlertKind::SelloutEta).is_empty());
    assert_eq!(b.book(AlertKind::SelloutEta).len(), 1);
}

// ---- sell-through ----------------------------------------------------------------------------

#[test]
fn sell_through_fires_above_80_percent_and_rearms_after_a_refund() {
    let mut b = Bench::new(vec![new_sku("CAP", "棒球帽", "apparel", 100)]);
    let (big, v) = b.sell_order("CAP", 80); // 80 of 100: not above 80%
    assert!(fired(&v, AlertKind::SellThrough).is_empty());
    let v = b.sell("CAP", 1);
    let got = fired(&v, AlertKind::SellThrough);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].value, got[0].threshold), (81.0, 80.0));
    assert!(got[0].message_zh.contains("棒球帽"));
    let v = b.sell("CAP", 1);
    assert!(fired(&v, AlertKind::SellThrough).is_empty());

    let v = b.order(Kind::Refunded, &big, &[]); // 2 sold of 100
    assert_eq!(rearmed(&v, AlertKind::SellThrough), [1]);
}
