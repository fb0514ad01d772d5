//! The thresholds of SPEC C, for the shop and per category.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The thresholds of SPEC C. Every one can be set in the config file, and per category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Tiered stock: available ÷ base at or below these percentages gives levels 1, 2, 3.
    pub level1_pct: f64,
    pub level2_pct: f64,
    pub level3_pct: f64,
    /// Sell-out time below this many minutes (level 2).
    pub sellout_minutes: f64,
    /// Sell-out time below this many minutes escalates the warning to level 3.
    pub sellout_level3_minutes: f64,
    /// Sell-through above this percentage.
    pub sell_through_pct: f64,
    /// Movement rate (SKUs with a sale ÷ active SKUs) below this percentage.
    pub movement_rate_pct: f64,
    /// The movement rate is judged once the show (or the day) is this old.
    pub movement_window_minutes: f64,
    /// Turnover (stock ÷ mean daily sales) above this many days.
    pub turnover_days: f64,
    /// Turnover is judged only for SKUs at least this many days old: a few minutes of sales say
    /// nothing about a month.
    pub turnover_min_age_days: f64,
    /// A surge: units in the last minute at least this many times the planned rate.
    pub surge_factor: f64,
    /// A slow mover: no sale in this many days.
    pub slow_mover_days: f64,
    /// A fading hit: the last minute's rate below this percentage of the show's peak.
    pub fading_pct: f64,
    /// A fading hit needs a peak of at least this many units per minute (and to have been on air).
    pub fading_peak_min_per_min: f64,
    /// A fading hit re-arms only once its rate is back to this percentage of its peak: a hot
    /// product again, not noise around the line.
    pub fading_rearm_pct: f64,
    /// How far (in percent of the line) a value must come back before its warning re-arms.
    pub hysteresis_pct: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            level1_pct: 20.0,
            level2_pct: 10.0,
            level3_pct: 5.0,
            sellout_minutes: 60.0,
            sellout_level3_minutes: 15.0,
            sell_through_pct: 80.0,
            movement_rate_pct: 30.0,
            movement_window_minutes: 30.0,
            turnover_days: 45.0,
            turnover_min_age_days: 7.0,
            surge_factor: 3.0,
            slow_mover_days: 30.0,
            fading_pct: 30.0,
            fading_peak_min_per_min: 20.0,
            fading_rearm_pct: 60.0,
            hysteresis_pct: 10.0,
        }
    }
}

/// The thresholds for the shop and per category (a category's table replaces the shop's whole).
#[derive(Clone, Debug, PartialEq)]
pub struct AlertConfig {
    pub enabled: bool,
    pub shop: Thresholds,
    pub categories: BTreeMap<String, Thresholds>,
}

impl Default for AlertConfig {
    /// Apparel turns over slower than food: 60 days for apparel, 20 for food, 45 for the rest.
    fn default() -> Self {
        let mut categories = BTreeMap::new();
        categories.insert(
            "apparel".to_owned(),
            Thresholds {
                turnover_days: 60.0,
                ..Thresholds::default()
            },
        );
        categories.insert(
            "food".to_owned(),
            Thresholds {
                turnover_days: 20.0,
                slow_mover_days: 14.0,
                ..Thresholds::default()
            },
        );
        AlertConfig {
            enabled: true,
            shop: Thresholds::default(),
            categories,
        }
    }
}

impl AlertConfig {
    pub fn for_category(&self, category: &str) -> &Thresholds {
        self.categories.get(category).unwrap_or(&self.shop)
    }
}
