//! The signed-in browser: the session cookie resolved to a live session.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Duration, Utc};
use latchkey_core::{Acr, Amr, PlainToken, TokenKind, UserId};
use latchkey_session::BrowserSession;
use serde::{Deserialize, Serialize};

use crate::cookies;
use crate::error::ApiError;
use crate::state::AppState;

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
    /// How the user signed in: autofill, modal, cross-device, enrollment.
    pub flow: String,
    pub platform: String,
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
    pub fn step_up_is_fresh(&self, now: DateTime<Utc>) -> bool {
        now - self.uv_at <= STEP_UP_WINDOW
    }
}

/// Revokes what relying parties hold through these OpenID Connect sessions:
/// the refresh-token families started in them, the access tokens those
/// families issued and every access token issued in the sessions. Called whenever a browser session ends on purpose.
pub async fn revoke_session_grants(
    state: &AppState,
    sids: Vec<String>,
) -> Result<(), latchkey_store::StoreError> {
    if sids.is_empty() {
        return Ok(());
    }
    let (audit, now) = (state.audit.clone(), state.clock.now());
    state
        .db
        .run(move |c| {
            latchkey_store::write_transaction(c, |c| {
                for sid in &sids {
                    latchkey_oidc::refresh::revoke_families_of_session(c, &audit, sid, now)
                        .map_err(|e| match e {
                            latchkey_oidc::refresh::RefreshError::Store(e) => e,
                            other => latchkey_store::StoreError::Corrupt(other.to_string()),
                        })?;
                    // Also those issued in it without a refresh token.
                    latchkey_store::access_tokens::revoke_of_session(c, sid, now)?;
                }
                Ok(())
            })
        })
        .await
}

/// A request from a signed-in browser.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: PlainToken,
    pub session: BrowserSession,
    pub data: SessionData,
}

impl SignedIn {
    pub fn user_id(&self) -> UserId {
        self.session.user_id
    }
}

/// Resolves the session cookie; `None` when absent, unknown or expired.
pub async fn current(req: &HttpRequest) -> Result<Option<SignedIn>, ApiError> {
    let Some(cookie) = req.cookie(cookies::SESSION) else {
        return Ok(None);
    };
    let Some(token) = PlainToken::from_presented(TokenKind::Session, cookie.value()) else {
        return Ok(None);
    };
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Ok(None);
    };
    let Some(session) = state.sessions.load_session(&token).await? else {
        return Ok(None);
    };
    let Ok(data) = serde_json::from_value::<SessionData>(session.data.clone()) else {
        return Ok(None);
    };
    Ok(Some(SignedIn {
        token,
        session,
        data,
    }))
}

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { current(&req).await?.ok_or(ApiError::SignInRequired) })
    }
}

/// For pages: the signed-in browser, or `None`.
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<SignedIn>);

impl FromRequest for MaybeSignedIn {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(Self(current(&req).await?)) })
    }
}
