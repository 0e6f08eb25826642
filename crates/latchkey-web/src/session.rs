//! The signed-in browser: the session cookie resolved to a live session.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest, web};
use latchkey_accounts::{AccountsError, ActiveSession};
use latchkey_core::{PlainToken, TokenKind};

use crate::cookies;
use crate::error::ApiError;
use crate::state::AppState;

pub use latchkey_session::{STEP_UP_WINDOW, SessionData, new_sid};

/// Revokes what relying parties hold through these OpenID Connect sessions
/// (see `Accounts::end_session_grants`). Called whenever a browser session
/// ends on purpose.
pub async fn revoke_session_grants(
    state: &AppState,
    sids: Vec<String>,
) -> Result<(), AccountsError> {
    state.accounts.end_session_grants(sids).await
}

/// A request from a signed-in browser: the live session its cookie names.
#[derive(Debug, Clone)]
pub struct SignedIn(pub ActiveSession);

impl Deref for SignedIn {
    type Target = ActiveSession;

    fn deref(&self) -> &ActiveSession {
        &self.0
    }
}

/// The session a request's cookie resolved to, kept for the rest of the
/// request (the page's handler and its chrome both ask).
#[derive(Clone)]
struct Resolved(Option<SignedIn>);

/// Resolves the session cookie; `None` when absent, unknown or expired.
/// Looked up once per request.
pub async fn current(req: &HttpRequest) -> Result<Option<SignedIn>, ApiError> {
    if let Some(Resolved(known)) = req.extensions().get::<Resolved>().cloned() {
        return Ok(known);
    }
    let Some(cookie) = req.cookie(cookies::SESSION) else {
        return Ok(None);
    };
    let Some(token) = PlainToken::from_presented(TokenKind::Session, cookie.value()) else {
        return Ok(None);
    };
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Ok(None);
    };
    let found = state.accounts.active_session(token).await?.map(SignedIn);
    req.extensions_mut().insert(Resolved(found.clone()));
    Ok(found)
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
