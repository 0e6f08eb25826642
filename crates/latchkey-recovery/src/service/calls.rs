//! The engine's public calls, one per thing that can happen to a request.

use chrono::{DateTime, Utc};
use latchkey_core::{
    AuditEventKind, CredentialId, GuardedActionId, HashedToken, PlainToken, Secret, TokenKind,
    UserId,
};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::{approvals, ephemeral, guarded_actions, outbox, recovery_codes, users};
use serde_json::json;

use super::checks::{check_action, fresh, passkey_of, removal_keeps_a_way_in, roles_of};
use super::{EngineError, GuardedActions, Prepared, Write, audit_plain, in_transaction, presented};
use crate::action::GuardedAction;
use crate::effects::{Actor, Ctx, Executor};
use crate::machine::{
    Canceller, Event, MAX_FAILED_ATTEMPTS, OobMethod, Opening, Request, transition,
};
use crate::notices;
use crate::policy::{FactorKind, Feasibility, effective_tier};
use crate::record::{from_record, to_new, to_update};
use crate::state::{Refusal, State};

/// Where a call comes from, for the audit log and per-address limits.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
}

/// A new request.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub action: GuardedAction,
    /// The account the change is for.
    pub subject: UserId,
    /// The signed-in account asking; `None` for a recovery.
    pub requester: Option<UserId>,
    /// The handle of the requester's browser session: completion, the
    /// e-mail factor and the enrolment grant are bound to it.
    pub session_handle: String,
}

/// A request was made.
#[derive(Debug)]
pub struct Requested {
    pub request: Request,
    /// The one-click cancel link's token (also in the notice already
    /// enqueued). Shown to nobody else.
    pub cancel_token: PlainToken,
}

/// A verified, user-verified passkey assertion offered as a factor.
#[derive(Debug, Clone)]
pub struct PasskeyFact {
    pub user: UserId,
    pub credential: CredentialId,
    pub uv_at: DateTime<Utc>,
}

/// A verified, user-verified assertion by an approver, whose challenge was
/// `bound_digest` — [`crate::approval_challenge`] of the request for the
/// approval to count.
#[derive(Debug, Clone)]
pub struct ApproverAssertion {
    pub approver: UserId,
    pub credential: CredentialId,
    pub uv_at: DateTime<Utc>,
    pub bound_digest: [u8; 32],
}

/// An out-of-band identity check, recorded by an approver signed in with a
/// fresh user-verified assertion.
#[derive(Debug, Clone)]
pub struct OobCheck {
    pub recorder: UserId,
    pub credential: CredentialId,
    pub uv_at: DateTime<Utc>,
    pub method: OobMethod,
    /// What was checked, for the reviewers (never a document number in full).
    pub evidence: String,
}

/// What completing a request did, and what the caller still has to do.
#[derive(Debug)]
pub struct Completion {
    pub request: Request,
    /// The single-use enrolment grant for the requester's session (recovery,
    /// new passkey): redeem it with [`GuardedActions::redeem_enrollment_grant`]
    /// before registering the passkey.
    pub enrollment_grant: Option<PlainToken>,
    /// New recovery codes, to show once.
    pub recovery_codes: Option<Secret<Vec<String>>>,
    /// The caller must end every browser session of the subject.
    pub end_sessions: bool,
    pub passkeys_revoked: Vec<CredentialId>,
    pub refresh_families_revoked: usize,
    /// The approved change the console applies itself (a policy change).
    pub apply_by_caller: Option<GuardedAction>,
}

/// A redeemed enrolment grant: register a passkey for `user` now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemedGrant {
    pub user: UserId,
    pub request: Option<GuardedActionId>,
}

/// What a pass of [`GuardedActions::tick`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Requests claimed as due.
    pub examined: usize,
    /// Requests whose state changed.
    pub changed: usize,
    pub expired: usize,
    pub ready: usize,
}

