//! The show's time series (SPEC B3): viewers, GMV, orders, units, paying buyers and each SKU's available units,
//! sampled by the caller's clock into bounded buffers. When a buffer fills, every other point is
//! dropped and the spacing doubles, so a whole show fits in [`SERIES_POINTS_MAX`] points.

use super::types::SkuCode;
use serde::Serialize;
use std::collections::BTreeMap;

/// The most points a series keeps.
pub const SERIES_POINTS_MAX: usize = 720;
/// The most SKUs whose stock is followed (lineup SKUs first).
pub const SERIES_SKUS_MAX: usize = 100;
/// The first spacing of points.
pub const SAMPLE_INTERVAL_MS_MIN: i64 = 1_000;

/// One sample of every series at one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub t: i64,
    pub viewers: i64,
    pub gmv_cents: i64,
    pub orders: i64,
    pub units: i64,
    /// Distinct paying buyers so far (成交人数), for the buyers and conversion sparklines.
    pub buyers: i64,
    pub stock: BTreeMap<SkuCode, i64>,
}

/// Every series of the show, column by column, as sent to screens.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Series {
    pub t: Vec<i64>,
    pub viewers: Vec<i64>,
    pub gmv_cents: Vec<i64>,
    pub orders: Vec<i64>,
    pub units: Vec<i64>,
    pub buyers: Vec<i64>,
    /// Available units per SKU, one value per point (`null`-free: a SKU first seen late is
    /// back-filled with its first value).
    pub stock: BTreeMap<SkuCode, Vec<i64>>,
    /// The spacing between points now kept.
    #[serde(skip)]
    interval_ms: i64,
}

impl Series {
    pub fn new() -> Self {
        Series {
            interval_ms: SAMPLE_INTERVAL_MS_MIN,
            ..Series::default()
        }
    }

    /// Adds `sample` when at least the current spacing has passed since the last point; returns
    /// whether it was kept.
    pub fn push(&mut self, sample: &Sample) -> bool {
        if let Some(last) = self.t.last()
            && sample.t - last < self.interval_ms.max(SAMPLE_INTERVAL_MS_MIN)
        {
            return false;
        }
        if self.t.len() == SERIES_POINTS_MAX {
            self.thin();
        }
        let len = self.t.len();
        self.t.push(sample.t);
        self.viewers.push(sample.viewers);
        self.gmv_cents.push(sample.gmv_cents);
        self.orders.push(sample.orders);
        self.units.push(sample.units);
        self.buyers.push(sample.buyers);
        for (sku, value) in &sample.stock {
            if !self.stock.contains_key(sku) && self.stock.len() >= SERIES_SKUS_MAX {
                continue;
            }
            let column = self
                .stock
                .entry(sku.clone())
                .or_insert_with(|| vec![*value; len]);
            column.push(*value);
        }
        // A SKU missing from this sample keeps its last value.
        for column in self.stock.values_mut() {
            if column.len() == len {
                let last = column.last().copied().unwrap_or(0);
                column.push(last);
            }
        }
        true
    }

    /// Drops every other point (keeping the newest) and doubles the spacing.
    fn thin(&mut self) {
        fn keep_odd(v: &mut Vec<i64>) {
            let n = v.len();
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                (n - i).is_multiple_of(2)
            });
        }
        keep_odd(&mut self.t);
        keep_odd(&mut self.viewers);
        keep_odd(&mut self.gmv_cents);
        keep_odd(&mut self.orders);
        keep_odd(&mut self.units);
        keep_odd(&mut self.buyers);
        for column in self.stock.values_mut() {
            keep_odd(column);
        }
        self.interval_ms = self.interval_ms.max(SAMPLE_INTERVAL_MS_MIN) * 2;
    }

    pub fn len(&self) -> usize {
        self.t.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: i64, v: i64) -> Sample {
        let mut stock = BTreeMap::new();
        stock.insert(SkuCode::parse("A").unwrap(), 100 - v);
        Sample {
            t,
            viewers: v,
            gmv_cents: v * 10,
            orders: v,
            units: v,
            buyers: v / 2,
            stock,
        }
    }

    #[test]
    fn points_closer_than_the_spacing_are_skipped() {
        let mut s = Series::new();
        assert!(s.push(&sample(0, 1)));
        assert!(!s.push(&sample(500, 2)));
        assert!(s.push(&sample(1_000, 3)));
        assert_eq!(s.viewers, vec![1, 3]);
    }

    #[test]
    fn a_full_series_thins_to_half_and_stays_bounded() {
        let mut s = Series::new();
        let mut t = 0;
        for v in 0..10_000 {
            s.push(&sample(t, v));
            t += 1_000;
        }
        assert!(s.len() <= SERIES_POINTS_MAX);
        assert!(s.len() >= SERIES_POINTS_MAX / 2);
        for column in [&s.viewers, &s.gmv_cents, &s.orders, &s.units, &s.buyers] {
            assert_eq!(column.len(), s.len(), "every column thins alike");
        }
        // Each column still pairs with its own time: a thinned point keeps its sample's values.
        assert!(s.viewers.iter().zip(&s.buyers).all(|(v, b)| *b == v / 2));
        assert_eq!(s.stock.values().next().map(Vec::len), Some(s.len()));
        // Time only goes forward and the newest point is the newest kept.
        assert!(s.t.windows(2).all(|w| w[0] < w[1]));
        let spacing_points = (s.t[1] - s.t[0]) / 1_000;
        assert!(*s.viewers.last().unwrap() > 9_999 - spacing_points);
    }

    #[test]
    fn a_sku_first_seen_late_is_back_filled() {
        let mut s = Series::new();
        s.push(&sample(0, 1));
        let mut later = sample(1_000, 2);
        later.stock.insert(SkuCode::parse("B").unwrap(), 7);
        s.push(&later);
        assert_eq!(s.stock[&SkuCode::parse("B").unwrap()], vec![7, 7]);
    }
}
