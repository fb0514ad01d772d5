//! The document's schemas of the catalog and its movements.

use serde_json::{Value, json};

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "NewSku",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "name",
                    "category",
                    "price_cents",
                    "on_hand"
                ],
                "description": "A SKU as created (NewSku): the catalog entry and its opening stock. `damaged + buffer` may not exceed `on_hand` (422 `invalid`, field `buffer`).",
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "name": {
                        "$ref": "#/components/schemas/Name"
                    },
                    "category": {
                        "$ref": "#/components/schemas/Category"
                    },
                    "price_cents": {
                        "$ref": "#/components/schemas/Cents"
                    },
                    "on_hand": {
                        "$ref": "#/components/schemas/Units"
                    },
                    "buffer": {
                        "allOf": [
                            {
                                "$ref": "#/components/schemas/Units"
                            }
                        ],
                        "default": 0,
                        "description": "Safety stock not opened for sale."
                    },
                    "damaged": {
                        "allOf": [
                            {
                                "$ref": "#/components/schemas/Units"
                            }
                        ],
                        "default": 0,
                        "description": "Units on hand that cannot be sold."
                    },
                    "per_buyer_limit": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "minimum": 1,
                        "maximum": 1000000,
                        "default": null,
                        "description": "The most units one buyer may hold or buy (Limit); null: no limit."
                    },
                    "presale_cap": {
                        "allOf": [
                            {
                                "$ref": "#/components/schemas/Units"
                            }
                        ],
                        "default": 0,
                        "description": "Presale units that may be sold beyond the stock."
                    }
                },
                "examples": [
                    {
                        "sku": "HOODIE-BLK-L",
                        "name": "加绒卫衣 黑 L",
                        "category": "apparel",
                        "price_cents": 19900,
                        "on_hand": 5000,
                        "buffer": 0,
                        "damaged": 0,
                        "per_buyer_limit": null,
                        "presale_cap": 0
                    }
                ]
            }),
        ),
        (
            "NewSkus",
            json!({
                "oneOf": [
                    {
                        "$ref": "#/components/schemas/NewSku"
                    },
                    {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 1000,
                        "items": {
                            "$ref": "#/components/schemas/NewSku"
                        }
                    }
                ],
                "description": "One SKU, or an array of 1 to 1000 (an empty array is 422 `invalid`, field `body`; more than 1000 is 413 `too_large`). An array is created whole or not at all; a fault names its element (`[3].sku`)."
            }),
        ),
        (
            "SkuPatch",
            json!({
                "type": "object",
                "additionalProperties": false,
                "minProperties": 1,
                "description": "The fields `PATCH` may change (SkuPatch). At least one must be given with a value: a body that changes nothing is 422 `invalid`: field `body` for `{}`, or the field for a body of only nulls other than `per_buyer_limit` (`{\"buffer\": null}` leaves the buffer as it is, so it is refused naming `buffer`; `0` clears it). A `buffer` or `presale_cap` that leaves less than nothing to sell is 409 `conflict`.",
                "properties": {
                    "name": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Name"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The product name. Absent or null: unchanged."
                    },
                    "category": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Category"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The category. Absent or null: unchanged."
                    },
                    "price_cents": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Cents"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The catalog price. Absent or null: unchanged."
                    },
                    "buffer": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Units"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "Safety stock. Absent or null: unchanged."
                    },
                    "per_buyer_limit": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "minimum": 1,
                        "maximum": 1000000,
                        "description": "The per-buyer limit (Limit). Absent: unchanged; null: the limit is removed."
                    },
                    "presale_cap": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Units"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The presale cap. Absent or null: unchanged."
                    }
                }
            }),
        ),
        (
            "MovementKind",
            json!({
                "type": "string",
                "enum": [
                    "receive",
                    "adjust",
                    "damage",
                    "undamage",
                    "count"
                ],
                "description": "`receive`: goods arrive, on_hand rises (two different people sign); `adjust`: a signed correction with a reason; `damage`: units found damaged (out of the sellable stock, still on hand); `undamage`: damaged units found fine; `count`: a physical count, `qty` is the counted units and the variance becomes an adjustment."
            }),
        ),
        (
            "Movement",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "kind",
                    "qty",
                    "by"
                ],
                "description": "A stock movement by hand (Movement). The rules that depend on `kind` are checked after parsing and answer 422 `invalid` naming `qty`, `verified_by` or `reason`. A movement that would leave `available` or `damaged` below zero is 409 `conflict` (field `qty`); one that would take on_hand past 1,000,000,000 is 422.",
                "properties": {
                    "kind": {
                        "$ref": "#/components/schemas/MovementKind"
                    },
                    "qty": {
                        "type": "integer",
                        "description": "receive, damage, undamage: 1 to 1,000,000 units; adjust: a non-zero signed number of units, -1,000,000 to 1,000,000; count: the counted units, 0 to 1,000,000,000."
                    },
                    "reason": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Note"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "Why; required (not blank) for `adjust`."
                    },
                    "by": {
                        "allOf": [
                            {
                                "$ref": "#/components/schemas/Ident"
                            }
                        ],
                        "description": "Who did it."
                    },
                    "verified_by": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Ident"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The second person; required for `receive`, and a different person from `by` (compared ignoring case and surrounding spaces)."
                    },
                    "zone": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Ident"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "Where in the warehouse."
                    },
                    "batch": {
                        "oneOf": [
                            {
                                "$ref": "#/components/schemas/Ident"
                            },
                            {
                                "type": "null"
                            }
                        ],
                        "description": "The batch or lot."
                    }
                },
                "allOf": [
                    {
                        "if": {
                            "properties": {
                                "kind": {
                                    "const": "receive"
                                }
                            },
                            "required": [
                                "kind"
                            ]
                        },
                        "then": {
                            "required": [
                                "verified_by"
                            ],
                            "properties": {
                                "qty": {
                                    "minimum": 1,
                                    "maximum": 1000000
                                },
                                "verified_by": {
                                    "$ref": "#/components/schemas/Ident"
                                }
                            }
                        }
                    },
                    {
                        "if": {
                            "properties": {
                                "kind": {
                                    "const": "adjust"
                                }
                            },
                            "required": [
                                "kind"
                            ]
                        },
                        "then": {
                            "required": [
                                "reason"
                            ],
                            "properties": {
                                "qty": {
                                    "minimum": -1000000,
                                    "maximum": 1000000,
                                    "not": {
                                        "const": 0
                                    }
                                },
                                "reason": {
                                    "type": "string",
                                    "pattern": "\\S"
                                }
                            }
                        }
                    },
                    {
                        "if": {
                            "properties": {
                                "kind": {
                                    "const": "damage"
                                }
                            },
                            "required": [
                                "kind"
                            ]
                        },
                        "then": {
                            "properties": {
                                "qty": {
                                    "minimum": 1,
                                    "maximum": 1000000
                                }
                            }
                        }
                    },
                    {
                        "if": {
                            "properties": {
                                "kind": {
                                    "const": "undamage"
                                }
                            },
                            "required": [
                                "kind"
                            ]
                        },
                        "then": {
                            "properties": {
                                "qty": {
                                    "minimum": 1,
                                    "maximum": 1000000
                                }
                            }
                        }
                    },
                    {
                        "if": {
                            "properties": {
                                "kind": {
                                    "const": "count"
                                }
                            },
                            "required": [
                                "kind"
                            ]
                        },
                        "then": {
                            "properties": {
                                "qty": {
                                    "minimum": 0,
                                    "maximum": 1000000000_i64
                                }
                            }
                        }
                    }
                ],
                "examples": [
                    {
                        "kind": "receive",
                        "qty": 500,
                        "by": "li",
                        "verified_by": "wang",
                        "zone": "A-3",
                        "batch": "2026-11-24"
                    }
                ]
            }),
        ),
        (
            "MovementRecord",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "seq",
                    "at_ms",
                    "sku",
                    "kind",
                    "delta",
                    "book",
                    "counted",
                    "reason",
                    "by",
                    "verified_by",
                    "zone",
                    "batch"
                ],
                "description": "A movement in the audit trail (MovementRecord).",
                "properties": {
                    "seq": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "The journal sequence number of the movement."
                    },
                    "at_ms": {
                        "allOf": [
                            {
                                "$ref": "#/components/schemas/EpochMs"
                            }
                        ],
                        "description": "When it was recorded, in epoch milliseconds (not RFC 3339)."
                    },
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "kind": {
                        "$ref": "#/components/schemas/MovementKind"
                    },
                    "delta": {
                        "type": "integer",
                        "description": "Units moved into `on_hand` (receive, adjust, count) or into `damaged` (damage positive, undamage negative), signed."
                    },
                    "book": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "description": "For a count: the units on the book before it; otherwise null."
                    },
                    "counted": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "description": "For a count: the counted units; otherwise null."
                    },
                    "reason": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "by": {
                        "type": "string"
                    },
                    "verified_by": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "zone": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "batch": {
                        "type": [
                            "string",
                            "null"
                        ]
                    }
                }
            }),
        ),
        (
            "MovementAnswer",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "movement",
                    "sku"
                ],
                "description": "The recorded movement and the SKU's stock view after it.",
                "properties": {
                    "movement": {
                        "$ref": "#/components/schemas/MovementRecord"
                    },
                    "sku": {
                        "$ref": "#/components/schemas/StockView"
                    }
                }
            }),
        ),
        (
            "MovementList",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "movements",
                    "next_after_seq"
                ],
                "properties": {
                    "movements": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/MovementRecord"
                        },
                        "description": "Oldest first."
                    },
                    "next_after_seq": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "minimum": 0,
                        "description": "When the page is full: pass it as `after_seq` for the next page."
                    }
                }
            }),
        ),
    ]
}
