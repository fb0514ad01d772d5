//! The document's schemas of order events, their answers and the order record.

use serde_json::{Value, json};

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "OrderKind",
            json!({
                "type": "string",
                "enum": [
                    "created",
                    "paid",
                    "cancelled",
                    "refunded",
                    "shipped"
                ],
                "description": "`created`: hold stock; `paid`: held → committed (sold, GMV); with no earlier `created` it creates and pays at once, so it needs `lines`; `cancelled`: release the hold; `refunded`: paid and unshipped goes back to available, shipped is a return; `shipped`: committed leaves on_hand. `refunded` and `shipped` that arrive before the payment of a held (or expired) order are accepted and parked until it comes; for an order never seen they are 409 `invalid_transition`, neither journaled nor remembered, so a retry once the order is in is judged afresh."
            }),
        ),
        (
            "Line",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "qty"
                ],
                "description": "One line of an order (Line). A `sku` the server does not know is 422 `invalid`, field `lines[i].sku`.",
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "qty": {
                        "$ref": "#/components/schemas/Qty"
                    },
                    "unit_price_cents": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Cents"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The price the buyer paid; the catalog price when absent or null."
                    }
                }
            }),
        ),
        (
            "Address",
            json!({
                "type": "object",
                "additionalProperties": false,
                "description": "Where an order goes (Address); kept for the post-show anomaly checks.",
                "properties": {
                    "region": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Note"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "detail": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Note"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "phone_hash": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/PhoneHash"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    }
                }
            }),
        ),
        (
            "OrderEvent",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "channel",
                    "order_id",
                    "kind"
                ],
                "description": "An order event as a channel posts it (OrderEvent). `(channel, order_id, kind)` is the idempotency key.",
                "properties": {
                    "room": {
                        "$ref": "#/components/schemas/RoomId",
                        "description": "The live room the sale is credited to (API.md \"Rooms\"); without one, the one live room of the channel, if there is exactly one, else no room."
                    },
                    "channel": {
                        "$ref": "#/components/schemas/Channel"
                    },
                    "order_id": {
                        "$ref": "#/components/schemas/Ident"
                    },
                    "kind": {
                        "$ref": "#/components/schemas/OrderKind"
                    },
                    "buyer": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Ident"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The buyer, for per-buyer limits."
                    },
                    "address": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Address"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "lines": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Line"
                        },
                        "maxItems": 100,
                        "default": [],
                        "description": "At most 100 lines (more is 422, field `lines`). Required (non-empty) for `created` and for a first `paid`; later kinds may omit it. Not nullable."
                    },
                    "presale": {
                        "type": "boolean",
                        "default": false,
                        "description": "Sold against the presale cap rather than the stock. Not nullable."
                    },
                    "at": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Timestamp"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "When the channel says it happened."
                    }
                },
                "allOf": [
                    {
                        "if": {
                            "properties": {
                                "kind": {
                                    "const": "created"
                                }
                            },
                            "required": [
                                "kind"
                            ]
                        },
                        "then": {
                            "required": [
                                "lines"
                            ],
                            "properties": {
                                "lines": {
                                    "minItems": 1
                                }
                            }
                        }
                    }
                ],
                "examples": [
                    {
                        "channel": "douyin",
                        "order_id": "DY-1001",
                        "kind": "created",
                        "buyer": "dy_u_8812",
                        "address": {
                            "region": "浙江省杭州市",
                            "detail": "...",
                            "phone_hash": "..."
                        },
                        "lines": [
                            {
                                "sku": "HOODIE-BLK-L",
                                "qty": 2,
                                "unit_price_cents": 19900
                            }
                        ],
                        "presale": false,
                        "at": "2026-11-24T20:01:02.123+08:00"
                    }
                ]
            }),
        ),
        (
            "OrderEvents",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/OrderEvent"
                    },
                    {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1000,
                        "items": {
                            "$ref": "#/components/schemas/OrderEvent"
                        }
                    }
                ],
                "description": "One event, or an array of 1 to 1000 (empty: 422; more than 1000: 413). A malformed event in an array (bad field, unknown SKU, a `created` without lines) refuses the whole request with 422 naming `[i].field`, and no event of it is judged."
            }),
        ),
        (
            "OrderAccepted",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "result",
                    "order_id",
                    "seq"
                ],
                "properties": {
                    "result": {
                        "type": "string",
                        "enum": [
                            "accepted",
                            "duplicate"
                        ],
                        "description": "`duplicate`: this `(channel, order_id, kind)` was accepted before; nothing changed."
                    },
                    "order_id": {
                        "type": "string"
                    },
                    "seq": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The journal sequence number of the event (of the first one, for a duplicate)."
                    }
                }
            }),
        ),
        (
            "OrderRejected",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "error",
                    "result",
                    "reason",
                    "message",
                    "order_id"
                ],
                "description": "A rejected event: the error body plus the answer fields. With `seq` (HTTP 409 for one event) it was judged and remembered: a retry gets the same rejection. Without `seq` (`reason` `invalid`, HTTP 422 for one event) it was refused before it was judged (e.g. a first `paid` without lines) and nothing is remembered; so is `unknown_sku` (HTTP 409 for one event): an event naming a SKU the pool does not hold, judged afresh once it exists.",
                "properties": {
                    "error": {
                        "$ref": "#/components/schemas/ErrorDetail"
                    },
                    "result": {
                        "const": "rejected"
                    },
                    "reason": {
                        "type": "string",
                        "enum": [
                            "out_of_stock",
                            "limit_exceeded",
                            "invalid_transition",
                            "invalid",
                            "unknown_sku"
                        ],
                        "description": "Equals `error.code`."
                    },
                    "message": {
                        "type": "string",
                        "description": "Equals `error.message`."
                    },
                    "field": {
                        "type": "string",
                        "description": "Equals `error.field` (e.g. `lines[0].qty`), when there is one."
                    },
                    "order_id": {
                        "type": "string"
                    },
                    "seq": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The journal sequence number of the judged event."
                    }
                }
            }),
        ),
        (
            "OrderAnswer",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/OrderAccepted"
                    },
                    {
                        "$ref": "#/components/schemas/OrderRejected"
                    }
                ],
                "description": "The answer to one order event."
            }),
        ),
        (
            "OrderBatchAnswer",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "results"
                ],
                "properties": {
                    "results": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/OrderAnswer"
                        },
                        "description": "One answer per event, in the order of the request."
                    }
                }
            }),
        ),
        (
            "OrderState",
            json!({
                "type": "string",
                "enum": [
                    "held",
                    "paid",
                    "shipped",
                    "cancelled",
                    "expired",
                    "refunded",
                    "returned"
                ],
                "description": "`held`: stock held until payment or expiry; `expired`: the hold ran out; `refunded`: refunded before shipping; `returned`: refunded after shipping."
            }),
        ),
        (
            "Rejection",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "reason",
                    "message",
                    "field"
                ],
                "properties": {
                    "reason": {
                        "type": "string",
                        "enum": [
                            "out_of_stock",
                            "limit_exceeded",
                            "invalid_transition"
                        ]
                    },
                    "message": {
                        "type": "string"
                    },
                    "field": {
                        "type": [
                            "string",
                            "null"
                        ]
                    }
                }
            }),
        ),
        (
            "Judgement",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "seq",
                    "rejection"
                ],
                "properties": {
                    "seq": {
                        "type": "integer",
                        "minimum": 1
                    },
                    "rejection": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Rejection"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "null when accepted."
                    }
                }
            }),
        ),
        (
            "OrderLine",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "qty",
                    "unit_price_cents"
                ],
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "qty": {
                        "$ref": "#/components/schemas/Qty"
                    },
                    "unit_price_cents": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "minimum": 0
                    }
                }
            }),
        ),
        (
            "OrderAddress",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "region",
                    "detail",
                    "phone_hash"
                ],
                "properties": {
                    "region": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "detail": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "phone_hash": {
                        "type": [
                            "string",
                            "null"
                        ]
                    }
                }
            }),
        ),
        (
            "Order",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "key",
                    "state",
                    "buyer",
                    "address",
                    "lines",
                    "presale",
                    "created_ms",
                    "expires_ms",
                    "paid_ms",
                    "refunded_ms",
                    "judged",
                    "parked",
                    "closed_ms"
                ],
                "description": "An order as the server keeps it (Order). An order whose every event was rejected exists only as judgements: `state` null, no stock held. Times are epoch milliseconds.",
                "properties": {
                    "room": {
                        "$ref": "#/components/schemas/RoomId",
                        "description": "The room its sale is credited to; absent when none."
                    },
                    "credited_show": {
                        "type": "integer",
                        "minimum": 0, "description": "The journal seq that started the show its sale counted in, if it counted in a live show: a refund takes back from that show only. Absent when none."
                    },
                    "key": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": [
                            "channel",
                            "order_id"
                        ],
                        "properties": {
                            "channel": {
                                "type": "string"
                            },
                            "order_id": {
                                "type": "string"
                            }
                        }
                    },
                    "state": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/OrderState"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "buyer": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "address": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/OrderAddress"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "lines": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/OrderLine"
                        }
                    },
                    "presale": {
                        "type": "boolean"
                    },
                    "created_ms": {
                        "type": [
                            "integer",
                            "null"
                        ]
                    },
                    "expires_ms": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "description": "When the hold runs out (only while `held`)."
                    },
                    "paid_ms": {
                        "type": [
                            "integer",
                            "null"
                        ]
                    },
                    "refunded_ms": {
                        "type": [
                            "integer",
                            "null"
                        ]
                    },
                    "judged": {
                        "type": "array",
                        "minItems": 5,
                        "maxItems": 5,
                        "items": {
                            "oneOf": [
                                {
                                    "$ref": "#/components/schemas/Judgement"
                                },
                                {
                                    "type": "null"
                                }
                            ]
                        },
                        "description": "One slot per kind, in the order created, paid, cancelled, refunded, shipped: the judgement of that event, or null if none came."
                    },
                    "parked": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/OrderKind"
                        },
                        "description": "`shipped`/`refunded` events accepted before the payment, waiting for it, in arrival order."
                    },
                    "closed_ms": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "description": "When the order was last changed while closed (shipped, cancelled, expired, refunded, returned, or only rejected), in ms since the epoch; `null` while it is held or paid. A closed order and its idempotency key are forgotten `order_retention_hours` (default 168) after this."
                    }
                }
            }),
        ),
        (
            "OrderAnswers",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/OrderAccepted"
                    },
                    {
                        "$ref": "#/components/schemas/OrderBatchAnswer"
                    }
                ]
            }),
        ),
        (
            "OrderRefusal",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/Error"
                    },
                    {
                        "$ref": "#/components/schemas/OrderRejected"
                    }
                ]
            }),
        ),
    ]
}
