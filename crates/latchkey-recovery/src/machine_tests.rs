//! Examples of the machine's rules; the property tests in
//! `tests/state_machine.rs` check them over random event sequences.

use super::*;
use crate::policy::{PolicySet, Revocation};

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000, 0).unwrap()
}

fn session() -> HashedToken {
    HashedToken::of("the requester's session")
}

struct Fixture {
    request: Request,
    approvers: [UserId; 3],
}

fn open(tier: AccountTier, action: GuardedAction) -> Fixture {
    let policy = PolicySet::defaults().policy(tier, action.kind()).clone();
    let (request, effects) = Request::open(
        Opening {
            id: GuardedActionId::new(),
            action,
            subject: UserId::new(),
            requester: None,
            tier,
            policy,
            requester_session: Some(session()),
        },
        t0(),
    );
    assert_eq!(request.state, State::Requested);
    assert!(effects.contains(&Effect::Notify(Notice::Requested)));
    Fixture {
        request,
        approvers: [UserId::new(), UserId::new(), UserId::new()],
    }
}

fn apply(request: &mut Request, event: Event, now: DateTime<Utc>) -> Vec<Effect> {
    let (next, effects) = transition(request, event, now).unwrap();
    *request = next;
    effects
}

fn approval(request: &Request, approver: UserId, now: DateTime<Utc>) -> Event {
    Event::ApprovalGiven {
        approver,
        approver_roles: vec![Role::Approver],
        uv_at: now - Duration::seconds(30),
        bound_digest: request.approval_challenge(),
    }
}

fn hours(h: i64) -> DateTime<Utc> {
    t0() + Duration::hours(h)
}

#[test]
fn standard_recovery_completes_after_one_factor_and_one_hour() {
    let Fixture { mut request, .. } = open(AccountTier::Standard, GuardedAction::RecoverAccount);
    apply(
        &mut request,
        Event::FactorPresented {
            kind: FactorKind::RecoveryCode,
        },
        t0(),
    );
    assert_eq!(request.state, State::Waiting);
    assert_eq!(request.eligible_at, Some(hours(1)));

    let early = transition(
        &request,
        Event::Complete { session: session() },
        hours(1) - Duration::seconds(1),
    );
    assert_eq!(early.unwrap_err(), Refusal::NotYetEligible {});

    let effects = apply(
        &mut request,
        Event::Complete { session: session() },
        hours(1),
    );
    assert_eq!(request.state, State::Completed);
    assert!(effects.contains(&Effect::IssueEnrolmentGrant));
    assert!(effects.contains(&Effect::Apply(GuardedAction::RecoverAccount)));
    assert!(effects.contains(&Effect::Notify(Notice::Completed)));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Revoke(r) if r.contains(&Revocation::OtherPasskeys)))
    );
}

#[test]
fn tick_moves_a_waiting_request_to_ready_once_and_is_idempotent() {
    let Fixture { mut request, .. } = open(AccountTier::Standard, GuardedAction::RecoverAccount);
    apply(
        &mut request,
        Event::FactorPresented {
            kind: FactorKind::EmailLink,
        },
        t0(),
    );
    assert!(apply(&mut request, Event::Tick, t0() + Duration::minutes(59)).is_empty());
    let effects = apply(&mut request, Event::Tick, hours(1));
    assert_eq!(request.state, State::Ready);
    assert!(effects.contains(&Effect::Notify(Notice::Ready)));
    assert!(apply(&mut request, Event::Tick, hours(2)).is_empty());
    assert_eq!(request.state, State::Ready);
}

#[test]
fn elevated_recovery_is_refused_when_second_approval_is_same_approver() {
    let Fixture {
        mut request,
        approvers,
    } = open(AccountTier::Elevated, GuardedAction::RecoverAccount);
    for kind in [FactorKind::RecoveryCode, FactorKind::EmailLink] {
        apply(&mut request, Event::FactorPresented { kind }, t0());
    }
    assert_eq!(request.state, State::Waiting);
    let now = hours(25);
    let event = approval(&request, approvers[0], now);
    apply(&mut request, event, now);
    assert_eq!(request.state, State::AwaitingApprovals);
    let again = transition(&request, approval(&request, approvers[0], now), now);
    assert_eq!(again.unwrap_err(), Refusal::AlreadyApproved {});
    assert_eq!(
        transition(&request, Event::Complete { session: session() }, now).unwrap_err(),
        Refusal::ApprovalsIncomplete { have: 1, need: 2 }
    );
    let event = approval(&request, approvers[1], now);
    apply(&mut request, event, now);
    assert_eq!(request.state, State::Ready);
    apply(&mut request, Event::Complete { session: session() }, now);
    assert_eq!(request.state, State::Completed);
}

