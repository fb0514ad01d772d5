//! The movement rate (SPEC C): the share of active SKUs with a sale, shop-wide.

use crate::domain::alerts::book::{AlertKey, AlertKind};
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, DAY_MS, Eval, MINUTE_MS};
use crate::domain::pool::Pool;
use crate::domain::stock::Sku;

pub fn movement_rate(eval: &mut Eval<'_>, pool: &Pool, t: &Thresholds, now_ms: i64) {
    // The window: since the first live room went live, or the last day.
    let since = pool
        .rooms()
        .filter_map(|r| r.live_show()?.started_ms)
        .min()
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
            room: None,
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
