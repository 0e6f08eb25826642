//! The authorization-code flow end to end (RFC 6749 §4.1, OpenID Connect
//! Core §3.1): the authorization request kept while the user signs in and
//! consents, the decision what happens next ([`decide()`], pure), the code
//! and its single-use redemption, and the token endpoint's grants.
//!
//! What lives in the session store, so that any node can continue a flow
//! another node began:
//!
//! | namespace | value | lifetime |
//! |---|---|---|
//! | `authz-pending:<id>` | [`Pending`]: a validated request waiting for sign-in or consent, at most [`MAX_PENDING_BYTES`]; stored only then ([`pending`]) | [`PENDING_TTL`], taken when the request ends (code or error) |
//! | `authz-code:<SHA-256 of the code>` | [`CodeRecord`]: what the code stands for | [`CODE_TTL`], taken once |
//! | `authz-code-used:<SHA-256 of the code>` | a redeemed code's marker, to detect a replay | [`USED_CODE_MEMORY`] |

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use latchkey_core::{Acr, Amr, ClientId, UserId};
use serde::{Deserialize, Serialize};

use crate::authorize::AuthorizationRequest;
pub use crate::error::FlowError;

mod authorize;
pub use authorize::StoredRequest;
mod code;
pub mod decide;
pub mod pending;
pub mod token;

pub use decide::{Decision, Situation, decide, required_acr};
pub use pending::{MAX_PENDING_BYTES, PENDING_REQUESTS_PER_IP};
pub use token::{TokenRequest, TokenResponse};

/// The session-store namespace of pending requests.
pub const NS_PENDING: &str = "authz-pending";
/// The session-store namespace of authorization codes.
pub const NS_CODE: &str = "authz-code";
pub(crate) const NS_CODE_USED: &str = "authz-code-used";

pub use crate::lifetimes::{CODE_TTL, PENDING_TTL, USED_CODE_MEMORY};

/// A request waiting for the user to sign in or consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub request: AuthorizationRequest,
    pub created_at: DateTime<Utc>,
    /// A ceremony must happen after `created_at` (prompt=login, max_age).
    pub fresh_auth_required: bool,
    /// The handle of the browser session when the request arrived: a fresh
    /// ceremony always starts a new session, so that one never counts as fresh.
    pub session_at_request: Option<String>,
}

/// What an authorization code stands for, until it is redeemed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    pub client_id: ClientId,
    pub redirect_uri: String,
    pub user_id: UserId,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub auth_time: DateTime<Utc>,
    pub acr: Acr,
    pub amr: Vec<Amr>,
    pub sid: String,
    pub issued_at: DateTime<Utc>,
    /// The resources (RFC 8707) of the authorization request: what the
    /// grant's access tokens may be for.
    #[serde(default)]
    pub resources: BTreeSet<String>,
}

/// What the browser is to do next with an authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeStep {
    /// Sign in (or, for `sign_up`, create an account), then come back to
    /// continue the request `request_id`.
    SignIn { request_id: String, sign_up: bool },
    /// Ask the user to allow the client.
    Consent(ConsentPrompt),
    /// Go back to the client: a code or an error, with `state` and `iss`.
    Redirect(String),
}

/// What the consent page shows, and what its answer must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPrompt {
    /// The pending request the answer refers to.
    pub request_id: String,
    pub client_name: String,
    /// The account the page is shown to: an answer counts only for it.
    pub user: UserId,
    pub username: String,
    /// The scopes asked for, sorted.
    pub scopes: Vec<String>,
    /// Where the answer will redirect (the page's `form-action` allows it).
    pub redirect_uri: String,
}

/// A fresh id for a pending request: 256 random bits, base64url.
pub(crate) fn new_request_id() -> Result<String, FlowError> {
    use base64::Engine as _;
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| FlowError::Server("the system random generator failed".into()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}
