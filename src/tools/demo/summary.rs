//! What the demo prints: the show log's lines, the totals at the end and the machine-readable
//! `summary:` line, with numbers as a Chinese shop reads them (¥1,234.56, 1,234,567).

use super::Tokens;
use super::catalog::{CATALOG, HERO};
use super::crowd::Sim;
use crate::tools::client::Client;
use reqwest::Method;
use std::collections::BTreeMap;

/// Prints the show's totals and a machine-readable `summary:` line.
pub(super) async fn summarize(api: &Client, tokens: &Tokens, sim: &Sim) -> Result<(), String> {
    let show = api
        .ok(Method::GET, "/api/v1/show", Some(&tokens.viewer), None)
        .await?;
    let views = api
        .ok(Method::GET, "/api/v1/skus", Some(&tokens.viewer), None)
        .await?;
    let gmv = show["gmv_cents"].as_i64().unwrap_or(0);
    let orders = show["orders"].as_i64().unwrap_or(0);
    let units = show["units"].as_i64().unwrap_or(0);
    let peak = show["peak_viewers"].as_i64().unwrap_or(0);
    let s = &sim.stats;
    let count = |kind: &str| thousands(*s.accepted_by_kind.get(kind).unwrap_or(&0) as i64);
    let rejected: u64 = s.rejected.values().sum();
    let reasons: Vec<String> = s
        .rejected
        .iter()
        .map(|(r, n)| format!("{r} {}", thousands(*n as i64)))
        .collect();
    println!();
    println!("The show is over.");
    println!("  GMV          {} (paid minus refunded)", yuan(gmv));
    println!("  orders       {}", thousands(orders));
    println!("  units        {}", thousands(units));
    println!("  peak         {} viewers", thousands(peak));
    println!(
        "  events       {} posted: {} accepted, {} rejected ({}), {} duplicate channel retries",
        thousands(s.posted as i64),
        thousands(s.accepted as i64),
        thousands(rejected as i64),
        reasons.join(", "),
        thousands(s.duplicate as i64)
    );
    println!(
        "  lifecycle    {} created, {} paid, {} cancelled, {} left unpaid to lapse, {} refunded, {} shipped",
        count("created"),
        count("paid"),
        count("cancelled"),
        thousands(s.abandoned as i64),
        count("refunded"),
        count("shipped")
    );
    let mut sold_out = Vec::new();
    let mut low = Vec::new();
    for view in views.as_array().map(Vec::as_slice).unwrap_or_default() {
        let Some(&i) = view["sku"].as_str().and_then(|c| sim.by_sku.get(c)) else {
            continue;
        };
        let p = &CATALOG[i];
        if let Some(at) = sim.sold_out_at[i] {
            let sold = view["sold_units"].as_i64().unwrap_or(0);
            let turned_away = if p.sku == HERO {
                format!(
                    ", {} orders turned away instead of oversold",
                    thousands(sim.stats.hero_turned_away as i64)
                )
            } else {
                String::new()
            };
            println!(
                "  sold out     {} ({}) at {}: {} sold{turned_away}",
                p.name,
                p.sku,
                clock(at),
                thousands(sold)
            );
            sold_out.push(p.sku);
        } else if view["level"].as_u64().unwrap_or(0) > 0 {
            low.push(format!(
                "{} {} left (level {})",
                p.name,
                thousands(view["available"].as_i64().unwrap_or(0)),
                view["level"]
            ));
        }
    }
    if !low.is_empty() {
        println!("  low stock    {}", low.join("; "));
    }
    let alerts = api
        .ok(Method::GET, "/api/v1/alerts", Some(&tokens.viewer), None)
        .await?;
    let mut fired: BTreeMap<&str, u64> = BTreeMap::new();
    for alert in alerts["alerts"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        *fired
            .entry(alert["kind"].as_str().unwrap_or("?"))
            .or_default() += 1;
    }
    let fired: Vec<(String, String)> = fired
        .iter()
        .map(|(kind, n)| (format!("{kind} {n}"), format!("{kind}:{n}")))
        .collect();
    let (said, keyed): (Vec<String>, Vec<String>) = fired.into_iter().unzip();
    println!("  warnings     {}", said.join(", "));
    println!(
        "summary: gmv_cents={gmv} orders={orders} units={units} peak_viewers={peak} sold_out={} warnings={}",
        sold_out.join(","),
        keyed.join(",")
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/// Prints one line of the show's log, stamped with the show clock.
pub(super) fn say(t_ms: i64, text: &str) {
    println!("[{}] {text}", clock(t_ms));
}

/// Show time as `mm:ss`.
pub(super) fn clock(t_ms: i64) -> String {
    let secs = t_ms / 1000;
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

pub(super) fn duration(secs: f64) -> String {
    let secs = secs.round() as i64;
    if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// `1234567` as `1,234,567`.
pub(super) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cents as `¥1,234.56`.
pub(super) fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!(
        "{sign}¥{}.{:02}",
        thousands((cents / 100) as i64),
        cents % 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_thousands_and_yuan() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(yuan(123_456_789), "¥1,234,567.89");
        assert_eq!(clock(17 * 60_000 + 5_000), "17:05");
    }
}
