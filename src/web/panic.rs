//! A panic in a handler: answered 500 `internal` with the error body, logged with its message and
//! counted (`livestock_handler_panics_total`); the panic's text never reaches the client.

use super::error::ApiError;
use axum::Router;
use axum::response::{IntoResponse, Response};
use std::any::Any;
use tower_http::catch_panic::CatchPanicLayer;

/// Wraps every route of `router` so a panicking handler answers 500 instead of dropping the
/// connection, and the server keeps serving.
pub fn catch_panics(router: Router) -> Router {
    router.layer(CatchPanicLayer::custom(answer))
}

/// The answer to a panicked request; the panic's message goes to the log only.
fn answer(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    tracing::error!(panic = message, "a request handler panicked");
    metrics::counter!("livestock_handler_panics_total").increment(1);
    ApiError::internal("the server failed on this request; it has been logged").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::auth::{Role, Tokens};
    use crate::web::feed::Feed;
    use crate::web::{AppState, app};
    use axum::routing::get;
    use serde_json::{Value, json};

    /// The panic's text, which must not reach the client.
    const SECRET: &str = "the ledger at /var/secret is torn";
    const ADMIN: &str = "panic-test-admin";

    async fn boom() -> &'static str {
        panic!("{SECRET}")
    }

    /// The server's routes plus one that panics, wrapped as `app()` wraps its own; on port 0.
    async fn serve() -> String {
        crate::web::pages::install_metrics();
        let state = AppState::new(
            Tokens::new(vec![(Role::Admin, ADMIN.to_owned())]),
            Feed::new(100),
        );
        let router = catch_panics(Router::new().route("/boom", get(boom)).merge(app(state)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        format!("http://{addr}")
    }

    /// `livestock_handler_panics_total` as `/metrics` shows it (0 before the first panic).
    async fn panics_counted(base: &str) -> u64 {
        let text = reqwest::Client::new()
            .get(format!("{base}/metrics"))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("livestock_handler_panics_total "))
            .map_or(0, |v| v.trim().parse().unwrap())
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_internal_without_the_panic_text_and_is_counted() {
        let base = serve().await;
        let before = panics_counted(&base).await;
        let resp = reqwest::get(format!("{base}/boom")).await.unwrap();
        assert_eq!(resp.status().as_u16(), 500);
        let text = resp.text().await.unwrap();
        assert!(!text.contains(SECRET), "the panic text leaked: {text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["code"], json!("internal"), "{body}");
        assert!(body["error"]["message"].is_string(), "{body}");
        assert_eq!(panics_counted(&base).await, before + 1);
        let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(health.status().as_u16(), 200, "the server serves on");
    }
}
