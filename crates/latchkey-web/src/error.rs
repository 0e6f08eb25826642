//! The one place where errors become HTTP responses. A 5xx shows only a
//! request id; the cause goes to the log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// An error of a page or JSON endpoint (OAuth protocol errors have their own type).
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("the page was not found")]
    NotFound,
    #[error("the request is not valid: {0}")]
    BadRequest(String),
    #[error("an internal error occurred")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<latchkey_store::StoreError> for WebError {
    fn from(e: latchkey_store::StoreError) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<latchkey_session::SessionError> for WebError {
    fn from(e: latchkey_session::SessionError) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            // The request id is added by the middleware as `x-request-id`
            // and is on every log line of the request's span.
            tracing::error!(error = %cause, source = ?cause.source(), "internal error");
        }
        let message = match self {
            Self::Internal(_) => "Something went wrong on our side. Quote the request id (x-request-id) when you report it.".to_owned(),
            other => other.to_string(),
        };
        HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(message)
    }
}
