//! Turnover (SPEC C): stock ÷ mean daily sales above the line, for SKUs old enough.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, DAY_MS, Eval, key};
use crate::domain::stock::Sku;

pub fn turnover(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
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
