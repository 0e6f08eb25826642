//! The admin console's approver pages: the queue, a request's page, and
//! decisions made with a passkey assertion bound to the request, through
//! the real HTTP endpoints. Requests are made through the engine, as the
//! recovery pages would make them.

use std::sync::Arc;

use latchkey_core::{AccountTier, Clock as _, CredentialId, GuardedActionId, Role, Secret, UserId};
use latchkey_recovery::{
    EngineConfig, GuardedAction, GuardedActions, NewRequest, Origin, PasskeyFact, State,
};
use latchkey_testkit::{JsonReply, TestApp};
use serde_json::json;

use crate::people::{Person, bootstrap_admin, invited_user, sign_in};

fn engine(app: &TestApp) -> GuardedActions {
    GuardedActions::new(
        app.state.db.clone(),
        Arc::new(app.clock.clone()),
        app.state.audit.clone(),
        app.state.recovery_codes.clone(),
        EngineConfig::new(app.state.issuer_str()),
    )
}

fn origin() -> Origin {
    Origin {
        ip: Some("198.51.100.20".into()),
        ..Default::default()
    }
}

async fn grant(app: &TestApp, who: &Person, role: Role) {
    let (user, now) = (who.user_id, app.clock.now());
    app.state
        .db
        .run(move |c| latchkey_store::users::grant_role(c, user, role.as_str(), None, now))
        .await
        .unwrap();
}

async fn set_tier(app: &TestApp, who: UserId, tier: AccountTier) {
    let now = app.clock.now();
    app.state
        .db
        .run(move |c| latchkey_store::users::set_tier(c, who, tier, true, now))
        .await
        .unwrap();
}

async fn passkey_of(app: &TestApp, who: UserId) -> CredentialId {
    app.state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, who))
        .await
        .unwrap()[0]
        .credential_id()
        .unwrap()
}

/// An approver: invited, holding the approver role.
pub(crate) async fn approver(app: &TestApp, name: &str) -> Person {
    let person = invited_user(app, name).await;
    grant(app, &person, Role::Approver).await;
    person
}

/// A recovery of `subject`'s account (elevated or above) with both its
/// factors shown — a recovery code and the subject's passkey — so that it
/// waits for its delay and takes approvals.
async fn recovery_with_factors(
    app: &TestApp,
    ga: &GuardedActions,
    subject: UserId,
) -> GuardedActionId {
    let id = ga
        .request(
            NewRequest {
                action: GuardedAction::RecoverAccount,
                subject,
                requester: None,
                session_handle: "the-requesters-browser".into(),
            },
            &origin(),
        )
        .await
        .unwrap()
        .request
        .id;
    let (hasher, now) = (app.state.recovery_codes.clone(), app.clock.now());
    let codes = app
        .state
        .db
        .run(move |c| latchkey_store::recovery_codes::regenerate(c, &hasher, subject, now))
        .await
        .unwrap()
        .into_inner();
    ga.present_recovery_code(id, Secret::new(codes[0].clone()), &origin())
        .await
        .unwrap();
    let fact = PasskeyFact {
        user: subject,
        credential: passkey_of(app, subject).await,
        uv_at: app.clock.now(),
    };
    let request = ga.present_passkey(id, fact, &origin()).await.unwrap();
    assert_eq!(request.state, State::Waiting);
    id
}

/// Runs the approval ceremony for `shown` in `person`'s browser and posts
/// the decision for `posted` (the same request, unless a test moves it).
async fn decide_on(
    app: &TestApp,
    person: &mut Person,
    shown: GuardedActionId,
    posted: GuardedActionId,
    decision: &str,
    comment: &str,
) -> JsonReply {
    let options = person
        .browser
        .post_json(&format!("/admin/approvals/{shown}/ceremony"), &json!({}))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let credential = person.auth.authenticate(&options.body, &app.address);
    person
        .browser
        .post_json(
            &format!("/admin/approvals/{posted}/{decision}"),
            &json!({ "ceremony": options.body["ceremony"], "credential": credential, "comment": comment }),
        )
        .await
}

pub(crate) async fn decide(
    app: &TestApp,
    person: &mut Person,
    id: GuardedActionId,
    decision: &str,
) -> JsonReply {
    decide_on(app, person, id, id, decision, "").await
}

