//! The document's schemas of the shared scalars, the error body, the stock view and the document itself.

use serde_json::{Value, json};

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "SkuCode",
            json!({
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "pattern": "^[A-Za-z0-9._-]{1,64}$",
                "description": "A SKU code: 1 to 64 of `A-Z a-z 0-9 . _ -` (SkuCode).",
                "examples": [
                    "HOODIE-BLK-L"
                ]
            }),
        ),
        (
            "Name",
            json!({
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "description": "A product name or show title (Name = Text<1, 200>): 1 to 200 characters, no control characters, not blank.",
                "pattern": "^(?=[\\s\\S]*\\S)[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }),
        ),
        (
            "Category",
            json!({
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "description": "A category such as `apparel` or `food` (Category = Text<1, 64>): 1 to 64 characters, no control characters, not blank. Per-category alert thresholds key on it.",
                "pattern": "^(?=[\\s\\S]*\\S)[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }),
        ),
        (
            "Ident",
            json!({
                "type": "string",
                "minLength": 1,
                "maxLength": 128,
                "description": "A short identifier: an order id, a buyer, a person (Ident = Text<1, 128>): 1 to 128 characters, no control characters, not blank.",
                "pattern": "^(?=[\\s\\S]*\\S)[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }),
        ),
        (
            "Channel",
            json!({
                "type": "string",
                "minLength": 1,
                "maxLength": 32,
                "description": "A sales channel's name (Channel = Text<1, 32>): 1 to 32 characters, no control characters, not blank.",
                "pattern": "^(?=[\\s\\S]*\\S)[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }),
        ),
        (
            "Note",
            json!({
                "type": "string",
                "minLength": 0,
                "maxLength": 500,
                "description": "Free text: a reason or an address part (Note = Text<0, 500>): at most 500 characters, no control characters.",
                "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }),
        ),
        (
            "PhoneHash",
            json!({
                "type": "string",
                "minLength": 0,
                "maxLength": 128,
                "description": "A hash of the buyer's phone number (Text<0, 128>): at most 128 characters, no control characters.",
                "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }),
        ),
        (
            "Units",
            json!({
                "type": "integer",
                "minimum": 0,
                "maximum": 1000000000_i64,
                "description": "Units in a bucket (Units = Int<0, 1000000000>)."
            }),
        ),
        (
            "Qty",
            json!({
                "type": "integer",
                "minimum": 1,
                "maximum": 1000000,
                "description": "Units one order line moves (Qty = Int<1, 1000000>)."
            }),
        ),
        (
            "Cents",
            json!({
                "type": "integer",
                "minimum": 0,
                "maximum": 10000000000_i64,
                "description": "A price in integer cents (Cents = Int<0, 10000000000>)."
            }),
        ),
        (
            "Limit",
            json!({
                "type": "integer",
                "minimum": 1,
                "maximum": 1000000,
                "description": "A per-buyer limit in units (Limit = Int<1, 1000000>)."
            }),
        ),
        (
            "Timestamp",
            json!({
                "type": "string",
                "format": "date-time",
                "description": "An RFC 3339 time with any offset, e.g. `2026-11-24T20:01:02.123+08:00`; kept to the millisecond.",
                "examples": [
                    "2026-11-24T20:01:02.123+08:00"
                ]
            }),
        ),
        (
            "Time",
            json!({
                "type": "string",
                "format": "date-time",
                "description": "A time as the server writes it: RFC 3339 in UTC, e.g. `2026-11-24T12:01:02.123Z`."
            }),
        ),
        (
            "EpochMs",
            json!({
                "type": "integer",
                "description": "Milliseconds since the Unix epoch (UTC)."
            }),
        ),
        (
            "ErrorDetail",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "code",
                    "message"
                ],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": crate::web::error::CODES,
                        "description": "`invalid` 422 · `bad_json` 400 · `too_large` 413 · `unauthorized` 401 · `bad_signature` 401 (an unsigned or badly signed push of a channel with a secret) · `forbidden` 403 · `not_found` 404 · `conflict`, `out_of_stock`, `limit_exceeded`, `invalid_transition`, `unknown_sku` 409 · `method_not_allowed` 405 · `bad_request` 400 (a `/ws` request that is not a WebSocket handshake) · `unavailable` 503 · `rate_limited` 429 with `Retry-After` (a token over its role's rate limit, `/api/` requests only) · `internal` 500 (the server failed; the details go to its log)."
                    },
                    "message": {
                        "type": "string",
                        "minLength": 1,
                        "description": "What is wrong, in English."
                    },
                    "field": {
                        "type": "string",
                        "description": "The field at fault when there is one: `lines[0].qty`, `[3].sku` (an array body's element), `body` (the body as a whole), `view` (a query parameter)."
                    }
                }
            }),
        ),
        (
            "Error",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "error"
                ],
                "description": "Every 4xx/5xx JSON body (API.md \"Errors\"). A rejected request changes nothing.",
                "properties": {
                    "error": {
                        "$ref": "#/components/schemas/ErrorDetail"
                    }
                }
            }),
        ),
        (
            "StockView",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "name",
                    "category",
                    "price_cents",
                    "on_hand",
                    "damaged",
                    "buffer",
                    "held",
                    "committed",
                    "available",
                    "presale_cap",
                    "presale_sold",
                    "sold_units",
                    "gmv_cents",
                    "per_buyer_limit",
                    "base",
                    "rate_per_min",
                    "sellout_minutes",
                    "sell_through",
                    "level",
                    "channels"
                ],
                "description": "What every reader sees of one SKU (StockView). Invariant, always: `available == on_hand - damaged - buffer - held - committed` and `available >= 0`.",
                "properties": {
                    "rooms": {
                        "$ref": "#/components/schemas/ChannelSalesMap",
                        "description": "Units, orders and GMV by room, net of refunds; absent while no sale of it was credited to a room."
                    },
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "name": {
                        "type": "string"
                    },
                    "category": {
                        "type": "string"
                    },
                    "price_cents": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The catalog price in cents."
                    },
                    "on_hand": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Physical units in the warehouse."
                    },
                    "damaged": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Units on hand that cannot be sold."
                    },
                    "buffer": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Safety stock not opened for sale."
                    },
                    "held": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Ordered, not yet paid."
                    },
                    "committed": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Paid, not yet shipped."
                    },
                    "available": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "What may still be sold: on_hand - damaged - buffer - held - committed."
                    },
                    "presale_cap": {
                        "type": "integer",
                        "minimum": 0
                    },
                    "presale_sold": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Presale units paid (minus refunds)."
                    },
                    "sold_units": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Spot units paid minus refunded."
                    },
                    "gmv_cents": {
                        "type": "integer",
                        "description": "Money paid minus refunded, spot and presale, in cents."
                    },
                    "per_buyer_limit": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "minimum": 1,
                        "description": "Units one buyer may have; null: no limit."
                    },
                    "base": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The 100% of the tiered stock warnings: opening available units plus receipts (reset to `available` when the show starts)."
                    },
                    "rate_per_min": {
                        "type": "number",
                        "minimum": 0,
                        "description": "Units sold per minute over the last 30 minutes (or since the first sale, when younger), to 2 decimals."
                    },
                    "sellout_minutes": {
                        "type": [
                            "number",
                            "null"
                        ],
                        "minimum": 0,
                        "description": "available ÷ rate_per_min, to 2 decimals; null when nothing sells."
                    },
                    "sell_through": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1,
                        "description": "sold_units ÷ (sold_units + available), a fraction from 0 to 1 (not a percentage)."
                    },
                    "level": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 3,
                        "description": "The tiered stock level: 0 above 20% of base, 1 at ≤ 20%, 2 at ≤ 10%, 3 at ≤ 5%."
                    },
                    "channels": {
                        "$ref": "#/components/schemas/ChannelSalesMap"
                    }
                }
            }),
        ),
        (
            "StockViews",
            json!({
                "type": "array",
                "items": {
                    "$ref": "#/components/schemas/StockView"
                },
                "description": "Stock views, ordered by SKU code."
            }),
        ),
        (
            "StockViewOrViews",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/StockView"
                    },
                    {
                        "$ref": "#/components/schemas/StockViews"
                    }
                ],
                "description": "An object for an object body, an array (in the body's order) for an array body."
            }),
        ),
        (
            "OpenApiDocument",
            json!({
                "type": "object"
            }),
        ),
        (
            "Workbook",
            json!({
                "type": "string",
                "contentEncoding": "binary"
            }),
        ),
    ]
}
