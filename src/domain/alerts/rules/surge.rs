//! Surges (SPEC C): the last minute at several times the planned rate, and the next product to offer.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, Eval, room_key};
use crate::domain::pool::Pool;
use crate::domain::show::Show;
use crate::domain::show::room::Room;
use crate::domain::stock::Sku;
use crate::domain::types::SkuCode;

/// Judges a surge of `sku` in `room` (live): the room's own rate against the rate its lineup
/// planned.
pub fn surge(
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
    let Some(planned) = show.planned_rate(&sku.code).filter(|p| *p > 0) else {
        return;
    };
    let rate = show.last_minute(&sku.code, now_ms) as f64;
    let line = t.surge_factor * planned as f64;
    let check = Check {
        key: room_key(AlertKind::Surge, sku, 2, &room.id),
        crossed: rate >= line,
        back: rate < line * (1.0 - t.hysteresis_pct / 100.0),
        value: rate,
        threshold: line,
    };
    let name = sku.name.as_str();
    let factor = rate / planned as f64;
    let next = next_with_stock(pool, show, &sku.code);
    let (where_zh, where_en) = room_label(pool, room);
    eval.judge(check, || {
        let (next_zh, next_en) = match next {
            Some(n) => (format!(",下一个有货商品:{n}"), format!("; next product with stock: {n}")),
            None => (String::new(), String::new()),
        };
        (
            format!(
                "{where_zh}【{name}】销量激增:每分钟 {rate:.0} 件,是计划的 {factor:.1} 倍。请主播提示\"库存有限,抓紧拍\",已发起补货申请{next_zh}"
            ),
            format!(
                "{where_en}{name}: surge, {rate:.0} units/min, {factor:.1}× the plan. Host: \"limited stock, order now\"; restock requested{next_en}"
            ),
        )
    });
}

/// How a per-room warning names its room: not at all while `main` is the only room, so a one-room
/// shop reads what it always read.
pub fn room_label(pool: &Pool, room: &Room) -> (String, String) {
    if room.id.is_main() && pool.rooms().count() == 1 {
        return (String::new(), String::new());
    }
    let name = room.name.as_str();
    (format!("[{name}]"), format!("[{name}] "))
}

/// The next product of `show`'s lineup after `sku` (wrapping to the start) that still has stock.
pub fn next_with_stock(pool: &Pool, show: &Show, sku: &SkuCode) -> Option<String> {
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
