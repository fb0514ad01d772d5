//! Slow movers (SPEC C): no sale in too many days.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, DAY_MS, Eval, key};
use crate::domain::stock::Sku;

pub fn slow_mover(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
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
