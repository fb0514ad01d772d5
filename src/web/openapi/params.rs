//! The schemas of the query, path and header parameters, one type each, for `params(...)` of the
//! handlers' `#[utoipa::path]`. A parameter whose value is a component names it by `$ref`.

use super::parameter_schemas;

parameter_schemas! {
    /// A page's language: `en`, else Chinese.
    PageLang => {"type": "string", "default": "zh-CN", "examples": ["en"]},
    /// Which screen a WebSocket feeds.
    View => {"type": "string", "enum": ["board", "host", "overlay", "feed"], "default": "board"},
    /// A live room's id.
    RoomId => {"$ref": "#/components/schemas/RoomId"},
    /// What a review counts: one room's show, or the whole night.
    Scope => {"type": "string", "enum": ["room", "night"], "default": "room"},
    /// A SKU code.
    SkuCode => {"$ref": "#/components/schemas/SkuCode"},
    /// A journal sequence number to page after.
    AfterSeq => {"type": "integer", "minimum": 0, "default": 0},
    /// A page of movement records.
    MovementLimit => {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000},
    /// A signed push's `X-Livestock-Signature`.
    Signature => {"type": "string", "example": "t=1795535400,v1=5f2b0c8e9a7d4c1b3e6f0a2d8c4b7e1f9a3c5d7e0b2f4a6c8e1d3b5f7a9c0e2d"},
    /// A report as JSON or a download.
    Format => {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"},
    /// The language of a download's column titles.
    DownloadLang => {"type": "string", "enum": ["zh", "en"], "default": "zh"},
    /// A channel's name.
    Channel => {"$ref": "#/components/schemas/Channel"},
    /// Only the unacknowledged alerts.
    Open => {"type": "boolean", "default": false},
    /// A page of alerts.
    AlertLimit => {"type": "integer", "minimum": 1, "maximum": 5000, "default": 5000},
    /// How an import treats existing codes.
    Mode => {"type": "string", "enum": ["create", "upsert"], "default": "create"},
    /// Who does it, for the audit trail.
    Ident => {"$ref": "#/components/schemas/Ident"},
    /// A download's format.
    ExportFormat => {"type": "string", "enum": ["csv", "xlsx"], "default": "csv"},
    /// An RFC 3339 time.
    Timestamp => {"$ref": "#/components/schemas/Timestamp"},
    /// A day of the shop.
    Date => {"type": "string", "format": "date", "examples": ["2026-11-24"]},
    /// The day a report page shows.
    PageDate => {"type": "string", "format": "date"},
}
