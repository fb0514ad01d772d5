//! The writer loop: take a batch, apply it, journal it with one sync, publish, answer. It owns the
//! pool; nothing else changes it. A journal failure or a panic stops it for good (fail stop).

use super::published::Published;
use super::{BATCH_EVENTS_MAX, Clock, EngineError, Follow, Job, Reply, WriteState};
use crate::domain::alerts::{self, Alert, AlertConfig, Scope};
use crate::domain::order::OrderKey;
use crate::domain::series::{SERIES_SKUS_MAX, Sample, Series};
use crate::domain::types::SkuCode;
use crate::domain::{Command, Ctx, Effect, Outcome, Pool, Refusal};
use crate::journal::{JournalBackend, SnapshotJob};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};

/// How long the writer waits before trying a snapshot again after one could not begin.
const SNAPSHOT_RETRY_MS: u64 = 10_000;

/// The journal failed: the reason, for the log and the exit.
struct Failed(String);

pub(super) struct Writer {
    pool: Pool,
    journal: Box<dyn JournalBackend>,
    published: Arc<Published>,
    clock: Clock,
    /// Real milliseconds between two ticks ([`super::tick_ms_for`]).
    tick_ms: u64,
    /// The show's time series; sampled on each tick.
    series: Series,
    /// The start of the show the series belongs to: a new show starts new series.
    /// When the night the series follows began (its first room went live).
    series_night_ms: Option<i64>,
    /// Whether no room was live at the last sample: the next room to go live starts a night.
    series_idle: bool,
    alert_config: AlertConfig,
    /// Alerts fired, updated in place or acknowledged in the batch, sent to the screens once it
    /// is durable (an update under the id it fired with, so screens replace it).
    alerts_out: Vec<Alert>,
    /// Orders the batch touched, published once it is durable.
    orders_touched: BTreeSet<OrderKey>,
    /// The snapshot being written in the background, if one is.
    snapshotting: Option<Snapshotting>,
    /// When a snapshot that could not begin may be tried again.
    snapshot_retry_at: Option<Instant>,
    /// Set once the journal failed: the pool may hold changes that were never journaled.
    failed: Option<String>,
    /// Records appended to the journal since its last commit (`livestock_journal_batch_records`).
    batch_records: u64,
    /// Whether this writer writes: `false` while it follows its shop's stream, applying the
    /// leader's batches and journaling nothing.
    leads: bool,
}

/// Sets the engine failed if the writer thread unwinds, so no reader waits on a dead writer and
/// `/readyz` never stays green.
struct FailOnPanic(Arc<Published>);

impl Drop for FailOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            tracing::error!(
                "the writer panicked; no more writes are taken, restart to replay the journal"
            );
            self.0.writes.send_replace(WriteState::Failed);
        }
    }
}

/// Starts the writer's thread.
pub(super) fn spawn(
    writer: Writer,
    rx: mpsc::Receiver<Job>,
    follow: mpsc::Receiver<Follow>,
    stopped: watch::Receiver<bool>,
) -> std::thread::JoinHandle<Result<(), String>> {
    std::thread::Builder::new()
        .name("livestock-writer".to_owned())
        .spawn(move || {
            let _guard = FailOnPanic(writer.published.clone());
            writer.run(rx, follow, stopped)
        })
        .expect("spawning the writer thread")
}

impl Writer {
    pub(super) fn new(
        pool: Pool,
        journal: Box<dyn JournalBackend>,
        published: Arc<Published>,
        clock: Clock,
        tick_ms: u64,
        alert_config: AlertConfig,
        leads: bool,
    ) -> Self {
        published.leads.send_replace(leads);
        Writer {
            pool,
            journal,
            published,
            clock,
            tick_ms,
            series: Series::new(),
            series_night_ms: None,
            series_idle: true,
            alert_config,
            alerts_out: Vec::new(),
            orders_touched: BTreeSet::new(),
            snapshotting: None,
            snapshot_retry_at: None,
            failed: None,
            batch_records: 0,
            leads,
        }
    }

