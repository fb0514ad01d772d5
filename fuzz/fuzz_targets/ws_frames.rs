//! The WebSocket frame path: a client's bytes on an open connection, read through the server's
//! tungstenite configuration, each text message parsed as a client frame, each read error mapped
//! to the Close code the server would send. Nothing may panic, and the code is one of RFC 6455's
//! that API.md names for what a client sends wrong.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livestock::web::ws::connection::close_code_for_client_bytes;

fuzz_target!(|bytes: &[u8]| {
    if let Some(code) = close_code_for_client_bytes(bytes) {
        assert!(
            [1002, 1003, 1007, 1009].contains(&code),
            "closed with {code}"
        );
    }
});
