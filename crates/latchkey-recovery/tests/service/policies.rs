//! The policies in force, stored per instance: the first start stores the
//! configured set, the file can only tighten afterwards, an administrator's
//! tightening applies at once, and a relaxation is a `weaken_policy`
//! request that completes by itself after its approvals and delay.

use std::sync::Arc;

use chrono::Duration;
use latchkey_core::{AccountTier, Role};
use latchkey_recovery::{
    ActionKind, EngineConfig, GuardedActions, PolicyChange, PolicyChangeOutcome, PolicySet,
    Refusal, State,
};

use crate::{Account, Harness, SESSION, harness, origin, refusal};

const STANDARD: AccountTier = AccountTier::Standard;
const RECOVER: ActionKind = ActionKind::RecoverAccount;

fn change(h: &Harness, admin: &Account, policy: latchkey_recovery::Policy) -> PolicyChange {
    PolicyChange {
        admin: admin.id,
        session_handle: SESSION.into(),
        step_up: h.own_passkey(admin),
        tier: STANDARD,
        action: RECOVER,
        policy,
    }
}

async fn in_force(h: &Harness) -> latchkey_recovery::Policy {
    h.engine
        .policies_in_force()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.tier == STANDARD && p.action == RECOVER)
        .unwrap()
        .policy
}

/// Another node (or a restart) of the same instance with `config`.
fn engine_with(h: &Harness, tune: impl FnOnce(&mut EngineConfig)) -> GuardedActions {
    let mut config = EngineConfig::new("https://id.example.test");
    tune(&mut config);
    GuardedActions::new(
        h.db.db.clone(),
        Arc::new(h.clock.clone()),
        h.audit.clone(),
        h.codes.clone(),
        config,
    )
}

fn relaxed_file(config: &mut EngineConfig) {
    let mut p = PolicySet::defaults().policy(STANDARD, RECOVER).clone();
    p.delay = Duration::minutes(5);
    config.policies = PolicySet::defaults()
        .with_policy(STANDARD, RECOVER, p)
        .unwrap();
}

#[tokio::test]
async fn a_tightening_applies_at_once_and_new_requests_are_made_under_it() {
    let h = harness();
    h.engine.sync_policies().await.unwrap();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let ada = h.account("ada", STANDARD, &[]);
    let mut stricter = in_force(&h).await;
    assert_eq!(stricter.delay, Duration::hours(1));
    stricter.delay = Duration::hours(2);

    let done = h
        .engine
        .change_policy(change(&h, &root, stricter.clone()), &origin())
        .await
        .unwrap();

    assert_eq!(done, PolicyChangeOutcome::Applied);
    assert_eq!(in_force(&h).await, stricter);
    let request = h.recover(ada.id).await.request;
    assert_eq!(request.policy.delay, Duration::hours(2));
    let event = h
        .audit_events()
        .into_iter()
        .rfind(|e| e.kind == "recovery_policy.changed")
        .expect("audited");
    assert_eq!(event.actor.as_deref(), Some(root.id.to_string().as_str()));
    assert!(event.detail.contains("\"relaxed\":[]"), "{}", event.detail);
    h.chain_is_intact();
}

#[tokio::test]
async fn a_relaxation_waits_for_two_approvals_and_its_delay_then_applies_by_itself() {
    let h = harness();
    h.engine.sync_policies().await.unwrap();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let grace = h.account("grace", STANDARD, &[Role::Approver]);
    let alan = h.account("alan", STANDARD, &[Role::Approver]);
    let before = in_force(&h).await;
    let mut laxer = before.clone();
    laxer.delay = Duration::minutes(10);

    let PolicyChangeOutcome::Requested(id) = h
        .engine
        .change_policy(change(&h, &root, laxer.clone()), &origin())
        .await
        .unwrap()
    else {
        panic!("a relaxation is a request");
    };
    assert_eq!(in_force(&h).await, before, "nothing changes yet");
    let notice = h.mails_to("root");
    assert!(
        notice
            .iter()
            .any(|m| m["subject"] == "Your account: a request to relax a security policy"),
        "{notice:?}"
    );

    let first = h.assertion(id, &grace).await;
    h.engine.approve(id, first, "", &origin()).await.unwrap();
    let again = h.assertion(id, &grace).await;
    assert!(h.engine.approve(id, again, "", &origin()).await.is_err());
    h.advance(Duration::hours(24));
    h.engine.tick(h.clock_now()).await.unwrap();
    assert_eq!(in_force(&h).await, before, "one approval is not enough");

    let second = h.assertion(id, &alan).await;
    h.engine.approve(id, second, "", &origin()).await.unwrap();

    assert_eq!(h.engine.view(id).await.unwrap().state, State::Completed);
    assert_eq!(in_force(&h).await, laxer);
    assert!(
        h.audit_kinds(id)
            .contains(&"recovery_policy.changed".into())
    );
    h.chain_is_intact();
}

