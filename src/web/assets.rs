//! The static files (`static/`: scripts, styles, the vendored chart library and its licence),
//! embedded in the binary so the server is one file and pages load nothing from the internet.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

#[derive(rust_embed::RustEmbed)]
#[folder = "static/"]
struct Static;

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("wav") => "audio/wav",
        Some("json") => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}

/// `GET /static/{name}`.
pub async fn file(Path(name): Path<String>) -> Response {
    match Static::get(&name) {
        Some(f) => (
            [
                (CONTENT_TYPE, content_type(&name)),
                (CACHE_CONTROL, "no-cache"),
            ],
            f.data.into_owned(),
        )
            .into_response(),
        None => ApiError::not_found(format!("no static file {name}")).into_response(),
    }
}

/// `GET /api/openapi.json`: the OpenAPI document of the HTTP API (`static/openapi.json`).
pub async fn openapi() -> Response {
    file(Path("openapi.json".to_owned())).await
}
