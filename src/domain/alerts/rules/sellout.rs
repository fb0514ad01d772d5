//! Sell-out time (SPEC C): the available units last under the line at the recent pace.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, Eval, key};
use crate::domain::stock::Sku;

pub fn sellout(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
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
