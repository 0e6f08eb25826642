//! The protocol's errors (RFC 6749 §5.2, RFC 6750 §3, RFC 7009, RFC 7662):
//! an error code and a description for the client, or a server error whose
//! cause is kept for the log and never shown. No HTTP status here: the web
//! layer decides how each code is answered.

use latchkey_session::SessionError;
use latchkey_store::StoreError;

use crate::clients::ClientAuthError;
use crate::jwt::TokenError;
use crate::refresh::RefreshError;
use crate::signing::KeyError;

type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An OAuth 2.0 / OpenID Connect error for a client.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The client's request is refused with this code and description.
    #[error("{error}: {description}")]
    Protocol {
        /// The registered error code (`invalid_request`, `invalid_grant`, …).
        error: &'static str,
        /// The human-readable `error_description`.
        description: String,
    },
    /// The server failed; the client gets `server_error` and a fixed
    /// description, the cause goes to the log.
    #[error("server_error: the server could not complete the request")]
    Server(#[source] Cause),
}

/// The `error_description` of every server error.
pub const SERVER_ERROR_DESCRIPTION: &str = "The server could not complete the request.";

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        Self::Protocol {
            error,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }

    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new("invalid_scope", description)
    }

    /// A `resource` that is malformed or not one the client or grant may
    /// use (RFC 8707 §2).
    pub fn invalid_target(description: impl Into<String>) -> Self {
        Self::new("invalid_target", description)
    }

    /// Client authentication failed (whatever the reason: RFC 6749 §5.2).
    pub fn invalid_client() -> Self {
        Self::new("invalid_client", "Client authentication failed.")
    }

    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new("unauthorized_client", description)
    }

    /// A bearer token that is not valid (RFC 6750 §3.1).
    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new("invalid_token", description)
    }

    /// A server error with its cause.
    pub fn server(cause: impl Into<Cause>) -> Self {
        Self::Server(cause.into())
    }

    /// The error code sent to the client.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Protocol { error, .. } => error,
            Self::Server(_) => "server_error",
        }
    }

    /// The `error_description` sent to the client.
    pub fn description(&self) -> &str {
        match self {
            Self::Protocol { description, .. } => description,
            Self::Server(_) => SERVER_ERROR_DESCRIPTION,
        }
    }

    pub fn is_server_error(&self) -> bool {
        matches!(self, Self::Server(_))
    }
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        Self::server(e)
    }
}

impl From<SessionError> for OAuthError {
    fn from(e: SessionError) -> Self {
        Self::server(e)
    }
}

impl From<KeyError> for OAuthError {
    fn from(e: KeyError) -> Self {
        Self::server(e)
    }
}

impl From<TokenError> for OAuthError {
    fn from(e: TokenError) -> Self {
        Self::server(e)
    }
}

/// A refused refresh token is `invalid_grant` whatever the reason (the
/// client learns nothing more); storage failures are server errors.
impl From<RefreshError> for OAuthError {
    fn from(e: RefreshError) -> Self {
        match e {
            RefreshError::Store(e) => Self::server(e),
            other => Self::invalid_grant(other.description()),
        }
    }
}

impl From<ClientAuthError> for OAuthError {
    fn from(e: ClientAuthError) -> Self {
        match e {
            ClientAuthError::InvalidClient => Self::invalid_client(),
            ClientAuthError::InvalidRequest(why) => Self::invalid_request(why),
            ClientAuthError::UnauthorizedClient(why) => Self::unauthorized_client(why),
            ClientAuthError::Store(e) => Self::server(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_keep_their_cause_and_tell_the_client_nothing() {
        let e = OAuthError::from(StoreError::Corrupt("row 7".into()));
        assert_eq!(e.code(), "server_error");
        assert_eq!(e.description(), SERVER_ERROR_DESCRIPTION);
        let cause = std::error::Error::source(&e).expect("the cause is kept");
        assert!(cause.to_string().contains("row 7"), "{cause}");
    }

    #[test]
    fn refused_refresh_tokens_all_read_the_same() {
        let a = OAuthError::from(RefreshError::Reused);
        let b = OAuthError::from(RefreshError::Unknown);
        assert_eq!((a.code(), a.description()), (b.code(), b.description()));
        assert_eq!(a.code(), "invalid_grant");
    }
}

/// Why an authorization-endpoint or logout request cannot go on; each is
/// shown to the user as a page, never redirected.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The client or its redirect URI cannot be trusted.
    #[error(transparent)]
    Untrusted(#[from] crate::authorize::UntrustedRequest),
    #[error(transparent)]
    Logout(#[from] LogoutRefusal),
    /// The pending request expired or was used.
    #[error("This sign-in request has expired. Go back to the application and start again.")]
    RequestGone,
    /// The request's client was removed or disabled meanwhile.
    #[error("The application is no longer registered.")]
    ClientGone,
    /// Too many requests from this browser's address had to be kept for
    /// sign-in; `retry_after` seconds until the window ends.
    #[error("Too many sign-in requests. Try again in {retry_after} seconds.")]
    RateLimited {
        limit: &'static str,
        retry_after: u64,
    },
    #[error("the authorization request could not be completed")]
    Server(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl From<latchkey_store::StoreError> for FlowError {
    fn from(e: latchkey_store::StoreError) -> Self {
        Self::Server(Box::new(e))
    }
}

impl From<latchkey_session::SessionError> for FlowError {
    fn from(e: latchkey_session::SessionError) -> Self {
        Self::Server(Box::new(e))
    }
}

/// Why a logout request is refused (shown as a page, nothing redirected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoutRefusal {
    #[error("The id_token_hint is not a token this server issued.")]
    ForeignHint,
    #[error("client_id does not match the id_token_hint.")]
    HintForAnotherClient,
    #[error("post_logout_redirect_uri needs id_token_hint or client_id.")]
    RedirectWithoutClient,
    #[error("Unknown client.")]
    UnknownClient,
    #[error("post_logout_redirect_uri is not registered for this client.")]
    UnregisteredRedirect,
}
