//! Record framing: `len: u32 LE | crc32: u32 LE | payload`, and telling a torn end from damage.

/// Bytes before each payload.
pub const HEADER_BYTES: usize = 8;

/// How the bytes after the last good frame look.
#[derive(Debug, PartialEq, Eq)]
pub enum Tail {
    /// Nothing follows the last good frame.
    Clean,
    /// A bad frame (incomplete, or with a wrong checksum) with no good frame after it, or zeros:
    /// a write cut short by a crash.
    Torn { offset: u64 },
    /// A bad frame with a good frame after it, or an impossible one: damage.
    Corrupt { offset: u64, why: String },
}

/// Appends one frame whose payload `write` produces.
pub fn encode_with(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER_BYTES]);
    write(out);
    let payload = &out[start + HEADER_BYTES..];
    let len = u32::try_from(payload.len()).expect("a frame's payload fits in 4 GiB");
    let crc = crc32fast::hash(payload);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// Splits `bytes` into `(offset, payload)` frames up to the first bad one, and says what follows.
pub fn split(bytes: &[u8], payload_bytes_max: u32) -> (Vec<(u64, &[u8])>, Tail) {
    let mut frames = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let offset = at as u64;
        let rest = &bytes[at..];
        // A crash can leave the file longer than what was written, filled with zeros.
        if rest.iter().all(|b| *b == 0) || rest.len() < HEADER_BYTES {
            return (frames, Tail::Torn { offset });
        }
        let len = u32::from_le_bytes(rest[0..4].try_into().expect("4 bytes"));
        let crc = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes"));
        if len > payload_bytes_max {
            let why =
                format!("a record claims {len} bytes, more than the {payload_bytes_max} allowed");
            return (frames, Tail::Corrupt { offset, why });
        }
        let end = HEADER_BYTES + len as usize;
        // A bad frame is a torn write only when nothing good follows it: a damaged length can also
        // claim to run past the end, and cutting there would drop the acknowledged records after it.
        let torn_or_corrupt = |why: &str| {
            if holds_a_frame(&rest[1..], payload_bytes_max) {
                let why = format!("{why}, and good records follow it");
                Tail::Corrupt { offset, why }
            } else {
                Tail::Torn { offset }
            }
        };
        if rest.len() < end {
            return (
                frames,
                torn_or_corrupt("a record runs past the end of the file"),
            );
        }
        let payload = &rest[HEADER_BYTES..end];
        if crc32fast::hash(payload) != crc {
            let why = "a record's checksum does not match its bytes";
            return (frames, torn_or_corrupt(why));
        }
        frames.push((offset, payload));
        at += end;
    }
    (frames, Tail::Clean)
}

/// Whether a complete, non-empty frame with a good checksum starts anywhere in `bytes`.
fn holds_a_frame(bytes: &[u8], payload_bytes_max: u32) -> bool {
    (0..bytes.len().saturating_sub(HEADER_BYTES)).any(|at| {
        let rest = &bytes[at..];
        let len = u32::from_le_bytes(rest[0..4].try_into().expect("4 bytes"));
        let crc = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes"));
        let end = HEADER_BYTES.saturating_add(len as usize);
        len > 0
            && len <= payload_bytes_max
            && rest.len() >= end
            && crc32fast::hash(&rest[HEADER_BYTES..end]) == crc
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Vec<u8> {
        let mut out = Vec::new();
        for p in [&b"one"[..], b"two", b"three"] {
            encode_with(&mut out, |b| b.extend_from_slice(p));
        }
        out
    }

    #[test]
    fn frames_round_trip() {
        let bytes = three();
        let (frames, tail) = split(&bytes, 1024);
        let payloads: Vec<&[u8]> = frames.iter().map(|(_, p)| *p).collect();
        assert_eq!(payloads, vec![&b"one"[..], b"two", b"three"]);
        assert_eq!(tail, Tail::Clean);
    }

    #[test]
    fn every_cut_inside_the_last_frame_is_a_torn_tail() {
        let bytes = three();
        let last_start = bytes.len() - (HEADER_BYTES + 5);
        for cut in last_start + 1..bytes.len() {
            let (frames, tail) = split(&bytes[..cut], 1024);
            assert_eq!(frames.len(), 2, "cut at {cut}");
            assert_eq!(
                tail,
                Tail::Torn {
                    offset: last_start as u64
                },
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn zeros_after_the_last_frame_are_a_torn_tail() {
        let mut bytes = three();
        let end = bytes.len() as u64;
        bytes.extend_from_slice(&[0; 100]);
        assert_eq!(split(&bytes, 1024).1, Tail::Torn { offset: end });
    }

    #[test]
    fn a_flipped_bit_in_the_middle_is_damage_not_a_torn_tail() {
        let mut bytes = three();
        bytes[HEADER_BYTES] ^= 1;
        let (frames, tail) = split(&bytes, 1024);
        assert!(frames.is_empty());
        assert!(matches!(tail, Tail::Corrupt { offset: 0, .. }), "{tail:?}");
    }

    #[test]
    fn a_flipped_bit_in_the_last_frame_is_a_torn_tail() {
        let mut bytes = three();
        let n = bytes.len();
        bytes[n - 1] ^= 1;
        let (frames, tail) = split(&bytes, 1024);
        assert_eq!(frames.len(), 2);
        assert!(matches!(tail, Tail::Torn { .. }));
    }
}
