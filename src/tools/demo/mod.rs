//! The demo (`livestock demo`, SPEC F7): starts a server (or takes a running one, `--target`, such
//! as a node of `scripts/cluster`) and plays a believable live show on it
//! through the public API only, so that a newcomer sees every number, chart and warning of the board
//! move: a catalog of 21 SKUs, a lineup of 8, viewers rising to 100,000, orders from five channels,
//! a hero product that surges and sells out, cancellations, unpaid holds that expire, refunds,
//! shipping, channel retries, a damaged box and a warehouse restock.
//!
//! The show runs on a show clock: each real step of [`STEP_MS`] is `--speed` times as long in show
//! time, and every step's orders are drawn from the seeded generator, so one `--seed` plays the same
//! show (up to what the server answers, which hangs on its clock). The server it starts runs its
//! clock at the same speed (`clock_speed`), so its rates, holds, series and warnings count
//! show-minutes, and a fast-forwarded show looks to it exactly like a real one.

use super::child::{ServerChild, ServerOptions};
use super::client::{Client, Retry, random_token};
use crate::domain::role::Role;
use clap::Args;
use std::path::PathBuf;

mod catalog;
mod channels;
mod crowd;
mod rng;
mod rooms;
mod script;
mod summary;

/// Where the demo's server listens unless told: the address a plain `livestock serve` takes
/// (API.md "Starting"), so the board is where a newcomer expects it.
const LISTEN_DEFAULT: &str = "127.0.0.1:8080";
/// The slowest and fastest show clocks, in show-seconds per real second.
const SPEED_MIN: f64 = 0.1;
const SPEED_MAX: f64 = 600.0;
/// The shortest and longest shows, in show-minutes.
const MINUTES_MIN: u32 = 10;
const MINUTES_MAX: u32 = 600;
/// How long a buyer has to pay before the hold lapses, in show-seconds (a flash-sale window).
const HOLD_TTL_SHOW_SECS: f64 = 300.0;

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Address the demo's server listens on (port 0 picks a free port).
    #[arg(long, default_value = LISTEN_DEFAULT)]
    pub listen: String,
    /// Keep the server's journal in this dir; without it a temporary dir is used and removed.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Play on this running server (any node of a cluster: writes go to its leader) instead of
    /// starting one; it should hold no show yet. Its clock sets the speed.
    #[arg(long, conflicts_with_all = ["listen", "data"])]
    pub target: Option<String>,
    /// The admin token of the `--target` server; the demo calls every role's endpoints with it.
    #[arg(long, env = "LIVESTOCK_TOKEN_ADMIN")]
    pub token: Option<String>,
    /// Show-seconds per real second: 10 plays an hour's show in six minutes (default 1, or the
    /// `--target` server's clock speed, which it must then match).
    #[arg(long)]
    pub speed: Option<f64>,
    /// Length of the show in show-minutes (the stock scales with it, so the story stays the same).
    #[arg(long, default_value_t = 60)]
    pub minutes: u32,
    /// Seed of the simulated crowd: the same seed places the same orders. Random when absent.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop the server and exit when the show ends, instead of waiting for Ctrl-C.
    #[arg(long)]
    pub exit: bool,
}

/// One token per role: each call uses the role a real caller of it would have.
struct Tokens {
    admin: String,
    operator: String,
    warehouse: String,
    ingest: String,
    overlay: String,
    viewer: String,
}

impl Tokens {
    fn generate() -> Result<Tokens, String> {
        let token = |role| random_token("demo", role);
        Ok(Tokens {
            admin: token(Role::Admin)?,
            operator: token(Role::Operator)?,
            warehouse: token(Role::Warehouse)?,
            ingest: token(Role::Ingest)?,
            overlay: token(Role::Overlay)?,
            viewer: token(Role::Viewer)?,
        })
    }

    /// One token for every role: a running server's admin token.
    fn all(admin: &str) -> Tokens {
        Tokens {
            admin: admin.to_owned(),
            operator: admin.to_owned(),
            warehouse: admin.to_owned(),
            ingest: admin.to_owned(),
            overlay: admin.to_owned(),
            viewer: admin.to_owned(),
        }
    }

