//! The one writer. A single thread owns the pool; requests reach it over a bounded queue with a reply
//! channel. It takes every request waiting, applies them in order, journals them with one sync for the
//! whole batch (group commit), publishes the changed stock views for readers, and only then answers.
//! Readers never wait for it: they read the published views.

use crate::domain::alerts::{self, Alert, AlertConfig, Scope};
use crate::domain::series::{SERIES_SKUS_MAX, Sample, Series};
use crate::domain::show::ShowView;
use crate::domain::stock::StockView;
use crate::domain::types::SkuCode;
use crate::domain::{Command, Ctx, Effect, Outcome, Pool, Refusal};
use crate::journal::{Journal, SnapshotJob};
use dashmap::DashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

/// Requests waiting for the writer; a full queue makes senders wait (back-pressure, not memory).
pub const QUEUE_JOBS_MAX: usize = 8192;
/// The most requests the writer takes into one batch (one sync).
pub const BATCH_JOBS_MAX: usize = 2048;
/// How often the writer looks for expired holds and refreshes time-dependent views, in real
/// time, on a clock at wall speed.
pub const TICK_MS: u64 = 1000;
/// The shortest writer tick: a fast clock ticks more often (so a hold's life and the warnings
/// keep their show-time resolution), but not more often than this.
const TICK_MS_MIN: u64 = 100;

/// The writer's tick for a clock running `clock_speed` times the wall clock: about one
/// server-second per tick, within [`TICK_MS_MIN`] and [`TICK_MS`].
pub fn tick_ms_for(clock_speed: f64) -> u64 {
    ((TICK_MS as f64 / clock_speed) as u64).clamp(TICK_MS_MIN, TICK_MS)
}
/// Alert frames waiting for the screens' feed.
const ALERT_QUEUE_MAX: usize = 1024;
/// Open alerts sent in a snapshot.
pub const SNAPSHOT_ALERTS_MAX: usize = 100;

/// The answer to one request: one result per command, in order.
pub type Reply = Vec<Result<Effect, Refusal>>;

/// A function that reads the pool on the writer's thread.
type ReadFn = Box<dyn FnOnce(&Pool) + Send>;

enum Job {
    Apply {
        cmds: Vec<Command>,
        reply: oneshot::Sender<Reply>,
    },
    Read(ReadFn),
}

/// The writer is gone: the server is shutting down (or died on a journal error).
#[derive(Debug)]
pub struct EngineGone;

/// Milliseconds since the Unix epoch; a function so tests can run the engine on their own clock.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(wall_ms)
}

fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The wall clock from now on, run `speed` times as fast: a fast-forwarded demo show whose
/// minutes (rates, holds, warnings, series) pass in `1/speed` of a real minute. Monotonic: it
/// follows a steady timer from its start, not the wall clock's jumps.
pub fn scaled_clock(speed: f64) -> Clock {
    if speed == 1.0 {
        return system_clock();
    }
    let (start_ms, start) = (wall_ms(), std::time::Instant::now());
    Arc::new(move || start_ms + (start.elapsed().as_secs_f64() * 1000.0 * speed) as i64)
}

/// Whether the engine takes writes; the screens show it (a red banner) and `/readyz` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteState {
    /// Writes are taken.
    Ok = 0,
    /// The next journal segment could not be allocated: writes are refused before anything changes,
    /// and taken again by themselves once space returns.
    DiskFull = 1,
    /// A journal write or sync failed, or the writer died: nothing more is taken; restart to replay.
    Failed = 2,
}

impl WriteState {
    /// The name in frames and in `/readyz`: `ok`, `disk_full`, `failed`.
    pub fn name(self) -> &'static str {
        match self {
            WriteState::Ok => "ok",
            WriteState::DiskFull => "disk_full",
            WriteState::Failed => "failed",
        }
    }

    fn from_u8(v: u8) -> Self {
        match v {
            0 => WriteState::Ok,
            1 => WriteState::DiskFull,
            _ => WriteState::Failed,
        }
    }
}

/// What changed since the screens' feed last took the changes.
#[derive(Debug, Default)]
pub struct Changes {
    pub skus: BTreeSet<SkuCode>,
    pub show: bool,
    /// A new point of the time series, when one was taken.
    pub sample: Option<Sample>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.skus.is_empty() && !self.show && self.sample.is_none()
    }
}

