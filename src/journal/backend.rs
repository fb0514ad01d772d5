//! Where the writer's batches go: the file journal (the default) or a shop's JetStream stream
//! ([`super::jetstream::StreamJournal`]). The writer sees only this.

use super::{DiskFull, Journal, SnapshotJob};
use crate::domain::{Command, Ctx, Pool};

/// A durable, ordered log of the writer's commands, committed a batch at a time.
pub trait JournalBackend: Send {
    /// Adds a record to the next commit.
    fn append(&mut self, cmd: &Command, ctx: Ctx);
    /// Whether records are waiting for [`JournalBackend::commit`].
    fn has_pending(&self) -> bool;
    /// Makes every pending record durable at once (group commit). Only after `Ok` may the batch
    /// be acknowledged; after an error the backend must not be used again (fail stop).
    fn commit(&mut self) -> std::io::Result<()>;
    /// Refuses the next batch before anything is applied when there is no room for it.
    fn ensure_room(&mut self, next_seq: u64) -> Result<(), DiskFull>;
    /// Whether a snapshot should begin now.
    fn snapshot_due(&self) -> bool;
    /// Starts a snapshot of `pool`, which holds exactly what the backend holds.
    fn begin_snapshot(&mut self, pool: &Pool) -> Result<SnapshotJob, String>;
    /// A follower applied the leader's batch `stream_seq`, of `records` records: its own first
    /// append, once it leads, must follow that one, and its snapshots count them.
    fn followed(&mut self, _stream_seq: u64, _records: u64) {}
}

impl JournalBackend for Journal {
    fn append(&mut self, cmd: &Command, ctx: Ctx) {
        Journal::append(self, cmd, ctx)
    }
    fn has_pending(&self) -> bool {
        Journal::has_pending(self)
    }
    fn commit(&mut self) -> std::io::Result<()> {
        Journal::commit(self)
    }
    fn ensure_room(&mut self, next_seq: u64) -> Result<(), DiskFull> {
        Journal::ensure_room(self, next_seq)
    }
    fn snapshot_due(&self) -> bool {
        Journal::snapshot_due(self)
    }
    fn begin_snapshot(&mut self, pool: &Pool) -> Result<SnapshotJob, String> {
        Journal::begin_snapshot(self, pool)
    }
}
