//! The OpenAPI document (`GET /api/openapi.json`, SPEC F5), generated from the code: its paths and
//! operations are the `#[utoipa::path]` attributes of the handlers that `web::routes()` registers
//! with utoipa-axum's `routes!()`, so a route cannot be served undocumented; its component schemas
//! are written here, one file per resource ([`schemas`]), and checked against real answers by
//! tests/openapi. Swagger UI shows it at `/api/docs`, served from the binary.

pub mod params;
mod schemas;

use crate::web::auth::Role;
use serde_json::{Value, json};
use std::sync::OnceLock;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{
    Paths, Ref, RefOr, Required, Response, ResponseBuilder, content::ContentBuilder,
};
use utoipa_axum::router::UtoipaMethodRouter;

/// Where Swagger UI is served.
pub const DOCS_PATH: &str = "/api/docs";
/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/openapi.json";

/// The document, made once from the routes.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let (_, paths) = super::routes().split_for_parts();
        assemble(serde_json::to_value(paths).expect("the document serialises"))
    })
}

/// The generated paths with what they refer to: the title and tags, the security schemes, the
/// shared responses and the component schemas.
fn assemble(mut doc: Value) -> Value {
    let mut base = json!({
        "info": {
            "title": "livestock (直播库存看板) HTTP API",
            "version": "1.0.0",
            "description": "The HTTP API of livestock (直播库存看板): the stock book of record and live board of a live-stream shop. The contract in prose is API.md; this document describes every route the server has.\n\n**Tokens.** Every route except `/healthz`, `/readyz`, `/static/{path}` and this document needs a token: `Authorization: Bearer TOKEN`, or `?token=TOKEN` in the query, or the cookie `livestock_token` (set by a page loaded with `?token=`). Each token has a role: admin (may do everything), operator, warehouse, ingest, overlay, viewer. Each operation lists the roles that may call it (also in `x-roles`); any other role gets 403 `forbidden`.\n\n**Errors.** Every 4xx/5xx JSON body is `{\"error\": {\"code\", \"message\", \"field\"?}}` (schema `Error`); `field` names the field at fault (`lines[0].qty`, `[3].sku` in an array body). A rejected request changes nothing. A method a route does not take is 405 `method_not_allowed` (with an `Allow` header); a path that does not exist is 404 `not_found`.\n\n**Bodies.** JSON bodies are at most 2 MiB and arrays at most 1000 items (413 `too_large`); bad JSON is 400 `bad_json`; a missing, unknown or out-of-range field is 422 `invalid`. An integer may be written with a zero fraction or an exponent (`100.0`, `1e2`), as JSON Schema's `integer` allows; a number with a fraction (`1.5`) where an integer is wanted is 422 `invalid`. Times are read as RFC 3339 with any offset and written in UTC; some records (movements, orders, frames) carry epoch milliseconds (`*_ms`).",
            "license": {
                "name": "MIT",
                "identifier": "MIT"
            }
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [
            {
                "url": "/",
                "description": "The server that serves this document."
            }
        ],
        "tags": [
            {
                "name": "stock",
                "description": "Catalog, stock views and movements."
            },
            {
                "name": "orders",
                "description": "Order events from the channels."
            },
            {
                "name": "show",
                "description": "The live show: lineup, on air, viewers."
            },
            {
                "name": "alerts",
                "description": "Warnings."
            },
            {
                "name": "screens",
                "description": "The screens' WebSocket."
            },
            {
                "name": "pages",
                "description": "HTML pages and their static files."
            },
            {
                "name": "operations",
                "description": "Health, readiness, metrics, this document."
            },
            {
                "name": "channels",
                "description": "One available number for every channel, and what each displays."
            },
            {
                "name": "reports",
                "description": "The daily movement report and the report pages."
            }
        ],
        "security": [
            {
                "bearerAuth": []
            },
            {
                "cookieAuth": []
            },
            {
                "queryToken": []
            }
        ],
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "`Authorization: Bearer TOKEN`, a role's token (LIVESTOCK_TOKEN_ADMIN, _OPERATOR, _WAREHOUSE, _INGEST, _OVERLAY, _VIEWER)."
            },
            "cookieAuth": {
                "type": "apiKey",
                "in": "cookie",
                "name": "livestock_token",
                "description": "Set by a page loaded with `?token=`; carries the page's later requests and its WebSocket."
            },
            "queryToken": {
                "type": "apiKey",
                "in": "query",
                "name": "token",
                "description": "`?token=TOKEN`, for pages and WebSockets (accepted on every route); taken as is, not percent-decoded."
            }
        }
    });
    for (k, v) in base.as_object_mut().expect("an object").iter_mut() {
        if k != "securitySchemes" {
            doc[k.as_str()] = v.take();
        }
    }
    if let Some(paths) = doc["paths"].as_object_mut() {
        // axum's catch-all `{*path}` is OpenAPI's `{path}`.
        *paths = std::mem::take(paths)
            .into_iter()
            .map(|(p, item)| (p.replace("{*", "{"), item))
            .collect();
        paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
            .for_each(complete_operation);
    }
    let components = &mut doc["components"];
    components["securitySchemes"] = base["securitySchemes"].take();
    components["responses"] = responses::all()
        .into_iter()
        .map(|(name, r)| {
            (
                name.to_owned(),
                serde_json::to_value(r).expect("a response"),
            )
        })
        .collect();
    components["schemas"] = schemas::all()
        .into_iter()
        .map(|(name, s)| (name.to_owned(), s))
        .collect();
    doc
}

