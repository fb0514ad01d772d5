//! A node whose journal is its shop's JetStream stream (`--journal`, API.md "Several nodes").
//!
//! Every node starts as a follower: it replays the stream, then tails it, giving each of the
//! leader's batches to its writer, which applies it through the same domain code, so its pool is
//! the leader's; it serves reads, pages and screens from it, and its web layer sends writes on to
//! the leader (`web/forward.rs`). Each node also bids for the shop's lease. The one that wins
//! reads the stream to its tail, then tells its writer to lead: from then on it decides and
//! appends, every batch fenced on the stream's last sequence. It renews the lease by revision;
//! once a renewal has failed past the lease's life its journal appends nothing more, and the
//! engine fails stop (the process exits; restarted, it follows).

use crate::config::ClusterConfig;
use crate::domain::{Pool, PoolConfig};
use crate::engine::{Engine, Follow};
use crate::journal::jetstream::{
    JournalStream, Lease, LeaseClock, LeaseConfig, Opened, StreamConfig, StreamJournal,
    StreamSnapshots, connect,
};
use crate::web::forward::ClusterInfo;
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How long a lease lives without renewal: a dead leader's shop waits at most this long for
/// another node to take over.
pub const LEASE_TTL: Duration = Duration::from_secs(3);
/// How long a follower waits for the next batch before it checks that its consumer is not stuck.
const STALL_CHECK: Duration = Duration::from_secs(1);
/// The KV bucket of the leases, one key per shop.
pub const LEASE_BUCKET: &str = "livestock-leases";

/// A node ready to start its engine as a follower: the writer's journal, the pool replayed from
/// the stream, and the node's tasks, to [`Tasks::run`] once the engine is started.
pub struct Prepared {
    pub journal: StreamJournal,
    pub pool: Pool,
    pub tasks: Tasks,
}

/// What the node's two tasks need: a stream handle to tail, the lease, its clock (shared with
/// the journal), and the last batch the pool includes.
pub struct Tasks {
    follow: JournalStream,
    lease: Lease,
    clock: Arc<LeaseClock>,
    applied: u64,
}

/// How long a start waits for NATS (a cluster starting beside the nodes elects its JetStream
/// leader first) before it gives up.
const NATS_WAIT: Duration = Duration::from_secs(60);

