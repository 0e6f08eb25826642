//! The account page's sensitive changes on an elevated account (an
//! administrator): a new passkey is registered at once but stays pending
//! until the cooling-off delay has passed uncancelled (and approvals, where
//! the policy asks for them); cancelling deletes it; new recovery codes are
//! shown once the delay has passed. A standard account keeps the step-up
//! alone.

use std::collections::BTreeMap;

use latchkey_core::{Clock as _, GuardedActionId, Role, UserId};
use latchkey_recovery::{ActionKind, State};
use latchkey_store::credentials::Credential;
use latchkey_testkit::authenticator::SoftAuthenticator;
use latchkey_testkit::{JsonReply, TestApp};
use serde_json::json;

use crate::people::{
    Person, bootstrap_admin, invited_user, sign_in, sign_in_finish, sign_in_options,
};
use crate::recovery::{codes_in, newest_mail, requests_of, state_of};

/// Registers a passkey on `device` from `person`'s account page.
async fn add_passkey(
    app: &TestApp,
    person: &mut Person,
    device: &mut SoftAuthenticator,
    label: &str,
) -> JsonReply {
    let options = person
        .browser
        .post_json("/account/passkeys/options", &json!({ "label": label }))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let credential = device.register(&options.body, &app.address);
    person
        .browser
        .post_json(
            "/account/passkeys/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await
}

async fn active(app: &TestApp, user: UserId) -> Vec<Credential> {
    app.state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap()
}

async fn pending(app: &TestApp, user: UserId) -> Vec<Credential> {
    app.state
        .db
        .run(move |c| latchkey_store::credentials::list_pending(c, user))
        .await
        .unwrap()
}

/// Tries a sign-in with `device` in a new browser: the reply.
async fn try_sign_in(app: &TestApp, device: &mut SoftAuthenticator) -> JsonReply {
    let mut browser = app.browser();
    let options = sign_in_options(&mut browser).await;
    let assertion = device.authenticate(&options.body, &app.address);
    sign_in_finish(&mut browser, &options, assertion, "modal").await
}

/// The one open `add_passkey` request of `user`.
async fn add_request(app: &TestApp, user: UserId) -> GuardedActionId {
    let open = requests_of(app, user).await;
    let adds: Vec<_> = open
        .iter()
        .filter(|r| r.action.kind() == ActionKind::AddPasskey)
        .collect();
    assert_eq!(adds.len(), 1, "{open:?}");
    adds[0].id
}

/// What the background job does on each pass.
async fn worker_pass(app: &TestApp) {
    app.state.recovery.tick(app.clock.now()).await.unwrap();
}

#[tokio::test]
async fn an_administrators_new_passkey_stays_pending_until_the_delay_passes_then_signs_in() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let (who, now) = (ada.user_id, app.clock.now());
    app.state
        .db
        .run(move |c| latchkey_store::users::set_email(c, who, Some("ada@example.com"), now))
        .await
        .unwrap();
    let mut laptop = SoftAuthenticator::new();
    let reply = add_passkey(&app, &mut ada, &mut laptop, "Laptop").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["redirect"], "/account?done=add-pending");

    // Stored, but not active.
    assert_eq!(active(&app, ada.user_id).await.len(), 1);
    let waiting = pending(&app, ada.user_id).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].label, "Laptop");
    let id = add_request(&app, ada.user_id).await;
    assert_eq!(state_of(&app, id).await, State::Waiting);
    let notice = newest_mail(&app, "A new passkey was added to your account")
        .await
        .expect("the owner is told, with a cancel link");
    assert!(notice.contains("/recovery/cancel#lkx_"), "{notice}");
    let effective = (now + chrono::Duration::hours(24)).format("%Y-%m-%d %H:%M UTC");
    assert!(
        notice.contains(&format!("It stays inactive until {effective}")),
        "{notice}"
    );

    // The account page shows it, with the time left and a cancel button.
    let (status, html) = ada.browser.page("/account?done=add-pending").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("data-request=\"{id}\"")), "{html}");
    assert!(html.contains("“Laptop”, registered and inactive"), "{html}");
    assert!(html.contains("in <strong>24 hours</strong>"), "{html}");
    assert!(
        html.contains(&format!("action=\"/account/requests/{id}/cancel\"")),
        "{html}"
    );
    assert!(!html.contains(&format!("data-passkey=\"{}\"", waiting[0].id)));

    // A pending passkey can neither sign in nor step up.
    let refused = try_sign_in(&app, &mut laptop).await;
    assert_ne!(refused.status, 200, "{:?}", refused.body);
    let options = ada.browser.post_json("/stepup/options", &json!({})).await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let assertion = laptop.authenticate(&options.body, &app.address);
    let step_up = ada
        .browser
        .post_json(
            "/stepup/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": assertion }),
        )
        .await;
    assert_ne!(step_up.status, 200, "{:?}", step_up.body);

    // Not a minute early.
    app.clock
        .advance(chrono::Duration::hours(24) - chrono::Duration::minutes(1));
    worker_pass(&app).await;
    assert_eq!(pending(&app, ada.user_id).await.len(), 1);
    assert_ne!(try_sign_in(&app, &mut laptop).await.status, 200);

    app.clock.advance(chrono::Duration::minutes(1));
    worker_pass(&app).await;
    assert_eq!(state_of(&app, id).await, State::Completed);
    assert!(pending(&app, ada.user_id).await.is_empty());
    assert_eq!(active(&app, ada.user_id).await.len(), 2);
    let signed_in = try_sign_in(&app, &mut laptop).await;
    assert_eq!(signed_in.status, 200, "{:?}", signed_in.body);
    assert!(
        newest_mail(&app, "Completed: add a passkey")
            .await
            .is_some()
    );
}

