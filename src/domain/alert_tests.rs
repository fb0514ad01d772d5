//! Tests of the warnings engine (SPEC C) on a controlled clock: every metric fires once per
//! crossing, re-arms only past its margin, and says what to do; acknowledgements; the `[alerts]`
//! config; and replaying the journaled commands rebuilds the very same alert book.

use super::alerts::{self, Alert, AlertConfig, AlertKey, AlertKind, Scope, Thresholds, Verdict};
use super::order::{Channel, Kind, Line, OrderEvent};
use super::show::{LineupItem, NewShow};
use super::stock::{Movement, MovementKind, NewSku, Sku};
use super::types::{Category, Cents, Ident, Int, Name, Note, Qty, SkuCode, Units};
use super::{Command, Ctx, Effect, Outcome, Pool, PoolConfig, RefusalCode, Snapshot};
use std::collections::BTreeSet;

/// A whole minute during a show (2026-11-24 20:00:00 +08:00), so minute and ten-second sales
/// buckets start where the tests expect them to.
const T0_MS: i64 = 1_795_521_600_000;
const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

fn code(raw: &str) -> SkuCode {
    SkuCode::parse(raw).unwrap()
}

fn new_sku(sku: &str, name: &str, category: &str, on_hand: i64) -> NewSku {
    NewSku {
        sku: code(sku),
        name: Name::new(name).unwrap(),
        category: Category::new(category).unwrap(),
        price_cents: Cents::new(9_900).unwrap(),
        on_hand: Units::new(on_hand).unwrap(),
        buffer: Units::default(),
        damaged: Units::default(),
        per_buyer_limit: None,
        presale_cap: Units::default(),
    }
}

fn lineup_item(sku: &str, planned_rate_per_min: Option<i64>) -> LineupItem {
    LineupItem {
        sku: code(sku),
        planned_start: None,
        planned_rate_per_min: planned_rate_per_min.map(|r| Int::new(r).unwrap()),
    }
}

fn movement(kind: MovementKind, qty: i64) -> Movement {
    Movement {
        kind,
        qty,
        reason: Some(Note::new("货架复核").unwrap()),
        by: Ident::new("仓库老李").unwrap(),
        verified_by: Some(Ident::new("仓库小张").unwrap()),
        zone: None,
        batch: None,
    }
}

/// A pool on a controlled clock, driven as the writer drives it: every command is numbered and
/// kept as journaled, the warnings are judged after each command on the SKUs it changed (and on
/// [`Bench::tick`] on everything), and their verdict is applied as a `Command::Alerts`.
struct Bench {
    pool: Pool,
    now_ms: i64,
    config: AlertConfig,
    /// Every command whose effect was journaled, with its ctx, in order.
    journal: Vec<(Command, Ctx)>,
    orders: u32,
}

impl Bench {
    fn new(skus: Vec<NewSku>) -> Self {
        Self::with_config(AlertConfig::default(), skus)
    }

    fn with_config(config: AlertConfig, skus: Vec<NewSku>) -> Self {
        let mut bench = Bench {
            pool: Pool::new(PoolConfig::default()),
            now_ms: T0_MS,
            config,
            journal: Vec::new(),
            orders: 0,
        };
        bench.run(Command::CreateSkus { skus });
        bench
    }

    /// Applies one command at the bench's time; journals it as the writer would.
    fn apply(&mut self, cmd: Command) -> Result<Effect, super::Refusal> {
        let ctx = Ctx {
            seq: self.pool.seq() + 1,
            now_ms: self.now_ms,
        };
        let result = self.pool.apply(&cmd, ctx);
        if let Ok(effect) = &result
            && effect.journal
        {
            self.journal.push((cmd, ctx));
        }
        result
    }

    /// Judges the warnings in `scope` now and records the verdict like the writer does.
    fn judge(&mut self, scope: Scope<'_>) -> Verdict {
        let verdict = alerts::evaluate(&self.pool, scope, self.now_ms, &self.config);
        if !verdict.is_empty() {
            let cmd = Command::Alerts {
                fired: verdict.fired.clone(),
                rearmed: verdict.rearmed.clone(),
            };
            self.apply(cmd).expect("recording alerts is never refused");
        }
        verdict
    }

