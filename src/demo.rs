//! The demo (`livestock demo`, SPEC F7): starts a server and plays a believable live show on it
//! through the public API only, so that a newcomer sees every number, chart and warning of the board
//! move: a catalog of 21 SKUs, a lineup of 8, viewers rising to 100,000, orders from five channels,
//! a hero product that surges and sells out, cancellations, unpaid holds that expire, refunds,
//! shipping, channel retries, a damaged box and a warehouse restock.
//!
//! The show runs on a show clock: each real step of [`STEP_MS`] is `--speed` times as long in show
//! time, and every step's orders are drawn from the seeded generator, so one `--seed` plays the same
//! show (up to what the server answers, which hangs on its clock). The server it starts runs its
//! clock at the same speed (`clock_speed`), so its rates, holds, series and warnings count
//! show-minutes, and a fast-forwarded show looks to it exactly like a real one.

use crate::child::{ServerChild, ServerOptions};
use crate::domain::order::Kind;
use crate::domain::role::Role;
use clap::Args;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::path::PathBuf;
use std::time::Duration;
use tokio::time::Instant;

/// Real milliseconds per simulation step: each step posts one batch of order events.
const STEP_MS: u64 = 250;
/// Steps between two pushes of the online viewers: one a second.
const VIEWERS_EVERY_STEPS: u64 = 4;
/// The most events in one `POST /api/v1/orders` (the server takes up to 1000).
const BATCH_EVENTS_MAX: usize = 500;
/// The slowest and fastest show clocks, in show-seconds per real second.
const SPEED_MIN: f64 = 0.1;
const SPEED_MAX: f64 = 600.0;
/// The shortest and longest shows, in show-minutes.
const MINUTES_MIN: u32 = 10;
const MINUTES_MAX: u32 = 600;
/// The show the catalog's stock is sized for; other lengths scale the stock with them.
const REFERENCE_MINUTES: f64 = 60.0;
/// How long a buyer has to pay before the hold lapses, in show-seconds (a flash-sale window).
const HOLD_TTL_SHOW_SECS: f64 = 300.0;
/// How long one request may take before it is retried.
const REQUEST_TIMEOUT_MS: u64 = 20_000;
/// How often a request that failed in transport, or was answered 429 or 503, is retried.
const RETRIES_MAX: u32 = 20;
/// The pause before the first retry; it doubles up to [`RETRY_PAUSE_MAX_MS`].
const RETRY_PAUSE_MS: u64 = 50;
const RETRY_PAUSE_MAX_MS: u64 = 2_000;
/// The most hero orders per step a simulated crowd may place (keeps a fast-forwarded surge modest).
const ORDERS_PER_PRODUCT_STEP_MAX: u64 = 600;
/// The peak of the online viewers.
const VIEWERS_PEAK: f64 = 100_000.0;
/// The share of events a channel sends twice (at-least-once webhooks): answered `duplicate`.
const RETRY_SHARE: f64 = 0.01;
/// From this unit price on, buyers take one at a time.
const BIG_TICKET_CENTS: i64 = 30_000;
/// The units of an order line and their odds, for big-ticket and for other products.
const QTY_ODDS_BIG_TICKET: [(i64, f64); 2] = [(1, 0.97), (2, 0.03)];
const QTY_ODDS: [(i64, f64); 3] = [(1, 0.78), (2, 0.16), (3, 0.06)];

/// The hero product: the hoodie of the source article, 5,000 units, surging and selling out.
const HERO: &str = "HOODIE-BLK-L";
/// The hero's stock however short the show: its surge is judged on a minute of paid units (SPEC
/// C: units per minute ≥ 3 × planned, 3 × 400 here), and payments trail the holds by seconds to
/// minutes, so well over a minute of it must fit in the stock.
const HERO_ON_HAND_MIN: i64 = 2_000;
/// Where viewers go when the hero is gone.
const HERO_SIBLINGS: [&str; 2] = ["HOODIE-BLK-M", "HOODIE-GRY-L"];
/// The product the warehouse restocks mid-show, at [`RESTOCK_AT`] of the show, with this many
/// units for a 60-minute show.
const RESTOCK_SKU: &str = "NUTS-GIFT-750";
const RESTOCK_AT: f64 = 0.45;
const RESTOCK_UNITS: f64 = 1_500.0;
/// The product whose outer box is found crushed, at [`DAMAGE_AT`] of the show.
const DAMAGE_SKU: &str = "BLANKET-150";
const DAMAGE_AT: f64 = 0.2;
const DAMAGE_UNITS: i64 = 2;
/// Products a buyer adds to the on-air product's order ("顺手带一件").
const ADD_ONS: [&str; 4] = ["SOCKS-WOOL-5P", "MASK-10P", "TOWEL-4P", "BEEF-JERKY-200"];

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Address the demo's server listens on (port 0 picks a free port).
    #[arg(long, default_value = crate::config::LISTEN_DEFAULT)]
    pub listen: String,
    /// Keep the server's journal in this dir; without it a temporary dir is used and removed.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Show-seconds per real second: 10 plays an hour's show in six minutes.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Length of the show in show-minutes (the stock scales with it, so the story stays the same).
    #[arg(long, default_value_t = 60)]
    pub minutes: u32,
    /// Seed of the simulated crowd: the same seed places the same orders. Random when absent.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop the server and exit when the show ends, instead of waiting for Ctrl-C.
    #[arg(long)]
    pub exit: bool,
}

