//! The checks every configured number passes before the server starts: finite, within its range,
//! the tiers in order. Each error names the key at fault, as the config file spells it.

use crate::domain::alerts::Thresholds;
use crate::domain::checks::anomalies::ReviewConfig;

/// What a threshold may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Bound {
    /// A percentage: 0 to 100.
    Percent,
    /// A factor, a rate, minutes or days: above 0.
    Positive,
    /// An age: 0 (at once) or more.
    NonNegative,
}

/// Every threshold with its bound, by its key in `[alerts.shop]` and `[alerts.categories.NAME]`.
pub(super) fn threshold_bounds(t: &Thresholds) -> [(&'static str, f64, Bound); 16] {
    use Bound::{NonNegative, Percent, Positive};
    [
        ("level1_pct", t.level1_pct, Percent),
        ("level2_pct", t.level2_pct, Percent),
        ("level3_pct", t.level3_pct, Percent),
        ("sellout_minutes", t.sellout_minutes, Positive),
        ("sellout_level3_minutes", t.sellout_level3_minutes, Positive),
        ("sell_through_pct", t.sell_through_pct, Percent),
        ("movement_rate_pct", t.movement_rate_pct, Percent),
        (
            "movement_window_minutes",
            t.movement_window_minutes,
            Positive,
        ),
        ("turnover_days", t.turnover_days, Positive),
        (
            "turnover_min_age_days",
            t.turnover_min_age_days,
            NonNegative,
        ),
        ("surge_factor", t.surge_factor, Positive),
        ("slow_mover_days", t.slow_mover_days, Positive),
        ("fading_pct", t.fading_pct, Percent),
        (
            "fading_peak_min_per_min",
            t.fading_peak_min_per_min,
            Positive,
        ),
        ("fading_rearm_pct", t.fading_rearm_pct, Percent),
        ("hysteresis_pct", t.hysteresis_pct, Percent),
    ]
}

/// Checks one table of thresholds, naming the first bad key as `TABLE.KEY`: every value finite
/// and within its bound (an infinite one would be journaled with the warnings it fires, and JSON
/// cannot hold it), the stock tiers in order, and a fading hit re-arming above its line.
pub(super) fn check_thresholds(table: &str, t: &Thresholds) -> Result<(), String> {
    for (key, value, bound) in threshold_bounds(t) {
        let key = format!("{table}.{key}");
        check_finite(&key, value)?;
        let fits = match bound {
            Bound::Percent => (0.0..=100.0).contains(&value),
            Bound::Positive => value > 0.0,
            Bound::NonNegative => value >= 0.0,
        };
        if !fits {
            let want = match bound {
                Bound::Percent => "between 0 and 100 (a percentage)",
                Bound::Positive => "above 0",
                Bound::NonNegative => "at least 0",
            };
            return Err(format!("{key}: must be {want}, got {value}"));
        }
    }
    let in_order = [
        ("level2_pct", t.level2_pct, "level1_pct", t.level1_pct),
        ("level3_pct", t.level3_pct, "level2_pct", t.level2_pct),
    ];
    for (key, value, above, limit) in in_order {
        if value > limit {
            return Err(format!(
                "{table}.{key}: must be at most {above} ({limit}): the tiers go level3_pct ≤ \
                 level2_pct ≤ level1_pct; got {value}"
            ));
        }
    }
    if t.sellout_level3_minutes > t.sellout_minutes {
        return Err(format!(
            "{table}.sellout_level3_minutes: must be at most sellout_minutes ({}): level 3 is the \
             nearer sell-out; got {}",
            t.sellout_minutes, t.sellout_level3_minutes
        ));
    }
    if t.fading_rearm_pct < t.fading_pct {
        return Err(format!(
            "{table}.fading_rearm_pct: must be at least fading_pct ({}), or a fading hit would \
             re-arm before it faded; got {}",
            t.fading_pct, t.fading_rearm_pct
        ));
    }
    Ok(())
}

pub(super) fn check_finite(key: &str, value: f64) -> Result<(), String> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(format!("{key}: must be finite, got {value}"))
    }
}

/// `key` when it is set, else `default`, refused unless within `min..=max` (`unit` says of what).
pub(super) fn int_in_range(
    key: &str,
    value: Option<i64>,
    default: i64,
    (min, max): (i64, i64),
    unit: &str,
) -> Result<i64, String> {
    let value = value.unwrap_or(default);
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{key}: must be between {min} and {max} {unit}, got {value}"
        ))
    }
}

/// The most of any count threshold of the review (units, orders, buyers).
const REVIEW_COUNT_MAX: i64 = 1_000_000;
/// The longest "quick" refund, in minutes: a week.
const QUICK_REFUND_MINUTES_MAX: f64 = 7.0 * 24.0 * 60.0;
/// The longest minimum of a detailed address, in characters (a `Note` holds 500).
const ADDRESS_DETAIL_CHARS_MAX: i64 = 500;

/// Checks `[review]`, naming the first bad key as `review.KEY`.
pub(super) fn check_review(r: &ReviewConfig) -> Result<(), String> {
    let counts = [
        ("bulk_order_units", r.bulk_order_units, 1, "units"),
        (
            "many_orders_per_buyer",
            r.many_orders_per_buyer,
            1,
            "orders",
        ),
        (
            "shared_address_buyers",
            r.shared_address_buyers,
            2,
            "buyers",
        ),
        (
            "address_detail_chars_min",
            r.address_detail_chars_min,
            0,
            "characters",
        ),
    ];
    for (key, value, min, unit) in counts {
        let max = if key == "address_detail_chars_min" {
            ADDRESS_DETAIL_CHARS_MAX
        } else {
            REVIEW_COUNT_MAX
        };
        int_in_range(
            &format!("review.{key}"),
            Some(value),
            value,
            (min, max),
            unit,
        )?;
    }
    let minutes = r.quick_refund_minutes;
    check_finite("review.quick_refund_minutes", minutes)?;
    if !(minutes > 0.0 && minutes <= QUICK_REFUND_MINUTES_MAX) {
        return Err(format!(
            "review.quick_refund_minutes: must be above 0 and at most {QUICK_REFUND_MINUTES_MAX} \
             (a week), got {minutes}"
        ));
    }
    Ok(())
}

