//! A node whose journal is the shop's JetStream stream (`--journal`, API.md "Several nodes"):
//! it waits for the shop's lease, replays the stream, and keeps the lease while it writes.
//!
//! This is the leader's half of issue 16. A node that does not hold the lease waits for it
//! (answering 503 meanwhile) instead of following the stream and serving reads: followers, and
//! forwarding writes to the leader, are the next step.

use crate::config::ClusterConfig;
use crate::domain::{Pool, PoolConfig};
use crate::journal::jetstream::{
    Lease, LeaseClock, LeaseConfig, StreamConfig, StreamJournal, connect,
};
use std::time::{Duration, Instant};

/// How long a lease lives without renewal: a dead leader's shop waits at most this long for
/// another node to take over.
pub const LEASE_TTL: Duration = Duration::from_secs(3);
/// The KV bucket of the leases, one key per shop.
pub const LEASE_BUCKET: &str = "livestock-leases";

/// Waits until this node holds `cluster`'s lease, then replays the shop's stream; returns the
/// writer's journal and the pool. The lease is renewed in the background for as long as the
/// process runs; once a renewal fails past the TTL, the journal appends nothing more and the
/// engine fails stop.
pub async fn lead(
    cluster: &ClusterConfig,
    url: &str,
    pool_config: PoolConfig,
) -> Result<(StreamJournal, Pool), String> {
    let client = connect(&cluster.servers).await?;
    let lease_config = LeaseConfig {
        bucket: LEASE_BUCKET.to_owned(),
        ttl: LEASE_TTL,
        replicas: cluster.replicas,
    };
    let mut lease = Lease::open(client.clone(), &cluster.shop, &lease_config).await?;
    let clock = LeaseClock::new();
    let mut waiting_logged = false;
    loop {
        let at = Instant::now();
        if lease.bid(url).await? {
            clock.renewed(at, LEASE_TTL);
            break;
        }
        if !waiting_logged {
            let holder = lease.leader().await?.map(|l| l.url);
            tracing::info!(shop = %cluster.shop, leader = ?holder, "another node leads this shop; waiting for its lease");
            waiting_logged = true;
        }
        tokio::time::sleep(LEASE_TTL / 6).await;
    }
    tracing::info!(shop = %cluster.shop, "this node leads the shop; replaying its stream");
    let stream_config = StreamConfig {
        servers: cluster.servers.clone(),
        shop: cluster.shop.clone(),
        replicas: cluster.replicas,
    };
    let (journal, pool, replayed) =
        StreamJournal::open(client, &stream_config, pool_config, clock.clone()).await?;
    tracing::info!(seq = pool.seq(), replayed, "stream replayed");
    let url = url.to_owned();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(LEASE_TTL / 3).await;
            let at = Instant::now();
            match lease.renew(&url).await {
                Ok(true) => clock.renewed(at, LEASE_TTL),
                Ok(false) => {
                    clock.lost();
                    tracing::error!("this node lost the shop's lease: it appends nothing more");
                    return;
                }
                // The lease runs out by itself if this goes on; the next renewal may still work.
                Err(e) => tracing::warn!(error = %e, "renewing the lease failed"),
            }
        }
    });
    Ok((journal, pool))
}