// ---------------------------------------------------------------------------------------------
// The catalog, the lineup and the channels.

/// One catalog product.
struct Product {
    sku: &'static str,
    name: &'static str,
    category: &'static str,
    price_cents: i64,
    /// Units on hand for a 60-minute show.
    on_hand: i64,
    /// Units already set aside as damaged: a couple of crushed boxes, whatever the show's length.
    damaged: i64,
    /// Units kept back from sale ("100 in stock, open 90").
    buffer: i64,
    per_buyer_limit: Option<i64>,
    /// Presale capacity for a 60-minute show; a presale product has no spot stock.
    presale_cap: i64,
    /// Units per show-minute that sell while it is not on air (not for lineup products, whose
    /// off-air sales follow their planned rate).
    trickle_per_min: f64,
}

const fn product(
    sku: &'static str,
    name: &'static str,
    category: &'static str,
    price_cents: i64,
    on_hand: i64,
    trickle_per_min: f64,
) -> Product {
    Product {
        sku,
        name,
        category,
        price_cents,
        on_hand,
        damaged: 0,
        buffer: 0,
        per_buyer_limit: None,
        presale_cap: 0,
        trickle_per_min,
    }
}

const CATALOG: [Product; 21] = [
    Product {
        damaged: 3,
        per_buyer_limit: Some(2),
        ..product(HERO, "加绒卫衣 黑 L", "apparel", 19_900, 5_000, 0.0)
    },
    product(
        "HOODIE-BLK-M",
        "加绒卫衣 黑 M",
        "apparel",
        19_900,
        3_000,
        6.0,
    ),
    product(
        "HOODIE-GRY-L",
        "加绒卫衣 灰 L",
        "apparel",
        19_900,
        2_500,
        5.0,
    ),
    product(
        "DOWN-VEST-M",
        "轻薄羽绒马甲 米白 M",
        "apparel",
        29_900,
        1_200,
        4.0,
    ),
    product(
        "JEANS-STR-29",
        "直筒牛仔裤 29码",
        "apparel",
        15_900,
        1_500,
        3.0,
    ),
    product(
        "SOCKS-WOOL-5P",
        "羊毛袜 5双装",
        "apparel",
        3_990,
        8_000,
        10.0,
    ),
    product(
        "NUTS-GIFT-750",
        "每日坚果礼盒 750g",
        "food",
        12_900,
        2_400,
        0.0,
    ),
    product("SNAIL-NOODLE-3", "螺蛳粉 3袋装", "food", 2_990, 6_000, 0.0),
    product(
        "BEEF-JERKY-200",
        "风干牛肉干 200g",
        "food",
        6_990,
        3_000,
        8.0,
    ),
    product(
        "TEA-LONGJING-250",
        "明前龙井 250g",
        "food",
        26_800,
        600,
        0.0,
    ),
    product(
        "BEEF-SAUCE-3",
        "香辣牛肉酱 3瓶装",
        "food",
        4_990,
        1_800,
        4.0,
    ),
    Product {
        presale_cap: 3_000,
        ..product(
            "MOONCAKE-PRE",
            "流心月饼礼盒 (预售)",
            "food",
            16_800,
            0,
            12.0,
        )
    },
    product(
        "SERUM-30ML",
        "玻尿酸精华 30ml",
        "beauty",
        25_900,
        1_500,
        0.0,
    ),
    product(
        "LIPSTICK-R01",
        "丝绒口红 #R01 正红",
        "beauty",
        13_900,
        2_500,
        0.0,
    ),
    product("MASK-10P", "补水面膜 10片", "beauty", 8_900, 5_000, 8.0),
    product(
        "SUNSCREEN-50",
        "清透防晒乳 SPF50 50ml",
        "beauty",
        11_900,
        1_800,
        4.0,
    ),
    product("BLANKET-150", "珊瑚绒毯 150×200", "home", 8_900, 2_200, 0.0),
    Product {
        damaged: 2,
        buffer: 10,
        ..product("AIRFRYER-5L", "空气炸锅 5L", "home", 39_900, 800, 0.0)
    },
    product("THERMOS-500", "保温杯 500ml", "home", 9_900, 1_600, 4.0),
    product("TOWEL-4P", "纯棉毛巾 4条装", "home", 4_990, 3_500, 5.0),
    // A slow mover: nobody buys it tonight.
    product("PILLOW-LATEX", "乳胶枕", "home", 19_900, 1_000, 0.0),
];

fn qty_odds(p: &Product) -> &'static [(i64, f64)] {
    if p.price_cents >= BIG_TICKET_CENTS {
        &QTY_ODDS_BIG_TICKET
    } else {
        &QTY_ODDS
    }
}

/// The mean units of an order line of `p`, to turn units per minute into orders per minute.
fn mean_qty(p: &Product) -> f64 {
    qty_odds(p).iter().map(|(q, p)| *q as f64 * p).sum()
}

/// One product of the run of show; slots are equal, one after another, over the whole show.
struct Slot {
    sku: &'static str,
    /// The planned units per show-minute on air, as the run of show promised it.
    planned_per_min: f64,
    /// Demand at its peak ÷ planned: the hero's is above the surge threshold (3×, SPEC C); the
    /// others are sized so that some products go low (20/10/5% tiers) and some stay healthy.
    demand_factor: f64,
}

