//! livestock (直播库存看板): the stock book of record and the live board of a live-stream shop.
//!
//! A tour of the modules, in the direction data flows:
//! - [`web`] takes HTTP requests, checks the caller's role, parses bodies into types that cannot be
//!   wrong, and hands the engine commands;
//! - [`engine`] is the one writer: it owns the pool, applies commands in batches, has the journal make
//!   each batch durable with one sync, publishes the changed stock views, and only then answers;
//! - [`domain`] is the pool itself: buckets, the order lifecycle, idempotency, limits; pure, with
//!   time passed in;
//! - [`journal`] is the truth on disk: checksummed records, replay, snapshots;
//! - [`config`] resolves the serve flags, environment and the config file into a checked
//!   [`config::Config`];
//! - [`tools`] stand outside the server and use only its public API: the demo show, the load
//!   generators, the child-server harness and the one client they and the tests share.

mod cluster;
pub mod config;
pub mod domain;
pub mod engine;
pub mod journal;
pub mod signal;
pub mod tools;
pub mod web;

use config::Config;
use domain::PoolConfig;
use domain::role::Role;
use engine::Engine;
use journal::jetstream::StreamSnapshots;
use journal::storage::Storage;
use journal::{Journal, JournalBackend, JournalOptions};
use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use web::auth::Tokens;

/// Why [`run`] stopped with an error; each kind has its own exit code.
#[derive(Debug)]
pub enum RunError {
    /// The server could not start or serve: a bad address, a damaged journal, a failed bind.
    Startup(String),
    /// The journal could not be written or synced (or the writer died): acknowledged events are
    /// safe, nothing unacknowledged was kept, and the server stopped rather than limp on.
    Journal(String),
}

impl RunError {
    /// The process exit code: 74 (`EX_IOERR`) for a journal failure, 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Startup(_) => 1,
            RunError::Journal(_) => 74,
        }
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Startup(e) | RunError::Journal(e) => f.write_str(e),
        }
    }
}

impl From<String> for RunError {
    fn from(e: String) -> Self {
        RunError::Startup(e)
    }
}

/// How long shutdown waits for the screens' WebSockets to close.
const SCREENS_CLOSE_WAIT_MS: u64 = 2_000;

/// How long a server whose journal failed stays up by default, answering writes 503 with `/readyz`
/// false and the screens showing the failure, before it stops (and `main` exits 74).
pub const FAILED_LINGER_MS_DEFAULT: u64 = 3_000;

/// What [`run_with`] takes beyond the config: the seams that tests (and failure rehearsals) use.
pub struct RunOptions {
    /// The journal's file system: the real one, or one that fails on command.
    pub storage: Arc<dyn Storage>,
    /// Disk reserved per journal segment.
    pub segment_bytes: u64,
    /// How long the server stays up after its journal failed, before it stops.
    pub failed_linger_ms: u64,
    /// Told the listening address once the server is ready for everything.
    pub on_ready: Option<tokio::sync::oneshot::Sender<std::net::SocketAddr>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            storage: Arc::new(journal::storage::OsStorage),
            segment_bytes: journal::SEGMENT_BYTES_DEFAULT,
            failed_linger_ms: FAILED_LINGER_MS_DEFAULT,
            on_ready: None,
        }
    }
}

/// Serves until `shutdown` completes, then finishes in-flight requests, flushes the journal, writes a
/// snapshot and returns. The listener accepts (for `/healthz`) while the journal replays; the line
/// `livestock listening on http://HOST:PORT` is printed once the server is ready for everything.
/// A journal that cannot be written stops the server too, and `run` returns [`RunError::Journal`].
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    run_with(config, shutdown, RunOptions::default()).await
}

