//! The pre-show check (SPEC B5): the night before, for every product of the lineup, is there
//! enough to sell for its whole slot, on every channel, with damaged units left out and units
//! already promised to earlier orders counted as gone? Each item passes or fails with every reason
//! in both languages, and the show passes only when every item does.

use crate::domain::channels::{Mismatch, channel_name_zh};
use crate::domain::show::{LineupView, ShowView};
use crate::domain::stock::StockView;
use crate::domain::types::{SkuCode, format_rfc3339};
use serde::Serialize;

/// A finding, in both languages; `code` is stable for programs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

/// One channel that shows another number than the pool has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChannelGap {
    pub channel: String,
    pub displayed: i64,
    pub available: i64,
    pub since_ms: i64,
    /// `since_ms` as RFC 3339.
    pub since: String,
}

/// The check of one lineup product.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrecheckItem {
    pub sku: SkuCode,
    pub name: String,
    pub planned_start: Option<String>,
    pub planned_rate_per_min: Option<i64>,
    pub slot_minutes: i64,
    /// Units the slot needs: planned rate × slot minutes (0 without a planned rate).
    pub needed: i64,
    /// Units that can be sold now: damaged, buffer, held and committed units already left out.
    pub available: i64,
    pub on_hand: i64,
    /// Damaged units: on hand, not sellable, excluded from `available`.
    pub damaged: i64,
    pub buffer: i64,
    /// Units held by earlier unpaid orders.
    pub held: i64,
    /// Units paid by earlier orders and not yet shipped.
    pub committed: i64,
    /// How many units the slot lacks (0 when it is covered).
    pub short: i64,
    pub channel_mismatches: Vec<ChannelGap>,
    /// Units this room's slot needs alone; `needed` adds the overlapping slots of other rooms.
    pub room_needed: i64,
    /// Other rooms selling the same SKU from the same pool in a slot that overlaps this one.
    pub shared_with: Vec<SharedSlot>,
    pub pass: bool,
    /// Why it fails; empty when it passes.
    pub reasons: Vec<Finding>,
    /// What to know that does not fail it.
    pub notes: Vec<Finding>,
}

/// Another room's slot of the same SKU that overlaps the checked one: both sell from the pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedSlot {
    pub room: String,
    pub room_name: String,
    pub planned_start: Option<String>,
    pub slot_minutes: i64,
    /// Units that room's slot needs.
    pub needed: i64,
}

/// The whole check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Precheck {
    pub pass: bool,
    pub title: Option<String>,
    /// The show's state: `planned`, `live` or `ended`.
    pub state: &'static str,
    pub items: Vec<PrecheckItem>,
    /// How many items fail.
    pub failed: usize,
    /// Reasons that concern the show as a whole (an empty lineup).
    pub reasons: Vec<Finding>,
}

/// Checks the lineup of `show` against the stock `view` of each SKU and the channels' lasting
/// `mismatches` at `now_ms`. A SKU that `others` (the other rooms' planned or live shows) sell in
/// an overlapping slot needs their units too: the pool is one.
pub fn precheck(
    show: &ShowView,
    others: &[&ShowView],
    view: impl Fn(&SkuCode) -> Option<StockView>,
    mismatches: &[Mismatch],
    now_ms: i64,
) -> Precheck {
    let items: Vec<PrecheckItem> = show
        .lineup
        .iter()
        .map(|entry| {
            let gaps: Vec<ChannelGap> = mismatches
                .iter()
                .filter(|m| m.sku == entry.sku && m.lasting(now_ms))
                .map(|m| ChannelGap {
                    channel: m.channel.clone(),
                    displayed: m.displayed,
                    available: m.available,
                    since_ms: m.since_ms,
                    since: format_rfc3339(m.since_ms),
                })
                .collect();
            let plan = Plan {
                sku: entry.sku.clone(),
                planned_start: entry.planned_start.clone(),
                rate: entry.planned_rate_per_min,
                slot_minutes: entry.slot_minutes,
                shared: overlapping(entry, others),
            };
            check_item(plan, view(&entry.sku), gaps, now_ms)
        })
        .collect();
    let mut reasons = Vec::new();
    if items.is_empty() {
        reasons.push(Finding {
            code: "empty_lineup",
            zh: "排品表为空:请先在直播计划中添加商品".to_owned(),
            en: "The lineup is empty: add products to the show first".to_owned(),
        });
    }
    let failed = items.iter().filter(|i| !i.pass).count();
    Precheck {
        pass: failed == 0 && reasons.is_empty(),
        title: show.title.clone(),
        state: show.state,
        items,
        failed,
        reasons,
    }
}

