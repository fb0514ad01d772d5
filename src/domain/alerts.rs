//! The warnings engine (SPEC C): every metric of the table, each warning fired once per crossing
//! and re-armed only when the value goes back past its line by a margin (hysteresis), with the
//! action to take in Chinese and English. Pure: [`evaluate`] reads the pool at a time it is given
//! and returns what to fire and re-arm; the writer journals that as a command, so alerts, their
//! acknowledgements and their armed state survive restarts exactly.

use super::Pool;
use super::show::ShowState;
use super::stock::Sku;
use super::types::{SkuCode, format_rfc3339};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Alerts kept in the book; the oldest acknowledged ones go first.
pub const ALERTS_KEPT_MAX: usize = 5_000;
const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    StockLevel,
    SelloutEta,
    SellThrough,
    MovementRate,
    Turnover,
    Surge,
    SlowMover,
    Fading,
}

/// What one warning is about: a crossing of one line, by one SKU (or the whole shop).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertKey {
    pub kind: AlertKind,
    pub sku: Option<SkuCode>,
    pub level: u8,
}

/// A warning as API.md shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub kind: AlertKind,
    pub level: u8,
    pub sku: Option<SkuCode>,
    pub value: f64,
    pub threshold: f64,
    pub message_zh: String,
    pub message_en: String,
    #[serde(with = "rfc3339_ms")]
    pub at: i64,
    pub acked_by: Option<String>,
    #[serde(with = "rfc3339_ms_opt")]
    pub acked_at: Option<i64>,
}

impl Alert {
    pub fn key(&self) -> AlertKey {
        AlertKey {
            kind: self.kind,
            sku: self.sku.clone(),
            level: self.level,
        }
    }
}

mod rfc3339_ms {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_rfc3339(*ms))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let raw = String::deserialize(d)?;
        crate::domain::types::parse_rfc3339(&raw).map_err(serde::de::Error::custom)
    }
}

mod rfc3339_ms_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match ms {
            Some(ms) => s.serialize_str(&super::format_rfc3339(*ms)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(raw) => crate::domain::types::parse_rfc3339(&raw)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

/// The thresholds of SPEC C. Every one can be set in the config file, and per category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Tiered stock: available ÷ base at or below these percentages gives levels 1, 2, 3.
    pub level1_pct: f64,
    pub level2_pct: f64,
    pub level3_pct: f64,
    /// Sell-out time below this many minutes.
    pub sellout_minutes: f64,
    /// Sell-through above this percentage.
    pub sell_through_pct: f64,
    /// Movement rate (SKUs with a sale ÷ active SKUs) below this percentage.
    pub movement_rate_pct: f64,
    /// The movement rate is judged once the show (or the day) is this old.
    pub movement_window_minutes: f64,
    /// Turnover (stock ÷ mean daily sales) above this many days.
    pub turnover_days: f64,
    /// Turnover is judged only for SKUs at least this many days old: a few minutes of sales say
    /// nothing about a month.
    pub turnover_min_age_days: f64,
    /// A surge: units in the last minute at least this many times the planned rate.
    pub surge_factor: f64,
    /// A slow mover: no sale in this many days.
    pub slow_mover_days: f64,
    /// A fading hit: the last minute's rate below this percentage of the show's peak.
    pub fading_pct: f64,
    /// A fading hit needs a peak of at least this many units per minute.
    pub fading_peak_min_per_min: f64,
    /// A fading hit re-arms only once its rate is back to this percentage of its peak: a hot
    /// product again, not noise around the line.
    pub fading_rearm_pct: f64,
    /// How far (in percent of the line) a value must come back before its warning re-arms.
    pub hysteresis_pct: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            level1_pct: 20.0,
            level2_pct: 10.0,
            level3_pct: 5.0,
            sellout_minutes: 60.0,
            sell_through_pct: 80.0,
            movement_rate_pct: 30.0,
            movement_window_minutes: 30.0,
            turnover_days: 45.0,
            turnover_min_age_days: 7.0,
            surge_factor: 3.0,
            slow_mover_days: 30.0,
            fading_pct: 30.0,
            fading_peak_min_per_min: 10.0,
            fading_rearm_pct: 60.0,
            hysteresis_pct: 10.0,
        }
    }
}

