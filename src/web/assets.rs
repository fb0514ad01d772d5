//! The static files (`static/`: the pages' ES modules, styles, the vendored chart library and its
//! licence), embedded in the binary so the server is one file and pages load nothing from the
//! internet. Served at `/static/{*path}`, sub-folders included, never outside `static/`.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::web::openapi::responses;

#[derive(rust_embed::RustEmbed)]
#[folder = "static/"]
struct Static;

/// How long a browser may keep a font without asking again: the fonts are large (about 1.1 MB a
/// weight) and change only with a new release of the binary; a week-old copy is the same glyphs.
const FONT_CACHE: &str = "public, max-age=604800";

/// Scripts and styles are revalidated on every load, so a new binary's pages never run old code.
const CODE_CACHE: &str = "no-cache";

fn cache_control(name: &str) -> &'static str {
    if name.ends_with(".woff2") {
        FONT_CACHE
    } else {
        CODE_CACHE
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("wav") => "audio/wav",
        Some("json") => "application/json",
        Some("woff2") => "font/woff2",
        _ => "text/plain; charset=utf-8",
    }
}

/// Whether `path` names a file inside `static/`: relative, `/`-separated plain names, none of
/// them empty, `.` or `..` (the embedded folder is read from disk in debug builds, so a path that
/// climbs out must never reach it).
fn is_inside(path: &str) -> bool {
    !path.contains('\\')
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// `GET /static/{*path}`.
#[utoipa::path(
    get,
    path = "/static/{*path}",
    operation_id = "staticFile",
    tag = "pages",
    summary = "A static file",
    description = "A file embedded from `static/` (scripts, styles, the vendored chart library, its licence). Sent with `Cache-Control: no-cache`. No token needed.",
    params(
        ("path" = inline(String), Path, description = "The file's path inside `static/`, sub-folders included, e.g. `board/main.js`. A path with an empty, `.` or `..` segment, a backslash or a leading `/` is refused with 422 `invalid` (field `path`)."),
    ),
    responses(
        (status = 200, description = "The file, typed by its extension.", content((String = "text/javascript"), (String = "text/css"), (String = "image/svg+xml"), ("application/json"), (String = "text/plain"))),
        (status = 404, response = responses::NotFound),
        (status = 422, response = responses::Invalid),
    ),
    security(),
)]
pub async fn file(Path(path): Path<String>) -> Response {
    if !is_inside(&path) {
        return ApiError::invalid(
            "path",
            "a static file is named by plain names separated by /, without . or ..",
        )
        .into_response();
    }
    match Static::get(&path) {
        Some(f) => (
            [
                (CONTENT_TYPE, content_type(&path)),
                (CACHE_CONTROL, cache_control(&path)),
            ],
            f.data.into_owned(),
        )
            .into_response(),
        None => ApiError::not_found(format!("no static file {path}")).into_response(),
    }
}

/// `GET /api/openapi.json`: the OpenAPI document of the HTTP API, generated from the routes.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    tag = "operations",
    summary = "This document",
    description = "The OpenAPI document of the HTTP API. No token needed.",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document.", content((ref("#/components/schemas/OpenApiDocument") = "application/json"))),
    ),
    security(),
)]
pub async fn openapi() -> Response {
    axum::Json(crate::web::openapi::document()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    async fn get(path: &str) -> Response {
        file(Path(path.to_owned())).await
    }

    fn content_type_of(r: &Response) -> &str {
        r.headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[tokio::test]
    async fn a_module_in_a_sub_folder_is_served_as_javascript() {
        let r = get("board/main.js").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(content_type_of(&r), "text/javascript; charset=utf-8");
        let r = get("lib/format.js").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(content_type_of(&r), "text/javascript; charset=utf-8");
    }

    #[tokio::test]
    async fn a_stylesheet_in_a_sub_folder_is_served_as_css() {
        let r = get("board/table.css").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(content_type_of(&r), "text/css; charset=utf-8");
    }

    #[tokio::test]
    async fn the_vendored_font_is_served_as_woff2_and_may_be_cached_for_a_week() {
        let r = get("fonts/noto-sans-sc-chinese-simplified-700-normal.woff2").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(content_type_of(&r), "font/woff2");
        assert_eq!(
            r.headers().get(CACHE_CONTROL).and_then(|v| v.to_str().ok()),
            Some(FONT_CACHE)
        );
        let body = axum::body::to_bytes(r.into_body(), 4 << 20)
            .await
            .expect("reading the font");
        assert_eq!(
            &body[..4],
            b"wOF2",
            "a WOFF2 file starts with its signature"
        );
        let r = get("base.css").await;
        assert_eq!(
            r.headers().get(CACHE_CONTROL).and_then(|v| v.to_str().ok()),
            Some(CODE_CACHE)
        );
    }

    #[tokio::test]
    async fn a_path_that_climbs_out_of_static_is_refused_naming_the_path() {
        for path in [
            "../Cargo.toml",
            "board/../../Cargo.toml",
            "/etc/passwd",
            "board//main.js",
            "./board/main.js",
            "board\\..\\..\\Cargo.toml",
        ] {
            let r = get(path).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            let body = axum::body::to_bytes(r.into_body(), 4096)
                .await
                .expect("reading the body");
            let body: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
            assert_eq!(body["error"]["field"], "path", "{path}: {body}");
        }
    }

    #[tokio::test]
    async fn a_missing_file_is_not_found() {
        assert_eq!(
            get("board/nothing.js").await.status(),
            StatusCode::NOT_FOUND
        );
    }
}