    fn run(
        mut self,
        mut rx: mpsc::Receiver<Job>,
        mut follow: mpsc::Receiver<Follow>,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<(), String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|e| format!("starting the writer's runtime: {e}"))?;
        rt.block_on(async {
            let mut tick = tokio::time::interval(Duration::from_millis(self.tick_ms));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut batch = Vec::new();
            let mut closing = false;
            while self.failed.is_none() {
                tokio::select! {
                    job = rx.recv() => {
                        let Some(job) = job else { break };
                        take_batch(job, &mut rx, &mut batch);
                        self.process(&mut batch);
                    }
                    Some(what) = follow.recv(), if !self.leads => match what {
                        Follow::Batch(batch) => self.follow_batch(&batch),
                        Follow::Lead(done) => {
                            tracing::info!(seq = self.pool.seq(), "caught up with the stream: this node writes now");
                            self.leads = true;
                            self.published.leads.send_replace(true);
                            let _ = done.send(());
                        }
                    },
                    _ = tick.tick() => self.tick(),
                    _ = stopped.changed(), if !closing => {
                        closing = true;
                        rx.close();
                    }
                }
            }
        });
        // Whatever is still queued after a failure is answered, not dropped in silence.
        rx.close();
        while let Ok(job) = rx.try_recv() {
            let _ = job.reply.send(Err(EngineError::Failed));
        }
        self.finish()
    }

    fn process(&mut self, batch: &mut Vec<Job>) {
        if !self.leads {
            for job in batch.drain(..) {
                let _ = job.reply.send(Err(EngineError::NotLeader));
            }
            return;
        }
        if !self.room_for_writes() {
            for job in batch.drain(..) {
                let _ = job.reply.send(Err(EngineError::DiskFull));
            }
            return;
        }
        let now = (self.clock)();
        let mut changed = BTreeSet::new();
        let mut replies: Vec<(oneshot::Sender<Result<Reply, EngineError>>, Reply)> =
            Vec::with_capacity(batch.len());
        let mut events = BTreeMap::new();
        for Job { cmds, reply, .. } in batch.drain(..) {
            let out: Reply = cmds
                .iter()
                .map(|cmd| self.apply(cmd, now, &mut changed))
                .collect();
            tally_order_events(&cmds, &out, &mut events);
            replies.push((reply, out));
        }
        let scope = changed.clone();
        self.evaluate_alerts(Scope::Skus(&scope), now, &mut changed);
        if let Err(Failed(why)) = self.commit(&changed, now) {
            self.fail(why);
            for (reply, _) in replies {
                let _ = reply.send(Err(EngineError::Failed));
            }
            return;
        }
        count_answers(replies.iter().flat_map(|(_, out)| out));
        for ((result, reason), n) in events {
            metrics::counter!("livestock_order_events_total", "result" => result, "reason" => reason)
                .increment(n);
        }
        for (reply, out) in replies {
            let _ = reply.send(Ok(out)); // the client may have gone; its command stands
        }
        self.maybe_snapshot();
    }

    /// Whether the journal has room reserved for the next batch. A full disk refuses writes
    /// before anything is applied; the state flips back by itself once a reservation succeeds.
    fn room_for_writes(&mut self) -> bool {
        let room = self.journal.ensure_room(self.pool.seq() + 1);
        let was = *self.published.writes.borrow();
        match (&room, was) {
            (Err(full), WriteState::Ok) => {
                tracing::error!(error = %full.0, "the disk is full: refusing writes until space returns");
                self.published.writes.send_replace(WriteState::DiskFull);
            }
            (Ok(()), WriteState::DiskFull) => {
                tracing::info!("disk space is back: taking writes again");
                self.published.writes.send_replace(WriteState::Ok);
            }
            _ => {}
        }
        room.is_ok()
    }

    /// Stops taking writes for good: the pool holds changes the journal does not.
    fn fail(&mut self, why: String) {
        tracing::error!(error = %why, "the journal cannot be written; no more writes are taken, restart to replay it");
        self.published.writes.send_replace(WriteState::Failed);
        self.failed = Some(why);
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
            if effect.journal && self.leads {
                self.journal.append(cmd, ctx);
                self.batch_records += 1;
            }
            changed.extend(effect.changed.iter().cloned());
            match (&effect.outcome, cmd) {
                (Outcome::Acked(alert), _) => self.alerts_out.push((**alert).clone()),
                (Outcome::ShowEnded(closed), _) => self.alerts_out.extend(closed.iter().cloned()),
                (Outcome::Alerts, Command::Alerts { fired, updated, .. }) => {
                    count_fired(fired);
                    // An update goes out as the book holds it, under the id the screens know.
                    let book = self.pool.alerts();
                    let updated = updated.iter().filter_map(|a| book.get(&a.id)).cloned();
                    self.alerts_out.extend(fired.iter().cloned().chain(updated));
                }
                _ => {}
            }
            match cmd {
                Command::Order { event } => {
                    self.orders_touched.insert(event.key());
                }
                Command::Expire { orders } | Command::Forget { orders } => {
                    self.orders_touched.extend(orders.iter().cloned())
                }
                _ => {}
            }
        }
        result
    }

    /// Applies one of the leader's batches as the leader applied it, then publishes it. A record
    /// that does not apply as it did for the leader means this pool is not the leader's: the
    /// engine fails stop rather than serve it.
    fn follow_batch(&mut self, batch: &crate::journal::jetstream::Batch) {
        let records = match crate::journal::jetstream::records(batch) {
            Ok(records) => records,
            Err(why) => return self.fail(why),
        };
        let mut changed = BTreeSet::new();
        let mut now = (self.clock)();
        let mut applied = 0;
        for (seq, now_ms, cmd) in records {
            if seq <= self.pool.seq() {
                continue; // already applied (read again after a reconnect)
            }
            if seq != self.pool.seq() + 1 {
                return self.fail(format!(
                    "the stream's record {seq} follows {}: a gap",
                    self.pool.seq()
                ));
            }
            match self.apply(&cmd, now_ms, &mut changed) {
                Ok(effect) if effect.journal => {}
                other => {
                    return self.fail(format!(
                        "the leader's record {seq} did not apply here as it did there: {other:?}"
                    ));
                }
            }
            now = now_ms;
            applied += 1;
        }
        self.journal.followed(batch.stream_seq, applied);
        if let Err(Failed(why)) = self.commit(&changed, now) {
            return self.fail(why);
        }
        self.maybe_snapshot();
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
            crossed: verdict.crossed,
            updated: verdict.updated,
        };
        if let Err(refusal) = self.apply(&cmd, now_ms, changed) {
            tracing::error!(?refusal, "recording alerts was refused");
        }
    }

    /// Makes the batch durable, then publishes what changed. Nothing is published when the
    /// journal fails: readers only ever see durable state.
    fn commit(&mut self, changed: &BTreeSet<SkuCode>, now_ms: i64) -> Result<(), Failed> {
        let pending = self.journal.has_pending();
        let started = Instant::now();
        self.journal
            .commit()
            .map_err(|e| Failed(format!("journal write or sync failed: {e}")))?;
        if pending {
            metrics::histogram!("livestock_journal_commit_seconds")
                .record(started.elapsed().as_secs_f64());
            metrics::histogram!("livestock_journal_batch_records")
                .record(self.batch_records as f64);
        }
        self.batch_records = 0;
        metrics::gauge!("livestock_journal_seq").set(self.pool.seq() as f64);
        self.publish(changed, now_ms);
        Ok(())
    }

    fn publish(&mut self, changed: &BTreeSet<SkuCode>, now_ms: i64) {
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
        published.publish_movements(&self.pool);
        published.publish_ledger(&self.pool, changed.iter(), now_ms);
        published.publish_orders(&self.pool, self.orders_touched.iter());
        self.orders_touched.clear();
        published.set_seq(self.pool.seq());
        let rooms = published.publish_rooms(&self.pool);
        let show_changed = !rooms.is_empty();
        if show_changed {
            published.publish_ended_show(&self.pool);
        }
        published.publish_show_records(&self.pool);
        if show_changed || !moved.is_empty() {
            let mut changes = published.changes.lock().expect("changes lock");
            changes.skus.extend(moved);
            changes.show |= show_changed;
            changes.rooms.extend(rooms);
            drop(changes);
            published.changed.notify_one();
        }
        if !self.alerts_out.is_empty() {
            published.publish_alerts(&self.pool);
            for alert in self.alerts_out.drain(..) {
                let _ = published.alert_tx.send(alert); // no screen listening is fine
            }
        }
    }

    /// Adds a point to the time series (lineup SKUs' stock first) and publishes it. The series is
    /// the night's: it starts again when a room goes live while none was.
    fn sample(&mut self, now_ms: i64) {
        let first_live = self
            .pool
            .rooms()
            .filter_map(|r| r.live_show()?.started_ms)
            .min();
        match first_live {
            Some(start) if self.series_idle => {
                self.series = Series::new();
                self.series_night_ms = Some(start);
                self.series_idle = false;
            }
            Some(_) => {}
            None => self.series_idle = true,
        }
        let night = self.pool.night(self.series_night_ms);
        let mut stock = BTreeMap::new();
        let lineup = night.lineup.iter();
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
            viewers: night.viewers,
            gmv_cents: night.gmv_cents,
            orders: night.orders,
            units: night.units,
            buyers: night.buyers,
            stock,
        };
        if self.series.push(&sample) {
            *self.published.series.write().expect("series lock") = Arc::new(self.series.clone());
            self.published.changes.lock().expect("changes lock").sample = Some(sample);
            self.published.changed.notify_one();
        }
    }

    /// Expires holds whose time ran out and refreshes the views whose rates move with time. On a
    /// full disk it only looks for space again: expiries and warnings wait for it.
    fn tick(&mut self) {
        let now = (self.clock)();
        if !self.room_for_writes() {
            self.sample(now);
            return;
        }
        let mut changed = BTreeSet::new();
        if !self.leads {
            // A follower decides nothing: expiries and warnings come in the leader's batches.
            for sku in self.pool.skus() {
                if sku.sold_units > 0 || sku.presale_sold > 0 {
                    changed.insert(sku.code.clone());
                }
            }
            self.publish(&changed, now);
            self.sample(now);
            return;
        }
        let due = self.pool.due_holds(now);
        if !due.is_empty() {
            let cmd = Command::Expire { orders: due };
            if let Err(refusal) = self.apply(&cmd, now, &mut changed) {
                tracing::error!(?refusal, "expiring holds was refused");
            }
        }
        let forgettable = self.pool.forgettable(now);
        if !forgettable.is_empty() {
            let cmd = Command::Forget {
                orders: forgettable,
            };
            if let Err(refusal) = self.apply(&cmd, now, &mut changed) {
                tracing::error!(?refusal, "forgetting closed orders was refused");
            }
        }
        for sku in self.pool.skus() {
            if sku.sold_units > 0 || sku.presale_sold > 0 {
                changed.insert(sku.code.clone());
            }
        }
        self.evaluate_alerts(Scope::All, now, &mut changed);
        if let Err(Failed(why)) = self.commit(&changed, now) {
            self.fail(why);
            return;
        }
        self.sample(now);
        self.maybe_snapshot();
    }

    fn maybe_snapshot(&mut self) {
        if let Some(running) = &self.snapshotting {
            if !running.thread.is_finished() {
                return;
            }
            let running = self.snapshotting.take().expect("checked above");
            match running.thread.join() {
                Ok(Ok(seq)) => tracing::info!(seq, "snapshot written"),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "snapshot failed; the journal still holds everything")
                }
                Err(_) => tracing::error!(
                    "the snapshot thread panicked; the journal still holds everything"
                ),
            }
        }
        if !self.journal.snapshot_due()
            || self.snapshot_retry_at.is_some_and(|t| Instant::now() < t)
        {
            return;
        }
        let spawned = self.journal.begin_snapshot(&self.pool).and_then(|job| {
            let cancel = job.canceller();
            std::thread::Builder::new()
                .name("livestock-snapshot".to_owned())
                .spawn(move || SnapshotJob::write(job))
                .map(|thread| Snapshotting { thread, cancel })
                .map_err(|e| format!("starting the snapshot thread: {e}"))
        });
        match spawned {
            Ok(running) => {
                self.snapshotting = Some(running);
                self.snapshot_retry_at = None;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot begin a snapshot; the journal still holds everything");
                self.snapshot_retry_at =
                    Some(Instant::now() + Duration::from_millis(SNAPSHOT_RETRY_MS));
            }
        }
    }

    /// On shutdown: call a running snapshot off and flush the journal. No final snapshot: the
    /// journal holds everything, and a restart replays what came after the last snapshot faster
    /// than the whole pool can be written now (issue 15: a clean stop within 2 s). After a
    /// journal failure the reason is returned, so the process exits non-zero.
    fn finish(mut self) -> Result<(), String> {
        if let Some(running) = self.snapshotting.take() {
            running.cancel.store(true, Ordering::Relaxed);
            match running.thread.join() {
                Ok(Ok(seq)) => tracing::info!(seq, "snapshot written"),
                Ok(Err(_)) | Err(_) => {
                    tracing::info!("snapshot called off; the journal holds everything")
                }
            }
        }
        if let Some(why) = self.failed.take() {
            return Err(why);
        }
        self.journal
            .commit()
            .map_err(|e| format!("flushing the journal: {e}"))?;
        tracing::info!(seq = self.pool.seq(), "journal flushed");
        crate::journal::drop_elsewhere(std::mem::take(&mut self.pool));
        Ok(())
    }
}