    /// Applies a command that must be accepted, then judges the SKUs it changed (a batch of one).
    fn run(&mut self, cmd: Command) -> Verdict {
        let effect = self
            .apply(cmd.clone())
            .unwrap_or_else(|r| panic!("{cmd:?} was refused: {r:?}"));
        if let Outcome::Order(answer) = &effect.outcome {
            assert!(
                matches!(answer, super::order::Answer::Accepted { .. }),
                "{cmd:?} was not accepted: {answer:?}"
            );
        }
        let changed: BTreeSet<SkuCode> = effect.changed.into_iter().collect();
        self.judge(Scope::Skus(&changed))
    }

    /// The writer's tick: every metric, time-driven ones included.
    fn tick(&mut self) -> Verdict {
        self.judge(Scope::All)
    }

    fn at(&mut self, now_ms: i64) -> &mut Self {
        assert!(now_ms >= self.now_ms, "the bench's clock never goes back");
        self.now_ms = now_ms;
        self
    }

    fn order(&mut self, kind: Kind, order_id: &str, units: &[(&str, i64)]) -> Verdict {
        let event = OrderEvent {
            channel: Channel::new("douyin").unwrap(),
            order_id: Ident::new(order_id).unwrap(),
            kind,
            buyer: None,
            address: None,
            lines: units
                .iter()
                .map(|(sku, qty)| Line {
                    sku: code(sku),
                    qty: Qty::new(*qty).unwrap(),
                    unit_price_cents: None,
                })
                .collect(),
            presale: false,
            at: None,
        };
        self.run(Command::Order { event })
    }

    fn next_order_id(&mut self) -> String {
        self.orders += 1;
        format!("DY-{}", self.orders)
    }

    /// A paid order of `qty` units (created and paid in one step); returns its id and verdict.
    fn sell_order(&mut self, sku: &str, qty: i64) -> (String, Verdict) {
        let id = self.next_order_id();
        let verdict = self.order(Kind::Paid, &id, &[(sku, qty)]);
        (id, verdict)
    }

    fn sell(&mut self, sku: &str, qty: i64) -> Verdict {
        self.sell_order(sku, qty).1
    }

    /// An unpaid order holding `qty` units; returns its id.
    fn hold(&mut self, sku: &str, qty: i64) -> (String, Verdict) {
        let id = self.next_order_id();
        let verdict = self.order(Kind::Created, &id, &[(sku, qty)]);
        (id, verdict)
    }

    fn movement(&mut self, sku: &str, kind: MovementKind, qty: i64) -> Verdict {
        self.run(Command::Move {
            sku: code(sku),
            movement: movement(kind, qty),
        })
    }

    fn show(&mut self, lineup: Vec<LineupItem>) {
        self.run(Command::CreateShow {
            show: NewShow {
                title: Name::new("双十一返场专场").unwrap(),
                lineup,
            },
        });
    }

    fn start(&mut self) {
        self.run(Command::StartShow);
    }

    fn ack(&mut self, id: &str, by: &str) -> Result<Effect, super::Refusal> {
        self.apply(Command::AckAlert {
            id: id.to_owned(),
            by: Ident::new(by).unwrap(),
        })
    }

    fn sku(&self, sku: &str) -> &Sku {
        self.pool.sku(&code(sku)).expect("a known SKU")
    }

    /// Every alert of `kind` in the book, oldest first.
    fn book(&self, kind: AlertKind) -> Vec<&Alert> {
        self.pool
            .alerts()
            .alerts
            .iter()
            .filter(|a| a.kind == kind)
            .collect()
    }

    fn waiting(&self, kind: AlertKind, sku: Option<&str>, level: u8) -> bool {
        self.pool
            .alerts()
            .fired
            .contains(&alert_key(kind, sku, level))
    }
}

fn alert_key(kind: AlertKind, sku: Option<&str>, level: u8) -> AlertKey {
    AlertKey {
        kind,
        sku: sku.map(code),
        level,
    }
}

/// The alerts of `kind` in a verdict.
fn fired(verdict: &Verdict, kind: AlertKind) -> Vec<&Alert> {
    verdict.fired.iter().filter(|a| a.kind == kind).collect()
}

