//! The journal on NATS JetStream (SPEC F8, issue 16): one stream per shop, one message per
//! group-commit batch, and one fenced writer.
//!
//! A batch's message is exactly what the file journal would append for it (the records framed as
//! `len | crc32 | JSON`, see `frame.rs`), so replay reads both the same way. Durability is the
//! stream's acknowledgement: with R3, a quorum of the servers has the batch.
//!
//! **Fencing.** Every append carries `Nats-Expected-Last-Sequence`: the stream sequence of the last
//! batch this writer knows. A writer that was deposed (or paused past its lease while another
//! appended) still holds an older sequence, so the stream refuses its batch and it is never
//! acknowledged; two writers can never both be. [`AppendError::Fenced`] says so; the writer must
//! then stop writing and follow.
//!
//! **Leadership.** [`Lease`] is a key per shop in a JetStream KV bucket whose entries live
//! [`LeaseConfig::ttl`]: a bid creates the key only if it is absent, the leader renews it by
//! revision (compare-and-set) well within the TTL, and the value is the leader's advertised URL.
//! A leader that stops renewing loses the key when it ages out, and a renewal after another node's
//! bid fails on the revision. The lease only says who should write; the fencing above is what
//! makes a stale writer harmless.
//!
//! [`StreamJournal`] is the writer's [`JournalBackend`] on the stream: records are framed into
//! the pending batch as on disk, and a commit publishes the batch and waits for its ack.
//!
//! **Snapshots.** Each node, leader or follower, keeps snapshots of its pool in a dir of its own
//! (`<data>/stream-<shop>/`), the file journal's binary layout with a [`StreamMark`]: the stream
//! (its name and when it was made) and the last batch the pool includes. As on the file journal,
//! the writer only notes the stream sequence; the snapshot's thread rebuilds the pool from the
//! newest snapshot and the batches after it, read from the stream, so a snapshot never holds what
//! the stream does not. A start loads the newest snapshot and reads only the batches after it. A
//! snapshot of another stream (one made anew under the shop's name) is set aside, and the stream,
//! the book of record, is read whole; one that claims batches this stream does not have refuses
//! the start, because then the stream lost acknowledged batches.

use super::backend::JournalBackend;
use super::snapshot_file::StreamMark;
use super::{DiskFull, SnapshotJob, frame, read};
use crate::domain::{Command, Ctx, Pool, PoolConfig};
use async_nats::jetstream::{self, consumer, context, kv, stream};
use bytes::Bytes;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Where a shop's journal lives on NATS.
#[derive(Clone, Debug)]
pub struct StreamConfig {
    /// NATS servers, `nats://HOST:PORT` (any of the cluster's).
    pub servers: Vec<String>,
    /// The shop: its stream is `LIVESTOCK_<SHOP>` on subject `livestock.<shop>.journal`.
    pub shop: String,
    /// Copies the stream keeps: 3 in a cluster, 1 on a single server.
    pub replicas: usize,
}

impl StreamConfig {
    /// The stream's name: JetStream names take no dots, spaces or wildcards.
    pub fn stream_name(&self) -> String {
        format!("LIVESTOCK_{}", name_part(&self.shop).to_uppercase())
    }

    pub fn subject(&self) -> String {
        format!("livestock.{}.journal", name_part(&self.shop))
    }
}

/// A shop name as it may stand in a stream name, a subject token or a KV key: letters, digits,
/// `-` and `_` kept, anything else `_`.
pub fn name_part(shop: &str) -> String {
    shop.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Why a batch was not appended.
#[derive(Debug)]
pub enum AppendError {
    /// The stream holds batches this writer has not seen: another writer appended. Nothing was
    /// appended; this writer must stop and follow.
    Fenced { expected_last: u64 },
    /// No acknowledgement (servers gone, no quorum, timeout). The batch may or may not be in the
    /// stream: it is not acknowledged, and the writer stops (fail stop); a restart or the next
    /// leader reads the stream to learn what is there.
    Unavailable(String),
}

impl std::fmt::Display for AppendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppendError::Fenced { expected_last } => write!(
                f,
                "the stream has moved past sequence {expected_last}: another writer appended"
            ),
            AppendError::Unavailable(why) => write!(f, "the stream did not acknowledge: {why}"),
        }
    }
}

