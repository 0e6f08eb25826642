//! The authenticated subject: what a completed sign-in proves, handed from
//! the sign-in flow to the authorization server, the guarded-action engine
//! and the console. The authorization server knows nothing of passkeys: it
//! sees only this.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Acr, Amr, UserId};

/// Who signed in, how strongly, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatedSubject {
    pub user: UserId,
    /// When the user last authenticated (OIDC `auth_time`).
    pub auth_time: DateTime<Utc>,
    pub acr: Acr,
    pub amr: Vec<Amr>,
    /// The OpenID Connect session id (`sid`).
    pub sid: String,
    /// Our id of the credential (passkey) used last, if any.
    pub credential: Option<String>,
    /// The handle of the browser session the subject was read from: a
    /// fresh ceremony always starts a new one.
    pub session_handle: String,
}
