//! The demo's second live room (API.md "Rooms"): while 主播小雅 runs the main lineup in the Douyin
//! flagship room (`main`, which also takes the shop's Taobao, JD and Pinduoduo orders), 主播阿强
//! streams on Kuaishou (`ks`) with a lineup of his own that shares the hero hoodie, from the same
//! pool. Most Kuaishou buyers buy what 阿强 has on air; his viewers are about a third of hers.

use super::catalog::{CATALOG, HERO};
use super::rng::Rng;
use crate::tools::client::Client;
use reqwest::Method;
use serde_json::{Value, json};

/// The Douyin flagship room: the default room, renamed.
pub(super) const MAIN_NAME: &str = "抖音官方旗舰店 · 主播小雅";
/// The Kuaishou room.
pub(super) const KS_ROOM: &str = "ks";
pub(super) const KS_NAME: &str = "快手直播间 · 主播阿强";
pub(super) const KS_CHANNEL: &str = "kuaishou";
/// 阿强's run of show: `(sku, planned units per show-minute)`, equal slots over the show.
pub(super) const KS_LINEUP: [(&str, i64); 4] = [
    ("JEANS-STR-29", 40),
    (HERO, 90),
    ("DOWN-VEST-M", 30),
    ("THERMOS-500", 40),
];
/// The share of Kuaishou orders for the product on air in the Kuaishou room.
pub(super) const KS_ON_AIR_SHARE: f64 = 0.75;
/// The Kuaishou room's viewers as a share of the Douyin room's.
pub(super) const KS_VIEWERS_SHARE: f64 = 0.35;

/// Names `main` as the Douyin room and creates the Kuaishou room with its planned show.
pub(super) async fn plan(
    api: &Client,
    operator: &str,
    start_ms: i64,
    show_ms: i64,
) -> Result<(), String> {
    let main = json!({"room": "main", "name": MAIN_NAME});
    api.ok(Method::POST, "/api/v1/rooms", Some(operator), Some(&main))
        .await?;
    let ks = json!({"room": KS_ROOM, "name": KS_NAME, "channel": KS_CHANNEL});
    api.ok(Method::POST, "/api/v1/rooms", Some(operator), Some(&ks))
        .await?;
    let slot_ms = show_ms / KS_LINEUP.len() as i64;
    let lineup: Vec<Value> = KS_LINEUP
        .iter()
        .enumerate()
        .map(|(i, (sku, rate))| {
            let at = start_ms + i as i64 * slot_ms;
            json!({"sku": sku, "planned_start": crate::domain::types::format_rfc3339(at),
                   "planned_rate_per_min": rate})
        })
        .collect();
    let end = crate::domain::types::format_rfc3339(start_ms + show_ms);
    let show = json!({"title": "阿强的冬季宠粉夜", "lineup": lineup, "planned_end": end});
    let path = format!("/api/v1/rooms/{KS_ROOM}/show");
    api.ok(Method::POST, &path, Some(operator), Some(&show))
        .await?;
    Ok(())
}

/// The Kuaishou room's slot on air at show time `t_ms`.
pub(super) fn ks_slot(t_ms: i64, show_ms: i64) -> usize {
    let slot_ms = (show_ms / KS_LINEUP.len() as i64).max(1);
    ((t_ms / slot_ms) as usize).min(KS_LINEUP.len() - 1)
}

/// The catalog index of the product on air in the Kuaishou room at `t_ms`.
pub(super) fn ks_on_air(t_ms: i64, show_ms: i64) -> usize {
    let sku = KS_LINEUP[ks_slot(t_ms, show_ms)].0;
    CATALOG
        .iter()
        .position(|p| p.sku == sku)
        .expect("the Kuaishou lineup is in the catalog")
}

/// Starts, steers and ends the Kuaishou room's show through its own endpoints.
pub(super) async fn call(
    api: &Client,
    token: &str,
    what: &str,
    body: Option<&Value>,
) -> Result<(), String> {
    let path = format!("/api/v1/rooms/{KS_ROOM}/show{what}");
    let method = if what == "/current" {
        Method::PUT
    } else {
        Method::POST
    };
    api.ok(method, &path, Some(token), body).await.map(|_| ())
}

/// The Kuaishou room's online viewers for the Douyin room's `online`.
pub(super) fn ks_viewers(online: i64, rng: &mut Rng) -> i64 {
    let noisy = online as f64 * KS_VIEWERS_SHARE * (1.0 + 0.02 * rng.gauss());
    noisy.round().max(0.0) as i64
}