#[test]
fn approval_is_refused_when_approver_is_the_subject_the_requester_or_lacks_the_role() {
    let mut f = open(
        AccountTier::Elevated,
        GuardedAction::ChangeTier {
            tier: AccountTier::Standard,
        },
    );
    let requester = UserId::new();
    f.request.requester = Some(requester);
    apply(
        &mut f.request,
        Event::FactorPresented {
            kind: FactorKind::Passkey,
        },
        t0(),
    );
    let now = hours(1);
    let subject = f.request.subject;
    for (who, want) in [
        (subject, Refusal::ApproverIsSubject {}),
        (requester, Refusal::ApproverIsRequester {}),
    ] {
        let r = transition(&f.request, approval(&f.request, who, now), now);
        assert_eq!(r.unwrap_err(), want);
    }
    let admin_only = Event::ApprovalGiven {
        approver: f.approvers[0],
        approver_roles: vec![Role::Admin],
        uv_at: now,
        bound_digest: f.request.approval_challenge(),
    };
    assert_eq!(
        transition(&f.request, admin_only, now).unwrap_err(),
        Refusal::ApproverLacksRole {}
    );
}

#[test]
fn approval_is_refused_when_assertion_is_stale_future_or_bound_to_another_request() {
    let mut f = open(AccountTier::Elevated, GuardedAction::RecoverAccount);
    for kind in [FactorKind::RecoveryCode, FactorKind::Passkey] {
        apply(&mut f.request, Event::FactorPresented { kind }, t0());
    }
    let now = hours(2);
    let other = open(AccountTier::Elevated, GuardedAction::RecoverAccount).request;
    for (uv_at, digest, want) in [
        (
            now - APPROVAL_FRESHNESS - Duration::seconds(1),
            f.request.approval_challenge(),
            Refusal::ApprovalNotFresh {},
        ),
        (
            now + Duration::seconds(1),
            f.request.approval_challenge(),
            Refusal::ApprovalNotFresh {},
        ),
        (
            now,
            other.approval_challenge(),
            Refusal::ApprovalBoundElsewhere {},
        ),
    ] {
        let event = Event::ApprovalGiven {
            approver: f.approvers[0],
            approver_roles: vec![Role::Approver],
            uv_at,
            bound_digest: digest,
        };
        assert_eq!(transition(&f.request, event, now).unwrap_err(), want);
    }
}

#[test]
fn fifth_wrong_factor_locks_the_request_and_locked_is_final() {
    let Fixture { mut request, .. } = open(AccountTier::Standard, GuardedAction::RecoverAccount);
    for n in 1..MAX_FAILED_ATTEMPTS {
        apply(
            &mut request,
            Event::FactorFailed {
                kind: FactorKind::RecoveryCode,
            },
            t0(),
        );
        assert_eq!(request.failed_attempts, n);
        assert_eq!(request.state, State::Requested);
    }
    let effects = apply(
        &mut request,
        Event::FactorFailed {
            kind: FactorKind::RecoveryCode,
        },
        t0(),
    );
    assert_eq!(request.state, State::Locked);
    assert!(effects.contains(&Effect::Notify(Notice::Locked)));
    let r = transition(
        &request,
        Event::FactorPresented {
            kind: FactorKind::RecoveryCode,
        },
        t0(),
    );
    assert_eq!(
        r.unwrap_err(),
        Refusal::Final {
            state: State::Locked
        }
    );
}

