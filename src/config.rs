//! The server's configuration: the serve flags over their environment variables over the config
//! file over defaults (API.md "Starting"), resolved into a [`Config`] whose every value is checked.
//! The tools' flags are not here: they belong to the tools and the CLI (`src/main.rs`).

use crate::domain::alerts::{AlertConfig, Thresholds};
use crate::domain::role::Role;
use clap::Args;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
}

/// The slowest and fastest server clocks, in server-seconds per real second.
pub const CLOCK_SPEED_MIN: f64 = 0.1;
pub const CLOCK_SPEED_MAX: f64 = 600.0;

/// The config file: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data: Option<PathBuf>,
    /// Life of an unpaid hold, in seconds.
    hold_ttl_secs: Option<u64>,
    snapshot_every_records: Option<u64>,
    /// The screens' coalescing tick, in milliseconds.
    feed_tick_ms: Option<u64>,
    /// Server-clock seconds per real second (`livestock demo --speed`); 1 in production.
    clock_speed: Option<f64>,
    #[serde(default)]
    tokens: FileTokens,
    #[serde(default)]
    alerts: FileAlerts,
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
    pub snapshot_every_records: u64,
    /// The screens' coalescing tick: at most one diff per view per tick.
    pub feed_tick_ms: u64,
    /// Server-clock seconds per real second: 1 but for a fast-forwarded demo, whose rates, holds
    /// and warnings then count show-minutes.
    pub clock_speed: f64,
    /// The warnings' thresholds.
    pub alerts: AlertConfig,
    /// Role tokens from the environment or the file; the admin one may still be generated.
    pub tokens: Vec<(Role, String)>,
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

    /// Resolves flags over a parsed config file over defaults, checking every value.
    fn from_file(args: &ServeArgs, file: FileConfig) -> Result<Config, String> {
        let hold_ttl_secs = file.hold_ttl_secs.unwrap_or(15 * 60);
        if hold_ttl_secs == 0 || hold_ttl_secs > 7 * 24 * 3600 {
            return Err("hold_ttl_secs must be between 1 second and 7 days".to_owned());
        }
        let clock_speed = file.clock_speed.unwrap_or(1.0);
        if !(CLOCK_SPEED_MIN..=CLOCK_SPEED_MAX).contains(&clock_speed) {
            return Err(format!(
                "clock_speed must be between {CLOCK_SPEED_MIN} and {CLOCK_SPEED_MAX}"
            ));
        }
        let from_file = [
            (Role::Admin, file.tokens.admin),
            (Role::Operator, file.tokens.operator),
            (Role::Warehouse, file.tokens.warehouse),
            (Role::Ingest, file.tokens.ingest),
            (Role::Overlay, file.tokens.overlay),
            (Role::Viewer, file.tokens.viewer),
        ];
        let mut tokens = Vec::new();
        for (role, file_token) in from_file {
            let env = std::env::var(format!("LIVESTOCK_TOKEN_{}", role.name().to_uppercase())).ok();
            if let Some(token) = env.filter(|t| !t.is_empty()).or(file_token) {
                if token.len() < 8 {
                    return Err(format!(
                        "the {} token must have at least 8 characters",
                        role.name()
                    ));
                }
                tokens.push((role, token));
            }
        }
        Ok(Config {
            listen: args
                .listen
                .clone()
                .or(file.listen)
                .unwrap_or_else(|| LISTEN_DEFAULT.to_owned()),
            data_dir: args
                .data
                .clone()
                .or(file.data)
                .unwrap_or_else(|| PathBuf::from(DATA_DIR_DEFAULT)),
            hold_ttl_ms: hold_ttl_secs as i64 * 1000,
            snapshot_every_records: file
                .snapshot_every_records
                .unwrap_or(crate::journal::SNAPSHOT_EVERY_RECORDS_DEFAULT),
            feed_tick_ms: file
                .feed_tick_ms
                .unwrap_or(crate::web::feed::TICK_MS_DEFAULT)
                .clamp(10, 10_000),
            clock_speed,
            tokens,
            alerts: file.alerts.resolve()?,
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
mod tests {
    use super::*;

    fn resolve(toml_text: &str) -> Result<Config, String> {
        let file: FileConfig = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        let args = ServeArgs {
            listen: None,
            data: None,
            config: None,
        };
        Config::from_file(&args, file)
    }

    #[test]
    fn the_clock_runs_at_wall_speed_unless_told_and_within_its_bounds() {
        assert_eq!(resolve("").unwrap().clock_speed, 1.0);
        assert_eq!(resolve("clock_speed = 60").unwrap().clock_speed, 60.0);
        for bad in ["0", "-1", "0.05", "601", "nan", "inf"] {
            let err = resolve(&format!("clock_speed = {bad}")).unwrap_err();
            assert!(err.contains("clock_speed"), "{bad}: {err}");
        }
    }
}