#[tokio::test]
async fn cancelling_the_request_deletes_the_pending_passkey() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut laptop = SoftAuthenticator::new();
    let reply = add_passkey(&app, &mut ada, &mut laptop, "Laptop").await;
    assert_eq!(reply.body["redirect"], "/account?done=add-pending");
    let id = add_request(&app, ada.user_id).await;

    let (status, location, body) = ada
        .browser
        .post_form(&format!("/account/requests/{id}/cancel"), &[])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/account?done=request-cancelled"));
    assert_eq!(state_of(&app, id).await, State::Cancelled);
    assert!(pending(&app, ada.user_id).await.is_empty());
    let rows = app.db.row_counts().await;
    assert_eq!(rows["credentials"], 1, "the pending passkey is deleted");
    assert!(
        crate::oidc::audited_with(&app, "passkey.revoked", "\"pending\":true").await,
        "the dropped passkey is audited"
    );

    // Even after the delay it never signs in.
    app.clock.advance(chrono::Duration::hours(25));
    worker_pass(&app).await;
    assert_ne!(try_sign_in(&app, &mut laptop).await.status, 200);
    assert_eq!(active(&app, ada.user_id).await.len(), 1);
}

#[tokio::test]
async fn a_standard_accounts_new_passkey_is_active_at_once() {
    let app = TestApp::spawn().await;
    let _ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let mut laptop = SoftAuthenticator::new();
    let reply = add_passkey(&app, &mut bob, &mut laptop, "Laptop").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["redirect"], "/account?done=added");
    assert_eq!(active(&app, bob.user_id).await.len(), 2);
    assert!(pending(&app, bob.user_id).await.is_empty());
    assert!(requests_of(&app, bob.user_id).await.is_empty());
    assert_eq!(try_sign_in(&app, &mut laptop).await.status, 200);
}

/// An instance whose elevated and critical `add_passkey` policies also need
/// one approval.
async fn app_needing_an_approval() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("latchkey.toml");
    let policy = |delay: &str| {
        format!(
            "factors = 1\nfactor_kinds = [\"passkey\"]\ndelay = \"{delay}\"\napprovals = 1\nlifetime = \"14d\"\n"
        )
    };
    std::fs::write(
        &file,
        format!(
            "[recovery.elevated.add_passkey]\n{}\n[recovery.critical.add_passkey]\n{}",
            policy("24h"),
            policy("72h")
        ),
    )
    .unwrap();
    let app = TestApp::spawn_with(BTreeMap::from([(
        "LATCHKEY_CONFIG".to_owned(),
        file.display().to_string(),
    )]))
    .await;
    (app, dir)
}

async fn make_approver(app: &TestApp, name: &str) -> Person {
    let person = invited_user(app, name).await;
    let (who, now) = (person.user_id, app.clock.now());
    app.state
        .db
        .run(move |c| latchkey_store::users::grant_role(c, who, Role::Approver.as_str(), None, now))
        .await
        .unwrap();
    person
}

