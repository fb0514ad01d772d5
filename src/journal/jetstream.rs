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
//! This module is the transport: the engine's leader and follower modes build on it.

use async_nats::jetstream::{self, consumer, context, kv, stream};
use bytes::Bytes;
use futures_util::StreamExt;
use std::time::Duration;

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
fn name_part(shop: &str) -> String {
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
    /// The stream sequence of the last batch this node has appended or read: what its next
    /// append expects to follow.
    last: u64,
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
        Ok(JournalStream {
            js,
            stream,
            subject: config.subject(),
            last,
        })
    }

    /// The stream sequence the next append expects to follow.
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Appends one batch, fenced on [`JournalStream::last`]. `Ok` means a quorum of the servers
    /// has it: only then may its events be acknowledged.
    pub async fn append(&mut self, records: Bytes) -> Result<u64, AppendError> {
        let publish = jetstream::message::PublishMessage::build()
            .payload(records)
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
        let info = self
            .stream
            .info()
            .await
            .map_err(|e| format!("reading the stream's state: {e}"))?;
        let upto = info.state.last_sequence;
        let mut out = Vec::new();
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
                out.push(Batch {
                    stream_seq: seq,
                    records: message.payload.clone(),
                });
                expected += 1;
            }
        }
        self.last = self.last.max(upto);
        Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

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
