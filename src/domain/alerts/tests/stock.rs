//! The per-SKU stock metrics: tiered levels, sell-out time and sell-through.

use super::*;

// ---- tiered stock ----------------------------------------------------------------------------

#[test]
fn each_stock_level_fires_exactly_once_in_order_as_the_base_is_sold_down() {
    let mut b = live_hoodie();
    // (units sold, stock level alerts expected from that sale)
    let steps: [(i64, &[u8]); 9] = [
        (79, &[]), // 21 left: above 20%
        (1, &[1]), // 20 left: at 20%
        (1, &[]),  // 19: still below, no second alert
        (8, &[]),  // 11
        (1, &[2]), // 10: at 10%
        (4, &[]),  // 6
        (1, &[3]), // 5: at 5%
        (4, &[]),  // 1
        (1, &[]),  // sold out: level 3 stands
    ];
    for (qty, want) in steps {
        let v = b.sell("HOODIE", qty);
        let got = fired(&v, AlertKind::StockLevel);
        assert_eq!(levels(&got), want, "after selling {qty} more");
    }
    assert_eq!(b.sku("HOODIE").available(), 0);
    let book = b.book(AlertKind::StockLevel);
    assert_eq!(levels(&book), [1, 2, 3]);
    let ids: BTreeSet<&str> = book.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "every alert has its own id");
    for (alert, (threshold, value)) in book.iter().zip([(20.0, 20.0), (10.0, 10.0), (5.0, 5.0)]) {
        assert_eq!(alert.sku, Some(code("HOODIE")));
        assert_eq!(alert.threshold, threshold);
        assert_eq!(alert.value, value);
        assert!(
            alert.message_zh.contains("加绒卫衣"),
            "{}",
            alert.message_zh
        );
        assert!(
            alert.message_en.contains("加绒卫衣"),
            "{}",
            alert.message_en
        );
        assert_eq!(alert.acked_by, None);
    }
    assert!(
        book[2].message_zh.contains("最后一批"),
        "{}",
        book[2].message_zh
    );
}

#[test]
fn a_restock_rearms_the_levels_and_the_next_crossing_fires_again() {
    let mut b = live_hoodie();
    b.sell("HOODIE", 95); // 5 left: levels 1, 2, 3 all fired
    assert_eq!(levels(&b.book(AlertKind::StockLevel)), [1, 2, 3]);

    // 30 received: 35 of a base raised to 130 is 26.9%, past 20% by more than the 10% margin.
    let v = b.movement("HOODIE", MovementKind::Receive, 30);
    assert_eq!(b.sku("HOODIE").base, 130);
    assert!(fired(&v, AlertKind::StockLevel).is_empty());
    assert_eq!(rearmed(&v, AlertKind::StockLevel), [1, 2, 3]);
    assert!(!b.waiting(AlertKind::StockLevel, Some("HOODIE"), 1));

    b.sell("HOODIE", 8); // 27 of 130: 20.8%
    let v = b.sell("HOODIE", 1); // 26 of 130: 20%
    assert_eq!(levels(&fired(&v, AlertKind::StockLevel)), [1]);
    let book = b.book(AlertKind::StockLevel);
    assert_eq!(levels(&book), [1, 2, 3, 1]);
    assert_ne!(book[0].id, book[3].id);
}

#[test]
fn stock_bouncing_on_the_line_does_not_spam_and_rearms_only_past_the_margin() {
    let mut b = live_hoodie();
    b.sell("HOODIE", 79); // 21 left
    for round in 0..5 {
        let (id, v) = b.hold("HOODIE", 1); // 20: on the line
        let want: &[u8] = if round == 0 { &[1] } else { &[] };
        assert_eq!(
            levels(&fired(&v, AlertKind::StockLevel)),
            want,
            "round {round}"
        );
        let v = b.order(Kind::Cancelled, &id, &[]); // 21: back above, within the margin
        assert!(v.rearmed.is_empty(), "round {round}: {v:?}");
    }
    assert_eq!(b.book(AlertKind::StockLevel).len(), 1);

    // 22% is not past 20% by the 10% margin; 23% is.
    let v = b.movement("HOODIE", MovementKind::Adjust, 1);
    assert!(v.rearmed.is_empty());
    let v = b.movement("HOODIE", MovementKind::Adjust, 1);
    assert_eq!(rearmed(&v, AlertKind::StockLevel), [1]);
    let (_, v) = b.hold("HOODIE", 3); // 20 again
    assert_eq!(levels(&fired(&v, AlertKind::StockLevel)), [1]);
    assert_eq!(b.book(AlertKind::StockLevel).len(), 2);
}

#[test]
fn a_fall_through_several_lines_fires_each_level_in_order_and_rearms_them_apart() {
    let mut b = live_hoodie();
    let v = b.sell("HOODIE", 96); // 4 left: past all three lines in one sale
    let got = fired(&v, AlertKind::StockLevel);
    assert_eq!(levels(&got), [1, 2, 3]);
    let ids: Vec<&str> = got.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a0", "a1", "a2"], "ids follow the firing order");

    // Back to 15%: past 10% and 5% by their margins, still under 20%.
    let v = b.movement("HOODIE", MovementKind::Adjust, 11);
    assert_eq!(rearmed(&v, AlertKind::StockLevel), [2, 3]);
    assert!(b.waiting(AlertKind::StockLevel, Some("HOODIE"), 1));
    let (_, v) = b.hold("HOODIE", 6); // 9%: level 2 again, not 1 or 3
    assert_eq!(levels(&fired(&v, AlertKind::StockLevel)), [2]);
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
    assert_eq!(rearmed(&v, AlertKind::SelloutEta), [2]);
    // 300 in the window over 30 minutes: 10/min, and 500 left: 50 minutes.
    let v = b.sell("TEE", 290);
    let got = fired(&v, AlertKind::SelloutEta);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].value, 50.0);
}

#[test]
fn a_sold_out_product_gets_no_sell_out_time_warning() {
    let mut b = Bench::new(vec![
        new_sku("GONE", "爆款围巾", "apparel", 10),
        new_sku("LATE", "羊毛袜", "apparel", 100),
    ]);
    let v = b.sell("GONE", 10);
    assert!(fired(&v, AlertKind::SelloutEta).is_empty());
    assert_eq!(levels(&fired(&v, AlertKind::StockLevel)), [1, 2, 3]);

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
