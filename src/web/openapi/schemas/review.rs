//! The document's schemas of the post-show review.

use serde_json::{Value, json};

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "ChannelSales",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "units",
                    "orders",
                    "gmv_cents"
                ],
                "description": "What one channel sold, net of refunds. In a stock view `units` are spot units (they add up to `sold_units`) and `gmv_cents` spot and presale (they add up to `gmv_cents`); in the show, every unit of the night.",
                "properties": {
                    "units": {
                        "type": "integer",
                        "description": "Units paid minus refunded."
                    },
                    "orders": {
                        "type": "integer",
                        "description": "Orders paid minus orders refunded."
                    },
                    "gmv_cents": {
                        "type": "integer",
                        "description": "Money paid minus refunded, in cents."
                    }
                }
            }),
        ),
        (
            "ChannelSalesMap",
            json!({
                "type": "object",
                "description": "Sales by channel name (`{\"douyin\": {\"units\", \"orders\", \"gmv_cents\"}}`); `{}` when no channel sold.",
                "additionalProperties": {
                    "$ref": "#/components/schemas/ChannelSales"
                }
            }),
        ),
        (
            "Review",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "title",
                    "state",
                    "from",
                    "to",
                    "started_at",
                    "ended_at",
                    "gmv_cents",
                    "totals",
                    "skus",
                    "unpaid",
                    "anomalies",
                    "anomaly_counts",
                    "thresholds"
                ],
                "description": "The post-show review (复盘) over the show's window: orders placed or paid between its start and its end (or now while live).",
                "properties": {
                    "title": {
                        "type": "string"
                    },
                    "state": {
                        "type": "string",
                        "enum": [
                            "planned",
                            "live",
                            "ended"
                        ]
                    },
                    "from": {
                        "type": "string",
                        "format": "date-time",
                        "description": "The show's start."
                    },
                    "to": {
                        "type": "string",
                        "format": "date-time",
                        "description": "The show's end, or now while it is live."
                    },
                    "started_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "ended_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time",
                        "description": "Null while the show is live."
                    },
                    "gmv_cents": {
                        "type": "integer",
                        "description": "The night's GMV net of refunds, spot and presale."
                    },
                    "totals": {
                        "$ref": "#/components/schemas/ReviewTotals"
                    },
                    "skus": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/SkuReview"
                        },
                        "description": "Every lineup SKU and every SKU ordered in the window, by code."
                    },
                    "unpaid": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/UnpaidOrder"
                        },
                        "maxItems": 1000,
                        "description": "Orders still held (at most 1000, oldest first): not counted as sales."
                    },
                    "anomalies": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/Anomaly"
                        },
                        "maxItems": 1000,
                        "description": "At most 200 of each kind, by kind, then by their first order."
                    },
                    "anomaly_counts": {
                        "type": "object",
                        "description": "How many anomalies of each kind were found, listed or not (a kind with none is absent).",
                        "propertyNames": {
                            "enum": [
                                "bulk_order",
                                "many_orders",
                                "shared_address",
                                "bad_address",
                                "quick_refund"
                            ]
                        },
                        "additionalProperties": {
                            "type": "integer",
                            "minimum": 1
                        }
                    },
                    "thresholds": {
                        "$ref": "#/components/schemas/ReviewThresholds"
                    }
                }
            }),
        ),
        (
            "ReviewTotals",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "orders",
                    "paid_orders",
                    "unpaid_orders",
                    "expired_orders",
                    "cancelled_orders",
                    "refunded_orders",
                    "presale_orders",
                    "net_units",
                    "net_gmv_cents",
                    "refunded_cents",
                    "presale_units",
                    "presale_gmv_cents",
                    "channels"
                ],
                "description": "The show's figures over its window. Sales are spot sales net of refunds (`paid_orders` counts refunded ones too); unpaid, expired, cancelled, refunds and presale are counted apart. `channels`: spot sales by channel, net of refunds.",
                "properties": {
                    "orders": {
                        "type": "integer"
                    },
                    "paid_orders": {
                        "type": "integer"
                    },
                    "unpaid_orders": {
                        "type": "integer"
                    },
                    "expired_orders": {
                        "type": "integer"
                    },
                    "cancelled_orders": {
                        "type": "integer"
                    },
                    "refunded_orders": {
                        "type": "integer"
                    },
                    "presale_orders": {
                        "type": "integer"
                    },
                    "net_units": {
                        "type": "integer"
                    },
                    "net_gmv_cents": {
                        "type": "integer"
                    },
                    "refunded_cents": {
                        "type": "integer"
                    },
                    "presale_units": {
                        "type": "integer"
                    },
                    "presale_gmv_cents": {
                        "type": "integer"
                    },
                    "channels": {
                        "$ref": "#/components/schemas/ChannelSalesMap"
                    }
                }
            }),
        ),
        (
            "SkuReview",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "sku",
                    "name",
                    "opening",
                    "available",
                    "on_hand",
                    "paid_units",
                    "paid_orders",
                    "paid_cents",
                    "unpaid_units",
                    "expired_units",
                    "cancelled_units",
                    "refunded_units",
                    "refunded_cents",
                    "presale_units",
                    "presale_gmv_cents",
                    "net_units",
                    "net_gmv_cents",
                    "channels"
                ],
                "description": "One SKU's reconciliation over the show's window.",
                "properties": {
                    "sku": {
                        "$ref": "#/components/schemas/SkuCode"
                    },
                    "name": {
                        "type": "string"
                    },
                    "opening": {
                        "type": [
                            "integer",
                            "null"
                        ],
                        "description": "Available units when the show went live; null for a SKU not on the lineup."
                    },
                    "available": {
                        "type": "integer",
                        "description": "Available now."
                    },
                    "on_hand": {
                        "type": "integer",
                        "description": "On hand now."
                    },
                    "paid_units": {
                        "type": "integer",
                        "description": "Spot units paid in the window, refunded ones included."
                    },
                    "paid_orders": {
                        "type": "integer"
                    },
                    "paid_cents": {
                        "type": "integer"
                    },
                    "unpaid_units": {
                        "type": "integer",
                        "description": "Still held, unpaid: not sales."
                    },
                    "expired_units": {
                        "type": "integer"
                    },
                    "cancelled_units": {
                        "type": "integer"
                    },
                    "refunded_units": {
                        "type": "integer"
                    },
                    "refunded_cents": {
                        "type": "integer"
                    },
                    "presale_units": {
                        "type": "integer",
                        "description": "Presale units paid, net of refunds (apart from sales)."
                    },
                    "presale_gmv_cents": {
                        "type": "integer"
                    },
                    "net_units": {
                        "type": "integer",
                        "description": "paid_units - refunded_units: the spot units sold."
                    },
                    "net_gmv_cents": {
                        "type": "integer"
                    },
                    "channels": {
                        "$ref": "#/components/schemas/ChannelSalesMap"
                    }
                }
            }),
        ),
        (
            "UnpaidOrder",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "channel",
                    "order_id",
                    "buyer",
                    "units",
                    "cents",
                    "created_at",
                    "expires_at"
                ],
                "description": "An order still held, unpaid, when the review was taken.",
                "properties": {
                    "channel": {
                        "type": "string"
                    },
                    "order_id": {
                        "type": "string"
                    },
                    "buyer": {
                        "type": [
                            "string",
                            "null"
                        ]
                    },
                    "units": {
                        "type": "integer"
                    },
                    "cents": {
                        "type": "integer"
                    },
                    "created_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    },
                    "expires_at": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "format": "date-time"
                    }
                }
            }),
        ),
        (
            "Anomaly",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "kind",
                    "orders",
                    "order_count",
                    "buyer",
                    "buyers",
                    "why_zh",
                    "why_en"
                ],
                "description": "One anomaly of the show, with its orders, buyer and a sentence in Chinese and English.",
                "properties": {
                    "kind": {
                        "type": "string",
                        "enum": [
                            "bulk_order",
                            "many_orders",
                            "shared_address",
                            "bad_address",
                            "quick_refund"
                        ],
                        "description": "`bulk_order`: units in one order ≥ `bulk_order_units`; `many_orders`: one buyer's orders ≥ `many_orders_per_buyer`; `shared_address`: ≥ `shared_address_buyers` distinct buyers at one address or one phone_hash; `bad_address`: a paid order with no address, no region, or a detail shorter than `address_detail_chars_min` or with no letter or digit; `quick_refund`: refunded ≤ `quick_refund_minutes` after payment (scalpers, 黄牛)."
                    },
                    "orders": {
                        "type": "array",
                        "items": {
                            "$ref": "#/components/schemas/OrderRef"
                        },
                        "maxItems": 100,
                        "description": "The orders at fault (at most 100), by channel and id."
                    },
                    "order_count": {
                        "type": "integer",
                        "minimum": 1
                    },
                    "buyer": {
                        "type": [
                            "string",
                            "null"
                        ],
                        "description": "The buyer at fault; null for a shared address."
                    },
                    "buyers": {
                        "type": "array",
                        "items": {
                            "type": "string"
                        },
                        "description": "Every buyer involved."
                    },
                    "why_zh": {
                        "type": "string"
                    },
                    "why_en": {
                        "type": "string"
                    }
                }
            }),
        ),
        (
            "OrderRef",
            json!({
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
            }),
        ),
        (
            "ReviewThresholds",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": [
                    "bulk_order_units",
                    "many_orders_per_buyer",
                    "shared_address_buyers",
                    "quick_refund_minutes",
                    "address_detail_chars_min"
                ],
                "description": "The anomaly thresholds in use: the config file's `[review]` table.",
                "properties": {
                    "bulk_order_units": {
                        "type": "integer",
                        "minimum": 1
                    },
                    "many_orders_per_buyer": {
                        "type": "integer",
                        "minimum": 1
                    },
                    "shared_address_buyers": {
                        "type": "integer",
                        "minimum": 2
                    },
                    "quick_refund_minutes": {
                        "type": "number",
                        "exclusiveMinimum": 0
                    },
                    "address_detail_chars_min": {
                        "type": "integer",
                        "minimum": 0
                    }
                }
            }),
        ),
    ]
}