/// A snapshot being written on its own thread, and the flag that calls it off.
struct Snapshotting {
    thread: std::thread::JoinHandle<Result<u64, String>>,
    cancel: Arc<AtomicBool>,
}

/// Adds to `batch` the job just received and whatever else is waiting, up to
/// [`BATCH_EVENTS_MAX`] events.
fn take_batch(first: Job, rx: &mut mpsc::Receiver<Job>, batch: &mut Vec<Job>) {
    let mut events = job_events(&first);
    batch.push(first);
    while events < BATCH_EVENTS_MAX {
        let Ok(job) = rx.try_recv() else { break };
        events += job_events(&job);
        batch.push(job);
    }
}

fn job_events(job: &Job) -> usize {
    job.cmds.len().max(1)
}

/// Counts the answers of a batch for `/metrics`, by result.
fn count_answers<'a>(results: impl Iterator<Item = &'a Result<Effect, Refusal>>) {
    use crate::domain::order::Answer;
    let mut counts = [0u64; 5];
    for r in results {
        let i = match r {
            Ok(Effect {
                outcome: Outcome::Order(Answer::Accepted { .. }),
                ..
            }) => 0,
            Ok(Effect {
                outcome: Outcome::Order(Answer::Duplicate { .. }),
                ..
            }) => 1,
            Ok(Effect {
                outcome: Outcome::Order(Answer::Rejected { .. }),
                ..
            }) => 2,
            Err(_) => 3,
            Ok(_) => 4,
        };
        counts[i] += 1;
    }
    let names = [
        "accepted",
        "duplicate",
        "rejected",
        "refused",
        "other_command",
    ];
    for (result, n) in names.into_iter().zip(counts) {
        if n > 0 {
            metrics::counter!("livestock_commands_total", "result" => result).increment(n);
        }
    }
}

