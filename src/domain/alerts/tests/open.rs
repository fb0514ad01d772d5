//! One open warning per (SKU, kind): sell-out minutes that follow the live numbers and escalate
//! in place, exact replay of updates, old journals, and a property over any command stream.

use super::*;
use crate::domain::types::RoomId;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// The open (unacknowledged) alerts of the pool, counted per (kind, SKU).
fn open_per_topic(pool: &Pool) -> BTreeMap<(AlertKind, Option<SkuCode>), usize> {
    let mut open = BTreeMap::new();
    for a in pool.alerts().alerts.iter().filter(|a| a.acked_by.is_none()) {
        *open.entry((a.kind, a.sku.clone())).or_insert(0) += 1;
    }
    open
}

#[test]
fn the_sell_out_warning_follows_the_30_minute_rate_in_place_and_escalates_to_level_3() {
    let mut b = Bench::new(vec![new_sku("TEE", "纯棉T恤", "apparel", 1000)]);
    // 10 a minute for 45 minutes: the rate settles at 10/min and the minutes fall under 60.
    let mut fired_at = None;
    for minute in 0..45 {
        b.at(T0_MS + minute * MINUTE_MS);
        b.sell("TEE", 10);
        let v = b.tick();
        if fired_at.is_none() && !fired(&v, AlertKind::SelloutEta).is_empty() {
            fired_at = Some(minute);
        }
    }
    let book = b.book(AlertKind::SelloutEta);
    assert_eq!(book.len(), 1, "one alert, updated in place: {book:?}");
    let alert = book[0];
    let view = b.sku("TEE").view(b.now_ms);
    assert_eq!(view.rate_per_min, 10.0);
    assert_eq!(
        Some(alert.value),
        view.sellout_minutes,
        "the table's number"
    );
    assert_eq!(alert.value, 55.0); // 550 left at 10/min
    assert_eq!(alert.level, 2);
    assert!(
        alert.message_zh.contains("按近30分钟速度"),
        "{}",
        alert.message_zh
    );
    assert!(
        alert.message_zh.contains("约 55 分钟"),
        "{}",
        alert.message_zh
    );
    assert!(
        alert.message_en.contains("30-minute mean"),
        "{}",
        alert.message_en
    );
    assert!(alert.updated_at.is_some_and(|t| t > alert.at));

    // 420 sold at once: 130 left at 24/min is under 15 minutes: level 3, same id.
    let id = alert.id.clone();
    let v = b.sell("TEE", 420);
    let up: Vec<&Alert> = v
        .updated
        .iter()
        .filter(|a| a.kind == AlertKind::SelloutEta)
        .collect();
    assert_eq!(up.len(), 1);
    assert_eq!((up[0].id.as_str(), up[0].level), (id.as_str(), 3));
    let view = b.sku("TEE").view(b.now_ms);
    assert_eq!(Some(up[0].value), view.sellout_minutes);
    assert!(
        up[0].message_zh.contains("马上准备"),
        "{}",
        up[0].message_zh
    );
    assert_eq!(b.book(AlertKind::SelloutEta).len(), 1);
    assert_eq!(open_per_topic(&b.pool).values().max(), Some(&1));
}

