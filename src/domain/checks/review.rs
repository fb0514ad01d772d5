//! The post-show review (复盘, SPEC B5): per SKU, what the show sold, what it did not (unpaid,
//! expired, cancelled), refunds and presale apart, by channel; the unpaid orders; the anomalies.
//! A pure function of the show, the stock views and the orders, so it runs off the writer.

use super::anomalies::{Anomaly, AnomalyKind, ReviewConfig, anomalies};
use crate::domain::order::{Line, Order, OrderState};
use crate::domain::show::{Show, ShowState};
use crate::domain::stock::{ChannelSales, StockView};
use crate::domain::types::{RoomId, SkuCode, format_rfc3339};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The most unpaid orders listed (the count in `totals` is whole).
pub const UNPAID_LISTED_MAX: usize = 1_000;

/// What the review is computed over.
pub struct ReviewInput<'a> {
    pub show: &'a Show,
    /// Every SKU's stock view now.
    pub views: &'a [StockView],
    /// The orders of the show's window (see [`in_window`]), in any order.
    pub orders: &'a [&'a Order],
    /// The end of the window while the show is live.
    pub now_ms: i64,
}

/// The post-show review (API.md "The show").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Review {
    pub title: String,
    /// `live` (a review during the show) or `ended`.
    pub state: &'static str,
    pub from: String,
    pub to: String,
    pub started_at: Option<String>,
    /// Null while the show is live.
    pub ended_at: Option<String>,
    /// The night's GMV net of refunds, spot and presale (the show's `gmv_cents` over the window).
    pub gmv_cents: i64,
    pub totals: Totals,
    pub skus: Vec<SkuReview>,
    /// Orders still held, unpaid: not sales. At most [`UNPAID_LISTED_MAX`], oldest first.
    pub unpaid: Vec<UnpaidOrder>,
    /// At most 200 of each kind, by kind, then by their first order.
    pub anomalies: Vec<Anomaly>,
    /// How many anomalies of each kind were found (listed or not).
    pub anomaly_counts: BTreeMap<AnomalyKind, usize>,
    /// The thresholds the anomalies were judged by.
    pub thresholds: ReviewConfig,
}

/// The whole show's figures. Sales are spot sales net of refunds; presale is apart.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Orders placed in the window (every state).
    pub orders: i64,
    pub paid_orders: i64,
    pub unpaid_orders: i64,
    pub expired_orders: i64,
    pub cancelled_orders: i64,
    pub refunded_orders: i64,
    pub presale_orders: i64,
    pub net_units: i64,
    pub net_gmv_cents: i64,
    pub refunded_cents: i64,
    pub presale_units: i64,
    pub presale_gmv_cents: i64,
    /// Spot sales by channel, net of refunds.
    pub channels: BTreeMap<String, ChannelSales>,
}

/// One SKU's reconciliation over the show.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SkuReview {
    pub sku: SkuCode,
    pub name: String,
    /// Available units when the show went live; null for a SKU not on the lineup.
    pub opening: Option<i64>,
    /// Available and on hand now.
    pub available: i64,
    pub on_hand: i64,
    /// Spot units and orders paid in the window, refunded ones included.
    pub paid_units: i64,
    pub paid_orders: i64,
    pub paid_cents: i64,
    /// Still held, unpaid: not sales.
    pub unpaid_units: i64,
    /// Held until the hold ran out, never paid.
    pub expired_units: i64,
    pub cancelled_units: i64,
    /// Spot units paid and then refunded (before or after shipping).
    pub refunded_units: i64,
    pub refunded_cents: i64,
    /// Presale units and money paid, net of refunds.
    pub presale_units: i64,
    pub presale_gmv_cents: i64,
    /// `paid_units - refunded_units`, and its money.
    pub net_units: i64,
    pub net_gmv_cents: i64,
    /// Spot sales by channel, net of refunds.
    pub channels: BTreeMap<String, ChannelSales>,
}

