//! Snapshots: the pool at one sequence number, written beside the journal so a restart replays
//! only what came after it.
//!
//! The writer does not copy its pool for a snapshot (a deep copy of a million orders stalled it for
//! two seconds). It only starts a new segment and hands over the names of the closed ones; the
//! snapshot thread rebuilds the pool at that sequence number from the last snapshot and those
//! segments, exactly as a restart would, and writes that. So a snapshot is made from what is on disk
//! and can never hold a change the journal does not, and the writer pauses for a file creation.

use super::frame::{self, Tail};
use super::read::{newest_snapshot, replay_segment};
use super::{Journal, numbered, snapshot_name, sync_dir};
use crate::domain::{Pool, PoolConfig, Snapshot};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

impl Journal {
    /// Starts a snapshot of the state `pool` holds, which must be the state the journal holds
    /// (everything committed, nothing pending): later records go to a new segment, and the
    /// returned job rebuilds that state from disk, writes it and removes what it covers. The job
    /// may run on another thread while the journal goes on. A disk with no room for the new
    /// segment refuses here, and the journal goes on in the segment it had.
    pub fn begin_snapshot(&mut self, pool: &Pool) -> Result<SnapshotJob, String> {
        let covered = self.cover(pool.seq())?;
        Ok(SnapshotJob {
            dir: self.dir.clone(),
            source: Source::Replay {
                config: pool.config(),
                seq: pool.seq(),
            },
            covered,
        })
    }

    /// As [`Journal::begin_snapshot`], for a pool nothing will change again (on shutdown): the job
    /// writes that pool as it is, without replaying.
    pub fn final_snapshot(&mut self, pool: Pool) -> Result<SnapshotJob, String> {
        let covered = self.cover(pool.seq())?;
        Ok(SnapshotJob {
            dir: self.dir.clone(),
            source: Source::Pool(Box::new(pool)),
            covered,
        })
    }

    /// Closes the open segment at `seq` and lists the segments a snapshot at `seq` covers.
    fn cover(&mut self, seq: u64) -> Result<Vec<PathBuf>, String> {
        assert!(self.pending.is_empty(), "commit before a snapshot");
        let next = seq + 1;
        let covered: Vec<PathBuf> = numbered(&self.dir, "journal-", ".log")?
            .into_iter()
            .filter(|(first, _)| *first < next)
            .map(|(_, p)| p)
            .collect();
        self.roll(next)?;
        self.records_since_snapshot = 0;
        Ok(covered)
    }
}

/// Where a snapshot's pool comes from.
enum Source {
    /// Rebuilt from the newest snapshot and the covered segments, up to `seq`.
    Replay { config: PoolConfig, seq: u64 },
    /// Given as it is.
    Pool(Box<Pool>),
}

/// A snapshot being written: the pool at one seq and the segments it makes unnecessary.
pub struct SnapshotJob {
    dir: PathBuf,
    source: Source,
    /// Closed segments, oldest first; none is written to again.
    covered: Vec<PathBuf>,
}

impl SnapshotJob {
    /// The journal sequence number the snapshot will hold.
    pub fn seq(&self) -> u64 {
        match &self.source {
            Source::Replay { seq, .. } => *seq,
            Source::Pool(pool) => pool.seq(),
        }
    }

    /// Builds the pool, writes the snapshot durably (temp file, sync, rename, sync dir), then
    /// removes the segments and older snapshots it covers.
    pub fn write(self) -> Result<u64, String> {
        let seq = self.seq();
        let pool = match self.source {
            Source::Pool(pool) => *pool,
            Source::Replay { config, seq } => rebuild(&self.dir, &self.covered, config, seq)?,
        };
        let snapshot: Snapshot = pool.snapshot();
        drop(pool);
        let path = self.dir.join(snapshot_name(seq));
        let tmp = path.with_extension("json.tmp");
        let mut bytes = Vec::new();
        frame::encode_with(&mut bytes, |buf| {
            serde_json::to_writer(buf, &snapshot).expect("snapshots always serialise")
        });
        drop(snapshot);
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp); // a full disk must not keep half a snapshot
            return Err(format!("writing {}: {e}", path.display()));
        }
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

/// The pool at `seq`: the newest snapshot at or before it, then every record of `covered` after
/// the snapshot. The covered segments are closed and were committed whole, so anything but clean
/// frames in them, or a pool that does not end at `seq`, is damage and the snapshot is refused.
fn rebuild(dir: &Path, covered: &[PathBuf], config: PoolConfig, seq: u64) -> Result<Pool, String> {
    let mut pool = newest_snapshot(dir, config, seq)?;
    for path in covered {
        let (_, tail, _) = replay_segment(&mut pool, path)?;
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
