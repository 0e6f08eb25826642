//! Changes an administrator asks for from the console about another
//! account: a role, a tier, enabling a disabled account. The
//! administrator's fresh step-up is the request's `passkey` factor; the
//! subject's tier's policy adds the delay and the approvals. Once ready, the
//! change completes by itself (nothing is handed to a browser), whichever
//! call or background pass finds it ready, provided the requester still
//! holds the admin role.

use latchkey_core::UserId;

use super::live::present_step_up;
use super::types::{NewRequest, Origin, PasskeyFact, Requested};
use super::{EngineError, GuardedActions};
use crate::action::GuardedAction;
use crate::state::Refusal;

/// A change to another account asked for by a signed-in administrator.
#[derive(Debug, Clone)]
pub struct AdminChange {
    /// `grant_role`, `change_tier` or `enable_account`.
    pub action: GuardedAction,
    /// The account it is about (never the administrator's own).
    pub subject: UserId,
    pub admin: UserId,
    /// The handle of the administrator's browser session.
    pub session_handle: String,
    /// The administrator's user-verified step-up (at most 5 minutes old).
    pub step_up: PasskeyFact,
}

impl GuardedActions {
    /// Makes the request and presents the step-up as its factor in one
    /// transaction. Refused as a whole, nothing stored: another kind of
    /// action, a requester who is not an enabled admin, the requester's own
    /// account, a role already held, an account that is not disabled (to
    /// enable), a stale step-up, too few approvers, the rate limits.
    pub async fn request_by_admin(
        &self,
        change: AdminChange,
        origin: &Origin,
    ) -> Result<Requested, EngineError> {
        let AdminChange {
            action,
            subject,
            admin,
            session_handle,
            step_up,
        } = change;
        if !matches!(
            action,
            GuardedAction::GrantRole { .. }
                | GuardedAction::ChangeTier { .. }
                | GuardedAction::EnableAccount
        ) {
            return Err(Refusal::InvalidAction {}.into());
        }
        let new = NewRequest {
            action,
            subject,
            requester: Some(admin),
            session_handle,
        };
        self.request_then(new, origin, move |conn, inner, request, ctx, now| {
            present_step_up(conn, inner, &request, ctx, &step_up, admin, now)
        })
        .await
    }
}