fn email_link_key(token: &HashedToken) -> String {
    format!("guarded-email-link:{}", token.to_hex())
}

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
                    let account = users::find(conn, subject)?
                        .filter(|a| !a.is_disabled())
                        .ok_or(Refusal::AccountUnavailable {})?;
                    if let Some(r) = requester {
                        roles_of(conn, r)?;
                    }
                    check_action(conn, &action, subject, requester)?;
                    let roles = roles_of(conn, subject)?;
                    let tier = effective_tier(account.account_tier()?, &roles);
                    let policy = inner.config.policies.policy(tier, action.kind()).clone();
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
                    Ok(request)
                })
            })
            .await?;
        Ok(Requested {
            request,
            cancel_token,
        })
    }

    /// Counts a factor attempt against the account's limit.
    async fn factor_attempt_allowed(&self, id: GuardedActionId) -> Result<(), EngineError> {
        let subject = self.view(id).await?.subject;
        let key = format!("guarded-factor:{subject}");
        if self
            .within_limit(key, self.config().factor_attempts_per_account)
            .await?
        {
            Ok(())
        } else {
            Err(Refusal::RateLimited {}.into())
        }
    }

    /// Presents one of the account's recovery codes. A right code is spent
    /// and counts as the `recovery_code` factor; a wrong one counts toward
    /// the request's lock (refused with [`Refusal::WrongFactor`], or
    /// [`Refusal::LockedNow`] at the fifth). Attempts are also limited per
    /// account across requests. The code is never logged.
    pub async fn present_recovery_code(
        &self,
        id: GuardedActionId,
        code: Secret<String>,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        self.factor_attempt_allowed(id).await?;
        let ctx = Ctx {
            actor: Actor::Requester,
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: None,
        };
        self.drive(id, ctx, move |conn, inner, request, now| {
            let kind = FactorKind::RecoveryCode;
            request.accepts_factor(kind, now)?;
            if recovery_codes::consume(conn, &inner.codes, request.subject, code.expose(), now)? {
                return Ok(Prepared {
                    event: Event::FactorPresented { kind },
                    writes: vec![Write::Factor {
                        kind: kind.as_str(),
                        detail: String::new(),
                    }],
                    after: None,
                });
            }
            let left =
                MAX_FAILED_ATTEMPTS.saturating_sub(request.failed_attempts.saturating_add(1));
            Ok(Prepared {
                event: Event::FactorFailed { kind },
                writes: Vec::new(),
                after: Some(if left == 0 {
                    Refusal::LockedNow {}
                } else {
                    Refusal::WrongFactor {
                        attempts_left: left,
                    }
                }),
            })
        })
        .await
    }

    /// Sends a one-time link (30 minutes) to the account's verified
    /// address; opening it in the requester's browser session is the
    /// `email_link` factor.
    pub async fn send_email_link(
        &self,
        id: GuardedActionId,
        origin: &Origin,
    ) -> Result<(), EngineError> {
        self.factor_attempt_allowed(id).await?;
        let now = self.now();
        let ip = origin.ip.clone();
        self.run(move |conn, inner| {
            in_transaction(conn, |conn| {
                let record = guarded_actions::lock(conn, id)?.ok_or(Refusal::NotFound {})?;
                let (request, _) = from_record(&record)?;
                request.accepts_factor(FactorKind::EmailLink, now)?;
                let account =
                    users::find(conn, request.subject)?.ok_or(Refusal::AccountUnavailable {})?;
                let (Some(to), Some(_)) = (&account.email, account.email_verified_at) else {
                    return Err(Refusal::NoVerifiedEmail {}.into());
                };
                let token = PlainToken::generate(TokenKind::EmailVerification);
                let ttl = inner.config.email_link_ttl;
                ephemeral::put_value(
                    conn,
                    &email_link_key(&token.hashed()),
                    request.id.to_string().as_bytes(),
                    now + ttl,
                )?;
                let (subject, text) = notices::email_link(
                    request.action.kind(),
                    &account.username,
                    &inner.config.instance_name,
                    &inner.config.email_link_base,
                    &token,
                );
                outbox::enqueue_email(conn, to, &subject, &text, now)?;
                tracing::info!(
                    target: "latchkey::guarded_action",
                    request = %request.id,
                    ip = ip.as_deref().unwrap_or(""),
                    "e-mail link sent"
                );
                Ok(())
            })
        })
        .await
    }

    /// Presents the e-mail link's token from `session_handle`: it must be
    /// the requester's session (a link the account's owner opens by mistake
    /// does not help someone else's request). Spent once.
    pub async fn present_email_link(
        &self,
        token: &str,
        session_handle: &str,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        let hashed =
            presented(TokenKind::EmailVerification, token).ok_or(Refusal::LinkInvalid {})?;
        let key = email_link_key(&hashed);
        let now = self.now();
        let lookup = key.clone();
        let id = self
            .run(move |conn, _| Ok(ephemeral::get_value(conn, &lookup, now)?))
            .await?
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|v| GuardedActionId::parse(&v).ok())
            .ok_or(Refusal::LinkInvalid {})?;
        let session = HashedToken::of(session_handle);
        let ctx = Ctx {
            actor: Actor::Requester,
            ip: origin.ip.clone(),
            credential: None,
            cancel_token: None,
        };
        self.drive(id, ctx, move |conn, _, request, now| {
            let kind = FactorKind::EmailLink;
            request.accepts_factor(kind, now)?;
            if !request
                .requester_session
                .as_ref()
                .is_some_and(|s| s.matches(&session))
            {
                return Err(Refusal::SessionMismatch {}.into());
            }
            if ephemeral::take_value(conn, &key, now)?.is_none() {
                return Err(Refusal::LinkInvalid {}.into());
            }
            Ok(Prepared {
                event: Event::FactorPresented { kind },
                writes: vec![Write::Factor {
                    kind: kind.as_str(),
                    detail: String::new(),
                }],
                after: None,
            })
        })
        .await
    }

    /// Presents a user-verified assertion by a registered passkey of the
    /// requester (of the subject for a recovery), made in the last few
    /// minutes, as the `passkey` factor.
    pub async fn present_passkey(
        &self,
        id: GuardedActionId,
        fact: PasskeyFact,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        self.factor_attempt_allowed(id).await?;
        let ctx = Ctx {
            actor: Actor::User(fact.user),
            ip: origin.ip.clone(),
            credential: Some(fact.credential),
            cancel_token: None,
        };
        self.drive(id, ctx, move |conn, _, request, now| {
            let kind = FactorKind::Passkey;
            request.accepts_factor(kind, now)?;
            let owner = request.requester.unwrap_or(request.subject);
            if fact.user != owner || !fresh(fact.uv_at, now) {
                return Err(Refusal::PasskeyNotAccepted {}.into());
            }
            roles_of(conn, fact.user)?;
            passkey_of(conn, fact.user, fact.credential)?;
            Ok(Prepared {
                event: Event::FactorPresented { kind },
                writes: vec![Write::Factor {
                    kind: kind.as_str(),
                    detail: fact.credential.to_string(),
                }],
                after: None,
            })
        })
        .await
    }

    /// Records an approver's out-of-band identity check.
    pub async fn record_oob(
        &self,
        id: GuardedActionId,
        check: OobCheck,
        origin: &Origin,
    ) -> Result<Request, EngineError> {
        let ctx = Ctx {
            actor: Actor::User(check.recorder),
            ip: origin.ip.clone(),
            credential: Some(check.credential),
            cancel_token: None,
        };
        self.drive(id, ctx, move |conn, _, _, now| {
            let roles = roles_of(conn, check.recorder)?;
            passkey_of(conn, check.recorder, check.credential)?;
            if !fresh(check.uv_at, now) {
                return Err(Refusal::ApprovalNotFresh {}.into());
            }
            let evidence = check.evidence.trim().to_owned();
            if evidence.chars().count() > 2000 {
                return Err(Refusal::InvalidAction {}.into());
            }
            Ok(Prepared {
                event: Event::OobRecorded {
                    by: check.recorder,
                    by_roles: roles,
                    method: check.method,
                    evidence: evidence.clone(),
                },
                writes: vec![Write::Oob {
                    by: check.recorder,
                    method: check.method.as_str(),
                    evidence,
                }],
                after: None,
            })
        })
        .await
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
        };
        let driven = self
            .drive_full(id, ctx, move |conn, _, request, now| {
                // Only a completion that would pass may be checked for its
                // effects: ask the machine first, without storing anything.
                let event = Event::Complete { session };
                transition(request, event.clone(), now)?;
                if let GuardedAction::RemovePasskey { .. } = request.action {
                    removal_keeps_a_way_in(conn, request.subject)?;
                }
                Ok(Prepared::event(event))
            })
            .await?;
        let executed = driven.executed;
        Ok(Completion {
            request: driven.request,
            enrollment_grant: executed.grant,
            recovery_codes: executed.recovery_codes,
            end_sessions: executed.end_sessions,
            passkeys_revoked: executed.passkeys_revoked,
            refresh_families_revoked: executed.refresh_families_revoked,
            apply_by_caller: executed.apply_by_caller,
        })
    }

    /// Spends an enrolment grant from the session it is bound to. The web
    /// layer calls this before registering the passkey it allows.
    pub async fn redeem_enrollment_grant(
        &self,
        token: &str,
        session_handle: &str,
        origin: &Origin,
    ) -> Result<RedeemedGrant, EngineError> {
        let hashed =
            presented(TokenKind::EnrollmentGrant, token).ok_or(Refusal::GrantInvalid {})?;
        let session = HashedToken::of(session_handle);
        let now = self.now();
        let ip = origin.ip.clone();
        self.run(move |conn, inner| {
            in_transaction(conn, |conn| {
                let grant =
                    latchkey_store::enrollment_grants::redeem(conn, &hashed, &session, now)?
                        .ok_or(Refusal::GrantInvalid {})?;
                let user = grant.user()?;
                let request = grant
                    .action_id
                    .as_deref()
                    .map(GuardedActionId::parse)
                    .transpose()
                    .map_err(|e| latchkey_store::StoreError::Corrupt(e.to_string()))?;
                let mut event = NewAuditEvent::new(AuditEventKind::EnrollmentGrantRedeemed)
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
            let policy = inner.config.policies.policy(tier, action).clone();
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

    /// One pass of the background job at `now`: expires requests past their
    /// lifetime and moves waiting ones whose delay ended. Idempotent; with
    /// several nodes each claims a disjoint batch (`FOR UPDATE SKIP LOCKED`).
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, EngineError> {
        self.run(move |conn, inner| {
            in_transaction(conn, |conn| {
                let mut report = TickReport::default();
                let ids = guarded_actions::claim_due(conn, now, inner.config.tick_batch)?;
                report.examined = ids.len();
                let ctx = Ctx {
                    actor: Actor::System,
                    ip: None,
                    credential: None,
                    cancel_token: None,
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
                    report.changed += 1;
                    match next.state {
                        State::Expired => report.expired += 1,
                        State::Ready => report.ready += 1,
                        _ => {}
                    }
                }
                Ok(report)
            })
        })
        .await
    }
}
