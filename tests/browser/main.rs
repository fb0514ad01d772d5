//! The three screens in a real headless Chromium, driven through ChromeDriver (WebDriver) with
//! `fantoccini`, against the real binary: the board `/`, the host screen `/host` and the OBS
//! overlay `/overlay`, fed through the public API only.
//!
//! Needs Debian's `/usr/bin/chromium` and `/usr/bin/chromedriver` (`./scripts/test` installs them);
//! without them every test here fails and says so. Each test starts its own server, its own
//! ChromeDriver on a free port and its own browser profile; the tests take turns (one browser at a
//! time) and each has [`driver::TEST_BUDGET`] once its turn comes. Screenshots of the three screens go to
//! `target/screenshots/`.

#[path = "../common/mod.rs"]
mod common;

mod alerts;
mod board;
mod driver;
mod reports;
mod rooms;
mod screens;
mod screens_after;
mod stage;
mod wall;
mod writes;
