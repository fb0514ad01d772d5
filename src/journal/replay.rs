//! Start-up: load the newest snapshot, replay every record after it, cut a torn tail, refuse damage.

use super::frame::Tail;
use super::read::{NEVER, newest_snapshot, replay_segment};
use super::{Journal, JournalOptions, numbered, segment_name, sync_dir};
use crate::domain::{Pool, PoolConfig};
use std::fs::{self, OpenOptions};
use std::path::Path;

/// What start-up found: the pool as it was, and what it had to do to get there.
pub struct Recovered {
    pub journal: Journal,
    pub pool: Pool,
    /// Records replayed after the snapshot.
    pub replayed: u64,
    /// Bytes of a torn last record that were cut off, if any.
    pub torn_bytes_cut: u64,
}

impl Journal {
    /// Opens the journal in `dir` on the real file system with the default segment size.
    pub fn open(
        dir: &Path,
        config: PoolConfig,
        snapshot_every_records: u64,
    ) -> Result<Recovered, String> {
        let options = JournalOptions {
            snapshot_every_records,
            ..JournalOptions::default()
        };
        Journal::open_with(dir, config, options)
    }

    /// Opens the journal in `dir` (creating it), loads the newest snapshot and replays every record
    /// after it. Refuses with a message naming the file and offset when the data is damaged.
    pub fn open_with(
        dir: &Path,
        config: PoolConfig,
        options: JournalOptions,
    ) -> Result<Recovered, String> {
        fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        remove_unfinished_snapshots(dir)?;
        let mut pool = newest_snapshot(dir, config, u64::MAX, &NEVER)?;
        let segments = numbered(dir, "journal-", ".log")?;
        let mut replayed = 0;
        let mut torn_bytes_cut = 0;
        let mut last_len = 0;
        for (i, (_, path)) in segments.iter().enumerate() {
            let (n, tail, len) = replay_segment(&mut pool, path, &NEVER)?;
            replayed += n;
            last_len = len;
            let last = i + 1 == segments.len();
            match tail {
                Tail::Clean => {}
                Tail::Torn { offset } if last => {
                    torn_bytes_cut = len - offset;
                    last_len = offset;
                    cut_torn_tail(path, offset, torn_bytes_cut)?;
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
        let (first_seq, path) = match segments.last() {
            Some((first, path)) => (*first, path.clone()),
            None => (pool.seq() + 1, dir.join(segment_name(pool.seq() + 1))),
        };
        let file = options
            .storage
            .open_segment(&path)
            .map_err(|e| format!("opening {}: {e}", path.display()))?;
        sync_dir(dir)?;
        let journal = Journal {
            dir: dir.to_owned(),
            storage: options.storage,
            file,
            segment_first_seq: first_seq,
            written_bytes: last_len,
            // Unknown for a segment written before this start: the first batch reserves anew.
            reserved_bytes: last_len,
            segment_bytes: options.segment_bytes.max(1),
            pending: Vec::with_capacity(1 << 16),
            records_since_snapshot: replayed,
            snapshot_every_records: options.snapshot_every_records.max(1),
        };
        Ok(Recovered {
            journal,
            pool,
            replayed,
            torn_bytes_cut,
        })
    }
}

/// Cuts a torn last record (a crash during its write; it was never acknowledged) off the segment.
fn cut_torn_tail(path: &Path, offset: u64, bytes: u64) -> Result<(), String> {
    tracing::warn!(
        file = %path.display(),
        offset,
        bytes,
        "cutting off a torn last journal record (a crash during its write; it was never acknowledged)"
    );
    let f = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| format!("opening {}: {e}", path.display()))?;
    f.set_len(offset)
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("truncating {}: {e}", path.display()))
}

/// Removes what a snapshot stopped before its rename left (`*.tmp`: a crash, or a stop that called
/// the snapshot off): never read, and as large as a snapshot.
pub(super) fn remove_unfinished_snapshots(dir: &Path) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("snapshot-") && name.ends_with(".tmp") {
            fs::remove_file(&path).map_err(|e| format!("removing {}: {e}", path.display()))?;
        }
    }
    Ok(())
}
