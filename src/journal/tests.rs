//! Tests of the journal on a real disk: what was committed comes back after a reopen, a torn end is
//! cut off, damage refuses to start, and snapshots shorten replay without changing what comes back.

use super::*;
use crate::domain::order::{Channel, Kind, Line, Order, OrderEvent};
use crate::domain::stock::{Movement, MovementKind, NewSku};
use crate::domain::types::{Category, Cents, Ident, Name, Qty, SkuCode, Units};
use crate::domain::{Pool, PoolConfig, Snapshot};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use tempfile::TempDir;

/// 2026-11-24 20:01:02.123 +08:00.
const T0_MS: i64 = 1_795_521_662_123;
const CONFIG: PoolConfig = PoolConfig {
    hold_ttl_ms: 60_000,
    order_retention_ms: crate::domain::order::retention::ORDER_RETENTION_MS_DEFAULT,
    slot_minutes_default: crate::domain::show::SLOT_MINUTES_DEFAULT,
};
/// Large enough that no test snapshots unless it asks to.
const SNAPSHOT_EVERY_RECORDS: u64 = 1_000;

fn code(raw: &str) -> SkuCode {
    SkuCode::parse(raw).unwrap()
}

fn catalog() -> Command {
    let sku = |raw: &str, on_hand: i64| NewSku {
        sku: code(raw),
        name: Name::new("加绒卫衣 黑 L").unwrap(),
        category: Category::new("apparel").unwrap(),
        price_cents: Cents::new(19_900).unwrap(),
        on_hand: Units::new(on_hand).unwrap(),
        buffer: Units::default(),
        damaged: Units::default(),
        per_buyer_limit: None,
        presale_cap: Units::default(),
    };
    Command::CreateSkus {
        skus: vec![sku("HOODIE", 50), sku("CAP", 5)],
    }
}

fn order(kind: Kind, i: usize, sku: &str) -> Command {
    Command::Order {
        event: OrderEvent {
            channel: Channel::new("douyin").unwrap(),
            order_id: Ident::new(&format!("DY-{i}")).unwrap(),
            kind,
            buyer: Ident::new(&format!("u{}", i % 4)).ok(),
            address: None,
            lines: vec![Line {
                sku: code(sku),
                qty: Qty::new(1).unwrap(),
                unit_price_cents: None,
            }],
            presale: false,
            at: None,
            room: None,
        },
    }
}

/// The `i`-th command of a show after the catalog: orders of every kind (some rejected, as CAP sells
/// out), receipts, and a retry that is not journaled.
fn command(i: usize) -> Command {
    match i % 6 {
        0 | 1 => order(
            Kind::Created,
            i,
            if i.is_multiple_of(4) { "CAP" } else { "HOODIE" },
        ),
        2 => order(Kind::Paid, i - 2, "HOODIE"),
        3 => order(Kind::Shipped, i - 3, "HOODIE"),
        4 => Command::Move {
            sku: code("HOODIE"),
            movement: Movement {
                kind: MovementKind::Receive,
                qty: 2,
                reason: None,
                by: Ident::new("li").unwrap(),
                verified_by: Ident::new("wang").ok(),
                zone: Ident::new("A-3").ok(),
                batch: None,
            },
        },
        _ => order(Kind::Created, i - 5, "HOODIE"),
    }
}

/// A journal and its pool, driven as the writer drives them.
struct Writer {
    journal: Journal,
    pool: Pool,
    now_ms: i64,
}

impl Writer {
    fn open(dir: &Path, snapshot_every_records: u64) -> (Writer, u64, u64) {
        let r = Journal::open(dir, CONFIG, snapshot_every_records).unwrap();
        let writer = Writer {
            journal: r.journal,
            pool: r.pool,
            now_ms: T0_MS,
        };
        (writer, r.replayed, r.torn_bytes_cut)
    }