/// What `#[utoipa::path]` cannot say of an operation: a body is required (every handler that takes
/// one refuses a missing one, 400 `bad_json`), and an optional header is absent or a string, never
/// `null` (utoipa makes an `Option` header nullable).
fn complete_operation(op: &mut Value) {
    if let Some(body) = op.get_mut("requestBody") {
        body["required"] = json!(true);
    }
    let headers = op
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "header");
    for header in headers {
        let schema = &mut header["schema"];
        let not_null = schema["oneOf"]
            .as_array()
            .and_then(|one| one.iter().find(|s| s["type"] != "null"))
            .cloned();
        if let Some(s) = not_null {
            *schema = s;
        }
    }
}

/// The same operations at `/api/v1/rooms/{room}/…`, one room's show (API.md "Rooms"): each plain
/// `/api/v1/show…` handler serves both paths and reads the room from its path (`RoomPath`, `main`
/// when the path has none), so its operation is the plain one with a `room` parameter, a 404 for
/// a room the shop does not have, and an operation id ending in `InRoom`.
pub fn in_room<S>(plain: UtoipaMethodRouter<S>) -> UtoipaMethodRouter<S> {
    let (schemas, paths, router) = plain;
    let mut rooms = Paths::new();
    for (path, mut item) in paths.paths {
        let path = path.replacen("/api/v1/", "/api/v1/rooms/{room}/", 1);
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in operations.into_iter().flatten() {
            op.operation_id = op.operation_id.take().map(|id| format!("{id}InRoom"));
            let mut parameters = vec![room_parameter()];
            parameters.extend(op.parameters.take().unwrap_or_default());
            op.parameters = Some(parameters);
            op.responses
                .responses
                .entry("404".to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("NotFound")));
        }
        rooms.paths.insert(path, item);
    }
    (schemas, rooms, router)
}

fn room_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("room")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(
            "The room's id (`POST /api/v1/rooms` creates one); a room the shop does not have is 404.",
        ))
        .schema(Some(RefOr::Ref(Ref::from_schema_name("RoomId"))))
        .build()
}

/// The roles an operation admits, as its `x-roles` lists them: admin always, then `admitted`.
pub fn roles(admitted: &[Role]) -> Vec<&'static str> {
    Role::ALL
        .iter()
        .filter(|r| **r == Role::Admin || admitted.contains(r))
        .map(|r| r.name())
        .collect()
}

/// `x-websocket` of `GET /ws`: the frames each way, by schema.
pub fn websocket() -> Value {
    json!({
        "serverFrames": {
            "$ref": "#/components/schemas/WsServerFrame"
        },
        "clientFrames": {
            "$ref": "#/components/schemas/WsClientFrame"
        }
    })
}

/// An error answer with the error body, and an example of it.
fn error_response(description: &str, example: Value) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Error",
                ))))
                .example(Some(example))
                .build(),
        )
        .build()
}

/// The error answers many operations share, each a type for `(status = …, response = …)`.
macro_rules! shared_responses {
    ($($name:ident => $description:literal, $example:tt,)*) => {
        $(
            #[doc = $description]
            pub struct $name;
            impl<'s> utoipa::ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    let example = json!({"error": $example});
                    (stringify!($name), RefOr::T(error_response($description, example)))
                }
            }
        )*
        /// Every shared answer, for `components/responses`.
        pub(super) fn all() -> Vec<(&'static str, Response)> {
            vec![$((stringify!($name), error_response($description, json!({"error": $example})))),*]
        }
    };
}

/// The error answers many operations share (`components/responses`).
pub mod responses {
    use super::*;

    shared_responses! {
        BadJson => "`bad_json`: the body is not JSON (or is missing).",
            {"code": "bad_json", "message": "the body is not valid JSON: expected value"},
        Unauthorized => "`unauthorized`: no token, or not a known one.",
            {"code": "unauthorized", "message": "a valid token is needed: Authorization: Bearer TOKEN (pages: ?token=TOKEN)"},
        Forbidden => "`forbidden`: the caller's role may not do this.",
            {"code": "forbidden", "message": "the viewer role may not do this; it needs admin or operator"},
        NotFound => "`not_found`.",
            {"code": "not_found", "message": "no SKU HOODIE-BLK-XL"},
        Conflict => "`conflict`: the request does not fit the current state.",
            {"code": "conflict", "message": "the show has already started"},
        TooLarge => "`too_large`: the body is over 2 MiB (2,097,152 bytes), or an array holds more than 1000 items.",
            {"code": "too_large", "message": "an array holds at most 1000 items, this one 1001"},
        Invalid => "`invalid`: a field is missing, unknown, malformed or out of range; `field` names it.",
            {"code": "invalid", "message": "must be between 1 and 1000000, got 0", "field": "lines[0].qty"},
        Unavailable => "`unavailable`: the journal is still being replayed (try again shortly), or the server is shutting down.",
            {"code": "unavailable", "message": "the journal is still being replayed; try again shortly"},
    }
}

/// One schema type per distinct parameter schema (see [`params`]).
macro_rules! parameter_schemas {
    ($($(#[$doc:meta])* $name:ident => $schema:tt,)*) => {
        $(
            $(#[$doc])*
            pub struct $name;
            impl utoipa::PartialSchema for $name {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    serde_json::from_value(serde_json::json!($schema))
                        .expect("a parameter schema utoipa reads")
                }
            }
            impl utoipa::ToSchema for $name {}
        )*
    };
}
use parameter_schemas;
