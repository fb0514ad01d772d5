//! A `livestock serve` child process, for the tools that bring their own server (`demo`, `load`,
//! `load-screens`) and for the end-to-end tests: started with its tokens on a data dir (a temporary
//! one unless given), its URL read from its `livestock listening on` line, stopped with SIGTERM so it
//! flushes its journal and exits 0, or killed with SIGKILL to test a crash.

use crate::domain::role::Role;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
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
/// The most output lines a [`Logs`] keeps (enough for a failure message, bounded for a long test).
const LOG_LINES_MAX: usize = 2_000;

/// The output of the child processes that share it (a test's server across its restarts), kept
/// line by line, for failure messages.
#[derive(Debug, Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<String>>>);

impl Logs {
    /// Everything kept so far, one line each.
    pub fn text(&self) -> String {
        self.0.lock().map(|l| l.join("\n")).unwrap_or_default()
    }

    fn push(&self, line: String) {
        if let Ok(mut lines) = self.0.lock()
            && lines.len() < LOG_LINES_MAX
        {
            lines.push(line);
        }
    }
}

/// How to start the child.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The `livestock` binary to run; `None` runs this very binary (a tool starting its server).
    pub exe: Option<PathBuf>,
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
    /// Where the child's stdout and stderr go: `None` passes its stderr through to ours (and
    /// drops its stdout after the listening line); `Some` keeps both, line by line.
    pub logs: Option<Logs>,
    /// How long it may take to print its listening line, replay included.
    pub start_timeout_ms: u64,
}

impl ServerOptions {
    /// A child of this very binary on port 0 and a temporary data dir, with `tokens`, logging
    /// warnings to our stderr: what a tool wants.
    pub fn tool(temp_prefix: &str, tokens: Vec<(Role, String)>) -> ServerOptions {
        ServerOptions {
            exe: None,
            listen: "127.0.0.1:0".to_owned(),
            data: None,
            config_toml: None,
            tokens,
            log_filter: "warn".to_owned(),
            temp_prefix: temp_prefix.to_owned(),
            logs: None,
            start_timeout_ms: START_TIMEOUT_MS,
        }
    }
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
    /// Starts `livestock serve` and waits until it says where it listens.
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
        let exe = match &options.exe {
            Some(exe) => exe.clone(),
            None => std::env::current_exe().map_err(|e| format!("finding this binary: {e}"))?,
        };
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
        let stderr = match options.logs {
            Some(_) => Stdio::piped(),
            None => Stdio::inherit(),
        };
        let mut child = cmd
            .env("RUST_LOG", &options.log_filter)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("starting the server: {e}"))?;
        let (tx, rx) = mpsc::sync_channel::<String>(1);
        let stdout = child.stdout.take().expect("stdout is piped");
        drain(stdout, options.logs.clone(), Some(tx));
        if let Some(stderr) = child.stderr.take() {
            drain(stderr, options.logs.clone(), None);
        }
        let mut server = ServerChild {
            child,
            url: String::new(),
            stopped: false,
            temp_data,
            _temp_config: temp_config.map(|(dir, _)| dir),
        };
        match rx.recv_timeout(Duration::from_millis(options.start_timeout_ms)) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                let _ = server.kill();
                Err(match status {
                    Some(status) => format!(
                        "the server exited ({status}) before it was ready; its output says why \
                         (is --listen {} free?)",
                        options.listen
                    ),
                    None => format!(
                        "the server did not get ready within {} ms",
                        options.start_timeout_ms
                    ),
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

    /// Kills the child with SIGKILL (no chance to flush anything, as in a crash) and reaps it.
    pub fn kill(&mut self) -> Result<ExitStatus, String> {
        self.stopped = true;
        let _ = self.child.kill();
        self.child
            .wait()
            .map_err(|e| format!("waiting for the server: {e}"))
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        if !self.stopped {
            let _ = self.stop();
        }
    }
}

/// Copies a child's output line by line into `logs` (if any); the listening line's URL also goes
/// to `listening`, once. It keeps reading to the end, so the child never writes into a closed pipe.
fn drain(
    out: impl Read + Send + 'static,
    logs: Option<Logs>,
    listening: Option<mpsc::SyncSender<String>>,
) {
    std::thread::spawn(move || {
        let mut listening = listening;
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix(LISTENING)
                && let Some(tx) = listening.take()
            {
                let _ = tx.send(url.trim().trim_end_matches('/').to_owned());
            }
            if let Some(logs) = &logs {
                logs.push(line);
            }
        }
    });
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