async fn approvals_of(ga: &GuardedActions, id: GuardedActionId) -> Vec<UserId> {
    ga.view(id).await.unwrap().approvals.into_iter().collect()
}

/// Signs in again in a new browser (after the clock moved past the session).
async fn fresh(app: &TestApp, person: &mut Person) {
    person.browser = sign_in(app, &mut person.auth).await;
}

#[tokio::test]
async fn two_approvers_approve_a_recovery_in_the_console_and_it_becomes_ready() {
    let app = TestApp::spawn().await;
    let ga = engine(&app);
    let _ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    set_tier(&app, bob.user_id, AccountTier::Elevated).await;
    let mut carol = approver(&app, "carol").await;
    let mut dave = approver(&app, "dave").await;
    let id = recovery_with_factors(&app, &ga, bob.user_id).await;
    app.clock.advance(chrono::Duration::hours(24));
    ga.tick(app.clock.now()).await.unwrap();
    assert_eq!(ga.view(id).await.unwrap().state, State::AwaitingApprovals);
    fresh(&app, &mut carol).await;
    fresh(&app, &mut dave).await;

    let (status, html) = carol.browser.page("/admin/approvals").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("data-request=\"{id}\"")), "{html}");
    assert!(
        html.contains("Account recovery") && html.contains("bob"),
        "{html}"
    );
    assert!(html.contains("0 of 2"), "{html}");

    let first = decide_on(
        &app,
        &mut carol,
        id,
        id,
        "approve",
        "Called Bob on the number on file.",
    )
    .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(
        first.body["redirect"],
        format!("/admin/approvals/{id}?done=approved")
    );
    assert_eq!(ga.view(id).await.unwrap().state, State::AwaitingApprovals);

    let (status, html) = dave.browser.page(&format!("/admin/approvals/{id}")).await;
    assert_eq!(status, 200, "{html}");
    for shown in [
        "Called Bob on the number on file.",
        "1 of 2",
        "Recovery code",
        "Notice sent",
        "requested: email",
        "Factor verified",
        "carol",
    ] {
        assert!(html.contains(shown), "{shown} missing from {html}");
    }
    assert!(html.contains("data-decision=\"approve\""), "{html}");
    // Past its factors, an elevated recovery takes no out-of-band check.
    assert!(!html.contains("id=\"oob-form\""), "{html}");

    let second = decide(&app, &mut dave, id, "approve").await;
    assert_eq!(second.status, 200, "{:?}", second.body);
    let request = ga.view(id).await.unwrap();
    assert_eq!(request.state, State::Ready);
    assert_eq!(request.approvals.len(), 2);

    // Ready: it leaves the queue's "awaiting" states but stays listed until done.
    let (_, html) = carol
        .browser
        .page(&format!("/admin/approvals/{id}?done=approved"))
        .await;
    assert!(html.contains("Your approval was recorded."), "{html}");
    assert!(html.contains("Ready"), "{html}");
}

#[tokio::test]
async fn the_subject_and_the_requester_cannot_approve_their_own_request() {
    let app = TestApp::spawn().await;
    let ga = engine(&app);
    let mut ada = bootstrap_admin(&app).await;
    let mut bob = approver(&app, "bob").await;
    let _carol = approver(&app, "carol").await;
    let _dave = approver(&app, "dave").await;

    // Bob, an approver, asks to recover his own account.
    let recovery = recovery_with_factors(&app, &ga, bob.user_id).await;
    let reply = decide(&app, &mut bob, recovery, "approve").await;
    assert_eq!((reply.status, reply.error()), (409, "approver_is_subject"));
    assert_eq!(
        reply.body["message"],
        "Nobody can approve or decide a request for their own account."
    );
    let (_, html) = bob
        .browser
        .page(&format!("/admin/approvals/{recovery}"))
        .await;
    assert!(html.contains("id=\"own-request\""), "{html}");
    assert!(!html.contains("data-decision"), "{html}");

    // Ada, an administrator, asks to make Eve an approver, then tries to
    // approve her own request.
    let eve = invited_user(&app, "eve").await;
    let grant = ga
        .request(
            NewRequest {
                action: GuardedAction::GrantRole {
                    role: Role::Approver,
                },
                subject: eve.user_id,
                requester: Some(ada.user_id),
                session_handle: "adas-browser".into(),
            },
            &origin(),
        )
        .await
        .unwrap()
        .request
        .id;
    let fact = PasskeyFact {
        user: ada.user_id,
        credential: passkey_of(&app, ada.user_id).await,
        uv_at: app.clock.now(),
    };
    ga.present_passkey(grant, fact, &origin()).await.unwrap();
    let reply = decide(&app, &mut ada, grant, "approve").await;
    assert_eq!(
        (reply.status, reply.error()),
        (409, "approver_is_requester")
    );
    let reply = decide(&app, &mut ada, grant, "deny").await;
    assert_eq!(
        (reply.status, reply.error()),
        (409, "approver_is_requester")
    );

    assert!(approvals_of(&ga, recovery).await.is_empty());
    assert!(approvals_of(&ga, grant).await.is_empty());
    assert_eq!(ga.view(grant).await.unwrap().state, State::Waiting);
}

