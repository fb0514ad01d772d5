//! The server's configuration: the serve flags over their environment variables over the config
//! file over defaults (API.md "Starting"), resolved into a [`Config`] whose every value is checked.
//! The tools' flags are not here: they belong to the tools and the CLI (`src/main.rs`).

use crate::domain::alerts::{AlertConfig, Thresholds};
use crate::domain::checks::anomalies::ReviewConfig;
use crate::domain::role::Role;
use crate::web::signature::{self, Signatures};
use clap::Args;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod checks;
use checks::{
    check_clock_start, check_finite, check_listen, check_review, check_thresholds, check_timezone,
    int_in_range,
};

/// Where the server listens when nothing says otherwise.
pub const LISTEN_DEFAULT: &str = "127.0.0.1:8080";
/// Where the journal lives when nothing says otherwise.
pub const DATA_DIR_DEFAULT: &str = "./data";
/// The file in the data dir that keeps a generated admin token across restarts.
pub const ADMIN_TOKEN_FILE: &str = "admin.token";

/// The flags of `livestock serve` (and of `livestock` alone).
#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "LIVESTOCK_LISTEN")]
    pub listen: Option<String>,
    /// Directory of the journal and snapshots.
    #[arg(long, env = "LIVESTOCK_DATA")]
    pub data: Option<PathBuf>,
    /// A TOML config file.
    #[arg(long, env = "LIVESTOCK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Keep the journal in NATS JetStream instead of the data dir:
    /// `nats://HOST:PORT[,HOST:PORT...]` (API.md "Several nodes").
    #[arg(long, env = "LIVESTOCK_JOURNAL")]
    pub journal: Option<String>,
    /// The shop this node serves (its stream and its lease), with `--journal`.
    #[arg(long, env = "LIVESTOCK_SHOP")]
    pub shop: Option<String>,
    /// This node's name in the cluster, with `--journal` (default: the advertised URL).
    #[arg(long, env = "LIVESTOCK_NODE_ID")]
    pub node_id: Option<String>,
    /// The URL other nodes and clients reach this node at, with `--journal` (default: the
    /// listening address).
    #[arg(long, env = "LIVESTOCK_ADVERTISE")]
    pub advertise: Option<String>,
}

/// Where the journal lives when it is not the data dir (`--journal`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    /// The NATS servers, `nats://HOST:PORT` each.
    pub servers: Vec<String>,
    pub shop: String,
    pub node_id: Option<String>,
    pub advertise: Option<String>,
    /// Copies of the stream: 3 when three or more servers are named, else 1.
    pub replicas: usize,
}

/// The cluster flags, checked: `--journal` needs `--shop`, and the other flags need `--journal`.
fn resolve_cluster(args: &ServeArgs) -> Result<Option<ClusterConfig>, String> {
    let Some(journal) = &args.journal else {
        for (name, given) in [
            ("shop", args.shop.is_some()),
            ("node_id", args.node_id.is_some()),
            ("advertise", args.advertise.is_some()),
        ] {
            if given {
                return Err(format!("{name}: only with --journal nats://HOST:PORT"));
            }
        }
        return Ok(None);
    };
    let servers: Vec<String> = journal.split(',').map(|s| s.trim().to_owned()).collect();
    for server in &servers {
        let rest = server.strip_prefix("nats://").ok_or_else(|| {
            format!("journal: {server:?} is not nats://HOST:PORT (several joined by commas)")
        })?;
        if rest
            .rsplit_once(':')
            .is_none_or(|(host, port)| host.is_empty() || port.parse::<u16>().is_err())
        {
            return Err(format!("journal: {server:?} is not nats://HOST:PORT"));
        }
    }
    let shop = args
        .shop
        .clone()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            "shop: --journal needs --shop NAME (the shop this node serves)".to_owned()
        })?;
    if let Some(url) = &args.advertise
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(format!(
            "advertise: {url:?} is not an http:// or https:// URL"
        ));
    }
    let replicas = if servers.len() >= 3 { 3 } else { 1 };
    Ok(Some(ClusterConfig {
        servers,
        shop,
        node_id: args.node_id.clone(),
        advertise: args.advertise.clone(),
        replicas,
    }))
}