const LINEUP: [Slot; 8] = [
    slot("SNAIL-NOODLE-3", 300.0, 1.0),
    slot("NUTS-GIFT-750", 320.0, 1.45),
    slot(HERO, 400.0, 7.0),
    slot("SERUM-30ML", 200.0, 1.35),
    slot("BLANKET-150", 150.0, 1.0),
    slot("TEA-LONGJING-250", 70.0, 1.35),
    slot("AIRFRYER-5L", 90.0, 1.5),
    slot("LIPSTICK-R01", 180.0, 1.1),
];

const fn slot(sku: &'static str, planned_per_min: f64, demand_factor: f64) -> Slot {
    Slot {
        sku,
        planned_per_min,
        demand_factor,
    }
}

/// A lineup product's sales before its slot (people who saw it in the preview), as a share of its
/// planned rate.
const BEFORE_SLOT_SHARE: f64 = 0.03;
/// And after its slot (the shopping cart, the replay).
const AFTER_SLOT_SHARE: f64 = 0.04;
/// The hero's demand once it is sold out, as a share of its surge: the host says it is gone.
const SOLD_OUT_DEMAND_SHARE: f64 = 0.3;
/// The share of hero orders that go to a sibling once the hero is sold out.
const SPILLOVER_SHARE: f64 = 0.25;

/// A sales channel as the simulated crowd uses it.
struct ChannelSpec {
    name: &'static str,
    order_prefix: &'static str,
    buyer_prefix: &'static str,
    /// Its share of the orders.
    share: f64,
    /// The share of its orders that arrive as `paid` with no `created` before.
    paid_direct: f64,
}

const CHANNELS: [ChannelSpec; 5] = [
    channel("douyin", "DY", "dy_u_", 0.45, 0.10),
    channel("kuaishou", "KS", "ks_", 0.20, 0.15),
    channel("taobao", "TB", "tb_", 0.15, 0.30),
    channel("jd", "JD", "jd_", 0.10, 0.40),
    channel("pinduoduo", "PDD", "pdd_", 0.10, 0.25),
];

const fn channel(
    name: &'static str,
    order_prefix: &'static str,
    buyer_prefix: &'static str,
    share: f64,
    paid_direct: f64,
) -> ChannelSpec {
    ChannelSpec {
        name,
        order_prefix,
        buyer_prefix,
        share,
        paid_direct,
    }
}

const REGIONS: [&str; 16] = [
    "浙江省杭州市",
    "广东省深圳市",
    "广东省广州市",
    "江苏省南京市",
    "江苏省苏州市",
    "上海市浦东新区",
    "北京市朝阳区",
    "四川省成都市",
    "湖北省武汉市",
    "山东省青岛市",
    "河南省郑州市",
    "福建省厦门市",
    "湖南省长沙市",
    "陕西省西安市",
    "重庆市渝北区",
    "辽宁省沈阳市",
];
const ROADS: [&str; 10] = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "文化路",
    "新华路",
    "长江路",
    "学院路",
    "滨江大道",
];
/// Scalpers (黄牛): a few accounts at one address that buy the hero and refund within minutes,
/// for the post-show review's anomalies.
const SCALPERS: [&str; 6] = [
    "dy_u_hn0101",
    "dy_u_hn0102",
    "ks_hn0103",
    "tb_hn0104",
    "pdd_hn0105",
    "dy_u_hn0106",
];
const SCALPER_ADDRESS: (&str, &str) = ("河南省郑州市", "金水路88号1栋101室");
/// The share of hero orders during its slot that come from scalpers.
const SCALPER_SHARE: f64 = 0.03;

/// The online viewers over the show: `(share of the show, viewers)`, eased between the points. They
/// rise to the peak around the hero and fall off towards the end.
const VIEWER_CURVE: [(f64, f64); 10] = [
    (0.0, 3_000.0),
    (0.08, 30_000.0),
    (0.2, 72_000.0),
    (0.27, 92_000.0),
    (0.31, VIEWERS_PEAK),
    (0.4, 94_000.0),
    (0.6, 89_000.0),
    (0.75, 93_000.0),
    (0.9, 81_000.0),
    (1.0, 68_000.0),
];

// ---------------------------------------------------------------------------------------------
// The simulated crowd.

/// xorshift64*: small, fast and reproducible; plenty for a simulated crowd.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 spreads any seed (0 too) over the state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A standard normal draw (Box–Muller).
    fn gauss(&mut self) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }

    /// A Poisson draw: how many orders arrive in a step with `mean` expected.
    fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.gauss()).round().max(0.0) as u64;
        }
        let limit = (-mean).exp();
        let (mut n, mut p) = (0, self.unit());
        while p > limit {
            n += 1;
            p *= self.unit();
        }
        n
    }

    /// An exponential draw with the given mean.
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

/// What a buyer does after placing an order with `created`.
enum Fate {
    /// Pays this many show-ms later.
    Pay(i64),
    /// Cancels this many show-ms later.
    Cancel(i64),
    /// Never pays: the server lets the hold lapse.
    Abandon,
}

/// One simulated order and everything that will happen to it, drawn when it is placed so that the
/// draws do not hang on what the server answers.
struct Order {
    channel: usize,
    id: String,
    buyer: String,
    address: Option<(String, String, String)>,
    /// `(product index, qty)`.
    lines: Vec<(usize, i64)>,
    presale: bool,
    /// Arrives as `paid` at once, with no `created` before.
    paid_direct: bool,
    fate: Fate,
    /// Show-ms after payment when it is refunded, if it is.
    refund_after_ms: Option<i64>,
    /// Show-ms after payment when it ships, if it does before the refund.
    ship_after_ms: Option<i64>,
}