/// What the writer publishes after each batch for readers that must not queue behind it.
struct Published {
    /// Every SKU's stock view as of the last committed batch.
    views: DashMap<SkuCode, StockView>,
    /// The journal sequence number the published views include. Written after the views, so a
    /// reader that loads it first and then reads views sees at least that state.
    seq: AtomicU64,
    show: RwLock<Arc<ShowView>>,
    series: RwLock<Arc<Series>>,
    /// The open (unacknowledged) alerts, newest first.
    open_alerts: RwLock<Arc<Vec<Alert>>>,
    /// Alerts as they fire or are acknowledged, for the screens at once.
    alert_tx: broadcast::Sender<Alert>,
    changes: Mutex<Changes>,
    /// A [`WriteState`], as its number.
    writes: std::sync::atomic::AtomicU8,
}

/// A handle to the writer, cheap to clone. Readers use the published state without queueing.
#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Job>,
    published: Arc<Published>,
    /// Tells the writer to drain its queue and stop.
    stop: Arc<watch::Sender<bool>>,
    /// The writer's clock, for frames that tell the screens the server's time.
    clock: Clock,
}

/// The writer thread; join it to know every acknowledged command is on disk and the snapshot written.
pub struct WriterThread(std::thread::JoinHandle<Result<(), String>>);

impl WriterThread {
    pub fn join(self) -> Result<(), String> {
        self.0
            .join()
            .unwrap_or_else(|_| Err("the writer thread panicked".to_owned()))
    }
}

impl Engine {
    /// Starts the writer on its own thread over a recovered pool and journal.
    pub fn start(
        pool: Pool,
        journal: Journal,
        clock: Clock,
        tick_ms: u64,
        alert_config: AlertConfig,
    ) -> (Engine, WriterThread) {
        let (tx, rx) = mpsc::channel(QUEUE_JOBS_MAX);
        let (stop, stopped) = watch::channel(false);
        let now = clock();
        let views = DashMap::new();
        for sku in pool.skus() {
            views.insert(sku.code.clone(), sku.view(now));
        }
        let published = Arc::new(Published {
            views,
            seq: AtomicU64::new(pool.seq()),
            show: RwLock::new(Arc::new(pool.show_view())),
            series: RwLock::new(Arc::new(Series::new())),
            open_alerts: RwLock::new(Arc::new(open_alerts(&pool))),
            alert_tx: broadcast::channel(ALERT_QUEUE_MAX).0,
            changes: Mutex::new(Changes::default()),
            writes: std::sync::atomic::AtomicU8::new(WriteState::Ok as u8),
        });
        let writer = Writer {
            pool,
            journal,
            published: published.clone(),
            clock: clock.clone(),
            tick_ms,
            snapshotting: None,
            series: Series::new(),
            series_show_start: None,
            alert_config,
            alerts_out: Vec::new(),
        };
        let thread = std::thread::Builder::new()
            .name("livestock-writer".to_owned())
            .spawn(move || writer.run(rx, stopped))
            .expect("spawning the writer thread");
        let engine = Engine {
            tx,
            published,
            stop: Arc::new(stop),
            clock,
        };
        (engine, WriterThread(thread))
    }