/// An order still held when the review was taken.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnpaidOrder {
    pub channel: String,
    pub order_id: String,
    pub buyer: Option<String>,
    pub units: i64,
    pub cents: i64,
    pub created_at: Option<String>,
    pub expires_at: Option<String>,
}

/// The review's window: from the show's start to its end, or to `now_ms` while it is live;
/// `None` for a show that never went live.
pub fn window(show: &Show, now_ms: i64) -> Option<(i64, i64)> {
    let from = show.started_ms?;
    let to = match show.state {
        ShowState::Live => now_ms,
        _ => show.ended_ms.unwrap_or(now_ms),
    };
    Some((from, to.max(from)))
}

/// Whether `order` belongs to the window: placed or paid inside it, and taken at all (an order
/// whose every event was rejected holds nothing and is left out).
/// Whether a room's review counts `order`: credited to `room`, or to no room when `room` is the
/// `alone` room with a show (an order from before rooms, or of a channel no room claimed).
pub fn credited_to(order: &Order, room: &RoomId, alone: bool) -> bool {
    match &order.room {
        Some(r) => r == room,
        None => alone,
    }
}

/// The night `show` belongs to, as one show: every show of `shows` whose window overlaps the
/// span of the shows overlapping it, with their lineups, openings and totals added up. The whole
/// night's review runs on it.
pub fn night_of(show: &Show, shows: &[&Show]) -> Show {
    let span = |s: &Show| s.started_ms.map(|a| (a, s.ended_ms.unwrap_or(i64::MAX)));
    let mut night = show.clone();
    let Some((mut from, mut to)) = span(show) else {
        return night;
    };
    let mut taken = vec![false; shows.len()];
    loop {
        let mut grew = false;
        for (i, other) in shows.iter().enumerate() {
            let Some((a, b)) = span(other) else { continue };
            if taken[i] || **other == *show || a > to || b < from {
                continue;
            }
            taken[i] = true;
            grew = true;
            (from, to) = (from.min(a), to.max(b));
            add_show(&mut night, other);
        }
        if !grew {
            break;
        }
    }
    night.started_ms = Some(from);
    night.ended_ms = (to != i64::MAX).then_some(to);
    if night.ended_ms.is_none() {
        night.state = ShowState::Live;
    }
    if let Ok(title) = crate::domain::types::Name::new(&format!("全场 · {}", show.title.as_str()))
    {
        night.title = title;
    }
    night
}

/// Adds `other`'s lineup, openings and totals to `night`.
fn add_show(night: &mut Show, other: &Show) {
    for item in &other.lineup {
        if !night.features(&item.sku) {
            night.lineup.push(item.clone());
        }
    }
    for (code, units) in &other.opening {
        night.opening.entry(code.clone()).or_insert(*units);
    }
    night.gmv_cents += other.gmv_cents;
    night.orders += other.orders;
    night.units += other.units;
    night.buyers.extend(other.buyers.iter().cloned());
    for (channel, sales) in &other.channels {
        let entry = night.channels.entry(channel.clone()).or_default();
        entry.units += sales.units;
        entry.orders += sales.orders;
        entry.gmv_cents += sales.gmv_cents;
    }
}

pub fn in_window(order: &Order, (from, to): (i64, i64)) -> bool {
    let inside = |t: Option<i64>| t.is_some_and(|t| (from..=to).contains(&t));
    order.state.is_some() && (inside(order.created_ms) || inside(order.paid_ms))
}