/// Connects, opens the shop's stream and lease, and replays the stream; while NATS cannot do
/// that yet, tries again for up to [`NATS_WAIT`].
pub async fn prepare(
    cluster: &ClusterConfig,
    pool_config: PoolConfig,
    snapshots: &StreamSnapshots,
) -> Result<Prepared, String> {
    let started = Instant::now();
    loop {
        match try_prepare(cluster, pool_config, snapshots).await {
            Ok(prepared) => return Ok(prepared),
            Err(e) if started.elapsed() < NATS_WAIT => {
                tracing::warn!(error = %e, "the shop's stream cannot be opened yet; trying again");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Where a node keeps its snapshots of `shop`: a dir of the data dir of its own, so one data dir
/// can serve several shops and never mixes them with a file journal's.
pub fn snapshot_dir(data_dir: &std::path::Path, shop: &str) -> std::path::PathBuf {
    data_dir.join(format!(
        "stream-{}",
        crate::journal::jetstream::name_part(shop)
    ))
}

async fn try_prepare(
    cluster: &ClusterConfig,
    pool_config: PoolConfig,
    snapshots: &StreamSnapshots,
) -> Result<Prepared, String> {
    let client = connect(&cluster.servers).await?;
    let stream_config = StreamConfig {
        servers: cluster.servers.clone(),
        shop: cluster.shop.clone(),
        replicas: cluster.replicas,
    };
    let clock = LeaseClock::new();
    let Opened {
        journal,
        pool,
        replayed,
        snapshot,
    } = StreamJournal::open(
        client.clone(),
        &stream_config,
        pool_config,
        clock.clone(),
        Some(snapshots.clone()),
    )
    .await?;
    let follow = JournalStream::open(client.clone(), &stream_config).await?;
    let applied = journal.last();
    let lease_config = LeaseConfig {
        bucket: LEASE_BUCKET.to_owned(),
        ttl: LEASE_TTL,
        replicas: cluster.replicas,
    };
    let lease = Lease::open(client, &cluster.shop, &lease_config).await?;
    tracing::info!(
        shop = %cluster.shop, seq = pool.seq(), replayed, snapshot = ?snapshot,
        "stream replayed; following it"
    );
    Ok(Prepared {
        journal,
        pool,
        tasks: Tasks {
            follow,
            lease,
            clock,
            applied,
        },
    })
}

impl Tasks {
    /// Runs the node's two tasks over its started (following) engine: tailing the stream, and
    /// bidding for and keeping the lease. `url` is this node's advertised URL.
    pub fn run(self, engine: Engine, info: Arc<ClusterInfo>, url: String) -> Release {
        let (lead_tx, lead_rx) = oneshot::channel();
        let (release_tx, release_rx) = oneshot::channel();
        tokio::spawn(tail(self.follow, self.applied, engine, lead_rx));
        tokio::spawn(keep_lease(
            self.lease, self.clock, info, url, lead_tx, release_rx,
        ));
        Release(release_tx)
    }
}

/// Gives the shop's lease up on a clean stop, once the writer has stopped, so another node leads
/// at once instead of waiting for the lease to age out.
pub struct Release(oneshot::Sender<oneshot::Sender<()>>);

impl Release {
    /// Gives the lease up if this node holds it; waits at most a second for NATS to take it.
    pub async fn release(self) {
        let (done, released) = oneshot::channel();
        if self.0.send(done).is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(1), released).await;
        }
    }
}

/// Gives the writer each batch of the stream after `applied`, in order; once told to lead, reads
/// to the stream's tail, gives the writer that, and tells it to lead.
async fn tail(
    stream: JournalStream,
    mut applied: u64,
    engine: Engine,
    mut lead: oneshot::Receiver<()>,
) {
    let mut leading = false;
    loop {
        let mut batches = match stream.tail(applied + 1).await {
            Ok(batches) => batches,
            Err(e) => {
                tracing::warn!(error = %e, "cannot follow the stream; trying again");
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        loop {
            // Once leading, read to the tail as it is now, then hand over.
            if leading {
                match stream.tail_seq().await {
                    Ok(tail) if tail <= applied => {
                        let (done, writes) = oneshot::channel();
                        if engine.follow(Follow::Lead(done)).await {
                            let _ = writes.await;
                        }
                        return;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "reading the stream's tail");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                }
            }
            let next = tokio::select! {
                next = tokio::time::timeout(STALL_CHECK, batches.next()) => match next {
                    Ok(next) => next,
                    // Nothing for a while: fine if the stream has nothing new, but a consumer
                    // whose server died can stall without an error; start it again.
                    Err(_) => match stream.tail_seq().await {
                        Ok(tail) if tail <= applied => continue,
                        _ => break,
                    },
                },
                won = &mut lead, if !leading => {
                    if won.is_ok() {
                        leading = true;
                    }
                    continue;
                }
            };
            match next {
                Some(Ok(batch)) if batch.stream_seq <= applied => {}
                Some(Ok(batch)) => {
                    applied = batch.stream_seq;
                    if !engine.follow(Follow::Batch(batch)).await {
                        return; // the writer is gone
                    }
                }
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "following the stream; starting again at {}", applied + 1);
                    break;
                }
                None => break,
            }
        }
    }
}

/// Bids for the shop's lease until this node holds it (noting who else does, for the web layer's
/// forwarding), then says so and keeps it renewed.
async fn keep_lease(
    mut lease: Lease,
    clock: Arc<LeaseClock>,
    info: Arc<ClusterInfo>,
    url: String,
    won: oneshot::Sender<()>,
    mut release: oneshot::Receiver<oneshot::Sender<()>>,
) {
    loop {
        if release.try_recv().is_ok() {
            return; // stopping before it ever led: nothing to give up
        }
        let at = Instant::now();
        match lease.bid(&url).await {
            Ok(true) => {
                clock.renewed(at, LEASE_TTL);
                info.set_leader(Some(url.clone()));
                tracing::info!(shop = %info.shop, "this node won the shop's lease; catching up to lead");
                let _ = won.send(());
                break;
            }
            Ok(false) => match lease.leader().await {
                Ok(leader) => info.set_leader(leader.map(|l| l.url)),
                Err(e) => tracing::warn!(error = %e, "reading the shop's lease"),
            },
            Err(e) => tracing::warn!(error = %e, "bidding for the shop's lease"),
        }
        tokio::time::sleep(LEASE_TTL / 6).await;
    }
    loop {
        tokio::select! {
            () = tokio::time::sleep(LEASE_TTL / 3) => {}
            asked = &mut release => {
                clock.lost();
                match lease.release().await {
                    Ok(()) => tracing::info!("gave the shop's lease up"),
                    Err(e) => tracing::warn!(error = %e, "giving the lease up failed; it ages out"),
                }
                if let Ok(done) = asked {
                    let _ = done.send(());
                }
                return;
            }
        }
        let at = Instant::now();
        match lease.renew(&url).await {
            Ok(true) => clock.renewed(at, LEASE_TTL),
            Ok(false) => {
                clock.lost();
                info.set_leader(None);
                tracing::error!("this node lost the shop's lease: it appends nothing more");
                return;
            }
            // The lease runs out by itself if this goes on; the next renewal may still work.
            Err(e) => tracing::warn!(error = %e, "renewing the lease failed"),
        }
    }
}