    /// The server's time now, in ms since the epoch, on the writer's clock.
    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// Applies commands in order and answers once they are durable.
    pub async fn apply(&self, cmds: Vec<Command>) -> Result<Reply, EngineGone> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job::Apply { cmds, reply })
            .await
            .map_err(|_| EngineGone)?;
        answer.await.map_err(|_| EngineGone)
    }

    /// Runs `f` on the pool, in order with the commands before it, after they are durable.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Pool) -> T + Send + 'static,
    ) -> Result<T, EngineGone> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Read(Box::new(move |pool| {
            let _ = reply.send(f(pool));
        }));
        self.tx.send(job).await.map_err(|_| EngineGone)?;
        answer.await.map_err(|_| EngineGone)
    }

    /// One SKU's published view.
    pub fn view(&self, code: &SkuCode) -> Option<StockView> {
        self.published.views.get(code).map(|v| v.clone())
    }

    /// Every published view, sorted by SKU code.
    pub fn views(&self) -> Vec<StockView> {
        let mut all: Vec<StockView> = self.published.views.iter().map(|v| v.clone()).collect();
        all.sort_unstable_by(|a, b| a.sku.cmp(&b.sku));
        all
    }

    pub fn contains(&self, code: &SkuCode) -> bool {
        self.published.views.contains_key(code)
    }

    /// The journal sequence number the published views include. Load it before reading views.
    pub fn seq(&self) -> u64 {
        self.published.seq.load(Ordering::Acquire)
    }

    /// The show as of the last committed batch.
    pub fn show(&self) -> Arc<ShowView> {
        self.published.show.read().expect("show lock").clone()
    }

    /// The time series of the show so far.
    pub fn series(&self) -> Arc<Series> {
        self.published.series.read().expect("series lock").clone()
    }

    /// The open alerts, newest first.
    pub fn open_alerts(&self) -> Arc<Vec<Alert>> {
        self.published
            .open_alerts
            .read()
            .expect("alerts lock")
            .clone()
    }

    /// Alerts as they fire or are acknowledged.
    pub fn subscribe_alerts(&self) -> broadcast::Receiver<Alert> {
        self.published.alert_tx.subscribe()
    }

    /// Whether writes are taken now.
    pub fn writes(&self) -> WriteState {
        WriteState::from_u8(self.published.writes.load(Ordering::Acquire))
    }

    /// Takes what changed since the last call (for the screens' feed).
    pub fn take_changes(&self) -> Changes {
        std::mem::take(&mut *self.published.changes.lock().expect("changes lock"))
    }

    /// Asks the writer to finish what is queued, snapshot, and stop.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// Counts the answers of a batch for `/metrics`, by result.
fn count_answers<'a>(results: impl Iterator<Item = &'a Result<Effect, Refusal>>) {
    let (mut accepted, mut duplicate, mut rejected, mut refused, mut other) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for r in results {
        match r {
            Ok(Effect {
                outcome: Outcome::Order(a),
                ..
            }) => match a {
                crate::domain::order::Answer::Accepted { .. } => accepted += 1,
                crate::domain::order::Answer::Duplicate { .. } => duplicate += 1,
                crate::domain::order::Answer::Rejected { .. } => rejected += 1,
            },
            Ok(_) => other += 1,
            Err(_) => refused += 1,
        }
    }
    for (result, n) in [
        ("accepted", accepted),
        ("duplicate", duplicate),
        ("rejected", rejected),
        ("refused", refused),
        ("other_command", other),
    ] {
        if n > 0 {
            metrics::counter!("livestock_commands_total", "result" => result).increment(n);
        }
    }
}

/// The open alerts of the pool, newest first, at most [`SNAPSHOT_ALERTS_MAX`].
fn open_alerts(pool: &Pool) -> Vec<Alert> {
    pool.alerts()
        .alerts
        .iter()
        .rev()
        .filter(|a| a.acked_by.is_none())
        .take(SNAPSHOT_ALERTS_MAX)
        .cloned()
        .collect()
}

struct Writer {
    pool: Pool,
    journal: Journal,
    published: Arc<Published>,
    clock: Clock,
    /// Real milliseconds between two ticks ([`tick_ms_for`]).
    tick_ms: u64,
    /// The show's time series; sampled on each tick.
    series: Series,
    /// The start of the show the series belongs to: a new show starts new series.
    series_show_start: Option<i64>,
    alert_config: AlertConfig,
    /// Alerts fired or acknowledged in the batch, sent to the screens once it is durable.
    alerts_out: Vec<Alert>,
    /// The snapshot being written in the background, if one is.
    snapshotting: Option<std::thread::JoinHandle<Result<u64, String>>>,
}

