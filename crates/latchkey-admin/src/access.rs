//! Who may use the console: a signed-in account holding the approver or the
//! admin role and, for pages and changes made with the session's own
//! verification, a user-verified assertion within the step-up window.
//! Anyone else gets the site's 403 page, never the queue.

use actix_web::HttpRequest;
use latchkey_accounts::AccountsError;
use latchkey_core::Role;
use latchkey_web::error::{ApiError, WebError};
use latchkey_web::session::{self, SignedIn};
use latchkey_web::state::AppState;

/// A signed-in approver or administrator.
#[derive(Debug, Clone)]
pub struct Console {
    pub me: SignedIn,
    pub roles: Vec<Role>,
}

impl Console {
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }
}

/// The oldest browser session the console accepts: an administrator's
/// session started more than this long ago signs in again (a new session)
/// before using the console, though the public pages accept it for longer.
/// Idle time needs no limit of its own: every page and form asks for a
/// user-verified assertion within the step-up window (5 minutes).
pub const CONSOLE_SESSION_MAX_AGE: chrono::Duration = chrono::Duration::hours(12);

/// Whether the session started too long ago for the console.
fn too_old(me: &SignedIn, state: &AppState) -> bool {
    state.clock.now() - me.session.created_at > CONSOLE_SESSION_MAX_AGE
}

/// Where this page is, to come back to after sign-in or step-up.
fn here(req: &HttpRequest) -> String {
    latchkey_web::ceremony::safe_next(req.uri().path_and_query().map(|p| p.as_str()))
}

/// For pages (and their forms): signed in (else the sign-in page), a
/// console role (else 403), and a fresh step-up (else the step-up page,
/// coming back here).
pub async fn page(req: &HttpRequest, state: &AppState) -> Result<Console, WebError> {
    page_to(req, state, &here(req)).await
}

/// [`page`], coming back to `next` (a form's page rather than its action).
pub async fn page_to(req: &HttpRequest, state: &AppState, next: &str) -> Result<Console, WebError> {
    let next = latchkey_web::ceremony::safe_next(Some(next));
    let me = session::current(req)
        .await?
        .ok_or_else(|| WebError::SignInRequired { next: next.clone() })?;
    let roles = match state.accounts.console_roles(&me).await {
        Ok(roles) => roles,
        Err(e @ (AccountsError::ApproverRequired | AccountsError::AccountDisabled)) => {
            refused(req, state, &me, e.code()).await?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    if too_old(&me, state) {
        refused(req, state, &me, "console_session_too_old").await?;
        return Err(WebError::SignInRequired { next });
    }
    if state.accounts.require_step_up(&me).is_err() {
        refused(req, state, &me, "step_up_required").await?;
        return Err(WebError::StepUpRequired { next });
    }
    // The step-up's passkey must meet the console's own attestation policy
    // (device-bound by default): a synced passkey on a lost phone is not a
    // way into the console.
    if let Some(refusal) = state.accounts.console_gate(&me).await? {
        refused(req, state, &me, "console_policy").await?;
        return Err(WebError::PolicyRefused(refusal.sentence()));
    }
    Ok(Console { me, roles })
}

/// For the administrators' pages (accounts, the audit log): [`page`], and
/// the admin role (else 403 with `refusal`, audited).
pub async fn admin_page(
    req: &HttpRequest,
    state: &AppState,
    refusal: &'static str,
) -> Result<Console, WebError> {
    admin_page_to(req, state, &here(req), refusal).await
}

/// [`admin_page`], coming back to `next`.
pub async fn admin_page_to(
    req: &HttpRequest,
    state: &AppState,
    next: &str,
    refusal: &'static str,
) -> Result<Console, WebError> {
    let console = page_to(req, state, next).await?;
    if !console.is_admin() {
        refused(req, state, &console.me, "admin_required").await?;
        return Err(WebError::Forbidden(refusal));
    }
    Ok(console)
}

/// Records a refused attempt to use the console: who, from where, which
/// page, and why (`console.refused`).
async fn refused(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    reason: &'static str,
) -> Result<(), WebError> {
    state
        .accounts
        .record_console_refusal(
            me.user_id(),
            &latchkey_web::client::ip(req),
            req.path(),
            reason,
        )
        .await?;
    Ok(())
}

/// For the approval ceremony's JSON endpoints: signed in (401) and a
/// console role (403). No step-up: each decision carries a user-verified
/// assertion of its own, made for it moments before.
pub async fn decision(req: &HttpRequest, state: &AppState) -> Result<Console, ApiError> {
    let me = session::current(req)
        .await?
        .ok_or(ApiError::SignInRequired)?;
    if too_old(&me, state) {
        return Err(ApiError::SignInRequired);
    }
    let roles = state
        .accounts
        .console_roles(&me)
        .await
        .map_err(|e: AccountsError| ApiError::from(e))?;
    Ok(Console { me, roles })
}
