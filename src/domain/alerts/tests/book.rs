//! The book: acknowledgements, replay, and the `[alerts]` config.

use super::*;

// ---- acknowledgements ------------------------------------------------------------------------

#[test]
fn an_ack_records_who_and_when_and_the_first_ack_stands() {
    let mut b = live_hoodie();
    let v = b.sell("HOODIE", 80);
    let id = fired(&v, AlertKind::StockLevel)[0].id.clone();

    b.at(T0_MS + 5 * SECOND_MS);
    let effect = b.ack(&id, "运营小王").unwrap();
    let Outcome::Acked(alert) = effect.outcome else {
        panic!("an ack answers with its alert: {effect:?}")
    };
    assert_eq!(alert.id, id);
    assert_eq!(alert.acked_by.as_deref(), Some("运营小王"));
    assert_eq!(alert.acked_at, Some(T0_MS + 5 * SECOND_MS));
    assert_eq!(alert.at, T0_MS);

    b.at(T0_MS + 9 * SECOND_MS);
    let Outcome::Acked(again) = b.ack(&id, "仓库老李").unwrap().outcome else {
        panic!("an ack answers with its alert")
    };
    assert_eq!(again.acked_by.as_deref(), Some("运营小王"));
    assert_eq!(again.acked_at, Some(T0_MS + 5 * SECOND_MS));
    assert_eq!(b.pool.alerts().get(&id), Some(&*again));

    // An ack is not a re-arm: selling on below the line fires nothing new.
    assert!(fired(&b.sell("HOODIE", 1), AlertKind::StockLevel).is_empty());
}

#[test]
fn acking_an_unknown_alert_is_refused_as_not_found_and_changes_nothing() {
    let mut b = live_hoodie();
    b.sell("HOODIE", 80);
    let before = b.pool.snapshot();
    let journaled = b.journal.len();
    let refusal = b.ack("a999", "运营小王").unwrap_err();
    assert_eq!(refusal.code, RefusalCode::NotFound);
    assert_eq!(b.pool.snapshot(), before);
    assert_eq!(b.journal.len(), journaled);
}

// ---- replay ----------------------------------------------------------------------------------

#[test]
fn replaying_the_journaled_commands_rebuilds_the_same_alert_book() {
    let mut b = surge_show(true);
    b.sell("HOT", 6); // a surge, and the sell-out time
    b.at(T0_MS + 30 * SECOND_MS);
    b.sell("HOT", 75); // level 1 and sell-through
    let surge = b.book(AlertKind::Surge)[0].id.clone();
    b.at(T0_MS + 40 * SECOND_MS);
    b.ack(&surge, "运营小王").unwrap();
    b.movement("HOT", MovementKind::Receive, 100); // re-arms level 1 and sell-through
    b.at(T0_MS + 3 * MINUTE_MS);
    b.tick(); // the surge re-arms, the hit fades
    b.at(T0_MS + 31 * DAY_MS);
    b.tick(); // slow movers
    b.sell("HOT", 100); // levels 1 and 2, a second surge
    let level1 = b.book(AlertKind::StockLevel)[0].id.clone();
    b.ack(&level1, "仓库老李").unwrap();
    let book = b.pool.alerts().clone();
    assert!(book.alerts.len() >= 6, "a varied book: {:?}", book.alerts);
    assert!(!book.fired.is_empty());

    // Replayed as the journal stores it: each command through JSON, with its ctx.
    let mut replayed = Pool::new(PoolConfig::default());
    for (cmd, ctx) in &b.journal {
        let json = serde_json::to_string(cmd).unwrap();
        let cmd: Command = serde_json::from_str(&json).unwrap();
        replayed
            .apply(&cmd, *ctx)
            .expect("a journaled command replays");
    }
    assert_eq!(replayed.alerts(), &book);
    assert_eq!(replayed.show_view(), b.pool.show_view());
    assert_eq!(replayed.snapshot(), b.pool.snapshot());

    // And through a snapshot.
    let json = serde_json::to_string(&b.pool.snapshot()).unwrap();
    let snap: Snapshot = serde_json::from_str(&json).unwrap();
    let restored = Pool::from_snapshot(snap, PoolConfig::default()).unwrap();
    assert_eq!(restored.alerts(), &book);

    // The replayed pool judges exactly as the original would at the same moment.
    assert_eq!(
        alerts::evaluate(&replayed, Scope::All, b.now_ms, &b.config),
        alerts::evaluate(&b.pool, Scope::All, b.now_ms, &b.config)
    );
}

// ---- the config ------------------------------------------------------------------------------

#[test]
fn the_alerts_config_overrides_the_shop_and_categories_over_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("livestock.toml");
    let toml =
        "[alerts.shop]\nlevel1_pct = 25\n\n[alerts.categories.apparel]\nturnover_days = 90\n";
    std::fs::write(&path, toml).unwrap();
    let args = crate::config::ServeArgs {
        config: Some(path),
        ..Default::default()
    };
    let config = crate::config::Config::resolve(&args).unwrap().alerts;
    assert!(config.enabled);

    let apparel = config.for_category("apparel");
    assert_eq!((apparel.level1_pct, apparel.turnover_days), (25.0, 90.0));
    let food = config.for_category("food");
    assert_eq!((food.level1_pct, food.turnover_days), (25.0, 20.0));
    assert_eq!(food.slow_mover_days, 14.0);
    let other = config.for_category("kitchen");
    assert_eq!((other.level1_pct, other.turnover_days), (25.0, 45.0));
    // Untouched keys keep their defaults everywhere.
    let defaults = Thresholds::default();
    for t in [apparel, food, other] {
        assert_eq!(t.level2_pct, defaults.level2_pct);
        assert_eq!(t.surge_factor, defaults.surge_factor);
    }
}

#[test]
fn the_alerts_config_can_switch_warnings_off_and_refuses_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let resolve = |toml: &str| {
        let path = dir.path().join("livestock.toml");
        std::fs::write(&path, toml).unwrap();
        let args = crate::config::ServeArgs {
            config: Some(path),
            ..Default::default()
        };
        crate::config::Config::resolve(&args).map(|c| c.alerts)
    };
    assert!(!resolve("[alerts]\nenabled = false\n").unwrap().enabled);
    assert!(resolve("[alerts.shop]\nlevel_one = 25\n").is_err());
    assert!(resolve("[alerts.categories.food]\nturnover = 9\n").is_err());
    assert_eq!(resolve("").unwrap(), AlertConfig::default());
}
