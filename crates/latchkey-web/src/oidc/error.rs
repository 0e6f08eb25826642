//! Where the authorization server's errors become HTTP: protocol errors of
//! the token, revocation, introspection and userinfo endpoints as RFC 6749
//! §5.2 JSON (`{"error": code, "error_description": text}`, never cached),
//! and the authorization and logout endpoints' refusals as pages.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use latchkey_oidc::{FlowError, OAuthError};

use crate::error::WebError;

/// A protocol error on its way to the client.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ProtocolError {
    #[source]
    error: OAuthError,
    at: Endpoint,
}

/// Which kind of endpoint refused, when the code alone does not say which
/// challenge goes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    /// Decided by the error code.
    Any,
    /// A bearer-token endpoint, and no token was presented at all: the
    /// challenge names no error (RFC 6750 §3.1).
    BearerWithoutToken,
    /// A bearer-token endpoint refusing a malformed request.
    Bearer,
}

impl ProtocolError {
    /// A request to a bearer-token endpoint without a token.
    pub fn no_bearer_token() -> Self {
        Self {
            error: OAuthError::invalid_token("A bearer access token is required."),
            at: Endpoint::BearerWithoutToken,
        }
    }

    /// A malformed request to a bearer-token endpoint (RFC 6750 §3.1).
    pub fn bearer_invalid_request(description: impl Into<String>) -> Self {
        Self {
            error: OAuthError::invalid_request(description),
            at: Endpoint::Bearer,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        OAuthError::invalid_request(description).into()
    }

    /// The `WWW-Authenticate` challenge that goes with the error, if any.
    fn challenge(&self) -> Option<String> {
        match self.error.code() {
            _ if self.at == Endpoint::BearerWithoutToken => {
                Some("Bearer realm=\"latchkey\"".into())
            }
            "invalid_request" if self.at == Endpoint::Bearer => {
                Some("Bearer error=\"invalid_request\"".into())
            }
            "invalid_client" => Some("Basic realm=\"latchkey\", charset=\"UTF-8\"".into()),
            "invalid_token" => Some(format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                self.error.description().replace('"', "'")
            )),
            // Userinfo is the only resource served here; it needs `openid`.
            "insufficient_scope" => {
                Some("Bearer error=\"insufficient_scope\", scope=\"openid\"".into())
            }
            _ => None,
        }
    }
}

impl From<OAuthError> for ProtocolError {
    fn from(error: OAuthError) -> Self {
        Self {
            error,
            at: Endpoint::Any,
        }
    }
}

impl From<latchkey_store::StoreError> for ProtocolError {
    fn from(e: latchkey_store::StoreError) -> Self {
        OAuthError::from(e).into()
    }
}

impl ResponseError for ProtocolError {
    fn status_code(&self) -> StatusCode {
        match self.error.code() {
            "invalid_client" | "invalid_token" => StatusCode::UNAUTHORIZED,
            "insufficient_scope" => StatusCode::FORBIDDEN,
            "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let OAuthError::Server(cause) = &self.error {
            tracing::error!(error = %cause, source = ?cause.source(), "internal error in a protocol endpoint");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header(("cache-control", "no-store"))
            .insert_header(("pragma", "no-cache"));
        if let Some(challenge) = self.challenge() {
            res.insert_header(("www-authenticate", challenge));
        }
        res.json(serde_json::json!({
            "error": self.error.code(),
            "error_description": self.error.description(),
        }))
    }
}

/// Authorization and logout refusals are pages: the client cannot be
/// trusted with a redirect, or the request is gone.
impl From<FlowError> for WebError {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::Untrusted(_) | FlowError::Logout(_) => Self::BadRequest(e.to_string()),
            FlowError::RequestGone => Self::Gone(crate::error::REQUEST_GONE),
            FlowError::ClientGone => Self::Gone(crate::error::CLIENT_GONE),
            FlowError::RateLimited { retry_after, .. } => Self::TooManyRequests { retry_after },
            FlowError::Server(cause) => Self::Internal(cause),
        }
    }
}