/// [`run`] with the journal's storage, segment size and failure linger chosen by the caller.
pub async fn run_with(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: RunOptions,
) -> Result<(), RunError> {
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("listening on {}: {e}", config.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("reading the listening address: {e}"))?;
    let mut tokens = config.tokens.clone();
    let generated = if tokens.iter().any(|(r, _)| *r == Role::Admin) {
        None
    } else if tokens.is_empty() {
        let token = Config::generated_admin_token(&config.data_dir)?;
        tokens.push((Role::Admin, token.clone()));
        Some(token)
    } else {
        None
    };
    web::pages::install_metrics();
    let feed = web::feed::Feed::new(config.feed_tick_ms);
    let state = web::AppState::new(Tokens::new(tokens), feed.clone())
        .with_node(
            config
                .cluster
                .as_ref()
                .and_then(|c| c.advertise.clone())
                .unwrap_or_else(|| format!("http://{addr}")),
        )
        .with_cluster(
            config
                .cluster
                .as_ref()
                .map(|c| (c.shop.clone(), c.node_id.clone())),
        )
        .with_timezone(config.timezone.clone())
        .with_review(config.review.clone())
        .with_overlay_end_card(config.overlay_end_card)
        .with_signatures(config.signatures.clone())
        .with_rate_limits(&config.rate_limits)
        .with_ws_limits(config.websocket);
    let app = web::app(state.clone()).layer(tower_http::trace::TraceLayer::new_for_http());
    // The server stops on the signal, or a while after the journal failed.
    let journal_failed = Arc::new(tokio::sync::Notify::new());
    let linger = std::time::Duration::from_millis(options.failed_linger_ms);
    let stop = {
        let journal_failed = journal_failed.clone();
        async move {
            tokio::select! {
                () = shutdown => {}
                () = async { journal_failed.notified().await; tokio::time::sleep(linger).await } => {
                    tracing::error!("stopping: the journal failed; restart to replay it");
                }
            }
        }
    };
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
    });

    let data_dir = config.data_dir.clone();
    let pool_config = PoolConfig {
        hold_ttl_ms: config.hold_ttl_ms,
        order_retention_ms: config.order_retention_ms,
        slot_minutes_default: config.slot_minutes_default,
    };
    let journal_options = JournalOptions {
        snapshot_every_records: config.snapshot_every_records,
        segment_bytes: options.segment_bytes,
        storage: options.storage,
    };
    let clock = engine::scaled_clock_from(config.clock_start_ms, config.clock_speed);
    let tick_ms = engine::tick_ms_for(config.clock_speed);
    let mut release = None;
    let (engine, writer) = match &config.cluster {
        None => {
            let recovered = tokio::task::spawn_blocking(move || {
                Journal::open_with(&data_dir, pool_config, journal_options)
            })
            .await
            .map_err(|e| format!("replaying the journal: {e}"))??;
            tracing::info!(
                seq = recovered.pool.seq(),
                replayed = recovered.replayed,
                torn_bytes_cut = recovered.torn_bytes_cut,
                data = %config.data_dir.display(),
                "journal replayed"
            );
            let journal: Box<dyn JournalBackend> = Box::new(recovered.journal);
            Engine::start(
                recovered.pool,
                journal,
                clock,
                tick_ms,
                config.alerts.clone(),
            )
        }
        Some(cluster) => {
            let cluster::Prepared {
                journal,
                pool,
                tasks,
            } = cluster::prepare(
                cluster,
                pool_config,
                &StreamSnapshots {
                    dir: cluster::snapshot_dir(&config.data_dir, &cluster.shop),
                    every_records: config.snapshot_every_records,
                },
            )
            .await?;
            let (engine, writer) = Engine::start_as(
                pool,
                Box::new(journal),
                clock,
                tick_ms,
                config.alerts.clone(),
                false,
            );
            let info = state
                .cluster
                .clone()
                .expect("a cluster node's state says so");
            release = Some(tasks.run(engine.clone(), info, state.node.to_string()));
            (engine, writer)
        }
    };
    state.set_engine(engine.clone());
    tokio::spawn(feed.clone().run(engine.clone()));
    tokio::spawn(web::api::reports::archive::run(
        engine.clone(),
        config.timezone.clone(),
        config.data_dir.clone(),
    ));
    {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine.failed().await;
            journal_failed.notify_one();
        });
    }

    print_ready(addr, generated.as_deref(), &config.data_dir);
    if let Some(ready) = options.on_ready {
        let _ = ready.send(addr);
    }

    let served = server.await;
    feed.close();
    // Give the screens' connections a moment to send their close frames.
    let closing_deadline =
        tokio::time::Instant::now() + std::time::Duration::from_millis(SCREENS_CLOSE_WAIT_MS);
    while feed.connections() > 0 && tokio::time::Instant::now() < closing_deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    engine.stop();
    let flushed = tokio::task::spawn_blocking(move || writer.join())
        .await
        .map_err(|e| format!("stopping the writer: {e}"))?;
    // The writer has stopped: another node may lead the shop now.
    if let Some(release) = release {
        release.release().await;
    }
    match served {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(RunError::Startup(format!("serving: {e}"))),
        Err(e) => return Err(RunError::Startup(format!("serving: {e}"))),
    }
    flushed.map_err(RunError::Journal)
}

/// Prints the listening line and the board's URL (API.md "Starting").
fn print_ready(addr: std::net::SocketAddr, generated: Option<&str>, data_dir: &std::path::Path) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "livestock listening on http://{addr}");
    match generated {
        Some(token) => {
            let _ = writeln!(out, "board: http://{addr}/?token={token}");
            let _ = writeln!(
                out,
                "(no tokens configured: this admin token was generated and is kept in {})",
                data_dir.join(config::ADMIN_TOKEN_FILE).display()
            );
        }
        None => {
            let _ = writeln!(out, "board: http://{addr}/?token=YOUR_TOKEN");
        }
    }
    let _ = out.flush();
}

/// Completes on SIGTERM or Ctrl-C, and says what the server does next.
pub async fn shutdown_signal() {
    signal::terminated().await;
    tracing::info!("shutting down: finishing in-flight requests, then flushing the journal");
}