/// The review of `input`, its anomalies judged by `config`.
pub fn review(input: &ReviewInput<'_>, config: &ReviewConfig) -> Review {
    let (from, to) = window(input.show, input.now_ms).unwrap_or((input.now_ms, input.now_ms));
    let views: HashMap<&SkuCode, &StockView> = input.views.iter().map(|v| (&v.sku, v)).collect();
    let mut skus = SkuBook::default();
    for code in &input.show.opening {
        sku_entry(&mut skus, &views, input.show, code.0);
    }
    let mut totals = Totals::default();
    let mut unpaid = Vec::new();
    for order in input.orders {
        count_order(order, &views, input.show, &mut skus, &mut totals);
        if order.state == Some(OrderState::Held) {
            unpaid.push(order);
        }
    }
    unpaid.sort_unstable_by(|a, b| (a.created_ms, &a.key).cmp(&(b.created_ms, &b.key)));
    let unpaid = unpaid
        .into_iter()
        .take(UNPAID_LISTED_MAX)
        .map(|o| unpaid_order(o, &views))
        .collect();
    let found = anomalies(input.orders, config);
    Review {
        title: input.show.title.as_str().to_owned(),
        state: match input.show.state {
            ShowState::Planned => "planned",
            ShowState::Live => "live",
            ShowState::Ended => "ended",
        },
        from: format_rfc3339(from),
        to: format_rfc3339(to),
        started_at: input.show.started_ms.map(format_rfc3339),
        ended_at: input.show.ended_ms.map(format_rfc3339),
        gmv_cents: totals.net_gmv_cents + totals.presale_gmv_cents,
        totals,
        skus: skus.into_sorted(),
        unpaid,
        anomalies: found.list,
        anomaly_counts: found.counts,
        thresholds: config.clone(),
    }
}

/// Where an order stands for the review.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Unpaid,
    Expired,
    Cancelled,
    /// Paid and not refunded: a sale.
    Sold,
    /// Paid, then refunded (before or after shipping).
    Refunded,
    PresaleSold,
    PresaleRefunded,
}

impl Class {
    fn of(order: &Order) -> Option<Class> {
        use OrderState as S;
        Some(match (order.state?, order.presale) {
            (S::Held, _) => Class::Unpaid,
            (S::Expired, _) => Class::Expired,
            (S::Cancelled, _) => Class::Cancelled,
            (S::Paid | S::Shipped, false) => Class::Sold,
            (S::Refunded | S::Returned, false) => Class::Refunded,
            (S::Paid | S::Shipped, true) => Class::PresaleSold,
            (S::Refunded | S::Returned, true) => Class::PresaleRefunded,
        })
    }
}

impl SkuReview {
    fn new(code: &SkuCode, view: Option<&&StockView>, opening: Option<i64>) -> Self {
        SkuReview {
            sku: code.clone(),
            name: view.map(|v| v.name.clone()).unwrap_or_default(),
            opening,
            available: view.map_or(0, |v| v.available),
            on_hand: view.map_or(0, |v| v.on_hand),
            paid_units: 0,
            paid_orders: 0,
            paid_cents: 0,
            unpaid_units: 0,
            expired_units: 0,
            cancelled_units: 0,
            refunded_units: 0,
            refunded_cents: 0,
            presale_units: 0,
            presale_gmv_cents: 0,
            net_units: 0,
            net_gmv_cents: 0,
            channels: BTreeMap::new(),
        }
    }

    /// Counts one line of an order of `class` (`first`: the order's first line of this SKU).
    fn count(&mut self, class: Class, channel: &str, qty: i64, cents: i64, first: bool) {
        match class {
            Class::Unpaid => self.unpaid_units += qty,
            Class::Expired => self.expired_units += qty,
            Class::Cancelled => self.cancelled_units += qty,
            Class::PresaleSold => {
                self.presale_units += qty;
                self.presale_gmv_cents += cents;
            }
            Class::PresaleRefunded => {}
            Class::Sold | Class::Refunded => {
                self.paid_units += qty;
                self.paid_orders += first as i64;
                self.paid_cents += cents;
            }
        }
        match class {
            Class::Refunded => {
                self.refunded_units += qty;
                self.refunded_cents += cents;
            }
            Class::Sold => {
                self.net_units += qty;
                self.net_gmv_cents += cents;
                let sale = (qty, first as i64, cents);
                ChannelSales::record(&mut self.channels, channel, 1, sale);
            }
            _ => {}
        }
    }
}

