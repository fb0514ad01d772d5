//! The review's anomalies (SPEC B5): bulk orders, many orders from one buyer, many buyers at one
//! address or phone, missing or malformed addresses on paid orders, and refunds within minutes of
//! payment (scalpers, 黄牛). Each names its orders and buyer and says why in Chinese and English.

use crate::domain::order::{Address, Order, OrderKey, OrderState};
use serde::{Deserialize, Serialize};
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

/// The most anomalies of one kind a review lists (the counts are whole): 1,000 in all, and one
/// kind flooding cannot hide the others.
pub const ANOMALIES_PER_KIND_MAX: usize = 200;
/// The most orders one anomaly lists (`order_count` is whole).
pub const ANOMALY_ORDERS_MAX: usize = 100;

/// The thresholds of the anomalies: the config file's `[review]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewConfig {
    /// Units in one order from which it is a bulk order.
    pub bulk_order_units: i64,
    /// Orders of one buyer in the show from which they are many.
    pub many_orders_per_buyer: i64,
    /// Distinct buyers at one address (or one phone) from which it is shared.
    pub shared_address_buyers: i64,
    /// A refund this many minutes or fewer after the payment is quick.
    pub quick_refund_minutes: f64,
    /// A detailed address shorter than this many characters is malformed.
    pub address_detail_chars_min: i64,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            bulk_order_units: 10,
            many_orders_per_buyer: 5,
            shared_address_buyers: 3,
            quick_refund_minutes: 10.0,
            address_detail_chars_min: 4,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    BulkOrder,
    ManyOrders,
    SharedAddress,
    BadAddress,
    QuickRefund,
}

/// An order as an anomaly names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OrderRef {
    pub channel: String,
    pub order_id: String,
}

/// One anomaly: what, which orders, whose, and why in both languages.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    /// At most [`ANOMALY_ORDERS_MAX`], by channel and id.
    pub orders: Vec<OrderRef>,
    pub order_count: usize,
    /// The buyer, when one buyer is at fault (null for a shared address).
    pub buyer: Option<String>,
    /// Every buyer involved (the one buyer, or those sharing the address).
    pub buyers: Vec<String>,
    pub why_zh: String,
    pub why_en: String,
}

impl Anomaly {
    fn new(
        kind: AnomalyKind,
        orders: &[&Order],
        buyers: Vec<String>,
        why: (String, String),
    ) -> Self {
        let buyer = match (kind, buyers.as_slice()) {
            (AnomalyKind::SharedAddress, _) => None,
            (_, [one]) => Some(one.clone()),
            _ => None,
        };
        Anomaly {
            kind,
            orders: orders
                .iter()
                .take(ANOMALY_ORDERS_MAX)
                .map(|o| OrderRef {
                    channel: o.key.channel.to_string(),
                    order_id: o.key.order_id.to_string(),
                })
                .collect(),
            order_count: orders.len(),
            buyer,
            buyers,
            why_zh: why.0,
            why_en: why.1,
        }
    }
}

/// Whether the order took stock at some point (held, paid, shipped or refunded).
fn taken(o: &Order) -> bool {
    use OrderState as S;
    matches!(
        o.state,
        Some(S::Held | S::Paid | S::Shipped | S::Refunded | S::Returned)
    )
}

fn buyer_of(o: &Order) -> Vec<String> {
    o.buyer.iter().map(|b| b.as_str().to_owned()).collect()
}

fn units(o: &Order) -> i64 {
    o.lines.iter().map(|l| l.qty.get()).sum()
}

/// The anomalies found, and how many of each kind.
#[derive(Debug, Default)]
pub struct Found {
    /// At most [`ANOMALIES_PER_KIND_MAX`] of each kind, by kind, then by their first order.
    pub list: Vec<Anomaly>,
    pub counts: BTreeMap<AnomalyKind, usize>,
}

impl Found {
    /// Counts one of `kind`, and lists it (made by `make`) while under the kind's cap.
    fn add(&mut self, kind: AnomalyKind, make: impl FnOnce() -> Anomaly) {
        let n = self.counts.entry(kind).or_insert(0);
        *n += 1;
        if *n <= ANOMALIES_PER_KIND_MAX {
            self.list.push(make());
        }
    }
}

/// By order key: the order anomalies list their orders in, and list themselves in.
fn by_key(a: &&Order, b: &&Order) -> std::cmp::Ordering {
    a.key.cmp(&b.key)
}