/// The thresholds for the shop and per category (a category's table replaces the shop's whole).
#[derive(Clone, Debug, PartialEq)]
pub struct AlertConfig {
    pub enabled: bool,
    pub shop: Thresholds,
    pub categories: BTreeMap<String, Thresholds>,
}

impl Default for AlertConfig {
    /// Apparel turns over slower than food: 60 days for apparel, 20 for food, 45 for the rest.
    fn default() -> Self {
        let mut categories = BTreeMap::new();
        categories.insert(
            "apparel".to_owned(),
            Thresholds {
                turnover_days: 60.0,
                ..Thresholds::default()
            },
        );
        categories.insert(
            "food".to_owned(),
            Thresholds {
                turnover_days: 20.0,
                slow_mover_days: 14.0,
                ..Thresholds::default()
            },
        );
        AlertConfig {
            enabled: true,
            shop: Thresholds::default(),
            categories,
        }
    }
}

impl AlertConfig {
    pub fn for_category(&self, category: &str) -> &Thresholds {
        self.categories.get(category).unwrap_or(&self.shop)
    }
}

/// Every alert fired, and which lines are waiting to re-arm.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertBook {
    pub alerts: Vec<Alert>,
    /// Lines crossed whose warning fired and has not re-armed yet.
    pub fired: BTreeSet<AlertKey>,
    pub next_id: u64,
}

impl AlertBook {
    pub fn get(&self, id: &str) -> Option<&Alert> {
        self.alerts.iter().find(|a| a.id == id)
    }

    /// Records fired alerts and re-armed lines (from a journaled command).
    pub fn apply(&mut self, fired: &[Alert], rearmed: &[AlertKey]) {
        for key in rearmed {
            self.fired.remove(key);
        }
        for alert in fired {
            self.fired.insert(alert.key());
            self.alerts.push(alert.clone());
            if let Some(n) = alert
                .id
                .strip_prefix('a')
                .and_then(|n| n.parse::<u64>().ok())
            {
                self.next_id = self.next_id.max(n + 1);
            }
        }
        while self.alerts.len() > ALERTS_KEPT_MAX {
            let oldest = self
                .alerts
                .iter()
                .position(|a| a.acked_at.is_some())
                .unwrap_or(0);
            self.alerts.remove(oldest);
        }
    }

    /// Acknowledges an alert; the first acknowledgement stands. Returns the alert, or `None`.
    pub fn ack(&mut self, id: &str, by: &str, now_ms: i64) -> Option<&Alert> {
        let alert = self.alerts.iter_mut().find(|a| a.id == id)?;
        if alert.acked_by.is_none() {
            alert.acked_by = Some(by.to_owned());
            alert.acked_at = Some(now_ms);
        }
        Some(alert)
    }

    /// The open (unacknowledged) surge on `sku`, if one is.
    pub fn open_surge(&self, sku: &SkuCode) -> Option<&Alert> {
        self.alerts.iter().rev().find(|a| {
            a.kind == AlertKind::Surge && a.sku.as_ref() == Some(sku) && a.acked_by.is_none()
        })
    }
}

/// What one evaluation decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    pub fired: Vec<Alert>,
    pub rearmed: Vec<AlertKey>,
}

impl Verdict {
    pub fn is_empty(&self) -> bool {
        self.fired.is_empty() && self.rearmed.is_empty()
    }
}

/// Which SKUs an evaluation looks at.
pub enum Scope<'a> {
    /// After a batch: the SKUs it changed (the shop-wide metrics wait for the tick).
    Skus(&'a BTreeSet<SkuCode>),
    /// On the tick: everything, time-driven metrics included.
    All,
}

struct Eval<'a> {
    book: &'a AlertBook,
    now_ms: i64,
    next_id: u64,
    verdict: Verdict,
}

