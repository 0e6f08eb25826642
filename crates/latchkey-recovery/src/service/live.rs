//! Sensitive changes the owner asks for in a signed-in session of an
//! elevated or critical account: adding or removing a passkey, new recovery
//! codes, a new address. The session's fresh step-up is the `passkey`
//! factor; the tier's policy adds the cooling-off delay (and approvals where
//! it says so), the owner is notified with a cancel link, and:
//!
//! - a new passkey is registered at once but stored *pending*: it cannot
//!   sign in, step up or approve until the request completes, and is
//!   deleted when the request is cancelled, denied, expires or locks;
//! - a change that hands nothing to a browser (a pending passkey becoming
//!   active, a passkey removed, the address changed) completes by itself as
//!   soon as the request is ready, whichever call or background pass finds
//!   it ready ([`finish_by_itself`]);
//! - new recovery codes are shown to the owner, signed in with a fresh
//!   step-up in any session, once the request is ready
//!   ([`GuardedActions::complete_for_owner`]).

use chrono::{DateTime, Utc};
use latchkey_core::{AuditEventKind, GuardedActionId, HashedToken, UserId};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::credentials::{self, NewCredential};
use latchkey_store::{DbConnection, guarded_actions};
use serde_json::json;

use super::checks::{fresh, passkey_of, removal_keeps_a_way_in, roles_of};
use super::types::{Completion, NewRequest, Origin, PasskeyFact, Requested};
use super::{EngineError, GuardedActions, Inner, Prepared};
use crate::action::GuardedAction;
use crate::effects::{Actor, Ctx, Executed, Executor};
use crate::machine::{Event, Request, transition};
use crate::policy::{FactorKind, Revocation};
use crate::record::{from_record, to_update};
use crate::state::{Refusal, State};

/// A sensitive change asked for by the account's owner in a signed-in
/// session.
#[derive(Debug, Clone)]
pub struct LiveChange {
    pub action: GuardedAction,
    /// The owner, signed in: requester and subject at once.
    pub user: UserId,
    /// The handle of the owner's browser session.
    pub session_handle: String,
    /// The session's user-verified step-up (at most 5 minutes old), shown as
    /// the `passkey` factor.
    pub step_up: PasskeyFact,
    /// The passkey an `add_passkey` registers, stored pending in the
    /// transaction that makes the request.
    pub pending_passkey: Option<NewCredential>,
}

impl GuardedActions {
    /// Makes the request, stores the pending passkey and presents the
    /// step-up as its factor, in one transaction: refused as a whole (a
    /// stale step-up, a passkey of another account, a disabled account, the
    /// rate limits of [`Self::request`]) nothing is stored.
    pub async fn request_live(
        &self,
        change: LiveChange,
        origin: &Origin,
    ) -> Result<Requested, EngineError> {
        let LiveChange {
            action,
            user,
            session_handle,
            step_up,
            pending_passkey,
        } = change;
        if pending_passkey.is_some() != matches!(action, GuardedAction::AddPasskey) {
            return Err(Refusal::InvalidAction {}.into());
        }
        let new = NewRequest {
            action,
            subject: user,
            requester: Some(user),
            session_handle,
        };
        self.request_then(new, origin, move |conn, inner, request, ctx, now| {
            if let Some(passkey) = &pending_passkey {
                if passkey.user_id != user {
                    return Err(Refusal::InvalidAction {}.into());
                }
                let id = credentials::insert_pending(conn, passkey, request.id, now)?;
                let event = ctx
                    .event(&request, AuditEventKind::PasskeyRegistered)
                    .detail(json!({
                        "credential": id, "label": passkey.label, "aaguid": passkey.aaguid,
                        "backup_eligible": passkey.backup_eligible, "attested": passkey.attested,
                        "pending": true, "request": request.id,
                    }));
                inner.audit.append(conn, now, &event)?;
            }
            present_step_up(conn, inner, &request, ctx, &step_up, user, now)
        })
        .await
    }

