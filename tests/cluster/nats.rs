//! Real Debian `nats-server`s on loopback for the cluster tests: one alone, or three in a
//! JetStream cluster. Each runs in its own temporary store and is killed (SIGKILL) when dropped.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Nats {
    child: Option<Child>,
    pub url: String,
    _store: tempfile::TempDir,
}

/// A port free now on 127.0.0.1 (the server binds it a moment later).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Nats {
    fn start(name: &str, port: u16, cluster: Option<(u16, &[u16])>) -> Nats {
        let store = tempfile::tempdir().expect("a store dir");
        let mut cmd = Command::new("nats-server");
        cmd.args([
            "-js",
            "-a",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-n",
            name,
        ])
        .arg("-sd")
        .arg(store.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        if let Some((cluster_port, peers)) = cluster {
            let routes: Vec<String> = peers
                .iter()
                .map(|p| format!("nats://127.0.0.1:{p}"))
                .collect();
            cmd.args(["--cluster_name", "livestock-test"])
                .args(["--cluster", &format!("nats://127.0.0.1:{cluster_port}")])
                .args(["--routes", &routes.join(",")]);
        }
        let child = cmd
            .spawn()
            .expect("nats-server (apt-get install nats-server; scripts/test installs it)");
        let nats = Nats {
            child: Some(child),
            url: format!("nats://127.0.0.1:{port}"),
            _store: store,
        };
        nats.wait_listening(port);
        nats
    }

    fn wait_listening(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server on {port} did not listen"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// One server with JetStream.
    pub fn single() -> Nats {
        Nats::start("solo", free_port(), None)
    }

    /// Three servers routed into one JetStream cluster.
    pub fn cluster() -> Vec<Nats> {
        let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let cluster_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        (0..3)
            .map(|i| {
                let peers: Vec<u16> = cluster_ports
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, p)| *p)
                    .collect();
                Nats::start(&format!("n{i}"), ports[i], Some((cluster_ports[i], &peers)))
            })
            .collect()
    }

    /// Sends the server SIGKILL, as a crash would, without waiting for it (callable while
    /// others borrow it).
    pub fn sigkill(&self) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .args(["-9", &child.id().to_string()])
                .status();
        }
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.kill();
    }
}
