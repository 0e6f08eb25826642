//! The pure state machine: `(request, event, now) → (request', effects)` or
//! a refusal. No I/O and no clock: time is an argument, effects are data
//! that the service carries out in the transaction that stores the change.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{AccountTier, AuditEventKind, GuardedActionId, HashedToken, Role, UserId};
use subtle::ConstantTimeEq as _;

use crate::action::{GuardedAction, action_digest, approval_challenge};
pub use crate::event::{Canceller, Effect, Event, Notice, OobMethod, Step};
use crate::policy::{FactorKind, Policy};
use crate::state::{Refusal, State};

/// Wrong factors a request takes before it locks.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;
/// How recent an approver's user-verified assertion must be.
pub const APPROVAL_FRESHNESS: Duration = Duration::minutes(5);

/// One guarded-action request, as the machine sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: GuardedActionId,
    pub action: GuardedAction,
    /// The account the change is for.
    pub subject: UserId,
    /// Who asked, when signed in (`None` for a recovery: nobody can sign in).
    pub requester: Option<UserId>,
    pub tier: AccountTier,
    /// The policy as it was when the request was made.
    pub policy: Policy,
    /// Hash of the requester's browser-session handle: completion must come
    /// from that session.
    pub requester_session: Option<HashedToken>,
    pub state: State,
    /// The distinct factor kinds verified.
    pub factors: BTreeSet<FactorKind>,
    pub failed_attempts: u32,
    /// The distinct approvers.
    pub approvals: BTreeSet<UserId>,
    /// Who recorded the out-of-band identity check.
    pub out_of_band_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the delay ends; set once the factors are verified.
    pub eligible_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub denied_at: Option<DateTime<Utc>>,
    pub expired_at: Option<DateTime<Utc>>,
    pub locked_at: Option<DateTime<Utc>>,
}

/// What a new request is.
#[derive(Debug, Clone)]
pub struct Opening {
    pub id: GuardedActionId,
    pub action: GuardedAction,
    pub subject: UserId,
    pub requester: Option<UserId>,
    pub tier: AccountTier,
    pub policy: Policy,
    pub requester_session: Option<HashedToken>,
}

/// The result of a transition.
pub type Outcome = Result<(Request, Vec<Effect>), Refusal>;

impl Request {
    /// A new request, announced. It expires `policy.lifetime` from `now`.
    pub fn open(opening: Opening, now: DateTime<Utc>) -> (Request, Vec<Effect>) {
        let mut request = Request {
            id: opening.id,
            action: opening.action,
            subject: opening.subject,
            requester: opening.requester,
            tier: opening.tier,
            expires_at: now + opening.policy.lifetime,
            policy: opening.policy,
            requester_session: opening.requester_session,
            state: State::Requested,
            factors: BTreeSet::new(),
            failed_attempts: 0,
            approvals: BTreeSet::new(),
            out_of_band_by: None,
            created_at: now,
            updated_at: now,
            eligible_at: None,
            completed_at: None,
            cancelled_at: None,
            denied_at: None,
            expired_at: None,
            locked_at: None,
        };
        let mut effects = vec![
            Effect::Audit(Step {
                kind: AuditEventKind::GuardedActionRequested,
                from: State::Requested,
                to: State::Requested,
                reason: "requested",
            }),
            Effect::Notify(Notice::Requested),
        ];
        request.settle(now, &mut effects);
        (request, effects)
    }

    /// The digest of what approvers approve (see [`action_digest`]).
    pub fn action_digest(&self) -> [u8; 32] {
        action_digest(
            self.id,
            &self.action,
            self.subject,
            self.requester,
            self.created_at,
        )
    }

    /// The challenge an approver's assertion must be bound to.
    pub fn approval_challenge(&self) -> [u8; 32] {
        approval_challenge(self.id, &self.action_digest())
    }

    pub fn factors_satisfied(&self) -> bool {
        self.factors
            .iter()
            .filter(|k| self.policy.factor_kinds.contains(k))
            .count()
            >= usize::from(self.policy.factors)
    }

