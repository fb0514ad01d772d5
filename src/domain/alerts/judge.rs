//! Judging one crossing: fire a warning once when a line is crossed, re-arm it only once the
//! value is back past the line by its margin. Every rule goes through [`Eval::judge`].

use super::book::{Alert, AlertBook, AlertKey, AlertKind};
use crate::domain::stock::Sku;

pub(super) const MINUTE_MS: i64 = 60_000;
pub(super) const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// What one evaluation decided.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Verdict {
    pub fired: Vec<Alert>,
    pub rearmed: Vec<AlertKey>,
}

impl Verdict {
    pub fn is_empty(&self) -> bool {
        self.fired.is_empty() && self.rearmed.is_empty()
    }
}

pub(super) struct Eval<'a> {
    /// What fired before: a line waiting to re-arm does not fire again.
    pub(super) book: &'a AlertBook,
    now_ms: i64,
    next_id: u64,
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
    /// An evaluation at `now_ms` against what `book` holds; new alerts number on from it.
    pub(super) fn new(book: &'a AlertBook, now_ms: i64) -> Self {
        Eval {
            book,
            now_ms,
            next_id: book.next_id,
            verdict: Verdict::default(),
        }
    }

    pub(super) fn into_verdict(self) -> Verdict {
        self.verdict
    }

    pub(super) fn judge(&mut self, check: Check, message: impl FnOnce() -> (String, String)) {
        let waiting = self.book.fired.contains(&check.key);
        if check.crossed && !waiting {
            let (zh, en) = message();
            self.verdict.fired.push(Alert {
                id: format!("a{}", self.next_id),
                kind: check.key.kind,
                level: check.key.level,
                sku: check.key.sku,
                value: round2(check.value),
                threshold: check.threshold,
                message_zh: zh,
                message_en: en,
                at: self.now_ms,
                acked_by: None,
                acked_at: None,
            });
            self.next_id += 1;
        } else if waiting && check.back {
            self.verdict.rearmed.push(check.key);
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
    }
}