/// One batch read back: its stream sequence and its framed records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub stream_seq: u64,
    pub records: Bytes,
}

/// A shop's journal stream, as one node sees it.
pub struct JournalStream {
    js: jetstream::Context,
    stream: stream::Stream,
    subject: String,
    /// The stream's name, and when it was made (Unix ns): which stream a snapshot is of.
    name: String,
    created_ns: i64,
    /// The stream sequence of the last batch this node has appended or read: what its next
    /// append expects to follow.
    last: u64,
    /// Random, per process: the first part of every message id this writer publishes.
    writer: String,
}

/// How long to wait for a server's acknowledgement before calling the stream unavailable.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to `servers` (any of them; the client finds the others).
pub async fn connect(servers: &[String]) -> Result<async_nats::Client, String> {
    async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(5))
        .request_timeout(Some(ACK_TIMEOUT))
        .connect(servers)
        .await
        .map_err(|e| format!("connecting to NATS at {}: {e}", servers.join(",")))
}

impl JournalStream {
    /// Opens the shop's stream, creating it if it is new. `last` starts at the stream's last
    /// sequence: call [`JournalStream::read_after`] to apply what is there before appending.
    pub async fn open(client: async_nats::Client, config: &StreamConfig) -> Result<Self, String> {
        let js = jetstream::new(client);
        let mut stream = js
            .get_or_create_stream(stream::Config {
                name: config.stream_name(),
                subjects: vec![config.subject()],
                num_replicas: config.replicas,
                storage: stream::StorageType::File,
                // The journal is the book of record: nothing ages out or is dropped.
                retention: stream::RetentionPolicy::Limits,
                discard: stream::DiscardPolicy::New,
                // Only this module publishes, with a fence on every batch.
                deny_delete: true,
                deny_purge: true,
                ..Default::default()
            })
            .await
            .map_err(|e| format!("opening stream {}: {e}", config.stream_name()))?;
        let info = stream
            .info()
            .await
            .map_err(|e| format!("reading stream {}: {e}", config.stream_name()))?;
        if info.config.num_replicas != config.replicas {
            return Err(format!(
                "stream {} keeps {} copies, not the {} asked for",
                config.stream_name(),
                info.config.num_replicas,
                config.replicas
            ));
        }
        let last = info.state.last_sequence;
        let created_ns = info.created.unix_timestamp_nanos() as i64;
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| format!("randomness: {e}"))?;
        Ok(JournalStream {
            js,
            stream,
            subject: config.subject(),
            name: config.stream_name(),
            created_ns,
            last,
            writer: hex::encode(nonce),
        })
    }

    /// The stream sequence the next append expects to follow.
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Another handle on the same stream, for reading only (it appends nothing: its message ids
    /// would be this writer's).
    fn reader(&self) -> JournalStream {
        JournalStream {
            js: self.js.clone(),
            stream: self.stream.clone(),
            subject: self.subject.clone(),
            name: self.name.clone(),
            created_ns: self.created_ns,
            last: self.last,
            writer: String::new(),
        }
    }

    /// The mark a snapshot of the pool at stream sequence `seq` carries.
    fn mark(&self, seq: u64) -> StreamMark {
        StreamMark {
            name: self.name.clone(),
            created_ns: self.created_ns,
            seq,
        }
    }

    /// Appends one batch, fenced on [`JournalStream::last`]. `Ok` means a quorum of the servers
    /// has it: only then may its events be acknowledged.
    pub async fn append(&mut self, records: Bytes) -> Result<u64, AppendError> {
        let id = format!("{}-{}", self.writer, self.last + 1);
        self.append_as(records, &id).await
    }

    /// Appends one batch under message id `id`. A retry of a batch whose ack was lost carries
    /// the same id, so the stream answers it as the duplicate it is instead of storing it twice;
    /// the id names this writer, so another writer's batch is never taken for it.
    async fn append_as(&mut self, records: Bytes, id: &str) -> Result<u64, AppendError> {
        let publish = jetstream::message::PublishMessage::build()
            .payload(records)
            .message_id(id)
            .expected_last_sequence(self.last);
        let ack = async {
            let future = self.js.send_publish(self.subject.clone(), publish).await?;
            future.await
        };
        match tokio::time::timeout(ACK_TIMEOUT, ack).await {
            Err(_) => Err(AppendError::Unavailable("no acknowledgement in 5 s".into())),
            Ok(Err(e)) if e.kind() == context::PublishErrorKind::WrongLastSequence => {
                Err(AppendError::Fenced {
                    expected_last: self.last,
                })
            }
            Ok(Err(e)) => Err(AppendError::Unavailable(e.to_string())),
            Ok(Ok(ack)) => {
                // The fence makes any other sequence impossible; one would mean a batch this node
                // has not seen, and its pool would be wrong from here on.
                if ack.sequence != self.last + 1 {
                    return Err(AppendError::Unavailable(format!(
                        "the stream put the batch at {}, not after {}",
                        ack.sequence, self.last
                    )));
                }
                self.last = ack.sequence;
                Ok(ack.sequence)
            }
        }
    }

    /// Every batch after stream sequence `after`, in order, up to the stream's last one now;
    /// [`JournalStream::last`] moves to the last one read. A follower calls this to catch up, and
    /// a node must before it appends.
    pub async fn read_after(&mut self, after: u64) -> Result<Vec<Batch>, String> {
        let mut out = Vec::new();
        let upto = self.tail_seq().await?;
        self.each_batch(after, upto, |batch| {
            out.push(batch);
            Ok(())
        })
        .await?;
        self.last = self.last.max(upto);
        Ok(out)
    }

    /// Gives `f` every batch after stream sequence `after` up to `upto`, in order, as it arrives
    /// (a long stream is never held whole); stops at the first error, `f`'s included.
    async fn each_batch(
        &self,
        after: u64,
        upto: u64,
        mut f: impl FnMut(Batch) -> Result<(), String>,
    ) -> Result<(), String> {
        if upto > after {
            let consumer = self
                .stream
                .create_consumer(consumer::pull::OrderedConfig {
                    deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                        start_sequence: after + 1,
                    },
                    ..Default::default()
                })
                .await
                .map_err(|e| format!("reading the stream from {}: {e}", after + 1))?;
            let mut messages = consumer
                .messages()
                .await
                .map_err(|e| format!("reading the stream from {}: {e}", after + 1))?;
            let mut expected = after + 1;
            while expected <= upto {
                let message = match tokio::time::timeout(ACK_TIMEOUT, messages.next()).await {
                    Ok(Some(Ok(m))) => m,
                    Ok(Some(Err(e))) => return Err(format!("reading batch {expected}: {e}")),
                    Ok(None) => return Err(format!("the stream ended before batch {expected}")),
                    Err(_) => return Err(format!("batch {expected} did not arrive in 5 s")),
                };
                let seq = message
                    .info()
                    .map_err(|e| format!("batch {expected} has no stream info: {e}"))?
                    .stream_sequence;
                if seq != expected {
                    return Err(format!("read batch {seq} where {expected} was due"));
                }
                f(Batch {
                    stream_seq: seq,
                    records: message.payload.clone(),
                })?;
                expected += 1;
            }
        }
        Ok(())
    }

    /// The stream's batch `seq`.
    async fn batch(&self, seq: u64) -> Result<Batch, String> {
        let message = self
            .stream
            .get_raw_message(seq)
            .await
            .map_err(|e| format!("reading batch {seq} of the stream: {e}"))?;
        Ok(Batch {
            stream_seq: seq,
            records: message.payload,
        })
    }
}