/// The slowest and fastest server clocks, in server-seconds per real second.
pub const CLOCK_SPEED_MIN: f64 = 0.1;
pub const CLOCK_SPEED_MAX: f64 = 600.0;
/// The life of an unpaid hold unless configured, and its bounds, in seconds.
pub const HOLD_TTL_SECS_DEFAULT: i64 = 15 * 60;
pub const HOLD_TTL_SECS_MAX: i64 = 7 * 24 * 3600;
/// How long a closed order (and its idempotency key) is remembered unless configured, and the
/// bounds, in hours: longer than any channel redelivers an event.
pub const ORDER_RETENTION_HOURS_DEFAULT: i64 = 7 * 24;
pub const ORDER_RETENTION_HOURS_MAX: i64 = 366 * 24;
/// The longest default lineup slot, in minutes (a day).
pub const SLOT_MINUTES_MAX: i64 = 24 * 60;
/// The most journal records between two snapshots (replay past a billion records would take hours).
pub const SNAPSHOT_EVERY_RECORDS_MAX: i64 = 1_000_000_000;
/// The screens' coalescing tick's bounds, in milliseconds.
pub const FEED_TICK_MS_MIN: i64 = 10;
pub const FEED_TICK_MS_MAX: i64 = 10_000;
/// The shop's time zone unless configured: days and reports are cut in it (SPEC E1).
pub const TIMEZONE_DEFAULT: &str = "Asia/Shanghai";
/// The shortest token a role may have, in bytes.
pub const TOKEN_CHARS_MIN: usize = 8;

/// The config file: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data: Option<PathBuf>,
    /// Life of an unpaid hold, in seconds. The integers are read signed, so that a negative one
    /// is refused with its key named rather than as a type error.
    hold_ttl_secs: Option<i64>,
    /// How long a closed order is remembered, in hours.
    order_retention_hours: Option<i64>,
    /// A lineup product's slot, in minutes, when the run of show gives no next start or end.
    slot_minutes_default: Option<i64>,
    snapshot_every_records: Option<i64>,
    /// The screens' coalescing tick, in milliseconds.
    feed_tick_ms: Option<i64>,
    /// Server-clock seconds per real second (`livestock demo --speed`); 1 in production.
    clock_speed: Option<f64>,
    /// The server clock's reading at start (RFC 3339), for demos and tests that need a given hour.
    clock_start: Option<String>,
    /// The shop's IANA time zone, e.g. `Asia/Shanghai`.
    timezone: Option<String>,
    #[serde(default)]
    tokens: FileTokens,
    #[serde(default)]
    alerts: FileAlerts,
    /// `[review]`: the post-show review's anomaly thresholds.
    #[serde(default)]
    review: ReviewConfig,
    /// `[channel_secrets]`: `douyin = "SECRET"`; that channel's order pushes must be signed.
    #[serde(default)]
    channel_secrets: BTreeMap<String, String>,
    /// How far a push signature's `t` may be from the clock, either way, in seconds.
    signature_tolerance_secs: Option<i64>,
    /// `[overlay]`: what the stream overlay shows after the show.
    #[serde(default)]
    overlay: FileOverlay,
    /// `[rate_limits.ROLE]`: `per_second` and `burst` of that role's tokens (0 = unlimited).
    #[serde(default)]
    rate_limits: BTreeMap<String, FileRateLimit>,
    /// `[websocket]`: the screens' sockets' caps and message rate.
    #[serde(default)]
    websocket: checks::FileWebSocket,
}

/// `[rate_limits.viewer]`: `per_second = 20`, `burst = 100`; a key left out keeps its default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRateLimit {
    per_second: Option<i64>,
    burst: Option<i64>,
}

