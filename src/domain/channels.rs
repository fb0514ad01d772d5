//! Channel sync (SPEC A7): every channel is offered the same available number, and each reports
//! back what it displays. A channel showing more than the pool has is how a shop oversells on one
//! platform while another is sold out; a channel showing less leaves sales on the table. This room
//! keeps what each channel last said it displays, and tells when that differs from the pool and
//! since when.
//!
//! What a channel displays is an observation from outside, not a change to the stock book: it is
//! kept in memory, not journaled (a channel reports again within a second, and after a restart the
//! first report restores the picture).

use super::types::SkuCode;
use serde::Serialize;
use std::collections::BTreeMap;

/// The most channels tracked at once (Douyin, Kuaishou, Taobao, JD and a few more fit many times).
pub const CHANNELS_MAX: usize = 64;
/// A difference younger than this is a channel between two polls, not a mismatch worth a warning.
pub const MISMATCH_GRACE_MS: i64 = 3_000;

/// What one channel last said it displays for one SKU.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Displayed {
    displayed: i64,
    reported_ms: i64,
    /// When the displayed number was first seen to differ from the pool's available one, while it
    /// still does; `None` while they agree.
    differs_since_ms: Option<i64>,
}

/// A channel showing a number other than the pool's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub channel: String,
    pub sku: SkuCode,
    pub displayed: i64,
    pub available: i64,
    /// When the difference was first seen (epoch ms).
    pub since_ms: i64,
    /// When the channel last reported (epoch ms).
    pub reported_ms: i64,
}

impl Mismatch {
    /// Whether it has lasted past [`MISMATCH_GRACE_MS`] at `now_ms`.
    pub fn lasting(&self, now_ms: i64) -> bool {
        now_ms - self.since_ms >= MISMATCH_GRACE_MS
    }
}

/// Refused: the report would track more than [`CHANNELS_MAX`] channels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooManyChannels;

/// What every channel last said it displays, per SKU.
#[derive(Clone, Debug, Default)]
pub struct ChannelDisplays {
    by: BTreeMap<(String, SkuCode), Displayed>,
}

impl ChannelDisplays {
    /// Records that `channel` displays `displayed` units of `sku` at `now_ms`, when the pool has
    /// `available`.
    pub fn report(
        &mut self,
        channel: &str,
        sku: &SkuCode,
        displayed: i64,
        available: i64,
        now_ms: i64,
    ) -> Result<(), TooManyChannels> {
        if !self.by.keys().any(|(c, _)| c == channel) && self.channels().len() >= CHANNELS_MAX {
            return Err(TooManyChannels);
        }
        let entry = self
            .by
            .entry((channel.to_owned(), sku.clone()))
            .or_insert(Displayed {
                displayed,
                reported_ms: now_ms,
                differs_since_ms: None,
            });
        if entry.displayed != displayed {
            // A new number: any difference starts afresh.
            entry.differs_since_ms = None;
        }
        entry.displayed = displayed;
        entry.reported_ms = entry.reported_ms.max(now_ms);
        observe(entry, available, now_ms);
        Ok(())
    }

    /// Every (channel, SKU) whose displayed number differs from `available` now, oldest first.
    /// Reports for SKUs the pool no longer knows are dropped.
    pub fn mismatches(
        &mut self,
        available: impl Fn(&SkuCode) -> Option<i64>,
        now_ms: i64,
    ) -> Vec<Mismatch> {
        self.by.retain(|(_, sku), _| available(sku).is_some());
        let mut out: Vec<Mismatch> = self
            .by
            .iter_mut()
            .filter_map(|((channel, sku), d)| {
                let available = available(sku)?;
                observe(d, available, now_ms);
                Some(Mismatch {
                    channel: channel.clone(),
                    sku: sku.clone(),
                    displayed: d.displayed,
                    available,
                    since_ms: d.differs_since_ms?,
                    reported_ms: d.reported_ms,
                })
            })
            .collect();
        out.sort_by(|a, b| (a.since_ms, &a.channel, &a.sku).cmp(&(b.since_ms, &b.channel, &b.sku)));
        out
    }