/// An event waiting for its show time.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Followup {
    at_ms: i64,
    /// Ties keep the order they were scheduled in.
    seq: u64,
    order: usize,
    kind: Kind,
}

/// An event to post in this step.
struct Outgoing {
    order: usize,
    kind: Kind,
    /// A channel's second delivery of an event already sent: its answer is `duplicate`.
    retry: bool,
}

/// What the server answered, added up.
#[derive(Default)]
struct Stats {
    posted: u64,
    accepted: u64,
    duplicate: u64,
    rejected: BTreeMap<String, u64>,
    accepted_by_kind: BTreeMap<&'static str, u64>,
    abandoned: u64,
    /// Hero orders refused with `out_of_stock`: demand that, without one pool, would be oversold.
    hero_turned_away: u64,
}

/// The show being played: the crowd's state and what the demo saw of the server.
struct Sim {
    rng: Rng,
    /// Stock multiplier: the show's length over [`REFERENCE_MINUTES`].
    scale: f64,
    show_ms: i64,
    slot_ms: i64,
    by_sku: HashMap<&'static str, usize>,
    /// For each catalog product, its lineup slot if it has one.
    slot_of: Vec<Option<usize>>,
    orders: Vec<Order>,
    followups: BinaryHeap<Reverse<Followup>>,
    followup_seq: u64,
    /// Events a channel delivers a second time in the next step.
    retries: Vec<Outgoing>,
    /// A short tag that keeps this run's order ids apart from another run's.
    run_tag: String,
    /// When each product first showed 0 available, in show-ms.
    sold_out_at: Vec<Option<i64>>,
    /// The highest stock warning level seen since it last went back to 0.
    level: Vec<u64>,
    stats: Stats,
}

