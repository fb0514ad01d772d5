//! The one writer and the handle to it. A single thread owns the pool; requests reach it over a
//! queue bounded in events, with a reply channel. It takes every request waiting, applies them in
//! order, journals them with one sync for the whole batch (group commit), publishes the changed
//! read models, and only then answers. Readers never wait for it: they read what it published.
//!
//! When the journal cannot be written the engine fails stop: the batch is answered 503, nothing
//! more is taken, and the server exits so a restart replays what is durable. When the disk has no
//! room for the next segment, writes are refused before anything changes and taken again once space
//! returns.

mod clock;
mod published;
mod writer;

pub use clock::{Clock, TICK_MS, scaled_clock, scaled_clock_from, system_clock, tick_ms_for};
pub use published::{Changes, MOVEMENTS_PAGE_MAX, MOVEMENTS_RANGE_MAX, SNAPSHOT_ALERTS_MAX};

use crate::domain::alerts::{Alert, AlertConfig};
use crate::domain::order::{Order, OrderKey};
use crate::domain::series::Series;
use crate::domain::show::{Show, ShowView};
use crate::domain::stock::{MovementRecord, StockView};
use crate::domain::types::{RoomId, SkuCode};
use crate::domain::{Command, Effect, Pool, Refusal};
use crate::journal::JournalBackend;
use published::Published;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, mpsc, oneshot, watch};

/// Events waiting for the writer (an array of 1,000 events counts 1,000): a full queue makes
/// senders wait, so a flood costs back-pressure, not memory.
pub const QUEUE_EVENTS_MAX: usize = 65_536;
/// The most events the writer takes into one batch (one sync).
pub const BATCH_EVENTS_MAX: usize = 16_384;
/// Requests in the writer's channel; the event bound above is the one that binds.
const QUEUE_JOBS_MAX: usize = 8192;

/// The answer to one request: one result per command, in order.
pub type Reply = Vec<Result<Effect, Refusal>>;

/// Commands for the writer, with where to send the answer.
struct Job {
    cmds: Vec<Command>,
    reply: oneshot::Sender<Result<Reply, EngineError>>,
    /// The job's share of [`QUEUE_EVENTS_MAX`], given back when the writer takes it.
    _queued: OwnedSemaphorePermit,
}

/// Why the engine did not answer a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineError {
    /// The server is shutting down.
    Gone,
    /// The journal could not be written, or the writer died: nothing more is taken.
    Failed,
    /// The disk has no room for the journal: refused before anything changed; try again later.
    DiskFull,
    /// This node follows the shop's stream and does not write: the write goes to the leader.
    NotLeader,
}

/// What a follower's writer is given besides requests: the leader's batches, and the word that
/// it now leads.
pub enum Follow {
    /// A batch read from the shop's stream, applied as the leader applied it.
    Batch(crate::journal::jetstream::Batch),
    /// Every batch up to the stream's tail has been given: from now on this node writes.
    Lead(oneshot::Sender<()>),
}

/// Whether the engine takes writes; the screens show it (a red banner) and `/readyz` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteState {
    /// Writes are taken.
    Ok,
    /// The next journal segment could not be reserved: writes are refused before anything changes,
    /// and taken again by themselves once space returns.
    DiskFull,
    /// A journal write or sync failed, or the writer died: nothing more is taken; restart to replay.
    Failed,
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
}

/// A handle to the writer, cheap to clone. Readers use the published state without queueing.
#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Job>,
    /// Permits for [`QUEUE_EVENTS_MAX`] events in the queue.
    queue: Arc<Semaphore>,
    published: Arc<Published>,
    /// Tells the writer to drain its queue and stop.
    stop: Arc<watch::Sender<bool>>,
    /// The writer's clock, for frames that tell the screens the server's time.
    clock: Clock,
    /// The leader's batches, for a node that follows its shop's stream.
    follow: mpsc::Sender<Follow>,
}

