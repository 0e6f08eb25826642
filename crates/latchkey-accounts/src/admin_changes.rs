//! Changes an administrator asks for from the console about another
//! account — granting a role, changing the tier, enabling a disabled
//! account — as guarded-action requests with the administrator as
//! requester and their fresh step-up as the `passkey` factor
//! (`GuardedActions::request_by_admin`). Nothing changes here: the engine
//! carries the change out once the subject's tier's policy is met.

use latchkey_core::{AccountTier, Role, UserId};
use latchkey_recovery::{AdminChange, GuardedAction, Requested};

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::guarded::origin;
use crate::service::{Accounts, ActiveSession};

/// What an administrator can ask for about another account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    GrantRole(Role),
    ChangeTier(AccountTier),
    Enable,
}

impl AccountChange {
    fn action(self) -> GuardedAction {
        match self {
            Self::GrantRole(role) => GuardedAction::GrantRole { role },
            Self::ChangeTier(tier) => GuardedAction::ChangeTier { tier },
            Self::Enable => GuardedAction::EnableAccount,
        }
    }
}

impl Accounts {
    /// Opens the guarded request for `change` to `subject`'s account on
    /// behalf of the administrator signed in as `me`. Refused: a stale
    /// step-up, the administrator's own account, anything the engine
    /// refuses (not an admin, a role held already, an account that is not
    /// disabled, too few approvers).
    pub async fn request_account_change(
        &self,
        me: &ActiveSession,
        subject: UserId,
        change: AccountChange,
        client: &ClientInfo,
    ) -> Result<Requested, AccountsError> {
        let step_up = self.step_up_fact(me)?;
        let admin = me.user_id();
        if admin == subject {
            return Err(AccountsError::invalid(
                "own_account",
                "You cannot ask for a change to your own account; ask another administrator.",
            ));
        }
        let change = AdminChange {
            action: change.action(),
            subject,
            admin,
            session_handle: me.session.handle.clone(),
            step_up,
        };
        Ok(self
            .engine()
            .request_by_admin(change, &origin(client))
            .await?)
    }
}