#[tokio::test]
async fn the_same_approver_approving_twice_counts_once() {
    let app = TestApp::spawn().await;
    let ga = engine(&app);
    let bob = invited_user(&app, "bob").await;
    set_tier(&app, bob.user_id, AccountTier::Elevated).await;
    let mut carol = approver(&app, "carol").await;
    let _dave = approver(&app, "dave").await;
    let id = recovery_with_factors(&app, &ga, bob.user_id).await;
    assert_eq!(decide(&app, &mut carol, id, "approve").await.status, 200);
    let again = decide(&app, &mut carol, id, "approve").await;
    assert_eq!((again.status, again.error()), (409, "already_approved"));
    assert_eq!(
        again.body["message"],
        "This approver has already approved this request."
    );
    assert_eq!(approvals_of(&ga, id).await, vec![carol.user_id]);
    // The page offers no second approval, and says the first one counts.
    let (status, html) = carol.browser.page(&format!("/admin/approvals/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(!html.contains("data-decision=\"approve\""), "{html}");
    assert!(html.contains("id=\"approved-by-me\""), "{html}");
    assert!(html.contains("data-decision=\"deny\""), "{html}");
}

#[tokio::test]
async fn an_approval_signed_for_one_request_is_refused_for_another_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ga = engine(&app);
    let bob = invited_user(&app, "bob").await;
    let eve = invited_user(&app, "eve").await;
    set_tier(&app, bob.user_id, AccountTier::Elevated).await;
    set_tier(&app, eve.user_id, AccountTier::Elevated).await;
    let mut carol = approver(&app, "carol").await;
    let _dave = approver(&app, "dave").await;
    let a = recovery_with_factors(&app, &ga, bob.user_id).await;
    let b = recovery_with_factors(&app, &ga, eve.user_id).await;
    let before = ga.view(b).await.unwrap();

    let moved = decide_on(&app, &mut carol, a, b, "approve", "").await;
    assert_eq!(
        (moved.status, moved.error()),
        (409, "approval_bound_elsewhere")
    );
    assert_eq!(
        moved.body["message"],
        "The approval was signed for another request."
    );
    let moved = decide_on(&app, &mut carol, a, b, "deny", "").await;
    assert_eq!(
        (moved.status, moved.error()),
        (409, "approval_bound_elsewhere")
    );

    assert_eq!(ga.view(b).await.unwrap(), before, "B is untouched");
    assert!(approvals_of(&ga, a).await.is_empty(), "A is untouched");
    let decisions = app
        .state
        .db
        .run(move |c| latchkey_store::approvals::for_action(c, &b.to_string()))
        .await
        .unwrap();
    assert!(decisions.is_empty());
    // The ceremony is spent: it cannot be replayed onto A either.
    assert_eq!(decide(&app, &mut carol, a, "approve").await.status, 200);
}

#[tokio::test]
async fn an_account_without_the_approver_role_gets_403_not_the_queue() {
    let app = TestApp::spawn().await;
    let mut eve = invited_user(&app, "eve").await;
    let (status, html) = eve.browser.page("/admin/approvals").await;
    assert_eq!(status, 403);
    assert!(
        html.contains("Only approvers and administrators can use the admin console."),
        "{html}"
    );
    assert!(!html.contains("Requests awaiting a decision"), "{html}");
    let id = GuardedActionId::new();
    let reply = eve
        .browser
        .post_json(&format!("/admin/approvals/{id}/ceremony"), &json!({}))
        .await;
    assert_eq!((reply.status, reply.error()), (403, "forbidden"));

    // Not signed in at all: to the sign-in page, and back here afterwards.
    let res = app.get("/admin/approvals").await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/signin?next=%2Fadmin%2Fapprovals"
    );
}