    fn by_role(&self) -> Vec<(Role, String)> {
        vec![
            (Role::Admin, self.admin.clone()),
            (Role::Operator, self.operator.clone()),
            (Role::Warehouse, self.warehouse.clone()),
            (Role::Ingest, self.ingest.clone()),
            (Role::Overlay, self.overlay.clone()),
            (Role::Viewer, self.viewer.clone()),
        ]
    }
}

/// Starts the server, plays the show, prints the summary, and (unless `--exit`) keeps the server up
/// until Ctrl-C. The server is stopped with SIGTERM however the demo ends. With `--target`, plays
/// on that server and leaves it running.
pub async fn run(args: DemoArgs) -> Result<(), String> {
    if let Some(speed) = args.speed {
        check_speed(speed)?;
    }
    if !(MINUTES_MIN..=MINUTES_MAX).contains(&args.minutes) {
        return Err(format!(
            "--minutes must be between {MINUTES_MIN} and {MINUTES_MAX}"
        ));
    }
    let seed = match args.seed {
        Some(seed) => seed,
        None => {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).map_err(|e| format!("randomness: {e}"))?;
            u64::from(u32::from_le_bytes(bytes))
        }
    };
    if let Some(target) = &args.target {
        return run_on(target, &args, seed).await;
    }
    let speed = args.speed.unwrap_or(1.0);
    let tokens = Tokens::generate()?;
    // The server's clock runs at the show's speed: its holds, rates and warnings count
    // show-seconds, so they are configured as for a real show.
    let hold_ttl_secs = HOLD_TTL_SHOW_SECS as u64;
    let config_toml = format!("hold_ttl_secs = {hold_ttl_secs}\nclock_speed = {speed}\n");
    let mut options = ServerOptions::tool("livestock-demo", tokens.by_role());
    options.listen = args.listen.clone();
    options.data = args.data.clone();
    options.config_toml = Some(config_toml);
    let mut server = tokio::task::spawn_blocking(move || ServerChild::spawn(&options))
        .await
        .map_err(|e| format!("starting the server: {e}"))??;
    let api = Client::new(&server.url, Retry::TRANSIENT)?;
    let data_note = match (&args.data, server.temp_data_dir()) {
        (Some(dir), _) => format!("journal in {} (kept)", dir.display()),
        (None, Some(dir)) => format!("journal in {} (removed at the end)", dir.display()),
        (None, None) => String::new(),
    };
    let holds = format!(
        "unpaid holds lapse after {} of show time",
        summary::duration(hold_ttl_secs as f64)
    );
    print_banner(api.base(), &tokens, &args, speed, seed, &holds, &data_note);

    let mut sim = crowd::Sim::new(seed, args.minutes);
    let outcome = tokio::select! {
        played = script::play(&api, &tokens, &mut sim, speed) => Some(played),
        () = crate::signal::terminated() => None,
    };
    let (result, played) = match outcome {
        Some(Ok(())) => (summary::summarize(&api, &tokens, &sim).await, true),
        Some(Err(e)) => (Err(e), false),
        None => {
            println!("interrupted: stopping the server");
            (Ok(()), false)
        }
    };
    if played && result.is_ok() && !args.exit {
        println!();
        println!(
            "The server keeps running so you can look around: {}/?token={}",
            api.base(),
            tokens.admin
        );
        println!("Press Ctrl-C to stop it.");
        crate::signal::terminated().await;
    }
    let stopped = tokio::task::spawn_blocking(move || server.stop())
        .await
        .map_err(|e| format!("stopping the server: {e}"))?;
    match stopped {
        Ok(status) if status.success() => println!("server stopped; {data_note}"),
        Ok(status) => eprintln!("livestock demo: the server exited with {status}"),
        Err(e) => eprintln!("livestock demo: {e}"),
    }
    result
}

