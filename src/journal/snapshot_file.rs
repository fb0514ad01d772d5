//! The snapshot file, `snapshot-<seq>.bin`: compact, checksummed, read a frame at a time.
//!
//! ```text
//! magic "LVSTSNAP" | version: u32 LE
//! frame: JSON { orders: N, pool: Snapshot without its orders, stream? }   (SKUs, rooms, alerts, ledger)
//! frame: postcard [Order; ≤ ORDERS_PER_FRAME]  …  until N orders
//! ```
//!
//! Every frame is the journal's (`len | crc32 | payload`, see `frame`). The orders, nearly all of a
//! large pool, are postcard through [`OrderBin`]: a non-self-describing format needs every field
//! written every time, which `Order`'s JSON attributes (`skip_serializing_if`) do not do. The rest
//! is small and stays JSON, so it keeps its serde attributes and its readers of older layouts.
//! Snapshots written before this file, `snapshot-<seq>.json` (one JSON frame), are still read.

use super::frame::{self, HEADER_BYTES};
use crate::domain::order::{Address, Kind, Line};
use crate::domain::order::{Judgement, Order, OrderKey, OrderState};
use crate::domain::types::{Ident, RoomId};
use crate::domain::{Pool, PoolConfig, Restoring, Snapshot};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// The first bytes of a binary snapshot.
const MAGIC: &[u8; 8] = b"LVSTSNAP";
/// The layout written; a reader refuses any other rather than guess.
const VERSION: u32 = 1;
/// Orders per frame: ~1.5 MB frames, so reading needs no more than one frame's buffer.
const ORDERS_PER_FRAME: usize = 16_384;
/// The largest frame a reader accepts (the JSON part of a pool with many SKUs and rooms included).
const FRAME_BYTES_MAX: u32 = 1 << 30;

/// Everything but the orders, and how many orders follow.
#[derive(Serialize, Deserialize)]
struct Head {
    orders: u64,
    pool: Snapshot,
    /// On the JetStream journal: the stream and the last of its batches the pool includes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream: Option<StreamMark>,
}

/// Which stream a snapshot of the JetStream journal was made from, and how far into it: a start
/// reads the stream from the batch after `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamMark {
    /// The stream's name (`LIVESTOCK_<SHOP>`).
    pub name: String,
    /// When the stream was made (Unix ns): a stream made anew under the same name is another.
    pub created_ns: i64,
    /// The stream sequence of the last batch the pool includes.
    pub seq: u64,
}

/// An order as written: every field, always, in this order. A new field means a new [`VERSION`].
#[derive(Serialize)]
struct OrderOut<'a> {
    key: &'a OrderKey,
    state: Option<OrderState>,
    buyer: &'a Option<Ident>,
    address: &'a Option<Box<Address>>,
    lines: &'a [Line],
    presale: bool,
    created_ms: Option<i64>,
    expires_ms: Option<i64>,
    paid_ms: Option<i64>,
    refunded_ms: Option<i64>,
    judged: &'a [Option<Judgement>; 5],
    parked: &'a [Kind],
    closed_ms: Option<i64>,
    room: &'a Option<RoomId>,
    credited_show: Option<u64>,
}

/// An order as read: [`OrderOut`]'s fields.
#[derive(Deserialize)]
struct OrderBin {
    key: OrderKey,
    state: Option<OrderState>,
    buyer: Option<Ident>,
    address: Option<Box<Address>>,
    lines: Vec<Line>,
    presale: bool,
    created_ms: Option<i64>,
    expires_ms: Option<i64>,
    paid_ms: Option<i64>,
    refunded_ms: Option<i64>,
    judged: [Option<Judgement>; 5],
    parked: Vec<Kind>,
    closed_ms: Option<i64>,
    room: Option<RoomId>,
    credited_show: Option<u64>,
}

impl<'a> From<&'a Order> for OrderOut<'a> {
    fn from(o: &'a Order) -> Self {
        OrderOut {
            key: &o.key,
            state: o.state,
            buyer: &o.buyer,
            address: &o.address,
            lines: &o.lines,
            presale: o.presale,
            created_ms: o.created_ms,
            expires_ms: o.expires_ms,
            paid_ms: o.paid_ms,
            refunded_ms: o.refunded_ms,
            judged: &o.judged,
            parked: &o.parked,
            closed_ms: o.closed_ms,
            room: &o.room,
            credited_show: o.credited_show,
        }
    }
}