/// The shop's zone: an IANA name the bundled tz database knows (`Asia/Shanghai`), not an offset,
/// so that a zone with summer time cuts its days right all year.
pub(super) fn check_timezone(name: &str) -> Result<jiff::tz::TimeZone, String> {
    let known = !name.is_empty() && name.trim() == name;
    match known.then(|| jiff::tz::db().get(name)) {
        Some(Ok(tz)) => Ok(tz),
        _ => Err(format!(
            "timezone: must be an IANA time zone name such as Asia/Shanghai, got {name:?}"
        )),
    }
}

/// An RFC 3339 instant (`2026-11-24T23:50:00+08:00`), as ms since the epoch.
pub(super) fn check_clock_start(text: &str) -> Result<i64, String> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_millisecond())
        .map_err(|e| {
            format!("clock_start: must be an RFC 3339 instant such as 2026-11-24T23:50:00+08:00, got {text:?} ({e})")
        })
}

/// A listening address is `HOST:PORT` with a port from 0 (any free one) to 65535.
pub(super) fn check_listen(listen: &str) -> Result<(), String> {
    let port = listen
        .rsplit_once(':')
        .and_then(|(host, port)| (!host.is_empty()).then_some(port)?.parse::<u16>().ok());
    match port {
        Some(_) => Ok(()),
        None => Err(format!(
            "listen: must be HOST:PORT with a port from 0 to 65535, got {listen:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_threshold_has_a_bound() {
        let keys: Vec<String> = toml::Table::try_from(Thresholds::default())
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut bounded: Vec<String> = threshold_bounds(&Thresholds::default())
            .iter()
            .map(|(k, _, _)| (*k).to_owned())
            .collect();
        bounded.sort();
        assert_eq!(keys, bounded);
    }

    #[test]
    fn the_review_thresholds_default_and_are_refused_out_of_range_naming_the_key() {
        check_review(&ReviewConfig::default()).unwrap();
        let read = |t: &str| toml::from_str::<ReviewConfig>(t).unwrap();
        let set = read("bulk_order_units = 50\nquick_refund_minutes = 2.5\n");
        assert_eq!((set.bulk_order_units, set.quick_refund_minutes), (50, 2.5));
        assert_eq!(
            set.many_orders_per_buyer,
            ReviewConfig::default().many_orders_per_buyer
        );
        for (toml_text, start) in [
            (
                "bulk_order_units = 0",
                "review.bulk_order_units: must be between 1 and",
            ),
            (
                "many_orders_per_buyer = -2",
                "review.many_orders_per_buyer: must be between 1 and",
            ),
            (
                "shared_address_buyers = 1",
                "review.shared_address_buyers: must be between 2 and",
            ),
            (
                "address_detail_chars_min = 501",
                "review.address_detail_chars_min: must be between 0 and",
            ),
            (
                "quick_refund_minutes = inf",
                "review.quick_refund_minutes: must be finite, got inf",
            ),
            (
                "quick_refund_minutes = nan",
                "review.quick_refund_minutes: must be finite",
            ),
            (
                "quick_refund_minutes = 0",
                "review.quick_refund_minutes: must be above 0 and at most",
            ),
            (
                "quick_refund_minutes = 100000",
                "review.quick_refund_minutes: must be above 0 and at most",
            ),
        ] {
            let err = check_review(&read(toml_text)).expect_err(toml_text);
            assert!(err.starts_with(start), "{toml_text}: {err}");
        }
    }
}

/// `[websocket]`: `connections_max`, `connections_per_token_max`, `messages_per_second` and
/// `message_burst`; a key left out keeps its default (`web::ws::limits`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileWebSocket {
    connections_max: Option<i64>,
    connections_per_token_max: Option<i64>,
    messages_per_second: Option<i64>,
    message_burst: Option<i64>,
}

/// The most of any `[websocket]` count: far past what one process can hold.
const WEBSOCKET_COUNT_MAX: i64 = 1_000_000;

impl FileWebSocket {
    /// The limits, each key checked and named as `websocket.KEY` when out of range.
    pub(super) fn resolve(self) -> Result<crate::web::ws::limits::WsLimits, String> {
        use crate::web::ws::limits::WsLimits;
        let d = WsLimits::default();
        let count = |key: &str, value: Option<i64>, default: i64, unit: &str| {
            let key = format!("websocket.{key}");
            int_in_range(&key, value, default, (1, WEBSOCKET_COUNT_MAX), unit)
        };
        let total = count(
            "connections_max",
            self.connections_max,
            d.connections_max as i64,
            "connections",
        )?;
        let per_token = count(
            "connections_per_token_max",
            self.connections_per_token_max,
            d.per_token_max as i64,
            "connections",
        )?;
        let rate = count(
            "messages_per_second",
            self.messages_per_second,
            d.messages_per_second.into(),
            "messages per second",
        )?;
        let burst = count(
            "message_burst",
            self.message_burst,
            d.message_burst.into(),
            "messages",
        )?;
        Ok(WsLimits {
            connections_max: total as usize,
            per_token_max: per_token as usize,
            messages_per_second: rate as u32,
            message_burst: burst as u32,
            ..d
        })
    }
}
