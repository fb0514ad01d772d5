//! The demo (`livestock demo`, SPEC F7): starts a server and plays a believable live show on it
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
    /// Show-seconds per real second: 10 plays an hour's show in six minutes.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
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
/// until Ctrl-C. The server is stopped with SIGTERM however the demo ends.
pub async fn run(args: DemoArgs) -> Result<(), String> {
    if !(SPEED_MIN..=SPEED_MAX).contains(&args.speed) {
        return Err(format!(
            "--speed must be between {SPEED_MIN} and {SPEED_MAX}"
        ));
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
    let tokens = Tokens::generate()?;
    // The server's clock runs at the show's speed: its holds, rates and warnings count
    // show-seconds, so they are configured as for a real show.
    let hold_ttl_secs = HOLD_TTL_SHOW_SECS as u64;
    let config_toml = format!(
        "hold_ttl_secs = {hold_ttl_secs}\nclock_speed = {}\n",
        args.speed
    );
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
    print_banner(api.base(), &tokens, &args, seed, hold_ttl_secs, &data_note);

    let mut sim = crowd::Sim::new(seed, args.minutes);
    let outcome = tokio::select! {
        played = script::play(&api, &tokens, &mut sim, args.speed) => Some(played),
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

fn print_banner(
    base: &str,
    tokens: &Tokens,
    args: &DemoArgs,
    seed: u64,
    hold_ttl_secs: u64,
    data_note: &str,
) {
    let rule = "=".repeat(78);
    let real_secs = f64::from(args.minutes) * 60.0 / args.speed;
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
        "  speed {}x ({} real), seed {seed} (--seed {seed} replays it), unpaid holds lapse after {} of show time",
        args.speed,
        summary::duration(real_secs),
        summary::duration(hold_ttl_secs as f64)
    );
    println!("  {data_note}");
    println!("{rule}");
}