impl JournalStream {
    /// The stream's last sequence now.
    pub async fn tail_seq(&self) -> Result<u64, String> {
        let info = self
            .stream
            .get_info()
            .await
            .map_err(|e| format!("reading the stream's state: {e}"))?;
        Ok(info.state.last_sequence)
    }

    /// Every batch from stream sequence `start` on, as it arrives (an ordered consumer: in order,
    /// none missed; it ends on an error, and the caller starts again where it was).
    pub async fn tail(
        &self,
        start: u64,
    ) -> Result<futures_util::stream::BoxStream<'static, Result<Batch, String>>, String> {
        let consumer = self
            .stream
            .create_consumer(consumer::pull::OrderedConfig {
                deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: start,
                },
                ..Default::default()
            })
            .await
            .map_err(|e| format!("following the stream from {start}: {e}"))?;
        let messages = consumer
            .messages()
            .await
            .map_err(|e| format!("following the stream from {start}: {e}"))?;
        Ok(messages
            .map(|m| {
                let m = m.map_err(|e| format!("following the stream: {e}"))?;
                let seq = m
                    .info()
                    .map_err(|e| format!("a batch without stream info: {e}"))?
                    .stream_sequence;
                Ok(Batch {
                    stream_seq: seq,
                    records: m.payload.clone(),
                })
            })
            .boxed())
    }
}