    /// Applies a command and appends it when it must be journaled; returns whether it was.
    fn apply(&mut self, cmd: &Command) -> bool {
        self.now_ms += 1_000;
        let ctx = Ctx {
            seq: self.pool.seq() + 1,
            now_ms: self.now_ms,
        };
        let effect = self.pool.apply(cmd, ctx).expect("the script is valid");
        if effect.journal {
            self.journal.append(cmd, ctx);
        }
        effect.journal
    }

    /// Applies the commands as one batch with one commit; returns how many were journaled.
    fn batch(&mut self, cmds: impl IntoIterator<Item = Command>) -> u64 {
        let journaled = cmds.into_iter().filter(|c| self.apply(c)).count() as u64;
        self.journal.commit().unwrap();
        journaled
    }
}

/// The files in `dir` named `<prefix>...<suffix>`, sorted.
fn files(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.starts_with(prefix) && name.ends_with(suffix)
        })
        .collect();
    out.sort();
    out
}

fn segments(dir: &Path) -> Vec<PathBuf> {
    files(dir, "journal-", ".log")
}

fn snapshots(dir: &Path) -> Vec<PathBuf> {
    files(dir, "snapshot-", ".bin")
}

/// The only segment of `dir`.
fn segment(dir: &Path) -> PathBuf {
    let all = segments(dir);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].clone()
}

/// Where each record of a segment starts, and the end of the last one.
fn record_starts(path: &Path) -> Vec<u64> {
    let bytes = fs::read(path).unwrap();
    let (frames, tail) = frame::split(&bytes, RECORD_BYTES_MAX);
    assert_eq!(tail, frame::Tail::Clean);
    frames.iter().map(|(offset, _)| *offset).collect()
}

fn open_err(dir: &Path) -> String {
    match Journal::open(dir, CONFIG, SNAPSHOT_EVERY_RECORDS) {
        Ok(r) => panic!("opened at seq {} instead of refusing", r.pool.seq()),
        Err(e) => e,
    }
}

#[test]
fn committed_records_come_back_after_a_reopen_with_the_same_pool_and_seq() {
    let dir = TempDir::new().unwrap();
    let (mut w, replayed, torn) = Writer::open(dir.path(), SNAPSHOT_EVERY_RECORDS);
    assert_eq!((w.pool.seq(), replayed, torn), (0, 0, 0));
    let mut journaled = w.batch([catalog()]);
    for batch in 0..4 {
        journaled += w.batch((batch * 10..batch * 10 + 10).map(command));
    }
    assert!(journaled > 30, "the script journals most commands");
    let before = w.pool.snapshot();
    drop(w);

    let (w, replayed, torn) = Writer::open(dir.path(), SNAPSHOT_EVERY_RECORDS);
    assert_eq!(w.pool.snapshot(), before);
    assert_eq!(w.pool.seq(), journaled);
    assert_eq!((replayed, torn), (journaled, 0));
}

#[test]
fn records_appended_but_not_committed_are_not_on_disk() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), SNAPSHOT_EVERY_RECORDS);
    w.batch([catalog(), command(0)]);
    let committed = w.pool.snapshot();
    assert!(w.apply(&command(1)));
    assert!(w.journal.has_pending());
    drop(w);

    let (w, _, _) = Writer::open(dir.path(), SNAPSHOT_EVERY_RECORDS);
    assert_eq!(w.pool.snapshot(), committed);
}

/// Writes the catalog and a dozen commands, one commit each; returns the pool after every seq.
fn write_records(dir: &Path) -> Vec<Snapshot> {
    let (mut w, _, _) = Writer::open(dir, SNAPSHOT_EVERY_RECORDS);
    let mut states = vec![w.pool.snapshot()];
    for cmd in std::iter::once(catalog()).chain((0..12).map(command)) {
        if w.batch([cmd]) == 1 {
            states.push(w.pool.snapshot());
        }
    }
    assert_eq!(states.len() as u64, w.pool.seq() + 1);
    states
}

