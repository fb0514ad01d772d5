//! Sell-out time (SPEC C): the available units last under the line at the mean rate of the last
//! 30 minutes (the stock view's `rate_per_min`); level 2 under the line, level 3 under the urgent one.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, Eval, key, round2};
use crate::domain::stock::Sku;

pub fn sellout(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds, now_ms: i64) {
    // The stock view's rate (the mean of the last 30 minutes), so the warning, the table and the
    // host screen say the same number of minutes.
    let rate = sku.rate.per_minute(now_ms);
    let available = sku.available();
    let waiting = eval
        .book
        .fired
        .contains(&key(AlertKind::SelloutEta, sku, 2));
    if available <= 0 && !waiting {
        return; // sold out already: the stock level says so
    }
    let minutes = if rate > 0.0 {
        round2(available as f64 / rate)
    } else {
        f64::INFINITY
    };
    let lines = [(2, t.sellout_minutes), (3, t.sellout_level3_minutes)];
    let checks = lines
        .iter()
        .map(|&(lvl, line)| Check {
            key: key(AlertKind::SelloutEta, sku, lvl),
            crossed: available > 0 && minutes < line,
            back: minutes > line * (1.0 + t.hysteresis_pct / 100.0),
            value: if minutes.is_finite() { minutes } else { 0.0 },
            threshold: line,
        })
        .collect();
    let name = sku.name.as_str();
    eval.judge_lines(checks, |lvl| {
        if available <= 0 {
            return (
                format!("【{name}】已售罄,请上下一个有货商品"),
                format!("{name}: sold out, go to the next product with stock"),
            );
        }
        let act_zh = if lvl >= 3 { "马上准备下一个商品或补货" } else { "建议调整排品顺序或讲解话术" };
        let act_en = if lvl >= 3 { "get the next product or a restock ready now" } else { "reorder the lineup or change the pitch" };
        (
            format!("【{name}】按近30分钟速度(每分钟 {rate:.0} 件)约 {minutes:.0} 分钟后售罄,{act_zh}"),
            format!("{name}: sells out in about {minutes:.0} min at the 30-minute mean rate ({rate:.0}/min), {act_en}"),
        )
    });
}
