//! The show as it is played against the server: catalog, lineup, start, then one step every
//! [`STEP_MS`] (the product on air, viewers, the warehouse's damage and restock, the crowd's events),
//! telling what happens on the board as it goes.

use super::Tokens;
use super::catalog::{
    CATALOG, DAMAGE_AT, DAMAGE_SKU, DAMAGE_UNITS, HERO, LINEUP, RESTOCK_AT, RESTOCK_SKU,
    RESTOCK_UNITS,
};
use super::channels::ChannelSync;
use super::crowd::Sim;
use super::rooms;
use super::summary::{say, thousands, yuan};
use crate::tools::client::Client;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::time::Instant;

/// Real milliseconds per simulation step: each step posts one batch of order events.
pub(super) const STEP_MS: u64 = 250;
/// Steps between two pushes of the online viewers: one a second.
pub(super) const VIEWERS_EVERY_STEPS: u64 = 4;
/// The most events in one `POST /api/v1/orders` (the server takes up to 1000).
pub(super) const BATCH_EVENTS_MAX: usize = 500;

/// Plays the show: catalog, lineup, start, the steps, end.
pub(super) async fn play(
    api: &Client,
    tokens: &Tokens,
    sim: &mut Sim,
    speed: f64,
) -> Result<(), String> {
    let (status, answer) = api
        .call(
            Method::POST,
            "/api/v1/skus",
            Some(&tokens.operator),
            Some(&sim.catalog_json()),
        )
        .await?;
    if status == StatusCode::CONFLICT {
        return Err(format!(
            "this data dir already holds a catalog ({}); the demo needs a fresh one: give a new \
             --data dir, or none for a temporary one",
            answer["error"]["message"].as_str().unwrap_or("conflict")
        ));
    }
    if !status.is_success() {
        return Err(format!("creating the catalog: HTTP {status}: {answer}"));
    }
    let title = "暖冬上新专场 · 限时福利";
    let clock = ShowClock::read(api, speed).await?;
    rooms::plan(api, &tokens.operator, clock.now_ms(), sim.show_ms).await?;
    let show = json!({"title": title, "lineup": sim.lineup_json(clock.now_ms())});
    api.ok(
        Method::POST,
        "/api/v1/show",
        Some(&tokens.operator),
        Some(&show),
    )
    .await?;
    say(
        0,
        &format!(
            "catalog of {} SKUs (apparel, food, beauty, home); lineup of {}; show 「{title}」",
            CATALOG.len(),
            LINEUP.len()
        ),
    );
    let first = json!({"sku": LINEUP[0].sku});
    api.ok(
        Method::PUT,
        "/api/v1/show/current",
        Some(&tokens.overlay),
        Some(&first),
    )
    .await?;
    api.ok(
        Method::POST,
        "/api/v1/show/start",
        Some(&tokens.operator),
        None,
    )
    .await?;
    let ks_first = json!({"sku": rooms::KS_LINEUP[0].0});
    rooms::call(api, &tokens.overlay, "/current", Some(&ks_first)).await?;
    rooms::call(api, &tokens.operator, "/start", None).await?;
    say(
        0,
        "show started: 开播! (抖音 主播小雅, and 快手 主播阿强 sharing the hero hoodie)",
    );
    let mut ks_slot = 0;

    let step_ms = (STEP_MS as f64 * speed).round() as i64;
    let status_every_ms = (sim.show_ms / 12).max(60_000);
    let (mut next_status_ms, mut on_air_slot) = (status_every_ms, usize::MAX);
    let (mut restocked, mut damaged) = (false, false);
    let mut channel_sync = ChannelSync::default();
    let real_start = Instant::now();
    let mut step: u64 = 0;
    loop {
        let t_ms = step as i64 * step_ms;
        if t_ms >= sim.show_ms {
            break;
        }
        let (slot, _) = sim.on_air(t_ms);
        if slot != on_air_slot {
            on_air_slot = slot;
            let s = &LINEUP[slot];
            let body = json!({"sku": s.sku});
            api.ok(
                Method::PUT,
                "/api/v1/show/current",
                Some(&tokens.overlay),
                Some(&body),
            )
            .await?;
            let name = CATALOG[sim.index(s.sku)].name;
            let surge = if s.sku == HERO {
                " (the hero: watch it surge)"
            } else {
                ""
            };
            say(
                t_ms,
                &format!(
                    "on air: {name} ({}), planned {}/min{surge}",
                    s.sku, s.planned_per_min
                ),
            );
        }
        let ks_now = rooms::ks_slot(t_ms, sim.show_ms);
        if ks_now != ks_slot {
            ks_slot = ks_now;
            let (sku, rate) = rooms::KS_LINEUP[ks_now];
            rooms::call(api, &tokens.overlay, "/current", Some(&json!({"sku": sku}))).await?;
            let name = CATALOG[sim.index(sku)].name;
            say(
                t_ms,
                &format!("快手 on air: {name} ({sku}), planned {rate}/min"),
            );
        }
        sim.ks_on_air = Some(rooms::ks_on_air(t_ms, sim.show_ms));
        if step.is_multiple_of(VIEWERS_EVERY_STEPS) {
            let online = sim.viewers(t_ms);
            let body = json!({"online": online});
            api.ok(
                Method::POST,
                "/api/v1/show/viewers",
                Some(&tokens.overlay),
                Some(&body),
            )
            .await?;
            let ks = json!({"online": rooms::ks_viewers(online, &mut sim.rng)});
            rooms::call(api, &tokens.overlay, "/viewers", Some(&ks)).await?;
            channel_sync.round(api, tokens, t_ms, sim.show_ms).await?;
        }
        if !damaged && t_ms as f64 >= DAMAGE_AT * sim.show_ms as f64 {
            damaged = true;
            let body = json!({"kind": "damage", "qty": DAMAGE_UNITS, "by": "仓库-王磊",
                "reason": "搬运中外包装破损", "zone": "B-12"});
            let path = format!("/api/v1/skus/{DAMAGE_SKU}/movements");
            api.ok(Method::POST, &path, Some(&tokens.warehouse), Some(&body))
                .await?;
            let name = CATALOG[sim.index(DAMAGE_SKU)].name;
            say(
                t_ms,
                &format!(
                    "warehouse: {DAMAGE_UNITS} × {name} found with crushed boxes, set aside as damaged"
                ),
            );
        }
        if !restocked && t_ms as f64 >= RESTOCK_AT * sim.show_ms as f64 {
            restocked = true;
            let qty = sim.scaled(RESTOCK_UNITS);
            let body = json!({"kind": "receive", "qty": qty, "by": "仓库-王磊",
                "verified_by": "仓库-李娜", "reason": "直播中补货: 第二批到货", "zone": "A-03",
                "batch": format!("B{}-02", sim.run_tag)});
            let path = format!("/api/v1/skus/{RESTOCK_SKU}/movements");
            api.ok(Method::POST, &path, Some(&tokens.warehouse), Some(&body))
                .await?;
            let name = CATALOG[sim.index(RESTOCK_SKU)].name;
            say(
                t_ms,
                &format!(
                    "warehouse: received {} × {name} (王磊 receives, 李娜 verifies)",
                    thousands(qty)
                ),
            );
        }

        // Payments, cancellations and refunds first: new orders take whatever they release.
        let mut out = std::mem::take(&mut sim.retries);
        sim.due_followups(t_ms + step_ms, &mut out);
        sim.place_orders(t_ms, step_ms, &mut out);
        if !out.is_empty() {
            let at = clock.rfc3339_cst();
            let events: Vec<Value> = out.iter().map(|ev| sim.event_json(ev, &at)).collect();
            let answers = api
                .post_events(&tokens.ingest, &events, BATCH_EVENTS_MAX)
                .await?;
            for (ev, answer) in out.iter().zip(&answers) {
                sim.answered(ev, answer, t_ms + step_ms);
            }
        }
        watch_stock(api, tokens, sim, t_ms).await?;
        if t_ms >= next_status_ms {
            next_status_ms += status_every_ms;
            let show = api
                .ok(Method::GET, "/api/v1/show", Some(&tokens.viewer), None)
                .await?;
            say(
                t_ms,
                &format!(
                    "viewers {} · GMV {} · orders {} · units {}",
                    thousands(show["viewers"].as_i64().unwrap_or(0)),
                    yuan(show["gmv_cents"].as_i64().unwrap_or(0)),
                    thousands(show["orders"].as_i64().unwrap_or(0)),
                    thousands(show["units"].as_i64().unwrap_or(0)),
                ),
            );
        }

        step += 1;
        tokio::time::sleep_until(real_start + Duration::from_millis(step * STEP_MS)).await;
    }
    api.ok(
        Method::POST,
        "/api/v1/show/end",
        Some(&tokens.operator),
        None,
    )
    .await?;
    rooms::call(api, &tokens.operator, "/end", None).await?;
    say(sim.show_ms, "show ended: 下播 (both rooms)");
    Ok(())
}

