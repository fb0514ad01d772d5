//! Durability: the append-only journal of commands, group commit, replay on start, and snapshots.
//!
//! On disk, a data dir holds segments `journal-<first seq>.log` and snapshots `snapshot-<seq>.json`.
//! Every record and every snapshot is framed as `len: u32 LE | crc32: u32 LE | payload (JSON)`.
//! A record is one [`Command`] with the [`Ctx`] it was applied with, so replay rebuilds the pool
//! exactly. A torn record at the very end of the last segment (a crash mid-write) is cut off and
//! logged; damage anywhere else refuses to start, because acknowledged events would be lost.

mod frame;

use crate::domain::{Command, Ctx, Pool, PoolConfig, Snapshot};
use frame::Tail;
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The largest journal record: a batch of 1,000 SKUs with long names fits many times over.
pub const RECORD_BYTES_MAX: u32 = 16 << 20;
/// Start a new snapshot after this many records by default.
pub const SNAPSHOT_EVERY_RECORDS_DEFAULT: u64 = 500_000;

/// One journal record as written.
#[derive(Serialize)]
struct RecordOut<'a> {
    seq: u64,
    now_ms: i64,
    cmd: &'a Command,
}

/// One journal record as read back.
#[derive(Deserialize)]
struct RecordIn {
    seq: u64,
    now_ms: i64,
    cmd: Command,
}

/// The open journal: the segment being appended to and the records not yet committed.
pub struct Journal {
    dir: PathBuf,
    /// The segment records are appended to.
    file: File,
    /// Encoded records waiting for the next [`Journal::commit`].
    pending: Vec<u8>,
    /// Records written since the last snapshot began.
    records_since_snapshot: u64,
    snapshot_every_records: u64,
}

/// What start-up found: the pool as it was, and what it had to do to get there.
pub struct Recovered {
    pub journal: Journal,
    pub pool: Pool,
    /// Records replayed after the snapshot.
    pub replayed: u64,
    /// Bytes of a torn last record that were cut off, if any.
    pub torn_bytes_cut: u64,
}

fn segment_name(first_seq: u64) -> String {
    format!("journal-{first_seq:020}.log")
}

fn snapshot_name(seq: u64) -> String {
    format!("snapshot-{seq:020}.json")
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

fn sync_dir(dir: &Path) -> Result<(), String> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("syncing {}: {e}", dir.display()))
}

impl Journal {
    /// Opens the journal in `dir` (creating it), loads the newest snapshot and replays every record
    /// after it. Refuses with a message naming the file and offset when the data is damaged.
    pub fn open(
        dir: &Path,
        config: PoolConfig,
        snapshot_every_records: u64,
    ) -> Result<Recovered, String> {
        fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let mut pool = match numbered(dir, "snapshot-", ".json")?.pop() {
            Some((_, path)) => load_snapshot(&path, config)?,
            None => Pool::new(config),
        };
        let segments = numbered(dir, "journal-", ".log")?;
        let mut replayed = 0;
        let mut torn_bytes_cut = 0;
        for (i, (_, path)) in segments.iter().enumerate() {
            let bytes = fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            let (frames, tail) = frame::split(&bytes, RECORD_BYTES_MAX);
            for (offset, payload) in frames {
                let at = || format!("{} at byte {offset}", path.display());
                let rec: RecordIn = serde_json::from_slice(payload)
                    .map_err(|e| format!("journal record unreadable in {}: {e}", at()))?;
                if rec.seq <= pool.seq() {
                    continue; // already in the snapshot
                }
                if rec.seq != pool.seq() + 1 {
                    return Err(format!(
                        "journal gap in {}: record {} follows {}",
                        at(),
                        rec.seq,
                        pool.seq()
                    ));
                }
                let ctx = Ctx {
                    seq: rec.seq,
                    now_ms: rec.now_ms,
                };
                match pool.apply(&rec.cmd, ctx) {
                    Ok(effect) if effect.journal => replayed += 1,
                    other => {
                        return Err(format!(
                            "replay of record {} in {} did not apply as it did when written: {other:?}",
                            rec.seq,
                            at()
                        ));
                    }
                }
            }
            let last = i + 1 == segments.len();
            match tail {
                Tail::Clean => {}
                Tail::Torn { offset } if last => {
                    torn_bytes_cut = bytes.len() as u64 - offset;
                    tracing::warn!(
                        file = %path.display(),
                        offset,
                        bytes = torn_bytes_cut,
                        "cutting off a torn last journal record (a crash during its write; it was never acknowledged)"
                    );
                    let f = OpenOptions::new()
                        .write(true)
                        .open(path)
                        .map_err(|e| format!("opening {}: {e}", path.display()))?;
                    f.set_len(offset)
                        .and_then(|()| f.sync_all())
                        .map_err(|e| format!("truncating {}: {e}", path.display()))?;
                }
                Tail::Torn { offset } | Tail::Corrupt { offset, .. } => {
                    let why = match tail {
                        Tail::Corrupt { why, .. } => why,
                        _ => "a torn record before the last segment".to_owned(),
                    };
                    return Err(format!(
                        "the journal is damaged in {} at byte {offset}: {why}. Acknowledged events follow it, so livestock \
                         will not start on it; restore the data dir from a backup or move the damaged file aside knowingly",
                        path.display()
                    ));
                }
            }
        }
        let path = match segments.last() {
            Some((_, path)) => path.clone(),
            None => dir.join(segment_name(pool.seq() + 1)),
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("opening {}: {e}", path.display()))?;
        sync_dir(dir)?;
        let journal = Journal {
            dir: dir.to_owned(),
            file,
            pending: Vec::with_capacity(1 << 16),
            records_since_snapshot: replayed,
            snapshot_every_records: snapshot_every_records.max(1),
        };
        Ok(Recovered {
            journal,
            pool,
            replayed,
            torn_bytes_cut,
        })
    }

