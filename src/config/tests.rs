//! The config: defaults, the file over them, flags over the file, and every refusal naming its key.

use super::checks::threshold_bounds;
use super::*;

fn resolve(toml_text: &str) -> Result<Config, String> {
    let file: FileConfig = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    Config::from_file(&ServeArgs::default(), file)
}

#[track_caller]
fn refused(toml_text: &str, start: &str) -> String {
    let err = resolve(toml_text).expect_err(toml_text);
    assert!(
        err.starts_with(start),
        "{toml_text:?}: want {start:?}, got {err:?}"
    );
    err
}

#[test]
fn the_clock_runs_at_wall_speed_unless_told_and_within_its_bounds() {
    assert_eq!(resolve("").unwrap().clock_speed, 1.0);
    assert_eq!(resolve("clock_speed = 60").unwrap().clock_speed, 60.0);
    for bad in ["0", "-1", "0.05", "601", "nan", "inf"] {
        refused(&format!("clock_speed = {bad}"), "clock_speed: must be");
    }
}

#[test]
fn the_shop_is_in_shanghai_unless_told_and_a_zone_must_be_a_known_iana_name() {
    assert_eq!(
        resolve("").unwrap().timezone.iana_name(),
        Some("Asia/Shanghai")
    );
    let berlin = resolve("timezone = \"Europe/Berlin\"").unwrap().timezone;
    assert_eq!(berlin.iana_name(), Some("Europe/Berlin"));
    for bad in ["Mars/Olympus", "", "+08:00", "Asia/Shanghai "] {
        refused(&format!("timezone = {bad:?}"), "timezone: must be");
    }
}

#[test]
fn the_clock_starts_now_unless_told_an_rfc_3339_instant() {
    assert_eq!(resolve("").unwrap().clock_start_ms, None);
    let at = resolve("clock_start = \"2026-11-24T23:50:00+08:00\"").unwrap();
    assert_eq!(at.clock_start_ms, Some(1_795_535_400_000));
    refused("clock_start = \"yesterday\"", "clock_start: must be");
}

#[test]
fn the_defaults_and_every_built_in_category_pass_the_checks() {
    let config = resolve("").unwrap();
    assert_eq!(config.alerts, AlertConfig::default());
    assert_eq!(config.hold_ttl_ms, HOLD_TTL_SECS_DEFAULT * 1000);
    assert_eq!(config.order_retention_ms, 7 * 24 * 3_600_000, "a week");
    check_thresholds("alerts.shop", &Thresholds::default()).unwrap();
}

#[test]
fn an_infinite_or_nan_threshold_is_refused_naming_its_table_and_key() {
    for (key, _, _) in threshold_bounds(&Thresholds::default()) {
        for bad in ["inf", "-inf", "nan"] {
            for table in [
                "alerts.shop",
                "alerts.categories.food",
                "alerts.categories.toys",
            ] {
                let toml_text = format!("[{table}]\n{key} = {bad}\n");
                let err = refused(&toml_text, &format!("{table}.{key}: must be finite, got "));
                assert!(
                    err.to_lowercase().ends_with(bad.trim_start_matches('-')),
                    "{err}"
                );
            }
        }
    }
    refused(
        "[alerts.categories.food]\nturnover_days = inf\n",
        "alerts.categories.food.turnover_days: must be finite, got inf",
    );
}

#[test]
fn a_threshold_outside_its_bound_is_refused_naming_its_key() {
    for (toml_text, start) in [
        (
            "level1_pct = 101",
            "alerts.shop.level1_pct: must be between 0 and 100",
        ),
        (
            "sell_through_pct = -1",
            "alerts.shop.sell_through_pct: must be between 0 and 100",
        ),
        (
            "hysteresis_pct = 150",
            "alerts.shop.hysteresis_pct: must be between 0 and 100",
        ),
        (
            "surge_factor = 0",
            "alerts.shop.surge_factor: must be above 0, got 0",
        ),
        (
            "turnover_days = -3",
            "alerts.shop.turnover_days: must be above 0, got -3",
        ),
        (
            "sellout_minutes = 0",
            "alerts.shop.sellout_minutes: must be above 0",
        ),
        (
            "movement_window_minutes = -1",
            "alerts.shop.movement_window_minutes: must be above 0",
        ),
        (
            "slow_mover_days = 0",
            "alerts.shop.slow_mover_days: must be above 0",
        ),
        (
            "fading_peak_min_per_min = -2",
            "alerts.shop.fading_peak_min_per_min: must be above 0",
        ),
        (
            "turnover_min_age_days = -1",
            "alerts.shop.turnover_min_age_days: must be at least 0",
        ),
    ] {
        refused(&format!("[alerts.shop]\n{toml_text}\n"), start);
    }
    let at_once = resolve("[alerts.shop]\nturnover_min_age_days = 0\nlevel3_pct = 0\n");
    assert!(at_once.is_ok(), "{at_once:?}");
}

