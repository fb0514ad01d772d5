//! livestock nodes whose journal is a shop's JetStream stream, as child processes on loopback.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TOKEN: &str = "cluster-admin-token";

pub struct Node {
    child: Option<Child>,
    pub url: String,
    data: Option<tempfile::TempDir>,
}

/// How a node is started beyond its shop and NATS servers.
#[derive(Default)]
pub struct Options {
    /// Its data dir (a restart passes the one it had); a new one when `None`.
    pub data: Option<tempfile::TempDir>,
    /// `snapshot_every_records` in its config file.
    pub snapshot_every: Option<u64>,
    /// `clock_speed` in its config file.
    pub clock_speed: Option<f64>,
}

impl Node {
    /// Starts a node of `shop` on `nats` (a comma-joined list). It listens at once; it answers
    /// 503 until it holds the shop's lease.
    pub fn start(nats: &str, shop: &str) -> Node {
        Node::start_with(nats, shop, Options::default())
    }

    /// Starts a node as [`Node::start`] does, with `options`. Its log (info and up) goes to
    /// `log.txt` in its data dir.
    pub fn start_with(nats: &str, shop: &str, options: Options) -> Node {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let data = options.data.unwrap_or_else(|| tempfile::tempdir().unwrap());
        let config = data.path().join("livestock.toml");
        let mut toml = String::new();
        if let Some(n) = options.snapshot_every {
            toml += &format!("snapshot_every_records = {n}\n");
        }
        if let Some(speed) = options.clock_speed {
            toml += &format!("clock_speed = {speed}\n");
        }
        std::fs::write(&config, toml).unwrap();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.path().join("log.txt"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_livestock"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data")
            .arg(data.path())
            .arg("--config")
            .arg(&config)
            .args(["--journal", nats, "--shop", shop])
            .env("LIVESTOCK_TOKEN_ADMIN", TOKEN)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the livestock binary");
        let node = Node {
            child: Some(child),
            url: format!("http://127.0.0.1:{port}"),
            data: Some(data),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the node did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        node
    }

    /// The node's data dir.
    pub fn data(&self) -> &std::path::Path {
        self.data.as_ref().expect("a data dir").path()
    }

    /// What the node has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data().join("log.txt")).unwrap_or_default()
    }

    /// Kills the node (SIGKILL) and hands its data dir over, for a restart.
    pub fn into_data(mut self) -> tempfile::TempDir {
        self.kill();
        self.data.take().expect("a data dir")
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().expect("running").id() as i32
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Kills the node at once (SIGKILL).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits for the node to exit by itself; its exit code.
    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let child = self.child.as_mut()?;
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}