/// What the run of show plans for one product.
struct Plan {
    sku: SkuCode,
    planned_start: Option<String>,
    rate: Option<i64>,
    slot_minutes: i64,
    shared: Vec<SharedSlot>,
}

/// The slots of other rooms' planned or live shows that sell `entry`'s SKU while it is on: both
/// slots have a planned start and their minutes overlap.
fn overlapping(entry: &LineupView, others: &[&ShowView]) -> Vec<SharedSlot> {
    const MINUTE_MS: i64 = 60_000;
    let Some(start) = entry.planned_start_ms else {
        return Vec::new();
    };
    let end = start + entry.slot_minutes * MINUTE_MS;
    let mut shared = Vec::new();
    for other in others
        .iter()
        .filter(|o| matches!(o.state, "planned" | "live"))
    {
        for item in other.lineup.iter().filter(|i| i.sku == entry.sku) {
            let Some(from) = item.planned_start_ms else {
                continue;
            };
            let until = from + item.slot_minutes * MINUTE_MS;
            if from < end && start < until {
                shared.push(SharedSlot {
                    room: other.room.as_str().to_owned(),
                    room_name: other.room_name.clone(),
                    planned_start: item.planned_start.clone(),
                    slot_minutes: item.slot_minutes,
                    needed: item
                        .planned_rate_per_min
                        .map_or(0, |r| r.saturating_mul(item.slot_minutes)),
                });
            }
        }
    }
    shared
}

fn check_item(
    plan: Plan,
    view: Option<StockView>,
    gaps: Vec<ChannelGap>,
    now_ms: i64,
) -> PrecheckItem {
    let room_needed = plan.rate.map_or(0, |r| r.saturating_mul(plan.slot_minutes));
    let needed = plan
        .shared
        .iter()
        .fold(room_needed, |n, s| n.saturating_add(s.needed));
    let mut item = PrecheckItem {
        sku: plan.sku,
        name: String::new(),
        planned_start: plan.planned_start,
        planned_rate_per_min: plan.rate,
        slot_minutes: plan.slot_minutes,
        needed,
        available: 0,
        on_hand: 0,
        damaged: 0,
        buffer: 0,
        held: 0,
        committed: 0,
        short: 0,
        channel_mismatches: Vec::new(),
        room_needed,
        shared_with: plan.shared,
        pass: false,
        reasons: Vec::new(),
        notes: Vec::new(),
    };
    let Some(v) = view else {
        item.reasons.push(Finding {
            code: "unknown_sku",
            zh: format!("商品 {} 不在库存中", item.sku),
            en: format!("{} is not in the stock pool", item.sku),
        });
        return item;
    };
    item.name = v.name.clone();
    item.available = v.available;
    item.on_hand = v.on_hand;
    item.damaged = v.damaged;
    item.buffer = v.buffer;
    item.held = v.held;
    item.committed = v.committed;
    item.short = (needed - v.available).max(0);
    judge_stock(&mut item);
    for gap in &gaps {
        item.reasons.push(mismatch_finding(gap, now_ms));
    }
    item.channel_mismatches = gaps;
    item.pass = item.reasons.is_empty();
    item
}