/// Every anomaly among `orders`. Only the orders found are sorted, never all of them: a show of
/// 200,000 orders is reviewed in well under a second (`benches/review.rs`).
pub fn anomalies(orders: &[&Order], config: &ReviewConfig) -> Found {
    let taken: Vec<&Order> = orders.iter().copied().filter(|o| taken(o)).collect();
    let mut out = Found::default();
    let t = config.bulk_order_units;
    let mut bulk: Vec<&Order> = taken.iter().copied().filter(|o| units(o) >= t).collect();
    bulk.sort_unstable_by(by_key);
    for o in bulk {
        out.add(AnomalyKind::BulkOrder, || {
            let n = units(o);
            let why = (
                format!("一单 {n} 件(阈值 {t} 件):疑似囤货或黄牛"),
                format!("{n} units in one order (threshold {t}): stockpiling or a scalper?"),
            );
            Anomaly::new(AnomalyKind::BulkOrder, &[o], buyer_of(o), why)
        });
    }
    many_orders(&taken, config, &mut out);
    shared_addresses(&taken, config, &mut out);
    let detail_min = config.address_detail_chars_min;
    let paid = taken
        .iter()
        .copied()
        .filter(|o| o.state.is_some_and(OrderState::was_paid));
    let mut bad: Vec<(&Order, (String, String))> = paid
        .filter_map(|o| Some((o, address_fault(o.address.as_deref(), detail_min)?)))
        .collect();
    bad.sort_unstable_by(|a, b| by_key(&a.0, &b.0));
    for (o, why) in bad {
        out.add(AnomalyKind::BadAddress, || {
            Anomaly::new(AnomalyKind::BadAddress, &[o], buyer_of(o), why)
        });
    }
    let minutes = config.quick_refund_minutes;
    let mut quick: Vec<(&Order, (String, String))> = taken
        .iter()
        .filter_map(|o| Some((*o, quick_refund(o, minutes)?)))
        .collect();
    quick.sort_unstable_by(|a, b| by_key(&a.0, &b.0));
    for (o, why) in quick {
        out.add(AnomalyKind::QuickRefund, || {
            Anomaly::new(AnomalyKind::QuickRefund, &[o], buyer_of(o), why)
        });
    }
    out
}

/// Buyers with at least `many_orders_per_buyer` orders, by buyer.
fn many_orders(taken: &[&Order], config: &ReviewConfig, out: &mut Found) {
    let mut by_buyer: HashMap<&str, Vec<&Order>> = HashMap::new();
    for o in taken {
        if let Some(b) = &o.buyer {
            by_buyer.entry(b.as_str()).or_default().push(o);
        }
    }
    let t = config.many_orders_per_buyer;
    let mut many: Vec<(&str, Vec<&Order>)> = by_buyer
        .into_iter()
        .filter(|(_, orders)| orders.len() as i64 >= t)
        .collect();
    many.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (buyer, mut orders) in many {
        out.add(AnomalyKind::ManyOrders, || {
            orders.sort_unstable_by(by_key);
            let n = orders.len();
            let why = (
                format!("买家 {buyer} 本场下了 {n} 单(阈值 {t} 单):疑似刷单或黄牛"),
                format!("buyer {buyer} placed {n} orders in this show (threshold {t})"),
            );
            Anomaly::new(
                AnomalyKind::ManyOrders,
                &orders,
                vec![buyer.to_owned()],
                why,
            )
        });
    }
}

/// An address as compared (region and detail without spaces, lower-cased), as a 64-bit keyed
/// hash: no string is built per order. `None` when the detail is empty. Two different addresses
/// meet by chance once in 2^64 pairs, and the key is random per process, so no one can aim for it.
fn address_key(a: &Address, keys: &RandomState) -> Option<u64> {
    let region = a.region.as_ref().map_or("", |r| r.as_str());
    let detail = a.detail.as_ref().map_or("", |d| d.as_str());
    let mut h = keys.build_hasher();
    if fold_into(&mut h, detail) == 0 {
        return None;
    }
    h.write_u8(0xff);
    fold_into(&mut h, region);
    Some(h.finish())
}

/// Feeds `t` to `h` without its spaces, lower-cased; returns the characters fed.
fn fold_into(h: &mut impl Hasher, t: &str) -> usize {
    let mut fed = 0;
    for c in t.chars().filter(|c| !c.is_whitespace()) {
        for l in c.to_lowercase() {
            h.write_u32(l as u32);
        }
        fed += 1;
    }
    fed
}

/// The distinct buyers of `orders`, sorted.
fn distinct_buyers<'a>(orders: &[&'a Order]) -> Vec<&'a str> {
    let mut buyers: Vec<&str> = orders
        .iter()
        .filter_map(|o| o.buyer.as_ref().map(|b| b.as_str()))
        .collect();
    buyers.sort_unstable();
    buyers.dedup();
    buyers
}

fn buyer_str(o: &Order) -> Option<&str> {
    o.buyer.as_ref().map(|b| b.as_str())
}

/// Whether `orders` have at least `t` distinct buyers; without allocating for small groups.
fn buyers_at_least(orders: &[&Order], t: usize) -> bool {
    const SMALL: usize = 16;
    if orders.len() > SMALL {
        return distinct_buyers(orders).len() >= t;
    }
    let distinct = (0..orders.len())
        .filter(|&i| {
            let b = buyer_str(orders[i]);
            b.is_some() && orders[..i].iter().all(|o| buyer_str(o) != b)
        })
        .count();
    distinct >= t
}