impl From<OrderBin> for Order {
    fn from(o: OrderBin) -> Self {
        Order {
            key: o.key,
            state: o.state,
            buyer: o.buyer,
            address: o.address,
            lines: o.lines,
            presale: o.presale,
            created_ms: o.created_ms,
            expires_ms: o.expires_ms,
            paid_ms: o.paid_ms,
            refunded_ms: o.refunded_ms,
            judged: o.judged,
            parked: o.parked,
            closed_ms: o.closed_ms,
            room: o.room,
            credited_show: o.credited_show,
        }
    }
}

/// A snapshot job was called off (the server is stopping): nothing is left behind.
pub(super) const CANCELLED: &str = "the snapshot was called off";

/// Writes `pool` (made from the stream up to `mark`, on the JetStream journal) to `out` in the
/// binary layout, in the map's order (a reader does not care, and a sort of millions of keys would
/// cost seconds). Stops early, with [`CANCELLED`], once `cancel` is set.
pub(super) fn write(
    pool: &Pool,
    mark: Option<&StreamMark>,
    out: &mut impl Write,
    cancel: &AtomicBool,
) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    out.write_all(MAGIC).map_err(io)?;
    out.write_all(&VERSION.to_le_bytes()).map_err(io)?;
    let head = Head {
        orders: pool.orders_len() as u64,
        pool: pool.snapshot_without_orders(),
        stream: mark.cloned(),
    };
    let mut buf = Vec::with_capacity(2 << 20);
    frame::encode_with(&mut buf, |b| {
        serde_json::to_writer(b, &head).expect("snapshots always serialise")
    });
    out.write_all(&buf).map_err(io)?;
    let mut orders = pool.orders().peekable();
    let mut chunk: Vec<OrderOut> = Vec::with_capacity(ORDERS_PER_FRAME);
    while orders.peek().is_some() {
        if cancel.load(Ordering::Relaxed) {
            return Err(CANCELLED.to_owned());
        }
        chunk.clear();
        chunk.extend(orders.by_ref().take(ORDERS_PER_FRAME).map(OrderOut::from));
        buf.clear();
        frame::encode_with(&mut buf, |b| {
            let bytes = std::mem::take(b);
            *b = postcard::to_extend(&chunk, bytes).expect("orders always serialise");
        });
        out.write_all(&buf).map_err(io)?;
    }
    Ok(())
}

/// Writes `pool` as a binary snapshot file at `path` (buffered; the caller syncs).
pub(super) fn write_file(
    pool: &Pool,
    mark: Option<&StreamMark>,
    path: &Path,
    cancel: &AtomicBool,
) -> Result<File, String> {
    let file = File::create(path).map_err(|e| e.to_string())?;
    let mut out = BufWriter::with_capacity(4 << 20, file);
    write(pool, mark, &mut out, cancel)?;
    out.into_inner().map_err(|e| e.error().to_string())
}