    /// Adds a record to the next commit.
    pub fn append(&mut self, cmd: &Command, ctx: Ctx) {
        let rec = RecordOut {
            seq: ctx.seq,
            now_ms: ctx.now_ms,
            cmd,
        };
        frame::encode_with(&mut self.pending, |buf| {
            serde_json::to_writer(buf, &rec).expect("commands always serialise")
        });
        self.records_since_snapshot += 1;
    }

    /// Whether records are waiting for [`Journal::commit`].
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Writes every pending record and syncs once (group commit). Only after this returns may the
    /// commands be acknowledged.
    pub fn commit(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.file.write_all(&self.pending)?;
        self.file.sync_data()?;
        self.pending.clear();
        Ok(())
    }

    /// Whether enough records have passed for a new snapshot.
    pub fn snapshot_due(&self) -> bool {
        self.records_since_snapshot >= self.snapshot_every_records
    }

    /// Starts a snapshot of `pool`: later records go to a new segment, and the returned job writes the
    /// snapshot and removes what it covers. The job may run on another thread; the journal goes on.
    /// Call only with nothing pending.
    pub fn begin_snapshot(&mut self, pool: &Pool) -> Result<SnapshotJob, String> {
        assert!(self.pending.is_empty(), "commit before a snapshot");
        let next = pool.seq() + 1;
        let path = self.dir.join(segment_name(next));
        let covered: Vec<PathBuf> = numbered(&self.dir, "journal-", ".log")?
            .into_iter()
            .filter(|(first, _)| *first < next)
            .map(|(_, p)| p)
            .collect();
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("opening {}: {e}", path.display()))?;
        sync_dir(&self.dir)?;
        self.records_since_snapshot = 0;
        Ok(SnapshotJob {
            dir: self.dir.clone(),
            snapshot: pool.snapshot(),
            covered,
        })
    }
}

/// A snapshot being written: the pool at one seq and the segments it makes unnecessary.
pub struct SnapshotJob {
    dir: PathBuf,
    snapshot: Snapshot,
    covered: Vec<PathBuf>,
}

impl SnapshotJob {
    /// Writes the snapshot durably (temp file, sync, rename, sync dir), then removes the segments
    /// and older snapshots it covers.
    pub fn write(self) -> Result<u64, String> {
        let seq = self.snapshot.seq;
        let path = self.dir.join(snapshot_name(seq));
        let tmp = path.with_extension("json.tmp");
        let mut bytes = Vec::new();
        frame::encode_with(&mut bytes, |buf| {
            serde_json::to_writer(buf, &self.snapshot).expect("snapshots always serialise")
        });
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)
        };
        write().map_err(|e| format!("writing {}: {e}", path.display()))?;
        sync_dir(&self.dir)?;
        for old in &self.covered {
            fs::remove_file(old).map_err(|e| format!("removing {}: {e}", old.display()))?;
        }
        for (n, old) in numbered(&self.dir, "snapshot-", ".json")? {
            if n < seq {
                fs::remove_file(&old).map_err(|e| format!("removing {}: {e}", old.display()))?;
            }
        }
        Ok(seq)
    }
}

fn load_snapshot(path: &Path, config: PoolConfig) -> Result<Pool, String> {
    let bytes = fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let (frames, tail) = frame::split(&bytes, u32::MAX);
    let payload = match (frames.as_slice(), tail) {
        ([(_, payload)], Tail::Clean) => *payload,
        _ => {
            return Err(format!(
                "the snapshot {} is damaged; livestock will not start on it",
                path.display()
            ));
        }
    };
    let snap: Snapshot = serde_json::from_slice(payload)
        .map_err(|e| format!("the snapshot {} is unreadable: {e}", path.display()))?;
    Pool::from_snapshot(snap, config)
        .map_err(|e| format!("the snapshot {} is inconsistent: {e}", path.display()))
}

#[cfg(test)]
mod tests;
