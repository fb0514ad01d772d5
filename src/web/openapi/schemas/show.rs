//! The document's schemas of the show, its lineup and its precheck.

use serde_json::{Value, json};

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "LineupItem",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku"
                ],
                "description": "One product of the run of show (LineupItem). An unknown SKU, or a SKU twice in the lineup, is 422 `invalid`, field `lineup[i].sku`.",
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "planned_start": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Timestamp"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "planned_rate_per_min": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "minimum": 0,
                        "maximum": 1000000,
                        "description": "The planned units per minute (surge warnings compare with it)."
                    }
                }
            }),
        ),
        (
            "NewShow",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "title"
                ],
                "description": "A show as planned (NewShow); it replaces a planned or ended show.",
                "properties": {
                    "title": {
                        "$ref": "#/components/schemas/Name"
                    },
                    "lineup": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/LineupItem"
                        },
                        "maxItems": 200,
                        "default": [],
                        "description": "At most 200 products (more is 422, field `lineup`). Not nullable."
                    },
                    "planned_end": {
                        "$ref": "#/components/schemas/Timestamp",
                        "description": "When the show is planned to end: the last lineup product's slot runs until then. Optional."
                    }
                },
                "examples": [
                    {
                        "title": "双11 预热专场",
                        "lineup": [
                            {
                                "sku": "HOODIE-BLK-L",
                                "planned_start": "2026-11-24T20:00:00+08:00",
                                "planned_rate_per_min": 30
                            }
                        ]
                    }
                ]
            }),
        ),
        (
            "CurrentBody",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku"
                ],
                "description": "The product on air (CurrentBody). A SKU the server does not know is 422 `invalid`, field `sku`.",
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    }
                }
            }),
        ),
        (
            "ViewersBody",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "online"
                ],
                "description": "Online viewers now (ViewersBody).",
                "properties": {
                    "online": {
                        "$ref": "#/components/schemas/Units"
                    }
                }
            }),
        ),
        (
            "LineupView",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "name",
                    "planned_start",
                    "planned_rate_per_min",
                    "slot_minutes",
                    "available",
                    "covers"
                ],
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "name": {
                        "type": "string"
                    },
                    "planned_start": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Time"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "planned_rate_per_min": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "minimum": 0
                    },
                    "slot_minutes": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "Minutes until the next planned start, or 10."
                    },
                    "available": {
                        "type": "integer",
                        "minimum": 0
                    },
                    "covers": {
                        "type": "boolean",
                        "description": "Whether available ≥ planned_rate_per_min × slot_minutes."
                    }
                }
            }),
        ),
        (
            "Prompt",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "zh",
                    "en"
                ],
                "description": "What the host should say about the product on air.",
                "properties": {
                    "zh": {
                        "type": "string"
                    },
                    "en": {
                        "type": "string"
                    }
                }
            }),
        ),
        (
            "RestockRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "name",
                    "at",
                    "reason_zh",
                    "reason_en"
                ],
                "description": "A restock asked for by an open surge warning.",
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "name": {
                        "type": "string"
                    },
                    "at": {
                        "$ref": "#/components/schemas/Time"
                    },
                    "reason_zh": {
                        "type": "string"
                    },
                    "reason_en": {
                        "type": "string"
                    }
                }
            }),
        ),
        (
            "ShowView",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "room",
                    "room_name",
                    "room_channel",
                    "title",
                    "state",
                    "lineup",
                    "current",
                    "next",
                    "viewers",
                    "peak_viewers",
                    "gmv_cents",
                    "orders",
                    "units",
                    "buyers",
                    "channels",
                    "started_at",
                    "ended_at",
                    "prompt",
                    "restock_requests"
                ],
                "description": "The show as every screen sees it (ShowView). With no show ever created: `state` `none`, `title` null.",
                "properties": {
                    "room": {
                        "$ref": "#/components/schemas/RoomId"
                    },
                    "room_name": {
                        "type": "string",
                        "description": "The room's name (`主直播间` for `main` until it is renamed)."
                    },
                    "room_channel": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "The channel the room streams on; null for a room of any channel."
                    },
                    "title": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "state": {
                        "type": "string",
                        "enum": [
                            "none",
                            "planned",
                            "live",
                            "ended"
                        ]
                    },
                    "lineup": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/LineupView"
                        }
                    },
                    "current": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/SkuCode"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The product on air."
                    },
                    "next": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/SkuCode"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The lineup product after the one on air."
                    },
                    "viewers": {
                        "type": "integer",
                        "minimum": 0
                    },
                    "peak_viewers": {
                        "type": "integer",
                        "minimum": 0
                    },
                    "gmv_cents": {
                        "type": "integer",
                        "description": "Paid minus refunded while live."
                    },
                    "orders": {
                        "type": "integer",
                        "description": "Orders paid minus refunded while live."
                    },
                    "units": {
                        "type": "integer",
                        "description": "Units paid minus refunded while live."
                    },
                    "buyers": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Distinct paying buyers while live (成交人数): by buyer id, or by order when the channel sends none."
                    },
                    "channels": {
                        "$ref": "#/components/schemas/ChannelSalesMap"
                    },
                    "started_at": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Time"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "ended_at": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Time"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "prompt": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Prompt"
                            },
                            {
                                "type": "null"
                            }
                        ]
                    },
                    "restock_requests": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/RestockRequest"
                        },
                        "description": "Newest first."
                    }
                }
            }),
        ),
        (
            "Finding",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "code",
                    "zh",
                    "en"
                ],
                "description": "A reason or a note of the pre-show check, in both languages.",
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": [
                            "unknown_sku",
                            "sold_out",
                            "short",
                            "shared_short",
                            "shared",
                            "damaged",
                            "held",
                            "channel_mismatch",
                            "no_plan",
                            "empty_lineup"
                        ]
                    },
                    "zh": {
                        "type": "string"
                    },
                    "en": {
                        "type": "string"
                    }
                }
            }),
        ),
        (
            "ChannelGap",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "channel",
                    "displayed",
                    "available",
                    "since_ms",
                    "since"
                ],
                "properties": {
                    "channel": {
                        "type": "string"
                    },
                    "displayed": {
                        "type": "integer"
                    },
                    "available": {
                        "type": "integer"
                    },
                    "since_ms": {
                        "$ref": "#/components/schemas/EpochMs"
                    },
                    "since": {
                        "type": "string",
                        "format": "date-time"
                    }
                }
            }),
        ),
        (
            "PrecheckItem",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "shared_with",
                    "room_needed",
                    "sku",
                    "name",
                    "planned_start",
                    "planned_rate_per_min",
                    "slot_minutes",
                    "needed",
                    "available",
                    "on_hand",
                    "damaged",
                    "buffer",
                    "held",
                    "committed",
                    "short",
                    "channel_mismatches",
                    "pass",
                    "reasons",
                    "notes"
                ],
                "description": "The check of one lineup product. `needed` = planned rate × slot minutes; `available` already leaves out damaged, buffer, held and committed units; `short` = max(0, needed − available).",
                "properties": {
                    "shared_with": {
                        "type": "array",
                        "description": "Other rooms selling the same SKU from the same pool in a slot that overlaps this one.",
                        "items": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": [
                                "room",
                                "room_name",
                                "planned_start",
                                "slot_minutes",
                                "needed"
                            ],
                            "properties": {
                                "room": {
                                    "$ref": "#/components/schemas/RoomId"
                                },
                                "room_name": {
                                    "type": "string"
                                },
                                "planned_start": {
                                    "type": [
                                        "string",
                                        "null"
                                    ],
                                    "format": "date-time"
                                },
                                "slot_minutes": {
                                    "type": "integer",
                                    "minimum": 0
                                },
                                "needed": {
                                    "type": "integer",
                                    "minimum": 0,
                                    "description": "Units that room's slot needs."
                                }
                            }
                        }
                    },
                    "room_needed": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Units this room's slot needs alone; `needed` adds the overlapping slots of other rooms."
                    },
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "name": {
                        "type": "string"
                    },
                    "planned_start": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "planned_rate_per_min": {
                        "type": [
                            "integer",
                            "null"
                        ]
                    },
                    "channel_mismatches": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/ChannelGap"
                        }
                    },
                    "pass": {
                        "type": "boolean"
                    },
                    "reasons": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Finding"
                        },
                        "description": "Why it fails; empty when it passes."
                    },
                    "notes": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Finding"
                        },
                        "description": "What to know that does not fail it."
                    },
                    "slot_minutes": {
                        "type": "integer"
                    },
                    "needed": {
                        "type": "integer"
                    },
                    "available": {
                        "type": "integer"
                    },
                    "on_hand": {
                        "type": "integer"
                    },
                    "damaged": {
                        "type": "integer"
                    },
                    "buffer": {
                        "type": "integer"
                    },
                    "held": {
                        "type": "integer"
                    },
                    "committed": {
                        "type": "integer"
                    },
                    "short": {
                        "type": "integer"
                    }
                }
            }),
        ),
        (
            "Precheck",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "pass",
                    "title",
                    "state",
                    "items",
                    "failed",
                    "reasons",
                    "checked_at"
                ],
                "properties": {
                    "pass": {
                        "type": "boolean"
                    },
                    "title": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "state": {
                        "type": "string",
                        "enum": [
                            "planned",
                            "live",
                            "ended"
                        ]
                    },
                    "items": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/PrecheckItem"
                        }
                    },
                    "failed": {
                        "type": "integer",
                        "minimum": 0
                    },
                    "reasons": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Finding"
                        },
                        "description": "Reasons about the show as a whole (an empty lineup)."
                    },
                    "checked_at": {
                        "type": "string",
                        "format": "date-time"
                    }
                }
            }),
        ),
    ]
}