/// `approver` decides request `id` in the console (`approve` or `deny`).
async fn decide(app: &TestApp, approver: &mut Person, id: GuardedActionId, decision: &str) {
    approver.browser = sign_in(app, &mut approver.auth).await;
    let options = approver
        .browser
        .post_json(&format!("/admin/approvals/{id}/ceremony"), &json!({}))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let assertion = approver.auth.authenticate(&options.body, &app.address);
    let done = approver
        .browser
        .post_json(
            &format!("/admin/approvals/{id}/{decision}"),
            &json!({ "ceremony": options.body["ceremony"], "credential": assertion, "comment": "" }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
}

#[tokio::test]
async fn a_pending_passkey_is_deleted_when_its_request_is_denied_or_expires() {
    let (app, _config) = app_needing_an_approval().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut carol = make_approver(&app, "carol").await;
    let (mut denied_key, mut expiring_key) = (SoftAuthenticator::new(), SoftAuthenticator::new());
    add_passkey(&app, &mut ada, &mut denied_key, "Denied").await;
    let denied = add_request(&app, ada.user_id).await;
    add_passkey(&app, &mut ada, &mut expiring_key, "Expiring").await;
    let expiring = requests_of(&app, ada.user_id)
        .await
        .into_iter()
        .find(|r| r.id != denied)
        .unwrap()
        .id;
    assert_eq!(pending(&app, ada.user_id).await.len(), 2);

    app.clock.advance(chrono::Duration::hours(24));
    worker_pass(&app).await;
    decide(&app, &mut carol, denied, "deny").await;
    assert_eq!(state_of(&app, denied).await, State::Denied);
    let left: Vec<String> = pending(&app, ada.user_id)
        .await
        .into_iter()
        .map(|p| p.label)
        .collect();
    assert_eq!(left, ["Expiring"]);

    app.clock.advance(chrono::Duration::days(14));
    worker_pass(&app).await;
    assert_eq!(state_of(&app, expiring).await, State::Expired);
    assert!(pending(&app, ada.user_id).await.is_empty());
    assert_eq!(
        app.db.row_counts().await["credentials"],
        2,
        "ada's and carol's own"
    );
    assert_ne!(try_sign_in(&app, &mut denied_key).await.status, 200);
    assert_ne!(try_sign_in(&app, &mut expiring_key).await.status, 200);
}

#[tokio::test]
async fn with_a_policy_that_needs_an_approval_the_passkey_waits_for_it_too() {
    let (app, _config) = app_needing_an_approval().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut carol = make_approver(&app, "carol").await;
    let mut laptop = SoftAuthenticator::new();
    let reply = add_passkey(&app, &mut ada, &mut laptop, "Laptop").await;
    assert_eq!(reply.body["redirect"], "/account?done=add-pending");
    let id = add_request(&app, ada.user_id).await;

    app.clock.advance(chrono::Duration::hours(24));
    worker_pass(&app).await;
    assert_eq!(state_of(&app, id).await, State::AwaitingApprovals);
    assert_eq!(pending(&app, ada.user_id).await.len(), 1);
    assert_ne!(try_sign_in(&app, &mut laptop).await.status, 200);

    // Carol approves in the console with her own passkey.
    decide(&app, &mut carol, id, "approve").await;

    // Ready, so it completes at once: the passkey signs in.
    assert_eq!(state_of(&app, id).await, State::Completed);
    assert!(pending(&app, ada.user_id).await.is_empty());
    assert_eq!(try_sign_in(&app, &mut laptop).await.status, 200);
}

#[tokio::test]
async fn an_administrators_new_recovery_codes_are_shown_once_after_the_delay() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let old = crate::recovery::onboarding_codes(&mut ada).await;
    let (status, location, body) = ada.browser.post_form("/account/recovery-codes", &[]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/account?done=codes-pending"));
    let open = requests_of(&app, ada.user_id).await;
    assert_eq!(open.len(), 1);
    let id = open[0].id;
    assert_eq!(open[0].action.kind(), ActionKind::RegenerateRecoveryCodes);

    app.clock.advance(chrono::Duration::hours(24));
    worker_pass(&app).await;
    assert_eq!(state_of(&app, id).await, State::Ready);
    // Ada signs in again (a day later her session is over): the page offers
    // the codes; asking for them needs her fresh passkey confirmation.
    ada.browser = sign_in(&app, &mut ada.auth).await;
    let (_, html) = ada.browser.page("/account").await;
    assert!(
        html.contains(&format!("action=\"/account/requests/{id}/codes\"")),
        "{html}"
    );
    let (status, html) = ada
        .browser
        .post_form(&format!("/account/requests/{id}/codes"), &[])
        .await
        .pipe_page();
    assert_eq!(status, 200, "{html}");
    let fresh = codes_in(&html);
    assert_eq!(fresh.len(), 10);
    assert!(fresh.iter().all(|c| !old.contains(c)));
    assert_eq!(state_of(&app, id).await, State::Completed);
    // Once only.
    let (status, _, _) = ada
        .browser
        .post_form(&format!("/account/requests/{id}/codes"), &[])
        .await;
    assert_eq!(status, 400);
}

/// The status and page of a form's answer.
trait PipePage {
    fn pipe_page(self) -> (u16, String);
}

impl PipePage for (u16, Option<String>, String) {
    fn pipe_page(self) -> (u16, String) {
        (self.0, self.2)
    }
}
