//! One evaluation: which SKUs to look at, each rule judged on them, and the verdict to journal.

use super::config::AlertConfig;
use super::judge::{Eval, Verdict};
use super::rules;
use crate::domain::pool::Pool;
use crate::domain::stock::Sku;
use crate::domain::types::SkuCode;
use std::collections::BTreeSet;

/// Which SKUs an evaluation looks at.
pub enum Scope<'a> {
    /// After a batch: the SKUs it changed (the shop-wide metrics wait for the tick).
    Skus(&'a BTreeSet<SkuCode>),
    /// On the tick: everything, time-driven metrics included.
    All,
}

/// Judges every metric in `scope` at `now_ms`.
pub fn evaluate(pool: &Pool, scope: Scope<'_>, now_ms: i64, config: &AlertConfig) -> Verdict {
    let book = pool.alerts();
    // Open alerts follow the live numbers on the tick; after a batch only their level moves.
    let mut eval = Eval::new(book, now_ms, matches!(scope, Scope::All));
    if !config.enabled {
        return eval.into_verdict();
    }
    let live: Vec<_> = pool.rooms().filter(|r| r.is_live()).collect();
    let everything = matches!(scope, Scope::All);
    let skus: Vec<&Sku> = match scope {
        Scope::Skus(codes) => codes.iter().filter_map(|c| pool.sku(c)).collect(),
        Scope::All => pool.skus().collect(),
    };
    for sku in skus {
        let t = config.for_category(sku.category.as_str());
        rules::stock_level::stock_levels(&mut eval, sku, t);
        rules::sell_through::sell_through(&mut eval, sku, t);
        rules::sellout::sellout(&mut eval, sku, t, now_ms);
        for room in &live {
            let Some(show) = room.live_show() else {
                continue;
            };
            rules::surge::surge(&mut eval, pool, room, sku, t, now_ms);
            if show.aired.contains(&sku.code) || show.current.as_ref() == Some(&sku.code) {
                rules::fading::fading(&mut eval, pool, room, sku, t, now_ms);
            }
        }
        if everything {
            rules::turnover::turnover(&mut eval, sku, t, now_ms);
            rules::slow_mover::slow_mover(&mut eval, sku, t, now_ms);
        }
    }
    if everything {
        rules::movement_rate::movement_rate(&mut eval, pool, &config.shop, now_ms);
    }
    eval.into_verdict()
}
