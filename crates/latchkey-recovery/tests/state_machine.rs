//! Property tests of the pure state machine: random policies, random event
//! sequences, random clock jumps (forwards by seconds to weeks, and backwards
//! by a few minutes, as between nodes whose clocks disagree).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{AccountTier, GuardedActionId, HashedToken, Role, UserId};
use latchkey_recovery::{
    APPROVAL_FRESHNESS, Canceller, Effect, Event, FactorKind, GuardedAction, MAX_FAILED_ATTEMPTS,
    OobMethod, Opening, Policy, Request, State, transition,
};
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000, 0).unwrap()
}

fn session() -> HashedToken {
    HashedToken::of("requester session")
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        proptest::sample::subsequence(FactorKind::ALL.to_vec(), 1..=4),
        any::<prop::sample::Index>(),
        prop_oneof![
            Just(0i64),
            Just(3600),
            Just(86_400),
            Just(259_200),
            0i64..=259_200
        ],
        0u8..=3,
        any::<bool>(),
        3600i64..=1_209_600,
    )
        .prop_map(|(kinds, n, delay, approvals, oob, extra)| {
            let factors = u8::try_from(n.index(kinds.len()) + 1).unwrap();
            Policy {
                factors,
                factor_kinds: kinds.into_iter().collect(),
                delay: Duration::seconds(delay),
                approvals,
                approver_role: Role::Approver,
                out_of_band_check: oob,
                lifetime: Duration::seconds(delay + extra),
                revokes: BTreeSet::new(),
            }
        })
}

/// Who acts: 0 is the subject, 1 the requester, 2.. other accounts.
const PEOPLE: usize = 6;

#[derive(Debug, Clone)]
enum Op {
    Present(usize),
    Fail(usize),
    Approve {
        who: usize,
        role: bool,
        uv_age: i64,
        right_digest: bool,
    },
    Deny {
        who: usize,
        role: bool,
        uv_age: i64,
        right_digest: bool,
    },
    Oob {
        who: usize,
        role: bool,
    },
    Cancel {
        who: Option<usize>,
    },
    Tick,
    Complete {
        right_session: bool,
    },
}

fn decision() -> impl Strategy<Value = (usize, bool, i64, bool)> {
    (
        0..PEOPLE,
        prop::bool::weighted(0.85),
        prop_oneof![8 => 0i64..=300, 1 => 301i64..=900, 1 => -120i64..0],
        prop::bool::weighted(0.9),
    )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..4usize).prop_map(Op::Present),
        2 => (0..4usize).prop_map(Op::Fail),
        8 => decision().prop_map(|(who, role, uv_age, right_digest)| Op::Approve { who, role, uv_age, right_digest }),
        1 => decision().prop_map(|(who, role, uv_age, right_digest)| Op::Deny { who, role, uv_age, right_digest }),
        2 => (0..PEOPLE, any::<bool>()).prop_map(|(who, role)| Op::Oob { who, role }),
        1 => prop::option::of(0..PEOPLE).prop_map(|who| Op::Cancel { who }),
        5 => Just(Op::Tick),
        5 => prop::bool::weighted(0.9).prop_map(|right_session| Op::Complete { right_session }),
    ]
}

fn jump() -> impl Strategy<Value = Duration> {
    prop_oneof![
        4 => Just(Duration::zero()),
        4 => (1i64..=600).prop_map(Duration::seconds),
        3 => (1i64..=48).prop_map(Duration::hours),
        1 => (1i64..=10).prop_map(Duration::days),
        1 => (-300i64..0).prop_map(Duration::seconds),
    ]
}

struct World {
    people: Vec<UserId>,
    request: Request,
}

fn world(policy: Policy, with_requester: bool) -> World {
    let people: Vec<UserId> = (0..PEOPLE).map(|_| UserId::new()).collect();
    let (request, _) = Request::open(
        Opening {
            id: GuardedActionId::new(),
            action: GuardedAction::RecoverAccount,
            subject: people[0],
            requester: with_requester.then_some(people[1]),
            tier: AccountTier::Elevated,
            policy,
            requester_session: Some(session()),
        },
        t0(),
    );
    World { people, request }
}

