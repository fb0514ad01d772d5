//! RFC 6455 to the letter (API.md "WebSocket `/ws`"), from a raw TCP client that sends what a good
//! library never would: each test asserts the exact Close code (or HTTP answer) the server gives,
//! and that the server then ends the TCP connection cleanly.

use crate::common::*;
use crate::raw::{CLOSE, CONTINUATION, GOOD_KEY, Out, PING, PONG, Raw, TEXT};

/// RFC 6455 7.4.1's codes as the server sends them.
const NORMAL: u16 = 1000;
const AWAY: u16 = 1001;
const PROTOCOL_ERROR: u16 = 1002;
const UNSUPPORTED_DATA: u16 = 1003;
const INVALID_DATA: u16 = 1007;
const TOO_BIG: u16 = 1009;

/// The largest message a client may send (API.md).
const CLIENT_MESSAGE_BYTES_MAX: usize = 4096;

/// A `resync` padded with spaces to exactly `len` bytes: JSON the server serves with a snapshot.
fn resync_of_len(len: usize) -> String {
    let resync = r#"{"type":"resync"}"#;
    format!("{resync}{}", " ".repeat(len - resync.len()))
}

/// Sends `frames` on a fresh connection and returns the code of the server's Close.
fn close_code_after(s: &TestServer, frames: &[Out]) -> u16 {
    let mut raw = Raw::open(s);
    for frame in frames {
        raw.send(frame);
    }
    raw.close_code()
}

/// Whether a message the server sent is a snapshot.
fn is_snapshot(message: &[u8]) -> bool {
    message.starts_with(br#"{"type":"snapshot""#)
}

/// A connection past its opening snapshot, so that a later snapshot answers the test's `resync`.
fn opened(s: &TestServer) -> Raw {
    let mut raw = Raw::open(s);
    assert!(
        is_snapshot(&raw.message()),
        "the connection opens with a snapshot"
    );
    raw
}

/// Reads messages until a snapshot (skipping diffs): the connection served the test's `resync`.
fn resync_served(raw: &mut Raw) {
    while !is_snapshot(&raw.message()) {}
}

// The closing handshake

#[test]
fn a_clients_close_1000_is_answered_with_a_close_1000_and_the_server_then_ends_tcp() {
    let s = TestServer::start();
    assert_eq!(close_code_after(&s, &[Out::close(NORMAL, b"bye")]), NORMAL);
}

#[test]
fn a_clients_close_with_any_valid_code_is_echoed_with_that_code() {
    let s = TestServer::start();
    for code in [1001, 1003, 1007, 1008, 1011, 3000, 3999, 4000, 4999] {
        assert_eq!(close_code_after(&s, &[Out::close(code, b"")]), code);
    }
}

#[test]
fn a_clients_empty_close_is_answered_with_an_empty_close() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    raw.send(&Out::new(CLOSE, []));
    assert_eq!(raw.closed(), (None, Vec::new()));
}

#[test]
fn a_ping_is_answered_with_a_pong_of_the_same_payload_and_the_connection_stays_open() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    raw.send(&Out::new(PING, *b"are you there"));
    let pong = raw.control();
    assert_eq!(pong.opcode, PONG, "{pong:?}");
    assert_eq!(pong.payload, b"are you there");
    raw.send(&Out::close(NORMAL, b""));
    assert_eq!(raw.close_code(), NORMAL);
}

#[test]
fn sigterm_closes_a_raw_connection_with_1001_and_then_ends_tcp() {
    let mut s = TestServer::start();
    let mut raw = Raw::open(&s);
    let status = s.terminate();
    assert!(status.success(), "exit {status:?}:\n{}", s.logs());
    assert_eq!(raw.close_code(), AWAY);
}

// Protocol errors: 1002

