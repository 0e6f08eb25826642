//! The account page: adding, renaming and revoking passkeys under step-up,
//! recovery codes, and sessions.

use latchkey_testkit::TestApp;
use latchkey_testkit::authenticator::SoftAuthenticator;
use serde_json::json;

use crate::people::{Person, bootstrap_admin, invited_user, session_count, sign_in};

pub(crate) async fn add_passkey(
    app: &TestApp,
    person: &mut Person,
    other_device: &mut SoftAuthenticator,
    label: &str,
) -> latchkey_testkit::JsonReply {
    let options = person
        .browser
        .post_json("/account/passkeys/options", &json!({ "label": label }))
        .await;
    if options.status != 200 {
        return options;
    }
    let credential = other_device.register(&options.body, &app.address);
    person
        .browser
        .post_json(
            "/account/passkeys/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await
}

async fn passkeys(app: &TestApp, person: &Person) -> Vec<latchkey_store::credentials::Credential> {
    let id = person.user_id;
    app.state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, id))
        .await
        .unwrap()
}

/// Subjects of every notification queued (delivered or not).
async fn outbox_subjects(app: &TestApp) -> Vec<String> {
    app.state
        .db
        .run(|c| latchkey_store::outbox::recent(c, 100))
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            serde_json::from_str::<serde_json::Value>(&m.payload).unwrap()["subject"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn a_second_passkey_can_be_added_renamed_and_revoked_with_audit_and_notifications() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let mut phone = SoftAuthenticator::synced();
    let added = add_passkey(&app, &mut bob, &mut phone, "Phone").await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    assert_eq!(added.body["redirect"], "/account?done=added");
    let list = passkeys(&app, &bob).await;
    assert_eq!(list.len(), 2);
    let phone_row = list.iter().find(|c| c.label == "Phone").unwrap();
    assert!(
        phone_row.backup_eligible,
        "synced passkeys are recorded as such"
    );

    let (_, html) = bob.browser.page("/account").await;
    assert!(
        html.contains("synced") && html.contains("device-bound"),
        "{html}"
    );

    // The phone's passkey signs in too.
    sign_in(&app, &mut phone).await;

    let (status, location, _) = bob
        .browser
        .post_form(
            &format!("/account/passkeys/{}/rename", phone_row.id),
            &[("label", "Pixel 9")],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account?done=renamed"))
    );
    assert!(
        passkeys(&app, &bob)
            .await
            .iter()
            .any(|c| c.label == "Pixel 9")
    );

    let (status, location, _) = bob
        .browser
        .post_form(&format!("/account/passkeys/{}/revoke", phone_row.id), &[])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account?done=revoked"))
    );
    assert_eq!(passkeys(&app, &bob).await.len(), 1);

    let events = app
        .state
        .db
        .run(|c| latchkey_store::audit::AuditChain::recent(c, 20))
        .await
        .unwrap();
    for kind in ["passkey.registered", "passkey.renamed", "passkey.revoked"] {
        assert!(events.iter().any(|e| e.kind == kind), "{kind} audited");
    }
    let subjects = outbox_subjects(&app).await;
    assert!(subjects.iter().any(|s| s.contains("added")), "{subjects:?}");
    assert!(
        subjects.iter().any(|s| s.contains("removed")),
        "{subjects:?}"
    );
}

#[tokio::test]
async fn sensitive_changes_need_a_passkey_confirmation_within_five_minutes() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    app.clock.advance(chrono::Duration::minutes(6));
    let mut laptop = SoftAuthenticator::new();
    let refused = add_passkey(&app, &mut bob, &mut laptop, "Laptop").await;
    assert_eq!((refused.status, refused.error()), (403, "step_up_required"));
    let first = passkeys(&app, &bob).await[0].id.clone();
    let (status, location, _) = bob
        .browser
        .post_form(&format!("/account/passkeys/{first}/revoke"), &[])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/stepup?next=%2Faccount"))
    );
    let (status, location, _) = bob.browser.post_form("/account/recovery-codes", &[]).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/stepup?next=%2Faccount"))
    );
    assert_eq!(passkeys(&app, &bob).await.len(), 1, "nothing changed");

    // Step up with the existing passkey, then the change goes through.
    crate::people::step_up(&app, &mut bob).await;
    assert_eq!(
        add_passkey(&app, &mut bob, &mut laptop, "Laptop")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn step_up_with_another_accounts_passkey_is_refused() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    app.clock.advance(chrono::Duration::minutes(6));
    let options = bob.browser.post_json("/stepup/options", &json!({})).await;
    let credential = ada.auth.authenticate(&options.body, &app.address);
    let reply = bob
        .browser
        .post_json(
            "/stepup/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!((reply.status, reply.error()), (400, "wrong_account"));
    // Nothing about Ada's passkey was recorded by Bob's attempt.
    let adas = passkeys(&app, &ada).await;
    assert_eq!(adas[0].last_used_at, None, "{adas:?}");
    let mut laptop = SoftAuthenticator::new();
    assert_eq!(
        add_passkey(&app, &mut bob, &mut laptop, "Laptop")
            .await
            .status,
        403,
        "still not fresh"
    );
}

#[tokio::test]
async fn the_last_passkey_cannot_be_revoked_while_no_recovery_codes_remain() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let only = passkeys(&app, &bob).await[0].id.clone();
    // Spend all ten codes.
    let id = bob.user_id;
    let sql = format!("UPDATE recovery_codes SET used_at = created_at WHERE user_id = '{id}'");
    assert_eq!(app.db.execute(&sql), 10);
    let (status, location, _) = bob
        .browser
        .post_form(&format!("/account/passkeys/{only}/revoke"), &[])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account?done=last-passkey"))
    );
    assert_eq!(passkeys(&app, &bob).await.len(), 1);

    // With new codes it may go (the account stays recoverable).
    let (status, _, html) = bob.browser.post_form("/account/recovery-codes", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("<li>").count(), 10);
    let (status, location, _) = bob
        .browser
        .post_form(&format!("/account/passkeys/{only}/revoke"), &[])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account?done=revoked"))
    );
}