#[test]
fn replay_gives_back_every_update_and_an_old_alerts_record_still_reads() {
    let mut b = live_hoodie();
    b.sell("HOODIE", 50);
    b.at(T0_MS + 10 * SECOND_MS);
    b.sell("HOODIE", 46); // escalations
    b.at(T0_MS + 20 * SECOND_MS);
    b.tick(); // updates in place
    b.movement("HOODIE", MovementKind::Receive, 10);
    b.at(T0_MS + 2 * MINUTE_MS);
    b.tick();
    assert!(
        b.journal
            .iter()
            .any(|(c, _)| matches!(c, Command::Alerts { updated, .. } if !updated.is_empty())),
        "the bench journaled updates"
    );
    let mut replayed = Pool::new(PoolConfig::default());
    for (cmd, ctx) in &b.journal {
        let cmd: Command = serde_json::from_str(&serde_json::to_string(cmd).unwrap()).unwrap();
        replayed.apply(&cmd, *ctx).unwrap();
    }
    assert_eq!(replayed.snapshot(), b.pool.snapshot());
    let snap: Snapshot =
        serde_json::from_str(&serde_json::to_string(&b.pool.snapshot()).unwrap()).unwrap();
    let restored = Pool::from_snapshot(snap, PoolConfig::default()).unwrap();
    assert_eq!(
        alerts::evaluate(&restored, Scope::All, b.now_ms, &b.config),
        alerts::evaluate(&b.pool, Scope::All, b.now_ms, &b.config)
    );

    // A record written before updates existed: no `crossed`, `updated` or `updated_at`.
    let old = r#"{"op":"alerts","fired":[{"id":"a0","kind":"stock_level","level":1,"sku":"HOODIE",
        "value":20.0,"threshold":20.0,"message_zh":"z","message_en":"e",
        "at":"2026-11-24T12:00:00.000Z","acked_by":null,"acked_at":null}],"rearmed":[]}"#;
    let cmd: Command = serde_json::from_str(old).unwrap();
    let mut pool = live_hoodie().pool;
    let seq = pool.seq() + 1;
    pool.apply(&cmd, Ctx { seq, now_ms: T0_MS }).unwrap();
    let alert = &pool.alerts().alerts[0];
    assert_eq!(alert.updated_at, None);
    assert!(
        pool.alerts()
            .fired
            .contains(&alert_key(AlertKind::StockLevel, Some("HOODIE"), 1))
    );
}

/// One step of a random show.
#[derive(Clone, Debug)]
enum Step {
    Sell(usize, i64),
    Hold(usize, i64),
    Receive(usize, i64),
    Wait(i64),
    Tick,
    /// Acknowledges the n-th open alert, if there is one.
    Ack(usize),
    OnAir(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 1..40i64).prop_map(|(s, q)| Step::Sell(s, q)),
        1 => (0..3usize, 1..20i64).prop_map(|(s, q)| Step::Hold(s, q)),
        1 => (0..3usize, 1..60i64).prop_map(|(s, q)| Step::Receive(s, q)),
        2 => (1..90_000i64).prop_map(Step::Wait),
        2 => Just(Step::Tick),
        1 => (0..8usize).prop_map(Step::Ack),
        1 => (0..3usize).prop_map(Step::OnAir),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn after_any_command_stream_at_most_one_alert_per_sku_and_kind_is_open(
        steps in proptest::collection::vec(step(), 1..80)
    ) {
        const SKUS: [&str; 3] = ["A", "B", "C"];
        let mut b = Bench::new(SKUS.iter().map(|s| new_sku(s, s, "apparel", 120)).collect());
        b.show(SKUS.iter().map(|s| lineup_item(s, Some(2))).collect());
        b.start();
        for step in steps {
            match step {
                Step::Sell(s, q) if b.sku(SKUS[s]).available() >= q => { b.sell(SKUS[s], q); }
                Step::Hold(s, q) if b.sku(SKUS[s]).available() >= q => { b.hold(SKUS[s], q); }
                Step::Receive(s, q) => { b.movement(SKUS[s], MovementKind::Receive, q); }
                Step::Wait(ms) => { let t = b.now_ms + ms; b.at(t); }
                Step::Tick => { b.tick(); }
                Step::Ack(n) => {
                    let open: Vec<String> = b.pool.alerts().alerts.iter()
                        .filter(|a| a.acked_by.is_none()).map(|a| a.id.clone()).collect();
                    if let Some(id) = open.get(n) { b.ack(id, "运营小王").unwrap(); }
                }
                Step::OnAir(s) => { b.run(Command::SetCurrent { sku: code(SKUS[s]), room: RoomId::main() }); }
                _ => {}
            }
            let open = open_per_topic(&b.pool);
            prop_assert!(open.values().all(|n| *n <= 1), "{open:?}");
        }
        let mut replayed = Pool::new(PoolConfig::default());
        for (cmd, ctx) in &b.journal {
            replayed.apply(cmd, *ctx).unwrap();
        }
        prop_assert_eq!(replayed.alerts(), b.pool.alerts());
    }
}