/// The rate limits: the defaults, with each `[rate_limits.ROLE]` table's keys over them.
fn resolve_rate_limits(
    file: BTreeMap<String, FileRateLimit>,
) -> Result<crate::web::ratelimit::RateLimits, String> {
    use crate::web::ratelimit::{BURST_DEFAULT, Limit, RATE_MAX, RateLimits};
    let mut limits = RateLimits::default();
    for (name, table) in file {
        let Some(role) = Role::ALL.into_iter().find(|r| r.name() == name) else {
            let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
            return Err(format!(
                "rate_limits.{name}: not a role; the roles are {}",
                names.join(", ")
            ));
        };
        let default = limits.of(role);
        let per_second = int_in_range(
            &format!("rate_limits.{name}.per_second"),
            table.per_second,
            default.map_or(0, |l| l.per_second.into()),
            (0, RATE_MAX.into()),
            "requests per second (0 = unlimited)",
        )?;
        let burst = int_in_range(
            &format!("rate_limits.{name}.burst"),
            table.burst,
            default.map_or(BURST_DEFAULT, |l| l.burst).into(),
            (1, RATE_MAX.into()),
            "requests",
        )?;
        let limit = (per_second > 0).then_some(Limit {
            per_second: per_second as u32,
            burst: burst as u32,
        });
        limits.set(role, limit);
    }
    Ok(limits)
}

/// `[overlay]`: `end_card = true` shows an end card (直播已结束 · 感谢观看) on the stream once the
/// show has ended, instead of an empty (transparent) overlay.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOverlay {
    end_card: Option<bool>,
}

/// `[alerts]`: `enabled`, `[alerts.shop]` thresholds, and `[alerts.categories.NAME]` tables whose
/// keys override the shop's for that category.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAlerts {
    enabled: Option<bool>,
    shop: Option<Thresholds>,
    #[serde(default)]
    categories: BTreeMap<String, toml::Table>,
}