#[tokio::test]
async fn a_passkey_of_another_user_cannot_be_renamed_or_revoked() {
    let app = TestApp::spawn().await;
    let ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let adas = passkeys(&app, &ada).await[0].id.clone();
    let (status, _, _) = bob
        .browser
        .post_form(
            &format!("/account/passkeys/{adas}/rename"),
            &[("label", "mine now")],
        )
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = bob
        .browser
        .post_form(&format!("/account/passkeys/{adas}/revoke"), &[])
        .await;
    assert_eq!(status, 404);
    let after = passkeys(&app, &ada).await;
    assert_eq!(after.len(), 1);
    assert_ne!(after[0].label, "mine now");
}

#[tokio::test]
async fn sign_out_everywhere_else_ends_the_other_sessions_only() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let mut elsewhere = sign_in(&app, &mut bob.auth).await;
    assert_eq!(session_count(&app, bob.user_id).await, 2);
    let (_, html) = bob.browser.page("/account").await;
    assert!(html.contains("This device"));
    let (status, location, _) = bob
        .browser
        .post_form("/account/sessions/revoke-others", &[])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account?done=signed-out-others"))
    );
    assert_eq!(session_count(&app, bob.user_id).await, 1);
    assert_eq!(bob.browser.page("/account").await.0, 200);
    assert_eq!(elsewhere.page("/account").await.0, 303);

    let (status, location, _) = bob.browser.post_form("/signout", &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/signin")));
    assert_eq!(bob.browser.page("/account").await.0, 303);
    assert_eq!(session_count(&app, bob.user_id).await, 0);
}

#[tokio::test]
async fn registering_a_passkey_that_is_already_registered_is_refused() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let options = bob
        .browser
        .post_json("/account/passkeys/options", &json!({}))
        .await;
    assert_eq!(options.status, 200);
    let existing = bob.auth.last_credential_id().unwrap();
    let excluded = options.body["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(
        excluded.len(),
        1,
        "the page tells the browser which passkeys exist"
    );
    // A misbehaving client re-registers the same credential anyway.
    bob.auth.reuse_credential_next(&existing);
    let credential = bob.auth.register(&options.body, &app.address);
    let reply = bob
        .browser
        .post_json(
            "/account/passkeys/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_generic_registration_failure(&reply);
    assert_eq!(passkeys(&app, &bob).await.len(), 1);
}

/// A refused registration says nothing about why, in particular not that
/// the credential exists.
fn assert_generic_registration_failure(reply: &latchkey_testkit::JsonReply) {
    assert_eq!(
        (reply.status, reply.error()),
        (400, "registration_failed"),
        "{:?}",
        reply.body
    );
    assert_eq!(
        reply.body["message"],
        latchkey_web::error::REGISTRATION_FAILED
    );
    let text = reply.body.to_string().to_lowercase();
    assert!(
        !text.contains("already") && !text.contains("exist"),
        "{text}"
    );
}

#[tokio::test]
async fn registering_another_accounts_credential_gets_the_generic_failure() {
    let app = TestApp::spawn().await;
    let alice = invited_user(&app, "alice").await;
    let alices = alice.auth.last_credential_id().unwrap();
    // Bob's authenticator holds Alice's credential too (a forged client).
    let token = crate::people::invitation(&app, "bob@example.com").await;
    let mut bob = crate::people::enrol(&app, "invite", &token, "bob", alice.auth).await;
    let options = bob
        .browser
        .post_json("/account/passkeys/options", &json!({}))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    bob.auth.reuse_credential_next(&alices);
    let credential = bob.auth.register(&options.body, &app.address);
    let reply = bob
        .browser
        .post_json(
            "/account/passkeys/finish",
            &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
        )
        .await;
    assert_generic_registration_failure(&reply);
    assert_eq!(passkeys(&app, &bob).await.len(), 1);
}

#[tokio::test]
async fn a_passkey_flagged_as_a_possible_clone_signs_in_again_only_once_its_owner_clears_the_flag()
{
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let mut phone = SoftAuthenticator::new();
    assert_eq!(
        add_passkey(&app, &mut bob, &mut phone, "Phone")
            .await
            .status,
        200
    );
    let phone_row = passkeys(&app, &bob)
        .await
        .into_iter()
        .find(|c| c.label == "Phone")
        .unwrap();
    let (id, now) = (
        latchkey_core::CredentialId::parse(&phone_row.id).unwrap(),
        latchkey_core::Clock::now(&app.clock),
    );
    app.state
        .db
        .run(move |c| latchkey_store::credentials::mark_clone_suspected(c, id, now))
        .await
        .unwrap();

    let mut browser = app.browser();
    let options = crate::people::sign_in_options(&mut browser).await;
    let credential = phone.authenticate(&options.body, &app.address);
    let refused = crate::people::sign_in_finish(&mut browser, &options, credential, "modal").await;
    assert_eq!((refused.status, refused.error()), (400, "clone_suspected"));

    let (_, html) = bob.browser.page("/account").await;
    let action = format!("/account/passkeys/{}/clear-clone-flag", phone_row.id);
    assert!(html.contains(&action), "{html}");
    let (status, location, _) = bob.browser.post_form(&action, &[]).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/account?done=clone-cleared"))
    );
    sign_in(&app, &mut phone).await;
}
