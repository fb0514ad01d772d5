//! A WebSocket client by hand on a plain `TcpStream`: it writes the handshake and every frame byte
//! by byte, so a test can send what a good library never would (no mask, RSV bits, reserved
//! opcodes, bad lengths, bad UTF-8), and it reads the server's frames as they are on the wire.

use crate::common::*;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A well-formed `Sec-WebSocket-Key` (RFC 6455 4.1's example: the base64 of 16 bytes).
pub(crate) const GOOD_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// The masking key of every masked frame the client sends.
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
/// How long the client waits for any one read.
const READ_TIMEOUT_MS: u64 = 5_000;

pub(crate) const CONTINUATION: u8 = 0x0;
pub(crate) const TEXT: u8 = 0x1;
pub(crate) const CLOSE: u8 = 0x8;
pub(crate) const PING: u8 = 0x9;
pub(crate) const PONG: u8 = 0xA;

/// One frame to send: its header bits, opcode and payload, masked unless told otherwise.
#[derive(Clone, Debug)]
pub(crate) struct Out {
    pub(crate) fin: bool,
    /// The three RSV bits, as the header's bits 6..4 (`0b100` is RSV1).
    pub(crate) rsv: u8,
    pub(crate) opcode: u8,
    pub(crate) masked: bool,
    pub(crate) payload: Vec<u8>,
}

impl Out {
    /// A final, masked frame with no RSV bits: what a well-behaved client sends.
    pub(crate) fn new(opcode: u8, payload: impl Into<Vec<u8>>) -> Out {
        Out {
            fin: true,
            rsv: 0,
            opcode,
            masked: true,
            payload: payload.into(),
        }
    }

    pub(crate) fn text(text: &str) -> Out {
        Out::new(TEXT, text.as_bytes())
    }

    /// A Close frame carrying `code` and `reason` (RFC 6455 5.5.1).
    pub(crate) fn close(code: u16, reason: &[u8]) -> Out {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason);
        Out::new(CLOSE, payload)
    }

    pub(crate) fn fin(mut self, fin: bool) -> Out {
        self.fin = fin;
        self
    }

    /// The frame's bytes (RFC 6455 5.2).
    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut out = vec![(u8::from(self.fin) << 7) | (self.rsv << 4) | self.opcode];
        let mask_bit = u8::from(self.masked) << 7;
        let len = self.payload.len();
        if len < 126 {
            out.push(mask_bit | len as u8);
        } else if len <= usize::from(u16::MAX) {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
        if self.masked {
            out.extend_from_slice(&MASK);
            out.extend(
                self.payload
                    .iter()
                    .zip(MASK.iter().cycle())
                    .map(|(b, m)| b ^ m),
            );
        } else {
            out.extend_from_slice(&self.payload);
        }
        out
    }
}

/// A frame the server sent.
#[derive(Debug)]
pub(crate) struct In {
    pub(crate) fin: bool,
    pub(crate) opcode: u8,
    pub(crate) masked: bool,
    pub(crate) payload: Vec<u8>,
}

/// The server's answer to a handshake: its status line's code and its headers, names lowercased.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One raw connection to the server.
pub(crate) struct Raw {
    reader: BufReader<TcpStream>,
}

impl Raw {
    /// Connects and sends a `/ws` handshake as the viewer with `key` and `version` (a header is left
    /// out when `None`); returns the connection and the server's answer.
    pub(crate) fn handshake(
        s: &TestServer,
        key: Option<&str>,
        version: Option<&str>,
    ) -> (Raw, Answer) {
        let host = s.base.strip_prefix("http://").expect("an http base");
        let tcp = TcpStream::connect(host).unwrap_or_else(|e| panic!("connecting to {host}: {e}"));
        tcp.set_read_timeout(Some(Duration::from_millis(READ_TIMEOUT_MS)))
            .expect("a read timeout");
        let mut request = format!(
            "GET /ws?view=board&token={VIEWER} HTTP/1.1\r\nHost: {host}\r\n\
             Upgrade: websocket\r\nConnection: Upgrade\r\n"
        );
        if let Some(key) = key {
            request.push_str(&format!("Sec-WebSocket-Key: {key}\r\n"));
        }
        if let Some(version) = version {
            request.push_str(&format!("Sec-WebSocket-Version: {version}\r\n"));
        }
        request.push_str("\r\n");
        let mut raw = Raw {
            reader: BufReader::new(tcp),
        };
        raw.send_bytes(request.as_bytes());
        let answer = raw.answer();
        (raw, answer)
    }