/// How a shop's lease is kept.
#[derive(Clone, Debug)]
pub struct LeaseConfig {
    /// The KV bucket holding one key per shop.
    pub bucket: String,
    /// How long a lease lives without renewal; the leader renews at a third of it.
    pub ttl: Duration,
    /// Copies of the bucket, as for the stream.
    pub replicas: usize,
}

/// One node's hold (or bid) on a shop's leadership.
pub struct Lease {
    kv: kv::Store,
    key: String,
    /// The revision of this node's lease entry while it holds it.
    revision: Option<u64>,
}

/// What a lease entry says: who leads, and where to send writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leader {
    pub url: String,
    pub revision: u64,
}

impl Lease {
    pub async fn open(
        client: async_nats::Client,
        shop: &str,
        config: &LeaseConfig,
    ) -> Result<Self, String> {
        let js = jetstream::new(client);
        // The bucket's stream is made here, as the client's `create_key_value` would make it:
        // that call first reads the account's limits, whose answer from nats-server 2.9 the
        // client cannot parse.
        js.get_or_create_stream(stream::Config {
            name: format!("KV_{}", config.bucket),
            subjects: vec![format!("$KV.{}.>", config.bucket)],
            max_messages_per_subject: 1,
            max_age: config.ttl,
            storage: stream::StorageType::File,
            num_replicas: config.replicas,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            discard: stream::DiscardPolicy::New,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("opening lease bucket {}: {e}", config.bucket))?;
        let kv = js
            .get_key_value(&config.bucket)
            .await
            .map_err(|e| format!("opening lease bucket {}: {e}", config.bucket))?;
        Ok(Lease {
            kv,
            key: name_part(shop),
            revision: None,
        })
    }

    /// Bids for the lease with this node's `url`: `true` if it was free and is now this node's.
    pub async fn bid(&mut self, url: &str) -> Result<bool, String> {
        match self.kv.create(&self.key, Bytes::from(url.to_owned())).await {
            Ok(revision) => {
                self.revision = Some(revision);
                Ok(true)
            }
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(format!("bidding for the lease: {e}")),
        }
    }

    /// Renews the lease this node holds: `false` if it is no longer this node's (it aged out and
    /// another node took it), and then this node must stop writing.
    pub async fn renew(&mut self, url: &str) -> Result<bool, String> {
        let Some(revision) = self.revision else {
            return Ok(false);
        };
        match self
            .kv
            .update(&self.key, Bytes::from(url.to_owned()), revision)
            .await
        {
            Ok(revision) => {
                self.revision = Some(revision);
                Ok(true)
            }
            Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                self.revision = None;
                Ok(false)
            }
            Err(e) => Err(format!("renewing the lease: {e}")),
        }
    }

    /// Whether this node believes it holds the lease (its last bid or renewal succeeded).
    pub fn held(&self) -> bool {
        self.revision.is_some()
    }

    /// Gives the lease up (on a clean stop), so another node need not wait for it to age out.
    pub async fn release(&mut self) -> Result<(), String> {
        if self.revision.take().is_some() {
            self.kv
                .delete(&self.key)
                .await
                .map_err(|e| format!("releasing the lease: {e}"))?;
        }
        Ok(())
    }