/// The writer thread; join it to know every acknowledged command is on disk and the snapshot
/// written. It ends with an error when the journal failed or the writer panicked.
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
        journal: Box<dyn JournalBackend>,
        clock: Clock,
        tick_ms: u64,
        alert_config: AlertConfig,
    ) -> (Engine, WriterThread) {
        Engine::start_as(pool, journal, clock, tick_ms, alert_config, true)
    }

    /// As [`Engine::start`]; a writer that does not `lead` takes no writes
    /// ([`EngineError::NotLeader`]) and journals nothing: it applies the batches given to
    /// [`Engine::follow`] until told to lead.
    pub fn start_as(
        pool: Pool,
        journal: Box<dyn JournalBackend>,
        clock: Clock,
        tick_ms: u64,
        alert_config: AlertConfig,
        lead: bool,
    ) -> (Engine, WriterThread) {
        let (tx, rx) = mpsc::channel(QUEUE_JOBS_MAX);
        let (follow, follow_rx) = mpsc::channel(64);
        let (stop, stopped) = watch::channel(false);
        let published = Arc::new(Published::new(&pool, clock()));
        let writer = writer::Writer::new(
            pool,
            journal,
            published.clone(),
            clock.clone(),
            tick_ms,
            alert_config,
            lead,
        );
        let thread = writer::spawn(writer, rx, follow_rx, stopped);
        let engine = Engine {
            tx,
            queue: Arc::new(Semaphore::new(QUEUE_EVENTS_MAX)),
            published,
            stop: Arc::new(stop),
            clock,
            follow,
        };
        (engine, WriterThread(thread))
    }

    /// Gives a follower's writer the next batch of the stream, or the word to lead; waits while
    /// it is busy. `false` once the writer is gone.
    pub async fn follow(&self, what: Follow) -> bool {
        self.follow.send(what).await.is_ok()
    }

    /// Whether this node writes (always, but for a follower of its shop's stream).
    pub fn leads(&self) -> bool {
        *self.published.leads.borrow()
    }

    /// The server's time now, in ms since the epoch, on the writer's clock.
    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// Applies commands in order and answers once they are durable. Refused at once, before
    /// queueing, while the disk is full or after the journal failed.
    pub async fn apply(&self, cmds: Vec<Command>) -> Result<Reply, EngineError> {
        match self.writes() {
            WriteState::Ok => {}
            WriteState::DiskFull => return Err(EngineError::DiskFull),
            WriteState::Failed => return Err(EngineError::Failed),
        }
        let events = cmds.len().clamp(1, QUEUE_EVENTS_MAX) as u32;
        let queued = self
            .queue
            .clone()
            .acquire_many_owned(events)
            .await
            .map_err(|_| EngineError::Gone)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            cmds,
            reply,
            _queued: queued,
        };
        if self.tx.send(job).await.is_err() {
            return Err(self.gone());
        }
        match answer.await {
            Ok(answered) => answered,
            // The writer dropped the reply without answering: it died in the middle of the batch.
            // Say so before answering, so no one who saw this 503 can then see a green /readyz
            // (the writer thread's own guard says it too, but only once its unwinding is done).
            Err(_) => {
                self.published.writes.send_replace(WriteState::Failed);
                Err(EngineError::Failed)
            }
        }
    }

    /// The writer is not there: failed, or shutting down.
    fn gone(&self) -> EngineError {
        match self.writes() {
            WriteState::Failed => EngineError::Failed,
            _ => EngineError::Gone,
        }
    }

    /// Whether writes are taken now.
    pub fn writes(&self) -> WriteState {
        *self.published.writes.borrow()
    }

    /// Completes once the engine has failed (a journal error or a writer panic).
    pub async fn failed(&self) {
        let mut writes = self.published.writes.subscribe();
        let _ = writes.wait_for(|w| *w == WriteState::Failed).await;
    }

    /// The daily report of `[from_ms, to_ms)`, from the published ledger.
    pub fn daily(&self, from_ms: i64, to_ms: i64) -> Vec<crate::domain::reports::DailyRow> {
        self.published.daily(from_ms, to_ms)
    }

    /// `(started_ms, ended_ms)` of the show once it has ended, as a watch.
    pub fn ended_show(&self) -> watch::Receiver<Option<(i64, i64)>> {
        self.published.ended_show.subscribe()
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
        self.published.seq()
    }

    /// The show as of the last committed batch.
    pub fn show(&self) -> Arc<ShowView> {
        self.published.show.read().expect("show lock").clone()
    }

    /// A room's show as of the last committed batch; `None` for a room the shop does not have.
    pub fn room_show(&self, room: &RoomId) -> Option<Arc<ShowView>> {
        self.published
            .rooms
            .read()
            .expect("rooms lock")
            .get(room)
            .cloned()
    }

    /// Every room's show as of the last committed batch, by room id.
    pub fn rooms(&self) -> Arc<BTreeMap<RoomId, Arc<ShowView>>> {
        self.published.rooms.read().expect("rooms lock").clone()
    }

    /// A room's show as the pool keeps it, as of the last committed batch (`None` before any).
    pub fn show_record(&self, room: &RoomId) -> Option<Arc<Show>> {
        self.published
            .show_records
            .read()
            .expect("show lock")
            .get(room)
            .cloned()
    }

    /// Every room's show as the pool keeps it, as of the last committed batch.
    pub fn show_records(&self) -> Arc<BTreeMap<RoomId, Arc<Show>>> {
        self.published
            .show_records
            .read()
            .expect("show lock")
            .clone()
    }

    /// The published orders placed or paid within `window` (ms, inclusive), shared. Runs over
    /// every order: call it off the async runtime's threads.
    pub fn orders_in(&self, window: (i64, i64)) -> Vec<Arc<Order>> {
        self.published.orders_in(window)
    }

    /// The time series of the show so far.
    pub fn series(&self) -> Arc<Series> {
        self.published.series.read().expect("series lock").clone()
    }

    /// The open (unacknowledged) alerts, newest first, at most [`SNAPSHOT_ALERTS_MAX`].
    pub fn open_alerts(&self) -> Arc<Vec<Alert>> {
        self.published
            .open_alerts
            .read()
            .expect("alerts lock")
            .clone()
    }

    /// Every alert, newest first, as of the last committed batch.
    pub fn alerts(&self) -> Arc<Vec<Alert>> {
        self.published.alerts.read().expect("alerts lock").clone()
    }

    /// One SKU's audit trail from journal sequence `after_seq` on (exclusive), oldest first, at
    /// most `limit` records; `None` for an SKU the pool does not know.
    pub fn movements(
        &self,
        code: &SkuCode,
        after_seq: u64,
        limit: usize,
    ) -> Option<Vec<MovementRecord>> {
        self.published.movements(code, after_seq, limit)
    }

    /// Every SKU's audit trail in `[from_ms, to_ms)` after journal sequence `after_seq`, in journal
    /// order, at most `limit`; and whether more records are left.
    pub fn movements_between(
        &self,
        from_ms: i64,
        to_ms: i64,
        after_seq: u64,
        limit: usize,
    ) -> (Vec<MovementRecord>, bool) {
        self.published
            .movements_between(from_ms, to_ms, after_seq, limit)
    }

    /// An order as of the last committed batch.
    pub fn order(&self, key: &OrderKey) -> Option<Order> {
        self.published.orders.get(key).map(|o| (**o).clone())
    }

    /// Alerts as they fire or are acknowledged.
    pub fn subscribe_alerts(&self) -> broadcast::Receiver<Alert> {
        self.published.alert_tx.subscribe()
    }

    /// Completes when something changed since the last [`Engine::take_changes`] (at once if it
    /// already has).
    pub async fn changed(&self) {
        self.published.changed.notified().await;
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
