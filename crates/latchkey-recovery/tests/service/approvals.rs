//! Approvals, denials and out-of-band checks by approvers.

use chrono::Duration;
use latchkey_core::{AccountTier, Role};
use latchkey_recovery::{
    ActionKind, Feasibility, GuardedAction, NewRequest, OobCheck, OobMethod, Refusal, State,
};
use latchkey_store::{approvals, users};

use crate::{SESSION, harness, origin, refusal};

#[tokio::test]
async fn elevated_recovery_needs_two_distinct_approvers_after_24_hours() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Elevated, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let alan = h.account("alan", AccountTier::Standard, &[Role::Approver]);
    let mallory = h.account("mallory", AccountTier::Standard, &[Role::Admin]);
    let id = h.recover(ada.id).await.request.id;

    // Not before the factors are verified.
    let early = h.assertion(id, &grace).await;
    assert_eq!(
        refusal(h.engine.approve(id, early, "", &origin()).await),
        Refusal::NotYetApprovable {}
    );
    h.code(id, &ada.codes[0]).await.unwrap();
    let fact = h.own_passkey(&ada);
    assert_eq!(
        h.engine
            .present_passkey(id, fact, &origin())
            .await
            .unwrap()
            .state,
        State::Waiting
    );

    // Admin without the approver role, the subject itself: refused.
    let by_admin = h.assertion(id, &mallory).await;
    assert_eq!(
        refusal(h.engine.approve(id, by_admin, "", &origin()).await),
        Refusal::ApproverLacksRole {}
    );
    let by_subject = h.assertion(id, &ada).await;
    assert_eq!(
        refusal(h.engine.approve(id, by_subject, "", &origin()).await),
        Refusal::ApproverIsSubject {}
    );

    let first = h.assertion(id, &grace).await;
    assert_eq!(
        h.engine
            .approve(id, first, "video call done", &origin())
            .await
            .unwrap()
            .approvals
            .len(),
        1
    );
    let again = h.assertion(id, &grace).await;
    assert_eq!(
        refusal(h.engine.approve(id, again, "", &origin()).await),
        Refusal::AlreadyApproved {}
    );
    let second = h.assertion(id, &alan).await;
    let waiting = h.engine.approve(id, second, "", &origin()).await.unwrap();
    assert_eq!(
        (waiting.state, waiting.approvals.len()),
        (State::Waiting, 2)
    );
    assert_eq!(
        refusal(h.engine.complete(id, SESSION, &origin()).await),
        Refusal::NotYetEligible {}
    );

    h.advance(Duration::hours(24));
    let report = h.engine.tick(h.clock_now()).await.unwrap();
    assert_eq!(report.ready, 1);
    let done = h.engine.complete(id, SESSION, &origin()).await.unwrap();
    assert_eq!(done.request.state, State::Completed);
    assert_eq!(
        approvals::for_action(&mut h.conn(), &id.to_string())
            .unwrap()
            .len(),
        2
    );
    h.chain_is_intact();
}

#[tokio::test]
async fn approval_is_refused_when_bound_to_another_request_or_stale() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Elevated, &[]);
    let bob = h.account("bob", AccountTier::Elevated, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let _alan = h.account("alan", AccountTier::Standard, &[Role::Approver]);
    let mine = h.recover(ada.id).await.request.id;
    let other = h.recover(bob.id).await.request.id;
    h.code(other, &bob.codes[0]).await.unwrap();
    // Two factors for `mine`: a code and a passkey.
    h.code(mine, &ada.codes[0]).await.unwrap();
    let fact = h.own_passkey(&ada);
    h.engine
        .present_passkey(mine, fact, &origin())
        .await
        .unwrap();

    let replayed = h.assertion(other, &grace).await;
    assert_eq!(
        refusal(h.engine.approve(mine, replayed, "", &origin()).await),
        Refusal::ApprovalBoundElsewhere {}
    );
    let mut stale = h.assertion(mine, &grace).await;
    stale.uv_at = h.clock_now() - Duration::minutes(6);
    assert_eq!(
        refusal(h.engine.approve(mine, stale, "", &origin()).await),
        Refusal::ApprovalNotFresh {}
    );
    let mut wrong_key = h.assertion(mine, &grace).await;
    wrong_key.credential = ada.passkey;
    assert_eq!(
        refusal(h.engine.approve(mine, wrong_key, "", &origin()).await),
        Refusal::PasskeyNotAccepted {}
    );
    // Nothing of the refused approvals was stored.
    assert!(
        approvals::for_action(&mut h.conn(), &mine.to_string())
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn one_denial_ends_the_request_and_tells_the_owner() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Elevated, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let _alan = h.account("alan", AccountTier::Standard, &[Role::Approver]);
    let id = h.recover(ada.id).await.request.id;

    let denial = h.assertion(id, &grace).await;
    let denied = h
        .engine
        .deny(id, denial, "caller could not answer", &origin())
        .await
        .unwrap();

    assert_eq!(denied.state, State::Denied);
    assert_eq!(
        refusal(h.code(id, &ada.codes[0]).await),
        Refusal::Final {
            state: State::Denied
        }
    );
    assert!(
        h.mails_to("ada").last().unwrap()["subject"]
            .as_str()
            .unwrap()
            .starts_with("Denied")
    );
    let rows = approvals::for_action(&mut h.conn(), &id.to_string()).unwrap();
    assert_eq!(rows[0].decision, approvals::DECISION_DENY);
    assert_eq!(rows[0].comment, "caller could not answer");
}

#[tokio::test]
async fn request_is_refused_when_too_few_approvers_exist_for_the_policy() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Standard, &[Role::Approver]);
    let _grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);

    let (policy, feasibility) = h
        .engine
        .feasibility(ActionKind::RecoverAccount, ada.id, None)
        .await
        .unwrap();
    assert_eq!(policy.approvals, 2);
    assert_eq!(
        feasibility,
        Feasibility::NotEnoughApprovers {
            required: 2,
            available: 1
        }
    );
    let refused = h
        .engine
        .request(
            NewRequest {
                action: GuardedAction::RecoverAccount,
                subject: ada.id,
                requester: None,
                session_handle: SESSION.into(),
            },
            &origin(),
        )
        .await;
    assert_eq!(
        refusal(refused),
        Refusal::PolicyCannotBeMet {
            required: 2,
            available: 1
        }
    );
}

