//! Tiered stock (SPEC C): available ÷ base at or below 20%, 10%, 5%.

use crate::domain::alerts::book::AlertKind;
use crate::domain::alerts::config::Thresholds;
use crate::domain::alerts::judge::{Check, Eval, key};
use crate::domain::stock::Sku;

pub fn stock_levels(eval: &mut Eval<'_>, sku: &Sku, t: &Thresholds) {
    if sku.base <= 0 {
        return;
    }
    let available = sku.available();
    let pct = available as f64 * 100.0 / sku.base as f64;
    let lines = [(1, t.level1_pct), (2, t.level2_pct), (3, t.level3_pct)];
    let checks = lines
        .iter()
        .map(|&(lvl, line)| Check {
            key: key(AlertKind::StockLevel, sku, lvl),
            crossed: pct <= line,
            back: pct > line * (1.0 + t.hysteresis_pct / 100.0),
            value: pct,
            threshold: line,
        })
        .collect();
    let name = sku.name.as_str();
    eval.judge_lines(checks, |lvl| {
        let line = lines[usize::from(lvl.clamp(1, 3)) - 1].1;
        if available == 0 {
            return (
                format!("【{name}】已抢光(剩 0 件),立即补货或告知观众这是最后一批"),
                format!("{name}: sold out (0 left), restock now or tell viewers it was the last batch"),
            );
        }
        match lvl {
            1 => (
                format!("【{name}】库存已低于{line}%(剩 {available} 件),注意控制讲解节奏"),
                format!("{name}: stock below {line}% ({available} left), watch the pace"),
            ),
            2 => (
                format!("【{name}】库存已低于{line}%(剩 {available} 件),建议缩短讲解或准备下架"),
                format!("{name}: stock below {line}% ({available} left), shorten the slot or prepare to pull it"),
            ),
            _ => (
                format!("【{name}】库存仅剩{line}%以内(剩 {available} 件),立即补货或告知观众这是最后一批"),
                format!("{name}: stock within {line}% ({available} left), restock now or tell viewers it is the last batch"),
            ),
        }
    });
}