fn levels(alerts: &[&Alert]) -> Vec<u8> {
    alerts.iter().map(|a| a.level).collect()
}

fn rearmed(verdict: &Verdict, kind: AlertKind) -> Vec<u8> {
    verdict
        .rearmed
        .iter()
        .filter(|k| k.kind == kind)
        .map(|k| k.level)
        .collect()
}

/// A live show whose only lineup product is `HOODIE` (加绒卫衣, apparel) with a base of 100.
fn live_hoodie() -> Bench {
    let mut bench = Bench::new(vec![new_sku("HOODIE", "加绒卫衣", "apparel", 100)]);
    bench.show(vec![lineup_item("HOODIE", None)]);
    bench.start();
    assert_eq!(bench.sku("HOODIE").base, 100);
    bench
}

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

// ---- surge -----------------------------------------------------------------------------------

/// A live show: `HOT` planned at 2/min on air, `EMPTY` next but sold out, then `SPARE` in stock.
fn surge_show(start: bool) -> Bench {
    let mut b = Bench::new(vec![
        new_sku("HOT", "加绒卫衣", "apparel", 100),
        new_sku("EMPTY", "羽绒马甲", "apparel", 0),
        new_sku("SPARE", "针织围巾", "apparel", 50),
    ]);
    b.show(vec![
        lineup_item("HOT", Some(2)),
        lineup_item("EMPTY", Some(5)),
        lineup_item("SPARE", Some(5)),
    ]);
    if start {
        b.start();
    }
    b.run(Command::SetCurrent { sku: code("HOT") });
    b
}

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
    ended.run(Command::EndShow);
    assert!(fired(&ended.sell("HOT", 10), AlertKind::Surge).is_empty());
    assert!(ended.book(AlertKind::Surge).is_empty());
}

// ---- fading hit ------------------------------------------------------------------------------

#[test]
fn a_hit_fades_below_30_percent_of_its_peak_only_with_a_peak_of_10_a_minute() {
    let mut b = Bench::new(vec![
        new_sku("HIT", "加绒卫衣", "apparel", 1000),
        new_sku("MILD", "棒球帽", "apparel", 1000),
    ]);
    b.show(vec![lineup_item("HIT", None), lineup_item("MILD", None)]);
    b.start();
    b.sell("HIT", 12); // peak 12/min
    b.sell("MILD", 9); // peak 9/min: too small to fade
    assert_eq!(b.sku("HIT").peak_rate_per_min, 12);
    b.at(T0_MS + 30 * SECOND_MS);
    assert!(fired(&b.tick(), AlertKind::Fading).is_empty());

    b.at(T0_MS + 70 * SECOND_MS); // nothing sold in the last minute
    let v = b.tick();
    let got = fired(&v, AlertKind::Fading);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].sku, Some(code("HIT")));
    assert_eq!((got[0].value, got[0].threshold), (0.0, 3.6));
    assert!(got[0].message_zh.contains("加绒卫衣"));

    // Four in a minute is past the line but not a hit again: noise around 3.6 must not re-arm.
    b.at(T0_MS + 80 * SECOND_MS);
    let v = b.sell("HIT", 4);
    assert!(rearmed(&v, AlertKind::Fading).is_empty());
    // Eight is 60% of the peak of 12 (with the four): re-armed.
    let v = b.sell("HIT", 4);
    assert_eq!(rearmed(&v, AlertKind::Fading), [1]);
    assert!(
        b.book(AlertKind::Fading)
            .iter()
            .all(|a| a.sku == Some(code("HIT")))
    );
}

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
    b.run(Command::SetCurrent { sku: code("HOT") });
    // A surge that sells out, past every level, sell-through and sell-out time.
    assert!(b.sell("HOT", 100).is_empty());
    b.at(T0_MS + 2 * MINUTE_MS);
    assert!(b.tick().is_empty());
    b.at(T0_MS + 40 * DAY_MS);
    assert!(b.tick().is_empty());
    assert!(b.pool.alerts().alerts.is_empty());
    assert!(b.pool.alerts().fired.is_empty());
}

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