    /// Who holds the lease now, if anyone.
    pub async fn leader(&self) -> Result<Option<Leader>, String> {
        let entry = self
            .kv
            .entry(self.key.clone())
            .await
            .map_err(|e| format!("reading the lease: {e}"))?;
        Ok(entry
            .filter(|e| e.operation == kv::Operation::Put)
            .map(|e| Leader {
                url: String::from_utf8_lossy(&e.value).into_owned(),
                revision: e.revision,
            }))
    }
}

/// Until when this node's lease is good, as the renewing task last made sure of it: the writer
/// appends nothing once it has passed (another node may bid from then on).
#[derive(Debug)]
pub struct LeaseClock {
    started: Instant,
    /// Milliseconds since `started`; 0 while no lease is held.
    valid_until_ms: AtomicU64,
}

impl LeaseClock {
    pub fn new() -> Arc<Self> {
        Arc::new(LeaseClock {
            started: Instant::now(),
            valid_until_ms: AtomicU64::new(0),
        })
    }

    /// The lease was just bid for or renewed at `at`: it is good for `for_` from then.
    pub fn renewed(&self, at: Instant, for_: Duration) {
        let until = (at + for_).saturating_duration_since(self.started);
        self.valid_until_ms
            .store(until.as_millis() as u64, Ordering::SeqCst);
    }

    /// The lease is lost (or given up): nothing more may be appended.
    pub fn lost(&self) {
        self.valid_until_ms.store(0, Ordering::SeqCst);
    }

    pub fn valid_now(&self) -> bool {
        let now = Instant::now().saturating_duration_since(self.started);
        (now.as_millis() as u64) < self.valid_until_ms.load(Ordering::SeqCst)
    }
}

/// The writer's journal on the shop's stream. The writer's thread blocks in
/// [`JournalBackend::commit`] while the server's runtime publishes the batch, as it would block
/// in `fdatasync` on the file journal.
pub struct StreamJournal {
    stream: Option<JournalStream>,
    runtime: tokio::runtime::Handle,
    lease: Arc<LeaseClock>,
    pending: Vec<u8>,
    snapshots: Option<StreamSnapshots>,
    /// Records appended or followed since the last snapshot began (or since the one loaded).
    since_snapshot: u64,
}

/// Where a node keeps its snapshots of the shop's pool, and how often it takes one.
#[derive(Clone, Debug)]
pub struct StreamSnapshots {
    /// The node's own dir for this shop's snapshots.
    pub dir: PathBuf,
    /// Take one after this many records.
    pub every_records: u64,
}

/// What opening a shop's stream found.
pub struct Opened {
    pub journal: StreamJournal,
    /// The pool as the stream holds it: the newest snapshot, then every batch after it.
    pub pool: Pool,
    /// Records replayed from the stream (after the snapshot).
    pub replayed: u64,
    /// The snapshot started from, if one was.
    pub snapshot: Option<PathBuf>,
}

impl StreamJournal {
    /// The stream sequence of the last batch this journal has appended or was given.
    pub fn last(&self) -> u64 {
        self.stream.as_ref().map_or(0, JournalStream::last)
    }

    /// Opens the shop's stream and rebuilds its pool: the newest snapshot in `snapshots`' dir
    /// (when it is of this stream), then every batch after it. Call it from the server's runtime
    /// (not from a blocking thread): the commits run there.
    pub async fn open(
        client: async_nats::Client,
        config: &StreamConfig,
        pool_config: PoolConfig,
        lease: Arc<LeaseClock>,
        snapshots: Option<StreamSnapshots>,
    ) -> Result<Opened, String> {
        let mut stream = JournalStream::open(client, config).await?;
        let (mut pool, after, snapshot) = match &snapshots {
            Some(s) => local_snapshot(&s.dir, &stream, pool_config).await?,
            None => (Pool::new(pool_config), 0, None),
        };
        let upto = stream.tail_seq().await?;
        let mut replayed = 0;
        let read = stream.each_batch(after, upto, |batch| {
            replayed += apply_batch(&mut pool, &batch)?;
            Ok(())
        });
        if let Err(e) = read.await {
            super::drop_elsewhere(pool);
            return Err(e);
        }
        stream.last = stream.last.max(upto);
        let journal = StreamJournal {
            stream: Some(stream),
            runtime: tokio::runtime::Handle::current(),
            lease,
            pending: Vec::with_capacity(1 << 16),
            snapshots,
            since_snapshot: replayed,
        };
        Ok(Opened {
            journal,
            pool,
            replayed,
            snapshot,
        })
    }
}