#[tokio::test]
async fn a_stale_passkey_confirmation_sends_the_approver_to_step_up_first() {
    let app = TestApp::spawn().await;
    let mut carol = approver(&app, "carol").await;
    let (status, _) = carol.browser.page("/admin/approvals").await;
    assert_eq!(status, 200);
    app.clock.advance(chrono::Duration::minutes(6));
    let res = carol
        .browser
        .client
        .get(carol.browser.url("/admin/approvals"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/stepup?next=%2Fadmin%2Fapprovals"
    );

    crate::people::step_up(&app, &mut carol).await;
    assert_eq!(carol.browser.page("/admin/approvals").await.0, 200);
}

#[tokio::test]
async fn one_denial_ends_the_request() {
    let app = TestApp::spawn().await;
    let ga = engine(&app);
    let bob = invited_user(&app, "bob").await;
    set_tier(&app, bob.user_id, AccountTier::Elevated).await;
    let mut carol = approver(&app, "carol").await;
    let mut dave = approver(&app, "dave").await;
    let id = recovery_with_factors(&app, &ga, bob.user_id).await;
    assert_eq!(decide(&app, &mut dave, id, "approve").await.status, 200);

    let denied = decide_on(
        &app,
        &mut carol,
        id,
        id,
        "deny",
        "Bob is on holiday; not him.",
    )
    .await;
    assert_eq!(denied.status, 200, "{:?}", denied.body);
    assert_eq!(
        denied.body["redirect"],
        format!("/admin/approvals/{id}?done=denied")
    );
    assert_eq!(ga.view(id).await.unwrap().state, State::Denied);

    let late = decide(&app, &mut dave, id, "deny").await;
    assert_eq!((late.status, late.error()), (409, "final"));
    assert_eq!(late.body["message"], "The request is already denied.");
    let (_, html) = carol.browser.page(&format!("/admin/approvals/{id}")).await;
    assert!(html.contains("Bob is on holiday; not him."), "{html}");
    assert!(html.contains("Denied"), "{html}");
    assert!(
        !html.contains("data-decision"),
        "no decision on a final request: {html}"
    );
    // It has left the queue.
    let (_, queue) = carol.browser.page("/admin/approvals").await;
    assert!(!queue.contains(&id.to_string()), "{queue}");
}

#[tokio::test]
async fn an_out_of_band_check_is_recorded_from_the_request_page_once() {
    let app = TestApp::spawn().await;
    let ga = engine(&app);
    let bob = invited_user(&app, "bob").await;
    set_tier(&app, bob.user_id, AccountTier::Critical).await;
    let mut carol = approver(&app, "carol").await;
    let mut dave = approver(&app, "dave").await;
    let id = recovery_with_factors(&app, &ga, bob.user_id).await;
    let page = format!("/admin/approvals/{id}");
    let (_, html) = carol.browser.page(&page).await;
    assert!(html.contains("id=\"oob-form\""), "{html}");

    let (status, location, _) = carol
        .browser
        .post_form(
            &format!("{page}/oob"),
            &[
                ("method", "video_call"),
                ("note", "Passport shown on a video call; photo matches."),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(format!("{page}?done=oob").as_str()))
    );
    let review = ga.review(id).await.unwrap();
    let oob = review.oob.unwrap();
    assert_eq!(
        (oob.by.username.as_str(), oob.method.as_str()),
        ("carol", "video_call")
    );

    // A second check is refused, and the page says why.
    dave.browser.page(&page).await;
    let (status, _, html) = dave
        .browser
        .post_form(
            &format!("{page}/oob"),
            &[("method", "document"), ("note", "ID card")],
        )
        .await;
    assert_eq!(status, 409);
    assert!(
        html.contains("An out-of-band check is already recorded."),
        "{html}"
    );
    assert_eq!(
        ga.review(id).await.unwrap().oob.unwrap().by.username,
        "carol"
    );
}