/// After a torn end was cut: new records go on the clean end and survive another reopen.
fn append_after_the_cut_survives_a_reopen(dir: &Path) {
    let (mut w, _, _) = Writer::open(dir, SNAPSHOT_EVERY_RECORDS);
    let seq = w.pool.seq();
    assert_eq!(w.batch([order(Kind::Created, 100, "HOODIE")]), 1);
    let after = w.pool.snapshot();
    drop(w);
    let (w, _, torn) = Writer::open(dir, SNAPSHOT_EVERY_RECORDS);
    assert_eq!(torn, 0);
    assert_eq!(w.pool.seq(), seq + 1);
    assert_eq!(w.pool.snapshot(), after);
}

#[test]
fn a_torn_last_record_is_cut_off_and_appending_after_it_survives_a_reopen() {
    let dir = TempDir::new().unwrap();
    let states = write_records(dir.path());
    let last = states.len() - 1;
    let path = segment(dir.path());
    let last_start = *record_starts(&path).last().unwrap();
    let len = fs::metadata(&path).unwrap().len();
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 3)
        .unwrap();

    let (w, replayed, torn) = Writer::open(dir.path(), SNAPSHOT_EVERY_RECORDS);
    assert_eq!(torn, len - 3 - last_start);
    assert!(torn > 0);
    assert_eq!(replayed, last as u64 - 1);
    assert_eq!(w.pool.snapshot(), states[last - 1]);
    assert_eq!(fs::metadata(&path).unwrap().len(), last_start);
    drop(w);
    append_after_the_cut_survives_a_reopen(dir.path());
}

#[test]
fn zeros_after_the_last_record_are_cut_off_and_appending_after_them_survives_a_reopen() {
    let dir = TempDir::new().unwrap();
    let states = write_records(dir.path());
    let path = segment(dir.path());
    let len = fs::metadata(&path).unwrap().len();
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(&[0; 4096]).unwrap();
    drop(f);

    let (w, _, torn) = Writer::open(dir.path(), SNAPSHOT_EVERY_RECORDS);
    assert_eq!(torn, 4096);
    assert_eq!(&w.pool.snapshot(), states.last().unwrap());
    assert_eq!(fs::metadata(&path).unwrap().len(), len);
    drop(w);
    append_after_the_cut_survives_a_reopen(dir.path());
}

#[test]
fn a_partly_written_last_record_followed_by_zeros_is_cut_off() {
    let dir = TempDir::new().unwrap();
    let states = write_records(dir.path());
    let path = segment(dir.path());
    let last_start = *record_starts(&path).last().unwrap() as usize;
    // A crash after the file grew but before all of the last record's bytes reached the disk.
    let mut bytes = fs::read(&path).unwrap();
    let written = last_start + frame::HEADER_BYTES + 5;
    bytes[written..].fill(0);
    bytes.extend_from_slice(&[0; 512]);
    fs::write(&path, &bytes).unwrap();

    let (w, _, torn) = Writer::open(dir.path(), SNAPSHOT_EVERY_RECORDS);
    assert_eq!(torn, (bytes.len() - last_start) as u64);
    assert_eq!(w.pool.snapshot(), states[states.len() - 2]);
    drop(w);
    append_after_the_cut_survives_a_reopen(dir.path());
}

/// Flips one byte of `path` at `offset`.
fn flip(path: &Path, offset: u64) {
    let mut bytes = fs::read(path).unwrap();
    bytes[offset as usize] ^= 0x5a;
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_flipped_byte_in_the_middle_of_a_segment_refuses_to_start_and_names_the_file() {
    let dir = TempDir::new().unwrap();
    write_records(dir.path());
    let path = segment(dir.path());
    let starts = record_starts(&path);
    // Inside the payload of a record in the middle.
    let middle = starts[starts.len() / 2] + frame::HEADER_BYTES as u64 + 10;
    flip(&path, middle);
    let damaged = fs::read(&path).unwrap();

    let err = open_err(dir.path());
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("damaged"), "{err}");
    assert_eq!(
        fs::read(&path).unwrap(),
        damaged,
        "a refusal leaves the file alone"
    );
}

