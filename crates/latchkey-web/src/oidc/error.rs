//! OAuth 2.0 protocol errors (RFC 6749 §5.2), distinct from page and JSON
//! errors: `{"error": code, "error_description": text}`, never cached, and
//! 401 with `WWW-Authenticate` when client authentication failed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, Clone, thiserror::Error)]
#[error("{error}: {description}")]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    pub www_authenticate: Option<String>,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
            www_authenticate: None,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }

    /// Client authentication failed: 401 with a Basic challenge.
    pub fn invalid_client() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Client authentication failed.".into(),
            www_authenticate: Some("Basic realm=\"latchkey\", charset=\"UTF-8\"".into()),
        }
    }

    /// A bearer token was missing or not valid (RFC 6750 §3).
    pub fn invalid_token(description: impl Into<String>) -> Self {
        let description = description.into();
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_token",
            www_authenticate: Some(format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                description.replace('"', "'")
            )),
            description,
        }
    }

    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error in a protocol endpoint");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description: "The server could not complete the request.".into(),
            www_authenticate: None,
        }
    }
}

impl From<latchkey_store::StoreError> for OAuthError {
    fn from(e: latchkey_store::StoreError) -> Self {
        Self::internal(&e)
    }
}

impl From<latchkey_session::SessionError> for OAuthError {
    fn from(e: latchkey_session::SessionError) -> Self {
        Self::internal(&e)
    }
}

impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header(("cache-control", "no-store"))
            .insert_header(("pragma", "no-cache"));
        if let Some(challenge) = &self.www_authenticate {
            res.insert_header(("www-authenticate", challenge.clone()));
        }
        res.json(serde_json::json!({ "error": self.error, "error_description": self.description }))
    }
}
