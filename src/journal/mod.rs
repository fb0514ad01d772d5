//! Durability: the append-only journal of commands, group commit, replay on start, and snapshots.
//!
//! On disk, a data dir holds segments `journal-<first seq>.log` and snapshots `snapshot-<seq>.bin`
//! (binary, see `snapshot_file`; `snapshot-<seq>.json` from before it are still read). Every record
//! is framed as `len: u32 LE | crc32: u32 LE | payload (JSON)`, and so is every part of a snapshot.
//! A record is one [`Command`] with the [`Ctx`] it was applied with, so replay rebuilds the pool
//! exactly. A torn record at the very end of the last segment (a crash mid-write) is cut off and
//! logged; damage anywhere else refuses to start, because acknowledged events would be lost.
//!
//! Segments are reserved on disk ahead of need ([`JournalOptions::segment_bytes`]): when the next
//! one cannot be reserved the disk is full, and [`Journal::ensure_room`] says so before anything is
//! applied, so the engine can refuse writes cleanly and take them again once space returns. A write
//! or sync that fails is never retried: the engine stops, and a restart replays what is durable.

mod backend;
mod frame;
pub mod jetstream;
mod read;
mod replay;
mod snapshot;
mod snapshot_file;
pub mod storage;

use crate::domain::{Command, Ctx};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use storage::{OsStorage, SegmentFile, Storage};

pub use backend::JournalBackend;
pub use replay::Recovered;
pub use snapshot::SnapshotJob;

/// The largest journal record: a batch of 1,000 SKUs with long names fits many times over.
pub const RECORD_BYTES_MAX: u32 = 16 << 20;
/// Start a new snapshot after this many records by default.
pub const SNAPSHOT_EVERY_RECORDS_DEFAULT: u64 = 500_000;
/// Disk reserved for each segment by default.
pub const SEGMENT_BYTES_DEFAULT: u64 = 64 << 20;

/// How the journal lays itself out on disk.
#[derive(Clone)]
pub struct JournalOptions {
    /// Start a new snapshot after this many records.
    pub snapshot_every_records: u64,
    /// Disk reserved for each segment. A new segment is reserved once less than a quarter of
    /// this is left in the open one, so a batch always lands in space the disk has promised.
    pub segment_bytes: u64,
    /// The file system (the real one, or one that fails on command in tests).
    pub storage: Arc<dyn Storage>,
}

impl Default for JournalOptions {
    fn default() -> Self {
        JournalOptions {
            snapshot_every_records: SNAPSHOT_EVERY_RECORDS_DEFAULT,
            segment_bytes: SEGMENT_BYTES_DEFAULT,
            storage: Arc::new(OsStorage),
        }
    }
}

/// One journal record as written.
#[derive(Serialize)]
struct RecordOut<'a> {
    seq: u64,
    now_ms: i64,
    cmd: &'a Command,
}

/// One journal record as read back.
#[derive(Deserialize)]
pub(super) struct RecordIn {
    pub(super) seq: u64,
    pub(super) now_ms: i64,
    pub(super) cmd: Command,
}

/// The open journal: the segment being appended to and the records not yet committed.
pub struct Journal {
    dir: PathBuf,
    storage: Arc<dyn Storage>,
    /// The segment records are appended to.
    file: Box<dyn SegmentFile>,
    /// The sequence number in the open segment's name: the first record it may hold.
    segment_first_seq: u64,
    /// Bytes of the open segment that were written and synced.
    written_bytes: u64,
    /// Bytes of the open segment reserved on disk (at least `written_bytes`).
    reserved_bytes: u64,
    segment_bytes: u64,
    /// Encoded records waiting for the next [`Journal::commit`].
    pending: Vec<u8>,
    /// Records written since the last snapshot began.
    records_since_snapshot: u64,
    snapshot_every_records: u64,
}

/// The disk has no room for the next segment: nothing was written, and nothing may be applied.
#[derive(Debug)]
pub struct DiskFull(pub String);

fn segment_name(first_seq: u64) -> String {
    format!("journal-{first_seq:020}.log")
}

fn snapshot_name(seq: u64) -> String {
    format!("snapshot-{seq:020}.bin")
}

