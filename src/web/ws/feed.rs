//! The screens' feed: every tick it takes what the writer changed, builds one diff per kind of view,
//! and broadcasts it. Each connection reads the broadcast at its own pace; one that falls behind
//! the bounded queue gets a fresh snapshot instead of its backlog and never slows the others.

use super::protocol::{ServerFrame, Watch, default_focus};
use crate::domain::series::Series;
use crate::domain::show::room::Room;
use crate::domain::show::{RoomSummary, ShowView};
use crate::domain::stock::StockView;
use crate::domain::types::RoomId;
use crate::engine::{Engine, WriteState};
use axum::extract::ws::Utf8Bytes;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

/// Frames a connection may be behind before it is sent a snapshot instead (6.4 s at 100 ms).
pub const QUEUE_FRAMES_MAX: usize = 64;
/// The coalescing tick: at most one diff per view per tick (API.md: 100 ms).
pub const TICK_MS_DEFAULT: u64 = 100;
/// Alerts of one burst sent as frames of their own; past this, the screens get one fresh snapshot
/// instead (it carries the open alerts), so a storm of warnings cannot overflow every queue.
pub const ALERT_BURST_FRAMES_MAX: usize = 16;

/// One serialised frame, shared by every connection of a kind of view.
#[derive(Debug)]
pub struct Frame {
    /// The journal sequence number the frame's state includes.
    pub seq: u64,
    pub text: Utf8Bytes,
    /// Not a frame to forward: the connection sends its screen a fresh snapshot instead.
    pub resync: bool,
}

pub struct Feed {
    /// Diffs for the board and feed views, one channel per room they focus.
    full: Channels,
    /// Diffs for the host and overlay views, one channel per room they show.
    stage: Channels,
    /// Tells every connection to close (the server is stopping).
    closing: watch::Sender<bool>,
    connections: AtomicUsize,
    tick_ms: u64,
}

/// Counts a connection while it lives.
pub struct ConnectionGuard(Arc<Feed>);

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let n = self.0.connections.fetch_sub(1, Ordering::Relaxed) - 1;
        metrics::gauge!("livestock_screens_connected").set(n as f64);
    }
}

impl Feed {
    pub fn new(tick_ms: u64) -> Arc<Feed> {
        Arc::new(Feed {
            full: Channels::default(),
            stage: Channels::default(),
            closing: watch::channel(false).0,
            connections: AtomicUsize::new(0),
            tick_ms: tick_ms.max(1),
        })
    }

