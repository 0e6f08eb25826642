//! The signed-in browser: the session cookie resolved to a live session.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use latchkey_core::{PlainToken, TokenKind, UserId};
use latchkey_session::BrowserSession;

use crate::cookies;
use crate::error::ApiError;
use crate::state::AppState;

pub use latchkey_session::{STEP_UP_WINDOW, SessionData, new_sid};

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
            latchkey_oidc::refresh::end_sessions(c, &audit, &sids, now).map_err(|e| match e {
                latchkey_oidc::refresh::RefreshError::Store(e) => e,
                other => latchkey_store::StoreError::Corrupt(other.to_string()),
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
    let Some(data) = SessionData::of(&session) else {
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
