//! The console's reads: the queue with what each request still lacks, and a
//! request with its factors, decisions, notices and audit trail.

use latchkey_core::{AccountTier, Role};
use latchkey_recovery::{Feasibility, OobCheck, OobMethod, State};
use latchkey_store::users;

use crate::{harness, origin};

#[tokio::test]
async fn a_review_shows_factors_decisions_notices_and_the_timeline_in_order() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Elevated, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let _alan = h.account("alan", AccountTier::Standard, &[Role::Approver]);
    let id = h.recover(ada.id).await.request.id;
    h.code(id, &ada.codes[0]).await.unwrap();
    h.advance(chrono::Duration::minutes(1));
    let fact = h.own_passkey(&ada);
    h.engine.present_passkey(id, fact, &origin()).await.unwrap();
    let yes = h.assertion(id, &grace).await;
    h.engine
        .approve(id, yes, "called her back on the number on file", &origin())
        .await
        .unwrap();

    let review = h.engine.review(id).await.unwrap();
    assert_eq!(review.request.state, State::Waiting);
    assert_eq!(review.subject.as_ref().unwrap().username, "ada");
    assert_eq!(
        review.requester, None,
        "a recovery has no signed-in requester"
    );
    let factors: Vec<&str> = review.factors.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(factors, vec!["recovery_code", "passkey"]);
    assert_eq!(review.decisions.len(), 1);
    let decision = &review.decisions[0];
    assert_eq!(decision.approver.username, "grace");
    assert!(decision.approved);
    assert_eq!(decision.comment, "called her back on the number on file");
    assert_eq!(review.oob, None);
    // The announcement went to the account's address; no webhook is set up.
    assert_eq!(review.notices.len(), 1);
    assert_eq!(review.notices[0].notice, "requested");
    assert_eq!(review.notices[0].channels, vec!["email".to_owned()]);
    let kinds: Vec<&str> = review.timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "guarded_action.requested",
            "guarded_action.notified",
            "guarded_action.factor_verified",
            "guarded_action.factor_verified",
            "guarded_action.transitioned",
            "guarded_action.approval_recorded",
        ]
    );
    let approval = review.timeline.last().unwrap();
    assert_eq!(approval.actor.as_ref().unwrap().username, "grace");
    assert_eq!(review.timeline[0].actor, None);
    assert_eq!(review.timeline[0].actor_text, "anonymous");
    assert_eq!(review.feasibility, Feasibility::Feasible);
}

#[tokio::test]
async fn the_queue_warns_when_too_few_approvers_are_left_for_what_is_missing() {
    let h = harness();
    let ada = h.account("ada", AccountTier::Critical, &[]);
    let grace = h.account("grace", AccountTier::Standard, &[Role::Approver]);
    let alan = h.account("alan", AccountTier::Standard, &[Role::Approver]);
    let id = h.recover(ada.id).await.request.id;
    h.code(id, &ada.codes[0]).await.unwrap();
    let fact = h.own_passkey(&ada);
    h.engine.present_passkey(id, fact, &origin()).await.unwrap();
    let yes = h.assertion(id, &grace).await;
    h.engine.approve(id, yes, "", &origin()).await.unwrap();

    let queue = h.engine.queue(50).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].request.id, id);
    assert_eq!(queue[0].subject.as_ref().unwrap().username, "ada");
    assert_eq!(queue[0].feasibility, Feasibility::Feasible);

    // Alan is the only one left who could give the second approval; once
    // his account is disabled, the request cannot be met.
    users::disable(&mut h.conn(), alan.id, h.clock_now()).unwrap();
    let queue = h.engine.queue(50).await.unwrap();
    assert_eq!(
        queue[0].feasibility,
        Feasibility::NotEnoughApprovers {
            required: 1,
            available: 0
        }
    );

    // The out-of-band check is still missing too, and nobody is left to
    // record it either; once recorded, only the approval is missing.
    let check = OobCheck {
        recorder: grace.id,
        credential: grace.passkey,
        uv_at: h.clock_now(),
        method: OobMethod::VideoCall,
        evidence: "passport checked on a video call".into(),
    };
    h.engine.record_oob(id, check, &origin()).await.unwrap();
    let review = h.engine.review(id).await.unwrap();
    let oob = review.oob.unwrap();
    assert_eq!(
        (oob.by.username.as_str(), oob.method.as_str()),
        ("grace", "video_call")
    );
    assert_eq!(
        review.feasibility,
        Feasibility::NotEnoughApprovers {
            required: 1,
            available: 0
        }
    );
}

#[tokio::test]
async fn a_review_of_an_unknown_request_is_not_found() {
    let h = harness();
    let err = h
        .engine
        .review(latchkey_core::GuardedActionId::new())
        .await
        .unwrap_err();
    assert_eq!(err.refusal().map(|r| r.code()), Some("not_found"));
}