#[test]
fn a_damaged_length_in_the_middle_of_a_segment_refuses_to_start_rather_than_cut_records_off() {
    let dir = TempDir::new().unwrap();
    write_records(dir.path());
    let path = segment(dir.path());
    let starts = record_starts(&path);
    // The third byte of a middle record's length: it now claims to run far past the end of the
    // file, like a torn record would, but acknowledged records follow it.
    let middle = starts[starts.len() / 2];
    flip(&path, middle + 2);
    let damaged = fs::read(&path).unwrap();

    let err = open_err(dir.path());
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert_eq!(
        fs::read(&path).unwrap(),
        damaged,
        "a refusal leaves the file alone"
    );
}

#[test]
fn a_snapshot_then_more_records_reopen_to_the_same_state_and_old_segments_are_removed() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    assert!(w.journal.snapshot_due());
    let old = segments(dir.path());
    let job = w.journal.begin_snapshot(&w.pool).unwrap();
    let snapshot_seq = w.pool.seq();
    assert!(!w.journal.snapshot_due());
    // The writer goes on while the snapshot is written on another thread.
    let writing = std::thread::spawn(move || job.write());
    w.batch((12..18).map(command));
    assert_eq!(writing.join().unwrap(), Ok(snapshot_seq));
    let after_snapshot = w.batch((18..24).map(command));
    let before = w.pool.snapshot();
    drop(w);

    for path in &old {
        assert!(
            !path.exists(),
            "{} is covered by the snapshot",
            path.display()
        );
    }
    assert_eq!(
        snapshots(dir.path()),
        vec![dir.path().join(snapshot_name(snapshot_seq))]
    );
    assert_eq!(
        segments(dir.path()),
        vec![dir.path().join(segment_name(snapshot_seq + 1))]
    );
    let (mut w, replayed, _) = Writer::open(dir.path(), 10);
    assert_eq!(w.pool.snapshot(), before);
    assert!(replayed >= after_snapshot);
    assert_eq!(replayed, before.seq - snapshot_seq);

    // A second snapshot replaces the first.
    let job = w.journal.begin_snapshot(&w.pool).unwrap();
    let second = job.write().unwrap();
    assert_eq!(second, before.seq);
    assert_eq!(
        snapshots(dir.path()),
        vec![dir.path().join(snapshot_name(second))]
    );
    drop(w);
    let (w, replayed, _) = Writer::open(dir.path(), 10);
    assert_eq!((w.pool.snapshot(), replayed), (before, 0));
}

#[test]
fn a_snapshot_that_was_never_written_leaves_every_record_to_replay() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    // A crash before the job ran: two segments, no snapshot.
    drop(w.journal.begin_snapshot(&w.pool).unwrap());
    w.batch((12..18).map(command));
    let before = w.pool.snapshot();
    drop(w);
    assert_eq!(segments(dir.path()).len(), 2);
    assert!(snapshots(dir.path()).is_empty());

    let (w, replayed, _) = Writer::open(dir.path(), 10);
    assert_eq!(w.pool.snapshot(), before);
    assert_eq!(replayed, before.seq);
}

#[test]
fn records_already_in_the_snapshot_are_skipped_when_their_segment_was_not_removed() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    let old = segment(dir.path());
    let kept = fs::read(&old).unwrap();
    w.journal.begin_snapshot(&w.pool).unwrap().write().unwrap();
    w.batch((12..18).map(command));
    let before = w.pool.snapshot();
    drop(w);
    // A crash after the snapshot was renamed into place but before the old segment went.
    fs::write(&old, kept).unwrap();

    let (w, _, _) = Writer::open(dir.path(), 10);
    assert_eq!(w.pool.snapshot(), before);
}

