//! Cancelling a recovery: the link of the notice (GET shows, POST cancels,
//! once) and the account page of the owner, signed in with a passkey.

use latchkey_recovery::State;
use latchkey_testkit::TestApp;

use super::{newest_mail, requests_of, shown_state, start, state_of};
use crate::people::{bootstrap_admin, invited_user};

#[tokio::test]
async fn the_cancel_link_of_the_notice_shows_a_page_on_get_and_cancels_once_on_post() {
    let app = TestApp::spawn().await;
    let _ada = bootstrap_admin(&app).await;
    let bob = invited_user(&app, "bob").await;
    let (mut recovering, _) = start(&app, "bob").await;
    let id = requests_of(&app, bob.user_id).await[0].id;
    let notice = newest_mail(&app, "A request to recover the account")
        .await
        .unwrap();
    let link = notice
        .split_whitespace()
        .find(|w| w.contains("/recovery/cancel#"))
        .expect("a cancel link in the notice");
    let (path, token) = link.split_once('#').unwrap();
    assert!(path.ends_with("/recovery/cancel"), "{path}");
    assert!(token.starts_with("lkx_"));

    // A mail scanner fetching the link (with or without the fragment,
    // which browsers never send) changes nothing.
    let mut owner = app.browser();
    for _ in 0..2 {
        let res = owner.client.get(link).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["referrer-policy"], "same-origin");
        let html = res.text().await.unwrap();
        assert!(html.contains("data-link-form"), "{html}");
        assert!(!html.contains(token), "the page never carries the token");
    }
    let (status, _) = owner.page("/recovery/cancel").await;
    assert_eq!(status, 200);
    assert_eq!(state_of(&app, id).await, State::Requested);

    let (status, _, html) = owner
        .post_form("/recovery/cancel", &[("token", token)])
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("The request is cancelled"), "{html}");
    assert_eq!(state_of(&app, id).await, State::Cancelled);
    assert!(newest_mail(&app, "Cancelled: the request").await.is_some());
    assert_eq!(shown_state(&mut recovering).await, "cancelled");

    let (status, _, html) = owner
        .post_form("/recovery/cancel", &[("token", token)])
        .await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("not valid any more"), "{html}");
    let (status, _, _) = owner
        .post_form("/recovery/cancel", &[("token", "lkx_not-a-real-one")])
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn the_owner_signed_in_with_a_passkey_cancels_from_the_account_page() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let (mut recovering, _) = start(&app, "bob").await;
    let id = requests_of(&app, bob.user_id).await[0].id;

    let (status, html) = bob.browser.page("/account").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"pending\""), "{html}");
    let action = format!("/account/requests/{id}/cancel");
    assert!(html.contains(&action), "{html}");

    // Nobody else can cancel it, nor learn that it exists.
    let (status, _, _) = ada.browser.post_form(&action, &[]).await;
    assert_eq!(status, 404);
    assert_eq!(state_of(&app, id).await, State::Requested);

    let (status, to, _) = bob.browser.post_form(&action, &[]).await;
    assert_eq!(status, 303);
    assert_eq!(to.as_deref(), Some("/account?done=request-cancelled"));
    assert_eq!(state_of(&app, id).await, State::Cancelled);
    let (_, html) = bob.browser.page("/account?done=request-cancelled").await;
    assert!(!html.contains("id=\"pending\""), "{html}");
    assert!(html.contains("The request was cancelled"), "{html}");
    assert_eq!(shown_state(&mut recovering).await, "cancelled");
}
