//! Tests of the warnings engine (SPEC C) on a controlled clock: every metric fires once per
//! crossing, re-arms only past its margin, and says what to do; acknowledgements; the `[alerts]`
//! config; and replaying the journaled commands rebuilds the very same alert book.

mod book;
mod live;
mod open;
mod rooms;
mod shop;
mod stock;

use crate::domain::alerts::{
    self, Alert, AlertConfig, AlertKey, AlertKind, Scope, Thresholds, Verdict,
};
use crate::domain::order::{Channel, Kind, Line, OrderEvent};
use crate::domain::show::{LineupItem, NewShow};
use crate::domain::stock::{Movement, MovementKind, NewSku, Sku};
use crate::domain::types::RoomId;
use crate::domain::types::{Category, Cents, Ident, Int, Name, Note, Qty, SkuCode, Units};
use crate::domain::{Command, Ctx, Effect, Outcome, Pool, PoolConfig, RefusalCode, Snapshot};
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
    fn apply(&mut self, cmd: Command) -> Result<Effect, crate::domain::Refusal> {
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
                crossed: verdict.crossed.clone(),
                updated: verdict.updated.clone(),
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
                matches!(answer, crate::domain::order::Answer::Accepted { .. }),
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
            room: None,
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
                planned_end: None,
            },
            room: RoomId::main(),
        });
    }

    fn start(&mut self) {
        self.run(Command::StartShow {
            room: RoomId::main(),
        });
    }

    fn ack(&mut self, id: &str, by: &str) -> Result<Effect, crate::domain::Refusal> {
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
        room: matches!(kind, AlertKind::Surge | AlertKind::Fading).then(RoomId::main),
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
    b.run(Command::SetCurrent {
        sku: code("HOT"),
        room: RoomId::main(),
    });
    b
}