impl Totals {
    fn count(&mut self, order: &Order, class: Class, (units, cents): (i64, i64)) {
        self.orders += 1;
        match class {
            Class::Unpaid => self.unpaid_orders += 1,
            Class::Expired => self.expired_orders += 1,
            Class::Cancelled => self.cancelled_orders += 1,
            Class::Sold => {
                self.paid_orders += 1;
                self.net_units += units;
                self.net_gmv_cents += cents;
                let channel = order.key.channel.as_str();
                ChannelSales::record(&mut self.channels, channel, 1, (units, 1, cents));
            }
            Class::Refunded => {
                self.paid_orders += 1;
                self.refunded_orders += 1;
                self.refunded_cents += cents;
            }
            Class::PresaleSold => {
                self.presale_orders += 1;
                self.presale_units += units;
                self.presale_gmv_cents += cents;
            }
            Class::PresaleRefunded => self.presale_orders += 1,
        }
    }
}

/// The SKUs reviewed, found by code with one hash (a line costs a lookup, and a show has
/// hundreds of thousands of lines), sorted by code at the end.
#[derive(Default)]
struct SkuBook<'a> {
    index: HashMap<&'a SkuCode, usize>,
    entries: Vec<SkuReview>,
}

impl SkuBook<'_> {
    fn into_sorted(mut self) -> Vec<SkuReview> {
        self.entries.sort_unstable_by(|a, b| a.sku.cmp(&b.sku));
        self.entries
    }
}

/// The SKU's entry, made on first sight with its opening and its stock now.
fn sku_entry<'a, 'b>(
    skus: &'b mut SkuBook<'a>,
    views: &HashMap<&SkuCode, &StockView>,
    show: &Show,
    code: &'a SkuCode,
) -> &'b mut SkuReview {
    let next = skus.entries.len();
    let i = *skus.index.entry(code).or_insert(next);
    if i == next {
        let entry = SkuReview::new(code, views.get(code), show.opening.get(code).copied());
        skus.entries.push(entry);
    }
    &mut skus.entries[i]
}

/// A line's money: its fixed price, or the catalog's when it had none.
fn line_cents(line: &Line, views: &HashMap<&SkuCode, &StockView>) -> i64 {
    let price = match line.unit_price_cents {
        Some(p) => p.get(),
        None => views.get(&line.sku).map_or(0, |v| v.price_cents),
    };
    line.qty.get() * price
}

/// Adds one order to its SKUs and to the totals.
fn count_order<'a>(
    order: &'a Order,
    views: &HashMap<&SkuCode, &StockView>,
    show: &Show,
    skus: &mut SkuBook<'a>,
    totals: &mut Totals,
) {
    let Some(class) = Class::of(order) else {
        return;
    };
    let mut seen: Vec<&SkuCode> = Vec::with_capacity(order.lines.len());
    let (mut units, mut cents) = (0, 0);
    for line in &order.lines {
        let (qty, money) = (line.qty.get(), line_cents(line, views));
        let first = !seen.contains(&&line.sku);
        if first {
            seen.push(&line.sku);
        }
        let sku = sku_entry(skus, views, show, &line.sku);
        sku.count(class, &order.key.channel, qty, money, first);
        units += qty;
        cents += money;
    }
    totals.count(order, class, (units, cents));
}

fn unpaid_order(order: &Order, views: &HashMap<&SkuCode, &StockView>) -> UnpaidOrder {
    UnpaidOrder {
        channel: order.key.channel.to_string(),
        order_id: order.key.order_id.to_string(),
        buyer: order.buyer.as_ref().map(|b| b.as_str().to_owned()),
        units: order.lines.iter().map(|l| l.qty.get()).sum(),
        cents: order.lines.iter().map(|l| line_cents(l, views)).sum(),
        created_at: order.created_ms.map(format_rfc3339),
        expires_at: order.expires_ms.map(format_rfc3339),
    }
}
