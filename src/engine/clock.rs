//! The writer's clock and its tick: wall time for a shop, a faster clock for a demo show.

use std::sync::Arc;

/// How often the writer looks for expired holds and refreshes time-dependent views, in real
/// time, on a clock at wall speed.
pub const TICK_MS: u64 = 1000;
/// The shortest writer tick: a fast clock ticks more often (so a hold's life and the warnings
/// keep their show-time resolution), but not more often than this.
const TICK_MS_MIN: u64 = 100;

/// Milliseconds since the Unix epoch; a function so tests can run the engine on their own clock.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The writer's tick for a clock running `clock_speed` times the wall clock: about one
/// server-second per tick, within [`TICK_MS_MIN`] and [`TICK_MS`].
pub fn tick_ms_for(clock_speed: f64) -> u64 {
    ((TICK_MS as f64 / clock_speed) as u64).clamp(TICK_MS_MIN, TICK_MS)
}

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(wall_ms)
}

fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The wall clock from now on, run `speed` times as fast: a fast-forwarded demo show whose
/// minutes (rates, holds, warnings, series) pass in `1/speed` of a real minute. Monotonic: it
/// follows a steady timer from its start, not the wall clock's jumps.
pub fn scaled_clock(speed: f64) -> Clock {
    scaled_clock_from(None, speed)
}

/// [`scaled_clock`] reading `start_ms` now instead of the wall clock (a demo or a test that needs
/// a given hour, such as a show crossing midnight).
pub fn scaled_clock_from(start_ms: Option<i64>, speed: f64) -> Clock {
    if speed == 1.0 && start_ms.is_none() {
        return system_clock();
    }
    let (start_ms, start) = (start_ms.unwrap_or_else(wall_ms), std::time::Instant::now());
    Arc::new(move || start_ms + (start.elapsed().as_secs_f64() * 1000.0 * speed) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faster_clock_ticks_more_often_down_to_a_floor() {
        assert_eq!(tick_ms_for(1.0), TICK_MS);
        assert_eq!(
            tick_ms_for(0.1),
            TICK_MS,
            "a slow clock never ticks less often"
        );
        assert_eq!(tick_ms_for(4.0), 250);
        assert_eq!(tick_ms_for(60.0), TICK_MS_MIN);
        assert_eq!(tick_ms_for(600.0), TICK_MS_MIN);
    }
}
