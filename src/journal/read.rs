//! Reading back what is on disk, for start-up and for the snapshot thread alike: the newest
//! snapshot, and a segment's records applied onto a pool exactly as they were when written.

use super::frame::{self, Tail};
use super::snapshot_file::StreamMark;
use super::{RECORD_BYTES_MAX, RecordIn, snapshot_file, snapshot_files};
use crate::domain::{Ctx, Pool, PoolConfig, Snapshot};
use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag nothing sets: reading on start-up is never called off.
pub(super) static NEVER: AtomicBool = AtomicBool::new(false);

/// The pool of the newest snapshot numbered at or before `seq`, or an empty pool when there is none.
/// Stops with [`snapshot_file::CANCELLED`] once `cancel` is set.
pub(super) fn newest_snapshot(
    dir: &Path,
    config: PoolConfig,
    seq: u64,
    cancel: &AtomicBool,
) -> Result<Pool, String> {
    Ok(newest_marked(dir, config, seq, cancel)?.map_or_else(|| Pool::new(config), |n| n.1))
}

/// The newest snapshot numbered at or before `seq`: its file, its pool and its stream mark (on
/// the JetStream journal); `None` when there is none.
pub(super) fn newest_marked(
    dir: &Path,
    config: PoolConfig,
    seq: u64,
    cancel: &AtomicBool,
) -> Result<Option<(std::path::PathBuf, Pool, Option<StreamMark>)>, String> {
    match snapshot_files(dir)?.into_iter().rfind(|(n, _)| *n <= seq) {
        Some((_, path)) => {
            let (pool, mark) = load_snapshot(&path, config, cancel)?;
            Ok(Some((path, pool, mark)))
        }
        None => Ok(None),
    }
}

/// The pool a snapshot file holds, binary or JSON, and its stream mark; refuses a damaged,
/// unreadable or inconsistent one.
pub(super) fn load_snapshot(
    path: &Path,
    config: PoolConfig,
    cancel: &AtomicBool,
) -> Result<(Pool, Option<StreamMark>), String> {
    if path.extension().is_some_and(|e| e == "bin") {
        return snapshot_file::read_file(path, config, cancel);
    }
    Ok((load_json_snapshot(path, config)?, None))
}

/// A snapshot as written before the binary one: one frame of JSON.
fn load_json_snapshot(path: &Path, config: PoolConfig) -> Result<Pool, String> {
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

/// Replays every whole record of one segment file onto `pool`. Returns how many were applied
/// (records the pool already holds are skipped), how the file ends, and its length in bytes.
/// Stops with [`snapshot_file::CANCELLED`] once `cancel` is set.
pub(super) fn replay_segment(
    pool: &mut Pool,
    path: &Path,
    cancel: &AtomicBool,
) -> Result<(u64, Tail, u64), String> {
    let bytes = fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let (frames, tail) = frame::split(&bytes, RECORD_BYTES_MAX);
    let mut replayed = 0;
    for (i, (offset, payload)) in frames.into_iter().enumerate() {
        if i % 4096 == 0 && cancel.load(Ordering::Relaxed) {
            return Err(snapshot_file::CANCELLED.to_owned());
        }
        let at = || format!("{} at byte {offset}", path.display());
        replayed += replay_record(pool, payload, &at)?;
    }
    Ok((replayed, tail, bytes.len() as u64))
}

/// Applies one record read back; 1 when it was replayed, 0 when the snapshot already held it.
pub(super) fn replay_record(
    pool: &mut Pool,
    payload: &[u8],
    at: &dyn Fn() -> String,
) -> Result<u64, String> {
    let rec: RecordIn = serde_json::from_slice(payload)
        .map_err(|e| format!("journal record unreadable in {}: {e}", at()))?;
    if rec.seq <= pool.seq() {
        return Ok(0); // already in the snapshot
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
        Ok(effect) if effect.journal => Ok(1),
        other => Err(format!(
            "replay of record {} in {} did not apply as it did when written: {other:?}",
            rec.seq,
            at()
        )),
    }
}