#[test]
fn a_missing_segment_refuses_to_start_with_a_gap() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    let first = segment(dir.path());
    drop(w.journal.begin_snapshot(&w.pool).unwrap());
    w.batch((12..18).map(command));
    drop(w);
    fs::remove_file(&first).unwrap();

    let err = open_err(dir.path());
    assert!(err.contains("gap"), "{err}");
}

#[test]
fn a_damaged_snapshot_refuses_to_start_and_names_the_file() {
    for damage in ["flip", "truncate"] {
        let dir = TempDir::new().unwrap();
        let (mut w, _, _) = Writer::open(dir.path(), 10);
        w.batch([catalog()]);
        w.batch((0..12).map(command));
        w.journal.begin_snapshot(&w.pool).unwrap().write().unwrap();
        w.batch((12..18).map(command));
        drop(w);
        let path = snapshots(dir.path()).pop().unwrap();
        let len = fs::metadata(&path).unwrap().len();
        match damage {
            "flip" => flip(&path, len / 2),
            _ => fs::write(&path, &fs::read(&path).unwrap()[..len as usize - 5]).unwrap(),
        }

        let err = open_err(dir.path());
        assert!(err.contains(&path.display().to_string()), "{damage}: {err}");
    }
}

#[test]
fn a_snapshot_is_rebuilt_from_the_journal_and_equals_the_writers_pool() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    w.journal.begin_snapshot(&w.pool).unwrap().write().unwrap();
    w.batch((12..30).map(command));
    let before = w.pool.snapshot();
    // The second snapshot starts from the first and replays the segment after it.
    let job = w.journal.begin_snapshot(&w.pool).unwrap();
    assert_eq!(job.seq(), before.seq);
    assert_eq!(job.write(), Ok(before.seq));
    drop(w);
    let path = snapshots(dir.path()).pop().unwrap();
    let (loaded, _) = super::read::load_snapshot(&path, CONFIG, &super::read::NEVER).unwrap();
    assert_eq!(loaded.snapshot(), before);
}

#[test]
fn a_pool_ahead_of_its_journal_gets_no_snapshot_and_nothing_is_removed() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    // A change applied to the pool that never reached the journal.
    w.apply(&command(12));
    w.journal.pending.clear();
    let old = segments(dir.path());
    let err = w
        .journal
        .begin_snapshot(&w.pool)
        .unwrap()
        .write()
        .unwrap_err();
    assert!(err.contains("rebuilds seq"), "{err}");
    assert!(snapshots(dir.path()).is_empty());
    assert!(
        old.iter().all(|p| p.exists()),
        "the journal keeps every segment"
    );
}

#[test]
fn a_damaged_closed_segment_gets_no_snapshot_and_nothing_is_removed() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    let path = segment(dir.path());
    let job = w.journal.begin_snapshot(&w.pool).unwrap();
    let len = fs::metadata(&path).unwrap().len();
    flip(&path, len / 2);
    let err = job.write().unwrap_err();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(snapshots(dir.path()).is_empty());
    assert!(path.exists());
}

/// Orders with every rare part a snapshot must keep: an address, two lines, a refund parked before
/// the payment, a rejection remembered.
fn rare_orders() -> Vec<Command> {
    use crate::domain::order::Address;
    use crate::domain::types::Note;
    let Command::Order { event: base } = order(Kind::Created, 900, "HOODIE") else {
        unreachable!()
    };
    let two_lines = OrderEvent {
        address: Some(Address {
            region: Note::new("上海市 浦东新区").ok(),
            detail: Note::new("").ok(),
            phone_hash: None,
        }),
        lines: vec![base.lines[0].clone(), {
            let mut l = base.lines[0].clone();
            l.sku = code("CAP");
            l.unit_price_cents = Cents::new(1).ok();
            l
        }],
        ..base.clone()
    };
    let refund_first = OrderEvent {
        kind: Kind::Refunded,
        ..base.clone()
    };
    let too_many = OrderEvent {
        order_id: Ident::new("DY-too-many").unwrap(),
        lines: vec![Line {
            sku: code("CAP"),
            qty: Qty::new(100).unwrap(),
            unit_price_cents: None,
        }],
        ..base
    };
    [two_lines, refund_first, too_many]
        .into_iter()
        .map(|event| Command::Order { event })
        .collect()
}