/// Reads the stock views and tells of warnings crossed and products sold out.
pub(super) async fn watch_stock(
    api: &Client,
    tokens: &Tokens,
    sim: &mut Sim,
    t_ms: i64,
) -> Result<(), String> {
    let views = api
        .ok(Method::GET, "/api/v1/skus", Some(&tokens.viewer), None)
        .await?;
    for view in views.as_array().map(Vec::as_slice).unwrap_or_default() {
        let Some(&i) = view["sku"].as_str().and_then(|s| sim.by_sku.get(s)) else {
            continue;
        };
        let p = &CATALOG[i];
        let available = view["available"].as_i64().unwrap_or(0);
        let base = view["base"].as_i64().unwrap_or(0);
        let level = view["level"].as_u64().unwrap_or(0);
        if level == 0 {
            sim.level[i] = 0;
        } else if level > sim.level[i] {
            sim.level[i] = level;
            if available > 0 {
                say(
                    t_ms,
                    &format!(
                        "warning level {level}: {} ({}) has {} of {} left",
                        p.name,
                        p.sku,
                        thousands(available),
                        thousands(base)
                    ),
                );
            }
        }
        if available == 0 && p.presale_cap == 0 && sim.sold_out_at[i].is_none() {
            sim.sold_out_at[i] = Some(t_ms);
            let paid = view["sold_units"].as_i64().unwrap_or(0);
            let held = view["held"].as_i64().unwrap_or(0);
            say(
                t_ms,
                &format!(
                    "SOLD OUT: {} ({}): all {} taken ({} paid, {} awaiting payment); more orders \
                     are refused, never oversold",
                    p.name,
                    p.sku,
                    thousands(base),
                    thousands(paid),
                    thousands(held)
                ),
            );
        }
    }
    Ok(())
}

/// The server's clock as the demo follows it: read once from `/readyz`, then advanced by the real
/// time since, times the speed it runs at.
struct ShowClock {
    server_ms: i64,
    read_at: Instant,
    speed: f64,
}

impl ShowClock {
    async fn read(api: &Client, speed: f64) -> Result<ShowClock, String> {
        let ready = api.ok(Method::GET, "/readyz", None, None).await?;
        let server_ms = ready["server_ms"]
            .as_i64()
            .ok_or_else(|| format!("/readyz gave no server_ms: {ready}"))?;
        Ok(ShowClock {
            server_ms,
            read_at: Instant::now(),
            speed,
        })
    }

    pub(super) fn now_ms(&self) -> i64 {
        self.server_ms + (self.read_at.elapsed().as_secs_f64() * 1000.0 * self.speed) as i64
    }

    /// Now, as a channel in China stamps it: RFC 3339 at +08:00.
    pub(super) fn rfc3339_cst(&self) -> String {
        crate::domain::types::format_rfc3339_at(self.now_ms(), time::macros::offset!(+8))
    }
}
