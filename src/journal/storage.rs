//! The journal's one seam to the disk: opening, appending to, reserving, syncing and cutting back a
//! segment. [`OsStorage`] is the real file system; [`FaultyStorage`] wraps it and fails on command,
//! so the failure paths (a failing write, a failing sync, a full disk, a panic) can be rehearsed.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where the journal's segments live.
pub trait Storage: Send + Sync + 'static {
    /// Opens a segment for appending, creating it when it does not exist.
    fn open_segment(&self, path: &Path) -> io::Result<Box<dyn SegmentFile>>;
}

/// One segment open for appending.
pub trait SegmentFile: Send {
    /// Appends every byte, or fails.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Makes what was appended durable (`fdatasync`).
    fn sync(&mut self) -> io::Result<()>;
    /// Reserves disk blocks for the file's first `bytes` without changing its length
    /// (`fallocate` with `FALLOC_FL_KEEP_SIZE`), so later appends up to there cannot find the disk
    /// full. A file system that cannot reserve answers `Ok`: appends then allocate as they go.
    fn reserve(&mut self, bytes: u64) -> io::Result<()>;
    /// Cuts the file back to `len` bytes: what a failed commit appended must not be replayed.
    fn truncate(&mut self, len: u64) -> io::Result<()>;
}

/// The real file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsStorage;

impl Storage for OsStorage {
    fn open_segment(&self, path: &Path) -> io::Result<Box<dyn SegmentFile>> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Box::new(OsSegment(file)))
    }
}

struct OsSegment(File);

impl SegmentFile for OsSegment {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }

    fn reserve(&mut self, bytes: u64) -> io::Result<()> {
        let len = libc::off_t::try_from(bytes)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "reservation too large"))?;
        // SAFETY: the descriptor is open for as long as `self.0` lives; fallocate only reads its
        // integer arguments.
        let rc = unsafe { libc::fallocate(self.0.as_raw_fd(), libc::FALLOC_FL_KEEP_SIZE, 0, len) };
        if rc == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) => Ok(()),
            _ => Err(e),
        }
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }
}

/// Switches that make a [`FaultyStorage`] fail; flip them at any time from another thread.
#[derive(Debug, Default)]
pub struct Faults {
    /// Every append fails with an I/O error (nothing is written).
    pub fail_append: AtomicBool,
    /// Every sync fails with an I/O error (after the bytes reached the file).
    pub fail_sync: AtomicBool,
    /// Every reservation fails with `ENOSPC`, as on a full disk.
    pub no_space: AtomicBool,
    /// The next append panics, as a bug in the writer would.
    pub panic_on_append: AtomicBool,
}

impl Faults {
    pub fn set(flag: &AtomicBool, on: bool) {
        flag.store(on, Ordering::SeqCst);
    }
}

/// The real file system with [`Faults`] in front of it.
#[derive(Debug, Default, Clone)]
pub struct FaultyStorage {
    pub faults: Arc<Faults>,
}

impl Storage for FaultyStorage {
    fn open_segment(&self, path: &Path) -> io::Result<Box<dyn SegmentFile>> {
        Ok(Box::new(FaultySegment {
            inner: OsStorage.open_segment(path)?,
            faults: self.faults.clone(),
        }))
    }
}

struct FaultySegment {
    inner: Box<dyn SegmentFile>,
    faults: Arc<Faults>,
}

fn on(flag: &AtomicBool) -> bool {
    flag.load(Ordering::SeqCst)
}

impl SegmentFile for FaultySegment {
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.faults.panic_on_append.swap(false, Ordering::SeqCst) {
            panic!("injected: the writer panics while appending");
        }
        if on(&self.faults.fail_append) {
            return Err(io::Error::other("injected: the append fails"));
        }
        self.inner.append(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        if on(&self.faults.fail_sync) {
            return Err(io::Error::other("injected: fdatasync fails"));
        }
        self.inner.sync()
    }

    fn reserve(&mut self, bytes: u64) -> io::Result<()> {
        if on(&self.faults.no_space) {
            return Err(io::Error::from_raw_os_error(libc::ENOSPC));
        }
        self.inner.reserve(bytes)
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        self.inner.truncate(len)
    }
}