#[test]
fn the_stock_tiers_must_go_level3_then_level2_then_level1() {
    refused(
        "[alerts.shop]\nlevel2_pct = 30\n",
        "alerts.shop.level2_pct: must be at most level1_pct (20)",
    );
    refused(
        "[alerts.categories.food]\nlevel3_pct = 15\n",
        "alerts.categories.food.level3_pct: must be at most level2_pct (10)",
    );
    // A category starts from the shop's values, so its own tier is checked against them.
    refused(
        "[alerts.shop]\nlevel1_pct = 30\n[alerts.categories.toys]\nlevel1_pct = 8\n",
        "alerts.categories.toys.level2_pct: must be at most level1_pct (8)",
    );
    let equal = resolve("[alerts.shop]\nlevel1_pct = 10\nlevel2_pct = 10\nlevel3_pct = 10\n");
    assert!(equal.is_ok(), "{equal:?}");
}

#[test]
fn a_fading_hit_must_re_arm_above_the_line_it_fades_below() {
    refused(
        "[alerts.shop]\nfading_pct = 50\nfading_rearm_pct = 40\n",
        "alerts.shop.fading_rearm_pct: must be at least fading_pct (50)",
    );
}

#[test]
fn the_integers_are_refused_outside_their_range_naming_the_key() {
    for (toml_text, start) in [
        (
            "hold_ttl_secs = 0",
            "hold_ttl_secs: must be between 1 and 604800 seconds",
        ),
        (
            "hold_ttl_secs = -5",
            "hold_ttl_secs: must be between 1 and 604800",
        ),
        (
            "hold_ttl_secs = 604801",
            "hold_ttl_secs: must be between 1 and 604800",
        ),
        (
            "snapshot_every_records = 0",
            "snapshot_every_records: must be between 1 and",
        ),
        (
            "order_retention_hours = 0",
            "order_retention_hours: must be between 1 and 8784 hours",
        ),
        (
            "order_retention_hours = -168",
            "order_retention_hours: must be between 1 and 8784",
        ),
        (
            "slot_minutes_default = 0",
            "slot_minutes_default: must be between 1 and 1440 minutes",
        ),
        (
            "snapshot_every_records = -1",
            "snapshot_every_records: must be between 1 and",
        ),
        (
            "feed_tick_ms = 5",
            "feed_tick_ms: must be between 10 and 10000 milliseconds",
        ),
        (
            "feed_tick_ms = 10001",
            "feed_tick_ms: must be between 10 and 10000",
        ),
    ] {
        refused(toml_text, start);
    }
    let config =
        resolve("hold_ttl_secs = 1\nsnapshot_every_records = 97\nfeed_tick_ms = 40").unwrap();
    assert_eq!(
        (
            config.hold_ttl_ms,
            config.snapshot_every_records,
            config.feed_tick_ms
        ),
        (1000, 97, 40)
    );
}

#[test]
fn a_listening_address_needs_a_host_and_a_port_that_fits_in_16_bits() {
    for bad in [
        "127.0.0.1:99999",
        "127.0.0.1",
        ":8080",
        "127.0.0.1:-1",
        "127.0.0.1:x",
    ] {
        refused(&format!("listen = {bad:?}"), "listen: must be HOST:PORT");
        let args = ServeArgs {
            listen: Some(bad.to_owned()),
            ..ServeArgs::default()
        };
        let err = Config::from_file(&args, FileConfig::default()).unwrap_err();
        assert!(err.starts_with("listen: "), "{err}");
    }
    for good in ["127.0.0.1:0", "[::1]:8080", "localhost:65535"] {
        assert_eq!(resolve(&format!("listen = {good:?}")).unwrap().listen, good);
    }
}

#[test]
fn a_short_token_in_the_file_is_refused_naming_its_key() {
    refused(
        "[tokens]\nviewer = \"short\"\n",
        "tokens.viewer: the viewer token must have at least 8 characters",
    );
}