fn roles(role: bool) -> Vec<Role> {
    if role {
        vec![Role::Approver]
    } else {
        vec![Role::Admin]
    }
}

fn event(w: &World, op: &Op, now: DateTime<Utc>) -> Event {
    let digest = |right: bool| {
        if right {
            w.request.approval_challenge()
        } else {
            [7u8; 32]
        }
    };
    match *op {
        Op::Present(k) => Event::FactorPresented {
            kind: FactorKind::ALL[k],
        },
        Op::Fail(k) => Event::FactorFailed {
            kind: FactorKind::ALL[k],
        },
        Op::Approve {
            who,
            role,
            uv_age,
            right_digest,
        } => Event::ApprovalGiven {
            approver: w.people[who],
            approver_roles: roles(role),
            uv_at: now - Duration::seconds(uv_age),
            bound_digest: digest(right_digest),
        },
        Op::Deny {
            who,
            role,
            uv_age,
            right_digest,
        } => Event::Denied {
            by: w.people[who],
            by_roles: roles(role),
            uv_at: now - Duration::seconds(uv_age),
            bound_digest: digest(right_digest),
        },
        Op::Oob { who, role } => Event::OobRecorded {
            by: w.people[who],
            by_roles: roles(role),
            method: OobMethod::Document,
            evidence: "passport".into(),
        },
        Op::Cancel { who } => Event::Cancelled {
            by: who.map_or(Canceller::Link, |i| Canceller::User(w.people[i])),
        },
        Op::Tick => Event::Tick,
        Op::Complete { right_session } => Event::Complete {
            session: if right_session {
                session()
            } else {
                HashedToken::of("another session")
            },
        },
    }
}