/// Adds the order events of one job to `tally` by `(result, reason)`: accepted, duplicate,
/// rejected with its reason (an unknown SKU included, as API.md answers it), or refused with the
/// refusal's code.
fn tally_order_events(
    cmds: &[Command],
    out: &[Result<Effect, Refusal>],
    tally: &mut BTreeMap<(&'static str, &'static str), u64>,
) {
    use crate::domain::RefusalCode;
    use crate::domain::order::Answer;
    for (cmd, result) in cmds.iter().zip(out) {
        if !matches!(cmd, Command::Order { .. }) {
            continue;
        }
        let key = match result {
            Ok(Effect {
                outcome: Outcome::Order(answer),
                ..
            }) => match answer {
                Answer::Accepted { .. } => ("accepted", ""),
                Answer::Duplicate { .. } => ("duplicate", ""),
                Answer::Rejected { rejection, .. } => ("rejected", rejection.reason.code()),
            },
            Ok(_) => continue,
            Err(r) => match r.code {
                RefusalCode::UnknownSku => ("rejected", "unknown_sku"),
                RefusalCode::Invalid => ("refused", "invalid"),
                RefusalCode::Conflict => ("refused", "conflict"),
                RefusalCode::NotFound => ("refused", "not_found"),
            },
        };
        *tally.entry(key).or_insert(0) += 1;
    }
}

/// Counts the warnings a batch fired, by kind and level (`livestock_alerts_fired_total`).
fn count_fired(fired: &[Alert]) {
    for alert in fired {
        metrics::counter!(
            "livestock_alerts_fired_total",
            "kind" => alert.kind.name(),
            "level" => level_label(alert.level)
        )
        .increment(1);
    }
}

fn level_label(level: u8) -> &'static str {
    match level {
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        _ => "other",
    }
}
