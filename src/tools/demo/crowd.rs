//! The simulated crowd: the orders buyers place over the show (demand per product and minute, the
//! hero's surge, spill-over once it is gone, scalpers), what happens to each order later (payment,
//! cancellation, lapse, refund, shipping, a channel's second delivery), and the tally of answers.

use super::catalog::*;
use super::rng::Rng;
use crate::domain::order::Kind;
use serde_json::{Value, json};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

/// The show the catalog's stock is sized for; other lengths scale the stock with them.
pub(super) const REFERENCE_MINUTES: f64 = 60.0;
/// The most hero orders per step a simulated crowd may place (keeps a fast-forwarded surge modest).
pub(super) const ORDERS_PER_PRODUCT_STEP_MAX: u64 = 600;
/// The share of events a channel sends twice (at-least-once webhooks): answered `duplicate`.
pub(super) const RETRY_SHARE: f64 = 0.01;

/// What a buyer does after placing an order with `created`.
pub(super) enum Fate {
    /// Pays this many show-ms later.
    Pay(i64),
    /// Cancels this many show-ms later.
    Cancel(i64),
    /// Never pays: the server lets the hold lapse.
    Abandon,
}

/// One simulated order and everything that will happen to it, drawn when it is placed so that the
/// draws do not hang on what the server answers.
pub(super) struct Order {
    pub(super) channel: usize,
    pub(super) id: String,
    pub(super) buyer: String,
    pub(super) address: Option<(String, String, String)>,
    /// `(product index, qty)`.
    pub(super) lines: Vec<(usize, i64)>,
    pub(super) presale: bool,
    /// Arrives as `paid` at once, with no `created` before.
    pub(super) paid_direct: bool,
    pub(super) fate: Fate,
    /// Show-ms after payment when it is refunded, if it is.
    pub(super) refund_after_ms: Option<i64>,
    /// Show-ms after payment when it ships, if it does before the refund.
    pub(super) ship_after_ms: Option<i64>,
}

/// An event waiting for its show time.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Followup {
    pub(super) at_ms: i64,
    /// Ties keep the order they were scheduled in.
    pub(super) seq: u64,
    pub(super) order: usize,
    pub(super) kind: Kind,
}

/// An event to post in this step.
pub(super) struct Outgoing {
    pub(super) order: usize,
    pub(super) kind: Kind,
    /// A channel's second delivery of an event already sent: its answer is `duplicate`.
    pub(super) retry: bool,
}

/// What the server answered, added up.
#[derive(Default)]
pub(super) struct Stats {
    pub(super) posted: u64,
    pub(super) accepted: u64,
    pub(super) duplicate: u64,
    pub(super) rejected: BTreeMap<String, u64>,
    pub(super) accepted_by_kind: BTreeMap<&'static str, u64>,
    pub(super) abandoned: u64,
    /// Hero orders refused with `out_of_stock`: demand that, without one pool, would be oversold.
    pub(super) hero_turned_away: u64,
}

/// The show being played: the crowd's state and what the demo saw of the server.
pub(super) struct Sim {
    pub(super) rng: Rng,
    /// Stock multiplier: the show's length over [`REFERENCE_MINUTES`].
    pub(super) scale: f64,
    pub(super) show_ms: i64,
    pub(super) slot_ms: i64,
    pub(super) by_sku: HashMap<&'static str, usize>,
    /// For each catalog product, its lineup slot if it has one.
    pub(super) slot_of: Vec<Option<usize>>,
    pub(super) orders: Vec<Order>,
    pub(super) followups: BinaryHeap<Reverse<Followup>>,
    pub(super) followup_seq: u64,
    /// Events a channel delivers a second time in the next step.
    pub(super) retries: Vec<Outgoing>,
    /// A short tag that keeps this run's order ids apart from another run's.
    pub(super) run_tag: String,
    /// When each product first showed 0 available, in show-ms.
    pub(super) sold_out_at: Vec<Option<i64>>,
    /// The highest stock warning level seen since it last went back to 0.
    pub(super) level: Vec<u64>,
    pub(super) stats: Stats,
    /// The product on air in the Kuaishou room now (see `rooms`): most Kuaishou buyers buy it.
    pub(super) ks_on_air: Option<usize>,
}