/// Whether an approval or denial by `who` should be able to count at all.
fn qualified(w: &World, who: usize, role: bool, uv_age: i64, right_digest: bool) -> bool {
    let person = w.people[who];
    person != w.request.subject
        && Some(person) != w.request.requester
        && role
        && (0..=APPROVAL_FRESHNESS.num_seconds()).contains(&uv_age)
        && right_digest
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn guarded_action_invariants_hold_under_random_events_and_clock_jumps(
        policy in policy(),
        with_requester in any::<bool>(),
        steps in prop::collection::vec((jump(), op()), 1..60),
    ) {
        let mut w = world(policy.clone(), with_requester);
        let mut now = t0();
        let mut accepted_approvers: BTreeSet<UserId> = BTreeSet::new();
        let mut accepted_failures = 0u32;
        let mut verified_at: Option<DateTime<Utc>> = None;
        let mut oob_accepted = false;
        let mut final_seen: Option<State> = None;

        for (dt, op) in &steps {
            now += *dt;
            let before = w.request.clone();
            let result = transition(&before, event(&w, op, now), now);

            if let Some(state) = final_seen {
                // Final states are final: refused, or a tick that changes nothing.
                match &result {
                    Err(_) => {}
                    Ok((after, effects)) => {
                        prop_assert!(matches!(op, Op::Tick), "{op:?} accepted in {state}");
                        prop_assert!(effects.is_empty());
                        prop_assert_eq!(after, &before);
                    }
                }
                continue;
            }

            let Ok((after, effects)) = result else {
                continue;
            };
            match *op {
                Op::Approve { who, role, uv_age, right_digest } => {
                    prop_assert!(qualified(&w, who, role, uv_age, right_digest), "unqualified approval counted");
                    // An approval counts once.
                    prop_assert!(accepted_approvers.insert(w.people[who]), "approval counted twice");
                }
                Op::Deny { who, role, uv_age, right_digest } => {
                    prop_assert!(qualified(&w, who, role, uv_age, right_digest), "unqualified denial");
                    prop_assert_eq!(after.state, State::Denied);
                }
                Op::Fail(_) => accepted_failures += 1,
                Op::Oob { .. } => oob_accepted = true,
                Op::Cancel { who } => {
                    if let Some(i) = who {
                        prop_assert!(i == 0 || (with_requester && i == 1), "cancelled by a stranger");
                    }
                    prop_assert_eq!(after.state, State::Cancelled);
                }
                _ => {}
            }
            prop_assert_eq!(after.approvals.len(), accepted_approvers.len());
            prop_assert!(!after.approvals.contains(&after.subject));
            prop_assert!(after.requester.is_none_or(|r| !after.approvals.contains(&r)));
            if accepted_failures >= MAX_FAILED_ATTEMPTS {
                prop_assert_eq!(after.state, State::Locked);
            }
            if verified_at.is_none() && after.eligible_at.is_some() {
                verified_at = Some(now);
                prop_assert_eq!(after.eligible_at, Some(now + policy.delay));
            }

            if after.state == State::Completed {
                let verified = verified_at.expect("completed without verified factors");
                prop_assert!(matches!(op, Op::Complete { right_session: true }), "completed by {:?}", op);
                // Never before its delay, never after its lifetime.
                prop_assert!(now >= verified + policy.delay, "completed before the delay");
                prop_assert!(now >= after.eligible_at.unwrap());
                prop_assert!(now < after.expires_at, "completed after expiry");
                prop_assert!(before.state != State::Expired && before.state != State::Locked);
                // Never with fewer distinct approvers than required.
                prop_assert!(accepted_approvers.len() >= usize::from(policy.approvals));
                prop_assert!(after.approvals.len() >= usize::from(policy.approvals));
                // Factors: distinct kinds the policy allows.
                let counted = after.factors.iter().filter(|k| policy.factor_kinds.contains(k)).count();
                prop_assert!(counted >= usize::from(policy.factors));
                if policy.out_of_band_check {
                    prop_assert!(oob_accepted && after.out_of_band_by.is_some());
                }
                prop_assert!(effects.iter().any(|e| matches!(e, Effect::IssueEnrolmentGrant)));
            }
            if after.state == State::Expired {
                prop_assert!(now >= after.expires_at);
            }
            if after.state.is_final() {
                final_seen = Some(after.state);
            }
            w.request = after;
        }
    }

    #[test]
    fn request_with_everything_in_place_completes_exactly_at_eligible_at(
        policy in policy(),
    ) {
        let mut w = world(policy.clone(), false);
        let now = t0();
        if policy.out_of_band_check || policy.factor_kinds.contains(&FactorKind::OutOfBand) {
            let e = event(&w, &Op::Oob { who: 2, role: true }, now);
            w.request = transition(&w.request, e, now).unwrap().0;
        }
        let present: Vec<FactorKind> = policy
            .factor_kinds
            .iter()
            .copied()
            .filter(|k| *k != FactorKind::OutOfBand)
            .collect();
        for kind in present {
            if let Ok((r, _)) = transition(&w.request, Event::FactorPresented { kind }, now) {
                w.request = r;
            }
        }
        prop_assert!(w.request.eligible_at.is_some(), "factors not verified: {:?}", w.request.state);
        let eligible = w.request.eligible_at.unwrap();
        prop_assert_eq!(eligible, now + policy.delay);
        for who in 3..3 + usize::from(policy.approvals) {
            let e = event(&w, &Op::Approve { who, role: true, uv_age: 0, right_digest: true }, eligible);
            w.request = transition(&w.request, e, eligible).unwrap().0;
        }
        if eligible > now {
            let early = eligible - Duration::seconds(1);
            let refused = transition(&w.request, Event::Complete { session: session() }, early).is_err();
            prop_assert!(refused, "completed before eligible_at");
        }
        let (done, _) = transition(&w.request, Event::Complete { session: session() }, eligible).unwrap();
        prop_assert_eq!(done.state, State::Completed);
    }
}