impl Writer {
    fn run(
        mut self,
        mut rx: mpsc::Receiver<Job>,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<(), String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| format!("starting the writer's runtime: {e}"))?;
        rt.block_on(async {
            let mut tick = tokio::time::interval(Duration::from_millis(self.tick_ms));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut batch = Vec::with_capacity(BATCH_JOBS_MAX);
            let mut closing = false;
            loop {
                tokio::select! {
                    n = rx.recv_many(&mut batch, BATCH_JOBS_MAX) => {
                        if n == 0 {
                            break;
                        }
                        self.process(&mut batch);
                    }
                    _ = tick.tick() => self.tick(),
                    _ = stopped.changed(), if !closing => {
                        closing = true;
                        rx.close();
                    }
                }
            }
        });
        self.finish()
    }

    fn process(&mut self, batch: &mut Vec<Job>) {
        let now = (self.clock)();
        let mut changed = BTreeSet::new();
        let mut replies = Vec::with_capacity(batch.len());
        let mut reads = Vec::new();
        for job in batch.drain(..) {
            match job {
                Job::Apply { cmds, reply } => {
                    let mut out = Vec::with_capacity(cmds.len());
                    for cmd in &cmds {
                        out.push(self.apply(cmd, now, &mut changed));
                    }
                    replies.push((reply, out));
                }
                Job::Read(f) => reads.push(f),
            }
        }
        let scope = changed.clone();
        self.evaluate_alerts(Scope::Skus(&scope), now, &mut changed);
        self.commit(&changed, now);
        count_answers(replies.iter().flat_map(|(_, out)| out));
        for (reply, out) in replies {
            let _ = reply.send(out); // the client may have gone; its command stands
        }
        for f in reads {
            f(&self.pool);
        }
        self.maybe_snapshot();
    }

    fn apply(
        &mut self,
        cmd: &Command,
        now_ms: i64,
        changed: &mut BTreeSet<SkuCode>,
    ) -> Result<Effect, Refusal> {
        let ctx = Ctx {
            seq: self.pool.seq() + 1,
            now_ms,
        };
        let result = self.pool.apply(cmd, ctx);
        if let Ok(effect) = &result {
            if effect.journal {
                self.journal.append(cmd, ctx);
            }
            changed.extend(effect.changed.iter().cloned());
            match (&effect.outcome, cmd) {
                (Outcome::Acked(alert), _) => self.alerts_out.push((**alert).clone()),
                (Outcome::Alerts, Command::Alerts { fired, .. }) => {
                    self.alerts_out.extend(fired.iter().cloned())
                }
                _ => {}
            }
        }
        result
    }

    /// Judges the warnings in `scope` and journals what fired or re-armed with the batch.
    fn evaluate_alerts(&mut self, scope: Scope<'_>, now_ms: i64, changed: &mut BTreeSet<SkuCode>) {
        let verdict = alerts::evaluate(&self.pool, scope, now_ms, &self.alert_config);
        if verdict.is_empty() {
            return;
        }
        let cmd = Command::Alerts {
            fired: verdict.fired,
            rearmed: verdict.rearmed,
        };
        if let Err(refusal) = self.apply(&cmd, now_ms, changed) {
            tracing::error!(?refusal, "recording alerts was refused");
        }
    }

    /// Makes the batch durable, then publishes what changed. A journal that cannot be written
    /// stops the server: nothing of the batch was acknowledged, and nothing may be.
    fn commit(&mut self, changed: &BTreeSet<SkuCode>, now_ms: i64) {
        let pending = self.journal.has_pending();
        let started = std::time::Instant::now();
        if let Err(e) = self.journal.commit() {
            tracing::error!(error = %e, "the journal cannot be written; stopping without acknowledging the batch");
            std::process::exit(70);
        }
        if pending {
            metrics::histogram!("livestock_journal_commit_seconds")
                .record(started.elapsed().as_secs_f64());
        }
        metrics::gauge!("livestock_journal_seq").set(self.pool.seq() as f64);
        let published = &self.published;
        let mut moved = Vec::with_capacity(changed.len());
        for code in changed {
            let Some(view) = self.pool.sku(code).map(|s| s.view(now_ms)) else {
                continue;
            };
            if published.views.get(code).is_none_or(|old| *old != view) {
                published.views.insert(code.clone(), view);
                moved.push(code.clone());
            }
        }
        published.seq.store(self.pool.seq(), Ordering::Release);
        let show = self.pool.show_view();
        let show_changed = **published.show.read().expect("show lock") != show;
        if show_changed {
            *published.show.write().expect("show lock") = Arc::new(show);
        }
        if show_changed || !moved.is_empty() {
            let mut changes = published.changes.lock().expect("changes lock");
            changes.skus.extend(moved);
            changes.show |= show_changed;
        }
        if !self.alerts_out.is_empty() {
            *published.open_alerts.write().expect("alerts lock") =
                Arc::new(open_alerts(&self.pool));
            for alert in self.alerts_out.drain(..) {
                let _ = published.alert_tx.send(alert); // no screen listening is fine
            }
        }
    }

    /// Adds a point to the time series (lineup SKUs' stock first) and publishes it.
    fn sample(&mut self, now_ms: i64) {
        let show = self.pool.show();
        let started = show.and_then(|s| s.started_ms);
        if started != self.series_show_start {
            self.series = Series::new();
            self.series_show_start = started;
        }
        let mut stock = BTreeMap::new();
        let lineup = show
            .into_iter()
            .flat_map(|s| s.lineup.iter().map(|i| &i.sku));
        let others = self.pool.skus().map(|s| &s.code);
        for code in lineup.chain(others) {
            if stock.len() >= SERIES_SKUS_MAX {
                break;
            }
            if let Some(sku) = self.pool.sku(code) {
                stock.insert(code.clone(), sku.available());
            }
        }
        let sample = Sample {
            t: now_ms,
            viewers: show.map_or(0, |s| s.viewers),
            gmv_cents: show.map_or(0, |s| s.gmv_cents),
            orders: show.map_or(0, |s| s.orders),
            units: show.map_or(0, |s| s.units),
            stock,
        };
        if self.series.push(&sample) {
            *self.published.series.write().expect("series lock") = Arc::new(self.series.clone());
            self.published.changes.lock().expect("changes lock").sample = Some(sample);
        }
    }

    /// Expires holds whose time ran out and refreshes the views whose rates move with time.
    fn tick(&mut self) {
        let now = (self.clock)();
        let due = self.pool.due_holds(now);
        let mut changed = BTreeSet::new();
        if !due.is_empty() {
            let cmd = Command::Expire { orders: due };
            if let Err(refusal) = self.apply(&cmd, now, &mut changed) {
                tracing::error!(?refusal, "expiring holds was refused");
            }
        }
        for sku in self.pool.skus() {
            if sku.sold_units > 0 || sku.presale_sold > 0 {
                changed.insert(sku.code.clone());
            }
        }
        self.evaluate_alerts(Scope::All, now, &mut changed);
        self.commit(&changed, now);
        self.sample(now);
        self.maybe_snapshot();
    }

    fn maybe_snapshot(&mut self) {
        if let Some(handle) = &self.snapshotting {
            if !handle.is_finished() {
                return;
            }
            let handle = self.snapshotting.take().expect("checked above");
            match handle.join() {
                Ok(Ok(seq)) => tracing::info!(seq, "snapshot written"),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "snapshot failed; the journal still holds everything")
                }
                Err(_) => tracing::error!(
                    "the snapshot thread panicked; the journal still holds everything"
                ),
            }
        }
        if !self.journal.snapshot_due() {
            return;
        }
        match self.journal.begin_snapshot(&self.pool) {
            Ok(job) => {
                let spawned = std::thread::Builder::new()
                    .name("livestock-snapshot".to_owned())
                    .spawn(move || SnapshotJob::write(job));
                match spawned {
                    Ok(handle) => self.snapshotting = Some(handle),
                    Err(e) => tracing::error!(error = %e, "cannot start the snapshot thread"),
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot begin a snapshot"),
        }
    }

    /// On shutdown: wait for a running snapshot, then write a final one so the next start is quick.
    fn finish(mut self) -> Result<(), String> {
        if let Some(handle) = self.snapshotting.take() {
            let _ = handle.join();
        }
        self.journal
            .commit()
            .map_err(|e| format!("flushing the journal: {e}"))?;
        let seq = self.journal.begin_snapshot(&self.pool)?.write()?;
        tracing::info!(seq, "journal flushed and snapshot written");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faster_clock_ticks_more_often_down_to_a_floor() {
        assert_eq!(tick_ms_for(1.0), TICK_MS);
        assert_eq!(
            tick_ms_for(0.1),
            TICK_MS,
            "a slow clock never ticks less often"
        );
        assert_eq!(tick_ms_for(4.0), 250);
        assert_eq!(tick_ms_for(60.0), TICK_MS_MIN);
        assert_eq!(tick_ms_for(600.0), TICK_MS_MIN);
    }
}
