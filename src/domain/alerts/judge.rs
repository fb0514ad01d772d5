//! Judging one rule on one SKU (or the shop): fire a warning once when a line is crossed, re-arm
//! a line only once the value is back past it by its margin, and keep ONE open warning per
//! (SKU, kind): a higher line crossed escalates it in place, a line re-armed lowers it, and on
//! the tick its value and message follow the live numbers. Every rule goes through
//! [`Eval::judge`] or [`Eval::judge_lines`].
//!
//! After an acknowledgement the acknowledged alert stays as it was acknowledged; a new alert of
//! the same kind fires only on a new crossing: a line above the acknowledged level, or a line
//! crossed again after it re-armed. Lines still waiting to re-arm never fire again.

use super::book::{Alert, AlertBook, AlertKey, AlertKind};
use crate::domain::stock::Sku;
use crate::domain::types::RoomId;

pub(super) const MINUTE_MS: i64 = 60_000;
pub(super) const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// What one evaluation decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    pub fired: Vec<Alert>,
    pub rearmed: Vec<AlertKey>,
    /// Lines crossed now (each waits to re-arm), whether they fired an alert or escalated one.
    pub crossed: Vec<AlertKey>,
    /// Open alerts changed in place: same id, new level, value, threshold, message, `updated_at`.
    pub updated: Vec<Alert>,
}

impl Verdict {
    pub fn is_empty(&self) -> bool {
        self.fired.is_empty()
            && self.rearmed.is_empty()
            && self.crossed.is_empty()
            && self.updated.is_empty()
    }
}

pub(super) struct Eval<'a> {
    /// What fired before: a line waiting to re-arm does not fire again.
    pub(super) book: &'a AlertBook,
    now_ms: i64,
    next_id: u64,
    /// Whether open alerts follow the live numbers now (the tick), not only their level.
    refresh: bool,
    verdict: Verdict,
}

/// A crossing to judge: `crossed` the line now, or `back` past it by the margin.
pub(super) struct Check {
    pub(super) key: AlertKey,
    pub(super) crossed: bool,
    pub(super) back: bool,
    pub(super) value: f64,
    pub(super) threshold: f64,
}

impl<'a> Eval<'a> {
    /// An evaluation at `now_ms` against what `book` holds; new alerts number on from it. With
    /// `refresh`, open alerts whose message no longer says the live numbers are updated.
    pub(super) fn new(book: &'a AlertBook, now_ms: i64, refresh: bool) -> Self {
        Eval {
            book,
            now_ms,
            next_id: book.next_id,
            refresh,
            verdict: Verdict::default(),
        }
    }

    pub(super) fn into_verdict(self) -> Verdict {
        self.verdict
    }

    /// Judges a rule with one line; its alert's level is the line's.
    pub(super) fn judge(&mut self, check: Check, message: impl FnOnce() -> (String, String)) {
        self.judge_lines(vec![check], |_| message());
    }

    /// Judges the lines of one rule on one topic (same kind and SKU, one level each). The open
    /// alert, or the one fired, stands at the highest line waiting to re-arm; `message` says it
    /// for a level, with the live numbers.
    pub(super) fn judge_lines(
        &mut self,
        checks: Vec<Check>,
        message: impl FnOnce(u8) -> (String, String),
    ) {
        let Some(first) = checks.first() else {
            return;
        };
        let topic = (
            first.key.kind,
            first.key.sku.clone(),
            first.key.room.clone(),
        );
        let mut newly = false;
        let mut top: Option<(u8, f64, f64)> = None;
        for check in checks {
            let waiting = self.book.fired.contains(&check.key);
            let armed = if check.crossed && !waiting {
                newly = true;
                self.verdict.crossed.push(check.key.clone());
                true
            } else if waiting && check.back {
                self.verdict.rearmed.push(check.key.clone());
                false
            } else {
                waiting
            };
            if armed && top.is_none_or(|(level, ..)| check.key.level > level) {
                top = Some((check.key.level, round2(check.value), check.threshold));
            }
        }
        let Some((level, value, threshold)) = top else {
            return; // nothing crossed: an open alert stays as it was, waiting for its ack
        };
        match self.book.open(&topic) {
            Some(open) => {
                if level == open.level && !newly && !self.refresh {
                    return;
                }
                let (zh, en) = message(level);
                let same = level == open.level
                    && threshold == open.threshold
                    && zh == open.message_zh
                    && en == open.message_en;
                if !same || newly {
                    self.verdict.updated.push(Alert {
                        level,
                        value,
                        threshold,
                        message_zh: zh,
                        message_en: en,
                        updated_at: Some(self.now_ms),
                        ..open.clone()
                    });
                }
            }
            None if newly => {
                let (zh, en) = message(level);
                self.verdict.fired.push(Alert {
                    id: format!("a{}", self.next_id),
                    kind: topic.0,
                    level,
                    sku: topic.1,
                    room: topic.2,
                    value,
                    threshold,
                    message_zh: zh,
                    message_en: en,
                    at: self.now_ms,
                    acked_by: None,
                    acked_at: None,
                    updated_at: None,
                });
                self.next_id += 1;
            }
            None => {} // acknowledged, and no new line crossed since
        }
    }
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub(super) fn key(kind: AlertKind, sku: &Sku, level: u8) -> AlertKey {
    AlertKey {
        kind,
        sku: Some(sku.code.clone()),
        level,
        room: None,
    }
}

/// The key of a per-room warning: `kind` on `sku` in `room`.
pub(super) fn room_key(kind: AlertKind, sku: &Sku, level: u8, room: &RoomId) -> AlertKey {
    AlertKey {
        room: Some(room.clone()),
        ..key(kind, sku, level)
    }
}