#[test]
fn the_overlay_shows_no_end_card_unless_the_file_asks_and_only_a_boolean_is_taken() {
    assert!(!resolve("").unwrap().overlay_end_card);
    assert!(
        resolve("[overlay]\nend_card = true\n")
            .unwrap()
            .overlay_end_card
    );
    assert!(
        !resolve("[overlay]\nend_card = false\n")
            .unwrap()
            .overlay_end_card
    );
    let e = resolve("[overlay]\nend_card = \"yes\"\n").unwrap_err();
    assert!(e.contains("end_card"), "{e}");
    let e = resolve("[overlay]\nend_kard = true\n").unwrap_err();
    assert!(e.contains("end_kard"), "{e}");
}

fn secrets(toml_text: &str, env: &[(&str, &str)]) -> Result<BTreeMap<String, String>, String> {
    let file: FileConfig = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    resolve_channel_secrets(file.channel_secrets, env.collect())
}

#[test]
fn channel_secrets_come_from_the_file_and_the_environment_wins() {
    let got = secrets(
        "[channel_secrets]\nDouyin = \"from-file\"\ntaobao = \"tb-file\"\n",
        &[("LIVESTOCK_CHANNEL_SECRET_DOUYIN", "from-env")],
    )
    .unwrap();
    let want = [("douyin", "from-env"), ("taobao", "tb-file")];
    assert_eq!(got, BTreeMap::from(want.map(|(c, s)| (c.into(), s.into()))));
    assert!(
        secrets("", &[]).unwrap().is_empty(),
        "no secret unless told"
    );
}

#[test]
fn an_empty_channel_secret_is_refused_naming_its_key() {
    for (toml_text, env, key) in [
        (
            "[channel_secrets]\ndouyin = \"\"",
            vec![],
            "channel_secrets.douyin",
        ),
        (
            "[channel_secrets]\ndouyin = \"  \"",
            vec![],
            "channel_secrets.douyin",
        ),
        (
            "",
            vec![("LIVESTOCK_CHANNEL_SECRET_KUAISHOU", "")],
            "LIVESTOCK_CHANNEL_SECRET_KUAISHOU",
        ),
    ] {
        let err = secrets(toml_text, &env).expect_err(toml_text);
        assert_eq!(
            err,
            format!("{key}: the channel's secret must not be empty")
        );
    }
}

#[test]
fn a_channel_secret_for_a_name_no_push_could_carry_or_named_twice_is_refused() {
    let err = secrets("", &[("LIVESTOCK_CHANNEL_SECRET_", "s3cret")]).unwrap_err();
    assert!(err.starts_with("LIVESTOCK_CHANNEL_SECRET_: the channel name must have 1 to 32"));
    let long = "x".repeat(33);
    let err = secrets(&format!("[channel_secrets]\n{long} = \"s\""), &[]).unwrap_err();
    assert!(err.starts_with(&format!("channel_secrets.{long}: the channel name")));
    let err = secrets("[channel_secrets]\nDOUYIN = \"a\"\ndouyin = \"b\"", &[]).unwrap_err();
    assert_eq!(
        err,
        "channel_secrets.douyin: channel_secrets.DOUYIN already names channel douyin"
    );
}

#[test]
fn the_signature_window_is_five_minutes_unless_told_and_within_a_day() {
    assert_eq!(resolve("").unwrap().signatures.tolerance_secs(), 300);
    let told = resolve("signature_tolerance_secs = 30").unwrap();
    assert_eq!(told.signatures.tolerance_secs(), 30);
    for bad in ["0", "-5", "86401"] {
        refused(
            &format!("signature_tolerance_secs = {bad}"),
            "signature_tolerance_secs: must be",
        );
    }
}

