//! The document's schemas of alerts, health and the WebSocket frames.

use serde_json::{Value, json};

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "AlertKind",
            json!({
                "type": "string",
                "enum": [
                    "stock_level",
                    "sellout_eta",
                    "sell_through",
                    "movement_rate",
                    "turnover",
                    "surge",
                    "slow_mover",
                    "fading"
                ]
            }),
        ),
        (
            "Alert",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "room",
                    "id",
                    "kind",
                    "level",
                    "sku",
                    "value",
                    "threshold",
                    "message_zh",
                    "message_en",
                    "at",
                    "acked_by",
                    "acked_at",
                    "updated_at"
                ],
                "description": "A warning (Alert): at most one open (unacknowledged) per (SKU, kind); while open, a higher line crossed escalates it in place (same id) and the writer's tick brings its value and message to the live numbers. Screens get each change as an `alert` frame with the same id and replace the one they hold.",
                "properties": {
                    "room": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/RoomId"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The room a surge or fading hit is in; null for warnings about the pool."
                    },
                    "id": {
                        "type": "string",
                        "examples": [
                            "a17"
                        ]
                    },
                    "kind": {
                        "$ref": "#/components/schemas/AlertKind"
                    },
                    "level": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 3
                    },
                    "sku": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/SkuCode"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "null for a shop-wide warning (`movement_rate`)."
                    },
                    "value": {
                        "type": "number",
                        "description": "The metric as last judged (percent for stock_level, sell_through and movement_rate; minutes, days or units per minute for the others); sellout_eta is the stock view's `sellout_minutes` (the mean rate of the last 30 minutes)."
                    },
                    "threshold": {
                        "type": "number",
                        "description": "The highest line crossed, in the unit of `value`."
                    },
                    "message_zh": {
                        "type": "string"
                    },
                    "message_en": {
                        "type": "string"
                    },
                    "at": {
                        "$ref": "#/components/schemas/Time"
                    },
                    "acked_by": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "acked_at": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Time"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "updated_at": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Time"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "When its level, value or message last changed in place; null until then (and on alerts recorded before updates existed)."
                    }
                }
            }),
        ),
        (
            "AlertList",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "alerts",
                    "next_before"
                ],
                "properties": {
                    "alerts": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Alert"
                        },
                        "description": "Newest first."
                    },
                    "next_before": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "When more alerts match than `limit`: pass it as `before` for the next page."
                    }
                }
            }),
        ),
        (
            "AckBody",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "by"
                ],
                "description": "Who acknowledges (AckBody).",
                "properties": {
                    "by": {
                        "$ref": "#/components/schemas/Ident"
                    }
                }
            }),
        ),
        (
            "Health",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "status"
                ],
                "properties": {
                    "status": {
                        "const": "ok"
                    }
                }
            }),
        ),
        (
            "Ready",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "status",
                    "writes",
                    "seq",
                    "server_ms"
                ],
                "properties": {
                    "status": {
                        "const": "ready"
                    },
                    "seq": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The journal sequence number the state includes."
                    },
                    "server_ms": {
                        "type": "integer",
                        "description": "The server's clock, in ms since the epoch: the wall clock, or a fast-forwarded one (`clock_speed`, for `livestock demo --speed`). Times the server stamps (holds, rates, series, warnings) are on this clock."
                    },
                    "writes": {
                        "const": "ok",
                        "description": "Whether the journal takes writes: always `ok` when ready."
                    }
                }
            }),
        ),
        (
            "Series",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "t",
                    "viewers",
                    "gmv_cents",
                    "orders",
                    "units",
                    "buyers",
                    "stock"
                ],
                "description": "The show's time series, column by column (at most 720 points; empty for host and overlay).",
                "properties": {
                    "t": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/EpochMs"
                        }
                    },
                    "viewers": {
                        "type": "array",
                        "items": {
                            "type": "integer"
                        }
                    },
                    "gmv_cents": {
                        "type": "array",
                        "items": {
                            "type": "integer"
                        }
                    },
                    "orders": {
                        "type": "array",
                        "items": {
                            "type": "integer"
                        }
                    },
                    "units": {
                        "type": "array",
                        "items": {
                            "type": "integer"
                        }
                    },
                    "buyers": {
                        "type": "array",
                        "items": {
                            "type": "integer"
                        },
                        "description": "Distinct paying buyers so far (成交人数), one value per point."
                    },
                    "stock": {
                        "type": "object",
                        "propertyNames": {
                            "$ref": "#/components/schemas/SkuCode"
                        },
                        "additionalProperties": {
                            "type": "array",
                            "items": {
                                "type": "integer"
                            }
                        },
                        "description": "Available units per SKU (at most 100 SKUs), one value per point."
                    }
                }
            }),
        ),
        (
            "Sample",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "t",
                    "viewers",
                    "gmv_cents",
                    "orders",
                    "units",
                    "buyers",
                    "stock"
                ],
                "description": "One new point of every series.",
                "properties": {
                    "t": {
                        "$ref": "#/components/schemas/EpochMs"
                    },
                    "viewers": {
                        "type": "integer"
                    },
                    "gmv_cents": {
                        "type": "integer"
                    },
                    "orders": {
                        "type": "integer"
                    },
                    "units": {
                        "type": "integer"
                    },
                    "buyers": {
                        "type": "integer",
                        "description": "Distinct paying buyers so far (成交人数)."
                    },
                    "stock": {
                        "type": "object",
                        "propertyNames": {
                            "$ref": "#/components/schemas/SkuCode"
                        },
                        "additionalProperties": {
                            "type": "integer"
                        }
                    }
                }
            }),
        ),
        (
            "WsSnapshot",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "room",
                    "type",
                    "view",
                    "seq",
                    "server_ms",
                    "skus",
                    "show",
                    "alerts",
                    "series",
                    "writes"
                ],
                "description": "The whole state of the view: first, after a `resync`, and instead of a backlog.",
                "properties": {
                    "rooms": {
                        "$ref": "#/components/schemas/RoomSummaries",
                        "description": "Every room's show summary (board and feed views only): the board's room cards."
                    },
                    "room": {
                        "$ref": "#/components/schemas/RoomId",
                        "description": "The room watched: the one `?room=` asked for, else the one the board focuses."
                    },
                    "type": {
                        "const": "snapshot"
                    },
                    "view": {
                        "type": "string",
                        "enum": [
                            "board",
                            "host",
                            "overlay",
                            "feed"
                        ]
                    },
                    "seq": {
                        "type": "integer",
                        "minimum": 0
                    },
                    "server_ms": {
                        "$ref": "#/components/schemas/EpochMs"
                    },
                    "skus": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/StockView"
                        },
                        "description": "board/feed: every SKU; host/overlay: the products on air and next only."
                    },
                    "show": {
                        "$ref": "#/components/schemas/ShowView"
                    },
                    "alerts": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Alert"
                        },
                        "description": "Open (unacknowledged) alerts, newest first, at most 100."
                    },
                    "series": {
                        "$ref": "#/components/schemas/Series"
                    },
                    "writes": {
                        "type": "string",
                        "enum": [
                            "ok",
                            "disk_full",
                            "failed"
                        ],
                        "description": "Whether writes are taken: ok, disk_full (refused until space frees) or failed (the journal failed; the server is stopping). The board shows a red banner when not ok."
                    }
                }
            }),
        ),
        (
            "WsDiff",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "type",
                    "seq",
                    "server_ms",
                    "skus",
                    "show",
                    "writes"
                ],
                "description": "What changed since the last frame: at most one per tick (default 100 ms), only when something changed.",
                "properties": {
                    "rooms": {
                        "$ref": "#/components/schemas/RoomSummaries",
                        "description": "As in the snapshot, when any room's show changed."
                    },
                    "type": {
                        "const": "diff"
                    },
                    "seq": {
                        "type": "integer",
                        "minimum": 0
                    },
                    "server_ms": {
                        "$ref": "#/components/schemas/EpochMs"
                    },
                    "skus": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/StockView"
                        },
                        "description": "board/feed: the SKUs that changed; host/overlay: the products on air and next."
                    },
                    "show": {
                        "$ref": "#/components/schemas/ShowView"
                    },
                    "sample": {
                        "allOf": [
                            {
                                "$ref": "#/components/schemas/Sample"
                            }
                        ],
                        "description": "board/feed only, when a new point was taken."
                    },
                    "writes": {
                        "type": "string",
                        "enum": [
                            "ok",
                            "disk_full",
                            "failed"
                        ],
                        "description": "Whether writes are taken: ok, disk_full (refused until space frees) or failed (the journal failed; the server is stopping). The board shows a red banner when not ok."
                    }
                }
            }),
        ),
        (
            "WsAlert",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "type",
                    "alert"
                ],
                "description": "A warning fired (`acked_by` null) or was acknowledged; sent at once, not on the tick.",
                "properties": {
                    "type": {
                        "const": "alert"
                    },
                    "alert": {
                        "$ref": "#/components/schemas/Alert"
                    }
                }
            }),
        ),
        (
            "WsError",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "type",
                    "message"
                ],
                "description": "The answer to a client message the server does not understand; the connection stays open.",
                "properties": {
                    "type": {
                        "const": "error"
                    },
                    "message": {
                        "type": "string"
                    }
                }
            }),
        ),
        (
            "WsServerFrame",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/WsSnapshot"
                    },
                    {
                        "$ref": "#/components/schemas/WsDiff"
                    },
                    {
                        "$ref": "#/components/schemas/WsAlert"
                    },
                    {
                        "$ref": "#/components/schemas/WsError"
                    }
                ],
                "discriminator": {
                    "propertyName": "type",
                    "mapping": {
                        "snapshot": "#/components/schemas/WsSnapshot",
                        "diff": "#/components/schemas/WsDiff",
                        "alert": "#/components/schemas/WsAlert",
                        "error": "#/components/schemas/WsError"
                    }
                }
            }),
        ),
        (
            "WsClientFrame",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "type"
                ],
                "description": "Client → server: `{\"type\": \"resync\"}` asks for a fresh snapshot. At most 4 KiB per message.",
                "properties": {
                    "type": {
                        "const": "resync"
                    }
                }
            }),
        ),
        (
            "WritesPaused",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "status",
                    "writes",
                    "seq",
                    "server_ms",
                    "error"
                ],
                "description": "The state is served (reads and screens work) but the journal takes no writes: a load balancer must send writes elsewhere.",
                "properties": {
                    "status": {
                        "enum": [
                            "disk_full",
                            "failed"
                        ]
                    },
                    "writes": {
                        "enum": [
                            "disk_full",
                            "failed"
                        ],
                        "description": "`disk_full`: writes pause until space returns (answers carry Retry-After). `failed`: a write or sync failed; the server takes no more writes and must be restarted to replay its journal."
                    },
                    "seq": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The journal sequence number the state includes."
                    },
                    "server_ms": {
                        "type": "integer",
                        "description": "The server's clock, in ms since the epoch: the wall clock, or a fast-forwarded one (`clock_speed`, for `livestock demo --speed`). Times the server stamps (holds, rates, series, warnings) are on this clock."
                    },
                    "error": {
                        "$ref": "#/components/schemas/ErrorDetail"
                    }
                }
            }),
        ),
        (
            "ReadyRefusal",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/Error"
                    },
                    {
                        "$ref": "#/components/schemas/WritesPaused"
                    }
                ]
            }),
        ),
    ]
}