fn check_speed(speed: f64) -> Result<(), String> {
    if !(SPEED_MIN..=SPEED_MAX).contains(&speed) {
        return Err(format!(
            "--speed must be between {SPEED_MIN} and {SPEED_MAX}"
        ));
    }
    Ok(())
}

/// How far apart the two clock readings that measure a target's clock speed are.
const CLOCK_PROBE_MS: u64 = 500;

/// Plays the show on the running server at `target` with its admin token, at its clock's speed,
/// and leaves it running.
async fn run_on(target: &str, args: &DemoArgs, seed: u64) -> Result<(), String> {
    let admin = args
        .token
        .as_deref()
        .ok_or("--target needs the server's admin token: --token or LIVESTOCK_TOKEN_ADMIN")?;
    let tokens = Tokens::all(admin);
    let api = Client::new(target.trim_end_matches('/'), Retry::TRANSIENT)?;
    let measured = clock_speed(&api).await?;
    let speed = match args.speed {
        // Event times come from the server's clock run forward at the show's speed: the two
        // must agree, or the channels' timestamps drift away from the server's.
        Some(asked) if (asked / measured - 1.0).abs() > 0.2 => {
            return Err(format!(
                "{target} runs its clock at {measured:.1}× but --speed is {asked}: start the server with \
                 clock_speed = {asked} in its config, or leave --speed out"
            ));
        }
        Some(asked) => asked,
        None => {
            let speed = (measured * 10.0).round() / 10.0;
            check_speed(speed).map_err(|_| {
                format!("{target} runs its clock at {measured:.2}×, which the demo cannot follow")
            })?;
            speed
        }
    };
    let holds = "unpaid holds lapse as the server is configured".to_owned();
    let note = format!("on {target} (left running)");
    print_banner(api.base(), &tokens, args, speed, seed, &holds, &note);
    let mut sim = crowd::Sim::new(seed, args.minutes);
    tokio::select! {
        played = script::play(&api, &tokens, &mut sim, speed) => played?,
        () = crate::signal::terminated() => {
            println!("interrupted; {target} keeps running");
            return Ok(());
        }
    }
    summary::summarize(&api, &tokens, &sim).await
}

/// The server's show-seconds per real second, from two readings of its clock.
async fn clock_speed(api: &Client) -> Result<f64, String> {
    let read = || async {
        let ready = api.ok(reqwest::Method::GET, "/readyz", None, None).await?;
        let server_ms = ready["server_ms"]
            .as_i64()
            .ok_or_else(|| format!("/readyz gave no server_ms: {ready}"))?;
        Ok::<_, String>((server_ms, std::time::Instant::now()))
    };
    let (a, at) = read().await?;
    tokio::time::sleep(std::time::Duration::from_millis(CLOCK_PROBE_MS)).await;
    let (b, bt) = read().await?;
    let real_ms = bt.duration_since(at).as_secs_f64() * 1000.0;
    Ok((b - a) as f64 / real_ms)
}

fn print_banner(
    base: &str,
    tokens: &Tokens,
    args: &DemoArgs,
    speed: f64,
    seed: u64,
    holds: &str,
    data_note: &str,
) {
    let rule = "=".repeat(78);
    let real_secs = f64::from(args.minutes) * 60.0 / speed;
    println!("{rule}");
    println!("  livestock demo: a {}-minute live show", args.minutes);
    println!();
    println!("  board    {base}/?token={}", tokens.admin);
    println!("  host     {base}/host?token={}", tokens.admin);
    println!("  host 快手 {base}/host?room=ks&token={}", tokens.admin);
    println!("  overlay  {base}/overlay?token={}", tokens.admin);
    println!();
    println!(
        "  API      curl -H 'Authorization: Bearer {}' {base}/api/v1/show",
        tokens.admin
    );
    println!(
        "  speed {speed}x ({} real), seed {seed} (--seed {seed} replays it), {holds}",
        summary::duration(real_secs),
    );
    println!("  {data_note}");
    println!("{rule}");
}