    pub fn approvals_satisfied(&self) -> bool {
        self.approvals.len() >= usize::from(self.policy.approvals)
    }

    pub fn out_of_band_satisfied(&self) -> bool {
        !self.policy.out_of_band_check || self.out_of_band_by.is_some()
    }

    fn approvals_count(&self) -> u8 {
        u8::try_from(self.approvals.len()).unwrap_or(u8::MAX)
    }

    /// Whether a factor of `kind` would be taken at `now` (the service asks
    /// before it checks a factor, so that a factor the request would not
    /// take is neither consumed nor counted as wrong).
    pub fn accepts_factor(&self, kind: FactorKind, now: DateTime<Utc>) -> Result<(), Refusal> {
        self.check_open(now)?;
        if !matches!(self.state, State::Requested | State::VerifyingFactors) {
            return Err(Refusal::FactorsComplete {});
        }
        // An out-of-band check is recorded by an approver, never presented.
        if kind == FactorKind::OutOfBand || !self.policy.factor_kinds.contains(&kind) {
            return Err(Refusal::FactorKindNotAllowed {});
        }
        if self.factors.contains(&kind) {
            return Err(Refusal::FactorAlreadyVerified {});
        }
        Ok(())
    }

    fn check_open(&self, now: DateTime<Utc>) -> Result<(), Refusal> {
        if self.state.is_final() {
            return Err(Refusal::Final { state: self.state });
        }
        if now >= self.expires_at {
            return Err(Refusal::Expired {});
        }
        Ok(())
    }

    /// The checks every decision by an approver passes: not their own
    /// request or account, the role, a fresh assertion bound to this request.
    fn check_approver(
        &self,
        who: UserId,
        roles: &[Role],
        uv_at: DateTime<Utc>,
        bound_digest: &[u8; 32],
        now: DateTime<Utc>,
    ) -> Result<(), Refusal> {
        if who == self.subject {
            return Err(Refusal::ApproverIsSubject {});
        }
        if Some(who) == self.requester {
            return Err(Refusal::ApproverIsRequester {});
        }
        if !roles.contains(&self.policy.approver_role) {
            return Err(Refusal::ApproverLacksRole {});
        }
        if uv_at > now || now - uv_at > APPROVAL_FRESHNESS {
            return Err(Refusal::ApprovalNotFresh {});
        }
        let expected = self.approval_challenge();
        if !bool::from(expected.ct_eq(bound_digest)) {
            return Err(Refusal::ApprovalBoundElsewhere {});
        }
        Ok(())
    }

    fn step(
        &mut self,
        to: State,
        kind: AuditEventKind,
        reason: &'static str,
        effects: &mut Vec<Effect>,
    ) {
        effects.push(Effect::Audit(Step {
            kind,
            from: self.state,
            to,
            reason,
        }));
        self.state = to;
    }

    /// Applies what time alone changes: expiry, the end of verification,
    /// the end of the delay, readiness. Idempotent.
    fn settle(&mut self, now: DateTime<Utc>, effects: &mut Vec<Effect>) {
        if self.state.is_final() {
            return;
        }
        if now >= self.expires_at {
            self.step(
                State::Expired,
                AuditEventKind::GuardedActionExpired,
                "expired",
                effects,
            );
            self.expired_at = Some(now);
            effects.push(Effect::Notify(Notice::Expired));
            return;
        }
        if matches!(self.state, State::Requested | State::VerifyingFactors) {
            if !self.factors_satisfied() {
                return;
            }
            self.eligible_at = Some(now + self.policy.delay);
            self.step(
                State::Waiting,
                AuditEventKind::GuardedActionTransitioned,
                "factors_verified",
                effects,
            );
        }
        if self.state == State::Waiting {
            match self.eligible_at {
                Some(at) if now >= at => {}
                _ => return,
            }
            if !(self.approvals_satisfied() && self.out_of_band_satisfied()) {
                self.step(
                    State::AwaitingApprovals,
                    AuditEventKind::GuardedActionTransitioned,
                    "delay_elapsed",
                    effects,
                );
                return;
            }
        }
        if matches!(self.state, State::Waiting | State::AwaitingApprovals)
            && self.approvals_satisfied()
            && self.out_of_band_satisfied()
        {
            self.step(
                State::Ready,
                AuditEventKind::GuardedActionTransitioned,
                "ready",
                effects,
            );
            effects.push(Effect::Notify(Notice::Ready));
        }
    }
}

