//! The account page's sensitive changes for elevated and critical accounts
//! (admins and approvers are at least elevated): instead of taking effect
//! after a step-up, each opens a guarded-action request under the tier's
//! policy — cooling-off delay, notice with a one-click cancel link,
//! approvals where the policy says — through `latchkey-recovery`. The
//! session's fresh step-up is the request's `passkey` factor. A standard
//! account keeps the step-up-only changes of `changes.rs`.

use latchkey_core::{AccountTier, CredentialId, GuardedActionId, Role};
use latchkey_recovery::{
    EngineError, GuardedAction, LiveChange, Origin, PasskeyFact, Refusal, State, effective_tier,
};
use latchkey_store::credentials::NewCredential;
use latchkey_store::users;

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

/// What adding a passkey did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyAdded {
    /// Added and usable at once (standard accounts).
    Active(CredentialId),
    /// Stored inactive until request `request` completes uncancelled.
    Pending {
        credential: CredentialId,
        request: GuardedActionId,
    },
}

/// What a guarded change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<T> {
    /// Done now (standard accounts).
    Done(T),
    /// Request `0` was opened; the change happens when it completes.
    Requested(GuardedActionId),
}

impl From<EngineError> for AccountsError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Refused(r) => Self::Refused(r),
            EngineError::Store(e) => Self::Store(e),
        }
    }
}

pub(crate) fn origin(client: &ClientInfo) -> Origin {
    Origin {
        ip: Some(client.ip.clone()).filter(|ip| !ip.is_empty()),
        request_id: client.request_id.clone(),
    }
}

impl Accounts {
    /// Whether the account's changes go through the engine: its stored tier
    /// raised by its roles is elevated or critical.
    pub async fn changes_are_guarded(&self, me: &ActiveSession) -> Result<bool, AccountsError> {
        let user = me.user_id();
        let (account, roles) = self
            .db()
            .run(move |c| Ok((users::find(c, user)?, users::roles(c, user)?)))
            .await?;
        let account = account.ok_or(AccountsError::NotFound("the account"))?;
        let tier = effective_tier(account.account_tier()?, &Role::parse_all(roles));
        Ok(tier > AccountTier::Standard)
    }

    /// The session's fresh step-up, as the engine's `passkey` factor.
    pub(crate) fn step_up_fact(&self, me: &ActiveSession) -> Result<PasskeyFact, AccountsError> {
        self.require_step_up(me)?;
        let credential = me
            .data
            .credential
            .as_deref()
            .and_then(|c| CredentialId::parse(c).ok())
            .ok_or(AccountsError::StepUpRequired)?;
        Ok(PasskeyFact {
            user: me.user_id(),
            credential,
            uv_at: me.data.uv_at,
        })
    }

    async fn request_live(
        &self,
        me: &ActiveSession,
        action: GuardedAction,
        pending_passkey: Option<NewCredential>,
        client: &ClientInfo,
    ) -> Result<latchkey_recovery::Requested, AccountsError> {
        let change = LiveChange {
            action,
            user: me.user_id(),
            session_handle: me.session.handle.clone(),
            step_up: self.step_up_fact(me)?,
            pending_passkey,
        };
        Ok(self.engine().request_live(change, &origin(client)).await?)
    }

    /// Stores a newly registered passkey pending behind an `add_passkey`
    /// request (the registration is already verified).
    pub(crate) async fn add_pending_passkey(
        &self,
        me: &ActiveSession,
        new: NewCredential,
        client: &ClientInfo,
    ) -> Result<PasskeyAdded, AccountsError> {
        let requested = self
            .request_live(me, GuardedAction::AddPasskey, Some(new), client)
            .await?;
        let request = requested.request.id;
        let pending = self
            .db()
            .run(move |c| latchkey_store::credentials::pending_of(c, request))
            .await?;
        let credential = match pending.first() {
            Some(p) => p.credential_id()?,
            // Completed at once (a policy without delay or approvals): the
            // passkey is active already.
            None => return self.newest_passkey(me).await,
        };
        Ok(PasskeyAdded::Pending {
            credential,
            request,
        })
    }

    async fn newest_passkey(&self, me: &ActiveSession) -> Result<PasskeyAdded, AccountsError> {
        let user = me.user_id();
        let newest = self
            .db()
            .run(move |c| latchkey_store::credentials::list_active(c, user))
            .await?
            .into_iter()
            .max_by_key(|c| c.created_at)
            .ok_or(AccountsError::Refused(Refusal::NotFound {}))?;
        Ok(PasskeyAdded::Active(newest.credential_id()?))
    }

    /// Opens a `remove_passkey` request for one of the account's passkeys
    /// (`Done` when a policy without delay or approvals completed it at once).
    pub(crate) async fn request_passkey_removal(
        &self,
        me: &ActiveSession,
        credential: CredentialId,
        client: &ClientInfo,
    ) -> Result<Change<()>, AccountsError> {
        match self
            .request_live(
                me,
                GuardedAction::RemovePasskey { credential },
                None,
                client,
            )
            .await
        {
            Ok(r) if r.request.state == State::Completed => Ok(Change::Done(())),
            Ok(r) => Ok(Change::Requested(r.request.id)),
            // Not one of the account's active passkeys.
            Err(AccountsError::Refused(Refusal::InvalidAction {})) => {
                Err(AccountsError::NotFound("the passkey"))
            }
            Err(e) => Err(e),
        }
    }