/// A crossing to judge: `crossed` the line now, or `back` past it by the margin.
struct Check {
    key: AlertKey,
    crossed: bool,
    back: bool,
    value: f64,
    threshold: f64,
}

impl Eval<'_> {
    fn judge(&mut self, check: Check, message: impl FnOnce() -> (String, String)) {
        let waiting = self.book.fired.contains(&check.key);
        if check.crossed && !waiting {
            let (zh, en) = message();
            self.verdict.fired.push(Alert {
                id: format!("a{}", self.next_id),
                kind: check.key.kind,
                level: check.key.level,
                sku: check.key.sku,
                value: round2(check.value),
                threshold: check.threshold,
                message_zh: zh,
                message_en: en,
                at: self.now_ms,
                acked_by: None,
                acked_at: None,
            });
            self.next_id += 1;
        } else if waiting && check.back {
            self.verdict.rearmed.push(check.key);
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn key(kind: AlertKind, sku: &Sku, level: u8) -> AlertKey {
    AlertKey {
        kind,
        sku: Some(sku.code.clone()),
        level,
    }
}

/// Judges every metric in `scope` at `now_ms`.
pub fn evaluate(pool: &Pool, scope: Scope<'_>, now_ms: i64, config: &AlertConfig) -> Verdict {
    let book = pool.alerts();
    let mut eval = Eval {
        book,
        now_ms,
        next_id: book.next_id,
        verdict: Verdict::default(),
    };
    if !config.enabled {
        return eval.verdict;
    }
    let show = pool.show();
    let live = show.filter(|s| s.state == ShowState::Live);
    let everything = matches!(scope, Scope::All);
    let skus: Vec<&Sku> = match scope {
        Scope::Skus(codes) => codes.iter().filter_map(|c| pool.sku(c)).collect(),
        Scope::All => pool.skus().collect(),
    };
    for sku in skus {
        let t = config.for_category(sku.category.as_str());
        stock_levels(&mut eval, sku, t);
        sell_through(&mut eval, sku, t);
        sellout(&mut eval, sku, t, now_ms);
        if let Some(show) = live {
            let planned = show
                .lineup
                .iter()
                .find(|i| i.sku == sku.code)
                .and_then(|i| i.planned_rate_per_min)
                .map(|r| r.get());
            surge(&mut eval, pool, sku, t, planned, now_ms);
            fading(&mut eval, sku, t, now_ms);
        }
        if everything {
            turnover(&mut eval, sku, t, now_ms);
            slow_mover(&mut eval, sku, t, now_ms);
        }
    }
    if everything {
        movement_rate(&mut eval, pool, &config.shop, now_ms);
    }
    eval.verdict
}

fn stock_levels(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds) {
    if sku.base <= 0 {
        return;
    }
    let available = sku.available();
    let pct = available as f64 * 100.0 / sku.base as f64;
    let lines = [(1, t.level1_pct), (2, t.level2_pct), (3, t.level3_pct)];
    for (lvl, line) in lines {
        let check = Check {
            key: key(AlertKind::StockLevel, sku, lvl),
            crossed: pct <= line,
            back: pct > line * (1.0 + t.hysteresis_pct / 100.0),
            value: pct,
            threshold: line,
        };
        let name = sku.name.as_str();
        eval.judge(check, || match lvl {
            1 => (
                format!("【{name}】库存已低于{line}%(剩 {available} 件),注意控制讲解节奏"),
                format!("{name}: stock below {line}% ({available} left), watch the pace"),
            ),
            2 => (
                format!("【{name}】库存已低于{line}%(剩 {available} 件),建议缩短讲解或准备下架"),
                format!("{name}: stock below {line}% ({available} left), shorten the slot or prepare to pull it"),
            ),
            _ => (
                format!("【{name}】库存仅剩{line}%以内(剩 {available} 件),立即补货或告知观众这是最后一批"),
                format!("{name}: stock within {line}% ({available} left), restock now or tell viewers it is the last batch"),
            ),
        });
    }
}

fn sell_through(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds) {
    let sold = sku.sold_units as f64;
    let total = sold + sku.available() as f64;
    if sku.sold_units <= 0 || total <= 0.0 {
        return;
    }
    let pct = sold * 100.0 / total;
    let line = t.sell_through_pct;
    let check = Check {
        key: key(AlertKind::SellThrough, sku, 1),
        crossed: pct > line,
        back: pct < line * (1.0 - t.hysteresis_pct / 100.0),
        value: pct,
        threshold: line,
    };
    let name = sku.name.as_str();
    eval.judge(check, || {
        (
            format!("【{name}】售罄率已超过{line}%({pct:.0}%),建议加库存或提前结束讲解"),
            format!(
                "{name}: sell-through above {line}% ({pct:.0}%), add stock or end the slot early"
            ),
        )
    });
}

fn sellout(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
    let rate = sku.rate.per_minute(now_ms);
    let available = sku.available();
    if available <= 0
        && !eval
            .book
            .fired
            .contains(&key(AlertKind::SelloutEta, sku, 2))
    {
        return; // sold out already: the stock level says so
    }
    let minutes = if rate > 0.0 {
        available as f64 / rate
    } else {
        f64::INFINITY
    };
    let line = t.sellout_minutes;
    let check = Check {
        key: key(AlertKind::SelloutEta, sku, 2),
        crossed: available > 0 && minutes < line,
        back: minutes > line * (1.0 + t.hysteresis_pct / 100.0),
        value: if minutes.is_finite() { minutes } else { 0.0 },
        threshold: line,
    };
    let name = sku.name.as_str();
    eval.judge(check, || {
        (
            format!("【{name}】按当前速度约 {minutes:.0} 分钟后售罄,建议调整排品顺序或讲解话术"),
            format!("{name}: sells out in about {minutes:.0} min at this pace, reorder the lineup or change the pitch"),
        )
    });
}

fn surge(
    eval: &mut Eval<'_>,
    pool: &Pool,
    sku: &Sku,
    t: &Thresholds,
    planned: Option<i64>,
    now_ms: i64,
) {
    let Some(planned) = planned.filter(|p| *p > 0) else {
        return;
    };
    let rate = sku.recent.last_minute(now_ms) as f64;
    let line = t.surge_factor * planned as f64;
    let check = Check {
        key: key(AlertKind::Surge, sku, 2),
        crossed: rate >= line,
        back: rate < line * (1.0 - t.hysteresis_pct / 100.0),
        value: rate,
        threshold: line,
    };
    let name = sku.name.as_str();
    let factor = rate / planned as f64;
    let next = next_with_stock(pool, &sku.code);
    eval.judge(check, || {
        let (next_zh, next_en) = match next {
            Some(n) => (format!(",下一个有货商品:{n}"), format!("; next product with stock: {n}")),
            None => (String::new(), String::new()),
        };
        (
            format!(
                "【{name}】销量激增:每分钟 {rate:.0} 件,是计划的 {factor:.1} 倍。请主播提示\"库存有限,抓紧拍\",已发起补货申请{next_zh}"
            ),
            format!(
                "{name}: surge, {rate:.0} units/min, {factor:.1}× the plan. Host: \"limited stock, order now\"; restock requested{next_en}"
            ),
        )
    });
}

/// The next lineup product after `sku` (wrapping to the start) that still has stock.
pub fn next_with_stock(pool: &Pool, sku: &SkuCode) -> Option<String> {
    let show = pool.show()?;
    let at = show
        .lineup
        .iter()
        .position(|i| &i.sku == sku)
        .map_or(0, |i| i + 1);
    let n = show.lineup.len();
    (0..n)
        .map(|k| &show.lineup[(at + k) % n].sku)
        .filter(|code| *code != sku)
        .filter_map(|code| pool.sku(code))
        .find(|s| s.available() > 0)
        .map(|s| s.name.as_str().to_owned())
}

fn fading(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
    let peak = sku.peak_rate_per_min as f64;
    if peak < t.fading_peak_min_per_min || sku.available() <= 0 {
        return;
    }
    let rate = sku.recent.last_minute(now_ms) as f64;
    let line = peak * t.fading_pct / 100.0;
    let check = Check {
        key: key(AlertKind::Fading, sku, 1),
        crossed: rate < line,
        back: rate >= peak * t.fading_rearm_pct / 100.0,
        value: rate,
        threshold: round2(line),
    };
    let name = sku.name.as_str();
    eval.judge(check, || {
        (
            format!("【{name}】热度回落:每分钟 {rate:.0} 件,不到峰值 {peak:.0} 件的{}%,列入观察", t.fading_pct),
            format!("{name}: fading, {rate:.0} units/min, under {}% of its peak {peak:.0}; on the watch list", t.fading_pct),
        )
    });
}

fn turnover(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
    let per_day = sku.daily_sales(now_ms);
    let age_days = (now_ms - sku.created_ms) as f64 / DAY_MS as f64;
    if per_day <= 0.0 || sku.on_hand <= 0 || age_days < t.turnover_min_age_days {
        return; // no sales at all is a slow mover's business; a new SKU has no turnover yet
    }
    let days = sku.on_hand as f64 / per_day;
    let line = t.turnover_days;
    let check = Check {
        key: key(AlertKind::Turnover, sku, 1),
        crossed: days > line,
        back: days < line * (1.0 - t.hysteresis_pct / 100.0),
        value: days,
        threshold: line,
    };
    let name = sku.name.as_str();
    eval.judge(check, || {
        (
            format!("【{name}】周转天数约 {days:.0} 天,超过{line}天,有积压风险"),
            format!("{name}: turnover about {days:.0} days, over {line}: overstock risk"),
        )
    });
}

fn slow_mover(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
    let since = sku.last_sale_ms.unwrap_or(sku.created_ms);
    let idle_days = (now_ms - since) as f64 / DAY_MS as f64;
    let line = t.slow_mover_days;
    let check = Check {
        key: key(AlertKind::SlowMover, sku, 1),
        crossed: sku.on_hand > 0 && idle_days >= line,
        back: idle_days < line,
        value: idle_days,
        threshold: line,
    };
    let name = sku.name.as_str();
    eval.judge(check, || {
        (
            format!("【{name}】已 {idle_days:.0} 天无销量,建议清仓处理"),
            format!("{name}: no sale in {idle_days:.0} days, plan a clearance"),
        )
    });
}

fn movement_rate(eval: &mut Eval<'_>, pool: &Pool, t: &Thresholds, now_ms: i64) {
    // The window: the live show, or the last day.
    let since = pool
        .show()
        .filter(|s| s.state == ShowState::Live)
        .and_then(|s| s.started_ms)
        .unwrap_or(now_ms - DAY_MS);
    if (now_ms - since) as f64 / (MINUTE_MS as f64) < t.movement_window_minutes {
        return;
    }
    let active: Vec<&Sku> = pool
        .skus()
        .filter(|s| s.on_hand > 0 && s.created_ms <= since)
        .collect();
    if active.is_empty() {
        return;
    }
    let moved = active
        .iter()
        .filter(|s| s.last_sale_ms.is_some_and(|t| t >= since))
        .count();
    let pct = moved as f64 * 100.0 / active.len() as f64;
    let line = t.movement_rate_pct;
    let check = Check {
        key: AlertKey {
            kind: AlertKind::MovementRate,
            sku: None,
            level: 1,
        },
        crossed: pct < line,
        back: pct > line * (1.0 + t.hysteresis_pct / 100.0),
        value: pct,
        threshold: line,
    };
    let total = active.len();
    eval.judge(check, || {
        (
            format!("动销率仅 {pct:.0}%({moved}/{total} 个商品有销量),低于{line}%,请排查原因并规划清仓"),
            format!("Movement rate {pct:.0}% ({moved} of {total} SKUs sold), under {line}%: find why, plan a clearance"),
        )
    });
}
