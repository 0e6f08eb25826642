//! What the service checks against the store before the machine sees an
//! event: accounts, roles, passkeys, the action's parameters.

use chrono::{DateTime, Utc};
use latchkey_core::{CredentialId, Role, UserId};
use latchkey_store::{DbConnection, credentials, recovery_codes, users};

use super::EngineError;
use crate::action::GuardedAction;
use crate::machine::APPROVAL_FRESHNESS;
use crate::policy_changes::{CheckError, PolicyChange};
use crate::state::Refusal;

/// The roles of an enabled account; a disabled or unknown account is refused.
pub(super) fn roles_of(conn: &mut DbConnection, who: UserId) -> Result<Vec<Role>, EngineError> {
    match users::find(conn, who)? {
        Some(account) if !account.is_disabled() => Ok(Role::parse_all(users::roles(conn, who)?)),
        _ => Err(Refusal::AccountUnavailable {}.into()),
    }
}

/// The roles stored for the subject of a request, disabled or not (an
/// `enable_account` request is about a disabled account).
pub(super) fn subject_roles(
    conn: &mut DbConnection,
    subject: UserId,
) -> Result<Vec<Role>, EngineError> {
    Ok(Role::parse_all(users::roles(conn, subject)?))
}

/// The passkey is an active passkey of `owner`.
pub(super) fn passkey_of(
    conn: &mut DbConnection,
    owner: UserId,
    credential: CredentialId,
) -> Result<(), EngineError> {
    let active = credentials::list_active(conn, owner)?;
    let mut found = false;
    for c in &active {
        found |= c.credential_id()? == credential;
    }
    if found {
        Ok(())
    } else {
        Err(Refusal::PasskeyNotAccepted {}.into())
    }
}

/// A user-verified assertion made in the last few minutes (not in the future).
pub(super) fn fresh(uv_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    uv_at <= now && now - uv_at <= APPROVAL_FRESHNESS
}

/// Who may ask for what, and whether the parameters fit the account:
/// - a recovery is asked for by nobody signed in (or by the account itself);
/// - the account's own changes are asked for by the account, signed in;
/// - roles, tiers and policies are changed by a signed-in admin, never for
///   themselves;
/// - a disabled account is enabled again at the request of a signed-in
///   admin other than its owner, and only while it is disabled.
pub(super) fn check_action(
    conn: &mut DbConnection,
    configured: &crate::policy::PolicySet,
    action: &GuardedAction,
    subject: UserId,
    requester: Option<UserId>,
) -> Result<(), EngineError> {
    let invalid = || -> EngineError { Refusal::InvalidAction {}.into() };
    match action {
        GuardedAction::RecoverAccount => {
            if requester.is_some_and(|r| r != subject) {
                return Err(invalid());
            }
        }
        GuardedAction::AddPasskey
        | GuardedAction::RegenerateRecoveryCodes
        | GuardedAction::RemovePasskey { .. }
        | GuardedAction::ChangeEmail { .. } => {
            if requester != Some(subject) {
                return Err(invalid());
            }
        }
        GuardedAction::GrantRole { .. }
        | GuardedAction::ChangeTier { .. }
        | GuardedAction::EnableAccount
        | GuardedAction::WeakenPolicy { .. } => {
            let Some(admin) = requester else {
                return Err(invalid());
            };
            if !roles_of(conn, admin)?.contains(&Role::Admin) {
                return Err(invalid());
            }
            if matches!(
                action,
                GuardedAction::GrantRole { .. }
                    | GuardedAction::ChangeTier { .. }
                    | GuardedAction::EnableAccount
            ) && admin == subject
            {
                return Err(invalid());
            }
        }
    }
    match action {
        GuardedAction::RemovePasskey { credential } => {
            passkey_of(conn, subject, *credential).map_err(|_| invalid())?;
        }
        GuardedAction::ChangeEmail { new_email } => {
            let plausible = (3..=254).contains(&new_email.len())
                && new_email.contains('@')
                && !new_email
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control());
            if !plausible {
                return Err(invalid());
            }
        }
        GuardedAction::GrantRole { role } if roles_of(conn, subject)?.contains(role) => {
            return Err(invalid());
        }
        GuardedAction::WeakenPolicy { change } => policy_change_applies(conn, configured, change)?,
        GuardedAction::EnableAccount => {
            let disabled = users::find(conn, subject)?.is_some_and(|a| a.is_disabled());
            if !disabled {
                return Err(invalid());
            }
        }
        _ => {}
    }
    Ok(())
}

/// Removing the last passkey of an account without recovery codes would
/// lock it out: refused, as everywhere else.
pub(super) fn removal_keeps_a_way_in(
    conn: &mut DbConnection,
    subject: UserId,
) -> Result<(), EngineError> {
    let passkeys = credentials::count_active(conn, subject)?;
    if passkeys <= 1 && recovery_codes::remaining(conn, subject)? == 0 {
        return Err(Refusal::InvalidAction {}.into());
    }
    Ok(())
}

/// A policy change of a known kind that still applies to what is stored:
/// checked when it is asked for and again before it completes.
pub(super) fn policy_change_applies(
    conn: &mut DbConnection,
    configured: &crate::policy::PolicySet,
    change: &serde_json::Value,
) -> Result<(), EngineError> {
    match PolicyChange::parse(change)?.check(conn, configured) {
        Ok(()) => Ok(()),
        Err(CheckError::Refused(r)) => Err(r.into()),
        Err(CheckError::Store(e)) => Err(e.into()),
    }
}
