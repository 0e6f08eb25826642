//! An elevated account's recovery through the real pages from start to
//! finish: two factors (a recovery code and the link sent to the verified
//! address), the 24-hour delay, two approvers deciding in the console with
//! their own passkeys, completion — and everything the account had before
//! is revoked: passkeys, browser sessions, refresh-token families.

use latchkey_core::{AccountTier, Clock as _, Role, UserId};
use latchkey_recovery::State;
use latchkey_testkit::TestApp;
use latchkey_testkit::authenticator::SoftAuthenticator;
use openidconnect::OAuth2TokenResponse as _;
use serde_json::json;

use super::email::{link_token, verify_email};
use super::{code, onboarding_codes, requests_of, shown_state, start, state_of};
use crate::oidc::{Rp, authorize, token_error};
use crate::people::{
    Person, bootstrap_admin, invited_user, session_count, sign_in, sign_in_finish, sign_in_options,
};

async fn approver(app: &TestApp, name: &str) -> Person {
    let person = invited_user(app, name).await;
    let (who, now) = (person.user_id, app.clock.now());
    app.state
        .db
        .run(move |c| latchkey_store::users::grant_role(c, who, Role::Approver.as_str(), None, now))
        .await
        .unwrap();
    person
}

async fn set_tier(app: &TestApp, who: UserId, tier: AccountTier) {
    let now = app.clock.now();
    app.state
        .db
        .run(move |c| latchkey_store::users::set_tier(c, who, tier, true, now))
        .await
        .unwrap();
}

/// Approves request `id` in the console as `person`, with a fresh sign-in.
async fn approve_in_console(
    app: &TestApp,
    person: &mut Person,
    id: latchkey_core::GuardedActionId,
    comment: &str,
) {
    person.browser = sign_in(app, &mut person.auth).await;
    let (status, html) = person.browser.page(&format!("/admin/approvals/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-decision=\"approve\""), "{html}");
    let options = person
        .browser
        .post_json(&format!("/admin/approvals/{id}/ceremony"), &json!({}))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let assertion = person.auth.authenticate(&options.body, &app.address);
    let done = person
        .browser
        .post_json(
            &format!("/admin/approvals/{id}/approve"),
            &json!({ "ceremony": options.body["ceremony"], "credential": assertion, "comment": comment }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
}

#[tokio::test]
async fn an_elevated_recovery_with_two_factors_a_day_and_two_approvals_revokes_everything_before_it()
 {
    let app = TestApp::spawn().await;
    let _ada = bootstrap_admin(&app).await;
    let mut carol = approver(&app, "carol").await;
    let mut dave = approver(&app, "dave").await;
    let mut bob = invited_user(&app, "bob").await;
    set_tier(&app, bob.user_id, AccountTier::Elevated).await;
    let codes = onboarding_codes(&mut bob).await;
    verify_email(&app, &mut bob).await;

    // Before the loss: a second browser, and an application holding a
    // refresh token.
    let _laptop = sign_in(&app, &mut bob.auth).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let auth_code = authorize(&app, &rp, &mut bob.browser, &mut bob.auth, &started).await;
    let (tokens, _) = rp
        .exchange(&auth_code, started.verifier, &started.nonce)
        .await;
    let refresh = tokens.refresh_token().expect("a refresh token").clone();
    assert_eq!(session_count(&app, bob.user_id).await, 2);

    // Every passkey lost: a new browser names the account.
    let (mut browser, to) = start(&app, "bob").await;
    assert_eq!(to.as_deref(), Some("/recover/factor"));
    let id = requests_of(&app, bob.user_id).await[0].id;
    let (status, to, body) = code(&mut browser, &codes[0]).await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some("/recover/status")),
        "{body}"
    );
    assert_eq!(shown_state(&mut browser).await, "verifying_factors");
    let (_, html) = browser.page("/recover/status").await;
    assert!(
        html.contains("Another proof, of a different kind"),
        "{html}"
    );

    // The second factor: the link mailed to the verified address, opened in
    // this browser.
    let (status, _, _) = browser.post_form("/recover/email", &[]).await;
    assert_eq!(status, 200);
    let link = link_token(&app, "/recovery/email#")
        .await
        .expect("the link");
    let (status, to, body) = browser
        .post_form("/recovery/email", &[("token", link.as_str())])
        .await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some("/recover/status")),
        "{body}"
    );
    let (_, html) = browser.page("/recover/status").await;
    assert!(html.contains("data-state=\"waiting\""), "{html}");
    assert!(html.contains("<strong>24 hours</strong>"), "{html}");

    // Not before the day is over, and not without approvals.
    let (status, _, _) = browser.post_form("/recover/complete", &[]).await;
    assert_eq!(status, 400);
    app.clock.advance(chrono::Duration::hours(24));
    assert_eq!(shown_state(&mut browser).await, "awaiting_approvals");
    let (status, _, _) = browser.post_form("/recover/complete", &[]).await;
    assert_eq!(status, 400);

    approve_in_console(
        &app,
        &mut carol,
        id,
        "Called Bob back on the number on file.",
    )
    .await;
    assert_eq!(state_of(&app, id).await, State::AwaitingApprovals);
    // One approval so far: the request still waits for the second.
    assert_eq!(
        app.state.recovery.view(id).await.unwrap().approvals.len(),
        1
    );
    approve_in_console(&app, &mut dave, id, "Bob showed his badge on a video call.").await;
    assert_eq!(state_of(&app, id).await, State::Ready);
    assert_eq!(shown_state(&mut browser).await, "ready");

    // Completion: the browser gets the enrolment grant; everything before
    // is revoked.
    let (status, to, body) = browser.post_form("/recover/complete", &[]).await;
    assert_eq!(
        (status, to.as_deref()),
        (303, Some("/recover/enrol")),
        "{body}"
    );
    assert_eq!(state_of(&app, id).await, State::Completed);
    let user = bob.user_id;
    let left = app
        .state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap();
    assert!(left.is_empty(), "the old passkey is revoked");
    assert_eq!(session_count(&app, bob.user_id).await, 0);
    let refused = rp
        .client
        .exchange_refresh_token(&refresh)
        .unwrap()
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refused), "invalid_grant");

    // The new passkey, from the same browser.
    let mut new_key = SoftAuthenticator::new();
    let options = browser
        .post_json("/recover/enrol/options", &json!({}))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let credential = new_key.register(&options.body, &app.address);
    let done = browser
        .post_json(
            "/recover/enrol/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);

    // The old passkey cannot sign in; the new one can.
    let mut old = app.browser();
    let options = sign_in_options(&mut old).await;
    let assertion = bob.auth.authenticate(&options.body, &app.address);
    assert_ne!(
        sign_in_finish(&mut old, &options, assertion, "modal")
            .await
            .status,
        200
    );
    let mut signed_in = sign_in(&app, &mut new_key).await;
    assert_eq!(signed_in.page("/account").await.0, 200);
}