/// The one transition function.
///
/// Invariants (checked by the property tests):
/// - a request never completes before `eligible_at`, which is at least the
///   policy's delay after its factors were verified;
/// - it never completes with fewer distinct factor kinds than the policy
///   asks for, nor without a required out-of-band check;
/// - it never completes with fewer distinct approvals than the policy asks
///   for; every approval counted is by a holder of the approver role with a
///   fresh user-verified assertion bound to this request, and never by the
///   requester or the subject; an approval counts once;
/// - one denial ends it; a cancel by the owner wins until completion;
/// - completed, cancelled, denied, expired and locked are final: every
///   further event is refused (a tick changes nothing);
/// - a request past `expires_at` never completes;
/// - the fifth wrong factor locks it.
pub fn transition(request: &Request, event: Event, now: DateTime<Utc>) -> Outcome {
    let mut r = request.clone();
    let mut effects = Vec::new();
    if let Event::Tick = event {
        r.settle(now, &mut effects);
        if !effects.is_empty() {
            r.updated_at = now;
        }
        return Ok((r, effects));
    }
    r.check_open(now)?;
    r.settle(now, &mut effects);
    match event {
        Event::Tick => {}
        Event::FactorPresented { kind } => {
            r.accepts_factor(kind, now)?;
            r.factors.insert(kind);
            let to = State::VerifyingFactors;
            r.step(
                to,
                AuditEventKind::GuardedActionFactorVerified,
                kind.as_str(),
                &mut effects,
            );
        }
        Event::FactorFailed { kind } => {
            r.accepts_factor(kind, now)?;
            r.failed_attempts = r.failed_attempts.saturating_add(1);
            if r.failed_attempts >= MAX_FAILED_ATTEMPTS {
                r.step(
                    State::Locked,
                    AuditEventKind::GuardedActionLocked,
                    "too_many_wrong_factors",
                    &mut effects,
                );
                r.locked_at = Some(now);
                effects.push(Effect::Notify(Notice::Locked));
            } else {
                let state = r.state;
                r.step(
                    state,
                    AuditEventKind::GuardedActionFactorFailed,
                    kind.as_str(),
                    &mut effects,
                );
            }
        }
        Event::ApprovalGiven {
            approver,
            approver_roles,
            uv_at,
            bound_digest,
        } => {
            if r.policy.approvals == 0 {
                return Err(Refusal::ApprovalNotRequired {});
            }
            match r.state {
                State::Requested | State::VerifyingFactors => {
                    return Err(Refusal::NotYetApprovable {});
                }
                State::Waiting | State::AwaitingApprovals => {}
                _ => return Err(Refusal::ApprovalsComplete {}),
            }
            r.check_approver(approver, &approver_roles, uv_at, &bound_digest, now)?;
            if r.approvals.contains(&approver) {
                return Err(Refusal::AlreadyApproved {});
            }
            if r.approvals_satisfied() {
                return Err(Refusal::ApprovalsComplete {});
            }
            r.approvals.insert(approver);
            let state = r.state;
            r.step(
                state,
                AuditEventKind::ApprovalRecorded,
                "approved",
                &mut effects,
            );
        }
        Event::Denied {
            by,
            by_roles,
            uv_at,
            bound_digest,
        } => {
            r.check_approver(by, &by_roles, uv_at, &bound_digest, now)?;
            r.step(
                State::Denied,
                AuditEventKind::GuardedActionDenied,
                "denied",
                &mut effects,
            );
            r.denied_at = Some(now);
            effects.push(Effect::Notify(Notice::Denied));
        }
        Event::OobRecorded {
            by,
            by_roles,
            method: _,
            evidence,
        } => {
            let counts_as_factor = r.policy.factor_kinds.contains(&FactorKind::OutOfBand);
            if !r.policy.out_of_band_check && !counts_as_factor {
                return Err(Refusal::OutOfBandNotUsed {});
            }
            if by == r.subject {
                return Err(Refusal::ApproverIsSubject {});
            }
            if Some(by) == r.requester {
                return Err(Refusal::ApproverIsRequester {});
            }
            if !by_roles.contains(&r.policy.approver_role) && !by_roles.contains(&Role::Admin) {
                return Err(Refusal::ApproverLacksRole {});
            }
            if r.out_of_band_by.is_some() {
                return Err(Refusal::OutOfBandAlreadyRecorded {});
            }
            if evidence.trim().is_empty() {
                return Err(Refusal::EvidenceMissing {});
            }
            let verifying = matches!(r.state, State::Requested | State::VerifyingFactors);
            if r.state == State::Ready || (!verifying && !r.policy.out_of_band_check) {
                return Err(Refusal::OutOfBandNotUsed {});
            }
            r.out_of_band_by = Some(by);
            let to = if verifying && counts_as_factor {
                r.factors.insert(FactorKind::OutOfBand);
                State::VerifyingFactors
            } else {
                r.state
            };
            r.step(
                to,
                AuditEventKind::OutOfBandCheckRecorded,
                "out_of_band_recorded",
                &mut effects,
            );
        }
        Event::Cancelled { by } => {
            let reason = match by {
                Canceller::User(user) if user == r.subject || Some(user) == r.requester => {
                    "cancelled_by_user"
                }
                Canceller::User(_) => return Err(Refusal::NotOwner {}),
                Canceller::Link => "cancelled_by_link",
            };
            r.step(
                State::Cancelled,
                AuditEventKind::GuardedActionCancelled,
                reason,
                &mut effects,
            );
            r.cancelled_at = Some(now);
            effects.push(Effect::Notify(Notice::Cancelled));
        }
        Event::Complete { session } => {
            match r.state {
                State::Ready => {}
                State::Requested | State::VerifyingFactors => {
                    return Err(Refusal::FactorsIncomplete {});
                }
                State::Waiting => return Err(Refusal::NotYetEligible {}),
                State::AwaitingApprovals if !r.approvals_satisfied() => {
                    return Err(Refusal::ApprovalsIncomplete {
                        have: r.approvals_count(),
                        need: r.policy.approvals,
                    });
                }
                State::AwaitingApprovals => return Err(Refusal::OutOfBandCheckMissing {}),
                other => return Err(Refusal::Final { state: other }),
            }
            match &r.requester_session {
                Some(bound) if bound.matches(&session) => {}
                _ => return Err(Refusal::SessionMismatch {}),
            }
            // Belt and braces: the states above imply all of this.
            let eligible = r.eligible_at.is_some_and(|at| now >= at);
            if !(eligible
                && now < r.expires_at
                && r.factors_satisfied()
                && r.approvals_satisfied()
                && r.out_of_band_satisfied())
            {
                return Err(Refusal::NotYetEligible {});
            }
            r.step(
                State::Completed,
                AuditEventKind::GuardedActionCompleted,
                "completed",
                &mut effects,
            );
            r.completed_at = Some(now);
            effects.push(Effect::Apply(r.action.clone()));
            if r.action.kind().enrols_a_passkey() {
                effects.push(Effect::IssueEnrolmentGrant);
            }
            if !r.policy.revokes.is_empty() {
                effects.push(Effect::Revoke(r.policy.revokes.clone()));
            }
            effects.push(Effect::Notify(Notice::Completed));
        }
    }
    r.settle(now, &mut effects);
    r.updated_at = now;
    Ok((r, effects))
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