    pub fn connected(self: &Arc<Self>) -> ConnectionGuard {
        let n = self.connections.fetch_add(1, Ordering::Relaxed) + 1;
        metrics::gauge!("livestock_screens_connected").set(n as f64);
        ConnectionGuard(self.clone())
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    pub fn subscribe(&self, watch: &Watch) -> broadcast::Receiver<Arc<Frame>> {
        if watch.view.is_stage() {
            self.stage.subscribe(&watch.room)
        } else {
            self.full.subscribe(&watch.room)
        }
    }

    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Asks every connection to close.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// The stock views a stage screen needs: on air and next.
    fn stage_views(
        engine: &Engine,
        current: Option<&crate::domain::types::SkuCode>,
        next: Option<&crate::domain::types::SkuCode>,
    ) -> Vec<StockView> {
        current
            .into_iter()
            .chain(next)
            .filter_map(|c| engine.view(c))
            .collect()
    }

    /// A snapshot of what `watch` watches, as of now.
    pub fn snapshot(&self, engine: &Engine, watch: &Watch) -> Frame {
        let seq = engine.seq(); // before the views: they then hold at least this state
        let rooms = engine.rooms();
        let room = watch.room.clone().unwrap_or_else(|| default_focus(&rooms));
        let show = room_show(engine, &room);
        let summaries: Vec<RoomSummary> = rooms.values().map(|v| RoomSummary::of(v)).collect();
        let (skus, series) = if watch.view.is_stage() {
            let skus = Self::stage_views(engine, show.current.as_ref(), show.next.as_ref());
            (skus, Arc::new(Series::new()))
        } else {
            (engine.views(), engine.series())
        };
        let alerts = engine.open_alerts();
        let frame = ServerFrame::Snapshot {
            view: watch.view.name(),
            seq,
            writes: engine.writes().name(),
            server_ms: engine.now_ms(),
            room: &room,
            skus: &skus,
            show: &show,
            rooms: (!watch.view.is_stage()).then_some(&summaries[..]),
            alerts: &alerts,
            series: &series,
        };
        Frame {
            seq,
            text: frame.to_text().into(),
            resync: false,
        }
    }

    /// Every tick: turns the writer's changes into one diff per kind of view.
    pub async fn run(self: Arc<Self>, engine: Engine) {
        let tick = Duration::from_millis(self.tick_ms);
        // The write state is polled each tick; changes wake the feed as they are published.
        let mut poll = tokio::time::interval(tick);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut closing = self.closing();
        let mut alerts = engine.subscribe_alerts();
        let mut writes = WritesWatch::new(engine.writes());
        let mut edge = LeadingEdge::new(tick, Instant::now());
        let mut writes_changed = false;
        loop {
            let due = edge.due();
            tokio::select! {
                () = engine.changed() => {
                    if edge.changed(Instant::now()) {
                        self.send(&engine, &mut writes_changed);
                    }
                }
                () = tokio::time::sleep_until(due.unwrap_or_else(Instant::now)), if due.is_some() => {
                    edge.sent(Instant::now());
                    self.send(&engine, &mut writes_changed);
                }
                _ = poll.tick() => {
                    if writes.changed(engine.writes()) {
                        writes_changed = true;
                        if edge.changed(Instant::now()) {
                            self.send(&engine, &mut writes_changed);
                        }
                    }
                }
                alert = alerts.recv() => match alert {
                    Ok(first) => {
                        let mut burst = vec![first];
                        while let Ok(next) = alerts.try_recv() {
                            burst.push(next);
                        }
                        self.alerts(&engine, &burst);
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "the feed fell behind the alerts; screens get them with their next snapshot");
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = closing.changed() => return,
            }
        }
    }

    /// Sends the diffs of what changed, with whether the write state changed since the last one.
    fn send(&self, engine: &Engine, writes_changed: &mut bool) {
        self.tick(engine, engine.writes(), std::mem::take(writes_changed));
    }

    /// Sends alerts to every screen at once: each as its own frame, or, for a storm, the first
    /// [`ALERT_BURST_FRAMES_MAX`] and then one snapshot per kind of view.
    fn alerts(&self, engine: &Engine, burst: &[crate::domain::alerts::Alert]) {
        let seq = engine.seq();
        for alert in burst.iter().take(ALERT_BURST_FRAMES_MAX) {
            let text: Utf8Bytes = ServerFrame::Alert { alert }.to_text().into();
            let frame = Arc::new(Frame {
                seq,
                text,
                resync: false,
            });
            self.full.send_all(&frame);
            self.stage.send_all(&frame);
        }
        if burst.len() > ALERT_BURST_FRAMES_MAX {
            let resync = Arc::new(Frame {
                seq,
                text: Utf8Bytes::from_static(""),
                resync: true,
            });
            self.full.send_all(&resync);
            self.stage.send_all(&resync);
        }
    }

    /// One tick: a diff per kind of view when the writer changed something or when whether writes
    /// are taken changed (`writes_changed`), so the screens show a full disk at once.
    fn tick(&self, engine: &Engine, writes: WriteState, writes_changed: bool) {
        let changes = engine.take_changes();
        if changes.is_empty() && !writes_changed {
            return;
        }
        let writes = writes.name();
        let seq = engine.seq();
        let server_ms = engine.now_ms();
        let rooms = engine.rooms();
        let summaries: Vec<RoomSummary> = rooms.values().map(|v| RoomSummary::of(v)).collect();
        let full_skus: Vec<StockView> = if self.full.listened() {
            changes.skus.iter().filter_map(|c| engine.view(c)).collect()
        } else {
            Vec::new()
        };
        for (room, tx) in self.full.listening() {
            let room = room.unwrap_or_else(|| default_focus(&rooms));
            let show = room_show(engine, &room);
            let frame = ServerFrame::Diff {
                seq,
                writes,
                server_ms,
                skus: &full_skus,
                show: &show,
                rooms: changes.show.then_some(&summaries[..]),
                sample: changes.sample.as_ref(),
            };
            let text = frame.to_text().into();
            let _ = tx.send(Arc::new(Frame {
                seq,
                text,
                resync: false,
            }));
        }
        let on_stage = |c: &Option<crate::domain::types::SkuCode>| {
            c.as_ref().is_some_and(|c| changes.skus.contains(c))
        };
        for (room, tx) in self.stage.listening() {
            let room = room.unwrap_or_else(RoomId::main);
            let show = room_show(engine, &room);
            let moved = writes_changed
                || changes.rooms.contains(&room)
                || on_stage(&show.current)
                || on_stage(&show.next);
            if !moved {
                continue;
            }
            let skus = Self::stage_views(engine, show.current.as_ref(), show.next.as_ref());
            let frame = ServerFrame::Diff {
                seq,
                writes,
                server_ms,
                skus: &skus,
                show: &show,
                rooms: None,
                sample: None,
            };
            let text = frame.to_text().into();
            let _ = tx.send(Arc::new(Frame {
                seq,
                text,
                resync: false,
            }));
        }
    }
}

/// A room's show as of the last batch; a room not (yet) created shows no show.
fn room_show(engine: &Engine, room: &RoomId) -> Arc<ShowView> {
    engine.room_show(room).unwrap_or_else(|| {
        Arc::new(ShowView::none(&Room {
            id: room.clone(),
            ..Room::main()
        }))
    })
}

/// One broadcast channel per room that screens watch (`None`: the board's default focus), made
/// when the first screen asks; rooms are few (`ROOMS_MAX`) and must exist to be watched.
#[derive(Default)]
struct Channels {
    by_room: Mutex<HashMap<Option<RoomId>, broadcast::Sender<Arc<Frame>>>>,
}

impl Channels {
    fn subscribe(&self, room: &Option<RoomId>) -> broadcast::Receiver<Arc<Frame>> {
        let mut rooms = self.by_room.lock().expect("feed lock");
        rooms
            .entry(room.clone())
            .or_insert_with(|| broadcast::channel(QUEUE_FRAMES_MAX).0)
            .subscribe()
    }

    /// Whether any screen listens on any room.
    fn listened(&self) -> bool {
        let rooms = self.by_room.lock().expect("feed lock");
        rooms.values().any(|tx| tx.receiver_count() > 0)
    }

    /// The rooms some screen listens to, with their channel.
    fn listening(&self) -> Vec<(Option<RoomId>, broadcast::Sender<Arc<Frame>>)> {
        let rooms = self.by_room.lock().expect("feed lock");
        rooms
            .iter()
            .filter(|(_, tx)| tx.receiver_count() > 0)
            .map(|(room, tx)| (room.clone(), tx.clone()))
            .collect()
    }

    /// Sends `frame` to every room's screens.
    fn send_all(&self, frame: &Arc<Frame>) {
        for (_, tx) in self.listening() {
            let _ = tx.send(frame.clone());
        }
    }
}

/// When the feed sends a diff: at once for a change after a quiet tick (the leading edge, so one
/// order reaches the screens in a few milliseconds), and under load at most one per tick, the
/// changes in between coalesced into it (API.md: ≤ 1 diff per 100 ms).
struct LeadingEdge {
    tick: Duration,
    /// When the last diff went out.
    last: Instant,
    /// When the diff waiting for its tick goes out, if one waits.
    due: Option<Instant>,
}

impl LeadingEdge {
    fn new(tick: Duration, now: Instant) -> Self {
        LeadingEdge {
            tick,
            last: now.checked_sub(tick).unwrap_or(now),
            due: None,
        }
    }

    /// Something changed at `now`: whether to send at once (then it counts as sent); otherwise
    /// a diff is due at the end of the last one's tick.
    fn changed(&mut self, now: Instant) -> bool {
        if self.due.is_some() {
            return false; // already waiting: this change goes with it
        }
        let next = self.last + self.tick;
        if now >= next {
            self.last = now;
            true
        } else {
            self.due = Some(next);
            false
        }
    }

    fn due(&self) -> Option<Instant> {
        self.due
    }

    /// The waiting diff went out at `now`.
    fn sent(&mut self, now: Instant) {
        self.last = now;
        self.due = None;
    }
}

/// Remembers the write state the screens were last told, to tell when it changes.
struct WritesWatch {
    last: WriteState,
}

impl WritesWatch {
    fn new(now: WriteState) -> Self {
        WritesWatch { last: now }
    }

    /// Whether `now` differs from the state last seen; remembers `now`.
    fn changed(&mut self, now: WriteState) -> bool {
        std::mem::replace(&mut self.last, now) != now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_after_a_quiet_tick_goes_at_once_and_changes_under_load_wait_for_the_tick() {
        let tick = Duration::from_millis(100);
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut edge = LeadingEdge::new(tick, t0);
        assert!(edge.changed(t0), "the first change goes at once");
        assert!(!edge.changed(ms(10)), "10 ms later it waits for the tick");
        assert_eq!(edge.due(), Some(ms(100)));
        assert!(
            !edge.changed(ms(50)),
            "and later changes join the one waiting"
        );
        assert_eq!(edge.due(), Some(ms(100)));
        edge.sent(ms(100));
        assert_eq!(edge.due(), None);
        assert!(
            !edge.changed(ms(150)),
            "one tick after the last diff, not before"
        );
        edge.sent(ms(200));
        assert!(edge.changed(ms(450)), "after a quiet tick: at once again");
    }

    #[test]
    fn the_write_state_counts_as_a_change_only_when_it_differs_from_the_last_one_seen() {
        let mut watch = WritesWatch::new(WriteState::Ok);
        assert!(!watch.changed(WriteState::Ok), "ok after ok");
        assert!(watch.changed(WriteState::DiskFull), "ok to disk_full");
        assert!(!watch.changed(WriteState::DiskFull), "disk_full again");
        assert!(watch.changed(WriteState::Ok), "space returned");
        assert!(watch.changed(WriteState::Failed), "ok to failed");
    }
}