impl Sim {
    pub(super) fn new(seed: u64, minutes: u32) -> Sim {
        let mut rng = Rng::new(seed);
        let run_tag = format!("{:04X}", rng.next_u64() & 0xFFFF);
        let by_sku: HashMap<_, _> = CATALOG
            .iter()
            .enumerate()
            .map(|(i, p)| (p.sku, i))
            .collect();
        let slot_of = CATALOG
            .iter()
            .map(|p| LINEUP.iter().position(|s| s.sku == p.sku))
            .collect();
        let show_ms = i64::from(minutes) * 60_000;
        Sim {
            rng,
            scale: f64::from(minutes) / REFERENCE_MINUTES,
            show_ms,
            slot_ms: show_ms / LINEUP.len() as i64,
            by_sku,
            slot_of,
            orders: Vec::new(),
            followups: BinaryHeap::new(),
            followup_seq: 0,
            retries: Vec::new(),
            run_tag,
            sold_out_at: vec![None; CATALOG.len()],
            level: vec![0; CATALOG.len()],
            stats: Stats::default(),
            ks_on_air: None,
        }
    }

    pub(super) fn index(&self, sku: &str) -> usize {
        self.by_sku[sku]
    }

    pub(super) fn scaled(&self, units: f64) -> i64 {
        (units * self.scale).round() as i64
    }

    /// The stock of product `p` for this show's length.
    pub(super) fn on_hand(&self, p: &Product) -> i64 {
        if p.on_hand == 0 {
            return 0;
        }
        let floor = if p.sku == HERO {
            HERO_ON_HAND_MIN
        } else {
            20 + p.damaged + p.buffer
        };
        self.scaled(p.on_hand as f64).max(floor)
    }

    /// The catalog as posted: stock scaled to the show's length.
    pub(super) fn catalog_json(&self) -> Value {
        let skus: Vec<Value> = CATALOG
            .iter()
            .map(|p| {
                let on_hand = self.on_hand(p);
                json!({"sku": p.sku, "name": p.name, "category": p.category,
                    "price_cents": p.price_cents, "on_hand": on_hand, "damaged": p.damaged,
                    "buffer": p.buffer, "per_buyer_limit": p.per_buyer_limit,
                    "presale_cap": self.scaled(p.presale_cap as f64)})
            })
            .collect();
        Value::Array(skus)
    }

