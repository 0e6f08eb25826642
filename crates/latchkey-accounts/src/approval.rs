//! The approval ceremony of the admin console: an approver's user-verified
//! assertion, with one of their own passkeys, whose challenge carries the
//! digest of the decision being made (for a guarded action, its
//! `approval_challenge`). The guarded-action engine counts the decision only
//! when that digest is the one of the request decided on.
//!
//! And who may use the console at all.

use chrono::{DateTime, Utc};
use latchkey_core::{CredentialId, Role, UserId};
use latchkey_passkey::{BoundAuthenticationState, StoredPasskey};
use latchkey_store::credentials;
use serde::{Deserialize, Serialize};

use crate::ceremony::{CeremonyKind, CeremonyOutcome, CeremonyStart, ClientInfo, Finished, Flow};
use crate::error::AccountsError;
use crate::ratelimit::CEREMONIES_PER_ACCOUNT;
use crate::service::{Accounts, ActiveSession};
use crate::signin::{Failure, Pending, fail};

/// Session-store namespace of approval ceremonies.
pub const NS_APPROVAL: &str = "ceremony-approval";

#[derive(Debug, Serialize, Deserialize)]
struct ApprovalState {
    auth: BoundAuthenticationState,
    /// The handle of the session that started it.
    session: String,
}

/// A verified approval assertion: who, with which passkey, when, and the
/// digest the authenticator signed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundAssertion {
    pub user: UserId,
    pub credential: CredentialId,
    /// When the user-verified assertion was verified.
    pub uv_at: DateTime<Utc>,
    pub bound_digest: [u8; 32],
}

impl Accounts {
    /// The console roles (approver, admin) of the signed-in account: an
    /// account holding neither, or a disabled one, is refused.
    pub async fn console_roles(&self, me: &ActiveSession) -> Result<Vec<Role>, AccountsError> {
        let user = me.user_id();
        let (account, roles) = self
            .db()
            .run(move |c| {
                Ok((
                    latchkey_store::users::find(c, user)?,
                    latchkey_store::users::roles(c, user)?,
                ))
            })
            .await?;
        if account.is_none_or(|a| a.is_disabled()) {
            return Err(AccountsError::AccountDisabled);
        }
        let roles: Vec<Role> = Role::parse_all(roles)
            .into_iter()
            .filter(|r| matches!(r, Role::Admin | Role::Approver))
            .collect();
        if roles.is_empty() {
            return Err(AccountsError::ApproverRequired);
        }
        Ok(roles)
    }

    /// Starts an approval ceremony in this session: a user-verified
    /// assertion limited to the account's own active passkeys (none flagged
    /// as a possible clone), whose challenge begins with `binding`. Counted
    /// against the account's ceremony limit.
    pub async fn start_approval(
        &self,
        me: &ActiveSession,
        binding: [u8; 32],
    ) -> Result<CeremonyStart, AccountsError> {
        let user = me.user_id();
        self.limit(CEREMONIES_PER_ACCOUNT, &user.to_string())
            .await?;
        let rows = self
            .db()
            .run(move |c| credentials::list_active(c, user))
            .await?;
        let passkeys: Vec<StoredPasskey> = rows
            .into_iter()
            .filter(|row| row.clone_suspected_at.is_none())
            .map(|row| StoredPasskey {
                owner: user,
                sign_count: u32::try_from(row.sign_count).unwrap_or(u32::MAX),
                attested: row.attested,
                passkey_json: row.passkey_json,
            })
            .collect();
        if passkeys.is_empty() {
            return Err(AccountsError::CloneSuspected);
        }
        let (options, auth) = self.rp().start_bound_authentication(&binding, &passkeys)?;
        let saved = ApprovalState {
            auth,
            session: me.session.handle.clone(),
        };
        self.save_ceremony(NS_APPROVAL, &options, &saved).await
    }

    /// Finishes an approval ceremony: single use, in the session that
    /// started it, with a passkey of the session's own account. Records the
    /// passkey's use (counter, clone detection) as a sign-in does; changes
    /// nothing else. What the assertion approves is for the caller (the
    /// guarded-action engine) to check against `bound_digest`.
    pub async fn finish_approval(
        &self,
        me: &ActiveSession,
        ceremony: &str,
        response: &str,
        client: &ClientInfo,
    ) -> Finished<BoundAssertion> {
        let mut outcome =
            CeremonyOutcome::new(CeremonyKind::Authentication, Flow::Approval, client);
        let result = self.approval(me, ceremony, response, client).await;
        if let Ok(a) = &result {
            outcome.user = Some(a.user);
            outcome.credential = Some(a.credential.to_string());
        }
        Finished::done(outcome, result)
    }

    async fn approval(
        &self,
        me: &ActiveSession,
        ceremony: &str,
        response: &str,
        client: &ClientInfo,
    ) -> Result<BoundAssertion, Failure> {
        let saved: ApprovalState = self
            .take_ceremony(NS_APPROVAL, ceremony)
            .await
            .map_err(|e| fail(e, None))?;
        let me_id = me.user_id();
        if saved.session != me.session.handle {
            return Err(fail(
                AccountsError::SessionMismatch("This confirmation was started in another session."),
                Some(me_id),
            ));
        }
        let verified = self
            .verify_assertion(response, Pending::Bound(saved.auth), &client.ip)
            .await?;
        // The ceremony named only this account's passkeys; checked again
        // here so the invariant does not rest on the stored state alone.
        if verified.user != me_id {
            return Err(fail(AccountsError::WrongAccount, Some(me_id)));
        }
        let credential = verified
            .credential
            .credential_id()
            .map_err(|e| fail(e, Some(me_id)))?;
        let bound_digest = verified.bound_digest.ok_or_else(|| {
            fail(
                AccountsError::Internal("a bound assertion without its binding".into()),
                Some(me_id),
            )
        })?;
        Ok(BoundAssertion {
            user: me_id,
            credential,
            uv_at: self.now(),
            bound_digest,
        })
    }
}
