//! RP-initiated logout, and every deliberate end of a browser session
//! revoking the refresh tokens issued in it.

use latchkey_testkit::TestApp;
use openidconnect::{OAuth2TokenResponse as _, TokenResponse as _};

use super::{POST_LOGOUT_URI, Rp, authorize, get};
use super::{hidden, token_error};
use crate::people::{Person, bootstrap_admin, sign_in};

/// Signs in to `rp` with offline access; the token response.
async fn tokens(
    app: &TestApp,
    rp: &Rp,
    person: &mut Person,
) -> openidconnect::core::CoreTokenResponse {
    tokens_in(app, rp, &mut person.browser, &mut person.auth).await
}

async fn tokens_in(
    app: &TestApp,
    rp: &Rp,
    browser: &mut latchkey_testkit::Browser,
    auth: &mut latchkey_testkit::authenticator::SoftAuthenticator,
) -> openidconnect::core::CoreTokenResponse {
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(app, rp, browser, auth, &started).await;
    rp.exchange(&code, started.verifier, &started.nonce).await.0
}

async fn refresh_works(rp: &Rp, tokens: &openidconnect::core::CoreTokenResponse) -> bool {
    match rp
        .client
        .exchange_refresh_token(tokens.refresh_token().unwrap())
        .unwrap()
        .request_async(&rp.http)
        .await
    {
        Ok(_) => true,
        Err(e) => {
            assert_eq!(token_error(e), "invalid_grant");
            false
        }
    }
}

async fn signed_in(person: &Person) -> bool {
    let (status, _, _) = get(&person.browser, "/account").await;
    status == 200
}

#[tokio::test]
async fn logout_with_an_id_token_hint_ends_the_session_and_its_refresh_tokens_and_returns_with_state()
 {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let issued = tokens(&app, &rp, &mut ada).await;
    let hint = issued.id_token().unwrap().to_string();
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();

    // An unregistered return address: refused before anything happens.
    let (status, location, _) = get(
        &ada.browser,
        &format!(
            "/logout?id_token_hint={hint}&post_logout_redirect_uri={}",
            enc("https://attacker.example/")
        ),
    )
    .await;
    assert_eq!((status, location), (400, None));
    // A hint we did not sign: refused too.
    let forged = format!("{}x", &hint[..hint.len() - 1]);
    let (status, _, _) = get(&ada.browser, &format!("/logout?id_token_hint={forged}")).await;
    assert_eq!(status, 400);
    // An access token is not an ID token hint.
    let (status, _, _) = get(
        &ada.browser,
        &format!("/logout?id_token_hint={}", issued.access_token().secret()),
    )
    .await;
    assert_eq!(status, 400);
    // A hint about somebody else: the person signed in here is asked.
    let mut bob = crate::people::invited_user(&app, "bob").await;
    let bobs = tokens(&app, &rp, &mut bob).await;
    let (status, _, page) = get(
        &ada.browser,
        &format!(
            "/logout?id_token_hint={}&post_logout_redirect_uri={}",
            bobs.id_token().unwrap(),
            enc(POST_LOGOUT_URI)
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("Sign out of Latchkey?"), "{page}");
    assert!(signed_in(&ada).await);
    assert!(signed_in(&bob).await);
    assert!(refresh_works(&rp, &issued).await);

    // An access token without a refresh token, from the same session.
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    let (plain, _) = rp.exchange(&code, started.verifier, &started.nonce).await;
    let issued = tokens(&app, &rp, &mut ada).await;
    let hint = issued.id_token().unwrap().to_string();
    let (status, location, _) = get(
        &ada.browser,
        &format!(
            "/logout?id_token_hint={hint}&post_logout_redirect_uri={}&state=bye%20now",
            enc(POST_LOGOUT_URI)
        ),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("{POST_LOGOUT_URI}?state=bye+now").as_str())
    );
    assert!(!signed_in(&ada).await);
    assert!(!refresh_works(&rp, &issued).await);
    assert!(super::audited_with(&app, "refresh_family.revoked", "session_ended").await);
    let about = rp
        .client
        .introspect(issued.access_token())
        .request_async(&rp.http)
        .await
        .unwrap();
    assert!(!openidconnect::TokenIntrospectionResponse::active(&about));
    let about = rp
        .client
        .introspect(plain.access_token())
        .request_async(&rp.http)
        .await
        .unwrap();
    assert!(
        !openidconnect::TokenIntrospectionResponse::active(&about),
        "every access token issued in the session ends with it"
    );
}

#[tokio::test]
async fn logout_without_a_hint_asks_first() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let issued = tokens(&app, &rp, &mut ada).await;

    // A bare link cannot sign anyone out.
    let (status, html) = ada.browser.page("/logout").await;
    assert_eq!(status, 200);
    assert!(html.contains("Sign out of Latchkey?"), "{html}");
    assert!(signed_in(&ada).await);
    let csrf = hidden(&html, "csrf");
    assert!(!csrf.is_empty());
    let (status, _, html) = ada.browser.post_form("/logout", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("You are signed out"), "{html}");
    assert!(!signed_in(&ada).await);
    assert!(!refresh_works(&rp, &issued).await);
}

#[tokio::test]
async fn signing_out_and_signing_out_everywhere_else_revoke_the_refresh_tokens_of_those_sessions() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let here = tokens(&app, &rp, &mut ada).await;
    // A second browser of the same person.
    let mut elsewhere = sign_in(&app, &mut ada.auth).await;
    let there = tokens_in(&app, &rp, &mut elsewhere, &mut ada.auth).await;

    ada.browser.page("/account").await;
    let (status, _, _) = ada
        .browser
        .post_form("/account/sessions/revoke-others", &[])
        .await;
    assert_eq!(status, 303);
    assert!(
        !refresh_works(&rp, &there).await,
        "the other session's tokens end"
    );
    assert!(
        refresh_works(&rp, &here).await,
        "this session's tokens stay"
    );

    // Re-authenticating in the same browser keeps the session's tokens.
    let here = tokens(&app, &rp, &mut ada).await;
    let next = super::sign_in_at(
        &app,
        &mut ada.browser,
        &mut ada.auth,
        "/signin?next=%2Faccount",
    )
    .await;
    assert_eq!(next, "/account");
    assert!(refresh_works(&rp, &here).await);

    let here = tokens(&app, &rp, &mut ada).await;
    let (status, _, _) = ada.browser.post_form("/signout", &[]).await;
    assert_eq!(status, 303);
    assert!(!refresh_works(&rp, &here).await);
}

#[tokio::test]
async fn a_code_not_yet_redeemed_when_the_user_signs_out_is_refused_at_the_token_endpoint() {
    let app = TestApp::spawn().await;
    let mut ada = bootstrap_admin(&app).await;
    let rp = Rp::new(&app).await;
    let started = rp.start(&["openid", "offline_access"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;

    ada.browser.page("/account").await;
    let (status, _, _) = ada.browser.post_form("/signout", &[]).await;
    assert_eq!(status, 303);
    let refused = rp
        .client
        .exchange_code(openidconnect::AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(started.verifier)
        .request_async(&rp.http)
        .await
        .unwrap_err();
    assert_eq!(token_error(refused), "invalid_grant");

    // Signed in again: a new session, whose codes work.
    let started = rp.start(&["openid"], |r| r);
    let code = authorize(&app, &rp, &mut ada.browser, &mut ada.auth, &started).await;
    rp.exchange(&code, started.verifier, &started.nonce).await;
}
