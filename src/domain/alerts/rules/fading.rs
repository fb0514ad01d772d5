//! Fading hits (SPEC C): the last minute well below the peak of the show.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, Eval, key, round2};
use crate::domain::stock::Sku;

pub fn fading(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
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
