//! An account's page in the console lists its browser sessions and the
//! applications it allowed; an administrator ends one session (immediate:
//! it only takes access away), audited with the administrator as actor.

use latchkey_core::{ClientId, Clock as _};
use latchkey_testkit::TestApp;

use crate::console_audit::events_of_kind;
use openidconnect::OAuth2TokenResponse as _;

use crate::oidc::{ClientOptions, Rp, active, authorize, register_client};
use crate::people::{bootstrap_admin, invited_user, session_count, sign_in};

/// The `data-session` handles on an account's console page.
fn handles(html: &str) -> Vec<String> {
    html.split("data-session=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn an_administrator_sees_the_sessions_and_consents_and_ends_one_session() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let mut laptop = sign_in(&app, &mut bob.auth).await;
    assert_eq!(session_count(&app, bob.user_id).await, 2);
    let (client, _) = register_client(&app, &ClientOptions::default()).await;
    let (who, cid, now) = (
        bob.user_id,
        ClientId::parse(&client).unwrap(),
        app.clock.now(),
    );
    app.state
        .db
        .run(move |c| latchkey_store::consents::grant(c, who, &cid, ["openid", "email"], now))
        .await
        .unwrap();

    let page = format!("/admin/users/{}", bob.user_id);
    let (status, html) = ada.browser.page(&page).await;
    assert_eq!(status, 200, "{html}");
    let sessions = handles(&html);
    assert_eq!(sessions.len(), 2, "{html}");
    assert!(html.contains("id=\"consents\""), "{html}");
    assert!(
        html.contains("Test App") && html.contains("email openid"),
        "{html}"
    );

    // An unknown handle: nothing ends.
    let (status, _, _) = ada
        .browser
        .post_form(&format!("{page}/sessions/{}/end", "ab".repeat(32)), &[])
        .await;
    assert_eq!(status, 404);
    assert_eq!(session_count(&app, bob.user_id).await, 2);

    let mine = sessions[0].clone();
    let (status, location, body) = ada
        .browser
        .post_form(&format!("{page}/sessions/{mine}/end"), &[])
        .await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location.unwrap(), format!("{page}?done=session_ended"));
    assert_eq!(session_count(&app, bob.user_id).await, 1);
    // Exactly one of bob's two browsers is signed out.
    let still_in = [
        laptop.page("/account").await.0,
        bob.browser.page("/account").await.0,
    ];
    assert_eq!(
        still_in.iter().filter(|s| **s == 200).count(),
        1,
        "{still_in:?}"
    );
    let ended = events_of_kind(&app, "session.ended").await;
    let by_ada = ended
        .iter()
        .find(|e| e.actor.as_deref() == Some(&*ada.user_id.to_string()))
        .expect("audited with the administrator as actor");
    assert_eq!(by_ada.subject.as_deref(), Some(&*bob.user_id.to_string()));
    assert!(
        by_ada.detail.contains("by_administrator"),
        "{}",
        by_ada.detail
    );

    // Not one's own sessions from here, and not without a fresh step-up.
    let own = app
        .state
        .sessions
        .list_user_sessions(ada.user_id)
        .await
        .unwrap()[0]
        .handle
        .clone();
    let (status, _, _) = ada
        .browser
        .post_form(
            &format!("/admin/users/{}/sessions/{own}/end", ada.user_id),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(session_count(&app, ada.user_id).await, 1);
    app.clock.advance(chrono::Duration::minutes(6));
    let other = sessions.iter().find(|h| **h != mine).unwrap();
    let (status, location, _) = ada
        .browser
        .post_form(&format!("{page}/sessions/{other}/end"), &[])
        .await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/stepup?next="));
    assert_eq!(session_count(&app, bob.user_id).await, 1);
}

#[tokio::test]
async fn an_administrator_ending_a_session_ends_the_access_tokens_issued_in_it() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let mut bob = invited_user(&app, "bob").await;
    let rp = Rp::new(&app).await;
    // No refresh token: only the session carries the access token's end.
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut bob.browser, &mut bob.auth, &started).await;
    let (tokens, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    let userinfo = || {
        app.client
            .get(app.url("/userinfo"))
            .bearer_auth(tokens.access_token().secret())
            .send()
    };
    assert_eq!(userinfo().await.unwrap().status(), 200);

    let page = format!("/admin/users/{}", bob.user_id);
    let (_, html) = ada.browser.page(&page).await;
    let sessions = handles(&html);
    assert_eq!(sessions.len(), 1, "{html}");
    let (status, _, body) = ada
        .browser
        .post_form(&format!("{page}/sessions/{}/end", sessions[0]), &[])
        .await;
    assert_eq!(status, 303, "{body}");

    assert_eq!(userinfo().await.unwrap().status(), 401);
    assert!(!active(&rp, tokens.access_token()).await);
}