    /// Completes a ready request the owner asked for in a signed-in
    /// session, from any session of theirs with a fresh step-up (the
    /// cooling-off delay outlasts a browser session): new recovery codes,
    /// shown once to the caller. Anyone else is refused as for a request
    /// that does not exist.
    pub async fn complete_for_owner(
        &self,
        id: GuardedActionId,
        owner: UserId,
        uv_at: DateTime<Utc>,
        origin: &Origin,
    ) -> Result<Completion, EngineError> {
        let ctx = Ctx {
            actor: Actor::User(owner),
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        let driven = self
            .drive_full(id, ctx, move |_, _, request, now| {
                if request.subject != owner || request.requester != Some(owner) {
                    return Err(Refusal::NotFound {}.into());
                }
                if !fresh(uv_at, now) {
                    return Err(Refusal::PasskeyNotAccepted {}.into());
                }
                let session = request
                    .requester_session
                    .clone()
                    .ok_or(Refusal::SessionMismatch {})?;
                Ok(Prepared::event(Event::Complete { session }))
            })
            .await?;
        let executed = driven.executed;
        Ok(Completion {
            request: driven.request,
            enrolment_grant: executed.grant,
            recovery_codes: executed.recovery_codes,
            end_sessions: executed.end_sessions,
            passkeys_revoked: executed.passkeys_revoked,
            refresh_families_revoked: executed.refresh_families_revoked,
        })
    }
}

/// Presents the requester's fresh step-up as the `passkey` factor of the
/// request just made, in its transaction, and completes it when it
/// completes by itself already.
pub(super) fn present_step_up(
    conn: &mut DbConnection,
    inner: &Inner,
    request: &Request,
    ctx: &Ctx,
    step_up: &PasskeyFact,
    requester: UserId,
    now: DateTime<Utc>,
) -> Result<Request, EngineError> {
    if step_up.user != requester || !fresh(step_up.uv_at, now) {
        return Err(Refusal::PasskeyNotAccepted {}.into());
    }
    roles_of(conn, requester)?;
    passkey_of(conn, requester, step_up.credential)?;
    let kind = FactorKind::Passkey;
    request.accepts_factor(kind, now)?;
    let factor_ctx = Ctx {
        actor: Actor::User(requester),
        ip: ctx.ip.clone(),
        credential: Some(step_up.credential),
        cancel_token: None,
        request_id: ctx.request_id.clone(),
    };
    let (next, _) = step(
        conn,
        inner,
        request.id,
        Event::FactorPresented { kind },
        &factor_ctx,
        now,
    )?;
    guarded_actions::add_factor(
        conn,
        request.id,
        kind.as_str(),
        &step_up.credential.to_string(),
        now,
    )?;
    Ok(match finish_by_itself(conn, inner, &next, now)? {
        Some((done, _)) => done,
        None => next,
    })
}

/// Applies `event` to request `id` as stored now (under its lock), stores
/// the result and carries out its effects.
fn step(
    conn: &mut DbConnection,
    inner: &Inner,
    id: GuardedActionId,
    event: Event,
    ctx: &Ctx,
    now: DateTime<Utc>,
) -> Result<(Request, Executed), EngineError> {
    let record = guarded_actions::lock(conn, id)?.ok_or(Refusal::NotFound {})?;
    let (request, version) = from_record(&record)?;
    let (next, effects) = transition(&request, event, now)?;
    if next != request {
        guarded_actions::update(conn, &to_update(&next, version))?;
    }
    let executed = Executor {
        audit: &inner.audit,
        codes: &inner.codes,
        config: &inner.config,
    }
    .execute(conn, &next, &effects, ctx, now)?;
    Ok((next, executed))
}

/// Whether a ready request completes without its requester: a change the
/// owner asked for in a live session, or an administrator from the console
/// (a role, a tier, enabling an account), that gives nothing to a browser
/// and ends no session (sessions live outside the database). A console
/// change completes only while its requester still holds the admin role on
/// an enabled account: an administrator removed meanwhile leaves it ready,
/// for another administrator to cancel.
fn completes_by_itself(
    conn: &mut DbConnection,
    inner: &Inner,
    request: &Request,
) -> Result<bool, EngineError> {
    if request.state != State::Ready
        || request.requester_session.is_none()
        || request.policy.revokes.contains(&Revocation::Sessions)
    {
        return Ok(false);
    }
    let Some(requester) = request.requester else {
        return Ok(false);
    };
    if requester != request.subject {
        if !matches!(
            request.action,
            GuardedAction::GrantRole { .. }
                | GuardedAction::ChangeTier { .. }
                | GuardedAction::EnableAccount
        ) {
            return Ok(false);
        }
        return Ok(match roles_of(conn, requester) {
            Ok(roles) => roles.contains(&latchkey_core::Role::Admin),
            Err(EngineError::Refused(_)) => false,
            Err(e) => return Err(e),
        });
    }
    Ok(match &request.action {
        GuardedAction::AddPasskey => !credentials::pending_of(conn, request.id)?.is_empty(),
        GuardedAction::RemovePasskey { .. } => {
            removal_keeps_a_way_in(conn, request.subject).is_ok()
        }
        GuardedAction::ChangeEmail { .. } => true,
        // A policy change the console asked for, applied once approved and
        // past its delay; one that went stale stays ready, unapplied, until
        // it expires or is cancelled.
        GuardedAction::WeakenPolicy { change } => {
            let still_admin = match roles_of(conn, requester) {
                Ok(roles) => roles.contains(&latchkey_core::Role::Admin),
                Err(EngineError::Refused(_)) => false,
                Err(e) => return Err(e),
            };
            if !still_admin {
                return Ok(false);
            }
            match super::checks::policy_change_applies(conn, &inner.config.policies, change) {
                Ok(()) => true,
                Err(EngineError::Refused(r)) => {
                    tracing::warn!(
                        target: "latchkey::guarded_action",
                        request = %request.id,
                        reason = r.code(),
                        "a ready policy change does not apply any more"
                    );
                    false
                }
                Err(e) => return Err(e),
            }
        }
        _ => false,
    })
}

/// Completes `request` (just stored as it is) when it completes by itself;
/// in the caller's transaction. `None` when it does not.
pub(super) fn finish_by_itself(
    conn: &mut DbConnection,
    inner: &Inner,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Option<(Request, Executed)>, EngineError> {
    if !completes_by_itself(conn, inner, request)? {
        return Ok(None);
    }
    let Some(session) = request.requester_session.clone() else {
        return Ok(None);
    };
    let ctx = Ctx {
        actor: Actor::System,
        ip: None,
        credential: None,
        cancel_token: None,
        request_id: None,
    };
    let session: HashedToken = session;
    match step(
        conn,
        inner,
        request.id,
        Event::Complete { session },
        &ctx,
        now,
    ) {
        Ok(done) => Ok(Some(done)),
        // Refused before anything was written: left ready, where the owner
        // still sees it and can cancel it.
        Err(EngineError::Refused(r)) => {
            tracing::warn!(
                target: "latchkey::guarded_action",
                request = %request.id,
                reason = r.code(),
                "a ready change did not complete by itself"
            );
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Audits that a pending passkey was activated or dropped with its request.
pub(crate) fn pending_event(
    request: &Request,
    credential: &credentials::Credential,
    activated: bool,
    reason: &str,
) -> NewAuditEvent {
    let kind = if activated {
        AuditEventKind::PasskeyRegistered
    } else {
        AuditEventKind::PasskeyRevoked
    };
    NewAuditEvent::new(kind)
        .actor("system")
        .subject(credential.id.clone())
        .detail(json!({
            "owner": request.subject,
            "label": credential.label,
            "request": request.id,
            "pending": !activated,
            "reason": reason,
        }))
}