impl FileAlerts {
    /// The shop's thresholds, then the built-in category overrides (apparel, food), then the file's,
    /// each category starting from the shop's values.
    fn resolve(self) -> Result<AlertConfig, String> {
        let builtin = AlertConfig::default();
        let shop = self.shop.unwrap_or_default();
        let base = toml::Table::try_from(&shop).map_err(|e| format!("alerts.shop: {e}"))?;
        let defaults =
            toml::Table::try_from(Thresholds::default()).map_err(|e| format!("alerts: {e}"))?;
        let mut categories = BTreeMap::new();
        let mut names: Vec<String> = builtin.categories.keys().cloned().collect();
        names.extend(self.categories.keys().cloned());
        names.sort();
        names.dedup();
        for name in names {
            let mut table = base.clone();
            if let Some(t) = builtin.categories.get(&name) {
                // Only what the built-in category changes from the defaults.
                let own = toml::Table::try_from(t).map_err(|e| format!("alerts: {e}"))?;
                for (k, v) in own {
                    if defaults.get(&k) != Some(&v) {
                        table.insert(k, v);
                    }
                }
            }
            if let Some(file) = self.categories.get(&name) {
                for (k, v) in file {
                    table.insert(k.clone(), v.clone());
                }
            }
            let t: Thresholds = table
                .try_into()
                .map_err(|e| format!("alerts.categories.{name}: {e}"))?;
            categories.insert(name, t);
        }
        check_thresholds("alerts.shop", &shop)?;
        for (name, t) in &categories {
            check_thresholds(&format!("alerts.categories.{name}"), t)?;
        }
        Ok(AlertConfig {
            enabled: self.enabled.unwrap_or(true),
            shop,
            categories,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTokens {
    admin: Option<String>,
    operator: Option<String>,
    warehouse: Option<String>,
    ingest: Option<String>,
    overlay: Option<String>,
    viewer: Option<String>,
}

/// Everything the server needs to start, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub hold_ttl_ms: i64,
    /// How long a closed order and its idempotency key are remembered, then forgotten.
    pub order_retention_ms: i64,
    /// A lineup product's slot when the run of show does not give it (the pre-show check's need).
    pub slot_minutes_default: i64,
    pub snapshot_every_records: u64,
    /// The screens' coalescing tick: at most one diff per view per tick.
    pub feed_tick_ms: u64,
    /// Server-clock seconds per real second: 1 but for a fast-forwarded demo, whose rates, holds
    /// and warnings then count show-minutes.
    pub clock_speed: f64,
    /// Where the server clock starts, in ms since the epoch, when not at the wall clock's now: a
    /// demo or a test that needs a given hour (a show crossing midnight). Never for a real shop:
    /// its journal's times would go back.
    pub clock_start_ms: Option<i64>,
    /// The shop's time zone: a date in a report is a day there, never the machine's.
    pub timezone: jiff::tz::TimeZone,
    /// The warnings' thresholds.
    pub alerts: AlertConfig,
    /// The post-show review's anomaly thresholds.
    pub review: ReviewConfig,
    /// Role tokens from the environment or the file; the admin one may still be generated.
    pub tokens: Vec<(Role, String)>,
    /// Whether the overlay shows an end card after the show (`[overlay] end_card`); a page's
    /// `?end=card` or `?end=none` overrides it.
    pub overlay_end_card: bool,
    /// The channels' secrets and the signatures' tolerance window.
    pub signatures: Signatures,
    /// Each role's rate limit (`[rate_limits.ROLE]`).
    pub rate_limits: crate::web::ratelimit::RateLimits,
    /// The screens' sockets' limits (`[websocket]`).
    pub websocket: crate::web::ws::limits::WsLimits,
    /// The journal on NATS JetStream (`--journal`), or `None` for the data dir.
    pub cluster: Option<ClusterConfig>,
}

impl Config {
    /// Resolves flags (with their environment variables) over the config file over defaults.
    pub fn resolve(args: &ServeArgs) -> Result<Config, String> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        Self::from_file(args, file)
    }

    /// Resolves flags over a parsed config file over defaults, checking every value; an error
    /// names the key at fault (`alerts.categories.food.turnover_days: must be finite, got inf`).
    fn from_file(args: &ServeArgs, file: FileConfig) -> Result<Config, String> {
        let hold_ttl_secs = int_in_range(
            "hold_ttl_secs",
            file.hold_ttl_secs,
            HOLD_TTL_SECS_DEFAULT,
            (1, HOLD_TTL_SECS_MAX),
            "seconds (7 days)",
        )?;
        let order_retention_hours = int_in_range(
            "order_retention_hours",
            file.order_retention_hours,
            ORDER_RETENTION_HOURS_DEFAULT,
            (1, ORDER_RETENTION_HOURS_MAX),
            "hours (366 days)",
        )?;
        let slot_minutes_default = int_in_range(
            "slot_minutes_default",
            file.slot_minutes_default,
            crate::domain::show::SLOT_MINUTES_DEFAULT,
            (1, SLOT_MINUTES_MAX),
            "minutes (a day)",
        )?;
        let snapshot_every_records = int_in_range(
            "snapshot_every_records",
            file.snapshot_every_records,
            crate::journal::SNAPSHOT_EVERY_RECORDS_DEFAULT as i64,
            (1, SNAPSHOT_EVERY_RECORDS_MAX),
            "records",
        )?;
        let feed_tick_ms = int_in_range(
            "feed_tick_ms",
            file.feed_tick_ms,
            crate::web::feed::TICK_MS_DEFAULT as i64,
            (FEED_TICK_MS_MIN, FEED_TICK_MS_MAX),
            "milliseconds",
        )?;
        let clock_speed = file.clock_speed.unwrap_or(1.0);
        check_finite("clock_speed", clock_speed)?;
        if !(CLOCK_SPEED_MIN..=CLOCK_SPEED_MAX).contains(&clock_speed) {
            return Err(format!(
                "clock_speed: must be between {CLOCK_SPEED_MIN} and {CLOCK_SPEED_MAX} \
                 (server-seconds per real second), got {clock_speed}"
            ));
        }
        let clock_start_ms = file
            .clock_start
            .as_deref()
            .map(check_clock_start)
            .transpose()?;
        let timezone = check_timezone(file.timezone.as_deref().unwrap_or(TIMEZONE_DEFAULT))?;
        let listen = args
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| LISTEN_DEFAULT.to_owned());
        check_listen(&listen)?;
        check_review(&file.review)?;
        let signature_tolerance_secs = int_in_range(
            "signature_tolerance_secs",
            file.signature_tolerance_secs,
            signature::TOLERANCE_SECS_DEFAULT,
            (1, signature::TOLERANCE_SECS_MAX),
            "seconds (a day)",
        )?;
        let secrets = resolve_channel_secrets(file.channel_secrets, secret_env_vars())?;
        let cluster = resolve_cluster(args)?;
        Ok(Config {
            listen,
            data_dir: args
                .data
                .clone()
                .or(file.data)
                .unwrap_or_else(|| PathBuf::from(DATA_DIR_DEFAULT)),
            hold_ttl_ms: hold_ttl_secs * 1000,
            order_retention_ms: order_retention_hours * 3_600_000,
            slot_minutes_default,
            snapshot_every_records: snapshot_every_records as u64,
            feed_tick_ms: feed_tick_ms as u64,
            clock_speed,
            clock_start_ms,
            timezone,
            tokens: resolve_tokens(file.tokens)?,
            alerts: file.alerts.resolve()?,
            review: file.review,
            overlay_end_card: file.overlay.end_card.unwrap_or(false),
            signatures: Signatures::new(secrets, signature_tolerance_secs),
            rate_limits: resolve_rate_limits(file.rate_limits)?,
            websocket: file.websocket.resolve()?,
            cluster,
        })
    }

    /// The admin token when none is configured: kept in the data dir, or made and kept there now.
    pub fn generated_admin_token(data_dir: &Path) -> Result<String, String> {
        let path = data_dir.join(ADMIN_TOKEN_FILE);
        if let Ok(token) = std::fs::read_to_string(&path) {
            let token = token.trim().to_owned();
            if !token.is_empty() {
                return Ok(token);
            }
        }
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a token: {e}"))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("creating {}: {e}", data_dir.display()))?;
        write_private(&path, &token).map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(token)
    }
}

/// Each role's token: `LIVESTOCK_TOKEN_<ROLE>` over the file's `[tokens]`, at least
/// [`TOKEN_CHARS_MIN`] bytes long.
fn resolve_tokens(file: FileTokens) -> Result<Vec<(Role, String)>, String> {
    let from_file = [
        (Role::Admin, file.admin),
        (Role::Operator, file.operator),
        (Role::Warehouse, file.warehouse),
        (Role::Ingest, file.ingest),
        (Role::Overlay, file.overlay),
        (Role::Viewer, file.viewer),
    ];
    let mut tokens = Vec::new();
    for (role, file_token) in from_file {
        let var = format!("LIVESTOCK_TOKEN_{}", role.name().to_uppercase());
        let env = std::env::var(&var).ok().filter(|t| !t.is_empty());
        let key = match env {
            Some(_) => var,
            None => format!("tokens.{}", role.name()),
        };
        if let Some(token) = env.or(file_token) {
            if token.len() < TOKEN_CHARS_MIN {
                return Err(format!(
                    "{key}: the {} token must have at least {TOKEN_CHARS_MIN} characters",
                    role.name()
                ));
            }
            tokens.push((role, token));
        }
    }
    Ok(tokens)
}

/// Each channel's secret, keyed by [`signature::channel_key`]: `LIVESTOCK_CHANNEL_SECRET_<CHANNEL>`
/// (`env`) over the file's `[channel_secrets]`. A secret must not be blank, a channel name must be
/// one a push could carry, and two spellings of one channel in the file are refused.
fn resolve_channel_secrets(
    file: BTreeMap<String, String>,
    mut env: Vec<(String, String)>,
) -> Result<BTreeMap<String, String>, String> {
    env.sort();
    let file = file
        .into_iter()
        .map(|(channel, secret)| (format!("channel_secrets.{channel}"), channel, secret));
    let env = env.into_iter().map(|(var, secret)| {
        let channel = var[signature::SECRET_ENV_PREFIX.len()..].to_owned();
        (var, channel, secret)
    });
    let mut secrets = BTreeMap::new();
    for source in [file.collect::<Vec<_>>(), env.collect()] {
        let mut named_by: BTreeMap<String, String> = BTreeMap::new();
        for (key, channel, secret) in source {
            crate::domain::order::Channel::new(&channel)
                .map_err(|e| format!("{key}: the channel name {e}"))?;
            if secret.trim().is_empty() {
                return Err(format!("{key}: the channel's secret must not be empty"));
            }
            let name = signature::channel_key(&channel);
            if let Some(first) = named_by.insert(name.clone(), key.clone()) {
                return Err(format!("{key}: {first} already names channel {name}"));
            }
            secrets.insert(name, secret);
        }
    }
    Ok(secrets)
}

/// The `LIVESTOCK_CHANNEL_SECRET_*` variables of the environment (names that are not Unicode
/// cannot name a channel and are skipped).
fn secret_env_vars() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| k.starts_with(signature::SECRET_ENV_PREFIX))
        .collect()
}

fn read_file(path: &Path) -> Result<FileConfig, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests;