#[tokio::test]
async fn critical_recovery_waits_for_an_out_of_band_check_recorded_by_an_approver() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Critical, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let alan = h.account("alan", AccountTier::Standard, &[Role::Approver]);
    let id = h.recover(ada.id).await.request.id;
    h.code(id, &ada.codes[0]).await.unwrap();
    let fact = h.own_passkey(&ada);
    h.engine.present_passkey(id, fact, &origin()).await.unwrap();
    h.advance(Duration::hours(72));
    for approver in [&grace, &alan] {
        let a = h.assertion(id, approver).await;
        h.engine.approve(id, a, "", &origin()).await.unwrap();
    }
    assert_eq!(
        h.engine.view(id).await.unwrap().state,
        State::AwaitingApprovals
    );
    assert_eq!(
        refusal(h.engine.complete(id, SESSION, &origin()).await),
        Refusal::OutOfBandCheckMissing {}
    );

    let check = OobCheck {
        recorder: grace.id,
        credential: grace.passkey,
        uv_at: h.clock_now(),
        method: OobMethod::VideoCall,
        evidence: "video call; passport photo page matched".into(),
    };
    let ready = h
        .engine
        .record_oob(id, check.clone(), &origin())
        .await
        .unwrap();
    assert_eq!(ready.state, State::Ready);
    assert_eq!(ready.out_of_band_by, Some(grace.id));
    assert_eq!(
        refusal(h.engine.record_oob(id, check, &origin()).await),
        Refusal::OutOfBandAlreadyRecorded {}
    );
    assert!(
        h.audit_kinds(id)
            .contains(&"guarded_action.oob_recorded".to_owned())
    );
    h.engine.complete(id, SESSION, &origin()).await.unwrap();
}

#[tokio::test]
async fn grant_role_by_an_admin_needs_approvals_and_raises_the_tier() {
    let h = harness();
    let root = h.account("root", AccountTier::Elevated, &[Role::Admin]);
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let id = h
        .engine
        .request(
            NewRequest {
                action: GuardedAction::GrantRole {
                    role: Role::Approver,
                },
                subject: ada.id,
                requester: Some(root.id),
                session_handle: SESSION.into(),
            },
            &origin(),
        )
        .await
        .unwrap()
        .request
        .id;
    let fact = h.own_passkey(&root);
    h.engine.present_passkey(id, fact, &origin()).await.unwrap();
    let by_requester = h.assertion(id, &root).await;
    assert_eq!(
        refusal(h.engine.approve(id, by_requester, "", &origin()).await),
        Refusal::ApproverIsRequester {}
    );
    let approval = h.assertion(id, &grace).await;
    h.engine.approve(id, approval, "", &origin()).await.unwrap();
    h.advance(Duration::hours(24));

    h.engine.complete(id, SESSION, &origin()).await.unwrap();
    let roles = users::roles(&mut h.conn(), ada.id).unwrap();
    assert_eq!(roles, ["approver"]);
    let tier = users::find(&mut h.conn(), ada.id).unwrap().unwrap().tier;
    assert_eq!(tier, "elevated");
}