/// The stock reasons and notes of one item: sold out, short, and what explains the shortfall.
fn judge_stock(item: &mut PrecheckItem) {
    let short = item.short > 0;
    if item.available <= 0 {
        item.reasons.push(Finding {
            code: "sold_out",
            zh: "已无可售库存".to_owned(),
            en: "Nothing left to sell".to_owned(),
        });
    } else if short && !item.shared_with.is_empty() {
        let (zh, en) = shared_names(item);
        item.reasons.push(Finding {
            code: "shared_short",
            zh: format!(
                "与{zh}同时段共用库存:合计需要 {} 件(本场 {} 件),可售 {} 件,缺 {} 件",
                item.needed, item.room_needed, item.available, item.short
            ),
            en: format!(
                "Shared with {en} at the same time: together they need {} units ({} here); {} available, {} short",
                item.needed, item.room_needed, item.available, item.short
            ),
        });
    } else if short {
        let rate = item.planned_rate_per_min.unwrap_or(0);
        item.reasons.push(Finding {
            code: "short",
            zh: format!(
                "本场需要 {} 件({} 件/分 × {} 分钟),可售 {} 件,缺 {} 件",
                item.needed, rate, item.slot_minutes, item.available, item.short
            ),
            en: format!(
                "The slot needs {} units ({}/min × {} min); {} available, {} short",
                item.needed, rate, item.slot_minutes, item.available, item.short
            ),
        });
    }
    if !short && !item.shared_with.is_empty() {
        let (zh, en) = shared_names(item);
        item.notes.push(Finding {
            code: "shared",
            zh: format!(
                "与{zh}同时段共用库存:合计需要 {} 件,可售 {} 件",
                item.needed, item.available
            ),
            en: format!(
                "Shared with {en} at the same time: together they need {} units; {} available",
                item.needed, item.available
            ),
        });
    }
    if item.planned_rate_per_min.is_none() {
        item.notes.push(Finding {
            code: "no_plan",
            zh: "未填写计划速度,无法估算本场需求".to_owned(),
            en: "No planned rate: the slot's need cannot be estimated".to_owned(),
        });
    }
    let failing = short || item.available <= 0;
    if item.damaged > 0 {
        let finding = Finding {
            code: "damaged",
            zh: format!("{} 件不良品不可售,已从可售中排除", item.damaged),
            en: format!(
                "{} damaged units cannot be sold and are left out",
                item.damaged
            ),
        };
        if failing {
            &mut item.reasons
        } else {
            &mut item.notes
        }
        .push(finding);
    }
    if item.held + item.committed > 0 {
        let finding = Finding {
            code: "held",
            zh: format!(
                "{} 件被之前未付款的订单占用,{} 件已付款待发货",
                item.held, item.committed
            ),
            en: format!(
                "{} units are held by earlier unpaid orders and {} are paid, awaiting shipment",
                item.held, item.committed
            ),
        };
        if failing {
            &mut item.reasons
        } else {
            &mut item.notes
        }
        .push(finding);
    }
}

/// The rooms an item shares its slot with, each with its need, in both languages.
fn shared_names(item: &PrecheckItem) -> (String, String) {
    let zh: Vec<String> = item
        .shared_with
        .iter()
        .map(|s| format!("「{}」(需 {} 件)", s.room_name, s.needed))
        .collect();
    let en: Vec<String> = item
        .shared_with
        .iter()
        .map(|s| format!("{} ({} units)", s.room_name, s.needed))
        .collect();
    (zh.join("、"), en.join(", "))
}

fn mismatch_finding(gap: &ChannelGap, now_ms: i64) -> Finding {
    let secs = ((now_ms - gap.since_ms) / 1000).max(0);
    Finding {
        code: "channel_mismatch",
        zh: format!(
            "{} 显示 {} 件,实际可售 {} 件(已持续 {} 秒)",
            channel_name_zh(&gap.channel),
            gap.displayed,
            gap.available,
            secs
        ),
        en: format!(
            "{} shows {} units but {} are available (for {} s)",
            gap.channel, gap.displayed, gap.available, secs
        ),
    }
}
