//! The engine's public calls, one per thing that can happen to a request.

use chrono::{DateTime, Utc};
use latchkey_core::{AuditEventKind, GuardedActionId, HashedToken, PlainToken, TokenKind, UserId};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::{approvals, guarded_actions, users};
use serde_json::json;

use super::checks::{
    check_action, passkey_of, policy_change_applies, removal_keeps_a_way_in, roles_of,
    subject_roles,
};
use super::types::{
    ApproverAssertion, Completion, NewRequest, Origin, RedeemedGrant, Requested, TickReport,
};
use super::{EngineError, GuardedActions, Prepared, Write, audit_plain, in_transaction, presented};
use crate::action::GuardedAction;
use crate::effects::{Actor, Ctx, Executor};
use crate::machine::{Canceller, Event, Opening, Request, transition};
use crate::policy::{Feasibility, effective_tier};
use crate::record::{from_record, to_new, to_update};
use crate::state::{Refusal, State};

impl GuardedActions {
    /// Makes a request and announces it on every channel of the account,
    /// with a one-click cancel link. Refused when the account is disabled,
    /// the requester may not ask for this action, the parameters do not fit
    /// the account, the policy cannot be met with the approvers there are,
    /// or too many requests came from the account or the address.
    pub async fn request(
        &self,
        new: NewRequest,
        origin: &Origin,
    ) -> Result<Requested, EngineError> {
        self.request_then(new, origin, |_, _, request, _, _| Ok(request))
            .await
    }

    /// Makes a request as [`Self::request`] does, then lets `then` carry on
    /// with it in the same transaction (a live change stores its pending
    /// passkey and its step-up factor there): a refusal by `then` leaves no
    /// request behind.
    pub(super) async fn request_then<F>(
        &self,
        new: NewRequest,
        origin: &Origin,
        then: F,
    ) -> Result<Requested, EngineError>
    where
        F: FnOnce(
                &mut latchkey_store::DbConnection,
                &super::Inner,
                Request,
                &Ctx,
                DateTime<Utc>,
            ) -> Result<Request, EngineError>
            + Send
            + 'static,
    {
        let limits = self.config();
        let per_account = format!("guarded-request:{}", new.subject);
        if !self
            .within_limit(per_account, limits.requests_per_account)
            .await?
        {
            return Err(Refusal::RateLimited {}.into());
        }
        if let Some(ip) = &origin.ip {
            let per_ip = format!("guarded-request-ip:{ip}");
            if !self.within_limit(per_ip, limits.requests_per_ip).await? {
                return Err(Refusal::RateLimited {}.into());
            }
        }
        let now = self.now();
        let cancel_token = PlainToken::generate(TokenKind::CancelLink);
        let ctx = Ctx {
            actor: Actor::Requester,
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: Some(cancel_token.clone()),
            request_id: origin.request_id.clone(),
        };
        let link = cancel_token.hashed();
        let request = self
            .run(move |conn, inner| {
                in_transaction(conn, |conn| {
                    let NewRequest {
                        action,
                        subject,
                        requester,
                        session_handle,
                    } = new;
                    // Only a request to enable it again may be about a
                    // disabled account.
                    let enabling = matches!(action, GuardedAction::EnableAccount);
                    let account = users::find(conn, subject)?
                        .filter(|a| enabling || !a.is_disabled())
                        .ok_or(Refusal::AccountUnavailable {})?;
                    if let Some(r) = requester {
                        roles_of(conn, r)?;
                    }
                    check_action(conn, &inner.config.policies, &action, subject, requester)?;
                    let roles = subject_roles(conn, subject)?;
                    let tier = effective_tier(account.account_tier()?, &roles);
                    let policy =
                        super::in_force(conn, &inner.config.policies, tier, action.kind())?;
                    let mut excluded = vec![subject];
                    excluded.extend(requester);
                    let eligible = approvals::count_eligible_approvers(
                        conn,
                        policy.approver_role.as_str(),
                        &excluded,
                    )?;
                    let eligible = u64::try_from(eligible).unwrap_or(0);
                    if let Feasibility::NotEnoughApprovers {
                        required,
                        available,
                    } = policy.feasibility(eligible)
                    {
                        return Err(Refusal::PolicyCannotBeMet {
                            required,
                            available,
                        }
                        .into());
                    }
                    let (request, effects) = Request::open(
                        Opening {
                            id: GuardedActionId::new(),
                            action,
                            subject,
                            requester,
                            tier,
                            policy,
                            requester_session: Some(HashedToken::of(&session_handle)),
                        },
                        now,
                    );
                    guarded_actions::insert(conn, &to_new(&request, link)?)?;
                    Executor {
                        audit: &inner.audit,
                        codes: &inner.codes,
                        config: &inner.config,
                    }
                    .execute(conn, &request, &effects, &ctx, now)?;
                    then(conn, inner, request, &ctx, now)
                })
            })
            .await?;
        self.count_opened(&request);
        Ok(Requested {
            request,
            cancel_token,
        })
    }