/// Addresses and phones shared by at least `shared_address_buyers` distinct buyers. A group of
/// orders found by both its address and its phone is listed once.
fn shared_addresses(taken: &[&Order], config: &ReviewConfig, out: &mut Found) {
    let keys = RandomState::new();
    let mut by_address: HashMap<u64, Vec<&Order>> = HashMap::new();
    let mut by_phone: HashMap<&str, Vec<&Order>> = HashMap::new();
    for o in taken {
        let Some(a) = &o.address else { continue };
        if let Some(k) = address_key(a, &keys) {
            by_address.entry(k).or_default().push(o);
        }
        if let Some(p) = a
            .phone_hash
            .as_ref()
            .map(|p| p.as_str())
            .filter(|p| !p.is_empty())
        {
            by_phone.entry(p).or_default().push(o);
        }
    }
    let t = config.shared_address_buyers as usize;
    let mut found: Vec<(&OrderKey, Vec<&Order>, bool)> = Vec::new();
    // One set of orders is one sorted list of their addresses in memory.
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    let groups = by_address.into_values().map(|g| (g, true));
    for (orders, is_address) in groups.chain(by_phone.into_values().map(|g| (g, false))) {
        if orders.len() < t || !buyers_at_least(&orders, t) {
            continue;
        }
        let mut at: Vec<usize> = orders.iter().map(|o| *o as *const Order as usize).collect();
        at.sort_unstable();
        if seen.insert(at) {
            let first = orders
                .iter()
                .map(|o| &o.key)
                .min()
                .expect("a group has orders");
            found.push((first, orders, is_address));
        }
    }
    // Listed by their first order; only the listed ones need sorting.
    let listed = found.len().min(ANOMALIES_PER_KIND_MAX);
    if listed > 0 && listed < found.len() {
        found.select_nth_unstable_by(listed - 1, |a, b| a.0.cmp(b.0));
    }
    found[..listed].sort_unstable_by(|a, b| a.0.cmp(b.0));
    let (head, tail) = found.split_at_mut(listed);
    for (_, orders, is_address) in head.iter_mut().chain(tail.iter_mut()) {
        out.add(AnomalyKind::SharedAddress, || {
            orders.sort_unstable_by(by_key);
            let buyers = distinct_buyers(orders);
            let why = shared_why(orders, buyers.len(), *is_address);
            let buyers = buyers.into_iter().map(str::to_owned).collect();
            Anomaly::new(AnomalyKind::SharedAddress, orders, buyers, why)
        });
    }
}

/// Why a shared address or phone is listed.
fn shared_why(orders: &[&Order], n: usize, is_address: bool) -> (String, String) {
    if !is_address {
        return (
            format!("{n} 个不同买家使用同一手机号:疑似黄牛或刷单"),
            format!("{n} different buyers share one phone number"),
        );
    }
    let first = orders[0].address.as_deref().expect("grouped by address");
    let place = format!(
        "{}{}",
        first.region.as_ref().map_or("", |r| r.as_str()),
        first.detail.as_ref().map_or("", |d| d.as_str())
    );
    (
        format!("{n} 个不同买家使用同一收货地址({place}):疑似黄牛或刷单"),
        format!("{n} different buyers ship to one address ({place})"),
    )
}

/// What is wrong with a paid order's address, if anything: missing, no region, or a detail too
/// short or with no letter, digit or character in it.
fn address_fault(a: Option<&Address>, detail_min: i64) -> Option<(String, String)> {
    let Some(a) = a else {
        return Some((
            "已付款订单没有收货地址".to_owned(),
            "a paid order has no address".to_owned(),
        ));
    };
    let region = a.region.as_ref().map_or("", |r| r.as_str()).trim();
    let detail = a.detail.as_ref().map_or("", |d| d.as_str()).trim();
    if region.is_empty() {
        return Some((
            "收货地址缺少省市".to_owned(),
            "the address has no region".to_owned(),
        ));
    }
    let chars = detail.chars().filter(|c| !c.is_whitespace()).count() as i64;
    if chars < detail_min || !detail.chars().any(char::is_alphanumeric) {
        return Some((
            format!("详细地址过短或无效:“{detail}”"),
            format!("the detailed address is too short or not an address: \"{detail}\""),
        ));
    }
    None
}

/// A refund at most `minutes` after the payment.
fn quick_refund(o: &Order, minutes: f64) -> Option<(String, String)> {
    let refunded = matches!(o.state, Some(OrderState::Refunded | OrderState::Returned));
    let (paid, back) = (o.paid_ms?, o.refunded_ms?);
    let after_ms = back - paid;
    if !refunded || after_ms < 0 || after_ms as f64 > minutes * 60_000.0 {
        return None;
    }
    let m = (after_ms as f64 / 6_000.0).round() / 10.0;
    Some((
        format!("付款后 {m} 分钟即退款(阈值 {minutes} 分钟):疑似黄牛"),
        format!("refunded {m} min after payment (threshold {minutes} min): a scalper?"),
    ))
}