    /// A connection past a good handshake.
    pub(crate) fn open(s: &TestServer) -> Raw {
        let (raw, answer) = Raw::handshake(s, Some(GOOD_KEY), Some("13"));
        assert_eq!(answer.status, 101, "the handshake: {:?}", answer.headers);
        raw
    }

    /// Reads the status line and headers of the server's HTTP answer.
    fn answer(&mut self) -> Answer {
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .expect("the status line of the answer");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("a status line: {line:?}"));
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("a header line");
            let header = line.trim_end();
            if header.is_empty() {
                return Answer { status, headers };
            }
            let (name, value) = header.split_once(':').expect("a header has a colon");
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
    }

    pub(crate) fn send_bytes(&mut self, bytes: &[u8]) {
        self.reader
            .get_mut()
            .write_all(bytes)
            .expect("writing to the server");
    }

    pub(crate) fn send(&mut self, frame: &Out) {
        self.send_bytes(&frame.bytes());
    }

    fn read_exact(&mut self, n: usize) -> Vec<u8> {
        let mut buf = vec![0; n];
        self.reader
            .read_exact(&mut buf)
            .unwrap_or_else(|e| panic!("reading {n} bytes of a frame: {e}"));
        buf
    }

    /// The server's next frame.
    pub(crate) fn frame(&mut self) -> In {
        let head = self.read_exact(2);
        let masked = head[1] & 0x80 != 0;
        let len = match head[1] & 0x7f {
            126 => u64::from(u16::from_be_bytes(self.read_exact(2).try_into().unwrap())),
            127 => u64::from_be_bytes(self.read_exact(8).try_into().unwrap()),
            n => u64::from(n),
        };
        let mask = if masked { self.read_exact(4) } else { vec![] };
        let mut payload = self.read_exact(len as usize);
        if masked {
            payload
                .iter_mut()
                .zip(mask.iter().cycle())
                .for_each(|(b, m)| *b ^= m);
        }
        In {
            fin: head[0] & 0x80 != 0,
            opcode: head[0] & 0x0f,
            masked,
            payload,
        }
    }

    /// The server's next whole data message (its frames joined), past any ping or pong; a Close
    /// fails the test.
    pub(crate) fn message(&mut self) -> Vec<u8> {
        let mut message = Vec::new();
        loop {
            let frame = self.frame();
            match frame.opcode {
                TEXT | CONTINUATION => {
                    message.extend(frame.payload);
                    if frame.fin {
                        return message;
                    }
                }
                CLOSE => panic!("a Close ({:?}) instead of a message", frame.payload),
                _ => {}
            }
        }
    }

    /// The server's next frame that is not part of a data message (the snapshot, diffs).
    pub(crate) fn control(&mut self) -> In {
        loop {
            let frame = self.frame();
            if !matches!(frame.opcode, CONTINUATION | TEXT) {
                return frame;
            }
        }
    }

    /// The code and reason of the server's Close frame, read past any data frames before it, once
    /// the server has also ended the TCP connection (a reset or more bytes fail the test).
    pub(crate) fn closed(&mut self) -> (Option<u16>, Vec<u8>) {
        let close = loop {
            let frame = self.control();
            if frame.opcode == CLOSE {
                break frame;
            }
            assert!(
                matches!(frame.opcode, PING | PONG),
                "a frame with opcode {:#x} before the Close",
                frame.opcode
            );
        };
        assert!(!close.masked, "a server's frame is never masked");
        assert!(close.fin, "a Close frame is never fragmented");
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => assert!(rest.is_empty(), "{} bytes after the Close", rest.len()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("the server kept TCP open after its Close frame")
            }
            Err(e) => panic!("TCP ended without a clean FIN after the Close: {e}"),
        }
        match close.payload.as_slice() {
            [] => (None, Vec::new()),
            [hi, lo, reason @ ..] => (Some(u16::from_be_bytes([*hi, *lo])), reason.to_vec()),
            [_] => panic!("a Close frame with a one-byte payload"),
        }
    }

    /// The code of the server's Close frame (see [`Raw::closed`]); fails on an empty Close.
    pub(crate) fn close_code(&mut self) -> u16 {
        let (code, reason) = self.closed();
        let code = code.expect("a Close frame with a code");
        assert!(
            std::str::from_utf8(&reason).is_ok(),
            "the server's close reason is UTF-8: {reason:?}"
        );
        code
    }
}