/// The newest snapshot in `dir` of `stream`: its pool, the last batch it includes, and its file.
/// An empty pool at 0 when there is none or it is of another stream (that one is set aside).
async fn local_snapshot(
    dir: &Path,
    stream: &JournalStream,
    config: PoolConfig,
) -> Result<(Pool, u64, Option<PathBuf>), String> {
    let found = {
        let dir = dir.to_owned();
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("creating {}: {e}", dir.display()))?;
            super::replay::remove_unfinished_snapshots(&dir)?;
            read::newest_marked(&dir, config, u64::MAX, &read::NEVER)
        })
        .await
        .map_err(|e| format!("loading the snapshot: {e}"))??
    };
    let Some((path, pool, mark)) = found else {
        return Ok((Pool::new(config), 0, None));
    };
    let ours = stream.mark(0);
    let mark = match mark {
        Some(m) if m.name == ours.name && m.created_ns == ours.created_ns => m,
        other => {
            let aside = path.with_extension("bin.other-stream");
            tracing::warn!(
                snapshot = %path.display(), of = ?other, stream = %ours.name,
                "this snapshot is not of the shop's stream as it is now (made anew?); setting it aside as {} and reading the stream whole",
                aside.display()
            );
            std::fs::rename(&path, &aside)
                .map_err(|e| format!("setting {} aside: {e}", path.display()))?;
            super::drop_elsewhere(pool);
            return Ok((Pool::new(config), 0, None));
        }
    };
    let refuse = |why: String| {
        format!(
            "the snapshot {} {why}: the stream lost acknowledged batches, so livestock will not start on it; \
             restore the stream, or move the snapshot aside knowingly to start from the stream as it is",
            path.display()
        )
    };
    let tail = stream.tail_seq().await?;
    if mark.seq > tail {
        return Err(refuse(format!(
            "includes batch {} of {}, which ends at {tail}",
            mark.seq, mark.name
        )));
    }
    // The batch it ends at must end at the pool's seq, or the two are not one history.
    let last = records(&stream.batch(mark.seq).await?)?.last().map(|r| r.0);
    if mark.seq > 0 && last != Some(pool.seq()) {
        return Err(refuse(format!(
            "ends at seq {} but batch {} of the stream ends at {last:?}",
            pool.seq(),
            mark.seq
        )));
    }
    Ok((pool, mark.seq, Some(path)))
}

