//! The document's schemas of the live rooms (API.md "Rooms").

use serde_json::{Value, json};

pub(super) fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "RoomId",
            json!({
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "pattern": "^[A-Za-z0-9._-]+$",
                "description": "A live room (直播间) id (RoomId): 1–64 of `A-Z a-z 0-9 . _ -`. `main` is the default room, the one every plain `/api/v1/show…` endpoint means.",
                "examples": ["dy-main"]
            }),
        ),
        (
            "NewRoom",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["room", "name"],
                "description": "A room as `POST /api/v1/rooms` takes it.",
                "properties": {
                    "room": {"$ref": "#/components/schemas/RoomId"},
                    "name": {"$ref": "#/components/schemas/Name"},
                    "channel": {
                        "oneOf": [{"$ref": "#/components/schemas/Channel"}, {"type": "null"}],
                        "description": "The channel the room streams on; a room without one takes the orders of any channel that no live room of its own claims."
                    }
                }
            }),
        ),
        (
            "RoomSummary",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["room", "name", "channel", "title", "state", "current", "viewers",
                             "peak_viewers", "gmv_cents", "orders", "units", "buyers"],
                "description": "A room with its show's summary.",
                "properties": {
                    "room": {"$ref": "#/components/schemas/RoomId"},
                    "name": {"type": "string"},
                    "channel": {"type": ["string", "null"]},
                    "title": {"type": ["string", "null"], "description": "The show's title; null before a show is planned."},
                    "state": {"type": "string", "enum": ["none", "planned", "live", "ended"]},
                    "current": {"oneOf": [{"$ref": "#/components/schemas/SkuCode"}, {"type": "null"}]},
                    "viewers": {"type": "integer", "minimum": 0},
                    "peak_viewers": {"type": "integer", "minimum": 0},
                    "gmv_cents": {"type": "integer", "minimum": 0, "description": "Paid minus refunded while the show is live, as the show's own `gmv_cents`: a refund takes back only from the show its sale counted in, so it is never below zero."},
                    "orders": {"type": "integer", "minimum": 0, "description": "Orders paid minus orders refunded while live (as `gmv_cents`)."},
                    "units": {"type": "integer", "minimum": 0, "description": "Units paid minus units refunded while live (as `gmv_cents`)."},
                    "buyers": {"type": "integer", "minimum": 0}
                },
                "examples": [{"room": "dy-main", "name": "抖音官方旗舰店", "channel": "douyin", "title": null,
                              "state": "none", "current": null, "viewers": 0, "peak_viewers": 0,
                              "gmv_cents": 0, "orders": 0, "units": 0, "buyers": 0}]
            }),
        ),
        (
            "RoomSummaries",
            json!({
                "type": "array",
                "items": {"$ref": "#/components/schemas/RoomSummary"}
            }),
        ),
    ]
}
