//! Changing the account's address from the account page: always a guarded
//! request (the address becomes a recovery factor once verified), with a
//! notice and cancel link to the address on file, completed by itself when
//! the tier's delay has passed (1 hour for a standard account), and the new
//! address unverified. Refusals change nothing.

use latchkey_core::{Clock as _, UserId};
use latchkey_recovery::{ActionKind, State};
use latchkey_testkit::TestApp;

use crate::people::{Person, invited_user, step_up};
use crate::recovery::{newest_mail, request_count, requests_of, state_of};

/// The account's address and whether it is verified.
async fn address(app: &TestApp, user: UserId) -> (Option<String>, bool) {
    let account = app
        .state
        .db
        .run(move |c| latchkey_store::users::find(c, user))
        .await
        .unwrap()
        .unwrap();
    (account.email, account.email_verified_at.is_some())
}

/// A standard account with the verified address `email`, stepped up.
async fn verified_person(app: &TestApp, username: &str, email: &'static str) -> Person {
    let mut person = invited_user(app, username).await;
    let (who, now) = (person.user_id, app.clock.now());
    app.state
        .db
        .run(move |c| {
            latchkey_store::users::set_email(c, who, Some(email), now)?;
            latchkey_store::users::mark_email_verified(c, who, email, now)
        })
        .await
        .unwrap();
    step_up(app, &mut person).await;
    person
}

async fn ask(person: &mut Person, email: &str) -> Option<String> {
    let (status, location, body) = person
        .browser
        .post_form("/account/email", &[("email", email)])
        .await;
    assert_eq!(status, 303, "{body}");
    location
}

#[tokio::test]
async fn a_new_address_waits_out_the_delay_with_a_notice_to_the_old_one_then_starts_unverified() {
    let app = TestApp::spawn().await;
    let mut bob = verified_person(&app, "bob", "old@example.com").await;
    let asked_at = app.clock.now();

    let to = ask(&mut bob, " New@Example.com ").await;
    assert_eq!(to.as_deref(), Some("/account?done=email-change-pending"));
    assert_eq!(
        address(&app, bob.user_id).await,
        (Some("old@example.com".into()), true),
        "nothing changes before the delay"
    );
    let open = requests_of(&app, bob.user_id).await;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].action.kind(), ActionKind::ChangeEmail);
    let id = open[0].id;
    let notice = newest_mail(&app, "Your account: a request to change the e-mail address")
        .await
        .expect("the address on file is told");
    let effective = (asked_at + chrono::Duration::hours(1)).format("%Y-%m-%d %H:%M UTC");
    assert!(notice.contains("to new@example.com"), "{notice}");
    assert!(
        notice.contains(&format!("It takes effect at {effective}")),
        "{notice}"
    );
    assert!(notice.contains("/recovery/cancel#lkx_"), "{notice}");

    let (status, html) = bob.browser.page("/account?done=email-change-pending").await;
    assert_eq!(status, 200);
    assert!(html.contains("Your address will change when"), "{html}");
    assert!(html.contains(&format!("data-request=\"{id}\"")), "{html}");
    assert!(html.contains("to new@example.com"), "{html}");

    // Not a minute early, whichever pass looks.
    app.clock
        .advance(chrono::Duration::hours(1) - chrono::Duration::minutes(1));
    app.state.recovery.tick(app.clock.now()).await.unwrap();
    assert_eq!(state_of(&app, id).await, State::Waiting);
    assert_eq!(
        address(&app, bob.user_id).await.0.as_deref(),
        Some("old@example.com")
    );

    app.clock.advance(chrono::Duration::minutes(1));
    app.state.recovery.tick(app.clock.now()).await.unwrap();
    assert_eq!(state_of(&app, id).await, State::Completed);
    assert_eq!(
        address(&app, bob.user_id).await,
        (Some("new@example.com".into()), false),
        "a fresh address is never a factor until it is verified"
    );
    let done = newest_mail(&app, "Completed: change the e-mail address")
        .await
        .expect("the change is announced");
    assert!(done.contains("bob"), "{done}");
}

#[tokio::test]
async fn the_owner_cancels_from_the_account_page_and_the_address_stays() {
    let app = TestApp::spawn().await;
    let mut bob = verified_person(&app, "bob", "old@example.com").await;
    ask(&mut bob, "new@example.com").await;
    let id = requests_of(&app, bob.user_id).await[0].id;

    let (status, location, _) = bob
        .browser
        .post_form(&format!("/account/requests/{id}/cancel"), &[])
        .await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/account?done=request-cancelled"));
    app.clock.advance(chrono::Duration::hours(2));
    app.state.recovery.tick(app.clock.now()).await.unwrap();
    assert_eq!(state_of(&app, id).await, State::Cancelled);
    assert_eq!(
        address(&app, bob.user_id).await,
        (Some("old@example.com".into()), true)
    );
}

#[tokio::test]
async fn bad_requests_for_a_new_address_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let mut bob = verified_person(&app, "bob", "old@example.com").await;
    let _carol = invited_user(&app, "carol").await;
    let before = request_count(&app).await;

    for (input, answer) in [
        ("not an address", "email-invalid"),
        ("a@b", "email-invalid"),
        ("", "email-invalid"),
        ("OLD@example.com", "email-same"),
        ("carol@example.com", "email-taken"),
    ] {
        let to = ask(&mut bob, input).await;
        assert_eq!(to, Some(format!("/account?done={answer}")), "{input:?}");
    }
    assert_eq!(request_count(&app).await, before);

    // One change at a time.
    ask(&mut bob, "new@example.com").await;
    let to = ask(&mut bob, "other@example.com").await;
    assert_eq!(to.as_deref(), Some("/account?done=email-change-waiting"));
    assert_eq!(request_count(&app).await, before + 1);

    // With a forged CSRF token, or with a stale step-up: refused.
    let res = bob
        .browser
        .client
        .post(bob.browser.url("/account/email"))
        .form(&[("csrf", "forged"), ("email", "third@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let mut dan = verified_person(&app, "dan", "dan@example.com").await;
    app.clock.advance(chrono::Duration::minutes(6));
    let (status, location, _) = dan
        .browser
        .post_form("/account/email", &[("email", "dan2@example.com")])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/stepup?next=%2Faccount"))
    );
    assert!(requests_of(&app, dan.user_id).await.is_empty());
    assert_eq!(request_count(&app).await, before + 1);
    assert_eq!(
        address(&app, bob.user_id).await,
        (Some("old@example.com".into()), true)
    );
}

#[tokio::test]
async fn notices_carry_the_instance_name_an_administrator_set_since_start_up() {
    let app = TestApp::spawn().await;
    let mut ada = crate::people::bootstrap_admin(&app).await;
    let (status, _, body) = ada
        .browser
        .post_multipart("/admin/branding", &[("name", "Acme Sign-in")], None)
        .await;
    assert_eq!(status, 303, "{body}");
    let mut bob = verified_person(&app, "bob", "old@example.com").await;
    ask(&mut bob, "new@example.com").await;
    let notice = newest_mail(&app, "Your account: a request to change the e-mail address")
        .await
        .expect("the address on file is told");
    assert!(notice.contains("Acme Sign-in never asks"), "{notice}");
    assert!(
        !notice.contains("Latchkey"),
        "the configured name is not used: {notice}"
    );
}