    /// The lineup on the server's (show) clock: slots of `slot_ms` from `start_ms`, planned rates in
    /// units per show-minute.
    pub(super) fn lineup_json(&self, start_ms: i64) -> Value {
        let items: Vec<Value> = LINEUP
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let at = start_ms + i as i64 * self.slot_ms;
                json!({"sku": s.sku, "planned_start": crate::domain::types::format_rfc3339(at),
                    "planned_rate_per_min": s.planned_per_min.round().max(1.0) as i64})
            })
            .collect();
        Value::Array(items)
    }

    /// The lineup slot on air at show time `t_ms`, and how far into it (0–1).
    pub(super) fn on_air(&self, t_ms: i64) -> (usize, f64) {
        let slot = ((t_ms / self.slot_ms) as usize).min(LINEUP.len() - 1);
        let into = (t_ms - slot as i64 * self.slot_ms) as f64 / self.slot_ms as f64;
        (slot, into.clamp(0.0, 1.0))
    }

    /// Units per show-minute that buyers want of product `i` at show time `t_ms`.
    pub(super) fn demand_per_min(&self, i: usize, t_ms: i64) -> f64 {
        let Some(own) = self.slot_of[i] else {
            return CATALOG[i].trickle_per_min;
        };
        let slot = &LINEUP[own];
        let (on_air, into) = self.on_air(t_ms);
        let sold_out = self.sold_out_at[i].is_some();
        let shape = if own < on_air {
            AFTER_SLOT_SHARE
        } else if own > on_air {
            BEFORE_SLOT_SHARE
        } else if slot.sku == HERO {
            // A surge: up within the first minutes, and it holds until the stock is gone.
            let ramp = (0.3 + 0.7 * into / 0.05).min(1.0);
            slot.demand_factor * ramp
        } else {
            // A normal pitch: up quickly, then fading to a quarter of its peak (a "fading hit").
            let shape = if into < 0.08 {
                0.3 + 0.7 * into / 0.08
            } else {
                1.0 - 0.75 * (into - 0.08) / 0.92
            };
            slot.demand_factor * shape
        };
        let rate = slot.planned_per_min * shape;
        if sold_out && CATALOG[i].sku == HERO {
            rate * SOLD_OUT_DEMAND_SHARE
        } else {
            rate
        }
    }

    /// Online viewers at show time `t_ms`, with a little noise, never above the peak.
    pub(super) fn viewers(&mut self, t_ms: i64) -> i64 {
        let x = t_ms as f64 / self.show_ms as f64;
        let mut v = VIEWER_CURVE[VIEWER_CURVE.len() - 1].1;
        for w in VIEWER_CURVE.windows(2) {
            let ((x0, v0), (x1, v1)) = (w[0], w[1]);
            if x >= x0 && x <= x1 {
                let eased = (1.0 - (std::f64::consts::PI * (x - x0) / (x1 - x0)).cos()) / 2.0;
                v = v0 + (v1 - v0) * eased;
                break;
            }
        }
        let noisy = v * (1.0 + 0.012 * self.rng.gauss());
        noisy.round().clamp(0.0, VIEWERS_PEAK) as i64
    }

    /// Places the orders that arrive in `[t_ms, t_ms + step_ms)`.
    pub(super) fn place_orders(&mut self, t_ms: i64, step_ms: i64, out: &mut Vec<Outgoing>) {
        let step_min = step_ms as f64 / 60_000.0;
        let (on_air, _) = self.on_air(t_ms);
        for (i, product) in CATALOG.iter().enumerate() {
            let mean = self.demand_per_min(i, t_ms) / mean_qty(product) * step_min;
            let n = self.rng.poisson(mean).min(ORDERS_PER_PRODUCT_STEP_MAX);
            let on_air_now = self.slot_of[i] == Some(on_air);
            for _ in 0..n {
                let mut order = self.new_order(i, on_air_now);
                self.steer_to_kuaishou_room(&mut order);
                let kind = if order.paid_direct {
                    Kind::Paid
                } else {
                    Kind::Created
                };
                self.orders.push(order);
                out.push(Outgoing {
                    order: self.orders.len() - 1,
                    kind,
                    retry: false,
                });
            }
        }
    }

    /// A Kuaishou buyer mostly buys what the Kuaishou room has on air, not the Douyin room's.
    fn steer_to_kuaishou_room(&mut self, order: &mut Order) {
        let Some(product) = self.ks_on_air else {
            return;
        };
        if CHANNELS[order.channel].name == super::rooms::KS_CHANNEL
            && self.rng.chance(super::rooms::KS_ON_AIR_SHARE)
        {
            order.lines[0].0 = product;
        }
    }

    pub(super) fn new_order(&mut self, mut product: usize, on_air: bool) -> Order {
        let rng = &mut self.rng;
        let channel = {
            let mut u = rng.unit();
            CHANNELS
                .iter()
                .position(|c| {
                    u -= c.share;
                    u < 0.0
                })
                .unwrap_or(0)
        };
        let spec = &CHANNELS[channel];
        let hero = CATALOG[product].sku == HERO;
        if hero && self.sold_out_at[product].is_some() && rng.chance(SPILLOVER_SHARE) {
            product = self.by_sku[*rng.pick(&HERO_SIBLINGS)];
        }
        let scalper = hero && on_air && rng.chance(SCALPER_SHARE);
        let p = &CATALOG[product];
        let qty = if scalper {
            2
        } else {
            let mut u = rng.unit();
            let odds = qty_odds(p);
            odds.iter()
                .find(|(_, p)| {
                    u -= p;
                    u < 0.0
                })
                .map_or(odds[0].0, |(qty, _)| *qty)
        };
        let mut lines = vec![(product, qty)];
        if on_air && !scalper && rng.chance(0.05) {
            lines.push((self.by_sku[*rng.pick(&ADD_ONS)], 1));
        }
        let (buyer, address) = if scalper {
            let (region, detail) = SCALPER_ADDRESS;
            let buyer = (*rng.pick(&SCALPERS)).to_owned();
            let phone = format!("{:016x}", rng.next_u64());
            (buyer, Some((region.to_owned(), detail.to_owned(), phone)))
        } else {
            let buyer = format!("{}{}", spec.buyer_prefix, 100_000 + rng.below(2_900_000));
            // A few orders come with no address: the post-show review lists them.
            let address = (!rng.chance(0.015)).then(|| {
                let detail = format!(
                    "{}{}号{}栋{}室",
                    rng.pick(&ROADS),
                    1 + rng.below(999),
                    1 + rng.below(30),
                    101 + rng.below(2_700)
                );
                let phone = format!("{:016x}", rng.next_u64());
                ((*rng.pick(&REGIONS)).to_owned(), detail, phone)
            });
            (buyer, address)
        };
        let paid_direct = scalper || rng.chance(spec.paid_direct);
        let fate = {
            let u = rng.unit();
            if u < 0.085 {
                Fate::Cancel((rng.between(10.0, 180.0) * 1000.0) as i64)
            } else if u < 0.13 {
                Fate::Abandon
            } else {
                Fate::Pay(((3.0 + rng.exponential(15.0)).min(120.0) * 1000.0) as i64)
            }
        };
        let refund_after_ms = if scalper && rng.chance(0.5) {
            Some((rng.between(60.0, 180.0) * 1000.0) as i64)
        } else if rng.chance(0.03) {
            Some((rng.between(60.0, 1_200.0) * 1000.0) as i64)
        } else {
            None
        };
        let presale = p.presale_cap > 0;
        let ship_after_ms = (!presale && rng.chance(0.12))
            .then(|| (rng.between(240.0, 1_500.0) * 1000.0) as i64)
            .filter(|ship| refund_after_ms.is_none_or(|refund| refund > *ship));
        let id = format!(
            "{}-{}{:07}",
            spec.order_prefix,
            self.run_tag,
            self.orders.len() + 1
        );
        Order {
            channel,
            id,
            buyer,
            address,
            lines,
            presale,
            paid_direct,
            fate,
            refund_after_ms,
            ship_after_ms,
        }
    }

    pub(super) fn schedule(&mut self, at_ms: i64, order: usize, kind: Kind) {
        self.followup_seq += 1;
        self.followups.push(Reverse(Followup {
            at_ms,
            seq: self.followup_seq,
            order,
            kind,
        }));
    }

    /// Moves the follow-up events due before `until_ms` into `out`.
    pub(super) fn due_followups(&mut self, until_ms: i64, out: &mut Vec<Outgoing>) {
        while let Some(Reverse(f)) = self.followups.peek() {
            if f.at_ms >= until_ms {
                break;
            }
            let Some(Reverse(f)) = self.followups.pop() else {
                break;
            };
            out.push(Outgoing {
                order: f.order,
                kind: f.kind,
                retry: false,
            });
        }
    }

    /// The JSON of one event: the first carries the buyer, address and lines; the later ones only
    /// name the order.
    pub(super) fn event_json(&self, ev: &Outgoing, at: &str) -> Value {
        let o = &self.orders[ev.order];
        let channel = CHANNELS[o.channel].name;
        let first = ev.kind == Kind::Created || (ev.kind == Kind::Paid && o.paid_direct);
        if !first {
            return json!({"channel": channel, "order_id": o.id, "kind": ev.kind.name(), "at": at});
        }
        let lines: Vec<Value> = o
            .lines
            .iter()
            .map(|&(p, qty)| {
                json!({"sku": CATALOG[p].sku, "qty": qty, "unit_price_cents": CATALOG[p].price_cents})
            })
            .collect();
        let mut body = json!({"channel": channel, "order_id": o.id, "kind": ev.kind.name(),
            "buyer": o.buyer, "lines": lines, "at": at});
        if let Some((region, detail, phone)) = &o.address {
            body["address"] = json!({"region": region, "detail": detail, "phone_hash": phone});
        }
        if o.presale {
            body["presale"] = json!(true);
        }
        body
    }

    /// Takes in the server's answer to one event at show time `now_ms` and schedules what follows.
    pub(super) fn answered(&mut self, ev: &Outgoing, answer: &Value, now_ms: i64) {
        if ev.retry {
            if answer["result"] == "duplicate" {
                self.stats.duplicate += 1;
            }
            return;
        }
        self.stats.posted += 1;
        match answer["result"].as_str() {
            Some("accepted") => {
                self.stats.accepted += 1;
                *self
                    .stats
                    .accepted_by_kind
                    .entry(ev.kind.name())
                    .or_default() += 1;
            }
            Some("duplicate") => {
                self.stats.duplicate += 1;
                return;
            }
            _ => {
                let reason = answer["reason"].as_str().unwrap_or("unknown").to_owned();
                let hero = self.index(HERO);
                if reason == "out_of_stock" && self.orders[ev.order].lines[0].0 == hero {
                    self.stats.hero_turned_away += 1;
                }
                *self.stats.rejected.entry(reason).or_default() += 1;
                return;
            }
        }
        let o = &self.orders[ev.order];
        let (refund, ship) = (o.refund_after_ms, o.ship_after_ms);
        match ev.kind {
            Kind::Created => match o.fate {
                Fate::Pay(after) => self.schedule(now_ms + after, ev.order, Kind::Paid),
                Fate::Cancel(after) => self.schedule(now_ms + after, ev.order, Kind::Cancelled),
                Fate::Abandon => self.stats.abandoned += 1,
            },
            Kind::Paid => {
                if let Some(after) = ship {
                    self.schedule(now_ms + after, ev.order, Kind::Shipped);
                }
                if let Some(after) = refund {
                    self.schedule(now_ms + after, ev.order, Kind::Refunded);
                }
            }
            Kind::Cancelled | Kind::Refunded | Kind::Shipped => {}
        }
        if self.rng.chance(RETRY_SHARE) {
            self.retries.push(Outgoing {
                order: ev.order,
                kind: ev.kind,
                retry: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_places_the_same_orders() {
        let draw = |seed| {
            let mut sim = Sim::new(seed, 60);
            let mut out = Vec::new();
            sim.place_orders(16 * 60_000, 15_000, &mut out);
            out.iter()
                .map(|ev| sim.event_json(ev, "t").to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn the_hero_demand_is_a_surge_over_its_plan_and_outruns_its_stock() {
        for minutes in [super::super::MINUTES_MIN, 30, 60, super::super::MINUTES_MAX] {
            let sim = Sim::new(1, minutes);
            let hero = sim.index(HERO);
            let slot = LINEUP.iter().position(|s| s.sku == HERO).unwrap();
            let mid = slot as i64 * sim.slot_ms + sim.slot_ms / 2;
            let rate = sim.demand_per_min(hero, mid);
            let surge_line = 3.0 * LINEUP[slot].planned_per_min;
            assert!(rate >= 1.5 * surge_line, "{minutes} min");
            let on_hand = sim.on_hand(&CATALOG[hero]) as f64;
            // A minute at the surge line fits in the stock, so the server can see the surge ...
            assert!(on_hand >= 1.5 * surge_line, "{minutes} min: {on_hand}");
            // ... and the demand of the slot outruns the stock, so the hero sells out on air.
            let slot_minutes = sim.slot_ms as f64 / 60_000.0;
            assert!(rate * slot_minutes > on_hand, "{minutes} min: {on_hand}");
        }
    }

    #[test]
    fn viewers_rise_to_the_peak_and_never_pass_it() {
        let mut sim = Sim::new(3, 60);
        let all: Vec<i64> = (0..=3600).map(|s| sim.viewers(s * 1000)).collect();
        assert!(all[0] < 10_000);
        assert!(*all.iter().max().unwrap() > 98_000);
        assert!(all.iter().all(|v| *v <= VIEWERS_PEAK as i64));
    }
}
