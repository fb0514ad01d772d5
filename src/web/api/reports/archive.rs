//! When a show ends, the daily report of each day it covered (in the shop's zone) is filed in the
//! data dir as `reports/daily-YYYY-MM-DD.csv`, so the night after the show starts with the file
//! already there. A task watches the published show: the writer never waits for a file.

use super::daily::{self, DailyReport};
use crate::engine::Engine;
use jiff::tz::TimeZone;
use std::path::{Path, PathBuf};

/// The most days one show's reports cover (a show left live for weeks files its last month).
pub const SHOW_DAYS_FILED_MAX: usize = 31;
/// The folder of the data dir the reports are filed in.
pub const REPORTS_DIR: &str = "reports";

/// Files the reports of every show that ends, for as long as the engine runs. A show that ended
/// before a restart gets the files it is missing; one that ends now gets them written afresh.
pub async fn run(engine: Engine, zone: TimeZone, data_dir: PathBuf) {
    let mut ended = engine.ended_show();
    let mut overwrite = false;
    loop {
        let span = *ended.borrow_and_update();
        if let Some((started_ms, ended_ms)) = span {
            let reports: Vec<DailyReport> = days_covered(started_ms, ended_ms, &zone)
                .into_iter()
                .filter_map(|date| DailyReport::build(&engine, &zone, date).ok())
                .collect();
            let dir = data_dir.join(REPORTS_DIR);
            let filed =
                tokio::task::spawn_blocking(move || file_reports(&dir, &reports, overwrite)).await;
            match filed {
                Ok(Ok(names)) if !names.is_empty() => {
                    tracing::info!(files = ?names, "the show's daily reports are filed")
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "filing the show's daily reports"),
                Err(e) => tracing::error!(error = %e, "filing the show's daily reports"),
            }
        }
        overwrite = true;
        if ended.changed().await.is_err() {
            return;
        }
    }
}

/// The dates in `zone` from the show's start to its end, both included, at most
/// [`SHOW_DAYS_FILED_MAX`] (the last ones).
pub fn days_covered(started_ms: i64, ended_ms: i64, zone: &TimeZone) -> Vec<jiff::civil::Date> {
    let (first, last) = (
        daily::today(started_ms, zone),
        daily::today(ended_ms.max(started_ms), zone),
    );
    let mut days = Vec::new();
    let mut day = last;
    while day >= first && days.len() < SHOW_DAYS_FILED_MAX {
        days.push(day);
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    days.reverse();
    days
}

/// Writes each report as `daily-DATE.csv` (through a temporary file and a rename, so a reader
/// never sees half a file), skipping existing files unless `overwrite`. Returns the names written.
fn file_reports(
    dir: &Path,
    reports: &[DailyReport],
    overwrite: bool,
) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for report in reports {
        let name = format!("daily-{}.csv", report.date);
        let path = dir.join(&name);
        if !overwrite && path.exists() {
            continue;
        }
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, daily::csv(report))
            .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("renaming to {}: {e}", path.display()))?;
        written.push(name);
    }
    Ok(written)
}
