//! The document's schemas of the channels, the cluster, import, the movement range and the daily report.

use serde_json::{Value, json};

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Availability",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "seq",
                    "skus"
                ],
                "description": "What a channel may show now: the same numbers for every channel.",
                "properties": {
                    "seq": {
                        "type": "integer",
                        "minimum": 0
                    },
                    "skus": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": [
                                "sku",
                                "available"
                            ],
                            "properties": {
                                "sku": {
                                    "$ref": "#/components/schemas/SkuCode"
                                },
                                "available": {
                                    "type": "integer",
                                    "minimum": 0
                                }
                            }
                        }
                    }
                }
            }),
        ),
        (
            "DisplayedItem",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "displayed"
                ],
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "displayed": {
                        "$ref": "#/components/schemas/Units"
                    }
                }
            }),
        ),
        (
            "ChannelMismatch",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "channel",
                    "sku",
                    "displayed",
                    "available",
                    "since",
                    "reported_at",
                    "lasting"
                ],
                "properties": {
                    "channel": {
                        "type": "string"
                    },
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "displayed": {
                        "type": "integer"
                    },
                    "available": {
                        "type": "integer"
                    },
                    "since": {
                        "type": "string",
                        "format": "date-time",
                        "description": "When the difference was first seen."
                    },
                    "reported_at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "lasting": {
                        "type": "boolean",
                        "description": "Whether it has lasted past the 3 s grace of a channel between two polls."
                    }
                }
            }),
        ),
        (
            "DisplayedAnswer",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "channel",
                    "recorded",
                    "mismatches"
                ],
                "properties": {
                    "channel": {
                        "type": "string"
                    },
                    "recorded": {
                        "type": "integer"
                    },
                    "mismatches": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/ChannelMismatch"
                        }
                    }
                }
            }),
        ),
        (
            "ChannelSync",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "mismatches",
                    "reporting",
                    "at",
                    "sold"
                ],
                "properties": {
                    "mismatches": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/ChannelMismatch"
                        },
                        "description": "Oldest first."
                    },
                    "reporting": {
                        "type": "array",
                        "items": {
                            "type": "string"
                        },
                        "description": "The channels that have reported what they display."
                    },
                    "at": {
                        "type": "string",
                        "format": "date-time"
                    },
                    "sold": {
                        "type": "array",
                        "description": "Units (spot), orders and GMV sold per channel, net of refunds, over every SKU.",
                        "items": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": [
                                "channel",
                                "units",
                                "orders",
                                "gmv_cents"
                            ],
                            "properties": {
                                "channel": {
                                    "type": "string"
                                },
                                "units": {
                                    "type": "integer"
                                },
                                "orders": {
                                    "type": "integer"
                                },
                                "gmv_cents": {
                                    "type": "integer"
                                }
                            }
                        }
                    }
                }
            }),
        ),
        (
            "Cluster",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "node",
                    "role",
                    "leader",
                    "applied_seq",
                    "writes"
                ],
                "description": "Which node this is and who leads. One node on its own file journal is `single` and its own leader.",
                "properties": {
                    "node": {
                        "type": "string",
                        "description": "This node's id (`--node-id`), else its URL."
                    },
                    "role": {
                        "type": "string",
                        "enum": [
                            "leader",
                            "follower",
                            "single"
                        ]
                    },
                    "leader": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "The leader's URL, or null while none is known."
                    },
                    "applied_seq": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The journal sequence number this node's pool includes."
                    },
                    "writes": {
                        "type": "string",
                        "enum": [
                            "ok",
                            "disk_full",
                            "failed"
                        ]
                    }
                }
            }),
        ),
        (
            "ImportAnswer",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "created",
                    "updated",
                    "unchanged",
                    "seq"
                ],
                "description": "What an import did.",
                "properties": {
                    "created": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "New SKUs."
                    },
                    "updated": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Existing SKUs changed (`mode=upsert`)."
                    },
                    "unchanged": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Existing SKUs the sheet left as they were."
                    },
                    "seq": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The journal sequence number the state includes after the import."
                    }
                }
            }),
        ),
        (
            "ImportRowError",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "row",
                    "column",
                    "reason"
                ],
                "description": "One thing wrong with an imported sheet.",
                "properties": {
                    "row": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The row as a spreadsheet numbers it: the header is row 1."
                    },
                    "column": {
                        "type": "string",
                        "description": "The column's title as the file writes it (for a missing column, as the export would)."
                    },
                    "reason": {
                        "type": "string",
                        "minLength": 1
                    }
                }
            }),
        ),
        (
            "ImportRefusal",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "error",
                    "rows"
                ],
                "description": "A refused import: the error body plus every bad row. Nothing was imported.",
                "properties": {
                    "error": {
                        "$ref": "#/components/schemas/ErrorDetail"
                    },
                    "rows": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "$ref": "#/components/schemas/ImportRowError"
                        }
                    }
                }
            }),
        ),
        (
            "MovementRange",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "from",
                    "to",
                    "movements",
                    "truncated",
                    "next_after_seq"
                ],
                "description": "The audit trail of a time range, one page.",
                "properties": {
                    "from": {
                        "$ref": "#/components/schemas/Timestamp"
                    },
                    "to": {
                        "$ref": "#/components/schemas/Timestamp"
                    },
                    "movements": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/MovementRecord"
                        }
                    },
                    "truncated": {
                        "type": "boolean",
                        "description": "More records are left in the range."
                    },
                    "next_after_seq": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "description": "The `after_seq` of the next page when truncated."
                    }
                }
            }),
        ),
        (
            "DailyRow",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "name",
                    "category",
                    "opening",
                    "received",
                    "sold",
                    "refunded",
                    "shipped",
                    "adjusted",
                    "damaged",
                    "closing",
                    "counted",
                    "variance"
                ],
                "description": "One SKU's day, on the on-hand basis: `opening + received - shipped + adjusted = closing`.",
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "name": {
                        "type": "string"
                    },
                    "category": {
                        "type": "string"
                    },
                    "opening": {
                        "type": "integer",
                        "description": "On hand at the day's start, plus the initial stock of a SKU created that day."
                    },
                    "received": {
                        "type": "integer",
                        "description": "Units received."
                    },
                    "sold": {
                        "type": "integer",
                        "description": "Spot units paid (informational: presale is apart)."
                    },
                    "refunded": {
                        "type": "integer",
                        "description": "Spot units refunded, before shipping or as a return (informational)."
                    },
                    "shipped": {
                        "type": "integer",
                        "description": "Spot units that left the warehouse."
                    },
                    "adjusted": {
                        "type": "integer",
                        "description": "Signed adjustments plus count variances."
                    },
                    "damaged": {
                        "type": "integer",
                        "description": "Units marked damaged minus units released (informational: still on hand)."
                    },
                    "closing": {
                        "type": "integer",
                        "description": "On hand at the day's end: opening + received − shipped + adjusted."
                    },
                    "counted": {
                        "type": "integer",
                        "description": "Units counted by physical counts (informational)."
                    },
                    "variance": {
                        "type": "integer",
                        "description": "Counted minus book over the day's counts (informational; already in adjusted)."
                    }
                }
            }),
        ),
        (
            "DailyTotals",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "opening",
                    "received",
                    "sold",
                    "refunded",
                    "shipped",
                    "adjusted",
                    "damaged",
                    "closing",
                    "counted",
                    "variance"
                ],
                "description": "Every column summed over the SKUs.",
                "properties": {
                    "opening": {
                        "type": "integer",
                        "description": "On hand at the day's start, plus the initial stock of a SKU created that day."
                    },
                    "received": {
                        "type": "integer",
                        "description": "Units received."
                    },
                    "sold": {
                        "type": "integer",
                        "description": "Spot units paid (informational: presale is apart)."
                    },
                    "refunded": {
                        "type": "integer",
                        "description": "Spot units refunded, before shipping or as a return (informational)."
                    },
                    "shipped": {
                        "type": "integer",
                        "description": "Spot units that left the warehouse."
                    },
                    "adjusted": {
                        "type": "integer",
                        "description": "Signed adjustments plus count variances."
                    },
                    "damaged": {
                        "type": "integer",
                        "description": "Units marked damaged minus units released (informational: still on hand)."
                    },
                    "closing": {
                        "type": "integer",
                        "description": "On hand at the day's end: opening + received − shipped + adjusted."
                    },
                    "counted": {
                        "type": "integer",
                        "description": "Units counted by physical counts (informational)."
                    },
                    "variance": {
                        "type": "integer",
                        "description": "Counted minus book over the day's counts (informational; already in adjusted)."
                    }
                }
            }),
        ),
        (
            "DailyReport",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "date",
                    "timezone",
                    "from",
                    "to",
                    "rows",
                    "totals"
                ],
                "properties": {
                    "date": {
                        "type": "string",
                        "format": "date",
                        "description": "The day, in the shop's zone."
                    },
                    "timezone": {
                        "type": "string",
                        "examples": [
                            "Asia/Shanghai"
                        ],
                        "description": "The shop's IANA zone (`timezone` in the config)."
                    },
                    "from": {
                        "type": "string",
                        "format": "date-time",
                        "description": "The day's first instant, in the shop's zone."
                    },
                    "to": {
                        "type": "string",
                        "format": "date-time",
                        "description": "The next day's first instant: the day is `[from, to)`."
                    },
                    "totals": {
                        "$ref": "#/components/schemas/DailyTotals"
                    },
                    "rows": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/DailyRow"
                        },
                        "description": "One row per SKU that existed before `to`, by code."
                    }
                }
            }),
        ),
        (
            "DisplayedBody",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/DisplayedItem"
                    },
                    {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/DisplayedItem"
                        },
                        "minItems": 1,
                        "maxItems": 1000
                    }
                ]
            }),
        ),
        (
            "ImportInvalid",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/ImportRefusal"
                    },
                    {
                        "$ref": "#/components/schemas/Error"
                    }
                ]
            }),
        ),
    ]
}
