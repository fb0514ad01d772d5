//! A `livestock serve` child process, for the commands that bring their own server (`load`, `demo`):
//! started with its tokens on a data dir (a temporary one unless given), its URL read from its
//! `livestock listening on` line, and stopped with SIGTERM so it flushes its journal and exits 0.

use crate::domain::role::Role;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a child may take to print its listening line (a fresh or small journal replays fast).
pub const START_TIMEOUT_MS: u64 = 30_000;
/// How long a SIGTERM'd child may take to finish its requests and flush before it is killed.
pub const STOP_TIMEOUT_MS: u64 = 15_000;
/// How often a stopping child is checked for its exit.
const STOP_POLL_MS: u64 = 20;
/// The line a ready server prints (API.md "Starting").
const LISTENING: &str = "livestock listening on ";
/// Settings the parent's environment could hand the child behind its back.
const INHERITED_VARS: &[&str] = &["LIVESTOCK_LISTEN", "LIVESTOCK_DATA", "LIVESTOCK_CONFIG"];

/// How to start the child.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Where it listens; port 0 picks a free port.
    pub listen: String,
    /// Its data dir; `None` makes a temporary one, removed once the child has stopped.
    pub data: Option<PathBuf>,
    /// The text of a `--config` file, written to a temporary file the child reads at start.
    pub config_toml: Option<String>,
    /// Its tokens, given as `LIVESTOCK_TOKEN_*`; no other token reaches it from our environment.
    pub tokens: Vec<(Role, String)>,
    /// Its `RUST_LOG`: its log goes to our stderr, so the callers keep it quiet.
    pub log_filter: String,
    /// The prefix of the temporary dirs, so a stray one says who left it.
    pub temp_prefix: String,
}

/// A running child server; stopped (SIGTERM, then SIGKILL after [`STOP_TIMEOUT_MS`]) when dropped.
pub struct ServerChild {
    child: Child,
    /// `http://HOST:PORT`, as the child printed it.
    pub url: String,
    /// Whether [`ServerChild::stop`] already ran, so the drop does not stop it twice.
    stopped: bool,
    /// Held so the temporary data dir outlives the child; removed after it, as fields drop after
    /// [`Drop::drop`] ran.
    temp_data: Option<tempfile::TempDir>,
    /// Held for the same reason: the config file stays until the child is gone.
    _temp_config: Option<tempfile::TempDir>,
}

impl ServerChild {
    /// Starts this very binary as `livestock serve` and waits until it says where it listens.
    pub fn spawn(options: &ServerOptions) -> Result<ServerChild, String> {
        let temp_data = match &options.data {
            Some(_) => None,
            None => Some(temp_dir(&options.temp_prefix)?),
        };
        let data: &Path = match (&options.data, &temp_data) {
            (Some(dir), _) => dir,
            (None, Some(temp)) => temp.path(),
            (None, None) => unreachable!("a temporary data dir was just made"),
        };
        let temp_config = match &options.config_toml {
            Some(toml) => {
                let dir = temp_dir(&options.temp_prefix)?;
                let path = dir.path().join("livestock.toml");
                std::fs::write(&path, toml)
                    .map_err(|e| format!("writing {}: {e}", path.display()))?;
                Some((dir, path))
            }
            None => None,
        };
        let exe = std::env::current_exe().map_err(|e| format!("finding this binary: {e}"))?;
        let mut cmd = Command::new(exe);
        cmd.args(["serve", "--listen", &options.listen, "--data"])
            .arg(data);
        if let Some((_, path)) = &temp_config {
            cmd.arg("--config").arg(path);
        }
        for var in INHERITED_VARS {
            cmd.env_remove(var);
        }
        for role in Role::ALL {
            cmd.env_remove(token_var(role));
        }
        for (role, token) in &options.tokens {
            cmd.env(token_var(*role), token);
        }
        let mut child = cmd
            .env("RUST_LOG", &options.log_filter)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting the server: {e}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        // Read the listening line, then keep draining so the child never writes into a closed pipe.
        let (tx, rx) = mpsc::sync_channel::<String>(1);
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix(LISTENING)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(url.trim().trim_end_matches('/').to_owned());
                }
            }
        });
        let mut server = ServerChild {
            child,
            url: String::new(),
            stopped: false,
            temp_data,
            _temp_config: temp_config.map(|(dir, _)| dir),
        };
        match rx.recv_timeout(Duration::from_millis(START_TIMEOUT_MS)) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                let _ = server.stop();
                Err(match status {
                    Some(status) => format!(
                        "the server exited ({status}) before it was ready; its error is above \
                         (is --listen {} free?)",
                        options.listen
                    ),
                    None => format!("the server did not get ready within {START_TIMEOUT_MS} ms"),
                })
            }
        }
    }

    /// The child's process id (for reading its memory in a benchmark).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The data dir the child uses when it is a temporary one.
    pub fn temp_data_dir(&self) -> Option<&Path> {
        self.temp_data.as_ref().map(|d| d.path())
    }

    /// Asks the child to stop (SIGTERM: it finishes in-flight requests and flushes its journal) and
    /// waits for it; kills it if it takes longer than [`STOP_TIMEOUT_MS`]. Blocks.
    pub fn stop(&mut self) -> Result<ExitStatus, String> {
        self.stopped = true;
        if let Some(status) = self.child.try_wait().map_err(|e| format!("waiting: {e}"))? {
            return Ok(status);
        }
        terminate(&mut self.child);
        let deadline = Instant::now() + Duration::from_millis(STOP_TIMEOUT_MS);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(STOP_POLL_MS));
                }
                Ok(None) => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return Err(format!(
                        "the server did not stop within {STOP_TIMEOUT_MS} ms and was killed"
                    ));
                }
                Err(e) => return Err(format!("waiting for the server: {e}")),
            }
        }
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        if !self.stopped {
            let _ = self.stop();
        }
    }
}

fn token_var(role: Role) -> String {
    format!("LIVESTOCK_TOKEN_{}", role.name().to_uppercase())
}

fn temp_dir(prefix: &str) -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|e| format!("making a temporary dir: {e}"))
}

/// SIGTERM through the `kill` command, which every Unix has, so no signal crate is needed.
#[cfg(unix)]
fn terminate(child: &mut Child) {
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !sent.is_ok_and(|s| s.success()) {
        let _ = child.kill();
    }
}

#[cfg(not(unix))]
fn terminate(child: &mut Child) {
    let _ = child.kill();
}
