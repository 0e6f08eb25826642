//! The owner verifies their e-mail address through a link; only then is the
//! address a recovery factor. A changed address is unverified again.

use latchkey_core::{Clock as _, UserId};
use latchkey_recovery::{GuardedAction, LiveChange, Origin, PasskeyFact, State};
use latchkey_testkit::{Browser, TestApp};

use super::{mail_texts, requests_of, start, state_of};
use crate::people::{Person, invited_user};

/// The token of the newest link in mail that starts with `base`.
pub async fn link_token(app: &TestApp, base: &str) -> Option<String> {
    mail_texts(app).await.into_iter().find_map(|text| {
        text.split(base).nth(1).map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
    })
}

pub async fn verified_at(app: &TestApp, user: UserId) -> Option<chrono::NaiveDateTime> {
    app.state
        .db
        .run(move |c| latchkey_store::users::find(c, user))
        .await
        .unwrap()
        .unwrap()
        .email_verified_at
}

/// The signed-in owner asks for a link: its token.
pub async fn ask_for_verification(app: &TestApp, person: &mut Person) -> String {
    let (status, location, body) = person
        .browser
        .post_form("/account/email/verification", &[])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/account?done=email-sent"));
    link_token(app, "/email/verify#")
        .await
        .expect("a verification link by mail")
}

/// Opens the link in `browser` and presses its button.
pub async fn open_verification(browser: &mut Browser, token: &str) -> (u16, String) {
    let (status, html) = browser.page("/email/verify").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-link-form"), "{html}");
    let (status, _, html) = browser
        .post_form("/email/verify", &[("token", token)])
        .await;
    (status, html)
}

/// Verifies `person`'s address through the pages.
pub async fn verify_email(app: &TestApp, person: &mut Person) {
    let token = ask_for_verification(app, person).await;
    let (status, html) = open_verification(&mut app.browser(), &token).await;
    assert_eq!(status, 200, "{html}");
    assert!(verified_at(app, person.user_id).await.is_some());
}

#[tokio::test]
async fn a_verified_address_becomes_a_recovery_factor_and_an_unverified_one_never_is() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    assert!(verified_at(&app, bob.user_id).await.is_none());

    // Unverified: asking for the recovery link sends nothing.
    let (mut lost, _) = start(&app, "bob").await;
    let (status, _, html) = lost.post_form("/recover/email", &[]).await;
    assert_eq!(status, 200, "{html}");
    assert!(link_token(&app, "/recovery/email#").await.is_none());
    let id = requests_of(&app, bob.user_id).await[0].id;
    assert_eq!(state_of(&app, id).await, State::Requested);

    // The account page offers verification; the link's page alone (a mail
    // scanner fetching it) verifies nothing.
    let (_, page) = bob.browser.page("/account").await;
    assert!(page.contains("not verified"), "{page}");
    let token = ask_for_verification(&app, &mut bob).await;
    assert!(token.starts_with("lkv_"), "{token}");
    let (status, _) = app.browser().page("/email/verify").await;
    assert_eq!(status, 200);
    assert!(verified_at(&app, bob.user_id).await.is_none());
    let mut elsewhere = app.browser();
    let (status, html) = open_verification(&mut elsewhere, &token).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Your email address is verified."), "{html}");
    assert!(verified_at(&app, bob.user_id).await.is_some());
    assert!(crate::oidc::audited(&app, "email.verified").await);
    assert!(crate::oidc::audited(&app, "email.verification_sent").await);
    // The link works once.
    let (status, html) = open_verification(&mut elsewhere, &token).await;
    assert_eq!(status, 409, "{html}");
    let (_, page) = bob.browser.page("/account").await;
    assert!(page.contains("class=\"verified\""), "{page}");

    // Now the recovery link goes out, and works from the recovering browser.
    let (status, _, _) = lost.post_form("/recover/email", &[]).await;
    assert_eq!(status, 200);
    let link = link_token(&app, "/recovery/email#")
        .await
        .expect("the e-mail factor is offered now");
    let (status, location, body) = lost
        .post_form("/recovery/email", &[("token", link.as_str())])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.as_deref(), Some("/recover/status"));
    assert_eq!(state_of(&app, id).await, State::Waiting);
}

#[tokio::test]
async fn a_changed_address_is_unverified_and_an_older_link_does_not_verify_it() {
    let app = TestApp::spawn().await;
    let mut bob = invited_user(&app, "bob").await;
    let stale = ask_for_verification(&app, &mut bob).await;

    // The change goes through the engine (one hour for a standard account).
    let user = bob.user_id;
    let credential = app
        .state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap()[0]
        .credential_id()
        .unwrap();
    let requested = app
        .state
        .recovery
        .request_live(
            LiveChange {
                action: GuardedAction::ChangeEmail {
                    new_email: "robert@example.com".into(),
                },
                user,
                session_handle: "bobs-browser".into(),
                step_up: PasskeyFact {
                    user,
                    credential,
                    uv_at: app.clock.now(),
                },
                pending_passkey: None,
            },
            &Origin::default(),
        )
        .await
        .unwrap();
    assert_eq!(requested.request.state, State::Waiting);
    app.clock.advance(chrono::Duration::hours(1));
    app.state.recovery.tick(app.clock.now()).await.unwrap();
    assert_eq!(
        state_of(&app, requested.request.id).await,
        State::Completed,
        "nothing is handed to a browser: it completes by itself"
    );
    let account = app
        .state
        .db
        .run(move |c| latchkey_store::users::find(c, user))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.email.as_deref(), Some("robert@example.com"));
    assert!(account.email_verified_at.is_none());

    // The link sent to the old address does not verify the new one.
    let (status, html) = open_verification(&mut app.browser(), &stale).await;
    assert_eq!(status, 409, "{html}");
    assert!(verified_at(&app, user).await.is_none());
}