impl Sim {
    fn new(seed: u64, minutes: u32) -> Sim {
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
        }
    }

    fn index(&self, sku: &str) -> usize {
        self.by_sku[sku]
    }

    fn scaled(&self, units: f64) -> i64 {
        (units * self.scale).round() as i64
    }

    /// The stock of product `p` for this show's length.
    fn on_hand(&self, p: &Product) -> i64 {
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
    fn catalog_json(&self) -> Value {
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
    fn lineup_json(&self, start_ms: i64) -> Value {
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
    fn on_air(&self, t_ms: i64) -> (usize, f64) {
        let slot = ((t_ms / self.slot_ms) as usize).min(LINEUP.len() - 1);
        let into = (t_ms - slot as i64 * self.slot_ms) as f64 / self.slot_ms as f64;
        (slot, into.clamp(0.0, 1.0))
    }

    /// Units per show-minute that buyers want of product `i` at show time `t_ms`.
    fn demand_per_min(&self, i: usize, t_ms: i64) -> f64 {
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
    fn viewers(&mut self, t_ms: i64) -> i64 {
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
    fn place_orders(&mut self, t_ms: i64, step_ms: i64, out: &mut Vec<Outgoing>) {
        let step_min = step_ms as f64 / 60_000.0;
        let (on_air, _) = self.on_air(t_ms);
        for (i, product) in CATALOG.iter().enumerate() {
            let mean = self.demand_per_min(i, t_ms) / mean_qty(product) * step_min;
            let n = self.rng.poisson(mean).min(ORDERS_PER_PRODUCT_STEP_MAX);
            let on_air_now = self.slot_of[i] == Some(on_air);
            for _ in 0..n {
                let order = self.new_order(i, on_air_now);
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

    fn new_order(&mut self, mut product: usize, on_air: bool) -> Order {
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

    fn schedule(&mut self, at_ms: i64, order: usize, kind: Kind) {
        self.followup_seq += 1;
        self.followups.push(Reverse(Followup {
            at_ms,
            seq: self.followup_seq,
            order,
            kind,
        }));
    }

    /// Moves the follow-up events due before `until_ms` into `out`.
    fn due_followups(&mut self, until_ms: i64, out: &mut Vec<Outgoing>) {
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
    fn event_json(&self, ev: &Outgoing, at: &str) -> Value {
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
    fn answered(&mut self, ev: &Outgoing, answer: &Value, now_ms: i64) {
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

// ---------------------------------------------------------------------------------------------
// The server's API, as a client.

/// One token per role: each call uses the role a real caller of it would have.
struct Tokens {
    admin: String,
    operator: String,
    warehouse: String,
    ingest: String,
    overlay: String,
    viewer: String,
}

impl Tokens {
    fn generate() -> Result<Tokens, String> {
        let token = |role: &str| -> Result<String, String> {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a token: {e}"))?;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            Ok(format!("demo-{role}-{hex}"))
        };
        Ok(Tokens {
            admin: token("admin")?,
            operator: token("operator")?,
            warehouse: token("warehouse")?,
            ingest: token("ingest")?,
            overlay: token("overlay")?,
            viewer: token("viewer")?,
        })
    }

    fn by_role(&self) -> Vec<(Role, String)> {
        vec![
            (Role::Admin, self.admin.clone()),
            (Role::Operator, self.operator.clone()),
            (Role::Warehouse, self.warehouse.clone()),
            (Role::Ingest, self.ingest.clone()),
            (Role::Overlay, self.overlay.clone()),
            (Role::Viewer, self.viewer.clone()),
        ]
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    /// Sends one request and answers its status and JSON body; retries what may pass on a second
    /// try (a transport error, 429 `rate_limited`, 503 while the journal replays). Every call the demo
    /// makes is idempotent or refused whole, so a retry is safe.
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), String> {
        let url = format!("{}{path}", self.base);
        let mut pause_ms = RETRY_PAUSE_MS;
        let mut tries = 0;
        loop {
            tries += 1;
            let mut req = self.http.request(method.clone(), &url).bearer_auth(token);
            if let Some(body) = body {
                req = req.json(body);
            }
            let failure = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let retry = status == StatusCode::TOO_MANY_REQUESTS
                        || status == StatusCode::SERVICE_UNAVAILABLE;
                    if !retry || tries > RETRIES_MAX {
                        let bytes = resp
                            .bytes()
                            .await
                            .map_err(|e| format!("{method} {path}: reading the answer: {e}"))?;
                        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                        return Ok((status, value));
                    }
                    format!("HTTP {status}")
                }
                Err(e) => format!("{e}"),
            };
            if tries > RETRIES_MAX {
                return Err(format!("{method} {path}: {failure}"));
            }
            tokio::time::sleep(Duration::from_millis(pause_ms)).await;
            pause_ms = (pause_ms * 2).min(RETRY_PAUSE_MAX_MS);
        }
    }

    /// [`Api::call`] that wants a 2xx answer.
    async fn ok(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let (status, value) = self.call(method.clone(), path, token, body).await?;
        if status.is_success() {
            return Ok(value);
        }
        Err(format!(
            "{method} {path}: HTTP {status}: {} {}",
            value["error"]["code"].as_str().unwrap_or(""),
            value["error"]["message"].as_str().unwrap_or("")
        ))
    }

    /// Posts events as arrays of at most [`BATCH_EVENTS_MAX`] and answers one result per event.
    async fn post_events(&self, token: &str, events: &[Value]) -> Result<Vec<Value>, String> {
        let mut results = Vec::with_capacity(events.len());
        for chunk in events.chunks(BATCH_EVENTS_MAX) {
            let body = Value::Array(chunk.to_vec());
            let answer = self
                .ok(Method::POST, "/api/v1/orders", token, Some(&body))
                .await?;
            let Some(answers) = answer["results"].as_array() else {
                return Err("POST /api/v1/orders: the answer has no results".to_owned());
            };
            if answers.len() != chunk.len() {
                return Err(format!(
                    "POST /api/v1/orders: {} results for {} events",
                    answers.len(),
                    chunk.len()
                ));
            }
            results.extend(answers.iter().cloned());
        }
        Ok(results)
    }
}

// ---------------------------------------------------------------------------------------------
// Running the demo.

/// Starts the server, plays the show, prints the summary, and (unless `--exit`) keeps the server up
/// until Ctrl-C. The server is stopped with SIGTERM however the demo ends.
pub async fn run(args: DemoArgs) -> Result<(), String> {
    if !(SPEED_MIN..=SPEED_MAX).contains(&args.speed) {
        return Err(format!(
            "--speed must be between {SPEED_MIN} and {SPEED_MAX}"
        ));
    }
    if !(MINUTES_MIN..=MINUTES_MAX).contains(&args.minutes) {
        return Err(format!(
            "--minutes must be between {MINUTES_MIN} and {MINUTES_MAX}"
        ));
    }
    let seed = match args.seed {
        Some(seed) => seed,
        None => {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).map_err(|e| format!("randomness: {e}"))?;
            u64::from(u32::from_le_bytes(bytes))
        }
    };
    let tokens = Tokens::generate()?;
    // The server's clock runs at the show's speed: its holds, rates and warnings count
    // show-seconds, so they are configured as for a real show.
    let hold_ttl_secs = HOLD_TTL_SHOW_SECS as u64;
    let config_toml = format!(
        "hold_ttl_secs = {hold_ttl_secs}\nclock_speed = {}\n",
        args.speed
    );
    let options = ServerOptions {
        listen: args.listen.clone(),
        data: args.data.clone(),
        config_toml: Some(config_toml),
        tokens: tokens.by_role(),
        log_filter: "warn".to_owned(),
        temp_prefix: "livestock-demo".to_owned(),
    };
    let mut server = tokio::task::spawn_blocking(move || ServerChild::spawn(&options))
        .await
        .map_err(|e| format!("starting the server: {e}"))??;
    let api = Api {
        http: reqwest::Client::builder()
            .timeout(Duration::from_millis(REQUEST_TIMEOUT_MS))
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?,
        base: server.url.clone(),
    };
    let data_note = match (&args.data, server.temp_data_dir()) {
        (Some(dir), _) => format!("journal in {} (kept)", dir.display()),
        (None, Some(dir)) => format!("journal in {} (removed at the end)", dir.display()),
        (None, None) => String::new(),
    };
    print_banner(&api.base, &tokens, &args, seed, hold_ttl_secs, &data_note);

    let mut sim = Sim::new(seed, args.minutes);
    let outcome = tokio::select! {
        played = play(&api, &tokens, &mut sim, args.speed) => Some(played),
        () = crate::shutdown_signal() => None,
    };
    let (result, played) = match outcome {
        Some(Ok(())) => (summarize(&api, &tokens, &sim).await, true),
        Some(Err(e)) => (Err(e), false),
        None => {
            println!("interrupted: stopping the server");
            (Ok(()), false)
        }
    };
    if played && result.is_ok() && !args.exit {
        println!();
        println!(
            "The server keeps running so you can look around: {}/?token={}",
            api.base, tokens.admin
        );
        println!("Press Ctrl-C to stop it.");
        crate::shutdown_signal().await;
    }
    let stopped = tokio::task::spawn_blocking(move || server.stop())
        .await
        .map_err(|e| format!("stopping the server: {e}"))?;
    match stopped {
        Ok(status) if status.success() => println!("server stopped; {data_note}"),
        Ok(status) => eprintln!("livestock demo: the server exited with {status}"),
        Err(e) => eprintln!("livestock demo: {e}"),
    }
    result
}

fn print_banner(
    base: &str,
    tokens: &Tokens,
    args: &DemoArgs,
    seed: u64,
    hold_ttl_secs: u64,
    data_note: &str,
) {
    let rule = "=".repeat(78);
    let real_secs = f64::from(args.minutes) * 60.0 / args.speed;
    println!("{rule}");
    println!("  livestock demo: a {}-minute live show", args.minutes);
    println!();
    println!("  board    {base}/?token={}", tokens.admin);
    println!("  host     {base}/host?token={}", tokens.admin);
    println!("  overlay  {base}/overlay?token={}", tokens.admin);
    println!();
    println!(
        "  API      curl -H 'Authorization: Bearer {}' {base}/api/v1/show",
        tokens.admin
    );
    println!(
        "  speed {}x ({} real), seed {seed} (--seed {seed} replays it), unpaid holds lapse after {} of show time",
        args.speed,
        duration(real_secs),
        duration(hold_ttl_secs as f64)
    );
    println!("  {data_note}");
    println!("{rule}");
}

/// Plays the show: catalog, lineup, start, the steps, end.
async fn play(api: &Api, tokens: &Tokens, sim: &mut Sim, speed: f64) -> Result<(), String> {
    let (status, answer) = api
        .call(
            Method::POST,
            "/api/v1/skus",
            &tokens.operator,
            Some(&sim.catalog_json()),
        )
        .await?;
    if status == StatusCode::CONFLICT {
        return Err(format!(
            "this data dir already holds a catalog ({}); the demo needs a fresh one: give a new \
             --data dir, or none for a temporary one",
            answer["error"]["message"].as_str().unwrap_or("conflict")
        ));
    }
    if !status.is_success() {
        return Err(format!("creating the catalog: HTTP {status}: {answer}"));
    }
    let title = "暖冬上新专场 · 限时福利";
    let clock = ShowClock::read(api, speed).await?;
    let show = json!({"title": title, "lineup": sim.lineup_json(clock.now_ms())});
    api.ok(Method::POST, "/api/v1/show", &tokens.operator, Some(&show))
        .await?;
    say(
        0,
        &format!(
            "catalog of {} SKUs (apparel, food, beauty, home); lineup of {}; show 「{title}」",
            CATALOG.len(),
            LINEUP.len()
        ),
    );
    let first = json!({"sku": LINEUP[0].sku});
    api.ok(
        Method::PUT,
        "/api/v1/show/current",
        &tokens.overlay,
        Some(&first),
    )
    .await?;
    api.ok(Method::POST, "/api/v1/show/start", &tokens.operator, None)
        .await?;
    say(0, "show started: 开播!");

    let step_ms = (STEP_MS as f64 * speed).round() as i64;
    let status_every_ms = (sim.show_ms / 12).max(60_000);
    let (mut next_status_ms, mut on_air_slot) = (status_every_ms, usize::MAX);
    let (mut restocked, mut damaged) = (false, false);
    let real_start = Instant::now();
    let mut step: u64 = 0;
    loop {
        let t_ms = step as i64 * step_ms;
        if t_ms >= sim.show_ms {
            break;
        }
        let (slot, _) = sim.on_air(t_ms);
        if slot != on_air_slot {
            on_air_slot = slot;
            let s = &LINEUP[slot];
            let body = json!({"sku": s.sku});
            api.ok(
                Method::PUT,
                "/api/v1/show/current",
                &tokens.overlay,
                Some(&body),
            )
            .await?;
            let name = CATALOG[sim.index(s.sku)].name;
            let surge = if s.sku == HERO {
                " (the hero: watch it surge)"
            } else {
                ""
            };
            say(
                t_ms,
                &format!(
                    "on air: {name} ({}), planned {}/min{surge}",
                    s.sku, s.planned_per_min
                ),
            );
        }
        if step.is_multiple_of(VIEWERS_EVERY_STEPS) {
            let online = sim.viewers(t_ms);
            let body = json!({"online": online});
            api.ok(
                Method::POST,
                "/api/v1/show/viewers",
                &tokens.overlay,
                Some(&body),
            )
            .await?;
        }
        if !damaged && t_ms as f64 >= DAMAGE_AT * sim.show_ms as f64 {
            damaged = true;
            let body = json!({"kind": "damage", "qty": DAMAGE_UNITS, "by": "仓库-王磊",
                "reason": "搬运中外包装破损", "zone": "B-12"});
            let path = format!("/api/v1/skus/{DAMAGE_SKU}/movements");
            api.ok(Method::POST, &path, &tokens.warehouse, Some(&body))
                .await?;
            let name = CATALOG[sim.index(DAMAGE_SKU)].name;
            say(
                t_ms,
                &format!(
                    "warehouse: {DAMAGE_UNITS} × {name} found with crushed boxes, set aside as damaged"
                ),
            );
        }
        if !restocked && t_ms as f64 >= RESTOCK_AT * sim.show_ms as f64 {
            restocked = true;
            let qty = sim.scaled(RESTOCK_UNITS);
            let body = json!({"kind": "receive", "qty": qty, "by": "仓库-王磊",
                "verified_by": "仓库-李娜", "reason": "直播中补货: 第二批到货", "zone": "A-03",
                "batch": format!("B{}-02", sim.run_tag)});
            let path = format!("/api/v1/skus/{RESTOCK_SKU}/movements");
            api.ok(Method::POST, &path, &tokens.warehouse, Some(&body))
                .await?;
            let name = CATALOG[sim.index(RESTOCK_SKU)].name;
            say(
                t_ms,
                &format!(
                    "warehouse: received {} × {name} (王磊 receives, 李娜 verifies)",
                    thousands(qty)
                ),
            );
        }

        // Payments, cancellations and refunds first: new orders take whatever they release.
        let mut out = std::mem::take(&mut sim.retries);
        sim.due_followups(t_ms + step_ms, &mut out);
        sim.place_orders(t_ms, step_ms, &mut out);
        if !out.is_empty() {
            let at = clock.rfc3339_cst();
            let events: Vec<Value> = out.iter().map(|ev| sim.event_json(ev, &at)).collect();
            let answers = api.post_events(&tokens.ingest, &events).await?;
            for (ev, answer) in out.iter().zip(&answers) {
                sim.answered(ev, answer, t_ms + step_ms);
            }
        }
        watch_stock(api, tokens, sim, t_ms).await?;
        if t_ms >= next_status_ms {
            next_status_ms += status_every_ms;
            let show = api
                .ok(Method::GET, "/api/v1/show", &tokens.viewer, None)
                .await?;
            say(
                t_ms,
                &format!(
                    "viewers {} · GMV {} · orders {} · units {}",
                    thousands(show["viewers"].as_i64().unwrap_or(0)),
                    yuan(show["gmv_cents"].as_i64().unwrap_or(0)),
                    thousands(show["orders"].as_i64().unwrap_or(0)),
                    thousands(show["units"].as_i64().unwrap_or(0)),
                ),
            );
        }

        step += 1;
        tokio::time::sleep_until(real_start + Duration::from_millis(step * STEP_MS)).await;
    }
    api.ok(Method::POST, "/api/v1/show/end", &tokens.operator, None)
        .await?;
    say(sim.show_ms, "show ended: 下播");
    Ok(())
}

/// Reads the stock views and tells of warnings crossed and products sold out.
async fn watch_stock(api: &Api, tokens: &Tokens, sim: &mut Sim, t_ms: i64) -> Result<(), String> {
    let views = api
        .ok(Method::GET, "/api/v1/skus", &tokens.viewer, None)
        .await?;
    for view in views.as_array().map(Vec::as_slice).unwrap_or_default() {
        let Some(&i) = view["sku"].as_str().and_then(|s| sim.by_sku.get(s)) else {
            continue;
        };
        let p = &CATALOG[i];
        let available = view["available"].as_i64().unwrap_or(0);
        let base = view["base"].as_i64().unwrap_or(0);
        let level = view["level"].as_u64().unwrap_or(0);
        if level == 0 {
            sim.level[i] = 0;
        } else if level > sim.level[i] {
            sim.level[i] = level;
            if available > 0 {
                say(
                    t_ms,
                    &format!(
                        "warning level {level}: {} ({}) has {} of {} left",
                        p.name,
                        p.sku,
                        thousands(available),
                        thousands(base)
                    ),
                );
            }
        }
        if available == 0 && p.presale_cap == 0 && sim.sold_out_at[i].is_none() {
            sim.sold_out_at[i] = Some(t_ms);
            let paid = view["sold_units"].as_i64().unwrap_or(0);
            let held = view["held"].as_i64().unwrap_or(0);
            say(
                t_ms,
                &format!(
                    "SOLD OUT: {} ({}): all {} taken ({} paid, {} awaiting payment); more orders \
                     are refused, never oversold",
                    p.name,
                    p.sku,
                    thousands(base),
                    thousands(paid),
                    thousands(held)
                ),
            );
        }
    }
    Ok(())
}

/// Prints the show's totals and a machine-readable `summary:` line.
async fn summarize(api: &Api, tokens: &Tokens, sim: &Sim) -> Result<(), String> {
    let show = api
        .ok(Method::GET, "/api/v1/show", &tokens.viewer, None)
        .await?;
    let views = api
        .ok(Method::GET, "/api/v1/skus", &tokens.viewer, None)
        .await?;
    let gmv = show["gmv_cents"].as_i64().unwrap_or(0);
    let orders = show["orders"].as_i64().unwrap_or(0);
    let units = show["units"].as_i64().unwrap_or(0);
    let peak = show["peak_viewers"].as_i64().unwrap_or(0);
    let s = &sim.stats;
    let count = |kind: &str| thousands(*s.accepted_by_kind.get(kind).unwrap_or(&0) as i64);
    let rejected: u64 = s.rejected.values().sum();
    let reasons: Vec<String> = s
        .rejected
        .iter()
        .map(|(r, n)| format!("{r} {}", thousands(*n as i64)))
        .collect();
    println!();
    println!("The show is over.");
    println!("  GMV          {} (paid minus refunded)", yuan(gmv));
    println!("  orders       {}", thousands(orders));
    println!("  units        {}", thousands(units));
    println!("  peak         {} viewers", thousands(peak));
    println!(
        "  events       {} posted: {} accepted, {} rejected ({}), {} duplicate channel retries",
        thousands(s.posted as i64),
        thousands(s.accepted as i64),
        thousands(rejected as i64),
        reasons.join(", "),
        thousands(s.duplicate as i64)
    );
    println!(
        "  lifecycle    {} created, {} paid, {} cancelled, {} left unpaid to lapse, {} refunded, {} shipped",
        count("created"),
        count("paid"),
        count("cancelled"),
        thousands(s.abandoned as i64),
        count("refunded"),
        count("shipped")
    );
    let mut sold_out = Vec::new();
    let mut low = Vec::new();
    for view in views.as_array().map(Vec::as_slice).unwrap_or_default() {
        let Some(&i) = view["sku"].as_str().and_then(|c| sim.by_sku.get(c)) else {
            continue;
        };
        let p = &CATALOG[i];
        if let Some(at) = sim.sold_out_at[i] {
            let sold = view["sold_units"].as_i64().unwrap_or(0);
            let turned_away = if p.sku == HERO {
                format!(
                    ", {} orders turned away instead of oversold",
                    thousands(sim.stats.hero_turned_away as i64)
                )
            } else {
                String::new()
            };
            println!(
                "  sold out     {} ({}) at {}: {} sold{turned_away}",
                p.name,
                p.sku,
                clock(at),
                thousands(sold)
            );
            sold_out.push(p.sku);
        } else if view["level"].as_u64().unwrap_or(0) > 0 {
            low.push(format!(
                "{} {} left (level {})",
                p.name,
                thousands(view["available"].as_i64().unwrap_or(0)),
                view["level"]
            ));
        }
    }
    if !low.is_empty() {
        println!("  low stock    {}", low.join("; "));
    }
    let alerts = api
        .ok(Method::GET, "/api/v1/alerts", &tokens.viewer, None)
        .await?;
    let mut fired: BTreeMap<&str, u64> = BTreeMap::new();
    for alert in alerts["alerts"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        *fired
            .entry(alert["kind"].as_str().unwrap_or("?"))
            .or_default() += 1;
    }
    let fired: Vec<(String, String)> = fired
        .iter()
        .map(|(kind, n)| (format!("{kind} {n}"), format!("{kind}:{n}")))
        .collect();
    let (said, keyed): (Vec<String>, Vec<String>) = fired.into_iter().unzip();
    println!("  warnings     {}", said.join(", "));
    println!(
        "summary: gmv_cents={gmv} orders={orders} units={units} peak_viewers={peak} sold_out={} warnings={}",
        sold_out.join(","),
        keyed.join(",")
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/// Prints one line of the show's log, stamped with the show clock.
fn say(t_ms: i64, text: &str) {
    println!("[{}] {text}", clock(t_ms));
}

/// Show time as `mm:ss`.
fn clock(t_ms: i64) -> String {
    let secs = t_ms / 1000;
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

fn duration(secs: f64) -> String {
    let secs = secs.round() as i64;
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cents as `¥1,234.56`.
fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!(
        "{sign}¥{}.{:02}",
        thousands((cents / 100) as i64),
        cents % 100
    )
}

/// The server's clock as the demo follows it: read once from `/readyz`, then advanced by the real
/// time since, times the speed it runs at.
struct ShowClock {
    server_ms: i64,
    read_at: Instant,
    speed: f64,
}

impl ShowClock {
    async fn read(api: &Api, speed: f64) -> Result<ShowClock, String> {
        let ready = api.ok(Method::GET, "/readyz", "", None).await?;
        let server_ms = ready["server_ms"]
            .as_i64()
            .ok_or_else(|| format!("/readyz gave no server_ms: {ready}"))?;
        Ok(ShowClock {
            server_ms,
            read_at: Instant::now(),
            speed,
        })
    }

    fn now_ms(&self) -> i64 {
        self.server_ms + (self.read_at.elapsed().as_secs_f64() * 1000.0 * self.speed) as i64
    }

    /// Now, as a channel in China stamps it: RFC 3339 at +08:00.
    fn rfc3339_cst(&self) -> String {
        crate::domain::types::format_rfc3339_at(self.now_ms(), time::macros::offset!(+8))
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
    fn the_lineup_and_the_catalog_agree() {
        let sim = Sim::new(1, 60);
        for slot in &LINEUP {
            assert!(
                sim.by_sku.contains_key(slot.sku),
                "{} is in the catalog",
                slot.sku
            );
        }
        for sku in [RESTOCK_SKU, DAMAGE_SKU]
            .iter()
            .chain(&HERO_SIBLINGS)
            .chain(&ADD_ONS)
        {
            assert!(sim.by_sku.contains_key(sku), "{sku} is in the catalog");
        }
        let shares: f64 = CHANNELS.iter().map(|c| c.share).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        for odds in [&QTY_ODDS[..], &QTY_ODDS_BIG_TICKET[..]] {
            assert!((odds.iter().map(|(_, p)| p).sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn the_hero_demand_is_a_surge_over_its_plan_and_outruns_its_stock() {
        for minutes in [MINUTES_MIN, 30, 60, MINUTES_MAX] {
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

    #[test]
    fn numbers_read_with_thousands_and_yuan() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(yuan(123_456_789), "¥1,234,567.89");
        assert_eq!(clock(17 * 60_000 + 5_000), "17:05");
    }
}
