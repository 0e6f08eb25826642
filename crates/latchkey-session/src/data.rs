//! What a browser session knows about how its user signed in. One
//! definition for the public pages, the authorization server, the
//! guarded-action engine and the console.

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{Acr, Amr, AuthenticatedSubject, UserId};
use serde::{Deserialize, Serialize};

use crate::BrowserSession;

/// How recent a user-verified passkey assertion must be for a sensitive
/// change (add or revoke a passkey, new recovery codes).
pub const STEP_UP_WINDOW: Duration = Duration::minutes(5);

/// What a session knows about how the user signed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionData {
    /// When the user last authenticated (OIDC `auth_time`).
    pub auth_time: DateTime<Utc>,
    /// When the user last completed a user-verified passkey assertion or
    /// registration (step-up freshness).
    pub uv_at: DateTime<Utc>,
    pub acr: Acr,
    pub amr: Vec<Amr>,
    /// Our id of the passkey used last.
    pub credential: Option<String>,
    /// How the user signed in: autofill, modal, cross-device, enrolment.
    pub flow: String,
    pub platform: String,
    /// The User-Agent of the browser that started the session (bounded by
    /// the caller), to tell the user which device it is. Personal data: it
    /// lives and ends with the session.
    #[serde(default)]
    pub user_agent: String,
    /// The client address that started the session (through the trusted
    /// proxies), shown to the user with it. Lives and ends with the session.
    #[serde(default)]
    pub ip: String,
    /// The OpenID Connect session id (`sid`): random, shown to relying
    /// parties, never the cookie or its handle. Kept when the same user
    /// signs in again in this browser (a step-up is not a new session), so
    /// refresh tokens bound to it survive re-authentication and end with it.
    pub sid: String,
}

/// A fresh OpenID Connect session id: 128 random bits, hex.
pub fn new_sid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl SessionData {
    /// Whether the last user-verified ceremony is recent enough for a
    /// sensitive change.
    pub fn step_up_is_fresh(&self, now: DateTime<Utc>) -> bool {
        now - self.uv_at <= STEP_UP_WINDOW
    }

    /// Reads the typed data of a stored session; `None` when it does not
    /// parse (a session written by an incompatible version counts as absent).
    pub fn of(session: &BrowserSession) -> Option<Self> {
        serde_json::from_value(session.data.clone()).ok()
    }

    /// The authenticated subject this session proves, for the
    /// authorization server and the guarded-action engine.
    pub fn subject(&self, user: UserId, session_handle: &str) -> AuthenticatedSubject {
        AuthenticatedSubject {
            user,
            auth_time: self.auth_time,
            acr: self.acr,
            amr: self.amr.clone(),
            sid: self.sid.clone(),
            credential: self.credential.clone(),
            session_handle: session_handle.to_owned(),
        }
    }

    /// As stored in the session store.
    pub fn to_value(&self) -> serde_json::Value {
        // A struct of strings, times and enums always serialises.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
