//! Snapshots: the pool at one sequence number, written beside the journal so a restart replays
//! only what came after it.
//!
//! The writer does not copy its pool for a snapshot (a deep copy of a million orders stalled it for
//! two seconds). It only starts a new segment and hands over the names of the closed ones; the
//! snapshot thread rebuilds the pool at that sequence number from the last snapshot and those
//! segments, exactly as a restart would, and writes that. So a snapshot is made from what is on disk
//! and can never hold a change the journal does not, and the writer pauses for a file creation.
//!
//! A stopping server writes no snapshot of its own and calls a running one off: the journal holds
//! everything, and replaying the records since the last snapshot (at most two snapshot intervals)
//! is quicker than writing the whole pool once more.

use super::frame::Tail;
use super::read::{newest_snapshot, replay_segment};
use super::snapshot_file::StreamMark;
use super::{Journal, numbered, snapshot_file, snapshot_files, snapshot_name, sync_dir};
use crate::domain::{Pool, PoolConfig};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

impl Journal {
    /// Starts a snapshot of the state `pool` holds, which must be the state the journal holds
    /// (everything committed, nothing pending): later records go to a new segment, and the
    /// returned job rebuilds that state from disk, writes it and removes what it covers. The job
    /// may run on another thread while the journal goes on. A disk with no room for the new
    /// segment refuses here, and the journal goes on in the segment it had.
    pub fn begin_snapshot(&mut self, pool: &Pool) -> Result<SnapshotJob, String> {
        let seq = pool.seq();
        assert!(self.pending.is_empty(), "commit before a snapshot");
        let next = seq + 1;
        let covered: Vec<PathBuf> = numbered(&self.dir, "journal-", ".log")?
            .into_iter()
            .filter(|(first, _)| *first < next)
            .map(|(_, p)| p)
            .collect();
        self.roll(next)?;
        self.records_since_snapshot = 0;
        Ok(SnapshotJob {
            dir: self.dir.clone(),
            config: pool.config(),
            seq,
            source: Source::Segments(covered),
            cancel: Arc::new(AtomicBool::new(false)),
        })
    }
}

/// Rebuilds, on the snapshot's thread, the pool a snapshot of the JetStream journal holds, and
/// says up to which batch of the stream it goes.
pub type StreamRebuild = Box<dyn FnOnce(&AtomicBool) -> Result<(Pool, StreamMark), String> + Send>;

/// Where a snapshot job gets the pool it writes: never from the writer's own pool, which goes on
/// changing meanwhile.
enum Source {
    /// The newest snapshot and these closed segments, oldest first (none is written to again);
    /// they are removed once the snapshot is durable.
    Segments(Vec<PathBuf>),
    /// The newest snapshot and the stream's batches after it.
    Stream(StreamRebuild),
}

/// A snapshot being written: the pool at one seq, rebuilt from what is durable, and what it makes
/// unnecessary.
pub struct SnapshotJob {
    dir: PathBuf,
    config: PoolConfig,
    seq: u64,
    source: Source,
    /// Set to call the job off (see [`SnapshotJob::canceller`]).
    cancel: Arc<AtomicBool>,
}

impl SnapshotJob {
    /// A snapshot into `dir` of the pool at `seq` that `rebuild` makes from the stream.
    pub(super) fn from_stream(
        dir: PathBuf,
        config: PoolConfig,
        seq: u64,
        rebuild: StreamRebuild,
    ) -> SnapshotJob {
        SnapshotJob {
            dir,
            config,
            seq,
            source: Source::Stream(rebuild),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The journal sequence number the snapshot will hold.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// A flag that calls the job off once set: [`SnapshotJob::write`] then returns soon, with
    /// nothing renamed or removed (a stopping server need not wait seconds for a snapshot; the
    /// journal holds everything it would have).
    pub fn canceller(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Builds the pool, writes the snapshot durably (temp file, sync, rename, sync dir), then
    /// removes the segments and older snapshots it covers.
    pub fn write(self) -> Result<u64, String> {
        let seq = self.seq;
        let cancel = &*self.cancel;
        let (pool, mark, covered) = match self.source {
            Source::Segments(covered) => {
                let pool = rebuild(&self.dir, &covered, self.config, seq, cancel)?;
                (pool, None, covered)
            }
            Source::Stream(rebuild) => {
                let (pool, mark) = rebuild(cancel)?;
                if pool.seq() != seq {
                    let rebuilt = pool.seq();
                    super::drop_elsewhere(pool);
                    return Err(format!(
                        "the stream rebuilds seq {rebuilt}, not the writer's {seq}; no snapshot"
                    ));
                }
                (pool, Some(mark), Vec::new())
            }
        };
        let path = self.dir.join(snapshot_name(seq));
        let tmp = path.with_extension("bin.tmp");
        let write = || -> Result<(), String> {
            let f = snapshot_file::write_file(&pool, mark.as_ref(), &tmp, cancel)?;
            f.sync_all().map_err(|e| e.to_string())?;
            if cancel.load(Ordering::Relaxed) {
                return Err(snapshot_file::CANCELLED.to_owned());
            }
            fs::rename(&tmp, &path).map_err(|e| e.to_string())
        };
        let written = write();
        super::drop_elsewhere(pool);
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp); // a full disk must not keep half a snapshot
            if e == snapshot_file::CANCELLED {
                return Err(e);
            }
            return Err(format!("writing {}: {e}", path.display()));
        }
        sync_dir(&self.dir)?;
        for old in &covered {
            fs::remove_file(old).map_err(|e| format!("removing {}: {e}", old.display()))?;
        }
        for (n, old) in snapshot_files(&self.dir)? {
            if n < seq {
                fs::remove_file(&old).map_err(|e| format!("removing {}: {e}", old.display()))?;
            }
        }
        Ok(seq)
    }
}

/// The pool at `seq`: the newest snapshot at or before it, then every record of `covered` after
/// the snapshot. The covered segments are closed and were committed whole, so anything but clean
/// frames in them, or a pool that does not end at `seq`, is damage and the snapshot is refused.
fn rebuild(
    dir: &Path,
    covered: &[PathBuf],
    config: PoolConfig,
    seq: u64,
    cancel: &AtomicBool,
) -> Result<Pool, String> {
    let mut pool = newest_snapshot(dir, config, seq, cancel)?;
    for path in covered {
        let (_, tail, _) = match replay_segment(&mut pool, path, cancel) {
            Ok(replayed) => replayed,
            Err(e) => {
                super::drop_elsewhere(pool);
                return Err(e);
            }
        };
        if !matches!(tail, Tail::Clean) {
            return Err(format!(
                "{} does not end with a whole record; no snapshot from it",
                path.display()
            ));
        }
    }
    if pool.seq() != seq {
        return Err(format!(
            "the journal rebuilds seq {}, not the writer's {seq}; no snapshot",
            pool.seq()
        ));
    }
    Ok(pool)
}
