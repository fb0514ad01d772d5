//! Sell-through (SPEC C): sold ÷ (sold + available) above the line.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, Eval, key};
use crate::domain::stock::Sku;

pub fn sell_through(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds) {
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