    /// Opens a `regenerate_recovery_codes` request; the codes are shown
    /// once it is ready ([`Self::collect_recovery_codes`]).
    pub(crate) async fn request_new_recovery_codes(
        &self,
        me: &ActiveSession,
        client: &ClientInfo,
    ) -> Result<GuardedActionId, AccountsError> {
        Ok(self
            .request_live(me, GuardedAction::RegenerateRecoveryCodes, None, client)
            .await?
            .request
            .id)
    }

    /// Asks to change the account's address to `new_email` (lower-cased).
    /// Always through the engine, whatever the tier: an address is a
    /// recovery factor once verified, so a stolen session must not swap it
    /// at once. The request waits out its tier's delay with a notice (and
    /// cancel link) to the address on file, then completes by itself; the
    /// new address starts unverified.
    pub async fn request_email_change(
        &self,
        me: &ActiveSession,
        new_email: &str,
        client: &ClientInfo,
    ) -> Result<GuardedActionId, AccountsError> {
        self.require_step_up(me)?;
        let address = crate::invitations::parse_invitee(new_email)?.to_string();
        let user = me.user_id();
        let (account, taken) = {
            let address = address.clone();
            self.db()
                .run(move |c| Ok((users::find(c, user)?, users::email_taken(c, &address)?)))
                .await?
        };
        let account = account.ok_or(AccountsError::NotFound("the account"))?;
        if account.email.as_deref() == Some(address.as_str()) {
            return Err(AccountsError::invalid(
                "same_email",
                "That is already your address.",
            ));
        }
        if taken {
            return Err(AccountsError::invalid(
                "email_taken",
                "Another account uses that address.",
            ));
        }
        let waiting = self.engine().open_for(user).await?;
        if waiting
            .iter()
            .any(|r| matches!(r.action, GuardedAction::ChangeEmail { .. }))
        {
            return Err(AccountsError::invalid(
                "email_change_waiting",
                "A change of address is already waiting. Cancel it first to ask for another.",
            ));
        }
        let action = GuardedAction::ChangeEmail { new_email: address };
        Ok(self
            .request_live(me, action, None, client)
            .await?
            .request
            .id)
    }

    /// An administrator changes one guarded-action policy with the
    /// session's fresh step-up: at once when it is at least as strict on
    /// every knob, else through a `weaken_policy` request
    /// (`GuardedActions::change_policy`).
    pub async fn change_recovery_policy(
        &self,
        me: &ActiveSession,
        tier: AccountTier,
        action: latchkey_recovery::ActionKind,
        policy: latchkey_recovery::Policy,
        client: &ClientInfo,
    ) -> Result<latchkey_recovery::PolicyChangeOutcome, AccountsError> {
        let change = latchkey_recovery::PolicyChange {
            admin: me.user_id(),
            session_handle: me.session.handle.clone(),
            step_up: self.step_up_fact(me)?,
            tier,
            action,
            policy,
        };
        Ok(self.engine().change_policy(change, &origin(client)).await?)
    }

    /// The new recovery codes of a ready `regenerate_recovery_codes`
    /// request the owner made, shown once: the owner, signed in in any
    /// session, confirms with a fresh step-up.
    pub async fn collect_recovery_codes(
        &self,
        me: &ActiveSession,
        request: &str,
        client: &ClientInfo,
    ) -> Result<Vec<String>, AccountsError> {
        self.require_step_up(me)?;
        let id =
            GuardedActionId::parse(request).map_err(|_| AccountsError::NotFound("the request"))?;
        let view = self.engine().view(id).await?;
        if view.subject != me.user_id()
            || !matches!(view.action, GuardedAction::RegenerateRecoveryCodes)
        {
            return Err(AccountsError::NotFound("the request"));
        }
        let done = self
            .engine()
            .complete_for_owner(id, me.user_id(), me.data.uv_at, &origin(client))
            .await?;
        done.recovery_codes
            .map(latchkey_core::Secret::into_inner)
            .ok_or(AccountsError::Internal(
                "a completed request for recovery codes made none".into(),
            ))
    }
}

impl Accounts {
    /// Opens a `weaken_policy` request for a policy change that relaxes a
    /// rule (the change [`AccountsError::NeedsApproval`] carried), asked for
    /// by the administrator `me` with the session's fresh step-up as its
    /// factor. The engine's `weaken_policy` policy sets the delay and the
    /// approvals, and the engine applies the change when it completes.
    pub async fn request_policy_change(
        &self,
        me: &ActiveSession,
        change: serde_json::Value,
        client: &ClientInfo,
    ) -> Result<GuardedActionId, AccountsError> {
        let requested = self
            .request_live(me, GuardedAction::WeakenPolicy { change }, None, client)
            .await?;
        Ok(requested.request.id)
    }
}