#[test]
fn an_unmasked_client_frame_is_closed_with_1002() {
    let s = TestServer::start();
    let unmasked = Out {
        masked: false,
        ..Out::text(r#"{"type":"resync"}"#)
    };
    assert_eq!(close_code_after(&s, &[unmasked]), PROTOCOL_ERROR);
}

#[test]
fn a_frame_with_any_rsv_bit_set_is_closed_with_1002() {
    let s = TestServer::start();
    for rsv in [0b100, 0b010, 0b001, 0b111] {
        let frame = Out {
            rsv,
            ..Out::text(r#"{"type":"resync"}"#)
        };
        assert_eq!(
            close_code_after(&s, &[frame]),
            PROTOCOL_ERROR,
            "rsv {rsv:03b}"
        );
        let ping = Out {
            rsv,
            ..Out::new(PING, [])
        };
        assert_eq!(
            close_code_after(&s, &[ping]),
            PROTOCOL_ERROR,
            "ping rsv {rsv:03b}"
        );
    }
}

#[test]
fn a_reserved_data_or_control_opcode_is_closed_with_1002() {
    let s = TestServer::start();
    for opcode in (0x3..=0x7).chain(0xB..=0xF) {
        let frame = Out::new(opcode, *b"what is this");
        assert_eq!(
            close_code_after(&s, &[frame]),
            PROTOCOL_ERROR,
            "opcode {opcode:#x}"
        );
    }
}

#[test]
fn a_control_frame_over_125_bytes_is_closed_with_1002_and_one_of_125_is_answered() {
    let s = TestServer::start();
    let mut raw = Raw::open(&s);
    raw.send(&Out::new(PING, vec![b'p'; 125]));
    assert_eq!(raw.control().payload.len(), 125, "the pong of 125 bytes");
    raw.send(&Out::new(PING, vec![b'p'; 126]));
    assert_eq!(raw.close_code(), PROTOCOL_ERROR);

    let pong = Out::new(PONG, vec![b'p'; 126]);
    assert_eq!(close_code_after(&s, &[pong]), PROTOCOL_ERROR, "a pong");
    let close = Out::close(NORMAL, &[b'r'; 124]);
    assert_eq!(close_code_after(&s, &[close]), PROTOCOL_ERROR, "a close");
}

#[test]
fn a_fragmented_control_frame_is_closed_with_1002() {
    let s = TestServer::start();
    for opcode in [PING, PONG, CLOSE] {
        let first = Out::new(opcode, *b"half").fin(false);
        let rest = Out::new(CONTINUATION, *b" of it");
        assert_eq!(
            close_code_after(&s, &[first, rest]),
            PROTOCOL_ERROR,
            "opcode {opcode:#x}"
        );
    }
}

#[test]
fn a_continuation_frame_with_no_message_started_is_closed_with_1002() {
    let s = TestServer::start();
    let final_one = Out::new(CONTINUATION, *b"orphan");
    assert_eq!(close_code_after(&s, &[final_one]), PROTOCOL_ERROR);
    let open_one = Out::new(CONTINUATION, *b"orphan").fin(false);
    assert_eq!(close_code_after(&s, &[open_one]), PROTOCOL_ERROR);
}

#[test]
fn a_new_data_frame_inside_a_fragmented_message_is_closed_with_1002() {
    let s = TestServer::start();
    let first = Out::text(r#"{"type":"#).fin(false);
    let text = Out::text(r#""resync"}"#);
    assert_eq!(close_code_after(&s, &[first.clone(), text]), PROTOCOL_ERROR);
    let binary = Out::new(0x2, *b"bytes");
    assert_eq!(close_code_after(&s, &[first, binary]), PROTOCOL_ERROR);
}

#[test]
fn a_ping_between_fragments_is_answered_and_the_message_is_served() {
    let s = TestServer::start();
    let mut raw = opened(&s);
    raw.send(&Out::text(r#"{"type":"#).fin(false));
    raw.send(&Out::new(PING, *b"mid"));
    raw.send(&Out::new(CONTINUATION, *br#""resync"}"#));
    assert_eq!(raw.control().payload, b"mid", "the pong");
    resync_served(&mut raw);
}

#[test]
fn a_close_with_an_invalid_code_is_answered_with_1002() {
    let s = TestServer::start();
    for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
        let close = Out::close(code, b"");
        assert_eq!(
            close_code_after(&s, &[close]),
            PROTOCOL_ERROR,
            "code {code}"
        );
    }
}

#[test]
fn a_close_with_a_one_byte_payload_is_closed_with_1002() {
    let s = TestServer::start();
    let close = Out::new(CLOSE, [0x03]);
    assert_eq!(close_code_after(&s, &[close]), PROTOCOL_ERROR);
}

// Invalid UTF-8: 1007

#[test]
fn a_text_message_that_is_not_utf8_is_closed_with_1007() {
    let s = TestServer::start();
    for bad in [
        &b"\xff"[..],
        b"caf\xc3",
        b"\xed\xa0\x80",
        b"\xc0\xaf",
        b"ok \xf4\x90\x80\x80",
    ] {
        let frame = Out::new(TEXT, bad);
        assert_eq!(close_code_after(&s, &[frame]), INVALID_DATA, "{bad:x?}");
    }
}

#[test]
fn invalid_utf8_split_across_fragments_is_closed_with_1007() {
    let s = TestServer::start();
    // κ is CE BA: its first byte ends one fragment, a byte that cannot follow it starts the next.
    let first = Out::new(TEXT, *b"\xce").fin(false);
    let rest = Out::new(CONTINUATION, *b"\x41 and more");
    assert_eq!(close_code_after(&s, &[first, rest]), INVALID_DATA);
    // Fail fast: a fragment with a byte that is never UTF-8 closes before the message ends.
    let first = Out::new(TEXT, *b"ok \xff").fin(false);
    assert_eq!(close_code_after(&s, &[first]), INVALID_DATA, "fail fast");
    // A message that ends inside a character.
    let first = Out::new(TEXT, *b"ok ").fin(false);
    let rest = Out::new(CONTINUATION, *b"\xe2\x82");
    assert_eq!(close_code_after(&s, &[first, rest]), INVALID_DATA);
}

#[test]
fn a_character_split_across_fragments_is_valid_and_the_message_is_served() {
    let s = TestServer::start();
    let mut raw = opened(&s);
    let text = r#"{"type":"resync","note":"κόσμε"}"#.as_bytes();
    let split = text.iter().position(|b| *b == 0xce).unwrap() + 1;
    raw.send(&Out::new(TEXT, &text[..split]).fin(false));
    raw.send(&Out::new(CONTINUATION, &text[split..]));
    resync_served(&mut raw);
}

#[test]
fn a_close_reason_that_is_not_utf8_is_closed_with_1007() {
    let s = TestServer::start();
    let close = Out::close(NORMAL, b"bye \xff\xfe");
    assert_eq!(close_code_after(&s, &[close]), INVALID_DATA);
}

// Size: 1009

#[test]
fn a_client_message_of_4096_bytes_is_served_and_one_of_4097_is_closed_with_1009() {
    let s = TestServer::start();
    let mut raw = opened(&s);
    raw.send(&Out::text(&resync_of_len(CLIENT_MESSAGE_BYTES_MAX)));
    resync_served(&mut raw);
    raw.send(&Out::text(&resync_of_len(CLIENT_MESSAGE_BYTES_MAX + 1)));
    assert_eq!(raw.close_code(), TOO_BIG);
}

#[test]
fn a_fragmented_client_message_over_4096_bytes_is_closed_with_1009() {
    let s = TestServer::start();
    let text = resync_of_len(CLIENT_MESSAGE_BYTES_MAX + 1);
    let (head, tail) = text.as_bytes().split_at(3_000);
    let first = Out::new(TEXT, head).fin(false);
    let rest = Out::new(CONTINUATION, tail);
    assert_eq!(close_code_after(&s, &[first, rest]), TOO_BIG);
}

// The handshake

#[test]
fn a_sec_websocket_key_that_is_not_the_base64_of_16_bytes_is_refused_400() {
    let s = TestServer::start();
    for key in [
        "",
        "dGhlIHNhbXBsZSBub25jZQ",       // no padding
        "AAAAAAAAAAAAAAAAAAAA",         // 15 bytes
        "AAAAAAAAAAAAAAAAAAAAAAA=",     // 17 bytes
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAA", // 21 bytes
        "dGhlIHNhbXBsZSBub25jZR==",     // 16 bytes, but bits past them set
        "dGhlIHNhbXBsZSBub25j!Q==",     // not the alphabet
        "the sample nonce",             // 16 bytes, not base64
    ] {
        let (_, answer) = Raw::handshake(&s, Some(key), Some("13"));
        assert_eq!(answer.status, 400, "key {key:?}");
    }
    let (_, answer) = Raw::handshake(&s, None, Some("13"));
    assert_eq!(answer.status, 400, "no key");
    let (_, answer) = Raw::handshake(&s, Some(GOOD_KEY), Some("13"));
    assert_eq!(answer.status, 101, "the good key");
    assert_eq!(
        answer.header("sec-websocket-accept"),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "RFC 6455 4.2.2's example"
    );
}

#[test]
fn a_wrong_sec_websocket_version_is_refused_400_naming_version_13() {
    let s = TestServer::start();
    for version in [Some("8"), Some("12"), Some("14"), Some("13, 8"), None] {
        let (_, answer) = Raw::handshake(&s, Some(GOOD_KEY), version);
        assert_eq!(answer.status, 400, "version {version:?}");
        assert_eq!(
            answer.header("sec-websocket-version"),
            Some("13"),
            "version {version:?}: {:?}",
            answer.headers
        );
    }
}

// Data the server does not take

#[test]
fn a_binary_message_is_closed_with_1003_unsupported_data() {
    let s = TestServer::start();
    let binary = Out::new(0x2, *br#"{"type":"resync"}"#);
    assert_eq!(close_code_after(&s, &[binary]), UNSUPPORTED_DATA);
}

#[test]
fn a_fragmented_binary_message_is_closed_with_1003_once_it_is_whole() {
    let s = TestServer::start();
    let first = Out::new(0x2, *b"half").fin(false);
    let last = Out::new(CONTINUATION, *b" and half");
    assert_eq!(close_code_after(&s, &[first, last]), UNSUPPORTED_DATA);
}