#[test]
fn a_binary_snapshot_keeps_every_part_of_an_order() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    w.batch(rare_orders());
    let before = w.pool.snapshot();
    assert!(before.orders.iter().any(|o| !o.parked.is_empty()));
    assert!(before.orders.iter().any(|o| o.address.is_some()));
    let rejected = |o: &Order| o.judged.iter().flatten().any(|j| j.rejection.is_some());
    assert!(before.orders.iter().any(rejected));
    w.journal.begin_snapshot(&w.pool).unwrap().write().unwrap();
    drop(w);
    let (w, replayed, _) = Writer::open(dir.path(), 10);
    assert_eq!((w.pool.snapshot(), replayed), (before, 0));
}

#[test]
fn a_json_snapshot_written_before_the_binary_one_still_opens_and_the_next_replaces_it() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    w.batch(rare_orders());
    // What the writer before the binary snapshot left: one JSON frame, the covered segment gone.
    let old_segment = segment(dir.path());
    let job = w.journal.begin_snapshot(&w.pool).unwrap();
    let json = dir.path().join(format!("snapshot-{:020}.json", job.seq()));
    let mut bytes = Vec::new();
    frame::encode_with(&mut bytes, |b| {
        serde_json::to_writer(b, &w.pool.snapshot()).unwrap()
    });
    fs::write(&json, bytes).unwrap();
    drop(job);
    fs::remove_file(old_segment).unwrap();
    w.batch((12..18).map(command));
    let before = w.pool.snapshot();
    drop(w);

    let (mut w, replayed, _) = Writer::open(dir.path(), 10);
    assert_eq!(w.pool.snapshot(), before);
    assert!(replayed > 0);
    let seq = w.journal.begin_snapshot(&w.pool).unwrap().write().unwrap();
    assert!(!json.exists(), "the binary snapshot replaces the JSON one");
    assert_eq!(
        snapshots(dir.path()),
        vec![dir.path().join(snapshot_name(seq))]
    );
    drop(w);
    let (w, replayed, _) = Writer::open(dir.path(), 10);
    assert_eq!((w.pool.snapshot(), replayed), (before, 0));
}

#[test]
fn a_called_off_snapshot_writes_and_removes_nothing() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    w.batch((0..12).map(command));
    let job = w.journal.begin_snapshot(&w.pool).unwrap();
    w.batch((12..18).map(command));
    let before = w.pool.snapshot();
    let segments_before = segments(dir.path());
    job.canceller()
        .store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(job.write().err().as_deref(), Some(snapshot_file::CANCELLED));
    assert!(snapshots(dir.path()).is_empty());
    assert_eq!(
        files(dir.path(), "snapshot-", ".tmp"),
        Vec::<PathBuf>::new()
    );
    assert_eq!(segments(dir.path()), segments_before);
    drop(w);
    let (w, replayed, _) = Writer::open(dir.path(), 10);
    assert_eq!((w.pool.snapshot(), replayed), (before.clone(), before.seq));
}

#[test]
fn what_a_snapshot_cut_short_left_is_removed_on_start() {
    let dir = TempDir::new().unwrap();
    let (mut w, _, _) = Writer::open(dir.path(), 10);
    w.batch([catalog()]);
    let before = w.pool.snapshot();
    drop(w);
    let tmp = dir.path().join(format!("{}.tmp", snapshot_name(1)));
    fs::write(&tmp, b"LVSTSNAP half").unwrap();
    let (w, _, _) = Writer::open(dir.path(), 10);
    assert_eq!(w.pool.snapshot(), before);
    assert!(!tmp.exists());
}