    /// Approves, with the approver's fresh user-verified assertion bound to
    /// this request. Refused for the requester, the subject, an account
    /// without the approver role, a stale assertion, an assertion bound to
    /// another request, or a second approval by the same approver.
    pub async fn approve(
        &self,
        id: GuardedActionId,
        assertion: ApproverAssertion,
        comment: &str,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        self.decide(id, assertion, comment, origin, true).await
    }

    /// Denies; one denial ends the request. The same checks as [`Self::approve`].
    pub async fn deny(
        &self,
        id: GuardedActionId,
        assertion: ApproverAssertion,
        comment: &str,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        self.decide(id, assertion, comment, origin, false).await
    }

    async fn decide(
        &self,
        id: GuardedActionId,
        a: ApproverAssertion,
        comment: &str,
        origin: &Origin,
        approve: bool,
    ) -> Result<Request, EngineError> {
        let comment: String = comment.trim().chars().take(2000).collect();
        let ctx = Ctx {
            actor: Actor::User(a.approver),
            ip: origin.ip.clone(),
            credential: Some(a.credential),
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        self.drive(id, ctx, move |conn, _, _, _| {
            let roles = roles_of(conn, a.approver)?;
            passkey_of(conn, a.approver, a.credential)?;
            let (event, decision) = if approve {
                let event = Event::ApprovalGiven {
                    approver: a.approver,
                    approver_roles: roles,
                    uv_at: a.uv_at,
                    bound_digest: a.bound_digest,
                };
                (event, approvals::DECISION_APPROVE)
            } else {
                let event = Event::Denied {
                    by: a.approver,
                    by_roles: roles,
                    uv_at: a.uv_at,
                    bound_digest: a.bound_digest,
                };
                (event, approvals::DECISION_DENY)
            };
            Ok(Prepared {
                event,
                writes: vec![Write::Decision {
                    approver: a.approver,
                    decision,
                    comment,
                    uv_at: a.uv_at,
                    credential: a.credential,
                }],
                after: None,
            })
        })
        .await
    }

    /// Cancels as the signed-in owner of the account (or the requester).
    pub async fn cancel(
        &self,
        id: GuardedActionId,
        by: UserId,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        let ctx = Ctx {
            actor: Actor::User(by),
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        self.drive(id, ctx, move |_, _, _, _| {
            Ok(Prepared::event(Event::Cancelled {
                by: Canceller::User(by),
            }))
        })
        .await
    }

    /// Cancels with the one-click link of a notice. The link works once and
    /// not after the request is over.
    pub async fn cancel_by_link(
        &self,
        token: &str,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        let hashed =
            presented(TokenKind::CancelLink, token).ok_or(Refusal::CancelLinkInvalid {})?;
        let id = self
            .run(move |conn, _| Ok(guarded_actions::find_by_cancel_token(conn, &hashed)?))
            .await?
            .ok_or(Refusal::CancelLinkInvalid {})?;
        let ctx = Ctx {
            actor: Actor::Link,
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        self.drive(id, ctx, |_, _, _, _| {
            Ok(Prepared::event(Event::Cancelled {
                by: Canceller::Link,
            }))
        })
        .await
    }

    /// Carries out a ready request, from the requester's browser session:
    /// applies the action, issues the enrolment grant where the action
    /// registers a passkey, revokes what the policy says, and notifies.
    pub async fn complete(
        &self,
        id: GuardedActionId,
        session_handle: &str,
        origin: &Origin,
    ) -> Result<Completion, EngineError> {
        let session = HashedToken::of(session_handle);
        let ctx = Ctx {
            actor: Actor::Requester,
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: None,
            request_id: origin.request_id.clone(),
        };
        let driven = self
            .drive_full(id, ctx, move |conn, inner, request, now| {
                // Only a completion that would pass may be checked for its
                // effects: ask the machine first, without storing anything.
                let event = Event::Complete { session };
                transition(request, event.clone(), now)?;
                match &request.action {
                    GuardedAction::RemovePasskey { .. } => {
                        removal_keeps_a_way_in(conn, request.subject)?;
                    }
                    GuardedAction::WeakenPolicy { change } => {
                        policy_change_applies(conn, &inner.config.policies, change)?
                    }
                    _ => {}
                }
                Ok(Prepared::event(event))
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

    /// Spends an enrolment grant from the session it is bound to. The web
    /// layer calls this before registering the passkey it allows.
    pub async fn redeem_enrolment_grant(
        &self,
        token: &str,
        session_handle: &str,
        origin: &Origin,
    ) -> Result<RedeemedGrant, EngineError> {
        let hashed = presented(TokenKind::EnrolmentGrant, token).ok_or(Refusal::GrantInvalid {})?;
        let session = HashedToken::of(session_handle);
        let now = self.now();
        let ip = origin.ip.clone();
        self.run(move |conn, inner| {
            in_transaction(conn, |conn| {
                let grant = latchkey_store::enrolment_grants::redeem(conn, &hashed, &session, now)?
                    .ok_or(Refusal::GrantInvalid {})?;
                let user = grant.user()?;
                let request = grant
                    .action_id
                    .as_deref()
                    .map(GuardedActionId::parse)
                    .transpose()
                    .map_err(|e| latchkey_store::StoreError::Corrupt(e.to_string()))?;
                let mut event = NewAuditEvent::new(AuditEventKind::EnrolmentGrantRedeemed)
                    .actor(user)
                    .subject(user)
                    .detail(json!({ "grant": grant.id, "request": grant.action_id }));
                if let Some(ip) = &ip {
                    event = event.ip(ip);
                }
                audit_plain(inner, conn, now, &event)?;
                Ok(RedeemedGrant { user, request })
            })
        })
        .await
    }

    /// What the policy for `action` on `subject`'s account needs, and
    /// whether enough accounts could approve for it to be met.
    pub async fn feasibility(
        &self,
        action: crate::action::ActionKind,
        subject: UserId,
        requester: Option<UserId>,
    ) -> Result<(crate::policy::Policy, Feasibility), EngineError> {
        self.run(move |conn, inner| {
            let account = users::find(conn, subject)?.ok_or(Refusal::AccountUnavailable {})?;
            let roles = roles_of(conn, subject)?;
            let tier = effective_tier(account.account_tier()?, &roles);
            let policy = super::in_force(conn, &inner.config.policies, tier, action)?;
            let mut excluded = vec![subject];
            excluded.extend(requester);
            let eligible = approvals::count_eligible_approvers(
                conn,
                policy.approver_role.as_str(),
                &excluded,
            )?;
            let feasibility = policy.feasibility(u64::try_from(eligible).unwrap_or(0));
            Ok((policy, feasibility))
        })
        .await
    }

    /// Brings one request up to date now (an ended delay, an ended
    /// lifetime), as the background job would on its next pass: the pages
    /// call it when the request they show is due, so nobody waits for the
    /// job. Idempotent; changes nothing when nothing is due.
    pub async fn advance(&self, id: GuardedActionId) -> Result<Request, EngineError> {
        let ctx = Ctx {
            actor: Actor::System,
            ip: None,
            credential: None,
            cancel_token: None,
            request_id: None,
        };
        self.drive(id, ctx, |_, _, _, _| Ok(Prepared::event(Event::Tick)))
            .await
    }

    /// One pass of the background job at `now`: expires requests past their
    /// lifetime and moves waiting ones whose delay ended. Idempotent; with
    /// several nodes each claims a disjoint batch (`FOR UPDATE SKIP LOCKED`).
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, EngineError> {
        self.run(move |conn, inner| {
            in_transaction(conn, |conn| {
                let mut report = TickReport::default();
                // Each stored change: the state before, and the request after.
                let mut moved = Vec::new();
                let ids = guarded_actions::claim_due(conn, now, inner.config.tick_batch)?;
                report.examined = ids.len();
                let ctx = Ctx {
                    actor: Actor::System,
                    ip: None,
                    credential: None,
                    cancel_token: None,
                    request_id: None,
                };
                for id in ids {
                    let Some(record) = guarded_actions::lock(conn, id)? else {
                        continue;
                    };
                    let (request, version) = match from_record(&record) {
                        Ok(r) => r,
                        Err(e) => {
                            tracing::error!(target: "latchkey::guarded_action", request = %id, error = %e, "a stored guarded action does not parse");
                            continue;
                        }
                    };
                    let (next, effects) = transition(&request, Event::Tick, now)?;
                    if next == request {
                        continue;
                    }
                    guarded_actions::update(conn, &to_update(&next, version))?;
                    Executor {
                        audit: &inner.audit,
                        codes: &inner.codes,
                        config: &inner.config,
                    }
                    .execute(conn, &next, &effects, &ctx, now)?;
                    // A live change that hands nothing to a browser
                    // completes as soon as it is ready.
                    let next = match super::live::finish_by_itself(conn, inner, &next, now)? {
                        Some((done, _)) => done,
                        None => next,
                    };
                    report.changed += 1;
                    moved.push((request.state, next.clone()));
                    match next.state {
                        State::Expired => report.expired += 1,
                        State::Ready => report.ready += 1,
                        _ => {}
                    }
                }
                Ok((report, moved))
            })
        })
        .await
        .map(|(report, moved)| {
            for (before, after) in &moved {
                self.count(*before, after);
            }
            report
        })
    }
}
