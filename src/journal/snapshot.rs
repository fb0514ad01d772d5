//! Snapshots: the pool at one sequence number, written beside the journal so a restart replays
//! only what came after it. The writer hands over a copy of the pool and goes on; the copy is
//! ordered, encoded and written on another thread.

use super::frame::{self, Tail};
use super::{Journal, numbered, snapshot_name, sync_dir};
use crate::domain::{Pool, PoolConfig, Snapshot};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

impl Journal {
    /// Starts a snapshot of `pool`: later records go to a new segment, and the returned job writes
    /// the snapshot and removes what it covers. The job may run on another thread; the journal goes
    /// on. Call only with nothing pending. A disk with no room for the new segment refuses here,
    /// and the journal goes on in the segment it had.
    pub fn begin_snapshot(&mut self, pool: &Pool) -> Result<SnapshotJob, String> {
        assert!(self.pending.is_empty(), "commit before a snapshot");
        let next = pool.seq() + 1;
        let covered: Vec<PathBuf> = numbered(&self.dir, "journal-", ".log")?
            .into_iter()
            .filter(|(first, _)| *first < next)
            .map(|(_, p)| p)
            .collect();
        self.roll(next)?;
        self.records_since_snapshot = 0;
        Ok(SnapshotJob {
            dir: self.dir.clone(),
            pool: pool.clone(),
            covered,
        })
    }
}

/// A snapshot being written: the pool at one seq and the segments it makes unnecessary.
pub struct SnapshotJob {
    dir: PathBuf,
    /// The pool as it was when the snapshot began.
    pool: Pool,
    covered: Vec<PathBuf>,
}

impl SnapshotJob {
    /// Writes the snapshot durably (temp file, sync, rename, sync dir), then removes the segments
    /// and older snapshots it covers.
    pub fn write(self) -> Result<u64, String> {
        let snapshot: Snapshot = self.pool.snapshot();
        let seq = snapshot.seq;
        let path = self.dir.join(snapshot_name(seq));
        let tmp = path.with_extension("json.tmp");
        let mut bytes = Vec::new();
        frame::encode_with(&mut bytes, |buf| {
            serde_json::to_writer(buf, &snapshot).expect("snapshots always serialise")
        });
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

pub(super) fn load_snapshot(path: &Path, config: PoolConfig) -> Result<Pool, String> {
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