#[test]
fn cancel_by_owner_wins_until_completion_and_stranger_cannot_cancel() {
    let Fixture {
        mut request,
        approvers,
    } = open(AccountTier::Standard, GuardedAction::RecoverAccount);
    let stranger = transition(
        &request,
        Event::Cancelled {
            by: Canceller::User(approvers[0]),
        },
        t0(),
    );
    assert_eq!(stranger.unwrap_err(), Refusal::NotOwner {});
    apply(
        &mut request,
        Event::FactorPresented {
            kind: FactorKind::RecoveryCode,
        },
        t0(),
    );
    apply(&mut request, Event::Tick, hours(1));
    assert_eq!(request.state, State::Ready);
    let subject = request.subject;
    apply(
        &mut request,
        Event::Cancelled {
            by: Canceller::User(subject),
        },
        hours(1),
    );
    assert_eq!(request.state, State::Cancelled);
    assert_eq!(
        transition(&request, Event::Complete { session: session() }, hours(1)).unwrap_err(),
        Refusal::Final {
            state: State::Cancelled
        }
    );
}

#[test]
fn request_expires_at_its_lifetime_and_never_completes_after() {
    let Fixture { mut request, .. } = open(AccountTier::Standard, GuardedAction::RecoverAccount);
    apply(
        &mut request,
        Event::FactorPresented {
            kind: FactorKind::RecoveryCode,
        },
        t0(),
    );
    let end = request.expires_at;
    assert_eq!(
        transition(&request, Event::Complete { session: session() }, end).unwrap_err(),
        Refusal::Expired {}
    );
    let effects = apply(&mut request, Event::Tick, end);
    assert_eq!(request.state, State::Expired);
    assert!(effects.contains(&Effect::Notify(Notice::Expired)));
}

#[test]
fn completion_is_refused_from_another_session() {
    let Fixture { mut request, .. } = open(AccountTier::Standard, GuardedAction::RecoverAccount);
    apply(
        &mut request,
        Event::FactorPresented {
            kind: FactorKind::RecoveryCode,
        },
        t0(),
    );
    let other = Event::Complete {
        session: HashedToken::of("someone else's session"),
    };
    assert_eq!(
        transition(&request, other, hours(2)).unwrap_err(),
        Refusal::SessionMismatch {}
    );
}

#[test]
fn critical_recovery_waits_for_the_out_of_band_check_after_approvals() {
    let mut f = open(AccountTier::Critical, GuardedAction::RecoverAccount);
    for kind in [FactorKind::RecoveryCode, FactorKind::EmailLink] {
        apply(&mut f.request, Event::FactorPresented { kind }, t0());
    }
    assert_eq!(f.request.eligible_at, Some(hours(72)));
    let now = hours(72);
    for a in &f.approvers[..2] {
        let event = approval(&f.request, *a, now);
        apply(&mut f.request, event, now);
    }
    assert_eq!(f.request.state, State::AwaitingApprovals);
    assert_eq!(
        transition(&f.request, Event::Complete { session: session() }, now).unwrap_err(),
        Refusal::OutOfBandCheckMissing {}
    );
    apply(
        &mut f.request,
        Event::OobRecorded {
            by: f.approvers[2],
            by_roles: vec![Role::Approver],
            method: OobMethod::VideoCall,
            evidence: "video call, passport checked".into(),
        },
        now,
    );
    assert_eq!(f.request.state, State::Ready);
}

#[test]
fn out_of_band_check_counts_as_a_factor_where_the_policy_lists_it() {
    let mut f = open(AccountTier::Elevated, GuardedAction::RecoverAccount);
    apply(
        &mut f.request,
        Event::FactorPresented {
            kind: FactorKind::RecoveryCode,
        },
        t0(),
    );
    assert_eq!(f.request.state, State::VerifyingFactors);
    apply(
        &mut f.request,
        Event::OobRecorded {
            by: f.approvers[0],
            by_roles: vec![Role::Approver],
            method: OobMethod::Document,
            evidence: "passport".into(),
        },
        t0(),
    );
    assert_eq!(f.request.state, State::Waiting);
    assert!(
        f.request
            .accepts_factor(FactorKind::OutOfBand, t0())
            .is_err()
    );
}

#[test]
fn one_denial_ends_the_request() {
    let mut f = open(AccountTier::Elevated, GuardedAction::RecoverAccount);
    let deny = Event::Denied {
        by: f.approvers[0],
        by_roles: vec![Role::Approver],
        uv_at: t0(),
        bound_digest: f.request.approval_challenge(),
    };
    let effects = apply(&mut f.request, deny, t0());
    assert_eq!(f.request.state, State::Denied);
    assert!(effects.contains(&Effect::Notify(Notice::Denied)));
}