/// The snapshot files of `dir`, binary and JSON alike, sorted by seq.
fn snapshot_files(dir: &Path) -> Result<Vec<(u64, PathBuf)>, String> {
    let mut all = numbered(dir, "snapshot-", ".bin")?;
    all.extend(numbered(dir, "snapshot-", ".json")?);
    all.sort();
    Ok(all)
}

/// The files named `<prefix><number><suffix>` in `dir`, sorted by number.
fn numbered(dir: &Path, prefix: &str, suffix: &str) -> Result<Vec<(u64, PathBuf)>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("reading {}: {e}", dir.display()))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(n) = name
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(suffix))
            .and_then(|n| n.parse::<u64>().ok())
        {
            out.push((n, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Drops `value` on a thread of its own: freeing a pool of millions of orders one by one takes
/// seconds, which a stopping process need not wait for (it may exit meanwhile).
pub fn drop_elsewhere<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("livestock-free".to_owned())
        .spawn(move || drop(value));
}

fn sync_dir(dir: &Path) -> Result<(), String> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("syncing {}: {e}", dir.display()))
}

/// Frames one record onto `pending`, as every journal backend writes it.
fn encode_record(pending: &mut Vec<u8>, cmd: &Command, ctx: Ctx) {
    let rec = RecordOut {
        seq: ctx.seq,
        now_ms: ctx.now_ms,
        cmd,
    };
    frame::encode_with(pending, |buf| {
        serde_json::to_writer(buf, &rec).expect("commands always serialise")
    });
}

impl Journal {
    /// Adds a record to the next commit.
    pub fn append(&mut self, cmd: &Command, ctx: Ctx) {
        encode_record(&mut self.pending, cmd, ctx);
        self.records_since_snapshot += 1;
    }

    /// Whether records are waiting for [`Journal::commit`].
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Writes every pending record and syncs once (group commit). Only after this returns `Ok` may
    /// the commands be acknowledged. On an error the segment is cut back to what was durable before
    /// (so a restart does not replay what was never acknowledged), and the journal must not be used
    /// again: after a failed sync the kernel may have dropped the dirty pages, so a retry that
    /// "succeeds" would prove nothing.
    pub fn commit(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let written = self
            .file
            .append(&self.pending)
            .and_then(|()| self.file.sync());
        if let Err(e) = written {
            let _ = self.file.truncate(self.written_bytes); // best effort: we stop either way
            return Err(e);
        }
        self.written_bytes += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Makes sure the open segment has room reserved on disk for the next batch, reserving a new
    /// segment (named `next_seq`) when it has not. Call with nothing pending, before applying the
    /// batch: a full disk is then refused before anything changed.
    pub fn ensure_room(&mut self, next_seq: u64) -> Result<(), DiskFull> {
        if self.written_bytes + self.segment_bytes / 4 <= self.reserved_bytes {
            return Ok(());
        }
        self.roll(next_seq).map_err(DiskFull)
    }

    /// Continues in a segment named `next_seq`, reserved on disk. When the open segment is still
    /// empty it is that segment, and only its reservation is made. On failure nothing changes.
    fn roll(&mut self, next_seq: u64) -> Result<(), String> {
        if self.written_bytes == 0 && self.segment_first_seq == next_seq {
            self.file
                .reserve(self.segment_bytes)
                .map_err(|e| format!("reserving {} bytes of journal: {e}", self.segment_bytes))?;
            self.reserved_bytes = self.segment_bytes;
            return Ok(());
        }
        let path = self.dir.join(segment_name(next_seq));
        let reserved = self
            .storage
            .open_segment(&path)
            .and_then(|mut file| file.reserve(self.segment_bytes).map(|()| file));
        let file = match reserved {
            Ok(file) => file,
            Err(e) => {
                let _ = fs::remove_file(&path); // empty: it never held a record
                return Err(format!("reserving {}: {e}", path.display()));
            }
        };
        sync_dir(&self.dir)?;
        self.file = file;
        self.segment_first_seq = next_seq;
        self.written_bytes = 0;
        self.reserved_bytes = self.segment_bytes;
        Ok(())
    }

    /// Whether enough records have passed for a new snapshot.
    pub fn snapshot_due(&self) -> bool {
        self.records_since_snapshot >= self.snapshot_every_records
    }
}

#[cfg(test)]
mod tests;