/// The pool at `mark` for a snapshot: the newest snapshot in `dir` (of the same stream), then
/// the stream's batches after it up to `mark.seq`, read on the snapshot's thread through the
/// server's runtime.
fn rebuild_from_stream(
    dir: &Path,
    reader: &JournalStream,
    runtime: &tokio::runtime::Handle,
    config: PoolConfig,
    mark: &StreamMark,
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<Pool, String> {
    let (mut pool, after) = match read::newest_marked(dir, config, u64::MAX, cancel)? {
        None => (Pool::new(config), 0),
        Some((_, pool, Some(m))) if m.name == mark.name && m.created_ns == mark.created_ns => {
            (pool, m.seq)
        }
        Some((path, pool, _)) => {
            super::drop_elsewhere(pool);
            return Err(format!(
                "{} is not a snapshot of {}; no snapshot",
                path.display(),
                mark.name
            ));
        }
    };
    let read = runtime.block_on(reader.each_batch(after, mark.seq, |batch| {
        if cancel.load(Ordering::Relaxed) {
            return Err(super::snapshot_file::CANCELLED.to_owned());
        }
        apply_batch(&mut pool, &batch).map(drop)
    }));
    match read {
        Ok(()) => Ok(pool),
        Err(e) => {
            super::drop_elsewhere(pool);
            Err(e)
        }
    }
}

/// Applies one batch read from the stream onto `pool`, exactly as the leader applied it; the
/// records it holds.
pub fn apply_batch(pool: &mut Pool, batch: &Batch) -> Result<u64, String> {
    let (frames, tail) = frame::split(&batch.records, super::RECORD_BYTES_MAX);
    if tail != frame::Tail::Clean {
        return Err(format!(
            "batch {} of the stream is damaged ({tail:?})",
            batch.stream_seq
        ));
    }
    let mut applied = 0;
    for (offset, payload) in frames {
        let at = || format!("stream batch {} at byte {offset}", batch.stream_seq);
        applied += read::replay_record(pool, payload, &at)?;
    }
    Ok(applied)
}

/// How long a commit keeps trying while the stream has no leader (a nats-server died and the
/// stream is electing another): past it, the commit fails and the engine stops.
const APPEND_RETRY_FOR: Duration = Duration::from_secs(5);

/// Appends one message, trying again while the stream is unavailable, within
/// [`APPEND_RETRY_FOR`] and only while this node's lease is good. Each try carries the same
/// message id and the same fence, so a try that landed without its ack is answered as a
/// duplicate, never stored twice; a fenced append is not tried again.
async fn append_retrying(
    stream: &mut JournalStream,
    message: Bytes,
    lease: &LeaseClock,
) -> Result<u64, AppendError> {
    let id = format!("{}-{}", stream.writer, stream.last + 1);
    let deadline = Instant::now() + APPEND_RETRY_FOR;
    loop {
        match stream.append_as(message.clone(), &id).await {
            Err(AppendError::Unavailable(why))
                if Instant::now() < deadline && lease.valid_now() =>
            {
                tracing::warn!(error = %why, "the stream did not take the batch; trying again");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

/// The largest message a batch is published as: under nats-server's default `max_payload`
/// (1 MiB), with room for the headers. A bigger batch goes out as several messages, cut between
/// records, each fenced on the one before.
pub const MESSAGE_BYTES_MAX: usize = 1_000_000;

/// A batch's framed records as messages of at most [`MESSAGE_BYTES_MAX`] (a single record larger
/// than that is a message of its own, and the server refuses it: fail stop).
fn messages_of(batch: Bytes) -> Vec<Bytes> {
    if batch.len() <= MESSAGE_BYTES_MAX {
        return vec![batch];
    }
    let (frames, _) = frame::split(&batch, super::RECORD_BYTES_MAX);
    let mut out = Vec::new();
    let mut start = 0;
    for (offset, payload) in frames {
        let end = offset as usize + frame::HEADER_BYTES + payload.len();
        if end - start > MESSAGE_BYTES_MAX && offset as usize > start {
            out.push(batch.slice(start..offset as usize));
            start = offset as usize;
        }
    }
    out.push(batch.slice(start..));
    out
}

/// The records of one batch read from the stream: `(seq, now_ms, command)` each, as the leader
/// applied them.
pub fn records(batch: &Batch) -> Result<Vec<(u64, i64, Command)>, String> {
    let (frames, tail) = frame::split(&batch.records, super::RECORD_BYTES_MAX);
    if tail != frame::Tail::Clean {
        return Err(format!(
            "batch {} of the stream is damaged ({tail:?})",
            batch.stream_seq
        ));
    }
    frames
        .into_iter()
        .map(|(offset, payload)| {
            let rec: super::RecordIn = serde_json::from_slice(payload).map_err(|e| {
                format!(
                    "stream batch {} at byte {offset} is unreadable: {e}",
                    batch.stream_seq
                )
            })?;
            Ok((rec.seq, rec.now_ms, rec.cmd))
        })
        .collect()
}

impl JournalBackend for StreamJournal {
    fn followed(&mut self, stream_seq: u64, records: u64) {
        if let Some(stream) = &mut self.stream {
            stream.last = stream.last.max(stream_seq);
        }
        self.since_snapshot += records;
    }

    fn append(&mut self, cmd: &Command, ctx: Ctx) {
        super::encode_record(&mut self.pending, cmd, ctx);
        self.since_snapshot += 1;
    }

    fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    fn commit(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let failed = |why: String| std::io::Error::other(why);
        if !self.lease.valid_now() {
            return Err(failed(
                "this node's lease has run out: it may not append".into(),
            ));
        }
        let Some(mut stream) = self.stream.take() else {
            return Err(failed("the stream failed before".into()));
        };
        let messages = messages_of(Bytes::from(std::mem::take(&mut self.pending)));
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let lease = self.lease.clone();
        self.runtime.spawn(async move {
            let mut appended = Ok(0);
            for message in messages {
                appended = append_retrying(&mut stream, message, &lease).await;
                if appended.is_err() {
                    break;
                }
            }
            let _ = tx.send((stream, appended));
        });
        let (stream, appended) = rx
            .recv()
            .map_err(|_| failed("the server's runtime stopped mid-commit".into()))?;
        match appended {
            Ok(_) => {
                self.stream = Some(stream);
                self.pending = Vec::with_capacity(1 << 16);
                Ok(())
            }
            // The stream is left taken: nothing more is appended (fail stop).
            Err(e) => Err(failed(e.to_string())),
        }
    }

    fn ensure_room(&mut self, _next_seq: u64) -> Result<(), DiskFull> {
        Ok(()) // the stream's servers keep their own limits; a refused publish fails the commit
    }

    fn snapshot_due(&self) -> bool {
        self.snapshots
            .as_ref()
            .is_some_and(|s| self.since_snapshot >= s.every_records)
    }

    /// Notes the stream sequence `pool` includes (everything committed); the job reads the
    /// stream up to it on its own thread.
    fn begin_snapshot(&mut self, pool: &Pool) -> Result<SnapshotJob, String> {
        assert!(self.pending.is_empty(), "commit before a snapshot");
        let Some(snapshots) = &self.snapshots else {
            return Err("this node keeps no snapshots".into());
        };
        let Some(stream) = &self.stream else {
            return Err("the stream failed before".into());
        };
        let mark = stream.mark(stream.last);
        let reader = stream.reader();
        let runtime = self.runtime.clone();
        let dir = snapshots.dir.clone();
        let config = pool.config();
        self.since_snapshot = 0;
        let rebuild: super::snapshot::StreamRebuild = Box::new(move |cancel| {
            let pool = rebuild_from_stream(&dir, &reader, &runtime, config, &mark, cancel)?;
            Ok((pool, mark))
        });
        Ok(SnapshotJob::from_stream(
            snapshots.dir.clone(),
            config,
            pool.seq(),
            rebuild,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_batch_goes_out_as_messages_cut_between_records() {
        let mut batch = Vec::new();
        for i in 0..3000u32 {
            frame::encode_with(&mut batch, |b| b.extend_from_slice(&[i as u8; 997]));
        }
        let batch = Bytes::from(batch);
        let messages = messages_of(batch.clone());
        assert!(messages.len() >= 3, "{} messages", messages.len());
        let mut joined = Vec::new();
        for m in &messages {
            assert!(m.len() <= MESSAGE_BYTES_MAX, "{}", m.len());
            let (frames, tail) = frame::split(m, super::super::RECORD_BYTES_MAX);
            assert_eq!(tail, frame::Tail::Clean, "whole records in every message");
            assert!(!frames.is_empty());
            joined.extend_from_slice(m);
        }
        assert_eq!(joined, batch, "nothing lost or reordered");
        assert_eq!(messages_of(Bytes::from_static(b"small")).len(), 1);
    }

    #[test]
    fn a_shop_name_becomes_a_valid_stream_subject_and_key() {
        let c = StreamConfig {
            servers: vec![],
            shop: "hoodie shop.cn/*".into(),
            replicas: 1,
        };
        assert_eq!(c.stream_name(), "LIVESTOCK_HOODIE_SHOP_CN__");
        assert_eq!(c.subject(), "livestock.hoodie_shop_cn__.journal");
        assert_eq!(name_part("main-1_a"), "main-1_a");
    }
}
