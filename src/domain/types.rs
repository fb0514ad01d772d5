//! Value types that cannot be wrong: every input is parsed into one of these at the edge, so the pool
//! never sees a negative quantity, an empty name or a malformed SKU code.

use compact_str::CompactString;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// The longest SKU code a channel may send (API.md: 1–64 characters).
pub const SKU_CODE_LEN_MAX: usize = 64;

/// The longest room id (API.md "Rooms": same alphabet as SKU codes).
pub const ROOM_ID_LEN_MAX: usize = 64;

/// A code of 1–`$max` characters of `A-Z a-z 0-9 . _ -`, parsed at the edge, shown as is.
macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(CompactString);

        impl $name {
            /// Parses a code, saying what is wrong with it when it is not one.
            pub fn parse(raw: &str) -> Result<Self, String> {
                if raw.is_empty() || raw.len() > $max {
                    return Err(format!(concat!($what, " has 1 to {} characters"), $max));
                }
                if !raw
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
                {
                    return Err(concat!($what, " may hold only A-Z a-z 0-9 . _ -").to_owned());
                }
                Ok(Self(CompactString::new(raw)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&raw).map_err(de::Error::custom)
            }
        }
    };
}

code_type!(
    /// A SKU code: 1–64 of `A-Z a-z 0-9 . _ -`.
    SkuCode,
    "a SKU code",
    SKU_CODE_LEN_MAX
);

code_type!(
    /// A live room (直播间) id such as `dy-main`: 1–64 of `A-Z a-z 0-9 . _ -`.
    RoomId,
    "a room id",
    ROOM_ID_LEN_MAX
);

/// The room every plain `/api/v1/show…` endpoint means: a one-room shop never meets rooms.
pub const MAIN_ROOM: &str = "main";

impl RoomId {
    /// The default room, `main`.
    pub fn main() -> Self {
        RoomId(CompactString::const_new(MAIN_ROOM))
    }

    pub fn is_main(&self) -> bool {
        self.0 == MAIN_ROOM
    }
}

impl Default for RoomId {
    fn default() -> Self {
        RoomId::main()
    }
}

/// An integer in `MIN..=MAX`. The bounds are part of the type, so a quantity that reached the pool is
/// known to be in range and sums of them cannot overflow an `i64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Int<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    pub fn new(value: i64) -> Result<Self, String> {
        if (MIN..=MAX).contains(&value) {
            Ok(Self(value))
        } else {
            Err(format!("must be between {MIN} and {MAX}, got {value}"))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl<const MIN: i64, const MAX: i64> Serialize for Int<MIN, MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(i64::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// The most units of one SKU the pool can hold in any bucket.
pub const STOCK_UNITS_MAX: i64 = 1_000_000_000;
/// The most units of one SKU a single order line or movement may move.
pub const LINE_UNITS_MAX: i64 = 1_000_000;
/// The highest unit price, in cents (100 million yuan).
pub const PRICE_CENTS_MAX: i64 = 10_000_000_000;

/// Units in a bucket: 0 to a billion.
pub type Units = Int<0, STOCK_UNITS_MAX>;
/// Units one order line or movement moves: 1 to a million.
pub type Qty = Int<1, LINE_UNITS_MAX>;
/// A signed correction of units (an `adjust` movement).
pub type Delta = Int<{ -LINE_UNITS_MAX }, LINE_UNITS_MAX>;
/// A price in integer cents.
pub type Cents = Int<0, PRICE_CENTS_MAX>;
/// A per-buyer limit: at least one unit.
pub type Limit = Int<1, LINE_UNITS_MAX>;

/// A trimmed-free string of `MIN..=MAX` characters without control characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<const MIN: usize, const MAX: usize>(CompactString);

impl<const MIN: usize, const MAX: usize> Text<MIN, MAX> {
    pub fn new(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < MIN || chars > MAX {
            return Err(format!("must have {MIN} to {MAX} characters, got {chars}"));
        }
        if raw.chars().any(char::is_control) {
            return Err("must not hold control characters".to_owned());
        }
        if MIN > 0 && raw.trim().is_empty() {
            return Err("must not be blank".to_owned());
        }
        Ok(Self(CompactString::new(raw)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether two texts name the same thing, ignoring case and surrounding spaces.
    pub fn same_as(&self, other: &Self) -> bool {
        self.0.trim().to_lowercase() == other.0.trim().to_lowercase()
    }
}

impl<const MIN: usize, const MAX: usize> Serialize for Text<MIN, MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const MIN: usize, const MAX: usize> Deserialize<'de> for Text<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::new(&raw).map_err(de::Error::custom)
    }
}

/// The most characters (Unicode scalar values) of a product name.
pub const NAME_CHARS_MAX: usize = 200;
/// The most characters of a category.
pub const CATEGORY_CHARS_MAX: usize = 64;
/// The most characters of an identifier: an order id, a buyer, a person, a zone, a batch.
pub const IDENT_CHARS_MAX: usize = 128;
/// The most characters of a free-text reason or address part.
pub const NOTE_CHARS_MAX: usize = 500;

/// A product name as shown on every screen.
pub type Name = Text<1, NAME_CHARS_MAX>;
/// A category such as `apparel` or `food` (per-category thresholds key on it).
pub type Category = Text<1, CATEGORY_CHARS_MAX>;
/// A channel's name, a channel's order id, a buyer id, a person: short identifiers.
pub type Ident = Text<1, IDENT_CHARS_MAX>;
/// A free-text reason or address part.
pub type Note = Text<0, NOTE_CHARS_MAX>;

/// A moment as milliseconds since the Unix epoch, read from RFC 3339 on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_rfc3339(self.0))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_rfc3339(&raw)
            .map(Timestamp)
            .map_err(de::Error::custom)
    }
}

/// Parses an RFC 3339 time such as `2026-11-24T20:01:02.123+08:00` into epoch milliseconds.
pub fn parse_rfc3339(raw: &str) -> Result<i64, String> {
    let t = time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time ({e})"))?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|_| "time out of range".to_owned())
}

/// Formats epoch milliseconds as RFC 3339 in UTC.
pub fn format_rfc3339(ms: i64) -> String {
    format_rfc3339_at(ms, time::UtcOffset::UTC)
}

/// Formats epoch milliseconds as RFC 3339 at `offset` (a channel in China stamps +08:00).
pub fn format_rfc3339_at(ms: i64, offset: time::UtcOffset) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .map(|t| t.to_offset(offset))
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_codes_accept_the_documented_alphabet_only() {
        assert!(SkuCode::parse("HOODIE-BLK-L_2.0").is_ok());
        assert!(SkuCode::parse("").is_err());
        assert!(SkuCode::parse("bad code!").is_err());
        assert!(SkuCode::parse("卫衣").is_err());
        assert!(SkuCode::parse(&"A".repeat(64)).is_ok());
        assert!(SkuCode::parse(&"A".repeat(65)).is_err());
    }

    #[test]
    fn bounded_integers_refuse_values_outside_their_range() {
        assert!(Qty::new(0).is_err());
        assert!(Qty::new(-1).is_err());
        assert_eq!(Qty::new(5).map(Qty::get), Ok(5));
        assert!(serde_json::from_str::<Qty>("1.5").is_err());
        assert!(serde_json::from_str::<Qty>("99999999999999999999").is_err());
    }

    #[test]
    fn rfc3339_times_round_trip_through_milliseconds() {
        let ms = parse_rfc3339("2026-11-24T20:01:02.123+08:00").unwrap();
        assert_eq!(ms, 1_795_521_662_123);
        assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Ok(ms));
        assert!(parse_rfc3339("yesterday").is_err());
    }
}
