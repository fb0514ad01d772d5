//! The channels' stock sync, as the demo plays it: once a second every channel reads the one
//! available number per SKU and reports back what its shop page displays. Between
//! [`STUCK_FROM`] and [`STUCK_UNTIL`] of the show one channel's sync is stuck: its page keeps
//! showing the numbers it had, the board's amber notice names it, and it recovers by itself.

use super::Tokens;
use super::catalog::CHANNELS;
use super::summary::say;
use crate::tools::client::Client;
use reqwest::Method;
use serde_json::{Value, json};

/// The channel whose sync gets stuck for a while.
pub(super) const STUCK_CHANNEL: &str = "taobao";
/// When its sync sticks and recovers, as shares of the show.
pub(super) const STUCK_FROM: f64 = 0.30;
pub(super) const STUCK_UNTIL: f64 = 0.38;

/// What the channels displayed last, for the one that gets stuck.
#[derive(Default)]
pub(super) struct ChannelSync {
    frozen: Option<Value>,
}

impl ChannelSync {
    /// One round: read the availability, report each channel's displayed numbers.
    pub(super) async fn round(
        &mut self,
        api: &Client,
        tokens: &Tokens,
        t_ms: i64,
        show_ms: i64,
    ) -> Result<(), String> {
        let now = t_ms as f64 / show_ms.max(1) as f64;
        let stuck = (STUCK_FROM..STUCK_UNTIL).contains(&now);
        let path = format!("/api/v1/channels/{}/availability", CHANNELS[0].name);
        let availability = api
            .ok(Method::GET, &path, Some(&tokens.ingest), None)
            .await?;
        let fresh: Vec<Value> = availability["skus"]
            .as_array()
            .map(|skus| {
                skus.iter()
                    .map(|s| json!({"sku": s["sku"], "displayed": s["available"]}))
                    .collect()
            })
            .unwrap_or_default();
        if fresh.is_empty() {
            return Ok(());
        }
        let fresh = Value::Array(fresh);
        match (stuck, self.frozen.is_some()) {
            (true, false) => {
                self.frozen = Some(fresh.clone());
                say(
                    t_ms,
                    &format!(
                        "{STUCK_CHANNEL}: its stock sync is stuck, the shop page keeps old numbers \
                         (the board names it in amber)"
                    ),
                );
            }
            (false, true) => {
                self.frozen = None;
                say(t_ms, &format!("{STUCK_CHANNEL}: stock sync recovered"));
            }
            _ => {}
        }
        for channel in &CHANNELS {
            let shown = match &self.frozen {
                Some(old) if channel.name == STUCK_CHANNEL => old,
                _ => &fresh,
            };
            let path = format!("/api/v1/channels/{}/displayed", channel.name);
            api.ok(Method::POST, &path, Some(&tokens.ingest), Some(shown))
                .await?;
        }
        Ok(())
    }
}