/// The pool a binary snapshot file holds, and its stream mark if it has one; refuses a damaged,
/// unreadable or inconsistent one. Stops with [`CANCELLED`] once `cancel` is set.
pub(super) fn read_file(
    path: &Path,
    config: PoolConfig,
    cancel: &AtomicBool,
) -> Result<(Pool, Option<StreamMark>), String> {
    let file = File::open(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    read(&mut BufReader::with_capacity(4 << 20, file), config, cancel).map_err(|e| {
        if e == CANCELLED {
            e
        } else {
            format!("the snapshot {} {e}", path.display())
        }
    })
}

/// The pool of a binary snapshot read from `input`, and its stream mark; the error says what is
/// wrong with it.
fn read(
    input: &mut (impl Read + Send),
    config: PoolConfig,
    cancel: &AtomicBool,
) -> Result<(Pool, Option<StreamMark>), String> {
    let damaged = |why: &str| format!("is damaged ({why}); livestock will not start on it");
    let mut start = [0u8; 12];
    input
        .read_exact(&mut start)
        .map_err(|_| damaged("shorter than its header"))?;
    if &start[..8] != MAGIC {
        return Err(damaged("not a livestock snapshot"));
    }
    let version = u32::from_le_bytes(start[8..].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(format!(
            "is of layout {version}; this livestock reads layout {VERSION}"
        ));
    }
    let mut buf = Vec::new();
    if !read_frame(input, &mut buf).map_err(|e| damaged(&e))? {
        return Err(damaged("no head"));
    }
    let head: Head = serde_json::from_slice(&buf).map_err(|e| format!("is unreadable: {e}"))?;
    let total = usize::try_from(head.orders).map_err(|_| damaged("too many orders"))?;
    let mark = head.stream;
    let mut restoring =
        Restoring::new(head.pool, config, total).map_err(|e| format!("is inconsistent: {e}"))?;
    // Two cores: one thread reads and decodes frames while this one files the orders.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<OrderBin>, String>>(2);
    let filed = std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut buf = buf;
            loop {
                let next = match read_frame(input, &mut buf) {
                    Ok(false) => return,
                    Ok(true) => postcard::from_bytes::<Vec<OrderBin>>(&buf)
                        .map_err(|e| format!("is unreadable: {e}")),
                    Err(e) => Err(damaged(&e)),
                };
                let failed = next.is_err();
                if tx.send(next).is_err() || failed {
                    return; // the filing side stopped, or this frame is the last word
                }
            }
        });
        let mut read_orders = 0usize;
        for orders in rx {
            if cancel.load(Ordering::Relaxed) {
                return Err(CANCELLED.to_owned());
            }
            let orders = orders?;
            read_orders += orders.len();
            if read_orders > total {
                return Err(damaged("more orders than its head says"));
            }
            for order in orders {
                restoring
                    .order(order.into())
                    .map_err(|e| format!("is inconsistent: {e}"))?;
            }
        }
        if read_orders != total {
            return Err(damaged("fewer orders than its head says"));
        }
        Ok(())
    });
    match filed {
        Ok(()) => Ok((restoring.finish(), mark)),
        Err(e) => {
            super::drop_elsewhere(restoring);
            Err(e)
        }
    }
}

/// Reads the next frame's payload into `buf`: `false` at a clean end, an error for anything but a
/// whole frame with a good checksum.
fn read_frame(input: &mut impl Read, buf: &mut Vec<u8>) -> Result<bool, String> {
    let mut header = [0u8; HEADER_BYTES];
    let mut got = 0;
    while got < HEADER_BYTES {
        match input.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => return Err("a frame cut short".to_owned()),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let len = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes"));
    let crc = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes"));
    if len > FRAME_BYTES_MAX {
        return Err(format!("a frame claims {len} bytes"));
    }
    buf.clear();
    buf.resize(len as usize, 0);
    input
        .read_exact(buf)
        .map_err(|_| "a frame cut short".to_owned())?;
    if crc32fast::hash(buf) != crc {
        return Err("a frame's checksum does not match its bytes".to_owned());
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(pool: &Pool) -> Vec<u8> {
        let mut out = Vec::new();
        write(pool, None, &mut out, &AtomicBool::new(false)).unwrap();
        out
    }

    fn read_back(bytes: &[u8]) -> Result<Pool, String> {
        read(
            &mut &bytes[..],
            PoolConfig::default(),
            &AtomicBool::new(false),
        )
        .map(|(pool, _)| pool)
    }

    #[test]
    fn an_empty_pool_round_trips() {
        let pool = Pool::default();
        assert_eq!(
            read_back(&bytes_of(&pool)).unwrap().snapshot(),
            pool.snapshot()
        );
    }

    #[test]
    fn a_flipped_bit_or_a_cut_anywhere_is_refused() {
        let pool = Pool::default();
        let bytes = bytes_of(&pool);
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(read_back(&bad).is_err(), "flip at {at}");
            assert!(read_back(&bytes[..at]).is_err(), "cut at {at}");
        }
    }

    #[test]
    fn a_stream_mark_round_trips_and_a_file_snapshot_has_none() {
        let pool = Pool::default();
        let mark = StreamMark {
            name: "LIVESTOCK_NIGHT".into(),
            created_ns: 1_764_000_000_123_456_789,
            seq: 42,
        };
        let mut out = Vec::new();
        write(&pool, Some(&mark), &mut out, &AtomicBool::new(false)).unwrap();
        let read_mark = |bytes: &[u8]| {
            read(
                &mut &bytes[..],
                PoolConfig::default(),
                &AtomicBool::new(false),
            )
            .unwrap()
            .1
        };
        assert_eq!(read_mark(&out), Some(mark));
        assert_eq!(read_mark(&bytes_of(&pool)), None);
    }

    #[test]
    fn another_layout_is_refused_by_name() {
        let mut bytes = bytes_of(&Pool::default());
        bytes[8] = 2;
        let err = read_back(&bytes).err().unwrap();
        assert!(err.contains("layout 2"), "{err}");
    }
}
