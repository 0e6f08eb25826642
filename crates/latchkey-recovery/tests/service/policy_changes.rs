//! Policy changes applied by the engine in the completing transaction.

use chrono::Duration;
use latchkey_core::{AccountTier, Clock as _, Role};
use latchkey_recovery::policy_changes::{AttestationPolicyChange, AttestationRules, PolicyChange};
use latchkey_recovery::{GuardedAction, NewRequest, Refusal, State};
use latchkey_store::attestation_policies::{self as stored, TargetKind};
use latchkey_store::groups;

use crate::{Account, Harness, SESSION, harness, origin, refusal};

fn strict() -> stored::PolicyRules {
    stored::PolicyRules {
        require_attestation: true,
        require_device_bound: true,
        ..Default::default()
    }
}

fn update(before: &stored::PolicyRules, after: &stored::PolicyRules) -> serde_json::Value {
    PolicyChange::Attestation(AttestationPolicyChange::Update {
        policy: "hardware".into(),
        before: AttestationRules::from_stored(before),
        after: AttestationRules::from_stored(after),
    })
    .to_value()
}

fn setup(h: &Harness) -> (Account, Account, Account) {
    let now = h.clock.now();
    stored::create(&mut h.conn(), "hardware", "", &strict(), now).unwrap();
    (
        h.account("root", AccountTier::Elevated, &[Role::Admin]),
        h.account("grace", AccountTier::Standard, &[Role::Approver]),
        h.account("alan", AccountTier::Standard, &[Role::Approver]),
    )
}

async fn ask(
    h: &Harness,
    change: serde_json::Value,
    admin: &Account,
) -> latchkey_core::GuardedActionId {
    let id = h
        .engine
        .request(
            NewRequest {
                action: GuardedAction::WeakenPolicy { change },
                subject: admin.id,
                requester: Some(admin.id),
                session_handle: SESSION.into(),
            },
            &origin(),
        )
        .await
        .unwrap()
        .request
        .id;
    h.engine
        .present_passkey(id, h.own_passkey(admin), &origin())
        .await
        .unwrap();
    id
}

async fn approve_both(h: &Harness, id: latchkey_core::GuardedActionId, a: &Account, b: &Account) {
    for approver in [a, b] {
        let approval = h.assertion(id, approver).await;
        h.engine.approve(id, approval, "", &origin()).await.unwrap();
    }
}

fn rules_now(h: &Harness) -> stored::PolicyRules {
    stored::find_by_name(&mut h.conn(), "hardware")
        .unwrap()
        .unwrap()
        .rules
}

#[tokio::test]
async fn weakened_rules_are_applied_by_the_engine_when_the_request_completes_by_itself() {
    let h = harness();
    let (root, grace, alan) = setup(&h);
    let weaker = stored::PolicyRules {
        require_device_bound: false,
        ..strict()
    };
    let id = ask(&h, update(&strict(), &weaker), &root).await;
    approve_both(&h, id, &grace, &alan).await;
    assert_eq!(rules_now(&h), strict(), "nothing changes before completion");

    h.advance(Duration::hours(24));
    h.engine.tick(h.clock.now()).await.unwrap();

    assert_eq!(h.engine.view(id).await.unwrap().state, State::Completed);
    assert_eq!(rules_now(&h), weaker);
    let saved = h
        .audit_events()
        .into_iter()
        .find(|e| e.kind == "attestation_policy.saved")
        .unwrap();
    assert_eq!(saved.actor, Some(root.id.to_string()));
    assert_eq!(
        saved.ip.as_deref(),
        None,
        "completed by the background pass"
    );
    assert!(saved.detail.contains(&id.to_string()), "{}", saved.detail);
    h.chain_is_intact();
}

#[tokio::test]
async fn a_change_to_a_policy_tightened_since_is_refused_as_stale_and_not_applied() {
    let h = harness();
    let (root, grace, alan) = setup(&h);
    let weaker = stored::PolicyRules {
        require_device_bound: false,
        ..strict()
    };
    let id = ask(&h, update(&strict(), &weaker), &root).await;
    approve_both(&h, id, &grace, &alan).await;
    let tighter = stored::PolicyRules {
        refuse_compromised: true,
        ..strict()
    };
    stored::update_rules(&mut h.conn(), "hardware", &tighter, h.clock.now()).unwrap();

    h.advance(Duration::hours(24));
    h.engine.tick(h.clock.now()).await.unwrap();
    assert_eq!(h.engine.view(id).await.unwrap().state, State::Ready);
    assert_eq!(
        refusal(h.engine.complete(id, SESSION, &origin()).await),
        Refusal::StalePolicyChange {}
    );

    assert_eq!(rules_now(&h), tighter);
    assert_eq!(h.engine.view(id).await.unwrap().state, State::Ready);
}

#[tokio::test]
async fn an_unknown_kind_of_change_or_a_stale_one_is_refused_when_asked_for() {
    let h = harness();
    let (root, _, _) = setup(&h);
    let new = |change: serde_json::Value| NewRequest {
        action: GuardedAction::WeakenPolicy { change },
        subject: root.id,
        requester: Some(root.id),
        session_handle: SESSION.into(),
    };
    let unknown =
        serde_json::json!({"kind": "recovery_policy", "policy": "standard.recover_account"});
    assert_eq!(
        refusal(h.engine.request(new(unknown), &origin()).await),
        Refusal::UnknownPolicyChange {}
    );
    let wrong_before = update(
        &stored::PolicyRules::default(),
        &stored::PolicyRules::default(),
    );
    assert_eq!(
        refusal(h.engine.request(new(wrong_before), &origin()).await),
        Refusal::StalePolicyChange {}
    );
    assert!(h.engine.open_for(root.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn unassigning_a_policy_from_a_group_is_applied_at_completion() {
    let h = harness();
    let (root, grace, alan) = setup(&h);
    let now = h.clock.now();
    let group = groups::create(&mut h.conn(), "engineering", "", now).unwrap();
    let policy = stored::find_by_name(&mut h.conn(), "hardware")
        .unwrap()
        .unwrap();
    let target = group.id.to_string();
    stored::assign(&mut h.conn(), policy.id, TargetKind::Group, &target, now).unwrap();
    let change = PolicyChange::Attestation(AttestationPolicyChange::Target {
        target_kind: "group".into(),
        target: target.clone(),
        label: "engineering".into(),
        before: Some("hardware".into()),
        after: None,
    })
    .to_value();
    let id = ask(&h, change, &root).await;
    approve_both(&h, id, &grace, &alan).await;
    h.advance(Duration::hours(24));

    h.engine.complete(id, SESSION, &origin()).await.unwrap();

    assert_eq!(
        stored::for_target(&mut h.conn(), TargetKind::Group, &target).unwrap(),
        None
    );
    assert!(
        h.audit_kinds(id)
            .contains(&"attestation_policy.unassigned".to_owned())
    );
}