#[tokio::test]
async fn a_relaxation_asked_against_a_policy_changed_since_applies_nothing() {
    let h = harness();
    h.engine.sync_policies().await.unwrap();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let eve = h.account("eve", AccountTier::Elevated, &[Role::Admin]);
    let grace = h.account("grace", STANDARD, &[Role::Approver]);
    let alan = h.account("alan", STANDARD, &[Role::Approver]);
    let before = in_force(&h).await;
    let mut laxer = before.clone();
    laxer.delay = Duration::minutes(10);
    let PolicyChangeOutcome::Requested(id) = h
        .engine
        .change_policy(change(&h, &root, laxer), &origin())
        .await
        .unwrap()
    else {
        panic!("a relaxation is a request");
    };
    // Meanwhile another administrator tightens the same policy (two
    // factors, as elevated asks for: the set stays valid).
    let mut stricter = before.clone();
    stricter.factors = 2;
    stricter.delay = Duration::hours(2);
    let tightened = h
        .engine
        .change_policy(change(&h, &eve, stricter.clone()), &origin())
        .await;
    assert_eq!(tightened.unwrap(), PolicyChangeOutcome::Applied);

    for approver in [&grace, &alan] {
        let a = h.assertion(id, approver).await;
        h.engine.approve(id, a, "", &origin()).await.unwrap();
    }
    h.advance(Duration::hours(24));
    h.engine.tick(h.clock_now()).await.unwrap();

    // Approved "1 h → 10 min", not "2 h → 10 min": it stays unapplied
    // until it expires or is cancelled, and the tightening stands.
    assert_eq!(h.engine.view(id).await.unwrap().state, State::Ready);
    assert_eq!(
        refusal(h.engine.complete(id, SESSION, &origin()).await),
        Refusal::StalePolicyChange {}
    );
    assert_eq!(in_force(&h).await, stricter);
    assert!(
        !h.audit_kinds(id)
            .contains(&"recovery_policy.changed".into())
    );
}

#[tokio::test]
async fn bad_changes_are_refused_and_store_nothing() {
    let h = harness();
    h.engine.sync_policies().await.unwrap();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let bob = h.account("bob", STANDARD, &[Role::Approver]);
    let before = in_force(&h).await;
    let events = h.audit_events().len();

    // Not an administrator.
    let mut p = before.clone();
    p.delay = Duration::hours(2);
    assert_eq!(
        refusal(
            h.engine
                .change_policy(change(&h, &bob, p.clone()), &origin())
                .await
        ),
        Refusal::InvalidAction {}
    );
    // A stale step-up.
    let mut stale = change(&h, &root, p.clone());
    stale.step_up.uv_at = h.clock_now() - Duration::minutes(6);
    assert_eq!(
        refusal(h.engine.change_policy(stale, &origin()).await),
        Refusal::PasskeyNotAccepted {}
    );
    // Another account's passkey.
    let mut foreign = change(&h, &root, p.clone());
    foreign.step_up.credential = bob.passkey;
    assert!(h.engine.change_policy(foreign, &origin()).await.is_err());
    // Stricter than the elevated tier's policy for the same action.
    let mut too_strict = before.clone();
    too_strict.delay = Duration::days(10);
    assert_eq!(
        refusal(
            h.engine
                .change_policy(change(&h, &root, too_strict), &origin())
                .await
        ),
        Refusal::PolicyNotValid {}
    );
    // No factor at all.
    let mut broken = before.clone();
    broken.factors = 0;
    assert_eq!(
        refusal(
            h.engine
                .change_policy(change(&h, &root, broken), &origin())
                .await
        ),
        Refusal::PolicyNotValid {}
    );
    // The same policy.
    assert_eq!(
        refusal(
            h.engine
                .change_policy(change(&h, &root, before.clone()), &origin())
                .await
        ),
        Refusal::PolicyUnchanged {}
    );

    assert_eq!(in_force(&h).await, before);
    assert_eq!(h.audit_events().len(), events);
}

#[tokio::test]
async fn the_file_sets_the_first_policies_and_afterwards_only_tightens_them() {
    let h = harness();
    // First start with a relaxed file: taken as it is.
    let first = engine_with(&h, relaxed_file);
    let sync = first.sync_policies().await.unwrap();
    assert!(sync.initialised);
    assert_eq!(
        first.policies_in_force().await.unwrap()[0]
            .updated
            .as_ref()
            .map(|u| u.1.as_str()),
        Some("config")
    );

    // A later start with the defaults (stricter): tightened.
    let sync = h.engine.sync_policies().await.unwrap();
    assert!(!sync.initialised);
    assert_eq!(sync.tightened, vec![(STANDARD, RECOVER)]);
    assert_eq!(in_force(&h).await.delay, Duration::hours(1));

    // And the relaxed file again: kept as stored, with the knob named.
    let again = engine_with(&h, relaxed_file);
    let sync = again.sync_policies().await.unwrap();
    assert!(sync.tightened.is_empty());
    assert_eq!(sync.kept, vec![(STANDARD, RECOVER, vec!["delay"])]);
    assert_eq!(in_force(&h).await.delay, Duration::hours(1));
    // Requests on that node are made under the stored policy.
    let ada = h.account("ada", STANDARD, &[]);
    let request = again
        .request(
            latchkey_recovery::NewRequest {
                action: latchkey_recovery::GuardedAction::RecoverAccount,
                subject: ada.id,
                requester: None,
                session_handle: SESSION.into(),
            },
            &origin(),
        )
        .await
        .unwrap()
        .request;
    assert_eq!(request.policy.delay, Duration::hours(1));
    h.chain_is_intact();
}
