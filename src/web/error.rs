//! The one error type of the HTTP layer: every 4xx/5xx body is
//! `{"error": {"code", "message", "field"}}` (API.md "Errors").

use crate::domain::{Refusal, RefusalCode};
use crate::engine::EngineError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Every `error.code` the server sends: the document's `ErrorDetail.code` lists exactly these
/// (tests/openapi reads the sources for a code not listed here).
pub const CODES: &[&str] = &[
    "invalid",
    "bad_json",
    "too_large",
    "unauthorized",
    "bad_signature",
    "forbidden",
    "not_found",
    "conflict",
    "out_of_stock",
    "limit_exceeded",
    "invalid_transition",
    "unknown_sku",
    "method_not_allowed",
    "bad_request",
    "unavailable",
    "rate_limited",
    "internal",
];

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Seconds for a `Retry-After` header: when the client may try again (429, 503).
    pub retry_after_secs: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Tells the client when to try again (`Retry-After`, in seconds).
    pub fn with_retry_after(mut self, secs: u32) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// 422: a field is malformed or out of range.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message).with_field(field)
    }

    pub fn bad_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_json", message)
    }

    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid token is needed: Authorization: Bearer TOKEN (pages: ?token=TOKEN)",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// 500: the server failed; the message says so without the details, which go to the log.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// The JSON body, also used inside batch answers.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(field) = &self.field {
            error["field"] = json!(field);
        }
        json!({ "error": error })
    }

    /// Puts the index of an array element in front of the field (`[3].lines[0].qty`).
    pub fn in_item(mut self, index: usize) -> Self {
        self.field = Some(match self.field.take() {
            Some(f) if f.starts_with('[') => format!("[{index}]{f}"),
            Some(f) => format!("[{index}].{f}"),
            None => format!("[{index}]"),
        });
        self
    }
}

/// The code of an error answer, kept on the response for `/metrics` (`web::metrics`).
#[derive(Clone, Copy, Debug)]
pub struct ErrorCode(pub &'static str);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        response.extensions_mut().insert(ErrorCode(self.code));
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        let (status, code) = match r.code {
            RefusalCode::Invalid => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            RefusalCode::Conflict => (StatusCode::CONFLICT, "conflict"),
            RefusalCode::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            RefusalCode::UnknownSku => (StatusCode::CONFLICT, "unknown_sku"),
        };
        let mut e = ApiError::new(status, code, r.message);
        e.field = r.field;
        match r.item {
            Some(i) => e.in_item(i),
            None => e,
        }
    }
}

/// Seconds a client waits before retrying a write refused for a full disk or a failed journal.
const WRITES_RETRY_AFTER_SECS: u32 = 5;

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Gone => ApiError::unavailable("the server is shutting down"),
            EngineError::DiskFull => ApiError::unavailable(
                "the disk is full: writes are paused and nothing was changed; try again shortly",
            )
            .with_retry_after(WRITES_RETRY_AFTER_SECS),
            EngineError::NotLeader => ApiError::unavailable(
                "this node follows the shop's leader and the leader is not known yet; try again shortly",
            )
            .with_retry_after(WRITES_RETRY_AFTER_SECS),
            EngineError::Failed => ApiError::unavailable(
                "the journal could not be written: the server takes no more writes and restarts; \
                 what was acknowledged is safe, this request was not applied",
            )
            .with_retry_after(WRITES_RETRY_AFTER_SECS),
        }
    }
}
