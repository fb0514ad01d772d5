//! Signed channel pushes (API.md "Channels"): a channel with a secret signs each
//! `POST /api/v1/orders` with `X-Livestock-Signature: t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret,
//! t + "." + body))`. The server checks the raw body before it parses a single event: a missing,
//! malformed, stale, future or wrong signature is 401 `bad_signature` and changes nothing.
//!
//! A batch is signed once, so it may hold the events of at most one channel that has a secret
//! (with any number of events of channels that have none); a batch mixing two signed channels
//! cannot be signed by both and is refused the same way.

use super::error::ApiError;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;

/// The header that carries a push's signature.
pub const SIGNATURE_HEADER: &str = "X-Livestock-Signature";
/// How far a signature's `t` may be from the server's clock, either way, unless configured.
pub const TOLERANCE_SECS_DEFAULT: i64 = 300;
/// The widest tolerance the config takes, in seconds (a day).
pub const TOLERANCE_SECS_MAX: i64 = 24 * 3600;
/// The environment variable of a channel's secret is this plus the channel's name upper-cased.
pub const SECRET_ENV_PREFIX: &str = "LIVESTOCK_CHANNEL_SECRET_";

/// The channels' secrets and the tolerance window. Its `Debug` names the channels, never a secret.
#[derive(Clone)]
pub struct Signatures {
    /// Keyed by [`channel_key`]: `Douyin` and ` douyin` must sign as `douyin` does.
    secrets: BTreeMap<String, Vec<u8>>,
    tolerance_secs: i64,
}

impl Default for Signatures {
    fn default() -> Self {
        Signatures {
            secrets: BTreeMap::new(),
            tolerance_secs: TOLERANCE_SECS_DEFAULT,
        }
    }
}

impl std::fmt::Debug for Signatures {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_struct("Signatures")
            .field("channels", &self.secrets.keys().collect::<Vec<_>>())
            .field("tolerance_secs", &self.tolerance_secs)
            .finish()
    }
}

/// The name a channel's secret is kept under: trimmed and lower-cased, so no spelling of a signed
/// channel's name slips past its secret.
pub fn channel_key(channel: &str) -> String {
    channel.trim().to_lowercase()
}

/// The header value for `body` signed with `secret` at `t` (for channels' tools and the tests).
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    let mac = mac_of(secret, &t.to_string(), body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn mac_of(secret: &[u8], t: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn bad_signature(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", message).with_field(SIGNATURE_HEADER)
}

/// The header's parts: `t` as sent (it is what was signed) and every `v1` (several while a
/// secret is being rotated). Other keys are ignored, for later schemes.
fn parse_header(value: &str) -> Result<(&str, i64, Vec<Vec<u8>>), String> {
    let (mut t, mut v1) = (None, Vec::new());
    for part in value.split(',') {
        let (key, val) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("{part:?} is not key=value"))?;
        match key {
            "t" if t.is_some() => return Err("t is given twice".to_owned()),
            "t" => t = Some(val),
            "v1" => {
                let mac = hex::decode(val)
                    .ok()
                    .filter(|m| m.len() == 32)
                    .ok_or("v1 must be 64 hex digits (HMAC-SHA256)")?;
                v1.push(mac);
            }
            _ => {}
        }
    }
    let t = t.ok_or("t=UNIX_SECONDS is missing")?;
    let secs = Some(t)
        .filter(|t| !t.is_empty() && t.len() <= 12 && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or_else(|| format!("t must be whole seconds since 1970, got {t:?}"))?;
    if v1.is_empty() {
        return Err("v1=HEX is missing".to_owned());
    }
    Ok((t, secs, v1))
}

impl Signatures {
    /// `secrets` keyed by [`channel_key`], checked non-empty by the config.
    pub fn new(secrets: BTreeMap<String, String>, tolerance_secs: i64) -> Self {
        Signatures {
            secrets: secrets
                .into_iter()
                .map(|(channel, secret)| (channel, secret.into_bytes()))
                .collect(),
            tolerance_secs,
        }
    }

    /// Whether no channel has a secret: then no push is checked.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn tolerance_secs(&self) -> i64 {
        self.tolerance_secs
    }

    /// Checks the signature of a push whose events name `channels`, against `body` as received
    /// and the server's clock `now_secs`. Pushes naming no signed channel pass unchecked.
    pub fn verify<'a>(
        &self,
        channels: impl IntoIterator<Item = &'a str>,
        headers: &HeaderMap,
        body: &[u8],
        now_secs: i64,
    ) -> Result<(), ApiError> {
        let mut signed: Vec<(String, &[u8])> = Vec::new();
        for channel in channels {
            let key = channel_key(channel);
            if let Some(secret) = self.secrets.get(&key)
                && !signed.iter().any(|(k, _)| *k == key)
            {
                signed.push((key, secret));
            }
        }
        let (channel, secret) = match signed.as_slice() {
            [] => return Ok(()),
            [one] => one,
            [a, b, ..] => {
                return Err(bad_signature(format!(
                    "the push holds events of {} and {}, which sign with different secrets: \
                     send each signed channel's events in its own request",
                    a.0, b.0
                )));
            }
        };
        let value = headers.get(SIGNATURE_HEADER).ok_or_else(|| {
            bad_signature(format!(
                "{channel} signs its pushes: {SIGNATURE_HEADER}: t=UNIX_SECONDS,v1=HEX is missing"
            ))
        })?;
        let value = value
            .to_str()
            .map_err(|_| bad_signature(format!("{SIGNATURE_HEADER} is not ASCII")))?;
        let (t, secs, macs) = parse_header(value)
            .map_err(|e| bad_signature(format!("{SIGNATURE_HEADER} is malformed: {e}")))?;
        let skew = now_secs.abs_diff(secs);
        if skew > self.tolerance_secs.unsigned_abs() {
            let when = if secs < now_secs { "old" } else { "ahead" };
            return Err(bad_signature(format!(
                "the signature's t is {skew} s {when}; the window is {} s either way",
                self.tolerance_secs
            )));
        }
        let mac = mac_of(secret, t, body);
        if macs.iter().any(|m| mac.clone().verify_slice(m).is_ok()) {
            return Ok(());
        }
        Err(bad_signature(format!(
            "the signature does not match the body and {channel}'s secret"
        )))
    }
}

/// The channels a push names, read from the raw body without parsing the events: `None` when the
/// body is not a JSON object or array of objects with string channels (the full parse then says
/// what is wrong).
pub fn channels_of(body: &[u8]) -> Option<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct ChannelOf {
        #[serde(default)]
        channel: Option<String>,
    }
    let events: Vec<ChannelOf> = match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => serde_json::from_slice(body).ok()?,
        Some(b'{') => vec![serde_json::from_slice(body).ok()?],
        _ => return None,
    };
    Some(events.into_iter().filter_map(|e| e.channel).collect())
}

/// The wall clock in seconds: signatures are made on the channels' clocks, never the server's
/// (possibly fast-forwarded) show clock.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