    /// The channels that have reported, by name.
    pub fn channels(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.by.keys().map(|(c, _)| c.as_str()).collect();
        names.dedup();
        names
    }
}

/// Notes whether `d` agrees with `available` at `now_ms`.
fn observe(d: &mut Displayed, available: i64, now_ms: i64) {
    if d.displayed == available {
        d.differs_since_ms = None;
    } else if d.differs_since_ms.is_none() {
        d.differs_since_ms = Some(now_ms);
    }
}

/// A channel's name for a Chinese reader (the known platforms; others as they are).
pub fn channel_name_zh(channel: &str) -> &str {
    match channel {
        "douyin" => "抖音",
        "kuaishou" => "快手",
        "taobao" => "淘宝",
        "tmall" => "天猫",
        "jd" => "京东",
        "pdd" | "pinduoduo" => "拼多多",
        "xiaohongshu" => "小红书",
        "weixin" | "wechat" => "视频号",
        "offline" => "线下",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku(code: &str) -> SkuCode {
        SkuCode::parse(code).unwrap()
    }

    #[test]
    fn a_channel_showing_the_pools_number_is_no_mismatch_and_one_showing_more_is_since_its_report()
    {
        let mut d = ChannelDisplays::default();
        d.report("douyin", &sku("HOODIE"), 500, 500, 1_000).unwrap();
        d.report("kuaishou", &sku("HOODIE"), 520, 500, 2_000)
            .unwrap();
        let m = d.mismatches(|_| Some(500), 5_000);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].channel.as_str(), m[0].displayed, m[0].available),
            ("kuaishou", 520, 500)
        );
        assert_eq!(m[0].since_ms, 2_000);
        assert!(m[0].lasting(5_000));
        assert!(!m[0].lasting(4_999));
    }

    #[test]
    fn a_sale_after_a_report_opens_a_mismatch_from_when_it_is_seen_and_a_new_report_closes_it() {
        let mut d = ChannelDisplays::default();
        d.report("douyin", &sku("HOODIE"), 500, 500, 1_000).unwrap();
        assert!(d.mismatches(|_| Some(500), 2_000).is_empty());
        let m = d.mismatches(|_| Some(498), 3_000);
        assert_eq!(m[0].since_ms, 3_000, "first seen at the read");
        assert_eq!(
            d.mismatches(|_| Some(498), 9_000)[0].since_ms,
            3_000,
            "still since then"
        );
        d.report("douyin", &sku("HOODIE"), 498, 498, 9_500).unwrap();
        assert!(d.mismatches(|_| Some(498), 10_000).is_empty());
    }

    #[test]
    fn a_changed_displayed_number_starts_its_difference_afresh() {
        let mut d = ChannelDisplays::default();
        d.report("jd", &sku("CAP"), 10, 5, 1_000).unwrap();
        d.report("jd", &sku("CAP"), 9, 5, 4_000).unwrap();
        assert_eq!(d.mismatches(|_| Some(5), 4_500)[0].since_ms, 4_000);
    }

    #[test]
    fn reports_for_a_sku_the_pool_no_longer_knows_are_dropped() {
        let mut d = ChannelDisplays::default();
        d.report("jd", &sku("CAP"), 10, 5, 1_000).unwrap();
        assert!(d.mismatches(|_| None, 2_000).is_empty());
        assert!(d.channels().is_empty());
    }

    #[test]
    fn past_the_channel_cap_a_new_channel_is_refused_and_a_known_one_still_reports() {
        let mut d = ChannelDisplays::default();
        for i in 0..CHANNELS_MAX {
            d.report(&format!("c{i:02}"), &sku("CAP"), 1, 1, 0).unwrap();
        }
        assert_eq!(
            d.report("one-more", &sku("CAP"), 1, 1, 0),
            Err(TooManyChannels)
        );
        assert_eq!(d.report("c00", &sku("CAP"), 2, 1, 0), Ok(()));
        assert_eq!(d.channels().len(), CHANNELS_MAX);
    }
}