#[test]
fn rate_limits_default_per_api_md_and_a_role_table_overrides_its_keys() {
    use crate::web::ratelimit::{BURST_DEFAULT, Limit, PER_SECOND_DEFAULT};
    let limited = Some(Limit {
        per_second: PER_SECOND_DEFAULT,
        burst: BURST_DEFAULT,
    });
    let c = resolve("").unwrap();
    assert_eq!(c.rate_limits.of(Role::Viewer), limited);
    assert_eq!(c.rate_limits.of(Role::Overlay), limited);
    assert_eq!(c.rate_limits.of(Role::Warehouse), limited);
    assert_eq!(c.rate_limits.of(Role::Ingest), None);
    assert_eq!(c.rate_limits.of(Role::Admin), None);

    let c = resolve("[rate_limits.viewer]\nburst = 300\n[rate_limits.overlay]\nper_second = 0\n")
        .unwrap();
    assert_eq!(
        c.rate_limits.of(Role::Viewer),
        Some(Limit {
            per_second: PER_SECOND_DEFAULT,
            burst: 300
        })
    );
    assert_eq!(c.rate_limits.of(Role::Overlay), None, "0 is unlimited");
    let c = resolve("[rate_limits.ingest]\nper_second = 5000\n").unwrap();
    assert_eq!(
        c.rate_limits.of(Role::Ingest),
        Some(Limit {
            per_second: 5000,
            burst: BURST_DEFAULT
        })
    );
}

#[test]
fn a_rate_limit_for_no_role_or_out_of_range_is_refused_naming_its_key() {
    refused(
        "[rate_limits.screens]\nper_second = 5\n",
        "rate_limits.screens: not a role",
    );
    refused(
        "[rate_limits.viewer]\nper_second = -1\n",
        "rate_limits.viewer.per_second: must be between 0",
    );
    refused(
        "[rate_limits.viewer]\nburst = 0\n",
        "rate_limits.viewer.burst: must be between 1",
    );
    let e = resolve("[rate_limits.viewer]\nrate = 5\n").unwrap_err();
    assert!(e.contains("rate"), "{e}");
}

#[test]
fn websocket_limits_default_to_the_named_constants_and_a_key_overrides_its_own() {
    use crate::web::ws::limits::WsLimits;
    assert_eq!(resolve("").unwrap().websocket, WsLimits::default());
    let c = resolve(
        "[websocket]\nmessages_per_second = 2\nmessage_burst = 5\nconnections_per_token_max = 3\n",
    )
    .unwrap();
    assert_eq!(
        c.websocket,
        WsLimits {
            messages_per_second: 2,
            message_burst: 5,
            per_token_max: 3,
            ..WsLimits::default()
        }
    );
    refused(
        "[websocket]\nmessage_burst = 0\n",
        "websocket.message_burst: must be between 1",
    );
    refused(
        "[websocket]\nconnections_max = -1\n",
        "websocket.connections_max: must be between 1",
    );
    let unknown = refused("[websocket]\nframes = 1\n", "");
    assert!(unknown.contains("frames"), "{unknown}");
}

#[test]
fn the_cluster_flags_are_checked_with_the_flag_named() {
    let resolve = |args: ServeArgs| Config::from_file(&args, FileConfig::default());
    let nats = |s: &str| ServeArgs {
        journal: Some(s.to_owned()),
        shop: Some("hoodies".to_owned()),
        ..ServeArgs::default()
    };
    let err = resolve(ServeArgs {
        shop: Some("hoodies".to_owned()),
        ..ServeArgs::default()
    })
    .unwrap_err();
    assert!(err.starts_with("shop: only with --journal"), "{err}");
    for bad in [
        "127.0.0.1:4222",
        "nats://127.0.0.1",
        "nats://:4222",
        "nats://a:1,http://b:2",
    ] {
        let err = resolve(nats(bad)).unwrap_err();
        assert!(err.starts_with("journal: "), "{bad}: {err}");
    }
    let err = resolve(ServeArgs {
        journal: Some("nats://127.0.0.1:4222".to_owned()),
        ..ServeArgs::default()
    })
    .unwrap_err();
    assert!(err.starts_with("shop: "), "{err}");
    let err = resolve(ServeArgs {
        advertise: Some("node-a:8080".to_owned()),
        ..nats("nats://127.0.0.1:4222")
    })
    .unwrap_err();
    assert!(err.starts_with("advertise: "), "{err}");

    let one = resolve(nats("nats://127.0.0.1:4222"))
        .unwrap()
        .cluster
        .unwrap();
    assert_eq!((one.servers.len(), one.replicas), (1, 1));
    let three = resolve(nats("nats://a:4222, nats://b:4222,nats://c:4222"))
        .unwrap()
        .cluster
        .unwrap();
    assert_eq!(
        three.servers,
        ["nats://a:4222", "nats://b:4222", "nats://c:4222"]
    );
    assert_eq!(three.replicas, 3, "R3 on a cluster");
    assert_eq!(resolve(ServeArgs::default()).unwrap().cluster, None);
}
