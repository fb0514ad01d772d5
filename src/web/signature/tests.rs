//! The signature check on its own: every way a signature can be wrong, and the batch rule.

use super::*;
use axum::http::HeaderValue;

const NOW: i64 = 1_795_535_400;

fn signatures() -> Signatures {
    let secrets = [("douyin", "dy-secret-1"), ("kuaishou", "ks-secret-2")]
        .map(|(c, s)| (c.to_owned(), s.to_owned()));
    Signatures::new(BTreeMap::from(secrets), TOLERANCE_SECS_DEFAULT)
}

fn headers(value: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(SIGNATURE_HEADER, HeaderValue::from_str(value).unwrap());
    h
}

#[track_caller]
fn refused(channels: &[&str], h: &HeaderMap, body: &[u8], now: i64) -> String {
    let e = signatures()
        .verify(channels.iter().copied(), h, body, now)
        .expect_err("a bad signature is refused");
    assert_eq!(e.status, StatusCode::UNAUTHORIZED);
    assert_eq!(e.code, "bad_signature");
    assert_eq!(e.field.as_deref(), Some(SIGNATURE_HEADER));
    e.message
}

#[test]
fn a_body_signed_with_its_channels_secret_inside_the_window_passes() {
    let body = br#"{"channel":"douyin"}"#;
    for t in [NOW, NOW - 300, NOW + 300] {
        let h = headers(&sign(b"dy-secret-1", t, body));
        signatures().verify(["douyin"], &h, body, NOW).unwrap();
    }
}

#[test]
fn the_channels_name_is_matched_whatever_its_case_or_spaces() {
    let body = b"{}";
    let h = headers(&sign(b"dy-secret-1", NOW, body));
    signatures().verify([" DouYin "], &h, body, NOW).unwrap();
    let msg = refused(&["DOUYIN"], &HeaderMap::new(), body, NOW);
    assert!(msg.contains("missing"), "{msg}");
}

#[test]
fn a_channel_without_a_secret_needs_no_signature() {
    signatures()
        .verify(["taobao", "offline"], &HeaderMap::new(), b"{}", NOW)
        .unwrap();
}

#[test]
fn a_wrong_secret_a_tampered_body_or_another_t_does_not_match() {
    let body = br#"{"qty":1}"#;
    let wrong_secret = headers(&sign(b"ks-secret-2", NOW, body));
    assert!(refused(&["douyin"], &wrong_secret, body, NOW).contains("does not match"));
    let signed = headers(&sign(b"dy-secret-1", NOW, body));
    assert!(refused(&["douyin"], &signed, br#"{"qty":9}"#, NOW).contains("does not match"));
    let v1 = sign(b"dy-secret-1", NOW, body);
    let moved = v1.replace(&format!("t={NOW}"), &format!("t={}", NOW - 1));
    assert!(refused(&["douyin"], &headers(&moved), body, NOW).contains("does not match"));
}

#[test]
fn a_t_outside_the_window_either_way_is_refused_before_the_mac() {
    let body = b"{}";
    for (t, word) in [(NOW - 301, "old"), (NOW + 301, "ahead")] {
        let h = headers(&sign(b"dy-secret-1", t, body));
        let msg = refused(&["douyin"], &h, body, NOW);
        assert!(msg.contains("301 s") && msg.contains(word), "{msg}");
    }
}

#[test]
fn a_malformed_header_is_refused_saying_what_is_wrong() {
    let body = b"{}";
    let good = sign(b"dy-secret-1", NOW, body);
    let v1 = good.split_once(",v1=").unwrap().1.to_owned();
    for (value, says) in [
        ("", "not key=value"),
        ("garbage", "not key=value"),
        (&format!("v1={v1}") as &str, "t=UNIX_SECONDS is missing"),
        (&format!("t={NOW}"), "v1=HEX is missing"),
        (&format!("t=-{NOW},v1={v1}"), "whole seconds"),
        (&format!("t=1e9,v1={v1}"), "whole seconds"),
        (&format!("t={NOW},t={NOW},v1={v1}"), "twice"),
        (&format!("t={NOW},v1={}", &v1[..62]), "64 hex digits"),
        (&format!("t={NOW},v1={}zz", &v1[..62]), "64 hex digits"),
    ] {
        let msg = refused(&["douyin"], &headers(value), body, NOW);
        assert!(msg.contains(says), "{value:?}: {msg}");
    }
}

#[test]
fn one_of_several_v1_matching_passes_while_a_secret_is_rotated() {
    let body = b"{}";
    let old = sign(b"old-secret", NOW, body);
    let new = sign(b"dy-secret-1", NOW, body);
    let both = format!("{old},v1={}", new.split_once(",v1=").unwrap().1);
    signatures()
        .verify(["douyin"], &headers(&both), body, NOW)
        .unwrap();
}

#[test]
fn a_batch_of_two_signed_channels_is_refused_even_with_one_good_signature() {
    let body = b"[]";
    let h = headers(&sign(b"dy-secret-1", NOW, body));
    let msg = refused(&["douyin", "taobao", "kuaishou"], &h, body, NOW);
    assert!(msg.contains("douyin and kuaishou"), "{msg}");
    let mixed = ["douyin", "taobao", "DOUYIN"];
    signatures()
        .verify(mixed, &h, body, NOW)
        .expect("one signed channel, in any spelling, and unsigned ones");
}

#[test]
fn the_channels_of_a_push_are_read_without_parsing_its_events() {
    let one = br#" {"channel": "douyin", "lines": [{"qty": "not checked here"}]}"#;
    assert_eq!(channels_of(one), Some(vec!["douyin".to_owned()]));
    let many = br#"[{"channel":"a"},{"order_id":"x"},{"channel":"b"}]"#;
    assert_eq!(
        channels_of(many),
        Some(vec!["a".to_owned(), "b".to_owned()])
    );
    for bad in [
        &b"nope"[..],
        b"{\"channel\": 5}",
        b"[1]",
        b"",
        b"\"douyin\"",
    ] {
        assert_eq!(channels_of(bad), None, "{}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn debug_names_the_channels_and_never_a_secret() {
    let shown = format!("{:?}", signatures());
    assert!(
        shown.contains("douyin") && !shown.contains("dy-secret-1"),
        "{shown}"
    );
}
