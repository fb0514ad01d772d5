//! Surges (SPEC C): the last minute at several times the planned rate, and the next product to offer.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, Eval, key};
use crate::domain::pool::Pool;
use crate::domain::stock::Sku;
use crate::domain::types::SkuCode;

pub fn surge(
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
