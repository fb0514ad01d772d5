//! Fading hits (SPEC C): the last minute well below the peak of the show.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, Eval, room_key, round2};
use crate::domain::alerts::rules::surge::room_label;
use crate::domain::pool::Pool;
use crate::domain::show::room::Room;
use crate::domain::stock::Sku;

/// Judges a fading hit of `sku` in `room` (live, and the SKU on its air now or before): the room's
/// own rate against the room's peak of it.
pub fn fading(
    eval: &mut Eval<'_>,
    pool: &Pool,
    room: &Room,
    sku: &Sku,
    t: &Thresholds,
    now_ms: i64,
) {
    let Some(show) = room.live_show() else {
        return;
    };
    let peak = show.peaks.get(&sku.code).copied().unwrap_or(0) as f64;
    if peak < t.fading_peak_min_per_min || sku.available() <= 0 {
        return;
    }
    let rate = show.last_minute(&sku.code, now_ms) as f64;
    let line = peak * t.fading_pct / 100.0;
    let check = Check {
        key: room_key(AlertKind::Fading, sku, 1, &room.id),
        crossed: rate < line,
        back: rate >= peak * t.fading_rearm_pct / 100.0,
        value: rate,
        threshold: round2(line),
    };
    let name = sku.name.as_str();
    let (where_zh, where_en) = room_label(pool, room);
    eval.judge(check, || {
        (
            format!("{where_zh}【{name}】热度回落:每分钟 {rate:.0} 件,不到峰值 {peak:.0} 件的{}%,列入观察", t.fading_pct),
            format!("{where_en}{name}: fading, {rate:.0} units/min, under {}% of its peak {peak:.0}; on the watch list", t.fading_pct),
        )
    });
}
